//! `binhyen import facts FILE --year Y [--dry-run] [--reason R]`: a filled facts template
//! (.xlsx) or a long CSV (`Mã đơn vị`, `Trường`, `Giá trị`) into the database, all or nothing,
//! with a progress bar; the same plan and commit as the web import, acting as the console.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::clock::Clock;
use crate::config::GlobalOpts;
use crate::service::facts::sheet;
use crate::service::{Actor, Ctx};
use crate::units::text;

#[derive(Args, Debug)]
pub struct ImportFactsArgs {
    /// Tệp .xlsx theo mẫu số liệu, hoặc .csv (Mã đơn vị, Trường, Giá trị)
    /// (a filled facts template, or a long CSV file).
    pub file: PathBuf,
    /// Năm của số liệu (the year of the facts).
    #[arg(long)]
    pub year: i32,
    /// Chỉ kiểm tra và liệt kê thay đổi, không ghi (check and list the changes, write nothing).
    #[arg(long)]
    pub dry_run: bool,
    /// Lý do sửa, bắt buộc khi tệp sửa biểu mẫu đã nộp (reason, required when submitted forms change).
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub standards: crate::cli::standards::StandardsArgs,
}

pub async fn run(g: &GlobalOpts, args: ImportFactsArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let (name, bytes) = super::import::read_input(&args.file, lang)?;
    let reg = args.standards.registry(lang, &[])?;
    let store = g.open_store().await?;
    let atlas = crate::directory::installed(&store).await?;
    let ctx = Ctx {
        store: &store,
        units: &atlas,
        now: Clock::system().now(),
    };
    let actor = Actor::console();
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |msg: &'static str| {
        let bar = bar.clone();
        move |done: u64, total: u64| {
            bar.set_message(text(lang, msg, &[]));
            bar.set_length(total.max(1));
            bar.set_position(done);
        }
    };
    let started = Instant::now();
    let file = sheet::File {
        name: &name,
        bytes: &bytes,
        max_bytes: sheet::CLI_MAX_BYTES,
    };
    let plan = sheet::plan(
        &ctx,
        &reg,
        &actor,
        &atlas.get(),
        &file,
        args.year,
        &progress("facts.cli.checking"),
    )
    .await;
    let plan = match plan {
        Ok(p) => p,
        Err(e) => {
            bar.finish_and_clear();
            let lines = if lang == "en" {
                e.english()
            } else {
                e.to_string()
            };
            eprintln!("{lines}");
            return Err(anyhow::anyhow!(text(
                lang,
                "facts.cli.refused",
                &[("count", e.problems.len().to_string())]
            )));
        }
    };
    if args.dry_run {
        bar.finish_and_clear();
        for f in &plan.forms {
            for c in &f.changes {
                println!(
                    "{} {} {}.{}: {} → {}",
                    f.code,
                    f.name,
                    f.group.as_str(),
                    c.field,
                    c.old.as_deref().unwrap_or("—"),
                    c.new.as_deref().unwrap_or("—")
                );
            }
        }
        println!(
            "{}",
            text(
                lang,
                "facts.cli.dry_run",
                &[
                    ("changes", plan.change_count().to_string()),
                    ("forms", plan.forms.len().to_string())
                ]
            )
        );
        return Ok(());
    }
    let n = sheet::commit(
        &ctx,
        &actor,
        &plan,
        args.reason.as_deref(),
        &progress("facts.cli.writing"),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message(lang)))?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        text(
            lang,
            "facts.cli.done",
            &[
                ("changes", n.to_string()),
                ("forms", plan.forms.len().to_string()),
                ("values", plan.values_read.to_string()),
                ("seconds", format!("{secs:.2}")),
            ]
        )
    );
    Ok(())
}
