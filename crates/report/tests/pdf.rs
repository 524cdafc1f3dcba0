//! PDF documents: every Vietnamese letter survives in every style (checked with poppler's
//! pdftotext), page size and orientation (pdfinfo), page numbers from page 2, and the four
//! builders render.

use std::process::Command;
use std::sync::OnceLock;

use binhyen_report::pdf::{
    Align, Annex, Block, Column, Document, FontSet, Header, PdfEngine, Row, Signature, Table,
    VIETNAMESE_LETTERS,
};
use binhyen_report::sample;
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PdfEngine::new(FontSet::embedded()))
}

/// One engine is shared by every request thread.
#[test]
fn the_engine_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<PdfEngine>();
    shareable::<FontSet>();
    let docs: Vec<Document> = (0..4)
        .map(|i| sample::recognition_decision(i + 1).document())
        .collect();
    std::thread::scope(|s| {
        for d in &docs {
            s.spawn(|| assert!(engine().render(d).unwrap().bytes.starts_with(b"%PDF-")));
        }
    });
}

fn render(doc: &Document) -> Vec<u8> {
    let pdf = engine().render(doc).expect("the document renders");
    assert!(
        pdf.warnings.is_empty(),
        "typst warnings: {:?}",
        pdf.warnings
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    pdf.bytes
}

/// Runs a poppler tool on the PDF and returns its standard output.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of the PDF (pages `first..=last` when given), NFC-normalised.
fn text(pdf: &[u8], pages: Option<(usize, usize)>) -> String {
    let range;
    let args: Vec<&str> = match pages {
        Some((f, l)) => {
            range = [f.to_string(), l.to_string()];
            vec!["-f", &range[0], "-l", &range[1]]
        }
        None => vec![],
    };
    poppler("pdftotext", pdf, &args).nfc().collect()
}

fn assert_all_letters(text: &str, what: &str) {
    let missing: String = VIETNAMESE_LETTERS
        .chars()
        .filter(|c| !text.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: letters lost in the PDF text: {missing}"
    );
}

/// (width, height) in points of every page.
fn page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let pages = poppler("pdfinfo", pdf, &[])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse::<usize>()
        .unwrap();
    let info = poppler("pdfinfo", pdf, &["-f", "1", "-l", &pages.to_string()]);
    info.lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .map(|l| {
            let dims = l.split("size:").nth(1).unwrap();
            let mut it = dims.split_whitespace();
            let w: f64 = it.next().unwrap().parse().unwrap();
            it.next(); // "x"
            let h: f64 = it.next().unwrap().parse().unwrap();
            (w, h)
        })
        .collect()
}

const A4: (f64, f64) = (595.28, 841.89);

fn is_portrait_a4((w, h): (f64, f64)) -> bool {
    (w - A4.0).abs() < 1.0 && (h - A4.1).abs() < 1.0
}

fn is_landscape_a4((w, h): (f64, f64)) -> bool {
    is_portrait_a4((h, w))
}

/// Every Vietnamese letter, spaced so that lines can break anywhere (one unbreakable word
/// would run off the page and be cut).
fn letters(prefix: &str) -> String {
    let spaced: Vec<String> = VIETNAMESE_LETTERS.chars().map(String::from).collect();
    format!("{prefix} {}", spaced.join(" "))
}

#[test]
fn every_style_keeps_every_vietnamese_letter() {
    let styles = [(false, false), (true, false), (false, true), (true, true)];
    let mut body: Vec<Block> = styles
        .iter()
        .map(|(bold, italic)| Block::Text {
            text: letters("Kiểu chữ:"),
            bold: *bold,
            italic: *italic,
            align: Align::Justify,
            indent: true,
        })
        .collect();
    body.push(Block::heading(letters("Đề mục")));
    body.push(Block::Article {
        number: 1,
        heading: Some(letters("Tên điều")),
        paragraphs: vec![letters("Khoản")],
    });
    body.push(Block::Note {
        text: letters("Ghi chú"),
    });
    body.push(Block::Table(Table {
        columns: vec![Column::new(letters("Cột"), 1.0, Align::Left)],
        rows: vec![Row::Group(letters("Nhóm")), Row::Cells(vec![letters("Ô")])],
        font_size: 12.0,
    }));
    let doc = Document {
        header: Header {
            parent_body: Some(letters("Cơ quan chủ quản")),
            issuing_body: letters("Cơ quan ban hành"),
            number: Some("12/QĐ-UBND".into()),
            place: letters("Địa danh"),
            date: NaiveDate::from_ymd_opt(2023, 12, 15),
        },
        kind: letters("Loại"),
        title: Some(letters("Trích yếu")),
        authority: Some(letters("Thẩm quyền")),
        legal_bases: vec![letters("Căn cứ")],
        body,
        recipients: vec![letters("Nơi nhận")],
        signature: Some(Signature {
            lines: vec![letters("TM.")],
            name: letters("Người ký"),
        }),
        annexes: vec![Annex {
            heading: letters("Phụ lục"),
            title: letters("Tên phụ lục"),
            reference: Some(letters("Kèm theo")),
            landscape: true,
            body: vec![Block::para(letters("Nội dung phụ lục"))],
        }],
        ..Document::default()
    };
    let pdf = render(&doc);
    let all = text(&pdf, None);
    assert_all_letters(&all, "every style");
    // Upper-cased parts keep their diacritics too.
    assert!(all.contains("CƠ QUAN BAN HÀNH"), "{all}");
    assert!(all.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(all.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(all.contains("Số: 12/QĐ-UBND"));
    assert!(all.contains("ngày 15 tháng 12 năm 2023"));
    assert!(all.contains("Nơi nhận:"));
    assert!(all.contains("Điều 1."));
    let sizes = page_sizes(&pdf);
    assert!(is_portrait_a4(sizes[0]), "{sizes:?}");
    assert!(
        is_landscape_a4(*sizes.last().unwrap()),
        "the annex is landscape: {sizes:?}"
    );
}

#[test]
fn extra_fonts_are_used_when_given() {
    let Ok(files) = binhyen_report::pdf::read_font_dir(std::path::Path::new(
        "/usr/share/fonts/truetype/liberation2",
    )) else {
        eprintln!("fonts-liberation2 is not installed; only the embedded fonts are tested");
        return;
    };
    let engine = PdfEngine::new(FontSet::with_extra(files));
    assert_eq!(engine.fonts().family(), "Liberation Serif");
    let mut sheet = sample::evaluation_sheet();
    sheet.title = letters("Trích yếu");
    sheet.rules[0].explanation = letters("Giải thích");
    let pdf = engine.render(&sheet.document()).unwrap();
    assert!(pdf.warnings.is_empty(), "{:?}", pdf.warnings);
    let fonts = poppler("pdffonts", &pdf.bytes, &[]);
    assert!(fonts.contains("LiberationSerif"), "{fonts}");
    assert_all_letters(&text(&pdf.bytes, None), "Liberation Serif");
}

#[test]
fn page_numbers_start_on_page_two_and_restart_in_each_annex() {
    let long: Vec<Block> = (1..=60)
        .map(|i| {
            Block::para(format!(
                "Đoạn văn số {i} của báo cáo, đủ dài để tràn sang trang sau."
            ))
        })
        .collect();
    let doc = Document {
        header: Header {
            issuing_body: "Công an tỉnh Trà Vinh".into(),
            place: "Trà Vinh".into(),
            ..Header::default()
        },
        kind: "Báo cáo".into(),
        body: long.clone(),
        annexes: vec![Annex {
            heading: "Phụ lục".into(),
            title: "Số liệu".into(),
            body: long,
            ..Annex::default()
        }],
        ..Document::default()
    };
    let pdf = render(&doc);
    let pages = page_sizes(&pdf).len();
    assert!(pages >= 4, "{pages} pages");
    let first_line = |p: usize| {
        text(&pdf, Some((p, p)))
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(first_line(1), "CÔNG AN TỈNH TRÀ VINH");
    assert_eq!(first_line(2), "2");
    // The annex starts on its own page without a number, then counts from 2 again.
    let annex_start = (2..=pages)
        .find(|p| first_line(*p) == "Phụ lục")
        .expect("an annex page");
    assert!(annex_start < pages);
    assert_eq!(first_line(annex_start + 1), "2");
}

#[test]
fn evaluation_sheet_renders_with_every_letter() {
    let mut sheet = sample::evaluation_sheet();
    sheet.rules[1].explanation = letters("Giải thích");
    let pdf = render(&sheet.document());
    let t = text(&pdf, None);
    assert_all_letters(&t, "evaluation sheet");
    assert!(t.contains("PHIẾU ĐÁNH GIÁ"));
    assert!(t.contains("19.2.3 (*)"), "the provisional rule is marked");
    assert!(
        t.contains("(*) Nội dung tạm thời"),
        "and the mark explained"
    );
    assert!(page_sizes(&pdf).iter().all(|s| is_portrait_a4(*s)));
}

#[test]
fn classification_list_of_550_units_renders_landscape() {
    let mut list = sample::classification_list(550);
    list.rows[549].explanation = letters("Giải thích");
    let pdf = render(&list.document());
    let sizes = page_sizes(&pdf);
    assert!(sizes.len() > 10, "{} pages", sizes.len());
    assert!(sizes.iter().all(|s| is_landscape_a4(*s)));
    let t = text(&pdf, None);
    assert_all_letters(&t, "classification list");
    assert!(t.contains("Huyện Trà Cú"), "group headings are printed");
    // The header row repeats on the last page.
    let last = text(&pdf, Some((sizes.len() - 1, sizes.len())));
    assert!(last.contains("Đơn vị (mã)"), "{last}");
    assert!(last.contains("550"));
}

#[test]
fn recognition_decision_has_its_annex_and_reference() {
    let mut decision = sample::recognition_decision(45);
    decision.annex.units[0].note = letters("Ghi chú");
    assert_eq!(
        decision.annex_reference(),
        "(Kèm theo Quyết định số 2458/QĐ-UBND ngày 28/12/2023 của Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh)"
    );
    let pdf = render(&decision.document());
    let t = text(&pdf, None);
    assert_all_letters(&t, "recognition decision");
    for s in [
        "QUYẾT ĐỊNH",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH TRÀ VINH",
        "QUYẾT ĐỊNH:",
        "Điều 3.",
        "Kèm theo Quyết định số 2458/QĐ-UBND",
        "KT. CHỦ TỊCH",
    ] {
        assert!(t.contains(s), "missing {s:?}");
    }
    // Legal bases: ";" after each but the last, which ends with ".".
    assert!(t.contains("năm 2015;"));
}

#[test]
fn yearly_report_embeds_its_chart_as_text() {
    let mut report = sample::yearly_report();
    report.intro.push(letters("Mở đầu"));
    let mut chart = sample::plan_chart();
    chart.series[0].name = letters("Chuỗi");
    chart.labels[0] = "Năm Ơ ơ Ư ư ắ ỹ".into();
    report.sections[1].body.push(Block::Image {
        svg: chart.render(),
        width_percent: 80,
        caption: None,
    });
    let pdf = render(&report.document());
    let t = text(&pdf, None);
    assert_all_letters(&t, "yearly report");
    assert!(t.contains("BÁO CÁO"));
    assert!(
        t.contains("2025"),
        "the sample chart's labels stay text: {t}"
    );
    assert!(
        t.contains("Năm Ơ ơ Ư ư ắ ỹ"),
        "chart labels keep their diacritics: {t}"
    );
    assert!(t.contains("52,94"), "the table is printed: {t}");
}
