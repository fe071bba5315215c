use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::members::{Member, MemberPatch, NewMember};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and pagination for members.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemberParams {
    /// Only members with this role.
    pub role: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Members of the organisation, by e-mail address.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/members", tag = "members", params(("org" = String, Path, description = "The organisation's slug"), MemberParams),
    responses((status = 200, body = Page<Member>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<MemberParams>,
) -> ApiResult<Json<Page<Member>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_members(&ctx, q.role.as_deref(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Add a member (organisation administrators). Creates the account when the e-mail
/// address is new (then `name` and `password` are required).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/members", tag = "members", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewMember,
    responses((status = 201, body = Member), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_member(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewMember>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.app.add_member(Actor::User(&p), &ctx, &input).await?),
    ))
}

/// One membership.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/members/{id}", tag = "members", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The membership id")),
    responses((status = 200, body = Member), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_member(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Member>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app.get_member(&ctx, path_id(&id, "member")?).await?,
    ))
}

/// Change role or expiry (organisation administrators). Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/members/{id}", tag = "members", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The membership id")), request_body = MemberPatch,
    responses((status = 200, body = Member), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_member(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<MemberPatch>,
) -> ApiResult<Json<Member>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_member(&p, &ctx, path_id(&id, "member")?, &patch)
            .await?,
    ))
}

/// Remove a member (organisation administrators).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/members/{id}", tag = "members", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The membership id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .remove_member(&p, &ctx, path_id(&id, "member")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
