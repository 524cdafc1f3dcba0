//! Pages that belong to no area in particular.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::auth::CurrentUser;
use super::{AppState, Tr};

/// The home page: what the product does and, for a signed-in user, where to start.
#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub tr: Tr,
    pub user: Option<CurrentUser>,
    /// The demo's story: what to explore, with links.
    pub demo: bool,
}

pub async fn index(State(state): State<AppState>, tr: Tr, user: Option<CurrentUser>) -> IndexPage {
    IndexPage {
        tr,
        user,
        demo: state.demo,
    }
}
