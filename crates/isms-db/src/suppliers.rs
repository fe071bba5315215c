//! The supplier register and each supplier's assessment history (0020). Every query is
//! scoped by `org_id`; the register is keyset-paginated in number order, with an index
//! for each filter (status, criticality).

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SupplierRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub name: String,
    pub service: String,
    pub criticality: String,
    pub data_shared: String,
    pub contract_security: bool,
    pub contract_reference: String,
    pub contact: String,
    pub owner: String,
    pub interval_months: Option<i64>,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub supplier_id: Uuid,
    pub assessed_on: Day,
    pub result: String,
    pub note: String,
    pub recorded_by: Option<Uuid>,
    pub created_at: Ts,
}

const COLS: &str = "id, org_id, number, name, service, criticality, data_shared,
    contract_security, contract_reference, contact, owner, interval_months, status,
    created_by, created_at, updated_at, version";

pub async fn insert(c: &mut impl AsConn, r: &SupplierRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO suppliers (id, org_id, number, name, service, criticality, data_shared,
            contract_security, contract_reference, contact, owner, interval_months, status,
            created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.name).bind(&r.service)
        .bind(&r.criticality).bind(&r.data_shared).bind(r.contract_security)
        .bind(&r.contract_reference).bind(&r.contact).bind(&r.owner).bind(r.interval_months)
        .bind(&r.status).bind(r.created_by).bind(r.created_at).bind(r.updated_at)
        .bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale. The version goes up by one.
pub async fn update(c: &mut impl AsConn, r: &SupplierRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE suppliers SET name = $1, service = $2, criticality = $3, data_shared = $4,
            contract_security = $5, contract_reference = $6, contact = $7, owner = $8,
            interval_months = $9, status = $10, updated_at = $11, version = version + 1
         WHERE org_id = $12 AND id = $13 AND version = $14")
        .bind(&r.name).bind(&r.service).bind(&r.criticality).bind(&r.data_shared)
        .bind(r.contract_security).bind(&r.contract_reference).bind(&r.contact)
        .bind(&r.owner).bind(r.interval_months).bind(&r.status).bind(r.updated_at)
        .bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<SupplierRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM suppliers WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, SupplierRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM suppliers WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "suppliers", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM suppliers WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the register; each is served by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct SupplierFilter {
    pub status: Option<String>,
    pub criticality: Option<String>,
}

/// The register in number order (above `after_number`), at most `limit`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &SupplierFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<SupplierRow>, DbError> {
    let mut conds = vec!["org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(s) = &f.status {
        params.push(Param::Text(s.clone()));
        conds.push(format!("status = ${}", params.len() + 1));
    }
    if let Some(s) = &f.criticality {
        params.push(Param::Text(s.clone()));
        conds.push(format!("criticality = ${}", params.len() + 1));
    }
    if let Some(n) = after_number {
        params.push(Param::Int(n));
        conds.push(format!("number > ${}", params.len() + 1));
    }
    let sql = format!(
        "SELECT {COLS} FROM suppliers WHERE {} ORDER BY number LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, SupplierRow, sql, org_id, &params)?)
}

pub async fn insert_assessment(c: &mut impl AsConn, r: &AssessmentRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO supplier_assessments (id, org_id, supplier_id, assessed_on, result, note,
            recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(r.id).bind(r.org_id).bind(r.supplier_id).bind(r.assessed_on).bind(&r.result)
        .bind(&r.note).bind(r.recorded_by).bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The assessments of these suppliers, latest first per supplier (one query for a page).
pub async fn assessments_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    supplier_ids: &[Uuid],
) -> Result<Vec<AssessmentRow>, DbError> {
    if supplier_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..supplier_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT id, org_id, supplier_id, assessed_on, result, note, recorded_by, created_at
         FROM supplier_assessments WHERE org_id = $1 AND supplier_id IN ({})
         ORDER BY supplier_id, assessed_on DESC, id DESC",
        marks.join(", ")
    );
    let params: Vec<Param> = supplier_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, AssessmentRow, sql, org_id, &params)?)
}

/// The whole register in number order, a page at a time (exports).
pub async fn all_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<SupplierRow>, DbError> {
    list(
        c,
        org_id,
        &SupplierFilter::default(),
        Some(after_number),
        limit,
    )
    .await
}
