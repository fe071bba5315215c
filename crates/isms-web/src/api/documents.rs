//! The document register: documents, their versions and approval workflow, links to
//! clauses and controls, templates, diffs and exports.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::documents::{
    Decision, Document, DocumentPatch, DocumentQuery, DocumentVersion, Links, NewDocument,
    NewVersion, Retire, VersionDiff, VersionPatch,
};
use isms_app::{Actor, Page};
use isms_domain::document::templates::Template;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Filters and pagination of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `policy`, `procedure`, `standard`, `record` or `plan`.
    pub kind: Option<String>,
    /// `draft`, `in_review`, `approved` or `retired`.
    pub status: Option<String>,
    /// A member's user id.
    pub owner_id: Option<Uuid>,
    /// `true`: only approved documents past their review day.
    pub overdue: Option<bool>,
    /// Only documents linked to this control (`5.15`, `NW-02`).
    pub control: Option<String>,
    /// Only documents linked to this clause (`9.2`).
    pub clause: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Page of the versions list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Two version numbers to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    pub from: i64,
    pub to: i64,
}

/// Format of a download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatParams {
    /// Register: `csv` (default), `xlsx` or `md`. A version: `md` (default) or `pdf`.
    pub format: Option<String>,
}

fn number(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .map_err(|_| ApiError::not_found("document version"))
}

/// The document register, by number.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), DocumentParams),
    responses((status = 200, body = Page<Document>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<DocumentParams>,
) -> ApiResult<Json<Page<Document>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = DocumentQuery {
        kind: q.kind,
        status: q.status,
        owner_id: q.owner_id,
        overdue: q.overdue,
        control: q.control,
        clause: q.clause,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_documents(&ctx, &query).await?))
}

/// Add a document with a draft version 1: blank (`title`, `kind`, optional `content`) or
/// from a `template`, filled with the organisation's name, scope and role holders.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents", tag = "documents", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewDocument,
    responses((status = 201, body = Document), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewDocument>,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_document(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// The templates a document can start from, with their kind, review interval and the
/// clauses and controls they serve.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/templates", tag = "documents", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Vec<Template>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn templates(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<Template>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.document_templates(&ctx)?.to_vec()))
}

/// The register as CSV, XLSX or Markdown (cells starting = + - @ are escaped).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/export", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), FormatParams),
    responses((status = 200, description = "The register", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<FormatParams>,
) -> ApiResult<Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let format = q.format.unwrap_or_else(|| "csv".to_owned());
    Ok(crate::download(
        st.app.export(&ctx, "documents", &format, None).await?,
    ))
}

/// One document with its links.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")),
    responses((status = 200, body = Document), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Document>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app.get_document(&ctx, path_id(&id, "document")?).await?,
    ))
}

/// Change the register entry (title, kind, owner, approver, classification, review
/// interval). Send the `version` you read (409 when stale; 409 when retired).
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/documents/{id}", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")), request_body = DocumentPatch,
    responses((status = 200, body = Document), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<DocumentPatch>,
) -> ApiResult<Json<Document>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_document(Actor::User(&p), &ctx, path_id(&id, "document")?, &patch)
            .await?,
    ))
}

/// Delete a document that never had an approved version (409 otherwise: retire it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/documents/{id}", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_document(Actor::User(&p), &ctx, path_id(&id, "document")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the clauses (`9.2`) and controls (`5.15`, `NW-02`) the document serves.
#[utoipa::path(put, path = "/api/v1/orgs/{org}/documents/{id}/links", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")), request_body = Links,
    responses((status = 200, body = Document), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn links(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Links>,
) -> ApiResult<Json<Document>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .set_document_links(Actor::User(&p), &ctx, path_id(&id, "document")?, &input)
            .await?,
    ))
}

/// Retire a document (ISMS managers and administrators): kept as a record, no longer
/// due for review, nothing about it changes. 409 while a version waits for a decision.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/retire", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")), request_body = Retire,
    responses((status = 200, body = Document), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn retire(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Retire>,
) -> ApiResult<Json<Document>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .retire_document(Actor::User(&p), &ctx, path_id(&id, "document")?, &input)
            .await?,
    ))
}

/// What changed between two versions, line by line.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}/diff", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), DiffParams),
    responses((status = 200, body = VersionDiff), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn diff(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<DiffParams>,
) -> ApiResult<Json<VersionDiff>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .diff_document_versions(&ctx, path_id(&id, "document")?, q.from, q.to)
            .await?,
    ))
}

/// The versions of a document, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}/versions", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), VersionParams),
    responses((status = 200, body = Page<DocumentVersion>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn versions(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionParams>,
) -> ApiResult<Json<Page<DocumentVersion>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_document_versions(
                &ctx,
                path_id(&id, "document")?,
                q.cursor.as_deref(),
                q.limit,
            )
            .await?,
    ))
}

/// Start a new version: a draft copied from the version in force. One version in work
/// at a time (409 otherwise).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/versions", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id")), request_body = NewVersion,
    responses((status = 201, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn new_version(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewVersion>,
) -> ApiResult<(StatusCode, Json<DocumentVersion>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .new_document_version(Actor::User(&p), &ctx, path_id(&id, "document")?, &input)
                .await?,
        ),
    ))
}

/// One version.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")),
    responses((status = 200, body = DocumentVersion), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn version(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_document_version(&ctx, path_id(&id, "document")?, number(&n)?)
            .await?,
    ))
}

/// Change a draft or rejected version (a rejected one becomes a draft again, keeping the
/// rejection comment). Approved, superseded and in-review versions are frozen: 409 with
/// the reason. Send the version's `version`.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")), request_body = VersionPatch,
    responses((status = 200, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_version(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    ApiJson(patch): ApiJson<VersionPatch>,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_document_version(
                Actor::User(&p),
                &ctx,
                path_id(&id, "document")?,
                number(&n)?,
                &patch,
            )
            .await?,
    ))
}

/// Submit a draft (or rejected) version for approval.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/submit", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")), request_body = Decision,
    responses((status = 200, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .submit_document_version(
                Actor::User(&p),
                &ctx,
                path_id(&id, "document")?,
                number(&n)?,
                &input,
            )
            .await?,
    ))
}

/// Approve a version in review (ISMS managers and administrators; when the document
/// names an approver, only that person or an administrator). The version before it is
/// superseded; the next review day is set.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/approve", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")), request_body = Decision,
    responses((status = 200, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .approve_document_version(
                Actor::User(&p),
                &ctx,
                path_id(&id, "document")?,
                number(&n)?,
                &input,
            )
            .await?,
    ))
}

/// Reject a version in review; `comment` is required (422 without) and stays with the
/// version when it is redrafted.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/reject", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")), request_body = Decision,
    responses((status = 200, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .reject_document_version(
                Actor::User(&p),
                &ctx,
                path_id(&id, "document")?,
                number(&n)?,
                &input,
            )
            .await?,
    ))
}

/// One version as Markdown (default) or PDF.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/download", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number"), FormatParams),
    responses((status = 200, description = "The version", content((String = "text/markdown"), (Vec<u8> = "application/pdf"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn download(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<FormatParams>,
) -> ApiResult<Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let format = q.format.unwrap_or_else(|| "md".to_owned());
    let fmt = isms_export::TableFormat::parse(&format).ok_or_else(|| {
        isms_app::AppError::from(isms_domain::ValidationError::single(
            "format",
            format!("\"{format}\" is not a format for a document version; choose md or pdf"),
        ))
    })?;
    Ok(crate::download(
        st.app
            .document_version_file(&ctx, path_id(&id, "document")?, number(&n)?, fmt)
            .await?,
    ))
}

/// The stored file as a download: its sniffed type and the sanitised name it came with.
pub(crate) fn file_response(f: isms_app::blobs::FileBytes, name: &str) -> Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, f.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                isms_app::blobs::content_disposition(name),
            ),
            (
                axum::http::header::HeaderName::from_static("x-content-sha256"),
                f.sha256,
            ),
        ],
        f.bytes,
    )
        .into_response()
}

/// Attach a file to a draft or rejected version instead of Markdown: multipart/form-data
/// with `file` and the version's `version`. Stored by its SHA-256; frozen versions 409;
/// over the upload limit 413 (nothing stored).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/file", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")),
    request_body(content = String, content_type = "multipart/form-data", description = "Fields `file` (the file) and `version` (the version's version)"),
    responses((status = 200, body = DocumentVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn attach(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
    crate::upload::ApiMultipart(body): crate::upload::ApiMultipart,
) -> ApiResult<Json<DocumentVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let (id, n) = (path_id(&id, "document")?, number(&n)?);
    let mut v = isms_domain::ValidationError::new();
    let version = match body.get("version").map(|s| s.trim().parse::<i64>()) {
        Some(Ok(x)) => x,
        _ => {
            v.push("version", "send the version's `version` as a whole number");
            0
        }
    };
    if body.file.is_none() {
        v.push("file", "is required: send the file in the `file` field");
    }
    v.into_result().map_err(isms_app::AppError::from)?;
    let Some(up) = body.file.as_ref() else {
        return Err(ApiError::bad_request("no file"));
    };
    Ok(Json(
        st.app
            .attach_document_file(Actor::User(&p), &ctx, id, n, version, up)
            .await?,
    ))
}

/// The file attached to a version; its SHA-256 is checked before it is served.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/documents/{id}/versions/{number}/file", tag = "documents", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The document id"), ("number" = i64, Path, description = "The version number")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn file(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, n)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let (f, name) = st
        .app
        .document_version_attachment(&ctx, path_id(&id, "document")?, number(&n)?)
        .await?;
    Ok(file_response(f, &name))
}
