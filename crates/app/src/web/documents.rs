//! Downloads of the classification list: `GET /classification.xlsx` (one sheet, export mode)
//! and `GET /classification.pdf` (Decree 30 layout, `report::pdf::classification`), with the
//! same query as the `/classification` page (`province`, `year`, `standard`) and the same scope
//! check (`service::workflow::classification_list`). One view model serves both formats.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::text::format_int;
use binhyen_core::units::UnitKind;
use binhyen_report::pdf::classification::{
    ClassificationLabels, ClassificationList, ClassificationRow,
};
use binhyen_report::pdf::{FontSet, Header, PdfEngine};
use binhyen_report::xlsx::{self, Column, ColumnKind, Mode, Sheet, Value, Workbook};

use super::auth::CurrentUser;
use super::workflow::ListQuery;
use super::{AppState, Tr};
use crate::service::ServiceError;
use crate::service::evaluation::map_date;
use crate::service::workflow as svc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classification.xlsx", get(xlsx_list))
        .route("/classification.pdf", get(pdf_list))
}

/// The PDF engine, built once (fonts loaded on first use).
pub fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PdfEngine::new(FontSet::embedded()))
}

/// The classification list of a request as the document's view model.
pub async fn list_model(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
) -> Result<ClassificationList, ServiceError> {
    let ctx = state.ctx();
    let tr = Tr { lang: user.lang };
    let lang = tr.code();
    let (province, year) = q.resolve(&ctx, user)?;
    let standard = q.standard.clone().unwrap_or_else(|| "antt-xa".into());
    let reg = state.registry.get();
    let lines =
        svc::classification_list(&ctx, &user.actor, &reg, province, year, &standard).await?;
    let atlas = state.atlas.get();
    let date = map_date(&atlas, Some(province), year);
    let province_name = atlas
        .version_at(province, date)
        .map(|v| v.name.clone())
        .unwrap_or_default();
    let standard_name = reg
        .versions_of(&standard)
        .last()
        .map(|v| v.name.get(lang).to_owned())
        .unwrap_or_else(|| standard.clone());
    let mut rows: Vec<ClassificationRow> = lines
        .iter()
        .map(|l| {
            let u = l.dossier.unit.id;
            let d = map_date(&atlas, Some(u), year);
            let group = [UnitKind::District, UnitKind::Province]
                .iter()
                .find_map(|k| atlas.ancestor_of_kind(u, d, *k))
                .and_then(|p| atlas.version_at(p, d))
                .map(|v| v.name.clone());
            ClassificationRow {
                group,
                code: l.dossier.unit.code.clone(),
                name: l.dossier.unit.name.clone(),
                computed: l
                    .evaluation
                    .as_ref()
                    .map(|e| e.verdict_text.get(lang).to_owned())
                    .unwrap_or_else(|| tr.t("std.verdict.insufficient")),
                proposal: l
                    .proposal
                    .map(|p| {
                        tr.t(match p {
                            binhyen_core::workflow::Proposal::Recognise => {
                                "workflow.page.propose_yes"
                            }
                            binhyen_core::workflow::Proposal::NotRecognise => {
                                "workflow.page.propose_no"
                            }
                        })
                    })
                    .unwrap_or_default(),
                explanation: l
                    .explanations
                    .iter()
                    .map(|x| x.0.clone())
                    .chain(
                        l.overrides
                            .iter()
                            .map(|o| format!("{}: {} ({})", o.0, o.1, o.2)),
                    )
                    .collect::<Vec<_>>()
                    .join("; "),
                decision: l
                    .decision
                    .as_ref()
                    .map(|d| d.number.clone())
                    .unwrap_or_else(|| svc::state_label(l.dossier.state, lang)),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.group, &a.code).cmp(&(&b.group, &b.code)));
    let t = |k: &str| tr.t(&format!("documents.list.{k}"));
    Ok(ClassificationList {
        header: Header {
            parent_body: Some(format!("{} {province_name}", t("parent_body"))),
            issuing_body: format!("{} {province_name}", t("issuing_body")),
            number: None,
            place: province_name
                .trim_start_matches("Tỉnh ")
                .trim_start_matches("Thành phố ")
                .to_owned(),
            date: None,
        },
        kind: t("kind"),
        title: format!("{} {standard_name} — {year}", t("title")),
        intro: vec![],
        labels: ClassificationLabels {
            seq: t("seq"),
            unit: t("unit"),
            computed: t("computed"),
            proposal: t("proposal"),
            explanation: t("explanation"),
            decision: t("decision"),
        },
        summary: vec![format!("{}: {}", t("total"), format_int(rows.len() as i64))],
        rows,
        recipients: vec![t("recipient")],
        signature: None,
    })
}

fn download(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
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

/// The list as one xlsx sheet (export mode, unprotected).
pub fn workbook(list: &ClassificationList, tr: Tr) -> Workbook {
    let l = &list.labels;
    let columns = vec![
        Column::new(&l.seq, ColumnKind::Integer).width(6.0),
        Column::new(tr.t("documents.list.code"), ColumnKind::Text).width(10.0),
        Column::new(&l.unit, ColumnKind::Text).width(28.0),
        Column::new(tr.t("documents.list.group"), ColumnKind::Text).width(24.0),
        Column::new(&l.computed, ColumnKind::Text).width(16.0),
        Column::new(&l.proposal, ColumnKind::Text).width(18.0),
        Column::new(&l.explanation, ColumnKind::Text).width(40.0),
        Column::new(&l.decision, ColumnKind::Text).width(22.0),
    ];
    let rows = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Value::Integer(i as i64 + 1),
                Value::Text(r.code.clone()),
                Value::Text(r.name.clone()),
                Value::Text(r.group.clone().unwrap_or_default()),
                Value::Text(r.computed.clone()),
                Value::Text(r.proposal.clone()),
                Value::Text(r.explanation.clone()),
                Value::Text(r.decision.clone()),
            ]
        })
        .collect();
    Workbook {
        mode: Mode::Export,
        sheets: vec![Sheet {
            name: tr.t("documents.list.sheet"),
            columns,
            rows,
        }],
        help: None,
        lists_sheet: "Danh mục".into(),
    }
}

async fn xlsx_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let list = match list_model(&state, &user, &q).await {
        Ok(l) => l,
        Err(e) => return user.fail(e).into_response(),
    };
    match xlsx::write(&workbook(&list, tr)) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "danh-sach-phan-loai.xlsx",
        ),
        Err(e) => user
            .fail(ServiceError::Internal(e.to_string()))
            .into_response(),
    }
}

async fn pdf_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let list = match list_model(&state, &user, &q).await {
        Ok(l) => l,
        Err(e) => return user.fail(e).into_response(),
    };
    let rendered = tokio::task::spawn_blocking(move || engine().render(&list.document())).await;
    match rendered {
        Ok(Ok(pdf)) => download(pdf.bytes, "application/pdf", "danh-sach-phan-loai.pdf"),
        Ok(Err(e)) => user
            .fail(ServiceError::Internal(e.to_string()))
            .into_response(),
        Err(e) => user
            .fail(ServiceError::Internal(e.to_string()))
            .into_response(),
    }
}
