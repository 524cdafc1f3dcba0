//! Map boundaries (`boundary`, migration `m0009_boundaries`): one GeoJSON geometry per
//! official unit code, with its source label ("schematic" cells of the demo, or a file's name
//! and import date). An import replaces the boundaries of the codes it brings, in the caller's
//! transaction (all or nothing); codes it does not name keep theirs.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::{Tx, tx::Db};

mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "boundary")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_code: String,
        pub name: String,
        #[sea_orm(column_type = "Text")]
        pub geometry: String,
        pub source: String,
        pub schematic: bool,
        pub imported_at: DateTimeUtc,
        pub actor_name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{ActiveModel, Column, Entity, Model};

/// The boundary of one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundaryRow {
    /// The official unit code, as the unit list writes it.
    pub unit_code: String,
    /// The unit's name when imported (for reading the table; the map shows the atlas's name).
    pub name: String,
    /// A GeoJSON geometry object (Polygon or MultiPolygon), as text.
    pub geometry: String,
    /// Where it came from: the file's name and import date, or the schematic notice.
    pub source: String,
    /// Generated cells, not a real boundary.
    pub schematic: bool,
    pub imported_at: DateTime<Utc>,
    pub actor_name: String,
}

impl From<Model> for BoundaryRow {
    fn from(m: Model) -> BoundaryRow {
        BoundaryRow {
            unit_code: m.unit_code,
            name: m.name,
            geometry: m.geometry,
            source: m.source,
            schematic: m.schematic,
            imported_at: m.imported_at,
            actor_name: m.actor_name,
        }
    }
}

/// Replaces the boundaries of the codes in `rows` (the others stay).
pub async fn replace(tx: &Tx, rows: &[BoundaryRow]) -> Result<(), DbErr> {
    let conn = tx.executor();
    for chunk in rows.chunks(500) {
        Entity::delete_many()
            .filter(Column::UnitCode.is_in(chunk.iter().map(|r| r.unit_code.clone())))
            .exec(&conn)
            .await?;
        let models = chunk.iter().map(|r| ActiveModel {
            unit_code: Set(r.unit_code.clone()),
            name: Set(r.name.clone()),
            geometry: Set(r.geometry.clone()),
            source: Set(r.source.clone()),
            schematic: Set(r.schematic),
            imported_at: Set(r.imported_at),
            actor_name: Set(r.actor_name.clone()),
            ..Default::default()
        });
        Entity::insert_many(models).exec(&conn).await?;
    }
    Ok(())
}

/// The stored boundaries of `codes` (any number: queried in chunks), in code order.
pub async fn of_codes(db: &impl Db, codes: &[String]) -> Result<Vec<BoundaryRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let rows = Entity::find()
            .filter(Column::UnitCode.is_in(chunk.iter().cloned()))
            .order_by_asc(Column::UnitCode)
            .all(&db.executor())
            .await?;
        out.extend(rows.into_iter().map(BoundaryRow::from));
    }
    out.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
    Ok(out)
}

/// How many units have a boundary.
pub async fn count(db: &impl Db) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find().count(&db.executor()).await
}
