//! Review and recognition pages: dossiers (queue, page with timeline, diff since the last review
//! and the actions this user may take), registrations, the classification list, decisions,
//! notifications, and the audit of a unit or a dossier. Server-rendered, no JavaScript needed.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use binhyen_core::authz::Scope;
use binhyen_core::text::{format_date, parse_date};
use binhyen_core::workflow::{Action, Proposal};
use binhyen_store::audit;
use binhyen_store::workflow as store;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::{AppState, Tr};
use crate::clock::format_time;
use crate::service::workflow::{self as svc, Acted};
use crate::service::{Ctx, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dossiers", get(queue))
        .route("/dossiers/{id}", get(show))
        .route("/dossiers/{id}/act", post(act))
        .route("/dossiers/{id}/audit", get(dossier_audit))
        .route("/units/{id}/audit", get(unit_audit))
        .route("/registrations", get(registrations).post(register))
        .route("/classification", get(classification))
        .route("/decisions", post(issue))
        .route("/decisions/{id}", get(decision))
        .route("/notifications", get(notifications))
        .route("/deadlines", post(set_deadline))
}

/// A form on a table page: action, fields (name, label, value), button.
pub struct FormSpec {
    pub action: String,
    pub fields: Vec<(&'static str, String, String)>,
    /// Check boxes: (name, value, label, checked).
    pub checks: Vec<(&'static str, String, String, bool)>,
    pub button: String,
}

pub struct Row {
    pub link: String,
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/table.html")]
pub struct TablePage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub unread: u64,
    pub title: String,
    pub note: Option<String>,
    pub links: Vec<(String, String)>,
    pub form: Option<FormSpec>,
    pub head: Vec<String>,
    pub rows: Vec<Row>,
}

pub struct StepView {
    pub action: String,
    pub who: String,
    pub when: String,
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// Per-field comments of a return: (field label, comment).
    pub comments: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/dossier.html")]
pub struct DossierPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub unread: u64,
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub state: String,
    pub chain: String,
    pub verdict: String,
    pub diff: Vec<svc::DiffLine>,
    pub steps: Vec<StepView>,
    pub actions: Vec<(&'static str, String)>,
    /// The fields a return may comment on (those holding a value).
    pub comment_fields: Vec<svc::CommentField>,
    pub editable: bool,
    /// The facts forms of the dossier's unit and year (the one way to enter facts).
    pub facts_link: String,
    /// The unit's verdicts with their explanations.
    pub verdicts_link: String,
}

async fn unread(ctx: &Ctx<'_>, user: &CurrentUser) -> u64 {
    match user.actor.id {
        Some(id) => store::unread_count(ctx.store, id).await.unwrap_or(0),
        None => 0,
    }
}

impl CurrentUser {
    fn tr(&self) -> Tr {
        Tr { lang: self.lang }
    }
}

/// A year typed in a form or a query.
fn year_of(s: &str) -> Result<i32, ServiceError> {
    s.trim()
        .parse()
        .map_err(|_| ServiceError::invalid("year", "workflow.invalid.number", s))
}

/// A translated text with arguments.
fn targs(tr: Tr, key: &str, args: &[(&str, String)]) -> String {
    binhyen_core::diag::tr(tr.code(), key, args)
}

fn heads(tr: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| tr.t(&format!("workflow.col.{k}")))
        .collect()
}

async fn table(
    ctx: &Ctx<'_>,
    user: CurrentUser,
    title: String,
    head: Vec<String>,
    rows: Vec<Row>,
) -> TablePage {
    TablePage {
        tr: user.tr(),
        unread: unread(ctx, &user).await,
        user,
        title,
        note: None,
        links: vec![],
        form: None,
        head,
        rows,
    }
}

async fn queue(State(state): State<AppState>, user: CurrentUser) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let list = match svc::queue(&ctx, &user.actor).await {
        Ok(l) => l,
        Err(e) => return user.fail(e).into_response(),
    };
    let rows = list
        .iter()
        .map(|d| Row {
            link: format!("/dossiers/{}", d.row.id),
            cells: vec![
                d.unit.name.clone(),
                d.row.year.to_string(),
                d.row.standard.clone(),
                svc::state_label(d.state, tr.code()),
            ],
        })
        .collect();
    let head = heads(tr, &["unit", "year", "standard", "state"]);
    table(&ctx, user, tr.t("workflow.page.queue"), head, rows)
        .await
        .into_response()
}

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let reg = state.registry.get();
    let d = match svc::dossier(&ctx, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let timeline = match svc::timeline(&ctx, &user.actor, id).await {
        Ok(t) => t,
        Err(e) => return user.fail(e).into_response(),
    };
    let atlas = state.atlas.get();
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    let verdict = match svc::evaluate(ctx.store, law, d.unit.id, d.row.year, &d.row.standard).await
    {
        Ok(Some(e)) => e.verdict_text.get(tr.code()).to_owned(),
        _ => tr.t("std.verdict.insufficient"),
    };
    let label = |key: &str| {
        reg.catalogue()
            .version_for(key, d.unit.kind, d.row.year)
            .map_or_else(|| key.to_owned(), |v| v.label.get(tr.code()).to_owned())
    };
    let steps = timeline
        .iter()
        .map(|t| StepView {
            action: tr.t(&format!("workflow.action.{}", t.action)),
            who: t.by.name.clone(),
            when: format_time(t.at),
            reason: t.reason.clone(),
            detail: t.details.clone(),
            comments: svc::comments_of(t)
                .into_iter()
                .map(|(k, c)| (label(&k), c))
                .collect(),
        })
        .collect();
    let comment_fields = svc::comment_fields(&ctx, &reg, &d, tr.code())
        .await
        .unwrap_or_default();
    let actions = svc::actions_for(&ctx, &user.actor, &d)
        .into_iter()
        .filter(|a| !matches!(*a, "enter_data" | "decide" | "revoke"))
        .map(|a| (a, tr.t(&format!("workflow.action.{a}"))))
        .collect();
    let chain = d
        .chain
        .levels()
        .iter()
        .map(|l| tr.t(&format!("workflow.level.{}", l.as_str())))
        .collect::<Vec<_>>()
        .join(" → ");
    DossierPage {
        tr,
        unread: unread(&ctx, &user).await,
        id,
        version: d.row.version,
        title: format!("{} — {} — {}", d.unit.name, d.row.year, d.row.standard),
        state: svc::state_label(d.state, tr.code()),
        chain,
        verdict,
        diff: svc::diff_since_last_review(&timeline),
        steps,
        actions,
        comment_fields,
        editable: d.state.editable() && svc::actions_for(&ctx, &user.actor, &d).contains(&"submit"),
        facts_link: format!("/units/{}/facts/{}", d.unit.id, d.row.year),
        verdicts_link: format!(
            "/units/{}?date={}&year={}#verdicts",
            d.unit.id,
            binhyen_core::workflow::period_date(d.row.year),
            d.row.year
        ),
        user,
    }
    .into_response()
}

#[derive(Default)]
pub struct ActForm {
    action: String,
    version: Option<i64>,
    reason: String,
    rule: String,
    verdict: String,
    text: String,
    proposal: String,
}

/// The action of a form (`None` for an unknown name).
fn action_of(f: &ActForm) -> Option<Action> {
    Some(match f.action.as_str() {
        "submit" => Action::Submit,
        "return" => Action::Return {
            reason: f.reason.clone(),
        },
        "forward" => Action::Forward {
            proposal: match f.proposal.as_str() {
                "recognise" => Some(Proposal::Recognise),
                "not_recognise" => Some(Proposal::NotRecognise),
                _ => None,
            },
        },
        "override" => Action::Override {
            rule: f.rule.clone(),
            verdict: f.verdict.clone(),
            reason: f.reason.clone(),
        },
        "explain" => Action::Explain {
            text: f.text.clone(),
        },
        _ => return None,
    })
}

/// Reads the action form: its named fields and the per-field comments (`comment.<field key>`).
fn read_act(pairs: Vec<(String, String)>) -> (ActForm, BTreeMap<String, String>) {
    let mut f = ActForm::default();
    let mut comments = BTreeMap::new();
    for (k, v) in pairs {
        match k.as_str() {
            "action" => f.action = v,
            "version" => f.version = v.trim().parse().ok(),
            "reason" => f.reason = v,
            "rule" => f.rule = v,
            "verdict" => f.verdict = v,
            "text" => f.text = v,
            "proposal" => f.proposal = v,
            _ => {
                if let Some(field) = k.strip_prefix("comment.") {
                    comments.insert(field.to_owned(), v);
                }
            }
        }
    }
    (f, comments)
}

async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = state.ctx();
    let (f, comments) = read_act(pairs);
    let Some(action) = action_of(&f) else {
        return user
            .fail(ServiceError::invalid(
                "dossier",
                "workflow.refused.not_from_state",
                &f.action,
            ))
            .into_response();
    };
    let (reg, atlas) = (state.registry.get(), state.atlas.get());
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    match svc::act(&ctx, &user.actor, law, id, f.version, action, comments).await {
        Ok(Acted::Moved(_) | Acted::Noted(_) | Acted::AlreadyDone(_)) => {
            Redirect::to(&format!("/dossiers/{id}")).into_response()
        }
        Err(e) => user.fail(e).into_response(),
    }
}

async fn audit_page(
    ctx: &Ctx<'_>,
    user: CurrentUser,
    title: String,
    filter: audit::Filter,
) -> Response {
    let tr = user.tr();
    let entries = match audit::list(ctx.store, filter).await {
        Ok(e) => e,
        Err(e) => return user.fail(ServiceError::Db(e)).into_response(),
    };
    let rows = entries
        .into_iter()
        .map(|e| Row {
            link: String::new(),
            cells: vec![
                e.seq.to_string(),
                format_time(e.at),
                e.actor,
                e.action,
                e.details,
                e.hash[..16].to_owned(),
            ],
        })
        .collect();
    let head = heads(tr, &["seq", "at", "actor", "action", "details", "hash"]);
    table(ctx, user, title, head, rows).await.into_response()
}

async fn dossier_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let ctx = state.ctx();
    let d = match svc::dossier(&ctx, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let title = format!("{} — {}", user.tr().t("workflow.page.audit"), d.unit.name);
    let filter = audit::Filter {
        dossier_id: Some(id),
        limit: 500,
        ..Default::default()
    };
    audit_page(&ctx, user, title, filter).await
}

async fn unit_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let ctx = state.ctx();
    let visible = user
        .actor
        .grants
        .iter()
        .any(|g| g.view.contains(Scope::Unit(id), ctx.units));
    let Some(u) = ctx.units.by_id(id).filter(|_| visible) else {
        return user.fail(ServiceError::NotFound).into_response();
    };
    let title = format!("{} — {}", user.tr().t("workflow.page.audit"), u.name);
    let filter = audit::Filter {
        unit_id: Some(id),
        limit: 500,
        ..Default::default()
    };
    audit_page(&ctx, user, title, filter).await
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub province: Option<String>,
    pub year: Option<String>,
    pub standard: Option<String>,
}

impl ListQuery {
    /// The standard asked for (`antt-xa` by default).
    pub fn standard(&self) -> &str {
        self.standard
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("antt-xa")
    }

    /// The province (a unit code; the user's first unit by default) and year (this year).
    pub fn resolve(&self, ctx: &Ctx<'_>, user: &CurrentUser) -> Result<(i64, i32), ServiceError> {
        let year = match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(y) => year_of(y)?,
            None => chrono::Datelike::year(&ctx.today()),
        };
        let province = match self
            .province
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(code) => ctx
                .units
                .by_code(code, binhyen_core::workflow::period_date(year))
                .map(|u| u.id)
                .ok_or(ServiceError::NotFound)?,
            None => user
                .actor
                .grants
                .iter()
                .find_map(|g| g.view.unit())
                .ok_or(ServiceError::NotFound)?,
        };
        Ok((province, year))
    }
}

async fn registrations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let (scope, year) = match q.resolve(&ctx, &user) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let list = match svc::registered(&ctx, &user.actor, scope, year).await {
        Ok(l) => l,
        Err(e) => return user.fail(e).into_response(),
    };
    let reg = state.registry.get();
    let names: BTreeMap<&str, String> = reg
        .versions()
        .iter()
        .map(|v| (v.id.as_str(), v.name.get(tr.code()).to_owned()))
        .collect();
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    // "Xã: 12 đơn vị đăng ký …" per standard and kind of unit.
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (r, u) in &list {
        let kind = tr.t(&format!("units.kind.{}", u.kind.as_str()));
        *counts.entry((name_of(&r.standard), kind)).or_default() += 1;
    }
    let note = counts
        .iter()
        .map(|((s, kind), n)| {
            targs(
                tr,
                "workflow.page.count",
                &[
                    ("standard", s.clone()),
                    ("kind", kind.clone()),
                    ("count", binhyen_core::text::format_int(*n as i64)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let rows = list
        .into_iter()
        .map(|(r, u)| Row {
            link: format!("/units/{}", u.id),
            cells: vec![
                u.name,
                u.code,
                name_of(&r.standard),
                format_time(r.registered_at),
                r.by.name,
            ],
        })
        .collect();
    let head = heads(tr, &["unit", "code", "standard", "at", "actor"]);
    let scope_name = ctx.units.by_id(scope).map(|u| u.name).unwrap_or_default();
    // The form offers the standards of the user's own unit (the first unit they capture for).
    let own = user
        .actor
        .grants
        .iter()
        .find(|g| {
            g.role
                .can_on_own_unit(binhyen_core::authz::Capability::Submit)
        })
        .and_then(|g| g.unit.unit())
        .and_then(|u| ctx.units.by_id(u));
    let form = own.map(|u| FormSpec {
        action: "/registrations".into(),
        fields: vec![
            ("unit", tr.t("field.unit"), u.code.clone()),
            ("year", tr.t("field.year"), year.to_string()),
        ],
        checks: svc::registrable(&reg, &u, year)
            .into_iter()
            .map(|(id, _)| ("standard", id.clone(), name_of(&id), false))
            .collect(),
        button: tr.t("workflow.action.register"),
    });
    let mut page = table(
        &ctx,
        user,
        targs(
            tr,
            "workflow.page.registrations",
            &[("scope", scope_name), ("year", year.to_string())],
        ),
        head,
        rows,
    )
    .await;
    page.note = (!note.is_empty()).then_some(note);
    page.form = form;
    page.into_response()
}

/// The registration form: a unit code, a year and one or more standards (`standard` repeated).
async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = state.ctx();
    let field = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let standards: Vec<&str> = f
        .iter()
        .filter(|(n, v)| n == "standard" && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
        .collect();
    let year = match year_of(&field("year")) {
        Ok(y) => y,
        Err(e) => return user.fail(e).into_response(),
    };
    let code = field("unit");
    let Some(unit) = ctx
        .units
        .by_code(&code, binhyen_core::workflow::period_date(year))
    else {
        return user
            .fail(ServiceError::invalid(
                "unit",
                "workflow.invalid.unit",
                &code,
            ))
            .into_response();
    };
    if standards.is_empty() {
        return user
            .fail(ServiceError::invalid(
                "standard",
                "workflow.invalid.no_standard",
                "",
            ))
            .into_response();
    }
    let reg = state.registry.get();
    let mut opened = vec![];
    for standard in &standards {
        match svc::register(&ctx, &user.actor, &reg, unit.id, year, standard).await {
            Ok(d) => opened.push(d.id),
            Err(e) => return user.fail(e).into_response(),
        }
    }
    match opened.as_slice() {
        [one] => Redirect::to(&format!("/dossiers/{one}")).into_response(),
        _ => Redirect::to(&format!("/registrations?year={year}")).into_response(),
    }
}

/// The classification list a query asks for (province, year, standard — `antt-xa` by default),
/// with the province and year it resolved to. Shared by the page, the exports and the API.
pub(super) async fn list_of(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
) -> Result<(Vec<svc::ListLine>, i64, i32), ServiceError> {
    let ctx = state.ctx();
    let (province, year) = q.resolve(&ctx, user)?;
    let (reg, atlas) = (state.registry.get(), state.atlas.get());
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    let lines =
        svc::classification_list(&ctx, &user.actor, law, province, year, q.standard()).await?;
    Ok((lines, province, year))
}

async fn classification(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let (lines, province, year) = match list_of(&state, &user, &q).await {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let proposed: Vec<String> = lines
        .iter()
        .filter(|l| l.dossier.state == binhyen_core::workflow::State::Proposed)
        .map(|l| l.dossier.row.id.to_string())
        .collect();
    let rows = lines
        .iter()
        .map(|l| Row {
            link: format!("/dossiers/{}", l.dossier.row.id),
            cells: vec![
                l.dossier.unit.name.clone(),
                l.evaluation
                    .as_ref()
                    .map(|e| e.verdict_text.get(tr.code()).to_owned())
                    .unwrap_or_else(|| tr.t("std.verdict.insufficient")),
                l.overrides
                    .iter()
                    .map(|o| format!("{}: {} ({})", o.0, o.1, o.2))
                    .collect::<Vec<_>>()
                    .join("; "),
                l.proposal
                    .map(|p| {
                        tr.t(match p {
                            Proposal::Recognise => "workflow.page.propose_yes",
                            Proposal::NotRecognise => "workflow.page.propose_no",
                        })
                    })
                    .unwrap_or_default(),
                l.explanations
                    .iter()
                    .map(|x| format!("{} — {}", x.0, x.1))
                    .collect::<Vec<_>>()
                    .join("; "),
                svc::state_label(l.dossier.state, tr.code()),
                l.decision
                    .as_ref()
                    .map(|d| d.number.clone())
                    .unwrap_or_default(),
                if l.revocation_risk {
                    tr.t("workflow.page.risk")
                } else {
                    String::new()
                },
            ],
        })
        .collect();
    let head = heads(
        tr,
        &[
            "unit",
            "verdict",
            "overrides",
            "proposal",
            "explanations",
            "state",
            "decision",
            "risk",
        ],
    );
    let name = ctx
        .units
        .by_id(province)
        .map(|u| u.name)
        .unwrap_or_default();
    let decides = user
        .actor
        .grants
        .iter()
        .any(|g| g.role.can(binhyen_core::authz::Capability::Decide));
    let mut page = table(
        &ctx,
        user,
        targs(
            tr,
            "workflow.page.classification",
            &[("scope", name), ("year", year.to_string())],
        ),
        head,
        rows,
    )
    .await;
    // "được công nhận: 12; đã đề nghị công nhận: 3" — the province's counts by state.
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    for l in &lines {
        *by_state
            .entry(tr.t(&format!("workflow.state.{}", l.dossier.state.as_str())))
            .or_default() += 1;
    }
    page.note = Some(
        by_state
            .iter()
            .map(|(s, n)| format!("{s}: {}", binhyen_core::text::format_int(*n as i64)))
            .collect::<Vec<_>>()
            .join("; "),
    )
    .filter(|n| !n.is_empty());
    let query = format!(
        "?province={}&year={year}&standard={}",
        ctx.units
            .by_id(province)
            .map(|u| u.code)
            .unwrap_or_default(),
        q.standard()
    );
    page.links = vec![
        (
            format!("/classification/export.xlsx{query}"),
            tr.t("workflow.page.download_xlsx"),
        ),
        (
            format!("/classification/export.pdf{query}"),
            tr.t("workflow.page.download_pdf"),
        ),
    ];
    if decides && !proposed.is_empty() {
        page.form = Some(FormSpec {
            action: "/decisions".into(),
            fields: vec![
                ("number", tr.t("field.number"), String::new()),
                (
                    "signed_on",
                    tr.t("field.signed_on"),
                    format_date(ctx.today()),
                ),
                ("signer", tr.t("field.signer"), String::new()),
                (
                    "legal_basis",
                    tr.t("field.legal_basis"),
                    "Thông tư số 124/2021/TT-BCA".into(),
                ),
                ("dossiers", tr.t("field.dossiers"), proposed.join(",")),
            ],
            checks: vec![],
            button: tr.t("workflow.page.issue"),
        });
    }
    page.into_response()
}

#[derive(Deserialize)]
pub struct DecisionForm {
    number: String,
    signed_on: String,
    signer: String,
    legal_basis: String,
    dossiers: String,
    #[serde(default)]
    revokes: String,
}

/// Reads the decision form; a bad date or id names the field.
fn read_decision(f: &DecisionForm) -> Result<svc::NewDecision, ServiceError> {
    let signed_on = parse_date(f.signed_on.trim())
        .ok_or_else(|| ServiceError::invalid("signed_on", "workflow.invalid.date", &f.signed_on))?;
    let dossiers = f
        .dossiers
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| ServiceError::invalid("dossiers", "workflow.invalid.number", s))
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let revokes = match f.revokes.trim() {
        "" => None,
        s => Some(
            s.parse()
                .map_err(|_| ServiceError::invalid("revokes", "workflow.invalid.number", s))?,
        ),
    };
    Ok(svc::NewDecision {
        number: f.number.clone(),
        signed_on,
        signer: f.signer.clone(),
        legal_basis: f.legal_basis.clone(),
        dossiers,
        revokes,
    })
}

async fn issue(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<DecisionForm>,
) -> Response {
    let ctx = state.ctx();
    let new = match read_decision(&f) {
        Ok(n) => n,
        Err(e) => return user.fail(e).into_response(),
    };
    match svc::issue_decision(&ctx, &user.actor, &state.registry.get(), new).await {
        Ok(d) => Redirect::to(&format!("/decisions/{}", d.id)).into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

async fn decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let d = match svc::decision(&ctx, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let rows = d
        .units
        .iter()
        .map(|(u, dos)| Row {
            link: format!("/dossiers/{dos}"),
            cells: vec![
                ctx.units
                    .by_id(*u)
                    .map(|x| x.name)
                    .unwrap_or_else(|| format!("#{u}")),
            ],
        })
        .collect();
    let mut page = table(
        &ctx,
        user,
        targs(
            tr,
            "workflow.page.decision",
            &[
                ("number", d.number.clone()),
                ("date", format_date(d.signed_on)),
            ],
        ),
        heads(tr, &["unit"]),
        rows,
    )
    .await;
    page.links = vec![(
        format!("/decisions/{id}/pdf"),
        tr.t("workflow.page.download_decision"),
    )];
    page.note = Some(format!(
        "{} — {}: {} — {}{}",
        tr.t(&format!("workflow.kind.{}", d.kind)),
        tr.t("field.signer"),
        d.signer,
        d.legal_basis,
        d.refers_to
            .map(|r| format!(" (→ #{r})"))
            .unwrap_or_default()
    ));
    page.into_response()
}

async fn notifications(State(state): State<AppState>, user: CurrentUser) -> Response {
    let ctx = state.ctx();
    let tr = user.tr();
    let mut rows: Vec<Row> = match svc::upcoming_deadlines(&ctx, &user.actor, 30).await {
        Ok(list) => list
            .into_iter()
            .map(|n| Row {
                link: String::new(),
                cells: vec![
                    targs(
                        tr,
                        &format!("workflow.deadline.{}", n.kind),
                        &[
                            ("day", format_date(n.day)),
                            ("days", n.days_left.to_string()),
                        ],
                    ),
                    String::new(),
                ],
            })
            .collect(),
        Err(e) => return user.fail(e).into_response(),
    };
    if let Some(me) = user.actor.id {
        let list = store::notifications(ctx.store, me, 100)
            .await
            .unwrap_or_default();
        for n in list {
            let args: BTreeMap<String, String> = serde_json::from_str(&n.args).unwrap_or_default();
            let args: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            rows.push(Row {
                link: n.link.clone(),
                cells: vec![targs(tr, &n.text_key, &args), format_time(n.created_at)],
            });
        }
        let _ = store::mark_read(ctx.store, me, None, ctx.now).await;
    }
    let head = heads(tr, &["text", "at"]);
    table(&ctx, user, tr.t("workflow.nav.notifications"), head, rows)
        .await
        .into_response()
}

#[derive(Deserialize)]
pub struct DeadlineForm {
    /// A province code, or `VN` for the whole country.
    scope: String,
    year: String,
    /// `registration_end` or `lock`.
    kind: String,
    day: String,
}

/// Sets a year's registration deadline or lock date (administrators of the territory).
async fn set_deadline(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<DeadlineForm>,
) -> Response {
    let ctx = state.ctx();
    let year = match year_of(&f.year) {
        Ok(y) => y,
        Err(e) => return user.fail(e).into_response(),
    };
    let Some(day) = parse_date(f.day.trim()) else {
        return user
            .fail(ServiceError::invalid(
                "signed_on",
                "workflow.invalid.date",
                &f.day,
            ))
            .into_response();
    };
    let scope = if f.scope.trim() == crate::directory::COUNTRY_CODE {
        Scope::Country
    } else {
        match ctx.units.by_code(&f.scope, day) {
            Some(u) => Scope::Unit(u.id),
            None => return user.fail(ServiceError::NotFound).into_response(),
        }
    };
    match svc::set_deadline(&ctx, &user.actor, scope, year, f.kind.trim(), day).await {
        Ok(()) => Redirect::to("/notifications").into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}
