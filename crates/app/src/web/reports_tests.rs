//! The documents of `web::reports` downloaded through the router, on both databases: facts
//! entered through `service::facts`, a dossier recognised through `service::workflow`, a plan
//! imported through `service::plans`, on `service::fixture`'s map (Tỉnh Trà Vinh, its districts
//! Càng Long and Cầu Kè, Xã An Trường and Xã Hòa Ân). PDFs are read back with `pdftotext`,
//! workbooks with the report crate's reader (calamine) and opened by LibreOffice.

use axum::body::{Body, to_bytes};
use axum::http::{Request, header};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::diag::SourceFile;
use binhyen_core::standard::Registry;
use binhyen_report::xlsx::{Limits, Value, read_xlsx_table};
use binhyen_store::db_test;
use chrono::NaiveDate;
use serde_json::json;
use tower::ServiceExt;

use super::*;
use crate::service::fixture::{self, AN_TRUONG, HOA_AN, TRA_VINH};
use crate::service::workflow::{self as wfs, Law};
use crate::service::{Actor, Ctx, facts};
use crate::web::doc_checks::{flat, pdf_layout_text, pdf_text, soffice_csv};
use crate::web::router;

const PASSWORD: &str = "mật khẩu thử nghiệm";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Saves one form of `unit` for `year` through the facts service.
async fn enter(
    ctx: &Ctx<'_>,
    reg: &Registry,
    actor: &Actor,
    unit: UnitId,
    year: i32,
    group: FormGroup,
    values: serde_json::Value,
) {
    let serde_json::Value::Object(values) = values else {
        unreachable!()
    };
    let save = facts::SaveForm {
        unit,
        year,
        group,
        values,
        expected_version: 0,
        submit: false,
        reason: None,
        confirm_warnings: true,
        source: "test".into(),
    };
    facts::save(ctx, reg, actor, &save)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message("vi")));
}

async fn session(state: &AppState, login: &str, role: &str, unit: &str) -> (Actor, String) {
    let ctx = state.ctx();
    let actor = fixture::account(&ctx, login, PASSWORD, role, unit).await;
    let token = crate::service::sessions::login(
        &ctx,
        login,
        PASSWORD.into(),
        &binhyen_store::auth::Client::default(),
    )
    .await
    .unwrap();
    (actor, token)
}

/// GET `uri` with the session: status, content type, body.
async fn get(state: &AppState, uri: &str, session: &str) -> (u16, String, Vec<u8>) {
    let req = Request::get(uri)
        .header(
            header::COOKIE,
            format!("{}={session}", super::super::auth::SESSION_COOKIE),
        )
        .body(Body::empty())
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let mime = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(resp.into_body(), 100_000_000).await.unwrap();
    (status, mime, body.to_vec())
}

const PLAN: &str = r#"
[plan]
number = "12/KH-UBND"
date = 2024-01-15
issuer = "Ủy ban nhân dân tỉnh Trà Vinh"
scope = "84"
title = "Kế hoạch thực hiện tiêu chuẩn «An toàn về an ninh, trật tự» năm 2024"
legal_basis = ["124/2021/TT-BCA"]
source = "Kế hoạch thử nghiệm"

[[targets]]
id = "2024-xa"
text = "Năm 2024, phấn đấu 50% số xã đạt tiêu chuẩn «An toàn về an ninh, trật tự»"
cites = "Mục II.1"
year = 2024
standard = "antt-xa"
units = "commune"
share = 50
"#;

/// Trà Vinh in 2024: crimes of both years for both communes, a security event in Xã An
/// Trường (rule 5.2b not met), its dossier recognised by decision 15/QĐ-UBND, and a plan.
async fn tra_vinh_2024(store: &binhyen_store::Store) -> Setup {
    // Registration for 2024 is reopened until 31/03/2025 (review in Q1 2025).
    let state = fixture::review_q1_2025(store).await;
    let reg = state.registry.get();
    let ctx = state.ctx();
    let snapshot = state.atlas.get();
    let law = Law {
        registry: &reg,
        atlas: &snapshot,
    };
    let (xa, _) = session(&state, "congan.xa", "commune_police", "84201").await;
    let (xa2, _) = session(&state, "congan.xa2", "commune_police", "84301").await;
    let (huyen, _) = session(&state, "congan.huyen", "district_police", "842").await;
    let (pv05, pv05_session) = session(&state, "can.bo.pv05", "pv05", "84").await;
    let (ct, _) = session(&state, "chu.tich", "decider", "84").await;
    let (_, outside) = session(&state, "nguoi.ngoai", "viewer", "86").await;

    let dossier = wfs::register(&ctx, &xa, &reg, AN_TRUONG, 2024, "antt-xa")
        .await
        .unwrap();
    let crime = |n: i64| json!({ "crimes_social_order": n });
    for (who, unit, before, now) in [(&xa, AN_TRUONG, 1, 3), (&xa2, HOA_AN, 2, 2)] {
        enter(
            &ctx,
            &reg,
            who,
            unit,
            2023,
            FormGroup::CrimeSocialEvils,
            crime(before),
        )
        .await;
        enter(
            &ctx,
            &reg,
            who,
            unit,
            2024,
            FormGroup::CrimeSocialEvils,
            crime(now),
        )
        .await;
    }
    enter(
        &ctx,
        &reg,
        &xa,
        AN_TRUONG,
        2024,
        FormGroup::SecurityEvents,
        json!({ "security_events": [{ "date": "2024-05-10", "category": "e" }] }),
    )
    .await;
    fixture::recognise(
        &ctx,
        law,
        [&xa, &huyen, &pv05, &ct],
        dossier.id,
        "15/QĐ-UBND",
    )
    .await;
    let plan = plans::import(
        &ctx,
        &Actor::console(),
        &snapshot,
        &reg,
        &SourceFile::new("ke-hoach-12.toml", PLAN.to_owned()),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.message("vi")));
    Setup {
        state,
        pv05,
        inside: pv05_session,
        outside,
        plan: plan.row.id,
    }
}

/// The state, a PV05 officer of Trà Vinh (actor and session), a viewer of Vĩnh Long outside,
/// the plan's id.
struct Setup {
    state: AppState,
    pv05: Actor,
    inside: String,
    outside: String,
    plan: i64,
}

db_test!(the_yearly_summary_xlsx_has_one_row_per_unit, |store| {
    let setup = tra_vinh_2024(&store).await;
    let Setup {
        state,
        inside,
        outside,
        ..
    } = &setup;
    let (state, inside, outside) = (state, inside.as_str(), outside.as_str());
    let (status, mime, bytes) = get(state, "/reports/yearly.xlsx?scope=84&year=2024", inside).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(mime, XLSX);

    // The columns are the summary's (the standards judged in the scope).
    let (atlas, reg) = (state.atlas.get(), state.registry.get());
    let s = reports::yearly(&state.ctx(), &setup.pv05, &atlas, &reg, TRA_VINH, 2024)
        .await
        .unwrap();
    let columns = summary_columns(&s);
    let rows = read_xlsx_table(
        &bytes,
        &summary_sheet_name(2024),
        &columns,
        &Limits::default(),
    )
    .expect("the summary reads back");
    let codes: Vec<&Value> = rows.iter().map(|r| &r.values[1]).collect();
    for code in ["842", "84201", "843", "84301"] {
        assert!(
            codes.contains(&&Value::Text(code.into())),
            "{code}: {codes:?}"
        );
    }
    assert_eq!(
        rows.len(),
        4,
        "two districts and two communes, no residential area"
    );
    let col = |h: &str| {
        columns
            .iter()
            .position(|c| c.heading == h)
            .unwrap_or_else(|| panic!("{h}"))
    };
    let row = |code: &str| {
        rows.iter()
            .find(|r| r.values[1] == Value::Text(code.into()))
            .unwrap()
    };
    let an_truong = row("84201");
    assert_eq!(an_truong.values[2], Value::Text("Xã An Trường".into()));
    assert_eq!(
        an_truong.values[col("antt-xa: kết quả tự động")],
        Value::Text("Chưa đạt".into())
    );
    assert_eq!(
        an_truong.values[col("antt-xa: hồ sơ")],
        Value::Text("được công nhận".into())
    );
    assert_eq!(
        an_truong.values[col("antt-xa: công nhận")],
        Value::Text("Công nhận theo Quyết định số 15/QĐ-UBND ngày 10/02/2025".into())
    );
    let crimes = col("Tội phạm về trật tự xã hội năm 2024");
    let before = col("Tội phạm về trật tự xã hội năm 2023");
    assert_eq!(an_truong.values[crimes], Value::Integer(3));
    assert_eq!(an_truong.values[before], Value::Integer(1));
    // Hòa Ân never registered; the district's crimes are its communes' sum.
    assert_eq!(
        row("84301").values[col("antt-xa: hồ sơ")],
        Value::Text("chưa đăng ký".into())
    );
    assert_eq!(row("842").values[crimes], Value::Integer(3));
    assert_eq!(row("843").values[before], Value::Integer(2));

    let csv = soffice_csv(&bytes);
    assert!(csv.starts_with("STT,Mã đơn vị,Tên đơn vị,Loại"), "{csv}");
    assert!(
        csv.contains("Xã An Trường") && csv.contains("Huyện Cầu Kè"),
        "{csv}"
    );

    // Outside the view scope: refused, nothing of the province shown.
    let (status, _, body) = get(state, "/reports/yearly.xlsx?scope=84&year=2024", outside).await;
    assert_eq!(status, 403);
    assert!(!String::from_utf8_lossy(&body).contains("Xã An Trường"));
    // A bad year says which field and what is expected.
    let (status, _, body) = get(state, "/reports/yearly.xlsx?scope=84&year=20x4", inside).await;
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&body).contains("20x4"));
});

db_test!(the_yearly_report_pdf_keeps_every_diacritic, |store| {
    let setup = tra_vinh_2024(&store).await;
    let Setup {
        state,
        inside,
        outside,
        ..
    } = &setup;
    let (state, inside, outside) = (state, inside.as_str(), outside.as_str());
    let (status, mime, bytes) = get(state, "/reports/yearly.pdf?scope=84&year=2024", inside).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(mime, "application/pdf");
    // Table rows read line by line.
    let text = flat(&pdf_layout_text(&bytes));
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CÔNG AN TỈNH TRÀ VINH",
        "Trà Vinh, ngày 10 tháng 02 năm 2025",
        "Kết quả thực hiện tiêu chí an ninh, trật tự năm 2024",
        "I. KẾT QUẢ ĐÁNH GIÁ THEO TIÊU CHUẨN",
        // the plan's target as written, its actual share as documents write it
        "12/KH-UBND",
        "phấn đấu 50% số xã",
        // (pdftotext's no-break space is white space to `flat`)
        "1/2 (50 %)",
        // crimes: Càng Long 1 → 3
        "Huyện Càng Long 1 3 +2 dao động ngẫu nhiên",
        "Toàn địa bàn 3 5 +2",
        "Tỷ lệ đạt",
        // the unit not meeting and why
        "IV. ĐƠN VỊ CHƯA ĐẠT VÀ NGUYÊN NHÂN",
        "Xã An Trường antt-xa 5.2b",
        "Huyện Càng Long ntm-huyen-nc-9.1",
        "Không để xảy ra vụ việc tại khoản 3 Điều 4",
        "GIÁM ĐỐC",
    ] {
        assert!(text.contains(want), "«{want}» missing from: {text}");
    }
    let (status, _, _) = get(state, "/reports/yearly.pdf?scope=84&year=2024", outside).await;
    assert_eq!(status, 403);
});

db_test!(
    the_plan_progress_xlsx_shows_each_target_as_written,
    |store| {
        let setup = tra_vinh_2024(&store).await;
        let (state, inside, outside, plan) = (
            &setup.state,
            setup.inside.as_str(),
            setup.outside.as_str(),
            setup.plan,
        );
        let uri = format!("/plans/{plan}/export.xlsx");
        let (status, mime, bytes) = get(state, &uri, inside).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(mime, XLSX);
        let rows = read_xlsx_table(
            &bytes,
            &vi("reports.doc.plan_sheet", &[]),
            &plan_columns(),
            &Limits::default(),
        )
        .expect("the progress reads back");
        assert_eq!(rows.len(), 1);
        let v = &rows[0].values;
        assert_eq!(v[1], Value::Integer(2024));
        assert_eq!(v[2], Value::Text("2024-xa".into()));
        assert_eq!(
            v[3],
            Value::Text(
                "Năm 2024, phấn đấu 50% số xã đạt tiêu chuẩn «An toàn về an ninh, trật tự»".into()
            )
        );
        assert_eq!(v[4], Value::Text("Mục II.1".into()));
        assert_eq!(v[6], Value::Integer(2), "two communes counted");
        assert_eq!(v[7], Value::Date(day(2024, 12, 31)));
        assert_eq!(v[9], Value::Integer(1), "50 % of 2");
        assert_eq!(v[10], Value::Integer(1), "Xã An Trường recognised");
        assert_eq!(v[11], Value::Text("50\u{a0}%".into()));
        assert_eq!(v[12], Value::Integer(0), "no commune judged đạt");
        assert_eq!(v[13], Value::Text("0\u{a0}%".into()));
        assert_eq!(v[14], Value::Text("đạt".into()));
        let csv = soffice_csv(&bytes);
        assert!(csv.contains("2024-xa") && csv.contains("Mục II.1"), "{csv}");

        // The plan page links it; outside the plan's scope it does not exist.
        let (_, _, html) = get(state, &format!("/plans/{plan}"), inside).await;
        assert!(String::from_utf8_lossy(&html).contains(&uri));
        assert_eq!(get(state, &uri, outside).await.0, 404);
    }
);

db_test!(the_evaluation_sheet_pdf_explains_every_rule, |store| {
    let setup = tra_vinh_2024(&store).await;
    let Setup {
        state,
        inside,
        outside,
        ..
    } = &setup;
    let (state, inside, outside) = (state, inside.as_str(), outside.as_str());
    let uri = format!("/units/{AN_TRUONG}/evaluations/2024/pdf?standard=antt-xa");
    let (status, mime, bytes) = get(state, &uri, inside).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(mime, "application/pdf");
    let text = flat(&pdf_text(&bytes));
    // The sentence of rule 5.2b, as the unit page shows it (same evaluation).
    let (atlas, reg) = (state.atlas.get(), state.registry.get());
    let e = evaluation::evaluate_unit(&store, &atlas, &reg, AN_TRUONG, 2024, Some("antt-xa"), true)
        .await
        .unwrap()
        .remove(0);
    let sentence = e
        .rules
        .iter()
        .find(|r| r.id == "5.2b")
        .and_then(|r| r.sentence.as_ref())
        .unwrap()
        .get("vi")
        .to_owned();
    assert!(sentence.starts_with("Có 1 vụ việc"), "{sentence}");
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CÔNG AN HUYỆN CÀNG LONG",
        "CÔNG AN XÃ AN TRƯỜNG",
        "PHIẾU ĐÁNH GIÁ",
        "Xã An Trường (mã 84201), thuộc Huyện Càng Long",
        "Có 1 vụ việc thuộc các điểm a–g trên địa bàn xã",
        "Số vụ phạm tội về trật tự xã hội (Xã An Trường, năm 2024) = 3",
        "Chưa đủ dữ liệu",
        // provisional rules are marked and the mark explained
        "5.2c (*)",
        "Nội dung có dấu (*) là nội dung tạm thời",
        "Kết luận: Xã An Trường chưa đạt",
    ] {
        assert!(text.contains(want), "«{want}» missing from: {text}");
    }
    // The facts used, with who entered them.
    assert!(text.contains("nhập bởi Cán bộ congan.xa"), "{text}");

    // The unit page links the sheet beside the verdict.
    let (_, _, html) = get(state, &format!("/units/{AN_TRUONG}?year=2024"), inside).await;
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains(&uri), "{html}");

    assert_eq!(get(state, &uri, outside).await.0, 403);
    // A standard that does not judge a commune: 422 naming it.
    let bad = format!("/units/{AN_TRUONG}/evaluations/2024/pdf?standard=antt-kdc");
    let (status, _, body) = get(state, &bad, inside).await;
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&body).contains("antt-kdc"));
});

db_test!(the_reports_page_lists_the_downloads, |store| {
    let setup = tra_vinh_2024(&store).await;
    let (state, inside, outside, plan) = (
        &setup.state,
        setup.inside.as_str(),
        setup.outside.as_str(),
        setup.plan,
    );
    let (status, _, html) = get(state, "/reports?scope=84&year=2024", inside).await;
    assert_eq!(status, 200);
    let html = String::from_utf8_lossy(&html);
    for want in [
        "Văn bản và báo cáo — Tỉnh Trà Vinh, năm 2024",
        "/reports/yearly.xlsx?scope=84&#38;year=2024",
        "/reports/yearly.pdf?scope=84&#38;year=2024",
        "/classification/export.pdf?province=84&#38;year=2024&#38;standard=antt-xa",
        "/movement/export.xlsx?scope=84&#38;year=2024",
        "href=\"/reports\"",
    ] {
        assert!(html.contains(want), "«{want}» missing from: {html}");
    }
    assert!(html.contains(&format!("/plans/{plan}/export.xlsx")));
    assert_eq!(
        get(state, "/reports?scope=84&year=2024", outside).await.0,
        403
    );
});
