//! User administration, scoped by territory: an administrator sees and changes only users whose
//! grants all lie inside one of their administrator scopes ([`authz::manages`]), gives only
//! grants inside it ([`authz::may_assign`]), and never changes their own account.

use binhyen_core::authz::{self, Capability, Denied, Grant, GrantProblem, Role, Scope, UserId};
use binhyen_store::auth::{self, StoredGrant, User, WriteError};
use serde_json::json;

use super::{Actor, Audit, Check, Ctx, ServiceError, begin, password};
use crate::directory::{COUNTRY_CODE, UnitDirectory};

/// Shortest and longest login.
const LOGIN_LEN: std::ops::RangeInclusive<usize> = 3..=64;

/// A login as stored: trimmed, lower-case ASCII letters, digits and `.`, `_`, `-`, starting with
/// a letter or digit, 3 to 64 characters. Anything else is refused with the reason.
pub fn normalize_login(input: &str) -> Result<String, ServiceError> {
    let s = input.trim().to_ascii_lowercase();
    let bad = |key| Err(ServiceError::invalid("login", key, input.trim()));
    if !LOGIN_LEN.contains(&s.chars().count()) {
        return bad("service.login.length");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return bad("service.login.chars");
    }
    if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return bad("service.login.start");
    }
    Ok(s)
}

fn normalize_name(input: &str) -> Result<String, ServiceError> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "display_name",
            "service.display_name",
            &s,
        ));
    }
    Ok(s)
}

/// A grant as typed: role, unit code, and optionally a wider view scope code.
#[derive(Clone, Debug, Default)]
pub struct GrantSpec {
    pub role: String,
    pub unit: String,
    pub view: Option<String>,
}

fn resolve_scope(
    ctx: &Ctx<'_>,
    field: &'static str,
    code: &str,
) -> Result<(Scope, Option<binhyen_core::units::UnitKind>), ServiceError> {
    let code = code.trim();
    if code.eq_ignore_ascii_case(COUNTRY_CODE) {
        return Ok((Scope::Country, None));
    }
    match ctx.units.by_code(code, ctx.today()) {
        Some(u) => Ok((Scope::Unit(u.id), Some(u.kind))),
        None => Err(ServiceError::invalid(field, "service.unit.unknown", code)),
    }
}

/// Turns what was typed into a checked [`Grant`].
pub fn resolve_grant(ctx: &Ctx<'_>, spec: &GrantSpec) -> Result<Grant, ServiceError> {
    let role = Role::parse(&spec.role)
        .ok_or_else(|| ServiceError::invalid("role", "service.role.unknown", &spec.role))?;
    let (unit, kind) = resolve_scope(ctx, "unit", &spec.unit)?;
    let mut grant = Grant::new(role, unit);
    if let Some(v) = spec.view.as_deref().filter(|v| !v.trim().is_empty()) {
        grant = grant.viewing(resolve_scope(ctx, "view", v)?.0);
    }
    grant.check(kind, ctx.units).map_err(|p| match p {
        GrantProblem::RoleDoesNotFit => {
            ServiceError::invalid("unit", "service.grant.role_does_not_fit", spec.unit.trim())
        }
        GrantProblem::CaptureOutsideUnit | GrantProblem::ViewNarrowerThanUnit => {
            ServiceError::invalid(
                "view",
                "service.grant.view_narrower",
                spec.view.as_deref().unwrap_or(""),
            )
        }
    })?;
    Ok(grant)
}

/// A user and their grants, as an administrator sees them.
#[derive(Clone, Debug)]
pub struct Account {
    pub user: User,
    pub grants: Vec<StoredGrant>,
}

fn plain(grants: &[StoredGrant]) -> Vec<Grant> {
    grants.iter().map(|g| g.grant).collect()
}

fn require_admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.can_manage_users() {
        Ok(())
    } else {
        Err(ServiceError::Denied(Denied::NoCapability))
    }
}

/// Every user this administrator manages, by login.
pub async fn list(ctx: &Ctx<'_>, actor: &Actor) -> Result<Vec<Account>, ServiceError> {
    require_admin(actor)?;
    Ok(auth::users_with_grants(ctx.store)
        .await?
        .into_iter()
        .filter(|(_, g)| authz::manages(&actor.grants, &plain(g), ctx.units))
        .map(|(user, grants)| Account { user, grants })
        .collect())
}

/// One managed user; [`ServiceError::NotFound`] for users outside the actor's territory.
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, id: UserId) -> Result<Account, ServiceError> {
    require_admin(actor)?;
    let user = auth::user_by_id(ctx.store, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let grants = auth::grants_of(ctx.store, id).await?;
    if !authz::manages(&actor.grants, &plain(&grants), ctx.units) {
        return Err(ServiceError::NotFound);
    }
    Ok(Account { user, grants })
}

pub async fn get_by_login(
    ctx: &Ctx<'_>,
    actor: &Actor,
    login: &str,
) -> Result<Account, ServiceError> {
    let login = normalize_login(login)?;
    let user = auth::user_by_login(ctx.store, &login)
        .await?
        .ok_or_else(|| ServiceError::invalid("login", "service.login.unknown", &login))?;
    get(ctx, actor, user.id).await
}

/// Opens a change on a managed user (not the actor), needing `ManageUsers` over `target`.
async fn begin_on(
    ctx: &Ctx<'_>,
    actor: &Actor,
    account: &Account,
    target: Scope,
) -> Result<super::Change, ServiceError> {
    if let Some(me) = actor.id {
        authz::not_self(me, account.user.id).map_err(ServiceError::Denied)?;
    }
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(Capability::ManageUsers, target, ctx.today()),
    )
    .await?;
    Ok(change)
}

/// The unit a user's audit entries are filed under: their first grant's unit.
fn home(grants: &[StoredGrant]) -> Scope {
    grants.first().map_or(Scope::Country, |g| g.grant.unit)
}

/// What a new account needs.
#[derive(Clone, Debug, Default)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    /// `None`: a password is generated and returned.
    pub password: Option<String>,
    pub grant: GrantSpec,
}

/// Creates a user with their first grant. Returns the account and, when none was given, the
/// generated password (shown once).
pub async fn create(
    ctx: &Ctx<'_>,
    actor: &Actor,
    new: NewAccount,
) -> Result<(Account, Option<String>), ServiceError> {
    require_admin(actor)?;
    let login = normalize_login(&new.login)?;
    let name = normalize_name(&new.display_name)?;
    let grant = resolve_grant(ctx, &new.grant)?;
    if !authz::may_assign(&actor.grants, &grant, ctx.units) {
        return Err(ServiceError::Denied(Denied::OutsideTerritory));
    }
    let (hash, generated) = password::hash_chosen_or_generated(new.password).await?;
    let (change, _) = begin(
        ctx,
        actor,
        Check::need(Capability::ManageUsers, grant.unit, ctx.today()),
    )
    .await?;
    let user = match auth::create_user(change.tx(), &login, &name, &hash, ctx.now).await {
        Ok(u) => u,
        Err(WriteError::LoginTaken) => {
            return Err(ServiceError::invalid(
                "login",
                "service.login.taken",
                &login,
            ));
        }
        Err(WriteError::Db(e)) => return Err(e.into()),
    };
    let stored = auth::add_grant(change.tx(), user.id, &grant, ctx.now).await?;
    change
        .commit(
            Audit::new("user.create", "user", user.id)
                .unit(grant.unit)
                .details(json!({ "login": login, "display_name": name, "grant": grant })),
        )
        .await?;
    Ok((
        Account {
            user,
            grants: vec![stored],
        },
        generated,
    ))
}

/// Adds a grant to a managed user.
pub async fn add_grant(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: UserId,
    spec: &GrantSpec,
) -> Result<StoredGrant, ServiceError> {
    let account = get(ctx, actor, user_id).await?;
    let grant = resolve_grant(ctx, spec)?;
    if !authz::may_assign(&actor.grants, &grant, ctx.units) {
        return Err(ServiceError::Denied(Denied::OutsideTerritory));
    }
    if account.grants.iter().any(|g| g.grant == grant) {
        return Err(ServiceError::invalid(
            "role",
            "service.grant.duplicate",
            &spec.role,
        ));
    }
    let change = begin_on(ctx, actor, &account, grant.unit).await?;
    let stored = auth::add_grant(change.tx(), user_id, &grant, ctx.now).await?;
    change
        .commit(
            Audit::new("grant.add", "user", user_id)
                .unit(grant.unit)
                .details(json!({ "grant_id": stored.id, "grant": grant })),
        )
        .await?;
    Ok(stored)
}

/// Removes a grant from a managed user. The last grant stays (deactivate the user instead):
/// a user without grants would fall out of every province's view.
pub async fn remove_grant(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: UserId,
    grant_id: i64,
) -> Result<(), ServiceError> {
    let account = get(ctx, actor, user_id).await?;
    let Some(g) = account.grants.iter().find(|g| g.id == grant_id).copied() else {
        return Err(ServiceError::NotFound);
    };
    if account.grants.len() == 1 {
        return Err(ServiceError::invalid(
            "role",
            "service.grant.last",
            g.grant.role.as_str(),
        ));
    }
    let change = begin_on(ctx, actor, &account, g.grant.unit).await?;
    auth::remove_grant(change.tx(), user_id, grant_id).await?;
    change
        .commit(
            Audit::new("grant.remove", "user", user_id)
                .unit(g.grant.unit)
                .details(json!({ "grant_id": grant_id, "grant": g.grant })),
        )
        .await
}

/// Deactivates (and signs out everywhere) or reactivates a managed user.
pub async fn set_active(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: UserId,
    active: bool,
) -> Result<(), ServiceError> {
    let account = get(ctx, actor, user_id).await?;
    let unit = home(&account.grants);
    let change = begin_on(ctx, actor, &account, unit).await?;
    auth::set_active(change.tx(), user_id, active, ctx.now).await?;
    let revoked = if active {
        0
    } else {
        auth::revoke_sessions_of(change.tx(), user_id, ctx.now).await?
    };
    let action = if active {
        "user.activate"
    } else {
        "user.deactivate"
    };
    change
        .commit(
            Audit::new(action, "user", user_id)
                .unit(unit)
                .details(json!({ "sessions_revoked": revoked })),
        )
        .await
}

/// Signs a managed user out of every session. Returns how many were revoked.
pub async fn revoke_sessions(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: UserId,
) -> Result<u64, ServiceError> {
    let account = get(ctx, actor, user_id).await?;
    let unit = home(&account.grants);
    let change = begin_on(ctx, actor, &account, unit).await?;
    let n = auth::revoke_sessions_of(change.tx(), user_id, ctx.now).await?;
    change
        .commit(
            Audit::new("session.revoke_all", "user", user_id)
                .unit(unit)
                .details(json!({ "sessions_revoked": n })),
        )
        .await?;
    Ok(n)
}

/// Sets a managed user's password (given, or generated and returned) and signs them out.
pub async fn set_password(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: UserId,
    new_password: Option<String>,
) -> Result<Option<String>, ServiceError> {
    let account = get(ctx, actor, user_id).await?;
    let (hash, generated) = password::hash_chosen_or_generated(new_password).await?;
    let unit = home(&account.grants);
    let change = begin_on(ctx, actor, &account, unit).await?;
    auth::set_password(change.tx(), user_id, &hash, ctx.now).await?;
    let n = auth::revoke_sessions_of(change.tx(), user_id, ctx.now).await?;
    change
        .commit(
            Audit::new("user.password", "user", user_id)
                .unit(unit)
                .details(json!({ "sessions_revoked": n })),
        )
        .await?;
    Ok(generated)
}

/// How a grant reads: "Công an xã — Xã Long Đức (29001)", plus the view scope when wider.
pub fn describe_grant(units: &dyn UnitDirectory, g: &Grant, locale: &str) -> String {
    use crate::directory::describe;
    let country = rust_i18n::t!("auth.country", locale = locale);
    let role = rust_i18n::t!(format!("role.{}", g.role.as_str()), locale = locale);
    let mut s = format!("{role} — {}", describe(units, g.unit, &country));
    if g.view != g.unit {
        let view = rust_i18n::t!(
            "auth.views",
            locale = locale,
            scope = describe(units, g.view, &country)
        );
        s.push_str(&format!(" ({view})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn logins_are_normalised_or_refused_with_the_reason() {
        assert_eq!(normalize_login("  CA.LongDuc ").unwrap(), "ca.longduc");
        for (bad, key) in [
            ("ab", "service.login.length"),
            ("người.dùng", "service.login.chars"),
            ("a b c", "service.login.chars"),
            ("-abc", "service.login.start"),
        ] {
            match normalize_login(bad) {
                Err(ServiceError::Invalid { field, key: k, .. }) => {
                    assert_eq!((field, k), ("login", key), "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    proptest! {
        #[test]
        fn login_normalisation_never_panics_and_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(l) = normalize_login(&s) {
                prop_assert_eq!(normalize_login(&l).unwrap(), l.clone());
                prop_assert!(l.len() >= 3 && l.len() <= 64);
                prop_assert!(l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c)));
            }
        }

        #[test]
        fn valid_logins_survive_case_and_spaces(s in "[a-z0-9][a-z0-9._-]{2,40}") {
            let noisy = format!("  {}\t", s.to_uppercase());
            prop_assert_eq!(normalize_login(&noisy).unwrap(), s);
        }
    }
}
