//! Readiness: what a certification auditor would say today, per profile. The same report
//! as `isms check PROFILE` and `isms export readiness`.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_app::Actor;
use isms_app::readiness::{ReadinessSettings, ReadinessSettingsInput};
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

/// What the readiness rules accept: how many weeks before Stage 1 the internal audit must
/// be finished, how many measurements per objective Stage 2 expects, and how many words a
/// scope statement needs. `version` 0 means the defaults apply.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/readiness-settings", tag = "readiness",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = ReadinessSettings),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_settings(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<ReadinessSettings>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.readiness_settings(&ctx).await?))
}

/// Change the readiness settings (ISMS manager or admin). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/readiness-settings", tag = "readiness",
    params(("org" = String, Path, description = "The organisation's slug")),
    request_body = ReadinessSettingsInput,
    responses((status = 200, body = ReadinessSettings),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_settings(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<ReadinessSettingsInput>,
) -> ApiResult<Json<ReadinessSettings>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_readiness_settings(Actor::User(&p), &ctx, &input)
            .await?,
    ))
}
