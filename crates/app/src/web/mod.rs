//! The web application: server-rendered HTML that works without JavaScript.
//!
//! Handlers parse and authorise, call a service, and render a view model through an askama
//! template. They never build SQL. Every handler that shows or changes data takes an
//! `auth::CurrentUser`; every non-GET request passes the CSRF layer (`csrf::guard`).

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use binhyen_core::standard::{Registry, RegistryHandle};
use binhyen_store::Store;

use crate::clock::Clock;
use crate::directory::UnitDirectory;
use crate::service::Ctx;

mod admin;
pub mod api;
mod assets;
pub mod auth;
#[cfg(test)]
mod auth_tests;
pub mod csrf;
pub mod dashboard;
#[cfg(test)]
mod dashboard_tests;
#[cfg(test)]
pub(crate) mod doc_checks;
pub mod evaluation;
pub mod facts;
mod facts_api;
mod facts_import;
mod facts_preview;
#[cfg(test)]
mod facts_tests;
mod i18n;
pub mod map;
#[cfg(test)]
mod matrix_tests;
pub mod movement;
mod pages;
pub mod plans;
pub mod reports;
pub mod units;
pub(crate) mod workflow;
mod workflow_api;
pub(crate) mod workflow_export;

pub use i18n::Tr;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The map through time, loaded at start (`web::units::load_atlas`), replaced after imports.
    pub atlas: crate::units::SharedAtlas,
    /// Unit lookups and territory containment: the atlas above (a fixture in unit tests).
    pub units: Arc<dyn UnitDirectory>,
    /// The standards and the fact catalogue in force (built-ins plus `--standards-dir`); a
    /// failed reload keeps the last valid set.
    pub registry: Arc<RegistryHandle>,
    pub clock: Clock,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Serving `binhyen demo`: the home page tells what to explore in the Trà Vinh story.
    pub demo: bool,
}

impl AppState {
    /// A state on `store` with the standards `registry` (the map is loaded separately:
    /// `web::units::load_atlas`).
    pub fn new(store: Store, registry: Registry) -> AppState {
        let atlas = crate::units::SharedAtlas::default();
        AppState {
            store,
            units: Arc::new(atlas.clone()),
            atlas,
            registry: Arc::new(RegistryHandle::new(registry)),
            clock: Clock::system(),
            secure_cookies: false,
            demo: false,
        }
    }

    /// The same state on the map `atlas` (units and territory both read it): tests on a fixture
    /// map (`serve` loads the stored map into the state's own atlas instead).
    #[cfg(test)]
    pub fn with_map(mut self, atlas: crate::units::SharedAtlas) -> AppState {
        self.units = Arc::new(atlas.clone());
        self.atlas = atlas;
        self
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
        .merge(units::routes())
        .merge(workflow::routes())
        .merge(workflow_export::routes())
        .merge(facts::routes())
        .merge(map::routes())
        .merge(plans::routes())
        .merge(reports::routes())
        .merge(movement::routes())
        .merge(assets::routes())
        .layer(middleware::from_fn(csrf::guard))
        .with_state(state)
}
