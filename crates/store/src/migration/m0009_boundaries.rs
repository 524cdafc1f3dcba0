//! Map boundaries: one GeoJSON geometry per official unit code, with where it came from
//! (an imported file with its name and date, or the demo's schematic cells).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Boundary {
    Table,
    Id,
    UnitCode,
    Name,
    Geometry,
    Source,
    Schematic,
    ImportedAt,
    ActorName,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Boundary::Table)
                .if_not_exists()
                .col(big_pk_auto(Boundary::Id))
                .col(string(Boundary::UnitCode))
                .col(string(Boundary::Name))
                .col(text(Boundary::Geometry))
                .col(string(Boundary::Source))
                .col(boolean(Boundary::Schematic))
                .col(timestamp_with_time_zone(Boundary::ImportedAt))
                .col(string(Boundary::ActorName))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_boundary_unit_code")
                .table(Boundary::Table)
                .col(Boundary::UnitCode)
                .unique()
                .to_owned(),
        )
        .await
    }
}
