//! View models of the unit pages, shared by the web templates and the command line: the unit
//! card with its history, the tree on a date, search results. Plain strings, already formatted
//! the Vietnamese way (dates dd/mm/yyyy, numbers 1.234).

use std::collections::BTreeSet;

use binhyen_core::text::{format_date, format_int};
use binhyen_core::units::{Atlas, EventKind, LinkView, UnitId, UnitKind};
use chrono::NaiveDate;

use super::{basis_text, event_label, kind_label, link_text, text, validity_text};

/// A unit as named on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRef {
    pub id: UnitId,
    pub code: String,
    pub name: String,
}

impl UnitRef {
    /// The unit's name on `date`, or its nearest version (its last before, else its first).
    pub fn on(atlas: &Atlas, id: UnitId, date: NaiveDate) -> UnitRef {
        let unit = atlas.unit(id);
        let v = unit.and_then(|u| {
            u.version_at(date)
                .or_else(|| u.versions.iter().rev().find(|v| v.validity.from <= date))
                .or(u.versions.first())
        });
        UnitRef {
            id,
            code: v.map(|v| v.code.clone()).unwrap_or_default(),
            name: v.map(|v| v.name.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct VersionRow {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub parent: Option<UnitRef>,
    pub validity: String,
    /// Valid on the page's date.
    pub current: bool,
}

/// A predecessor or successor, with the event that links them.
#[derive(Clone, Debug)]
pub struct LinkRow {
    pub date: String,
    pub event: String,
    pub basis: String,
    pub unit: UnitRef,
    pub detail: String,
    pub inferred: bool,
    pub note: Option<String>,
}

/// A change of the unit itself (rename, type, parent, creation, dissolution).
#[derive(Clone, Debug)]
pub struct ChangeRow {
    pub date: String,
    pub event: String,
    pub basis: String,
    pub note: Option<String>,
    pub inferred: bool,
}

/// A unit reached through lineage at another date.
#[derive(Clone, Debug)]
pub struct LinealRow {
    pub unit: UnitRef,
    pub detail: String,
    pub province: Option<String>,
}

/// Everything the unit page shows.
#[derive(Clone, Debug)]
pub struct UnitPage {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub unit_type: String,
    pub date: String,
    /// Set when the unit is not valid on the date asked (the page shows its nearest version).
    pub not_valid_note: Option<String>,
    pub lifetime: String,
    pub known_since: Option<String>,
    /// Ancestors on the date (or on the nearest version's date), province first.
    pub path: Vec<UnitRef>,
    pub census: Vec<String>,
    pub versions: Vec<VersionRow>,
    pub predecessors: Vec<LinkRow>,
    pub successors: Vec<LinkRow>,
    pub changes: Vec<ChangeRow>,
    /// For a unit that has ended: who holds its territory on the date asked.
    pub holders: Vec<LinealRow>,
    pub holders_title: String,
    pub ended_note: Option<String>,
}

fn link_rows(lang: &str, atlas: &Atlas, views: Vec<LinkView<'_>>) -> Vec<LinkRow> {
    let mut rows: Vec<LinkRow> = views
        .into_iter()
        .map(|l| {
            let around = if l.link.to == Some(l.other) {
                l.event.date
            } else {
                l.event.date.pred_opt().unwrap_or(l.event.date)
            };
            LinkRow {
                date: format_date(l.event.date),
                event: event_label(lang, l.event.kind),
                basis: basis_text(lang, l.event),
                unit: UnitRef::on(atlas, l.other, around),
                detail: link_text(lang, l.link),
                inferred: l.link.inferred,
                note: l.link.note.clone().or_else(|| l.event.note.clone()),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.date, &a.unit.code).cmp(&(&b.date, &b.unit.code)));
    rows
}

/// "7 Huyện, 1 Thành phố, 85 Xã…" under a unit on a date, levels in order.
pub fn census_text(atlas: &Atlas, id: UnitId, date: NaiveDate) -> Vec<String> {
    atlas
        .census(id, date)
        .into_iter()
        .map(|((_, t), n)| format!("{} {t}", format_int(n as i64)))
        .collect()
}

pub fn province_name(atlas: &Atlas, id: UnitId, date: NaiveDate) -> Option<String> {
    let p = atlas.ancestor_of_kind(id, date, UnitKind::Province)?;
    (p != id).then(|| UnitRef::on(atlas, p, date).name)
}

/// The unit page of `id` on `date`.
pub fn unit_page(lang: &str, atlas: &Atlas, id: UnitId, date: NaiveDate) -> Option<UnitPage> {
    let unit = atlas.unit(id)?;
    let life = unit.lifetime();
    // The version shown: the one valid on the date, else the nearest.
    let shown_date = if life.contains(date) {
        date
    } else if date < life.from {
        life.from
    } else {
        life.to.and_then(|t| t.pred_opt()).unwrap_or(life.from)
    };
    let v = unit.version_at(shown_date)?;
    let mut path: Vec<UnitRef> = atlas
        .ancestors(id, shown_date)
        .into_iter()
        .map(|a| UnitRef::on(atlas, a, shown_date))
        .collect();
    path.reverse();
    let versions = unit
        .versions
        .iter()
        .map(|x| VersionRow {
            code: x.code.clone(),
            name: x.name.clone(),
            unit_type: x.unit_type.clone(),
            parent: x.parent.map(|p| UnitRef::on(atlas, p, x.validity.from)),
            validity: validity_text(lang, &x.validity),
            current: x.validity.contains(date),
        })
        .collect();
    let changes = atlas
        .events_of(id)
        .into_iter()
        .filter(|e| {
            e.kind.keeps_identity() || matches!(e.kind, EventKind::Create | EventKind::Dissolve)
        })
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.from == Some(id) || l.to == Some(id));
            ChangeRow {
                date: format_date(e.date),
                event: event_label(lang, e.kind),
                basis: basis_text(lang, e),
                note: link.and_then(|l| l.note.clone()).or_else(|| e.note.clone()),
                inferred: link.is_some_and(|l| l.inferred),
            }
        })
        .collect();
    let successors = link_rows(lang, atlas, atlas.direct_successors(id));
    let horizon = atlas.horizon();
    let known_since = (atlas.direct_predecessors(id).is_empty() && horizon == Some(life.from))
        .then(|| {
            text(
                lang,
                "units.known_since",
                &[("date", format_date(life.from))],
            )
        });
    let (holders, holders_title) = if life.contains(date) {
        (Vec::new(), String::new())
    } else {
        let title_key = if date < life.from {
            "units.predecessors_on"
        } else {
            "units.holders_today"
        };
        let lineals = atlas.holders(id, date);
        let earliest = lineals.iter().find_map(|l| l.known_since);
        let mut title = text(lang, title_key, &[("date", format_date(date))]);
        if let Some(since) = earliest {
            title = format!(
                "{title} — {}",
                text(
                    lang,
                    "units.earliest_known",
                    &[("date", format_date(since))]
                )
            );
        }
        let rows = lineals
            .iter()
            .map(|l| {
                let at = l.known_since.unwrap_or(date);
                LinealRow {
                    unit: UnitRef::on(atlas, l.unit, at),
                    detail: link_text(
                        lang,
                        &binhyen_core::units::LineageLink {
                            from: None,
                            to: None,
                            share: l.share,
                            partial: l.partial,
                            inferred: l.inferred,
                            note: None,
                        },
                    ),
                    province: province_name(atlas, l.unit, at),
                }
            })
            .collect();
        (rows, title)
    };
    let ended_note = life.to.filter(|_| successors.is_empty()).map(|t| {
        text(
            lang,
            "units.ended_without_successor",
            &[("date", format_date(t))],
        )
    });
    Some(UnitPage {
        code: v.code.clone(),
        name: v.name.clone(),
        kind: kind_label(lang, unit.kind),
        unit_type: v.unit_type.clone(),
        date: format_date(date),
        not_valid_note: (!life.contains(date))
            .then(|| text(lang, "units.not_valid_on", &[("date", format_date(date))])),
        lifetime: validity_text(lang, &life),
        known_since,
        path,
        census: census_text(atlas, id, shown_date),
        versions,
        predecessors: link_rows(lang, atlas, atlas.direct_predecessors(id)),
        successors,
        changes,
        holders,
        holders_title,
        ended_note,
    })
}

/// One line of the tree on a date.
#[derive(Clone, Debug)]
pub struct TreeLine {
    pub depth: usize,
    pub unit: UnitRef,
    pub unit_type: String,
    pub has_children: bool,
    pub open: bool,
    /// The `open` list after clicking this line's toggle.
    pub toggle: Vec<UnitId>,
}

/// The provinces on `date`, with the units in `open` expanded (all levels when `open_all`).
pub fn tree_lines(
    atlas: &Atlas,
    root: Option<UnitId>,
    date: NaiveDate,
    open: &BTreeSet<UnitId>,
    max_depth: usize,
) -> Vec<TreeLine> {
    let mut out = Vec::new();
    let top = match root {
        Some(r) => vec![r],
        None => atlas.roots(date),
    };
    fn walk(
        atlas: &Atlas,
        id: UnitId,
        date: NaiveDate,
        depth: usize,
        open: &BTreeSet<UnitId>,
        max_depth: usize,
        out: &mut Vec<TreeLine>,
    ) {
        let children = atlas.children(id, date);
        let is_open = open.contains(&id) && depth < max_depth;
        let mut toggle = open.clone();
        if is_open {
            toggle.remove(&id);
        } else {
            toggle.insert(id);
        }
        out.push(TreeLine {
            depth,
            unit: UnitRef::on(atlas, id, date),
            unit_type: atlas
                .version_at(id, date)
                .map(|v| v.unit_type.clone())
                .unwrap_or_default(),
            has_children: !children.is_empty(),
            open: is_open,
            toggle: toggle.into_iter().collect(),
        });
        if is_open {
            for c in children {
                walk(atlas, c, date, depth + 1, open, max_depth, out);
            }
        }
    }
    for id in top {
        walk(atlas, id, date, 0, open, max_depth, &mut out);
    }
    out
}

/// Every unit under `root` down to `depth` levels, expanded (for the command line).
pub fn open_to_depth(
    atlas: &Atlas,
    root: UnitId,
    date: NaiveDate,
    depth: usize,
) -> BTreeSet<UnitId> {
    let mut open = BTreeSet::new();
    let mut frontier = vec![(root, 0usize)];
    while let Some((id, d)) = frontier.pop() {
        if d < depth {
            open.insert(id);
            frontier.extend(atlas.children(id, date).into_iter().map(|c| (c, d + 1)));
        }
    }
    open
}

/// A search result.
#[derive(Clone, Debug)]
pub struct SearchRow {
    pub unit: UnitRef,
    pub kind: String,
    pub province: Option<String>,
    pub validity: String,
}

/// Search results, at most `limit`, and how many there were.
pub fn search_rows(
    lang: &str,
    atlas: &Atlas,
    query: &str,
    date: Option<NaiveDate>,
    limit: usize,
) -> (Vec<SearchRow>, usize) {
    let hits = atlas.search(query, date);
    let total = hits.len();
    let rows = hits
        .into_iter()
        .take(limit)
        .filter_map(|h| {
            let u = atlas.unit(h.unit)?;
            let v = u.versions.get(h.version)?;
            let at = date.unwrap_or(v.validity.from);
            Some(SearchRow {
                unit: UnitRef {
                    id: u.id,
                    code: v.code.clone(),
                    name: v.name.clone(),
                },
                kind: kind_label(lang, u.kind),
                province: province_name(atlas, u.id, at),
                validity: validity_text(lang, &v.validity),
            })
        })
        .collect();
    (rows, total)
}
