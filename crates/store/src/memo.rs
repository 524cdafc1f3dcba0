//! Results computed from the database, kept until the database changes.
//!
//! Every change is committed with an audit entry that moves the audit head ([`crate::Tx::commit`]),
//! so the head — its sequence number and hash — is the **revision** of everything stored. A
//! [`Store`] keeps values computed at one revision ([`Store::memoized`]) and forgets them all as
//! soon as a read shows another head, whether the change was made by this process or by another
//! one writing to the same database. Callers asking for the same key at the same time wait for
//! one computation (single flight); a computation that fails leaves nothing behind.
//!
//! A commit in this process forgets the values at once, even one that appended no audit entry.
//!
//! A value is keyed by the revision read *before* it is computed, so it reflects that revision or
//! a later one: a figure served from here is never older than the last change the caller could
//! have seen. Only reads on the [`Store`] itself are memoised, never reads inside a [`crate::Tx`]
//! (uncommitted data must not outlive its transaction).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sea_orm::{DbErr, EntityTrait};
use tokio::sync::OnceCell;

use crate::Store;
use crate::audit::entity::head;

/// The revision of the database: the audit head.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Revision {
    pub seq: i64,
    pub hash: String,
}

type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// The values of one revision (see the module documentation). Shared by the clones of a
/// [`Store`].
#[derive(Default)]
pub struct Memo {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    revision: Option<Revision>,
    cells: HashMap<(TypeId, String), Cell>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("Memo")
            .field("revision", &inner.revision)
            .field("keys", &inner.cells.len())
            .finish()
    }
}

impl Memo {
    /// The cell of `key` at `revision`; every cell of another revision is dropped first.
    fn cell(&self, revision: &Revision, key: (TypeId, String)) -> Cell {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.revision.as_ref() != Some(revision) {
            inner.cells.clear();
            inner.revision = Some(revision.clone());
        }
        inner.cells.entry(key).or_default().clone()
    }

    /// Forgets every value (after a commit in this process).
    pub(crate) fn forget(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.cells.clear();
        inner.revision = None;
    }

    /// How many values are kept (for tests and diagnostics).
    pub fn len(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.cells.values().filter(|c| c.initialized()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store {
    /// The current revision (one read of the audit head).
    pub async fn revision(&self) -> Result<Revision, DbErr> {
        let row = head::Entity::find_by_id(1)
            .one(self.conn())
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("audit_head".to_owned()))?;
        Ok(Revision {
            seq: row.seq,
            hash: row.hash,
        })
    }

    /// The value of `key` at the current revision: computed by `compute` once per revision (and
    /// once for all callers waiting at the same time), then shared. `key` must name everything
    /// the value depends on besides the database (a year, a unit, the standards in force…).
    pub async fn memoized<T, E, F, Fut>(&self, key: &str, compute: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<DbErr>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let revision = self.revision().await?;
        let cell = self
            .memo
            .cell(&revision, (TypeId::of::<T>(), key.to_owned()));
        let value = cell
            .get_or_try_init(|| async {
                compute()
                    .await
                    .map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>)
            })
            .await?
            .clone();
        Ok(value
            .downcast::<T>()
            .expect("a memo key holds the type of its value"))
    }

    /// The values kept for the current revision.
    pub fn memo(&self) -> &Memo {
        &self.memo
    }
}
