use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::assets::{
    Asset, AssetPatch, AssetQuery, BulkEdit, BulkResult, DataFlow, DataFlowPatch, FlowQuery,
    NewAsset, NewDataFlow,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Filters and pagination of the inventory.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssetParams {
    /// `information`, `software`, `hardware`, `service`, `people`, `site` or `supplier_provided`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub asset_type: Option<String>,
    /// A member's user id.
    pub owner_id: Option<Uuid>,
    pub in_scope: Option<bool>,
    /// Classification level 1 (Public) to 4 (Restricted).
    pub classification: Option<i64>,
    /// Assets whose highest CIA rating is at least this (1–4).
    pub min_rating: Option<i64>,
    /// One tag.
    pub tag: Option<String>,
    /// Text the name contains (any case).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The asset inventory, by number.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/assets", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), AssetParams),
    responses((status = 200, body = Page<Asset>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<AssetParams>,
) -> ApiResult<Json<Page<Asset>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = AssetQuery {
        asset_type: q.asset_type,
        owner_id: q.owner_id,
        in_scope: q.in_scope,
        classification: q.classification,
        min_rating: q.min_rating,
        tag: q.tag,
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_assets(&ctx, &query).await?))
}

/// Add an asset. The owner (required) and the custodian must be current members.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/assets", tag = "assets", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewAsset,
    responses((status = 201, body = Asset), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewAsset>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_asset(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// One asset.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/assets/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The asset id")),
    responses((status = 200, body = Asset), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Asset>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_asset(&ctx, path_id(&id, "asset")?).await?))
}

/// Change an asset. Send the `version` you read (409 when someone changed it first).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/assets/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The asset id")), request_body = AssetPatch,
    responses((status = 200, body = Asset), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<AssetPatch>,
) -> ApiResult<Json<Asset>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_asset(Actor::User(&p), &ctx, path_id(&id, "asset")?, &patch)
            .await?,
    ))
}

/// Remove an asset. Refused with 409 while a data flow or a risk names it.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/assets/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The asset id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_asset(Actor::User(&p), &ctx, path_id(&id, "asset")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Apply one change (owner, custodian, in scope, location, type, tags to add or remove) to
/// many assets at once: all or nothing, with an audit entry per asset.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/assets/bulk", tag = "assets", params(("org" = String, Path, description = "The organisation's slug")), request_body = BulkEdit,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn bulk(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<BulkEdit>,
) -> ApiResult<Json<BulkResult>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .bulk_edit_assets(Actor::User(&p), &ctx, &input)
            .await?,
    ))
}

/// Filters and pagination of the data flows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlowParams {
    /// Flows from or to this asset.
    pub asset_id: Option<Uuid>,
    pub encrypted: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The data flows between assets, by number.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/data-flows", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), FlowParams),
    responses((status = 200, body = Page<DataFlow>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_flows(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<FlowParams>,
) -> ApiResult<Json<Page<DataFlow>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = FlowQuery {
        asset_id: q.asset_id,
        encrypted: q.encrypted,
        in_scope_only: false,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_data_flows(&ctx, &query).await?))
}

/// Add a data flow between two different assets of the organisation.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/data-flows", tag = "assets", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewDataFlow,
    responses((status = 201, body = DataFlow), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_flow(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewDataFlow>,
) -> ApiResult<(StatusCode, Json<DataFlow>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_data_flow(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One data flow.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/data-flows/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The data flow id")),
    responses((status = 200, body = DataFlow), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_flow(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<DataFlow>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_data_flow(&ctx, path_id(&id, "data flow")?)
            .await?,
    ))
}

/// Change a data flow. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/data-flows/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The data flow id")), request_body = DataFlowPatch,
    responses((status = 200, body = DataFlow), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_flow(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<DataFlowPatch>,
) -> ApiResult<Json<DataFlow>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_data_flow(Actor::User(&p), &ctx, path_id(&id, "data flow")?, &patch)
            .await?,
    ))
}

/// Remove a data flow.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/data-flows/{id}", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The data flow id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_flow(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_data_flow(Actor::User(&p), &ctx, path_id(&id, "data flow")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which diagram to draw.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiagramParams {
    /// An asset: it and its neighbours. Without it: every in-scope asset with a flow.
    pub asset_id: Option<Uuid>,
}

/// The data-flow diagram as SVG: boxes for assets (name and type), arrows labelled with
/// the data category, unencrypted flows drawn dashed in red and marked "not encrypted".
#[utoipa::path(get, path = "/api/v1/orgs/{org}/data-flow-diagram", tag = "assets", params(("org" = String, Path, description = "The organisation's slug"), DiagramParams),
    responses((status = 200, description = "The diagram", content_type = "image/svg+xml", body = String), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn diagram(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<DiagramParams>,
) -> ApiResult<Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let svg = st.app.data_flow_diagram(&ctx, q.asset_id).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}
