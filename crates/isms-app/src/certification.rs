//! The certification lifecycle: the certification body, its audits of the organisation
//! (Stage 1 and 2, surveillance, recertification, special), the certificate and its
//! status, the cycle that follows from the decision (with the warnings of
//! `isms_domain::certification::check_plan`), the auditor-days estimate and the calendar.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::certification::{self as store, BodyRow, CertAuditRow, CertificateRow};
use isms_db::{Day, Ts};
use isms_domain::ValidationError;
use isms_domain::certification::{
    self as rules, AuditTimeEstimate, AuditTimeInputs, CertAuditKind, CertificateState,
    CertificateStatus, Complexity, Cycle, CycleEvent, CycleWarning, HalfDays, PlannedAudit,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, optional_date, required_date};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

const MAX_TEXT: usize = 4000;

// ------------------------------------------------------------------------------- views

/// A certification body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertBody {
    pub id: Uuid,
    pub name: String,
    /// Accreditation body and number ("UKAS 0123").
    pub accreditation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub notes: String,
    pub version: i64,
}

/// An audit by the certification body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertAudit {
    pub id: Uuid,
    /// `CBA-001`.
    pub reference: String,
    pub body_id: Uuid,
    pub body_name: String,
    /// stage1, stage2, surveillance1, surveillance2, recertification or special.
    pub kind: String,
    pub kind_label: String,
    /// planned, held or cancelled.
    pub status: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub lead_auditor: String,
    pub team: Vec<String>,
    /// Auditor-days, in steps of half a day.
    pub auditor_days: f64,
    pub scope: String,
    /// The SoA version audited.
    pub soa_version: Option<i64>,
    pub outcome: String,
    pub version: i64,
}

/// A certificate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Certificate {
    pub id: Uuid,
    pub body_id: Uuid,
    pub body_name: String,
    pub certificate_no: String,
    pub scope: String,
    pub decision_on: String,
    pub issued_on: String,
    pub expires_on: String,
    /// The SoA version the certificate relies on.
    pub soa_version: Option<i64>,
    /// active, suspended, withdrawn, expired or restored, as recorded.
    pub status: String,
    pub status_on: String,
    pub status_note: String,
    /// Where it stands today: valid, suspended, withdrawn, lapsed (restorable) or expired.
    #[schema(value_type = Object)]
    pub state: CertificateState,
    pub version: i64,
}

/// The cycle page: the certificate, the dates that follow from it, the audits and the
/// rules the plan breaks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CycleOverview {
    pub certificate: Option<Certificate>,
    #[schema(value_type = Option<Object>)]
    pub cycle: Option<Cycle>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<CycleEvent>,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<CycleWarning>,
    pub audits: Vec<CertAudit>,
    pub bodies: Vec<CertBody>,
}

// ------------------------------------------------------------------------------ inputs

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertBody {
    pub name: String,
    #[serde(default)]
    pub accreditation: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertBodyPatch {
    pub name: Option<String>,
    pub accreditation: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
}

/// A certification audit as sent: every field; on update `version` is required.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertAuditInput {
    pub body_id: Option<Uuid>,
    pub kind: String,
    /// planned (default), held or cancelled.
    #[serde(default)]
    pub status: Option<String>,
    pub planned_start: String,
    pub planned_end: String,
    #[serde(default)]
    pub actual_start: Option<String>,
    #[serde(default)]
    pub actual_end: Option<String>,
    #[serde(default)]
    pub lead_auditor: String,
    #[serde(default)]
    pub team: Vec<String>,
    /// Auditor-days, in steps of half a day (0.5 to 500).
    pub auditor_days: f64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub soa_version: Option<i64>,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A certificate as sent; `expires_on` defaults to three years after the decision.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    pub body_id: Option<Uuid>,
    pub certificate_no: String,
    #[serde(default)]
    pub scope: String,
    pub decision_on: String,
    #[serde(default)]
    pub issued_on: Option<String>,
    #[serde(default)]
    pub expires_on: Option<String>,
    #[serde(default)]
    pub soa_version: Option<i64>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A change of a certificate's status.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// active, suspended, withdrawn, expired or restored.
    pub status: String,
    /// The day it took effect (default today).
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// The inputs of the auditor-days estimate, each visible and changeable.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AuditTimeQuery {
    /// Effective number of personnel; default the organisation's recorded size.
    pub personnel: Option<u32>,
    /// low, medium (default) or high.
    pub business: Option<String>,
    /// low, medium (default) or high.
    pub it: Option<String>,
    /// Further change in percent, -100 to 300.
    pub other: Option<i32>,
    /// Stage 1's share in percent (default 30).
    pub stage1: Option<u32>,
}

/// The estimate and the inputs it used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditTimeView {
    pub personnel: u32,
    pub business: String,
    pub it: String,
    pub other: i32,
    pub stage1_percent: u32,
    #[schema(value_type = Object)]
    pub estimate: AuditTimeEstimate,
    /// The whole chart with each row's reliability, for the page.
    #[schema(value_type = Vec<Object>)]
    pub chart: Vec<rules::AuditTimeBand>,
}

// ------------------------------------------------------------------------------ helpers

fn text(v: &mut ValidationError, field: &str, s: &str, max: usize) -> String {
    let t = s.trim();
    if t.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        v.push(field, "may not contain control characters");
    }
    t.to_owned()
}

fn email(v: &mut ValidationError, s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && (t.len() > 254 || !t.contains('@') || t.contains(char::is_whitespace)) {
        v.push(
            "contact_email",
            "must be an email address like auditor@example.com",
        );
    }
    t.to_owned()
}

/// `CBA-007` or `7` → 7.
pub fn parse_audit_ref(s: &str) -> Option<i64> {
    let t = s.trim().to_ascii_uppercase();
    let n = t.strip_prefix("CBA-").unwrap_or(&t);
    n.parse::<i64>().ok().filter(|n| *n > 0)
}

pub fn audit_ref(n: i64) -> String {
    format!("CBA-{n:03}")
}

fn day(d: Option<Day>) -> Option<String> {
    d.map(|d| format_date(d.0))
}

fn body_view(r: BodyRow) -> CertBody {
    CertBody {
        id: r.id,
        name: r.name,
        accreditation: r.accreditation,
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        notes: r.notes,
        version: r.version,
    }
}

fn audit_view(r: CertAuditRow, bodies: &[BodyRow]) -> CertAudit {
    let kind = CertAuditKind::parse("kind", &r.kind).ok();
    CertAudit {
        id: r.id,
        reference: audit_ref(r.number),
        body_id: r.body_id,
        body_name: bodies
            .iter()
            .find(|b| b.id == r.body_id)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        kind_label: kind
            .map(|k| k.label().to_owned())
            .unwrap_or_else(|| r.kind.clone()),
        kind: r.kind,
        status: r.status,
        planned_start: format_date(r.planned_start.0),
        planned_end: format_date(r.planned_end.0),
        actual_start: day(r.actual_start),
        actual_end: day(r.actual_end),
        lead_auditor: r.lead_auditor,
        team: serde_json::from_str(&r.team).unwrap_or_default(),
        auditor_days: HalfDays(u32::try_from(r.auditor_days).unwrap_or(0)).days(),
        scope: r.scope,
        soa_version: r.soa_version,
        outcome: r.outcome,
        version: r.version,
    }
}

fn certificate_view(r: CertificateRow, bodies: &[BodyRow], today: Date) -> Certificate {
    let status = CertificateStatus::parse("status", &r.status).unwrap_or(CertificateStatus::Active);
    Certificate {
        id: r.id,
        body_id: r.body_id,
        body_name: bodies
            .iter()
            .find(|b| b.id == r.body_id)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        certificate_no: r.certificate_no,
        scope: r.scope,
        decision_on: format_date(r.decision_on.0),
        issued_on: format_date(r.issued_on.0),
        state: rules::certificate_state(status, r.expires_on.0, today),
        expires_on: format_date(r.expires_on.0),
        soa_version: r.soa_version,
        status: r.status,
        status_on: format_date(r.status_on.0),
        status_note: r.status_note,
        version: r.version,
    }
}

fn body_snapshot(r: &BodyRow) -> serde_json::Value {
    serde_json::json!({"name": r.name, "accreditation": r.accreditation,
        "contact_name": r.contact_name, "contact_email": r.contact_email, "notes": r.notes})
}

fn audit_snapshot(r: &CertAuditRow) -> serde_json::Value {
    serde_json::json!({"number": r.number, "body_id": r.body_id, "kind": r.kind,
        "status": r.status, "planned_start": format_date(r.planned_start.0),
        "planned_end": format_date(r.planned_end.0), "actual_start": day(r.actual_start),
        "actual_end": day(r.actual_end), "lead_auditor": r.lead_auditor, "team": r.team,
        "auditor_half_days": r.auditor_days, "scope": r.scope, "soa_version": r.soa_version,
        "outcome": r.outcome})
}

fn certificate_snapshot(r: &CertificateRow) -> serde_json::Value {
    serde_json::json!({"certificate_no": r.certificate_no, "body_id": r.body_id,
        "scope": r.scope, "decision_on": format_date(r.decision_on.0),
        "issued_on": format_date(r.issued_on.0), "expires_on": format_date(r.expires_on.0),
        "soa_version": r.soa_version, "status": r.status,
        "status_on": format_date(r.status_on.0), "status_note": r.status_note})
}

/// The fields of an audit, checked; `row` is filled in place.
fn fill_audit(v: &mut ValidationError, input: &CertAuditInput, row: &mut CertAuditRow) {
    if let Some(k) = v.check(CertAuditKind::parse("kind", &input.kind)) {
        row.kind = k.as_str().to_owned();
    }
    let status = input
        .status
        .as_deref()
        .unwrap_or("planned")
        .trim()
        .to_ascii_lowercase();
    if matches!(status.as_str(), "planned" | "held" | "cancelled") {
        row.status = status;
    } else {
        v.push("status", "must be planned, held or cancelled");
    }
    let ps = required_date(v, "planned_start", Some(&input.planned_start));
    let pe = required_date(v, "planned_end", Some(&input.planned_end));
    if let (Some(s), Some(e)) = (ps, pe)
        && e < s
    {
        v.push("planned_end", "is before the planned start");
    }
    let a_s = optional_date(v, "actual_start", input.actual_start.as_deref());
    let a_e = optional_date(v, "actual_end", input.actual_end.as_deref());
    match (a_s, a_e) {
        (Some(s), Some(e)) if e < s => v.push("actual_end", "is before the actual start"),
        (None, Some(_)) => v.push("actual_start", "is required when the actual end is given"),
        _ => {}
    }
    if row.status == "held" && a_e.is_none() {
        v.push("actual_end", "is required for an audit that was held");
    }
    let half = input.auditor_days * 2.0;
    if !(1.0..=1000.0).contains(&half) || (half - half.round()).abs() > 1e-9 {
        v.push(
            "auditor_days",
            "must be between 0.5 and 500, in steps of half a day",
        );
    } else {
        row.auditor_days = half.round() as i64;
    }
    row.lead_auditor = text(v, "lead_auditor", &input.lead_auditor, 200);
    let mut team = Vec::new();
    for (i, t) in input.team.iter().enumerate() {
        let t = text(v, &format!("team[{i}]"), t, 200);
        if !t.is_empty() && !team.contains(&t) {
            team.push(t);
        }
    }
    if team.len() > 50 {
        v.push("team", "may name at most 50 people");
    }
    row.team = serde_json::to_string(&team).unwrap_or_else(|_| "[]".into());
    row.scope = text(v, "scope", &input.scope, MAX_TEXT);
    row.outcome = text(v, "outcome", &input.outcome, MAX_TEXT);
    if input.soa_version.is_some_and(|n| n < 1) {
        v.push("soa_version", "must be a version number (1 or more)");
    }
    row.soa_version = input.soa_version;
    if let (Some(s), Some(e)) = (ps, pe) {
        row.planned_start = Day(s);
        row.planned_end = Day(e);
    }
    row.actual_start = a_s.map(Day);
    row.actual_end = a_e.map(Day);
}

fn fill_certificate(v: &mut ValidationError, input: &CertificateInput, row: &mut CertificateRow) {
    if let Some(n) = v.check(parse_name("certificate_no", &input.certificate_no, 100)) {
        row.certificate_no = n;
    }
    row.scope = text(v, "scope", &input.scope, MAX_TEXT);
    let decision = required_date(v, "decision_on", Some(&input.decision_on));
    let issued = optional_date(v, "issued_on", input.issued_on.as_deref());
    let expires = optional_date(v, "expires_on", input.expires_on.as_deref());
    if let Some(d) = decision {
        let expires = expires.unwrap_or_else(|| rules::cycle(d).expires_on);
        let issued = issued.unwrap_or(d);
        if issued < d {
            v.push("issued_on", "is before the certification decision");
        }
        if expires <= d {
            v.push("expires_on", "must be after the certification decision");
        }
        // A restored certificate runs on from its old expiry (restored_expiry).
        if expires > rules::cycle(d).expires_on
            && row.status != CertificateStatus::Restored.as_str()
        {
            v.push(
                "expires_on",
                format!(
                    "is more than three years after the decision (at most {})",
                    rules::cycle(d).expires_on
                ),
            );
        }
        row.decision_on = Day(d);
        row.issued_on = Day(issued);
        row.expires_on = Day(expires);
    }
    if input.soa_version.is_some_and(|n| n < 1) {
        v.push("soa_version", "must be a version number (1 or more)");
    }
    row.soa_version = input.soa_version;
}

impl App {
    async fn body_rows(&self, c: &mut impl isms_db::AsConn, org: Uuid) -> AppResult<Vec<BodyRow>> {
        Ok(store::list_bodies(c, org, None, store::CYCLE_CAP).await?)
    }

    async fn require_body(
        &self,
        c: &mut impl isms_db::AsConn,
        org: Uuid,
        id: Option<Uuid>,
    ) -> AppResult<Uuid> {
        let Some(id) = id else {
            return Err(ValidationError::single(
                "body_id",
                "is required: choose the certification body",
            )
            .into());
        };
        match store::body(c, org, id).await? {
            Some(b) => Ok(b.id),
            None => Err(ValidationError::single(
                "body_id",
                "is not a certification body of this organisation",
            )
            .into()),
        }
    }

    async fn check_soa_version(
        &self,
        c: &mut impl isms_db::AsConn,
        org: Uuid,
        n: Option<i64>,
    ) -> AppResult<()> {
        if let Some(n) = n {
            let approved = isms_db::soa::version_by_number(c, org, n)
                .await?
                .is_some_and(|v| v.status != "draft");
            if !approved {
                return Err(ValidationError::single(
                    "soa_version",
                    format!("SoA version {n} does not exist or was never approved"),
                )
                .into());
            }
        }
        Ok(())
    }

    // --------------------------------------------------------------------- bodies

    pub async fn list_cert_bodies(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<CertBody>> {
        ctx.require(Permission::Read, "see the certification records")?;
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = store::list_bodies(&mut c, ctx.org.id, after.as_deref(), limit + 1).await?;
        Ok(crate::paginate(rows, limit, |r| r.name.clone(), body_view))
    }

    pub async fn get_cert_body(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<CertBody> {
        ctx.require(Permission::Read, "see the certification records")?;
        let mut c = self.db.read().await?;
        store::body(&mut c, ctx.org.id, id)
            .await?
            .map(body_view)
            .ok_or(AppError::NotFound("certification body"))
    }

    pub async fn create_cert_body(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewCertBody,
    ) -> AppResult<CertBody> {
        ctx.require(Permission::Write, "record certification bodies")?;
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, 200));
        let now = Ts(self.now());
        let row = BodyRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            name: name.unwrap_or_default(),
            accreditation: text(&mut v, "accreditation", &input.accreditation, 200),
            contact_name: text(&mut v, "contact_name", &input.contact_name, 200),
            contact_email: email(&mut v, &input.contact_email),
            notes: text(&mut v, "notes", &input.notes, MAX_TEXT),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        store::insert_body(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_body",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("added certification body \"{}\"", row.name),
                before: None,
                after: Some(body_snapshot(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(body_view(row))
    }

    pub async fn update_cert_body(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &CertBodyPatch,
    ) -> AppResult<CertBody> {
        ctx.require(Permission::Write, "change certification bodies")?;
        let mut tx = self.db.begin().await?;
        let before = store::body(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("certification body"))?;
        if before.version != patch.version {
            return Err(AppError::stale("certification body"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(n) = &patch.name
            && let Some(n) = v.check(parse_name("name", n, 200))
        {
            row.name = n;
        }
        if let Some(s) = &patch.accreditation {
            row.accreditation = text(&mut v, "accreditation", s, 200);
        }
        if let Some(s) = &patch.contact_name {
            row.contact_name = text(&mut v, "contact_name", s, 200);
        }
        if let Some(s) = &patch.contact_email {
            row.contact_email = email(&mut v, s);
        }
        if let Some(s) = &patch.notes {
            row.notes = text(&mut v, "notes", s, MAX_TEXT);
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update_body(&mut tx, &row).await? {
            return Err(AppError::stale("certification body"));
        }
        row.version += 1;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_body",
                entity_id: row.id.to_string(),
                action: "update",
                summary: format!("changed certification body \"{}\"", row.name),
                before: Some(body_snapshot(&before)),
                after: Some(body_snapshot(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(body_view(row))
    }

    /// Remove a body; refused (409) while audits or certificates name it.
    pub async fn delete_cert_body(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove certification bodies")?;
        let mut tx = self.db.begin().await?;
        let before = store::body(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("certification body"))?;
        if store::body_in_use(&mut tx, ctx.org.id, id).await? {
            return Err(AppError::Conflict(format!(
                "\"{}\" has audits or certificates recorded; remove those first",
                before.name
            )));
        }
        store::delete_body(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_body",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed certification body \"{}\"", before.name),
                before: Some(body_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --------------------------------------------------------------------- audits

    pub async fn list_cert_audits(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<CertAudit>> {
        ctx.require(Permission::Read, "see the certification records")?;
        let limit = page_limit(limit);
        let after = match decode_cursor(cursor)? {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                AppError::Validation(ValidationError::single(
                    "cursor",
                    "is not a cursor this list gave out",
                ))
            })?),
        };
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        let rows = store::list_audits(&mut c, ctx.org.id, after, limit + 1).await?;
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.number.to_string(),
            |r| audit_view(r, &bodies),
        ))
    }

    pub async fn get_cert_audit(&self, ctx: &OrgCtx, reference: &str) -> AppResult<CertAudit> {
        ctx.require(Permission::Read, "see the certification records")?;
        let n = parse_audit_ref(reference).ok_or(AppError::NotFound("certification audit"))?;
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        store::audit_by_number(&mut c, ctx.org.id, n)
            .await?
            .map(|r| audit_view(r, &bodies))
            .ok_or(AppError::NotFound("certification audit"))
    }

    /// A certification audit by its id (a finding's source).
    pub async fn get_cert_audit_by_id(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<CertAudit> {
        ctx.require(Permission::Read, "see the certification records")?;
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        store::audit_by_id(&mut c, ctx.org.id, id)
            .await?
            .map(|r| audit_view(r, &bodies))
            .ok_or(AppError::NotFound("certification audit"))
    }

    pub async fn create_cert_audit(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &CertAuditInput,
    ) -> AppResult<CertAudit> {
        ctx.require(Permission::Write, "record certification audits")?;
        let now = Ts(self.now());
        let today = self.today();
        let mut row = CertAuditRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: 0,
            body_id: Uuid::nil(),
            kind: String::new(),
            status: String::new(),
            planned_start: Day(today),
            planned_end: Day(today),
            actual_start: None,
            actual_end: None,
            lead_auditor: String::new(),
            team: "[]".into(),
            auditor_days: 1,
            scope: String::new(),
            soa_version: None,
            outcome: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut v = ValidationError::new();
        fill_audit(&mut v, input, &mut row);
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        row.body_id = self
            .require_body(&mut tx, ctx.org.id, input.body_id)
            .await?;
        self.check_soa_version(&mut tx, ctx.org.id, row.soa_version)
            .await?;
        row.number = store::next_audit_number(&mut tx, ctx.org.id).await?;
        store::insert_audit(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_audit",
                entity_id: audit_ref(row.number),
                action: "create",
                summary: format!(
                    "planned certification audit {} ({})",
                    audit_ref(row.number),
                    row.kind
                ),
                before: None,
                after: Some(audit_snapshot(&row)),
            },
        )
        .await?;
        let bodies = self.body_rows(&mut tx, ctx.org.id).await?;
        tx.commit().await?;
        Ok(audit_view(row, &bodies))
    }

    pub async fn update_cert_audit(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        reference: &str,
        input: &CertAuditInput,
    ) -> AppResult<CertAudit> {
        ctx.require(Permission::Write, "change certification audits")?;
        let n = parse_audit_ref(reference).ok_or(AppError::NotFound("certification audit"))?;
        let Some(version) = input.version else {
            return Err(ValidationError::single(
                "version",
                "is required: send the version you read",
            )
            .into());
        };
        let mut tx = self.db.begin().await?;
        let before = store::audit_by_number(&mut tx, ctx.org.id, n)
            .await?
            .ok_or(AppError::NotFound("certification audit"))?;
        if before.version != version {
            return Err(AppError::stale("certification audit"));
        }
        let mut row = before.clone();
        let mut v = ValidationError::new();
        fill_audit(&mut v, input, &mut row);
        v.into_result()?;
        row.body_id = self
            .require_body(&mut tx, ctx.org.id, input.body_id)
            .await?;
        self.check_soa_version(&mut tx, ctx.org.id, row.soa_version)
            .await?;
        row.updated_at = Ts(self.now());
        if !store::update_audit(&mut tx, &row).await? {
            return Err(AppError::stale("certification audit"));
        }
        row.version += 1;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_audit",
                entity_id: audit_ref(row.number),
                action: "update",
                summary: format!("changed certification audit {}", audit_ref(row.number)),
                before: Some(audit_snapshot(&before)),
                after: Some(audit_snapshot(&row)),
            },
        )
        .await?;
        let bodies = self.body_rows(&mut tx, ctx.org.id).await?;
        tx.commit().await?;
        Ok(audit_view(row, &bodies))
    }

    pub async fn delete_cert_audit(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        reference: &str,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove certification audits")?;
        let n = parse_audit_ref(reference).ok_or(AppError::NotFound("certification audit"))?;
        let mut tx = self.db.begin().await?;
        let before = store::audit_by_number(&mut tx, ctx.org.id, n)
            .await?
            .ok_or(AppError::NotFound("certification audit"))?;
        if before.status == "held" {
            return Err(AppError::Conflict(format!(
                "{} was held; a held audit stays on record (mark a mistaken entry cancelled instead)",
                audit_ref(n)
            )));
        }
        store::delete_audit(&mut tx, ctx.org.id, before.id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certification_audit",
                entity_id: audit_ref(n),
                action: "delete",
                summary: format!("removed certification audit {}", audit_ref(n)),
                before: Some(audit_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --------------------------------------------------------------- certificates

    pub async fn list_certificates(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Certificate>> {
        ctx.require(Permission::Read, "see the certification records")?;
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let today = self.today();
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        let rows =
            store::list_certificates(&mut c, ctx.org.id, after.as_deref(), limit + 1).await?;
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.certificate_no.clone(),
            |r| certificate_view(r, &bodies, today),
        ))
    }

    pub async fn get_certificate(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Certificate> {
        ctx.require(Permission::Read, "see the certification records")?;
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        store::certificate(&mut c, ctx.org.id, id)
            .await?
            .map(|r| certificate_view(r, &bodies, self.today()))
            .ok_or(AppError::NotFound("certificate"))
    }

    pub async fn create_certificate(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &CertificateInput,
    ) -> AppResult<Certificate> {
        ctx.require(Permission::Write, "record certificates")?;
        let now = Ts(self.now());
        let today = self.today();
        let mut row = CertificateRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            body_id: Uuid::nil(),
            certificate_no: String::new(),
            scope: String::new(),
            decision_on: Day(today),
            issued_on: Day(today),
            expires_on: Day(today),
            soa_version: None,
            status: CertificateStatus::Active.as_str().into(),
            status_on: Day(today),
            status_note: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut v = ValidationError::new();
        fill_certificate(&mut v, input, &mut row);
        v.into_result()?;
        row.status_on = row.decision_on;
        let mut tx = self.db.begin().await?;
        row.body_id = self
            .require_body(&mut tx, ctx.org.id, input.body_id)
            .await?;
        self.check_soa_version(&mut tx, ctx.org.id, row.soa_version)
            .await?;
        store::insert_certificate(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certificate",
                entity_id: row.certificate_no.clone(),
                action: "create",
                summary: format!(
                    "recorded certificate {} (decision {}, expires {})",
                    row.certificate_no,
                    format_date(row.decision_on.0),
                    format_date(row.expires_on.0)
                ),
                before: None,
                after: Some(certificate_snapshot(&row)),
            },
        )
        .await?;
        let bodies = self.body_rows(&mut tx, ctx.org.id).await?;
        tx.commit().await?;
        Ok(certificate_view(row, &bodies, today))
    }

    pub async fn update_certificate(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &CertificateInput,
    ) -> AppResult<Certificate> {
        ctx.require(Permission::Write, "change certificates")?;
        let Some(version) = input.version else {
            return Err(ValidationError::single(
                "version",
                "is required: send the version you read",
            )
            .into());
        };
        let mut tx = self.db.begin().await?;
        let before = store::certificate(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("certificate"))?;
        if before.version != version {
            return Err(AppError::stale("certificate"));
        }
        let mut row = before.clone();
        let mut v = ValidationError::new();
        fill_certificate(&mut v, input, &mut row);
        v.into_result()?;
        row.body_id = self
            .require_body(&mut tx, ctx.org.id, input.body_id)
            .await?;
        self.check_soa_version(&mut tx, ctx.org.id, row.soa_version)
            .await?;
        row.updated_at = Ts(self.now());
        if !store::update_certificate(&mut tx, &row).await? {
            return Err(AppError::stale("certificate"));
        }
        row.version += 1;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certificate",
                entity_id: row.certificate_no.clone(),
                action: "update",
                summary: format!("changed certificate {}", row.certificate_no),
                before: Some(certificate_snapshot(&before)),
                after: Some(certificate_snapshot(&row)),
            },
        )
        .await?;
        let bodies = self.body_rows(&mut tx, ctx.org.id).await?;
        tx.commit().await?;
        Ok(certificate_view(row, &bodies, self.today()))
    }

    /// Suspend, withdraw, expire, reinstate or restore a certificate, by the rules of
    /// `isms_domain::certification` (a restoration only within six months of expiry).
    pub async fn change_certificate_status(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        change: &StatusChange,
    ) -> AppResult<Certificate> {
        ctx.require(Permission::Write, "change a certificate's status")?;
        let mut v = ValidationError::new();
        let to = v.check(CertificateStatus::parse("status", &change.status));
        let on = optional_date(&mut v, "on", change.on.as_deref()).unwrap_or(self.today());
        let note = text(&mut v, "note", &change.note, MAX_TEXT);
        if on > self.today() {
            v.push(
                "on",
                "is in the future; record a status change when it happens",
            );
        }
        v.into_result()?;
        let Some(to) = to else {
            return Err(ValidationError::single("status", "is required").into());
        };
        let mut tx = self.db.begin().await?;
        let before = store::certificate(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("certificate"))?;
        if before.version != change.version {
            return Err(AppError::stale("certificate"));
        }
        let from =
            CertificateStatus::parse("status", &before.status).unwrap_or(CertificateStatus::Active);
        if !rules::status_change_allowed(from, to) {
            return Err(ValidationError::single(
                "status",
                format!(
                    "a certificate cannot go from {} to {}",
                    from.as_str(),
                    to.as_str()
                ),
            )
            .into());
        }
        if to == CertificateStatus::Restored {
            rules::check_restoration(before.expires_on.0, on)?;
        }
        if to == CertificateStatus::Expired && on < before.expires_on.0 {
            return Err(ValidationError::single(
                "status",
                format!(
                    "the certificate does not expire until {}",
                    format_date(before.expires_on.0)
                ),
            )
            .into());
        }
        let mut row = before.clone();
        row.status = to.as_str().into();
        if to == CertificateStatus::Restored {
            row.expires_on = Day(rules::restored_expiry(before.expires_on.0));
        }
        row.status_on = Day(on);
        row.status_note = note;
        row.updated_at = Ts(self.now());
        if !store::update_certificate(&mut tx, &row).await? {
            return Err(AppError::stale("certificate"));
        }
        row.version += 1;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certificate",
                entity_id: row.certificate_no.clone(),
                action: "status",
                summary: format!(
                    "certificate {} {} → {} on {}",
                    row.certificate_no,
                    from.as_str(),
                    to.as_str(),
                    format_date(on)
                ),
                before: Some(certificate_snapshot(&before)),
                after: Some(certificate_snapshot(&row)),
            },
        )
        .await?;
        let bodies = self.body_rows(&mut tx, ctx.org.id).await?;
        tx.commit().await?;
        Ok(certificate_view(row, &bodies, self.today()))
    }

    pub async fn delete_certificate(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove certificates")?;
        let mut tx = self.db.begin().await?;
        let before = store::certificate(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("certificate"))?;
        store::delete_certificate(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "certificate",
                entity_id: before.certificate_no.clone(),
                action: "delete",
                summary: format!("removed certificate {}", before.certificate_no),
                before: Some(certificate_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --------------------------------------------------------------------- the cycle

    /// The certificate in force, the dates of its cycle, the audits and the warnings.
    pub async fn certification_cycle(&self, ctx: &OrgCtx) -> AppResult<CycleOverview> {
        ctx.require(Permission::Read, "see the certification records")?;
        let today = self.today();
        let mut c = self.db.read().await?;
        let bodies = self.body_rows(&mut c, ctx.org.id).await?;
        let cert = store::current_certificate(&mut c, ctx.org.id).await?;
        let audits = store::audits_by_date(&mut c, ctx.org.id).await?;
        drop(c);
        let planned: Vec<PlannedAudit> = audits
            .iter()
            .filter(|a| a.status != "cancelled")
            .filter_map(|a| {
                Some(PlannedAudit {
                    kind: CertAuditKind::parse("kind", &a.kind).ok()?,
                    start_on: a.actual_start.unwrap_or(a.planned_start).0,
                    end_on: a.actual_end.unwrap_or(a.planned_end).0,
                })
            })
            .collect();
        let decision = cert.as_ref().map(|c| c.decision_on.0);
        let cycle = decision.map(rules::cycle);
        let warnings = rules::check_plan(decision, &planned);
        let events = cycle.as_ref().map(rules::cycle_events).unwrap_or_default();
        Ok(CycleOverview {
            certificate: cert.map(|r| certificate_view(r, &bodies, today)),
            cycle,
            events,
            warnings,
            audits: audits.into_iter().map(|r| audit_view(r, &bodies)).collect(),
            bodies: bodies.into_iter().map(body_view).collect(),
        })
    }

    /// The auditor-days estimate for the given inputs (defaults: the organisation's size,
    /// medium complexity, no other change).
    pub fn audit_time(&self, ctx: &OrgCtx, q: &AuditTimeQuery) -> AppResult<AuditTimeView> {
        ctx.require(Permission::Read, "see the certification records")?;
        let mut v = ValidationError::new();
        let personnel = q
            .personnel
            .unwrap_or_else(|| u32::try_from(ctx.org.employees.max(1)).unwrap_or(1));
        let business = v.check(Complexity::parse(
            "business",
            q.business.as_deref().unwrap_or("medium"),
        ));
        let it = v.check(Complexity::parse("it", q.it.as_deref().unwrap_or("medium")));
        v.into_result()?;
        let mut inputs = AuditTimeInputs::new(personnel);
        inputs.business_complexity = business.unwrap_or(Complexity::Medium);
        inputs.it_complexity = it.unwrap_or(Complexity::Medium);
        inputs.other_adjustment_percent = q.other.unwrap_or(0);
        if let Some(s) = q.stage1 {
            inputs.stage1_percent = s;
        }
        let estimate = rules::estimate_audit_time(&inputs).map_err(|e| {
            // The domain names `effective_personnel`; the query calls it `personnel`.
            let mut out = ValidationError::new();
            for f in e.errors {
                let field = match f.field.as_str() {
                    "effective_personnel" => "personnel",
                    "other_adjustment_percent" => "other",
                    "stage1_percent" => "stage1",
                    other => other,
                };
                out.push(field, f.message);
            }
            out
        })?;
        let label = |c: Complexity| match c {
            Complexity::Low => "low",
            Complexity::Medium => "medium",
            Complexity::High => "high",
        };
        let mut chart = rules::AUDIT_TIME_CHART.to_vec();
        chart.push(rules::LAST_CHARTED);
        Ok(AuditTimeView {
            personnel,
            business: label(inputs.business_complexity).into(),
            it: label(inputs.it_complexity).into(),
            other: inputs.other_adjustment_percent,
            stage1_percent: inputs.stage1_percent,
            estimate,
            chart,
        })
    }
}

/// How far back the calendar feed reaches (older deadlines are history).
const CALENDAR_PAST_DAYS: i64 = 90;

impl App {
    /// The iCalendar feed: the cycle's deadlines, certification audits, document reviews,
    /// evidence expiry, open findings' deadlines (a certification body's among them) and
    /// corrective actions due, from 90 days ago on. One query per register.
    pub async fn certification_calendar(
        &self,
        ctx: &OrgCtx,
    ) -> AppResult<crate::exports::ExportFile> {
        use isms_export::ics::{IcsEvent, calendar};
        let o = self.certification_cycle(ctx).await?;
        let from = rules::plus_days(self.today(), -CALENDAR_PAST_DAYS);
        let mut c = self.db.read().await?;
        let reviews = store::document_reviews(&mut c, ctx.org.id, Day(from)).await?;
        let expiries = store::evidence_expiries(&mut c, ctx.org.id, Day(from)).await?;
        let finding_deadlines = store::finding_deadlines(&mut c, ctx.org.id, Day(from)).await?;
        let action_deadlines = store::action_deadlines(&mut c, ctx.org.id, Day(from)).await?;
        drop(c);
        let slug = &ctx.org.slug;
        let mut events = Vec::new();
        for e in &o.events {
            events.push(IcsEvent {
                uid: format!("cycle-{}@{slug}.isms-workbench", e.key),
                first: e.date,
                last: e.date,
                summary: e.title.clone(),
                description: format!("Certification cycle of {}", ctx.org.name),
            });
        }
        for a in o.audits.iter().filter(|a| a.status != "cancelled") {
            let day = |s: &Option<String>, planned: &str| {
                s.as_deref()
                    .and_then(isms_domain::time::parse_date)
                    .or_else(|| isms_domain::time::parse_date(planned))
            };
            let (Some(first), Some(last)) = (
                day(&a.actual_start, &a.planned_start),
                day(&a.actual_end, &a.planned_end),
            ) else {
                continue;
            };
            events.push(IcsEvent {
                uid: format!("audit-{}@{slug}.isms-workbench", a.id),
                first,
                last,
                summary: format!("{} audit {} ({})", a.kind_label, a.reference, a.body_name),
                description: format!("{} auditor-days, {}. {}", a.auditor_days, a.status, a.scope),
            });
        }
        for (n, title, d) in reviews {
            events.push(IcsEvent {
                uid: format!("review-doc-{n}@{slug}.isms-workbench"),
                first: d.0,
                last: d.0,
                summary: format!(
                    "Review due: {} {title}",
                    isms_domain::document::reference(n)
                ),
                description: "The document's review interval ends; review and approve it again."
                    .into(),
            });
        }
        for (n, title, d) in expiries {
            events.push(IcsEvent {
                uid: format!("evidence-{n}@{slug}.isms-workbench"),
                first: d.0,
                last: d.0,
                summary: format!(
                    "Evidence expires: {} {title}",
                    isms_domain::evidence::evidence_ref(n)
                ),
                description: "Collect fresh evidence before this day.".into(),
            });
        }
        for (n, title, grade, source, d) in finding_deadlines {
            use isms_domain::capa::{Grade, Source, finding_ref};
            let grade = Grade::from_stored(&grade).map_or(grade.clone(), |g| g.label().into());
            let by_body = Source::from_stored(&source) == Some(Source::CertificationAudit);
            events.push(IcsEvent {
                uid: format!("finding-{n}@{slug}.isms-workbench"),
                first: d.0,
                last: d.0,
                summary: format!("Finding deadline: {} {title}", finding_ref(n)),
                description: if by_body {
                    format!("{grade} raised by the certification body: the correction and corrective action must be accepted by this day.")
                } else {
                    format!("{grade}: deal with it by this day.")
                },
            });
        }
        for (n, title, status, d) in action_deadlines {
            events.push(IcsEvent {
                uid: format!("action-{n}@{slug}.isms-workbench"),
                first: d.0,
                last: d.0,
                summary: format!(
                    "Corrective action due: {} {title}",
                    isms_domain::capa::action_ref(n)
                ),
                description: format!(
                    "Still {}; implement it by this day, then verify that it worked.",
                    status.replace('_', " ")
                ),
            });
        }
        events.sort_by(|a, b| (a.first, &a.uid).cmp(&(b.first, &b.uid)));
        let text = calendar(
            &format!("{}: ISMS deadlines", ctx.org.name),
            &events,
            self.now().to_offset(),
        );
        Ok(crate::exports::ExportFile {
            bytes: text.into_bytes(),
            content_type: "text/calendar; charset=utf-8",
            file_name: format!("{slug}-isms-calendar.ics"),
        })
    }
}

impl App {
    /// The certification audits as a table (`isms export certification-audits`).
    pub async fn cert_audits_table(&self, ctx: &OrgCtx) -> AppResult<isms_export::Table> {
        let o = self.certification_cycle(ctx).await?;
        Ok(isms_export::Table {
            title: format!("{}: certification audits", ctx.org.name),
            headers: [
                "Audit",
                "Kind",
                "Status",
                "Body",
                "Planned start",
                "Planned end",
                "Actual start",
                "Actual end",
                "Auditor-days",
                "Lead auditor",
                "Team",
                "SoA version",
                "Scope",
                "Outcome",
            ]
            .map(String::from)
            .to_vec(),
            rows: o
                .audits
                .into_iter()
                .map(|a| {
                    vec![
                        a.reference,
                        a.kind_label,
                        a.status,
                        a.body_name,
                        a.planned_start,
                        a.planned_end,
                        a.actual_start.unwrap_or_default(),
                        a.actual_end.unwrap_or_default(),
                        a.auditor_days.to_string(),
                        a.lead_auditor,
                        a.team.join("; "),
                        a.soa_version.map(|n| n.to_string()).unwrap_or_default(),
                        a.scope,
                        a.outcome,
                    ]
                })
                .collect(),
        })
    }
}
