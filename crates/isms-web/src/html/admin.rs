//! Instance administration: accounts, the instance audit trail, and the API reference.

use super::org::AuditForm;
use super::{Layout, error_page, page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::audit::AuditEntry;
use isms_app::users::{NewUser, UserPatch, UserView};
use isms_app::{Actor, AppError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub l: Layout,
    pub users: Vec<UserView>,
    pub next_cursor: Option<String>,
    pub q: String,
    pub form: NewUserForm,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    pub q: String,
    pub cursor: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub is_admin: Option<String>,
}

async fn users_view(
    st: &AppState,
    u: &WebUser,
    q: UsersQuery,
    flash: Flash,
    form: NewUserForm,
    err: Option<AppError>,
) -> Response {
    if !u.p.is_admin {
        return error_page(&AppError::forbidden(
            "manage accounts (instance administrators only)",
        ));
    }
    let mut l = Layout::new(st, u, "Accounts", None, "", flash).await;
    let status = match &err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    match st
        .app
        .list_users(&u.p, Some(q.q.as_str()), q.cursor.as_deref(), Some(100))
        .await
    {
        Ok(p) => render(
            status,
            &UsersPage {
                l,
                users: p.items,
                next_cursor: p.next_cursor,
                q: q.q,
                form,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn users_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Query(q): Query<UsersQuery>,
) -> Response {
    users_view(&st, &u, q, flash, NewUserForm::default(), None).await
}

pub async fn create_user(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<NewUserForm>,
) -> Response {
    let input = NewUser {
        email: f.email.clone(),
        name: f.name.clone(),
        password: f.password.clone(),
        is_admin: f.is_admin.is_some(),
    };
    match st.app.create_user(Actor::User(&u.p), &input).await {
        Ok(v) => flash_redirect(
            "/admin/users",
            &format!(
                "Account {} created. Add it to an organisation from that organisation's Members page.",
                v.email
            ),
        ),
        Err(e @ AppError::Forbidden(_)) => error_page(&e),
        Err(e) => {
            let mut f = f;
            f.password.clear();
            users_view(&st, &u, UsersQuery::default(), Flash::default(), f, Some(e)).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    pub l: Layout,
    pub user: UserView,
    pub is_self: bool,
}

async fn user_view(
    st: &AppState,
    u: &WebUser,
    id: &str,
    flash: Flash,
    err: Option<AppError>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return error_page(&AppError::NotFound("user"));
    };
    if !u.p.is_admin {
        return error_page(&AppError::NotFound("user"));
    }
    let user = match st.app.get_user(&u.p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &user.name, None, "", flash).await;
    let status = match &err {
        Some(e) => {
            l = l.with_errors(e);
            if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &UserPage {
            l,
            is_self: user.id == u.p.user_id,
            user,
        },
    )
}

pub async fn user_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(id): Path<String>,
) -> Response {
    user_view(&st, &u, &id, flash, None).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    pub is_admin: Option<String>,
    pub disabled: Option<String>,
    #[serde(default)]
    pub version: String,
}

pub async fn update_user(
    State(st): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(f): WebForm<UserForm>,
) -> Response {
    let Ok(uid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("user"));
    };
    let own = uid == u.p.user_id;
    let patch = UserPatch {
        name: Some(f.name),
        is_admin: if own {
            None
        } else {
            Some(f.is_admin.is_some())
        },
        disabled: if own {
            None
        } else {
            Some(f.disabled.is_some())
        },
        version: f.version.parse().unwrap_or(-1),
    };
    match st.app.update_user(&u.p, uid, &patch).await {
        Ok(v) => flash_redirect("/admin/users", &format!("Account {} saved.", v.email)),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => user_view(&st, &u, &id, Flash::default(), Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct InstanceAuditPage {
    pub l: Layout,
    pub base: String,
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
    pub f: AuditForm,
    pub chain: Option<isms_app::audit::ChainReport>,
    pub filtered: bool,
    pub exportable: bool,
}

pub async fn audit_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Query(f): Query<AuditForm>,
) -> Response {
    if !u.p.is_admin {
        return error_page(&AppError::forbidden(
            "read the instance audit trail (instance administrators only)",
        ));
    }
    let mut l = Layout::new(&st, &u, "Instance audit trail", None, "", flash).await;
    let chain = if f.verify == "1" {
        st.app
            .verify_chain(isms_domain::audit::INSTANCE_CHAIN, "instance")
            .await
            .ok()
    } else {
        None
    };
    let (entries, next_cursor, status) = match f.query() {
        Ok(q) => match st.app.list_instance_audit(&u.p, &q).await {
            Ok(p) => (p.items, p.next_cursor, StatusCode::OK),
            Err(e @ AppError::Validation(_)) => {
                l = l.with_errors(&e);
                (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return error_page(&e),
        },
        Err(e) => {
            l = l.with_errors(&e);
            (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let filtered = !(f.entity.is_empty() && f.from.is_empty() && f.to.is_empty());
    render(
        status,
        &InstanceAuditPage {
            l,
            base: "/admin/audit-trail".into(),
            entries,
            next_cursor,
            f,
            chain,
            filtered,
            exportable: false,
        },
    )
}

pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub struct ApiDocsPage {
    pub l: Layout,
    /// This server's address as the browser reached it, for the example.
    pub base_url: String,
    pub endpoints: Vec<Endpoint>,
}

/// A readable list of the API's endpoints, drawn from the OpenAPI document.
pub async fn api_docs(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    headers: axum::http::HeaderMap,
) -> Response {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8080")
        .to_owned();
    let scheme = if st.secure_cookies { "https" } else { "http" };
    let l = Layout::new(&st, &u, "API", None, "", flash).await;
    let doc: serde_json::Value = serde_json::from_str(&st.openapi).unwrap_or_default();
    let mut endpoints = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            if let Some(ops) = item.as_object() {
                for (method, op) in ops {
                    if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    endpoints.push(Endpoint {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        summary: op
                            .get("summary")
                            .and_then(|s| s.as_str())
                            .unwrap_or("")
                            .replace('`', ""),
                        tag: op
                            .get("tags")
                            .and_then(|t| t.get(0))
                            .and_then(|t| t.as_str())
                            .unwrap_or("")
                            .to_owned(),
                    });
                }
            }
        }
    }
    endpoints
        .sort_by(|a, b| (a.tag.as_str(), a.path.as_str()).cmp(&(b.tag.as_str(), b.path.as_str())));
    page(&ApiDocsPage {
        l,
        base_url: format!("{scheme}://{host}"),
        endpoints,
    })
}
