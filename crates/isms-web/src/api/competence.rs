//! Competence and awareness: people with the competences their job role requires and
//! the gaps, training records, and awareness campaigns with their participants.

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use isms_app::competence::{
    Campaign, NewCampaign, NewPerson, NewTraining, ParticipantUpdate, Person, PersonPatch,
    Requirement, Training, TrainingQuery,
};
use isms_app::{Actor, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// Pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Filters and pagination of the training records.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrainingParams {
    /// Only this person's records.
    pub person_id: Option<String>,
    /// Only records that have expired.
    pub expired: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// People by name, each with the competences their job role requires and the ones missing.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/people", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), PageParams),
    responses((status = 200, body = Page<Person>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_people(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Person>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_people(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Add a person.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/people", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewPerson,
    responses((status = 201, body = Person), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_person(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let out = st.app.create_person(Actor::User(&p), &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The competences each job role requires.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/people/requirements", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = Vec<Requirement>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn requirements(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<Requirement>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.competence_requirements(&ctx).await?))
}

/// Set the competences one job role requires (replaces that role's list).
#[utoipa::path(put, path = "/api/v1/orgs/{org}/people/requirements", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = Requirement,
    responses((status = 200, body = Requirement), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_requirement(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<Requirement>,
) -> ApiResult<Json<Requirement>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .set_competence_requirement(Actor::User(&p), &ctx, &input)
            .await?,
    ))
}

/// One person with their trainings and gaps.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/people/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The person id")),
    responses((status = 200, body = Person), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_person(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Person>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "person")?;
    Ok(Json(st.app.get_person(&ctx, id).await?))
}

/// Change a person. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/orgs/{org}/people/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The person id")), request_body = PersonPatch,
    responses((status = 200, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_person(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<PersonPatch>,
) -> ApiResult<Json<Person>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "person")?;
    Ok(Json(
        st.app
            .update_person(Actor::User(&p), &ctx, id, &patch)
            .await?,
    ))
}

/// Remove a person with their training records and participations.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/people/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The person id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_person(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "person")?;
    st.app.delete_person(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Training records newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/trainings", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), TrainingParams),
    responses((status = 200, body = Page<Training>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_trainings(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<TrainingParams>,
) -> ApiResult<Json<Page<Training>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let q = TrainingQuery {
        person_id: q.person_id,
        expired: q.expired,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(st.app.list_trainings(&ctx, &q).await?))
}

/// Record a training (completed not in the future, expiring after it was completed).
#[utoipa::path(post, path = "/api/v1/orgs/{org}/trainings", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewTraining,
    responses((status = 201, body = Training), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_training(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewTraining>,
) -> ApiResult<(StatusCode, Json<Training>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let out = st
        .app
        .create_training(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Remove a training record entered by mistake.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/trainings/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The training record id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_training(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "training")?;
    st.app.delete_training(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Awareness campaigns newest first, with participation rates.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/awareness-campaigns", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), PageParams),
    responses((status = 200, body = Page<Campaign>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_campaigns(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Campaign>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .list_campaigns(&ctx, q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Start an awareness campaign with the people invited.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/awareness-campaigns", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug")), request_body = NewCampaign,
    responses((status = 201, body = Campaign), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
    ApiJson(input): ApiJson<NewCampaign>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    let ctx = st.app.org_access(&p, &org).await?;
    let out = st
        .app
        .create_campaign(Actor::User(&p), &ctx, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// One campaign with its participants.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/awareness-campaigns/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The campaign id")),
    responses((status = 200, body = Campaign), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_campaign(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Campaign>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "awareness campaign")?;
    Ok(Json(st.app.get_campaign(&ctx, id).await?))
}

/// Remove a campaign and its participation records.
#[utoipa::path(delete, path = "/api/v1/orgs/{org}/awareness-campaigns/{id}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The campaign id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_campaign(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "awareness campaign")?;
    st.app.delete_campaign(Actor::User(&p), &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a participant to a campaign or record that they completed it.
#[utoipa::path(put, path = "/api/v1/orgs/{org}/awareness-campaigns/{id}/participants/{person}", tag = "competence",
    params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The campaign id"), ("person" = String, Path, description = "The person id")), request_body = ParticipantUpdate,
    responses((status = 200, body = Campaign), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_participant(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id, person)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<ParticipantUpdate>,
) -> ApiResult<Json<Campaign>> {
    let ctx = st.app.org_access(&p, &org).await?;
    let id = path_id(&id, "awareness campaign")?;
    let person = path_id(&person, "person")?;
    Ok(Json(
        st.app
            .set_campaign_participant(Actor::User(&p), &ctx, id, person, &input)
            .await?,
    ))
}
