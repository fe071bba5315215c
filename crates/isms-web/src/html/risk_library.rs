//! The organisation's threat and vulnerability catalogues: the starter lists (reworded or
//! retired where the organisation chose) and its own entries, offered on the risk form.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::orgs::OrgCtx;
use isms_app::risk_library::{LibraryItem, LibraryItemPatch, LibraryQuery, NewLibraryItem};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use isms_domain::risk::library::{Category, LibraryKind};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub category: String,
    /// `in_force`, `retired` or empty (all).
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub cursor: String,
}

/// The add and edit forms.
#[derive(Deserialize, Default, Clone)]
pub struct EntryForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// `yes` when ticked.
    #[serde(default)]
    pub retired: String,
    #[serde(default)]
    pub version: String,
}

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "risk_library.html")]
pub struct LibraryPage {
    pub l: Layout,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub singular: &'static str,
    pub tabs: Vec<Tab>,
    pub items: Vec<LibraryItem>,
    pub next_cursor: Option<String>,
    pub query: String,
    pub f: ListForm,
    pub categories: Vec<(&'static str, &'static str)>,
    pub can_write: bool,
    /// The add form as sent back with errors.
    pub add: EntryForm,
    /// The code of the entry whose edit form came back with errors.
    pub editing: String,
    pub edit: EntryForm,
}

fn kind_or_404(k: &str) -> Result<LibraryKind, Box<Response>> {
    LibraryKind::parse(k).ok_or_else(|| Box::new(error_page(&AppError::NotFound("catalogue"))))
}

#[allow(clippy::too_many_arguments)]
async fn library_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    kind: LibraryKind,
    f: ListForm,
    flash: Flash,
    err: Option<&AppError>,
    add: EntryForm,
    editing: (String, EntryForm),
) -> Response {
    let query = LibraryQuery {
        category: Some(f.category.clone()).filter(|c| !c.is_empty()),
        retired: match f.show.as_str() {
            "in_force" => Some(false),
            "retired" => Some(true),
            _ => None,
        },
        q: Some(f.q.clone()).filter(|q| !q.is_empty()),
        cursor: Some(f.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(100),
    };
    let page = match st.app.list_library(ctx, kind, &query).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, kind.label(), Some(ctx), "risks", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let base = format!("/o/{}/risks/library", ctx.org.slug);
    let tabs = LibraryKind::ALL
        .into_iter()
        .map(|k| Tab {
            href: format!("{base}/{}", k.plural()),
            label: k.label(),
            active: k == kind,
        })
        .collect();
    let query = serde_urlencoded::to_string([
        ("category", f.category.as_str()),
        ("show", f.show.as_str()),
        ("q", f.q.as_str()),
    ])
    .unwrap_or_default();
    let status = if err.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &LibraryPage {
            l,
            kind: kind.plural(),
            kind_label: kind.label(),
            singular: kind.as_str(),
            tabs,
            items: page.items,
            next_cursor: page.next_cursor,
            query,
            f,
            categories: Category::ALL
                .into_iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            can_write: ctx.can(Permission::Write),
            add,
            editing: editing.0,
            edit: editing.1,
        },
    )
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, k)): Path<(String, String)>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = match kind_or_404(&k) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    library_page(
        &st,
        &u,
        &ctx,
        kind,
        f,
        flash,
        None,
        EntryForm::default(),
        (String::new(), EntryForm::default()),
    )
    .await
}

/// Where a change leads: to the entry with a message, or back to the page with the form
/// that was sent and its errors.
#[allow(clippy::too_many_arguments)]
async fn outcome(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    kind: LibraryKind,
    result: Result<(String, String), AppError>,
    add: EntryForm,
    editing: (String, EntryForm),
) -> Response {
    match result {
        Ok((anchor, message)) => flash_redirect(
            &format!(
                "/o/{}/risks/library/{}{anchor}",
                ctx.org.slug,
                kind.plural()
            ),
            &message,
        ),
        Err(e @ AppError::Validation(_)) => {
            library_page(
                st,
                u,
                ctx,
                kind,
                ListForm::default(),
                Flash::default(),
                Some(&e),
                add,
                editing,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, k)): Path<(String, String)>,
    WebForm(form): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = match kind_or_404(&k) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let input = NewLibraryItem {
        name: form.name.clone(),
        category: form.category.clone(),
        description: form.description.clone(),
    };
    let result = st
        .app
        .create_library_item(Actor::User(&u.p), &ctx, kind, &input)
        .await
        .map(|i| {
            (
                format!("#{}", i.code),
                format!("{} \"{}\" added.", i.code, i.name),
            )
        });
    outcome(&st, &u, &ctx, kind, result, form, Default::default()).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, k, code)): Path<(String, String, String)>,
    WebForm(form): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = match kind_or_404(&k) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let patch = LibraryItemPatch {
        name: Some(form.name.clone()),
        category: Some(form.category.clone()),
        description: Some(form.description.clone()),
        retired: Some(form.retired == "yes"),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    let result = st
        .app
        .update_library_item(Actor::User(&u.p), &ctx, kind, &code, &patch)
        .await
        .map(|i| {
            let retired = if i.retired {
                " and retired: no longer offered on the risk form"
            } else {
                ""
            };
            (
                format!("#{}", i.code),
                format!("{} \"{}\" saved{retired}.", i.code, i.name),
            )
        });
    outcome(
        &st,
        &u,
        &ctx,
        kind,
        result,
        Default::default(),
        (code, form),
    )
    .await
}

pub async fn reset(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, k, code)): Path<(String, String, String)>,
    WebForm(_f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = match kind_or_404(&k) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let result = st
        .app
        .reset_library_item(Actor::User(&u.p), &ctx, kind, &code)
        .await
        .map(|i| {
            (
                format!("#{}", i.code),
                format!("{} is back to its starter wording.", i.code),
            )
        });
    outcome(
        &st,
        &u,
        &ctx,
        kind,
        result,
        Default::default(),
        Default::default(),
    )
    .await
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, k, code)): Path<(String, String, String)>,
    WebForm(_f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = match kind_or_404(&k) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let result = st
        .app
        .delete_library_item(Actor::User(&u.p), &ctx, kind, &code)
        .await
        .map(|()| {
            (
                String::new(),
                format!("{code} removed. Risks that name it keep their text."),
            )
        });
    outcome(
        &st,
        &u,
        &ctx,
        kind,
        result,
        Default::default(),
        Default::default(),
    )
    .await
}
