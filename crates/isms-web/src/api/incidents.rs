//! The incident register: incidents with their dates, severity, response, root cause and
//! lessons learned, and the assets, risks and controls they touched.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::incidents::{Incident, IncidentCounts, IncidentPatch, IncidentQuery, NewIncident};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentParams {
    /// `open`, `contained`, `resolved` or `closed`.
    pub status: Option<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The register, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/incidents", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug"), IncidentParams),
    responses((status = 200, body = Page<Incident>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<IncidentParams>,
) -> ApiResult<Json<Page<Incident>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = IncidentQuery {
        status: q.status,
        severity: q.severity,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_incidents(&ctx, &q).await?))
}

/// Record an incident. Closing a high or critical one needs its root cause and lessons
/// learned; it is never reported before it was detected.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/incidents", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewIncident,
    responses((status = 201, body = Incident), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewIncident>,
) -> ApiResult<(StatusCode, Json<Incident>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let i = st
        .app
        .create_incident(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(i)))
}

/// How many incidents there are by status and by severity.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/incidents/counts", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = IncidentCounts), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn counts(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<IncidentCounts>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.incident_counts(&ctx).await?))
}

/// One incident with its links and flags.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/incidents/{id}", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The incident id")),
    responses((status = 200, body = Incident), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Incident>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "incident")?;
    Ok(Json(st.app.get_incident(&ctx, id).await?))
}

/// Change an incident (move its status, write the root cause…). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/incidents/{id}", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The incident id")), request_body = IncidentPatch,
    responses((status = 200, body = Incident), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<IncidentPatch>,
) -> ApiResult<Json<Incident>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "incident")?;
    Ok(Json(
        st.app
            .update_incident(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove an incident recorded by mistake (the audit trail keeps it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/incidents/{id}", tag = "incidents",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The incident id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "incident")?;
    st.app.delete_incident(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
