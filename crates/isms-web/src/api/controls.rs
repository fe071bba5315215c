//! Controls as the organisation implements them: every Annex A control and every own
//! control, named by its reference (`5.15`, `NW-02`).

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_app::controls::{ControlImpl, ControlPatch, ControlQuery};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Filters and pagination of the control list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ControlParams {
    /// `not_started`, `planned`, `partially_implemented`, `implemented` or `not_applicable`.
    pub status: Option<String>,
    /// A member's user id.
    pub owner_id: Option<Uuid>,
    /// `overdue` (due date passed, not implemented), `check_overdue` (check late or never
    /// done) or `unmonitored` (implemented, no check and frequency).
    pub flag: Option<String>,
    /// Annex A theme: `organizational`, `people`, `physical` or `technological`.
    pub theme: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Export format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `csv` (default), `xlsx` or `md`.
    pub format: Option<String>,
}

/// Every Annex A control, then the own controls, with their implementation (a control
/// without a record is `not_started`, version 0).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/controls", tag = "controls",
    params(("org" = String, Path, description = "The organisation's slug"), ControlParams),
    responses((status = 200, body = Page<ControlImpl>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ControlParams>,
) -> ApiResult<Json<Page<ControlImpl>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = ControlQuery {
        status: q.status,
        owner_id: q.owner_id,
        flag: q.flag,
        theme: q.theme,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_controls(&ctx, &query).await?))
}

/// Every control with its implementation as a file (formula-leading cells neutralised).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/controls/export", tag = "controls",
    params(("org" = String, Path, description = "The organisation's slug"), ExportParams),
    responses((status = 200, description = "The table", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<ExportParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let format = q.format.unwrap_or_else(|| "csv".to_owned());
    Ok(crate::download(
        st.app.export(&ctx, "controls", &format, None).await?,
    ))
}

/// One control: its implementation, the clauses it supports and the risks it treats.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/controls/{ref}", tag = "controls",
    params(("org" = String, Path, description = "The organisation's slug"), ("ref" = String, Path, description = "An Annex A id (5.15) or an own control's code (NW-02)")),
    responses((status = 200, body = ControlImpl), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, r)): Path<(String, String)>,
) -> ApiResult<Json<ControlImpl>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.get_control(&ctx, &r).await?))
}

/// Record or change how a control is implemented. Omitted fields stay; send the
/// `version` you read (0 creates the record); a stale version is 409.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/controls/{ref}", tag = "controls",
    params(("org" = String, Path, description = "The organisation's slug"), ("ref" = String, Path, description = "An Annex A id (5.15) or an own control's code (NW-02)")), request_body = ControlPatch,
    responses((status = 200, body = ControlImpl), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, r)): Path<(String, String)>,
    ApiJson(patch): ApiJson<ControlPatch>,
) -> ApiResult<Json<ControlImpl>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_control(Actor::User(&p), &ctx, &r, &patch)
            .await?,
    ))
}
