//! Plans on both databases, on the real official map: the shipped plans import (audited) and a
//! bad file changes nothing; KH 85's 2025 target keeps counting Trà Vinh's 85 pre-reform
//! communes after they became part of Vĩnh Long on 01/07/2025, a successor's recognition
//! standing in for every commune it was formed from; a reduction target sums communes' crimes
//! per district against 2019; plans are seen only inside the viewer's territory.

use binhyen_core::authz::Scope;
use binhyen_core::diag::SourceFile;
use binhyen_core::plan::Status;
use binhyen_core::standard::Registry;
use binhyen_core::units::{Atlas, UnitId};
use binhyen_store::facts::FormRow;
use binhyen_store::{Store, audit, db_test};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::fixture::{form, insert, viewer};
use super::plans::{self, PlanError};
use super::{Actor, Ctx, ServiceError};
use crate::units::{self, SharedAtlas, Source};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn official(store: &Store) -> SharedAtlas {
    let shared = SharedAtlas::default();
    let quiet = |_, _, _| {};
    units::import(store, Source::Official, Some(&shared), &quiet)
        .await
        .unwrap();
    shared
}

fn ctx<'a>(store: &'a Store, units: &'a SharedAtlas) -> Ctx<'a> {
    Ctx {
        store,
        units,
        now: Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
    }
}

fn code(atlas: &Atlas, code: &str, on: NaiveDate) -> UnitId {
    atlas
        .find_code(code, on)
        .unwrap_or_else(|| panic!("{code} on {on}"))
}

fn recognition(unit: UnitId, year: i32, standard: &str, revoked: bool) -> FormRow {
    form(
        unit,
        year,
        super::workflow::RECOGNITION_FORM,
        json!({ "recognitions": [{
            "standard": standard, "year": year,
            "decision_number": "12/QĐ-UBND", "decision_date": format!("{year}-11-30"),
            "revoked": revoked,
        }]}),
    )
}

db_test!(tra_vinh_2025_target_is_tracked_across_the_reform, |store| {
    let shared = official(&store).await;
    let atlas = shared.get();
    let c = ctx(&store, &shared);
    let reg = Registry::builtin();
    let console = Actor::console();
    let imported = plans::import_builtin(&c, &console, &atlas, reg)
        .await
        .unwrap();
    assert_eq!(imported.len(), 3);
    let kh85 = imported
        .iter()
        .find(|p| p.plan.number == "85/KH-UBND")
        .unwrap();

    let before = d(2025, 6, 30);
    let after = d(2025, 12, 31);
    // Xã Mỹ Cẩm and Xã Nhị Long Phú (Huyện Càng Long, Trà Vinh) + Thị trấn Càng Long →
    // Xã Càng Long (Vĩnh Long) on 01/07/2025 (Nghị quyết 1687/NQ-UBTVQH15).
    let my_cam = code(&atlas, "29269", before);
    let nhi_long_phu = code(&atlas, "29299", before);
    let new_cang_long = code(&atlas, "29266", after);
    // Xã Long Đức was recognised itself, before the merger; Xã An Trường A's is revoked.
    let long_duc = code(&atlas, "29263", before);
    let an_truong_a = code(&atlas, "29272", before);
    insert(
        &store,
        &[
            recognition(new_cang_long, 2025, "ntm-xa-nc-19.2", false),
            recognition(long_duc, 2025, "ntm-xa-nc-19.2", false),
            recognition(an_truong_a, 2025, "ntm-xa-nc-19.2", true),
            // another standard and another year do not count
            recognition(my_cam, 2024, "ntm-xa-nc-19.2", false),
            recognition(nhi_long_phu, 2025, "ntm-xa-19.2", false),
        ],
    )
    .await;

    let p = plans::progress(&c, &console, &atlas, reg, kh85.row.id, Some(2025))
        .await
        .unwrap();
    let t = p
        .targets
        .iter()
        .find(|t| t.target.id == "2025-xa-nc")
        .unwrap();
    assert_eq!(
        t.frame, before,
        "the pre-reform communes, on their last day"
    );
    assert_eq!((t.counted, t.required), (85, 60));
    assert_eq!(
        t.actual, 3,
        "Mỹ Cẩm and Nhị Long Phú through Xã Càng Long, and Long Đức"
    );
    assert_eq!(t.status, Status::NotMet);
    assert_eq!(t.actual_share().unwrap(), "3,53\u{a0}%");
    let unit = |id| t.units.iter().find(|u| u.unit == id).unwrap();
    assert!(unit(my_cam).recognised && unit(my_cam).via == vec![new_cang_long]);
    assert!(unit(nhi_long_phu).recognised);
    assert!(unit(long_duc).recognised);
    assert!(!unit(an_truong_a).recognised, "revoked");
    assert!(t.carried >= 80, "most communes were merged: {}", t.carried);
    // Thị trấn Càng Long is not a "Xã": not counted, although merged into the same commune.
    assert!(
        !t.units
            .iter()
            .any(|u| u.code == "29263" && u.name.starts_with("Thị trấn"))
    );
    assert!(t.units.iter().all(|u| u.name.starts_with("Xã ")));

    // The 2024 target counts the same 85 communes on 31/12/2024, without successors.
    let p24 = plans::progress(&c, &console, &atlas, reg, kh85.row.id, Some(2024))
        .await
        .unwrap();
    let t24 = &p24.targets[0];
    assert_eq!(
        (t24.frame, t24.counted, t24.carried),
        (d(2024, 12, 31), 85, 0)
    );
    assert_eq!(t24.actual, 1, "Mỹ Cẩm's 2024 recognition");
    // Progress is memoised until the next change, and current right after it: a second
    // recognition for 2024 counts at once.
    assert!(!store.memo().is_empty());
    insert(
        &store,
        &[recognition(long_duc, 2024, "ntm-xa-nc-19.2", false)],
    )
    .await;
    let again = plans::progress(&c, &console, &atlas, reg, kh85.row.id, Some(2024))
        .await
        .unwrap();
    assert_eq!(
        again.targets[0].actual, 2,
        "current the moment a fact changes"
    );
    // Districts in 2025 (abolished on 01/07/2025): the 7 Huyện on their last day.
    let dist = p
        .targets
        .iter()
        .find(|t| t.target.id == "2025-huyen-nc")
        .unwrap();
    assert_eq!((dist.frame, dist.counted, dist.carried), (before, 7, 0));

    // Who may see it: a viewer of the new Vĩnh Long (it contains former Trà Vinh), not Cần Thơ.
    let vinh_long = code(&atlas, "86", after);
    let can_tho = code(&atlas, "92", after);
    assert!(
        plans::get(&c, &viewer(Scope::Unit(vinh_long)), kh85.row.id)
            .await
            .is_ok()
    );
    assert!(matches!(
        plans::get(&c, &viewer(Scope::Unit(can_tho)), kh85.row.id).await,
        Err(ServiceError::NotFound)
    ));
    let seen = plans::list(&c, &viewer(Scope::Unit(can_tho)))
        .await
        .unwrap();
    assert!(seen.iter().all(|p| p.plan.number != "85/KH-UBND"));
    // A viewer may not import.
    let f = plans_file("84", "2024");
    assert!(matches!(
        plans::import(&c, &viewer(Scope::Unit(vinh_long)), &atlas, reg, &f).await,
        Err(PlanError::Service(ServiceError::Denied(_)))
    ));
    // Every import is in the audit.
    let entries = audit::list(&store, audit::Filter::latest(100))
        .await
        .unwrap();
    assert_eq!(
        entries.iter().filter(|e| e.action == "plan.import").count(),
        3
    );
});

fn plans_file(scope: &str, year: &str) -> SourceFile {
    SourceFile::new(
        "thu.toml",
        format!(
            "[plan]\nnumber = \"9/KH-UBND\"\ndate = 2024-06-01\nissuer = \"UBND thử\"\nscope = \"{scope}\"\ntitle = \"Kế hoạch thử\"\nsource = \"kiểm thử\"\n\n[[targets]]\nid = \"giam\"\ntext = \"mỗi huyện kéo giảm ít nhất 5% số vụ phạm tội về trật tự xã hội so với năm 2019\"\ncites = \"Mục 1\"\nyear = {year}\nindicator = \"crimes_social_order\"\nunits = \"district\"\nunit_types = [\"Huyện\"]\nreduction = 5\nbaseline_year = 2019\n"
        ),
    )
}

db_test!(
    reduction_target_sums_communes_per_district_and_bad_files_change_nothing,
    |store| {
        let shared = official(&store).await;
        let atlas = shared.get();
        let c = ctx(&store, &shared);
        let reg = Registry::builtin();
        let console = Actor::console();
        // A refused file: its place and what is wrong; nothing stored, nothing audited.
        let bad = SourceFile::new("hong.toml", plans_file("99999", "2024").text);
        let e = plans::import(&c, &console, &atlas, reg, &bad)
            .await
            .unwrap_err();
        assert!(
            e.message("vi").contains("hong.toml:5:1"),
            "{}",
            e.message("vi")
        );
        let bad = SourceFile::new("hong.toml", plans_file("84", "20x4").text);
        assert!(matches!(
            plans::import(&c, &console, &atlas, reg, &bad).await,
            Err(PlanError::Invalid(_))
        ));
        assert!(plans::list(&c, &console).await.unwrap().is_empty());

        let plan = plans::import(&c, &console, &atlas, reg, &plans_file("84", "2024"))
            .await
            .unwrap();
        let group = reg
            .catalogue()
            .field("crimes_social_order")
            .unwrap()
            .versions[0]
            .group
            .as_str();
        let on = d(2024, 12, 31);
        let cang_long = code(&atlas, "844", on);
        let cau_ke = code(&atlas, "845", on);
        let mut rows = Vec::new();
        // Càng Long: 10 → 9 in every commune (−10 %); Cầu Kè: 10 → 10; the rest not entered.
        for (district, now) in [(cang_long, 9), (cau_ke, 10)] {
            for commune in atlas.children(district, on) {
                rows.push(form(
                    commune,
                    2019,
                    group,
                    json!({ "crimes_social_order": 10 }),
                ));
                rows.push(form(
                    commune,
                    2024,
                    group,
                    json!({ "crimes_social_order": now }),
                ));
            }
        }
        insert(&store, &rows).await;
        let n = atlas.children(cang_long, on).len() as i64;
        let p = plans::progress(&c, &console, &atlas, reg, plan.row.id, None)
            .await
            .unwrap();
        let t = &p.targets[0];
        assert_eq!(t.counted, 7);
        let unit = |id| t.units.iter().find(|u| u.unit == id).unwrap();
        assert_eq!(unit(cang_long).figure, Some(9 * n));
        assert_eq!(unit(cang_long).baseline, Some(10 * n));
        assert_eq!(unit(cang_long).met, Some(true));
        assert_eq!(unit(cau_ke).met, Some(false));
        assert_eq!(t.units.iter().filter(|u| u.met.is_none()).count(), 5);
        assert_eq!((t.actual, t.status), (1, Status::NotMet));
        // Re-importing the same plan replaces it (one plan, audited twice).
        plans::import(&c, &console, &atlas, reg, &plans_file("84", "2025"))
            .await
            .unwrap();
        let all = plans::list(&c, &console).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].plan.targets[0].year, 2025);
    }
);
