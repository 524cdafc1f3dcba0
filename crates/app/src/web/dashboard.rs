//! The dashboards by role: `/dashboard` (its page lives in `web::plans` with the plan and crime
//! sections; this module builds the province or commune section it shows) and the API
//! `GET /api/v1/dashboard?scope=&year=` (the service's view as JSON).
//!
//! The view is picked by the scope: a commune, residential area or organisation gets the
//! commune view (a commune officer's default scope is their commune), anything larger the
//! province view (a province, a district, or the country for a national grant). `scope` is a
//! unit id, as in `/api/v1/dashboard/crime`; by default the user's first view scope.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use binhyen_core::authz::Scope;
use binhyen_core::catalogue::FormGroup;
use binhyen_core::text::{format_date, format_int, format_percent};
use binhyen_core::units::{UnitId, UnitKind};
use binhyen_report::svg::chart::{BarChart, BarLayout, NumberStyle, Series};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::ApiError;
use super::auth::{CurrentUser, WebError};
use super::{AppState, Tr};
use crate::service::dashboard::{self, CommuneView, Deadline, ProvinceView, UnitLink};
use crate::service::facts::overview::Fill;
use crate::service::plans::Verdicts;
use crate::service::{Actor, Ctx, ServiceError};

/// The query of the page and the API.
#[derive(Deserialize, IntoParams, Default)]
pub struct DashboardQuery {
    /// The unit id of the scope (default: the user's first view scope; the country for a
    /// national grant).
    pub scope: Option<i64>,
    /// The year (default: last year; this year's facts are still being entered).
    pub year: Option<i32>,
}

/// The dashboard of a scope: the province view or the commune view.
#[derive(Serialize, ToSchema)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum DashboardView {
    Province(ProvinceView),
    Commune(CommuneView),
}

/// The scope a request names, or the user's first view scope (`None`: the country).
pub fn scope_of(actor: &Actor, q: &DashboardQuery) -> Option<UnitId> {
    q.scope
        .or_else(|| match actor.grants.first().map(|g| g.view) {
            Some(Scope::Unit(u)) => Some(u),
            _ => None,
        })
}

/// The year a request names, or last year.
pub fn year_of(ctx: &Ctx<'_>, q: &DashboardQuery) -> i32 {
    q.year.unwrap_or(ctx.today().year() - 1)
}

/// Builds the view of `scope` for `year`, reading (and filling) the request's `verdicts`.
pub async fn build(
    state: &AppState,
    ctx: &Ctx<'_>,
    actor: &Actor,
    scope: Option<UnitId>,
    year: i32,
    verdicts: &mut Verdicts,
) -> Result<DashboardView, ServiceError> {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let kind = match scope {
        Some(s) => Some(atlas.unit(s).ok_or(ServiceError::NotFound)?.kind),
        None => None,
    };
    Ok(match kind {
        Some(UnitKind::Commune | UnitKind::ResidentialArea | UnitKind::Organisation) => {
            let unit = scope.ok_or(ServiceError::NotFound)?;
            DashboardView::Commune(
                dashboard::commune(ctx, actor, &atlas, &reg, unit, year, verdicts).await?,
            )
        }
        _ => DashboardView::Province(
            dashboard::province(ctx, actor, &atlas, &reg, scope, year, verdicts).await?,
        ),
    })
}

/// The dashboard of a scope and year, computed now: the province view (counts by standard and
/// dossier state, reasons for "chưa đạt", missing facts, revocation risk, deadlines,
/// completeness) or, for a commune or residential area, the commune view.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard",
    tag = "plans",
    params(DashboardQuery),
    responses(
        (status = 200, description = "Bảng điều hành (dashboard)", body = DashboardView),
        (status = 401, description = "Chưa đăng nhập (not signed in)", body = ApiError),
        (status = 403, description = "Ngoài phạm vi được xem (outside the view scope)", body = ApiError),
        (status = 404, description = "Không có đơn vị (unknown unit)", body = ApiError)
    ),
    security(("session" = []), ("bearer" = []))
)]
pub async fn api_dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let ctx = state.ctx();
    let scope = scope_of(&user.actor, &q);
    let year = year_of(&ctx, &q);
    let mut verdicts = Verdicts::default();
    match build(&state, &ctx, &user.actor, scope, year, &mut verdicts).await {
        Ok(v) => Json(v).into_response(),
        Err(error) => WebError {
            lang: user.lang,
            api: true,
            error,
        }
        .into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// The page's sections (view models: translated, formatted)

/// A link to a unit: its dashboard and its page.
pub struct LinkOut {
    pub name: String,
    pub code: String,
    pub dashboard: String,
    pub page: String,
}

fn link(u: &UnitLink, year: i32) -> LinkOut {
    LinkOut {
        name: u.name.clone(),
        code: u.code.clone(),
        dashboard: format!("/dashboard?scope={}&year={year}", u.id),
        page: format!("/units/{}", u.id),
    }
}

/// "còn 12 ngày", "hôm nay", "đã qua 3 ngày".
fn days_text(tr: &Tr, days: i64) -> String {
    let (key, n) = match days {
        0 => ("dashboard.days.today", 0),
        d if d > 0 => ("dashboard.days.left", d),
        d => ("dashboard.days.passed", -d),
    };
    rust_i18n::t!(key, locale = tr.code(), days = format_int(n)).into_owned()
}

pub struct DeadlineOut {
    pub label: String,
    pub day: String,
    pub days: String,
    pub passed: bool,
}

fn deadlines_out(tr: &Tr, list: &[Deadline]) -> Vec<DeadlineOut> {
    list.iter()
        .map(|d| {
            let mut label = tr.t(&format!("dashboard.deadline.{}", d.kind));
            if let Some(k) = d.unit_kind.as_deref().and_then(UnitKind::parse) {
                let kind = if tr.code() == "en" {
                    k.label_en()
                } else {
                    k.label_vi()
                };
                label = format!("{label} ({kind})");
            }
            DeadlineOut {
                label,
                day: format_date(d.day),
                days: days_text(tr, d.days_left),
                passed: d.days_left < 0,
            }
        })
        .collect()
}

fn share(n: u32, of: u32) -> String {
    if of == 0 {
        "—".into()
    } else {
        format_percent(n.into(), of.into())
    }
}

/// "12 (40 %)".
fn count_share(n: u32, of: u32) -> String {
    format!("{} ({})", format_int(n.into()), share(n, of))
}

pub struct StandardOut {
    pub id: String,
    pub name: String,
    pub units: String,
    /// Counts per dossier state, in the order of `ProvinceSection::states`.
    pub states: Vec<String>,
    pub met: String,
    pub not_met: String,
    pub insufficient: String,
}

pub struct ReasonOut {
    pub standard: String,
    pub rule: String,
    pub title: String,
    pub citation: String,
    pub units: String,
    pub examples: Vec<LinkOut>,
}

fn reason_out(r: &dashboard::Reason, l: &str, year: i32) -> ReasonOut {
    ReasonOut {
        standard: r.standard.clone(),
        rule: r.rule.clone(),
        title: r.title.get(l).to_owned(),
        citation: r
            .citation
            .as_ref()
            .map(|c| c.get(l).to_owned())
            .unwrap_or_default(),
        units: format_int(r.units.into()),
        examples: r.examples.iter().map(|u| link(u, year)).collect(),
    }
}

pub struct CompletenessOut {
    pub kind: String,
    pub group: String,
    pub units: String,
    pub submitted: String,
    pub draft: String,
    pub empty: String,
    pub overdue: String,
}

/// The province view as shown.
pub struct ProvinceSection {
    pub title: String,
    pub states: Vec<String>,
    pub standards: Vec<StandardOut>,
    pub chart: String,
    pub reasons: Vec<ReasonOut>,
    pub missing: Vec<ReasonOut>,
    pub at_risk: Vec<LinkOut>,
    pub deadlines: Vec<DeadlineOut>,
    pub completeness: Vec<CompletenessOut>,
    pub below: Vec<LinkOut>,
}

fn kind_label(tr: &Tr, kind: &str) -> String {
    UnitKind::parse(kind).map_or(kind.to_owned(), |k| {
        if tr.code() == "en" {
            k.label_en().to_owned()
        } else {
            k.label_vi().to_owned()
        }
    })
}

fn group_label(tr: &Tr, group: &str) -> String {
    FormGroup::parse(group).map_or(group.to_owned(), |g| g.label(tr.code()))
}

/// Verdicts per standard: one stacked bar per standard.
fn verdict_chart(v: &ProvinceView, tr: &Tr) -> String {
    let series = |key: &str, color: &str, f: &dyn Fn(&dashboard::VerdictCounts) -> u32| Series {
        name: tr.t(key),
        values: v
            .standards
            .iter()
            .map(|s| Some(f64::from(f(&s.verdicts))))
            .collect(),
        color: Some(color.into()),
        dashed: false,
    };
    BarChart {
        title: tr.t("dashboard.chart.title"),
        desc: tr.t("dashboard.chart.desc"),
        categories: v.standards.iter().map(|s| s.standard.clone()).collect(),
        series: vec![
            series("std.verdict.met", "#2e7d32", &|c| c.met),
            series("std.verdict.not_met", "#c62828", &|c| c.not_met),
            series("std.verdict.insufficient", "#9e9e9e", &|c| c.insufficient),
        ],
        layout: BarLayout::Stacked,
        numbers: NumberStyle::default(),
        width: 760.0,
        height: 280.0,
    }
    .render()
}

pub fn province_section(v: &ProvinceView, tr: &Tr) -> ProvinceSection {
    let l = tr.code();
    let year = v.year;
    let state_keys = dashboard::StateCounts::default().pairs().map(|(k, _)| k);
    ProvinceSection {
        title: v
            .scope
            .as_ref()
            .map_or_else(|| tr.t("dashboard.country"), |s| s.name.clone()),
        states: state_keys
            .iter()
            .map(|k| match *k {
                "not_registered" => tr.t("dashboard.state.not_registered"),
                k => tr.t(&format!("workflow.state.{k}")),
            })
            .collect(),
        standards: v
            .standards
            .iter()
            .map(|s| StandardOut {
                id: s.standard.clone(),
                name: s.name.get(l).to_owned(),
                units: format_int(s.units.into()),
                states: s
                    .states
                    .pairs()
                    .iter()
                    .map(|(_, n)| format_int((*n).into()))
                    .collect(),
                met: count_share(s.verdicts.met, s.units),
                not_met: count_share(s.verdicts.not_met, s.units),
                insufficient: count_share(s.verdicts.insufficient, s.units),
            })
            .collect(),
        chart: verdict_chart(v, tr),
        reasons: v.reasons.iter().map(|r| reason_out(r, l, year)).collect(),
        missing: v
            .missing
            .iter()
            .map(|m| ReasonOut {
                standard: String::new(),
                rule: m.key.clone().unwrap_or_default(),
                title: m.label.get(l).to_owned(),
                citation: String::new(),
                units: format_int(m.units.into()),
                examples: m.examples.iter().map(|u| link(u, year)).collect(),
            })
            .collect(),
        at_risk: v.at_risk.iter().map(|u| link(u, year)).collect(),
        deadlines: deadlines_out(tr, &v.deadlines),
        completeness: v
            .completeness
            .iter()
            .map(|c| CompletenessOut {
                kind: kind_label(tr, &c.unit_kind),
                group: group_label(tr, &c.group),
                units: format_int(c.units.into()),
                submitted: count_share(c.submitted, c.units),
                draft: count_share(c.draft, c.units),
                empty: count_share(c.empty, c.units),
                overdue: count_share(c.overdue, c.units),
            })
            .collect(),
        below: v.below.iter().map(|u| link(u, year)).collect(),
    }
}

pub struct UnitStandardOut {
    pub id: String,
    pub name: String,
    pub verdict: String,
    pub verdict_text: String,
    pub failing: Vec<ReasonOut>,
    pub dossier: Option<(String, String)>,
    pub decision: Option<(String, String)>,
}

pub struct MissingOut {
    pub label: String,
    pub unit: String,
    pub year: String,
    pub href: Option<String>,
    pub standards: String,
}

pub struct FormOut {
    pub group: String,
    pub state: String,
    pub href: String,
}

/// The commune view as shown.
pub struct CommuneSection {
    pub title: String,
    pub unit_href: String,
    pub standards: Vec<UnitStandardOut>,
    pub at_risk: bool,
    pub missing: Vec<MissingOut>,
    pub forms: Vec<FormOut>,
    pub deadlines: Vec<DeadlineOut>,
    /// "1 → 5 (+4)" and its reading, when both years are entered.
    pub crime: Option<(String, String)>,
}

pub fn commune_section(v: &CommuneView, tr: &Tr) -> CommuneSection {
    let l = tr.code();
    let year = v.year;
    let unit = v.unit.id;
    CommuneSection {
        title: v.unit.name.clone(),
        unit_href: format!("/units/{unit}"),
        standards: v
            .standards
            .iter()
            .map(|s| UnitStandardOut {
                id: s.standard.clone(),
                name: s.name.get(l).to_owned(),
                verdict: s.verdict.clone(),
                verdict_text: s.verdict_text.get(l).to_owned(),
                failing: s.failing.iter().map(|r| reason_out(r, l, year)).collect(),
                dossier: s.dossier.as_ref().map(|d| {
                    let state = binhyen_core::workflow::State::parse(&d.state, d.level.as_deref())
                        .map_or(d.state.clone(), |st| {
                            crate::service::workflow::state_label(st, l)
                        });
                    (state, format!("/dossiers/{}", d.id))
                }),
                decision: s.decision.as_ref().map(|d| {
                    (
                        format!(
                            "{} — {} ({})",
                            tr.t(&format!("dashboard.decision.{}", d.kind)),
                            d.number,
                            format_date(d.signed_on)
                        ),
                        format!("/decisions/{}", d.id),
                    )
                }),
            })
            .collect(),
        at_risk: v.at_risk,
        missing: v
            .missing
            .iter()
            .map(|m| MissingOut {
                label: m.label.get(l).to_owned(),
                unit: m.unit_name.clone(),
                year: m.year.map(|y| y.to_string()).unwrap_or_default(),
                href: m.unit.as_ref().map(|u| {
                    let y = m.year.unwrap_or(year);
                    match &m.group {
                        Some(g) => format!("/units/{}/facts/{y}?form={g}", u.id),
                        None => format!("/units/{}/facts/{y}", u.id),
                    }
                }),
                standards: m.standards.join(", "),
            })
            .collect(),
        forms: v
            .forms
            .iter()
            .map(|f| FormOut {
                group: group_label(tr, &f.group),
                state: super::facts::fill_label(tr, Fill::parse(&f.fill), f.overdue),
                href: format!("/units/{unit}/facts/{year}?form={}", f.group),
            })
            .collect(),
        deadlines: deadlines_out(tr, &v.deadlines),
        crime: v.crime.as_ref().map(|c| {
            let delta = if c.delta > 0 {
                format!("+{}", format_int(c.delta))
            } else {
                format_int(c.delta)
            };
            (
                format!(
                    "{} → {} ({delta})",
                    format_int(c.previous),
                    format_int(c.current)
                ),
                tr.t(if c.noise {
                    "dashboard.noise"
                } else {
                    "dashboard.real_change"
                }),
            )
        }),
    }
}
