//! The review workflow in the database: registrations, dossiers (state, level, optimistic
//! version), transitions (who, when, why, per-field comments, the snapshot of facts and verdicts
//! at submission), decisions with their units, notifications and per-year deadlines.
//!
//! Decisions are immutable once issued: this module has no function that updates or deletes a
//! decision or its units (a revocation is a new decision that refers to the old one).
//! The store does not interpret states; `binhyen_core::workflow` and the service layer do.

mod entity;

use binhyen_core::units::UnitId;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};

use crate::{Tx, tx::Db};
use entity::{deadline, decision, decision_unit, dossier, notification, registration, transition};

/// Who did something (id and display name at the time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct By {
    pub id: Option<i64>,
    pub name: String,
}

/// One registration of a unit for a standard in a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub year: i32,
    pub standard: String,
    pub registered_at: DateTime<Utc>,
    pub by: By,
}

impl From<registration::Model> for RegistrationRow {
    fn from(m: registration::Model) -> Self {
        RegistrationRow {
            id: m.id,
            unit_id: m.unit_id,
            year: m.year,
            standard: m.standard,
            registered_at: m.registered_at,
            by: By {
                id: m.actor_id,
                name: m.actor_name,
            },
        }
    }
}

/// One dossier: a unit, a year, a standard, where it is, and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub year: i32,
    pub standard: String,
    pub state: String,
    pub level: Option<String>,
    /// 1 at registration, +1 on every move.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<dossier::Model> for DossierRow {
    fn from(m: dossier::Model) -> Self {
        DossierRow {
            id: m.id,
            unit_id: m.unit_id,
            year: m.year,
            standard: m.standard,
            state: m.state,
            level: m.level,
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("already registered")]
    Exists,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Registers `unit` for `standard` in `year` and opens its dossier (state `registered`).
pub async fn register(
    tx: &Tx,
    unit: UnitId,
    year: i32,
    standard: &str,
    at: DateTime<Utc>,
    by: &By,
) -> Result<(RegistrationRow, DossierRow), RegisterError> {
    let conn = tx.executor();
    let exists = |e: DbErr| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => RegisterError::Exists,
        _ => RegisterError::Db(e),
    };
    let r = registration::ActiveModel {
        unit_id: Set(unit),
        year: Set(year),
        standard: Set(standard.to_owned()),
        registered_at: Set(at),
        actor_id: Set(by.id),
        actor_name: Set(by.name.clone()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .map_err(exists)?;
    let d = dossier::ActiveModel {
        unit_id: Set(unit),
        year: Set(year),
        standard: Set(standard.to_owned()),
        state: Set("registered".to_owned()),
        level: Set(None),
        version: Set(1),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .map_err(exists)?;
    Ok((r.into(), d.into()))
}

/// Every registration of `year`, oldest first.
pub async fn registrations(db: &impl Db, year: i32) -> Result<Vec<RegistrationRow>, DbErr> {
    Ok(registration::Entity::find()
        .filter(registration::Column::Year.eq(year))
        .order_by_asc(registration::Column::Id)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn dossier(db: &impl Db, id: i64) -> Result<Option<DossierRow>, DbErr> {
    Ok(dossier::Entity::find_by_id(id)
        .one(&db.executor())
        .await?
        .map(Into::into))
}

/// The dossier of `unit` for `standard` in `year`.
pub async fn dossier_of(
    db: &impl Db,
    unit: UnitId,
    year: i32,
    standard: &str,
) -> Result<Option<DossierRow>, DbErr> {
    Ok(dossier::Entity::find()
        .filter(dossier::Column::UnitId.eq(unit))
        .filter(dossier::Column::Year.eq(year))
        .filter(dossier::Column::Standard.eq(standard))
        .one(&db.executor())
        .await?
        .map(Into::into))
}

/// Every dossier of `year` (of one standard when given), by id.
pub async fn dossiers(
    db: &impl Db,
    year: Option<i32>,
    standard: Option<&str>,
) -> Result<Vec<DossierRow>, DbErr> {
    let mut q = dossier::Entity::find().order_by_asc(dossier::Column::Id);
    if let Some(y) = year {
        q = q.filter(dossier::Column::Year.eq(y));
    }
    if let Some(s) = standard {
        q = q.filter(dossier::Column::Standard.eq(s));
    }
    Ok(q.all(&db.executor())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Every dossier of `unit`, newest year first.
pub async fn dossiers_of_unit(db: &impl Db, unit: UnitId) -> Result<Vec<DossierRow>, DbErr> {
    Ok(dossier::Entity::find()
        .filter(dossier::Column::UnitId.eq(unit))
        .order_by_desc(dossier::Column::Year)
        .order_by_asc(dossier::Column::Id)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Moves a dossier if it is still at `expected_version`; `false` when someone moved it first.
pub async fn move_dossier(
    tx: &Tx,
    id: i64,
    expected_version: i64,
    state: &str,
    level: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = dossier::Entity::update_many()
        .col_expr(dossier::Column::State, Expr::value(state))
        .col_expr(
            dossier::Column::Level,
            Expr::value(level.map(str::to_owned)),
        )
        .col_expr(dossier::Column::Version, Expr::value(expected_version + 1))
        .col_expr(dossier::Column::UpdatedAt, Expr::value(at))
        .filter(dossier::Column::Id.eq(id))
        .filter(dossier::Column::Version.eq(expected_version))
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected == 1)
}

/// One step of a dossier's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionRow {
    pub id: i64,
    pub dossier_id: i64,
    pub action: String,
    pub from_state: String,
    pub from_level: Option<String>,
    pub to_state: String,
    pub to_level: Option<String>,
    pub by: By,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// JSON object: field key → comment (returns).
    pub comments: Option<String>,
    /// JSON: the facts and verdicts at submission.
    pub snapshot: Option<String>,
    /// JSON: proposal, override, explanation, decision.
    pub details: Option<String>,
}

impl From<transition::Model> for TransitionRow {
    fn from(m: transition::Model) -> Self {
        TransitionRow {
            id: m.id,
            dossier_id: m.dossier_id,
            action: m.action,
            from_state: m.from_state,
            from_level: m.from_level,
            to_state: m.to_state,
            to_level: m.to_level,
            by: By {
                id: m.actor_id,
                name: m.actor_name,
            },
            at: m.at,
            reason: m.reason,
            comments: m.comments,
            snapshot: m.snapshot,
            details: m.details,
        }
    }
}

/// Appends a step to a dossier's timeline (`id` is ignored).
pub async fn add_transition(tx: &Tx, t: &TransitionRow) -> Result<i64, DbErr> {
    let m = transition::ActiveModel {
        dossier_id: Set(t.dossier_id),
        action: Set(t.action.clone()),
        from_state: Set(t.from_state.clone()),
        from_level: Set(t.from_level.clone()),
        to_state: Set(t.to_state.clone()),
        to_level: Set(t.to_level.clone()),
        actor_id: Set(t.by.id),
        actor_name: Set(t.by.name.clone()),
        at: Set(t.at),
        reason: Set(t.reason.clone()),
        comments: Set(t.comments.clone()),
        snapshot: Set(t.snapshot.clone()),
        details: Set(t.details.clone()),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await?;
    Ok(m.id)
}

/// The timelines of `dossiers`, oldest step first.
pub async fn transitions(db: &impl Db, dossiers: &[i64]) -> Result<Vec<TransitionRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in dossiers.chunks(500) {
        let rows = transition::Entity::find()
            .filter(transition::Column::DossierId.is_in(chunk.iter().copied()))
            .order_by_asc(transition::Column::Id)
            .all(&db.executor())
            .await?;
        out.extend(rows.into_iter().map(TransitionRow::from));
    }
    out.sort_by_key(|t| t.id);
    Ok(out)
}

/// An issued decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    /// "123/QĐ-UBND".
    pub number: String,
    pub signed_on: NaiveDate,
    pub signer: String,
    /// One legal basis per line.
    pub legal_basis: String,
    /// `recognise` or `revoke`.
    pub kind: String,
    /// The decision a revocation revokes.
    pub refers_to: Option<i64>,
    pub year: i32,
    pub standard: String,
    /// The unit whose committee issued it.
    pub issuer_unit_id: Option<UnitId>,
    pub issued_at: DateTime<Utc>,
    pub by: By,
    /// `(unit, dossier)` pairs, in the order listed.
    pub units: Vec<(UnitId, i64)>,
}

fn decision_row(m: decision::Model, units: Vec<(UnitId, i64)>) -> DecisionRow {
    DecisionRow {
        id: m.id,
        number: m.number,
        signed_on: m.signed_on,
        signer: m.signer,
        legal_basis: m.legal_basis,
        kind: m.kind,
        refers_to: m.refers_to,
        year: m.year,
        standard: m.standard,
        issuer_unit_id: m.issuer_unit_id,
        issued_at: m.issued_at,
        by: By {
            id: m.actor_id,
            name: m.actor_name,
        },
        units,
    }
}

/// Issues a decision with its units (`id` is ignored). There is no update path.
pub async fn issue_decision(tx: &Tx, d: &DecisionRow) -> Result<DecisionRow, DbErr> {
    let conn = tx.executor();
    let m = decision::ActiveModel {
        number: Set(d.number.clone()),
        signed_on: Set(d.signed_on),
        signer: Set(d.signer.clone()),
        legal_basis: Set(d.legal_basis.clone()),
        kind: Set(d.kind.clone()),
        refers_to: Set(d.refers_to),
        year: Set(d.year),
        standard: Set(d.standard.clone()),
        issuer_unit_id: Set(d.issuer_unit_id),
        issued_at: Set(d.issued_at),
        actor_id: Set(d.by.id),
        actor_name: Set(d.by.name.clone()),
        ..Default::default()
    }
    .insert(&conn)
    .await?;
    if !d.units.is_empty() {
        let rows = d.units.iter().map(|(u, dos)| decision_unit::ActiveModel {
            decision_id: Set(m.id),
            unit_id: Set(*u),
            dossier_id: Set(*dos),
            ..Default::default()
        });
        decision_unit::Entity::insert_many(rows).exec(&conn).await?;
    }
    Ok(decision_row(m, d.units.clone()))
}

async fn with_units(db: &impl Db, models: Vec<decision::Model>) -> Result<Vec<DecisionRow>, DbErr> {
    let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
    let mut units: Vec<decision_unit::Model> = Vec::new();
    for chunk in ids.chunks(500) {
        units.extend(
            decision_unit::Entity::find()
                .filter(decision_unit::Column::DecisionId.is_in(chunk.iter().copied()))
                .order_by_asc(decision_unit::Column::Id)
                .all(&db.executor())
                .await?,
        );
    }
    Ok(models
        .into_iter()
        .map(|m| {
            let list = units
                .iter()
                .filter(|u| u.decision_id == m.id)
                .map(|u| (u.unit_id, u.dossier_id))
                .collect();
            decision_row(m, list)
        })
        .collect())
}

pub async fn decision(db: &impl Db, id: i64) -> Result<Option<DecisionRow>, DbErr> {
    let Some(m) = decision::Entity::find_by_id(id).one(&db.executor()).await? else {
        return Ok(None);
    };
    Ok(with_units(db, vec![m]).await?.pop())
}

/// Every decision of `year` (all years when `None`), newest first.
pub async fn decisions(db: &impl Db, year: Option<i32>) -> Result<Vec<DecisionRow>, DbErr> {
    let mut q = decision::Entity::find().order_by_desc(decision::Column::Id);
    if let Some(y) = year {
        q = q.filter(decision::Column::Year.eq(y));
    }
    let models = q.all(&db.executor()).await?;
    with_units(db, models).await
}

/// The decisions that name `dossier`, oldest first.
pub async fn decisions_of_dossier(db: &impl Db, dossier: i64) -> Result<Vec<DecisionRow>, DbErr> {
    let ids: Vec<i64> = decision_unit::Entity::find()
        .filter(decision_unit::Column::DossierId.eq(dossier))
        .all(&db.executor())
        .await?
        .into_iter()
        .map(|u| u.decision_id)
        .collect();
    let models = decision::Entity::find()
        .filter(decision::Column::Id.is_in(ids))
        .order_by_asc(decision::Column::Id)
        .all(&db.executor())
        .await?;
    with_units(db, models).await
}

/// One notification of one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    /// `returned`, `decision`, …
    pub kind: String,
    /// Locale key of the text, and its arguments (a JSON object of strings).
    pub text_key: String,
    pub args: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Adds notifications (`id` and `read_at` are ignored).
pub async fn notify(tx: &Tx, rows: &[NotificationRow]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.iter().map(|n| notification::ActiveModel {
        user_id: Set(n.user_id),
        kind: Set(n.kind.clone()),
        text_key: Set(n.text_key.clone()),
        args: Set(n.args.clone()),
        link: Set(n.link.clone()),
        created_at: Set(n.created_at),
        read_at: Set(None),
        ..Default::default()
    });
    notification::Entity::insert_many(models)
        .exec(&tx.executor())
        .await?;
    Ok(())
}

/// The latest `limit` notifications of `user`, newest first.
pub async fn notifications(
    db: &impl Db,
    user: i64,
    limit: u64,
) -> Result<Vec<NotificationRow>, DbErr> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(|m| NotificationRow {
            id: m.id,
            user_id: m.user_id,
            kind: m.kind,
            text_key: m.text_key,
            args: m.args,
            link: m.link,
            created_at: m.created_at,
            read_at: m.read_at,
        })
        .collect())
}

pub async fn unread_count(db: &impl Db, user: i64) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .count(&db.executor())
        .await
}

/// Marks `user`'s notifications read (all of them when `id` is `None`). Bookkeeping, not a change.
pub async fn mark_read(
    db: &impl Db,
    user: i64,
    id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(at))
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = id {
        q = q.filter(notification::Column::Id.eq(id));
    }
    Ok(q.exec(&db.executor()).await?.rows_affected)
}

/// A deadline set for a year (`unit` = the province; `None` for the whole country).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineRow {
    pub unit_id: Option<UnitId>,
    pub year: i32,
    /// `registration_end` or `lock`.
    pub kind: String,
    pub day: NaiveDate,
}

/// Sets (replaces) a deadline.
pub async fn set_deadline(tx: &Tx, d: &DeadlineRow) -> Result<(), DbErr> {
    let conn = tx.executor();
    let mut del = deadline::Entity::delete_many()
        .filter(deadline::Column::Year.eq(d.year))
        .filter(deadline::Column::Kind.eq(d.kind.clone()));
    del = match d.unit_id {
        Some(u) => del.filter(deadline::Column::UnitId.eq(u)),
        None => del.filter(deadline::Column::UnitId.is_null()),
    };
    del.exec(&conn).await?;
    deadline::ActiveModel {
        unit_id: Set(d.unit_id),
        year: Set(d.year),
        kind: Set(d.kind.clone()),
        day: Set(d.day),
        ..Default::default()
    }
    .insert(&conn)
    .await?;
    Ok(())
}

/// Every deadline of `year`.
pub async fn deadlines(db: &impl Db, year: i32) -> Result<Vec<DeadlineRow>, DbErr> {
    Ok(deadline::Entity::find()
        .filter(deadline::Column::Year.eq(year))
        .all(&db.executor())
        .await?
        .into_iter()
        .map(|m| DeadlineRow {
            unit_id: m.unit_id,
            year: m.year,
            kind: m.kind,
            day: m.day,
        })
        .collect())
}
