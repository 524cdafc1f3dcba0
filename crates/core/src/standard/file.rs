//! The TOML shape of the files under `standards/`: legal sources, catalogue fields, recognition
//! kinds, and one standard version with its parameters and rules. Every value keeps its span so
//! that later checks can say `path:line:column`.
//!
//! A file may hold any of these parts; the loader puts them together.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, I18nText, Location, Message, SourceFile};

/// One parsed file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileDoc {
    #[serde(default)]
    pub sources: Vec<Spanned<SourceDoc>>,
    #[serde(default)]
    pub fields: Vec<Spanned<FieldDoc>>,
    #[serde(default)]
    pub recognition_kinds: Vec<Spanned<RecognitionKindDoc>>,
    pub standard: Option<Spanned<StandardDoc>>,
    #[serde(default)]
    pub parameters: Vec<Spanned<ParamDoc>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleDoc>>,
}

/// A legal document that citations point to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// The official number, e.g. "124/2021/TT-BCA"; citations use it.
    pub number: Spanned<String>,
    /// Full title as cited: vi "Thông tư 124/2021/TT-BCA", en "Circular 124/2021/TT-BCA".
    pub title: I18nText,
    pub issued: Option<Spanned<toml::value::Datetime>>,
    pub effective: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<I18nText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDoc {
    pub key: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub unit_kinds: Spanned<Vec<Spanned<String>>>,
    pub from_year: Option<Spanned<i32>>,
    pub to_year: Option<Spanned<i32>>,
    pub group: Spanned<String>,
    pub label: I18nText,
    pub help: I18nText,
    #[serde(default)]
    pub choices: Vec<ChoiceDoc>,
    #[serde(default)]
    pub record: Vec<Spanned<RecordFieldDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceDoc {
    pub key: Spanned<String>,
    pub label: I18nText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFieldDoc {
    pub key: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    #[serde(default)]
    pub required: bool,
    pub label: I18nText,
    #[serde(default)]
    pub choices: Vec<ChoiceDoc>,
}

/// A recognition recorded by the system that is not itself a standard evaluated here
/// (e.g. "ntm-xa": the commune is recognised as a New Rural commune as a whole).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecognitionKindDoc {
    pub id: Spanned<String>,
    pub label: I18nText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardDoc {
    pub id: Spanned<String>,
    pub version: Spanned<u32>,
    pub name: I18nText,
    pub applies_to: Spanned<Vec<Spanned<String>>>,
    /// "national" or a province code ("84").
    pub jurisdiction: Spanned<String>,
    pub extends: Option<Spanned<String>>,
    pub valid_from: Spanned<toml::value::Datetime>,
    /// Last day of validity (inclusive), absent while in force.
    pub valid_until: Option<Spanned<toml::value::Datetime>>,
    pub legal_basis: Vec<Spanned<CitationDoc>>,
    pub window: Spanned<WindowDoc>,
    /// "recognition" (default), "flag" (a warning: met = no warning) or "plan" (a programme target).
    #[serde(default)]
    pub purpose: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<I18nText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowDoc {
    /// "MM-DD"; when after `to`, the window starts in the previous year.
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

/// Document number plus article, clause, point or section of a guidance.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CitationDoc {
    pub document: Spanned<String>,
    #[serde(default)]
    pub article: Option<StrOrInt>,
    #[serde(default)]
    pub clause: Option<StrOrInt>,
    #[serde(default)]
    pub point: Option<String>,
    /// A section (mục) of a guidance or a plan, e.g. "I.1".
    #[serde(default)]
    pub section: Option<String>,
}

/// Article and clause numbers may be written `5` or `"5"`.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum StrOrInt {
    Int(i64),
    Str(String),
}

impl StrOrInt {
    pub fn text(&self) -> String {
        match self {
            StrOrInt::Int(i) => i.to_string(),
            StrOrInt::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDoc {
    pub key: Spanned<String>,
    /// int | year | percent | bool | choice. May be left out when overriding.
    #[serde(rename = "type")]
    pub ty: Option<Spanned<String>>,
    pub label: Option<I18nText>,
    #[serde(default)]
    pub choices: Vec<ChoiceDoc>,
    pub values: Vec<Spanned<ParamValueDoc>>,
    /// Whether a province may override the value (only where the law lets it).
    #[serde(default)]
    pub overridable: bool,
    #[serde(default)]
    pub confidence: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<I18nText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamValueDoc {
    pub from: Spanned<toml::value::Datetime>,
    pub value: Spanned<toml::Value>,
    pub citation: Option<Spanned<CitationDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub id: Spanned<String>,
    pub title: I18nText,
    pub citation: Spanned<CitationDoc>,
    /// confirmed | provisional
    pub confidence: Spanned<String>,
    /// The label of DOMAIN.md: C, C-para, I or ?.
    #[serde(default)]
    pub evidence: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<I18nText>,
    /// computed | judged | standard
    pub kind: Spanned<String>,
    pub expr: Option<Spanned<String>>,
    /// judged: the catalogue field holding the reviewer's decision.
    pub judgement: Option<Spanned<String>>,
    /// standard: the standard whose verdict for the same unit this rule takes.
    pub standard: Option<Spanned<String>>,
    /// Named values, shown in the sentences and the trace (kept in the order written).
    #[serde(default)]
    pub values: std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
    pub met: Option<Spanned<I18nText>>,
    pub not_met: Option<Spanned<I18nText>>,
    pub insufficient: Option<Spanned<I18nText>>,
}

/// Parses one file; a syntax or shape error gives one diagnostic with its place.
pub fn parse_file(file: &SourceFile) -> Result<FileDoc, Diagnostic> {
    toml::from_str::<FileDoc>(&file.text).map_err(|e| toml_error(file, &e))
}

/// The location of a span's start.
pub fn loc(file: &SourceFile, span: std::ops::Range<usize>) -> Location {
    file.location(span.start)
}

/// Turns a TOML or shape error into a Vietnamese diagnostic at the place the parser gave.
pub fn toml_error(file: &SourceFile, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim();
    let location = file.location(e.span().map_or(0, |s| s.start));
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let message = if let Some(rest) = msg.strip_prefix("missing field ") {
        Message::new("std.err.toml_missing_field").arg("field", rest.trim_matches('`'))
    } else if msg.starts_with("unknown field ") {
        let q = quoted(msg);
        let field = q.first().cloned().unwrap_or_default();
        let expected = q[1.min(q.len())..].join(", ");
        Message::new("std.err.toml_unknown_field")
            .arg("field", field)
            .arg("expected", expected)
    } else if msg.starts_with("invalid type: ") || msg.starts_with("invalid value: ") {
        Message::new("std.err.toml_invalid_type").arg("detail", msg)
    } else {
        Message::new("std.err.toml_syntax").arg("detail", msg)
    };
    Diagnostic::at(location, message)
}

/// Converts a TOML date to a calendar date, refusing times and offsets.
pub fn toml_date(
    file: &SourceFile,
    d: &Spanned<toml::value::Datetime>,
) -> Result<chrono::NaiveDate, Diagnostic> {
    let v = d.get_ref();
    let bad = || {
        Diagnostic::at(
            loc(file, d.span()),
            Message::new("std.err.expected_date").arg("found", v.to_string()),
        )
    };
    match (v.date, v.time, v.offset) {
        (Some(date), None, None) => {
            chrono::NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors_are_placed_and_translated() {
        let f = SourceFile::new("x.toml", "[[rules]]\nid = \"r\"\nfoo = 1\n");
        let d = parse_file(&f).unwrap_err();
        let text = d.render("vi");
        assert!(text.starts_with("x.toml:"), "{text}");
        let f = SourceFile::new("x.toml", "[standard\nid = 1");
        let d = parse_file(&f).unwrap_err();
        assert_eq!(d.location.as_ref().unwrap().line, 1);
        assert!(d.render("vi").contains("TOML"));
    }

    #[test]
    fn unknown_fields_name_the_field() {
        let f = SourceFile::new(
            "x.toml",
            "[[sources]]\nnumber = \"1\"\ntitle = { vi = \"a\", en = \"b\" }\nbogus = 1\n",
        );
        let d = parse_file(&f).unwrap_err();
        let text = d.render("vi");
        assert!(text.contains("bogus"), "{text}");
        assert_eq!(d.location.unwrap().line, 4);
    }
}
