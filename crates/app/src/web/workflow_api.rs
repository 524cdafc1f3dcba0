//! `/api/v1` endpoints of the review workflow: dossiers and their transitions, registrations
//! (list, create), the classification list, decisions (list, get, issue, revoke), and the
//! signed-in user's notifications. The same service functions as the pages.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use binhyen_core::workflow::{Action, Proposal};
use binhyen_store::workflow as store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::api::ApiError;
use super::auth::{CurrentUser, WebError};
use crate::service::ServiceError;
use crate::service::workflow as svc;

fn fail(user: &CurrentUser, error: ServiceError) -> Response {
    WebError {
        lang: user.lang,
        api: true,
        error,
    }
    .into_response()
}

/// A dossier: one unit, one year, one standard.
#[derive(Serialize, ToSchema)]
pub struct DossierOut {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    pub standard: String,
    /// `registered`, `data_entry`, `under_review`, `returned`, `proposed`, `recognised`,
    /// `not_recognised`, `revoked`.
    pub state: String,
    /// `district`, `province` (under review / returned only).
    pub level: Option<String>,
    /// Send it back as `version` to act (optimistic locking).
    pub version: i64,
    /// The actions the signed-in user may take now.
    pub actions: Vec<String>,
}

/// One dossier the signed-in user may see.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{id}",
    tag = "workflow",
    params(("id" = i64, Path, description = "Dossier id")),
    responses(
        (status = 200, description = "Hồ sơ (the dossier)", body = DossierOut),
        (status = 404, description = "Không có hoặc ngoài địa bàn (not found or outside the territory)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn get_dossier(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let ctx = state.ctx();
    match svc::dossier(&ctx, &user.actor, id).await {
        Ok(d) => Json(dossier_out(&ctx, &user, &d)).into_response(),
        Err(e) => fail(&user, e),
    }
}

/// A transition request.
#[derive(Deserialize, ToSchema)]
pub struct TransitionIn {
    /// `submit`, `return`, `forward`, `override` or `explain`.
    pub action: String,
    /// The version read; a concurrent change answers 409.
    pub version: Option<i64>,
    pub reason: Option<String>,
    /// Per-field comments of a return (field key → comment).
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
    /// `recognise` or `not_recognise` (forward).
    pub proposal: Option<String>,
    pub rule: Option<String>,
    pub verdict: Option<String>,
    pub text: Option<String>,
}

/// The result of a transition.
#[derive(Serialize, ToSchema)]
pub struct TransitionOut {
    /// `moved`, `noted` or `already_done` (a second submit).
    pub outcome: String,
    pub state: String,
    pub level: Option<String>,
    pub version: i64,
}

/// Acts on a dossier.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{id}/transitions",
    tag = "workflow",
    params(("id" = i64, Path, description = "Dossier id")),
    request_body = TransitionIn,
    responses(
        (status = 200, description = "Đã thực hiện (done)", body = TransitionOut),
        (status = 403, description = "Không có quyền (denied)", body = ApiError),
        (status = 409, description = "Người khác đã xử lý trước (someone acted first)", body = ApiError),
        (status = 422, description = "Không hợp lệ (not allowed from this state, reason missing)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn post_transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(t): Json<TransitionIn>,
) -> Response {
    let ctx = state.ctx();
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let action = match t.action.as_str() {
        "submit" => Action::Submit,
        "return" => Action::Return {
            reason: s(&t.reason),
        },
        "forward" => Action::Forward {
            proposal: match t.proposal.as_deref() {
                Some("recognise") => Some(Proposal::Recognise),
                Some("not_recognise") => Some(Proposal::NotRecognise),
                _ => None,
            },
        },
        "override" => Action::Override {
            rule: s(&t.rule),
            verdict: s(&t.verdict),
            reason: s(&t.reason),
        },
        "explain" => Action::Explain { text: s(&t.text) },
        other => {
            return fail(
                &user,
                ServiceError::invalid("dossier", "workflow.refused.not_from_state", other),
            );
        }
    };
    let (reg, atlas) = (state.registry.get(), state.atlas.get());
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    match svc::act(&ctx, &user.actor, law, id, t.version, action, t.comments).await {
        Ok(a) => {
            let outcome = match a {
                svc::Acted::Moved(_) => "moved",
                svc::Acted::Noted(_) => "noted",
                svc::Acted::AlreadyDone(_) => "already_done",
            };
            let r = a.row();
            Json(TransitionOut {
                outcome: outcome.into(),
                state: r.state.clone(),
                level: r.level.clone(),
                version: r.version,
            })
            .into_response()
        }
        Err(e) => fail(&user, e),
    }
}

/// One notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub read: bool,
}

/// The signed-in user's latest notifications.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "workflow",
    responses((status = 200, description = "Thông báo (notifications)", body = [NotificationOut])),
    security(("session" = []), ("bearer" = []))
)]
pub async fn get_notifications(State(state): State<AppState>, user: CurrentUser) -> Response {
    let Some(me) = user.actor.id else {
        return Json(Vec::<NotificationOut>::new()).into_response();
    };
    match store::notifications(&state.store, me, 100).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|n| {
                    let args: BTreeMap<String, String> =
                        serde_json::from_str(&n.args).unwrap_or_default();
                    let args: Vec<(&str, String)> =
                        args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                    NotificationOut {
                        id: n.id,
                        kind: n.kind,
                        text: binhyen_core::diag::tr(user.lang.code(), &n.text_key, &args),
                        link: n.link,
                        read: n.read_at.is_some(),
                    }
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => fail(&user, ServiceError::Db(e)),
    }
}

/// A registration of a unit for a standard in a year, with its dossier.
#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub standard: String,
    /// When, as RFC 3339.
    pub registered_at: String,
    pub registered_by: String,
}

/// Which province and year (and standard) a list is about.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Province code (default: the signed-in user's first unit).
    pub province: Option<String>,
    /// Year (default: this year).
    pub year: Option<String>,
    /// Standard id (classification list only; default `antt-xa`).
    pub standard: Option<String>,
}

impl ListParams {
    fn query(self) -> super::workflow::ListQuery {
        super::workflow::ListQuery {
            province: self.province,
            year: self.year,
            standard: self.standard,
        }
    }
}

/// The registrations of a province's units in a year.
#[utoipa::path(
    get,
    path = "/api/v1/registrations",
    tag = "workflow",
    params(ListParams),
    responses(
        (status = 200, description = "Đơn vị đăng ký (registrations)", body = [RegistrationOut]),
        (status = 404, description = "Ngoài địa bàn (outside the territory)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn list_registrations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Response {
    let ctx = state.ctx();
    let q = p.query();
    let listed = match q.resolve(&ctx, &user) {
        Ok((scope, year)) => svc::registered(&ctx, &user.actor, scope, year).await,
        Err(e) => Err(e),
    };
    match listed {
        Ok(list) => Json(
            list.into_iter()
                .map(|(r, u)| RegistrationOut {
                    unit_id: u.id,
                    unit_code: u.code,
                    unit_name: u.name,
                    year: r.year,
                    standard: r.standard,
                    registered_at: r.registered_at.to_rfc3339(),
                    registered_by: r.by.name,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => fail(&user, e),
    }
}

/// A registration request: a unit (code), a year and the standards it aims at.
#[derive(Deserialize, ToSchema)]
pub struct RegistrationIn {
    pub unit: String,
    pub year: i32,
    pub standards: Vec<String>,
}

/// Registers a unit for one or more standards (first quarter, or until the year's deadline).
#[utoipa::path(
    post,
    path = "/api/v1/registrations",
    tag = "workflow",
    request_body = RegistrationIn,
    responses(
        (status = 200, description = "Hồ sơ đã mở (the dossiers opened)", body = [DossierOut]),
        (status = 403, description = "Không có quyền (denied)", body = ApiError),
        (status = 422, description = "Không hợp lệ (closed, unknown standard, already registered)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn post_registration(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(r): Json<RegistrationIn>,
) -> Response {
    let ctx = state.ctx();
    let Some(unit) = ctx
        .units
        .by_code(&r.unit, binhyen_core::workflow::period_date(r.year))
    else {
        return fail(
            &user,
            ServiceError::invalid("unit", "workflow.invalid.unit", &r.unit),
        );
    };
    if r.standards.is_empty() {
        return fail(
            &user,
            ServiceError::invalid("standards", "workflow.invalid.no_standard", ""),
        );
    }
    let reg = state.registry.get();
    let mut out = Vec::new();
    for s in &r.standards {
        let opened = match svc::register(&ctx, &user.actor, &reg, unit.id, r.year, s.trim()).await {
            Ok(row) => svc::dossier(&ctx, &user.actor, row.id).await,
            Err(e) => Err(e),
        };
        match opened {
            Ok(d) => out.push(dossier_out(&ctx, &user, &d)),
            Err(e) => return fail(&user, e),
        }
    }
    Json(out).into_response()
}

fn dossier_out(ctx: &crate::service::Ctx<'_>, user: &CurrentUser, d: &svc::Dossier) -> DossierOut {
    DossierOut {
        actions: svc::actions_for(ctx, &user.actor, d)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        id: d.row.id,
        unit_id: d.unit.id,
        unit_name: d.unit.name.clone(),
        year: d.row.year,
        standard: d.row.standard.clone(),
        state: d.row.state.clone(),
        level: d.row.level.clone(),
        version: d.row.version,
    }
}

/// One line of the classification list.
#[derive(Serialize, ToSchema)]
pub struct ListLineOut {
    pub dossier: DossierOut,
    pub unit_code: String,
    /// `met`, `not_met`, `insufficient` (or none when the standard does not judge the unit).
    pub computed: Option<String>,
    /// Overrides: rule, verdict, reason, by.
    pub overrides: Vec<[String; 4]>,
    /// `recognise` or `not_recognise`.
    pub proposal: Option<String>,
    /// Explanations (giải trình): text, by.
    pub explanations: Vec<[String; 2]>,
    /// The number of the decision naming the dossier.
    pub decision: Option<String>,
    /// QĐ 18/2022 revocation risk.
    pub revocation_risk: bool,
}

/// The classification list of a province for a year and standard.
#[utoipa::path(
    get,
    path = "/api/v1/classification",
    tag = "workflow",
    params(ListParams),
    responses(
        (status = 200, description = "Danh sách phân loại (the classification list)", body = [ListLineOut]),
        (status = 404, description = "Ngoài địa bàn (outside the territory)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn get_classification(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Response {
    let ctx = state.ctx();
    match super::workflow::list_of(&state, &user, &p.query()).await {
        Ok((lines, _, _)) => Json(
            lines
                .iter()
                .map(|l| ListLineOut {
                    dossier: dossier_out(&ctx, &user, &l.dossier),
                    unit_code: l.dossier.unit.code.clone(),
                    computed: l.evaluation.as_ref().map(|e| e.verdict.as_str().to_owned()),
                    overrides: l
                        .overrides
                        .iter()
                        .map(|o| [o.0.clone(), o.1.clone(), o.2.clone(), o.3.clone()])
                        .collect(),
                    proposal: l.proposal.map(|p| {
                        match p {
                            Proposal::Recognise => "recognise",
                            Proposal::NotRecognise => "not_recognise",
                        }
                        .to_owned()
                    }),
                    explanations: l
                        .explanations
                        .iter()
                        .map(|x| [x.0.clone(), x.1.clone()])
                        .collect(),
                    decision: l.decision.as_ref().map(|d| d.number.clone()),
                    revocation_risk: l.revocation_risk,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => fail(&user, e),
    }
}

/// A decision: recognition, or revocation of an earlier one.
#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub number: String,
    /// ISO date.
    pub signed_on: String,
    pub signer: String,
    pub legal_basis: String,
    /// `recognise` or `revoke`.
    pub kind: String,
    pub refers_to: Option<i64>,
    pub year: i32,
    pub standard: String,
    /// The units and their dossiers: `[unit id, dossier id]`.
    pub units: Vec<[i64; 2]>,
}

impl From<store::DecisionRow> for DecisionOut {
    fn from(d: store::DecisionRow) -> DecisionOut {
        DecisionOut {
            id: d.id,
            number: d.number,
            signed_on: d.signed_on.to_string(),
            signer: d.signer,
            legal_basis: d.legal_basis,
            kind: d.kind,
            refers_to: d.refers_to,
            year: d.year,
            standard: d.standard,
            units: d.units.iter().map(|(u, d)| [*u, *d]).collect(),
        }
    }
}

/// Which decisions.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct DecisionParams {
    /// Only this year's.
    pub year: Option<i32>,
}

/// The decisions naming a unit the signed-in user may see.
#[utoipa::path(
    get,
    path = "/api/v1/decisions",
    tag = "workflow",
    params(DecisionParams),
    responses((status = 200, description = "Quyết định (decisions)", body = [DecisionOut])),
    security(("session" = []), ("bearer" = []))
)]
pub async fn list_decisions(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<DecisionParams>,
) -> Response {
    match svc::decisions(&state.ctx(), &user.actor, p.year).await {
        Ok(list) => {
            Json(list.into_iter().map(DecisionOut::from).collect::<Vec<_>>()).into_response()
        }
        Err(e) => fail(&user, e),
    }
}

/// One decision.
#[utoipa::path(
    get,
    path = "/api/v1/decisions/{id}",
    tag = "workflow",
    params(("id" = i64, Path, description = "Decision id")),
    responses(
        (status = 200, description = "Quyết định (the decision)", body = DecisionOut),
        (status = 404, description = "Không có hoặc ngoài địa bàn (not found or outside the territory)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn get_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    match svc::decision(&state.ctx(), &user.actor, id).await {
        Ok(d) => Json(DecisionOut::from(d)).into_response(),
        Err(e) => fail(&user, e),
    }
}

/// A decision to issue.
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    pub number: String,
    /// ISO `YYYY-MM-DD` or `dd/mm/yyyy`.
    pub signed_on: String,
    pub signer: String,
    /// One legal basis per line.
    pub legal_basis: String,
    /// The proposed dossiers it recognises (or, for a revocation, the recognised ones it revokes).
    pub dossiers: Vec<i64>,
}

fn new_decision(d: DecisionIn, revokes: Option<i64>) -> Result<svc::NewDecision, ServiceError> {
    let signed_on = binhyen_core::text::parse_date(d.signed_on.trim())
        .ok_or_else(|| ServiceError::invalid("signed_on", "workflow.invalid.date", &d.signed_on))?;
    Ok(svc::NewDecision {
        number: d.number,
        signed_on,
        signer: d.signer,
        legal_basis: d.legal_basis,
        dossiers: d.dossiers,
        revokes,
    })
}

async fn issue(
    state: AppState,
    user: CurrentUser,
    d: DecisionIn,
    revokes: Option<i64>,
) -> Response {
    let new = match new_decision(d, revokes) {
        Ok(n) => n,
        Err(e) => return fail(&user, e),
    };
    let reg = state.registry.get();
    match svc::issue_decision(&state.ctx(), &user.actor, &reg, new).await {
        Ok(d) => Json(DecisionOut::from(d)).into_response(),
        Err(e) => fail(&user, e),
    }
}

/// Issues a recognition decision: every dossier must be proposed; immutable once issued.
#[utoipa::path(
    post,
    path = "/api/v1/decisions",
    tag = "workflow",
    request_body = DecisionIn,
    responses(
        (status = 200, description = "Đã ban hành (issued)", body = DecisionOut),
        (status = 403, description = "Không có quyền (denied, or separation of duties)", body = ApiError),
        (status = 422, description = "Không hợp lệ (a dossier not proposed, a field missing)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn post_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(d): Json<DecisionIn>,
) -> Response {
    issue(state, user, d, None).await
}

/// Revokes (part of) a recognition decision: a new decision that refers to it.
#[utoipa::path(
    post,
    path = "/api/v1/decisions/{id}/revocations",
    tag = "workflow",
    params(("id" = i64, Path, description = "The recognition decision to revoke")),
    request_body = DecisionIn,
    responses(
        (status = 200, description = "Đã ban hành quyết định thu hồi (the revocation)", body = DecisionOut),
        (status = 403, description = "Không có quyền (denied)", body = ApiError),
        (status = 404, description = "Không có quyết định (no such decision)", body = ApiError),
        (status = 422, description = "Không hợp lệ (a dossier not in the decision)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn post_revocation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(d): Json<DecisionIn>,
) -> Response {
    issue(state, user, d, Some(id)).await
}
