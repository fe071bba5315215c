//! The organisation's own controls: list and add, and one control's page with its edit
//! form and the risks it treats.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::orgs::OrgCtx;
use isms_app::own_controls::{NewOwnControl, OwnControl, OwnControlPatch, TreatedRisk};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ControlForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "own_controls.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<OwnControl>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub add: ControlForm,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "own_control.html")]
pub struct ControlPage {
    pub l: Layout,
    pub c: OwnControl,
    pub risks: Vec<TreatedRisk>,
    pub form: ControlForm,
    pub can_write: bool,
}

async fn list_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    f: ListForm,
    flash: Flash,
    err: Option<&AppError>,
    add: ControlForm,
) -> Response {
    let page = match st
        .app
        .list_own_controls(ctx, Some(f.q.as_str()), Some(f.cursor.as_str()), Some(100))
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Own controls", Some(ctx), "catalogue", flash).await;
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
            f,
            add,
            can_write: ctx.can(Permission::Write),
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
    list_page(&st, &u, &ctx, f, flash, None, ControlForm::default()).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<ControlForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewOwnControl {
        code: form.code.clone(),
        title: form.title.clone(),
        description: form.description.clone(),
    };
    match st
        .app
        .create_own_control(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/catalogue/own-controls/{}", c.code),
            &format!(
                "{} added. Name it among the controls of a risk to show what it treats.",
                c.code
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_page(
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

async fn control_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    code: &str,
    flash: Flash,
    sent: Option<(ControlForm, &AppError)>,
) -> Response {
    let c = match st.app.get_own_control(ctx, code).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let risks = match st.app.risks_treated_by(ctx, &c.code).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &c.code, Some(ctx), "catalogue", flash).await;
    let (form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (
            ControlForm {
                code: c.code.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                version: c.version.to_string(),
            },
            StatusCode::OK,
        ),
    };
    render(
        status,
        &ControlPage {
            l,
            c,
            risks,
            form,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, code)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    control_page(&st, &u, &ctx, &code, flash, None).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, code)): Path<(String, String)>,
    WebForm(form): WebForm<ControlForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let patch = OwnControlPatch {
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_own_control(Actor::User(&u.p), &ctx, &code, &patch)
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/catalogue/own-controls/{}", c.code),
            &format!("{} saved.", c.code),
        ),
        Err(e @ AppError::Validation(_)) => {
            control_page(&st, &u, &ctx, &code, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, code)): Path<(String, String)>,
    WebForm(_f): WebForm<ControlForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .delete_own_control(Actor::User(&u.p), &ctx, &code)
        .await
    {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/catalogue/own-controls"),
            &format!("{} removed.", code.to_uppercase()),
        ),
        Err(e) => error_page(&e),
    }
}
