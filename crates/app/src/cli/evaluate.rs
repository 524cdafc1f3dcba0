//! `binhyen evaluate --case FILE [--standard ID] [--format table|json|explain]`: judges a case
//! file (docs/case-format.md) without a database.
//!
//! `binhyen evaluate --unit CODE --year YYYY …` judges one unit from the stored facts, and
//! `binhyen evaluate --scope CODE|VN --year YYYY …` every unit in a scope
//! (`service::evaluation`). A code is looked up on the year's map.

use std::path::PathBuf;

use anyhow::bail;
use binhyen_core::case;
use binhyen_core::diag::render_all;
use binhyen_core::standard::{Confidence, Evaluation, Registry};
use clap::{Args, ValueEnum};
use rust_i18n::t;

use super::standards::{StandardsArgs, read_file, table};
use crate::config::GlobalOpts;
use crate::directory::COUNTRY_CODE;
use crate::service::evaluation::{self, map_date};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Một bảng: quy tắc, kết quả, căn cứ (a table).
    #[default]
    Table,
    /// JSON đầy đủ với dấu vết (full JSON with the trace).
    Json,
    /// Các câu giải thích (sentences).
    Explain,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["case", "unit", "scope"])))]
pub struct EvaluateArgs {
    /// Tệp hồ sơ JSON (the case file), không cần cơ sở dữ liệu.
    #[arg(long = "case")]
    pub case: Option<PathBuf>,
    /// Mã một đơn vị, đánh giá từ số liệu đã lưu (one unit's code, from the database).
    #[arg(long, requires = "year")]
    pub unit: Option<String>,
    /// Mọi đơn vị trong phạm vi: mã đơn vị hoặc VN (every unit in a scope; VN = the country).
    #[arg(long, requires = "year")]
    pub scope: Option<String>,
    /// Năm đánh giá (the year), với --unit hoặc --scope.
    #[arg(long)]
    pub year: Option<i32>,
    /// Chỉ đánh giá tiêu chuẩn này; mặc định mọi tiêu chuẩn áp dụng (only this standard).
    #[arg(long)]
    pub standard: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub source: StandardsArgs,
}

pub async fn run(g: &GlobalOpts, args: EvaluateArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let reg = args.source.registry(lang, &[])?;
    let Some(path) = &args.case else {
        return from_database(g, &reg, &args).await;
    };
    let file = read_file(path)?;
    let mut c = case::parse(&file, &reg).map_err(|e| {
        anyhow::anyhow!(
            "{}\n{}",
            t!(
                "std.cli.case_refused",
                locale = lang,
                path = file.path.clone(),
                count = e.len()
            ),
            render_all(&e, lang)
        )
    })?;
    if let Some(id) = &args.standard {
        // only the expectations about the standard asked for
        c.expect.retain(|x| x.standard == *id);
    }
    let explain = args.format != Format::Table;
    let evaluations = evaluate(&reg, &c, args.standard.as_deref(), explain, lang)?;
    print!("{}", render(&reg, &evaluations, args.format, lang)?);
    if !c.expect.is_empty() {
        let problems = c.check(&evaluations, lang);
        if !problems.is_empty() {
            bail!(
                "{}\n{}",
                t!(
                    "std.cli.expectations_failed",
                    locale = lang,
                    count = problems.len()
                ),
                problems.join("\n")
            );
        }
        eprintln!(
            "{}",
            t!(
                "std.cli.expectations_ok",
                locale = lang,
                count = c.expect.len()
            )
        );
    }
    Ok(())
}

/// `--unit` / `--scope`: verdicts from the stored facts.
async fn from_database(g: &GlobalOpts, reg: &Registry, args: &EvaluateArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let year = args.year.unwrap_or_default();
    let store = g.open_store().await?;
    let atlas = crate::directory::installed(&store).await?.get();
    let explain = args.format != Format::Table;
    let standard = args.standard.as_deref();
    let find = |code: &str| {
        let d = map_date(&atlas, None, year);
        atlas
            .find_code(code.trim(), d)
            .or_else(|| atlas.units_with_code(code.trim()).first().copied())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    t!(
                        "evaluation.cli.unknown_unit",
                        locale = lang,
                        code = code,
                        year = year
                    )
                )
            })
    };
    let evaluations = match (&args.unit, &args.scope) {
        (Some(code), _) => {
            let unit = find(code)?;
            evaluation::evaluate_unit(&store, &atlas, reg, unit, year, standard, explain).await
        }
        (None, Some(code)) => {
            let scope = if code.trim().eq_ignore_ascii_case(COUNTRY_CODE) {
                None
            } else {
                Some(find(code)?)
            };
            evaluation::evaluate_scope(&store, &atlas, reg, scope, year, standard, explain).await
        }
        (None, None) => bail!("--case, --unit, --scope"),
    }
    .map_err(|e| anyhow::anyhow!("{}", e.message(lang)))?;
    if evaluations.is_empty() {
        bail!(
            "{}",
            t!("evaluation.cli.nothing", locale = lang, year = year)
        );
    }
    print!("{}", render(reg, &evaluations, args.format, lang)?);
    Ok(())
}

/// Evaluations as a table, JSON or explanations.
fn render(
    reg: &Registry,
    evaluations: &[Evaluation],
    format: Format,
    lang: &str,
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(evaluations)? + "\n",
        Format::Explain => evaluations
            .iter()
            .map(|e| e.explain(lang))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Table => evaluations
            .iter()
            .map(|e| render_table(reg, e, lang))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn evaluate(
    reg: &Registry,
    c: &case::Case,
    standard: Option<&str>,
    explain: bool,
    lang: &str,
) -> anyhow::Result<Vec<Evaluation>> {
    match standard {
        Some(id) => match reg.evaluate(&c.unit, c.year, id, explain) {
            Ok(e) => Ok(vec![e]),
            Err(e) => bail!("{}", e.message().render(lang)),
        },
        None => {
            let all = reg.evaluate_all(&c.unit, c.year, explain);
            if all.is_empty() {
                bail!(
                    "{}",
                    t!(
                        "std.cli.nothing_applies",
                        locale = lang,
                        kind = c.unit.unit.kind.as_str(),
                        year = c.year
                    )
                );
            }
            Ok(all)
        }
    }
}

fn render_table(reg: &Registry, e: &Evaluation, lang: &str) -> String {
    let mut s = format!(
        "{} ({}) — {} ({} {}), {}: {}\n",
        e.unit.name,
        e.unit.code,
        e.standard.name.get(lang),
        t!("std.cli.version_word", locale = lang),
        e.standard.version,
        e.year,
        e.verdict_text.get(lang).to_uppercase()
    );
    let header: Vec<String> = ["rule", "verdict", "confidence", "citation", "title"]
        .iter()
        .map(|k| t!(format!("std.cli.col.{k}"), locale = lang).into_owned())
        .collect();
    let version = reg.versions_of(&e.standard.id).into_iter().find(|v| {
        v.version == e.standard.version && v.jurisdiction.as_str() == e.standard.jurisdiction
    });
    let rows: Vec<Vec<String>> = e
        .rules
        .iter()
        .map(|r| {
            let citation = version
                .and_then(|v| v.rules.iter().find(|x| x.id == r.id))
                .map(|x| {
                    let title = reg
                        .source(&x.citation.document)
                        .map_or(x.citation.document.as_str(), |s| s.title.get(lang));
                    x.citation.render(title, lang)
                })
                .unwrap_or_default();
            let conf = match r.confidence {
                Confidence::Provisional => Confidence::Provisional.label(lang),
                Confidence::Confirmed => Confidence::Confirmed.label(lang),
            };
            vec![
                r.id.clone(),
                r.verdict.label(e.standard.purpose, lang),
                conf,
                citation,
                r.title.get(lang).to_owned(),
            ]
        })
        .collect();
    s.push_str(&table(&header, &rows));
    s
}
