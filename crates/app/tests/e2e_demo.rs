//! The done-when test of issue 5, on SQLite and PostgreSQL: `binhyen demo` on a fresh database
//! tells the Trà Vinh story; a signed-in PV05 officer sees the province dashboard with plan
//! 85/KH-UBND's progress 2022–2025 matching the recognition decisions stored in the database
//! (counted here from the database, not written down), the map with a legend, and downloads
//! the classification list as xlsx (read back) and PDF (`pdftotext` keeps every diacritic),
//! both in Vietnamese. Signed out, the first page says what to explore.

mod support;

use std::collections::BTreeSet;

use binhyen_report::xlsx::{Limits, RawValue, read_xlsx};
use fantoccini::Locator;
use support::{Browser, Server, http_get};

browser_test!(demo_tells_the_tra_vinh_story, |db, kind| {
    let server = Server::start(&db, "demo", &[]);
    for login in [
        "quantri",
        "ca.hoaminh",
        "pv05.travinh",
        "chutich.travinh",
        "pv05.vinhlong",
        "chutich.vinhlong",
    ] {
        assert!(
            server.banner.contains(login),
            "{login} missing from the banner on {kind:?}:\n{}",
            server.banner
        );
    }
    assert!(server.banner.contains("binhyen-demo"));
    assert!(
        server.banner.contains("Đã dựng câu chuyện Trà Vinh"),
        "{}",
        server.banner
    );

    // What the database says: the units each recognition decision names, per standard and year.
    let decisions = binhyen_store::workflow::decisions(&db.store, None)
        .await
        .unwrap();
    let recognised = |standard: &str, year: i32| -> usize {
        decisions
            .iter()
            .filter(|d| d.kind == "recognise" && d.standard == standard && d.year == year)
            .flat_map(|d| d.units.iter().map(|(u, _)| *u))
            .collect::<BTreeSet<_>>()
            .len()
    };
    assert_eq!(
        recognised("ntm-xa-19.2", 2022),
        85,
        "seed 000: 85/85 in 2022"
    );
    assert_eq!(
        recognised("ntm-xa-nc-19.2", 2022),
        38,
        "seed 002: 38/85 advanced by mid-2023"
    );

    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    c.goto(&server.url("/")).await.unwrap();
    let home = browser.body_text().await;
    assert!(home.contains("câu chuyện Trà Vinh"), "{home}");
    assert!(home.contains("pv05.travinh"), "{home}");
    // The districts' part of the story (its figures are checked by `demo::tests`).
    assert!(home.contains("6/7 huyện đạt chỉ tiêu 9.4"), "{home}");
    assert!(home.contains("Huyện Trà Cú"), "{home}");

    browser
        .sign_in(&server, "pv05.travinh", "binhyen-demo")
        .await;
    c.goto(&server.url("/dashboard?year=2024")).await.unwrap();
    let plan = c
        .find(Locator::XPath(
            "//section[@class='plan'][.//a[contains(., '85/KH-UBND')]]",
        ))
        .await
        .expect("plan 85/KH-UBND on the dashboard")
        .text()
        .await
        .unwrap();
    for (year, standard) in [
        (2022, "ntm-xa-19.2"),
        (2022, "ntm-xa-nc-19.2"),
        (2023, "ntm-xa-nc-19.2"),
        (2024, "ntm-xa-nc-19.2"),
    ] {
        let actual = format!("{}/85", recognised(standard, year));
        assert!(
            plan.contains(&actual),
            "{year} {standard}: {actual} not on the dashboard ({kind:?}):\n{plan}"
        );
    }
    for year in 2022..=2025 {
        assert!(plan.contains(&year.to_string()), "{plan}");
    }
    assert!(plan.contains("Đến năm 2023, có 43/85 xã"), "{plan}");
    c.find(Locator::Css("section.plan figure.chart svg"))
        .await
        .expect("target-vs-actual chart");

    c.goto(&server.url("/map?scope=84&year=2022&standard=ntm-xa-19.2"))
        .await
        .unwrap();
    let map = c
        .find(Locator::Css("figure.map svg"))
        .await
        .expect("the map")
        .text()
        .await
        .unwrap();
    for label in ["đạt", "không có dữ liệu", "schematic, not official"] {
        assert!(map.contains(label), "{label} missing on {kind:?}: {map}");
    }
    let hoa_minh = c
        .find(Locator::Css("path[data-code='29410']"))
        .await
        .expect("Xã Hòa Minh on the map");
    assert_eq!(
        hoa_minh.attr("fill").await.unwrap().as_deref(),
        Some("#1a9850")
    );

    // Downloads, with the signed-in session.
    let cookie = c.get_named_cookie("binhyen_session").await.unwrap();
    let cookie = format!("binhyen_session={}", cookie.value());
    let query = "?province=84&year=2022&standard=ntm-xa-19.2";
    let xlsx = http_get(
        &server.url(&format!("/classification/export.xlsx{query}")),
        Some(&cookie),
    )
    .await;
    assert_eq!(xlsx.status, 200);
    let sheets = read_xlsx(&xlsx.body, &Limits::default()).expect("the xlsx reads back");
    let rows = &sheets[0].rows;
    assert_eq!(rows.len(), 1 + 85, "a heading row and the 85 xã");
    let text = |v: &RawValue| match v {
        RawValue::Text(s) => s.clone(),
        _ => String::new(),
    };
    assert_eq!(text(&rows[0].cells[4]), "Kết quả tự động");
    let hoa_minh_row = rows
        .iter()
        .find(|r| r.cells.iter().any(|c| text(c) == "Xã Hòa Minh"))
        .expect("Xã Hòa Minh in the xlsx");
    assert!(
        hoa_minh_row
            .cells
            .iter()
            .any(|c| text(c).contains("Quyết định số 2145/QĐ-UBND")),
        "{hoa_minh_row:?}"
    );

    let pdf = http_get(
        &server.url(&format!("/classification/export.pdf{query}")),
        Some(&cookie),
    )
    .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danh-sach.pdf");
    std::fs::write(&path, &pdf.body).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    // Table cells wrap: compare with every run of white space as one space.
    let extracted = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "DANH SÁCH",
        "Xã Hòa Minh",
        "Kết quả tự động",
        "Giải trình, điều chỉnh",
        "2145/QĐ-UBND",
    ] {
        assert!(
            extracted.contains(words),
            "{words} not in the PDF text on {kind:?}:\n{extracted}"
        );
    }
    browser.close().await;
});
