//! A viewer in headless Chromium opens Xã Hòa Minh (Trà Vinh) on the generated dataset and reads
//! its verdicts for 2024: each standard with đạt / chưa đạt / chưa đủ dữ liệu in words, and the
//! rules with their citations; signed out, the page asks to sign in instead. Both databases.

mod support;

use fantoccini::Locator;
use support::{Browser, Server, run_cli, run_cli_stdin};

const PASSWORD: &str = "mật khẩu thử nghiệm 2024";

browser_test!(unit_page_shows_verdicts_with_citations, |db, kind| {
    for args in [
        &["import", "units"][..],
        &["generate", "--provinces", "84", "--years", "2023-2024"][..],
    ] {
        let (ok, out, err) = run_cli(&db, args);
        assert!(ok, "{args:?} on {kind:?}: {out}\n{err}");
    }
    let (ok, out, err) = run_cli_stdin(
        &db,
        &[
            "user",
            "add",
            "xem.vinhlong",
            "--name",
            "Người xem",
            "--role",
            "viewer",
            "--unit",
            "86",
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
    // Signed out, the map is not shown: the visitor is sent to sign in.
    c.goto(&server.url("/units?q=29410&date=01%2F06%2F2024"))
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/login", "on {kind:?}");
    browser.sign_in(&server, "xem.vinhlong", PASSWORD).await;
    // Find the commune by its code on the 2024 map, then open its page for 2024.
    c.goto(&server.url("/units?q=29410&date=01%2F06%2F2024"))
        .await
        .unwrap();
    let link = c
        .find(Locator::XPath("//main//a[contains(., 'Hòa Minh')]"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    let id = href
        .trim_start_matches("/units/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_owned();
    c.goto(&server.url(&format!("/units/{id}?year=2024")))
        .await
        .unwrap();
    let sections = c
        .find_all(Locator::Css("section.evaluation"))
        .await
        .unwrap();
    assert!(!sections.is_empty(), "no verdicts on {kind:?}");
    let text = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ["Đạt", "đạt", "chưa đủ dữ liệu"]
            .iter()
            .any(|w| text.contains(w)),
        "{text}"
    );
    assert!(text.contains("Thông tư 124/2021/TT-BCA"), "{text}");
    assert!(text.contains("ntm-xa-19.2"), "{text}");
    browser.close().await;
});
