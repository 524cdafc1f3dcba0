//! Official documents of a scope and year, and the page that lists them:
//!
//! - `GET /reports?scope=CODE&year=YYYY`: the downloads of a scope and year (linked from the nav);
//! - `GET /reports/yearly.xlsx?scope=&year=`: the summary by unit (`service::reports::yearly`);
//! - `GET /reports/yearly.pdf?scope=&year=`: the yearly report of the provincial police, Decree 30
//!   layout (`service::reports::yearly_report` → `binhyen_report::pdf::yearly::YearlyReport`);
//! - `GET /plans/{id}/export.xlsx`: a plan's targets with their progress (`service::plans::progress`);
//! - `GET /units/{id}/evaluations/{year}/pdf?standard=ID`: the unit evaluation sheet with its
//!   explanation, from the evaluation the unit page shows (`evaluate_unit_for`).
//!
//! View models are built by pure functions from the service's results; fixed words come from
//! `locales/reports.yml` in Vietnamese (official documents are Vietnamese whatever the user's
//! language). Access is the service's: the caller's view scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::plan::Measure;
use binhyen_core::standard::{Confidence, Evaluation, Registry, Verdict};
use binhyen_core::text::{format_date, format_int, format_percent};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_report::pdf::evaluation::{EvaluationLabels, EvaluationSheet, RuleLine};
use binhyen_report::pdf::yearly::{Section, YearlyReport};
use binhyen_report::pdf::{Align, Block, Column as PdfColumn, Header, Row, Signature, Table};
use binhyen_report::xlsx::{self, Column, ColumnKind, HelpSheet, Mode, Sheet, Value, Workbook};
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::map::{MapQuery, resolve};
use super::plans::TargetOut;
use super::workflow_export::{
    XLSX, decided_text, download, lower_first, place_of, render, standard_name, vi,
};
use super::{AppState, Tr};
use crate::service::evaluation::{self, EvaluationError, map_date};
use crate::service::plans::{self, PlanProgress, StoredPlan};
use crate::service::reports::{self, YearlyFigures, YearlySummary};
use crate::service::{ServiceError, workflow as wf};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports/yearly.xlsx", get(yearly_xlsx))
        .route("/reports/yearly.pdf", get(yearly_pdf))
        .route("/plans/{id}/export.xlsx", get(plan_xlsx))
        .route("/units/{id}/evaluations/{year}/pdf", get(sheet_pdf))
}

/// "Đạt", "Chưa đạt" (a verdict at the start of a cell).
fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Empty, Value::Integer)
}

// ---------------------------------------------------------------------------------------------
// The yearly summary by unit (xlsx)

/// The columns of the summary: code, name, type, three per standard, crimes of both years.
pub fn summary_columns(s: &YearlySummary) -> Vec<Column> {
    let text = |h: String, w: f64| Column::new(h, ColumnKind::Text).width(w);
    let mut cols = vec![
        Column::new(vi("workflow.doc.seq", &[]), ColumnKind::Integer).width(6.0),
        text(vi("reports.doc.col.code", &[]), 10.0),
        text(vi("reports.doc.col.name", &[]), 28.0),
        text(vi("reports.doc.col.type", &[]), 12.0),
    ];
    for st in &s.standards {
        let a = [("standard", st.id.clone())];
        cols.push(text(vi("reports.doc.col.verdict", &a), 18.0));
        cols.push(text(vi("reports.doc.col.dossier", &a), 22.0));
        cols.push(text(vi("reports.doc.col.recognition", &a), 36.0));
    }
    for y in [s.year, s.year - 1] {
        cols.push(
            Column::new(
                vi("reports.doc.col.crimes", &[("year", y.to_string())]),
                ColumnKind::Integer,
            )
            .width(16.0),
        );
    }
    cols
}

/// The summary's sheet name ("Tổng hợp 2024").
pub fn summary_sheet_name(year: i32) -> String {
    vi("reports.doc.summary_sheet", &[("year", year.to_string())])
}

/// The summary by unit as a workbook.
pub fn summary_workbook(s: &YearlySummary) -> Workbook {
    let rows = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                Value::Integer(i as i64 + 1),
                Value::Text(r.code.clone()),
                Value::Text(r.name.clone()),
                Value::Text(r.unit_type.clone()),
            ];
            for st in &s.standards {
                row.push(r.verdicts.get(&st.id).map_or(Value::Empty, |v| {
                    Value::Text(upper_first(&v.label(st.purpose, "vi")))
                }));
                match r.dossiers.get(&st.id) {
                    Some(d) => {
                        row.push(Value::Text(wf::state_label(d.state, "vi")));
                        row.push(Value::Text(decided_text(d.decision.as_ref(), d.state)));
                    }
                    None if r.verdicts.contains_key(&st.id) => {
                        row.push(Value::Text(vi("reports.doc.no_dossier", &[])));
                        row.push(Value::Empty);
                    }
                    None => row.extend([Value::Empty, Value::Empty]),
                }
            }
            row.push(opt_int(r.crimes));
            row.push(opt_int(r.crimes_previous));
            row
        })
        .collect();
    let mut help = vec![
        vi(
            "reports.doc.summary_title",
            &[
                ("year", s.year.to_string()),
                ("scope", s.scope_name.clone()),
            ],
        ),
        vi("reports.doc.summary_map", &[("date", format_date(s.date))]),
    ];
    help.extend(
        s.standards
            .iter()
            .map(|st| format!("{}: {}", st.id, st.name)),
    );
    Workbook {
        mode: Mode::Export,
        sheets: vec![Sheet {
            name: summary_sheet_name(s.year),
            columns: summary_columns(s),
            rows,
            title: None,
        }],
        help: Some(HelpSheet {
            name: vi("workflow.doc.help_sheet", &[]),
            lines: help,
        }),
        lists_sheet: vi("workflow.doc.lists_sheet", &[]),
    }
}

// ---------------------------------------------------------------------------------------------
// The plan progress (xlsx)

/// The columns of a plan's progress.
pub fn plan_columns() -> Vec<Column> {
    let col = |k: &str, kind: ColumnKind, w: f64| Column::new(vi(k, &[]), kind).width(w);
    use ColumnKind::{Date, Integer, Text};
    vec![
        col("workflow.doc.seq", Integer, 6.0),
        col("reports.year", Integer, 8.0),
        col("reports.doc.plan.id", Text, 14.0),
        col("reports.doc.plan.text", Text, 60.0),
        col("reports.doc.plan.cites", Text, 24.0),
        col("reports.doc.plan.measure", Text, 36.0),
        col("reports.doc.plan.counted", Integer, 10.0),
        col("reports.doc.plan.counted_on", Date, 12.0),
        col("reports.doc.plan.goal", Text, 24.0),
        col("reports.doc.plan.required", Integer, 10.0),
        col("reports.doc.plan.actual", Integer, 10.0),
        col("reports.doc.plan.actual_share", Text, 12.0),
        col("reports.doc.plan.forecast", Integer, 10.0),
        col("reports.doc.plan.forecast_share", Text, 12.0),
        col("reports.doc.plan.status", Text, 14.0),
        col("reports.doc.plan.note", Text, 40.0),
    ]
}

/// A plan's targets with their progress, as the plan page shows them ([`TargetOut`]).
pub fn plan_workbook(p: &PlanProgress, reg: &Registry) -> Workbook {
    let rows = p
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let out = TargetOut::new(t, "vi");
            let measure = match &t.target.measure {
                Measure::Standard(id) => standard_name(reg, id, "vi"),
                Measure::Indicator(key) => reg
                    .catalogue()
                    .field(key)
                    .and_then(|f| f.versions.last())
                    .map_or_else(|| key.clone(), |v| v.label.get("vi").to_owned()),
            };
            let share = |n: Option<u32>| match n {
                Some(n) if t.counted > 0 => Value::Text(format_percent(n.into(), t.counted.into())),
                _ => Value::Empty,
            };
            let note: Vec<String> = out.carried_text.into_iter().chain(out.note).collect();
            vec![
                Value::Integer(i as i64 + 1),
                Value::Integer(t.target.year.into()),
                Value::Text(out.id),
                Value::Text(out.text),
                Value::Text(out.cites),
                Value::Text(measure),
                Value::Integer(t.counted.into()),
                Value::Date(t.frame),
                Value::Text(out.goal),
                Value::Integer(t.required.into()),
                Value::Integer(t.actual.into()),
                share(Some(t.actual)),
                opt_int(t.forecast.map(i64::from)),
                share(t.forecast),
                Value::Text(out.status_text),
                Value::Text(note.join("; ")),
            ]
        })
        .collect();
    let plan = &p.plan.plan;
    Workbook {
        mode: Mode::Export,
        sheets: vec![Sheet {
            name: vi("reports.doc.plan_sheet", &[]),
            columns: plan_columns(),
            rows,
            title: None,
        }],
        help: Some(HelpSheet {
            name: vi("workflow.doc.help_sheet", &[]),
            lines: vec![
                format!(
                    "{} — {} ({})",
                    plan.number,
                    plan.issuer,
                    format_date(plan.date)
                ),
                plan.title.clone(),
                plan.source.clone(),
            ],
        }),
        lists_sheet: vi("workflow.doc.lists_sheet", &[]),
    }
}

// ---------------------------------------------------------------------------------------------
// The unit evaluation sheet (PDF)

/// The police unit answering for `unit` (itself when a commune, district or province; else
/// the commune above it), the one above that, and the place name of the header, on `date`.
fn police_of(atlas: &Atlas, unit: UnitId, date: NaiveDate) -> (String, Option<String>, String) {
    let mut cur = Some(unit);
    while let Some(u) = cur {
        if atlas.unit(u).is_some_and(|x| {
            matches!(
                x.kind,
                UnitKind::Commune | UnitKind::District | UnitKind::Province
            )
        }) {
            break;
        }
        cur = atlas.parent_at(u, date);
    }
    let name = |u: UnitId| atlas.version_at(u, date).map(|v| v.name.clone());
    let police = |n: String| vi("workflow.doc.police", &[("of", lower_first(&n))]);
    let Some(own) = cur.and_then(name) else {
        return (String::new(), None, String::new());
    };
    let parent = cur
        .and_then(|u| atlas.parent_at(u, date))
        .and_then(name)
        .map(police);
    (police(own.clone()), parent, place_of(&own))
}

/// One rule's explanation: the sentence, the facts used (who entered them), what is missing,
/// the confidence and, for a provisional rule, why.
fn rule_explanation(r: &binhyen_core::standard::RuleResult) -> String {
    let mut parts: Vec<String> = r
        .sentence
        .as_ref()
        .map(|s| s.get("vi").to_owned())
        .into_iter()
        .collect();
    if let Some(t) = &r.trace {
        let facts: Vec<String> = t
            .facts
            .iter()
            .map(|f| {
                vi(
                    "reports.doc.sheet.fact",
                    &[
                        ("label", f.label.get("vi").to_owned()),
                        ("unit", f.unit_name.clone()),
                        ("year", f.year.to_string()),
                        ("value", f.text.get("vi").to_owned()),
                        (
                            "by",
                            f.entered_by.as_ref().map_or_else(String::new, |b| {
                                vi("reports.doc.sheet.entered_by", &[("by", b.clone())])
                            }),
                        ),
                    ],
                )
            })
            .collect();
        if !facts.is_empty() {
            parts.push(vi("reports.doc.sheet.facts", &[("list", facts.join("; "))]));
        }
        let missing: Vec<String> = t
            .missing
            .iter()
            .map(|m| m.text.get("vi").to_owned())
            .collect();
        if !missing.is_empty() {
            parts.push(vi(
                "reports.doc.sheet.missing",
                &[("list", missing.join("; "))],
            ));
        }
    }
    parts.push(vi(
        "reports.doc.sheet.confidence",
        &[("confidence", r.confidence.label("vi"))],
    ));
    if r.confidence == Confidence::Provisional
        && let Some(n) = &r.note
    {
        parts.push(vi(
            "reports.doc.sheet.provisional_rule",
            &[("note", n.get("vi").to_owned())],
        ));
    }
    parts.join("\n")
}

/// The evaluation sheet of one explained evaluation.
pub fn evaluation_sheet(e: &Evaluation, atlas: &Atlas, today: NaiveDate) -> EvaluationSheet {
    let unit = e.unit.id.unwrap_or_default();
    let date = map_date(atlas, Some(unit), e.year);
    let (issuer, parent_body, place) = police_of(atlas, unit, date);
    let purpose = e.standard.purpose;
    let standard = e.standard.name.get("vi").to_owned();
    let parent = atlas
        .parent_at(unit, date)
        .and_then(|p| atlas.version_at(p, date))
        .map_or_else(String::new, |p| {
            vi("reports.doc.sheet.parent", &[("parent", p.name.clone())])
        });
    let basis: Vec<&str> = e
        .standard
        .legal_basis
        .iter()
        .map(|c| c.text.get("vi"))
        .collect();
    let met = e.rules.iter().filter(|r| r.verdict == Verdict::Met).count();
    let place_unit = atlas
        .version_at(unit, date)
        .map_or_else(|| e.unit.name.clone(), |v| v.name.clone());
    EvaluationSheet {
        header: Header {
            parent_body,
            place,
            issuing_body: issuer,
            number: None,
            date: Some(today),
        },
        kind: vi("reports.doc.sheet.kind", &[]),
        title: vi(
            "reports.doc.sheet.title",
            &[
                ("standard", standard.clone()),
                ("year", e.year.to_string()),
                ("unit", lower_first(&place_unit)),
            ],
        ),
        intro: vec![
            vi(
                "reports.doc.sheet.unit",
                &[
                    ("unit", e.unit.name.clone()),
                    ("code", e.unit.code.clone()),
                    ("parent", parent),
                ],
            ),
            vi(
                "reports.doc.sheet.standard",
                &[
                    ("standard", standard.clone()),
                    ("version", e.standard.version.to_string()),
                    ("basis", basis.join("; ")),
                ],
            ),
            vi(
                "reports.doc.sheet.window",
                &[
                    ("from", format_date(e.standard.window_from)),
                    ("to", format_date(e.standard.window_to)),
                    ("today", format_date(today)),
                ],
            ),
        ],
        labels: EvaluationLabels {
            seq: vi("reports.doc.sheet.seq", &[]),
            rule: vi("reports.doc.sheet.rule", &[]),
            verdict: vi("reports.doc.sheet.verdict", &[]),
            explanation: vi("reports.doc.sheet.explanation", &[]),
        },
        rules: e
            .rules
            .iter()
            .map(|r| RuleLine {
                code: r.id.clone(),
                title: r.title.get("vi").to_owned(),
                citation: r
                    .citation
                    .as_ref()
                    .map(|c| c.text.get("vi").to_owned())
                    .unwrap_or_default(),
                verdict: upper_first(&r.verdict.label(purpose, "vi")),
                explanation: rule_explanation(r),
                provisional: r.confidence == Confidence::Provisional,
            })
            .collect(),
        conclusion: vi(
            "reports.doc.sheet.conclusion",
            &[
                ("unit", e.unit.name.clone()),
                ("verdict", e.verdict.label(purpose, "vi")),
                ("standard", standard),
                ("year", e.year.to_string()),
                ("met", format_int(met as i64)),
                ("total", format_int(e.rules.len() as i64)),
            ],
        ),
        provisional_note: vi("reports.doc.sheet.provisional_note", &[]),
        recipients: vec![vi("workflow.doc.archive", &[])],
        signature: Some(Signature {
            lines: vec![vi("reports.doc.sheet.signer", &[])],
            name: String::new(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// The yearly report (PDF)

fn table(columns: Vec<PdfColumn>, rows: Vec<Row>) -> Block {
    Block::Table(Table {
        columns,
        rows,
        font_size: 11.0,
    })
}

fn col(key: &str, width: f32, align: Align) -> PdfColumn {
    PdfColumn::new(upper_first(&vi(key, &[])), width, align)
}

/// Section I: verdicts counted by standard.
fn results_section(s: &YearlySummary) -> Section {
    let tallies = s.tallies();
    let body = if tallies.is_empty() {
        vec![Block::para(vi(
            "reports.doc.report.no_results",
            &[("year", s.year.to_string())],
        ))]
    } else {
        let rows = tallies
            .iter()
            .map(|(st, t)| {
                Row::Cells(vec![
                    format!("{} ({})", st.name, st.id),
                    format_int(t.judged.into()),
                    format_int(t.met.into()),
                    format_int(t.not_met.into()),
                    format_int(t.insufficient.into()),
                    format_percent(t.met.into(), t.judged.into()),
                ])
            })
            .collect();
        vec![table(
            vec![
                col("reports.doc.report.standard", 4.0, Align::Left),
                col("reports.doc.report.judged", 1.0, Align::Right),
                col("std.verdict.met", 1.0, Align::Right),
                col("std.verdict.not_met", 1.0, Align::Right),
                col("std.verdict.insufficient", 1.2, Align::Right),
                col("reports.doc.report.share", 1.2, Align::Right),
            ],
            rows,
        )]
    };
    Section {
        heading: vi("reports.doc.report.results", &[]),
        body,
    }
}

/// Section II: each plan's targets of the year, target against actual.
fn plans_section(f: &YearlyFigures) -> Section {
    let mut body = Vec::new();
    if f.plans.is_empty() {
        body.push(Block::para(vi(
            "reports.doc.report.no_plans",
            &[("year", f.summary.year.to_string())],
        )));
    }
    for p in &f.plans {
        let plan = &p.plan.plan;
        body.push(Block::para(vi(
            "reports.doc.report.plan",
            &[
                ("number", plan.number.clone()),
                ("date", format_date(plan.date)),
                ("issuer", plan.issuer.clone()),
                ("title", plan.title.clone()),
            ],
        )));
        let rows = p
            .targets
            .iter()
            .map(|t| {
                let out = TargetOut::new(t, "vi");
                Row::Cells(vec![
                    out.text,
                    out.goal,
                    out.actual_text,
                    out.forecast_text,
                    out.status_text,
                ])
            })
            .collect();
        body.push(table(
            vec![
                col("plan.col.target", 4.0, Align::Left),
                col("plan.col.goal", 1.6, Align::Center),
                col("plan.col.actual", 1.6, Align::Center),
                col("plan.col.forecast", 1.6, Align::Center),
                col("plan.col.status", 1.2, Align::Center),
            ],
            rows,
        ));
    }
    Section {
        heading: vi("reports.doc.report.plans", &[]),
        body,
    }
}

/// Section III: crimes against social order, year against the previous one.
fn crime_section(f: &YearlyFigures) -> Section {
    let year = f.summary.year;
    let last = f.crime.len().saturating_sub(1);
    let dash = || "—".to_owned();
    let rows = f
        .crime
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let c = r.change;
            Row::Cells(vec![
                if i == last {
                    vi("reports.doc.report.total", &[])
                } else {
                    r.name.clone()
                },
                c.map_or_else(dash, |c| format_int(c.previous)),
                c.map_or_else(dash, |c| format_int(c.current)),
                c.map_or_else(dash, |c| match c.delta {
                    d if d > 0 => format!("+{}", format_int(d)),
                    d => format_int(d),
                }),
                match c {
                    None => vi("plan.status.unknown", &[]),
                    Some(c) if c.noise => vi("dashboard.noise", &[]),
                    Some(_) => vi("dashboard.real_change", &[]),
                },
            ])
        })
        .collect();
    let year_col = |y: i32| PdfColumn::new(y.to_string(), 1.0, Align::Right);
    Section {
        heading: vi("reports.doc.report.crime", &[]),
        body: vec![
            table(
                vec![
                    col("workflow.doc.unit", 3.0, Align::Left),
                    year_col(year - 1),
                    year_col(year),
                    col("dashboard.change", 1.0, Align::Right),
                    col("workflow.doc.note", 2.4, Align::Left),
                ],
                rows,
            ),
            Block::Note {
                text: vi(
                    "reports.doc.report.crime_note",
                    &[
                        ("year", year.to_string()),
                        ("previous", (year - 1).to_string()),
                    ],
                ),
            },
        ],
    }
}

/// Section IV: the rules most often not met and the communes and districts not meeting.
fn failing_section(s: &YearlySummary) -> Section {
    let top = s.failing_rules(10);
    let units = s.not_meeting();
    let mut body = Vec::new();
    if top.is_empty() && units.is_empty() {
        body.push(Block::para(vi("reports.doc.report.none_failing", &[])));
    }
    if !top.is_empty() {
        body.push(Block::para(vi("reports.doc.report.top_rules", &[])));
        body.push(table(
            vec![
                col("reports.doc.report.standard", 1.4, Align::Left),
                col("reports.doc.report.rule", 5.0, Align::Left),
                col("reports.doc.report.judged", 1.0, Align::Right),
            ],
            top.iter()
                .map(|r| {
                    Row::Cells(vec![
                        r.standard.clone(),
                        format!("{}. {}", r.rule, r.title),
                        format_int(r.units.into()),
                    ])
                })
                .collect(),
        ));
    }
    if !units.is_empty() {
        body.push(Block::para(vi("reports.doc.report.units_failing", &[])));
        body.push(table(
            vec![
                col("workflow.doc.seq", 0.6, Align::Center),
                col("workflow.doc.unit", 3.0, Align::Left),
                col("reports.doc.report.standard", 1.6, Align::Left),
                col("reports.doc.report.rules_failing", 2.4, Align::Left),
            ],
            units
                .iter()
                .enumerate()
                .map(|(i, (row, e, rules))| {
                    Row::Cells(vec![
                        (i + 1).to_string(),
                        row.name.clone(),
                        e.standard.id.clone(),
                        rules.join(", "),
                    ])
                })
                .collect(),
        ));
    }
    Section {
        heading: vi("reports.doc.report.failing", &[]),
        body,
    }
}

/// The province (or the scope itself above provinces) whose police issue the report.
fn province_of(atlas: &Atlas, s: &YearlySummary) -> String {
    atlas
        .ancestor_of_kind(s.scope, s.date, UnitKind::Province)
        .and_then(|p| atlas.version_at(p, s.date))
        .map_or_else(|| s.scope_name.clone(), |v| v.name.clone())
}

/// The yearly report of the provincial police.
pub fn yearly_document(f: &YearlyFigures, atlas: &Atlas, today: NaiveDate) -> YearlyReport {
    let s = &f.summary;
    let province = province_of(atlas, s);
    let of = lower_first(&province);
    YearlyReport {
        header: Header {
            parent_body: Some(vi("workflow.doc.committee", &[("of", of.clone())])),
            issuing_body: vi("workflow.doc.police", &[("of", of)]),
            number: None,
            place: place_of(&province),
            date: Some(today),
        },
        title: vi("reports.doc.report.title", &[("year", s.year.to_string())]),
        intro: vec![vi(
            "reports.doc.report.intro",
            &[
                ("scope", lower_first(&s.scope_name)),
                ("year", s.year.to_string()),
                ("date", format_date(s.date)),
                ("today", format_date(today)),
            ],
        )],
        sections: vec![
            results_section(s),
            plans_section(f),
            crime_section(f),
            failing_section(s),
        ],
        recipients: vec![
            vi("reports.doc.report.to_committee", &[]),
            vi("reports.doc.report.to_v05", &[]),
            vi("reports.doc.report.archive", &[]),
        ],
        signature: Some(Signature {
            lines: vec![vi("workflow.doc.director", &[])],
            name: String::new(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// `?scope=CODE&year=YYYY` (the map's defaults: the user's first unit, last year).
#[derive(Deserialize, Default, Debug, Clone)]
pub struct ScopeQuery {
    pub scope: Option<String>,
    pub year: Option<String>,
}

/// The scope and year of a request.
fn scope_year(
    state: &AppState,
    user: &CurrentUser,
    q: &ScopeQuery,
) -> Result<(UnitId, i32), ServiceError> {
    let mq = MapQuery {
        scope: q.scope.clone(),
        year: q.year.clone(),
        ..MapQuery::default()
    };
    resolve(&state.atlas.get(), &state.ctx(), &user.actor, &mq)
}

/// What is downloaded: the bytes or the error page.
fn send(
    made: Result<(Vec<u8>, &'static str, String), ServiceError>,
    user: &CurrentUser,
) -> Response {
    match made {
        Ok((bytes, mime, name)) => download(bytes, mime, &name),
        Err(e) => user.fail(e).into_response(),
    }
}

fn write_xlsx(wb: &Workbook) -> Result<Vec<u8>, ServiceError> {
    xlsx::write(wb).map_err(|e| ServiceError::Internal(e.to_string()))
}

async fn yearly_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ScopeQuery>,
) -> Response {
    let made = async {
        let (scope, year) = scope_year(&state, &user, &q)?;
        let (atlas, reg) = (state.atlas.get(), state.registry.get());
        let s = reports::yearly(&state.ctx(), &user.actor, &atlas, &reg, scope, year).await?;
        let bytes = write_xlsx(&summary_workbook(&s))?;
        Ok::<_, ServiceError>((
            bytes,
            XLSX,
            format!("tong-hop-{}-{year}.xlsx", s.scope_code),
        ))
    }
    .await;
    send(made, &user)
}

async fn yearly_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ScopeQuery>,
) -> Response {
    let made = async {
        let (scope, year) = scope_year(&state, &user, &q)?;
        let (atlas, reg) = (state.atlas.get(), state.registry.get());
        let ctx = state.ctx();
        let f = reports::yearly_report(&ctx, &user.actor, &atlas, &reg, scope, year).await?;
        let doc = yearly_document(&f, &atlas, ctx.today()).document();
        let name = format!("bao-cao-{}-{year}.pdf", f.summary.scope_code);
        Ok::<_, ServiceError>((render(doc).await?, "application/pdf", name))
    }
    .await;
    send(made, &user)
}

async fn plan_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let made = async {
        let (atlas, reg) = (state.atlas.get(), state.registry.get());
        let p = plans::progress(&state.ctx(), &user.actor, &atlas, &reg, id, None).await?;
        let bytes = write_xlsx(&plan_workbook(&p, &reg))?;
        Ok::<_, ServiceError>((bytes, XLSX, format!("tien-do-ke-hoach-{id}.xlsx")))
    }
    .await;
    send(made, &user)
}

#[derive(Deserialize, Debug)]
pub struct SheetQuery {
    pub standard: Option<String>,
}

fn evaluation_error(e: EvaluationError, standard: &str) -> ServiceError {
    match e {
        EvaluationError::Service(s) => s,
        EvaluationError::UnknownUnit(_) => ServiceError::NotFound,
        EvaluationError::Standard(_) => {
            ServiceError::invalid("standard", "reports.invalid.standard", standard)
        }
    }
}

async fn sheet_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
    Query(q): Query<SheetQuery>,
) -> Response {
    let standard = q.standard.unwrap_or_default();
    let made = async {
        let (atlas, reg) = (state.atlas.get(), state.registry.get());
        let ctx = state.ctx();
        let list = evaluation::evaluate_unit_for(
            &ctx,
            &user.actor,
            &atlas,
            &reg,
            id,
            year,
            Some(standard.as_str()),
            true,
        )
        .await
        .map_err(|e| evaluation_error(e, &standard))?;
        let e = list.first().ok_or(ServiceError::NotFound)?;
        let doc = evaluation_sheet(e, &atlas, ctx.today()).document();
        let name = format!(
            "phieu-danh-gia-{}-{year}-{}.pdf",
            e.unit.code, e.standard.id
        );
        Ok::<_, ServiceError>((render(doc).await?, "application/pdf", name))
    }
    .await;
    send(made, &user)
}

/// The link of a download with the page's scope and year.
pub struct Download {
    pub label: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/index.html")]
pub struct ReportsPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub title: String,
    pub scope: String,
    pub year: i32,
    pub downloads: Vec<Download>,
    pub plans: Vec<Download>,
}

/// The classification lists offered on the page (the standards the review handles).
const LISTED_STANDARDS: [&str; 2] = ["antt-xa", "ntm-xa-19.2"];

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ScopeQuery>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let ctx = state.ctx();
    let atlas = state.atlas.get();
    let (scope, year) = match scope_year(&state, &user, &q) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    if let Err(e) = evaluation::may_view(&ctx, &user.actor, &atlas, scope, year) {
        return user.fail(e.into()).into_response();
    }
    let date = map_date(&atlas, Some(scope), year);
    let (code, name) = atlas
        .version_at(scope, date)
        .map(|v| (v.code.clone(), v.name.clone()))
        .unwrap_or_default();
    let query = format!("scope={code}&year={year}");
    let mut downloads = vec![
        Download {
            label: tr.t("reports.yearly_xlsx"),
            href: format!("/reports/yearly.xlsx?{query}"),
        },
        Download {
            label: tr.t("reports.yearly_pdf"),
            href: format!("/reports/yearly.pdf?{query}"),
        },
    ];
    let province = atlas
        .ancestor_of_kind(scope, date, UnitKind::Province)
        .and_then(|p| atlas.version_at(p, date))
        .map(|v| v.code.clone());
    if let Some(p) = province {
        let reg = state.registry.get();
        for st in LISTED_STANDARDS {
            let label = binhyen_core::diag::tr(
                tr.code(),
                "reports.classification",
                &[("standard", standard_name(&reg, st, tr.code()))],
            );
            for ext in ["xlsx", "pdf"] {
                downloads.push(Download {
                    label: format!("{label} ({ext})"),
                    href: format!(
                        "/classification/export.{ext}?province={p}&year={year}&standard={st}"
                    ),
                });
            }
        }
    }
    downloads.push(Download {
        label: tr.t("reports.movement"),
        href: format!("/movement/export.xlsx?{query}"),
    });
    let plans = match plans::list(&ctx, &user.actor).await {
        Ok(list) => list
            .iter()
            .filter(|p: &&StoredPlan| {
                p.row
                    .scope_unit_id
                    .is_none_or(|s| ctx.units.within(scope, s) || ctx.units.within(s, scope))
            })
            .map(|p| Download {
                label: format!("{} — {}", p.plan.number, p.plan.title),
                href: format!("/plans/{}/export.xlsx", p.row.id),
            })
            .collect(),
        Err(e) => return user.fail(e).into_response(),
    };
    ReportsPage {
        title: binhyen_core::diag::tr(
            tr.code(),
            "reports.title",
            &[("scope", name), ("year", year.to_string())],
        ),
        tr,
        user,
        scope: code,
        year,
        downloads,
        plans,
    }
    .into_response()
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
