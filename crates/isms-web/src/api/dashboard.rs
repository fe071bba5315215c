//! The dashboard's figures for one organisation, and the overview of every organisation
//! the caller can open.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_app::dashboard::{Dashboard, OrgOverview};
use serde::Serialize;
use utoipa::ToSchema;

/// The organisation's dashboard as of today: readiness per profile, the next deadlines,
/// what is overdue, the risk heat map counts, the SoA status, open nonconformities, the
/// next certification audit and the timeline bars.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/dashboard", tag = "dashboard", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Dashboard), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn dashboard(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Dashboard>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.dashboard(&ctx).await?.figures))
}

/// Every organisation you can open, with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub items: Vec<OrgOverview>,
}

/// The consultants' overview: every organisation you can open (all of them for an
/// instance administrator) with its readiness, next certification audit, overdue work and
/// open nonconformities.
#[utoipa::path(get, path = "/api/v1/overview", tag = "dashboard",
    responses((status = 200, body = Overview), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn overview(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
) -> ApiResult<Json<Overview>> {
    Ok(Json(Overview {
        items: st.app.overview(&p).await?,
    }))
}
