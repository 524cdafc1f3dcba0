//! Yearly facts: one row per unit, year and form (a JSON object of catalogue keys, the `facts`
//! member of the case format), with a version for optimistic locking, and the history of every
//! value change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FactForm {
    Table,
    Id,
    UnitId,
    Year,
    Form,
    Data,
    Version,
    Status,
    UpdatedBy,
    UpdatedByName,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FactChange {
    Table,
    Id,
    UnitId,
    Year,
    Form,
    Field,
    OldValue,
    NewValue,
    Reason,
    Source,
    ActorId,
    ActorName,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FactForm::Table)
                .if_not_exists()
                .col(big_pk_auto(FactForm::Id))
                .col(big_integer(FactForm::UnitId))
                .col(integer(FactForm::Year))
                .col(string(FactForm::Form))
                .col(text(FactForm::Data))
                .col(big_integer(FactForm::Version))
                .col(string(FactForm::Status))
                .col(big_integer_null(FactForm::UpdatedBy))
                .col(string(FactForm::UpdatedByName))
                .col(timestamp_with_time_zone(FactForm::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_fact_form_unit_year_form")
                .table(FactForm::Table)
                .col(FactForm::UnitId)
                .col(FactForm::Year)
                .col(FactForm::Form)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fact_form_year")
                .table(FactForm::Table)
                .col(FactForm::Year)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FactChange::Table)
                .if_not_exists()
                .col(big_pk_auto(FactChange::Id))
                .col(big_integer(FactChange::UnitId))
                .col(integer(FactChange::Year))
                .col(string(FactChange::Form))
                .col(string(FactChange::Field))
                .col(text_null(FactChange::OldValue))
                .col(text_null(FactChange::NewValue))
                .col(text_null(FactChange::Reason))
                .col(string(FactChange::Source))
                .col(big_integer_null(FactChange::ActorId))
                .col(string(FactChange::ActorName))
                .col(timestamp_with_time_zone(FactChange::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fact_change_unit_year")
                .table(FactChange::Table)
                .col(FactChange::UnitId)
                .col(FactChange::Year)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
