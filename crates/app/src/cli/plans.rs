//! `binhyen plans import FILE… | --builtin`, `plans list`, `plans show ID [--year YYYY]`: plans
//! with targets as data (`plans/*.toml`), and each target's progress computed from the
//! database (`service::plans`). Imports run as the server console (audited).

use std::path::PathBuf;

use binhyen_core::text::format_date;
use clap::{Args, Subcommand};
use rust_i18n::t;

use super::standards::{StandardsArgs, read_file, table};
use crate::clock::Clock;
use crate::config::GlobalOpts;
use crate::service::plans::{self, PlanError, status_label};
use crate::service::{Actor, Ctx};

#[derive(Args, Debug)]
pub struct PlansCmd {
    #[command(flatten)]
    pub source: StandardsArgs,
    #[command(subcommand)]
    pub action: PlansAction,
}

#[derive(Subcommand, Debug)]
pub enum PlansAction {
    /// Nạp tệp kế hoạch TOML (import plan files), hoặc các kế hoạch có sẵn (--builtin).
    Import {
        files: Vec<PathBuf>,
        /// QĐ 926/QĐ-TTg, KH 85/KH-UBND Trà Vinh, KH 272/KH-UBND Yên Bái.
        #[arg(long)]
        builtin: bool,
    },
    /// Danh sách kế hoạch (list plans).
    List,
    /// Tiến độ các chỉ tiêu của một kế hoạch (a plan's targets and their progress).
    Show {
        id: i64,
        #[arg(long)]
        year: Option<i32>,
    },
}

pub async fn run(g: &GlobalOpts, cmd: PlansCmd) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let reg = cmd.source.registry(lang, &[])?;
    let store = g.open_store().await?;
    let atlas = crate::directory::installed(&store).await?;
    let ctx = Ctx {
        store: &store,
        units: &atlas,
        now: Clock::system().now(),
    };
    let actor = Actor::console();
    let refused = |path: &str, e: PlanError| {
        let count = match &e {
            PlanError::Invalid(d) => d.len(),
            PlanError::Service(_) => 1,
        };
        anyhow::anyhow!(
            "{}\n{}",
            t!(
                "plan.cli.refused",
                locale = lang,
                path = path,
                count = count
            ),
            e.message(lang)
        )
    };
    match cmd.action {
        PlansAction::Import { files, builtin } => {
            let mut imported = Vec::new();
            if builtin {
                imported = plans::import_builtin(&ctx, &actor, &atlas.get(), &reg)
                    .await
                    .map_err(|e| refused("plans/", e))?;
            }
            for f in &files {
                let f = read_file(f)?;
                imported.push(
                    plans::import(&ctx, &actor, &atlas.get(), &reg, &f)
                        .await
                        .map_err(|e| refused(&f.path, e))?,
                );
            }
            for p in &imported {
                println!(
                    "{}",
                    t!(
                        "plan.cli.imported",
                        locale = lang,
                        number = p.plan.number,
                        issuer = p.plan.issuer,
                        targets = p.plan.targets.len(),
                        id = p.row.id
                    )
                );
            }
        }
        PlansAction::List => {
            let list = plans::list(&ctx, &actor)
                .await
                .map_err(|e| anyhow::anyhow!(e.message(lang)))?;
            if list.is_empty() {
                println!("{}", t!("plan.cli.none", locale = lang));
                return Ok(());
            }
            let head = ["id", "number", "date", "issuer", "targets"]
                .map(|k| t!(format!("plan.col.{k}"), locale = lang).into_owned());
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| {
                    vec![
                        p.row.id.to_string(),
                        p.plan.number.clone(),
                        format_date(p.plan.date),
                        p.plan.issuer.clone(),
                        p.plan.targets.len().to_string(),
                    ]
                })
                .collect();
            print!("{}", table(&head, &rows));
        }
        PlansAction::Show { id, year } => {
            let atlas_now = atlas.get();
            let p = plans::progress(&ctx, &actor, &atlas_now, &reg, id, year)
                .await
                .map_err(|e| match e {
                    crate::service::ServiceError::NotFound => {
                        anyhow::anyhow!(t!("plan.cli.unknown", locale = lang, id = id))
                    }
                    e => anyhow::anyhow!(e.message(lang)),
                })?;
            println!(
                "{} — {} ({})\n{}\n",
                p.plan.plan.number,
                p.plan.plan.issuer,
                format_date(p.plan.plan.date),
                p.plan.plan.title
            );
            let head = [
                "year",
                "target",
                "goal",
                "actual",
                "forecast",
                "status",
                "counted_on",
            ]
            .map(|k| t!(format!("plan.col.{k}"), locale = lang).into_owned());
            let rows: Vec<Vec<String>> = p
                .targets
                .iter()
                .map(|tp| {
                    vec![
                        tp.target.year.to_string(),
                        tp.target.id.clone(),
                        tp.goal_text(lang),
                        tp.actual_text(lang),
                        tp.forecast_text(),
                        status_label(tp.status, lang),
                        format_date(tp.frame),
                    ]
                })
                .collect();
            print!("{}", table(&head, &rows));
            for tp in p.targets.iter().filter(|tp| tp.carried > 0) {
                println!(
                    "{}: {}",
                    tp.target.id,
                    t!(
                        "plan.carried",
                        locale = lang,
                        count = tp.carried,
                        date = format_date(tp.frame)
                    )
                );
            }
        }
    }
    Ok(())
}
