//! `binhyen migrate`: create or upgrade the schema, on SQLite or PostgreSQL.

use rust_i18n::t;

use crate::config::GlobalOpts;

pub async fn run(g: &GlobalOpts) -> anyhow::Result<()> {
    let store = g.open_store().await?;
    let applied = store.applied_migrations().await?;
    println!(
        "{}",
        t!(
            "cli.migrated",
            backend = store.backend().label(),
            count = applied.len(),
            url = g.database_url()?.redacted()
        )
    );
    Ok(())
}
