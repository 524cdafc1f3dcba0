//! Plans and their targets (kế hoạch, chỉ tiêu): one row per plan with the file it was read
//! from and its parsed form as JSON, one row per target with its parsed form as JSON.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
    Number,
    SignedOn,
    Issuer,
    ScopeUnitId,
    Title,
    SourcePath,
    SourceText,
    Data,
    ImportedAt,
    ActorId,
    ActorName,
}

#[derive(DeriveIden)]
enum PlanTarget {
    Table,
    Id,
    PlanId,
    Position,
    TargetKey,
    Year,
    Kind,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Plan::Table)
                .if_not_exists()
                .col(big_pk_auto(Plan::Id))
                .col(string(Plan::Number))
                .col(date(Plan::SignedOn))
                .col(string(Plan::Issuer))
                .col(big_integer_null(Plan::ScopeUnitId))
                .col(text(Plan::Title))
                .col(string(Plan::SourcePath))
                .col(text(Plan::SourceText))
                .col(text(Plan::Data))
                .col(timestamp_with_time_zone(Plan::ImportedAt))
                .col(big_integer_null(Plan::ActorId))
                .col(string(Plan::ActorName))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_number_issuer")
                .table(Plan::Table)
                .col(Plan::Number)
                .col(Plan::Issuer)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanTarget::Table)
                .if_not_exists()
                .col(big_pk_auto(PlanTarget::Id))
                .col(big_integer(PlanTarget::PlanId))
                .col(integer(PlanTarget::Position))
                .col(string(PlanTarget::TargetKey))
                .col(integer(PlanTarget::Year))
                .col(string(PlanTarget::Kind))
                .col(text(PlanTarget::Data))
                .foreign_key(
                    ForeignKey::create()
                        .from(PlanTarget::Table, PlanTarget::PlanId)
                        .to(Plan::Table, Plan::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_target_plan_key")
                .table(PlanTarget::Table)
                .col(PlanTarget::PlanId)
                .col(PlanTarget::TargetKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_plan_target_year")
                .table(PlanTarget::Table)
                .col(PlanTarget::Year)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PlanTarget::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Plan::Table).to_owned())
            .await
    }
}
