//! Issue 3's "done when", in headless Chromium on both databases (official units imported): a
//! commune police officer signs in, types into the traffic form and sees the verdict preview
//! change without a page load, gets a consistency error beside the numbers, fixes it, saves;
//! downloads the Excel template of the ward, fills it, uploads a version with bad rows through
//! the import page and reads every problem (sheet, row, column, value, what is expected), fixes
//! them, uploads again, waits on the progress page for the preview, gives the reason a submitted
//! form needs, imports; the value history shows the change and who made it.

mod support;

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use support::{Browser, Server, http_get, run_cli, run_cli_stdin};

const PASSWORD: &str = "mật khẩu thử nghiệm 2024";

browser_test!(officer_enters_facts_and_sees_history, |db, kind| {
    let (ok, out, err) = run_cli(&db, &["import", "units"]);
    assert!(ok, "{out}\n{err}");
    let (ok, out, err) = run_cli_stdin(
        &db,
        &[
            "user",
            "add",
            "ca.longduc",
            "--name",
            "Trần Văn Ân",
            "--role",
            "commune_police",
            "--unit",
            "29263",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(ok, "{out}\n{err}");
    let server = Server::start(&db, "serve", &[]);
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    browser.sign_in(&server, "ca.longduc", PASSWORD).await;
    // The overview of the officer's scope (the ward created on 01/07/2025) links to its forms.
    c.goto(&server.url("/facts?year=2025")).await.unwrap();
    let body = c.source().await.unwrap();
    assert!(body.contains("chưa nhập"), "on {kind:?}: {body}");
    browser
        .click_and_wait(Locator::Css("#overview tbody a"))
        .await;
    let form_url = c.current_url().await.unwrap();
    c.goto(&format!("{form_url}?form=traffic_fire"))
        .await
        .unwrap();
    // No accident but one death: refused on submission, the message names the numbers.
    let set = |id: &'static str, v: &'static str| async move {
        let e = c.find(Locator::Id(id)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(v).await.unwrap();
    };
    // The verdict preview is on the page from the start (no JavaScript needed) …
    let panel = text_of(c, "#preview").await;
    assert!(
        panel.contains("Kết quả đánh giá dự kiến")
            && panel.contains("An toàn về an ninh, trật tự»"),
        "{panel}"
    );
    // … and follows the typing without a page load: a word in a number field is listed.
    let page = c.find(Locator::Css("html")).await.unwrap();
    set("f.traffic_accidents", "hai").await;
    let problems = wait_text(c, "#preview-problems", "«hai»").await;
    assert!(problems.contains("Số vụ tai nạn giao thông"), "{problems}");
    set("f.traffic_accidents", "0").await;
    wait_gone(c, "#preview-problems").await;
    assert!(page.tag_name().await.is_ok(), "the page was reloaded");
    set("f.traffic_accidents", "0").await;
    set("f.traffic_deaths", "1").await;
    browser
        .click_and_wait(Locator::Css("button[value=submit]"))
        .await;
    let errors = c
        .find(Locator::Id("errors"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(errors.contains("số vụ tai nạn giao thông là 0"), "{errors}");
    // Text in a number field stays beside the field.
    set("f.traffic_accidents", "hai").await;
    browser
        .click_and_wait(Locator::Css("button[value=draft]"))
        .await;
    let field = c
        .find(Locator::Css("#field-traffic_accidents .field-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(field.contains("«hai»"), "{field}");
    // Fixed: 1.234 is read as one thousand two hundred thirty-four.
    set("f.traffic_accidents", "1.234").await;
    browser
        .click_and_wait(Locator::Css("button[value=submit]"))
        .await;
    let notice = c
        .find(Locator::Id("notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(notice, "Đã lưu.");
    let saved = c
        .find(Locator::Id("last-saved"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        saved.contains("Phiên bản 1") && saved.contains("Trần Văn Ân"),
        "{saved}"
    );
    browser
        .click_and_wait(Locator::Css("a[href$='/history']"))
        .await;
    let history = c
        .find(Locator::Id("history"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Trần Văn Ân") && history.contains("— → 1234"),
        "{history}"
    );

    // The Excel template of the ward, downloaded with the officer's session.
    let session = c.get_named_cookie("binhyen_session").await.unwrap();
    let cookie = format!("binhyen_session={}", session.value());
    let resp = http_get(
        &server.url("/facts/template.xlsx?scope=29263&year=2025"),
        Some(&cookie),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let sheets = binhyen_report::xlsx::read_xlsx(&resp.body, &Default::default())
        .expect("the template is a valid xlsx");
    let traffic = sheets
        .iter()
        .find(|s| s.name.as_deref() == Some(TRAFFIC))
        .expect("a traffic sheet");
    let header: Vec<String> = traffic.rows[0].cells.iter().map(cell_text).collect();
    assert_eq!(
        &header[..3],
        ["Mã đơn vị", "Tên đơn vị", "Số vụ tai nạn giao thông"]
    );
    let row: Vec<String> = traffic.rows[1].cells.iter().map(cell_text).collect();
    assert_eq!(row[0], "29263", "{row:?}");
    assert_eq!(row[2], "1234", "the stored value is filled in: {row:?}");
    let name = row[1].clone();

    // Filled with two bad rows: a negative count, and a code no unit has.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("so-lieu-sai.xlsx");
    write_book(
        &bad,
        &header,
        &[
            vec![X::T("29263"), X::T(&name), X::N(-3.0), X::N(1.0), X::N(2.0)],
            vec![X::T("99999"), X::T("Không có"), X::N(1.0)],
        ],
    );
    upload(&browser, &server, &bad).await;
    let problems = wait_text(c, "#problems", "không có gì thay đổi").await;
    for expected in [
        "Trang tính «Tai nạn giao thông, cháy nổ», dòng 2, cột C: «-3» cần một số nguyên không âm",
        "Trang tính «Tai nạn giao thông, cháy nổ», dòng 3, cột A: «99999»",
        "không có đơn vị nào mang mã này",
    ] {
        assert!(problems.contains(expected), "{expected} in {problems}");
    }
    // Fixed and uploaded again: the preview lists the changes, the submitted form needs a reason.
    let good = dir.path().join("so-lieu.xlsx");
    write_book(
        &good,
        &header,
        &[vec![
            X::T("29263"),
            X::T(&name),
            X::N(1240.0),
            X::N(1.0),
            X::N(2.0),
        ]],
    );
    upload(&browser, &server, &good).await;
    let summary = wait_text(c, "#summary", "sẽ thay đổi").await;
    assert!(
        summary.contains("sẽ thay đổi 2 giá trị trong 1 biểu mẫu"),
        "{summary}"
    );
    let preview = text_of(c, "#preview").await;
    assert!(preview.contains("1234 → 1240"), "{preview}");
    c.find(Locator::Id("reason"))
        .await
        .unwrap()
        .send_keys("Số liệu đối chiếu lại với sổ theo dõi")
        .await
        .unwrap();
    browser.click_and_wait(Locator::Id("commit")).await;
    let done = wait_text(c, "#done", "Đã nhập").await;
    assert!(done.contains("2 giá trị trong 1 biểu mẫu"), "{done}");
    // The history shows the import, who made it and why.
    c.goto(&format!("{form_url}/history")).await.unwrap();
    let history = text_of(c, "#history").await;
    assert!(
        history.contains("1234 → 1240")
            && history.contains("import:so-lieu.xlsx")
            && history.contains("Số liệu đối chiếu lại"),
        "{history}"
    );
    browser.close().await;
});

const TRAFFIC: &str = "Tai nạn giao thông, cháy nổ";

fn cell_text(c: &binhyen_report::xlsx::RawValue) -> String {
    use binhyen_report::xlsx::RawValue;
    match c {
        RawValue::Text(t) => t.clone(),
        RawValue::Number(n) => n.to_string(),
        RawValue::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

/// A cell written by the test: text or number.
enum X<'a> {
    T(&'a str),
    N(f64),
}

/// A workbook with one sheet of the template, filled as a person would in Excel.
fn write_book(path: &std::path::Path, header: &[String], rows: &[Vec<X>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(TRAFFIC).unwrap();
    for (i, h) in header.iter().enumerate() {
        ws.write_string(0, i as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, x) in row.iter().enumerate() {
            let (r, i) = (r as u32 + 1, i as u16);
            match x {
                X::T(s) => ws.write_string(r, i, *s).map(|_| ()).unwrap(),
                X::N(n) => ws.write_number(r, i, *n).map(|_| ()).unwrap(),
            }
        }
    }
    wb.save(path).unwrap();
}

/// Uploads `path` for 2025 through the import page and lands on the job's progress page.
async fn upload(browser: &Browser, server: &Server, path: &std::path::Path) {
    let c = &browser.client;
    c.goto(&server.url("/facts/import")).await.unwrap();
    let year = c.find(Locator::Id("year")).await.unwrap();
    year.clear().await.unwrap();
    year.send_keys("2025").await.unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    browser
        .click_and_wait(Locator::Css("form button[type=submit]"))
        .await;
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits (through the progress page's refreshes and the preview's swaps) until the element
/// `css` shows `expected`, and returns its text.
async fn wait_text(c: &Client, css: &str, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(expected) {
                return t;
            }
            last = t;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never showed «{expected}»; last: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until no element matches `css`.
async fn wait_gone(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(Instant::now() < deadline, "{css} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
