//! Plans and the dashboard on the web: `/plans`, `/plans/{id}` (targets with their progress and
//! a target-vs-actual SVG chart), `/dashboard` (plan progress and year-over-year crime with the
//! small-count noise flag), and the API `/api/v1/plans`, `/api/v1/plans/{id}/progress`,
//! `/api/v1/dashboard/crime`. Every figure is computed at request time (`service::plans`,
//! `service::dashboard`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::text::{format_date, format_int};
use binhyen_report::svg::chart::{BarChart, NumberStyle, Series};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::ApiError;
use super::auth::{CurrentUser, WebError};
use super::dashboard;
use super::{AppState, Tr};
use crate::service::ServiceError;
use crate::service::dashboard::{self as service_dashboard, CrimeRow};
use crate::service::plans::{self, PlanProgress, TargetProgress, status_label};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(index))
        .route("/plans/{id}", get(show))
        .route("/dashboard", get(dashboard_page))
}

fn api_fail(user: &CurrentUser, error: ServiceError) -> Response {
    WebError {
        lang: user.lang,
        api: true,
        error,
    }
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// View models

/// One target as shown (page and API).
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct TargetOut {
    pub id: String,
    pub year: i32,
    /// The sentence as written in the plan.
    pub text: String,
    /// Where it stands in the plan.
    pub cites: String,
    /// `count`, `share` or `reduction`.
    pub kind: String,
    pub standard: Option<String>,
    pub indicator: Option<String>,
    pub goal: String,
    /// Units counted, and on which day's map (dd/mm/yyyy).
    pub counted: u32,
    pub counted_on: String,
    pub required: u32,
    /// Recognised units (count, share) or units meeting the reduction.
    pub actual: u32,
    pub actual_text: String,
    /// Units judged *đạt* by the computed verdicts.
    pub forecast: Option<u32>,
    pub forecast_text: String,
    /// `exceeded`, `met`, `not_met`, `unknown`.
    pub status: String,
    pub status_text: String,
    pub forecast_status: Option<String>,
    /// Units counted through their successors after a reorganisation.
    pub carried: u32,
    pub carried_text: Option<String>,
    pub note: Option<String>,
}

impl TargetOut {
    pub(crate) fn new(t: &TargetProgress, lang: &str) -> TargetOut {
        use binhyen_core::plan::Measure;
        let (standard, indicator) = match &t.target.measure {
            Measure::Standard(s) => (Some(s.clone()), None),
            Measure::Indicator(i) => (None, Some(i.clone())),
        };
        TargetOut {
            id: t.target.id.clone(),
            year: t.target.year,
            text: t.target.text.clone(),
            cites: t.target.cites.clone(),
            kind: t.target.kind.as_str().to_owned(),
            standard,
            indicator,
            goal: t.goal_text(lang),
            counted: t.counted,
            counted_on: format_date(t.frame),
            required: t.required,
            actual: t.actual,
            actual_text: t.actual_text(lang),
            forecast: t.forecast,
            forecast_text: t.forecast_text(),
            status: t.status.as_str().to_owned(),
            status_text: status_label(t.status, lang),
            forecast_status: t.forecast_status.map(|s| s.as_str().to_owned()),
            carried: t.carried,
            carried_text: (t.carried > 0).then(|| {
                binhyen_core::diag::tr(
                    lang,
                    "plan.carried",
                    &[
                        ("count", format_int(t.carried.into())),
                        ("date", format_date(t.frame)),
                    ],
                )
            }),
            note: t.target.note.clone(),
        }
    }
}

/// A plan as shown.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct PlanOut {
    pub id: i64,
    pub number: String,
    /// dd/mm/yyyy.
    pub date: String,
    pub issuer: String,
    pub scope_unit_id: Option<i64>,
    pub title: String,
    pub legal_basis: Vec<String>,
    pub source: String,
    pub note: Option<String>,
    pub targets: usize,
}

fn plan_out(p: &plans::StoredPlan) -> PlanOut {
    PlanOut {
        id: p.row.id,
        number: p.plan.number.clone(),
        date: format_date(p.plan.date),
        issuer: p.plan.issuer.clone(),
        scope_unit_id: p.row.scope_unit_id,
        title: p.plan.title.clone(),
        legal_basis: p.plan.legal_basis.clone(),
        source: p.plan.source.clone(),
        note: p.plan.note.clone(),
        targets: p.plan.targets.len(),
    }
}

/// A plan with the progress of its targets.
#[derive(Serialize, ToSchema)]
pub struct PlanProgressOut {
    pub plan: PlanOut,
    pub targets: Vec<TargetOut>,
}

fn progress_out(p: &PlanProgress, lang: &str) -> PlanProgressOut {
    PlanProgressOut {
        plan: plan_out(&p.plan),
        targets: p.targets.iter().map(|t| TargetOut::new(t, lang)).collect(),
    }
}

/// Target vs actual (and forecast) per target, grouped by year: one SVG bar chart.
fn progress_chart(p: &PlanProgress, tr: &Tr) -> String {
    let categories = p
        .targets
        .iter()
        .map(|t| format!("{} · {}", t.target.year, t.target.id))
        .collect();
    let series = |key: &str, f: &dyn Fn(&TargetProgress) -> Option<u32>, dashed| Series {
        name: tr.t(key),
        values: p.targets.iter().map(|t| f(t).map(f64::from)).collect(),
        color: None,
        dashed,
    };
    BarChart {
        title: format!("{} — {}", p.plan.plan.number, tr.t("plan.chart.title")),
        desc: tr.t("plan.chart.desc"),
        categories,
        series: vec![
            series("plan.chart.required", &|t| Some(t.required), true),
            series("plan.chart.actual", &|t| Some(t.actual), false),
            series("plan.chart.forecast", &|t| t.forecast, false),
        ],
        numbers: NumberStyle::default(),
        width: 760.0,
        height: 300.0,
        ..Default::default()
    }
    .render()
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template, WebTemplate)]
#[template(path = "plans/index.html")]
pub struct PlansPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub plans: Vec<PlanOut>,
}

async fn index(State(state): State<AppState>, tr: Tr, user: CurrentUser) -> Response {
    match plans::list(&state.ctx(), &user.actor).await {
        Ok(list) => PlansPage {
            tr,
            plans: list.iter().map(plan_out).collect(),
            user,
        }
        .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

/// One plan's section: its targets and chart (the plan page and the dashboard).
pub struct PlanSection {
    pub plan: PlanOut,
    pub targets: Vec<TargetOut>,
    pub chart: String,
}

fn section(p: &PlanProgress, tr: &Tr) -> PlanSection {
    let out = progress_out(p, tr.lang.code());
    PlanSection {
        plan: out.plan,
        targets: out.targets,
        chart: progress_chart(p, tr),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/show.html")]
pub struct PlanPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub section: PlanSection,
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Only the targets of this year.
    year: Option<i32>,
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Response {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    match plans::progress(&state.ctx(), &user.actor, &atlas, &reg, id, q.year).await {
        Ok(p) => PlanPage {
            section: section(&p, &tr),
            tr,
            user,
        }
        .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

/// One row of the year-over-year crime table.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct CrimeRowOut {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub previous: Option<i64>,
    pub current: Option<i64>,
    /// Absolute change (never a percentage: counts are small).
    pub change: Option<i64>,
    /// Within noise: |change| ≤ 2·√(current + previous).
    pub noise: Option<bool>,
    /// "+3", "−2", "0", "—" (missing).
    pub change_text: String,
    pub note: String,
}

fn crime_out(r: &CrimeRow, tr_lang: &str) -> CrimeRowOut {
    let c = r.change;
    CrimeRowOut {
        unit_id: r.unit,
        code: r.code.clone(),
        name: r.name.clone(),
        previous: c.map(|c| c.previous),
        current: c.map(|c| c.current),
        change: c.map(|c| c.delta),
        noise: c.map(|c| c.noise),
        change_text: c.map_or("—".into(), |c| match c.delta {
            d if d > 0 => format!("+{}", format_int(d)),
            d => format_int(d),
        }),
        note: match c {
            None => binhyen_core::diag::tr(tr_lang, "plan.status.unknown", &[]),
            Some(c) if c.noise => binhyen_core::diag::tr(tr_lang, "dashboard.noise", &[]),
            Some(_) => binhyen_core::diag::tr(tr_lang, "dashboard.real_change", &[]),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/dashboard.html")]
pub struct DashboardPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub scope_name: Option<String>,
    /// The scope's unit id, for the year switch.
    pub scope: Option<i64>,
    pub year: i32,
    /// The province view (province, district, country) …
    pub province: Option<dashboard::ProvinceSection>,
    /// … or the commune view (commune, residential area) of the scope.
    pub commune: Option<dashboard::CommuneSection>,
    pub sections: Vec<PlanSection>,
    pub crime: Vec<CrimeRowOut>,
    pub movement: Option<super::movement::Card>,
}

/// `/dashboard?scope=&year=`: the province or commune view of the scope (by default the
/// user's first view scope), the plans' progress and year-over-year crime. One request, one
/// set of computed verdicts ([`plans::Verdicts`]) shared by every section.
async fn dashboard_page(
    State(state): State<AppState>,
    tr: Tr,
    user: CurrentUser,
    Query(q): Query<dashboard::DashboardQuery>,
) -> Response {
    let ctx = state.ctx();
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let year = dashboard::year_of(&ctx, &q);
    let scope = dashboard::scope_of(&user.actor, &q);
    let mut verdicts = plans::Verdicts::default();
    let (province, commune) =
        match dashboard::build(&state, &ctx, &user.actor, scope, year, &mut verdicts).await {
            Ok(dashboard::DashboardView::Province(v)) => {
                (Some(dashboard::province_section(&v, &tr)), None)
            }
            Ok(dashboard::DashboardView::Commune(v)) => {
                (None, Some(dashboard::commune_section(&v, &tr)))
            }
            Err(e) => return user.fail(e).into_response(),
        };
    let sections = match service_dashboard::plan_progress(
        &ctx,
        &user.actor,
        &atlas,
        &reg,
        &mut verdicts,
    )
    .await
    {
        Ok(list) => list.iter().map(|p| section(p, &tr)).collect(),
        Err(e) => return user.fail(e).into_response(),
    };
    let crime = match scope {
        Some(s) => {
            match service_dashboard::crime_changes(&ctx, &user.actor, &atlas, &reg, s, year).await {
                Ok(rows) => rows.iter().map(|r| crime_out(r, tr.lang.code())).collect(),
                Err(e) => return user.fail(e).into_response(),
            }
        }
        None => vec![],
    };
    let movement = super::movement::card(&state, &user, scope, year).await;
    let scope_name = scope.and_then(|s| {
        atlas
            .version_at(
                s,
                crate::service::evaluation::map_date(&atlas, Some(s), year),
            )
            .map(|v| v.name.clone())
    });
    DashboardPage {
        tr,
        user,
        scope_name,
        scope,
        year,
        province,
        commune,
        sections,
        crime,
        movement,
    }
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// API

/// The plans the signed-in user may see.
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    tag = "plans",
    responses(
        (status = 200, description = "Kế hoạch (plans)", body = Vec<PlanOut>),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn api_plans(State(state): State<AppState>, user: CurrentUser) -> Response {
    match plans::list(&state.ctx(), &user.actor).await {
        Ok(list) => Json(list.iter().map(plan_out).collect::<Vec<_>>()).into_response(),
        Err(e) => api_fail(&user, e),
    }
}

/// A plan's targets with their progress, computed now.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/progress",
    tag = "plans",
    params(("id" = i64, Path, description = "Plan id"), YearQuery),
    responses(
        (status = 200, description = "Tiến độ chỉ tiêu (target progress)", body = PlanProgressOut),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError),
        (status = 404, description = "Không có kế hoạch, hoặc ngoài phạm vi (unknown or outside the view scope)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn api_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Response {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    match plans::progress(&state.ctx(), &user.actor, &atlas, &reg, id, q.year).await {
        Ok(p) => Json(progress_out(&p, user.lang.code())).into_response(),
        Err(e) => api_fail(&user, e),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CrimeQuery {
    /// The unit id of the scope.
    scope: i64,
    year: i32,
}

/// Crimes against social order per unit under a scope, year against the previous year, with
/// the absolute change and the small-count noise flag.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard/crime",
    tag = "plans",
    params(CrimeQuery),
    responses(
        (status = 200, description = "Tội phạm so với năm trước (year-over-year crime)", body = Vec<CrimeRowOut>),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError),
        (status = 403, description = "Ngoài phạm vi được xem (outside the view scope)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn api_crime(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CrimeQuery>,
) -> Response {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    if atlas.unit(q.scope).is_none() {
        return api_fail(&user, ServiceError::NotFound);
    }
    match service_dashboard::crime_changes(&state.ctx(), &user.actor, &atlas, &reg, q.scope, q.year)
        .await
    {
        Ok(rows) => Json(
            rows.iter()
                .map(|r| crime_out(r, user.lang.code()))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => api_fail(&user, e),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use binhyen_store::auth::Client;
    use tower::ServiceExt;

    use super::super::{AppState, router};
    use crate::service::users::{self, GrantSpec, NewAccount};
    use crate::service::{Actor, sessions};
    use crate::units::{self, Source};

    async fn get(state: &AppState, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("binhyen_session={c}"));
        }
        let resp = router(state.clone())
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 50_000_000)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    binhyen_store::db_test!(plans_api_and_dashboard_inside_the_view_scope, |store| {
        let state = AppState::new(
            store.clone(),
            binhyen_core::standard::Registry::with_builtin(&[]).unwrap(),
        );
        units::import(&store, Source::Official, Some(&state.atlas), &|_, _, _| {})
            .await
            .unwrap();
        let ctx = state.ctx();
        let reg = state.registry.get();
        let imported = crate::service::plans::import_builtin(
            &ctx,
            &Actor::console(),
            &state.atlas.get(),
            &reg,
        )
        .await
        .unwrap();
        let id_of = |n: &str| imported.iter().find(|p| p.plan.number == n).unwrap().row.id;
        assert_eq!(
            get(&state, "/api/v1/plans", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        // A viewer of the new Tỉnh Vĩnh Long (which took in Trà Vinh on 01/07/2025).
        users::create(
            &ctx,
            &Actor::console(),
            NewAccount {
                login: "xem.vinhlong".into(),
                display_name: "Người xem Vĩnh Long".into(),
                password: Some("mật khẩu thử nghiệm".into()),
                grant: GrantSpec {
                    role: "viewer".into(),
                    unit: "86".into(),
                    view: None,
                },
            },
        )
        .await
        .unwrap();
        let token = sessions::login(
            &ctx,
            "xem.vinhlong",
            "mật khẩu thử nghiệm".into(),
            &Client {
                ip: Some("127.0.0.1".into()),
                user_agent: None,
            },
        )
        .await
        .unwrap();
        let c = Some(token.as_str());
        let (status, body) = get(&state, "/api/v1/plans", c).await;
        assert_eq!(status, StatusCode::OK);
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        let numbers: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["number"].as_str().unwrap())
            .collect();
        assert_eq!(
            numbers,
            ["85/KH-UBND"],
            "Yên Bái and the national plan are outside"
        );

        let uri = format!("/api/v1/plans/{}/progress?year=2025", id_of("85/KH-UBND"));
        let (status, body) = get(&state, &uri, c).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        let t = &p["targets"][0];
        assert_eq!(t["id"], "2025-xa-nc");
        assert_eq!(t["counted"], 85);
        assert_eq!(t["counted_on"], "30/06/2025");
        assert_eq!(t["required"], 60);
        assert_eq!(t["status"], "not_met");
        assert_eq!(t["status_text"], "chưa đạt");
        assert!(t["text"].as_str().unwrap().contains("60/85 xã"));
        let uri = format!("/api/v1/plans/{}/progress", id_of("272/KH-UBND"));
        assert_eq!(get(&state, &uri, c).await.0, StatusCode::NOT_FOUND);

        let vinh_long = state
            .atlas
            .get()
            .find_code("86", chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
            .unwrap();
        let uri = format!("/api/v1/dashboard/crime?scope={vinh_long}&year=2025");
        let (status, body) = get(&state, &uri, c).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
        let rows = rows.as_array().unwrap();
        assert!(rows.len() > 100, "the communes of Vĩnh Long and the total");
        assert!(
            rows.iter().all(|r| r["change"].is_null()),
            "nothing entered: never 0"
        );
        let yen_bai = state
            .atlas
            .get()
            .find_code("15", chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())
            .unwrap();
        let uri = format!("/api/v1/dashboard/crime?scope={yen_bai}&year=2024");
        assert_eq!(get(&state, &uri, c).await.0, StatusCode::FORBIDDEN);

        let (status, html) = get(&state, "/dashboard?year=2025", c).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Bảng điều hành — Tỉnh Vĩnh Long"), "{html}");
        assert!(html.contains("<svg") && html.contains("85/KH-UBND"));
        assert!(html.contains("dao động ngẫu nhiên") || html.contains("2·√"));
        let (status, html) = get(&state, &format!("/plans/{}", id_of("85/KH-UBND")), c).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("42,85%"), "the text as written");

        let (_, doc) = get(&state, "/api/openapi.json", None).await;
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        for path in [
            "/api/v1/plans",
            "/api/v1/plans/{id}/progress",
            "/api/v1/dashboard/crime",
        ] {
            assert!(doc["paths"][path]["get"].is_object(), "{path}");
        }
    });
}
