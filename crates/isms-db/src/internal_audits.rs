//! Internal audit (0016): audit areas, the programme and its settings, audits with their
//! team, auditee areas and scope, and checklists. Every query is scoped by `org_id`;
//! lists are keyset-paginated (areas by name, audits newest first by year and number)
//! and load the links of a whole page with one query each.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AreaRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct AreaWithOwner {
    #[sqlx(flatten)]
    pub area: AreaRow,
    pub owner_name: Option<String>,
}

const AREA_SELECT: &str = "SELECT a.id, a.org_id, a.name, a.description, a.owner_id,
    a.created_at, a.updated_at, a.version, u.name AS owner_name
 FROM audit_areas a LEFT JOIN users u ON u.id = a.owner_id";

/// Build `$n, $n+1, …` for an `IN (…)` list that starts after `first - 1` other binds.
fn marks(n: usize, first: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + first))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn insert_area(c: &mut impl AsConn, r: &AreaRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO audit_areas (id, org_id, name, description, owner_id, created_at,
            updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(r.id).bind(r.org_id).bind(&r.name).bind(&r.description).bind(r.owner_id)
        .bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("name"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale.
pub async fn update_area(c: &mut impl AsConn, r: &AreaRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE audit_areas SET name = $1, description = $2, owner_id = $3, updated_at = $4,
            version = version + 1
         WHERE org_id = $5 AND id = $6 AND version = $7")
        .bind(&r.name).bind(&r.description).bind(r.owner_id).bind(r.updated_at)
        .bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("name"))?;
    Ok(n == 1)
}

pub async fn get_area(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AreaWithOwner>, DbError> {
    let sql = format!("{AREA_SELECT} WHERE a.org_id = $1 AND a.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, AreaWithOwner>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_area(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM audit_areas WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Areas by name, after `after_name`, at most `limit` (audit_areas_name_uq).
pub async fn list_areas(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_name: Option<&str>,
    limit: i64,
) -> Result<Vec<AreaWithOwner>, DbError> {
    let sql = format!(
        "{AREA_SELECT} WHERE a.org_id = $1 AND a.name > $2 ORDER BY a.name LIMIT {}",
        limit.clamp(1, 10_000)
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, AreaWithOwner>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_name.unwrap_or("")).fetch_all(x).await)?,
    )
}

/// These areas by id (any order).
pub async fn areas_by_id(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<AreaWithOwner>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{AREA_SELECT} WHERE a.org_id = $1 AND a.id IN ({}) ORDER BY a.name",
        marks(ids.len(), 2)
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, AreaWithOwner, sql, org_id, &params)?)
}

/// A person linked to a record, with their name: `(record id, user id, name)`.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PersonLink {
    pub owner_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
}

/// The members of these areas (one query for a page).
pub async fn area_members(
    c: &mut impl AsConn,
    org_id: Uuid,
    area_ids: &[Uuid],
) -> Result<Vec<PersonLink>, DbError> {
    if area_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT m.area_id AS owner_id, m.user_id, u.name FROM audit_area_members m
         JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND m.area_id IN ({}) ORDER BY m.area_id, u.name",
        marks(area_ids.len(), 2)
    );
    let params: Vec<Param> = area_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, PersonLink, sql, org_id, &params)?)
}

pub async fn set_area_members(
    c: &mut impl AsConn,
    org_id: Uuid,
    area_id: Uuid,
    users: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM audit_area_members WHERE org_id = $1 AND area_id = $2")
        .bind(org_id).bind(area_id).execute(x).await.map(|r| r.rows_affected()))?;
    for u in users {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_area_members (id, org_id, area_id, user_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, area_id, user_id) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(area_id).bind(*u)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The programme's settings: `(cycle_start_year, version)`.
pub async fn programme(c: &mut impl AsConn, org_id: Uuid) -> Result<Option<(i64, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (i64, i64)>(
        "SELECT cycle_start_year, version FROM audit_programmes WHERE org_id = $1")
        .bind(org_id).fetch_optional(x).await)?)
}

/// Write the settings: with `expected_version` 0 create them (false when they exist),
/// otherwise update them if still at that version (false when stale).
pub async fn save_programme(
    c: &mut impl AsConn,
    org_id: Uuid,
    start_year: i64,
    now: Ts,
    expected_version: i64,
) -> Result<bool, DbError> {
    let n = if expected_version == 0 {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_programmes (org_id, cycle_start_year, updated_at, version)
             VALUES ($1, $2, $3, 1) ON CONFLICT (org_id) DO NOTHING")
            .bind(org_id).bind(start_year).bind(now)
            .execute(x).await.map(|r| r.rows_affected()))?
    } else {
        run!(c, x => sqlx::query(
            "UPDATE audit_programmes SET cycle_start_year = $1, updated_at = $2,
                version = version + 1
             WHERE org_id = $3 AND version = $4")
            .bind(start_year).bind(now).bind(org_id).bind(expected_version)
            .execute(x).await.map(|r| r.rows_affected()))?
    };
    Ok(n == 1)
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EntryRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub year: i64,
    pub item_key: String,
    pub sort_key: String,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
}

/// Programme entries of these years, in matrix order (audit_programme_entries_order_idx).
pub async fn entries(
    c: &mut impl AsConn,
    org_id: Uuid,
    from_year: i64,
    to_year: i64,
) -> Result<Vec<EntryRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, EntryRow>(
        "SELECT id, org_id, year, item_key, sort_key, created_by, created_at
         FROM audit_programme_entries WHERE org_id = $1 AND year >= $2 AND year <= $3
         ORDER BY year, sort_key LIMIT 20000")
        .bind(org_id).bind(from_year).bind(to_year).fetch_all(x).await)?)
}

/// Add an entry; false when it was there already.
pub async fn insert_entry(c: &mut impl AsConn, r: &EntryRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "INSERT INTO audit_programme_entries (id, org_id, year, item_key, sort_key, created_by,
            created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id, year, item_key) DO NOTHING")
        .bind(r.id).bind(r.org_id).bind(r.year).bind(&r.item_key).bind(&r.sort_key)
        .bind(r.created_by).bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_entry(
    c: &mut impl AsConn,
    org_id: Uuid,
    year: i64,
    item_key: &str,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM audit_programme_entries WHERE org_id = $1 AND year = $2 AND item_key = $3")
        .bind(org_id).bind(year).bind(item_key).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Annex A controls the SoA in force (approved, else the draft) does not exclude, or
/// `None` when the organisation has no SoA at all.
pub async fn applicable_controls(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Option<Vec<String>>, DbError> {
    let version = match crate::soa::version_in_status(c, org_id, "approved").await? {
        Some(v) => Some(v),
        None => crate::soa::version_in_status(c, org_id, "draft").await?,
    };
    let Some(v) = version else {
        return Ok(None);
    };
    let rows: Vec<(String,)> = run!(c, x => sqlx::query_as(
        "SELECT control_id FROM soa_entries WHERE org_id = $1 AND soa_id = $2
            AND applicable <> 'no' ORDER BY position")
        .bind(org_id).bind(v.id).fetch_all(x).await)?;
    Ok(Some(rows.into_iter().map(|(r,)| r).collect()))
}

/// A current risk level found among the risks a control treats, with the risk's method;
/// current level = residual if assessed, else inherent.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ControlRisk {
    pub control_id: String,
    pub method_id: Uuid,
    pub level: i64,
}

/// Each distinct (control, method, current level) of the open risks, one query: a few
/// hundred rows at most, however many risks name the controls.
pub async fn control_risk_levels(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<ControlRisk>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, ControlRisk>(
        "SELECT DISTINCT rc.control_id, r.method_id,
                COALESCE(r.residual_level, r.inherent_level) AS level
         FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
         WHERE rc.org_id = $1 AND r.org_id = $1 AND r.status <> 'closed'")
        .bind(org_id).fetch_all(x).await)?)
}

/// The definitions (JSON) of the organisation's risk methods, by id.
pub async fn method_definitions(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (Uuid, String)>(
        "SELECT id, definition FROM risk_methods WHERE org_id = $1")
        .bind(org_id).fetch_all(x).await)?)
}

/// Owners of these controls (`5.15`, `NW-07`) from control_implementations.
pub async fn control_owners(
    c: &mut impl AsConn,
    org_id: Uuid,
    control_refs: &[String],
) -> Result<Vec<(String, Uuid)>, DbError> {
    if control_refs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT control_ref, owner_id FROM control_implementations
         WHERE org_id = $1 AND owner_id IS NOT NULL AND control_ref IN ({})",
        marks(control_refs.len(), 2)
    );
    let params: Vec<Param> = control_refs
        .iter()
        .map(|r| Param::Text(r.clone()))
        .collect();
    Ok(crate::fetch_with!(c, (String, Uuid), sql, org_id, &params)?)
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AuditRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub year: i64,
    pub seq: i64,
    pub title: String,
    pub criteria: String,
    pub planned_start: Day,
    pub planned_end: Day,
    pub actual_start: Option<Day>,
    pub actual_end: Option<Day>,
    pub status: String,
    pub lead_auditor_id: Option<Uuid>,
    pub lead_auditor_external: Option<String>,
    pub independence_conflicts: String,
    pub independence_justification: String,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditWithNames {
    #[sqlx(flatten)]
    pub audit: AuditRow,
    pub lead_auditor_name: Option<String>,
}

const AUDIT_SELECT: &str = "SELECT a.id, a.org_id, a.year, a.seq, a.title, a.criteria,
    a.planned_start, a.planned_end, a.actual_start, a.actual_end, a.status,
    a.lead_auditor_id, a.lead_auditor_external, a.independence_conflicts,
    a.independence_justification, a.created_by, a.created_at, a.updated_at, a.version,
    u.name AS lead_auditor_name
 FROM audits a LEFT JOIN users u ON u.id = a.lead_auditor_id";

pub async fn insert_audit(c: &mut impl AsConn, r: &AuditRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO audits (id, org_id, year, seq, title, criteria, planned_start, planned_end,
            actual_start, actual_end, status, lead_auditor_id, lead_auditor_external,
            independence_conflicts, independence_justification, created_by, created_at,
            updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)")
        .bind(r.id).bind(r.org_id).bind(r.year).bind(r.seq).bind(&r.title).bind(&r.criteria)
        .bind(r.planned_start).bind(r.planned_end).bind(r.actual_start).bind(r.actual_end)
        .bind(&r.status).bind(r.lead_auditor_id).bind(&r.lead_auditor_external)
        .bind(&r.independence_conflicts).bind(&r.independence_justification)
        .bind(r.created_by).bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current; false when stale.
pub async fn update_audit(c: &mut impl AsConn, r: &AuditRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE audits SET title = $1, criteria = $2, planned_start = $3, planned_end = $4,
            actual_start = $5, actual_end = $6, status = $7, lead_auditor_id = $8,
            lead_auditor_external = $9, independence_conflicts = $10,
            independence_justification = $11, updated_at = $12, version = version + 1
         WHERE org_id = $13 AND id = $14 AND version = $15")
        .bind(&r.title).bind(&r.criteria).bind(r.planned_start).bind(r.planned_end)
        .bind(r.actual_start).bind(r.actual_end).bind(&r.status).bind(r.lead_auditor_id)
        .bind(&r.lead_auditor_external).bind(&r.independence_conflicts)
        .bind(&r.independence_justification).bind(r.updated_at)
        .bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_audit(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AuditWithNames>, DbError> {
    let sql = format!("{AUDIT_SELECT} WHERE a.org_id = $1 AND a.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, AuditWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_audit(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM audits WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The next number in `year` (AUD-2026-02).
pub async fn next_seq(c: &mut impl AsConn, org_id: Uuid, year: i64) -> Result<i64, DbError> {
    crate::lock_numbering(c, "audits", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(seq) FROM audits WHERE org_id = $1 AND year = $2")
        .bind(org_id).bind(year).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Audits newest first (year, number) before `before`, optionally of one status
/// (audits_number_uq, audits_status_idx).
pub async fn list_audits(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: Option<&str>,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<AuditWithNames>, DbError> {
    let mut conds = vec!["a.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    if let Some(s) = status {
        params.push(Param::Text(s.to_owned()));
        conds.push(format!("a.status = ${}", params.len() + 1));
    }
    if let Some((y, s)) = before {
        params.push(Param::Int(y));
        let py = params.len() + 1;
        params.push(Param::Int(s));
        let ps = params.len() + 1;
        conds.push(format!(
            "(a.year < ${py} OR (a.year = ${py} AND a.seq < ${ps}))"
        ));
    }
    let sql = format!(
        "{AUDIT_SELECT} WHERE {} ORDER BY a.year DESC, a.seq DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(c, AuditWithNames, sql, org_id, &params)?)
}

/// The team of these audits (one query for a page).
pub async fn team_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_ids: &[Uuid],
) -> Result<Vec<PersonLink>, DbError> {
    if audit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.audit_id AS owner_id, t.user_id, u.name FROM audit_team t
         JOIN users u ON u.id = t.user_id
         WHERE t.org_id = $1 AND t.audit_id IN ({}) ORDER BY t.audit_id, u.name",
        marks(audit_ids.len(), 2)
    );
    let params: Vec<Param> = audit_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, PersonLink, sql, org_id, &params)?)
}

pub async fn set_team(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
    users: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM audit_team WHERE org_id = $1 AND audit_id = $2")
        .bind(org_id).bind(audit_id).execute(x).await.map(|r| r.rows_affected()))?;
    for u in users {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_team (id, org_id, audit_id, user_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, audit_id, user_id) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(audit_id).bind(*u)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// An auditee area of an audit: `(audit id, area id, area name)`.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AuditArea {
    pub audit_id: Uuid,
    pub area_id: Uuid,
    pub name: String,
}

pub async fn areas_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_ids: &[Uuid],
) -> Result<Vec<AuditArea>, DbError> {
    if audit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.audit_id, x.area_id, a.name FROM audit_auditee_areas x
         JOIN audit_areas a ON a.id = x.area_id
         WHERE x.org_id = $1 AND x.audit_id IN ({}) ORDER BY x.audit_id, a.name",
        marks(audit_ids.len(), 2)
    );
    let params: Vec<Param> = audit_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, AuditArea, sql, org_id, &params)?)
}

pub async fn set_areas(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
    areas: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM audit_auditee_areas WHERE org_id = $1 AND audit_id = $2")
        .bind(org_id).bind(audit_id).execute(x).await.map(|r| r.rows_affected()))?;
    for a in areas {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_auditee_areas (id, org_id, audit_id, area_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, audit_id, area_id) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(audit_id).bind(*a)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The scope of these audits: `(audit id, item key)` in item order.
pub async fn scope_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    if audit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT audit_id, item_key FROM audit_scope_items
         WHERE org_id = $1 AND audit_id IN ({}) ORDER BY audit_id, sort_key",
        marks(audit_ids.len(), 2)
    );
    let params: Vec<Param> = audit_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, (Uuid, String), sql, org_id, &params)?)
}

/// Replace the scope: `(item key, sort key)`.
pub async fn set_scope(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
    items: &[(String, String)],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM audit_scope_items WHERE org_id = $1 AND audit_id = $2")
        .bind(org_id).bind(audit_id).execute(x).await.map(|r| r.rows_affected()))?;
    for (key, sort) in items {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_scope_items (id, org_id, audit_id, item_key, sort_key)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, audit_id, item_key) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(audit_id).bind(key).bind(sort)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// What every audit of these years covers: `(year, status, item key)` — for the
/// coverage matrix (cancelled audits left out).
pub async fn scope_by_year(
    c: &mut impl AsConn,
    org_id: Uuid,
    from_year: i64,
    to_year: i64,
) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT a.year, a.status, s.item_key FROM audits a
         JOIN audit_scope_items s ON s.audit_id = a.id AND s.org_id = a.org_id
         WHERE a.org_id = $1 AND a.year >= $2 AND a.year <= $3 AND a.status <> 'cancelled'")
        .bind(org_id).bind(from_year).bind(to_year).fetch_all(x).await)?)
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ChecklistRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub audit_id: Uuid,
    pub item_key: String,
    pub sort_key: String,
    pub title: String,
    pub questions: String,
    pub result: Option<String>,
    pub notes: String,
    pub evidence_note: String,
    pub answered_by: Option<Uuid>,
    pub answered_at: Option<Ts>,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ChecklistWithNames {
    #[sqlx(flatten)]
    pub item: ChecklistRow,
    pub answered_by_name: Option<String>,
}

const ITEM_SELECT: &str = "SELECT i.id, i.org_id, i.audit_id, i.item_key, i.sort_key, i.title,
    i.questions, i.result, i.notes, i.evidence_note, i.answered_by, i.answered_at, i.version,
    u.name AS answered_by_name
 FROM audit_checklist_items i LEFT JOIN users u ON u.id = i.answered_by";

/// Add a checklist item; false when the audit has one for that item already.
pub async fn insert_item(c: &mut impl AsConn, r: &ChecklistRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "INSERT INTO audit_checklist_items (id, org_id, audit_id, item_key, sort_key, title,
            questions, result, notes, evidence_note, answered_by, answered_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (org_id, audit_id, item_key) DO NOTHING")
        .bind(r.id).bind(r.org_id).bind(r.audit_id).bind(&r.item_key).bind(&r.sort_key)
        .bind(&r.title).bind(&r.questions).bind(&r.result).bind(&r.notes)
        .bind(&r.evidence_note).bind(r.answered_by).bind(r.answered_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The checklist of an audit in item order (audit_checklist_items_order_idx).
pub async fn checklist(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
) -> Result<Vec<ChecklistWithNames>, DbError> {
    let sql = format!("{ITEM_SELECT} WHERE i.org_id = $1 AND i.audit_id = $2 ORDER BY i.sort_key");
    Ok(
        run!(c, x => sqlx::query_as::<_, ChecklistWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(audit_id).fetch_all(x).await)?,
    )
}

/// Every checklist item of the organisation, by audit and item order
/// (audit_checklist_items_order_idx): the OSCAL assessment results read them in one query.
pub async fn org_checklist(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<ChecklistWithNames>, DbError> {
    let sql = format!("{ITEM_SELECT} WHERE i.org_id = $1 ORDER BY i.audit_id, i.sort_key");
    Ok(
        run!(c, x => sqlx::query_as::<_, ChecklistWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).fetch_all(x).await)?,
    )
}

pub async fn get_item(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
    id: Uuid,
) -> Result<Option<ChecklistWithNames>, DbError> {
    let sql = format!("{ITEM_SELECT} WHERE i.org_id = $1 AND i.audit_id = $2 AND i.id = $3");
    Ok(
        run!(c, x => sqlx::query_as::<_, ChecklistWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(audit_id).bind(id).fetch_optional(x).await)?,
    )
}

/// Record an answer if `r.version` is still current; false when stale.
pub async fn answer_item(c: &mut impl AsConn, r: &ChecklistRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE audit_checklist_items SET result = $1, notes = $2, evidence_note = $3,
            answered_by = $4, answered_at = $5, version = version + 1
         WHERE org_id = $6 AND audit_id = $7 AND id = $8 AND version = $9")
        .bind(&r.result).bind(&r.notes).bind(&r.evidence_note).bind(r.answered_by)
        .bind(r.answered_at).bind(r.org_id).bind(r.audit_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Evidence sampled for checklist items: `(item id, evidence id, number, title)`.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SampledEvidence {
    pub item_id: Uuid,
    pub evidence_id: Uuid,
    pub number: i64,
    pub title: String,
}

/// The evidence sampled for every item of an audit (one query).
pub async fn sampled_evidence(
    c: &mut impl AsConn,
    org_id: Uuid,
    audit_id: Uuid,
) -> Result<Vec<SampledEvidence>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, SampledEvidence>(
        "SELECT l.item_id, l.evidence_id, e.number, e.title
         FROM audit_checklist_evidence l
         JOIN audit_checklist_items i ON i.id = l.item_id
         JOIN evidence e ON e.id = l.evidence_id
         WHERE l.org_id = $1 AND i.audit_id = $2 ORDER BY l.item_id, e.number")
        .bind(org_id).bind(audit_id).fetch_all(x).await)?)
}

/// Replace the evidence sampled for an item.
pub async fn set_sampled_evidence(
    c: &mut impl AsConn,
    org_id: Uuid,
    item_id: Uuid,
    evidence_ids: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM audit_checklist_evidence WHERE org_id = $1 AND item_id = $2")
        .bind(org_id).bind(item_id).execute(x).await.map(|r| r.rows_affected()))?;
    for e in evidence_ids {
        run!(c, x => sqlx::query(
            "INSERT INTO audit_checklist_evidence (id, org_id, item_id, evidence_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, item_id, evidence_id) DO NOTHING")
            .bind(Uuid::now_v7()).bind(org_id).bind(item_id).bind(*e)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Which of these evidence numbers exist in the organisation: `(number, id)`.
pub async fn evidence_by_number(
    c: &mut impl AsConn,
    org_id: Uuid,
    numbers: &[i64],
) -> Result<Vec<(i64, Uuid)>, DbError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT number, id FROM evidence WHERE org_id = $1 AND number IN ({})",
        marks(numbers.len(), 2)
    );
    let params: Vec<Param> = numbers.iter().map(|n| Param::Int(*n)).collect();
    Ok(crate::fetch_with!(c, (i64, Uuid), sql, org_id, &params)?)
}

/// The whole register in number order after `(year, seq)`, a page at a time (exports).
pub async fn audits_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<AuditWithNames>, DbError> {
    let sql = format!(
        "{AUDIT_SELECT} WHERE a.org_id = $1 AND (a.year > $2 OR (a.year = $2 AND a.seq > $3))
         ORDER BY a.year, a.seq LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, AuditWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after.0).bind(after.1).bind(limit).fetch_all(x).await)?,
    )
}

/// A member by user id: `(role, membership expiry, name)`.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MemberFacts {
    pub role: String,
    pub expires_on: Option<Day>,
    pub name: String,
}

pub async fn member_facts(
    c: &mut impl AsConn,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<MemberFacts>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, MemberFacts>(
        "SELECT m.role, m.expires_on, u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND m.user_id = $2")
        .bind(org_id).bind(user_id).fetch_optional(x).await)?)
}

/// An audit that has started, with how many checklist items carry each result (for the
/// management review's audit results). One query: the status index finds the audits,
/// the checklist's unique index `(org_id, audit_id, item_key)` their items.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditResultRow {
    pub year: i64,
    pub seq: i64,
    pub title: String,
    pub status: String,
    pub actual_end: Option<crate::Day>,
    pub result: Option<String>,
    pub n: i64,
}

pub async fn result_counts(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<AuditResultRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, AuditResultRow>(
        "SELECT a.year, a.seq, a.title, a.status, a.actual_end, i.result, COUNT(i.id) AS n
         FROM audits a
         LEFT JOIN audit_checklist_items i ON i.org_id = a.org_id AND i.audit_id = a.id
         WHERE a.org_id = $1 AND a.status IN ('in_progress', 'completed')
         GROUP BY a.year, a.seq, a.title, a.status, a.actual_end, i.result
         ORDER BY a.year, a.seq
         LIMIT 10000")
        .bind(org_id).fetch_all(x).await)?)
}
