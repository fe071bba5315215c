use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::users::{NewUser, UserPatch, UserView};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Search and pagination for accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserParams {
    /// Part of an e-mail address or name.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Every account (instance administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserParams),
    responses((status = 200, body = Page<UserView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_users(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<UserParams>,
) -> ApiResult<Json<Page<UserView>>> {
    Ok(Json(
        st.app
            .list_users(&p, q.q.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Create an account (instance administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_user(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_user(Actor::User(&p), &input).await?),
    ))
}

/// One account: your own, or any for an instance administrator.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "The user id")),
    responses((status = 200, body = UserView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(st.app.get_user(&p, path_id(&id, "user")?).await?))
}

/// Change an account. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "The user id")), request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_user(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        st.app
            .update_user(&p, path_id(&id, "user")?, &patch)
            .await?,
    ))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password; your other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(b): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    st.app
        .change_password(&p, &b.current_password, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
