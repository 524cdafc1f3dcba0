//! The JSON API under `/api/v1`, described by OpenAPI at `/api/openapi.json` (Swagger UI at
//! `/api/docs`, served from the binary).
//!
//! To add an endpoint: write an axum handler taking a [`CurrentUser`], annotate it with
//! `#[utoipa::path(…)]`, and register it in [`api_routes`] with `.routes(routes!(handler))`;
//! it then appears in the OpenAPI document. Requests authenticate with the session cookie (and
//! then need the `X-CSRF-Token` header for non-GET methods) or `Authorization: Bearer byt_…`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use super::AppState;
use super::auth::{CurrentUser, SESSION_COOKIE};
use crate::directory::code_of;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bình Yên API",
        description = "Tiêu chí an ninh, trật tự trong xây dựng nông thôn mới — API. \
                       (The security-and-order criterion of New Rural Development.)"
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Người dùng đang đăng nhập (the signed-in user)"),
        (name = "evaluation", description = "Kết quả đánh giá theo tiêu chuẩn (verdicts)"),
        (name = "facts", description = "Số liệu hằng năm (yearly facts)"),
        (name = "workflow", description = "Đăng ký, xét duyệt, công nhận (registration, review, recognition)")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Mã truy cập cá nhân byt_… (personal API token)"))
                    .build(),
            ),
        );
    }
}

/// Every `/api/v1` endpoint. Others add theirs here.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(super::evaluation::unit_evaluations))
        .routes(routes!(super::evaluation::standards))
        .routes(routes!(super::workflow_api::get_dossier))
        .routes(routes!(super::workflow_api::post_transition))
        .routes(routes!(super::workflow_api::get_notifications))
        .routes(routes!(
            super::workflow_api::list_registrations,
            super::workflow_api::post_registration
        ))
        .routes(routes!(super::workflow_api::get_classification))
        .routes(routes!(
            super::workflow_api::list_decisions,
            super::workflow_api::post_decision
        ))
        .routes(routes!(super::workflow_api::get_decision))
        .routes(routes!(super::workflow_api::post_revocation))
        .routes(routes!(super::facts_api::unit_facts))
        .routes(routes!(super::facts_api::save_form))
        .routes(routes!(super::facts_api::facts_history))
        .routes(routes!(super::plans::api_plans))
        .routes(routes!(super::plans::api_progress))
        .routes(routes!(super::plans::api_crime))
        .routes(routes!(super::dashboard::api_dashboard))
        .routes(routes!(super::movement::api_movement))
}

/// The API routes, `/api/openapi.json` and `/api/docs`.
pub fn routes() -> Router<AppState> {
    let (router, doc) = api_routes().split_for_parts();
    router.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}

/// One grant of the signed-in user. Unit ids are `null` for the whole country.
#[derive(Serialize, ToSchema)]
pub struct MeGrant {
    /// `commune_police`, `area_head`, `district_police`, `pv05`, `steering_secretary`,
    /// `decider`, `viewer` or `admin`.
    pub role: String,
    pub unit_id: Option<i64>,
    /// Unit code (`VN` for the whole country).
    pub unit_code: String,
    pub capture_unit_id: Option<i64>,
    pub view_unit_id: Option<i64>,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub grants: Vec<MeGrant>,
}

/// An error answer.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// One sentence, in Vietnamese unless the `lang=en` cookie is set.
    pub error: String,
}

/// Who am I: the signed-in user and their grants.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "Người dùng đang đăng nhập", body = Me),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
async fn me(State(state): State<AppState>, user: CurrentUser) -> Response {
    let units = &*state.units;
    let id = user.actor.id.unwrap_or_default();
    let grants = user
        .actor
        .grants
        .iter()
        .map(|g| MeGrant {
            role: g.role.as_str().to_owned(),
            unit_id: g.unit.unit(),
            unit_code: code_of(units, g.unit),
            capture_unit_id: g.capture.unit(),
            view_unit_id: g.view.unit(),
        })
        .collect();
    Json(Me {
        id,
        login: user.actor.login,
        display_name: user.actor.display_name,
        grants,
    })
    .into_response()
}
