use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::gap::{
    Assessment, AssessmentPatch, Comparison, Item, ItemAnswer, NewAssessment, Results,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

use super::orgs::PageParams;

/// Filter for the items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItemParams {
    /// Only this area (`governance_leadership`, `policies`, `risk_methodology`, `asset_management`, `access_control`, `incident_response`, `supplier_security`, `monitoring_improvement`).
    pub area: Option<String>,
}

/// Gap assessments of the organisation, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), PageParams),
    responses((status = 200, body = Page<Assessment>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Assessment>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_gap_assessments(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Start a gap assessment: one item per clause requirement (30) and Annex A control (93).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/gap-assessments", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug")), request_body = NewAssessment,
    responses((status = 201, body = Assessment), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewAssessment>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.app
                .create_gap_assessment(Actor::User(&p), &ctx, &input)
                .await?,
        ),
    ))
}

/// One assessment with its progress.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments/{id}", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id")),
    responses((status = 200, body = Assessment), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Assessment>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .get_gap_assessment(&ctx, path_id(&id, "gap assessment")?)
            .await?,
    ))
}

/// Rename, change the scope note, complete or reopen. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/gap-assessments/{id}", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id")), request_body = AssessmentPatch,
    responses((status = 200, body = Assessment), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<AssessmentPatch>,
) -> ApiResult<Json<Assessment>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .update_gap_assessment(
                Actor::User(&p),
                &ctx,
                path_id(&id, "gap assessment")?,
                &patch,
            )
            .await?,
    ))
}

/// Delete an assessment and its answers (administrators and ISMS managers).
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/gap-assessments/{id}", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    st.app
        .delete_gap_assessment(Actor::User(&p), &ctx, path_id(&id, "gap assessment")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The items (questions) with their answers, in questionnaire order.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments/{id}/items", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id"), ItemParams),
    responses((status = 200, body = Vec<Item>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn items(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ItemParams>,
) -> ApiResult<Json<Vec<Item>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .gap_items(&ctx, path_id(&id, "gap assessment")?, q.area.as_deref())
            .await?,
    ))
}

/// Answer one item (`clause:6.1.2` or `control:5.15`). Send the item's `version`.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/gap-assessments/{id}/items/{key}", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id"), ("key" = String, Path, description = "clause:6.1.2 or control:5.15")), request_body = ItemAnswer,
    responses((status = 200, body = Item), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, key)): Path<(String, String, String)>,
    ApiJson(a): ApiJson<ItemAnswer>,
) -> ApiResult<Json<Item>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .answer_gap_item(
                Actor::User(&p),
                &ctx,
                path_id(&id, "gap assessment")?,
                &key,
                &a,
            )
            .await?,
    ))
}

/// Results: gaps per area and item, documentation gaps, weak and missing controls.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments/{id}/results", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id")),
    responses((status = 200, body = Results), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn results(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Results>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .gap_results(&ctx, path_id(&id, "gap assessment")?)
            .await?,
    ))
}

/// Format of the gap report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `pdf` (default) or `md`.
    pub format: Option<String>,
}

/// The gap report as a file: PDF (A4, with the per-area chart) or Markdown.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments/{id}/report", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The assessment id"), ReportParams),
    responses((status = 200, description = "The report", content((Vec<u8> = "application/pdf"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult<axum::response::Response> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "gap assessment")?;
    let format = q.format.unwrap_or_else(|| "pdf".to_owned());
    let Some(fmt) = isms_export::TableFormat::parse(&format) else {
        return Err(
            isms_app::AppError::from(isms_domain::ValidationError::single(
                "format",
                format!("\"{format}\" is not a report format; choose pdf or md"),
            ))
            .into(),
        );
    };
    Ok(crate::download(
        st.app.gap_report_file(&ctx, Some(id), fmt).await?,
    ))
}

/// How assessment `other` differs from assessment `id`.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-assessments/{id}/compare/{other}", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The base (earlier) assessment"), ("other" = String, Path, description = "The assessment to compare with it")),
    responses((status = 200, body = Comparison), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn compare(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, other)): Path<(String, String, String)>,
) -> ApiResult<Json<Comparison>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .compare_gap_assessments(
                &ctx,
                path_id(&id, "gap assessment")?,
                path_id(&other, "gap assessment")?,
            )
            .await?,
    ))
}

/// What-if inputs for the certification timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// What-if: sites in scope (default: the organisation's setting).
    pub sites: Option<i64>,
    /// What-if: another management system such as ISO 9001 already runs (default: the
    /// organisation's setting).
    pub existing_management_system: Option<bool>,
    /// YYYY-MM-DD (default today).
    pub start: Option<String>,
}

/// The projected certification timeline: phases up to Stage 2 with dates and assumptions.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/gap-timeline", tag = "gap-assessments", params(("org" = String, Path, description = "The organisation's slug"), TimelineParams),
    responses((status = 200, body = isms_app::gap::TimelineView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn timeline(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<TimelineParams>,
) -> ApiResult<Json<isms_app::gap::TimelineView>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let query = isms_app::gap::TimelineQuery {
        sites: q.sites,
        existing_management_system: q.existing_management_system,
        start: q.start,
    };
    Ok(Json(st.app.gap_timeline(&ctx, &query).await?))
}
