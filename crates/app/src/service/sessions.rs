//! Signing in and out: login with rate limiting, sessions, personal API tokens.
//!
//! A session token is 256 random bits, sent to the browser once (cookie) and stored only as
//! its SHA-256. Sessions expire after [`idle`] without use and at most [`max_age`] after login;
//! a revoked session is refused on the next request. Every login (success, failure, refusal
//! for too many failures), logout and revocation is an audit entry.

use binhyen_core::authz::Throttle;
use binhyen_store::audit::AuditActor;
use binhyen_store::auth::{self, ApiToken, AttemptKey, Client, Session, User};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Actor, Audit, Check, Ctx, ServiceError, begin, open, password};

/// A session ends after this long without a request…
pub fn idle() -> Duration {
    Duration::hours(12)
}
/// …and at the latest this long after login.
pub fn max_age() -> Duration {
    Duration::days(7)
}
/// "Last seen" is written at most this often per session.
fn touch_every() -> Duration {
    Duration::seconds(60)
}

/// Prefix of personal API tokens, so they are recognisable in logs and secret scanners.
pub const API_TOKEN_PREFIX: &str = "byt_";

/// 256 random bits, hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// What rate limiting counts a typed login as: trimmed, lower-case, at most 64 characters.
fn attempt_key(login: &str) -> String {
    login.trim().to_lowercase().chars().take(64).collect()
}

/// Checks the password and opens a session; returns the raw session token, for the cookie only
/// (it is not kept anywhere else). Unknown login, wrong password and deactivated
/// account all give [`ServiceError::BadCredentials`]; too many failures give
/// [`ServiceError::Throttled`] without checking the password.
pub async fn login(
    ctx: &Ctx<'_>,
    login: &str,
    password: String,
    client: &Client,
) -> Result<String, ServiceError> {
    let key = attempt_key(login);
    let ip = client.ip.clone().unwrap_or_else(|| "unknown".to_owned());
    let anonymous = AuditActor {
        id: None,
        label: key.clone(),
    };
    let details = json!({ "login": key, "ip": ip, "user_agent": client.user_agent });

    if let Some(until) = throttled_until(ctx, &key, &ip).await? {
        open(ctx, anonymous)
            .await?
            .commit(Audit::new("login.throttled", "login", &key).details(details))
            .await?;
        return Err(ServiceError::Throttled { until });
    }

    let found = auth::credentials(ctx.store, &key).await?;
    let ok = password::verify_blocking(password, found.as_ref().map(|(_, h)| h.clone())).await;
    let user = match found {
        Some((u, _)) if ok && u.active => u,
        other => {
            let reason = match &other {
                None => "unknown_login",
                Some((u, _)) if !u.active => "inactive",
                Some(_) => "wrong_password",
            };
            let change = open(ctx, anonymous).await?;
            auth::record_login_attempt(change.tx(), &key, &ip, ctx.now, false).await?;
            let mut details = details;
            details["reason"] = json!(reason);
            details["user_id"] = json!(other.as_ref().map(|(u, _)| u.id));
            change
                .commit(Audit::new("login.failure", "login", &key).details(details))
                .await?;
            return Err(ServiceError::BadCredentials);
        }
    };

    let token = new_token();
    let change = open(
        ctx,
        AuditActor {
            id: Some(user.id),
            label: user.login.clone(),
        },
    )
    .await?;
    auth::record_login_attempt(change.tx(), &key, &ip, ctx.now, true).await?;
    let session = auth::create_session(
        change.tx(),
        &token_hash(&token),
        user.id,
        ctx.now,
        ctx.now + idle(),
        client,
    )
    .await?;
    change
        .commit(Audit::new("login.success", "session", session.id).details(details))
        .await?;
    Ok(token)
}

/// When login attempts for this login or this address may resume, if they are refused now.
pub async fn throttled_until(
    ctx: &Ctx<'_>,
    login: &str,
    ip: &str,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    let mut until: Option<DateTime<Utc>> = None;
    for (throttle, key) in [
        (Throttle::per_login(), AttemptKey::Login(login)),
        (Throttle::per_ip(), AttemptKey::Ip(ip)),
    ] {
        let failures = auth::recent_failures(
            ctx.store,
            key,
            ctx.now - throttle.window,
            throttle.max_failures as u64,
        )
        .await?;
        if let Some(t) = throttle.retry_at(&failures, ctx.now) {
            until = Some(until.map_or(t, |u| u.max(t)));
        }
    }
    Ok(until)
}

/// A signed-in request: who, and through which session or API token.
#[derive(Clone, Debug)]
pub struct Signed {
    pub actor: Actor,
    pub session: Option<Session>,
}

/// The actor of an active user, with their grants.
pub async fn actor_of(ctx: &Ctx<'_>, user: &User) -> Result<Actor, ServiceError> {
    let grants = auth::grants_of(ctx.store, user.id)
        .await?
        .into_iter()
        .map(|g| g.grant)
        .collect();
    Ok(Actor {
        id: Some(user.id),
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        grants,
    })
}

async fn active_user(ctx: &Ctx<'_>, id: i64) -> Result<Option<User>, ServiceError> {
    Ok(auth::user_by_id(ctx.store, id).await?.filter(|u| u.active))
}

/// The signed-in user of a session cookie, if the session is live and the user active.
/// Slides the idle expiry (at most once a minute).
pub async fn by_session_token(ctx: &Ctx<'_>, raw: &str) -> Result<Option<Signed>, ServiceError> {
    let Some(session) = auth::session_by_token_hash(ctx.store, &token_hash(raw)).await? else {
        return Ok(None);
    };
    if !session.live_at(ctx.now) {
        return Ok(None);
    }
    let Some(user) = active_user(ctx, session.user_id).await? else {
        return Ok(None);
    };
    if ctx.now - session.last_seen_at >= touch_every() {
        let expires = (ctx.now + idle()).min(session.created_at + max_age());
        auth::touch_session(ctx.store, session.id, ctx.now, expires).await?;
    }
    Ok(Some(Signed {
        actor: actor_of(ctx, &user).await?,
        session: Some(session),
    }))
}

/// The signed-in user of a personal API token (`byt_…`), if it is unrevoked and the user active.
pub async fn by_api_token(ctx: &Ctx<'_>, raw: &str) -> Result<Option<Signed>, ServiceError> {
    if !raw.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(token) = auth::api_token_by_hash(ctx.store, &token_hash(raw)).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(user) = active_user(ctx, token.user_id).await? else {
        return Ok(None);
    };
    if token
        .last_used_at
        .is_none_or(|t| ctx.now - t >= touch_every())
    {
        auth::touch_api_token(ctx.store, token.id, ctx.now).await?;
    }
    Ok(Some(Signed {
        actor: actor_of(ctx, &user).await?,
        session: None,
    }))
}

fn own_id(actor: &Actor) -> Result<i64, ServiceError> {
    actor.id.ok_or(ServiceError::Denied(
        binhyen_core::authz::Denied::NoCapability,
    ))
}

/// Signs out: revokes the session.
pub async fn logout(ctx: &Ctx<'_>, actor: &Actor, session_id: i64) -> Result<(), ServiceError> {
    let user_id = own_id(actor)?;
    let (change, _) = begin(ctx, actor, Check::OwnAccount).await?;
    auth::revoke_session(change.tx(), user_id, session_id, ctx.now).await?;
    change
        .commit(Audit::new("logout", "session", session_id))
        .await
}

/// Revokes one of the actor's own sessions (another browser, a lost phone).
pub async fn revoke_own_session(
    ctx: &Ctx<'_>,
    actor: &Actor,
    session_id: i64,
) -> Result<(), ServiceError> {
    let user_id = own_id(actor)?;
    let (change, _) = begin(ctx, actor, Check::OwnAccount).await?;
    if !auth::revoke_session(change.tx(), user_id, session_id, ctx.now).await? {
        return Err(ServiceError::NotFound);
    }
    change
        .commit(Audit::new("session.revoke", "session", session_id))
        .await
}

pub async fn my_sessions(ctx: &Ctx<'_>, actor: &Actor) -> Result<Vec<Session>, ServiceError> {
    Ok(auth::live_sessions_of(ctx.store, own_id(actor)?, ctx.now).await?)
}

pub async fn my_api_tokens(ctx: &Ctx<'_>, actor: &Actor) -> Result<Vec<ApiToken>, ServiceError> {
    Ok(auth::live_api_tokens_of(ctx.store, own_id(actor)?).await?)
}

/// Creates a personal API token; the raw token is returned once and never stored.
pub async fn create_api_token(
    ctx: &Ctx<'_>,
    actor: &Actor,
    name: &str,
) -> Result<(ApiToken, String), ServiceError> {
    let user_id = own_id(actor)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "token_name",
            "service.token_name",
            name,
        ));
    }
    let raw = format!("{API_TOKEN_PREFIX}{}", new_token());
    let (change, _) = begin(ctx, actor, Check::OwnAccount).await?;
    let token =
        auth::create_api_token(change.tx(), user_id, name, &token_hash(&raw), ctx.now).await?;
    change
        .commit(
            Audit::new("api_token.create", "api_token", token.id).details(json!({ "name": name })),
        )
        .await?;
    Ok((token, raw))
}

pub async fn revoke_api_token(
    ctx: &Ctx<'_>,
    actor: &Actor,
    token_id: i64,
) -> Result<(), ServiceError> {
    let user_id = own_id(actor)?;
    let (change, _) = begin(ctx, actor, Check::OwnAccount).await?;
    if !auth::revoke_api_token(change.tx(), user_id, token_id, ctx.now).await? {
        return Err(ServiceError::NotFound);
    }
    change
        .commit(Audit::new("api_token.revoke", "api_token", token_id))
        .await
}
