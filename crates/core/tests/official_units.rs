//! The official map, built in memory from the embedded lists: the facts of the issue, checked
//! against the lists themselves.

use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use binhyen_core::units::official::{self, EMBEDDED, REFORM, START, UNITS_2025_03};
use binhyen_core::units::{Atlas, EventKind, History, UnitId, UnitKind, merge};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let dataset = official::build_embedded().expect("official data builds");
        let (history, _) = merge(&History::default(), dataset);
        Atlas::build(history).expect("official history is valid")
    })
}

/// (code, name, type, level, parent code) of every unit on `date`.
fn map_on(a: &Atlas, date: NaiveDate) -> BTreeSet<(String, String, String, String, String)> {
    a.units()
        .iter()
        .filter_map(|u| {
            let v = u.version_at(date)?;
            let parent = v
                .parent
                .and_then(|p| a.version_at(p, date))
                .map(|p| p.code.clone())
                .unwrap_or_default();
            Some((
                v.code.clone(),
                v.name.clone(),
                v.unit_type.clone(),
                u.kind.as_str().to_owned(),
                parent,
            ))
        })
        .collect()
}

fn list(text: &str) -> BTreeSet<(String, String, String, String, String)> {
    official::read_list("list.csv", text)
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.code,
                r.name,
                r.unit_type,
                r.kind.as_str().to_owned(),
                r.parent_code,
            )
        })
        .collect()
}

fn code(a: &Atlas, code: &str, date: NaiveDate) -> UnitId {
    a.find_code(code, date)
        .unwrap_or_else(|| panic!("no unit {code} on {date}"))
}

fn count_communes(a: &Atlas, root: UnitId, date: NaiveDate, unit_type: Option<&str>) -> usize {
    a.count_under(root, date, UnitKind::Commune, unit_type)
}

#[test]
fn replaying_the_changes_gives_the_march_2025_list_exactly() {
    let a = atlas();
    let replayed = map_on(a, d(2025, 3, 1));
    let expected = list(UNITS_2025_03);
    let missing: Vec<_> = expected.difference(&replayed).take(5).collect();
    let extra: Vec<_> = replayed.difference(&expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    assert_eq!(replayed.len(), 10_794);
    // The last day before the reform is the same map.
    assert_eq!(map_on(a, d(2025, 6, 30)), expected);
}

#[test]
fn the_first_day_is_the_may_2024_list_with_its_spelling_corrections() {
    let a = atlas();
    let first = map_on(a, START);
    let mut expected = list(EMBEDDED.units_2024_05);
    assert_eq!(first.len(), 11_363);
    // The five corrections dated 01/05/2024 apply from the start (README-2024-25-changes §6).
    let fixed: Vec<_> = first.difference(&expected).cloned().collect();
    assert_eq!(fixed.len(), 5, "{fixed:?}");
    assert!(fixed.iter().any(|r| r.1 == "Xã Mường Chanh"));
    for f in &fixed {
        expected.retain(|e| e.0 != f.0);
    }
    expected.extend(fixed);
    assert_eq!(first, expected);
}

#[test]
fn the_reform_gives_the_2025_list_exactly() {
    let a = atlas();
    assert_eq!(map_on(a, REFORM), list(EMBEDDED.units_2025));
    assert_eq!(a.roots(REFORM).len(), 34);
    assert_eq!(a.roots(d(2025, 6, 30)).len(), 63);
}

#[test]
fn tra_vinh_on_1_june_2025() {
    let a = atlas();
    let date = d(2025, 6, 1);
    let tv = a.search("tra vinh", Some(date));
    let province = tv[0].unit;
    assert_eq!(a.version_at(province, date).unwrap().name, "Tỉnh Trà Vinh");
    assert_eq!(a.children(province, date).len(), 9);
    assert_eq!(a.count_under(province, date, UnitKind::District, None), 9);
    assert_eq!(count_communes(a, province, date, None), 104);
    assert_eq!(count_communes(a, province, date, Some("Xã")), 85);
    assert_eq!(count_communes(a, province, date, Some("Phường")), 9);
    assert_eq!(count_communes(a, province, date, Some("Thị trấn")), 10);
    // In May 2024 it had 106 communes (85 Xã, 11 Phường, 10 Thị trấn).
    assert_eq!(count_communes(a, province, START, None), 106);
    assert_eq!(count_communes(a, province, START, Some("Phường")), 11);
}

#[test]
fn vinh_long_on_1_july_2025_and_what_came_from_tra_vinh() {
    let a = atlas();
    let vl = code(a, "86", REFORM);
    assert_eq!(a.version_at(vl, REFORM).unwrap().name, "Tỉnh Vĩnh Long");
    assert_eq!(a.children(vl, REFORM).len(), 124);
    assert_eq!(count_communes(a, vl, REFORM, Some("Xã")), 105);
    assert_eq!(count_communes(a, vl, REFORM, Some("Phường")), 19);
    let before = d(2025, 6, 1);
    let tra_vinh = code(a, "84", before);
    let from_tv: Vec<UnitId> = a
        .children(vl, REFORM)
        .into_iter()
        .filter(|&c| {
            a.predecessors(c, before)
                .iter()
                .any(|p| a.ancestor_of_kind(p.unit, before, UnitKind::Province) == Some(tra_vinh))
        })
        .collect();
    assert_eq!(from_tv.len(), 41);
    // The new province is a new identity formed from three.
    let preds: BTreeSet<String> = a
        .predecessors(vl, before)
        .iter()
        .map(|l| a.version_at(l.unit, before).unwrap().name.clone())
        .collect();
    assert_eq!(
        preds,
        ["Tỉnh Bến Tre", "Tỉnh Trà Vinh", "Tỉnh Vĩnh Long"]
            .map(String::from)
            .into()
    );
    // Territory: the new province covers the old Trà Vinh communes, not the other way round.
    let old_commune = a.children(a.children(tra_vinh, before)[0], before)[0];
    assert!(a.within(vl, old_commune));
    assert!(a.within(vl, from_tv[0]));
    assert!(!a.within(tra_vinh, from_tv[0]));
    assert!(a.within(tra_vinh, old_commune));
    let from_old_vl_only = a
        .children(vl, REFORM)
        .into_iter()
        .find(|&c| {
            a.predecessors(c, before).iter().all(|p| {
                a.ancestor_of_kind(p.unit, before, UnitKind::Province)
                    == Some(code(a, "86", before))
            })
        })
        .unwrap();
    assert!(!a.within(tra_vinh, from_old_vl_only));
}

#[test]
fn every_pre_reform_commune_has_a_successor() {
    let a = atlas();
    let last = d(2025, 6, 30);
    let communes: Vec<&binhyen_core::units::Unit> = a
        .units()
        .iter()
        .filter(|u| u.kind == UnitKind::Commune && u.lifetime().contains(last))
        .collect();
    assert_eq!(communes.len(), 10_035);
    for u in communes {
        let held = a.holders(u.id, REFORM);
        assert!(!held.is_empty(), "{} has no successor", u.last().code);
        assert!(
            held.iter()
                .all(|h| a.unit(h.unit).unwrap().kind == UnitKind::Commune)
        );
    }
    // Districts are dissolved, their territory held by the new communes.
    let district = code(a, "855", last); // Huyện Càng Long, Trà Vinh
    assert_eq!(a.unit(district).unwrap().lifetime().to, Some(REFORM));
    assert!(
        a.events_of(district)
            .iter()
            .any(|e| e.kind == EventKind::Dissolve)
    );
    assert!(!a.holders(district, REFORM).is_empty());
}

#[test]
fn a_continuing_commune_keeps_its_identity() {
    let a = atlas();
    // 132 communes carry on alone; their identity spans the reform.
    let spanning = a
        .units()
        .iter()
        .filter(|u| {
            u.kind == UnitKind::Commune
                && u.lifetime().contains(d(2025, 6, 30))
                && u.lifetime().contains(REFORM)
        })
        .count();
    assert_eq!(spanning, 132);
    // The 11 provinces that did not merge continue.
    let provinces = a
        .units()
        .iter()
        .filter(|u| {
            u.kind == UnitKind::Province
                && u.lifetime().contains(START)
                && u.lifetime().contains(REFORM)
        })
        .count();
    assert_eq!(provinces, 11);
}

#[test]
fn predecessors_before_the_known_map_are_the_earliest_known() {
    let a = atlas();
    // Phường Ba Đình (2025) ← Trúc Bạch, Quán Thánh, part of Ngọc Hà, part of Điện Biên…
    let ba_dinh = code(a, "00004", REFORM);
    let at_2019 = a.predecessors(ba_dinh, d(2019, 1, 1));
    assert!(at_2019.len() >= 4);
    assert!(at_2019.iter().all(|p| p.known_since == Some(START)));
    let names: HashSet<String> = at_2019
        .iter()
        .map(|p| a.unit(p.unit).unwrap().first().name.clone())
        .collect();
    assert!(names.contains("Phường Trúc Bạch"), "{names:?}");
    assert!(at_2019.iter().any(|p| p.partial));
    // On a date the map knows, the answer is exact.
    let at_2025 = a.predecessors(ba_dinh, d(2025, 6, 1));
    assert!(at_2025.iter().all(|p| p.known_since.is_none()));
}

#[test]
fn merges_of_2024_25_are_dated_and_cited() {
    let a = atlas();
    // Nam Định: Mỹ Hưng 13729 + Mỹ Lộc 13708 = Hưng Lộc 13708 (NQ 1104/NQ-UBTVQH15, 01/09/2024).
    let hung_loc = code(a, "13708", d(2024, 10, 1));
    let v = a.version_at(hung_loc, d(2024, 10, 1)).unwrap();
    assert_eq!(v.name, "Phường Hưng Lộc");
    let preds = a.direct_predecessors(hung_loc);
    assert_eq!(preds[0].event.date, d(2024, 9, 1));
    assert_eq!(
        preds[0].event.legal_basis.as_deref(),
        Some("Nghị quyết số 1104/NQ-UBTVQH15")
    );
    let from: BTreeSet<String> = preds
        .iter()
        .map(|l| a.unit(l.other).unwrap().last().code.clone())
        .collect();
    assert!(from.contains("13729") && from.contains("13708"), "{from:?}");
    // Inferred absorbers are marked.
    assert!(
        a.events()
            .iter()
            .flat_map(|e| &e.links)
            .filter(|l| l.inferred)
            .count()
            > 400
    );
}

#[test]
fn search_ignores_case_diacritics_and_tone_placement() {
    let a = atlas();
    let date = d(2025, 6, 1);
    let hits = a.search("tra vinh", Some(date));
    assert_eq!(
        a.unit(hits[0].unit).unwrap().versions[hits[0].version].name,
        "Tỉnh Trà Vinh"
    );
    let long_duc = a.search("long duc", None);
    let exact: Vec<_> = long_duc.iter().filter(|h| h.rank <= 1).collect();
    assert!(exact.len() >= 3, "{}", exact.len());
    for h in &exact {
        let u = a.unit(h.unit).unwrap();
        let v = &u.versions[h.version];
        assert!(v.name.ends_with("Long Đức"), "{}", v.name);
        assert!(
            a.ancestor_of_kind(h.unit, v.validity.from, UnitKind::Province)
                .is_some()
        );
    }
    // Both tone placements find the same units, exact-diacritic matches first.
    let a1: Vec<UnitId> = a
        .search("hoà bình", Some(date))
        .iter()
        .map(|h| h.unit)
        .collect();
    let a2: Vec<UnitId> = a
        .search("hòa bình", Some(date))
        .iter()
        .map(|h| h.unit)
        .collect();
    assert_eq!(a1, a2);
    let first = &a.search("Hòa Bình", Some(date))[0];
    assert_eq!(first.rank, 0);
    // By code.
    let by_code = a.search("84", Some(date));
    assert_eq!(
        a.unit(by_code[0].unit).unwrap().versions[by_code[0].version].name,
        "Tỉnh Trà Vinh"
    );
}
