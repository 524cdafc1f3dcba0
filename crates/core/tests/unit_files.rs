//! Residential areas and organisations from user files: a good file loads, every kind of bad
//! input is refused with its place, and re-importing changes nothing.

use std::sync::Arc;

use binhyen_core::table::{Row, Table};
use binhyen_core::units::file::parse;
use binhyen_core::units::{
    Atlas, EventKind, Exclusion, History, LineageEvent, LineageLink, Problem, ProblemKind, Unit,
    UnitId, UnitKind, Validity, Version, merge,
};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A unit with one version; its type is the first word of its name ("Xã Một" → "Xã").
fn unit(
    id: UnitId,
    kind: UnitKind,
    code: &str,
    name: &str,
    parent: Option<UnitId>,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Unit {
    let t = name.split(' ').next().unwrap_or_default();
    Unit {
        id,
        key: Unit::key_for(code, from),
        kind,
        versions: vec![Version {
            code: code.into(),
            name: name.into(),
            unit_type: t.into(),
            parent,
            validity: Validity { from, to },
            origin: None,
        }],
    }
}

/// A province with communes C1 and C2 that merge into C3 on 01/07/2025.
fn stored() -> Atlas {
    let reform = d(2025, 7, 1);
    let start = d(2024, 5, 1);
    let link = |from, to| LineageLink {
        from: Some(from),
        to: Some(to),
        share: None,
        partial: false,
        inferred: false,
        note: None,
    };
    Atlas::build(History {
        units: vec![
            unit(1, UnitKind::Province, "P1", "Tỉnh Thử", None, start, None),
            unit(
                2,
                UnitKind::Commune,
                "C1",
                "Xã Một",
                Some(1),
                start,
                Some(reform),
            ),
            unit(
                3,
                UnitKind::Commune,
                "C2",
                "Xã Hai",
                Some(1),
                start,
                Some(reform),
            ),
            unit(4, UnitKind::Commune, "C3", "Xã Ba", Some(1), reform, None),
        ],
        events: vec![LineageEvent {
            kind: EventKind::Merge,
            date: reform,
            legal_basis: Some("Nghị quyết số 1/NQ-UBTVQH15".into()),
            note: None,
            links: vec![link(2, 4), link(3, 4)],
            origin: None,
        }],
    })
    .unwrap()
}

const HEADER: &str = "Mã|Tên|Loại|Mã đơn vị cha|Hiệu lực từ|Hiệu lực đến (hết ngày)|Mã tiền thân|Căn cứ pháp lý|Doanh nghiệp nhỏ, siêu nhỏ|Cơ sở giáo dục mầm non, tiểu học, nhà trẻ|Cơ quan, đơn vị lực lượng vũ trang";

fn table(lines: &[&str]) -> Vec<Table> {
    let rows = std::iter::once(HEADER)
        .chain(lines.iter().copied())
        .map(|l| l.split('|').map(String::from).collect());
    vec![Table::from_rows("kdc.csv", rows)]
}

const GOOD: [&str; 9] = [
    "T1|Thôn Đông|Thôn|C1|01/05/2024|30/06/2025",
    "T2|Thôn Tây|thon|C1|01/05/2024|30/06/2025",
    "T3|Thôn Nam|Thôn|C2|01/05/2024|31/12/2024",
    "T4|Thôn Bắc|Thôn|C2|01/05/2024|31/12/2024",
    "T5|Thôn Trung|Thôn|C2|01/01/2025|30/06/2025|T3; T4|Nghị quyết số 12/NQ-HĐND",
    "T1|Thôn Đông|Thôn|C3|01/07/2025",
    "T2|Thôn Tây Mới|Thôn|C3|01/07/2025|||",
    "T5|Thôn Trung|Thôn|C3|2025-07-01",
    "DN1|Công ty TNHH An Bình|Doanh nghiệp|C3|01/07/2025|||Quyết định 5/QĐ-UBND|không|",
];

fn import(
    stored: &Atlas,
    lines: &[&str],
) -> Result<(Atlas, binhyen_core::units::Changes), Vec<Problem>> {
    let dataset = parse(&table(lines), stored)?;
    let base = History {
        units: stored.units().to_vec(),
        events: stored.events().to_vec(),
    };
    let (merged, changes) = merge(&base, dataset);
    Ok((Atlas::build(merged)?, changes))
}

fn refused(lines: &[&str]) -> Vec<Problem> {
    import(&stored(), lines).expect_err("the file must be refused")
}

#[test]
fn a_good_file_loads_with_its_history() {
    let (a, changes) = import(&stored(), &GOOD).unwrap();
    assert_eq!(changes.new_units.len(), 6);
    let c3 = a.find_code("C3", d(2025, 8, 1)).unwrap();
    let names: Vec<String> = a
        .children(c3, d(2025, 8, 1))
        .iter()
        .map(|&u| a.version_at(u, d(2025, 8, 1)).unwrap().name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Công ty TNHH An Bình",
            "Thôn Đông",
            "Thôn Tây Mới",
            "Thôn Trung"
        ]
    );
    let t2 = a.find_code("T2", d(2025, 8, 1)).unwrap();
    assert_eq!(
        a.find_code("T2", d(2024, 8, 1)),
        Some(t2),
        "a rename keeps the identity"
    );
    let kinds: Vec<EventKind> = a.events_of(t2).iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::Rename) && kinds.contains(&EventKind::Reparent));
    let t5 = a.find_code("T5", d(2025, 3, 1)).unwrap();
    let preds: Vec<String> = a
        .predecessors(t5, d(2024, 6, 1))
        .iter()
        .map(|l| a.unit(l.unit).unwrap().first().code.clone())
        .collect();
    assert_eq!(preds, ["T3", "T4"]);
    assert_eq!(
        a.direct_predecessors(t5)[0].event.legal_basis.as_deref(),
        Some("Nghị quyết số 12/NQ-HĐND")
    );
    // Territory follows lineage: T3 was under C2, a predecessor of C3.
    let t3 = a.find_code("T3", d(2024, 6, 1)).unwrap();
    assert!(a.within(c3, t3));
    assert!(!a.within(a.find_code("C1", d(2024, 6, 1)).unwrap(), t5));
    // The organisation's creation carries its basis.
    let dn = a.find_code("DN1", d(2025, 8, 1)).unwrap();
    assert_eq!(a.events_of(dn)[0].kind, EventKind::Create);
    // Re-importing the same file changes nothing.
    let (again, changes) = import(&a, &GOOD).unwrap();
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(again.units().len(), a.units().len());
    assert_eq!(again.events().len(), a.events().len());
}

#[test]
fn a_later_file_adds_a_version_to_a_stored_unit() {
    let (a, _) = import(&stored(), &GOOD[..5]).unwrap();
    let t1 = a.find_code("T1", d(2025, 1, 1)).unwrap();
    // T1 was closed on 30/06/2025; a later file moves it under C3 from 01/07/2025.
    let (b, changes) = import(&a, &["T1|Thôn Đông|Thôn|C3|01/07/2025"]).unwrap();
    assert_eq!(changes.new_units.len(), 0);
    assert_eq!(changes.new_versions.len(), 1);
    assert_eq!(b.find_code("T1", d(2025, 8, 1)), Some(t1));
}

fn only(problems: &[Problem]) -> &Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}

fn place(p: &Problem) -> String {
    p.origin.as_ref().map(|o| o.to_string()).unwrap_or_default()
}

#[test]
fn an_unknown_parent_is_refused_with_its_place() {
    let p = refused(&["T1|Thôn Đông|Thôn|C9|01/05/2024"]);
    let p = only(&p);
    assert_eq!(
        p.kind,
        ProblemKind::UnknownParent {
            code: "C9".into(),
            date: d(2024, 5, 1)
        }
    );
    assert_eq!(place(p), "kdc.csv:2:4 «Mã đơn vị cha»");
}

#[test]
fn a_duplicate_code_is_refused() {
    let p = refused(&[
        "T1|Thôn Đông|Thôn|C1|01/05/2024|30/06/2025",
        "T1|Thôn Đông 2|Thôn|C1|01/05/2024|30/06/2025",
    ]);
    let p = only(&p);
    assert_eq!(
        p.kind,
        ProblemKind::DuplicateCode {
            code: "T1".into(),
            date: d(2024, 5, 1)
        }
    );
    assert_eq!(place(p), "kdc.csv:3:1 «Mã»");
}

#[test]
fn overlapping_validity_for_one_code_is_refused() {
    let p = refused(&[
        "T1|Thôn Đông|Thôn|C3|01/07/2025|",
        "T1|Thôn Đông Mới|Thôn|C3|01/01/2026|",
    ]);
    let p = only(&p);
    assert!(
        matches!(&p.kind, ProblemKind::CodeOverlap { code, .. } if code == "T1"),
        "{p:?}"
    );
    assert_eq!(p.origin.as_ref().unwrap().line, 3);
}

#[test]
fn a_lineage_row_naming_a_missing_unit_is_refused() {
    let p = refused(&["T5|Thôn Trung|Thôn|C2|01/01/2025||T3; T99"]);
    assert!(p.iter().any(|p| p.kind
        == ProblemKind::MissingUnit {
            code: "T3".into(),
            date: d(2024, 12, 31)
        }));
    assert!(p.iter().all(|p| place(p) == "kdc.csv:2:7 «Mã tiền thân»"));
}

#[test]
fn a_predecessor_that_goes_on_is_refused() {
    let p = refused(&[
        "T3|Thôn Nam|Thôn|C2|01/05/2024|",
        "T5|Thôn Trung|Thôn|C2|01/01/2025||T3",
    ]);
    assert!(
        p.iter().any(
            |p| matches!(&p.kind, ProblemKind::WholeButContinues { code, .. } if code == "T3")
        ),
        "{p:?}"
    );
}

#[test]
fn bad_dates_and_cells_are_refused_cell_by_cell() {
    let p = refused(&[
        "T1|Thôn Đông|Thôn|C1|31/02/2025",
        "T2||Thôn|C1|01/05/2024|01/01/2024",
        "T3|Thôn Nam|Hợp tác xã|C1|01/05/2024",
        "T4|Xã Bốn|Xã|P1|01/05/2024",
    ]);
    let kinds: Vec<(String, &ProblemKind)> = p.iter().map(|p| (place(p), &p.kind)).collect();
    assert!(
        kinds.contains(&(
            "kdc.csv:2:5 «Hiệu lực từ»".into(),
            &ProblemKind::BadDate {
                value: "31/02/2025".into()
            }
        )),
        "{kinds:#?}"
    );
    assert!(
        kinds
            .iter()
            .any(|(w, k)| w == "kdc.csv:3:2 «Tên»" && **k == ProblemKind::EmptyCell)
    );
    assert!(
        kinds.iter().any(
            |(w, k)| w.starts_with("kdc.csv:3:6") && matches!(k, ProblemKind::DateOrder { .. })
        )
    );
    assert!(
        kinds
            .iter()
            .any(|(w, k)| w.starts_with("kdc.csv:4:3")
                && matches!(k, ProblemKind::UnknownType { .. }))
    );
    assert!(kinds.iter().any(
        |(w, k)| w.starts_with("kdc.csv:5:3") && matches!(k, ProblemKind::OfficialType { .. })
    ));
}

#[test]
fn organisations_outside_circular_124_are_refused_with_the_reason() {
    let p = refused(&[
        "TH1|Trường Tiểu học An Bình|Cơ sở giáo dục|C3|01/07/2025||||không|có|",
        "DN2|Cửa hàng Bình An|Doanh nghiệp|C3|01/07/2025||||có||",
        "CQ1|Đồn Biên phòng|Cơ quan|C3|01/07/2025||||||có",
    ]);
    let ex: Vec<Exclusion> = p
        .iter()
        .filter_map(|p| match p.kind {
            ProblemKind::Excluded { exclusion } => Some(exclusion),
            _ => None,
        })
        .collect();
    assert_eq!(
        ex,
        [
            Exclusion::PrimaryOrPreschool,
            Exclusion::SmallEnterprise,
            Exclusion::ArmedForces
        ]
    );
}

#[test]
fn a_missing_column_is_refused_at_the_header() {
    let file: Arc<str> = Arc::from("kdc.csv");
    let t = Table {
        file,
        sheet: None,
        rows: vec![
            Row {
                line: 1,
                cells: vec!["Mã".into(), "Tên".into()],
            },
            Row {
                line: 2,
                cells: vec!["T1".into(), "Thôn".into()],
            },
        ],
    };
    let p = parse(&[t], &stored()).unwrap_err();
    assert_eq!(p.len(), 3);
    assert!(p.iter().all(|p| p.origin.as_ref().unwrap().line == 1
        && matches!(p.kind, ProblemKind::MissingColumn { .. })));
}

#[test]
fn a_file_with_a_parent_ending_mid_version_is_refused() {
    // C1 ends on 01/07/2025: an open-ended area under it must say where it goes then.
    let p = refused(&["T1|Thôn Đông|Thôn|C1|01/05/2024"]);
    let p = only(&p);
    assert_eq!(
        p.kind,
        ProblemKind::ParentNotValid {
            code: "T1".into(),
            parent_code: "C1".into(),
            date: d(2025, 7, 1)
        }
    );
}

mod properties {
    use super::*;
    use binhyen_core::text::format_date;
    use binhyen_core::units::file::{RESIDENTIAL_TYPES, read_rows};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_row_reader_never_panics(rows in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}", 0..12), 0..6)) {
            let lines: Vec<String> = rows.iter().map(|r| r.join("|")).collect();
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let _ = read_rows(&table(&refs));
        }

        #[test]
        fn valid_rows_read_back(
            code in "[A-Z]{1,3}[0-9]{1,4}",
            name in "[A-Za-zÀ-ỹ ]{1,20}",
            t in 0usize..RESIDENTIAL_TYPES.len(),
            from_days in 0i64..3000,
            len in proptest::option::of(0i64..2000),
        ) {
            let from = d(2020, 1, 1) + chrono::Duration::days(from_days);
            let last = len.map(|l| from + chrono::Duration::days(l));
            let name = format!("X{}", name.trim());
            let line = format!(
                "{code}|{name}|{}|C1|{}|{}",
                RESIDENTIAL_TYPES[t],
                format_date(from),
                last.map(format_date).unwrap_or_default()
            );
            let rows = read_rows(&table(&[&line])).unwrap();
            prop_assert_eq!(rows.len(), 1);
            let r = &rows[0];
            prop_assert_eq!(&r.code, &code);
            prop_assert_eq!(&r.name, &name);
            prop_assert_eq!(r.unit_type.as_str(), RESIDENTIAL_TYPES[t]);
            prop_assert_eq!(r.validity.from, from);
            prop_assert_eq!(r.validity.to, last.and_then(|l| l.succ_opt()));
        }
    }
}
