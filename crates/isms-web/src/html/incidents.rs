//! The incident register: the list with its filters and counts, the form for a new
//! incident, and one incident's page where it is moved on and closed.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::incidents::{Incident, IncidentCounts, IncidentPatch, IncidentQuery, NewIncident};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::control::display_ref;
use isms_domain::incident::{Category, IncidentStatus, Severity};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// The register's filters.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListForm {
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("status", &self.status), ("severity", &self.severity)] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

/// The fields of the incident form (sent back on a problem).
#[derive(Deserialize, Default, Clone)]
pub struct IncidentForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub detected_on: String,
    #[serde(default)]
    pub reported_on: String,
    #[serde(default)]
    pub reported_by: String,
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub lessons_learned: String,
    #[serde(default)]
    pub closed_on: String,
    #[serde(default)]
    pub assets: String,
    #[serde(default)]
    pub risks: String,
    #[serde(default)]
    pub controls: String,
    #[serde(default)]
    pub version: String,
}

fn list_of(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl IncidentForm {
    fn from_incident(i: &Incident) -> Self {
        Self {
            title: i.title.clone(),
            description: i.description.clone(),
            category: i.category.clone(),
            severity: i.severity.clone(),
            status: i.status.clone(),
            detected_on: i.detected_on.clone(),
            reported_on: i.reported_on.clone(),
            reported_by: i.reported_by.clone(),
            response: i.response.clone(),
            root_cause: i.root_cause.clone(),
            lessons_learned: i.lessons_learned.clone(),
            closed_on: i.closed_on.clone().unwrap_or_default(),
            assets: i.assets.join(", "),
            risks: i.risks.join(", "),
            controls: i
                .controls
                .iter()
                .map(|c| display_ref(c))
                .collect::<Vec<_>>()
                .join(", "),
            version: i.version.to_string(),
        }
    }

    fn new_incident(&self) -> NewIncident {
        NewIncident {
            title: self.title.clone(),
            description: self.description.clone(),
            category: opt(&self.category),
            severity: self.severity.clone(),
            status: opt(&self.status),
            detected_on: opt(&self.detected_on),
            reported_on: opt(&self.reported_on),
            reported_by: self.reported_by.clone(),
            response: self.response.clone(),
            root_cause: self.root_cause.clone(),
            lessons_learned: self.lessons_learned.clone(),
            closed_on: opt(&self.closed_on),
            assets: list_of(&self.assets),
            risks: list_of(&self.risks),
            controls: list_of(&self.controls),
        }
    }

    fn patch(&self) -> IncidentPatch {
        IncidentPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            category: Some(self.category.clone()),
            severity: Some(self.severity.clone()),
            status: Some(self.status.clone()),
            detected_on: Some(self.detected_on.clone()),
            reported_on: Some(self.reported_on.clone()),
            reported_by: Some(self.reported_by.clone()),
            response: Some(self.response.clone()),
            root_cause: Some(self.root_cause.clone()),
            lessons_learned: Some(self.lessons_learned.clone()),
            // An empty date on a closed incident means "today"; only a date given counts.
            closed_on: if self.status == "closed" {
                opt(&self.closed_on).map(Some)
            } else {
                None
            },
            assets: Some(list_of(&self.assets)),
            risks: Some(list_of(&self.risks)),
            controls: Some(list_of(&self.controls)),
            version: self.version.trim().parse().unwrap_or(-1),
        }
    }
}

/// A choice in a select: value, label.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

pub(crate) fn choices<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<Choice> {
    all.iter()
        .map(|x| {
            let (value, label) = f(*x);
            Choice { value, label }
        })
        .collect()
}

/// The selects of the form.
pub struct Options {
    pub categories: Vec<Choice>,
    pub severities: Vec<Choice>,
    pub statuses: Vec<Choice>,
}

fn options() -> Options {
    Options {
        categories: choices(Category::ALL, |c| (c.as_str(), c.label())),
        severities: choices(Severity::ALL, |c| (c.as_str(), c.label())),
        statuses: choices(IncidentStatus::ALL, |c| (c.as_str(), c.label())),
    }
}

#[derive(Template)]
#[template(path = "incidents.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Incident>,
    pub next_cursor: Option<String>,
    pub counts: IncidentCounts,
    pub f: ListForm,
    pub query: String,
    pub o: Options,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "incident.html")]
pub struct ItemPage {
    pub l: Layout,
    /// None: the new-incident form.
    pub i: Option<Incident>,
    pub form: IncidentForm,
    pub o: Options,
    pub can_write: bool,
}

macro_rules! id_or_page {
    ($id:expr) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound("incident")),
        }
    };
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let q = IncidentQuery {
        status: opt(&f.status),
        severity: opt(&f.severity),
        cursor: opt(&f.cursor),
        limit: Some(100),
    };
    let (page, status, err) = match st.app.list_incidents(&ctx, &q).await {
        Ok(p) => (p, StatusCode::OK, None),
        Err(e @ AppError::Validation(_)) => (
            isms_app::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e),
        ),
        Err(e) => return error_page(&e),
    };
    let counts = match st.app.incident_counts(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(&st, &u, "Incidents", Some(&ctx), "incidents", flash).await;
    if let Some(e) = &err {
        l = l.with_errors(e);
    }
    render(
        status,
        &ListPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            counts,
            query: f.query(),
            f,
            o: options(),
            can_write: ctx.can(Permission::Write),
        },
    )
}

async fn form_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    i: Option<Incident>,
    form: IncidentForm,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let title = match &i {
        Some(i) => format!("{} {}", i.reference, i.title),
        None => "New incident".to_owned(),
    };
    let mut l = Layout::new(st, u, &title, Some(ctx), "incidents", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            }
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &ItemPage {
            l,
            i,
            form,
            o: options(),
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn new(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if !ctx.can(Permission::Write) {
        return error_page(&AppError::Forbidden("record incidents".into()));
    }
    let today = isms_domain::time::format_date(st.app.today());
    let form = IncidentForm {
        severity: "medium".into(),
        status: "open".into(),
        category: "other".into(),
        detected_on: today.clone(),
        reported_on: today,
        ..Default::default()
    };
    form_page(&st, &u, &ctx, None, form, flash, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<IncidentForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .create_incident(Actor::User(&u.p), &ctx, &form.new_incident())
        .await
    {
        Ok(i) => flash_redirect(
            &format!("/o/{org}/incidents/{}", i.id),
            &format!("{} recorded.", i.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            form_page(&st, &u, &ctx, None, form, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st.app.get_incident(&ctx, id).await {
        Ok(i) => {
            let form = IncidentForm::from_incident(&i);
            form_page(&st, &u, &ctx, Some(i), form, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<IncidentForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st
        .app
        .update_incident(Actor::User(&u.p), &ctx, id, &form.patch())
        .await
    {
        Ok(i) => flash_redirect(
            &format!("/o/{org}/incidents/{}", i.id),
            &format!("{} saved.", i.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let i = match st.app.get_incident(&ctx, id).await {
                Ok(i) => i,
                Err(e) => return error_page(&e),
            };
            form_page(&st, &u, &ctx, Some(i), form, Flash::default(), Some(&e)).await
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
    let id = id_or_page!(id);
    let reference = st
        .app
        .get_incident(&ctx, id)
        .await
        .map(|i| i.reference)
        .unwrap_or_default();
    match st.app.delete_incident(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/incidents"),
            &format!("{reference} removed."),
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "incidents", &q.format).await
}
