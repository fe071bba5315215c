//! Frameworks besides ISO 27001: import an OSCAL catalog or a CISO Assistant library,
//! browse its requirements, import a mapping to ISO 27001:2022, link the organisation's
//! controls, read the coverage.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::frameworks::{
    CoverageReport, Framework, FrameworkImport, LinkInput, MappingEntry, MappingImport,
    MetRequirement, Requirement, RequirementDetail,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FrameworkParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Search and pagination of requirements.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequirementParams {
    /// Words in the id or title.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The link to remove.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkParams {
    /// The requirement's id in the framework.
    pub requirement: String,
    /// The Annex A control or own-control code.
    pub control: String,
}

/// The largest catalog or library accepted (the full SP 800-53 catalog is about 10 MiB).
const FILE_LIMIT: usize = isms_domain::framework::MAX_FILE_BYTES;

async fn body(req: axum::extract::Request) -> Result<Vec<u8>, ApiError> {
    axum::body::to_bytes(req.into_body(), FILE_LIMIT)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "the file is larger than the 32 MiB a framework import accepts",
            )
        })
}

/// The organisation's imported frameworks with their coverage, in import order.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), FrameworkParams),
    responses((status = 200, body = Page<Framework>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<FrameworkParams>,
) -> ApiResult<Json<Page<Framework>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_frameworks(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Import an OSCAL 1.1 catalog (the raw JSON as the body) as a framework. The same
/// catalog (uuid) again updates it, keeping links and mappings. A bad file writes nothing;
/// 422 names the path of every bad value (`catalog.groups[2].controls[0].id`).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/frameworks/oscal-catalog", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug")),
    request_body(content = String, content_type = "application/json", description = "An OSCAL catalog document"),
    responses((status = 200, body = FrameworkImport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_oscal(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    req: axum::extract::Request,
) -> ApiResult<Json<FrameworkImport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let bytes = body(req).await?;
    Ok(Json(
        st.app
            .import_oscal_catalog(Actor::User(&p), &ctx, &bytes)
            .await?,
    ))
}

/// Import a CISO Assistant library (the raw YAML as the body): its framework, reference
/// controls, mappings to ISO 27001:2022 and risk matrix (as a draft risk method).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/frameworks/ciso-assistant", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug")),
    request_body(content = String, content_type = "application/yaml", description = "A CISO Assistant library"),
    responses((status = 200, body = FrameworkImport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_ciso(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    req: axum::extract::Request,
) -> ApiResult<Json<FrameworkImport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let bytes = body(req).await?;
    Ok(Json(
        st.app
            .import_ciso_library(Actor::User(&p), &ctx, &bytes)
            .await?,
    ))
}

/// One framework (by id or name) with its coverage.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks/{framework}", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name")),
    responses((status = 200, body = Framework), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
) -> ApiResult<Json<Framework>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_framework(&ctx, &fw).await?))
}

/// Coverage overall and per group: the assessable requirements met by an implemented
/// control through a mapping or a link.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks/{framework}/coverage", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name")),
    responses((status = 200, body = CoverageReport), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn coverage(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
) -> ApiResult<Json<CoverageReport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.framework_coverage(&ctx, &fw).await?))
}

/// The requirements in document order (keyset paginated); `q` matches id or title.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks/{framework}/requirements", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name"), RequirementParams),
    responses((status = 200, body = Page<Requirement>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn requirements(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<RequirementParams>,
) -> ApiResult<Json<Page<Requirement>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_requirements(&ctx, &fw, q.q.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// One requirement with the controls mapped or linked to it and their status.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks/{framework}/requirements/{requirement}", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name"), ("requirement" = String, Path, description = "The requirement's id, e.g. ac-2.1")),
    responses((status = 200, body = RequirementDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn requirement(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw, rid)): Path<(String, String, String)>,
) -> ApiResult<Json<RequirementDetail>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_requirement(&ctx, &fw, &rid).await?))
}

/// The framework's mappings to ISO 27001:2022, in file order.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/frameworks/{framework}/mappings", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name")),
    responses((status = 200, body = Vec<MappingEntry>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn mappings(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
) -> ApiResult<Json<Vec<MappingEntry>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.framework_mappings(&ctx, &fw).await?))
}

/// Import a mapping table (CSV or XLSX: source id, target id, relationship[, rationale];
/// raw, multipart field `file`, or JSON `{content, format}`); it replaces the
/// framework's mappings. All or nothing: every bad line named (`lines[4].target`).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/frameworks/{framework}/mappings", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name")),
    request_body(content((String = "text/csv"), (Vec<u8> = "multipart/form-data"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = MappingImport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_mapping(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
    req: axum::extract::Request,
) -> ApiResult<Json<MappingImport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let bytes = super::soa::import_bytes(&st, req).await?;
    Ok(Json(
        st.app
            .import_framework_mapping(Actor::User(&p), &ctx, &fw, &bytes)
            .await?,
    ))
}

/// Link one of the organisation's controls (Annex A id or own-control code) to a
/// requirement; linking twice changes nothing.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/frameworks/{framework}/links", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name")),
    request_body = LinkInput,
    responses((status = 204, description = "Linked"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn link(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .link_requirement(Actor::User(&p), &ctx, &fw, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a link.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/frameworks/{framework}/links", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("framework" = String, Path, description = "The framework's id or name"), LinkParams),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn unlink(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, fw)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<LinkParams>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let input = LinkInput {
        requirement: q.requirement,
        control: q.control,
    };
    st.app
        .unlink_requirement(Actor::User(&p), &ctx, &fw, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a control (Annex A id or own-control code) meets in each imported framework.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/controls/{control}/frameworks", tag = "frameworks",
    params(("org" = String, Path, description = "The organisation's slug"), ("control" = String, Path, description = "An Annex A id (5.15) or own-control code")),
    responses((status = 200, body = Vec<MetRequirement>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn control_frameworks(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, control)): Path<(String, String)>,
) -> ApiResult<Json<Vec<MetRequirement>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.control_in_frameworks(&ctx, &control).await?))
}
