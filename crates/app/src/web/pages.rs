//! Pages that belong to no area in particular.

use askama::Template;
use askama_web::WebTemplate;

use super::Tr;

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub tr: Tr,
}

pub async fn index(tr: Tr) -> IndexPage {
    IndexPage { tr }
}
