//! Cross-site request forgery protection for every non-GET request.
//!
//! Two checks, both in [`guard`], a layer over the whole router (no handler can forget them):
//! 1. `Sec-Fetch-Site` must be `same-origin` or `none`, and `Origin`, when sent, must be this
//!    host — a form posted from another site is refused before any handler runs;
//! 2. the request carries the per-session token ([`Csrf`]): the `_csrf` form field (first field
//!    of a multipart form) or the `X-CSRF-Token` header. The token is derived from the session
//!    cookie (or, before login, from a pre-session cookie), so it needs no storage.
//!
//! Templates add the field in one line: `{{ csrf }}` (a [`Csrf`] renders as the hidden input).
//! API calls authenticated by a bearer token carry no cookie and are not checked for a token.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::auth::{PRE_COOKIE, SESSION_COOKIE, cookie};
use super::i18n::lang_from_headers;

/// Name of the form field and of the header.
pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
/// Largest form body buffered to read the token (uploads included).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The CSRF token of one session; renders as `<input type="hidden" name="_csrf" value="…">`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csrf(String);

impl Csrf {
    /// The token bound to a session (or pre-session) cookie value.
    pub fn for_cookie(cookie_value: &str) -> Csrf {
        let mut h = Sha256::new();
        h.update(b"binhyen-csrf\0");
        h.update(cookie_value.as_bytes());
        Csrf(hex::encode(h.finalize()))
    }

    /// The token of a request's cookies (session cookie first, else pre-session cookie).
    pub fn from_headers(headers: &HeaderMap) -> Option<Csrf> {
        cookie(headers, SESSION_COOKIE)
            .or_else(|| cookie(headers, PRE_COOKIE))
            .map(|v| Csrf::for_cookie(&v))
    }

    pub fn token(&self) -> &str {
        &self.0
    }

    fn matches(&self, given: &str) -> bool {
        // Constant time over the expected length.
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Display for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is hex: nothing to escape.
        write!(
            f,
            r#"<input type="hidden" name="{FIELD}" value="{}">"#,
            self.token()
        )
    }
}

impl askama::filters::HtmlSafe for Csrf {}

#[derive(Deserialize)]
struct TokenField {
    #[serde(rename = "_csrf")]
    token: Option<String>,
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    ForeignOrigin,
    MissingToken,
    WrongToken,
}

fn same_origin(headers: &HeaderMap, req_host: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, a)| a);
            matches!((authority, req_host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
    }
}

fn is_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
}

/// Reads the token from the header or the body; gives the body back.
async fn given_token(headers: &HeaderMap, body: Body) -> (Option<String>, Body) {
    if let Some(t) = headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        return (Some(t.to_owned()), body);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let multipart = content_type.starts_with("multipart/form-data");
    if !form && !multipart {
        return (None, body);
    }
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return (None, Body::empty());
    };
    let copy = || {
        Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_TYPE, &content_type)
            .body(Body::from(bytes.clone()))
            .unwrap_or_default()
    };
    let token = if form {
        axum::Form::<TokenField>::from_request(copy(), &())
            .await
            .ok()
            .and_then(|f| f.0.token)
    } else {
        match Multipart::from_request(copy(), &()).await {
            Ok(mut m) => match m.next_field().await {
                Ok(Some(field)) if field.name() == Some(FIELD) => field.text().await.ok(),
                _ => None,
            },
            Err(_) => None,
        }
    };
    (token, Body::from(bytes))
}

async fn check(req: Request) -> Result<Request, Refusal> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()));
    if !same_origin(&parts.headers, host.as_deref()) {
        return Err(Refusal::ForeignOrigin);
    }
    let api = parts.uri.path().starts_with("/api/");
    if api && is_bearer(&parts.headers) && cookie(&parts.headers, SESSION_COOKIE).is_none() {
        return Ok(Request::from_parts(parts, body));
    }
    let expected = Csrf::from_headers(&parts.headers).ok_or(Refusal::MissingToken)?;
    let (given, body) = given_token(&parts.headers, body).await;
    match given {
        None => Err(Refusal::MissingToken),
        Some(g) if expected.matches(&g) => Ok(Request::from_parts(parts, body)),
        Some(_) => Err(Refusal::WrongToken),
    }
}

/// The CSRF layer: safe methods pass; everything else must pass both checks.
pub async fn guard(req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(req).await;
    }
    let lang = lang_from_headers(req.headers());
    let api = req.uri().path().starts_with("/api/");
    match check(req).await {
        Ok(req) => next.run(req).await,
        Err(refusal) => {
            let key = match refusal {
                Refusal::ForeignOrigin => "csrf.foreign_origin",
                Refusal::MissingToken => "csrf.missing_token",
                Refusal::WrongToken => "csrf.wrong_token",
            };
            let message = rust_i18n::t!(key, locale = lang.code()).into_owned();
            tracing::warn!(?refusal, "CSRF check refused a request");
            super::auth::failure_page(lang, StatusCode::FORBIDDEN, message, api).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_bound_to_the_cookie_and_renders_as_a_hidden_field() {
        let a = Csrf::for_cookie("abc");
        assert_eq!(a, Csrf::for_cookie("abc"));
        assert_ne!(a, Csrf::for_cookie("abd"));
        assert_eq!(a.token().len(), 64);
        assert!(a.matches(a.token()));
        assert!(!a.matches(&a.token()[1..]));
        assert_eq!(
            a.to_string(),
            format!(
                r#"<input type="hidden" name="_csrf" value="{}">"#,
                a.token()
            )
        );
    }

    #[test]
    fn origin_rules() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h, Some("example.vn")));
        h.insert(header::ORIGIN, "https://example.vn".parse().unwrap());
        assert!(same_origin(&h, Some("example.vn")));
        assert!(!same_origin(&h, Some("other.vn")));
        assert!(!same_origin(&h, None));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h, Some("example.vn")));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_origin(&h, Some("example.vn")));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!same_origin(&h, Some("example.vn")));
    }
}
