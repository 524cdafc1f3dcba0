//! Storage of Bình Yên.
//!
//! This is the only crate that knows which database is in use (SQLite or PostgreSQL).
//! Everything above it talks to [`Store`] and never builds SQL.

mod connect;
pub mod migration;
#[cfg(feature = "testing")]
pub mod testing;
pub mod units;

pub use connect::{Backend, ConnectError, DatabaseUrl};
pub use sea_orm::DbErr;

use sea_orm::DatabaseConnection;

/// A handle on the database. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    conn: DatabaseConnection,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (see [`DatabaseUrl`]), creating an SQLite file on first use.
    /// Does not run migrations: call [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, ConnectError> {
        let conn = connect::open(url).await?;
        Ok(Store {
            conn,
            backend: url.backend(),
        })
    }

    /// Applies every pending migration. Idempotent.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        use sea_orm_migration::MigratorTrait;
        migration::Migrator::up(&self.conn, None).await
    }

    /// Names of the migrations already applied, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, DbErr> {
        use sea_orm_migration::MigratorTrait;
        Ok(migration::Migrator::get_applied_migrations(&self.conn)
            .await?
            .into_iter()
            .map(|m| m.name().to_owned())
            .collect())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying connection, for the modules of this crate only.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Closes the pool (used by tests and by `backup` before copying files).
    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}
