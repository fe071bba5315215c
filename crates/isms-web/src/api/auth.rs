use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Authed, clear_session_cookie, session_cookie};
use crate::error::{ApiResult, Problem};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::auth::ClientMeta;
use isms_app::orgs::OrgView;
use isms_app::users::UserView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The current one-time code, for accounts with two-step sign-in.
    pub totp: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>` (or use the cookie that was set).
    pub token: String,
    /// Send as `X-CSRF-Token` on state-changing requests that use the cookie.
    pub csrf_token: String,
    pub expires_at: String,
    pub user: UserView,
}

/// The caller and the organisations they can open.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub organisations: Vec<OrgView>,
}

/// Sign in with e-mail and password (and the one-time code when the account has one).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses(
        (status = 200, description = "Signed in; also sets the session cookie", body = LoginResponse),
        (status = 401, description = "Wrong credentials, or the one-time code is required", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(st): State<AppState>,
    Extension(meta): Extension<ClientMeta>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let s = st
        .app
        .login(&req.email, &req.password, req.totp.as_deref(), false, &meta)
        .await?;
    let user = st
        .app
        .get_user(&st.app.principal_for_email(&req.email).await?, s.user_id)
        .await?;
    let max_age = st.app.settings.session_absolute_secs;
    let mut r = Json(LoginResponse {
        token: s.token.clone(),
        csrf_token: s.csrf_token,
        expires_at: s.expires_at.rfc3339(),
        user,
    })
    .into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(st.secure_cookies, &s.token, max_age),
    );
    Ok(r)
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn logout(State(st): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Response> {
    st.app.logout(&p).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(st.secure_cookies));
    Ok(r)
}

/// Who you are, and your organisations.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Extension(_a): Extension<Option<Authed>>,
) -> ApiResult<Json<Me>> {
    let user = st.app.get_user(&p, p.user_id).await?;
    let orgs = st.app.list_orgs(&p, None, Some(500)).await?;
    Ok(Json(Me {
        user,
        organisations: orgs.items,
    }))
}
