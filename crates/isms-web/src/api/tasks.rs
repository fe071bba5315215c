use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::tasks::{NewTask, Task, TaskPatch};
use isms_app::{Actor, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and pagination for tasks.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskParams {
    /// `open`, `in_progress` or `done`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The roadmap's tasks, in the order they were added.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/tasks", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug"), TaskParams),
    responses((status = 200, body = Page<Task>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<TaskParams>,
) -> ApiResult<Json<Page<Task>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_tasks(&ctx, q.status.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Add a task.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/tasks", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewTask,
    responses((status = 201, body = Task), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewTask>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_task(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/tasks/{id}", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The task id")),
    responses((status = 200, body = Task), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Task>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_task(&ctx, path_id(&id, "task")?).await?))
}

/// Change a task. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/tasks/{id}", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The task id")), request_body = TaskPatch,
    responses((status = 200, body = Task), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<Task>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_task(Actor::User(&p), &ctx, path_id(&id, "task")?, &patch)
            .await?,
    ))
}

/// Remove a task.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/tasks/{id}", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The task id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_task(Actor::User(&p), &ctx, path_id(&id, "task")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many tasks were added.
#[derive(Debug, Serialize, ToSchema)]
pub struct Generated {
    pub added: usize,
}

/// Add a roadmap task for every open gap of the assessment that has none yet.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/gap-assessments/{id}/tasks", tag = "tasks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id")),
    responses((status = 200, body = Generated), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn generate(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Generated>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let added = st
        .app
        .generate_tasks(Actor::User(&p), &ctx, path_id(&id, "gap assessment")?)
        .await?;
    Ok(Json(Generated { added }))
}
