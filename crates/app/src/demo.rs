//! The demo's story (`binhyen demo`, on first start): Tỉnh Trà Vinh 2022–2025 on its real
//! units, with seeded synthetic facts and real dossiers and decisions made through the
//! services, so every verdict and every recognition agree.
//!
//! - **Accounts**: one per role, printed at start with the demo password. Trà Vinh's PV05 and
//!   chairman (grants on Tỉnh Trà Vinh, which ended on 30/06/2025) act in 2022–2024; those of
//!   the new Tỉnh Vĩnh Long in 2025. Each commune's police and each district's police act
//!   through an actor of the story without an account (`officer`: a grant on that unit only,
//!   audited under the login `demo.<role>.<code>`).
//! - **Facts**: `generate` with seed [`SEED`] for Trà Vinh (and, from 01/07/2025, the Vĩnh
//!   Long communes formed from it), every year "orderly" (seed 000: 85/85 communes meet the
//!   criterion in 2022).
//! - **2022**: all 85 xã register for indicator 19.2, submit, are verified by the district
//!   police, reviewed and proposed by PV05, and recognised by one decision of the province's
//!   chairman. The xã whose advanced indicator 19.2 is met (Xã Hòa Minh first) are recognised
//!   as advanced until 38 are (seed 002: 38/85 by mid-2023); 2023 and 2024 add more.
//! - **2025**: on 01/07/2025 Trà Vinh becomes part of Tỉnh Vĩnh Long and district police no
//!   longer exist (01/03/2025): the new communes formed from Trà Vinh's xã register (deadline
//!   moved to 31/08/2025 for the merged province), and PV05 Vĩnh Long reviews them directly.
//! - **Boundaries**: schematic cells (`svg::schematic`) for Trà Vinh's communes before the
//!   merger and Vĩnh Long's after it, labelled "schematic" on every map.
//!
//! Idempotent: each part is skipped when it is already in the database. Deterministic.

use std::collections::BTreeSet;

use binhyen_core::authz::{Grant, Role, Scope};
use binhyen_core::standard::Verdict;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_core::workflow::{Action, Proposal};
use binhyen_store::workflow as wf_store;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::service::boundaries::{self, SCHEMATIC_SOURCE, communes_on};
use crate::service::evaluation::{evaluate_scope, map_date};
use crate::service::users::{self, GrantSpec, NewAccount};
use crate::service::workflow::{self as svc, NewDecision};
use crate::service::{Actor, Ctx, ServiceError, sessions};
use crate::web::AppState;

/// The seed of the story's facts.
pub const SEED: u64 = 85;
/// The demo password of every demo account (shown on start; the demo is not for real data).
pub const DEMO_PASSWORD: &str = "binhyen-demo";
/// Indicator 19.2 of the New Rural commune set, and its advanced set.
pub const NTM: &str = "ntm-xa-19.2";
pub const NTM_ADVANCED: &str = "ntm-xa-nc-19.2";
/// Xã Hòa Minh (Châu Thành, Trà Vinh): recognised advanced in 2022 (seed 002).
pub const HOA_MINH: &str = "29410";
/// Communes recognised as advanced by the end of each year (2022: seed 002, "38/85 by mid-2023").
pub const ADVANCED_BY_YEAR: [(i32, usize); 3] = [(2022, 38), (2023, 45), (2024, 52)];
/// New Rural district indicator 9.4, and the advanced district's 9.1.
pub const NTM_DISTRICT: &str = "ntm-huyen-9.4";
pub const NTM_DISTRICT_ADVANCED: &str = "ntm-huyen-nc-9.1";
/// Huyện Trà Cú: the 7th district, short of 9.4 in 2022 (seed 002: "06/07 huyện đạt chuẩn …
/// Tiểu Cần, Cầu Kè, Càng Long, Châu Thành, Cầu Ngang và huyện Duyên Hải"). Its armed forces'
/// assessment falls short that year (`generate::FORCES_SHORT_REASON`), so PV05 returns its
/// dossier with the failed rule; from 2023 all 7 meet it (DOMAIN.md: "2023 … 7/7 districts").
pub const TRA_CU: &str = "849";
/// Huyện Châu Thành (home of Xã Hòa Minh, the first advanced commune): the one district
/// recognised for the advanced indicator 9.1 in 2023 (KH 85: "1/7 … nâng cao"), renewed in
/// 2024; districts end on 30/06/2025, so 2025 has no district dossier.
pub const ADVANCED_DISTRICT: &str = "847";
/// The years districts are judged in the story.
pub const DISTRICT_YEARS: std::ops::RangeInclusive<i32> = 2022..=2024;

/// A demo account: login, display name, role, unit code, and the date its unit code is read on.
pub struct DemoAccount {
    pub login: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub unit: &'static str,
    /// `None`: today (the new Tỉnh Vĩnh Long); else a day when Tỉnh Trà Vinh existed.
    pub on: Option<(i32, u32, u32)>,
}

/// A day when Tỉnh Trà Vinh existed, on the stored map (which begins on 01/05/2024).
const TRA_VINH_DAY: Option<(i32, u32, u32)> = Some((2025, 6, 1));

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        login: "quantri",
        name: "Quản trị hệ thống",
        role: "admin",
        unit: "VN",
        on: None,
    },
    DemoAccount {
        login: "ca.hoaminh",
        name: "Công an xã Hòa Minh",
        role: "commune_police",
        unit: HOA_MINH,
        on: None,
    },
    DemoAccount {
        login: "pv05.vinhlong",
        name: "Phòng PV05 Công an tỉnh Vĩnh Long",
        role: "pv05",
        unit: "86",
        on: None,
    },
    DemoAccount {
        login: "bcd.vinhlong",
        name: "Thư ký Ban Chỉ đạo tỉnh Vĩnh Long",
        role: "steering_secretary",
        unit: "86",
        on: None,
    },
    DemoAccount {
        login: "chutich.vinhlong",
        name: "Chủ tịch UBND tỉnh Vĩnh Long",
        role: "decider",
        unit: "86",
        on: None,
    },
    DemoAccount {
        login: "xem.toanquoc",
        name: "Người xem toàn quốc",
        role: "viewer",
        unit: "VN",
        on: None,
    },
    DemoAccount {
        login: "pv05.travinh",
        name: "Phòng PV05 Công an tỉnh Trà Vinh",
        role: "pv05",
        unit: "84",
        on: TRA_VINH_DAY,
    },
    DemoAccount {
        login: "chutich.travinh",
        name: "Chủ tịch UBND tỉnh Trà Vinh",
        role: "decider",
        unit: "84",
        on: TRA_VINH_DAY,
    },
];

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    // 09:00 in Viet Nam
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
        .single()
        .unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn ctx_at<'a>(state: &'a AppState, when: DateTime<Utc>) -> Ctx<'a> {
    Ctx {
        store: &state.store,
        units: &*state.units,
        now: when,
    }
}

/// Creates the demo accounts that are missing. Returns (login, name) in order.
pub async fn ensure_accounts(state: &AppState, lang: &str) -> anyhow::Result<()> {
    let console = Actor::console();
    let fail = |e: ServiceError| anyhow::anyhow!(e.message(lang));
    for a in ACCOUNTS {
        let ctx = match a.on {
            Some((y, m, d)) => ctx_at(state, at(y, m, d)),
            None => state.ctx(),
        };
        match users::get_by_login(&ctx, &console, a.login).await {
            Ok(_) => {}
            Err(ServiceError::Invalid {
                key: "service.login.unknown",
                ..
            }) => {
                users::create(
                    &ctx,
                    &console,
                    NewAccount {
                        login: a.login.to_owned(),
                        display_name: a.name.to_owned(),
                        password: Some(DEMO_PASSWORD.to_owned()),
                        grant: GrantSpec {
                            role: a.role.to_owned(),
                            unit: a.unit.to_owned(),
                            view: None,
                        },
                    },
                )
                .await
                .map_err(fail)?;
            }
            Err(e) => return Err(fail(e)),
        }
    }
    Ok(())
}

async fn actor(state: &AppState, login: &str) -> anyhow::Result<Actor> {
    let ctx = state.ctx();
    let account = users::get_by_login(&ctx, &Actor::console(), login)
        .await
        .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    sessions::actor_of(&ctx, &account.user)
        .await
        .map_err(|e| anyhow::anyhow!(e.message("en")))
}

/// What the story wrote on this start.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Told {
    pub forms: usize,
    pub boundaries: usize,
    pub dossiers: usize,
    pub decisions: usize,
}

/// Tells the story (the parts not yet in the database). `progress` gets a line per part.
pub async fn tell(state: &AppState, progress: &(dyn Fn(&str) + Sync)) -> anyhow::Result<Told> {
    let mut told = Told::default();
    let atlas = state.atlas.get();
    let tra_vinh = atlas
        .find_code("84", map_date(&atlas, None, 2022))
        .ok_or_else(|| anyhow::anyhow!("Tỉnh Trà Vinh (84) is not on the map"))?;

    // Facts.
    if binhyen_store::facts::forms_of_units(
        &state.store,
        &communes_of(&atlas, tra_vinh, 2022),
        2022..=2022,
    )
    .await?
    .is_empty()
    {
        progress("facts");
        let args = crate::cli::generate::GenerateArgs {
            seed: SEED,
            years: 2021..=2025,
            provinces: vec!["84".to_owned()],
            orderly: true,
            short: vec![(TRA_CU.to_owned(), 2022)],
        };
        let s = crate::cli::generate::generate(&state.store, &args, "vi", &|_, _, _| {}).await?;
        told.forms = s.forms;
        crate::web::units::load_atlas(state).await?;
    }
    let atlas = state.atlas.get();

    // Boundaries: one schematic over Trà Vinh before the merger and Vĩnh Long after it.
    if binhyen_store::boundaries::count(&state.store).await? == 0 {
        progress("boundaries");
        told.boundaries = schematic_boundaries(state, &atlas).await?;
    }

    // The shipped plans (KH 85/KH-UBND Trà Vinh among them).
    if binhyen_store::plans::plans(&state.store).await?.is_empty() {
        progress("plans");
        let reg = state.registry.get();
        crate::service::plans::import_builtin(&state.ctx(), &Actor::console(), &atlas, &reg)
            .await
            .map_err(|e| anyhow::anyhow!(e.message("vi")))?;
    }

    // Dossiers and decisions.
    if wf_store::dossiers(&state.store, Some(2022), Some(NTM))
        .await?
        .is_empty()
    {
        progress("dossiers");
        let (d, n) = review_years(state, &atlas, tra_vinh).await?;
        told.dossiers = d;
        told.decisions = n;
    }
    Ok(told)
}

/// The xã (not phường, thị trấn) of `scope` on the map of `year`.
pub fn communes_of(atlas: &Atlas, scope: UnitId, year: i32) -> Vec<UnitId> {
    let date = map_date(atlas, None, year);
    communes_on(atlas, date, Some(scope))
        .into_iter()
        .filter(|id| {
            atlas
                .version_at(*id, date)
                .is_some_and(|v| v.unit_type == "Xã")
        })
        .collect()
}

async fn schematic_boundaries(state: &AppState, atlas: &Atlas) -> anyhow::Result<usize> {
    let before = day(2025, 6, 30);
    let after = day(2025, 12, 31);
    let tv = atlas
        .find_code("84", before)
        .ok_or_else(|| anyhow::anyhow!("no Trà Vinh"))?;
    let vl = atlas
        .find_code("86", after)
        .ok_or_else(|| anyhow::anyhow!("no Vĩnh Long"))?;
    let console = Actor::console();
    let ctx = state.ctx();
    let mut total = 0;
    // Trà Vinh first, then the Vĩnh Long communes whose codes Trà Vinh's cells do not hold.
    for (scope, date, centre) in [(tv, before, (106.30, 9.85)), (vl, after, (106.05, 10.15))] {
        let json = boundaries::schematic(atlas, scope, date, centre);
        let parsed = boundaries::parse("schematic.geojson", &json, "ma")
            .map_err(|e| anyhow::anyhow!(e.message("en")))?;
        let mut plan = boundaries::plan(
            atlas,
            "schematic.geojson",
            &parsed,
            date,
            SCHEMATIC_SOURCE,
            &ctx,
            &console,
        );
        let have: BTreeSet<String> =
            binhyen_store::boundaries::of_codes(&state.store, &plan.run.matched)
                .await?
                .into_iter()
                .map(|b| b.unit_code)
                .collect();
        plan.rows.retain(|r| !have.contains(&r.unit_code));
        total += boundaries::import(&ctx, &console, &plan)
            .await
            .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    }
    Ok(total)
}

fn fail(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!(e.message("vi"))
}

/// A dossier registered on `register_on` and submitted on 20/10 by `submitter`. Returns its id.
async fn submitted(
    state: &AppState,
    submitter: &Actor,
    unit: UnitId,
    year: i32,
    standard: &str,
    register_on: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let reg = state.registry.get();
    let atlas = state.atlas.get();
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    let d = svc::register(
        &ctx_at(state, register_on),
        submitter,
        &reg,
        unit,
        year,
        standard,
    )
    .await
    .map_err(fail)?;
    let ctx = ctx_at(state, at(year, 10, 20));
    svc::act(
        &ctx,
        submitter,
        law,
        d.id,
        None,
        Action::Submit,
        Default::default(),
    )
    .await
    .map_err(fail)?;
    Ok(d.id)
}

/// A dossier through the whole chain: register, submit, every review level forwards (the last
/// with a proposal to recognise). Returns its id.
async fn prepare(
    state: &AppState,
    cast: &[Actor],
    unit: UnitId,
    year: i32,
    standard: &str,
    register_on: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let (submitter, reviewers) = cast
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("no cast"))?;
    let id = submitted(state, submitter, unit, year, standard, register_on).await?;
    let reg = state.registry.get();
    let atlas = state.atlas.get();
    let law = svc::Law {
        registry: &reg,
        atlas: &atlas,
    };
    for (i, r) in reviewers.iter().enumerate() {
        let last = i + 1 == reviewers.len();
        let ctx = ctx_at(state, at(year, 11, 1 + i as u32 * 5));
        let action = Action::Forward {
            proposal: last.then_some(Proposal::Recognise),
        };
        svc::act(&ctx, r, law, id, None, action, Default::default())
            .await
            .map_err(fail)?;
    }
    Ok(id)
}

async fn decide(
    state: &AppState,
    decider: &Actor,
    number: &str,
    signer: &str,
    signed_on: NaiveDate,
    dossiers: Vec<i64>,
) -> anyhow::Result<()> {
    if dossiers.is_empty() {
        return Ok(());
    }
    let reg = state.registry.get();
    let ctx = ctx_at(state, at(signed_on.year_ce().1 as i32, 12, 15));
    svc::issue_decision(
        &ctx,
        decider,
        &reg,
        NewDecision {
            number: number.to_owned(),
            signed_on,
            signer: signer.to_owned(),
            legal_basis: "Quyết định số 318/QĐ-TTg ngày 08/3/2022 của Thủ tướng Chính phủ; Hướng dẫn số 06/HD-BCA-V05 ngày 29/3/2022 của Bộ Công an".to_owned(),
            dossiers,
            revokes: None,
        },
    )
    .await
    .map_err(fail)?;
    Ok(())
}

use chrono::Datelike;

/// The computed verdicts of `standard` for the units of `scope` in `year`.
async fn verdicts(
    state: &AppState,
    atlas: &Atlas,
    scope: UnitId,
    year: i32,
    standard: &str,
) -> anyhow::Result<Vec<binhyen_core::standard::Evaluation>> {
    let reg = state.registry.get();
    evaluate_scope(
        &state.store,
        atlas,
        &reg,
        Some(scope),
        year,
        Some(standard),
        false,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message("en")))
}

/// Up to `take` communes of `scope` whose advanced indicator is met in `year`: those
/// recognised the year before first, then Xã Hòa Minh, then by code.
async fn advanced_candidates(
    state: &AppState,
    atlas: &Atlas,
    scope: UnitId,
    year: i32,
    before: &BTreeSet<String>,
    take: usize,
) -> anyhow::Result<Vec<(String, UnitId)>> {
    let evals = verdicts(state, atlas, scope, year, NTM_ADVANCED).await?;
    let date = map_date(atlas, None, year);
    let mut out: Vec<(String, UnitId)> = evals
        .into_iter()
        .filter(|e| e.verdict == Verdict::Met)
        .filter_map(|e| Some((e.unit.code.clone(), atlas.find_code(&e.unit.code, date)?)))
        .filter(|(_, id)| {
            atlas
                .unit(*id)
                .is_some_and(|u| u.kind == binhyen_core::units::UnitKind::Commune)
        })
        .filter(|(_, id)| {
            atlas
                .version_at(*id, date)
                .is_some_and(|v| v.unit_type == "Xã")
        })
        .collect();
    out.sort_by_key(|(code, _)| (!before.contains(code), code != HOA_MINH, code.clone()));
    out.truncate(take);
    Ok(out)
}

/// The story's officer of `role` for `unit` (no account: audited by its login).
fn officer(atlas: &Atlas, unit: UnitId, date: NaiveDate, role: Role) -> Actor {
    let (code, name) = atlas
        .version_at(unit, date)
        .map(|v| (v.code.clone(), v.name.clone()))
        .unwrap_or_default();
    let who = "Công an";
    Actor {
        id: None,
        login: format!("demo.{}.{code}", role.as_str()),
        display_name: format!("{who} {name} (trình diễn)"),
        grants: vec![Grant::new(role, Scope::Unit(unit))],
    }
}

/// The commune's police, then (before 01/03/2025) its district's police.
fn local_cast(atlas: &Atlas, commune: UnitId, year: i32) -> Vec<Actor> {
    let date = map_date(atlas, Some(commune), year);
    let mut cast = vec![officer(atlas, commune, date, Role::CommunePolice)];
    if date < binhyen_core::authz::district_police_abolished()
        && let Some(d) =
            atlas.ancestor_of_kind(commune, date, binhyen_core::units::UnitKind::District)
    {
        cast.push(officer(atlas, d, date, Role::DistrictPolice));
    }
    cast
}

async fn review_years(
    state: &AppState,
    atlas: &Atlas,
    tra_vinh: UnitId,
) -> anyhow::Result<(usize, usize)> {
    let (mut dossiers, mut decisions) = (0, 0);
    let pv05 = actor(state, "pv05.travinh").await?;
    let chair = actor(state, "chutich.travinh").await?;
    // Commune police, district police (before 01/03/2025), then the province's PV05.
    let chain = |c: UnitId, year: i32, pv05: &Actor| {
        let mut cast = local_cast(atlas, c, year);
        cast.push(pv05.clone());
        cast
    };

    // 2022: every xã for indicator 19.2.
    let mut ids = Vec::new();
    for c in communes_of(atlas, tra_vinh, 2022) {
        let cast = chain(c, 2022, &pv05);
        ids.push(prepare(state, &cast, c, 2022, NTM, at(2022, 2, 15)).await?);
    }
    dossiers += ids.len();
    decide(
        state,
        &chair,
        "2145/QĐ-UBND",
        "Chủ tịch UBND tỉnh Trà Vinh",
        day(2022, 12, 12),
        ids,
    )
    .await?;
    decisions += 1;

    // 2022–2024: advanced recognitions, renewed every year (a plan counts the recognitions of
    // its year), up to the story's counts.
    let mut advanced: BTreeSet<String> = BTreeSet::new();
    for (i, (year, total)) in ADVANCED_BY_YEAR.into_iter().enumerate() {
        let picked = advanced_candidates(state, atlas, tra_vinh, year, &advanced, total).await?;
        let mut ids = Vec::new();
        for (_, id) in &picked {
            let cast = chain(*id, year, &pv05);
            ids.push(prepare(state, &cast, *id, year, NTM_ADVANCED, at(year, 3, 10)).await?);
        }
        advanced = picked.into_iter().map(|(code, _)| code).collect();
        dossiers += ids.len();
        let number = format!("{}/QĐ-UBND", 2250 + i * 17);
        decide(
            state,
            &chair,
            &number,
            "Chủ tịch UBND tỉnh Trà Vinh",
            day(year, 12, 15),
            ids,
        )
        .await?;
        decisions += 1;
    }

    // 2022–2024: the districts (indicators 9.4 and 9.1), judged on their communes' year.
    let (d, n) = review_districts(state, atlas, tra_vinh, &pv05, &chair).await?;
    dossiers += d;
    decisions += n;

    // 2025: the merged province, two levels (PV05 reviews directly).
    let vl_pv05 = actor(state, "pv05.vinhlong").await?;
    let vl_chair = actor(state, "chutich.vinhlong").await?;
    let admin = Actor::console();
    let after = day(2025, 12, 31);
    let vinh_long = atlas
        .find_code("86", after)
        .ok_or_else(|| anyhow::anyhow!("no Vĩnh Long"))?;
    svc::set_deadline(
        &ctx_at(state, at(2025, 7, 1)),
        &admin,
        Scope::Unit(vinh_long),
        2025,
        "registration_end",
        day(2025, 8, 31),
    )
    .await
    .map_err(fail)?;
    let from_tra_vinh: Vec<UnitId> = communes_of(atlas, vinh_long, 2025)
        .into_iter()
        .filter(|c| {
            atlas
                .predecessors(*c, day(2025, 6, 30))
                .iter()
                .any(|l| atlas.within(tra_vinh, l.unit))
        })
        .collect();
    let mut ids = Vec::new();
    for c in &from_tra_vinh {
        let cast = chain(*c, 2025, &vl_pv05);
        ids.push(prepare(state, &cast, *c, 2025, NTM, at(2025, 7, 15)).await?);
    }
    dossiers += ids.len();
    let chairman = "Chủ tịch UBND tỉnh Vĩnh Long";
    decide(
        state,
        &vl_chair,
        "1876/QĐ-UBND",
        chairman,
        day(2025, 12, 10),
        ids,
    )
    .await?;
    let picked =
        advanced_candidates(state, atlas, vinh_long, 2025, &BTreeSet::new(), usize::MAX).await?;
    let mut ids = Vec::new();
    for (_, c) in picked.iter().filter(|(_, c)| from_tra_vinh.contains(c)) {
        let cast = chain(*c, 2025, &vl_pv05);
        ids.push(prepare(state, &cast, *c, 2025, NTM_ADVANCED, at(2025, 7, 16)).await?);
    }
    dossiers += ids.len();
    decide(
        state,
        &vl_chair,
        "1877/QĐ-UBND",
        chairman,
        day(2025, 12, 10),
        ids,
    )
    .await?;
    decisions += 2;
    Ok((dossiers, decisions))
}

/// The "Huyện" of `scope` on the map of `year` (the plan's districts: not the city or the towns).
pub fn districts_of(atlas: &Atlas, scope: UnitId, year: i32) -> Vec<UnitId> {
    let date = map_date(atlas, None, year);
    atlas
        .children(scope, date)
        .into_iter()
        .filter(|d| {
            atlas.unit(*d).is_some_and(|u| u.kind == UnitKind::District)
                && atlas
                    .version_at(*d, date)
                    .is_some_and(|v| v.unit_type == "Huyện")
        })
        .collect()
}

/// Each year of [`DISTRICT_YEARS`]: every district's police register and submit indicator 9.4
/// (and [`ADVANCED_DISTRICT`]'s 9.1 from 2023); PV05 proposes those whose computed verdict is
/// met and returns the others naming the rules not met (Huyện Trà Cú in 2022); the province's
/// chairman recognises the proposed ones, one decision per standard and year.
async fn review_districts(
    state: &AppState,
    atlas: &Atlas,
    tra_vinh: UnitId,
    pv05: &Actor,
    chair: &Actor,
) -> anyhow::Result<(usize, usize)> {
    let reg = state.registry.get();
    let law = svc::Law {
        registry: &reg,
        atlas,
    };
    let (mut dossiers, mut decisions) = (0, 0);
    for year in DISTRICT_YEARS {
        let date = map_date(atlas, None, year);
        let mut standards = vec![NTM_DISTRICT];
        if year >= 2023 {
            standards.push(NTM_DISTRICT_ADVANCED);
        }
        for (k, standard) in standards.into_iter().enumerate() {
            let verdicts = verdicts(state, atlas, tra_vinh, year, standard).await?;
            let mut proposed = Vec::new();
            for district in districts_of(atlas, tra_vinh, year) {
                let code = atlas
                    .version_at(district, date)
                    .map(|v| v.code.clone())
                    .unwrap_or_default();
                if standard == NTM_DISTRICT_ADVANCED && code != ADVANCED_DISTRICT {
                    continue;
                }
                let Some(eval) = verdicts.iter().find(|e| e.unit.code == code) else {
                    anyhow::bail!("no verdict of {standard} for district {code} in {year}");
                };
                let police = officer(atlas, district, date, Role::DistrictPolice);
                let register_on = at(year, 2, 20 + k as u32);
                let id = submitted(state, &police, district, year, standard, register_on).await?;
                dossiers += 1;
                let ctx = ctx_at(state, at(year, 11, 10));
                let action = if eval.verdict == Verdict::Met {
                    proposed.push(id);
                    Action::Forward {
                        proposal: Some(Proposal::Recognise),
                    }
                } else {
                    let failed: Vec<String> = eval
                        .rules
                        .iter()
                        .filter(|r| r.verdict != Verdict::Met)
                        .map(|r| format!("nội dung {}: {}", r.id, r.title.vi))
                        .collect();
                    Action::Return {
                        reason: format!("Chưa đạt — {}", failed.join("; ")),
                    }
                };
                svc::act(&ctx, pv05, law, id, None, action, Default::default())
                    .await
                    .map_err(fail)?;
            }
            let number = format!("{}/QĐ-UBND", 2310 + (year - 2022) * 20 + k as i32);
            if !proposed.is_empty() {
                decisions += 1;
            }
            decide(
                state,
                chair,
                &number,
                "Chủ tịch UBND tỉnh Trà Vinh",
                day(year, 12, 20),
                proposed,
            )
            .await?;
        }
    }
    Ok((dossiers, decisions))
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;
