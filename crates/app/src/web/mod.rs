//! The web application: server-rendered HTML that works without JavaScript.
//!
//! Handlers parse and authorise, call a service, and render a view model through an askama
//! template. They never build SQL.

use axum::Router;
use axum::routing::get;
use binhyen_store::Store;

mod assets;
mod i18n;
mod pages;

pub use i18n::Tr;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState { store }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/lang/{code}", get(i18n::switch))
        .route("/healthz", get(|| async { "ok" }))
        .merge(assets::routes())
        .with_state(state)
}
