//! Test helpers for downloaded documents, shared by every export test: the text of a PDF as
//! poppler's `pdftotext` reads it, and an xlsx opened by LibreOffice (`soffice --headless`,
//! first sheet converted to CSV).

use std::process::Command;

use unicode_normalization::UnicodeNormalization;

/// The text of a PDF, NFC-normalised.
pub fn pdf_text(bytes: &[u8]) -> String {
    pdftotext(bytes, &[])
}

/// The text of a PDF with its physical layout kept (`pdftotext -layout`): a table row stays on
/// one line, so `flat` turns it into its cells separated by spaces.
pub fn pdf_layout_text(bytes: &[u8]) -> String {
    pdftotext(bytes, &["-layout"])
}

fn pdftotext(bytes: &[u8], options: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(options)
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).nfc().collect()
}

/// Lines joined by spaces (pdftotext breaks long lines).
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Opens `bytes` as an xlsx in LibreOffice and returns its first sheet as CSV (comma,
/// double quotes, UTF-8); panics when LibreOffice refuses the file.
pub fn soffice_csv(bytes: &[u8]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("export.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        tmp.path().join("profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(tmp.path())
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) must be installed: libreoffice-calc-nogui");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(tmp.path().join("export.csv")).expect("LibreOffice wrote a CSV")
}
