//! Yearly facts in the database: one row per unit, year and form (`fact_form`, a JSON object of
//! catalogue keys — the `facts` member of the case format, read by `binhyen_core::case::parse_facts`),
//! and the history of every value (`fact_change`: field, old → new, reason, source, who, when).
//!
//! Writes are optimistic: [`save_form`] names the version it read, and is refused with the
//! current row when someone saved in between (no lost updates). The store does not interpret
//! the JSON; the service layer checks it against the catalogue before writing.

mod entity;

use std::ops::RangeInclusive;

use binhyen_core::units::UnitId;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
};

use crate::{Tx, tx::Db};
use entity::{change, document, form, lock};

/// One stored form of one unit and year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormRow {
    pub unit_id: UnitId,
    pub year: i32,
    /// The catalogue's form group (`registration`, `crime_social_evils`, …).
    pub form: String,
    /// A JSON object of catalogue keys (the case format's `facts`).
    pub data: String,
    /// 1 for the first save, +1 on every save.
    pub version: i64,
    /// `draft` or `submitted` (the service layer owns the meaning).
    pub status: String,
    pub updated_by: Option<i64>,
    pub updated_by_name: String,
    pub updated_at: DateTime<Utc>,
}

impl From<form::Model> for FormRow {
    fn from(m: form::Model) -> FormRow {
        FormRow {
            unit_id: m.unit_id,
            year: m.year,
            form: m.form,
            data: m.data,
            version: m.version,
            status: m.status,
            updated_by: m.updated_by,
            updated_by_name: m.updated_by_name,
            updated_at: m.updated_at,
        }
    }
}

/// One value change: the field's key and its JSON text before and after (`None` = not entered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// A JSON note on the change (e.g. `{"reclassified":{"from":…,"to":…,"count":…}}`).
    pub note: Option<String>,
}

/// One line of a value's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    pub unit_id: UnitId,
    pub year: i32,
    pub form: String,
    pub change: FieldChange,
    pub reason: Option<String>,
    /// Where the change came from: `web`, `api`, `import:<file>`, `generate`, …
    pub source: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

/// A save of one form.
#[derive(Clone, Debug)]
pub struct FormWrite<'a> {
    pub unit_id: UnitId,
    pub year: i32,
    pub form: &'a str,
    pub data: &'a str,
    pub status: &'a str,
    /// The version the writer read; 0 when the form did not exist.
    pub expected_version: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub source: &'a str,
    /// The value changes this save makes (recorded in the history).
    pub changes: &'a [FieldChange],
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone saved the form after the writer read it; `current` is what is stored now
    /// (`None` when the writer expected a version of a form that does not exist).
    #[error("the form was changed by someone else")]
    Conflict { current: Option<Box<FormRow>> },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The stored form of `unit` for `year`.
pub async fn form(
    db: &impl Db,
    unit: UnitId,
    year: i32,
    form_key: &str,
) -> Result<Option<FormRow>, DbErr> {
    Ok(form::Entity::find()
        .filter(form::Column::UnitId.eq(unit))
        .filter(form::Column::Year.eq(year))
        .filter(form::Column::Form.eq(form_key))
        .one(&db.executor())
        .await?
        .map(FormRow::from))
}

/// Every stored form of `units` for the years in `years` (any number of units: queried in
/// chunks), ordered by unit, year and form.
pub async fn forms_of_units(
    db: &impl Db,
    units: &[UnitId],
    years: RangeInclusive<i32>,
) -> Result<Vec<FormRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in units.chunks(500) {
        let rows = form::Entity::find()
            .filter(form::Column::UnitId.is_in(chunk.iter().copied()))
            .filter(form::Column::Year.between(*years.start(), *years.end()))
            .all(&db.executor())
            .await?;
        out.extend(rows.into_iter().map(FormRow::from));
    }
    out.sort_by(|a, b| (a.unit_id, a.year, &a.form).cmp(&(b.unit_id, b.year, &b.form)));
    Ok(out)
}

/// Every stored form of every unit for the years in `years` (bulk evaluation), in no
/// particular order.
pub async fn forms_in_years(
    db: &impl Db,
    years: RangeInclusive<i32>,
) -> Result<Vec<FormRow>, DbErr> {
    Ok(form::Entity::find()
        .filter(form::Column::Year.between(*years.start(), *years.end()))
        .all(&db.executor())
        .await?
        .into_iter()
        .map(FormRow::from)
        .collect())
}

/// Saves one form if it is still at `expected_version`, and records its value changes.
pub async fn save_form(tx: &Tx, w: &FormWrite<'_>) -> Result<FormRow, SaveError> {
    let conn = tx.executor();
    if w.expected_version == 0 {
        new_form(w).insert(&conn).await.map_err(insert_error)?;
    } else {
        update_form(tx, w).await?;
    }
    if !w.changes.is_empty() {
        change::Entity::insert_many(change_rows(w))
            .exec(&conn)
            .await?;
    }
    Ok(FormRow {
        unit_id: w.unit_id,
        year: w.year,
        form: w.form.to_owned(),
        data: w.data.to_owned(),
        version: w.expected_version + 1,
        status: w.status.to_owned(),
        updated_by: w.actor_id,
        updated_by_name: w.actor_name.to_owned(),
        updated_at: w.at,
    })
}

/// Saves many forms in one transaction, as [`save_form`] does one (imports): the new forms in
/// multi-row inserts, each changed form in one update at its expected version, and every
/// history line in multi-row inserts. Refused as a whole at the first conflict (`current` is
/// `None` when a form expected to be new exists already).
pub async fn save_forms(tx: &Tx, writes: &[FormWrite<'_>]) -> Result<(), SaveError> {
    let conn = tx.executor();
    // 1,000 rows of at most 12 columns stay under the parameter limits of both databases.
    const CHUNK: usize = 1000;
    let new: Vec<&FormWrite> = writes.iter().filter(|w| w.expected_version == 0).collect();
    for chunk in new.chunks(CHUNK) {
        form::Entity::insert_many(chunk.iter().map(|w| new_form(w)))
            .exec(&conn)
            .await
            .map_err(insert_error)?;
    }
    for w in writes.iter().filter(|w| w.expected_version != 0) {
        update_form(tx, w).await?;
    }
    let lines: Vec<change::ActiveModel> = writes.iter().flat_map(change_rows).collect();
    let mut lines = lines.into_iter().peekable();
    while lines.peek().is_some() {
        change::Entity::insert_many(lines.by_ref().take(CHUNK))
            .exec(&conn)
            .await?;
    }
    Ok(())
}

/// The row of a form saved for the first time (version 1).
fn new_form(w: &FormWrite<'_>) -> form::ActiveModel {
    form::ActiveModel {
        unit_id: Set(w.unit_id),
        year: Set(w.year),
        form: Set(w.form.to_owned()),
        data: Set(w.data.to_owned()),
        version: Set(1),
        status: Set(w.status.to_owned()),
        updated_by: Set(w.actor_id),
        updated_by_name: Set(w.actor_name.to_owned()),
        updated_at: Set(w.at),
        ..Default::default()
    }
}

/// A unique-key violation on insert: someone created the form first.
fn insert_error(e: DbErr) -> SaveError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => SaveError::Conflict { current: None },
        _ => SaveError::Db(e),
    }
}

/// Updates a stored form at the version the writer read, or reports the conflict.
async fn update_form(tx: &Tx, w: &FormWrite<'_>) -> Result<(), SaveError> {
    let updated = form::Entity::update_many()
        .col_expr(form::Column::Data, Expr::value(w.data))
        .col_expr(form::Column::Version, Expr::value(w.expected_version + 1))
        .col_expr(form::Column::Status, Expr::value(w.status))
        .col_expr(form::Column::UpdatedBy, Expr::value(w.actor_id))
        .col_expr(form::Column::UpdatedByName, Expr::value(w.actor_name))
        .col_expr(form::Column::UpdatedAt, Expr::value(w.at))
        .filter(form::Column::UnitId.eq(w.unit_id))
        .filter(form::Column::Year.eq(w.year))
        .filter(form::Column::Form.eq(w.form))
        .filter(form::Column::Version.eq(w.expected_version))
        .exec(&tx.executor())
        .await?;
    if updated.rows_affected != 1 {
        let current = form(tx, w.unit_id, w.year, w.form).await?;
        return Err(SaveError::Conflict {
            current: current.map(Box::new),
        });
    }
    Ok(())
}

/// The history lines of a save.
fn change_rows<'a>(w: &'a FormWrite<'a>) -> impl Iterator<Item = change::ActiveModel> + 'a {
    w.changes.iter().map(move |c| change::ActiveModel {
        unit_id: Set(w.unit_id),
        year: Set(w.year),
        form: Set(w.form.to_owned()),
        field: Set(c.field.clone()),
        old_value: Set(c.old.clone()),
        new_value: Set(c.new.clone()),
        reason: Set(w.reason.map(str::to_owned)),
        source: Set(w.source.to_owned()),
        actor_id: Set(w.actor_id),
        actor_name: Set(w.actor_name.to_owned()),
        at: Set(w.at),
        note: Set(c.note.clone()),
        ..Default::default()
    })
}

/// Inserts many new forms at version 1 without history lines (synthetic datasets and first
/// loads into an empty year); refused as a whole if any of them exists already.
pub async fn insert_forms(tx: &Tx, rows: &[FormRow]) -> Result<(), DbErr> {
    let conn = tx.executor();
    for chunk in rows.chunks(1000) {
        let models = chunk.iter().map(|r| form::ActiveModel {
            unit_id: Set(r.unit_id),
            year: Set(r.year),
            form: Set(r.form.clone()),
            data: Set(r.data.clone()),
            version: Set(1),
            status: Set(r.status.clone()),
            updated_by: Set(r.updated_by),
            updated_by_name: Set(r.updated_by_name.clone()),
            updated_at: Set(r.updated_at),
            ..Default::default()
        });
        form::Entity::insert_many(models).exec(&conn).await?;
    }
    Ok(())
}

/// The history of every value of `unit` for `year`, oldest first.
pub async fn history(db: &impl Db, unit: UnitId, year: i32) -> Result<Vec<ChangeRow>, DbErr> {
    Ok(change::Entity::find()
        .filter(change::Column::UnitId.eq(unit))
        .filter(change::Column::Year.eq(year))
        .order_by_asc(change::Column::Id)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(|m| ChangeRow {
            unit_id: m.unit_id,
            year: m.year,
            form: m.form,
            change: FieldChange {
                field: m.field,
                old: m.old_value,
                new: m.new_value,
                note: m.note,
            },
            reason: m.reason,
            source: m.source,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            at: m.at,
        })
        .collect())
}

/// The lock of one province's year: after `lock_date` its facts can no longer change, unless
/// the year was reopened (with a reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRow {
    pub province_id: UnitId,
    pub year: i32,
    pub lock_date: NaiveDate,
    pub reopened: bool,
    pub reason: Option<String>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

impl From<lock::Model> for LockRow {
    fn from(m: lock::Model) -> LockRow {
        LockRow {
            province_id: m.province_id,
            year: m.year,
            lock_date: m.lock_date,
            reopened: m.reopened,
            reason: m.reason,
            actor_name: m.actor_name,
            at: m.at,
        }
    }
}

/// Sets (or replaces) the lock of a province's year. Setting a lock date closes any reopening.
pub async fn set_lock(tx: &Tx, row: &LockRow) -> Result<(), DbErr> {
    let conn = tx.executor();
    lock::Entity::delete_many()
        .filter(lock::Column::ProvinceId.eq(row.province_id))
        .filter(lock::Column::Year.eq(row.year))
        .exec(&conn)
        .await?;
    lock::ActiveModel {
        province_id: Set(row.province_id),
        year: Set(row.year),
        lock_date: Set(row.lock_date),
        reopened: Set(row.reopened),
        reason: Set(row.reason.clone()),
        actor_name: Set(row.actor_name.clone()),
        at: Set(row.at),
        ..Default::default()
    }
    .insert(&conn)
    .await?;
    Ok(())
}

/// Every lock set for `year` (one per province at most).
pub async fn locks(db: &impl Db, year: i32) -> Result<Vec<LockRow>, DbErr> {
    Ok(lock::Entity::find()
        .filter(lock::Column::Year.eq(year))
        .all(&db.executor())
        .await?
        .into_iter()
        .map(LockRow::from)
        .collect())
}

/// An evidence document's description (without its bytes).
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct DocumentRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub year: i32,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    pub file_name: String,
    /// The catalogue key of the document fact it supports (`party_resolution`, …) or `other`.
    pub doc_type: String,
    pub number: String,
    pub date: NaiveDate,
    pub issuer: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

fn document_row(m: document::Model) -> (DocumentRow, Vec<u8>) {
    (
        DocumentRow {
            id: m.id,
            unit_id: m.unit_id,
            year: m.year,
            sha256: m.sha256,
            size: m.size,
            mime: m.mime,
            file_name: m.file_name,
            doc_type: m.doc_type,
            number: m.number,
            date: m.date,
            issuer: m.issuer,
            uploaded_by: m.uploaded_by,
            uploaded_by_name: m.uploaded_by_name,
            uploaded_at: m.uploaded_at,
        },
        m.content,
    )
}

/// Stores a document with its bytes; returns its id (`row.id` is ignored).
pub async fn insert_document(tx: &Tx, row: &DocumentRow, content: &[u8]) -> Result<i64, DbErr> {
    let m = document::ActiveModel {
        unit_id: Set(row.unit_id),
        year: Set(row.year),
        sha256: Set(row.sha256.clone()),
        size: Set(row.size),
        mime: Set(row.mime.clone()),
        file_name: Set(row.file_name.clone()),
        doc_type: Set(row.doc_type.clone()),
        number: Set(row.number.clone()),
        date: Set(row.date),
        issuer: Set(row.issuer.clone()),
        content: Set(content.to_vec()),
        uploaded_by: Set(row.uploaded_by),
        uploaded_by_name: Set(row.uploaded_by_name.clone()),
        uploaded_at: Set(row.uploaded_at),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await?;
    Ok(m.id)
}

/// The documents of a unit for a year (descriptions only, without the bytes), oldest first.
pub async fn documents(db: &impl Db, unit: UnitId, year: i32) -> Result<Vec<DocumentRow>, DbErr> {
    use document::Column as C;
    use sea_orm::QuerySelect;
    document::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::UnitId,
            C::Year,
            C::Sha256,
            C::Size,
            C::Mime,
            C::FileName,
            C::DocType,
            C::Number,
            C::Date,
            C::Issuer,
            C::UploadedBy,
            C::UploadedByName,
            C::UploadedAt,
        ])
        .filter(C::UnitId.eq(unit))
        .filter(C::Year.eq(year))
        .order_by_asc(C::Id)
        .into_model::<DocumentRow>()
        .all(&db.executor())
        .await
}

/// One document with its bytes.
pub async fn document(db: &impl Db, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>, DbErr> {
    Ok(document::Entity::find_by_id(id)
        .one(&db.executor())
        .await?
        .map(document_row))
}
