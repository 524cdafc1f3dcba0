//! Traces and explanations: what a verdict was based on (facts with who entered them and when,
//! parameters with their dates, the verdicts of other standards, the article), as JSON and as
//! sentences in Vietnamese and English, e.g. "17/25 … (68 %), cần tối thiểu 18 (70 %) — khoản 4
//! Điều 5 Thông tư 124/2021/TT-BCA: chưa đạt".

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use crate::catalogue::FieldType;
use crate::diag::{I18nText, tr};
use crate::fact::{FieldId, UnitInput, UnitRef, Value};
use crate::text::{format_date, format_int, format_percent, format_ratio};

use super::check::{ChoiceSrc, Piece, Rat, Template, Ty};
use super::eval::{Evaluator, Frame, Missing, Session, Sink, V};
use super::model::{
    Citation, Confidence, ParamType, ParamValue, Purpose, Rule, RuleKind, Verdict, Version,
};
use super::registry::Registry;

/// The verdict of one standard for one unit and year, with its rules.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub unit: UnitRef,
    pub year: i32,
    pub standard: StandardInfo,
    pub verdict: Verdict,
    /// "đạt" / "chưa đạt" / "chưa đủ dữ liệu" (or the wording of a warning).
    pub verdict_text: I18nText,
    /// One sentence for the whole standard (only when explained).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<I18nText>,
    pub rules: Vec<RuleResult>,
    /// Explained evaluations of the other standards and units the rules relied on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Evaluation>,
}

/// Which version judged, and its legal frame for the year.
#[derive(Clone, Debug, Serialize)]
pub struct StandardInfo {
    pub id: String,
    pub version: u32,
    pub name: I18nText,
    pub jurisdiction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub purpose: Purpose,
    pub valid_from: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
    pub legal_basis: Vec<CitationOut>,
    pub provisional_rules: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<I18nText>,
}

/// A citation with its rendered text.
#[derive(Clone, Debug, Serialize)]
pub struct CitationOut {
    #[serde(flatten)]
    pub citation: Citation,
    pub text: I18nText,
}

/// The verdict of one rule.
#[derive(Clone, Debug, Serialize)]
pub struct RuleResult {
    pub id: String,
    pub title: I18nText,
    pub kind: RuleKind,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<I18nText>,
    pub verdict: Verdict,
    /// The explanation with the actual values, the article and the verdict (only when explained).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<I18nText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<CitationOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<RuleTrace>,
}

/// What a rule read.
#[derive(Clone, Debug, Serialize)]
pub struct RuleTrace {
    pub source: String,
    pub values: Vec<NamedValue>,
    pub facts: Vec<FactUse>,
    pub parameters: Vec<ParamUse>,
    pub sub_verdicts: Vec<SubVerdict>,
    pub missing: Vec<MissingItem>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamedValue {
    pub name: String,
    pub value: serde_json::Value,
    pub text: I18nText,
}

/// A fact read, with its provenance.
#[derive(Clone, Debug, Serialize)]
pub struct FactUse {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub key: String,
    pub label: I18nText,
    pub value: serde_json::Value,
    pub text: I18nText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<String>,
}

/// A parameter read, with the date its value took effect and its source.
#[derive(Clone, Debug, Serialize)]
pub struct ParamUse {
    pub key: String,
    pub label: I18nText,
    pub value: serde_json::Value,
    pub text: I18nText,
    pub valid_from: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<CitationOut>,
    pub file: String,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<I18nText>,
}

/// The verdict of another standard that a rule relied on.
#[derive(Clone, Debug, Serialize)]
pub struct SubVerdict {
    pub unit_code: String,
    pub unit_name: String,
    pub standard: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    pub verdict: Verdict,
    pub text: I18nText,
}

/// A fact the rule needed and did not find.
#[derive(Clone, Debug, Serialize)]
pub struct MissingItem {
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub text: I18nText,
}

impl RuleResult {
    /// A verdict without explanation (the fast path).
    pub(crate) fn bare(rule: &Rule, verdict: Verdict) -> RuleResult {
        RuleResult {
            id: rule.id.clone(),
            title: rule.title.clone(),
            kind: rule.kind,
            confidence: rule.confidence,
            evidence: rule.evidence.clone(),
            note: rule.note.clone(),
            verdict,
            sentence: None,
            citation: None,
            trace: None,
        }
    }
}

fn both(f: impl Fn(&str) -> String) -> I18nText {
    I18nText {
        vi: f("vi"),
        en: f("en"),
    }
}

/// Renders a citation in both languages.
pub(crate) fn citation(reg: &Registry, c: &Citation) -> CitationOut {
    let src = reg.source(&c.document);
    CitationOut {
        citation: c.clone(),
        text: both(|l| {
            let title = src.map_or(c.document.as_str(), |s| s.title.get(l));
            c.render(title, l)
        }),
    }
}

/// How a value is shown to people.
pub(crate) fn show(reg: &Registry, version: &Version, v: V, ty: Ty, locale: &str) -> String {
    match v {
        V::Unknown => tr(locale, "std.value.unknown", &[]),
        V::Absent => tr(locale, "std.value.absent", &[]),
        V::Int(i) => match ty {
            Ty::Pct => format_percent(i, 1),
            Ty::Year => i.to_string(),
            _ => format_int(i),
        },
        V::Rat(r) => match ty {
            Ty::Pct => percent(r),
            _ => number(r),
        },
        V::Bool(b) => tr(
            locale,
            if b { "std.value.yes" } else { "std.value.no" },
            &[],
        ),
        V::Date(d) => format_date(d),
        V::Text(t) => t.to_owned(),
        V::Choice(c) => choice_label(reg, version, ty, c, locale),
        V::Kind(k) => {
            if locale == "en" {
                k.label_en().to_owned()
            } else {
                k.label_vi().to_owned()
            }
        }
        V::Period(a, b) => format!("{} – {}", format_date(a), format_date(b)),
        V::Doc(d) => tr(
            locale,
            "std.value.document",
            &[
                ("number", d.number.clone()),
                ("date", format_date(d.date)),
                ("issuer", d.issuer.clone()),
            ],
        ),
        V::Judg(j) => tr(
            locale,
            if j.value {
                "std.value.judged_yes"
            } else {
                "std.value.judged_no"
            },
            &[("reason", j.reason.clone())],
        ),
    }
}

fn percent(r: Rat) -> String {
    match (i64::try_from(r.n), i64::try_from(r.d)) {
        (Ok(n), Ok(d)) if n.checked_mul(100).is_some() => format_percent(n, d),
        _ => format!("{:.2}\u{a0}%", r.n as f64 * 100.0 / r.d as f64),
    }
}

fn number(r: Rat) -> String {
    match (i64::try_from(r.n), i64::try_from(r.d)) {
        (Ok(n), Ok(d)) if n.checked_mul(100).is_some() => {
            let s = format_ratio(n, d, 2);
            s.strip_suffix(",00").map(str::to_owned).unwrap_or(s)
        }
        _ => format!("{:.2}", r.n as f64 / r.d as f64),
    }
}

fn choice_label(reg: &Registry, version: &Version, ty: Ty, c: u16, locale: &str) -> String {
    let from_type = |t: &FieldType| match t {
        FieldType::Choice { choices } => choices
            .get(c as usize)
            .map(|x| x.label.get(locale).to_owned()),
        _ => None,
    };
    let label = match ty {
        Ty::Choice(ChoiceSrc::Fact(id)) => from_type(&reg.catalogue().by_id(id).ty),
        Ty::Choice(ChoiceSrc::Rec(id, ix)) => match &reg.catalogue().by_id(id).ty {
            FieldType::List { record } => from_type(&record.fields[ix as usize].ty),
            _ => None,
        },
        Ty::Choice(ChoiceSrc::Param(ix)) => match &version.params[ix as usize].ty {
            ParamType::Choice { choices } => choices
                .get(c as usize)
                .map(|x| x.label.get(locale).to_owned()),
            _ => None,
        },
        _ => None,
    };
    label.unwrap_or_else(|| c.to_string())
}

/// A value as JSON.
fn json_value(v: V) -> serde_json::Value {
    match v {
        V::Unknown => serde_json::Value::Null,
        V::Absent => json!({"absent": true}),
        V::Int(i) => json!(i),
        V::Rat(r) => json!({"num": r.n as i64, "den": r.d as i64}),
        V::Bool(b) => json!(b),
        V::Date(d) => json!(d.to_string()),
        V::Text(t) => json!(t),
        V::Choice(c) => json!(c),
        V::Kind(k) => json!(k.as_str()),
        V::Period(a, b) => json!([a.to_string(), b.to_string()]),
        V::Doc(d) => serde_json::to_value(d).unwrap_or_default(),
        V::Judg(j) => serde_json::to_value(j).unwrap_or_default(),
    }
}

fn unit_label(u: &UnitRef) -> String {
    format!("{} ({})", u.name, u.code)
}

impl<'a> Evaluator<'_, 'a> {
    fn render(&mut self, pieces: &'a [Piece], frame: Frame<'a>, locale: &str) -> String {
        let mut s = String::new();
        for p in pieces {
            match p {
                Piece::Lit(l) => s.push_str(l),
                Piece::Hole(c, ty) => {
                    let v = self.eval(c, frame);
                    s.push_str(&show(self.session.reg, self.version, v, *ty, locale));
                }
            }
        }
        s
    }

    fn template(&mut self, t: &'a Template, frame: Frame<'a>) -> I18nText {
        I18nText {
            vi: self.render(&t.vi, frame, "vi"),
            en: self.render(&t.en, frame, "en"),
        }
    }
}

/// Explains one evaluated rule: its sentence and its trace.
pub(crate) fn explain_rule<'a>(
    ev: &mut Evaluator<'_, 'a>,
    unit: &'a UnitInput,
    rule: &'a Rule,
    verdict: Verdict,
    frame: Frame<'a>,
    param_ix: &[usize],
) -> RuleResult {
    let reg = ev.session.reg;
    let version = ev.version;
    let year = frame.year;
    let template = match verdict {
        Verdict::Met => rule.met.as_ref(),
        Verdict::NotMet => rule.not_met.as_ref(),
        Verdict::Insufficient => rule.insufficient.as_ref(),
    };
    let body = template.map(|t| ev.template(t, frame));
    let sink = ev.sink.take().unwrap_or_default();
    let missing = missing_items(reg, unit, year, &sink);
    let body = match (body, verdict) {
        (Some(b), Verdict::Insufficient) if !missing.is_empty() => both(|l| {
            format!(
                "{} ({})",
                b.get(l),
                tr(
                    l,
                    "std.sentence.missing_list",
                    &[("list", join_missing(&missing, l))]
                )
            )
        }),
        (Some(b), _) => b,
        (None, _) => default_sentence(reg, rule, unit, verdict, &sink, &missing, frame),
    };
    let cit = citation(reg, &rule.citation);
    let sentence = both(|l| {
        format!(
            "{} — {}: {}",
            body.get(l),
            cit.text.get(l),
            verdict.label(version.purpose, l)
        )
    });
    let values = rule
        .locals
        .iter()
        .zip(&ev.locals)
        .map(|(l, v)| NamedValue {
            name: l.name.clone(),
            value: json_value(*v),
            text: both(|loc| show(reg, version, *v, l.ty, loc)),
        })
        .collect();
    let facts = sink
        .facts
        .iter()
        .map(|(u, y, id)| fact_use(reg, u, *y, *id))
        .collect();
    let parameters = sink
        .params
        .iter()
        .map(|ix| {
            param_use(
                reg,
                version,
                *ix as usize,
                param_ix[*ix as usize],
                ev.params[*ix as usize],
            )
        })
        .collect();
    let sub_verdicts = sink
        .subs
        .iter()
        .map(|(u, ix, v, ver)| {
            let id = reg.standard_id(*ix).to_owned();
            SubVerdict {
                unit_code: u.unit.code.clone(),
                unit_name: u.unit.name.clone(),
                standard: id.clone(),
                version: ver.map(|v| v.version),
                verdict: *v,
                text: both(|l| sub_sentence(u, &id, *v, *ver, year, l)),
            }
        })
        .collect();
    RuleResult {
        sentence: Some(sentence),
        citation: Some(cit),
        trace: Some(RuleTrace {
            source: rule.source.clone(),
            values,
            facts,
            parameters,
            sub_verdicts,
            missing,
        }),
        ..RuleResult::bare(rule, verdict)
    }
}

fn sub_sentence(
    u: &UnitInput,
    id: &str,
    v: Verdict,
    ver: Option<&Version>,
    year: i32,
    l: &str,
) -> String {
    match ver {
        Some(ver) => tr(
            l,
            "std.sentence.sub_verdict",
            &[
                ("unit", unit_label(&u.unit)),
                ("verdict", v.label(ver.purpose, l)),
                ("standard", ver.name.get(l).to_owned()),
                ("version", ver.version.to_string()),
                ("year", year.to_string()),
            ],
        ),
        None => tr(
            l,
            "std.sentence.not_applicable",
            &[
                ("unit", unit_label(&u.unit)),
                ("standard", id.to_owned()),
                ("year", year.to_string()),
            ],
        ),
    }
}

fn default_sentence(
    reg: &Registry,
    rule: &Rule,
    unit: &UnitInput,
    verdict: Verdict,
    sink: &Sink,
    missing: &[MissingItem],
    frame: Frame,
) -> I18nText {
    match (rule.kind, verdict) {
        (_, Verdict::Insufficient) if rule.kind == RuleKind::Judged => {
            both(|l| tr(l, "std.sentence.judgement_missing", &[]))
        }
        (RuleKind::Judged, _) => {
            let judgement =
                sink.facts
                    .iter()
                    .find_map(|(u, y, id)| match u.facts(*y)?.get(*id)?.value {
                        Value::Judgement(ref j) => Some(j.clone()),
                        _ => None,
                    });
            both(|l| match &judgement {
                Some(j) => {
                    let mut s = tr(
                        l,
                        if j.value {
                            "std.sentence.judged_yes"
                        } else {
                            "std.sentence.judged_no"
                        },
                        &[("reason", j.reason.clone())],
                    );
                    if let Some(r) = &j.reviewer {
                        s.push_str(&format!(" ({r}"));
                        if let Some(d) = j.date {
                            s.push_str(&format!(", {}", format_date(d)));
                        }
                        s.push(')');
                    }
                    s
                }
                None => tr(l, "std.sentence.judgement_missing", &[]),
            })
        }
        (RuleKind::Standard, _) if !sink.subs.is_empty() => {
            let (u, ix, v, ver) = sink.subs[0];
            let id = reg.standard_id(ix);
            both(|l| sub_sentence(u, id, v, ver, frame.year, l))
        }
        (_, Verdict::Insufficient) => both(|l| {
            tr(
                l,
                "std.sentence.insufficient",
                &[("list", join_missing(missing, l))],
            )
        }),
        _ => both(|l| {
            tr(
                l,
                "std.sentence.plain",
                &[
                    ("unit", unit_label(&unit.unit)),
                    ("title", rule.title.get(l).to_owned()),
                ],
            )
        }),
    }
}

fn join_missing(missing: &[MissingItem], l: &str) -> String {
    if missing.is_empty() {
        return tr(l, "std.sentence.no_missing", &[]);
    }
    const SHOWN: usize = 8;
    let mut parts: Vec<&str> = missing.iter().take(SHOWN).map(|m| m.text.get(l)).collect();
    let more;
    if missing.len() > SHOWN {
        more = tr(
            l,
            "std.sentence.and_more",
            &[("count", (missing.len() - SHOWN).to_string())],
        );
        parts.push(&more);
    }
    parts.join("; ")
}

fn missing_items(reg: &Registry, unit: &UnitInput, year: i32, sink: &Sink) -> Vec<MissingItem> {
    sink.missing
        .iter()
        .map(|m| match *m {
            Missing::Fact(u, y, id) => {
                let label = reg.catalogue().label(id, y);
                let key = reg.catalogue().by_id(id).key.clone();
                MissingItem {
                    unit_code: u.unit.code.clone(),
                    unit_name: u.unit.name.clone(),
                    year: Some(y),
                    key: Some(key),
                    text: both(|l| {
                        let mut s = label.get(l).to_owned();
                        let other_unit = !std::ptr::eq(u, unit);
                        match (other_unit, y != year) {
                            (true, true) => s.push_str(&format!(" ({}, {y})", u.unit.name)),
                            (true, false) => s.push_str(&format!(" ({})", u.unit.name)),
                            (false, true) => s.push_str(&format!(" ({y})")),
                            (false, false) => {}
                        }
                        s
                    }),
                }
            }
            Missing::Subunits(u) => MissingItem {
                unit_code: u.unit.code.clone(),
                unit_name: u.unit.name.clone(),
                year: None,
                key: None,
                text: both(|l| {
                    tr(
                        l,
                        "std.sentence.missing_subunits",
                        &[("unit", unit_label(&u.unit))],
                    )
                }),
            },
            Missing::NotApplicable(u, ix) => MissingItem {
                unit_code: u.unit.code.clone(),
                unit_name: u.unit.name.clone(),
                year: None,
                key: None,
                text: both(|l| {
                    tr(
                        l,
                        "std.sentence.not_applicable",
                        &[
                            ("unit", unit_label(&u.unit)),
                            ("standard", reg.standard_id(ix).to_owned()),
                            ("year", year.to_string()),
                        ],
                    )
                }),
            },
        })
        .collect()
}

fn fact_use(reg: &Registry, u: &UnitInput, year: i32, id: FieldId) -> FactUse {
    let entry = u.facts(year).and_then(|f| f.get(id));
    let field = reg.catalogue().by_id(id);
    let (value, text) = match entry.map(|e| &e.value) {
        Some(Value::List(rs)) => (
            json!({"records": rs.len()}),
            both(|l| {
                tr(
                    l,
                    "std.value.records",
                    &[("count", format_int(rs.len() as i64))],
                )
            }),
        ),
        Some(Value::Choice(c)) => {
            let label = match &field.ty {
                FieldType::Choice { choices } => choices.get(*c as usize).map(|x| x.label.clone()),
                _ => None,
            };
            let key = match &field.ty {
                FieldType::Choice { choices } => choices.get(*c as usize).map(|x| x.key.clone()),
                _ => None,
            };
            (json!(key), label.unwrap_or_default())
        }
        Some(v) => {
            let v = V::from_value(v);
            let ty = match v {
                V::Int(_) => Ty::Int,
                _ => Ty::Text,
            };
            (json_value(v), both(|l| show_plain(v, ty, l)))
        }
        None => (
            serde_json::Value::Null,
            both(|l| tr(l, "std.value.unknown", &[])),
        ),
    };
    let prov = entry.and_then(|e| e.provenance.as_deref());
    FactUse {
        unit_code: u.unit.code.clone(),
        unit_name: u.unit.name.clone(),
        year,
        key: field.key.clone(),
        label: reg.catalogue().label(id, year).clone(),
        value,
        text,
        entered_by: prov.and_then(|p| p.entered_by.clone()),
        entered_at: prov.and_then(|p| p.entered_at.clone()),
    }
}

/// `show` for values that need no registry (facts other than choices).
fn show_plain(v: V, ty: Ty, l: &str) -> String {
    match v {
        V::Int(i) if ty == Ty::Int => format_int(i),
        V::Bool(b) => tr(l, if b { "std.value.yes" } else { "std.value.no" }, &[]),
        V::Date(d) => format_date(d),
        V::Text(t) => t.to_owned(),
        V::Absent => tr(l, "std.value.absent", &[]),
        V::Doc(d) => tr(
            l,
            "std.value.document",
            &[
                ("number", d.number.clone()),
                ("date", format_date(d.date)),
                ("issuer", d.issuer.clone()),
            ],
        ),
        V::Judg(j) => tr(
            l,
            if j.value {
                "std.value.judged_yes"
            } else {
                "std.value.judged_no"
            },
            &[("reason", j.reason.clone())],
        ),
        _ => String::new(),
    }
}

fn param_use(reg: &Registry, version: &Version, ix: usize, value_ix: usize, v: V) -> ParamUse {
    let p = &version.params[ix];
    let dv = &p.values[value_ix];
    let ty = match (&p.ty, dv.value.clone()) {
        (ParamType::Percent, _) => Ty::Pct,
        (ParamType::Choice { .. }, ParamValue::Choice(_)) => {
            Ty::Choice(ChoiceSrc::Param(ix as u16))
        }
        (ParamType::Bool, _) => Ty::Bool,
        (ParamType::Year, _) => Ty::Year,
        _ => Ty::Int,
    };
    let text = both(|l| show(reg, version, v, ty, l));
    ParamUse {
        key: p.key.clone(),
        label: p.label.clone(),
        value: match v {
            V::Choice(c) => match &p.ty {
                ParamType::Choice { choices } => json!(choices[c as usize].key),
                _ => json!(c),
            },
            v => json_value(v),
        },
        text,
        valid_from: dv.from,
        citation: dv.citation.as_ref().map(|c| citation(reg, c)),
        file: dv.file.clone(),
        confidence: p.confidence,
        note: p.note.clone(),
    }
}

/// Puts an evaluation together.
pub(crate) fn evaluation(
    session: &Session,
    unit: &UnitInput,
    version: &Version,
    verdict: Verdict,
    rules: Vec<RuleResult>,
    explain: bool,
) -> Evaluation {
    let reg = session.reg;
    let year = session.year;
    let (wf, wt) = version.window.dates(year);
    let standard = StandardInfo {
        id: version.id.clone(),
        version: version.version,
        name: version.name.clone(),
        jurisdiction: version.jurisdiction.as_str().to_owned(),
        extends: version.extends.as_ref().map(|(id, v)| format!("{id}@{v}")),
        purpose: version.purpose,
        valid_from: version.validity.from,
        valid_until: version.validity.last_day(),
        window_from: wf,
        window_to: wt,
        legal_basis: if explain {
            version
                .legal_basis
                .iter()
                .map(|c| citation(reg, c))
                .collect()
        } else {
            vec![]
        },
        provisional_rules: version.provisional_rules(),
        note: version.note.clone(),
    };
    let summary = explain.then(|| {
        let count = |v: Verdict| rules.iter().filter(|r| r.verdict == v).count().to_string();
        both(|l| {
            tr(
                l,
                "std.sentence.summary",
                &[
                    ("unit", unit_label(&unit.unit)),
                    ("verdict", verdict.label(version.purpose, l)),
                    ("standard", version.name.get(l).to_owned()),
                    ("version", version.version.to_string()),
                    ("year", year.to_string()),
                    ("met", count(Verdict::Met)),
                    ("not_met", count(Verdict::NotMet)),
                    ("insufficient", count(Verdict::Insufficient)),
                    ("total", rules.len().to_string()),
                    ("provisional", version.provisional_rules().to_string()),
                ],
            )
        })
    });
    Evaluation {
        unit: unit.unit.clone(),
        year,
        verdict,
        verdict_text: both(|l| verdict.label(version.purpose, l)),
        standard,
        summary,
        rules,
        related: vec![],
    }
}

impl Evaluation {
    /// The evaluation as Vietnamese (or English) sentences: the summary, then one paragraph
    /// per rule with the facts, parameters and sub-verdicts it used.
    pub fn explain(&self, locale: &str) -> String {
        let mut out = String::new();
        self.explain_into(&mut out, locale, 0);
        out
    }

    fn explain_into(&self, out: &mut String, l: &str, depth: usize) {
        let pad = "  ".repeat(depth);
        let t = |k: &str, a: &[(&str, String)]| tr(l, k, a);
        if let Some(s) = &self.summary {
            out.push_str(&format!("{pad}{}\n", s.get(l)));
        }
        let basis: Vec<&str> = self
            .standard
            .legal_basis
            .iter()
            .map(|c| c.text.get(l))
            .collect();
        out.push_str(&format!(
            "{pad}{}\n",
            t(
                "std.explain.frame",
                &[
                    ("basis", basis.join("; ")),
                    ("from", format_date(self.standard.window_from)),
                    ("to", format_date(self.standard.window_to)),
                ]
            )
        ));
        if let Some(n) = &self.standard.note {
            out.push_str(&format!("{pad}{}\n", n.get(l)));
        }
        for r in &self.rules {
            let mark = match r.verdict {
                Verdict::Met => "✓",
                Verdict::NotMet => "✗",
                Verdict::Insufficient => "?",
            };
            let prov = if r.confidence == Confidence::Provisional {
                format!(" [{}]", Confidence::Provisional.label(l))
            } else {
                String::new()
            };
            let sentence = r.sentence.as_ref().map_or("", |s| s.get(l));
            out.push_str(&format!(
                "{pad}{} {}. {}{prov} ({}): {sentence}\n",
                mark,
                r.id,
                r.title.get(l),
                r.kind.label(l),
            ));
            if let (Confidence::Provisional, Some(n)) = (r.confidence, &r.note) {
                out.push_str(&format!(
                    "{pad}     {}: {}\n",
                    t("std.explain.why_provisional", &[]),
                    n.get(l)
                ));
            }
            let Some(tr_) = &r.trace else { continue };
            const SHOWN: usize = 12;
            for f in tr_.facts.iter().take(SHOWN) {
                let mut s = format!("{} = {}", f.label.get(l), f.text.get(l));
                if f.unit_code != self.unit.code || f.year != self.year {
                    s.push_str(&format!(" [{}, {}]", f.unit_name, f.year));
                }
                if f.entered_by.is_some() || f.entered_at.is_some() {
                    s.push_str(&format!(
                        " ({})",
                        t(
                            "std.explain.entered",
                            &[
                                ("by", f.entered_by.clone().unwrap_or_else(|| "?".into())),
                                ("at", f.entered_at.clone().unwrap_or_else(|| "?".into())),
                            ]
                        )
                    ));
                }
                out.push_str(&format!("{pad}     {}: {s}\n", t("std.explain.fact", &[])));
            }
            if tr_.facts.len() > SHOWN {
                out.push_str(&format!(
                    "{pad}     {}: {}\n",
                    t("std.explain.fact", &[]),
                    t(
                        "std.sentence.and_more",
                        &[("count", (tr_.facts.len() - SHOWN).to_string())]
                    )
                ));
            }
            for p in &tr_.parameters {
                let cite = p
                    .citation
                    .as_ref()
                    .map(|c| format!(", {}", c.text.get(l)))
                    .unwrap_or_default();
                let prov = if p.confidence == Confidence::Provisional {
                    format!(" [{}]", Confidence::Provisional.label(l))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{pad}     {}: {} = {} ({}{cite}){prov}\n",
                    t("std.explain.param", &[]),
                    p.label.get(l),
                    p.text.get(l),
                    t("std.explain.since", &[("date", format_date(p.valid_from))]),
                ));
            }
            for s in &tr_.sub_verdicts {
                out.push_str(&format!(
                    "{pad}     {}: {}\n",
                    t("std.explain.sub", &[]),
                    s.text.get(l)
                ));
            }
        }
        if !self.related.is_empty() {
            out.push_str(&format!("{pad}{}\n", t("std.explain.related", &[])));
            for e in &self.related {
                e.explain_into(out, l, depth + 1);
            }
        }
    }
}
