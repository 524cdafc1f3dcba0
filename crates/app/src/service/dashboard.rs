//! Figures for the dashboards, computed from the database when asked (no nightly job) and
//! memoised by the store until the next committed change (`Store::memoized`), so every figure
//! is current the moment a fact changes.
//!
//! - [`crime_changes`]: crimes against social order per unit directly under a scope, this year
//!   against the previous one, with the absolute change and the small-count noise flag of
//!   `core::trend` (the legal tests are unchanged; this is only how the dashboard shows it).
//! - [`plan_progress`]: the progress of every plan the actor may see, for the dashboard chart.

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::standard::Registry;
use binhyen_core::trend::{self, Change};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use serde::Serialize;

use super::evaluation::map_date;
use super::plans::{self, Figures, PlanProgress};
use super::{Actor, Ctx, ServiceError};

/// The field the year-over-year table compares.
pub const CRIME_FIELD: &str = "crimes_social_order";

/// One row of the year-over-year crime table.
#[derive(Clone, Debug, Serialize)]
pub struct CrimeRow {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    /// `None` when either year's figure is missing (never read as 0).
    pub change: Option<Change>,
}

/// Crimes against social order of each unit directly under `scope` (communes of a province
/// after the reform, districts before), `year` against `year − 1`, and the scope's total as the
/// last row. The actor must be allowed to view the scope.
pub async fn crime_changes(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: UnitId,
    year: i32,
) -> Result<Vec<CrimeRow>, ServiceError> {
    let date = map_date(atlas, Some(scope), year);
    let need = Need {
        capability: Capability::View,
        target: Scope::Unit(scope),
        on: date.min(ctx.today()),
    };
    authz::authorize(&actor.grants, &need, ctx.units).map_err(ServiceError::Denied)?;
    let key = format!(
        "crime-changes:{}:{}:{scope}:{year}",
        atlas.build_id(),
        reg.build_id()
    );
    let rows = ctx
        .store
        .memoized(&key, || async {
            let mut units: Vec<UnitId> = atlas
                .children(scope, date)
                .into_iter()
                .filter(|u| {
                    atlas
                        .unit(*u)
                        .is_some_and(|x| matches!(x.kind, UnitKind::District | UnitKind::Commune))
                })
                .collect();
            units.sort_by_key(|u| atlas.version_at(*u, date).map(|v| v.code.clone()));
            units.push(scope);
            let figures = Figures::load(
                ctx.store,
                atlas,
                reg,
                CRIME_FIELD,
                &units,
                date,
                &[year - 1, year],
            )
            .await?;
            Ok::<_, ServiceError>(
                units
                    .into_iter()
                    .map(|u| {
                        let v = atlas.version_at(u, date);
                        let cur = figures.value(u, year, date, 0);
                        let prev = figures.value(u, year - 1, date, 0);
                        CrimeRow {
                            unit: u,
                            code: v.map(|v| v.code.clone()).unwrap_or_default(),
                            name: v.map(|v| v.name.clone()).unwrap_or_default(),
                            change: prev.zip(cur).map(|(p, c)| trend::change(p, c)),
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(rows.as_ref().clone())
}

/// The progress of every plan the actor may see (all years).
pub async fn plan_progress(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
) -> Result<Vec<PlanProgress>, ServiceError> {
    let mut out = Vec::new();
    let mut verdicts = plans::Verdicts::default();
    for p in plans::list(ctx, actor).await? {
        out.push(
            plans::progress_with(ctx, actor, atlas, reg, p.row.id, None, &mut verdicts).await?,
        );
    }
    Ok(out)
}
