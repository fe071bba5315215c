//! Management reviews (9.3): scheduled, held, approved. The inputs 9.3.2 asks for are
//! compiled from the registers when the review is created and frozen; only an explicit
//! refresh while the review is planned changes them. Actions decided at a review become
//! roadmap tasks or corrective actions the moment they are added, linked back. An
//! approved review is locked: every change is 409.

use crate::findings::ReviewActionInput;
use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_number_cursor, page_limit, record,
};
use isms_db::findings as fstore;
use isms_db::reviews::{self as store, ActionLinkRow, ActionLinkView, ReviewRow, ReviewWithNames};
use isms_db::tasks::{self as tstore, TaskRow};
use isms_db::{AsConn, Day, Ts};
use isms_domain::ValidationError;
use isms_domain::capa::{
    ActionStatus, FindingStatus, Grade, Source, action_ref, finding_ref, is_overdue,
};
use isms_domain::evidence::risk_ref;
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::review::{
    ActionFact, ActionKind, FindingFact, PreviousAction, RegisterEntry, ReviewData, ReviewInputs,
    ReviewStatus, RiskFact, check_held, compile_inputs, parse_section_key, review_ref,
};
use isms_domain::time::{format_date, parse_date};
use isms_export::{Report, Section, Table};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// A member who attended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attendee {
    pub id: Uuid,
    pub name: String,
}

/// An action decided at a review and what it became.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewAction {
    pub id: Uuid,
    pub position: i64,
    pub description: String,
    /// `task` or `corrective_action`.
    pub kind: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    /// The roadmap task it became.
    pub task_id: Option<Uuid>,
    /// The corrective action it became.
    pub corrective_action_id: Option<Uuid>,
    /// `CA-004` or `task`.
    pub reference: String,
    /// Where what it became stands now (`open`, `done`, `in_progress`, `verified_effective`…).
    pub status: String,
}

/// A management review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagementReview {
    pub id: Uuid,
    /// `MR-001`.
    pub review_ref: String,
    pub number: i64,
    pub title: String,
    pub planned_on: String,
    pub held_on: Option<String>,
    /// `planned`, `held` or `approved` (locked).
    pub status: String,
    pub status_label: String,
    pub locked: bool,
    pub chair_id: Option<Uuid>,
    pub chair_name: Option<String>,
    pub attendees: Vec<Attendee>,
    /// People who are not members (guests, the external auditor as observer).
    pub other_attendees: Vec<String>,
    /// The inputs of 9.3.2 as compiled on `inputs_as_of`, frozen.
    pub inputs: ReviewInputs,
    pub inputs_as_of: String,
    /// Discussion per input section (`a`, `b`, `c`, `d1`…`g`).
    pub notes: BTreeMap<String, String>,
    pub decisions: String,
    pub actions: Vec<ReviewAction>,
    pub approved_by: Option<Uuid>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A review in a list (without its inputs).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewSummary {
    pub id: Uuid,
    pub review_ref: String,
    pub title: String,
    pub planned_on: String,
    pub held_on: Option<String>,
    pub status: String,
    pub chair_name: Option<String>,
    pub version: i64,
}

/// A new review: its inputs are compiled now.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// Default `Management review YYYY`.
    pub title: Option<String>,
    /// YYYY-MM-DD.
    pub planned_on: String,
    pub chair_id: Option<Uuid>,
    #[serde(default)]
    pub attendee_ids: Vec<Uuid>,
    #[serde(default)]
    pub other_attendees: Vec<String>,
}

/// Changes to a review; omitted fields keep their value. `status` `held` needs
/// `held_on`; approval is `POST …/approve`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPatch {
    pub title: Option<String>,
    pub planned_on: Option<String>,
    pub held_on: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub chair_id: Option<Option<Uuid>>,
    pub attendee_ids: Option<Vec<Uuid>>,
    pub other_attendees: Option<Vec<String>>,
    /// Discussion per section key; an empty text removes it.
    pub notes: Option<BTreeMap<String, String>>,
    pub decisions: Option<String>,
    /// `planned` or `held`.
    pub status: Option<String>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// The version that a refresh or an approval applies to.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewVersion {
    pub version: i64,
}

/// An action decided at a review.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReviewAction {
    pub description: String,
    /// `task` (default: a roadmap task) or `corrective_action`.
    pub kind: Option<String>,
    pub owner_id: Option<Uuid>,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
}

fn opt_date(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn action_view(a: ActionLinkView) -> ReviewAction {
    let reference = match a.ca_number {
        Some(n) => action_ref(n),
        None => "task".to_owned(),
    };
    let status = a
        .ca_status
        .clone()
        .or_else(|| a.task_status.clone())
        .unwrap_or_else(|| "removed".to_owned());
    ReviewAction {
        id: a.action.id,
        position: a.action.position,
        description: a.action.description,
        kind: a.action.kind,
        owner_id: a.action.owner_id,
        owner_name: a.owner_name,
        due_on: a.action.due_on.map(|d| format_date(d.0)),
        task_id: a.action.task_id,
        corrective_action_id: a.action.corrective_action_id,
        reference,
        status,
    }
}

fn snapshot(r: &ReviewRow) -> serde_json::Value {
    serde_json::json!({
        "number": r.number, "title": r.title, "planned_on": format_date(r.planned_on.0),
        "held_on": r.held_on.map(|d| format_date(d.0)), "status": r.status,
        "chair_id": r.chair_id, "attendee_ids": r.attendee_ids,
        "other_attendees": r.other_attendees, "inputs_as_of": format_date(r.inputs_as_of.0),
        "notes": r.notes, "decisions": r.decisions, "approved_by": r.approved_by,
    })
}

fn names(v: &mut ValidationError, list: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, n) in list.iter().enumerate() {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        if n.chars().count() > 200 {
            v.push(
                format!("other_attendees[{i}]"),
                "must be at most 200 characters",
            );
        }
        out.push(n.to_owned());
    }
    out
}

impl App {
    /// Gather what the inputs are compiled from (a handful of queries, none per item).
    async fn review_data(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        number: i64,
    ) -> AppResult<ReviewData> {
        let today = self.today();
        let mut d = ReviewData::default();
        for a in store::actions_before(c, ctx.org.id, number).await? {
            let done = match (&a.ca_status, &a.task_status) {
                (Some(s), _) => matches!(
                    ActionStatus::from_stored(s),
                    Some(ActionStatus::VerifiedEffective | ActionStatus::Closed)
                ),
                (None, Some(t)) => t == "done",
                (None, None) => false,
            };
            let late = !done && a.action.due_on.is_some_and(|d| d.0 < today);
            let v = action_view(a.clone());
            d.previous_actions.push(PreviousAction {
                review: review_ref(a.review_number),
                description: v.description,
                reference: v.reference,
                done,
                late,
            });
        }
        for e in store::register_facts(c, ctx.org.id).await? {
            let (prefix, list) = match e.register.as_str() {
                "issue" => ("I", &mut d.issues),
                "interested_party" => ("P", &mut d.parties),
                _ => ("O", &mut d.objectives),
            };
            list.push(RegisterEntry {
                reference: format!("{prefix}-{:03}", e.number),
                title: e.title,
                kind: e.kind,
                created_on: e.created_at.0.date(),
                updated_on: e.updated_at.0.date(),
            });
        }
        let mut after = 0;
        loop {
            let page = fstore::findings_after(c, ctx.org.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.finding.number;
            for f in page {
                let f = f.finding;
                if let (Some(grade), Some(source), Some(status)) = (
                    Grade::from_stored(&f.grade),
                    Source::from_stored(&f.source),
                    FindingStatus::from_stored(&f.status),
                ) {
                    d.findings.push(FindingFact {
                        reference: finding_ref(f.number),
                        title: f.title,
                        grade,
                        source,
                        status,
                        raised_on: f.raised_on.0,
                    });
                }
            }
        }
        let mut after = 0;
        loop {
            let page = fstore::actions_after(c, ctx.org.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.action.number;
            for a in page {
                let a = a.action;
                let status = ActionStatus::from_stored(&a.status).unwrap_or(ActionStatus::Planned);
                d.actions.push(ActionFact {
                    reference: action_ref(a.number),
                    title: a.title,
                    status,
                    overdue: is_overdue(status, a.due_on.map(|d| d.0), today),
                });
            }
        }
        // 9.3.2 d) 2): where every measured objective and checked control stands.
        for m in self.measurement_overview(ctx).await? {
            let latest = match (m.latest_value, &m.latest_result) {
                (Some(v), _) => Some(format!("{v} {}", m.target_unit).trim_end().to_owned()),
                (None, Some(r)) => Some(r.clone()),
                (None, None) => None,
            };
            d.measurements.push(isms_domain::review::MeasureFact {
                reference: m.label,
                title: m.title,
                status: m.status,
                latest,
                latest_on: m
                    .latest_on
                    .as_deref()
                    .and_then(isms_domain::time::parse_date),
                overdue: m.overdue,
            });
        }
        // 9.3.2 d) 3): the internal audits and their checklist results.
        for r in isms_db::internal_audits::result_counts(c, ctx.org.id).await? {
            let reference =
                isms_domain::internal_audit::audit_ref(i32::try_from(r.year).unwrap_or(0), r.seq);
            if d.audits.last().is_none_or(|a| a.reference != reference) {
                d.audits.push(isms_domain::review::AuditResultFact {
                    reference: reference.clone(),
                    title: r.title.clone(),
                    status: r.status.clone(),
                    completed_on: (r.status == "completed")
                        .then_some(r.actual_end.map(|d| d.0))
                        .flatten(),
                    ..Default::default()
                });
            }
            if let Some(a) = d.audits.last_mut() {
                let n = usize::try_from(r.n).unwrap_or(0);
                match r.result.as_deref() {
                    Some("conforming") => a.conforming += n,
                    Some("nonconforming") => a.nonconforming += n,
                    Some("observation") => a.observations += n,
                    Some("opportunity_for_improvement") => a.improvements += n,
                    Some("not_audited") => a.not_audited += n,
                    _ => a.open += n,
                }
            }
        }
        for r in store::risk_facts(c, ctx.org.id).await? {
            d.risks.push(RiskFact {
                reference: risk_ref(r.number),
                title: r.title,
                status: r.status,
                created_on: r.created_at.0.date(),
                updated_on: r.updated_at.0.date(),
            });
        }
        Ok(d)
    }

    async fn compile(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        number: i64,
    ) -> AppResult<ReviewInputs> {
        let data = self.review_data(c, ctx, number).await?;
        let since = store::last_held_before(c, ctx.org.id, number).await?;
        Ok(compile_inputs(&data, self.today(), since.map(|d| d.0)))
    }

    async fn review_view(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        r: ReviewWithNames,
    ) -> AppResult<ManagementReview> {
        let ids: Vec<Uuid> = serde_json::from_str(&r.review.attendee_ids).unwrap_or_default();
        let attendees = store::member_names(c, ctx.org.id, &ids)
            .await?
            .into_iter()
            .map(|(id, name)| Attendee { id, name })
            .collect();
        let actions = store::actions_of(c, ctx.org.id, r.review.id)
            .await?
            .into_iter()
            .map(action_view)
            .collect();
        let x = r.review;
        let status = ReviewStatus::from_stored(&x.status).unwrap_or(ReviewStatus::Planned);
        let inputs: ReviewInputs = serde_json::from_str(&x.inputs)
            .map_err(|e| AppError::Internal(format!("review inputs unreadable: {e}")))?;
        Ok(ManagementReview {
            id: x.id,
            review_ref: review_ref(x.number),
            number: x.number,
            title: x.title,
            planned_on: format_date(x.planned_on.0),
            held_on: x.held_on.map(|d| format_date(d.0)),
            status_label: status.label().to_owned(),
            locked: status == ReviewStatus::Approved,
            status: x.status,
            chair_id: x.chair_id,
            chair_name: r.chair_name,
            attendees,
            other_attendees: serde_json::from_str(&x.other_attendees).unwrap_or_default(),
            inputs,
            inputs_as_of: format_date(x.inputs_as_of.0),
            notes: serde_json::from_str(&x.notes).unwrap_or_default(),
            decisions: x.decisions,
            actions,
            approved_by: x.approved_by,
            approved_by_name: r.approved_by_name,
            approved_at: x.approved_at.map(|t| t.0.rfc3339()),
            created_at: x.created_at.0.rfc3339(),
            updated_at: x.updated_at.0.rfc3339(),
            version: x.version,
        })
    }

    async fn load_review(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<ManagementReview> {
        let r = store::get(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("management review"))?;
        self.review_view(c, ctx, r).await
    }

    /// Reviews, newest first.
    pub async fn list_reviews(
        &self,
        ctx: &OrgCtx,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<ReviewSummary>> {
        ctx.require(Permission::Read, "see the management reviews")?;
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                ReviewStatus::from_stored(s)
                    .ok_or_else(|| {
                        ValidationError::single("status", "must be planned, held or approved")
                    })?
                    .as_str(),
            ),
        };
        let limit = page_limit(limit);
        let before = decode_number_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, ctx.org.id, status, before, limit + 1).await?;
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.review.number.to_string(),
            |r| ReviewSummary {
                id: r.review.id,
                review_ref: review_ref(r.review.number),
                title: r.review.title,
                planned_on: format_date(r.review.planned_on.0),
                held_on: r.review.held_on.map(|d| format_date(d.0)),
                status: r.review.status,
                chair_name: r.chair_name,
                version: r.review.version,
            },
        ))
    }

    pub async fn get_review(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<ManagementReview> {
        ctx.require(Permission::Read, "see the management reviews")?;
        let mut c = self.db.read().await?;
        self.load_review(&mut c, ctx, id).await
    }

    /// Schedule a review; its inputs are compiled now, as of today, and frozen.
    pub async fn create_review(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewReview,
    ) -> AppResult<ManagementReview> {
        ctx.require(Permission::Write, "schedule management reviews")?;
        let mut v = ValidationError::new();
        let planned_on = opt_date(&mut v, "planned_on", Some(&input.planned_on));
        if input.planned_on.trim().is_empty() {
            v.push("planned_on", "is required");
        }
        let today = self.today();
        let title = match input
            .title
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(format!(
                "Management review {}",
                planned_on.unwrap_or(today).year()
            )),
            Some(t) => v.check(parse_name("title", t, 200)),
        };
        let others = names(&mut v, &input.other_attendees);
        let mut tx = self.db.begin().await?;
        self.check_member(&mut tx, ctx, &mut v, "chair_id", input.chair_id)
            .await?;
        for (i, a) in input.attendee_ids.iter().enumerate() {
            self.check_member(
                &mut tx,
                ctx,
                &mut v,
                &format!("attendee_ids[{i}]"),
                Some(*a),
            )
            .await?;
        }
        v.into_result()?;
        let number = store::next_number(&mut tx, ctx.org.id).await?;
        let inputs = self.compile(&mut tx, ctx, number).await?;
        let now = Ts(self.now());
        let mut ids = input.attendee_ids.clone();
        ids.sort();
        ids.dedup();
        let row = ReviewRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            title: title.unwrap_or_default(),
            planned_on: Day(planned_on.unwrap_or(today)),
            held_on: None,
            status: ReviewStatus::Planned.as_str().to_owned(),
            chair_id: input.chair_id,
            attendee_ids: serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()),
            other_attendees: serde_json::to_string(&others).unwrap_or_else(|_| "[]".into()),
            inputs: serde_json::to_string(&inputs)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            inputs_as_of: Day(today),
            notes: "{}".to_owned(),
            decisions: String::new(),
            approved_by: None,
            approved_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "scheduled management review {} \"{}\" for {}; inputs compiled as of {}",
                    review_ref(number),
                    row.title,
                    format_date(row.planned_on.0),
                    format_date(today)
                ),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        let out = self.load_review(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn editable(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
        version: i64,
    ) -> AppResult<ReviewRow> {
        let r = store::get(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("management review"))?
            .review;
        if r.status == ReviewStatus::Approved.as_str() {
            return Err(AppError::Conflict(format!(
                "management review {} is approved and locked; it no longer changes",
                review_ref(r.number)
            )));
        }
        if r.version != version {
            return Err(AppError::stale("management review"));
        }
        Ok(r)
    }

    /// Change a review (not once approved: 409).
    pub async fn update_review(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &ReviewPatch,
    ) -> AppResult<ManagementReview> {
        ctx.require(Permission::Write, "change management reviews")?;
        let mut tx = self.db.begin().await?;
        let before = self.editable(&mut tx, ctx, id, patch.version).await?;
        let mut row = before.clone();
        let mut v = ValidationError::new();
        let today = self.today();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, 200))
        {
            row.title = t;
        }
        if let Some(s) = &patch.planned_on {
            match opt_date(&mut v, "planned_on", Some(s)) {
                Some(d) => row.planned_on = Day(d),
                None if s.trim().is_empty() => v.push("planned_on", "is required"),
                None => {}
            }
        }
        if let Some(s) = &patch.held_on {
            row.held_on = opt_date(&mut v, "held_on", Some(s)).map(Day);
        }
        if let Some(c) = patch.chair_id {
            self.check_member(&mut tx, ctx, &mut v, "chair_id", c)
                .await?;
            row.chair_id = c;
        }
        if let Some(ids) = &patch.attendee_ids {
            for (i, a) in ids.iter().enumerate() {
                self.check_member(
                    &mut tx,
                    ctx,
                    &mut v,
                    &format!("attendee_ids[{i}]"),
                    Some(*a),
                )
                .await?;
            }
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            row.attendee_ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        }
        if let Some(o) = &patch.other_attendees {
            let o = names(&mut v, o);
            row.other_attendees = serde_json::to_string(&o).unwrap_or_else(|_| "[]".into());
        }
        if let Some(n) = &patch.notes {
            let mut notes: BTreeMap<String, String> =
                serde_json::from_str(&row.notes).unwrap_or_default();
            for (k, text) in n {
                if let Some(key) = v.check(parse_section_key(&format!("notes.{k}"), k)) {
                    let t = text.trim();
                    if t.chars().count() > 8000 {
                        v.push(format!("notes.{k}"), "must be at most 8000 characters");
                    } else if t.is_empty() {
                        notes.remove(key);
                    } else {
                        notes.insert(key.to_owned(), t.to_owned());
                    }
                }
            }
            row.notes = serde_json::to_string(&notes).unwrap_or_else(|_| "{}".into());
        }
        if let Some(d) = &patch.decisions {
            let d = d.trim();
            if d.chars().count() > 8000 {
                v.push("decisions", "must be at most 8000 characters");
            }
            row.decisions = d.to_owned();
        }
        if let Some(s) = &patch.status {
            match s.trim() {
                "planned" => {
                    row.status = ReviewStatus::Planned.as_str().to_owned();
                }
                "held" => {
                    if let Some(d) = v.check(check_held(row.held_on.map(|d| d.0), today)) {
                        row.held_on = Some(Day(d));
                        row.status = ReviewStatus::Held.as_str().to_owned();
                    }
                }
                "approved" => v.push(
                    "status",
                    "approval is its own step: use approve (it needs the approver role)",
                ),
                _ => v.push("status", "must be planned or held"),
            }
        }
        if row.status == ReviewStatus::Held.as_str()
            && let Some(h) = row.held_on
            && h.0 > today
        {
            v.push(
                "held_on",
                "cannot be in the future for a review that was held",
            );
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update(&mut tx, &row).await? {
            return Err(AppError::stale("management review"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: id.to_string(),
                action: if row.status != before.status {
                    "status"
                } else {
                    "update"
                },
                summary: if row.status != before.status {
                    format!(
                        "management review {} is now {}",
                        review_ref(row.number),
                        row.status
                    )
                } else {
                    format!("changed management review {}", review_ref(row.number))
                },
                before: Some(snapshot(&before)),
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        let out = self.load_review(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Compile the inputs again as of today: only while the review is planned.
    pub async fn refresh_review_inputs(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        version: i64,
    ) -> AppResult<ManagementReview> {
        ctx.require(Permission::Write, "refresh a management review's inputs")?;
        let mut tx = self.db.begin().await?;
        let before = self.editable(&mut tx, ctx, id, version).await?;
        if before.status != ReviewStatus::Planned.as_str() {
            return Err(AppError::Conflict(format!(
                "management review {} has been held; its inputs stay as they were on {}",
                review_ref(before.number),
                format_date(before.inputs_as_of.0)
            )));
        }
        let inputs = self.compile(&mut tx, ctx, before.number).await?;
        let mut row = before.clone();
        row.inputs =
            serde_json::to_string(&inputs).map_err(|e| AppError::Internal(e.to_string()))?;
        row.inputs_as_of = Day(self.today());
        row.updated_at = Ts(self.now());
        if !store::update(&mut tx, &row).await? {
            return Err(AppError::stale("management review"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: id.to_string(),
                action: "refresh_inputs",
                summary: format!(
                    "compiled the inputs of management review {} again as of {} (they were as of {})",
                    review_ref(row.number),
                    format_date(row.inputs_as_of.0),
                    format_date(before.inputs_as_of.0)
                ),
                before: Some(serde_json::json!({"inputs_as_of": format_date(before.inputs_as_of.0), "inputs": before.inputs})),
                after: Some(serde_json::json!({"inputs_as_of": format_date(row.inputs_as_of.0), "inputs": row.inputs})),
            },
        )
        .await?;
        let out = self.load_review(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Approve a held review (needs Approve); from then on it is locked.
    pub async fn approve_review(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        version: i64,
    ) -> AppResult<ManagementReview> {
        ctx.require(Permission::Approve, "approve management reviews")?;
        let mut tx = self.db.begin().await?;
        let before = self.editable(&mut tx, ctx, id, version).await?;
        if before.status != ReviewStatus::Held.as_str() {
            return Err(ValidationError::single(
                "status",
                "only a review that was held can be approved; mark it held with the day it took place first",
            )
            .into());
        }
        let mut row = before.clone();
        row.status = ReviewStatus::Approved.as_str().to_owned();
        row.approved_by = actor.id();
        row.approved_at = Some(Ts(self.now()));
        row.updated_at = Ts(self.now());
        if !store::update(&mut tx, &row).await? {
            return Err(AppError::stale("management review"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: id.to_string(),
                action: "approve",
                summary: format!(
                    "approved management review {}; the record is locked",
                    review_ref(row.number)
                ),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        let out = self.load_review(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add an action decided at the review: it becomes a roadmap task or a corrective
    /// action at once, linked back. Not once the review is approved (409).
    pub async fn add_review_action(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &NewReviewAction,
    ) -> AppResult<ManagementReview> {
        ctx.require(Permission::Write, "record management review actions")?;
        let mut tx = self.db.begin().await?;
        let review = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("management review"))?
            .review;
        if review.status == ReviewStatus::Approved.as_str() {
            return Err(AppError::Conflict(format!(
                "management review {} is approved and locked; it no longer changes",
                review_ref(review.number)
            )));
        }
        let mut v = ValidationError::new();
        let description = v.check(parse_name("description", &input.description, 200));
        let kind = v.check(ActionKind::parse(
            "kind",
            input.kind.as_deref().unwrap_or(""),
        ));
        let due_on = opt_date(&mut v, "due_on", input.due_on.as_deref());
        self.check_member(&mut tx, ctx, &mut v, "owner_id", input.owner_id)
            .await?;
        v.into_result()?;
        let description = description.unwrap_or_default();
        let kind = kind.unwrap_or(ActionKind::Task);
        let now = Ts(self.now());
        let (task_id, ca_id) = match kind {
            ActionKind::Task => {
                let owner = match input.owner_id {
                    Some(o) => store::member_names(&mut tx, ctx.org.id, &[o])
                        .await?
                        .pop()
                        .map(|(_, n)| n)
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let t = TaskRow {
                    id: Uuid::now_v7(),
                    org_id: ctx.org.id,
                    number: isms_db::tasks::next_task_number(&mut tx, ctx.org.id).await?,
                    title: description.clone(),
                    description: format!(
                        "Decided at management review {}.",
                        review_ref(review.number)
                    ),
                    item_key: None,
                    source_assessment_id: None,
                    risk_id: None,
                    owner,
                    start_on: None,
                    due_on: due_on.map(Day),
                    status: "open".to_owned(),
                    priority: "medium".to_owned(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                tstore::insert_task(&mut tx, &t).await?;
                record(
                    self,
                    &mut tx,
                    actor,
                    Change {
                        org_id: Some(ctx.org.id),
                        entity: "task",
                        entity_id: t.id.to_string(),
                        action: "create",
                        summary: format!(
                            "added task \"{}\" decided at management review {}",
                            t.title,
                            review_ref(review.number)
                        ),
                        before: None,
                        after: Some(serde_json::json!({"title": t.title, "owner": t.owner,
                            "due_on": t.due_on.map(|d| format_date(d.0)), "status": t.status})),
                    },
                )
                .await?;
                (Some(t.id), None)
            }
            ActionKind::CorrectiveAction => {
                let ca = self
                    .create_review_action(
                        &mut tx,
                        actor,
                        ctx,
                        ReviewActionInput {
                            review_id: id,
                            title: &description,
                            owner_id: input.owner_id,
                            due_on,
                        },
                    )
                    .await?;
                (None, Some(ca.id))
            }
        };
        let position = store::next_position(&mut tx, ctx.org.id, id).await?;
        let a = ActionLinkRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            review_id: id,
            position,
            description: description.clone(),
            kind: kind.as_str().to_owned(),
            owner_id: input.owner_id,
            due_on: due_on.map(Day),
            task_id,
            corrective_action_id: ca_id,
            created_at: now,
        };
        store::insert_action(&mut tx, &a).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: id.to_string(),
                action: "add_action",
                summary: format!(
                    "management review {} decided \"{}\" ({})",
                    review_ref(review.number),
                    description,
                    if kind == ActionKind::Task {
                        "a roadmap task"
                    } else {
                        "a corrective action"
                    }
                ),
                before: None,
                after: Some(
                    serde_json::json!({"position": position, "description": description,
                    "kind": kind.as_str(), "task_id": task_id, "corrective_action_id": ca_id}),
                ),
            },
        )
        .await?;
        let out = self.load_review(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Remove a planned review that has no actions yet (a mistake).
    pub async fn delete_review(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove management reviews")?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("management review"))?
            .review;
        if before.status != ReviewStatus::Planned.as_str()
            || !store::actions_of(&mut tx, ctx.org.id, id).await?.is_empty()
        {
            return Err(AppError::Conflict(format!(
                "management review {} has been held or has actions; it is part of the record and stays",
                review_ref(before.number)
            )));
        }
        store::delete(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "management_review",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed planned management review {}",
                    review_ref(before.number)
                ),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The minutes as a file: `pdf` or `md`.
    pub async fn review_minutes_file(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        format: Option<&str>,
    ) -> AppResult<crate::exports::ExportFile> {
        let fmt = match format.map(str::trim).unwrap_or("pdf") {
            "pdf" | "" => isms_export::TableFormat::Pdf,
            "md" | "markdown" => isms_export::TableFormat::Markdown,
            other => {
                return Err(ValidationError::single(
                    "format",
                    format!("\"{other}\" is not a minutes format; choose pdf or md"),
                )
                .into());
            }
        };
        let r = self.get_review(ctx, id).await?;
        let report = minutes_report(&ctx.org.name, &r);
        let bytes = crate::exports::report_bytes(report, fmt).await?;
        Ok(crate::exports::ExportFile {
            bytes,
            content_type: fmt.content_type(),
            file_name: format!(
                "{}-{}-minutes.{}",
                ctx.org.slug,
                r.review_ref.to_lowercase(),
                fmt.extension()
            ),
        })
    }

    /// The reviews as a table (export).
    pub async fn reviews_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the management reviews")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        loop {
            let page = store::all_after(&mut c, ctx.org.id, after, 200).await?;
            let Some(last) = page.last() else { break };
            after = last.review.number;
            for r in page {
                let v = self.review_view(&mut c, ctx, r).await?;
                rows.push(vec![
                    v.review_ref,
                    v.title,
                    v.planned_on,
                    v.held_on.unwrap_or_default(),
                    v.status,
                    v.chair_name.unwrap_or_default(),
                    v.attendees
                        .iter()
                        .map(|a| a.name.clone())
                        .chain(v.other_attendees.iter().cloned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    v.inputs_as_of,
                    v.decisions,
                    v.actions
                        .iter()
                        .map(|a| format!("{} ({}, {})", a.description, a.reference, a.status))
                        .collect::<Vec<_>>()
                        .join("; "),
                    v.approved_by_name.unwrap_or_default(),
                    v.approved_at.unwrap_or_default(),
                ]);
            }
        }
        Ok(Table {
            title: format!("Management reviews of {}", ctx.org.name),
            headers: [
                "review",
                "title",
                "planned_on",
                "held_on",
                "status",
                "chair",
                "attendees",
                "inputs_as_of",
                "decisions",
                "actions",
                "approved_by",
                "approved_at",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}

/// The minutes: who, when, the inputs as compiled, the discussion, decisions and actions.
pub fn minutes_report(org: &str, r: &ManagementReview) -> Report {
    let mut meta = vec![
        ("Organisation".to_owned(), org.to_owned()),
        ("Review".to_owned(), r.review_ref.clone()),
        ("Planned for".to_owned(), r.planned_on.clone()),
        (
            "Held on".to_owned(),
            r.held_on
                .clone()
                .unwrap_or_else(|| "not yet held".to_owned()),
        ),
        ("Status".to_owned(), r.status_label.clone()),
        (
            "Chair".to_owned(),
            r.chair_name
                .clone()
                .unwrap_or_else(|| "not named".to_owned()),
        ),
        ("Inputs compiled as of".to_owned(), r.inputs_as_of.clone()),
    ];
    if let (Some(by), Some(at)) = (&r.approved_by_name, &r.approved_at) {
        meta.push(("Approved".to_owned(), format!("{by}, {at}")));
    }
    let attendees: Vec<String> = r
        .attendees
        .iter()
        .map(|a| a.name.clone())
        .chain(r.other_attendees.iter().cloned())
        .collect();
    let mut sections = vec![Section {
        heading: "Attendees".to_owned(),
        paragraphs: if attendees.is_empty() {
            vec!["No attendees recorded.".to_owned()]
        } else {
            Vec::new()
        },
        bullets: attendees,
        ..Default::default()
    }];
    for s in r.inputs.sections() {
        let mut paragraphs = s.summary.clone();
        if let Some(n) = r.notes.get(&s.key) {
            paragraphs.push(format!("Discussion: {n}"));
        }
        sections.push(Section {
            heading: format!("{} {}", s.clause, s.title),
            paragraphs,
            bullets: s
                .items
                .iter()
                .map(|i| format!("{} {} ({})", i.reference, i.title, i.status))
                .collect(),
            ..Default::default()
        });
    }
    sections.push(Section {
        heading: "Decisions (9.3.3)".to_owned(),
        paragraphs: vec![if r.decisions.is_empty() {
            "No decisions recorded.".to_owned()
        } else {
            r.decisions.clone()
        }],
        ..Default::default()
    });
    sections.push(Section {
        heading: "Actions".to_owned(),
        paragraphs: if r.actions.is_empty() {
            vec!["No actions decided.".to_owned()]
        } else {
            Vec::new()
        },
        table: (!r.actions.is_empty()).then(|| Table {
            title: "Actions".to_owned(),
            headers: ["#", "action", "became", "owner", "due", "status"]
                .map(str::to_owned)
                .to_vec(),
            rows: r
                .actions
                .iter()
                .map(|a| {
                    vec![
                        a.position.to_string(),
                        a.description.clone(),
                        a.reference.clone(),
                        a.owner_name.clone().unwrap_or_default(),
                        a.due_on.clone().unwrap_or_default(),
                        a.status.replace('_', " "),
                    ]
                })
                .collect(),
        }),
        ..Default::default()
    });
    Report {
        title: format!("Minutes of management review {}: {}", r.review_ref, r.title),
        meta,
        sections,
        landscape: false,
        title_page: false,
    }
}
