//! `GET /map?scope=…&year=…&by=status|indicator[&standard=…]`: a server-rendered SVG choropleth
//! of the scope's communes on the year's map (31/12, or the scope's last day), coloured by the
//! computed verdict of a standard (`status`, default `ntm-xa-19.2`) or by crimes against social
//! order per 1,000 resident households (`indicator`), with a legend, a "no data" colour, the
//! unit's name in each shape's `<title>`, the boundaries' source (schematic cells say so), and
//! the same figures as a table below. Signed-in users within their view scope only.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use binhyen_core::standard::Verdict;
use binhyen_core::text::{format_decimal, format_int};
use binhyen_core::units::{Atlas, UnitId};
use binhyen_report::svg::LegendEntry;
use binhyen_report::svg::map::{
    self, MapModel, MapUnit, NO_DATA_COLOR, UnitRef, bucket, bucket_labels, quantile_thresholds,
};
use serde::Deserialize;

use super::auth::CurrentUser;
use super::{AppState, Tr};
use crate::service::boundaries::{communes_on, projected};
use crate::service::evaluation::{self, EvaluationError, map_date};
use crate::service::{Actor, Ctx, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/map", get(page))
}

/// Width of the map's viewBox.
const WIDTH: f64 = 640.0;
/// Colours of the verdicts: met, not met, insufficient data.
const STATUS_COLORS: [&str; 3] = ["#1a9850", "#d73027", "#fdae61"];
/// Crime rate buckets, light (low) to dark (high).
const RATE_COLORS: [&str; 5] = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
/// The standard a status map shows by default.
pub const DEFAULT_STANDARD: &str = "ntm-xa-19.2";

#[derive(Deserialize, Default, Debug, Clone)]
pub struct MapQuery {
    pub scope: Option<String>,
    pub year: Option<String>,
    pub by: Option<String>,
    pub standard: Option<String>,
}

/// One row of the table under the map.
pub struct MapRow {
    pub code: String,
    pub name: String,
    pub value: String,
    pub class: String,
    pub color: String,
}

/// Everything the page shows.
pub struct MapView {
    pub title: String,
    pub svg: String,
    pub rows: Vec<MapRow>,
    /// Communes of the scope without a stored boundary.
    pub without_boundary: Vec<(String, String)>,
    pub scope: String,
    pub year: i32,
    pub by: String,
    pub standard: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "map.html")]
pub struct MapPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub view: MapView,
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MapQuery>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let ctx = state.ctx();
    match build(&state, &ctx, &user.actor, &q, tr).await {
        Ok(view) => MapPage { tr, user, view }.into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

fn evaluation_error(e: EvaluationError) -> ServiceError {
    ServiceError::from(e)
}

/// The scope (a unit code on the year's map; by default the user's first unit) and the year
/// (by default last year: this year's facts are still being entered).
pub(crate) fn resolve(
    atlas: &Atlas,
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &MapQuery,
) -> Result<(UnitId, i32), ServiceError> {
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| ServiceError::invalid("year", "map.invalid.year", y))?,
        None => chrono::Datelike::year(&ctx.today()) - 1,
    };
    let date = map_date(atlas, None, year);
    let scope = match q.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => atlas
            .find_code(code, date)
            .ok_or_else(|| ServiceError::invalid("scope", "map.invalid.scope", code))?,
        None => actor
            .grants
            .iter()
            .find_map(|g| g.view.unit())
            .or_else(|| atlas.find_code("84", date))
            .ok_or(ServiceError::NotFound)?,
    };
    Ok((scope, year))
}

/// Builds the map of a request (also used by `binhyen bench serve` through HTTP).
pub async fn build(
    state: &AppState,
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &MapQuery,
    tr: Tr,
) -> Result<MapView, ServiceError> {
    let atlas = state.atlas.get();
    let (scope, year) = resolve(&atlas, ctx, actor, q)?;
    evaluation::may_view(ctx, actor, &atlas, scope, year).map_err(evaluation_error)?;
    let date = map_date(&atlas, Some(scope), year);
    let ids = communes_on(&atlas, date, Some(scope));
    let units: Vec<UnitRef> = ids
        .iter()
        .filter_map(|id| atlas.version_at(*id, date))
        .map(|v| UnitRef {
            code: v.code.clone(),
            name: v.name.clone(),
        })
        .collect();
    let by_indicator = q.by.as_deref() == Some("indicator");
    let standard = q
        .standard
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_STANDARD.to_owned());
    let reg = state.registry.get();
    let (classes, values): (Vec<LegendEntry>, HashMap<String, (String, usize)>) = if by_indicator {
        crime_rates(ctx, &atlas, &reg, scope, year, tr).await?
    } else {
        statuses(ctx, &atlas, &reg, scope, year, &standard, tr).await?
    };
    let (projected, sources) = projected(ctx.store, &units, WIDTH).await?;
    let scope_name = atlas
        .version_at(scope, date)
        .map(|v| v.name.clone())
        .unwrap_or_default();
    let subject = if by_indicator {
        tr.t("map.by.indicator")
    } else {
        reg.versions_of(&standard)
            .last()
            .map(|s| s.name.get(tr.code()).to_owned())
            .unwrap_or_else(|| standard.clone())
    };
    let title = format!("{scope_name} — {subject} — {year}");
    let no_data = LegendEntry::new(tr.t("map.no_data"), NO_DATA_COLOR);
    let model = MapModel {
        title: title.clone(),
        desc: tr.t("map.desc"),
        units: units
            .iter()
            .map(|u| {
                let v = values.get(&u.code);
                MapUnit {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    value_label: v.map(|x| x.0.clone()).unwrap_or_default(),
                    class: v.map(|x| x.1),
                }
            })
            .collect(),
        legend: classes.clone(),
        no_data: no_data.clone(),
        caption: Some(format!(
            "{}: {}",
            tr.t("map.source"),
            if sources.is_empty() {
                tr.t("map.no_boundaries")
            } else {
                sources.join("; ")
            }
        )),
    };
    let svg = map::render_map(&projected, &model);
    let drawn: std::collections::HashSet<&str> =
        projected.paths.iter().map(|(c, _)| c.as_str()).collect();
    let rows = units
        .iter()
        .map(|u| {
            let (value, class) = match values.get(&u.code) {
                Some((label, c)) => (label.clone(), &classes[*c]),
                None => (String::new(), &no_data),
            };
            MapRow {
                code: u.code.clone(),
                name: u.name.clone(),
                value,
                class: class.label.clone(),
                color: class.color.clone(),
            }
        })
        .collect();
    Ok(MapView {
        title,
        svg,
        rows,
        without_boundary: units
            .iter()
            .filter(|u| !drawn.contains(u.code.as_str()))
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect(),
        scope: atlas
            .version_at(scope, date)
            .map(|v| v.code.clone())
            .unwrap_or_default(),
        year,
        by: if by_indicator { "indicator" } else { "status" }.to_owned(),
        standard,
    })
}

type Classes = (Vec<LegendEntry>, HashMap<String, (String, usize)>);

/// Each commune's verdict of `standard` for `year`.
async fn statuses(
    ctx: &Ctx<'_>,
    atlas: &Atlas,
    reg: &binhyen_core::standard::Registry,
    scope: UnitId,
    year: i32,
    standard: &str,
    tr: Tr,
) -> Result<Classes, ServiceError> {
    reg.known(standard)
        .map_err(|e| evaluation_error(EvaluationError::Standard(e)))?;
    // The scope's run of every standard, shared with the dashboards until the next commit.
    let mut verdicts = crate::service::plans::Verdicts::default();
    let evaluations = verdicts
        .scope(ctx.store, atlas, reg, Some(scope), year, false)
        .await?;
    let keys = ["met", "not_met", "insufficient"];
    let legend = keys
        .iter()
        .zip(STATUS_COLORS)
        .map(|(k, c)| LegendEntry::new(tr.t(&format!("std.verdict.{k}")), c))
        .collect::<Vec<_>>();
    let values = evaluations
        .iter()
        .filter(|e| e.standard.id == standard)
        .map(|e| {
            let class = match e.verdict {
                Verdict::Met => 0,
                Verdict::NotMet => 1,
                Verdict::Insufficient => 2,
            };
            (e.unit.code.clone(), (legend[class].label.clone(), class))
        })
        .collect();
    Ok((legend, values))
}

/// Crimes against social order per 1,000 resident households (the households of the
/// commune's residential areas), in five buckets of about equal counts.
async fn crime_rates(
    ctx: &Ctx<'_>,
    atlas: &Atlas,
    reg: &binhyen_core::standard::Registry,
    scope: UnitId,
    year: i32,
    tr: Tr,
) -> Result<Classes, ServiceError> {
    let cat = reg.catalogue();
    let (Some(crimes), Some(households)) = (
        cat.field("crimes_social_order").map(|f| f.id),
        cat.field("households_resident").map(|f| f.id),
    ) else {
        return Err(ServiceError::Internal(
            "catalogue lacks crime fields".into(),
        ));
    };
    let int = |f: Option<&binhyen_core::fact::Facts>, id| match f
        .and_then(|f| f.get(id))
        .map(|e| &e.value)
    {
        Some(binhyen_core::fact::Value::Int(n)) => Some(*n),
        _ => None,
    };
    let mut rates: Vec<(String, f64)> = Vec::new();
    evaluation::scope_inputs(ctx.store, atlas, reg, Some(scope), year, |input| {
        evaluation::walk(input, &mut |u| {
            if u.unit.kind != binhyen_core::units::UnitKind::Commune {
                return Ok(());
            }
            let n = int(u.facts(year), crimes);
            let h: i64 = u
                .subunits
                .iter()
                .flatten()
                .filter_map(|s| int(s.facts(year), households))
                .sum();
            if let Some(n) = n
                && h > 0
            {
                rates.push((u.unit.code.clone(), n as f64 * 1000.0 / h as f64));
            }
            Ok::<(), EvaluationError>(())
        })
    })
    .await
    .map_err(evaluation_error)?;
    let all: Vec<f64> = rates.iter().map(|r| r.1).collect();
    let thresholds = quantile_thresholds(&all, RATE_COLORS.len());
    let labels = bucket_labels(&thresholds, |x| format_decimal(x, 1));
    let legend: Vec<LegendEntry> = labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| LegendEntry::new(l, RATE_COLORS[i.min(RATE_COLORS.len() - 1)]))
        .collect();
    let values = rates
        .into_iter()
        .map(|(code, r)| {
            let label = format!("{} {}", format_decimal(r, 2), tr.t("map.per_1000"));
            (code, (label, bucket(r, &thresholds)))
        })
        .collect();
    Ok((legend, values))
}

impl MapView {
    /// "85 xã" under the title.
    pub fn count_label(&self, tr: &Tr) -> String {
        format!(
            "{} {}",
            format_int(self.rows.len() as i64),
            tr.t("map.communes")
        )
    }
}
