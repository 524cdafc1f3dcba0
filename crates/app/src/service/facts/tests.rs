//! Service tests of yearly facts on both databases: validation, reason when submitted,
//! reclassification, conflict, lock and reopen, scope refusal, checks, and the spreadsheet round
//! trip (template → filled with rust_xlsxwriter → plan → commit) with every bad-input case.

use binhyen_core::authz::{Denied, Grant, Role, Scope};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::standard::Registry;
use binhyen_core::units::UnitId;
use binhyen_store::audit;
use binhyen_store::{Store, db_test};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value as JV, json};

use super::*;
use crate::service::{Actor, Ctx};
use crate::units::SharedAtlas;

pub use crate::service::fixture::{
    AP_1 as AREA, LONG_DUC as COMMUNE, PHUONG_1 as OTHER, VINH_LONG as PROVINCE, XA_CU as GONE,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub use crate::service::fixture::atlas;

pub fn officer(id: i64, role: Role, unit: UnitId) -> Actor {
    Actor {
        id: Some(id),
        login: format!("u{id}"),
        display_name: format!("Cán bộ {id}"),
        grants: vec![Grant::new(role, Scope::Unit(unit))],
    }
}

fn ctx<'a>(store: &'a Store, units: &'a SharedAtlas) -> Ctx<'a> {
    Ctx {
        store,
        units,
        now: Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap(),
    }
}

fn obj(v: JV) -> Map<String, JV> {
    match v {
        JV::Object(m) => m,
        _ => panic!("object"),
    }
}

fn req(unit: UnitId, group: FormGroup, values: JV, version: i64) -> SaveForm {
    SaveForm {
        unit,
        year: 2024,
        group,
        values: obj(values),
        expected_version: version,
        submit: false,
        reason: None,
        confirm_warnings: false,
        source: "test".into(),
    }
}

fn reg() -> Registry {
    Registry::with_builtin(&[]).unwrap()
}

db_test!(
    bad_values_are_refused_per_field_and_nothing_is_written,
    |store| {
        let units = atlas();
        let c = ctx(&store, &units);
        let me = officer(1, Role::CommunePolice, COMMUNE);
        let r = reg();
        let bad = req(
            COMMUNE,
            FormGroup::CrimeSocialEvils,
            json!({"crimes_drugs": "ba", "traffic_deaths": 1, "no_such_field": 2}),
            0,
        );
        match save(&c, &r, &me, &bad).await {
            Err(FactsError::Invalid(list)) => {
                let fields: Vec<&str> = list.iter().map(|p| p.field.as_str()).collect();
                assert_eq!(fields, ["crimes_drugs", "no_such_field", "traffic_deaths"]);
                let msg = FactsError::Invalid(list.clone()).message("vi");
                assert!(msg.contains("«crimes_drugs»"), "{msg}");
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(
            binhyen_store::facts::history(&store, COMMUNE, 2024)
                .await
                .unwrap()
                .is_empty()
        );
        // A unit that did not exist that year is not found.
        let gone = req(
            GONE,
            FormGroup::CrimeSocialEvils,
            json!({"crimes_drugs": 1}),
            0,
        );
        assert!(matches!(
            save(&c, &r, &me, &gone).await,
            Err(FactsError::Service(ServiceError::NotFound))
        ));
    }
);

db_test!(submitted_changes_need_a_reason_and_reclassify, |store| {
    let units = atlas();
    let c = ctx(&store, &units);
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let r = reg();
    let mut first = req(
        COMMUNE,
        FormGroup::CrimeSocialEvils,
        json!({"crimes_social_order": 5, "crimes_drugs": 1}),
        0,
    );
    first.submit = true;
    let saved = save(&c, &r, &me, &first).await.unwrap();
    assert_eq!(
        (saved.row.version, saved.row.status.as_str()),
        (1, SUBMITTED)
    );
    // Two crimes move from social order to drugs: refused without a reason …
    let mut second = req(
        COMMUNE,
        FormGroup::CrimeSocialEvils,
        json!({"crimes_social_order": 3, "crimes_drugs": 3}),
        1,
    );
    second.submit = true;
    match save(&c, &r, &me, &second).await {
        Err(FactsError::ReasonRequired { fields }) => {
            assert_eq!(fields, ["crimes_drugs", "crimes_social_order"])
        }
        other => panic!("expected a reason to be required, got {other:?}"),
    }
    second.reason = Some("   ".into());
    assert!(matches!(
        save(&c, &r, &me, &second).await,
        Err(FactsError::ReasonRequired { .. })
    ));
    // … accepted with one, recorded as a reclassification.
    second.reason = Some("Xác định lại tội danh theo kết luận điều tra".into());
    save(&c, &r, &me, &second).await.unwrap();
    let h = history(&c, &me, COMMUNE, 2024).await.unwrap();
    assert_eq!(h.len(), 4);
    let moved = &h[2..];
    for line in moved {
        assert_eq!(line.reason.as_deref(), second.reason.as_deref());
        let note: JV = serde_json::from_str(line.change.note.as_deref().unwrap()).unwrap();
        assert_eq!(
            note["reclassified"][0],
            json!({"from": "crimes_social_order", "to": "crimes_drugs", "count": 2})
        );
    }
    assert_eq!(moved[0].change.old.as_deref(), Some("1"));
    assert_eq!(moved[0].change.new.as_deref(), Some("3"));
    // Every save has its audit entry.
    let entries = audit::list(
        &store,
        audit::Filter {
            unit_id: Some(COMMUNE),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        entries.iter().filter(|e| e.action == "facts.save").count(),
        2
    );
});

db_test!(
    a_stale_version_is_a_conflict_showing_the_other_change,
    |store| {
        let units = atlas();
        let c = ctx(&store, &units);
        let a = officer(1, Role::CommunePolice, COMMUNE);
        let b = officer(2, Role::CommunePolice, COMMUNE);
        let r = reg();
        save(
            &c,
            &r,
            &a,
            &req(
                COMMUNE,
                FormGroup::TrafficFire,
                json!({"traffic_accidents": 2}),
                0,
            ),
        )
        .await
        .unwrap();
        let err = save(
            &c,
            &r,
            &b,
            &req(
                COMMUNE,
                FormGroup::TrafficFire,
                json!({"traffic_accidents": 3}),
                0,
            ),
        )
        .await
        .unwrap_err();
        match &err {
            FactsError::Conflict {
                current,
                their_changes,
            } => {
                assert_eq!(current.version, 1);
                assert_eq!(current.updated_by_name, "Cán bộ 1");
                assert_eq!(their_changes.len(), 1);
                assert_eq!(their_changes[0].change.new.as_deref(), Some("2"));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        let msg = err.message("vi");
        assert!(
            msg.contains("Cán bộ 1") && msg.contains("traffic_accidents: — → 2"),
            "{msg}"
        );
        let stored = binhyen_store::facts::form(&store, COMMUNE, 2024, "traffic_fire")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.data, r#"{"traffic_accidents":2}"#);
    }
);

db_test!(locked_years_refuse_until_reopened_with_a_reason, |store| {
    let units = atlas();
    let c = ctx(&store, &units);
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let pv05 = officer(9, Role::ProvincialReviewer, PROVINCE);
    let r = reg();
    // Only the province's reviewer sets the lock; not on a commune.
    assert!(matches!(
        set_lock(&c, &me, PROVINCE, 2024, d(2025, 1, 15)).await,
        Err(ServiceError::Denied(Denied::NoCapability))
    ));
    assert!(
        set_lock(&c, &pv05, COMMUNE, 2024, d(2025, 1, 15))
            .await
            .is_err()
    );
    set_lock(&c, &pv05, PROVINCE, 2024, d(2025, 1, 15))
        .await
        .unwrap();
    let w = req(
        COMMUNE,
        FormGroup::TrafficFire,
        json!({"traffic_accidents": 1}),
        0,
    );
    let err = save(&c, &r, &me, &w).await.unwrap_err();
    assert!(matches!(err, FactsError::Locked { lock_date } if lock_date == d(2025, 1, 15)));
    assert!(err.message("vi").contains("15/01/2025"));
    assert!(reopen(&c, &pv05, PROVINCE, 2024, "  ").await.is_err());
    reopen(&c, &pv05, PROVINCE, 2024, "Bổ sung số liệu tai nạn")
        .await
        .unwrap();
    save(&c, &r, &me, &w).await.unwrap();
    let actions: Vec<String> = audit::list(
        &store,
        audit::Filter {
            unit_id: Some(PROVINCE),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert_eq!(actions, ["facts.reopen", "facts.lock"]);
});

db_test!(outside_the_scope_is_refused, |store| {
    let units = atlas();
    let c = ctx(&store, &units);
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let viewer = officer(3, Role::Viewer, PROVINCE);
    let r = reg();
    let w = req(
        OTHER,
        FormGroup::TrafficFire,
        json!({"traffic_accidents": 1}),
        0,
    );
    assert!(matches!(
        save(&c, &r, &me, &w).await,
        Err(FactsError::Service(ServiceError::Denied(
            Denied::OutsideTerritory
        )))
    ));
    let mine = req(
        COMMUNE,
        FormGroup::TrafficFire,
        json!({"traffic_accidents": 1}),
        0,
    );
    assert!(matches!(
        save(&c, &r, &viewer, &mine).await,
        Err(FactsError::Service(ServiceError::Denied(
            Denied::NoCapability
        )))
    ));
    assert!(matches!(
        load(&c, &r, &me, OTHER, 2024).await,
        Err(ServiceError::Denied(Denied::OutsideTerritory))
    ));
    // The viewer of the province reads the commune.
    assert!(load(&c, &r, &viewer, COMMUNE, 2024).await.is_ok());
    assert!(
        binhyen_store::facts::history(&store, OTHER, 2024)
            .await
            .unwrap()
            .is_empty()
    );
});

db_test!(
    errors_block_submission_and_warnings_need_a_confirmation,
    |store| {
        let units = atlas();
        let c = ctx(&store, &units);
        let head = officer(4, Role::AreaHead, AREA);
        let r = reg();
        let mut w = req(
            AREA,
            FormGroup::Registration,
            json!({"households_resident": 100, "households_registered": 120}),
            0,
        );
        w.submit = true;
        match save(&c, &r, &head, &w).await {
            Err(FactsError::Checks(found)) => {
                assert_eq!(found[0].fields[0], "households_registered");
                assert!(found[0].message.render("vi").contains("120"));
            }
            other => panic!("expected the check to refuse, got {other:?}"),
        }
        // A draft keeps the error for later.
        w.submit = false;
        let saved = save(&c, &r, &head, &w).await.unwrap();
        assert_eq!(saved.findings.len(), 1);
        // History: 2021–2023 had 4–6 drug users; 40 is flagged.
        let crime = |y: i32, n: i64| SaveForm {
            year: y,
            ..req(
                AREA,
                FormGroup::CrimeSocialEvils,
                json!({"drug_users": n}),
                0,
            )
        };
        for (y, n) in [(2021, 4), (2022, 5), (2023, 6)] {
            save(&c, &r, &head, &crime(y, n)).await.unwrap();
        }
        let mut far = crime(2024, 40);
        match save(&c, &r, &head, &far).await {
            Err(FactsError::Checks(found)) => assert_eq!(found[0].severity, Severity::Warning),
            other => panic!("expected a warning, got {other:?}"),
        }
        far.confirm_warnings = true;
        let saved = save(&c, &r, &head, &far).await.unwrap();
        assert_eq!(saved.findings[0].severity, Severity::Warning);
    }
);

// ------------------------------------------------------------------ spreadsheets

/// A workbook with one sheet: `rows` of text/number/formula cells under `header`.
enum C<'a> {
    T(&'a str),
    N(f64),
    F(&'a str),
}

fn book(sheet: &str, header: &[String], rows: &[Vec<C>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (i, h) in header.iter().enumerate() {
        ws.write_string(0, i as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, c) in row.iter().enumerate() {
            let (r, i) = (r as u32 + 1, i as u16);
            match c {
                C::T(s) => ws.write_string(r, i, *s).map(|_| ()).unwrap(),
                C::N(n) => ws.write_number(r, i, *n).map(|_| ()).unwrap(),
                C::F(f) => ws.write_formula(r, i, *f).map(|_| ()).unwrap(),
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The heading row of a template sheet.
fn headings(template: &[u8], sheet: &str) -> Vec<String> {
    let sheets = binhyen_report::xlsx::read_xlsx(template, &Default::default()).unwrap();
    let s = sheets
        .iter()
        .find(|s| s.name.as_deref() == Some(sheet))
        .unwrap();
    s.rows[0]
        .cells
        .iter()
        .map(|c| match c {
            binhyen_report::xlsx::RawValue::Text(t) => t.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

const TRAFFIC: &str = "Tai nạn giao thông, cháy nổ";

async fn import(
    c: &Ctx<'_>,
    actor: &Actor,
    units: &SharedAtlas,
    name: &str,
    bytes: &[u8],
) -> Result<usize, String> {
    let r = reg();
    let file = sheet::File {
        name,
        bytes,
        max_bytes: sheet::WEB_MAX_BYTES,
    };
    let plan = sheet::plan(c, &r, actor, &units.get(), &file, 2024, &|_, _| {})
        .await
        .map_err(|e| e.to_string())?;
    sheet::commit(c, actor, &plan, None, &|_, _| {})
        .await
        .map_err(|e| e.message("vi"))
}

db_test!(template_round_trip_and_bad_files_change_nothing, |store| {
    let units = atlas();
    let c = ctx(&store, &units);
    let r = reg();
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let template = sheet::template(&c, &r, &units.get(), Scope::Unit(PROVINCE), 2024)
        .await
        .unwrap();
    let header = headings(&template, TRAFFIC);
    assert_eq!(
        &header[..3],
        ["Mã đơn vị", "Tên đơn vị", "Số vụ tai nạn giao thông"]
    );
    let sheets = binhyen_report::xlsx::read_xlsx(&template, &Default::default()).unwrap();
    let traffic = sheets
        .iter()
        .find(|s| s.name.as_deref() == Some(TRAFFIC))
        .unwrap();
    // Rows are the units on the 2024 map: the province, two communes and the residential area
    // (fires), not the commune dissolved in 2023.
    let codes: Vec<String> = traffic.rows[1..]
        .iter()
        .map(|r| format!("{:?}", r.cells[0]))
        .collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
    assert!(!codes.iter().any(|c| c.contains("29003")));
    assert!(
        sheets
            .iter()
            .any(|s| s.name.as_deref() == Some("Hướng dẫn"))
    );

    // Bad files: each refused with its place, nothing written.
    let row = |code: &'static str, v: C<'static>| vec![C::T(code), C::T("x"), v];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "chu.xlsx",
            book(TRAFFIC, &header, &[row("29001", C::T("ba vụ"))]),
            "dòng 2, cột C",
        ),
        (
            "ngoai.xlsx",
            book(TRAFFIC, &header, &[row("29002", C::N(1.0))]),
            "ngoài phạm vi",
        ),
        (
            "cu.xlsx",
            book(TRAFFIC, &header, &[row("29003", C::N(1.0))]),
            "không tồn tại trong năm 2024",
        ),
        (
            "ma.xlsx",
            book(TRAFFIC, &header, &[row("99999", C::N(1.0))]),
            "không có đơn vị nào",
        ),
        (
            "ct.xlsx",
            book(TRAFFIC, &header, &[row("29001", C::F("=1+2"))]),
            "công thức",
        ),
        (
            "am.xlsx",
            book(TRAFFIC, &header, &[row("29001", C::N(-2.0))]),
            "không âm",
        ),
        (
            "text.xlsx",
            "Mã đơn vị;Số vụ\n29001;3\n".as_bytes().to_vec(),
            "không phải tệp Excel",
        ),
        (
            "big.xlsx",
            vec![b'P'; 10 * 1024 * 1024 + 1],
            "vượt giới hạn",
        ),
    ];
    for (name, bytes, expected) in &cases {
        let err = import(&c, &me, &units, name, bytes).await.unwrap_err();
        assert!(err.contains(expected), "{name}: {err}");
    }
    // A wrong date in a document column.
    let docs = headings(&template, "Văn bản");
    let date_col = docs.iter().position(|h| h.ends_with("— ngày")).unwrap();
    let mut bad_date: Vec<C> = vec![C::T("29001"), C::T("x")];
    bad_date.resize_with(date_col, || C::T(""));
    bad_date.push(C::T("2024/13/45"));
    let err = import(
        &c,
        &me,
        &units,
        "ngay.xlsx",
        &book("Văn bản", &docs, &[bad_date]),
    )
    .await
    .unwrap_err();
    assert!(err.contains("dd/mm/yyyy"), "{err}");
    assert!(
        binhyen_store::facts::history(&store, COMMUNE, 2024)
            .await
            .unwrap()
            .is_empty()
    );

    // The good file: values stored with their history lines.
    let good = book(
        TRAFFIC,
        &header,
        &[vec![
            C::T("29001"),
            C::T("Xã Long Đức"),
            C::N(3.0),
            C::T("1"),
            C::T("2"),
        ]],
    );
    assert_eq!(import(&c, &me, &units, "tot.xlsx", &good).await.unwrap(), 3);
    let stored = binhyen_store::facts::form(&store, COMMUNE, 2024, "traffic_fire")
        .await
        .unwrap()
        .unwrap();
    let v: JV = serde_json::from_str(&stored.data).unwrap();
    assert_eq!(v["traffic_accidents"], 3);
    assert_eq!(v["traffic_deaths"], 1);
    let h = binhyen_store::facts::history(&store, COMMUNE, 2024)
        .await
        .unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].source, "import:tot.xlsx");
    // Importing it again changes nothing.
    assert_eq!(import(&c, &me, &units, "tot.xlsx", &good).await.unwrap(), 0);

    // A long CSV: numbers as typed in Vietnam.
    let csv = "Mã đơn vị,Trường,Giá trị\n29001,crimes_drugs,1.234\n2900101,households_resident,\"1.005\"\n";
    let console = Actor::console();
    assert_eq!(
        import(&c, &console, &units, "x.csv", csv.as_bytes())
            .await
            .unwrap(),
        2
    );
    let bad_csv = "Mã đơn vị,Trường,Giá trị\n29001,crimes_drug,1\n29001,crimes_drugs,mười\n";
    let err = import(&c, &console, &units, "y.csv", bad_csv.as_bytes())
        .await
        .unwrap_err();
    assert!(
        err.contains("Dòng 2, cột B") && err.contains("Dòng 3, cột C"),
        "{err}"
    );
});

db_test!(the_preview_judges_typed_values_without_saving, |store| {
    use binhyen_core::standard::Verdict;
    let units = atlas();
    let c = ctx(&store, &units);
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let r = reg();
    // Stored: every resident household of Ấp 1 signed up (TT124 art. 4.1: 100 %).
    let mut stored = req(
        AREA,
        FormGroup::Registration,
        json!({"households_resident": 120, "households_registered": 120}),
        0,
    );
    stored.confirm_warnings = true;
    save(&c, &r, &me, &stored).await.unwrap();
    let rule = |list: &[binhyen_core::standard::Evaluation]| {
        list.iter()
            .find(|e| e.standard.id == "antt-kdc")
            .and_then(|e| e.rules.iter().find(|r| r.id == "4.1c"))
            .map(|r| r.verdict)
    };
    let before = crate::service::evaluation::evaluate_unit(
        &store,
        &units.get(),
        &r,
        AREA,
        2024,
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(rule(&before), Some(Verdict::Met));
    // Typed, not saved: 60 of 120 signed up flips 4.1c and the standard to "chưa đạt"; a word
    // in a number field is a problem of its own and the rest still counts.
    let typed = obj(json!({"households_resident": 120, "households_registered": 60}));
    let p = preview::preview(
        &c,
        &units.get(),
        &r,
        &me,
        AREA,
        2024,
        FormGroup::Registration,
        &typed,
    )
    .await
    .unwrap();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(rule(&p.evaluations), Some(Verdict::NotMet));
    let kdc = p.evaluations.iter().find(|e| e.standard.id == "antt-kdc");
    assert_eq!(kdc.map(|e| e.verdict), Some(Verdict::NotMet));
    let typo = obj(json!({"households_resident": "một trăm", "households_registered": 60}));
    let p = preview::preview(
        &c,
        &units.get(),
        &r,
        &me,
        AREA,
        2024,
        FormGroup::Registration,
        &typo,
    )
    .await
    .unwrap();
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].field, "households_resident");
    // Without the resident count, 4.1c cannot be judged.
    assert_eq!(rule(&p.evaluations), Some(Verdict::Insufficient));
    // The stored verdict and the history are unchanged.
    let after = crate::service::evaluation::evaluate_unit(
        &store,
        &units.get(),
        &r,
        AREA,
        2024,
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(rule(&after), Some(Verdict::Met));
    assert_eq!(
        binhyen_store::facts::history(&store, AREA, 2024)
            .await
            .unwrap()
            .len(),
        2
    );
    // Outside the caller's scope: refused like the form.
    let stranger = officer(2, Role::CommunePolice, OTHER);
    assert!(matches!(
        preview::preview(
            &c,
            &units.get(),
            &r,
            &stranger,
            AREA,
            2024,
            FormGroup::Registration,
            &typed
        )
        .await,
        Err(ServiceError::Denied(_))
    ));
});

db_test!(an_import_meeting_a_newer_save_changes_nothing, |store| {
    let units = atlas();
    let c = ctx(&store, &units);
    let r = reg();
    let me = officer(1, Role::CommunePolice, COMMUNE);
    let csv =
        "Mã đơn vị,Trường,Giá trị\n29001,traffic_accidents,4\n2900101,households_resident,90\n";
    let file = sheet::File {
        name: "a.csv",
        bytes: csv.as_bytes(),
        max_bytes: sheet::WEB_MAX_BYTES,
    };
    let plan = sheet::plan(&c, &r, &me, &units.get(), &file, 2024, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(plan.forms.len(), 2);
    // Someone saves the commune's traffic form between the preview and the commit.
    save(
        &c,
        &r,
        &me,
        &req(
            COMMUNE,
            FormGroup::TrafficFire,
            json!({"traffic_accidents": 2}),
            0,
        ),
    )
    .await
    .unwrap();
    match sheet::commit(&c, &me, &plan, None, &|_, _| {}).await {
        Err(FactsError::Conflict { current, .. }) => {
            assert_eq!((current.unit_id, current.version), (COMMUNE, 1));
            assert_eq!(current.form, "traffic_fire");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // All or nothing: the residential area's form was not written either.
    assert!(
        binhyen_store::facts::history(&store, AREA, 2024)
            .await
            .unwrap()
            .is_empty()
    );
    let form = binhyen_store::facts::form(&store, COMMUNE, 2024, "traffic_fire")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(form.data, r#"{"traffic_accidents":2}"#);
});
