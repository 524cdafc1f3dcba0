//! The map through time in the browser: `GET /units` (the tree on a date, expandable with
//! plain links, and search) and `GET /units/{id}` (a unit with its versions, predecessors and
//! successors). Server-rendered; works without JavaScript.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::text::{format_date, parse_date};
use binhyen_core::units::UnitId;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{AppState, Tr};
use crate::units::text;
use crate::units::views::{self, SearchRow, TreeLine, UnitPage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(index))
        .route("/units/{id}", get(show))
}

/// Loads the stored map into the state (at start and after an import by another process).
pub async fn load_atlas(state: &AppState) -> anyhow::Result<()> {
    crate::directory::reload(&state.store, &state.atlas).await
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    date: Option<String>,
    q: Option<String>,
    open: Option<String>,
    all: Option<String>,
}

/// The date of a request: the one typed, or today (with a note when it could not be read).
fn page_date(tr: &Tr, value: Option<&str>) -> (NaiveDate, Option<String>) {
    let today = chrono::Local::now().date_naive();
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => (today, None),
        Some(v) => match parse_date(v) {
            Some(d) => (d, None),
            None => (
                today,
                Some(text(
                    tr.code(),
                    "units.bad_date",
                    &[("value", v.to_owned()), ("date", format_date(today))],
                )),
            ),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "units/index.html")]
pub struct IndexPage {
    pub tr: Tr,
    pub date: String,
    pub date_note: Option<String>,
    pub q: String,
    pub all: bool,
    pub empty: bool,
    pub results: Option<Vec<SearchRow>>,
    pub more_note: Option<String>,
    pub tree_title: String,
    pub lines: Vec<TreeLine>,
    pub census: Vec<(UnitId, Vec<String>)>,
}

impl IndexPage {
    /// The link that opens or closes a line of the tree.
    pub fn toggle_href(&self, line: &TreeLine) -> String {
        let open: Vec<String> = line.toggle.iter().map(|i| i.to_string()).collect();
        let mut href = format!("/units?date={}", enc(&self.date));
        if !self.q.is_empty() {
            href.push_str(&format!("&q={}", enc(&self.q)));
        }
        if !open.is_empty() {
            href.push_str(&format!("&open={}", open.join(",")));
        }
        href.push_str(&format!("#u{}", line.unit.id));
        href
    }

    pub fn unit_href(&self, id: &UnitId) -> String {
        format!("/units/{id}?date={}", enc(&self.date))
    }

    pub fn census_of(&self, id: &UnitId) -> String {
        self.census
            .iter()
            .find(|(u, _)| u == id)
            .map(|(_, c)| c.join(", "))
            .unwrap_or_default()
    }

    pub fn indent(&self, line: &TreeLine) -> usize {
        line.depth * 2
    }
}

/// Whether `user` may see unit `id` on the map: official units (provinces, districts, communes)
/// to any signed-in user; residential areas and organisations — read from users' files — only
/// inside one of the user's view scopes.
pub fn visible(state: &AppState, user: &super::auth::CurrentUser, id: UnitId) -> bool {
    use binhyen_core::units::UnitKind;
    let local = state
        .atlas
        .get()
        .unit(id)
        .is_some_and(|u| matches!(u.kind, UnitKind::ResidentialArea | UnitKind::Organisation));
    !local
        || user.actor.grants.iter().any(|g| {
            g.view
                .contains(binhyen_core::authz::Scope::Unit(id), &*state.units)
        })
}

pub async fn index(
    tr: Tr,
    State(state): State<AppState>,
    user: super::auth::CurrentUser,
    Query(q): Query<IndexQuery>,
) -> IndexPage {
    let lang = tr.code();
    let atlas = state.atlas.get();
    let (date, date_note) = page_date(&tr, q.date.as_deref());
    let query = q.q.unwrap_or_default().trim().to_owned();
    let all = q.all.is_some_and(|v| !v.is_empty());
    let open: BTreeSet<UnitId> = q
        .open
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|id| atlas.unit(*id).is_some())
        .take(50)
        .collect();
    const LIMIT: usize = 200;
    let (results, more_note) = if query.is_empty() {
        (None, None)
    } else {
        let (mut rows, total) =
            views::search_rows(lang, &atlas, &query, (!all).then_some(date), LIMIT);
        rows.retain(|r| visible(&state, &user, r.unit.id));
        let note = (total > rows.len()).then(|| {
            text(
                lang,
                "units.more_results",
                &[
                    ("shown", rows.len().to_string()),
                    ("count", total.to_string()),
                ],
            )
        });
        (Some(rows), note)
    };
    let mut lines = views::tree_lines(&atlas, None, date, &open, 4);
    lines.retain(|l| visible(&state, &user, l.unit.id));
    let census = lines
        .iter()
        .filter(|l| l.depth == 0 || l.open)
        .map(|l| (l.unit.id, views::census_text(&atlas, l.unit.id, date)))
        .collect();
    IndexPage {
        tree_title: text(lang, "units.tree", &[("date", format_date(date))]),
        date: format_date(date),
        date_note,
        q: query,
        all,
        empty: atlas.is_empty(),
        results,
        more_note,
        lines,
        census,
        tr,
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    date: Option<String>,
    /// The year of the verdicts section.
    year: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "units/show.html")]
pub struct ShowPage {
    pub tr: Tr,
    pub page: UnitPage,
    pub date_note: Option<String>,
    pub unit_id: UnitId,
    /// The unit's verdicts (`web::evaluation`).
    pub verdicts: super::evaluation::VerdictsSection,
    /// The unit's dossiers the user may see: registration, review and recognition by year.
    pub dossiers: Vec<DossierLine>,
}

/// One dossier of the unit, as the unit page lists it.
pub struct DossierLine {
    pub href: String,
    pub year: i32,
    pub standard: String,
    pub state: String,
    pub recognised: bool,
}

/// The unit's dossiers `user` may see (none when the store cannot be read: the page still
/// shows the map and the verdicts).
async fn dossier_lines(
    state: &AppState,
    user: &super::auth::CurrentUser,
    unit: UnitId,
    locale: &str,
) -> Vec<DossierLine> {
    use crate::service::workflow as wf;
    let ctx = state.ctx();
    let reg = state.registry.get();
    match wf::dossiers_of_unit(&ctx, &user.actor, unit).await {
        Ok(list) => list
            .into_iter()
            .map(|d| DossierLine {
                href: format!("/dossiers/{}", d.row.id),
                year: d.row.year,
                standard: super::workflow_export::standard_name(&reg, &d.row.standard, locale),
                state: wf::state_label(d.state, locale),
                recognised: d.state == binhyen_core::workflow::State::Recognised,
            })
            .collect(),
        Err(e) => {
            tracing::warn!("dossiers of unit {unit}: {e}");
            Vec::new()
        }
    }
}

impl ShowPage {
    pub fn unit_href(&self, id: &UnitId) -> String {
        format!("/units/{id}?date={}", enc(&self.page.date))
    }

    pub fn back_href(&self) -> String {
        format!("/units?date={}", enc(&self.page.date))
    }

    /// The unit page for another year of verdicts.
    pub fn year_href(&self, year: &i32) -> String {
        format!(
            "/units/{}?date={}&year={year}#verdicts",
            self.unit_id,
            enc(&self.page.date)
        )
    }
}

pub async fn show(
    tr: Tr,
    State(state): State<AppState>,
    user: super::auth::CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let atlas = state.atlas.get();
    let (date, date_note) = page_date(&tr, q.date.as_deref());
    let unit_id = id
        .parse::<UnitId>()
        .ok()
        .filter(|id| visible(&state, &user, *id));
    let page =
        unit_id.and_then(|id| views::unit_page(tr.code(), &atlas, id, date).map(|p| (id, p)));
    match page {
        Some((unit_id, page)) => {
            let verdicts =
                super::evaluation::section(&state, Some(&user), unit_id, q.year, tr.code()).await;
            let dossiers = dossier_lines(&state, &user, unit_id, tr.code()).await;
            ShowPage {
                tr,
                page,
                date_note,
                unit_id,
                verdicts,
                dossiers,
            }
            .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            text(tr.code(), "units.not_found", &[("code", id)]),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Source, import};
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    /// A session of a country-wide viewer (the map pages need a signed-in user).
    async fn viewer_session(state: &AppState) -> String {
        use crate::service::users::{self, GrantSpec, NewAccount};
        let ctx = state.ctx();
        // Created on the first call; later calls only sign in again.
        let _ = users::create(
            &ctx,
            &crate::service::Actor::console(),
            NewAccount {
                login: "xem.toanquoc".into(),
                display_name: "Người xem".into(),
                password: Some("mật khẩu thử nghiệm".into()),
                grant: GrantSpec {
                    role: "viewer".into(),
                    unit: "VN".into(),
                    view: None,
                },
            },
        )
        .await;
        crate::service::sessions::login(
            &ctx,
            "xem.toanquoc",
            "mật khẩu thử nghiệm".into(),
            &binhyen_store::auth::Client::default(),
        )
        .await
        .unwrap()
    }

    async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
        let session = viewer_session(state).await;
        let resp = super::super::router(state.clone())
            .oneshot(
                Request::get(uri)
                    .header(
                        "cookie",
                        format!("{}={session}", super::super::auth::SESSION_COOKIE),
                    )
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 10_000_000)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    binhyen_store::db_test!(the_map_pages_render_on_a_date, |store| {
        let state = AppState::new(
            store.clone(),
            binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
        );
        let (_, empty) = get(&state, "/units").await;
        assert!(
            empty.contains("binhyen import units"),
            "an empty map says how to fill it"
        );
        import(&store, Source::Official, Some(&state.atlas), &|_, _, _| {})
            .await
            .unwrap();

        // Search: "tra vinh" finds the province, shown with the date's tree.
        let (status, page) = get(&state, "/units?date=01%2F06%2F2025&q=tra+vinh").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Tỉnh Trà Vinh"));
        assert!(page.contains("Bản đồ hành chính ngày 01/06/2025"));
        assert_eq!(
            page.matches("<li id=\"u").count(),
            63,
            "the 63 provinces of the date"
        );

        // Expanding Trà Vinh with a plain link shows its 9 district-level units.
        let atlas = state.atlas.get();
        let june = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let tv = atlas.find_code("84", june).unwrap();
        let (_, page) = get(&state, &format!("/units?date=01/06/2025&open={tv}")).await;
        assert!(page.contains("Huyện Càng Long") && page.contains("Thành phố Trà Vinh"));
        assert!(page.contains("85 Xã"), "the census of the open province");
        assert!(
            page.contains(&format!("href=\"/units?date=01/06/2025#u{tv}\"")),
            "the link that closes it"
        );

        // The unit page: Phường Long Đức (2025) from Xã Long Đức and Phường 4, with its basis.
        let reform = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let ld = atlas.find_code("29263", reform).unwrap();
        let (status, page) = get(&state, &format!("/units/{ld}?date=01/07/2025")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Phường Long Đức"));
        assert!(page.contains("Xã Long Đức") && page.contains("Phường 4"));
        assert!(page.contains("Nghị quyết số 1687/NQ-UBTVQH15"));
        assert!(page.contains("Tỉnh Vĩnh Long"));

        // An old commune: its successor, and who holds it on a later date.
        let old = atlas.find_code("29263", june).unwrap();
        let (_, page) = get(&state, &format!("/units/{old}?date=01/08/2025")).await;
        assert!(page.contains("Đơn vị kế thừa") && page.contains("Địa bàn nay thuộc"));

        // An inferred link of 2024–25 shows the badge; English on the cookie.
        let inferred = atlas
            .events()
            .iter()
            .flat_map(|e| &e.links)
            .find(|l| l.inferred)
            .and_then(|l| l.to)
            .unwrap();
        let (_, page) = get(&state, &format!("/units/{inferred}")).await;
        assert!(page.contains("suy luận"));

        let (status, _) = get(&state, "/units/999999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, page) = get(&state, "/units?date=31/02/2025").await;
        assert!(page.contains("«31/02/2025» không phải ngày hợp lệ"));
    });

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(enc("long đức&x"), "long%20%C4%91%E1%BB%A9c%26x");
        assert_eq!(enc("01/07/2025"), "01/07/2025");
    }
}
