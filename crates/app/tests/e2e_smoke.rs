//! The real binary in headless Chromium: the home page is Vietnamese and the language switch works.

mod support;

use fantoccini::Locator;
use support::{Browser, Server};

browser_test!(home_page_switches_language, |db, kind| {
    let server = Server::start(&db, "serve", &[]);
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    c.goto(&server.url("/")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("vi")
    );
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Trang chủ", "on {kind:?}");
    browser.click_and_wait(Locator::Css("a.lang")).await;
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Home");
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );
    browser.close().await;
});
