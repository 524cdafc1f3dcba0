//! Parsing database URLs and opening the pool, with one clear sentence on failure.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A validated database URL: `sqlite:///abs/path.sqlite`, `sqlite://relative.sqlite`,
/// `sqlite::memory:` or `postgres://user:pass@host:port/db` (also `postgresql://`).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    raw: String,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Why a database could not be opened. Each variant renders as one sentence in
/// Vietnamese followed by its English translation; no panic, no backtrace.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "Địa chỉ cơ sở dữ liệu không hợp lệ: «{url}». Dùng sqlite://ĐƯỜNG_DẪN hoặc postgres://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY:CỔNG/TÊN_CSDL. \
         (Invalid database URL «{url}»: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DBNAME.)"
    )]
    BadUrl { url: String },
    #[error(
        "Không tạo được thư mục dữ liệu {dir}: {reason}. (Cannot create the data directory {dir}: {reason}.)"
    )]
    DataDir { dir: String, reason: String },
    #[error(
        "Không kết nối được cơ sở dữ liệu {backend} tại «{url}»: {reason}. Kiểm tra --database-url hoặc BINHYEN_DATABASE_URL và máy chủ cơ sở dữ liệu. \
         (Cannot connect to the {backend} database at «{url}»: {reason}. Check --database-url or BINHYEN_DATABASE_URL and the database server.)"
    )]
    Unreachable {
        backend: &'static str,
        url: String,
        reason: String,
    },
}

impl DatabaseUrl {
    /// Parses a URL given by the user.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, ConnectError> {
        let raw = raw.trim();
        let bad = || ConnectError::BadUrl { url: redact(raw) };
        if raw == "sqlite::memory:" {
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                raw: raw.to_owned(),
            });
        }
        if let Some(rest) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(bad());
            }
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                raw: raw.to_owned(),
            });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            PgConnectOptions::from_str(raw).map_err(|_| bad())?;
            return Ok(DatabaseUrl {
                backend: Backend::Postgres,
                raw: raw.to_owned(),
            });
        }
        Err(bad())
    }

    /// The URL of an SQLite file (created on first use).
    pub fn sqlite_file(path: &Path) -> DatabaseUrl {
        DatabaseUrl {
            backend: Backend::Sqlite,
            raw: format!("sqlite://{}", path.display()),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The path of the SQLite file, if this is a file database.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite || self.raw == "sqlite::memory:" {
            return None;
        }
        let rest = self
            .raw
            .strip_prefix("sqlite://")
            .or_else(|| self.raw.strip_prefix("sqlite:"))?;
        Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
    }

    /// The URL with any password replaced by `***`, safe to print and log.
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }

    /// The URL with the password left out (`postgres://user@host/db`): what to hand to
    /// `pg_dump` in a printed command; the tool then asks for the password or reads `PGPASSWORD`.
    pub fn without_password(&self) -> String {
        strip_password(&self.raw, None)
    }

    /// The raw URL, password included. Only for handing to database tools.
    pub fn expose(&self) -> &str {
        &self.raw
    }
}

/// `postgres://u:p@h:5432/old?x=y` with the database name replaced.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn redact(raw: &str) -> String {
    strip_password(raw, Some("***"))
}

/// `postgres://user:secret@host` → `postgres://user:{mask}@host`, or `postgres://user@host`.
fn strip_password(raw: &str, mask: Option<&str>) -> String {
    if let Some((scheme, rest)) = raw.split_once("://")
        && let Some((auth, host)) = rest.split_once('@')
        && let Some((user, _)) = auth.split_once(':')
    {
        return match mask {
            Some(m) => format!("{scheme}://{user}:{m}@{host}"),
            None => format!("{scheme}://{user}@{host}"),
        };
    }
    raw.to_owned()
}

pub(crate) async fn open(url: &DatabaseUrl) -> Result<DatabaseConnection, ConnectError> {
    let unreachable = |reason: String| ConnectError::Unreachable {
        backend: url.backend.label(),
        url: url.redacted(),
        reason,
    };
    let mut opts = ConnectOptions::new(url.raw.clone());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(30));
    match url.backend {
        Backend::Sqlite => {
            if let Some(path) = url.sqlite_path()
                && let Some(dir) = path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| ConnectError::DataDir {
                    dir: dir.display().to_string(),
                    reason: e.to_string(),
                })?;
            }
            let memory = url.sqlite_path().is_none();
            // One writer at a time is SQLite's model; a small pool serves concurrent readers (WAL).
            opts.max_connections(if memory { 1 } else { 8 })
                .min_connections(1);
            opts.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
                let o = o
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(SqliteSynchronous::Normal);
                if memory {
                    o
                } else {
                    o.journal_mode(SqliteJournalMode::Wal)
                }
            });
        }
        Backend::Postgres => {
            // Probe once with a short timeout so a wrong host or port fails in seconds, not after
            // the pool's acquire timeout of retries.
            probe_postgres(url).await.map_err(unreachable)?;
            opts.max_connections(16).min_connections(1);
        }
    }
    let conn = Database::connect(opts)
        .await
        .map_err(|e| unreachable(short_reason(&e.to_string())))?;
    conn.ping()
        .await
        .map_err(|e| unreachable(short_reason(&e.to_string())))?;
    Ok(conn)
}

async fn probe_postgres(url: &DatabaseUrl) -> Result<(), String> {
    use sea_orm::sqlx::Connection;
    let opts = PgConnectOptions::from_str(&url.raw).map_err(|e| short_reason(&e.to_string()))?;
    match tokio::time::timeout(
        Duration::from_secs(5),
        sea_orm::sqlx::PgConnection::connect_with(&opts),
    )
    .await
    {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(short_reason(&e.to_string())),
        Err(_) => Err("hết thời gian chờ 5 giây (timed out after 5 s)".to_owned()),
    }
}

/// Keeps the driver's message short: the first line, without the crate's prefixes.
fn short_reason(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    line.trim_start_matches("Connection Error: ").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let u = DatabaseUrl::parse("postgres://app:secret@127.0.0.1:5432/binhyen").unwrap();
        assert_eq!(u.backend(), Backend::Postgres);
        assert_eq!(u.redacted(), "postgres://app:***@127.0.0.1:5432/binhyen");
        assert_eq!(
            u.without_password(),
            "postgres://app@127.0.0.1:5432/binhyen"
        );
        assert!(!format!("{u:?}").contains("secret"));
        let s = DatabaseUrl::parse("sqlite:///tmp/x/binhyen.sqlite?mode=rwc").unwrap();
        assert_eq!(
            s.sqlite_path().unwrap(),
            PathBuf::from("/tmp/x/binhyen.sqlite")
        );
    }

    #[test]
    fn refuses_bad_urls_in_vietnamese() {
        for bad in ["mysql://x", "", "sqlite://", "http://example.org"] {
            let e = DatabaseUrl::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("Địa chỉ cơ sở dữ liệu không hợp lệ"), "{e}");
        }
    }

    #[tokio::test]
    async fn unreachable_postgres_is_one_sentence() {
        // Port 1 on loopback: nothing listens there.
        let u = DatabaseUrl::parse("postgres://u:p@127.0.0.1:1/x").unwrap();
        let e = super::open(&u).await.unwrap_err().to_string();
        assert!(
            e.starts_with("Không kết nối được cơ sở dữ liệu PostgreSQL"),
            "{e}"
        );
        assert!(!e.contains("p@"), "password leaked: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}
