//! Options shared by every command, with environment fallbacks.

use std::path::PathBuf;

use binhyen_store::{ConnectError, DatabaseUrl, Store};
use clap::{Args, ValueEnum};

/// The two interface languages. Vietnamese is the default everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Args, Clone, Debug)]
pub struct GlobalOpts {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB.
    /// Default: an SQLite file in the data directory, created on first use.
    #[arg(long, env = "BINHYEN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Directory for the SQLite database, uploaded documents and backups.
    #[arg(
        long,
        env = "BINHYEN_DATA_DIR",
        global = true,
        default_value = "binhyen-data"
    )]
    pub data_dir: PathBuf,

    /// Language of messages: vi (default) or en.
    #[arg(long, env = "BINHYEN_LANG", global = true, value_enum, default_value_t = Lang::Vi)]
    pub lang: Lang,
}

impl GlobalOpts {
    /// The database to use: `--database-url`, else `DATA_DIR/binhyen.sqlite`.
    pub fn database_url(&self) -> Result<DatabaseUrl, ConnectError> {
        match &self.database_url {
            Some(u) => DatabaseUrl::parse(u),
            None => Ok(DatabaseUrl::sqlite_file(
                &self.data_dir.join("binhyen.sqlite"),
            )),
        }
    }

    /// Opens the database and applies pending migrations.
    pub async fn open_store(&self) -> anyhow::Result<Store> {
        let url = self.database_url()?;
        let store = Store::connect(&url).await?;
        store.migrate().await.map_err(|e| {
            anyhow::anyhow!(rust_i18n::t!(
                "cli.migrate_failed",
                locale = self.lang.code(),
                reason = e.to_string()
            ))
        })?;
        Ok(store)
    }
}
