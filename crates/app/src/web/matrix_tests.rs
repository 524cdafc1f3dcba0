//! The authorization matrix (issue 4, "Security"): ONE table of every route of the router (web
//! and API) × every role × inside / outside its territory, with the expected status, on both
//! databases. The ids in the URLs are Xã An Trường's (its dossier, its decision, its facts):
//! an officer outside the territory never gets its data (the body never names the commune).
//! Requests that would change something are sent so that, once authorised, they are refused
//! for what they ask (a return without reason, a decision on a dossier not proposed…): the
//! table stays independent of its order. A test also fails when the router has a route that
//! is not in the table (routes read from the `web` sources and the OpenAPI document).
//!
//! Roles, in column order: commune_police, area_head, district_police, pv05,
//! steering_secretary, decider, viewer, admin. Inside: Xã An Trường / Ấp Chợ / Huyện Càng Long /
//! Tỉnh Trà Vinh; outside: Xã Long Đức / Ấp 1 / Huyện Cầu Kè / Tỉnh Vĩnh Long. (The ids are the
//! commune's, so the area head of Ấp Chợ — below the commune — is refused the commune's data,
//! and the commune and district police are refused the province's lists.)
//! `MATRIX_PRINT=1` prints the statuses observed, row by row.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::{Body, to_bytes};
use axum::http::{Request, header};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::workflow::Action;
use binhyen_store::db_test;
use tower::ServiceExt;

use super::{AppState, router};
use crate::service::fixture::{self, AN_TRUONG};
use crate::service::workflow::{self as wf, Law};
use crate::service::{Actor, facts};

const PASSWORD: &str = "mật khẩu thử nghiệm";
const ROLES: [&str; 8] = [
    "commune_police",
    "area_head",
    "district_police",
    "pv05",
    "steering_secretary",
    "decider",
    "viewer",
    "admin",
];
const INSIDE: [&str; 8] = ["84201", "8420101", "842", "84", "84", "84", "84", "84"];
const OUTSIDE: [&str; 8] = ["29001", "2900101", "843", "86", "86", "86", "86", "86"];

/// One row: method, path (`{dossier}`, `{decision}`, `{unit}` are filled in), body, the status
/// for each role inside its territory, and outside it.
struct Case {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    inside: [u16; 8],
    outside: [u16; 8],
}

const fn all(s: u16) -> [u16; 8] {
    [s; 8]
}

/// THE table. 303 = redirect after a form; 422 = authorised but refused for what was asked.
#[rustfmt::skip]
const TABLE: &[Case] = &[
    // Public.
    Case { method: "GET", path: "/", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/healthz", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/lang/{code}", body: "", inside: all(303), outside: all(303) },
    Case { method: "GET", path: "/login", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/static/app.css", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/static/app.js", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/api/openapi.json", body: "", inside: all(200), outside: all(200) },
    // Own account.
    Case { method: "GET", path: "/account/sessions", body: "", inside: all(200), outside: all(200) },
    Case { method: "POST", path: "/account/sessions/{id}/revoke", body: "", inside: all(404), outside: all(404) },
    Case { method: "POST", path: "/account/tokens", body: "name=", inside: all(422), outside: all(422) },
    Case { method: "POST", path: "/account/tokens/{id}/revoke", body: "", inside: all(404), outside: all(404) },
    Case { method: "GET", path: "/api/v1/me", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/api/v1/notifications", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/notifications", body: "", inside: all(200), outside: all(200) },
    // Users (administrators only).
    Case { method: "GET", path: "/admin/users", body: "", inside: [403, 403, 403, 403, 403, 403, 403, 200], outside: [403, 403, 403, 403, 403, 403, 403, 200] },
    Case { method: "GET", path: "/admin/users/new", body: "", inside: [403, 403, 403, 403, 403, 403, 403, 200], outside: [403, 403, 403, 403, 403, 403, 403, 200] },
    Case { method: "POST", path: "/admin/users", body: "login=", inside: [403, 403, 403, 403, 403, 403, 403, 422], outside: [403, 403, 403, 403, 403, 403, 403, 422] },
    Case { method: "GET", path: "/admin/users/{user}", body: "", inside: [403, 403, 403, 403, 403, 403, 403, 200], outside: [403, 403, 403, 403, 403, 403, 403, 404] },
    Case { method: "POST", path: "/admin/users/{user}/active", body: "", inside: all(422), outside: all(422) },
    Case { method: "POST", path: "/admin/users/{user}/grants", body: "", inside: all(422), outside: all(422) },
    Case { method: "POST", path: "/admin/users/{user}/revoke-sessions", body: "", inside: [403, 403, 403, 403, 403, 403, 403, 303], outside: [403, 403, 403, 403, 403, 403, 403, 404] },
    Case { method: "POST", path: "/admin/users/{user}/grants/{id}/remove", body: "", inside: [403, 403, 403, 403, 403, 403, 403, 404], outside: [403, 403, 403, 403, 403, 403, 403, 404] },
    Case { method: "POST", path: "/login", body: "", inside: all(422), outside: all(422) },
    // The map.
    Case { method: "GET", path: "/units", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/units/{unit}", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/units/{area}", body: "", inside: all(200), outside: all(404) },
    Case { method: "GET", path: "/units/{unit}/audit", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    // Facts.
    Case { method: "GET", path: "/facts", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/facts/template.xlsx", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/facts/import", body: "", inside: all(200), outside: all(200) },
    Case { method: "POST", path: "/facts/import", body: "", inside: all(400), outside: all(400) },
    Case { method: "POST", path: "/facts/lock", body: "", inside: all(422), outside: all(422) },
    Case { method: "GET", path: "/units/{unit}/facts/{year}", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "POST", path: "/units/{unit}/facts/{year}", body: "", inside: [422, 403, 403, 403, 403, 403, 403, 403], outside: all(403) },
    Case { method: "GET", path: "/units/{unit}/facts/{year}/history", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "POST", path: "/units/{unit}/facts/{year}/documents", body: "", inside: all(400), outside: all(400) },
    Case { method: "GET", path: "/documents/{id}", body: "", inside: all(404), outside: all(404) },
    Case { method: "GET", path: "/api/v1/units/{unit}/facts/{year}", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "PUT", path: "/api/v1/units/{unit}/facts/{year}/{form}", body: r#"{"facts":{"khong_co":1},"version":0}"#, inside: [422, 403, 403, 403, 403, 403, 403, 403], outside: all(403) },
    Case { method: "GET", path: "/api/v1/units/{unit}/facts/{year}/history", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "POST", path: "/units/{unit}/facts/{year}/preview", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/facts/import/{id}", body: "", inside: all(404), outside: all(404) },
    // Plans, dashboard, map (a plan id that does not exist: 404 for everybody).
    Case { method: "GET", path: "/dashboard", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/plans", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/plans/{id}", body: "", inside: all(404), outside: all(404) },
    Case { method: "GET", path: "/api/v1/plans", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/api/v1/plans/{id}/progress", body: "", inside: all(404), outside: all(404) },
    Case { method: "GET", path: "/api/v1/dashboard/crime?scope={unit}&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/api/v1/dashboard?scope={unit}&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/map", body: "", inside: all(200), outside: all(200) },
    // Documents of a scope and year (the commune's own scope; the page defaults to the user's unit).
    Case { method: "GET", path: "/reports", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/reports/yearly.xlsx?scope=84201&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/reports/yearly.pdf?scope=84201&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/plans/{id}/export.xlsx", body: "", inside: all(404), outside: all(404) },
    Case { method: "GET", path: "/units/{unit}/evaluations/{year}/pdf?standard=antt-xa", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/movement?scope=84201&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/movement/export.xlsx?scope=84201&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/api/v1/movement?scope=84201&year=2024", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    // Verdicts and standards.
    Case { method: "GET", path: "/api/v1/units/{unit}/evaluations", body: "", inside: [200, 403, 200, 200, 200, 200, 200, 200], outside: all(403) },
    Case { method: "GET", path: "/api/v1/standards", body: "", inside: all(200), outside: all(200) },
    // Review and recognition.
    Case { method: "GET", path: "/dossiers", body: "", inside: all(200), outside: all(200) },
    Case { method: "GET", path: "/dossiers/{dossier}", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/dossiers/{dossier}/audit", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/dossiers/{dossier}/act", body: "action=return&reason=", inside: [403, 404, 422, 403, 403, 403, 403, 403], outside: all(404) },
    Case { method: "GET", path: "/api/v1/dossiers/{dossier}", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/api/v1/dossiers/{dossier}/transitions", body: r#"{"action":"return","reason":""}"#, inside: [403, 404, 422, 403, 403, 403, 403, 403], outside: all(404) },
    Case { method: "GET", path: "/registrations", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/registrations", body: "unit=84201&year=2024&standard=khong-co", inside: [422, 403, 403, 403, 403, 403, 403, 403], outside: all(403) },
    Case { method: "GET", path: "/api/v1/registrations", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/api/v1/registrations", body: r#"{"unit":"84201","year":2024,"standards":["khong-co"]}"#, inside: [422, 403, 403, 403, 403, 403, 403, 403], outside: all(403) },
    Case { method: "GET", path: "/classification", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/classification/export.xlsx", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/classification/export.pdf", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/api/v1/classification", body: "", inside: [404, 404, 404, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/decisions", body: "number=1%2FQĐ&signed_on=10%2F02%2F2025&signer=A&legal_basis=B&dossiers={dossier}", inside: [403, 404, 403, 403, 403, 422, 403, 403], outside: all(404) },
    Case { method: "GET", path: "/decisions/{decision}", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/decisions/{decision}/pdf", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "GET", path: "/api/v1/decisions", body: "", inside: all(200), outside: all(200) },
    Case { method: "POST", path: "/api/v1/decisions", body: r#"{"number":"1/QĐ","signed_on":"2025-02-10","signer":"A","legal_basis":"B","dossiers":[{dossier}]}"#, inside: [403, 404, 403, 403, 403, 422, 403, 403], outside: all(404) },
    Case { method: "GET", path: "/api/v1/decisions/{decision}", body: "", inside: [200, 404, 200, 200, 200, 200, 200, 200], outside: all(404) },
    Case { method: "POST", path: "/api/v1/decisions/{decision}/revocations", body: r#"{"number":"2/QĐ","signed_on":"2025-02-10","signer":"A","legal_basis":"B","dossiers":[{dossier}]}"#, inside: [403, 404, 403, 403, 403, 422, 403, 403], outside: all(404) },
    Case { method: "POST", path: "/deadlines", body: "scope=84&year=2024&kind=registration_end&day=31%2F03%2F2025", inside: [403, 403, 403, 403, 403, 403, 403, 303], outside: all(403) },
    // Signing out (last: it ends the session).
    Case { method: "POST", path: "/logout", body: "", inside: all(303), outside: all(303) },
];

/// The routes the table must cover: every `.route("…", method(…))` of the `web` sources (read
/// from the files, so a new route cannot be forgotten), and every path of the OpenAPI document.
fn router_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".rs") || name.contains("tests") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let parts: Vec<&str> = src.split(".route(").skip(1).collect();
        for part in parts {
            let Some(start) = part.find('"') else {
                continue;
            };
            let rest = &part[start + 1..];
            let route = &rest[..rest.find('"').unwrap()];
            // The handlers: up to the end of this `.route(…)` call.
            let call = rest.split("\n        .").next().unwrap_or(rest);
            for m in ["get", "post", "put", "delete"] {
                if call.contains(&format!("{m}(")) {
                    out.insert((m.to_uppercase(), route.to_owned()));
                }
            }
        }
    }
    let (_, doc) = super::api::api_routes().split_for_parts();
    for (path, item) in &doc.paths.paths {
        for (m, op) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if op {
                out.insert((m.to_owned(), path.clone()));
            }
        }
    }
    out
}

/// Route templates compare without their parameter names (and without a query string).
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_route_of_the_router_is_in_the_table() {
    let table: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|c| (c.method.to_owned(), shape(c.path)))
        .collect();
    let missing: Vec<(String, String)> = router_routes()
        .into_iter()
        .filter(|(m, p)| !table.contains(&(m.clone(), shape(p))))
        .collect();
    assert!(missing.is_empty(), "routes missing from TABLE: {missing:?}");
}

struct Request1<'a> {
    method: &'a str,
    uri: String,
    body: String,
    session: &'a str,
}

async fn send(app: &axum::Router, r: Request1<'_>) -> (u16, String) {
    let json = r.uri.starts_with("/api/");
    let csrf = super::csrf::Csrf::for_cookie(r.session);
    let req = Request::builder()
        .method(r.method)
        .uri(&r.uri)
        .header(
            header::COOKIE,
            format!("{}={}", super::auth::SESSION_COOKIE, r.session),
        )
        .header("sec-fetch-site", "same-origin")
        .header(super::csrf::HEADER, csrf.token())
        .header(
            header::CONTENT_TYPE,
            if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            },
        )
        .body(Body::from(r.body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = to_bytes(resp.into_body(), 50_000_000).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn account(state: &AppState, login: &str, role: &str, unit: &str) -> (Actor, String) {
    let ctx = state.ctx();
    let actor = fixture::account(&ctx, login, PASSWORD, role, unit).await;
    let session = crate::service::sessions::login(
        &ctx,
        login,
        PASSWORD.into(),
        &binhyen_store::auth::Client::default(),
    )
    .await
    .unwrap();
    (actor, session)
}

db_test!(the_authorization_matrix_holds, |store| {
    // Registration for 2024 is reopened until 31/03/2025 (review in Q1 2025).
    let state = fixture::review_q1_2025(&store).await;
    let reg = state.registry.get();
    let ctx = state.ctx();
    let snapshot = state.atlas.get();
    let law = Law {
        registry: &reg,
        atlas: &snapshot,
    };
    let mut inside = vec![];
    let mut outside = vec![];
    for (i, role) in ROLES.iter().enumerate() {
        inside.push(account(&state, &format!("in_{role}"), role, INSIDE[i]).await);
        outside.push(account(&state, &format!("out_{role}"), role, OUTSIDE[i]).await);
    }
    let (xa, huyen, pv05, ct) = (&inside[0].0, &inside[2].0, &inside[3].0, &inside[5].0);
    // A recognised dossier (with its decision) and one under review at the district.
    let enter = |crimes: i64| {
        let serde_json::Value::Object(values) =
            serde_json::json!({ "crimes_social_order": crimes })
        else {
            unreachable!()
        };
        values
    };
    let recognised = wf::register(&ctx, xa, &reg, AN_TRUONG, 2024, "ntm-xa-19.2")
        .await
        .unwrap();
    let save = facts::SaveForm {
        unit: AN_TRUONG,
        year: 2024,
        group: FormGroup::CrimeSocialEvils,
        values: enter(1),
        expected_version: 0,
        submit: false,
        reason: None,
        confirm_warnings: true,
        source: "test".into(),
    };
    facts::save(&ctx, &reg, xa, &save).await.unwrap();
    let decision = fixture::recognise(
        &ctx,
        law,
        [xa, huyen, pv05, ct],
        recognised.id,
        "15/QĐ-UBND",
    )
    .await;
    let review = wf::register(&ctx, xa, &reg, AN_TRUONG, 2024, "antt-xa")
        .await
        .unwrap();
    wf::act(
        &ctx,
        xa,
        law,
        review.id,
        None,
        Action::Submit,
        BTreeMap::new(),
    )
    .await
    .unwrap();
    // A user the province's administrator manages (not one of the accounts above: revoking its
    // sessions must not sign a matrix account out).
    let managed = account(&state, "quan_ly", "viewer", "84")
        .await
        .0
        .id
        .unwrap();

    let app = router(state.clone());
    let fill = |s: &str| {
        s.replace("{dossier}", &review.id.to_string())
            .replace("{decision}", &decision.id.to_string())
            .replace("{unit}", &AN_TRUONG.to_string())
            .replace("{area}", &fixture::AP_CHO.to_string())
            .replace("{year}", "2024")
            .replace("{form}", "crime_social_evils")
            .replace("{user}", &managed.to_string())
            .replace("{code}", "en")
            .replace("{id}", "999999")
    };
    let mut wrong = vec![];
    let mut actual: Vec<String> = vec![];
    for case in TABLE {
        let mut got: Vec<Vec<u16>> = vec![vec![], vec![]];
        for (side, people, expected) in [
            ("inside", &inside, &case.inside),
            ("outside", &outside, &case.outside),
        ] {
            for (i, (_, session)) in people.iter().enumerate() {
                let uri = match case.path {
                    "/classification"
                    | "/classification/export.xlsx"
                    | "/classification/export.pdf"
                    | "/api/v1/classification"
                    | "/registrations"
                    | "/api/v1/registrations" => {
                        format!("{}?province=84&year=2024", case.path)
                    }
                    p => fill(p),
                };
                let (status, body) = send(
                    &app,
                    Request1 {
                        method: case.method,
                        uri: uri.clone(),
                        body: fill(case.body),
                        session,
                    },
                )
                .await;
                got[usize::from(side == "outside")].push(status);
                if status != expected[i] {
                    wrong.push(format!(
                        "{} {uri} as {} {side}: {status}, expected {}",
                        case.method, ROLES[i], expected[i]
                    ));
                }
                // Outside, the commune's own data never shows (the map's official names may).
                let own_data = case.path.contains("{dossier}")
                    || case.path.contains("{decision}")
                    || case.path.contains("/facts/")
                    || case.path.contains("/audit")
                    || case.path.contains("evaluations");
                if side == "outside" && own_data && body.contains("Xã An Trường") {
                    wrong.push(format!(
                        "{} {uri} as {} outside shows Xã An Trường",
                        case.method, ROLES[i]
                    ));
                }
            }
        }
        actual.push(format!(
            "{} {} inside: {:?}, outside: {:?}",
            case.method, case.path, got[0], got[1]
        ));
    }
    if std::env::var("MATRIX_PRINT").is_ok() {
        eprintln!("{}", actual.join("\n"));
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});
