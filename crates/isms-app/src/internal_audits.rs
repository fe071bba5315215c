//! Internal audit (ISO 27001 9.2): audit areas, the programme over the certification
//! cycle with its coverage matrix, audits with an independence check, checklists with our
//! own questions, and the audit report. Changes need `AuditWrite`; reading needs `Read`.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::internal_audits::{
    self as store, AreaRow, AreaWithOwner, AuditRow, AuditWithNames, ChecklistRow,
    ChecklistWithNames, EntryRow,
};
use isms_db::{AsConn, Day, Ts, own_controls};
use isms_domain::ValidationError;
use isms_domain::evidence::{evidence_ref, parse_evidence_ref};
use isms_domain::internal_audit::{
    self as dom, AreaPeople, AuditStatus, Auditor, Conflict, Coverage, DEFAULT_CRITERIA,
    ItemResult, MAX_TEXT, MAX_TITLE, audit_ref, parse_item, sort_key,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::{Permission, Role, can, membership_active};
use isms_domain::time::{format_date, parse_date};
use isms_export::{Report, Section, Table};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// Most people on one audit team or in one area.
pub const MAX_PEOPLE: usize = 50;

/// A person named on a record.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

/// A department or process an audit looks at.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditArea {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// The people who work in it (they may not audit it).
    pub members: Vec<PersonRef>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAuditArea {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A member of the organisation.
    pub owner_id: Option<Uuid>,
    /// Members who work in the area.
    #[serde(default)]
    pub members: Vec<Uuid>,
}

/// Omitted fields keep their value; `owner_id: null` clears the owner.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditAreaPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub members: Option<Vec<Uuid>>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// One row of the coverage matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatrixRow {
    /// `9.2.2`, `A.5.15` or `NW-07`.
    pub item: String,
    pub title: String,
    /// `clause` or `control`.
    pub kind: String,
    /// Treats a risk whose current level is high or above: audited every year.
    pub high_risk: bool,
    /// One per cycle year: `planned`, `audited` or `not_planned`.
    pub cells: Vec<String>,
    /// Years it should be audited in.
    pub required: usize,
    /// Years it is planned or audited in.
    pub covered: usize,
    /// Planned in no year of the cycle.
    pub hole: bool,
    /// Planned less often than its risk calls for.
    pub under_planned: bool,
}

/// The audit programme (9.2.2) over the certification cycle.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Programme {
    pub cycle_start_year: i32,
    pub years: Vec<i32>,
    /// Where the applicable controls come from, in words.
    pub basis: String,
    /// The organisation has no SoA yet, so all 93 Annex A controls count.
    pub all_controls_assumed: bool,
    pub items: usize,
    /// Items planned in no year of the cycle, first.
    pub holes: Vec<MatrixRow>,
    pub under_planned: Vec<MatrixRow>,
    pub rows: Vec<MatrixRow>,
    /// 0 while the settings were never saved.
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatch {
    pub cycle_start_year: i32,
    /// The version you read (0 before the settings were first saved).
    pub version: i64,
}

/// Plan an item in a year of the cycle.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgrammeEntry {
    pub year: i32,
    /// `9.2.2`, `A.5.15` or `NW-07`.
    pub item: String,
}

/// An item in an audit's scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeItem {
    pub item: String,
    pub title: String,
}

/// An auditee area on an audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaRef {
    pub id: Uuid,
    pub name: String,
}

/// An internal audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Audit {
    pub id: Uuid,
    /// `AUD-2026-01`.
    pub reference: String,
    pub title: String,
    pub criteria: String,
    pub scope: Vec<ScopeItem>,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    /// `planned`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    pub lead_auditor_id: Option<Uuid>,
    pub lead_auditor_name: Option<String>,
    /// An external lead auditor's name (instead of a member).
    pub lead_auditor_external: Option<String>,
    pub team: Vec<PersonRef>,
    pub areas: Vec<AreaRef>,
    /// Why an auditor is not independent of what they audit (recorded when accepted).
    #[schema(value_type = Vec<Object>)]
    pub independence_conflicts: Vec<Conflict>,
    pub independence_justification: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAudit {
    pub title: String,
    /// Default: ISO/IEC 27001:2022 and the organisation's ISMS documentation.
    pub criteria: Option<String>,
    /// Clauses and controls: `9.2.2`, `A.5.15`, `NW-07`.
    #[serde(default)]
    pub scope: Vec<String>,
    /// YYYY-MM-DD.
    pub planned_start: String,
    pub planned_end: String,
    /// A member whose role may record audits.
    pub lead_auditor_id: Option<Uuid>,
    /// An external lead auditor's name, instead of a member.
    pub lead_auditor_external: Option<String>,
    #[serde(default)]
    pub team: Vec<Uuid>,
    /// Audit areas audited.
    #[serde(default)]
    pub areas: Vec<Uuid>,
    /// Needed when an auditor owns or works in an area, or owns a control, in scope.
    pub independence_justification: Option<String>,
}

/// Omitted fields keep their value. Setting `status` moves the audit on: `in_progress`
/// generates the checklist (and sets `actual_start`), `completed` needs every item
/// answered (and sets `actual_end`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPatch {
    pub title: Option<String>,
    pub criteria: Option<String>,
    pub scope: Option<Vec<String>>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub actual_start: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub actual_end: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub lead_auditor_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub lead_auditor_external: Option<Option<String>>,
    pub team: Option<Vec<Uuid>>,
    pub areas: Option<Vec<Uuid>>,
    pub independence_justification: Option<String>,
    pub status: Option<String>,
    pub version: i64,
}

/// Filters of the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A piece of evidence sampled for a checklist item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SampledEvidence {
    pub id: Uuid,
    /// `EV-0001`.
    pub reference: String,
    pub title: String,
}

/// One checklist item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistItem {
    pub id: Uuid,
    pub item: String,
    pub title: String,
    /// Our own audit questions.
    pub questions: Vec<String>,
    /// `conforming`, `nonconforming`, `observation`, `opportunity_for_improvement`,
    /// `not_audited`; absent while open.
    pub result: Option<String>,
    pub notes: String,
    /// What was sampled, in words.
    pub evidence_note: String,
    pub evidence: Vec<SampledEvidence>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<String>,
    /// The finding grade proposed for a result that calls for one (`minor_nc`,
    /// `observation`, `ofi`).
    pub proposed_grade: Option<String>,
    /// The reference a finding takes (`9.2.2`, `5.15`).
    pub finding_reference: String,
    pub version: i64,
}

/// The checklist of an audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checklist {
    pub audit_id: Uuid,
    pub total: usize,
    pub answered: usize,
    /// Count per result.
    pub by_result: BTreeMap<String, usize>,
    pub items: Vec<ChecklistItem>,
}

/// An answer to a checklist item. Omitted fields keep their value; `result: null` opens
/// the item again.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub result: Option<Option<String>>,
    pub notes: Option<String>,
    pub evidence_note: Option<String>,
    /// Evidence sampled: `EV-0001` references; replaces the list.
    pub evidence: Option<Vec<String>>,
    pub version: i64,
}

fn day(d: Option<Day>) -> Option<String> {
    d.map(|d| format_date(d.0))
}

fn text(v: &mut ValidationError, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        v.push(field, "must be at most 8000 characters");
    }
    s.to_owned()
}

fn req_date(v: &mut ValidationError, field: &str, s: &str) -> Option<Date> {
    let d = parse_date(s);
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn opt_date(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    req_date(v, field, s)
}

fn parse_scope(v: &mut ValidationError, scope: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, s) in scope.iter().enumerate() {
        if let Some(k) = v.check(parse_item(&format!("scope[{i}]"), s))
            && !out.contains(&k)
        {
            out.push(k);
        }
    }
    out.sort_by_key(|k| sort_key(k));
    out
}

fn area_view(a: AreaWithOwner, members: Vec<PersonRef>) -> AuditArea {
    AuditArea {
        id: a.area.id,
        name: a.area.name,
        description: a.area.description,
        owner_id: a.area.owner_id,
        owner_name: a.owner_name,
        members,
        version: a.area.version,
    }
}

fn matrix_row(r: &dom::CoverageRow) -> MatrixRow {
    MatrixRow {
        item: r.item.key.clone(),
        title: r.item.title.clone(),
        kind: match dom::item_kind(&r.item.key) {
            dom::ItemKind::Clause => "clause".into(),
            dom::ItemKind::Control => "control".into(),
        },
        high_risk: r.item.high_risk,
        cells: r.cells.iter().map(|c| c.as_str().to_owned()).collect(),
        required: r.required,
        covered: r.covered,
        hole: r.is_hole(),
        under_planned: r.is_under_planned(),
    }
}

fn audit_snapshot(
    r: &AuditRow,
    scope: &[String],
    team: &[Uuid],
    areas: &[Uuid],
) -> serde_json::Value {
    serde_json::json!({
        "reference": audit_ref(i32::try_from(r.year).unwrap_or(0), r.seq),
        "title": r.title, "criteria": r.criteria, "status": r.status,
        "planned_start": format_date(r.planned_start.0), "planned_end": format_date(r.planned_end.0),
        "actual_start": day(r.actual_start), "actual_end": day(r.actual_end),
        "lead_auditor_id": r.lead_auditor_id, "lead_auditor_external": r.lead_auditor_external,
        "team": team, "areas": areas, "scope": scope,
        "independence_conflicts": serde_json::from_str::<serde_json::Value>(&r.independence_conflicts).unwrap_or_default(),
        "independence_justification": r.independence_justification,
    })
}

impl App {
    /// Is `user` a current member (and, with `auditor`, one whose role may record audits)?
    async fn audit_member(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        field: &str,
        user: Uuid,
        auditor: bool,
    ) -> AppResult<Option<String>> {
        let today = self.today();
        let m = store::member_facts(c, ctx.org.id, user).await?;
        match m {
            Some(m) if membership_active(m.expires_on.map(|d| d.0), today) => {
                if auditor
                    && !Role::parse(field, &m.role).is_ok_and(|r| can(r, Permission::AuditWrite))
                {
                    v.push(
                        field,
                        format!(
                            "{} is not an internal auditor, ISMS manager or administrator here",
                            m.name
                        ),
                    );
                }
                Ok(Some(m.name))
            }
            _ => {
                v.push(field, "is not a member of this organisation");
                Ok(None)
            }
        }
    }

    async fn audit_people_ids(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        field: &str,
        users: &[Uuid],
    ) -> AppResult<Vec<Uuid>> {
        let mut out: Vec<Uuid> = Vec::new();
        if users.len() > MAX_PEOPLE {
            v.push(field, "may name at most 50 people");
            return Ok(out);
        }
        for u in users {
            if !out.contains(u) {
                self.audit_member(c, ctx, v, field, *u, false).await?;
                out.push(*u);
            }
        }
        Ok(out)
    }

    async fn areas_with_members(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<AreaWithOwner>,
    ) -> AppResult<Vec<AuditArea>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.area.id).collect();
        let mut by: HashMap<Uuid, Vec<PersonRef>> = HashMap::new();
        for m in store::area_members(c, ctx.org.id, &ids).await? {
            by.entry(m.owner_id).or_default().push(PersonRef {
                id: m.user_id,
                name: m.name,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let members = by.remove(&r.area.id).unwrap_or_default();
                area_view(r, members)
            })
            .collect())
    }

    pub async fn list_audit_areas(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<AuditArea>> {
        ctx.require(Permission::Read, "see the audit areas")?;
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = store::list_areas(&mut c, ctx.org.id, after.as_deref(), limit + 1).await?;
        let page = crate::paginate(rows, limit, |r| r.area.name.clone(), |r| r);
        let items = self.areas_with_members(&mut c, ctx, page.items).await?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    async fn load_area(&self, c: &mut impl AsConn, ctx: &OrgCtx, id: Uuid) -> AppResult<AuditArea> {
        let row = store::get_area(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("audit area"))?;
        self.areas_with_members(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("audit area"))
    }

    pub async fn get_audit_area(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<AuditArea> {
        ctx.require(Permission::Read, "see the audit areas")?;
        let mut c = self.db.read().await?;
        self.load_area(&mut c, ctx, id).await
    }

    pub async fn create_audit_area(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewAuditArea,
    ) -> AppResult<AuditArea> {
        ctx.require(Permission::AuditWrite, "manage audit areas")?;
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, MAX_TITLE));
        let description = text(&mut v, "description", &input.description);
        let mut tx = self.db.begin().await?;
        if let Some(o) = input.owner_id {
            self.audit_member(&mut tx, ctx, &mut v, "owner_id", o, false)
                .await?;
        }
        let members = self
            .audit_people_ids(&mut tx, ctx, &mut v, "members", &input.members)
            .await?;
        v.into_result()?;
        let now = Ts(self.now());
        let row = AreaRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            name: name.unwrap_or_default(),
            description,
            owner_id: input.owner_id,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_area(&mut tx, &row).await?;
        store::set_area_members(&mut tx, ctx.org.id, row.id, &members).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_area",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("added the audit area \"{}\"", row.name),
                before: None,
                after: Some(serde_json::json!({
                    "name": row.name, "description": row.description,
                    "owner_id": row.owner_id, "members": members,
                })),
            },
        )
        .await?;
        let out = self.load_area(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_audit_area(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &AuditAreaPatch,
    ) -> AppResult<AuditArea> {
        ctx.require(Permission::AuditWrite, "manage audit areas")?;
        let mut tx = self.db.begin().await?;
        let before = self.load_area(&mut tx, ctx, id).await?;
        if before.version != patch.version {
            return Err(AppError::stale("audit area"));
        }
        let mut v = ValidationError::new();
        let name = match &patch.name {
            Some(n) => v.check(parse_name("name", n, MAX_TITLE)),
            None => Some(before.name.clone()),
        };
        let description = match &patch.description {
            Some(d) => text(&mut v, "description", d),
            None => before.description.clone(),
        };
        let owner_id = patch.owner_id.unwrap_or(before.owner_id);
        if let Some(o) = owner_id
            && Some(o) != before.owner_id
        {
            self.audit_member(&mut tx, ctx, &mut v, "owner_id", o, false)
                .await?;
        }
        let members = match &patch.members {
            Some(m) => {
                self.audit_people_ids(&mut tx, ctx, &mut v, "members", m)
                    .await?
            }
            None => before.members.iter().map(|m| m.id).collect(),
        };
        v.into_result()?;
        let row = AreaRow {
            id,
            org_id: ctx.org.id,
            name: name.unwrap_or_default(),
            description,
            owner_id,
            created_at: Ts(self.now()),
            updated_at: Ts(self.now()),
            version: patch.version,
        };
        if !store::update_area(&mut tx, &row).await? {
            return Err(AppError::stale("audit area"));
        }
        store::set_area_members(&mut tx, ctx.org.id, id, &members).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_area",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed the audit area \"{}\"", row.name),
                before: Some(serde_json::json!({
                    "name": before.name, "description": before.description,
                    "owner_id": before.owner_id,
                    "members": before.members.iter().map(|m| m.id).collect::<Vec<_>>(),
                })),
                after: Some(serde_json::json!({
                    "name": row.name, "description": row.description,
                    "owner_id": row.owner_id, "members": members,
                })),
            },
        )
        .await?;
        let out = self.load_area(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn delete_audit_area(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::AuditWrite, "manage audit areas")?;
        let mut tx = self.db.begin().await?;
        let before = self.load_area(&mut tx, ctx, id).await?;
        store::delete_area(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_area",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed the audit area \"{}\"", before.name),
                before: Some(serde_json::json!({ "name": before.name })),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The programme's cycle start year and settings version (default: this year, 0).
    async fn cycle_start(&self, c: &mut impl AsConn, ctx: &OrgCtx) -> AppResult<(i32, i64)> {
        Ok(match store::programme(c, ctx.org.id).await? {
            Some((y, v)) => (i32::try_from(y).unwrap_or(self.today().year()), v),
            None => (self.today().year(), 0),
        })
    }

    /// What the programme must cover (every clause, every applicable control, the own
    /// controls; controls treating a high risk marked), and the applicable control ids
    /// (`None`: no SoA yet, all count). Also the readiness engine's "whole ISMS".
    pub(crate) async fn audit_universe(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<(Vec<dom::AuditItem>, Option<Vec<String>>)> {
        let applicable = store::applicable_controls(c, ctx.org.id).await?;
        let own = own_controls::all_titles(c, ctx.org.id).await?;
        let mut high: BTreeSet<String> = BTreeSet::new();
        let levels_of: HashMap<Uuid, usize> = store::method_definitions(c, ctx.org.id)
            .await?
            .into_iter()
            .map(|(id, definition)| {
                let n = serde_json::from_str::<isms_domain::risk::method::Method>(&definition)
                    .map(|m| m.levels.len())
                    .unwrap_or(0);
                (id, n)
            })
            .collect();
        for r in store::control_risk_levels(c, ctx.org.id).await? {
            let n = levels_of.get(&r.method_id).copied().unwrap_or(0);
            if dom::is_high_level(r.level, n) {
                high.insert(r.control_id);
            }
        }
        Ok((
            dom::universe(applicable.as_deref(), &own, &high),
            applicable,
        ))
    }

    /// Compute the coverage of the cycle from the SoA, the risks, the programme entries
    /// and the audits' scopes.
    async fn compute_coverage(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<(Coverage, i32, i64, Option<Vec<String>>)> {
        let (start, version) = self.cycle_start(c, ctx).await?;
        let (universe, applicable) = self.audit_universe(c, ctx).await?;
        let (from, to) = (i64::from(start), i64::from(start + dom::CYCLE_YEARS - 1));
        let mut planned: Vec<(i32, String)> = store::entries(c, ctx.org.id, from, to)
            .await?
            .into_iter()
            .map(|e| (i32::try_from(e.year).unwrap_or(0), e.item_key))
            .collect();
        let mut audited = Vec::new();
        for (y, status, key) in store::scope_by_year(c, ctx.org.id, from, to).await? {
            let y = i32::try_from(y).unwrap_or(0);
            if status == AuditStatus::Completed.as_str() {
                audited.push((y, key));
            } else {
                planned.push((y, key));
            }
        }
        Ok((
            dom::coverage(&universe, start, &planned, &audited),
            start,
            version,
            applicable,
        ))
    }

    pub async fn audit_programme(&self, ctx: &OrgCtx) -> AppResult<Programme> {
        ctx.require(Permission::Read, "see the audit programme")?;
        let mut c = self.db.read().await?;
        self.programme_in(&mut c, ctx).await
    }

    async fn programme_in(&self, c: &mut impl AsConn, ctx: &OrgCtx) -> AppResult<Programme> {
        let (cov, start, version, applicable) = self.compute_coverage(c, ctx).await?;
        let approved = isms_db::soa::version_in_status(c, ctx.org.id, "approved").await?;
        let basis = match (&applicable, approved) {
            (None, _) => "There is no Statement of Applicability yet, so all 93 Annex A controls are treated as applicable.".to_owned(),
            (Some(_), Some(v)) => format!("Applicable controls from the approved Statement of Applicability, version {}.", v.number),
            (Some(_), None) => "Applicable controls from the draft Statement of Applicability (none is approved yet).".to_owned(),
        };
        Ok(Programme {
            cycle_start_year: start,
            years: cov.years.clone(),
            basis,
            all_controls_assumed: applicable.is_none(),
            items: cov.rows.len(),
            holes: cov.holes().into_iter().map(matrix_row).collect(),
            under_planned: cov.under_planned().into_iter().map(matrix_row).collect(),
            rows: cov.rows.iter().map(matrix_row).collect(),
            version,
        })
    }

    pub async fn update_audit_programme(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        patch: &ProgrammePatch,
    ) -> AppResult<Programme> {
        ctx.require(Permission::AuditWrite, "change the audit programme")?;
        if !(2000..=2100).contains(&patch.cycle_start_year) {
            return Err(ValidationError::single(
                "cycle_start_year",
                "must be a year from 2000 to 2100",
            )
            .into());
        }
        let mut tx = self.db.begin().await?;
        let (before, version) = self.cycle_start(&mut tx, ctx).await?;
        if version != patch.version {
            return Err(AppError::stale("audit programme"));
        }
        let ok = store::save_programme(
            &mut tx,
            ctx.org.id,
            i64::from(patch.cycle_start_year),
            Ts(self.now()),
            patch.version,
        )
        .await?;
        if !ok {
            return Err(AppError::stale("audit programme"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_programme",
                entity_id: ctx.org.id.to_string(),
                action: "update",
                summary: format!(
                    "set the audit programme's cycle to start in {}",
                    patch.cycle_start_year
                ),
                before: Some(serde_json::json!({ "cycle_start_year": before })),
                after: Some(serde_json::json!({ "cycle_start_year": patch.cycle_start_year })),
            },
        )
        .await?;
        let out = self.programme_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn add_entries(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        entries: &[(i32, String)],
        summary: String,
    ) -> AppResult<usize> {
        let now = Ts(self.now());
        let mut added = Vec::new();
        for (y, key) in entries {
            let row = EntryRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                year: i64::from(*y),
                item_key: key.clone(),
                sort_key: sort_key(key),
                created_by: actor.id(),
                created_at: now,
            };
            if store::insert_entry(tx, &row).await? {
                added.push(format!("{y}:{key}"));
            }
        }
        if !added.is_empty() {
            record(
                self,
                tx,
                actor,
                Change {
                    org_id: Some(ctx.org.id),
                    entity: "audit_programme",
                    entity_id: ctx.org.id.to_string(),
                    action: "plan",
                    summary,
                    before: None,
                    after: Some(serde_json::json!({ "added": added })),
                },
            )
            .await?;
        }
        Ok(added.len())
    }

    /// Plan an item in a year of the cycle (planning it twice changes nothing).
    pub async fn add_programme_entry(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewProgrammeEntry,
    ) -> AppResult<Programme> {
        ctx.require(Permission::AuditWrite, "change the audit programme")?;
        let mut v = ValidationError::new();
        let key = v.check(parse_item("item", &input.item));
        let mut tx = self.db.begin().await?;
        let (start, _) = self.cycle_start(&mut tx, ctx).await?;
        if !(start..start + dom::CYCLE_YEARS).contains(&input.year) {
            v.push(
                "year",
                format!(
                    "must be a year of the cycle ({start} to {})",
                    start + dom::CYCLE_YEARS - 1
                ),
            );
        }
        v.into_result()?;
        let key = key.unwrap_or_default();
        self.add_entries(
            &mut tx,
            actor,
            ctx,
            &[(input.year, key.clone())],
            format!("planned {key} for audit in {}", input.year),
        )
        .await?;
        let out = self.programme_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Take an item off a year of the programme.
    pub async fn remove_programme_entry(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        year: i32,
        item: &str,
    ) -> AppResult<Programme> {
        ctx.require(Permission::AuditWrite, "change the audit programme")?;
        let key = parse_item("item", item).map_err(|_| AppError::NotFound("programme entry"))?;
        let mut tx = self.db.begin().await?;
        if !store::delete_entry(&mut tx, ctx.org.id, i64::from(year), &key).await? {
            return Err(AppError::NotFound("programme entry"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_programme",
                entity_id: ctx.org.id.to_string(),
                action: "unplan",
                summary: format!("took {key} off the audit programme for {year}"),
                before: Some(serde_json::json!({ "entry": format!("{year}:{key}") })),
                after: None,
            },
        )
        .await?;
        let out = self.programme_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Spread every unplanned (and under-planned) item over the cycle's years.
    pub async fn plan_the_rest(&self, actor: Actor<'_>, ctx: &OrgCtx) -> AppResult<Programme> {
        ctx.require(Permission::AuditWrite, "change the audit programme")?;
        let mut tx = self.db.begin().await?;
        let (cov, ..) = self.compute_coverage(&mut tx, ctx).await?;
        let plan = dom::plan_the_rest(&cov);
        let n = plan.len();
        self.add_entries(
            &mut tx,
            actor,
            ctx,
            &plan,
            format!("planned the remaining {n} audit programme entries over the cycle"),
        )
        .await?;
        let out = self.programme_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn with_parts(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<AuditWithNames>,
    ) -> AppResult<Vec<Audit>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.audit.id).collect();
        let mut team: HashMap<Uuid, Vec<PersonRef>> = HashMap::new();
        for t in store::team_of(c, ctx.org.id, &ids).await? {
            team.entry(t.owner_id).or_default().push(PersonRef {
                id: t.user_id,
                name: t.name,
            });
        }
        let mut areas: HashMap<Uuid, Vec<AreaRef>> = HashMap::new();
        for a in store::areas_of(c, ctx.org.id, &ids).await? {
            areas.entry(a.audit_id).or_default().push(AreaRef {
                id: a.area_id,
                name: a.name,
            });
        }
        let mut scope: HashMap<Uuid, Vec<ScopeItem>> = HashMap::new();
        let own: HashMap<String, String> = own_controls::all_titles(c, ctx.org.id)
            .await?
            .into_iter()
            .collect();
        for (a, key) in store::scope_of(c, ctx.org.id, &ids).await? {
            let title = dom::item_title(&key)
                .or_else(|| own.get(&key).cloned())
                .unwrap_or_default();
            scope
                .entry(a)
                .or_default()
                .push(ScopeItem { item: key, title });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let a = r.audit;
                Audit {
                    id: a.id,
                    reference: audit_ref(i32::try_from(a.year).unwrap_or(0), a.seq),
                    title: a.title,
                    criteria: a.criteria,
                    scope: scope.remove(&a.id).unwrap_or_default(),
                    planned_start: format_date(a.planned_start.0),
                    planned_end: format_date(a.planned_end.0),
                    actual_start: day(a.actual_start),
                    actual_end: day(a.actual_end),
                    status: a.status,
                    lead_auditor_id: a.lead_auditor_id,
                    lead_auditor_name: r.lead_auditor_name,
                    lead_auditor_external: a.lead_auditor_external,
                    team: team.remove(&a.id).unwrap_or_default(),
                    areas: areas.remove(&a.id).unwrap_or_default(),
                    independence_conflicts: serde_json::from_str(&a.independence_conflicts)
                        .unwrap_or_default(),
                    independence_justification: a.independence_justification,
                    created_at: a.created_at.0.rfc3339(),
                    updated_at: a.updated_at.0.rfc3339(),
                    version: a.version,
                }
            })
            .collect())
    }

    async fn load_audit(&self, c: &mut impl AsConn, ctx: &OrgCtx, id: Uuid) -> AppResult<Audit> {
        let row = store::get_audit(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("audit"))?;
        self.with_parts(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("audit"))
    }

    pub async fn get_audit(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Audit> {
        ctx.require(Permission::Read, "see the internal audits")?;
        let mut c = self.db.read().await?;
        self.load_audit(&mut c, ctx, id).await
    }

    pub async fn list_audits(&self, ctx: &OrgCtx, q: &AuditQuery) -> AppResult<Page<Audit>> {
        ctx.require(Permission::Read, "see the internal audits")?;
        let limit = page_limit(q.limit);
        let bad_cursor = || ValidationError::single("cursor", "is not a cursor this server issued");
        let before = match decode_cursor(q.cursor.as_deref())? {
            None => None,
            Some(s) => {
                let (y, n) = s.split_once(':').ok_or_else(bad_cursor)?;
                Some((
                    y.parse::<i64>().map_err(|_| bad_cursor())?,
                    n.parse::<i64>().map_err(|_| bad_cursor())?,
                ))
            }
        };
        let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(AuditStatus::parse("status", s)?.as_str()),
            None => None,
        };
        let mut c = self.db.read().await?;
        let rows = store::list_audits(&mut c, ctx.org.id, status, before, limit + 1).await?;
        let page = crate::paginate(
            rows,
            limit,
            |r| format!("{}:{}", r.audit.year, r.audit.seq),
            |r| r,
        );
        let items = self.with_parts(&mut c, ctx, page.items).await?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// Check the lead auditor, team, areas and independence of an audit; returns the
    /// conflicts found (accepted only with a justification).
    #[allow(clippy::too_many_arguments)]
    async fn check_audit_people(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        lead: Option<Uuid>,
        external: Option<&str>,
        team: &[Uuid],
        areas: &[Uuid],
        scope: &[String],
    ) -> AppResult<(Vec<Uuid>, Vec<Uuid>, Vec<Conflict>)> {
        let mut auditors = Vec::new();
        match (lead, external) {
            (Some(_), Some(_)) => v.push(
                "lead_auditor_external",
                "name either a member as lead auditor or an external one, not both",
            ),
            (None, None) => v.push(
                "lead_auditor_id",
                "is required: a member who records audits, or an external auditor's name in lead_auditor_external",
            ),
            _ => {}
        }
        if let Some(l) = lead
            && let Some(name) = self
                .audit_member(c, ctx, v, "lead_auditor_id", l, true)
                .await?
        {
            auditors.push(Auditor {
                user_id: l,
                name,
                lead: true,
            });
        }
        let team = self.audit_people_ids(c, ctx, v, "team", team).await?;
        for t in &team {
            if Some(*t) == lead {
                continue;
            }
            if let Some(m) = store::member_facts(c, ctx.org.id, *t).await? {
                auditors.push(Auditor {
                    user_id: *t,
                    name: m.name,
                    lead: false,
                });
            }
        }
        let mut area_ids: Vec<Uuid> = Vec::new();
        for a in areas {
            if !area_ids.contains(a) {
                area_ids.push(*a);
            }
        }
        let found = store::areas_by_id(c, ctx.org.id, &area_ids).await?;
        if found.len() != area_ids.len() {
            v.push(
                "areas",
                "names an audit area this organisation does not have",
            );
        }
        let members = store::area_members(c, ctx.org.id, &area_ids).await?;
        let people: Vec<AreaPeople> = found
            .iter()
            .map(|a| AreaPeople {
                name: a.area.name.clone(),
                owner: a.area.owner_id,
                members: members
                    .iter()
                    .filter(|m| m.owner_id == a.area.id)
                    .map(|m| m.user_id)
                    .collect(),
            })
            .collect();
        let refs: Vec<String> = scope.iter().filter_map(|k| dom::control_ref(k)).collect();
        let owners: Vec<(String, Uuid)> = store::control_owners(c, ctx.org.id, &refs)
            .await?
            .into_iter()
            .map(|(r, o)| {
                let key = if isms_domain::control::looks_like_annex_a(&r) {
                    format!("A.{r}")
                } else {
                    r
                };
                (key, o)
            })
            .collect();
        let conflicts = dom::independence_conflicts(&auditors, &people, &owners);
        Ok((team, area_ids, conflicts))
    }

    /// Plan an audit. An auditor who owns or works in an audited area, or owns a control
    /// in scope, is refused (422 naming `lead_auditor_id` or `team`) unless an
    /// `independence_justification` is given; it is stored and written to the audit trail.
    pub async fn create_audit(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewAudit,
    ) -> AppResult<Audit> {
        ctx.require(Permission::AuditWrite, "plan internal audits")?;
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, MAX_TITLE));
        let criteria = match input
            .criteria
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(c) => text(&mut v, "criteria", c),
            None => DEFAULT_CRITERIA.to_owned(),
        };
        let scope = parse_scope(&mut v, &input.scope);
        let start = req_date(&mut v, "planned_start", &input.planned_start);
        let end = req_date(&mut v, "planned_end", &input.planned_end);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            v.push("planned_end", "must be on or after the planned start");
        }
        let external = match input.lead_auditor_external.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => v.check(parse_name("lead_auditor_external", s, MAX_TITLE)),
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        let (team, areas, conflicts) = self
            .check_audit_people(
                &mut tx,
                ctx,
                &mut v,
                input.lead_auditor_id,
                external.as_deref(),
                &input.team,
                &input.areas,
                &scope,
            )
            .await?;
        v.into_result()?;
        let justification =
            dom::check_independence(&conflicts, input.independence_justification.as_deref())?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(AppError::Internal("dates checked above".into()));
        };
        let year = i64::from(start.year());
        let seq = store::next_seq(&mut tx, ctx.org.id, year).await?;
        let now = Ts(self.now());
        let row = AuditRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            year,
            seq,
            title: title.unwrap_or_default(),
            criteria,
            planned_start: Day(start),
            planned_end: Day(end),
            actual_start: None,
            actual_end: None,
            status: AuditStatus::Planned.as_str().to_owned(),
            lead_auditor_id: input.lead_auditor_id,
            lead_auditor_external: external,
            independence_conflicts: serde_json::to_string(&conflicts)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            independence_justification: justification.clone(),
            created_by: actor.id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_audit(&mut tx, &row).await?;
        let scope_rows: Vec<(String, String)> =
            scope.iter().map(|k| (k.clone(), sort_key(k))).collect();
        store::set_scope(&mut tx, ctx.org.id, row.id, &scope_rows).await?;
        store::set_team(&mut tx, ctx.org.id, row.id, &team).await?;
        store::set_areas(&mut tx, ctx.org.id, row.id, &areas).await?;
        let reference = audit_ref(start.year(), seq);
        let mut summary = format!("planned the internal audit {reference} \"{}\"", row.title);
        if !conflicts.is_empty() {
            summary.push_str(&format!(
                "; independence conflicts accepted ({}) with the justification: {justification}",
                conflicts
                    .iter()
                    .map(|c| c.conflict.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit",
                entity_id: row.id.to_string(),
                action: "create",
                summary,
                before: None,
                after: Some(audit_snapshot(&row, &scope, &team, &areas)),
            },
        )
        .await?;
        let out = self.load_audit(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change an audit or move its status on; a stale `version` is 409.
    pub async fn update_audit(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &AuditPatch,
    ) -> AppResult<Audit> {
        ctx.require(Permission::AuditWrite, "change internal audits")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_audit(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("audit"))?
            .audit;
        if before.version != patch.version {
            return Err(AppError::stale("audit"));
        }
        let current = self.load_audit(&mut tx, ctx, id).await?;
        let status = AuditStatus::from_stored(&before.status);
        let mut v = ValidationError::new();
        let next = match patch.status.as_deref() {
            Some(s) => v.check(AuditStatus::parse("status", s)),
            None => Some(status),
        };
        let changes_plan = patch.title.is_some()
            || patch.criteria.is_some()
            || patch.scope.is_some()
            || patch.planned_start.is_some()
            || patch.planned_end.is_some()
            || patch.lead_auditor_id.is_some()
            || patch.lead_auditor_external.is_some()
            || patch.team.is_some()
            || patch.areas.is_some();
        if changes_plan && !status.is_open() {
            v.push(
                "status",
                format!(
                    "the audit is {}; its plan can no longer change",
                    status.label().to_lowercase()
                ),
            );
        }
        if let Some(n) = next
            && n != status
            && !status.can_become(n)
        {
            v.push(
                "status",
                format!(
                    "an audit that is {} cannot become {}",
                    status.label().to_lowercase(),
                    n.label().to_lowercase()
                ),
            );
        }
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, MAX_TITLE))
        {
            row.title = t;
        }
        if let Some(c) = &patch.criteria {
            row.criteria = text(&mut v, "criteria", c);
            if row.criteria.is_empty() {
                row.criteria = DEFAULT_CRITERIA.to_owned();
            }
        }
        let scope = match &patch.scope {
            Some(s) => parse_scope(&mut v, s),
            None => current.scope.iter().map(|s| s.item.clone()).collect(),
        };
        if let Some(s) = &patch.planned_start
            && let Some(d) = req_date(&mut v, "planned_start", s)
        {
            row.planned_start = Day(d);
        }
        if let Some(s) = &patch.planned_end
            && let Some(d) = req_date(&mut v, "planned_end", s)
        {
            row.planned_end = Day(d);
        }
        if row.planned_end.0 < row.planned_start.0 {
            v.push("planned_end", "must be on or after the planned start");
        }
        if let Some(s) = &patch.actual_start {
            row.actual_start = opt_date(&mut v, "actual_start", s.as_deref()).map(Day);
        }
        if let Some(s) = &patch.actual_end {
            row.actual_end = opt_date(&mut v, "actual_end", s.as_deref()).map(Day);
        }
        let today = self.today();
        if next == Some(AuditStatus::InProgress) && row.actual_start.is_none() {
            row.actual_start = Some(Day(today));
        }
        if next == Some(AuditStatus::Completed) && row.actual_end.is_none() {
            row.actual_end = Some(Day(today));
        }
        if let (Some(s), Some(e)) = (row.actual_start, row.actual_end)
            && e.0 < s.0
        {
            v.push("actual_end", "must be on or after the actual start");
        }
        if let Some(l) = patch.lead_auditor_id {
            row.lead_auditor_id = l;
        }
        if let Some(e) = &patch.lead_auditor_external {
            row.lead_auditor_external = match e.as_deref().map(str::trim) {
                Some(s) if !s.is_empty() => {
                    v.check(parse_name("lead_auditor_external", s, MAX_TITLE))
                }
                _ => None,
            };
        }
        let team_in: Vec<Uuid> = patch
            .team
            .clone()
            .unwrap_or_else(|| current.team.iter().map(|t| t.id).collect());
        let areas_in: Vec<Uuid> = patch
            .areas
            .clone()
            .unwrap_or_else(|| current.areas.iter().map(|a| a.id).collect());
        let (team, areas, conflicts) = if changes_plan || patch.independence_justification.is_some()
        {
            self.check_audit_people(
                &mut tx,
                ctx,
                &mut v,
                row.lead_auditor_id,
                row.lead_auditor_external.as_deref(),
                &team_in,
                &areas_in,
                &scope,
            )
            .await?
        } else {
            (team_in, areas_in, current.independence_conflicts.clone())
        };
        if next == Some(AuditStatus::Completed) && status != AuditStatus::Completed {
            let items = store::checklist(&mut tx, ctx.org.id, id).await?;
            let open: Vec<(String, bool)> = items
                .iter()
                .map(|i| (i.item.item_key.clone(), i.item.result.is_some()))
                .collect();
            if let Err(e) = dom::check_complete(&open) {
                v.errors.extend(e.errors);
            }
        }
        v.into_result()?;
        let justification = dom::check_independence(
            &conflicts,
            Some(
                patch
                    .independence_justification
                    .as_deref()
                    .unwrap_or(&before.independence_justification),
            ),
        )?;
        row.independence_conflicts =
            serde_json::to_string(&conflicts).map_err(|e| AppError::Internal(e.to_string()))?;
        row.independence_justification = justification.clone();
        row.status = next.unwrap_or(status).as_str().to_owned();
        row.updated_at = Ts(self.now());
        if !store::update_audit(&mut tx, &row).await? {
            return Err(AppError::stale("audit"));
        }
        if patch.scope.is_some() {
            let scope_rows: Vec<(String, String)> =
                scope.iter().map(|k| (k.clone(), sort_key(k))).collect();
            store::set_scope(&mut tx, ctx.org.id, id, &scope_rows).await?;
        }
        if patch.team.is_some() {
            store::set_team(&mut tx, ctx.org.id, id, &team).await?;
        }
        if patch.areas.is_some() {
            store::set_areas(&mut tx, ctx.org.id, id, &areas).await?;
        }
        if next == Some(AuditStatus::InProgress) && status == AuditStatus::Planned {
            self.generate_checklist_in(&mut tx, ctx, id, &scope).await?;
        }
        let reference = audit_ref(i32::try_from(row.year).unwrap_or(0), row.seq);
        let mut summary = match next {
            Some(n) if n != status => format!(
                "moved the internal audit {reference} to {}",
                n.label().to_lowercase()
            ),
            _ => format!("changed the internal audit {reference}"),
        };
        if !conflicts.is_empty() && justification != before.independence_justification {
            summary.push_str(&format!(
                "; independence conflicts accepted with the justification: {justification}"
            ));
        }
        let before_team: Vec<Uuid> = current.team.iter().map(|t| t.id).collect();
        let before_areas: Vec<Uuid> = current.areas.iter().map(|a| a.id).collect();
        let before_scope: Vec<String> = current.scope.iter().map(|s| s.item.clone()).collect();
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit",
                entity_id: id.to_string(),
                action: match next {
                    Some(n) if n != status => n.as_str(),
                    _ => "update",
                },
                summary,
                before: Some(audit_snapshot(
                    &before,
                    &before_scope,
                    &before_team,
                    &before_areas,
                )),
                after: Some(audit_snapshot(&row, &scope, &team, &areas)),
            },
        )
        .await?;
        let out = self.load_audit(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn delete_audit(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::AuditWrite, "remove internal audits")?;
        let mut tx = self.db.begin().await?;
        let a = self.load_audit(&mut tx, ctx, id).await?;
        if a.status == AuditStatus::Completed.as_str() {
            return Err(ValidationError::single(
                "status",
                "a completed audit is a record of the ISMS and cannot be removed",
            )
            .into());
        }
        store::delete_audit(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed the internal audit {} \"{}\"", a.reference, a.title),
                before: Some(serde_json::json!({ "reference": a.reference, "title": a.title })),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a checklist item for every scope item that has none; returns how many were added.
    async fn generate_checklist_in(
        &self,
        tx: &mut isms_db::Tx,
        ctx: &OrgCtx,
        audit_id: Uuid,
        scope: &[String],
    ) -> AppResult<usize> {
        let own: HashMap<String, String> = own_controls::all_titles(tx, ctx.org.id)
            .await?
            .into_iter()
            .collect();
        let mut n = 0;
        for key in scope {
            let own_title = own.get(key).map(String::as_str);
            let title = dom::item_title(key)
                .or_else(|| own_title.map(str::to_owned))
                .unwrap_or_else(|| key.clone());
            let questions = serde_json::to_string(&dom::item_questions(key, own_title))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let row = ChecklistRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                audit_id,
                item_key: key.clone(),
                sort_key: sort_key(key),
                title,
                questions,
                result: None,
                notes: String::new(),
                evidence_note: String::new(),
                answered_by: None,
                answered_at: None,
                version: 1,
            };
            if store::insert_item(tx, &row).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Generate (or complete) the checklist from the scope, on demand.
    pub async fn generate_checklist(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        audit_id: Uuid,
    ) -> AppResult<Checklist> {
        ctx.require(Permission::AuditWrite, "record internal audits")?;
        let mut tx = self.db.begin().await?;
        let a = self.load_audit(&mut tx, ctx, audit_id).await?;
        if !AuditStatus::from_stored(&a.status).is_open() {
            return Err(ValidationError::single(
                "status",
                "the checklist of a completed or cancelled audit cannot change",
            )
            .into());
        }
        if a.scope.is_empty() {
            return Err(ValidationError::single(
                "scope",
                "the audit has no clauses or controls in scope yet",
            )
            .into());
        }
        let scope: Vec<String> = a.scope.iter().map(|s| s.item.clone()).collect();
        let n = self
            .generate_checklist_in(&mut tx, ctx, audit_id, &scope)
            .await?;
        if n > 0 {
            record(
                self,
                &mut tx,
                actor,
                Change {
                    org_id: Some(ctx.org.id),
                    entity: "audit",
                    entity_id: audit_id.to_string(),
                    action: "checklist",
                    summary: format!("generated {n} checklist item(s) for {}", a.reference),
                    before: None,
                    after: Some(serde_json::json!({ "items_added": n })),
                },
            )
            .await?;
        }
        let out = self.checklist_in(&mut tx, ctx, audit_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn checklist_in(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        audit_id: Uuid,
    ) -> AppResult<Checklist> {
        let rows = store::checklist(c, ctx.org.id, audit_id).await?;
        let mut ev: HashMap<Uuid, Vec<SampledEvidence>> = HashMap::new();
        for e in store::sampled_evidence(c, ctx.org.id, audit_id).await? {
            ev.entry(e.item_id).or_default().push(SampledEvidence {
                id: e.evidence_id,
                reference: evidence_ref(e.number),
                title: e.title,
            });
        }
        let items: Vec<ChecklistItem> =
            rows.into_iter().map(|r| item_view(r, Vec::new())).collect();
        Ok(finish_checklist(audit_id, items, &mut ev))
    }
}

fn item_view(r: ChecklistWithNames, evidence: Vec<SampledEvidence>) -> ChecklistItem {
    let i = r.item;
    let result = i.result.as_deref().and_then(ItemResult::from_stored);
    ChecklistItem {
        id: i.id,
        finding_reference: dom::finding_ref(&i.item_key),
        item: i.item_key,
        title: i.title,
        questions: serde_json::from_str(&i.questions).unwrap_or_default(),
        result: result.map(|r| r.as_str().to_owned()),
        notes: i.notes,
        evidence_note: i.evidence_note,
        evidence,
        answered_by_name: r.answered_by_name,
        answered_at: i.answered_at.map(|t| t.0.rfc3339()),
        proposed_grade: result
            .and_then(ItemResult::finding_grade)
            .map(str::to_owned),
        version: i.version,
    }
}

fn finish_checklist(
    audit_id: Uuid,
    mut items: Vec<ChecklistItem>,
    ev: &mut HashMap<Uuid, Vec<SampledEvidence>>,
) -> Checklist {
    let mut by_result: BTreeMap<String, usize> = BTreeMap::new();
    for i in &mut items {
        if let Some(e) = ev.remove(&i.id) {
            i.evidence = e;
        }
        if let Some(r) = &i.result {
            *by_result.entry(r.clone()).or_default() += 1;
        }
    }
    Checklist {
        audit_id,
        total: items.len(),
        answered: items.iter().filter(|i| i.result.is_some()).count(),
        by_result,
        items,
    }
}

impl App {
    pub async fn get_checklist(&self, ctx: &OrgCtx, audit_id: Uuid) -> AppResult<Checklist> {
        ctx.require(Permission::Read, "see the internal audits")?;
        let mut c = self.db.read().await?;
        self.load_audit(&mut c, ctx, audit_id).await?;
        self.checklist_in(&mut c, ctx, audit_id).await
    }

    /// Answer a checklist item while the audit is in progress; a stale `version` is 409.
    pub async fn answer_checklist_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        audit_id: Uuid,
        item_id: Uuid,
        input: &ChecklistAnswer,
    ) -> AppResult<ChecklistItem> {
        ctx.require(Permission::AuditWrite, "record internal audits")?;
        let mut tx = self.db.begin().await?;
        let a = self.load_audit(&mut tx, ctx, audit_id).await?;
        let before = store::get_item(&mut tx, ctx.org.id, audit_id, item_id)
            .await?
            .ok_or(AppError::NotFound("checklist item"))?
            .item;
        if before.version != input.version {
            return Err(AppError::stale("checklist item"));
        }
        let mut v = ValidationError::new();
        if a.status != AuditStatus::InProgress.as_str() {
            v.push(
                "status",
                "checklist items are answered while the audit is in progress; start the audit first",
            );
        }
        let mut row = before.clone();
        if let Some(r) = &input.result {
            row.result = match r.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => v
                    .check(ItemResult::parse("result", s))
                    .map(|r| r.as_str().to_owned()),
                None => None,
            };
        }
        if let Some(n) = &input.notes {
            row.notes = text(&mut v, "notes", n);
        }
        if let Some(n) = &input.evidence_note {
            row.evidence_note = text(&mut v, "evidence_note", n);
        }
        let mut evidence_ids: Option<Vec<Uuid>> = None;
        if let Some(refs) = &input.evidence {
            let mut numbers = Vec::new();
            for (i, r) in refs.iter().enumerate() {
                match parse_evidence_ref(r) {
                    Some(n) => numbers.push(n),
                    None => v.push(
                        format!("evidence[{i}]"),
                        "is not an evidence reference (EV-0001)",
                    ),
                }
            }
            let found = store::evidence_by_number(&mut tx, ctx.org.id, &numbers).await?;
            let mut ids = Vec::new();
            for (i, n) in numbers.iter().enumerate() {
                match found.iter().find(|(f, _)| f == n) {
                    Some((_, id)) => ids.push(*id),
                    None => v.push(
                        format!("evidence[{i}]"),
                        format!(
                            "there is no evidence {} in this organisation",
                            evidence_ref(*n)
                        ),
                    ),
                }
            }
            evidence_ids = Some(ids);
        }
        v.into_result()?;
        if row.result != before.result {
            row.answered_by = actor.id();
            row.answered_at = row.result.as_ref().map(|_| Ts(self.now()));
        }
        if !store::answer_item(&mut tx, &row).await? {
            return Err(AppError::stale("checklist item"));
        }
        if let Some(ids) = &evidence_ids {
            store::set_sampled_evidence(&mut tx, ctx.org.id, item_id, ids).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "audit_checklist_item",
                entity_id: item_id.to_string(),
                action: "answer",
                summary: format!(
                    "recorded {} for {} in {}",
                    row.result
                        .as_deref()
                        .and_then(ItemResult::from_stored)
                        .map_or("no result", ItemResult::label),
                    row.item_key,
                    a.reference
                ),
                before: Some(serde_json::json!({
                    "result": before.result, "notes": before.notes, "evidence_note": before.evidence_note,
                })),
                after: Some(serde_json::json!({
                    "result": row.result, "notes": row.notes, "evidence_note": row.evidence_note,
                    "evidence": evidence_ids,
                })),
            },
        )
        .await?;
        let out = self
            .checklist_in(&mut tx, ctx, audit_id)
            .await?
            .items
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or(AppError::NotFound("checklist item"))?;
        tx.commit().await?;
        Ok(out)
    }

    /// The audit report: scope, criteria, dates, team, independence, results by kind and
    /// every item with its notes and evidence.
    pub async fn audit_report(&self, ctx: &OrgCtx, audit_id: Uuid) -> AppResult<Report> {
        ctx.require(Permission::Read, "see the internal audits")?;
        let mut c = self.db.read().await?;
        let a = self.load_audit(&mut c, ctx, audit_id).await?;
        let list = self.checklist_in(&mut c, ctx, audit_id).await?;
        let raised = isms_db::findings::list_for_source(&mut c, ctx.org.id, audit_id).await?;
        let lead = a
            .lead_auditor_name
            .clone()
            .or_else(|| {
                a.lead_auditor_external
                    .as_ref()
                    .map(|e| format!("{e} (external)"))
            })
            .unwrap_or_else(|| "—".into());
        let mut sections = vec![Section {
            heading: "Scope and criteria".into(),
            paragraphs: vec![format!("Criteria: {}", a.criteria)],
            bullets: a
                .scope
                .iter()
                .map(|s| format!("{} {}", s.item, s.title))
                .collect(),
            ..Default::default()
        }];
        let mut people = vec![format!("Lead auditor: {lead}")];
        if !a.team.is_empty() {
            people.push(format!(
                "Audit team: {}",
                a.team
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !a.areas.is_empty() {
            people.push(format!(
                "Auditee areas: {}",
                a.areas
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        sections.push(Section {
            heading: "Audit team".into(),
            bullets: people,
            ..Default::default()
        });
        let independence = if a.independence_conflicts.is_empty() {
            vec![
                "No auditor audited an area they own or work in, or a control they own.".to_owned(),
            ]
        } else {
            vec![format!(
                "Independence conflicts were accepted with this justification: {}",
                a.independence_justification
            )]
        };
        sections.push(Section {
            heading: "Independence".into(),
            paragraphs: independence,
            bullets: a
                .independence_conflicts
                .iter()
                .map(|c| c.conflict.clone())
                .collect(),
            ..Default::default()
        });
        sections.push(Section {
            heading: "Results".into(),
            paragraphs: vec![format!(
                "{} of {} checklist items answered.",
                list.answered, list.total
            )],
            table: Some(Table {
                title: "Results".into(),
                headers: vec!["Result".into(), "Items".into()],
                rows: ItemResult::ALL
                    .iter()
                    .map(|r| {
                        vec![
                            r.label().to_owned(),
                            list.by_result
                                .get(r.as_str())
                                .copied()
                                .unwrap_or(0)
                                .to_string(),
                        ]
                    })
                    .collect(),
            }),
            ..Default::default()
        });
        sections.push(Section {
            heading: "Checklist".into(),
            table: Some(Table {
                title: "Checklist".into(),
                headers: vec![
                    "Item".into(),
                    "Title".into(),
                    "Result".into(),
                    "Notes".into(),
                    "Evidence sampled".into(),
                ],
                rows: list
                    .items
                    .iter()
                    .map(|i| {
                        let mut ev: Vec<String> = i
                            .evidence
                            .iter()
                            .map(|e| format!("{} {}", e.reference, e.title))
                            .collect();
                        if !i.evidence_note.is_empty() {
                            ev.insert(0, i.evidence_note.clone());
                        }
                        vec![
                            i.item.clone(),
                            i.title.clone(),
                            i.result
                                .as_deref()
                                .and_then(ItemResult::from_stored)
                                .map_or("open", ItemResult::label)
                                .to_owned(),
                            i.notes.clone(),
                            ev.join("; "),
                        ]
                    })
                    .collect(),
            }),
            ..Default::default()
        });
        sections.push(Section {
            heading: "Findings raised".into(),
            paragraphs: if raised.is_empty() {
                vec!["No finding has been raised from this audit.".into()]
            } else {
                Vec::new()
            },
            table: (!raised.is_empty()).then(|| Table {
                title: "Findings raised".into(),
                headers: vec![
                    "Finding".into(),
                    "Grade".into(),
                    "Clause or control".into(),
                    "Title".into(),
                    "Status".into(),
                ],
                rows: raised
                    .iter()
                    .map(|f| {
                        let f = &f.finding;
                        vec![
                            isms_domain::capa::finding_ref(f.number),
                            isms_domain::capa::Grade::from_stored(&f.grade)
                                .map_or(f.grade.as_str(), |g| g.label())
                                .to_owned(),
                            f.reference.clone(),
                            f.title.clone(),
                            isms_domain::capa::FindingStatus::from_stored(&f.status)
                                .map_or(f.status.as_str(), |s| s.label())
                                .to_owned(),
                        ]
                    })
                    .collect(),
            }),
            ..Default::default()
        });
        Ok(Report {
            title: format!("Internal audit report {}: {}", a.reference, a.title),
            meta: vec![
                ("Organisation".into(), ctx.org.name.clone()),
                (
                    "Status".into(),
                    AuditStatus::from_stored(&a.status).label().to_owned(),
                ),
                (
                    "Planned".into(),
                    format!("{} to {}", a.planned_start, a.planned_end),
                ),
                (
                    "Held".into(),
                    match (&a.actual_start, &a.actual_end) {
                        (Some(s), Some(e)) => format!("{s} to {e}"),
                        (Some(s), None) => format!("from {s}"),
                        _ => "not yet".into(),
                    },
                ),
            ],
            sections,
            landscape: true,
            title_page: false,
        })
    }

    /// The report as a file: `pdf` or `md`.
    pub async fn audit_report_file(
        &self,
        ctx: &OrgCtx,
        audit_id: Uuid,
        format: &str,
    ) -> AppResult<crate::exports::ExportFile> {
        let fmt = match isms_export::TableFormat::parse(format) {
            Some(f @ (isms_export::TableFormat::Pdf | isms_export::TableFormat::Markdown)) => f,
            _ => {
                return Err(ValidationError::single("format", "must be pdf or md").into());
            }
        };
        let report = self.audit_report(ctx, audit_id).await?;
        let reference = report
            .title
            .split(':')
            .next()
            .and_then(|t| t.rsplit(' ').next())
            .unwrap_or("audit")
            .to_owned();
        Ok(crate::exports::ExportFile {
            bytes: crate::exports::report_bytes(report, fmt).await?,
            content_type: fmt.content_type(),
            file_name: format!("{}-{reference}.{}", ctx.org.slug, fmt.extension()),
        })
    }

    /// The audit register as a table (exports).
    pub async fn audits_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the internal audits")?;
        let mut rows = Vec::new();
        let mut after = (0, 0);
        let mut c = self.db.read().await?;
        loop {
            let page = store::audits_after(&mut c, ctx.org.id, after, 500).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                after = (last.audit.year, last.audit.seq);
            }
            for a in self.with_parts(&mut c, ctx, page).await? {
                rows.push(vec![
                    a.reference,
                    a.title,
                    a.status,
                    a.planned_start,
                    a.planned_end,
                    a.actual_start.unwrap_or_default(),
                    a.actual_end.unwrap_or_default(),
                    a.lead_auditor_name
                        .or(a.lead_auditor_external)
                        .unwrap_or_default(),
                    a.team
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    a.areas
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    a.scope
                        .iter()
                        .map(|s| s.item.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    a.criteria,
                    a.independence_conflicts
                        .iter()
                        .map(|c| c.conflict.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    a.independence_justification,
                ]);
            }
            if n < 500 {
                break;
            }
        }
        Ok(Table {
            title: "Internal audits".into(),
            headers: [
                "Reference",
                "Title",
                "Status",
                "Planned start",
                "Planned end",
                "Actual start",
                "Actual end",
                "Lead auditor",
                "Team",
                "Auditee areas",
                "Scope",
                "Criteria",
                "Independence conflicts",
                "Independence justification",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            rows,
        })
    }
}
