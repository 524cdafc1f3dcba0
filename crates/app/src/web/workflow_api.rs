//! `/api/v1` endpoints of the review workflow: dossiers and their transitions, and the
//! signed-in user's notifications. The same service functions as the pages.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
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
        Ok(d) => Json(DossierOut {
            actions: svc::actions_for(&ctx, &user.actor, &d)
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
        })
        .into_response(),
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
