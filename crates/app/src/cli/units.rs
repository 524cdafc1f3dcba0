//! `binhyen units show|tree|search|template`: the map through time on the command line.

use std::path::PathBuf;

use binhyen_core::units::Atlas;
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::config::GlobalOpts;
use crate::units::views::{self, UnitRef};
use crate::units::{date_or_today, template_bytes, text};

#[derive(Args, Debug)]
pub struct UnitsArgs {
    #[command(subcommand)]
    pub command: UnitsCommand,
}

#[derive(Subcommand, Debug)]
pub enum UnitsCommand {
    /// Thông tin và lịch sử một đơn vị (a unit and its history).
    Show {
        /// Mã đơn vị (unit code).
        code: String,
        /// Ngày, dd/mm/yyyy (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Cây đơn vị tại một ngày, không có mã thì các tỉnh (the tree on a date; without a code, the provinces).
    Tree {
        code: Option<String>,
        #[arg(long)]
        date: Option<String>,
        /// Số cấp hiển thị (levels shown).
        #[arg(long, default_value_t = 1)]
        depth: usize,
    },
    /// Tìm theo mã hoặc tên, không phân biệt dấu (search by code or name).
    Search {
        text: String,
        /// Ngày, dd/mm/yyyy; không ghi: mọi thời điểm (default: any date).
        #[arg(long)]
        date: Option<String>,
    },
    /// Ghi tệp mẫu khu dân cư, cơ quan, doanh nghiệp (write the file template).
    Template {
        /// FILE.xlsx or FILE.csv
        #[arg(long)]
        out: PathBuf,
    },
}

fn date_arg(lang: &str, value: Option<&str>) -> anyhow::Result<NaiveDate> {
    date_or_today(value)
        .map_err(|v| anyhow::anyhow!(text(lang, "units.cli.bad_date", &[("value", v)])))
}

/// The unit carrying `code` on `date`, or the latest unit that ever carried it (with a note).
fn resolve(lang: &str, atlas: &Atlas, code: &str, date: NaiveDate) -> anyhow::Result<i64> {
    if let Some(id) = atlas.find_code(code, date) {
        return Ok(id);
    }
    match atlas.units_with_code(code).first() {
        Some(&id) => {
            eprintln!(
                "{}",
                text(
                    lang,
                    "units.not_found_on",
                    &[
                        ("code", code.to_owned()),
                        ("date", binhyen_core::text::format_date(date))
                    ]
                )
            );
            Ok(id)
        }
        None => Err(anyhow::anyhow!(text(
            lang,
            "units.not_found",
            &[("code", code.to_owned())]
        ))),
    }
}

fn unit_ref(u: &UnitRef) -> String {
    format!("{} {}", u.code, u.name)
}

pub async fn run(g: &GlobalOpts, args: UnitsArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    if let UnitsCommand::Template { out } = &args.command {
        let name = out.display().to_string();
        let bytes = template_bytes(lang, &name).map_err(|e| anyhow::anyhow!(e))?;
        std::fs::write(out, bytes)?;
        println!(
            "{}",
            text(lang, "units.template.written", &[("path", name)])
        );
        return Ok(());
    }
    let store = g.open_store().await?;
    let atlas = store.load_atlas().await.map_err(|e| match e {
        binhyen_store::units::ImportError::Invalid(p) => {
            anyhow::anyhow!(text(
                lang,
                "units.cli.stored_invalid",
                &[("count", p.len().to_string())]
            ))
        }
        binhyen_store::units::ImportError::Db(e) => e.into(),
    })?;
    if atlas.is_empty() {
        println!("{}", text(lang, "units.empty", &[]));
        return Ok(());
    }
    match args.command {
        UnitsCommand::Show { code, date } => {
            let date = date_arg(lang, date.as_deref())?;
            let id = resolve(lang, &atlas, &code, date)?;
            if let Some(page) = views::unit_page(lang, &atlas, id, date) {
                print!("{}", show_text(lang, &page));
            }
        }
        UnitsCommand::Tree { code, date, depth } => {
            let date = date_arg(lang, date.as_deref())?;
            println!(
                "{}",
                text(
                    lang,
                    "units.tree",
                    &[("date", binhyen_core::text::format_date(date))]
                )
            );
            let (root, open) = match code {
                Some(c) => {
                    let id = resolve(lang, &atlas, &c, date)?;
                    (Some(id), views::open_to_depth(&atlas, id, date, depth))
                }
                None => {
                    let mut open = std::collections::BTreeSet::new();
                    for r in atlas.roots(date) {
                        open.extend(views::open_to_depth(
                            &atlas,
                            r,
                            date,
                            depth.saturating_sub(1),
                        ));
                    }
                    (None, open)
                }
            };
            for line in views::tree_lines(&atlas, root, date, &open, usize::MAX) {
                println!(
                    "{}{} ({})",
                    "  ".repeat(line.depth),
                    unit_ref(&line.unit),
                    line.unit_type
                );
            }
        }
        UnitsCommand::Search { text: query, date } => {
            let date = match date {
                Some(d) => Some(date_arg(lang, Some(&d))?),
                None => None,
            };
            let (rows, total) = views::search_rows(lang, &atlas, &query, date, 100);
            if rows.is_empty() {
                println!("{}", text(lang, "units.no_results", &[]));
            }
            for r in &rows {
                let province = r
                    .province
                    .as_deref()
                    .map(|p| format!(" — {p}"))
                    .unwrap_or_default();
                println!("{}{province} [{}]", unit_ref(&r.unit), r.validity);
            }
            if total > rows.len() {
                println!(
                    "{}",
                    text(
                        lang,
                        "units.more_results",
                        &[
                            ("shown", rows.len().to_string()),
                            ("count", total.to_string())
                        ]
                    )
                );
            }
        }
        UnitsCommand::Template { .. } => {}
    }
    Ok(())
}

/// The unit page as text.
fn show_text(lang: &str, p: &views::UnitPage) -> String {
    use std::fmt::Write;
    let t = |k: &str| text(lang, k, &[]);
    let mut s = String::new();
    let _ = writeln!(s, "{} {} — {} ({})", p.code, p.name, p.kind, p.unit_type);
    if let Some(n) = &p.not_valid_note {
        let _ = writeln!(s, "{n}");
    }
    let _ = writeln!(s, "{}: {}", t("units.validity"), p.lifetime);
    if let Some(k) = &p.known_since {
        let _ = writeln!(s, "{k}");
    }
    if !p.path.is_empty() {
        let path: Vec<String> = p.path.iter().map(unit_ref).collect();
        let _ = writeln!(s, "{}: {}", t("units.path"), path.join(" › "));
    }
    if !p.census.is_empty() {
        let _ = writeln!(s, "{}: {}", t("units.census"), p.census.join(", "));
    }
    let _ = writeln!(s, "\n{}:", t("units.versions"));
    for v in &p.versions {
        let parent = v
            .parent
            .as_ref()
            .map(|u| format!(" ← {}", unit_ref(u)))
            .unwrap_or_default();
        let mark = if v.current { "*" } else { " " };
        let _ = writeln!(
            s,
            " {mark} {} {} ({}){parent} — {}",
            v.code, v.name, v.unit_type, v.validity
        );
    }
    for (title, rows) in [
        ("units.predecessors", &p.predecessors),
        ("units.successors", &p.successors),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{}:", t(title));
        for r in rows {
            let _ = writeln!(
                s,
                "   {} {} — {} ({}) — {}",
                r.date,
                r.event,
                unit_ref(&r.unit),
                r.detail,
                r.basis
            );
            if let Some(n) = &r.note {
                let _ = writeln!(s, "       {}: {n}", t("units.note"));
            }
        }
    }
    if !p.changes.is_empty() {
        let _ = writeln!(s, "\n{}:", t("units.history"));
        for c in &p.changes {
            let _ = writeln!(s, "   {} {} — {}", c.date, c.event, c.basis);
        }
    }
    if let Some(e) = &p.ended_note {
        let _ = writeln!(s, "\n{e}");
    }
    if !p.holders.is_empty() {
        let _ = writeln!(s, "\n{}:", p.holders_title);
        for h in &p.holders {
            let province = h
                .province
                .as_deref()
                .map(|x| format!(" — {x}"))
                .unwrap_or_default();
            let _ = writeln!(s, "   {} ({}){province}", unit_ref(&h.unit), h.detail);
        }
    }
    s
}
