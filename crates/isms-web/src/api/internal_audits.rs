//! Internal audit (9.2): audit areas, the programme over the certification cycle with its
//! coverage matrix, audits with their independence check, checklists and reports.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::internal_audits::{
    Audit, AuditArea, AuditAreaPatch, AuditPatch, AuditQuery, Checklist, ChecklistAnswer,
    ChecklistItem, NewAudit, NewAuditArea, NewProgrammeEntry, Programme, ProgrammePatch,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Filters and pagination of the audit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// `planned`, `in_progress`, `completed` or `cancelled`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The report's format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `pdf` (default) or `md`.
    pub format: Option<String>,
}

/// The audit areas (departments, processes) by name.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit-areas", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), PageParams),
    responses((status = 200, body = Page<AuditArea>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_areas(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditArea>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_audit_areas(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Add an audit area with its owner and the people who work in it.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/audit-areas", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewAuditArea,
    responses((status = 201, body = AuditArea), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_area(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewAuditArea>,
) -> ApiResult<(StatusCode, Json<AuditArea>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let a = st
        .app
        .create_audit_area(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// One audit area.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit-areas/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 200, body = AuditArea), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_area(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<AuditArea>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit area")?;
    Ok(Json(st.app.get_audit_area(&ctx, id).await?))
}

/// Change an audit area. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/audit-areas/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")), request_body = AuditAreaPatch,
    responses((status = 200, body = AuditArea), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_area(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<AuditAreaPatch>,
) -> ApiResult<Json<AuditArea>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit area")?;
    Ok(Json(
        st.app
            .update_audit_area(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove an audit area.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/audit-areas/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_area(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit area")?;
    st.app.delete_audit_area(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit programme: the coverage matrix of every clause and applicable control over the cycle, holes and under-planned items first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit-programme", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Programme), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_programme(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Programme>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.audit_programme(&ctx).await?))
}

/// Set the year the certification cycle starts. Send the `version` you read (0 the first time).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/audit-programme", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = ProgrammePatch,
    responses((status = 200, body = Programme), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_programme(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(patch): ApiJson<ProgrammePatch>,
) -> ApiResult<Json<Programme>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_audit_programme(Actor::User(&p), &ctx, &patch)
            .await?,
    ))
}

/// Plan a clause or control for audit in a year of the cycle (planning it twice changes nothing).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/audit-programme/entries", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewProgrammeEntry,
    responses((status = 200, body = Programme), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_entry(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewProgrammeEntry>,
) -> ApiResult<Json<Programme>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .add_programme_entry(Actor::User(&p), &ctx, &input)
            .await?,
    ))
}

/// Take a clause or control off a year of the programme.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/audit-programme/entries/{year}/{item}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("year" = i32, Path, description = "The year"), ("item" = String, Path, description = "9.2.2, A.5.15 or NW-07")),
    responses((status = 200, body = Programme), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_entry(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, year, item)): Path<(String, String, String)>,
) -> ApiResult<Json<Programme>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let year: i32 = year
        .parse()
        .map_err(|_| crate::error::ApiError::not_found("programme entry"))?;
    Ok(Json(
        st.app
            .remove_programme_entry(Actor::User(&p), &ctx, year, &item)
            .await?,
    ))
}

/// Spread every unplanned or under-planned item over the years of the cycle, evenly and deterministically.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/audit-programme/plan-the-rest", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Programme), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_the_rest(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Programme>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.plan_the_rest(Actor::User(&p), &ctx).await?))
}

/// Internal audits, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audits", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), AuditParams),
    responses((status = 200, body = Page<Audit>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Json<Page<Audit>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = AuditQuery {
        status: q.status,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_audits(&ctx, &q).await?))
}

/// Plan an internal audit. An auditor who owns or works in an audited area, or owns a control in scope, is refused (422 naming `lead_auditor_id` or `team`) unless an `independence_justification` is given; it is recorded in the audit trail.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/audits", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewAudit,
    responses((status = 201, body = Audit), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewAudit>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let a = st.app.create_audit(Actor::User(&p), &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// One internal audit.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audits/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 200, body = Audit), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Audit>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    Ok(Json(st.app.get_audit(&ctx, id).await?))
}

/// Change an audit or move it on (`status`: in_progress generates the checklist; completed needs every item answered). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/audits/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")), request_body = AuditPatch,
    responses((status = 200, body = Audit), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<AuditPatch>,
) -> ApiResult<Json<Audit>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    Ok(Json(
        st.app
            .update_audit(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove an audit that is not completed.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/audits/{id}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    st.app.delete_audit(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The checklist with progress and results.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audits/{id}/checklist", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 200, body = Checklist), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn checklist(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Checklist>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    Ok(Json(st.app.get_checklist(&ctx, id).await?))
}

/// Generate the checklist from the scope now (items already there are kept).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/audits/{id}/checklist", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id")),
    responses((status = 200, body = Checklist), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn generate_checklist(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Checklist>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    Ok(Json(
        st.app.generate_checklist(Actor::User(&p), &ctx, id).await?,
    ))
}

/// Answer a checklist item (result, notes, evidence sampled). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/audits/{id}/checklist/{item}", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id"), ("item" = String, Path, description = "The checklist item id")), request_body = ChecklistAnswer,
    responses((status = 200, body = ChecklistItem), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, item)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<ChecklistAnswer>,
) -> ApiResult<Json<ChecklistItem>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    let item = path_id(&item, "checklist item")?;
    Ok(Json(
        st.app
            .answer_checklist_item(Actor::User(&p), &ctx, id, item, &input)
            .await?,
    ))
}

/// The audit report as PDF or Markdown.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audits/{id}/report", tag = "internal-audit",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The id"), ReportParams),
    responses((status = 200, description = "The report", content((Vec<u8> = "application/pdf"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "audit")?;
    let f = st
        .app
        .audit_report_file(&ctx, id, q.format.as_deref().unwrap_or("pdf"))
        .await?;
    Ok(crate::download(f))
}
