//! Yearly facts: read a unit's forms for a year, save one form, lock and reopen a province's
//! year; documents ([`documents`]) and spreadsheets ([`sheet`]) build on the same save.
//!
//! A save checks the caller's scope ([`begin_facts`]), parses every value against the catalogue
//! (field-level Vietnamese messages), refuses a locked year (with its lock date), computes the
//! per-field changes (old → new), needs a reason when a submitted form changes, records a count
//! moved between crime categories as a reclassification, runs the consistency checks
//! ([`binhyen_core::checks`]: errors block submission, warnings need a confirmation), and writes
//! the form and its history lines with an audit entry, in one transaction. A stale version is
//! refused with the current row and the change that made it.
//!
//! A save is also the one place a dossier follows data entry
//! ([`super::workflow::facts_entered`]): a registered dossier moves to data entry, a dossier
//! under review refuses the save.
//!
//! Invariant: a fact value never changes without a history line (who, when, old → new, and the
//! reason when the form was submitted).

pub mod documents;
pub mod overview;
pub mod preview;
pub mod sheet;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::case::parse_facts;
use binhyen_core::catalogue::{Catalogue, FormGroup};
use binhyen_core::checks::{self, CRIME_CATEGORIES, Finding, Severity};
use binhyen_core::diag::{Message, SourceFile};
use binhyen_core::fact::Facts;
use binhyen_core::standard::Registry;
use binhyen_core::units::{UnitId, UnitKind};
use binhyen_store::facts::{
    self as store, ChangeRow, FieldChange, FormRow, FormWrite, LockRow, SaveError,
};
use chrono::NaiveDate;
use serde_json::{Map, Value as JV};

use super::{Actor, Audit, Change, Check, Ctx, ServiceError};
use crate::directory::UnitRef;

pub const DRAFT: &str = "draft";
pub const SUBMITTED: &str = "submitted";

/// The date that stands for a year in scope checks (the last day of the year).
pub fn period(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()
}

/// Why a save (or a lock change) did not happen.
#[derive(Debug)]
pub enum FactsError {
    Service(ServiceError),
    /// Values the catalogue refuses: one message per field (catalogue key, or `""` for the form).
    Invalid(Vec<FieldProblem>),
    /// The form was submitted: changing it needs a reason.
    ReasonRequired {
        fields: Vec<String>,
    },
    /// Consistency findings that stop this save: errors on submission, unconfirmed warnings.
    Checks(Vec<Finding>),
    /// Someone saved the form in between: what is stored now and the lines of their save.
    Conflict {
        current: Box<FormRow>,
        their_changes: Vec<ChangeRow>,
    },
    /// The province locked the year on `lock_date`.
    Locked {
        lock_date: NaiveDate,
    },
}

impl From<ServiceError> for FactsError {
    fn from(e: ServiceError) -> FactsError {
        FactsError::Service(e)
    }
}

impl From<binhyen_store::DbErr> for FactsError {
    fn from(e: binhyen_store::DbErr) -> FactsError {
        FactsError::Service(ServiceError::Db(e))
    }
}

/// A problem with one field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: Message,
}

impl FactsError {
    /// One paragraph for a person, in `locale` (each problem on its own line).
    pub fn message(&self, locale: &str) -> String {
        let t = |k: &str, args: &[(&str, String)]| crate::units::text(locale, k, args);
        match self {
            FactsError::Service(e) => e.message(locale),
            FactsError::Invalid(list) => list
                .iter()
                .map(|p| {
                    if p.field.is_empty() {
                        p.message.render(locale)
                    } else {
                        format!("«{}»: {}", p.field, p.message.render(locale))
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            FactsError::ReasonRequired { fields } => t(
                "facts.err.reason_required",
                &[("fields", fields.join(", "))],
            ),
            FactsError::Checks(found) => found
                .iter()
                .map(|f| f.message.render(locale))
                .collect::<Vec<_>>()
                .join("\n"),
            FactsError::Conflict {
                current,
                their_changes,
            } => {
                let what = their_changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} → {}",
                            c.change.field,
                            c.change.old.as_deref().unwrap_or("—"),
                            c.change.new.as_deref().unwrap_or("—")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                t(
                    "facts.err.conflict",
                    &[
                        ("who", current.updated_by_name.clone()),
                        ("when", crate::clock::format_time(current.updated_at)),
                        ("version", current.version.to_string()),
                        ("what", what),
                    ],
                )
            }
            FactsError::Locked { lock_date } => t(
                "facts.err.locked",
                &[("date", binhyen_core::text::format_date(*lock_date))],
            ),
        }
    }
}

/// Opens a facts change: the capability over `unit` for `year`. The server console (the
/// operator running `binhyen import facts`) acts without a role check, like every command.
pub async fn begin_facts(
    ctx: &Ctx<'_>,
    actor: &Actor,
    capability: Capability,
    unit: UnitId,
    year: i32,
) -> Result<Change, ServiceError> {
    if actor.id.is_none() && actor.login == Actor::console().login {
        return super::open(ctx, actor.audit_actor()).await;
    }
    let (change, _) = super::begin(
        ctx,
        actor,
        Check::need(capability, Scope::Unit(unit), period(year)),
    )
    .await?;
    Ok(change)
}

/// Whether `actor` may read `unit` (its view scope contains it).
pub fn may_view(ctx: &Ctx<'_>, actor: &Actor, unit: UnitId, year: i32) -> Result<(), ServiceError> {
    if actor.id.is_none() && actor.login == Actor::console().login {
        return Ok(());
    }
    let need = Need {
        capability: Capability::View,
        target: Scope::Unit(unit),
        on: period(year),
    };
    authz::authorize(&actor.grants, &need, ctx.units)
        .map(|_| ())
        .map_err(ServiceError::Denied)
}

/// The unit as it stood in `year`, or not found.
pub fn unit_in_year(ctx: &Ctx<'_>, unit: UnitId, year: i32) -> Result<UnitRef, ServiceError> {
    ctx.units.in_year(unit, year).ok_or(ServiceError::NotFound)
}

/// The form groups a unit of `kind` fills in `year` (those with at least one field), in order.
pub fn groups(cat: &Catalogue, kind: UnitKind, year: i32) -> Vec<FormGroup> {
    let mut out: Vec<FormGroup> = cat.form(kind, year).iter().map(|(_, v)| v.group).collect();
    out.dedup();
    out
}

/// One form of a unit and year as stored (`row` is `None` when nothing was saved yet).
#[derive(Clone, Debug)]
pub struct FormState {
    pub group: FormGroup,
    pub row: Option<FormRow>,
    pub values: Map<String, JV>,
}

impl FormState {
    pub fn version(&self) -> i64 {
        self.row.as_ref().map_or(0, |r| r.version)
    }

    pub fn status(&self) -> Option<&str> {
        self.row.as_ref().map(|r| r.status.as_str())
    }
}

/// A unit's facts for a year: every form, the lock that applies.
#[derive(Clone, Debug)]
pub struct UnitYear {
    pub unit: UnitRef,
    pub year: i32,
    pub forms: Vec<FormState>,
    pub lock: Option<LockRow>,
}

impl UnitYear {
    pub fn form(&self, group: FormGroup) -> Option<&FormState> {
        self.forms.iter().find(|f| f.group == group)
    }
}

fn object(text: &str) -> Map<String, JV> {
    match serde_json::from_str(text) {
        Ok(JV::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Reads a unit's forms for a year (view scope).
pub async fn load(
    ctx: &Ctx<'_>,
    reg: &Registry,
    actor: &Actor,
    unit: UnitId,
    year: i32,
) -> Result<UnitYear, ServiceError> {
    let u = unit_in_year(ctx, unit, year)?;
    may_view(ctx, actor, unit, year)?;
    let rows = store::forms_of_units(ctx.store, &[unit], year..=year).await?;
    let forms = groups(reg.catalogue(), u.kind, year)
        .into_iter()
        .map(|group| {
            let row = rows.iter().find(|r| r.form == group.as_str()).cloned();
            let values = row.as_ref().map(|r| object(&r.data)).unwrap_or_default();
            FormState { group, row, values }
        })
        .collect();
    let lock = lock_of(ctx, unit, year).await?;
    Ok(UnitYear {
        unit: u,
        year,
        forms,
        lock,
    })
}

/// The lock that applies to `unit` for `year` (its province's), if one was set.
pub async fn lock_of(
    ctx: &Ctx<'_>,
    unit: UnitId,
    year: i32,
) -> Result<Option<LockRow>, ServiceError> {
    Ok(store::locks(ctx.store, year)
        .await?
        .into_iter()
        .find(|l| l.province_id == unit || ctx.units.within(l.province_id, unit)))
}

/// Whether a lock refuses changes today.
pub fn is_locked(lock: Option<&LockRow>, today: NaiveDate) -> Option<NaiveDate> {
    lock.filter(|l| !l.reopened && today > l.lock_date)
        .map(|l| l.lock_date)
}

/// Parses a facts object of one form: every key must be a field of this form for the unit's
/// kind and year, and every value of the field's type. Problems are per field.
pub fn parse_form(
    reg: &Registry,
    kind: UnitKind,
    year: i32,
    group: FormGroup,
    values: &Map<String, JV>,
) -> Result<Facts, Vec<FieldProblem>> {
    let cat = reg.catalogue();
    let mut problems = vec![];
    for (key, value) in values {
        match cat.version_for(key, kind, year) {
            Some(v) if v.group == group => {
                let one = JV::Object(Map::from_iter([(key.clone(), value.clone())])).to_string();
                if let Err(diags) = parse_facts(&SourceFile::new(key, one), reg, kind, year, None) {
                    problems.extend(diags.into_iter().map(|d| FieldProblem {
                        field: key.clone(),
                        message: d.message,
                    }));
                }
            }
            _ => problems.push(FieldProblem {
                field: key.clone(),
                message: Message::new("case.err.fact_not_for")
                    .arg("name", key.as_str())
                    .arg("kind", kind.as_str())
                    .arg("year", year.to_string()),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = JV::Object(values.clone()).to_string();
    parse_facts(
        &SourceFile::new(group.as_str(), text),
        reg,
        kind,
        year,
        None,
    )
    .map_err(|d| {
        d.into_iter()
            .map(|d| FieldProblem {
                field: String::new(),
                message: d.message,
            })
            .collect()
    })
}

/// The per-field changes from `old` to `new` (JSON text of each value; `None` = not entered),
/// in key order, with reclassifications between crime categories noted on their lines.
pub fn changes(old: &Map<String, JV>, new: &Map<String, JV>) -> Vec<FieldChange> {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out: Vec<FieldChange> = keys
        .into_iter()
        .filter_map(|k| {
            let o = old.get(k).map(JV::to_string);
            let n = new.get(k).map(JV::to_string);
            (o != n).then(|| FieldChange {
                field: k.clone(),
                old: o,
                new: n,
                note: None,
            })
        })
        .collect();
    let count = |m: &Map<String, JV>, k: &str| m.get(k).and_then(JV::as_i64).unwrap_or(0);
    let o: Vec<(&str, i64)> = CRIME_CATEGORIES
        .iter()
        .map(|k| (*k, count(old, k)))
        .collect();
    let n: Vec<(&str, i64)> = CRIME_CATEGORIES
        .iter()
        .map(|k| (*k, count(new, k)))
        .collect();
    let moves = checks::reclassifications(&o, &n);
    if !moves.is_empty() {
        for c in &mut out {
            let mine: Vec<JV> = moves
                .iter()
                .filter(|m| m.from == c.field || m.to == c.field)
                .map(|m| serde_json::json!({"from": m.from, "to": m.to, "count": m.count}))
                .collect();
            if !mine.is_empty() {
                c.note = Some(serde_json::json!({ "reclassified": mine }).to_string());
            }
        }
    }
    out
}

/// What a save asks for.
#[derive(Clone, Debug)]
pub struct SaveForm {
    pub unit: UnitId,
    pub year: i32,
    pub group: FormGroup,
    pub values: Map<String, JV>,
    /// The version the writer read (0: the form did not exist).
    pub expected_version: i64,
    pub submit: bool,
    pub reason: Option<String>,
    /// The writer saw the warnings and saves anyway.
    pub confirm_warnings: bool,
    /// `web`, `api`, `import:FILE`.
    pub source: String,
}

/// A saved form and the findings that did not stop it (warnings confirmed, errors on a draft).
#[derive(Clone, Debug)]
pub struct Saved {
    pub row: FormRow,
    pub findings: Vec<Finding>,
}

/// The facts of `unit` for each of the years, all forms merged (unparsable stored forms skipped).
async fn facts_by_year(
    ctx: &Ctx<'_>,
    reg: &Registry,
    unit: UnitId,
    kind: UnitKind,
    years: std::ops::RangeInclusive<i32>,
) -> Result<BTreeMap<i32, (Facts, Vec<FormRow>)>, ServiceError> {
    let rows = store::forms_of_units(ctx.store, &[unit], years).await?;
    let mut out: BTreeMap<i32, (Facts, Vec<FormRow>)> = BTreeMap::new();
    for r in rows {
        let e = out.entry(r.year).or_default();
        if let Ok(f) = parse_facts(
            &SourceFile::new(&r.form, r.data.clone()),
            reg,
            kind,
            r.year,
            None,
        ) {
            for (id, v) in f.iter() {
                e.0.set(id, v.clone());
            }
        }
        e.1.push(r);
    }
    Ok(out)
}

/// The consistency findings of a unit's year if `group` held `facts`.
pub async fn findings(
    ctx: &Ctx<'_>,
    reg: &Registry,
    unit: UnitId,
    kind: UnitKind,
    year: i32,
    group: FormGroup,
    facts: &Facts,
) -> Result<Vec<Finding>, ServiceError> {
    let cat = reg.catalogue();
    let mut by_year = facts_by_year(
        ctx,
        reg,
        unit,
        kind,
        year - checks::HISTORY_YEARS as i32..=year,
    )
    .await?;
    let mut merged = Facts::new();
    if let Some((f, _)) = by_year.remove(&year) {
        for (id, v) in f.iter() {
            let in_group = cat
                .version_for(&cat.by_id(id).key, kind, year)
                .is_some_and(|v| v.group == group);
            if !in_group {
                merged.set(id, v.clone());
            }
        }
    }
    for (id, v) in facts.iter() {
        merged.set(id, v.clone());
    }
    let earlier: Vec<(i32, &Facts)> = by_year.iter().map(|(y, (f, _))| (*y, f)).collect();
    // Only the findings about this form's fields: the others belong to their own forms.
    Ok(checks::check(cat, year, &merged, &earlier)
        .into_iter()
        .filter(|f| {
            f.fields.iter().any(|k| {
                cat.version_for(k, kind, year)
                    .is_some_and(|v| v.group == group)
            })
        })
        .collect())
}

/// Saves one form (see the module documentation for every refusal).
pub async fn save(
    ctx: &Ctx<'_>,
    reg: &Registry,
    actor: &Actor,
    req: &SaveForm,
) -> Result<Saved, FactsError> {
    let u = unit_in_year(ctx, req.unit, req.year)?;
    let mut change = begin_facts(ctx, actor, Capability::EnterFacts, req.unit, req.year).await?;
    if req.submit {
        // Submitting needs its own capability (both data-entry roles hold it).
        if actor.id.is_some() {
            authz::authorize(
                &actor.grants,
                &Need {
                    capability: Capability::Submit,
                    target: Scope::Unit(req.unit),
                    on: period(req.year),
                },
                ctx.units,
            )
            .map_err(ServiceError::Denied)?;
        }
    }
    if let Some(date) = is_locked(
        lock_of(ctx, req.unit, req.year).await?.as_ref(),
        ctx.today(),
    ) {
        return Err(FactsError::Locked { lock_date: date });
    }
    let facts =
        parse_form(reg, u.kind, req.year, req.group, &req.values).map_err(FactsError::Invalid)?;
    let stored = store::form(change.tx(), req.unit, req.year, req.group.as_str()).await?;
    let old = stored.as_ref().map(|r| object(&r.data)).unwrap_or_default();
    let diff = changes(&old, &req.values);
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let was_submitted = stored.as_ref().is_some_and(|r| r.status == SUBMITTED);
    if was_submitted && !diff.is_empty() && reason.is_none() {
        return Err(FactsError::ReasonRequired {
            fields: diff.iter().map(|c| c.field.clone()).collect(),
        });
    }
    let found = findings(ctx, reg, req.unit, u.kind, req.year, req.group, &facts).await?;
    let errors = found.iter().any(|f| f.severity == Severity::Error);
    let warnings = found.iter().any(|f| f.severity == Severity::Warning);
    if (req.submit && errors) || (warnings && !req.confirm_warnings) {
        return Err(FactsError::Checks(found));
    }
    let data = JV::Object(req.values.clone()).to_string();
    let status = if req.submit { SUBMITTED } else { DRAFT };
    let write = FormWrite {
        unit_id: req.unit,
        year: req.year,
        form: req.group.as_str(),
        data: &data,
        status,
        expected_version: req.expected_version,
        actor_id: actor.id,
        actor_name: &actor.display_name,
        at: ctx.now,
        reason,
        source: &req.source,
        changes: &diff,
    };
    let row = match store::save_form(change.tx(), &write).await {
        Ok(row) => row,
        Err(SaveError::Conflict { current }) => {
            drop(change);
            return Err(conflict(ctx, req, current).await);
        }
        Err(SaveError::Db(e)) => return Err(e.into()),
    };
    // A registered dossier of the unit and year moves to data entry (or the save is refused
    // while the dossier is with the reviewers).
    super::workflow::facts_entered(ctx, actor, &mut change, req.unit, req.year).await?;
    let audit = Audit::new(
        "facts.save",
        "fact_form",
        format!("{}/{}/{}", req.unit, req.year, req.group.as_str()),
    )
    .unit(Scope::Unit(req.unit))
    .details(serde_json::json!({
        "version": row.version,
        "status": status,
        "source": req.source,
        "changes": diff.iter().map(|c| &c.field).collect::<Vec<_>>(),
        "reason": reason,
    }));
    change.commit(audit).await?;
    Ok(Saved {
        row,
        findings: found,
    })
}

/// The conflict answer: the current row (read again outside the failed transaction) and the
/// history lines of the save that made it.
async fn conflict(ctx: &Ctx<'_>, req: &SaveForm, current: Option<Box<FormRow>>) -> FactsError {
    let current = match current {
        Some(c) => Some(c),
        None => store::form(ctx.store, req.unit, req.year, req.group.as_str())
            .await
            .ok()
            .flatten()
            .map(Box::new),
    };
    let Some(current) = current else {
        return FactsError::Service(ServiceError::NotFound);
    };
    let their_changes = store::history(ctx.store, req.unit, req.year)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| {
            c.form == current.form
                && c.at == current.updated_at
                && c.actor_name == current.updated_by_name
        })
        .collect();
    FactsError::Conflict {
        current,
        their_changes,
    }
}

/// The history of a unit's values for a year (view scope), oldest first.
pub async fn history(
    ctx: &Ctx<'_>,
    actor: &Actor,
    unit: UnitId,
    year: i32,
) -> Result<Vec<ChangeRow>, ServiceError> {
    unit_in_year(ctx, unit, year)?;
    may_view(ctx, actor, unit, year)?;
    Ok(store::history(ctx.store, unit, year).await?)
}

/// Sets the lock date of a province's year (the province's reviewer, or the console).
pub async fn set_lock(
    ctx: &Ctx<'_>,
    actor: &Actor,
    province: UnitId,
    year: i32,
    lock_date: NaiveDate,
) -> Result<(), ServiceError> {
    lock_change(ctx, actor, province, year, lock_date, None).await
}

/// Reopens a locked year of a province; a reason is required.
pub async fn reopen(
    ctx: &Ctx<'_>,
    actor: &Actor,
    province: UnitId,
    year: i32,
    reason: &str,
) -> Result<(), ServiceError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "facts.err.reason_empty",
            "",
        ));
    }
    let current = store::locks(ctx.store, year)
        .await?
        .into_iter()
        .find(|l| l.province_id == province)
        .ok_or(ServiceError::NotFound)?;
    lock_change(ctx, actor, province, year, current.lock_date, Some(reason)).await
}

async fn lock_change(
    ctx: &Ctx<'_>,
    actor: &Actor,
    province: UnitId,
    year: i32,
    lock_date: NaiveDate,
    reopen_reason: Option<&str>,
) -> Result<(), ServiceError> {
    let u = unit_in_year(ctx, province, year)?;
    if u.kind != UnitKind::Province {
        return Err(ServiceError::invalid(
            "unit",
            "facts.err.not_province",
            u.code,
        ));
    }
    let change = begin_facts(ctx, actor, Capability::Review, province, year).await?;
    let row = LockRow {
        province_id: province,
        year,
        lock_date,
        reopened: reopen_reason.is_some(),
        reason: reopen_reason.map(str::to_owned),
        actor_name: actor.display_name.clone(),
        at: ctx.now,
    };
    store::set_lock(change.tx(), &row).await?;
    let (action, details) = match reopen_reason {
        None => (
            "facts.lock",
            serde_json::json!({"year": year, "lock_date": lock_date.to_string()}),
        ),
        Some(r) => (
            "facts.reopen",
            serde_json::json!({"year": year, "lock_date": lock_date.to_string(), "reason": r}),
        ),
    };
    change
        .commit(
            Audit::new(action, "fact_lock", format!("{province}/{year}"))
                .unit(Scope::Unit(province))
                .details(details),
        )
        .await
}
