//! Test support: start the real `binhyen` binary on a fresh database (SQLite or PostgreSQL),
//! drive headless Chromium through chromedriver, and fetch raw HTTP responses.
//!
//! `browser_test!(name, |env| { … })` runs one body twice: on SQLite and on PostgreSQL.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use binhyen_store::testing::{self, TestDb};

pub const BIN: &str = env!("CARGO_BIN_EXE_binhyen");

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database for one test. `None` when PostgreSQL is not configured
/// (and not required).
pub async fn fresh_db(db: Db) -> Option<TestDb> {
    match db {
        Db::Sqlite => Some(testing::sqlite().await),
        Db::Postgres => testing::postgres().await,
    }
}

/// Runs `binhyen --database-url URL ARGS…` and returns its output.
pub fn binhyen_at(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("BINHYEN_LANG")
        .output()
        .expect("run binhyen")
}

/// Runs `scenario` with the URL of a scratch PostgreSQL database named `name_<pid>` on the server
/// of `TEST_PG_URL` (created before, dropped after). Without `TEST_PG_URL` it says so and returns,
/// unless `BINHYEN_REQUIRE_PG=1`, which makes that a failure.
pub fn on_scratch_postgres(name: &str, scenario: impl FnOnce(&str)) {
    use binhyen_store::{DatabaseUrl, Store};
    let Ok(base) = std::env::var("TEST_PG_URL") else {
        assert!(
            std::env::var("BINHYEN_REQUIRE_PG").as_deref() != Ok("1"),
            "TEST_PG_URL is required"
        );
        eprintln!("note: TEST_PG_URL not set; PostgreSQL half of this test skipped");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = DatabaseUrl::parse(&base).unwrap();
    let name = format!("{name}_{}", std::process::id());
    let url = rt
        .block_on(Store::create_postgres_database(&server, &name))
        .unwrap();
    scenario(url.expose());
    rt.block_on(Store::drop_postgres_database(&server, &name))
        .unwrap();
}

/// The standard output of a command that must have succeeded (its stderr otherwise).
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `binhyen ARGS…` against `db` and returns (exit success, stdout, stderr).
pub fn run_cli(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    run_cli_stdin(db, args, None)
}

pub fn run_cli_stdin(db: &TestDb, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    run_cli_env(db, args, stdin, &[])
}

/// [`run_cli_stdin`] with extra environment variables.
pub fn run_cli_env(
    db: &TestDb,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> (bool, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(BIN);
    cmd.envs(env.iter().copied());
    cmd.arg("--database-url").arg(db.url.expose()).args(args);
    cmd.env_remove("BINHYEN_LANG");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn binhyen");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().expect("wait binhyen");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `binhyen` server process; killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
    /// Everything the server printed on stdout up to the "running at" line (users, passwords…).
    pub banner: String,
}

impl Server {
    /// Starts `binhyen --database-url URL SUBCOMMAND --port 0 EXTRA…` (e.g. `serve` or `demo`)
    /// and waits until it prints its address.
    pub fn start(db: &TestDb, subcommand: &str, extra: &[&str]) -> Server {
        Server::start_with_env(db, subcommand, extra, &[])
    }

    /// [`Server::start`] with extra environment variables (e.g. `BINHYEN_CLOCK`).
    pub fn start_with_env(
        db: &TestDb,
        subcommand: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.envs(env.iter().copied());
        cmd.arg("--database-url")
            .arg(db.url.expose())
            .arg(subcommand)
            .arg("--port")
            .arg("0")
            .args(extra)
            .env_remove("BINHYEN_LANG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn binhyen server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut banner = String::new();
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    banner.push_str(&line);
                    banner.push('\n');
                    if let Some(i) = line.find("http://") {
                        let url = line[i..]
                            .split_whitespace()
                            .next()
                            .unwrap()
                            .trim_end_matches('/')
                            .to_owned();
                        let _ = tx.send((url, banner.clone()));
                        sent = true;
                    }
                }
            }
        });
        let (base, banner) = rx
            .recv_timeout(Duration::from_secs(600))
            .expect("server did not start");
        Server {
            child,
            base,
            banner,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver + a headless Chromium session.
pub struct Browser {
    pub client: fantoccini::Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. `None` when chromedriver is not installed and
    /// `BINHYEN_REQUIRE_BROWSER` is not `1`.
    pub async fn start() -> Option<Browser> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_bin) = driver_bin else {
            if std::env::var("BINHYEN_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("BINHYEN_REQUIRE_BROWSER=1 but chromedriver is not installed");
            }
            eprintln!("note: chromedriver not installed; browser test skipped");
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }))
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match fantoccini::ClientBuilder::rustls()
                .expect("rustls")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start Chromium through chromedriver: {e}"),
            }
        };
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Text of the whole page body.
    pub async fn body_text(&self) -> String {
        self.client
            .find(fantoccini::Locator::Css("body"))
            .await
            .expect("body")
            .text()
            .await
            .expect("body text")
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A raw HTTP response from [`http_get`].
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 GET against our own server (downloads, headers), with an optional
/// `Cookie` header. No redirects followed.
pub async fn http_get(url: &str, cookie: Option<&str>) -> Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("http head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

impl Browser {
    /// Signs in through the login page of `server` and waits for the next page.
    pub async fn sign_in(&self, server: &Server, login: &str, password: &str) {
        use fantoccini::Locator;
        let c = &self.client;
        c.goto(&server.url("/login")).await.unwrap();
        c.find(Locator::Id("login"))
            .await
            .unwrap()
            .send_keys(login)
            .await
            .unwrap();
        c.find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        self.click_and_wait(Locator::Css("form button[type=submit]"))
            .await;
    }

    /// Clicks the element `locator` finds and waits until the browser has left the page it was on
    /// and the next one has loaded, so what the test reads next is the new page.
    pub async fn click_and_wait(&self, locator: fantoccini::Locator<'_>) {
        use fantoccini::Locator;
        let c = &self.client;
        let old = c.find(Locator::Css("html")).await.expect("html");
        c.find(locator)
            .await
            .expect("element to click")
            .click()
            .await
            .expect("click");
        let deadline = Instant::now() + Duration::from_secs(30);
        // Any error reading the old root means it is gone (a stale element).
        while old.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "the page did not change after the click"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        loop {
            let state = c.execute("return document.readyState", vec![]).await;
            if matches!(state, Ok(serde_json::Value::String(ref s)) if s == "complete") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the next page did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Runs one async browser-test body on SQLite and on PostgreSQL:
/// `browser_test!(name, |db, kind| { … })` where `db: TestDb` and `kind: Db`.
#[macro_export]
macro_rules! browser_test {
    ($name:ident, |$db:ident, $kind:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: binhyen_store::testing::TestDb, $kind: $crate::support::Db) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::fresh_db($crate::support::Db::Sqlite).await.unwrap();
                body(db, $crate::support::Db::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::support::fresh_db($crate::support::Db::Postgres).await else {
                    return;
                };
                body(db, $crate::support::Db::Postgres).await;
            }
        }
    };
}
