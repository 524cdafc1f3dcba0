//! The case format: one JSON document with a unit's facts for a year (optionally its sub-units,
//! earlier years and predecessors) that can be judged without a database. Officials and tests
//! write cases by hand; `docs/case-format.md` documents the format with examples.
//!
//! ```json
//! { "binhyen_case": 1, "year": 2024,
//!   "unit": { "code": "29410", "name": "Xã Hòa Minh", "kind": "commune", "province": "84",
//!             "facts": { "crimes_social_order": 3 },
//!             "earlier": { "2023": { "crimes_social_order": 4 } },
//!             "subunits": [ … ], "predecessors": [ … ] } }
//! ```
//! Every fact is checked against the [catalogue](crate::catalogue) for the unit's kind and year;
//! a malformed case is refused with `path:line:column` and nothing is evaluated.

pub mod json;

use std::sync::Arc;

use serde_json::{Map, Value as JV, json};

use crate::catalogue::{Catalogue, FieldType, RECOGNITIONS, RecordSchema};
use crate::diag::{Arg, Diagnostic, Message, SourceFile};
use crate::fact::{
    Document, FactEntry, Facts, Judgement, Provenance, Record, UnitInput, UnitRef, Value,
};
use crate::standard::{Evaluation, Registry, Verdict};
use crate::units::UnitKind;

use std::borrow::Cow;

use json::{Json, JsonKind};

/// An object member: key, key span, value.
type Member<'t> = (Cow<'t, str>, std::ops::Range<usize>, Json<'t>);

/// The current version of the case format.
pub const FORMAT: i64 = 1;

/// A parsed case: the year judged and the unit (with everything under it), and optionally the
/// verdicts its author expects (so a case is also a test, as in OpenFisca's YAML tests).
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub year: i32,
    pub unit: UnitInput,
    pub expect: Vec<Expectation>,
}

/// The expected verdict of a standard for the case's unit, and of some of its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub standard: String,
    pub verdict: Option<Verdict>,
    pub rules: Vec<(String, Verdict)>,
}

impl Case {
    /// Compares the expectations with evaluations of this case; one message per mismatch
    /// (a standard expected but not evaluated is a mismatch too).
    pub fn check(&self, evaluations: &[Evaluation], locale: &str) -> Vec<String> {
        let mut out = vec![];
        for x in &self.expect {
            let Some(e) = evaluations.iter().find(|e| e.standard.id == x.standard) else {
                out.push(crate::diag::tr(
                    locale,
                    "case.expect.not_evaluated",
                    &[("standard", x.standard.clone())],
                ));
                continue;
            };
            let compare = |out: &mut Vec<String>, what: String, want: Verdict, got: Verdict| {
                if want != got {
                    out.push(crate::diag::tr(
                        locale,
                        "case.expect.mismatch",
                        &[
                            ("what", what),
                            ("want", want.label(e.standard.purpose, locale)),
                            ("got", got.label(e.standard.purpose, locale)),
                        ],
                    ));
                }
            };
            if let Some(v) = x.verdict {
                compare(&mut out, x.standard.clone(), v, e.verdict);
            }
            for (id, v) in &x.rules {
                match e.rules.iter().find(|r| r.id == *id) {
                    Some(r) => compare(&mut out, format!("{} {id}", x.standard), *v, r.verdict),
                    None => out.push(crate::diag::tr(
                        locale,
                        "case.expect.no_rule",
                        &[("standard", x.standard.clone()), ("rule", id.clone())],
                    )),
                }
            }
        }
        out
    }
}

const MAX_ERRORS: usize = 50;

struct Reader<'a> {
    file: &'a SourceFile,
    reg: &'a Registry,
    errors: Vec<Diagnostic>,
}

/// Parses and checks a case file against the registry's catalogue and standards.
pub fn parse(file: &SourceFile, reg: &Registry) -> Result<Case, Vec<Diagnostic>> {
    let doc =
        json::parse(&file.text).map_err(|(at, m)| vec![Diagnostic::at(file.location(at), m)])?;
    let mut r = Reader {
        file,
        reg,
        errors: vec![],
    };
    let case = r.case(&doc);
    match case {
        Some(c) if r.errors.is_empty() => Ok(c),
        _ => {
            r.errors.truncate(MAX_ERRORS);
            Err(r.errors)
        }
    }
}

impl Reader<'_> {
    fn err(&mut self, at: usize, m: Message) {
        self.errors.push(Diagnostic::at(self.file.location(at), m));
    }

    fn expected(&mut self, v: &Json, what: &'static str) {
        self.err(
            v.span.start,
            Message::new("case.err.expected")
                .arg("expected", Arg::Key(what))
                .arg("found", Arg::Key(v.kind_key())),
        );
    }

    /// The members of an object, refusing keys not in `allowed`.
    fn object<'j, 't>(&mut self, v: &'j Json<'t>, allowed: &[&str]) -> Option<&'j [Member<'t>]> {
        self.object_with(v, |k| allowed.contains(&k), || allowed.join(", "))
    }

    /// The members of an object, refusing keys `is_allowed` refuses.
    fn object_with<'j, 't>(
        &mut self,
        v: &'j Json<'t>,
        is_allowed: impl Fn(&str) -> bool,
        expected: impl Fn() -> String,
    ) -> Option<&'j [Member<'t>]> {
        let JsonKind::Object(m) = &v.kind else {
            self.expected(v, "case.json.object");
            return None;
        };
        for (k, span, _) in m {
            if !is_allowed(k) {
                self.err(
                    span.start,
                    Message::new("case.err.unknown_key")
                        .arg("name", k.as_ref())
                        .arg("expected", expected()),
                );
            }
        }
        Some(m)
    }

    fn required<'j, 't>(&mut self, obj: &'j Json<'t>, key: &str) -> Option<&'j Json<'t>> {
        let v = obj.get(key);
        if v.is_none() {
            self.err(
                obj.span.start,
                Message::new("case.err.missing_key").arg("name", key),
            );
        }
        v
    }

    fn string(&mut self, v: &Json) -> Option<String> {
        match &v.kind {
            JsonKind::String(s) => Some(s.to_string()),
            _ => {
                self.expected(v, "case.json.string");
                None
            }
        }
    }

    fn int(&mut self, v: &Json, min: i64) -> Option<i64> {
        match &v.kind {
            JsonKind::Number(n) => match n.parse::<i64>() {
                Ok(i) if i >= min => Some(i),
                _ => {
                    self.err(
                        v.span.start,
                        Message::new("case.err.bad_int")
                            .arg("found", *n)
                            .arg("min", min.to_string()),
                    );
                    None
                }
            },
            _ => {
                self.expected(v, "case.json.number");
                None
            }
        }
    }

    fn date(&mut self, v: &Json) -> Option<chrono::NaiveDate> {
        let s = self.string(v)?;
        let d = crate::text::parse_date(&s);
        if d.is_none() {
            self.err(
                v.span.start,
                Message::new("case.err.bad_date").arg("found", s),
            );
        }
        d
    }

    fn case(&mut self, doc: &Json) -> Option<Case> {
        self.object(doc, &["binhyen_case", "year", "unit", "expect", "note"])?;
        let format = self
            .required(doc, "binhyen_case")
            .and_then(|v| self.int(v, 1));
        if let Some(f) = format
            && f != FORMAT
        {
            let at = doc.get("binhyen_case").map_or(0, |v| v.span.start);
            self.err(
                at,
                Message::new("case.err.format")
                    .arg("found", f.to_string())
                    .arg("expected", FORMAT.to_string()),
            );
        }
        let year = self
            .required(doc, "year")
            .and_then(|v| self.int(v, 1900).map(|y| (y, v)));
        let year = match year {
            Some((y, _)) if y <= 2200 => y as i32,
            Some((_, v)) => {
                self.err(v.span.start, Message::new("case.err.bad_year"));
                return None;
            }
            None => return None,
        };
        let expect = doc
            .get("expect")
            .map(|e| self.expectations(e))
            .unwrap_or_default();
        let unit = self.required(doc, "unit")?;
        let unit = self.unit(unit, year, None)?;
        Some(Case { year, unit, expect })
    }

    fn verdict(&mut self, v: &Json) -> Option<Verdict> {
        let s = self.string(v)?;
        let verdict = match s.as_str() {
            "met" => Some(Verdict::Met),
            "not_met" => Some(Verdict::NotMet),
            "insufficient" => Some(Verdict::Insufficient),
            _ => None,
        };
        if verdict.is_none() {
            self.err(
                v.span.start,
                Message::new("case.err.bad_verdict").arg("found", s),
            );
        }
        verdict
    }

    /// `"expect": { "antt-xa": "not_met", "ntm-xa-19.2": { "verdict": "met", "rules": { "3": "met" } } }`
    fn expectations(&mut self, v: &Json) -> Vec<Expectation> {
        let JsonKind::Object(m) = &v.kind else {
            self.expected(v, "case.json.object");
            return vec![];
        };
        let mut out = vec![];
        for (id, span, x) in m {
            if !self.reg.standard_ids().iter().any(|s| s == id) {
                self.err(
                    span.start,
                    Message::new("std.err.unknown_standard")
                        .arg("name", id.as_ref())
                        .arg("hint", ""),
                );
                continue;
            }
            let mut e = Expectation {
                standard: id.to_string(),
                verdict: None,
                rules: vec![],
            };
            match &x.kind {
                JsonKind::String(_) => e.verdict = self.verdict(x),
                JsonKind::Object(_) => {
                    self.object(x, &["verdict", "rules"]);
                    e.verdict = x.get("verdict").and_then(|v| self.verdict(v));
                    if let Some(r) = x.get("rules") {
                        match &r.kind {
                            JsonKind::Object(rs) => {
                                for (rid, _, rv) in rs {
                                    if let Some(v) = self.verdict(rv) {
                                        e.rules.push((rid.to_string(), v));
                                    }
                                }
                            }
                            _ => self.expected(r, "case.json.object"),
                        }
                    }
                }
                _ => self.expected(x, "case.json.string"),
            }
            out.push(e);
        }
        out
    }

    fn unit(&mut self, v: &Json, year: i32, parent_province: Option<&str>) -> Option<UnitInput> {
        self.object(
            v,
            &[
                "id",
                "code",
                "name",
                "kind",
                "province",
                "entered_by",
                "entered_at",
                "facts",
                "earlier",
                "subunits",
                "predecessors",
                "note",
            ],
        )?;
        let code = self.required(v, "code").and_then(|c| self.string(c));
        let name = self.required(v, "name").and_then(|c| self.string(c));
        let kind = self.required(v, "kind").and_then(|k| {
            let s = self.string(k)?;
            let kind = UnitKind::parse(&s);
            if kind.is_none() {
                self.err(
                    k.span.start,
                    Message::new("std.err.unknown_kind")
                        .arg("name", s)
                        .arg("expected", UnitKind::ALL.map(UnitKind::as_str).join(", ")),
                );
            }
            kind
        });
        let id = v.get("id").and_then(|i| self.int(i, i64::MIN));
        let province = match v.get("province") {
            Some(p) => self.string(p),
            None => parent_province.map(str::to_owned),
        };
        let default_prov = Provenance {
            entered_by: v.get("entered_by").and_then(|s| self.string(s)),
            entered_at: v.get("entered_at").and_then(|s| self.string(s)),
        };
        let default_prov = (!default_prov.is_empty()).then(|| Arc::new(default_prov));
        let kind = kind?;
        let mut input = UnitInput::new(UnitRef {
            id,
            code: code?,
            name: name?,
            kind,
            province: province.clone(),
        });
        if let Some(f) = v.get("facts") {
            let facts = self.facts(f, kind, year, default_prov.as_ref());
            input.years.insert(year, facts);
        }
        if let Some(e) = v.get("earlier") {
            match &e.kind {
                JsonKind::Object(m) => {
                    for (k, span, f) in m {
                        match k.parse::<i32>() {
                            Ok(y) if (1900..=2200).contains(&y) && y != year => {
                                let facts = self.facts(f, kind, y, default_prov.as_ref());
                                input.years.insert(y, facts);
                            }
                            _ => self.err(
                                span.start,
                                Message::new("case.err.bad_earlier_year")
                                    .arg("found", k.as_ref())
                                    .arg("year", year.to_string()),
                            ),
                        }
                    }
                }
                _ => self.expected(e, "case.json.object"),
            }
        }
        if let Some(s) = v.get("subunits") {
            input.subunits = Some(self.units(s, year, province.as_deref()));
        }
        if let Some(s) = v.get("predecessors") {
            input.predecessors = self.units(s, year, None);
        }
        Some(input)
    }

    fn units(&mut self, v: &Json, year: i32, province: Option<&str>) -> Vec<UnitInput> {
        let JsonKind::Array(items) = &v.kind else {
            self.expected(v, "case.json.array");
            return vec![];
        };
        items
            .iter()
            .filter_map(|u| self.unit(u, year, province))
            .collect()
    }

    fn facts(
        &mut self,
        v: &Json,
        kind: UnitKind,
        year: i32,
        default_prov: Option<&Arc<Provenance>>,
    ) -> Facts {
        let mut facts = Facts::new();
        let JsonKind::Object(members) = &v.kind else {
            self.expected(v, "case.json.object");
            return facts;
        };
        let cat: &Catalogue = self.reg.catalogue();
        for (key, kspan, raw) in members {
            let Some(field) = cat.field(key) else {
                let m = match cat.suggest(key) {
                    Some(h) => Message::new("case.err.unknown_fact_hint")
                        .arg("name", key.as_ref())
                        .arg("hint", h),
                    None => Message::new("case.err.unknown_fact").arg("name", key.as_ref()),
                };
                self.err(kspan.start, m);
                continue;
            };
            if cat.version_for(key, kind, year).is_none() {
                self.err(
                    kspan.start,
                    Message::new("case.err.fact_not_for")
                        .arg("name", key.as_ref())
                        .arg("kind", Arg::Text(kind.as_str().to_owned()))
                        .arg("year", year.to_string()),
                );
                continue;
            }
            // long form: { "$value": …, "$entered_by": …, "$entered_at": … }
            let (raw, prov) = match &raw.kind {
                JsonKind::Object(m) if m.iter().any(|(k, _, _)| k.starts_with('$')) => {
                    self.object(raw, &["$value", "$entered_by", "$entered_at"]);
                    let p = Provenance {
                        entered_by: raw.get("$entered_by").and_then(|s| self.string(s)),
                        entered_at: raw.get("$entered_at").and_then(|s| self.string(s)),
                    };
                    let Some(inner) = self.required(raw, "$value") else {
                        continue;
                    };
                    (inner, Some(Arc::new(p)))
                }
                _ => (raw, default_prov.cloned()),
            };
            let ty = field.ty.clone();
            if let Some(value) = self.value(raw, &ty, key) {
                facts.set(
                    field.id,
                    FactEntry {
                        value,
                        provenance: prov,
                    },
                );
            }
        }
        facts
    }

    fn value(&mut self, v: &Json, ty: &FieldType, key: &str) -> Option<Value> {
        match ty {
            FieldType::Int => self.int(v, 0).map(Value::Int),
            FieldType::Bool => match v.kind {
                JsonKind::Bool(b) => Some(Value::Bool(b)),
                _ => {
                    self.expected(v, "case.json.bool");
                    None
                }
            },
            FieldType::Date => self.date(v).map(Value::Date),
            FieldType::Text => self.string(v).map(|s| Value::Text(s.into())),
            FieldType::Choice { choices } => {
                let s = self.string(v)?;
                match choices.iter().position(|c| c.key == s) {
                    Some(i) => Some(Value::Choice(i as u16)),
                    None => {
                        self.err(
                            v.span.start,
                            Message::new("std.err.unknown_choice").arg("name", s).arg(
                                "expected",
                                choices
                                    .iter()
                                    .map(|c| c.key.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ),
                        );
                        None
                    }
                }
            }
            FieldType::Document => {
                if v.kind == JsonKind::Null {
                    return Some(Value::Absent);
                }
                self.object(v, &["number", "date", "issuer", "file", "kind"])?;
                let number = self.required(v, "number").and_then(|x| self.string(x));
                let date = self.required(v, "date").and_then(|x| self.date(x));
                let issuer = self.required(v, "issuer").and_then(|x| self.string(x));
                let file = v.get("file").and_then(|x| self.string(x));
                if let Some(k) = v.get("kind") {
                    self.string(k);
                }
                Some(Value::Document(Box::new(Document {
                    number: number?,
                    date: date?,
                    issuer: issuer?,
                    file,
                })))
            }
            FieldType::Judgement => {
                self.object(v, &["value", "reason", "reviewer", "date"])?;
                let value = self.required(v, "value").and_then(|x| match x.kind {
                    JsonKind::Bool(b) => Some(b),
                    _ => {
                        self.expected(x, "case.json.bool");
                        None
                    }
                });
                let reason = self.required(v, "reason").and_then(|x| {
                    let s = self.string(x)?;
                    if s.trim().is_empty() {
                        self.err(x.span.start, Message::new("case.err.empty_reason"));
                        return None;
                    }
                    Some(s)
                });
                let reviewer = v.get("reviewer").and_then(|x| self.string(x));
                let date = v.get("date").and_then(|x| self.date(x));
                Some(Value::Judgement(Box::new(Judgement {
                    value: value?,
                    reason: reason?,
                    reviewer,
                    date,
                })))
            }
            FieldType::List { record } => {
                let JsonKind::Array(items) = &v.kind else {
                    self.expected(v, "case.json.array");
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                let before = self.errors.len();
                for it in items {
                    if let Some(r) = self.record(it, record, key) {
                        out.push(r);
                    }
                }
                (self.errors.len() == before).then_some(Value::List(out))
            }
        }
    }

    fn record(&mut self, v: &Json, schema: &RecordSchema, key: &str) -> Option<Record> {
        self.object_with(
            v,
            |k| schema.index(k).is_some(),
            || {
                schema
                    .fields
                    .iter()
                    .map(|f| f.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        )?;
        let mut fields: Vec<Option<Value>> = vec![None; schema.fields.len()];
        let mut ok = true;
        for (i, f) in schema.fields.iter().enumerate() {
            match v.get(&f.key) {
                Some(x) if x.kind == JsonKind::Null && !f.required => {}
                Some(x) => match self.value(x, &f.ty, key) {
                    Some(val) => fields[i] = Some(val),
                    None => ok = false,
                },
                None if f.required => {
                    self.err(
                        v.span.start,
                        Message::new("case.err.missing_key").arg("name", f.key.as_str()),
                    );
                    ok = false;
                }
                None => {}
            }
        }
        if key == RECOGNITIONS
            && let Some(x) = v.get("standard")
            && let JsonKind::String(s) = &x.kind
        {
            let known = self.reg.standard_ids().iter().any(|i| i == s)
                || self
                    .reg
                    .catalogue()
                    .recognition_kinds()
                    .iter()
                    .any(|k| k.id == *s);
            if !known {
                self.err(
                    x.span.start,
                    Message::new("std.err.unknown_recognition")
                        .arg("name", s.as_ref())
                        .arg("hint", ""),
                );
                ok = false;
            }
        }
        ok.then(|| Record {
            fields: fields.into_boxed_slice(),
        })
    }
}

/// Parses one stored facts object (`{ "key": value, … }`, the `facts` member of a case) of a
/// unit of `kind` for `year`, checked against the catalogue; `provenance` applies to every value
/// that does not carry its own (`$entered_by`/`$entered_at`). The storage format of fact forms.
pub fn parse_facts(
    file: &SourceFile,
    reg: &Registry,
    kind: UnitKind,
    year: i32,
    provenance: Option<&Arc<Provenance>>,
) -> Result<Facts, Vec<Diagnostic>> {
    let doc =
        json::parse(&file.text).map_err(|(at, m)| vec![Diagnostic::at(file.location(at), m)])?;
    let mut r = Reader {
        file,
        reg,
        errors: vec![],
    };
    let facts = r.facts(&doc, kind, year, provenance);
    if r.errors.is_empty() {
        Ok(facts)
    } else {
        r.errors.truncate(MAX_ERRORS);
        Err(r.errors)
    }
}

/// Writes a case as JSON (the inverse of [`parse`]).
pub fn write(case: &Case, cat: &Catalogue) -> String {
    let mut v = json!({
        "binhyen_case": FORMAT,
        "year": case.year,
        "unit": unit_json(&case.unit, case.year, cat),
    });
    if !case.expect.is_empty() {
        let m: Map<String, JV> = case
            .expect
            .iter()
            .map(|e| {
                let rules: Map<String, JV> = e
                    .rules
                    .iter()
                    .map(|(id, v)| (id.clone(), json!(v.as_str())))
                    .collect();
                let mut x = Map::new();
                if let Some(v) = e.verdict {
                    x.insert("verdict".into(), json!(v.as_str()));
                }
                if !rules.is_empty() {
                    x.insert("rules".into(), JV::Object(rules));
                }
                (e.standard.clone(), JV::Object(x))
            })
            .collect();
        v["expect"] = JV::Object(m);
    }
    serde_json::to_string_pretty(&v).expect("JSON values serialise")
}

fn unit_json(u: &UnitInput, year: i32, cat: &Catalogue) -> JV {
    let mut m = Map::new();
    if let Some(id) = u.unit.id {
        m.insert("id".into(), json!(id));
    }
    m.insert("code".into(), json!(u.unit.code));
    m.insert("name".into(), json!(u.unit.name));
    m.insert("kind".into(), json!(u.unit.kind.as_str()));
    if let Some(p) = &u.unit.province {
        m.insert("province".into(), json!(p));
    }
    if let Some(f) = u.years.get(&year) {
        m.insert("facts".into(), facts_json(f, cat));
    }
    let earlier: Map<String, JV> = u
        .years
        .iter()
        .filter(|(y, _)| **y != year)
        .map(|(y, f)| (y.to_string(), facts_json(f, cat)))
        .collect();
    if !earlier.is_empty() {
        m.insert("earlier".into(), JV::Object(earlier));
    }
    if let Some(s) = &u.subunits {
        m.insert(
            "subunits".into(),
            JV::Array(s.iter().map(|x| unit_json(x, year, cat)).collect()),
        );
    }
    if !u.predecessors.is_empty() {
        m.insert(
            "predecessors".into(),
            JV::Array(
                u.predecessors
                    .iter()
                    .map(|x| unit_json(x, year, cat))
                    .collect(),
            ),
        );
    }
    JV::Object(m)
}

/// A facts object as JSON (the inverse of [`parse_facts`]).
pub fn facts_json(f: &Facts, cat: &Catalogue) -> JV {
    let mut m = Map::new();
    for (id, e) in f.iter() {
        let field = cat.by_id(id);
        let v = value_json(&e.value, &field.ty);
        let v = match &e.provenance {
            Some(p) => {
                let mut w = Map::new();
                w.insert("$value".into(), v);
                if let Some(b) = &p.entered_by {
                    w.insert("$entered_by".into(), json!(b));
                }
                if let Some(a) = &p.entered_at {
                    w.insert("$entered_at".into(), json!(a));
                }
                JV::Object(w)
            }
            None => v,
        };
        m.insert(field.key.clone(), v);
    }
    JV::Object(m)
}

fn value_json(v: &Value, ty: &FieldType) -> JV {
    match (v, ty) {
        (Value::Absent, _) => JV::Null,
        (Value::Int(i), _) => json!(i),
        (Value::Bool(b), _) => json!(b),
        (Value::Date(d), _) => json!(d.to_string()),
        (Value::Text(t), _) => json!(t.as_ref()),
        (Value::Choice(c), FieldType::Choice { choices }) => json!(choices[*c as usize].key),
        (Value::Choice(c), _) => json!(c),
        (Value::Document(d), _) => serde_json::to_value(d).expect("serialisable"),
        (Value::Judgement(j), _) => serde_json::to_value(j).expect("serialisable"),
        (Value::List(rs), FieldType::List { record }) => JV::Array(
            rs.iter()
                .map(|r| {
                    let mut m = Map::new();
                    for (f, x) in record.fields.iter().zip(r.fields.iter()) {
                        if let Some(x) = x {
                            m.insert(f.key.clone(), value_json(x, &f.ty));
                        }
                    }
                    JV::Object(m)
                })
                .collect(),
        ),
        (Value::List(_), _) => JV::Array(vec![]),
    }
}
