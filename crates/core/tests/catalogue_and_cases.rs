//! The catalogue API the forms are built on, the built-in file list, and the case format's
//! round trip.

mod common;

use binhyen_core::case;
use binhyen_core::catalogue::FormGroup;
use binhyen_core::diag::SourceFile;
use binhyen_core::units::UnitKind;
use common::*;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn every_file_under_standards_is_built_in() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../standards");
    let mut on_disk = vec![];
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                let rel = p
                    .strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/../../"))
                    .unwrap();
                on_disk.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = binhyen_core::standard::builtin_files()
        .into_iter()
        .map(|f| f.path)
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn forms_by_kind_and_year() {
    let cat = reg().catalogue();
    let kdc = cat.form(UnitKind::ResidentialArea, 2024);
    assert!(kdc.iter().any(|(f, _)| f.key == "households_resident"));
    assert!(!kdc.iter().any(|(f, _)| f.key == "police_assessment"));
    // groups come in form order
    let groups: Vec<FormGroup> = kdc.iter().map(|(_, v)| v.group).collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted);
    // versioned by year: the emulation title exists until 2021, criterion 10 from 2026
    let commune = |y| {
        cat.form(UnitKind::Commune, y)
            .into_iter()
            .map(|(f, _)| f.key.clone())
            .collect::<Vec<_>>()
    };
    assert!(commune(2021).contains(&"police_emulation_title".to_owned()));
    assert!(!commune(2024).contains(&"police_emulation_title".to_owned()));
    assert!(commune(2026).contains(&"criterion10_assessment".to_owned()));
    assert!(!commune(2025).contains(&"criterion10_assessment".to_owned()));
    // the registration pledge changed its label in 2022
    let v21 = cat
        .version_for("registration", UnitKind::Commune, 2021)
        .unwrap();
    let v22 = cat
        .version_for("registration", UnitKind::Commune, 2022)
        .unwrap();
    assert_ne!(v21.label.vi, v22.label.vi);
    // every field has both languages
    for f in cat.fields() {
        for v in &f.versions {
            assert!(
                !v.label.vi.is_empty() && !v.label.en.is_empty() && !v.help.vi.is_empty(),
                "{}",
                f.key
            );
        }
    }
}

#[test]
fn help_names_the_rules_that_use_a_field() {
    let reg = reg();
    let used = reg.rules_using("households_registered");
    assert_eq!(used.len(), 1);
    assert_eq!(
        (used[0].standard.as_str(), used[0].rule.as_str()),
        ("antt-kdc", "4.1c")
    );
    let help = reg
        .field_help("crimes_social_order", UnitKind::Commune, 2024, "vi")
        .unwrap();
    assert!(
        help.contains("Dùng trong:") && help.contains("ntm-xa-19.2 5"),
        "{help}"
    );
    assert!(help.contains("qd926-dia-phuong T926-2"), "{help}");
    // only rules in force that year for that kind
    assert!(!help.contains("ntm-xa-19.2 4 ("), "{help}");
    let help21 = reg
        .field_help("crimes_social_order", UnitKind::Commune, 2021, "en")
        .unwrap();
    assert!(
        help21.contains("Used by:") && help21.contains("antt-xa 6.2c"),
        "{help21}"
    );
    // a field no rule reads has plain help
    let h = reg
        .field_help("steering_committees", UnitKind::Commune, 2024, "vi")
        .unwrap();
    assert!(!h.contains("Dùng trong"));
    assert!(
        reg.field_help("households_resident", UnitKind::Commune, 2024, "vi")
            .is_none()
    );
}

#[test]
fn provenance_travels_with_values() {
    let c = parse(&case(
        2024,
        json!({ "code": "1", "name": "Ấp 1", "kind": "residential_area",
                "entered_by": "Trưởng ấp", "entered_at": "2024-10-30",
                "facts": { "households_resident": 100,
                           "households_registered": { "$value": 100, "$entered_by": "Công an xã", "$entered_at": "2024-11-02T08:00" } } }),
    ));
    let e = reg().evaluate(&c.unit, 2024, "antt-kdc", true).unwrap();
    let facts = &rule(&e, "4.1c").trace.as_ref().unwrap().facts;
    let by = |k: &str| {
        facts
            .iter()
            .find(|f| f.key == k)
            .unwrap()
            .entered_by
            .clone()
            .unwrap()
    };
    assert_eq!(by("households_resident"), "Trưởng ấp");
    assert_eq!(by("households_registered"), "Công an xã");
}

fn arb_kdc() -> impl Strategy<Value = serde_json::Value> {
    (
        0i64..500,
        0i64..500,
        proptest::option::of(1u32..=12),
        proptest::collection::vec((1u32..=28, prop_oneof![Just("a"), Just("đ"), Just("g")]), 0..4),
        any::<bool>(),
        "Ấp [A-Za-zĐđơưăâêô]{1,10}",
    )
        .prop_map(|(res, reg, month, events, judged, name)| {
            let mut facts = json!({
                "households_resident": res, "households_registered": reg,
                "security_events": events.iter().map(|(d, c)| json!({"date": format!("2024-05-{d:02}"), "category": c, "description": "mô tả"})).collect::<Vec<_>>(),
            });
            facts["party_resolution"] = match month {
                Some(m) => json!({"number": "1", "date": format!("2024-{m:02}-10"), "issuer": "Chi bộ", "file": "nq.pdf"}),
                None => serde_json::Value::Null,
            };
            if judged {
                facts["implementation_assessment"] = json!({"value": res == reg, "reason": name.clone(), "reviewer": "UBND xã", "date": "2024-11-01"});
            }
            json!({"code": format!("K{res}"), "name": name, "kind": "residential_area", "facts": facts,
                   "earlier": {"2023": {"households_resident": res}}})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // write(parse(x)) parses back to the same case.
    #[test]
    fn cases_round_trip(kdcs in proptest::collection::vec(arb_kdc(), 0..5)) {
        let doc = case(2024, json!({"code": "X", "name": "Xã", "kind": "commune", "province": "84",
                                    "facts": {"crimes_social_order": 2}, "subunits": kdcs}));
        let parsed = parse(&doc);
        let written = case::write(&parsed, reg().catalogue());
        let again = case::parse(&SourceFile::new("again.json", written), reg()).unwrap();
        prop_assert_eq!(parsed, again);
    }

    // Whatever bytes are given, the case parser returns a case or placed diagnostics.
    #[test]
    fn case_parser_never_panics(s in "\\PC{0,80}") {
        if let Err(errs) = case::parse(&SourceFile::new("x.json", s), reg()) {
            prop_assert!(errs.iter().all(|d| d.location.is_some()));
        }
    }

    // Removing any single fact never turns "insufficient" into a definite verdict silently:
    // a rule that read the fact is either still decided the same way or insufficient.
    #[test]
    fn removing_a_fact_never_decides_more(k in arb_kdc(), drop in 0usize..6) {
        let full = parse(&case(2024, k.clone()));
        let keys = ["households_resident", "households_registered", "security_events", "party_resolution", "implementation_assessment", "registration"];
        let mut less = k;
        less["facts"].as_object_mut().unwrap().remove(keys[drop]);
        let less = parse(&case(2024, less));
        let a = reg().evaluate(&full.unit, 2024, "antt-kdc", false).unwrap();
        let b = reg().evaluate(&less.unit, 2024, "antt-kdc", false).unwrap();
        for (x, y) in a.rules.iter().zip(&b.rules) {
            prop_assert!(y.verdict == x.verdict || y.verdict == binhyen_core::standard::Verdict::Insufficient,
                "{}: {:?} → {:?}", x.id, x.verdict, y.verdict);
        }
    }
}
