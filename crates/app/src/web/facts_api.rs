//! Facts in the JSON API: `GET /api/v1/units/{id}/facts/{year}` (every form with its version),
//! `PUT /api/v1/units/{id}/facts/{year}/{form}` (409 with the current row on a conflict, 422 with
//! field messages on bad input), `GET …/history`. Scope-checked by `service::facts` (403 outside).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::checks::Severity;
use binhyen_core::units::UnitId;
use binhyen_store::facts::FormRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::api::ApiError;
use super::auth::CurrentUser;
use crate::service::ServiceError;
use crate::service::facts::{self as svc, FactsError, SaveForm};

/// One form of a unit and year.
#[derive(Serialize, ToSchema)]
pub struct ApiForm {
    /// `registration`, `security_events`, `crime_social_evils`, `traffic_fire`,
    /// `models_movement`, `documents` or `assessments`.
    pub form: String,
    /// 0 when nothing was saved yet; send it back with `PUT`.
    pub version: i64,
    /// `draft`, `submitted`, or `null` when nothing was saved yet.
    pub status: Option<String>,
    /// The facts object (catalogue keys → values, as in the case format).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

fn api_form(form: &str, row: Option<&FormRow>, facts: serde_json::Value) -> ApiForm {
    ApiForm {
        form: form.to_owned(),
        version: row.map_or(0, |r| r.version),
        status: row.map(|r| r.status.clone()),
        facts,
        updated_by: row.map(|r| r.updated_by_name.clone()),
        updated_at: row.map(|r| r.updated_at.to_rfc3339()),
    }
}

/// A unit's facts for a year.
#[derive(Serialize, ToSchema)]
pub struct ApiUnitFacts {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub forms: Vec<ApiForm>,
}

/// A save of one form.
#[derive(Deserialize, ToSchema)]
pub struct ApiSave {
    #[schema(value_type = Object)]
    pub facts: serde_json::Map<String, serde_json::Value>,
    /// The version read (0 for a new form).
    pub version: i64,
    /// Required when the form was submitted and a value changes.
    pub reason: Option<String>,
    #[serde(default)]
    pub submit: bool,
    /// Save despite consistency warnings.
    #[serde(default)]
    pub confirm_warnings: bool,
}

/// A problem with one field.
#[derive(Serialize, ToSchema)]
pub struct ApiFieldError {
    /// The catalogue key (empty for the whole form).
    pub field: String,
    pub message: String,
    /// `error` or `warning` (consistency checks).
    pub severity: String,
}

/// Why a save was refused (422 or 409).
#[derive(Serialize, ToSchema)]
pub struct ApiSaveError {
    pub error: String,
    pub fields: Vec<ApiFieldError>,
    /// On 409: the form as stored now.
    pub current: Option<ApiForm>,
}

/// One history line.
#[derive(Serialize, ToSchema)]
pub struct ApiChange {
    pub form: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub source: String,
    pub actor: String,
    pub at: String,
}

fn service_error(user: &CurrentUser, e: ServiceError) -> Response {
    let mut w = user.fail(e);
    w.api = true;
    w.into_response()
}

/// Every form of a unit for a year, with versions.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/facts/{year}",
    tag = "facts",
    params(("id" = i64, Path, description = "Unit id"), ("year" = i32, Path, description = "Year")),
    responses(
        (status = 200, description = "Các biểu mẫu số liệu (the forms)", body = ApiUnitFacts),
        (status = 403, description = "Ngoài phạm vi (outside the caller's scope)", body = ApiError),
        (status = 404, description = "Không có đơn vị (no such unit that year)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn unit_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
) -> Response {
    let reg = state.registry.get();
    match svc::load(&state.ctx(), &reg, &user.actor, id, year).await {
        Ok(u) => Json(ApiUnitFacts {
            unit_id: u.unit.id,
            code: u.unit.code.clone(),
            name: u.unit.name.clone(),
            year,
            forms: u
                .forms
                .iter()
                .map(|f| {
                    api_form(
                        f.group.as_str(),
                        f.row.as_ref(),
                        serde_json::Value::Object(f.values.clone()),
                    )
                })
                .collect(),
        })
        .into_response(),
        Err(e) => service_error(&user, e),
    }
}

/// Saves one form (optimistic: send the version you read).
#[utoipa::path(
    put,
    path = "/api/v1/units/{id}/facts/{year}/{form}",
    tag = "facts",
    params(("id" = i64, Path), ("year" = i32, Path), ("form" = String, Path, description = "Form group")),
    request_body = ApiSave,
    responses(
        (status = 200, description = "Đã lưu (saved)", body = ApiForm),
        (status = 400, description = "Nội dung không phải JSON đúng dạng (not the JSON shape above; line and column named)", body = ApiError),
        (status = 403, description = "Ngoài phạm vi (outside scope)", body = ApiError),
        (status = 409, description = "Người khác vừa lưu (conflict, with the current form)", body = ApiSaveError),
        (status = 422, description = "Số liệu không hợp lệ (field messages)", body = ApiSaveError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn save_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year, form)): Path<(UnitId, i32, String)>,
    body: axum::body::Bytes,
) -> Response {
    let lang = user.lang.code();
    // Read here rather than by the `Json` extractor, whose refusals are in English.
    let body: ApiSave = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            let message = crate::units::text(
                lang,
                "facts.api.bad_json",
                &[
                    ("line", e.line().to_string()),
                    ("column", e.column().to_string()),
                ],
            );
            return (StatusCode::BAD_REQUEST, Json(ApiError { error: message })).into_response();
        }
    };
    let Some(group) = FormGroup::parse(&form) else {
        return service_error(&user, ServiceError::NotFound);
    };
    let req = SaveForm {
        unit: id,
        year,
        group,
        values: body.facts,
        expected_version: body.version,
        submit: body.submit,
        reason: body.reason,
        confirm_warnings: body.confirm_warnings,
        source: "api".into(),
    };
    let reg = state.registry.get();
    let e = match svc::save(&state.ctx(), &reg, &user.actor, &req).await {
        Ok(saved) => {
            let facts = serde_json::from_str(&saved.row.data).unwrap_or_default();
            return Json(api_form(group.as_str(), Some(&saved.row), facts)).into_response();
        }
        Err(FactsError::Service(e)) => return service_error(&user, e),
        Err(e) => e,
    };
    let message = e.message(lang);
    let (status, fields, current) = match e {
        FactsError::Invalid(list) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            list.into_iter()
                .map(|p| ApiFieldError {
                    field: p.field,
                    message: p.message.render(lang),
                    severity: "error".into(),
                })
                .collect(),
            None,
        ),
        FactsError::Checks(found) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            found
                .into_iter()
                .map(|f| ApiFieldError {
                    field: f.fields.first().cloned().unwrap_or_default(),
                    message: f.message.render(lang),
                    severity: if f.severity == Severity::Error {
                        "error"
                    } else {
                        "warning"
                    }
                    .into(),
                })
                .collect(),
            None,
        ),
        FactsError::Conflict { current, .. } => {
            let facts = serde_json::from_str(&current.data).unwrap_or_default();
            (
                StatusCode::CONFLICT,
                vec![],
                Some(api_form(&current.form, Some(&current), facts)),
            )
        }
        FactsError::Locked { .. } => (StatusCode::CONFLICT, vec![], None),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, vec![], None),
    };
    (
        status,
        Json(ApiSaveError {
            error: message,
            fields,
            current,
        }),
    )
        .into_response()
}

/// The history of every value of a unit for a year, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/facts/{year}/history",
    tag = "facts",
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses(
        (status = 200, description = "Lịch sử (history)", body = Vec<ApiChange>),
        (status = 403, description = "Ngoài phạm vi (outside scope)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn facts_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
) -> Response {
    match svc::history(&state.ctx(), &user.actor, id, year).await {
        Ok(lines) => Json(
            lines
                .into_iter()
                .map(|c| ApiChange {
                    form: c.form,
                    field: c.change.field,
                    old: c.change.old,
                    new: c.change.new,
                    reason: c.reason,
                    note: c.change.note,
                    source: c.source,
                    actor: c.actor_name,
                    at: c.at.to_rfc3339(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => service_error(&user, e),
    }
}
