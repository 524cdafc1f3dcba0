//! `binhyen demo`: the product on the embedded database, ready to click through. On first
//! start it loads the official map of Viet Nam (01/05/2024 onward), creates one demo account
//! per role, and tells the Trà Vinh story (`crate::demo`: facts, schematic boundaries,
//! dossiers and decisions 2022–2025); then it serves. Running it again reuses what is there.

use std::time::Instant;

use clap::Args;
use rust_i18n::t;

use crate::config::GlobalOpts;
use crate::demo::{self, ACCOUNTS, DEMO_PASSWORD};
use crate::web;

use super::serve::{ServeArgs, prepare, serve_state};

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
}

pub async fn run(g: &GlobalOpts, args: DemoArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let started = Instant::now();
    let mut state = prepare(g, &args.serve).await?;
    state.demo = true;
    if state.atlas.get().is_empty() {
        println!("{}", t!("cli.demo.loading_units", locale = lang));
        super::import::import_with_bar(&state.store, crate::units::Source::Official, lang).await?;
        web::units::load_atlas(&state).await?;
    }
    demo::ensure_accounts(&state, lang).await?;
    let progress = |part: &str| println!("{}", t!(format!("demo.part.{part}"), locale = lang));
    let told = demo::tell(&state, &progress).await?;
    if told != demo::Told::default() {
        println!(
            "{}",
            t!(
                "demo.told",
                locale = lang,
                forms = told.forms,
                boundaries = told.boundaries,
                dossiers = told.dossiers,
                decisions = told.decisions,
                seconds = format!("{:.1}", started.elapsed().as_secs_f64())
            )
        );
    }
    println!("{}", t!("cli.demo.accounts", locale = lang));
    for a in ACCOUNTS {
        println!("  {:<18} {DEMO_PASSWORD:<14} {}", a.login, a.name);
    }
    serve_state(state, args.serve).await
}
