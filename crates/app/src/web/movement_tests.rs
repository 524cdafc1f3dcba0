//! The movement pages on both databases, on the fixture map with the service tests' figures
//! (`service::movement::tests::seed`): the page in Vietnamese (and English on the switch), the
//! workbook (title row, Vietnamese headings, totals row; opens in LibreOffice), the API JSON,
//! the dashboard card, a bad scope and an outsider refused.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use binhyen_core::standard::Registry;
use binhyen_report::xlsx::{Limits, RawValue, read_xlsx};
use binhyen_store::db_test;
use chrono::{TimeZone, Utc};
use tower::ServiceExt;

use super::super::{AppState, router};
use crate::clock::Clock;
use crate::service::fixture;

const PASSWORD: &str = "mật khẩu thử nghiệm";

struct Got {
    status: StatusCode,
    kind: String,
    body: Vec<u8>,
}

impl Got {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn get(state: &AppState, uri: &str, session: &str, lang: &str) -> Got {
    let req = Request::get(uri)
        .header(
            header::COOKIE,
            format!("binhyen_session={session}; lang={lang}"),
        )
        .body(Body::empty())
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = to_bytes(resp.into_body(), 50_000_000)
        .await
        .unwrap()
        .to_vec();
    Got { status, kind, body }
}

/// A viewer of `unit` (a code), signed in: the session token.
async fn viewer(state: &AppState, login: &str, unit: &str) -> String {
    let ctx = state.ctx();
    fixture::account(&ctx, login, PASSWORD, "viewer", unit).await;
    crate::service::sessions::login(
        &ctx,
        login,
        PASSWORD.into(),
        &binhyen_store::auth::Client::default(),
    )
    .await
    .unwrap()
}

async fn state(store: &binhyen_store::Store) -> AppState {
    crate::service::movement::tests::seed(store).await;
    let (clock, _hand) = Clock::manual(Utc.with_ymd_and_hms(2025, 3, 1, 2, 0, 0).unwrap());
    AppState {
        clock,
        ..AppState::new(store.clone(), Registry::with_builtin(&[]).unwrap())
            .with_map(fixture::atlas())
    }
}

db_test!(
    the_page_the_workbook_and_the_api_show_the_statistics,
    |store| {
        let state = state(&store).await;
        let me = viewer(&state, "xem.travinh", "84").await;

        // The page, in Vietnamese: districts, numbers 1.234, the share, an incomplete total.
        let page = get(&state, "/movement?scope=84&year=2024", &me, "vi").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        for want in [
            "Thống kê phong trào toàn dân bảo vệ an ninh Tổ quốc — Tỉnh Trà Vinh — năm 2024",
            "Huyện Càng Long",
            "Huyện Cầu Kè",
            "1.595",
            "98,75\u{a0}%",
            "cộng từ các đơn vị trực thuộc",
            "thiếu số liệu của 1/2 đơn vị (đã có 400)",
            "31/12/2024",
            "/movement/export.xlsx?scope=84&#38;year=2024",
        ] {
            assert!(
                html.contains(want),
                "«{want}» missing from the page: {html}"
            );
        }
        let en = get(&state, "/movement?scope=84&year=2024", &me, "en").await;
        assert!(en.text().contains("All-People movement statistics"));

        // A bad scope or year: 422 naming what was typed; nothing else shown.
        let bad = get(&state, "/movement?scope=99999&year=2024", &me, "vi").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("«99999»"), "{}", bad.text());
        let bad = get(&state, "/movement?scope=84&year=hai", &me, "vi").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The workbook: title row, Vietnamese headings, one row per district, the totals row.
        let xlsx = get(
            &state,
            "/movement/export.xlsx?scope=84&year=2024",
            &me,
            "en",
        )
        .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.kind.contains("spreadsheetml"), "{}", xlsx.kind);
        let sheets = read_xlsx(&xlsx.body, &Limits::default()).unwrap();
        assert_eq!(sheets[0].name.as_deref(), Some("Thống kê phong trào"));
        let rows = &sheets[0].rows;
        let cell = |r: usize, c: usize| match rows[r].cells.get(c) {
            Some(RawValue::Text(t)) => t.clone(),
            Some(RawValue::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        assert_eq!(
            cell(0, 0),
            "Thống kê phong trào toàn dân bảo vệ an ninh Tổ quốc — Tỉnh Trà Vinh — năm 2024"
        );
        assert_eq!(
            [cell(1, 0), cell(1, 1), cell(1, 2), cell(1, 3)],
            ["STT", "Mã đơn vị", "Đơn vị", "Số ban chỉ đạo ANTT"]
        );
        assert_eq!(rows.len(), 5, "title, headings, two districts, totals");
        assert_eq!([cell(2, 1), cell(2, 2)], ["842", "Huyện Càng Long"]);
        assert_eq!(cell(2, 4), "19", "steering committee members of Càng Long");
        assert_eq!(
            cell(2, 11),
            "98,75\u{a0}%",
            "the share after the households"
        );
        assert_eq!(cell(4, 2), "Tổng cộng");
        assert_eq!(cell(4, 4), "40");
        assert!(
            cell(4, 10).contains("thiếu số liệu của 1/2 đơn vị"),
            "{}",
            cell(4, 10)
        );
        // LibreOffice opens it.
        let csv = crate::web::doc_checks::soffice_csv(&xlsx.body);
        assert!(csv.contains("Tỉnh Trà Vinh — năm 2024"), "{csv}");
        assert!(csv.contains("1,842,Huyện Càng Long,1,19,"), "{csv}");
        assert!(csv.contains(",Tổng cộng,2,40,"), "{csv}");

        // The API.
        let api = get(&state, "/api/v1/movement?scope=84&year=2024", &me, "vi").await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text());
        let json: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
        assert_eq!(json["scope_name"], "Tỉnh Trà Vinh");
        assert_eq!(json["map_date"], "31/12/2024");
        let cang_long = &json["rows"][0];
        assert_eq!(cang_long["code"], "842");
        assert_eq!(cang_long["figures"]["steering_committee_members"], 19);
        assert_eq!(cang_long["figures"]["cameras"], 30);
        assert_eq!(cang_long["basis"]["protection_teams"], "sub_units");
        assert_eq!(cang_long["share"], "98,75\u{a0}%");
        assert!(json["rows"][1]["figures"]["households_resident"].is_null());
        let resident = &json["totals"]["households_resident"];
        assert!(resident["value"].is_null());
        assert_eq!(
            (resident["known"].as_i64(), resident["missing"].as_i64()),
            (Some(400), Some(1))
        );
        assert_eq!(json["totals"]["steering_committee_members"]["value"], 40);
        assert!(json["share"].is_null());

        // The dashboard's card, for the user's own unit.
        let dash = get(&state, "/dashboard?year=2024", &me, "vi").await;
        assert_eq!(dash.status, StatusCode::OK);
        let html = dash.text();
        assert!(
            html.contains("2 ban chỉ đạo ANTT với 40 thành viên"),
            "{html}"
        );
        assert!(
            html.contains("10 tổ bảo vệ ANTT với 30 thành viên"),
            "{html}"
        );
        assert!(html.contains("/movement?scope=84&#38;year=2024"), "{html}");

        let (_, doc) = {
            let d = get(&state, "/api/openapi.json", &me, "vi").await;
            (d.status, d.text())
        };
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert!(doc["paths"]["/api/v1/movement"]["get"].is_object());
    }
);

db_test!(an_outsider_gets_no_movement_figures, |store| {
    let state = state(&store).await;
    let outsider = viewer(&state, "xem.vinhlong", "86").await;
    for uri in [
        "/movement?scope=84&year=2024",
        "/movement/export.xlsx?scope=84&year=2024",
        "/api/v1/movement?scope=84&year=2024",
    ] {
        let got = get(&state, uri, &outsider, "vi").await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(!got.text().contains("Huyện Càng Long"), "{uri}");
    }
    // Its own province: allowed (nothing entered there: every figure missing).
    let own = get(
        &state,
        "/api/v1/movement?scope=86&year=2024",
        &outsider,
        "vi",
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&own.body).unwrap();
    assert!(
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["figures"]["steering_committees"].is_null())
    );
});
