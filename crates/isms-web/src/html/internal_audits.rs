//! Internal audit pages: the audit list with the "plan an audit" form, the programme's
//! coverage matrix, the audit areas, and one audit with its independence statement,
//! status, checklist (with "Raise a finding" links) and report downloads.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::internal_audits::{
    Audit, AuditArea, AuditPatch, AuditQuery, Checklist, ChecklistAnswer, NewAudit, NewAuditArea,
    NewProgrammeEntry, Programme, ProgrammePatch,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::internal_audit::{AuditStatus, ItemResult};
use isms_domain::rbac::{Permission, can};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cursor: String,
}

/// The "plan an audit" form, kept as sent when it comes back with errors.
#[derive(Deserialize, Default, Clone)]
pub struct AuditForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub criteria: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
    #[serde(default)]
    pub lead_auditor_id: String,
    #[serde(default)]
    pub lead_auditor_external: String,
    #[serde(default)]
    pub team: Vec<String>,
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub independence_justification: String,
}

impl AuditForm {
    pub fn has_team(&self, id: &Uuid) -> bool {
        self.team.iter().any(|t| t.trim() == id.to_string())
    }

    pub fn has_area(&self, id: &Uuid) -> bool {
        self.areas.iter().any(|t| t.trim() == id.to_string())
    }
}

/// Read a form that may repeat `team` and `areas`.
fn audit_form(raw: &[(String, String)]) -> AuditForm {
    let mut f = AuditForm::default();
    for (k, v) in raw {
        match k.as_str() {
            "title" => f.title = v.clone(),
            "criteria" => f.criteria = v.clone(),
            "scope" => f.scope = v.clone(),
            "planned_start" => f.planned_start = v.clone(),
            "planned_end" => f.planned_end = v.clone(),
            "lead_auditor_id" => f.lead_auditor_id = v.clone(),
            "lead_auditor_external" => f.lead_auditor_external = v.clone(),
            "team" => f.team.push(v.clone()),
            "areas" => f.areas.push(v.clone()),
            "independence_justification" => f.independence_justification = v.clone(),
            _ => {}
        }
    }
    f
}

fn ids(v: &[String]) -> Vec<Uuid> {
    v.iter()
        .filter_map(|s| Uuid::parse_str(s.trim()).ok())
        .collect()
}

/// Items written in a text field: separated by commas, semicolons, spaces or lines.
fn items_in(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n', '\r', '\t'])
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "internal_audits.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Audit>,
    pub next_cursor: Option<String>,
    pub q: ListQuery,
    pub form: AuditForm,
    pub auditors: Vec<Member>,
    pub members: Vec<Member>,
    pub areas: Vec<AuditArea>,
    pub can_write: bool,
    pub statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "audit_programme.html")]
pub struct ProgrammePage {
    pub l: Layout,
    pub p: Programme,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "audit_areas.html")]
pub struct AreasPage {
    pub l: Layout,
    pub items: Vec<AuditArea>,
    pub members: Vec<Member>,
    pub can_write: bool,
}

/// A checklist item as the page shows it, with its "Raise a finding" link.
pub struct ItemRow {
    pub i: isms_app::internal_audits::ChecklistItem,
    pub result_label: String,
    pub finding_url: Option<String>,
    pub evidence_refs: String,
}

#[derive(Template)]
#[template(path = "internal_audit.html")]
pub struct AuditPage {
    pub l: Layout,
    pub a: Audit,
    pub list: Checklist,
    pub rows: Vec<ItemRow>,
    pub status_label: String,
    pub can_write: bool,
    pub results: Vec<(&'static str, &'static str)>,
    pub summary: Vec<(&'static str, usize)>,
    /// The findings raised from this audit.
    pub findings: Vec<isms_app::findings::Finding>,
}

async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

async fn all_areas(st: &AppState, ctx: &OrgCtx) -> Vec<AuditArea> {
    st.app
        .list_audit_areas(ctx, None, Some(500))
        .await
        .map(|p| p.items)
        .unwrap_or_default()
}

async fn list_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    q: ListQuery,
    flash: Flash,
    err: Option<&AppError>,
    form: AuditForm,
) -> Response {
    let page = match st
        .app
        .list_audits(
            ctx,
            &AuditQuery {
                status: Some(q.status.clone()).filter(|s| !s.is_empty()),
                cursor: Some(q.cursor.clone()).filter(|s| !s.is_empty()),
                limit: Some(50),
            },
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Internal audit", Some(ctx), "audits", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let members = members(st, ctx).await;
    let auditors = members
        .iter()
        .filter(|m| can(m.role, Permission::AuditWrite))
        .cloned()
        .collect();
    render(
        status,
        &ListPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            q,
            form,
            auditors,
            members,
            areas: all_areas(st, ctx).await,
            can_write: ctx.can(Permission::AuditWrite),
            statuses: AuditStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
        },
    )
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let form = AuditForm {
        criteria: isms_domain::internal_audit::DEFAULT_CRITERIA.to_owned(),
        ..Default::default()
    };
    list_page(&st, &u, &ctx, q, flash, None, form).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(raw): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let form = audit_form(&raw);
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = NewAudit {
        title: form.title.clone(),
        criteria: text(&form.criteria),
        scope: items_in(&form.scope),
        planned_start: form.planned_start.clone(),
        planned_end: form.planned_end.clone(),
        lead_auditor_id: Uuid::parse_str(form.lead_auditor_id.trim()).ok(),
        lead_auditor_external: text(&form.lead_auditor_external),
        team: ids(&form.team),
        areas: ids(&form.areas),
        independence_justification: text(&form.independence_justification),
    };
    match st.app.create_audit(Actor::User(&u.p), &ctx, &input).await {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/audits/{}", a.id),
            &format!(
                "{} planned. Start it to generate the checklist.",
                a.reference
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_page(
                &st,
                &u,
                &ctx,
                ListQuery::default(),
                Flash::default(),
                Some(&e),
                form,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

async fn programme_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let p = match st.app.audit_programme(ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Audit programme", Some(ctx), "audits", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &ProgrammePage {
            l,
            p,
            can_write: ctx.can(Permission::AuditWrite),
        },
    )
}

pub async fn programme(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    programme_page(&st, &u, &ctx, flash, None).await
}

#[derive(Deserialize, Default)]
pub struct EntryForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub item: String,
}

fn year_of(s: &str) -> Result<i32, AppError> {
    s.trim().parse::<i32>().map_err(|_| {
        AppError::from(isms_domain::ValidationError::single(
            "year",
            "choose a year",
        ))
    })
}

async fn programme_result(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    org: &str,
    r: Result<Programme, AppError>,
    ok: &str,
) -> Response {
    match r {
        Ok(_) => flash_redirect(&format!("/o/{org}/audits/programme"), ok),
        Err(e @ AppError::Validation(_)) => {
            programme_page(st, u, ctx, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn add_entry(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let r = match year_of(&f.year) {
        Ok(year) => {
            st.app
                .add_programme_entry(
                    Actor::User(&u.p),
                    &ctx,
                    &NewProgrammeEntry {
                        year,
                        item: f.item.clone(),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    let msg = format!("{} planned for {}.", f.item.trim(), f.year.trim());
    programme_result(&st, &u, &ctx, &org, r, &msg).await
}

pub async fn remove_entry(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let r = match year_of(&f.year) {
        Ok(year) => {
            st.app
                .remove_programme_entry(Actor::User(&u.p), &ctx, year, &f.item)
                .await
        }
        Err(e) => Err(e),
    };
    let msg = format!("{} taken off {}.", f.item.trim(), f.year.trim());
    programme_result(&st, &u, &ctx, &org, r, &msg).await
}

pub async fn plan_rest(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(_f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let r = st.app.plan_the_rest(Actor::User(&u.p), &ctx).await;
    programme_result(
        &st,
        &u,
        &ctx,
        &org,
        r,
        "Every remaining item is planned over the cycle.",
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct CycleForm {
    #[serde(default)]
    pub cycle_start_year: String,
    #[serde(default)]
    pub version: String,
}

pub async fn set_cycle(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<CycleForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let r = match f.cycle_start_year.trim().parse::<i32>() {
        Ok(y) => {
            st.app
                .update_audit_programme(
                    Actor::User(&u.p),
                    &ctx,
                    &ProgrammePatch {
                        cycle_start_year: y,
                        version: f.version.trim().parse().unwrap_or(0),
                    },
                )
                .await
        }
        Err(_) => {
            Err(isms_domain::ValidationError::single("cycle_start_year", "must be a year").into())
        }
    };
    programme_result(&st, &u, &ctx, &org, r, "Cycle start saved.").await
}

async fn areas_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let items = match st.app.list_audit_areas(ctx, None, Some(500)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Audit areas", Some(ctx), "audits", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &AreasPage {
            l,
            items,
            members: members(st, ctx).await,
            can_write: ctx.can(Permission::AuditWrite),
        },
    )
}

pub async fn areas(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    areas_page(&st, &u, &ctx, flash, None).await
}

pub async fn create_area(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(raw): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let get = |k: &str| {
        raw.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let members: Vec<String> = raw
        .iter()
        .filter(|(k, _)| k == "members")
        .map(|(_, v)| v.clone())
        .collect();
    let input = NewAuditArea {
        name: get("name"),
        description: get("description"),
        owner_id: Uuid::parse_str(get("owner_id").trim()).ok(),
        members: ids(&members),
    };
    match st
        .app
        .create_audit_area(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/audits/areas"),
            &format!("{} added.", a.name),
        ),
        Err(e @ AppError::Validation(_)) => {
            areas_page(&st, &u, &ctx, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

fn finding_url(
    org: &str,
    a: &Audit,
    i: &isms_app::internal_audits::ChecklistItem,
) -> Option<String> {
    let grade = i.proposed_grade.as_deref()?;
    let description = if i.notes.is_empty() {
        format!("{} {}", i.item, i.title)
    } else {
        i.notes.clone()
    };
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("source", "internal_audit")
        .append_pair("source_id", &a.id.to_string())
        .append_pair("reference", &i.finding_reference)
        .append_pair("grade", grade)
        .append_pair("description", &description)
        .append_pair("checklist_item", &i.id.to_string())
        .finish();
    Some(format!("/o/{org}/findings/new?{q}"))
}

async fn audit_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let a = match st.app.get_audit(ctx, id).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let list = match st.app.get_checklist(ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let findings = match st
        .app
        .list_findings(
            ctx,
            &isms_app::findings::FindingQuery {
                source_id: Some(id),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
    {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &a.reference, Some(ctx), "audits", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let rows = list
        .items
        .iter()
        .map(|i| ItemRow {
            result_label: i
                .result
                .as_deref()
                .and_then(ItemResult::from_stored)
                .map_or("Open", ItemResult::label)
                .to_owned(),
            finding_url: finding_url(&ctx.org.slug, &a, i),
            evidence_refs: i
                .evidence
                .iter()
                .map(|e| e.reference.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            i: i.clone(),
        })
        .collect();
    let summary = ItemResult::ALL
        .iter()
        .map(|r| {
            (
                r.label(),
                list.by_result.get(r.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    render(
        status,
        &AuditPage {
            l,
            status_label: AuditStatus::from_stored(&a.status).label().to_owned(),
            a,
            list,
            rows,
            can_write: ctx.can(Permission::AuditWrite),
            results: ItemResult::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            summary,
            findings,
        },
    )
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("audit"));
    };
    audit_page(&st, &u, &ctx, id, flash, None).await
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

pub async fn set_status(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<StatusForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("audit"));
    };
    let patch = AuditPatch {
        status: Some(f.status.clone()),
        version: f.version.trim().parse().unwrap_or(0),
        ..Default::default()
    };
    match st
        .app
        .update_audit(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/audits/{id}"),
            &format!(
                "{} is now {}.",
                a.reference,
                AuditStatus::from_stored(&a.status).label().to_lowercase()
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            audit_page(&st, &u, &ctx, id, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub evidence_note: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub version: String,
}

pub async fn answer(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, item)): Path<(String, String, String)>,
    WebForm(f): WebForm<AnswerForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (Ok(id), Ok(item)) = (Uuid::parse_str(&id), Uuid::parse_str(&item)) else {
        return error_page(&AppError::NotFound("checklist item"));
    };
    let input = ChecklistAnswer {
        result: Some(Some(f.result.clone()).filter(|s| !s.trim().is_empty())),
        notes: Some(f.notes.clone()),
        evidence_note: Some(f.evidence_note.clone()),
        evidence: Some(items_in(&f.evidence)),
        version: f.version.trim().parse().unwrap_or(0),
    };
    match st
        .app
        .answer_checklist_item(Actor::User(&u.p), &ctx, id, item, &input)
        .await
    {
        Ok(i) => flash_redirect(
            &format!("/o/{org}/audits/{id}#item-{}", i.id),
            &format!("{} recorded.", i.item),
        ),
        Err(e @ AppError::Validation(_)) => {
            audit_page(&st, &u, &ctx, id, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    pub format: String,
}

pub async fn report(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("audit"));
    };
    let format = if q.format.is_empty() {
        "pdf"
    } else {
        q.format.as_str()
    };
    match st.app.audit_report_file(&ctx, id, format).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    super::org::download_export(&st, &ctx, "audits", &q.format).await
}
