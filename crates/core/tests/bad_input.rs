//! Bad input is refused when loaded, with file:line:column and a Vietnamese explanation, and
//! nothing changes: standard files, catalogue files and case files.

mod common;

use binhyen_core::case;
use binhyen_core::diag::{Diagnostic, SourceFile};
use binhyen_core::standard::{Registry, RegistryHandle};
use common::*;
use serde_json::json;

/// A small valid standard that other tests break on purpose.
const GOOD: &str = r#"[standard]
id = "thu-nghiem"
version = 1
name = { vi = "Thử nghiệm", en = "Test" }
applies_to = ["commune"]
jurisdiction = "national"
valid_from = 2024-01-01
legal_basis = [{ document = "124/2021/TT-BCA", article = 5 }]
window = { from = "11-16", to = "11-15" }

[[parameters]]
key = "threshold"
type = "int"
label = { vi = "Ngưỡng", en = "Threshold" }
values = [{ from = 2024-01-01, value = 3 }]

[[rules]]
id = "1"
title = { vi = "Quy tắc", en = "Rule" }
citation = { document = "124/2021/TT-BCA", article = 5, clause = 1 }
confidence = "confirmed"
kind = "computed"
expr = "serious_crimes < param.threshold"
met = { vi = "{serious_crimes} vụ", en = "{serious_crimes} cases" }
not_met = { vi = "{serious_crimes} vụ", en = "{serious_crimes} cases" }
"#;

fn load(files: &[(&str, &str)]) -> Result<Registry, Vec<Diagnostic>> {
    let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
    Registry::with_builtin(&files)
}

/// Loads one broken file and returns its single diagnostic rendered in Vietnamese.
fn refuse(text: &str) -> (u32, u32, String) {
    let errs = load(&[("tinh/x.toml", text)]).expect_err("must be refused");
    assert_eq!(
        errs.len(),
        1,
        "{}",
        binhyen_core::diag::render_all(&errs, "vi")
    );
    let d = &errs[0];
    let l = d.location.as_ref().expect("placed");
    assert_eq!(l.path, "tinh/x.toml");
    (l.line, l.column, d.render("vi"))
}

/// Line and column (1-based) of the first occurrence of `needle` in `text`.
fn pos(text: &str, needle: &str) -> (u32, u32) {
    let off = text.find(needle).expect("needle");
    let before = &text[..off];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() as u32 + 1;
    (line, col)
}

#[test]
fn the_good_file_loads() {
    let reg = load(&[("tinh/x.toml", GOOD)]).unwrap();
    assert_eq!(reg.versions_of("thu-nghiem").len(), 1);
}

#[test]
fn syntax_errors_are_placed() {
    let bad = GOOD.replace("version = 1", "version = = 1");
    let (line, _, msg) = refuse(&bad);
    assert_eq!(line, 3);
    assert!(msg.starts_with("tinh/x.toml:3:"), "{msg}");
    assert!(msg.contains("TOML"), "{msg}");
    let bad = GOOD.replace("confidence = \"confirmed\"\n", "");
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("thiếu trường bắt buộc «confidence»"), "{msg}");
}

#[test]
fn an_expression_syntax_error_points_inside_the_expression() {
    let bad = GOOD.replace(
        "serious_crimes < param.threshold",
        "serious_crimes < < param.threshold",
    );
    let (line, col, msg) = refuse(&bad);
    assert_eq!((line, col), pos(&bad, "< param"));
    assert!(msg.contains("cần"), "{msg}");
}

#[test]
fn unknown_facts_are_refused_with_a_suggestion() {
    let bad = GOOD.replace("expr = \"serious_crimes", "expr = \"serius_crimes");
    let (line, col, msg) = refuse(&bad);
    assert_eq!((line, col), pos(&bad, "serius_crimes"));
    assert!(
        msg.contains("«serius_crimes» không phải trường số liệu"),
        "{msg}"
    );
    assert!(msg.contains("có phải «serious_crimes»"), "{msg}");
    // a fact the catalogue has, but not for communes
    let bad = GOOD.replace(
        "serious_crimes < param.threshold",
        "staff_violations < param.threshold",
    );
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("không dùng cho commune"), "{msg}");
}

#[test]
fn a_date_compared_with_a_number_is_a_type_error() {
    let bad = GOOD.replace(
        "serious_crimes < param.threshold",
        "party_resolution.date < 3",
    );
    let (line, col, msg) = refuse(&bad);
    assert_eq!((line, col), pos(&bad, "party_resolution.date < 3"));
    assert!(
        msg.contains("không so sánh được ngày với số nguyên"),
        "{msg}"
    );
    let bad = GOOD.replace(
        "serious_crimes < param.threshold",
        "serious_crimes + 5%  > 1",
    );
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("không tính toán được"), "{msg}");
    let bad = GOOD.replace("serious_crimes < param.threshold", "serious_crimes");
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("phải cho kết quả có/không"), "{msg}");
    let bad = GOOD.replace(
        "serious_crimes < param.threshold",
        "count(security_events where category == \\\"z\\\") == 0",
    );
    let (_, _, msg) = refuse(&bad);
    assert!(
        msg.contains("«z» không có trong danh sách lựa chọn"),
        "{msg}"
    );
}

#[test]
fn sentences_are_checked_too() {
    let bad = GOOD.replacen(
        "met = { vi = \"{serious_crimes} vụ\"",
        "met = { vi = \"{serius} vụ\"",
        1,
    );
    let (line, col, msg) = refuse(&bad);
    assert_eq!((line, col), pos(&bad, "serius} vụ"));
    assert!(msg.contains("serius"), "{msg}");
}

#[test]
fn a_cycle_between_standards_is_refused() {
    let a = GOOD
        .replace("id = \"thu-nghiem\"", "id = \"vong-a\"")
        .replace(
            "serious_crimes < param.threshold",
            "verdict(\\\"vong-b\\\")",
        );
    let b = GOOD
        .replace("id = \"thu-nghiem\"", "id = \"vong-b\"")
        .replace(
            "serious_crimes < param.threshold",
            "verdict(\\\"vong-a\\\")",
        );
    let errs = load(&[("a.toml", &a), ("b.toml", &b)]).unwrap_err();
    let msg = errs[0].render("vi");
    assert!(
        msg.contains("vòng tròn") && msg.contains("vong-a → vong-b → vong-a"),
        "{msg}"
    );
    // a standard that relies on itself
    let selfref = GOOD.replace(
        "serious_crimes < param.threshold",
        "verdict(\\\"thu-nghiem\\\")",
    );
    let (_, _, msg) = refuse(&selfref);
    assert!(msg.contains("thu-nghiem → thu-nghiem"), "{msg}");
}

#[test]
fn two_versions_overlapping_in_time_are_refused() {
    let v2 = GOOD
        .replace("version = 1", "version = 2")
        .replace("valid_from = 2024-01-01", "valid_from = 2025-01-01");
    let v1 = GOOD.replace(
        "valid_from = 2024-01-01",
        "valid_from = 2024-01-01\nvalid_until = 2025-06-30",
    );
    let errs = load(&[("v1.toml", &v1), ("v2.toml", &v2)]).unwrap_err();
    let msg = errs[0].render("vi");
    assert!(msg.starts_with("v2.toml:1:1:"), "{msg}");
    assert!(msg.contains("cùng có hiệu lực"), "{msg}");
    // ending the day before is fine
    let v1 = GOOD.replace(
        "valid_from = 2024-01-01",
        "valid_from = 2024-01-01\nvalid_until = 2024-12-31",
    );
    assert!(load(&[("v1.toml", &v1), ("v2.toml", &v2)]).is_ok());
    // a built-in overlapping a new file with the same id
    let clash = GOOD
        .replace("id = \"thu-nghiem\"", "id = \"antt-xa\"")
        .replace("version = 1", "version = 9");
    let (_, _, msg) = refuse(&clash);
    assert!(msg.contains("antt-xa"), "{msg}");
}

#[test]
fn provinces_override_only_what_the_law_lets_them() {
    let ext = |key: &str, value: &str| {
        format!(
            r#"[standard]
id = "antt-xa"
version = 1
name = {{ vi = "Xã an toàn (tỉnh 84)", en = "Safe commune (province 84)" }}
applies_to = ["commune"]
jurisdiction = "84"
extends = "antt-xa"
valid_from = 2023-01-01
legal_basis = [{{ document = "124/2021/TT-BCA", article = 8, clause = 1 }}]
window = {{ from = "11-16", to = "11-15" }}

[[parameters]]
key = "{key}"
values = [{{ from = 2023-01-01, value = {value} }}]
"#
        )
    };
    let (_, _, msg) = refuse(&ext("min_recognised_share", "60"));
    assert!(msg.contains("không được phép thay đổi ở cấp tỉnh"), "{msg}");
    assert!(load(&[("tinh/x.toml", &ext("contained_policy", "\"strict\""))]).is_ok());
    let (_, _, msg) = refuse(&ext("contained_policy", "\"sometimes\""));
    assert!(msg.contains("sometimes"), "{msg}");
}

#[test]
fn provisional_without_a_reason_is_refused() {
    let bad = GOOD.replace("confidence = \"confirmed\"", "confidence = \"provisional\"");
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("vì sao"), "{msg}");
    let bad = GOOD.replace(
        "confidence = \"confirmed\"",
        "confidence = \"confirmed\"\nevidence = \"I\"",
    );
    let (_, _, msg) = refuse(&bad);
    assert!(msg.contains("provisional"), "{msg}");
}

#[test]
fn catalogue_files_are_checked_like_standards() {
    let field = r#"[[fields]]
key = "households_resident"
type = "int"
unit_kinds = ["commune"]
group = "registration"
label = { vi = "a", en = "a" }
help = { vi = "a", en = "a" }
"#;
    let (line, _, msg) = refuse(field);
    assert_eq!(line, 2);
    assert!(msg.contains("households_resident"), "{msg}");
    // a new field for a new year is fine
    let new = field
        .replace("households_resident", "cameras_installed")
        .replace("group", "from_year = 2026\ngroup");
    let reg = load(&[("tinh/x.toml", &new)]).unwrap();
    assert!(
        reg.catalogue()
            .version_for(
                "cameras_installed",
                binhyen_core::units::UnitKind::Commune,
                2026
            )
            .is_some()
    );
    assert!(
        reg.catalogue()
            .version_for(
                "cameras_installed",
                binhyen_core::units::UnitKind::Commune,
                2025
            )
            .is_none()
    );
}

#[test]
fn a_running_server_keeps_the_last_valid_registry() {
    let handle = RegistryHandle::new(load(&[("tinh/x.toml", GOOD)]).unwrap());
    let before = handle.get();
    let bad = GOOD.replace("serious_crimes <", "serious_crimes <<");
    let errs = handle
        .reload(&[SourceFile::new("tinh/x.toml", bad)])
        .unwrap_err();
    assert!(!errs.is_empty());
    assert!(std::sync::Arc::ptr_eq(&before, &handle.get()));
    assert_eq!(handle.get().versions_of("thu-nghiem").len(), 1);
    handle.reload(&[]).unwrap();
    assert!(handle.get().versions_of("thu-nghiem").is_empty());
}

// ------------------------------------------------------------------------------ case files

fn refuse_case(text: &str) -> Vec<String> {
    let errs =
        case::parse(&SourceFile::new("ho-so.json", text), reg()).expect_err("must be refused");
    errs.iter().map(|d| d.render("vi")).collect()
}

#[test]
fn malformed_case_files_are_refused_with_their_place() {
    let e = refuse_case("{ \"binhyen_case\": 1, \"year\": 2024, }");
    assert!(e[0].starts_with("ho-so.json:1:36:"), "{e:?}");
    let text = serde_json::to_string_pretty(&case(
        2024,
        json!({ "code": "1", "name": "Ấp 1", "kind": "residential_area",
                "facts": { "households_residnt": 10, "households_registered": -1,
                           "party_resolution": { "number": "1", "date": "31/02/2024", "issuer": "Chi bộ" },
                           "implementation_assessment": { "value": true, "reason": " " },
                           "crimes_economic": 1,
                           "security_events": [{ "date": "2024-01-01", "category": "x" }] } }),
    ))
    .unwrap();
    let e = refuse_case(&text);
    let has = |needle: &str| e.iter().any(|m| m.contains(needle));
    assert!(
        has("«households_residnt» không có trong danh mục; có phải «households_resident»"),
        "{e:?}"
    );
    assert!(has("cần số nguyên từ 0 trở lên, gặp «-1»"), "{e:?}");
    assert!(has("ngày «31/02/2024» không hợp lệ"), "{e:?}");
    assert!(has("phải có lý do"), "{e:?}");
    assert!(
        has("«crimes_economic» không thu thập cho loại đơn vị «residential_area»"),
        "{e:?}"
    );
    assert!(has("«x» không có trong danh sách lựa chọn"), "{e:?}");
    // every message is placed at the offending key or value
    let (line, col) = pos(&text, "\"households_residnt\"");
    assert!(
        e.iter()
            .any(|m| m.starts_with(&format!("ho-so.json:{line}:{col}:"))),
        "{e:?}"
    );
    let e = refuse_case(
        r#"{"binhyen_case": 1, "year": 2024, "unit": {"code": "1", "name": "x", "kind": "village"}}"#,
    );
    assert!(e[0].contains("village"), "{e:?}");
    let e = refuse_case(
        r#"{"binhyen_case": 2, "year": 2024, "unit": {"code": "1", "name": "x", "kind": "commune"}}"#,
    );
    assert!(e[0].contains("phiên bản định dạng"), "{e:?}");
    let e = refuse_case(
        r#"{"binhyen_case": 1, "year": 2024, "unit": {"code": "1", "name": "x", "kind": "commune", "facts": {"recognitions": [{"standard": "antt-xaa", "year": 2024}]}}}"#,
    );
    assert!(e[0].contains("antt-xaa"), "{e:?}");
}
