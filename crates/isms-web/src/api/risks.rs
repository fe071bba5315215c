use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::risks::{AcceptRisk, HeatMap, NewRisk, Risk, RiskPatch, RiskQuery};
use isms_app::{Actor, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters and pagination of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RiskParams {
    /// `identified`, `assessed`, `treatment_planned`, `treatment_in_progress`, `treated`, `accepted` or `closed`.
    pub status: Option<String>,
    /// A member's user id.
    pub owner_id: Option<Uuid>,
    /// Inherent level index (0 = lowest).
    pub level: Option<i64>,
    /// Residual level index.
    pub residual_level: Option<i64>,
    /// Only risks rated under an earlier method version (or only the others).
    pub needs_reassessment: Option<bool>,
    /// A heat-map cell under the method in force: `inherent:L:I` or `residual:L:I`.
    pub cell: Option<String>,
    /// Only risks linked to this asset.
    pub asset_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The risk register, by number.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risks", tag = "risks", params(("org" = String, Path, description = "The organisation's slug"), RiskParams),
    responses((status = 200, body = Page<Risk>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<RiskParams>,
) -> ApiResult<Json<Page<Risk>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = RiskQuery {
        status: q.status,
        owner_id: q.owner_id,
        level: q.level,
        residual_level: q.residual_level,
        needs_reassessment: q.needs_reassessment,
        cell: q.cell,
        asset_id: q.asset_id,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_risks(&ctx, &query).await?))
}

/// Add a risk, rated under the method in force (422 naming `method` when none is approved).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risks", tag = "risks", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewRisk,
    responses((status = 201, body = Risk), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewRisk>,
) -> ApiResult<(StatusCode, Json<Risk>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_risk(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// One risk.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risks/{id}", tag = "risks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The risk id")),
    responses((status = 200, body = Risk), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Risk>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_risk(&ctx, path_id(&id, "risk")?).await?))
}

/// Change a risk. Send the `version` you read. New ratings use the method in force.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/risks/{id}", tag = "risks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The risk id")), request_body = RiskPatch,
    responses((status = 200, body = Risk), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<RiskPatch>,
) -> ApiResult<Json<Risk>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_risk(Actor::User(&p), &ctx, path_id(&id, "risk")?, &patch)
            .await?,
    ))
}

/// Remove a risk.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/risks/{id}", tag = "risks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The risk id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_risk(Actor::User(&p), &ctx, path_id(&id, "risk")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept the remaining risk (residual, or inherent when none is scored): rationale and an
/// expiry are required; above the method's acceptance level only an ISMS manager or
/// administrator may accept, at or below it the risk owner too.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risks/{id}/acceptance", tag = "risks", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The risk id")), request_body = AcceptRisk,
    responses((status = 200, body = Risk), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<AcceptRisk>,
) -> ApiResult<Json<Risk>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .accept_risk(Actor::User(&p), &ctx, path_id(&id, "risk")?, &input)
            .await?,
    ))
}

/// The heat maps (before and after treatment).
#[derive(Debug, Serialize, ToSchema)]
pub struct HeatMaps {
    /// Absent until a risk method is approved.
    pub heatmap: Option<HeatMap>,
}

/// Risks per likelihood × impact cell of the method in force, inherent and residual.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-heatmap", tag = "risks", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = HeatMaps), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn heatmap(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<HeatMaps>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(HeatMaps {
        heatmap: st.app.risk_heatmap(&ctx).await?,
    }))
}

/// A threat or vulnerability of the starter library.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryItem {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: String,
}

fn items(list: &[isms_domain::risk::library::LibraryEntry]) -> Vec<LibraryItem> {
    list.iter()
        .map(|e| LibraryItem {
            id: e.id.clone(),
            name: e.name.clone(),
            category: e.category.as_str().to_owned(),
            description: e.description.clone(),
        })
        .collect()
}

/// The starter library of threats (reference data, for filling in risks).
#[utoipa::path(get, path = "/api/v1/catalogue/threats", tag = "catalogue",
    responses((status = 200, body = Vec<LibraryItem>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn threats(ApiUser(_p): ApiUser) -> ApiResult<Json<Vec<LibraryItem>>> {
    Ok(Json(items(isms_domain::risk::library::threats())))
}

/// The starter library of vulnerabilities.
#[utoipa::path(get, path = "/api/v1/catalogue/vulnerabilities", tag = "catalogue",
    responses((status = 200, body = Vec<LibraryItem>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn vulnerabilities(ApiUser(_p): ApiUser) -> ApiResult<Json<Vec<LibraryItem>>> {
    Ok(Json(items(isms_domain::risk::library::vulnerabilities())))
}
