//! Movement statistics: the All-People movement for the protection of national security
//! (phong trào toàn dân bảo vệ an ninh Tổ quốc) of the units directly under a scope, as the
//! provinces report it ("635 Ban chỉ đạo ANTT … với 12.585 thành viên; 6.031 Tổ bảo vệ ANTT …;
//! 35.589 Tổ An ninh xã hội (chiếm 98,8 % tổng số hộ) …").
//!
//! Each row holds the steering committees, teams and their members, the households covered
//! by the social-security teams and the resident households (with the share covered), and the
//! movement models by type with their cameras. A figure is the unit's own when entered, else
//! the sum over its units, else over its predecessors (`service::plans::Figures`, the one
//! summing path), and the row says which. A missing figure stays missing, never 0; the totals
//! row sums the rows and says how many units lack each figure. Read-only, at request time.

use binhyen_core::standard::Registry;
use binhyen_core::text::format_percent;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use serde::Serialize;

use super::evaluation::{map_date, may_view};
use super::plans::{Basis, Figures};
use super::{Actor, Ctx, ServiceError};

/// One column of the statistics: a stable name (API, locale key `movement.col.{name}`) and
/// the `Figures::load_many` key it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    pub name: &'static str,
    pub key: &'static str,
}

const fn figure(name: &'static str, key: &'static str) -> Figure {
    Figure { name, key }
}

/// The figures of a row, in column order: catalogue fields, then the movement models.
pub const FIGURES: [Figure; 16] = [
    figure("steering_committees", "steering_committees"),
    figure("steering_committee_members", "steering_committee_members"),
    figure("protection_teams", "protection_teams"),
    figure("protection_team_members", "protection_team_members"),
    figure("social_security_teams", "social_security_teams"),
    figure(
        "social_security_team_members",
        "social_security_team_members",
    ),
    figure("households_covered", "households_covered"),
    figure("households_resident", "households_resident"),
    figure("models", "models"),
    figure("models_camera", "models.type=camera"),
    figure("models_self_management", "models.type=self_management"),
    figure("models_self_protection", "models.type=self_protection"),
    figure("models_mediation", "models.type=mediation"),
    figure("models_other", "models.type=other"),
    figure("cameras", "models.cameras"),
    figure("models_effective", "models.effective=true"),
];

/// Position of the households covered in [`FIGURES`].
pub const COVERED: usize = 6;
/// Position of the resident households in [`FIGURES`].
pub const RESIDENT: usize = 7;

/// One figure of one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// `None` when missing (never read as 0).
    pub value: Option<i64>,
    pub basis: Basis,
}

/// The share of resident households covered by the teams, kept as the two counts (the
/// percentage is computed exactly when shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Share {
    pub covered: i64,
    pub resident: i64,
}

impl Share {
    /// Both counts known and households resident: the share; else missing.
    pub fn of(covered: Option<i64>, resident: Option<i64>) -> Option<Share> {
        match (covered, resident) {
            (Some(covered), Some(resident)) if resident > 0 => Some(Share { covered, resident }),
            _ => None,
        }
    }

    /// "98,80 %" (two decimals, half away from zero, integer arithmetic).
    pub fn text(&self) -> String {
        format_percent(self.covered, self.resident)
    }
}

/// One unit directly under the scope.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// One cell per [`FIGURES`] entry.
    pub cells: Vec<Cell>,
    /// Where the row's known figures come from (own, sub-units, predecessors), distinct, in
    /// that order.
    pub bases: Vec<Basis>,
    pub share: Option<Share>,
}

/// The total of one figure over the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The sum when every row has the figure; `None` otherwise.
    pub value: Option<i64>,
    /// The sum over the rows that have it.
    pub known: i64,
    /// Rows without it.
    pub missing: usize,
}

/// The statistics of a scope for a year.
#[derive(Clone, Debug, Serialize)]
pub struct Statistics {
    pub scope: UnitId,
    pub scope_code: String,
    pub scope_name: String,
    pub year: i32,
    /// The map the rows are read on (31/12 of the year, or the scope's last day).
    pub date: chrono::NaiveDate,
    pub rows: Vec<Row>,
    /// One per [`FIGURES`] entry.
    pub totals: Vec<Total>,
    /// Covered over resident households, when both totals are complete.
    pub share: Option<Share>,
}

/// The units the rows show: those directly under `scope` on `date` (organisations aside),
/// by code; a unit with none shows itself.
fn row_units(atlas: &Atlas, scope: UnitId, date: chrono::NaiveDate) -> Vec<UnitId> {
    let mut units: Vec<UnitId> = atlas
        .children(scope, date)
        .into_iter()
        .filter(|u| {
            atlas
                .unit(*u)
                .is_some_and(|x| x.kind != UnitKind::Organisation)
        })
        .collect();
    units.sort_by_key(|u| atlas.version_at(*u, date).map(|v| v.code.clone()));
    if units.is_empty() {
        units.push(scope);
    }
    units
}

/// The movement statistics of every unit directly under `scope` on the year's map
/// (`map_date`: communes of a province after 01/07/2025, districts before, residential areas
/// under a commune) and their totals. The actor must be allowed to view the scope.
pub async fn statistics(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: UnitId,
    year: i32,
) -> Result<Statistics, ServiceError> {
    may_view(ctx, actor, atlas, scope, year)?;
    // Memoised until the next commit (the dashboard card asks on every visit).
    let key = format!(
        "movement:{}:{}:{scope}:{year}",
        atlas.build_id(),
        reg.build_id()
    );
    let stats = ctx
        .store
        .memoized(&key, || compute(ctx, atlas, reg, scope, year))
        .await?;
    Ok(stats.as_ref().clone())
}

async fn compute(
    ctx: &Ctx<'_>,
    atlas: &Atlas,
    reg: &Registry,
    scope: UnitId,
    year: i32,
) -> Result<Statistics, ServiceError> {
    let date = map_date(atlas, Some(scope), year);
    let units = row_units(atlas, scope, date);
    let keys = FIGURES.map(|f| f.key);
    let figures = Figures::load_many(ctx.store, atlas, reg, &keys, &units, date, &[year]).await?;
    let rows: Vec<Row> = units
        .iter()
        .map(|&u| {
            let v = atlas.version_at(u, date);
            let cells: Vec<Cell> = figures
                .iter()
                .map(|f| {
                    let (value, basis) = f.figure(u, year, date, 0);
                    Cell { value, basis }
                })
                .collect();
            let mut bases: Vec<Basis> = cells
                .iter()
                .filter(|c| c.value.is_some())
                .map(|c| c.basis)
                .collect();
            bases.sort();
            bases.dedup();
            Row {
                unit: u,
                code: v.map(|v| v.code.clone()).unwrap_or_default(),
                name: v.map(|v| v.name.clone()).unwrap_or_default(),
                kind: atlas.unit(u).map_or(UnitKind::Commune, |x| x.kind),
                share: Share::of(cells[COVERED].value, cells[RESIDENT].value),
                cells,
                bases,
            }
        })
        .collect();
    let totals: Vec<Total> = (0..FIGURES.len())
        .map(|i| {
            let known: Vec<i64> = rows.iter().filter_map(|r| r.cells[i].value).collect();
            let missing = rows.len() - known.len();
            let sum = known.iter().sum();
            Total {
                value: (missing == 0).then_some(sum),
                known: sum,
                missing,
            }
        })
        .collect();
    let v = atlas.version_at(scope, date);
    Ok(Statistics {
        scope,
        scope_code: v.map(|v| v.code.clone()).unwrap_or_default(),
        scope_name: v.map(|v| v.name.clone()).unwrap_or_default(),
        year,
        date,
        share: Share::of(totals[COVERED].value, totals[RESIDENT].value),
        rows,
        totals,
    })
}

#[cfg(test)]
#[path = "movement_tests.rs"]
pub(crate) mod tests;
