//! The compiled shape of a standard version: identity, validity, counting window, parameters
//! with dated values, and rules with their citations and confidence.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::diag::{I18nText, Location, tr};
use crate::units::{UnitKind, Validity};

use super::check::{C, Template, Ty};

/// Index of a standard id in the registry (all versions of one id share it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StdIx(pub u32);

/// The three values of a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// đạt
    Met,
    /// chưa đạt
    NotMet,
    /// chưa đủ dữ liệu
    Insufficient,
}

impl Verdict {
    /// Kleene conjunction: any "not met" wins, then any "insufficient".
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::NotMet, _) | (_, Verdict::NotMet) => Verdict::NotMet,
            (Verdict::Insufficient, _) | (_, Verdict::Insufficient) => Verdict::Insufficient,
            _ => Verdict::Met,
        }
    }

    pub fn from_bool(b: Option<bool>) -> Verdict {
        match b {
            Some(true) => Verdict::Met,
            Some(false) => Verdict::NotMet,
            None => Verdict::Insufficient,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::Insufficient => "insufficient",
        }
    }

    /// "đạt" / "chưa đạt" / "chưa đủ dữ liệu" (or the flag wording for a warning standard).
    pub fn label(self, purpose: Purpose, locale: &str) -> String {
        let key = match (purpose, self) {
            (Purpose::Flag, Verdict::Met) => "std.verdict.flag_clear",
            (Purpose::Flag, Verdict::NotMet) => "std.verdict.flag_raised",
            (_, Verdict::Met) => "std.verdict.met",
            (_, Verdict::NotMet) => "std.verdict.not_met",
            (_, Verdict::Insufficient) => "std.verdict.insufficient",
        };
        tr(locale, key, &[])
    }
}

/// What a standard is for; only changes how verdicts are worded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A unit is recognised when it is met.
    Recognition,
    /// A warning: "met" means no warning (e.g. the revocation risk of Decision 18/2022).
    Flag,
    /// A programme or plan indicator (Decision 926).
    Plan,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "recognition" => Some(Purpose::Recognition),
            "flag" => Some(Purpose::Flag),
            "plan" => Some(Purpose::Plan),
            _ => None,
        }
    }
}

/// How sure we are that a rule says what the law says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Read in the text of the law (or a faithful paraphrase of it).
    Confirmed,
    /// Inferred or unknown content, built so that the year can be evaluated; the note says why.
    Provisional,
}

impl Confidence {
    pub fn label(self, locale: &str) -> String {
        match self {
            Confidence::Confirmed => tr(locale, "std.confidence.confirmed", &[]),
            Confidence::Provisional => tr(locale, "std.confidence.provisional", &[]),
        }
    }
}

/// How a rule gets its verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Computed from facts by an expression.
    Computed,
    /// Judged by a reviewer (yes/no with a reason).
    Judged,
    /// The verdict of another standard for the same unit.
    Standard,
}

impl RuleKind {
    pub fn label(self, locale: &str) -> String {
        tr(locale, &format!("std.kind.{}", self.as_str()), &[])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Computed => "computed",
            RuleKind::Judged => "judged",
            RuleKind::Standard => "standard",
        }
    }
}

/// National or one province (by code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    National,
    Province(String),
}

impl Jurisdiction {
    pub fn as_str(&self) -> &str {
        match self {
            Jurisdiction::National => "national",
            Jurisdiction::Province(p) => p,
        }
    }

    pub fn label(&self, locale: &str) -> String {
        match self {
            Jurisdiction::National => tr(locale, "std.jurisdiction.national", &[]),
            Jurisdiction::Province(p) => {
                tr(locale, "std.jurisdiction.province", &[("code", p.clone())])
            }
        }
    }
}

/// A place in the law: document number plus article, clause, point, or a guidance's section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub document: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

impl Citation {
    /// "điểm a khoản 3 Điều 4 Thông tư 124/2021/TT-BCA" / "Circular 124/2021/TT-BCA, art. 4(3)(a)".
    /// `title` is the document's title in the same locale.
    pub fn render(&self, title: &str, locale: &str) -> String {
        if locale == "en" {
            let mut s = title.to_owned();
            if let Some(sec) = &self.section {
                s.push_str(&format!(", section {sec}"));
            }
            if let Some(a) = &self.article {
                s.push_str(&format!(", art. {a}"));
                if let Some(c) = &self.clause {
                    s.push_str(&format!("({c})"));
                }
                if let Some(p) = &self.point {
                    s.push_str(&format!("({p})"));
                }
            } else if let Some(c) = &self.clause {
                s.push_str(&format!(", clause {c}"));
            }
            s
        } else {
            let mut parts = vec![];
            if let Some(p) = &self.point {
                parts.push(format!("điểm {p}"));
            }
            if let Some(c) = &self.clause {
                parts.push(format!("khoản {c}"));
            }
            if let Some(a) = &self.article {
                parts.push(format!("Điều {a}"));
            }
            if let Some(sec) = &self.section {
                parts.push(format!("mục {sec}"));
            }
            parts.push(title.to_owned());
            parts.join(" ")
        }
    }
}

/// A legal document that citations point to.
#[derive(Clone, Debug, Serialize)]
pub struct LegalSource {
    pub number: String,
    pub title: I18nText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<I18nText>,
}

/// The counting window: from (month, day) to (month, day); when `from` is after `to` the
/// window starts in the previous year (16/11 of Y-1 to 15/11 of Y).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: (u32, u32),
    pub to: (u32, u32),
}

impl Window {
    /// First and last day (inclusive) of the window for evaluation year `year`.
    pub fn dates(&self, year: i32) -> (NaiveDate, NaiveDate) {
        let start_year = if self.from > self.to { year - 1 } else { year };
        let d = |y: i32, (m, day): (u32, u32)| {
            NaiveDate::from_ymd_opt(y, m, day).expect("window days are checked when loaded")
        };
        (d(start_year, self.from), d(year, self.to))
    }

    /// Parses "MM-DD" (29 February is refused: it does not exist every year).
    pub fn parse_day(s: &str) -> Option<(u32, u32)> {
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        NaiveDate::from_ymd_opt(2023, m, d)?;
        Some((m, d))
    }
}

/// The type of a parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamType {
    Int,
    Year,
    Percent,
    Bool,
    Choice {
        choices: Vec<crate::catalogue::Choice>,
    },
}

/// A parameter value as written in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Int(i64),
    /// An exact fraction num/den (70 % = 70/100).
    Percent(i128, i128),
    Bool(bool),
    Choice(u16),
}

/// One dated value of a parameter.
#[derive(Clone, Debug, Serialize)]
pub struct DatedValue {
    pub from: NaiveDate,
    pub value: ParamValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// Where the value was written (a province file when it overrides the national value).
    pub file: String,
}

/// A parameter: a threshold, a baseline year, a policy… with values by date.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub key: String,
    pub label: I18nText,
    #[serde(flatten)]
    pub ty: ParamType,
    /// Sorted by date; the first starts on or before the version's first day.
    pub values: Vec<DatedValue>,
    pub overridable: bool,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<I18nText>,
}

impl Param {
    /// The value in force on `date` (the last one starting on or before it).
    pub fn value_on(&self, date: NaiveDate) -> Option<(usize, &DatedValue)> {
        self.values
            .iter()
            .enumerate()
            .rev()
            .find(|(_, v)| v.from <= date)
    }
}

/// A named value of a rule, shown in its sentences and trace.
#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub source: String,
    pub(crate) expr: C,
    pub(crate) ty: Ty,
}

/// One rule of a standard.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: I18nText,
    pub citation: Citation,
    pub confidence: Confidence,
    /// DOMAIN.md's label: C, C-para, I or ?.
    pub evidence: Option<String>,
    pub note: Option<I18nText>,
    pub kind: RuleKind,
    /// The expression as written (computed rules), the judgement field (judged) or the standard id.
    pub source: String,
    pub locals: Vec<Local>,
    pub(crate) body: C,
    pub(crate) met: Option<Template>,
    pub(crate) not_met: Option<Template>,
    pub(crate) insufficient: Option<Template>,
    /// Catalogue fields the rule reads (for the catalogue's help).
    pub fields_used: Vec<crate::fact::FieldId>,
    /// Standards whose verdicts the rule reads.
    pub standards_used: Vec<StdIx>,
    pub location: Location,
}

/// One version of a standard, ready to evaluate. A province's extension is merged with the
/// national version it extends, one merged version per national version it overlaps.
#[derive(Clone, Debug)]
pub struct Version {
    pub id: String,
    pub ix: StdIx,
    pub version: u32,
    pub name: I18nText,
    pub applies_to: Vec<UnitKind>,
    pub jurisdiction: Jurisdiction,
    /// (id, version) of the national version this one extends.
    pub extends: Option<(String, u32)>,
    pub validity: Validity,
    pub window: Window,
    /// First and last evaluation years judged (computed from `validity` and `window`).
    pub(crate) years: (i32, Option<i32>),
    pub purpose: Purpose,
    pub legal_basis: Vec<Citation>,
    pub note: Option<I18nText>,
    pub params: Vec<Param>,
    pub rules: Vec<Arc<Rule>>,
    pub location: Location,
}

impl Version {
    /// The date a year is judged on: the last day of its counting window.
    pub fn reference_date(&self, year: i32) -> NaiveDate {
        self.window.dates(year).1
    }

    /// Whether this version judges `year` (its validity contains the end of that year's window).
    pub fn covers_year(&self, year: i32) -> bool {
        self.years.0 <= year && self.years.1.is_none_or(|l| year <= l)
    }

    /// The first and last evaluation years this version judges (the last is `None` while in force).
    pub fn years(&self) -> (i32, Option<i32>) {
        self.years
    }

    /// Computes [`Version::years`]: the years whose window ends inside `validity`.
    pub(crate) fn judged_years(validity: &Validity, window: &Window) -> (i32, Option<i32>) {
        let ends_inside = |y: i32| validity.contains(window.dates(y).1);
        let from = validity.from.year();
        let first = (from..from + 2)
            .find(|y| ends_inside(*y))
            .unwrap_or(from + 1);
        let last = validity.last_day().map(|d| {
            (d.year() - 1..=d.year())
                .rev()
                .find(|y| ends_inside(*y))
                .unwrap_or(d.year() - 1)
        });
        (first, last)
    }

    pub fn provisional_rules(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| r.confidence == Confidence::Provisional)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cross_the_year_when_needed() {
        let w = Window {
            from: (11, 16),
            to: (11, 15),
        };
        let (a, b) = w.dates(2024);
        assert_eq!(a, NaiveDate::from_ymd_opt(2023, 11, 16).unwrap());
        assert_eq!(b, NaiveDate::from_ymd_opt(2024, 11, 15).unwrap());
        let cal = Window {
            from: (1, 1),
            to: (12, 31),
        };
        assert_eq!(
            cal.dates(2024).0,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
        assert_eq!(Window::parse_day("11-16"), Some((11, 16)));
        assert_eq!(Window::parse_day("02-29"), None);
        assert_eq!(Window::parse_day("1-1"), None);
    }

    #[test]
    fn verdicts_combine_like_kleene_and() {
        use Verdict::*;
        assert_eq!(Met.and(Met), Met);
        assert_eq!(Met.and(Insufficient), Insufficient);
        assert_eq!(Insufficient.and(NotMet), NotMet);
        assert_eq!(Verdict::from_bool(None), Insufficient);
    }

    #[test]
    fn citations_read_like_the_law() {
        let c = Citation {
            document: "124/2021/TT-BCA".into(),
            article: Some("4".into()),
            clause: Some("3".into()),
            point: Some("a".into()),
            section: None,
        };
        assert_eq!(
            c.render("Thông tư 124/2021/TT-BCA", "vi"),
            "điểm a khoản 3 Điều 4 Thông tư 124/2021/TT-BCA"
        );
        assert_eq!(
            c.render("Circular 124/2021/TT-BCA", "en"),
            "Circular 124/2021/TT-BCA, art. 4(3)(a)"
        );
    }
}
