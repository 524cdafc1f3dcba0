//! The exports keep every Vietnamese letter: the decision PDF and the classification list PDF
//! read back through poppler's `pdftotext`; the xlsx reads back with the report crate's reader
//! and opens in LibreOffice.

use std::process::Command;

use binhyen_core::workflow::{self as wf, State};
use binhyen_report::xlsx::{Limits, read_xlsx_table};
use binhyen_store::workflow::{By, DecisionRow, DossierRow};
use chrono::{NaiveDate, TimeZone, Utc};
use unicode_normalization::UnicodeNormalization;

use super::*;
use crate::directory::UnitDirectory;
use crate::service::fixture::{self, AN_TRUONG, HOA_AN, TRA_VINH};
use crate::service::workflow::Dossier;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn line(dir: &crate::units::SharedAtlas, unit: UnitId, id: i64, state: State) -> ListLine {
    let unit = dir.by_id(unit).unwrap();
    ListLine {
        dossier: Dossier {
            row: DossierRow {
                id,
                unit_id: unit.id,
                year: 2024,
                standard: "antt-xa".into(),
                state: state.as_str().into(),
                level: None,
                version: 5,
                updated_at: Utc.with_ymd_and_hms(2025, 1, 20, 3, 0, 0).unwrap(),
            },
            state,
            chain: wf::chain(unit.kind, wf::period_date(2024)),
            unit,
        },
        evaluation: None,
        overrides: vec![(
            "5.1a".into(),
            "met".into(),
            "Đã xác minh biên bản".into(),
            "Cán bộ PV05".into(),
        )],
        proposal: Some(Proposal::Recognise),
        explanations: vec![("Vụ trộm đã được khám phá".into(), "Công an xã".into())],
        decision: None,
        revocation_risk: false,
    }
}

fn decision() -> DecisionRow {
    DecisionRow {
        id: 1,
        number: "15/QĐ-UBND".into(),
        signed_on: day(2025, 1, 20),
        signer: "Nguyễn Văn Ấn".into(),
        legal_basis: "Thông tư số 124/2021/TT-BCA".into(),
        kind: "recognise".into(),
        refers_to: None,
        year: 2024,
        standard: "antt-xa".into(),
        issuer_unit_id: Some(TRA_VINH),
        issued_at: Utc.with_ymd_and_hms(2025, 1, 20, 3, 0, 0).unwrap(),
        by: By {
            id: Some(5),
            name: "Chủ tịch".into(),
        },
        units: vec![(AN_TRUONG, 1), (HOA_AN, 2)],
    }
}

/// The text of a PDF, NFC-normalised.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).nfc().collect()
}

/// Lines joined by spaces (pdftotext breaks long lines).
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_decision_pdf_keeps_every_diacritic_and_its_number() {
    let dir = fixture::atlas();
    let reg = Registry::with_builtin(&[]).unwrap();
    let standard = standard_name(&reg, "antt-xa", "vi");
    let doc = decision_document(&decision(), None, &standard, &dir.get());
    assert_eq!(doc.header.issuing_body, "Ủy ban nhân dân tỉnh Trà Vinh");
    assert_eq!(doc.header.place, "Trà Vinh");
    let text = flat(&pdf_text(&engine().render(&doc.document()).unwrap().bytes));
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "15/QĐ-UBND",
        "Xã An Trường",
        "Xã Hòa Ân",
        "Huyện Càng Long",
        "Huyện Cầu Kè",
        "Nguyễn Văn Ấn",
        "Căn cứ Thông tư số 124/2021/TT-BCA",
        "Kèm theo Quyết định số 15/QĐ-UBND ngày 20/01/2025",
        "Công nhận 2 đơn vị đạt",
    ] {
        assert!(text.contains(want), "«{want}» missing from: {text}");
    }
    // A revocation names the decision it revokes.
    let mut rev = decision();
    rev.number = "40/QĐ-UBND".into();
    rev.kind = "revoke".into();
    let doc = decision_document(&rev, Some(&decision()), &standard, &dir.get());
    assert!(
        doc.title
            .contains("thu hồi Quyết định số 15/QĐ-UBND ngày 20/01/2025")
    );
}

#[test]
fn the_classification_list_pdf_and_xlsx_keep_the_units_names() {
    let dir = fixture::atlas();
    let lines = vec![
        line(&dir, AN_TRUONG, 1, State::Proposed),
        line(&dir, HOA_AN, 2, State::Recognised),
    ];
    let of = ListOf {
        province: "Tỉnh Trà Vinh",
        year: 2024,
        standard: "Xã, phường, thị trấn đạt tiêu chuẩn «An toàn về an ninh, trật tự»",
    };
    let doc = classification_document(&of, &lines, &dir.get(), day(2025, 1, 15));
    let text = flat(&pdf_text(&engine().render(&doc.document()).unwrap().bytes));
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "CÔNG AN TỈNH TRÀ VINH",
        "Xã An Trường",
        "Xã Hòa Ân",
        "Huyện Càng Long",
        "Đã xác minh biên bản",
        "Vụ trộm đã được khám phá",
        "Tổng số: 2 đơn vị.",
    ] {
        assert!(text.contains(want), "«{want}» missing from: {text}");
    }

    let bytes = xlsx::write(&classification_workbook(&of, &lines, &dir.get())).unwrap();
    let rows = read_xlsx_table(
        &bytes,
        &list_sheet_name(),
        &list_columns(),
        &Limits::default(),
    )
    .expect("the export reads back");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].values[1], Value::Text("84201".into()));
    assert_eq!(rows[0].values[2], Value::Text("Xã An Trường".into()));
    assert_eq!(rows[1].values[3], Value::Text("Huyện Cầu Kè".into()));
    assert_eq!(rows[0].values[5], Value::Text("Đề nghị công nhận".into()));

    // LibreOffice opens it (first sheet to CSV).
    let csv = crate::web::test_support::soffice_csv(&bytes);
    assert!(csv.starts_with("STT,Mã đơn vị,Đơn vị,Trực thuộc"), "{csv}");
    assert!(
        csv.contains("1,84201,Xã An Trường,Huyện Càng Long"),
        "{csv}"
    );
}
