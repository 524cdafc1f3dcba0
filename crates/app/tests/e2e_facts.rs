//! A commune police officer in headless Chromium: signs in, enters the traffic form, gets a
//! consistency error beside the numbers, fixes it, saves, and reads the value history; then
//! the API reads the form with its version. Both databases; the official units are imported.

mod support;

use fantoccini::Locator;
use support::{Browser, Server, run_cli, run_cli_stdin};

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
    browser.close().await;
});
