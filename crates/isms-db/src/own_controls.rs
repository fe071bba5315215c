//! The organisation's own controls. Every query is scoped by `org_id`; the list is
//! keyset-paginated on the code, which the unique index (org_id, code) serves.

use crate::{AsConn, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OwnControlRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub code: String,
    pub title: String,
    pub description: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const COLS: &str = "id, org_id, code, title, description, created_at, updated_at, version";

pub async fn insert(c: &mut impl AsConn, r: &OwnControlRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO own_controls (id, org_id, code, title, description, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(r.id).bind(r.org_id).bind(&r.code).bind(&r.title).bind(&r.description)
        .bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("code"))?;
    Ok(())
}

/// Write title and description if `version` is still current; false when stale.
pub async fn update(c: &mut impl AsConn, r: &OwnControlRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE own_controls SET title = $1, description = $2, updated_at = $3, version = version + 1
         WHERE org_id = $4 AND code = $5 AND version = $6")
        .bind(&r.title).bind(&r.description).bind(r.updated_at)
        .bind(r.org_id).bind(&r.code).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn by_code(
    c: &mut impl AsConn,
    org_id: Uuid,
    code: &str,
) -> Result<Option<OwnControlRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM own_controls WHERE org_id = $1 AND code = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, OwnControlRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(code).fetch_optional(x).await)?,
    )
}

/// Which of `codes` exist in the organisation (one query).
pub async fn existing(
    c: &mut impl AsConn,
    org_id: Uuid,
    codes: &[String],
) -> Result<Vec<String>, DbError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT code FROM own_controls WHERE org_id = $1 AND code IN ({})",
        marks.join(", ")
    );
    let params: Vec<Param> = codes.iter().map(|c| Param::Text(c.clone())).collect();
    let rows: Vec<(String,)> = crate::fetch_with!(c, (String,), sql, org_id, &params)?;
    Ok(rows.into_iter().map(|(code,)| code).collect())
}

/// By code after `after`, at most `limit`; `q` matches code or title (any case).
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<OwnControlRow>, DbError> {
    let pattern = q.map(|s| format!("%{}%", s.to_lowercase()));
    let sql = format!(
        "SELECT {COLS} FROM own_controls
         WHERE org_id = $1 AND ($2 IS NULL OR lower(code) LIKE $2 OR lower(title) LIKE $2)
           AND ($3 IS NULL OR code > $3)
         ORDER BY code LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, OwnControlRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(pattern.clone()).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, code: &str) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM own_controls WHERE org_id = $1 AND code = $2")
        .bind(org_id).bind(code).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Every own control's code and title, by code (a register of a few dozen; capped).
pub async fn all_titles(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT code, title FROM own_controls WHERE org_id = $1 ORDER BY code LIMIT 10000")
        .bind(org_id).fetch_all(x).await)?)
}
