//! Storage of Bình Yên.
//!
//! This is the only crate that knows which database is in use (SQLite or PostgreSQL).
//! Everything above it talks to [`Store`] and never builds SQL.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod boundaries;
mod connect;
pub mod facts;
pub mod memo;
pub mod migration;
pub mod plans;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;
pub mod units;
pub mod workflow;

pub use connect::{Backend, ConnectError, DatabaseUrl};
pub use sea_orm::DbErr;
pub use tx::{Db, Tx};

use sea_orm::DatabaseConnection;

fn plain_identifier(name: &str) -> Result<&str, DbErr> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name)
    } else {
        Err(DbErr::Custom(format!(
            "not a plain database name: {name:?}"
        )))
    }
}

/// A handle on the database. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    conn: DatabaseConnection,
    backend: Backend,
    memo: std::sync::Arc<memo::Memo>,
}

impl Store {
    /// Connects to `url` (see [`DatabaseUrl`]), creating an SQLite file on first use.
    /// Does not run migrations: call [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, ConnectError> {
        let conn = connect::open(url).await?;
        Ok(Store {
            conn,
            backend: url.backend(),
            memo: Default::default(),
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

    /// PostgreSQL: creates the empty database `name` on the server of `server` and returns its
    /// URL (tests and benchmarks). `name` must be a plain identifier.
    pub async fn create_postgres_database(
        server: &DatabaseUrl,
        name: &str,
    ) -> Result<DatabaseUrl, DbErr> {
        Self::on_server(
            server,
            &format!("CREATE DATABASE {}", plain_identifier(name)?),
        )
        .await?;
        DatabaseUrl::parse(&connect::with_database(server.expose(), name))
            .map_err(|e| DbErr::Custom(e.to_string()))
    }

    /// PostgreSQL: drops the database `name` on the server of `server`.
    pub async fn drop_postgres_database(server: &DatabaseUrl, name: &str) -> Result<(), DbErr> {
        Self::on_server(
            server,
            &format!("DROP DATABASE IF EXISTS {}", plain_identifier(name)?),
        )
        .await
    }

    async fn on_server(server: &DatabaseUrl, sql: &str) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(server.expose()).await?;
        let result = admin.execute_unprepared(sql).await.map(|_| ());
        admin.close().await.ok();
        result
    }

    /// Closes the pool (used by tests and by `backup` before copying files).
    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}
