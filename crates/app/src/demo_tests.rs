//! The districts' part of the story, on both databases: after `demo::tell` on a fresh database,
//! plan 85/KH-UBND's district targets read through `service::plans::progress` show the
//! recognitions the plan asks for (its own numbers, from the plan file): 6 of 7 districts for
//! indicator 9.4 in 2022, 7 of 7 in 2023, 1 of 7 for the advanced 9.1 in 2023 (kept in 2024);
//! Huyện Trà Cú's 2022 dossier was returned with the failed rule.

use binhyen_core::plan::{Status, TargetKind};
use binhyen_core::standard::{Registry, Verdict};
use binhyen_core::units::UnitKind;

use super::*;
use crate::service::plans;
use crate::units::Source;

binhyen_store::db_test!(the_story_meets_the_kh85_district_targets, |store| {
    let state = AppState::new(store.clone(), Registry::with_builtin(&[]).unwrap());
    crate::units::import(&store, Source::Official, Some(&state.atlas), &|_, _, _| {})
        .await
        .unwrap();
    ensure_accounts(&state, "vi").await.unwrap();
    let told = tell(&state, &|_| {}).await.unwrap();
    assert!(told.dossiers > 0 && told.decisions > 0, "{told:?}");

    let ctx = state.ctx();
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let pv05 = actor(&state, "pv05.travinh").await.unwrap();
    let kh85 = plans::list(&ctx, &pv05)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.plan.number == "85/KH-UBND")
        .expect("plan 85/KH-UBND");
    let progress = plans::progress(&ctx, &pv05, &atlas, &reg, kh85.row.id, None)
        .await
        .unwrap();
    let district_targets: Vec<&plans::TargetProgress> = progress
        .targets
        .iter()
        .filter(|t| t.target.units == UnitKind::District)
        .collect();
    assert_eq!(district_targets.len(), 5, "KH 85 has five district targets");
    let target = |id: &str| {
        district_targets
            .iter()
            .find(|t| t.target.id == id)
            .unwrap_or_else(|| panic!("target {id}"))
    };
    // The plan's own numbers: "6/7" (2022), "7/7" (2023), "1/7 nâng cao" (2023).
    for id in ["2022-huyen", "2023-huyen", "2023-huyen-nc"] {
        let t = target(id);
        let TargetKind::Count { count, of } = t.target.kind else {
            panic!("{id}: a count target");
        };
        assert_eq!(Some(t.counted), of, "{id}: the 7 Huyện of Trà Vinh");
        assert_eq!(t.actual, count, "{id}: recognised as the plan asks");
        assert_eq!(t.status, Status::Met, "{id}");
        // Every recognition agrees with a computed verdict.
        for u in t.units.iter().filter(|u| u.recognised) {
            assert_eq!(u.verdict, Some(Verdict::Met), "{id}: {}", u.name);
        }
    }
    // 9.4: the computed verdicts give the same count (Trà Cú short in 2022 only).
    assert_eq!(target("2022-huyen").forecast, Some(6));
    assert_eq!(target("2023-huyen").forecast, Some(7));
    let y2022 = target("2022-huyen");
    let not_recognised: Vec<&str> = y2022
        .units
        .iter()
        .filter(|u| !u.recognised)
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(not_recognised, ["Huyện Trà Cú"]);
    assert_eq!(
        y2022
            .units
            .iter()
            .find(|u| u.code == TRA_CU)
            .unwrap()
            .verdict,
        Some(Verdict::NotMet)
    );
    // 9.1: Huyện Châu Thành in 2023, renewed in 2024 (the plan's "2/7" is not reached); the
    // districts ended on 30/06/2025, so nobody is recognised for 2025.
    let advanced = |id: &str| -> Vec<String> {
        target(id)
            .units
            .iter()
            .filter(|u| u.recognised)
            .map(|u| u.code.clone())
            .collect()
    };
    assert_eq!(advanced("2023-huyen-nc"), [ADVANCED_DISTRICT]);
    assert_eq!(advanced("2024-huyen-nc"), [ADVANCED_DISTRICT]);
    assert_eq!(target("2024-huyen-nc").status, Status::NotMet);
    let y2025 = target("2025-huyen-nc");
    assert_eq!((y2025.actual, y2025.counted), (0, 7));
    assert_eq!(y2025.frame, day(2025, 6, 30));

    // Huyện Trà Cú's 2022 dossier: submitted by its police, returned by PV05 with the rule.
    let dossiers = wf_store::dossiers(&store, Some(2022), Some(NTM_DISTRICT))
        .await
        .unwrap();
    assert_eq!(dossiers.len(), 7);
    let tra_cu = atlas
        .find_code(TRA_CU, map_date(&atlas, None, 2022))
        .unwrap();
    let returned = dossiers.iter().find(|d| d.unit_id == tra_cu).unwrap();
    assert_eq!(returned.state, "returned");
    let steps = wf_store::transitions(&store, &[returned.id]).await.unwrap();
    let reason = steps
        .iter()
        .find(|t| t.action == "return")
        .and_then(|t| t.reason.clone())
        .unwrap_or_default();
    assert!(reason.contains("nội dung 5"), "{reason}");
    assert_eq!(
        steps.iter().map(|t| t.by.name.as_str()).collect::<Vec<_>>(),
        [
            "Công an Huyện Trà Cú (trình diễn)",
            "Công an Huyện Trà Cú (trình diễn)",
            "Phòng PV05 Công an tỉnh Trà Vinh"
        ]
    );
    // No district facts after 30/06/2025.
    let districts = districts_of(&atlas, state_tra_vinh(&atlas), 2024);
    assert_eq!(districts.len(), 7);
    let forms_2025 = binhyen_store::facts::forms_of_units(&store, &districts, 2025..=2025)
        .await
        .unwrap();
    assert!(
        forms_2025.is_empty(),
        "{} district forms in 2025",
        forms_2025.len()
    );
});

fn state_tra_vinh(atlas: &Atlas) -> UnitId {
    atlas.find_code("84", day(2024, 12, 31)).unwrap()
}
