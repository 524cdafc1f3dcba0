//! `binhyen backup [--out FILE]`. SQLite: a consistent copy of the live database (`VACUUM
//! INTO`; the server may keep running), then how to restore it. PostgreSQL: the exact
//! `pg_dump` / `pg_restore` commands for the configured database, password left out — this
//! command does not pretend to back up PostgreSQL itself.

use std::path::PathBuf;

use binhyen_store::Backend;
use binhyen_store::backup::{self, BackupError};
use clap::Args;
use rust_i18n::t;

use crate::config::GlobalOpts;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Tệp sao lưu (backup file); mặc định DATA_DIR/backups/binhyen-NGÀY-GIỜ.sqlite|.dump.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(g: &GlobalOpts, args: BackupArgs) -> anyhow::Result<()> {
    let url = g.database_url()?;
    let stamp = chrono::Utc::now()
        .with_timezone(&crate::clock::vietnam())
        .format("%Y%m%d-%H%M%S");
    let default = |ext: &str| {
        g.data_dir
            .join("backups")
            .join(format!("binhyen-{stamp}.{ext}"))
    };
    match url.backend() {
        Backend::Sqlite => {
            let out = args.out.unwrap_or_else(|| default("sqlite"));
            let store = g.open_store().await?;
            store.backup_sqlite(&out).await.map_err(|e| match e {
                BackupError::Exists(f) => anyhow::anyhow!(t!("cli.backup.exists", file = f)),
                BackupError::Dir { dir, reason } => {
                    anyhow::anyhow!(t!("cli.backup.dir", dir = dir, reason = reason))
                }
                other => anyhow::anyhow!(t!("cli.backup.failed", reason = other.to_string())),
            })?;
            let db = url
                .sqlite_path()
                .map_or_else(|| url.redacted(), |p| p.display().to_string());
            println!(
                "{}",
                t!("cli.backup.done", file = out.display().to_string())
            );
            println!(
                "{}",
                t!(
                    "cli.backup.restore_sqlite",
                    file = out.display().to_string(),
                    db = db
                )
            );
        }
        Backend::Postgres => {
            let out = args.out.unwrap_or_else(|| default("dump"));
            let c = backup::postgres_commands(&url, &out);
            println!(
                "{}",
                t!("cli.backup.postgres", dump = c.dump, restore = c.restore)
            );
        }
    }
    Ok(())
}
