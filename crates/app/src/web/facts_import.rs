//! Importing facts from a spreadsheet in the browser, as background jobs with a progress page.
//!
//! `POST /facts/import` with a file starts a *check* job (`sheet::plan`: every value, unit,
//! scope and lock) and redirects to `GET /facts/import/{job}`, which refreshes itself every
//! second (a meta refresh: no JavaScript needed) and shows how far the job is, then the
//! problems or the preview of every change. `POST /facts/import` with the job's id starts the
//! *write* job on the same file (checked again, then `sheet::commit`: one transaction, all or
//! nothing) and the same page reports when it is done. A job belongs to the user who started
//! it and is forgotten 30 minutes after its upload.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use binhyen_core::text::format_int;

use super::auth::CurrentUser;
use super::csrf::Csrf;
use super::facts::{field_label, this_year};
use super::{AppState, Tr};
use crate::service::Actor;
use crate::service::facts::{self as svc, FactsError, sheet};

/// How long an uploaded file and its job are kept.
const KEEP: Duration = Duration::from_secs(1800);

/// Where a job is.
#[derive(Clone, Debug)]
enum Phase {
    Checking,
    /// Checked: the plan waits for "commit".
    Checked(Arc<sheet::Plan>),
    /// Refused by the check (or by the write): the problems, in Vietnamese and English.
    Refused(Vec<(String, String)>),
    Writing,
    /// Written: changes and forms.
    Written(usize, usize),
    /// The write was refused: the plan, the message (vi, en), and whether a reason is what is
    /// missing (the plan is shown again to give one).
    WriteFailed(Arc<sheet::Plan>, String, String, bool),
}

/// One uploaded file and what is being done with it.
struct Job {
    user: String,
    name: String,
    year: i32,
    bytes: Vec<u8>,
    at: Instant,
    done: AtomicU64,
    total: AtomicU64,
    phase: Mutex<Phase>,
}

impl Job {
    fn phase(&self) -> Phase {
        self.phase.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, p: Phase) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }

    fn progress(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }
}

fn jobs() -> &'static Mutex<HashMap<String, Arc<Job>>> {
    static J: OnceLock<Mutex<HashMap<String, Arc<Job>>>> = OnceLock::new();
    J.get_or_init(Default::default)
}

/// The job `id` of `login`, if it is still kept.
fn job(id: &str, login: &str) -> Option<Arc<Job>> {
    let mut all = jobs().lock().unwrap_or_else(|e| e.into_inner());
    all.retain(|_, j| j.at.elapsed() < KEEP);
    all.get(id).filter(|j| j.user == login).cloned()
}

pub struct PreviewLine {
    pub unit: String,
    pub form: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts/import.html")]
pub struct ImportPage {
    pub tr: Tr,
    pub csrf: Csrf,
    pub year: i32,
    pub problems: Vec<String>,
    pub preview: Vec<PreviewLine>,
    pub summary: Option<String>,
    /// The job whose plan waits for "commit" (empty: show the upload form).
    pub token: String,
    pub done: Option<String>,
    pub needs_reason: bool,
    /// A job is running: what it does and how far it is; the page refreshes itself.
    pub progress: Option<String>,
}

impl ImportPage {
    fn new(tr: Tr, user: &CurrentUser, year: i32) -> ImportPage {
        ImportPage {
            tr,
            csrf: user.csrf.clone(),
            year,
            problems: vec![],
            preview: vec![],
            summary: None,
            token: String::new(),
            done: None,
            needs_reason: false,
            progress: None,
        }
    }
}

/// `GET /facts/import`: the upload form.
pub async fn import_page(State(state): State<AppState>, user: CurrentUser) -> Response {
    ImportPage::new(Tr { lang: user.lang }, &user, this_year(&state)).into_response()
}

/// `POST /facts/import`: a file starts a check job, a job id starts its write job; both
/// redirect to the job's page.
pub async fn import_post(
    State(state): State<AppState>,
    user: CurrentUser,
    mut mp: Multipart,
) -> Response {
    let tr = Tr { lang: user.lang };
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(f)) = mp.next_field().await {
        let name = f.name().unwrap_or_default().to_owned();
        if name == "file" {
            let fname = f.file_name().unwrap_or("upload.xlsx").to_owned();
            match f.bytes().await {
                Ok(b) if !b.is_empty() => file = Some((fname, b.to_vec())),
                _ => {}
            }
        } else if let Ok(v) = f.text().await {
            fields.insert(name, v);
        }
    }
    let year = fields
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or_else(|| this_year(&state));
    let refuse = |key: &str| {
        let mut page = ImportPage::new(tr, &user, year);
        page.problems.push(tr.t(key));
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let login = user.actor.login.clone();
    let token = fields.get("token").cloned().unwrap_or_default();
    let (id, job, commit) = if !token.is_empty() && file.is_none() {
        match job(&token, &login) {
            Some(j) if matches!(j.phase(), Phase::Checked(_) | Phase::WriteFailed(..)) => {
                (token, j, true)
            }
            _ => return refuse("facts.import.expired"),
        }
    } else if let Some((name, bytes)) = file {
        let id = hex::encode(rand::random::<[u8; 16]>());
        let j = Arc::new(Job {
            user: login,
            name,
            year,
            bytes,
            at: Instant::now(),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            phase: Mutex::new(Phase::Checking),
        });
        jobs()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), j.clone());
        (id, j, false)
    } else {
        return refuse("facts.import.no_file");
    };
    let reason = fields.get("reason").cloned();
    job.set(if commit {
        Phase::Writing
    } else {
        Phase::Checking
    });
    job.progress(0, 0);
    tokio::spawn(run(state, user.actor.clone(), job, commit, reason));
    Redirect::to(&format!("/facts/import/{id}")).into_response()
}

/// Checks the job's file and, for a commit, writes it; the outcome goes into the job's phase.
async fn run(state: AppState, actor: Actor, job: Arc<Job>, commit: bool, reason: Option<String>) {
    let reg = state.registry.get();
    let atlas = state.atlas.get();
    let ctx = state.ctx();
    let progress = |done: u64, total: u64| job.progress(done, total);
    let file = sheet::File {
        name: &job.name,
        bytes: &job.bytes,
        max_bytes: sheet::WEB_MAX_BYTES,
    };
    let plan = sheet::plan(&ctx, &reg, &actor, &atlas, &file, job.year, &progress).await;
    let plan = match plan {
        Ok(p) => p,
        Err(e) => {
            let problems = e
                .problems
                .iter()
                .map(|p| (p.to_string(), p.english()))
                .collect();
            return job.set(Phase::Refused(problems));
        }
    };
    if !commit {
        return job.set(Phase::Checked(Arc::new(plan)));
    }
    job.progress(0, 0);
    match sheet::commit(&ctx, &actor, &plan, reason.as_deref(), &progress).await {
        Ok(n) => job.set(Phase::Written(n, plan.forms.len())),
        Err(e) => job.set(Phase::WriteFailed(
            Arc::new(plan),
            e.message("vi"),
            e.message("en"),
            matches!(e, FactsError::ReasonRequired { .. }),
        )),
    }
}

/// `GET /facts/import/{job}`: how far the job is (refreshing), or its outcome.
pub async fn job_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let en = tr.code() == "en";
    let Some(job) = job(&id, &user.actor.login) else {
        let mut page = ImportPage::new(tr, &user, this_year(&state));
        page.problems.push(tr.t("facts.import.expired"));
        return (StatusCode::NOT_FOUND, page).into_response();
    };
    let mut page = ImportPage::new(tr, &user, job.year);
    let counted = |key: &str| {
        let (done, total) = (
            job.done.load(Ordering::Relaxed),
            job.total.load(Ordering::Relaxed),
        );
        let mut s = super::facts::t(&tr, key, &[("file", job.name.clone())]);
        if total > 0 {
            s.push_str(&format!(
                " {} / {}",
                format_int(done as i64),
                format_int(total as i64)
            ));
        }
        s
    };
    match job.phase() {
        Phase::Checking => page.progress = Some(counted("facts.import.checking")),
        Phase::Writing => page.progress = Some(counted("facts.import.writing")),
        Phase::Refused(list) => {
            page.problems = list
                .into_iter()
                .map(|(vi, e)| if en { e } else { vi })
                .collect();
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
        Phase::Written(changes, forms) => {
            page.done = Some(super::facts::t(
                &tr,
                "facts.import.done",
                &[
                    ("changes", format_int(changes as i64)),
                    ("forms", format_int(forms as i64)),
                ],
            ));
        }
        Phase::Checked(plan) => show_plan(&state, &tr, &mut page, &plan, &id),
        Phase::WriteFailed(plan, vi, e, needs_reason) => {
            // The plan is shown again so that a reason can be given.
            page.problems.push(if en { e } else { vi });
            show_plan(&state, &tr, &mut page, &plan, &id);
            page.needs_reason |= needs_reason;
        }
    }
    page.into_response()
}

/// The preview of a checked plan and the commit form.
fn show_plan(state: &AppState, tr: &Tr, page: &mut ImportPage, plan: &sheet::Plan, id: &str) {
    page.token = id.to_owned();
    page.needs_reason = plan.forms.iter().any(|f| f.status == svc::SUBMITTED);
    page.summary = Some(super::facts::t(
        tr,
        "facts.import.summary",
        &[
            ("values", format_int(plan.values_read as i64)),
            ("changes", format_int(plan.change_count() as i64)),
            ("forms", format_int(plan.forms.len() as i64)),
        ],
    ));
    let year = plan.year;
    page.preview = plan
        .forms
        .iter()
        .flat_map(|f| {
            f.changes.iter().map(move |c| PreviewLine {
                unit: format!("{} ({})", f.name, f.code),
                form: f.group.label(tr.code()),
                field: field_label(state, &c.field, year, tr),
                old: c.old.clone().unwrap_or_else(|| "—".into()),
                new: c.new.clone().unwrap_or_else(|| "—".into()),
            })
        })
        .take(2000)
        .collect();
}
