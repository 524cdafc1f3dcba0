//! Residential areas and organisations from files that users fill in (CSV or spreadsheet,
//! header in Vietnamese, one row per version of a unit).
//!
//! * A unit whose name, type or parent changes gets a second row with the same code, starting
//!   the day after the first row's "hiệu lực đến" (the last day, inclusive).
//! * A unit that ends without successors just ends ("hiệu lực đến"); a later file may continue
//!   it with a row that starts the next day.
//! * A unit formed by a merge or split lists its predecessors in "Mã tiền thân":
//!   `T01; T02 (một phần)` or `T01 (40%)`; each predecessor ends the day before.
//! * Organisations carry the facts of Circular 124/2021/TT-BCA art. 1; an armed-forces agency,
//!   a small or micro enterprise, or a primary school, pre-school or crèche is refused.
//!
//! Reading is in two steps: [`read_rows`] checks each cell, [`to_dataset`] resolves codes against
//! the file itself and the stored atlas and produces a [`Dataset`]; the rest (overlaps, parents
//! valid over each version, cycles) is checked when the merged history is built into an atlas.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::merge::Provisional;
use super::problem::{Exclusion, Problem, ProblemKind};
use super::{
    Atlas, Dataset, EventKind, LineageEvent, LineageLink, Unit, UnitId, UnitKind, Validity, Version,
};
use crate::table::{Origin, Table};
use crate::text::{fold, parse_date, parse_number};

/// The columns of the file, in template order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Code,
    Name,
    Type,
    Parent,
    From,
    To,
    Predecessors,
    LegalBasis,
    ArmedForces,
    SmallEnterprise,
    PrimaryOrPreschool,
    Note,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Code,
        Column::Name,
        Column::Type,
        Column::Parent,
        Column::From,
        Column::To,
        Column::Predecessors,
        Column::LegalBasis,
        Column::ArmedForces,
        Column::SmallEnterprise,
        Column::PrimaryOrPreschool,
        Column::Note,
    ];

    /// The header as the template writes it. The file format is Vietnamese whatever the
    /// interface language.
    pub fn header(self) -> &'static str {
        match self {
            Column::Code => "Mã",
            Column::Name => "Tên",
            Column::Type => "Loại",
            Column::Parent => "Mã đơn vị cha",
            Column::From => "Hiệu lực từ",
            Column::To => "Hiệu lực đến (hết ngày)",
            Column::Predecessors => "Mã tiền thân",
            Column::LegalBasis => "Căn cứ pháp lý",
            Column::ArmedForces => "Cơ quan, đơn vị lực lượng vũ trang",
            Column::SmallEnterprise => "Doanh nghiệp nhỏ, siêu nhỏ",
            Column::PrimaryOrPreschool => "Cơ sở giáo dục mầm non, tiểu học, nhà trẻ",
            Column::Note => "Ghi chú",
        }
    }

    /// Locale key of the column's explanation (for the template's instructions).
    pub fn help_key(self) -> &'static str {
        match self {
            Column::Code => "units.column.code",
            Column::Name => "units.column.name",
            Column::Type => "units.column.type",
            Column::Parent => "units.column.parent",
            Column::From => "units.column.from",
            Column::To => "units.column.to",
            Column::Predecessors => "units.column.predecessors",
            Column::LegalBasis => "units.column.legal_basis",
            Column::ArmedForces => "units.column.armed_forces",
            Column::SmallEnterprise => "units.column.small_enterprise",
            Column::PrimaryOrPreschool => "units.column.primary_or_preschool",
            Column::Note => "units.column.note",
        }
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Code | Column::Name | Column::Type | Column::Parent | Column::From
        )
    }

    /// Folded headers accepted for this column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Code => &["ma", "ma don vi"],
            Column::Name => &["ten", "ten don vi"],
            Column::Type => &["loai", "loai don vi"],
            Column::Parent => &["ma don vi cha", "ma cha", "ma don vi cap tren"],
            Column::From => &["hieu luc tu", "tu ngay", "hieu luc tu ngay"],
            Column::To => &[
                "hieu luc den",
                "hieu luc den het ngay",
                "den ngay",
                "hieu luc den ngay",
            ],
            Column::Predecessors => &["ma tien than", "tien than", "ma don vi tien than"],
            Column::LegalBasis => &["can cu phap ly", "can cu"],
            Column::ArmedForces => &[
                "co quan don vi luc luong vu trang",
                "luc luong vu trang",
                "thuoc luc luong vu trang",
            ],
            Column::SmallEnterprise => &[
                "doanh nghiep nho sieu nho",
                "doanh nghiep nho hoac sieu nho",
            ],
            Column::PrimaryOrPreschool => &[
                "co so giao duc mam non tieu hoc nha tre",
                "giao duc mam non tieu hoc nha tre",
                "mam non tieu hoc nha tre",
            ],
            Column::Note => &["ghi chu"],
        }
    }

    fn find(header: &str) -> Option<Column> {
        let f = fold(header);
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&f.as_str()))
    }
}

/// Types of residential areas (Circular 124 art. 2.1: thôn, làng, ấp, bản, buôn, phum, sóc,
/// tổ dân phố, khu phố, khối phố, khóm, tiểu khu and equivalents).
pub const RESIDENTIAL_TYPES: [&str; 18] = [
    "Thôn",
    "Làng",
    "Ấp",
    "Bản",
    "Buôn",
    "Phum",
    "Sóc",
    "Tổ dân phố",
    "Khu phố",
    "Khối phố",
    "Khối",
    "Khóm",
    "Tiểu khu",
    "Xóm",
    "Khu",
    "Khu dân cư",
    "Plei",
    "Cụm dân cư",
];

/// Organisation categories (Circular 124 art. 2.2, 6, 7).
pub const ORGANISATION_TYPES: [&str; 3] = ["Cơ quan", "Doanh nghiệp", "Cơ sở giáo dục"];

const OFFICIAL_TYPES: [&str; 10] = [
    "Tỉnh",
    "Thành phố",
    "Thành phố Trung ương",
    "Huyện",
    "Quận",
    "Thị xã",
    "Xã",
    "Phường",
    "Thị trấn",
    "Đặc khu",
];

/// The kind and the canonical spelling of a type typed by a user.
pub fn parse_type(value: &str) -> Result<(UnitKind, &'static str), ProblemKind> {
    let f = fold(value);
    if let Some(t) = RESIDENTIAL_TYPES.iter().find(|t| fold(t) == f) {
        return Ok((UnitKind::ResidentialArea, t));
    }
    if let Some(t) = ORGANISATION_TYPES.iter().find(|t| fold(t) == f) {
        return Ok((UnitKind::Organisation, t));
    }
    if OFFICIAL_TYPES.iter().any(|t| fold(t) == f) {
        return Err(ProblemKind::OfficialType {
            value: value.to_owned(),
        });
    }
    Err(ProblemKind::UnknownType {
        value: value.to_owned(),
    })
}

/// "có" / "không" (also x, 1, yes / 0, no, empty).
pub fn parse_yes_no(value: &str) -> Result<bool, ProblemKind> {
    match fold(value).as_str() {
        "co" | "x" | "1" | "yes" | "true" | "dung" => Ok(true),
        "" | "khong" | "k" | "0" | "no" | "false" | "sai" => Ok(false),
        _ => Err(ProblemKind::BadYesNo {
            value: value.to_owned(),
        }),
    }
}

/// One predecessor named in "Mã tiền thân".
#[derive(Clone, Debug, PartialEq)]
pub struct PredecessorRef {
    pub code: String,
    pub partial: bool,
    pub share: Option<f64>,
}

/// Reads `T01; T02 (một phần); T03 (40%)`. Items are separated by ';' (or ',' outside
/// parentheses); a percentage is a share (and partial when below 100 %).
pub fn parse_predecessors(value: &str) -> Result<Vec<PredecessorRef>, ProblemKind> {
    let bad = || ProblemKind::BadPredecessor {
        value: value.to_owned(),
    };
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in value.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if (ch == ';' || (ch == ',' && depth == 0)) && depth <= 0 {
            items.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
        if depth < 0 {
            return Err(bad());
        }
    }
    if depth != 0 {
        return Err(bad());
    }
    items.push(cur);
    let mut out: Vec<PredecessorRef> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let (code, spec) = match item.split_once('(') {
            Some((c, rest)) => (
                c.trim(),
                Some(rest.strip_suffix(')').ok_or_else(bad)?.trim()),
            ),
            None => (item, None),
        };
        if code.is_empty() || code.contains(char::is_whitespace) {
            return Err(bad());
        }
        let (partial, share) = match spec {
            Some(spec) => parse_spec(spec).ok_or_else(bad)?,
            None => (false, None),
        };
        if out.iter().any(|p| p.code == code) {
            return Err(bad());
        }
        out.push(PredecessorRef {
            code: code.to_owned(),
            partial,
            share,
        });
    }
    Ok(out)
}

/// The part in parentheses: "một phần", a percentage ("40%", "12,5 %"), or both.
fn parse_spec(spec: &str) -> Option<(bool, Option<f64>)> {
    let mut rest = spec.to_owned();
    let mut share = None;
    if let Some(pct) = rest.find('%') {
        let start = rest[..pct]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, ',' | '.' | ' '))
            .last()
            .map_or(pct, |(i, _)| i);
        let number = rest[start..pct].trim_matches([',', '.', ' ']);
        let n = parse_number(number).filter(|n| *n > 0.0 && *n <= 100.0)?;
        share = Some(n / 100.0);
        rest.replace_range(start..pct + 1, "");
    }
    let words = fold(&rest);
    let phrase = match words.as_str() {
        "" => false,
        "mot phan" | "partial" => true,
        _ => return None,
    };
    let partial = phrase || share.is_some_and(|s| s < 1.0);
    Some((partial, share))
}

/// One row of a unit file, its cells checked.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRow {
    pub origin: Origin,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub unit_type: String,
    pub parent_code: String,
    pub validity: Validity,
    pub predecessors: Vec<PredecessorRef>,
    pub legal_basis: Option<String>,
    pub note: Option<String>,
    /// Where each column sits, for messages about cross-row checks.
    columns: ColumnMap,
}

impl UnitRow {
    fn at(&self, column: Column) -> Origin {
        match self.columns.get(&column) {
            Some((i, h)) => self.origin.with_column(*i, h),
            None => self.origin.clone(),
        }
    }
}

/// Column → (index, header as written).
type ColumnMap = BTreeMap<Column, (usize, String)>;

fn header_map(table: &Table) -> Option<(usize, ColumnMap, Vec<Problem>)> {
    let header = table.rows.first()?;
    let mut map = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, h) in header.cells.iter().enumerate() {
        if let Some(c) = Column::find(h)
            && map.insert(c, (i, h.trim().to_owned())).is_some()
        {
            problems.push(Problem::at(
                Some(&table.origin(header.line).with_column(i + 1, h)),
                ProblemKind::DuplicateColumn {
                    column: h.trim().to_owned(),
                },
            ));
        }
    }
    Some((header.line, map, problems))
}

/// Checks every cell of every data row. A spreadsheet's sheets without the unit columns (the
/// instructions) are skipped; all problems are returned together.
pub fn read_rows(tables: &[Table]) -> Result<Vec<UnitRow>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut any = false;
    for table in tables {
        let Some((header_line, map, dup)) = header_map(table) else {
            continue;
        };
        let missing: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && !map.contains_key(c))
            .collect();
        if !missing.is_empty() {
            // A sheet with none of the columns is another sheet (instructions); one with some is
            // a unit sheet with a mistake.
            if map.is_empty() && tables.len() > 1 {
                continue;
            }
            for c in missing {
                problems.push(Problem::at(
                    Some(&table.origin(header_line)),
                    ProblemKind::MissingColumn {
                        column: c.header().to_owned(),
                    },
                ));
            }
            any = true;
            continue;
        }
        any = true;
        problems.extend(dup);
        let columns: ColumnMap = map
            .iter()
            .map(|(c, (i, h))| (*c, (*i + 1, h.clone())))
            .collect();
        for row in &table.rows[1..] {
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let origin = table.origin(row.line);
            match read_row(&origin, &row.cells, &map, &columns) {
                Ok(r) => out.push(r),
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if !any {
        let origin = tables.first().map(|t| t.origin(1));
        problems.push(Problem::at(origin.as_ref(), ProblemKind::EmptyFile));
    } else if out.is_empty() && problems.is_empty() {
        let origin = tables.first().map(|t| t.origin(2));
        problems.push(Problem::at(origin.as_ref(), ProblemKind::EmptyFile));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn read_row(
    origin: &Origin,
    cells: &[String],
    map: &ColumnMap,
    columns: &ColumnMap,
) -> Result<UnitRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let at = |c: Column| -> Origin {
        let (i, h) = &columns[&c];
        origin.with_column(*i, h)
    };
    let get = |c: Column| -> &str {
        map.get(&c)
            .and_then(|(i, _)| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    let required = |c: Column, problems: &mut Vec<Problem>| -> String {
        let v = get(c);
        if v.is_empty() {
            problems.push(Problem::at(Some(&at(c)), ProblemKind::EmptyCell));
        }
        v.to_owned()
    };
    let code = required(Column::Code, &mut problems);
    if code.contains(char::is_whitespace) {
        problems.push(Problem::at(
            Some(&at(Column::Code)),
            ProblemKind::BadCode {
                value: code.clone(),
            },
        ));
    }
    let name = required(Column::Name, &mut problems);
    let type_cell = required(Column::Type, &mut problems);
    let parent_code = required(Column::Parent, &mut problems);
    let from_cell = required(Column::From, &mut problems);
    let typed = if type_cell.is_empty() {
        None
    } else {
        parse_type(&type_cell)
            .map_err(|k| problems.push(Problem::at(Some(&at(Column::Type)), k)))
            .ok()
    };
    let date = |c: Column, v: &str, problems: &mut Vec<Problem>| -> Option<NaiveDate> {
        if v.is_empty() {
            return None;
        }
        let d = parse_date(v);
        if d.is_none() {
            problems.push(Problem::at(
                Some(&at(c)),
                ProblemKind::BadDate {
                    value: v.to_owned(),
                },
            ));
        }
        d
    };
    let from = date(Column::From, &from_cell, &mut problems);
    let last_day = date(Column::To, get(Column::To), &mut problems);
    if let (Some(f), Some(l)) = (from, last_day)
        && l < f
    {
        problems.push(Problem::at(
            Some(&at(Column::To)),
            ProblemKind::DateOrder { from: f, to: l },
        ));
    }
    let predecessors = parse_predecessors(get(Column::Predecessors))
        .map_err(|k| problems.push(Problem::at(Some(&at(Column::Predecessors)), k)))
        .unwrap_or_default();
    let flag = |c: Column, problems: &mut Vec<Problem>| -> bool {
        if !map.contains_key(&c) {
            return false;
        }
        parse_yes_no(get(c))
            .map_err(|k| problems.push(Problem::at(Some(&at(c)), k)))
            .unwrap_or(false)
    };
    let armed = flag(Column::ArmedForces, &mut problems);
    let small = flag(Column::SmallEnterprise, &mut problems);
    let primary = flag(Column::PrimaryOrPreschool, &mut problems);
    if let Some((UnitKind::Organisation, t)) = typed {
        let exclusion = if armed {
            Some((Column::ArmedForces, Exclusion::ArmedForces))
        } else if small && t == "Doanh nghiệp" {
            Some((Column::SmallEnterprise, Exclusion::SmallEnterprise))
        } else if primary && t == "Cơ sở giáo dục" {
            Some((Column::PrimaryOrPreschool, Exclusion::PrimaryOrPreschool))
        } else {
            None
        };
        if let Some((c, exclusion)) = exclusion {
            problems.push(Problem::at(
                Some(&at(c)),
                ProblemKind::Excluded { exclusion },
            ));
        }
    }
    let text = |c: Column| Some(get(c).to_owned()).filter(|s| !s.is_empty());
    match (typed, from) {
        (Some((kind, unit_type)), Some(from)) if problems.is_empty() => Ok(UnitRow {
            origin: origin.clone(),
            code,
            name,
            kind,
            unit_type: unit_type.to_owned(),
            parent_code,
            validity: Validity {
                from,
                to: last_day.and_then(|d| d.succ_opt()),
            },
            predecessors,
            legal_basis: text(Column::LegalBasis),
            note: text(Column::Note),
            columns: columns.clone(),
        }),
        _ => Err(problems),
    }
}

/// Where a code points on a date: a row of the file (its identity) or a stored unit.
fn resolve(
    code: &str,
    date: NaiveDate,
    rows: &[UnitRow],
    by_code: &HashMap<&str, Vec<usize>>,
    identity: &[UnitId],
    stored: &Atlas,
) -> Option<UnitId> {
    by_code
        .get(code)
        .and_then(|list| list.iter().find(|&&i| rows[i].validity.contains(date)))
        .map(|&i| identity[i])
        .or_else(|| stored.find_code(code, date))
}

/// Resolves codes and builds the dataset to merge. `stored` is the atlas in the database: the
/// communes residential areas belong to, and the units a re-import continues.
pub fn to_dataset(mut rows: Vec<UnitRow>, stored: &Atlas) -> Result<Dataset, Vec<Problem>> {
    rows.sort_by(|a, b| (&a.code, a.validity.from).cmp(&(&b.code, b.validity.from)));
    let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_code.entry(r.code.as_str()).or_default().push(i);
    }
    // Identities: a row continues the previous row of its code when it starts the day the
    // previous one ends and names no predecessors; otherwise it starts a new unit (or continues
    // a stored one).
    let mut ids = Provisional::default();
    let mut identity: Vec<UnitId> = Vec::with_capacity(rows.len());
    let mut keys: HashMap<UnitId, String> = HashMap::new();
    let mut kinds: HashMap<UnitId, UnitKind> = HashMap::new();
    let mut problems = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let prev = (i > 0 && rows[i - 1].code == r.code).then(|| &rows[i - 1]);
        let continues = r.predecessors.is_empty()
            && prev.is_some_and(|p| p.validity.to == Some(r.validity.from));
        let id = if continues {
            identity[i - 1]
        } else {
            let key = Unit::key_for(&r.code, r.validity.from);
            let before = r.validity.from.pred_opt().unwrap_or(r.validity.from);
            let same_key = stored
                .units_with_code(&r.code)
                .into_iter()
                .find(|&u| stored.unit(u).is_some_and(|u| u.key == key));
            let stored_before = (r.predecessors.is_empty() && prev.is_none())
                .then(|| stored.find_code(&r.code, before))
                .flatten()
                .filter(|&u| {
                    stored.unit(u).is_some_and(|u| {
                        u.lifetime().to == Some(r.validity.from) && u.kind == r.kind
                    })
                });
            if prev.is_some_and(|p| p.validity.from == r.validity.from) {
                problems.push(Problem::at(
                    Some(&r.at(Column::Code)),
                    ProblemKind::DuplicateCode {
                        code: r.code.clone(),
                        date: r.validity.from,
                    },
                ));
            }
            match same_key.or(stored_before) {
                Some(u) => {
                    keys.insert(u, stored.unit(u).map(|u| u.key.clone()).unwrap_or(key));
                    u
                }
                None => {
                    let id = ids.next();
                    keys.insert(id, key);
                    id
                }
            }
        };
        kinds.entry(id).or_insert(r.kind);
        identity.push(id);
    }

    let mut units: BTreeMap<UnitId, Unit> = BTreeMap::new();
    let mut order: Vec<UnitId> = Vec::new();
    let mut events: Vec<LineageEvent> = Vec::new();
    let mut splits: BTreeMap<(NaiveDate, UnitId), usize> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let id = identity[i];
        let parent = resolve(
            &r.parent_code,
            r.validity.from,
            &rows,
            &by_code,
            &identity,
            stored,
        );
        if parent.is_none() {
            problems.push(Problem::at(
                Some(&r.at(Column::Parent)),
                ProblemKind::UnknownParent {
                    code: r.parent_code.clone(),
                    date: r.validity.from,
                },
            ));
        }
        let version = Version {
            code: r.code.clone(),
            name: r.name.clone(),
            unit_type: r.unit_type.clone(),
            parent,
            validity: r.validity,
            origin: Some(r.origin.clone()),
        };
        let previous = units.get(&id).map(|u| u.last().clone()).or_else(|| {
            stored
                .unit(id)
                .and_then(|u| u.version_at(r.validity.from.pred_opt()?).cloned())
        });
        if !units.contains_key(&id) {
            order.push(id);
        }
        let unit = units.entry(id).or_insert_with(|| Unit {
            id,
            key: keys[&id].clone(),
            kind: kinds[&id],
            versions: Vec::new(),
        });
        unit.versions.push(version);
        let one = |from: Option<UnitId>, to: Option<UnitId>| LineageLink {
            from,
            to,
            share: None,
            partial: false,
            inferred: false,
            note: None,
        };
        let event = |kind: EventKind, links: Vec<LineageLink>| LineageEvent {
            kind,
            date: r.validity.from,
            legal_basis: r.legal_basis.clone(),
            note: r.note.clone(),
            links,
            origin: Some(r.origin.clone()),
        };
        if let Some(prev) = previous.filter(|p| p.validity.to == Some(r.validity.from)) {
            // A new version of the same unit.
            let changed = [
                (
                    prev.name != r.name || prev.code != r.code,
                    EventKind::Rename,
                ),
                (prev.unit_type != r.unit_type, EventKind::Retype),
                (prev.parent != parent, EventKind::Reparent),
            ];
            for (yes, kind) in changed {
                if yes {
                    events.push(event(kind, vec![one(Some(id), Some(id))]));
                }
            }
            continue;
        }
        if r.predecessors.is_empty() {
            if r.legal_basis.is_some() {
                events.push(event(EventKind::Create, vec![one(None, Some(id))]));
            }
            continue;
        }
        let before = r.validity.from.pred_opt().unwrap_or(r.validity.from);
        let mut links = Vec::new();
        for p in &r.predecessors {
            match resolve(&p.code, before, &rows, &by_code, &identity, stored) {
                Some(from) => links.push(LineageLink {
                    from: Some(from),
                    to: Some(id),
                    share: p.share,
                    partial: p.partial,
                    inferred: false,
                    note: None,
                }),
                None => problems.push(Problem::at(
                    Some(&r.at(Column::Predecessors)),
                    ProblemKind::MissingUnit {
                        code: p.code.clone(),
                        date: before,
                    },
                )),
            }
        }
        if links.len() == 1 && links[0].partial {
            // Pieces of one unit on one date form one split.
            let key = (r.validity.from, links[0].from.unwrap_or_default());
            match splits.get(&key) {
                Some(&e) => events[e].links.append(&mut links),
                None => {
                    splits.insert(key, events.len());
                    events.push(event(EventKind::Split, links));
                }
            }
        } else if !links.is_empty() {
            events.push(event(EventKind::Merge, links));
        }
    }
    if problems.is_empty() {
        Ok(Dataset {
            units: order
                .into_iter()
                .filter_map(|id| units.remove(&id))
                .collect(),
            events,
        })
    } else {
        Err(problems)
    }
}

/// Both steps: the cells, then the codes.
pub fn parse(tables: &[Table], stored: &Atlas) -> Result<Dataset, Vec<Problem>> {
    to_dataset(read_rows(tables)?, stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn types_are_recognised_with_or_without_diacritics() {
        assert_eq!(
            parse_type("to dan pho").unwrap(),
            (UnitKind::ResidentialArea, "Tổ dân phố")
        );
        assert_eq!(parse_type("ẤP").unwrap(), (UnitKind::ResidentialArea, "Ấp"));
        assert_eq!(
            parse_type("Doanh nghiệp").unwrap(),
            (UnitKind::Organisation, "Doanh nghiệp")
        );
        assert!(matches!(
            parse_type("Xã"),
            Err(ProblemKind::OfficialType { .. })
        ));
        assert!(matches!(
            parse_type("Hợp tác xã"),
            Err(ProblemKind::UnknownType { .. })
        ));
    }

    #[test]
    fn predecessor_lists() {
        let p = parse_predecessors("T01; T02 (một phần) ; T03 (40%)").unwrap();
        assert_eq!(p.len(), 3);
        assert!(!p[0].partial && p[0].share.is_none());
        assert!(p[1].partial && p[1].share.is_none());
        assert!(p[2].partial && (p[2].share.unwrap() - 0.4).abs() < 1e-9);
        let q = parse_predecessors("A, B (mot phan, 12,5 %)").unwrap();
        assert_eq!(q[1].code, "B");
        assert!((q[1].share.unwrap() - 0.125).abs() < 1e-9);
        assert_eq!(parse_predecessors("").unwrap(), vec![]);
        assert!(parse_predecessors("A (nửa)").is_err());
        assert!(parse_predecessors("A (").is_err());
        assert!(parse_predecessors("A; A").is_err());
        assert!(parse_predecessors("A (150%)").is_err());
        assert!(parse_predecessors("mã sai").is_err());
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(parse_yes_no("Có"), Ok(true));
        assert_eq!(parse_yes_no("x"), Ok(true));
        assert_eq!(parse_yes_no(""), Ok(false));
        assert_eq!(parse_yes_no("không"), Ok(false));
        assert!(parse_yes_no("có lẽ").is_err());
    }

    proptest! {
        #[test]
        fn predecessor_parser_never_panics(s in "\\PC{0,40}") {
            let _ = parse_predecessors(&s);
        }

        #[test]
        fn predecessor_lists_round_trip(items in proptest::collection::btree_map("[A-Z][0-9]{1,4}", proptest::option::of(1u32..=99), 1..6)) {
            let text = items
                .iter()
                .map(|(c, s)| match s {
                    Some(p) => format!("{c} ({p}%)"),
                    None => c.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            let parsed = parse_predecessors(&text).unwrap();
            prop_assert_eq!(parsed.len(), items.len());
            for (p, (c, s)) in parsed.iter().zip(items.iter()) {
                prop_assert_eq!(&p.code, c);
                prop_assert_eq!(p.partial, s.is_some());
                prop_assert_eq!(p.share.map(|x| (x * 100.0).round() as u32), *s);
            }
        }
    }
}
