//! The organisation's own controls, besides Annex A: a code of its choosing, a title and
//! what the control does. Risks name them among the controls that treat them.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::own_controls::{self as store, OwnControlRow};
use isms_db::{Ts, risks};
use isms_domain::ValidationError;
use isms_domain::control::parse_own_code;
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A risk a control treats (reference and title).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TreatedRisk {
    pub id: Uuid,
    /// `R-007`.
    pub reference: String,
    pub title: String,
}

/// An own control.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnControl {
    pub id: Uuid,
    /// Upper-case, never changes (`NW-07`).
    pub code: String,
    pub title: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new own control.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwnControl {
    /// 2–20 letters, digits, `-`, `.`, `_`, starting with a letter; not shaped like an
    /// Annex A id.
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// Changes to an own control (the code stays).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnControlPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub version: i64,
}

fn view(r: OwnControlRow) -> OwnControl {
    OwnControl {
        id: r.id,
        code: r.code,
        title: r.title,
        description: r.description,
        created_at: r.created_at.0.rfc3339(),
        updated_at: r.updated_at.0.rfc3339(),
        version: r.version,
    }
}

fn snapshot(r: &OwnControlRow) -> serde_json::Value {
    serde_json::json!({"code": r.code, "title": r.title, "description": r.description})
}

fn description(v: &mut ValidationError, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 4000 {
        v.push("description", "must be at most 4000 characters");
    }
    s.to_owned()
}

impl App {
    /// Own controls by code; `q` matches code or title.
    pub async fn list_own_controls(
        &self,
        ctx: &OrgCtx,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<OwnControl>> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let q = q.map(str::trim).filter(|s| !s.is_empty());
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, ctx.org.id, q, after.as_deref(), limit + 1).await?;
        Ok(crate::paginate(rows, limit, |r| r.code.clone(), view))
    }

    pub async fn get_own_control(&self, ctx: &OrgCtx, code: &str) -> AppResult<OwnControl> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let mut c = self.db.read().await?;
        store::by_code(&mut c, ctx.org.id, &code.trim().to_uppercase())
            .await?
            .map(view)
            .ok_or(AppError::NotFound("control"))
    }

    /// The risks an own control or an Annex A control treats, by number.
    pub async fn risks_treated_by(&self, ctx: &OrgCtx, key: &str) -> AppResult<Vec<TreatedRisk>> {
        ctx.require(Permission::Read, "see the risk register")?;
        let mut c = self.db.read().await?;
        Ok(risks::risks_for_control(&mut c, ctx.org.id, key)
            .await?
            .into_iter()
            .map(|(id, number, title)| TreatedRisk {
                id,
                reference: format!("R-{number:03}"),
                title,
            })
            .collect())
    }

    pub async fn create_own_control(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewOwnControl,
    ) -> AppResult<OwnControl> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_own_control_in(&mut tx, actor, ctx, input)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add an own control inside the caller's transaction.
    pub(crate) async fn create_own_control_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewOwnControl,
    ) -> AppResult<OwnControl> {
        ctx.require(Permission::Write, "add controls")?;
        let mut v = ValidationError::new();
        let code = v.check(parse_own_code("code", &input.code));
        let title = v.check(parse_name("title", &input.title, 200));
        let description = description(&mut v, &input.description);
        v.into_result()?;
        let now = Ts(self.now());
        let row = OwnControlRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            code: code.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "own_control",
                entity_id: row.code.clone(),
                action: "create",
                summary: format!("added own control {} \"{}\"", row.code, row.title),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        Ok(view(row))
    }

    pub async fn update_own_control(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        code: &str,
        patch: &OwnControlPatch,
    ) -> AppResult<OwnControl> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_own_control_in(&mut tx, actor, ctx, code, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change an own control inside the caller's transaction.
    pub(crate) async fn update_own_control_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        code: &str,
        patch: &OwnControlPatch,
    ) -> AppResult<OwnControl> {
        ctx.require(Permission::Write, "change controls")?;
        let code = code.trim().to_uppercase();
        let before = store::by_code(tx, ctx.org.id, &code)
            .await?
            .ok_or(AppError::NotFound("control"))?;
        if before.version != patch.version {
            return Err(AppError::stale("control"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, 200))
        {
            row.title = t;
        }
        if let Some(d) = &patch.description {
            row.description = description(&mut v, d);
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update(tx, &row).await? {
            return Err(AppError::stale("control"));
        }
        row.version += 1;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "own_control",
                entity_id: row.code.clone(),
                action: "update",
                summary: format!("changed own control {} \"{}\"", row.code, row.title),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        Ok(view(row))
    }

    /// Remove an own control; refused (409, naming them) while risks are treated by it.
    pub async fn delete_own_control(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        code: &str,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove controls")?;
        let code = code.trim().to_uppercase();
        let mut tx = self.db.begin().await?;
        let before = store::by_code(&mut tx, ctx.org.id, &code)
            .await?
            .ok_or(AppError::NotFound("control"))?;
        let linked = risks::risks_for_control(&mut tx, ctx.org.id, &code).await?;
        if !linked.is_empty() {
            let refs: Vec<String> = linked
                .iter()
                .take(10)
                .map(|(_, n, _)| format!("R-{n:03}"))
                .collect();
            return Err(AppError::Conflict(format!(
                "{code} treats {} risk{} ({}{}); take it off those risks first",
                linked.len(),
                if linked.len() == 1 { "" } else { "s" },
                refs.join(", "),
                if linked.len() > 10 { ", …" } else { "" }
            )));
        }
        crate::controls::forget_own_control(self, &mut tx, actor, ctx.org.id, &code).await?;
        store::delete(&mut tx, ctx.org.id, &code).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "own_control",
                entity_id: code.clone(),
                action: "delete",
                summary: format!("removed own control {code} \"{}\"", before.title),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
