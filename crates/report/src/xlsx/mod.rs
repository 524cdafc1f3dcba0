//! Spreadsheets in and out: the table model shared by the writer and the readers.
//!
//! One [`Column`] list describes a sheet both ways: [`write`] turns it into a template or an
//! export (headings, number and date formats, drop-downs, locked header), and
//! [`read_xlsx_table`] / [`read_csv_table`] read a filled file back against the same columns.
//! Readers refuse what is not safe or not what the column expects, and report every problem
//! with its place (sheet, 1-based row, column letter), the value found and what was
//! expected, in Vietnamese ([`ImportError`]); nothing is half-read.

mod cell;
mod csv;
mod read;
mod write;

pub use cell::{
    ImportError, Place, Problem, ProblemKind, RawRow, RawSheet, RawValue, TypedRow, coerce,
    column_letter,
};
pub use csv::{read_csv, read_csv_table};
pub use read::{read_xlsx, read_xlsx_table};
pub use write::{WriteError, write};

use chrono::NaiveDate;

/// What a column holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnKind {
    Text,
    /// Whole numbers, displayed with grouped thousands (`#,##0`: 1.234 on a Vietnamese system).
    Integer,
    /// Decimal numbers with `places` decimals shown.
    Decimal {
        places: u8,
    },
    /// Dates, displayed dd/mm/yyyy; text cells are read as dd/mm/yyyy or yyyy-mm-dd.
    Date,
    /// Yes/no, written as the two labels (e.g. "Có" / "Không") with a drop-down.
    YesNo {
        yes: String,
        no: String,
    },
    /// One of a list (drop-down).
    Choice {
        choices: Vec<String>,
    },
}

/// A column of a sheet: heading, type, width and whether users fill it.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub heading: String,
    pub kind: ColumnKind,
    /// Width in Excel character units.
    pub width: f64,
    /// Users fill this column (unlocked in a template); key columns (code, name) are not.
    pub editable: bool,
    /// An empty cell is refused on import.
    pub required: bool,
    /// Shown when the user selects a cell of the column (at most 255 characters).
    pub hint: Option<String>,
}

impl Column {
    pub fn new(heading: impl Into<String>, kind: ColumnKind) -> Column {
        Column {
            heading: heading.into(),
            kind,
            width: 14.0,
            editable: false,
            required: false,
            hint: None,
        }
    }

    pub fn width(mut self, width: f64) -> Column {
        self.width = width;
        self
    }

    pub fn editable(mut self) -> Column {
        self.editable = true;
        self
    }

    pub fn required(mut self) -> Column {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Column {
        self.hint = Some(hint.into());
        self
    }
}

/// A typed cell value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Integer(i64),
    Decimal(f64),
    Date(NaiveDate),
    Bool(bool),
}

/// One sheet: its name, columns and rows (each row has one value per column).
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    /// A bold title row above the headings (exports only: the readers expect the headings
    /// on the first row).
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

impl Sheet {
    /// A template sheet: the key values (e.g. unit code and name) of each row, the remaining
    /// columns left empty for users to fill.
    pub fn template(name: impl Into<String>, columns: Vec<Column>, keys: Vec<Vec<Value>>) -> Sheet {
        let width = columns.len();
        let rows = keys
            .into_iter()
            .map(|mut r| {
                r.resize(width, Value::Empty);
                r
            })
            .collect();
        Sheet {
            name: name.into(),
            title: None,
            columns,
            rows,
        }
    }
}

/// Template: protected sheets where only the editable cells of the listed rows can be
/// changed. Export: the data as it is, unprotected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Template,
    Export,
}

/// A workbook to write.
#[derive(Clone, Debug, Default)]
pub struct Workbook {
    pub mode: Mode,
    pub sheets: Vec<Sheet>,
    /// A help sheet ("Hướng dẫn"), written after the data sheets.
    pub help: Option<HelpSheet>,
    /// Name of the hidden sheet holding drop-down lists too long to inline ("Danh mục").
    pub lists_sheet: String,
}

#[derive(Clone, Debug, Default)]
pub struct HelpSheet {
    pub name: String,
    /// One paragraph per row; the first is the title (bold).
    pub lines: Vec<String>,
}

/// Limits a caller puts on an uploaded file.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Stop collecting problems after this many (the message says there are more).
    pub max_problems: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 10 * 1024 * 1024,
            max_problems: 100,
        }
    }
}
