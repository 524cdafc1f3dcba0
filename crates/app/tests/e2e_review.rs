//! Issue 4's "done when", across roles in headless Chromium on the official map, both databases:
//! Xã An Trường (Huyện Càng Long, Tỉnh Trà Vinh) registers for 2024 in Q1 2024 → (the server's
//! clock moved to Q1 2025, when a 2024 dossier still goes through the district police) enters its
//! facts through the facts form → submits → the district police return it with a reason and a
//! per-field comment → the commune sees the comment beside the field, fixes and resubmits (the
//! diff is shown) → the district forwards → the province proposes recognition → the
//! classification list → the chairman issues the decision → the commune's dossier is
//! recognised and the province's counts change. Finally a tampered audit row is reported.

mod support;

use binhyen_store::testing::execute_raw;
use fantoccini::Locator;
use support::{Browser, Server, run_cli, run_cli_env};

const PASSWORD: &str = "mật khẩu thử nghiệm 2024";
const Q1_2024: &str = "2024-02-15T09:00:00+07:00";
const Q1_2025: &str = "2025-02-10T09:00:00+07:00";

fn add_user(db: &binhyen_store::testing::TestDb, login: &str, name: &str, role: &str, unit: &str) {
    let (ok, out, err) = run_cli_env(
        db,
        &[
            "user",
            "add",
            login,
            "--name",
            name,
            "--role",
            role,
            "--unit",
            unit,
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
        // The official map begins on 01/05/2024: accounts are made on the Q1 2025 map.
        &[("BINHYEN_CLOCK", Q1_2025)],
    );
    assert!(ok, "{out}\n{err}");
}

/// Signs `login` in on a clean browser session.
async fn as_user(browser: &Browser, server: &Server, login: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.sign_in(server, login, PASSWORD).await;
}

async fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn type_into(browser: &Browser, css: &str, value: &str) {
    let e = browser.client.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

browser_test!(
    a_commune_is_registered_reviewed_and_recognised,
    |db, kind| {
        let (ok, out, err) = run_cli(&db, &["import", "units"]);
        assert!(ok, "{out}\n{err}");
        add_user(&db, "ca.antruong", "Trần Văn Ân", "commune_police", "29275");
        add_user(&db, "ca.canglong", "Lê Thị Bình", "district_police", "844");
        add_user(&db, "pv05.travinh", "Phạm Văn Cường", "pv05", "84");
        add_user(&db, "ct.travinh", "Nguyễn Thị Dung", "decider", "84");

        // Q1 2024: the commune registers for Circular 124's «safe» standard.
        let dossier_url = {
            let server = Server::start_with_env(&db, "serve", &[], &[("BINHYEN_CLOCK", Q1_2024)]);
            let Some(browser) = Browser::start().await else {
                return;
            };
            let c = &browser.client;
            as_user(&browser, &server, "ca.antruong").await;
            c.goto(&server.url("/registrations?year=2024"))
                .await
                .unwrap();
            c.find(Locator::Css("input[type=checkbox][value='antt-xa']"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            browser
                .click_and_wait(Locator::Css("form.card button[type=submit]"))
                .await;
            let url = c.current_url().await.unwrap();
            assert!(url.path().starts_with("/dossiers/"), "on {kind:?}: {url}");
            assert_eq!(text_of(&browser, "td.state").await, "đã đăng ký");
            let path = url.path().to_owned();
            browser.close().await;
            path
        };

        // Q1 2025: review of the 2024 period (district police still in the chain).
        let server = Server::start_with_env(&db, "serve", &[], &[("BINHYEN_CLOCK", Q1_2025)]);
        let Some(browser) = Browser::start().await else {
            return;
        };
        let c = &browser.client;
        let dossier = server.url(&dossier_url);

        // The commune enters its facts through the facts form linked from the dossier.
        as_user(&browser, &server, "ca.antruong").await;
        c.goto(&dossier).await.unwrap();
        browser.click_and_wait(Locator::Css("a.facts-link")).await;
        let facts_url = c.current_url().await.unwrap();
        c.goto(&format!("{facts_url}?form=crime_social_evils"))
            .await
            .unwrap();
        type_into(&browser, "#f\\.crimes_social_order", "3").await;
        browser
            .click_and_wait(Locator::Css("button[value=draft]"))
            .await;
        c.goto(&dossier).await.unwrap();
        assert_eq!(text_of(&browser, "td.state").await, "đang nhập số liệu");
        browser
            .click_and_wait(Locator::Css("button[value=submit]"))
            .await;
        assert!(
            text_of(&browser, "td.state")
                .await
                .starts_with("đang xét duyệt"),
            "{}",
            browser.body_text().await
        );

        // The district police return it with a reason and a comment on the crimes field.
        as_user(&browser, &server, "ca.canglong").await;
        c.goto(&dossier).await.unwrap();
        type_into(
            &browser,
            "textarea[name=reason]",
            "Số vụ phạm tội chưa khớp sổ theo dõi",
        )
        .await;
        type_into(
            &browser,
            "#comment-crimes_social_order",
            "Đối chiếu lại sổ tiếp nhận tin báo",
        )
        .await;
        browser
            .click_and_wait(Locator::Css("button[value=return]"))
            .await;
        assert!(
            text_of(&browser, "td.state")
                .await
                .starts_with("bị trả lại")
        );
        let timeline = text_of(&browser, "ol.timeline").await;
        assert!(
            timeline.contains("Số vụ phạm tội chưa khớp sổ theo dõi")
                && timeline.contains("Đối chiếu lại sổ tiếp nhận tin báo"),
            "{timeline}"
        );

        // The commune sees the comment beside the field, fixes the number and resubmits.
        as_user(&browser, &server, "ca.antruong").await;
        c.goto(&format!("{facts_url}?form=crime_social_evils"))
            .await
            .unwrap();
        assert!(
            text_of(&browser, "#field-crimes_social_order .review-comment")
                .await
                .contains("Đối chiếu lại sổ tiếp nhận tin báo")
        );
        type_into(&browser, "#f\\.crimes_social_order", "1").await;
        browser
            .click_and_wait(Locator::Css("button[value=draft]"))
            .await;
        c.goto(&dossier).await.unwrap();
        browser
            .click_and_wait(Locator::Css("button[value=submit]"))
            .await;
        let diff = text_of(&browser, "table.diff").await;
        assert!(
            diff.contains("crime_social_evils.crimes_social_order")
                && diff.contains('3')
                && diff.contains('1'),
            "{diff}"
        );

        // District forwards; the province proposes recognition.
        as_user(&browser, &server, "ca.canglong").await;
        c.goto(&dossier).await.unwrap();
        browser
            .click_and_wait(Locator::Css("button[value=forward]"))
            .await;
        as_user(&browser, &server, "pv05.travinh").await;
        c.goto(&dossier).await.unwrap();
        c.find(Locator::Css("select[name=proposal]"))
            .await
            .unwrap()
            .select_by_value("recognise")
            .await
            .unwrap();
        browser
            .click_and_wait(Locator::Css("button[value=forward]"))
            .await;
        assert_eq!(text_of(&browser, "td.state").await, "đã đề nghị công nhận");

        // The classification list of the province, and the registrations counted per standard.
        c.goto(&server.url("/classification?province=84&year=2024"))
            .await
            .unwrap();
        let list = browser.body_text().await;
        assert!(list.contains("Xã An Trường"), "{list}");
        assert!(list.contains("đã đề nghị công nhận: 1"), "{list}");
        assert!(!list.contains("được công nhận: 1"), "{list}");
        c.goto(&server.url("/registrations?province=84&year=2024"))
            .await
            .unwrap();
        let registered = text_of(&browser, "p.notice").await;
        assert!(
            registered.contains(": 1 đơn vị (Cấp xã) đăng ký"),
            "{registered}"
        );

        // The chairman issues the decision from the list.
        as_user(&browser, &server, "ct.travinh").await;
        c.goto(&server.url("/classification?province=84&year=2024"))
            .await
            .unwrap();
        type_into(&browser, "input[name=number]", "15/QĐ-UBND").await;
        type_into(&browser, "input[name=signer]", "Nguyễn Thị Dung").await;
        browser
            .click_and_wait(Locator::Css("form.card button[type=submit]"))
            .await;
        let decision = browser.body_text().await;
        assert!(
            decision.contains("15/QĐ-UBND") && decision.contains("Xã An Trường"),
            "{decision}"
        );

        // The commune is recognised, and the province's counts changed.
        c.goto(&dossier).await.unwrap();
        assert_eq!(text_of(&browser, "td.state").await, "được công nhận");
        // The unit's own page shows the recognition beside the year and the standard.
        let unit_page = facts_url
            .as_str()
            .rsplit_once("/facts/")
            .unwrap()
            .0
            .to_owned();
        c.goto(&unit_page).await.unwrap();
        let recognised = text_of(&browser, "#dossiers + table td.recognised").await;
        assert!(recognised.contains("được công nhận"), "{recognised}");
        let title = c.title().await.unwrap();
        // The title is the unit's name only (the verdicts section once leaked into it).
        assert!(
            title.starts_with("Xã An Trường") && title.chars().count() < 60,
            "{title}"
        );
        c.goto(&server.url("/classification?province=84&year=2024"))
            .await
            .unwrap();
        let list = browser.body_text().await;
        assert!(list.contains("được công nhận: 1"), "{list}");
        assert!(!list.contains("đã đề nghị công nhận: 1"), "{list}");
        assert!(list.contains("15/QĐ-UBND"), "{list}");
        browser.close().await;
        drop(server);

        // The log of all this verifies, and an edited return is reported.
        let (ok, out, err) = run_cli(&db, &["audit", "verify"]);
        assert!(ok, "{out}\n{err}");
        execute_raw(
            &db.store,
            "UPDATE audit_entry SET details = '{}' WHERE action = 'dossier.return'",
        )
        .await
        .unwrap();
        let (ok, _, err) = run_cli(&db, &["audit", "verify"]);
        assert!(!ok);
        assert!(err.contains("NHẬT KÝ ĐÃ BỊ CAN THIỆP"), "{err}");
    }
);
