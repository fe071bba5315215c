//! Signing in and out, the second-factor step, and the organisation switcher.

use super::{Layout, page, render};
use crate::AppState;
use crate::auth::{
    Authed, Flash, PublicForm, WebForm, WebUser, clear_session_cookie, cookie, flash_redirect,
    session_cookie, session_cookie_name,
};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use isms_app::AppError;
use isms_app::auth::ClientMeta;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub email: String,
    pub next: String,
    pub first_run: bool,
}

#[derive(Template)]
#[template(path = "totp_challenge.html")]
pub struct TotpChallenge {
    pub l: Layout,
    pub csrf: String,
    /// Where to go after the code (a same-site path).
    pub next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn home(State(st): State<AppState>, u: Result<WebUser, Response>) -> Response {
    let Ok(u) = u else {
        return Redirect::to("/login").into_response();
    };
    match st.app.list_orgs(&u.p, None, Some(2)).await {
        Ok(p) if p.items.len() == 1 && !u.p.is_admin => {
            Redirect::to(&format!("/o/{}", p.items[0].slug)).into_response()
        }
        _ => Redirect::to("/orgs").into_response(),
    }
}

pub async fn login_page(
    State(st): State<AppState>,
    Extension(a): Extension<Option<Authed>>,
    Extension(flash): Extension<Flash>,
    Query(q): Query<NextQuery>,
) -> Response {
    if a.is_some_and(|a| !a.mfa_pending) {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let first_run = st.app.user_count().await.unwrap_or(1) == 0;
    let mut l = Layout::public("Sign in");
    l.flash = flash.0;
    page(&LoginPage {
        l,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        first_run,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

pub async fn login_submit(
    State(st): State<AppState>,
    Extension(meta): Extension<ClientMeta>,
    PublicForm(f): PublicForm<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    match st.app.login(&f.email, &f.password, None, true, &meta).await {
        Ok(s) => {
            let to = if s.mfa_pending {
                format!(
                    "/login/totp?{}",
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
                )
            } else {
                next
            };
            let mut r = Redirect::to(&to).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(
                    st.secure_cookies,
                    &s.token,
                    st.app.settings.session_absolute_secs,
                ),
            );
            r
        }
        Err(e) => {
            let status = match &e {
                AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::UNAUTHORIZED,
            };
            let l = Layout::public("Sign in").with_errors(&e);
            render(
                status,
                &LoginPage {
                    l,
                    email: f.email,
                    next,
                    first_run: false,
                },
            )
        }
    }
}

pub async fn totp_page(
    Extension(a): Extension<Option<Authed>>,
    Query(q): Query<NextQuery>,
) -> Response {
    match a {
        Some(a) if a.mfa_pending => page(&TotpChallenge {
            l: Layout::public("One-time code"),
            csrf: a.csrf.unwrap_or_default(),
            next: safe_next(q.next.as_deref()),
        }),
        Some(_) => Redirect::to("/").into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    pub next: Option<String>,
}

pub async fn totp_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Extension(a): Extension<Option<Authed>>,
    WebForm(f): WebForm<CodeForm>,
) -> Response {
    let Some(token) = cookie(&headers, session_cookie_name(st.secure_cookies)) else {
        return Redirect::to("/login").into_response();
    };
    match st.app.complete_mfa(&token, &f.code).await {
        Ok(s) => {
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(
                    st.secure_cookies,
                    &s.token,
                    st.app.settings.session_absolute_secs,
                ),
            );
            r
        }
        Err(AppError::Unauthenticated(_)) => {
            flash_redirect("/login", "The sign-in has expired; start again.")
        }
        Err(e) => {
            let status = if matches!(e, AppError::TooManyAttempts { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let csrf = a.and_then(|a| a.csrf).unwrap_or_default();
            render(
                status,
                &TotpChallenge {
                    l: Layout::public("One-time code").with_errors(&e),
                    csrf,
                    next: safe_next(f.next.as_deref()),
                },
            )
        }
    }
}

/// Give up a sign-in that waits for the one-time code.
pub async fn login_cancel(
    State(st): State<AppState>,
    headers: HeaderMap,
    WebForm(_f): WebForm<CodeForm>,
) -> Response {
    if let Some(token) = cookie(&headers, session_cookie_name(st.secure_cookies)) {
        let _ = st.app.abandon_pending(&token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(st.secure_cookies));
    r
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let _ = st.app.logout(&u.p).await;
    let mut r = flash_redirect("/login", "You are signed out.");
    r.headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(st.secure_cookies));
    r
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    pub org: Option<String>,
}

/// The organisation switcher (a GET form, so it works without JavaScript).
pub async fn switch(_u: WebUser, Query(q): Query<SwitchQuery>) -> Response {
    match q.org.filter(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }) {
        Some(slug) => Redirect::to(&format!("/o/{slug}")).into_response(),
        None => Redirect::to("/orgs").into_response(),
    }
}
