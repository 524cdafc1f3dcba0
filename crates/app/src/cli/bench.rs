//! `binhyen bench units`: timings of the national unit import and of the map queries, on a
//! fresh SQLite file and, when `--database-url postgres://…` or `TEST_PG_URL` is given, on a
//! fresh PostgreSQL database created for the run (and dropped after). Prints a Markdown table
//! (milliseconds; queries as p50 / p99 over `--runs` runs).

use std::time::{Duration, Instant};

use binhyen_core::text::format_decimal;
use binhyen_core::units::Atlas;
use binhyen_core::units::official::{self, REFORM};
use binhyen_store::{Backend, DatabaseUrl, Store};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::config::GlobalOpts;
use crate::units::{self, Source};

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchWhat,
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Nhập toàn quốc và truy vấn bản đồ (national import and map queries).
    Units {
        /// Runs of each query.
        #[arg(long, default_value_t = 1000)]
        runs: usize,
    },
    /// Đánh giá từ cơ sở dữ liệu trên bộ dữ liệu giả lập (evaluation from the database on
    /// the generated dataset; see `evaluate_bench`).
    Evaluate(super::evaluate_bench::EvaluateBench),
    /// Nhập số liệu: tệp Excel một tỉnh và CSV toàn quốc (facts import: one province's
    /// workbook and a national CSV; see `facts_bench`).
    Facts(super::facts_bench::FactsBench),
    /// Máy chủ web: bảng điều khiển, bản đồ, danh sách phân loại với nhiều người dùng đồng thời,
    /// và danh sách phân loại PDF (the web server under concurrent clients, and the PDF list).
    Serve(super::serve_bench::ServeBench),
}

pub fn ms(d: Duration) -> String {
    format_decimal(d.as_secs_f64() * 1000.0, 3)
}

/// p50 and p99 of `runs` calls of `f`.
pub fn percentiles(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        size = std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), size)
}

struct Row(String, String);

/// The PostgreSQL server to benchmark on: `--database-url postgres://…` or `TEST_PG_URL`.
pub fn postgres_server(g: &GlobalOpts) -> anyhow::Result<Option<DatabaseUrl>> {
    Ok(match &g.database_url {
        Some(u) => Some(DatabaseUrl::parse(u)?).filter(|u| u.backend() == Backend::Postgres),
        None => std::env::var("TEST_PG_URL")
            .ok()
            .map(|u| DatabaseUrl::parse(&u))
            .transpose()?,
    })
}

/// Runs `each` on a fresh SQLite file, then on a fresh PostgreSQL database named
/// `binhyen_bench_<name>_<pid>` when a server is given (dropped after, even when `each` fails),
/// with the backend's label; then prints the rows it collected as a Markdown table.
pub async fn on_both_backends(
    g: &GlobalOpts,
    name: &str,
    mut each: impl AsyncFnMut(&str, &DatabaseUrl, &mut Vec<(String, String)>) -> anyhow::Result<()>,
    mut rows: Vec<(String, String)>,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let sqlite = DatabaseUrl::sqlite_file(&dir.path().join("bench.sqlite"));
    each("SQLite", &sqlite, &mut rows).await?;
    if let Some(server) = postgres_server(g)? {
        let name = format!("binhyen_bench_{name}_{}", std::process::id());
        let url = Store::create_postgres_database(&server, &name).await?;
        let result = each("PostgreSQL", &url, &mut rows).await;
        Store::drop_postgres_database(&server, &name).await?;
        result?;
    }
    println!("| measure | value |\n|---|---:|");
    for (what, value) in rows {
        println!("| {what} | {value} |");
    }
    Ok(())
}

async fn one_backend(label: &str, url: &DatabaseUrl, rows: &mut Vec<Row>) -> anyhow::Result<Atlas> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let quiet = |_, _, _| {};
    let t = Instant::now();
    let first = units::import(&store, Source::Official, None, &quiet).await;
    let full = t.elapsed();
    let summary = first.map_err(|_| anyhow::anyhow!("official import failed"))?;
    rows.push(Row(
        format!(
            "{label}: full import of the country ({} units, {} events)",
            summary.total_units, summary.total_events
        ),
        ms(full),
    ));
    let t = Instant::now();
    let again = units::import(&store, Source::Official, None, &quiet)
        .await
        .map_err(|_| anyhow::anyhow!("re-import failed"))?;
    rows.push(Row(
        format!(
            "{label}: re-import, nothing to change ({})",
            again.is_unchanged()
        ),
        ms(t.elapsed()),
    ));
    let mut loads = Vec::new();
    let mut atlas = None;
    for _ in 0..5 {
        let t = Instant::now();
        atlas = Some(
            store
                .load_atlas()
                .await
                .map_err(|_| anyhow::anyhow!("load failed"))?,
        );
        loads.push(t.elapsed());
    }
    loads.sort();
    rows.push(Row(
        format!("{label}: load the atlas from the database (median of 5)"),
        ms(loads[2]),
    ));
    store.close().await?;
    atlas.ok_or_else(|| anyhow::anyhow!("no atlas"))
}

pub async fn run(g: &GlobalOpts, args: BenchArgs) -> anyhow::Result<()> {
    let runs = match args.what {
        BenchWhat::Units { runs } => runs,
        BenchWhat::Evaluate(b) => return super::evaluate_bench::run(g, b).await,
        BenchWhat::Facts(b) => return super::facts_bench::run(g, b).await,
        BenchWhat::Serve(b) => return super::serve_bench::run(g, b).await,
    };
    let mut rows = Vec::new();

    let t = Instant::now();
    let dataset = official::build_embedded()
        .map_err(|p| anyhow::anyhow!("{} problems in the official data", p.len()))?;
    rows.push(Row(
        "build the official history in memory (parse 5 files, replay, reform)".into(),
        ms(t.elapsed()),
    ));
    let t = Instant::now();
    let (history, _) = binhyen_core::units::merge(&Default::default(), dataset);
    let _checked = Atlas::build(history).map_err(|p| anyhow::anyhow!("{} problems", p.len()))?;
    rows.push(Row(
        "merge + validate + index (Atlas::build), in memory".into(),
        ms(t.elapsed()),
    ));

    let dir = tempfile::tempdir()?;
    let sqlite = DatabaseUrl::sqlite_file(&dir.path().join("bench.sqlite"));
    let atlas = one_backend("SQLite", &sqlite, &mut rows).await?;

    if let Some(server) = postgres_server(g)? {
        let name = format!("binhyen_bench_{}", std::process::id());
        let url = Store::create_postgres_database(&server, &name).await?;
        let result = one_backend("PostgreSQL", &url, &mut rows).await;
        Store::drop_postgres_database(&server, &name).await?;
        result?;
    }

    queries(&atlas, runs, &mut rows);
    println!("| measure | ms |\n|---|---:|");
    for Row(what, value) in rows {
        println!("| {what} | {value} |");
    }
    Ok(())
}

fn queries(a: &Atlas, runs: usize, rows: &mut Vec<Row>) {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(REFORM);
    let mut push = |what: &str, (p50, p99, size): (Duration, Duration, usize)| {
        rows.push(Row(
            format!("{what} → {size} (p50 / p99 of {runs})"),
            format!("{} / {}", ms(p50), ms(p99)),
        ));
    };
    if let Some(vl) = a.find_code("86", REFORM) {
        push(
            "tree of Tỉnh Vĩnh Long on 01/07/2025, all levels",
            percentiles(runs, || {
                let t = a.tree(Some(vl), REFORM, 4);
                t.len() + t.iter().map(|n| n.count(&|_| true)).sum::<usize>()
            }),
        );
    }
    // A commune merged on 01/09/2024 (Phường Hưng Lộc, Nam Định) and again on 01/07/2025.
    let merged = a
        .find_code("13708", d(2024, 10, 1))
        .and_then(|u| a.holders(u, REFORM).first().map(|l| l.unit));
    if let Some(c) = merged {
        push(
            "all predecessors on 01/01/2019 of a merged commune (earliest known)",
            percentiles(runs, || a.predecessors(c, d(2019, 1, 1)).len()),
        );
    }
    push(
        "search «long duc», any date",
        percentiles(runs, || a.search("long duc", None).len()),
    );
    if let (Some(vl), Some(tv)) = (a.find_code("86", REFORM), a.find_code("84", d(2025, 6, 1))) {
        let commune = a.children(a.children(tv, d(2025, 6, 1))[0], d(2025, 6, 1))[0];
        push(
            "within(Vĩnh Long 2025, a former Trà Vinh commune)",
            percentiles(runs, || usize::from(a.within(vl, commune))),
        );
    }
    push(
        "provinces on 01/06/2025 (roots)",
        percentiles(runs, || a.roots(d(2025, 6, 1)).len()),
    );
}
