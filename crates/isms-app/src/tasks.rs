//! The remediation roadmap: tasks generated from gap-assessment results or added by hand.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_cursor, encode_cursor, page_limit, record,
};
use isms_db::tasks::{self as store, TaskRow};
use isms_db::{Day, Ts};
use isms_domain::ValidationError;
use isms_domain::gap::{ItemRef, Priority};
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::task::{TaskStatus, check_dates, is_late, proposed_due};
use isms_domain::time::{format_date, parse_date};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A roadmap task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: Uuid,
    /// `T-001`.
    pub reference: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    /// The clause requirement or control it closes a gap on (`clause:6.1.2`, `control:5.15`).
    pub item_key: Option<String>,
    /// `Clause 6.1.2` / `A.5.15`.
    pub item_label: Option<String>,
    pub source_assessment_id: Option<Uuid>,
    /// The risk whose treatment plan this task belongs to.
    pub risk_id: Option<Uuid>,
    pub owner: String,
    pub start_on: Option<String>,
    pub due_on: Option<String>,
    /// `open`, `in_progress` or `done`.
    pub status: String,
    /// `high`, `medium` or `low`.
    pub priority: String,
    /// Not done and past its due date.
    pub late: bool,
    pub created_at: String,
    pub version: i64,
}

/// A new task.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `clause:6.1.2` or `control:5.15` (optional).
    pub item_key: Option<String>,
    #[serde(default)]
    pub owner: String,
    /// YYYY-MM-DD.
    pub start_on: Option<String>,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
    /// `high`, `medium` (default) or `low`.
    pub priority: Option<String>,
    /// A risk of this organisation: the task is part of its treatment plan.
    pub risk_id: Option<Uuid>,
}

/// Changes to a task. Omitted fields keep their value; `null` clears a date.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub start_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

fn parse_priority(field: &str, s: &str) -> Result<&'static str, ValidationError> {
    match s.trim() {
        "high" => Ok("high"),
        "medium" | "" => Ok("medium"),
        "low" => Ok("low"),
        _ => Err(ValidationError::single(
            field,
            "must be high, medium or low",
        )),
    }
}

fn parse_day(field: &str, s: Option<&str>) -> Result<Option<time::Date>, ValidationError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_date(s)
            .map(Some)
            .ok_or_else(|| ValidationError::single(field, "must be a date written YYYY-MM-DD")),
    }
}

fn snapshot(t: &TaskRow) -> serde_json::Value {
    serde_json::json!({
        "title": t.title, "owner": t.owner, "status": t.status, "priority": t.priority,
        "start_on": t.start_on.map(|d| format_date(d.0)), "due_on": t.due_on.map(|d| format_date(d.0)),
    })
}

impl App {
    fn to_task(&self, r: TaskRow) -> Task {
        let status = TaskStatus::parse("status", &r.status).unwrap_or(TaskStatus::Open);
        Task {
            late: is_late(status, r.due_on.map(|d| d.0), self.today()),
            item_label: r
                .item_key
                .as_deref()
                .and_then(|k| ItemRef::parse("item_key", k).ok())
                .map(|i| i.label()),
            id: r.id,
            reference: task_ref(r.number),
            number: r.number,
            title: r.title,
            description: r.description,
            item_key: r.item_key,
            source_assessment_id: r.source_assessment_id,
            risk_id: r.risk_id,
            owner: r.owner,
            start_on: r.start_on.map(|d| format_date(d.0)),
            due_on: r.due_on.map(|d| format_date(d.0)),
            status: r.status,
            priority: r.priority,
            created_at: r.created_at.0.rfc3339(),
            version: r.version,
        }
    }

    /// Tasks in the order they were added; `status` filters.
    pub async fn list_tasks(
        &self,
        ctx: &OrgCtx,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Task>> {
        ctx.require(Permission::Read, "see the roadmap")?;
        let status = status
            .filter(|s| !s.is_empty())
            .map(|s| TaskStatus::parse("status", s))
            .transpose()?;
        let limit = page_limit(limit);
        let bad = || ValidationError::single("cursor", "is not a cursor this server issued");
        let after = match decode_cursor(cursor)? {
            None => None,
            Some(s) => {
                let (t, id) = s.split_once('/').ok_or_else(bad)?;
                Some((
                    Ts(isms_domain::time::Timestamp(t.parse().map_err(|_| bad())?)),
                    Uuid::parse_str(id).map_err(|_| bad())?,
                ))
            }
        };
        let mut c = self.db.read().await?;
        let mut rows = store::list_tasks(
            &mut c,
            ctx.org.id,
            status.map(TaskStatus::as_str),
            after,
            limit + 1,
        )
        .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| encode_cursor(&format!("{}/{}", r.created_at.0.millis(), r.id)))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(|r| self.to_task(r)).collect(),
            next_cursor,
        })
    }

    /// The treatment plan of a risk: its tasks by due date.
    pub async fn tasks_for_risk(&self, ctx: &OrgCtx, risk_id: Uuid) -> AppResult<Vec<Task>> {
        ctx.require(Permission::Read, "see the roadmap")?;
        let mut c = self.db.read().await?;
        Ok(store::tasks_for_risk(&mut c, ctx.org.id, risk_id)
            .await?
            .into_iter()
            .map(|r| self.to_task(r))
            .collect())
    }

    pub async fn get_task(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Task> {
        ctx.require(Permission::Read, "see the roadmap")?;
        let mut c = self.db.read().await?;
        let r = store::task(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("task"))?;
        Ok(self.to_task(r))
    }

    pub async fn create_task(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewTask,
    ) -> AppResult<Task> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_task_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a task inside the caller's transaction.
    pub(crate) async fn create_task_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewTask,
        number: Option<i64>,
    ) -> AppResult<Task> {
        ctx.require(Permission::Write, "add tasks")?;
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, 300));
        let item_key = match input.item_key.as_deref().filter(|k| !k.trim().is_empty()) {
            None => None,
            Some(k) => v.check(ItemRef::parse("item_key", k)).map(|i| i.key()),
        };
        let start = v
            .check(parse_day("start_on", input.start_on.as_deref()))
            .flatten();
        let due = v
            .check(parse_day("due_on", input.due_on.as_deref()))
            .flatten();
        v.check(check_dates(start, due));
        let priority = v.check(parse_priority(
            "priority",
            input.priority.as_deref().unwrap_or("medium"),
        ));
        if input.owner.chars().count() > 200 {
            v.push("owner", "must be at most 200 characters");
        }
        if input.description.chars().count() > 8000 {
            v.push("description", "must be at most 8,000 characters");
        }
        v.into_result()?;
        let risk_id = match input.risk_id {
            Some(r) => Some(
                isms_db::risks::risk(tx, ctx.org.id, r)
                    .await?
                    .ok_or_else(|| {
                        ValidationError::single("risk_id", "is not a risk of this organisation")
                    })?
                    .risk
                    .id,
            ),
            None => None,
        };
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_task_number(tx, ctx.org.id).await?,
        };
        let row = TaskRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            title: title.unwrap_or_default(),
            description: input.description.trim().to_owned(),
            item_key,
            source_assessment_id: None,
            risk_id,
            owner: input.owner.trim().to_owned(),
            start_on: start.map(Day),
            due_on: due.map(Day),
            status: TaskStatus::Open.as_str().into(),
            priority: priority.unwrap_or("medium").into(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_task(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "task",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("added task \"{}\"", row.title),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        Ok(self.to_task(row))
    }

    pub async fn update_task(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &TaskPatch,
    ) -> AppResult<Task> {
        let mut tx = self.db.begin().await?;
        let out = self.update_task_in(&mut tx, actor, ctx, id, patch).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a task inside the caller's transaction.
    pub(crate) async fn update_task_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &TaskPatch,
    ) -> AppResult<Task> {
        ctx.require(Permission::Write, "change tasks")?;
        let before = store::task(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("task"))?;
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, 300))
        {
            row.title = t;
        }
        if let Some(d) = &patch.description {
            row.description = d.trim().to_owned();
        }
        if let Some(o) = &patch.owner {
            if o.chars().count() > 200 {
                v.push("owner", "must be at most 200 characters");
            }
            row.owner = o.trim().to_owned();
        }
        if let Some(s) = &patch.start_on {
            row.start_on = v
                .check(parse_day("start_on", s.as_deref()))
                .flatten()
                .map(Day);
        }
        if let Some(d) = &patch.due_on {
            row.due_on = v
                .check(parse_day("due_on", d.as_deref()))
                .flatten()
                .map(Day);
        }
        if let Some(s) = &patch.status
            && let Some(s) = v.check(TaskStatus::parse("status", s))
        {
            row.status = s.as_str().into();
        }
        if let Some(p) = &patch.priority
            && let Some(p) = v.check(parse_priority("priority", p))
        {
            row.priority = p.into();
        }
        v.check(check_dates(
            row.start_on.map(|d| d.0),
            row.due_on.map(|d| d.0),
        ));
        v.into_result()?;
        row.version = patch.version;
        row.updated_at = Ts(self.now());
        let after = store::update_task(tx, &row)
            .await?
            .ok_or_else(|| AppError::stale("task"))?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "task",
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed task \"{}\"{}",
                    after.title,
                    if after.status != before.status {
                        format!(" (now {})", after.status.replace('_', " "))
                    } else {
                        String::new()
                    }
                ),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        Ok(self.to_task(after))
    }

    pub async fn delete_task(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove tasks")?;
        let mut tx = self.db.begin().await?;
        let before = store::task(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("task"))?;
        store::delete_task(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "task",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed task \"{}\"", before.title),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One task per open gap of an assessment that has none yet: title from the item,
    /// owner from the answer, due date from the priority. Returns how many were added.
    pub async fn generate_tasks(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        assessment_id: Uuid,
    ) -> AppResult<usize> {
        ctx.require(Permission::Write, "add tasks")?;
        let results = self.gap_results(ctx, assessment_id).await?;
        let mut tx = self.db.begin().await?;
        let existing = store::keys_from_assessment(&mut tx, ctx.org.id, assessment_id).await?;
        let today = self.today();
        let now = Ts(self.now());
        let mut added = 0;
        let mut number = store::next_task_number(&mut tx, ctx.org.id).await?;
        for g in results.gaps.iter().filter(|g| !existing.contains(&g.key)) {
            let priority = match g.priority.as_str() {
                "High" => Priority::High,
                "Medium" => Priority::Medium,
                _ => Priority::Low,
            };
            let row = TaskRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                number,
                title: format!(
                    "Raise {} {} from {} to {}",
                    g.label, g.title, g.current, g.target
                ),
                description: format!(
                    "Gap found by the assessment \"{}\" ({} area).",
                    results.assessment.title, g.area_label
                ),
                item_key: Some(g.key.clone()),
                source_assessment_id: Some(assessment_id),
                risk_id: None,
                owner: g.owner.clone(),
                start_on: Some(Day(today)),
                due_on: Some(Day(proposed_due(priority, today))),
                status: TaskStatus::Open.as_str().into(),
                priority: g.priority.to_lowercase(),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert_task(&mut tx, &row).await?;
            number += 1;
            added += 1;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "task",
                entity_id: assessment_id.to_string(),
                action: "generate",
                summary: format!(
                    "added {added} roadmap tasks from the gaps of \"{}\"",
                    results.assessment.title
                ),
                before: None,
                after: Some(serde_json::json!({"added": added})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }
}

/// `T-001`: how a task is numbered for people (the export's and the import's reference).
pub fn task_ref(number: i64) -> String {
    format!("T-{number:03}")
}

/// The columns of the roadmap import, as the roadmap export writes them (`late` is
/// derived and ignored).
pub const TASK_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "task id"]),
        Column::req("title").aka(&["task", "name"]),
        Column::opt("item").aka(&["item key", "requirement", "control"]),
        Column::opt("owner").aka(&["assignee", "responsible"]),
        Column::opt("start_on").aka(&["start", "start date"]),
        Column::opt("due_on").aka(&["due", "due date", "deadline"]),
        Column::opt("status"),
        Column::opt("priority"),
        Column::opt("description").aka(&["details"]),
    ]
};

impl App {
    /// Import the roadmap from CSV or XLSX (see `import_rows`). Each row goes through
    /// `create_task_in` / `update_task_in`; a new task with a status other than `open`
    /// is added and then moved to it, as on the task's page. A task's item is set when
    /// it is added and cannot be changed by an import (nor by the API); the risk a task
    /// belongs to and the gap assessment it came from are not in the file.
    pub(crate) async fn import_tasks(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, as_columns, new_opt, new_text, patch_text};
        use isms_domain::import::RowAction;
        ctx.require(Permission::Write, "import tasks")?;
        let sheet = Sheet::read(bytes, TASK_COLUMNS, progress)?;
        let current = self.tasks_table(ctx).await?;
        let plan = sheet.plan("T", TASK_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let mut known: HashMap<i64, (Uuid, i64, Option<String>)> = HashMap::new();
        let mut after = None;
        loop {
            let page = store::list_tasks(&mut tx, ctx.org.id, None, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some((last.created_at, last.id));
            known.extend(
                page.into_iter()
                    .map(|t| (t.number, (t.id, t.version, t.item_key))),
            );
        }
        let mut out = Outcome::new("tasks", &sheet, plan.len(), dry_run);
        progress.start("importing tasks", plan.len() as u64);
        for (c, action) in &plan {
            let reference = task_ref(action.number());
            match *action {
                RowAction::Create(n) => {
                    let input = NewTask {
                        title: new_text(c, "title"),
                        description: new_text(c, "description"),
                        item_key: new_opt(c, "item"),
                        owner: new_text(c, "owner"),
                        start_on: new_opt(c, "start_on"),
                        due_on: new_opt(c, "due_on"),
                        priority: new_opt(c, "priority"),
                        risk_id: None,
                    };
                    // The file's column is `item`; the create names it `item_key`.
                    let created = as_columns(
                        self.create_task_in(&mut tx, actor, ctx, &input, Some(n))
                            .await,
                        &[("item_key", "item")],
                    );
                    let r = match created {
                        Ok(t) => match new_opt(c, "status") {
                            Some(s) if s != t.status => {
                                let patch = TaskPatch {
                                    status: Some(s),
                                    version: t.version,
                                    ..TaskPatch::default()
                                };
                                self.update_task_in(&mut tx, actor, ctx, t.id, &patch).await
                            }
                            _ => Ok(t),
                        },
                        Err(e) => Err(e),
                    };
                    out.row(c.line, *action, reference, r)?;
                }
                RowAction::Update(n) => {
                    let Some((id, version, item_key)) = known.get(&n).cloned() else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    let item = match c.opt("item").filter(|s| !s.is_empty()) {
                        None if c.opt("item").is_none() => Ok(item_key.clone()),
                        None => Ok(None),
                        Some(k) => ItemRef::parse("item", k).map(|i| Some(i.key())),
                    };
                    let r = match item {
                        Err(e) => Err(e.into()),
                        Ok(k) if k != item_key => Err(ValidationError::single(
                            "item",
                            "a task's item is set when it is added: add a new task for another item",
                        )
                        .into()),
                        Ok(_) => {
                            let dated = |name: &str| {
                                c.opt(name)
                                    .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned))
                            };
                            let patch = TaskPatch {
                                title: patch_text(c, "title"),
                                description: patch_text(c, "description"),
                                owner: patch_text(c, "owner"),
                                start_on: dated("start_on"),
                                due_on: dated("due_on"),
                                status: patch_text(c, "status"),
                                priority: patch_text(c, "priority"),
                                version,
                            };
                            self.update_task_in(&mut tx, actor, ctx, id, &patch).await
                        }
                    };
                    out.row(c.line, *action, reference, r)?;
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
            progress.advance(1);
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}

/// What in the organisation refers to one clause requirement or control.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Linked {
    /// The newest gap assessment's answer for it.
    pub gap_assessment_id: Option<Uuid>,
    pub gap_assessment_title: Option<String>,
    pub gap_item: Option<crate::gap::Item>,
    /// Roadmap tasks about it.
    pub tasks: Vec<Task>,
    /// Risks it treats (controls only): (id, `R-007`, title).
    pub risks: Vec<LinkedRisk>,
}

/// A risk that a control treats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedRisk {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
}

impl App {
    /// Everything linked to `key` (`clause:6.1.2`, `control:5.15`) in the organisation.
    pub async fn linked_to_item(&self, ctx: &OrgCtx, key: &str) -> AppResult<Linked> {
        ctx.require(Permission::Read, "see the organisation's records")?;
        let iref = ItemRef::parse("item", key)?;
        let newest = self
            .list_gap_assessments(ctx, None, Some(1))
            .await?
            .items
            .into_iter()
            .next();
        let gap_item = match &newest {
            Some(a) => {
                let mut c = self.db.read().await?;
                let row = isms_db::gap::item(&mut c, ctx.org.id, a.id, &iref.key()).await?;
                drop(c);
                row.map(crate::gap::to_item).transpose()?
            }
            None => None,
        };
        let mut c = self.db.read().await?;
        let tasks = store::tasks_for_item(&mut c, ctx.org.id, &iref.key())
            .await?
            .into_iter()
            .map(|r| self.to_task(r))
            .collect();
        let risks = match &iref {
            ItemRef::Control(id) => isms_db::risks::risks_for_control(&mut c, ctx.org.id, id)
                .await?
                .into_iter()
                .map(|(id, number, title)| LinkedRisk {
                    id,
                    reference: format!("R-{number:03}"),
                    title,
                })
                .collect(),
            ItemRef::Clause(_) => Vec::new(),
        };
        Ok(Linked {
            gap_assessment_id: newest.as_ref().map(|a| a.id),
            gap_assessment_title: newest.map(|a| a.title),
            gap_item,
            tasks,
            risks,
        })
    }
}
