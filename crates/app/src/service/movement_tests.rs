//! Movement statistics on both databases, on the fixture's real map (Trà Vinh ⊃ Huyện Càng
//! Long ⊃ Xã An Trường ⊃ Ấp Chợ; Huyện Cầu Kè ⊃ Xã Hòa Ân): totals are the sums of the rows,
//! each figure says where it comes from, a missing figure stays missing and the total counts
//! the units lacking it, the share rounds half up at two decimals, an outsider is refused.

use binhyen_core::authz::Scope;
use binhyen_core::standard::Registry;
use binhyen_store::{Store, db_test};
use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::service::fixture::{
    self, AN_TRUONG, AP_CHO, CANG_LONG, CAU_KE, HOA_AN, TRA_VINH, form, insert, viewer,
};

/// Ấp Chợ enters its teams, households and models; Xã An Trường its steering committee and
/// its own models; Xã Hòa Ân everything of its own but has no residential area (so no
/// resident households).
pub(crate) async fn seed(store: &Store) {
    let rows = vec![
        form(
            AP_CHO,
            2024,
            "registration",
            json!({ "households_resident": 400 }),
        ),
        form(
            AP_CHO,
            2024,
            "models_movement",
            json!({
                "protection_teams": 1, "protection_team_members": 3,
                "social_security_teams": 14, "social_security_team_members": 28,
                "households_covered": 395,
                "models": [
                    { "name": "Camera ấp Chợ", "type": "camera", "cameras": 12, "effective": true },
                    { "name": "Tổ hòa giải", "type": "mediation", "effective": false }
                ]
            }),
        ),
        form(
            AN_TRUONG,
            2024,
            "models_movement",
            json!({
                "steering_committees": 1, "steering_committee_members": 19,
                "models": [
                    { "name": "Camera an ninh xã", "type": "camera", "cameras": 30, "effective": true },
                    { "name": "Tổ tự quản", "type": "self_management", "effective": true },
                    { "name": "Nhóm Zalo", "type": "other", "effective": false }
                ]
            }),
        ),
        form(
            HOA_AN,
            2024,
            "models_movement",
            json!({
                "steering_committees": 1, "steering_committee_members": 21,
                "protection_teams": 9, "protection_team_members": 27,
                "social_security_teams": 50, "social_security_team_members": 100,
                "households_covered": 1200,
                "models": []
            }),
        ),
    ];
    insert(store, &rows).await;
}

fn ctx<'a>(store: &'a Store, units: &'a crate::units::SharedAtlas) -> Ctx<'a> {
    Ctx {
        store,
        units,
        now: Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap(),
    }
}

fn at(key: &str) -> usize {
    FIGURES.iter().position(|f| f.key == key).unwrap()
}

db_test!(totals_sum_the_rows_and_missing_stays_missing, |store| {
    seed(&store).await;
    let shared = fixture::atlas();
    let atlas = shared.get();
    let c = ctx(&store, &shared);
    let reg = Registry::builtin();
    let me = viewer(Scope::Unit(TRA_VINH));
    let s = statistics(&c, &me, &atlas, reg, TRA_VINH, 2024)
        .await
        .unwrap();
    assert_eq!(s.scope_name, "Tỉnh Trà Vinh");
    let units: Vec<UnitId> = s.rows.iter().map(|r| r.unit).collect();
    assert_eq!(units, [CANG_LONG, CAU_KE], "the districts, by code");
    let (cang_long, cau_ke) = (&s.rows[0], &s.rows[1]);
    let value = |r: &Row, k: &str| r.cells[at(k)].value;

    // Càng Long: everything summed from its commune (and the commune's from its area).
    assert_eq!(cang_long.bases, [Basis::SubUnits]);
    assert_eq!(value(cang_long, "steering_committee_members"), Some(19));
    assert_eq!(value(cang_long, "protection_teams"), Some(1));
    assert_eq!(value(cang_long, "households_resident"), Some(400));
    // The commune's own models stand; its area's are not added a second time.
    assert_eq!(value(cang_long, "models"), Some(3));
    assert_eq!(value(cang_long, "models.type=camera"), Some(1));
    assert_eq!(value(cang_long, "models.type=mediation"), Some(0));
    assert_eq!(value(cang_long, "models.cameras"), Some(30));
    assert_eq!(value(cang_long, "models.effective=true"), Some(2));
    assert_eq!(cang_long.share.unwrap().text(), "98,75\u{a0}%");

    // Cầu Kè: Hòa Ân has no residential area: resident households missing, never 0.
    assert_eq!(value(cau_ke, "households_resident"), None);
    assert_eq!(cau_ke.cells[RESIDENT].basis, Basis::SubUnits);
    assert_eq!(cau_ke.share, None);
    assert_eq!(value(cau_ke, "models"), Some(0), "an empty list counts 0");

    for (i, Figure { key, .. }) in FIGURES.iter().enumerate() {
        let rows: Vec<Option<i64>> = s.rows.iter().map(|r| r.cells[i].value).collect();
        let t = s.totals[i];
        assert_eq!(t.known, rows.iter().flatten().sum::<i64>(), "{key}");
        assert_eq!(
            t.missing,
            rows.iter().filter(|v| v.is_none()).count(),
            "{key}"
        );
        assert_eq!(t.value.is_some(), t.missing == 0, "{key}");
    }
    assert_eq!(s.totals[at("steering_committees")].value, Some(2));
    assert_eq!(s.totals[at("steering_committee_members")].value, Some(40));
    assert_eq!(
        s.totals[at("social_security_team_members")].value,
        Some(128)
    );
    assert_eq!(s.totals[at("households_covered")].value, Some(1595));
    let resident = s.totals[RESIDENT];
    assert_eq!(
        (resident.value, resident.known, resident.missing),
        (None, 400, 1)
    );
    assert_eq!(s.share, None, "no share over an incomplete total");

    // Under a commune: its residential areas, with their own figures.
    let s = statistics(&c, &me, &atlas, reg, AN_TRUONG, 2024)
        .await
        .unwrap();
    assert_eq!(s.rows.len(), 1);
    assert_eq!(s.rows[0].unit, AP_CHO);
    assert_eq!(s.rows[0].bases, [Basis::Own]);
    assert_eq!(s.rows[0].cells[at("models.cameras")].value, Some(12));
    assert_eq!(s.totals[at("steering_committees")].missing, 1);
    assert_eq!(s.share.unwrap().text(), "98,75\u{a0}%");

    // Another year: nothing entered, everything missing.
    let s = statistics(&c, &me, &atlas, reg, TRA_VINH, 2023)
        .await
        .unwrap();
    assert!(
        s.rows
            .iter()
            .all(|r| r.cells.iter().all(|c| c.value.is_none()))
    );
    assert!(s.rows.iter().all(|r| r.bases.is_empty()));
    assert!(s.totals.iter().all(|t| t.value.is_none() && t.missing == 2));
});

db_test!(an_outsider_is_refused_the_statistics, |store| {
    seed(&store).await;
    let shared = fixture::atlas();
    let atlas = shared.get();
    let c = ctx(&store, &shared);
    let reg = Registry::builtin();
    let outsider = viewer(Scope::Unit(fixture::VINH_LONG));
    let err = statistics(&c, &outsider, &atlas, reg, TRA_VINH, 2024)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied(_)), "{err:?}");
    // A district's viewer sees its district, not its neighbour.
    let district = viewer(Scope::Unit(CANG_LONG));
    assert!(
        statistics(&c, &district, &atlas, reg, CANG_LONG, 2024)
            .await
            .is_ok()
    );
    let err = statistics(&c, &district, &atlas, reg, CAU_KE, 2024)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied(_)), "{err:?}");
});

#[test]
fn the_share_rounds_half_up_at_two_decimals() {
    let text = |c, r| Share::of(Some(c), Some(r)).unwrap().text();
    // 98,795 % exactly rounds up; one household fewer stays below.
    assert_eq!(text(197_590, 200_000), "98,80\u{a0}%");
    assert_eq!(text(197_589, 200_000), "98,79\u{a0}%");
    assert_eq!(text(2, 3), "66,67\u{a0}%");
    assert_eq!(text(400, 400), "100\u{a0}%");
    assert_eq!(text(0, 400), "0\u{a0}%");
    assert_eq!(Share::of(Some(5), Some(0)), None, "no households: no share");
    assert_eq!(Share::of(None, Some(400)), None);
    assert_eq!(Share::of(Some(5), None), None);
}

proptest::proptest! {
    /// However the models are entered, the counts by type add up to the number of models, the
    /// effective and the other ones too, and the cameras add up; an absent list is missing.
    #[test]
    fn model_figures_add_up(
        models in proptest::collection::vec((0usize..5, proptest::option::of(0i64..500), proptest::bool::ANY), 0..30)
    ) {
        use crate::service::plans::read_figure;
        const TYPES: [&str; 5] = ["camera", "self_management", "self_protection", "mediation", "other"];
        let list: Vec<serde_json::Value> = models
            .iter()
            .map(|(t, cameras, effective)| {
                let mut r = json!({ "name": "Mô hình", "type": TYPES[*t], "effective": effective });
                if let Some(c) = cameras {
                    r["cameras"] = json!(c);
                }
                r
            })
            .collect();
        let serde_json::Value::Object(form) = json!({ "models": list }) else { unreachable!() };
        let get = |key: &str| read_figure(&form, key).unwrap();
        let n = models.len() as i64;
        proptest::prop_assert_eq!(get("models"), n);
        let by_type: i64 = TYPES.iter().map(|t| get(&format!("models.type={t}"))).sum();
        proptest::prop_assert_eq!(by_type, n);
        proptest::prop_assert_eq!(get("models.effective=true") + get("models.effective=false"), n);
        let cameras: i64 = models.iter().filter_map(|m| m.1).sum();
        proptest::prop_assert_eq!(get("models.cameras"), cameras);
        let empty = serde_json::Map::new();
        proptest::prop_assert_eq!(read_figure(&empty, "models.type=camera"), None);
        proptest::prop_assert_eq!(read_figure(&empty, "models"), None);
    }
}
