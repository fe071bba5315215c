//! The evidence register: files (multipart upload, verified download) and links, what
//! they support, and the controls without current evidence.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::upload::{ApiMultipart, MultipartBody, is_multipart};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::evidence::{
    Evidence, EvidenceCoverage, EvidencePatch, EvidenceQuery, FileDownload, NewEvidence, NewLink,
};
use isms_app::{Actor, Page};
use isms_domain::ValidationError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Filters and pagination of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceParams {
    /// Linked to this control (`5.15`, `A.5.15`, `NW-07`): the control's evidence history.
    pub control: Option<String>,
    /// Linked to this clause (`6.1.3`).
    pub clause: Option<String>,
    /// Linked to this risk (`R-012`).
    pub risk: Option<String>,
    /// `file` or `link`.
    pub kind: Option<String>,
    /// `true`: only evidence whose validity has passed.
    pub expired: Option<bool>,
    /// `true`: only evidence that expires within 30 days.
    pub expiring: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A file upload (`multipart/form-data`): the file and the evidence's metadata.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file (at most the upload limit, 25 MiB by default). Its type is read from the
    /// bytes; the name is kept for display only.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub title: String,
    pub description: Option<String>,
    /// A member's id.
    pub collected_by: Option<String>,
    /// YYYY-MM-DD; default today.
    pub collected_on: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub valid_until: Option<String>,
    /// Controls it supports, comma-separated or repeated (`5.15, NW-07`).
    pub controls: Option<String>,
    /// Clauses it supports (`9.1, 9.2`).
    pub clauses: Option<String>,
    /// Risks it supports (`R-012`).
    pub risks: Option<String>,
}

const UPLOAD_FIELDS: &[&str] = &[
    "_csrf",
    "kind",
    "title",
    "description",
    "url",
    "collected_by",
    "collected_on",
    "period_from",
    "period_to",
    "valid_until",
    "controls",
    "clauses",
    "risks",
];

/// The links named in a form field: references separated by commas, semicolons or
/// spaces (`5.15, NW-07`).
pub fn links_in<'a>(kind: &'a str, value: &'a str) -> impl Iterator<Item = NewLink> + 'a {
    value
        .split([',', ';', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(move |r| NewLink {
            kind: kind.into(),
            reference: r.to_owned(),
        })
}

/// Read the metadata fields of a multipart upload; unknown fields and a bad member id
/// are named.
pub fn new_evidence_from_form(b: &MultipartBody) -> Result<NewEvidence, ValidationError> {
    let mut v = ValidationError::new();
    for (k, _) in &b.fields {
        if !UPLOAD_FIELDS.contains(&k.as_str()) {
            v.push(k.clone(), "is not a field of an evidence upload");
        }
    }
    let text = |k: &str| b.get(k).map(str::to_owned).filter(|s| !s.trim().is_empty());
    let collected_by = match text("collected_by") {
        None => None,
        Some(s) => match uuid::Uuid::parse_str(s.trim()) {
            Ok(u) => Some(u),
            Err(_) => {
                v.push("collected_by", "is not a member id");
                None
            }
        },
    };
    let mut links = Vec::new();
    for (field, kind) in [
        ("controls", "control"),
        ("clauses", "clause"),
        ("risks", "risk"),
    ] {
        for value in b.all(field) {
            links.extend(links_in(kind, value));
        }
    }
    v.into_result()?;
    Ok(NewEvidence {
        kind: text("kind"),
        title: b.get("title").unwrap_or("").to_owned(),
        description: b.get("description").unwrap_or("").to_owned(),
        url: text("url"),
        collected_by,
        collected_on: text("collected_on"),
        period_from: text("period_from"),
        period_to: text("period_to"),
        valid_until: text("valid_until"),
        links,
    })
}

/// The register, newest first; filter by a control for its evidence history.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/evidence", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), EvidenceParams),
    responses((status = 200, body = Page<Evidence>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<EvidenceParams>,
) -> ApiResult<Json<Page<Evidence>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = EvidenceQuery {
        control: q.control,
        clause: q.clause,
        risk: q.risk,
        kind: q.kind,
        expired: q.expired.unwrap_or(false),
        expiring: q.expiring.unwrap_or(false),
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_evidence(&ctx, &q).await?))
}

/// Record evidence: a link as JSON, or a file as `multipart/form-data` (the file in
/// `file`). Over the upload limit is 413 and nothing is stored.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/evidence", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug")),
    request_body(content((NewEvidence = "application/json"), (EvidenceUpload = "multipart/form-data"))),
    responses((status = 201, body = Evidence), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Evidence>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    // Refuse a viewer before reading a large body.
    ctx.require(isms_domain::rbac::Permission::Write, "add evidence")?;
    let e = if is_multipart(req.headers()) {
        let ApiMultipart(body) = ApiMultipart::from_request(req, &st).await?;
        let input = new_evidence_from_form(&body).map_err(isms_app::AppError::from)?;
        st.app
            .create_evidence(Actor::User(&p), &ctx, &input, body.file.as_ref())
            .await?
    } else {
        let ApiJson(input) = ApiJson::<NewEvidence>::from_request(req, &st).await?;
        st.app
            .create_evidence(Actor::User(&p), &ctx, &input, None)
            .await?
    };
    Ok((StatusCode::CREATED, Json(e)))
}

/// Controls recorded as implemented or partially implemented with no current evidence.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/evidence/coverage", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = EvidenceCoverage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn coverage(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<EvidenceCoverage>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.evidence_coverage(&ctx).await?))
}

/// One piece of evidence with its links.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/evidence/{id}", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id")),
    responses((status = 200, body = Evidence), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Evidence>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    Ok(Json(st.app.get_evidence(&ctx, id).await?))
}

/// Change the metadata (never the file). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/evidence/{id}", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id")), request_body = EvidencePatch,
    responses((status = 200, body = Evidence), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<EvidencePatch>,
) -> ApiResult<Json<Evidence>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    Ok(Json(
        st.app
            .update_evidence(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove a piece of evidence and its links.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/evidence/{id}", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    st.app.delete_evidence(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored file as a download (never shown inline).
pub fn file_response(f: FileDownload) -> Response {
    let mut r = f.bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&f.content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&isms_app::blobs::content_disposition(&f.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&f.sha256) {
        h.insert("x-content-sha256", v);
    }
    r
}

/// Download the file. Its SHA-256 is checked first: bytes that no longer match are
/// refused with an `integrity-failure` problem (and logged), never served.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/evidence/{id}/file", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id")),
    responses((status = 200, description = "The file as an attachment, with its sniffed type and X-Content-SHA256", content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 500, description = "integrity-failure: the stored bytes no longer match their SHA-256", body = Problem, content_type = "application/problem+json")))]
pub async fn file(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    Ok(file_response(st.app.download_evidence(&ctx, id).await?))
}

/// Link the evidence to a control, clause or risk (linking twice changes nothing).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/evidence/{id}/links", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id")), request_body = NewLink,
    responses((status = 200, body = Evidence), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_link(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(link): ApiJson<NewLink>,
) -> ApiResult<Json<Evidence>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    Ok(Json(
        st.app
            .add_evidence_link(Actor::User(&p), &ctx, id, &link)
            .await?,
    ))
}

/// Take a link off the evidence.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/evidence/{id}/links/{kind}/{reference}", tag = "evidence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The evidence id"), ("kind" = String, Path, description = "control, clause or risk"), ("reference" = String, Path, description = "5.15, 6.1.3, R-012")),
    responses((status = 200, body = Evidence), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_link(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, kind, reference)): Path<(String, String, String, String)>,
) -> ApiResult<Json<Evidence>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "evidence")?;
    Ok(Json(
        st.app
            .remove_evidence_link(Actor::User(&p), &ctx, id, &kind, &reference)
            .await?,
    ))
}
