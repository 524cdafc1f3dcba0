//! Cells as read from a file, their conversion to the type a column expects, and the
//! problems found on the way — with the place, the value and what was expected, worded in
//! Vietnamese (and in English on request).

use std::fmt;

use binhyen_core::text::{fold, format_date, parse_date, parse_number};
use chrono::{NaiveDateTime, NaiveTime};

use super::{Column, ColumnKind, Limits, Value};

/// A cell as the file holds it, before any column type is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum RawValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    /// A spreadsheet error value such as `#DIV/0!`.
    Error(String),
}

/// A row of a file: its 1-based number (the line where the record starts, for CSV) and its
/// cells from column A on.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRow {
    pub row: u32,
    pub cells: Vec<RawValue>,
}

/// A sheet of a file (a CSV file is one sheet without a name).
#[derive(Clone, Debug, PartialEq)]
pub struct RawSheet {
    pub name: Option<String>,
    pub rows: Vec<RawRow>,
}

/// A data row read against a column list: one value per column.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedRow {
    pub row: u32,
    pub values: Vec<Value>,
}

/// Where a problem is: as much of sheet, row and column as applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub sheet: Option<String>,
    /// 1-based row (line for CSV).
    pub row: Option<u32>,
    /// 0-based column index; shown as a letter (A, B, …, AA).
    pub column: Option<u32>,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    TooLarge {
        size: usize,
        limit: usize,
    },
    NotSpreadsheet,
    /// An Excel 97–2003 `.xls` file.
    OldExcel,
    /// A zip that the spreadsheet reader could not read.
    Unreadable(String),
    Macros,
    Formula(String),
    MissingSheet {
        found: Vec<String>,
    },
    Heading {
        expected: String,
    },
    Required,
    NotNumber,
    NotInteger,
    NotDate,
    NotYesNo {
        yes: String,
        no: String,
    },
    NotInList {
        choices: Vec<String>,
    },
    ErrorValue,
    /// A CSV file that is not UTF-8 (`utf16` when it carries a UTF-16 byte order mark).
    Encoding {
        utf16: bool,
    },
    Csv(String),
    /// More problems were found than the limit; this many were listed.
    TooManyProblems {
        listed: usize,
    },
    /// A problem of the caller's domain (unit outside the territory, unknown unit…), worded
    /// by the caller in both languages.
    Custom {
        vi: String,
        en: String,
    },
}

/// One problem: where, the value found (if any) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub place: Place,
    pub value: Option<String>,
    pub kind: ProblemKind,
}

/// Why a file was refused: every problem found, nothing imported.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    pub problems: Vec<Problem>,
}

impl std::error::Error for ImportError {}

impl ImportError {
    pub(crate) fn one(place: Place, value: Option<String>, kind: ProblemKind) -> ImportError {
        ImportError {
            problems: vec![Problem { place, value, kind }],
        }
    }

    /// The problems in English, one per line.
    pub fn english(&self) -> String {
        self.problems
            .iter()
            .map(Problem::english)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Column letters as spreadsheets show them: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

fn mb(bytes: usize) -> String {
    binhyen_core::text::format_ratio(bytes as i64, 1024 * 1024, 1)
}

impl Place {
    /// The cell as spreadsheets name it ("C5"), when both row and column are known.
    pub fn cell(&self) -> Option<String> {
        Some(format!("{}{}", column_letter(self.column?), self.row?))
    }

    fn describe(&self, vi: bool) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.sheet {
            parts.push(if vi {
                format!("Trang tính «{s}»")
            } else {
                format!("Sheet “{s}”")
            });
        }
        if let Some(r) = self.row {
            parts.push(if vi {
                format!("dòng {r}")
            } else {
                format!("row {r}")
            });
        }
        if let Some(c) = self.column {
            parts.push(if vi {
                format!("cột {}", column_letter(c))
            } else {
                format!("column {}", column_letter(c))
            });
        }
        let s = parts.join(", ");
        match s.chars().next() {
            None => (if vi { "Tệp" } else { "File" }).to_owned(),
            Some(c) => c.to_uppercase().chain(s.chars().skip(1)).collect(),
        }
    }
}

impl fmt::Display for Problem {
    /// Vietnamese: "Trang tính «Số liệu», dòng 5, cột C: «mười» không phải là số; cần …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(true))
    }
}

impl Problem {
    /// The problem in English.
    pub fn english(&self) -> String {
        self.message(false)
    }

    fn message(&self, vi: bool) -> String {
        let found = match (&self.value, vi) {
            (Some(v), true) => format!("«{v}» "),
            (Some(v), false) => format!("“{v}” "),
            (None, _) => String::new(),
        };
        let pick = |v: String, e: String| if vi { v } else { e };
        let what = match &self.kind {
            ProblemKind::TooLarge { size, limit } => {
                let (size, limit) = (mb(*size), mb(*limit));
                pick(
                    format!("tệp nặng {size} MB, vượt giới hạn {limit} MB; hãy chia nhỏ tệp."),
                    format!("the file is {size} MB, over the {limit} MB limit; split it."),
                )
            }
            ProblemKind::NotSpreadsheet => pick(
                "không phải tệp Excel (.xlsx); hãy chọn đúng tệp mẫu đã tải về.".into(),
                "is not an Excel (.xlsx) file; choose the template you downloaded.".into(),
            ),
            ProblemKind::OldExcel => pick(
                "là tệp Excel 97–2003 (.xls); hãy mở và lưu lại dạng Excel Workbook (.xlsx).".into(),
                "is an Excel 97–2003 (.xls) file; open it and save it as an Excel Workbook (.xlsx).".into(),
            ),
            ProblemKind::Unreadable(e) => pick(
                format!("không đọc được tệp Excel ({e}); hãy mở và lưu lại dạng .xlsx."),
                format!("the Excel file cannot be read ({e}); open it and save it as .xlsx."),
            ),
            ProblemKind::Macros => pick(
                "tệp chứa macro (VBA), không được nhận; hãy lưu lại dạng Excel Workbook (.xlsx) không có macro.".into(),
                "the file contains macros (VBA) and is refused; save it as an Excel Workbook (.xlsx) without macros.".into(),
            ),
            ProblemKind::Formula(formula) => pick(
                format!("ô có công thức «={formula}»; tệp nhập chỉ được chứa giá trị — hãy sao chép và dán giá trị (Paste Values)."),
                format!("the cell holds the formula “={formula}”; imports take values only — copy and Paste Values."),
            ),
            ProblemKind::MissingSheet { found } => pick(
                format!("không có trong tệp; các trang tính có: {}.", quoted(found)),
                format!("is not in the file; its sheets are: {}.", quoted(found)),
            ),
            ProblemKind::Heading { expected } => pick(
                format!("{found}không đúng tiêu đề; cần «{expected}» (giữ nguyên dòng tiêu đề của tệp mẫu)."),
                format!("{found}is not the right heading; expected “{expected}” (keep the template's heading row)."),
            ),
            ProblemKind::Required => pick("ô bắt buộc đang để trống.".into(), "this required cell is empty.".into()),
            ProblemKind::NotNumber => pick(
                format!("{found}không phải là số; cần một số, ví dụ 1.234 hoặc 98,5."),
                format!("{found}is not a number; expected a number such as 1.234 or 98,5."),
            ),
            ProblemKind::NotInteger => pick(
                format!("{found}không phải số nguyên; cần một số nguyên, ví dụ 1.234."),
                format!("{found}is not a whole number; expected a whole number such as 1.234."),
            ),
            ProblemKind::NotDate => pick(
                format!("{found}không đúng dạng ngày; cần ngày dạng dd/mm/yyyy, ví dụ 31/03/2025."),
                format!("{found}is not a date in the expected form; expected dd/mm/yyyy, e.g. 31/03/2025."),
            ),
            ProblemKind::NotYesNo { yes, no } => pick(
                format!("{found}không hợp lệ; cần «{yes}» hoặc «{no}»."),
                format!("{found}is not valid; expected “{yes}” or “{no}”."),
            ),
            ProblemKind::NotInList { choices } => pick(
                format!("{found}không có trong danh sách; cần một trong: {}.", quoted(choices)),
                format!("{found}is not in the list; expected one of: {}.", quoted(choices)),
            ),
            ProblemKind::ErrorValue => pick(
                format!("ô có giá trị lỗi {found}; cần một giá trị."),
                format!("the cell holds the error value {found}; expected a value."),
            ),
            ProblemKind::Encoding { utf16: true } => pick(
                "tệp CSV mã hóa UTF-16; hãy lưu lại dạng CSV UTF-8.".into(),
                "the CSV file is UTF-16; save it as CSV UTF-8.".into(),
            ),
            ProblemKind::Encoding { utf16: false } => pick(
                "tệp CSV không phải mã hóa UTF-8 (có ký tự hỏng); hãy lưu lại dạng CSV UTF-8.".into(),
                "the CSV file is not UTF-8 (broken characters); save it as CSV UTF-8.".into(),
            ),
            ProblemKind::Csv(e) => pick(format!("tệp CSV sai cấu trúc ({e})."), format!("the CSV file is malformed ({e}).")),
            ProblemKind::Custom { vi: v, en: e } => pick(format!("{found}{v}"), format!("{found}{e}")),
            ProblemKind::TooManyProblems { listed } => pick(
                format!("còn lỗi khác; đã liệt kê {listed} lỗi đầu tiên."),
                format!("there are more problems; the first {listed} are listed."),
            ),
        };
        format!("{}: {what}", self.place.describe(vi))
    }
}

fn quoted(items: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = items
        .iter()
        .take(SHOWN)
        .map(|c| format!("«{c}»"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(", … ({} mục)", items.len()));
    }
    s
}

/// The cell as text, for messages.
pub(crate) fn shown(raw: &RawValue) -> Option<String> {
    match raw {
        RawValue::Empty => None,
        RawValue::Text(s) | RawValue::Error(s) => Some(s.clone()),
        RawValue::Number(n) => Some(number_text(*n)),
        RawValue::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        RawValue::DateTime(d) => Some(d.format("%d/%m/%Y %H:%M").to_string()),
    }
}

/// A number as plain text: whole numbers without separators ("29011"), others with a dot.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn as_integer(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// Converts a cell to the type the column expects. An empty cell (or one holding only
/// spaces) is `Value::Empty` whatever the type.
pub fn coerce(raw: &RawValue, kind: &ColumnKind) -> Result<Value, ProblemKind> {
    if let RawValue::Text(s) = raw
        && s.trim().is_empty()
    {
        return Ok(Value::Empty);
    }
    match (kind, raw) {
        (_, RawValue::Empty) => Ok(Value::Empty),
        (_, RawValue::Error(_)) => Err(ProblemKind::ErrorValue),
        (ColumnKind::Text, RawValue::Text(s)) => Ok(Value::Text(s.trim().to_owned())),
        (ColumnKind::Text, RawValue::DateTime(d)) => Ok(Value::Text(format_date(d.date()))),
        (ColumnKind::Text, other) => Ok(Value::Text(shown(other).unwrap_or_default())),
        (ColumnKind::Integer, RawValue::Number(n)) => as_integer(*n)
            .map(Value::Integer)
            .ok_or(ProblemKind::NotInteger),
        (ColumnKind::Integer, RawValue::Text(s)) => match parse_number(s) {
            Some(n) => as_integer(n)
                .map(Value::Integer)
                .ok_or(ProblemKind::NotInteger),
            None => Err(ProblemKind::NotNumber),
        },
        (ColumnKind::Decimal { .. }, RawValue::Number(n)) => Ok(Value::Decimal(*n)),
        (ColumnKind::Decimal { .. }, RawValue::Text(s)) => parse_number(s)
            .map(Value::Decimal)
            .ok_or(ProblemKind::NotNumber),
        (ColumnKind::Date, RawValue::DateTime(d)) if d.time() == NaiveTime::MIN => {
            Ok(Value::Date(d.date()))
        }
        (ColumnKind::Date, RawValue::Text(s)) => {
            parse_date(s).map(Value::Date).ok_or(ProblemKind::NotDate)
        }
        (ColumnKind::Date, _) => Err(ProblemKind::NotDate),
        (ColumnKind::YesNo { .. }, RawValue::Bool(b)) => Ok(Value::Bool(*b)),
        (ColumnKind::YesNo { yes, no }, other) => {
            let key = fold(&shown(other).unwrap_or_default());
            if key == fold(yes) {
                Ok(Value::Bool(true))
            } else if key == fold(no) {
                Ok(Value::Bool(false))
            } else {
                Err(ProblemKind::NotYesNo {
                    yes: yes.clone(),
                    no: no.clone(),
                })
            }
        }
        (ColumnKind::Choice { choices }, other) => {
            let s = shown(other).unwrap_or_default();
            let s = s.trim();
            choices
                .iter()
                .find(|c| c.trim() == s)
                .or_else(|| choices.iter().find(|c| fold(c) == fold(s)))
                .map(|c| Value::Text(c.clone()))
                .ok_or_else(|| ProblemKind::NotInList {
                    choices: choices.clone(),
                })
        }
        (ColumnKind::Integer | ColumnKind::Decimal { .. }, _) => Err(ProblemKind::NotNumber),
    }
}

/// Collects problems up to the caller's limit.
pub(crate) struct Problems {
    list: Vec<Problem>,
    limit: usize,
    overflow: bool,
}

impl Problems {
    pub(crate) fn new(limits: &Limits) -> Problems {
        Problems {
            list: Vec::new(),
            limit: limits.max_problems.max(1),
            overflow: false,
        }
    }

    pub(crate) fn push(&mut self, place: Place, value: Option<String>, kind: ProblemKind) {
        if self.list.len() < self.limit {
            self.list.push(Problem { place, value, kind });
        } else {
            self.overflow = true;
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.overflow
    }

    pub(crate) fn finish<T>(mut self, ok: T) -> Result<T, ImportError> {
        if self.list.is_empty() {
            return Ok(ok);
        }
        if self.overflow {
            let listed = self.list.len();
            self.list.push(Problem {
                place: Place::default(),
                value: None,
                kind: ProblemKind::TooManyProblems { listed },
            });
        }
        Err(ImportError {
            problems: self.list,
        })
    }
}

/// Reads a sheet against a column list: the first non-empty row must hold the headings in
/// order (compared without case or diacritics), the rows after it are data; empty rows are
/// skipped. Every problem is collected; any problem refuses the whole sheet.
pub(crate) fn typed_rows(
    sheet: &RawSheet,
    columns: &[Column],
    limits: &Limits,
) -> Result<Vec<TypedRow>, ImportError> {
    let mut problems = Problems::new(limits);
    let place = |row: u32, col: usize| Place {
        sheet: sheet.name.clone(),
        row: Some(row),
        column: Some(col as u32),
    };
    let mut rows = sheet
        .rows
        .iter()
        .filter(|r| r.cells.iter().any(|c| !is_blank(c)));
    let Some(header) = rows.next() else {
        for (i, c) in columns.iter().enumerate() {
            problems.push(
                place(1, i),
                None,
                ProblemKind::Heading {
                    expected: c.heading.clone(),
                },
            );
        }
        return problems.finish(Vec::new());
    };
    for (i, c) in columns.iter().enumerate() {
        let found = header.cells.get(i).and_then(shown).unwrap_or_default();
        if fold(&found) != fold(&c.heading) {
            problems.push(
                place(header.row, i),
                Some(found).filter(|f| !f.is_empty()),
                ProblemKind::Heading {
                    expected: c.heading.clone(),
                },
            );
        }
    }
    let mut out = Vec::new();
    for r in rows {
        let mut values = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let raw = r.cells.get(i).unwrap_or(&RawValue::Empty);
            match coerce(raw, &c.kind) {
                Ok(Value::Empty) if c.required => {
                    problems.push(place(r.row, i), None, ProblemKind::Required)
                }
                Ok(v) => values.push(v),
                Err(kind) => problems.push(place(r.row, i), shown(raw), kind),
            }
        }
        if problems.is_full() {
            break;
        }
        out.push(TypedRow { row: r.row, values });
    }
    problems.finish(out)
}

fn is_blank(c: &RawValue) -> bool {
    match c {
        RawValue::Empty => true,
        RawValue::Text(s) => s.trim().is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use binhyen_core::text::format_int;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn yes_no() -> ColumnKind {
        ColumnKind::YesNo {
            yes: "Có".into(),
            no: "Không".into(),
        }
    }

    fn text(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(2), "C");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
        assert_eq!(column_letter(16_383), "XFD"); // Excel's last column
    }

    #[test]
    fn numbers_in_vietnamese_or_plain_form() {
        assert_eq!(
            coerce(&text("1.234"), &ColumnKind::Integer),
            Ok(Value::Integer(1234))
        );
        assert_eq!(
            coerce(&RawValue::Number(12585.0), &ColumnKind::Integer),
            Ok(Value::Integer(12585))
        );
        assert_eq!(
            coerce(&text("98,8"), &ColumnKind::Decimal { places: 1 }),
            Ok(Value::Decimal(98.8))
        );
        assert_eq!(
            coerce(&text("12,5"), &ColumnKind::Integer),
            Err(ProblemKind::NotInteger)
        );
        assert_eq!(
            coerce(&RawValue::Number(2.5), &ColumnKind::Integer),
            Err(ProblemKind::NotInteger)
        );
        assert_eq!(
            coerce(&text("mười hai"), &ColumnKind::Integer),
            Err(ProblemKind::NotNumber)
        );
        assert_eq!(
            coerce(&RawValue::Bool(true), &ColumnKind::Integer),
            Err(ProblemKind::NotNumber)
        );
        assert_eq!(coerce(&text("  "), &ColumnKind::Integer), Ok(Value::Empty));
    }

    #[test]
    fn dates_in_the_users_form_only() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(
            coerce(&text("31/03/2025"), &ColumnKind::Date),
            Ok(Value::Date(d))
        );
        assert_eq!(
            coerce(&text("2025-03-31"), &ColumnKind::Date),
            Ok(Value::Date(d))
        );
        assert_eq!(
            coerce(
                &RawValue::DateTime(d.and_time(NaiveTime::MIN)),
                &ColumnKind::Date
            ),
            Ok(Value::Date(d))
        );
        assert_eq!(
            coerce(&text("03/31/2025"), &ColumnKind::Date),
            Err(ProblemKind::NotDate)
        );
        assert_eq!(
            coerce(&text("2025/03/31"), &ColumnKind::Date),
            Err(ProblemKind::NotDate)
        );
        assert_eq!(
            coerce(&RawValue::Number(45747.0), &ColumnKind::Date),
            Err(ProblemKind::NotDate)
        );
    }

    #[test]
    fn yes_no_and_lists() {
        assert_eq!(coerce(&text("có"), &yes_no()), Ok(Value::Bool(true)));
        assert_eq!(coerce(&text("Không"), &yes_no()), Ok(Value::Bool(false)));
        assert_eq!(
            coerce(&RawValue::Bool(true), &yes_no()),
            Ok(Value::Bool(true))
        );
        assert!(matches!(
            coerce(&text("x"), &yes_no()),
            Err(ProblemKind::NotYesNo { .. })
        ));
        let list = ColumnKind::Choice {
            choices: vec!["Đạt".into(), "Chưa đạt".into()],
        };
        assert_eq!(
            coerce(&text("chua dat"), &list),
            Ok(Value::Text("Chưa đạt".into()))
        );
        assert!(matches!(
            coerce(&text("Tốt"), &list),
            Err(ProblemKind::NotInList { .. })
        ));
        // Codes typed as numbers stay text without a decimal point.
        assert_eq!(
            coerce(&RawValue::Number(29011.0), &ColumnKind::Text),
            Ok(Value::Text("29011".into()))
        );
    }

    #[test]
    fn messages_say_where_what_and_what_is_expected() {
        let p = Problem {
            place: Place {
                sheet: Some("Số liệu".into()),
                row: Some(5),
                column: Some(2),
            },
            value: Some("mười".into()),
            kind: ProblemKind::NotNumber,
        };
        assert_eq!(
            p.to_string(),
            "Trang tính «Số liệu», dòng 5, cột C: «mười» không phải là số; cần một số, ví dụ 1.234 hoặc 98,5."
        );
        assert_eq!(
            p.english(),
            "Sheet “Số liệu”, row 5, column C: “mười” is not a number; expected a number such as 1.234 or 98,5."
        );
        let csv = Problem {
            place: Place {
                sheet: None,
                row: Some(7),
                column: None,
            },
            value: None,
            kind: ProblemKind::Encoding { utf16: false },
        };
        assert!(
            csv.to_string()
                .starts_with("Dòng 7: tệp CSV không phải mã hóa UTF-8")
        );
        let file = Problem {
            place: Place::default(),
            value: None,
            kind: ProblemKind::TooLarge {
                size: 12 * 1024 * 1024,
                limit: 10 * 1024 * 1024,
            },
        };
        assert_eq!(
            file.to_string(),
            "Tệp: tệp nặng 12,0 MB, vượt giới hạn 10,0 MB; hãy chia nhỏ tệp."
        );
    }

    #[test]
    fn typed_rows_check_headings_and_collect_every_problem() {
        let columns = vec![
            Column::new("Mã", ColumnKind::Text).required(),
            Column::new("Số hộ", ColumnKind::Integer).editable(),
            Column::new("Ngày", ColumnKind::Date).editable(),
        ];
        let sheet = RawSheet {
            name: Some("Số liệu".into()),
            rows: vec![
                RawRow {
                    row: 1,
                    cells: vec![text("MÃ"), text("so ho"), text("Ngày lập")],
                },
                RawRow {
                    row: 2,
                    cells: vec![text("29011"), text("1.234"), text("15/11/2023")],
                },
                RawRow {
                    row: 3,
                    cells: vec![],
                },
                RawRow {
                    row: 4,
                    cells: vec![text(""), text("abc"), text("2023/11/15")],
                },
            ],
        };
        let err = typed_rows(&sheet, &columns, &Limits::default()).unwrap_err();
        let places: Vec<(String, &ProblemKind)> = err
            .problems
            .iter()
            .map(|p| (p.place.cell().unwrap(), &p.kind))
            .collect();
        let heading = ProblemKind::Heading {
            expected: "Ngày".into(),
        };
        assert_eq!(
            places,
            vec![
                ("C1".into(), &heading),
                ("A4".into(), &ProblemKind::Required),
                ("B4".into(), &ProblemKind::NotNumber),
                ("C4".into(), &ProblemKind::NotDate),
            ]
        );
        assert_eq!(err.problems[2].value.as_deref(), Some("abc"));
    }

    #[test]
    fn the_problem_list_is_capped() {
        let columns = vec![Column::new("Số", ColumnKind::Integer)];
        let mut rows = vec![RawRow {
            row: 1,
            cells: vec![text("Số")],
        }];
        rows.extend((2..200).map(|r| RawRow {
            row: r,
            cells: vec![text("x")],
        }));
        let limits = Limits {
            max_problems: 10,
            ..Limits::default()
        };
        let err = typed_rows(&RawSheet { name: None, rows }, &columns, &limits).unwrap_err();
        assert_eq!(err.problems.len(), 11);
        assert_eq!(
            err.problems[10].kind,
            ProblemKind::TooManyProblems { listed: 10 }
        );
    }

    proptest! {
        #[test]
        fn integers_as_users_type_them(v in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!(coerce(&text(&format_int(v)), &ColumnKind::Integer), Ok(Value::Integer(v)));
            prop_assert_eq!(coerce(&RawValue::Number(v as f64), &ColumnKind::Integer), Ok(Value::Integer(v)));
        }

        #[test]
        fn decimals_as_users_type_them(n in 0i64..100_000_000, places in 1u32..4) {
            let s = binhyen_core::text::format_ratio(n, 10i64.pow(places), places);
            let expected = n as f64 / 10f64.powi(places as i32);
            match coerce(&text(&s), &ColumnKind::Decimal { places: places as u8 }) {
                Ok(Value::Decimal(x)) => prop_assert!((x - expected).abs() < 1e-6, "{} → {}", s, x),
                other => prop_assert!(false, "{} → {:?}", s, other),
            }
        }

        #[test]
        fn dates_as_users_type_them(days in 0i64..50_000) {
            let d = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assert_eq!(coerce(&text(&format_date(d)), &ColumnKind::Date), Ok(Value::Date(d)));
            prop_assert_eq!(coerce(&text(&d.to_string()), &ColumnKind::Date), Ok(Value::Date(d)));
        }

        #[test]
        fn any_text_is_accepted_or_refused_without_panic(s in "\\PC{0,24}") {
            let kinds = [ColumnKind::Text, ColumnKind::Integer, ColumnKind::Decimal { places: 2 }, ColumnKind::Date, yes_no(),
                ColumnKind::Choice { choices: vec!["Đạt".into()] }];
            for k in &kinds {
                if let Ok(v) = coerce(&text(&s), k) {
                    // Whatever is accepted has the column's type (or is empty).
                    let ok = matches!((k, &v), (_, Value::Empty) | (ColumnKind::Text | ColumnKind::Choice { .. }, Value::Text(_))
                        | (ColumnKind::Integer, Value::Integer(_)) | (ColumnKind::Decimal { .. }, Value::Decimal(_))
                        | (ColumnKind::Date, Value::Date(_)) | (ColumnKind::YesNo { .. }, Value::Bool(_)));
                    prop_assert!(ok, "{:?} read as {:?} for {:?}", s, v, k);
                }
            }
        }
    }
}
