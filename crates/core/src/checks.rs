//! Consistency checks of a unit's yearly facts — kept apart from the legal rules.
//!
//! A legal rule says whether a unit *meets* a standard; a check says whether the numbers *can be
//! right*: registered ≤ resident households, members ≥ teams, no deaths without an accident,
//! event dates inside the year, parts not above their total, and values far from the unit's own
//! history. An [`Severity::Error`] blocks submission; a [`Severity::Warning`] needs an explicit
//! confirmation. Pure: the caller passes the facts of the year and of earlier years.

use chrono::{Datelike, NaiveDate};

use crate::catalogue::{Catalogue, FieldType};
use crate::diag::Message;
use crate::fact::{Facts, Value};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One finding: its severity, the fields it concerns (catalogue keys) and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub fields: Vec<String>,
    pub message: Message,
}

/// The crime categories of the crime form: a count moved between two of them in one save is a
/// reclassification.
pub const CRIME_CATEGORIES: [&str; 5] = [
    "crimes_social_order",
    "crimes_drugs",
    "crimes_economic",
    "crimes_environment",
    "crimes_other",
];

/// `part ≤ whole` pairs: a count that is a subset of another.
const SUBSETS: [(&str, &str); 2] = [
    ("households_registered", "households_resident"),
    ("staff_briefed", "staff_total"),
];

/// `(teams, members)`: a team has at least one member.
const TEAMS: [(&str, &str); 3] = [
    ("steering_committees", "steering_committee_members"),
    ("protection_teams", "protection_team_members"),
    ("social_security_teams", "social_security_team_members"),
];

/// `(total, parts)`: a total may not be smaller than the sum of its parts (`serious_crimes` is a
/// part of every crime counted by category).
const TOTALS: [(&[&str], &str); 1] = [(&CRIME_CATEGORIES, "serious_crimes")];

/// List fields whose records are events of the year: their `date` must lie inside it.
const EVENT_LISTS: [&str; 3] = [
    "security_events",
    "mass_complaints",
    "disciplinary_measures",
];

/// A value is flagged when it is more than `HISTORY_FACTOR` × or less than 1/`HISTORY_FACTOR` of
/// the mean of the previous years, and differs from it by at least `HISTORY_MIN_DIFF`.
pub const HISTORY_FACTOR: i64 = 3;
pub const HISTORY_MIN_DIFF: i64 = 5;
/// How many earlier years the history check reads.
pub const HISTORY_YEARS: usize = 3;

fn int(cat: &Catalogue, f: &Facts, key: &str) -> Option<i64> {
    match &f.get(cat.field(key)?.id)?.value {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn finding(severity: Severity, fields: &[&str], message: Message) -> Finding {
    Finding {
        severity,
        fields: fields.iter().map(|s| (*s).to_owned()).collect(),
        message,
    }
}

fn label(cat: &Catalogue, key: &str, year: i32) -> String {
    cat.field(key)
        .map(|f| cat.label(f.id, year).get("vi").to_owned())
        .unwrap_or_else(|| key.to_owned())
}

/// Every finding on the facts of `year`; `earlier` holds the facts of previous years (any order,
/// `(year, facts)`), of which the last [`HISTORY_YEARS`] before `year` are used.
pub fn check(cat: &Catalogue, year: i32, facts: &Facts, earlier: &[(i32, &Facts)]) -> Vec<Finding> {
    let mut out = Vec::new();
    let get = |k: &str| int(cat, facts, k);
    for (part, whole) in SUBSETS {
        if let (Some(p), Some(w)) = (get(part), get(whole))
            && p > w
        {
            out.push(finding(
                Severity::Error,
                &[part, whole],
                Message::new("checks.part_above_whole")
                    .arg("part", label(cat, part, year))
                    .arg("part_value", p.to_string())
                    .arg("whole", label(cat, whole, year))
                    .arg("whole_value", w.to_string()),
            ));
        }
    }
    for (teams, members) in TEAMS {
        if let (Some(t), Some(m)) = (get(teams), get(members))
            && m < t
        {
            out.push(finding(
                Severity::Error,
                &[members, teams],
                Message::new("checks.members_below_teams")
                    .arg("members", label(cat, members, year))
                    .arg("members_value", m.to_string())
                    .arg("teams", label(cat, teams, year))
                    .arg("teams_value", t.to_string()),
            ));
        }
    }
    if get("traffic_accidents") == Some(0) {
        for victims in ["traffic_deaths", "traffic_injuries"] {
            if let Some(v) = get(victims).filter(|v| *v > 0) {
                out.push(finding(
                    Severity::Error,
                    &[victims, "traffic_accidents"],
                    Message::new("checks.victims_without_accident")
                        .arg("field", label(cat, victims, year))
                        .arg("value", v.to_string()),
                ));
            }
        }
    }
    for (parts, total) in TOTALS {
        let values: Vec<i64> = parts.iter().filter_map(|p| get(p)).collect();
        if let Some(t) = get(total)
            && !values.is_empty()
        {
            let sum: i64 = values.iter().sum();
            if t > sum && values.len() == present_parts(cat, facts, parts) {
                let mut fields = vec![total];
                fields.extend(parts.iter().copied().filter(|p| get(p).is_some()));
                out.push(finding(
                    Severity::Error,
                    &fields,
                    Message::new("checks.total_above_parts")
                        .arg("total", label(cat, total, year))
                        .arg("total_value", t.to_string())
                        .arg("sum", sum.to_string()),
                ));
            }
        }
    }
    dates(cat, year, facts, &mut out);
    history(cat, year, facts, earlier, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn present_parts(cat: &Catalogue, facts: &Facts, parts: &[&str]) -> usize {
    parts
        .iter()
        .filter(|p| int(cat, facts, p).is_some())
        .count()
}

fn in_year(d: NaiveDate, year: i32) -> bool {
    d.year() == year
}

fn dates(cat: &Catalogue, year: i32, facts: &Facts, out: &mut Vec<Finding>) {
    for (id, entry) in facts.iter() {
        let field = cat.by_id(id);
        let key = field.key.as_str();
        match (&field.ty, &entry.value) {
            (FieldType::Document, Value::Document(d)) if !in_year(d.date, year) => {
                out.push(finding(
                    Severity::Warning,
                    &[key],
                    Message::new("checks.document_other_year")
                        .arg("field", label(cat, key, year))
                        .arg("date", crate::text::format_date(d.date))
                        .arg("year", year.to_string()),
                ));
            }
            (FieldType::List { record }, Value::List(records)) => {
                let date_ix = record.index("date");
                let opened = record.index("opened");
                let cleared = record.index("cleared");
                for (n, r) in records.iter().enumerate() {
                    let date_of = |i: Option<usize>| match i.and_then(|i| r.fields[i].as_ref()) {
                        Some(Value::Date(d)) => Some(*d),
                        _ => None,
                    };
                    if EVENT_LISTS.contains(&key)
                        && let Some(d) = date_of(date_ix)
                        && !in_year(d, year)
                    {
                        out.push(finding(
                            Severity::Error,
                            &[key],
                            Message::new("checks.event_outside_year")
                                .arg("field", label(cat, key, year))
                                .arg("row", (n + 1).to_string())
                                .arg("date", crate::text::format_date(d))
                                .arg("year", year.to_string()),
                        ));
                    }
                    if let (Some(o), Some(c)) = (date_of(opened), date_of(cleared))
                        && c < o
                    {
                        out.push(finding(
                            Severity::Error,
                            &[key],
                            Message::new("checks.cleared_before_opened")
                                .arg("field", label(cat, key, year))
                                .arg("row", (n + 1).to_string())
                                .arg("opened", crate::text::format_date(o))
                                .arg("cleared", crate::text::format_date(c)),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `value` is far from `mean` (see [`HISTORY_FACTOR`], [`HISTORY_MIN_DIFF`]); the mean
/// is given as `sum / n` to stay in integers.
pub fn far_from(value: i64, sum: i64, n: i64) -> bool {
    if n <= 0 {
        return false;
    }
    let diff = (value * n - sum).abs();
    if diff < HISTORY_MIN_DIFF * n {
        return false;
    }
    value * n > HISTORY_FACTOR * sum || value * n * HISTORY_FACTOR < sum
}

fn history(
    cat: &Catalogue,
    year: i32,
    facts: &Facts,
    earlier: &[(i32, &Facts)],
    out: &mut Vec<Finding>,
) {
    let mut previous: Vec<&(i32, &Facts)> = earlier
        .iter()
        .filter(|(y, _)| *y < year && *y >= year - HISTORY_YEARS as i32)
        .collect();
    previous.sort_by_key(|(y, _)| *y);
    if previous.is_empty() {
        return;
    }
    for (id, entry) in facts.iter() {
        let Value::Int(v) = entry.value else { continue };
        let past: Vec<i64> = previous
            .iter()
            .filter_map(|(_, f)| match f.get(id).map(|e| &e.value) {
                Some(Value::Int(i)) => Some(*i),
                _ => None,
            })
            .collect();
        if past.is_empty() {
            continue;
        }
        let (sum, n) = (past.iter().sum::<i64>(), past.len() as i64);
        if far_from(v, sum, n) {
            let key = cat.by_id(id).key.as_str();
            out.push(finding(
                Severity::Warning,
                &[key],
                Message::new("checks.far_from_history")
                    .arg("field", label(cat, key, year))
                    .arg("value", crate::text::format_int(v))
                    .arg("mean", crate::text::format_ratio(sum, n, 1))
                    .arg("years", n.to_string()),
            ));
        }
    }
}

/// A count moved from one crime category to another in one save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
    pub count: i64,
}

/// The reclassifications a save makes: decreases of some categories matched, in category order,
/// with increases of others. `old` and `new` give each category's count (missing = 0).
pub fn reclassifications(old: &[(&str, i64)], new: &[(&str, i64)]) -> Vec<Move> {
    let value = |list: &[(&str, i64)], k: &str| {
        list.iter()
            .find(|(key, _)| *key == k)
            .map_or(0, |(_, v)| *v)
    };
    let mut keys: Vec<&str> = old.iter().chain(new).map(|(k, _)| *k).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut down: Vec<(&str, i64)> = vec![];
    let mut up: Vec<(&str, i64)> = vec![];
    for k in keys {
        let d = value(new, k) - value(old, k);
        if d < 0 {
            down.push((k, -d));
        } else if d > 0 {
            up.push((k, d));
        }
    }
    let mut moves = vec![];
    let (mut i, mut j) = (0, 0);
    while i < down.len() && j < up.len() {
        let count = down[i].1.min(up[j].1);
        moves.push(Move {
            from: down[i].0.to_owned(),
            to: up[j].0.to_owned(),
            count,
        });
        down[i].1 -= count;
        up[j].1 -= count;
        if down[i].1 == 0 {
            i += 1;
        }
        if up[j].1 == 0 {
            j += 1;
        }
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::Registry;
    use proptest::prelude::*;

    fn facts(reg: &Registry, values: &[(&str, i64)]) -> Facts {
        let cat = reg.catalogue();
        let mut f = Facts::new();
        for (k, v) in values {
            f.set_value(cat.field(k).unwrap().id, Value::Int(*v));
        }
        f
    }

    fn keys(found: &[Finding], severity: Severity) -> Vec<String> {
        found
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| f.fields[0].clone())
            .collect()
    }

    #[test]
    fn households_members_and_accidents() {
        let reg = Registry::with_builtin(&[]).unwrap();
        let cat = reg.catalogue();
        let f = facts(
            &reg,
            &[
                ("households_resident", 100),
                ("households_registered", 101),
                ("protection_teams", 3),
                ("protection_team_members", 2),
                ("social_security_teams", 2),
                ("social_security_team_members", 2),
                ("traffic_accidents", 0),
                ("traffic_deaths", 1),
                ("traffic_injuries", 0),
            ],
        );
        let found = check(cat, 2024, &f, &[]);
        assert_eq!(
            keys(&found, Severity::Error),
            [
                "households_registered",
                "protection_team_members",
                "traffic_deaths"
            ]
        );
        assert!(
            found[0].message.render("vi").contains("101"),
            "{}",
            found[0].message.render("vi")
        );
        // At the boundary: equal counts are consistent.
        let ok = facts(
            &reg,
            &[
                ("households_resident", 100),
                ("households_registered", 100),
                ("protection_teams", 3),
                ("protection_team_members", 3),
                ("traffic_accidents", 1),
                ("traffic_deaths", 4),
            ],
        );
        assert!(check(cat, 2024, &ok, &[]).is_empty());
    }

    #[test]
    fn serious_crimes_above_the_categories() {
        let reg = Registry::with_builtin(&[]).unwrap();
        let cat = reg.catalogue();
        let mut values = vec![("serious_crimes", 4)];
        values.extend(CRIME_CATEGORIES.iter().map(|k| (*k, 0)));
        values[1].1 = 3;
        let found = check(cat, 2024, &facts(&reg, &values), &[]);
        assert_eq!(keys(&found, Severity::Error), ["serious_crimes"]);
        values[2].1 = 1;
        assert!(check(cat, 2024, &facts(&reg, &values), &[]).is_empty());
    }

    #[test]
    fn values_far_from_history_are_warnings() {
        let reg = Registry::with_builtin(&[]).unwrap();
        let cat = reg.catalogue();
        let past = [
            facts(&reg, &[("drug_users", 4), ("gambling_cases", 1)]),
            facts(&reg, &[("drug_users", 5), ("gambling_cases", 1)]),
            facts(&reg, &[("drug_users", 6), ("gambling_cases", 1)]),
        ];
        let earlier: Vec<(i32, &Facts)> =
            vec![(2021, &past[0]), (2022, &past[1]), (2023, &past[2])];
        // mean 5: 16 > 15 and differs by 11 → warning; gambling 4 vs 1 is > 3× but only 3 apart.
        let now = facts(&reg, &[("drug_users", 16), ("gambling_cases", 4)]);
        let found = check(cat, 2024, &now, &earlier);
        assert_eq!(keys(&found, Severity::Warning), ["drug_users"]);
        assert!(found[0].message.render("vi").contains("16"));
        let same = facts(&reg, &[("drug_users", 15)]);
        assert!(check(cat, 2024, &same, &earlier).is_empty());
        // Years older than three years before are not read.
        let old: Vec<(i32, &Facts)> = vec![(2019, &past[0])];
        assert!(check(cat, 2024, &now, &old).is_empty());
    }

    #[test]
    fn reclassification_pairs_decreases_with_increases() {
        let moves = reclassifications(
            &[("crimes_social_order", 5), ("crimes_drugs", 1)],
            &[("crimes_social_order", 3), ("crimes_drugs", 3)],
        );
        assert_eq!(
            moves,
            [Move {
                from: "crimes_social_order".into(),
                to: "crimes_drugs".into(),
                count: 2
            }]
        );
        assert!(reclassifications(&[("crimes_drugs", 1)], &[("crimes_drugs", 3)]).is_empty());
    }

    proptest! {
        #[test]
        fn moves_never_exceed_the_changes(old in proptest::collection::vec(0i64..50, 5),
                                          new in proptest::collection::vec(0i64..50, 5)) {
            let o: Vec<(&str, i64)> = CRIME_CATEGORIES.iter().copied().zip(old.iter().copied()).collect();
            let n: Vec<(&str, i64)> = CRIME_CATEGORIES.iter().copied().zip(new.iter().copied()).collect();
            let moves = reclassifications(&o, &n);
            let down: i64 = old.iter().zip(&new).map(|(a, b)| (a - b).max(0)).sum();
            let up: i64 = old.iter().zip(&new).map(|(a, b)| (b - a).max(0)).sum();
            let moved: i64 = moves.iter().map(|m| m.count).sum();
            prop_assert_eq!(moved, down.min(up));
            for m in &moves {
                prop_assert!(m.count > 0);
                prop_assert_ne!(&m.from, &m.to);
            }
        }

        #[test]
        fn far_from_is_symmetric_in_scale(v in 0i64..10_000, mean in 0i64..10_000) {
            // Within a factor of 3 of the mean is never flagged.
            if v * HISTORY_FACTOR >= mean && v <= HISTORY_FACTOR * mean {
                prop_assert!(!far_from(v, mean, 1));
            }
            // Close values are never flagged.
            if (v - mean).abs() < HISTORY_MIN_DIFF {
                prop_assert!(!far_from(v, mean, 1));
            }
        }
    }
}
