//! The standards engine at national scale, on synthetic in-memory cases shaped like the country
//! before the 2025 reform: 63 provinces, 693 districts, 10,000 communes, 70,000 residential
//! areas, one year (2024). Measures, in one process:
//!
//! 1. reading facts: parsing 10,000 commune case documents (each with its 7 residential areas)
//!    from JSON text and checking them against the catalogue;
//! 2. evaluating every built-in standard that applies to every unit (verdicts only), with one
//!    session so that a district's 9.4 reuses its communes' 19.2;
//! 3. the same with full explanations (sentences and traces);
//! 4. re-evaluating one commune (all its standards) after one fact changed.
//!
//! Run: `cargo bench -p binhyen-core --bench standards`. Prints numbers; asserts nothing about
//! time.

use std::time::{Duration, Instant};

use binhyen_core::case;
use binhyen_core::diag::SourceFile;
use binhyen_core::fact::{FactEntry, UnitInput, UnitRef, Value};
use binhyen_core::standard::{Registry, Session, Verdict};
use binhyen_core::units::UnitKind;
use serde_json::{Value as J, json};

const YEAR: i32 = 2024;
const PROVINCES: usize = 63;
const DISTRICTS_PER_PROVINCE: usize = 11;
const COMMUNES: usize = 10_000;
const KDC_PER_COMMUNE: usize = 7;

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn doc(date: String) -> J {
    json!({ "number": "01/NQ", "date": date, "issuer": "Cơ quan" })
}

fn counts(r: &mut Lcg, kdc: bool) -> J {
    let mut m = serde_json::Map::new();
    let keys: &[&str] = if kdc {
        &[
            "crimes_social_order",
            "crimes_drugs",
            "serious_crimes",
            "drug_users",
            "gambling_cases",
            "prostitution_cases",
        ]
    } else {
        &[
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
        ]
    };
    for k in keys {
        let v = if *k == "serious_crimes" {
            u64::from(r.next(20) == 0)
        } else {
            r.next(6)
        };
        m.insert((*k).into(), json!(v));
    }
    J::Object(m)
}

fn judgement(r: &mut Lcg) -> J {
    json!({ "value": r.next(30) != 0, "reason": "Kết luận của tổ xét duyệt" })
}

fn kdc(r: &mut Lcg, code: String) -> J {
    let resident = 80 + r.next(300);
    let registered = if r.next(10) == 0 {
        resident - 1
    } else {
        resident
    };
    let mut facts = counts(r, true);
    let f = facts.as_object_mut().unwrap();
    f.insert("households_resident".into(), json!(resident));
    f.insert("households_registered".into(), json!(registered));
    f.insert(
        "party_resolution".into(),
        doc(format!("{YEAR}-0{}-15", 1 + r.next(4))),
    );
    f.insert("registration".into(), doc(format!("{YEAR}-02-01")));
    f.insert("implementation_assessment".into(), judgement(r));
    f.insert("movement_assessment".into(), judgement(r));
    f.insert("hotspots".into(), json!([]));
    let events = if r.next(15) == 0 {
        json!([{ "date": format!("{YEAR}-05-05"), "category": "e" }])
    } else {
        json!([])
    };
    f.insert("security_events".into(), events);
    let rec = if r.next(4) != 0 {
        json!([{ "standard": "antt-kdc", "year": YEAR }])
    } else {
        json!([])
    };
    f.insert("recognitions".into(), rec);
    json!({ "code": code, "name": "Khu dân cư", "kind": "residential_area",
            "facts": facts, "earlier": { (YEAR - 1).to_string(): counts(r, true) } })
}

fn commune_doc(r: &mut Lcg, code: String, province: String) -> String {
    let mut facts = counts(r, false);
    let f = facts.as_object_mut().unwrap();
    f.insert("party_resolution".into(), doc(format!("{YEAR}-01-20")));
    f.insert("people_committee_plan".into(), doc(format!("{YEAR}-02-10")));
    f.insert("registration".into(), doc(format!("{YEAR}-03-01")));
    f.insert(
        "models".into(),
        json!([{ "name": "Camera", "type": "camera", "cameras": 8, "effective": r.next(5) != 0 }]),
    );
    for k in [
        "implementation_assessment",
        "police_assessment",
        "direction_assessment",
    ] {
        f.insert(k.into(), judgement(r));
    }
    for k in [
        "security_events",
        "mass_complaints",
        "hotspots",
        "disciplinary_measures",
    ] {
        f.insert(k.into(), json!([]));
    }
    let mut rec = vec![json!({ "standard": "ntm-xa", "year": 2020 })];
    if r.next(2) == 0 {
        rec.push(json!({ "standard": "ntm-xa-19.2", "year": YEAR }));
    }
    f.insert("recognitions".into(), J::Array(rec));
    let kdcs: Vec<J> = (0..KDC_PER_COMMUNE)
        .map(|i| kdc(r, format!("{code}-{i}")))
        .collect();
    let unit = json!({
        "code": code, "name": format!("Xã {code}"), "kind": "commune", "province": province,
        "facts": facts,
        "earlier": { (YEAR - 1).to_string(): counts(r, false), "2019": { "crimes_social_order": r.next(10) } },
        "subunits": kdcs
    });
    json!({ "binhyen_case": 1, "year": YEAR, "unit": unit }).to_string()
}

fn region_facts(r: &mut Lcg, kind: UnitKind) -> J {
    let mut facts = counts(r, false);
    let f = facts.as_object_mut().unwrap();
    if kind == UnitKind::District {
        f.insert("party_resolution".into(), doc(format!("{YEAR}-01-10")));
        f.insert("people_committee_plan".into(), doc(format!("{YEAR}-01-20")));
        f.insert("forces_assessment".into(), judgement(r));
        f.insert("mass_complaints".into(), json!([]));
        f.insert("hotspots".into(), json!([]));
        f.insert(
            "recognitions".into(),
            json!([{ "standard": "ntm-huyen-9.4", "year": YEAR }]),
        );
    }
    facts
}

/// A district or province shell (facts parsed from a small case), to hold the tree.
fn region(reg: &Registry, r: &mut Lcg, code: String, kind: UnitKind, province: &str) -> UnitInput {
    let doc = json!({ "binhyen_case": 1, "year": YEAR, "unit": {
        "code": code, "name": code, "kind": kind.as_str(), "province": province,
        "facts": region_facts(r, kind),
        "earlier": { (YEAR - 1).to_string(): counts(r, false), "2019": { "crimes_social_order": 40 + r.next(30) } } } });
    case::parse(&SourceFile::new("region", doc.to_string()), reg)
        .unwrap()
        .unit
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let t = Instant::now();
    let reg = Registry::builtin();
    println!("load and check the built-in standards: {}", ms(t.elapsed()));

    // synthetic case documents, one per commune (generation is not measured)
    let mut r = Lcg(2024);
    let provinces: Vec<String> = (0..PROVINCES).map(|p| format!("{:02}", p + 1)).collect();
    let docs: Vec<(usize, String)> = (0..COMMUNES)
        .map(|i| {
            let p = i % PROVINCES;
            (
                i,
                commune_doc(&mut r, format!("{:05}", i + 1), provinces[p].clone()),
            )
        })
        .collect();
    let bytes: usize = docs.iter().map(|(_, d)| d.len()).sum();

    // 1. reading facts
    let t = Instant::now();
    let communes: Vec<UnitInput> = docs
        .iter()
        .map(|(i, d)| {
            case::parse(&SourceFile::new(format!("c{i}.json"), d.as_str()), reg)
                .expect("valid")
                .unit
        })
        .collect();
    let read = t.elapsed();
    println!(
        "read facts: {COMMUNES} commune cases with {} residential areas ({:.1} MB of JSON) in {}",
        COMMUNES * KDC_PER_COMMUNE,
        bytes as f64 / 1e6,
        ms(read)
    );

    // assemble the country: provinces → districts → communes
    let mut nation: Vec<UnitInput> = provinces
        .iter()
        .map(|p| {
            let mut u = region(reg, &mut r, p.clone(), UnitKind::Province, p);
            u.subunits = Some(
                (0..DISTRICTS_PER_PROVINCE)
                    .map(|d| {
                        let mut x = region(reg, &mut r, format!("{p}{d}"), UnitKind::District, p);
                        x.subunits = Some(vec![]);
                        x
                    })
                    .collect(),
            );
            u
        })
        .collect();
    for (i, c) in communes.into_iter().enumerate() {
        let p = i % PROVINCES;
        let d = (i / PROVINCES) % DISTRICTS_PER_PROVINCE;
        nation[p].subunits.as_mut().unwrap()[d]
            .subunits
            .as_mut()
            .unwrap()
            .push(c);
    }
    let units: usize = nation.iter().map(UnitInput::tree_size).sum();

    // 2. and 3. evaluate everything
    for explain in [false, true] {
        let t = Instant::now();
        let mut session = Session::new(reg, YEAR);
        let mut evaluations = 0usize;
        let mut met = 0usize;
        let mut insufficient = 0usize;
        let mut stack: Vec<&UnitInput> = nation.iter().collect();
        while let Some(u) = stack.pop() {
            for v in reg.applicable(&u.unit, YEAR) {
                let verdict = if explain {
                    session.run(u, v, true).verdict
                } else {
                    session.judge(u, v).0
                };
                evaluations += 1;
                met += usize::from(verdict == Verdict::Met);
                insufficient += usize::from(verdict == Verdict::Insufficient);
            }
            stack.extend(u.subunits.iter().flatten());
        }
        let took = t.elapsed();
        println!(
            "evaluate {} ({}): {units} units, {evaluations} evaluations ({met} met, {insufficient} insufficient) in {} — {:.2} µs per evaluation",
            if explain {
                "with explanations"
            } else {
                "verdicts only"
            },
            if explain {
                "sentences + traces"
            } else {
                "fast path"
            },
            ms(took),
            took.as_secs_f64() * 1e6 / evaluations as f64
        );
        if !explain {
            println!(
                "national total, reading facts + verdicts: {}",
                ms(read + took)
            );
        }
    }

    // 4. one commune after one fact changes
    let commune = &nation[0].subunits.as_ref().unwrap()[0]
        .subunits
        .as_ref()
        .unwrap()[0];
    let field = reg.catalogue().field("crimes_social_order").unwrap().id;
    let mut times = vec![];
    let mut times_explained = vec![];
    for i in 0..2000 {
        let mut changed: UnitInput = commune.clone();
        changed.facts_mut(YEAR).set(
            field,
            FactEntry {
                value: Value::Int(i % 7),
                provenance: None,
            },
        );
        let explain = i % 2 == 1;
        let t = Instant::now();
        let mut session = Session::new(reg, YEAR);
        let n = reg
            .applicable(&changed.unit, YEAR)
            .into_iter()
            .map(|v| {
                if explain {
                    session.run(&changed, v, true).rules.len()
                } else {
                    session.judge(&changed, v).1.len()
                }
            })
            .sum::<usize>();
        std::hint::black_box(n);
        if explain {
            times_explained.push(t.elapsed())
        } else {
            times.push(t.elapsed())
        }
    }
    let unit: &UnitRef = &commune.unit;
    println!(
        "re-evaluate one commune ({}, {} standards) after one fact changed: median {:.1} µs verdicts only, {:.1} µs with explanations",
        unit.code,
        reg.applicable(unit, YEAR).len(),
        median(times).as_secs_f64() * 1e6,
        median(times_explained).as_secs_f64() * 1e6
    );
}
