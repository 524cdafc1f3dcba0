//! Reading an uploaded .xlsx file (calamine): size, magic bytes, macros and formulas are
//! checked before any value is taken.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use super::cell::{Place, Problems, RawRow, RawSheet, RawValue, TypedRow, typed_rows};
use super::{Column, ImportError, Limits, ProblemKind};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Refuses a file over the caller's size limit.
pub(crate) fn check_size(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImportError::one(
            Place::default(),
            None,
            ProblemKind::TooLarge {
                size: bytes.len(),
                limit: limits.max_bytes,
            },
        ));
    }
    Ok(())
}

/// Every sheet of an .xlsx file as raw cells, in workbook order. Refused: a file over the
/// size limit, anything that is not an .xlsx (zip) file, a workbook with macros, and any
/// cell holding a formula (each one listed with its place).
pub fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<RawSheet>, ImportError> {
    check_size(bytes, limits)?;
    let file = |kind| ImportError::one(Place::default(), None, kind);
    if bytes.starts_with(OLE_MAGIC) {
        return Err(file(ProblemKind::OldExcel));
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(file(ProblemKind::NotSpreadsheet));
    }
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| file(ProblemKind::Unreadable(e.to_string())))?;
    // A vbaProject.bin part means macros, whether or not it parses.
    if !matches!(book.vba_project(), Ok(None)) {
        return Err(file(ProblemKind::Macros));
    }
    let mut problems = Problems::new(limits);
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let sheet_place = |row: u32, col: u32| Place {
            sheet: Some(name.clone()),
            row: Some(row + 1),
            column: Some(col),
        };
        let formulas = book
            .worksheet_formula(&name)
            .map_err(|e| file(ProblemKind::Unreadable(e.to_string())))?;
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, f) in formulas.cells() {
                if !f.is_empty() {
                    problems.push(
                        sheet_place(r0 + r as u32, c0 + c as u32),
                        None,
                        ProblemKind::Formula(f.clone()),
                    );
                }
            }
        }
        let range = book
            .worksheet_range(&name)
            .map_err(|e| file(ProblemKind::Unreadable(e.to_string())))?;
        let mut rows = Vec::new();
        if let Some((r0, c0)) = range.start() {
            for (i, cells) in range.rows().enumerate() {
                let mut raw: Vec<RawValue> = vec![RawValue::Empty; c0 as usize];
                raw.extend(cells.iter().map(raw_value));
                rows.push(RawRow {
                    row: r0 + i as u32 + 1,
                    cells: raw,
                });
            }
        }
        sheets.push(RawSheet {
            name: Some(name.clone()),
            rows,
        });
    }
    problems.finish(sheets)
}

fn raw_value(d: &Data) -> RawValue {
    match d {
        Data::Empty => RawValue::Empty,
        Data::String(s) => RawValue::Text(s.clone()),
        Data::Int(i) => RawValue::Number(*i as f64),
        Data::Float(f) => RawValue::Number(*f),
        Data::Bool(b) => RawValue::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => RawValue::DateTime(t),
            _ => RawValue::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .ok()
                        .map(|d| d.and_time(chrono::NaiveTime::MIN))
                }) {
                Some(t) => RawValue::DateTime(t),
                None => RawValue::Text(s.clone()),
            }
        }
        Data::Error(e) => RawValue::Error(e.to_string()),
    }
}

/// Reads the sheet `sheet` of an .xlsx file against `columns` (see [`read_xlsx`] for what
/// is refused, and the module for how rows are typed).
pub fn read_xlsx_table(
    bytes: &[u8],
    sheet: &str,
    columns: &[Column],
    limits: &Limits,
) -> Result<Vec<TypedRow>, ImportError> {
    let sheets = read_xlsx(bytes, limits)?;
    let found: Vec<String> = sheets.iter().filter_map(|s| s.name.clone()).collect();
    let Some(raw) = sheets.iter().find(|s| s.name.as_deref() == Some(sheet)) else {
        let place = Place {
            sheet: Some(sheet.to_owned()),
            ..Place::default()
        };
        return Err(ImportError::one(
            place,
            None,
            ProblemKind::MissingSheet { found },
        ));
    };
    typed_rows(raw, columns, limits)
}
