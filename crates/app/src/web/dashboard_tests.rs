//! `/dashboard` and `/api/v1/dashboard` on both databases, on `service::fixture`'s map with
//! the rising crimes of `service::dashboard::tests::crimes_rise`: a commune officer gets the
//! commune view of their commune, the province reviewer the province view (Vietnamese texts,
//! numbers and shares), an outsider is refused.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use binhyen_core::standard::Registry;
use binhyen_store::auth::Client;
use binhyen_store::db_test;
use chrono::{TimeZone, Utc};
use tower::ServiceExt;

use super::{AppState, router};
use crate::clock::Clock;
use crate::service::dashboard::tests::crimes_rise;
use crate::service::{fixture, sessions};

const PASSWORD: &str = "mật khẩu thử nghiệm";

async fn get(state: &AppState, uri: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::get(uri)
        .header(header::COOKIE, format!("binhyen_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let body = to_bytes(resp.into_body(), 50_000_000).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn login(state: &AppState, who: &str) -> String {
    sessions::login(
        &state.ctx(),
        who,
        PASSWORD.into(),
        &Client {
            ip: None,
            user_agent: None,
        },
    )
    .await
    .unwrap()
}

db_test!(dashboards_by_role, |store| {
    let (clock, _) = Clock::manual(Utc.with_ymd_and_hms(2025, 1, 10, 3, 0, 0).unwrap());
    let state = AppState {
        clock,
        ..AppState::new(store.clone(), Registry::with_builtin(&[]).unwrap())
            .with_map(fixture::atlas())
    };
    let reg = state.registry.get();
    crimes_rise(&store, &state.atlas, &reg).await;
    let ctx = state.ctx();
    fixture::account(&ctx, "pv05_tra_vinh", PASSWORD, "pv05", "84").await;
    fixture::account(&ctx, "pv05_vinh_long", PASSWORD, "pv05", "86").await;

    // The commune officer: the commune view of Xã An Trường (default scope, last year = 2024).
    let officer = login(&state, "ca_an_truong").await;
    let (status, html) = get(&state, "/dashboard", &officer).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Tình trạng của đơn vị",
        "Xã An Trường",
        "chưa đạt",
        "Còn thiếu số liệu",
        "/units/84201/facts/2024?form=documents",
        "Hết thời gian tính",
        "1 → 5 (+4)",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    assert!(!html.contains("Lý do «chưa đạt» thường gặp nhất"));

    // The province reviewer: Trà Vinh's province view.
    let pv05 = login(&state, "pv05_tra_vinh").await;
    let (status, html) = get(&state, "/dashboard?year=2024", &pv05).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Tình hình theo tiêu chuẩn — Tỉnh Trà Vinh — 2024",
        "Lý do «chưa đạt» thường gặp nhất",
        "124/2021/TT-BCA",
        "<svg",
        "2 (100\u{a0}%)",
        "Mức độ đầy đủ số liệu",
        "Hết hạn đăng ký",
        "đã qua 285 ngày",
        "/dashboard?scope=842&#38;year=2024",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    // A province user may look at one commune: its commune view.
    let (status, html) = get(&state, "/dashboard?scope=84301&year=2024", &pv05).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Tình trạng của đơn vị") && html.contains("Xã Hòa Ân"));

    // The API: the same views as JSON.
    let (status, body) = get(&state, "/api/v1/dashboard?scope=84&year=2024", &pv05).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["view"], "province");
    assert_eq!(v["reasons"][0]["rule"], "5.2c");
    assert_eq!(v["reasons"][0]["units"], 2);
    let (status, body) = get(&state, "/api/v1/dashboard?year=2024", &officer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["view"], "commune");
    assert_eq!(v["unit"]["name"], "Xã An Trường");

    // Outside the territory: refused, nothing of Trà Vinh shown.
    let outsider = login(&state, "pv05_vinh_long").await;
    let (status, body) = get(&state, "/api/v1/dashboard?scope=84&year=2024", &outsider).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("Xã An Trường"));
    let (status, html) = get(&state, "/dashboard?scope=84&year=2024", &outsider).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("Xã An Trường"));
    let (status, _) = get(&state, "/dashboard?scope=999999&year=2024", &pv05).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});
