//! [`Tx`], the one transaction handle of a change, and [`Db`], "anything queries run on".
//!
//! A [`Tx`] locks the audit head when it opens, so changes (and their audit entries) are
//! serialised on both databases: on PostgreSQL the `audit_head` row stays locked until commit;
//! on SQLite the same statement takes the database write lock. Dropping a `Tx` without
//! [`Tx::commit`] rolls it back.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ConnectionTrait, DatabaseExecutor, DatabaseTransaction, DbErr, EntityTrait, TransactionTrait,
};

use crate::Store;
use crate::audit::{self, AuditEntry, NewEntry, entity::head};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Store {}
    impl Sealed for crate::Tx {}
}

/// Something queries run on: the [`Store`] (each statement on its own) or a [`Tx`].
/// Store functions take `&impl Db` for reads and `&mut Tx` (or `&Tx`) for writes.
pub trait Db: Sync + sealed::Sealed {
    #[doc(hidden)]
    fn executor(&self) -> DatabaseExecutor<'_>;
}

impl Db for Store {
    fn executor(&self) -> DatabaseExecutor<'_> {
        DatabaseExecutor::Connection(self.conn())
    }
}

impl Db for Tx {
    fn executor(&self) -> DatabaseExecutor<'_> {
        DatabaseExecutor::Transaction(&self.txn)
    }
}

/// One open transaction holding the audit head. See the module documentation.
pub struct Tx {
    txn: DatabaseTransaction,
    head: audit::Head,
    appended: usize,
    memo: std::sync::Arc<crate::memo::Memo>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("head", &self.head)
            .field("appended", &self.appended)
            .finish()
    }
}

impl Store {
    /// Opens a transaction and locks the audit head (waits while another change is running).
    pub async fn begin(&self) -> Result<Tx, DbErr> {
        let txn = self.conn().begin().await?;
        // A write that changes nothing: it takes the row lock (PostgreSQL) or the database
        // write lock (SQLite) before anything is read, so the head cannot move under us.
        txn.execute(
            Query::update()
                .table(head::Entity)
                .value(head::Column::Seq, Expr::col(head::Column::Seq))
                .and_where(Expr::col(head::Column::Id).eq(1)),
        )
        .await?;
        let row = head::Entity::find_by_id(1)
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("audit_head".to_owned()))?;
        Ok(Tx {
            txn,
            head: audit::Head {
                seq: row.seq,
                hash: row.hash,
            },
            appended: 0,
            memo: self.memo.clone(),
        })
    }
}

impl Tx {
    /// Appends one entry to the audit chain, inside this transaction.
    pub async fn append(&mut self, entry: NewEntry) -> Result<AuditEntry, DbErr> {
        let written = audit::insert(&self.txn, &self.head, entry).await?;
        self.head = audit::Head {
            seq: written.seq,
            hash: written.hash.clone(),
        };
        self.appended += 1;
        Ok(written)
    }

    /// How many audit entries this transaction has appended.
    pub fn appended(&self) -> usize {
        self.appended
    }

    /// Moves the audit head and commits. The store's memoised results are forgotten (other
    /// processes see the moved head; this one also forgets after a commit without entries).
    pub async fn commit(self) -> Result<(), DbErr> {
        if self.appended > 0 {
            self.txn
                .execute(
                    Query::update()
                        .table(head::Entity)
                        .value(head::Column::Seq, self.head.seq)
                        .value(head::Column::Hash, self.head.hash.clone())
                        .and_where(Expr::col(head::Column::Id).eq(1)),
                )
                .await?;
        }
        let memo = self.memo.clone();
        let done = self.txn.commit().await;
        memo.forget();
        done
    }

    /// Abandons every change of this transaction.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}
