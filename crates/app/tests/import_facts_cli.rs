//! `binhyen import facts FILE` through the real binary, on SQLite and PostgreSQL: a good
//! workbook imports with a summary, a bad one is refused with its sheet, row and column and
//! changes nothing (rows counted before and after), and the good one imported twice changes
//! nothing the second time.

mod support;

use binhyen_store::{DatabaseUrl, Store, audit, facts};
use support::{binhyen_at as binhyen, ok, on_scratch_postgres};

const TRAFFIC: &str = "Tai nạn giao thông, cháy nổ";

/// A workbook with the traffic sheet of the template: Xã Hòa Minh (29410), accidents `cell`.
fn workbook(path: &std::path::Path, accidents: Result<f64, &str>) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(TRAFFIC).unwrap();
    for (i, h) in ["Mã đơn vị", "Tên đơn vị", "Số vụ tai nạn giao thông"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "29410").unwrap();
    ws.write_string(1, 1, "Xã Hòa Minh").unwrap();
    match accidents {
        Ok(n) => ws.write_number(1, 2, n).map(|_| ()).unwrap(),
        Err(text) => ws.write_string(1, 2, text).map(|_| ()).unwrap(),
    }
    wb.save(path).unwrap();
}

/// What is stored: every 2024 form (unit, form, version, data) and the number of audit entries.
fn stored(url: &str) -> (Vec<(i64, String, i64, String)>, usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(&DatabaseUrl::parse(url).unwrap())
            .await
            .unwrap();
        let forms = facts::forms_in_years(&store, 2024..=2024)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.unit_id, r.form, r.version, r.data))
            .collect();
        let entries = audit::list(&store, audit::Filter::latest(1_000_000))
            .await
            .unwrap()
            .len();
        (forms, entries)
    })
}

fn scenario(url: &str) {
    ok(&binhyen(url, &["migrate"]));
    ok(&binhyen(url, &["import", "units"]));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("sai.xlsx");
    workbook(&bad, Err("ba vụ"));
    let good = dir.path().join("tot.xlsx");
    workbook(&good, Ok(3.0));
    let (bad, good) = (bad.display().to_string(), good.display().to_string());

    // Refused with the place of the problem; nothing changes.
    let before = stored(url);
    let out = binhyen(url, &["import", "facts", &bad, "--year", "2024"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Trang tính «Tai nạn giao thông, cháy nổ», dòng 2, cột C: «ba vụ»"),
        "{err}"
    );
    assert!(
        err.contains("Tệp không được nhập (1 lỗi); không có gì thay đổi."),
        "{err}"
    );
    assert_eq!(stored(url), before);

    // The good file: one value, one form, one audit entry.
    let out = ok(&binhyen(url, &["import", "facts", &good, "--year", "2024"]));
    assert!(
        out.contains("Đã nhập 1 giá trị thay đổi trong 1 biểu mẫu (đọc 1 giá trị"),
        "{out}"
    );
    let after = stored(url);
    assert_eq!(after.0.len(), before.0.len() + 1);
    assert_eq!(after.1, before.1 + 1);
    let form = after.0.iter().find(|f| f.1 == "traffic_fire").unwrap();
    assert_eq!((form.2, form.3.as_str()), (1, r#"{"traffic_accidents":3}"#));

    // Again: nothing changes the second time.
    let out = ok(&binhyen(url, &["import", "facts", &good, "--year", "2024"]));
    assert!(
        out.contains("Đã nhập 0 giá trị thay đổi trong 0 biểu mẫu"),
        "{out}"
    );
    assert_eq!(stored(url), after, "no form and no audit entry written");
}

#[test]
fn import_facts_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("f.sqlite").display());
    scenario(&url);
}

#[test]
fn import_facts_on_postgres() {
    on_scratch_postgres("binhyen_import_facts_cli", scenario);
}
