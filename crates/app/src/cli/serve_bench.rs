//! `binhyen bench serve [--clients 64] [--requests 25] [--province 84] [--year 2024]`: the web
//! server in this process on loopback, `--clients` concurrent clients each sending
//! `--requests` GETs in turn (one connection per request) to the national and the province
//! dashboards, the province map, the classification list and the movement statistics (page
//! and xlsx), signed in as two bench viewers (the country; Tỉnh Vĩnh Long). Then the PDF
//! classification list of the commune-richest province of the year (evaluation + layout), and
//! the yearly report PDF and summary xlsx of `--province`. Prints p50/p95/p99 and requests per
//! second.
//!
//! Run it on the synthetic national dataset (`binhyen generate`); accounts `bench.toanquoc`
//! and `bench.vinhlong` are created when missing.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use binhyen_core::units::UnitKind;
use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::bench::ms;
use super::serve::{ServeArgs, prepare};
use crate::config::GlobalOpts;
use crate::service::boundaries::communes_on;
use crate::service::evaluation::{evaluate_scope, map_date};
use crate::service::users::{self, GrantSpec, NewAccount};
use crate::service::{Actor, ServiceError, sessions};
use crate::web;

#[derive(Args, Debug, Clone)]
pub struct ServeBench {
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Requests per client and page.
    #[arg(long, default_value_t = 25)]
    pub requests: usize,
    /// The province of the province pages (its code on the year's map).
    #[arg(long, default_value = "84")]
    pub province: String,
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Only the pages whose label contains one of these words (e.g. `map,list`).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

const PASSWORD: &str = "bench-serve-password";

async fn session(state: &web::AppState, login: &str, unit: &str) -> anyhow::Result<String> {
    let ctx = state.ctx();
    let console = Actor::console();
    if let Err(ServiceError::Invalid { .. }) = users::get_by_login(&ctx, &console, login).await {
        users::create(
            &ctx,
            &console,
            NewAccount {
                login: login.to_owned(),
                display_name: format!("Bench {login}"),
                password: Some(PASSWORD.to_owned()),
                grant: GrantSpec {
                    role: "viewer".into(),
                    unit: unit.into(),
                    view: None,
                },
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    }
    let client = binhyen_store::auth::Client {
        ip: Some(format!("127.0.0.{}", login.len())),
        user_agent: Some("binhyen bench serve".into()),
    };
    let token = sessions::login(&ctx, login, PASSWORD.to_owned(), &client)
        .await
        .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    Ok(format!("binhyen_session={token}"))
}

/// One GET on a fresh connection: (status, body length, time).
async fn get(addr: SocketAddr, path: &str, cookie: &str) -> anyhow::Result<(u16, usize, Duration)> {
    let t = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let status = std::str::from_utf8(buf.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    Ok((status, buf.len(), t.elapsed()))
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub async fn run(g: &GlobalOpts, b: ServeBench) -> anyhow::Result<()> {
    let serve = ServeArgs {
        port: 0,
        bind: [127, 0, 0, 1].into(),
        secure_cookies: false,
        standards: Default::default(),
    };
    let state = prepare(g, &serve).await?;
    let atlas = state.atlas.get();
    let national = session(&state, "bench.toanquoc", "VN").await?;
    let province = session(&state, "bench.vinhlong", "86").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let y = b.year;
    let p = &b.province;
    let pages = [
        (
            "national dashboard",
            format!("/dashboard?year={y}"),
            &national,
        ),
        (
            "province dashboard",
            format!(
                "/dashboard?year={y}&scope={}",
                atlas
                    .find_code(p, map_date(&atlas, None, y))
                    .unwrap_or_default()
            ),
            &province,
        ),
        (
            "province map (status)",
            format!("/map?scope={p}&year={y}"),
            &province,
        ),
        (
            "classification list (HTML)",
            format!("/classification?province={p}&year={y}&standard=ntm-xa-19.2"),
            &province,
        ),
        (
            "movement statistics (HTML)",
            format!("/movement?scope={p}&year={y}"),
            &province,
        ),
        (
            "movement statistics (xlsx)",
            format!("/movement/export.xlsx?scope={p}&year={y}"),
            &province,
        ),
    ];
    println!(
        "| page | first request ms | clients × requests | p50 ms | p95 ms | p99 ms | requests/s | bytes |\n|---|---|---|---|---|---|---|---|"
    );
    let chosen =
        |label: &str| b.only.is_empty() || b.only.iter().any(|w| label.contains(w.as_str()));
    for (label, path, cookie) in pages.iter().filter(|p| chosen(p.0)) {
        // one warm-up request: the first evaluation at this revision, memoised for the rest
        let (status, _, first) = get(addr, path, cookie).await?;
        anyhow::ensure!(status == 200, "{label}: HTTP {status} for {path}");
        let t = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..b.clients {
            let (path, cookie) = (path.clone(), (*cookie).clone());
            let n = b.requests;
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::with_capacity(n);
                for _ in 0..n {
                    out.push(get(addr, &path, &cookie).await);
                }
                out
            }));
        }
        let mut times = Vec::new();
        let mut bytes = 0;
        for task in tasks {
            for r in task.await? {
                let (status, len, d) = r?;
                anyhow::ensure!(status == 200, "{label}: HTTP {status}");
                bytes = len;
                times.push(d);
            }
        }
        let wall = t.elapsed();
        times.sort();
        println!(
            "| {label} | {} | {} × {} | {} | {} | {} | {:.0} | {bytes} |",
            ms(first),
            b.clients,
            b.requests,
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.95)),
            ms(pct(&times, 0.99)),
            times.len() as f64 / wall.as_secs_f64()
        );
    }
    pdf_list(&state, y).await?;
    pdf_yearly(&state, p, y).await
}

/// The province's yearly report (`/reports/yearly.pdf`) and summary by unit
/// (`/reports/yearly.xlsx`) of `--province`: the figures (one scope evaluation, the plans, the
/// crime table), then the Decree 30 layout and the workbook.
async fn pdf_yearly(state: &web::AppState, code: &str, year: i32) -> anyhow::Result<()> {
    let atlas = state.atlas.get();
    let reg = state.registry.get();
    let province = atlas
        .find_code(code, map_date(&atlas, None, year))
        .ok_or_else(|| anyhow::anyhow!("no unit {code} on the map of {year}"))?;
    let ctx = state.ctx();
    let t = Instant::now();
    let figures = crate::service::reports::yearly_report(
        &ctx,
        &Actor::console(),
        &atlas,
        &reg,
        province,
        year,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    let computed = t.elapsed();
    let t2 = Instant::now();
    let doc = web::reports::yearly_document(&figures, &atlas, ctx.today()).document();
    let pdf =
        tokio::task::spawn_blocking(move || web::workflow_export::engine().render(&doc)).await??;
    let rendered = t2.elapsed();
    let t3 = Instant::now();
    let xlsx = binhyen_report::xlsx::write(&web::reports::summary_workbook(&figures.summary))?;
    let written = t3.elapsed();
    println!(
        "PDF yearly report of {} ({} districts and communes, {} evaluations, {} plans, {year}): figures {} ms + layout {} ms = {} ms, {} bytes; summary xlsx {} ms, {} bytes",
        figures.summary.scope_name,
        figures.summary.rows.len(),
        figures.summary.evaluations.len(),
        figures.plans.len(),
        ms(computed),
        ms(rendered),
        ms(t.elapsed()),
        pdf.bytes.len(),
        ms(written),
        xlsx.len()
    );
    Ok(())
}

/// The PDF classification list of the province with the most communes on the year's map:
/// computed verdicts of indicator 19.2 and the Decree 30 layout.
async fn pdf_list(state: &web::AppState, year: i32) -> anyhow::Result<()> {
    use binhyen_report::pdf::classification::{ClassificationList, ClassificationRow};
    let atlas = state.atlas.get();
    let date = map_date(&atlas, None, year);
    let (province, communes) = atlas
        .roots(date)
        .into_iter()
        .filter(|p| atlas.unit(*p).is_some_and(|u| u.kind == UnitKind::Province))
        .map(|p| (p, communes_on(&atlas, date, Some(p)).len()))
        .max_by_key(|x| x.1)
        .ok_or_else(|| anyhow::anyhow!("no provinces on the map"))?;
    let name = atlas
        .version_at(province, date)
        .map(|v| v.name.clone())
        .unwrap_or_default();
    let reg = state.registry.get();
    let t = Instant::now();
    let evals = evaluate_scope(
        &state.store,
        &atlas,
        &reg,
        Some(province),
        year,
        Some("ntm-xa-19.2"),
        false,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message("en")))?;
    let evaluated = t.elapsed();
    let list = ClassificationList {
        kind: "Danh sách".into(),
        title: format!("Phân loại xã theo chỉ tiêu 19.2 năm {year} — {name}"),
        rows: evals
            .iter()
            .map(|e| ClassificationRow {
                group: Some(name.clone()),
                code: e.unit.code.clone(),
                name: e.unit.name.clone(),
                computed: e.verdict_text.get("vi").to_owned(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let t2 = Instant::now();
    let pdf = tokio::task::spawn_blocking(move || {
        web::workflow_export::engine().render(&list.document())
    })
    .await??;
    let rendered = t2.elapsed();
    println!(
        "\nPDF classification list of {name} ({communes} communes, {} rows judged, {year}): evaluation {} ms + layout {} ms = {} ms, {} bytes",
        evals.len(),
        ms(evaluated),
        ms(rendered),
        ms(t.elapsed()),
        pdf.bytes.len()
    );
    Ok(())
}
