//! The audit: an append-only, hash-chained log of every change.
//!
//! Each [`AuditEntry`] carries `prev_hash`, the hash of the entry before it, and `hash`, the
//! SHA-256 of a canonical serialisation of all its fields ([`entry_hash`]). Entries are only
//! appended, through [`Tx::append`](crate::Tx::append) inside the transaction of the change
//! they record. [`verify`] walks the chain and names the first entry that was edited, deleted
//! or moved.

pub(crate) mod entity;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::tx::Db;
use entity::{entry, head};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user (id and login at the time), or the console / the system (no id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditActor {
    pub id: Option<i64>,
    pub label: String,
}

/// What a change records. `at` is truncated to microseconds (what both databases keep).
#[derive(Clone, Debug, PartialEq)]
pub struct NewEntry {
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub unit_id: Option<i64>,
    pub dossier_id: Option<i64>,
    pub details: serde_json::Value,
}

/// One entry of the chain, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub unit_id: Option<i64>,
    pub dossier_id: Option<i64>,
    /// The details as stored: a JSON text (hashed as text, byte for byte).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The canonical timestamp text that enters the hash.
fn canonical_at(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// SHA-256 (hex) over a JSON array of every field but `hash`, in a fixed order.
pub fn entry_hash(e: &AuditEntry) -> String {
    let canonical = serde_json::json!([
        e.seq,
        canonical_at(&e.at),
        e.actor_id,
        e.actor,
        e.action,
        e.object_type,
        e.object_id,
        e.unit_id,
        e.dossier_id,
        e.details,
        e.prev_hash,
    ])
    .to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

impl From<entry::Model> for AuditEntry {
    fn from(m: entry::Model) -> AuditEntry {
        AuditEntry {
            seq: m.seq,
            at: m.at,
            actor_id: m.actor_id,
            actor: m.actor,
            action: m.action,
            object_type: m.object_type,
            object_id: m.object_id,
            unit_id: m.unit_id,
            dossier_id: m.dossier_id,
            details: m.details,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

pub(crate) async fn insert(
    txn: &sea_orm::DatabaseTransaction,
    head: &Head,
    new: NewEntry,
) -> Result<AuditEntry, DbErr> {
    let mut e = AuditEntry {
        seq: head.seq + 1,
        at: new.at.trunc_subsecs(6),
        actor_id: new.actor.id,
        actor: new.actor.label,
        action: new.action,
        object_type: new.object_type,
        object_id: new.object_id,
        unit_id: new.unit_id,
        dossier_id: new.dossier_id,
        details: new.details.to_string(),
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    entry::Entity::insert(entry::ActiveModel {
        seq: Set(e.seq),
        at: Set(e.at),
        actor_id: Set(e.actor_id),
        actor: Set(e.actor.clone()),
        action: Set(e.action.clone()),
        object_type: Set(e.object_type.clone()),
        object_id: Set(e.object_id.clone()),
        unit_id: Set(e.unit_id),
        dossier_id: Set(e.dossier_id),
        details: Set(e.details.clone()),
        prev_hash: Set(e.prev_hash.clone()),
        hash: Set(e.hash.clone()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(e)
}

/// Which entries to list, newest first.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter {
    pub unit_id: Option<i64>,
    pub dossier_id: Option<i64>,
    pub actor_id: Option<i64>,
    /// Only entries with `seq` below this (for paging back).
    pub before_seq: Option<i64>,
    pub limit: u64,
}

impl Filter {
    /// The latest `limit` entries of the whole audit.
    pub fn latest(limit: u64) -> Filter {
        Filter {
            limit,
            ..Filter::default()
        }
    }
}

/// Entries matching `filter`, newest first.
pub async fn list(db: &impl Db, filter: Filter) -> Result<Vec<AuditEntry>, DbErr> {
    let mut q = entry::Entity::find().order_by_desc(entry::Column::Seq);
    if let Some(u) = filter.unit_id {
        q = q.filter(entry::Column::UnitId.eq(u));
    }
    if let Some(d) = filter.dossier_id {
        q = q.filter(entry::Column::DossierId.eq(d));
    }
    if let Some(a) = filter.actor_id {
        q = q.filter(entry::Column::ActorId.eq(a));
    }
    if let Some(b) = filter.before_seq {
        q = q.filter(entry::Column::Seq.lt(b));
    }
    let rows = q.limit(filter.limit.max(1)).all(&db.executor()).await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// The first problem [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Entries `from..=to` are missing from the chain (deleted).
    Missing { from: i64, to: i64 },
    /// Entry `seq`'s stored fields no longer give its hash (edited in place).
    Edited { seq: i64 },
    /// Entry `seq` follows the entry it was written after (`expected_after`) no longer:
    /// that entry now sits at `found_at` (entries re-ordered or swapped).
    Reordered { seq: i64, found_at: i64 },
    /// Entry `seq` points to a previous entry that no longer exists: the entry before it was
    /// deleted and the rest renumbered, or its link was edited.
    BrokenLink { seq: i64 },
    /// The chain ends at `last_seq` but the head says `head_seq` (entries removed at the end,
    /// or appended without moving the head).
    HeadMismatch { last_seq: i64, head_seq: i64 },
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked before the first problem (all of them when intact).
    pub checked: u64,
    /// Sequence number and hash of the head, to note down outside the system.
    pub head_seq: i64,
    pub head_hash: String,
    pub problem: Option<Tamper>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

const PAGE: u64 = 2_000;

/// Walks the whole chain in `seq` order and reports the first entry that was edited, deleted
/// or re-ordered. Reads page by page; memory stays bounded.
pub async fn verify(db: &impl Db) -> Result<Verification, DbErr> {
    let exec = db.executor();
    let h = head::Entity::find_by_id(1)
        .one(&exec)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".to_owned()))?;
    let mut checked = 0u64;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS.to_owned();
    let done = |problem: Option<Tamper>, checked: u64| Verification {
        checked,
        head_seq: h.seq,
        head_hash: h.hash.clone(),
        problem,
    };
    loop {
        let page = entry::Entity::find()
            .filter(entry::Column::Seq.gte(expected_seq))
            .order_by_asc(entry::Column::Seq)
            .limit(PAGE)
            .all(&exec)
            .await?;
        let n = page.len() as u64;
        for m in page {
            let e = AuditEntry::from(m);
            if e.seq != expected_seq {
                return Ok(done(
                    Some(Tamper::Missing {
                        from: expected_seq,
                        to: e.seq - 1,
                    }),
                    checked,
                ));
            }
            if e.prev_hash != prev_hash {
                // Is the entry this one was written after still somewhere in the chain?
                let elsewhere = entry::Entity::find()
                    .filter(entry::Column::Hash.eq(e.prev_hash.clone()))
                    .filter(entry::Column::Seq.ne(e.seq - 1))
                    .one(&exec)
                    .await?;
                let problem = match elsewhere {
                    Some(other) => Tamper::Reordered {
                        seq: e.seq,
                        found_at: other.seq,
                    },
                    None if entry_hash(&e) != e.hash => Tamper::Edited { seq: e.seq },
                    None => Tamper::BrokenLink { seq: e.seq },
                };
                return Ok(done(Some(problem), checked));
            }
            if entry_hash(&e) != e.hash {
                return Ok(done(Some(Tamper::Edited { seq: e.seq }), checked));
            }
            prev_hash = e.hash;
            expected_seq += 1;
            checked += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let last_seq = expected_seq - 1;
    if last_seq != h.seq || (last_seq > 0 && prev_hash != h.hash) {
        return Ok(done(
            Some(Tamper::HeadMismatch {
                last_seq,
                head_seq: h.seq,
            }),
            checked,
        ));
    }
    Ok(done(None, checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AuditEntry {
        AuditEntry {
            seq: 1,
            at: DateTime::parse_from_rfc3339("2025-03-01T08:30:00.123456Z")
                .unwrap()
                .with_timezone(&Utc),
            actor_id: Some(7),
            actor: "ca.xa".to_owned(),
            action: "user.create".to_owned(),
            object_type: "user".to_owned(),
            object_id: "8".to_owned(),
            unit_id: Some(100),
            dossier_id: None,
            details: r#"{"login":"trưởng.thôn"}"#.to_owned(),
            prev_hash: GENESIS.to_owned(),
            hash: String::new(),
        }
    }

    #[test]
    fn hash_covers_every_field() {
        let base = sample();
        let h = entry_hash(&base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, entry_hash(&base), "deterministic");
        let variants: Vec<AuditEntry> = vec![
            AuditEntry {
                seq: 2,
                ..base.clone()
            },
            AuditEntry {
                at: base.at + chrono::Duration::microseconds(1),
                ..base.clone()
            },
            AuditEntry {
                actor_id: None,
                ..base.clone()
            },
            AuditEntry {
                actor: "x".into(),
                ..base.clone()
            },
            AuditEntry {
                action: "user.delete".into(),
                ..base.clone()
            },
            AuditEntry {
                object_type: "grant".into(),
                ..base.clone()
            },
            AuditEntry {
                object_id: "9".into(),
                ..base.clone()
            },
            AuditEntry {
                unit_id: Some(101),
                ..base.clone()
            },
            AuditEntry {
                dossier_id: Some(1),
                ..base.clone()
            },
            AuditEntry {
                details: "{}".into(),
                ..base.clone()
            },
            AuditEntry {
                prev_hash: "1".repeat(64),
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(entry_hash(&v), h, "{v:?}");
        }
        // The stored hash itself is not part of what is hashed.
        assert_eq!(
            entry_hash(&AuditEntry {
                hash: "x".into(),
                ..base
            }),
            h
        );
    }
}
