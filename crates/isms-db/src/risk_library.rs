//! The organisation's threat and vulnerability catalogues (what it changed of the starter
//! lists, and its own entries). Every query is scoped by `org_id` and kind; the unique
//! index on (org_id, kind, code) serves them all.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LibraryRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub retired: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const COLS: &str =
    "id, org_id, kind, code, name, category, description, retired, created_at, updated_at, version";

/// Every stored entry of one kind (a few hundred at most).
pub async fn entries(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
) -> Result<Vec<LibraryRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM risk_library_entries WHERE org_id = $1 AND kind = $2 ORDER BY code"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, LibraryRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(kind).fetch_all(x).await)?,
    )
}

pub async fn insert(c: &mut impl AsConn, r: &LibraryRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO risk_library_entries (id, org_id, kind, code, name, category, description,
            retired, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(r.id).bind(r.org_id).bind(&r.kind).bind(&r.code).bind(&r.name).bind(&r.category)
        .bind(&r.description).bind(r.retired).bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("code"))?;
    Ok(())
}

/// Write the wording and retirement if `version` is still current; false when stale.
pub async fn update(c: &mut impl AsConn, r: &LibraryRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE risk_library_entries SET name = $1, category = $2, description = $3, retired = $4,
            updated_at = $5, version = version + 1
         WHERE org_id = $6 AND kind = $7 AND code = $8 AND version = $9")
        .bind(&r.name).bind(&r.category).bind(&r.description).bind(r.retired).bind(r.updated_at)
        .bind(r.org_id).bind(&r.kind).bind(&r.code).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    code: &str,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM risk_library_entries WHERE org_id = $1 AND kind = $2 AND code = $3")
        .bind(org_id).bind(kind).bind(code).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
