//! The evidence register: the list with its filters (and a control's evidence history),
//! the upload and link forms, one piece of evidence with its links and download, and the
//! controls said to be implemented that have no current evidence.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::api::evidence::{file_response, links_in, new_evidence_from_form};
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use crate::upload::WebMultipart;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::blobs::human_size;
use isms_app::evidence::{
    Evidence, EvidenceCoverage, EvidencePatch, EvidenceQuery, NewEvidence, NewLink,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::catalogue::catalogue;
use isms_domain::control::{ControlRef, display_ref, parse_control_ref};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// The register's filters, as the query string carries them.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub control: String,
    #[serde(default)]
    pub clause: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub kind: String,
    /// `expired` or `expiring`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListForm {
    /// The query string of these filters (without the cursor).
    pub fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("control", &self.control),
            ("clause", &self.clause),
            ("risk", &self.risk),
            ("kind", &self.kind),
            ("status", &self.status),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

/// The metadata fields of the upload and link forms (sent back on a problem).
#[derive(Deserialize, Default, Clone)]
pub struct MetaForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub collected_by: String,
    #[serde(default)]
    pub collected_on: String,
    #[serde(default)]
    pub period_from: String,
    #[serde(default)]
    pub period_to: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub controls: String,
    #[serde(default)]
    pub clauses: String,
    #[serde(default)]
    pub risks: String,
    #[serde(default)]
    pub version: String,
}

impl MetaForm {
    fn links(&self) -> Vec<NewLink> {
        [
            ("control", &self.controls),
            ("clause", &self.clauses),
            ("risk", &self.risks),
        ]
        .into_iter()
        .flat_map(|(kind, v)| links_in(kind, v))
        .collect()
    }

    fn from_upload(b: &crate::upload::MultipartBody) -> Self {
        let g = |k: &str| b.all(k).join(", ");
        Self {
            title: g("title"),
            description: g("description"),
            collected_by: g("collected_by"),
            collected_on: g("collected_on"),
            period_from: g("period_from"),
            period_to: g("period_to"),
            valid_until: g("valid_until"),
            controls: g("controls"),
            clauses: g("clauses"),
            risks: g("risks"),
            ..Default::default()
        }
    }

    fn from_evidence(e: &Evidence) -> Self {
        Self {
            title: e.title.clone(),
            description: e.description.clone(),
            url: e.url.clone().unwrap_or_default(),
            collected_by: e.collected_by.map(|u| u.to_string()).unwrap_or_default(),
            collected_on: e.collected_on.clone(),
            period_from: e.period_from.clone().unwrap_or_default(),
            period_to: e.period_to.clone().unwrap_or_default(),
            valid_until: e.valid_until.clone().unwrap_or_default(),
            version: e.version.to_string(),
            ..Default::default()
        }
    }
}

/// A member chosen in a form: empty is nobody; anything unreadable is refused by the
/// service as "not a member".
fn member_id(s: &str) -> Option<Uuid> {
    match s.trim() {
        "" => None,
        s => Some(s.parse::<Uuid>().unwrap_or(Uuid::nil())),
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "evidence.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Evidence>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub query: String,
    /// Set on a control's evidence history: its label and title.
    pub history_of: Option<(String, String)>,
    /// Which form came back with a problem: `upload` or `link`.
    pub sent: String,
    pub upload: MetaForm,
    pub link: MetaForm,
    pub members: Vec<Member>,
    pub can_write: bool,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "evidence_item.html")]
pub struct ItemPage {
    pub l: Layout,
    pub e: Evidence,
    pub form: MetaForm,
    pub members: Vec<Member>,
    pub can_write: bool,
    pub size: String,
}

#[derive(Template)]
#[template(path = "evidence_coverage.html")]
pub struct CoveragePage {
    pub l: Layout,
    pub c: EvidenceCoverage,
}

async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

/// The evidence id of a path, or the not-found page from the handler.
macro_rules! id_or_page {
    ($id:expr) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound("evidence")),
        }
    };
}

/// The label and title of the control a history is for.
fn control_heading(control: &str) -> Option<(String, String)> {
    let r = parse_control_ref("control", control).ok()?;
    let title = match &r {
        ControlRef::AnnexA(id) => catalogue()
            .control(id)
            .map(|c| c.title.clone())
            .unwrap_or_default(),
        ControlRef::Own(_) => String::new(),
    };
    Some((display_ref(r.key()), title))
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    f: ListForm,
    flash: Flash,
    err: Option<(&str, &AppError)>,
    upload: MetaForm,
    link: MetaForm,
) -> Response {
    let q = EvidenceQuery {
        control: opt(&f.control),
        clause: opt(&f.clause),
        risk: opt(&f.risk),
        kind: opt(&f.kind),
        expired: f.status == "expired",
        expiring: f.status == "expiring",
        cursor: opt(&f.cursor),
        limit: Some(100),
    };
    let page = match st.app.list_evidence(ctx, &q).await {
        Ok(p) => p,
        Err(e @ AppError::Validation(_)) if err.is_none() => {
            let mut l = Layout::new(st, u, "Evidence", Some(ctx), "evidence", flash).await;
            l = l.with_errors(&e);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ListPage {
                    l,
                    items: Vec::new(),
                    next_cursor: None,
                    query: String::new(),
                    f: ListForm::default(),
                    history_of: None,
                    sent: String::new(),
                    upload,
                    link,
                    members: members(st, ctx).await,
                    can_write: ctx.can(Permission::Write),
                    limit: human_size(st.app.upload_limit()),
                },
            );
        }
        Err(e) => return error_page(&e),
    };
    let history_of = opt(&f.control).and_then(|c| control_heading(&c));
    let title = match &history_of {
        Some((label, _)) => format!("Evidence for {label}"),
        None => "Evidence".to_owned(),
    };
    let mut l = Layout::new(st, u, &title, Some(ctx), "evidence", flash).await;
    let (status, sent) = match err {
        Some((which, e)) => {
            l = l.with_errors(e);
            let status = match e {
                AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, which.to_owned())
        }
        None => (StatusCode::OK, String::new()),
    };
    let mut upload = upload;
    if upload.controls.is_empty() && sent.is_empty() {
        upload.controls = f.control.trim().to_owned();
    }
    render(
        status,
        &ListPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            query: f.query(),
            f,
            history_of,
            sent,
            upload,
            link,
            members: members(st, ctx).await,
            can_write: ctx.can(Permission::Write),
            limit: human_size(st.app.upload_limit()),
        },
    )
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    list_page(
        &st,
        &u,
        &ctx,
        f,
        flash,
        None,
        MetaForm::default(),
        MetaForm::default(),
    )
    .await
}

/// The upload form (multipart, CSRF-checked before anything is used).
pub async fn upload(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebMultipart(body): WebMultipart,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let sent = MetaForm::from_upload(&body);
    let result = match new_evidence_from_form(&body) {
        Ok(mut input) => {
            input.kind = Some("file".into());
            st.app
                .create_evidence(Actor::User(&u.p), &ctx, &input, body.file.as_ref())
                .await
        }
        Err(v) => Err(AppError::Validation(v)),
    };
    match result {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/evidence/{}", e.id),
            &format!(
                "{} stored ({}). Its SHA-256 is checked on every download.",
                e.reference,
                e.file.as_ref().map(|f| f.file_name.as_str()).unwrap_or("")
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::TooLarge(_))) => {
            list_page(
                &st,
                &u,
                &ctx,
                ListForm::default(),
                Flash::default(),
                Some(("upload", &e)),
                sent,
                MetaForm::default(),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// The link form.
pub async fn add_link_evidence(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<MetaForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewEvidence {
        kind: Some("link".into()),
        title: form.title.clone(),
        description: form.description.clone(),
        url: Some(form.url.clone()),
        collected_by: member_id(&form.collected_by),
        collected_on: opt(&form.collected_on),
        period_from: opt(&form.period_from),
        period_to: opt(&form.period_to),
        valid_until: opt(&form.valid_until),
        links: form.links(),
    };
    match st
        .app
        .create_evidence(Actor::User(&u.p), &ctx, &input, None)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/evidence/{}", e.id),
            &format!("{} recorded.", e.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_page(
                &st,
                &u,
                &ctx,
                ListForm::default(),
                Flash::default(),
                Some(("link", &e)),
                MetaForm::default(),
                form,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

async fn item_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    sent: Option<(MetaForm, &AppError)>,
) -> Response {
    let e = match st.app.get_evidence(ctx, id).await {
        Ok(e) => e,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(
        st,
        u,
        &format!("{} {}", e.reference, e.title),
        Some(ctx),
        "evidence",
        flash,
    )
    .await;
    let (form, status) = match sent {
        Some((f, err)) => {
            l = l.with_errors(err);
            let status = match err {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (f, status)
        }
        None => (MetaForm::from_evidence(&e), StatusCode::OK),
    };
    let size = e
        .file
        .as_ref()
        .map(|f| human_size(u64::try_from(f.size).unwrap_or(0)))
        .unwrap_or_default();
    render(
        status,
        &ItemPage {
            l,
            e,
            form,
            members: members(st, ctx).await,
            can_write: ctx.can(Permission::Write),
            size,
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
    let id = id_or_page!(id);
    item_page(&st, &u, &ctx, id, flash, None).await
}

/// Save the metadata form.
pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<MetaForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let collected_by = member_id(&form.collected_by);
    let patch = EvidencePatch {
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        url: opt(&form.url),
        collected_by: Some(collected_by),
        collected_on: Some(form.collected_on.clone()),
        period_from: Some(opt(&form.period_from)),
        period_to: Some(opt(&form.period_to)),
        valid_until: Some(opt(&form.valid_until)),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_evidence(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/evidence/{}", e.id),
            &format!("{} saved.", e.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            item_page(&st, &u, &ctx, id, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub reference: String,
}

pub async fn add_link(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<LinkForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let link = NewLink {
        kind: form.kind,
        reference: form.reference,
    };
    match st
        .app
        .add_evidence_link(Actor::User(&u.p), &ctx, id, &link)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/evidence/{}", e.id),
            &format!("{} linked.", e.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            let form = match st.app.get_evidence(&ctx, id).await {
                Ok(ev) => MetaForm::from_evidence(&ev),
                Err(e) => return error_page(&e),
            };
            item_page(&st, &u, &ctx, id, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn remove_link(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<LinkForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st
        .app
        .remove_evidence_link(Actor::User(&u.p), &ctx, id, &form.kind, &form.reference)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/evidence/{}", e.id),
            &format!("Link taken off {}.", e.reference),
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<LinkForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let reference = st
        .app
        .get_evidence(&ctx, id)
        .await
        .map(|e| e.reference)
        .unwrap_or_default();
    match st.app.delete_evidence(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/evidence"),
            &format!("{reference} removed."),
        ),
        Err(e) => error_page(&e),
    }
}

/// Download the file (its hash is checked; a damaged file is an error page, not bytes).
pub async fn download(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st.app.download_evidence(&ctx, id).await {
        Ok(f) => file_response(f),
        Err(e) => error_page(&e),
    }
}

pub async fn coverage(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let c = match st.app.evidence_coverage(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let l = Layout::new(
        &st,
        &u,
        "Controls without current evidence",
        Some(&ctx),
        "evidence",
        flash,
    )
    .await;
    render(StatusCode::OK, &CoveragePage { l, c })
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "evidence", &q.format).await
}
