//! Findings and corrective actions: the register with its filters and counts by grade,
//! the new-finding form (which accepts a prefill from an audit checklist), one finding
//! with its actions and closure, one corrective action with its root cause, status and
//! verification of effectiveness.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::findings::{
    ActionQuery, CorrectiveAction, CorrectiveActionPatch, Finding, FindingPatch, FindingQuery,
    GradeCount, NewCorrectiveAction, NewFinding, Verification,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::capa::{ActionStatus, FindingStatus, Grade, RcaMethod, Source, Why};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// An id from a form: empty is none; anything unreadable is refused by the service.
fn form_id(s: &str) -> Option<Uuid> {
    match s.trim() {
        "" => None,
        s => Some(s.parse::<Uuid>().unwrap_or(Uuid::nil())),
    }
}

fn can_record(ctx: &OrgCtx) -> bool {
    ctx.can(Permission::Write) || ctx.can(Permission::AuditWrite)
}

/// (value, label) pairs for a select.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

fn grades() -> Vec<Choice> {
    Grade::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str(),
            label: g.label(),
        })
        .collect()
}

fn sources() -> Vec<Choice> {
    Source::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str(),
            label: g.label(),
        })
        .collect()
}

fn finding_statuses() -> Vec<Choice> {
    FindingStatus::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str(),
            label: g.label(),
        })
        .collect()
}

fn action_statuses() -> Vec<Choice> {
    ActionStatus::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str(),
            label: g.label(),
        })
        .collect()
}

fn methods() -> Vec<Choice> {
    RcaMethod::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str(),
            label: g.label(),
        })
        .collect()
}

pub(crate) async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

macro_rules! id_or_page {
    ($id:expr, $what:literal) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound($what)),
        }
    };
}

/// The register's filters.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListForm {
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("grade", &self.grade),
            ("status", &self.status),
            ("source", &self.source),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

#[derive(Template)]
#[template(path = "findings.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Finding>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub query: String,
    pub counts: Vec<GradeCount>,
    pub grades: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub can_write: bool,
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let q = FindingQuery {
        grade: opt(&f.grade),
        status: opt(&f.status),
        source: opt(&f.source),
        source_id: None,
        cursor: opt(&f.cursor),
        limit: Some(100),
    };
    let mut l = Layout::new(&st, &u, "Findings", Some(&ctx), "findings", flash).await;
    let (status, page) = match st.app.list_findings(&ctx, &q).await {
        Ok(p) => (StatusCode::OK, p),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                isms_app::Page {
                    items: Vec::new(),
                    next_cursor: None,
                },
            )
        }
        Err(e) => return error_page(&e),
    };
    let counts = match st.app.finding_counts(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    render(
        status,
        &ListPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            query: f.query(),
            f,
            counts,
            grades: grades(),
            sources: sources(),
            statuses: finding_statuses(),
            can_write: can_record(&ctx),
        },
    )
}

/// The new-finding form's fields; the query string can fill them in (an audit's
/// "Raise a finding" link).
#[derive(Deserialize, Default, Clone)]
pub struct FindingForm {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_id: String,
    #[serde(default)]
    pub checklist_item: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub raised_on: String,
    #[serde(default)]
    pub raised_by: String,
    #[serde(default)]
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "finding_new.html")]
pub struct NewPage {
    pub l: Layout,
    pub form: FindingForm,
    pub grades: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub members: Vec<Member>,
    /// The certification audit the finding comes from, as (label, link), when the form
    /// was opened from one: the body's deadline is then asked for.
    pub cert_audit: Option<(String, String)>,
}

async fn new_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    form: FindingForm,
    err: Option<&AppError>,
) -> Response {
    let mut l = Layout::new(
        st,
        u,
        "Raise a finding",
        Some(ctx),
        "findings",
        Flash::default(),
    )
    .await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let cert_audit = match (form.source.trim(), form_id(&form.source_id)) {
        ("certification_audit", Some(id)) => {
            st.app.get_cert_audit_by_id(ctx, id).await.ok().map(|a| {
                (
                    format!("{} {} by {}", a.reference, a.kind_label, a.body_name),
                    format!("/o/{}/certification/audits/{}", ctx.org.slug, a.reference),
                )
            })
        }
        _ => None,
    };
    render(
        status,
        &NewPage {
            l,
            form,
            grades: grades(),
            sources: sources(),
            members: members(st, ctx).await,
            cert_audit,
        },
    )
}

pub async fn new_form(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(mut form): Query<FindingForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if !can_record(&ctx) {
        return error_page(&AppError::forbidden("raise findings"));
    }
    if form.title.is_empty() && !form.reference.is_empty() {
        let grade = Grade::from_stored(form.grade.trim())
            .map(|g| g.label())
            .unwrap_or("Finding");
        form.title = format!("{grade} against {}", form.reference.trim());
    }
    if form.source.trim() == "certification_audit" {
        // The body's auditor raised it, on the last day of the audit as a rule.
        if form.raised_on.is_empty()
            && let Some(id) = form_id(&form.source_id)
            && let Ok(a) = st.app.get_cert_audit_by_id(&ctx, id).await
        {
            form.raised_on = a.actual_end.unwrap_or(a.planned_end);
        }
    } else if form.raised_by.is_empty() {
        form.raised_by = u.p.user_id.to_string();
    }
    new_page(&st, &u, &ctx, form, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<FindingForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewFinding {
        source: opt(&form.source),
        source_id: form_id(&form.source_id),
        checklist_item_id: form_id(&form.checklist_item),
        grade: form.grade.clone(),
        reference: form.reference.clone(),
        title: form.title.clone(),
        description: form.description.clone(),
        evidence: form.evidence.clone(),
        evidence_ids: Vec::new(),
        raised_on: opt(&form.raised_on),
        raised_by: form_id(&form.raised_by),
        deadline: opt(&form.deadline),
    };
    match st.app.create_finding(Actor::User(&u.p), &ctx, &input).await {
        Ok(f) => flash_redirect(
            &format!("/o/{org}/findings/{}", f.id),
            &format!("{} raised.", f.finding_ref),
        ),
        Err(e @ AppError::Validation(_)) => new_page(&st, &u, &ctx, form, Some(&e)).await,
        Err(e) => error_page(&e),
    }
}

/// The fields of the new-corrective-action form (also sent back on a problem).
#[derive(Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    pub finding_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub correction: String,
    #[serde(default)]
    pub correction_on: String,
    #[serde(default)]
    pub rca_method: String,
    #[serde(default)]
    pub why1: String,
    #[serde(default)]
    pub answer1: String,
    #[serde(default)]
    pub why2: String,
    #[serde(default)]
    pub answer2: String,
    #[serde(default)]
    pub why3: String,
    #[serde(default)]
    pub answer3: String,
    #[serde(default)]
    pub why4: String,
    #[serde(default)]
    pub answer4: String,
    #[serde(default)]
    pub why5: String,
    #[serde(default)]
    pub answer5: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

impl ActionForm {
    fn whys(&self) -> Vec<Why> {
        [
            (&self.why1, &self.answer1),
            (&self.why2, &self.answer2),
            (&self.why3, &self.answer3),
            (&self.why4, &self.answer4),
            (&self.why5, &self.answer5),
        ]
        .into_iter()
        .map(|(w, a)| Why {
            why: w.clone(),
            answer: a.clone(),
        })
        .collect()
    }

    fn from_action(a: &CorrectiveAction) -> Self {
        let w = |i: usize| {
            a.five_whys.get(i).cloned().unwrap_or(Why {
                why: String::new(),
                answer: String::new(),
            })
        };
        Self {
            finding_id: a.finding_id.map(|f| f.to_string()).unwrap_or_default(),
            title: a.title.clone(),
            correction: a.correction.clone(),
            correction_on: a.correction_on.clone().unwrap_or_default(),
            rca_method: a.rca_method.clone().unwrap_or_default(),
            why1: w(0).why,
            answer1: w(0).answer,
            why2: w(1).why,
            answer2: w(1).answer,
            why3: w(2).why,
            answer3: w(2).answer,
            why4: w(3).why,
            answer4: w(3).answer,
            why5: w(4).why,
            answer5: w(4).answer,
            root_cause: a.root_cause.clone(),
            description: a.description.clone(),
            owner_id: a.owner_id.map(|f| f.to_string()).unwrap_or_default(),
            due_on: a.due_on.clone().unwrap_or_default(),
            status: a.status.clone(),
            version: a.version.to_string(),
        }
    }
}

/// The finding page's change/close form.
#[derive(Deserialize, Default, Clone)]
pub struct ChangeForm {
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub closure_note: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "finding.html")]
pub struct ItemPage {
    pub l: Layout,
    pub f: Finding,
    pub actions: Vec<CorrectiveAction>,
    pub change: ChangeForm,
    pub action: ActionForm,
    pub grades: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub members: Vec<Member>,
    pub can_write: bool,
    /// The audit it came from, as (reference, link), when it is one of ours.
    pub source_link: Option<(String, String)>,
}

async fn item_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    err: Option<&AppError>,
    sent: (Option<ChangeForm>, Option<ActionForm>),
) -> Response {
    let f = match st.app.get_finding(ctx, id).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let q = ActionQuery {
        finding_id: Some(id),
        limit: Some(500),
        ..Default::default()
    };
    let actions = match st.app.list_corrective_actions(ctx, &q).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let title = format!("{} {}", f.finding_ref, f.title);
    let org = &ctx.org.slug;
    let source_link = match (f.source.as_str(), f.source_id) {
        ("internal_audit", Some(a)) => st
            .app
            .get_audit(ctx, a)
            .await
            .ok()
            .map(|a| (a.reference, format!("/o/{org}/audits/{}", a.id))),
        ("certification_audit", Some(a)) => {
            st.app.get_cert_audit_by_id(ctx, a).await.ok().map(|a| {
                let link = format!("/o/{org}/certification/audits/{}", a.reference);
                (a.reference, link)
            })
        }
        _ => None,
    };
    let mut l = Layout::new(st, u, &title, Some(ctx), "findings", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let change = sent.0.unwrap_or_else(|| ChangeForm {
        grade: f.grade.clone(),
        reference: f.reference.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        evidence: f.evidence.clone(),
        deadline: f.deadline.clone().unwrap_or_default(),
        status: f.status.clone(),
        closure_note: f.closure_note.clone(),
        version: f.version.to_string(),
    });
    let action = sent.1.unwrap_or_else(|| ActionForm {
        rca_method: "five_whys".into(),
        ..Default::default()
    });
    render(
        status,
        &ItemPage {
            l,
            change,
            action,
            actions,
            grades: grades(),
            statuses: finding_statuses(),
            methods: methods(),
            members: members(st, ctx).await,
            source_link,
            can_write: can_record(ctx),
            f,
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
    let id = id_or_page!(id, "finding");
    item_page(&st, &u, &ctx, id, flash, None, (None, None)).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<ChangeForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "finding");
    let patch = FindingPatch {
        grade: opt(&form.grade),
        reference: opt(&form.reference),
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        evidence: Some(form.evidence.clone()),
        deadline: Some(opt(&form.deadline)),
        status: opt(&form.status),
        closure_note: Some(form.closure_note.clone()),
        version: form.version.trim().parse().unwrap_or(-1),
        ..Default::default()
    };
    match st
        .app
        .update_finding(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(f) => flash_redirect(
            &format!("/o/{org}/findings/{id}"),
            &format!(
                "{} saved; status {}.",
                f.finding_ref,
                f.status_label.to_lowercase()
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            item_page(
                &st,
                &u,
                &ctx,
                id,
                Flash::default(),
                Some(&e),
                (Some(form), None),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// Plan a corrective action (from the finding page, or standalone from the register).
pub async fn create_action(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<ActionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let finding = form_id(&form.finding_id);
    let input = NewCorrectiveAction {
        finding_id: finding,
        title: form.title.clone(),
        correction: form.correction.clone(),
        correction_on: opt(&form.correction_on),
        rca_method: opt(&form.rca_method),
        five_whys: form.whys(),
        root_cause: form.root_cause.clone(),
        description: form.description.clone(),
        owner_id: form_id(&form.owner_id),
        due_on: opt(&form.due_on),
    };
    match st
        .app
        .create_corrective_action(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/corrective-actions/{}", a.id),
            &format!("{} planned.", a.action_ref),
        ),
        Err(e @ AppError::Validation(_)) => match finding {
            Some(fid) if fid != Uuid::nil() => {
                item_page(
                    &st,
                    &u,
                    &ctx,
                    fid,
                    Flash::default(),
                    Some(&e),
                    (None, Some(form)),
                )
                .await
            }
            _ => {
                actions_page(
                    &st,
                    &u,
                    &ctx,
                    ActionListForm::default(),
                    Flash::default(),
                    Some(&e),
                    Some(form),
                )
                .await
            }
        },
        Err(e) => error_page(&e),
    }
}

/// The corrective-action register's filters.
#[derive(Deserialize, Default, Clone)]
pub struct ActionListForm {
    #[serde(default)]
    pub status: String,
    /// `1`: only overdue actions.
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "corrective_actions.html")]
pub struct ActionsPage {
    pub l: Layout,
    pub items: Vec<CorrectiveAction>,
    pub next_cursor: Option<String>,
    pub f: ActionListForm,
    pub query: String,
    pub statuses: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub members: Vec<Member>,
    pub action: ActionForm,
    pub can_write: bool,
}

async fn actions_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    f: ActionListForm,
    flash: Flash,
    err: Option<&AppError>,
    sent: Option<ActionForm>,
) -> Response {
    let q = ActionQuery {
        status: opt(&f.status),
        overdue: f.overdue == "1",
        cursor: opt(&f.cursor),
        limit: Some(100),
        ..Default::default()
    };
    let mut l = Layout::new(st, u, "Corrective actions", Some(ctx), "findings", flash).await;
    let mut status = StatusCode::OK;
    let page = match st.app.list_corrective_actions(ctx, &q).await {
        Ok(p) => p,
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            status = StatusCode::UNPROCESSABLE_ENTITY;
            isms_app::Page {
                items: Vec::new(),
                next_cursor: None,
            }
        }
        Err(e) => return error_page(&e),
    };
    if let Some(e) = err {
        l = l.with_errors(e);
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let query = {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !f.status.trim().is_empty() {
            s.append_pair("status", f.status.trim());
        }
        if f.overdue == "1" {
            s.append_pair("overdue", "1");
        }
        s.finish()
    };
    let members = members(st, ctx).await;
    render(
        status,
        &ActionsPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            query,
            f,
            statuses: action_statuses(),
            methods: methods(),
            members,
            action: sent.unwrap_or_else(|| ActionForm {
                rca_method: "other".into(),
                ..Default::default()
            }),
            can_write: can_record(ctx),
        },
    )
}

pub async fn actions(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ActionListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    actions_page(&st, &u, &ctx, f, flash, None, None).await
}

/// The verification form.
#[derive(Deserialize, Default, Clone)]
pub struct VerifyForm {
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub verified_on: String,
    #[serde(default)]
    pub verified_by: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "corrective_action.html")]
pub struct ActionPage {
    pub l: Layout,
    pub a: CorrectiveAction,
    pub form: ActionForm,
    pub verify: VerifyForm,
    pub statuses: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub members: Vec<Member>,
    pub can_write: bool,
}

async fn action_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    err: Option<&AppError>,
    sent: (Option<ActionForm>, Option<VerifyForm>),
) -> Response {
    let a = match st.app.get_corrective_action(ctx, id).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let title = format!("{} {}", a.action_ref, a.title);
    let mut l = Layout::new(st, u, &title, Some(ctx), "findings", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    // Statuses a person sets by hand (the verified ones come from a verification).
    let statuses = action_statuses()
        .into_iter()
        .filter(|c| !c.value.starts_with("verified_") || c.value == a.status)
        .collect();
    render(
        status,
        &ActionPage {
            l,
            form: sent.0.unwrap_or_else(|| ActionForm::from_action(&a)),
            verify: sent.1.unwrap_or_else(|| VerifyForm {
                result: "effective".into(),
                version: a.version.to_string(),
                ..Default::default()
            }),
            statuses,
            methods: methods(),
            members: members(st, ctx).await,
            can_write: can_record(ctx),
            a,
        },
    )
}

pub async fn action(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "corrective action");
    action_page(&st, &u, &ctx, id, flash, None, (None, None)).await
}

pub async fn update_action(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<ActionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "corrective action");
    let patch = CorrectiveActionPatch {
        title: Some(form.title.clone()),
        correction: Some(form.correction.clone()),
        correction_on: Some(opt(&form.correction_on)),
        rca_method: Some(opt(&form.rca_method)),
        five_whys: Some(form.whys()),
        root_cause: Some(form.root_cause.clone()),
        description: Some(form.description.clone()),
        owner_id: Some(form_id(&form.owner_id)),
        due_on: Some(opt(&form.due_on)),
        status: opt(&form.status),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_corrective_action(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/corrective-actions/{id}"),
            &format!(
                "{} saved; status {}.",
                a.action_ref,
                a.status_label.to_lowercase()
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            action_page(
                &st,
                &u,
                &ctx,
                id,
                Flash::default(),
                Some(&e),
                (Some(form), None),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn verify(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<VerifyForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "corrective action");
    let input = Verification {
        result: form.result.clone(),
        verified_on: opt(&form.verified_on),
        verified_by: form_id(&form.verified_by),
        note: form.note.clone(),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .verify_corrective_action(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/corrective-actions/{id}"),
            &format!(
                "{} verified: {}.",
                a.action_ref,
                a.status_label.to_lowercase()
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            action_page(
                &st,
                &u,
                &ctx,
                id,
                Flash::default(),
                Some(&e),
                (None, Some(form)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// `?format=csv|xlsx` of a register.
pub async fn export_findings(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "findings", &q.format).await
}

pub async fn export_actions(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "corrective-actions", &q.format).await
}
