//! NIST OSCAL 1.1.2 JSON exports: the system security plan, the internal audits as
//! assessment results, the open corrective actions as a plan of action and milestones,
//! and the Annex A catalogue structure.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::extract::{Path, State};

/// One OSCAL document: `ssp` (the ISMS and its implemented controls: applicable Annex A
/// controls of the SoA in force and own controls, with status and owner),
/// `assessment-results` (internal audits with checklist observations and findings),
/// `poam` (open corrective actions and nonconformities with due dates and owners) or
/// `catalog` (the Annex A structure with our own summaries, and the own controls). The
/// same records give the same bytes: UUIDs are derived from the records, `last-modified`
/// is their latest change. Another `document` is 422.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/exports/oscal/{document}", tag = "oscal",
    params(("org" = String, Path, description = "The organisation's slug"),
        ("document" = String, Path, description = "ssp, assessment-results, poam or catalog")),
    responses((status = 200, description = "The document (OSCAL JSON)", content((Object = "application/json"))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn document(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, document)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(st.app.oscal_file(&ctx, &document).await?))
}

/// The four OSCAL documents in one zip: `ssp.json`, `assessment-results.json`,
/// `poam.json` and `catalog.json` (the SSP's import-profile points to `catalog.json`).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/exports/oscal", tag = "oscal",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, description = "The four documents", content((Vec<u8> = "application/zip"))),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn zip(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(crate::download(st.app.oscal_zip(&ctx).await?))
}
