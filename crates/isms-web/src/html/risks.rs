//! The risk register: heat maps before and after treatment (click a cell to list its
//! risks), filters, the table, a risk's page with rating, treatment, controls, acceptance
//! and its treatment plan tasks.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::risk_methods::RiskMethod;
use isms_app::risks::{AcceptRisk, HeatMap, NewRisk, Risk, RiskPatch, RiskQuery};
use isms_app::tasks::{NewTask, Task};
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use isms_domain::risk::library::LibraryKind;
use isms_domain::risk::{RiskStatus, Treatment};
use serde::Deserialize;
use uuid::Uuid;

#[allow(clippy::result_large_err)]
fn parse_id(id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| error_page(&AppError::NotFound("risk")))
}

/// A small coloured square for a level (SVG attributes pass the style policy).
pub fn swatch(colour: &str) -> String {
    let ok = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    format!(
        "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/></svg>",
        if ok { colour } else { "#cccccc" }
    )
}

/// A heat map of the method in force: counts per cell, each cell links to its risks.
pub(crate) fn heat_svg(
    org: &str,
    m: &RiskMethod,
    counts: &[Vec<usize>],
    kind: &str,
    title: &str,
) -> String {
    let method = &m.method;
    let rows: Vec<String> = method
        .likelihood
        .levels
        .iter()
        .rev()
        .map(|l| format!("{} {}", l.value, l.name))
        .collect();
    let cols: Vec<String> = method
        .impact
        .levels
        .iter()
        .map(|l| format!("{} {}", l.value, l.name))
        .collect();
    let cells = method
        .likelihood
        .levels
        .iter()
        .enumerate()
        .rev()
        .map(|(li, l)| {
            method
                .impact
                .levels
                .iter()
                .enumerate()
                .map(|(ii, i)| {
                    let level = method
                        .matrix
                        .get(li)
                        .and_then(|r| r.get(ii))
                        .copied()
                        .unwrap_or(0);
                    let n = counts.get(li).and_then(|r| r.get(ii)).copied().unwrap_or(0);
                    isms_export::charts::MatrixCell {
                        colour: method
                            .risk_level(level)
                            .map_or_else(String::new, |r| r.colour.clone()),
                        label: method.level_name(level).to_owned(),
                        count: Some(n),
                        href: (n > 0).then(|| {
                            format!(
                                "/o/{org}/risks?cell={kind}:{}:{}#register",
                                l.value, i.value
                            )
                        }),
                    }
                })
                .collect()
        })
        .collect::<Vec<_>>();
    isms_export::charts::risk_matrix(title, &rows, &cols, &cells, &[])
}

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub reassess: String,
    #[serde(default)]
    pub cell: String,
    /// Only risks linked to this asset (an id).
    #[serde(default)]
    pub asset: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "risks.html")]
pub struct ListPage {
    pub l: Layout,
    pub method: Option<RiskMethod>,
    pub heat: Option<HeatMap>,
    pub inherent_svg: String,
    pub residual_svg: String,
    pub risks: Vec<Risk>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub members: Vec<Member>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub can_write: bool,
    pub query: String,
}

impl ListPage {
    pub fn swatch(&self, colour: &str) -> String {
        swatch(colour)
    }

    /// `A.5.15` or an own control's code.
    pub fn ctl(&self, c: &str) -> String {
        isms_domain::control::display_ref(c)
    }
}

/// The organisation's current members (owner pickers).
pub(crate) async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    RiskStatus::ALL
        .into_iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

pub async fn list_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut l = Layout::new(&st, &u, "Risks", Some(&ctx), "risks", flash).await;
    let method = match st.app.risk_method_in_force(&ctx).await {
        Ok(m) => m,
        Err(e) => return error_page(&e),
    };
    let heat = match st.app.risk_heatmap(&ctx).await {
        Ok(h) => h,
        Err(e) => return error_page(&e),
    };
    let mut v = ValidationError::new();
    let owner = match f.owner.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            v.push("owner", "is not a member");
            None
        }),
    };
    let asset_id = match f.asset.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            v.push("asset", "is not an asset of this organisation");
            None
        }),
    };
    let q = RiskQuery {
        asset_id,
        status: Some(f.status.clone()).filter(|s| !s.is_empty()),
        owner_id: owner,
        needs_reassessment: (f.reassess == "yes").then_some(true),
        cell: Some(f.cell.clone()).filter(|s| !s.is_empty()),
        cursor: Some(f.cursor.clone()).filter(|s| !s.is_empty()),
        limit: Some(100),
        ..Default::default()
    };
    let mut code = StatusCode::OK;
    let page = match v.into_result() {
        Ok(()) => st.app.list_risks(&ctx, &q).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    let (risks, next_cursor) = match page {
        Ok(p) => (p.items, p.next_cursor),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            code = StatusCode::UNPROCESSABLE_ENTITY;
            (Vec::new(), None)
        }
        Err(e) => return error_page(&e),
    };
    let (inherent_svg, residual_svg) = match (&method, &heat) {
        (Some(m), Some(h)) => (
            heat_svg(
                &org,
                m,
                &h.inherent,
                "inherent",
                "Risks before treatment (inherent)",
            ),
            heat_svg(
                &org,
                m,
                &h.residual,
                "residual",
                "Risks after treatment (residual)",
            ),
        ),
        _ => (String::new(), String::new()),
    };
    let query = serde_urlencoded::to_string([
        ("status", f.status.as_str()),
        ("owner", f.owner.as_str()),
        ("reassess", f.reassess.as_str()),
        ("cell", f.cell.as_str()),
        ("asset", f.asset.as_str()),
    ])
    .unwrap_or_default();
    render(
        code,
        &ListPage {
            l,
            method,
            heat,
            inherent_svg,
            residual_svg,
            risks,
            next_cursor,
            f,
            members: members(&st, &ctx).await,
            statuses: statuses(),
            can_write: ctx.can(Permission::Write),
            query,
        },
    )
}

/// The fields of the risk form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct RiskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub vulnerability: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub inherent_likelihood: String,
    #[serde(default)]
    pub inherent_impact: String,
    #[serde(default)]
    pub treatment: String,
    #[serde(default)]
    pub residual_likelihood: String,
    #[serde(default)]
    pub residual_impact: String,
    #[serde(default)]
    pub controls: String,
    /// Asset references (A-0007), separated by commas.
    #[serde(default)]
    pub assets: String,
    #[serde(default)]
    pub next_review_on: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

impl RiskForm {
    fn from_risk(r: &Risk) -> Self {
        Self {
            title: r.title.clone(),
            description: r.description.clone(),
            threat: r.threat.clone(),
            vulnerability: r.vulnerability.clone(),
            owner_id: r.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            inherent_likelihood: r.inherent.likelihood.to_string(),
            inherent_impact: r.inherent.impact.to_string(),
            treatment: r.treatment.clone().unwrap_or_default(),
            residual_likelihood: r
                .residual
                .as_ref()
                .map(|x| x.likelihood.to_string())
                .unwrap_or_default(),
            residual_impact: r
                .residual
                .as_ref()
                .map(|x| x.impact.to_string())
                .unwrap_or_default(),
            controls: r.controls.join(", "),
            assets: r
                .linked_assets
                .iter()
                .map(|a| a.reference.clone())
                .collect::<Vec<_>>()
                .join(", "),
            next_review_on: r.next_review_on.clone().unwrap_or_default(),
            status: r.status.clone(),
            version: r.version.to_string(),
        }
    }

    /// Whole numbers from the selects; bad text is reported by field.
    fn number(v: &mut ValidationError, field: &str, s: &str) -> Option<i64> {
        match s.trim() {
            "" => None,
            t => t.parse().ok().or_else(|| {
                v.push(field, "must be a step of the scale");
                None
            }),
        }
    }

    fn controls(&self) -> Vec<String> {
        self.controls
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn owner(&self, v: &mut ValidationError) -> Option<Uuid> {
        match self.owner_id.trim() {
            "" => None,
            s => Uuid::parse_str(s).ok().or_else(|| {
                v.push("owner_id", "is not a member of this organisation");
                None
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "risk_form.html")]
pub struct FormPage {
    pub l: Layout,
    pub method: Option<RiskMethod>,
    pub f: RiskForm,
    pub members: Vec<Member>,
    pub treatments: Vec<(&'static str, &'static str, &'static str)>,
    pub threats: Vec<String>,
    pub vulnerabilities: Vec<String>,
    pub risk: Option<Risk>,
    pub tasks: Vec<Task>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub can_write: bool,
    pub can_accept: bool,
    pub accept_rationale: String,
    pub accept_expires: String,
}

impl FormPage {
    pub fn swatch(&self, colour: &str) -> String {
        swatch(colour)
    }

    /// Whether a control id was refused.
    pub fn controls_error(&self) -> bool {
        self.l
            .errors
            .iter()
            .any(|e| e.field.starts_with("controls"))
    }

    /// The value of a select option as the form holds it.
    pub fn sel(&self, value: &str, n: &u8) -> bool {
        value == n.to_string()
    }
}

fn treatments() -> Vec<(&'static str, &'static str, &'static str)> {
    [
        Treatment::Modify,
        Treatment::Retain,
        Treatment::Avoid,
        Treatment::Share,
    ]
    .into_iter()
    .map(|t| (t.as_str(), t.label(), t.guidance()))
    .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    risk: Option<Risk>,
    f: RiskForm,
    flash: Flash,
    err: Option<&AppError>,
    typed: Option<&AcceptForm>,
) -> Response {
    let title = risk.as_ref().map_or("New risk".to_owned(), |r| {
        format!("{} {}", r.reference, r.title)
    });
    let mut l = Layout::new(st, u, &title, Some(ctx), "risks", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let method = match st.app.risk_method_in_force(ctx).await {
        Ok(m) => m,
        Err(e) => return error_page(&e),
    };
    let tasks = match &risk {
        Some(r) => match st.app.tasks_for_risk(ctx, r.id).await {
            Ok(t) => t,
            Err(e) => return error_page(&e),
        },
        None => Vec::new(),
    };
    let code = match err {
        Some(AppError::Conflict(_)) => StatusCode::CONFLICT,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let is_owner = risk
        .as_ref()
        .is_some_and(|r| r.owner_id == Some(u.p.user_id));
    render(
        code,
        &FormPage {
            l,
            method,
            f,
            members: members(st, ctx).await,
            treatments: treatments(),
            threats: st
                .app
                .library_names(ctx, LibraryKind::Threat)
                .await
                .unwrap_or_default(),
            vulnerabilities: st
                .app
                .library_names(ctx, LibraryKind::Vulnerability)
                .await
                .unwrap_or_default(),
            tasks,
            statuses: statuses(),
            can_write: ctx.can(Permission::Write),
            can_accept: ctx.can(Permission::Write) && (is_owner || ctx.can(Permission::Approve)),
            accept_rationale: typed.map(|a| a.rationale.clone()).unwrap_or_default(),
            accept_expires: typed.map(|a| a.expires_on.clone()).unwrap_or_default(),
            risk,
        },
    )
}

pub async fn new_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if let Err(e) = ctx.require(Permission::Write, "add risks") {
        return error_page(&e);
    }
    let f = RiskForm {
        owner_id: u.p.user_id.to_string(),
        ..Default::default()
    };
    form_page(&st, &u, &ctx, None, f, flash, None, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<RiskForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut v = ValidationError::new();
    let input = NewRisk {
        title: f.title.clone(),
        description: f.description.clone(),
        threat: f.threat.clone(),
        vulnerability: f.vulnerability.clone(),
        owner_id: f.owner(&mut v),
        inherent_likelihood: RiskForm::number(
            &mut v,
            "inherent_likelihood",
            &f.inherent_likelihood,
        )
        .unwrap_or(0),
        inherent_impact: RiskForm::number(&mut v, "inherent_impact", &f.inherent_impact)
            .unwrap_or(0),
        treatment: Some(f.treatment.clone()).filter(|t| !t.is_empty()),
        residual_likelihood: RiskForm::number(
            &mut v,
            "residual_likelihood",
            &f.residual_likelihood,
        ),
        residual_impact: RiskForm::number(&mut v, "residual_impact", &f.residual_impact),
        controls: f.controls(),
        assets: Vec::new(),
        next_review_on: Some(f.next_review_on.clone()).filter(|d| !d.is_empty()),
    };
    let result = match v.into_result() {
        Ok(()) => match st.app.resolve_asset_refs(&ctx, "assets", &f.assets).await {
            Ok(assets) => {
                let input = NewRisk { assets, ..input };
                st.app.create_risk(Actor::User(&u.p), &ctx, &input).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/risks/{}", r.id),
            &format!(
                "{} added: {} before treatment.",
                r.reference, r.inherent.level_name
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            form_page(&st, &u, &ctx, None, f, Flash::default(), Some(&e), None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn risk_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let rid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.get_risk(&ctx, rid).await {
        Ok(r) => {
            let f = RiskForm::from_risk(&r);
            form_page(&st, &u, &ctx, Some(r), f, flash, None, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<RiskForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let rid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let before = match st.app.get_risk(&ctx, rid).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let mut v = ValidationError::new();
    let inherent_l = RiskForm::number(&mut v, "inherent_likelihood", &f.inherent_likelihood);
    let inherent_i = RiskForm::number(&mut v, "inherent_impact", &f.inherent_impact);
    let residual_l = RiskForm::number(&mut v, "residual_likelihood", &f.residual_likelihood);
    let residual_i = RiskForm::number(&mut v, "residual_impact", &f.residual_impact);
    // Only a changed rating is a new rating (under the method in force).
    let old = RiskForm::from_risk(&before);
    let rating_changed = old.inherent_likelihood != f.inherent_likelihood
        || old.inherent_impact != f.inherent_impact
        || old.residual_likelihood != f.residual_likelihood
        || old.residual_impact != f.residual_impact;
    let patch = RiskPatch {
        title: Some(f.title.clone()),
        description: Some(f.description.clone()),
        threat: Some(f.threat.clone()),
        vulnerability: Some(f.vulnerability.clone()),
        owner_id: Some(f.owner(&mut v)),
        inherent_likelihood: inherent_l.filter(|_| rating_changed),
        inherent_impact: inherent_i.filter(|_| rating_changed),
        treatment: Some(Some(f.treatment.clone()).filter(|t| !t.is_empty())),
        residual_likelihood: rating_changed.then_some(residual_l),
        residual_impact: rating_changed.then_some(residual_i),
        controls: Some(f.controls()),
        assets: None,
        next_review_on: Some(Some(f.next_review_on.clone()).filter(|d| !d.is_empty())),
        status: Some(f.status.clone()).filter(|s| !s.is_empty() && *s != before.status),
        version: f.version.parse().unwrap_or(-1),
    };
    let result = match v.into_result() {
        Ok(()) => match st.app.resolve_asset_refs(&ctx, "assets", &f.assets).await {
            Ok(assets) => {
                let patch = RiskPatch {
                    assets: Some(assets),
                    ..patch
                };
                st.app
                    .update_risk(Actor::User(&u.p), &ctx, rid, &patch)
                    .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/risks/{id}"),
            &format!("{} saved.", r.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            form_page(
                &st,
                &u,
                &ctx,
                Some(before),
                f,
                Flash::default(),
                Some(&e),
                None,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct AcceptForm {
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub version: String,
}

pub async fn accept(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(a): WebForm<AcceptForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let rid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let input = AcceptRisk {
        rationale: a.rationale.clone(),
        expires_on: Some(a.expires_on.clone()).filter(|d| !d.is_empty()),
        version: a.version.parse().unwrap_or(-1),
    };
    match st
        .app
        .accept_risk(Actor::User(&u.p), &ctx, rid, &input)
        .await
    {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/risks/{id}"),
            &format!(
                "{} accepted at {} until {}.",
                r.reference,
                r.current().level_name,
                r.acceptance
                    .as_ref()
                    .and_then(|x| x.expires_on.clone())
                    .unwrap_or_default()
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let Ok(r) = st.app.get_risk(&ctx, rid).await else {
                return error_page(&e);
            };
            let f = RiskForm::from_risk(&r);
            // Shown again with what was typed in the acceptance form.
            form_page(
                &st,
                &u,
                &ctx,
                Some(r),
                f,
                Flash::default(),
                Some(&e),
                Some(&a),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct Empty {}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let rid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.delete_risk(Actor::User(&u.p), &ctx, rid).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/risks"), "Risk removed."),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct TaskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due_on: String,
}

/// Add a task to the risk's treatment plan (it also appears on the roadmap).
pub async fn add_task(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(t): WebForm<TaskForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let rid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let input = NewTask {
        title: t.title.clone(),
        owner: t.owner.clone(),
        due_on: Some(t.due_on.clone()),
        priority: Some("high".into()),
        risk_id: Some(rid),
        ..Default::default()
    };
    match st.app.create_task(Actor::User(&u.p), &ctx, &input).await {
        Ok(task) => flash_redirect(
            &format!("/o/{org}/risks/{id}"),
            &format!("Treatment task \"{}\" added.", task.title),
        ),
        Err(e @ AppError::Validation(_)) => match st.app.get_risk(&ctx, rid).await {
            Ok(r) => {
                let f = RiskForm::from_risk(&r);
                form_page(&st, &u, &ctx, Some(r), f, Flash::default(), Some(&e), None).await
            }
            Err(e) => error_page(&e),
        },
        Err(e) => error_page(&e),
    }
}
