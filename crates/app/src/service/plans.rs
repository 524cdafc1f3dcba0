//! Plans and their progress: import a plan file (scope checked, audited), list and show plans,
//! and compute each target's progress from the database at request time.
//!
//! - **Actual** (count and share targets): the counted units holding a recognition for the
//!   target's standard and year (the `recognitions` list written by decisions), not revoked.
//! - **Forecast**: the counted units whose computed verdict for that standard and year is *đạt*
//!   ([`evaluation::evaluate_scope`]).
//! - **Reduction** targets: each counted unit's figure for the year against its baseline year,
//!   summed from the units below it, or from its predecessors for a unit formed later.
//!
//! **Across the reform** (ARCHITECTURE.md "Plans across the reform"): the units a plan counts
//! for a year are the units of its scope on the year's map date — 31/12 of the year, moved into
//! the scope's life: for Trà Vinh in 2025, 30/06/2025, the 85 pre-reform communes. A counted unit
//! that no longer exists on 31/12 of the year is recognised (or judged *đạt*) when it holds the
//! recognition itself, or when **every** unit holding its territory on 31/12 (its successors by
//! the Atlas lineage) holds it. The same rule gives the forecast. When no unit of the counted
//! level exists on that date (districts after 01/07/2025), the last day they existed is used.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::catalogue::RECOGNITIONS;
use binhyen_core::diag::{Diagnostic, Location, Message, SourceFile};
use binhyen_core::plan::{self, Measure, Plan, Status, Target, TargetKind};
use binhyen_core::standard::{EvalError, Evaluation, Registry, Verdict};
use binhyen_core::text::format_int;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_store::facts;
use binhyen_store::plans::{self as store, PlanRow, TargetRow};
use binhyen_store::workflow::By;
use binhyen_store::{Db, DbErr, Store};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

use super::evaluation::{self, EvaluationError, map_date};
use super::workflow::RECOGNITION_FORM;
use super::{Actor, Audit, Check, Ctx, ServiceError, begin};

/// Why a plan was not imported.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file has problems (each with its place).
    #[error("invalid plan file")]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<DbErr> for PlanError {
    fn from(e: DbErr) -> PlanError {
        PlanError::Service(ServiceError::Db(e))
    }
}

impl From<EvaluationError> for ServiceError {
    fn from(e: EvaluationError) -> ServiceError {
        match e {
            EvaluationError::Service(s) => s,
            EvaluationError::UnknownUnit(_) => ServiceError::NotFound,
            // A standard id from the request (a query string, a plan): bad input, in Vietnamese.
            EvaluationError::Standard(EvalError::UnknownStandard { id, .. }) => {
                ServiceError::invalid("standard", "service.unknown_standard", id)
            }
            EvaluationError::Standard(e) => ServiceError::Internal(e.message().render("en")),
        }
    }
}

impl PlanError {
    /// Every problem, one per line, in `locale`.
    pub fn message(&self, locale: &str) -> String {
        match self {
            PlanError::Invalid(d) => binhyen_core::diag::render_all(d, locale),
            PlanError::Service(e) => e.message(locale),
        }
    }
}

/// A stored plan with its targets.
#[derive(Clone, Debug)]
pub struct StoredPlan {
    pub row: PlanRow,
    pub plan: Plan,
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn decode(row: PlanRow, targets: &[TargetRow]) -> Result<StoredPlan, ServiceError> {
    let bad = |e: serde_json::Error| ServiceError::Internal(format!("plan {}: {e}", row.id));
    let mut plan: Plan = serde_json::from_str(&row.data).map_err(bad)?;
    plan.targets = targets
        .iter()
        .filter(|t| t.plan_id == row.id)
        .map(|t| serde_json::from_str(&t.data))
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    Ok(StoredPlan { row, plan })
}

/// Reads, checks and stores a plan file. The scope code must name a unit on the plan's date
/// (or on the map's first day, when the stored map begins after the plan);
/// the actor needs the administrator's capability over that scope (the whole country for a
/// national plan), as for the year's deadlines. Importing the same number and issuer again
/// replaces the plan; the audit entry keeps both files' SHA-256.
pub async fn import(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    registry: &Registry,
    file: &SourceFile,
) -> Result<StoredPlan, PlanError> {
    let plan = plan::parse(file, registry).map_err(PlanError::Invalid)?;
    let on = atlas.horizon().map_or(plan.date, |h| plan.date.max(h));
    let scope = match &plan.scope {
        None => Scope::Country,
        Some(code) => match atlas.find_code(code, on) {
            Some(u) => Scope::Unit(u),
            None => {
                let line = file
                    .text
                    .lines()
                    .position(|l| l.trim_start().starts_with("scope"))
                    .unwrap_or(0);
                return Err(PlanError::Invalid(vec![Diagnostic::at(
                    Location {
                        path: file.path.clone(),
                        line: line as u32 + 1,
                        column: 1,
                    },
                    Message::new("plan.err.unknown_scope")
                        .arg("code", code.clone())
                        .arg("date", binhyen_core::text::format_date(on)),
                )]));
            }
        },
    };
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(Capability::ManageUsers, scope, ctx.today()),
    )
    .await?;
    let head = Plan {
        targets: vec![],
        ..plan.clone()
    };
    let row = PlanRow {
        id: 0,
        number: plan.number.clone(),
        signed_on: plan.date,
        issuer: plan.issuer.clone(),
        scope_unit_id: scope.unit(),
        title: plan.title.clone(),
        source_path: file.path.clone(),
        source_text: file.text.clone(),
        data: serde_json::to_string(&head).map_err(|e| ServiceError::Internal(e.to_string()))?,
        imported_at: ctx.now,
        by: By {
            id: actor.id,
            name: actor.display_name.clone(),
        },
    };
    let targets: Vec<TargetRow> = plan
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| TargetRow {
            id: 0,
            plan_id: 0,
            position: i as i32,
            key: t.id.clone(),
            year: t.year,
            kind: t.kind.as_str().to_owned(),
            data: serde_json::to_string(t).unwrap_or_default(),
        })
        .collect();
    let (saved, old) = store::save_plan(change.tx(), &row, &targets).await?;
    change
        .commit(
            Audit::new("plan.import", "plan", saved.id)
                .unit(scope)
                .details(json!({
                    "number": plan.number,
                    "issuer": plan.issuer,
                    "file": file.path,
                    "sha256": sha256(&file.text),
                    "targets": targets.len(),
                    "replaced_sha256": old.map(|o| sha256(&o.source_text)),
                })),
        )
        .await?;
    Ok(StoredPlan { row: saved, plan })
}

/// Imports the plans shipped with the product (QĐ 926, KH 85 Trà Vinh, KH 272 Yên Bái).
pub async fn import_builtin(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    registry: &Registry,
) -> Result<Vec<StoredPlan>, PlanError> {
    let mut out = Vec::new();
    for f in plan::builtin_files() {
        out.push(import(ctx, actor, atlas, registry, &f).await?);
    }
    Ok(out)
}

fn may_view_scope(ctx: &Ctx<'_>, actor: &Actor, scope: Option<UnitId>) -> bool {
    let need = Need {
        capability: Capability::View,
        target: scope.map_or(Scope::Country, Scope::Unit),
        on: ctx.today(),
    };
    authz::authorize(&actor.grants, &need, ctx.units).is_ok()
}

/// The plans the actor may see (their scope lies in one of the actor's view scopes), oldest first.
pub async fn list(ctx: &Ctx<'_>, actor: &Actor) -> Result<Vec<StoredPlan>, ServiceError> {
    let rows: Vec<PlanRow> = store::plans(ctx.store)
        .await?
        .into_iter()
        .filter(|p| may_view_scope(ctx, actor, p.scope_unit_id))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let targets = store::targets(ctx.store, Some(&ids)).await?;
    rows.into_iter().map(|r| decode(r, &targets)).collect()
}

/// One plan, if the actor may see it.
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> Result<StoredPlan, ServiceError> {
    let row = store::plan(ctx.store, id)
        .await?
        .filter(|p| may_view_scope(ctx, actor, p.scope_unit_id))
        .ok_or(ServiceError::NotFound)?;
    let targets = store::targets(ctx.store, Some(&[row.id])).await?;
    decode(row, &targets)
}

/// One counted unit of a target.
#[derive(Clone, Debug, Serialize)]
pub struct UnitProgress {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    /// Recognised for the target's standard and year (itself or through all its successors).
    pub recognised: bool,
    /// Computed verdict (itself, or *đạt* when all its successors are).
    pub verdict: Option<Verdict>,
    /// The successors whose recognitions or verdicts stood in for it (a unit merged away).
    pub via: Vec<UnitId>,
    /// Reduction targets: the year's figure and the baseline's, and whether it is met.
    pub figure: Option<i64>,
    pub baseline: Option<i64>,
    pub met: Option<bool>,
}

/// Where a target stands.
#[derive(Clone, Debug, Serialize)]
pub struct TargetProgress {
    pub target: Target,
    /// The map date of the counted units.
    pub frame: NaiveDate,
    pub counted: u32,
    pub required: u32,
    /// Units recognised (count, share) or meeting the reduction (known figures only).
    pub actual: u32,
    pub status: Status,
    /// Units judged *đạt* by the computed verdicts (count, share).
    pub forecast: Option<u32>,
    pub forecast_status: Option<Status>,
    /// Counted units that were merged away and are counted through their successors.
    pub carried: u32,
    pub units: Vec<UnitProgress>,
}

impl TargetProgress {
    /// The actual share as printed ("28,57 %"), when there are counted units.
    pub fn actual_share(&self) -> Option<String> {
        (self.counted > 0)
            .then(|| binhyen_core::text::format_percent(self.actual.into(), self.counted.into()))
    }
}

/// A plan with the progress of its targets.
#[derive(Clone, Debug)]
pub struct PlanProgress {
    pub plan: StoredPlan,
    /// Shared with the memo (and every other request at the same revision).
    pub targets: Arc<Vec<TargetProgress>>,
}

/// The progress of every target of plan `id` (or only those of `year`), computed now.
pub async fn progress(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    registry: &Registry,
    id: i64,
    year: Option<i32>,
) -> Result<PlanProgress, ServiceError> {
    progress_with(
        ctx,
        actor,
        atlas,
        registry,
        id,
        year,
        &mut Verdicts::default(),
    )
    .await
}

/// [`progress`], reusing (and filling) `verdicts`: several plans or targets on the same
/// provinces and years evaluate each (province, year) once. The targets' progress is memoised
/// by the store until the next committed change ([`binhyen_store::Store::memoized`]), keyed by
/// the plan, the year, the map and the standards in force; the access check is made first,
/// for every caller.
#[allow(clippy::too_many_arguments)]
pub async fn progress_with(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    registry: &Registry,
    id: i64,
    year: Option<i32>,
    verdicts: &mut Verdicts,
) -> Result<PlanProgress, ServiceError> {
    let plan = get(ctx, actor, id).await?;
    let key = format!(
        "plan-progress:{}:{}:{id}:{year:?}",
        atlas.build_id(),
        registry.build_id()
    );
    let targets = ctx
        .store
        .memoized(&key, || async {
            let mut targets = Vec::new();
            for t in plan
                .plan
                .targets
                .iter()
                .filter(|t| year.is_none_or(|y| y == t.year))
            {
                let scope = plan.row.scope_unit_id;
                targets
                    .push(target_progress(ctx.store, atlas, registry, scope, t, verdicts).await?);
            }
            Ok::<_, ServiceError>(targets)
        })
        .await?;
    Ok(PlanProgress { plan, targets })
}

/// The units a target counts, and the map date they are read on.
pub fn counted_units(atlas: &Atlas, scope: Option<UnitId>, t: &Target) -> (NaiveDate, Vec<UnitId>) {
    let collect = |date: NaiveDate| -> Vec<UnitId> {
        let mut out = Vec::new();
        let tops = match scope {
            Some(s) => vec![s],
            None => atlas.roots(date),
        };
        let mut stack = tops;
        while let Some(u) = stack.pop() {
            if let (Some(unit), Some(v)) = (atlas.unit(u), atlas.version_at(u, date))
                && unit.kind == t.units
                && (t.unit_types.is_empty() || t.unit_types.contains(&v.unit_type))
            {
                out.push(u);
            }
            stack.extend(atlas.children(u, date));
        }
        out.sort_unstable();
        out
    };
    let date = map_date(atlas, scope, t.year);
    let units = collect(date);
    if !units.is_empty() {
        return (date, units);
    }
    // The level was abolished before the date (districts on 01/07/2025): its last day.
    let last = atlas
        .units()
        .iter()
        .filter(|u| u.kind == t.units)
        .filter_map(|u| u.lifetime().to.and_then(|e| e.pred_opt()))
        .filter(|d| *d < date)
        .max();
    match last {
        Some(d) => (d, collect(d)),
        None => (date, units),
    }
}

/// The units holding `u`'s territory on 31/12 of `year` when `u` no longer exists then.
fn successors(atlas: &Atlas, u: UnitId, year: i32) -> Vec<UnitId> {
    let end = map_date(atlas, None, year);
    let alive = atlas.unit(u).is_some_and(|x| x.lifetime().contains(end));
    // A unit dissolved without successors (a district on 01/07/2025) has nobody to carry it.
    if alive || atlas.direct_successors(u).is_empty() {
        return vec![];
    }
    atlas.holders(u, end).into_iter().map(|l| l.unit).collect()
}

/// Whether a stored `registration` form's recognitions hold `standard` for `year`, not revoked.
fn holds_recognition(data: &str, standard: &str, year: i32) -> bool {
    let Ok(J::Object(map)) = serde_json::from_str::<J>(data) else {
        return false;
    };
    map.get(RECOGNITIONS)
        .and_then(J::as_array)
        .is_some_and(|list| {
            list.iter().any(|r| {
                r["standard"] == standard
                    && r["year"].as_i64() == Some(i64::from(year))
                    && r["revoked"] != J::Bool(true)
            })
        })
}

async fn target_progress(
    db: &Store,
    atlas: &Atlas,
    reg: &Registry,
    scope: Option<UnitId>,
    t: &Target,
    cache: &mut Verdicts,
) -> Result<TargetProgress, ServiceError> {
    let (frame, counted) = counted_units(atlas, scope, t);
    let name = |u: UnitId| {
        atlas
            .version_at(u, frame)
            .map(|v| (v.code.clone(), v.name.clone()))
            .unwrap_or_default()
    };
    let mut units: Vec<UnitProgress> = counted
        .iter()
        .map(|&u| {
            let (code, name) = name(u);
            UnitProgress {
                unit: u,
                code,
                name,
                recognised: false,
                verdict: None,
                via: successors(atlas, u, t.year),
                figure: None,
                baseline: None,
                met: None,
            }
        })
        .collect();
    let carried = units.iter().filter(|u| !u.via.is_empty()).count() as u32;
    let counted_n = units.len() as u32;
    let required = plan::required(t.kind, counted_n);
    let (actual, status, forecast) = match (&t.measure, t.kind) {
        (Measure::Standard(standard), _) => {
            let involved: BTreeSet<UnitId> = units
                .iter()
                .flat_map(|u| std::iter::once(u.unit).chain(u.via.iter().copied()))
                .collect();
            let ids: Vec<UnitId> = involved.iter().copied().collect();
            let recognised: BTreeSet<UnitId> = facts::forms_of_units(db, &ids, t.year..=t.year)
                .await?
                .into_iter()
                .filter(|f| f.form == RECOGNITION_FORM)
                .filter(|f| holds_recognition(&f.data, standard, t.year))
                .map(|f| f.unit_id)
                .collect();
            let verdicts = cache
                .of(db, atlas, reg, &involved, standard, t.year)
                .await?;
            for u in &mut units {
                let own_or_all = |ok: &dyn Fn(UnitId) -> bool| {
                    ok(u.unit) || (!u.via.is_empty() && u.via.iter().all(|s| ok(*s)))
                };
                u.recognised = own_or_all(&|x| recognised.contains(&x));
                let met = |x: UnitId| verdicts.get(&x) == Some(&Verdict::Met);
                u.verdict = if own_or_all(&met) {
                    Some(Verdict::Met)
                } else {
                    verdicts.get(&u.unit).copied()
                };
            }
            let actual = units.iter().filter(|u| u.recognised).count() as u32;
            let forecast = units
                .iter()
                .filter(|u| u.verdict == Some(Verdict::Met))
                .count() as u32;
            (actual, Status::of(Some(actual), required), Some(forecast))
        }
        (
            Measure::Indicator(key),
            TargetKind::Reduction {
                percent,
                baseline_year,
            },
        ) => {
            let figures = Figures::load(
                db,
                atlas,
                reg,
                key,
                &counted,
                frame,
                &[baseline_year, t.year],
            )
            .await?;
            for u in &mut units {
                u.figure = figures.value(u.unit, t.year, frame, 0);
                let base_date = map_date(atlas, None, baseline_year);
                u.baseline = figures.value(u.unit, baseline_year, base_date.max(frame), 0);
                u.met = u
                    .figure
                    .zip(u.baseline)
                    .map(|(c, b)| plan::reduction_met(c, b, percent));
            }
            let actual = units.iter().filter(|u| u.met == Some(true)).count() as u32;
            let status = if units.iter().any(|u| u.met == Some(false)) {
                Status::NotMet
            } else if units.iter().any(|u| u.met.is_none()) || units.is_empty() {
                Status::Unknown
            } else {
                Status::Met
            };
            (actual, status, None)
        }
        (Measure::Indicator(_), _) => {
            return Err(ServiceError::Internal(format!(
                "target {}: a count or share needs a standard",
                t.id
            )));
        }
    };
    Ok(TargetProgress {
        target: t.clone(),
        frame,
        counted: counted_n,
        required,
        actual,
        status,
        forecast,
        forecast_status: forecast.map(|f| Status::of(Some(f), required)),
        carried,
        units,
    })
}

/// Computed verdicts by scope and year: each (province, year) is evaluated once, for every
/// standard, however many targets read it; a dashboard's run of its scope (explained, for the
/// reasons and missing facts) serves the plan targets of the same province or of the country
/// too. Runs are shared across requests through the store's memo, which forgets them at the
/// next committed change (no verdict outlives the facts it was computed from); this map only
/// saves a request from asking the memo twice.
#[derive(Default)]
pub struct Verdicts {
    runs: HashMap<(Option<UnitId>, i32), Arc<Run>>,
}

/// One [`evaluation::evaluate_scope`] of a scope and year.
pub struct Run {
    explained: bool,
    pub evaluations: Vec<Evaluation>,
}

impl Verdicts {
    /// Every evaluation in `scope` (`None`: the country) for `year`, every standard, with the
    /// traces when `explain`: one scope evaluation per revision of the database, unless this
    /// request already has it.
    pub async fn scope(
        &mut self,
        store: &Store,
        atlas: &Atlas,
        reg: &Registry,
        scope: Option<UnitId>,
        year: i32,
        explain: bool,
    ) -> Result<&[Evaluation], ServiceError> {
        let key = (scope, year);
        if self.runs.get(&key).is_none_or(|r| explain && !r.explained) {
            let memo_key = format!(
                "scope-run:{}:{}:{scope:?}:{year}:{explain}",
                atlas.build_id(),
                reg.build_id()
            );
            let run = store
                .memoized(&memo_key, || async {
                    let evaluations =
                        evaluation::evaluate_scope(store, atlas, reg, scope, year, None, explain)
                            .await?;
                    Ok::<_, ServiceError>(Run {
                        explained: explain,
                        evaluations,
                    })
                })
                .await?;
            self.runs.insert(key, run);
        }
        Ok(&self.runs[&key].evaluations)
    }

    /// The computed verdicts of `units` for `standard` and `year`: one scope evaluation per
    /// province the units lie in (on their own map date), unless already made (or the
    /// country's was).
    async fn of(
        &mut self,
        store: &Store,
        atlas: &Atlas,
        reg: &Registry,
        units: &BTreeSet<UnitId>,
        standard: &str,
        year: i32,
    ) -> Result<HashMap<UnitId, Verdict>, ServiceError> {
        let mut tops = BTreeSet::new();
        for &u in units {
            let date = map_date(atlas, Some(u), year);
            let top = atlas
                .ancestor_of_kind(u, date, UnitKind::Province)
                .unwrap_or(u);
            tops.insert(top);
        }
        let mut out = HashMap::new();
        // The country's run (a national dashboard) covers the provinces on its map date; a
        // province that ended during the year (Trà Vinh in 2025) is read on its own last day.
        let country: BTreeSet<UnitId> = if self.runs.contains_key(&(None, year)) {
            atlas
                .roots(map_date(atlas, None, year))
                .into_iter()
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut scopes: BTreeSet<Option<UnitId>> = BTreeSet::new();
        for top in tops {
            scopes.insert((!country.contains(&top)).then_some(top));
        }
        for scope in scopes {
            for e in self.scope(store, atlas, reg, scope, year, false).await? {
                if e.standard.id == standard
                    && let Some(id) = e.unit.id
                    && units.contains(&id)
                {
                    out.insert(id, e.verdict);
                }
            }
        }
        Ok(out)
    }
}

/// Yearly figures of one catalogue field, by unit and year, with the rule that sums them.
pub struct Figures<'a> {
    atlas: &'a Atlas,
    values: HashMap<(UnitId, i32), i64>,
}

/// Where a unit's figure comes from ([`Figures::figure`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Entered for the unit itself.
    Own,
    /// The sum over the units below it.
    SubUnits,
    /// The sum over the units it was formed from (a unit formed after the year).
    Predecessors,
    /// Nothing to read or sum.
    Missing,
}

impl<'a> Figures<'a> {
    /// Loads the field's forms for `years` of every unit below `counted` (on `frame`) and of
    /// their predecessors.
    pub async fn load(
        db: &impl Db,
        atlas: &'a Atlas,
        reg: &Registry,
        key: &str,
        counted: &[UnitId],
        frame: NaiveDate,
        years: &[i32],
    ) -> Result<Figures<'a>, ServiceError> {
        let mut all = Figures::load_many(db, atlas, reg, &[key], counted, frame, years).await?;
        Ok(all.remove(0))
    }

    /// [`Figures::load`] for several figures with ONE read of the forms, in the order of
    /// `keys`. A key is a whole-number field (`households_resident`), a list field (the number
    /// of its records: `models`), the records of a list whose field has a value
    /// (`models.type=camera`, `models.effective=true`) or the sum of a list's number field
    /// (`models.cameras`). An absent field is missing; an empty list counts 0.
    pub async fn load_many(
        db: &impl Db,
        atlas: &'a Atlas,
        reg: &Registry,
        keys: &[&str],
        counted: &[UnitId],
        frame: NaiveDate,
        years: &[i32],
    ) -> Result<Vec<Figures<'a>>, ServiceError> {
        let mut ids = BTreeSet::new();
        let mut stack: Vec<(UnitId, NaiveDate, usize)> =
            counted.iter().map(|&u| (u, frame, 0)).collect();
        while let Some((u, date, depth)) = stack.pop() {
            if !ids.insert(u) || depth > 12 {
                continue;
            }
            for c in atlas.children(u, date) {
                stack.push((c, date, depth + 1));
            }
            for p in atlas.direct_predecessors(u) {
                if let Some(end) = atlas
                    .unit(p.other)
                    .and_then(|x| x.lifetime().to)
                    .and_then(|e| e.pred_opt())
                {
                    stack.push((p.other, end, depth + 1));
                }
            }
        }
        let ids: Vec<UnitId> = ids.into_iter().collect();
        let field_of = |key: &str| key.split('.').next().unwrap_or(key).to_owned();
        let groups: Vec<BTreeSet<&str>> = keys
            .iter()
            .map(|k| {
                reg.catalogue()
                    .field(&field_of(k))
                    .map(|f| f.versions.iter().map(|v| v.group.as_str()).collect())
                    .unwrap_or_default()
            })
            .collect();
        let mut out: Vec<Figures<'a>> = keys
            .iter()
            .map(|_| Figures {
                atlas,
                values: HashMap::new(),
            })
            .collect();
        for &y in years {
            for f in facts::forms_of_units(db, &ids, y..=y).await? {
                let Ok(J::Object(map)) = serde_json::from_str::<J>(&f.data) else {
                    continue;
                };
                for (i, key) in keys.iter().enumerate() {
                    if groups[i].contains(f.form.as_str())
                        && let Some(v) = read_figure(&map, key)
                    {
                        out[i].values.insert((f.unit_id, y), v);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The figure of `u` for `year`: its own when entered; else the sum over its units on
    /// `date` (not organisations); else, for a unit formed after the year, the sum over its
    /// predecessors. Unknown when any part is unknown.
    pub fn value(&self, u: UnitId, year: i32, date: NaiveDate, depth: usize) -> Option<i64> {
        self.figure(u, year, date, depth).0
    }

    /// [`Figures::value`] with where it comes from.
    pub fn figure(
        &self,
        u: UnitId,
        year: i32,
        date: NaiveDate,
        depth: usize,
    ) -> (Option<i64>, Basis) {
        if let Some(v) = self.values.get(&(u, year)) {
            return (Some(*v), Basis::Own);
        }
        if depth > 12 {
            return (None, Basis::Missing);
        }
        let kids: Vec<UnitId> = self
            .atlas
            .children(u, date)
            .into_iter()
            .filter(|c| {
                self.atlas
                    .unit(*c)
                    .is_some_and(|x| x.kind != UnitKind::Organisation)
            })
            .collect();
        if !kids.is_empty() {
            let sum: Option<i64> = kids
                .iter()
                .map(|c| self.value(*c, year, date, depth + 1))
                .sum();
            return (sum, Basis::SubUnits);
        }
        let formed_after = NaiveDate::from_ymd_opt(year, 12, 31)
            .zip(self.atlas.unit(u))
            .is_some_and(|(end, unit)| unit.lifetime().from > end);
        let preds = self.atlas.direct_predecessors(u);
        if !formed_after || preds.is_empty() {
            return (None, Basis::Missing);
        }
        let sum: Option<i64> = preds
            .iter()
            .map(|p| {
                let end = self.atlas.unit(p.other)?.lifetime().to?.pred_opt()?;
                self.value(p.other, year, end, depth + 1)
            })
            .sum();
        (sum, Basis::Predecessors)
    }
}

/// One figure of a stored form (see [`Figures::load_many`] for the keys).
pub(crate) fn read_figure(form: &serde_json::Map<String, J>, key: &str) -> Option<i64> {
    let Some((field, part)) = key.split_once('.') else {
        return match form.get(key)? {
            J::Array(records) => Some(records.len() as i64),
            v => v.as_i64(),
        };
    };
    let records = form.get(field)?.as_array()?;
    let sum = match part.split_once('=') {
        Some((f, wanted)) => records
            .iter()
            .filter(|r| match r.get(f) {
                Some(J::String(s)) => s == wanted,
                Some(J::Bool(b)) => b.to_string() == wanted,
                Some(J::Number(n)) => n.to_string() == wanted,
                _ => false,
            })
            .count() as i64,
        None => records
            .iter()
            .filter_map(|r| r.get(part).and_then(J::as_i64))
            .sum(),
    };
    Some(sum)
}

/// Words for people: the goal, the achievement and the status of a target, in `lang`.
impl TargetProgress {
    /// "43/85", "99 % (cần 85/85)", "giảm ≥ 5 % so với 2019 (mỗi đơn vị)".
    pub fn goal_text(&self, lang: &str) -> String {
        use binhyen_core::diag::tr;
        match self.target.kind {
            TargetKind::Count { count, of } => {
                format!(
                    "{}/{}",
                    format_int(count.into()),
                    format_int(of.unwrap_or(self.counted).into())
                )
            }
            TargetKind::Share { share } => tr(
                lang,
                "plan.goal.share",
                &[
                    ("share", share.format()),
                    ("required", format_int(self.required.into())),
                    ("counted", format_int(self.counted.into())),
                ],
            ),
            TargetKind::Reduction {
                percent,
                baseline_year,
            } => tr(
                lang,
                "plan.goal.reduction",
                &[
                    ("percent", percent.format()),
                    ("year", baseline_year.to_string()),
                ],
            ),
        }
    }

    /// "45/85 (52,94 %)" or, for a reduction, "5/9 đơn vị đạt".
    pub fn actual_text(&self, lang: &str) -> String {
        let share = self.actual_share().unwrap_or_else(|| "—".into());
        match self.target.kind {
            TargetKind::Reduction { .. } => binhyen_core::diag::tr(
                lang,
                "plan.actual.reduction",
                &[
                    ("met", format_int(self.actual.into())),
                    ("counted", format_int(self.counted.into())),
                ],
            ),
            _ => format!(
                "{}/{} ({share})",
                format_int(self.actual.into()),
                format_int(self.counted.into())
            ),
        }
    }

    pub fn forecast_text(&self) -> String {
        match self.forecast {
            Some(f) if self.counted > 0 => format!(
                "{}/{} ({})",
                format_int(f.into()),
                format_int(self.counted.into()),
                binhyen_core::text::format_percent(f.into(), self.counted.into())
            ),
            Some(f) => format!("{f}/0"),
            None => "—".into(),
        }
    }
}

/// The label of a status in `lang` ("đạt", "vượt", "chưa đạt", "chưa đủ dữ liệu").
pub fn status_label(s: Status, lang: &str) -> String {
    binhyen_core::diag::tr(lang, s.label_key(), &[])
}
