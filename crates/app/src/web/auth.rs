//! Signing in on the web: the login page, the session cookie, the [`CurrentUser`] extractor,
//! logout, and "my sessions" (sessions and personal API tokens, with revoke buttons).
//!
//! Every handler that shows or changes data takes a [`CurrentUser`]: HTML requests without a
//! valid session are redirected to `/login?next=…`, `/api/…` requests get a 401 JSON answer.
//! `/api/…` also accepts `Authorization: Bearer byt_…` (a personal API token).

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use binhyen_store::auth::Client;
use serde::Deserialize;

use super::csrf::Csrf;
use super::i18n::lang_from_headers;
use super::{AppState, Tr};
use crate::clock::format_time;
use crate::config::Lang;
use crate::service::{Actor, ServiceError, sessions};

/// The session cookie: the raw 256-bit token, hex.
pub const SESSION_COOKIE: &str = "binhyen_session";
/// A random value set before login so the login form has a CSRF token too.
pub const PRE_COOKIE: &str = "binhyen_pre";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account/sessions", get(sessions_page))
        .route("/account/sessions/{id}/revoke", post(revoke_session))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::cookie::CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

fn set_cookie(resp: &mut Response, name: &str, value: &str, max_age: Option<i64>, secure: bool) {
    let mut c = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/");
    if let Some(s) = max_age {
        c.push_str(&format!("; Max-Age={s}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The peer address of the connection, when the server records it (`serve` does; router tests
/// may insert a `ConnectInfo` themselves).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Where the request came from: the peer address and the browser's own description.
pub fn client_of(headers: &HeaderMap, peer: Peer) -> Client {
    Client {
        ip: peer.0.map(|a| a.ip().to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect()),
    }
}

/// A local path to return to after login; anything else becomes `/`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a path and query for a `next=` parameter.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ------------------------------------------------------------------ pages for failures

#[derive(Template, WebTemplate)]
#[template(path = "auth/error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub title: String,
    pub message: String,
}

/// A refusal as a Vietnamese (or English) page, or as JSON for `/api/…`.
pub fn failure_page(lang: Lang, status: StatusCode, message: String, api: bool) -> Response {
    if api {
        return (status, Json(serde_json::json!({ "error": message }))).into_response();
    }
    let tr = Tr { lang };
    let title = tr.t(&format!("error.status.{}", status.as_u16()));
    (status, ErrorPage { tr, title, message }).into_response()
}

/// A [`ServiceError`] as a response with the right status.
pub struct WebError {
    pub lang: Lang,
    pub api: bool,
    pub error: ServiceError,
}

/// The HTTP status of a service error.
pub fn status_of(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::Denied(_) => StatusCode::FORBIDDEN,
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict { .. } => StatusCode::CONFLICT,
        ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Db(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.error, ServiceError::Db(_) | ServiceError::Internal(_)) {
            tracing::error!(error = %self.error, "service failure");
        }
        let status = status_of(&self.error);
        failure_page(
            self.lang,
            status,
            self.error.message(self.lang.code()),
            self.api,
        )
    }
}

// ------------------------------------------------------------------ the signed-in user

/// The signed-in user of a request. See the module documentation.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub actor: Actor,
    /// The session behind the request (`None` for an API token).
    pub session_id: Option<i64>,
    /// For forms on the page: `{{ user.csrf }}`.
    pub csrf: Csrf,
    pub lang: Lang,
}

impl CurrentUser {
    /// A service error of this user's request, as a response.
    pub fn fail(&self, error: ServiceError) -> WebError {
        WebError {
            lang: self.lang,
            api: false,
            error,
        }
    }
}

/// Why [`CurrentUser`] could not be extracted.
pub enum AuthRejection {
    /// Not signed in: redirect (HTML) or 401 (API).
    SignIn {
        api: bool,
        next: String,
        lang: Lang,
    },
    Failed(WebError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignIn {
                api: true, lang, ..
            } => {
                let msg = rust_i18n::t!("auth.api_unauthenticated", locale = lang.code());
                (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    Json(serde_json::json!({ "error": msg })),
                )
                    .into_response()
            }
            AuthRejection::SignIn { next, .. } => {
                Redirect::to(&format!("/login?next={}", encode_component(&next))).into_response()
            }
            AuthRejection::Failed(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CurrentUser, AuthRejection> {
        let lang = lang_from_headers(&parts.headers);
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        let api = uri.path().starts_with("/api/");
        let ctx = state.ctx();
        let failed = |error| AuthRejection::Failed(WebError { lang, api, error });
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let session_cookie = cookie(&parts.headers, SESSION_COOKIE);
        let signed = match (api, bearer, &session_cookie) {
            (true, Some(token), _) => sessions::by_api_token(&ctx, token).await.map_err(failed)?,
            (_, _, Some(raw)) => sessions::by_session_token(&ctx, raw)
                .await
                .map_err(failed)?,
            _ => None,
        };
        match signed {
            Some(s) => Ok(CurrentUser {
                actor: s.actor,
                session_id: s.session.map(|s| s.id),
                csrf: session_cookie
                    .map(|c| Csrf::for_cookie(&c))
                    .unwrap_or_default(),
                lang,
            }),
            None => Err(AuthRejection::SignIn {
                api,
                next: uri
                    .path_and_query()
                    .map_or("/".to_owned(), |p| p.as_str().to_owned()),
                lang,
            }),
        }
    }
}

/// Pages open to everyone that show more to a signed-in user (`Option<CurrentUser>`): not
/// signed in is `None`; a failure to read the session is still an error.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<CurrentUser>, AuthRejection> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(u) => Ok(Some(u)),
            Err(AuthRejection::SignIn { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

// ------------------------------------------------------------------ login and logout

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub tr: Tr,
    pub csrf: Csrf,
    pub next: String,
    pub login: String,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /login`: the form. Sets the pre-session cookie the form's CSRF token is bound to.
async fn login_page(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let (csrf, fresh) = match Csrf::from_headers(&headers) {
        Some(c) => (c, None),
        None => {
            let pre = sessions::new_token();
            (Csrf::for_cookie(&pre), Some(pre))
        }
    };
    let mut resp = LoginPage {
        tr,
        csrf,
        next: safe_next(q.next.as_deref()),
        login: String::new(),
        error: None,
    }
    .into_response();
    if let Some(pre) = fresh {
        set_cookie(
            &mut resp,
            PRE_COOKIE,
            &pre,
            Some(86_400),
            state.secure_cookies,
        );
    }
    resp
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`.
async fn login_submit(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    peer: Peer,
    Form(f): Form<LoginForm>,
) -> Response {
    let ctx = state.ctx();
    let client = client_of(&headers, peer);
    match sessions::login(&ctx, &f.login, f.password, &client).await {
        Ok(token) => {
            let mut resp = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            set_cookie(
                &mut resp,
                SESSION_COOKIE,
                &token,
                None,
                state.secure_cookies,
            );
            resp
        }
        Err(e) => {
            let page = LoginPage {
                tr,
                csrf: Csrf::from_headers(&headers).unwrap_or_default(),
                next: safe_next(f.next.as_deref()),
                login: f.login.trim().to_owned(),
                error: Some(e.message(tr.code())),
            };
            (status_of(&e), page).into_response()
        }
    }
}

/// `POST /logout`: revokes the session and clears the cookie.
async fn logout(State(state): State<AppState>, user: CurrentUser) -> Response {
    if let Some(id) = user.session_id
        && let Err(e) = sessions::logout(&state.ctx(), &user.actor, id).await
    {
        return user.fail(e).into_response();
    }
    let mut resp = Redirect::to("/login").into_response();
    set_cookie(&mut resp, SESSION_COOKIE, "", Some(0), state.secure_cookies);
    resp
}

// ------------------------------------------------------------------ my sessions and tokens

pub struct SessionRow {
    pub id: i64,
    pub current: bool,
    pub created: String,
    pub last_seen: String,
    pub expires: String,
    pub ip: String,
    pub user_agent: String,
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/sessions.html")]
pub struct SessionsPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub sessions: Vec<SessionRow>,
    pub tokens: Vec<TokenRow>,
    /// A token just created, shown once.
    pub new_token: Option<String>,
}

async fn render_sessions(
    state: &AppState,
    user: CurrentUser,
    new_token: Option<String>,
) -> Result<SessionsPage, WebError> {
    let ctx = state.ctx();
    let sessions = sessions::my_sessions(&ctx, &user.actor)
        .await
        .map_err(|e| user.fail(e))?;
    let tokens = sessions::my_api_tokens(&ctx, &user.actor)
        .await
        .map_err(|e| user.fail(e))?;
    let never = Tr { lang: user.lang }.t("auth.never");
    Ok(SessionsPage {
        tr: Tr { lang: user.lang },
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id,
                current: Some(s.id) == user.session_id,
                created: format_time(s.created_at),
                last_seen: format_time(s.last_seen_at),
                expires: format_time(s.expires_at),
                ip: s.ip.unwrap_or_default(),
                user_agent: s.user_agent.unwrap_or_default(),
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                created: format_time(t.created_at),
                last_used: t.last_used_at.map_or_else(|| never.clone(), format_time),
            })
            .collect(),
        new_token,
        user,
    })
}

/// `GET /account/sessions`.
async fn sessions_page(State(state): State<AppState>, user: CurrentUser) -> Response {
    match render_sessions(&state, user, None).await {
        Ok(p) => p.into_response(),
        Err(e) => e.into_response(),
    }
}

/// After a revocation: back to "my sessions", or the error.
fn back_to_sessions(user: CurrentUser, result: Result<(), ServiceError>) -> Response {
    match result {
        Ok(()) => Redirect::to("/account/sessions").into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

async fn revoke_session(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let r = sessions::revoke_own_session(&state.ctx(), &user.actor, id).await;
    back_to_sessions(user, r)
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<TokenForm>,
) -> Response {
    match sessions::create_api_token(&state.ctx(), &user.actor, &f.name).await {
        Ok((_, raw)) => match render_sessions(&state, user, Some(raw)).await {
            Ok(p) => (StatusCode::CREATED, p).into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => user.fail(e).into_response(),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let r = sessions::revoke_api_token(&state.ctx(), &user.actor, id).await;
    back_to_sessions(user, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn next_never_leaves_the_site(s in "\\PC{0,40}") {
            let n = safe_next(Some(&s));
            prop_assert!(n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'));
            prop_assert!(n == "/" || n == s);
        }
    }

    #[test]
    fn next_is_kept_local() {
        assert_eq!(safe_next(Some("/admin/users?x=1")), "/admin/users?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "admin",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(encode_component("/a b?x=đ&y"), "/a%20b%3Fx%3D%C4%91%26y");
    }
}
