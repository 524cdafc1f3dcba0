//! Tables in and out: CSV (UTF-8) and xlsx files read into [`Table`]s with the place of every
//! cell, and simple sheets written as xlsx or CSV (templates and exports).
//!
//! A CSV that is not UTF-8 (saved as ANSI / Windows-1258) is refused with the line and column
//! of the first bad byte; the delimiter (`,` `;` or tab) is taken from the header line; a byte
//! order mark is skipped. In a spreadsheet, dates typed as dates arrive as dd/mm/yyyy text and
//! whole numbers without ".0".

use std::io::Cursor;
use std::sync::Arc;

use binhyen_core::table::{Origin, Row, Table};
use binhyen_core::text::format_date;
use binhyen_core::units::{Problem, ProblemKind};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, Workbook};

/// Reads a .csv or .xlsx file (by its name) into tables: one for a CSV, one per sheet.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Table>, Vec<Problem>> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(file_name, bytes)
            .map(|t| vec![t])
            .map_err(|p| vec![*p])
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        read_xlsx(file_name, bytes).map_err(|p| vec![*p])
    } else {
        Err(vec![Problem::at(
            None,
            ProblemKind::UnsupportedFormat {
                name: file_name.to_owned(),
            },
        )])
    }
}

/// Line (1-based) and column (1-based, in characters) of byte `offset` of `bytes`.
fn place(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.chars().filter(|&x| x == c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|&(d, n)| (n, d == b','))
        .map_or(b',', |(d, _)| d)
}

/// Reads a CSV file: UTF-8, header on the first line.
pub fn read_csv(file_name: &str, bytes: &[u8]) -> Result<Table, Box<Problem>> {
    let file: Arc<str> = Arc::from(file_name);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = place(bytes, e.valid_up_to());
        Box::new(Problem::at(
            Some(&Origin::line(&file, None, line).with_column(column, "")),
            ProblemKind::BadEncoding,
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            Box::new(Problem::at(
                Some(&Origin::line(&file, None, line)),
                ProblemKind::BadSpreadsheet {
                    reason: e.to_string(),
                },
            ))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(Row { line, cells });
        }
    }
    if rows.is_empty() {
        return Err(Box::new(Problem::at(
            Some(&Origin::line(&file, None, 1)),
            ProblemKind::EmptyFile,
        )));
    }
    Ok(Table {
        file,
        sheet: None,
        rows,
    })
}

/// An Excel serial day number as a date (1900 date system).
fn serial_date(serial: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        Data::DateTime(d) => serial_date(d.as_f64()).map(format_date).unwrap_or_default(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads every sheet of an xlsx workbook.
pub fn read_xlsx(file_name: &str, bytes: &[u8]) -> Result<Vec<Table>, Box<Problem>> {
    let file: Arc<str> = Arc::from(file_name);
    let bad = |reason: String| {
        Box::new(Problem::at(
            Some(&Origin::line(&file, None, 1)),
            ProblemKind::BadSpreadsheet { reason },
        ))
    };
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| bad(format!("{e}")))?;
    let mut tables = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| bad(format!("{e}")))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let sheet: Arc<str> = Arc::from(name.as_str());
        let mut rows = Vec::new();
        for (i, r) in range.rows().enumerate() {
            let mut cells = vec![String::new(); col0 as usize];
            cells.extend(r.iter().map(cell_text));
            if cells.iter().any(|c| !c.trim().is_empty()) {
                rows.push(Row {
                    line: row0 as usize + i + 1,
                    cells,
                });
            }
        }
        tables.push(Table {
            file: file.clone(),
            sheet: Some(sheet),
            rows,
        });
    }
    if tables.iter().all(|t| t.rows.is_empty()) {
        return Err(Box::new(Problem::at(
            Some(&Origin::line(&file, None, 1)),
            ProblemKind::EmptyFile,
        )));
    }
    Ok(tables)
}

/// A sheet to write: a header row, data rows, column widths (in characters) and the columns
/// kept as text (codes with leading zeros).
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths: Vec<f64>,
    pub text_columns: Vec<usize>,
}

/// Writes sheets as an xlsx workbook: bold header on a light background, frozen header row.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let header_format = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDEBF7));
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&s.name).map_err(|e| e.to_string())?;
        for (c, w) in s.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)
                .map_err(|e| e.to_string())?;
        }
        for &c in &s.text_columns {
            ws.set_column_format(c as u16, &text)
                .map_err(|e| e.to_string())?;
        }
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &header_format)
                .map_err(|e| e.to_string())?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let format = if s.text_columns.contains(&c) {
                    &text
                } else {
                    &wrap
                };
                ws.write_string_with_format(r as u32 + 1, c as u16, v, format)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
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
            text_columns: vec![0],
        }
    }

    #[test]
    fn csv_round_trip_keeps_vietnamese_and_lines() {
        let bytes = write_csv(&sheet());
        let t = read_csv("kdc.csv", &bytes).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].cells[0], "Mã");
        assert_eq!(t.rows[1].cells[1], "Ấp Phú Hòa, \"Mới\"");
        assert_eq!(t.rows[2].line, 3);
    }

    #[test]
    fn semicolon_csv_from_a_vietnamese_excel() {
        let t = read_csv("a.csv", "Mã;Tên\r\nT1;Thôn Một, Hai\r\n".as_bytes()).unwrap();
        assert_eq!(t.rows[1].cells, ["T1", "Thôn Một, Hai"]);
    }

    #[test]
    fn broken_encoding_is_refused_with_line_and_column() {
        // "Thôn" in Windows-1258 (ô = 0xF4) on the third line, fifth character.
        let mut bytes = b"Ma,Ten\nT1,Xom\nT2,Th".to_vec();
        bytes.push(0xF4);
        bytes.extend_from_slice(b"n\n");
        let p = read_csv("kdc.csv", &bytes).unwrap_err();
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
    fn excel_serial_dates() {
        assert_eq!(serial_date(45839.0), NaiveDate::from_ymd_opt(2025, 7, 1));
    }

    proptest! {
        #[test]
        fn the_csv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_csv("x.csv", &bytes);
        }

        #[test]
        fn written_csv_reads_back(cells in proptest::collection::vec(proptest::collection::vec("[^\u{feff}]{0,12}", 3), 1..8)) {
            let s = Sheet { name: "x".into(), header: vec!["a".into(), "b".into(), "c".into()], rows: cells.clone(), ..Sheet::default() };
            let t = read_csv("x.csv", &write_csv(&s)).unwrap();
            let data: Vec<Vec<String>> = t.rows[1..].iter().map(|r| r.cells.clone()).collect();
            let expected: Vec<Vec<String>> = cells.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
            prop_assert_eq!(data, expected);
        }
    }
}
