//! Boundaries and the map end to end, through the real binary, on SQLite and PostgreSQL:
//! `import boundaries --dry-run` reports matched and unmatched units both ways and writes
//! nothing; a broken file is refused with file:line:column; the import stores the rest; then a
//! viewer opens `/map` in headless Chromium: a legend with the "no data" colour, every commune
//! coloured by the verdict `binhyen evaluate` computes for it, and the commune left out of the
//! file listed as without a boundary.

mod support;

use binhyen_core::units::UnitKind;
use binhyen_report::svg::schematic::{SchematicUnit, schematic_boundaries};
use fantoccini::Locator;
use support::{Browser, Server, run_cli, run_cli_stdin};

/// The map's colours of đạt, chưa đạt, chưa đủ dữ liệu (`web::map::STATUS_COLORS`).
fn colour_of(verdict: &str) -> &'static str {
    match verdict {
        "met" => "#1a9850",
        "not_met" => "#d73027",
        _ => "#fdae61",
    }
}

browser_test!(boundaries_import_and_the_map, |db, kind| {
    let ok = |args: &[&str]| {
        let (success, out, err) = run_cli(&db, args);
        assert!(success, "{args:?} on {kind:?}: {err}");
        out
    };
    ok(&["import", "units"]);
    ok(&[
        "generate",
        "--seed",
        "3",
        "--years",
        "2023-2024",
        "--provinces",
        "84",
    ]);

    // A boundary file of Trà Vinh's communes on 31/12/2024, one left out, plus a feature with a
    // code that is no commune.
    let atlas = db.store.load_atlas().await.unwrap();
    let d = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let tv = atlas.find_code("84", d).unwrap();
    let mut units = Vec::new();
    let mut stack = vec![tv];
    while let Some(u) = stack.pop() {
        if atlas.unit(u).unwrap().kind == UnitKind::Commune {
            let v = atlas.version_at(u, d).unwrap();
            units.push(SchematicUnit {
                code: v.code.clone(),
                name: v.name.clone(),
                parent_code: "84".into(),
                parent_name: "Trà Vinh".into(),
            });
        } else if atlas.unit(u).unwrap().kind != UnitKind::ResidentialArea {
            stack.extend(atlas.children(u, d));
        }
    }
    assert!(
        units.len() > 100,
        "Trà Vinh's communes on 31/12/2024: {}",
        units.len()
    );
    let left_out = units.pop().unwrap();
    let mut json: serde_json::Value =
        serde_json::from_str(&schematic_boundaries(&units, (106.3, 9.9), 0.05, "ma_xa")).unwrap();
    json["features"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "type": "Feature", "properties": { "ma_xa": "99999" },
            "geometry": { "type": "Polygon", "coordinates": [[[106, 9], [106.1, 9], [106.1, 9.1], [106, 9]]] }
        }));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ranh-gioi.geojson");
    std::fs::write(&file, json.to_string()).unwrap();
    let path = file.to_str().unwrap();

    let dry = ok(&[
        "import",
        "boundaries",
        path,
        "--code-property",
        "ma_xa",
        "--date",
        "31/12/2024",
        "--dry-run",
    ]);
    let matched = units.len();
    assert!(dry.contains(&format!("{matched} đơn vị khớp mã")), "{dry}");
    assert!(
        dry.contains(&format!("vùng thứ {} (mã «99999»)", units.len() + 1)),
        "{dry}"
    );
    assert!(
        dry.contains(&format!(
            "chưa có ranh giới: {} {}",
            left_out.code, left_out.name
        )),
        "{dry}"
    );
    assert!(dry.contains("không ghi gì"), "{dry}");
    assert_eq!(
        binhyen_store::boundaries::count(&db.store).await.unwrap(),
        0
    );

    let broken = dir.path().join("hỏng.geojson");
    std::fs::write(
        &broken,
        "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [ {, ] }\n",
    )
    .unwrap();
    let (success, _, err) = run_cli(
        &db,
        &[
            "import",
            "boundaries",
            broken.to_str().unwrap(),
            "--code-property",
            "ma_xa",
        ],
    );
    assert!(!success);
    assert!(err.contains("hỏng.geojson:3:"), "{err}");
    assert!(err.contains("không nhập gì"), "{err}");

    let done = ok(&[
        "import",
        "boundaries",
        path,
        "--code-property",
        "ma_xa",
        "--date",
        "31/12/2024",
    ]);
    assert!(
        done.contains(&format!("Đã nhập ranh giới của {matched} đơn vị")),
        "{done}"
    );
    assert_eq!(
        binhyen_store::boundaries::count(&db.store).await.unwrap(),
        matched as u64
    );

    // The verdicts the map must show, from the evaluate command.
    let verdicts: serde_json::Value = serde_json::from_str(&ok(&[
        "evaluate",
        "--scope",
        "84",
        "--year",
        "2024",
        "--standard",
        "ntm-xa-19.2",
        "--format",
        "json",
    ]))
    .unwrap();
    let verdicts = verdicts.as_array().unwrap();
    assert!(verdicts.len() >= 85, "{}", verdicts.len());

    let (success, _, err) = run_cli_stdin(
        &db,
        &[
            "user",
            "add",
            "xem.vinhlong",
            "--name",
            "Người xem Vĩnh Long",
            "--role",
            "viewer",
            "--unit",
            "86",
            "--password-stdin",
        ],
        Some("mat-khau-dai-12345\n"),
    );
    assert!(success, "{err}");
    let server = Server::start(&db, "serve", &[]);
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser
        .sign_in(&server, "xem.vinhlong", "mat-khau-dai-12345")
        .await;
    let c = &browser.client;
    c.goto(&server.url("/map?scope=84&year=2024&by=status"))
        .await
        .unwrap();
    let svg = c
        .find(Locator::Css("figure.map svg"))
        .await
        .expect("the map")
        .text()
        .await
        .unwrap();
    for label in ["đạt", "chưa đạt", "không có dữ liệu"] {
        assert!(
            svg.contains(label),
            "legend lacks {label} on {kind:?}: {svg}"
        );
    }
    assert!(svg.contains("schematic, not official"), "{svg}");
    for v in verdicts {
        let code = v["unit"]["code"].as_str().unwrap();
        let verdict = v["verdict"].as_str().unwrap();
        if code == left_out.code {
            continue;
        }
        let path = c
            .find(Locator::Css(&format!("path[data-code='{code}']")))
            .await
            .unwrap_or_else(|_| panic!("no shape for {code}"));
        assert_eq!(
            path.attr("fill").await.unwrap().as_deref(),
            Some(colour_of(verdict)),
            "{code} is {verdict} on {kind:?}"
        );
    }
    let missing = c
        .find(Locator::Css("ul.without-boundary"))
        .await
        .expect("units without a boundary")
        .text()
        .await
        .unwrap();
    assert!(missing.contains(&left_out.name), "{missing}");
    let table = c
        .find(Locator::Css("table.map-table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("Xã Hòa Minh"), "{table}");

    // By indicator: a rate legend and per-1,000 values.
    c.goto(&server.url("/map?scope=84&year=2024&by=indicator"))
        .await
        .unwrap();
    let body = browser.body_text().await;
    assert!(body.contains("vụ/1.000 hộ"), "{body}");

    // An unknown standard is refused in Vietnamese, not drawn as a map without data.
    c.goto(&server.url("/map?scope=84&year=2024&by=status&standard=ntm-xa-19.3"))
        .await
        .unwrap();
    let body = browser.body_text().await;
    assert!(body.contains("không có tiêu chuẩn «ntm-xa-19.3»"), "{body}");
    assert!(!body.contains("không có dữ liệu"), "{body}");
    assert!(
        !body.contains("Lỗi cơ sở dữ liệu"),
        "bad input, not a server error: {body}"
    );
    browser.close().await;
});
