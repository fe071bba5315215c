//! Findings from any source and the corrective actions on them (10.2). A nonconformity
//! closes only after one of its actions was verified effective by someone other than the
//! action's owner; the finding's status follows its actions (action planned, verifying)
//! until a person closes it.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_number_cursor, encode_cursor, page_limit,
    record,
};
use isms_db::findings::{
    self as store, ActionFilter, ActionRow, ActionWithNames, FindingFilter, FindingRow,
    FindingWithNames,
};
use isms_db::{AsConn, Day, Ts, orgs, own_controls};
use isms_domain::ValidationError;
use isms_domain::capa::{
    ActionState, ActionStatus, Effectiveness, FindingState, FindingStatus, Grade, MAX_TEXT,
    MAX_TITLE, MAX_WHYS, RcaMethod, Source, Why, action_ref, check_action_dates,
    check_action_status, check_deadline, check_finding_status, check_raised_on, check_verification,
    check_verified_on, check_whys, finding_ref, finding_status_after_actions, is_overdue,
    parse_reference, status_after_verification,
};
use isms_domain::evidence::evidence_ref;
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// A piece of evidence a finding points to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingEvidence {
    pub id: Uuid,
    /// `EV-0003`.
    pub reference: String,
    pub title: String,
}

/// A finding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: Uuid,
    /// `F-001`.
    pub finding_ref: String,
    pub number: i64,
    /// `internal_audit`, `certification_audit`, `incident`, `management_review`,
    /// `monitoring`, `complaint` or `other`.
    pub source: String,
    pub source_label: String,
    /// The audit, incident or review it came from.
    pub source_id: Option<Uuid>,
    /// The audit checklist item it came from.
    pub checklist_item_id: Option<Uuid>,
    /// `major_nc`, `minor_nc`, `observation` or `ofi`.
    pub grade: String,
    pub grade_label: String,
    /// A major or minor nonconformity.
    pub nonconformity: bool,
    /// The clause (`9.2`) or control (`A.5.15`, `NW-07`) it is raised against.
    pub reference: String,
    pub title: String,
    pub description: String,
    /// What was seen.
    pub evidence: String,
    pub evidence_items: Vec<FindingEvidence>,
    /// YYYY-MM-DD.
    pub raised_on: String,
    pub raised_by: Option<Uuid>,
    pub raised_by_name: Option<String>,
    /// `open`, `action_planned`, `verifying` or `closed`.
    pub status: String,
    pub status_label: String,
    /// The date by which it must be dealt with (a certification body's deadline).
    pub deadline: Option<String>,
    /// Not closed and the deadline has passed.
    pub overdue: bool,
    pub closure_note: String,
    pub closed_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new finding.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    /// Default `other`.
    pub source: Option<String>,
    pub source_id: Option<Uuid>,
    pub checklist_item_id: Option<Uuid>,
    /// `major_nc`, `minor_nc`, `observation` or `ofi`.
    pub grade: String,
    /// A clause (`9.2`, `Clause 5.2`) or a control (`5.15`, `A.5.2`, `NW-07`).
    pub reference: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub evidence: String,
    /// Evidence items of this organisation.
    #[serde(default)]
    pub evidence_ids: Vec<Uuid>,
    /// YYYY-MM-DD, not in the future; default today.
    pub raised_on: Option<String>,
    /// A member; default whoever records it, if a member.
    pub raised_by: Option<Uuid>,
    /// YYYY-MM-DD, on or after `raised_on`. Required for a nonconformity from a
    /// certification audit (`source` `certification_audit`): the body's deadline.
    pub deadline: Option<String>,
}

/// Changes to a finding. Omitted fields keep their value; `null` clears the deadline.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingPatch {
    pub source: Option<String>,
    pub grade: Option<String>,
    pub reference: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub evidence: Option<String>,
    pub evidence_ids: Option<Vec<Uuid>>,
    pub raised_on: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Option<String>>,
    /// `open`, `action_planned`, `verifying` or `closed`. A nonconformity closes only
    /// after a corrective action on it was verified effective; an observation or OFI
    /// closes with a `closure_note`.
    pub status: Option<String>,
    pub closure_note: Option<String>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Filters of the findings register.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub grade: Option<String>,
    pub status: Option<String>,
    pub source: Option<String>,
    pub source_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// How many findings of one grade, and how many of them are still open.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeCount {
    pub grade: String,
    pub label: String,
    pub total: i64,
    pub open: i64,
}

/// A corrective action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectiveAction {
    pub id: Uuid,
    /// `CA-001`.
    pub action_ref: String,
    pub number: i64,
    pub finding_id: Option<Uuid>,
    /// `F-003`.
    pub finding_ref: Option<String>,
    pub finding_title: Option<String>,
    pub finding_grade: Option<String>,
    /// The management review that decided it (a standalone action).
    pub review_id: Option<Uuid>,
    pub title: String,
    /// The immediate fix.
    pub correction: String,
    pub correction_on: Option<String>,
    /// `five_whys`, `fishbone` or `other`.
    pub rca_method: Option<String>,
    pub five_whys: Vec<Why>,
    pub root_cause: String,
    /// The corrective action itself: what removes the cause.
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    /// `planned`, `in_progress`, `implemented`, `verified_effective`,
    /// `verified_ineffective` or `closed`.
    pub status: String,
    pub status_label: String,
    /// Due date passed and not implemented yet.
    pub overdue: bool,
    pub implemented_on: Option<String>,
    pub verified_by: Option<Uuid>,
    pub verified_by_name: Option<String>,
    pub verified_on: Option<String>,
    /// `effective` or `ineffective`.
    pub verification: Option<String>,
    pub verification_note: String,
    pub closed_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new corrective action: on a nonconformity (`finding_id`) or standalone.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrectiveAction {
    /// A major or minor nonconformity of this organisation.
    pub finding_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub correction: String,
    pub correction_on: Option<String>,
    pub rca_method: Option<String>,
    #[serde(default)]
    pub five_whys: Vec<Why>,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub description: String,
    /// A member of the organisation.
    pub owner_id: Option<Uuid>,
    /// YYYY-MM-DD; default the finding's deadline, when it has one.
    pub due_on: Option<String>,
}

/// Changes to a corrective action; omitted fields keep their value. The verified
/// statuses come from a verification (`POST …/verify`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveActionPatch {
    pub title: Option<String>,
    pub correction: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub correction_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub rca_method: Option<Option<String>>,
    pub five_whys: Option<Vec<Why>>,
    pub root_cause: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// `planned`, `in_progress`, `implemented` or (after a verification) `closed`.
    pub status: Option<String>,
    pub version: i64,
}

/// A verification of effectiveness.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// `effective` or `ineffective`.
    pub result: String,
    /// YYYY-MM-DD, not in the future; default today.
    pub verified_on: Option<String>,
    /// A member other than the action's owner; default whoever records it.
    pub verified_by: Option<Uuid>,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// Filters of the corrective-action register.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    pub status: Option<String>,
    pub finding_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub overdue: bool,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn day_text(d: Option<Day>) -> Option<String> {
    d.map(|d| format_date(d.0))
}

fn opt_date(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn text(v: &mut ValidationError, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        v.push(field, "must be at most 8000 characters");
    }
    s.to_owned()
}

fn finding_view(r: FindingWithNames, evidence: Vec<FindingEvidence>, today: Date) -> Finding {
    let f = r.finding;
    let grade = Grade::from_stored(&f.grade);
    let status = FindingStatus::from_stored(&f.status);
    Finding {
        id: f.id,
        finding_ref: finding_ref(f.number),
        number: f.number,
        source_label: Source::from_stored(&f.source)
            .map(|s| s.label().to_owned())
            .unwrap_or_default(),
        source: f.source,
        source_id: f.source_id,
        checklist_item_id: f.checklist_item_id,
        grade_label: grade.map(|g| g.label().to_owned()).unwrap_or_default(),
        nonconformity: grade.is_some_and(Grade::is_nonconformity),
        grade: f.grade,
        reference: f.reference,
        title: f.title,
        description: f.description,
        evidence: f.evidence,
        evidence_items: evidence,
        raised_on: format_date(f.raised_on.0),
        raised_by: f.raised_by,
        raised_by_name: r.raised_by_name,
        status_label: status.map(|s| s.label().to_owned()).unwrap_or_default(),
        overdue: status != Some(FindingStatus::Closed) && f.deadline.is_some_and(|d| d.0 < today),
        status: f.status,
        deadline: day_text(f.deadline),
        closure_note: f.closure_note,
        closed_on: day_text(f.closed_on),
        created_at: f.created_at.0.rfc3339(),
        updated_at: f.updated_at.0.rfc3339(),
        version: f.version,
    }
}

fn finding_snapshot(f: &FindingRow, evidence: &[Uuid]) -> serde_json::Value {
    serde_json::json!({
        "number": f.number, "source": f.source, "source_id": f.source_id,
        "checklist_item_id": f.checklist_item_id, "grade": f.grade, "reference": f.reference,
        "title": f.title, "description": f.description, "evidence": f.evidence,
        "evidence_ids": evidence, "raised_on": format_date(f.raised_on.0),
        "raised_by": f.raised_by, "status": f.status, "deadline": day_text(f.deadline),
        "closure_note": f.closure_note, "closed_on": day_text(f.closed_on),
    })
}

fn action_view(r: ActionWithNames, today: Date) -> CorrectiveAction {
    let a = r.action;
    let status = ActionStatus::from_stored(&a.status).unwrap_or(ActionStatus::Planned);
    CorrectiveAction {
        id: a.id,
        action_ref: action_ref(a.number),
        number: a.number,
        finding_id: a.finding_id,
        finding_ref: r.finding_number.map(finding_ref),
        finding_title: r.finding_title,
        finding_grade: r.finding_grade,
        review_id: a.review_id,
        title: a.title,
        correction: a.correction,
        correction_on: day_text(a.correction_on),
        rca_method: a.rca_method,
        five_whys: serde_json::from_str(&a.five_whys).unwrap_or_default(),
        root_cause: a.root_cause,
        description: a.description,
        owner_id: a.owner_id,
        owner_name: r.owner_name,
        due_on: day_text(a.due_on),
        status_label: status.label().to_owned(),
        overdue: is_overdue(status, a.due_on.map(|d| d.0), today),
        status: a.status,
        implemented_on: day_text(a.implemented_on),
        verified_by: a.verified_by,
        verified_by_name: r.verified_by_name,
        verified_on: day_text(a.verified_on),
        verification: a.verification,
        verification_note: a.verification_note,
        closed_on: day_text(a.closed_on),
        created_at: a.created_at.0.rfc3339(),
        updated_at: a.updated_at.0.rfc3339(),
        version: a.version,
    }
}

fn action_snapshot(a: &ActionRow) -> serde_json::Value {
    serde_json::json!({
        "number": a.number, "finding_id": a.finding_id, "review_id": a.review_id,
        "title": a.title, "correction": a.correction, "correction_on": day_text(a.correction_on),
        "rca_method": a.rca_method, "five_whys": a.five_whys, "root_cause": a.root_cause,
        "description": a.description, "owner_id": a.owner_id, "due_on": day_text(a.due_on),
        "status": a.status, "implemented_on": day_text(a.implemented_on),
        "verified_by": a.verified_by, "verified_on": day_text(a.verified_on),
        "verification": a.verification, "verification_note": a.verification_note,
        "closed_on": day_text(a.closed_on),
    })
}

/// Findings and corrective actions are recorded by those who write ISMS records and by
/// internal auditors.
fn require_record(ctx: &OrgCtx, what: &str) -> AppResult<()> {
    if ctx.can(Permission::Write) || ctx.can(Permission::AuditWrite) {
        Ok(())
    } else {
        Err(AppError::forbidden(what))
    }
}

/// A corrective action standalone from a management review decision.
pub(crate) struct ReviewActionInput<'a> {
    pub review_id: Uuid,
    pub title: &'a str,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Date>,
}

impl App {
    async fn me_if_member(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        actor: Actor<'_>,
    ) -> AppResult<Option<Uuid>> {
        Ok(match actor.id() {
            Some(me) if orgs::membership_of(c, ctx.org.id, me).await?.is_some() => Some(me),
            _ => None,
        })
    }

    async fn check_reference(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        raw: &str,
    ) -> AppResult<Option<String>> {
        let Some(r) = v.check(parse_reference("reference", raw)) else {
            return Ok(None);
        };
        if let Some(code) = r.own_code() {
            let known = own_controls::existing(c, ctx.org.id, &[code.to_owned()]).await?;
            if known.is_empty() {
                v.push(
                    "reference",
                    format!("there is no own control {code} in this organisation"),
                );
                return Ok(None);
            }
        }
        Ok(Some(r.stored()))
    }

    async fn check_evidence_ids(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        ids: &[Uuid],
    ) -> AppResult<Vec<Uuid>> {
        let mut ids: Vec<Uuid> = ids.to_vec();
        ids.sort();
        ids.dedup();
        let known = store::existing_evidence(c, ctx.org.id, &ids).await?;
        for (i, id) in ids.iter().enumerate() {
            if !known.contains(id) {
                v.push(
                    format!("evidence_ids[{i}]"),
                    "is not evidence of this organisation",
                );
            }
        }
        Ok(ids)
    }

    async fn findings_with_evidence(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<FindingWithNames>,
    ) -> AppResult<Vec<Finding>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.finding.id).collect();
        let mut by: HashMap<Uuid, Vec<FindingEvidence>> = HashMap::new();
        for (f, id, number, title) in store::evidence_of(c, ctx.org.id, &ids).await? {
            by.entry(f).or_default().push(FindingEvidence {
                id,
                reference: evidence_ref(number),
                title,
            });
        }
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let e = by.remove(&r.finding.id).unwrap_or_default();
                finding_view(r, e, today)
            })
            .collect())
    }

    async fn load_finding(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Finding> {
        let row = store::get_finding(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("finding"))?;
        self.findings_with_evidence(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("finding"))
    }

    /// The findings register, newest first, with its filters.
    pub async fn list_findings(&self, ctx: &OrgCtx, q: &FindingQuery) -> AppResult<Page<Finding>> {
        ctx.require(Permission::Read, "see the findings")?;
        let limit = page_limit(q.limit);
        let before = decode_number_cursor(q.cursor.as_deref())?;
        let mut v = ValidationError::new();
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let f = FindingFilter {
            grade: nonempty(&q.grade)
                .and_then(|g| v.check(Grade::parse("grade", &g)))
                .map(|g| g.as_str().to_owned()),
            status: nonempty(&q.status)
                .and_then(|s| v.check(FindingStatus::parse("status", &s)))
                .map(|s| s.as_str().to_owned()),
            source: nonempty(&q.source)
                .and_then(|s| v.check(Source::parse("source", &s)))
                .map(|s| s.as_str().to_owned()),
            source_id: q.source_id,
        };
        v.into_result()?;
        let mut c = self.db.read().await?;
        let mut rows = store::list_findings(&mut c, ctx.org.id, &f, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| encode_cursor(&r.finding.number.to_string()))
        } else {
            None
        };
        let items = self.findings_with_evidence(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    /// Counts by grade, in grade order (every grade, zero included).
    pub async fn finding_counts(&self, ctx: &OrgCtx) -> AppResult<Vec<GradeCount>> {
        ctx.require(Permission::Read, "see the findings")?;
        let mut c = self.db.read().await?;
        let rows = store::grade_counts(&mut c, ctx.org.id).await?;
        Ok(Grade::ALL
            .iter()
            .map(|g| {
                let of = rows.iter().filter(|(gr, _, _)| gr == g.as_str());
                let (mut total, mut open) = (0, 0);
                for (_, s, n) in of {
                    total += n;
                    if s != FindingStatus::Closed.as_str() {
                        open += n;
                    }
                }
                GradeCount {
                    grade: g.as_str().to_owned(),
                    label: g.label().to_owned(),
                    total,
                    open,
                }
            })
            .collect())
    }

    /// The findings an audit, incident or review raised, in number order.
    pub async fn findings_for_source(
        &self,
        ctx: &OrgCtx,
        source_id: Uuid,
    ) -> AppResult<Vec<Finding>> {
        ctx.require(Permission::Read, "see the findings")?;
        let mut c = self.db.read().await?;
        let rows = store::list_for_source(&mut c, ctx.org.id, source_id).await?;
        self.findings_with_evidence(&mut c, ctx, rows).await
    }

    pub async fn get_finding(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Finding> {
        ctx.require(Permission::Read, "see the findings")?;
        let mut c = self.db.read().await?;
        self.load_finding(&mut c, ctx, id).await
    }

    /// Raise a finding.
    pub async fn create_finding(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewFinding,
    ) -> AppResult<Finding> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_finding_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Raise a finding inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_finding_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewFinding,
        number: Option<i64>,
    ) -> AppResult<Finding> {
        require_record(ctx, "raise findings")?;
        let mut v = ValidationError::new();
        let source = match input
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(Source::Other),
            Some(s) => v.check(Source::parse("source", s)),
        };
        for (field, id) in [
            ("source_id", input.source_id),
            ("checklist_item_id", input.checklist_item_id),
        ] {
            if id == Some(Uuid::nil()) {
                v.push(field, "is not an id");
            }
        }
        let grade = v.check(Grade::parse("grade", &input.grade));
        let title = v.check(parse_name("title", &input.title, MAX_TITLE));
        let description = text(&mut v, "description", &input.description);
        let evidence = text(&mut v, "evidence", &input.evidence);
        let today = self.today();
        let raised_on = match input
            .raised_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(today),
            s => opt_date(&mut v, "raised_on", s),
        };
        if let Some(d) = raised_on
            && let Err(e) = check_raised_on("raised_on", d, today)
        {
            v.errors.extend(e.errors);
        }
        let deadline = opt_date(&mut v, "deadline", input.deadline.as_deref());
        if let Some(r) = raised_on
            && let Err(e) = check_deadline(r, deadline)
        {
            v.errors.extend(e.errors);
        }
        if let (Some(s), Some(g)) = (source, grade)
            && !v.errors.iter().any(|e| e.field == "deadline")
            && let Err(e) = isms_domain::capa::check_body_deadline(s, g, deadline)
        {
            v.errors.extend(e.errors);
        }
        if source == Some(Source::CertificationAudit)
            && let Some(id) = input.source_id.filter(|id| !id.is_nil())
            && isms_db::certification::audit_by_id(tx, ctx.org.id, id)
                .await?
                .is_none()
        {
            v.push(
                "source_id",
                "is not a certification audit of this organisation",
            );
        }
        let reference = self
            .check_reference(tx, ctx, &mut v, &input.reference)
            .await?;
        let evidence_ids = self
            .check_evidence_ids(tx, ctx, &mut v, &input.evidence_ids)
            .await?;
        let raised_by = match input.raised_by {
            Some(u) => Some(u),
            None => self.me_if_member(tx, ctx, actor).await?,
        };
        self.check_member(tx, ctx, &mut v, "raised_by", raised_by)
            .await?;
        v.into_result()?;
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_finding_number(tx, ctx.org.id).await?,
        };
        let row = FindingRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            source: source.unwrap_or(Source::Other).as_str().to_owned(),
            source_id: input.source_id,
            checklist_item_id: input.checklist_item_id,
            grade: grade.unwrap_or(Grade::Observation).as_str().to_owned(),
            reference: reference.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description,
            evidence,
            raised_on: Day(raised_on.unwrap_or(today)),
            raised_by,
            status: FindingStatus::Open.as_str().to_owned(),
            deadline: deadline.map(Day),
            closure_note: String::new(),
            closed_on: None,
            closed_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_finding(tx, &row).await?;
        store::set_evidence(tx, ctx.org.id, row.id, &evidence_ids).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "finding",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "raised finding {} ({}) against {}: \"{}\"",
                    finding_ref(number),
                    grade.map(|g| g.label()).unwrap_or_default(),
                    row.reference,
                    row.title
                ),
                before: None,
                after: Some(finding_snapshot(&row, &evidence_ids)),
            },
        )
        .await?;
        self.load_finding(tx, ctx, row.id).await
    }

    /// Change a finding; a stale `version` is 409. Closing a nonconformity without a
    /// corrective action verified effective is refused naming `status`.
    pub async fn update_finding(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &FindingPatch,
    ) -> AppResult<Finding> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_finding_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a finding inside the caller's transaction.
    pub(crate) async fn update_finding_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &FindingPatch,
    ) -> AppResult<Finding> {
        require_record(ctx, "change findings")?;
        let before = store::get_finding(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("finding"))?
            .finding;
        if before.version != patch.version {
            return Err(AppError::stale("finding"));
        }
        let before_evidence: Vec<Uuid> = store::evidence_of(tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, e, _, _)| e)
            .collect();
        let mut v = ValidationError::new();
        let mut row = before.clone();
        let today = self.today();
        if let Some(s) = &patch.source
            && let Some(s) = v.check(Source::parse("source", s))
        {
            row.source = s.as_str().to_owned();
        }
        if let Some(g) = &patch.grade
            && let Some(g) = v.check(Grade::parse("grade", g))
        {
            row.grade = g.as_str().to_owned();
        }
        if let Some(r) = &patch.reference
            && let Some(r) = self.check_reference(tx, ctx, &mut v, r).await?
        {
            row.reference = r;
        }
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, MAX_TITLE))
        {
            row.title = t;
        }
        if let Some(d) = &patch.description {
            row.description = text(&mut v, "description", d);
        }
        if let Some(d) = &patch.evidence {
            row.evidence = text(&mut v, "evidence", d);
        }
        if let Some(s) = &patch.raised_on {
            match opt_date(&mut v, "raised_on", Some(s)) {
                Some(d) => {
                    if let Err(e) = check_raised_on("raised_on", d, today) {
                        v.errors.extend(e.errors);
                    }
                    row.raised_on = Day(d);
                }
                None if s.trim().is_empty() => v.push("raised_on", "is required"),
                None => {}
            }
        }
        if let Some(d) = &patch.deadline {
            row.deadline = opt_date(&mut v, "deadline", d.as_deref()).map(Day);
        }
        if let Err(e) = check_deadline(row.raised_on.0, row.deadline.map(|d| d.0)) {
            v.errors.extend(e.errors);
        }
        if let Some(n) = &patch.closure_note {
            row.closure_note = text(&mut v, "closure_note", n);
        }
        let evidence_ids = match &patch.evidence_ids {
            Some(ids) => self.check_evidence_ids(tx, ctx, &mut v, ids).await?,
            None => before_evidence.clone(),
        };
        if let Some(s) = &patch.status
            && let Some(to) = v.check(FindingStatus::parse("status", s))
        {
            let has_effective = self.has_effective_action(tx, ctx, id).await?;
            let state = FindingState {
                grade: Grade::from_stored(&row.grade).unwrap_or(Grade::Observation),
                status: FindingStatus::from_stored(&before.status).unwrap_or(FindingStatus::Open),
                has_effective_action: has_effective,
                has_closure_note: !row.closure_note.is_empty(),
            };
            if let Some(e) = v.check(check_finding_status(&state, to).map(|()| to)) {
                if e == FindingStatus::Closed && before.status != FindingStatus::Closed.as_str() {
                    row.closed_on = Some(Day(today));
                    row.closed_by = actor.id();
                }
                row.status = e.as_str().to_owned();
            }
        }
        if before.status == FindingStatus::Closed.as_str()
            && patch.status.is_none()
            && (row.grade != before.grade || row.reference != before.reference)
        {
            v.push(
                "status",
                "the finding is closed; its grade and reference no longer change",
            );
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update_finding(tx, &row).await? {
            return Err(AppError::stale("finding"));
        }
        row.version += 1;
        if patch.evidence_ids.is_some() {
            store::set_evidence(tx, ctx.org.id, id, &evidence_ids).await?;
        }
        let action = if row.status != before.status && row.status == FindingStatus::Closed.as_str()
        {
            "close"
        } else {
            "update"
        };
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "finding",
                entity_id: id.to_string(),
                action,
                summary: if action == "close" {
                    format!(
                        "closed finding {} \"{}\"",
                        finding_ref(row.number),
                        row.title
                    )
                } else {
                    format!(
                        "changed finding {} \"{}\"",
                        finding_ref(row.number),
                        row.title
                    )
                },
                before: Some(finding_snapshot(&before, &before_evidence)),
                after: Some(finding_snapshot(&row, &evidence_ids)),
            },
        )
        .await?;
        self.load_finding(tx, ctx, id).await
    }

    /// Whether an action on the finding was verified effective (closed since, or not).
    async fn has_effective_action(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        finding: Uuid,
    ) -> AppResult<bool> {
        let f = ActionFilter {
            finding_id: Some(finding),
            ..Default::default()
        };
        Ok(store::list_actions(c, ctx.org.id, &f, None, 10_000)
            .await?
            .iter()
            .any(|a| a.action.verification.as_deref() == Some(Effectiveness::Effective.as_str())))
    }

    /// Remove a finding that has no corrective actions (a mistake); otherwise 409.
    pub async fn delete_finding(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        require_record(ctx, "remove findings")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_finding(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("finding"))?
            .finding;
        if !store::action_statuses(&mut tx, ctx.org.id, &[id])
            .await?
            .is_empty()
        {
            return Err(AppError::Conflict(format!(
                "finding {} has corrective actions; close it instead of removing it",
                finding_ref(before.number)
            )));
        }
        store::delete_finding(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "finding",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed finding {} \"{}\"",
                    finding_ref(before.number),
                    before.title
                ),
                before: Some(finding_snapshot(&before, &[])),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Move a finding's status after its actions changed (not when it is closed).
    async fn follow_actions(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        finding: Uuid,
    ) -> AppResult<()> {
        let Some(f) = store::get_finding(c, ctx.org.id, finding).await? else {
            return Ok(());
        };
        let current = FindingStatus::from_stored(&f.finding.status).unwrap_or(FindingStatus::Open);
        let statuses: Vec<ActionStatus> = store::action_statuses(c, ctx.org.id, &[finding])
            .await?
            .iter()
            .filter_map(|(_, s)| ActionStatus::from_stored(s))
            .collect();
        let next = finding_status_after_actions(current, &statuses);
        if next != current {
            store::set_finding_status(c, ctx.org.id, finding, next.as_str(), Ts(self.now()))
                .await?;
        }
        Ok(())
    }

    async fn load_action(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<CorrectiveAction> {
        let row = store::get_action(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("corrective action"))?;
        Ok(action_view(row, self.today()))
    }

    /// The corrective-action register, newest first.
    pub async fn list_corrective_actions(
        &self,
        ctx: &OrgCtx,
        q: &ActionQuery,
    ) -> AppResult<Page<CorrectiveAction>> {
        ctx.require(Permission::Read, "see the corrective actions")?;
        let limit = page_limit(q.limit);
        let before = decode_number_cursor(q.cursor.as_deref())?;
        let mut v = ValidationError::new();
        let status = q
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| v.check(ActionStatus::parse("status", s)))
            .map(|s| s.as_str().to_owned());
        v.into_result()?;
        let f = ActionFilter {
            status,
            finding_id: q.finding_id,
            owner_id: q.owner_id,
            overdue_on: q.overdue.then(|| Day(self.today())),
        };
        let mut c = self.db.read().await?;
        let rows = store::list_actions(&mut c, ctx.org.id, &f, before, limit + 1).await?;
        let today = self.today();
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.action.number.to_string(),
            |r| action_view(r, today),
        ))
    }

    pub async fn get_corrective_action(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<CorrectiveAction> {
        ctx.require(Permission::Read, "see the corrective actions")?;
        let mut c = self.db.read().await?;
        self.load_action(&mut c, ctx, id).await
    }

    /// Plan a corrective action on a nonconformity, or a standalone one.
    pub async fn create_corrective_action(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewCorrectiveAction,
    ) -> AppResult<CorrectiveAction> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_corrective_action_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Plan a corrective action inside the caller's transaction; `number` is given by an
    /// import (blank: the next free number).
    pub(crate) async fn create_corrective_action_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewCorrectiveAction,
        number: Option<i64>,
    ) -> AppResult<CorrectiveAction> {
        require_record(ctx, "plan corrective actions")?;
        let row = self.new_action_row(tx, ctx, input, None, number).await?;
        store::insert_action(tx, &row).await?;
        if let Some(f) = row.finding_id {
            self.follow_actions(tx, ctx, f).await?;
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "corrective_action",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "planned corrective action {} \"{}\"",
                    action_ref(row.number),
                    row.title
                ),
                before: None,
                after: Some(action_snapshot(&row)),
            },
        )
        .await?;
        self.load_action(tx, ctx, row.id).await
    }

    /// A corrective action decided by a management review, inside the review's
    /// transaction (the review records the audit-trail entry of the decision; this
    /// records the action's own).
    pub(crate) async fn create_review_action(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        r: ReviewActionInput<'_>,
    ) -> AppResult<ActionRow> {
        let input = NewCorrectiveAction {
            title: r.title.to_owned(),
            owner_id: r.owner_id,
            due_on: r.due_on.map(format_date),
            description: r.title.to_owned(),
            ..Default::default()
        };
        let row = self
            .new_action_row(tx, ctx, &input, Some(r.review_id), None)
            .await?;
        store::insert_action(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "corrective_action",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "planned corrective action {} \"{}\" from a management review",
                    action_ref(row.number),
                    row.title
                ),
                before: None,
                after: Some(action_snapshot(&row)),
            },
        )
        .await?;
        Ok(row)
    }

    async fn new_action_row(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        input: &NewCorrectiveAction,
        review_id: Option<Uuid>,
        number: Option<i64>,
    ) -> AppResult<ActionRow> {
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, MAX_TITLE));
        let correction = text(&mut v, "correction", &input.correction);
        let correction_on = opt_date(&mut v, "correction_on", input.correction_on.as_deref());
        let rca_method = input
            .rca_method
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|m| v.check(RcaMethod::parse("rca_method", m)))
            .map(|m| m.as_str().to_owned());
        let whys = v.check(check_whys(&input.five_whys)).unwrap_or_default();
        let root_cause = text(&mut v, "root_cause", &input.root_cause);
        let description = text(&mut v, "description", &input.description);
        let mut due_on = opt_date(&mut v, "due_on", input.due_on.as_deref());
        let mut raised_on = None;
        if let Some(fid) = input.finding_id {
            match store::get_finding(c, ctx.org.id, fid).await? {
                None => v.push("finding_id", "is not a finding of this organisation"),
                Some(f) => {
                    let grade = Grade::from_stored(&f.finding.grade);
                    if !grade.is_some_and(Grade::is_nonconformity) {
                        v.push(
                            "finding_id",
                            "corrective actions are for nonconformities; close an observation or opportunity for improvement with a note",
                        );
                    }
                    if f.finding.status == FindingStatus::Closed.as_str() {
                        v.push("finding_id", "the finding is closed");
                    }
                    raised_on = Some(f.finding.raised_on.0);
                    if input.due_on.as_deref().is_none_or(|d| d.trim().is_empty()) {
                        due_on = isms_domain::capa::default_due_on(
                            due_on,
                            f.finding.deadline.map(|d| d.0),
                        );
                    }
                }
            }
        }
        if let Err(e) = check_action_dates(raised_on, correction_on, due_on) {
            v.errors.extend(e.errors);
        }
        self.check_member(c, ctx, &mut v, "owner_id", input.owner_id)
            .await?;
        v.into_result()?;
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_action_number(c, ctx.org.id).await?,
        };
        Ok(ActionRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            finding_id: input.finding_id,
            review_id,
            title: title.unwrap_or_default(),
            correction,
            correction_on: correction_on.map(Day),
            rca_method,
            five_whys: serde_json::to_string(&whys).unwrap_or_else(|_| "[]".into()),
            root_cause,
            description,
            owner_id: input.owner_id,
            due_on: due_on.map(Day),
            status: ActionStatus::Planned.as_str().to_owned(),
            implemented_on: None,
            verified_by: None,
            verified_on: None,
            verification: None,
            verification_note: String::new(),
            closed_on: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Change a corrective action; a stale `version` is 409.
    pub async fn update_corrective_action(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &CorrectiveActionPatch,
    ) -> AppResult<CorrectiveAction> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_corrective_action_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a corrective action inside the caller's transaction.
    pub(crate) async fn update_corrective_action_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &CorrectiveActionPatch,
    ) -> AppResult<CorrectiveAction> {
        require_record(ctx, "change corrective actions")?;
        let current = store::get_action(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("corrective action"))?;
        let before = current.action.clone();
        if before.version != patch.version {
            return Err(AppError::stale("corrective action"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        let today = self.today();
        if before.status == ActionStatus::Closed.as_str() {
            return Err(AppError::Conflict(format!(
                "corrective action {} is closed and no longer changes",
                action_ref(before.number)
            )));
        }
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, MAX_TITLE))
        {
            row.title = t;
        }
        if let Some(s) = &patch.correction {
            row.correction = text(&mut v, "correction", s);
        }
        if let Some(d) = &patch.correction_on {
            row.correction_on = opt_date(&mut v, "correction_on", d.as_deref()).map(Day);
        }
        if let Some(m) = &patch.rca_method {
            row.rca_method = m
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .and_then(|m| v.check(RcaMethod::parse("rca_method", m)))
                .map(|m| m.as_str().to_owned());
        }
        if let Some(w) = &patch.five_whys
            && let Some(w) = v.check(check_whys(w))
        {
            row.five_whys = serde_json::to_string(&w).unwrap_or_else(|_| "[]".into());
        }
        if let Some(s) = &patch.root_cause {
            row.root_cause = text(&mut v, "root_cause", s);
        }
        if let Some(s) = &patch.description {
            row.description = text(&mut v, "description", s);
        }
        if let Some(o) = patch.owner_id {
            self.check_member(tx, ctx, &mut v, "owner_id", o).await?;
            row.owner_id = o;
        }
        if let Some(d) = &patch.due_on {
            row.due_on = opt_date(&mut v, "due_on", d.as_deref()).map(Day);
        }
        if let Err(e) = check_action_dates(
            current.finding_raised_on.map(|d| d.0),
            row.correction_on.map(|d| d.0),
            row.due_on.map(|d| d.0),
        ) {
            v.errors.extend(e.errors);
        }
        if let Some(s) = &patch.status
            && let Some(to) = v.check(ActionStatus::parse("status", s))
        {
            let state = ActionState {
                status: ActionStatus::from_stored(&before.status).unwrap_or(ActionStatus::Planned),
                grade: current
                    .finding_grade
                    .as_deref()
                    .and_then(Grade::from_stored),
                has_root_cause: !row.root_cause.is_empty(),
                has_description: !row.description.is_empty(),
            };
            if v.check(check_action_status(&state, to)).is_some() && to.as_str() != before.status {
                match to {
                    ActionStatus::Implemented => row.implemented_on = Some(Day(today)),
                    ActionStatus::Closed => row.closed_on = Some(Day(today)),
                    ActionStatus::Planned | ActionStatus::InProgress => row.implemented_on = None,
                    _ => {}
                }
                row.status = to.as_str().to_owned();
            }
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update_action(tx, &row).await? {
            return Err(AppError::stale("corrective action"));
        }
        if let Some(f) = row.finding_id {
            self.follow_actions(tx, ctx, f).await?;
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "corrective_action",
                entity_id: id.to_string(),
                action: if row.status != before.status {
                    "status"
                } else {
                    "update"
                },
                summary: if row.status != before.status {
                    format!(
                        "corrective action {} is now {}",
                        action_ref(row.number),
                        ActionStatus::from_stored(&row.status)
                            .map(|s| s.label())
                            .unwrap_or_default()
                    )
                } else {
                    format!(
                        "changed corrective action {} \"{}\"",
                        action_ref(row.number),
                        row.title
                    )
                },
                before: Some(action_snapshot(&before)),
                after: Some(action_snapshot(&row)),
            },
        )
        .await?;
        self.load_action(tx, ctx, id).await
    }

    /// Record the verification of an implemented action's effectiveness. The owner
    /// cannot verify their own action (422 naming `verified_by`); ineffective sends the
    /// finding back to open, so a new action is planned.
    pub async fn verify_corrective_action(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Verification,
    ) -> AppResult<CorrectiveAction> {
        let mut tx = self.db.begin().await?;
        let out = self
            .verify_corrective_action_in(&mut tx, actor, ctx, id, input)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a verification inside the caller's transaction.
    pub(crate) async fn verify_corrective_action_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Verification,
    ) -> AppResult<CorrectiveAction> {
        require_record(ctx, "verify corrective actions")?;
        let before = store::get_action(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("corrective action"))?
            .action;
        if before.version != input.version {
            return Err(AppError::stale("corrective action"));
        }
        let mut v = ValidationError::new();
        let result = v.check(Effectiveness::parse("result", &input.result));
        let today = self.today();
        let verified_on = match input
            .verified_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(today),
            s => opt_date(&mut v, "verified_on", s),
        };
        if let Some(d) = verified_on
            && let Err(e) = check_verified_on(d, today)
        {
            v.errors.extend(e.errors);
        }
        let note = text(&mut v, "note", &input.note);
        let verifier = match input.verified_by {
            Some(u) => Some(u),
            None => actor.id(),
        };
        self.check_member(tx, ctx, &mut v, "verified_by", verifier)
            .await?;
        match verifier {
            None => v.push("verified_by", "name who verified the action"),
            Some(u) => {
                let status =
                    ActionStatus::from_stored(&before.status).unwrap_or(ActionStatus::Planned);
                if let Err(e) = check_verification(status, before.owner_id, u) {
                    v.errors.extend(e.errors);
                }
            }
        }
        v.into_result()?;
        let result = result.unwrap_or(Effectiveness::Ineffective);
        let mut row = before.clone();
        row.status = status_after_verification(result).as_str().to_owned();
        row.verified_by = verifier;
        row.verified_on = verified_on.map(Day);
        row.verification = Some(result.as_str().to_owned());
        row.verification_note = note;
        row.updated_at = Ts(self.now());
        if !store::update_action(tx, &row).await? {
            return Err(AppError::stale("corrective action"));
        }
        if let Some(f) = row.finding_id {
            self.follow_actions(tx, ctx, f).await?;
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "corrective_action",
                entity_id: id.to_string(),
                action: "verify",
                summary: format!(
                    "verified corrective action {}: {}",
                    action_ref(row.number),
                    result.label().to_lowercase()
                ),
                before: Some(action_snapshot(&before)),
                after: Some(action_snapshot(&row)),
            },
        )
        .await?;
        self.load_action(tx, ctx, id).await
    }

    /// Remove a corrective action that is still planned (a mistake); otherwise 409.
    pub async fn delete_corrective_action(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        require_record(ctx, "remove corrective actions")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_action(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("corrective action"))?
            .action;
        if before.status != ActionStatus::Planned.as_str() {
            return Err(AppError::Conflict(format!(
                "corrective action {} is under way; only a planned action can be removed",
                action_ref(before.number)
            )));
        }
        store::delete_action(&mut tx, ctx.org.id, id).await?;
        if let Some(f) = before.finding_id {
            self.follow_actions(&mut tx, ctx, f).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "corrective_action",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed corrective action {} \"{}\"",
                    action_ref(before.number),
                    before.title
                ),
                before: Some(action_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The findings register as a table (export).
    pub async fn findings_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the findings")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        loop {
            let page = store::findings_after(&mut c, ctx.org.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.finding.number;
            for f in self.findings_with_evidence(&mut c, ctx, page).await? {
                rows.push(vec![
                    f.finding_ref,
                    f.source,
                    f.grade,
                    f.reference,
                    f.title,
                    f.description,
                    f.evidence,
                    f.evidence_items
                        .iter()
                        .map(|e| e.reference.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                    f.raised_on,
                    f.raised_by_name.unwrap_or_default(),
                    f.status,
                    f.deadline.unwrap_or_default(),
                    if f.overdue { "yes" } else { "no" }.to_owned(),
                    f.closure_note,
                    f.closed_on.unwrap_or_default(),
                ]);
            }
        }
        Ok(Table {
            title: format!("Findings of {}", ctx.org.name),
            headers: [
                "finding",
                "source",
                "grade",
                "reference",
                "title",
                "description",
                "evidence",
                "evidence_items",
                "raised_on",
                "raised_by",
                "status",
                "deadline",
                "overdue",
                "closure_note",
                "closed_on",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// The corrective-action register as a table (export).
    pub async fn corrective_actions_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the corrective actions")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        let today = self.today();
        loop {
            let page = store::actions_after(&mut c, ctx.org.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.action.number;
            for r in page {
                let a = action_view(r, today);
                let mut row = vec![
                    a.action_ref,
                    a.finding_ref.unwrap_or_default(),
                    a.title,
                    a.correction,
                    a.correction_on.unwrap_or_default(),
                    a.rca_method.unwrap_or_default(),
                ];
                for i in 0..MAX_WHYS {
                    let w = a.five_whys.get(i);
                    row.push(w.map(|w| w.why.clone()).unwrap_or_default());
                    row.push(w.map(|w| w.answer.clone()).unwrap_or_default());
                }
                row.extend([
                    a.root_cause,
                    a.description,
                    a.owner_name.unwrap_or_default(),
                    a.due_on.unwrap_or_default(),
                    a.status,
                    if a.overdue { "yes" } else { "no" }.to_owned(),
                    a.verified_by_name.unwrap_or_default(),
                    a.verified_on.unwrap_or_default(),
                    a.verification.unwrap_or_default(),
                    a.verification_note,
                    a.closed_on.unwrap_or_default(),
                ]);
                rows.push(row);
            }
        }
        let mut headers: Vec<String> = [
            "action",
            "finding",
            "title",
            "correction",
            "correction_on",
            "rca_method",
        ]
        .map(str::to_owned)
        .to_vec();
        for i in 1..=MAX_WHYS {
            headers.push(format!("why_{i}"));
            headers.push(format!("answer_{i}"));
        }
        headers.extend(
            [
                "root_cause",
                "description",
                "owner",
                "due_on",
                "status",
                "overdue",
                "verified_by",
                "verified_on",
                "verification",
                "verification_note",
                "closed_on",
            ]
            .map(str::to_owned),
        );
        Ok(Table {
            title: format!("Corrective actions of {}", ctx.org.name),
            headers,
            rows,
        })
    }
}

/// The columns of the findings import. The export calls the finding's own number
/// `finding` (`F-001`) and the clause or control it is raised against `reference`; the
/// import keys rows by the number, so here they are `reference` (read from the `finding`
/// column) and `against` (read from the export's `reference` column). `overdue` is
/// derived and `closed_on` is the day it was closed: both are ignored.
pub const FINDING_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["finding", "finding id", "finding ref"]),
        Column::opt("source"),
        Column::req("grade").aka(&["classification", "type"]),
        Column::req("against").aka(&["reference", "clause", "control", "requirement"]),
        Column::req("title").aka(&["finding title", "summary"]),
        Column::opt("description"),
        Column::opt("evidence").aka(&["objective evidence"]),
        Column::opt("evidence_items").aka(&["evidence references"]),
        Column::opt("raised_on").aka(&["raised", "date raised"]),
        Column::opt("raised_by").aka(&["auditor", "raised by"]),
        Column::opt("status"),
        Column::opt("deadline").aka(&["due", "due date"]),
        Column::opt("closure_note"),
    ]
};

/// `EV-0001, EV-0003` (commas or semicolons) as its items.
fn split_refs(s: &str) -> Vec<&str> {
    s.split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

impl App {
    /// Import the findings register from CSV or XLSX (see `import_rows`). Each row goes
    /// through `create_finding_in` / `update_finding_in`; a new finding whose status is
    /// not `open` is raised and then moved to it (with its closure note), so closing a
    /// nonconformity without a corrective action verified effective is a line error, as
    /// in the API. Not in the file, so not imported: the audit, incident or review a
    /// finding came from and its checklist item; `closed_on` is the day of the closing.
    pub(crate) async fn import_findings(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, new_opt, new_text, patch_text};
        use isms_domain::import::RowAction;
        require_record(ctx, "import findings")?;
        let sheet = Sheet::read(bytes, FINDING_COLUMNS, progress)?;
        let mut current = self.findings_table(ctx).await?;
        for h in &mut current.headers {
            *h = match h.as_str() {
                "finding" => "reference".to_owned(),
                "reference" => "against".to_owned(),
                other => other.to_owned(),
            };
        }
        let plan = sheet.plan("F", FINDING_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let mut known: HashMap<i64, Finding> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::findings_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.finding.number;
            for f in self.findings_with_evidence(&mut tx, ctx, page).await? {
                known.insert(f.number, f);
            }
        }
        let mut evidence: HashMap<i64, Uuid> = HashMap::new();
        let mut after = 0;
        loop {
            let page = isms_db::evidence::all_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.evidence.number;
            evidence.extend(page.into_iter().map(|e| (e.evidence.number, e.evidence.id)));
        }
        let members = self.members_index(&mut tx, ctx).await?;
        let evidence_ids = |c: &mut isms_domain::import::Cells<'_>| -> Vec<Uuid> {
            let mut ids = Vec::new();
            for r in split_refs(c.get("evidence_items")) {
                match isms_domain::evidence::parse_evidence_ref(r).and_then(|n| evidence.get(&n)) {
                    Some(id) => ids.push(*id),
                    None => c.bad(
                        "evidence_items",
                        format!("there is no evidence {r} in this organisation"),
                    ),
                }
            }
            ids
        };
        let mut out = Outcome::new("findings", &sheet, plan.len(), dry_run);
        progress.start("importing findings", plan.len() as u64);
        for (mut c, action) in plan {
            progress.advance(1);
            if let RowAction::Unchanged(_) = action {
                out.unchanged();
                continue;
            }
            let reference = finding_ref(action.number());
            let raised_by = c
                .opt("raised_by")
                .map(|_| members.resolve(&mut c, "raised_by"));
            let items = c.opt("evidence_items").map(|_| evidence_ids(&mut c));
            let cur = match action {
                RowAction::Update(n) => match known.get(&n) {
                    Some(f) => Some(f),
                    None => return Err(AppError::Internal(format!("{reference} vanished"))),
                },
                _ => None,
            };
            // Blank keeps who raised it; another member is refused.
            if let (Some(cur), Some(Some(who))) = (cur, raised_by)
                && c.errors.is_empty()
                && Some(who) != cur.raised_by
            {
                c.bad(
                    "raised_by",
                    "who raised a finding does not change; raise a new finding",
                );
            }
            if out.cells(&mut c) {
                continue;
            }
            let r = match cur {
                None => {
                    let input = NewFinding {
                        source: new_opt(&c, "source"),
                        source_id: None,
                        checklist_item_id: None,
                        grade: new_text(&c, "grade"),
                        reference: new_text(&c, "against"),
                        title: new_text(&c, "title"),
                        description: new_text(&c, "description"),
                        evidence: new_text(&c, "evidence"),
                        evidence_ids: items.unwrap_or_default(),
                        raised_on: new_opt(&c, "raised_on"),
                        raised_by: raised_by.flatten(),
                        deadline: new_opt(&c, "deadline"),
                    };
                    match self
                        .create_finding_in(&mut tx, actor, ctx, &input, Some(action.number()))
                        .await
                    {
                        Ok(f) => {
                            let status = new_opt(&c, "status").filter(|s| *s != f.status);
                            let note = new_opt(&c, "closure_note");
                            if status.is_some() || note.is_some() {
                                let patch = FindingPatch {
                                    status,
                                    closure_note: note,
                                    version: f.version,
                                    ..FindingPatch::default()
                                };
                                self.update_finding_in(&mut tx, actor, ctx, f.id, &patch)
                                    .await
                            } else {
                                Ok(f)
                            }
                        }
                        Err(e) => Err(e),
                    }
                }
                Some(cur) => {
                    let patch = FindingPatch {
                        source: patch_text(&c, "source"),
                        grade: patch_text(&c, "grade"),
                        reference: patch_text(&c, "against"),
                        title: patch_text(&c, "title"),
                        description: patch_text(&c, "description"),
                        evidence: patch_text(&c, "evidence"),
                        evidence_ids: items,
                        raised_on: patch_text(&c, "raised_on"),
                        deadline: c
                            .opt("deadline")
                            .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned)),
                        status: patch_text(&c, "status"),
                        closure_note: patch_text(&c, "closure_note"),
                        version: cur.version,
                    };
                    self.update_finding_in(&mut tx, actor, ctx, cur.id, &patch)
                        .await
                }
            };
            out.row(c.line, action, reference, r)?;
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}

/// The columns of the corrective-action import. The export calls an action's own number
/// `action` (`CA-001`): here it is `reference`, read from that column. `overdue` is
/// derived and `closed_on` is the day it was closed: both are ignored.
pub const ACTION_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["action", "action id", "ca", "corrective action"]),
        Column::opt("finding").aka(&["nonconformity", "finding ref", "nc"]),
        Column::req("title").aka(&["action title", "summary"]),
        Column::opt("correction").aka(&["immediate correction"]),
        Column::opt("correction_on").aka(&["corrected on"]),
        Column::opt("rca_method").aka(&["root cause method", "rca"]),
        Column::opt("why_1"),
        Column::opt("answer_1"),
        Column::opt("why_2"),
        Column::opt("answer_2"),
        Column::opt("why_3"),
        Column::opt("answer_3"),
        Column::opt("why_4"),
        Column::opt("answer_4"),
        Column::opt("why_5"),
        Column::opt("answer_5"),
        Column::opt("root_cause").aka(&["root cause"]),
        Column::opt("description").aka(&["action description", "corrective action description"]),
        Column::opt("owner").aka(&["action owner", "responsible"]),
        Column::opt("due_on").aka(&["due", "due date", "target date"]),
        Column::opt("status"),
        Column::opt("verified_by").aka(&["verifier"]),
        Column::opt("verified_on").aka(&["verification date"]),
        Column::opt("verification").aka(&["effectiveness", "result"]),
        Column::opt("verification_note").aka(&["verification notes"]),
    ]
};

/// The why/answer columns of a row, as the create and update take them; `None` when the
/// file has none of them (the analysis is kept).
fn whys_of(c: &isms_domain::import::Cells<'_>) -> Option<Vec<Why>> {
    let names: Vec<(String, String)> = (1..=MAX_WHYS)
        .map(|i| (format!("why_{i}"), format!("answer_{i}")))
        .collect();
    if names
        .iter()
        .all(|(w, a)| c.opt(w).is_none() && c.opt(a).is_none())
    {
        return None;
    }
    Some(
        names
            .iter()
            .map(|(w, a)| Why {
                why: c.get(w).to_owned(),
                answer: c.get(a).to_owned(),
            })
            .collect(),
    )
}

/// The verification a row gives (its `verification`, `verified_on`, `verified_by` and
/// `verification_note` cells).
struct RowVerification {
    result: Option<Effectiveness>,
    on: Option<String>,
    by: Option<Uuid>,
    note: String,
    any: bool,
}

impl App {
    /// Import the corrective-action register from CSV or XLSX (see `import_rows`). Each
    /// row goes through `create_corrective_action_in` / `update_corrective_action_in`,
    /// then through the steps a person would take to reach the row's status
    /// ([`isms_domain::capa::status_path`]): implemented, then a verification recorded
    /// with the row's verification cells (`verify_corrective_action_in`, so an owner
    /// verifying their own action is a line error), then closed. A recorded verification
    /// does not change. Not in the file, so not imported: the management review an
    /// action came from and the day it was implemented.
    pub(crate) async fn import_corrective_actions(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, as_columns, new_opt, new_text, patch_text};
        use isms_domain::capa::{ActionStep, status_path};
        use isms_domain::import::RowAction;
        require_record(ctx, "import corrective actions")?;
        let sheet = Sheet::read(bytes, ACTION_COLUMNS, progress)?;
        let mut current = self.corrective_actions_table(ctx).await?;
        for h in &mut current.headers {
            if h == "action" {
                *h = "reference".to_owned();
            }
        }
        let plan = sheet.plan("CA", ACTION_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let today = self.today();
        let mut known: HashMap<i64, CorrectiveAction> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::actions_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.action.number;
            for r in page {
                let a = action_view(r, today);
                known.insert(a.number, a);
            }
        }
        let mut findings: HashMap<i64, Uuid> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::findings_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.finding.number;
            findings.extend(page.into_iter().map(|f| (f.finding.number, f.finding.id)));
        }
        let members = self.members_index(&mut tx, ctx).await?;
        // The service's field names as the file's columns.
        let names: Vec<(String, String)> = [
            ("finding_id", "finding"),
            ("owner_id", "owner"),
            ("result", "verification"),
            ("note", "verification_note"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .chain((0..MAX_WHYS).map(|i| (format!("five_whys[{i}]"), format!("why_{}", i + 1))))
        .collect();
        let names: Vec<(&str, &str)> = names
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let mut out = Outcome::new("corrective-actions", &sheet, plan.len(), dry_run);
        progress.start("importing corrective actions", plan.len() as u64);
        for (mut c, action) in plan {
            progress.advance(1);
            if let RowAction::Unchanged(_) = action {
                out.unchanged();
                continue;
            }
            let reference = action_ref(action.number());
            let cur = match action {
                RowAction::Update(n) => match known.get(&n) {
                    Some(a) => Some(a),
                    None => return Err(AppError::Internal(format!("{reference} vanished"))),
                },
                _ => None,
            };
            // The cells read here: the finding, the people, the status and verification.
            let finding = match c.opt("finding").filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => match parse_ref_number("F", s).and_then(|n| findings.get(&n)) {
                    Some(id) => Some(*id),
                    None => {
                        c.bad(
                            "finding",
                            format!("there is no finding {s} in this organisation"),
                        );
                        None
                    }
                },
            };
            if let Some(a) = cur
                && c.opt("finding").is_some()
                && finding != a.finding_id
                && c.errors.is_empty()
            {
                c.bad(
                    "finding",
                    "the finding an action corrects does not change; add a new action",
                );
            }
            let owner = c.opt("owner").map(|_| members.resolve(&mut c, "owner"));
            let target = match c.opt("status").filter(|s| !s.is_empty()) {
                Some(s) => {
                    let r = ActionStatus::parse("status", s);
                    c.check("status", r)
                }
                None => None,
            };
            let verification = RowVerification {
                result: match c.opt("verification").filter(|s| !s.is_empty()) {
                    Some(s) => {
                        let r = Effectiveness::parse("verification", s);
                        c.check("verification", r)
                    }
                    None => None,
                },
                on: new_opt(&c, "verified_on"),
                by: c
                    .opt("verified_by")
                    .and_then(|_| members.resolve(&mut c, "verified_by")),
                note: new_text(&c, "verification_note"),
                any: [
                    "verification",
                    "verified_on",
                    "verified_by",
                    "verification_note",
                ]
                .iter()
                .any(|n| !c.get(n).is_empty()),
            };
            let result = match isms_domain::capa::verification_for(target, verification.result) {
                Ok(r) => r,
                Err(m) => {
                    c.bad("verification", m);
                    None
                }
            };
            let verified_now = cur.is_some_and(|a| a.verification.is_some());
            let to_be_verified = matches!(
                target,
                Some(
                    ActionStatus::VerifiedEffective
                        | ActionStatus::VerifiedIneffective
                        | ActionStatus::Closed
                )
            );
            if verification.any && !to_be_verified && !verified_now {
                c.bad(
                    "verification",
                    "only a verified action has a verification: set the status to verified_effective, verified_ineffective or closed, or leave the verification cells blank",
                );
            }
            if let Some(a) = cur
                && verified_now
                && verification.any
                && (result.map(|r| r.as_str().to_owned()) != a.verification
                    || verification.on != a.verified_on
                    || (c.opt("verified_by").is_some() && verification.by != a.verified_by)
                    || verification.note != a.verification_note)
            {
                c.bad(
                    "verification",
                    "a verification is recorded once and does not change; add a new corrective action if the result was wrong",
                );
            }
            if out.cells(&mut c) {
                continue;
            }
            // The record as the row's fields make it, then the steps to its status.
            let from = cur
                .and_then(|a| ActionStatus::from_stored(&a.status))
                .unwrap_or(ActionStatus::Planned);
            let mut steps = target.map(|t| status_path(from, t)).unwrap_or_default();
            let r = match cur {
                None => {
                    let input = NewCorrectiveAction {
                        finding_id: finding,
                        title: new_text(&c, "title"),
                        correction: new_text(&c, "correction"),
                        correction_on: new_opt(&c, "correction_on"),
                        rca_method: new_opt(&c, "rca_method"),
                        five_whys: whys_of(&c).unwrap_or_default(),
                        root_cause: new_text(&c, "root_cause"),
                        description: new_text(&c, "description"),
                        owner_id: owner.flatten(),
                        due_on: new_opt(&c, "due_on"),
                    };
                    self.create_corrective_action_in(
                        &mut tx,
                        actor,
                        ctx,
                        &input,
                        Some(action.number()),
                    )
                    .await
                }
                Some(a) => {
                    // A single edit of the status goes with the other changes.
                    let status = match steps.as_slice() {
                        [ActionStep::Set(s)] => {
                            let s = s.as_str().to_owned();
                            steps.clear();
                            Some(s)
                        }
                        _ => None,
                    };
                    let dated = |name: &str| {
                        c.opt(name)
                            .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned))
                    };
                    let patch = CorrectiveActionPatch {
                        title: patch_text(&c, "title"),
                        correction: patch_text(&c, "correction"),
                        correction_on: dated("correction_on"),
                        rca_method: dated("rca_method"),
                        five_whys: whys_of(&c),
                        root_cause: patch_text(&c, "root_cause"),
                        description: patch_text(&c, "description"),
                        owner_id: owner,
                        due_on: dated("due_on"),
                        status,
                        version: a.version,
                    };
                    self.update_corrective_action_in(&mut tx, actor, ctx, a.id, &patch)
                        .await
                }
            };
            let mut r = as_columns(r, &names);
            for step in steps {
                let Ok(a) = r else { break };
                let done = match step {
                    ActionStep::Set(s) => {
                        let patch = CorrectiveActionPatch {
                            status: Some(s.as_str().to_owned()),
                            version: a.version,
                            ..CorrectiveActionPatch::default()
                        };
                        self.update_corrective_action_in(&mut tx, actor, ctx, a.id, &patch)
                            .await
                    }
                    ActionStep::Verify => {
                        let Some(result) = result else {
                            r = Err(ValidationError::single(
                                "verification",
                                "give the result of the verification of effectiveness (effective or ineffective): a closed action was verified first",
                            )
                            .into());
                            break;
                        };
                        let input = Verification {
                            result: result.as_str().to_owned(),
                            verified_on: verification.on.clone(),
                            verified_by: verification.by,
                            note: verification.note.clone(),
                            version: a.version,
                        };
                        self.verify_corrective_action_in(&mut tx, actor, ctx, a.id, &input)
                            .await
                    }
                };
                r = as_columns(done, &names);
            }
            out.row(c.line, action, reference, r)?;
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}

/// The number of a reference like `F-003` (or a bare `3`).
fn parse_ref_number(prefix: &str, s: &str) -> Option<i64> {
    isms_domain::import::parse_reference(prefix, s).ok()
}
