//! Search by code or by name, ignoring case, diacritics and tone placement ("hoà"/"hòa").
//!
//! Ranking: an exact name with the same diacritics (by [`tone_key`]) first, then an exact name
//! without diacritics, then the query as whole words of the name, then anywhere in the name.
//! Names are compared with and without their type prefix, so "tra vinh" is an exact match of
//! "Tỉnh Trà Vinh".

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Atlas, Unit, UnitId};
use crate::text::{fold, tone_key};

/// Type prefixes of official names, longest first ("Thành phố" before "Thị").
const PREFIXES: [&str; 9] = [
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
];

/// One search result: a unit and the version that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub unit: UnitId,
    /// Index into the unit's versions.
    pub version: usize,
    /// 0 = exact with diacritics, 1 = exact without, 2 = whole words, 3 = anywhere; codes: 0
    /// exact, 1 prefix.
    pub rank: u8,
}

#[derive(Debug, Default)]
struct Entry {
    position: usize,
    version: usize,
    /// Folded full name, padded with spaces for whole-word tests: " xa long duc ".
    full: String,
    /// Folded name without the type prefix: "long duc".
    base: String,
    full_tone: String,
    base_tone: String,
    code: String,
}

/// Precomputed search keys of every version.
#[derive(Debug, Default)]
pub(super) struct SearchIndex {
    entries: Vec<Entry>,
}

/// The name without its type prefix: "Xã Long Đức" → "Long Đức".
pub fn strip_prefix<'a>(name: &'a str, unit_type: &str) -> &'a str {
    let candidates = std::iter::once(unit_type).chain(PREFIXES);
    for p in candidates {
        if !p.is_empty()
            && let Some(rest) = name.strip_prefix(p)
            && let Some(rest) = rest.strip_prefix(' ')
            && !rest.trim().is_empty()
        {
            return rest.trim();
        }
    }
    name
}

impl SearchIndex {
    pub(super) fn build(units: &[Unit]) -> SearchIndex {
        let mut entries = Vec::new();
        for (position, u) in units.iter().enumerate() {
            for (version, v) in u.versions.iter().enumerate() {
                let base = strip_prefix(&v.name, &v.unit_type);
                entries.push(Entry {
                    position,
                    version,
                    full: format!(" {} ", fold(&v.name)),
                    base: fold(base),
                    full_tone: tone_key(&v.name),
                    base_tone: tone_key(base),
                    code: v.code.to_lowercase(),
                });
            }
        }
        SearchIndex { entries }
    }

    pub(super) fn search(&self, atlas: &Atlas, query: &str, date: Option<NaiveDate>) -> Vec<Hit> {
        let q = query.trim();
        let qf = fold(q);
        if qf.is_empty() {
            return Vec::new();
        }
        let qt = tone_key(q);
        let qcode = q.to_lowercase();
        let padded = format!(" {qf} ");
        let mut best: HashMap<usize, (u8, usize, NaiveDate)> = HashMap::new();
        for e in &self.entries {
            let unit = atlas.unit_at(e.position);
            let v = &unit.versions[e.version];
            if date.is_some_and(|d| !v.validity.contains(d)) {
                continue;
            }
            let rank = if e.code == qcode || e.base_tone == qt || e.full_tone == qt {
                0
            } else if e.code.starts_with(&qcode) || e.base == qf || e.full.trim() == qf {
                1
            } else if e.full.contains(&padded) {
                2
            } else if e.full.contains(qf.as_str()) {
                3
            } else {
                continue;
            };
            let candidate = (rank, e.version, v.validity.from);
            best.entry(e.position)
                .and_modify(|b| {
                    // Best rank; among equals the most recent version.
                    if (candidate.0, std::cmp::Reverse(candidate.2)) < (b.0, std::cmp::Reverse(b.2))
                    {
                        *b = candidate;
                    }
                })
                .or_insert(candidate);
        }
        let mut hits: Vec<(Hit, (u8, u8, String, String))> = best
            .into_iter()
            .map(|(position, (rank, version, _))| {
                let u = atlas.unit_at(position);
                let v = &u.versions[version];
                let order = (rank, u.kind as u8, fold(&v.name), v.code.clone());
                (
                    Hit {
                        unit: u.id,
                        version,
                        rank,
                    },
                    order,
                )
            })
            .collect();
        hits.sort_by(|a, b| a.1.cmp(&b.1));
        hits.into_iter().map(|(h, _)| h).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::strip_prefix;

    #[test]
    fn prefixes_are_stripped() {
        assert_eq!(strip_prefix("Xã Long Đức", "Xã"), "Long Đức");
        assert_eq!(
            strip_prefix("Thành phố Hồ Chí Minh", "Thành phố Trung ương"),
            "Hồ Chí Minh"
        );
        assert_eq!(strip_prefix("Ấp Phú Hòa", "Ấp"), "Phú Hòa");
        assert_eq!(strip_prefix("Phường 1", "Phường"), "1");
        assert_eq!(strip_prefix("Xã", "Xã"), "Xã");
    }
}
