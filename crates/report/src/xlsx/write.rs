//! Writing a workbook (rust_xlsxwriter): bold locked header row frozen at the top, number
//! and date formats, drop-downs, sheet protection that leaves only the data cells editable
//! (template mode), a help sheet, and a hidden list sheet for drop-downs too long to inline.
//! Sheets with many rows are written in constant-memory mode.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Worksheet, XlsxError,
};

use super::{Column, ColumnKind, Mode, Sheet, Value, Workbook};

/// Rows from which a sheet is written in constant-memory mode.
const CONSTANT_MEMORY_ROWS: usize = 5_000;
/// Excel's limit on an inline drop-down list ("a,b,c"), in characters.
const INLINE_LIST_LIMIT: usize = 255;

/// Why a workbook could not be written (a bad sheet name, a limit of the format…).
#[derive(Debug, thiserror::Error)]
#[error("Không tạo được tệp Excel: {0} / Could not write the Excel file")]
pub struct WriteError(#[from] XlsxError);

struct Formats {
    header: Format,
    text: Format,
    integer: Format,
    decimal: Vec<Format>,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7")
                .set_border(FormatBorder::Thin),
            text: cell.clone().set_num_format("@").set_text_wrap(),
            integer: cell.clone().set_num_format("#,##0"),
            decimal: (0..=6)
                .map(|p| cell.clone().set_num_format(decimal_format(p)))
                .collect(),
            date: cell.set_num_format("dd/mm/yyyy"),
        }
    }

    fn for_kind(&self, kind: &ColumnKind) -> &Format {
        match kind {
            ColumnKind::Integer => &self.integer,
            ColumnKind::Decimal { places } => &self.decimal[usize::from(*places).min(6)],
            ColumnKind::Date => &self.date,
            ColumnKind::Text | ColumnKind::YesNo { .. } | ColumnKind::Choice { .. } => &self.text,
        }
    }
}

/// `#,##0.00` for two places: grouped thousands, shown with the separators of the user's
/// system (1.234,56 on a Vietnamese one).
fn decimal_format(places: usize) -> String {
    if places == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(places))
    }
}

/// Writes the workbook and returns the .xlsx bytes.
pub fn write(book: &Workbook) -> Result<Vec<u8>, WriteError> {
    let formats = Formats::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    // Lists too long for an inline drop-down go to the hidden list sheet, one column each.
    let mut lists: Vec<Vec<String>> = Vec::new();
    for sheet in &book.sheets {
        let ws = if sheet.rows.len() >= CONSTANT_MEMORY_ROWS {
            wb.add_worksheet_with_constant_memory()?
        } else {
            wb.add_worksheet()
        };
        write_sheet(ws, sheet, book, &formats, &mut lists)?;
    }
    if let Some(help) = &book.help {
        let ws = wb.add_worksheet();
        ws.set_name(&help.name)?;
        ws.set_column_width(0, 110)?;
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        for (i, line) in help.lines.iter().enumerate() {
            let f = if i == 0 {
                wrap.clone().set_bold().set_font_size(13)
            } else {
                wrap.clone()
            };
            ws.write_string_with_format(i as u32, 0, line, &f)?;
        }
    }
    if !lists.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(&book.lists_sheet)?;
        for (col, list) in lists.iter().enumerate() {
            for (row, item) in list.iter().enumerate() {
                ws.write_string(row as u32, col as u16, item)?;
            }
        }
        ws.set_hidden(true);
        if book.mode == Mode::Template {
            ws.protect();
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    book: &Workbook,
    f: &Formats,
    lists: &mut Vec<Vec<String>>,
) -> Result<(), WriteError> {
    let template = book.mode == Mode::Template;
    ws.set_name(&sheet.name)?;
    // The headings' row: 0, or 1 under a title.
    let top = u32::from(sheet.title.is_some());
    if let Some(title) = &sheet.title {
        let last = sheet.columns.len().saturating_sub(1) as u16;
        let bold = Format::new().set_bold().set_font_size(13);
        if last > 0 {
            ws.merge_range(0, 0, 0, last, title, &bold)?;
        } else {
            ws.write_string_with_format(0, 0, title, &bold)?;
        }
    }
    for (c, col) in sheet.columns.iter().enumerate() {
        ws.set_column_width(c as u16, col.width)?;
        ws.write_string_with_format(top, c as u16, &col.heading, &f.header)?;
    }
    ws.set_freeze_panes(top + 1, 0)?;
    let unlocked: Vec<Format> = sheet
        .columns
        .iter()
        .map(|c| {
            let base = f.for_kind(&c.kind).clone();
            if template && c.editable {
                base.set_unlocked()
            } else {
                base
            }
        })
        .collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + top + 1;
        for (c, col) in sheet.columns.iter().enumerate() {
            let fmt = &unlocked[c];
            let c16 = c as u16;
            match row.get(c).unwrap_or(&Value::Empty) {
                Value::Empty => ws.write_blank(r, c16, fmt)?,
                Value::Text(s) => ws.write_string_with_format(r, c16, s, fmt)?,
                Value::Integer(i) => ws.write_number_with_format(r, c16, *i as f64, fmt)?,
                Value::Decimal(x) => ws.write_number_with_format(r, c16, *x, fmt)?,
                Value::Date(d) => ws.write_datetime_with_format(r, c16, excel_date(*d)?, fmt)?,
                Value::Bool(b) => match &col.kind {
                    ColumnKind::YesNo { yes, no } => {
                        ws.write_string_with_format(r, c16, if *b { yes } else { no }, fmt)?
                    }
                    _ => ws.write_boolean_with_format(r, c16, *b, fmt)?,
                },
            };
        }
    }
    let last = sheet.rows.len().max(1) as u32 + top;
    for (c, col) in sheet.columns.iter().enumerate() {
        if !col.editable {
            continue;
        }
        if let Some(v) = validation(col, book, lists)? {
            ws.add_data_validation(top + 1, c as u16, last, c as u16, &v)?;
        }
    }
    if template {
        ws.protect_with_options(&ProtectionOptions {
            format_columns: true,
            format_rows: true,
            ..ProtectionOptions::default()
        });
    }
    Ok(())
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        d.year().clamp(1900, 9999) as u16,
        d.month() as u8,
        d.day() as u8,
    )
}

/// The data validation of an editable column: a drop-down for lists, a type check for
/// numbers and dates.
fn validation(
    col: &Column,
    book: &Workbook,
    lists: &mut Vec<Vec<String>>,
) -> Result<Option<DataValidation>, XlsxError> {
    let v = match &col.kind {
        ColumnKind::Text => {
            return col
                .hint
                .as_ref()
                .map(|h| DataValidation::new().allow_any_value().set_input_message(h))
                .transpose();
        }
        ColumnKind::Integer => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(i32::MIN, i32::MAX)),
        ColumnKind::Decimal { .. } => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(-1e15, 1e15))
        }
        ColumnKind::Date => DataValidation::new().allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(1900, 1, 1)?,
            ExcelDateTime::from_ymd(9999, 12, 31)?,
        )),
        ColumnKind::YesNo { yes, no } => DataValidation::new().allow_list_strings(&[yes, no])?,
        ColumnKind::Choice { choices } => {
            let inline: usize = choices.iter().map(|c| c.chars().count() + 1).sum();
            if inline <= INLINE_LIST_LIMIT {
                DataValidation::new().allow_list_strings(choices)?
            } else {
                lists.push(choices.clone());
                let col_letter = super::column_letter(lists.len() as u32 - 1);
                let sheet = book.lists_sheet.replace('\'', "''");
                let formula = format!("='{sheet}'!${col_letter}$1:${col_letter}${}", choices.len());
                DataValidation::new().allow_list_formula(Formula::new(formula))
            }
        }
    };
    Ok(Some(with_hint(v, col)?))
}

fn with_hint(v: DataValidation, col: &Column) -> Result<DataValidation, XlsxError> {
    match &col.hint {
        Some(h) => v.set_input_message(h),
        None => Ok(v),
    }
}
