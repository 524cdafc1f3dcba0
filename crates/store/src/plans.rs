//! Plans and targets in the database (`migration::m0008_plans`).
//!
//! A plan is identified by its number and issuer: importing the same plan again replaces its
//! row and its targets in one transaction (the service audits the change with the old and new
//! file's hashes). Targets are stored as the JSON of `binhyen_core::plan::Target`; the store
//! does not interpret them.

use binhyen_core::units::UnitId;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::workflow::By;
use crate::{Tx, tx::Db};

mod entity {
    pub mod plan {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "plan")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub number: String,
            pub signed_on: Date,
            pub issuer: String,
            pub scope_unit_id: Option<i64>,
            pub title: String,
            pub source_path: String,
            pub source_text: String,
            pub data: String,
            pub imported_at: DateTimeUtc,
            pub actor_id: Option<i64>,
            pub actor_name: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod target {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "plan_target")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub plan_id: i64,
            pub position: i32,
            pub target_key: String,
            pub year: i32,
            pub kind: String,
            pub data: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{plan, target};

/// One stored plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    pub issuer: String,
    /// The unit whose territory it covers; `None`: the whole country.
    pub scope_unit_id: Option<UnitId>,
    pub title: String,
    /// The file it was imported from, and its text as imported.
    pub source_path: String,
    pub source_text: String,
    /// The plan as JSON (without its targets).
    pub data: String,
    pub imported_at: DateTime<Utc>,
    pub by: By,
}

impl From<plan::Model> for PlanRow {
    fn from(m: plan::Model) -> PlanRow {
        PlanRow {
            id: m.id,
            number: m.number,
            signed_on: m.signed_on,
            issuer: m.issuer,
            scope_unit_id: m.scope_unit_id,
            title: m.title,
            source_path: m.source_path,
            source_text: m.source_text,
            data: m.data,
            imported_at: m.imported_at,
            by: By {
                id: m.actor_id,
                name: m.actor_name,
            },
        }
    }
}

/// One stored target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRow {
    pub id: i64,
    pub plan_id: i64,
    /// Order in the plan file.
    pub position: i32,
    /// The target's id in the plan.
    pub key: String,
    pub year: i32,
    /// `count`, `share` or `reduction`.
    pub kind: String,
    /// The target as JSON.
    pub data: String,
}

impl From<target::Model> for TargetRow {
    fn from(m: target::Model) -> TargetRow {
        TargetRow {
            id: m.id,
            plan_id: m.plan_id,
            position: m.position,
            key: m.target_key,
            year: m.year,
            kind: m.kind,
            data: m.data,
        }
    }
}

/// Saves a plan with its targets (`id`s are ignored). A plan with the same number and issuer
/// is replaced: its row is updated and its targets rewritten. Returns the stored row and the
/// replaced one, if any.
pub async fn save_plan(
    tx: &Tx,
    p: &PlanRow,
    targets: &[TargetRow],
) -> Result<(PlanRow, Option<PlanRow>), DbErr> {
    let conn = tx.executor();
    let old = plan::Entity::find()
        .filter(plan::Column::Number.eq(p.number.as_str()))
        .filter(plan::Column::Issuer.eq(p.issuer.as_str()))
        .one(&conn)
        .await?;
    let mut m = plan::ActiveModel {
        number: Set(p.number.clone()),
        signed_on: Set(p.signed_on),
        issuer: Set(p.issuer.clone()),
        scope_unit_id: Set(p.scope_unit_id),
        title: Set(p.title.clone()),
        source_path: Set(p.source_path.clone()),
        source_text: Set(p.source_text.clone()),
        data: Set(p.data.clone()),
        imported_at: Set(p.imported_at),
        actor_id: Set(p.by.id),
        actor_name: Set(p.by.name.clone()),
        ..Default::default()
    };
    let saved = match &old {
        Some(o) => {
            target::Entity::delete_many()
                .filter(target::Column::PlanId.eq(o.id))
                .exec(&conn)
                .await?;
            m.id = Set(o.id);
            m.update(&conn).await?
        }
        None => m.insert(&conn).await?,
    };
    if !targets.is_empty() {
        let rows = targets.iter().map(|t| target::ActiveModel {
            plan_id: Set(saved.id),
            position: Set(t.position),
            target_key: Set(t.key.clone()),
            year: Set(t.year),
            kind: Set(t.kind.clone()),
            data: Set(t.data.clone()),
            ..Default::default()
        });
        target::Entity::insert_many(rows).exec(&conn).await?;
    }
    Ok((saved.into(), old.map(PlanRow::from)))
}

/// Every plan, by date then number.
pub async fn plans(db: &impl Db) -> Result<Vec<PlanRow>, DbErr> {
    Ok(plan::Entity::find()
        .order_by_asc(plan::Column::SignedOn)
        .order_by_asc(plan::Column::Number)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(PlanRow::from)
        .collect())
}

pub async fn plan(db: &impl Db, id: i64) -> Result<Option<PlanRow>, DbErr> {
    Ok(plan::Entity::find_by_id(id)
        .one(&db.executor())
        .await?
        .map(PlanRow::from))
}

/// The targets of `plans` (every plan when `None`), by plan and position.
pub async fn targets(db: &impl Db, plans: Option<&[i64]>) -> Result<Vec<TargetRow>, DbErr> {
    let mut q = target::Entity::find()
        .order_by_asc(target::Column::PlanId)
        .order_by_asc(target::Column::Position);
    if let Some(ids) = plans {
        q = q.filter(target::Column::PlanId.is_in(ids.iter().copied()));
    }
    Ok(q.all(&db.executor())
        .await?
        .into_iter()
        .map(TargetRow::from)
        .collect())
}
