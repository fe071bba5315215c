use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::risk_methods::{ApproveRiskMethod, NewRiskMethod, RiskMethod, RiskMethodPatch};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Every version of the organisation's risk assessment method, newest first (one page).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-methods", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Page<RiskMethod>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Page<RiskMethod>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(Page {
        items: st.app.list_risk_methods(&ctx).await?,
        next_cursor: None,
    }))
}

/// Start a draft version: from a preset (`3x3`, `4x4`, `5x5`), a copy of an earlier
/// version (`from`), or (neither) a copy of the version in force. One draft at a time.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risk-methods", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewRiskMethod,
    responses((status = 201, body = RiskMethod), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewRiskMethod>,
) -> ApiResult<(StatusCode, Json<RiskMethod>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_risk_method(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One version.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-methods/{id}", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")),
    responses((status = 200, body = RiskMethod), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<RiskMethod>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_risk_method(&ctx, path_id(&id, "risk method")?)
            .await?,
    ))
}

/// Change a draft: the whole `method` (scales, levels, matrix, acceptance level, review
/// interval — validated as a whole) and/or the `change_note`. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/risk-methods/{id}", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")), request_body = RiskMethodPatch,
    responses((status = 200, body = RiskMethod), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<RiskMethodPatch>,
) -> ApiResult<Json<RiskMethod>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_risk_method(Actor::User(&p), &ctx, path_id(&id, "risk method")?, &patch)
            .await?,
    ))
}

/// Delete a draft (approved and superseded versions stay as records).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/risk-methods/{id}", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_risk_method(Actor::User(&p), &ctx, path_id(&id, "risk method")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approve a draft (ISMS managers and administrators). It comes into force; the version
/// before it is superseded.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/risk-methods/{id}/approve", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")), request_body = ApproveRiskMethod,
    responses((status = 200, body = RiskMethod), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<ApproveRiskMethod>,
) -> ApiResult<Json<RiskMethod>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .approve_risk_method(Actor::User(&p), &ctx, path_id(&id, "risk method")?, &input)
            .await?,
    ))
}

/// Format of the methodology document.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `pdf` (default) or `md`.
    pub format: Option<String>,
}

/// The risk assessment methodology document (6.1.2) of one version, as PDF or Markdown.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/risk-methods/{id}/document", tag = "risk-methods", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id"), DocumentParams),
    responses((status = 200, description = "The document", content((Vec<u8> = "application/pdf"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn document(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<DocumentParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "risk method")?;
    let format = q.format.unwrap_or_else(|| "pdf".to_owned());
    let Some(fmt) = isms_export::TableFormat::parse(&format) else {
        return Err(
            isms_app::AppError::from(isms_domain::ValidationError::single(
                "format",
                format!("\"{format}\" is not a document format; choose pdf or md"),
            ))
            .into(),
        );
    };
    Ok(crate::download(
        st.app.risk_method_file(&ctx, id, fmt).await?,
    ))
}
