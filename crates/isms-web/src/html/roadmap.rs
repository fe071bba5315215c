//! The roadmap: tasks with owners and dates, a Gantt chart with late tasks marked, and
//! task editing.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::tasks::{NewTask, Task, TaskPatch};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use isms_domain::time::parse_date;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "roadmap.html")]
pub struct RoadmapPage {
    pub l: Layout,
    pub tasks: Vec<Task>,
    pub status: String,
    pub chart: String,
    pub can_write: bool,
    pub form: TaskForm,
    pub late: usize,
    pub done: usize,
}

#[derive(Deserialize, Default, Clone)]
pub struct TaskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub item_key: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Deserialize, Default)]
pub struct StatusQuery {
    #[serde(default)]
    pub status: String,
}

async fn roadmap_view(
    st: &AppState,
    u: &WebUser,
    org: &str,
    status: String,
    flash: Flash,
    form: TaskForm,
    err: Option<AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let mut l = Layout::new(st, u, "Roadmap", Some(&ctx), "roadmap", flash).await;
    let code = match &err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let mut tasks = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        match st
            .app
            .list_tasks(&ctx, Some(status.as_str()), cursor.as_deref(), Some(500))
            .await
        {
            Ok(p) => {
                tasks.extend(p.items);
                match p.next_cursor {
                    Some(c) if tasks.len() < 5000 => cursor = Some(c),
                    _ => break,
                }
            }
            Err(e @ AppError::Validation(_)) => {
                l = l.with_errors(&e);
                break;
            }
            Err(e) => return error_page(&e),
        }
    }
    let today = st.app.today();
    let rows = task_rows(&tasks);
    let chart = crate::charts::gantt(&rows, today);
    let late = tasks.iter().filter(|t| t.late).count();
    let done = tasks.iter().filter(|t| t.status == "done").count();
    render(
        code,
        &RoadmapPage {
            l,
            tasks,
            status,
            chart,
            can_write: ctx.can(Permission::Write),
            form,
            late,
            done,
        },
    )
}

pub async fn roadmap_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Response {
    roadmap_view(
        &st,
        &u,
        &org,
        q.status,
        flash,
        TaskForm {
            priority: "medium".into(),
            ..Default::default()
        },
        None,
    )
    .await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<TaskForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewTask {
        title: f.title.clone(),
        description: f.description.clone(),
        item_key: Some(f.item_key.clone()),
        owner: f.owner.clone(),
        start_on: Some(f.start_on.clone()),
        due_on: Some(f.due_on.clone()),
        priority: Some(f.priority.clone()),
        risk_id: None,
    };
    match st.app.create_task(Actor::User(&u.p), &ctx, &input).await {
        Ok(t) => flash_redirect(
            &format!("/o/{org}/roadmap"),
            &format!("Task \"{}\" added.", t.title),
        ),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => roadmap_view(&st, &u, &org, String::new(), Flash::default(), f, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "task.html")]
pub struct TaskPage {
    pub l: Layout,
    pub t: Task,
    pub f: TaskForm,
    pub can_write: bool,
}

async fn task_view(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    flash: Flash,
    failed: Option<(TaskForm, AppError)>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let Ok(tid) = uuid::Uuid::parse_str(id) else {
        return error_page(&AppError::NotFound("task"));
    };
    let t = match st.app.get_task(&ctx, tid).await {
        Ok(t) => t,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &t.title, Some(&ctx), "roadmap", flash).await;
    let (f, code) = match failed {
        Some((f, e)) => {
            let code = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            l = l.with_errors(&e);
            (f, code)
        }
        None => (
            TaskForm {
                title: t.title.clone(),
                description: t.description.clone(),
                item_key: t.item_key.clone().unwrap_or_default(),
                owner: t.owner.clone(),
                start_on: t.start_on.clone().unwrap_or_default(),
                due_on: t.due_on.clone().unwrap_or_default(),
                priority: t.priority.clone(),
                status: t.status.clone(),
                version: t.version.to_string(),
            },
            StatusCode::OK,
        ),
    };
    render(
        code,
        &TaskPage {
            l,
            t,
            f,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn task_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    task_view(&st, &u, &org, &id, flash, None).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<TaskForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(tid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("task"));
    };
    let opt = |s: &str| Some(Some(s.to_owned()).filter(|s| !s.trim().is_empty()));
    let patch = TaskPatch {
        title: Some(f.title.clone()),
        description: Some(f.description.clone()),
        owner: Some(f.owner.clone()),
        start_on: opt(&f.start_on),
        due_on: opt(&f.due_on),
        status: Some(f.status.clone()),
        priority: Some(f.priority.clone()),
        version: f.version.parse().unwrap_or(-1),
    };
    match st
        .app
        .update_task(Actor::User(&u.p), &ctx, tid, &patch)
        .await
    {
        Ok(t) => flash_redirect(
            &format!("/o/{org}/roadmap"),
            &format!("Task \"{}\" saved.", t.title),
        ),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => task_view(&st, &u, &org, &id, Flash::default(), Some((f, e))).await,
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(tid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("task"));
    };
    match st.app.delete_task(Actor::User(&u.p), &ctx, tid).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/roadmap"), "Task removed."),
        Err(e) => error_page(&e),
    }
}

/// Turn the open gaps of an assessment into roadmap tasks.
pub async fn generate(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(aid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("gap assessment"));
    };
    match st.app.generate_tasks(Actor::User(&u.p), &ctx, aid).await {
        Ok(0) => flash_redirect(
            &format!("/o/{org}/roadmap"),
            "Every open gap of this assessment already has a task.",
        ),
        Ok(n) => flash_redirect(
            &format!("/o/{org}/roadmap"),
            &format!(
                "{n} tasks added from the gaps, due by priority (high in 4 weeks, medium in 8, low in 12). Adjust owners and dates as needed."
            ),
        ),
        Err(e) => error_page(&e),
    }
}

/// Gantt rows for tasks with a due date (at most 200): from the start date (or a week
/// before the due date) to the due date, late ones marked.
pub fn task_rows(tasks: &[isms_app::tasks::Task]) -> Vec<crate::charts::GanttRow> {
    tasks
        .iter()
        .filter_map(|t| {
            let due = parse_date(t.due_on.as_deref()?)?;
            let start = t
                .start_on
                .as_deref()
                .and_then(parse_date)
                .unwrap_or(due - time::Duration::days(7))
                .min(due);
            let label: String = t
                .title
                .trim_start_matches("Raise ")
                .chars()
                .take(46)
                .collect();
            Some(crate::charts::GanttRow {
                label,
                start,
                end: due + time::Duration::days(1),
                late: t.late,
                phase: false,
            })
        })
        .take(200)
        .collect()
}
