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
    async fn methods_by_id(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<HashMap<Uuid, RiskMethod>> {
        Ok(self
            .list_risk_methods_in(c, ctx)
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

    async fn in_force_or_422(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<RiskMethod> {
        self.risk_method_in_force_in(c, ctx).await?.ok_or_else(|| {
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
        let mut c = self.db.read().await?;
        let methods = self.methods_by_id(&mut c, ctx).await?;
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
        let mut c = self.db.read().await?;
        self.load_risk(&mut c, ctx, id).await
    }

    /// One risk read through `c` (the caller's transaction sees its own writes).
    async fn load_risk(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Risk> {
        let methods = self.methods_by_id(c, ctx).await?;
        let r = store::risk(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let controls = store::controls_of(c, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let linked = linked_assets(c, ctx, &[id])
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
        let mut tx = self.db.begin().await?;
        let out = self
            .create_risk_in(&mut tx, actor, ctx, input, None, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a risk inside the caller's transaction. An import gives the `number` (blank:
    /// the next free one) and the `status` its file says the risk is in: a new risk may
    /// start anywhere in its life cycle but accepted (acceptance is its own step, which
    /// records who accepted it, why and until when). Without one, a risk starts assessed,
    /// or with its treatment planned when a treatment is chosen.
    pub(crate) async fn create_risk_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewRisk,
        number: Option<i64>,
        status: Option<RiskStatus>,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "add risks")?;
        let method = self.in_force_or_422(tx, ctx).await?;
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
        if status == Some(RiskStatus::Accepted) {
            v.push(
                "status",
                "a risk is accepted through the acceptance step, which records who accepted it, why and until when; import it with its status before acceptance and accept it in the register",
            );
        }
        self.check_owner(tx, ctx, &mut v, input.owner_id).await?;
        let controls = parse_controls(tx, ctx.org.id, &mut v, &input.controls).await?;
        let assets: Vec<Uuid> = self
            .check_assets(tx, ctx, &mut v, "assets", &input.assets)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        v.into_result()?;
        let now = Ts(self.now());
        let status = match status {
            Some(s) => s,
            None if treatment.is_some() => RiskStatus::TreatmentPlanned,
            None => RiskStatus::Assessed,
        };
        let row = RiskRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: match number {
                Some(n) => n,
                None => store::next_number(tx, ctx.org.id).await?,
            },
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
        store::insert_risk(tx, &row).await?;
        store::set_controls(tx, ctx.org.id, row.id, &controls).await?;
        isms_db::assets::set_risk_assets(tx, ctx.org.id, row.id, &assets).await?;
        record(
            self,
            tx,
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
        self.load_risk(tx, ctx, row.id).await
    }

    pub async fn update_risk(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &RiskPatch,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "change risks")?;
        let mut tx = self.db.begin().await?;
        let out = self.update_risk_in(&mut tx, actor, ctx, id, patch).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a risk inside the caller's transaction; a stale `version` is 409.
    pub(crate) async fn update_risk_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &RiskPatch,
    ) -> AppResult<Risk> {
        ctx.require(Permission::Write, "change risks")?;
        let in_force = self.risk_method_in_force(ctx).await?;
        let before = store::risk(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?
            .risk;
        let before_controls: Vec<String> = store::controls_of(tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let before_assets = asset_ids(tx, ctx, id).await?;
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
            self.check_owner(tx, ctx, &mut v, o).await?;
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
            Some(c) => parse_controls(tx, ctx.org.id, &mut v, c).await?,
            None => before_controls.clone(),
        };
        let assets = match &patch.assets {
            Some(a) => self
                .check_assets(tx, ctx, &mut v, "assets", a)
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
        if !store::update_risk(tx, &row).await? {
            return Err(AppError::stale("risk"));
        }
        if controls != before_controls {
            store::set_controls(tx, ctx.org.id, id, &controls).await?;
        }
        if assets != before_assets {
            isms_db::assets::set_risk_assets(tx, ctx.org.id, id, &assets).await?;
        }
        record(
            self,
            tx,
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
        self.load_risk(tx, ctx, id).await
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
        let methods = self.methods_by_id(&mut self.db.read().await?, ctx).await?;
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

/// The columns of the risk import, as the risk register's export writes them. The levels,
/// `method_version` and `needs_reassessment` are derived and ignored; `accepted_until`
/// is written by the acceptance step and ignored too.
pub const RISK_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "risk id"]),
        Column::req("title").aka(&["name", "risk"]),
        Column::opt("threat"),
        Column::opt("vulnerability"),
        Column::opt("owner").aka(&["risk owner"]),
        Column::req("inherent_likelihood").aka(&["likelihood"]),
        Column::req("inherent_impact").aka(&["impact"]),
        Column::opt("treatment"),
        Column::opt("controls").list(),
        Column::opt("residual_likelihood"),
        Column::opt("residual_impact"),
        Column::opt("status"),
        Column::opt("next_review_on").aka(&["next review", "review date"]),
        Column::opt("assets").list(),
        Column::opt("description"),
    ]
};

/// CISO Assistant's risk-assessment sheet, read by its header: `ref_id` and a `…_proba`
/// column.
fn is_ciso_sheet(rows: &[Vec<String>]) -> bool {
    let heads: Vec<String> = rows.first().map_or_else(Vec::new, |h| {
        h.iter()
            .map(|c| {
                c.trim()
                    .to_lowercase()
                    .replace(['_', '-'], " ")
                    .trim_end_matches(['*', ' '])
                    .to_owned()
            })
            .collect()
    });
    let has = |n: &str| heads.iter().any(|h| h == n);
    has("ref id") && (has("inherent proba") || has("current proba") || has("residual proba"))
}

/// Our treatment for CISO Assistant's (`open` is not decided yet).
fn ciso_treatment(s: &str) -> Result<&'static str, String> {
    match s.trim().to_lowercase().as_str() {
        "" | "open" | "--" => Ok(""),
        "mitigate" | "mitigated" | "reduce" => Ok("modify"),
        "accept" | "accepted" | "retain" => Ok("retain"),
        "avoid" | "avoided" => Ok("avoid"),
        "transfer" | "transferred" | "share" => Ok("share"),
        other => Err(format!(
            "\"{other}\" is not a treatment: open, mitigate, accept, avoid or transfer"
        )),
    }
}

/// A CISO Assistant impact or probability cell as a value of our scale: a level's name
/// (any case) or its number; blank and `--` (not rated) give "".
fn ciso_level(scale: &isms_domain::risk::Scale, what: &str, s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t == "--" {
        return Ok(String::new());
    }
    if let Some(l) = scale
        .levels
        .iter()
        .find(|l| l.name.trim().eq_ignore_ascii_case(t))
    {
        return Ok(l.value.to_string());
    }
    let n = t.strip_suffix(".0").unwrap_or(t);
    if let Ok(v) = n.parse::<i64>()
        && scale.get(v).is_some()
    {
        return Ok(v.to_string());
    }
    Err(format!(
        "\"{t}\" is not {what} of the method in force: give one of {} (or 1 to {})",
        scale
            .levels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        scale.len()
    ))
}

/// CISO Assistant's controls cell (one per line) as our control references; a line that
/// starts with an Annex A id (`A.5.15 Access control`) gives that id.
fn ciso_controls(cell: &str) -> Result<Vec<String>, Vec<String>> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for line in cell.lines().flat_map(|l| l.split(';')) {
        let line = line.trim().trim_start_matches(['-', '*', '•']).trim();
        if line.is_empty() {
            continue;
        }
        let first = line
            .split(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap_or(line);
        let parsed = parse_control_ref("c", line).or_else(|e| {
            if isms_domain::control::looks_like_annex_a(first) {
                parse_control_ref("c", first)
            } else {
                Err(e)
            }
        });
        match parsed {
            Ok(r) => out.push(r.key().to_owned()),
            Err(e) => bad.extend(e.errors.into_iter().map(|e| e.message)),
        }
    }
    if bad.is_empty() { Ok(out) } else { Err(bad) }
}

/// Turn CISO Assistant's risk-assessment rows into ours, line for line. The rating before
/// treatment is the current one (with the existing controls) or, when that is blank, the
/// inherent one; the residual one is the residual. Existing and additional controls both
/// become the risk's controls. A `ref_id` like `R-007` keys the row; any other keys it by
/// the risk's name when a risk of that name exists (else the row adds a risk).
fn ciso_rows(
    rows: &[Vec<String>],
    m: &Method,
    titles: &HashMap<String, String>,
) -> Result<Vec<Vec<String>>, ValidationError> {
    use isms_domain::import::{Cells, Column, Header, parse_reference};
    const CISO: &[Column] = &[
        Column::opt("ref_id"),
        Column::req("name"),
        Column::opt("description"),
        Column::opt("inherent_impact"),
        Column::opt("inherent_proba"),
        Column::opt("existing_controls"),
        Column::opt("current_impact"),
        Column::opt("current_proba"),
        Column::opt("additional_controls"),
        Column::opt("residual_impact"),
        Column::opt("residual_proba"),
        Column::opt("treatment"),
    ];
    let Some(head) = rows.first() else {
        return Err(ValidationError::single("file", "the file is empty"));
    };
    let header = Header::find(head, CISO)?;
    let mut v = ValidationError::new();
    let mut out = vec![
        [
            "reference",
            "title",
            "description",
            "inherent_likelihood",
            "inherent_impact",
            "treatment",
            "controls",
            "residual_likelihood",
            "residual_impact",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            out.push(Vec::new());
            continue;
        }
        let mut c = Cells::new(i + 1, row, &header);
        let name = c.get("name").to_owned();
        let reference = match c.get("ref_id") {
            r if parse_reference("R", r).is_ok() => r.to_owned(),
            _ => titles
                .get(&name.trim().to_lowercase())
                .cloned()
                .unwrap_or_default(),
        };
        let level = |c: &mut Cells<'_>, field: &str, scale: &isms_domain::risk::Scale| {
            let what = if field.ends_with("proba") {
                "a likelihood"
            } else {
                "an impact"
            };
            match ciso_level(scale, what, c.get(field)) {
                Ok(s) => s,
                Err(msg) => {
                    c.bad(field, msg);
                    String::new()
                }
            }
        };
        let inh_l = level(&mut c, "inherent_proba", &m.likelihood);
        let inh_i = level(&mut c, "inherent_impact", &m.impact);
        let cur_l = level(&mut c, "current_proba", &m.likelihood);
        let cur_i = level(&mut c, "current_impact", &m.impact);
        let res_l = level(&mut c, "residual_proba", &m.likelihood);
        let res_i = level(&mut c, "residual_impact", &m.impact);
        let (before_l, before_i) = if cur_l.is_empty() && cur_i.is_empty() {
            (inh_l, inh_i)
        } else {
            (cur_l, cur_i)
        };
        let treatment = match ciso_treatment(c.get("treatment")) {
            Ok(t) => t.to_owned(),
            Err(msg) => {
                c.bad("treatment", msg);
                String::new()
            }
        };
        let mut controls = Vec::new();
        for field in ["existing_controls", "additional_controls"] {
            match ciso_controls(c.get(field)) {
                Ok(list) => controls.extend(list),
                Err(msgs) => {
                    for msg in msgs {
                        c.bad(field, msg);
                    }
                }
            }
        }
        let mut unique: Vec<String> = Vec::new();
        for k in controls {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        let description = c.get("description").to_owned();
        v.errors.extend(c.errors.errors);
        out.push(vec![
            reference,
            name,
            description,
            before_l,
            before_i,
            treatment,
            unique.join("; "),
            res_l,
            res_i,
        ]);
    }
    v.into_result().map(|()| out)
}

impl App {
    /// Every risk of the register, by number.
    async fn every_risk(&self, ctx: &OrgCtx) -> AppResult<Vec<Risk>> {
        let mut q = RiskQuery {
            limit: Some(500),
            ..Default::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.list_risks(ctx, &q).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Import the risk register from CSV or XLSX (see `import_rows`): our own export, or
    /// CISO Assistant's risk-assessment sheet (see docs/import.md). Ratings are made under
    /// the method in force; owners are members by e-mail or name; assets are references
    /// (import the assets first).
    pub(crate) async fn import_risks(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{
            Outcome, Sheet, new_list, new_opt, new_text, patch_list, patch_text,
        };
        use isms_domain::import::{Cells, RowAction};
        ctx.require(Permission::Write, "import risks")?;
        progress.start("reading the file", 0);
        let rows = crate::imports::read_rows(bytes)?;
        progress.finish();
        let sha256 = crate::imports::sha256_hex(bytes);
        let risks = self.every_risk(ctx).await?;
        let sheet = if is_ciso_sheet(&rows) {
            let method = self
                .in_force_or_422(&mut self.db.read().await?, ctx)
                .await?;
            let titles: HashMap<String, String> = risks
                .iter()
                .map(|r| (r.title.trim().to_lowercase(), r.reference.clone()))
                .collect();
            let ours = ciso_rows(&rows, &method.method, &titles)?;
            Sheet::from_rows(ours, sha256, RISK_COLUMNS)?
        } else {
            Sheet::from_rows(rows, sha256, RISK_COLUMNS)?
        };
        let current = self.risks_table(ctx).await?;
        let plan = sheet.plan("R", RISK_COLUMNS, &current)?;
        let by_number: HashMap<i64, &Risk> = risks.iter().map(|r| (r.number, r)).collect();
        let mut tx = self.db.begin().await?;
        let members = self.members_index(&mut tx, ctx).await?;
        let assets = crate::assets::AssetIndex::load(&mut tx, ctx).await?;
        let mut out = Outcome::new("risks", &sheet, plan.len(), dry_run);
        progress.start("importing risks", plan.len() as u64);
        /// A rating cell: a whole number, blank `None`; a required one blank is reported.
        fn rating_cell(c: &mut Cells<'_>, field: &str, required: bool) -> Option<i64> {
            let n = c.int(field);
            if n.is_none() && required && c.get(field).is_empty() {
                c.bad(field, "give a value of the method's scale (1, 2, …)");
            }
            n
        }
        for (mut c, action) in plan {
            progress.advance(1);
            if let RowAction::Unchanged(_) = action {
                out.unchanged();
                continue;
            }
            let reference = format!("R-{:03}", action.number());
            let owner = c.opt("owner").map(|_| members.resolve(&mut c, "owner"));
            let linked = c.opt("assets").map(|_| assets.list(&mut c, "assets"));
            let status = match c.opt("status").filter(|s| !s.is_empty()) {
                Some(s) => {
                    let r = RiskStatus::parse("status", s);
                    c.check("status", r)
                }
                None => None,
            };
            let inh_l = rating_cell(&mut c, "inherent_likelihood", true);
            let inh_i = rating_cell(&mut c, "inherent_impact", true);
            let res_l = rating_cell(&mut c, "residual_likelihood", false);
            let res_i = rating_cell(&mut c, "residual_impact", false);
            if out.cells(&mut c) {
                continue;
            }
            match action {
                RowAction::Create(n) => {
                    let input = NewRisk {
                        title: new_text(&c, "title"),
                        description: new_text(&c, "description"),
                        threat: new_text(&c, "threat"),
                        vulnerability: new_text(&c, "vulnerability"),
                        owner_id: owner.flatten(),
                        inherent_likelihood: inh_l.unwrap_or(0),
                        inherent_impact: inh_i.unwrap_or(0),
                        treatment: new_opt(&c, "treatment"),
                        residual_likelihood: res_l,
                        residual_impact: res_i,
                        controls: new_list(&c, "controls"),
                        assets: linked.unwrap_or_default(),
                        next_review_on: new_opt(&c, "next_review_on"),
                    };
                    let r = self
                        .create_risk_in(&mut tx, actor, ctx, &input, Some(n), status)
                        .await;
                    out.row(c.line, action, reference, r)?;
                }
                RowAction::Update(n) => {
                    let Some(now) = by_number.get(&n) else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    // Ratings are written only when they change: a new rating is made
                    // under the method in force (and ends a pending reassessment).
                    let residual_now = now.residual.as_ref();
                    let changed = |new: Option<i64>, old: Option<i64>| (new != old).then_some(new);
                    let has_residual = c.opt("residual_likelihood").is_some()
                        || c.opt("residual_impact").is_some();
                    let patch = RiskPatch {
                        title: patch_text(&c, "title"),
                        description: patch_text(&c, "description"),
                        threat: patch_text(&c, "threat"),
                        vulnerability: patch_text(&c, "vulnerability"),
                        owner_id: owner,
                        inherent_likelihood: inh_l.filter(|l| *l != now.inherent.likelihood),
                        inherent_impact: inh_i.filter(|i| *i != now.inherent.impact),
                        treatment: c
                            .opt("treatment")
                            .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned)),
                        residual_likelihood: if has_residual {
                            changed(res_l, residual_now.map(|r| r.likelihood))
                        } else {
                            None
                        },
                        residual_impact: if has_residual {
                            changed(res_i, residual_now.map(|r| r.impact))
                        } else {
                            None
                        },
                        controls: patch_list(&c, "controls"),
                        assets: linked,
                        next_review_on: c
                            .opt("next_review_on")
                            .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned)),
                        status: status.map(|s| s.as_str().to_owned()),
                        version: now.version,
                    };
                    let r = self
                        .update_risk_in(&mut tx, actor, ctx, now.id, &patch)
                        .await;
                    out.row(c.line, action, reference, r)?;
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}
