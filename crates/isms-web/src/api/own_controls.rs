//! The organisation's own controls (besides Annex A).

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::own_controls::{NewOwnControl, OwnControl, OwnControlPatch, TreatedRisk};
use isms_app::{Actor, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Search and pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OwnControlParams {
    /// Words in the code or title.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// An own control with the risks it treats.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnControlDetail {
    #[serde(flatten)]
    pub control: OwnControl,
    pub risks: Vec<TreatedRisk>,
}

/// The organisation's own controls, by code.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/own-controls", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), OwnControlParams),
    responses((status = 200, body = Page<OwnControl>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<OwnControlParams>,
) -> ApiResult<Json<Page<OwnControl>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_own_controls(&ctx, q.q.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Add an own control; risks can then name its code among their controls.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/own-controls", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewOwnControl,
    responses((status = 201, body = OwnControl), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewOwnControl>,
) -> ApiResult<(StatusCode, Json<OwnControl>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_own_control(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One own control and the risks it treats.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/own-controls/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("code" = String, Path, description = "The control's code, e.g. NW-07")),
    responses((status = 200, body = OwnControlDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, code)): Path<(String, String)>,
) -> ApiResult<Json<OwnControlDetail>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let control = st.app.get_own_control(&ctx, &code).await?;
    let risks = st.app.risks_treated_by(&ctx, &control.code).await?;
    Ok(Json(OwnControlDetail { control, risks }))
}

/// Change the title or description (the code stays). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/own-controls/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("code" = String, Path, description = "The control's code")), request_body = OwnControlPatch,
    responses((status = 200, body = OwnControl), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, code)): Path<(String, String)>,
    ApiJson(patch): ApiJson<OwnControlPatch>,
) -> ApiResult<Json<OwnControl>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_own_control(Actor::User(&p), &ctx, &code, &patch)
            .await?,
    ))
}

/// Remove an own control (409 while risks are treated by it).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/own-controls/{code}", tag = "risks",
    params(("org" = String, Path, description = "The organisation's slug"), ("code" = String, Path, description = "The control's code")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, code)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_own_control(Actor::User(&p), &ctx, &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
