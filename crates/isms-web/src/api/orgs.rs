use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::orgs::{NewOrg, OrgPatch, OrgView};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Keyset pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Items per page, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Organisations you can open (all of them for an instance administrator).
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organisations", params(PageParams),
    responses((status = 200, body = Page<OrgView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orgs(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<OrgView>>> {
    Ok(Json(
        st.app.list_orgs(&p, q.cursor.as_deref(), q.limit).await?,
    ))
}

/// Create an organisation (instance administrators); you become its administrator.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "organisations", request_body = NewOrg,
    responses((status = 201, body = OrgView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_org(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<NewOrg>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    Ok((
        StatusCode::CREATED,
        Json(st.app.create_org(Actor::User(&p), &input).await?),
    ))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{org}", tag = "organisations", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = OrgView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_org(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<OrgView>> {
    Ok(Json(st.app.org_access(&p, &org).await?.view()))
}

/// Change name or size (organisation administrators). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}", tag = "organisations", params(("org" = String, Path, description = "The organisation's slug")), request_body = OrgPatch,
    responses((status = 200, body = OrgView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "Stale version", body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_org(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(patch): ApiJson<OrgPatch>,
) -> ApiResult<Json<OrgView>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.update_org(&p, &ctx, &patch).await?))
}

/// The whole organisation as code: the directory `isms export yaml` writes (one YAML
/// file per register, documents and their versions one file each, evidence files by
/// SHA-256, a README with the format version), as a zip whose entries are sorted and
/// dated 1980-01-01, so that the same records give the same bytes. Needs the admin role
/// (it holds every register); the audit trail, sessions, tokens and password hashes are
/// not in it.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/exports/yaml", tag = "organisations",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, description = "The zip", content((Vec<u8> = "application/zip"))), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn export_yaml(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(st.app.export_yaml_zip(&ctx).await?))
}
