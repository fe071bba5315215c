//! The ISMS foundation pages (clauses 4–6) under `/o/{org}/isms`: an overview of what is
//! still missing, the scope statement and the policy (versions, draft form, approval,
//! comparison, documents), and the registers of issues, interested parties, roles and
//! objectives (add, edit, delete, approve). Every page works without JavaScript; the
//! history of each record is read from the audit trail.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::audit::AuditEntry;
use isms_app::foundation::{
    Approve, Comparison, DocVersion, DocVersionPatch, Entry, EntryPatch, FoundationOverview,
    NewDocVersion,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::foundation::checks::ClimateDetermination;
use isms_domain::foundation::registers::{
    self as reg, Issue, Objective, Party, RegisterBody, Requirement, Role,
};
use isms_domain::foundation::scope::{Exclusion, Interface, PolicyContent, ScopeContent};
use isms_domain::foundation::versioned::{VersionStatus, VersionedContent};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

type Form = HashMap<String, String>;

/// The tabs of the foundation section.
pub const TABS: [(&str, &str); 7] = [
    ("", "Overview"),
    ("scope", "Scope"),
    ("policy", "Policy"),
    ("issues", "Context (issues)"),
    ("parties", "Interested parties"),
    ("roles", "Roles"),
    ("objectives", "Objectives"),
];

fn s(f: &Form, k: &str) -> String {
    f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default()
}

fn b(f: &Form, k: &str) -> bool {
    f.get(k).is_some_and(|v| !v.is_empty() && v != "false")
}

fn lines(f: &Form, k: &str) -> Vec<String> {
    s(f, k)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn opt_uuid(f: &Form, k: &str, v: &mut ValidationError) -> Option<Uuid> {
    let x = s(f, k);
    if x.is_empty() {
        return None;
    }
    match Uuid::parse_str(&x) {
        Ok(u) => Some(u),
        Err(_) => {
            v.push(k, "choose a member of this organisation");
            None
        }
    }
}

fn opt_date(f: &Form, k: &str) -> Option<String> {
    Some(s(f, k)).filter(|d| !d.is_empty())
}

/// Rows `prefix[i].field` of a repeated group, without the rows left entirely empty.
fn rows(f: &Form, prefix: &str, fields: &[&str]) -> Vec<HashMap<String, String>> {
    (0..200)
        .map(|i| {
            fields
                .iter()
                .map(|n| ((*n).to_owned(), s(f, &format!("{prefix}[{i}].{n}"))))
                .collect::<HashMap<_, _>>()
        })
        .enumerate()
        .filter(|(i, _)| {
            fields
                .iter()
                .any(|n| f.contains_key(&format!("{prefix}[{i}].{n}")))
        })
        .map(|(_, r)| r)
        .filter(|r| r.iter().any(|(k, v)| !v.is_empty() && !is_flag(k)))
        .collect()
}

fn cell(r: &HashMap<String, String>, k: &str) -> String {
    r.get(k).cloned().unwrap_or_default()
}

fn is_flag(k: &str) -> bool {
    matches!(k, "addressed" | "climate" | "source")
}

fn version_of(f: &Form) -> i64 {
    f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1)
}

/// Parse the id in the path, or return the not-found page from the handler.
macro_rules! id_or_page {
    ($id:expr, $what:expr) => {
        match Uuid::parse_str($id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound($what)),
        }
    };
}

fn status_for(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

async fn layout(st: &AppState, u: &WebUser, title: &str, ctx: &OrgCtx, flash: Flash) -> Layout {
    Layout::new(st, u, title, Some(ctx), "isms", flash).await
}

/// "2026-12-01 09:14" from an RFC 3339 instant.
pub fn when(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ")
}

// ---------------------------------------------------------------------------------------
// Overview

#[derive(Template)]
#[template(path = "isms_overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub tab: &'static str,
    pub tabs: &'static [(&'static str, &'static str)],
    pub o: FoundationOverview,
    pub climate_text: String,
}

/// The climate-change determination in one plain sentence.
pub fn climate_sentence(c: &ClimateDetermination) -> String {
    match c {
        ClimateDetermination::NotDetermined => "Not yet determined. Since Amendment 1:2024 the organisation must decide whether climate change is a relevant issue: mark an issue as climate-relevant, or record on an issue why it is not.".to_owned(),
        ClimateDetermination::Relevant { issues } => format!(
            "Determined: climate change is relevant ({}).",
            issues.join("; ")
        ),
        ClimateDetermination::NotRelevant { note } => {
            format!("Determined: climate change is not a relevant issue — {note}")
        }
    }
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let o = match st.app.foundation_overview(&ctx).await {
        Ok(o) => o,
        Err(e) => return error_page(&e),
    };
    let l = layout(&st, &u, "ISMS scope & context", &ctx, flash).await;
    render(
        StatusCode::OK,
        &OverviewPage {
            l,
            tab: "",
            tabs: &TABS,
            climate_text: climate_sentence(&o.climate),
            o,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Versioned documents (scope, policy)

/// A versioned document as the pages handle it.
pub trait WebDoc: VersionedContent + Send + Sync + 'static {
    const TAB: &'static str;
    const TITLE: &'static str;
    const INTRO: &'static str;
    /// Read the draft form; returns what was typed and any problems found reading it.
    fn from_form(f: &Form) -> Self;
    /// Put the content into the matching form slot of the page.
    fn into_slots(self) -> (ScopeContent, PolicyContent);
}

impl WebDoc for ScopeContent {
    const TAB: &'static str = "scope";
    const TITLE: &'static str = "Scope statement";
    const INTRO: &'static str = "The boundaries of the ISMS (4.3): what is in, where, which systems, who else it depends on, and what is left out and why. The approved version is the scope document an auditor reads at Stage 1 and the wording on the certificate.";

    fn from_form(f: &Form) -> Self {
        ScopeContent {
            statement: s(f, "statement"),
            units: lines(f, "units"),
            locations: lines(f, "locations"),
            systems: lines(f, "systems"),
            interfaces: rows(f, "interfaces", &["what", "party", "description"])
                .into_iter()
                .map(|r| Interface {
                    what: cell(&r, "what"),
                    party: cell(&r, "party"),
                    description: cell(&r, "description"),
                })
                .collect(),
            exclusions: rows(f, "exclusions", &["what", "justification"])
                .into_iter()
                .map(|r| Exclusion {
                    what: cell(&r, "what"),
                    justification: cell(&r, "justification"),
                })
                .collect(),
        }
    }

    fn into_slots(self) -> (ScopeContent, PolicyContent) {
        (self, PolicyContent::default())
    }
}

impl WebDoc for PolicyContent {
    const TAB: &'static str = "policy";
    const TITLE: &'static str = "Information security policy";
    const INTRO: &'static str = "The policy statement set by top management (5.2). Before approval it must say how objectives are set and commit both to meeting applicable requirements and to continual improvement.";

    fn from_form(f: &Form) -> Self {
        PolicyContent {
            text: s(f, "text"),
            objectives_framework: s(f, "objectives_framework"),
            commits_to_requirements: b(f, "commits_to_requirements"),
            commits_to_improvement: b(f, "commits_to_improvement"),
        }
    }

    fn into_slots(self) -> (ScopeContent, PolicyContent) {
        (ScopeContent::default(), self)
    }
}

/// A version for the templates, its content as labelled lines.
pub struct VersionView {
    pub id: Uuid,
    pub number: i64,
    pub status: String,
    pub based_on: String,
    pub change_note: String,
    pub approved: String,
    pub version: i64,
    pub fields: Vec<(&'static str, Vec<String>)>,
}

fn view<C: VersionedContent>(d: &DocVersion<C>) -> VersionView {
    VersionView {
        id: d.id,
        number: d.number,
        status: d.status.clone(),
        based_on: d.based_on.clone(),
        change_note: d.change_note.clone(),
        approved: match (&d.approved_by, &d.approved_at) {
            (Some(by), Some(at)) => format!("{} by {by}", when(at).get(..10).unwrap_or("")),
            _ => String::new(),
        },
        version: d.version,
        fields: d
            .content
            .fields()
            .into_iter()
            .map(|(_, label, l)| (label, l))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "isms_doc.html")]
pub struct DocPage {
    pub l: Layout,
    pub tab: &'static str,
    pub tabs: &'static [(&'static str, &'static str)],
    pub title: &'static str,
    pub intro: &'static str,
    pub in_force: Option<VersionView>,
    pub draft: Option<VersionView>,
    pub versions: Vec<VersionView>,
    pub comparison: Option<Comparison>,
    pub history: Vec<AuditEntry>,
    pub can_write: bool,
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

fn doc_entity<C: VersionedContent>() -> &'static str {
    match C::KIND.as_str() {
        "scope" => "scope_version",
        _ => "policy_version",
    }
}

pub async fn doc_overview<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let page = st.app.list_doc_versions::<C>(&ctx, None, Some(500)).await;
    let versions = match page {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let mut l = layout(&st, &u, C::TITLE, &ctx, flash).await;
    let comparison = match (q.from.as_deref(), q.to.as_deref()) {
        (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => {
            match (Uuid::parse_str(a), Uuid::parse_str(b)) {
                (Ok(a), Ok(b)) => match st.app.compare_doc_versions::<C>(&ctx, a, b).await {
                    Ok(c) => Some(c),
                    Err(e) => {
                        l = l.with_errors(&e);
                        None
                    }
                },
                _ => {
                    l.errors = vec![isms_domain::FieldError::new(
                        "from",
                        "choose two versions to compare",
                    )];
                    None
                }
            }
        }
        _ => None,
    };
    let history = st
        .app
        .foundation_history(&ctx, doc_entity::<C>(), None, 30)
        .await
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &DocPage {
            l,
            tab: C::TAB,
            tabs: &TABS,
            title: C::TITLE,
            intro: C::INTRO,
            in_force: versions.iter().find(|v| v.is_approved()).map(view),
            draft: versions.iter().find(|v| v.is_draft()).map(view),
            versions: versions.iter().map(view).collect(),
            comparison,
            history,
            can_write: ctx.can(Permission::Write),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    pub change_note: String,
}

pub async fn doc_start<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<StartForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewDocVersion {
        change_note: f.change_note,
    };
    match st
        .app
        .create_doc_version::<C>(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/isms/{}/{}", C::TAB, d.id),
            &format!(
                "Draft version {} started ({}). Edit it, then have it approved.",
                d.number, d.based_on
            ),
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "isms_doc_version.html")]
pub struct DocVersionPage {
    pub l: Layout,
    pub tab: &'static str,
    pub tabs: &'static [(&'static str, &'static str)],
    pub title: &'static str,
    pub v: VersionView,
    pub scope: ScopeContent,
    pub policy: PolicyContent,
    pub change_note: String,
    pub can_edit: bool,
    pub can_approve: bool,
    pub frozen: String,
    pub history: Vec<AuditEntry>,
}

impl DocVersionPage {
    /// Rows of the interface form: the entries plus two blank rows.
    pub fn interface_rows(&self) -> Vec<(usize, Interface)> {
        let mut v = self.scope.interfaces.clone();
        v.extend([Interface::default(), Interface::default()]);
        v.into_iter().enumerate().collect()
    }

    pub fn exclusion_rows(&self) -> Vec<(usize, Exclusion)> {
        let mut v = self.scope.exclusions.clone();
        v.extend([Exclusion::default(), Exclusion::default()]);
        v.into_iter().enumerate().collect()
    }

    pub fn joined(&self, l: &[String]) -> String {
        l.join("\n")
    }

    pub fn bad(&self, field: &str) -> bool {
        !self.l.err(field).is_empty()
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_version<C: WebDoc>(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    d: &DocVersion<C>,
    shown: C,
    change_note: String,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let mut l = layout(
        st,
        u,
        &format!("{} version {}", C::TITLE, d.number),
        ctx,
        flash,
    )
    .await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let status = VersionStatus::parse("status", &d.status).unwrap_or(VersionStatus::Superseded);
    let frozen = isms_domain::foundation::versioned::frozen_reason(C::KIND, d.number, status)
        .unwrap_or_default();
    let history = st
        .app
        .foundation_history(ctx, doc_entity::<C>(), Some(d.id), 100)
        .await
        .unwrap_or_default();
    let (scope, policy) = shown.into_slots();
    render(
        err.map_or(StatusCode::OK, status_for),
        &DocVersionPage {
            l,
            tab: C::TAB,
            tabs: &TABS,
            title: C::TITLE,
            v: view(d),
            scope,
            policy,
            change_note,
            can_edit: d.is_draft() && ctx.can(Permission::Write),
            can_approve: d.is_draft() && ctx.can(Permission::Approve),
            frozen,
            history,
        },
    )
}

pub async fn doc_version<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, C::KIND.label());
    match st.app.get_doc_version::<C>(&ctx, id).await {
        Ok(d) => {
            let (shown, note) = (d.content.clone(), d.change_note.clone());
            show_version(&st, &u, &ctx, &d, shown, note, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn doc_save<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, C::KIND.label());
    let d = match st.app.get_doc_version::<C>(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let content = C::from_form(&f);
    let patch = DocVersionPatch {
        content: Some(content.clone()),
        change_note: Some(s(&f, "change_note")),
        version: version_of(&f),
    };
    match st
        .app
        .update_doc_version::<C>(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(_) => flash_redirect(&format!("/o/{org}/isms/{}/{id}", C::TAB), "Draft saved."),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            show_version(
                &st,
                &u,
                &ctx,
                &d,
                content,
                s(&f, "change_note"),
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn doc_approve<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, C::KIND.label());
    let input = Approve {
        version: version_of(&f),
    };
    match st
        .app
        .approve_doc_version::<C>(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/isms/{}", C::TAB),
            &format!("Version {} approved; it is now in force.", d.number),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            match st.app.get_doc_version::<C>(&ctx, id).await {
                Ok(d) => {
                    let (shown, note) = (d.content.clone(), d.change_note.clone());
                    show_version(&st, &u, &ctx, &d, shown, note, Flash::default(), Some(&e)).await
                }
                Err(e) => error_page(&e),
            }
        }
        Err(e) => error_page(&e),
    }
}

pub async fn doc_delete<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, C::KIND.label());
    match st
        .app
        .delete_doc_version::<C>(Actor::User(&u.p), &ctx, id)
        .await
    {
        Ok(()) => flash_redirect(&format!("/o/{org}/isms/{}", C::TAB), "Draft deleted."),
        Err(e) => error_page(&e),
    }
}

async fn doc_download<C: WebDoc>(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    fmt: isms_export::TableFormat,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let id = id_or_page!(id, C::KIND.label());
    match st.app.doc_file::<C>(&ctx, id, fmt).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

pub async fn doc_pdf<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    doc_download::<C>(&st, &u, &org, &id, isms_export::TableFormat::Pdf).await
}

pub async fn doc_md<C: WebDoc>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    doc_download::<C>(&st, &u, &org, &id, isms_export::TableFormat::Markdown).await
}

// ---------------------------------------------------------------------------------------
// Registers

/// What every register page shows.
pub struct RegisterView<B> {
    pub tab: &'static str,
    pub tabs: &'static [(&'static str, &'static str)],
    pub entries: Vec<Entry<B>>,
    /// The form's values (a new entry, or the one being edited).
    pub form: B,
    pub editing: Option<Entry<B>>,
    pub version: i64,
    pub history: Vec<AuditEntry>,
    pub can_write: bool,
    pub can_approve: bool,
    pub members: Vec<Member>,
    pub climate: String,
}

impl<B> RegisterView<B> {
    pub fn sel(&self, a: &Option<Uuid>, b: &Uuid) -> bool {
        a.as_ref() == Some(b)
    }

    pub fn name_of(&self, id: &Option<Uuid>) -> String {
        id.and_then(|i| self.members.iter().find(|m| m.user_id == i))
            .map(|m| m.name.clone())
            .unwrap_or_default()
    }

    /// Where the form posts: the list (new) or the entry (edit).
    pub fn action(&self, org: &str) -> String {
        match &self.editing {
            Some(e) => format!("/o/{org}/isms/{}/{}", self.tab, e.id),
            None => format!("/o/{org}/isms/{}", self.tab),
        }
    }
}

/// A register as the pages handle it.
pub trait WebRegister: RegisterBody + Default + 'static {
    const TAB: &'static str;
    const TITLE: &'static str;
    /// Read the form: what was typed, and the problems found reading it.
    fn from_form(f: &Form) -> (Self, ValidationError);
    fn page(l: Layout, v: RegisterView<Self>) -> Result<String, askama::Error>;
}

macro_rules! register_page {
    ($page:ident, $b:ty, $tpl:literal) => {
        #[derive(Template)]
        #[template(path = $tpl)]
        pub struct $page {
            pub l: Layout,
            pub tab: &'static str,
            pub tabs: &'static [(&'static str, &'static str)],
            pub history: Vec<AuditEntry>,
            pub v: RegisterView<$b>,
        }

        impl $page {
            pub fn new(l: Layout, mut v: RegisterView<$b>) -> Self {
                Self {
                    l,
                    tab: v.tab,
                    tabs: v.tabs,
                    history: std::mem::take(&mut v.history),
                    v,
                }
            }

            pub fn bad(&self, field: &str) -> bool {
                !self.l.err(field).is_empty()
            }
        }
    };
}

register_page!(IssuesPage, Issue, "isms_issues.html");
register_page!(PartiesPage, Party, "isms_parties.html");
register_page!(RolesPage, Role, "isms_roles.html");
register_page!(ObjectivesPage, Objective, "isms_objectives.html");

impl IssuesPage {
    pub fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        &reg::ISSUE_KINDS
    }

    pub fn internal(&self) -> &'static [(&'static str, &'static str)] {
        &reg::INTERNAL_CATEGORIES
    }

    pub fn external(&self) -> &'static [(&'static str, &'static str)] {
        &reg::EXTERNAL_CATEGORIES
    }

    pub fn category_label(&self, i: &Issue) -> &'static str {
        reg::categories(&i.kind)
            .iter()
            .find(|(k, _)| *k == i.category)
            .map_or("", |(_, l)| l)
    }
}

impl PartiesPage {
    pub fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        &reg::PARTY_KINDS
    }

    pub fn sources(&self) -> &'static [(&'static str, &'static str)] {
        &reg::REQUIREMENT_SOURCES
    }

    pub fn kind_label(&self, k: &str) -> String {
        reg::label_of(&reg::PARTY_KINDS, k).to_owned()
    }

    /// Whether any field starting with `prefix` came back with an error.
    pub fn bad_prefix(&self, prefix: &str) -> bool {
        self.l.errors.iter().any(|e| e.field.starts_with(prefix))
    }

    /// Rows of the requirement form: the entries plus two blank rows.
    pub fn requirement_rows(&self) -> Vec<(usize, Requirement)> {
        let mut v = self.v.form.requirements.clone();
        v.extend([Requirement::default(), Requirement::default()]);
        v.into_iter().enumerate().collect()
    }
}

impl ObjectivesPage {
    pub fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        &reg::OBJECTIVE_STATUSES
    }

    pub fn status_label(&self, k: &str) -> String {
        reg::label_of(&reg::OBJECTIVE_STATUSES, k).to_owned()
    }

    pub fn value(&self) -> String {
        self.v
            .form
            .target_value
            .map(|x| x.to_string())
            .unwrap_or_default()
    }

    pub fn target_of(&self, o: &Objective) -> String {
        match o.target_value {
            Some(x) if o.target.is_empty() => format!("{x} {}", o.target_unit),
            Some(x) => format!("{} ({x} {})", o.target, o.target_unit),
            None => o.target.clone(),
        }
    }
}

impl WebRegister for Issue {
    const TAB: &'static str = "issues";
    const TITLE: &'static str = "Internal and external issues";

    fn from_form(f: &Form) -> (Self, ValidationError) {
        (
            Issue {
                kind: s(f, "kind"),
                category: s(f, "category"),
                title: s(f, "title"),
                description: s(f, "description"),
                effect: s(f, "effect"),
                climate_relevant: b(f, "climate_relevant"),
                climate_note: s(f, "climate_note"),
                review_on: opt_date(f, "review_on"),
            },
            ValidationError::new(),
        )
    }

    fn page(l: Layout, v: RegisterView<Self>) -> Result<String, askama::Error> {
        IssuesPage::new(l, v).render()
    }
}

impl WebRegister for Party {
    const TAB: &'static str = "parties";
    const TITLE: &'static str = "Interested parties";

    fn from_form(f: &Form) -> (Self, ValidationError) {
        let requirements = rows(
            f,
            "requirements",
            &[
                "text",
                "source",
                "reference",
                "addressed",
                "how",
                "climate",
                "controls",
            ],
        )
        .into_iter()
        .map(|r| Requirement {
            text: cell(&r, "text"),
            source: cell(&r, "source"),
            reference: cell(&r, "reference"),
            addressed: !cell(&r, "addressed").is_empty(),
            how: cell(&r, "how"),
            climate: !cell(&r, "climate").is_empty(),
            controls: cell(&r, "controls")
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect();
        (
            Party {
                name: s(f, "name"),
                kind: s(f, "kind"),
                description: s(f, "description"),
                requirements,
            },
            ValidationError::new(),
        )
    }

    fn page(l: Layout, v: RegisterView<Self>) -> Result<String, askama::Error> {
        PartiesPage::new(l, v).render()
    }
}

impl WebRegister for Role {
    const TAB: &'static str = "roles";
    const TITLE: &'static str = "Roles and responsibilities";

    fn from_form(f: &Form) -> (Self, ValidationError) {
        let mut v = ValidationError::new();
        (
            Role {
                title: s(f, "title"),
                responsibilities: s(f, "responsibilities"),
                authority: s(f, "authority"),
                person_id: opt_uuid(f, "person_id", &mut v),
                deputy_id: opt_uuid(f, "deputy_id", &mut v),
                ensures_conformity: b(f, "ensures_conformity"),
                reports_performance: b(f, "reports_performance"),
                top_management: b(f, "top_management"),
            },
            v,
        )
    }

    fn page(l: Layout, v: RegisterView<Self>) -> Result<String, askama::Error> {
        RolesPage::new(l, v).render()
    }
}

impl WebRegister for Objective {
    const TAB: &'static str = "objectives";
    const TITLE: &'static str = "Information security objectives";

    fn from_form(f: &Form) -> (Self, ValidationError) {
        let mut v = ValidationError::new();
        let value = s(f, "target_value");
        let target_value = if value.is_empty() {
            None
        } else {
            match value.replace(',', ".").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    v.push("target_value", "must be a number");
                    None
                }
            }
        };
        (
            Objective {
                title: s(f, "title"),
                description: s(f, "description"),
                owner_id: opt_uuid(f, "owner_id", &mut v),
                target: s(f, "target"),
                target_value,
                target_unit: s(f, "target_unit"),
                due_on: opt_date(f, "due_on"),
                metric: s(f, "metric"),
                metric_method: s(f, "metric_method"),
                metric_frequency: s(f, "metric_frequency"),
                status: Some(s(f, "status"))
                    .filter(|x| !x.is_empty())
                    .unwrap_or_else(|| "draft".to_owned()),
                policy_link: s(f, "policy_link"),
            },
            v,
        )
    }

    fn page(l: Layout, v: RegisterView<Self>) -> Result<String, askama::Error> {
        ObjectivesPage::new(l, v).render()
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_register<B: WebRegister>(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    editing: Option<Entry<B>>,
    form: B,
    version: i64,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let entries = match st.app.all_entries::<B>(ctx).await {
        Ok(e) => e,
        Err(e) => return error_page(&e),
    };
    let title = match &editing {
        Some(e) => format!("{} {}", e.reference, e.data.title()),
        None => B::TITLE.to_owned(),
    };
    let mut l = layout(st, u, &title, ctx, flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let history = st
        .app
        .foundation_history(
            ctx,
            B::REGISTER.as_str(),
            editing.as_ref().map(|e| e.id),
            if editing.is_some() { 100 } else { 20 },
        )
        .await
        .unwrap_or_default();
    let climate = if B::TAB == "issues" {
        let issues: Vec<Issue> = st
            .app
            .all_entries::<Issue>(ctx)
            .await
            .map(|v| v.into_iter().map(|e| e.data).collect())
            .unwrap_or_default();
        climate_sentence(&isms_domain::foundation::checks::climate_determination(
            &issues,
        ))
    } else {
        String::new()
    };
    let v = RegisterView {
        tab: B::TAB,
        tabs: &TABS,
        entries,
        form,
        editing,
        version,
        history,
        can_write: ctx.can(Permission::Write),
        can_approve: ctx.can(Permission::Approve),
        members: members(st, ctx).await,
        climate,
    };
    let status = err.map_or(StatusCode::OK, status_for);
    match B::page(l, v) {
        Ok(html) => {
            axum::response::IntoResponse::into_response((status, axum::response::Html(html)))
        }
        Err(e) => error_page(&AppError::Internal(format!("template failed: {e}"))),
    }
}

pub async fn register_list<B: WebRegister>(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    show_register::<B>(&st, &u, &ctx, None, B::default(), 0, flash, None).await
}

pub async fn register_entry<B: WebRegister>(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, B::REGISTER.label());
    match st.app.get_entry::<B>(&ctx, id).await {
        Ok(e) => {
            let (form, version) = (e.data.clone(), e.version);
            show_register(&st, &u, &ctx, Some(e), form, version, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn register_create<B: WebRegister>(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (body, v) = B::from_form(&f);
    let result = match v.into_result() {
        Ok(()) => {
            st.app
                .create_entry::<B>(Actor::User(&u.p), &ctx, &body)
                .await
        }
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/isms/{}", B::TAB),
            &format!("{} {} added.", e.reference, e.data.title()),
        ),
        Err(e @ AppError::Validation(_)) => {
            show_register(&st, &u, &ctx, None, body, 0, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn register_update<B: WebRegister>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, B::REGISTER.label());
    let before = match st.app.get_entry::<B>(&ctx, id).await {
        Ok(e) => e,
        Err(e) => return error_page(&e),
    };
    let (body, v) = B::from_form(&f);
    let result = match v.into_result() {
        Ok(()) => {
            let patch = EntryPatch {
                version: version_of(&f),
                data: body.clone(),
            };
            st.app
                .update_entry::<B>(Actor::User(&u.p), &ctx, id, &patch)
                .await
        }
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/isms/{}/{id}", B::TAB),
            &format!("{} saved.", e.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let version = version_of(&f);
            show_register(
                &st,
                &u,
                &ctx,
                Some(before),
                body,
                version,
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn register_delete<B: WebRegister>(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, B::REGISTER.label());
    match st.app.delete_entry::<B>(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/isms/{}", B::TAB), "Entry deleted."),
        Err(e) => error_page(&e),
    }
}

pub async fn objective_approve(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<Form>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(&id, "objective");
    let input = Approve {
        version: version_of(&f),
    };
    match st
        .app
        .approve_objective(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/isms/objectives/{id}"),
            &format!("{} approved.", e.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            match st.app.get_entry::<Objective>(&ctx, id).await {
                Ok(o) => {
                    let (form, version) = (o.data.clone(), o.version);
                    show_register(
                        &st,
                        &u,
                        &ctx,
                        Some(o),
                        form,
                        version,
                        Flash::default(),
                        Some(&e),
                    )
                    .await
                }
                Err(e) => error_page(&e),
            }
        }
        Err(e) => error_page(&e),
    }
}

/// Every page (GET) route of the section, as route patterns (for the page matrix test).
pub fn page_routes() -> Vec<String> {
    let mut v = vec!["/o/{org}/isms".to_owned()];
    for tab in ["scope", "policy"] {
        for suffix in ["", "/{id}", "/{id}/document.pdf", "/{id}/document.md"] {
            v.push(format!("/o/{{org}}/isms/{tab}{suffix}"));
        }
    }
    for tab in ["issues", "parties", "roles", "objectives"] {
        v.push(format!("/o/{{org}}/isms/{tab}"));
        v.push(format!("/o/{{org}}/isms/{tab}/{{id}}"));
    }
    v
}

/// The routes of the foundation section.
pub fn routes(r: axum::Router<AppState>) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let r = r.route("/o/{org}/isms", get(overview));
    let r = doc_routes::<ScopeContent>(r, "scope");
    let r = doc_routes::<PolicyContent>(r, "policy");
    let r = register_routes::<Issue>(r, "issues");
    let r = register_routes::<Party>(r, "parties");
    let r = register_routes::<Role>(r, "roles");
    let r = register_routes::<Objective>(r, "objectives");
    r.route(
        "/o/{org}/isms/objectives/{id}/approve",
        post(objective_approve),
    )
}

fn doc_routes<C: WebDoc>(r: axum::Router<AppState>, tab: &str) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let base = format!("/o/{{org}}/isms/{tab}");
    r.route(&base, get(doc_overview::<C>).post(doc_start::<C>))
        .route(
            &format!("{base}/{{id}}"),
            get(doc_version::<C>).post(doc_save::<C>),
        )
        .route(&format!("{base}/{{id}}/approve"), post(doc_approve::<C>))
        .route(&format!("{base}/{{id}}/delete"), post(doc_delete::<C>))
        .route(&format!("{base}/{{id}}/document.pdf"), get(doc_pdf::<C>))
        .route(&format!("{base}/{{id}}/document.md"), get(doc_md::<C>))
}

fn register_routes<B: WebRegister>(r: axum::Router<AppState>, tab: &str) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let base = format!("/o/{{org}}/isms/{tab}");
    r.route(&base, get(register_list::<B>).post(register_create::<B>))
        .route(
            &format!("{base}/{{id}}"),
            get(register_entry::<B>).post(register_update::<B>),
        )
        .route(&format!("{base}/{{id}}/delete"), post(register_delete::<B>))
}
