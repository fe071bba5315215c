//! The incident register and what each incident touched (0015). Every query is scoped by
//! `org_id`; the register is keyset-paginated newest first on the number, with an index
//! for each filter (status, severity).

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub detected_on: Day,
    pub reported_on: Day,
    pub reported_by: String,
    pub response: String,
    pub root_cause: String,
    pub lessons_learned: String,
    pub closed_on: Option<Day>,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LinkRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub incident_id: Uuid,
    pub target_kind: String,
    pub target_ref: String,
}

const COLS: &str = "id, org_id, number, title, description, category, severity, status,
    detected_on, reported_on, reported_by, response, root_cause, lessons_learned, closed_on,
    created_by, created_at, updated_at, version";

pub async fn insert(c: &mut impl AsConn, r: &IncidentRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO incidents (id, org_id, number, title, description, category, severity,
            status, detected_on, reported_on, reported_by, response, root_cause,
            lessons_learned, closed_on, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.title).bind(&r.description)
        .bind(&r.category).bind(&r.severity).bind(&r.status).bind(r.detected_on)
        .bind(r.reported_on).bind(&r.reported_by).bind(&r.response).bind(&r.root_cause)
        .bind(&r.lessons_learned).bind(r.closed_on).bind(r.created_by).bind(r.created_at)
        .bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale. The version goes up by one.
pub async fn update(c: &mut impl AsConn, r: &IncidentRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE incidents SET title = $1, description = $2, category = $3, severity = $4,
            status = $5, detected_on = $6, reported_on = $7, reported_by = $8, response = $9,
            root_cause = $10, lessons_learned = $11, closed_on = $12, updated_at = $13,
            version = version + 1
         WHERE org_id = $14 AND id = $15 AND version = $16")
        .bind(&r.title).bind(&r.description).bind(&r.category).bind(&r.severity)
        .bind(&r.status).bind(r.detected_on).bind(r.reported_on).bind(&r.reported_by)
        .bind(&r.response).bind(&r.root_cause).bind(&r.lessons_learned).bind(r.closed_on)
        .bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<IncidentRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM incidents WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, IncidentRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM incidents WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "incidents", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM incidents WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the register; each is served by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
}

/// The register newest first (by number, below `before_number`), at most `limit`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &IncidentFilter,
    before_number: Option<i64>,
    limit: i64,
) -> Result<Vec<IncidentRow>, DbError> {
    let mut conds = vec!["org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(s) = &f.status {
        params.push(Param::Text(s.clone()));
        conds.push(format!("status = ${}", params.len() + 1));
    }
    if let Some(s) = &f.severity {
        params.push(Param::Text(s.clone()));
        conds.push(format!("severity = ${}", params.len() + 1));
    }
    if let Some(n) = before_number {
        params.push(Param::Int(n));
        conds.push(format!("number < ${}", params.len() + 1));
    }
    let sql = format!(
        "SELECT {COLS} FROM incidents WHERE {} ORDER BY number DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, IncidentRow, sql, org_id, &params)?)
}

/// How many incidents have each (status, severity): the register's counts in one query.
pub async fn counts(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT status, severity, COUNT(*) FROM incidents WHERE org_id = $1
         GROUP BY status, severity")
        .bind(org_id).fetch_all(x).await)?)
}

/// The links of these incidents (one query for a whole page).
pub async fn links_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<LinkRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, org_id, incident_id, target_kind, target_ref
         FROM incident_links WHERE org_id = $1 AND incident_id IN ({})
         ORDER BY incident_id, target_kind, target_ref",
        marks.join(", ")
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, LinkRow, sql, org_id, &params)?)
}

/// Replace the links of an incident with `links` (kind, reference).
pub async fn set_links(
    c: &mut impl AsConn,
    org_id: Uuid,
    incident_id: Uuid,
    links: &[(String, String)],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM incident_links WHERE org_id = $1 AND incident_id = $2")
        .bind(org_id).bind(incident_id).execute(x).await.map(|r| r.rows_affected()))?;
    for (kind, reference) in links {
        run!(c, x => sqlx::query(
            "INSERT INTO incident_links (id, org_id, incident_id, target_kind, target_ref)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (org_id, incident_id, target_kind, target_ref) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(incident_id).bind(kind).bind(reference)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Which of these asset numbers exist in the organisation (one query).
pub async fn existing_asset_numbers(
    c: &mut impl AsConn,
    org_id: Uuid,
    numbers: &[i64],
) -> Result<Vec<i64>, DbError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..numbers.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT number FROM assets WHERE org_id = $1 AND number IN ({})",
        marks.join(", ")
    );
    let params: Vec<Param> = numbers.iter().map(|n| Param::Int(*n)).collect();
    let rows: Vec<(i64,)> = crate::fetch_with!(c, (i64,), sql, org_id, &params)?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The whole register in number order, a page at a time (exports).
pub async fn all_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<IncidentRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM incidents WHERE org_id = $1 AND number > $2 ORDER BY number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, IncidentRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_number).bind(limit).fetch_all(x).await)?,
    )
}
