//! Users, grants, sessions, login attempts and API tokens.
//!
//! Reads take `&impl Db` (the store or a transaction); writes take `&Tx`, so they happen in the
//! transaction of a change that also appends its audit entry. Tokens are stored only as
//! SHA-256 hashes (hex); the caller hashes. The two bookkeeping writes that are not changes —
//! a session's "last seen" and a token's "last used" — take the store directly.

pub(crate) mod entity;

use binhyen_core::authz::{Grant, Role, Scope, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};

use crate::{Store, Tx, tx::Db};
use entity::{api_token, grant, login_attempt, session, user};

/// A user account, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> User {
        User {
            id: m.id,
            login: m.login,
            display_name: m.display_name,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A grant as stored: its row id, so it can be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredGrant {
    pub id: i64,
    pub user_id: UserId,
    pub grant: Grant,
}

/// Why a write was refused by the database's own rules.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("login already taken")]
    LoginTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn grant_from(m: grant::Model) -> Result<StoredGrant, DbErr> {
    let role = Role::parse(&m.role)
        .ok_or_else(|| DbErr::Type(format!("auth_grant {}: unknown role «{}»", m.id, m.role)))?;
    Ok(StoredGrant {
        id: m.id,
        user_id: m.user_id,
        grant: Grant {
            role,
            unit: Scope::from_unit(m.unit_id),
            capture: Scope::from_unit(m.capture_unit_id),
            view: Scope::from_unit(m.view_unit_id),
        },
    })
}

// ---------------------------------------------------------------- users

pub async fn create_user(
    tx: &Tx,
    login: &str,
    display_name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<User, WriteError> {
    let m = user::ActiveModel {
        login: Set(login.to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => WriteError::LoginTaken,
        _ => WriteError::Db(e),
    })?;
    Ok(m.into())
}

/// The user with this login and their password hash.
pub async fn credentials(db: &impl Db, login: &str) -> Result<Option<(User, String)>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Login.eq(login))
        .one(&db.executor())
        .await?
        .map(|m| {
            let hash = m.password_hash.clone();
            (User::from(m), hash)
        }))
}

pub async fn user_by_id(db: &impl Db, id: UserId) -> Result<Option<User>, DbErr> {
    Ok(user::Entity::find_by_id(id)
        .one(&db.executor())
        .await?
        .map(User::from))
}

pub async fn user_by_login(db: &impl Db, login: &str) -> Result<Option<User>, DbErr> {
    Ok(credentials(db, login).await?.map(|(u, _)| u))
}

/// Every user with their grants, by login.
pub async fn users_with_grants(db: &impl Db) -> Result<Vec<(User, Vec<StoredGrant>)>, DbErr> {
    let exec = db.executor();
    let users = user::Entity::find()
        .order_by_asc(user::Column::Login)
        .all(&exec)
        .await?;
    let mut by_user: std::collections::HashMap<UserId, Vec<StoredGrant>> =
        std::collections::HashMap::new();
    for g in grant::Entity::find()
        .order_by_asc(grant::Column::Id)
        .all(&exec)
        .await?
    {
        let g = grant_from(g)?;
        by_user.entry(g.user_id).or_default().push(g);
    }
    Ok(users
        .into_iter()
        .map(|u| {
            let grants = by_user.remove(&u.id).unwrap_or_default();
            (User::from(u), grants)
        })
        .collect())
}

pub async fn grants_of(db: &impl Db, user_id: UserId) -> Result<Vec<StoredGrant>, DbErr> {
    grant::Entity::find()
        .filter(grant::Column::UserId.eq(user_id))
        .order_by_asc(grant::Column::Id)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(grant_from)
        .collect()
}

pub async fn add_grant(
    tx: &Tx,
    user_id: UserId,
    g: &Grant,
    now: DateTime<Utc>,
) -> Result<StoredGrant, DbErr> {
    let m = grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(g.role.as_str().to_owned()),
        unit_id: Set(g.unit.unit()),
        capture_unit_id: Set(g.capture.unit()),
        view_unit_id: Set(g.view.unit()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await?;
    grant_from(m)
}

/// Removes grant `grant_id` of `user_id`; false when there is no such grant.
pub async fn remove_grant(tx: &Tx, user_id: UserId, grant_id: i64) -> Result<bool, DbErr> {
    let r = grant::Entity::delete_many()
        .filter(grant::Column::Id.eq(grant_id))
        .filter(grant::Column::UserId.eq(user_id))
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected > 0)
}

pub async fn set_active(
    tx: &Tx,
    user_id: UserId,
    active: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected > 0)
}

pub async fn set_password(
    tx: &Tx,
    user_id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected > 0)
}

// ---------------------------------------------------------------- sessions

/// A login session. The token itself is never stored, only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Session {
    pub fn live_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

impl From<session::Model> for Session {
    fn from(m: session::Model) -> Session {
        Session {
            id: m.id,
            user_id: m.user_id,
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            expires_at: m.expires_at,
            ip: m.ip,
            user_agent: m.user_agent,
            revoked_at: m.revoked_at,
        }
    }
}

/// Where a request came from, as far as the server can tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn create_session(
    tx: &Tx,
    token_hash: &str,
    user_id: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    client: &Client,
) -> Result<Session, DbErr> {
    let m = session::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ip: Set(client.ip.clone()),
        user_agent: Set(client.user_agent.clone()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await?;
    Ok(m.into())
}

pub async fn session_by_token_hash(
    db: &impl Db,
    token_hash: &str,
) -> Result<Option<Session>, DbErr> {
    Ok(session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .one(&db.executor())
        .await?
        .map(Session::from))
}

pub async fn session_by_id(db: &impl Db, id: i64) -> Result<Option<Session>, DbErr> {
    Ok(session::Entity::find_by_id(id)
        .one(&db.executor())
        .await?
        .map(Session::from))
}

/// Bookkeeping, not a change: "last seen" and the sliding expiry of a live session.
pub async fn touch_session(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&store.executor())
        .await?;
    Ok(())
}

/// The user's sessions that are neither revoked nor expired at `now`, newest first.
pub async fn live_sessions_of(
    db: &impl Db,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<Session>, DbErr> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::LastSeenAt)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(Session::from)
        .collect())
}

/// Revokes one session of `user_id`; false when it does not exist or was already revoked.
pub async fn revoke_session(
    tx: &Tx,
    user_id: UserId,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Revokes every unrevoked session of a user; returns how many.
pub async fn revoke_sessions_of(
    tx: &Tx,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let r = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected)
}

// ---------------------------------------------------------------- login attempts

pub async fn record_login_attempt(
    tx: &Tx,
    login: &str,
    ip: &str,
    at: DateTime<Utc>,
    success: bool,
) -> Result<(), DbErr> {
    login_attempt::Entity::insert(login_attempt::ActiveModel {
        login: Set(login.to_owned()),
        ip: Set(ip.to_owned()),
        at: Set(at),
        success: Set(success),
        ..Default::default()
    })
    .exec_without_returning(&tx.executor())
    .await?;
    Ok(())
}

/// What failed logins are counted by.
#[derive(Clone, Copy, Debug)]
pub enum AttemptKey<'a> {
    Login(&'a str),
    Ip(&'a str),
}

/// Times of the failed attempts for `key` after `since` (and, for a login, after its last
/// successful login), newest first, at most `limit`.
pub async fn recent_failures(
    db: &impl Db,
    key: AttemptKey<'_>,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    let exec = db.executor();
    let (col, value) = match key {
        AttemptKey::Login(l) => (login_attempt::Column::Login, l),
        AttemptKey::Ip(ip) => (login_attempt::Column::Ip, ip),
    };
    let mut since = since;
    if let AttemptKey::Login(_) = key
        && let Some(last_ok) = login_attempt::Entity::find()
            .filter(col.eq(value))
            .filter(login_attempt::Column::Success.eq(true))
            .filter(login_attempt::Column::At.gt(since))
            .order_by_desc(login_attempt::Column::At)
            .one(&exec)
            .await?
    {
        since = last_ok.at;
    }
    Ok(login_attempt::Entity::find()
        .filter(col.eq(value))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::At.gt(since))
        .order_by_desc(login_attempt::Column::At)
        .limit(limit)
        .all(&exec)
        .await?
        .into_iter()
        .map(|m| m.at)
        .collect())
}

// ---------------------------------------------------------------- API tokens

/// A personal API token. Only its hash is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiToken {
    fn from(m: api_token::Model) -> ApiToken {
        ApiToken {
            id: m.id,
            user_id: m.user_id,
            name: m.name,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

pub async fn create_api_token(
    tx: &Tx,
    user_id: UserId,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<ApiToken, DbErr> {
    let m = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&tx.executor())
    .await?;
    Ok(m.into())
}

pub async fn api_token_by_hash(db: &impl Db, token_hash: &str) -> Result<Option<ApiToken>, DbErr> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .one(&db.executor())
        .await?
        .map(ApiToken::from))
}

/// The user's unrevoked tokens, newest first.
pub async fn live_api_tokens_of(db: &impl Db, user_id: UserId) -> Result<Vec<ApiToken>, DbErr> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(&db.executor())
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

pub async fn revoke_api_token(
    tx: &Tx,
    user_id: UserId,
    token_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&tx.executor())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Bookkeeping, not a change: when a token was last used.
pub async fn touch_api_token(store: &Store, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .exec(&store.executor())
        .await?;
    Ok(())
}
