//! Downloads of the review: the classification list as xlsx and PDF, and a decision as PDF with
//! its annex (Decree 30 layout, `binhyen_report::pdf`). Official documents are Vietnamese
//! whatever the user's language: every fixed word comes from `locales/workflow.yml`
//! (`workflow.doc.*`) rendered in `vi`.
//!
//! The view models are built by pure functions ([`classification_document`],
//! [`classification_workbook`], [`decision_document`]) from what the service returns; the
//! handlers check access through the same service calls as the pages.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::standard::Registry;
use binhyen_core::text::format_date;
use binhyen_core::units::{Atlas, UnitId};
use binhyen_core::workflow::{Proposal, State as DossierState, period_date};
use binhyen_report::pdf::classification::{
    ClassificationLabels, ClassificationList, ClassificationRow,
};
use binhyen_report::pdf::decision::{
    AnnexLabels, Article, DecisionAnnex, RecognisedUnit, RecognitionDecision,
};
use binhyen_report::pdf::{FontSet, Header, PdfEngine, Signature};
use binhyen_report::xlsx::{self, Column, ColumnKind, Mode, Sheet, Value, Workbook};
use binhyen_store::workflow::DecisionRow;

use super::AppState;
use super::auth::CurrentUser;
use super::workflow::{ListQuery, list_of};
use crate::service::ServiceError;
use crate::service::workflow::{self as svc, ListLine};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classification/export.xlsx", get(list_xlsx))
        .route("/classification/export.pdf", get(list_pdf))
        .route("/decisions/{id}/pdf", get(decision_pdf))
}

/// A fixed word of the official documents, in Vietnamese.
pub(crate) fn vi(key: &str, args: &[(&str, String)]) -> String {
    binhyen_core::diag::tr("vi", key, args)
}

/// "Tỉnh Trà Vinh" → "tỉnh Trà Vinh" (inside a sentence).
pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "Tỉnh Trà Vinh" → "Trà Vinh" (the place name of the header).
pub(crate) fn place_of(name: &str) -> String {
    for prefix in [
        "Thành phố ",
        "Tỉnh ",
        "Huyện ",
        "Thị xã ",
        "Quận ",
        "Xã ",
        "Phường ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    name.to_owned()
}

/// The name of a standard in `locale` (its latest version's; the id when unknown).
pub(crate) fn standard_name(reg: &Registry, id: &str, locale: &str) -> String {
    reg.versions_of(id)
        .last()
        .map_or_else(|| id.to_owned(), |v| v.name.get(locale).to_owned())
}

/// The parent unit of `unit` on the day that stands for `year` (a district before 2025).
pub(crate) fn parent_name(atlas: &Atlas, unit: UnitId, year: i32) -> String {
    let on = crate::service::evaluation::map_date(atlas, Some(unit), year);
    atlas
        .parent_at(unit, on)
        .and_then(|p| atlas.version_at(p, on))
        .map(|v| v.name.clone())
        .unwrap_or_default()
}

fn proposal_text(p: Option<Proposal>) -> String {
    match p {
        Some(Proposal::Recognise) => vi("workflow.page.propose_yes", &[]),
        Some(Proposal::NotRecognise) => vi("workflow.page.propose_no", &[]),
        None => String::new(),
    }
}

/// "Công nhận theo Quyết định số 15/QĐ-UBND ngày 20/01/2025" (or its revocation).
pub(crate) fn decision_text(d: &DecisionRow) -> String {
    vi(
        &format!("workflow.doc.decided_{}", d.kind),
        &[
            ("number", d.number.clone()),
            ("date", format_date(d.signed_on)),
        ],
    )
}

/// The decision of a dossier as a document shows it: the decision naming it, else the
/// state when it ended without one.
pub(crate) fn decided_text(decision: Option<&DecisionRow>, state: DossierState) -> String {
    match (decision, state) {
        (Some(d), _) => decision_text(d),
        (None, s @ (DossierState::NotRecognised | DossierState::Revoked)) => {
            svc::state_label(s, "vi")
        }
        _ => String::new(),
    }
}

/// One line of the list as plain texts: computed verdict, proposal, explanation (overrides
/// with their reasons, then the explanations), decision.
fn line_texts(l: &ListLine) -> [String; 4] {
    let computed = l.evaluation.as_ref().map_or_else(
        || vi("std.verdict.insufficient", &[]),
        |e| e.verdict_text.get("vi").to_owned(),
    );
    let mut notes: Vec<String> = l
        .overrides
        .iter()
        .map(|(rule, verdict, reason, by)| {
            vi(
                "workflow.doc.override",
                &[
                    ("rule", rule.clone()),
                    ("verdict", vi(&format!("std.verdict.{verdict}"), &[])),
                    ("reason", reason.clone()),
                    ("by", by.clone()),
                ],
            )
        })
        .collect();
    notes.extend(l.explanations.iter().map(|(t, by)| format!("{t} ({by})")));
    if l.revocation_risk {
        notes.push(vi("workflow.page.risk", &[]));
    }
    [
        computed,
        proposal_text(l.proposal),
        notes.join("; "),
        decided_text(l.decision.as_ref(), l.dossier.state),
    ]
}

/// What a list is about: the province (id and name), the year, the standard's name.
pub struct ListOf<'a> {
    pub province: &'a str,
    pub year: i32,
    pub standard: &'a str,
}

/// The classification list as a Decree 30 document of the provincial police.
pub fn classification_document(
    of: &ListOf<'_>,
    lines: &[ListLine],
    atlas: &Atlas,
    today: chrono::NaiveDate,
) -> ClassificationList {
    let province = lower_first(of.province);
    let rows = lines
        .iter()
        .map(|l| {
            let [computed, proposal, explanation, decision] = line_texts(l);
            let parent = parent_name(atlas, l.dossier.unit.id, of.year);
            ClassificationRow {
                group: (!parent.is_empty()).then_some(parent),
                code: l.dossier.unit.code.clone(),
                name: l.dossier.unit.name.clone(),
                computed,
                proposal,
                explanation,
                decision,
            }
        })
        .collect();
    ClassificationList {
        header: Header {
            parent_body: Some(vi("workflow.doc.committee", &[("of", province.clone())])),
            issuing_body: vi("workflow.doc.police", &[("of", province.clone())]),
            number: None,
            place: place_of(of.province),
            date: Some(today),
        },
        kind: vi("workflow.doc.list_kind", &[]),
        title: vi(
            "workflow.doc.list_title",
            &[
                ("standard", of.standard.to_owned()),
                ("year", of.year.to_string()),
            ],
        ),
        intro: vec![],
        labels: ClassificationLabels {
            seq: vi("workflow.doc.seq", &[]),
            unit: vi("workflow.doc.unit", &[]),
            computed: vi("workflow.doc.computed", &[]),
            proposal: vi("workflow.col.proposal", &[]),
            explanation: vi("workflow.doc.explanation", &[]),
            decision: vi("workflow.col.decision", &[]),
        },
        rows,
        summary: vec![vi(
            "workflow.doc.total",
            &[("count", binhyen_core::text::format_int(lines.len() as i64))],
        )],
        recipients: vec![
            vi("workflow.doc.to_committee", &[]),
            vi("workflow.doc.archive", &[]),
        ],
        signature: Some(Signature {
            lines: vec![vi("workflow.doc.director", &[])],
            name: String::new(),
        }),
    }
}

/// The columns of the xlsx export (headings in Vietnamese).
pub fn list_columns() -> Vec<Column> {
    let text = |k: &str, w: f64| Column::new(vi(k, &[]), ColumnKind::Text).width(w);
    vec![
        Column::new(vi("workflow.doc.seq", &[]), ColumnKind::Integer).width(6.0),
        text("workflow.doc.code", 10.0),
        text("workflow.doc.unit", 28.0),
        text("workflow.doc.parent", 24.0),
        text("workflow.doc.computed", 16.0),
        text("workflow.col.proposal", 20.0),
        text("workflow.doc.explanation", 50.0),
        text("workflow.col.state", 22.0),
        text("workflow.col.decision", 30.0),
    ]
}

/// The sheet name of the xlsx export.
pub fn list_sheet_name() -> String {
    vi("workflow.doc.list_kind", &[])
}

/// The classification list as an xlsx workbook (export mode: the data as it is).
pub fn classification_workbook(of: &ListOf<'_>, lines: &[ListLine], atlas: &Atlas) -> Workbook {
    let rows = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let [computed, proposal, explanation, decision] = line_texts(l);
            vec![
                Value::Integer(i as i64 + 1),
                Value::Text(l.dossier.unit.code.clone()),
                Value::Text(l.dossier.unit.name.clone()),
                Value::Text(parent_name(atlas, l.dossier.unit.id, of.year)),
                Value::Text(computed),
                Value::Text(proposal),
                Value::Text(explanation),
                Value::Text(svc::state_label(l.dossier.state, "vi")),
                Value::Text(decision),
            ]
        })
        .collect();
    Workbook {
        mode: Mode::Export,
        sheets: vec![Sheet {
            name: list_sheet_name(),
            title: None,
            columns: list_columns(),
            rows,
        }],
        help: Some(xlsx::HelpSheet {
            name: vi("workflow.doc.help_sheet", &[]),
            lines: vec![
                vi(
                    "workflow.doc.list_title",
                    &[
                        ("standard", of.standard.to_owned()),
                        ("year", of.year.to_string()),
                    ],
                ),
                of.province.to_owned(),
            ],
        }),
        lists_sheet: vi("workflow.doc.lists_sheet", &[]),
    }
}

/// A decision (recognition or revocation) with its annex of units.
pub fn decision_document(
    d: &DecisionRow,
    revoked: Option<&DecisionRow>,
    standard: &str,
    atlas: &Atlas,
) -> RecognitionDecision {
    let on = period_date(d.year);
    let issuer = d
        .issuer_unit_id
        .and_then(|u| {
            atlas
                .version_at(u, on)
                .or_else(|| atlas.unit(u).map(|x| x.last()))
        })
        .map(|v| v.name.clone())
        .unwrap_or_default();
    let of = lower_first(&issuer);
    let committee = vi("workflow.doc.committee", &[("of", of.clone())]);
    let authority = vi("workflow.doc.chairman", &[("of", of.clone())]);
    let units: Vec<RecognisedUnit> = d
        .units
        .iter()
        .map(|(u, _)| RecognisedUnit {
            name: atlas
                .unit(*u)
                .map(|x| x.version_at(on).unwrap_or_else(|| x.last()).name.clone())
                .unwrap_or_else(|| format!("#{u}")),
            parent: parent_name(atlas, *u, d.year),
            note: String::new(),
        })
        .collect();
    let count = binhyen_core::text::format_int(units.len() as i64);
    let args = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut a = vec![
            ("standard", standard.to_owned()),
            ("year", d.year.to_string()),
            ("count", count.clone()),
        ];
        a.extend(extra.iter().cloned());
        a
    };
    let (title, first) = match revoked {
        Some(old) => {
            let old_args = args(&[
                ("number", old.number.clone()),
                ("date", format_date(old.signed_on)),
            ]);
            (
                vi("workflow.doc.revoke_title", &old_args),
                vi("workflow.doc.revoke_article", &old_args),
            )
        }
        None => (
            vi("workflow.doc.recognise_title", &args(&[])),
            vi("workflow.doc.recognise_article", &args(&[])),
        ),
    };
    RecognitionDecision {
        header: Header {
            parent_body: None,
            issuing_body: committee,
            number: Some(d.number.clone()),
            place: place_of(&issuer),
            date: Some(d.signed_on),
        },
        title,
        authority: authority.clone(),
        legal_bases: d
            .legal_basis
            .lines()
            .flat_map(|l| l.split(';'))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                if l.starts_with("Căn cứ") {
                    l.to_owned()
                } else {
                    vi("workflow.doc.basis", &[("basis", l.to_owned())])
                }
            })
            .collect(),
        // The provincial police propose to the province's chairman (Circular 124 art. 10).
        proposal: d
            .issuer_unit_id
            .and_then(|u| atlas.unit(u))
            .filter(|u| u.kind == binhyen_core::units::UnitKind::Province)
            .map(|_| vi("workflow.doc.proposal", &[])),
        articles: vec![
            Article {
                heading: None,
                paragraphs: vec![first],
            },
            Article {
                heading: None,
                paragraphs: vec![vi("workflow.doc.effect", &[])],
            },
            Article {
                heading: None,
                paragraphs: vec![vi("workflow.doc.execution", &[("of", of)])],
            },
        ],
        annex: DecisionAnnex {
            title: vi("workflow.doc.annex_title", &args(&[])),
            issued_by: authority,
            labels: AnnexLabels {
                seq: vi("workflow.doc.seq", &[]),
                unit: vi("workflow.doc.unit", &[]),
                parent: vi("workflow.doc.parent", &[]),
                note: vi("workflow.doc.note", &[]),
            },
            units,
            landscape: false,
        },
        recipients: vec![
            vi("workflow.doc.as_article_3", &[]),
            vi("workflow.doc.archive", &[]),
        ],
        signature: Some(Signature {
            lines: vec![vi("workflow.doc.chair", &[])],
            name: d.signer.clone(),
        }),
    }
}

/// The one PDF engine of the process (fonts are loaded once, on first use).
pub fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PdfEngine::new(FontSet::embedded()))
}

/// Renders a document off the async threads.
pub(crate) async fn render(doc: binhyen_report::pdf::Document) -> Result<Vec<u8>, ServiceError> {
    tokio::task::spawn_blocking(move || engine().render(&doc))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map(|p| p.bytes)
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The media type of an xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download.
pub(crate) fn download(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The list, its province's name and the standard's name.
async fn list_for(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
) -> Result<(Vec<ListLine>, String, i32, String), ServiceError> {
    let (lines, province, year) = list_of(state, user, q).await?;
    let name = state
        .units
        .by_id(province)
        .map(|u| u.name)
        .unwrap_or_default();
    let standard = standard_name(&state.registry.get(), q.standard(), "vi");
    Ok((lines, name, year, standard))
}

async fn list_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    list_export(state, user, q, false).await
}

async fn list_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    list_export(state, user, q, true).await
}

/// The classification list as a PDF (`pdf`) or an xlsx workbook.
async fn list_export(state: AppState, user: CurrentUser, q: ListQuery, pdf: bool) -> Response {
    let (lines, province, year, standard) = match list_for(&state, &user, &q).await {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let of = ListOf {
        province: &province,
        year,
        standard: &standard,
    };
    let atlas = state.atlas.get();
    let made = if pdf {
        let doc = classification_document(&of, &lines, &atlas, state.ctx().today()).document();
        render(doc).await.map(|b| (b, "application/pdf", "pdf"))
    } else {
        xlsx::write(&classification_workbook(&of, &lines, &atlas))
            .map(|b| (b, XLSX, "xlsx"))
            .map_err(|e| ServiceError::Internal(e.to_string()))
    };
    match made {
        Ok((bytes, mime, ext)) => {
            download(bytes, mime, &format!("danh-sach-phan-loai-{year}.{ext}"))
        }
        Err(e) => user.fail(e).into_response(),
    }
}

async fn decision_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let ctx = state.ctx();
    let d = match svc::decision(&ctx, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let revoked = match d.refers_to {
        Some(r) => svc::decision(&ctx, &user.actor, r).await.ok(),
        None => None,
    };
    let standard = standard_name(&state.registry.get(), &d.standard, "vi");
    let doc = decision_document(&d, revoked.as_ref(), &standard, &state.atlas.get()).document();
    let safe: String = d
        .number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    match render(doc).await {
        Ok(bytes) => download(bytes, "application/pdf", &format!("quyet-dinh-{safe}.pdf")),
        Err(e) => user.fail(e).into_response(),
    }
}

#[cfg(test)]
#[path = "workflow_export_tests.rs"]
mod tests;
