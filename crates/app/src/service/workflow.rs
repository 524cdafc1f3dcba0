//! Review and recognition: registration in the first quarter, dossier transitions (submit,
//! return with a reason, forward/propose, override with a reason, explanations), the
//! classification list of a province, decisions (immutable; recognitions written back into the
//! units' `recognitions` facts), revocations, notifications and deadlines.
//!
//! Every change goes through [`super::begin`] with the capability of the step
//! (`workflow::Action::capability`), on the dossier's unit, for its period (31/12 of its year).
//! Approving steps check separation of duties against everyone who entered facts for, or
//! submitted, the dossier. Moves are optimistic: the caller names the version it saw and a
//! concurrent move is refused with who did what, when.

use std::collections::{BTreeMap, BTreeSet};

use binhyen_core::authz::{self, Capability, Contribution, Need, Scope};
use binhyen_core::case;
use binhyen_core::diag::SourceFile;
use binhyen_core::fact::UnitRef as FactUnit;
use binhyen_core::standard::{Evaluation, Registry};
use binhyen_core::text::format_date;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_core::workflow::{self as wf, Action, Chain, Level, Proposal, State, Step};
use binhyen_store::facts::{self, FormWrite, SaveError};
use binhyen_store::workflow::{
    self as store, By, DeadlineRow, DecisionRow, DossierRow, NotificationRow, RegisterError,
    RegistrationRow, TransitionRow,
};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value as J, json};

use super::evaluation::{self, EvaluationError};
use super::{Actor, Audit, Check, Ctx, ServiceError, begin};
use crate::directory::UnitRef;

/// The form group whose `recognitions` list standards read as "the unit is recognised".
pub const RECOGNITION_FORM: &str = "registration";

fn by(actor: &Actor) -> By {
    By {
        id: actor.id,
        name: actor.display_name.clone(),
    }
}

fn unit_of(ctx: &Ctx<'_>, id: UnitId) -> Result<UnitRef, ServiceError> {
    ctx.units.by_id(id).ok_or(ServiceError::NotFound)
}

/// May `actor` see `unit` for the period of `year`? (Used to answer 404 outside the territory.)
pub fn may_view(ctx: &Ctx<'_>, actor: &Actor, unit: UnitId, year: i32) -> bool {
    allowed(ctx, actor, Capability::View, unit, year)
}

fn allowed(ctx: &Ctx<'_>, actor: &Actor, cap: Capability, unit: UnitId, year: i32) -> bool {
    let need = Need {
        capability: cap,
        target: Scope::Unit(unit),
        on: wf::period_date(year),
    };
    authz::authorize(&actor.grants, &need, ctx.units).is_ok()
}

/// A dossier with what the core needs to reason about it.
#[derive(Clone, Debug)]
pub struct Dossier {
    pub row: DossierRow,
    pub state: State,
    pub unit: UnitRef,
    pub chain: Chain,
}

fn dossier_of_row(ctx: &Ctx<'_>, row: DossierRow) -> Result<Dossier, ServiceError> {
    let state = State::parse(&row.state, row.level.as_deref()).ok_or_else(|| {
        ServiceError::Internal(format!("dossier {}: state {}", row.id, row.state))
    })?;
    let unit = unit_of(ctx, row.unit_id)?;
    let chain = wf::chain(unit.kind, wf::period_date(row.year));
    Ok(Dossier {
        row,
        state,
        unit,
        chain,
    })
}

/// A dossier the actor may see (`NotFound` otherwise: ids outside the territory tell nothing).
pub async fn dossier(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> Result<Dossier, ServiceError> {
    let row = store::dossier(ctx.store, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !may_view(ctx, actor, row.unit_id, row.year) {
        return Err(ServiceError::NotFound);
    }
    dossier_of_row(ctx, row)
}

/// The last day of registration for `unit` in `year`: a deadline set for its province (or the
/// country), else 31/03.
async fn registration_end(
    ctx: &Ctx<'_>,
    unit: Option<UnitId>,
    year: i32,
) -> Result<NaiveDate, ServiceError> {
    let set = deadline_for(ctx, unit, year, "registration_end").await?;
    Ok(set.unwrap_or_else(|| wf::default_registration_end(year)))
}

/// The deadline of `kind` that applies to `unit` (`None`: the country): the most specific
/// one set.
async fn deadline_for(
    ctx: &Ctx<'_>,
    unit: Option<UnitId>,
    year: i32,
    kind: &str,
) -> Result<Option<NaiveDate>, ServiceError> {
    let rows = store::deadlines(ctx.store, year).await?;
    let mut country = None;
    for d in rows.iter().filter(|d| d.kind == kind) {
        match d.unit_id {
            Some(u) if unit.is_some_and(|x| ctx.units.within(u, x)) => return Ok(Some(d.day)),
            None => country = Some(d.day),
            Some(_) => {}
        }
    }
    Ok(country)
}

/// Registers `unit` for `standard` in `year` (Q1, or until the year's registration deadline).
pub async fn register(
    ctx: &Ctx<'_>,
    actor: &Actor,
    registry: &Registry,
    unit: UnitId,
    year: i32,
    standard: &str,
) -> Result<DossierRow, ServiceError> {
    let u = unit_of(ctx, unit)?;
    // Who may register is answered before what was asked for (the authorization matrix).
    if actor.id.is_some() {
        let need = Need {
            capability: Capability::Submit,
            target: Scope::Unit(unit),
            on: wf::period_date(year),
        };
        authz::authorize(&actor.grants, &need, ctx.units).map_err(ServiceError::Denied)?;
    }
    if !registrable(registry, &u, year)
        .iter()
        .any(|(id, _)| id == standard)
    {
        return Err(ServiceError::invalid(
            "standard",
            "workflow.invalid.standard",
            standard,
        ));
    }
    let last = registration_end(ctx, Some(unit), year).await?;
    if !wf::registration_open(year, ctx.today(), Some(last)) {
        return Err(ServiceError::invalid(
            "year",
            "workflow.invalid.registration_closed",
            format!("{} – {}", format_date(first_day(year)), format_date(last)),
        ));
    }
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(Capability::Submit, Scope::Unit(unit), wf::period_date(year)),
    )
    .await?;
    let (_, d) = store::register(change.tx(), unit, year, standard, ctx.now, &by(actor))
        .await
        .map_err(|e| match e {
            RegisterError::Exists => {
                ServiceError::invalid("standard", "workflow.invalid.already_registered", standard)
            }
            RegisterError::Db(e) => ServiceError::Db(e),
        })?;
    store::add_transition(
        change.tx(),
        &step_row(
            &d,
            actor,
            ctx,
            "register",
            State::Registered,
            State::Registered,
        ),
    )
    .await?;
    change
        .commit(
            Audit::new("dossier.register", "dossier", d.id)
                .unit(Scope::Unit(unit))
                .dossier(d.id)
                .details(json!({ "year": year, "standard": standard })),
        )
        .await?;
    Ok(d)
}

/// The standards `unit` may register for in `year`: those of the registry that recognise a unit
/// of its kind that year (NTM criterion 19 and its advanced and model levels, Circular 124
/// «An toàn về an ninh, trật tự»…), as (id, Vietnamese name), in the registry's order. Flags
/// (QĐ18 revocation risk) and plan indicators (QĐ926) are not registered for.
pub fn registrable(registry: &Registry, unit: &UnitRef, year: i32) -> Vec<(String, String)> {
    registry
        .applicable(&fact_unit(unit), year)
        .into_iter()
        .filter(|v| v.purpose == binhyen_core::standard::Purpose::Recognition)
        .map(|v| (v.id.clone(), v.name.get("vi").to_owned()))
        .collect()
}

fn first_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn fact_unit(u: &UnitRef) -> FactUnit {
    FactUnit {
        id: Some(u.id),
        code: u.code.clone(),
        name: u.name.clone(),
        kind: u.kind,
        province: None,
    }
}

fn step_row(
    d: &DossierRow,
    actor: &Actor,
    ctx: &Ctx<'_>,
    action: &str,
    from: State,
    to: State,
) -> TransitionRow {
    TransitionRow {
        id: 0,
        dossier_id: d.id,
        action: action.to_owned(),
        from_state: from.as_str().to_owned(),
        from_level: from.level().map(|l| l.as_str().to_owned()),
        to_state: to.as_str().to_owned(),
        to_level: to.level().map(|l| l.as_str().to_owned()),
        by: by(actor),
        at: ctx.now,
        reason: None,
        comments: None,
        snapshot: None,
        details: None,
    }
}

/// The stored facts of a unit for a year: form → JSON object.
async fn facts_json(
    db: &impl binhyen_store::Db,
    unit: UnitId,
    year: i32,
) -> Result<BTreeMap<String, J>, ServiceError> {
    let forms = facts::forms_of_units(db, &[unit], year..=year).await?;
    Ok(forms
        .into_iter()
        .map(|f| {
            let v = serde_json::from_str(&f.data).unwrap_or(J::Null);
            (f.form, v)
        })
        .collect())
}

/// What verdicts are computed with: the standards in force and the map of units.
#[derive(Clone, Copy)]
pub struct Law<'a> {
    pub registry: &'a Registry,
    pub atlas: &'a Atlas,
}

/// The computed verdict of `unit` for `standard` in `year`, from the one evaluation path
/// ([`evaluation::evaluate_unit`]: sub-units on the year's map, earlier years, predecessors of
/// merged units). `None` when the standard does not judge the unit or year.
pub async fn evaluate(
    db: &impl binhyen_store::Db,
    law: Law<'_>,
    unit: UnitId,
    year: i32,
    standard: &str,
) -> Result<Option<Evaluation>, ServiceError> {
    match evaluation::evaluate_unit(
        db,
        law.atlas,
        law.registry,
        unit,
        year,
        Some(standard),
        false,
    )
    .await
    {
        Ok(mut list) => Ok(list.pop()),
        Err(EvaluationError::Service(e)) => Err(e),
        Err(EvaluationError::UnknownUnit(_) | EvaluationError::Standard(_)) => Ok(None),
    }
}

/// A fact field a reviewer may comment on when returning a dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentField {
    pub key: String,
    /// The catalogue's label in `locale`.
    pub label: String,
    /// The stored value as JSON text.
    pub value: String,
}

/// The fields of the dossier's unit and year that hold a value (in form and key order): what a
/// return may comment on, field by field.
pub async fn comment_fields(
    ctx: &Ctx<'_>,
    registry: &Registry,
    d: &Dossier,
    locale: &str,
) -> Result<Vec<CommentField>, ServiceError> {
    let cat = registry.catalogue();
    let mut out = Vec::new();
    for (_, obj) in facts_json(ctx.store, d.unit.id, d.row.year).await? {
        for (key, value) in obj.as_object().into_iter().flatten() {
            if value.is_null() {
                continue;
            }
            let label = cat
                .version_for(key, d.unit.kind, d.row.year)
                .map_or_else(|| key.clone(), |v| v.label.get(locale).to_owned());
            out.push(CommentField {
                key: key.clone(),
                label,
                value: value.to_string(),
            });
        }
    }
    Ok(out)
}

/// The per-field comments of a transition (field key → comment).
pub fn comments_of(t: &TransitionRow) -> BTreeMap<String, String> {
    t.comments
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// The per-field comments of the last return of each *returned* dossier of `unit` and `year`
/// (field key → comment), shown beside the fields on the facts forms. Empty otherwise. The
/// caller has checked that the user may see the unit.
pub async fn return_comments(
    ctx: &Ctx<'_>,
    unit: UnitId,
    year: i32,
) -> Result<BTreeMap<String, String>, ServiceError> {
    let returned: Vec<i64> = store::dossiers_of_unit(ctx.store, unit)
        .await?
        .into_iter()
        .filter(|d| d.year == year && d.state == State::Returned(Level::Province).as_str())
        .map(|d| d.id)
        .collect();
    let mut out = BTreeMap::new();
    if returned.is_empty() {
        return Ok(out);
    }
    let timeline = store::transitions(ctx.store, &returned).await?;
    for id in returned {
        if let Some(last) = timeline
            .iter()
            .rfind(|t| t.dossier_id == id && t.action == "return")
        {
            out.extend(comments_of(last));
        }
    }
    Ok(out)
}

/// The verdicts of an evaluation as plain JSON: `{ "verdict": …, "rules": { id: verdict } }`.
fn verdicts_json(e: Option<&Evaluation>) -> J {
    match e {
        None => J::Null,
        Some(e) => json!({
            "verdict": e.verdict.as_str(),
            "rules": e.rules.iter().map(|r| (r.id.clone(), J::from(r.verdict.as_str()))).collect::<serde_json::Map<_, _>>(),
        }),
    }
}

/// What an action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acted {
    Moved(DossierRow),
    Noted(DossierRow),
    /// The dossier was already where the action would take it (a second submit).
    AlreadyDone(DossierRow),
}

impl Acted {
    pub fn row(&self) -> &DossierRow {
        match self {
            Acted::Moved(r) | Acted::Noted(r) | Acted::AlreadyDone(r) => r,
        }
    }
}

/// Who prepared a dossier: facts entered for its unit and year, and its submissions.
async fn contributions(
    db: &impl binhyen_store::Db,
    d: &DossierRow,
) -> Result<Vec<Contribution>, ServiceError> {
    let mut out: Vec<Contribution> = facts::history(db, d.unit_id, d.year)
        .await?
        .into_iter()
        // Recognitions written back by a decision are not data entry.
        .filter(|c| !c.source.starts_with("decision:"))
        .filter_map(|c| c.actor_id)
        .map(|user| Contribution {
            user,
            capability: Capability::EnterFacts,
        })
        .collect();
    for t in store::transitions(db, &[d.id]).await? {
        if let (Some(user), "submit" | "enter_data") = (t.by.id, t.action.as_str()) {
            out.push(Contribution {
                user,
                capability: Capability::Submit,
            });
        }
    }
    Ok(out)
}

/// A conflict: the dossier moved since the caller read it.
fn conflict(last: Option<&TransitionRow>, current: &DossierRow) -> ServiceError {
    let what = match last {
        Some(t) => format!(
            "{} — {} ({}) → {}",
            t.by.name,
            t.action,
            crate::clock::format_time(t.at),
            current.state
        ),
        None => current.state.clone(),
    };
    ServiceError::Conflict {
        key: "workflow.conflict",
        value: what,
    }
}

/// Does `action` to dossier `id`. `seen` is the version the caller read (`None`: whatever is
/// current); `comments` are per-field comments of a return.
pub async fn act(
    ctx: &Ctx<'_>,
    actor: &Actor,
    law: Law<'_>,
    id: i64,
    seen: Option<i64>,
    action: Action,
    comments: BTreeMap<String, String>,
) -> Result<Acted, ServiceError> {
    let d = dossier(ctx, actor, id).await?;
    // A second submit, or a stale version, is answered before the capability of the (moved)
    // state is checked: the second reviewer learns what happened, not "no capability".
    if wf::apply(d.state, &action, &d.chain) == Ok(Step::AlreadyDone) {
        return Ok(Acted::AlreadyDone(d.row));
    }
    if seen.is_some_and(|v| v != d.row.version) {
        let timeline = store::transitions(ctx.store, &[id]).await?;
        return Err(conflict(timeline.last(), &d.row));
    }
    let cap = action.capability(d.state);
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(cap, Scope::Unit(d.unit.id), wf::period_date(d.row.year)),
    )
    .await?;
    // Re-read inside the change: changes are serialised by the audit head.
    let row = store::dossier(change.tx(), id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let d = dossier_of_row(ctx, row)?;
    let step = wf::apply(d.state, &action, &d.chain)
        .map_err(|r| ServiceError::invalid("dossier", r.key(), state_label(d.state, "vi")))?;
    if step == Step::AlreadyDone {
        return Ok(Acted::AlreadyDone(d.row));
    }
    if seen.is_some_and(|v| v != d.row.version) {
        let timeline = store::transitions(change.tx(), &[id]).await?;
        return Err(conflict(timeline.last(), &d.row));
    }
    if cap.approves()
        && let Some(me) = actor.id
    {
        let history = contributions(change.tx(), &d.row).await?;
        authz::separation_of_duties(me, cap, &history).map_err(ServiceError::Denied)?;
    }
    let to = match step {
        Step::To(s) => s,
        _ => d.state,
    };
    let mut t = step_row(&d.row, actor, ctx, action.as_str(), d.state, to);
    match &action {
        Action::Return { reason } => {
            t.reason = Some(reason.trim().to_owned());
            let comments: BTreeMap<&String, &String> = comments
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .collect();
            if !comments.is_empty() {
                t.comments = Some(json!(comments).to_string());
            }
        }
        Action::Submit => {
            let facts = facts_json(change.tx(), d.unit.id, d.row.year).await?;
            let eval = evaluate(change.tx(), law, d.unit.id, d.row.year, &d.row.standard).await?;
            t.snapshot = Some(
                json!({ "facts": facts, "verdicts": verdicts_json(eval.as_ref()) }).to_string(),
            );
        }
        Action::Forward { proposal } => {
            t.details = proposal.map(|p| json!({ "proposal": p }).to_string());
        }
        Action::Override {
            rule,
            verdict,
            reason,
        } => {
            t.reason = Some(reason.trim().to_owned());
            t.details = Some(json!({ "rule": rule.trim(), "verdict": verdict.trim() }).to_string());
        }
        Action::Explain { text } => {
            t.details = Some(json!({ "explanation": text.trim() }).to_string());
        }
        Action::Decide { recognised } => {
            t.details = Some(json!({ "recognised": recognised }).to_string());
        }
        Action::EnterData | Action::Revoke => {}
    }
    let moved = matches!(step, Step::To(_));
    let mut row = d.row.clone();
    if moved {
        let level = to.level().map(Level::as_str);
        if !store::move_dossier(change.tx(), id, d.row.version, to.as_str(), level, ctx.now).await?
        {
            let timeline = store::transitions(change.tx(), &[id]).await?;
            return Err(conflict(timeline.last(), &d.row));
        }
        row.state = to.as_str().to_owned();
        row.level = level.map(str::to_owned);
        row.version += 1;
        row.updated_at = ctx.now;
    }
    store::add_transition(change.tx(), &t).await?;
    if let Action::Return { reason } = &action {
        let args =
            json!({ "unit": d.unit.name, "year": d.row.year.to_string(), "reason": reason.trim() });
        notify_preparers(
            ctx,
            &change,
            &d,
            "returned",
            "workflow.notify.returned",
            args,
        )
        .await?;
    }
    change
        .commit(
            Audit::new(audit_action(&action), "dossier", id)
                .unit(Scope::Unit(d.unit.id))
                .dossier(id)
                .details(json!({
                    "from": d.state, "to": to, "reason": t.reason, "comments": t.comments,
                    "details": t.details,
                })),
        )
        .await?;
    Ok(if moved {
        Acted::Moved(row)
    } else {
        Acted::Noted(row)
    })
}

fn audit_action(a: &Action) -> &'static str {
    match a {
        Action::EnterData => "dossier.enter_data",
        Action::Submit => "dossier.submit",
        Action::Return { .. } => "dossier.return",
        Action::Forward { .. } => "dossier.forward",
        Action::Override { .. } => "dossier.override",
        Action::Explain { .. } => "dossier.explain",
        Action::Decide { .. } => "dossier.decide",
        Action::Revoke => "dossier.revoke",
    }
}

/// "chờ xét duyệt — Công an tỉnh (PV05)", for messages and pages.
pub fn state_label(s: State, locale: &str) -> String {
    let state = rust_i18n::t!(format!("workflow.state.{}", s.as_str()), locale = locale);
    match s.level() {
        Some(l) => format!(
            "{state} — {}",
            rust_i18n::t!(format!("workflow.level.{}", l.as_str()), locale = locale)
        ),
        None => state.into_owned(),
    }
}

/// Notifies the users who prepare `d` (submit capability over its unit).
async fn notify_preparers(
    ctx: &Ctx<'_>,
    change: &super::Change,
    d: &Dossier,
    kind: &str,
    key: &str,
    args: J,
) -> Result<(), ServiceError> {
    let users = binhyen_store::auth::users_with_grants(change.tx()).await?;
    let need = Need {
        capability: Capability::Submit,
        target: Scope::Unit(d.unit.id),
        on: wf::period_date(d.row.year),
    };
    let rows: Vec<NotificationRow> = users
        .into_iter()
        .filter(|(u, grants)| {
            let grants: Vec<authz::Grant> = grants.iter().map(|g| g.grant).collect();
            u.active && authz::authorize(&grants, &need, ctx.units).is_ok()
        })
        .map(|(u, _)| NotificationRow {
            id: 0,
            user_id: u.id,
            kind: kind.to_owned(),
            text_key: key.to_owned(),
            args: args.to_string(),
            link: format!("/dossiers/{}", d.row.id),
            created_at: ctx.now,
            read_at: None,
        })
        .collect();
    store::notify(change.tx(), &rows).await?;
    Ok(())
}

/// Moves a dossier still at the version read to `to` (a conflict otherwise).
async fn move_to(
    ctx: &Ctx<'_>,
    tx: &binhyen_store::Tx,
    d: &DossierRow,
    to: State,
) -> Result<(), ServiceError> {
    let level = to.level().map(Level::as_str);
    if store::move_dossier(tx, d.id, d.version, to.as_str(), level, ctx.now).await? {
        Ok(())
    } else {
        Err(conflict(None, d))
    }
}

/// Facts were saved for `unit` and `year` — called by [`super::facts::save`] inside its change,
/// the one place where a dossier follows data entry: a dossier still `registered` moves to data
/// entry (a transition and an audit entry in the same transaction); a dossier with the reviewers
/// (under review, proposed) refuses the save, since its facts are what they are reviewing.
/// Dossiers already decided keep their state (facts may still be corrected, with history).
pub async fn facts_entered(
    ctx: &Ctx<'_>,
    actor: &Actor,
    change: &mut super::Change,
    unit: UnitId,
    year: i32,
) -> Result<(), ServiceError> {
    let rows = store::dossiers_of_unit(change.tx(), unit).await?;
    for row in rows.into_iter().filter(|d| d.year == year) {
        let d = dossier_of_row(ctx, row)?;
        match wf::apply(d.state, &Action::EnterData, &d.chain) {
            Ok(Step::To(to)) => {
                move_to(ctx, change.tx(), &d.row, to).await?;
                store::add_transition(
                    change.tx(),
                    &step_row(&d.row, actor, ctx, "enter_data", d.state, to),
                )
                .await?;
                change
                    .record(
                        Audit::new("dossier.enter_data", "dossier", d.row.id)
                            .unit(Scope::Unit(unit))
                            .dossier(d.row.id)
                            .details(json!({ "from": d.state, "to": to })),
                    )
                    .await?;
            }
            Ok(_) => {}
            Err(_) if matches!(d.state, State::UnderReview(_) | State::Proposed) => {
                return Err(ServiceError::invalid(
                    "dossier",
                    "workflow.refused.facts_held",
                    state_label(d.state, "vi"),
                ));
            }
            Err(_) => {}
        }
    }
    Ok(())
}

fn save_error(e: SaveError) -> ServiceError {
    match e {
        SaveError::Conflict { current } => ServiceError::Conflict {
            key: "workflow.facts_conflict",
            value: current
                .map(|c| {
                    format!(
                        "{} ({})",
                        c.updated_by_name,
                        crate::clock::format_time(c.updated_at)
                    )
                })
                .unwrap_or_default(),
        },
        SaveError::Db(e) => ServiceError::Db(e),
    }
}

/// One line of "what changed since the last review".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    /// `facts` or `verdicts`.
    pub part: &'static str,
    /// `form.key` for facts, the rule id (or `standard`) for verdicts.
    pub key: String,
    pub old: String,
    pub new: String,
}

/// The difference between the last two submissions' snapshots (empty before a resubmission).
pub fn diff_since_last_review(timeline: &[TransitionRow]) -> Vec<DiffLine> {
    let snaps: Vec<J> = timeline
        .iter()
        .filter(|t| t.action == "submit")
        .filter_map(|t| t.snapshot.as_deref())
        .filter_map(|s| serde_json::from_str(s).ok())
        .collect();
    let [.., before, after] = snaps.as_slice() else {
        return vec![];
    };
    let mut out = Vec::new();
    let flat_facts = |s: &J| -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        if let Some(forms) = s["facts"].as_object() {
            for (form, obj) in forms {
                if let Some(obj) = obj.as_object() {
                    for (k, v) in obj {
                        m.insert(format!("{form}.{k}"), v.to_string());
                    }
                }
            }
        }
        m
    };
    let flat_verdicts = |s: &J| -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        if let Some(v) = s["verdicts"]["verdict"].as_str() {
            m.insert("standard".to_owned(), v.to_owned());
        }
        if let Some(rules) = s["verdicts"]["rules"].as_object() {
            for (k, v) in rules {
                m.insert(k.clone(), v.as_str().unwrap_or_default().to_owned());
            }
        }
        m
    };
    for (part, a, b) in [
        ("facts", flat_facts(before), flat_facts(after)),
        ("verdicts", flat_verdicts(before), flat_verdicts(after)),
    ] {
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for k in keys {
            let (o, n) = (a.get(k), b.get(k));
            if o != n {
                out.push(DiffLine {
                    part,
                    key: k.clone(),
                    old: o.cloned().unwrap_or_default(),
                    new: n.cloned().unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// The timeline of a dossier the actor may see.
pub async fn timeline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
) -> Result<Vec<TransitionRow>, ServiceError> {
    dossier(ctx, actor, id).await?;
    Ok(store::transitions(ctx.store, &[id]).await?)
}

/// The actions `actor` may take on `d` now (state rules and role/territory together).
pub fn actions_for(ctx: &Ctx<'_>, actor: &Actor, d: &Dossier) -> Vec<&'static str> {
    wf::available(d.state, &d.chain)
        .into_iter()
        .filter(|a| {
            let sample = match *a {
                "enter_data" => Action::EnterData,
                "submit" => Action::Submit,
                "return" => Action::Return { reason: "x".into() },
                "forward" => Action::Forward { proposal: None },
                "override" => Action::Override {
                    rule: "x".into(),
                    verdict: "x".into(),
                    reason: "x".into(),
                },
                "explain" => Action::Explain { text: "x".into() },
                "revoke" => Action::Revoke,
                _ => Action::Decide { recognised: true },
            };
            allowed(
                ctx,
                actor,
                sample.capability(d.state),
                d.unit.id,
                d.row.year,
            )
        })
        .collect()
}

/// Dossiers waiting for `actor`: under review at a level they act at, or proposed to a decider,
/// inside their territory.
pub async fn queue(ctx: &Ctx<'_>, actor: &Actor) -> Result<Vec<Dossier>, ServiceError> {
    let mut out = Vec::new();
    for row in store::dossiers(ctx.store, None, None).await? {
        let d = dossier_of_row(ctx, row)?;
        let cap = match d.state {
            State::UnderReview(l) => l.capability(),
            State::Proposed => Capability::Decide,
            _ => continue,
        };
        if allowed(ctx, actor, cap, d.unit.id, d.row.year) {
            out.push(d);
        }
    }
    Ok(out)
}

/// The dossiers of `unit` the actor may see (each year checked on its own period), newest
/// year first: the unit page's "registration and recognition" section.
pub async fn dossiers_of_unit(
    ctx: &Ctx<'_>,
    actor: &Actor,
    unit: UnitId,
) -> Result<Vec<Dossier>, ServiceError> {
    let mut out = Vec::new();
    for row in store::dossiers_of_unit(ctx.store, unit).await? {
        if may_view(ctx, actor, row.unit_id, row.year) {
            out.push(dossier_of_row(ctx, row)?);
        }
    }
    Ok(out)
}

/// The registrations of a year inside `scope` (a province), with the dossiers.
pub async fn registered(
    ctx: &Ctx<'_>,
    actor: &Actor,
    scope: UnitId,
    year: i32,
) -> Result<Vec<(RegistrationRow, UnitRef)>, ServiceError> {
    if !may_view(ctx, actor, scope, year) {
        return Err(ServiceError::NotFound);
    }
    let mut out = Vec::new();
    for r in store::registrations(ctx.store, year).await? {
        if ctx.units.within(scope, r.unit_id)
            && let Some(u) = ctx.units.by_id(r.unit_id)
        {
            out.push((r, u));
        }
    }
    Ok(out)
}

/// The warning standard of Decision 18/2022/QĐ-TTg: a recognised commune whose 19.2 is no
/// longer met may have its New Rural recognition revoked.
pub const REVOCATION_FLAG: &str = "qd18-thu-hoi";

/// Whether an evaluation raises the QĐ18 revocation risk (the flag's "not met").
pub fn at_revocation_risk(e: &Evaluation) -> bool {
    e.standard.id == REVOCATION_FLAG && e.verdict == binhyen_core::standard::Verdict::NotMet
}

/// One line of the classification list.
#[derive(Clone, Debug)]
pub struct ListLine {
    pub dossier: Dossier,
    pub evaluation: Option<Evaluation>,
    /// Overrides: (rule, verdict, reason, by).
    pub overrides: Vec<(String, String, String, String)>,
    pub proposal: Option<Proposal>,
    /// Explanations (giải trình): (text, by).
    pub explanations: Vec<(String, String)>,
    /// The decision naming this dossier, if any (the latest).
    pub decision: Option<DecisionRow>,
    /// QĐ18 revocation risk raised (recognised commune whose 19.2 is not met).
    pub revocation_risk: bool,
}

/// The classification list of `province` for `year` and `standard`.
pub async fn classification_list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    law: Law<'_>,
    province: UnitId,
    year: i32,
    standard: &str,
) -> Result<Vec<ListLine>, ServiceError> {
    if !may_view(ctx, actor, province, year) {
        return Err(ServiceError::NotFound);
    }
    // Memoised until the next commit: the list depends on the database, the map and the
    // standards only, once the province may be seen.
    let key = format!(
        "classification:{}:{}:{province}:{year}:{standard}",
        law.atlas.build_id(),
        law.registry.build_id()
    );
    let lines = ctx
        .store
        .memoized(&key, || {
            classification_lines(ctx, law, province, year, standard)
        })
        .await?;
    Ok(lines.as_ref().clone())
}

async fn classification_lines(
    ctx: &Ctx<'_>,
    law: Law<'_>,
    province: UnitId,
    year: i32,
    standard: &str,
) -> Result<Vec<ListLine>, ServiceError> {
    let rows: Vec<DossierRow> = store::dossiers(ctx.store, Some(year), Some(standard))
        .await?
        .into_iter()
        .filter(|d| ctx.units.within(province, d.unit_id))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let timeline = store::transitions(ctx.store, &ids).await?;
    let decisions = store::decisions(ctx.store, Some(year)).await?;
    let mut out = Vec::new();
    for row in rows {
        let d = dossier_of_row(ctx, row)?;
        let evaluation = evaluate(ctx.store, law, d.unit.id, year, standard).await?;
        let steps = timeline.iter().filter(|t| t.dossier_id == d.row.id);
        let mut line = ListLine {
            evaluation,
            overrides: vec![],
            proposal: None,
            explanations: vec![],
            decision: decisions
                .iter()
                .find(|x| x.units.iter().any(|(_, dos)| *dos == d.row.id))
                .cloned(),
            revocation_risk: false,
            dossier: d.clone(),
        };
        for t in steps {
            let details: J = t
                .details
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(J::Null);
            match t.action.as_str() {
                "override" => line.overrides.push((
                    details["rule"].as_str().unwrap_or_default().to_owned(),
                    details["verdict"].as_str().unwrap_or_default().to_owned(),
                    t.reason.clone().unwrap_or_default(),
                    t.by.name.clone(),
                )),
                "forward" => {
                    if let Ok(p) = serde_json::from_value(details["proposal"].clone()) {
                        line.proposal = Some(p);
                    }
                }
                "explain" => line.explanations.push((
                    details["explanation"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    t.by.name.clone(),
                )),
                _ => {}
            }
        }
        if d.unit.kind == UnitKind::Commune
            && let Some(flag) = evaluate(ctx.store, law, d.unit.id, year, REVOCATION_FLAG).await?
        {
            line.revocation_risk = at_revocation_risk(&flag);
        }
        out.push(line);
    }
    Ok(out)
}

/// A decision to issue.
#[derive(Clone, Debug)]
pub struct NewDecision {
    pub number: String,
    pub signed_on: NaiveDate,
    pub signer: String,
    pub legal_basis: String,
    /// The proposed dossiers it recognises (`recognise`), or the recognised dossiers it revokes.
    pub dossiers: Vec<i64>,
    /// For a revocation: the decision it revokes.
    pub revokes: Option<i64>,
}

fn required(field: &'static str, v: &str) -> Result<(), ServiceError> {
    if v.trim().is_empty() {
        Err(ServiceError::invalid(
            field,
            "workflow.invalid.required",
            "",
        ))
    } else {
        Ok(())
    }
}

/// Issues a recognition decision (or, with `revokes`, a revocation): every dossier moves
/// (proposed → recognised, or recognised → revoked), the recognition is written into (or marked
/// revoked in) the unit's `recognitions` facts, all in one transaction with its audit entries.
pub async fn issue_decision(
    ctx: &Ctx<'_>,
    actor: &Actor,
    registry: &Registry,
    new: NewDecision,
) -> Result<DecisionRow, ServiceError> {
    required("number", &new.number)?;
    required("signer", &new.signer)?;
    required("legal_basis", &new.legal_basis)?;
    if new.dossiers.is_empty() {
        return Err(ServiceError::invalid(
            "dossiers",
            "workflow.invalid.no_dossiers",
            "",
        ));
    }
    let mut ds = Vec::new();
    for id in &new.dossiers {
        ds.push(dossier(ctx, actor, *id).await?);
    }
    let first = &ds[0];
    let (year, standard) = (first.row.year, first.row.standard.clone());
    for d in &ds {
        if d.row.year != year || d.row.standard != standard {
            return Err(ServiceError::invalid(
                "dossiers",
                "workflow.invalid.mixed_dossiers",
                &d.unit.name,
            ));
        }
        let need = Need {
            capability: Capability::Decide,
            target: Scope::Unit(d.unit.id),
            on: wf::period_date(year),
        };
        authz::authorize(&actor.grants, &need, ctx.units).map_err(ServiceError::Denied)?;
    }
    let referred = match new.revokes {
        Some(r) => {
            let old = store::decision(ctx.store, r)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if old.kind != "recognise" {
                return Err(ServiceError::invalid(
                    "revokes",
                    "workflow.invalid.not_a_recognition",
                    &old.number,
                ));
            }
            for d in &ds {
                if !old.units.iter().any(|(_, dos)| *dos == d.row.id) {
                    return Err(ServiceError::invalid(
                        "dossiers",
                        "workflow.invalid.not_in_decision",
                        &d.unit.name,
                    ));
                }
            }
            Some(old)
        }
        None => None,
    };
    let (action, kind) = match referred {
        Some(_) => (Action::Revoke, "revoke"),
        None => (Action::Decide { recognised: true }, "recognise"),
    };
    let (mut change, grant) = begin(
        ctx,
        actor,
        Check::need(
            Capability::Decide,
            Scope::Unit(first.unit.id),
            wf::period_date(year),
        ),
    )
    .await?;
    let issuer = grant.and_then(|g| g.unit.unit());
    let mut rows = Vec::new();
    for d in &ds {
        let row = store::dossier(change.tx(), d.row.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let d = dossier_of_row(ctx, row)?;
        let Ok(Step::To(to)) = wf::apply(d.state, &action, &d.chain) else {
            return Err(ServiceError::invalid(
                "dossiers",
                "workflow.invalid.not_ready",
                format!("{} ({})", d.unit.name, state_label(d.state, "vi")),
            ));
        };
        if let Some(me) = actor.id {
            let history = contributions(change.tx(), &d.row).await?;
            authz::separation_of_duties(me, Capability::Decide, &history)
                .map_err(ServiceError::Denied)?;
        }
        move_to(ctx, change.tx(), &d.row, to).await?;
        let mut t = step_row(&d.row, actor, ctx, action.as_str(), d.state, to);
        t.details = Some(json!({ "decision_number": new.number.trim() }).to_string());
        store::add_transition(change.tx(), &t).await?;
        rows.push(d);
    }
    let issued = store::issue_decision(
        change.tx(),
        &DecisionRow {
            id: 0,
            number: new.number.trim().to_owned(),
            signed_on: new.signed_on,
            signer: new.signer.trim().to_owned(),
            legal_basis: new.legal_basis.trim().to_owned(),
            kind: kind.to_owned(),
            refers_to: new.revokes,
            year,
            standard: standard.clone(),
            issuer_unit_id: issuer,
            issued_at: ctx.now,
            by: by(actor),
            units: rows.iter().map(|d| (d.unit.id, d.row.id)).collect(),
        },
    )
    .await?;
    for d in &rows {
        write_recognition(ctx, actor, &change, d, &issued, registry).await?;
        let args =
            json!({ "unit": d.unit.name, "number": issued.number, "year": year.to_string() });
        notify_preparers(
            ctx,
            &change,
            d,
            "decision",
            &format!("workflow.notify.{kind}"),
            args,
        )
        .await?;
        change
            .record(
                Audit::new(audit_action(&action), "dossier", d.row.id)
                    .unit(Scope::Unit(d.unit.id))
                    .dossier(d.row.id)
                    .details(json!({ "decision": issued.id, "number": issued.number })),
            )
            .await?;
    }
    change
        .commit(
            Audit::new("decision.issue", "decision", issued.id)
                .unit(Scope::from_unit(issuer))
                .details(json!({
                    "number": issued.number, "kind": kind, "refers_to": issued.refers_to,
                    "signed_on": issued.signed_on, "signer": issued.signer,
                    "units": issued.units,
                })),
        )
        .await?;
    Ok(issued)
}

/// Adds (recognition) or marks revoked (revocation) the decision in the unit's `recognitions`
/// facts for the dossier's year, with a history line.
async fn write_recognition(
    ctx: &Ctx<'_>,
    actor: &Actor,
    change: &super::Change,
    d: &Dossier,
    decision: &DecisionRow,
    registry: &Registry,
) -> Result<(), ServiceError> {
    let year = d.row.year;
    let current = facts::form(change.tx(), d.unit.id, year, RECOGNITION_FORM).await?;
    let old: serde_json::Map<String, J> = current
        .as_ref()
        .and_then(|c| serde_json::from_str(&c.data).ok())
        .unwrap_or_default();
    let mut new = old.clone();
    let mut list = old
        .get("recognitions")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if decision.kind == "revoke" {
        let revoked_number = match decision.refers_to {
            Some(r) => store::decision(change.tx(), r).await?.map(|x| x.number),
            None => None,
        };
        for r in &mut list {
            if r["standard"] == d.row.standard.as_str()
                && r["year"] == year
                && revoked_number
                    .as_deref()
                    .is_some_and(|n| r["decision_number"] == n)
            {
                r["revoked"] = J::Bool(true);
            }
        }
    } else {
        list.push(json!({
            "standard": d.row.standard,
            "year": year,
            "decision_number": decision.number,
            "decision_date": decision.signed_on.format("%Y-%m-%d").to_string(),
            "revoked": false,
        }));
    }
    new.insert("recognitions".to_owned(), J::Array(list));
    let data = J::Object(new.clone()).to_string();
    // The recognitions must read back through the catalogue (standards see them).
    let file = SourceFile::new(format!("{}:{RECOGNITION_FORM}", d.unit.code), data.clone());
    if let Err(p) = case::parse_facts(&file, registry, d.unit.kind, year, None) {
        return Err(ServiceError::Internal(
            p.first().map(|p| p.render("en")).unwrap_or_default(),
        ));
    }
    let reason = format!("Quyết định số {}", decision.number);
    facts::save_form(
        change.tx(),
        &FormWrite {
            unit_id: d.unit.id,
            year,
            form: RECOGNITION_FORM,
            data: &data,
            status: current.as_ref().map_or("draft", |c| c.status.as_str()),
            expected_version: current.as_ref().map_or(0, |c| c.version),
            actor_id: actor.id,
            actor_name: &actor.display_name,
            at: ctx.now,
            reason: Some(&reason),
            source: &format!("decision:{}", decision.id),
            changes: &crate::service::facts::changes(&old, &new),
        },
    )
    .await
    .map_err(save_error)?;
    Ok(())
}

/// A decision the actor may see (every unit it names must be visible).
pub async fn decision(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> Result<DecisionRow, ServiceError> {
    let d = store::decision(ctx.store, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let visible = d
        .units
        .iter()
        .any(|(u, _)| may_view(ctx, actor, *u, d.year));
    if visible {
        Ok(d)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The decisions (of `year`, or all) naming at least one unit the actor may see.
pub async fn decisions(
    ctx: &Ctx<'_>,
    actor: &Actor,
    year: Option<i32>,
) -> Result<Vec<DecisionRow>, ServiceError> {
    Ok(store::decisions(ctx.store, year)
        .await?
        .into_iter()
        .filter(|d| {
            d.units
                .iter()
                .any(|(u, _)| may_view(ctx, actor, *u, d.year))
        })
        .collect())
}

/// Sets a year's deadline (`registration_end` or `lock`) for a province or the country;
/// administrators only, inside their territory.
pub async fn set_deadline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    scope: Scope,
    year: i32,
    kind: &str,
    day: NaiveDate,
) -> Result<(), ServiceError> {
    if !matches!(kind, "registration_end" | "lock") {
        return Err(ServiceError::invalid(
            "kind",
            "workflow.invalid.deadline_kind",
            kind,
        ));
    }
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(Capability::ManageUsers, scope, wf::period_date(year)),
    )
    .await?;
    store::set_deadline(
        change.tx(),
        &DeadlineRow {
            unit_id: scope.unit(),
            year,
            kind: kind.to_owned(),
            day,
        },
    )
    .await?;
    change
        .commit(
            Audit::new("deadline.set", "deadline", format!("{year}/{kind}"))
                .unit(scope)
                .details(json!({ "year": year, "kind": kind, "day": day })),
        )
        .await
}

/// A deadline coming up for the actor (computed, not stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineNote {
    /// `registration_end`, `window_end` or `lock`.
    pub kind: &'static str,
    /// The unit kind a window end is for (residential areas end earlier than communes).
    pub unit_kind: Option<UnitKind>,
    pub day: NaiveDate,
    pub days_left: i64,
}

/// Deadlines within `horizon_days` of today for the actor's units: the end of Q1 registration
/// (for units that may register), the end of the counting window, the province's lock date.
pub async fn upcoming_deadlines(
    ctx: &Ctx<'_>,
    actor: &Actor,
    horizon_days: i64,
) -> Result<Vec<DeadlineNote>, ServiceError> {
    let year = ctx.today().year_ce().1 as i32;
    let mut out: Vec<DeadlineNote> = Vec::new();
    for g in &actor.grants {
        let Some(unit) = g.unit.unit() else { continue };
        let kinds: &[UnitKind] = if g.role.can_on_own_unit(Capability::Submit) {
            &[ctx.units.by_id(unit).map_or(UnitKind::Commune, |u| u.kind)]
        } else {
            &[]
        };
        for n in deadlines(ctx, Some(unit), year, kinds).await? {
            if (0..=horizon_days).contains(&n.days_left) && !out.iter().any(|o| o.kind == n.kind) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// The deadlines of `year` for `unit` (`None`: the country), with the days left from today
/// (negative once passed): for units of `kinds` that register, the registration end (the
/// province's set deadline or 31/03) and the end of each kind's counting window; then the
/// province's lock date, if set.
pub async fn deadlines(
    ctx: &Ctx<'_>,
    unit: Option<UnitId>,
    year: i32,
    kinds: &[UnitKind],
) -> Result<Vec<DeadlineNote>, ServiceError> {
    let today = ctx.today();
    let note = |kind: &'static str, unit_kind: Option<UnitKind>, day: NaiveDate| DeadlineNote {
        kind,
        unit_kind,
        day,
        days_left: (day - today).num_days(),
    };
    let mut out = Vec::new();
    if !kinds.is_empty() {
        out.push(note(
            "registration_end",
            None,
            registration_end(ctx, unit, year).await?,
        ));
        for k in kinds {
            out.push(note("window_end", Some(*k), wf::window_end(*k, year)));
        }
    }
    if let Some(lock) = deadline_for(ctx, unit, year, "lock").await? {
        out.push(note("lock", None, lock));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
