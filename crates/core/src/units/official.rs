//! The official map of Viet Nam from 01/05/2024 onward, as one history.
//!
//! Three GSO/NSO lists and two change tables (in `data/admin-units/`, embedded in the binary):
//!
//! 1. `vn-units-2024-05.csv` — the list in force from 01/05/2024 (63 / 705 / 10,595). The five
//!    spelling corrections of the change table dated 01/05/2024 apply from the start.
//! 2. `vn-units-2024-25-changes.csv` — the 2024–25 district/commune mergers, renames, type
//!    changes, re-parentings and splits, each dated and cited. Replayed on list 1 it gives
//!    `vn-units-2024.csv` (in force 01/03/2025 → 30/06/2025) exactly.
//! 3. `vn-units-2025.csv` + `vn-units-2025-lineage.csv` — the reform of 01/07/2025 (34 provinces,
//!    3,321 communes, no districts) and the GSO conversion table old → new.
//!
//! Identity rules (decided by the lead): a merge or split creates a new identity linked by
//! lineage; a unit whose only predecessor is one whole (or unchanged) unit with no other
//! successor continues under the same identity with a new version. Districts end on
//! 01/07/2025; new provinces formed from several are new identities (lineage derived from the
//! communes' lineage); the 11 provinces that did not merge continue.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use super::merge::{Provisional, single};
use super::problem::{Origin, Problem, ProblemKind};
use super::search::strip_prefix;
use super::{
    Dataset, EventKind, LineageEvent, LineageLink, Unit, UnitId, UnitKind, Validity, Version,
};

/// The texts of the official files.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    pub units_2024_05: &'a str,
    pub changes_2024_25: &'a str,
    pub units_2025: &'a str,
    pub lineage_2025: &'a str,
    pub resolutions_2025: &'a str,
}

macro_rules! data {
    ($name:literal) => {
        include_str!(concat!("../../../../data/admin-units/", $name))
    };
}

/// The official files compiled into the binary, so that `binhyen import units` works on a
/// fresh machine.
pub const EMBEDDED: Sources<'static> = Sources {
    units_2024_05: data!("vn-units-2024-05.csv"),
    changes_2024_25: data!("vn-units-2024-25-changes.csv"),
    units_2025: data!("vn-units-2025.csv"),
    lineage_2025: data!("vn-units-2025-lineage.csv"),
    resolutions_2025: data!("vn-units-2025-resolutions.csv"),
};

/// The list in force from 01/03/2025 to 30/06/2025, used to check the replay of the changes.
pub const UNITS_2025_03: &str = data!("vn-units-2024.csv");

/// First day of the first list.
pub const START: NaiveDate = date(2024, 5, 1);
/// The 2025 reform: two levels, 34 provinces.
pub const REFORM: NaiveDate = date(2025, 7, 1);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("bad constant date"),
    }
}

/// Legal basis of the provincial arrangement of 2025.
pub const PROVINCES_2025: &str = "Nghị quyết số 202/2025/QH15";
/// Legal basis of the end of the district level.
pub const DISTRICTS_2025: &str =
    "Nghị quyết số 203/2025/QH15; Luật Tổ chức chính quyền địa phương số 72/2025/QH15";
/// The decision that gives the codes of the 2025 list.
pub const CODES_2025: &str = "Quyết định số 19/2025/QĐ-TTg";
/// Cited when a 2025 province has no resolution in `vn-units-2025-resolutions.csv`.
pub const CONVERSION_TABLE: &str = "Bảng chuyển đổi đơn vị hành chính mới – cũ (Cục Thống kê)";

/// A row of a unit list: `code,name,type,level,parent_code,province_code`.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub kind: UnitKind,
    pub parent_code: String,
    pub province_code: String,
    pub origin: Origin,
}

/// A CSV file read into records with their line numbers.
struct Csv {
    headers: Vec<String>,
    rows: Vec<(Origin, Vec<String>)>,
}

impl Csv {
    fn read(file: &str, text: &str, required: &[&str]) -> Result<Csv, Vec<Problem>> {
        let file: Arc<str> = Arc::from(file);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let bad = |line: usize, reason: String| {
            vec![Problem::at(
                Some(&Origin::line(&file, None, line)),
                ProblemKind::BadSpreadsheet { reason },
            )]
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let missing: Vec<Problem> = required
            .iter()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .map(|c| {
                Problem::at(
                    Some(&Origin::line(&file, None, 1)),
                    ProblemKind::MissingColumn {
                        column: (*c).to_owned(),
                    },
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                bad(line, e.to_string())
            })?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            rows.push((
                Origin::line(&file, None, line),
                rec.iter().map(str::to_owned).collect(),
            ));
        }
        Ok(Csv { headers, rows })
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or(usize::MAX)
    }
}

fn cell(row: &[String], col: usize) -> &str {
    row.get(col).map(|s| s.trim()).unwrap_or("")
}

fn parse_iso(origin: &Origin, value: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
    if d.is_none() {
        problems.push(Problem::at(
            Some(origin),
            ProblemKind::BadDate {
                value: value.to_owned(),
            },
        ));
    }
    d
}

/// Reads a unit list (`code,name,type,level,parent_code,province_code`).
pub fn read_list(file: &str, text: &str) -> Result<Vec<ListRow>, Vec<Problem>> {
    let csv = Csv::read(
        file,
        text,
        &[
            "code",
            "name",
            "type",
            "level",
            "parent_code",
            "province_code",
        ],
    )?;
    let [c, n, t, l, p, pr] = [
        "code",
        "name",
        "type",
        "level",
        "parent_code",
        "province_code",
    ]
    .map(|h| csv.col(h));
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(csv.rows.len());
    for (origin, row) in &csv.rows {
        let Some(kind) = UnitKind::parse(cell(row, l)) else {
            problems.push(Problem::at(
                Some(&origin.with_column(l + 1, "level")),
                ProblemKind::UnknownType {
                    value: cell(row, l).to_owned(),
                },
            ));
            continue;
        };
        out.push(ListRow {
            code: cell(row, c).to_owned(),
            name: cell(row, n).to_owned(),
            unit_type: cell(row, t).to_owned(),
            kind,
            parent_code: cell(row, p).to_owned(),
            province_code: cell(row, pr).to_owned(),
            origin: origin.clone(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One row of the 2024–25 change table.
#[derive(Clone, Debug)]
struct Change {
    date: NaiveDate,
    basis: Option<String>,
    kind: String,
    level: UnitKind,
    from: String,
    to: String,
    to_name: String,
    note: String,
    origin: Origin,
}

impl Change {
    fn inferred(&self) -> bool {
        self.note.starts_with('I')
    }

    fn partial(&self) -> bool {
        self.note.split(';').any(|p| p.trim() == "partial")
    }

    /// The note without its confidence letter.
    fn note_text(&self) -> Option<String> {
        let rest = self
            .note
            .trim_start_matches(['C', 'I'])
            .trim_start_matches(';')
            .trim();
        (!rest.is_empty()).then(|| rest.to_owned())
    }

    /// `key=OLD->NEW` in the note: the NEW part, up to one of `stops` (types have spaces,
    /// "type=Xã->Thị trấn"; parents are codes followed by their names, "parent=221->213 (…)").
    fn arrow(&self, key: &str, stops: &[char]) -> Option<String> {
        let start = self.note.find(&format!("{key}="))? + key.len() + 1;
        let rest = &self.note[start..];
        let new = rest.split_once("->")?.1;
        let end = new.find(stops).unwrap_or(new.len());
        Some(new[..end].trim().to_owned())
    }
}

fn read_changes(file: &str, text: &str) -> Result<Vec<Change>, Vec<Problem>> {
    let cols = [
        "effective_date",
        "legal_basis",
        "kind",
        "level",
        "from_code",
        "to_code",
        "from_name",
        "to_name",
        "note",
    ];
    let csv = Csv::read(file, text, &cols)?;
    let [d, b, k, l, f, t, _, tn, n] = cols.map(|h| csv.col(h));
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (origin, row) in &csv.rows {
        let Some(date) = parse_iso(origin, cell(row, d), &mut problems) else {
            continue;
        };
        let Some(level) = UnitKind::parse(cell(row, l)) else {
            problems.push(Problem::at(
                Some(origin),
                ProblemKind::UnknownType {
                    value: cell(row, l).to_owned(),
                },
            ));
            continue;
        };
        let basis = cell(row, b);
        out.push(Change {
            date,
            basis: (basis != "none" && !basis.is_empty()).then(|| basis.to_owned()),
            kind: cell(row, k).to_owned(),
            level,
            from: cell(row, f).to_owned(),
            to: cell(row, t).to_owned(),
            to_name: cell(row, tn).to_owned(),
            note: cell(row, n).to_owned(),
            origin: origin.clone(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The type written at the start of an official name ("Phường Mộc Lỵ" → "Phường").
fn type_from_name(name: &str) -> String {
    let rest = strip_prefix(name, "");
    name[..name.len() - rest.len()].trim().to_owned()
}

/// Basis and note of a change, and whether it was inferred.
struct Cite {
    basis: Option<String>,
    note: Option<String>,
    inferred: bool,
}

/// The history under construction: units with provisional ids, and the code → unit map of
/// the date being replayed.
#[derive(Default)]
struct Builder {
    ids: Provisional,
    units: Vec<Unit>,
    pos: HashMap<UnitId, usize>,
    current: HashMap<String, usize>,
    events: Vec<LineageEvent>,
    problems: Vec<Problem>,
}

struct Attrs {
    name: Option<String>,
    unit_type: Option<String>,
    parent_code: Option<String>,
    rows: Vec<Change>,
}

impl Builder {
    fn create(&mut self, kind: UnitKind, version: Version) -> usize {
        let id = self.ids.next();
        let p = self.units.len();
        self.current.insert(version.code.clone(), p);
        self.units.push(single(id, kind, version));
        self.pos.insert(id, p);
        p
    }

    fn id(&self, p: usize) -> UnitId {
        self.units[p].id
    }

    fn last(&self, p: usize) -> &Version {
        self.units[p].last()
    }

    fn end(&mut self, p: usize, date: NaiveDate) {
        let code = self.units[p].last().code.clone();
        if let Some(v) = self.units[p].versions.last_mut() {
            v.validity.to = Some(date);
        }
        if self.current.get(&code) == Some(&p) {
            self.current.remove(&code);
        }
    }

    /// Closes the current version of `p` on `date` and opens a changed copy.
    /// A second change on the same date amends the version opened that day.
    fn transition(&mut self, p: usize, date: NaiveDate, change: impl FnOnce(&mut Version)) {
        if self.last(p).validity.from == date {
            let old_code = self.last(p).code.clone();
            if let Some(v) = self.units[p].versions.last_mut() {
                change(v);
            }
            let new_code = self.last(p).code.clone();
            if new_code != old_code {
                self.current.remove(&old_code);
                self.current.insert(new_code, p);
            }
            return;
        }
        let mut next = self.last(p).clone();
        change(&mut next);
        next.validity = Validity {
            from: date,
            to: None,
        };
        let old_code = self.last(p).code.clone();
        if let Some(v) = self.units[p].versions.last_mut() {
            v.validity.to = Some(date);
        }
        if old_code != next.code && self.current.get(&old_code) == Some(&p) {
            self.current.remove(&old_code);
        }
        self.current.insert(next.code.clone(), p);
        self.units[p].versions.push(next);
    }

    fn code_of(&self, id: UnitId) -> Option<String> {
        self.pos
            .get(&id)
            .map(|&p| self.units[p].last().code.clone())
    }

    fn lookup(&mut self, code: &str, date: NaiveDate, origin: &Origin) -> Option<usize> {
        let found = self.current.get(code).copied();
        if found.is_none() {
            self.problems.push(Problem::at(
                Some(origin),
                ProblemKind::MissingUnit {
                    code: code.to_owned(),
                    date,
                },
            ));
        }
        found
    }

    fn event(
        &mut self,
        kind: EventKind,
        date: NaiveDate,
        basis: Option<String>,
        note: Option<String>,
        links: Vec<LineageLink>,
        origin: &Origin,
    ) {
        self.events.push(LineageEvent {
            kind,
            date,
            legal_basis: basis,
            note,
            links,
            origin: Some(origin.clone()),
        });
    }

    /// An event on one unit (rename, type change, re-parenting).
    fn self_event(
        &mut self,
        kind: EventKind,
        p: usize,
        date: NaiveDate,
        cite: Cite,
        origin: &Origin,
    ) {
        let id = Some(self.id(p));
        self.event(
            kind,
            date,
            cite.basis,
            None,
            vec![LineageLink {
                from: id,
                to: id,
                share: None,
                partial: false,
                inferred: cite.inferred,
                note: cite.note,
            }],
            origin,
        );
    }

    /// Units valid on `date` whose parent ended on `date` move to the parent's successor with the
    /// same code (a district or commune that merged keeps its code under a new identity).
    fn follow_parents(
        &mut self,
        date: NaiveDate,
        ended_by: &HashMap<UnitId, (Option<String>, Origin)>,
    ) {
        let mut moves = Vec::new();
        for &p in self.current.values() {
            let v = self.last(p);
            if let Some(parent) = v.parent
                && let Some(&pp) = self.pos.get(&parent)
                && self.units[pp].lifetime().to.is_some_and(|t| t <= date)
            {
                moves.push((p, pp));
            }
        }
        moves.sort_unstable();
        for (p, old_parent) in moves {
            let code = self.last(old_parent).code.clone();
            let Some(&np) = self.current.get(&code) else {
                let origin = self.last(p).origin.clone();
                self.problems.push(Problem::at(
                    origin.as_ref(),
                    ProblemKind::ParentNotValid {
                        code: self.last(p).code.clone(),
                        parent_code: code,
                        date,
                    },
                ));
                continue;
            };
            let new_parent = self.id(np);
            self.transition(p, date, |v| v.parent = Some(new_parent));
            let (basis, origin) =
                ended_by
                    .get(&self.id(old_parent))
                    .cloned()
                    .unwrap_or_else(|| {
                        let origin = self.last(p).origin.clone();
                        (
                            None,
                            origin.unwrap_or_else(|| {
                                Origin::line(&Arc::from("vn-units-2024-25-changes.csv"), None, 1)
                            }),
                        )
                    });
            let note = format!("Đơn vị cấp trên được sắp xếp lại: {}", self.last(np).name);
            self.self_event(
                EventKind::Reparent,
                p,
                date,
                Cite {
                    basis,
                    note: Some(note),
                    inferred: false,
                },
                &origin,
            );
        }
    }

    fn finish(self) -> Result<Dataset, Vec<Problem>> {
        if self.problems.is_empty() {
            Ok(Dataset {
                units: self.units,
                events: self.events,
            })
        } else {
            Err(self.problems)
        }
    }
}

/// Builds the official history from the embedded files.
pub fn build_embedded() -> Result<Dataset, Vec<Problem>> {
    build(&EMBEDDED)
}

/// Builds the official history: list 2024-05, the 2024–25 changes, the 2025 reform.
pub fn build(src: &Sources) -> Result<Dataset, Vec<Problem>> {
    let list = read_list("vn-units-2024-05.csv", src.units_2024_05)?;
    let changes = read_changes("vn-units-2024-25-changes.csv", src.changes_2024_25)?;
    let mut b = Builder::default();
    load_first_list(&mut b, &list, &changes);
    let mut by_date: BTreeMap<NaiveDate, Vec<Change>> = BTreeMap::new();
    for c in changes.into_iter().filter(|c| c.date > START) {
        by_date.entry(c.date).or_default().push(c);
    }
    for (date, rows) in by_date {
        replay(&mut b, date, rows);
    }
    reform(&mut b, src)?;
    b.finish()
}

fn load_first_list(b: &mut Builder, list: &[ListRow], changes: &[Change]) {
    // Spelling corrections dated at the start apply to the whole period.
    let fixes: HashMap<&str, &str> = changes
        .iter()
        .filter(|c| c.date <= START && c.kind == "rename")
        .map(|c| (c.from.as_str(), c.to_name.as_str()))
        .collect();
    let mut ordered: Vec<&ListRow> = list.iter().collect();
    ordered.sort_by_key(|r| r.kind);
    for r in ordered {
        let parent = if r.parent_code.is_empty() {
            None
        } else {
            b.lookup(&r.parent_code, START, &r.origin).map(|p| b.id(p))
        };
        let name = fixes
            .get(r.code.as_str())
            .map_or(r.name.clone(), |n| (*n).to_owned());
        b.create(
            r.kind,
            Version {
                code: r.code.clone(),
                name,
                unit_type: r.unit_type.clone(),
                parent,
                validity: Validity {
                    from: START,
                    to: None,
                },
                origin: Some(r.origin.clone()),
            },
        );
    }
}

fn link(from: UnitId, to: UnitId, row: &Change) -> LineageLink {
    LineageLink {
        from: Some(from),
        to: Some(to),
        share: None,
        partial: row.partial(),
        inferred: row.inferred(),
        note: row.note_text(),
    }
}

/// Applies the changes of one date.
fn replay(b: &mut Builder, date: NaiveDate, rows: Vec<Change>) {
    let mut merges: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    let mut splits: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    let mut attrs: BTreeMap<String, Attrs> = BTreeMap::new();
    for r in rows {
        match r.kind.as_str() {
            "merge" => merges.entry(r.to.clone()).or_default().push(r),
            "split" => splits.entry(r.from.clone()).or_default().push(r),
            "rename" | "retype" | "reparent" => {
                let a = attrs.entry(r.from.clone()).or_insert(Attrs {
                    name: None,
                    unit_type: None,
                    parent_code: None,
                    rows: Vec::new(),
                });
                match r.kind.as_str() {
                    "rename" => a.name = Some(r.to_name.clone()),
                    "retype" => a.unit_type = r.arrow("type", &[';']),
                    _ => a.parent_code = r.arrow("parent", &[';', ' ', '(']),
                }
                a.rows.push(r);
            }
            _ => b.problems.push(Problem::at(
                Some(&r.origin),
                ProblemKind::UnknownType {
                    value: r.kind.clone(),
                },
            )),
        }
    }

    // The state of the day before, by code.
    let before: HashMap<String, usize> = b.current.clone();
    let mut targets: BTreeMap<String, (UnitKind, String, &Change)> = BTreeMap::new();
    for rows in merges.values().chain(splits.values()) {
        for r in rows {
            targets
                .entry(r.to.clone())
                .or_insert((r.level, r.to_name.clone(), r));
        }
    }
    let mut ceasing: BTreeSet<String> = BTreeSet::new();
    for rows in merges.values() {
        ceasing.extend(
            rows.iter()
                .filter(|r| r.from != r.to)
                .map(|r| r.from.clone()),
        );
    }
    ceasing.extend(splits.keys().cloned());
    ceasing.extend(targets.keys().filter(|t| before.contains_key(*t)).cloned());

    // New identities: name, type and parent code as on `date`.
    let mut created = Vec::new();
    for (code, (kind, to_name, row)) in &targets {
        let old = before.get(code).copied();
        let a = attrs.get(code);
        let name = a
            .and_then(|a| a.name.clone())
            .unwrap_or_else(|| to_name.clone());
        let unit_type = a
            .and_then(|a| a.unit_type.clone())
            .or_else(|| old.map(|p| b.last(p).unit_type.clone()))
            .unwrap_or_else(|| type_from_name(&name));
        let source = old.or_else(|| before.get(&row.from).copied());
        let parent_code = a.and_then(|a| a.parent_code.clone()).or_else(|| {
            source
                .and_then(|p| b.last(p).parent)
                .and_then(|id| b.code_of(id))
        });
        created.push((
            code.clone(),
            *kind,
            name,
            unit_type,
            parent_code,
            (*row).clone(),
        ));
    }

    let mut ended_by: HashMap<UnitId, (Option<String>, Origin)> = HashMap::new();
    for code in &ceasing {
        if let Some(&p) = before.get(code) {
            let row = merges
                .values()
                .flatten()
                .chain(splits.values().flatten())
                .find(|r| &r.from == code || &r.to == code);
            if let Some(r) = row {
                ended_by.insert(b.id(p), (r.basis.clone(), r.origin.clone()));
            }
            b.end(p, date);
        } else {
            let origin = merges
                .values()
                .chain(splits.values())
                .flatten()
                .find(|r| &r.from == code)
                .map(|r| r.origin.clone());
            b.problems.push(Problem::at(
                origin.as_ref(),
                ProblemKind::MissingUnit {
                    code: code.clone(),
                    date,
                },
            ));
        }
    }
    let mut new_ids: HashMap<String, usize> = HashMap::new();
    for (code, kind, name, unit_type, _, row) in &created {
        let p = b.create(
            *kind,
            Version {
                code: code.clone(),
                name: name.clone(),
                unit_type: unit_type.clone(),
                parent: None,
                validity: Validity {
                    from: date,
                    to: None,
                },
                origin: Some(row.origin.clone()),
            },
        );
        new_ids.insert(code.clone(), p);
    }
    for (code, _, _, _, parent_code, row) in &created {
        if let Some(pc) = parent_code
            && let Some(pp) = b.lookup(pc, date, &row.origin)
        {
            let parent = b.id(pp);
            let p = new_ids[code];
            if let Some(v) = b.units[p].versions.last_mut() {
                v.parent = Some(parent);
            }
        }
    }

    // Same identity, new name / type / parent.
    for (code, a) in &attrs {
        if targets.contains_key(code) || ceasing.contains(code) {
            continue;
        }
        let Some(&p) = before.get(code) else {
            b.problems.push(Problem::at(
                Some(&a.rows[0].origin),
                ProblemKind::MissingUnit {
                    code: code.clone(),
                    date,
                },
            ));
            continue;
        };
        let parent = match &a.parent_code {
            Some(pc) => b.lookup(pc, date, &a.rows[0].origin).map(|pp| b.id(pp)),
            None => b.last(p).parent,
        };
        let (name, unit_type) = (a.name.clone(), a.unit_type.clone());
        b.transition(p, date, |v| {
            if let Some(n) = name {
                v.name = n;
            }
            if let Some(t) = unit_type {
                v.unit_type = t;
            }
            v.parent = parent;
        });
        for r in &a.rows {
            let kind = match r.kind.as_str() {
                "rename" => EventKind::Rename,
                "retype" => EventKind::Retype,
                _ => EventKind::Reparent,
            };
            b.self_event(
                kind,
                p,
                date,
                Cite {
                    basis: r.basis.clone(),
                    note: r.note_text(),
                    inferred: r.inferred(),
                },
                &r.origin,
            );
        }
    }

    // Lineage: one merge event per receiving unit, one split event per divided unit; every row
    // links the unit of `from` the day before to the unit of `to` on the day.
    for (kind, groups) in [(EventKind::Merge, &merges), (EventKind::Split, &splits)] {
        for rows in groups.values() {
            let links: Vec<LineageLink> = rows
                .iter()
                .filter_map(|r| {
                    Some(link(
                        b.id(*before.get(&r.from)?),
                        b.id(*new_ids.get(&r.to)?),
                        r,
                    ))
                })
                .collect();
            if !links.is_empty() {
                b.event(
                    kind,
                    date,
                    rows[0].basis.clone(),
                    None,
                    links,
                    &rows[0].origin,
                );
            }
        }
    }
    b.follow_parents(date, &ended_by);
}

/// A row of the GSO conversion table of 2025.
struct Conversion {
    new_code: String,
    old_code: String,
    old_name: String,
    old_district_code: String,
    old_province_code: String,
    merge_type: String,
    note: String,
    origin: Origin,
}

/// The reform of 01/07/2025.
fn reform(b: &mut Builder, src: &Sources) -> Result<(), Vec<Problem>> {
    let new_list = read_list("vn-units-2025.csv", src.units_2025)?;
    let cols = [
        "new_code",
        "old_code",
        "old_name",
        "new_province_code",
        "old_district_code",
        "old_province_code",
        "merge_type",
        "note_vi",
    ];
    let csv = Csv::read("vn-units-2025-lineage.csv", src.lineage_2025, &cols)?;
    let [nc, oc, on, _, od, op, mt, nv] = cols.map(|h| csv.col(h));
    let conversions: Vec<Conversion> = csv
        .rows
        .iter()
        .map(|(origin, r)| Conversion {
            new_code: cell(r, nc).to_owned(),
            old_code: cell(r, oc).to_owned(),
            old_name: cell(r, on).to_owned(),
            old_district_code: cell(r, od).to_owned(),
            old_province_code: cell(r, op).to_owned(),
            merge_type: cell(r, mt).to_owned(),
            note: cell(r, nv).to_owned(),
            origin: origin.clone(),
        })
        .collect();
    let res = Csv::read(
        "vn-units-2025-resolutions.csv",
        src.resolutions_2025,
        &["province_code", "legal_basis"],
    )?;
    let (rc, rb) = (res.col("province_code"), res.col("legal_basis"));
    let resolutions: HashMap<String, String> = res
        .rows
        .iter()
        .map(|(_, r)| (cell(r, rc).to_owned(), cell(r, rb).to_owned()))
        .collect();
    let date = REFORM;
    let before: HashMap<String, usize> = b.current.clone();

    // Provinces: lineage derived from the communes'.
    let mut olds_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut news_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let province_of_new: HashMap<&str, &str> = new_list
        .iter()
        .map(|r| (r.code.as_str(), r.province_code.as_str()))
        .collect();
    for c in &conversions {
        let Some(&np) = province_of_new.get(c.new_code.as_str()) else {
            b.problems.push(Problem::at(
                Some(&c.origin),
                ProblemKind::MissingUnit {
                    code: c.new_code.clone(),
                    date,
                },
            ));
            continue;
        };
        olds_of
            .entry(np)
            .or_default()
            .insert(c.old_province_code.as_str());
        news_of
            .entry(c.old_province_code.as_str())
            .or_default()
            .insert(np);
    }
    let mut province_ids: HashMap<String, UnitId> = HashMap::new();
    for r in new_list.iter().filter(|r| r.kind == UnitKind::Province) {
        let olds = olds_of.get(r.code.as_str()).cloned().unwrap_or_default();
        let single_old = olds.len() == 1 && olds.contains(r.code.as_str());
        let only_successor = news_of.get(r.code.as_str()).is_some_and(|n| n.len() == 1);
        if single_old
            && only_successor
            && let Some(&p) = before.get(&r.code)
        {
            let (name, unit_type) = (r.name.clone(), r.unit_type.clone());
            let (renamed, retyped) = (b.last(p).name != name, b.last(p).unit_type != unit_type);
            if renamed || retyped {
                b.transition(p, date, |v| {
                    v.name = name;
                    v.unit_type = unit_type;
                });
                for (yes, kind) in [(renamed, EventKind::Rename), (retyped, EventKind::Retype)] {
                    if yes {
                        b.self_event(
                            kind,
                            p,
                            date,
                            Cite {
                                basis: Some(PROVINCES_2025.to_owned()),
                                note: None,
                                inferred: false,
                            },
                            &r.origin,
                        );
                    }
                }
            }
            province_ids.insert(r.code.clone(), b.id(p));
            continue;
        }
        let mut links = Vec::new();
        for old in &olds {
            if let Some(op) = b.lookup(old, date, &r.origin) {
                links.push(op);
            }
        }
        for &op in &links {
            b.end(op, date);
        }
        let p = b.create(
            UnitKind::Province,
            Version {
                code: r.code.clone(),
                name: r.name.clone(),
                unit_type: r.unit_type.clone(),
                parent: None,
                validity: Validity {
                    from: date,
                    to: None,
                },
                origin: Some(r.origin.clone()),
            },
        );
        let to = b.id(p);
        let links = links
            .into_iter()
            .map(|op| LineageLink {
                from: Some(b.id(op)),
                to: Some(to),
                share: None,
                partial: false,
                inferred: false,
                note: None,
            })
            .collect();
        b.event(
            EventKind::Merge,
            date,
            Some(PROVINCES_2025.to_owned()),
            None,
            links,
            &r.origin,
        );
        province_ids.insert(r.code.clone(), to);
    }

    // Communes.
    let mut rows_of: BTreeMap<&str, Vec<&Conversion>> = BTreeMap::new();
    let mut successors: HashMap<&str, usize> = HashMap::new();
    for c in &conversions {
        rows_of.entry(c.new_code.as_str()).or_default().push(c);
        if !c.old_code.is_empty() {
            *successors.entry(c.old_code.as_str()).or_default() += 1;
        }
    }
    let mut continuing: BTreeSet<usize> = BTreeSet::new();
    let mut plans = Vec::new();
    for r in new_list.iter().filter(|r| r.kind == UnitKind::Commune) {
        let rows = rows_of.get(r.code.as_str()).cloned().unwrap_or_default();
        if rows.is_empty() {
            b.problems.push(Problem::at(
                Some(&r.origin),
                ProblemKind::MissingUnit {
                    code: r.code.clone(),
                    date,
                },
            ));
            continue;
        }
        let Some(&parent) = province_ids.get(&r.province_code) else {
            b.problems.push(Problem::at(
                Some(&r.origin),
                ProblemKind::UnknownParent {
                    code: r.province_code.clone(),
                    date,
                },
            ));
            continue;
        };
        let basis = format!(
            "{}; {CODES_2025}",
            resolutions
                .get(&r.province_code)
                .map_or(CONVERSION_TABLE, String::as_str)
        );
        let one = rows.len() == 1
            && !rows[0].old_code.is_empty()
            && matches!(rows[0].merge_type.as_str(), "whole" | "unchanged")
            && successors.get(rows[0].old_code.as_str()) == Some(&1);
        if one && let Some(&p) = before.get(&rows[0].old_code) {
            continuing.insert(p);
            plans.push((r, parent, basis, rows, Some(p)));
        } else {
            plans.push((r, parent, basis, rows, None));
        }
    }
    // Every district and every commune, province that does not continue ends now.
    let mut ended: Vec<usize> = before
        .values()
        .copied()
        .filter(|&p| {
            let kind = b.units[p].kind;
            matches!(kind, UnitKind::District | UnitKind::Commune) && !continuing.contains(&p)
        })
        .collect();
    ended.sort_unstable();
    for &p in &ended {
        b.end(p, date);
    }
    let mut succeeded: BTreeSet<usize> = BTreeSet::new();
    for (r, parent, basis, rows, keep) in plans {
        let note = rows
            .iter()
            .map(|c| c.note.as_str())
            .next()
            .map(str::to_owned);
        if let Some(p) = keep {
            let old = b.last(p).clone();
            let (code, name, unit_type) = (r.code.clone(), r.name.clone(), r.unit_type.clone());
            b.transition(p, date, |v| {
                v.code = code;
                v.name = name;
                v.unit_type = unit_type;
                v.parent = Some(parent);
                v.origin = Some(r.origin.clone());
            });
            let new = b.last(p).clone();
            let kinds = [
                (
                    old.name != new.name || old.code != new.code,
                    EventKind::Rename,
                ),
                (old.unit_type != new.unit_type, EventKind::Retype),
                (old.parent != new.parent, EventKind::Reparent),
            ];
            for (yes, kind) in kinds {
                if yes {
                    b.self_event(
                        kind,
                        p,
                        date,
                        Cite {
                            basis: Some(basis.clone()),
                            note: note.clone(),
                            inferred: false,
                        },
                        &rows[0].origin,
                    );
                }
            }
            continue;
        }
        let mut links = Vec::new();
        let mut notes = Vec::new();
        for c in &rows {
            let from = if !c.old_code.is_empty() {
                before.get(&c.old_code).copied()
            } else if c.old_name.is_empty() {
                // An island district without communes became a special zone.
                before.get(&c.old_district_code).copied()
            } else {
                // Not an administrative unit (a coastal area managed by a district).
                notes.push(format!("{}: {}", c.old_name, c.note));
                continue;
            };
            let Some(fp) = from else {
                b.problems.push(Problem::at(
                    Some(&c.origin),
                    ProblemKind::MissingUnit {
                        code: c.old_code.clone(),
                        date,
                    },
                ));
                continue;
            };
            succeeded.insert(fp);
            links.push((fp, c.merge_type == "partial", c.note.clone()));
        }
        let p = b.create(
            UnitKind::Commune,
            Version {
                code: r.code.clone(),
                name: r.name.clone(),
                unit_type: r.unit_type.clone(),
                parent: Some(parent),
                validity: Validity {
                    from: date,
                    to: None,
                },
                origin: Some(r.origin.clone()),
            },
        );
        let to = b.id(p);
        let kind = if links.len() == 1 && links[0].1 {
            EventKind::Split
        } else {
            EventKind::Merge
        };
        let links = links
            .into_iter()
            .map(|(fp, partial, note)| LineageLink {
                from: Some(b.id(fp)),
                to: Some(to),
                share: None,
                partial,
                inferred: false,
                note: (!note.is_empty()).then_some(note),
            })
            .collect();
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        b.event(kind, date, Some(basis), note, links, &rows[0].origin);
    }
    // Districts that became nothing are dissolved.
    for &p in &ended {
        if b.units[p].kind == UnitKind::District && !succeeded.contains(&p) {
            let id = Some(b.id(p));
            let origin = b
                .last(p)
                .origin
                .clone()
                .unwrap_or_else(|| Origin::line(&Arc::from("vn-units-2025.csv"), None, 1));
            b.event(
                EventKind::Dissolve,
                date,
                Some(DISTRICTS_2025.to_owned()),
                None,
                vec![LineageLink {
                    from: id,
                    to: None,
                    share: None,
                    partial: false,
                    inferred: false,
                    note: None,
                }],
                &origin,
            );
        }
    }
    Ok(())
}
