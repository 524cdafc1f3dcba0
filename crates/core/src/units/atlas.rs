//! The atlas: units and lineage as a validated temporal graph, with the questions the
//! product asks of it (always "on a date").

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::problem::{Problem, ProblemKind};
use super::search::SearchIndex;
use super::{
    EventKind, History, LineageEvent, LineageLink, Unit, UnitId, UnitKind, Validity, Version,
};

/// Where a link sits: event index and link index within the event.
#[derive(Clone, Copy, Debug)]
struct LinkRef {
    event: usize,
    link: usize,
}

/// The validated, indexed map through time. Build it with [`Atlas::build`]; it never changes
/// afterwards (an import builds a new one).
#[derive(Debug, Default)]
pub struct Atlas {
    units: Vec<Unit>,
    pos: HashMap<UnitId, usize>,
    events: Vec<LineageEvent>,
    /// Per unit: links that lead into it from another unit.
    incoming: Vec<Vec<LinkRef>>,
    /// Per unit: links that lead from it to another unit.
    outgoing: Vec<Vec<LinkRef>>,
    /// Per unit: every event that names it, oldest first.
    touching: Vec<Vec<usize>>,
    /// Parent id → (child position, version index), sorted by the child's code.
    children: HashMap<UnitId, Vec<(usize, usize)>>,
    /// Versions without a parent (provinces), sorted by code.
    roots: Vec<(usize, usize)>,
    /// Code → (unit position, version index).
    by_code: HashMap<String, Vec<(usize, usize)>>,
    search: SearchIndex,
    build_id: u64,
    /// The first day of the stored map (the earliest unit's start), computed once.
    horizon: Option<NaiveDate>,
}

/// A unit reached through lineage: a predecessor at an earlier date or a holder at a later one.
#[derive(Clone, Debug, PartialEq)]
pub struct Lineal {
    pub unit: UnitId,
    /// Only part of it is concerned (một phần) on every path that reaches it.
    pub partial: bool,
    /// The share, when every link on the way says it.
    pub share: Option<f64>,
    /// Some link on the way was inferred.
    pub inferred: bool,
    /// Set when the map before this date is not known: the unit is the earliest known one,
    /// not necessarily the unit of the date asked.
    pub known_since: Option<NaiveDate>,
}

/// One direct lineage link seen from a unit.
#[derive(Clone, Copy, Debug)]
pub struct LinkView<'a> {
    pub event: &'a LineageEvent,
    pub link: &'a LineageLink,
    /// The unit at the other end (predecessor or successor).
    pub other: UnitId,
}

/// A node of the tree on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeNode {
    pub unit: UnitId,
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// Counts the nodes of this subtree (itself excluded) that satisfy `f`.
    pub fn count(&self, f: &impl Fn(UnitId) -> bool) -> usize {
        self.children
            .iter()
            .map(|c| usize::from(f(c.unit)) + c.count(f))
            .sum()
    }
}

fn overlap(a: &Validity, b: &Validity) -> Option<Validity> {
    if !a.overlaps(b) {
        return None;
    }
    let to = match (a.to, b.to) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    };
    Some(Validity {
        from: a.from.max(b.from),
        to,
    })
}

fn covers(outer: &Validity, inner: &Validity) -> bool {
    outer.from <= inner.from
        && match (outer.to, inner.to) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(i)) => i <= o,
        }
}

impl Atlas {
    /// An atlas with no units (before the first import).
    pub fn empty() -> Atlas {
        Atlas::default()
    }

    /// Validates `history` and indexes it. Every problem found is returned: overlapping or
    /// gapped versions, a code used by two units on one date, a parent that is unknown, of the
    /// wrong kind or not valid over the version, lineage naming a unit that does not exist on
    /// the event's date, a whole merge whose predecessor goes on, and cycles.
    pub fn build(history: History) -> Result<Atlas, Vec<Problem>> {
        let History { mut units, events } = history;
        for u in &mut units {
            u.versions.sort_by_key(|v| v.validity.from);
        }
        units.sort_by_key(|u| u.id);
        let pos: HashMap<UnitId, usize> =
            units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut problems = Vec::new();
        check_versions(&units, &mut problems);
        let by_code = check_codes(&units, &mut problems);
        check_parents(&units, &pos, &mut problems);
        let (incoming, outgoing, touching) = check_links(&units, &pos, &events, &mut problems);
        check_cycles(&units, &outgoing, &events, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }

        let mut children: HashMap<UnitId, Vec<(usize, usize)>> = HashMap::new();
        let mut roots = Vec::new();
        for (p, u) in units.iter().enumerate() {
            for (vi, v) in u.versions.iter().enumerate() {
                match v.parent {
                    Some(parent) => children.entry(parent).or_default().push((p, vi)),
                    None => roots.push((p, vi)),
                }
            }
        }
        let code_of = |&(p, vi): &(usize, usize)| units[p].versions[vi].code.clone();
        for list in children.values_mut() {
            list.sort_by_cached_key(code_of);
        }
        roots.sort_by_cached_key(code_of);
        let search = SearchIndex::build(&units);
        let horizon = units.iter().map(|u| u.lifetime().from).min();
        Ok(Atlas {
            units,
            pos,
            events,
            incoming,
            outgoing,
            touching,
            children,
            roots,
            by_code,
            search,
            build_id: crate::build_id(),
            horizon,
        })
    }

    /// This map's identity in the process (a map rebuilt after an import has another):
    /// results memoised from it are keyed by it.
    pub fn build_id(&self) -> u64 {
        self.build_id
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn events(&self) -> &[LineageEvent] {
        &self.events
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The plain data back, e.g. to merge an import into it.
    pub fn into_history(self) -> History {
        History {
            units: self.units,
            events: self.events,
        }
    }

    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.pos.get(&id).map(|&p| &self.units[p])
    }

    pub(super) fn unit_at(&self, position: usize) -> &Unit {
        &self.units[position]
    }

    pub fn version_at(&self, id: UnitId, date: NaiveDate) -> Option<&Version> {
        self.unit(id)?.version_at(date)
    }

    /// The earliest date the map knows (the start of the oldest version).
    pub fn horizon(&self) -> Option<NaiveDate> {
        self.horizon
    }

    /// The unit that carries `code` on `date` (codes are unique per date).
    pub fn find_code(&self, code: &str, date: NaiveDate) -> Option<UnitId> {
        self.by_code.get(code)?.iter().find_map(|&(p, vi)| {
            let u = &self.units[p];
            u.versions[vi].validity.contains(date).then_some(u.id)
        })
    }

    /// Every unit that ever carried `code`, most recent first.
    pub fn units_with_code(&self, code: &str) -> Vec<UnitId> {
        let mut list: Vec<(NaiveDate, UnitId)> = self
            .by_code
            .get(code)
            .into_iter()
            .flatten()
            .map(|&(p, vi)| (self.units[p].versions[vi].validity.from, self.units[p].id))
            .collect();
        list.sort_by(|a, b| b.cmp(a));
        let mut seen = HashSet::new();
        list.into_iter()
            .filter(|(_, id)| seen.insert(*id))
            .map(|(_, id)| id)
            .collect()
    }

    /// Units without a parent on `date` (the provinces), by code.
    pub fn roots(&self, date: NaiveDate) -> Vec<UnitId> {
        self.alive(&self.roots, date)
    }

    /// Children of `id` on `date`, by code.
    pub fn children(&self, id: UnitId, date: NaiveDate) -> Vec<UnitId> {
        self.children
            .get(&id)
            .map(|list| self.alive(list, date))
            .unwrap_or_default()
    }

    fn alive(&self, list: &[(usize, usize)], date: NaiveDate) -> Vec<UnitId> {
        list.iter()
            .filter(|&&(p, vi)| self.units[p].versions[vi].validity.contains(date))
            .map(|&(p, _)| self.units[p].id)
            .collect()
    }

    pub fn parent_at(&self, id: UnitId, date: NaiveDate) -> Option<UnitId> {
        self.version_at(id, date)?.parent
    }

    /// Parent, grandparent… of `id` on `date`, nearest first.
    pub fn ancestors(&self, id: UnitId, date: NaiveDate) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut cur = self.parent_at(id, date);
        while let Some(p) = cur {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cur = self.parent_at(p, date);
        }
        out
    }

    /// The ancestor (or the unit itself) of `kind` on `date`.
    pub fn ancestor_of_kind(&self, id: UnitId, date: NaiveDate, kind: UnitKind) -> Option<UnitId> {
        std::iter::once(id)
            .chain(self.ancestors(id, date))
            .find(|&u| self.unit(u).is_some_and(|u| u.kind == kind))
    }

    /// The tree on `date` under `root` (or under every province), `depth` levels deep.
    pub fn tree(&self, root: Option<UnitId>, date: NaiveDate, depth: usize) -> Vec<TreeNode> {
        let top = match root {
            Some(r) => self.children(r, date),
            None => self.roots(date),
        };
        top.into_iter()
            .map(|u| self.subtree(u, date, depth.saturating_sub(1)))
            .collect()
    }

    fn subtree(&self, unit: UnitId, date: NaiveDate, depth: usize) -> TreeNode {
        let children = if depth == 0 {
            Vec::new()
        } else {
            self.children(unit, date)
                .into_iter()
                .map(|c| self.subtree(c, date, depth - 1))
                .collect()
        };
        TreeNode { unit, children }
    }

    /// How many units of each kind and type lie under `id` on `date`, all levels down:
    /// Tỉnh Trà Vinh on 01/06/2025 → 7 Huyện, 1 Thành phố, 1 Thị xã, 85 Xã, 9 Phường, 10 Thị trấn.
    pub fn census(&self, id: UnitId, date: NaiveDate) -> BTreeMap<(UnitKind, String), usize> {
        let mut out = BTreeMap::new();
        let mut stack = self.children(id, date);
        while let Some(u) = stack.pop() {
            if let (Some(unit), Some(v)) = (self.unit(u), self.version_at(u, date)) {
                *out.entry((unit.kind, v.unit_type.clone())).or_default() += 1;
            }
            stack.extend(self.children(u, date));
        }
        out
    }

    /// How many units of `kind` (and of `unit_type`, when given) lie under `id` on `date`:
    /// the communes of a province, the wards of a city.
    pub fn count_under(
        &self,
        id: UnitId,
        date: NaiveDate,
        kind: UnitKind,
        unit_type: Option<&str>,
    ) -> usize {
        self.census(id, date)
            .iter()
            .filter(|((k, t), _)| *k == kind && unit_type.is_none_or(|u| u == t))
            .map(|(_, n)| n)
            .sum()
    }

    /// Every event that names `id`, in date order.
    pub fn events_of(&self, id: UnitId) -> Vec<&LineageEvent> {
        self.pos
            .get(&id)
            .map(|&p| self.touching[p].iter().map(|&e| &self.events[e]).collect())
            .unwrap_or_default()
    }

    fn views(&self, refs: &[LinkRef], incoming: bool) -> Vec<LinkView<'_>> {
        refs.iter()
            .filter_map(|r| {
                let event = &self.events[r.event];
                let link = &event.links[r.link];
                let other = if incoming { link.from } else { link.to }?;
                Some(LinkView { event, link, other })
            })
            .collect()
    }

    /// The direct predecessors of `id`: links from other units into it.
    pub fn direct_predecessors(&self, id: UnitId) -> Vec<LinkView<'_>> {
        self.pos
            .get(&id)
            .map(|&p| self.views(&self.incoming[p], true))
            .unwrap_or_default()
    }

    /// The direct successors of `id`: links from it to other units.
    pub fn direct_successors(&self, id: UnitId) -> Vec<LinkView<'_>> {
        self.pos
            .get(&id)
            .map(|&p| self.views(&self.outgoing[p], false))
            .unwrap_or_default()
    }

    /// The units that made up `id` on the earlier date `at`, through every merge and split in
    /// between (transitively). A unit valid on `at` is its own answer. When the map does not
    /// reach back to `at`, the earliest known units are returned with `known_since` set.
    pub fn predecessors(&self, id: UnitId, at: NaiveDate) -> Vec<Lineal> {
        let Some(&start) = self.pos.get(&id) else {
            return Vec::new();
        };
        let mut found = BTreeMap::new();
        self.walk_back(start, at, Step::SELF, &mut found, &mut Vec::new());
        found.into_values().collect()
    }

    fn walk_back(
        &self,
        p: usize,
        at: NaiveDate,
        step: Step,
        found: &mut BTreeMap<UnitId, Lineal>,
        path: &mut Vec<usize>,
    ) {
        let life = self.units[p].lifetime();
        if life.from <= at || path.contains(&p) {
            step.record(self.units[p].id, None, found);
            return;
        }
        let links: Vec<LinkRef> = self.incoming[p].clone();
        if links.is_empty() {
            step.record(self.units[p].id, Some(life.from), found);
            return;
        }
        path.push(p);
        for r in links {
            let link = &self.events[r.event].links[r.link];
            if let Some(from) = link.from.and_then(|f| self.pos.get(&f)) {
                self.walk_back(*from, at, step.then(link), found, path);
            }
        }
        path.pop();
    }

    /// The units that held the territory of `id` on `on`: itself if it is valid then, its
    /// successors (transitively) for a later date, its predecessors for an earlier one. A unit
    /// dissolved without successors (a district on 01/07/2025) is held by the holders of its
    /// last children, each partially.
    pub fn holders(&self, id: UnitId, on: NaiveDate) -> Vec<Lineal> {
        let Some(&start) = self.pos.get(&id) else {
            return Vec::new();
        };
        let life = self.units[start].lifetime();
        if on < life.from {
            return self.predecessors(id, on);
        }
        let mut found = BTreeMap::new();
        self.walk_forward(start, on, Step::SELF, &mut found, &mut Vec::new());
        found.into_values().collect()
    }

    fn walk_forward(
        &self,
        p: usize,
        on: NaiveDate,
        step: Step,
        found: &mut BTreeMap<UnitId, Lineal>,
        path: &mut Vec<usize>,
    ) {
        let unit = &self.units[p];
        let life = unit.lifetime();
        if life.contains(on) {
            step.record(unit.id, None, found);
            return;
        }
        let Some(end) = life.to.filter(|_| !path.contains(&p)) else {
            return;
        };
        path.push(p);
        if !self.outgoing[p].is_empty() {
            for r in self.outgoing[p].clone() {
                let link = &self.events[r.event].links[r.link];
                if let Some(to) = link.to.and_then(|t| self.pos.get(&t)) {
                    self.walk_forward(*to, on, step.then(link), found, path);
                }
            }
        } else if let Some(last_day) = end.pred_opt() {
            let part = Step {
                partial: true,
                ..step
            };
            for child in self.children(unit.id, last_day) {
                self.walk_forward(
                    self.pos[&child],
                    on,
                    Step {
                        share: None,
                        ..part
                    },
                    found,
                    path,
                );
            }
        }
        path.pop();
    }

    /// Whether `unit` lies within `scope`: at some date of its life it is the scope, or a
    /// descendant of the scope or of one of the scope's transitive predecessors. This is the
    /// territory check (a user of the new Tỉnh Vĩnh Long sees the communes of the former Tỉnh
    /// Trà Vinh; a user of the former Trà Vinh does not see the new communes formed only from
    /// former Vĩnh Long communes).
    pub fn within(&self, scope: UnitId, unit: UnitId) -> bool {
        let (Some(&s), Some(&u)) = (self.pos.get(&scope), self.pos.get(&unit)) else {
            return false;
        };
        let mut scopes = HashSet::from([s]);
        let mut stack = vec![s];
        while let Some(p) = stack.pop() {
            for r in &self.incoming[p] {
                if let Some(f) = self.events[r.event].links[r.link]
                    .from
                    .and_then(|f| self.pos.get(&f))
                    && scopes.insert(*f)
                {
                    stack.push(*f);
                }
            }
        }
        let mut frontier = vec![(u, self.units[u].lifetime())];
        let mut steps = 0;
        while let Some((p, span)) = frontier.pop() {
            if scopes.contains(&p) {
                return true;
            }
            steps += 1;
            if steps > 10_000 {
                break;
            }
            for v in &self.units[p].versions {
                if let (Some(parent), Some(part)) = (v.parent, overlap(&v.validity, &span))
                    && let Some(&pp) = self.pos.get(&parent)
                {
                    frontier.push((pp, part));
                }
            }
        }
        false
    }

    /// Units whose name or code matches `query`, ignoring case, diacritics and tone placement;
    /// valid on `date`, or at any time when `date` is `None`. Best matches first.
    pub fn search(&self, query: &str, date: Option<NaiveDate>) -> Vec<super::Hit> {
        self.search.search(self, query, date)
    }
}

/// What a path through lineage has accumulated.
#[derive(Clone, Copy, Debug)]
struct Step {
    partial: bool,
    share: Option<f64>,
    inferred: bool,
}

impl Step {
    const SELF: Step = Step {
        partial: false,
        share: Some(1.0),
        inferred: false,
    };

    fn then(self, link: &LineageLink) -> Step {
        let link_share = link.share.or(if link.partial { None } else { Some(1.0) });
        Step {
            partial: self.partial || link.partial,
            share: self.share.zip(link_share).map(|(a, b)| a * b),
            inferred: self.inferred || link.inferred,
        }
    }

    /// Adds the unit to `found`; reached by several paths it is partial only if every path is,
    /// and its share is the sum of the shares when all are known.
    fn record(
        self,
        unit: UnitId,
        known_since: Option<NaiveDate>,
        found: &mut BTreeMap<UnitId, Lineal>,
    ) {
        let share = if self.partial || self.share != Some(1.0) {
            self.share
        } else {
            None
        };
        found
            .entry(unit)
            .and_modify(|l| {
                let whole = |s: Option<f64>| s.is_none_or(|s| s >= 1.0 - 1e-9);
                let before = l.share.or((!l.partial).then_some(1.0));
                let sum = before
                    .zip(share.or((!self.partial).then_some(1.0)))
                    .map(|(a, b)| (a + b).min(1.0));
                l.partial = l.partial && self.partial && !(sum.is_some() && whole(sum));
                l.share = if l.partial { sum } else { None };
                l.inferred |= self.inferred;
            })
            .or_insert(Lineal {
                unit,
                partial: self.partial,
                share,
                inferred: self.inferred,
                known_since,
            });
    }
}

fn check_versions(units: &[Unit], problems: &mut Vec<Problem>) {
    for u in units {
        for v in &u.versions {
            if let Some(to) = v.validity.to
                && to <= v.validity.from
            {
                problems.push(Problem::at(
                    v.origin.as_ref(),
                    ProblemKind::DateOrder {
                        from: v.validity.from,
                        to: to.pred_opt().unwrap_or(to),
                    },
                ));
            }
        }
        for pair in u.versions.windows(2) {
            if pair[0].validity.to != Some(pair[1].validity.from) {
                problems.push(Problem::at(
                    pair[1].origin.as_ref(),
                    ProblemKind::VersionOrder {
                        code: pair[1].code.clone(),
                        date: pair[1].validity.from,
                    },
                ));
            }
        }
    }
}

fn check_codes(
    units: &[Unit],
    problems: &mut Vec<Problem>,
) -> HashMap<String, Vec<(usize, usize)>> {
    let mut by_code: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (p, u) in units.iter().enumerate() {
        for (vi, v) in u.versions.iter().enumerate() {
            by_code.entry(v.code.clone()).or_default().push((p, vi));
        }
    }
    for (code, list) in by_code.iter_mut() {
        list.sort_by_key(|&(p, vi)| units[p].versions[vi].validity.from);
        // The entry valid the longest so far: any later entry starting before its end overlaps.
        let mut reach: Option<(usize, usize)> = None;
        for &(p, vi) in list.iter() {
            let v = &units[p].versions[vi];
            if let Some((rp, rvi)) = reach {
                let r = &units[rp].versions[rvi];
                if rp != p && r.validity.overlaps(&v.validity) {
                    let kind = if r.validity.from == v.validity.from {
                        ProblemKind::DuplicateCode {
                            code: code.clone(),
                            date: v.validity.from,
                        }
                    } else {
                        ProblemKind::CodeOverlap {
                            code: code.clone(),
                            from: r.validity.from,
                            to: r.validity.to,
                        }
                    };
                    problems.push(Problem::at(v.origin.as_ref().or(r.origin.as_ref()), kind));
                }
                let longer = match (r.validity.to, v.validity.to) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(a), Some(b)) => b > a,
                };
                if longer {
                    reach = Some((p, vi));
                }
            } else {
                reach = Some((p, vi));
            }
        }
    }
    by_code
}

fn check_parents(units: &[Unit], pos: &HashMap<UnitId, usize>, problems: &mut Vec<Problem>) {
    for u in units {
        for v in &u.versions {
            let Some(parent) = v.parent else {
                if u.kind != UnitKind::Province {
                    problems.push(Problem::at(
                        v.origin.as_ref(),
                        ProblemKind::UnknownParent {
                            code: String::new(),
                            date: v.validity.from,
                        },
                    ));
                }
                continue;
            };
            let Some(&pp) = pos.get(&parent) else {
                problems.push(Problem::at(
                    v.origin.as_ref(),
                    ProblemKind::UnknownParent {
                        code: format!("#{parent}"),
                        date: v.validity.from,
                    },
                ));
                continue;
            };
            let pu = &units[pp];
            let parent_code = pu
                .version_at(v.validity.from)
                .unwrap_or_else(|| pu.last())
                .code
                .clone();
            if !u.kind.allows_parent(pu.kind) {
                problems.push(Problem::at(
                    v.origin.as_ref(),
                    ProblemKind::ParentKind {
                        code: v.code.clone(),
                        parent_code,
                    },
                ));
                continue;
            }
            let life = pu.lifetime();
            if !covers(&life, &v.validity) {
                let date = if life.from > v.validity.from {
                    v.validity.from
                } else {
                    life.to.unwrap_or(v.validity.from)
                };
                problems.push(Problem::at(
                    v.origin.as_ref(),
                    ProblemKind::ParentNotValid {
                        code: v.code.clone(),
                        parent_code,
                        date,
                    },
                ));
            }
        }
    }
}

type LinkIndex = (Vec<Vec<LinkRef>>, Vec<Vec<LinkRef>>, Vec<Vec<usize>>);

fn check_links(
    units: &[Unit],
    pos: &HashMap<UnitId, usize>,
    events: &[LineageEvent],
    problems: &mut Vec<Problem>,
) -> LinkIndex {
    let n = units.len();
    let (mut incoming, mut outgoing, mut touching) = (
        vec![Vec::new(); n],
        vec![Vec::new(); n],
        vec![Vec::new(); n],
    );
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&e| events[e].date);
    for e in order {
        let event = &events[e];
        let before = event.date.pred_opt().unwrap_or(event.date);
        let mut named = Vec::new();
        for (li, link) in event.links.iter().enumerate() {
            let mut resolve = |id: Option<UnitId>, day: NaiveDate| -> Option<usize> {
                let id = id?;
                match pos.get(&id) {
                    Some(&p) => {
                        let u = &units[p];
                        if !u.lifetime().contains(day) {
                            let code = u.version_at(day).unwrap_or_else(|| u.last()).code.clone();
                            problems.push(Problem::at(
                                event.origin.as_ref(),
                                ProblemKind::LinkNotValid {
                                    code,
                                    date: event.date,
                                },
                            ));
                        }
                        Some(p)
                    }
                    None => {
                        problems.push(Problem::at(
                            event.origin.as_ref(),
                            ProblemKind::MissingUnit {
                                code: format!("#{id}"),
                                date: day,
                            },
                        ));
                        None
                    }
                }
            };
            let from = resolve(link.from, before);
            let to = resolve(link.to, event.date);
            let r = LinkRef { event: e, link: li };
            if let Some(f) = from {
                named.push(f);
                let ends_here = units[f].lifetime().to == Some(event.date);
                let whole_elsewhere = to.is_some_and(|t| t != f) && !link.partial;
                let dissolved = event.kind == EventKind::Dissolve;
                if (whole_elsewhere || dissolved) && !ends_here {
                    problems.push(Problem::at(
                        event.origin.as_ref(),
                        ProblemKind::WholeButContinues {
                            code: units[f]
                                .version_at(before)
                                .unwrap_or_else(|| units[f].last())
                                .code
                                .clone(),
                            date: event.date,
                        },
                    ));
                }
            }
            if let Some(t) = to {
                named.push(t);
            }
            if let (Some(f), Some(t)) = (from, to)
                && f != t
            {
                outgoing[f].push(r);
                incoming[t].push(r);
            }
        }
        named.sort_unstable();
        named.dedup();
        for p in named {
            touching[p].push(e);
        }
    }
    (incoming, outgoing, touching)
}

fn check_cycles(
    units: &[Unit],
    outgoing: &[Vec<LinkRef>],
    events: &[LineageEvent],
    problems: &mut Vec<Problem>,
) {
    // Iterative depth-first search: 0 = unseen, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; units.len()];
    // Link targets as positions (units are sorted by id).
    let target: Vec<Vec<usize>> = outgoing
        .iter()
        .map(|refs| {
            refs.iter()
                .filter_map(|r| {
                    let to = events[r.event].links[r.link].to?;
                    units.binary_search_by_key(&to, |u| u.id).ok()
                })
                .collect()
        })
        .collect();
    for start in 0..units.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&child) = target[node].get(*next) {
                *next += 1;
                match state[child] {
                    0 => {
                        state[child] = 1;
                        stack.push((child, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|&(n, _)| n == child).unwrap_or(0);
                        let mut codes: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(n, _)| units[n].last().code.clone())
                            .collect();
                        codes.push(units[child].last().code.clone());
                        let origin = outgoing[node]
                            .first()
                            .and_then(|r| events[r.event].origin.as_ref());
                        problems.push(Problem::at(origin, ProblemKind::Cycle { codes }));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

impl crate::authz::Territory for Atlas {
    fn within(&self, scope: UnitId, unit: UnitId) -> bool {
        Atlas::within(self, scope, unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn unit(
        id: UnitId,
        code: &str,
        parent: Option<UnitId>,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> Unit {
        Unit {
            id,
            key: Unit::key_for(code, from),
            kind: if parent.is_some() {
                UnitKind::Commune
            } else {
                UnitKind::Province
            },
            versions: vec![Version {
                code: code.into(),
                name: format!("Xã {code}"),
                unit_type: "Xã".into(),
                parent,
                validity: Validity { from, to },
                origin: None,
            }],
        }
    }

    fn partial(kind: EventKind, date: NaiveDate, from: UnitId, to: UnitId) -> LineageEvent {
        LineageEvent {
            kind,
            date,
            legal_basis: None,
            note: None,
            links: vec![LineageLink {
                from: Some(from),
                to: Some(to),
                share: Some(0.5),
                partial: true,
                inferred: false,
                note: None,
            }],
            origin: None,
        }
    }

    #[test]
    fn a_cycle_in_lineage_is_refused() {
        let start = d(2024, 5, 1);
        let history = History {
            units: vec![
                unit(1, "P", None, start, None),
                unit(2, "A", Some(1), start, None),
                unit(3, "B", Some(1), start, None),
            ],
            events: vec![
                partial(EventKind::Split, d(2025, 1, 1), 2, 3),
                partial(EventKind::Split, d(2025, 2, 1), 3, 2),
            ],
        };
        let problems = Atlas::build(history).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].kind,
            ProblemKind::Cycle {
                codes: vec!["A".into(), "B".into(), "A".into()]
            }
        );
    }

    #[test]
    fn one_code_on_two_units_at_once_is_refused() {
        let start = d(2024, 5, 1);
        let history = History {
            units: vec![
                unit(1, "P", None, start, None),
                unit(2, "A", Some(1), start, Some(d(2025, 1, 1))),
                unit(3, "A", Some(1), d(2024, 12, 1), None),
            ],
            events: vec![],
        };
        let problems = Atlas::build(history).unwrap_err();
        assert_eq!(
            problems[0].kind,
            ProblemKind::CodeOverlap {
                code: "A".into(),
                from: start,
                to: Some(d(2025, 1, 1))
            }
        );
        // Reused after the first ends: allowed (codes are unique per date, not for ever).
        let ok = History {
            units: vec![
                unit(1, "P", None, start, None),
                unit(2, "A", Some(1), start, Some(d(2025, 1, 1))),
                unit(3, "A", Some(1), d(2025, 1, 1), None),
            ],
            events: vec![],
        };
        let a = Atlas::build(ok).unwrap();
        assert_eq!(a.find_code("A", d(2024, 12, 31)), Some(2));
        assert_eq!(a.find_code("A", d(2025, 1, 1)), Some(3));
        assert_eq!(a.units_with_code("A"), vec![3, 2]);
    }

    #[test]
    fn shares_multiply_along_a_path_and_add_across_paths() {
        let start = d(2024, 5, 1);
        let split = d(2025, 1, 1);
        let merge = d(2025, 7, 1);
        let link = |from, to, share: Option<f64>, partial| LineageLink {
            from: Some(from),
            to: Some(to),
            share,
            partial,
            inferred: false,
            note: None,
        };
        let history = History {
            units: vec![
                unit(1, "P", None, start, None),
                unit(2, "A", Some(1), start, Some(split)),
                unit(3, "B", Some(1), split, Some(merge)),
                unit(4, "C", Some(1), split, Some(merge)),
                unit(5, "D", Some(1), merge, None),
            ],
            events: vec![
                LineageEvent {
                    kind: EventKind::Split,
                    date: split,
                    legal_basis: None,
                    note: None,
                    links: vec![link(2, 3, Some(0.3), true), link(2, 4, Some(0.7), true)],
                    origin: None,
                },
                LineageEvent {
                    kind: EventKind::Merge,
                    date: merge,
                    legal_basis: None,
                    note: None,
                    links: vec![link(3, 5, None, false), link(4, 5, None, false)],
                    origin: None,
                },
            ],
        };
        let a = Atlas::build(history).unwrap();
        let before = a.predecessors(5, d(2024, 6, 1));
        assert_eq!(before.len(), 1);
        assert_eq!(before[0].unit, 2);
        assert!(!before[0].partial, "both halves came back together");
        assert_eq!(before[0].share, None);
        let b_then = a.predecessors(3, d(2024, 6, 1));
        assert!(b_then[0].partial && (b_then[0].share.unwrap() - 0.3).abs() < 1e-9);
        assert_eq!(
            a.holders(2, d(2026, 1, 1))
                .iter()
                .map(|l| l.unit)
                .collect::<Vec<_>>(),
            vec![5]
        );
        assert_eq!(
            a.holders(2, d(2025, 3, 1))
                .iter()
                .map(|l| l.unit)
                .collect::<Vec<_>>(),
            vec![3, 4]
        );
    }
}
