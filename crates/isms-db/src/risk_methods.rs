//! Risk assessment methods, versioned per organisation. Every query is scoped by `org_id`.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MethodRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub status: String,
    pub definition: String,
    pub based_on: String,
    pub change_note: String,
    pub approved_by: Option<Uuid>,
    /// The approver's name, joined from users (not a column of the table).
    pub approved_by_name: Option<String>,
    pub approved_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const SELECT: &str = "SELECT m.id, m.org_id, m.number, m.status, m.definition, m.based_on, m.change_note,
        m.approved_by, u.name AS approved_by_name, m.approved_at, m.created_at, m.updated_at, m.version
 FROM risk_methods m LEFT JOIN users u ON u.id = m.approved_by";

pub async fn insert_method(c: &mut impl AsConn, m: &MethodRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO risk_methods (id, org_id, number, status, definition, based_on, change_note,
                                   approved_by, approved_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(m.id).bind(m.org_id).bind(m.number).bind(&m.status).bind(&m.definition)
        .bind(&m.based_on).bind(&m.change_note).bind(m.approved_by).bind(m.approved_at)
        .bind(m.created_at).bind(m.updated_at).bind(m.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Every version of the organisation's method, newest first (a handful per organisation).
pub async fn list_methods(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<MethodRow>, DbError> {
    let sql = format!("{SELECT} WHERE m.org_id = $1 ORDER BY m.number DESC LIMIT 500");
    Ok(
        run!(c, x => sqlx::query_as::<_, MethodRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).fetch_all(x).await)?,
    )
}

pub async fn method(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<MethodRow>, DbError> {
    let sql = format!("{SELECT} WHERE m.org_id = $1 AND m.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, MethodRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// The newest method in `status` (`approved`: the one in force; `draft`: the one being edited).
pub async fn method_in_status(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: &str,
) -> Result<Option<MethodRow>, DbError> {
    let sql =
        format!("{SELECT} WHERE m.org_id = $1 AND m.status = $2 ORDER BY m.number DESC LIMIT 1");
    Ok(
        run!(c, x => sqlx::query_as::<_, MethodRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(status).fetch_optional(x).await)?,
    )
}

pub async fn max_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "risk_methods", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM risk_methods WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0))
}

/// Save a draft's definition and note if `version` is current; `None` when stale or not a
/// draft any more.
pub async fn update_draft(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    definition: &str,
    change_note: &str,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE risk_methods SET definition = $1, change_note = $2, updated_at = $3,
                version = version + 1
         WHERE org_id = $4 AND id = $5 AND version = $6 AND status = 'draft'")
        .bind(definition).bind(change_note).bind(now).bind(org_id).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Approve a draft (if `version` is current) and mark the method in force before it as
/// superseded.
pub async fn approve(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    by: Uuid,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    run!(c, x => sqlx::query(
        "UPDATE risk_methods SET status = 'superseded', updated_at = $1, version = version + 1
         WHERE org_id = $2 AND status = 'approved' AND id <> $3")
        .bind(now).bind(org_id).bind(id)
        .execute(x).await.map(|r| r.rows_affected()))?;
    let n = run!(c, x => sqlx::query(
        "UPDATE risk_methods SET status = 'approved', approved_by = $1, approved_at = $2,
                updated_at = $2, version = version + 1
         WHERE org_id = $3 AND id = $4 AND version = $5 AND status = 'draft'")
        .bind(by).bind(now).bind(org_id).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Delete a draft (approved and superseded versions are records and stay).
pub async fn delete_draft(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM risk_methods WHERE org_id = $1 AND id = $2 AND status = 'draft'")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
