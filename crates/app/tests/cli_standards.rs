//! `binhyen evaluate` and `binhyen standards`: the real binary on the documented examples and
//! on bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn binhyen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_binhyen"))
        .args(args)
        .current_dir(root())
        .env_remove("BINHYEN_STANDARDS_DIR")
        .env_remove("BINHYEN_LANG")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn examples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("docs/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn every_documented_example_meets_its_expectations_in_every_format() {
    let ex = examples();
    assert!(ex.len() >= 5);
    for f in &ex {
        for format in ["table", "json", "explain"] {
            let o = binhyen(&["evaluate", "--case", f, "--format", format]);
            assert!(o.status.success(), "{f} {format}: {}", stderr(&o));
            assert!(stderr(&o).contains("tất cả khớp"), "{f}: {}", stderr(&o));
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
                assert!(v.as_array().is_some_and(|a| !a.is_empty()));
            }
        }
    }
}

#[test]
fn the_17_of_25_example_explains_itself_in_vietnamese_and_english() {
    let f = "docs/examples/xa-17-tren-25-khu-dan-cu-2024.json";
    let o = binhyen(&[
        "evaluate",
        "--case",
        f,
        "--standard",
        "antt-xa",
        "--format",
        "explain",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains(
            "(68\u{a0}%), cần tối thiểu 18 (70\u{a0}%) — khoản 4 Điều 5 Thông tư 124/2021/TT-BCA: chưa đạt"
        ),
        "{out}"
    );
    let o = binhyen(&[
        "--lang",
        "en",
        "evaluate",
        "--case",
        f,
        "--standard",
        "antt-xa",
        "--format",
        "explain",
    ]);
    assert!(
        stdout(&o).contains(
            "at least 18 needed (70\u{a0}%) — Circular 124/2021/TT-BCA, art. 5(4): not met"
        ),
        "{}",
        stdout(&o)
    );
    let o = binhyen(&["evaluate", "--case", f, "--standard", "antt-xa"]);
    let out = stdout(&o);
    assert!(
        out.contains("CHƯA ĐẠT") && out.contains("5.4b") && out.contains("tạm tính"),
        "{out}"
    );
}

#[test]
fn a_bad_case_is_refused_with_its_place_and_nothing_is_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sai.json");
    std::fs::write(
        &p,
        "{\"binhyen_case\": 1, \"year\": 2024,\n \"unit\": {\"code\": \"1\", \"name\": \"Ấp\", \"kind\": \"residential_area\",\n  \"facts\": {\"households_resident\": \"nhiều\"}}}",
    )
    .unwrap();
    let o = binhyen(&["evaluate", "--case", p.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("sai.json:3:36:") && err.contains("cần số"),
        "{err}"
    );
    let o = binhyen(&[
        "evaluate",
        "--case",
        "docs/examples/ap-hoa-hao-2024.json",
        "--standard",
        "khong-co",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("không có tiêu chuẩn «khong-co»"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_failed_expectation_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("docs/examples/ap-hoa-hao-2024.json")).unwrap();
    let p = dir.path().join("ky-vong.json");
    std::fs::write(
        &p,
        text.replace("\"verdict\": \"not_met\"", "\"verdict\": \"met\""),
    )
    .unwrap();
    let o = binhyen(&["evaluate", "--case", p.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("kỳ vọng «đạt», thực tế «chưa đạt»"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn standards_list_show_check_and_catalogue() {
    let o = binhyen(&["standards", "list"]);
    let out = stdout(&o);
    for id in [
        "antt-kdc",
        "antt-xa",
        "antt-cq",
        "ntm-xa-19.2",
        "ntm-xa-nc-19.2",
        "ntm-huyen-9.4",
        "ntm-huyen-nc-9.1",
        "qd18-thu-hoi",
        "qd926-dia-phuong",
        "qd926-ty-le",
        "ntm-xa-2026",
        "hp-xa-kieu-mau-antt",
    ] {
        assert!(out.contains(id), "{id}: {out}");
    }
    let o = binhyen(&["standards", "show", "antt-xa", "--version", "2"]);
    let out = stdout(&o);
    assert!(
        out.contains("khoản 4 Điều 5 Thông tư 124/2021/TT-BCA"),
        "{out}"
    );
    assert!(out.contains("recognised >= needed"), "{out}");
    assert!(out.contains("10/02/2022"), "{out}");
    let o = binhyen(&[
        "standards",
        "catalogue",
        "--kind",
        "residential_area",
        "--year",
        "2024",
    ]);
    assert!(
        stdout(&o).contains("Dùng trong: antt-kdc 4.1c"),
        "{}",
        stdout(&o)
    );
    let o = binhyen(&[
        "standards",
        "check",
        "standards/national/antt-xa.tt124.toml",
    ]);
    assert!(
        !o.status.success(),
        "a built-in checked again clashes with itself"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("tinh.toml");
    std::fs::write(&bad, "[standard]\nid = \"x\"\nversion = \"một\"\n").unwrap();
    let o = binhyen(&["standards", "check", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("tinh.toml:3:11:"), "{}", stderr(&o));
}

#[test]
fn a_province_directory_is_validated_with_the_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("84-chinh-sach.toml"),
        r#"[standard]
id = "ntm-xa-19.2"
version = 1
name = { vi = "Chỉ tiêu 19.2 (Trà Vinh)", en = "Indicator 19.2 (Trà Vinh)" }
applies_to = ["commune"]
jurisdiction = "84"
extends = "ntm-xa-19.2"
valid_from = 2024-01-01
legal_basis = [{ document = "124/2021/TT-BCA", article = 8, clause = 1 }]
window = { from = "11-16", to = "11-15" }

[[parameters]]
key = "contained_policy"
values = [{ from = 2024-01-01, value = "strict" }]
"#,
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let o = binhyen(&[
        "evaluate",
        "--standards-dir",
        d,
        "--case",
        "docs/examples/tra-vinh-hoa-minh-2024.json",
        "--standard",
        "ntm-xa-19.2",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["standard"]["jurisdiction"], "84");
    // the same directory through the environment
    let o = Command::new(env!("CARGO_BIN_EXE_binhyen"))
        .args(["standards", "show", "ntm-xa-19.2"])
        .current_dir(root())
        .env("BINHYEN_STANDARDS_DIR", d)
        .output()
        .unwrap();
    assert!(stdout(&o).contains("84-chinh-sach.toml"), "{}", stdout(&o));
}
