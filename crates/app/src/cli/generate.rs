//! `binhyen generate [--seed N] [--years 2021-2025] [--provinces CODES]`: a seeded synthetic
//! dataset on the real unit lists (see `crate::generate`), with a progress bar and a summary.
//! Imports the official map first when the database has none.

use std::ops::RangeInclusive;

use anyhow::bail;
use binhyen_core::text::format_int;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_store::Store;
use binhyen_store::facts::{self, FormRow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::GlobalOpts;
use crate::generate::{self, BASELINE_YEAR, Target};
use crate::service::evaluation::map_date;
use crate::service::{self, Actor, Audit, Ctx};
use crate::units::{self, Source, text};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Hạt giống: cùng hạt giống cho cùng dữ liệu (the seed: same seed, same data).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Các năm, ví dụ 2021-2025 hoặc 2024 (the years).
    #[arg(long, default_value = "2021-2025", value_parser = parse_years)]
    pub years: RangeInclusive<i32>,
    /// Chỉ các tỉnh này (mã, cách nhau bởi dấu phẩy), mặc định toàn quốc (only these provinces).
    #[arg(long, value_delimiter = ',')]
    pub provinces: Vec<String>,
    /// Every year of every chosen commune in order (`binhyen demo`'s story); not a flag.
    #[arg(skip)]
    pub orderly: bool,
    /// Districts (code, year) whose armed forces fall short even in an orderly story; not a flag.
    #[arg(skip)]
    pub short: Vec<(String, i32)>,
}

fn parse_years(s: &str) -> Result<RangeInclusive<i32>, String> {
    let bad = || {
        format!(
            "«{s}»: cần một năm (2024) hoặc khoảng năm (2021-2025) / expected a year or a range of years"
        )
    };
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: i32 = a.trim().parse().map_err(|_| bad())?;
    let b: i32 = b.trim().parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&a) || b < a || b > 2100 || b - a > 20 {
        return Err(bad());
    }
    Ok(a..=b)
}

/// What a run wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub new_areas: usize,
    pub communes: usize,
    pub areas: usize,
    pub forms: usize,
    pub fingerprint: String,
}

pub async fn run(g: &GlobalOpts, args: GenerateArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let store = g.open_store().await?;
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{msg:32} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |msg: &str, done: u64, total: u64| {
        bar.set_message(msg.to_owned());
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let result = generate(&store, &args, lang, &progress).await;
    bar.finish_and_clear();
    let s = result?;
    println!(
        "{}",
        text(
            lang,
            "evaluation.generate.summary",
            &[
                ("areas_new", format_int(s.new_areas as i64)),
                ("communes", format_int(s.communes as i64)),
                ("areas", format_int(s.areas as i64)),
                ("forms", format_int(s.forms as i64)),
                (
                    "years",
                    format!("{}–{}", args.years.start(), args.years.end())
                ),
                ("seed", args.seed.to_string()),
                ("hash", s.fingerprint.clone()),
            ]
        )
    );
    Ok(())
}

/// The whole run: map, residential areas, facts in one transaction. Nothing is written when the
/// chosen units already have facts in those years.
pub async fn generate(
    store: &Store,
    args: &GenerateArgs,
    lang: &str,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> anyhow::Result<Summary> {
    let reg = binhyen_core::standard::Registry::builtin();
    let msg = |k: &str| text(lang, k, &[]);
    let quiet = |_, _, _| {};
    let mut atlas = store
        .load_atlas()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if atlas.is_empty() {
        progress(&msg("evaluation.generate.map"), 0, 1);
        units::import(store, Source::Official, None, &quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        atlas = store
            .load_atlas()
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let provinces = province_ids(&atlas, &args.provinces, lang)?;
    let Some(first_day) = atlas.horizon() else {
        bail!("{}", msg("evaluation.generate.no_map"));
    };
    // A province's units, and after a reform the units formed from them (Trà Vinh's communes
    // of 2022 and the Vĩnh Long communes they became on 01/07/2025).
    let chosen = |u: UnitId| {
        provinces.is_empty()
            || provinces.iter().any(|p| {
                atlas.within(*p, u)
                    || atlas.unit(u).is_some_and(|x| x.lifetime().from > first_day)
                        && atlas
                            .predecessors(u, first_day)
                            .iter()
                            .any(|l| atlas.within(*p, l.unit))
            })
    };
    let communes = units_of(&atlas, first_day, UnitKind::Commune, &chosen);

    // Refuse before writing anything when the years already have facts.
    let years = *args.years.start().min(&BASELINE_YEAR)..=*args.years.end();
    let existing = facts::forms_in_years(store, years.clone()).await?;
    let clash = existing.iter().filter(|r| chosen(r.unit_id)).count();
    if clash > 0 {
        bail!(
            "{}",
            text(
                lang,
                "evaluation.generate.exists",
                &[
                    ("count", format_int(clash as i64)),
                    ("from", years.start().to_string()),
                    ("to", years.end().to_string()),
                ]
            )
        );
    }

    // Residential areas through the units import (idempotent: same codes, same names).
    progress(&msg("evaluation.generate.areas"), 0, 1);
    let dataset = generate::residential_areas(&atlas, &communes);
    let (atlas, summary) = store
        .import_units(|_| Ok(dataset), &quiet)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    // Facts, year by year.
    let mut rows: Vec<FormRow> = Vec::new();
    let (mut n_communes, mut n_areas) = (0, 0);
    let total = (args.years.end() - args.years.start() + 1) as u64;
    for (i, year) in args.years.clone().enumerate() {
        progress(&msg("evaluation.generate.facts"), i as u64, total);
        let d = map_date(&atlas, None, year);
        let mut targets = Vec::new();
        for c in units_of(&atlas, d, UnitKind::Commune, &chosen) {
            let Some(v) = atlas.version_at(c, d) else {
                continue;
            };
            targets.push(Target {
                id: c,
                version: v,
                kind: UnitKind::Commune,
                commune: None,
                orderly: args.orderly,
                communes: vec![],
                short: false,
            });
            for a in atlas.children(c, d) {
                if let Some(av) = atlas.version_at(a, d)
                    && atlas
                        .unit(a)
                        .is_some_and(|u| u.kind == UnitKind::ResidentialArea)
                {
                    targets.push(Target {
                        id: a,
                        version: av,
                        kind: UnitKind::ResidentialArea,
                        commune: Some((v.code.as_str(), c)),
                        orderly: args.orderly,
                        communes: vec![],
                        short: false,
                    });
                }
            }
        }
        let of_kind = |ts: &[Target], k: UnitKind| ts.iter().filter(|t| t.kind == k).count();
        n_communes = n_communes.max(of_kind(&targets, UnitKind::Commune));
        n_areas = n_areas.max(of_kind(&targets, UnitKind::ResidentialArea));
        // Districts (none on a map after 30/06/2025): counts summed over their communes.
        for district in units_of(&atlas, d, UnitKind::District, &chosen) {
            let Some(v) = atlas.version_at(district, d) else {
                continue;
            };
            let communes = atlas
                .children(district, d)
                .into_iter()
                .filter(|c| atlas.unit(*c).is_some_and(|u| u.kind == UnitKind::Commune))
                .filter_map(|c| atlas.version_at(c, d).map(|cv| cv.code.as_str()))
                .collect();
            targets.push(Target {
                id: district,
                version: v,
                kind: UnitKind::District,
                commune: None,
                orderly: args.orderly,
                communes,
                short: args.short.iter().any(|(c, y)| *c == v.code && *y == year),
            });
        }
        rows.extend(generate::forms_for_year(reg, args.seed, year, &targets));
    }
    if *args.years.start() > BASELINE_YEAR {
        let base: Vec<(UnitId, &str)> = communes
            .iter()
            .filter_map(|c| Some((*c, atlas.version_at(*c, first_day)?.code.as_str())))
            .collect();
        rows.extend(generate::baseline_forms(args.seed, &base));
    }

    progress(&msg("evaluation.generate.writing"), 0, 1);
    let console = Actor::console();
    let ctx = Ctx {
        store,
        units: &crate::directory::SharedAtlas::default(),
        now: chrono::Utc::now(),
    };
    // A synthetic dataset is loaded by the operator at the console; audited as one entry.
    let change = service::open(&ctx, console.audit_actor()).await?;
    facts::insert_forms(change.tx(), &rows).await?;
    let fingerprint = generate::fingerprint(&rows, |id| {
        atlas
            .unit(id)
            .map(|u| u.first().code.clone())
            .unwrap_or_default()
    });
    change
        .commit(
            Audit::new("facts.generate", "fact_form", "*").details(serde_json::json!({
                "seed": args.seed,
                "years": [args.years.start(), args.years.end()],
                "provinces": args.provinces,
                "forms": rows.len(),
                "fingerprint": fingerprint,
            })),
        )
        .await?;
    progress(&msg("evaluation.generate.writing"), 1, 1);
    Ok(Summary {
        new_areas: summary.new_units,
        communes: n_communes,
        areas: n_areas,
        forms: rows.len(),
        fingerprint,
    })
}

fn province_ids(atlas: &Atlas, codes: &[String], lang: &str) -> anyhow::Result<Vec<UnitId>> {
    let mut out = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let ids: Vec<UnitId> = atlas
            .units_with_code(code)
            .into_iter()
            .filter(|u| atlas.unit(*u).is_some_and(|x| x.kind == UnitKind::Province))
            .collect();
        if ids.is_empty() {
            bail!(
                "{}",
                text(
                    lang,
                    "evaluation.generate.unknown_province",
                    &[("code", code.to_owned())]
                )
            );
        }
        out.extend(ids);
    }
    Ok(out)
}

/// The units of `kind` on the map of `d` that `chosen` accepts, in code order.
fn units_of(
    atlas: &Atlas,
    d: chrono::NaiveDate,
    kind: UnitKind,
    chosen: &impl Fn(UnitId) -> bool,
) -> Vec<UnitId> {
    let mut out = Vec::new();
    let mut stack: Vec<UnitId> = atlas.roots(d).into_iter().rev().collect();
    while let Some(u) = stack.pop() {
        let k = atlas.unit(u).map(|x| x.kind);
        if k == Some(kind) {
            if chosen(u) {
                out.push(u);
            }
            continue;
        }
        stack.extend(atlas.children(u, d).into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(seed: u64) -> GenerateArgs {
        GenerateArgs {
            seed,
            years: 2023..=2024,
            provinces: vec!["84".into()],
            orderly: false,
            short: vec![],
        }
    }

    binhyen_store::db_test!(generate_is_deterministic_sized_and_refuses_twice, |store| {
        let quiet = |_: &str, _, _| {};
        let first = generate(&store, &args(7), "vi", &quiet).await.unwrap();
        // Trà Vinh: about 7 residential areas per commune, one form per group and year
        assert!((90..=120).contains(&first.communes), "{first:?}");
        let per_commune = first.areas as f64 / first.communes as f64;
        assert!((5.5..=8.5).contains(&per_commune), "{first:?}");
        assert_eq!(first.new_areas, first.areas);
        assert!(
            first.forms > 2 * (first.communes * 6 + first.areas * 4),
            "{first:?}"
        );

        // the same seed on another database: the same data
        let other = binhyen_store::testing::sqlite().await;
        let again = generate(&other.store, &args(7), "vi", &quiet)
            .await
            .unwrap();
        assert_eq!(again, first);
        // another seed: other facts, the same residential areas
        let third = binhyen_store::testing::sqlite().await;
        let different = generate(&third.store, &args(8), "vi", &quiet)
            .await
            .unwrap();
        assert_ne!(different.fingerprint, first.fingerprint);
        assert_eq!(different.areas, first.areas);

        // a second run refuses, names the years, and writes nothing
        let before = facts::forms_in_years(&store, 2019..=2024)
            .await
            .unwrap()
            .len();
        let err = generate(&store, &args(7), "vi", &quiet).await.unwrap_err();
        assert!(err.to_string().contains("2019–2024"), "{err}");
        assert_eq!(
            facts::forms_in_years(&store, 2019..=2024)
                .await
                .unwrap()
                .len(),
            before
        );

        // every generated form is valid for the catalogue, and most communes meet 19.2
        let atlas = store.load_atlas().await.unwrap();
        let reg = binhyen_core::standard::Registry::builtin();
        let dec31 = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        let tra_vinh = atlas.find_code("84", dec31);
        assert!(tra_vinh.is_some());
        let all = crate::service::evaluation::evaluate_scope(
            &store,
            &atlas,
            reg,
            tra_vinh,
            2024,
            Some("ntm-xa-19.2"),
            false,
        )
        .await
        .unwrap();
        let met = all
            .iter()
            .filter(|e| e.verdict == binhyen_core::standard::Verdict::Met)
            .count();
        assert!(met * 10 >= all.len() * 6, "{met} of {}", all.len());
        assert!(met < all.len(), "some communes miss a rule");
    });

    #[test]
    fn years_are_read_with_a_clear_message() {
        assert_eq!(parse_years("2021-2025").unwrap(), 2021..=2025);
        assert_eq!(parse_years("2024").unwrap(), 2024..=2024);
        assert!(parse_years("2025-2021").unwrap_err().contains("2025-2021"));
        assert!(parse_years("năm ngoái").is_err());
    }
}
