//! The audit: an append-only, hash-chained log, and its one-row head.
//!
//! `audit_head` holds the sequence number and hash of the last entry. Every transaction that
//! appends locks that row first, so appends are serialised on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntry {
    Table,
    Seq,
    At,
    ActorId,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    UnitId,
    DossierId,
    Details,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditEntry::Table)
                .if_not_exists()
                .col(big_integer(AuditEntry::Seq).primary_key())
                .col(timestamp_with_time_zone(AuditEntry::At))
                .col(big_integer_null(AuditEntry::ActorId))
                .col(string(AuditEntry::Actor))
                .col(string(AuditEntry::Action))
                .col(string(AuditEntry::ObjectType))
                .col(string(AuditEntry::ObjectId))
                .col(big_integer_null(AuditEntry::UnitId))
                .col(big_integer_null(AuditEntry::DossierId))
                .col(text(AuditEntry::Details))
                .col(string(AuditEntry::PrevHash))
                .col(string(AuditEntry::Hash))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_audit_entry_unit", AuditEntry::UnitId),
            ("ix_audit_entry_dossier", AuditEntry::DossierId),
            ("ix_audit_entry_hash", AuditEntry::Hash),
            ("ix_audit_entry_actor", AuditEntry::ActorId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AuditEntry::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .if_not_exists()
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), crate::audit::GENESIS.into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
