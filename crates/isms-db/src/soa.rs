//! The Statement of Applicability: versions and their entries (one per Annex A control),
//! plus the reads the derived reasons need (risks treating each control, implementation
//! statuses). Every query is scoped by `org_id`.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SoaVersionRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub status: String,
    pub based_on: String,
    pub change_note: String,
    /// The approved scope statement's number, fixed on approval.
    pub scope_version: Option<i64>,
    pub approved_by: Option<Uuid>,
    /// The approver's name, joined from users.
    pub approved_by_name: Option<String>,
    pub approved_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const VERSION_SELECT: &str = "SELECT v.id, v.org_id, v.number, v.status, v.based_on,
        v.change_note, v.scope_version, v.approved_by, u.name AS approved_by_name,
        v.approved_at, v.created_at, v.updated_at, v.version
 FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by";

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SoaEntryRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub soa_id: Uuid,
    pub control_id: String,
    pub position: i64,
    pub applicable: String,
    pub inclusion_note: String,
    pub exclusion_justification: String,
    /// JSON list of reasons, written on approval.
    pub frozen_reasons: Option<String>,
    /// The implementation status at approval.
    pub frozen_status: Option<String>,
    pub updated_at: Ts,
    pub version: i64,
}

const ENTRY_COLS: &str = "id, org_id, soa_id, control_id, position, applicable, inclusion_note,
        exclusion_justification, frozen_reasons, frozen_status, updated_at, version";

pub async fn insert_version(c: &mut impl AsConn, v: &SoaVersionRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO soa_versions (id, org_id, number, status, based_on, change_note,
                 scope_version, approved_by, approved_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(v.id).bind(v.org_id).bind(v.number).bind(&v.status).bind(&v.based_on)
        .bind(&v.change_note).bind(v.scope_version).bind(v.approved_by).bind(v.approved_at)
        .bind(v.created_at).bind(v.updated_at).bind(v.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Versions newest first, before `before_number` (keyset on `soa_versions_number_uq`).
pub async fn list_versions(
    c: &mut impl AsConn,
    org_id: Uuid,
    before_number: Option<i64>,
    limit: i64,
) -> Result<Vec<SoaVersionRow>, DbError> {
    let sql = format!(
        "{VERSION_SELECT} WHERE v.org_id = $1 AND v.number < $2 ORDER BY v.number DESC LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, SoaVersionRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(before_number.unwrap_or(i64::MAX)).bind(limit)
        .fetch_all(x).await)?,
    )
}

pub async fn version_by_number(
    c: &mut impl AsConn,
    org_id: Uuid,
    number: i64,
) -> Result<Option<SoaVersionRow>, DbError> {
    let sql = format!("{VERSION_SELECT} WHERE v.org_id = $1 AND v.number = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, SoaVersionRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(number).fetch_optional(x).await)?,
    )
}

/// The newest version in `status` (`approved`: in force; `draft`: being prepared).
pub async fn version_in_status(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: &str,
) -> Result<Option<SoaVersionRow>, DbError> {
    let sql = format!(
        "{VERSION_SELECT} WHERE v.org_id = $1 AND v.status = $2 ORDER BY v.number DESC LIMIT 1"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, SoaVersionRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(status).fetch_optional(x).await)?,
    )
}

pub async fn max_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "soa_versions", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM soa_versions WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0))
}

/// Record that a draft's entries changed: raises the version's `version` (so an approval
/// based on an older read is stale) and takes its row lock. `false` when it is not a draft.
pub async fn touch_draft(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE soa_versions SET updated_at = $1, version = version + 1
         WHERE org_id = $2 AND id = $3 AND status = 'draft'")
        .bind(now).bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Change a draft's note if `version` is current.
pub async fn update_note(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    change_note: &str,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE soa_versions SET change_note = $1, updated_at = $2, version = version + 1
         WHERE org_id = $3 AND id = $4 AND version = $5 AND status = 'draft'")
        .bind(change_note).bind(now).bind(org_id).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Approve a draft if `version` is current; the version in force before it becomes
/// superseded.
#[allow(clippy::too_many_arguments)]
pub async fn approve(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    by: Uuid,
    scope_version: Option<i64>,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE soa_versions SET status = 'approved', approved_by = $1, approved_at = $2,
                scope_version = $3, updated_at = $2, version = version + 1
         WHERE org_id = $4 AND id = $5 AND version = $6 AND status = 'draft'")
        .bind(by).bind(now).bind(scope_version).bind(org_id).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    run!(c, x => sqlx::query(
        "UPDATE soa_versions SET status = 'superseded', updated_at = $1, version = version + 1
         WHERE org_id = $2 AND status = 'approved' AND id <> $3")
        .bind(now).bind(org_id).bind(id)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(true)
}

/// Delete a draft with its entries (approved and superseded versions are records).
pub async fn delete_draft(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    run!(c, x => sqlx::query(
        "DELETE FROM soa_entries WHERE org_id = $1 AND soa_id = $2
           AND soa_id IN (SELECT id FROM soa_versions WHERE org_id = $1 AND status = 'draft')")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    let n = run!(c, x => sqlx::query(
        "DELETE FROM soa_versions WHERE org_id = $1 AND id = $2 AND status = 'draft'")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn insert_entry(c: &mut impl AsConn, e: &SoaEntryRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO soa_entries (id, org_id, soa_id, control_id, position, applicable,
                 inclusion_note, exclusion_justification, frozen_reasons, frozen_status,
                 updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(e.id).bind(e.org_id).bind(e.soa_id).bind(&e.control_id).bind(e.position)
        .bind(&e.applicable).bind(&e.inclusion_note).bind(&e.exclusion_justification)
        .bind(&e.frozen_reasons).bind(&e.frozen_status).bind(e.updated_at).bind(e.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("control"))?;
    Ok(())
}

/// The entries of a version in catalogue order (`soa_entries_order_idx`), or only those
/// with one applicability (`soa_entries_applicable_idx`).
pub async fn entries(
    c: &mut impl AsConn,
    org_id: Uuid,
    soa_id: Uuid,
    applicable: Option<&str>,
) -> Result<Vec<SoaEntryRow>, DbError> {
    let sql = match applicable {
        Some(_) => format!(
            "SELECT {ENTRY_COLS} FROM soa_entries
             WHERE org_id = $1 AND soa_id = $2 AND applicable = $3 ORDER BY position"
        ),
        None => format!(
            "SELECT {ENTRY_COLS} FROM soa_entries
             WHERE org_id = $1 AND soa_id = $2 ORDER BY position"
        ),
    };
    Ok(run!(c, x => {
        let q = sqlx::query_as::<_, SoaEntryRow>(sqlx::AssertSqlSafe(sql)).bind(org_id).bind(soa_id);
        match applicable {
            Some(a) => q.bind(a).fetch_all(x).await,
            None => q.fetch_all(x).await,
        }
    })?)
}

pub async fn entry(
    c: &mut impl AsConn,
    org_id: Uuid,
    soa_id: Uuid,
    control_id: &str,
) -> Result<Option<SoaEntryRow>, DbError> {
    let sql = format!(
        "SELECT {ENTRY_COLS} FROM soa_entries WHERE org_id = $1 AND soa_id = $2 AND control_id = $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, SoaEntryRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(soa_id).bind(control_id).fetch_optional(x).await)?,
    )
}

/// Save a decision if the entry's `version` is current; `false` when stale.
pub async fn update_entry(
    c: &mut impl AsConn,
    e: &SoaEntryRow,
    expected_version: i64,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE soa_entries SET applicable = $1, inclusion_note = $2,
                exclusion_justification = $3, updated_at = $4, version = version + 1
         WHERE org_id = $5 AND soa_id = $6 AND control_id = $7 AND version = $8")
        .bind(&e.applicable).bind(&e.inclusion_note).bind(&e.exclusion_justification)
        .bind(e.updated_at).bind(e.org_id).bind(e.soa_id).bind(&e.control_id)
        .bind(expected_version).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Freeze the derived reasons and the implementation status into an entry (approval).
pub async fn freeze_entry(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    reasons: &str,
    status: &str,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE soa_entries SET frozen_reasons = $1, frozen_status = $2
         WHERE org_id = $3 AND id = $4")
        .bind(reasons).bind(status).bind(org_id).bind(id)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An open risk linked to a control, for the derived reasons, with how many open risks
/// the control treats in all.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RiskLink {
    pub control_id: String,
    pub risk_id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub open_count: i64,
}

/// The first `per` open risks of each control by number, and each control's count of
/// open risks, in one query: the links are numbered in the database, so only the listed
/// ones reach the application (a large register has thousands per control).
pub async fn open_risk_links(
    c: &mut impl AsConn,
    org_id: Uuid,
    per: i64,
) -> Result<Vec<RiskLink>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, RiskLink>(
        "SELECT control_id, risk_id, number, title, status, open_count FROM (
             SELECT rc.control_id, r.id AS risk_id, r.number, r.title, r.status,
                    ROW_NUMBER() OVER (PARTITION BY rc.control_id ORDER BY r.number) AS rn,
                    COUNT(*) OVER (PARTITION BY rc.control_id) AS open_count
             FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
             WHERE rc.org_id = $1 AND r.org_id = $1 AND r.status <> 'closed') t
         WHERE rn <= $2 ORDER BY control_id, number")
        .bind(org_id).bind(per).fetch_all(x).await)?)
}
