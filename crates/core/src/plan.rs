//! Plans and their targets (kế hoạch, chỉ tiêu) — DOMAIN.md §d.
//!
//! A [`Plan`] is a document (number, date, issuer, the unit whose territory it covers, title,
//! legal basis) with yearly [`Target`]s. Each target keeps its text as written and where it
//! stands in the plan, and is one of three kinds:
//!
//! - **count**: "43/85 communes meet advanced 19.2 by 2023" — at least `count` counted units
//!   meet the standard in the year;
//! - **share**: "99 % of communes meet 19.2 by 2025" — at least `ceil(share × counted)` do;
//! - **reduction**: "each district −5 % crimes against social order against 2019" — every
//!   counted unit's indicator is at most `baseline × (1 − percent)`.
//!
//! Plans are read from TOML files (`plans/*.toml`, see `docs/plans.md`); [`parse`] checks them
//! against the registry (standards and catalogue fields must exist) and says `path:line:column`.
//! The arithmetic is exact: percentages are hundredths of a percent ([`Percent`]) and every
//! comparison is done on integers, so 28,57 % and "at least 60 % of 7 districts" (5) come out
//! the way a person computes them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Message, SourceFile};
use crate::standard::Registry;
use crate::standard::file::{loc, toml_date, toml_error};
use crate::text::format_percent;
use crate::units::UnitKind;

/// A percentage with two decimals, kept exactly as hundredths of a percent: 28,57 % is 2857.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent(pub i64);

impl Percent {
    /// Parses "99", "28,57", "42.85", "5 %" (at most two decimals; 0 to 100).
    pub fn parse(s: &str) -> Option<Percent> {
        let s = s
            .trim()
            .trim_end_matches('%')
            .trim_end_matches('\u{a0}')
            .trim();
        let (int, frac) = match s.split_once([',', '.']) {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty()
            || int.len() > 3
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (s.contains([',', '.']) && frac.is_empty())
        {
            return None;
        }
        let int: i64 = int.parse().ok()?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let v = int * 100 + frac;
        (0..=10_000).contains(&v).then_some(Percent(v))
    }

    /// As Vietnamese documents write it: "99 %", "28,57 %".
    pub fn format(self) -> String {
        format_percent(self.0, 10_000)
    }
}

/// One plan, as read from its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// "85/KH-UBND", "926/QĐ-TTg".
    pub number: String,
    pub date: NaiveDate,
    /// "Ủy ban nhân dân tỉnh Trà Vinh".
    pub issuer: String,
    /// Official code of the unit whose territory the plan covers, on the plan's date; `None`:
    /// the whole country.
    pub scope: Option<String>,
    pub title: String,
    pub legal_basis: Vec<String>,
    /// Where the text was read (the document, or the article that reported it).
    pub source: String,
    pub note: Option<String>,
    pub targets: Vec<Target>,
}

/// One target of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Short identifier, unique in the plan ("2023-xa-nc").
    pub id: String,
    /// The sentence as written in the plan.
    pub text: String,
    /// Where it stands in the plan ("Mục II.2, gạch đầu dòng thứ hai").
    pub cites: String,
    /// The year by whose end the target is due.
    pub year: i32,
    pub measure: Measure,
    /// The units counted: their level, and optionally their types as written ("Xã", "Huyện").
    pub units: UnitKind,
    pub unit_types: Vec<String>,
    pub kind: TargetKind,
    pub note: Option<String>,
}

/// What a target measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Units recognised under (actual) or judged to meet (forecast) a standard of the registry.
    Standard(String),
    /// A yearly figure of the catalogue ("crimes_social_order"), summed over each counted unit.
    Indicator(String),
}

/// The three kinds of target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TargetKind {
    /// At least `count` units; `of` is the total the plan states ("43/85"), when it states one.
    Count { count: u32, of: Option<u32> },
    /// At least this share of the counted units.
    Share { share: Percent },
    /// Every counted unit at most `baseline × (1 − percent)` of its figure in `baseline_year`.
    Reduction {
        percent: Percent,
        baseline_year: i32,
    },
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Count { .. } => "count",
            TargetKind::Share { .. } => "share",
            TargetKind::Reduction { .. } => "reduction",
        }
    }
}

/// The number of units that must meet a count or share target out of `counted`: the count,
/// or the smallest whole number of units that is at least the share (60 % of 7 → 5).
/// A reduction needs every counted unit.
pub fn required(kind: TargetKind, counted: u32) -> u32 {
    match kind {
        TargetKind::Count { count, .. } => count,
        TargetKind::Share { share } => {
            let n = share.0 * i64::from(counted);
            u32::try_from((n + 9_999) / 10_000).unwrap_or(u32::MAX)
        }
        TargetKind::Reduction { .. } => counted,
    }
}

/// Whether a figure meets a reduction: `current ≤ baseline × (1 − percent)`, exactly
/// (a baseline of 0 is met only by 0).
pub fn reduction_met(current: i64, baseline: i64, percent: Percent) -> bool {
    i128::from(current) * 10_000 <= i128::from(baseline) * i128::from(10_000 - percent.0)
}

/// The change from `baseline` to `current` as Vietnamese documents print it ("-6,25 %"), or
/// `None` when the baseline is 0.
pub fn change_percent(current: i64, baseline: i64) -> Option<String> {
    (baseline != 0).then(|| format_percent(current - baseline, baseline))
}

/// Where a target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// vượt: more units than required.
    Exceeded,
    /// đạt.
    Met,
    /// chưa đạt.
    NotMet,
    /// chưa đủ dữ liệu: a figure the target needs was not entered.
    Unknown,
}

impl Status {
    /// The status of `achieved` units against `required`; `None` (not known) is [`Status::Unknown`].
    pub fn of(achieved: Option<u32>, required: u32) -> Status {
        match achieved {
            None => Status::Unknown,
            Some(a) if a > required => Status::Exceeded,
            Some(a) if a == required => Status::Met,
            Some(_) => Status::NotMet,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exceeded => "exceeded",
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
        }
    }

    /// The locale key of the status's label ("đạt", "vượt", …).
    pub fn label_key(self) -> &'static str {
        match self {
            Status::Exceeded => "plan.status.exceeded",
            Status::Met => "plan.status.met",
            Status::NotMet => "plan.status.not_met",
            Status::Unknown => "plan.status.unknown",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The file format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    plan: Spanned<PlanDoc>,
    #[serde(default)]
    targets: Vec<Spanned<TargetDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanDoc {
    number: Spanned<String>,
    date: Spanned<toml::value::Datetime>,
    issuer: Spanned<String>,
    scope: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    legal_basis: Vec<String>,
    source: Spanned<String>,
    note: Option<String>,
}

/// A percentage written as a number (99) or a string ("28,57").
#[derive(Deserialize)]
#[serde(untagged)]
enum PercentDoc {
    Int(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetDoc {
    id: Spanned<String>,
    text: Spanned<String>,
    cites: Spanned<String>,
    year: Spanned<i32>,
    standard: Option<Spanned<String>>,
    indicator: Option<Spanned<String>>,
    units: Spanned<String>,
    #[serde(default)]
    unit_types: Vec<String>,
    count: Option<Spanned<u32>>,
    of: Option<Spanned<u32>>,
    share: Option<Spanned<PercentDoc>>,
    reduction: Option<Spanned<PercentDoc>>,
    baseline_year: Option<Spanned<i32>>,
    note: Option<String>,
}

fn percent(file: &SourceFile, p: &Spanned<PercentDoc>) -> Result<Percent, Diagnostic> {
    let text = match p.get_ref() {
        PercentDoc::Int(i) => i.to_string(),
        PercentDoc::Text(t) => t.clone(),
    };
    Percent::parse(&text).ok_or_else(|| {
        Diagnostic::at(
            loc(file, p.span()),
            Message::new("plan.err.percent").arg("found", text),
        )
    })
}

fn required_text(file: &SourceFile, s: &Spanned<String>, field: &str) -> Option<Diagnostic> {
    s.get_ref().trim().is_empty().then(|| {
        Diagnostic::at(
            loc(file, s.span()),
            Message::new("plan.err.empty").arg("field", field.to_owned()),
        )
    })
}

/// Reads a plan file and checks it against `reg`: every problem, each with its place.
pub fn parse(file: &SourceFile, reg: &Registry) -> Result<Plan, Vec<Diagnostic>> {
    let doc: FileDoc = toml::from_str(&file.text).map_err(|e| vec![toml_error(file, &e)])?;
    let mut errors = Vec::new();
    let p = doc.plan.into_inner();
    for (s, name) in [
        (&p.number, "number"),
        (&p.issuer, "issuer"),
        (&p.title, "title"),
        (&p.source, "source"),
    ] {
        errors.extend(required_text(file, s, name));
    }
    let date = toml_date(file, &p.date).map_err(|e| errors.push(e)).ok();
    let mut targets = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for t in doc.targets {
        let span = t.span();
        match target(file, reg, t.into_inner()) {
            Ok(t) => {
                if !seen.insert(t.id.clone()) {
                    errors.push(Diagnostic::at(
                        loc(file, span),
                        Message::new("plan.err.duplicate_target").arg("id", t.id.clone()),
                    ));
                }
                targets.push(t);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if targets.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::at(
            file.location(0),
            Message::new("plan.err.no_targets"),
        ));
    }
    if let Some(s) = &p.scope
        && s.get_ref().trim().is_empty()
    {
        errors.extend(required_text(file, s, "scope"));
    }
    match (errors.is_empty(), date) {
        (true, Some(date)) => Ok(Plan {
            number: p.number.into_inner().trim().to_owned(),
            date,
            issuer: p.issuer.into_inner(),
            scope: p.scope.map(|s| s.into_inner().trim().to_owned()),
            title: p.title.into_inner(),
            legal_basis: p.legal_basis,
            source: p.source.into_inner(),
            note: p.note,
            targets,
        }),
        _ => Err(errors),
    }
}

fn target(file: &SourceFile, reg: &Registry, t: TargetDoc) -> Result<Target, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let at = |span: std::ops::Range<usize>, m: Message| Diagnostic::at(loc(file, span), m);
    for (s, name) in [(&t.id, "id"), (&t.text, "text"), (&t.cites, "cites")] {
        errors.extend(required_text(file, s, name));
    }
    let year = *t.year.get_ref();
    if !(2000..=2100).contains(&year) {
        errors.push(at(
            t.year.span(),
            Message::new("plan.err.year").arg("found", year.to_string()),
        ));
    }
    let units = UnitKind::parse(t.units.get_ref());
    if units.is_none() {
        let all: Vec<&str> = UnitKind::ALL.iter().map(|k| k.as_str()).collect();
        errors.push(at(
            t.units.span(),
            Message::new("plan.err.units")
                .arg("found", t.units.get_ref().clone())
                .arg("expected", all.join(", ")),
        ));
    }
    let measure = match (&t.standard, &t.indicator) {
        (Some(s), None) => {
            if !reg.standard_ids().iter().any(|id| id == s.get_ref()) {
                errors.push(at(
                    s.span(),
                    Message::new("plan.err.unknown_standard").arg("found", s.get_ref().clone()),
                ));
            }
            Some(Measure::Standard(s.get_ref().clone()))
        }
        (None, Some(i)) => {
            if reg.catalogue().field(i.get_ref()).is_none() {
                errors.push(at(
                    i.span(),
                    Message::new("plan.err.unknown_indicator").arg("found", i.get_ref().clone()),
                ));
            }
            Some(Measure::Indicator(i.get_ref().clone()))
        }
        _ => {
            errors.push(at(
                t.id.span(),
                Message::new("plan.err.measure").arg("id", t.id.get_ref().clone()),
            ));
            None
        }
    };
    let kind = match (&t.count, &t.share, &t.reduction) {
        (Some(c), None, None) => {
            let of = t.of.as_ref().map(|o| *o.get_ref());
            if let Some(o) = &t.of
                && *o.get_ref() < *c.get_ref()
            {
                errors.push(at(
                    o.span(),
                    Message::new("plan.err.of")
                        .arg("count", c.get_ref().to_string())
                        .arg("of", o.get_ref().to_string()),
                ));
            }
            Some(TargetKind::Count {
                count: *c.get_ref(),
                of,
            })
        }
        (None, Some(s), None) => percent(file, s)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|share| TargetKind::Share { share }),
        (None, None, Some(r)) => {
            let p = percent(file, r).map_err(|e| errors.push(e)).ok();
            let baseline = t.baseline_year.as_ref().map(|b| *b.get_ref());
            match baseline {
                Some(b) if b < year => {}
                _ => errors.push(at(
                    t.baseline_year.as_ref().map_or(r.span(), |b| b.span()),
                    Message::new("plan.err.baseline").arg("year", year.to_string()),
                )),
            }
            if !matches!(measure, Some(Measure::Indicator(_)) | None) {
                errors.push(at(r.span(), Message::new("plan.err.reduction_indicator")));
            }
            p.zip(baseline)
                .map(|(percent, baseline_year)| TargetKind::Reduction {
                    percent,
                    baseline_year,
                })
        }
        _ => {
            errors.push(at(
                t.id.span(),
                Message::new("plan.err.kind").arg("id", t.id.get_ref().clone()),
            ));
            None
        }
    };
    if matches!(
        kind,
        Some(TargetKind::Count { .. } | TargetKind::Share { .. })
    ) && matches!(measure, Some(Measure::Indicator(_)))
    {
        errors.push(at(t.id.span(), Message::new("plan.err.count_standard")));
    }
    if let (true, Some(measure), Some(units), Some(kind)) =
        (errors.is_empty(), measure, units, kind)
    {
        Ok(Target {
            id: t.id.into_inner(),
            text: t.text.into_inner(),
            cites: t.cites.into_inner(),
            year,
            measure,
            units,
            unit_types: t.unit_types,
            kind,
            note: t.note,
        })
    } else {
        Err(errors)
    }
}

/// The plans shipped with the product (`plans/*.toml`): file name and text.
pub fn builtin_files() -> Vec<SourceFile> {
    [
        (
            "plans/qd-926-qd-ttg.toml",
            include_str!("../../../plans/qd-926-qd-ttg.toml"),
        ),
        (
            "plans/kh-85-kh-ubnd-tra-vinh.toml",
            include_str!("../../../plans/kh-85-kh-ubnd-tra-vinh.toml"),
        ),
        (
            "plans/kh-272-kh-ubnd-yen-bai.toml",
            include_str!("../../../plans/kh-272-kh-ubnd-yen-bai.toml"),
        ),
    ]
    .into_iter()
    .map(|(p, t)| SourceFile::new(p, t))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_parse_exactly_and_print_as_documents_do() {
        assert_eq!(Percent::parse("99"), Some(Percent(9900)));
        assert_eq!(Percent::parse("28,57"), Some(Percent(2857)));
        assert_eq!(Percent::parse("42.85 %"), Some(Percent(4285)));
        assert_eq!(Percent::parse("5,5"), Some(Percent(550)));
        for bad in ["", "101", "28,571", "x", "-5", "5,", ",5", "1.000"] {
            assert_eq!(Percent::parse(bad), None, "{bad}");
        }
        assert_eq!(Percent(2857).format(), "28,57\u{a0}%");
        assert_eq!(Percent(9900).format(), "99\u{a0}%");
    }

    #[test]
    fn the_plans_own_figures() {
        // KH 85: 2/7 districts "đạt 28,57%"; 3/7 is 42,857… → 42,86 % (the plan prints 42,85 %).
        assert_eq!(format_percent(2, 7), "28,57\u{a0}%");
        assert_eq!(format_percent(3, 7), "42,86\u{a0}%");
        // QĐ 926: at least 60 % of 7 districts is 5 (4,2 → 5), 25 % of 7 is 2, 99 % of 85 is 85.
        let share = |p| TargetKind::Share { share: Percent(p) };
        assert_eq!(required(share(6000), 7), 5);
        assert_eq!(required(share(2500), 7), 2);
        assert_eq!(required(share(9900), 85), 85);
        assert_eq!(required(share(5000), 84), 42);
        assert_eq!(Status::of(Some(43), 43), Status::Met);
        assert_eq!(Status::of(Some(44), 43), Status::Exceeded);
        assert_eq!(Status::of(Some(42), 43), Status::NotMet);
        assert_eq!(Status::of(None, 43), Status::Unknown);
        // −5 % against 2019: 100 → 95 is met, 96 is not; 0 stays 0.
        assert!(reduction_met(95, 100, Percent(500)));
        assert!(!reduction_met(96, 100, Percent(500)));
        assert!(reduction_met(0, 0, Percent(500)));
        assert!(!reduction_met(1, 0, Percent(500)));
        assert_eq!(change_percent(15, 16).as_deref(), Some("-6,25\u{a0}%"));
        assert_eq!(change_percent(3, 0), None);
    }

    #[test]
    fn shipped_plans_load() {
        for f in builtin_files() {
            let p = parse(&f, Registry::builtin())
                .unwrap_or_else(|e| panic!("{}", crate::diag::render_all(&e, "vi")));
            assert!(!p.targets.is_empty(), "{}", f.path);
        }
    }

    #[test]
    fn errors_say_where_and_what() {
        let f = SourceFile::new(
            "x.toml",
            "[plan]\nnumber = \"1/KH\"\ndate = 2022-12-06\nissuer = \"UBND\"\ntitle = \"t\"\nsource = \"s\"\n\n[[targets]]\nid = \"a\"\ntext = \"t\"\ncites = \"c\"\nyear = 2023\nstandard = \"ntm-xa-19.3\"\nunits = \"commune\"\nshare = \"99,999\"\n",
        );
        let e = parse(&f, Registry::builtin()).unwrap_err();
        let text = crate::diag::render_all(&e, "vi");
        assert!(
            text.contains("x.toml:13:12") && text.contains("ntm-xa-19.3"),
            "{text}"
        );
        assert!(
            text.contains("x.toml:15:9") && text.contains("99,999"),
            "{text}"
        );
        let f = SourceFile::new("y.toml", "[plan]\nnumber = 1\n");
        let e = parse(&f, Registry::builtin()).unwrap_err();
        assert!(
            e[0].render("vi").starts_with("y.toml:2:"),
            "{}",
            e[0].render("vi")
        );
    }

    proptest! {
        /// The required count is the smallest whole number of units at or above the share.
        #[test]
        fn required_is_the_smallest_count_at_or_above_the_share(p in 0i64..=10_000, n in 0u32..5_000) {
            let r = required(TargetKind::Share { share: Percent(p) }, n);
            prop_assert!(i64::from(r) * 10_000 >= p * i64::from(n));
            if r > 0 {
                prop_assert!(i64::from(r - 1) * 10_000 < p * i64::from(n));
            }
            prop_assert!(r <= n);
        }

        /// A reduction is met exactly when the decrease is at least the percentage.
        #[test]
        fn reduction_agrees_with_exact_rational_comparison(cur in 0i64..100_000, base in 0i64..100_000, p in 0i64..=10_000) {
            let met = reduction_met(cur, base, Percent(p));
            // (base − cur) / base ≥ p / 10000  ⇔  cur · 10000 ≤ base · (10000 − p), for base > 0
            if base > 0 {
                prop_assert_eq!(met, (base - cur) * 10_000 >= p * base);
            } else {
                prop_assert_eq!(met, cur == 0);
            }
        }

        /// `format_percent` rounds half away from zero on the exact decimal value: the third
        /// decimal of the percentage (long division, no floats) decides, and the sign is
        /// symmetric.
        #[test]
        fn percent_formatting_rounds_the_exact_decimal(n in 0i64..1_000_000, d in 1i64..100_000) {
            let truncated = n * 10_000 / d; // hundredths of a percent, truncated
            let third = (n * 100_000 / d) % 10;
            let expected = truncated + i64::from(third >= 5);
            let printed = format_percent(n, d);
            prop_assert_eq!(Percent::parse(&printed).map(|p| p.0).or_else(|| {
                // above 100 %: read the digits back without the range check
                let s = printed.trim_end_matches('%').trim_end_matches('\u{a0}').replace('.', "");
                let (i, f) = s.split_once(',').unwrap_or((&s, "00"));
                Some(i.parse::<i64>().ok()? * 100 + f.parse::<i64>().ok()?)
            }), Some(expected));
            if expected != 0 {
                prop_assert_eq!(format_percent(-n, d), format!("-{printed}"));
            }
        }

        /// Parsing a printed percentage gives it back; every 0–2 decimal form parses.
        #[test]
        fn percent_round_trips(v in 0i64..=10_000) {
            let printed = Percent(v).format();
            prop_assert_eq!(Percent::parse(&printed), Some(Percent(v)));
            let plain = format!("{}.{:02}", v / 100, v % 100);
            prop_assert_eq!(Percent::parse(&plain), Some(Percent(v)));
        }

        /// The parser never panics and accepts only what it can print back.
        #[test]
        fn percent_parser_is_total(s in "\\PC{0,12}") {
            if let Some(p) = Percent::parse(&s) {
                prop_assert!((0..=10_000).contains(&p.0));
            }
        }
    }
}
