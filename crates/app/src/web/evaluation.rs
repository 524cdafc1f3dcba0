//! Verdicts on the web: `GET /api/v1/units/{id}/evaluations` and `GET /api/v1/standards`
//! (JSON, in the OpenAPI document, login required, scope-checked), and the verdicts section of
//! the unit page (`/units/{id}?year=…`, server-rendered). Everything is computed on request by
//! `service::evaluation` from the stored facts; nothing is cached.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use binhyen_core::standard::{Confidence, Evaluation, Purpose, Registry, Verdict};
use binhyen_core::text::format_date;
use binhyen_core::units::UnitId;
use binhyen_store::facts;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::api::ApiError;
use super::auth::{CurrentUser, WebError, status_of};
use crate::service::ServiceError;
use crate::service::evaluation::{self, EvaluationError};

/// The label of a verdict, as users read it.
fn verdict_label(v: Verdict, purpose: Purpose, lang: &str) -> String {
    v.label(purpose, lang)
}

/// One rule of an evaluation, for people and programs.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct RuleOut {
    pub id: String,
    pub title: String,
    /// `met`, `not_met` or `insufficient`.
    pub verdict: String,
    /// "đạt" / "chưa đạt" / "chưa đủ dữ liệu".
    pub verdict_text: String,
    /// `confirmed` or `provisional`.
    pub confidence: String,
    pub provisional: bool,
    /// Why the rule is provisional (or another note).
    pub note: Option<String>,
    /// The article: "khoản 4 Điều 5 Thông tư 124/2021/TT-BCA".
    pub citation: Option<String>,
    /// The sentence with the actual values (with `explain`).
    pub sentence: Option<String>,
}

/// The verdict of one standard for the unit and year.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct EvaluationOut {
    pub standard: String,
    pub version: u32,
    pub name: String,
    /// `recognition`, `flag` or `plan`.
    pub purpose: String,
    pub verdict: String,
    pub verdict_text: String,
    /// Some rule is provisional: the verdict is provisional too.
    pub provisional: bool,
    pub provisional_rules: usize,
    pub legal_basis: Vec<String>,
    /// "16/11/2023 – 15/11/2024".
    pub window: String,
    pub rules: Vec<RuleOut>,
    /// The whole explanation in sentences (with `explain`).
    pub explanation: Option<String>,
    /// The full trace: facts used with who entered them and when, parameters, sub-verdicts
    /// (with `explain`).
    #[schema(value_type = Option<Object>)]
    pub trace: Option<serde_json::Value>,
}

impl EvaluationOut {
    pub fn new(e: &Evaluation, lang: &str, explain: bool) -> EvaluationOut {
        let purpose = e.standard.purpose;
        EvaluationOut {
            standard: e.standard.id.clone(),
            version: e.standard.version,
            name: e.standard.name.get(lang).to_owned(),
            purpose: serde_json::to_value(purpose)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            verdict: e.verdict.as_str().to_owned(),
            verdict_text: verdict_label(e.verdict, purpose, lang),
            provisional: e.standard.provisional_rules > 0,
            provisional_rules: e.standard.provisional_rules,
            legal_basis: e
                .standard
                .legal_basis
                .iter()
                .map(|c| c.text.get(lang).to_owned())
                .collect(),
            window: format!(
                "{} – {}",
                format_date(e.standard.window_from),
                format_date(e.standard.window_to)
            ),
            rules: e
                .rules
                .iter()
                .map(|r| RuleOut {
                    id: r.id.clone(),
                    title: r.title.get(lang).to_owned(),
                    verdict: r.verdict.as_str().to_owned(),
                    verdict_text: verdict_label(r.verdict, purpose, lang),
                    confidence: match r.confidence {
                        Confidence::Confirmed => "confirmed",
                        Confidence::Provisional => "provisional",
                    }
                    .to_owned(),
                    provisional: r.confidence == Confidence::Provisional,
                    note: r.note.as_ref().map(|n| n.get(lang).to_owned()),
                    citation: r.citation.as_ref().map(|c| c.text.get(lang).to_owned()),
                    sentence: r.sentence.as_ref().map(|s| s.get(lang).to_owned()),
                })
                .collect(),
            explanation: explain.then(|| e.explain(lang)),
            trace: explain.then(|| serde_json::to_value(e).unwrap_or_default()),
        }
    }
}

/// The verdicts of one unit for one year.
#[derive(Serialize, ToSchema)]
pub struct UnitEvaluations {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub evaluations: Vec<EvaluationOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct EvaluationsQuery {
    /// The year judged (default: the latest year with facts for the unit).
    year: Option<i32>,
    /// Only this standard (e.g. `ntm-xa-19.2`).
    standard: Option<String>,
    /// Add sentences, the explanation and the trace.
    explain: Option<bool>,
}

/// The latest year with stored facts for `unit` (up to this year), else last year.
pub async fn default_year(state: &AppState, unit: UnitId) -> i32 {
    let this_year = state.clock.now().year();
    facts::forms_of_units(&state.store, &[unit], 2000..=this_year)
        .await
        .ok()
        .and_then(|rows| rows.iter().map(|r| r.year).max())
        .unwrap_or(this_year - 1)
}

fn api_error(user: &CurrentUser, e: EvaluationError) -> Response {
    let lang = user.lang.code();
    match e {
        EvaluationError::Service(error) => WebError {
            lang: user.lang,
            api: true,
            error,
        }
        .into_response(),
        EvaluationError::UnknownUnit(_) => (
            status_of(&ServiceError::NotFound),
            Json(ApiError {
                error: e.message(lang),
            }),
        )
            .into_response(),
        EvaluationError::Standard(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ApiError {
                error: e.message(lang),
            }),
        )
            .into_response(),
    }
}

/// The verdicts of a unit for a year: each applicable standard (or one), each rule with its
/// citation and confidence, and with `explain=true` the Vietnamese explanation and the trace.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/evaluations",
    tag = "evaluation",
    params(("id" = i64, Path, description = "Unit id"), EvaluationsQuery),
    responses(
        (status = 200, description = "Kết quả đánh giá (verdicts)", body = UnitEvaluations),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError),
        (status = 403, description = "Ngoài phạm vi được xem (outside the view scope)", body = ApiError),
        (status = 404, description = "Không có đơn vị (unknown unit)", body = ApiError),
        (status = 422, description = "Tiêu chuẩn không áp dụng (standard does not apply)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn unit_evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UnitId>,
    Query(q): Query<EvaluationsQuery>,
) -> Response {
    let lang = user.lang.code();
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let ctx = state.ctx();
    if let Err(e) = evaluation::may_view(&ctx, &user.actor, &atlas, id, ctx.today().year()) {
        return api_error(&user, e);
    }
    let year = match q.year {
        Some(y) => y,
        None => default_year(&state, id).await,
    };
    let explain = q.explain.unwrap_or(false);
    let result = evaluation::evaluate_unit_for(
        &ctx,
        &user.actor,
        &atlas,
        &reg,
        id,
        year,
        q.standard.as_deref(),
        explain,
    )
    .await;
    match result {
        Ok(list) => {
            let unit =
                evaluation::unit_ref(&atlas, id, evaluation::map_date(&atlas, Some(id), year));
            Json(UnitEvaluations {
                unit_id: id,
                code: unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
                name: unit.map(|u| u.name).unwrap_or_default(),
                year,
                evaluations: list
                    .iter()
                    .map(|e| EvaluationOut::new(e, lang, explain))
                    .collect(),
            })
            .into_response()
        }
        Err(e) => api_error(&user, e),
    }
}

/// A provisional rule and why.
#[derive(Serialize, ToSchema)]
pub struct ProvisionalRule {
    pub id: String,
    pub title: String,
    pub note: Option<String>,
}

/// One version of a standard.
#[derive(Serialize, ToSchema)]
pub struct StandardOut {
    pub id: String,
    pub version: u32,
    pub name: String,
    /// Unit kinds it judges.
    pub applies_to: Vec<String>,
    /// `national` or a province code.
    pub jurisdiction: String,
    /// ISO dates; `valid_until` is the last day in force (absent while in force).
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub purpose: String,
    pub rules: usize,
    pub provisional_rules: Vec<ProvisionalRule>,
    pub legal_basis: Vec<String>,
}

/// Builds the list of standards in `lang`.
pub fn standards_list(reg: &Registry, lang: &str) -> Vec<StandardOut> {
    reg.versions()
        .iter()
        .map(|v| StandardOut {
            id: v.id.clone(),
            version: v.version,
            name: v.name.get(lang).to_owned(),
            applies_to: v.applies_to.iter().map(|k| k.as_str().to_owned()).collect(),
            jurisdiction: v.jurisdiction.as_str().to_owned(),
            valid_from: v.validity.from.to_string(),
            valid_until: v.validity.last_day().map(|d| d.to_string()),
            purpose: serde_json::to_value(v.purpose)
                .ok()
                .and_then(|p| p.as_str().map(str::to_owned))
                .unwrap_or_default(),
            rules: v.rules.len(),
            provisional_rules: v
                .rules
                .iter()
                .filter(|r| r.confidence == Confidence::Provisional)
                .map(|r| ProvisionalRule {
                    id: r.id.clone(),
                    title: r.title.get(lang).to_owned(),
                    note: r.note.as_ref().map(|n| n.get(lang).to_owned()),
                })
                .collect(),
            legal_basis: v
                .legal_basis
                .iter()
                .map(|c| {
                    let title = reg
                        .source(&c.document)
                        .map_or(c.document.as_str(), |s| s.title.get(lang));
                    c.render(title, lang)
                })
                .collect(),
        })
        .collect()
}

/// Every standard version in force at some time: validity, unit kinds, provisional rules.
#[utoipa::path(
    get,
    path = "/api/v1/standards",
    tag = "evaluation",
    responses(
        (status = 200, description = "Các tiêu chuẩn (standards)", body = Vec<StandardOut>),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn standards(State(state): State<AppState>, user: CurrentUser) -> Response {
    Json(standards_list(&state.registry.get(), user.lang.code())).into_response()
}

/// The verdicts section of the unit page.
pub struct VerdictsSection {
    pub year: i32,
    /// Years to choose from (links).
    pub years: Vec<i32>,
    pub evaluations: Vec<EvaluationOut>,
    /// Why nothing is shown (not signed in, outside the scope, nothing applies).
    pub note: Option<String>,
}

/// Builds the unit page's verdicts section for `user` (or a sign-in note).
pub async fn section(
    state: &AppState,
    user: Option<&CurrentUser>,
    unit: UnitId,
    year: Option<i32>,
    lang: &str,
) -> VerdictsSection {
    let t = |k: &str| rust_i18n::t!(k, locale = lang).into_owned();
    let this_year = state.clock.now().year();
    let year = match year {
        Some(y) => y,
        None => default_year(state, unit).await,
    };
    let years = (this_year - 5..=this_year).collect();
    let mut s = VerdictsSection {
        year,
        years,
        evaluations: vec![],
        note: None,
    };
    let Some(user) = user else {
        s.note = Some(t("evaluation.page.sign_in"));
        return s;
    };
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let ctx = state.ctx();
    match evaluation::evaluate_unit_for(&ctx, &user.actor, &atlas, &reg, unit, year, None, true)
        .await
    {
        Ok(list) if list.is_empty() => s.note = Some(t("evaluation.page.nothing")),
        Ok(list) => {
            s.evaluations = list
                .iter()
                .map(|e| EvaluationOut::new(e, lang, true))
                .collect()
        }
        Err(e) => s.note = Some(e.message(lang)),
    }
    s
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::super::{AppState, router};
    use super::*;

    binhyen_store::db_test!(
        the_evaluation_api_needs_a_login_and_is_documented,
        |store| {
            let state = AppState::new(
                store.clone(),
                binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
            );
            for uri in ["/api/v1/units/1/evaluations?year=2024", "/api/v1/standards"] {
                let resp = router(state.clone())
                    .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{uri}");
            }
            let resp = router(state.clone())
                .oneshot(
                    Request::get("/api/openapi.json")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let body = axum::body::to_bytes(resp.into_body(), 10_000_000)
                .await
                .unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(doc["paths"]["/api/v1/units/{id}/evaluations"]["get"].is_object());
            assert!(doc["paths"]["/api/v1/standards"]["get"].is_object());
        }
    );

    #[test]
    fn the_standards_list_names_provisional_rules_and_why() {
        let list = standards_list(Registry::builtin(), "vi");
        let v2024 = list
            .iter()
            .find(|s| s.id == "ntm-xa-19.2" && s.version == 3)
            .unwrap();
        assert_eq!(v2024.valid_until.as_deref(), Some("2025-12-31"));
        assert!(!v2024.provisional_rules.is_empty());
        assert!(v2024.provisional_rules.iter().all(|r| r.note.is_some()));
        assert!(list.iter().any(|s| s.jurisdiction == "31"));
    }
}
