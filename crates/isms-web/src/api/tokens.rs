use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::tokens::{CreatedToken, NewToken, SessionView, TokenView};

/// Your API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "me",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(st.app.list_tokens(&p).await?))
}

/// Make an API token with your rights. Its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "me", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_token(&p, &input).await?),
    ))
}

/// Revoke one of your tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "me", params(("id" = String, Path, description = "The token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.app.revoke_token(&p, path_id(&id, "token")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your signed-in sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "me",
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_sessions(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
) -> ApiResult<Json<Vec<SessionView>>> {
    Ok(Json(st.app.list_sessions(&p).await?))
}

/// End one of your sessions.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "me", params(("id" = String, Path, description = "The session id")),
    responses((status = 204, description = "Ended"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_session(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.app.revoke_session(&p, path_id(&id, "session")?).await?;
    Ok(StatusCode::NO_CONTENT)
}
