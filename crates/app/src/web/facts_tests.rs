//! Router tests of the facts pages and API on both databases: the JSON API (read, write with
//! version, conflicts, refusals in Vietnamese, scope, OpenAPI) and the form page in English.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use binhyen_core::authz::{Grant, Role, Scope};
use binhyen_store::db_test;
use chrono::{TimeZone, Utc};
use serde_json::{Value as JV, json};
use tower::ServiceExt;

use super::{AppState, router};
use crate::clock::Clock;
use crate::service::facts::tests::{COMMUNE, OTHER, atlas};
use crate::service::users::{self, GrantSpec, NewAccount};
use crate::service::{Actor, sessions};

/// The router over `store` with the small test province, and a commune officer's token.
async fn app(store: &binhyen_store::Store) -> (axum::Router, String) {
    let units = atlas();
    let (clock, _) = Clock::manual(Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap());
    let state = AppState {
        clock,
        ..AppState::new(
            store.clone(),
            binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
        )
        .with_map(units)
    };
    let ctx = state.ctx();
    let (account, _) = users::create(
        &ctx,
        &Actor::console(),
        NewAccount {
            login: "ca.longduc".into(),
            display_name: "Trần Văn Ân".into(),
            password: Some("mật khẩu thử nghiệm".into()),
            grant: GrantSpec {
                role: "commune_police".into(),
                unit: "29001".into(),
                view: None,
            },
        },
    )
    .await
    .unwrap();
    let me = Actor {
        id: Some(account.user.id),
        login: "ca.longduc".into(),
        display_name: "Trần Văn Ân".into(),
        grants: vec![Grant::new(Role::CommunePolice, Scope::Unit(COMMUNE))],
    };
    let (_, raw) = sessions::create_api_token(&ctx, &me, "thống kê")
        .await
        .unwrap();
    (router(state), raw)
}

/// A signed-in officer's session cookie on the router of [`app`]'s state.
async fn session(store: &binhyen_store::Store, r: &axum::Router) -> String {
    let _ = r;
    let units = atlas();
    let ctx = crate::service::Ctx {
        store,
        units: &units,
        now: Utc.with_ymd_and_hms(2025, 3, 1, 3, 0, 0).unwrap(),
    };
    sessions::login(
        &ctx,
        "ca.longduc",
        "mật khẩu thử nghiệm".into(),
        &binhyen_store::auth::Client {
            ip: None,
            user_agent: None,
        },
    )
    .await
    .unwrap()
}

async fn call(
    r: &axum::Router,
    token: &str,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let resp = r.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn json_of(body: &str) -> JV {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

db_test!(the_facts_api_reads_writes_and_refuses_clearly, |store| {
    let (r, token) = app(&store).await;
    let form = format!("/api/v1/units/{COMMUNE}/facts/2024/traffic_fire");
    // Read: every form of the commune, nothing saved yet.
    let (status, body) = call(
        &r,
        &token,
        "GET",
        &format!("/api/v1/units/{COMMUNE}/facts/2024"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read = json_of(&body);
    assert_eq!(read["code"], "29001");
    let traffic = read["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["form"] == "traffic_fire")
        .cloned()
        .unwrap();
    assert_eq!(
        (traffic["version"].clone(), traffic["status"].clone()),
        (json!(0), JV::Null)
    );
    // Write with the version read.
    let (status, body) = call(
        &r,
        &token,
        "PUT",
        &form,
        r#"{"facts": {"traffic_accidents": 3}, "version": 0}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved = json_of(&body);
    assert_eq!(
        (
            saved["version"].clone(),
            saved["facts"]["traffic_accidents"].clone()
        ),
        (json!(1), json!(3))
    );
    assert_eq!(saved["updated_by"], "Trần Văn Ân");
    // The same stale version again: refused, with the other change and the current form.
    let (status, body) = call(
        &r,
        &token,
        "PUT",
        &form,
        r#"{"facts": {"traffic_accidents": 5}, "version": 0}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let conflict = json_of(&body);
    let error = conflict["error"].as_str().unwrap();
    assert!(
        error.contains("Trần Văn Ân")
            && error.contains("phiên bản 1")
            && error.contains("traffic_accidents: — → 3"),
        "{error}"
    );
    assert_eq!(conflict["current"]["version"], 1);
    assert_eq!(conflict["current"]["facts"]["traffic_accidents"], 3);
    // Text in a number field: 422 naming the field, in Vietnamese.
    let (status, body) = call(
        &r,
        &token,
        "PUT",
        &form,
        r#"{"facts": {"traffic_accidents": "ba"}, "version": 1}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let invalid = json_of(&body);
    assert_eq!(invalid["fields"][0]["field"], "traffic_accidents");
    assert!(
        invalid["error"]
            .as_str()
            .unwrap()
            .contains("«traffic_accidents»"),
        "{body}"
    );
    assert!(
        invalid["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("số"),
        "{body}"
    );
    // Not JSON, or not the expected shape: 400 with the line and column, in Vietnamese.
    for bad in [
        "{\"facts\": {\"traffic_accidents\": 3},\n \"version\": x}",
        r#"{"facts": [], "version": 1}"#,
    ] {
        let (status, body) = call(&r, &token, "PUT", &form, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let e = json_of(&body)["error"].as_str().unwrap().to_owned();
        assert!(
            e.starts_with("Nội dung yêu cầu không đúng dạng JSON (dòng"),
            "{e}"
        );
    }
    let (_, body) = call(
        &r,
        &token,
        "PUT",
        &form,
        "{\"facts\": {},\n \"version\": x}",
    )
    .await;
    assert!(body.contains("dòng 2, cột"), "{body}");
    // Outside the officer's commune: refused, and nothing about the unit is shown.
    for (method, uri, body) in [
        ("GET", format!("/api/v1/units/{OTHER}/facts/2024"), ""),
        (
            "PUT",
            format!("/api/v1/units/{OTHER}/facts/2024/traffic_fire"),
            r#"{"facts": {"traffic_accidents": 1}, "version": 0}"#,
        ),
        (
            "GET",
            format!("/api/v1/units/{OTHER}/facts/2024/history"),
            "",
        ),
    ] {
        let (status, text) = call(&r, &token, method, &uri, body).await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{uri}: {status}"
        );
        assert!(
            !text.contains("Phường 1") && !text.contains("29002"),
            "{text}"
        );
    }
    // Nothing of the refused writes was stored; the history has the one change and its author.
    let (status, body) = call(
        &r,
        &token,
        "GET",
        &format!("/api/v1/units/{COMMUNE}/facts/2024/history"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines = json_of(&body);
    assert_eq!(lines.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(
        (
            lines[0]["field"].clone(),
            lines[0]["new"].clone(),
            lines[0]["actor"].clone()
        ),
        (json!("traffic_accidents"), json!("3"), json!("Trần Văn Ân"))
    );
    assert!(
        binhyen_store::facts::history(&store, OTHER, 2024)
            .await
            .unwrap()
            .is_empty()
    );
    // The three endpoints are in the OpenAPI document.
    let (_, doc) = call(&r, &token, "GET", "/api/openapi.json", "").await;
    let doc = json_of(&doc);
    assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}/{form}"]["put"].is_object());
    assert!(doc["paths"]["/api/v1/units/{id}/facts/{year}/history"]["get"].is_object());
});

db_test!(
    the_facts_form_in_english_has_no_vietnamese_only_label,
    |store| {
        let (r, _) = app(&store).await;
        let raw = session(&store, &r).await;
        let page = |lang: &'static str| {
            let r = r.clone();
            let raw = raw.clone();
            async move {
                let req = Request::get(format!("/units/{COMMUNE}/facts/2024?form=traffic_fire"))
                    .header(
                        header::COOKIE,
                        format!("binhyen_session={raw}; lang={lang}"),
                    )
                    .body(Body::empty())
                    .unwrap();
                let resp = r.oneshot(req).await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
                let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        let (vi, en) = (page("vi").await, page("en").await);
        // (Vietnamese label, English label) of fields, buttons, the preview and the page's parts.
        let pairs = [
            ("Số vụ tai nạn giao thông", "Traffic accidents"),
            ("Số người chết do tai nạn giao thông", "Traffic deaths"),
            (
                "Số người bị thương do tai nạn giao thông",
                "Traffic injuries",
            ),
            ("Số vụ cháy, nổ", "Fires and explosions"),
            ("Kết quả đánh giá dự kiến", "Verdict preview"),
            ("Lưu nháp", "Save draft"),
            ("Lịch sử số liệu", "Value history"),
            ("chưa nhập", "not entered"),
        ];
        for (v, e) in pairs {
            assert!(vi.contains(v), "Vietnamese page lacks «{v}»");
            assert!(en.contains(e), "English page lacks “{e}”");
            assert!(!en.contains(v), "English page still shows «{v}»");
        }
        // Nothing else on the English page is in Vietnamese: no letter with a Vietnamese
        // diacritic outside names (the units', the application's, the language switch), the
        // legal terms kept with their gloss and the numbers of documents.
        let mut visible = en.clone();
        for kept in [
            "Xã Long Đức",
            "Ấp 1",
            "Bình Yên",
            "Tiếng Việt",
            "(trọng án)",
            "a–đ",
            "QĐ-TTg",
        ] {
            visible = visible.replace(kept, "");
        }
        let vietnamese: Vec<&str> = visible
            .split(['<', '>', '"', '\n'])
            .filter(|s| {
                s.chars()
                    .any(|c| "ăâđêôơưĂÂĐÊÔƠƯ".contains(c) || ('\u{1EA0}'..='\u{1EF9}').contains(&c))
            })
            .collect();
        assert!(vietnamese.is_empty(), "{vietnamese:#?}");
    }
);
