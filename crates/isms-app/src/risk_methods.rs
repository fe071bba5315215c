//! The risk assessment method (ISO 27001 6.1.2) as a versioned, approvable record: one
//! draft at a time, one approved version in force, earlier ones kept as superseded.
//! The rules of a method (scales, matrix, acceptance) live in `isms_domain::risk`.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, record};
use isms_db::Ts;
use isms_db::risk_methods::{self as store, MethodRow};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use isms_domain::risk::{Method, Preset, methodology_sections, preset, validate};
use isms_export::{Report, Section, Table};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const STATUS_DRAFT: &str = "draft";
pub const STATUS_APPROVED: &str = "approved";
pub const STATUS_SUPERSEDED: &str = "superseded";

/// One version of the organisation's risk assessment method.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskMethod {
    pub id: Uuid,
    /// Version number within the organisation (1, 2, …).
    pub number: i64,
    /// `draft`, `approved` (in force) or `superseded`.
    pub status: String,
    /// What the version started from: a preset (`5x5`) or an earlier version.
    pub based_on: String,
    /// Why this version was made.
    pub change_note: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Scales, levels, matrix, acceptance level and review interval.
    #[schema(value_type = Object)]
    pub method: Method,
}

impl RiskMethod {
    pub fn is_draft(&self) -> bool {
        self.status == STATUS_DRAFT
    }

    pub fn is_approved(&self) -> bool {
        self.status == STATUS_APPROVED
    }

    /// "Version 3 (approved)".
    pub fn title(&self) -> String {
        format!("Version {} ({})", self.number, self.status)
    }
}

/// Start a new draft version: from a preset, or as a copy of an earlier version (the
/// version in force when neither is given).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRiskMethod {
    /// `3x3`, `4x4` or `5x5`.
    pub preset: Option<String>,
    /// An earlier version to copy.
    pub from: Option<Uuid>,
    #[serde(default)]
    pub change_note: String,
}

/// Changes to a draft. `method` replaces the whole definition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskMethodPatch {
    #[schema(value_type = Option<Object>)]
    pub method: Option<Method>,
    pub change_note: Option<String>,
    pub version: i64,
}

/// Approve a draft; it comes into force and the version before it is superseded.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRiskMethod {
    pub version: i64,
}

fn parse_note(v: &mut ValidationError, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 2000 {
        v.push("change_note", "must be at most 2,000 characters");
    }
    s.to_owned()
}

fn snapshot(m: &MethodRow) -> serde_json::Value {
    serde_json::json!({
        "number": m.number,
        "status": m.status,
        "based_on": m.based_on,
        "change_note": m.change_note,
        "definition": serde_json::from_str::<serde_json::Value>(&m.definition).unwrap_or_default(),
    })
}

/// Write a new draft version of the method (the caller checked there is no draft) with
/// its audit-trail entry, inside `tx`.
pub(crate) async fn insert_draft(
    app: &App,
    tx: &mut isms_db::Tx,
    actor: Actor<'_>,
    ctx: &OrgCtx,
    method: &Method,
    based_on: String,
    note: String,
) -> AppResult<MethodRow> {
    let definition =
        serde_json::to_string(&method).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = Ts(app.now());
    let row = MethodRow {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        number: store::max_number(tx, ctx.org.id).await? + 1,
        status: STATUS_DRAFT.into(),
        definition,
        based_on,
        change_note: note,
        approved_by: None,
        approved_by_name: None,
        approved_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store::insert_method(tx, &row).await?;
    record(
        app,
        tx,
        actor,
        Change {
            org_id: Some(ctx.org.id),
            entity: "risk_method",
            entity_id: row.id.to_string(),
            action: "create",
            summary: format!(
                "started version {} of the risk method from {}",
                row.number, row.based_on
            ),
            before: None,
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    Ok(row)
}

impl App {
    fn to_method(&self, r: MethodRow) -> AppResult<RiskMethod> {
        let method: Method = serde_json::from_str(&r.definition).map_err(|e| {
            AppError::Internal(format!("risk method {} is not readable: {e}", r.id))
        })?;
        Ok(RiskMethod {
            id: r.id,
            number: r.number,
            status: r.status,
            based_on: r.based_on,
            change_note: r.change_note,
            approved_by: r.approved_by_name,
            approved_at: r.approved_at.map(|t| t.0.rfc3339()),
            created_at: r.created_at.0.rfc3339(),
            updated_at: r.updated_at.0.rfc3339(),
            version: r.version,
            method,
        })
    }

    /// Every version, newest first.
    pub async fn list_risk_methods(&self, ctx: &OrgCtx) -> AppResult<Vec<RiskMethod>> {
        let mut c = self.db.read().await?;
        self.list_risk_methods_in(&mut c, ctx).await
    }

    /// The methods, read on the caller's connection (see [`App::risk_method_in_force_in`]).
    pub(crate) async fn list_risk_methods_in(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<Vec<RiskMethod>> {
        ctx.require(Permission::Read, "see the risk method")?;
        store::list_methods(c, ctx.org.id)
            .await?
            .into_iter()
            .map(|r| self.to_method(r))
            .collect()
    }

    pub async fn get_risk_method(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<RiskMethod> {
        ctx.require(Permission::Read, "see the risk method")?;
        let mut c = self.db.read().await?;
        let r = store::method(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        self.to_method(r)
    }

    /// The approved version in force, if any.
    pub async fn risk_method_in_force(&self, ctx: &OrgCtx) -> AppResult<Option<RiskMethod>> {
        let mut c = self.db.read().await?;
        self.risk_method_in_force_in(&mut c, ctx).await
    }

    /// The method in force, read on the caller's connection: a write transaction must
    /// not wait for a second connection from the pool while it holds SQLite's write lock
    /// (the other connections may all be waiting for that lock).
    pub(crate) async fn risk_method_in_force_in(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<Option<RiskMethod>> {
        ctx.require(Permission::Read, "see the risk method")?;
        store::method_in_status(c, ctx.org.id, STATUS_APPROVED)
            .await?
            .map(|r| self.to_method(r))
            .transpose()
    }

    /// Start a draft. Only one draft may be open at a time.
    pub async fn create_risk_method(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewRiskMethod,
    ) -> AppResult<RiskMethod> {
        ctx.require(Permission::Write, "change the risk method")?;
        let mut v = ValidationError::new();
        let note = parse_note(&mut v, &input.change_note);
        let chosen = match input.preset.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(p) => v.check(Preset::parse("preset", p)),
            None => None,
        };
        if chosen.is_some() && input.from.is_some() {
            v.push(
                "from",
                "give either a preset or a version to copy, not both",
            );
        }
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        if let Some(d) = store::method_in_status(&mut tx, ctx.org.id, STATUS_DRAFT).await? {
            return Err(AppError::Conflict(format!(
                "version {} is already a draft; change or delete it before starting another",
                d.number
            )));
        }
        let (method, based_on) = match (chosen, input.from) {
            (Some(p), _) => (preset(p), p.as_str().to_owned()),
            (None, Some(from)) => {
                let r = store::method(&mut tx, ctx.org.id, from)
                    .await?
                    .ok_or_else(|| {
                        ValidationError::single(
                            "from",
                            "is not a version of this organisation's method",
                        )
                    })?;
                let n = r.number;
                (self.to_method(r)?.method, format!("version {n}"))
            }
            (None, None) => {
                match store::method_in_status(&mut tx, ctx.org.id, STATUS_APPROVED).await? {
                    Some(r) => {
                        let n = r.number;
                        (self.to_method(r)?.method, format!("version {n}"))
                    }
                    None => (
                        preset(Preset::FiveByFive),
                        Preset::FiveByFive.as_str().to_owned(),
                    ),
                }
            }
        };
        let row = insert_draft(self, &mut tx, actor, ctx, &method, based_on, note).await?;
        tx.commit().await?;
        self.to_method(row)
    }

    /// Change a draft: the whole definition (validated as a whole) and/or the note.
    pub async fn update_risk_method(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &RiskMethodPatch,
    ) -> AppResult<RiskMethod> {
        ctx.require(Permission::Write, "change the risk method")?;
        let mut tx = self.db.begin().await?;
        let before = store::method(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        if before.status != STATUS_DRAFT {
            return Err(AppError::Conflict(format!(
                "version {} is {} and can no longer change; start a new version instead",
                before.number, before.status
            )));
        }
        let mut v = ValidationError::new();
        let note = patch
            .change_note
            .as_deref()
            .map(|n| parse_note(&mut v, n))
            .unwrap_or_else(|| before.change_note.clone());
        if let Some(m) = &patch.method {
            v.check(validate(m));
        }
        v.into_result()?;
        let definition = match &patch.method {
            Some(m) => serde_json::to_string(m).map_err(|e| AppError::Internal(e.to_string()))?,
            None => before.definition.clone(),
        };
        let now = Ts(self.now());
        if !store::update_draft(
            &mut tx,
            ctx.org.id,
            id,
            &definition,
            &note,
            patch.version,
            now,
        )
        .await?
        {
            return Err(AppError::stale("risk method"));
        }
        let after = store::method(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk_method",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed draft version {} of the risk method", after.number),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        self.to_method(after)
    }

    /// Approve a draft (needs the approve permission). The version in force before it is
    /// superseded; risks rated under earlier versions are flagged for reassessment.
    pub async fn approve_risk_method(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &ApproveRiskMethod,
    ) -> AppResult<RiskMethod> {
        ctx.require(Permission::Approve, "approve the risk method")?;
        let Some(approver) = actor.id() else {
            return Err(AppError::forbidden(
                "approve the risk method (a person must approve it)",
            ));
        };
        let mut tx = self.db.begin().await?;
        let before = store::method(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        if before.status != STATUS_DRAFT {
            return Err(AppError::Conflict(format!(
                "version {} is already {}",
                before.number, before.status
            )));
        }
        // A draft saved before the rules tightened must still be a valid method.
        let def: Method = serde_json::from_str(&before.definition)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        validate(&def)?;
        let previous = store::method_in_status(&mut tx, ctx.org.id, STATUS_APPROVED).await?;
        let now = Ts(self.now());
        if !store::approve(&mut tx, ctx.org.id, id, approver, input.version, now).await? {
            return Err(AppError::stale("risk method"));
        }
        let flagged = self.flag_risks_for_reassessment(&mut tx, ctx, id).await?;
        let after = store::method(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk_method",
                entity_id: id.to_string(),
                action: "approve",
                summary: match &previous {
                    Some(p) => format!(
                        "approved version {} of the risk method; version {} superseded, {flagged} risk(s) flagged for reassessment",
                        after.number, p.number
                    ),
                    None => format!("approved version {} of the risk method", after.number),
                },
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        self.to_method(after)
    }

    /// Delete a draft; approved and superseded versions are records and stay.
    pub async fn delete_risk_method(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "change the risk method")?;
        let mut tx = self.db.begin().await?;
        let before = store::method(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk method"))?;
        if !store::delete_draft(&mut tx, ctx.org.id, id).await? {
            return Err(AppError::Conflict(format!(
                "version {} is {}; only a draft can be deleted",
                before.number, before.status
            )));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk_method",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("deleted draft version {} of the risk method", before.number),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The 6.1.2 methodology document of one version, as a report.
    pub async fn risk_method_report(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Report> {
        let m = self.get_risk_method(ctx, id).await?;
        let mut meta = vec![
            ("Organisation".to_owned(), ctx.org.name.clone()),
            ("Version".to_owned(), m.number.to_string()),
            ("Status".to_owned(), m.status.clone()),
        ];
        if let (Some(by), Some(at)) = (&m.approved_by, &m.approved_at) {
            meta.push((
                "Approved".to_owned(),
                format!("{} by {by}", at.get(..10).unwrap_or(at)),
            ));
        }
        if !m.change_note.is_empty() {
            meta.push(("Change".to_owned(), m.change_note.clone()));
        }
        meta.push((
            "Report date".to_owned(),
            isms_domain::time::format_date(self.today()),
        ));
        let sections = methodology_sections(&m.method)
            .into_iter()
            .map(|s| Section {
                heading: s.heading,
                paragraphs: s.paragraphs,
                bullets: s.bullets,
                table: s.table.map(|(headers, rows)| Table {
                    title: String::new(),
                    headers,
                    rows,
                }),
                chart: None,
            })
            .collect();
        Ok(Report {
            title: format!(
                "Information security risk assessment method: {}",
                ctx.org.name
            ),
            meta,
            sections,
            landscape: false,
            title_page: false,
        })
    }
}
