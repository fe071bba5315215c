//! Controls as implemented: the register of every Annex A and own control with counts per
//! status, filters and flags, and one control's page with its implementation form, the
//! clauses it supports and the risks it treats.

use super::risks::members;
use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::controls::{ControlImpl, ControlPatch, ControlQuery, FLAGS, StatusCount};
use isms_app::documents::LinkedDocument;
use isms_app::evidence::Evidence;
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::catalogue::{Theme, catalogue};
use isms_domain::control::implementation::{CheckFrequency, CheckResult, ImplementationStatus};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// Colour of each status in the bar and the chips.
fn status_colour(s: &str) -> &'static str {
    match s {
        "planned" => "#8fb3e0",
        "partially_implemented" => "#e8b64c",
        "implemented" => "#3c9a5f",
        "not_applicable" => "#b7bcc6",
        _ => "#e3e6ec",
    }
}

/// A stacked bar of the controls per status (SVG: no inline style, passes the CSP).
fn status_bar(counts: &[StatusCount]) -> String {
    let total: i64 = counts.iter().map(|c| c.count).sum();
    if total == 0 {
        return String::new();
    }
    let (w, h) = (600.0_f64, 18.0_f64);
    let mut x = 0.0_f64;
    let mut parts = String::new();
    for c in counts.iter().filter(|c| c.count > 0) {
        let cw = w * c.count as f64 / total as f64;
        parts.push_str(&format!(
            "<rect x=\"{x:.2}\" y=\"0\" width=\"{cw:.2}\" height=\"{h}\" fill=\"{}\"><title>{}: {}</title></rect>",
            status_colour(&c.status),
            super::escape(&c.label),
            c.count
        ));
        x += cw;
    }
    let summary = counts
        .iter()
        .map(|c| format!("{} {}", c.count, c.label.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "<svg class=\"status-bar\" viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"{h}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Controls by status: {}\">{parts}</svg>",
        super::escape(&summary)
    )
}

/// A small coloured dot for a status.
fn dot(status: &str) -> String {
    format!(
        "<svg width=\"10\" height=\"10\" aria-hidden=\"true\"><circle cx=\"5\" cy=\"5\" r=\"5\" fill=\"{}\"/></svg>",
        status_colour(status)
    )
}

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub flag: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "controls.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<ControlImpl>,
    pub next_cursor: Option<String>,
    pub counts: Vec<StatusCount>,
    pub bar: String,
    pub f: ListForm,
    pub members: Vec<Member>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub flags: Vec<(&'static str, &'static str)>,
    pub themes: Vec<(&'static str, &'static str)>,
    pub query: String,
    /// Whether any filter is set.
    pub filtered: bool,
}

impl ListPage {
    pub fn dot(&self, status: &str) -> String {
        dot(status)
    }
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    ImplementationStatus::ALL
        .iter()
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
    let mut l = Layout::new(&st, &u, "Controls", Some(&ctx), "controls", flash).await;
    let counts = match st.app.control_counts(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let mut v = ValidationError::new();
    let owner_id = match f.owner.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            v.push("owner", "is not a member");
            None
        }),
    };
    let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let q = ControlQuery {
        status: nonempty(&f.status),
        owner_id,
        flag: nonempty(&f.flag),
        theme: nonempty(&f.theme),
        cursor: nonempty(&f.cursor),
        limit: Some(100),
    };
    let page = match v.into_result() {
        Ok(()) => st.app.list_controls(&ctx, &q).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    let mut code = StatusCode::OK;
    let (items, next_cursor) = match page {
        Ok(p) => (p.items, p.next_cursor),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            code = StatusCode::UNPROCESSABLE_ENTITY;
            (Vec::new(), None)
        }
        Err(e) => return error_page(&e),
    };
    let filtered = [&f.status, &f.owner, &f.flag, &f.theme]
        .iter()
        .any(|s| !s.trim().is_empty());
    let query = serde_urlencoded::to_string([
        ("status", f.status.as_str()),
        ("owner", f.owner.as_str()),
        ("flag", f.flag.as_str()),
        ("theme", f.theme.as_str()),
    ])
    .unwrap_or_default();
    render(
        code,
        &ListPage {
            l,
            items,
            next_cursor,
            bar: status_bar(&counts),
            counts,
            f,
            members: members(&st, &ctx).await,
            statuses: statuses(),
            flags: FLAGS.to_vec(),
            themes: Theme::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
            query,
            filtered,
        },
    )
}

/// The implementation form as typed.
#[derive(Default, Clone)]
pub struct ControlForm {
    pub owner_id: String,
    pub status: String,
    pub implementation: String,
    pub due_on: String,
    pub monitoring: String,
    pub check_frequency: String,
    pub last_check_on: String,
    pub last_check_result: String,
    pub last_check_note: String,
    pub clauses: Vec<String>,
    pub version: String,
}

impl ControlForm {
    fn from_control(c: &ControlImpl) -> Self {
        Self {
            owner_id: c.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            status: c.status.clone(),
            implementation: c.implementation.clone(),
            due_on: c.due_on.clone().unwrap_or_default(),
            monitoring: c.monitoring.clone(),
            check_frequency: c.check_frequency.clone().unwrap_or_default(),
            last_check_on: c.last_check_on.clone().unwrap_or_default(),
            last_check_result: c.last_check_result.clone().unwrap_or_default(),
            last_check_note: c.last_check_note.clone(),
            clauses: c.clauses.clone(),
            version: c.version.to_string(),
        }
    }

    /// Read the posted fields (clauses may repeat).
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            owner_id: get("owner_id"),
            status: get("status"),
            implementation: get("implementation"),
            due_on: get("due_on"),
            monitoring: get("monitoring"),
            check_frequency: get("check_frequency"),
            last_check_on: get("last_check_on"),
            last_check_result: get("last_check_result"),
            last_check_note: get("last_check_note"),
            clauses: pairs
                .iter()
                .filter(|(n, _)| n == "clauses")
                .map(|(_, v)| v.clone())
                .collect(),
            version: get("version"),
        }
    }

    fn patch(&self, v: &mut ValidationError) -> ControlPatch {
        let opt = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
        let owner_id = match self.owner_id.trim() {
            "" => Some(None),
            s => match Uuid::parse_str(s) {
                Ok(u) => Some(Some(u)),
                Err(_) => {
                    v.push("owner_id", "is not a member of this organisation");
                    None
                }
            },
        };
        ControlPatch {
            owner_id,
            status: Some(self.status.clone()),
            implementation: Some(self.implementation.clone()),
            due_on: opt(&self.due_on),
            monitoring: Some(self.monitoring.clone()),
            check_frequency: opt(&self.check_frequency),
            last_check_on: opt(&self.last_check_on),
            last_check_result: opt(&self.last_check_result),
            last_check_note: Some(self.last_check_note.clone()),
            clauses: Some(self.clauses.clone()),
            version: self.version.trim().parse().unwrap_or(-1),
        }
    }
}

#[derive(Template)]
#[template(path = "control_impl.html")]
pub struct ControlPage {
    pub l: Layout,
    pub c: ControlImpl,
    pub form: ControlForm,
    pub members: Vec<Member>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub frequencies: Vec<(&'static str, &'static str)>,
    pub results: Vec<(&'static str, &'static str)>,
    /// (id, title, depth) of the clauses offered as checkboxes.
    pub clause_choices: Vec<(String, String)>,
    pub can_write: bool,
    /// Documents of the register linked to the control.
    pub documents: Vec<LinkedDocument>,
    /// Every piece of evidence ever linked to it, newest first.
    pub evidence: Vec<Evidence>,
    /// What it meets in the imported frameworks.
    pub frameworks: Vec<isms_app::frameworks::MetRequirement>,
}

impl ControlPage {
    pub fn dot(&self, status: &str) -> String {
        dot(status)
    }

    pub fn clause_title(&self, id: &str) -> String {
        catalogue()
            .clause(id)
            .map(|c| c.title.clone())
            .unwrap_or_default()
    }

    pub fn checked(&self, id: &str) -> bool {
        self.form.clauses.iter().any(|c| c.trim() == id)
    }

    pub fn label_of<'a>(&self, list: &'a [(&'a str, &'a str)], v: &str) -> &'a str {
        list.iter().find(|(k, _)| *k == v).map_or("", |(_, l)| *l)
    }
}

async fn control_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    r: &str,
    flash: Flash,
    sent: Option<(ControlForm, &AppError)>,
) -> Response {
    let c = match st.app.get_control(ctx, r).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(
        st,
        u,
        &format!("{} {}", c.label, c.title),
        Some(ctx),
        "controls",
        flash,
    )
    .await;
    let (form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (ControlForm::from_control(&c), StatusCode::OK),
    };
    // The requirement clauses people link controls to, and any other clause already
    // linked (through the API) so that saving the form keeps it.
    let clause_choices = catalogue()
        .clauses()
        .iter()
        .filter(|x| x.is_requirement || form.clauses.iter().any(|f| f == &x.id))
        .map(|x| (x.id.clone(), x.title.clone()))
        .collect();
    let documents = match st.app.documents_for_control(ctx, &c.control_ref).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let evidence = match st.app.evidence_for_control(ctx, &c.control_ref).await {
        Ok(e) => e,
        Err(e) => return error_page(&e),
    };
    let frameworks = match st.app.control_in_frameworks(ctx, &c.control_ref).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    render(
        status,
        &ControlPage {
            l,
            c,
            form,
            members: members(st, ctx).await,
            statuses: statuses(),
            frequencies: CheckFrequency::ALL
                .iter()
                .map(|f| (f.as_str(), f.label()))
                .collect(),
            results: CheckResult::ALL
                .iter()
                .map(|f| (f.as_str(), f.label()))
                .collect(),
            clause_choices,
            can_write: ctx.can(Permission::Write),
            documents,
            evidence,
            frameworks,
        },
    )
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, r)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    control_page(&st, &u, &ctx, &r, flash, None).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, r)): Path<(String, String)>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let form = ControlForm::from_pairs(&pairs);
    let mut v = ValidationError::new();
    let patch = form.patch(&mut v);
    let result = match v.into_result() {
        Ok(()) => {
            st.app
                .update_control(Actor::User(&u.p), &ctx, &r, &patch)
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/controls/{}", c.control_ref),
            &format!("{} saved: {}.", c.label, c.status_label.to_lowercase()),
        ),
        Err(e @ AppError::Validation(_)) => {
            control_page(&st, &u, &ctx, &r, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

/// Download every control with its implementation (CSV or XLSX).
/// One OSCAL document (`ssp`, `assessment-results`, `poam`, `catalog`) as JSON.
pub async fn oscal_document(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, document)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.oscal_file(&ctx, &document).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// The four OSCAL documents in a zip.
pub async fn oscal_zip(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.oscal_zip(&ctx).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::org::ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    super::org::download_export(&st, &ctx, "controls", &q.format).await
}
