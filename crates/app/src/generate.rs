//! `binhyen generate`: a seeded synthetic national dataset on the real unit lists, for
//! benchmarks, tests and demonstrations.
//!
//! - **Residential areas**: about 7 per commune of the first official list (01/05/2024), named
//!   and numbered from the commune's code (the same whatever the seed, so a second run adds
//!   nothing). They follow their commune through the 2024–25 changes and the 2025 reform: each
//!   time the commune ends, a new version re-parents them to its successor. They are imported
//!   through the units import path ([`binhyen_core::units::merge`] + `Store::import_units`),
//!   so they have codes, names and validity like any other unit.
//! - **Facts**: for every commune and residential area on each year's map, one form per
//!   catalogue group, with realistic distributions drawn from the seed: most communes meet,
//!   some miss one rule (a resolution dated in April, a household not registered, a
//!   disciplinary measure, too few residential areas recognised), a few lack a form; crime
//!   counts drift year to year around a per-commune level (mostly down); documents are dated
//!   mostly in the first quarter; movement figures (steering committee, teams, members,
//!   households covered) follow seed 003's proportions. The 2019 crime baseline of Decision
//!   926 is written on the earliest communes of the map. Values depend only on the seed, the
//!   unit's code and the year.
//! - **Districts** (each year's map, so none after 30/06/2025): what New Rural indicators 9.4
//!   and 9.1 read of the district itself — the Huyện ủy's resolution, the UBND's plan, the
//!   counts (the sum of its communes', so "crime contained" follows them), empty complaint and
//!   hotspot logs, the assessments of its direction and of its armed forces. Most districts are
//!   in order; some have armed forces that fall short (with the reason), a few never entered
//!   the assessments. The communes' 19.2 part of 9.4 is computed from the communes.
//!
//! Deterministic for a seed; refuses when the chosen units already have facts in those years.

use std::collections::BTreeMap;

use binhyen_core::catalogue::Catalogue;
use binhyen_core::standard::Registry;
use binhyen_core::units::{Atlas, Dataset, History, Unit, UnitId, UnitKind, Validity, Version};
use binhyen_store::facts::FormRow;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value as JV, json};

/// The year of Decision 926's baseline.
pub const BASELINE_YEAR: i32 = 2019;

/// Who the generated forms say entered them.
pub const AUTHOR: &str = "binhyen generate (dữ liệu giả lập)";

/// A small deterministic generator (SplitMix64), seeded from the seed and a unit's code, so a
/// value never depends on the order units are visited in or on which provinces are chosen.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, parts: &[&str]) -> Rng {
        // FNV-1a over the parts, mixed with the seed
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for p in parts {
            for b in p.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        Rng(h)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const PLACE_NAMES: [&str; 40] = [
    "Phú Hòa",
    "An Lạc",
    "Tân Thành",
    "Bình An",
    "Hòa Bình",
    "Long Thạnh",
    "Phước Lợi",
    "Thạnh Mỹ",
    "Đông Hải",
    "Tây Sơn",
    "Trung Hậu",
    "Hưng Phú",
    "Mỹ Lộc",
    "Vĩnh Xuân",
    "Thuận Hòa",
    "Kim Sơn",
    "Đại Đồng",
    "Quang Trung",
    "Hồng Phong",
    "Thắng Lợi",
    "Đoàn Kết",
    "Nam Thượng",
    "Bắc Hà",
    "Cẩm Tú",
    "Lạc Hồng",
    "Yên Thịnh",
    "Hạ Long",
    "Gò Công",
    "Cầu Đôi",
    "Bến Đò",
    "Rạch Miễu",
    "Sóc Xoài",
    "Khánh Lộc",
    "Minh Đức",
    "Ngọc Lâm",
    "Thanh Bình",
    "Hiệp Hòa",
    "Tân Quy",
    "Phú Lâm",
    "Xuân Đài",
];

/// How a residential area is called in a commune of this type and province.
fn area_type(commune_type: &str, province_code: &str) -> &'static str {
    let south = province_code.parse::<u32>().is_ok_and(|c| c >= 70);
    match commune_type {
        "Phường" => "Khu phố",
        "Thị trấn" => "Tổ dân phố",
        _ if south => "Ấp",
        _ => "Thôn",
    }
}

/// The residential areas of every commune of the map's first date (those selected), following
/// their commune through every later change; new units get provisional negative ids.
pub fn residential_areas(atlas: &Atlas, communes: &[UnitId]) -> Dataset {
    let mut units = Vec::new();
    let mut next_id: UnitId = -1;
    for &c in communes {
        let Some(commune) = atlas.unit(c) else {
            continue;
        };
        let first = commune.first();
        let start = first.validity.from;
        let province = atlas
            .ancestor_of_kind(c, start, UnitKind::Province)
            .and_then(|p| atlas.version_at(p, start))
            .map_or("", |v| v.code.as_str());
        let kind_name = area_type(&first.unit_type, province);
        let mut rng = Rng::new(0, &["areas", &first.code]);
        let count = rng.range(4, 10);
        // the chain of parents: the commune, then its successor each time it ends
        let chain = parent_chain(atlas, c);
        for n in 1..=count {
            let code = format!("{}-{:02}", first.code, n);
            let name = if kind_name == "Ấp" || kind_name == "Thôn" {
                format!("{kind_name} {}", rng.pick(&PLACE_NAMES))
            } else {
                format!("{kind_name} {n}")
            };
            let versions: Vec<Version> = chain
                .iter()
                .map(|(parent, validity)| Version {
                    code: code.clone(),
                    name: name.clone(),
                    unit_type: kind_name.to_owned(),
                    parent: Some(*parent),
                    validity: *validity,
                    origin: None,
                })
                .collect();
            units.push(Unit {
                id: next_id,
                key: Unit::key_for(&code, start),
                kind: UnitKind::ResidentialArea,
                versions,
            });
            next_id -= 1;
        }
    }
    History {
        units,
        events: vec![],
    }
}

/// `(parent, validity)` for a residential area of `commune`: the commune while it lasts, then
/// the successor that holds it (the first one, for a split), and so on.
fn parent_chain(atlas: &Atlas, commune: UnitId) -> Vec<(UnitId, Validity)> {
    let mut out = Vec::new();
    let mut cur = commune;
    let mut from = match atlas.unit(commune) {
        Some(u) => u.lifetime().from,
        None => return out,
    };
    for _ in 0..8 {
        let Some(u) = atlas.unit(cur) else { break };
        let end = u.lifetime().to;
        out.push((cur, Validity { from, to: end }));
        let Some(end) = end else { break };
        let next = atlas
            .direct_successors(cur)
            .into_iter()
            .map(|l| l.other)
            .find(|s| atlas.unit(*s).is_some_and(|x| x.lifetime().contains(end)));
        match next {
            Some(s) => {
                cur = s;
                from = end;
            }
            None => break,
        }
    }
    out
}

/// What kind of year a commune has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Everything in order.
    Good,
    /// One rule missed: which one.
    Late,
    Unregistered,
    Disciplined,
    FewRecognised,
    /// A form was never entered.
    Lacking,
}

/// The profile of a commune's year (`Good` for an orderly one).
fn profile_of(seed: u64, commune: &str, year: &str, orderly: bool) -> Profile {
    if orderly {
        return Profile::Good;
    }
    profile(&mut Rng::new(seed, &[commune, "profile", year]))
}

fn profile(rng: &mut Rng) -> Profile {
    match rng.range(0, 99) {
        0..=79 => Profile::Good,
        80..=83 => Profile::Late,
        84..=87 => Profile::Unregistered,
        88..=90 => Profile::Disciplined,
        91..=94 => Profile::FewRecognised,
        _ => Profile::Lacking,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A date in the first quarter of `year` (or, when `late`, in April–May).
fn doc_date(rng: &mut Rng, year: i32, late: bool) -> String {
    let d = if late {
        date(year, 4, 1) + chrono::Days::new(rng.range(0, 55) as u64)
    } else {
        date(year, 1, 5) + chrono::Days::new(rng.range(0, 84) as u64)
    };
    d.to_string()
}

fn doc(number: String, date: String, issuer: String) -> JV {
    json!({ "number": number, "date": date, "issuer": issuer })
}

fn judged(reason: &str, reviewer: &str, year: i32) -> JV {
    json!({ "value": true, "reason": reason, "reviewer": reviewer, "date": date(year, 11, 15).to_string() })
}

/// A crime-like count for a unit and year: a level drawn from the unit's code, drifting year to
/// year (mostly down, so most communes "contain" crime; some rise).
fn count(seed: u64, code: &str, key: &str, year: i32, level: (i64, i64), orderly: bool) -> i64 {
    let lvl = Rng::new(seed, &[code, key, "level"]).range(level.0, level.1);
    // about one unit in eight sees crime rise (never an orderly one); the others contain it
    let rising = !orderly && Rng::new(seed, &[code, "rising"]).chance(12);
    let steps = i64::from(year - BASELINE_YEAR);
    if rising {
        let noise = Rng::new(seed, &[code, key, &year.to_string()]).range(0, 1);
        lvl + steps / 2 + noise
    } else {
        (lvl - lvl * steps / 12).max(0)
    }
}

/// A commune's yearly counts and the range of their per-commune level; a district reports
/// the sum over its communes.
const COMMUNE_COUNTS: [(&str, (i64, i64)); 12] = [
    ("crimes_social_order", (2, 14)),
    ("crimes_drugs", (0, 4)),
    ("crimes_economic", (0, 2)),
    ("crimes_environment", (0, 1)),
    ("crimes_other", (0, 1)),
    ("drug_users", (0, 8)),
    ("gambling_cases", (0, 3)),
    ("prostitution_cases", (0, 1)),
    ("other_violations", (2, 20)),
    ("traffic_accidents", (0, 6)),
    ("traffic_deaths", (0, 2)),
    ("traffic_injuries", (0, 6)),
];

/// The facts of a commune for a year, as a JSON object of catalogue keys.
fn commune_facts(
    seed: u64,
    code: &str,
    name: &str,
    year: i32,
    p: Profile,
    orderly: bool,
) -> Map<String, JV> {
    let mut rng = Rng::new(seed, &[code, "commune", &year.to_string()]);
    let mut f = Map::new();
    for (key, lvl) in COMMUNE_COUNTS {
        f.insert(
            key.into(),
            json!(count(seed, code, key, year, lvl, orderly)),
        );
    }
    let serious = rng.chance(3) && !orderly;
    f.insert("serious_crimes".into(), json!(i64::from(serious)));
    let ubnd = format!("UBND {name}");
    f.insert(
        "party_resolution".into(),
        doc(
            format!("{}-NQ/ĐU", rng.range(1, 40)),
            doc_date(&mut rng, year, p == Profile::Late),
            format!("Đảng ủy {name}"),
        ),
    );
    f.insert(
        "people_committee_plan".into(),
        doc(
            format!("{}/KH-UBND", rng.range(1, 80)),
            doc_date(&mut rng, year, false),
            ubnd.clone(),
        ),
    );
    f.insert(
        "registration".into(),
        doc(
            format!("{}/ĐK-UBND", rng.range(1, 60)),
            doc_date(&mut rng, year, false),
            ubnd,
        ),
    );
    let mut models = vec![json!({
        "name": format!("Camera an ninh {name}"), "type": "camera",
        "cameras": rng.range(4, 40), "started": date(2021, 3, 1).to_string(), "effective": true
    })];
    if rng.chance(50) {
        models.push(json!({
            "name": "Tổ tự quản về an ninh, trật tự", "type": "self_management",
            "started": date(2020, 6, 1).to_string(), "effective": true
        }));
    }
    f.insert("models".into(), JV::Array(models));
    // One steering committee of about 20 members (seed 003: 635 committees, 12.585 members).
    let mut movement = Rng::new(seed, &[code, "movement", &year.to_string()]);
    f.insert("steering_committees".into(), json!(1));
    f.insert(
        "steering_committee_members".into(),
        json!(movement.range(15, 25)),
    );
    f.insert("security_events".into(), json!([]));
    f.insert("mass_complaints".into(), json!([]));
    f.insert("hotspots".into(), json!([]));
    let discipline = if p == Profile::Disciplined {
        json!([{ "date": date(year, 6, 10).to_string(), "form": "warning", "officer": "Cán bộ Công an xã" }])
    } else {
        json!([])
    };
    f.insert("disciplinary_measures".into(), discipline);
    f.insert("police_emulation_title".into(), json!("advanced"));
    let police = format!("Công an {name}");
    f.insert(
        "implementation_assessment".into(),
        judged(
            "Triển khai đầy đủ các văn bản chỉ đạo",
            "Ban Chỉ đạo xã",
            year,
        ),
    );
    f.insert(
        "police_assessment".into(),
        judged(
            "Nắm chắc tình hình, không để bị động, bất ngờ",
            &police,
            year,
        ),
    );
    f.insert(
        "direction_assessment".into(),
        judged(
            "Cấp ủy, chính quyền chỉ đạo sát sao",
            "Ban Chỉ đạo xã",
            year,
        ),
    );
    let mut recognitions = Vec::new();
    let mut base = Rng::new(seed, &[code, "ntm"]);
    if base.chance(75) {
        let y = base.range(2015, 2023) as i32;
        if y <= year {
            recognitions.push(recognition("ntm-xa", y, &mut rng));
        }
    }
    if p != Profile::FewRecognised && rng.chance(85) {
        recognitions.push(recognition("ntm-xa-19.2", year, &mut rng));
    }
    f.insert("recognitions".into(), JV::Array(recognitions));
    f
}

/// What kind of year a district has (New Rural indicator 9.4, `ntm-huyen-9.4`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum DistrictYear {
    /// Everything in order.
    Good,
    /// The armed forces' assessment falls short (rule 5 of 9.4 not met, with its reason).
    ForcesShort,
    /// The assessments were never entered (rule 5: not enough data).
    Lacking,
}

fn district_year(seed: u64, code: &str, year: i32, orderly: bool, short: bool) -> DistrictYear {
    if short {
        return DistrictYear::ForcesShort;
    }
    if orderly {
        return DistrictYear::Good;
    }
    match Rng::new(seed, &[code, "district", &year.to_string()]).range(0, 99) {
        0..=84 => DistrictYear::Good,
        85..=92 => DistrictYear::ForcesShort,
        _ => DistrictYear::Lacking,
    }
}

/// Why a district's armed forces fall short: the reason the assessment records (shown in the
/// verdict's trace).
pub const FORCES_SHORT_REASON: &str = "Chưa hoàn thành tốt nhiệm vụ: lực lượng dân quân thường trực chưa được kiện toàn, còn 02 vụ trộm cắp tài sản ở địa bàn giáp ranh chưa được làm rõ";

/// The facts of a district for a year: its Party committee's resolution and People's
/// Committee's plan, its counts (the sum of its communes' — `communes` are their codes), empty
/// complaint and hotspot logs, and the assessments of its direction and of its armed forces.
fn district_facts(
    seed: u64,
    code: &str,
    name: &str,
    year: i32,
    communes: &[&str],
    p: DistrictYear,
    orderly: bool,
) -> Map<String, JV> {
    let mut rng = Rng::new(seed, &[code, "district-facts", &year.to_string()]);
    let mut f = Map::new();
    for (key, lvl) in COMMUNE_COUNTS {
        let sum: i64 = communes
            .iter()
            .map(|c| count(seed, c, key, year, lvl, orderly))
            .sum();
        f.insert(key.into(), json!(sum));
    }
    let short = name
        .strip_prefix("Huyện ")
        .or_else(|| name.strip_prefix("Thị xã "))
        .or_else(|| name.strip_prefix("Thành phố "))
        .unwrap_or(name);
    f.insert(
        "party_resolution".into(),
        doc(
            format!("{}-NQ/HU", rng.range(1, 60)),
            doc_date(&mut rng, year, false),
            format!("Huyện ủy {short}"),
        ),
    );
    f.insert(
        "people_committee_plan".into(),
        doc(
            format!("{}/KH-UBND", rng.range(1, 200)),
            doc_date(&mut rng, year, false),
            format!("UBND {name}"),
        ),
    );
    f.insert("security_events".into(), json!([]));
    f.insert("mass_complaints".into(), json!([]));
    f.insert("hotspots".into(), json!([]));
    f.insert(
        "direction_assessment".into(),
        judged(
            "Cấp ủy, chính quyền huyện chỉ đạo sát sao",
            "Ban Chỉ đạo huyện",
            year,
        ),
    );
    let reviewer = "Ban Chỉ đạo tỉnh";
    let forces = match p {
        DistrictYear::ForcesShort => json!({
            "value": false, "reason": FORCES_SHORT_REASON, "reviewer": reviewer,
            "date": date(year, 11, 15).to_string()
        }),
        _ => judged(
            "Công an, Quân sự, dân quân huyện hoàn thành tốt nhiệm vụ bảo đảm an ninh, trật tự",
            reviewer,
            year,
        ),
    };
    f.insert("forces_assessment".into(), forces);
    // Outside the demo's story, most districts in order hold the recognition already (the
    // story's districts are recognised through dossiers and decisions instead).
    let mut recognitions = Vec::new();
    if !orderly && p == DistrictYear::Good && rng.chance(80) {
        recognitions.push(recognition("ntm-huyen-9.4", year, &mut rng));
    }
    f.insert("recognitions".into(), JV::Array(recognitions));
    f
}

fn recognition(standard: &str, year: i32, rng: &mut Rng) -> JV {
    json!({
        "standard": standard, "year": year,
        "decision_number": format!("{}/QĐ-UBND", rng.range(100, 3000)),
        "decision_date": date(year, 12, 10).to_string()
    })
}

/// The facts of a residential area for a year.
fn area_facts(
    seed: u64,
    code: &str,
    name: &str,
    year: i32,
    commune: Profile,
    orderly: bool,
) -> Map<String, JV> {
    let mut rng = Rng::new(seed, &[code, "area", &year.to_string()]);
    let mut f = Map::new();
    let resident = Rng::new(0, &[code, "households"]).range(60, 450) + i64::from(year % 3);
    let missing = i64::from(commune == Profile::Unregistered && rng.chance(60));
    f.insert("households_resident".into(), json!(resident));
    f.insert("households_registered".into(), json!(resident - missing));
    movement_facts(seed, code, year, resident, &mut f);
    let late = rng.chance(3);
    f.insert(
        "party_resolution".into(),
        doc(
            format!("{}-NQ/CB", rng.range(1, 20)),
            doc_date(&mut rng, year, late),
            format!("Chi bộ {name}"),
        ),
    );
    f.insert(
        "registration".into(),
        doc(
            format!("{}/ĐK", rng.range(1, 20)),
            doc_date(&mut rng, year, false),
            format!("Ban nhân dân {name}"),
        ),
    );
    f.insert("security_events".into(), json!([]));
    f.insert("hotspots".into(), json!([]));
    for (key, lvl) in [
        ("crimes_social_order", (0, 2)),
        ("crimes_drugs", (0, 1)),
        ("drug_users", (0, 2)),
        ("gambling_cases", (0, 1)),
        ("prostitution_cases", (0, 0)),
    ] {
        f.insert(
            key.into(),
            json!(count(seed, code, key, year, lvl, orderly)),
        );
    }
    f.insert(
        "implementation_assessment".into(),
        judged("Họp dân phổ biến đầy đủ", "Tổ xét duyệt", year),
    );
    f.insert(
        "movement_assessment".into(),
        judged("Phong trào toàn dân duy trì tốt", "Tổ xét duyệt", year),
    );
    let recognised = if commune == Profile::FewRecognised {
        rng.chance(50)
    } else {
        rng.chance(93) || orderly
    };
    let recognitions = if recognised {
        vec![recognition("antt-kdc", year, &mut rng)]
    } else {
        vec![]
    };
    f.insert("recognitions".into(), JV::Array(recognitions));
    f
}

/// The movement figures of a residential area, in seed 003's proportions (6.031 protection
/// teams of 18.093 members, 35.589 social-security teams of 71.178 members covering 98,8 % of
/// households): one protection team of 3 (sometimes 4), a social-security team per about 28
/// covered households with 2 members each, about 1,2 % of households left out.
fn movement_facts(seed: u64, code: &str, year: i32, resident: i64, f: &mut Map<String, JV>) {
    let mut rng = Rng::new(seed, &[code, "movement", &year.to_string()]);
    let covered = resident - rng.range(0, resident * 24 / 1000);
    let teams = (covered + 27) / 28;
    f.insert("protection_teams".into(), json!(1));
    f.insert(
        "protection_team_members".into(),
        json!(if rng.chance(10) { 4 } else { 3 }),
    );
    f.insert("social_security_teams".into(), json!(teams));
    f.insert("social_security_team_members".into(), json!(2 * teams));
    f.insert("households_covered".into(), json!(covered));
}

/// Splits a facts object into one form per catalogue group, keeping only the keys the catalogue
/// collects from this kind of unit in this year.
fn forms_of(
    cat: &Catalogue,
    kind: UnitKind,
    year: i32,
    facts: Map<String, JV>,
) -> BTreeMap<&'static str, Map<String, JV>> {
    let mut out: BTreeMap<&'static str, Map<String, JV>> = BTreeMap::new();
    for (k, v) in facts {
        if let Some(fv) = cat.version_for(&k, kind, year) {
            out.entry(fv.group.as_str()).or_default().insert(k, v);
        }
    }
    out
}

/// One unit of a year's map, as the generator sees it.
pub struct Target<'a> {
    pub id: UnitId,
    pub version: &'a Version,
    pub kind: UnitKind,
    /// For a residential area: its commune's code and id (its profile comes from it).
    pub commune: Option<(&'a str, UnitId)>,
    /// An orderly year (the demo's story): everything in order, no crime rise, no serious
    /// crime, every residential area recognised; for an area, its commune's.
    pub orderly: bool,
    /// For a district: the codes of its communes on the year's map (its counts are theirs).
    pub communes: Vec<&'a str>,
    /// For a district: its armed forces fall short this year, orderly or not (the demo's
    /// Huyện Trà Cú in 2022).
    pub short: bool,
}

/// Generated forms of one year for `targets`.
pub fn forms_for_year(
    reg: &Registry,
    seed: u64,
    year: i32,
    targets: &[Target<'_>],
) -> Vec<FormRow> {
    let cat = reg.catalogue();
    let at: DateTime<Utc> = Utc
        .with_ymd_and_hms(year, 11, 10, 2, 0, 0)
        .single()
        .unwrap_or_default();
    let y = year.to_string();
    let mut rows = Vec::new();
    for t in targets {
        let (facts, lacking) = match (t.kind, t.commune) {
            (UnitKind::Commune, _) => {
                let p = profile_of(seed, &t.version.code, &y, t.orderly);
                let f = commune_facts(seed, &t.version.code, &t.version.name, year, p, t.orderly);
                (f, p == Profile::Lacking)
            }
            (UnitKind::ResidentialArea, Some((commune, _))) => {
                let p = profile_of(seed, commune, &y, t.orderly);
                let f = area_facts(seed, &t.version.code, &t.version.name, year, p, t.orderly);
                (f, false)
            }
            (UnitKind::District, _) => {
                let v = t.version;
                let p = district_year(seed, &v.code, year, t.orderly, t.short);
                let f = district_facts(seed, &v.code, &v.name, year, &t.communes, p, t.orderly);
                (f, p == DistrictYear::Lacking)
            }
            _ => continue,
        };
        let forms = forms_of(cat, t.kind, year, facts);
        // a commune or district lacking data never entered its assessments
        for (group, data) in forms {
            if lacking && group == "assessments" {
                continue;
            }
            rows.push(row(t.id, year, group, JV::Object(data).to_string(), at));
        }
    }
    rows
}

fn row(unit_id: UnitId, year: i32, form: &str, data: String, at: DateTime<Utc>) -> FormRow {
    FormRow {
        unit_id,
        year,
        form: form.to_owned(),
        data,
        version: 1,
        status: "submitted".to_owned(),
        updated_by: None,
        updated_by_name: AUTHOR.to_owned(),
        updated_at: at,
    }
}

/// The 2019 crime baseline (Decision 926) of the communes on the map's first date.
pub fn baseline_forms(seed: u64, communes: &[(UnitId, &str)]) -> Vec<FormRow> {
    let at = Utc
        .with_ymd_and_hms(BASELINE_YEAR + 1, 1, 15, 2, 0, 0)
        .single()
        .unwrap_or_default();
    communes
        .iter()
        .map(|(id, code)| {
            let n = count(
                seed,
                code,
                "crimes_social_order",
                BASELINE_YEAR,
                (2, 14),
                false,
            );
            let data = json!({ "crimes_social_order": n }).to_string();
            row(*id, BASELINE_YEAR, "crime_social_evils", data, at)
        })
        .collect()
}

/// A stable fingerprint of generated forms (FNV-1a over unit code, year, form and data).
pub fn fingerprint(rows: &[FormRow], code_of: impl Fn(UnitId) -> String) -> String {
    let mut sorted: Vec<(String, i32, &str, &str)> = rows
        .iter()
        .map(|r| (code_of(r.unit_id), r.year, r.form.as_str(), r.data.as_str()))
        .collect();
    sorted.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (code, year, form, data) in sorted {
        for b in code
            .bytes()
            .chain(year.to_le_bytes())
            .chain(form.bytes())
            .chain(data.bytes())
            .chain([0xff])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_district_reports_its_communes_counts_and_its_own_documents() {
        let communes = ["84401", "84402", "84403"];
        let f = district_facts(
            5,
            "844",
            "Huyện Càng Long",
            2023,
            &communes,
            DistrictYear::Good,
            true,
        );
        for (key, lvl) in COMMUNE_COUNTS {
            let sum: i64 = communes
                .iter()
                .map(|c| {
                    commune_facts(5, c, "Xã", 2023, Profile::Good, true)[key]
                        .as_i64()
                        .unwrap()
                })
                .sum();
            assert_eq!(f[key], json!(sum), "{key}");
            assert_eq!(
                sum,
                communes
                    .iter()
                    .map(|c| count(5, c, key, 2023, lvl, true))
                    .sum::<i64>()
            );
        }
        assert_eq!(f["party_resolution"]["issuer"], "Huyện ủy Càng Long");
        assert_eq!(f["people_committee_plan"]["issuer"], "UBND Huyện Càng Long");
        assert!(
            f["party_resolution"]["date"]
                .as_str()
                .unwrap()
                .starts_with("2023-")
        );
        assert_eq!(f["forces_assessment"]["value"], true);
        assert_eq!(f["mass_complaints"], json!([]));
        // the story's districts are recognised through dossiers, not by the generator
        assert_eq!(f["recognitions"], json!([]));

        let short = district_facts(
            5,
            "849",
            "Huyện Trà Cú",
            2022,
            &[],
            DistrictYear::ForcesShort,
            true,
        );
        assert_eq!(short["forces_assessment"]["value"], false);
        assert_eq!(short["forces_assessment"]["reason"], FORCES_SHORT_REASON);
        assert_eq!(short["crimes_social_order"], json!(0));
    }

    #[test]
    fn district_years_follow_the_story_or_the_seed() {
        assert!(district_year(1, "849", 2022, true, true) == DistrictYear::ForcesShort);
        assert!(district_year(1, "849", 2023, true, false) == DistrictYear::Good);
        // outside the story, most districts are in order and some are not
        let years: Vec<DistrictYear> = (0..200)
            .map(|i| district_year(1, &format!("{}", 600 + i), 2024, false, false))
            .collect();
        let good = years.iter().filter(|y| **y == DistrictYear::Good).count();
        assert!((150..=190).contains(&good), "{good}");
        assert!(years.contains(&DistrictYear::ForcesShort));
        assert!(years.contains(&DistrictYear::Lacking));
    }
}
