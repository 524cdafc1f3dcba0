//! `binhyen bench facts [--province CODE] [--year Y] [--values N]`: the facts import on the
//! generated dataset, on a fresh SQLite file and (with `--database-url postgres://…` or
//! `TEST_PG_URL`) a fresh PostgreSQL database.
//!
//! The values come from `binhyen generate` (seed 1) written into a scratch SQLite database: the
//! Excel template of one province for the year with every value filled in (`sheet::template`),
//! and a national long CSV (`Mã đơn vị`, `Trường`, `Giá trị`) of `--values` values of the other
//! provinces (`sheet::csv_values`). Each benchmark database gets the same map and residential
//! areas (generated for the year before), then imports the workbook and the CSV as
//! `binhyen import facts` does: `sheet::plan`, then `sheet::commit`, timed separately.
//! Prints a Markdown table with values per second.

use std::time::{Duration, Instant};

use binhyen_core::authz::Scope;
use binhyen_core::standard::Registry;
use binhyen_core::text::{format_decimal, format_int};
use binhyen_store::{DatabaseUrl, Store, facts};
use clap::Args;

use super::bench::{ms, on_both_backends};
use super::generate::{GenerateArgs, generate};
use crate::config::GlobalOpts;
use crate::service::facts::{period, sheet};
use crate::service::{Actor, Ctx};

#[derive(Args, Debug)]
pub struct FactsBench {
    /// The province of the workbook (code; 38 = Thanh Hóa, 559 communes before the reform).
    #[arg(long, default_value = "38")]
    pub province: String,
    /// The year imported.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Values in the national CSV.
    #[arg(long, default_value_t = 1_000_000)]
    pub values: usize,
}

/// The two files to import.
struct Files {
    workbook: Vec<u8>,
    csv: Vec<u8>,
    csv_values: usize,
    communes: usize,
    areas: usize,
}

pub async fn run(g: &GlobalOpts, b: FactsBench) -> anyhow::Result<()> {
    let reg = Registry::builtin();
    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let files = make_files(
        &DatabaseUrl::sqlite_file(&dir.path().join("source.sqlite")),
        &b,
        reg,
    )
    .await?;
    let rows = vec![(
        format!(
            "files: workbook of province {} ({} communes, {} residential areas, {} KB); national CSV of {} values ({} KB)",
            b.province,
            format_int(files.communes as i64),
            format_int(files.areas as i64),
            format_int((files.workbook.len() / 1024) as i64),
            format_int(files.csv_values as i64),
            format_int((files.csv.len() / 1024) as i64),
        ),
        format!("made in {} ms", ms(t.elapsed())),
    )];
    on_both_backends(
        g,
        "facts",
        async |label, url, rows| one_backend(label, url, &b, reg, &files, rows).await,
        rows,
    )
    .await
}

/// Generates the year on a scratch database and writes the workbook and the CSV from it.
async fn make_files(url: &DatabaseUrl, b: &FactsBench, reg: &Registry) -> anyhow::Result<Files> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let args = GenerateArgs {
        seed: 1,
        years: b.year..=b.year,
        provinces: vec![],
        orderly: false,
        short: vec![],
    };
    generate(&store, &args, "en", &|_, _, _| {}).await?;
    let units = crate::directory::installed(&store).await?;
    let atlas = units.get();
    let province = atlas
        .units_with_code(&b.province)
        .into_iter()
        .find(|u| atlas.version_at(*u, period(b.year)).is_some())
        .ok_or_else(|| anyhow::anyhow!("no province {} in {}", b.province, b.year))?;
    let ctx = Ctx {
        store: &store,
        units: &units,
        now: chrono::Utc::now(),
    };
    let workbook = sheet::template(&ctx, reg, &atlas, Scope::Unit(province), b.year)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message("en")))?;
    let in_province = sheet::units_of_scope(&atlas, Scope::Unit(province), b.year);
    let count = |k| in_province.iter().filter(|u| u.3 == k).count();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["Mã đơn vị", "Trường", "Giá trị"])?;
    let mut n = 0;
    'rows: for r in facts::forms_in_years(&store, b.year..=b.year).await? {
        if atlas.within(province, r.unit_id) {
            continue;
        }
        let Some(v) = atlas.version_at(r.unit_id, period(b.year)) else {
            continue;
        };
        let values = serde_json::from_str(&r.data).unwrap_or_default();
        for (key, value) in sheet::csv_values(reg.catalogue(), &values) {
            if n == b.values {
                break 'rows;
            }
            csv.write_record([v.code.as_str(), &key, &value])?;
            n += 1;
        }
    }
    store.close().await?;
    Ok(Files {
        workbook,
        csv: csv.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
        csv_values: n,
        communes: count(binhyen_core::units::UnitKind::Commune),
        areas: count(binhyen_core::units::UnitKind::ResidentialArea),
    })
}

fn per_second(values: usize, d: Duration) -> String {
    format_int((values as f64 / d.as_secs_f64().max(1e-9)).round() as i64)
}

async fn one_backend(
    label: &str,
    url: &DatabaseUrl,
    b: &FactsBench,
    reg: &Registry,
    files: &Files,
    rows: &mut Vec<(String, String)>,
) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    // The same map and residential areas; the facts of the year before only.
    let args = GenerateArgs {
        seed: 1,
        years: b.year - 1..=b.year - 1,
        provinces: vec![],
        orderly: false,
        short: vec![],
    };
    generate(&store, &args, "en", &|_, _, _| {}).await?;
    let units = crate::directory::installed(&store).await?;
    let atlas = units.get();
    let ctx = Ctx {
        store: &store,
        units: &units,
        now: chrono::Utc::now(),
    };
    let actor = Actor::console();
    for (what, name, bytes) in [
        ("province workbook", "tinh.xlsx", &files.workbook),
        ("national CSV", "toan-quoc.csv", &files.csv),
    ] {
        let t = Instant::now();
        let file = sheet::File {
            name,
            bytes,
            max_bytes: sheet::CLI_MAX_BYTES,
        };
        let plan = sheet::plan(&ctx, reg, &actor, &atlas, &file, b.year, &|_, _| {})
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.english()))?;
        let planned = t.elapsed();
        let t = Instant::now();
        let changed = sheet::commit(&ctx, &actor, &plan, None, &|_, _| {})
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message("en")))?;
        let written = t.elapsed();
        rows.push((
            format!(
                "{label}: {what} — plan (read, check, compare) {} values",
                format_int(plan.values_read as i64)
            ),
            format!(
                "{} s — {} values/s",
                format_decimal(planned.as_secs_f64(), 2),
                per_second(plan.values_read, planned)
            ),
        ));
        rows.push((
            format!(
                "{label}: {what} — commit {} changes in {} forms (one transaction)",
                format_int(changed as i64),
                format_int(plan.forms.len() as i64)
            ),
            format!(
                "{} s — {} values/s",
                format_decimal(written.as_secs_f64(), 2),
                per_second(changed, written)
            ),
        ));
    }
    store.close().await?;
    Ok(())
}
