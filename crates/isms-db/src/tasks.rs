//! Roadmap tasks. Every query is scoped by `org_id`.

use crate::{AsConn, Day, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TaskRow {
    pub id: Uuid,
    pub org_id: Uuid,
    /// T-001: unique in the organisation, never reused while the task exists.
    pub number: i64,
    pub title: String,
    pub description: String,
    pub item_key: Option<String>,
    pub source_assessment_id: Option<Uuid>,
    /// The risk whose treatment plan the task belongs to.
    pub risk_id: Option<Uuid>,
    pub owner: String,
    pub start_on: Option<Day>,
    pub due_on: Option<Day>,
    pub status: String,
    pub priority: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const COLS: &str = "id, org_id, number, title, description, item_key, source_assessment_id, risk_id, owner, start_on, due_on, status, priority, created_at, updated_at, version";

pub async fn insert_task(c: &mut impl AsConn, t: &TaskRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO tasks (id, org_id, title, description, item_key, source_assessment_id, owner, start_on, due_on,
                            status, priority, created_at, updated_at, version, risk_id, number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
        .bind(t.id).bind(t.org_id).bind(&t.title).bind(&t.description).bind(&t.item_key).bind(t.source_assessment_id)
        .bind(&t.owner).bind(t.start_on).bind(t.due_on).bind(&t.status).bind(&t.priority)
        .bind(t.created_at).bind(t.updated_at).bind(t.version).bind(t.risk_id).bind(t.number)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("item"))?;
    Ok(())
}

/// The number the next task of the organisation gets (one above the highest).
pub async fn next_task_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "tasks", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM tasks WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Oldest first; keyset on (created_at, id); `status` filters.
pub async fn list_tasks(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: Option<&str>,
    after: Option<(Ts, Uuid)>,
    limit: i64,
) -> Result<Vec<TaskRow>, DbError> {
    let (at, aid) = match after {
        Some((t, id)) => (Some(t), Some(id)),
        None => (None, None),
    };
    let sql = format!(
        "SELECT {COLS} FROM tasks
         WHERE org_id = $1 AND ($2 IS NULL OR status = $2)
           AND ($3 IS NULL OR created_at > $3 OR (created_at = $3 AND id > $4))
         ORDER BY created_at, id LIMIT $5"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(status).bind(at).bind(aid).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn task(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<Option<TaskRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM tasks WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// Keys of the items that already have a task from this assessment.
pub async fn keys_from_assessment(
    c: &mut impl AsConn,
    org_id: Uuid,
    assessment_id: Uuid,
) -> Result<Vec<String>, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, String>(
        "SELECT item_key FROM tasks WHERE org_id = $1 AND source_assessment_id = $2 AND item_key IS NOT NULL")
        .bind(org_id).bind(assessment_id).fetch_all(x).await)?)
}

/// Save changes when `version` is current; `None` when it is stale.
pub async fn update_task(c: &mut impl AsConn, t: &TaskRow) -> Result<Option<TaskRow>, DbError> {
    let sql = format!(
        "UPDATE tasks SET title = $1, description = $2, owner = $3, start_on = $4, due_on = $5, status = $6,
                priority = $7, updated_at = $8, version = version + 1
         WHERE org_id = $9 AND id = $10 AND version = $11 RETURNING {COLS}"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql))
        .bind(&t.title).bind(&t.description).bind(&t.owner).bind(t.start_on).bind(t.due_on).bind(&t.status)
        .bind(&t.priority).bind(t.updated_at).bind(t.org_id).bind(t.id).bind(t.version)
        .fetch_optional(x).await)?,
    )
}

pub async fn delete_task(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM tasks WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Tasks about one clause requirement or control (at most 200).
pub async fn tasks_for_item(
    c: &mut impl AsConn,
    org_id: Uuid,
    item_key: &str,
) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM tasks WHERE org_id = $1 AND item_key = $2 ORDER BY created_at, id LIMIT 200"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql)).bind(org_id).bind(item_key).fetch_all(x).await)?,
    )
}

/// The treatment plan of a risk: its tasks, by due date (at most 200).
pub async fn tasks_for_risk(
    c: &mut impl AsConn,
    org_id: Uuid,
    risk_id: Uuid,
) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM tasks WHERE org_id = $1 AND risk_id = $2
         ORDER BY due_on, created_at LIMIT 200"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(risk_id).fetch_all(x).await)?,
    )
}
