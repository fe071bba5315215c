//! Gap assessment pages: the list, the questionnaire (save as you go), results and
//! comparison.
#![allow(clippy::result_large_err)] // helpers return the finished error page as their error

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::gap::{
    Assessment, AssessmentPatch, Comparison, Item, ItemAnswer, NewAssessment, Results,
};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::gap::{Area, Maturity};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// `control:5.15` → `item-control-5-15` (an HTML id).
pub fn anchor(key: &str) -> String {
    format!("item-{}", key.replace([':', '.'], "-"))
}

pub struct Level {
    pub value: u8,
    pub label: &'static str,
    pub description: &'static str,
}

fn levels() -> Vec<Level> {
    Maturity::all()
        .map(|m| Level {
            value: m.value(),
            label: m.label(),
            description: m.description(),
        })
        .collect()
}

fn parse_id(id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| error_page(&AppError::NotFound("gap assessment")))
}

#[derive(Template)]
#[template(path = "gap_list.html")]
pub struct ListPage {
    pub l: Layout,
    pub assessments: Vec<Assessment>,
    pub can_write: bool,
    pub form: NewForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub scope_note: String,
    #[serde(default)]
    pub copy_from: String,
}

async fn list_view(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    form: NewForm,
    err: Option<AppError>,
) -> Response {
    let mut l = Layout::new(st, u, "Gap assessments", Some(ctx), "gap", flash).await;
    let status = match &err {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    match st.app.list_gap_assessments(ctx, None, Some(200)).await {
        Ok(p) => render(
            status,
            &ListPage {
                l,
                assessments: p.items,
                can_write: ctx.can(Permission::Write),
                form,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let form = NewForm {
        title: format!(
            "Gap assessment {}",
            isms_domain::time::format_date(st.app.today())
        ),
        ..Default::default()
    };
    list_view(&st, &u, &ctx, flash, form, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<NewForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let copy_from = match f.copy_from.trim() {
        "" => None,
        s => match Uuid::parse_str(s) {
            Ok(id) => Some(id),
            Err(_) => {
                return list_view(
                    &st,
                    &u,
                    &ctx,
                    Flash::default(),
                    f.clone(),
                    Some(AppError::Validation(isms_domain::ValidationError::single(
                        "copy_from",
                        "is not a gap assessment of this organisation",
                    ))),
                )
                .await;
            }
        },
    };
    let input = NewAssessment {
        title: f.title.clone(),
        scope_note: f.scope_note.clone(),
        copy_from,
    };
    match st
        .app
        .create_gap_assessment(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/gap/{}", a.id),
            "Assessment started. Answer the items in any order; every answer is saved as you go.",
        ),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => list_view(&st, &u, &ctx, Flash::default(), f, Some(e)).await,
    }
}

pub struct AreaTab {
    pub value: &'static str,
    pub label: &'static str,
    pub answered: usize,
    pub total: usize,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "gap_form.html")]
pub struct FormPage {
    pub l: Layout,
    pub a: Assessment,
    pub items: Vec<Item>,
    pub tabs: Vec<AreaTab>,
    pub area: String,
    pub levels: Vec<Level>,
    pub can_write: bool,
    pub can_delete: bool,
    /// The item whose answer was refused, with what was typed.
    pub failed: Option<(String, ItemForm)>,
}

impl FormPage {
    pub fn anchor(&self, key: &str) -> String {
        anchor(key)
    }
    pub fn same(&self, answer: &Option<u8>, level: &u8) -> bool {
        *answer == Some(*level)
    }
    pub fn typed<'a>(&'a self, key: &str) -> Option<&'a ItemForm> {
        self.failed
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, f)| f)
    }
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    #[serde(default)]
    pub area: String,
}

async fn form_view(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    area: &str,
    flash: Flash,
    failed: Option<(String, ItemForm, AppError)>,
) -> Response {
    let a = match st.app.get_gap_assessment(ctx, id).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let all = match st.app.gap_items(ctx, id, None).await {
        Ok(i) => i,
        Err(e) => return error_page(&e),
    };
    let area = if Area::parse(area).is_some() {
        area.to_owned()
    } else {
        String::new()
    };
    let tabs = Area::ALL
        .iter()
        .map(|ar| {
            let in_area: Vec<&Item> = all.iter().filter(|i| i.area == ar.as_str()).collect();
            AreaTab {
                value: ar.as_str(),
                label: ar.label(),
                answered: in_area.iter().filter(|i| i.answered).count(),
                total: in_area.len(),
                active: area == ar.as_str(),
            }
        })
        .collect();
    let items: Vec<Item> = all
        .into_iter()
        .filter(|i| area.is_empty() || i.area == area)
        .collect();
    let mut l = Layout::new(st, u, &a.title, Some(ctx), "gap", flash).await;
    let (status, failed) = match failed {
        Some((key, form, e)) => {
            l = l.with_errors(&e);
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (status, Some((key, form)))
        }
        None => (StatusCode::OK, None),
    };
    render(
        status,
        &FormPage {
            l,
            a,
            items,
            tabs,
            area,
            levels: levels(),
            can_write: ctx.can(Permission::Write),
            can_delete: ctx.can(Permission::Approve),
            failed,
        },
    )
}

pub async fn form_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    form_view(&st, &u, &ctx, id, &q.area, flash, None).await
}

#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub target: String,
    /// Present when the "not applicable" box is ticked.
    pub not_applicable: Option<String>,
    #[serde(default)]
    pub na_reason: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub owner: String,
    /// One link or reference per line.
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub version: String,
    /// The area tab the person is working in.
    #[serde(default)]
    pub area: String,
}

fn level_field(field: &str, s: &str) -> Result<Option<Option<i64>>, AppError> {
    match s.trim() {
        "" => Ok(Some(None)),
        v => v.parse::<i64>().map(|n| Some(Some(n))).map_err(|_| {
            AppError::Validation(isms_domain::ValidationError::single(
                field,
                "must be a level from 0 to 5",
            ))
        }),
    }
}

pub async fn answer(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, key)): Path<(String, String, String)>,
    WebForm(f): WebForm<ItemForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let parsed = (|| -> Result<ItemAnswer, AppError> {
        Ok(ItemAnswer {
            current: level_field("current", &f.current)?,
            target: level_field("target", &f.target)?,
            applicable: Some(f.not_applicable.is_none()),
            not_applicable_reason: Some(Some(f.na_reason.clone()).filter(|s| !s.trim().is_empty())),
            notes: Some(f.notes.clone()),
            evidence: Some(
                f.evidence
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            owner: Some(f.owner.clone()),
            version: f.version.parse().unwrap_or(-1),
        })
    })();
    let result = match parsed {
        Ok(a) => {
            st.app
                .answer_gap_item(Actor::User(&u.p), &ctx, aid, &key, &a)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => {
            // Go on with the next unanswered item of the same tab (keyboard flow).
            let items = st
                .app
                .gap_items(
                    &ctx,
                    aid,
                    Some(f.area.as_str()).filter(|a| Area::parse(a).is_some()),
                )
                .await
                .unwrap_or_default();
            let pos = items.iter().position(|i| i.key == saved.key).unwrap_or(0);
            let next = items
                .iter()
                .skip(pos + 1)
                .chain(items.iter().take(pos))
                .find(|i| !i.answered);
            let area_q = if Area::parse(&f.area).is_some() {
                format!("?area={}", f.area)
            } else {
                String::new()
            };
            let to = match next {
                Some(n) => format!("/o/{org}/gap/{aid}{area_q}#{}", anchor(&n.key)),
                None => format!("/o/{org}/gap/{aid}{area_q}"),
            };
            let msg = match next {
                Some(_) => format!("Saved {}.", saved.label),
                None => format!("Saved {}. Every item here is answered.", saved.label),
            };
            flash_redirect(&to, &msg)
        }
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => {
            let area = f.area.clone();
            form_view(
                &st,
                &u,
                &ctx,
                aid,
                &area,
                Flash::default(),
                Some((key, f, e)),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

pub async fn set_status(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<StatusForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let patch = AssessmentPatch {
        title: None,
        scope_note: None,
        status: Some(f.status.clone()),
        version: f.version.parse().unwrap_or(-1),
    };
    match st
        .app
        .update_gap_assessment(Actor::User(&u.p), &ctx, aid, &patch)
        .await
    {
        Ok(a) if a.status == isms_app::gap::STATUS_COMPLETED => flash_redirect(
            &format!("/o/{org}/gap/{aid}/results"),
            "Assessment completed.",
        ),
        Ok(_) => flash_redirect(&format!("/o/{org}/gap/{aid}"), "Assessment reopened."),
        Err(AppError::Conflict(m)) => flash_redirect(&format!("/o/{org}/gap/{aid}"), &m),
        Err(e) => error_page(&e),
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
    let aid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st
        .app
        .delete_gap_assessment(Actor::User(&u.p), &ctx, aid)
        .await
    {
        Ok(()) => flash_redirect(&format!("/o/{org}/gap"), "Assessment deleted."),
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "gap_results.html")]
pub struct ResultsPage {
    pub l: Layout,
    pub r: Results,
    pub chart: String,
    pub others: Vec<Assessment>,
    pub can_write: bool,
}

pub async fn results_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = match st.app.gap_results(&ctx, aid).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let chart = r.area_chart();
    let others = st
        .app
        .list_gap_assessments(&ctx, None, Some(200))
        .await
        .map(|p| p.items.into_iter().filter(|a| a.id != aid).collect())
        .unwrap_or_default();
    let l = Layout::new(
        &st,
        &u,
        &format!("Results: {}", r.assessment.title),
        Some(&ctx),
        "gap",
        flash,
    )
    .await;
    render(
        StatusCode::OK,
        &ResultsPage {
            l,
            r,
            chart,
            others,
            can_write: ctx.can(Permission::Write),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    #[serde(default)]
    pub with: String,
}

#[derive(Template)]
#[template(path = "gap_compare.html")]
pub struct ComparePage {
    pub l: Layout,
    pub c: Comparison,
}

pub async fn compare_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (Ok(base), Ok(other)) = (Uuid::parse_str(&id), Uuid::parse_str(&q.with)) else {
        return error_page(&AppError::NotFound("gap assessment"));
    };
    match st.app.compare_gap_assessments(&ctx, base, other).await {
        Ok(c) => {
            let l = Layout::new(&st, &u, "Comparison", Some(&ctx), "gap", flash).await;
            render(StatusCode::OK, &ComparePage { l, c })
        }
        Err(e) => error_page(&e),
    }
}

/// The gap report of this assessment as Markdown.
pub async fn report_md(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    report(st, u, org, id, isms_export::TableFormat::Markdown).await
}

/// The gap report of this assessment as PDF.
pub async fn report_pdf(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    report(st, u, org, id, isms_export::TableFormat::Pdf).await
}

async fn report(
    st: AppState,
    u: WebUser,
    org: String,
    id: String,
    fmt: isms_export::TableFormat,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.gap_report_file(&ctx, Some(aid), fmt).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct TimelineForm {
    #[serde(default)]
    pub sites: String,
    #[serde(default)]
    pub existing_ms: String,
    #[serde(default)]
    pub start: String,
    /// Set by the form: the checkbox then says yes or no (otherwise the saved setting).
    #[serde(default)]
    pub what_if: String,
}

#[derive(Template)]
#[template(path = "gap_timeline.html")]
pub struct TimelinePage {
    pub l: Layout,
    pub t: Option<isms_app::gap::TimelineView>,
    pub f: TimelineForm,
    pub chart: String,
    pub org: isms_app::orgs::OrgView,
    pub can_settings: bool,
    pub tasks_open: usize,
    pub tasks_shown: usize,
    pub tasks_late: usize,
}

impl TimelinePage {
    /// The sites shown in the form: the what-if value, else the organisation's setting.
    pub fn sites_value(&self) -> String {
        if self.f.sites.trim().is_empty() {
            self.org.sites.to_string()
        } else {
            self.f.sites.clone()
        }
    }

    /// Whether the "other management system" box is ticked.
    pub fn ms_checked(&self) -> bool {
        if self.f.what_if.is_empty() {
            !self.org.other_management_system.is_empty()
        } else {
            self.f.existing_ms == "yes"
        }
    }
}

pub async fn timeline_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<TimelineForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut l = Layout::new(&st, &u, "Certification timeline", Some(&ctx), "gap", flash).await;
    let sites = match f.sites.trim() {
        "" => Ok(None),
        s => s.parse::<i64>().map(Some).map_err(|_| {
            AppError::Validation(isms_domain::ValidationError::single(
                "sites",
                "must be a whole number from 1 to 500",
            ))
        }),
    };
    let result = match sites {
        Ok(sites) => {
            st.app
                .gap_timeline(
                    &ctx,
                    &isms_app::gap::TimelineQuery {
                        sites,
                        existing_management_system: (!f.what_if.is_empty())
                            .then_some(f.existing_ms == "yes"),
                        start: Some(f.start.clone()),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => {
            let today = st.app.today();
            let mut rows: Vec<crate::charts::GanttRow> = t
                .phases
                .iter()
                .filter(|p| p.weeks > 0)
                .filter_map(|p| {
                    Some(crate::charts::GanttRow {
                        label: p.label.clone(),
                        start: isms_domain::time::parse_date(&p.start)?,
                        end: isms_domain::time::parse_date(&p.end)?,
                        late: false,
                        phase: true,
                    })
                })
                .collect();
            // The roadmap's open tasks under the phases: one chart of the whole plan.
            let open_tasks: Vec<isms_app::tasks::Task> =
                match st.app.list_tasks(&ctx, None, None, Some(500)).await {
                    Ok(p) => p.items.into_iter().filter(|t| t.status != "done").collect(),
                    Err(e) => return error_page(&e),
                };
            let task_rows = super::roadmap::task_rows(&open_tasks);
            let tasks_shown = task_rows.len().min(60);
            let tasks_late = open_tasks.iter().filter(|t| t.late).count();
            rows.extend(task_rows.into_iter().take(60));
            let chart = crate::charts::gantt(&rows, today);
            render(
                StatusCode::OK,
                &TimelinePage {
                    l,
                    t: Some(t),
                    f,
                    chart,
                    org: ctx.view(),
                    can_settings: ctx.can(Permission::ManageOrg),
                    tasks_open: open_tasks.len(),
                    tasks_shown,
                    tasks_late,
                },
            )
        }
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &TimelinePage {
                    l,
                    t: None,
                    f,
                    chart: String::new(),
                    org: ctx.view(),
                    can_settings: ctx.can(Permission::ManageOrg),
                    tasks_open: 0,
                    tasks_shown: 0,
                    tasks_late: 0,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}
