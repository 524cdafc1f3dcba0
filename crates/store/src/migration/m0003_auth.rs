//! Users, their grants by territory, sessions, login attempts and personal API tokens.
//!
//! Unit ids (`unit_id`, `capture_unit_id`, `view_unit_id`) carry no foreign key: the units
//! tables belong to another migration; `NULL` means the whole country.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthUser {
    Table,
    Id,
    Login,
    DisplayName,
    PasswordHash,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthGrant {
    Table,
    Id,
    UserId,
    Role,
    UnitId,
    CaptureUnitId,
    ViewUnitId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuthLoginAttempt {
    Table,
    Id,
    Login,
    Ip,
    At,
    Success,
}

#[derive(DeriveIden)]
enum AuthApiToken {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

fn user_fk<T: IntoIden + 'static, C: IntoIden + 'static>(
    table: T,
    col: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(AuthUser::Table, AuthUser::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthUser::Table)
                .if_not_exists()
                .col(big_pk_auto(AuthUser::Id))
                .col(string_uniq(AuthUser::Login))
                .col(string(AuthUser::DisplayName))
                .col(string(AuthUser::PasswordHash))
                .col(boolean(AuthUser::Active))
                .col(timestamp_with_time_zone(AuthUser::CreatedAt))
                .col(timestamp_with_time_zone(AuthUser::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthGrant::Table)
                .if_not_exists()
                .col(big_pk_auto(AuthGrant::Id))
                .col(big_integer(AuthGrant::UserId))
                .col(string(AuthGrant::Role))
                .col(big_integer_null(AuthGrant::UnitId))
                .col(big_integer_null(AuthGrant::CaptureUnitId))
                .col(big_integer_null(AuthGrant::ViewUnitId))
                .col(timestamp_with_time_zone(AuthGrant::CreatedAt))
                .foreign_key(&mut user_fk(AuthGrant::Table, AuthGrant::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_auth_grant_user")
                .table(AuthGrant::Table)
                .col(AuthGrant::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthSession::Table)
                .if_not_exists()
                .col(big_pk_auto(AuthSession::Id))
                .col(string_uniq(AuthSession::TokenHash))
                .col(big_integer(AuthSession::UserId))
                .col(timestamp_with_time_zone(AuthSession::CreatedAt))
                .col(timestamp_with_time_zone(AuthSession::LastSeenAt))
                .col(timestamp_with_time_zone(AuthSession::ExpiresAt))
                .col(string_null(AuthSession::Ip))
                .col(string_null(AuthSession::UserAgent))
                .col(timestamp_with_time_zone_null(AuthSession::RevokedAt))
                .foreign_key(&mut user_fk(AuthSession::Table, AuthSession::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_auth_session_user")
                .table(AuthSession::Table)
                .col(AuthSession::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthLoginAttempt::Table)
                .if_not_exists()
                .col(big_pk_auto(AuthLoginAttempt::Id))
                .col(string(AuthLoginAttempt::Login))
                .col(string(AuthLoginAttempt::Ip))
                .col(timestamp_with_time_zone(AuthLoginAttempt::At))
                .col(boolean(AuthLoginAttempt::Success))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_auth_login_attempt_login", AuthLoginAttempt::Login),
            ("ix_auth_login_attempt_ip", AuthLoginAttempt::Ip),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AuthLoginAttempt::Table)
                    .col(col)
                    .col(AuthLoginAttempt::At)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(AuthApiToken::Table)
                .if_not_exists()
                .col(big_pk_auto(AuthApiToken::Id))
                .col(big_integer(AuthApiToken::UserId))
                .col(string(AuthApiToken::Name))
                .col(string_uniq(AuthApiToken::TokenHash))
                .col(timestamp_with_time_zone(AuthApiToken::CreatedAt))
                .col(timestamp_with_time_zone_null(AuthApiToken::LastUsedAt))
                .col(timestamp_with_time_zone_null(AuthApiToken::RevokedAt))
                .foreign_key(&mut user_fk(AuthApiToken::Table, AuthApiToken::UserId))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
