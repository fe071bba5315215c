//! Measurements of objectives' metrics and control checks (0015), append-only. Every
//! query is scoped by `org_id`; a subject's history reads `measurements_subject_idx`,
//! the whole list `measurements_date_idx`, both keyset-paginated on (measured_on, id).

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct MeasurementRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub subject_kind: String,
    pub subject_ref: String,
    pub measured_on: Day,
    pub value: Option<f64>,
    pub result: Option<String>,
    pub note: String,
    pub recorded_by: Option<Uuid>,
    pub created_at: Ts,
}

/// A measurement with the name of who recorded it.
#[derive(Debug, Clone, FromRow)]
pub struct MeasurementWithName {
    #[sqlx(flatten)]
    pub m: MeasurementRow,
    pub recorded_by_name: Option<String>,
}

const COLS: &str = "m.id, m.org_id, m.subject_kind, m.subject_ref, m.measured_on, m.value,
    m.result, m.note, m.recorded_by, m.created_at, u.name AS recorded_by_name";
const FROM: &str = "FROM measurements m LEFT JOIN users u ON u.id = m.recorded_by";

pub async fn insert(c: &mut impl AsConn, r: &MeasurementRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO measurements (id, org_id, subject_kind, subject_ref, measured_on, value,
            result, note, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(r.id).bind(r.org_id).bind(&r.subject_kind).bind(&r.subject_ref)
        .bind(r.measured_on).bind(r.value).bind(&r.result).bind(&r.note).bind(r.recorded_by)
        .bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<MeasurementWithName>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE m.org_id = $1 AND m.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, MeasurementWithName>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM measurements WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct MeasurementFilter {
    /// One subject's history: (`objective`, id) or (`control`, `5.15`).
    pub subject: Option<(String, String)>,
    /// Only this kind of subject.
    pub kind: Option<String>,
}

/// Newest first by (measured_on, id), strictly below `before`, at most `limit`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &MeasurementFilter,
    before: Option<(Day, Uuid)>,
    limit: i64,
) -> Result<Vec<MeasurementWithName>, DbError> {
    let mut conds = vec!["m.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some((kind, reference)) = &f.subject {
        params.push(Param::Text(kind.clone()));
        params.push(Param::Text(reference.clone()));
        conds.push(format!(
            "m.subject_kind = ${} AND m.subject_ref = ${}",
            params.len(),
            params.len() + 1
        ));
    } else if let Some(kind) = &f.kind {
        params.push(Param::Text(kind.clone()));
        conds.push(format!("m.subject_kind = ${}", params.len() + 1));
    }
    if let Some((d, id)) = before {
        params.push(Param::Day(d));
        params.push(Param::Day(d));
        params.push(Param::Uuid(id));
        let n = params.len();
        conds.push(format!(
            "(m.measured_on < ${} OR (m.measured_on = ${} AND m.id < ${}))",
            n - 1,
            n,
            n + 1
        ));
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {} ORDER BY m.measured_on DESC, m.id DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(
        c,
        MeasurementWithName,
        sql,
        org_id,
        &params
    )?)
}

/// One point of a series: when, the value and the result.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct Point {
    pub subject_kind: String,
    pub subject_ref: String,
    pub measured_on: Day,
    pub value: Option<f64>,
    pub result: Option<String>,
}

/// Every point measured on or after `since`, by subject then date: one query for the
/// whole overview (measurements_subject_idx).
pub async fn points_since(
    c: &mut impl AsConn,
    org_id: Uuid,
    since: Day,
) -> Result<Vec<Point>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, Point>(
        "SELECT subject_kind, subject_ref, measured_on, value, result FROM measurements
         WHERE org_id = $1 AND measured_on >= $2
         ORDER BY subject_kind, subject_ref, measured_on, id")
        .bind(org_id).bind(since).fetch_all(x).await)?)
}

/// The latest measurement date of every subject (one query).
pub async fn latest_dates(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, String, Day)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, String, Day)>(
        "SELECT subject_kind, subject_ref, MAX(measured_on) FROM measurements
         WHERE org_id = $1 GROUP BY subject_kind, subject_ref")
        .bind(org_id).fetch_all(x).await)?)
}

/// Every measurement in (measured_on, id) order after `after`, a page at a time (exports).
pub async fn all_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<(Day, Uuid)>,
    limit: i64,
) -> Result<Vec<MeasurementWithName>, DbError> {
    let mut params: Vec<Param> = Vec::new();
    let mut cond = String::new();
    if let Some((d, id)) = after {
        params = vec![Param::Day(d), Param::Day(d), Param::Uuid(id)];
        cond = " AND (m.measured_on > $2 OR (m.measured_on = $3 AND m.id > $4))".to_owned();
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE m.org_id = $1{cond}
         ORDER BY m.measured_on, m.id LIMIT {}",
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(
        c,
        MeasurementWithName,
        sql,
        org_id,
        &params
    )?)
}
