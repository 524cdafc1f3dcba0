//! The web application: server-rendered HTML that works without JavaScript.
//!
//! Handlers parse and authorise, call a service, and render a view model through an askama
//! template. They never build SQL. Every handler that shows or changes data takes an
//! `auth::CurrentUser`; every non-GET request passes the CSRF layer (`csrf::guard`).

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use binhyen_store::Store;

use crate::clock::Clock;
use crate::directory::{self, UnitDirectory};
use crate::service::Ctx;

mod admin;
pub mod api;
mod assets;
pub mod auth;
#[cfg(test)]
mod auth_tests;
pub mod csrf;
mod i18n;
mod pages;

pub use i18n::Tr;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Unit lookups and territory containment (the units `Atlas` once it lands).
    pub units: Arc<dyn UnitDirectory>,
    pub clock: Clock,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            units: directory::installed(),
            clock: Clock::system(),
            secure_cookies: false,
        }
    }

    /// The service context of one request: the store, the units and "now".
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            store: &self.store,
            units: &*self.units,
            now: self.clock.now(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/lang/{code}", get(i18n::switch))
        .route("/healthz", get(|| async { "ok" }))
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(api::routes())
        .merge(assets::routes())
        .layer(middleware::from_fn(csrf::guard))
        .with_state(state)
}
