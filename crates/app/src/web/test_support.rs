//! Helpers shared by the web tests: open a workbook in LibreOffice, as users do.

use std::process::Command;

/// The first sheet of an .xlsx workbook as LibreOffice reads it, converted to CSV (UTF-8,
/// comma-separated): proves the file opens outside our own reader.
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
    std::fs::read_to_string(tmp.path().join("export.csv")).expect("a CSV")
}
