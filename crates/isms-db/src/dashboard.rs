//! The dashboard's reads: one query per register, for one organisation or for all the
//! organisations a consultant works in (`org_id IN (…)`), never one per row.

use crate::{AsConn, Day, DbError, Param, fetch_with, run};
use sqlx::FromRow;
use uuid::Uuid;

/// `$1, $2, …` for the organisation ids, and the binds after the first id (which
/// `fetch_with!` binds as `$1`): the other ids, then `extra` (`$n+1`, …).
fn org_binds(org_ids: &[Uuid], extra: Vec<Param>) -> (String, Vec<Param>) {
    let marks: Vec<String> = (1..=org_ids.len()).map(|i| format!("${i}")).collect();
    let mut params: Vec<Param> = org_ids.iter().skip(1).map(|id| Param::Uuid(*id)).collect();
    params.extend(extra);
    (marks.join(", "), params)
}

/// Counts per organisation and kind of what is overdue or open today: `(org_id, kind,
/// count)`. Kinds: `corrective_actions`, `tasks`, `document_reviews`, `evidence_expired`,
/// `risk_reviews`, `open_nc`. Kinds with nothing are absent.
pub async fn overdue_counts(
    c: &mut impl AsConn,
    org_ids: &[Uuid],
    today: Day,
) -> Result<Vec<(Uuid, String, i64)>, DbError> {
    let Some(first) = org_ids.first() else {
        return Ok(Vec::new());
    };
    let (ids, params) = org_binds(org_ids, vec![Param::Day(today)]);
    let today = format!("${}", org_ids.len() + 1);
    let parts = [
        (
            "corrective_actions",
            "corrective_actions",
            "due_on < {today} AND status IN ('planned', 'in_progress')",
        ),
        ("tasks", "tasks", "due_on < {today} AND status <> 'done'"),
        (
            "document_reviews",
            "documents",
            "status = 'approved' AND next_review_on < {today}",
        ),
        ("evidence_expired", "evidence", "valid_until < {today}"),
        (
            "risk_reviews",
            "risks",
            "next_review_on < {today} AND status <> 'closed'",
        ),
        (
            "open_nc",
            "findings",
            "grade IN ('major_nc', 'minor_nc') AND status <> 'closed'",
        ),
    ];
    let sql = parts
        .iter()
        .map(|(kind, table, cond)| {
            format!(
                "SELECT org_id, CAST('{kind}' AS TEXT) AS kind, COUNT(*) AS n FROM {table}
                 WHERE org_id IN ({ids}) AND {} GROUP BY org_id",
                cond.replace("{today}", &today)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    Ok(fetch_with!(c, (Uuid, String, i64), sql, *first, &params)?)
}

/// An active supplier with the date of its last assessment.
#[derive(Debug, Clone, FromRow)]
pub struct SupplierDueRow {
    pub org_id: Uuid,
    pub id: Uuid,
    pub number: i64,
    pub name: String,
    pub criticality: String,
    pub interval_months: Option<i64>,
    pub last_assessed_on: Option<Day>,
}

/// Every active supplier of these organisations with its last assessment date.
pub async fn supplier_assessments(
    c: &mut impl AsConn,
    org_ids: &[Uuid],
) -> Result<Vec<SupplierDueRow>, DbError> {
    let Some(first) = org_ids.first() else {
        return Ok(Vec::new());
    };
    let (ids, params) = org_binds(org_ids, Vec::new());
    let sql = format!(
        "SELECT s.org_id, s.id, s.number, s.name, s.criticality, s.interval_months,
                (SELECT MAX(a.assessed_on) FROM supplier_assessments a
                 WHERE a.org_id = s.org_id AND a.supplier_id = s.id) AS last_assessed_on
         FROM suppliers s
         WHERE s.org_id IN ({ids}) AND s.status = 'active'
         ORDER BY s.org_id, s.number"
    );
    Ok(fetch_with!(c, SupplierDueRow, sql, *first, &params)?)
}

/// A planned certification audit that has not ended yet.
#[derive(Debug, Clone, FromRow)]
pub struct PlannedAuditRow {
    pub org_id: Uuid,
    pub number: i64,
    pub kind: String,
    pub planned_start: Day,
}

/// Planned (not held, not cancelled) certification audits ending today or later, soonest
/// first.
pub async fn planned_audits(
    c: &mut impl AsConn,
    org_ids: &[Uuid],
    today: Day,
) -> Result<Vec<PlannedAuditRow>, DbError> {
    let Some(first) = org_ids.first() else {
        return Ok(Vec::new());
    };
    let (ids, params) = org_binds(org_ids, vec![Param::Day(today)]);
    let sql = format!(
        "SELECT org_id, number, kind, planned_start FROM certification_audits
         WHERE org_id IN ({ids}) AND status = 'planned' AND planned_end >= ${}
         ORDER BY planned_start, number",
        org_ids.len() + 1
    );
    Ok(fetch_with!(c, PlannedAuditRow, sql, *first, &params)?)
}

/// A dated item of one register.
#[derive(Debug, Clone, FromRow)]
pub struct DatedRow {
    /// `corrective_action`, `task`, `document_review`, `evidence_expiry`, `risk_review`.
    pub kind: String,
    pub id: Uuid,
    /// The register number (0 for tasks, which have none).
    pub number: i64,
    pub title: String,
    pub due: Day,
}

/// Most rows per register and window.
pub const DATED_PER_KIND: i64 = 8;

/// For each register with dates, the first [`DATED_PER_KIND`] items overdue (before
/// `today`, oldest first) and the first ones due from `today` to `until`: one query.
pub async fn dated_items(
    c: &mut impl AsConn,
    org_id: Uuid,
    today: Day,
    until: Day,
) -> Result<Vec<DatedRow>, DbError> {
    let registers = [
        (
            "corrective_action",
            "corrective_actions",
            "number",
            "due_on",
            "status IN ('planned', 'in_progress')",
        ),
        (
            "task",
            "tasks",
            "CAST(0 AS BIGINT)",
            "due_on",
            "status <> 'done'",
        ),
        (
            "document_review",
            "documents",
            "number",
            "next_review_on",
            "status = 'approved'",
        ),
        (
            "evidence_expiry",
            "evidence",
            "number",
            "valid_until",
            "1 = 1",
        ),
        (
            "risk_review",
            "risks",
            "number",
            "next_review_on",
            "status <> 'closed'",
        ),
    ];
    let mut parts = Vec::new();
    for (i, (kind, table, number, date, cond)) in registers.iter().enumerate() {
        for (w, window) in [
            format!("{date} < $2"),
            format!("{date} >= $2 AND {date} <= $3"),
        ]
        .iter()
        .enumerate()
        {
            parts.push(format!(
                "SELECT * FROM (SELECT CAST('{kind}' AS TEXT) AS kind, id, {number} AS number,
                 title, {date} AS due FROM {table}
                 WHERE org_id = $1 AND {date} IS NOT NULL AND {window} AND {cond}
                 ORDER BY {date}, id LIMIT {DATED_PER_KIND}) d{i}_{w}"
            ));
        }
    }
    let sql = parts.join(" UNION ALL ");
    Ok(
        run!(c, x => sqlx::query_as::<_, DatedRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(today).bind(until).fetch_all(x).await)?,
    )
}

/// An open nonconformity.
#[derive(Debug, Clone, FromRow)]
pub struct OpenNcRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub grade: String,
    pub status: String,
    pub deadline: Option<Day>,
}

/// Open major and minor nonconformities, majors first, at most `limit`.
pub async fn open_ncs(
    c: &mut impl AsConn,
    org_id: Uuid,
    limit: i64,
) -> Result<Vec<OpenNcRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OpenNcRow>(
        "SELECT id, number, title, grade, status, deadline FROM findings
         WHERE org_id = $1 AND grade IN ('major_nc', 'minor_nc') AND status <> 'closed'
         ORDER BY grade, number LIMIT $2")
        .bind(org_id).bind(limit).fetch_all(x).await)?)
}
