//! `binhyen demo` on a fresh database: it loads the official map, prints one account per role
//! with its password, and a demo user can sign in and find Tỉnh Trà Vinh on the map of 1/6/2025.

mod support;

use fantoccini::Locator;
use support::{Browser, Server};

browser_test!(demo_starts_with_the_map_and_accounts, |db, kind| {
    let server = Server::start(&db, "demo", &[]);
    for login in ["quantri", "ca.hoaminh", "pv05.vinhlong", "chutich.vinhlong"] {
        assert!(
            server.banner.contains(login),
            "{login} missing from the banner on {kind:?}:\n{}",
            server.banner
        );
    }
    assert!(server.banner.contains("binhyen-demo"));
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    browser.sign_in(&server, "ca.hoaminh", "binhyen-demo").await;
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("Công an xã Hòa Minh"),
        "signed-in name not shown on {kind:?}: {body}"
    );
    c.goto(&server.url("/units?q=tra+vinh&date=01%2F06%2F2025"))
        .await
        .unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Tỉnh Trà Vinh"), "{body}");
    browser.close().await;
});
