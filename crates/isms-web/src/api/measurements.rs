//! Monitoring and measurement (9.1): values of the objectives' metrics and control checks
//! over time, each subject's trend, and its history.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::measurements::{
    Measurement, MeasurementQuery, NewMeasurement, SubjectDetail, SubjectSummary,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeasurementParams {
    /// `objective` or `control`.
    pub subject_kind: Option<String>,
    /// With `subject_kind`: an objective's id or `O-002`, or a control (`5.15`).
    pub subject_ref: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Measurements, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/measurements", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug"), MeasurementParams),
    responses((status = 200, body = Page<Measurement>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<MeasurementParams>,
) -> ApiResult<Json<Page<Measurement>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = MeasurementQuery {
        subject_kind: q.subject_kind,
        subject_ref: q.subject_ref,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_measurements(&ctx, &q).await?))
}

/// Record a measurement. A control check also becomes the control's last check.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/measurements", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewMeasurement,
    responses((status = 201, body = Measurement), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewMeasurement>,
) -> ApiResult<(StatusCode, Json<Measurement>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let m = st
        .app
        .create_measurement(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// One row per subject (every objective, every control with checks): latest value,
/// target, trend, overdue flag and the last twelve months.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/measurements/subjects", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Vec<SubjectSummary>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn subjects(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<SubjectSummary>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.measurement_overview(&ctx).await?))
}

/// One subject with its whole history.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/measurements/subjects/{kind}/{reference}", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "objective or control"), ("reference" = String, Path, description = "An objective's id or O-002, or a control (5.15)")),
    responses((status = 200, body = SubjectDetail), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn subject(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, kind, reference)): Path<(String, String, String)>,
) -> ApiResult<Json<SubjectDetail>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app.measurement_subject(&ctx, &kind, &reference).await?,
    ))
}

/// One measurement.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/measurements/{id}", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The measurement id")),
    responses((status = 200, body = Measurement), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Measurement>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "measurement")?;
    Ok(Json(st.app.get_measurement(&ctx, id).await?))
}

/// Remove a measurement recorded by mistake (the audit trail keeps it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/measurements/{id}", tag = "measurements",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The measurement id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "measurement")?;
    st.app.delete_measurement(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
