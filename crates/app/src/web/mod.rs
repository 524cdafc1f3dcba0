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
pub mod units;

pub use i18n::Tr;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The map through time, loaded at start (`web::units::load_atlas`), replaced after imports.
    pub units: crate::units::SharedAtlas,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            units: Default::default(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/lang/{code}", get(i18n::switch))
        .route("/healthz", get(|| async { "ok" }))
        .merge(units::routes())
        .merge(assets::routes())
        .with_state(state)
}
