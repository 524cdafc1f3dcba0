//! Reading an uploaded CSV file: UTF-8 only (a byte order mark is allowed), the delimiter
//! (comma, semicolon or tab) taken from the first line, every cell read as text and typed
//! by the same rules as spreadsheet cells.

use super::cell::{Place, RawRow, RawSheet, RawValue, TypedRow, typed_rows};
use super::read::check_size;
use super::{Column, ImportError, Limits, ProblemKind};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV file as raw text cells, rows numbered by the line where each record starts.
pub fn read_csv(bytes: &[u8], limits: &Limits) -> Result<RawSheet, ImportError> {
    check_size(bytes, limits)?;
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::one(
            line(1),
            None,
            ProblemKind::Encoding { utf16: true },
        ));
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let n = body[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
            + 1;
        ImportError::one(line(n), None, ProblemKind::Encoding { utf16: false })
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    // The csv crate does not count blank lines, and a record's offset may point at the
    // blank lines before it: the line is counted from the offset, past line breaks. Records
    // come in file order, so the line breaks are counted once, from the previous record on.
    let bytes = text.as_bytes();
    let mut counted = (0usize, 1u32);
    let mut line_at = |p: Option<&csv::Position>| {
        let mut at = p.map_or(0, |p| p.byte() as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        if at < counted.0 {
            counted = (0, 1);
        }
        counted.1 += bytes[counted.0..at].iter().filter(|b| **b == b'\n').count() as u32;
        counted.0 = at;
        counted.1
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => rows.push(RawRow {
                row: line_at(r.position()),
                cells: r.iter().map(|c| RawValue::Text(c.to_owned())).collect(),
            }),
            Err(e) => {
                return Err(ImportError::one(
                    line(line_at(e.position())),
                    None,
                    ProblemKind::Csv(e.to_string()),
                ));
            }
        }
    }
    Ok(RawSheet { name: None, rows })
}

/// Reads a CSV file against `columns`, like [`super::read_xlsx_table`].
pub fn read_csv_table(
    bytes: &[u8],
    columns: &[Column],
    limits: &Limits,
) -> Result<Vec<TypedRow>, ImportError> {
    typed_rows(&read_csv(bytes, limits)?, columns, limits)
}

fn line(n: u32) -> Place {
    Place {
        sheet: None,
        row: Some(n),
        column: None,
    }
}

/// The most frequent of `,` `;` and tab on the first line, outside quotes (`,` on a tie).
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlsx::{ColumnKind, Value};
    use proptest::prelude::*;

    fn columns() -> Vec<Column> {
        vec![
            Column::new("Mã đơn vị", ColumnKind::Text).required(),
            Column::new("Tên đơn vị", ColumnKind::Text),
            Column::new("Số hộ", ColumnKind::Integer).editable(),
        ]
    }

    #[test]
    fn reads_utf8_with_or_without_bom_and_any_usual_delimiter() {
        let body = "Mã đơn vị;Tên đơn vị;Số hộ\n29011;Xã Long Đức;2.431\n\n29014;\"Phường 1; Trà Vinh\";1.002\n";
        for bytes in [
            body.as_bytes().to_vec(),
            [UTF8_BOM, body.as_bytes()].concat(),
        ] {
            let rows = read_csv_table(&bytes, &columns(), &Limits::default()).unwrap();
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].row, 2);
            assert_eq!(
                rows[0].values,
                vec![
                    Value::Text("29011".into()),
                    Value::Text("Xã Long Đức".into()),
                    Value::Integer(2431)
                ]
            );
            assert_eq!(rows[1].row, 4);
            assert_eq!(rows[1].values[1], Value::Text("Phường 1; Trà Vinh".into()));
        }
        let comma = "Mã đơn vị,Tên đơn vị,Số hộ\n29011,\"Xã Long Đức, Càng Long\",\"2.431\"\n";
        let rows = read_csv_table(comma.as_bytes(), &columns(), &Limits::default()).unwrap();
        assert_eq!(rows[0].values[2], Value::Integer(2431));
    }

    #[test]
    fn broken_encoding_is_refused_with_its_line() {
        // "Xã" in Windows-1258 (0xE3 for ã) on line 3.
        let mut bytes = b"M\xC3\xA3 \xC4\x91\xC6\xA1n v\xE1\xBB\x8B,T\xC3\xAAn,S\xE1\xBB\x91 h\xE1\xBB\x99\n1,a,2\n2,X\xE3,3\n".to_vec();
        let err = read_csv(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(err.problems[0].place.row, Some(3));
        assert_eq!(err.problems[0].kind, ProblemKind::Encoding { utf16: false });
        assert!(
            err.to_string()
                .starts_with("Dòng 3: tệp CSV không phải mã hóa UTF-8"),
            "{err}"
        );
        bytes.splice(0..0, [0xFF, 0xFE]);
        let err = read_csv(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(err.problems[0].kind, ProblemKind::Encoding { utf16: true });
    }

    #[test]
    fn wrong_cells_are_refused_with_their_line_and_column() {
        let body = "Mã đơn vị,Tên đơn vị,Số hộ\n29011,Xã Long Đức,hai nghìn\n";
        let err = read_csv_table(body.as_bytes(), &columns(), &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Dòng 2, cột C: «hai nghìn» không phải là số; cần một số, ví dụ 1.234 hoặc 98,5."
        );
    }

    #[test]
    fn too_large_is_refused_before_reading() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let err = read_csv(b"a,b,c\n1,2,3\n", &limits).unwrap_err();
        assert!(matches!(
            err.problems[0].kind,
            ProblemKind::TooLarge {
                size: 12,
                limit: 10
            }
        ));
    }

    proptest! {
        #[test]
        fn vietnamese_text_round_trips(rows in proptest::collection::vec(
            proptest::collection::vec("[a-zA-ZàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐƠƯ ,;\"\n]{1,12}", 3), 1..8)) {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in &rows { w.write_record(r).unwrap(); }
            let bytes = w.into_inner().unwrap();
            let sheet = read_csv(&bytes, &Limits::default()).unwrap();
            let back: Vec<Vec<String>> = sheet.rows.iter()
                .map(|r| r.cells.iter().map(|c| match c { RawValue::Text(s) => s.clone(), _ => String::new() }).collect())
                .collect();
            // A delimiter sniffed from the first line may differ from ',' only when that line
            // has none outside quotes; the writer quotes every field containing one.
            if delimiter(std::str::from_utf8(&bytes).unwrap()) == b',' {
                prop_assert_eq!(back, rows);
            }
        }

        #[test]
        fn any_bytes_are_read_or_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_csv_table(&bytes, &columns(), &Limits::default());
        }
    }
}
