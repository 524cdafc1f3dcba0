//! `binhyen generate` and `binhyen evaluate --unit/--scope` through the real binary: a Trà Vinh
//! commune's 19.2 verdict is explained in Vietnamese with its article. SQLite, and PostgreSQL
//! when `TEST_PG_URL` is set.

mod support;

use support::{binhyen_at as binhyen, ok, on_scratch_postgres};

fn scenario(url: &str) {
    ok(&binhyen(url, &["migrate"]));
    let generated = ok(&binhyen(
        url,
        &[
            "generate",
            "--seed",
            "3",
            "--years",
            "2023-2024",
            "--provinces",
            "84",
        ],
    ));
    assert!(generated.contains("Đã sinh dữ liệu giả lập"), "{generated}");
    let explain = ok(&binhyen(
        url,
        &[
            "evaluate",
            "--unit",
            "29410",
            "--year",
            "2024",
            "--standard",
            "ntm-xa-19.2",
            "--format",
            "explain",
        ],
    ));
    assert!(
        explain.starts_with("Xã Hòa Minh (29410) — Chỉ tiêu 19.2"),
        "{explain}"
    );
    assert!(explain.contains("Hướng dẫn 04/HD-BCA-V05"), "{explain}");
    assert!(explain.contains("nhập bởi binhyen generate"), "{explain}");
    let scope = ok(&binhyen(
        url,
        &[
            "evaluate",
            "--scope",
            "84",
            "--year",
            "2024",
            "--standard",
            "antt-kdc",
            "--format",
            "json",
        ],
    ));
    let list: serde_json::Value = serde_json::from_str(&scope).unwrap();
    assert!(
        list.as_array().unwrap().len() > 500,
        "every residential area of Trà Vinh"
    );
    let unknown = binhyen(url, &["evaluate", "--unit", "00000", "--year", "2024"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Không có đơn vị mã «00000»"));
}

#[test]
fn evaluate_from_the_database_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("e.sqlite").display());
    scenario(&url);
}

#[test]
fn evaluate_from_the_database_on_postgres() {
    on_scratch_postgres("binhyen_eval_cli", scenario);
}
