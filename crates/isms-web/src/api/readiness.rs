//! Readiness: what a certification auditor would say today, per profile. The same report
//! as `isms check PROFILE` and `isms export readiness`.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_domain::readiness::{Profile, Report};

/// Run one readiness profile (`stage1`, `stage2` or `surveillance`) over the
/// organisation's records as of today: every rule with its result, the reason in plain
/// words, the fix, and links (paths below `/o/{org}/`) to the records concerned. Blocker
/// failures come first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/readiness/{profile}", tag = "readiness",
    params(("org" = String, Path, description = "The organisation's slug"),
           ("profile" = String, Path, description = "stage1, stage2 or surveillance")),
    responses((status = 200, body = Report),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, profile)): Path<(String, String)>,
) -> ApiResult<Json<Report>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let profile = Profile::parse("profile", &profile).map_err(isms_app::AppError::from)?;
    Ok(Json(st.app.readiness(&ctx, profile).await?))
}
