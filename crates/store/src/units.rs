//! Units through time in the database: load everything into an [`Atlas`], and import a
//! dataset in one transaction that writes only the difference (idempotent, all-or-nothing).
//!
//! Rows are written with multi-row inserts; ids are the largest stored id + 1 onwards, so the
//! import never reads back what it wrote. Dates are ISO dates (`DATE` on PostgreSQL, text on
//! SQLite), bound as chrono values.

use std::collections::HashMap;

use binhyen_core::text::fold;
use binhyen_core::units::{
    Atlas, Changes, Dataset, EventKind, History, LineageEvent, LineageLink, Problem, Unit, UnitId,
    UnitKind, Validity, Version, event_key, merge,
};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, IntoIden, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, QueryResult, TransactionTrait};

use crate::Store;

/// Table and column names (the schema is created by `migration::m0002_units`).
mod t {
    use sea_orm::DeriveIden;

    #[derive(Clone, Copy, DeriveIden)]
    pub enum Unit {
        Table,
        Id,
        Key,
        Kind,
    }

    #[derive(Clone, Copy, DeriveIden)]
    pub enum UnitVersion {
        Table,
        UnitId,
        ValidFrom,
        ValidTo,
        Code,
        Name,
        UnitType,
        ParentId,
        SearchKey,
    }

    #[derive(Clone, Copy, DeriveIden)]
    pub enum LineageEvent {
        Table,
        Id,
        Key,
        Kind,
        EffectiveDate,
        LegalBasis,
        Note,
    }

    #[derive(Clone, Copy, DeriveIden)]
    pub enum LineageLink {
        Table,
        EventId,
        Position,
        FromUnit,
        ToUnit,
        Share,
        Partial,
        Inferred,
        Note,
    }
}

use t::{LineageEvent as EventCol, LineageLink as LinkCol, Unit as UnitCol, UnitVersion};

/// Rows per insert statement: well under the bound-parameter limits of SQLite (32,766) and
/// PostgreSQL (65,535) at ten columns.
const BATCH: usize = 1000;

/// A step of an import, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading what is stored.
    Reading,
    /// Merging and checking the whole map.
    Checking,
    /// Writing rows (`done` of `total`).
    Writing,
}

/// Called as an import advances: stage, rows done, rows in all.
pub type Progress<'a> = &'a (dyn Fn(Stage, u64, u64) + Sync);

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub new_units: usize,
    pub new_versions: usize,
    pub changed_versions: usize,
    pub new_events: usize,
    pub changed_events: usize,
    /// Units and events stored after the import.
    pub total_units: usize,
    pub total_events: usize,
}

impl ImportSummary {
    pub fn is_unchanged(&self) -> bool {
        self.new_units
            + self.new_versions
            + self.changed_versions
            + self.new_events
            + self.changed_events
            == 0
    }
}

/// Why an import was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The data is wrong: every problem, with its place.
    #[error("{} problem(s) in the unit data", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn kind_of(s: &str) -> Result<UnitKind, DbErr> {
    UnitKind::parse(s).ok_or_else(|| DbErr::Custom(format!("unknown unit kind {s:?}")))
}

fn event_kind_of(s: &str) -> Result<EventKind, DbErr> {
    EventKind::parse(s).ok_or_else(|| DbErr::Custom(format!("unknown lineage event kind {s:?}")))
}

/// The stored history and the database id of each event (same order).
struct Stored {
    history: History,
    event_ids: Vec<i64>,
}

/// Every row of `table` (the listed columns), in `order`.
async fn select_all<C: IntoIden + Copy + 'static>(
    conn: &impl ConnectionTrait,
    table: C,
    columns: &[C],
    order: &[C],
) -> Result<Vec<QueryResult>, DbErr> {
    let mut q = Query::select();
    q.columns(columns.iter().copied()).from(table);
    for &c in order {
        q.order_by(c, Order::Asc);
    }
    conn.query_all(&q).await
}

/// The position of the row a child row belongs to, or an error naming the orphan.
fn owner(index: &HashMap<i64, usize>, id: i64, what: &str) -> Result<usize, DbErr> {
    index
        .get(&id)
        .copied()
        .ok_or_else(|| DbErr::Custom(format!("{what} refers to missing row {id}")))
}

async fn load(conn: &impl ConnectionTrait) -> Result<Stored, DbErr> {
    use UnitVersion as V;
    let id = |r: &QueryResult, c: &str| r.try_get::<i64>("", c);
    let rows = select_all(
        conn,
        UnitCol::Table,
        &[UnitCol::Id, UnitCol::Key, UnitCol::Kind],
        &[UnitCol::Id],
    )
    .await?;
    let mut units = Vec::with_capacity(rows.len());
    let mut pos = HashMap::with_capacity(rows.len());
    for r in &rows {
        pos.insert(id(r, "id")?, units.len());
        units.push(Unit {
            id: id(r, "id")?,
            key: r.try_get("", "key")?,
            kind: kind_of(&r.try_get::<String>("", "kind")?)?,
            versions: Vec::new(),
        });
    }
    let columns = [
        V::UnitId,
        V::ValidFrom,
        V::ValidTo,
        V::Code,
        V::Name,
        V::UnitType,
        V::ParentId,
    ];
    for r in &select_all(conn, V::Table, &columns, &[V::UnitId, V::ValidFrom]).await? {
        let p = owner(&pos, id(r, "unit_id")?, "unit_version")?;
        units[p].versions.push(Version {
            code: r.try_get("", "code")?,
            name: r.try_get("", "name")?,
            unit_type: r.try_get("", "unit_type")?,
            parent: r.try_get("", "parent_id")?,
            validity: Validity {
                from: r.try_get("", "valid_from")?,
                to: r.try_get("", "valid_to")?,
            },
            origin: None,
        });
    }
    let columns = [
        EventCol::Id,
        EventCol::Kind,
        EventCol::EffectiveDate,
        EventCol::LegalBasis,
        EventCol::Note,
    ];
    let rows = select_all(conn, EventCol::Table, &columns, &[EventCol::Id]).await?;
    let mut events = Vec::with_capacity(rows.len());
    let mut event_ids = Vec::with_capacity(rows.len());
    let mut event_pos = HashMap::with_capacity(rows.len());
    for r in &rows {
        event_pos.insert(id(r, "id")?, events.len());
        event_ids.push(id(r, "id")?);
        events.push(LineageEvent {
            kind: event_kind_of(&r.try_get::<String>("", "kind")?)?,
            date: r.try_get("", "effective_date")?,
            legal_basis: r.try_get("", "legal_basis")?,
            note: r.try_get("", "note")?,
            links: Vec::new(),
            origin: None,
        });
    }
    let columns = [
        LinkCol::EventId,
        LinkCol::FromUnit,
        LinkCol::ToUnit,
        LinkCol::Share,
        LinkCol::Partial,
        LinkCol::Inferred,
        LinkCol::Note,
    ];
    for r in &select_all(
        conn,
        LinkCol::Table,
        &columns,
        &[LinkCol::EventId, LinkCol::Position],
    )
    .await?
    {
        let p = owner(&event_pos, id(r, "event_id")?, "lineage_link")?;
        events[p].links.push(LineageLink {
            from: r.try_get("", "from_unit")?,
            to: r.try_get("", "to_unit")?,
            share: r.try_get("", "share")?,
            partial: r.try_get("", "partial")?,
            inferred: r.try_get("", "inferred")?,
            note: r.try_get("", "note")?,
        });
    }
    Ok(Stored {
        history: History { units, events },
        event_ids,
    })
}

fn version_values(unit: UnitId, v: &Version) -> [SimpleExpr; 8] {
    [
        unit.into(),
        v.validity.from.into(),
        v.validity.to.into(),
        v.code.clone().into(),
        v.name.clone().into(),
        v.unit_type.clone().into(),
        v.parent.into(),
        fold(&v.name).into(),
    ]
}

fn link_values(event: i64, position: usize, l: &LineageLink) -> [SimpleExpr; 8] {
    [
        event.into(),
        (position as i32).into(),
        l.from.into(),
        l.to.into(),
        l.share.into(),
        l.partial.into(),
        l.inferred.into(),
        l.note.clone().into(),
    ]
}

/// Executes `rows` as multi-row inserts of `BATCH` rows, reporting progress.
async fn insert_all<const N: usize>(
    tx: &DatabaseTransaction,
    base: &InsertStatement,
    rows: Vec<[SimpleExpr; N]>,
    written: &mut u64,
    total: u64,
    progress: Progress<'_>,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut stmt = base.clone();
        let mut n = 0;
        for values in rows.by_ref().take(BATCH) {
            stmt.values_panic(values);
            n += 1;
        }
        tx.execute(&stmt).await?;
        *written += n;
        progress(Stage::Writing, *written, total);
    }
    Ok(())
}

impl Store {
    /// Every unit, version and lineage event, as plain data.
    pub async fn load_unit_history(&self) -> Result<History, DbErr> {
        Ok(load(self.conn()).await?.history)
    }

    /// The stored map as an atlas. Stored data was checked when it was imported; a problem here
    /// means the database was changed by other means.
    pub async fn load_atlas(&self) -> Result<Atlas, ImportError> {
        let history = self.load_unit_history().await?;
        Atlas::build(history).map_err(ImportError::Invalid)
    }

    /// Imports units in one transaction. `build` receives the stored history and returns the
    /// dataset to apply (codes in user files are resolved against what is stored). The merged
    /// map is checked as a whole; if anything is wrong nothing is written. Only new or corrected
    /// rows are written, so importing the same data twice changes nothing.
    pub async fn import_units(
        &self,
        build: impl FnOnce(&History) -> Result<Dataset, Vec<Problem>>,
        progress: Progress<'_>,
    ) -> Result<(Atlas, ImportSummary), ImportError> {
        let tx = self.conn().begin().await?;
        progress(Stage::Reading, 0, 1);
        let stored = load(&tx).await?;
        progress(Stage::Reading, 1, 1);
        let dataset = build(&stored.history).map_err(ImportError::Invalid)?;
        progress(Stage::Checking, 0, 1);
        let (merged, changes) = merge(&stored.history, dataset);
        if changes.is_empty() {
            let summary = ImportSummary {
                total_units: merged.units.len(),
                total_events: merged.events.len(),
                ..ImportSummary::default()
            };
            tx.rollback().await?;
            let atlas = Atlas::build(merged).map_err(ImportError::Invalid)?;
            return Ok((atlas, summary));
        }
        let atlas = Atlas::build(merged).map_err(ImportError::Invalid)?;
        progress(Stage::Checking, 1, 1);
        let summary = write(&tx, &atlas, &stored, &changes, progress).await?;
        tx.commit().await?;
        Ok((atlas, summary))
    }
}

async fn write(
    tx: &DatabaseTransaction,
    atlas: &Atlas,
    stored: &Stored,
    changes: &Changes,
    progress: Progress<'_>,
) -> Result<ImportSummary, DbErr> {
    let events = atlas.events();
    let new_links: usize = changes
        .new_events
        .iter()
        .chain(&changes.changed_events)
        .map(|&i| events[i].links.len())
        .sum();
    let total = (changes.new_units.len()
        + changes.new_versions.len()
        + changes.changed_versions.len()
        + changes.new_events.len()
        + changes.changed_events.len()
        + new_links) as u64;
    let mut written = 0u64;

    let units: Vec<[SimpleExpr; 3]> = changes
        .new_units
        .iter()
        .filter_map(|&id| atlas.unit(id))
        .map(|u| [u.id.into(), u.key.clone().into(), u.kind.as_str().into()])
        .collect();
    let base = Query::insert()
        .into_table(UnitCol::Table)
        .columns([UnitCol::Id, UnitCol::Key, UnitCol::Kind])
        .to_owned();
    insert_all(tx, &base, units, &mut written, total, progress).await?;

    let version_of = |(id, from): &(UnitId, NaiveDate)| {
        atlas
            .unit(*id)
            .and_then(|u| u.versions.iter().find(|v| v.validity.from == *from))
            .map(|v| (*id, v))
    };
    let versions: Vec<[SimpleExpr; 8]> = changes
        .new_versions
        .iter()
        .filter_map(version_of)
        .map(|(id, v)| version_values(id, v))
        .collect();
    let base = Query::insert()
        .into_table(UnitVersion::Table)
        .columns([
            UnitVersion::UnitId,
            UnitVersion::ValidFrom,
            UnitVersion::ValidTo,
            UnitVersion::Code,
            UnitVersion::Name,
            UnitVersion::UnitType,
            UnitVersion::ParentId,
            UnitVersion::SearchKey,
        ])
        .to_owned();
    insert_all(tx, &base, versions, &mut written, total, progress).await?;
    for (id, v) in changes.changed_versions.iter().filter_map(version_of) {
        let [_, _, to, code, name, unit_type, parent, search] = version_values(id, v);
        let stmt = Query::update()
            .table(UnitVersion::Table)
            .values([
                (UnitVersion::ValidTo, to),
                (UnitVersion::Code, code),
                (UnitVersion::Name, name),
                (UnitVersion::UnitType, unit_type),
                (UnitVersion::ParentId, parent),
                (UnitVersion::SearchKey, search),
            ])
            .and_where(Expr::col(UnitVersion::UnitId).eq(id))
            .and_where(Expr::col(UnitVersion::ValidFrom).eq(v.validity.from))
            .to_owned();
        tx.execute(&stmt).await?;
        written += 1;
    }

    // Events: new ones get ids after the largest stored; corrected ones keep theirs and have
    // their links rewritten.
    let keys: HashMap<UnitId, &str> = atlas
        .units()
        .iter()
        .map(|u| (u.id, u.key.as_str()))
        .collect();
    let key_of = |id: UnitId| {
        keys.get(&id)
            .map_or_else(|| format!("#{id}"), |k| (*k).to_owned())
    };
    let first_id = stored.event_ids.iter().copied().max().unwrap_or(0) + 1;
    let mut event_rows = Vec::new();
    let mut link_rows = Vec::new();
    for (next, &i) in (first_id..).zip(&changes.new_events) {
        let e = &events[i];
        event_rows.push([
            next.into(),
            event_key(e, &key_of).into(),
            e.kind.as_str().into(),
            e.date.into(),
            e.legal_basis.clone().into(),
            e.note.clone().into(),
        ]);
        link_rows.extend(
            e.links
                .iter()
                .enumerate()
                .map(|(p, l)| link_values(next, p, l)),
        );
    }
    for &i in &changes.changed_events {
        let (id, e) = (stored.event_ids[i], &events[i]);
        let stmt = Query::update()
            .table(EventCol::Table)
            .values([
                (EventCol::LegalBasis, e.legal_basis.clone().into()),
                (EventCol::Note, e.note.clone().into()),
            ])
            .and_where(Expr::col(EventCol::Id).eq(id))
            .to_owned();
        tx.execute(&stmt).await?;
        let stmt = Query::delete()
            .from_table(LinkCol::Table)
            .and_where(Expr::col(LinkCol::EventId).eq(id))
            .to_owned();
        tx.execute(&stmt).await?;
        link_rows.extend(
            e.links
                .iter()
                .enumerate()
                .map(|(p, l)| link_values(id, p, l)),
        );
        written += 1;
    }
    let base = Query::insert()
        .into_table(EventCol::Table)
        .columns([
            EventCol::Id,
            EventCol::Key,
            EventCol::Kind,
            EventCol::EffectiveDate,
            EventCol::LegalBasis,
            EventCol::Note,
        ])
        .to_owned();
    insert_all::<6>(tx, &base, event_rows, &mut written, total, progress).await?;
    let base = Query::insert()
        .into_table(LinkCol::Table)
        .columns([
            LinkCol::EventId,
            LinkCol::Position,
            LinkCol::FromUnit,
            LinkCol::ToUnit,
            LinkCol::Share,
            LinkCol::Partial,
            LinkCol::Inferred,
            LinkCol::Note,
        ])
        .to_owned();
    insert_all(tx, &base, link_rows, &mut written, total, progress).await?;
    Ok(ImportSummary {
        new_units: changes.new_units.len(),
        new_versions: changes.new_versions.len(),
        changed_versions: changes.changed_versions.len(),
        new_events: changes.new_events.len(),
        changed_events: changes.changed_events.len(),
        total_units: atlas.units().len(),
        total_events: events.len(),
    })
}
