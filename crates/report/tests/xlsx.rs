//! xlsx and CSV: round trip with Vietnamese text, the file opens in LibreOffice, and what
//! must be refused is refused with the right places.

use std::io::{Cursor, Write};
use std::process::Command;

use binhyen_report::xlsx::{
    Column, ColumnKind, HelpSheet, Limits, Mode, ProblemKind, Sheet, Value, Workbook, read_xlsx,
    read_xlsx_table, write,
};
use chrono::NaiveDate;
use proptest::prelude::*;

fn yes_no() -> ColumnKind {
    ColumnKind::YesNo {
        yes: "Có".into(),
        no: "Không".into(),
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("Mã đơn vị", ColumnKind::Text)
            .width(10.0)
            .required(),
        Column::new("Tên đơn vị", ColumnKind::Text).width(28.0),
        Column::new("Số hộ gia đình", ColumnKind::Integer)
            .editable()
            .required()
            .hint("Số nguyên, ví dụ 2.431"),
        Column::new("Tỷ lệ hộ đăng ký (%)", ColumnKind::Decimal { places: 2 }).editable(),
        Column::new("Ngày họp đánh giá", ColumnKind::Date).editable(),
        Column::new("Có tụ điểm phức tạp", yes_no()).editable(),
        Column::new(
            "Kết quả",
            ColumnKind::Choice {
                choices: vec!["Đạt".into(), "Chưa đạt".into(), "Chưa đủ dữ liệu".into()],
            },
        )
        .editable(),
    ]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn filled_rows() -> Vec<Vec<Value>> {
    vec![
        vec![
            Value::Text("29011".into()),
            Value::Text("Xã Long Đức — Ơ ơ Ư ư ắ ằ ẳ ẵ ặ ỹ ỵ Đ đ".into()),
            Value::Integer(2431),
            Value::Decimal(95.35),
            Value::Date(date(2023, 11, 15)),
            Value::Bool(false),
            Value::Text("Chưa đạt".into()),
        ],
        vec![
            Value::Text("00001".into()),
            Value::Text("Phường Trúc Bạch".into()),
            Value::Integer(12585),
            Value::Empty,
            Value::Empty,
            Value::Bool(true),
            Value::Text("Đạt".into()),
        ],
    ]
}

fn book(mode: Mode, rows: Vec<Vec<Value>>) -> Workbook {
    Workbook {
        mode,
        sheets: vec![Sheet {
            name: "Số liệu".into(),
            title: None,
            columns: columns(),
            rows,
        }],
        help: Some(HelpSheet {
            name: "Hướng dẫn".into(),
            lines: vec![
                "Hướng dẫn nhập số liệu".into(),
                "Chỉ nhập vào các ô trắng; không sửa dòng tiêu đề.".into(),
            ],
        }),
        lists_sheet: "Danh mục".into(),
    }
}

#[test]
fn export_round_trips_with_vietnamese_text() {
    let bytes = write(&book(Mode::Export, filled_rows())).unwrap();
    let rows = read_xlsx_table(&bytes, "Số liệu", &columns(), &Limits::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].values, filled_rows()[0]);
    assert_eq!(rows[1].values, filled_rows()[1]);
    let sheets = read_xlsx(&bytes, &Limits::default()).unwrap();
    let names: Vec<_> = sheets.iter().map(|s| s.name.clone().unwrap()).collect();
    assert_eq!(names, vec!["Số liệu", "Hướng dẫn"]);
}

#[test]
fn a_title_row_goes_above_the_headings() {
    let mut b = book(Mode::Export, filled_rows());
    b.sheets[0].title = Some("Thống kê phong trào — Tỉnh Trà Vinh — 2024".into());
    let bytes = write(&b).unwrap();
    let sheets = read_xlsx(&bytes, &Limits::default()).unwrap();
    let rows = &sheets[0].rows;
    let text = |r: usize, c: usize| match &rows[r].cells[c] {
        binhyen_report::xlsx::RawValue::Text(t) => t.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(rows[0].row, 1);
    assert_eq!(text(0, 0), "Thống kê phong trào — Tỉnh Trà Vinh — 2024");
    assert_eq!((rows[1].row, text(1, 0)), (2, "Mã đơn vị".to_owned()));
    assert_eq!((rows[2].row, text(2, 0)), (3, "29011".to_owned()));
    assert_eq!(rows.len(), 4, "title, headings, two rows");
}

#[test]
fn template_prefills_keys_and_leaves_values_empty() {
    let keys = vec![
        vec![
            Value::Text("29011".into()),
            Value::Text("Xã Long Đức".into()),
        ],
        vec![
            Value::Text("29014".into()),
            Value::Text("Xã An Trường".into()),
        ],
    ];
    let sheet = Sheet::template("Số liệu", columns(), keys);
    assert!(
        sheet
            .rows
            .iter()
            .all(|r| r.len() == 7 && r[2..].iter().all(|v| *v == Value::Empty))
    );
    let bytes = write(&Workbook {
        sheets: vec![sheet],
        ..book(Mode::Template, vec![])
    })
    .unwrap();
    // The empty template refuses to import: the required count is missing in both rows.
    let err = read_xlsx_table(&bytes, "Số liệu", &columns(), &Limits::default()).unwrap_err();
    let places: Vec<String> = err
        .problems
        .iter()
        .map(|p| p.place.cell().unwrap())
        .collect();
    assert_eq!(places, vec!["C2", "C3"]);
    assert!(
        err.to_string()
            .contains("Trang tính «Số liệu», dòng 2, cột C: ô bắt buộc đang để trống."),
        "{err}"
    );
    // The sheet is protected and the value cells are unlocked.
    let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<sheetProtection"), "protected");
    assert!(xml.contains("<pane ySplit=\"1\""), "header row frozen");
    assert!(xml.contains("<dataValidation type=\"list\""), "drop-downs");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "unlocked data cells");
    assert!(styles.contains("formatCode=\"dd/mm/yyyy\""));
    assert!(styles.contains("formatCode=\"#,##0\""));
}

#[test]
fn long_lists_go_to_the_hidden_list_sheet() {
    let communes: Vec<String> = (0..120).map(|i| format!("Xã Ngọc Biên số {i}")).collect();
    let cols = vec![
        Column::new("Mã", ColumnKind::Text),
        Column::new(
            "Xã",
            ColumnKind::Choice {
                choices: communes.clone(),
            },
        )
        .editable(),
    ];
    let wb = Workbook {
        mode: Mode::Template,
        sheets: vec![Sheet::template(
            "Số liệu",
            cols.clone(),
            vec![vec![Value::Text("1".into())]],
        )],
        help: None,
        lists_sheet: "Danh mục".into(),
    };
    let bytes = write(&wb).unwrap();
    let sheets = read_xlsx(&bytes, &Limits::default()).unwrap();
    let list = sheets
        .iter()
        .find(|s| s.name.as_deref() == Some("Danh mục"))
        .expect("a list sheet");
    assert_eq!(list.rows.len(), 120);
    let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("'Danh mục'!$A$1:$A$120"), "{xml}");
    assert!(zip_entry(&bytes, "xl/workbook.xml").contains("state=\"hidden\""));
}

#[test]
fn wrong_types_are_refused_with_their_places() {
    let mut rows = filled_rows();
    rows[0][2] = Value::Text("hai nghìn".into());
    rows[0][4] = Value::Text("2023/11/15".into());
    rows[1][5] = Value::Text("Ừ".into());
    rows[1][6] = Value::Text("Tốt".into());
    let bytes = write(&book(Mode::Export, rows)).unwrap();
    let err = read_xlsx_table(&bytes, "Số liệu", &columns(), &Limits::default()).unwrap_err();
    let got: Vec<(String, &ProblemKind, Option<&str>)> = err
        .problems
        .iter()
        .map(|p| (p.place.cell().unwrap(), &p.kind, p.value.as_deref()))
        .collect();
    assert_eq!(
        got[0],
        ("C2".into(), &ProblemKind::NotNumber, Some("hai nghìn"))
    );
    assert_eq!(
        got[1],
        ("E2".into(), &ProblemKind::NotDate, Some("2023/11/15"))
    );
    assert_eq!(got[2].0, "F3");
    assert!(matches!(got[2].1, ProblemKind::NotYesNo { .. }));
    assert_eq!(got[3].0, "G3");
    assert!(matches!(got[3].1, ProblemKind::NotInList { .. }));
    assert_eq!(err.problems.len(), 4);
    assert!(
        err.to_string().contains("Trang tính «Số liệu», dòng 2, cột E: «2023/11/15» không đúng dạng ngày; cần ngày dạng dd/mm/yyyy"),
        "{err}"
    );
    // A wrong heading is named too; a missing sheet lists the ones present.
    let mut renamed = columns();
    renamed[1].heading = "Tên xã".into();
    let err = read_xlsx_table(&bytes, "Số liệu", &renamed, &Limits::default()).unwrap_err();
    assert_eq!(
        err.problems[0].kind,
        ProblemKind::Heading {
            expected: "Tên xã".into()
        }
    );
    assert_eq!(
        (err.problems[0].place.row, err.problems[0].place.column),
        (Some(1), Some(1))
    );
    let err = read_xlsx_table(&bytes, "Biểu 01", &columns(), &Limits::default()).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "Trang tính «Biểu 01»: không có trong tệp; các trang tính có: «Số liệu», «Hướng dẫn»."
        ),
        "{err}"
    );
}

#[test]
fn formulas_are_refused_with_their_places() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Số liệu").unwrap();
    ws.write(0, 0, "Số").unwrap();
    ws.write(1, 0, 3).unwrap();
    ws.write_formula(2, 0, "=A2*2").unwrap();
    ws.write_formula(4, 3, "=SUM(A2:A3)").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = read_xlsx(&bytes, &Limits::default()).unwrap_err();
    let got: Vec<(String, ProblemKind)> = err
        .problems
        .iter()
        .map(|p| (p.place.cell().unwrap(), p.kind.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("A3".into(), ProblemKind::Formula("A2*2".into())),
            ("D5".into(), ProblemKind::Formula("SUM(A2:A3)".into())),
        ]
    );
    assert!(
        err.to_string()
            .starts_with("Trang tính «Số liệu», dòng 3, cột A: ô có công thức «=A2*2»"),
        "{err}"
    );
}

#[test]
fn macros_and_non_spreadsheets_are_refused() {
    let clean = write(&book(Mode::Export, filled_rows())).unwrap();
    // The same workbook with a VBA project part added.
    let mut cursor = Cursor::new(clean.clone());
    let mut zip = zip::ZipWriter::new_append(&mut cursor).unwrap();
    zip.start_file(
        "xl/vbaProject.bin",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"\xD0\xCF\x11\xE0 not really a VBA project")
        .unwrap();
    zip.finish().unwrap();
    let with_macros = cursor.into_inner();
    let err = read_xlsx(&with_macros, &Limits::default()).unwrap_err();
    assert_eq!(err.problems[0].kind, ProblemKind::Macros);
    assert!(
        err.to_string().starts_with("Tệp: tệp chứa macro (VBA)"),
        "{err}"
    );

    let kind = |bytes: &[u8]| {
        read_xlsx(bytes, &Limits::default()).unwrap_err().problems[0]
            .kind
            .clone()
    };
    assert_eq!(kind(b"Ma don vi,Ten\n1,2\n"), ProblemKind::NotSpreadsheet);
    assert_eq!(kind(b"%PDF-1.7 ..."), ProblemKind::NotSpreadsheet);
    assert_eq!(
        kind(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old excel"),
        ProblemKind::OldExcel
    );
    assert!(matches!(
        kind(b"PK\x03\x04 a broken zip"),
        ProblemKind::Unreadable(_)
    ));
    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        read_xlsx(&clean, &small).unwrap_err().problems[0].kind,
        ProblemKind::TooLarge { .. }
    ));
}

#[test]
fn the_file_opens_in_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("so-lieu.xlsx");
    std::fs::write(&file, write(&book(Mode::Template, filled_rows())).unwrap()).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) must be installed: libreoffice-calc-nogui");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv =
        std::fs::read_to_string(dir.path().join("so-lieu.csv")).expect("LibreOffice wrote the CSV");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Mã đơn vị,Tên đơn vị,Số hộ gia đình,Tỷ lệ hộ đăng ký (%),Ngày họp đánh giá,Có tụ điểm phức tạp,Kết quả"
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("29011,Xã Long Đức — Ơ ơ Ư ư ắ ằ ẳ ẵ ặ ỹ ỵ Đ đ,"),
        "{first}"
    );
    assert!(
        first.contains("15/11/2023"),
        "dates display dd/mm/yyyy: {first}"
    );
    assert!(first.ends_with(",Không,Chưa đạt"), "{first}");
    assert!(
        lines.next().unwrap().starts_with("00001,Phường Trúc Bạch,"),
        "codes keep their zeros"
    );
}

#[test]
fn big_sheets_are_written_in_constant_memory_and_read_back() {
    let cols = vec![
        Column::new("Mã", ColumnKind::Text),
        Column::new("Số hộ", ColumnKind::Integer).editable(),
    ];
    let rows: Vec<Vec<Value>> = (0..6_000)
        .map(|i| vec![Value::Text(format!("{i:05}")), Value::Integer(i * 7)])
        .collect();
    let wb = Workbook {
        mode: Mode::Template,
        sheets: vec![Sheet {
            name: "Số liệu".into(),
            title: None,
            columns: cols.clone(),
            rows: rows.clone(),
        }],
        help: None,
        lists_sheet: "Danh mục".into(),
    };
    let bytes = write(&wb).unwrap();
    // Constant-memory sheets store strings inline rather than in the shared table.
    assert!(zip_entry(&bytes, "xl/worksheets/sheet1.xml").contains("t=\"inlineStr\""));
    let back = read_xlsx_table(&bytes, "Số liệu", &cols, &Limits::default()).unwrap();
    assert_eq!(back.len(), 6_000);
    assert_eq!(back[5_999].row, 6_001);
    assert_eq!(back.into_iter().map(|r| r.values).collect::<Vec<_>>(), rows);
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut s).unwrap();
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn written_values_read_back(
        texts in proptest::collection::vec("[a-zA-Z0-9àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐƠƯ ]{1,20}", 1..6),
        ints in proptest::collection::vec(-1_000_000i64..1_000_000, 6),
        days in proptest::collection::vec(0i64..40_000, 6),
    ) {
        let cols = vec![
            Column::new("Tên", ColumnKind::Text),
            Column::new("Số", ColumnKind::Integer).editable(),
            Column::new("Ngày", ColumnKind::Date).editable(),
        ];
        let rows: Vec<Vec<Value>> = texts.iter().enumerate().map(|(i, t)| vec![
            if t.trim().is_empty() { Value::Empty } else { Value::Text(t.trim().to_owned()) },
            Value::Integer(ints[i]),
            Value::Date(date(1950, 1, 1) + chrono::Duration::days(days[i])),
        ]).collect();
        let wb = Workbook { mode: Mode::Export, sheets: vec![Sheet { name: "Dữ liệu".into(), title: None, columns: cols.clone(), rows: rows.clone() }], help: None, lists_sheet: "Danh mục".into() };
        let back = read_xlsx_table(&write(&wb).unwrap(), "Dữ liệu", &cols, &Limits::default()).unwrap();
        prop_assert_eq!(back.into_iter().map(|r| r.values).collect::<Vec<_>>(), rows);
    }

    #[test]
    fn any_bytes_are_read_or_refused_without_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..600), zip in any::<bool>()) {
        if zip { bytes.splice(0..0, *b"PK\x03\x04"); }
        let _ = read_xlsx_table(&bytes, "Số liệu", &columns(), &Limits::default());
    }
}
