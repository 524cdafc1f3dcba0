//! Movement statistics on the web: `GET /movement?scope=CODE&year=YYYY` (the table of the
//! units directly under the scope, with totals), `GET /movement/export.xlsx` (the same as a
//! workbook in Vietnamese: title row, headings, totals row), `GET /api/v1/movement` (JSON) and
//! the totals card of `/dashboard` ([`card`]). Figures come from `service::movement`; the
//! scope and year are read like the map's (`map::resolve`), the view scope is checked there.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::diag::tr;
use binhyen_core::text::{format_date, format_int};
use binhyen_core::units::UnitId;
use binhyen_report::xlsx::{self, Column, ColumnKind, Mode, Sheet, Value, Workbook};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

use super::api::ApiError;
use super::auth::{CurrentUser, WebError};
use super::map::{MapQuery, resolve};
use super::workflow_export::{download, vi};
use super::{AppState, Tr};
use crate::service::ServiceError;
use crate::service::movement::{self, FIGURES, RESIDENT, Statistics, Total};
use crate::service::plans::Basis;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/movement", get(page))
        .route("/movement/export.xlsx", get(export_xlsx))
}

/// The scope and year of a request.
#[derive(Deserialize, IntoParams, Default, Debug, Clone)]
pub struct MovementQuery {
    /// A unit code on the year's map (default: the user's first unit).
    pub scope: Option<String>,
    /// The year (default: last year).
    pub year: Option<String>,
}

/// The statistics a request asks for (scope and year read like the map's; view scope checked).
async fn statistics(
    state: &AppState,
    user: &CurrentUser,
    q: &MovementQuery,
) -> Result<Statistics, ServiceError> {
    let atlas = state.atlas.get();
    let ctx = state.ctx();
    let map_query = MapQuery {
        scope: q.scope.clone(),
        year: q.year.clone(),
        ..MapQuery::default()
    };
    let (scope, year) = resolve(&atlas, &ctx, &user.actor, &map_query)?;
    let reg = state.registry.get();
    movement::statistics(&ctx, &user.actor, &atlas, &reg, scope, year).await
}

// ---------------------------------------------------------------------------------------------
// Texts shared by the page, the workbook and the API

/// "số liệu của đơn vị; cộng từ các đơn vị trực thuộc", or "chưa có số liệu".
fn basis_text(bases: &[Basis], lang: &str) -> String {
    if bases.is_empty() {
        return tr(lang, "movement.basis.missing", &[]);
    }
    let words: Vec<String> = bases
        .iter()
        .map(|b| tr(lang, &format!("movement.basis.{}", basis_name(*b)), &[]))
        .collect();
    words.join("; ")
}

fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::Own => "own",
        Basis::SubUnits => "sub_units",
        Basis::Predecessors => "predecessors",
        Basis::Missing => "missing",
    }
}

/// A total as shown: "1.234", "— (thiếu số liệu của 1/2 đơn vị (đã có 400))", or "—" when
/// no unit has the figure.
fn total_text(t: &Total, units: usize, lang: &str) -> String {
    match t.value {
        Some(v) => format_int(v),
        None if t.missing >= units => "—".to_owned(),
        None => format!(
            "— ({})",
            tr(
                lang,
                "movement.total_missing",
                &[
                    ("missing", format_int(t.missing as i64)),
                    ("units", format_int(units as i64)),
                    ("known", format_int(t.known)),
                ],
            )
        ),
    }
}

fn share_text(s: Option<movement::Share>) -> String {
    s.map_or_else(|| "—".to_owned(), |s| s.text())
}

fn cell_text(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_owned(), format_int)
}

/// The document's title.
fn title(s: &Statistics, lang: &str) -> String {
    tr(
        lang,
        "movement.doc_title",
        &[
            ("scope", s.scope_name.clone()),
            ("year", s.year.to_string()),
        ],
    )
}

/// The sentence that says what the figures are and how they are summed.
fn intro(s: &Statistics, lang: &str) -> String {
    tr(
        lang,
        "movement.intro",
        &[
            ("year", s.year.to_string()),
            ("scope", s.scope_name.clone()),
            ("date", format_date(s.date)),
        ],
    )
}

/// One line per incomplete total.
fn missing_notes(s: &Statistics, lang: &str) -> Vec<String> {
    FIGURES
        .iter()
        .zip(&s.totals)
        .filter(|(_, t)| t.missing > 0 && t.missing < s.rows.len())
        .map(|(f, t)| {
            tr(
                lang,
                "movement.missing_note",
                &[
                    ("figure", tr(lang, &format!("movement.col.{}", f.name), &[])),
                    ("missing", format_int(t.missing as i64)),
                    ("units", format_int(s.rows.len() as i64)),
                ],
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Page

/// A column group of the page's two-row heading: its label and short sub-headings.
pub struct Group {
    pub label: String,
    pub columns: Vec<String>,
}

/// The page's column groups: the figures in [`FIGURES`] order, the share after the resident
/// households.
fn groups(t: &Tr) -> Vec<Group> {
    let g = |label: &str, cols: &[&str]| Group {
        label: t.t(&format!("movement.group.{label}")),
        columns: cols
            .iter()
            .map(|c| t.t(&format!("movement.short.{c}")))
            .collect(),
    };
    vec![
        g("steering", &["count", "members"]),
        g("protection", &["count", "members"]),
        g("social", &["count", "members"]),
        g("households", &["covered", "resident", "share"]),
        g(
            "models",
            &[
                "total",
                "camera",
                "self_management",
                "self_protection",
                "mediation",
                "other",
                "cameras",
                "effective",
            ],
        ),
    ]
}

/// A row as shown: code, name, the figures with the share after the resident households, and
/// where they come from.
pub struct ViewRow {
    pub code: String,
    pub name: String,
    pub cells: Vec<String>,
    pub basis: String,
}

/// Inserts the share after the resident households.
fn with_share(mut cells: Vec<String>, share: String) -> Vec<String> {
    cells.insert(RESIDENT + 1, share);
    cells
}

pub struct MovementView {
    pub title: String,
    pub intro: String,
    pub scope: String,
    pub year: i32,
    pub groups: Vec<Group>,
    pub rows: Vec<ViewRow>,
    pub totals: ViewRow,
    pub notes: Vec<String>,
    pub export: String,
}

fn view(s: &Statistics, t: &Tr) -> MovementView {
    let lang = t.code();
    let rows = s
        .rows
        .iter()
        .map(|r| ViewRow {
            code: r.code.clone(),
            name: r.name.clone(),
            cells: with_share(
                r.cells.iter().map(|c| cell_text(c.value)).collect(),
                share_text(r.share),
            ),
            basis: basis_text(&r.bases, lang),
        })
        .collect();
    let totals = ViewRow {
        code: String::new(),
        name: t.t("movement.total"),
        cells: with_share(
            s.totals
                .iter()
                .map(|x| total_text(x, s.rows.len(), lang))
                .collect(),
            share_text(s.share),
        ),
        basis: String::new(),
    };
    MovementView {
        title: title(s, lang),
        intro: intro(s, lang),
        scope: s.scope_code.clone(),
        year: s.year,
        groups: groups(t),
        rows,
        totals,
        notes: missing_notes(s, lang),
        export: format!(
            "/movement/export.xlsx?scope={}&year={}",
            s.scope_code, s.year
        ),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movement/index.html")]
pub struct MovementPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub view: MovementView,
}

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    user: CurrentUser,
    Query(q): Query<MovementQuery>,
) -> Response {
    match statistics(&state, &user, &q).await {
        Ok(s) => MovementPage {
            view: view(&s, &tr),
            tr,
            user,
        }
        .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Workbook

/// The columns of the workbook (headings in Vietnamese).
pub fn columns() -> Vec<Column> {
    let mut cols = vec![
        Column::new(vi("movement.col.seq", &[]), ColumnKind::Integer).width(6.0),
        Column::new(vi("movement.col.code", &[]), ColumnKind::Text).width(10.0),
        Column::new(vi("movement.col.unit", &[]), ColumnKind::Text).width(28.0),
    ];
    for f in FIGURES {
        cols.push(
            Column::new(
                vi(&format!("movement.col.{}", f.name), &[]),
                ColumnKind::Integer,
            )
            .width(14.0),
        );
    }
    cols.insert(
        3 + RESIDENT + 1,
        Column::new(vi("movement.col.share", &[]), ColumnKind::Text).width(14.0),
    );
    cols.push(Column::new(vi("movement.col.basis", &[]), ColumnKind::Text).width(36.0));
    cols
}

/// The statistics as a workbook (export mode): a title row, the headings, one row per unit
/// and the totals row; a missing figure is an empty cell, an incomplete total says so.
pub fn workbook(s: &Statistics) -> Workbook {
    let mut rows: Vec<Vec<Value>> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                Value::Integer(i as i64 + 1),
                Value::Text(r.code.clone()),
                Value::Text(r.name.clone()),
            ];
            row.extend(
                r.cells
                    .iter()
                    .map(|c| c.value.map_or(Value::Empty, Value::Integer)),
            );
            row.insert(3 + RESIDENT + 1, Value::Text(share_text(r.share)));
            row.push(Value::Text(basis_text(&r.bases, "vi")));
            row
        })
        .collect();
    let mut total = vec![
        Value::Empty,
        Value::Empty,
        Value::Text(vi("movement.total", &[])),
    ];
    total.extend(s.totals.iter().map(|t| match t.value {
        Some(v) => Value::Integer(v),
        None => Value::Text(total_text(t, s.rows.len(), "vi")),
    }));
    total.insert(3 + RESIDENT + 1, Value::Text(share_text(s.share)));
    total.push(Value::Empty);
    rows.push(total);
    let mut notes = vec![title(s, "vi"), intro(s, "vi")];
    notes.extend(missing_notes(s, "vi"));
    Workbook {
        mode: Mode::Export,
        sheets: vec![Sheet {
            name: vi("movement.sheet", &[]),
            title: Some(title(s, "vi")),
            columns: columns(),
            rows,
        }],
        help: Some(xlsx::HelpSheet {
            name: vi("movement.help_sheet", &[]),
            lines: notes,
        }),
        lists_sheet: vi("workflow.doc.lists_sheet", &[]),
    }
}

async fn export_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MovementQuery>,
) -> Response {
    let made = statistics(&state, &user, &q).await.and_then(|s| {
        xlsx::write(&workbook(&s))
            .map(|b| (b, s))
            .map_err(|e| ServiceError::Internal(e.to_string()))
    });
    match made {
        Ok((bytes, s)) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("phong-trao-{}-{}.xlsx", s.scope_code, s.year),
        ),
        Err(e) => user.fail(e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Dashboard card

/// The totals of the scope in a few sentences, as the provinces report them.
pub struct Card {
    pub title: String,
    pub lines: Vec<String>,
    pub notes: Vec<String>,
    pub link: String,
}

/// The dashboard's movement card for `scope` and `year` (none without a scope, or when the
/// user may not view it: the rest of the dashboard still shows).
pub async fn card(
    state: &AppState,
    user: &CurrentUser,
    scope: Option<UnitId>,
    year: i32,
) -> Option<Card> {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let s = movement::statistics(&state.ctx(), &user.actor, &atlas, &reg, scope?, year)
        .await
        .inspect_err(|e| tracing::warn!("movement card: {e:?}"))
        .ok()?;
    let lang = user.lang.code();
    let total = |name: &str| {
        let i = FIGURES.iter().position(|f| f.name == name).unwrap_or(0);
        total_text(&s.totals[i], s.rows.len(), lang)
    };
    let line = |key: &str, args: &[(&str, String)]| tr(lang, key, args);
    Some(Card {
        title: line(
            "movement.card.title",
            &[
                ("scope", s.scope_name.clone()),
                ("year", s.year.to_string()),
            ],
        ),
        lines: vec![
            line(
                "movement.card.steering",
                &[
                    ("count", total("steering_committees")),
                    ("members", total("steering_committee_members")),
                ],
            ),
            line(
                "movement.card.protection",
                &[
                    ("count", total("protection_teams")),
                    ("members", total("protection_team_members")),
                ],
            ),
            line(
                "movement.card.social",
                &[
                    ("count", total("social_security_teams")),
                    ("share", share_text(s.share)),
                    ("members", total("social_security_team_members")),
                ],
            ),
            line(
                "movement.card.models",
                &[
                    ("models", total("models")),
                    ("camera", total("models_camera")),
                    ("cameras", total("cameras")),
                ],
            ),
        ],
        notes: missing_notes(&s, lang),
        link: format!("/movement?scope={}&year={}", s.scope_code, s.year),
    })
}

// ---------------------------------------------------------------------------------------------
// API

/// One total over the rows.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct TotalOut {
    /// The sum when every unit has the figure, else `null`.
    pub value: Option<i64>,
    /// The sum over the units that have it.
    pub known: i64,
    /// Units without it.
    pub missing: usize,
}

/// One unit directly under the scope.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct MovementRowOut {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    /// Figure name → value (`null`: missing, never 0). Names: `steering_committees`,
    /// `steering_committee_members`, `protection_teams`, `protection_team_members`,
    /// `social_security_teams`, `social_security_team_members`, `households_covered`,
    /// `households_resident`, `models`, `models_camera`, `models_self_management`,
    /// `models_self_protection`, `models_mediation`, `models_other`, `cameras`,
    /// `models_effective`.
    pub figures: BTreeMap<String, Option<i64>>,
    /// Where each figure comes from: `own`, `sub_units`, `predecessors` or `missing`.
    pub basis: BTreeMap<String, String>,
    /// Households covered over resident households, "98,80 %" (`null` when either is missing).
    pub share: Option<String>,
}

/// The movement statistics of a scope for a year.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct MovementOut {
    pub scope_code: String,
    pub scope_name: String,
    pub year: i32,
    /// The administrative map's date (dd/mm/yyyy).
    pub map_date: String,
    pub rows: Vec<MovementRowOut>,
    /// Figure name → total over the rows.
    pub totals: BTreeMap<String, TotalOut>,
    pub share: Option<String>,
}

fn api_out(s: &Statistics) -> MovementOut {
    let names = || FIGURES.iter().map(|f| f.name.to_owned());
    MovementOut {
        scope_code: s.scope_code.clone(),
        scope_name: s.scope_name.clone(),
        year: s.year,
        map_date: format_date(s.date),
        rows: s
            .rows
            .iter()
            .map(|r| MovementRowOut {
                unit_id: r.unit,
                code: r.code.clone(),
                name: r.name.clone(),
                figures: names().zip(r.cells.iter().map(|c| c.value)).collect(),
                basis: names()
                    .zip(r.cells.iter().map(|c| basis_name(c.basis).to_owned()))
                    .collect(),
                share: r.share.map(|x| x.text()),
            })
            .collect(),
        totals: names()
            .zip(s.totals.iter().map(|t| TotalOut {
                value: t.value,
                known: t.known,
                missing: t.missing,
            }))
            .collect(),
        share: s.share.map(|x| x.text()),
    }
}

/// Movement statistics: steering committees, teams, members, households covered and the
/// movement models by type, per unit directly under the scope, with totals.
#[utoipa::path(
    get,
    path = "/api/v1/movement",
    tag = "plans",
    params(MovementQuery),
    responses(
        (status = 200, description = "Thống kê phong trào (movement statistics)", body = MovementOut),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError),
        (status = 403, description = "Ngoài phạm vi được xem (outside the view scope)", body = ApiError),
        (status = 422, description = "Mã đơn vị hoặc năm không hợp lệ (bad scope or year)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn api_movement(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MovementQuery>,
) -> Response {
    match statistics(&state, &user, &q).await {
        Ok(s) => Json(api_out(&s)).into_response(),
        Err(error) => WebError {
            lang: user.lang,
            api: true,
            error,
        }
        .into_response(),
    }
}

#[cfg(test)]
#[path = "movement_tests.rs"]
mod tests;
