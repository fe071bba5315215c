//! Register imports (docs/import.md): the raw CSV or XLSX file as the request body.

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::Actor;
use isms_app::imports::{IMPORT_KINDS, RegisterImportReport};
use isms_app::progress::NoProgress;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Say what would change and write nothing (default false).
    pub dry_run: Option<bool>,
}

/// The largest file a register import takes (this route only).
pub const REGISTER_IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// Import a register from CSV or XLSX (the body is the file's bytes): `assets`, `data-flows`, `risks`, `controls`, `documents`, `evidence`, `incidents`, `suppliers`, `findings` or `tasks`. Rows are
/// keyed by reference (blank creates with the next number); all or nothing: any bad row
/// and nothing is written, every bad row named (`lines[7].owner`). `dry_run=true` says
/// what would be created, updated and unchanged. One audit-trail entry per import. The
/// body is the file (any content type), or JSON ([`ImportBody`]).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/imports/{kind}", tag = "imports",
    params(("org" = String, Path, description = "The organisation's slug"),
        ("kind" = String, Path, description = "The register: assets, data-flows, risks, controls, documents, evidence, incidents, suppliers, findings, corrective-actions or tasks"), ImportParams),
    request_body(content((ImportBody = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = RegisterImportReport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, kind)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ImportParams>,
    req: axum::extract::Request,
) -> ApiResult<Json<RegisterImportReport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    if !IMPORT_KINDS.contains(&kind.as_str()) {
        return Err(ApiError::not_found("import"));
    }
    let json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    let body = axum::body::to_bytes(req.into_body(), REGISTER_IMPORT_LIMIT)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "the file is larger than the 64 MiB an import accepts",
            )
        })?;
    let body = if json {
        json_file(&body)?
    } else {
        body.to_vec()
    };
    Ok(Json(
        st.app
            .import_register(
                Actor::User(&p),
                &ctx,
                &kind,
                &body,
                q.dry_run.unwrap_or(false),
                &NoProgress,
            )
            .await?,
    ))
}

/// A file sent as JSON (for clients that only speak JSON; the SoA import takes it too).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// The CSV text, or (with `format: "xlsx"`) the workbook in base64.
    pub content: String,
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

pub(crate) fn json_file(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    use base64::Engine as _;
    let b: ImportBody = serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::bad_request(format!("malformed JSON: {e}"))
        } else {
            ApiError::invalid_field("content", e.to_string())
        }
    })?;
    match b.format.as_deref().unwrap_or("csv") {
        "csv" => Ok(b.content.into_bytes()),
        "xlsx" => base64::engine::general_purpose::STANDARD
            .decode(b.content.trim())
            .map_err(|_| ApiError::invalid_field("content", "is not base64")),
        other => Err(ApiError::invalid_field(
            "format",
            format!("\"{other}\" cannot be imported; send csv or xlsx"),
        )),
    }
}
