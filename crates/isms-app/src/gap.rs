//! Gap assessments: a questionnaire over every clause requirement and Annex A control,
//! answered item by item, and the results an auditor-minded reader needs.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_cursor, encode_cursor, page_limit, record,
};
use isms_db::Ts;
use isms_db::gap::{self as store, AssessmentRow, AssessmentWithProgress, ItemRow};
use isms_domain::ValidationError;
use isms_domain::catalogue::catalogue;
use isms_domain::gap::{
    Answer, Area, ItemRef, Maturity, Priority, check_answer, gap_size, priority,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const STATUS_IN_PROGRESS: &str = "in_progress";
pub const STATUS_COMPLETED: &str = "completed";

/// A gap assessment with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub title: String,
    /// What the assessment covered and who took part.
    pub scope_note: String,
    /// `in_progress` or `completed`.
    pub status: String,
    pub answered: i64,
    pub total: i64,
    /// Whole per cent of items answered.
    pub progress_percent: i64,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub version: i64,
}

impl From<AssessmentWithProgress> for Assessment {
    fn from(r: AssessmentWithProgress) -> Self {
        Self {
            id: r.a.id,
            title: r.a.title,
            scope_note: r.a.scope_note,
            status: r.a.status,
            progress_percent: if r.total > 0 {
                r.answered * 100 / r.total
            } else {
                0
            },
            answered: r.answered,
            total: r.total,
            created_at: r.a.created_at.0.rfc3339(),
            completed_at: r.a.completed_at.map(|t| t.0.rfc3339()),
            version: r.a.version,
        }
    }
}

/// One question of the assessment and its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Item {
    /// `clause:6.1.2` or `control:5.15`.
    pub key: String,
    /// `clause` or `control`.
    pub kind: String,
    /// `Clause 6.1.2` or `A.5.15`.
    pub label: String,
    pub title: String,
    /// What the requirement or control asks for, in our words.
    pub summary: String,
    pub area: String,
    pub area_label: String,
    /// 0–5, absent until answered.
    pub current: Option<u8>,
    pub target: Option<u8>,
    pub applicable: bool,
    pub not_applicable_reason: Option<String>,
    pub notes: String,
    /// Links or references to evidence.
    pub evidence: Vec<String>,
    /// Who owns closing the gap.
    pub owner: String,
    pub answered: bool,
    pub answered_at: Option<String>,
    /// target − current (0 when met or unanswered).
    pub gap: u8,
    /// `high`, `medium` or `low` when there is a gap.
    pub priority: Option<String>,
    pub version: i64,
}

fn item_ref(key: &str) -> AppResult<ItemRef> {
    ItemRef::parse("item", key)
        .map_err(|_| AppError::Internal(format!("unknown item {key} in the database")))
}

pub(crate) fn to_item(r: ItemRow) -> AppResult<Item> {
    let iref = item_ref(&r.item_key)?;
    let cat = catalogue();
    let (kind, title, summary) = match &iref {
        ItemRef::Clause(id) => {
            let c = cat.clause(id).ok_or(AppError::NotFound("clause"))?;
            ("clause", c.title.clone(), c.summary.clone())
        }
        ItemRef::Control(id) => {
            let c = cat.control(id).ok_or(AppError::NotFound("control"))?;
            ("control", c.title.clone(), c.summary.clone())
        }
    };
    let current = r
        .current_level
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Maturity::new);
    let target = r
        .target_level
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Maturity::new);
    let gap = if r.applicable {
        gap_size(current, target)
    } else {
        0
    };
    let area = Area::parse(&r.area);
    Ok(Item {
        key: r.item_key.clone(),
        kind: kind.into(),
        label: iref.label(),
        title,
        summary,
        area: r.area.clone(),
        area_label: area.map(Area::label).unwrap_or_default().to_owned(),
        current: current.map(Maturity::value),
        target: target.map(Maturity::value),
        applicable: r.applicable,
        not_applicable_reason: r.na_reason,
        notes: r.notes,
        evidence: serde_json::from_str(&r.evidence).unwrap_or_default(),
        owner: r.owner,
        answered: r.answered_at.is_some(),
        answered_at: r.answered_at.map(|t| t.0.rfc3339()),
        gap,
        priority: priority(&iref, gap).map(|(_, p)| format!("{p:?}").to_lowercase()),
        version: r.version,
    })
}

/// A new assessment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    pub title: String,
    #[serde(default)]
    pub scope_note: String,
    /// Start from the answers of an earlier assessment (their maturity, targets, notes).
    pub copy_from: Option<Uuid>,
}

/// Changes to an assessment; `status: "completed"` needs every item answered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPatch {
    pub title: Option<String>,
    pub scope_note: Option<String>,
    pub status: Option<String>,
    pub version: i64,
}

/// An answer to one item. Omitted fields keep their value; `current: null` clears it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemAnswer {
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub current: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub target: Option<Option<i64>>,
    pub applicable: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub not_applicable_reason: Option<Option<String>>,
    pub notes: Option<String>,
    pub evidence: Option<Vec<String>>,
    pub owner: Option<String>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Results per area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaResult {
    pub area: String,
    pub label: String,
    pub items: i64,
    pub answered: i64,
    /// Mean current maturity of the answered, applicable items (one decimal).
    pub average_current: f64,
    pub average_target: f64,
    /// Sum of the gaps.
    pub total_gap: i64,
}

/// One open gap, with its priority.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapEntry {
    pub key: String,
    pub label: String,
    pub title: String,
    pub area_label: String,
    pub current: u8,
    pub target: u8,
    pub gap: u8,
    pub score: u32,
    pub priority: String,
    pub owner: String,
}

/// What the assessment says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    pub assessment: Assessment,
    pub areas: Vec<AreaResult>,
    /// Open gaps, most urgent first.
    pub gaps: Vec<GapEntry>,
    /// Mandatory documented information that is missing or not yet followed (below 3).
    pub documentation_gaps: Vec<GapEntry>,
    /// Applicable controls at level 0.
    pub missing_controls: Vec<GapEntry>,
    /// Applicable controls at level 1 or 2.
    pub weak_controls: Vec<GapEntry>,
    pub not_applicable: i64,
    pub unanswered: i64,
}

impl Results {
    /// The maturity-per-area chart (SVG): current as bars, target as markers.
    pub fn area_chart(&self) -> String {
        isms_export::charts::maturity_bars(
            &self
                .areas
                .iter()
                .map(|a| (a.label.clone(), a.average_current, a.average_target))
                .collect::<Vec<_>>(),
        )
    }
}

/// Change between two assessments, per area and per item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub base: Assessment,
    pub other: Assessment,
    pub areas: Vec<AreaDelta>,
    /// Items whose current level changed, biggest change first.
    pub changed: Vec<ItemDelta>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaDelta {
    pub label: String,
    pub base_average: f64,
    pub other_average: f64,
    pub change: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemDelta {
    pub key: String,
    pub label: String,
    pub title: String,
    pub base_current: Option<u8>,
    pub other_current: Option<u8>,
    pub change: i64,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn entry(i: &Item) -> AppResult<GapEntry> {
    let iref = item_ref(&i.key)?;
    let (score, p) = priority(&iref, i.gap).unwrap_or((0, Priority::Low));
    Ok(GapEntry {
        key: i.key.clone(),
        label: i.label.clone(),
        title: i.title.clone(),
        area_label: i.area_label.clone(),
        current: i.current.unwrap_or(0),
        target: i.target.unwrap_or(0),
        gap: i.gap,
        score,
        priority: p.label().to_owned(),
        owner: i.owner.clone(),
    })
}

impl App {
    async fn load_assessment(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<AssessmentWithProgress> {
        let mut c = self.db.read().await?;
        store::assessment(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))
    }

    /// Assessments of the organisation, newest first.
    pub async fn list_gap_assessments(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Assessment>> {
        ctx.require(Permission::Read, "see gap assessments")?;
        let limit = page_limit(limit);
        let before = match decode_cursor(cursor)? {
            None => None,
            Some(s) => {
                let (t, id) = s.split_once('/').ok_or_else(|| {
                    ValidationError::single("cursor", "is not a cursor this server issued")
                })?;
                let t = t.parse::<i64>().map_err(|_| {
                    ValidationError::single("cursor", "is not a cursor this server issued")
                })?;
                let id = Uuid::parse_str(id).map_err(|_| {
                    ValidationError::single("cursor", "is not a cursor this server issued")
                })?;
                Some((Ts(isms_domain::time::Timestamp(t)), id))
            }
        };
        let mut c = self.db.read().await?;
        let mut rows = store::list_assessments(&mut c, ctx.org.id, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| encode_cursor(&format!("{}/{}", r.a.created_at.0.millis(), r.a.id)))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(Assessment::from).collect(),
            next_cursor,
        })
    }

    pub async fn get_gap_assessment(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Assessment> {
        ctx.require(Permission::Read, "see gap assessments")?;
        Ok(self.load_assessment(ctx, id).await?.into())
    }

    /// Start an assessment with one item per clause requirement and Annex A control.
    pub async fn create_gap_assessment(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewAssessment,
    ) -> AppResult<Assessment> {
        ctx.require(Permission::Write, "start a gap assessment")?;
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, 200));
        if input.scope_note.chars().count() > 4000 {
            v.push("scope_note", "must be at most 4,000 characters");
        }
        v.into_result()?;
        let title = title.unwrap_or_default();
        let now = Ts(self.now());
        let mut tx = self.db.begin().await?;
        let previous = match input.copy_from {
            Some(prev) => {
                store::assessment(&mut tx, ctx.org.id, prev)
                    .await?
                    .ok_or_else(|| {
                        ValidationError::single(
                            "copy_from",
                            "is not a gap assessment of this organisation",
                        )
                    })?;
                store::items(&mut tx, ctx.org.id, prev, None).await?
            }
            None => Vec::new(),
        };
        let a = AssessmentRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            title,
            scope_note: input.scope_note.trim().to_owned(),
            status: STATUS_IN_PROGRESS.into(),
            completed_at: None,
            created_by: actor.id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_assessment(&mut tx, &a).await?;
        for (pos, iref) in ItemRef::all().into_iter().enumerate() {
            let key = iref.key();
            let prev = previous.iter().find(|p| p.item_key == key);
            let row = ItemRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                assessment_id: a.id,
                position: i64::try_from(pos).unwrap_or(0),
                area: iref
                    .area()
                    .map(Area::as_str)
                    .unwrap_or("governance_leadership")
                    .to_owned(),
                current_level: prev.and_then(|p| p.current_level),
                target_level: prev.and_then(|p| p.target_level),
                applicable: prev.is_none_or(|p| p.applicable),
                na_reason: prev.and_then(|p| p.na_reason.clone()),
                notes: prev.map(|p| p.notes.clone()).unwrap_or_default(),
                evidence: prev
                    .map(|p| p.evidence.clone())
                    .unwrap_or_else(|| "[]".into()),
                owner: prev.map(|p| p.owner.clone()).unwrap_or_default(),
                answered_at: None,
                answered_by: None,
                version: 1,
                item_key: key,
            };
            store::insert_item(&mut tx, &row).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "gap_assessment",
                entity_id: a.id.to_string(),
                action: "create",
                summary: format!(
                    "started gap assessment \"{}\"{}",
                    a.title,
                    if input.copy_from.is_some() {
                        " from an earlier one"
                    } else {
                        ""
                    }
                ),
                before: None,
                after: Some(serde_json::json!({"title": a.title, "scope_note": a.scope_note})),
            },
        )
        .await?;
        let out = store::assessment(&mut tx, ctx.org.id, a.id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))?;
        tx.commit().await?;
        Ok(out.into())
    }

    /// Rename, change the scope note, or complete (every item answered) or reopen.
    pub async fn update_gap_assessment(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &AssessmentPatch,
    ) -> AppResult<Assessment> {
        ctx.require(Permission::Write, "change gap assessments")?;
        let mut v = ValidationError::new();
        let title = patch
            .title
            .as_deref()
            .and_then(|t| v.check(parse_name("title", t, 200)));
        if let Some(s) = &patch.status
            && s != STATUS_IN_PROGRESS
            && s != STATUS_COMPLETED
        {
            v.push("status", "must be in_progress or completed");
        }
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        let before = store::assessment(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))?;
        let status = patch
            .status
            .clone()
            .unwrap_or_else(|| before.a.status.clone());
        if status == STATUS_COMPLETED && before.answered < before.total {
            return Err(AppError::Conflict(format!(
                "{} of {} items are not answered yet; answer them before completing the assessment",
                before.total - before.answered,
                before.total
            )));
        }
        let completed_at = if status == STATUS_COMPLETED {
            before.a.completed_at.or(Some(Ts(self.now())))
        } else {
            None
        };
        let ok = store::update_assessment(
            &mut tx,
            ctx.org.id,
            id,
            title.as_deref().unwrap_or(&before.a.title),
            patch
                .scope_note
                .as_deref()
                .map(str::trim)
                .unwrap_or(&before.a.scope_note),
            &status,
            completed_at,
            patch.version,
            Ts(self.now()),
        )
        .await?;
        if !ok {
            return Err(AppError::stale("gap assessment"));
        }
        record(self, &mut tx, actor, Change {
            org_id: Some(ctx.org.id),
            entity: "gap_assessment",
            entity_id: id.to_string(),
            action: if status != before.a.status { if status == STATUS_COMPLETED { "complete" } else { "reopen" } } else { "update" },
            summary: format!("changed gap assessment \"{}\"{}", before.a.title, if status != before.a.status { format!(" (now {})", status.replace('_', " ")) } else { String::new() }),
            before: Some(serde_json::json!({"title": before.a.title, "status": before.a.status})),
            after: Some(serde_json::json!({"title": title.as_deref().unwrap_or(&before.a.title), "status": status})),
        })
        .await?;
        let out = store::assessment(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))?;
        tx.commit().await?;
        Ok(out.into())
    }

    /// Delete an assessment and its answers (approvers only).
    pub async fn delete_gap_assessment(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Approve, "delete gap assessments")?;
        let mut tx = self.db.begin().await?;
        let before = store::assessment(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))?;
        store::delete_assessment(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "gap_assessment",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "deleted gap assessment \"{}\" ({} of {} answered)",
                    before.a.title, before.answered, before.total
                ),
                before: Some(
                    serde_json::json!({"title": before.a.title, "status": before.a.status}),
                ),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The questions and answers, in order (`area` filters).
    pub async fn gap_items(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        area: Option<&str>,
    ) -> AppResult<Vec<Item>> {
        ctx.require(Permission::Read, "see gap assessments")?;
        let area = match area.filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(Area::parse(a).ok_or_else(|| {
                ValidationError::single(
                    "area",
                    format!(
                        "\"{a}\" is not an area; choose one of: {}",
                        Area::ALL.map(Area::as_str).join(", ")
                    ),
                )
            })?),
        };
        self.load_assessment(ctx, id).await?;
        let mut c = self.db.read().await?;
        let rows = store::items(&mut c, ctx.org.id, id, area.map(Area::as_str)).await?;
        rows.into_iter().map(to_item).collect()
    }

    /// Answer one item. Checks the domain rules; a stale `version` is a conflict.
    pub async fn answer_gap_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        key: &str,
        a: &ItemAnswer,
    ) -> AppResult<Item> {
        ctx.require(Permission::Write, "answer gap assessments")?;
        let iref = ItemRef::parse("item", key)?;
        let mut v = ValidationError::new();
        let parse_level = |field: &str,
                           x: Option<Option<i64>>,
                           v: &mut ValidationError|
         -> Option<Option<Option<Maturity>>> {
            match x {
                None => Some(None),
                Some(None) => Some(Some(None)),
                Some(Some(n)) => v.check(Maturity::parse(field, n)).map(|m| Some(Some(m))),
            }
        };
        let current = parse_level("current", a.current, &mut v);
        let target = parse_level("target", a.target, &mut v);
        if a.notes.as_deref().is_some_and(|n| n.chars().count() > 4000) {
            v.push("notes", "must be at most 4,000 characters");
        }
        if a.owner.as_deref().is_some_and(|n| n.chars().count() > 200) {
            v.push("owner", "must be at most 200 characters");
        }
        if let Some(ev) = &a.evidence {
            if ev.len() > 50 {
                v.push("evidence", "at most 50 links per item");
            }
            if ev
                .iter()
                .any(|e| e.chars().count() > 1000 || e.trim().is_empty())
            {
                v.push("evidence", "each link must be 1 to 1,000 characters");
            }
        }
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        store::assessment(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("gap assessment"))?;
        let before = store::item(&mut tx, ctx.org.id, id, &iref.key())
            .await?
            .ok_or(AppError::NotFound("gap item"))?;
        let level = |x: Option<i64>| x.and_then(|n| u8::try_from(n).ok()).and_then(Maturity::new);
        let new_current = match current.flatten() {
            Some(x) => x,
            None => level(before.current_level),
        };
        let new_target = match target.flatten() {
            Some(x) => x,
            None => level(before.target_level),
        };
        let applicable = a.applicable.unwrap_or(before.applicable);
        let na_reason = match &a.not_applicable_reason {
            None => before.na_reason.clone(),
            Some(r) => r
                .clone()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        };
        check_answer(
            &iref,
            &Answer {
                current: new_current,
                target: new_target,
                applicable,
                not_applicable_reason: na_reason.clone(),
            },
        )?;
        let answered = (new_current.is_some() && new_target.is_some()) || !applicable;
        let mut row = before.clone();
        row.current_level = new_current.map(|m| i64::from(m.value()));
        row.target_level = new_target.map(|m| i64::from(m.value()));
        row.applicable = applicable;
        row.na_reason = if applicable { None } else { na_reason };
        if let Some(n) = &a.notes {
            row.notes = n.trim().to_owned();
        }
        if let Some(ev) = &a.evidence {
            row.evidence = serde_json::to_string(&ev.iter().map(|e| e.trim()).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
        }
        if let Some(o) = &a.owner {
            row.owner = o.trim().to_owned();
        }
        row.answered_at = if answered { Some(Ts(self.now())) } else { None };
        row.answered_by = if answered { actor.id() } else { None };
        row.version = a.version;
        let after = store::update_item(&mut tx, &row)
            .await?
            .ok_or_else(|| AppError::stale("answer"))?;
        let snap = |r: &ItemRow| serde_json::json!({"current": r.current_level, "target": r.target_level, "applicable": r.applicable, "na_reason": r.na_reason, "owner": r.owner});
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "gap_item",
                entity_id: format!("{id}/{}", iref.key()),
                action: "answer",
                summary: format!(
                    "answered {}: {}",
                    iref.label(),
                    if !after.applicable {
                        "not applicable".to_owned()
                    } else {
                        format!(
                            "current {} → target {}",
                            after
                                .current_level
                                .map(|x| x.to_string())
                                .unwrap_or("–".into()),
                            after
                                .target_level
                                .map(|x| x.to_string())
                                .unwrap_or("–".into())
                        )
                    }
                ),
                before: Some(snap(&before)),
                after: Some(snap(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        to_item(after)
    }

    /// Gaps per item and per area, documentation gaps, weak and missing controls.
    pub async fn gap_results(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Results> {
        let assessment: Assessment = self.get_gap_assessment(ctx, id).await?;
        let items = self.gap_items(ctx, id, None).await?;
        let mut areas = Vec::new();
        for area in Area::ALL {
            let in_area: Vec<&Item> = items.iter().filter(|i| i.area == area.as_str()).collect();
            let scored: Vec<&&Item> = in_area
                .iter()
                .filter(|i| i.applicable && i.current.is_some() && i.target.is_some())
                .collect();
            let n = scored.len() as f64;
            let avg = |f: &dyn Fn(&Item) -> u8| {
                if n > 0.0 {
                    round1(scored.iter().map(|i| f(i) as f64).sum::<f64>() / n)
                } else {
                    0.0
                }
            };
            areas.push(AreaResult {
                area: area.as_str().into(),
                label: area.label().into(),
                items: in_area.len() as i64,
                answered: in_area.iter().filter(|i| i.answered).count() as i64,
                average_current: avg(&|i| i.current.unwrap_or(0)),
                average_target: avg(&|i| i.target.unwrap_or(0)),
                total_gap: in_area.iter().map(|i| i64::from(i.gap)).sum(),
            });
        }
        let mut gaps = Vec::new();
        let mut documentation_gaps = Vec::new();
        let mut missing_controls = Vec::new();
        let mut weak_controls = Vec::new();
        let cat = catalogue();
        for i in items.iter().filter(|i| i.applicable && i.current.is_some()) {
            let e = entry(i)?;
            if i.gap > 0 {
                gaps.push(e.clone());
            }
            let iref = item_ref(&i.key)?;
            let needs_document = match &iref {
                ItemRef::Clause(cid) => {
                    cat.clause(cid).and_then(|c| c.documented_information) == Some(true)
                }
                ItemRef::Control(cid) => {
                    isms_domain::gap::DOCUMENT_CONTROLS.contains(&cid.as_str())
                }
            };
            if needs_document && i.current.unwrap_or(0) < Maturity::REQUIRED_FOR_CLAUSES.value() {
                documentation_gaps.push(e.clone());
            }
            if matches!(iref, ItemRef::Control(_)) {
                match i.current {
                    Some(0) => missing_controls.push(e),
                    Some(1 | 2) => weak_controls.push(e),
                    _ => {}
                }
            }
        }
        gaps.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(b.gap.cmp(&a.gap))
                .then(a.key.cmp(&b.key))
        });
        Ok(Results {
            not_applicable: items.iter().filter(|i| !i.applicable).count() as i64,
            unanswered: items.iter().filter(|i| !i.answered).count() as i64,
            assessment,
            areas,
            gaps,
            documentation_gaps,
            missing_controls,
            weak_controls,
        })
    }

    /// How `other` differs from `base` (typically an earlier assessment).
    pub async fn compare_gap_assessments(
        &self,
        ctx: &OrgCtx,
        base: Uuid,
        other: Uuid,
    ) -> AppResult<Comparison> {
        let rb = self.gap_results(ctx, base).await?;
        let ro = self.gap_results(ctx, other).await?;
        let ib = self.gap_items(ctx, base, None).await?;
        let io = self.gap_items(ctx, other, None).await?;
        let areas = rb
            .areas
            .iter()
            .zip(ro.areas.iter())
            .map(|(a, b)| AreaDelta {
                label: a.label.clone(),
                base_average: a.average_current,
                other_average: b.average_current,
                change: round1(b.average_current - a.average_current),
            })
            .collect();
        let mut changed: Vec<ItemDelta> = ib
            .iter()
            .filter_map(|b| {
                let o = io.iter().find(|o| o.key == b.key)?;
                let change = i64::from(o.current.unwrap_or(0)) - i64::from(b.current.unwrap_or(0));
                (b.current != o.current).then(|| ItemDelta {
                    key: b.key.clone(),
                    label: b.label.clone(),
                    title: b.title.clone(),
                    base_current: b.current,
                    other_current: o.current,
                    change,
                })
            })
            .collect();
        changed.sort_by(|a, b| b.change.abs().cmp(&a.change.abs()).then(a.key.cmp(&b.key)));
        Ok(Comparison {
            base: rb.assessment,
            other: ro.assessment,
            areas,
            changed,
        })
    }
}

/// What-if inputs for the certification timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    /// What-if: sites in scope (the organisation's setting when absent).
    pub sites: Option<i64>,
    /// What-if: another management system runs (the organisation's setting when absent).
    pub existing_management_system: Option<bool>,
    /// YYYY-MM-DD; today when absent.
    pub start: Option<String>,
}

/// One phase of the projected plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelinePhase {
    pub kind: String,
    pub label: String,
    pub weeks: u32,
    pub start: String,
    /// First day after the phase.
    pub end: String,
}

/// The projected certification timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineView {
    /// `small`, `medium` or `large`.
    pub size_class: String,
    pub employees: i64,
    pub sites: u32,
    pub existing_management_system: bool,
    pub average_maturity: Option<f64>,
    /// The assessment the maturity came from.
    pub based_on: Option<String>,
    pub start: String,
    pub phases: Vec<TimelinePhase>,
    pub total_weeks: u32,
    pub months: f64,
    pub earliest_stage2: String,
    pub typical_months_low: u32,
    pub typical_months_high: u32,
    pub assumptions: Vec<String>,
}

impl App {
    /// Project the certification timeline from the organisation's size, the newest gap
    /// assessment and the what-if inputs.
    pub async fn gap_timeline(&self, ctx: &OrgCtx, q: &TimelineQuery) -> AppResult<TimelineView> {
        ctx.require(Permission::Read, "see the certification timeline")?;
        use isms_domain::time::{format_date, parse_date};
        let mut v = ValidationError::new();
        let sites = q.sites.unwrap_or(ctx.org.sites);
        if !(1..=500).contains(&sites) {
            v.push("sites", "must be a whole number from 1 to 500");
        }
        let start = match q.start.as_deref().filter(|s| !s.is_empty()) {
            None => Some(self.today()),
            Some(s) => parse_date(s).or_else(|| {
                v.push("start", "must be a date written YYYY-MM-DD");
                None
            }),
        };
        v.into_result()?;
        let start = start.unwrap_or_else(|| self.today());
        let newest = self
            .list_gap_assessments(ctx, None, Some(1))
            .await?
            .items
            .into_iter()
            .next();
        let (average_maturity, done, based_on) = match &newest {
            Some(a) => {
                let items = self.gap_items(ctx, a.id, None).await?;
                let scored: Vec<u8> = items
                    .iter()
                    .filter(|i| i.applicable)
                    .filter_map(|i| i.current)
                    .collect();
                let avg = (!scored.is_empty()).then(|| {
                    scored.iter().map(|x| f64::from(*x)).sum::<f64>() / scored.len() as f64
                });
                (
                    avg.map(|x| (x * 10.0).round() / 10.0),
                    a.status == STATUS_COMPLETED,
                    Some(a.title.clone()),
                )
            }
            None => (None, false, None),
        };
        let input = isms_domain::timeline::TimelineInput {
            employees: ctx.org.employees,
            sites: u32::try_from(sites).unwrap_or(1),
            existing_management_system: q
                .existing_management_system
                .unwrap_or(!ctx.org.other_management_system.is_empty()),
            average_maturity,
            gap_assessment_done: done,
            start,
        };
        let t = isms_domain::timeline::project(&input);
        Ok(TimelineView {
            size_class: serde_json::to_value(t.size_class)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            employees: ctx.org.employees,
            sites: input.sites,
            existing_management_system: input.existing_management_system,
            average_maturity,
            based_on,
            start: format_date(start),
            phases: t
                .phases
                .iter()
                .map(|p| TimelinePhase {
                    kind: serde_json::to_value(p.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    label: p.label.to_owned(),
                    weeks: p.weeks,
                    start: format_date(p.start),
                    end: format_date(p.end),
                })
                .collect(),
            total_weeks: t.total_weeks,
            months: t.months,
            earliest_stage2: format_date(t.earliest_stage2),
            typical_months_low: t.typical_months.0,
            typical_months_high: t.typical_months.1,
            assumptions: t.assumptions,
        })
    }
}
