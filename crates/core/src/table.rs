//! Tables read from files (CSV, spreadsheets): rows of text cells with the place each came
//! from, so that every message can say file, sheet, line and column.

use std::fmt;
use std::sync::Arc;

/// One sheet (or one CSV file) as text cells. Dates typed as dates in a spreadsheet arrive as
/// dd/mm/yyyy text; empty rows are kept out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub rows: Vec<Row>,
}

/// A row and its 1-based line (spreadsheet row) number.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Table {
    /// A table from rows of cells, numbered from line 1 (the header).
    pub fn from_rows(file: &str, rows: impl IntoIterator<Item = Vec<String>>) -> Table {
        Table {
            file: Arc::from(file),
            sheet: None,
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, cells)| Row { line: i + 1, cells })
                .collect(),
        }
    }

    pub fn origin(&self, line: usize) -> Origin {
        Origin::line(&self.file, self.sheet.as_ref(), line)
    }
}

/// Where a value was read: a file (and sheet), a 1-based line and optionally a column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub line: usize,
    /// 1-based column number and the column's header, when known.
    pub column: Option<(usize, String)>,
}

impl Origin {
    pub fn line(file: &Arc<str>, sheet: Option<&Arc<str>>, line: usize) -> Origin {
        Origin {
            file: file.clone(),
            sheet: sheet.cloned(),
            line,
            column: None,
        }
    }

    pub fn with_column(&self, index: usize, header: &str) -> Origin {
        Origin {
            column: Some((index, header.to_owned())),
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    /// `ap.csv:12:4 «Mã đơn vị cha»`, or `ap.xlsx[Đơn vị]:12:D «Mã đơn vị cha»` for a sheet
    /// (spreadsheet columns are letters).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, "[{sheet}]")?;
        }
        write!(f, ":{}", self.line)?;
        if let Some((index, header)) = &self.column {
            if self.sheet.is_some() {
                write!(f, ":{}", column_letters(*index))?;
            } else {
                write!(f, ":{index}")?;
            }
            if !header.is_empty() {
                write!(f, " «{header}»")?;
            }
        }
        Ok(())
    }
}

/// Spreadsheet column name of a 1-based index: 1 → A, 27 → AA.
pub fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    while index > 0 {
        let rem = (index - 1) % 26;
        out.push(b'A' + rem as u8);
        index = (index - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_like_editors_and_spreadsheets() {
        let file: Arc<str> = Arc::from("ap.csv");
        let o = Origin::line(&file, None, 12).with_column(4, "Mã đơn vị cha");
        assert_eq!(o.to_string(), "ap.csv:12:4 «Mã đơn vị cha»");
        let sheet: Arc<str> = Arc::from("Đơn vị");
        let x = Origin::line(&Arc::from("ap.xlsx"), Some(&sheet), 7).with_column(28, "Ghi chú");
        assert_eq!(x.to_string(), "ap.xlsx[Đơn vị]:7:AB «Ghi chú»");
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
    }
}
