//! Helpers for writing cases in tests: JSON builders and evaluation shortcuts.
#![allow(dead_code)]

use binhyen_core::case::{self, Case};
use binhyen_core::diag::{SourceFile, render_all};
use binhyen_core::standard::{Evaluation, Registry, RuleResult, Verdict};
use serde_json::{Value, json};

pub fn reg() -> &'static Registry {
    Registry::builtin()
}

/// Parses a case document, panicking with the Vietnamese diagnostics when it is refused.
pub fn parse_with(reg: &Registry, doc: &Value) -> Case {
    let text = serde_json::to_string_pretty(doc).unwrap();
    case::parse(&SourceFile::new("test.json", text), reg)
        .unwrap_or_else(|e| panic!("case refused:\n{}", render_all(&e, "vi")))
}

pub fn parse(doc: &Value) -> Case {
    parse_with(reg(), doc)
}

pub fn case(year: i32, unit: Value) -> Value {
    json!({ "binhyen_case": 1, "year": year, "unit": unit })
}

pub fn eval(doc: &Value, standard: &str) -> Evaluation {
    eval_with(reg(), doc, standard)
}

pub fn eval_with(reg: &Registry, doc: &Value, standard: &str) -> Evaluation {
    let c = parse_with(reg, doc);
    reg.evaluate(&c.unit, c.year, standard, true)
        .unwrap_or_else(|e| panic!("{}", e.message().render("vi")))
}

pub fn rule<'a>(e: &'a Evaluation, id: &str) -> &'a RuleResult {
    e.rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule {id} in {}", e.standard.id))
}

pub fn verdict(e: &Evaluation, id: &str) -> Verdict {
    rule(e, id).verdict
}

pub fn sentence(e: &Evaluation, id: &str) -> String {
    rule(e, id).sentence.as_ref().expect("explained").vi.clone()
}

pub fn doc(date: &str) -> Value {
    json!({ "number": "01/NQ", "date": date, "issuer": "Cơ quan ban hành" })
}

pub fn yes(reason: &str) -> Value {
    json!({ "value": true, "reason": reason, "reviewer": "Tổ xét duyệt" })
}

pub fn recognised(standard: &str, year: i32) -> Value {
    json!([{ "standard": standard, "year": year, "decision_number": "12/QĐ-UBND" }])
}

/// A residential area with only its registration and recognition for `year`.
pub fn kdc(code: &str, year: i32, recognised_as: bool) -> Value {
    json!({
        "code": code, "name": format!("Ấp {code}"), "kind": "residential_area",
        "facts": {
            "registration": doc(&format!("{year}-02-01")),
            "recognitions": if recognised_as { recognised("antt-kdc", year) } else { json!([]) }
        }
    })
}

/// `n` residential areas of which the first `k` are recognised.
pub fn kdcs(n: usize, k: usize, year: i32) -> Vec<Value> {
    (0..n)
        .map(|i| kdc(&format!("{:02}", i + 1), year, i < k))
        .collect()
}

/// Crime and social-evil counts, all zero unless given.
pub fn counts(pairs: &[(&str, i64)]) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for k in [
        "crimes_social_order",
        "crimes_drugs",
        "crimes_economic",
        "crimes_environment",
        "crimes_other",
        "serious_crimes",
        "drug_users",
        "gambling_cases",
        "prostitution_cases",
        "other_violations",
        "traffic_accidents",
        "traffic_deaths",
        "traffic_injuries",
    ] {
        m.insert(k.into(), json!(0));
    }
    for (k, v) in pairs {
        m.insert((*k).into(), json!(v));
    }
    m
}

/// The counts a residential area reports, all zero unless given.
pub fn kdc_counts(pairs: &[(&str, i64)]) -> serde_json::Map<String, Value> {
    let keep = [
        "crimes_social_order",
        "crimes_drugs",
        "serious_crimes",
        "drug_users",
        "gambling_cases",
        "prostitution_cases",
    ];
    counts(pairs)
        .into_iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .collect()
}

/// Merges JSON objects (later keys win).
pub fn merge(parts: &[Value]) -> Value {
    let mut m = serde_json::Map::new();
    for p in parts {
        if let Value::Object(o) = p {
            for (k, v) in o {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(m)
}

/// A commune that meets every rule of Circular 124 art. 5 and of 19.2 (04/2024) in `year`,
/// with `n` residential areas all recognised.
pub fn good_commune_facts(year: i32) -> Value {
    merge(&[
        json!({
            "party_resolution": doc(&format!("{year}-01-15")),
            "people_committee_plan": doc(&format!("{year}-02-10")),
            "registration": doc(&format!("{year}-03-01")),
            "models": [{ "name": "Camera an ninh ấp 1", "type": "camera", "cameras": 12, "effective": true }],
            "implementation_assessment": yes("Triển khai đầy đủ"),
            "police_assessment": yes("Hoàn thành tốt nhiệm vụ"),
            "direction_assessment": yes("Chỉ đạo hiệu quả"),
            "security_events": [], "mass_complaints": [], "hotspots": [], "disciplinary_measures": [],
        }),
        Value::Object(counts(&[("crimes_social_order", 3)])),
    ])
}

pub fn good_commune_earlier() -> Value {
    Value::Object(counts(&[("crimes_social_order", 4)]))
}

pub fn commune(code: &str, year: i32, facts: Value, subunits: Vec<Value>) -> Value {
    json!({
        "code": code, "name": format!("Xã {code}"), "kind": "commune", "province": "84",
        "facts": facts,
        "earlier": { (year - 1).to_string(): good_commune_earlier() },
        "subunits": subunits
    })
}
