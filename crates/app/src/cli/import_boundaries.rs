//! `binhyen import boundaries FILE --code-property NAME [--date dd/mm/yyyy] [--dry-run]`:
//! commune boundaries from a GeoJSON FeatureCollection, matched by official code to the
//! communes of the date; the dry run reports matched and unmatched units both ways and writes
//! nothing; the import is all or nothing (`service::boundaries`).

use std::path::PathBuf;

use binhyen_core::text::format_date;
use clap::Args;

use crate::clock::Clock;
use crate::config::GlobalOpts;
use crate::service::boundaries::{self, BoundaryError};
use crate::service::{Actor, Ctx};
use crate::units::text;

#[derive(Args, Debug)]
pub struct ImportBoundariesArgs {
    /// Tệp GeoJSON (FeatureCollection) ranh giới các xã (a GeoJSON FeatureCollection).
    pub file: PathBuf,
    /// Tên thuộc tính chứa mã đơn vị chính thức, ví dụ ma_xa (the property holding the code).
    #[arg(long)]
    pub code_property: String,
    /// Ngày của danh sách xã để đối chiếu, dd/mm/yyyy; mặc định hôm nay
    /// (the date of the commune list to match against; default today).
    #[arg(long, value_parser = parse_day)]
    pub date: Option<chrono::NaiveDate>,
    /// Chỉ đối chiếu và báo cáo, không ghi (match and report, write nothing).
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    binhyen_core::text::parse_date(s)
        .ok_or_else(|| format!("«{s}»: cần một ngày dd/mm/yyyy / expected a date dd/mm/yyyy"))
}

pub async fn run(g: &GlobalOpts, args: ImportBoundariesArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let (name, bytes) = super::import::read_input(&args.file, lang)?;
    let content = String::from_utf8(bytes)
        .map_err(|e| super::import::read_failed(&args.file, &e.to_string(), lang))?;
    let parsed = boundaries::parse(&name, &content, &args.code_property)
        .map_err(|e: BoundaryError| anyhow::anyhow!(e.message(lang)))?;
    let store = g.open_store().await?;
    let atlas = crate::directory::installed(&store).await?;
    let clock = Clock::system();
    let ctx = Ctx {
        store: &store,
        units: &atlas,
        now: clock.now(),
    };
    let date = args.date.unwrap_or_else(|| ctx.today());
    let actor = Actor::console();
    let source = if parsed.schematic {
        boundaries::SCHEMATIC_SOURCE.to_owned()
    } else {
        format!("{name}, nhập ngày {}", format_date(ctx.today()))
    };
    let plan = boundaries::plan(&atlas.get(), &name, &parsed, date, &source, &ctx, &actor);
    for line in boundaries::report(lang, &plan) {
        println!("{line}");
    }
    if args.dry_run {
        println!("{}", text(lang, "map.import.dry_run", &[]));
        return Ok(());
    }
    if plan.rows.is_empty() {
        anyhow::bail!("{}", text(lang, "map.import.nothing", &[]));
    }
    let n = boundaries::import(&ctx, &actor, &plan)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(lang)))?;
    println!(
        "{}",
        text(
            lang,
            "map.import.done",
            &[("count", n.to_string()), ("source", source)]
        )
    );
    Ok(())
}
