//! The reads behind the readiness engine: one query per register, every one scoped by
//! `org_id` and served by the registers' existing indexes (org_id leads each of them).
//! The rows are raw; isms-app turns them into `isms_domain::readiness::Facts`.

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

/// A risk as the rules see it, with its method's definition (JSON) for the acceptance
/// level.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RiskRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub treatment: Option<String>,
    pub inherent_level: i64,
    pub residual_level: Option<i64>,
    pub accepted_at: Option<Ts>,
    pub acceptance_expires_on: Option<Day>,
    pub method_id: Uuid,
    pub updated_at: Ts,
}

const RISK_COLUMNS: &str = "id, number, title, status, treatment, inherent_level, residual_level,
                accepted_at, acceptance_expires_on, method_id, updated_at";

/// How many risks are open (not closed), and when any risk was last changed: one
/// aggregate, not the register.
pub async fn risk_totals(c: &mut impl AsConn, org_id: Uuid) -> Result<(i64, Option<Ts>), DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (i64, Option<Ts>)>(
        "SELECT COALESCE(SUM(CASE WHEN status <> 'closed' THEN 1 ELSE 0 END), 0), MAX(updated_at)
         FROM risks WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?)
}

/// The first `limit` open risks, in number order, with no treatment decided although
/// their current level (residual if assessed, else inherent) is above the acceptance
/// level of their method; `appetites` holds `(method id, acceptance level)`.
pub async fn untreated_risks(
    c: &mut impl AsConn,
    org_id: Uuid,
    appetites: &[(Uuid, i64)],
    limit: i64,
) -> Result<Vec<RiskRow>, DbError> {
    if appetites.is_empty() {
        return Ok(Vec::new());
    }
    let above: Vec<String> = (0..appetites.len())
        .map(|i| {
            format!(
                "(method_id = ${} AND COALESCE(residual_level, inherent_level) > ${})",
                2 * i + 3,
                2 * i + 4
            )
        })
        .collect();
    let sql = format!(
        "SELECT {RISK_COLUMNS} FROM risks
         WHERE org_id = $1 AND status <> 'closed' AND treatment IS NULL AND ({})
         ORDER BY number LIMIT $2",
        above.join(" OR ")
    );
    let mut params = vec![Param::Int(limit)];
    for (m, level) in appetites {
        params.push(Param::Uuid(*m));
        params.push(Param::Int(*level));
    }
    Ok(crate::fetch_with!(c, RiskRow, sql, org_id, &params)?)
}

/// The first `limit` open risks, in number order, whose treatment (other than avoid) has
/// not been accepted by the risk owner, or whose acceptance expired before `today`.
pub async fn unaccepted_risks(
    c: &mut impl AsConn,
    org_id: Uuid,
    today: Day,
    limit: i64,
) -> Result<Vec<RiskRow>, DbError> {
    let sql = format!(
        "SELECT {RISK_COLUMNS} FROM risks
         WHERE org_id = $1 AND status <> 'closed' AND treatment IS NOT NULL
           AND treatment <> 'avoid'
           AND (accepted_at IS NULL OR acceptance_expires_on < $2)
         ORDER BY number LIMIT $3"
    );
    Ok(run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(today).bind(limit).fetch_all(x).await)?)
}

/// An in-scope asset no risk names.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AssetRow {
    pub id: Uuid,
    pub number: i64,
    pub name: String,
}

/// How many assets are in scope.
pub async fn assets_in_scope(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM assets WHERE org_id = $1 AND in_scope")
        .bind(org_id).fetch_one(x).await)?)
}

const UNASSESSED: &str = "FROM assets a
         WHERE a.org_id = $1 AND a.in_scope
           AND NOT EXISTS (SELECT 1 FROM risk_assets ra
                           WHERE ra.org_id = a.org_id AND ra.asset_id = a.id)";

/// How many in-scope assets no risk names.
pub async fn unassessed_count(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    let sql = format!("SELECT COUNT(*) {UNASSESSED}");
    Ok(run!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(org_id).fetch_one(x).await)?)
}

/// The first `limit` in-scope assets that no risk names, in number order.
pub async fn unassessed_assets(
    c: &mut impl AsConn,
    org_id: Uuid,
    limit: i64,
) -> Result<Vec<AssetRow>, DbError> {
    let sql = format!("SELECT a.id, a.number, a.name {UNASSESSED} ORDER BY a.number LIMIT $2");
    Ok(run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(limit).fetch_all(x).await)?)
}

/// One SoA version's state.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SoaVersionRow {
    pub id: Uuid,
    pub number: i64,
    pub status: String,
    pub approved_at: Option<Ts>,
}

pub async fn soa_versions(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<SoaVersionRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, status, approved_at FROM soa_versions
         WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// `(undecided, unjustified)` entries of one SoA version: no applicability decision, or
/// a decision without its reason (included with neither a note nor a derived reason,
/// excluded without a justification).
pub async fn soa_gaps(
    c: &mut impl AsConn,
    org_id: Uuid,
    soa_id: Uuid,
) -> Result<(i64, i64), DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT
            COALESCE(SUM(CASE WHEN applicable = 'undecided' THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE
                WHEN applicable = 'yes' AND TRIM(inclusion_note) = ''
                     AND (frozen_reasons IS NULL OR frozen_reasons IN ('', '[]')) THEN 1
                WHEN applicable = 'no' AND TRIM(exclusion_justification) = '' THEN 1
                ELSE 0 END), 0)
         FROM soa_entries WHERE org_id = $1 AND soa_id = $2")
        .bind(org_id).bind(soa_id).fetch_one(x).await)?)
}

/// How many readings each objective has (distinct days), by objective id as stored.
pub async fn objective_readings(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT subject_ref, COUNT(DISTINCT measured_on) FROM measurements
         WHERE org_id = $1 AND subject_kind = 'objective' GROUP BY subject_ref")
        .bind(org_id).fetch_all(x).await)?)
}

/// A document of the register (7.5).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub template_key: Option<String>,
    pub current_version: Option<i64>,
    pub next_review_on: Option<Day>,
}

pub async fn documents(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<DocumentRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, title, status, template_key, current_version, next_review_on
         FROM documents WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// A completed internal audit and one of its scope items (an audit with an empty scope
/// gives one row with no item).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AuditScopeRow {
    pub id: Uuid,
    pub year: i64,
    pub seq: i64,
    pub title: String,
    pub actual_end: Option<Day>,
    pub planned_end: Day,
    pub item_key: Option<String>,
}

pub async fn completed_audit_scopes(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<AuditScopeRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT a.id, a.year, a.seq, a.title, a.actual_end, a.planned_end, s.item_key
         FROM audits a
         LEFT JOIN audit_scope_items s ON s.org_id = a.org_id AND s.audit_id = a.id
         WHERE a.org_id = $1 AND a.status = 'completed'
         ORDER BY a.year, a.seq")
        .bind(org_id).fetch_all(x).await)?)
}

/// How many entries the audit programme holds.
pub async fn programme_entries(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_programme_entries WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?)
}

/// A management review that was held (or approved).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub held_on: Option<Day>,
    pub chair_id: Option<Uuid>,
    /// JSON array of user ids.
    pub attendee_ids: String,
}

pub async fn held_reviews(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<ReviewRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, title, held_on, chair_id, attendee_ids FROM management_reviews
         WHERE org_id = $1 AND status <> 'planned' ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// An implemented control's monitoring settings.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MonitoringRow {
    pub control_ref: String,
    pub status: String,
    pub monitoring: String,
    pub check_frequency: Option<String>,
    pub last_check_on: Option<Day>,
}

pub async fn implemented_controls(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<MonitoringRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT control_ref, status, monitoring, check_frequency, last_check_on
         FROM control_implementations
         WHERE org_id = $1 AND status = 'implemented' ORDER BY sort_key")
        .bind(org_id).fetch_all(x).await)?)
}

/// A finding, with what the rules need.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FindingRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub source: String,
    pub source_id: Option<Uuid>,
    pub grade: String,
    pub status: String,
    pub deadline: Option<Day>,
    pub closed_on: Option<Day>,
}

pub async fn findings(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<FindingRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, title, source, source_id, grade, status, deadline, closed_on
         FROM findings WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// A corrective action, with what the rules need.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ActionRow {
    pub id: Uuid,
    pub number: i64,
    pub finding_id: Option<Uuid>,
    pub title: String,
    pub status: String,
    pub due_on: Option<Day>,
    pub verified_on: Option<Day>,
    pub verification: Option<String>,
    pub closed_on: Option<Day>,
}

pub async fn actions(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<ActionRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, finding_id, title, status, due_on, verified_on, verification,
                closed_on
         FROM corrective_actions WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// A closed incident and whether it records its lessons.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub lessons_learned: String,
}

pub async fn closed_incidents(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<IncidentRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, title, lessons_learned FROM incidents
         WHERE org_id = $1 AND status = 'closed' ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// An active person with their job role.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub job_role: String,
}

pub async fn active_people(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<PersonRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, name, job_role FROM people WHERE org_id = $1 AND active ORDER BY name, id")
        .bind(org_id).fetch_all(x).await)?)
}

/// `(person_id, competence, expires_on)` of every training record.
pub async fn trainings(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(Uuid, String, Option<Day>)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT person_id, competence, expires_on FROM trainings WHERE org_id = $1")
        .bind(org_id).fetch_all(x).await)?)
}

/// Awareness campaigns that started on or after `since` and have started by `today`.
pub async fn campaigns_since(
    c: &mut impl AsConn,
    org_id: Uuid,
    since: Day,
    today: Day,
) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM awareness_campaigns
         WHERE org_id = $1 AND ends_on >= $2 AND starts_on <= $3")
        .bind(org_id).bind(since).bind(today).fetch_one(x).await)?)
}

/// A supplier with its last assessment.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SupplierRow {
    pub id: Uuid,
    pub number: i64,
    pub name: String,
    pub criticality: String,
    pub status: String,
    pub interval_months: Option<i64>,
    pub last_assessed_on: Option<Day>,
}

pub async fn critical_suppliers(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<SupplierRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT s.id, s.number, s.name, s.criticality, s.status, s.interval_months,
                (SELECT MAX(a.assessed_on) FROM supplier_assessments a
                 WHERE a.org_id = s.org_id AND a.supplier_id = s.id) AS last_assessed_on
         FROM suppliers s
         WHERE s.org_id = $1 AND s.criticality = 'critical' AND s.status = 'active'
         ORDER BY s.number")
        .bind(org_id).fetch_all(x).await)?)
}

/// A certification audit's kind, status and dates.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CertAuditRow {
    pub id: Uuid,
    pub number: i64,
    pub kind: String,
    pub status: String,
    pub planned_start: Day,
    pub actual_start: Option<Day>,
    pub actual_end: Option<Day>,
}

pub async fn cert_audits(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<CertAuditRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, number, kind, status, planned_start, actual_start, actual_end
         FROM certification_audits WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// An organisation's readiness settings.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SettingsRow {
    pub audit_lead_weeks: i64,
    pub min_measurement_periods: i64,
    pub min_scope_words: i64,
    pub version: i64,
}

pub async fn settings(c: &mut impl AsConn, org_id: Uuid) -> Result<Option<SettingsRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT audit_lead_weeks, min_measurement_periods, min_scope_words, version
         FROM readiness_settings WHERE org_id = $1")
        .bind(org_id).fetch_optional(x).await)?)
}

/// Write the settings: with `s.version` 0 create them (false when they exist), otherwise
/// update them if still at that version (false when stale).
pub async fn save_settings(
    c: &mut impl AsConn,
    org_id: Uuid,
    s: &SettingsRow,
    now: Ts,
) -> Result<bool, DbError> {
    let n = if s.version == 0 {
        run!(c, x => sqlx::query(
            "INSERT INTO readiness_settings (org_id, audit_lead_weeks, min_measurement_periods,
                min_scope_words, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (org_id) DO NOTHING")
            .bind(org_id).bind(s.audit_lead_weeks).bind(s.min_measurement_periods)
            .bind(s.min_scope_words).bind(now)
            .execute(x).await.map(|r| r.rows_affected()))?
    } else {
        run!(c, x => sqlx::query(
            "UPDATE readiness_settings SET audit_lead_weeks = $1, min_measurement_periods = $2,
                min_scope_words = $3, updated_at = $4, version = version + 1
             WHERE org_id = $5 AND version = $6")
            .bind(s.audit_lead_weeks).bind(s.min_measurement_periods).bind(s.min_scope_words)
            .bind(now).bind(org_id).bind(s.version)
            .execute(x).await.map(|r| r.rows_affected()))?
    };
    Ok(n == 1)
}
