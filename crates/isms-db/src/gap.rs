//! Gap assessments and their items. Every query is scoped by `org_id`.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub title: String,
    pub scope_note: String,
    pub status: String,
    pub completed_at: Option<Ts>,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// An assessment with its progress.
#[derive(Debug, Clone, FromRow)]
pub struct AssessmentWithProgress {
    #[sqlx(flatten)]
    pub a: AssessmentRow,
    pub answered: i64,
    pub total: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ItemRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub assessment_id: Uuid,
    pub item_key: String,
    pub position: i64,
    pub area: String,
    pub current_level: Option<i64>,
    pub target_level: Option<i64>,
    pub applicable: bool,
    pub na_reason: Option<String>,
    pub notes: String,
    /// JSON array of links or references.
    pub evidence: String,
    pub owner: String,
    pub answered_at: Option<Ts>,
    pub answered_by: Option<Uuid>,
    pub version: i64,
}

const A_COLS: &str = "a.id, a.org_id, a.title, a.scope_note, a.status, a.completed_at, a.created_by, a.created_at, a.updated_at, a.version";
const I_COLS: &str = "id, org_id, assessment_id, item_key, position, area, current_level, target_level, applicable, na_reason, notes, evidence, owner, answered_at, answered_by, version";

pub async fn insert_assessment(c: &mut impl AsConn, a: &AssessmentRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO gap_assessments (id, org_id, title, scope_note, status, completed_at, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(a.id).bind(a.org_id).bind(&a.title).bind(&a.scope_note).bind(&a.status).bind(a.completed_at)
        .bind(a.created_by).bind(a.created_at).bind(a.updated_at).bind(a.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn insert_item(c: &mut impl AsConn, i: &ItemRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO gap_items (id, org_id, assessment_id, item_key, position, area, current_level, target_level,
                                applicable, na_reason, notes, evidence, owner, answered_at, answered_by, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
        .bind(i.id).bind(i.org_id).bind(i.assessment_id).bind(&i.item_key).bind(i.position).bind(&i.area)
        .bind(i.current_level).bind(i.target_level).bind(i.applicable).bind(&i.na_reason).bind(&i.notes)
        .bind(&i.evidence).bind(&i.owner).bind(i.answered_at).bind(i.answered_by).bind(i.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

fn with_progress() -> String {
    format!(
        "SELECT {A_COLS},
                (SELECT COUNT(i.answered_at) FROM gap_items i WHERE i.org_id = a.org_id AND i.assessment_id = a.id) AS answered,
                (SELECT COUNT(*) FROM gap_items i WHERE i.org_id = a.org_id AND i.assessment_id = a.id) AS total
         FROM gap_assessments a"
    )
}

/// Newest first; keyset on (created_at, id).
pub async fn list_assessments(
    c: &mut impl AsConn,
    org_id: Uuid,
    before: Option<(Ts, Uuid)>,
    limit: i64,
) -> Result<Vec<AssessmentWithProgress>, DbError> {
    let (bt, bid) = match before {
        Some((t, id)) => (Some(t), Some(id)),
        None => (None, None),
    };
    let sql = format!(
        "{} WHERE a.org_id = $1 AND ($2 IS NULL OR a.created_at < $2 OR (a.created_at = $2 AND a.id < $3))
         ORDER BY a.created_at DESC, a.id DESC LIMIT $4",
        with_progress()
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, AssessmentWithProgress>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(bt).bind(bid).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn assessment(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AssessmentWithProgress>, DbError> {
    let sql = format!("{} WHERE a.org_id = $1 AND a.id = $2", with_progress());
    Ok(
        run!(c, x => sqlx::query_as::<_, AssessmentWithProgress>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

#[allow(clippy::too_many_arguments)]
pub async fn update_assessment(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    title: &str,
    scope_note: &str,
    status: &str,
    completed_at: Option<Ts>,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE gap_assessments SET title = $1, scope_note = $2, status = $3, completed_at = $4,
                updated_at = $5, version = version + 1
         WHERE org_id = $6 AND id = $7 AND version = $8")
        .bind(title).bind(scope_note).bind(status).bind(completed_at).bind(now)
        .bind(org_id).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_assessment(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, DbError> {
    run!(c, x => sqlx::query("DELETE FROM gap_items WHERE org_id = $1 AND assessment_id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    let n = run!(c, x => sqlx::query("DELETE FROM gap_assessments WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Every item of an assessment in questionnaire order (at most 123 today; `area` filters).
pub async fn items(
    c: &mut impl AsConn,
    org_id: Uuid,
    assessment_id: Uuid,
    area: Option<&str>,
) -> Result<Vec<ItemRow>, DbError> {
    let sql = format!(
        "SELECT {I_COLS} FROM gap_items WHERE org_id = $1 AND assessment_id = $2 AND ($3 IS NULL OR area = $3)
         ORDER BY position"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(assessment_id).bind(area).fetch_all(x).await)?,
    )
}

pub async fn item(
    c: &mut impl AsConn,
    org_id: Uuid,
    assessment_id: Uuid,
    key: &str,
) -> Result<Option<ItemRow>, DbError> {
    let sql = format!(
        "SELECT {I_COLS} FROM gap_items WHERE org_id = $1 AND assessment_id = $2 AND item_key = $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(assessment_id).bind(key).fetch_optional(x).await)?,
    )
}

/// Save an answer when `version` is current; `None` when it is stale.
pub async fn update_item(c: &mut impl AsConn, i: &ItemRow) -> Result<Option<ItemRow>, DbError> {
    let sql = format!(
        "UPDATE gap_items SET current_level = $1, target_level = $2, applicable = $3, na_reason = $4, notes = $5,
                evidence = $6, owner = $7, answered_at = $8, answered_by = $9, version = version + 1
         WHERE org_id = $10 AND assessment_id = $11 AND item_key = $12 AND version = $13
         RETURNING {I_COLS}"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
        .bind(i.current_level).bind(i.target_level).bind(i.applicable).bind(&i.na_reason).bind(&i.notes)
        .bind(&i.evidence).bind(&i.owner).bind(i.answered_at).bind(i.answered_by)
        .bind(i.org_id).bind(i.assessment_id).bind(&i.item_key).bind(i.version)
        .fetch_optional(x).await)?,
    )
}
