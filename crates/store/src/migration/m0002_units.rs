//! Units through time: `unit` (identity), `unit_version` (code, name, type, parent, validity),
//! `lineage_event` (dated, cited change) and `lineage_link` (from → to, share, partial,
//! inferred). Ids are given by the import (the largest + 1), so that one import can refer to
//! the rows it writes without reading them back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Unit {
    Table,
    Id,
    Key,
    Kind,
}

#[derive(DeriveIden)]
pub(crate) enum UnitVersion {
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

#[derive(DeriveIden)]
pub(crate) enum LineageEvent {
    Table,
    Id,
    Key,
    Kind,
    EffectiveDate,
    LegalBasis,
    Note,
}

#[derive(DeriveIden)]
pub(crate) enum LineageLink {
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Unit::Table)
                    .if_not_exists()
                    .col(big_integer(Unit::Id).primary_key())
                    .col(text_uniq(Unit::Key))
                    .col(string_len(Unit::Kind, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitVersion::Table)
                    .if_not_exists()
                    .col(big_integer(UnitVersion::UnitId))
                    .col(date(UnitVersion::ValidFrom))
                    .col(date_null(UnitVersion::ValidTo))
                    .col(string_len(UnitVersion::Code, 64))
                    .col(text(UnitVersion::Name))
                    .col(string_len(UnitVersion::UnitType, 64))
                    .col(big_integer_null(UnitVersion::ParentId))
                    .col(text(UnitVersion::SearchKey))
                    .primary_key(
                        Index::create()
                            .col(UnitVersion::UnitId)
                            .col(UnitVersion::ValidFrom),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitVersion::Table, UnitVersion::UnitId)
                            .to(Unit::Table, Unit::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitVersion::Table, UnitVersion::ParentId)
                            .to(Unit::Table, Unit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_unit_version_code", UnitVersion::Code),
            ("idx_unit_version_parent", UnitVersion::ParentId),
            ("idx_unit_version_search", UnitVersion::SearchKey),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(UnitVersion::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LineageEvent::Table)
                    .if_not_exists()
                    .col(big_integer(LineageEvent::Id).primary_key())
                    .col(text_uniq(LineageEvent::Key))
                    .col(string_len(LineageEvent::Kind, 32))
                    .col(date(LineageEvent::EffectiveDate))
                    .col(text_null(LineageEvent::LegalBasis))
                    .col(text_null(LineageEvent::Note))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LineageLink::Table)
                    .if_not_exists()
                    .col(big_integer(LineageLink::EventId))
                    .col(integer(LineageLink::Position))
                    .col(big_integer_null(LineageLink::FromUnit))
                    .col(big_integer_null(LineageLink::ToUnit))
                    .col(double_null(LineageLink::Share))
                    .col(boolean(LineageLink::Partial))
                    .col(boolean(LineageLink::Inferred))
                    .col(text_null(LineageLink::Note))
                    .primary_key(
                        Index::create()
                            .col(LineageLink::EventId)
                            .col(LineageLink::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LineageLink::Table, LineageLink::EventId)
                            .to(LineageEvent::Table, LineageEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LineageLink::Table, LineageLink::FromUnit)
                            .to(Unit::Table, Unit::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LineageLink::Table, LineageLink::ToUnit)
                            .to(Unit::Table, Unit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_lineage_link_from", LineageLink::FromUnit),
            ("idx_lineage_link_to", LineageLink::ToUnit),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(LineageLink::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
