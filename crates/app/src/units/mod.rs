//! Units through time for the interface: the shared atlas, the import service (official lists
//! or user files), the file template, and texts rendered from `locales/units.yml`.
//!
//! The CLI (`cli/import.rs`, `cli/units.rs`) and the web pages (`web/units.rs`) both go through
//! here; neither builds SQL nor formats a problem on its own.

pub mod views;

use std::sync::{Arc, RwLock};

use binhyen_core::table::Table;
use binhyen_core::text::{format_date, format_int, format_ratio};
use binhyen_core::units::file::{Column, ORGANISATION_TYPES, RESIDENTIAL_TYPES};
use binhyen_core::units::{
    Atlas, EventKind, LineageEvent, LineageLink, Problem, ProblemKind, UnitKind, file, official,
};
use binhyen_report::table::{self as tables, Sheet};
use binhyen_store::Store;
use binhyen_store::units::{ImportError, ImportSummary, Progress};
use chrono::NaiveDate;

/// The map every handler reads, replaced as a whole after an import.
#[derive(Clone, Debug, Default)]
pub struct SharedAtlas(Arc<RwLock<Arc<Atlas>>>);

impl SharedAtlas {
    pub fn get(&self) -> Arc<Atlas> {
        match self.0.read() {
            Ok(a) => a.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, atlas: Atlas) {
        let atlas = Arc::new(atlas);
        match self.0.write() {
            Ok(mut a) => *a = atlas,
            Err(poisoned) => *poisoned.into_inner() = atlas,
        }
    }
}

/// A translated string with `%{name}` arguments filled in.
pub fn text(lang: &str, key: &str, args: &[(&str, String)]) -> String {
    let mut s = rust_i18n::t!(key, locale = lang).into_owned();
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// One problem as a sentence, prefixed with its place: `kdc.csv:3:4 «Mã đơn vị cha»: …`.
pub fn problem_text(lang: &str, p: &Problem) -> String {
    let mut args = p.kind.args();
    if let ProblemKind::Excluded { exclusion } = &p.kind {
        args.push(("reason", text(lang, exclusion.key(), &[])));
    }
    let message = text(lang, p.kind.key(), &args);
    match &p.origin {
        Some(o) => format!("{o}: {message}"),
        None => message,
    }
}

pub fn kind_label(lang: &str, kind: UnitKind) -> String {
    text(lang, &format!("units.kind.{}", kind.as_str()), &[])
}

pub fn event_label(lang: &str, kind: EventKind) -> String {
    text(lang, &format!("units.event.{}", kind.as_str()), &[])
}

/// The legal basis as shown: the instrument, or why there is none.
pub fn basis_text(lang: &str, event: &LineageEvent) -> String {
    match &event.legal_basis {
        Some(b) => b.clone(),
        None if event
            .note
            .as_deref()
            .is_some_and(|n| n.contains("data correction")) =>
        {
            text(lang, "units.data_correction", &[])
        }
        None => text(lang, "units.no_basis", &[]),
    }
}

/// "toàn bộ", "một phần", "một phần, tỷ lệ 40 %", plus "suy luận" when inferred.
pub fn link_text(lang: &str, link: &LineageLink) -> String {
    let mut parts = vec![text(
        lang,
        if link.partial {
            "units.partial"
        } else {
            "units.whole"
        },
        &[],
    )];
    if let Some(share) = link.share {
        let pct = format!(
            "{}\u{a0}%",
            format_ratio((share * 10_000.0).round() as i64, 100, 2).trim_end_matches(",00")
        );
        parts.push(text(lang, "units.share", &[("share", pct)]));
    }
    if link.inferred {
        parts.push(text(lang, "units.inferred", &[]));
    }
    parts.join(", ")
}

/// "từ 01/05/2024 đến hết 30/06/2025" or "từ 01/07/2025 đến nay".
pub fn validity_text(lang: &str, v: &binhyen_core::units::Validity) -> String {
    match v.last_day() {
        Some(last) => text(
            lang,
            "units.from_to",
            &[("from", format_date(v.from)), ("to", format_date(last))],
        ),
        None => text(lang, "units.from_now", &[("from", format_date(v.from))]),
    }
}

/// Where the units come from.
pub enum Source {
    /// The official lists compiled into the binary.
    Official,
    /// Files users filled in: (name, bytes).
    Files(Vec<(String, Vec<u8>)>),
}

/// Why an import did not happen. Nothing was written.
#[derive(Debug)]
pub enum ImportFailure {
    /// Every problem with its place.
    Refused(Vec<Problem>),
    Db(binhyen_store::DbErr),
}

/// The one place that changes units: reads the source, imports in one transaction, and
/// replaces the shared atlas.
pub async fn import(
    store: &Store,
    source: Source,
    shared: Option<&SharedAtlas>,
    progress: Progress<'_>,
) -> Result<ImportSummary, ImportFailure> {
    let tables: Vec<Table> = match &source {
        Source::Official => Vec::new(),
        Source::Files(files) => {
            let mut out = Vec::new();
            let mut problems = Vec::new();
            for (name, bytes) in files {
                match tables::read(name, bytes) {
                    Ok(mut t) => out.append(&mut t),
                    Err(mut p) => problems.append(&mut p),
                }
            }
            if !problems.is_empty() {
                return Err(ImportFailure::Refused(problems));
            }
            out
        }
    };
    let result = store
        .import_units(
            |stored| match source {
                Source::Official => official::build_embedded(),
                Source::Files(_) => {
                    let atlas = Atlas::build(stored.clone())?;
                    file::parse(&tables, &atlas)
                }
            },
            progress,
        )
        .await;
    match result {
        Ok((atlas, summary)) => {
            if let Some(s) = shared {
                s.set(atlas);
            }
            Ok(summary)
        }
        Err(ImportError::Invalid(p)) => Err(ImportFailure::Refused(binhyen_core::units::truncate(
            p, 200,
        ))),
        Err(ImportError::Db(e)) => Err(ImportFailure::Db(e)),
    }
}

/// The summary sentence of an import.
pub fn summary_text(lang: &str, s: &ImportSummary) -> String {
    let n = |v: usize| format_int(v as i64);
    if s.is_unchanged() {
        return text(
            lang,
            "units.cli.unchanged",
            &[("units", n(s.total_units)), ("events", n(s.total_events))],
        );
    }
    text(
        lang,
        "units.cli.imported",
        &[
            ("new_units", n(s.new_units)),
            ("new_versions", n(s.new_versions)),
            ("changed_versions", n(s.changed_versions)),
            ("new_events", n(s.new_events)),
            ("changed_events", n(s.changed_events)),
            ("units", n(s.total_units)),
            ("events", n(s.total_events)),
        ],
    )
}

/// The sheets of the file template: the unit columns with example rows, and instructions.
pub fn template(lang: &str) -> Vec<Sheet> {
    let header: Vec<String> = Column::ALL.iter().map(|c| c.header().to_owned()).collect();
    let row = |cells: &[&str]| -> Vec<String> {
        let mut r: Vec<String> = cells.iter().map(|c| (*c).to_owned()).collect();
        r.resize(header.len(), String::new());
        r
    };
    let examples = vec![
        row(&[
            "29263-01",
            "Ấp Phú Hòa",
            "Ấp",
            "29263",
            "01/05/2024",
            "30/06/2025",
        ]),
        row(&[
            "29263-01",
            "Ấp Phú Hòa",
            "Ấp",
            "29263",
            "01/07/2025",
            "",
            "",
            "Nghị quyết số 1687/NQ-UBTVQH15",
        ]),
        row(&[
            "29263-02",
            "Ấp Phú Thạnh",
            "Ấp",
            "29263",
            "01/05/2024",
            "31/12/2024",
        ]),
        row(&[
            "29263-03",
            "Ấp Phú Thọ",
            "Ấp",
            "29263",
            "01/05/2024",
            "31/12/2024",
        ]),
        row(&[
            "29263-04",
            "Ấp Phú Thạnh Thọ",
            "Ấp",
            "29263",
            "01/01/2025",
            "",
            "29263-02; 29263-03",
            "Nghị quyết số 15/NQ-HĐND",
        ]),
        row(&[
            "DN-0001",
            "Công ty TNHH Bình An",
            "Doanh nghiệp",
            "29263",
            "01/01/2025",
            "",
            "",
            "",
            "không",
            "",
            "",
            "",
        ]),
        row(&[
            "GD-0001",
            "Trường THCS Long Đức",
            "Cơ sở giáo dục",
            "29263",
            "01/05/2024",
            "",
            "",
            "",
            "",
            "",
            "không",
        ]),
    ];
    let yes = text(lang, "units.template.yes", &[]);
    let mut help: Vec<Vec<String>> = Column::ALL
        .iter()
        .map(|c| {
            vec![
                c.header().to_owned(),
                if c.required() {
                    yes.clone()
                } else {
                    String::new()
                },
                text(lang, c.help_key(), &[]),
            ]
        })
        .collect();
    help.push(vec![String::new(), String::new(), String::new()]);
    help.push(vec![
        text(lang, "units.kind.residential_area", &[]),
        String::new(),
        RESIDENTIAL_TYPES.join(", "),
    ]);
    help.push(vec![
        text(lang, "units.kind.organisation", &[]),
        String::new(),
        ORGANISATION_TYPES.join(", "),
    ]);
    let mut widths = vec![
        14.0, 30.0, 16.0, 14.0, 13.0, 13.0, 24.0, 30.0, 16.0, 16.0, 18.0, 24.0,
    ];
    widths.truncate(header.len());
    vec![
        Sheet {
            name: text(lang, "units.template.sheet_units", &[]),
            header,
            rows: examples,
            widths,
        },
        Sheet {
            name: text(lang, "units.template.sheet_help", &[]),
            header: vec![
                text(lang, "units.template.column", &[]),
                text(lang, "units.template.required", &[]),
                text(lang, "units.template.explanation", &[]),
            ],
            rows: help,
            widths: vec![36.0, 10.0, 110.0],
        },
    ]
}

/// The template as the bytes of a file named `name` (.xlsx, or .csv for the units sheet only).
pub fn template_bytes(lang: &str, name: &str) -> Result<Vec<u8>, String> {
    let sheets = template(lang);
    if name.to_lowercase().ends_with(".csv") {
        Ok(tables::write_csv(&sheets[0]))
    } else {
        tables::write_xlsx(&sheets)
    }
}

/// A date typed by a user, or today.
pub fn date_or_today(value: Option<&str>) -> Result<NaiveDate, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => binhyen_core::text::parse_date(v).ok_or_else(|| v.to_owned()),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use binhyen_core::units::file::read_rows;

    #[test]
    fn problems_read_in_vietnamese_with_their_place() {
        let p = Problem::at(
            Some(
                &binhyen_core::table::Origin::line(&Arc::from("kdc.csv"), None, 3)
                    .with_column(4, "Mã đơn vị cha"),
            ),
            ProblemKind::UnknownParent {
                code: "99999".into(),
                date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            },
        );
        assert_eq!(
            problem_text("vi", &p),
            "kdc.csv:3:4 «Mã đơn vị cha»: Không có đơn vị mã «99999» còn hiệu lực ngày 01/01/2025 để làm đơn vị cấp trên."
        );
        assert!(
            problem_text("en", &p).contains("No unit with code «99999» is valid on 01/01/2025")
        );
        let ex = Problem::at(
            None,
            ProblemKind::Excluded {
                exclusion: binhyen_core::units::Exclusion::SmallEnterprise,
            },
        );
        assert!(problem_text("vi", &ex).ends_with("(Điều 1): doanh nghiệp nhỏ, siêu nhỏ."));
    }

    #[test]
    fn every_problem_has_a_message_in_both_languages() {
        use binhyen_core::units::Exclusion;
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let kinds = [
            ProblemKind::BadEncoding,
            ProblemKind::BadSpreadsheet { reason: "x".into() },
            ProblemKind::UnsupportedFormat {
                name: "a.pdf".into(),
            },
            ProblemKind::EmptyFile,
            ProblemKind::MissingColumn {
                column: "Mã".into(),
            },
            ProblemKind::DuplicateColumn {
                column: "Mã".into(),
            },
            ProblemKind::EmptyCell,
            ProblemKind::BadCode {
                value: "a b".into(),
            },
            ProblemKind::BadDate { value: "x".into() },
            ProblemKind::DateOrder { from: d, to: d },
            ProblemKind::UnknownType { value: "x".into() },
            ProblemKind::OfficialType {
                value: "Xã".into()
            },
            ProblemKind::BadYesNo { value: "x".into() },
            ProblemKind::BadPredecessor { value: "x".into() },
            ProblemKind::Excluded {
                exclusion: Exclusion::ArmedForces,
            },
            ProblemKind::UnknownParent {
                code: "x".into(),
                date: d,
            },
            ProblemKind::ParentKind {
                code: "x".into(),
                parent_code: "y".into(),
            },
            ProblemKind::ParentNotValid {
                code: "x".into(),
                parent_code: "y".into(),
                date: d,
            },
            ProblemKind::MissingUnit {
                code: "x".into(),
                date: d,
            },
            ProblemKind::DuplicateCode {
                code: "x".into(),
                date: d,
            },
            ProblemKind::CodeOverlap {
                code: "x".into(),
                from: d,
                to: None,
            },
            ProblemKind::VersionOrder {
                code: "x".into(),
                date: d,
            },
            ProblemKind::WholeButContinues {
                code: "x".into(),
                date: d,
            },
            ProblemKind::LinkNotValid {
                code: "x".into(),
                date: d,
            },
            ProblemKind::Cycle {
                codes: vec!["a".into(), "b".into()],
            },
            ProblemKind::More { count: 3 },
        ];
        for kind in kinds {
            for lang in ["vi", "en"] {
                let s = problem_text(lang, &Problem::at(None, kind.clone()));
                assert!(
                    !s.contains("%{") && !s.starts_with("units."),
                    "{lang} {kind:?}: {s}"
                );
            }
        }
    }

    #[test]
    fn the_template_reads_back_as_valid_rows() {
        for name in ["mau.xlsx", "mau.csv"] {
            let bytes = template_bytes("vi", name).unwrap();
            let tables = tables::read(name, &bytes).unwrap();
            let rows = read_rows(&tables).unwrap();
            assert_eq!(rows.len(), 7, "{name}");
            assert_eq!(rows[4].predecessors.len(), 2);
            assert_eq!(rows[5].kind, UnitKind::Organisation);
        }
    }

    #[test]
    fn shares_and_flags_are_spelled_out() {
        let link = LineageLink {
            from: Some(1),
            to: Some(2),
            share: Some(0.4),
            partial: true,
            inferred: true,
            note: None,
        };
        assert_eq!(
            link_text("vi", &link),
            "một phần, tỷ lệ 40\u{a0}%, suy luận"
        );
        let whole = LineageLink {
            share: None,
            partial: false,
            inferred: false,
            ..link
        };
        assert_eq!(link_text("vi", &whole), "toàn bộ");
    }
}
