//! Findings and corrective actions (10.2).

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::findings::{
    ActionQuery, CorrectiveAction, CorrectiveActionPatch, Finding, FindingPatch, FindingQuery,
    GradeCount, NewCorrectiveAction, NewFinding, Verification,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Filters and pagination of the findings register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FindingParams {
    /// `major_nc`, `minor_nc`, `observation` or `ofi`.
    pub grade: Option<String>,
    /// `open`, `action_planned`, `verifying` or `closed`.
    pub status: Option<String>,
    /// `internal_audit`, `certification_audit`, `incident`, `management_review`,
    /// `monitoring`, `complaint` or `other`.
    pub source: Option<String>,
    /// Raised by this audit, incident or review.
    pub source_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The findings register, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/findings", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug"), FindingParams),
    responses((status = 200, body = Page<Finding>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<FindingParams>,
) -> ApiResult<Json<Page<Finding>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = FindingQuery {
        grade: q.grade,
        status: q.status,
        source: q.source,
        source_id: q.source_id,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_findings(&ctx, &q).await?))
}

/// Raise a finding.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/findings", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewFinding,
    responses((status = 201, body = Finding), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewFinding>,
) -> ApiResult<(StatusCode, Json<Finding>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_finding(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// How many findings of each grade, and how many of them are open.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/findings/counts", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Vec<GradeCount>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn counts(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<GradeCount>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.finding_counts(&ctx).await?))
}

/// One finding.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/findings/{id}", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The finding id")),
    responses((status = 200, body = Finding), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Finding>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app.get_finding(&ctx, path_id(&id, "finding")?).await?,
    ))
}

/// Change a finding, or close it. A nonconformity closes only once a corrective action on
/// it was verified effective (422 naming `status` otherwise). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/findings/{id}", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The finding id")), request_body = FindingPatch,
    responses((status = 200, body = Finding), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<FindingPatch>,
) -> ApiResult<Json<Finding>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_finding(Actor::User(&p), &ctx, path_id(&id, "finding")?, &patch)
            .await?,
    ))
}

/// Remove a finding raised by mistake (not once it has corrective actions: 409).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/findings/{id}", tag = "findings",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The finding id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_finding(Actor::User(&p), &ctx, path_id(&id, "finding")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters and pagination of the corrective-action register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActionParams {
    /// `planned`, `in_progress`, `implemented`, `verified_effective`,
    /// `verified_ineffective` or `closed`.
    pub status: Option<String>,
    /// The actions on this finding.
    pub finding_id: Option<Uuid>,
    /// The actions this member owns.
    pub owner_id: Option<Uuid>,
    /// `true`: only actions past their due date and not implemented.
    pub overdue: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The corrective-action register, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/corrective-actions", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug"), ActionParams),
    responses((status = 200, body = Page<CorrectiveAction>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_actions(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ActionParams>,
) -> ApiResult<Json<Page<CorrectiveAction>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = ActionQuery {
        status: q.status,
        finding_id: q.finding_id,
        owner_id: q.owner_id,
        overdue: q.overdue.unwrap_or(false),
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_corrective_actions(&ctx, &q).await?))
}

/// Plan a corrective action on a nonconformity (`finding_id`), or a standalone one.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/corrective-actions", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewCorrectiveAction,
    responses((status = 201, body = CorrectiveAction), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_action(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewCorrectiveAction>,
) -> ApiResult<(StatusCode, Json<CorrectiveAction>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_corrective_action(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One corrective action.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/corrective-actions/{id}", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The corrective action id")),
    responses((status = 200, body = CorrectiveAction), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_action(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<CorrectiveAction>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_corrective_action(&ctx, path_id(&id, "corrective action")?)
            .await?,
    ))
}

/// Change a corrective action or move it on (planned, in progress, implemented, closed).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/corrective-actions/{id}", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The corrective action id")), request_body = CorrectiveActionPatch,
    responses((status = 200, body = CorrectiveAction), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_action(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<CorrectiveActionPatch>,
) -> ApiResult<Json<CorrectiveAction>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_corrective_action(
                Actor::User(&p),
                &ctx,
                path_id(&id, "corrective action")?,
                &patch,
            )
            .await?,
    ))
}

/// Remove a corrective action that is still planned.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/corrective-actions/{id}", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The corrective action id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_action(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_corrective_action(Actor::User(&p), &ctx, path_id(&id, "corrective action")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record the verification of effectiveness of an implemented action. Its owner cannot
/// verify it (422 naming `verified_by`).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/corrective-actions/{id}/verify", tag = "corrective-actions",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The corrective action id")), request_body = Verification,
    responses((status = 200, body = CorrectiveAction), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Verification>,
) -> ApiResult<Json<CorrectiveAction>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .verify_corrective_action(
                Actor::User(&p),
                &ctx,
                path_id(&id, "corrective action")?,
                &input,
            )
            .await?,
    ))
}
