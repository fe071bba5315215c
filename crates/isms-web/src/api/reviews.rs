//! Management reviews (9.3): inputs compiled and frozen when created, decisions and
//! actions, approval that locks the record, minutes.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::reviews::{
    ManagementReview, NewReview, NewReviewAction, ReviewPatch, ReviewSummary, ReviewVersion,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination of the reviews.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    /// `planned`, `held` or `approved`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The management reviews, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/management-reviews", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ReviewParams),
    responses((status = 200, body = Page<ReviewSummary>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ReviewParams>,
) -> ApiResult<Json<Page<ReviewSummary>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_reviews(&ctx, q.status.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Schedule a review. Its inputs (9.3.2) are compiled now, as of today, and frozen.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/management-reviews", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewReview,
    responses((status = 201, body = ManagementReview), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewReview>,
) -> ApiResult<(StatusCode, Json<ManagementReview>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_review(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// One review with its frozen inputs, notes, decisions and actions.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/management-reviews/{id}", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")),
    responses((status = 200, body = ManagementReview), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<ManagementReview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_review(&ctx, path_id(&id, "management review")?)
            .await?,
    ))
}

/// Change a review or mark it held. An approved review is locked (409).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/management-reviews/{id}", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")), request_body = ReviewPatch,
    responses((status = 200, body = ManagementReview), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<ReviewPatch>,
) -> ApiResult<Json<ManagementReview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_review(
                Actor::User(&p),
                &ctx,
                path_id(&id, "management review")?,
                &patch,
            )
            .await?,
    ))
}

/// Remove a planned review that has no actions.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/management-reviews/{id}", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_review(Actor::User(&p), &ctx, path_id(&id, "management review")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Compile the inputs again as of today (only while planned; recorded in the audit trail).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/management-reviews/{id}/refresh-inputs", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")), request_body = ReviewVersion,
    responses((status = 200, body = ManagementReview), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(v): ApiJson<ReviewVersion>,
) -> ApiResult<Json<ManagementReview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .refresh_review_inputs(
                Actor::User(&p),
                &ctx,
                path_id(&id, "management review")?,
                v.version,
            )
            .await?,
    ))
}

/// Approve a held review (approver role); the record is locked from then on.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/management-reviews/{id}/approve", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")), request_body = ReviewVersion,
    responses((status = 200, body = ManagementReview), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(v): ApiJson<ReviewVersion>,
) -> ApiResult<Json<ManagementReview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .approve_review(
                Actor::User(&p),
                &ctx,
                path_id(&id, "management review")?,
                v.version,
            )
            .await?,
    ))
}

/// Record an action decided at the review: it becomes a roadmap task or a corrective
/// action at once, linked back.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/management-reviews/{id}/actions", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id")), request_body = NewReviewAction,
    responses((status = 201, body = ManagementReview), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_action(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewReviewAction>,
) -> ApiResult<(StatusCode, Json<ManagementReview>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .add_review_action(
                    Actor::User(&p),
                    &ctx,
                    path_id(&id, "management review")?,
                    &input,
                )
                .await?,
        ),
    ))
}

/// The minutes format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MinutesParams {
    /// `pdf` (default) or `md`.
    pub format: Option<String>,
}

/// The minutes of a review as PDF or Markdown.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/management-reviews/{id}/minutes", tag = "management-reviews",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The review id"), MinutesParams),
    responses((status = 200, description = "The minutes", content((Vec<u8> = "application/pdf"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn minutes(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<MinutesParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(
        st.app
            .review_minutes_file(
                &ctx,
                path_id(&id, "management review")?,
                q.format.as_deref(),
            )
            .await?,
    ))
}
