use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_app::Page;
use isms_app::audit::{AuditEntry, AuditQuery, ChainReport};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters for the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Kind of object: `organisation`, `membership`, `user`, …
    pub entity: Option<String>,
    /// Only changes made by this user id.
    pub actor: Option<String>,
    /// First day (YYYY-MM-DD, UTC) included.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC) included.
    pub to: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl AuditParams {
    fn into_query(self) -> Result<AuditQuery, ApiError> {
        let actor = match self.actor.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(a) => Some(
                uuid::Uuid::parse_str(a)
                    .map_err(|_| ApiError::invalid_field("actor", "must be a user id"))?,
            ),
        };
        Ok(AuditQuery {
            entity: self.entity,
            actor,
            from: self.from,
            to: self.to,
            cursor: self.cursor,
            limit: self.limit,
        })
    }
}

/// The organisation's audit trail, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit-trail", tag = "audit-trail", params(("org" = String, Path, description = "The organisation's slug"), AuditParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_org_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.list_audit(&ctx, &q.into_query()?).await?))
}

/// Re-compute the organisation's hash chain and say whether it is intact.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit-trail/verify", tag = "audit-trail", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = ChainReport), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn verify_org_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<ChainReport>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.verify_org_audit(&ctx).await?))
}

/// The instance-wide audit trail: accounts, sign-ins, tokens (instance administrators).
#[utoipa::path(get, path = "/api/v1/audit-trail", tag = "audit-trail", params(AuditParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_instance_audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    Ok(Json(
        st.app.list_instance_audit(&p, &q.into_query()?).await?,
    ))
}
