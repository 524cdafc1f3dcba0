//! Pages that belong to no area in particular.

use askama::Template;
use askama_web::WebTemplate;

use super::Tr;
use super::auth::CurrentUser;

/// The home page: what the product does and, for a signed-in user, where to start.
#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub tr: Tr,
    pub user: Option<CurrentUser>,
}

pub async fn index(tr: Tr, user: Option<CurrentUser>) -> IndexPage {
    IndexPage { tr, user }
}
