//! Competence and awareness (0020): people, the competences each job role requires,
//! training records, awareness campaigns and their participants. Every query is scoped
//! by `org_id`; lists are keyset-paginated (people by name, trainings and campaigns
//! newest first) and a page's related rows load in one `IN` query.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PersonRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub email: String,
    pub job_role: String,
    pub department: String,
    pub user_id: Option<Uuid>,
    pub active: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TrainingRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub competence: String,
    pub completed_on: Day,
    pub expires_on: Option<Day>,
    pub provider: String,
    pub evidence_note: String,
    pub recorded_by: Option<Uuid>,
    pub created_at: Ts,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CampaignRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub title: String,
    pub topic: String,
    pub starts_on: Day,
    pub ends_on: Day,
    pub audience: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ParticipantRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub campaign_id: Uuid,
    pub person_id: Uuid,
    pub completed_on: Option<Day>,
}

const PERSON_COLS: &str = "id, org_id, name, email, job_role, department, user_id, active,
    created_at, updated_at, version";
const TRAINING_COLS: &str = "id, org_id, person_id, competence, completed_on, expires_on,
    provider, evidence_note, recorded_by, created_at";
const CAMPAIGN_COLS: &str =
    "id, org_id, title, topic, starts_on, ends_on, audience, created_at, updated_at, version";

fn marks(n: usize, from: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + from))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn insert_person(c: &mut impl AsConn, r: &PersonRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO people (id, org_id, name, email, job_role, department, user_id, active,
            created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(r.id).bind(r.org_id).bind(&r.name).bind(&r.email).bind(&r.job_role)
        .bind(&r.department).bind(r.user_id).bind(r.active).bind(r.created_at)
        .bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale.
pub async fn update_person(c: &mut impl AsConn, r: &PersonRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE people SET name = $1, email = $2, job_role = $3, department = $4, user_id = $5,
            active = $6, updated_at = $7, version = version + 1
         WHERE org_id = $8 AND id = $9 AND version = $10")
        .bind(&r.name).bind(&r.email).bind(&r.job_role).bind(&r.department).bind(r.user_id)
        .bind(r.active).bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_person(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<PersonRow>, DbError> {
    let sql = format!("SELECT {PERSON_COLS} FROM people WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_person(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM people WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// People by name, after the person `after` (keyset on name, id), at most `limit`.
pub async fn list_people(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PersonRow>, DbError> {
    let mut params: Vec<Param> = Vec::new();
    let mut cond = String::new();
    if let Some(a) = after {
        params.push(Param::Uuid(a));
        cond = " AND (name > (SELECT name FROM people WHERE org_id = $1 AND id = $2)
                 OR (name = (SELECT name FROM people WHERE org_id = $1 AND id = $2) AND id > $2))"
            .to_owned();
    }
    let sql = format!(
        "SELECT {PERSON_COLS} FROM people WHERE org_id = $1{cond} ORDER BY name, id LIMIT {}",
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, PersonRow, sql, org_id, &params)?)
}

/// Which of these people exist in the organisation (one query).
pub async fn existing_people(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<PersonRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {PERSON_COLS} FROM people WHERE org_id = $1 AND id IN ({}) ORDER BY name, id",
        marks(ids.len(), 2)
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, PersonRow, sql, org_id, &params)?)
}

/// Every (job role, competence) the organisation requires, by role.
pub async fn requirements(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, String)>(
        "SELECT job_role, competence FROM role_competences WHERE org_id = $1
         ORDER BY job_role, competence")
        .bind(org_id).fetch_all(x).await)?)
}

/// Replace the competences a job role requires.
pub async fn set_requirements(
    c: &mut impl AsConn,
    org_id: Uuid,
    job_role: &str,
    competences: &[String],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM role_competences WHERE org_id = $1 AND job_role = $2")
        .bind(org_id).bind(job_role).execute(x).await.map(|r| r.rows_affected()))?;
    for comp in competences {
        run!(c, x => sqlx::query(
            "INSERT INTO role_competences (id, org_id, job_role, competence) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, job_role, competence) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(job_role).bind(comp)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn insert_training(c: &mut impl AsConn, r: &TrainingRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO trainings (id, org_id, person_id, competence, completed_on, expires_on,
            provider, evidence_note, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(r.id).bind(r.org_id).bind(r.person_id).bind(&r.competence).bind(r.completed_on)
        .bind(r.expires_on).bind(&r.provider).bind(&r.evidence_note).bind(r.recorded_by)
        .bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_training(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<TrainingRow>, DbError> {
    let sql = format!("SELECT {TRAINING_COLS} FROM trainings WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, TrainingRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_training(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM trainings WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Training records newest first (keyset on completed_on, id below the cursor row);
/// `expired_before`: only those that expired before that day.
pub async fn list_trainings(
    c: &mut impl AsConn,
    org_id: Uuid,
    person_id: Option<Uuid>,
    expired_before: Option<Day>,
    before: Option<(Day, Uuid)>,
    limit: i64,
) -> Result<Vec<TrainingRow>, DbError> {
    let mut conds = vec!["org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(p) = person_id {
        params.push(Param::Uuid(p));
        conds.push(format!("person_id = ${}", params.len() + 1));
    }
    if let Some(d) = expired_before {
        params.push(Param::Day(d));
        conds.push(format!("expires_on < ${}", params.len() + 1));
    }
    if let Some((d, id)) = before {
        params.push(Param::Day(d));
        let a = params.len() + 1;
        params.push(Param::Uuid(id));
        let b = params.len() + 1;
        conds.push(format!(
            "(completed_on < ${a} OR (completed_on = ${a} AND id < ${b}))"
        ));
    }
    let sql = format!(
        "SELECT {TRAINING_COLS} FROM trainings WHERE {} ORDER BY completed_on DESC, id DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, TrainingRow, sql, org_id, &params)?)
}

/// The training records of these people (one query).
pub async fn trainings_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    person_ids: &[Uuid],
) -> Result<Vec<TrainingRow>, DbError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {TRAINING_COLS} FROM trainings WHERE org_id = $1 AND person_id IN ({})
         ORDER BY person_id, completed_on DESC, id DESC",
        marks(person_ids.len(), 2)
    );
    let params: Vec<Param> = person_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, TrainingRow, sql, org_id, &params)?)
}

pub async fn insert_campaign(c: &mut impl AsConn, r: &CampaignRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO awareness_campaigns (id, org_id, title, topic, starts_on, ends_on,
            audience, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(r.id).bind(r.org_id).bind(&r.title).bind(&r.topic).bind(r.starts_on)
        .bind(r.ends_on).bind(&r.audience).bind(r.created_at).bind(r.updated_at)
        .bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_campaign(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<CampaignRow>, DbError> {
    let sql =
        format!("SELECT {CAMPAIGN_COLS} FROM awareness_campaigns WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, CampaignRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_campaign(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM awareness_campaigns WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Campaigns newest first (keyset on starts_on, id below the cursor row).
pub async fn list_campaigns(
    c: &mut impl AsConn,
    org_id: Uuid,
    before: Option<(Day, Uuid)>,
    limit: i64,
) -> Result<Vec<CampaignRow>, DbError> {
    let mut params: Vec<Param> = Vec::new();
    let mut cond = String::new();
    if let Some((d, id)) = before {
        params.push(Param::Day(d));
        params.push(Param::Uuid(id));
        cond = " AND (starts_on < $2 OR (starts_on = $2 AND id < $3))".to_owned();
    }
    let sql = format!(
        "SELECT {CAMPAIGN_COLS} FROM awareness_campaigns WHERE org_id = $1{cond}
         ORDER BY starts_on DESC, id DESC LIMIT {}",
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, CampaignRow, sql, org_id, &params)?)
}

/// The participants of these campaigns (one query).
pub async fn participants_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    campaign_ids: &[Uuid],
) -> Result<Vec<ParticipantRow>, DbError> {
    if campaign_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, org_id, campaign_id, person_id, completed_on FROM campaign_participants
         WHERE org_id = $1 AND campaign_id IN ({}) ORDER BY campaign_id, id",
        marks(campaign_ids.len(), 2)
    );
    let params: Vec<Param> = campaign_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, ParticipantRow, sql, org_id, &params)?)
}

/// Add a participant or set when they completed it.
pub async fn set_participant(
    c: &mut impl AsConn,
    org_id: Uuid,
    campaign_id: Uuid,
    person_id: Uuid,
    completed_on: Option<Day>,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO campaign_participants (id, org_id, campaign_id, person_id, completed_on)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, campaign_id, person_id) DO UPDATE SET completed_on = excluded.completed_on")
        .bind(Uuid::now_v7()).bind(org_id).bind(campaign_id).bind(person_id).bind(completed_on)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
