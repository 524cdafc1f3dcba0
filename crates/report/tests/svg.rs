//! SVG charts and maps: well-formed XML (quick-xml), accessible, Vietnamese text present as
//! text, and the dry run's numbers on a synthetic GeoJSON.

use binhyen_report::sample;
use binhyen_report::svg::chart::{
    BarChart, BarLayout, LineChart, NumberStyle, Series, SparkRow, Sparklines,
};
use binhyen_report::svg::map::{
    MapModel, MapUnit, NO_DATA_COLOR, ProjectedMap, SCHEMATIC_CAPTION, SEQUENTIAL, UnitRef,
    Unmatched, bucket, bucket_labels, dry_run, parse_boundaries, quantile_thresholds, render_map,
};
use binhyen_report::svg::schematic::schematic_boundaries;
use binhyen_report::svg::{LegendEntry, escape};
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parses the SVG and returns (root element name, every text node, attributes named `attr`).
/// Panics when the XML is not well-formed.
fn parse(svg: &str, attr: &str) -> (String, Vec<String>, Vec<String>) {
    let mut reader = Reader::from_str(svg);
    let (mut root, mut texts, mut attrs, mut current) =
        (String::new(), Vec::new(), Vec::new(), String::new());
    let mut open = 0i32;
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}\n{svg}",
                reader.buffer_position()
            )
        });
        if matches!(
            event,
            Event::Start(_) | Event::Empty(_) | Event::End(_) | Event::Eof
        ) && !current.is_empty()
        {
            texts.push(std::mem::take(&mut current));
        }
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if root.is_empty() {
                    root = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                }
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == attr.as_bytes() {
                        attrs.push(a.unescape_value().unwrap().into_owned());
                    }
                }
                // `<x/>` arrives as Empty (nothing to close); `<x>` as Start.
                open += i32::from(!svg[..reader.buffer_position() as usize].ends_with("/>"));
            }
            Event::End(_) => open -= 1,
            Event::Text(t) => current.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap().into_owned();
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::unescape(&format!("&{name};"))
                        .unwrap()
                        .into_owned(),
                };
                current.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(open, 0, "every element is closed");
    (root, texts, attrs)
}

fn assert_accessible(svg: &str, title: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title id=\""));
    assert!(svg.contains(&escape(title)));
    assert!(svg.contains("<desc id=\""));
}

fn numbers() -> NumberStyle {
    NumberStyle {
        decimals: 0,
        unit: String::new(),
    }
}

#[test]
fn bar_charts_grouped_and_stacked() {
    for layout in [BarLayout::Grouped, BarLayout::Stacked] {
        let chart = BarChart {
            title: "Số xã đạt tiêu chí theo huyện & năm <2023>".into(),
            desc: "Biểu đồ cột: số xã đạt và chưa đạt tiêu chí an ninh, trật tự của từng huyện."
                .into(),
            categories: vec![
                "Càng Long".into(),
                "Cầu Kè".into(),
                "Trà Cú".into(),
                "Duyên Hải".into(),
            ],
            series: vec![
                Series {
                    name: "Đạt".into(),
                    values: vec![Some(12.0), Some(10.0), Some(15.0), None],
                    ..Series::default()
                },
                Series {
                    name: "Chưa đạt".into(),
                    values: vec![Some(2.0), Some(1234.0), Some(0.0), Some(3.0)],
                    ..Series::default()
                },
            ],
            layout,
            numbers: numbers(),
            width: 640.0,
            height: 320.0,
        };
        let svg = chart.render();
        assert_accessible(&svg, &chart.title);
        let (root, texts, _) = parse(&svg, "fill");
        assert_eq!(root, "svg");
        for t in ["Càng Long", "Trà Cú", "Đạt", "Chưa đạt"] {
            assert!(texts.iter().any(|x| x == t), "{t} missing in {texts:?}");
        }
        assert!(
            svg.contains("Cầu Kè — Chưa đạt: 1.234"),
            "tooltips use Vietnamese numbers"
        );
        // One bar per present value.
        assert_eq!(
            svg.matches("<rect x=").count() - 2,
            7,
            "7 bars and 2 legend boxes"
        );
    }
}

#[test]
fn line_chart_targets_are_dashed_with_hollow_markers() {
    let chart = LineChart {
        title: "Xã đạt tiêu chí nâng cao so với kế hoạch".into(),
        desc: "Đường liền: thực hiện; đường nét đứt: chỉ tiêu Kế hoạch 85/KH-UBND.".into(),
        labels: vec!["2022".into(), "2023".into(), "2024".into(), "2025".into()],
        series: vec![
            Series {
                name: "Thực hiện".into(),
                values: vec![Some(37.0), Some(45.0), Some(49.0), None],
                ..Series::default()
            },
            Series {
                name: "Chỉ tiêu".into(),
                values: vec![Some(37.0), Some(43.0), Some(51.0), Some(60.0)],
                dashed: true,
                ..Series::default()
            },
        ],
        numbers: NumberStyle {
            decimals: 1,
            unit: " xã".into(),
        },
        width: 560.0,
        height: 300.0,
    };
    let svg = chart.render();
    assert_accessible(&svg, &chart.title);
    let (_, texts, dashes) = parse(&svg, "stroke-dasharray");
    assert!(texts.iter().any(|t| t == "2025"));
    assert!(texts.iter().any(|t| t == "Chỉ tiêu"));
    assert_eq!(
        dashes.len(),
        2,
        "the target line and its legend entry are dashed"
    );
    assert_eq!(svg.matches("<circle").count(), 7);
    assert!(svg.contains("Chỉ tiêu — 2025: 60,0 xã"));
    assert_eq!(
        svg.matches("fill=\"#fff\"").count(),
        4,
        "hollow target markers"
    );
}

#[test]
fn sparklines_show_the_last_value() {
    let s = Sparklines {
        title: "Tội phạm về trật tự xã hội".into(),
        desc: "Số vụ theo năm, 2019–2023".into(),
        rows: vec![
            SparkRow {
                label: "Huyện Càng Long".into(),
                values: vec![Some(40.0), Some(35.0), Some(33.0), None, Some(30.0)],
            },
            SparkRow {
                label: "Thị xã Duyên Hải".into(),
                values: vec![Some(1200.0), Some(1234.0)],
            },
        ],
        numbers: numbers(),
        width: 420.0,
    };
    let svg = s.render();
    let (_, texts, _) = parse(&svg, "d");
    assert_eq!(
        texts.iter().filter(|t| *t == "30" || *t == "1.234").count(),
        2,
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "Thị xã Duyên Hải"));
}

/// Three square communes side by side, one feature without code, one point, one unknown
/// code and one duplicate.
fn synthetic_geojson() -> String {
    let square = |x: f64| {
        format!(
            "[[[{x},9.9],[{},9.9],[{},10.0],[{x},10.0],[{x},9.9]]]",
            x + 0.1,
            x + 0.1
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"ma_xa":"29011","ten":"Xã Long Đức"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
        {{"type":"Feature","properties":{{"ma_xa":29014}},"geometry":{{"type":"MultiPolygon","coordinates":[{},{}]}}}},
        {{"type":"Feature","properties":{{"ma_xa":"00001"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
        {{"type":"Feature","properties":{{"ten":"Không mã"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
        {{"type":"Feature","properties":{{"ma_xa":"29017"}},"geometry":{{"type":"Point","coordinates":[106.3,9.95]}}}},
        {{"type":"Feature","properties":{{"ma_xa":"99999"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
        {{"type":"Feature","properties":{{"ma_xa":"29011"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}
        ]}}"#,
        square(106.0),
        square(106.1),
        square(106.15),
        square(106.2),
        square(106.3),
        square(106.4),
        square(106.5)
    )
}

fn units() -> Vec<UnitRef> {
    [
        ("29011", "Xã Long Đức"),
        ("29014", "Xã An Trường"),
        ("1", "Phường Trúc Bạch"),
        ("29017", "Xã Đôn Xuân"),
        ("29020", "Xã Hòa Ân"),
    ]
    .iter()
    .map(|(c, n)| UnitRef {
        code: (*c).into(),
        name: (*n).into(),
    })
    .collect()
}

#[test]
fn dry_run_counts_matched_and_unmatched() {
    let b = parse_boundaries(&synthetic_geojson(), "ma_xa").unwrap();
    assert_eq!(b.features.len(), 7);
    assert!(!b.schematic);
    let run = dry_run(&b, &units());
    assert_eq!(run.matched, vec!["29011", "29014", "1"]);
    assert_eq!(
        run.unmatched_features,
        vec![
            (3, None, Unmatched::NoCode),
            (4, Some("29017".into()), Unmatched::NotAnArea),
            (5, Some("99999".into()), Unmatched::UnknownCode),
            (6, Some("29011".into()), Unmatched::DuplicateCode),
        ]
    );
    assert_eq!(run.units_without_feature, vec!["29017", "29020"]);
    assert!(parse_boundaries("{\"type\":\"Point\",\"coordinates\":[1,2]}", "ma").is_err());
    assert!(parse_boundaries("không phải json", "ma").is_err());
}

#[test]
fn choropleth_colours_units_and_marks_missing_data() {
    let b = parse_boundaries(&synthetic_geojson(), "ma_xa").unwrap();
    let map = ProjectedMap::new(&b, &units(), 600.0);
    assert_eq!(map.paths.len(), 3);
    // Three 0.1° squares side by side (the third overlaps the second): about 2.5 times wider than high.
    assert!(map.height > 150.0 && map.height < 300.0, "{}", map.height);
    let values = [95.35, 80.0];
    let thresholds = quantile_thresholds(&values, 2);
    let labels = bucket_labels(&thresholds, |v| binhyen_core::text::format_decimal(v, 2));
    let model = MapModel {
        title: "Tỷ lệ hộ đăng ký «An toàn về an ninh, trật tự» năm 2023".into(),
        desc: "Bản đồ các xã theo tỷ lệ hộ đăng ký.".into(),
        units: vec![
            MapUnit {
                code: "29011".into(),
                name: "Xã Long Đức".into(),
                value_label: "95,35 %".into(),
                class: Some(bucket(95.35, &thresholds)),
            },
            MapUnit {
                code: "29014".into(),
                name: "Xã An Trường".into(),
                value_label: "80 %".into(),
                class: Some(bucket(80.0, &thresholds)),
            },
            MapUnit {
                code: "1".into(),
                name: "Phường Trúc Bạch".into(),
                value_label: String::new(),
                class: None,
            },
        ],
        legend: labels
            .iter()
            .zip(SEQUENTIAL.iter().skip(2))
            .map(|(l, c)| LegendEntry::new(l.clone(), *c))
            .collect(),
        no_data: LegendEntry::new("Không có dữ liệu / no data", NO_DATA_COLOR),
        caption: Some("Nguồn: Công an tỉnh Trà Vinh".into()),
    };
    let svg = render_map(&map, &model);
    assert_accessible(&svg, &model.title);
    let (_, texts, codes) = parse(&svg, "data-code");
    assert_eq!(codes, vec!["29011", "29014", "1"]);
    assert!(texts.iter().any(|t| t == "Xã Long Đức: 95,35 %"));
    assert!(
        texts
            .iter()
            .any(|t| t == "Phường Trúc Bạch: Không có dữ liệu / no data")
    );
    assert!(texts.iter().any(|t| t == "Nguồn: Công an tỉnh Trà Vinh"));
    assert!(svg.contains(&format!("class=\"no-data\" fill=\"{NO_DATA_COLOR}\"")));
    assert!(
        svg.contains("class=\"c1\""),
        "the higher value is in the upper bucket"
    );
    assert!(
        !svg.contains(SCHEMATIC_CAPTION),
        "official boundaries carry no schematic notice"
    );
}

#[test]
fn schematic_maps_say_so() {
    let units = sample::schematic_units(85, 10);
    let geo = schematic_boundaries(&units, (106.3, 9.9), 0.05, "ma_xa");
    let b = parse_boundaries(&geo, "ma_xa").unwrap();
    let refs: Vec<UnitRef> = units.iter().map(UnitRef::from).collect();
    let map = ProjectedMap::new(&b, &refs, 800.0);
    let model = sample::status_map(&refs);
    let svg = render_map(&map, &model);
    let (_, texts, codes) = parse(&svg, "data-code");
    assert_eq!(codes.len(), 85);
    assert_eq!(
        svg.matches("class=\"no-data\"").count(),
        12,
        "every seventh unit has no data"
    );
    assert!(
        texts.iter().any(|t| t == SCHEMATIC_CAPTION),
        "caption printed"
    );
    assert!(
        svg.contains("<desc") && svg.matches(SCHEMATIC_CAPTION).count() >= 2,
        "and in the description"
    );
}
