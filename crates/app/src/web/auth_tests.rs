//! Router tests of sign-in, sessions, CSRF, API authentication and scoped user administration,
//! on the real router over a migrated store (SQLite and PostgreSQL), with a manual clock.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use binhyen_store::audit;
use binhyen_store::{Store, auth as store_auth, db_test};
use chrono::{Duration, TimeZone, Utc};
use tower::ServiceExt;

use super::{AppState, router};
use crate::clock::{Clock, ClockHand};
use crate::directory::fixture;
use crate::service::Ctx;

const PASSWORD: &str = "mật khẩu thử nghiệm";
const HOST: &str = "binhyen.test";

struct App {
    router: Router,
    state: AppState,
    hand: ClockHand,
}

fn app(store: &Store) -> App {
    let (clock, hand) = Clock::manual(Utc.with_ymd_and_hms(2025, 7, 1, 1, 0, 0).unwrap());
    let state = AppState {
        store: store.clone(),
        atlas: Default::default(),
        registry: Arc::new(binhyen_core::standard::RegistryHandle::new(
            binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
        )),
        units: Arc::new(fixture::directory()),
        clock,
        secure_cookies: false,
        demo: false,
    };
    App {
        router: router(state.clone()),
        state,
        hand,
    }
}

impl App {
    /// Creates a user from the console with one grant.
    async fn user(&self, login: &str, role: &str, unit: &str) -> i64 {
        let ctx = self.state.ctx();
        let actor = crate::service::fixture::account(&ctx, login, PASSWORD, role, unit).await;
        actor.id.expect("an account has an id")
    }

    fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: BTreeMap::new(),
            csrf: None,
            peer: None,
            headers: Vec::new(),
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        self.state.ctx()
    }
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A browser: keeps cookies, and the CSRF field of the last page it saw.
struct Browser<'a> {
    app: &'a App,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
    peer: Option<SocketAddr>,
    /// Extra headers for every request (Origin, Sec-Fetch-Site…).
    headers: Vec<(&'static str, String)>,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, mut b: axum::http::request::Builder, body: Body) -> Page {
        b = b.header(header::HOST, HOST);
        if !self.cookies.is_empty() {
            b = b.header(header::COOKIE, self.cookie_header());
        }
        for (k, v) in &self.headers {
            b = b.header(*k, v);
        }
        let mut req = b.body(body).unwrap();
        if let Some(p) = self.peer {
            req.extensions_mut().insert(ConnectInfo(p));
        }
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = String::from_utf8(
            to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        let page = Page {
            status,
            headers,
            body,
        };
        for c in page.set_cookies() {
            let (kv, attrs) = c.split_once(';').unwrap_or((&c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") || v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        if let Some(i) = page.body.find(r#"name="_csrf" value=""#) {
            let rest = &page.body[i + r#"name="_csrf" value=""#.len()..];
            self.csrf = Some(rest[..rest.find('"').unwrap()].to_owned());
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path), Body::empty()).await
    }

    /// Posts a form with the CSRF field of the last page.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = Vec::new();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("_csrf", &token));
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields.
    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let b =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(b, Body::from(form_encode(fields))).await
    }

    async fn login(&mut self, login: &str, password: &str) -> Page {
        self.get("/login?next=/account/sessions").await;
        self.post(
            "/login",
            &[
                ("login", login),
                ("password", password),
                ("next", "/account/sessions"),
            ],
        )
        .await
    }
}

async fn actions(store: &Store) -> Vec<String> {
    let mut all = audit::list(store, audit::Filter::latest(10_000))
        .await
        .unwrap();
    all.reverse();
    all.into_iter().map(|e| e.action).collect()
}

/// The text of the first `<p class="error" …>` of a page.
fn error_of(body: &str) -> &str {
    let i = body.find(r#"class="error""#).expect("an error paragraph");
    let rest = &body[i..];
    let start = rest.find('>').unwrap() + 1;
    &rest[start..rest.find("</p>").unwrap()]
}

db_test!(
    login_gives_one_message_for_unknown_user_and_wrong_password,
    |store| {
        let app = app(&store);
        app.user("ca.longduc", "commune_police", "29001").await;
        let (_, hash) = store_auth::credentials(&store, "ca.longduc")
            .await
            .unwrap()
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );

        let mut b = app.browser();
        let wrong = b.login("ca.longduc", "không phải mật khẩu").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let unknown = b.login("khong.co.ai", PASSWORD).await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error_of(&wrong.body),
            "Tên đăng nhập hoặc mật khẩu không đúng."
        );
        assert_eq!(error_of(&wrong.body), error_of(&unknown.body));
        assert!(!b.cookies.contains_key("binhyen_session"));

        let ok = b.login(" CA.LongDuc ", PASSWORD).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/account/sessions");
        let cookie = ok
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("binhyen_session="))
            .unwrap();
        assert!(
            cookie.ends_with("; HttpOnly; SameSite=Lax; Path=/"),
            "{cookie}"
        );
        assert_eq!(b.cookies["binhyen_session"].len(), 64);
        let page = b.get("/account/sessions").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Phiên đăng nhập của tôi"));

        assert_eq!(
            actions(&store).await,
            [
                "user.create",
                "login.failure",
                "login.failure",
                "login.success"
            ]
        );
        let failures = audit::list(&store, audit::Filter::latest(10))
            .await
            .unwrap();
        // Newest first: success, unknown login, wrong password, user.create.
        assert!(failures[1].details.contains(r#""reason":"unknown_login""#));
        assert!(failures[2].details.contains(r#""reason":"wrong_password""#));
        assert_eq!(failures[2].actor_id, None, "a failed login has no actor");
    }
);

db_test!(secure_cookies_are_marked_secure, |store| {
    let mut app = app(&store);
    app.state.secure_cookies = true;
    app.router = router(app.state.clone());
    app.user("pv05.vl", "pv05", "86").await;
    let mut b = app.browser();
    let ok = b.login("pv05.vl", PASSWORD).await;
    assert!(
        ok.set_cookies()
            .iter()
            .any(|c| c.starts_with("binhyen_session=") && c.ends_with("; Secure"))
    );
});

db_test!(signed_out_requests_redirect_or_get_401, |store| {
    let app = app(&store);
    let mut b = app.browser();
    let page = b.get("/admin/users?trang=2").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=/admin/users%3Ftrang%3D2");
    let api = b.get("/api/v1/me").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert!(
        api.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("Cần đăng nhập")
    );
    b.cookies.insert("binhyen_session".into(), "f".repeat(64));
    assert_eq!(
        b.get("/account/sessions").await.status,
        StatusCode::SEE_OTHER
    );
});

db_test!(rate_limit_triggers_and_expires, |store| {
    let app = app(&store);
    app.user("ca.longduc", "commune_police", "29001").await;
    let mut b = app.browser();
    for _ in 0..5 {
        assert_eq!(
            b.login("ca.longduc", "sai mật khẩu").await.status,
            StatusCode::UNAUTHORIZED
        );
        app.hand.advance(Duration::minutes(1));
    }
    // Now 01:05 UTC; the first failure (01:00) frees the login at 01:15 UTC = 08:15 in Vietnam.
    let refused = b.login("ca.longduc", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        error_of(&refused.body),
        "Đăng nhập sai quá nhiều lần nên tạm bị khóa. Vui lòng thử lại sau 08:15 01/07/2025 (giờ Việt Nam)."
    );
    app.hand.advance(Duration::minutes(9)); // 01:14
    assert_eq!(
        b.login("ca.longduc", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.hand.advance(Duration::minutes(1)); // 01:15: the window has passed
    assert_eq!(
        b.login("ca.longduc", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let acts = actions(&store).await;
    assert_eq!(acts.iter().filter(|a| *a == "login.throttled").count(), 2);
    assert_eq!(acts.last().unwrap(), "login.success");
});

db_test!(rate_limit_per_address_covers_every_login, |store| {
    let app = app(&store);
    app.user("ca.longduc", "commune_police", "29001").await;
    let mut b = app.browser();
    b.peer = Some("10.1.2.3:5000".parse().unwrap());
    for i in 0..20 {
        let page = b.login(&format!("doan.mo.{i}"), "sai").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(
        b.login("ca.longduc", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut other = app.browser();
    other.peer = Some("10.9.9.9:5000".parse().unwrap());
    assert_eq!(
        other.login("ca.longduc", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
});

db_test!(revoked_sessions_are_refused_immediately, |store| {
    let app = app(&store);
    app.user("ca.longduc", "commune_police", "29001").await;
    let mut laptop = app.browser();
    let mut phone = app.browser();
    laptop.login("ca.longduc", PASSWORD).await;
    phone.login("ca.longduc", PASSWORD).await;
    let page = laptop.get("/account/sessions").await;
    assert_eq!(
        page.body.matches("/revoke\"").count(),
        1,
        "the other session has a button"
    );
    assert!(page.body.contains("Phiên này"));
    let phone_session = store_auth::session_by_token_hash(
        &store,
        &crate::service::sessions::token_hash(&phone.cookies["binhyen_session"]),
    )
    .await
    .unwrap()
    .unwrap();
    let revoke = laptop
        .post(
            &format!("/account/sessions/{}/revoke", phone_session.id),
            &[],
        )
        .await;
    assert_eq!(revoke.status, StatusCode::SEE_OTHER);
    let refused = phone.get("/account/sessions").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(refused.location().starts_with("/login"));

    // Logout revokes too, and the old cookie stays refused.
    let old = laptop.cookies["binhyen_session"].clone();
    laptop.get("/account/sessions").await;
    let out = laptop.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!laptop.cookies.contains_key("binhyen_session"));
    laptop.cookies.insert("binhyen_session".into(), old);
    assert_eq!(
        laptop.get("/account/sessions").await.status,
        StatusCode::SEE_OTHER
    );

    // Sessions also end after 12 hours without use.
    let mut idle = app.browser();
    idle.login("ca.longduc", PASSWORD).await;
    app.hand.advance(Duration::hours(11));
    assert_eq!(idle.get("/account/sessions").await.status, StatusCode::OK);
    app.hand.advance(Duration::hours(11)); // used 11 h ago: still live (sliding)
    assert_eq!(idle.get("/account/sessions").await.status, StatusCode::OK);
    app.hand.advance(Duration::hours(12));
    assert_eq!(
        idle.get("/account/sessions").await.status,
        StatusCode::SEE_OTHER
    );
    let acts = actions(&store).await;
    assert!(acts.contains(&"session.revoke".to_owned()) && acts.contains(&"logout".to_owned()));
});

db_test!(csrf_refuses_missing_tokens_and_foreign_origins, |store| {
    let app = app(&store);
    app.user("ca.longduc", "commune_police", "29001").await;
    let mut b = app.browser();

    // The login form itself is protected: no pre-session cookie, no token.
    let naked = b
        .post_raw("/login", &[("login", "ca.longduc"), ("password", PASSWORD)])
        .await;
    assert_eq!(naked.status, StatusCode::FORBIDDEN);
    assert!(
        naked.body.contains("thiếu mã bảo vệ biểu mẫu"),
        "{}",
        naked.body
    );
    assert!(naked.body.contains("<html lang=\"vi\">"));

    b.login("ca.longduc", PASSWORD).await;
    b.get("/account/sessions").await;
    let no_token = b.post_raw("/account/tokens", &[("name", "báo cáo")]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(no_token.body.contains("Không được phép"));
    let token = b.csrf.clone().unwrap();
    let wrong = b
        .post_raw(
            "/account/tokens",
            &[("_csrf", &"0".repeat(64)), ("name", "x")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.body.contains("không khớp"));

    b.headers = vec![("origin", "https://ke-xau.example".into())];
    let foreign = b
        .post_raw("/account/tokens", &[("_csrf", &token), ("name", "x")])
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.body.contains("gửi từ một trang web khác"));
    b.headers = vec![("sec-fetch-site", "cross-site".into())];
    let cross = b
        .post_raw("/account/tokens", &[("_csrf", &token), ("name", "x")])
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);

    b.headers = vec![
        ("origin", format!("http://{HOST}")),
        ("sec-fetch-site", "same-origin".into()),
    ];
    let ok = b
        .post_raw("/account/tokens", &[("_csrf", &token), ("name", "báo cáo")])
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);

    // Multipart forms carry the token as their first field.
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--{boundary}--\r\n"
    );
    let mp = |body: String| {
        (
            Request::post("/account/tokens").header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            ),
            Body::from(body),
        )
    };
    let (req, body_ok) = mp(body.clone());
    let passed = b.send(req, body_ok).await;
    assert_ne!(
        passed.status,
        StatusCode::FORBIDDEN,
        "token accepted, the handler answers"
    );
    let (req, body_bad) = mp(body.replace(&token, &"1".repeat(64)));
    assert_eq!(b.send(req, body_bad).await.status, StatusCode::FORBIDDEN);

    // A JSON API call with the session cookie needs the header.
    b.headers = vec![];
    let api = b
        .send(
            Request::post("/api/v1/me").header(header::CONTENT_TYPE, "application/json"),
            Body::from("{}"),
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.json()["error"].as_str().unwrap().contains("mã bảo vệ"));
});

db_test!(api_authenticates_with_cookie_or_personal_token, |store| {
    let app = app(&store);
    app.user("ca.longduc", "commune_police", "29001").await;
    let mut b = app.browser();
    b.login("ca.longduc", PASSWORD).await;
    let me = b.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let j = me.json();
    assert_eq!(j["login"], "ca.longduc");
    assert_eq!(j["grants"][0]["role"], "commune_police");
    assert_eq!(j["grants"][0]["unit_code"], "29001");
    assert_eq!(j["grants"][0]["unit_id"], fixture::LONG_DUC);

    b.get("/account/sessions").await;
    let created = b
        .post("/account/tokens", &[("name", "Phần mềm thống kê")])
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let start = created.body.find("byt_").expect("token shown once");
    let raw = created.body[start..start + 4 + 64].to_owned();
    assert!(created.body.contains("Phần mềm thống kê"));
    assert!(
        !b.get("/account/sessions").await.body.contains(&raw),
        "shown only once"
    );

    let mut script = app.browser();
    script.headers = vec![("authorization", format!("Bearer {raw}"))];
    let me = script.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["login"], "ca.longduc");
    // Bearer tokens open the API only, not the pages.
    assert_eq!(
        script.get("/account/sessions").await.status,
        StatusCode::SEE_OTHER
    );

    let tokens = store_auth::live_api_tokens_of(&store, me.json()["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].last_used_at.is_some());
    b.get("/account/sessions").await;
    let revoked = b
        .post(&format!("/account/tokens/{}/revoke", tokens[0].id), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        script.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    let doc = app.browser().get("/api/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    let ui = app.browser().get("/api/docs/").await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(
        ui.body.contains("swagger"),
        "{}",
        &ui.body[..ui.body.len().min(200)]
    );
    let acts = actions(&store).await;
    assert!(acts.contains(&"api_token.create".to_owned()));
    assert!(acts.contains(&"api_token.revoke".to_owned()));
});

db_test!(
    province_admin_sees_and_changes_only_their_province,
    |store| {
        let app = app(&store);
        let admin86 = app.user("qt.vinhlong", "admin", "86").await;
        app.user("qt.cantho", "admin", "92").await;
        let longduc = app.user("ca.longduc", "commune_police", "29001").await;
        let ninhkieu = app.user("ca.ninhkieu", "commune_police", "31001").await;
        app.user("v05.xem", "viewer", "VN").await;

        let mut b = app.browser();
        b.login("qt.vinhlong", PASSWORD).await;
        let list = b.get("/admin/users").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("ca.longduc"));
        assert!(list.body.contains("Công an xã — Xã Long Đức (29001)"));
        for outside in ["ca.ninhkieu", "qt.cantho", "v05.xem"] {
            assert!(!list.body.contains(outside), "{outside} must not be listed");
        }

        // Users outside the province do not exist for this administrator.
        assert_eq!(
            b.get(&format!("/admin/users/{ninhkieu}")).await.status,
            StatusCode::NOT_FOUND
        );
        b.get(&format!("/admin/users/{longduc}")).await;
        let poke = b
            .post(
                &format!("/admin/users/{ninhkieu}/grants"),
                &[("role", "viewer"), ("unit", "86")],
            )
            .await;
        assert_eq!(poke.status, StatusCode::NOT_FOUND);
        let poke = b
            .post(
                &format!("/admin/users/{ninhkieu}/active"),
                &[("active", "false")],
            )
            .await;
        assert_eq!(poke.status, StatusCode::NOT_FOUND);

        // Creating: inside the province yes, outside no.
        b.get("/admin/users/new").await;
        let outside = b
            .post(
                "/admin/users",
                &[
                    ("login", "ca.khac"),
                    ("display_name", "Trần Văn Khác"),
                    ("role", "commune_police"),
                    ("unit", "31001"),
                ],
            )
            .await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN);
        assert_eq!(
            error_of(&outside.body),
            "Đơn vị này nằm ngoài địa bàn bạn được phân quyền."
        );
        assert!(
            outside.body.contains("value=\"Trần Văn Khác\""),
            "the form keeps what was typed"
        );
        let bad_level = b
            .post(
                "/admin/users",
                &[
                    ("login", "ca.ap1"),
                    ("display_name", "Lê Thị Ấp"),
                    ("role", "commune_police"),
                    ("unit", "2900101"),
                ],
            )
            .await;
        assert_eq!(bad_level.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error_of(&bad_level.body)
                .starts_with("Mã đơn vị: vai trò này không gán được cho đơn vị «2900101»")
        );
        let created = b
            .post(
                "/admin/users",
                &[
                    ("login", "truong.ap1"),
                    ("display_name", "Lê Thị Ấp"),
                    ("role", "area_head"),
                    ("unit", "2900101"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert!(created.body.contains("Mật khẩu được tạo"));
        assert!(
            created
                .body
                .contains("Trưởng thôn, tổ dân phố — Ấp 1 (2900101)")
        );

        // Grants: inside yes; a view scope beyond the province no.
        let wider = b
            .post(
                &format!("/admin/users/{longduc}/grants"),
                &[("role", "viewer"), ("unit", "29001"), ("view", "86")],
            )
            .await;
        assert_eq!(wider.status, StatusCode::SEE_OTHER);
        let page = b.get(&format!("/admin/users/{longduc}")).await;
        assert!(
            page.body
                .contains("Người xem — Xã Long Đức (29001) (xem: Tỉnh Vĩnh Long (86))")
        );
        let country = b
            .post(
                &format!("/admin/users/{longduc}/grants"),
                &[("role", "viewer"), ("unit", "29001"), ("view", "VN")],
            )
            .await;
        assert_eq!(country.status, StatusCode::FORBIDDEN);
        // After that grant, Long Đức still lies inside Vĩnh Long.
        let grants = store_auth::grants_of(&store, longduc).await.unwrap();
        assert_eq!(grants.len(), 2);
        b.get(&format!("/admin/users/{longduc}")).await;
        let removed = b
            .post(
                &format!("/admin/users/{longduc}/grants/{}/remove", grants[1].id),
                &[],
            )
            .await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        b.get(&format!("/admin/users/{longduc}")).await;
        let last = b
            .post(
                &format!("/admin/users/{longduc}/grants/{}/remove", grants[0].id),
                &[],
            )
            .await;
        assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Not on oneself.
        b.get(&format!("/admin/users/{admin86}")).await;
        let me = b
            .post(
                &format!("/admin/users/{admin86}/active"),
                &[("active", "false")],
            )
            .await;
        assert_eq!(me.status, StatusCode::FORBIDDEN);
        assert!(error_of(&me.body).contains("không tự thay đổi"));

        // Deactivating signs the user out and keeps them out.
        let mut officer = app.browser();
        assert_eq!(
            officer.login("ca.longduc", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        b.get(&format!("/admin/users/{longduc}")).await;
        let off = b
            .post(
                &format!("/admin/users/{longduc}/active"),
                &[("active", "false")],
            )
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        assert_eq!(
            officer.get("/account/sessions").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            officer.login("ca.longduc", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );

        // A commune officer is no administrator.
        let mut other = app.browser();
        other.login("ca.ninhkieu", PASSWORD).await;
        assert_eq!(
            other.get("/admin/users").await.status,
            StatusCode::FORBIDDEN
        );

        let acts = actions(&store).await;
        for a in [
            "user.create",
            "grant.add",
            "grant.remove",
            "user.deactivate",
            "login.success",
        ] {
            assert!(acts.contains(&a.to_owned()), "{a} audited");
        }
        let v = audit::verify(&store).await.unwrap();
        assert!(v.intact(), "{v:?}");
    }
);

db_test!(admin_signs_a_user_out_everywhere, |store| {
    let app = app(&store);
    app.user("qt.vinhlong", "admin", "86").await;
    let longduc = app.user("ca.longduc", "commune_police", "29001").await;
    let mut officer = app.browser();
    officer.login("ca.longduc", PASSWORD).await;
    let mut admin = app.browser();
    admin.login("qt.vinhlong", PASSWORD).await;
    admin.get(&format!("/admin/users/{longduc}")).await;
    let r = admin
        .post(&format!("/admin/users/{longduc}/revoke-sessions"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        officer.get("/account/sessions").await.status,
        StatusCode::SEE_OTHER
    );
    let last = audit::list(&store, audit::Filter::latest(1)).await.unwrap();
    assert_eq!(last[0].action, "session.revoke_all");
    assert_eq!(last[0].unit_id, Some(fixture::LONG_DUC));
    assert_eq!(last[0].details, r#"{"sessions_revoked":1}"#);
    assert!(app.ctx().now > Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
});
