//! `binhyen standards list | show ID | check FILE… | catalogue`: the standards as data — list
//! them, read one next to the law, check a file before putting it in production, browse the
//! fact catalogue. `StandardsArgs` (`--standards-dir`) is shared by every command that loads
//! standards.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use binhyen_core::catalogue::FieldType;
use binhyen_core::diag::{SourceFile, render_all};
use binhyen_core::standard::{Confidence, ParamType, ParamValue, Registry, RuleKind, Version};
use binhyen_core::text::format_date;
use binhyen_core::units::UnitKind;
use clap::{Args, Subcommand};
use rust_i18n::t;

use crate::config::GlobalOpts;

/// Where extra standard files come from (a province's rules, a new catalogue year…).
#[derive(Args, Debug, Clone, Default)]
pub struct StandardsArgs {
    /// Thư mục tiêu chuẩn bổ sung, kiểm tra cùng tiêu chuẩn có sẵn (extra standards directory,
    /// validated with the built-ins). Repeat or separate with commas.
    #[arg(
        long = "standards-dir",
        env = "BINHYEN_STANDARDS_DIR",
        value_delimiter = ',',
        global = true
    )]
    pub dirs: Vec<PathBuf>,
}

impl StandardsArgs {
    /// The built-ins plus every `*.toml` under the extra directories, plus `more`.
    pub fn registry(&self, lang: &str, more: &[SourceFile]) -> anyhow::Result<Registry> {
        let mut files = vec![];
        for d in &self.dirs {
            read_dir(d, &mut files)?;
        }
        files.extend_from_slice(more);
        Registry::with_builtin(&files).map_err(|e| {
            anyhow::anyhow!(
                "{}\n{}",
                t!("std.cli.refused", locale = lang, count = e.len()),
                render_all(&e, lang)
            )
        })
    }
}

/// Reads a text file, saying which one failed.
pub fn read_file(path: &Path) -> anyhow::Result<SourceFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| t!("std.cli.cannot_read", path = path.display().to_string()))?;
    Ok(SourceFile::new(path.display().to_string(), text))
}

fn read_dir(dir: &Path, out: &mut Vec<SourceFile>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| t!("std.cli.cannot_read", path = dir.display().to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_dir(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(read_file(&p)?);
        }
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct StandardsCmd {
    #[command(flatten)]
    pub source: StandardsArgs,
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Liệt kê các tiêu chuẩn và phiên bản (list standards and versions).
    List,
    /// Xem một tiêu chuẩn: căn cứ, tham số, quy tắc (show a standard next to the law).
    Show {
        /// Mã tiêu chuẩn (standard id), e.g. antt-xa.
        id: String,
        /// Chỉ phiên bản này (only this version number).
        #[arg(long)]
        version: Option<u32>,
    },
    /// Kiểm tra tệp tiêu chuẩn cùng các tiêu chuẩn có sẵn (check files with the built-ins).
    Check {
        /// Tệp .toml cần kiểm tra (files to check).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Danh mục số liệu cho một loại đơn vị và năm (the fact catalogue for a kind and year).
    Catalogue {
        /// Loại đơn vị (unit kind): residential_area, commune, district, province, organisation.
        #[arg(long)]
        kind: String,
        /// Năm (year).
        #[arg(long)]
        year: i32,
    },
}

pub fn run(g: &GlobalOpts, cmd: StandardsCmd) -> anyhow::Result<()> {
    let lang = g.lang.code();
    match cmd.action {
        Action::List => {
            let reg = cmd.source.registry(lang, &[])?;
            print!("{}", list(&reg, lang));
        }
        Action::Show { id, version } => {
            let reg = cmd.source.registry(lang, &[])?;
            let versions: Vec<&Version> = reg
                .versions_of(&id)
                .into_iter()
                .filter(|v| version.is_none_or(|n| v.version == n))
                .collect();
            if versions.is_empty() {
                bail!("{}", t!("std.cli.no_such_standard", locale = lang, id = id));
            }
            for v in versions {
                print!("{}", show(&reg, v, lang));
            }
        }
        Action::Check { files } => {
            let files = files
                .iter()
                .map(|p| read_file(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let reg = cmd.source.registry(lang, &files)?;
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            let in_files = reg
                .versions()
                .iter()
                .filter(|v| paths.contains(&v.location.path.as_str()))
                .count();
            println!(
                "{}",
                t!(
                    "std.cli.check_ok",
                    locale = lang,
                    files = files.len(),
                    versions = in_files,
                    total = reg.versions().len()
                )
            );
        }
        Action::Catalogue { kind, year } => {
            let reg = cmd.source.registry(lang, &[])?;
            let Some(kind) = UnitKind::parse(&kind) else {
                bail!(
                    "{}",
                    t!(
                        "std.cli.bad_kind",
                        locale = lang,
                        kind = kind,
                        expected = UnitKind::ALL.map(UnitKind::as_str).join(", ")
                    )
                );
            };
            print!("{}", catalogue(&reg, kind, year, lang));
        }
    }
    Ok(())
}

/// Pads to a width in characters (Vietnamese letters are one character each in NFC).
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// A plain text table: header and rows, columns separated by two spaces.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i]))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(header);
    out.push_str(&line(
        &widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn validity(v: &Version) -> String {
    let to = v
        .validity
        .last_day()
        .map(format_date)
        .unwrap_or_else(|| "…".into());
    format!("{} – {to}", format_date(v.validity.from))
}

fn list(reg: &Registry, lang: &str) -> String {
    let header: Vec<String> = [
        "id",
        "version",
        "jurisdiction",
        "validity",
        "applies_to",
        "rules",
        "name",
    ]
    .iter()
    .map(|k| t!(format!("std.cli.col.{k}"), locale = lang).into_owned())
    .collect();
    let rows: Vec<Vec<String>> = reg
        .versions()
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                v.version.to_string(),
                v.jurisdiction.as_str().to_owned(),
                validity(v),
                v.applies_to
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                t!(
                    "std.cli.rules_count",
                    locale = lang,
                    total = v.rules.len(),
                    provisional = v.provisional_rules()
                )
                .into_owned(),
                v.name.get(lang).to_owned(),
            ]
        })
        .collect();
    table(&header, &rows)
}

fn cite(reg: &Registry, c: &binhyen_core::standard::Citation, lang: &str) -> String {
    let title = reg
        .source(&c.document)
        .map_or(c.document.as_str(), |s| s.title.get(lang));
    c.render(title, lang)
}

fn param_value(ty: &ParamType, v: &ParamValue) -> String {
    match (ty, v) {
        (_, ParamValue::Int(i)) => i.to_string(),
        (_, ParamValue::Percent(n, d)) => binhyen_core::text::format_percent(*n as i64, *d as i64),
        (_, ParamValue::Bool(b)) => b.to_string(),
        (ParamType::Choice { choices }, ParamValue::Choice(c)) => choices[*c as usize].key.clone(),
        (_, ParamValue::Choice(c)) => c.to_string(),
    }
}

fn show(reg: &Registry, v: &Version, lang: &str) -> String {
    let tt = |k: &str| t!(k, locale = lang).into_owned();
    let mut s = String::new();
    s.push_str(&format!(
        "{} — {} ({} {})\n",
        v.id,
        v.name.get(lang),
        tt("std.cli.col.version"),
        v.version
    ));
    s.push_str(&format!(
        "  {}: {}\n",
        tt("std.cli.col.jurisdiction"),
        v.jurisdiction.label(lang)
    ));
    if let Some((id, n)) = &v.extends {
        s.push_str(&format!(
            "  {}: {id} ({} {n})\n",
            tt("std.cli.extends"),
            tt("std.cli.col.version")
        ));
    }
    s.push_str(&format!(
        "  {}: {}\n",
        tt("std.cli.col.validity"),
        validity(v)
    ));
    s.push_str(&format!(
        "  {}: {}\n",
        tt("std.cli.col.applies_to"),
        v.applies_to
            .iter()
            .map(|k| if lang == "en" {
                k.label_en()
            } else {
                k.label_vi()
            })
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.push_str(&format!(
        "  {}: {:02}/{:02} – {:02}/{:02}\n",
        tt("std.cli.window"),
        v.window.from.1,
        v.window.from.0,
        v.window.to.1,
        v.window.to.0
    ));
    let basis: Vec<String> = v.legal_basis.iter().map(|c| cite(reg, c, lang)).collect();
    s.push_str(&format!(
        "  {}: {}\n",
        tt("std.cli.basis"),
        basis.join("; ")
    ));
    if let Some(n) = &v.note {
        s.push_str(&format!("  {}\n", n.get(lang)));
    }
    s.push_str(&format!("  {}: {}\n", tt("std.cli.file"), v.location));
    if !v.params.is_empty() {
        s.push_str(&format!("\n  {}:\n", tt("std.cli.params")));
        for p in &v.params {
            let prov = if p.confidence == Confidence::Provisional {
                format!(" [{}]", Confidence::Provisional.label(lang))
            } else {
                String::new()
            };
            s.push_str(&format!("  - {} ({}){prov}\n", p.key, p.label.get(lang)));
            for dv in &p.values {
                let c = dv
                    .citation
                    .as_ref()
                    .map(|c| format!(" — {}", cite(reg, c, lang)))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "      {} {}: {}{c}\n",
                    tt("std.cli.from"),
                    format_date(dv.from),
                    param_value(&p.ty, &dv.value)
                ));
            }
            if let Some(n) = &p.note {
                s.push_str(&format!("      {}\n", n.get(lang)));
            }
        }
    }
    s.push_str(&format!("\n  {}:\n", tt("std.cli.rules")));
    for r in &v.rules {
        let prov = if r.confidence == Confidence::Provisional {
            format!(" [{}]", Confidence::Provisional.label(lang))
        } else {
            String::new()
        };
        s.push_str(&format!("  {}. {}{prov}\n", r.id, r.title.get(lang)));
        s.push_str(&format!(
            "      {}: {}\n",
            tt("std.cli.citation"),
            cite(reg, &r.citation, lang)
        ));
        s.push_str(&format!(
            "      {}: {}{}\n",
            tt("std.cli.confidence"),
            r.confidence.label(lang),
            r.evidence
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
        let body = match r.kind {
            RuleKind::Computed => r.source.clone(),
            RuleKind::Judged | RuleKind::Standard => {
                format!("{}: {}", r.kind.label(lang), r.source)
            }
        };
        for l in &r.locals {
            s.push_str(&format!("      {} = {}\n", l.name, l.source));
        }
        s.push_str(&format!("      ⇒ {body}\n"));
        if let Some(n) = &r.note {
            s.push_str(&format!("      {}: {}\n", tt("std.cli.note"), n.get(lang)));
        }
    }
    s.push('\n');
    s
}

fn catalogue(reg: &Registry, kind: UnitKind, year: i32, lang: &str) -> String {
    let mut s = String::new();
    let mut group = None;
    for (f, v) in reg.catalogue().form(kind, year) {
        if group != Some(v.group) {
            group = Some(v.group);
            s.push_str(&format!("\n{}\n", v.group.label(lang)));
        }
        let ty = t!(f.ty.name_key(), locale = lang).into_owned();
        s.push_str(&format!("  {} — {} ({ty})\n", f.key, v.label.get(lang)));
        if let FieldType::List { record } = &f.ty {
            let fields: Vec<&str> = record.fields.iter().map(|x| x.key.as_str()).collect();
            s.push_str(&format!("      [{}]\n", fields.join(", ")));
        }
        if let Some(h) = reg.field_help(&f.key, kind, year, lang) {
            s.push_str(&format!("      {h}\n"));
        }
    }
    s
}
