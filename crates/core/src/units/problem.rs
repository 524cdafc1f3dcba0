//! What can be wrong with unit data, and where.
//!
//! Problems are values, not text: the interface renders them from `locales/units.yml`
//! (key [`ProblemKind::key`], arguments [`ProblemKind::args`]), Vietnamese first. Every
//! problem found is reported, so a user can mend a file in one pass.

use chrono::NaiveDate;

pub use crate::table::Origin;
use crate::text::format_date;

/// One thing wrong, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub origin: Option<Origin>,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn at(origin: Option<&Origin>, kind: ProblemKind) -> Problem {
        Problem {
            origin: origin.cloned(),
            kind,
        }
    }
}

/// The reasons a file or a dataset is refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    /// The bytes are not UTF-8 (a CSV saved as ANSI / Windows-1258).
    BadEncoding,
    /// The spreadsheet could not be opened.
    BadSpreadsheet { reason: String },
    /// Only .csv and .xlsx are read.
    UnsupportedFormat { name: String },
    /// No data rows.
    EmptyFile,
    /// A required column is missing from the header.
    MissingColumn { column: String },
    /// The same column appears twice in the header.
    DuplicateColumn { column: String },
    /// A required cell is empty.
    EmptyCell,
    /// A code with spaces in it.
    BadCode { value: String },
    /// Not a date in dd/mm/yyyy.
    BadDate { value: String },
    /// The end is before the start.
    DateOrder { from: NaiveDate, to: NaiveDate },
    /// The type is not a residential area or an organisation type.
    UnknownType { value: String },
    /// Administrative units (province, district, commune) come from the official lists only.
    OfficialType { value: String },
    /// Expected "có" or "không".
    BadYesNo { value: String },
    /// A predecessor list item could not be read.
    BadPredecessor { value: String },
    /// Out of the scope of Circular 124/2021/TT-BCA (art. 1).
    Excluded { exclusion: Exclusion },
    /// The parent code names no unit valid on that date.
    UnknownParent { code: String, date: NaiveDate },
    /// A unit of this kind cannot sit under that parent.
    ParentKind { code: String, parent_code: String },
    /// The parent ends (or starts) inside the version's validity.
    ParentNotValid {
        code: String,
        parent_code: String,
        date: NaiveDate,
    },
    /// A lineage row names a unit that does not exist on that date.
    MissingUnit { code: String, date: NaiveDate },
    /// Two rows for one code start on the same date.
    DuplicateCode { code: String, date: NaiveDate },
    /// Two units carry one code over overlapping periods.
    CodeOverlap {
        code: String,
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    /// Versions of one unit overlap or leave a gap.
    VersionOrder { code: String, date: NaiveDate },
    /// A unit merged wholly into another must end on the day before the event.
    WholeButContinues { code: String, date: NaiveDate },
    /// The predecessor did not exist the day before the event, or the successor on the day.
    LinkNotValid { code: String, date: NaiveDate },
    /// Lineage that leads back to where it started.
    Cycle { codes: Vec<String> },
    /// More problems than are listed.
    More { count: usize },
}

/// Why an organisation is outside Circular 124/2021/TT-BCA (art. 1, confidence C per
/// DOMAIN.md b.3: "armed-forces agencies, small/micro enterprises, primary/pre-school/crèche
/// institutions are out of TT 124 scope").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    ArmedForces,
    SmallEnterprise,
    PrimaryOrPreschool,
}

impl Exclusion {
    pub fn key(self) -> &'static str {
        match self {
            Exclusion::ArmedForces => "units.exclusion.armed_forces",
            Exclusion::SmallEnterprise => "units.exclusion.small_enterprise",
            Exclusion::PrimaryOrPreschool => "units.exclusion.primary_or_preschool",
        }
    }
}

impl ProblemKind {
    /// The locale key of the message (`locales/units.yml`).
    pub fn key(&self) -> &'static str {
        match self {
            ProblemKind::BadEncoding => "units.problem.bad_encoding",
            ProblemKind::BadSpreadsheet { .. } => "units.problem.bad_spreadsheet",
            ProblemKind::UnsupportedFormat { .. } => "units.problem.unsupported_format",
            ProblemKind::EmptyFile => "units.problem.empty_file",
            ProblemKind::MissingColumn { .. } => "units.problem.missing_column",
            ProblemKind::DuplicateColumn { .. } => "units.problem.duplicate_column",
            ProblemKind::EmptyCell => "units.problem.empty_cell",
            ProblemKind::BadCode { .. } => "units.problem.bad_code",
            ProblemKind::BadDate { .. } => "units.problem.bad_date",
            ProblemKind::DateOrder { .. } => "units.problem.date_order",
            ProblemKind::UnknownType { .. } => "units.problem.unknown_type",
            ProblemKind::OfficialType { .. } => "units.problem.official_type",
            ProblemKind::BadYesNo { .. } => "units.problem.bad_yes_no",
            ProblemKind::BadPredecessor { .. } => "units.problem.bad_predecessor",
            ProblemKind::Excluded { .. } => "units.problem.excluded",
            ProblemKind::UnknownParent { .. } => "units.problem.unknown_parent",
            ProblemKind::ParentKind { .. } => "units.problem.parent_kind",
            ProblemKind::ParentNotValid { .. } => "units.problem.parent_not_valid",
            ProblemKind::MissingUnit { .. } => "units.problem.missing_unit",
            ProblemKind::DuplicateCode { .. } => "units.problem.duplicate_code",
            ProblemKind::CodeOverlap { .. } => "units.problem.code_overlap",
            ProblemKind::VersionOrder { .. } => "units.problem.version_order",
            ProblemKind::WholeButContinues { .. } => "units.problem.whole_but_continues",
            ProblemKind::LinkNotValid { .. } => "units.problem.link_not_valid",
            ProblemKind::Cycle { .. } => "units.problem.cycle",
            ProblemKind::More { .. } => "units.problem.more",
        }
    }

    /// The named arguments of the message; dates as users write them (dd/mm/yyyy).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let d = |d: &NaiveDate| format_date(*d);
        match self {
            ProblemKind::BadEncoding | ProblemKind::EmptyFile | ProblemKind::EmptyCell => vec![],
            ProblemKind::BadSpreadsheet { reason } => vec![("reason", reason.clone())],
            ProblemKind::UnsupportedFormat { name } => vec![("name", name.clone())],
            ProblemKind::MissingColumn { column } | ProblemKind::DuplicateColumn { column } => {
                vec![("column", column.clone())]
            }
            ProblemKind::BadDate { value }
            | ProblemKind::BadCode { value }
            | ProblemKind::UnknownType { value }
            | ProblemKind::OfficialType { value }
            | ProblemKind::BadYesNo { value }
            | ProblemKind::BadPredecessor { value } => vec![("value", value.clone())],
            ProblemKind::DateOrder { from, to } => vec![("from", d(from)), ("to", d(to))],
            ProblemKind::Excluded { .. } => vec![],
            ProblemKind::UnknownParent { code, date }
            | ProblemKind::MissingUnit { code, date }
            | ProblemKind::DuplicateCode { code, date }
            | ProblemKind::VersionOrder { code, date }
            | ProblemKind::WholeButContinues { code, date }
            | ProblemKind::LinkNotValid { code, date } => {
                vec![("code", code.clone()), ("date", d(date))]
            }
            ProblemKind::ParentKind { code, parent_code } => {
                vec![("code", code.clone()), ("parent", parent_code.clone())]
            }
            ProblemKind::ParentNotValid {
                code,
                parent_code,
                date,
            } => vec![
                ("code", code.clone()),
                ("parent", parent_code.clone()),
                ("date", d(date)),
            ],
            ProblemKind::CodeOverlap { code, from, to } => vec![
                ("code", code.clone()),
                ("from", d(from)),
                (
                    "to",
                    to.and_then(|t| t.pred_opt())
                        .map(format_date)
                        .unwrap_or_else(|| "…".to_owned()),
                ),
            ],
            ProblemKind::Cycle { codes } => vec![("codes", codes.join(" → "))],
            ProblemKind::More { count } => vec![("count", count.to_string())],
        }
    }
}

/// Keeps at most `limit` problems, sorted by place, and says how many more there were.
pub fn truncate(mut problems: Vec<Problem>, limit: usize) -> Vec<Problem> {
    problems.sort_by(|a, b| {
        let key = |p: &Problem| {
            p.origin
                .as_ref()
                .map(|o| (o.file.clone(), o.sheet.clone(), o.line))
        };
        key(a).cmp(&key(b))
    });
    problems.dedup();
    if problems.len() > limit {
        let more = problems.len() - limit;
        problems.truncate(limit);
        problems.push(Problem {
            origin: None,
            kind: ProblemKind::More { count: more },
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Arc;

    #[test]
    fn truncation_counts_the_rest() {
        let p = |line| Problem {
            origin: Some(Origin::line(&Arc::from("a.csv"), None, line)),
            kind: ProblemKind::EmptyCell,
        };
        let out = truncate((1..=5).rev().map(p).collect(), 3);
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].origin.as_ref().unwrap().line, 1);
        assert_eq!(out[3].kind, ProblemKind::More { count: 2 });
    }
}
