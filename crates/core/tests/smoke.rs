use binhyen_core::case;
use binhyen_core::diag::SourceFile;
use binhyen_core::standard::Registry;

#[test]
fn smoke() {
    let reg = Registry::builtin();
    let text = r#"{"binhyen_case": 1, "year": 2024, "unit": {"code": "A1", "name": "Ấp 1", "kind": "residential_area",
      "entered_by": "Trưởng ấp", "entered_at": "2024-10-30",
      "facts": {"households_resident": 240, "households_registered": 239,
        "party_resolution": {"number": "05-NQ/CB", "date": "2024-03-31", "issuer": "Chi bộ ấp 1"},
        "registration": null,
        "security_events": [{"date": "2023-11-01", "category": "e"}],
        "implementation_assessment": {"value": true, "reason": "Đầy đủ", "reviewer": "UBND xã"},
        "hotspots": [], "crimes_social_order": 1, "crimes_drugs": 0, "drug_users": 0, "gambling_cases": 0, "prostitution_cases": 0},
      "earlier": {"2023": {"crimes_social_order": 2, "crimes_drugs": 0, "drug_users": 1, "gambling_cases": 0, "prostitution_cases": 0}}}}"#;
    let c = case::parse(&SourceFile::new("t.json", text), reg).unwrap_or_else(|e| panic!("{}", binhyen_core::diag::render_all(&e, "vi")));
    let e = reg.evaluate(&c.unit, c.year, "antt-kdc", true).unwrap();
    println!("{}", e.explain("vi"));
    println!("{}", e.explain("en"));
    println!("{}", serde_json::to_string_pretty(&e.rules[2]).unwrap());
}
