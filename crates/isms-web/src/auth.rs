//! Who is calling: session cookies and bearer tokens, CSRF and origin checks, and the
//! extractors handlers use to require a signed-in person.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use isms_app::Principal;
use isms_app::auth::ClientMeta;
use isms_domain::secret::{API_TOKEN_PREFIX, constant_time_eq};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// The session cookie's name: `__Host-` prefixed (and `Secure`) behind HTTPS.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-isms_session"
    } else {
        "isms_session"
    }
}

const FLASH_COOKIE: &str = "isms_flash";

/// The value of one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Set-Cookie` for the session token.
pub fn session_cookie(secure: bool, token: &str, max_age_secs: i64) -> HeaderValue {
    let name = session_cookie_name(secure);
    let s = format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s)
        .unwrap_or_else(|_| HeaderValue::from_static("isms_session=; Path=/; Max-Age=0"))
}

pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    session_cookie(secure, "", 0)
}

/// The caller, once identified.
#[derive(Debug, Clone)]
pub struct Authed {
    pub principal: Principal,
    /// The session's CSRF token (cookie and session-bearer callers).
    pub csrf: Option<String>,
    /// Password given, one-time code still missing: may only finish signing in.
    pub mfa_pending: bool,
    /// Came with the session cookie (so CSRF rules apply).
    pub via_cookie: bool,
}

/// A one-shot message shown on the next page (set on redirect after a POST).
#[derive(Debug, Clone, Default)]
pub struct Flash(pub Option<String>);

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Redirect with a message for the next page.
pub fn flash_redirect(to: &str, message: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let msg: String = message.chars().take(300).collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
        percent_encode(&msg)
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn client_meta(req: &Request) -> ClientMeta {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    ClientMeta { ip, user_agent }
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuse state-changing requests that a browser says come from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        // An opaque ("null") origin is treated as another site.
        return origin == "null" || origin_host != host;
    }
    false
}

fn forbidden_html(msg: &str) -> Response {
    (StatusCode::FORBIDDEN, axum::response::Html(format!(
        "<!doctype html><title>Refused</title><p>{}</p><p><a href=\"/\">Back to ISMS Workbench</a></p>",
        crate::html::escape(msg)
    )))
        .into_response()
}

/// Identify the caller, enforce origin and CSRF rules, and carry the flash message.
pub async fn middleware(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let unsafe_method = is_unsafe(req.method());
    if unsafe_method && cross_site(req.headers()) {
        return if is_api {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "cross-site",
                "cross-site requests that change data are refused",
            )
            .into_response()
        } else {
            forbidden_html(
                "This request came from another site and would change data, so it was refused.",
            )
        };
    }
    let meta = client_meta(&req);
    req.extensions_mut().insert(meta);

    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|s| s.trim().to_owned());
    let mut authed: Option<Authed> = None;
    if let Some(tok) = bearer {
        let r = if tok.starts_with(API_TOKEN_PREFIX) {
            st.app.authenticate_token(&tok).await.map(|p| Authed {
                principal: p,
                csrf: None,
                mfa_pending: false,
                via_cookie: false,
            })
        } else {
            st.app
                .authenticate_session(&tok)
                .await
                .map(|(p, s)| Authed {
                    principal: p,
                    csrf: Some(s.csrf_token),
                    mfa_pending: s.mfa_pending,
                    via_cookie: false,
                })
        };
        match r {
            Ok(a) => authed = Some(a),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(tok) =
        cookie(req.headers(), session_cookie_name(st.secure_cookies)).filter(|t| !t.is_empty())
    {
        match st.app.authenticate_session(&tok).await {
            Ok((p, s)) => {
                authed = Some(Authed {
                    principal: p,
                    csrf: Some(s.csrf_token),
                    mfa_pending: s.mfa_pending,
                    via_cookie: true,
                })
            }
            Err(isms_app::AppError::Unauthenticated(_)) => {}
            Err(e) => {
                return if is_api {
                    ApiError::from(e).into_response()
                } else {
                    crate::html::error_page(&e)
                };
            }
        }
    }
    if is_api
        && unsafe_method
        && let Some(a) = &authed
        && a.via_cookie
    {
        let sent = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ok = a.csrf.as_deref().is_some_and(|c| constant_time_eq(c, sent));
        let is_login = req.uri().path() == "/api/v1/auth/login";
        if !ok && !is_login {
            return ApiError::new(StatusCode::FORBIDDEN, "csrf", "requests authenticated by the session cookie must send the session's CSRF token in the X-CSRF-Token header").into_response();
        }
    }
    let flash = cookie(req.headers(), FLASH_COOKIE)
        .map(|v| percent_decode(&v))
        .filter(|s| !s.is_empty());
    let had_flash = flash.is_some();
    req.extensions_mut().insert(Flash(flash));
    let current = authed
        .as_ref()
        .filter(|a| a.via_cookie && !a.mfa_pending)
        .map(|a| {
            (
                crate::html::UserBox {
                    name: a.principal.name.clone(),
                    email: a.principal.email.clone(),
                    is_admin: a.principal.is_admin,
                },
                a.csrf.clone().unwrap_or_default(),
            )
        });
    req.extensions_mut().insert(authed);
    let mut resp = crate::html::CURRENT_USER
        .scope(current, next.run(req))
        .await;

    if had_flash
        && !resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|s| s.starts_with(FLASH_COOKIE)))
    {
        resp.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("isms_flash=; Path=/; Max-Age=0"),
        );
    }
    resp
}

/// An API caller who has fully signed in.
pub struct ApiUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Option<Authed>>().cloned().flatten() {
            Some(a) if !a.mfa_pending => Ok(ApiUser(a.principal)),
            Some(_) => Err(isms_app::AppError::MfaRequired.into()),
            None => Err(ApiError::unauthenticated()),
        }
    }
}

/// A person signed in to the web UI (session cookie, second factor done).
#[derive(Debug, Clone)]
pub struct WebUser {
    pub p: Principal,
    pub csrf: String,
}

impl<S: Send + Sync> FromRequestParts<S> for WebUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Option<Authed>>().cloned().flatten() {
            Some(a) if a.mfa_pending => Err(Redirect::to("/login/totp").into_response()),
            Some(a) => Ok(WebUser {
                p: a.principal,
                csrf: a.csrf.unwrap_or_default(),
            }),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", percent_encode(next))
                };
                Err(Redirect::to(&to).into_response())
            }
        }
    }
}

/// A URL-encoded form from a signed-in person, with its `_csrf` field checked.
pub struct WebForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for WebForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<Option<Authed>>()
            .cloned()
            .flatten()
            .and_then(|a| a.csrf);
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        if !expected
            .as_deref()
            .is_some_and(|e| constant_time_eq(e, &sent.csrf))
        {
            return Err(forbidden_html(
                "The form had expired or did not come from this site. Go back, reload the page and try again.",
            ));
        }
        let v: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                format!("the form could not be read: {e}"),
            )
                .into_response()
        })?;
        Ok(WebForm(v))
    }
}

/// One part of a multipart form: its name, the file name (for file fields) and the bytes.
#[derive(Debug, Clone)]
pub struct FormPart {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: bytes::Bytes,
}

/// A multipart form (file uploads) from a signed-in person, read whole (within the body
/// limit), with its `_csrf` field checked like [`WebForm`]'s.
pub struct WebMultipart(pub Vec<FormPart>);

impl WebMultipart {
    /// The first part named `name`.
    pub fn part(&self, name: &str) -> Option<&FormPart> {
        self.0.iter().find(|p| p.name == name)
    }

    /// A text field's value (empty when absent).
    pub fn text(&self, name: &str) -> String {
        self.part(name)
            .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequest<S> for WebMultipart {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<Option<Authed>>()
            .cloned()
            .flatten()
            .and_then(|a| a.csrf);
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            (
                e.status(),
                format!("the form could not be read: {}", e.body_text()),
            )
                .into_response()
        };
        let mut m = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let mut parts = Vec::new();
        while let Some(field) = m.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(unreadable)?;
            parts.push(FormPart {
                name,
                file_name,
                bytes,
            });
        }
        let out = WebMultipart(parts);
        if !expected
            .as_deref()
            .is_some_and(|e| constant_time_eq(e, &out.text("_csrf")))
        {
            return Err(forbidden_html(
                "The form had expired or did not come from this site. Go back, reload the page and try again.",
            ));
        }
        Ok(out)
    }
}

/// A URL-encoded form from someone not signed in (sign-in forms); origin-checked by the
/// middleware.
pub struct PublicForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PublicForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let v: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                format!("the form could not be read: {e}"),
            )
                .into_response()
        })?;
        Ok(PublicForm(v))
    }
}
