//! The certification lifecycle: certification bodies, their audits, certificates, the
//! cycle with its rule checks, and the auditor-days estimate.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::certification::{
    AuditTimeQuery, AuditTimeView, CertAudit, CertAuditInput, CertBody, CertBodyPatch, Certificate,
    CertificateInput, CycleOverview, NewCertBody, StatusChange,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The inputs of the estimate; each has a default.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditTimeParams {
    /// Effective number of personnel (default: the organisation's recorded size).
    pub personnel: Option<u32>,
    /// Business complexity: low, medium or high.
    pub business: Option<String>,
    /// IT complexity: low, medium or high.
    pub it: Option<String>,
    /// Further change in percent, -100 to 300.
    pub other: Option<i32>,
    /// Stage 1's share of the initial time in percent.
    pub stage1: Option<u32>,
}

/// The certification bodies, by name.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification-bodies", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ListParams),
    responses((status = 200, body = Page<CertBody>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_bodies(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<CertBody>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_cert_bodies(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Record a certification body.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/certification-bodies", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewCertBody,
    responses((status = 201, body = CertBody), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_body(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewCertBody>,
) -> ApiResult<(StatusCode, Json<CertBody>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_cert_body(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One certification body.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification-bodies/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The body's id")),
    responses((status = 200, body = CertBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_body(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
) -> ApiResult<Json<CertBody>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_cert_body(&ctx, id).await?))
}

/// Change a certification body. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/certification-bodies/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The body's id")), request_body = CertBodyPatch,
    responses((status = 200, body = CertBody), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_body(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
    ApiJson(patch): ApiJson<CertBodyPatch>,
) -> ApiResult<Json<CertBody>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_cert_body(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove a certification body (409 while audits or certificates name it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/certification-bodies/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The body's id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_body(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app.delete_cert_body(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The certification-body audits, by number.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification-audits", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ListParams),
    responses((status = 200, body = Page<CertAudit>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_audits(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<CertAudit>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_cert_audits(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Plan or record an audit by the certification body.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/certification-audits", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = CertAuditInput,
    responses((status = 201, body = CertAudit), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<CertAuditInput>,
) -> ApiResult<(StatusCode, Json<CertAudit>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_cert_audit(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One certification-body audit.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification-audits/{reference}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("reference" = String, Path, description = "The audit's reference, e.g. CBA-003")),
    responses((status = 200, body = CertAudit), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, reference)): Path<(String, String)>,
) -> ApiResult<Json<CertAudit>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_cert_audit(&ctx, &reference).await?))
}

/// Replace an audit's fields. Send every field and the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/certification-audits/{reference}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("reference" = String, Path, description = "The audit's reference, e.g. CBA-003")), request_body = CertAuditInput,
    responses((status = 200, body = CertAudit), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, reference)): Path<(String, String)>,
    ApiJson(input): ApiJson<CertAuditInput>,
) -> ApiResult<Json<CertAudit>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_cert_audit(Actor::User(&p), &ctx, &reference, &input)
            .await?,
    ))
}

/// Remove a planned or cancelled audit (409 for a held one).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/certification-audits/{reference}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("reference" = String, Path, description = "The audit's reference, e.g. CBA-003")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, reference)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_cert_audit(Actor::User(&p), &ctx, &reference)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The certificates, by number, each with where it stands today.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certificates", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ListParams),
    responses((status = 200, body = Page<Certificate>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_certificates(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Certificate>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_certificates(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Record a certificate; it expires three years after the decision unless the body set an earlier date.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/certificates", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = CertificateInput,
    responses((status = 201, body = Certificate), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_certificate(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<CertificateInput>,
) -> ApiResult<(StatusCode, Json<Certificate>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_certificate(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One certificate.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certificates/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The certificate's id")),
    responses((status = 200, body = Certificate), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_certificate(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
) -> ApiResult<Json<Certificate>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_certificate(&ctx, id).await?))
}

/// Replace a certificate's details (not its status). Send every field and the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/certificates/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The certificate's id")), request_body = CertificateInput,
    responses((status = 200, body = Certificate), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_certificate(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
    ApiJson(input): ApiJson<CertificateInput>,
) -> ApiResult<Json<Certificate>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_certificate(Actor::User(&p), &ctx, id, &input)
            .await?,
    ))
}

/// Remove a certificate recorded by mistake.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/certificates/{id}", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The certificate's id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_certificate(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app.delete_certificate(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspend, reinstate, withdraw, expire or restore a certificate (restoration only within six months of expiry).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/certificates/{id}/status", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = Uuid, Path, description = "The certificate's id")), request_body = StatusChange,
    responses((status = 200, body = Certificate), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn certificate_status(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, Uuid)>,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<Json<Certificate>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .change_certificate_status(Actor::User(&p), &ctx, id, &change)
            .await?,
    ))
}

/// The certificate in force, its cycle dates, the audits and the rules the plan breaks.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification/cycle", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = CycleOverview), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn cycle(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<CycleOverview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.certification_cycle(&ctx).await?))
}

/// The auditor-days estimate from the ISMS audit-time chart, with every input and the chart's reliability tags.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification/audit-time", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug"), AuditTimeParams),
    responses((status = 200, body = AuditTimeView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn audit_time(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<AuditTimeParams>,
) -> ApiResult<Json<AuditTimeView>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = AuditTimeQuery {
        personnel: q.personnel,
        business: q.business,
        it: q.it,
        other: q.other,
        stage1: q.stage1,
    };
    Ok(Json(st.app.audit_time(&ctx, &q)?))
}

/// The iCalendar feed of the cycle's deadlines, certification audits, document reviews,
/// evidence expiry, open findings' deadlines and corrective actions due (from 90 days ago
/// on), for a calendar application. Each event keeps its UID from one export to the next.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/certification/calendar.ics", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, description = "The calendar", content((String = "text/calendar"))), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn calendar(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(st.app.certification_calendar(&ctx).await?))
}

/// The Stage 1 document pack: scope, policy, risk method, SoA, risk treatment plan,
/// objectives, the latest completed internal audit report and the latest held management
/// review's minutes, each in the version in force as PDF and Markdown, in one zip. Its
/// README lists what is missing or only in draft; `manifest.json` and `SHA256SUMS` give
/// each file's SHA-256, version, approval date and approver.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/exports/stage1-pack", tag = "certification",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, description = "The pack", content((Vec<u8> = "application/zip"))), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stage1_pack(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(st.app.stage1_pack_file(&ctx).await?))
}
