//! Tests from the law: every built-in standard at the boundaries its text states.

mod common;

use binhyen_core::diag::SourceFile;
use binhyen_core::standard::{Confidence, EvalError, Registry, Verdict};
use common::*;
use serde_json::json;

// ---------------------------------------------------------------- Circular 124 art. 4 (KDC)

fn kdc_case(year: i32, facts: serde_json::Value) -> serde_json::Value {
    case(
        year,
        json!({ "code": "01", "name": "Ấp Hòa Hảo", "kind": "residential_area", "facts": facts,
                "earlier": { (year - 1).to_string(): kdc_counts(&[]) } }),
    )
}

fn good_kdc_facts(year: i32) -> serde_json::Value {
    merge(&[
        json!({
            "households_resident": 240, "households_registered": 240,
            "party_resolution": doc(&format!("{year}-03-31")),
            "registration": doc(&format!("{year}-01-05")),
            "implementation_assessment": yes("Đầy đủ"),
            "movement_assessment": yes("Tổ tự quản hoạt động tốt"),
            "security_events": [], "hotspots": []
        }),
        serde_json::Value::Object(kdc_counts(&[])),
    ])
}

#[test]
fn kdc_240_of_240_households_met_239_not() {
    let e = eval(&kdc_case(2024, good_kdc_facts(2024)), "antt-kdc");
    assert_eq!(e.standard.version, 2);
    assert_eq!(verdict(&e, "4.1c"), Verdict::Met);
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    let f = merge(&[
        good_kdc_facts(2024),
        json!({ "households_registered": 239 }),
    ]);
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.1c"), Verdict::NotMet);
    assert_eq!(e.verdict, Verdict::NotMet);
    let s = sentence(&e, "4.1c");
    assert!(s.contains("239/240") && s.contains("99,58"), "{s}");
    assert!(s.contains("cần 240 (100\u{a0}%)"), "{s}");
    assert!(
        s.ends_with("khoản 1 Điều 4 Thông tư 124/2021/TT-BCA: chưa đạt"),
        "{s}"
    );
}

#[test]
fn resolution_dated_31_march_is_in_q1_1_april_is_not() {
    let e = eval(&kdc_case(2024, good_kdc_facts(2024)), "antt-kdc");
    assert_eq!(verdict(&e, "4.1a"), Verdict::Met);
    let f = merge(&[
        good_kdc_facts(2024),
        json!({ "party_resolution": doc("2024-04-01") }),
    ]);
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.1a"), Verdict::NotMet);
    assert!(sentence(&e, "4.1a").contains("01/04/2024"));
    // the previous year's Q1 does not count either
    let f = merge(&[
        good_kdc_facts(2024),
        json!({ "party_resolution": doc("2023-03-31") }),
    ]);
    assert_eq!(
        verdict(&eval(&kdc_case(2024, f), "antt-kdc"), "4.1a"),
        Verdict::NotMet
    );
    // "no resolution" (null) is not met; a resolution not entered is insufficient
    let f = merge(&[good_kdc_facts(2024), json!({ "party_resolution": null })]);
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.1a"), Verdict::NotMet);
    assert!(sentence(&e, "4.1a").contains("không có"));
    let mut f = good_kdc_facts(2024);
    f.as_object_mut().unwrap().remove("party_resolution");
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.1a"), Verdict::Insufficient);
    assert_eq!(e.verdict, Verdict::Insufficient);
}

#[test]
fn kdc_window_runs_from_1_november_to_31_october() {
    let with_event = |date: &str| {
        let f = merge(&[
            good_kdc_facts(2024),
            json!({ "security_events": [{ "date": date, "category": "e", "description": "Tranh chấp đất" }] }),
        ]);
        verdict(&eval(&kdc_case(2024, f), "antt-kdc"), "4.3")
    };
    assert_eq!(with_event("2023-11-01"), Verdict::NotMet);
    assert_eq!(with_event("2024-10-31"), Verdict::NotMet);
    assert_eq!(with_event("2023-10-31"), Verdict::Met);
    assert_eq!(with_event("2024-11-01"), Verdict::Met);
}

#[test]
fn a_missing_judgement_asks_the_reviewer() {
    let mut f = good_kdc_facts(2024);
    f.as_object_mut()
        .unwrap()
        .remove("implementation_assessment");
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.2"), Verdict::Insufficient);
    assert_eq!(e.verdict, Verdict::Insufficient);
    assert!(sentence(&e, "4.2").contains("người xét duyệt"));
    let f = merge(&[
        good_kdc_facts(2024),
        json!({ "implementation_assessment": { "value": false, "reason": "Chưa phổ biến nghị quyết" } }),
    ]);
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    assert_eq!(verdict(&e, "4.2"), Verdict::NotMet);
    assert!(sentence(&e, "4.2").contains("Chưa phổ biến nghị quyết"));
}

#[test]
fn missing_numbers_are_named_never_guessed() {
    let mut f = good_kdc_facts(2024);
    f.as_object_mut().unwrap().remove("households_resident");
    let e = eval(&kdc_case(2024, f), "antt-kdc");
    let r = rule(&e, "4.1c");
    assert_eq!(r.verdict, Verdict::Insufficient);
    let t = r.trace.as_ref().unwrap();
    assert_eq!(t.missing.len(), 1);
    assert_eq!(t.missing[0].key.as_deref(), Some("households_resident"));
    assert!(sentence(&e, "4.1c").contains("Số hộ gia đình đang cư trú"));
    // previous year missing → the comparison is insufficient, not "contained"
    let c = case(
        2024,
        json!({ "code": "01", "name": "Ấp Hòa Hảo", "kind": "residential_area", "facts": good_kdc_facts(2024) }),
    );
    let e = eval(&c, "antt-kdc");
    assert_eq!(verdict(&e, "4.4b"), Verdict::Insufficient);
    assert!(
        sentence(&e, "4.4b").contains("(2023)"),
        "{}",
        sentence(&e, "4.4b")
    );
}

// -------------------------------------------------------------- Circular 124 art. 5 (commune)

fn commune_case(year: i32, recognised: usize, total: usize) -> serde_json::Value {
    case(
        year,
        commune(
            "29410",
            year,
            good_commune_facts(year),
            kdcs(total, recognised, year),
        ),
    )
}

#[test]
fn commune_18_of_25_recognised_met_17_not() {
    let e = eval(&commune_case(2024, 18, 25), "antt-xa");
    assert_eq!(verdict(&e, "5.4b"), Verdict::Met);
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    let e = eval(&commune_case(2024, 17, 25), "antt-xa");
    assert_eq!(verdict(&e, "5.4b"), Verdict::NotMet);
    assert_eq!(e.verdict, Verdict::NotMet);
    let s = sentence(&e, "5.4b");
    assert!(s.starts_with("17/25 khu dân cư"), "{s}");
    assert!(
        s.contains("(68\u{a0}%), cần tối thiểu 18 (70\u{a0}%)"),
        "{s}"
    );
    assert!(
        s.ends_with("— khoản 4 Điều 5 Thông tư 124/2021/TT-BCA: chưa đạt"),
        "{s}"
    );
    // the trace names the parameter with its date and article
    let p = &rule(&e, "5.4b").trace.as_ref().unwrap().parameters[0];
    assert_eq!(p.key, "min_recognised_share");
    assert_eq!(p.valid_from.to_string(), "2022-02-10");
    assert_eq!(
        p.citation.as_ref().unwrap().text.vi,
        "khoản 4 Điều 5 Thông tư 124/2021/TT-BCA"
    );
}

#[test]
fn seventy_percent_rounds_up_for_every_size() {
    // ceil(0,7·n) computed exactly; n residential areas, k recognised
    for n in 1..=40usize {
        let needed = (7 * n).div_ceil(10);
        for k in [needed - 1, needed] {
            if k > n {
                continue;
            }
            let e = eval(&commune_case(2024, k, n), "antt-xa");
            let expected = if k >= needed {
                Verdict::Met
            } else {
                Verdict::NotMet
            };
            assert_eq!(verdict(&e, "5.4b"), expected, "{k}/{n}");
        }
    }
}

#[test]
fn commune_window_runs_from_16_november_to_15_november() {
    let with_event = |date: &str| {
        let f = merge(&[
            good_commune_facts(2024),
            json!({ "security_events": [{ "date": date, "category": "a" }] }),
        ]);
        let c = case(2024, commune("29410", 2024, f, kdcs(3, 3, 2024)));
        verdict(&eval(&c, "antt-xa"), "5.2b")
    };
    assert_eq!(with_event("2023-11-16"), Verdict::NotMet);
    assert_eq!(with_event("2024-11-15"), Verdict::NotMet);
    assert_eq!(with_event("2023-11-15"), Verdict::Met);
    assert_eq!(with_event("2024-11-16"), Verdict::Met);
}

#[test]
fn a_sub_unit_without_data_gives_insufficient() {
    let mut subs = kdcs(25, 24, 2024);
    subs.push(json!({ "code": "26", "name": "Ấp 26", "kind": "residential_area", "facts": {} }));
    let c = case(2024, commune("29410", 2024, good_commune_facts(2024), subs));
    let e = eval(&c, "antt-xa");
    assert_eq!(verdict(&e, "5.4a"), Verdict::Insufficient);
    assert_eq!(verdict(&e, "5.4b"), Verdict::Insufficient);
    assert_eq!(e.verdict, Verdict::Insufficient);
    let missing = &rule(&e, "5.4b").trace.as_ref().unwrap().missing;
    assert!(missing.iter().any(|m| m.unit_code == "26"), "{missing:?}");
    // no list of sub-units at all
    let mut u = commune("29410", 2024, good_commune_facts(2024), vec![]);
    u.as_object_mut().unwrap().remove("subunits");
    let e = eval(&case(2024, u), "antt-xa");
    assert_eq!(verdict(&e, "5.4b"), Verdict::Insufficient);
    assert!(sentence(&e, "5.4b").contains("đơn vị trực thuộc"));
}

#[test]
fn a_disciplined_officer_fails_5_3() {
    let f = merge(&[
        good_commune_facts(2024),
        json!({ "disciplinary_measures": [{ "date": "2024-06-01", "form": "reprimand" }] }),
    ]);
    let e = eval(
        &case(2024, commune("29410", 2024, f, kdcs(3, 3, 2024))),
        "antt-xa",
    );
    assert_eq!(verdict(&e, "5.3b"), Verdict::NotMet);
}

// ------------------------------------------------------------------- versions through time

#[test]
fn each_year_is_judged_by_the_version_in_force() {
    let v = |id: &str, year: i32| {
        let c = parse(&commune_case(year, 3, 3));
        reg().resolve(id, &c.unit.unit, year).map(|v| v.version)
    };
    assert_eq!(v("antt-xa", 2021), Ok(1), "TT 23/2012 until 09/02/2022");
    assert_eq!(v("antt-xa", 2022), Ok(2), "TT 124/2021 from 10/02/2022");
    assert_eq!(v("ntm-xa-19.2", 2020), Ok(1));
    assert_eq!(v("ntm-xa-19.2", 2021), Ok(1));
    assert_eq!(v("ntm-xa-19.2", 2022), Ok(2), "06/HD-BCA-V05");
    assert_eq!(v("ntm-xa-19.2", 2023), Ok(2));
    assert_eq!(v("ntm-xa-19.2", 2024), Ok(3), "04/HD-BCA-V05");
    assert_eq!(v("ntm-xa-19.2", 2025), Ok(3));
    assert_eq!(
        v("ntm-xa-19.2", 2026),
        Err(EvalError::NoVersion {
            id: "ntm-xa-19.2".into(),
            year: 2026
        })
    );
    assert_eq!(v("ntm-xa-2026", 2026), Ok(1));
    assert!(v("ntm-xa-2026", 2025).is_err());
    assert!(matches!(
        v("ntm-huyen-9.4", 2024),
        Err(EvalError::NotForKind { .. })
    ));
}

#[test]
fn tt23_commune_70_percent_example_16_of_25_fails() {
    let mut f = good_commune_facts(2021);
    f.as_object_mut()
        .unwrap()
        .insert("police_emulation_title".into(), json!("advanced"));
    let subs: Vec<_> = (0..25)
        .map(|i| {
            json!({ "code": format!("T{i}"), "name": format!("Thôn {i}"), "kind": "residential_area",
                    "facts": { "recognitions": if i < 16 { recognised("antt-kdc", 2021) } else { json!([]) } } })
        })
        .collect();
    let e = eval(
        &case(2021, commune("1", 2021, f.clone(), subs.clone())),
        "antt-xa",
    );
    assert_eq!(e.standard.version, 1);
    assert_eq!(verdict(&e, "6.4"), Verdict::NotMet);
    assert!(sentence(&e, "6.4").contains("16/25") && sentence(&e, "6.4").contains("64"));
    assert_eq!(verdict(&e, "6.3a"), Verdict::Met);
    let subs18: Vec<_> = (0..25)
        .map(|i| {
            json!({ "code": format!("T{i}"), "name": format!("Thôn {i}"), "kind": "residential_area",
                    "facts": { "recognitions": if i < 18 { recognised("antt-kdc", 2021) } else { json!([]) } } })
        })
        .collect();
    let e = eval(
        &case(2021, commune("1", 2021, f.clone(), subs18)),
        "antt-xa",
    );
    assert_eq!(verdict(&e, "6.4"), Verdict::Met);
    // a warning fails 6.3b, a reprimand does not
    let warned = merge(&[
        f.clone(),
        json!({ "disciplinary_measures": [{ "date": "2021-05-05", "form": "warning" }] }),
    ]);
    assert_eq!(
        verdict(
            &eval(
                &case(2021, commune("1", 2021, warned, subs.clone())),
                "antt-xa"
            ),
            "6.3b"
        ),
        Verdict::NotMet
    );
    let reprimanded = merge(&[
        f,
        json!({ "disciplinary_measures": [{ "date": "2021-05-05", "form": "reprimand" }] }),
    ]);
    assert_eq!(
        verdict(
            &eval(
                &case(2021, commune("1", 2021, reprimanded, subs)),
                "antt-xa"
            ),
            "6.3b"
        ),
        Verdict::Met
    );
}

// ------------------------------------------------------------------------- NTM 19.2 (2024)

#[test]
fn ntm_19_2_confirmed_and_provisional_rules() {
    let e = eval(&commune_case(2024, 3, 3), "ntm-xa-19.2");
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    let prov: Vec<&str> = e
        .rules
        .iter()
        .filter(|r| r.confidence == Confidence::Provisional)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(prov, ["4", "5", "6", "7", "8"]);
    assert!(
        e.rules
            .iter()
            .all(|r| r.confidence == Confidence::Confirmed || r.note.is_some())
    );
    // point e does not count for content 2 (only a–đ)
    let f = merge(&[
        good_commune_facts(2024),
        json!({ "security_events": [{ "date": "2024-05-01", "category": "e" }] }),
    ]);
    let e = eval(
        &case(2024, commune("1", 2024, f, kdcs(3, 3, 2024))),
        "ntm-xa-19.2",
    );
    assert_eq!(verdict(&e, "2"), Verdict::Met);
    let f = merge(&[
        good_commune_facts(2024),
        json!({ "security_events": [{ "date": "2024-05-01", "category": "đ" }] }),
    ]);
    let e = eval(
        &case(2024, commune("1", 2024, f, kdcs(3, 3, 2024))),
        "ntm-xa-19.2",
    );
    assert_eq!(verdict(&e, "2"), Verdict::NotMet);
    // the 2022 version (06/2022) is entirely provisional
    let e = eval(&commune_case(2023, 3, 3), "ntm-xa-19.2");
    assert_eq!(e.standard.version, 2);
    assert!(
        e.rules
            .iter()
            .all(|r| r.confidence == Confidence::Provisional)
    );
}

#[test]
fn mass_complaints_count_only_lawfully_resolved_matters_with_enough_people() {
    let with = |c: serde_json::Value| {
        let f = merge(&[good_commune_facts(2024), json!({ "mass_complaints": [c] })]);
        verdict(
            &eval(
                &case(2024, commune("1", 2024, f, kdcs(3, 3, 2024))),
                "ntm-xa-19.2",
            ),
            "3",
        )
    };
    assert_eq!(
        with(json!({ "date": "2024-04-01", "participants": 5, "lawfully_resolved": true })),
        Verdict::NotMet
    );
    assert_eq!(
        with(json!({ "date": "2024-04-01", "participants": 4, "lawfully_resolved": true })),
        Verdict::Met
    );
    assert_eq!(
        with(json!({ "date": "2024-04-01", "participants": 30, "lawfully_resolved": false })),
        Verdict::Met
    );
}

#[test]
fn equal_counts_under_both_contained_policies() {
    // 4 crimes this year, 4 last year: "not higher" (national default) is met …
    let f = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("crimes_social_order", 4)])),
    ]);
    let doc = case(2024, commune("1", 2024, f, kdcs(3, 3, 2024)));
    let e = eval(&doc, "ntm-xa-19.2");
    assert_eq!(verdict(&e, "5"), Verdict::Met);
    // … a province that chose "strictly lower" fails it
    let strict = SourceFile::new(
        "tinh-84/19.2.toml",
        r#"
[standard]
id = "ntm-xa-19.2"
version = 1
name = { vi = "Chỉ tiêu 19.2 (Trà Vinh)", en = "Indicator 19.2 (Trà Vinh)" }
applies_to = ["commune"]
jurisdiction = "84"
extends = "ntm-xa-19.2"
valid_from = 2024-01-01
legal_basis = [{ document = "124/2021/TT-BCA", article = 8, clause = 1 }]
window = { from = "11-16", to = "11-15" }

[[parameters]]
key = "contained_policy"
values = [{ from = 2024-01-01, value = "strict" }]
"#,
    );
    let reg = Registry::with_builtin(&[strict]).unwrap();
    let e = eval_with(&reg, &doc, "ntm-xa-19.2");
    assert_eq!(e.standard.jurisdiction, "84");
    assert_eq!(e.standard.extends.as_deref(), Some("ntm-xa-19.2@3"));
    assert_eq!(verdict(&e, "5"), Verdict::NotMet);
    let p = &rule(&e, "5").trace.as_ref().unwrap().parameters[0];
    assert_eq!(p.file, "tinh-84/19.2.toml");
    // 3 against 4 is lower: met under both
    let f = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("crimes_social_order", 3)])),
    ]);
    let lower = case(2024, commune("1", 2024, f, kdcs(3, 3, 2024)));
    assert_eq!(
        verdict(&eval_with(&reg, &lower, "ntm-xa-19.2"), "5"),
        Verdict::Met
    );
    // a unit of another province keeps the national version
    let mut other = doc.clone();
    other["unit"]["province"] = json!("31");
    let e = eval_with(&reg, &other, "ntm-xa-19.2");
    assert_eq!(e.standard.jurisdiction, "national");
    assert_eq!(verdict(&e, "5"), Verdict::Met);
    // the province file is merged with each national version it overlaps (06/2022 from
    // 01/01/2024 to 17/03/2024, and 04/2024): 3 national + 2 merged
    assert_eq!(reg.versions_of("ntm-xa-19.2").len(), 5);
    // 2023 is judged before the province's first day: national 06/2022
    let mut y2023 = case(
        2023,
        commune("1", 2023, good_commune_facts(2023), kdcs(3, 3, 2023)),
    );
    y2023["unit"]["province"] = json!("84");
    let e = eval_with(&reg, &y2023, "ntm-xa-19.2");
    assert_eq!(
        (e.standard.jurisdiction.as_str(), e.standard.version),
        ("national", 2)
    );
}

// ------------------------------------------------------------------------ advanced 19.2

#[test]
fn advanced_19_2_needs_a_5_percent_drop_and_a_camera_model() {
    let c = |now: i64, before: i64, camera: bool| {
        let f = merge(&[
            good_commune_facts(2024),
            serde_json::Value::Object(counts(&[("crimes_social_order", now)])),
            json!({ "models": [{ "name": "M", "type": if camera { "camera" } else { "self_management" }, "effective": true }] }),
        ]);
        let mut u = commune("1", 2024, f, kdcs(3, 3, 2024));
        u["earlier"]["2023"]["crimes_social_order"] = json!(before);
        eval(&case(2024, u), "ntm-xa-nc-19.2")
    };
    // 20 last year: at most 19 this year
    assert_eq!(verdict(&c(19, 20, true), "d"), Verdict::Met);
    assert_eq!(verdict(&c(20, 20, true), "d"), Verdict::NotMet);
    assert!(sentence(&c(20, 20, true), "d").contains("19"));
    // 10 last year: 9,5 → 9 is the most
    assert_eq!(verdict(&c(9, 10, true), "d"), Verdict::Met);
    assert_eq!(verdict(&c(10, 10, true), "d"), Verdict::NotMet);
    // 0 last year: must stay 0
    assert_eq!(verdict(&c(0, 0, true), "d"), Verdict::Met);
    let e = c(19, 20, false);
    assert_eq!(verdict(&e, "e"), Verdict::NotMet);
    // the advanced set relies on the commune's own 19.2 and TT 124 verdicts
    assert_eq!(
        rule(&e, "a").kind,
        binhyen_core::standard::RuleKind::Standard
    );
    assert_eq!(verdict(&c(19, 20, true), "a"), Verdict::Met);
    assert_eq!(verdict(&c(19, 20, true), "b"), Verdict::Met);
    assert!(!c(19, 20, true).related.is_empty());
}

// ---------------------------------------------------------------------------- QĐ 926

fn hung_my(crimes_2025: i64, preds_2019: &[Option<i64>]) -> serde_json::Value {
    let names = ["Xã Hòa Lợi", "Xã Phước Hảo", "Xã Hưng Mỹ"];
    let codes = ["29401", "29404", "29407"];
    let preds: Vec<_> = preds_2019
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut earlier = json!({});
            if let Some(c) = c {
                earlier["2019"] = json!(counts(&[("crimes_social_order", *c)]));
            }
            json!({ "code": codes[i], "name": names[i], "kind": "commune", "earlier": earlier })
        })
        .collect();
    case(
        2025,
        json!({
            "code": "29407", "name": "Xã Hưng Mỹ", "kind": "commune", "province": "86",
            "facts": counts(&[("crimes_social_order", crimes_2025)]),
            "earlier": { "2024": counts(&[("crimes_social_order", crimes_2025 + 1)]) },
            "predecessors": preds
        }),
    )
}

#[test]
fn minus_5_percent_against_2019_summed_over_predecessors() {
    // 2019: 8 + 7 + 5 = 20 → at most 19 in 2025
    let e = eval(
        &hung_my(19, &[Some(8), Some(7), Some(5)]),
        "qd926-dia-phuong",
    );
    assert_eq!(verdict(&e, "T926-2"), Verdict::Met, "{}", e.explain("vi"));
    let s = sentence(&e, "T926-2");
    assert!(s.contains("năm 2019: 20") && s.contains("19"), "{s}");
    let facts = &rule(&e, "T926-2").trace.as_ref().unwrap().facts;
    assert_eq!(facts.iter().filter(|f| f.year == 2019).count(), 3);
    let e = eval(
        &hung_my(20, &[Some(8), Some(7), Some(5)]),
        "qd926-dia-phuong",
    );
    assert_eq!(verdict(&e, "T926-2"), Verdict::NotMet);
    // one predecessor without 2019 figures: the baseline is unknown
    let e = eval(&hung_my(10, &[Some(8), None, Some(5)]), "qd926-dia-phuong");
    assert_eq!(verdict(&e, "T926-2"), Verdict::Insufficient);
    let missing = &rule(&e, "T926-2").trace.as_ref().unwrap().missing;
    assert_eq!(missing[0].unit_code, "29404");
    assert_eq!(missing[0].year, Some(2019));
}

#[test]
fn qd926_shares_count_recorded_recognitions() {
    // 7 districts, 2 recognised 9.1 = 28,57 % ≥ 25 %; 100 communes, 99 recognised 19.2
    let mut districts = vec![];
    let mut n = 0;
    for d in 0..7 {
        let communes: Vec<_> = (0..if d == 0 { 16 } else { 14 })
            .map(|_| {
                n += 1;
                let mut rec = vec![];
                if n <= 99 {
                    rec.push(json!({ "standard": "ntm-xa-19.2", "year": 2025 }));
                }
                if n <= 49 {
                    rec.push(json!({ "standard": "ntm-xa-nc-19.2", "year": 2025 }));
                }
                json!({ "code": format!("C{n}"), "name": format!("Xã {n}"), "kind": "commune", "facts": { "recognitions": rec } })
            })
            .collect();
        let mut rec = vec![json!({ "standard": "ntm-huyen-9.4", "year": 2025 })];
        if d < 2 {
            rec.push(json!({ "standard": "ntm-huyen-nc-9.1", "year": 2025 }));
        }
        districts.push(
            json!({ "code": format!("D{d}"), "name": format!("Huyện {d}"), "kind": "district",
                               "facts": { "recognitions": rec }, "subunits": communes }),
        );
    }
    let e = eval(
        &case(
            2025,
            json!({ "code": "84", "name": "Tỉnh Trà Vinh", "kind": "province", "subunits": districts }),
        ),
        "qd926-ty-le",
    );
    assert_eq!(
        verdict(&e, "T926-3"),
        Verdict::Met,
        "{}",
        sentence(&e, "T926-3")
    );
    assert_eq!(verdict(&e, "T926-4"), Verdict::NotMet, "49/100 < 50 %");
    assert_eq!(verdict(&e, "T926-5"), Verdict::Met);
    assert_eq!(verdict(&e, "T926-6"), Verdict::Met);
    assert!(sentence(&e, "T926-6").contains("2/7") && sentence(&e, "T926-6").contains("28,57"));
}

// ------------------------------------------------------------------- district 9.4 and 9.1

#[test]
fn district_9_4_depends_on_its_communes_19_2() {
    let good = commune("A", 2024, good_commune_facts(2024), kdcs(3, 3, 2024));
    let bad_facts = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("serious_crimes", 1)])),
    ]);
    let bad = commune("B", 2024, bad_facts, kdcs(3, 3, 2024));
    let district = |communes: Vec<serde_json::Value>| {
        case(
            2024,
            json!({
                "code": "847", "name": "Huyện Châu Thành", "kind": "district", "province": "84",
                "facts": merge(&[
                    json!({ "party_resolution": doc("2024-01-10"), "people_committee_plan": doc("2024-01-20"),
                            "forces_assessment": yes("Hoàn thành tốt"), "mass_complaints": [], "hotspots": [] }),
                    serde_json::Value::Object(counts(&[])),
                ]),
                "earlier": { "2023": counts(&[]) },
                "subunits": communes
            }),
        )
    };
    let e = eval(&district(vec![good.clone(), good.clone()]), "ntm-huyen-9.4");
    assert_eq!(verdict(&e, "2"), Verdict::Met, "{}", e.explain("vi"));
    let e = eval(&district(vec![good.clone(), bad.clone()]), "ntm-huyen-9.4");
    assert_eq!(verdict(&e, "2"), Verdict::NotMet);
    assert!(sentence(&e, "2").contains("1/2"));
    let subs = &rule(&e, "2").trace.as_ref().unwrap().sub_verdicts;
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[1].verdict, Verdict::NotMet);
    assert!(
        e.related
            .iter()
            .any(|r| r.unit.code == "B" && r.standard.id == "ntm-xa-19.2")
    );
    // 9.1 relies on 9.4 and on the communes' TT 124 verdicts
    let e = eval(&district(vec![good.clone(), bad]), "ntm-huyen-nc-9.1");
    assert_eq!(verdict(&e, "1"), Verdict::NotMet);
    assert_eq!(verdict(&e, "3"), Verdict::Met);
    // no district versions after the abolition of districts
    let c = parse(&district(vec![good]));
    assert!(reg().resolve("ntm-huyen-9.4", &c.unit.unit, 2025).is_err());
}

// ----------------------------------------------------------------- QĐ 18 revocation flag

#[test]
fn revocation_flag_rises_when_a_recognised_commune_fails_19_2() {
    let bad_facts = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("serious_crimes", 2)])),
        json!({ "recognitions": recognised("ntm-xa", 2021) }),
    ]);
    let e = eval(
        &case(2024, commune("1", 2024, bad_facts, kdcs(3, 3, 2024))),
        "qd18-thu-hoi",
    );
    assert_eq!(e.verdict, Verdict::NotMet);
    assert_eq!(e.verdict_text.vi, "có cảnh báo");
    assert!(sentence(&e, "19.2").contains("nguy cơ bị thu hồi"));
    // a commune never recognised has nothing to lose
    let f = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("serious_crimes", 2)])),
        json!({ "recognitions": [] }),
    ]);
    let e = eval(
        &case(2024, commune("1", 2024, f, kdcs(3, 3, 2024))),
        "qd18-thu-hoi",
    );
    assert_eq!(e.verdict, Verdict::Met);
    assert_eq!(e.verdict_text.vi, "không có cảnh báo");
    // a revoked recognition does not count
    let f = merge(&[
        good_commune_facts(2024),
        serde_json::Value::Object(counts(&[("serious_crimes", 2)])),
        json!({ "recognitions": [{ "standard": "ntm-xa", "year": 2021, "revoked": true }] }),
    ]);
    let e = eval(
        &case(2024, commune("1", 2024, f, kdcs(3, 3, 2024))),
        "qd18-thu-hoi",
    );
    assert_eq!(e.verdict, Verdict::Met);
}

// --------------------------------------------------------------- 2026 and the province set

#[test]
fn year_2026_can_be_evaluated_provisionally() {
    let mut f = good_commune_facts(2026);
    f["criterion10_assessment"] = yes("Đạt theo hướng dẫn tạm thời của Công an tỉnh");
    let e = eval(
        &case(2026, commune("29407", 2026, f, kdcs(4, 3, 2026))),
        "ntm-xa-2026",
    );
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    assert!(
        e.rules
            .iter()
            .all(|r| r.confidence == Confidence::Provisional)
    );
    assert_eq!(e.standard.provisional_rules, 2);
    assert!(e.explain("vi").contains("tạm tính"));
}

#[test]
fn hai_phong_extends_the_advanced_set_for_its_communes_only() {
    let mut u = commune("11311", 2024, good_commune_facts(2024), kdcs(5, 5, 2024));
    u["province"] = json!("31");
    u["facts"]["model_field_assessment"] = yes("Nổi trội");
    let e = eval(&case(2024, u.clone()), "hp-xa-kieu-mau-antt");
    let ids: Vec<&str> = e.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e", "KM-1", "KM-2", "KM-3"]);
    assert_eq!(e.standard.extends.as_deref(), Some("ntm-xa-nc-19.2@1"));
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    let c = parse(&case(2024, u.clone()));
    assert!(
        reg()
            .applicable(&c.unit.unit, 2024)
            .iter()
            .any(|v| v.id == "hp-xa-kieu-mau-antt")
    );
    u["province"] = json!("84");
    let c = parse(&case(2024, u));
    assert!(
        reg()
            .resolve("hp-xa-kieu-mau-antt", &c.unit.unit, 2024)
            .is_err()
    );
    assert!(
        !reg()
            .applicable(&c.unit.unit, 2024)
            .iter()
            .any(|v| v.id == "hp-xa-kieu-mau-antt")
    );
}

#[test]
fn organisations_meet_art_6() {
    let facts = json!({
        "has_party_organisation": true, "party_resolution": doc("2024-03-15"), "unit_plan": doc("2024-02-01"),
        "registration": doc("2024-02-01"), "internal_rules": doc("2020-01-01"), "staff_total": 120, "staff_briefed": 120,
        "models": [{ "name": "Tổ bảo vệ", "type": "self_protection", "effective": true }],
        "cooperation_assessment": yes("Có quy chế phối hợp"), "security_events": [], "staff_violations": 0
    });
    let c = case(
        2024,
        json!({ "code": "DN1", "name": "Công ty TNHH Thủy sản", "kind": "organisation", "facts": facts }),
    );
    let e = eval(&c, "antt-cq");
    assert_eq!(e.verdict, Verdict::Met, "{}", e.explain("vi"));
    let mut c2 = c.clone();
    c2["unit"]["facts"]["staff_briefed"] = json!(119);
    assert_eq!(verdict(&eval(&c2, "antt-cq"), "6.1d"), Verdict::NotMet);
    let mut c3 = c;
    c3["unit"]["facts"]["has_party_organisation"] = json!(false);
    c3["unit"]["facts"]["party_resolution"] = json!(null);
    assert_eq!(verdict(&eval(&c3, "antt-cq"), "6.1a"), Verdict::Met);
}

#[test]
fn every_rule_cites_a_known_source_and_provisional_ones_say_why() {
    let reg = reg();
    for v in reg.versions() {
        assert!(!v.legal_basis.is_empty());
        for r in &v.rules {
            assert!(
                reg.source(&r.citation.document).is_some(),
                "{} {}",
                v.id,
                r.id
            );
            if r.confidence == Confidence::Provisional {
                assert!(r.note.is_some(), "{} {}", v.id, r.id);
            }
            if matches!(r.evidence.as_deref(), Some("I" | "?")) {
                assert_eq!(r.confidence, Confidence::Provisional, "{} {}", v.id, r.id);
            }
        }
    }
}
