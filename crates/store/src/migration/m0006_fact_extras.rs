//! Facts, continued: the lock date of a province's year (and its reopening), evidence documents
//! (bytes with their SHA-256, size and type), and a note on history lines (reclassifications).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FactLock {
    Table,
    Id,
    ProvinceId,
    Year,
    LockDate,
    Reopened,
    Reason,
    ActorName,
    At,
}

#[derive(DeriveIden)]
enum FactDocument {
    Table,
    Id,
    UnitId,
    Year,
    Sha256,
    Size,
    Mime,
    FileName,
    DocType,
    Number,
    Date,
    Issuer,
    Content,
    UploadedBy,
    UploadedByName,
    UploadedAt,
}

#[derive(DeriveIden)]
enum FactChange {
    Table,
    Note,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FactLock::Table)
                .if_not_exists()
                .col(big_pk_auto(FactLock::Id))
                .col(big_integer(FactLock::ProvinceId))
                .col(integer(FactLock::Year))
                .col(date(FactLock::LockDate))
                .col(boolean(FactLock::Reopened))
                .col(text_null(FactLock::Reason))
                .col(string(FactLock::ActorName))
                .col(timestamp_with_time_zone(FactLock::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_fact_lock_province_year")
                .table(FactLock::Table)
                .col(FactLock::ProvinceId)
                .col(FactLock::Year)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FactDocument::Table)
                .if_not_exists()
                .col(big_pk_auto(FactDocument::Id))
                .col(big_integer(FactDocument::UnitId))
                .col(integer(FactDocument::Year))
                .col(string(FactDocument::Sha256))
                .col(big_integer(FactDocument::Size))
                .col(string(FactDocument::Mime))
                .col(string(FactDocument::FileName))
                .col(string(FactDocument::DocType))
                .col(string(FactDocument::Number))
                .col(date(FactDocument::Date))
                .col(string(FactDocument::Issuer))
                .col(blob(FactDocument::Content))
                .col(big_integer_null(FactDocument::UploadedBy))
                .col(string(FactDocument::UploadedByName))
                .col(timestamp_with_time_zone(FactDocument::UploadedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fact_document_unit_year")
                .table(FactDocument::Table)
                .col(FactDocument::UnitId)
                .col(FactDocument::Year)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(FactChange::Table)
                .add_column(text_null(FactChange::Note))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
