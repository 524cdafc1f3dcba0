//! Yearly facts in the browser: `GET/POST /units/{id}/facts/{year}?form=…` (one page per form
//! group, save as draft or submit), `…/history`, documents (`…/documents`, `/documents/{id}`),
//! the overview `GET /facts?scope=CODE&year=`, and the spreadsheet round trip
//! (`GET /facts/template.xlsx`, `GET/POST /facts/import`: preview, then commit).
//! Handlers parse and call `service::facts`; they never build SQL.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use binhyen_core::authz::Scope;
use binhyen_core::catalogue::{FieldType, FormGroup};
use binhyen_core::checks::Severity;
use binhyen_core::text::{format_date, format_int, parse_date, parse_number};
use binhyen_core::units::{UnitId, UnitKind};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{Map, Value as JV};

use super::auth::{CurrentUser, failure_page};
use super::csrf::Csrf;
use super::facts_preview::PreviewView;
use super::{AppState, Tr};
use crate::service::facts::overview::{self, Fill};
use crate::service::facts::{self as svc, FactsError, SaveForm, documents, sheet};
use crate::service::{Actor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/facts", get(overview))
        .route("/facts/template.xlsx", get(template))
        .route(
            "/facts/import",
            get(super::facts_import::import_page).post(super::facts_import::import_post),
        )
        .route("/facts/import/{job}", get(super::facts_import::job_page))
        .route("/facts/lock", axum::routing::post(lock_post))
        .route("/units/{id}/facts/{year}", get(form_page).post(form_save))
        .route("/units/{id}/facts/{year}/history", get(history_page))
        .route(
            "/units/{id}/facts/{year}/preview",
            axum::routing::post(super::facts_preview::preview_post),
        )
        .route(
            "/units/{id}/facts/{year}/documents",
            axum::routing::post(document_upload),
        )
        .route("/documents/{id}", get(document_download))
}

pub(super) fn t(tr: &Tr, key: &str, args: &[(&str, String)]) -> String {
    crate::units::text(tr.code(), key, args)
}

fn fail(user: &CurrentUser, e: ServiceError) -> Response {
    user.fail(e).into_response()
}

pub(super) fn this_year(state: &AppState) -> i32 {
    state
        .clock
        .now()
        .with_timezone(&crate::clock::vietnam())
        .year()
}

// ------------------------------------------------------------------ form page

#[derive(Deserialize, Default)]
pub struct FormQuery {
    pub form: Option<String>,
    saved: Option<String>,
}

/// One input of the form.
pub struct FieldView {
    pub key: String,
    pub label: String,
    pub help: String,
    /// `int`, `bool`, `date`, `text`, `choice`, `document`, `judgement`, `list`.
    pub input: &'static str,
    pub value: String,
    /// Document: number, date, issuer, file; judgement: value, reason.
    pub parts: Vec<String>,
    pub choices: Vec<(String, String)>,
    pub error: Option<String>,
    /// The reviewer's comment from the return of the unit's dossier.
    pub comment: Option<String>,
}

pub struct Tab {
    pub label: String,
    pub href: String,
    pub active: bool,
    pub state: String,
}

pub struct DocView {
    pub id: i64,
    pub name: String,
    pub doc_type: String,
    pub number: String,
    pub date: String,
    pub issuer: String,
    pub size: String,
    pub sha: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts/form.html")]
pub struct FormPage {
    pub tr: Tr,
    pub csrf: Csrf,
    pub unit_name: String,
    pub unit_code: String,
    pub unit_href: String,
    pub year: i32,
    pub group: String,
    pub group_label: String,
    pub action: String,
    pub history_href: String,
    pub tabs: Vec<Tab>,
    pub fields: Vec<FieldView>,
    pub version: i64,
    pub last_saved: Option<String>,
    pub submitted: bool,
    pub notice: Option<String>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub conflict: Option<String>,
    pub locked: Option<String>,
    pub lock_info: Option<String>,
    pub reason: String,
    pub documents: Vec<DocView>,
    pub doc_types: Vec<(String, String)>,
    /// The verdicts with the values shown in the form (not saved).
    pub preview: PreviewView,
    pub preview_href: String,
}

fn state_label(tr: &Tr, status: Option<&str>, overdue: bool) -> String {
    let key = match Fill::of(status) {
        Fill::Submitted => "facts.state.submitted",
        _ if overdue => "facts.state.overdue",
        Fill::Draft => "facts.state.draft",
        Fill::Empty => "facts.state.empty",
    };
    tr.t(key)
}

/// "chưa nhập", "nháp", "đã nộp" or "quá hạn" for one form (overview, dashboards).
pub(super) fn fill_label(tr: &Tr, fill: Fill, overdue: bool) -> String {
    state_label(tr, fill.status(), overdue)
}

/// The text shown in an input for a stored JSON value.
fn shown(ty: &FieldType, v: &JV) -> (String, Vec<String>) {
    match ty {
        FieldType::Int => (v.as_i64().map(format_int).unwrap_or_default(), vec![]),
        FieldType::Bool => (
            v.as_bool()
                .map(|b| if b { "yes" } else { "no" }.to_owned())
                .unwrap_or_default(),
            vec![],
        ),
        FieldType::Date => (iso_to_shown(v.as_str()), vec![]),
        FieldType::Document => {
            let s = |k: &str| v.get(k).and_then(JV::as_str).unwrap_or_default().to_owned();
            if v.is_null() {
                ("none".into(), vec![String::new(); 4])
            } else {
                (
                    String::new(),
                    vec![
                        s("number"),
                        iso_to_shown(v.get("date").and_then(JV::as_str)),
                        s("issuer"),
                        s("file"),
                    ],
                )
            }
        }
        FieldType::Judgement => {
            let b = v
                .get("value")
                .and_then(JV::as_bool)
                .map(|b| if b { "yes" } else { "no" })
                .unwrap_or_default();
            let r = v.get("reason").and_then(JV::as_str).unwrap_or_default();
            (String::new(), vec![b.to_owned(), r.to_owned()])
        }
        FieldType::List { .. } => (serde_json::to_string_pretty(v).unwrap_or_default(), vec![]),
        _ => (v.as_str().unwrap_or_default().to_owned(), vec![]),
    }
}

fn iso_to_shown(s: Option<&str>) -> String {
    s.and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(format_date)
        .unwrap_or_else(|| s.unwrap_or_default().to_owned())
}

fn input_of(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Int => "int",
        FieldType::Bool => "bool",
        FieldType::Date => "date",
        FieldType::Text => "text",
        FieldType::Choice { .. } => "choice",
        FieldType::Document => "document",
        FieldType::Judgement => "judgement",
        FieldType::List { .. } => "list",
    }
}

/// Reads the posted inputs of a form group into a facts object; problems stay beside their field.
/// Numbers accept 1.234; dates dd/mm/yyyy; an empty input means "not entered".
pub fn values_from_inputs(
    state: &AppState,
    kind: UnitKind,
    year: i32,
    group: FormGroup,
    input: &HashMap<String, String>,
    tr: &Tr,
) -> (Map<String, JV>, HashMap<String, String>) {
    let reg = state.registry.get();
    let cat = reg.catalogue();
    let mut values = Map::new();
    let mut errors = HashMap::new();
    let get = |k: &str| input.get(k).map(|s| s.trim()).unwrap_or_default();
    for (f, v) in cat.form(kind, year) {
        if v.group != group {
            continue;
        }
        let key = f.key.as_str();
        let raw = get(&format!("f.{key}"));
        let date = |s: &str, errors: &mut HashMap<String, String>| match parse_date(s) {
            Some(d) => Some(JV::String(d.to_string())),
            None => {
                errors.insert(
                    key.to_owned(),
                    t(tr, "facts.input.not_date", &[("value", s.to_owned())]),
                );
                None
            }
        };
        let value = match &f.ty {
            _ if raw.is_empty() && !matches!(f.ty, FieldType::Document | FieldType::Judgement) => {
                None
            }
            FieldType::Int => match parse_number(raw) {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => Some(JV::from(n as i64)),
                _ => {
                    errors.insert(
                        key.to_owned(),
                        t(tr, "facts.input.not_count", &[("value", raw.to_owned())]),
                    );
                    None
                }
            },
            FieldType::Bool => Some(JV::Bool(raw == "yes")),
            FieldType::Date => date(raw, &mut errors),
            FieldType::Text | FieldType::Choice { .. } => Some(JV::String(raw.to_owned())),
            FieldType::List { .. } => match serde_json::from_str::<JV>(raw) {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.insert(key.to_owned(), t(tr, "facts.input.not_list", &[]));
                    None
                }
            },
            FieldType::Document => {
                let part = |p: &str| get(&format!("f.{key}.{p}"));
                if get(&format!("f.{key}")) == "none" {
                    Some(JV::Null)
                } else if ["number", "date", "issuer", "file"]
                    .iter()
                    .all(|p| part(p).is_empty())
                {
                    None
                } else {
                    let mut m = Map::new();
                    m.insert("number".into(), JV::String(part("number").to_owned()));
                    if let Some(d) = date(part("date"), &mut errors) {
                        m.insert("date".into(), d);
                    }
                    m.insert("issuer".into(), JV::String(part("issuer").to_owned()));
                    if !part("file").is_empty() {
                        m.insert("file".into(), JV::String(part("file").to_owned()));
                    }
                    Some(JV::Object(m))
                }
            }
            FieldType::Judgement => {
                let (b, r) = (
                    get(&format!("f.{key}.value")),
                    get(&format!("f.{key}.reason")),
                );
                if b.is_empty() && r.is_empty() {
                    None
                } else {
                    Some(serde_json::json!({"value": b == "yes", "reason": r}))
                }
            }
        };
        if let Some(v) = value {
            values.insert(key.to_owned(), v);
        }
    }
    (values, errors)
}

pub(super) struct Ctx2 {
    pub unit: svc::UnitYear,
    pub group: FormGroup,
    /// Per-field comments of the reviewer who returned the unit's dossier (while returned).
    pub comments: std::collections::BTreeMap<String, String>,
}

pub(super) async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: UnitId,
    year: i32,
    form: Option<&str>,
) -> Result<Ctx2, ServiceError> {
    let reg = state.registry.get();
    let unit = svc::load(&state.ctx(), &reg, &user.actor, id, year).await?;
    let group = form
        .and_then(FormGroup::parse)
        .filter(|g| unit.form(*g).is_some())
        .or_else(|| unit.forms.first().map(|f| f.group))
        .ok_or(ServiceError::NotFound)?;
    let comments = crate::service::workflow::return_comments(&state.ctx(), id, year).await?;
    Ok(Ctx2 {
        unit,
        group,
        comments,
    })
}

fn form_view(
    state: &AppState,
    user: &CurrentUser,
    c: &Ctx2,
    values: &Map<String, JV>,
    field_errors: &HashMap<String, String>,
) -> FormPage {
    let tr = Tr { lang: user.lang };
    let reg = state.registry.get();
    let cat = reg.catalogue();
    let (u, year) = (&c.unit.unit, c.unit.year);
    let lock_date = c.unit.lock.as_ref().map(|l| l.lock_date);
    let overdue = lock_date.is_some_and(|d| state.ctx().today() > d);
    let tabs = c
        .unit
        .forms
        .iter()
        .map(|f| Tab {
            label: f.group.label(tr.code()),
            href: format!("/units/{}/facts/{year}?form={}", u.id, f.group.as_str()),
            active: f.group == c.group,
            state: state_label(
                &tr,
                f.status(),
                overdue && f.status() != Some(svc::SUBMITTED),
            ),
        })
        .collect();
    let fields = cat
        .form(u.kind, year)
        .into_iter()
        .filter(|(_, v)| v.group == c.group)
        .map(|(f, v)| {
            let (value, mut parts) = values
                .get(&f.key)
                .map(|x| shown(&f.ty, x))
                .unwrap_or_default();
            let input = input_of(&f.ty);
            let n = match input {
                "document" => 4,
                "judgement" => 2,
                _ => 0,
            };
            parts.resize(n, String::new());
            FieldView {
                key: f.key.clone(),
                label: v.label.get(tr.code()).to_owned(),
                help: reg
                    .field_help(&f.key, u.kind, year, tr.code())
                    .unwrap_or_default(),
                input,
                value,
                parts,
                choices: match &f.ty {
                    FieldType::Choice { choices } => choices
                        .iter()
                        .map(|c| (c.key.clone(), c.label.get(tr.code()).to_owned()))
                        .collect(),
                    _ => vec![],
                },
                error: field_errors.get(&f.key).cloned(),
                comment: c.comments.get(&f.key).cloned(),
            }
        })
        .collect();
    let form = c.unit.form(c.group);
    let row = form.and_then(|f| f.row.as_ref());
    FormPage {
        tr,
        csrf: user.csrf.clone(),
        unit_name: u.name.clone(),
        unit_code: u.code.clone(),
        unit_href: format!("/units/{}", u.id),
        year,
        group: c.group.as_str().to_owned(),
        group_label: c.group.label(tr.code()),
        action: format!("/units/{}/facts/{year}?form={}", u.id, c.group.as_str()),
        history_href: format!("/units/{}/facts/{year}/history", u.id),
        tabs,
        fields,
        version: form.map_or(0, |f| f.version()),
        last_saved: row.map(|r| {
            t(
                &tr,
                "facts.form.last_saved",
                &[
                    ("version", r.version.to_string()),
                    ("who", r.updated_by_name.clone()),
                    ("when", crate::clock::format_time(r.updated_at)),
                    ("state", state_label(&tr, Some(&r.status), false)),
                ],
            )
        }),
        submitted: row.is_some_and(|r| r.status == svc::SUBMITTED),
        notice: None,
        errors: vec![],
        warnings: vec![],
        conflict: None,
        locked: svc::is_locked(c.unit.lock.as_ref(), state.ctx().today())
            .map(|d| t(&tr, "facts.err.locked", &[("date", format_date(d))])),
        lock_info: c.unit.lock.as_ref().map(|l| {
            t(
                &tr,
                "facts.form.lock_info",
                &[("date", format_date(l.lock_date))],
            ) + &if l.reopened {
                format!(
                    " {}",
                    t(
                        &tr,
                        "facts.form.reopened",
                        &[("reason", l.reason.clone().unwrap_or_default())]
                    )
                )
            } else {
                String::new()
            }
        }),
        reason: String::new(),
        preview: PreviewView {
            evaluations: vec![],
            problems: vec![],
            note: None,
        },
        preview_href: format!(
            "/units/{}/facts/{year}/preview?form={}",
            u.id,
            c.group.as_str()
        ),
        documents: vec![],
        doc_types: cat
            .form(u.kind, year)
            .into_iter()
            .filter(|(f, _)| f.ty == FieldType::Document)
            .map(|(f, v)| (f.key.clone(), v.label.get(tr.code()).to_owned()))
            .collect(),
    }
}

/// The parts of the form page that read more than the form: the documents of the year and the
/// verdict preview of the values shown (`input_errors`: inputs that could not be read).
async fn complete(
    state: &AppState,
    user: &CurrentUser,
    page: FormPage,
    c: &Ctx2,
    values: &Map<String, JV>,
    input_errors: &HashMap<String, String>,
) -> FormPage {
    let (id, year) = (c.unit.unit.id, c.unit.year);
    let mut page = with_documents(state, user, page, id, year).await;
    page.preview =
        super::facts_preview::build(state, user, id, year, c.group, values, input_errors).await;
    page
}

async fn with_documents(
    state: &AppState,
    user: &CurrentUser,
    mut page: FormPage,
    id: UnitId,
    year: i32,
) -> FormPage {
    if page.group == FormGroup::Documents.as_str()
        && let Ok(docs) = documents::list(&state.ctx(), &user.actor, id, year).await
    {
        page.documents = docs
            .into_iter()
            .map(|d| DocView {
                id: d.id,
                name: d.file_name,
                doc_type: d.doc_type,
                number: d.number,
                date: format_date(d.date),
                issuer: d.issuer,
                size: binhyen_core::text::format_ratio(d.size, 1024, 1) + " KB",
                sha: d.sha256[..12].to_owned(),
            })
            .collect();
    }
    page
}

async fn form_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
    Query(q): Query<FormQuery>,
) -> Response {
    let c = match load(&state, &user, id, year, q.form.as_deref()).await {
        Ok(c) => c,
        Err(e) => return fail(&user, e),
    };
    let values = c
        .unit
        .form(c.group)
        .map(|f| f.values.clone())
        .unwrap_or_default();
    let mut page = form_view(&state, &user, &c, &values, &HashMap::new());
    if q.saved.is_some() {
        page.notice = Some(page.tr.t("facts.form.saved"));
    }
    complete(&state, &user, page, &c, &values, &HashMap::new())
        .await
        .into_response()
}

async fn form_save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
    Query(q): Query<FormQuery>,
    Form(input): Form<HashMap<String, String>>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let c = match load(&state, &user, id, year, q.form.as_deref()).await {
        Ok(c) => c,
        Err(e) => return fail(&user, e),
    };
    let (values, field_errors) =
        values_from_inputs(&state, c.unit.unit.kind, year, c.group, &input, &tr);
    let reason = input.get("reason").cloned().unwrap_or_default();
    let mut page;
    if field_errors.is_empty() {
        let req = SaveForm {
            unit: id,
            year,
            group: c.group,
            values: values.clone(),
            expected_version: input
                .get("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            submit: input.get("action").is_some_and(|a| a == "submit"),
            reason: Some(reason.clone()),
            confirm_warnings: input.contains_key("confirm"),
            source: "web".into(),
        };
        let reg = state.registry.get();
        match svc::save(&state.ctx(), &reg, &user.actor, &req).await {
            Ok(saved) if saved.findings.is_empty() => {
                return Redirect::to(&format!(
                    "/units/{id}/facts/{year}?form={}&saved=1",
                    c.group.as_str()
                ))
                .into_response();
            }
            Ok(saved) => {
                // Saved as a draft with errors, or with confirmed warnings: show them.
                let c = match load(&state, &user, id, year, Some(c.group.as_str())).await {
                    Ok(c) => c,
                    Err(e) => return fail(&user, e),
                };
                let mut page = form_view(&state, &user, &c, &values, &HashMap::new());
                page.notice = Some(tr.t("facts.form.saved"));
                for f in saved.findings {
                    let m = f.message.render(tr.code());
                    match f.severity {
                        Severity::Error => page.errors.push(m),
                        Severity::Warning => page.warnings.push(m),
                    }
                }
                return complete(&state, &user, page, &c, &values, &HashMap::new())
                    .await
                    .into_response();
            }
            Err(e) => {
                page = form_view(&state, &user, &c, &values, &field_errors);
                page.version = req.expected_version;
                match e {
                    FactsError::Service(e) => return fail(&user, e),
                    FactsError::Invalid(list) => {
                        let mut by_field = HashMap::new();
                        for p in &list {
                            by_field.insert(p.field.clone(), p.message.render(tr.code()));
                        }
                        page = form_view(&state, &user, &c, &values, &by_field);
                        page.version = req.expected_version;
                        page.errors = list
                            .iter()
                            .filter(|p| p.field.is_empty())
                            .map(|p| p.message.render(tr.code()))
                            .collect();
                    }
                    FactsError::Checks(found) => {
                        for f in found {
                            let m = f.message.render(tr.code());
                            match f.severity {
                                Severity::Error => page.errors.push(m),
                                Severity::Warning => page.warnings.push(m),
                            }
                        }
                    }
                    e @ FactsError::Conflict { .. } => {
                        page.conflict = Some(e.message(tr.code()));
                    }
                    e => page.errors.push(e.message(tr.code())),
                }
            }
        }
    } else {
        page = form_view(&state, &user, &c, &values, &field_errors);
        page.version = input
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        page.errors.push(tr.t("facts.form.fix_fields"));
    }
    page.reason = reason;
    let page = complete(&state, &user, page, &c, &values, &field_errors).await;
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

// ------------------------------------------------------------------ history

pub struct HistoryLine {
    pub when: String,
    pub who: String,
    pub form: String,
    pub field: String,
    pub old: String,
    pub new: String,
    pub reason: String,
    pub source: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts/history.html")]
pub struct HistoryPage {
    pub tr: Tr,
    pub unit_name: String,
    pub year: i32,
    pub back: String,
    pub lines: Vec<HistoryLine>,
}

pub(super) fn field_label(state: &AppState, key: &str, year: i32, tr: &Tr) -> String {
    let reg = state.registry.get();
    let cat = reg.catalogue();
    cat.field(key)
        .map(|f| cat.label(f.id, year).get(tr.code()).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

async fn history_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let ctx = state.ctx();
    let lines = match svc::history(&ctx, &user.actor, id, year).await {
        Ok(l) => l,
        Err(e) => return fail(&user, e),
    };
    let unit = ctx.units.in_year(id, year);
    let lines = lines
        .into_iter()
        .rev()
        .map(|c| {
            let note = c
                .change
                .note
                .as_deref()
                .and_then(|n| serde_json::from_str::<JV>(n).ok())
                .and_then(|n| n.get("reclassified").and_then(JV::as_array).cloned())
                .map(|moves| {
                    moves
                        .iter()
                        .map(|m| {
                            let s = |k: &str| {
                                m.get(k).and_then(JV::as_str).unwrap_or_default().to_owned()
                            };
                            t(
                                &tr,
                                "facts.history.reclassified",
                                &[
                                    (
                                        "count",
                                        m.get("count")
                                            .and_then(JV::as_i64)
                                            .unwrap_or(0)
                                            .to_string(),
                                    ),
                                    ("from", field_label(&state, &s("from"), year, &tr)),
                                    ("to", field_label(&state, &s("to"), year, &tr)),
                                ],
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            HistoryLine {
                when: crate::clock::format_time(c.at),
                who: c.actor_name,
                form: FormGroup::parse(&c.form)
                    .map(|g| g.label(tr.code()))
                    .unwrap_or(c.form),
                field: field_label(&state, &c.change.field, year, &tr),
                old: c.change.old.unwrap_or_else(|| "—".into()),
                new: c.change.new.unwrap_or_else(|| "—".into()),
                reason: c.reason.unwrap_or_default(),
                source: c.source,
                note,
            }
        })
        .collect();
    HistoryPage {
        tr,
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        year,
        back: format!("/units/{id}/facts/{year}"),
        lines,
    }
    .into_response()
}

// ------------------------------------------------------------------ overview

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    scope: Option<String>,
    year: Option<i32>,
}

pub struct OverviewRow {
    pub name: String,
    pub code: String,
    pub href: String,
    pub drill: Option<String>,
    pub states: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts/overview.html")]
pub struct OverviewPage {
    pub tr: Tr,
    pub title: String,
    pub year: i32,
    pub scope: String,
    pub due: String,
    pub groups: Vec<String>,
    pub rows: Vec<OverviewRow>,
    pub template_href: String,
    pub is_province: bool,
    pub csrf: Csrf,
}

/// The scope a request names (a unit code), or the caller's first view scope.
fn scope_of(state: &AppState, actor: &Actor, code: Option<&str>, year: i32) -> Option<Scope> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some("VN") => Some(Scope::Country),
        Some(c) => state
            .units
            .by_code(c, svc::period(year))
            .map(|u| Scope::Unit(u.id)),
        None => actor.grants.first().map(|g| g.view),
    }
}

async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let year = q.year.unwrap_or_else(|| this_year(&state));
    let Some(scope) = scope_of(&state, &user.actor, q.scope.as_deref(), year) else {
        return fail(&user, ServiceError::NotFound);
    };
    let atlas = state.atlas.get();
    let on = svc::period(year);
    let mut ids: Vec<UnitId> = match scope {
        Scope::Country => atlas.roots(on),
        Scope::Unit(u) => {
            let mut v = vec![u];
            v.extend(atlas.children(u, on));
            v
        }
    };
    ids.retain(|id| atlas.version_at(*id, on).is_some());
    let reg = state.registry.get();
    let ctx = state.ctx();
    let fills = match overview::fill(&ctx, &user.actor, &atlas, &reg, scope, &ids, year).await {
        Ok(f) => f,
        Err(e) => return fail(&user, e),
    };
    let due = fills
        .iter()
        .rev()
        .find_map(|f| f.lock)
        .map(format_date)
        .unwrap_or_default();
    let groups: Vec<FormGroup> = FormGroup::ALL.to_vec();
    let out = fills
        .iter()
        .map(|u| OverviewRow {
            name: u.name.clone(),
            code: u.code.clone(),
            href: format!("/units/{}/facts/{year}", u.unit),
            drill: (Scope::Unit(u.unit) != scope && !atlas.children(u.unit, on).is_empty())
                .then(|| format!("/facts?scope={}&year={year}", u.code)),
            states: groups
                .iter()
                .map(|g| {
                    u.form(*g)
                        .map_or(String::new(), |f| fill_label(&tr, f.fill, f.overdue))
                })
                .collect(),
        })
        .collect();
    let scope_code = crate::directory::code_of(&*state.units, scope);
    let is_province = matches!(scope, Scope::Unit(u) if state.units.by_id(u).is_some_and(|u| u.kind == UnitKind::Province));
    OverviewPage {
        is_province,
        csrf: user.csrf.clone(),
        title: crate::directory::describe(&*state.units, scope, &tr.t("facts.country")),
        tr,
        year,
        template_href: format!("/facts/template.xlsx?scope={scope_code}&year={year}"),
        scope: scope_code,
        due,
        groups: groups.iter().map(|g| g.label(tr.code())).collect(),
        rows: out,
    }
    .into_response()
}

// ------------------------------------------------------------------ spreadsheets

async fn template(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let year = q.year.unwrap_or_else(|| this_year(&state));
    let Some(scope) = scope_of(&state, &user.actor, q.scope.as_deref(), year) else {
        return fail(&user, ServiceError::NotFound);
    };
    if !user
        .actor
        .grants
        .iter()
        .any(|g| g.view.contains(scope, &*state.units))
    {
        return fail(
            &user,
            ServiceError::Denied(binhyen_core::authz::Denied::OutsideTerritory),
        );
    }
    let reg = state.registry.get();
    let atlas = state.atlas.get();
    match sheet::template(&state.ctx(), &reg, &atlas, scope, year).await {
        Ok(bytes) => {
            let code = crate::directory::code_of(&*state.units, scope);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"so-lieu-{code}-{year}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => fail(&user, e),
    }
}

// ------------------------------------------------------------------ documents

async fn document_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
    mut mp: Multipart,
) -> Response {
    let tr = Tr { lang: user.lang };
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or_default().to_owned();
                if name == "file" {
                    let fname = f.file_name().unwrap_or("tep").to_owned();
                    if let Ok(b) = f.bytes().await {
                        file = Some((fname, b.to_vec()));
                    }
                } else if let Ok(v) = f.text().await {
                    fields.insert(name, v);
                }
            }
            Ok(None) => break,
            Err(_) => {
                return failure_page(
                    user.lang,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    tr.t("facts.doc.unreadable"),
                    false,
                );
            }
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return fail(
            &user,
            ServiceError::invalid("file", "facts.doc.required", ""),
        );
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let Some(date) = parse_date(&get("date")) else {
        return fail(
            &user,
            ServiceError::invalid("year", "facts.input.not_date", get("date")),
        );
    };
    let up = documents::Upload {
        unit: id,
        year,
        file_name,
        doc_type: get("doc_type"),
        number: get("number"),
        date,
        issuer: get("issuer"),
    };
    match documents::upload(&state.ctx(), &user.actor, &up, &bytes).await {
        Ok(_) => Redirect::to(&format!("/units/{id}/facts/{year}?form=documents&saved=1"))
            .into_response(),
        Err(e) => fail(&user, e),
    }
}

async fn document_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    match documents::download(&state.ctx(), &user.actor, id).await {
        Ok((row, bytes)) => {
            let safe: String = row
                .file_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            (
                [
                    (header::CONTENT_TYPE, row.mime),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{safe}\""),
                    ),
                    (
                        header::HeaderName::from_static("x-content-sha256"),
                        row.sha256,
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => fail(&user, e),
    }
}

// ------------------------------------------------------------------ lock dates

#[derive(Deserialize)]
pub struct LockForm {
    scope: String,
    year: i32,
    /// dd/mm/yyyy: set the lock date; empty with a reason: reopen.
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

/// A province sets the lock date of a year, or reopens it with a reason.
async fn lock_post(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<LockForm>,
) -> Response {
    let Some(Scope::Unit(province)) = scope_of(&state, &user.actor, Some(&f.scope), f.year) else {
        return fail(&user, ServiceError::NotFound);
    };
    let ctx = state.ctx();
    let done = if f.date.trim().is_empty() {
        svc::reopen(&ctx, &user.actor, province, f.year, &f.reason).await
    } else {
        match parse_date(&f.date) {
            Some(d) => svc::set_lock(&ctx, &user.actor, province, f.year, d).await,
            None => Err(ServiceError::invalid(
                "year",
                "facts.input.not_date",
                &f.date,
            )),
        }
    };
    match done {
        Ok(()) => Redirect::to(&format!("/facts?scope={}&year={}", f.scope.trim(), f.year))
            .into_response(),
        Err(e) => fail(&user, e),
    }
}
