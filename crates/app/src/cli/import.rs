//! `binhyen import units [--file FILE.csv|.xlsx]…`: load units into the database, all or
//! nothing, with a progress bar and a summary. Without a file: the official lists compiled into
//! the binary (the country from 01/05/2024 onward).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::GlobalOpts;
use crate::units::{self, ImportFailure, Source, text};
use binhyen_store::units::Stage;

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Subcommand, Debug)]
pub enum ImportWhat {
    /// Nạp đơn vị: danh mục chính thức, hoặc khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục
    /// từ tệp (load units: the official lists, or residential areas and organisations from files).
    Units(ImportUnitsArgs),
    /// Nạp số liệu hằng năm từ tệp mẫu Excel hoặc CSV (load yearly facts from the Excel template
    /// or a CSV file), tất cả hoặc không (all or nothing).
    Facts(super::import_facts::ImportFactsArgs),
    /// Nạp ranh giới xã từ tệp GeoJSON, đối chiếu theo mã đơn vị (load commune boundaries from
    /// a GeoJSON file, matched by unit code), tất cả hoặc không (all or nothing).
    Boundaries(super::import_boundaries::ImportBoundariesArgs),
}

#[derive(Args, Debug)]
pub struct ImportUnitsArgs {
    /// Tệp .csv (UTF-8) hoặc .xlsx theo mẫu `binhyen units template`; có thể lặp lại
    /// (a .csv or .xlsx file in the template's layout; may be repeated).
    #[arg(long = "file")]
    pub files: Vec<PathBuf>,
}

pub async fn run(g: &GlobalOpts, args: ImportArgs) -> anyhow::Result<()> {
    let args = match args.what {
        ImportWhat::Units(a) => a,
        ImportWhat::Facts(a) => return super::import_facts::run(g, a).await,
        ImportWhat::Boundaries(a) => return super::import_boundaries::run(g, a).await,
    };
    let lang = g.lang.code();
    let source = if args.files.is_empty() {
        println!("{}", text(lang, "units.cli.official", &[]));
        Source::Official
    } else {
        let mut files = Vec::new();
        for path in &args.files {
            let (name, bytes) = read_input(path, lang)?;
            files.push((name, bytes));
        }
        Source::Files(files)
    };
    let store = g.open_store().await?;
    import_with_bar(&store, source, lang).await
}

/// Imports units with a progress bar and prints the summary or every problem (also used by
/// `binhyen demo` on its first start).
pub async fn import_with_bar(
    store: &binhyen_store::Store,
    source: Source,
    lang: &str,
) -> anyhow::Result<()> {
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{msg:28} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |stage: Stage, done: u64, total: u64| {
        let key = match stage {
            Stage::Reading => "units.cli.reading",
            Stage::Checking => "units.cli.checking",
            Stage::Writing => "units.cli.writing",
        };
        bar.set_message(text(lang, key, &[]));
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let result = units::import(store, source, None, &progress).await;
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            println!("{}", units::summary_text(lang, &summary));
            Ok(())
        }
        Err(ImportFailure::Refused(problems)) => {
            for p in &problems {
                eprintln!("{}", units::problem_text(lang, p));
            }
            let count: usize = problems
                .iter()
                .map(|p| match p.kind {
                    binhyen_core::units::ProblemKind::More { count } => count,
                    _ => 1,
                })
                .sum();
            Err(anyhow::anyhow!(text(
                lang,
                "units.cli.refused",
                &[("count", count.to_string())]
            )))
        }
        Err(ImportFailure::Db(e)) => Err(e.into()),
    }
}

/// The bytes of an input file and the name its messages use (the file name), or a Vietnamese
/// message naming the path: what every `import` subcommand reads first.
pub(super) fn read_input(path: &std::path::Path, lang: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).map_err(|e| read_failed(path, &e.to_string(), lang))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((name, bytes))
}

/// "Không đọc được tệp …: …" for `path`.
pub(super) fn read_failed(path: &std::path::Path, reason: &str, lang: &str) -> anyhow::Error {
    anyhow::anyhow!(text(
        lang,
        "units.cli.read_failed",
        &[
            ("path", path.display().to_string()),
            ("reason", reason.to_owned())
        ]
    ))
}
