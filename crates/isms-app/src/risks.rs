//! The risk register (6.1.2, 6.1.3): risks rated under the method in force, their
//! treatment and linked Annex A controls, acceptance of the residual risk, heat maps.
//! Levels are computed only by `isms_domain::risk::level`.

use crate::assets::{AssetRef, asset_reference};
use crate::orgs::OrgCtx;
use crate::risk_methods::RiskMethod;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_cursor, encode_cursor, page_limit, record,
};
use isms_db::risks::{self as store, RiskFilter, RiskRow, RiskWithNames};
use isms_db::{Day, Ts, orgs, own_controls};
use isms_domain::ValidationError;
use isms_domain::control::{ControlRef, control_order, parse_control_ref};
use isms_domain::org::parse_name;
use isms_domain::rbac::{Permission, membership_active};
use isms_domain::risk::{
    AcceptanceInput, Method, RiskStatus, Treatment, check_acceptance, check_can_accept,
    check_transition, level,
};
use isms_domain::time::{format_date, parse_date};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A likelihood × impact rating and the level it gives.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Rating {
    pub likelihood: i64,
    pub impact: i64,
    /// Index of the risk level in the method (0 = lowest).
    pub level: i64,
    pub level_name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// The recorded acceptance of the residual risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Acceptance {
    pub accepted_by: Option<String>,
    pub accepted_at: String,
    pub rationale: String,
    pub expires_on: Option<String>,
    /// The rating that was accepted (frozen).
    pub rating: Rating,
    /// `by_owner` or `by_approver`.
    pub kind: String,
    /// The residual rating changed after acceptance: a new acceptance is needed.
    pub outdated: bool,
    /// The acceptance has run out.
    pub expired: bool,
}

/// A risk as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Risk {
    pub id: Uuid,
    pub number: i64,
    /// `R-007`.
    pub reference: String,
    pub title: String,
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// The method version the risk was rated under.
    pub method_id: Uuid,
    pub method_number: i64,
    pub inherent: Rating,
    /// `modify`, `retain`, `avoid` or `share`; absent until decided.
    pub treatment: Option<String>,
    pub residual: Option<Rating>,
    pub status: String,
    pub status_label: String,
    pub next_review_on: Option<String>,
    pub review_overdue: bool,
    /// Rated under a method version that is no longer in force.
    pub needs_reassessment: bool,
    /// Annex A control ids that treat the risk.
    pub controls: Vec<String>,
    /// Ids of the assets the risk concerns.
    pub assets: Vec<Uuid>,
    /// The same assets with their reference and name.
    pub linked_assets: Vec<crate::assets::AssetRef>,
    pub acceptance: Option<Acceptance>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl Risk {
    /// The rating that remains: residual when scored, else inherent.
    pub fn current(&self) -> &Rating {
        self.residual.as_ref().unwrap_or(&self.inherent)
    }
}

/// A new risk, rated under the method in force.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRisk {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub vulnerability: String,
    /// A member of the organisation.
    pub owner_id: Option<Uuid>,
    pub inherent_likelihood: i64,
    pub inherent_impact: i64,
    /// `modify`, `retain`, `avoid` or `share`.
    pub treatment: Option<String>,
    pub residual_likelihood: Option<i64>,
    pub residual_impact: Option<i64>,
    /// Annex A control ids (`5.15` or `A.5.15`).
    #[serde(default)]
    pub controls: Vec<String>,
    /// Ids of assets of this organisation that the risk concerns.
    #[serde(default)]
    pub assets: Vec<Uuid>,
    /// YYYY-MM-DD; default: today plus the method's review interval.
    pub next_review_on: Option<String>,
}

/// Changes to a risk. Omitted fields keep their value; `null` clears the optional ones.
/// New ratings are made under the method in force (which clears `needs_reassessment`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub threat: Option<String>,
    pub vulnerability: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub inherent_likelihood: Option<i64>,
    pub inherent_impact: Option<i64>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub treatment: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub residual_likelihood: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub residual_impact: Option<Option<i64>>,
    pub controls: Option<Vec<String>>,
    /// Replaces the linked assets.
    pub assets: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub next_review_on: Option<Option<String>>,
    /// A status the life cycle allows next (acceptance has its own step).
    pub status: Option<String>,
    pub version: i64,
}

/// Read a field that may be absent (outer `None`) or `null` (inner `None`).
pub(crate) fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Accept the residual risk (or the inherent one when no residual is scored).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRisk {
    #[serde(default)]
    pub rationale: String,
    /// YYYY-MM-DD, at most three years ahead.
    pub expires_on: Option<String>,
    pub version: i64,
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Inherent level index.
    pub level: Option<i64>,
    pub residual_level: Option<i64>,
    pub needs_reassessment: Option<bool>,
    /// `inherent:L:I` or `residual:L:I` under the method in force (a heat-map cell).
    pub cell: Option<String>,
    /// Only risks linked to this asset.
    pub asset_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Risks per cell of the matrix in force, before and after treatment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeatMap {
    pub method_id: Uuid,
    pub method_number: i64,
    /// `inherent[likelihood - 1][impact - 1]` = number of risks.
    pub inherent: Vec<Vec<usize>>,
    pub residual: Vec<Vec<usize>>,
    /// Risks still rated under an earlier method version (not in the maps).
    pub awaiting_reassessment: i64,
}

fn text(v: &mut ValidationError, field: &str, s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
    s.to_owned()
}

fn parse_day(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<time::Date> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse_date(s).or_else(|| {
            v.push(field, "must be a date written YYYY-MM-DD");
            None
        }),
    }
}

/// Controls named for a risk: known Annex A ids and codes of the organisation's own
/// controls, normalised, sorted (Annex A first) and without repeats. Anything else is
/// reported as `controls[i]`; own codes are checked against the organisation in one query.
async fn parse_controls(
    c: &mut impl isms_db::AsConn,
    org_id: Uuid,
    v: &mut ValidationError,
    ids: &[String],
) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut own: Vec<(usize, String)> = Vec::new();
    for (i, raw) in ids.iter().enumerate() {
        match v.check(parse_control_ref(&format!("controls[{i}]"), raw)) {
            Some(ControlRef::AnnexA(id)) => out.push(id),
            Some(ControlRef::Own(code)) => own.push((i, code)),
            None => {}
        }
    }
    let codes: Vec<String> = own.iter().map(|(_, c)| c.clone()).collect();
    let known = own_controls::existing(c, org_id, &codes).await?;
    for (i, code) in own {
        if known.contains(&code) {
            out.push(code);
        } else {
            v.push(
                format!("controls[{i}]"),
                format!("\"{code}\" is not an Annex A control nor one of your own controls"),
            );
        }
    }
    sort_controls(&mut out);
    out.dedup();
    Ok(out)
}

/// Annex A in catalogue order (5.2 before 5.10), then own codes.
fn sort_controls(ids: &mut [String]) {
    ids.sort_by_key(|c| control_order(c));
}

fn rating(m: &Method, l: i64, i: i64, lvl: i64) -> Rating {
    let idx = u8::try_from(lvl).unwrap_or(u8::MAX);
    Rating {
        likelihood: l,
        impact: i,
        level: lvl,
        level_name: m.level_name(idx).to_owned(),
        colour: m
            .risk_level(idx)
            .map_or_else(|| "#cccccc".to_owned(), |r| r.colour.clone()),
    }
}

fn snapshot(r: &RiskRow, controls: &[String], assets: &[Uuid]) -> serde_json::Value {
    serde_json::json!({
        "number": r.number, "title": r.title, "owner_id": r.owner_id, "status": r.status,
        "method_id": r.method_id,
        "inherent": [r.inherent_likelihood, r.inherent_impact, r.inherent_level],
        "treatment": r.treatment,
        "residual": [r.residual_likelihood, r.residual_impact, r.residual_level],
        "next_review_on": r.next_review_on.map(|d| format_date(d.0)),
        "needs_reassessment": r.needs_reassessment,
        "accepted": [r.accepted_likelihood, r.accepted_impact, r.accepted_level],
        "acceptance_expires_on": r.acceptance_expires_on.map(|d| format_date(d.0)),
        "controls": controls,
        "assets": assets,
    })
}

/// The assets linked to each of `risk_ids` (one query for a page of risks).
async fn linked_assets(
    c: &mut impl isms_db::AsConn,
    ctx: &OrgCtx,
    risk_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<AssetRef>>> {
    let mut out: HashMap<Uuid, Vec<AssetRef>> = HashMap::new();
    for (rid, id, number, name) in isms_db::assets::assets_of_risks(c, ctx.org.id, risk_ids).await?
    {
        out.entry(rid).or_default().push(AssetRef {
            id,
            reference: asset_reference(number),
            name,
        });
    }
    Ok(out)
}

/// The ids of the assets linked to one risk, in number order.
async fn asset_ids(
    c: &mut impl isms_db::AsConn,
    ctx: &OrgCtx,
    risk_id: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(linked_assets(c, ctx, &[risk_id])
        .await?
        .remove(&risk_id)
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.id)
        .collect())
}

impl App {
    /// Every method version of the organisation by id (a handful), for naming levels.
    async fn methods_by_id(&self, ctx: &OrgCtx) -> AppResult<HashMap<Uuid, RiskMethod>> {
        Ok(self
            .list_risk_methods(ctx)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect())
    }

    fn to_risk(
        &self,
        r: RiskWithNames,
        methods: &HashMap<Uuid, RiskMethod>,
        mut controls: Vec<String>,
        linked_assets: Vec<AssetRef>,
    ) -> AppResult<Risk> {
        sort_controls(&mut controls);
        let m = methods
            .get(&r.risk.method_id)
            .ok_or_else(|| AppError::Internal(format!("risk {} has no method", r.risk.id)))?;
        let x = r.risk;
        let today = self.today();
        let residual = match (x.residual_likelihood, x.residual_impact, x.residual_level) {
            (Some(l), Some(i), Some(lvl)) => Some(rating(&m.method, l, i, lvl)),
            _ => None,
        };
        let acceptance = match (
            x.accepted_at,
            x.accepted_likelihood,
            x.accepted_impact,
            x.accepted_level,
        ) {
            (Some(at), Some(l), Some(i), Some(lvl)) => {
                let now = residual
                    .as_ref()
                    .map_or((x.inherent_likelihood, x.inherent_impact), |r| {
                        (r.likelihood, r.impact)
                    });
                Some(Acceptance {
                    accepted_by: r.accepted_by_name,
                    accepted_at: at.0.rfc3339(),
                    rationale: x.acceptance_rationale.clone().unwrap_or_default(),
                    expires_on: x.acceptance_expires_on.map(|d| format_date(d.0)),
                    rating: rating(&m.method, l, i, lvl),
                    kind: x.acceptance_kind.clone().unwrap_or_default(),
                    outdated: now != (l, i),
                    expired: x.acceptance_expires_on.is_some_and(|d| d.0 < today),
                })
            }
            _ => None,
        };
        let status = RiskStatus::parse("status", &x.status).unwrap_or(RiskStatus::Assessed);
        Ok(Risk {
            id: x.id,
            number: x.number,
            reference: format!("R-{:03}", x.number),
            title: x.title,
            description: x.description,
            threat: x.threat,
            vulnerability: x.vulnerability,
            owner_id: x.owner_id,
            owner_name: r.owner_name,
            method_id: x.method_id,
            method_number: m.number,
            inherent: rating(
                &m.method,
                x.inherent_likelihood,
                x.inherent_impact,
                x.inherent_level,
            ),
            treatment: x.treatment,
            residual,
            status: x.status,
            status_label: status.label().to_owned(),
            review_overdue: status != RiskStatus::Closed
                && x.next_review_on.is_some_and(|d| d.0 < today),
            next_review_on: x.next_review_on.map(|d| format_date(d.0)),
            needs_reassessment: x.needs_reassessment,
            controls,
            assets: linked_assets.iter().map(|a| a.id).collect(),
            linked_assets,
            acceptance,
            created_at: x.created_at.0.rfc3339(),
            updated_at: x.updated_at.0.rfc3339(),
            version: x.version,
        })
    }

    async fn in_force_or_422(&self, ctx: &OrgCtx) -> AppResult<RiskMethod> {
        self.risk_method_in_force(ctx).await?.ok_or_else(|| {
            ValidationError::single(
                "method",
                "approve a risk assessment method first: risks are rated under the method in force",
            )
            .into()
        })
    }

    /// The owner must be a current member of this organisation.
    pub(crate) async fn check_owner(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        owner: Option<Uuid>,
    ) -> AppResult<()> {
        if let Some(u) = owner {
            let ok = orgs::membership_of(c, ctx.org.id, u)
                .await?
                .is_some_and(|m| membership_active(m.expires_on.map(|d| d.0), self.today()));
            if !ok {
                v.push("owner_id", "is not a member of this organisation");
            }
        }
        Ok(())
    }

    /// The register by number; filters as in [`RiskQuery`].
    pub async fn list_risks(&self, ctx: &OrgCtx, q: &RiskQuery) -> AppResult<Page<Risk>> {
        ctx.require(Permission::Read, "see the risk register")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = match decode_cursor(q.cursor.as_deref())? {
            None => None,
            Some(s) => s.parse::<i64>().ok().or_else(|| {
                v.push("cursor", "is not a cursor this server issued");
                None
            }),
        };
        if let Some(s) = &q.status {
            v.check(RiskStatus::parse("status", s));
        }
        let methods = self.methods_by_id(ctx).await?;
        let mut f = RiskFilter {
            status: q.status.clone(),
            owner_id: q.owner_id,
            inherent_level: q.level,
            residual_level: q.residual_level,
            needs_reassessment: q.needs_reassessment,
            asset_id: q.asset_id,
            ..Default::default()
        };
        if let Some(cell) = q.cell.as_deref().filter(|c| !c.is_empty()) {
            let parts: Vec<&str> = cell.split(':').collect();
            let nums = (
                parts.get(1).and_then(|x| x.parse::<i64>().ok()),
                parts.get(2).and_then(|x| x.parse::<i64>().ok()),
            );
            match (parts.first().copied(), nums, parts.len()) {
                (Some(kind @ ("inherent" | "residual")), (Some(l), Some(i)), 3) => {
                    let in_force = methods.values().find(|m| m.is_approved());
                    f.cell_method = Some(in_force.map_or(Uuid::nil(), |m| m.id));
                    if kind == "inherent" {
                        f.inherent_cell = Some((l, i));
                    } else {
                        f.residual_cell = Some((l, i));
                    }
                }
                _ => v.push(
                    "cell",
                    "must be inherent:L:I or residual:L:I, e.g. inherent:4:3",
                ),
            }
        }
        v.into_result()?;
        let mut c = self.db.read().await?;
        let mut rows = store::list_risks(&mut c, ctx.org.id, &f, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let ids: Vec<Uuid> = rows.iter().map(|r| r.risk.id).collect();
        let mut controls: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (rid, cid) in store::controls_of(&mut c, ctx.org.id, &ids).await? {
            controls.entry(rid).or_default().push(cid);
        }
        let mut assets = linked_assets(&mut c, ctx, &ids).await?;
        let next_cursor = if more {
            rows.last()
                .map(|r| encode_cursor(&r.risk.number.to_string()))
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|r| {
                let ctl = controls.remove(&r.risk.id).unwrap_or_default();
                let linked = assets.remove(&r.risk.id).unwrap_or_default();
                self.to_risk(r, &methods, ctl, linked)
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page { items, next_cursor })
    }

    pub async fn get_risk(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Risk> {
        ctx.require(Permission::Read, "see the risk register")?;
        let methods = self.methods_by_id(ctx).await?;
        let mut c = self.db.read().await?;
        let r = store::risk(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let controls = store::controls_of(&mut c, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let linked = linked_assets(&mut c, ctx, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        self.to_risk(r, &methods, controls, linked)
    }

    pub async fn create_risk(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewRisk,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "add risks")?;
        let method = self.in_force_or_422(ctx).await?;
        let m = &method.method;
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, 300));
        let description = text(&mut v, "description", &input.description, 8000);
        let threat = text(&mut v, "threat", &input.threat, 300);
        let vulnerability = text(&mut v, "vulnerability", &input.vulnerability, 300);
        let inherent = v.check(level(
            m,
            input.inherent_likelihood,
            input.inherent_impact,
            ("inherent_likelihood", "inherent_impact"),
        ));
        let treatment = match input.treatment.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => v.check(Treatment::parse("treatment", t)),
            None => None,
        };
        let residual = match (input.residual_likelihood, input.residual_impact) {
            (Some(l), Some(i)) => v
                .check(level(m, l, i, ("residual_likelihood", "residual_impact")))
                .map(|lvl| (l, i, lvl)),
            (None, None) => None,
            _ => {
                v.push(
                    "residual_impact",
                    "give both residual likelihood and impact, or neither",
                );
                None
            }
        };
        let next_review = parse_day(&mut v, "next_review_on", input.next_review_on.as_deref())
            .unwrap_or_else(|| {
                self.today() + time::Duration::days(i64::from(m.review_interval_days))
            });
        let mut tx = self.db.begin().await?;
        self.check_owner(&mut tx, ctx, &mut v, input.owner_id)
            .await?;
        let controls = parse_controls(&mut tx, ctx.org.id, &mut v, &input.controls).await?;
        let assets: Vec<Uuid> = self
            .check_assets(&mut tx, ctx, &mut v, "assets", &input.assets)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        v.into_result()?;
        let now = Ts(self.now());
        let status = if treatment.is_some() {
            RiskStatus::TreatmentPlanned
        } else {
            RiskStatus::Assessed
        };
        let row = RiskRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: store::next_number(&mut tx, ctx.org.id).await?,
            title: title.unwrap_or_default(),
            description,
            threat,
            vulnerability,
            owner_id: input.owner_id,
            method_id: method.id,
            inherent_likelihood: input.inherent_likelihood,
            inherent_impact: input.inherent_impact,
            inherent_level: i64::from(inherent.unwrap_or(0)),
            treatment: treatment.map(|t| t.as_str().to_owned()),
            residual_likelihood: residual.map(|r| r.0),
            residual_impact: residual.map(|r| r.1),
            residual_level: residual.map(|r| i64::from(r.2)),
            status: status.as_str().into(),
            next_review_on: Some(Day(next_review)),
            needs_reassessment: false,
            accepted_by: None,
            accepted_at: None,
            acceptance_rationale: None,
            acceptance_expires_on: None,
            accepted_likelihood: None,
            accepted_impact: None,
            accepted_level: None,
            acceptance_kind: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_risk(&mut tx, &row).await?;
        store::set_controls(&mut tx, ctx.org.id, row.id, &controls).await?;
        isms_db::assets::set_risk_assets(&mut tx, ctx.org.id, row.id, &assets).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("added risk R-{:03} \"{}\"", row.number, row.title),
                before: None,
                after: Some(snapshot(&row, &controls, &assets)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_risk(ctx, row.id).await
    }

    pub async fn update_risk(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &RiskPatch,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "change risks")?;
        let in_force = self.risk_method_in_force(ctx).await?;
        let mut tx = self.db.begin().await?;
        let before = store::risk(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?
            .risk;
        let before_controls: Vec<String> = store::controls_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let before_assets = asset_ids(&mut tx, ctx, id).await?;
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, 300))
        {
            row.title = t;
        }
        if let Some(d) = &patch.description {
            row.description = text(&mut v, "description", d, 8000);
        }
        if let Some(d) = &patch.threat {
            row.threat = text(&mut v, "threat", d, 300);
        }
        if let Some(d) = &patch.vulnerability {
            row.vulnerability = text(&mut v, "vulnerability", d, 300);
        }
        if let Some(o) = patch.owner_id {
            self.check_owner(&mut tx, ctx, &mut v, o).await?;
            row.owner_id = o;
        }
        if let Some(t) = &patch.treatment {
            row.treatment = match t.as_deref().filter(|t| !t.is_empty()) {
                Some(t) => v
                    .check(Treatment::parse("treatment", t))
                    .map(|t| t.as_str().to_owned()),
                None => None,
            };
        }
        // A new rating is made under the method in force.
        let rates = patch.inherent_likelihood.is_some()
            || patch.inherent_impact.is_some()
            || patch.residual_likelihood.is_some()
            || patch.residual_impact.is_some();
        if rates {
            let Some(method) = &in_force else {
                return Err(ValidationError::single(
                    "method",
                    "approve a risk assessment method first",
                )
                .into());
            };
            let m = &method.method;
            row.inherent_likelihood = patch.inherent_likelihood.unwrap_or(row.inherent_likelihood);
            row.inherent_impact = patch.inherent_impact.unwrap_or(row.inherent_impact);
            if let Some(lvl) = v.check(level(
                m,
                row.inherent_likelihood,
                row.inherent_impact,
                ("inherent_likelihood", "inherent_impact"),
            )) {
                row.inherent_level = i64::from(lvl);
            }
            if let Some(l) = patch.residual_likelihood {
                row.residual_likelihood = l;
            }
            if let Some(i) = patch.residual_impact {
                row.residual_impact = i;
            }
            match (row.residual_likelihood, row.residual_impact) {
                (Some(l), Some(i)) => {
                    row.residual_level = v
                        .check(level(m, l, i, ("residual_likelihood", "residual_impact")))
                        .map(i64::from);
                }
                (None, None) => row.residual_level = None,
                _ => v.push(
                    "residual_impact",
                    "give both residual likelihood and impact, or neither",
                ),
            }
            row.method_id = method.id;
            row.needs_reassessment = false;
        }
        let controls = match &patch.controls {
            Some(c) => parse_controls(&mut tx, ctx.org.id, &mut v, c).await?,
            None => before_controls.clone(),
        };
        let assets = match &patch.assets {
            Some(a) => self
                .check_assets(&mut tx, ctx, &mut v, "assets", a)
                .await?
                .into_iter()
                .map(|a| a.id)
                .collect(),
            None => before_assets.clone(),
        };
        if let Some(d) = &patch.next_review_on {
            row.next_review_on = parse_day(&mut v, "next_review_on", d.as_deref()).map(Day);
        }
        if let Some(s) = &patch.status
            && let Some(to) = v.check(RiskStatus::parse("status", s))
        {
            let from = RiskStatus::parse("status", &before.status).unwrap_or(RiskStatus::Assessed);
            if v.check(check_transition(from, to)).is_some() {
                row.status = to.as_str().into();
                if from == RiskStatus::Accepted && to != RiskStatus::Accepted {
                    // The acceptance is withdrawn; the audit trail keeps what it was.
                    row.accepted_by = None;
                    row.accepted_at = None;
                    row.acceptance_rationale = None;
                    row.acceptance_expires_on = None;
                    row.accepted_likelihood = None;
                    row.accepted_impact = None;
                    row.accepted_level = None;
                    row.acceptance_kind = None;
                }
            }
        }
        v.into_result()?;
        row.version = patch.version;
        row.updated_at = Ts(self.now());
        if !store::update_risk(&mut tx, &row).await? {
            return Err(AppError::stale("risk"));
        }
        if controls != before_controls {
            store::set_controls(&mut tx, ctx.org.id, id, &controls).await?;
        }
        if assets != before_assets {
            isms_db::assets::set_risk_assets(&mut tx, ctx.org.id, id, &assets).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed risk R-{:03} \"{}\"", row.number, row.title),
                before: Some(snapshot(&before, &before_controls, &before_assets)),
                after: Some(snapshot(&row, &controls, &assets)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_risk(ctx, id).await
    }

    /// Record acceptance of the remaining risk: who, when, why, until when. The accepted
    /// rating is frozen; later rating changes show the acceptance as outdated.
    pub async fn accept_risk(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &AcceptRisk,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "accept risks")?;
        let Some(acceptor) = actor.id() else {
            return Err(AppError::forbidden(
                "accept risks (a person accepts a risk)",
            ));
        };
        let methods = self.methods_by_id(ctx).await?;
        let mut tx = self.db.begin().await?;
        let before = store::risk(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?
            .risk;
        let mut v = ValidationError::new();
        let status = RiskStatus::parse("status", &before.status).unwrap_or(RiskStatus::Assessed);
        v.check(check_can_accept(status));
        if before.needs_reassessment {
            v.push(
                "status",
                "reassess the risk under the method in force before accepting it",
            );
        }
        let m = methods
            .get(&before.method_id)
            .ok_or_else(|| AppError::Internal("risk without method".into()))?;
        let (l, i, lvl) = match (
            before.residual_likelihood,
            before.residual_impact,
            before.residual_level,
        ) {
            (Some(l), Some(i), Some(lvl)) => (l, i, lvl),
            _ => (
                before.inherent_likelihood,
                before.inherent_impact,
                before.inherent_level,
            ),
        };
        let expires = parse_day(&mut v, "expires_on", input.expires_on.as_deref());
        let kind = v.check(check_acceptance(
            &m.method,
            &AcceptanceInput {
                residual_level: u8::try_from(lvl).unwrap_or(u8::MAX),
                rationale: input.rationale.clone(),
                expires_on: expires,
                acceptor_is_owner: before.owner_id == Some(acceptor),
                acceptor_can_approve: ctx.can(Permission::Approve),
            },
            self.today(),
        ));
        v.into_result()?;
        let mut row = before.clone();
        row.status = RiskStatus::Accepted.as_str().into();
        row.accepted_by = Some(acceptor);
        row.accepted_at = Some(Ts(self.now()));
        row.acceptance_rationale = Some(input.rationale.trim().to_owned());
        row.acceptance_expires_on = expires.map(Day);
        row.accepted_likelihood = Some(l);
        row.accepted_impact = Some(i);
        row.accepted_level = Some(lvl);
        row.acceptance_kind = kind.map(|k| k.as_str().to_owned());
        row.version = input.version;
        row.updated_at = Ts(self.now());
        if !store::update_risk(&mut tx, &row).await? {
            return Err(AppError::stale("risk"));
        }
        let controls: Vec<String> = store::controls_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let assets = asset_ids(&mut tx, ctx, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk",
                entity_id: id.to_string(),
                action: "accept",
                summary: format!(
                    "accepted risk R-{:03} at level {} until {}",
                    row.number,
                    m.method.level_name(u8::try_from(lvl).unwrap_or(u8::MAX)),
                    expires.map(format_date).unwrap_or_default()
                ),
                before: Some(snapshot(&before, &controls, &assets)),
                after: Some(snapshot(&row, &controls, &assets)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_risk(ctx, id).await
    }

    pub async fn delete_risk(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove risks")?;
        let mut tx = self.db.begin().await?;
        let before = store::risk(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?
            .risk;
        let controls: Vec<String> = store::controls_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let assets = asset_ids(&mut tx, ctx, id).await?;
        store::delete_risk(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "risk",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed risk R-{:03} \"{}\"", before.number, before.title),
                before: Some(snapshot(&before, &controls, &assets)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Risks per cell of the matrix in force, before and after treatment.
    pub async fn risk_heatmap(&self, ctx: &OrgCtx) -> AppResult<Option<HeatMap>> {
        ctx.require(Permission::Read, "see the risk register")?;
        let Some(method) = self.risk_method_in_force(ctx).await? else {
            return Ok(None);
        };
        let m = &method.method;
        let mut c = self.db.read().await?;
        let (inh, res) = store::heat_counts(&mut c, ctx.org.id, method.id).await?;
        let grid = |cells: &[(i64, i64, i64)]| {
            let mut g = vec![vec![0usize; m.impact.len()]; m.likelihood.len()];
            for (l, i, n) in cells {
                let cell = usize::try_from(*l - 1)
                    .ok()
                    .zip(usize::try_from(*i - 1).ok())
                    .and_then(|(l, i)| g.get_mut(l).and_then(|r| r.get_mut(i)));
                if let Some(cell) = cell {
                    *cell += usize::try_from(*n).unwrap_or(0);
                }
            }
            g
        };
        let awaiting = store::count_awaiting_reassessment(&mut c, ctx.org.id).await?;
        Ok(Some(HeatMap {
            method_id: method.id,
            method_number: method.number,
            inherent: grid(&inh),
            residual: grid(&res),
            awaiting_reassessment: awaiting,
        }))
    }

    /// Flag the risks rated under another method version than `method_id` (called when a
    /// new version is approved, in its transaction).
    pub(crate) async fn flag_risks_for_reassessment(
        &self,
        tx: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        method_id: Uuid,
    ) -> AppResult<u64> {
        Ok(store::flag_other_methods(tx, ctx.org.id, method_id, Ts(self.now())).await?)
    }
}
