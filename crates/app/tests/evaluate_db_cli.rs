//! `binhyen generate` and `binhyen evaluate --unit/--scope` through the real binary: a Trà Vinh
//! commune's 19.2 verdict is explained in Vietnamese with its article. SQLite, and PostgreSQL
//! when `TEST_PG_URL` is set.

use binhyen_store::{DatabaseUrl, Store};

mod support;

use support::{binhyen_at as binhyen, ok};

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
    let Ok(base) = std::env::var("TEST_PG_URL") else {
        assert!(
            std::env::var("BINHYEN_REQUIRE_PG").as_deref() != Ok("1"),
            "TEST_PG_URL is required"
        );
        eprintln!("note: TEST_PG_URL not set; PostgreSQL half of this test skipped");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = DatabaseUrl::parse(&base).unwrap();
    let name = format!("binhyen_eval_cli_{}", std::process::id());
    let url = rt
        .block_on(Store::create_postgres_database(&server, &name))
        .unwrap();
    scenario(url.expose());
    rt.block_on(Store::drop_postgres_database(&server, &name))
        .unwrap();
}
