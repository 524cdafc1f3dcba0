//! The law's boundary cases on the database: a case file's units become a small synthetic
//! map (with a merger for its predecessors), its facts become stored forms, and
//! `evaluate_unit` must give the verdicts the case gives in memory — on SQLite and PostgreSQL.

use std::collections::HashMap;

use binhyen_core::case::{self, Case, facts_json};
use binhyen_core::diag::SourceFile;
use binhyen_core::fact::UnitInput;
use binhyen_core::standard::{Evaluation, Registry, Verdict};
use binhyen_core::units::{
    Atlas, EventKind, History, LineageEvent, LineageLink, Unit, UnitId, UnitKind, Validity, Version,
};
use binhyen_store::Store;
use binhyen_store::facts::{self, FormRow};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value as JV, json};

use super::evaluation::{evaluate_scope, evaluate_unit};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct MapBuilder<'c> {
    units: Vec<Unit>,
    events: Vec<LineageEvent>,
    next: UnitId,
    /// (natural key, the case's unit) for every unit that carries facts
    carried: Vec<(String, &'c UnitInput)>,
}

impl<'c> MapBuilder<'c> {
    fn add(
        &mut self,
        code: &str,
        name: &str,
        kind: UnitKind,
        parent: Option<UnitId>,
        validity: Validity,
    ) -> UnitId {
        let id = self.next;
        self.next -= 1;
        self.units.push(Unit {
            id,
            key: Unit::key_for(code, validity.from),
            kind,
            versions: vec![Version {
                code: code.to_owned(),
                name: name.to_owned(),
                unit_type: match kind {
                    UnitKind::Province => "Tỉnh",
                    UnitKind::District => "Huyện",
                    UnitKind::Commune => "Xã",
                    UnitKind::ResidentialArea => "Ấp",
                    UnitKind::Organisation => "Doanh nghiệp",
                }
                .to_owned(),
                parent,
                validity,
                origin: None,
            }],
        });
        id
    }

    /// The case's unit under `parent`, its sub-units below it, its predecessors merged into it.
    fn unit(&mut self, u: &'c UnitInput, parent: Option<UnitId>, from: NaiveDate, year: i32) {
        let from = if u.predecessors.is_empty() {
            from
        } else {
            d(year, 1, 1)
        };
        let v = Validity { from, to: None };
        let id = self.add(&u.unit.code, &u.unit.name, u.unit.kind, parent, v);
        self.carried.push((Unit::key_for(&u.unit.code, from), u));
        for s in u.subunits.iter().flatten() {
            self.unit(s, Some(id), from, year);
        }
        let mut links = vec![];
        for p in &u.predecessors {
            let pv = Validity {
                from: d(2015, 1, 1),
                to: Some(from),
            };
            let pid = self.add(&p.unit.code, &p.unit.name, p.unit.kind, parent, pv);
            self.carried.push((Unit::key_for(&p.unit.code, pv.from), p));
            links.push(LineageLink {
                from: Some(pid),
                to: Some(id),
                share: None,
                partial: false,
                inferred: false,
                note: None,
            });
        }
        if !links.is_empty() {
            self.events.push(LineageEvent {
                kind: EventKind::Merge,
                date: from,
                legal_basis: Some("Nghị quyết thử".into()),
                note: None,
                links,
                origin: None,
            });
        }
    }
}

/// Stores a case's units and facts; returns the map and the id of the case's unit.
async fn store_case(store: &Store, reg: &Registry, c: &Case) -> (Atlas, UnitId) {
    let start = d(2015, 1, 1);
    let open = Validity {
        from: start,
        to: None,
    };
    let mut b = MapBuilder {
        units: vec![],
        events: vec![],
        next: -1,
        carried: vec![],
    };
    let top = &c.unit;
    let parent = if top.unit.kind == UnitKind::Province {
        None
    } else {
        let code = top.unit.province.as_deref().unwrap_or("99");
        let p = b.add(code, "Tỉnh Thử", UnitKind::Province, None, open);
        match top.unit.kind {
            UnitKind::ResidentialArea | UnitKind::Organisation => {
                Some(b.add("T0001", "Xã Thử", UnitKind::Commune, Some(p), open))
            }
            _ => Some(p),
        }
    };
    b.unit(top, parent, start, c.year);
    let carried = std::mem::take(&mut b.carried);
    let dataset = History {
        units: b.units,
        events: b.events,
    };
    let (atlas, _) = store
        .import_units(|_| Ok(dataset), &|_, _, _| {})
        .await
        .expect("the synthetic map imports");
    let by_key: HashMap<&str, UnitId> = atlas
        .units()
        .iter()
        .map(|u| (u.key.as_str(), u.id))
        .collect();
    let cat = reg.catalogue();
    let at = Utc.with_ymd_and_hms(2024, 11, 20, 3, 0, 0).unwrap();
    let mut rows = vec![];
    for (key, u) in &carried {
        let id = by_key[key.as_str()];
        for (year, f) in &u.years {
            let JV::Object(all) = facts_json(f, cat) else {
                unreachable!("facts are an object")
            };
            let mut forms: HashMap<&str, serde_json::Map<String, JV>> = HashMap::new();
            for (k, v) in all {
                let group = cat.version_for(&k, u.unit.kind, *year).unwrap().group;
                forms.entry(group.as_str()).or_default().insert(k, v);
            }
            for (form, data) in forms {
                rows.push(FormRow {
                    unit_id: id,
                    year: *year,
                    form: form.to_owned(),
                    data: JV::Object(data).to_string(),
                    version: 1,
                    status: "submitted".into(),
                    updated_by: None,
                    updated_by_name: "Công an xã (thử)".into(),
                    updated_at: at,
                });
            }
        }
    }
    let tx = store.begin().await.unwrap();
    facts::insert_forms(&tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    // the case's own unit was added first
    let id = by_key[carried[0].0.as_str()];
    (atlas, id)
}

/// The map always knows a unit's sub-units: "none listed" is "none".
fn known_subunits(u: &mut UnitInput) {
    let subs = u.subunits.get_or_insert_with(Vec::new);
    for s in subs {
        known_subunits(s);
    }
}

/// A standard's verdict and its rules' verdicts.
type Verdicts = (String, Verdict, Vec<(String, Verdict)>);

fn verdicts(list: &[Evaluation]) -> Vec<Verdicts> {
    let mut v: Vec<_> = list
        .iter()
        .map(|e| {
            (
                e.standard.id.clone(),
                e.verdict,
                e.rules.iter().map(|r| (r.id.clone(), r.verdict)).collect(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Stores the case, evaluates it from the database and in memory, and returns the database's
/// evaluations after checking both agree on every standard and rule.
async fn same_on_the_database(store: &Store, json: &JV) -> Vec<Evaluation> {
    let reg = Registry::builtin();
    let file = SourceFile::new("case.json", json.to_string());
    let mut c = case::parse(&file, reg).unwrap_or_else(|e| panic!("{e:?}"));
    known_subunits(&mut c.unit);
    let (atlas, id) = store_case(store, reg, &c).await;
    let from_db = evaluate_unit(store, &atlas, reg, id, c.year, None, false)
        .await
        .unwrap();
    let in_memory = reg.evaluate_all(&c.unit, c.year, false);
    assert!(!from_db.is_empty());
    assert_eq!(
        verdicts(&from_db),
        verdicts(&in_memory),
        "{}",
        c.unit.unit.code
    );
    from_db
}

fn example(name: &str) -> JV {
    let path = format!("{}/../../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn verdict_of(list: &[Evaluation], standard: &str, rule: Option<&str>) -> Verdict {
    let e = list.iter().find(|e| e.standard.id == standard).unwrap();
    match rule {
        None => e.verdict,
        Some(r) => e.rules.iter().find(|x| x.id == r).unwrap().verdict,
    }
}

/// One case per test: its units get their own database (codes are unique per date).
macro_rules! db_case {
    ($name:ident, $json:expr, |$list:ident| $check:block) => {
        binhyen_store::db_test!($name, |store| {
            let $list = same_on_the_database(&store, &$json).await;
            $check
        });
    };
}

db_case!(
    example_ap_hoa_hao_239_of_240,
    example("ap-hoa-hao-2024.json"),
    |l| {
        assert_eq!(verdict_of(&l, "antt-kdc", Some("4.1c")), Verdict::NotMet);
    }
);

db_case!(
    example_hung_my_merged_minus_5_percent,
    example("hung-my-2025-qd926.json"),
    |l| {
        assert_eq!(
            verdict_of(&l, "qd926-dia-phuong", Some("T926-2")),
            Verdict::Met
        );
    }
);

db_case!(
    example_huyen_chau_thanh,
    example("huyen-chau-thanh-2024.json"),
    |l| {
        assert!(l.iter().any(|e| e.standard.id == "ntm-huyen-9.4"));
    }
);

db_case!(
    example_tra_vinh_hoa_minh,
    example("tra-vinh-hoa-minh-2024.json"),
    |l| {
        assert_eq!(verdict_of(&l, "ntm-xa-19.2", None), Verdict::Met);
        assert_eq!(verdict_of(&l, "antt-xa", Some("5.4b")), Verdict::Met);
    }
);

db_case!(
    example_17_of_25_not_met,
    example("xa-17-tren-25-khu-dan-cu-2024.json"),
    |l| {
        assert_eq!(verdict_of(&l, "antt-xa", Some("5.4b")), Verdict::NotMet);
    }
);

/// The 17/25 example with one more residential area recognised.
fn eighteen_of_25() -> JV {
    let mut c = example("xa-17-tren-25-khu-dan-cu-2024.json");
    let subs = c["unit"]["subunits"].as_array_mut().unwrap();
    let not_yet = subs
        .iter_mut()
        .find(|s| {
            s["facts"]["recognitions"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        })
        .unwrap();
    not_yet["facts"]["recognitions"] = json!([{
        "standard": "antt-kdc", "year": 2024,
        "decision_number": "999/QĐ-UBND", "decision_date": "2024-11-05"
    }]);
    c
}

db_case!(eighteen_of_25_recognised_is_met, eighteen_of_25(), |l| {
    assert_eq!(verdict_of(&l, "antt-xa", Some("5.4b")), Verdict::Met);
});

db_case!(
    a_sub_unit_without_data_is_insufficient,
    {
        let mut c = eighteen_of_25();
        c["unit"]["subunits"].as_array_mut().unwrap().push(json!({
            "code": "29410-99", "name": "Ấp Mới", "kind": "residential_area", "facts": {}
        }));
        c
    },
    |l| {
        assert_eq!(
            verdict_of(&l, "antt-xa", Some("5.4b")),
            Verdict::Insufficient
        );
    }
);

db_case!(
    households_240_of_240_is_met,
    {
        let mut c = example("ap-hoa-hao-2024.json");
        c["unit"]["facts"]["households_registered"] = json!(240);
        c
    },
    |l| {
        assert_eq!(verdict_of(&l, "antt-kdc", Some("4.1c")), Verdict::Met);
    }
);

db_case!(
    resolution_on_1_april_is_outside_q1,
    {
        let mut c = example("ap-hoa-hao-2024.json");
        assert_eq!(c["unit"]["facts"]["party_resolution"]["date"], "2024-03-31");
        c["unit"]["facts"]["party_resolution"]["date"] = json!("2024-04-01");
        c
    },
    |l| {
        assert_eq!(verdict_of(&l, "antt-kdc", Some("4.1a")), Verdict::NotMet);
    }
);

db_case!(
    one_more_crime_than_95_percent_of_2019_is_not_met,
    {
        let mut c = example("hung-my-2025-qd926.json");
        c["unit"]["facts"]["crimes_social_order"] = json!(20);
        c
    },
    |l| {
        assert_eq!(
            verdict_of(&l, "qd926-dia-phuong", Some("T926-2")),
            Verdict::NotMet
        );
    }
);

binhyen_store::db_test!(a_scope_judges_every_unit_under_it, |store| {
    let reg = Registry::builtin();
    let file = SourceFile::new(
        "case.json",
        example("tra-vinh-hoa-minh-2024.json").to_string(),
    );
    let mut c = case::parse(&file, reg).unwrap();
    known_subunits(&mut c.unit);
    let (atlas, id) = store_case(&store, reg, &c).await;
    let all = evaluate_scope(&store, &atlas, reg, Some(id), 2024, None, false)
        .await
        .unwrap();
    let units: std::collections::BTreeSet<&str> =
        all.iter().map(|e| e.unit.code.as_str()).collect();
    assert_eq!(units.len(), c.unit.tree_size(), "{units:?}");
    let one = evaluate_unit(&store, &atlas, reg, id, 2024, None, false)
        .await
        .unwrap();
    let commune: Vec<Evaluation> = all.into_iter().filter(|e| e.unit.id == Some(id)).collect();
    assert_eq!(verdicts(&commune), verdicts(&one));
    // the whole country gives the same for this unit
    let country = evaluate_scope(&store, &atlas, reg, None, 2024, Some("antt-xa"), false)
        .await
        .unwrap();
    assert_eq!(country.len(), 1);
    assert_eq!(country[0].verdict, verdict_of(&one, "antt-xa", None));
});

binhyen_store::db_test!(callers_see_verdicts_only_inside_their_view_scope, |store| {
    use binhyen_core::authz::{Grant, Role, Scope};

    use crate::service::evaluation::{EvaluationError, evaluate_unit_for};
    use crate::service::{Actor, Ctx, ServiceError};

    let reg = Registry::builtin();
    let file = SourceFile::new(
        "case.json",
        example("tra-vinh-hoa-minh-2024.json").to_string(),
    );
    let mut c = case::parse(&file, reg).unwrap();
    known_subunits(&mut c.unit);
    let (atlas, commune) = store_case(&store, reg, &c).await;
    let province = atlas.roots(d(2024, 12, 31))[0];
    let area = atlas.children(commune, d(2024, 12, 31))[0];
    let shared = crate::directory::SharedAtlas::default();
    shared.set(store.load_atlas().await.unwrap());
    let ctx = Ctx {
        store: &store,
        units: &shared,
        now: Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap(),
    };
    let viewer = |scope| Actor {
        id: Some(7),
        login: "xem".into(),
        display_name: "Người xem".into(),
        grants: vec![Grant::new(Role::Viewer, scope)],
    };
    // the province's viewer sees the commune, with the same verdicts as the console
    let inside = evaluate_unit_for(
        &ctx,
        &viewer(Scope::Unit(province)),
        &atlas,
        reg,
        commune,
        2024,
        None,
        false,
    )
    .await
    .unwrap();
    let console = evaluate_unit(&store, &atlas, reg, commune, 2024, None, false)
        .await
        .unwrap();
    assert_eq!(verdicts(&inside), verdicts(&console));
    // a residential area's viewer does not see its commune
    let outside = evaluate_unit_for(
        &ctx,
        &viewer(Scope::Unit(area)),
        &atlas,
        reg,
        commune,
        2024,
        None,
        false,
    )
    .await;
    assert!(
        matches!(
            outside,
            Err(EvaluationError::Service(ServiceError::Denied(_)))
        ),
        "{outside:?}"
    );
    // unknown units are not found, whoever asks
    let unknown = evaluate_unit_for(
        &ctx,
        &viewer(Scope::Country),
        &atlas,
        reg,
        999_999,
        2024,
        None,
        false,
    )
    .await;
    assert!(matches!(unknown, Err(EvaluationError::UnknownUnit(_))));
    // an unknown standard is refused with a Vietnamese sentence
    let bad = evaluate_unit(&store, &atlas, reg, commune, 2024, Some("antt-xaa"), false).await;
    let Err(e) = bad else {
        panic!("accepted an unknown standard")
    };
    assert!(e.message("vi").contains("antt-xa"), "{}", e.message("vi"));
});
