//! Test harness: every database test runs on SQLite and on PostgreSQL.
//!
//! Use [`db_test!`](crate::db_test): it expands one async body into a `sqlite` and a
//! `postgres` test. PostgreSQL comes from `TEST_PG_URL` (a server where the user may
//! `CREATE DATABASE`); each test gets a fresh database. Without `TEST_PG_URL` the
//! PostgreSQL half is skipped with a note, unless `BINHYEN_REQUIRE_PG=1` (set by `.ci/run`),
//! in which case it fails.

use std::sync::atomic::{AtomicU32, Ordering};

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};

use crate::{Backend, DatabaseUrl, Store};

/// A migrated store for one test, and what keeps it alive.
pub struct TestDb {
    pub store: Store,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, migrated SQLite file database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = DatabaseUrl::sqlite_file(&dir.path().join("test.sqlite"));
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb {
        store,
        url,
        _dir: Some(dir),
    }
}

/// A fresh, migrated PostgreSQL database, or `None` when no server is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(base) = std::env::var("TEST_PG_URL") else {
        if std::env::var("BINHYEN_REQUIRE_PG").is_ok_and(|v| v == "1") {
            panic!("BINHYEN_REQUIRE_PG=1 but TEST_PG_URL is not set");
        }
        eprintln!("note: TEST_PG_URL not set; PostgreSQL half of this test skipped");
        return None;
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "binhyen_t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let server = DatabaseUrl::parse(&base).expect("TEST_PG_URL is a PostgreSQL URL");
    let url = Store::create_postgres_database(&server, &name)
        .await
        .expect("create test database");
    let store = Store::connect(&url).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(TestDb {
        store,
        url,
        _dir: None,
    })
}

/// Another handle on the same database with its own memoised values, as another server
/// process writing to the same database would have.
pub fn other_process(store: &Store) -> Store {
    Store {
        conn: store.conn.clone(),
        backend: store.backend,
        memo: Default::default(),
    }
}

/// `postgres://u:p@h:5432/old?x=y` with the database name replaced.
pub fn replace_db_name(url: &str, name: &str) -> String {
    crate::connect::with_database(url, name)
}

/// Runs raw SQL on the store, for tests that must do what the application never does
/// (tamper with the audit, age a row).
pub async fn execute_raw(store: &Store, sql: &str) -> Result<u64, DbErr> {
    Ok(store.conn().execute_unprepared(sql).await?.rows_affected())
}

/// Every row of every table of an SQLite database, each rendered with SQLite's `quote()`,
/// ordered by rowid — to compare two databases exactly (backup and restore).
pub async fn sqlite_contents(store: &Store) -> Result<BTreeMap<String, Vec<String>>, DbErr> {
    assert_eq!(
        store.backend(),
        Backend::Sqlite,
        "sqlite_contents needs SQLite"
    );
    let conn = store.conn();
    let get = |sql: String| async move {
        let stmt = sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, sql);
        conn.query_all_raw(stmt).await
    };
    let mut out = BTreeMap::new();
    let tables = get(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            .to_owned(),
    )
    .await?;
    for t in tables {
        let table: String = t.try_get_by_index(0)?;
        let cols = get(format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .await?;
        let cols: Vec<String> = cols
            .into_iter()
            .map(|c| c.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?;
        let expr = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows = get(format!("SELECT {expr} FROM \"{table}\" ORDER BY rowid")).await?;
        let rows = rows
            .into_iter()
            .map(|r| r.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?;
        out.insert(table, rows);
    }
    Ok(out)
}

/// Runs one async test body on both databases:
///
/// ```ignore
/// binhyen_store::db_test!(imports_are_idempotent, |store| {
///     assert!(store.applied_migrations().await.unwrap().len() > 0);
/// });
/// ```
/// expands to the tests `imports_are_idempotent::sqlite` and `imports_are_idempotent::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::sqlite().await;
                #[allow(unused_variables)]
                let $store = t.store.clone();
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = $crate::testing::postgres().await else {
                    return;
                };
                #[allow(unused_variables)]
                let $store = t.store.clone();
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn replaces_database_name() {
        assert_eq!(
            replace_db_name("postgres://u:p@h:5433/postgres", "t1"),
            "postgres://u:p@h:5433/t1"
        );
        assert_eq!(
            replace_db_name("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
        assert_eq!(replace_db_name("postgres://h", "t3"), "postgres://h/t3");
    }
}
