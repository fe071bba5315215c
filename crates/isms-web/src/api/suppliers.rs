//! The supplier register: suppliers with their criticality, data shared, contract
//! security requirements and the history of their security assessments.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::suppliers::{NewAssessment, NewSupplier, Supplier, SupplierPatch, SupplierQuery};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SupplierParams {
    /// `active` or `offboarded`.
    pub status: Option<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub criticality: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The register in number order.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/suppliers", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug"), SupplierParams),
    responses((status = 200, body = Page<Supplier>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<SupplierParams>,
) -> ApiResult<Json<Page<Supplier>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = SupplierQuery {
        status: q.status,
        criticality: q.criticality,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_suppliers(&ctx, &q).await?))
}

/// Add a supplier. The assessment interval defaults by criticality (critical and high
/// 12 months, medium 24, low 36).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/suppliers", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewSupplier,
    responses((status = 201, body = Supplier), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewSupplier>,
) -> ApiResult<(StatusCode, Json<Supplier>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let s = st
        .app
        .create_supplier(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// One supplier with its assessment history and flags.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/suppliers/{id}", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The supplier id")),
    responses((status = 200, body = Supplier), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Supplier>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "supplier")?;
    Ok(Json(st.app.get_supplier(&ctx, id).await?))
}

/// Change a supplier (offboard it, set the interval…). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/suppliers/{id}", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The supplier id")), request_body = SupplierPatch,
    responses((status = 200, body = Supplier), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<SupplierPatch>,
) -> ApiResult<Json<Supplier>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "supplier")?;
    Ok(Json(
        st.app
            .update_supplier(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove a supplier added by mistake, with its assessments (the audit trail keeps it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/suppliers/{id}", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The supplier id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "supplier")?;
    st.app.delete_supplier(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record a security assessment of the supplier (date not in the future, result, note).
/// The latest one is the supplier's last assessment and sets the next due date.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/suppliers/{id}/assessments", tag = "suppliers",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The supplier id")), request_body = NewAssessment,
    responses((status = 201, body = Supplier), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn assess(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewAssessment>,
) -> ApiResult<(StatusCode, Json<Supplier>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "supplier")?;
    let s = st
        .app
        .assess_supplier(Actor::User(&p), &ctx, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}
