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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode, header};
    use binhyen_core::authz::{Grant, Role, Scope};
    use binhyen_store::db_test;
    use chrono::{TimeZone, Utc};
    use serde_json::{Value as JV, json};
    use tower::ServiceExt;

    use super::super::{AppState, router};
    use crate::clock::Clock;
    use crate::service::facts::tests::{COMMUNE, OTHER, atlas};
    use crate::service::users::{self, GrantSpec, NewAccount};
    use crate::service::{Actor, sessions};

    /// The router over `store` with the small test province, and a commune officer's token.
    async fn app(store: &binhyen_store::Store) -> (axum::Router, String) {
        let units = atlas();
        let (clock, _) = Clock::manual(Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap());
        let state = AppState {
            store: store.clone(),
            units: Arc::new(units.clone()),
            atlas: units,
            registry: Arc::new(binhyen_core::standard::RegistryHandle::new(
                binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
            )),
            clock,
            secure_cookies: false,
        };
        let ctx = state.ctx();
        let (account, _) = users::create(
            &ctx,
            &Actor::console(),
            NewAccount {
                login: "ca.longduc".into(),
                display_name: "Trần Văn Ân".into(),
                password: Some("mật khẩu thử nghiệm".into()),
                grant: GrantSpec {
                    role: "commune_police".into(),
                    unit: "29001".into(),
                    view: None,
                },
            },
        )
        .await
        .unwrap();
        let me = Actor {
            id: Some(account.user.id),
            login: "ca.longduc".into(),
            display_name: "Trần Văn Ân".into(),
            grants: vec![Grant::new(Role::CommunePolice, Scope::Unit(COMMUNE))],
        };
        let (_, raw) = sessions::create_api_token(&ctx, &me, "thống kê")
            .await
            .unwrap();
        (router(state), raw)
    }

    async fn call(
        r: &axum::Router,
        token: &str,
        method: &str,
        uri: &str,
        body: &str,
    ) -> (StatusCode, String) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let resp = r.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    fn json_of(body: &str) -> JV {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    db_test!(the_facts_api_reads_writes_and_refuses_clearly, |store| {
        let (r, token) = app(&store).await;
        let form = format!("/api/v1/units/{COMMUNE}/facts/2024/traffic_fire");
        // Read: every form of the commune, nothing saved yet.
        let (status, body) = call(
            &r,
            &token,
            "GET",
            &format!("/api/v1/units/{COMMUNE}/facts/2024"),
            "",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let read = json_of(&body);
        assert_eq!(read["code"], "29001");
        let traffic = read["forms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["form"] == "traffic_fire")
            .cloned()
            .unwrap();
        assert_eq!(
            (traffic["version"].clone(), traffic["status"].clone()),
            (json!(0), JV::Null)
        );
        // Write with the version read.
        let (status, body) = call(
            &r,
            &token,
            "PUT",
            &form,
            r#"{"facts": {"traffic_accidents": 3}, "version": 0}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let saved = json_of(&body);
        assert_eq!(
            (
                saved["version"].clone(),
                saved["facts"]["traffic_accidents"].clone()
            ),
            (json!(1), json!(3))
        );
        assert_eq!(saved["updated_by"], "Trần Văn Ân");
        // The same stale version again: refused, with the other change and the current form.
        let (status, body) = call(
            &r,
            &token,
            "PUT",
            &form,
            r#"{"facts": {"traffic_accidents": 5}, "version": 0}"#,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let conflict = json_of(&body);
        let error = conflict["error"].as_str().unwrap();
        assert!(
            error.contains("Trần Văn Ân")
                && error.contains("phiên bản 1")
                && error.contains("traffic_accidents: — → 3"),
            "{error}"
        );
        assert_eq!(conflict["current"]["version"], 1);
        assert_eq!(conflict["current"]["facts"]["traffic_accidents"], 3);
        // Text in a number field: 422 naming the field, in Vietnamese.
        let (status, body) = call(
            &r,
            &token,
            "PUT",
            &form,
            r#"{"facts": {"traffic_accidents": "ba"}, "version": 1}"#,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let invalid = json_of(&body);
        assert_eq!(invalid["fields"][0]["field"], "traffic_accidents");
        assert!(
            invalid["error"]
                .as_str()
                .unwrap()
                .contains("«traffic_accidents»"),
            "{body}"
        );
        assert!(
            invalid["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("số"),
            "{body}"
        );
        // Not JSON, or not the expected shape: 400 with the line and column, in Vietnamese.
        for bad in [
            "{\"facts\": {\"traffic_accidents\": 3},\n \"version\": x}",
            r#"{"facts": [], "version": 1}"#,
        ] {
            let (status, body) = call(&r, &token, "PUT", &form, bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            let e = json_of(&body)["error"].as_str().unwrap().to_owned();
            assert!(
                e.starts_with("Nội dung yêu cầu không đúng dạng JSON (dòng"),
                "{e}"
            );
        }
        let (_, body) = call(
            &r,
            &token,
            "PUT",
            &form,
            "{\"facts\": {},\n \"version\": x}",
        )
        .await;
        assert!(body.contains("dòng 2, cột"), "{body}");
        // Outside the officer's commune: refused, and nothing about the unit is shown.
        for (method, uri, body) in [
            ("GET", format!("/api/v1/units/{OTHER}/facts/2024"), ""),
            (
                "PUT",
                format!("/api/v1/units/{OTHER}/facts/2024/traffic_fire"),
                r#"{"facts": {"traffic_accidents": 1}, "version": 0}"#,
            ),
            (
                "GET",
                format!("/api/v1/units/{OTHER}/facts/2024/history"),
                "",
            ),
        ] {
            let (status, text) = call(&r, &token, method, &uri, body).await;
            assert!(
                matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{uri}: {status}"
            );
            assert!(
                !text.contains("Phường 1") && !text.contains("29002"),
                "{text}"
            );
        }
        // Nothing of the refused writes was stored; the history has the one change and its author.
        let (status, body) = call(
            &r,
            &token,
            "GET",
            &format!("/api/v1/units/{COMMUNE}/facts/2024/history"),
            "",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let lines = json_of(&body);
        assert_eq!(lines.as_array().unwrap().len(), 1, "{body}");
        assert_eq!(
            (
                lines[0]["field"].clone(),
                lines[0]["new"].clone(),
                lines[0]["actor"].clone()
            ),
            (json!("traffic_accidents"), json!("3"), json!("Trần Văn Ân"))
        );
        assert!(
            binhyen_store::facts::history(&store, OTHER, 2024)
                .await
                .unwrap()
                .is_empty()
        );
        // The three endpoints are in the OpenAPI document.
        let (_, doc) = call(&r, &token, "GET", "/api/openapi.json", "").await;
        let doc = json_of(&doc);
        assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}/{form}"]["put"].is_object());
        assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}/history"]["get"].is_object());
    });
}
