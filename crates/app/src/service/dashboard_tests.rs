//! The dashboards on both databases, on `service::fixture`'s map (Tỉnh Trà Vinh ⊃ Huyện Càng
//! Long ⊃ Xã An Trường ⊃ Ấp Chợ; Huyện Cầu Kè ⊃ Xã Hòa Ân), with facts entered through
//! `service::facts`: the counts add up to the units judged, a rule that fails in two communes
//! is the top reason with 2 units, a fact nobody entered is in "what is missing", an outsider
//! is refused, and a commune officer gets the commune view of their commune.

use binhyen_core::authz::Denied;
use binhyen_core::catalogue::FormGroup;
use binhyen_core::standard::Registry;
use binhyen_store::{Store, db_test};

use super::*;
use crate::service::facts::{self as facts_svc, SaveForm};
use crate::service::fixture::{self, AN_TRUONG, AP_CHO, HOA_AN, TRA_VINH};
use crate::units::SharedAtlas;

use crate::service::fixture::{at, ctx};

/// Crimes against social order (`n`) and drug crimes (0) of a commune and year, saved by its
/// officer through the facts service.
async fn save_crimes(c: &Ctx<'_>, who: &Actor, reg: &Registry, unit: UnitId, year: i32, n: i64) {
    save_crimes_at(c, who, reg, (unit, year), n, 0).await
}

/// [`save_crimes`] over the form at `version`.
async fn save_crimes_at(
    c: &Ctx<'_>,
    who: &Actor,
    reg: &Registry,
    (unit, year): (UnitId, i32),
    n: i64,
    version: i64,
) {
    let serde_json::Value::Object(values) =
        serde_json::json!({ "crimes_social_order": n, "crimes_drugs": 0 })
    else {
        unreachable!()
    };
    facts_svc::save(
        c,
        reg,
        who,
        &SaveForm {
            unit,
            year,
            group: FormGroup::CrimeSocialEvils,
            values,
            expected_version: version,
            submit: false,
            reason: None,
            confirm_warnings: true,
            source: "test".into(),
        },
    )
    .await
    .unwrap();
}

/// Both communes of Trà Vinh: 1 crime in 2023, 5 in 2024 — not contained (TT124 art. 5
/// clause 2, rule 5.2c: not higher than the previous year). Xã An Trường registered for
/// antt-xa in Q1 2024. Returns An Trường's officer.
pub(crate) async fn crimes_rise(store: &Store, dir: &SharedAtlas, reg: &Registry) -> Actor {
    let q1 = ctx(store, dir, at(2024, 2, 15));
    let mut first = None;
    for (login, code, unit) in [
        ("ca_an_truong", "84201", AN_TRUONG),
        ("ca_hoa_an", "84301", HOA_AN),
    ] {
        let who = fixture::account(&q1, login, "mật khẩu thử nghiệm", "commune_police", code).await;
        if unit == AN_TRUONG {
            workflow::register(&q1, &who, reg, AN_TRUONG, 2024, "antt-xa")
                .await
                .unwrap();
        }
        let c = ctx(store, dir, at(2025, 1, 10));
        save_crimes(&c, &who, reg, unit, 2023, 1).await;
        save_crimes(&c, &who, reg, unit, 2024, 5).await;
        first.get_or_insert(who);
    }
    first.unwrap()
}

/// Trà Vinh's province view of 2024, as `who` sees it.
async fn tra_vinh(
    c: &Ctx<'_>,
    who: &Actor,
    atlas: &Atlas,
    reg: &Registry,
) -> Result<ProvinceView, ServiceError> {
    province(
        c,
        who,
        atlas,
        reg,
        Some(TRA_VINH),
        2024,
        &mut Verdicts::default(),
    )
    .await
}

db_test!(province_counts_reasons_missing_and_scope, |store| {
    let dir = fixture::atlas();
    let atlas = dir.get();
    let reg = Registry::with_builtin(&[]).unwrap();
    crimes_rise(&store, &dir, &reg).await;
    let c = ctx(&store, &dir, at(2025, 1, 10));
    let pv05 = fixture::account(&c, "pv05_tra_vinh", "mật khẩu thử nghiệm", "pv05", "84").await;
    let view = tra_vinh(&c, &pv05, &atlas, &reg).await.unwrap();

    // Every unit a standard judges is in exactly one dossier state and one verdict.
    assert!(!view.standards.is_empty());
    for s in &view.standards {
        let states: u32 = s.states.pairs().iter().map(|(_, n)| n).sum();
        let v = &s.verdicts;
        assert_eq!(states, s.units, "{}", s.standard);
        assert_eq!(
            v.met + v.not_met + v.insufficient,
            s.units,
            "{}",
            s.standard
        );
    }
    let xa = view
        .standards
        .iter()
        .find(|s| s.standard == "antt-xa")
        .unwrap();
    assert_eq!(xa.units, 2, "the two communes of Trà Vinh");
    assert_eq!(xa.verdicts.not_met, 2);
    // An Trường registered, then its first facts save moved the dossier to data entry.
    assert_eq!(xa.states.data_entry, 1);
    assert_eq!(xa.states.not_registered, 1);
    let kdc = view
        .standards
        .iter()
        .find(|s| s.standard == "antt-kdc")
        .unwrap();
    assert_eq!(kdc.units, 1, "Ấp Chợ");
    assert_eq!(kdc.verdicts.insufficient, 1, "nothing entered for Ấp Chợ");
    assert!(
        view.standards
            .iter()
            .all(|s| s.standard != workflow::REVOCATION_FLAG),
        "flags are not counted as standards"
    );

    // The rising crimes are the top reason for "chưa đạt", with both communes.
    let top = &view.reasons[0];
    assert_eq!(
        (top.standard.as_str(), top.rule.as_str()),
        ("antt-xa", "5.2c")
    );
    assert_eq!(top.units, 2);
    let names: Vec<&str> = top.examples.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Xã An Trường", "Xã Hòa Ân"]);
    assert!(
        top.citation
            .as_ref()
            .unwrap()
            .vi
            .contains("124/2021/TT-BCA"),
        "{:?}",
        top.citation
    );
    assert!(view.reasons.len() <= 10);
    // Missing facts are counted by field, once per unit.
    let doc = view
        .missing
        .iter()
        .find(|m| m.key.as_deref() == Some("party_resolution"))
        .unwrap();
    // Nobody entered a party committee resolution: every unit with an undecided verdict (the
    // two districts, the two communes for the NTM indicators, Ấp Chợ) waits for it.
    assert_eq!(doc.units, 5);
    let ids: Vec<UnitId> = doc.examples.iter().map(|u| u.id).collect();
    assert_eq!(ids, [fixture::CANG_LONG, AN_TRUONG, AP_CHO], "tree order");
    assert!(!doc.label.vi.is_empty());

    // Completeness: the communes' crime form is a draft in both, every other form empty.
    let crime = view
        .completeness
        .iter()
        .find(|c| c.unit_kind == "commune" && c.group == "crime_social_evils")
        .unwrap();
    assert_eq!(
        (crime.units, crime.draft, crime.submitted, crime.empty),
        (2, 2, 0, 0)
    );
    for c in &view.completeness {
        assert_eq!(c.submitted + c.draft + c.empty, c.units);
    }
    // Deadlines of the year, with days left from 10/01/2025 (passed: negative).
    let reg_end = view
        .deadlines
        .iter()
        .find(|d| d.kind == "registration_end")
        .unwrap();
    assert_eq!(reg_end.day, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
    assert_eq!(reg_end.days_left, -285);
    assert!(
        view.deadlines
            .iter()
            .any(|d| d.kind == "window_end" && d.unit_kind.as_deref() == Some("residential_area"))
    );
    let below: Vec<&str> = view.below.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(below, ["Huyện Càng Long", "Huyện Cầu Kè"]);

    // An officer of Vĩnh Long may not see Trà Vinh; nothing is returned.
    let outsider =
        fixture::account(&c, "pv05_vinh_long", "mật khẩu thử nghiệm", "pv05", "86").await;
    let e = tra_vinh(&c, &outsider, &atlas, &reg).await.unwrap_err();
    assert!(
        matches!(e, ServiceError::Denied(Denied::OutsideTerritory)),
        "{e:?}"
    );
    let e = province(
        &c,
        &pv05,
        &atlas,
        &reg,
        None,
        2024,
        &mut Verdicts::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Denied(_)), "the country: {e:?}");
});

db_test!(a_fact_entered_changes_the_view_at_once, |store| {
    let dir = fixture::atlas();
    let atlas = dir.get();
    let reg = Registry::with_builtin(&[]).unwrap();
    let officer = crimes_rise(&store, &dir, &reg).await;
    let c = ctx(&store, &dir, at(2025, 1, 10));
    let pv05 = fixture::account(&c, "pv05_tra_vinh", "mật khẩu thử nghiệm", "pv05", "84").await;
    let count = |v: &ProvinceView| {
        v.reasons
            .iter()
            .find(|r| r.rule == "5.2c")
            .map_or(0, |r| r.units)
    };
    let before = tra_vinh(&c, &pv05, &atlas, &reg).await.unwrap();
    assert_eq!(count(&before), 2);
    // An Trường corrects its 2024 crimes to 1 (not higher than 2023): one commune left.
    save_crimes_at(&c, &officer, &reg, (AN_TRUONG, 2024), 1, 1).await;
    let after = tra_vinh(&c, &pv05, &atlas, &reg).await.unwrap();
    assert_eq!(count(&after), 1);
    let left = after.reasons.iter().find(|r| r.rule == "5.2c").unwrap();
    assert_eq!(left.examples[0].name, "Xã Hòa Ân");
});

db_test!(commune_view_of_a_commune_officer, |store| {
    let dir = fixture::atlas();
    let atlas = dir.get();
    let reg = Registry::with_builtin(&[]).unwrap();
    let officer = crimes_rise(&store, &dir, &reg).await;
    let c = ctx(&store, &dir, at(2025, 1, 10));
    let view = commune(
        &c,
        &officer,
        &atlas,
        &reg,
        AN_TRUONG,
        2024,
        &mut Verdicts::default(),
    )
    .await
    .unwrap();
    assert_eq!(view.unit.name, "Xã An Trường");
    assert_eq!(view.kind, "commune");
    let xa = view
        .standards
        .iter()
        .find(|s| s.standard == "antt-xa")
        .unwrap();
    assert_eq!(xa.verdict, "not_met");
    assert_eq!(xa.verdict_text.vi, "chưa đạt");
    assert!(xa.failing.iter().any(|r| r.rule == "5.2c"));
    assert_eq!(xa.dossier.as_ref().unwrap().state, "data_entry");
    assert!(xa.decision.is_none());
    // What is missing: the party committee's resolution, entered on the documents form; the
    // crimes were entered, so they are not missing.
    let resolution = view
        .missing
        .iter()
        .find(|m| m.key.as_deref() == Some("party_resolution") && m.unit_name == "Xã An Trường")
        .unwrap();
    assert_eq!(resolution.group.as_deref(), Some("documents"));
    assert_eq!(resolution.unit.as_ref().unwrap().id, AN_TRUONG);
    assert!(resolution.standards.contains(&"antt-xa".to_owned()));
    assert!(
        !view
            .missing
            .iter()
            .any(|m| m.key.as_deref() == Some("crimes_social_order")
                && m.unit_name == "Xã An Trường"
                && m.year == Some(2024)),
        "{:?}",
        view.missing
    );
    // Its forms and its crime change (1 → 5: +4, within noise: |4| ≤ 2·√6 ≈ 4,9).
    let crime = view
        .forms
        .iter()
        .find(|f| f.group == "crime_social_evils")
        .unwrap();
    assert_eq!(crime.fill, "draft");
    let change = view.crime.as_ref().unwrap();
    assert_eq!((change.previous, change.current, change.delta), (1, 5, 4));
    assert!(change.noise, "|4| ≤ 2·√6");
    assert!(view.deadlines.iter().any(|d| d.kind == "window_end"));

    // The officer of An Trường may not see Hòa Ân.
    let e = commune(
        &c,
        &officer,
        &atlas,
        &reg,
        HOA_AN,
        2024,
        &mut Verdicts::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Denied(_)), "{e:?}");
});
