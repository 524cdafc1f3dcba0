//! Backups. SQLite: a consistent copy of the live database with `VACUUM INTO` (readers and the
//! server keep running). PostgreSQL: the exact `pg_dump` / `pg_restore` commands to run with the
//! server's own tools — the store does not pretend to copy a PostgreSQL database itself.

use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::{Backend, DatabaseUrl, Store};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the backup file already exists: {0}")]
    Exists(String),
    #[error("cannot create the backup directory {dir}: {reason}")]
    Dir { dir: String, reason: String },
    #[error("not an SQLite database")]
    NotSqlite,
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `out` (which must not exist).
    pub async fn backup_sqlite(&self, out: &Path) -> Result<(), BackupError> {
        if self.backend() != Backend::Sqlite {
            return Err(BackupError::NotSqlite);
        }
        if out.exists() {
            return Err(BackupError::Exists(out.display().to_string()));
        }
        if let Some(dir) = out.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| BackupError::Dir {
                dir: dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        self.conn()
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [out.display().to_string().into()],
            ))
            .await?;
        Ok(())
    }
}

/// The commands that back up and restore a PostgreSQL database, password left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgCommands {
    pub dump: String,
    pub restore: String,
}

/// `pg_dump` in the custom format to `out`, and the matching `pg_restore` into the same database.
pub fn postgres_commands(url: &DatabaseUrl, out: &Path) -> PgCommands {
    let db = shell_quote(&url.without_password());
    let file = shell_quote(&out.display().to_string());
    PgCommands {
        dump: format!("pg_dump --format=custom --no-owner --file={file} --dbname={db}"),
        restore: format!(
            "pg_restore --clean --if-exists --no-owner --single-transaction --dbname={db} {file}"
        ),
    }
}

/// Quotes for a POSIX shell: `it's` → `'it'\''s'`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_commands_leave_the_password_out() {
        let url = DatabaseUrl::parse("postgres://app:s3cr3t@db.local:5433/binhyen").unwrap();
        let c = postgres_commands(&url, Path::new("/backups/it's.dump"));
        assert_eq!(
            c.dump,
            r"pg_dump --format=custom --no-owner --file='/backups/it'\''s.dump' --dbname='postgres://app@db.local:5433/binhyen'"
        );
        assert_eq!(
            c.restore,
            r"pg_restore --clean --if-exists --no-owner --single-transaction --dbname='postgres://app@db.local:5433/binhyen' '/backups/it'\''s.dump'"
        );
        assert!(!c.dump.contains("s3cr3t") && !c.restore.contains("s3cr3t"));
    }
}
