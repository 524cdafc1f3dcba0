//! The unit commands end to end, through the real binary: `binhyen import units` loads the
//! country, `units show|tree|search` answer in Vietnamese, a bad file is refused with its place
//! and changes nothing. On SQLite, and on PostgreSQL when `TEST_PG_URL` is set.

use std::path::Path;

mod support;

use support::{binhyen_at as binhyen, ok, on_scratch_postgres};

fn scenario(url: &str, dir: &Path) {
    let first = ok(&binhyen(url, &["import", "units"]));
    assert!(first.contains("Đã nhập:"), "{first}");
    let again = ok(&binhyen(url, &["import", "units"]));
    assert!(again.contains("Không có gì thay đổi"), "{again}");

    let show = ok(&binhyen(
        url,
        &["units", "show", "84", "--date", "01/06/2025"],
    ));
    assert!(show.contains("84 Tỉnh Trà Vinh"), "{show}");
    assert!(
        show.contains("7 Huyện")
            && show.contains("85 Xã")
            && show.contains("9 Phường")
            && show.contains("10 Thị trấn"),
        "{show}"
    );
    assert!(show.contains("Nghị quyết số 202/2025/QH15"), "{show}");

    let tree = ok(&binhyen(
        url,
        &["units", "tree", "86", "--date", "01/07/2025"],
    ));
    assert_eq!(tree.lines().count(), 1 + 1 + 124, "{tree}");

    let search = ok(&binhyen(url, &["units", "search", "long duc"]));
    assert!(
        search.lines().filter(|l| l.contains("Long Đức — ")).count() >= 3,
        "{search}"
    );
    assert!(search.contains("Tỉnh Trà Vinh"), "{search}");

    let template = dir.join("mau.xlsx");
    ok(&binhyen(
        url,
        &["units", "template", "--out", template.to_str().unwrap()],
    ));
    assert!(std::fs::metadata(&template).unwrap().len() > 1000);

    let bad = dir.join("kdc.csv");
    std::fs::write(&bad, "Mã,Tên,Loại,Mã đơn vị cha,Hiệu lực từ\nA1,Ấp Một,Ấp,29263,01/01/2025\nA2,Ấp Hai,Ấp,99999,01/01/2025\n").unwrap();
    let refused = binhyen(url, &["import", "units", "--file", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("kdc.csv:3:4 «Mã đơn vị cha»: Không có đơn vị mã «99999»"),
        "{err}"
    );
    assert!(err.contains("cơ sở dữ liệu không thay đổi"), "{err}");
    let search = ok(&binhyen(url, &["units", "search", "A1"]));
    assert!(!search.contains("Ấp Một"), "{search}");

    // Windows-1258 bytes: refused at the line and column of the first bad byte.
    let ansi = dir.join("ansi.csv");
    let mut bytes = "Mã,Tên\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"A1,Th\xF4n\n");
    std::fs::write(&ansi, bytes).unwrap();
    let refused = binhyen(url, &["import", "units", "--file", ansi.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("ansi.csv:2:6: Tệp không phải mã UTF-8"),
        "{err}"
    );

    let good = dir.join("kdc-good.csv");
    std::fs::write(&good, "Mã,Tên,Loại,Mã đơn vị cha,Hiệu lực từ,Hiệu lực đến (hết ngày)\nA1,Ấp Một,Ấp,29263,01/01/2025,30/06/2025\n").unwrap();
    let loaded = ok(&binhyen(
        url,
        &["import", "units", "--file", good.to_str().unwrap()],
    ));
    assert!(loaded.contains("1 đơn vị mới"), "{loaded}");
    let show = ok(&binhyen(
        url,
        &["units", "show", "A1", "--date", "01/03/2025"],
    ));
    assert!(show.contains("Xã Long Đức"), "{show}");
}

#[test]
fn unit_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.sqlite").display());
    scenario(&url, dir.path());
}

#[test]
fn unit_commands_on_postgres() {
    on_scratch_postgres("binhyen_cli", |url| {
        let dir = tempfile::tempdir().unwrap();
        scenario(url, dir.path());
    });
}
