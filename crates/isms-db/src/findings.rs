//! Findings and corrective actions (migration 0017). Every query is scoped by `org_id`;
//! both registers are keyset-paginated newest first on the number, with an index for
//! each filter.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FindingRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub source: String,
    pub source_id: Option<Uuid>,
    pub checklist_item_id: Option<Uuid>,
    pub grade: String,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub evidence: String,
    pub raised_on: Day,
    pub raised_by: Option<Uuid>,
    pub status: String,
    pub deadline: Option<Day>,
    pub closure_note: String,
    pub closed_on: Option<Day>,
    pub closed_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A finding with the name of who raised it.
#[derive(Debug, Clone, FromRow)]
pub struct FindingWithNames {
    #[sqlx(flatten)]
    pub finding: FindingRow,
    pub raised_by_name: Option<String>,
}

const F_COLS: &str = "f.id, f.org_id, f.number, f.source, f.source_id, f.checklist_item_id,
    f.grade, f.reference, f.title, f.description, f.evidence, f.raised_on, f.raised_by,
    f.status, f.deadline, f.closure_note, f.closed_on, f.closed_by, f.created_at,
    f.updated_at, f.version, u.name AS raised_by_name";
const F_FROM: &str = "FROM findings f LEFT JOIN users u ON u.id = f.raised_by";

pub async fn insert_finding(c: &mut impl AsConn, r: &FindingRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO findings (id, org_id, number, source, source_id, checklist_item_id, grade,
            reference, title, description, evidence, raised_on, raised_by, status, deadline,
            closure_note, closed_on, closed_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.source).bind(r.source_id)
        .bind(r.checklist_item_id).bind(&r.grade).bind(&r.reference).bind(&r.title)
        .bind(&r.description).bind(&r.evidence).bind(r.raised_on).bind(r.raised_by)
        .bind(&r.status).bind(r.deadline).bind(&r.closure_note).bind(r.closed_on)
        .bind(r.closed_by).bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale. The version goes up.
pub async fn update_finding(c: &mut impl AsConn, r: &FindingRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE findings SET source = $1, source_id = $2, grade = $3, reference = $4,
            title = $5, description = $6, evidence = $7, raised_on = $8, raised_by = $9,
            status = $10, deadline = $11, closure_note = $12, closed_on = $13, closed_by = $14,
            updated_at = $15, version = version + 1
         WHERE org_id = $16 AND id = $17 AND version = $18")
        .bind(&r.source).bind(r.source_id).bind(&r.grade).bind(&r.reference).bind(&r.title)
        .bind(&r.description).bind(&r.evidence).bind(r.raised_on).bind(r.raised_by)
        .bind(&r.status).bind(r.deadline).bind(&r.closure_note).bind(r.closed_on)
        .bind(r.closed_by).bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Set only the status (when its actions move it), bumping the version.
pub async fn set_finding_status(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    status: &str,
    at: Ts,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE findings SET status = $1, updated_at = $2, version = version + 1
         WHERE org_id = $3 AND id = $4")
        .bind(status).bind(at).bind(org_id).bind(id)
        .execute(x).await.map(|_| ()))?;
    Ok(())
}

pub async fn get_finding(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<FindingWithNames>, DbError> {
    let sql = format!("SELECT {F_COLS} {F_FROM} WHERE f.org_id = $1 AND f.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, FindingWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_finding(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM findings WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_finding_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "findings", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM findings WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the findings register; each is served by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub grade: Option<String>,
    pub status: Option<String>,
    pub source: Option<String>,
    pub source_id: Option<Uuid>,
}

/// Build `cond` with `?` replaced by the next placeholders.
fn add_cond(conds: &mut Vec<String>, params: &mut Vec<Param>, cond: &str, ps: Vec<Param>) {
    let mut cond = cond.to_owned();
    for p in ps {
        params.push(p);
        cond = cond.replacen('?', &format!("${}", params.len() + 1), 1);
    }
    conds.push(cond);
}

/// The register newest first (number below `before`), at most `limit`.
pub async fn list_findings(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &FindingFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FindingWithNames>, DbError> {
    let mut conds = vec!["f.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(g) = &f.grade {
        add_cond(
            &mut conds,
            &mut params,
            "f.grade = ?",
            vec![Param::Text(g.clone())],
        );
    }
    if let Some(s) = &f.status {
        add_cond(
            &mut conds,
            &mut params,
            "f.status = ?",
            vec![Param::Text(s.clone())],
        );
    }
    if let Some(s) = &f.source {
        add_cond(
            &mut conds,
            &mut params,
            "f.source = ?",
            vec![Param::Text(s.clone())],
        );
    }
    if let Some(s) = f.source_id {
        add_cond(
            &mut conds,
            &mut params,
            "f.source_id = ?",
            vec![Param::Uuid(s)],
        );
    }
    if let Some(n) = before {
        add_cond(&mut conds, &mut params, "f.number < ?", vec![Param::Int(n)]);
    }
    let sql = format!(
        "SELECT {F_COLS} {F_FROM} WHERE {} ORDER BY f.number DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(
        c,
        FindingWithNames,
        sql,
        org_id,
        &params
    )?)
}

/// The findings an audit (or an incident, or a review) raised, in number order: for the
/// audit report.
pub async fn list_for_source(
    c: &mut impl AsConn,
    org_id: Uuid,
    source_id: Uuid,
) -> Result<Vec<FindingWithNames>, DbError> {
    let sql = format!(
        "SELECT {F_COLS} {F_FROM} WHERE f.org_id = $1 AND f.source_id = $2 ORDER BY f.number"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, FindingWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(source_id).fetch_all(x).await)?,
    )
}

/// How many findings of each grade (for the register's counts), with the open ones.
pub async fn grade_counts(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT grade, status, COUNT(*) FROM findings WHERE org_id = $1 GROUP BY grade, status")
        .bind(org_id).fetch_all(x).await)?)
}

/// The whole register in number order, a page at a time (exports, reviews).
pub async fn findings_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<FindingWithNames>, DbError> {
    let sql = format!(
        "SELECT {F_COLS} {F_FROM} WHERE f.org_id = $1 AND f.number > $2 ORDER BY f.number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, FindingWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_number).bind(limit).fetch_all(x).await)?,
    )
}

/// The evidence a finding points to: (finding id, evidence id, number, title), one query
/// for a page of findings.
pub async fn evidence_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    finding_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, i64, String)>, DbError> {
    if finding_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..finding_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT l.finding_id, e.id, e.number, e.title FROM finding_evidence l
         JOIN evidence e ON e.id = l.evidence_id
         WHERE l.org_id = $1 AND l.finding_id IN ({}) ORDER BY l.finding_id, e.number",
        marks.join(", ")
    );
    let params: Vec<Param> = finding_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(
        c,
        (Uuid, Uuid, i64, String),
        sql,
        org_id,
        &params
    )?)
}

/// Replace the evidence a finding points to.
pub async fn set_evidence(
    c: &mut impl AsConn,
    org_id: Uuid,
    finding_id: Uuid,
    evidence_ids: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM finding_evidence WHERE org_id = $1 AND finding_id = $2")
        .bind(org_id).bind(finding_id).execute(x).await.map(|_| ()))?;
    for e in evidence_ids {
        run!(c, x => sqlx::query(
            "INSERT INTO finding_evidence (org_id, finding_id, evidence_id) VALUES ($1, $2, $3)
             ON CONFLICT (finding_id, evidence_id) DO NOTHING")
            .bind(org_id).bind(finding_id).bind(*e).execute(x).await.map(|_| ()))?;
    }
    Ok(())
}

/// Which of these evidence ids belong to the organisation (one query).
pub async fn existing_evidence(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id FROM evidence WHERE org_id = $1 AND id IN ({})",
        marks.join(", ")
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    let rows: Vec<(Uuid,)> = crate::fetch_with!(c, (Uuid,), sql, org_id, &params)?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ActionRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub finding_id: Option<Uuid>,
    pub review_id: Option<Uuid>,
    pub title: String,
    pub correction: String,
    pub correction_on: Option<Day>,
    pub rca_method: Option<String>,
    pub five_whys: String,
    pub root_cause: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Day>,
    pub status: String,
    pub implemented_on: Option<Day>,
    pub verified_by: Option<Uuid>,
    pub verified_on: Option<Day>,
    pub verification: Option<String>,
    pub verification_note: String,
    pub closed_on: Option<Day>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A corrective action with the names and the finding it corrects.
#[derive(Debug, Clone, FromRow)]
pub struct ActionWithNames {
    #[sqlx(flatten)]
    pub action: ActionRow,
    pub owner_name: Option<String>,
    pub verified_by_name: Option<String>,
    pub finding_number: Option<i64>,
    pub finding_grade: Option<String>,
    pub finding_title: Option<String>,
    pub finding_raised_on: Option<Day>,
}

const A_COLS: &str = "a.id, a.org_id, a.number, a.finding_id, a.review_id, a.title,
    a.correction, a.correction_on, a.rca_method, a.five_whys, a.root_cause, a.description,
    a.owner_id, a.due_on, a.status, a.implemented_on, a.verified_by, a.verified_on,
    a.verification, a.verification_note, a.closed_on, a.created_at, a.updated_at, a.version,
    o.name AS owner_name, v.name AS verified_by_name, f.number AS finding_number,
    f.grade AS finding_grade, f.title AS finding_title, f.raised_on AS finding_raised_on";
const A_FROM: &str = "FROM corrective_actions a
    LEFT JOIN users o ON o.id = a.owner_id
    LEFT JOIN users v ON v.id = a.verified_by
    LEFT JOIN findings f ON f.id = a.finding_id";

pub async fn insert_action(c: &mut impl AsConn, r: &ActionRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO corrective_actions (id, org_id, number, finding_id, review_id, title,
            correction, correction_on, rca_method, five_whys, root_cause, description, owner_id,
            due_on, status, implemented_on, verified_by, verified_on, verification,
            verification_note, closed_on, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(r.finding_id).bind(r.review_id)
        .bind(&r.title).bind(&r.correction).bind(r.correction_on).bind(&r.rca_method)
        .bind(&r.five_whys).bind(&r.root_cause).bind(&r.description).bind(r.owner_id)
        .bind(r.due_on).bind(&r.status).bind(r.implemented_on).bind(r.verified_by)
        .bind(r.verified_on).bind(&r.verification).bind(&r.verification_note)
        .bind(r.closed_on).bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale.
pub async fn update_action(c: &mut impl AsConn, r: &ActionRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE corrective_actions SET title = $1, correction = $2, correction_on = $3,
            rca_method = $4, five_whys = $5, root_cause = $6, description = $7, owner_id = $8,
            due_on = $9, status = $10, implemented_on = $11, verified_by = $12,
            verified_on = $13, verification = $14, verification_note = $15, closed_on = $16,
            updated_at = $17, version = version + 1
         WHERE org_id = $18 AND id = $19 AND version = $20")
        .bind(&r.title).bind(&r.correction).bind(r.correction_on).bind(&r.rca_method)
        .bind(&r.five_whys).bind(&r.root_cause).bind(&r.description).bind(r.owner_id)
        .bind(r.due_on).bind(&r.status).bind(r.implemented_on).bind(r.verified_by)
        .bind(r.verified_on).bind(&r.verification).bind(&r.verification_note)
        .bind(r.closed_on).bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_action(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<ActionWithNames>, DbError> {
    let sql = format!("SELECT {A_COLS} {A_FROM} WHERE a.org_id = $1 AND a.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, ActionWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_action(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM corrective_actions WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_action_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "corrective_actions", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM corrective_actions WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the corrective-action register.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub status: Option<String>,
    pub finding_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    /// Due before this day and not implemented yet (corrective_actions_due_idx).
    pub overdue_on: Option<Day>,
}

/// The register newest first (number below `before`), at most `limit`.
pub async fn list_actions(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &ActionFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ActionWithNames>, DbError> {
    let mut conds = vec!["a.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(s) = &f.status {
        add_cond(
            &mut conds,
            &mut params,
            "a.status = ?",
            vec![Param::Text(s.clone())],
        );
    }
    if let Some(id) = f.finding_id {
        add_cond(
            &mut conds,
            &mut params,
            "a.finding_id = ?",
            vec![Param::Uuid(id)],
        );
    }
    if let Some(id) = f.owner_id {
        add_cond(
            &mut conds,
            &mut params,
            "a.owner_id = ?",
            vec![Param::Uuid(id)],
        );
    }
    if let Some(d) = f.overdue_on {
        add_cond(
            &mut conds,
            &mut params,
            "a.due_on < ? AND a.status IN ('planned', 'in_progress')",
            vec![Param::Day(d)],
        );
    }
    if let Some(n) = before {
        add_cond(&mut conds, &mut params, "a.number < ?", vec![Param::Int(n)]);
    }
    let sql = format!(
        "SELECT {A_COLS} {A_FROM} WHERE {} ORDER BY a.number DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(
        c,
        ActionWithNames,
        sql,
        org_id,
        &params
    )?)
}

/// The statuses of the actions on each of these findings: (finding id, status), one query.
pub async fn action_statuses(
    c: &mut impl AsConn,
    org_id: Uuid,
    finding_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    if finding_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..finding_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT finding_id, status FROM corrective_actions
         WHERE org_id = $1 AND finding_id IN ({}) ORDER BY finding_id, number",
        marks.join(", ")
    );
    let params: Vec<Param> = finding_ids.iter().map(|i| Param::Uuid(*i)).collect();
    let rows: Vec<(Option<Uuid>, String)> =
        crate::fetch_with!(c, (Option<Uuid>, String), sql, org_id, &params)?;
    Ok(rows
        .into_iter()
        .filter_map(|(f, s)| f.map(|f| (f, s)))
        .collect())
}

/// The whole register in number order, a page at a time (exports, reviews).
pub async fn actions_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<ActionWithNames>, DbError> {
    let sql = format!(
        "SELECT {A_COLS} {A_FROM} WHERE a.org_id = $1 AND a.number > $2 ORDER BY a.number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ActionWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_number).bind(limit).fetch_all(x).await)?,
    )
}
