//! Verdicts from the database: the evaluation input of a unit for a year is built from stored
//! fact forms and the map of that year, then judged by the registry in force.
//!
//! - [`evaluate_unit`]: one unit (its sub-units on the year's map, recursively, and the
//!   predecessors of merged units, so "−5 % against 2019" is summed over them). Reads only the
//!   forms of those units, for the years the standards need ([`years_needed`]).
//! - [`evaluate_scope`]: every unit in a scope (or the whole country), loading all forms of the
//!   needed years once and building every input from memory.
//! - [`evaluate_unit_for`]: [`evaluate_unit`] for a signed-in user, checked against their view
//!   scope (web and API).
//!
//! Read-only: nothing is written and nothing is audited. A fact that was not entered stays
//! missing (*chưa đủ dữ liệu*), never zero; a stored form the catalogue refuses is left out (and
//! logged), so its facts are missing too. Nothing here caches a verdict.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;
use std::sync::Arc;

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::case;
use binhyen_core::diag::SourceFile;
use binhyen_core::fact::{Facts, Provenance, UnitInput, UnitRef};
use binhyen_core::standard::{EvalError, Evaluation, ParamType, ParamValue, Registry};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_store::facts::{self, FormRow};
use binhyen_store::{Db, DbErr};
use chrono::NaiveDate;

use super::{Actor, Ctx, ServiceError};

/// Why an evaluation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// No such unit on the map.
    #[error("unknown unit {0}")]
    UnknownUnit(UnitId),
    /// An unknown standard, or one that does not judge this unit or year.
    #[error("standard: {0:?}")]
    Standard(EvalError),
    /// The caller may not see this unit, or a database failure.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<DbErr> for EvaluationError {
    fn from(e: DbErr) -> EvaluationError {
        EvaluationError::Service(ServiceError::Db(e))
    }
}

impl EvaluationError {
    /// One sentence for a person, in `locale`.
    pub fn message(&self, locale: &str) -> String {
        match self {
            EvaluationError::UnknownUnit(_) => ServiceError::NotFound.message(locale),
            EvaluationError::Standard(e) => e.message().render(locale),
            EvaluationError::Service(e) => e.message(locale),
        }
    }
}

/// The years whose facts an evaluation for `year` reads: the year itself, the previous year
/// (`previous(…)`) and every year a parameter of a version in force names (`in_year(param.
/// baseline_year, …)`, 2019 for Decision 926), ascending.
pub fn years_needed(reg: &Registry, year: i32) -> Vec<i32> {
    let mut years = vec![year - 1, year];
    for v in reg.versions().iter().filter(|v| v.covers_year(year)) {
        let on = v.reference_date(year);
        for p in v.params.iter().filter(|p| p.ty == ParamType::Year) {
            if let Some((_, dv)) = p.value_on(on)
                && let ParamValue::Int(y) = dv.value
                && let Ok(y) = i32::try_from(y)
                && y <= year
            {
                years.push(y);
            }
        }
    }
    years.sort_unstable();
    years.dedup();
    years
}

/// The needed years as few contiguous ranges (one query each).
fn year_ranges(years: &[i32]) -> Vec<RangeInclusive<i32>> {
    let mut out: Vec<RangeInclusive<i32>> = Vec::new();
    for &y in years {
        match out.last_mut() {
            Some(r) if *r.end() + 1 == y => *r = *r.start()..=y,
            _ => out.push(y..=y),
        }
    }
    out
}

/// The day whose map an evaluation of `year` reads: 31/12 of the year, moved inside the stored
/// map when the map begins later (the official lists start on 01/05/2024), and inside the
/// unit's life when it ended during the year (a commune merged on 01/07/2025) or began after it.
pub fn map_date(atlas: &Atlas, unit: Option<UnitId>, year: i32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    if let Some(h) = atlas.horizon() {
        d = d.max(h);
    }
    if let Some(life) = unit.and_then(|u| atlas.unit(u)).map(|u| u.lifetime()) {
        if let Some(end) = life.to
            && end <= d
        {
            d = end.pred_opt().unwrap_or(end);
        }
        if life.from > d {
            d = life.from;
        }
    }
    d
}

/// Who a unit is on `date`, with the code of its province (for province-specific standards).
pub fn unit_ref(atlas: &Atlas, id: UnitId, date: NaiveDate) -> Option<UnitRef> {
    let unit = atlas.unit(id)?;
    let v = unit.version_at(date).unwrap_or_else(|| unit.last());
    let province = atlas
        .ancestor_of_kind(id, date, UnitKind::Province)
        .and_then(|p| atlas.version_at(p, date))
        .map(|p| p.code.clone());
    Some(UnitRef {
        id: Some(id),
        code: v.code.clone(),
        name: v.name.clone(),
        kind: unit.kind,
        province,
    })
}

/// Stored facts decoded, by unit and year (several forms of one unit and year merged).
#[derive(Default)]
pub struct FactBase {
    by_unit: HashMap<UnitId, BTreeMap<i32, Facts>>,
}

impl FactBase {
    /// Decodes stored forms against the catalogue. A form of a unit the map does not know, or
    /// one the catalogue refuses, is left out with a warning: its facts stay missing.
    pub fn decode(rows: Vec<FormRow>, atlas: &Atlas, reg: &Registry) -> FactBase {
        let mut base = FactBase::default();
        for row in rows {
            let Some(kind) = atlas.unit(row.unit_id).map(|u| u.kind) else {
                continue;
            };
            let provenance = Arc::new(Provenance {
                entered_by: Some(row.updated_by_name),
                entered_at: Some(row.updated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            });
            let path = format!("fact_form:{}/{}/{}", row.unit_id, row.year, row.form);
            let file = SourceFile::new(path, row.data);
            match case::parse_facts(&file, reg, kind, row.year, Some(&provenance)) {
                Ok(f) => base
                    .by_unit
                    .entry(row.unit_id)
                    .or_default()
                    .entry(row.year)
                    .or_default()
                    .absorb(f),
                Err(problems) => tracing::warn!(
                    "{} left out of the evaluation: {}",
                    file.path,
                    binhyen_core::diag::render_all(&problems, "en")
                ),
            }
        }
        base
    }

    /// The facts of a unit, moved out (every unit appears once in the tree of a date).
    fn take(&mut self, id: UnitId) -> BTreeMap<i32, Facts> {
        self.by_unit.remove(&id).unwrap_or_default()
    }

    /// The facts of a unit, copied (a predecessor may be shared by several successors).
    fn copy(&self, id: UnitId) -> BTreeMap<i32, Facts> {
        self.by_unit.get(&id).cloned().unwrap_or_default()
    }
}

/// Builds evaluation inputs from the map and decoded facts.
struct Builder<'a> {
    atlas: &'a Atlas,
    /// The map's date for the year.
    date: NaiveDate,
    /// The earliest day an earlier year needs (predecessors are followed back to it).
    earliest: NaiveDate,
}

impl Builder<'_> {
    fn new<'a>(atlas: &'a Atlas, reg: &Registry, unit: Option<UnitId>, year: i32) -> Builder<'a> {
        let first = years_needed(reg, year)[0];
        Builder {
            atlas,
            date: map_date(atlas, unit, year),
            earliest: NaiveDate::from_ymd_opt(first, 12, 31).unwrap_or(NaiveDate::MIN),
        }
    }

    /// The unit and everything under it on the date.
    fn subtree_ids(&self, id: UnitId, out: &mut Vec<UnitId>) {
        out.push(id);
        for c in self.atlas.children(id, self.date) {
            self.subtree_ids(c, out);
        }
    }

    /// The units a unit was formed from, transitively back to the earliest year needed.
    fn predecessor_ids(&self, id: UnitId, depth: usize, out: &mut Vec<UnitId>) {
        let Some(u) = self.atlas.unit(id) else { return };
        if depth > 8 || u.lifetime().from <= self.earliest {
            return;
        }
        for link in self.atlas.direct_predecessors(id) {
            if !out.contains(&link.other) {
                out.push(link.other);
                self.predecessor_ids(link.other, depth + 1, out);
            }
        }
    }

    /// Every unit whose facts the input of `id` reads.
    fn units_read(&self, id: UnitId) -> Vec<UnitId> {
        let mut tree = Vec::new();
        self.subtree_ids(id, &mut tree);
        let mut preds = Vec::new();
        for &u in &tree {
            self.predecessor_ids(u, 0, &mut preds);
        }
        tree.extend(preds);
        tree.sort_unstable();
        tree.dedup();
        tree
    }

    /// The input of `id` with its sub-units (recursively) and predecessors.
    fn input(&self, id: UnitId, facts: &mut FactBase) -> Option<UnitInput> {
        let unit = unit_ref(self.atlas, id, self.date)?;
        let mut input = UnitInput::new(unit);
        input.years = facts.take(id);
        input.predecessors = self.predecessors(id, 0, facts);
        input.subunits = Some(
            self.atlas
                .children(id, self.date)
                .into_iter()
                .filter_map(|c| self.input(c, facts))
                .collect(),
        );
        Some(input)
    }

    fn predecessors(&self, id: UnitId, depth: usize, facts: &FactBase) -> Vec<UnitInput> {
        let Some(u) = self.atlas.unit(id) else {
            return vec![];
        };
        if depth > 8 || u.lifetime().from <= self.earliest {
            return vec![];
        }
        self.atlas
            .direct_predecessors(id)
            .into_iter()
            .filter_map(|link| {
                let p = self.atlas.unit(link.other)?;
                let last_day = p.lifetime().to.and_then(|d| d.pred_opt())?;
                let mut input = UnitInput::new(unit_ref(self.atlas, link.other, last_day)?);
                input.years = facts.copy(link.other);
                input.predecessors = self.predecessors(link.other, depth + 1, facts);
                Some(input)
            })
            .collect()
    }
}

/// Loads the forms of `units` (or of every unit when `None`) for the years needed.
async fn load(
    db: &impl Db,
    atlas: &Atlas,
    reg: &Registry,
    units: Option<&[UnitId]>,
    year: i32,
) -> Result<FactBase, DbErr> {
    let mut rows = Vec::new();
    for range in year_ranges(&years_needed(reg, year)) {
        rows.extend(match units {
            Some(ids) => facts::forms_of_units(db, ids, range).await?,
            None => facts::forms_in_years(db, range).await?,
        });
    }
    Ok(FactBase::decode(rows, atlas, reg))
}

/// Judges one unit: every applicable standard, or only `standard`.
fn judge(
    reg: &Registry,
    input: &UnitInput,
    year: i32,
    standard: Option<&str>,
    explain: bool,
) -> Result<Vec<Evaluation>, EvalError> {
    match standard {
        Some(id) => reg.evaluate(input, year, id, explain).map(|e| vec![e]),
        None => Ok(reg.evaluate_all(input, year, explain)),
    }
}

/// The verdicts of `unit` for `year` from the stored facts: every standard that applies to it
/// (or only `standard`), judged by `reg`. `explain` adds the sentences and the trace.
///
/// Reads the facts of the unit, of its sub-units on the year's map (recursively: a district's
/// communes and their residential areas) and of its predecessors (a merged commune's 2019
/// figures are the sum of the units it was formed from), for the year, the previous year and
/// the baseline years. Missing facts stay missing. No permission check: see
/// [`evaluate_unit_for`].
pub async fn evaluate_unit(
    db: &impl Db,
    atlas: &Atlas,
    reg: &Registry,
    unit: UnitId,
    year: i32,
    standard: Option<&str>,
    explain: bool,
) -> Result<Vec<Evaluation>, EvaluationError> {
    let input = unit_input(db, atlas, reg, unit, year).await?;
    judge(reg, &input, year, standard, explain).map_err(EvaluationError::Standard)
}

/// The evaluation input of `unit` for `year`, built from the database (what
/// [`evaluate_unit`] judges; also written out as a case file by `binhyen evaluate`).
pub async fn unit_input(
    db: &impl Db,
    atlas: &Atlas,
    reg: &Registry,
    unit: UnitId,
    year: i32,
) -> Result<UnitInput, EvaluationError> {
    if atlas.unit(unit).is_none() {
        return Err(EvaluationError::UnknownUnit(unit));
    }
    let b = Builder::new(atlas, reg, Some(unit), year);
    let ids = b.units_read(unit);
    let mut facts = load(db, atlas, reg, Some(&ids), year).await?;
    b.input(unit, &mut facts)
        .ok_or(EvaluationError::UnknownUnit(unit))
}

/// [`evaluate_unit`] for a signed-in user: refused unless `unit` lies in one of their view
/// scopes (checked on the year's map date).
#[allow(clippy::too_many_arguments)]
pub async fn evaluate_unit_for(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    unit: UnitId,
    year: i32,
    standard: Option<&str>,
    explain: bool,
) -> Result<Vec<Evaluation>, EvaluationError> {
    may_view(ctx, actor, atlas, unit, year)?;
    evaluate_unit(ctx.store, atlas, reg, unit, year, standard, explain).await
}

/// Whether `actor` may see the verdicts of `unit` for `year` (unknown units are not found).
pub fn may_view(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    unit: UnitId,
    year: i32,
) -> Result<(), EvaluationError> {
    if atlas.unit(unit).is_none() {
        return Err(EvaluationError::UnknownUnit(unit));
    }
    let need = Need {
        capability: Capability::View,
        target: Scope::Unit(unit),
        on: map_date(atlas, Some(unit), year).min(ctx.today()),
    };
    authz::authorize(&actor.grants, &need, ctx.units)
        .map(|_| ())
        .map_err(|d| EvaluationError::Service(ServiceError::Denied(d)))
}

/// The verdicts of every unit in `scope` (the unit and everything under it on the year's map;
/// `None`: the whole country) for `year`, in tree order. Loads the forms of the needed years
/// once and builds every input from memory. With `standard`, only the units it judges.
pub async fn evaluate_scope(
    db: &impl Db,
    atlas: &Atlas,
    reg: &Registry,
    scope: Option<UnitId>,
    year: i32,
    standard: Option<&str>,
    explain: bool,
) -> Result<Vec<Evaluation>, EvaluationError> {
    let mut out = Vec::new();
    scope_inputs(db, atlas, reg, scope, year, |input| {
        walk(input, &mut |u| {
            match judge(reg, u, year, standard, explain) {
                Ok(mut e) => out.append(&mut e),
                // in a scope, a standard judges only some of the units
                Err(EvalError::NotForKind { .. } | EvalError::NoVersion { .. }) => {}
                Err(e) => return Err(EvaluationError::Standard(e)),
            }
            Ok(())
        })
    })
    .await?;
    Ok(out)
}

/// Builds the inputs of the top units of `scope` (the scope itself, or every province) and
/// hands each to `each`.
pub async fn scope_inputs(
    db: &impl Db,
    atlas: &Atlas,
    reg: &Registry,
    scope: Option<UnitId>,
    year: i32,
    mut each: impl FnMut(&UnitInput) -> Result<(), EvaluationError>,
) -> Result<(), EvaluationError> {
    if let Some(s) = scope
        && atlas.unit(s).is_none()
    {
        return Err(EvaluationError::UnknownUnit(s));
    }
    let b = Builder::new(atlas, reg, scope, year);
    let (tops, mut facts) = match scope {
        Some(s) => {
            let ids = b.units_read(s);
            (vec![s], load(db, atlas, reg, Some(&ids), year).await?)
        }
        None => (atlas.roots(b.date), load(db, atlas, reg, None, year).await?),
    };
    for top in tops {
        if let Some(input) = b.input(top, &mut facts) {
            each(&input)?;
        }
    }
    Ok(())
}

/// Calls `f` on a unit and every sub-unit below it, parents first.
pub fn walk<E>(
    input: &UnitInput,
    f: &mut impl FnMut(&UnitInput) -> Result<(), E>,
) -> Result<(), E> {
    f(input)?;
    for s in input.subunits.iter().flatten() {
        walk(s, f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_needed_include_the_previous_year_and_the_2019_baseline() {
        let reg = Registry::builtin();
        let y = years_needed(reg, 2024);
        assert!(
            y.contains(&2019) && y.contains(&2023) && y.contains(&2024),
            "{y:?}"
        );
        assert_eq!(year_ranges(&y), vec![2019..=2019, 2023..=2024]);
        assert_eq!(year_ranges(&[2020, 2021, 2022]), vec![2020..=2022]);
    }
}
