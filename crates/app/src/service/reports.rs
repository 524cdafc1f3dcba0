//! The figures of a scope's yearly documents, computed at request time:
//!
//! - [`yearly`]: the summary by unit — one row per district and commune of the scope on the
//!   year's map (districts exist before 01/07/2025) with each standard's computed verdict, the
//!   dossier's state and the recognition (decision), and crimes against social order this year
//!   and the previous one. ONE scope evaluation ([`plans::Verdicts::scope`], memoised), the store's
//!   dossier and decision lists of the year, the crime figures summed as the dashboard sums them
//!   ([`plans::Figures`]) — never an evaluation per unit.
//! - [`yearly_report`]: the above with the plans of the scope ([`plans::progress_with`], reading
//!   the same memoised evaluation) and the year-over-year crime table ([`dashboard::crime_changes`]).
//!
//! Read-only and checked against the caller's view scope.

use std::collections::{BTreeMap, HashMap, HashSet};

use binhyen_core::standard::{Evaluation, Purpose, Registry, Verdict};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_core::workflow::State;
use binhyen_store::workflow::{self as store, DecisionRow};
use chrono::NaiveDate;

use super::dashboard::{self, CRIME_FIELD, CrimeRow};
use super::evaluation::{self, map_date};
use super::plans::{self, Figures, PlanProgress, Verdicts};
use super::{Actor, Ctx, ServiceError};

/// A standard judged in the scope.
#[derive(Clone, Debug)]
pub struct StandardRef {
    pub id: String,
    /// Its name in Vietnamese (documents are Vietnamese).
    pub name: String,
    pub purpose: Purpose,
}

impl StandardRef {
    fn of(e: &Evaluation) -> StandardRef {
        StandardRef {
            id: e.standard.id.clone(),
            name: e.standard.name.get("vi").to_owned(),
            purpose: e.standard.purpose,
        }
    }
}

/// The dossier of a unit for one standard.
#[derive(Clone, Debug)]
pub struct Standing {
    pub state: State,
    /// The latest decision naming the dossier (recognition or revocation).
    pub decision: Option<DecisionRow>,
}

/// One row of the summary.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    /// "Xã", "Phường", "Huyện"… as on the map.
    pub unit_type: String,
    /// Computed verdicts by standard id.
    pub verdicts: HashMap<String, Verdict>,
    /// Dossiers by standard id.
    pub dossiers: HashMap<String, Standing>,
    /// Crimes against social order (`None`: not entered, never 0).
    pub crimes: Option<i64>,
    pub crimes_previous: Option<i64>,
}

/// The summary of a scope for a year.
#[derive(Clone, Debug)]
pub struct YearlySummary {
    pub scope: UnitId,
    pub scope_code: String,
    pub scope_name: String,
    pub year: i32,
    /// The map date the rows are read on.
    pub date: NaiveDate,
    /// The standards judged in the scope, in the order first met in the tree.
    pub standards: Vec<StandardRef>,
    pub rows: Vec<SummaryRow>,
    /// Every evaluation of the scope (residential areas and organisations included).
    pub evaluations: Vec<Evaluation>,
}

/// The districts and communes under `scope` (and the scope itself when it is one) on `date`,
/// parents first.
fn rows_of(atlas: &Atlas, scope: UnitId, date: NaiveDate) -> Vec<UnitId> {
    let mut out = Vec::new();
    let mut stack = vec![scope];
    while let Some(u) = stack.pop() {
        match atlas.unit(u).map(|x| x.kind) {
            Some(UnitKind::District | UnitKind::Commune) => out.push(u),
            Some(UnitKind::Province) => {}
            _ => continue,
        }
        stack.extend(atlas.children(u, date).into_iter().rev());
    }
    out
}

/// The summary by unit of `scope` for `year` (view scope checked).
pub async fn yearly(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: UnitId,
    year: i32,
) -> Result<YearlySummary, ServiceError> {
    evaluation::may_view(ctx, actor, atlas, scope, year)?;
    let date = map_date(atlas, Some(scope), year);
    let scope_version = atlas
        .version_at(scope, date)
        .ok_or(ServiceError::NotFound)?;
    // The scope's run, shared with the dashboards and the plan targets until the next commit.
    let evaluations = Verdicts::default()
        .scope(ctx.store, atlas, reg, Some(scope), year, false)
        .await?
        .to_vec();
    let ids = rows_of(atlas, scope, date);
    let wanted: HashSet<UnitId> = ids.iter().copied().collect();

    let mut standards: Vec<StandardRef> = Vec::new();
    let mut verdicts: HashMap<UnitId, HashMap<String, Verdict>> = HashMap::new();
    for e in &evaluations {
        let Some(u) = e.unit.id.filter(|u| wanted.contains(u)) else {
            continue;
        };
        if !standards.iter().any(|s| s.id == e.standard.id) {
            standards.push(StandardRef::of(e));
        }
        verdicts
            .entry(u)
            .or_default()
            .insert(e.standard.id.clone(), e.verdict);
    }

    let decisions = store::decisions(ctx.store, Some(year)).await?;
    let mut latest: HashMap<i64, &DecisionRow> = HashMap::new();
    for d in &decisions {
        for (_, dossier) in &d.units {
            let slot = latest.entry(*dossier).or_insert(d);
            if (d.signed_on, d.id) > (slot.signed_on, slot.id) {
                *slot = d;
            }
        }
    }
    let mut dossiers: HashMap<UnitId, HashMap<String, Standing>> = HashMap::new();
    for row in store::dossiers(ctx.store, Some(year), None).await? {
        if !wanted.contains(&row.unit_id) {
            continue;
        }
        let Some(state) = State::parse(&row.state, row.level.as_deref()) else {
            continue;
        };
        dossiers.entry(row.unit_id).or_default().insert(
            row.standard.clone(),
            Standing {
                state,
                decision: latest.get(&row.id).map(|d| (*d).clone()),
            },
        );
    }

    let figures = Figures::load(
        ctx.store,
        atlas,
        reg,
        CRIME_FIELD,
        &ids,
        date,
        &[year - 1, year],
    )
    .await?;
    let rows = ids
        .iter()
        .filter_map(|&u| {
            let v = atlas.version_at(u, date)?;
            Some(SummaryRow {
                unit: u,
                code: v.code.clone(),
                name: v.name.clone(),
                unit_type: v.unit_type.clone(),
                verdicts: verdicts.remove(&u).unwrap_or_default(),
                dossiers: dossiers.remove(&u).unwrap_or_default(),
                crimes: figures.value(u, year, date, 0),
                crimes_previous: figures.value(u, year - 1, date, 0),
            })
        })
        .collect();
    Ok(YearlySummary {
        scope,
        scope_code: scope_version.code.clone(),
        scope_name: scope_version.name.clone(),
        year,
        date,
        standards,
        rows,
        evaluations,
    })
}

/// Verdicts counted for one standard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub judged: u32,
    pub met: u32,
    pub not_met: u32,
    pub insufficient: u32,
}

/// A rule that units did not meet, with how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingRule {
    pub standard: String,
    pub rule: String,
    pub title: String,
    pub units: u32,
}

impl YearlySummary {
    /// The verdicts of every unit of the scope, counted by standard (standards in the order
    /// first met).
    pub fn tallies(&self) -> Vec<(StandardRef, Tally)> {
        let mut out: Vec<(StandardRef, Tally)> = Vec::new();
        for e in &self.evaluations {
            let i = match out.iter().position(|(s, _)| s.id == e.standard.id) {
                Some(i) => i,
                None => {
                    out.push((StandardRef::of(e), Tally::default()));
                    out.len() - 1
                }
            };
            let t = &mut out[i].1;
            t.judged += 1;
            match e.verdict {
                Verdict::Met => t.met += 1,
                Verdict::NotMet => t.not_met += 1,
                Verdict::Insufficient => t.insufficient += 1,
            }
        }
        out
    }

    /// The rules not met by units whose verdict is *chưa đạt* (warning standards left out),
    /// most frequent first, at most `limit`.
    pub fn failing_rules(&self, limit: usize) -> Vec<FailingRule> {
        let mut count: BTreeMap<(String, String), (String, u32)> = BTreeMap::new();
        for e in self
            .evaluations
            .iter()
            .filter(|e| e.verdict == Verdict::NotMet && e.standard.purpose != Purpose::Flag)
        {
            for r in e.rules.iter().filter(|r| r.verdict == Verdict::NotMet) {
                count
                    .entry((e.standard.id.clone(), r.id.clone()))
                    .or_insert_with(|| (r.title.get("vi").to_owned(), 0))
                    .1 += 1;
            }
        }
        let mut out: Vec<FailingRule> = count
            .into_iter()
            .map(|((standard, rule), (title, units))| FailingRule {
                standard,
                rule,
                title,
                units,
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.units));
        out.truncate(limit);
        out
    }

    /// The districts and communes whose verdict is *chưa đạt* for a standard that is not a
    /// warning: (row, standard, ids of the rules not met).
    pub fn not_meeting(&self) -> Vec<(&SummaryRow, &Evaluation, Vec<&str>)> {
        let rows: HashMap<UnitId, &SummaryRow> = self.rows.iter().map(|r| (r.unit, r)).collect();
        self.evaluations
            .iter()
            .filter(|e| e.verdict == Verdict::NotMet && e.standard.purpose != Purpose::Flag)
            .filter_map(|e| {
                let row = rows.get(&e.unit.id?)?;
                let failing = e
                    .rules
                    .iter()
                    .filter(|r| r.verdict == Verdict::NotMet)
                    .map(|r| r.id.as_str())
                    .collect();
                Some((*row, e, failing))
            })
            .collect()
    }
}

/// Everything the province's yearly report shows.
pub struct YearlyFigures {
    pub summary: YearlySummary,
    /// The plans whose scope lies in the report's scope, with the targets of the year.
    pub plans: Vec<PlanProgress>,
    /// Crimes against social order per unit directly under the scope, and the total last.
    pub crime: Vec<CrimeRow>,
}

/// The figures of the yearly report of `scope` for `year` (view scope checked).
pub async fn yearly_report(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: UnitId,
    year: i32,
) -> Result<YearlyFigures, ServiceError> {
    let summary = yearly(ctx, actor, atlas, reg, scope, year).await?;
    let mut verdicts = Verdicts::default();
    let mut progress = Vec::new();
    for p in plans::list(ctx, actor).await? {
        let inside = p
            .row
            .scope_unit_id
            .is_some_and(|s| ctx.units.within(scope, s));
        if inside && p.plan.targets.iter().any(|t| t.year == year) {
            progress.push(
                plans::progress_with(ctx, actor, atlas, reg, p.row.id, Some(year), &mut verdicts)
                    .await?,
            );
        }
    }
    let crime = dashboard::crime_changes(ctx, actor, atlas, reg, scope, year).await?;
    Ok(YearlyFigures {
        summary,
        plans: progress,
        crime,
    })
}
