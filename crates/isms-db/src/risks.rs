//! The risk register. Every query is scoped by `org_id`; lists are keyset-paginated on the
//! risk number with an index for each filter.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RiskRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    pub owner_id: Option<Uuid>,
    pub method_id: Uuid,
    pub inherent_likelihood: i64,
    pub inherent_impact: i64,
    pub inherent_level: i64,
    pub treatment: Option<String>,
    pub residual_likelihood: Option<i64>,
    pub residual_impact: Option<i64>,
    pub residual_level: Option<i64>,
    pub status: String,
    pub next_review_on: Option<Day>,
    pub needs_reassessment: bool,
    pub accepted_by: Option<Uuid>,
    pub accepted_at: Option<Ts>,
    pub acceptance_rationale: Option<String>,
    pub acceptance_expires_on: Option<Day>,
    pub accepted_likelihood: Option<i64>,
    pub accepted_impact: Option<i64>,
    pub accepted_level: Option<i64>,
    pub acceptance_kind: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A risk with the names of the people on it (joined, read-only).
#[derive(Debug, Clone, FromRow)]
pub struct RiskWithNames {
    #[sqlx(flatten)]
    pub risk: RiskRow,
    pub owner_name: Option<String>,
    pub accepted_by_name: Option<String>,
}

const COLS: &str = "r.id, r.org_id, r.number, r.title, r.description, r.threat, r.vulnerability,
    r.owner_id, r.method_id, r.inherent_likelihood, r.inherent_impact, r.inherent_level,
    r.treatment, r.residual_likelihood, r.residual_impact, r.residual_level, r.status,
    r.next_review_on, r.needs_reassessment, r.accepted_by, r.accepted_at,
    r.acceptance_rationale, r.acceptance_expires_on, r.accepted_likelihood, r.accepted_impact,
    r.accepted_level, r.acceptance_kind, r.created_at, r.updated_at, r.version,
    o.name AS owner_name, a.name AS accepted_by_name";

const FROM: &str = "FROM risks r LEFT JOIN users o ON o.id = r.owner_id
    LEFT JOIN users a ON a.id = r.accepted_by";

pub async fn insert_risk(c: &mut impl AsConn, r: &RiskRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO risks (id, org_id, number, title, description, threat, vulnerability, owner_id,
            method_id, inherent_likelihood, inherent_impact, inherent_level, treatment,
            residual_likelihood, residual_impact, residual_level, status, next_review_on,
            needs_reassessment, accepted_by, accepted_at, acceptance_rationale,
            acceptance_expires_on, accepted_likelihood, accepted_impact, accepted_level,
            acceptance_kind, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.title).bind(&r.description)
        .bind(&r.threat).bind(&r.vulnerability).bind(r.owner_id).bind(r.method_id)
        .bind(r.inherent_likelihood).bind(r.inherent_impact).bind(r.inherent_level)
        .bind(&r.treatment).bind(r.residual_likelihood).bind(r.residual_impact)
        .bind(r.residual_level).bind(&r.status).bind(r.next_review_on).bind(r.needs_reassessment)
        .bind(r.accepted_by).bind(r.accepted_at).bind(&r.acceptance_rationale)
        .bind(r.acceptance_expires_on).bind(r.accepted_likelihood).bind(r.accepted_impact)
        .bind(r.accepted_level).bind(&r.acceptance_kind).bind(r.created_at).bind(r.updated_at)
        .bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write every field of `r` if `r.version` is still current; `None` when stale. The
/// stored version goes up by one.
pub async fn update_risk(c: &mut impl AsConn, r: &RiskRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE risks SET title = $1, description = $2, threat = $3, vulnerability = $4,
            owner_id = $5, method_id = $6, inherent_likelihood = $7, inherent_impact = $8,
            inherent_level = $9, treatment = $10, residual_likelihood = $11, residual_impact = $12,
            residual_level = $13, status = $14, next_review_on = $15, needs_reassessment = $16,
            accepted_by = $17, accepted_at = $18, acceptance_rationale = $19,
            acceptance_expires_on = $20, accepted_likelihood = $21, accepted_impact = $22,
            accepted_level = $23, acceptance_kind = $24, updated_at = $25, version = version + 1
         WHERE org_id = $26 AND id = $27 AND version = $28")
        .bind(&r.title).bind(&r.description).bind(&r.threat).bind(&r.vulnerability)
        .bind(r.owner_id).bind(r.method_id).bind(r.inherent_likelihood).bind(r.inherent_impact)
        .bind(r.inherent_level).bind(&r.treatment).bind(r.residual_likelihood)
        .bind(r.residual_impact).bind(r.residual_level).bind(&r.status).bind(r.next_review_on)
        .bind(r.needs_reassessment).bind(r.accepted_by).bind(r.accepted_at)
        .bind(&r.acceptance_rationale).bind(r.acceptance_expires_on).bind(r.accepted_likelihood)
        .bind(r.accepted_impact).bind(r.accepted_level).bind(&r.acceptance_kind)
        .bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn risk(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<RiskWithNames>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE r.org_id = $1 AND r.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, RiskWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_risk(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM risks WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "risks", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM risks WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the register. Each is backed by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    pub inherent_level: Option<i64>,
    pub residual_level: Option<i64>,
    pub needs_reassessment: Option<bool>,
    /// (likelihood, impact) of the inherent rating, under `cell_method`.
    pub inherent_cell: Option<(i64, i64)>,
    /// (likelihood, impact) of the residual rating, under `cell_method`.
    pub residual_cell: Option<(i64, i64)>,
    pub cell_method: Option<Uuid>,
    /// Only risks linked to this asset.
    pub asset_id: Option<Uuid>,
}

/// Risks by number, after `after_number`. Only the filters given become SQL conditions,
/// so each query can use its index and the keyset range on `number`.
pub async fn list_risks(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &RiskFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<RiskWithNames>, DbError> {
    let mut conds = vec!["r.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, p: Param| {
        params.push(p);
        conds.push(cond.replace('?', &format!("${}", params.len() + 1)));
    };
    if let Some(s) = &f.status {
        add("r.status = ?", Param::Text(s.clone()));
    }
    if let Some(o) = f.owner_id {
        add("r.owner_id = ?", Param::Uuid(o));
    }
    if let Some(l) = f.inherent_level {
        add("r.inherent_level = ?", Param::Int(l));
    }
    if let Some(l) = f.residual_level {
        add("r.residual_level = ?", Param::Int(l));
    }
    if let Some(b) = f.needs_reassessment {
        add("r.needs_reassessment = ?", Param::Bool(b));
    }
    if let Some(m) = f.cell_method {
        add("r.method_id = ?", Param::Uuid(m));
    }
    if let Some((l, i)) = f.inherent_cell {
        add("r.inherent_likelihood = ?", Param::Int(l));
        add("r.inherent_impact = ?", Param::Int(i));
    }
    if let Some((l, i)) = f.residual_cell {
        add("r.residual_likelihood = ?", Param::Int(l));
        add("r.residual_impact = ?", Param::Int(i));
    }
    if let Some(a) = f.asset_id {
        add(
            "r.id IN (SELECT ra.risk_id FROM risk_assets ra WHERE ra.org_id = $1 AND ra.asset_id = ?)",
            Param::Uuid(a),
        );
    }
    if let Some(n) = after_number {
        add("r.number > ?", Param::Int(n));
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {} ORDER BY r.number LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 100_001)
    );
    Ok(crate::fetch_with!(c, RiskWithNames, sql, org_id, &params)?)
}

/// Risks per (likelihood, impact) cell under one method version: inherent and residual.
pub async fn heat_counts(
    c: &mut impl AsConn,
    org_id: Uuid,
    method_id: Uuid,
) -> Result<(Vec<(i64, i64, i64)>, Vec<(i64, i64, i64)>), DbError> {
    let inherent: Vec<(i64, i64, i64)> = run!(c, x => sqlx::query_as(
        "SELECT inherent_likelihood, inherent_impact, COUNT(*) FROM risks
         WHERE org_id = $1 AND method_id = $2 GROUP BY inherent_likelihood, inherent_impact")
        .bind(org_id).bind(method_id).fetch_all(x).await)?;
    let residual: Vec<(i64, i64, i64)> = run!(c, x => sqlx::query_as(
        "SELECT residual_likelihood, residual_impact, COUNT(*) FROM risks
         WHERE org_id = $1 AND method_id = $2 AND residual_likelihood IS NOT NULL
           AND residual_impact IS NOT NULL
         GROUP BY residual_likelihood, residual_impact")
        .bind(org_id).bind(method_id).fetch_all(x).await)?;
    Ok((inherent, residual))
}

/// Flag every risk rated under another method version than `method_id` for reassessment;
/// returns how many were newly flagged.
pub async fn flag_other_methods(
    c: &mut impl AsConn,
    org_id: Uuid,
    method_id: Uuid,
    now: Ts,
) -> Result<u64, DbError> {
    Ok(run!(c, x => sqlx::query(
        "UPDATE risks SET needs_reassessment = TRUE, updated_at = $1, version = version + 1
         WHERE org_id = $2 AND method_id <> $3 AND needs_reassessment = FALSE")
        .bind(now).bind(org_id).bind(method_id)
        .execute(x).await.map(|r| r.rows_affected()))?)
}

/// The Annex A controls linked to each of `risk_ids` (one query for a page of risks).
pub async fn controls_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    risk_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    if risk_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..risk_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT risk_id, control_id FROM risk_controls
         WHERE org_id = $1 AND risk_id IN ({}) ORDER BY risk_id, control_id",
        marks.join(", ")
    );
    let params: Vec<Param> = risk_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, (Uuid, String), sql, org_id, &params)?)
}

/// Replace the controls linked to a risk.
pub async fn set_controls(
    c: &mut impl AsConn,
    org_id: Uuid,
    risk_id: Uuid,
    controls: &[String],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM risk_controls WHERE org_id = $1 AND risk_id = $2")
        .bind(org_id).bind(risk_id).execute(x).await.map(|r| r.rows_affected()))?;
    for control in controls {
        run!(c, x => sqlx::query(
            "INSERT INTO risk_controls (id, risk_id, org_id, control_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7()).bind(risk_id).bind(org_id).bind(control)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Risks that a control treats (control page), by number.
pub async fn risks_for_control(
    c: &mut impl AsConn,
    org_id: Uuid,
    control_id: &str,
) -> Result<Vec<(Uuid, i64, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT r.id, r.number, r.title FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
         WHERE rc.org_id = $1 AND rc.control_id = $2 ORDER BY r.number LIMIT 200")
        .bind(org_id).bind(control_id).fetch_all(x).await)?)
}

/// How many risks wait for reassessment under the method in force.
pub async fn count_awaiting_reassessment(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM risks WHERE org_id = $1 AND needs_reassessment = TRUE")
        .bind(org_id).fetch_one(x).await)?)
}
