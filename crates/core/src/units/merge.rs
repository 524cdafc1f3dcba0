//! An incoming dataset applied to the stored history, and the difference to save.
//!
//! A [`Dataset`] is a [`History`] whose new units carry provisional negative ids; units that
//! are already stored may be named by their ids (e.g. the commune a residential area belongs
//! to). Units are matched by their natural key (`code@first-date`), versions by their start,
//! events by kind, date and the keys of their links; so importing the same data twice changes
//! nothing. History is never deleted: a version is added or corrected, never removed.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{History, LineageEvent, LineageLink, Unit, UnitId, Version};

/// A history to import: new units have negative ids until [`merge`] gives them real ones.
pub type Dataset = History;

/// What [`merge`] added or corrected, to be written by the store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub new_units: Vec<UnitId>,
    /// (unit, start of the version)
    pub new_versions: Vec<(UnitId, NaiveDate)>,
    pub changed_versions: Vec<(UnitId, NaiveDate)>,
    /// Indices into the merged history's events.
    pub new_events: Vec<usize>,
    pub changed_events: Vec<usize>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.new_units.is_empty()
            && self.new_versions.is_empty()
            && self.changed_versions.is_empty()
            && self.new_events.is_empty()
            && self.changed_events.is_empty()
    }
}

fn same_version(a: &Version, b: &Version) -> bool {
    a.code == b.code
        && a.name == b.name
        && a.unit_type == b.unit_type
        && a.parent == b.parent
        && a.validity == b.validity
}

fn same_event(a: &LineageEvent, b: &LineageEvent) -> bool {
    a.kind == b.kind
        && a.date == b.date
        && a.legal_basis == b.legal_basis
        && a.note == b.note
        && a.links == b.links
}

/// The identity of an event across imports: kind, date and the keys of its links.
pub fn event_key(event: &LineageEvent, key_of: &impl Fn(UnitId) -> String) -> String {
    let mut links: Vec<String> = event
        .links
        .iter()
        .map(|l| {
            let k = |id: Option<UnitId>| id.map(key_of).unwrap_or_else(|| "-".to_owned());
            format!("{}>{}", k(l.from), k(l.to))
        })
        .collect();
    links.sort();
    format!("{}|{}|{}", event.kind.as_str(), event.date, links.join(","))
}

/// Applies `incoming` to `stored`: the merged history (to validate with
/// [`Atlas::build`](super::Atlas::build)) and the changes to write.
pub fn merge(stored: &History, incoming: Dataset) -> (History, Changes) {
    let mut merged = stored.clone();
    let mut changes = Changes::default();
    let mut by_key: HashMap<String, usize> = merged
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.key.clone(), i))
        .collect();
    let by_id: HashMap<UnitId, usize> = merged
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id, i))
        .collect();
    let mut next_id = merged.units.iter().map(|u| u.id).max().unwrap_or(0).max(0) + 1;

    // Real ids for the provisional ones.
    let mut remap: HashMap<UnitId, UnitId> = HashMap::new();
    let mut fresh: HashMap<String, UnitId> = HashMap::new();
    for u in &incoming.units {
        let id = if u.id > 0 && by_id.contains_key(&u.id) {
            u.id
        } else if let Some(&i) = by_key.get(&u.key) {
            merged.units[i].id
        } else if let Some(&id) = fresh.get(&u.key) {
            id
        } else {
            next_id += 1;
            fresh.insert(u.key.clone(), next_id - 1);
            next_id - 1
        };
        remap.insert(u.id, id);
    }
    let real = |id: UnitId| remap.get(&id).copied().unwrap_or(id);

    for mut unit in incoming.units {
        unit.id = real(unit.id);
        for v in &mut unit.versions {
            v.parent = v.parent.map(real);
        }
        let existing = by_key
            .get(&unit.key)
            .copied()
            .or_else(|| merged.units.iter().position(|u| u.id == unit.id));
        match existing {
            Some(i) => {
                let target = &mut merged.units[i];
                for v in unit.versions {
                    let from = v.validity.from;
                    match target.versions.iter_mut().find(|x| x.validity.from == from) {
                        Some(x) if same_version(x, &v) => {
                            if x.origin.is_none() {
                                x.origin = v.origin;
                            }
                        }
                        Some(x) => {
                            *x = v;
                            changes.changed_versions.push((target.id, from));
                        }
                        None => {
                            target.versions.push(v);
                            changes.new_versions.push((target.id, from));
                        }
                    }
                }
                target.versions.sort_by_key(|v| v.validity.from);
            }
            None => {
                changes.new_units.push(unit.id);
                for v in &unit.versions {
                    changes.new_versions.push((unit.id, v.validity.from));
                }
                by_key.insert(unit.key.clone(), merged.units.len());
                merged.units.push(unit);
            }
        }
    }

    let keys: HashMap<UnitId, String> =
        merged.units.iter().map(|u| (u.id, u.key.clone())).collect();
    let key_of = |id: UnitId| keys.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let mut event_index: HashMap<String, usize> = merged
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (event_key(e, &key_of), i))
        .collect();
    for mut event in incoming.events {
        event.links = event
            .links
            .into_iter()
            .map(|l| LineageLink {
                from: l.from.map(real),
                to: l.to.map(real),
                ..l
            })
            .collect();
        let key = event_key(&event, &key_of);
        match event_index.get(&key) {
            Some(&i) if same_event(&merged.events[i], &event) => {
                if merged.events[i].origin.is_none() {
                    merged.events[i].origin = event.origin;
                }
            }
            Some(&i) => {
                merged.events[i] = event;
                changes.changed_events.push(i);
            }
            None => {
                event_index.insert(key, merged.events.len());
                changes.new_events.push(merged.events.len());
                merged.events.push(event);
            }
        }
    }
    (merged, changes)
}

/// Allocates provisional (negative) ids for a dataset being built.
#[derive(Debug)]
pub struct Provisional {
    next: UnitId,
}

impl Default for Provisional {
    fn default() -> Self {
        Provisional { next: -1 }
    }
}

impl Provisional {
    pub fn next(&mut self) -> UnitId {
        self.next -= 1;
        self.next + 1
    }
}

/// A unit with one version, for builders.
pub fn single(id: UnitId, kind: super::UnitKind, version: Version) -> Unit {
    Unit {
        id,
        key: Unit::key_for(&version.code, version.validity.from),
        kind,
        versions: vec![version],
    }
}
