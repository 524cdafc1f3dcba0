//! `binhyen bench evaluate [--year Y] [--provinces CODES] [--runs N]`: verdicts from the
//! database on the generated dataset, on a fresh SQLite file and (with `--database-url
//! postgres://…` or `TEST_PG_URL`) a fresh PostgreSQL database:
//! (a) the whole process for one year — load the atlas, the registry and every fact, evaluate
//! every applicable built-in standard for every unit; (b) re-evaluating one commune after one
//! fact changes (`save_form` + `evaluate_unit`), p50 / p99. Prints a Markdown table.

use std::time::Instant;

use binhyen_core::standard::Registry;
use binhyen_core::units::UnitKind;
use binhyen_store::facts::{self, FormWrite};
use binhyen_store::{DatabaseUrl, Store};
use clap::Args;

use super::bench::{ms, on_both_backends};
use super::generate::{GenerateArgs, generate};
use crate::config::GlobalOpts;
use crate::service::evaluation::{evaluate_scope, evaluate_unit, map_date};

#[derive(Args, Debug)]
pub struct EvaluateBench {
    /// The year evaluated.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Only these provinces (codes); default the whole country.
    #[arg(long, value_delimiter = ',')]
    pub provinces: Vec<String>,
    /// Runs of the one-commune re-evaluation.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
}

pub async fn run(g: &GlobalOpts, b: EvaluateBench) -> anyhow::Result<()> {
    on_both_backends(
        g,
        "eval",
        async |label, url, rows| one_backend(label, url, &b, rows).await,
        vec![],
    )
    .await
}

async fn one_backend(
    label: &str,
    url: &DatabaseUrl,
    b: &EvaluateBench,
    rows: &mut Vec<(String, String)>,
) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let t = Instant::now();
    let args = GenerateArgs {
        seed: 1,
        years: 2021..=2025,
        provinces: b.provinces.clone(),
        orderly: false,
        short: vec![],
    };
    let s = generate(&store, &args, "en", &|_, _, _| {}).await?;
    rows.push((
        format!(
            "{label}: generate (map if empty, {} residential areas, {} forms)",
            s.new_areas, s.forms
        ),
        format!("{} ms", ms(t.elapsed())),
    ));

    // (a) the whole process for one year
    let t = Instant::now();
    let atlas = store
        .load_atlas()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t_atlas = t.elapsed();
    let reg = Registry::with_builtin(&[]).map_err(|e| anyhow::anyhow!("{} problems", e.len()))?;
    let t_reg = t.elapsed();
    let all = evaluate_scope(&store, &atlas, &reg, None, b.year, None, false)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message("en")))?;
    let total = t.elapsed();
    let units: std::collections::HashSet<_> = all.iter().map(|e| e.unit.id).collect();
    rows.push((
        format!(
            "{label}: (a) whole process for {} — {} evaluations of {} units",
            b.year,
            all.len(),
            units.len()
        ),
        format!(
            "{} ms (atlas {} + registry {} + facts and evaluation {})",
            ms(total),
            ms(t_atlas),
            ms(t_reg - t_atlas),
            ms(total - t_reg)
        ),
    ));

    // (b) one fact changes, the commune is judged again
    let d = map_date(&atlas, None, b.year);
    let commune = atlas
        .units()
        .iter()
        .find(|u| {
            u.kind == UnitKind::Commune
                && u.lifetime().contains(d)
                && !atlas.children(u.id, d).is_empty()
        })
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("no commune"))?;
    let mut times = Vec::with_capacity(b.runs);
    for i in 0..b.runs.max(1) {
        let t = Instant::now();
        let current = facts::form(&store, commune, b.year, "crime_social_evils")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no crime form"))?;
        let mut data: serde_json::Value = serde_json::from_str(&current.data)?;
        data["other_violations"] = serde_json::json!(i % 7);
        let text = data.to_string();
        let tx = store.begin().await?;
        facts::save_form(
            &tx,
            &FormWrite {
                unit_id: commune,
                year: b.year,
                form: "crime_social_evils",
                data: &text,
                status: "draft",
                expected_version: current.version,
                actor_id: None,
                actor_name: "bench",
                at: chrono::Utc::now(),
                reason: None,
                source: "bench",
                changes: &[],
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await?;
        let e = evaluate_unit(&store, &atlas, &reg, commune, b.year, None, false)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message("en")))?;
        std::hint::black_box(e);
        times.push(t.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    rows.push((
        format!(
            "{label}: (b) save one form + re-evaluate one commune ({} sub-units), p50 / p99 of {}",
            atlas.children(commune, d).len(),
            times.len()
        ),
        format!("{} / {} ms", ms(at(0.5)), ms(at(0.99))),
    ));
    store.close().await?;
    Ok(())
}
