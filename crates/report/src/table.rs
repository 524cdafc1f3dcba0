//! Plain tables in and out, for files whose rows are read by position rather than typed by a
//! column list (the residential-area and organisation files of `binhyen import units`).
//!
//! Reading and writing go through [`crate::xlsx`] (one reader, one writer for the product): the
//! same size limit, refusal of non-spreadsheets, macros and formulas, and the same UTF-8 rule for
//! CSV. Each read row keeps its line (and the sheet), so problems name file, sheet and line.
//! Cells arrive as text: whole numbers without ".0", dates typed as dates as dd/mm/yyyy.

use std::sync::Arc;

use binhyen_core::table::{Origin, Row, Table};
use binhyen_core::text::format_date;
use binhyen_core::units::{Problem, ProblemKind};

use crate::xlsx::{self, Column, ColumnKind, Limits, Mode, RawSheet, RawValue, Value, Workbook};

/// Reads a .csv or .xlsx file (by its name) into tables: one for a CSV, one per sheet.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Table>, Vec<Problem>> {
    let lower = file_name.to_lowercase();
    let file: Arc<str> = Arc::from(file_name);
    let limits = Limits::default();
    let sheets = if lower.ends_with(".csv") || lower.ends_with(".txt") {
        xlsx::read_csv(bytes, &limits).map(|s| vec![s])
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        xlsx::read_xlsx(bytes, &limits)
    } else {
        return Err(vec![Problem::at(
            None,
            ProblemKind::UnsupportedFormat {
                name: file_name.to_owned(),
            },
        )]);
    };
    let sheets = sheets.map_err(|e| {
        e.problems
            .iter()
            .map(|p| {
                let sheet = p.place.sheet.as_deref().map(Arc::from);
                let origin = Origin::line(&file, sheet.as_ref(), p.place.row.unwrap_or(1) as usize);
                match p.kind {
                    xlsx::ProblemKind::Encoding { utf16: false } => {
                        // Also say the column of the first bad byte, where users look for it.
                        let (line, column) = first_bad_byte(bytes);
                        let origin = Origin::line(&file, None, line).with_column(column, "");
                        Problem::at(Some(&origin), ProblemKind::BadEncoding)
                    }
                    xlsx::ProblemKind::Encoding { utf16: true } => {
                        Problem::at(Some(&origin), ProblemKind::BadEncoding)
                    }
                    _ => Problem::at(
                        Some(&origin),
                        ProblemKind::BadSpreadsheet {
                            reason: p.to_string(),
                        },
                    ),
                }
            })
            .collect::<Vec<_>>()
    })?;
    let tables: Vec<Table> = sheets.iter().map(|s| table(&file, s)).collect();
    if tables.iter().all(|t| t.rows.is_empty()) {
        return Err(vec![Problem::at(
            Some(&Origin::line(&file, None, 1)),
            ProblemKind::EmptyFile,
        )]);
    }
    Ok(tables)
}

/// Line and column (1-based, in characters) of the first byte that is not UTF-8.
fn first_bad_byte(bytes: &[u8]) -> (usize, usize) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let offset = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// A raw sheet as text rows, blank rows left out.
fn table(file: &Arc<str>, sheet: &RawSheet) -> Table {
    Table {
        file: file.clone(),
        sheet: sheet.name.as_deref().map(Arc::from),
        rows: sheet
            .rows
            .iter()
            .map(|r| Row {
                line: r.row as usize,
                cells: r.cells.iter().map(cell_text).collect(),
            })
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
            .collect(),
    }
}

fn cell_text(cell: &RawValue) -> String {
    match cell {
        RawValue::Empty => String::new(),
        RawValue::Text(s) => s.clone(),
        RawValue::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        RawValue::Number(f) => f.to_string(),
        RawValue::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        RawValue::DateTime(d) => format_date(d.date()),
        RawValue::Error(e) => format!("#{e}"),
    }
}

/// A sheet of text to write: a header row, data rows and column widths (in characters).
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths: Vec<f64>,
}

/// Writes sheets as an xlsx workbook (text cells, so codes keep their leading zeros; bold,
/// frozen header) through [`xlsx::write`].
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let book = Workbook {
        mode: Mode::Export,
        sheets: sheets
            .iter()
            .map(|s| xlsx::Sheet {
                name: s.name.clone(),
                title: None,
                columns: s
                    .header
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        Column::new(h.clone(), ColumnKind::Text)
                            .width(s.widths.get(i).copied().unwrap_or(14.0))
                            .editable()
                    })
                    .collect(),
                rows: s
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| Value::Text(c.clone())).collect())
                    .collect(),
            })
            .collect(),
        help: None,
        lists_sheet: "Danh mục".to_owned(),
    };
    xlsx::write(&book).map_err(|e| e.to_string())
}

/// Writes one sheet as CSV, UTF-8 with a byte order mark so that Excel shows the diacritics.
pub fn write_csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        let _ = w.write_record(&sheet.header);
        for r in &sheet.rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "Đơn vị".into(),
            header: vec!["Mã".into(), "Tên".into(), "Hiệu lực từ".into()],
            rows: vec![
                vec![
                    "00004".into(),
                    "Ấp Phú Hòa, \"Mới\"".into(),
                    "01/07/2025".into(),
                ],
                vec!["T2".into(), "Thôn Đông".into(), String::new()],
            ],
            widths: vec![10.0, 30.0, 14.0],
        }
    }

    #[test]
    fn csv_round_trip_keeps_vietnamese_and_lines() {
        let bytes = write_csv(&sheet());
        let t = &read("kdc.csv", &bytes).unwrap()[0];
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].cells[0], "Mã");
        assert_eq!(t.rows[1].cells[1], "Ấp Phú Hòa, \"Mới\"");
        assert_eq!(t.rows[2].line, 3);
    }

    #[test]
    fn semicolon_csv_from_a_vietnamese_excel() {
        let t = &read("a.csv", "Mã;Tên\r\nT1;Thôn Một, Hai\r\n".as_bytes()).unwrap()[0];
        assert_eq!(t.rows[1].cells, ["T1", "Thôn Một, Hai"]);
    }

    #[test]
    fn broken_encoding_is_refused_with_line_and_column() {
        // "Thôn" in Windows-1258 (ô = 0xF4) on the third line, fifth character.
        let mut bytes = b"Ma,Ten\nT1,Xom\nT2,Th".to_vec();
        bytes.push(0xF4);
        bytes.extend_from_slice(b"n\n");
        let p = read("kdc.csv", &bytes).unwrap_err().remove(0);
        assert_eq!(p.kind, ProblemKind::BadEncoding);
        assert_eq!(p.origin.unwrap().to_string(), "kdc.csv:3:6");
    }

    #[test]
    fn xlsx_round_trip_keeps_text_codes() {
        let bytes = write_xlsx(&[sheet()]).unwrap();
        let tables = read("kdc.xlsx", &bytes).unwrap();
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.sheet.as_deref(), Some("Đơn vị"));
        assert_eq!(t.rows[1].cells[0], "00004");
        assert_eq!(t.rows[1].cells[1], "Ấp Phú Hòa, \"Mới\"");
        assert_eq!(t.rows[2].line, 3);
        assert_eq!(t.origin(3).to_string(), "kdc.xlsx[Đơn vị]:3");
    }

    #[test]
    fn other_formats_and_broken_spreadsheets_are_refused() {
        assert!(matches!(
            read("a.pdf", b"%PDF").unwrap_err()[0].kind,
            ProblemKind::UnsupportedFormat { .. }
        ));
        assert!(matches!(
            read("a.xlsx", b"not a zip").unwrap_err()[0].kind,
            ProblemKind::BadSpreadsheet { .. }
        ));
        assert_eq!(
            read("a.csv", b"\n\n").unwrap_err()[0].kind,
            ProblemKind::EmptyFile
        );
    }

    #[test]
    fn formulas_are_refused_with_their_place() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("Đơn vị").unwrap();
        ws.write_string(0, 0, "Mã").unwrap();
        ws.write_formula(1, 0, "=1+1").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let p = read("kdc.xlsx", &bytes).unwrap_err().remove(0);
        assert!(matches!(p.kind, ProblemKind::BadSpreadsheet { .. }));
        assert_eq!(p.origin.unwrap().to_string(), "kdc.xlsx[Đơn vị]:2");
    }

    proptest! {
        #[test]
        fn the_csv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read("x.csv", &bytes);
        }

        #[test]
        fn written_csv_reads_back(cells in proptest::collection::vec(proptest::collection::vec("[^\u{feff}]{0,12}", 3), 1..8)) {
            let s = Sheet { name: "x".into(), header: vec!["a".into(), "b".into(), "c".into()], rows: cells.clone(), ..Sheet::default() };
            let t = read("x.csv", &write_csv(&s)).unwrap().remove(0);
            let data: Vec<Vec<String>> = t.rows[1..].iter().map(|r| r.cells.clone()).collect();
            let expected: Vec<Vec<String>> = cells.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
            prop_assert_eq!(data, expected);
        }
    }
}
