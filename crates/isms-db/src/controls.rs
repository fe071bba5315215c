//! How the organisation implements its controls (0011): one row per control it has
//! recorded something about (absent = not started), and the clauses each supports.
//! Every query is scoped by `org_id`; lists follow `sort_key` (catalogue order, own
//! controls after), which `control_implementations_order_idx` serves, with one index per
//! filter. A control has at most one row, so an organisation has at most 93 rows plus one
//! per own control.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ImplRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub control_ref: String,
    pub sort_key: String,
    pub owner_id: Option<Uuid>,
    pub status: String,
    pub implementation: String,
    pub due_on: Option<Day>,
    pub monitoring: String,
    pub check_frequency: Option<String>,
    pub last_check_on: Option<Day>,
    pub last_check_result: Option<String>,
    pub last_check_note: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A record with its owner's name (joined, read-only).
#[derive(Debug, Clone, FromRow)]
pub struct ImplWithOwner {
    #[sqlx(flatten)]
    pub row: ImplRow,
    pub owner_name: Option<String>,
}

const COLS: &str = "ci.id, ci.org_id, ci.control_ref, ci.sort_key, ci.owner_id, ci.status,
    ci.implementation, ci.due_on, ci.monitoring, ci.check_frequency, ci.last_check_on,
    ci.last_check_result, ci.last_check_note, ci.created_at, ci.updated_at, ci.version,
    o.name AS owner_name";

const FROM: &str = "FROM control_implementations ci LEFT JOIN users o ON o.id = ci.owner_id";

/// Write a record: with `expected_version` 0 create it (false when one exists already),
/// otherwise overwrite it if its version is still `expected_version` (false when stale).
/// The stored version becomes `r.version`.
pub async fn upsert(
    c: &mut impl AsConn,
    r: &ImplRow,
    expected_version: i64,
) -> Result<bool, DbError> {
    let n = if expected_version == 0 {
        run!(c, x => sqlx::query(
            "INSERT INTO control_implementations (id, org_id, control_ref, sort_key, owner_id,
                status, implementation, due_on, monitoring, check_frequency, last_check_on,
                last_check_result, last_check_note, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (org_id, control_ref) DO NOTHING")
            .bind(r.id).bind(r.org_id).bind(&r.control_ref).bind(&r.sort_key).bind(r.owner_id)
            .bind(&r.status).bind(&r.implementation).bind(r.due_on).bind(&r.monitoring)
            .bind(&r.check_frequency).bind(r.last_check_on).bind(&r.last_check_result)
            .bind(&r.last_check_note).bind(r.created_at).bind(r.updated_at).bind(r.version)
            .execute(x).await.map(|r| r.rows_affected()))?
    } else {
        run!(c, x => sqlx::query(
            "UPDATE control_implementations SET owner_id = $1, status = $2, implementation = $3,
                due_on = $4, monitoring = $5, check_frequency = $6, last_check_on = $7,
                last_check_result = $8, last_check_note = $9, updated_at = $10, version = $11
             WHERE org_id = $12 AND control_ref = $13 AND version = $14")
            .bind(r.owner_id).bind(&r.status).bind(&r.implementation).bind(r.due_on)
            .bind(&r.monitoring).bind(&r.check_frequency).bind(r.last_check_on)
            .bind(&r.last_check_result).bind(&r.last_check_note).bind(r.updated_at)
            .bind(r.version).bind(r.org_id).bind(&r.control_ref).bind(expected_version)
            .execute(x).await.map(|r| r.rows_affected()))?
    };
    Ok(n == 1)
}

/// One control's record.
pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    control_ref: &str,
) -> Result<Option<ImplWithOwner>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE ci.org_id = $1 AND ci.control_ref = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, ImplWithOwner>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(control_ref).fetch_optional(x).await)?,
    )
}

/// Filters of the record list. Only those given become SQL conditions.
#[derive(Debug, Clone, Default)]
pub struct ImplFilter {
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Sort keys in `[from, to)` (an Annex A theme).
    pub key_range: Option<(String, String)>,
    /// Not implemented (nor not applicable) and due before this day.
    pub overdue_on: Option<Day>,
    /// Check overdue: for each frequency, the last check must be before its cutoff
    /// (`isms_domain::control::implementation::CheckFrequency::overdue_cutoff`); an
    /// implemented control with a frequency and no check at all counts too.
    pub check_cutoffs: Vec<(String, Day)>,
    /// Implemented without a description of the check or without its frequency.
    pub unmonitored: bool,
}

/// Records in sort-key order after `after`, at most `limit` (all when `None`).
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &ImplFilter,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<ImplWithOwner>, DbError> {
    let mut conds = vec!["ci.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len() + 1)
    };
    if let Some(s) = &f.status {
        conds.push(format!(
            "ci.status = {}",
            next(&mut params, Param::Text(s.clone()))
        ));
    }
    if let Some(o) = f.owner_id {
        conds.push(format!(
            "ci.owner_id = {}",
            next(&mut params, Param::Uuid(o))
        ));
    }
    if let Some((from, to)) = &f.key_range {
        let a = next(&mut params, Param::Text(from.clone()));
        let b = next(&mut params, Param::Text(to.clone()));
        conds.push(format!("ci.sort_key >= {a} AND ci.sort_key < {b}"));
    }
    if let Some(d) = f.overdue_on {
        conds.push(format!(
            "ci.due_on < {} AND ci.status NOT IN ('implemented', 'not_applicable')",
            next(&mut params, Param::Day(d))
        ));
    }
    if !f.check_cutoffs.is_empty() {
        let mut alts = Vec::new();
        for (freq, cutoff) in &f.check_cutoffs {
            let a = next(&mut params, Param::Text(freq.clone()));
            let b = next(&mut params, Param::Day(*cutoff));
            alts.push(format!(
                "(ci.check_frequency = {a} AND ci.last_check_on < {b})"
            ));
        }
        conds.push(format!(
            "((ci.status IN ('partially_implemented', 'implemented') AND ({}))
              OR (ci.status = 'implemented' AND ci.check_frequency IS NOT NULL
                  AND ci.last_check_on IS NULL))",
            alts.join(" OR ")
        ));
    }
    if f.unmonitored {
        conds.push(
            "ci.status = 'implemented' AND (ci.monitoring = '' OR ci.check_frequency IS NULL)"
                .to_owned(),
        );
    }
    if let Some(a) = after {
        conds.push(format!(
            "ci.sort_key > {}",
            next(&mut params, Param::Text(a.to_owned()))
        ));
    }
    let limit = limit.map_or_else(String::new, |l| format!(" LIMIT {}", l.clamp(1, 100_001)));
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {} ORDER BY ci.sort_key{limit}",
        conds.join(" AND ")
    );
    Ok(crate::fetch_with!(c, ImplWithOwner, sql, org_id, &params)?)
}

fn marks(from: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + from))
        .collect::<Vec<_>>()
        .join(", ")
}

fn texts(v: &[String]) -> Vec<Param> {
    v.iter().map(|s| Param::Text(s.clone())).collect()
}

/// Two text columns for each of `refs`: `sql` is a query whose `WHERE` ends with
/// `org_id = $1 AND control_ref IN` (the list is appended).
async fn pairs_for(
    c: &mut impl AsConn,
    org_id: Uuid,
    sql: &str,
    order: &str,
    refs: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{sql} ({}){order}", marks(2, refs.len()));
    Ok(crate::fetch_with!(
        c,
        (String, String),
        sql,
        org_id,
        &texts(refs)
    )?)
}

/// The status recorded for each of `refs` that has a record (one query).
pub async fn statuses_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    refs: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    pairs_for(
        c,
        org_id,
        "SELECT control_ref, status FROM control_implementations
         WHERE org_id = $1 AND control_ref IN",
        "",
        refs,
    )
    .await
}

/// The references of the controls with `status`, in sort-key order.
pub async fn refs_with_status(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: &str,
) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = run!(c, x => sqlx::query_as(
        "SELECT control_ref FROM control_implementations
         WHERE org_id = $1 AND status = $2 ORDER BY sort_key")
        .bind(org_id).bind(status).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// How many records have each status.
pub async fn counts(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<(String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT status, COUNT(*) FROM control_implementations WHERE org_id = $1 GROUP BY status")
        .bind(org_id).fetch_all(x).await)?)
}

/// Replace the clauses a control supports.
pub async fn set_clauses(
    c: &mut impl AsConn,
    org_id: Uuid,
    control_ref: &str,
    clauses: &[String],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM control_clauses WHERE org_id = $1 AND control_ref = $2")
        .bind(org_id).bind(control_ref).execute(x).await.map(|r| r.rows_affected()))?;
    for clause in clauses {
        run!(c, x => sqlx::query(
            "INSERT INTO control_clauses (id, org_id, control_ref, clause_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7()).bind(org_id).bind(control_ref).bind(clause)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// (control, clause) for each of `refs` (one query for a page).
pub async fn clauses_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    refs: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    pairs_for(
        c,
        org_id,
        "SELECT control_ref, clause_id FROM control_clauses
         WHERE org_id = $1 AND control_ref IN",
        " ORDER BY control_ref, clause_id",
        refs,
    )
    .await
}

/// A risk that names a control among its controls.
#[derive(Debug, Clone, FromRow)]
pub struct LinkedRisk {
    pub control_ref: String,
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
}

/// The risks treated by each of `refs`, by risk number (one query for a page).
pub async fn risks_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    refs: &[String],
) -> Result<Vec<LinkedRisk>, DbError> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT rc.control_id AS control_ref, r.id, r.number, r.title, r.status
         FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
         WHERE rc.org_id = $1 AND rc.control_id IN ({}) ORDER BY r.number",
        marks(2, refs.len())
    );
    Ok(crate::fetch_with!(
        c,
        LinkedRisk,
        sql,
        org_id,
        &texts(refs)
    )?)
}

/// Remove a control's record and clause links (its own control was removed).
pub async fn delete(c: &mut impl AsConn, org_id: Uuid, control_ref: &str) -> Result<bool, DbError> {
    run!(c, x => sqlx::query("DELETE FROM control_clauses WHERE org_id = $1 AND control_ref = $2")
        .bind(org_id).bind(control_ref).execute(x).await.map(|r| r.rows_affected()))?;
    let n = run!(c, x => sqlx::query(
        "DELETE FROM control_implementations WHERE org_id = $1 AND control_ref = $2")
        .bind(org_id).bind(control_ref).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
