//! Renders every sample document into a directory and prints how long each step took.
//!
//! `cargo run --release -p binhyen-report --example render_samples -- [out-dir] [font-dir]`
//!
//! Writes the four PDFs (the classification list with 550 units), an xlsx template, the
//! sample chart and a schematic choropleth, then renders the 550-row list five more times
//! cold and five times warm and prints the medians.

use std::path::PathBuf;
use std::time::Instant;

use binhyen_report::pdf::{FontSet, PdfEngine, read_font_dir};
use binhyen_report::sample;
use binhyen_report::svg::map::{ProjectedMap, UnitRef, parse_boundaries, render_map};
use binhyen_report::svg::schematic::schematic_boundaries;
use binhyen_report::xlsx::{Column, ColumnKind, HelpSheet, Mode, Sheet, Value, Workbook, write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/report-samples".into()),
    );
    std::fs::create_dir_all(&out)?;
    let extra = match args.next() {
        Some(dir) => read_font_dir(dir.as_ref())?,
        None => Vec::new(),
    };

    let t = Instant::now();
    let engine = PdfEngine::new(FontSet::with_extra(extra));
    println!(
        "fonts and library loaded ({}): {:?}",
        engine.fonts().family(),
        t.elapsed()
    );

    let documents = [
        ("phieu-danh-gia.pdf", sample::evaluation_sheet().document()),
        (
            "danh-sach-phan-loai-550.pdf",
            sample::classification_list(550).document(),
        ),
        (
            "quyet-dinh-cong-nhan.pdf",
            sample::recognition_decision(45).document(),
        ),
        ("bao-cao-nam.pdf", sample::yearly_report().document()),
    ];
    for (name, doc) in &documents {
        let t = Instant::now();
        let pdf = engine.render(doc)?;
        println!(
            "{name}: {} bytes in {:?}{}",
            pdf.bytes.len(),
            t.elapsed(),
            warn(&pdf.warnings)
        );
        std::fs::write(out.join(name), &pdf.bytes)?;
    }

    // Cold: typst's memoisation cache emptied before each render (a new document);
    // warm: the same document again (what a re-download costs).
    let list = sample::classification_list(550).document();
    for (label, evict) in [("cold", true), ("warm", false)] {
        let mut times: Vec<_> = (0..5)
            .map(|_| {
                if evict {
                    typst::comemo::evict(0);
                }
                let t = Instant::now();
                engine.render(&list).map(|_| t.elapsed())
            })
            .collect::<Result<_, _>>()?;
        times.sort();
        println!(
            "classification list, 550 rows, {label}: median {:?} (min {:?}, max {:?})",
            times[2], times[0], times[4]
        );
    }

    let t = Instant::now();
    let units = sample::schematic_units(550, 60);
    let columns = vec![
        Column::new("Mã đơn vị", ColumnKind::Text),
        Column::new("Tên đơn vị", ColumnKind::Text).width(30.0),
        Column::new("Số hộ gia đình", ColumnKind::Integer)
            .editable()
            .required(),
        Column::new("Ngày họp", ColumnKind::Date).editable(),
        Column::new(
            "Có tụ điểm phức tạp",
            ColumnKind::YesNo {
                yes: "Có".into(),
                no: "Không".into(),
            },
        )
        .editable(),
    ];
    let keys = units
        .iter()
        .map(|u| vec![Value::Text(u.code.clone()), Value::Text(u.name.clone())])
        .collect();
    let book = Workbook {
        mode: Mode::Template,
        sheets: vec![Sheet::template("Số liệu", columns, keys)],
        help: Some(HelpSheet {
            name: "Hướng dẫn".into(),
            lines: vec!["Hướng dẫn".into(), "Chỉ nhập vào các ô trắng.".into()],
        }),
        lists_sheet: "Danh mục".into(),
    };
    std::fs::write(out.join("mau-nhap-lieu.xlsx"), write(&book)?)?;
    println!("xlsx template, 550 rows: {:?}", t.elapsed());

    let t = Instant::now();
    let geo = schematic_boundaries(&units, (106.3, 9.9), 0.04, "ma_xa");
    let refs: Vec<UnitRef> = units.iter().map(UnitRef::from).collect();
    let map = ProjectedMap::new(&parse_boundaries(&geo, "ma_xa")?, &refs, 800.0);
    let model = sample::status_map(&refs);
    std::fs::write(out.join("ban-do-so-do.svg"), render_map(&map, &model))?;
    std::fs::write(
        out.join("bieu-do-ke-hoach.svg"),
        sample::plan_chart().render(),
    )?;
    println!("schematic map of 550 units and chart: {:?}", t.elapsed());
    println!("written to {}", out.display());
    Ok(())
}

fn warn(w: &[String]) -> String {
    if w.is_empty() {
        String::new()
    } else {
        format!(" — warnings: {}", w.join("; "))
    }
}
