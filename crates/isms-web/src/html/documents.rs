//! The document register pages: the register with filters, overdue reviews and the
//! template picker; a document's page (register entry, versions, workflow buttons for
//! those allowed, linked clauses and controls, the version in force rendered); a version's
//! page (rendered Markdown, a textarea while it is a draft); and the diff between two
//! versions. Markdown is rendered through `isms_export::markdown::to_safe_html` only.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::documents::{
    Decision, Document, DocumentPatch, DocumentQuery, DocumentVersion, Links, NewDocument,
    NewVersion, Retire, VersionDiff, VersionPatch, can_decide,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::document::diff::LineChange;
use isms_domain::document::templates::{Template, templates};
use isms_domain::document::{Classification, DocumentStatus, Kind};
use isms_domain::rbac::Permission;
use isms_export::markdown::to_safe_html;
use serde::Deserialize;
use uuid::Uuid;

#[allow(clippy::result_large_err)]
fn parse_id(id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| error_page(&AppError::NotFound("document")))
}

#[allow(clippy::result_large_err)]
fn parse_number(n: &str) -> Result<i64, Response> {
    n.parse::<i64>()
        .map_err(|_| error_page(&AppError::NotFound("document version")))
}

fn options<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| f(*x)).collect()
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    options(Kind::ALL, |k| (k.as_str(), k.label()))
}

fn classifications() -> Vec<(&'static str, &'static str)> {
    options(Classification::ALL, |k| (k.as_str(), k.label()))
}

/// The register's filters, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub control: String,
    #[serde(default)]
    pub clause: String,
    #[serde(default)]
    pub cursor: String,
}

/// The "new document" form.
#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(askama::Template)]
#[template(path = "documents.html")]
pub struct ListPage {
    pub l: Layout,
    pub docs: Vec<Document>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub add: NewForm,
    pub members: Vec<Member>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub templates: &'static [Template],
    pub overdue_count: usize,
    pub can_write: bool,
    pub query: String,
}

impl ListPage {
    pub fn pill(&self, s: &str) -> &'static str {
        pill(s)
    }

    pub fn ctl(&self, c: &str) -> String {
        isms_domain::control::display_ref(c)
    }
}

async fn list_view(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    f: ListForm,
    flash: Flash,
    err: Option<&AppError>,
    add: NewForm,
) -> Response {
    let mut l = Layout::new(st, u, "Documents", Some(ctx), "documents", flash).await;
    let mut v = ValidationError::new();
    let owner = match f.owner.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            v.push("owner", "is not a member");
            None
        }),
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let q = DocumentQuery {
        kind: opt(&f.kind),
        status: opt(&f.status),
        owner_id: owner,
        overdue: (f.overdue == "yes").then_some(true),
        control: opt(&f.control),
        clause: opt(&f.clause),
        cursor: opt(&f.cursor),
        limit: Some(100),
    };
    let mut code = StatusCode::OK;
    if let Some(e) = err {
        l = l.with_errors(e);
        code = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let page = match v.into_result() {
        Ok(()) => st.app.list_documents(ctx, &q).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    let (docs, next_cursor) = match page {
        Ok(p) => (p.items, p.next_cursor),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            code = StatusCode::UNPROCESSABLE_ENTITY;
            (Vec::new(), None)
        }
        Err(e) => return error_page(&e),
    };
    let overdue_count = match st
        .app
        .list_documents(
            ctx,
            &DocumentQuery {
                overdue: Some(true),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
    {
        Ok(p) => p.items.len(),
        Err(e) => return error_page(&e),
    };
    let query = serde_urlencoded::to_string([
        ("kind", f.kind.as_str()),
        ("status", f.status.as_str()),
        ("owner", f.owner.as_str()),
        ("overdue", f.overdue.as_str()),
        ("control", f.control.as_str()),
        ("clause", f.clause.as_str()),
    ])
    .unwrap_or_default();
    render(
        code,
        &ListPage {
            l,
            docs,
            next_cursor,
            f,
            add,
            members: super::risks::members(st, ctx).await,
            kinds: kinds(),
            statuses: options(DocumentStatus::ALL, |s| (s.as_str(), s.label())),
            templates: templates(),
            overdue_count,
            can_write: ctx.can(Permission::Write),
            query,
        },
    )
}

pub async fn list_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    list_view(&st, &u, &ctx, f, flash, None, NewForm::default()).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<NewForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = NewDocument {
        template: opt(&form.template),
        title: opt(&form.title),
        kind: opt(&form.kind),
        ..Default::default()
    };
    match st
        .app
        .create_document(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/documents/{}/versions/1", d.id),
            &format!(
                "{} created as a draft. Fill in what is marked \"to complete\", then submit it for approval.",
                d.reference
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_view(
                &st,
                &u,
                &ctx,
                ListForm::default(),
                Flash::default(),
                Some(&e),
                form,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// The register entry form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct MetaForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub approver_id: String,
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub review_months: String,
    #[serde(default)]
    pub version: String,
}

/// The links form: one clause or control per line (or separated by commas).
#[derive(Deserialize, Default, Clone)]
pub struct LinksForm {
    #[serde(default)]
    pub clauses: String,
    #[serde(default)]
    pub controls: String,
    #[serde(default)]
    pub version: String,
}

#[derive(askama::Template)]
#[template(path = "document.html")]
pub struct DocPage {
    pub l: Layout,
    pub d: Document,
    pub versions: Vec<DocumentVersion>,
    /// The version shown: the one in force, else the newest.
    pub shown: Option<DocumentVersion>,
    pub shown_html: String,
    pub open: Option<DocumentVersion>,
    pub meta: MetaForm,
    pub links: LinksForm,
    pub members: Vec<Member>,
    pub approvers: Vec<Member>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub classifications: Vec<(&'static str, &'static str)>,
    pub can_write: bool,
    pub can_decide: bool,
    pub can_retire: bool,
    pub retired: bool,
}

impl DocPage {
    pub fn pill(&self, s: &str) -> &'static str {
        pill(s)
    }

    pub fn day(&self, at: &str) -> String {
        at.chars().take(10).collect()
    }

    pub fn is_current(&self, n: &i64) -> bool {
        self.d.current_version == Some(*n)
    }

    pub fn ctl(&self, c: &str) -> String {
        isms_domain::control::display_ref(c)
    }

    pub fn clause_title(&self, id: &str) -> String {
        isms_domain::catalogue::catalogue()
            .clause(id)
            .map(|c| c.title.clone())
            .unwrap_or_default()
    }

    pub fn control_title(&self, id: &str) -> String {
        isms_domain::catalogue::catalogue()
            .control(id)
            .map(|c| c.title.clone())
            .unwrap_or_default()
    }
}

fn pill(status: &str) -> &'static str {
    match status {
        "approved" => "pill ok",
        "rejected" | "retired" => "pill bad",
        "in_review" => "pill warn",
        _ => "pill",
    }
}

async fn doc_view(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    sent: Option<(MetaForm, LinksForm, &AppError)>,
) -> Response {
    let d = match st.app.get_document(ctx, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let versions = match st
        .app
        .list_document_versions(ctx, id, None, Some(500))
        .await
    {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let shown = d
        .current_version
        .and_then(|n| versions.iter().find(|v| v.number == n))
        .or_else(|| versions.first())
        .cloned();
    let open = versions
        .first()
        .filter(|v| matches!(v.status.as_str(), "draft" | "in_review" | "rejected"))
        .cloned();
    let shown_html = shown
        .as_ref()
        .map(|v| to_safe_html(&v.content))
        .unwrap_or_default();
    let mut l = Layout::new(
        st,
        u,
        &format!("{} {}", d.reference, d.title),
        Some(ctx),
        "documents",
        flash,
    )
    .await;
    let (meta, links, code) = match sent {
        Some((m, k, e)) => {
            l = l.with_errors(e);
            (m, k, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (
            MetaForm {
                title: d.title.clone(),
                kind: d.kind.clone(),
                owner_id: d.owner_id.map(|i| i.to_string()).unwrap_or_default(),
                approver_id: d.approver_id.map(|i| i.to_string()).unwrap_or_default(),
                classification: d.classification.clone(),
                review_months: d.review_months.to_string(),
                version: d.version.to_string(),
            },
            LinksForm {
                clauses: d.clauses.join("\n"),
                controls: d
                    .controls
                    .iter()
                    .map(|c| isms_domain::control::display_ref(c))
                    .collect::<Vec<_>>()
                    .join("\n"),
                version: d.version.to_string(),
            },
            StatusCode::OK,
        ),
    };
    let members = super::risks::members(st, ctx).await;
    let approvers = members
        .iter()
        .filter(|m| isms_domain::rbac::can(m.role, Permission::Approve))
        .cloned()
        .collect();
    let retired = d.status == "retired";
    render(
        code,
        &DocPage {
            can_write: ctx.can(Permission::Write) && !retired,
            can_decide: can_decide(ctx, u.p.user_id, &d) && !retired,
            can_retire: ctx.can(Permission::Approve) && !retired,
            retired,
            l,
            d,
            versions,
            shown,
            shown_html,
            open,
            meta,
            links,
            members,
            approvers,
            kinds: kinds(),
            classifications: classifications(),
        },
    )
}

pub async fn doc_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    doc_view(&st, &u, &ctx, id, flash, None).await
}

fn opt_user(v: &mut ValidationError, field: &str, s: &str) -> Option<Uuid> {
    match s.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            v.push(field, "is not a member of this organisation");
            None
        }),
    }
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<MetaForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut v = ValidationError::new();
    let owner = opt_user(&mut v, "owner_id", &form.owner_id);
    let approver = opt_user(&mut v, "approver_id", &form.approver_id);
    let months = match form.review_months.trim().parse::<i64>() {
        Ok(m) => Some(m),
        Err(_) => {
            v.push("review_months", "must be a whole number of months");
            None
        }
    };
    let result = match v.into_result() {
        Err(e) => Err(AppError::Validation(e)),
        Ok(()) => {
            let patch = DocumentPatch {
                title: Some(form.title.clone()),
                kind: Some(form.kind.clone()),
                owner_id: Some(owner),
                approver_id: Some(approver),
                classification: Some(form.classification.clone()),
                review_months: months,
                version: form.version.trim().parse().unwrap_or(-1),
            };
            st.app
                .update_document(Actor::User(&u.p), &ctx, id, &patch)
                .await
        }
    };
    match result {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/documents/{id}"),
            &format!("{} saved.", d.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            let links = LinksForm::default();
            doc_view(&st, &u, &ctx, id, Flash::default(), Some((form, links, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn set_links(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<LinksForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let input = Links {
        clauses: split_list(&form.clauses),
        controls: split_list(&form.controls),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .set_document_links(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/documents/{id}"),
            &format!("Links of {} saved.", d.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            let d = match st.app.get_document(&ctx, id).await {
                Ok(d) => d,
                Err(e) => return error_page(&e),
            };
            let meta = MetaForm {
                title: d.title,
                kind: d.kind,
                owner_id: d.owner_id.map(|i| i.to_string()).unwrap_or_default(),
                approver_id: d.approver_id.map(|i| i.to_string()).unwrap_or_default(),
                classification: d.classification,
                review_months: d.review_months.to_string(),
                version: d.version.to_string(),
            };
            doc_view(&st, &u, &ctx, id, Flash::default(), Some((meta, form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

/// A form with only the CSRF token and a `version`.
#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub change_note: String,
}

impl StepForm {
    fn version(&self) -> i64 {
        self.version.trim().parse().unwrap_or(-1)
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<StepForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.delete_document(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/documents"), "Document deleted."),
        Err(e) => error_page(&e),
    }
}

pub async fn retire(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<StepForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st
        .app
        .retire_document(
            Actor::User(&u.p),
            &ctx,
            id,
            &Retire {
                version: f.version(),
            },
        )
        .await
    {
        Ok(d) => flash_redirect(
            &format!("/o/{org}/documents/{id}"),
            &format!(
                "{} retired; it stays in the register as a record.",
                d.reference
            ),
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn new_version(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<StepForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let input = NewVersion {
        change_note: f.change_note.clone(),
    };
    match st
        .app
        .new_document_version(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/documents/{id}/versions/{}", v.number),
            &format!(
                "Version {} started as a copy of version {}.",
                v.number,
                v.based_on.unwrap_or(1)
            ),
        ),
        Err(e) => error_page(&e),
    }
}

/// The version editor, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct VersionForm {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub change_note: String,
    #[serde(default)]
    pub version: String,
}

#[derive(askama::Template)]
#[template(path = "document_version.html")]
pub struct VersionPage {
    pub l: Layout,
    pub d: Document,
    pub v: DocumentVersion,
    pub html: String,
    pub form: VersionForm,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    pub versions: Vec<(i64, String)>,
}

async fn version_view(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    number: i64,
    flash: Flash,
    sent: Option<(Option<VersionForm>, &AppError)>,
) -> Response {
    let d = match st.app.get_document(ctx, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let v = match st.app.get_document_version(ctx, id, number).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let versions = match st
        .app
        .list_document_versions(ctx, id, None, Some(500))
        .await
    {
        Ok(p) => p.items.into_iter().map(|x| (x.number, x.status)).collect(),
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(
        st,
        u,
        &format!("{} version {}", d.reference, v.number),
        Some(ctx),
        "documents",
        flash,
    )
    .await;
    let stored = VersionForm {
        content: v.content.clone(),
        change_note: v.change_note.clone(),
        version: v.version.to_string(),
    };
    let (form, code) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f.unwrap_or(stored), StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (stored, StatusCode::OK),
    };
    let writer = ctx.can(Permission::Write);
    render(
        code,
        &VersionPage {
            html: to_safe_html(&v.content),
            can_edit: writer && v.is_editable(),
            can_submit: writer && v.is_editable() && d.status != "retired",
            can_decide: v.status == "in_review"
                && d.status != "retired"
                && can_decide(ctx, u.p.user_id, &d),
            l,
            d,
            v,
            form,
            versions,
        },
    )
}

pub async fn version_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id, n)): Path<(String, String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (id, n) = match (parse_id(&id), parse_number(&n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    version_view(&st, &u, &ctx, id, n, flash, None).await
}

pub async fn save_version(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
    WebForm(form): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (id, n) = match (parse_id(&id), parse_number(&n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let patch = VersionPatch {
        content: Some(form.content.clone()),
        change_note: Some(form.change_note.clone()),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_document_version(Actor::User(&u.p), &ctx, id, n, &patch)
        .await
    {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/documents/{id}/versions/{n}"),
            &if v.to_complete > 0 {
                format!(
                    "Version {n} saved. {} place{} still marked \"to complete\".",
                    v.to_complete,
                    if v.to_complete == 1 { "" } else { "s" }
                )
            } else {
                format!("Version {n} saved.")
            },
        ),
        Err(e @ AppError::Validation(_)) => {
            version_view(
                &st,
                &u,
                &ctx,
                id,
                n,
                Flash::default(),
                Some((Some(form), &e)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// submit, approve or reject.
async fn step(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    n: &str,
    f: StepForm,
    which: &str,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let (id, n) = match (parse_id(id), parse_number(n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let input = Decision {
        version: f.version(),
        comment: f.comment.clone(),
    };
    let a = Actor::User(&u.p);
    let (result, done) = match which {
        "submit" => (
            st.app.submit_document_version(a, &ctx, id, n, &input).await,
            "submitted for approval",
        ),
        "approve" => (
            st.app
                .approve_document_version(a, &ctx, id, n, &input)
                .await,
            "approved; it is now in force and frozen",
        ),
        _ => (
            st.app.reject_document_version(a, &ctx, id, n, &input).await,
            "rejected; the author sees your comment",
        ),
    };
    match result {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/documents/{id}/versions/{}", v.number),
            &format!("Version {} {done}.", v.number),
        ),
        Err(e @ AppError::Validation(_)) => {
            version_view(st, u, &ctx, id, n, Flash::default(), Some((None, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn submit(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
    WebForm(f): WebForm<StepForm>,
) -> Response {
    step(&st, &u, &org, &id, &n, f, "submit").await
}

pub async fn approve(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
    WebForm(f): WebForm<StepForm>,
) -> Response {
    step(&st, &u, &org, &id, &n, f, "approve").await
}

pub async fn reject(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
    WebForm(f): WebForm<StepForm>,
) -> Response {
    step(&st, &u, &org, &id, &n, f, "reject").await
}

impl VersionPage {
    pub fn pill(&self, s: &str) -> &'static str {
        pill(s)
    }

    pub fn day(&self, at: &str) -> String {
        at.chars().take(10).collect()
    }
}

#[derive(Deserialize, Default)]
pub struct DiffForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(askama::Template)]
#[template(path = "document_diff.html")]
pub struct DiffPage {
    pub l: Layout,
    pub d: Document,
    pub diff: Option<VersionDiff>,
    pub versions: Vec<i64>,
    pub from: i64,
    pub to: i64,
}

impl DiffPage {
    pub fn mark(&self, c: &LineChange) -> &'static str {
        match c {
            LineChange::Added => "+",
            LineChange::Removed => "−",
            LineChange::Same => " ",
        }
    }

    pub fn class(&self, c: &LineChange) -> &'static str {
        match c {
            LineChange::Added => "add",
            LineChange::Removed => "del",
            LineChange::Same => "same",
        }
    }
}

pub async fn diff_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<DiffForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let d = match st.app.get_document(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let versions: Vec<i64> = match st
        .app
        .list_document_versions(&ctx, id, None, Some(500))
        .await
    {
        Ok(p) => p.items.into_iter().map(|v| v.number).collect(),
        Err(e) => return error_page(&e),
    };
    let newest = versions.first().copied().unwrap_or(1);
    let to = q.to.trim().parse().unwrap_or(newest);
    let from = q.from.trim().parse().unwrap_or_else(|_| {
        d.current_version
            .filter(|c| *c != to)
            .unwrap_or((to - 1).max(1))
    });
    let mut l = Layout::new(
        &st,
        &u,
        &format!("{} changes", d.reference),
        Some(&ctx),
        "documents",
        flash,
    )
    .await;
    let (diff, code) = match st.app.diff_document_versions(&ctx, id, from, to).await {
        Ok(x) => (Some(x), StatusCode::OK),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            (None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return error_page(&e),
    };
    render(
        code,
        &DiffPage {
            l,
            d,
            diff,
            versions,
            from,
            to,
        },
    )
}

async fn download(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    n: &str,
    fmt: isms_export::TableFormat,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let (id, n) = match (parse_id(id), parse_number(n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    match st.app.document_version_file(&ctx, id, n, fmt).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

pub async fn version_md(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
) -> Response {
    download(&st, &u, &org, &id, &n, isms_export::TableFormat::Markdown).await
}

pub async fn version_pdf(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
) -> Response {
    download(&st, &u, &org, &id, &n, isms_export::TableFormat::Pdf).await
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "documents", &q.format).await
}

pub async fn version_file(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (id, n) = match (parse_id(&id), parse_number(&n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    match st.app.document_version_attachment(&ctx, id, n).await {
        Ok((f, name)) => crate::api::documents::file_response(f, &name),
        Err(e) => error_page(&e),
    }
}

pub async fn attach_file(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, n)): Path<(String, String, String)>,
    crate::upload::WebMultipart(body): crate::upload::WebMultipart,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (id, n) = match (parse_id(&id), parse_number(&n)) {
        (Ok(i), Ok(n)) => (i, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let version = body
        .get("version")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(-1);
    let result = match body.file.as_ref() {
        Some(up) => {
            st.app
                .attach_document_file(Actor::User(&u.p), &ctx, id, n, version, up)
                .await
        }
        None => Err(ValidationError::single("file", "choose a file to attach").into()),
    };
    match result {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/documents/{id}/versions/{n}"),
            &format!(
                "File attached to version {}{}.",
                v.number,
                v.file.map(|f| format!(" ({})", f.name)).unwrap_or_default()
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            version_view(&st, &u, &ctx, id, n, Flash::default(), Some((None, &e))).await
        }
        Err(e) => error_page(&e),
    }
}
