//! The one place for changes: every state change goes through [`begin`] … [`Change::commit`].
//!
//! ```ignore
//! let (mut change, _grant) = service::begin(&ctx, &actor, Check::need(Capability::EnterFacts, unit, period)).await?;
//! store::facts::save(change.tx(), …).await?;            // any number of store writes
//! change.commit(Audit::new("fact.save", "fact", id).unit(unit).details(json)).await?;
//! ```
//!
//! [`begin`] checks the actor's capability and territory ([`authorize`]), then opens ONE
//! transaction that holds the audit head. [`Change::commit`] appends the audit entry in that same
//! transaction and commits: a change without its audit entry cannot be committed, and an audit
//! entry without its change cannot exist. Dropping a [`Change`] rolls everything back.

pub mod boundaries;
pub mod dashboard;
pub mod evaluation;
#[cfg(test)]
mod evaluation_tests;
pub mod facts;
#[cfg(test)]
pub(crate) mod fixture;
pub mod movement;
pub mod password;
pub mod plans;
#[cfg(test)]
mod plans_tests;
pub mod reports;
pub mod sessions;
pub mod users;
pub mod workflow;

use binhyen_core::authz::{self, Capability, Denied, Grant, Need, Scope, UserId};
use binhyen_core::units::UnitId;
use binhyen_store::audit::{AuditActor, NewEntry};
use binhyen_store::{DbErr, Store, Tx};
use chrono::{DateTime, NaiveDate, Utc};

use crate::directory::UnitDirectory;

/// What every service function works with: the store, the units, and the time of the request.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub units: &'a dyn UnitDirectory,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    pub fn today(&self) -> NaiveDate {
        self.now
            .with_timezone(&crate::clock::vietnam())
            .date_naive()
    }
}

/// Who is acting: a signed-in user with their grants, or the console (`binhyen` commands run by
/// whoever operates the server, acting as a country-wide administrator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<UserId>,
    pub login: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    /// The operator at the server's console.
    pub fn console() -> Actor {
        Actor {
            id: None,
            login: "console".to_owned(),
            display_name: "Bảng điều khiển máy chủ (server console)".to_owned(),
            grants: vec![Grant::new(authz::Role::Administrator, Scope::Country)],
        }
    }

    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            id: self.id,
            label: self.login.clone(),
        }
    }

    pub fn can_manage_users(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.can(Capability::ManageUsers))
    }
}

/// What [`begin`] checks before opening the transaction.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// A capability over a target unit for a period (see [`authz::authorize`]).
    Need(Need),
    /// A signed-in user changing their own account (sessions, API tokens). No capability needed.
    OwnAccount,
}

impl Check {
    pub fn need(capability: Capability, target: Scope, on: NaiveDate) -> Check {
        Check::Need(Need {
            capability,
            target,
            on,
        })
    }
}

/// The audit entry a change commits with.
#[derive(Clone, Debug)]
pub struct Audit {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub unit: Option<UnitId>,
    pub dossier: Option<i64>,
    pub details: serde_json::Value,
}

impl Audit {
    pub fn new(action: &'static str, object_type: &'static str, object_id: impl ToString) -> Audit {
        Audit {
            action,
            object_type,
            object_id: object_id.to_string(),
            unit: None,
            dossier: None,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// The unit whose audit this entry belongs to (none for the whole country).
    pub fn unit(mut self, scope: Scope) -> Audit {
        self.unit = scope.unit();
        self
    }

    pub fn dossier(mut self, id: i64) -> Audit {
        self.dossier = Some(id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Audit {
        self.details = details;
        self
    }
}

/// Why a service call did not happen. Rendered for people by `web` and `cli` from `locales/`.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("denied: {0:?}")]
    Denied(Denied),
    /// Not there, or not visible to this actor (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// Bad input: which field, and the locale key of the message (with its argument).
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
        value: String,
    },
    /// Someone else changed the object first: the locale key saying what happened, and its
    /// argument (who, when, what).
    #[error("conflict: {key}")]
    Conflict { key: &'static str, value: String },
    /// Wrong login or password (the same answer for both).
    #[error("bad credentials")]
    BadCredentials,
    /// Too many failed logins; attempts resume at `until`.
    #[error("throttled until {until}")]
    Throttled { until: DateTime<Utc> },
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &'static str, key: &'static str, value: impl ToString) -> ServiceError {
        ServiceError::Invalid {
            field,
            key,
            value: value.to_string(),
        }
    }

    /// One sentence for a person, in `locale` ("vi" or "en").
    pub fn message(&self, locale: &str) -> String {
        use rust_i18n::t;
        match self {
            ServiceError::Denied(d) => {
                let key = match d {
                    Denied::NoCapability => "service.denied.no_capability",
                    Denied::RoleNotInForce => "service.denied.role_not_in_force",
                    Denied::OutsideTerritory => "service.denied.outside_territory",
                    Denied::SeparationOfDuties => "service.denied.separation_of_duties",
                    Denied::SelfManagement => "service.denied.self_management",
                };
                t!(key, locale = locale).into_owned()
            }
            ServiceError::NotFound => t!("service.not_found", locale = locale).into_owned(),
            ServiceError::Invalid { field, key, value } => {
                let field = t!(format!("field.{field}"), locale = locale);
                let what = t!(*key, locale = locale, value = value);
                t!(
                    "service.invalid",
                    locale = locale,
                    field = field,
                    what = what
                )
                .into_owned()
            }
            ServiceError::Conflict { key, value } => {
                t!(*key, locale = locale, value = value).into_owned()
            }
            ServiceError::BadCredentials => {
                t!("auth.login.bad_credentials", locale = locale).into_owned()
            }
            ServiceError::Throttled { until } => t!(
                "auth.login.throttled",
                locale = locale,
                until = crate::clock::format_time(*until)
            )
            .into_owned(),
            ServiceError::Db(e) => {
                t!("service.db", locale = locale, reason = e.to_string()).into_owned()
            }
            ServiceError::Internal(e) => t!("service.db", locale = locale, reason = e).into_owned(),
        }
    }
}

/// An open change: one transaction holding the audit head.
pub struct Change {
    tx: Tx,
    actor: AuditActor,
    at: DateTime<Utc>,
}

/// Checks `check` for `actor`, then opens the change's transaction. Returns the grant that
/// allowed it (`None` for [`Check::OwnAccount`]).
pub async fn begin(
    ctx: &Ctx<'_>,
    actor: &Actor,
    check: Check,
) -> Result<(Change, Option<Grant>), ServiceError> {
    let grant = match check {
        Check::Need(need) => {
            Some(*authz::authorize(&actor.grants, &need, ctx.units).map_err(ServiceError::Denied)?)
        }
        Check::OwnAccount => {
            if actor.id.is_none() {
                return Err(ServiceError::Denied(Denied::NoCapability));
            }
            None
        }
    };
    Ok((open(ctx, actor.audit_actor()).await?, grant))
}

/// Opens a change without a capability check: only for authentication itself (a login
/// attempt has no signed-in actor yet). Still one transaction, still audited.
pub(crate) async fn open(ctx: &Ctx<'_>, actor: AuditActor) -> Result<Change, ServiceError> {
    Ok(Change {
        tx: ctx.store.begin().await?,
        actor,
        at: ctx.now,
    })
}

impl Change {
    /// The transaction, for the store functions that make the change.
    pub fn tx(&self) -> &Tx {
        &self.tx
    }

    /// Appends an extra audit entry (a change that touches several objects).
    pub async fn record(&mut self, audit: Audit) -> Result<(), ServiceError> {
        self.tx
            .append(NewEntry {
                at: self.at,
                actor: self.actor.clone(),
                action: audit.action.to_owned(),
                object_type: audit.object_type.to_owned(),
                object_id: audit.object_id,
                unit_id: audit.unit,
                dossier_id: audit.dossier,
                details: audit.details,
            })
            .await?;
        Ok(())
    }

    /// Appends the change's audit entry and commits, both or neither.
    pub async fn commit(mut self, audit: Audit) -> Result<(), ServiceError> {
        self.record(audit).await?;
        self.tx.commit().await?;
        Ok(())
    }
}
