//! The organisation's threat and vulnerability catalogues.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::risk_library::{LibraryItem, LibraryItemPatch, LibraryQuery, NewLibraryItem};
use isms_app::{Actor, Page};
use isms_domain::risk::library::LibraryKind;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination of a catalogue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LibraryParams {
    /// `people`, `process`, `technology`, `physical`, `supplier` or `cloud`.
    pub category: Option<String>,
    /// Only retired entries (`true`) or only those in force (`false`); default both.
    pub retired: Option<bool>,
    /// Words in the name or description.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn kind(s: &str) -> Result<LibraryKind, ApiError> {
    LibraryKind::parse(s).ok_or_else(|| ApiError::not_found("catalogue"))
}

/// The catalogue: starter entries (as shipped or as changed) then the organisation's own.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-library/{kind}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`"), LibraryParams),
    responses((status = 200, body = Page<LibraryItem>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<LibraryParams>,
) -> ApiResult<Json<Page<LibraryItem>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = LibraryQuery {
        category: q.category,
        retired: q.retired,
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_library(&ctx, kind(&k)?, &query).await?))
}

/// Add an entry of the organisation's own (code `CT01`, `CV01`, …).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risk-library/{kind}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`")), request_body = NewLibraryItem,
    responses((status = 201, body = LibraryItem), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewLibraryItem>,
) -> ApiResult<(StatusCode, Json<LibraryItem>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let item = st
        .app
        .create_library_item(Actor::User(&p), &ctx, kind(&k)?, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-library/{kind}/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`"), ("code" = String, Path, description = "`T07`, `CV02`, …")),
    responses((status = 200, body = LibraryItem), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k, code)): Path<(String, String, String)>,
) -> ApiResult<Json<LibraryItem>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_library_item(&ctx, kind(&k)?, &code).await?))
}

/// Reword, re-categorise, retire (`retired: true`) or bring back an entry. Send the
/// `version` you read (0 for a starter entry never changed).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/risk-library/{kind}/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`"), ("code" = String, Path, description = "`T07`, `CV02`, …")), request_body = LibraryItemPatch,
    responses((status = 200, body = LibraryItem), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k, code)): Path<(String, String, String)>,
    ApiJson(patch): ApiJson<LibraryItemPatch>,
) -> ApiResult<Json<LibraryItem>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_library_item(Actor::User(&p), &ctx, kind(&k)?, &code, &patch)
            .await?,
    ))
}

/// Remove an entry of the organisation's own (starter entries: 409, retire them instead).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/risk-library/{kind}/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`"), ("code" = String, Path, description = "`CT01`, `CV02`, …")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k, code)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_library_item(Actor::User(&p), &ctx, kind(&k)?, &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Put a starter entry back as shipped: its own wording, in force.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risk-library/{kind}/{code}/reset", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("kind" = String, Path, description = "`threats` or `vulnerabilities`"), ("code" = String, Path, description = "`T07`, `V12`, …")),
    responses((status = 200, body = LibraryItem), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reset(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, k, code)): Path<(String, String, String)>,
) -> ApiResult<Json<LibraryItem>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .reset_library_item(Actor::User(&p), &ctx, kind(&k)?, &code)
            .await?,
    ))
}
