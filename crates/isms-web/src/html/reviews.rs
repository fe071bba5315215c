//! Management reviews: the list with the form that schedules one (and compiles its
//! inputs), and one review with its frozen inputs, discussion per input, decisions,
//! actions, marking held, approval and the minutes.

use super::findings::members;
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
use isms_app::reviews::{ManagementReview, NewReview, NewReviewAction, ReviewPatch, ReviewSummary};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use isms_domain::review::SECTION_KEYS;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

macro_rules! id_or_page {
    ($id:expr) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound("management review")),
        }
    };
}

/// The schedule form.
#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub planned_on: String,
    #[serde(default)]
    pub chair_id: String,
    /// Free-text names, one a line or comma-separated.
    #[serde(default)]
    pub others: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "management_reviews.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<ReviewSummary>,
    pub next_cursor: Option<String>,
    pub form: NewForm,
    pub members: Vec<Member>,
    pub can_write: bool,
}

async fn list_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    cursor: Option<String>,
    flash: Flash,
    err: Option<&AppError>,
    form: NewForm,
) -> Response {
    let page = match st
        .app
        .list_reviews(ctx, None, cursor.as_deref(), Some(100))
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(
        st,
        u,
        "Management review",
        Some(ctx),
        "management-reviews",
        flash,
    )
    .await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &ListPage {
            l,
            items: page.items,
            next_cursor: page.next_cursor,
            form,
            members: members(st, ctx).await,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<NewForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    list_page(
        &st,
        &u,
        &ctx,
        opt(&f.cursor),
        flash,
        None,
        NewForm::default(),
    )
    .await
}

fn names(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

fn member_id(s: &str) -> Option<Uuid> {
    match s.trim() {
        "" => None,
        s => Some(s.parse::<Uuid>().unwrap_or(Uuid::nil())),
    }
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<NewForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewReview {
        title: opt(&form.title),
        planned_on: form.planned_on.clone(),
        chair_id: member_id(&form.chair_id),
        attendee_ids: Vec::new(),
        other_attendees: names(&form.others),
    };
    match st.app.create_review(Actor::User(&u.p), &ctx, &input).await {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/management-reviews/{}", r.id),
            &format!(
                "{} scheduled; its inputs were compiled as of {}.",
                r.review_ref, r.inputs_as_of
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_page(&st, &u, &ctx, None, Flash::default(), Some(&e), form).await
        }
        Err(e) => error_page(&e),
    }
}

/// One discussion box: section key, heading, note text.
pub struct NoteBox {
    pub key: String,
    pub heading: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "management_review.html")]
pub struct ItemPage {
    pub l: Layout,
    pub r: ManagementReview,
    pub notes: Vec<NoteBox>,
    pub members: Vec<Member>,
    pub people: Vec<Person>,
    pub can_write: bool,
    pub can_approve: bool,
}

/// A member as the record form shows them.
pub struct Person {
    pub id: String,
    pub name: String,
    pub attended: bool,
    pub chair: bool,
}

async fn item_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let r = match st.app.get_review(ctx, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let title = format!("{} {}", r.review_ref, r.title);
    let mut l = Layout::new(st, u, &title, Some(ctx), "management-reviews", flash).await;
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
    let notes = r
        .inputs
        .sections()
        .iter()
        .map(|s| NoteBox {
            key: s.key.clone(),
            heading: format!("{} {}", s.clause, s.title),
            text: r.notes.get(&s.key).cloned().unwrap_or_default(),
        })
        .collect();
    let members = members(st, ctx).await;
    let people = members
        .iter()
        .map(|m| Person {
            id: m.user_id.to_string(),
            name: m.name.clone(),
            attended: r.attendees.iter().any(|a| a.id == m.user_id),
            chair: r.chair_id == Some(m.user_id),
        })
        .collect();
    render(
        status,
        &ItemPage {
            l,
            notes,
            members,
            people,
            can_write: ctx.can(Permission::Write),
            can_approve: ctx.can(Permission::Approve),
            r,
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

/// A review form's result: back to the page with a message, or the page with the problem.
async fn done(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    r: Result<ManagementReview, AppError>,
    message: impl Fn(&ManagementReview) -> String,
) -> Response {
    match r {
        Ok(r) => flash_redirect(
            &format!("/o/{}/management-reviews/{id}", ctx.org.slug),
            &message(&r),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            item_page(st, u, ctx, id, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

/// The record form: attendees, discussion per input, decisions. Notes come as
/// `note_a`, `note_b`, … `note_g`.
pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut notes = BTreeMap::new();
    for k in SECTION_KEYS {
        if let Some((_, v)) = form.iter().find(|(n, _)| *n == format!("note_{k}")) {
            notes.insert(k.to_owned(), v.clone());
        }
    }
    let attendee_ids: Vec<Uuid> = form
        .iter()
        .filter(|(n, _)| n == "attendee")
        .filter_map(|(_, v)| member_id(v))
        .collect();
    let patch = ReviewPatch {
        title: opt(&get("title")),
        planned_on: opt(&get("planned_on")),
        chair_id: Some(member_id(&get("chair_id"))),
        attendee_ids: Some(attendee_ids),
        other_attendees: Some(names(&get("others"))),
        notes: Some(notes),
        decisions: Some(get("decisions")),
        version: get("version").trim().parse().unwrap_or(-1),
        ..Default::default()
    };
    let r = st
        .app
        .update_review(Actor::User(&u.p), &ctx, id, &patch)
        .await;
    done(&st, &u, &ctx, id, r, |r| format!("{} saved.", r.review_ref)).await
}

/// Mark held (with the day it took place).
#[derive(Deserialize, Default)]
pub struct HeldForm {
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub version: String,
}

pub async fn held(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<HeldForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let patch = ReviewPatch {
        held_on: Some(form.held_on.clone()),
        status: Some("held".to_owned()),
        version: form.version.trim().parse().unwrap_or(-1),
        ..Default::default()
    };
    let r = st
        .app
        .update_review(Actor::User(&u.p), &ctx, id, &patch)
        .await;
    done(&st, &u, &ctx, id, r, |r| {
        format!(
            "{} marked held on {}.",
            r.review_ref,
            r.held_on.as_deref().unwrap_or("")
        )
    })
    .await
}

/// The version a button applies to.
#[derive(Deserialize, Default)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
}

pub async fn approve(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let r = st
        .app
        .approve_review(
            Actor::User(&u.p),
            &ctx,
            id,
            form.version.trim().parse().unwrap_or(-1),
        )
        .await;
    done(&st, &u, &ctx, id, r, |r| {
        format!("{} approved; the record is now locked.", r.review_ref)
    })
    .await
}

pub async fn refresh(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let r = st
        .app
        .refresh_review_inputs(
            Actor::User(&u.p),
            &ctx,
            id,
            form.version.trim().parse().unwrap_or(-1),
        )
        .await;
    done(&st, &u, &ctx, id, r, |r| {
        format!("Inputs compiled again as of {}.", r.inputs_as_of)
    })
    .await
}

/// An action decided at the review.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub due_on: String,
}

pub async fn add_action(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<ActionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let input = NewReviewAction {
        description: form.description.clone(),
        kind: opt(&form.kind),
        owner_id: member_id(&form.owner_id),
        due_on: opt(&form.due_on),
    };
    let r = st
        .app
        .add_review_action(Actor::User(&u.p), &ctx, id, &input)
        .await;
    done(&st, &u, &ctx, id, r, |r| {
        let a = r.actions.last();
        format!(
            "Action recorded as {}.",
            a.map(|a| if a.kind == "task" {
                "a roadmap task".to_owned()
            } else {
                format!("corrective action {}", a.reference)
            })
            .unwrap_or_default()
        )
    })
    .await
}

/// `?format=pdf|md`.
#[derive(Deserialize, Default)]
pub struct MinutesForm {
    #[serde(default)]
    pub format: String,
}

pub async fn minutes(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<MinutesForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st
        .app
        .review_minutes_file(&ctx, id, opt(&q.format).as_deref())
        .await
    {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "management-reviews", &q.format).await
}
