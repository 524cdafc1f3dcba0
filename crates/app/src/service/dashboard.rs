//! Figures for the dashboards, computed from the database when asked (no nightly job) and
//! memoised by the store until the next committed change (`Store::memoized`), so every figure
//! is current the moment a fact changes.
//!
//! - [`crime_changes`]: crimes against social order per unit directly under a scope, this year
//!   against the previous one, with the absolute change and the small-count noise flag of
//!   `core::trend` (the legal tests are unchanged; this is only how the dashboard shows it).
//! - [`plan_progress`]: the progress of every plan the actor may see, for the dashboard chart.
//! - [`province`]: a province's (district's, the country's) view — per standard the dossier
//!   states and the computed verdicts, the most frequent reasons for *chưa đạt* (the failing
//!   rules with their citations), the facts most often missing for *chưa đủ dữ liệu*, the units
//!   at QĐ18 revocation risk, the year's deadlines and the completeness of data entry.
//! - [`commune`]: a commune's (or residential area's) own view — per standard its verdict,
//!   dossier state and decision, the facts its verdicts still need, its deadlines, its forms
//!   and its crime change.
//!
//! Every verdict comes from ONE scope evaluation per request ([`plans::Verdicts::scope`],
//! explained for the traces) and is dropped with the request: a figure changes the moment a
//! fact changes (ARCHITECTURE.md: nothing caches a verdict without the facts' versions).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::diag::I18nText;
use binhyen_core::standard::{Evaluation, MissingItem, Purpose, Registry, RuleResult, Verdict};
use binhyen_core::trend::{self, Change};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_core::workflow::State;
use binhyen_store::workflow as store;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::evaluation::map_date;
use super::facts::overview::{self, Fill};
use super::plans::{self, Figures, PlanProgress, Verdicts};
use super::workflow::{self, DeadlineNote};
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

/// The progress of every plan the actor may see (all years), reading (and filling) the
/// request's `verdicts`.
pub async fn plan_progress(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    verdicts: &mut Verdicts,
) -> Result<Vec<PlanProgress>, ServiceError> {
    let mut out = Vec::new();
    for p in plans::list(ctx, actor).await? {
        out.push(plans::progress_with(ctx, actor, atlas, reg, p.row.id, None, verdicts).await?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The province and commune views

/// How many examples a reason or a missing fact names.
const EXAMPLES: usize = 3;
/// How many reasons for *chưa đạt* the province view lists.
const TOP_REASONS: usize = 10;

/// A unit as the dashboards name and link it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnitLink {
    pub id: UnitId,
    pub code: String,
    pub name: String,
}

impl UnitLink {
    fn of(atlas: &Atlas, id: UnitId, date: NaiveDate) -> UnitLink {
        let v = atlas
            .version_at(id, date)
            .or_else(|| atlas.unit(id).map(|u| u.last()));
        UnitLink {
            id,
            code: v.map(|v| v.code.clone()).unwrap_or_default(),
            name: v.map(|v| v.name.clone()).unwrap_or_default(),
        }
    }
}

/// Units per dossier state of one standard (every unit it judges is in exactly one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StateCounts {
    pub registered: u32,
    pub data_entry: u32,
    pub under_review: u32,
    /// Sent back to the unit with a reason (still in review).
    pub returned: u32,
    pub proposed: u32,
    pub recognised: u32,
    pub not_recognised: u32,
    pub revoked: u32,
    pub not_registered: u32,
}

impl StateCounts {
    fn add(&mut self, state: Option<State>) {
        let slot = match state {
            None => &mut self.not_registered,
            Some(State::Registered) => &mut self.registered,
            Some(State::DataEntry) => &mut self.data_entry,
            Some(State::UnderReview(_)) => &mut self.under_review,
            Some(State::Returned(_)) => &mut self.returned,
            Some(State::Proposed) => &mut self.proposed,
            Some(State::Recognised) => &mut self.recognised,
            Some(State::NotRecognised) => &mut self.not_recognised,
            Some(State::Revoked) => &mut self.revoked,
        };
        *slot += 1;
    }

    /// (state key, count) in the order of the workflow; `not_registered` last.
    pub fn pairs(&self) -> [(&'static str, u32); 9] {
        [
            ("registered", self.registered),
            ("data_entry", self.data_entry),
            ("under_review", self.under_review),
            ("returned", self.returned),
            ("proposed", self.proposed),
            ("recognised", self.recognised),
            ("not_recognised", self.not_recognised),
            ("revoked", self.revoked),
            ("not_registered", self.not_registered),
        ]
    }
}

/// Units per computed verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct VerdictCounts {
    pub met: u32,
    pub not_met: u32,
    pub insufficient: u32,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Met => self.met += 1,
            Verdict::NotMet => self.not_met += 1,
            Verdict::Insufficient => self.insufficient += 1,
        }
    }
}

/// One standard that judges units of the scope in the year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StandardCounts {
    pub standard: String,
    #[schema(value_type = Object)]
    pub name: I18nText,
    /// The units it judges (each counted once in `states` and once in `verdicts`).
    pub units: u32,
    pub states: StateCounts,
    pub verdicts: VerdictCounts,
}

/// A failing rule and the units it fails in.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reason {
    pub standard: String,
    pub rule: String,
    #[schema(value_type = Object)]
    pub title: I18nText,
    /// "khoản 1 Điều 5 Thông tư 124/2021/TT-BCA".
    #[schema(value_type = Object)]
    pub citation: Option<I18nText>,
    /// Units whose verdict of the standard is *chưa đạt* with this rule not met.
    pub units: u32,
    pub examples: Vec<UnitLink>,
}

impl Reason {
    fn of(standard: &str, r: &RuleResult, units: u32, examples: Vec<UnitLink>) -> Reason {
        Reason {
            standard: standard.to_owned(),
            rule: r.id.clone(),
            title: r.title.clone(),
            citation: r.citation.as_ref().map(|c| c.text.clone()),
            units,
            examples,
        }
    }
}

/// A fact missing for a *chưa đủ dữ liệu* verdict, and the units it keeps undecided.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MissingField {
    /// The catalogue key (`None`: the data of sub-units, or a standard that does not apply).
    pub key: Option<String>,
    #[schema(value_type = Object)]
    pub label: I18nText,
    pub units: u32,
    pub examples: Vec<UnitLink>,
}

/// A deadline of the year with the days left (negative once passed).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Deadline {
    /// `registration_end`, `window_end`, `lock` (set for the year) or `facts_lock` (the
    /// province's lock of data entry).
    pub kind: String,
    /// For a window end: the kind of unit it is for.
    pub unit_kind: Option<String>,
    pub day: NaiveDate,
    pub days_left: i64,
}

impl From<DeadlineNote> for Deadline {
    fn from(n: DeadlineNote) -> Deadline {
        Deadline {
            kind: n.kind.to_owned(),
            unit_kind: n.unit_kind.map(|k| k.as_str().to_owned()),
            day: n.day,
            days_left: n.days_left,
        }
    }
}

/// Data entry of one form group by the units of one kind.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Completeness {
    /// `commune`, `residential_area`…
    pub unit_kind: String,
    /// The form group (`crime_social_evils`…).
    pub group: String,
    pub units: u32,
    pub submitted: u32,
    pub draft: u32,
    pub empty: u32,
    /// Not submitted after the lock date (counted in `draft` or `empty` too).
    pub overdue: u32,
}

/// The province (district, country) dashboard of a scope and year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProvinceView {
    /// `None`: the whole country.
    pub scope: Option<UnitLink>,
    pub year: i32,
    /// The map the units are read on (31/12 of the year, or the scope's last day).
    pub map_date: NaiveDate,
    pub standards: Vec<StandardCounts>,
    /// The most frequent failing rules, most units first (at most 10).
    pub reasons: Vec<Reason>,
    /// Facts missing for *chưa đủ dữ liệu*, most units first.
    pub missing: Vec<MissingField>,
    /// Communes whose QĐ18 flag is raised (recognised, 19.2 not met).
    pub at_risk: Vec<UnitLink>,
    pub deadlines: Vec<Deadline>,
    pub completeness: Vec<Completeness>,
    /// The units directly under the scope, to look one level down.
    pub below: Vec<UnitLink>,
}

/// The view check of a dashboard: `scope` on its map date of the year (or today, if earlier).
fn authorize_view(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    scope: Option<UnitId>,
    year: i32,
) -> Result<NaiveDate, ServiceError> {
    if let Some(s) = scope
        && atlas.unit(s).is_none()
    {
        return Err(ServiceError::NotFound);
    }
    let date = map_date(atlas, scope, year);
    let need = Need {
        capability: Capability::View,
        target: scope.map_or(Scope::Country, Scope::Unit),
        on: date.min(ctx.today()),
    };
    authz::authorize(&actor.grants, &need, ctx.units).map_err(ServiceError::Denied)?;
    Ok(date)
}

/// The dossier state of every (unit, standard) of `year` among `units`.
async fn dossier_states(
    ctx: &Ctx<'_>,
    units: &BTreeSet<UnitId>,
    year: i32,
) -> Result<HashMap<(UnitId, String), store::DossierRow>, ServiceError> {
    Ok(store::dossiers(ctx.store, Some(year), None)
        .await?
        .into_iter()
        .filter(|d| units.contains(&d.unit_id))
        .map(|d| ((d.unit_id, d.standard.clone()), d))
        .collect())
}

fn state_of(d: &store::DossierRow) -> Option<State> {
    State::parse(&d.state, d.level.as_deref())
}

/// The rules of an evaluation with verdict `v`.
fn rules_with(e: &Evaluation, v: Verdict) -> impl Iterator<Item = &RuleResult> {
    e.rules.iter().filter(move |r| r.verdict == v)
}

/// The missing facts of an evaluation's undecided rules, once each.
fn missing_items(e: &Evaluation) -> Vec<&MissingItem> {
    let mut out: Vec<&MissingItem> = Vec::new();
    for r in rules_with(e, Verdict::Insufficient) {
        for m in r.trace.iter().flat_map(|t| &t.missing) {
            let same =
                |o: &&MissingItem| o.key == m.key && o.unit_code == m.unit_code && o.year == m.year;
            if !out.iter().any(same) {
                out.push(m);
            }
        }
    }
    out
}

/// Counts keys over units, keeping the first examples.
struct Tally<K> {
    entries: BTreeMap<K, (u32, Vec<UnitId>)>,
}

impl<K: Ord> Tally<K> {
    fn new() -> Tally<K> {
        Tally {
            entries: BTreeMap::new(),
        }
    }

    fn add(&mut self, key: K, unit: UnitId) {
        let (n, ex) = self.entries.entry(key).or_default();
        if !ex.contains(&unit) {
            *n += 1;
            if ex.len() < EXAMPLES {
                ex.push(unit);
            }
        }
    }

    /// Most units first (then by key), at most `limit`.
    fn top(self, limit: usize) -> Vec<(K, u32, Vec<UnitId>)> {
        let mut v: Vec<(K, u32, Vec<UnitId>)> = self
            .entries
            .into_iter()
            .map(|(k, (n, ex))| (k, n, ex))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(limit);
        v
    }
}

/// Every unit of the scope (itself and everything under it on `date`; the country's provinces
/// and everything under them), parents first.
fn units_in(atlas: &Atlas, scope: Option<UnitId>, date: NaiveDate) -> Vec<UnitId> {
    let mut out = Vec::new();
    let mut stack: Vec<UnitId> = match scope {
        Some(s) => vec![s],
        None => atlas.roots(date),
    };
    stack.reverse();
    while let Some(u) = stack.pop() {
        out.push(u);
        let mut kids = atlas.children(u, date);
        kids.reverse();
        stack.extend(kids);
    }
    out
}

/// The province view of `scope` (`None`: the country) for `year`. The actor must be allowed
/// to view the scope. Reads the scope's evaluation from `verdicts` (made once, explained).
pub async fn province(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: Option<UnitId>,
    year: i32,
    verdicts: &mut Verdicts,
) -> Result<ProvinceView, ServiceError> {
    let date = authorize_view(ctx, actor, atlas, scope, year)?;
    // The view depends on the database, the map, the standards and today (days left); not on
    // who asks once the scope is allowed.
    let key = format!(
        "province-view:{}:{}:{scope:?}:{year}:{}",
        atlas.build_id(),
        reg.build_id(),
        ctx.today()
    );
    let view = ctx
        .store
        .memoized(&key, || {
            province_view(ctx, actor, atlas, reg, scope, year, date, verdicts)
        })
        .await?;
    Ok(view.as_ref().clone())
}

#[allow(clippy::too_many_arguments)]
async fn province_view(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: Option<UnitId>,
    year: i32,
    date: NaiveDate,
    verdicts: &mut Verdicts,
) -> Result<ProvinceView, ServiceError> {
    let evaluations = verdicts
        .scope(ctx.store, atlas, reg, scope, year, true)
        .await?;
    let link = |u: UnitId| UnitLink::of(atlas, u, date);

    // Counts by standard × dossier state and × verdict (recognition standards only).
    let judged: BTreeSet<UnitId> = evaluations.iter().filter_map(|e| e.unit.id).collect();
    let dossiers = dossier_states(ctx, &judged, year).await?;
    let mut standards: Vec<StandardCounts> = Vec::new();
    let mut reasons: Tally<(String, String)> = Tally::new();
    let mut rule_info: HashMap<(String, String), Reason> = HashMap::new();
    let mut missing: Tally<Option<String>> = Tally::new();
    let mut missing_label: HashMap<Option<String>, I18nText> = HashMap::new();
    let mut at_risk = Vec::new();
    for e in evaluations {
        let Some(unit) = e.unit.id else { continue };
        if workflow::at_revocation_risk(e) {
            at_risk.push(link(unit));
        }
        if e.standard.purpose != Purpose::Recognition {
            continue;
        }
        let row = match standards.iter().position(|s| s.standard == e.standard.id) {
            Some(i) => &mut standards[i],
            None => {
                standards.push(StandardCounts {
                    standard: e.standard.id.clone(),
                    name: e.standard.name.clone(),
                    units: 0,
                    states: StateCounts::default(),
                    verdicts: VerdictCounts::default(),
                });
                standards.last_mut().expect("just pushed")
            }
        };
        row.units += 1;
        row.verdicts.add(e.verdict);
        row.states.add(
            dossiers
                .get(&(unit, e.standard.id.clone()))
                .and_then(state_of),
        );
        match e.verdict {
            Verdict::NotMet => {
                for r in rules_with(e, Verdict::NotMet) {
                    let key = (e.standard.id.clone(), r.id.clone());
                    rule_info
                        .entry(key.clone())
                        .or_insert_with(|| Reason::of(&e.standard.id, r, 0, vec![]));
                    reasons.add(key, unit);
                }
            }
            Verdict::Insufficient => {
                for m in missing_items(e) {
                    missing_label
                        .entry(m.key.clone())
                        .or_insert_with(|| missing_label_of(reg, m, year));
                    missing.add(m.key.clone(), unit);
                }
            }
            Verdict::Met => {}
        }
    }
    let examples = |ex: Vec<UnitId>| ex.into_iter().map(link).collect::<Vec<_>>();
    let reasons = reasons
        .top(TOP_REASONS)
        .into_iter()
        .filter_map(|(key, units, ex)| {
            let r = rule_info.remove(&key)?;
            Some(Reason {
                units,
                examples: examples(ex),
                ..r
            })
        })
        .collect();
    let missing = missing
        .top(usize::MAX)
        .into_iter()
        .map(|(key, units, ex)| MissingField {
            label: missing_label.remove(&key).unwrap_or_default(),
            key,
            units,
            examples: examples(ex),
        })
        .collect();

    // Deadlines: registration, the counting windows of communes and residential areas, the
    // year's lock; and the province's lock of data entry.
    let kinds = [UnitKind::Commune, UnitKind::ResidentialArea];
    let mut deadlines: Vec<Deadline> = workflow::deadlines(ctx, scope, year, &kinds)
        .await?
        .into_iter()
        .map(Deadline::from)
        .collect();

    // Completeness of data entry: every unit of the scope, by kind and form group.
    let all = units_in(atlas, scope, date);
    let target = scope.map_or(Scope::Country, Scope::Unit);
    let fills = overview::fill(ctx, actor, atlas, reg, target, &all, year).await?;
    let mut completeness: Vec<Completeness> = Vec::new();
    for u in &fills {
        for f in &u.forms {
            let row = match completeness
                .iter()
                .position(|c| c.unit_kind == u.kind.as_str() && c.group == f.group.as_str())
            {
                Some(i) => &mut completeness[i],
                None => {
                    completeness.push(Completeness {
                        unit_kind: u.kind.as_str().to_owned(),
                        group: f.group.as_str().to_owned(),
                        units: 0,
                        submitted: 0,
                        draft: 0,
                        empty: 0,
                        overdue: 0,
                    });
                    completeness.last_mut().expect("just pushed")
                }
            };
            row.units += 1;
            match f.fill {
                Fill::Submitted => row.submitted += 1,
                Fill::Draft => row.draft += 1,
                Fill::Empty => row.empty += 1,
            }
            row.overdue += u32::from(f.overdue);
        }
    }
    completeness.sort_by_key(|c| {
        (
            UnitKind::parse(&c.unit_kind),
            FormGroup::parse(&c.group).map(|g| FormGroup::ALL.iter().position(|x| *x == g)),
        )
    });
    if let Some(lock) = scope
        .and_then(|s| fills.iter().find(|f| f.unit == s))
        .and_then(|f| f.lock)
    {
        deadlines.push(Deadline::from(DeadlineNote {
            kind: "facts_lock",
            unit_kind: None,
            day: lock,
            days_left: (lock - ctx.today()).num_days(),
        }));
    }
    let below = match scope {
        Some(s) => atlas.children(s, date),
        None => atlas.roots(date),
    }
    .into_iter()
    .filter(|u| {
        atlas
            .unit(*u)
            .is_some_and(|x| x.kind != UnitKind::Organisation)
    })
    .map(link)
    .collect();
    Ok(ProvinceView {
        scope: scope.map(link),
        year,
        map_date: date,
        standards,
        reasons,
        missing,
        at_risk,
        deadlines,
        completeness,
        below,
    })
}

/// The label of a missing fact as the dashboards group it: the field's label, or for an item
/// without a field (sub-units' data, a standard that does not apply) a generic label.
fn missing_label_of(reg: &Registry, m: &MissingItem, year: i32) -> I18nText {
    match &m.key {
        Some(k) => reg
            .catalogue()
            .field(k)
            .and_then(|f| {
                f.versions
                    .iter()
                    .find(|v| v.covers_year(year))
                    .or(f.versions.first())
            })
            .map_or_else(|| I18nText::new(k.clone(), k.clone()), |v| v.label.clone()),
        None => I18nText::new(
            rust_i18n::t!("dashboard.missing.other", locale = "vi"),
            rust_i18n::t!("dashboard.missing.other", locale = "en"),
        ),
    }
}

/// One standard of a unit: its verdict, dossier and decision.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitStandard {
    pub standard: String,
    #[schema(value_type = Object)]
    pub name: I18nText,
    /// `recognition`, `flag` or `plan`.
    pub purpose: String,
    /// `met`, `not_met`, `insufficient`.
    pub verdict: String,
    #[schema(value_type = Object)]
    pub verdict_text: I18nText,
    /// The rules not met, with their citations.
    pub failing: Vec<Reason>,
    pub dossier: Option<DossierLine>,
    pub decision: Option<DecisionLine>,
}

/// A dossier as the commune view shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DossierLine {
    pub id: i64,
    /// `registered`, `data_entry`, `under_review`…
    pub state: String,
    /// The level reviewing it or that returned it.
    pub level: Option<String>,
}

/// The latest decision naming the unit's dossier.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DecisionLine {
    pub id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    /// `recognise` or `revoke`.
    pub kind: String,
}

/// A fact the unit's verdicts need and nobody entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MissingFact {
    /// The unit the fact belongs to (the commune, one of its residential areas, or a unit it
    /// was formed from); `None` when the map does not know the code.
    pub unit: Option<UnitLink>,
    pub unit_name: String,
    pub year: Option<i32>,
    pub key: Option<String>,
    #[schema(value_type = Object)]
    pub label: I18nText,
    /// The facts form group where it is entered.
    pub group: Option<String>,
    /// The standards waiting for it.
    pub standards: Vec<String>,
}

/// One form of the unit for the year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FormLine {
    pub group: String,
    /// `empty`, `draft`, `submitted`.
    pub fill: String,
    pub overdue: bool,
}

/// Crimes against social order, the year against the previous one.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CrimeChange {
    pub previous: i64,
    pub current: i64,
    pub delta: i64,
    /// Within noise: |change| ≤ 2·√(current + previous).
    pub noise: bool,
}

/// The commune (or residential area) dashboard of a unit and year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommuneView {
    pub unit: UnitLink,
    /// `commune`, `residential_area`, `organisation`.
    pub kind: String,
    pub year: i32,
    pub standards: Vec<UnitStandard>,
    /// The QĐ18 flag is raised for the unit.
    pub at_risk: bool,
    pub missing: Vec<MissingFact>,
    pub forms: Vec<FormLine>,
    pub deadlines: Vec<Deadline>,
    /// `None` when either year's figure is missing (never read as 0).
    pub crime: Option<CrimeChange>,
}

/// The commune view of `unit` for `year`: the actor must be allowed to view the unit.
pub async fn commune(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    unit: UnitId,
    year: i32,
    verdicts: &mut Verdicts,
) -> Result<CommuneView, ServiceError> {
    let date = authorize_view(ctx, actor, atlas, Some(unit), year)?;
    let kind = atlas.unit(unit).map_or(UnitKind::Commune, |u| u.kind);
    let own: Vec<Evaluation> = verdicts
        .scope(ctx.store, atlas, reg, Some(unit), year, true)
        .await?
        .iter()
        .filter(|e| e.unit.id == Some(unit))
        .cloned()
        .collect();
    let dossiers = dossier_states(ctx, &BTreeSet::from([unit]), year).await?;
    let decisions = store::decisions(ctx.store, Some(year)).await?;
    let mut missing: Vec<MissingFact> = Vec::new();
    let mut standards = Vec::new();
    for e in &own {
        for m in missing_items(e) {
            let fact = missing_fact(atlas, reg, m, year, date);
            match missing
                .iter_mut()
                .find(|x| x.key == fact.key && x.unit_name == fact.unit_name && x.year == fact.year)
            {
                Some(x) if !x.standards.contains(&e.standard.id) => {
                    x.standards.push(e.standard.id.clone())
                }
                Some(_) => {}
                None => missing.push(MissingFact {
                    standards: vec![e.standard.id.clone()],
                    ..fact
                }),
            }
        }
        let dossier = dossiers.get(&(unit, e.standard.id.clone()));
        standards.push(UnitStandard {
            standard: e.standard.id.clone(),
            name: e.standard.name.clone(),
            purpose: match e.standard.purpose {
                Purpose::Recognition => "recognition",
                Purpose::Flag => "flag",
                Purpose::Plan => "plan",
            }
            .to_owned(),
            verdict: e.verdict.as_str().to_owned(),
            verdict_text: e.verdict_text.clone(),
            failing: rules_with(e, Verdict::NotMet)
                .map(|r| Reason::of(&e.standard.id, r, 1, vec![]))
                .collect(),
            dossier: dossier.map(|d| DossierLine {
                id: d.id,
                state: d.state.clone(),
                level: d.level.clone(),
            }),
            decision: dossier.and_then(|d| {
                decisions
                    .iter()
                    .rfind(|x| x.units.iter().any(|(_, dos)| *dos == d.id))
                    .map(|x| DecisionLine {
                        id: x.id,
                        number: x.number.clone(),
                        signed_on: x.signed_on,
                        kind: x.kind.clone(),
                    })
            }),
        });
    }
    let at_risk = own.iter().any(workflow::at_revocation_risk);
    let scope = Scope::Unit(unit);
    let forms = overview::fill(ctx, actor, atlas, reg, scope, &[unit], year)
        .await?
        .into_iter()
        .flat_map(|u| u.forms)
        .map(|f| FormLine {
            group: f.group.as_str().to_owned(),
            fill: f.fill.as_str().to_owned(),
            overdue: f.overdue,
        })
        .collect();
    let deadlines = workflow::deadlines(ctx, Some(unit), year, &[kind])
        .await?
        .into_iter()
        .map(Deadline::from)
        .collect();
    let crime = crime_changes(ctx, actor, atlas, reg, unit, year)
        .await?
        .into_iter()
        .find(|r| r.unit == unit)
        .and_then(|r| r.change)
        .map(|c| CrimeChange {
            previous: c.previous,
            current: c.current,
            delta: c.delta,
            noise: c.noise,
        });
    Ok(CommuneView {
        unit: UnitLink::of(atlas, unit, date),
        kind: kind.as_str().to_owned(),
        year,
        standards,
        at_risk,
        missing,
        forms,
        deadlines,
        crime,
    })
}

/// A missing item as a fact to enter: its unit (looked up by code on the item's year, else on
/// the evaluation's map date) and the form group of the field.
fn missing_fact(
    atlas: &Atlas,
    reg: &Registry,
    m: &MissingItem,
    year: i32,
    date: NaiveDate,
) -> MissingFact {
    let y = m.year.unwrap_or(year);
    let id = atlas
        .find_code(&m.unit_code, map_date(atlas, None, y))
        .or_else(|| atlas.find_code(&m.unit_code, date));
    let group = m.key.as_ref().and_then(|k| {
        let kind = id.and_then(|u| atlas.unit(u)).map(|u| u.kind)?;
        reg.catalogue()
            .version_for(k, kind, y)
            .map(|v| v.group.as_str().to_owned())
    });
    MissingFact {
        unit: id.map(|u| UnitLink {
            id: u,
            code: m.unit_code.clone(),
            name: m.unit_name.clone(),
        }),
        unit_name: m.unit_name.clone(),
        year: m.year,
        key: m.key.clone(),
        label: match &m.key {
            Some(_) => missing_label_of(reg, m, y),
            None => m.text.clone(),
        },
        group,
        standards: vec![],
    }
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
pub(crate) mod tests;
