//! The Statement of Applicability: versions, entries, approval, comparison, exports and
//! import.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::foundation::{Approve, NewDocVersion};
use isms_app::soa::{SoaDetail, SoaDiff, SoaEntry, SoaEntryPatch, SoaFilter, SoaVersion};
use isms_app::{Actor, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A version number in the path; anything else is not found.
pub(crate) fn path_number(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found("SoA version"))
}

/// Page of the version list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SoaListParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Which entries to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SoaShowParams {
    /// `undecided`, `applicable`, `excluded` or `incomplete` (default: every control).
    pub show: Option<String>,
}

/// Two versions to compare (by number).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SoaDiffParams {
    pub from: i64,
    pub to: i64,
}

/// Format of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SoaExportParams {
    /// `pdf` (default), `xlsx`, `csv` or `md`.
    pub format: Option<String>,
}

/// One entry and the version it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct SoaEntryDetail {
    pub soa: SoaVersion,
    pub entry: SoaEntry,
}

/// The versions of the SoA, newest first (keyset pages).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/soa", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), SoaListParams),
    responses((status = 200, body = Page<SoaVersion>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<SoaListParams>,
) -> ApiResult<Json<Page<SoaVersion>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_soa_versions(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Start a draft: a copy of the latest approved version's decisions (every control
/// undecided when there is none). One draft at a time (409 otherwise).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/soa", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewDocVersion,
    responses((status = 201, body = SoaVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewDocVersion>,
) -> ApiResult<(StatusCode, Json<SoaVersion>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_soa_draft(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One version: every entry with its derived reasons and implementation status (live in
/// a draft, frozen once approved), the completeness and the warnings.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/soa/{number}", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number"), SoaShowParams),
    responses((status = 200, body = SoaDetail), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<SoaShowParams>,
) -> ApiResult<Json<SoaDetail>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let n = path_number(&number)?;
    let filter = SoaFilter::parse(q.show.as_deref())?;
    Ok(Json(st.app.get_soa(&ctx, n, filter).await?))
}

/// Delete a draft (approved and superseded versions are records: 409).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/soa/{number}", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_soa_draft(Actor::User(&p), &ctx, path_number(&number)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One entry of a version.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/soa/{number}/entries/{control}", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number"), ("control" = String, Path, description = "The Annex A control, e.g. 5.15")),
    responses((status = 200, body = SoaEntryDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_entry(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number, control)): Path<(String, String, String)>,
) -> ApiResult<Json<SoaEntryDetail>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let (soa, entry) = st
        .app
        .get_soa_entry(&ctx, path_number(&number)?, &control)
        .await?;
    Ok(Json(SoaEntryDetail { soa, entry }))
}

/// Decide one control in a draft: applicable (`yes`, `no`, `undecided`), inclusion note,
/// exclusion justification (required when not applicable: 422). Send the entry's
/// `version`. An approved or superseded version cannot change: 409.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/soa/{number}/entries/{control}", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number"), ("control" = String, Path, description = "The Annex A control, e.g. 5.15")),
    request_body = SoaEntryPatch,
    responses((status = 200, body = SoaEntry), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_entry(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number, control)): Path<(String, String, String)>,
    ApiJson(patch): ApiJson<SoaEntryPatch>,
) -> ApiResult<Json<SoaEntry>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_soa_entry(
                Actor::User(&p),
                &ctx,
                path_number(&number)?,
                &control,
                &patch,
            )
            .await?,
    ))
}

/// Approve a draft (ISMS managers and administrators). Refused (422, naming each control)
/// while a control is undecided, an inclusion has no reason or an exclusion no
/// justification. Records who and when, freezes the reasons and statuses, supersedes the
/// version before.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/soa/{number}/approve", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number")),
    request_body = Approve,
    responses((status = 200, body = SoaVersion), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number)): Path<(String, String)>,
    ApiJson(input): ApiJson<Approve>,
) -> ApiResult<Json<SoaVersion>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .approve_soa(Actor::User(&p), &ctx, path_number(&number)?, &input)
            .await?,
    ))
}

/// What changed per control between two versions (applicability, notes, justification,
/// derived reasons, implementation status: before and after).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/soa/diff", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), SoaDiffParams),
    responses((status = 200, body = SoaDiff), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn diff(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<SoaDiffParams>,
) -> ApiResult<Json<SoaDiff>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.soa_diff(&ctx, q.from, q.to).await?))
}

/// The SoA of one version as a file: PDF (title page, repeating table headers, page
/// numbers), XLSX (frozen header, filters), CSV or Markdown. Cells that start like a
/// formula are escaped.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/soa/{number}/export", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), ("number" = i64, Path, description = "The version number"), SoaExportParams),
    responses((status = 200, description = "The file", content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, number)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<SoaExportParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let n = path_number(&number)?;
    let fmt = parse_soa_format(q.format.as_deref())?;
    Ok(crate::download(st.app.soa_file(&ctx, Some(n), fmt).await?))
}

/// `pdf` (default), `xlsx`, `csv` or `md`.
pub(crate) fn parse_soa_format(f: Option<&str>) -> ApiResult<isms_export::TableFormat> {
    let f = f.unwrap_or("pdf");
    isms_export::TableFormat::parse(f).ok_or_else(|| {
        isms_app::AppError::from(isms_domain::ValidationError::single(
            "format",
            format!("\"{f}\" is not an SoA format; choose pdf, xlsx, csv or md"),
        ))
        .into()
    })
}

/// An SoA to import, as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SoaImportBody {
    /// The CSV text, or (with `format: "xlsx"`) the workbook in base64.
    pub content: String,
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SoaImportParams {
    /// Say what would change and write nothing.
    pub dry_run: Option<bool>,
}

/// The largest file the import takes (the request body limit).
const IMPORT_LIMIT: usize = 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "the file is larger than the 1 MiB the import accepts",
    )
}

/// The file of an import request: a multipart upload (field `file`), a JSON body
/// ([`SoaImportBody`]) or the raw CSV/XLSX bytes.
pub(crate) async fn import_bytes(
    st: &AppState,
    req: axum::extract::Request,
) -> Result<Vec<u8>, ApiError> {
    use axum::extract::FromRequest;
    let ct = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut m = axum::extract::Multipart::from_request(req, st)
            .await
            .map_err(|e| ApiError::bad_request(format!("the upload could not be read: {e}")))?;
        while let Some(field) = m.next_field().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request(format!("the upload could not be read: {e}"))
            }
        })? {
            if field.name() == Some("file") {
                let b = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        ApiError::bad_request(format!("the upload could not be read: {e}"))
                    }
                })?;
                return Ok(b.to_vec());
            }
        }
        return Err(ApiError::invalid_field(
            "file",
            "send the file in a field named file",
        ));
    }
    let body = axum::body::to_bytes(req.into_body(), IMPORT_LIMIT)
        .await
        .map_err(|_| too_large())?;
    if ct.starts_with("application/json") {
        return super::imports::json_file(&body);
    }
    Ok(body.to_vec())
}

/// Import an existing SoA from CSV or XLSX (2022 ids such as 5.15, or 2013 ids such as
/// A.9.1.1, mapped to 2022) into the draft (started when there is none). Columns: control
/// id, applicable (yes/no), justification or reason, justification for exclusion. All or
/// nothing: any bad row and nothing is written, every bad row named (`lines[7].applicable`).
/// `dry_run=true` says what would change.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/soa/import", tag = "soa",
    params(("org" = String, Path, description = "The organisation's slug"), SoaImportParams),
    request_body(content((SoaImportBody = "application/json"), (String = "text/csv"), (Vec<u8> = "multipart/form-data"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = isms_app::soa::ImportReport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<SoaImportParams>,
    req: axum::extract::Request,
) -> ApiResult<Json<isms_app::soa::ImportReport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let bytes = import_bytes(&st, req).await?;
    Ok(Json(
        st.app
            .import_soa(Actor::User(&p), &ctx, &bytes, q.dry_run.unwrap_or(false))
            .await?,
    ))
}
