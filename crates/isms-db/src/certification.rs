//! Certification bodies, their audits and the certificates they issue. Every query is
//! scoped by `org_id`. An organisation has a handful of each, but the lists are still
//! keyset-paginated: bodies on the name, audits on the number, certificates on the
//! certificate number, each served by a unique index that starts with `org_id`.

use crate::{AsConn, Day, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct BodyRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub accreditation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub notes: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CertAuditRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub body_id: Uuid,
    pub kind: String,
    pub status: String,
    pub planned_start: Day,
    pub planned_end: Day,
    pub actual_start: Option<Day>,
    pub actual_end: Option<Day>,
    pub lead_auditor: String,
    /// JSON array of names.
    pub team: String,
    pub auditor_days: i64,
    pub scope: String,
    pub soa_version: Option<i64>,
    pub outcome: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CertificateRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub body_id: Uuid,
    pub certificate_no: String,
    pub scope: String,
    pub decision_on: Day,
    pub issued_on: Day,
    pub expires_on: Day,
    pub soa_version: Option<i64>,
    pub status: String,
    pub status_on: Day,
    pub status_note: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const BODY_COLS: &str = "id, org_id, name, accreditation, contact_name, contact_email, notes,
    created_at, updated_at, version";
const AUDIT_COLS: &str = "id, org_id, number, body_id, kind, status, planned_start, planned_end,
    actual_start, actual_end, lead_auditor, team, auditor_days, scope, soa_version, outcome,
    created_at, updated_at, version";
const CERT_COLS: &str = "id, org_id, body_id, certificate_no, scope, decision_on, issued_on,
    expires_on, soa_version, status, status_on, status_note, created_at, updated_at, version";

/// Most rows of one kind an organisation's cycle view reads at once.
pub const CYCLE_CAP: i64 = 1000;

// ------------------------------------------------------------------------------ bodies

pub async fn insert_body(c: &mut impl AsConn, r: &BodyRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO certification_bodies (id, org_id, name, accreditation, contact_name,
            contact_email, notes, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(r.id).bind(r.org_id).bind(&r.name).bind(&r.accreditation).bind(&r.contact_name)
        .bind(&r.contact_email).bind(&r.notes).bind(r.created_at).bind(r.updated_at)
        .bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("name"))?;
    Ok(())
}

/// Write `r` if its version is still current; false when stale.
pub async fn update_body(c: &mut impl AsConn, r: &BodyRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE certification_bodies SET name = $1, accreditation = $2, contact_name = $3,
            contact_email = $4, notes = $5, updated_at = $6, version = version + 1
         WHERE org_id = $7 AND id = $8 AND version = $9")
        .bind(&r.name).bind(&r.accreditation).bind(&r.contact_name).bind(&r.contact_email)
        .bind(&r.notes).bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("name"))?;
    Ok(n == 1)
}

pub async fn body(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<Option<BodyRow>, DbError> {
    let sql = format!("SELECT {BODY_COLS} FROM certification_bodies WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, BodyRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// By name after `after`, at most `limit`.
pub async fn list_bodies(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<BodyRow>, DbError> {
    let sql = format!(
        "SELECT {BODY_COLS} FROM certification_bodies
         WHERE org_id = $1 AND ($2 IS NULL OR name > $2) ORDER BY name LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, BodyRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

/// Whether audits or certificates still name the body.
pub async fn body_in_use(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n: i64 = run!(c, x => sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM certification_audits WHERE org_id = $1 AND body_id = $2)
              + (SELECT COUNT(*) FROM certificates WHERE org_id = $1 AND body_id = $2)")
        .bind(org_id).bind(id).fetch_one(x).await)?;
    Ok(n > 0)
}

pub async fn delete_body(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM certification_bodies WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ------------------------------------------------------------------------------ audits

pub async fn next_audit_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "certification_audits", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM certification_audits WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

pub async fn insert_audit(c: &mut impl AsConn, r: &CertAuditRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO certification_audits (id, org_id, number, body_id, kind, status,
            planned_start, planned_end, actual_start, actual_end, lead_auditor, team,
            auditor_days, scope, soa_version, outcome, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(r.body_id).bind(&r.kind)
        .bind(&r.status).bind(r.planned_start).bind(r.planned_end).bind(r.actual_start)
        .bind(r.actual_end).bind(&r.lead_auditor).bind(&r.team).bind(r.auditor_days)
        .bind(&r.scope).bind(r.soa_version).bind(&r.outcome).bind(r.created_at)
        .bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if its version is still current; false when stale.
pub async fn update_audit(c: &mut impl AsConn, r: &CertAuditRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE certification_audits SET body_id = $1, kind = $2, status = $3,
            planned_start = $4, planned_end = $5, actual_start = $6, actual_end = $7,
            lead_auditor = $8, team = $9, auditor_days = $10, scope = $11, soa_version = $12,
            outcome = $13, updated_at = $14, version = version + 1
         WHERE org_id = $15 AND id = $16 AND version = $17")
        .bind(r.body_id).bind(&r.kind).bind(&r.status).bind(r.planned_start)
        .bind(r.planned_end).bind(r.actual_start).bind(r.actual_end).bind(&r.lead_auditor)
        .bind(&r.team).bind(r.auditor_days).bind(&r.scope).bind(r.soa_version)
        .bind(&r.outcome).bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn audit_by_number(
    c: &mut impl AsConn,
    org_id: Uuid,
    number: i64,
) -> Result<Option<CertAuditRow>, DbError> {
    let sql =
        format!("SELECT {AUDIT_COLS} FROM certification_audits WHERE org_id = $1 AND number = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, CertAuditRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(number).fetch_optional(x).await)?,
    )
}

pub async fn audit_by_id(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<CertAuditRow>, DbError> {
    let sql =
        format!("SELECT {AUDIT_COLS} FROM certification_audits WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, CertAuditRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// By number after `after`, at most `limit`.
pub async fn list_audits(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<CertAuditRow>, DbError> {
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM certification_audits
         WHERE org_id = $1 AND ($2 IS NULL OR number > $2) ORDER BY number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, CertAuditRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

/// Every audit in date order, for the cycle view (capped at [`CYCLE_CAP`]).
pub async fn audits_by_date(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<CertAuditRow>, DbError> {
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM certification_audits
         WHERE org_id = $1 ORDER BY planned_start, number LIMIT $2"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, CertAuditRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(CYCLE_CAP).fetch_all(x).await)?,
    )
}

pub async fn delete_audit(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM certification_audits WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ------------------------------------------------------------------------ certificates

pub async fn insert_certificate(c: &mut impl AsConn, r: &CertificateRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO certificates (id, org_id, body_id, certificate_no, scope, decision_on,
            issued_on, expires_on, soa_version, status, status_on, status_note, created_at,
            updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
        .bind(r.id).bind(r.org_id).bind(r.body_id).bind(&r.certificate_no).bind(&r.scope)
        .bind(r.decision_on).bind(r.issued_on).bind(r.expires_on).bind(r.soa_version)
        .bind(&r.status).bind(r.status_on).bind(&r.status_note).bind(r.created_at)
        .bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("certificate_no"))?;
    Ok(())
}

/// Write `r` if its version is still current; false when stale.
pub async fn update_certificate(c: &mut impl AsConn, r: &CertificateRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE certificates SET body_id = $1, certificate_no = $2, scope = $3,
            decision_on = $4, issued_on = $5, expires_on = $6, soa_version = $7, status = $8,
            status_on = $9, status_note = $10, updated_at = $11, version = version + 1
         WHERE org_id = $12 AND id = $13 AND version = $14")
        .bind(r.body_id).bind(&r.certificate_no).bind(&r.scope).bind(r.decision_on)
        .bind(r.issued_on).bind(r.expires_on).bind(r.soa_version).bind(&r.status)
        .bind(r.status_on).bind(&r.status_note).bind(r.updated_at).bind(r.org_id)
        .bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("certificate_no"))?;
    Ok(n == 1)
}

pub async fn certificate(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<CertificateRow>, DbError> {
    let sql = format!("SELECT {CERT_COLS} FROM certificates WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// By certificate number after `after`, at most `limit`.
pub async fn list_certificates(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CertificateRow>, DbError> {
    let sql = format!(
        "SELECT {CERT_COLS} FROM certificates
         WHERE org_id = $1 AND ($2 IS NULL OR certificate_no > $2)
         ORDER BY certificate_no LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(org_id).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

/// The certificate with the latest decision: the one the current cycle runs from.
pub async fn current_certificate(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Option<CertificateRow>, DbError> {
    let sql = format!(
        "SELECT {CERT_COLS} FROM certificates WHERE org_id = $1
         ORDER BY decision_on DESC, certificate_no DESC LIMIT 1"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).fetch_optional(x).await)?,
    )
}

pub async fn delete_certificate(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM certificates WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ------------------------------------------------------------------------- calendar

/// Most rows of one kind the calendar feed carries.
pub const CALENDAR_CAP: i64 = 5000;

/// Approved documents with a review date on or after `from`: (number, title, date).
/// Served by `documents_review_idx (org_id, status, next_review_on)`.
pub async fn document_reviews(
    c: &mut impl AsConn,
    org_id: Uuid,
    from: Day,
) -> Result<Vec<(i64, String, Day)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT number, title, next_review_on FROM documents
         WHERE org_id = $1 AND status = 'approved' AND next_review_on >= $2
         ORDER BY next_review_on, number LIMIT $3")
        .bind(org_id).bind(from).bind(CALENDAR_CAP).fetch_all(x).await)?)
}

/// Evidence that expires on or after `from`: (number, title, date). Served by
/// `evidence_valid_idx (org_id, valid_until, number)`.
pub async fn evidence_expiries(
    c: &mut impl AsConn,
    org_id: Uuid,
    from: Day,
) -> Result<Vec<(i64, String, Day)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT number, title, valid_until FROM evidence
         WHERE org_id = $1 AND valid_until >= $2
         ORDER BY valid_until, number LIMIT $3")
        .bind(org_id).bind(from).bind(CALENDAR_CAP).fetch_all(x).await)?)
}

/// Open findings with a deadline on or after `from`: (number, title, grade, source,
/// deadline). Served by `findings_status_idx (org_id, status, number)`.
pub async fn finding_deadlines(
    c: &mut impl AsConn,
    org_id: Uuid,
    from: Day,
) -> Result<Vec<(i64, String, String, String, Day)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT number, title, grade, source, deadline FROM findings
         WHERE org_id = $1 AND status <> 'closed' AND deadline >= $2
         ORDER BY deadline, number LIMIT $3")
        .bind(org_id).bind(from).bind(CALENDAR_CAP).fetch_all(x).await)?)
}

/// Corrective actions not yet implemented with a due date on or after `from`: (number,
/// title, status, due date). Served by `corrective_actions_due_idx (org_id, due_on, number)`.
pub async fn action_deadlines(
    c: &mut impl AsConn,
    org_id: Uuid,
    from: Day,
) -> Result<Vec<(i64, String, String, Day)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT number, title, status, due_on FROM corrective_actions
         WHERE org_id = $1 AND status IN ('planned', 'in_progress') AND due_on >= $2
         ORDER BY due_on, number LIMIT $3")
        .bind(org_id).bind(from).bind(CALENDAR_CAP).fetch_all(x).await)?)
}
