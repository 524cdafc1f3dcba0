//! The official import on both databases: the country loads, the issue's facts hold on the
//! stored map, a second import changes nothing, and a refused file changes nothing.

use binhyen_core::table::Table;
use binhyen_core::units::official::{self, REFORM, UNITS_2025_03};
use binhyen_core::units::{Atlas, ProblemKind, UnitId, UnitKind, file};
use binhyen_store::Store;
use binhyen_store::db_test;
use binhyen_store::units::{ImportError, ImportSummary, Stage};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn quiet(_: Stage, _: u64, _: u64) {}

async fn import_official(store: &Store) -> (Atlas, ImportSummary) {
    store
        .import_units(|_| official::build_embedded(), &quiet)
        .await
        .expect("official import")
}

fn kdc_table(lines: &[&str]) -> Vec<Table> {
    let header = "Mã|Tên|Loại|Mã đơn vị cha|Hiệu lực từ|Hiệu lực đến (hết ngày)|Mã tiền thân";
    let rows = std::iter::once(header)
        .chain(lines.iter().copied())
        .map(|l| l.split('|').map(String::from).collect());
    vec![Table::from_rows("kdc.csv", rows)]
}

async fn import_file(store: &Store, lines: &[&str]) -> Result<(Atlas, ImportSummary), ImportError> {
    let tables = kdc_table(lines);
    store
        .import_units(
            |stored| {
                let atlas = Atlas::build(stored.clone())?;
                file::parse(&tables, &atlas)
            },
            &quiet,
        )
        .await
}

db_test!(the_country_loads_and_the_issue_facts_hold, |store| {
    let (_, summary) = import_official(&store).await;
    assert!(summary.new_units > 14_000, "{summary:?}");
    let a = store.load_atlas().await.unwrap();
    assert_eq!(a.units().len(), summary.total_units);

    // 01/06/2025: Tỉnh Trà Vinh, 9 district-level units, 104 communes (85 Xã, 9 Phường, 10 Thị trấn).
    let june = d(2025, 6, 1);
    let tv = a.find_code("84", june).unwrap();
    assert_eq!(a.version_at(tv, june).unwrap().name, "Tỉnh Trà Vinh");
    assert_eq!(a.count_under(tv, june, UnitKind::District, None), 9);
    assert_eq!(a.count_under(tv, june, UnitKind::Commune, None), 104);
    assert_eq!(a.count_under(tv, june, UnitKind::Commune, Some("Xã")), 85);
    assert_eq!(
        a.count_under(tv, june, UnitKind::Commune, Some("Phường")),
        9
    );
    assert_eq!(
        a.count_under(tv, june, UnitKind::Commune, Some("Thị trấn")),
        10
    );

    // 01/07/2025: Tỉnh Vĩnh Long has 124 communes, 41 of which descend from Trà Vinh's 104.
    let vl = a.find_code("86", REFORM).unwrap();
    assert_eq!(a.count_under(vl, REFORM, UnitKind::Commune, None), 124);
    let from_tv = a
        .children(vl, REFORM)
        .into_iter()
        .filter(|&c| {
            a.predecessors(c, june)
                .iter()
                .any(|p| a.ancestor_of_kind(p.unit, june, UnitKind::Province) == Some(tv))
        })
        .count();
    assert_eq!(from_tv, 41);

    // Every one of the 10,035 pre-reform communes has at least one successor.
    let last = d(2025, 6, 30);
    let pre: Vec<UnitId> = a
        .units()
        .iter()
        .filter(|u| u.kind == UnitKind::Commune && u.lifetime().contains(last))
        .map(|u| u.id)
        .collect();
    assert_eq!(pre.len(), 10_035);
    assert!(pre.iter().all(|&c| !a.holders(c, REFORM).is_empty()));

    // The stored map on 01/03/2025 is the March 2025 list exactly.
    let stored: std::collections::BTreeSet<(String, String, String)> = a
        .units()
        .iter()
        .filter_map(|u| {
            let v = u.version_at(d(2025, 3, 1))?;
            let parent = v
                .parent
                .and_then(|p| a.version_at(p, d(2025, 3, 1)))
                .map(|p| p.code.clone())
                .unwrap_or_default();
            Some((v.code.clone(), v.name.clone(), parent))
        })
        .collect();
    let list: std::collections::BTreeSet<(String, String, String)> =
        official::read_list("l.csv", UNITS_2025_03)
            .unwrap()
            .into_iter()
            .map(|r| (r.code, r.name, r.parent_code))
            .collect();
    assert_eq!(stored, list);
});

db_test!(importing_twice_changes_nothing, |store| {
    let (first, _) = import_official(&store).await;
    let (_, again) = import_official(&store).await;
    assert!(again.is_unchanged(), "{again:?}");
    assert_eq!(again.total_units, first.units().len());
    let reloaded = store.load_unit_history().await.unwrap();
    let plain = |h: binhyen_core::units::History| {
        let mut h = h;
        h.units
            .iter_mut()
            .flat_map(|u| u.versions.iter_mut())
            .for_each(|v| v.origin = None);
        h.events.iter_mut().for_each(|e| e.origin = None);
        h
    };
    // What was stored is exactly what was imported.
    let imported = plain(first.into_history());
    let reloaded = plain(reloaded);
    assert!(
        reloaded.units == imported.units,
        "units differ after a reload"
    );
    assert!(
        reloaded.events == imported.events,
        "events differ after a reload"
    );
});

db_test!(
    a_refused_file_changes_nothing_and_a_good_one_loads_once,
    |store| {
        import_official(&store).await;
        let before = store.load_unit_history().await.unwrap();
        // Xã Long Đức (Trà Vinh, 29263 until 30/06/2025), and a code that does not exist.
        let bad = import_file(
            &store,
            &[
                "A1|Ấp Phú Hòa|Ấp|29263|01/01/2025|30/06/2025",
                "A2|Ấp Hai|Ấp|99999|01/01/2025|30/06/2025",
            ],
        )
        .await;
        let Err(ImportError::Invalid(problems)) = bad else {
            panic!("the file must be refused")
        };
        assert_eq!(problems.len(), 1);
        assert!(
            matches!(&problems[0].kind, ProblemKind::UnknownParent { code, .. } if code == "99999")
        );
        assert_eq!(
            problems[0].origin.as_ref().unwrap().to_string(),
            "kdc.csv:3:4 «Mã đơn vị cha»"
        );
        assert_eq!(store.load_unit_history().await.unwrap(), before);

        let good = ["A1|Ấp Phú Hòa|Ấp|29263|01/01/2025|30/06/2025"];
        let (atlas, summary) = import_file(&store, &good).await.unwrap();
        assert_eq!((summary.new_units, summary.new_versions), (1, 1));
        let a1 = atlas.find_code("A1", d(2025, 2, 1)).unwrap();
        let long_duc = atlas.find_code("29263", d(2025, 2, 1)).unwrap();
        assert_eq!(atlas.parent_at(a1, d(2025, 2, 1)), Some(long_duc));
        // The new commune that took Long Đức's territory covers the residential area.
        let holder = atlas.holders(long_duc, REFORM)[0].unit;
        assert!(atlas.within(holder, a1));
        let (_, again) = import_file(&store, &good).await.unwrap();
        assert!(again.is_unchanged());
    }
);
