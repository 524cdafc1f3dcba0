//! Facts in spreadsheets: the Excel template of a scope and a year (a sheet per form group, a
//! row per unit on that year's map, a column per catalogue field; code and name locked), and the
//! import of a filled template — or of a long CSV file (`Mã đơn vị`, `Trường`, `Giá trị`, one
//! value per line) — as a plan (unit, field, old → new) that is then committed all or nothing.
//!
//! Lists and reviewer judgements are not in the spreadsheet (they are entered on the web); a
//! document field takes three columns (number, date, issuer).

use std::collections::{BTreeMap, HashMap};

use binhyen_core::authz::{self, Capability, Need, Scope};
use binhyen_core::catalogue::{Catalogue, Field, FieldType, FormGroup};
use binhyen_core::standard::Registry;
use binhyen_core::text::{fold, format_date};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_report::xlsx::{
    self, Column, ColumnKind, HelpSheet, ImportError, Limits, Mode, Place, Problem, ProblemKind,
    RawValue, Sheet, Value as Cell, Workbook,
};
use binhyen_store::facts::{self as store, FieldChange, FormRow, FormWrite, SaveError};
use serde_json::{Map, Value as JV};

use super::{DRAFT, changes, is_locked, period};
use crate::service::{Actor, Audit, Ctx, ServiceError};

const CODE: &str = "Mã đơn vị";
const NAME: &str = "Tên đơn vị";
const CSV_FIELD: &str = "Trường";
const CSV_VALUE: &str = "Giá trị";
const YES: &str = "Có";
const NO: &str = "Không";

/// A file to import: its name (`.csv`, else `.xlsx`), its bytes, and the largest size accepted.
pub struct File<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub max_bytes: usize,
}

/// The largest file accepted from a browser upload.
pub const WEB_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The largest file `binhyen import facts` reads (a national CSV of a million values is
/// about 35 MB).
pub const CLI_MAX_BYTES: usize = 256 * 1024 * 1024;

/// Which part of a field a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Whole,
    Number,
    Date,
    Issuer,
}

/// A data column of a sheet: the field it fills and the spreadsheet column.
struct FieldColumn<'c> {
    field: &'c Field,
    part: Part,
    column: Column,
}

/// Whether a field fits in a spreadsheet cell (or, for documents, three cells).
fn tabular(ty: &FieldType) -> bool {
    !matches!(ty, FieldType::List { .. } | FieldType::Judgement)
}

fn kind_of(ty: &FieldType) -> ColumnKind {
    match ty {
        FieldType::Int => ColumnKind::Integer,
        FieldType::Bool => ColumnKind::YesNo {
            yes: YES.into(),
            no: NO.into(),
        },
        FieldType::Date => ColumnKind::Date,
        FieldType::Choice { choices } => ColumnKind::Choice {
            choices: choices
                .iter()
                .map(|c| c.label.get("vi").to_owned())
                .collect(),
        },
        _ => ColumnKind::Text,
    }
}

/// The fields of `group` for any of `kinds` in `year`, in catalogue order, as columns.
fn field_columns<'c>(
    cat: &'c Catalogue,
    kinds: &[UnitKind],
    year: i32,
    group: FormGroup,
) -> Vec<FieldColumn<'c>> {
    let mut out = vec![];
    for f in cat.fields() {
        let Some(v) = f.versions.iter().find(|v| {
            v.covers_year(year)
                && v.group == group
                && v.unit_kinds.iter().any(|k| kinds.contains(k))
        }) else {
            continue;
        };
        if !tabular(&f.ty) {
            continue;
        }
        let label = v.label.get("vi");
        let hint: String = v.help.get("vi").chars().take(250).collect();
        if f.ty == FieldType::Document {
            for (part, suffix, kind) in [
                (Part::Number, "số", ColumnKind::Text),
                (Part::Date, "ngày", ColumnKind::Date),
                (Part::Issuer, "cơ quan ban hành", ColumnKind::Text),
            ] {
                out.push(FieldColumn {
                    field: f,
                    part,
                    column: Column::new(format!("{label} — {suffix}"), kind)
                        .width(22.0)
                        .editable()
                        .hint(hint.clone()),
                });
            }
        } else {
            out.push(FieldColumn {
                field: f,
                part: Part::Whole,
                column: Column::new(label, kind_of(&f.ty))
                    .width(18.0)
                    .editable()
                    .hint(hint),
            });
        }
    }
    out
}

fn key_columns() -> Vec<Column> {
    vec![
        Column::new(CODE, ColumnKind::Text).width(12.0).required(),
        Column::new(NAME, ColumnKind::Text).width(30.0),
    ]
}

/// The sheet name of a group (its Vietnamese title, at most 31 characters).
fn sheet_name(group: FormGroup) -> String {
    group.label("vi").chars().take(31).collect()
}

/// The units of `scope` (itself and everything under it) on the map of `year`, in tree order.
pub fn units_of_scope(
    atlas: &Atlas,
    scope: Scope,
    year: i32,
) -> Vec<(UnitId, String, String, UnitKind)> {
    let on = period(year);
    let mut stack: Vec<UnitId> = match scope {
        Scope::Country => atlas.roots(on).into_iter().rev().collect(),
        Scope::Unit(u) => vec![u],
    };
    let mut out = vec![];
    while let Some(id) = stack.pop() {
        let (Some(unit), Some(v)) = (atlas.unit(id), atlas.version_at(id, on)) else {
            continue;
        };
        out.push((id, v.code.clone(), v.name.clone(), unit.kind));
        stack.extend(atlas.children(id, on).into_iter().rev());
    }
    out
}

/// The template workbook of `scope` for `year`, with the values already stored filled in.
pub async fn template(
    ctx: &Ctx<'_>,
    reg: &Registry,
    atlas: &Atlas,
    scope: Scope,
    year: i32,
) -> Result<Vec<u8>, ServiceError> {
    let cat = reg.catalogue();
    let units = units_of_scope(atlas, scope, year);
    let ids: Vec<UnitId> = units.iter().map(|u| u.0).collect();
    let stored = store::forms_of_units(ctx.store, &ids, year..=year).await?;
    let stored: HashMap<(UnitId, &str), Map<String, JV>> = stored
        .iter()
        .map(|r| ((r.unit_id, r.form.as_str()), super::object(&r.data)))
        .collect();
    let mut sheets = vec![];
    let mut help = vec![
        format!("Hướng dẫn nhập số liệu năm {year}"),
        "Mỗi trang tính là một biểu mẫu; mỗi dòng là một đơn vị (mã và tên đã điền sẵn, không sửa).".into(),
        "Số nhập dạng 1.234; ngày dạng dd/mm/yyyy; ô có danh sách chọn từ danh sách; ô để trống là chưa nhập.".into(),
        "Chỉ nhập giá trị, không dùng công thức. Tệp không được chứa macro.".into(),
        "Danh sách (vụ việc, mô hình, kỷ luật…) và kết luận đánh giá nhập trên trang web.".into(),
    ];
    for group in FormGroup::ALL {
        let kinds: Vec<UnitKind> = {
            let mut k: Vec<UnitKind> = units.iter().map(|u| u.3).collect();
            k.sort_by_key(|k| k.as_str());
            k.dedup();
            k
        };
        let cols = field_columns(cat, &kinds, year, group);
        if cols.is_empty() {
            continue;
        }
        let mut columns = key_columns();
        columns.extend(cols.iter().map(|c| c.column.clone()));
        let rows = units
            .iter()
            .filter(|u| {
                cols.iter()
                    .any(|c| cat.version_for(&c.field.key, u.3, year).is_some())
            })
            .map(|(id, code, name, kind)| {
                let values = stored.get(&(*id, group.as_str()));
                let mut row = vec![Cell::Text(code.clone()), Cell::Text(name.clone())];
                row.extend(cols.iter().map(|c| {
                    if cat.version_for(&c.field.key, *kind, year).is_none() {
                        return Cell::Empty;
                    }
                    values
                        .and_then(|m| m.get(&c.field.key))
                        .map_or(Cell::Empty, |v| cell_of(&c.field.ty, c.part, v))
                }));
                row
            })
            .collect::<Vec<_>>();
        if rows.is_empty() {
            continue;
        }
        help.push(format!("Trang «{}»:", sheet_name(group)));
        help.extend(
            cols.iter()
                .filter(|c| c.part != Part::Date && c.part != Part::Issuer)
                .map(|c| {
                    let rules = reg.rules_using(&c.field.key);
                    let mut rules: Vec<String> = rules
                        .iter()
                        .map(|r| format!("{} {}", r.rule, r.title.get("vi")))
                        .collect();
                    rules.dedup();
                    format!(
                        "  • {}{}",
                        c.column.heading.trim_end_matches(" — số"),
                        if rules.is_empty() {
                            String::new()
                        } else {
                            format!(" (dùng trong: {})", rules.join(", "))
                        }
                    )
                }),
        );
        sheets.push(Sheet {
            name: sheet_name(group),
            title: None,
            columns,
            rows,
        });
    }
    let book = Workbook {
        mode: Mode::Template,
        sheets,
        help: Some(HelpSheet {
            name: "Hướng dẫn".into(),
            lines: help,
        }),
        lists_sheet: "Danh mục".into(),
    };
    xlsx::write(&book).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A stored JSON value as a cell.
fn cell_of(ty: &FieldType, part: Part, v: &JV) -> Cell {
    let date = |s: Option<&str>| {
        s.and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map_or(Cell::Empty, Cell::Date)
    };
    match (ty, part) {
        (FieldType::Int, _) => v.as_i64().map_or(Cell::Empty, Cell::Integer),
        (FieldType::Bool, _) => v.as_bool().map_or(Cell::Empty, Cell::Bool),
        (FieldType::Date, _) => date(v.as_str()),
        (FieldType::Choice { choices }, _) => v
            .as_str()
            .and_then(|k| choices.iter().find(|c| c.key == k))
            .map_or(Cell::Empty, |c| Cell::Text(c.label.get("vi").to_owned())),
        (FieldType::Document, Part::Number) => v["number"]
            .as_str()
            .map_or(Cell::Empty, |s| Cell::Text(s.into())),
        (FieldType::Document, Part::Date) => date(v["date"].as_str()),
        (FieldType::Document, Part::Issuer) => v["issuer"]
            .as_str()
            .map_or(Cell::Empty, |s| Cell::Text(s.into())),
        _ => v.as_str().map_or(Cell::Empty, |s| Cell::Text(s.into())),
    }
}

/// The long-CSV lines (`Trường`, `Giá trị`) of a stored form: the tabular fields, a document as
/// its three parts, values written as a person types them (1234, dd/mm/yyyy, Có/Không, the
/// choice's label). What [`plan`] reads back into the same values.
pub fn csv_values(cat: &Catalogue, values: &Map<String, JV>) -> Vec<(String, String)> {
    let mut out = vec![];
    for (key, v) in values {
        let Some(f) = cat.field(key).filter(|f| tabular(&f.ty)) else {
            continue;
        };
        let parts: &[(Part, &str)] = if f.ty == FieldType::Document {
            &[
                (Part::Number, ".number"),
                (Part::Date, ".date"),
                (Part::Issuer, ".issuer"),
            ]
        } else {
            &[(Part::Whole, "")]
        };
        for (part, suffix) in parts {
            let text = shown(&cell_of(&f.ty, *part, v));
            if !text.is_empty() {
                out.push((format!("{key}{suffix}"), text));
            }
        }
    }
    out
}

/// A unit code looked up: the unit and its kind, or why not (Vietnamese, English).
type Lookup = Result<(UnitId, UnitKind), (String, String)>;

/// One value read from a file, with its place.
struct Entry {
    place: Place,
    raw: String,
    unit: UnitId,
    group: FormGroup,
    key: String,
    part: Part,
    value: Cell,
}

/// One form an import changes.
#[derive(Clone, Debug)]
pub struct PlannedForm {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    pub group: FormGroup,
    pub expected_version: i64,
    pub status: String,
    pub values: Map<String, JV>,
    pub changes: Vec<FieldChange>,
}

/// What an import will change (nothing is written until [`commit`]).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub year: i32,
    pub source: String,
    pub forms: Vec<PlannedForm>,
    /// Values read from the file (changed or not).
    pub values_read: usize,
}

impl Plan {
    pub fn change_count(&self) -> usize {
        self.forms.iter().map(|f| f.changes.len()).sum()
    }
}

fn custom(place: Place, value: Option<String>, vi: String, en: String) -> Problem {
    Problem {
        place,
        value,
        kind: ProblemKind::Custom { vi, en },
    }
}

/// Reads a filled template (.xlsx) or a long CSV file, checks every value, unit, scope and lock,
/// and returns what would change. Every problem is listed with its place.
#[allow(
    clippy::too_many_arguments,
    reason = "the file, its year and the caller's context"
)]
pub async fn plan(
    ctx: &Ctx<'_>,
    reg: &Registry,
    actor: &Actor,
    atlas: &Atlas,
    file: &File<'_>,
    year: i32,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Plan, ImportError> {
    let (file_name, bytes) = (file.name, file.bytes);
    let limits = Limits {
        max_bytes: file.max_bytes,
        ..Limits::default()
    };
    let cat = reg.catalogue();
    let mut problems: Vec<Problem> = vec![];
    let mut entries: Vec<Entry> = vec![];
    let is_csv = file_name.to_lowercase().ends_with(".csv");
    let lookup = |code: &str| -> Lookup {
        match ctx.units.by_code(code, period(year)) {
            Some(u) => Ok((u.id, u.kind)),
            None => {
                let other = atlas.units_with_code(code);
                if other.is_empty() {
                    Err((
                        "không có đơn vị nào mang mã này.".into(),
                        "no unit has this code.".into(),
                    ))
                } else {
                    Err((
                        format!("đơn vị mang mã này không tồn tại trong năm {year}."),
                        format!("the unit with this code did not exist in {year}."),
                    ))
                }
            }
        }
    };
    if is_csv {
        let columns = vec![
            Column::new(CODE, ColumnKind::Text).required(),
            Column::new(CSV_FIELD, ColumnKind::Text).required(),
            Column::new(CSV_VALUE, ColumnKind::Text),
        ];
        let rows = xlsx::read_csv_table(bytes, &columns, &limits)?;
        let mut units: HashMap<String, Lookup> = HashMap::new();
        for r in rows {
            let text = |i: usize| match &r.values[i] {
                Cell::Text(s) => s.clone(),
                _ => String::new(),
            };
            let (code, key, raw) = (text(0), text(1), text(2));
            let place = |col: u32| Place {
                sheet: None,
                row: Some(r.row),
                column: Some(col),
            };
            let unit = units
                .entry(code.clone())
                .or_insert_with(|| lookup(&code))
                .clone();
            let (unit, kind) = match unit {
                Ok(u) => u,
                Err((vi, en)) => {
                    problems.push(custom(place(0), Some(code), vi, en));
                    continue;
                }
            };
            let (field_key, part) = split_key(&key);
            let Some(field) = cat.field(field_key).filter(|f| tabular(&f.ty)) else {
                problems.push(custom(
                    place(1),
                    Some(key.clone()),
                    "không phải tên trường của danh mục số liệu (ví dụ crimes_drugs, party_resolution.number).".into(),
                    "is not a catalogue field (e.g. crimes_drugs, party_resolution.number).".into(),
                ));
                continue;
            };
            let Some(v) = cat.version_for(field_key, kind, year) else {
                problems.push(not_for_kind(place(1), &key, year));
                continue;
            };
            let kind_col = match part {
                Part::Date => ColumnKind::Date,
                Part::Number | Part::Issuer => ColumnKind::Text,
                Part::Whole => kind_of(&field.ty),
            };
            match xlsx::coerce(&RawValue::Text(raw.clone()), &kind_col) {
                Ok(value) => entries.push(Entry {
                    place: place(2),
                    raw,
                    unit,
                    group: v.group,
                    key: field.key.clone(),
                    part,
                    value,
                }),
                Err(kind) => problems.push(Problem {
                    place: place(2),
                    value: Some(raw),
                    kind,
                }),
            }
        }
    } else {
        let units = units_of_scope(atlas, Scope::Country, year);
        let kinds: Vec<UnitKind> = {
            let mut k: Vec<UnitKind> = units.iter().map(|u| u.3).collect();
            k.sort_by_key(|k| k.as_str());
            k.dedup();
            k
        };
        let sheets = xlsx::read_xlsx(bytes, &limits)?;
        for group in FormGroup::ALL {
            let name = sheet_name(group);
            if !sheets
                .iter()
                .any(|s| s.name.as_deref() == Some(name.as_str()))
            {
                continue;
            }
            let cols = field_columns(cat, &kinds, year, group);
            // Only the columns the file has (a province without organisations has fewer).
            let raw = sheets
                .iter()
                .find(|s| s.name.as_deref() == Some(name.as_str()))
                .expect("found");
            let header = raw
                .rows
                .first()
                .map(|r| r.cells.clone())
                .unwrap_or_default();
            let present: Vec<&FieldColumn> = header
                .iter()
                .skip(2)
                .filter_map(|h| match h {
                    RawValue::Text(t) => cols.iter().find(|c| fold(&c.column.heading) == fold(t)),
                    _ => None,
                })
                .collect();
            let mut columns = key_columns();
            columns.extend(present.iter().map(|c| c.column.clone()));
            let rows = match xlsx::read_xlsx_table(bytes, &name, &columns, &limits) {
                Ok(r) => r,
                Err(e) => {
                    problems.extend(e.problems);
                    continue;
                }
            };
            for r in rows {
                let code = match &r.values[0] {
                    Cell::Text(s) => s.clone(),
                    _ => String::new(),
                };
                let place = |col: usize| Place {
                    sheet: Some(name.clone()),
                    row: Some(r.row),
                    column: Some(col as u32),
                };
                let (unit, kind) = match lookup(&code) {
                    Ok(u) => u,
                    Err((vi, en)) => {
                        problems.push(custom(place(0), Some(code), vi, en));
                        continue;
                    }
                };
                for (i, c) in present.iter().enumerate() {
                    let value = r.values[i + 2].clone();
                    if value == Cell::Empty {
                        continue;
                    }
                    if cat.version_for(&c.field.key, kind, year).is_none() {
                        problems.push(not_for_kind(place(i + 2), &c.column.heading, year));
                        continue;
                    }
                    entries.push(Entry {
                        place: place(i + 2),
                        raw: shown(&value),
                        unit,
                        group,
                        key: c.field.key.clone(),
                        part: c.part,
                        value,
                    });
                }
            }
        }
        if entries.is_empty() && problems.is_empty() {
            problems.push(custom(
                Place::default(),
                None,
                "không có trang tính nào của tệp mẫu số liệu (Đăng ký, Văn bản…) hoặc không có giá trị nào.".into(),
                "has none of the facts template's sheets, or no value.".into(),
            ));
        }
    }
    // Scope and lock, once per unit.
    let locks = store::locks(ctx.store, year).await.map_err(db_problem)?;
    let mut checked: HashMap<UnitId, Option<(String, String)>> = HashMap::new();
    let console = actor.id.is_none() && actor.login == Actor::console().login;
    for e in &entries {
        let refusal = checked.entry(e.unit).or_insert_with(|| {
            let need = Need {
                capability: Capability::EnterFacts,
                target: Scope::Unit(e.unit),
                on: period(year),
            };
            if !console && authz::authorize(&actor.grants, &need, ctx.units).is_err() {
                return Some((
                    "đơn vị nằm ngoài phạm vi nhập liệu của bạn.".into(),
                    "the unit is outside your data-entry territory.".into(),
                ));
            }
            let lock = locks
                .iter()
                .find(|l| l.province_id == e.unit || ctx.units.within(l.province_id, e.unit));
            is_locked(lock, ctx.today()).map(|d| {
                (
                    format!(
                        "số liệu năm {year} của đơn vị đã khóa từ {}.",
                        format_date(d)
                    ),
                    format!("the unit's {year} data is locked since {}.", format_date(d)),
                )
            })
        });
        if let Some((vi, en)) = refusal.clone() {
            let mut place = e.place.clone();
            place.column = Some(0);
            problems.push(custom(place, None, vi, en));
        }
    }
    problems.dedup_by(|a, b| a.place == b.place && a.kind == b.kind);
    // Values into forms.
    let total = entries.len() as u64;
    let mut forms: BTreeMap<(UnitId, FormGroup), Vec<&Entry>> = BTreeMap::new();
    for e in &entries {
        forms.entry((e.unit, e.group)).or_default().push(e);
    }
    let ids: Vec<UnitId> = forms
        .keys()
        .map(|k| k.0)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored: HashMap<(UnitId, String), FormRow> =
        store::forms_of_units(ctx.store, &ids, year..=year)
            .await
            .map_err(db_problem)?
            .into_iter()
            .map(|r| ((r.unit_id, r.form.clone()), r))
            .collect();
    let mut planned = vec![];
    let mut done = 0u64;
    for ((unit, group), list) in &forms {
        let row = stored.get(&(*unit, group.as_str().to_owned()));
        let old = row.map(|r| super::object(&r.data)).unwrap_or_default();
        let mut values = old.clone();
        for e in list {
            let field = cat.field(&e.key).expect("checked");
            match json_of(&field.ty, e.part, &e.value, values.get(&e.key)) {
                Ok(v) => {
                    values.insert(e.key.clone(), v);
                }
                Err((vi, en)) => {
                    problems.push(custom(e.place.clone(), Some(e.raw.clone()), vi, en))
                }
            }
        }
        done += list.len() as u64;
        progress(done, total);
        let kind = ctx
            .units
            .by_id(*unit)
            .map(|u| u.kind)
            .unwrap_or(UnitKind::Commune);
        // Documents need all three parts: the catalogue check names what is missing.
        if let Err(list) = super::parse_form(reg, kind, year, *group, &values) {
            let first = forms[&(*unit, *group)][0].place.clone();
            for p in list {
                let mut place = first.clone();
                place.column = None;
                problems.push(custom(
                    place,
                    None,
                    format!("«{}»: {}", p.field, p.message.render("vi")),
                    format!("“{}”: {}", p.field, p.message.render("en")),
                ));
            }
            continue;
        }
        let diff = changes(&old, &values);
        if diff.is_empty() {
            continue;
        }
        let u = ctx.units.in_year(*unit, year);
        planned.push(PlannedForm {
            unit: *unit,
            code: u.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
            name: u.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
            group: *group,
            expected_version: row.map_or(0, |r| r.version),
            status: row.map_or(DRAFT.to_owned(), |r| r.status.clone()),
            values,
            changes: diff,
        });
    }
    if !problems.is_empty() {
        problems.truncate(limits.max_problems);
        return Err(ImportError { problems });
    }
    Ok(Plan {
        year,
        source: format!("import:{file_name}"),
        forms: planned,
        values_read: entries.len(),
    })
}

fn db_problem(e: binhyen_store::DbErr) -> ImportError {
    ImportError {
        problems: vec![custom(
            Place::default(),
            None,
            format!("lỗi cơ sở dữ liệu: {e}"),
            format!("database error: {e}"),
        )],
    }
}

fn not_for_kind(place: Place, what: &str, year: i32) -> Problem {
    custom(
        place,
        Some(what.to_owned()),
        format!("trường này không áp dụng cho loại đơn vị này trong năm {year}; hãy để trống."),
        format!("this field does not apply to this kind of unit in {year}; leave it empty."),
    )
}

fn split_key(key: &str) -> (&str, Part) {
    match key.trim().split_once('.') {
        Some((k, "number")) => (k, Part::Number),
        Some((k, "date")) => (k, Part::Date),
        Some((k, "issuer")) => (k, Part::Issuer),
        _ => (key.trim(), Part::Whole),
    }
}

fn shown(v: &Cell) -> String {
    match v {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Integer(i) => i.to_string(),
        Cell::Decimal(d) => d.to_string(),
        Cell::Date(d) => format_date(*d),
        Cell::Bool(b) => (if *b { YES } else { NO }).to_owned(),
    }
}

/// A typed cell as the field's JSON value (a document part merges into the stored document).
fn json_of(
    ty: &FieldType,
    part: Part,
    v: &Cell,
    current: Option<&JV>,
) -> Result<JV, (String, String)> {
    let mut doc = match current {
        Some(JV::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let set = |doc: &mut Map<String, JV>, k: &str, val: JV| {
        doc.insert(k.to_owned(), val);
        Ok(JV::Object(doc.clone()))
    };
    match (ty, part, v) {
        (FieldType::Int, _, Cell::Integer(i)) if *i >= 0 => Ok(JV::from(*i)),
        (FieldType::Int, _, _) => Err((
            "cần một số nguyên không âm, ví dụ 12.".into(),
            "expected a whole number, zero or more, e.g. 12.".into(),
        )),
        (FieldType::Bool, _, Cell::Bool(b)) => Ok(JV::Bool(*b)),
        (FieldType::Date, _, Cell::Date(d)) => Ok(JV::String(d.to_string())),
        (FieldType::Choice { choices }, _, Cell::Text(label)) => choices
            .iter()
            .find(|c| fold(c.label.get("vi")) == fold(label) || c.key == *label)
            .map(|c| JV::String(c.key.clone()))
            .ok_or_else(|| {
                (
                    "không có trong danh sách.".into(),
                    "is not in the list.".into(),
                )
            }),
        (FieldType::Text, _, Cell::Text(s)) => Ok(JV::String(s.clone())),
        (FieldType::Document, Part::Number, Cell::Text(s)) => {
            set(&mut doc, "number", JV::String(s.clone()))
        }
        (FieldType::Document, Part::Issuer, Cell::Text(s)) => {
            set(&mut doc, "issuer", JV::String(s.clone()))
        }
        (FieldType::Document, Part::Date, Cell::Date(d)) => {
            set(&mut doc, "date", JV::String(d.to_string()))
        }
        _ => Err((
            "giá trị không đúng kiểu của trường.".into(),
            "the value is not of the field's type.".into(),
        )),
    }
}

/// Writes a plan in one transaction: every form or none. A form saved by someone else since the
/// plan was made refuses the whole import. A changed submitted form needs `reason`.
pub async fn commit(
    ctx: &Ctx<'_>,
    actor: &Actor,
    plan: &Plan,
    reason: Option<&str>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<usize, super::FactsError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let submitted: Vec<String> = plan
        .forms
        .iter()
        .filter(|f| f.status == super::SUBMITTED)
        .map(|f| format!("{} {}", f.code, f.group.as_str()))
        .collect();
    if !submitted.is_empty() && reason.is_none() {
        return Err(super::FactsError::ReasonRequired { fields: submitted });
    }
    if plan.forms.is_empty() {
        // Nothing differs from what is stored: nothing to write, nothing to audit.
        return Ok(0);
    }
    // Every unit was scope-checked by `plan`; one transaction holds the whole import.
    let change = crate::service::open(ctx, actor.audit_actor()).await?;
    let data: Vec<String> = plan
        .forms
        .iter()
        .map(|f| JV::Object(f.values.clone()).to_string())
        .collect();
    let writes: Vec<FormWrite> = plan
        .forms
        .iter()
        .zip(&data)
        .map(|(f, data)| FormWrite {
            unit_id: f.unit,
            year: plan.year,
            form: f.group.as_str(),
            data,
            status: &f.status,
            expected_version: f.expected_version,
            actor_id: actor.id,
            actor_name: &actor.display_name,
            at: ctx.now,
            reason,
            source: &plan.source,
            changes: &f.changes,
        })
        .collect();
    let total = writes.len() as u64;
    let mut done = 0;
    for chunk in writes.chunks(2000) {
        match store::save_forms(change.tx(), chunk).await {
            Ok(()) => {}
            Err(SaveError::Conflict { current }) => {
                drop(change);
                return Err(import_conflict(ctx, plan, current).await);
            }
            Err(SaveError::Db(e)) => return Err(e.into()),
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    let n = plan.change_count();
    change
        .commit(
            Audit::new("facts.import", "fact_import", &plan.source).details(serde_json::json!({
                "year": plan.year, "forms": plan.forms.len(), "changes": n, "reason": reason,
            })),
        )
        .await?;
    Ok(n)
}

/// The conflict that stopped an import: the stored form it met (read again outside the failed
/// transaction: the first planned form that someone saved since the plan was made).
async fn import_conflict(
    ctx: &Ctx<'_>,
    plan: &Plan,
    current: Option<Box<FormRow>>,
) -> super::FactsError {
    let current = match current {
        Some(c) => Some(c),
        None => {
            let ids: Vec<UnitId> = plan.forms.iter().map(|f| f.unit).collect();
            let stored = store::forms_of_units(ctx.store, &ids, plan.year..=plan.year)
                .await
                .unwrap_or_default();
            plan.forms.iter().find_map(|f| {
                stored
                    .iter()
                    .find(|r| {
                        r.unit_id == f.unit
                            && r.form == f.group.as_str()
                            && r.version != f.expected_version
                    })
                    .map(|r| Box::new(r.clone()))
            })
        }
    };
    match current {
        Some(current) => super::FactsError::Conflict {
            current,
            their_changes: vec![],
        },
        None => super::FactsError::Service(ServiceError::NotFound),
    }
}
