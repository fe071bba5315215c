//! The risk assessment method: the version in force, its history, drafts edited in a form
//! (scales, levels, the matrix cell by cell), approval and the methodology document.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::risk_methods::{ApproveRiskMethod, NewRiskMethod, RiskMethod, RiskMethodPatch};
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use isms_domain::risk::resize::{Part, add_step, remove_step};
use isms_domain::risk::{Method, Preset};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

#[allow(clippy::result_large_err)]
fn parse_id(id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| error_page(&AppError::NotFound("risk method")))
}

/// One cell of the matrix as drawn.
pub struct CellView {
    pub field: String,
    pub level: u8,
    pub name: String,
}

/// A row of the matrix: one likelihood step, highest first.
pub struct RowView {
    pub value: u8,
    pub name: String,
    pub cells: Vec<CellView>,
}

/// The method laid out for the page.
pub struct MethodView {
    pub m: Method,
    pub rows: Vec<RowView>,
    /// (value, name) of each impact step, lowest first.
    pub impact_heads: Vec<(u8, String)>,
    /// (index, name, colour, description).
    pub levels: Vec<(u8, String, String, String)>,
    pub acceptance_name: String,
    /// The matrix drawn as SVG, with the levels as legend.
    pub svg: String,
}

impl MethodView {
    pub fn new(m: &Method) -> Self {
        let rows = m
            .likelihood
            .levels
            .iter()
            .enumerate()
            .rev()
            .map(|(li, l)| RowView {
                value: l.value,
                name: l.name.clone(),
                cells: (0..m.impact.len())
                    .map(|ii| {
                        let level = m
                            .matrix
                            .get(li)
                            .and_then(|r| r.get(ii))
                            .copied()
                            .unwrap_or(0);
                        CellView {
                            field: format!("m{}_{}", li + 1, ii + 1),
                            level,
                            name: m.level_name(level).to_owned(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Self {
            rows,
            impact_heads: m
                .impact
                .levels
                .iter()
                .map(|l| (l.value, l.name.clone()))
                .collect(),
            levels: m
                .levels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let i = u8::try_from(i).unwrap_or(u8::MAX);
                    (i, l.name.clone(), l.colour.clone(), l.description.clone())
                })
                .collect(),
            acceptance_name: m.level_name(m.acceptance_level).to_owned(),
            svg: matrix_svg(m),
            m: m.clone(),
        }
    }
}

/// The method's matrix as SVG, with the levels as legend.
pub fn matrix_svg(m: &Method) -> String {
    let rows: Vec<String> = m
        .likelihood
        .levels
        .iter()
        .rev()
        .map(|l| format!("{} {}", l.value, l.name))
        .collect();
    let cols: Vec<String> = m
        .impact
        .levels
        .iter()
        .map(|l| format!("{} {}", l.value, l.name))
        .collect();
    let cells: Vec<Vec<isms_export::charts::MatrixCell>> = m
        .likelihood
        .levels
        .iter()
        .enumerate()
        .rev()
        .map(|(li, _)| {
            m.impact
                .levels
                .iter()
                .enumerate()
                .map(|(ii, _)| {
                    let level = m
                        .matrix
                        .get(li)
                        .and_then(|r| r.get(ii))
                        .copied()
                        .unwrap_or(0);
                    isms_export::charts::MatrixCell {
                        colour: m
                            .risk_level(level)
                            .map_or_else(String::new, |r| r.colour.clone()),
                        label: m.level_name(level).to_owned(),
                        count: None,
                        href: None,
                    }
                })
                .collect()
        })
        .collect();
    let legend: Vec<(String, String, String)> = m
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let accept = if u8::try_from(i).unwrap_or(u8::MAX) <= m.acceptance_level {
                " (owner may accept)"
            } else {
                ""
            };
            (l.name.clone(), l.colour.clone(), accept.trim().to_owned())
        })
        .collect();
    isms_export::charts::risk_matrix(
        "Risk matrix: likelihood down, impact across",
        &rows,
        &cols,
        &cells,
        &legend,
    )
}

#[derive(Template)]
#[template(path = "risk_method.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub in_force: Option<RiskMethod>,
    pub view: Option<MethodView>,
    pub draft: Option<RiskMethod>,
    pub versions: Vec<RiskMethod>,
    pub can_write: bool,
    pub presets: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "risk_method_version.html")]
pub struct VersionPage {
    pub l: Layout,
    pub r: RiskMethod,
    pub view: MethodView,
    pub can_edit: bool,
    pub can_approve: bool,
}

fn presets() -> Vec<(&'static str, &'static str, &'static str)> {
    [Preset::ThreeByThree, Preset::FourByFour, Preset::FiveByFive]
        .into_iter()
        .map(|p| (p.as_str(), p.label(), p.description()))
        .collect()
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let versions = match st.app.list_risk_methods(&ctx).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let in_force = versions.iter().find(|v| v.is_approved()).cloned();
    let draft = versions.iter().find(|v| v.is_draft()).cloned();
    let l = Layout::new(&st, &u, "Risk method", Some(&ctx), "risk-method", flash).await;
    render(
        StatusCode::OK,
        &OverviewPage {
            l,
            view: in_force.as_ref().map(|m| MethodView::new(&m.method)),
            in_force,
            draft,
            versions,
            can_write: ctx.can(Permission::Write),
            presets: presets(),
        },
    )
}

pub async fn version_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = match st.app.get_risk_method(&ctx, mid).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let l = Layout::new(&st, &u, &r.title(), Some(&ctx), "risk-method", flash).await;
    render(
        StatusCode::OK,
        &VersionPage {
            l,
            view: MethodView::new(&r.method),
            can_edit: r.is_draft() && ctx.can(Permission::Write),
            can_approve: r.is_draft() && ctx.can(Permission::Approve),
            r,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    pub preset: String,
    #[serde(default)]
    pub change_note: String,
}

/// Start a draft from a preset or (no preset) from the version in force.
pub async fn start(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<StartForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewRiskMethod {
        preset: Some(f.preset).filter(|p| !p.is_empty()),
        from: None,
        change_note: f.change_note,
    };
    match st
        .app
        .create_risk_method(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(m) => flash_redirect(
            &format!("/o/{org}/risk-method/{}", m.id),
            &format!(
                "Draft version {} started from {}. Adjust it, then approve it.",
                m.number, m.based_on
            ),
        ),
        Err(e) => error_page(&e),
    }
}

/// Read the draft form over the current definition: every field the form sends replaces
/// the value; bad numbers are reported by field.
fn apply_form(m: &Method, f: &HashMap<String, String>) -> Result<Method, ValidationError> {
    let mut m = m.clone();
    let mut v = ValidationError::new();
    let text = |k: &str| f.get(k).map(|s| s.trim().to_owned());
    for (prefix, scale) in [("l", &mut m.likelihood), ("i", &mut m.impact)] {
        for step in &mut scale.levels {
            if let Some(n) = text(&format!("{prefix}{}_name", step.value)) {
                step.name = n;
            }
            if let Some(d) = text(&format!("{prefix}{}_desc", step.value)) {
                step.description = d;
            }
        }
    }
    for (i, level) in m.levels.iter_mut().enumerate() {
        if let Some(n) = text(&format!("r{i}_name")) {
            level.name = n;
        }
        if let Some(c) = text(&format!("r{i}_colour")) {
            level.colour = c;
        }
        if let Some(d) = text(&format!("r{i}_desc")) {
            level.description = d;
        }
    }
    for (li, row) in m.matrix.iter_mut().enumerate() {
        for (ii, cell) in row.iter_mut().enumerate() {
            if let Some(s) = text(&format!("m{}_{}", li + 1, ii + 1)) {
                match s.parse::<u8>() {
                    Ok(n) => *cell = n,
                    Err(_) => v.push(format!("matrix[{li}][{ii}]"), "must be a risk level"),
                }
            }
        }
    }
    if let Some(s) = text("acceptance_level") {
        match s.parse::<u8>() {
            Ok(n) => m.acceptance_level = n,
            Err(_) => v.push("acceptance_level", "must be a risk level"),
        }
    }
    if let Some(s) = text("review_interval_days") {
        match s.parse::<u16>() {
            Ok(n) => m.review_interval_days = n,
            Err(_) => v.push(
                "review_interval_days",
                "must be a whole number of days from 30 to 730",
            ),
        }
    }
    v.into_result()?;
    Ok(m)
}

async fn save_draft(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    f: &HashMap<String, String>,
    reshape: Option<(Part, bool)>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let mid = match parse_id(id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = match st.app.get_risk_method(&ctx, mid).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let version = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let method = apply_form(&r.method, f).and_then(|m| match reshape {
        Some((part, true)) => add_step(&m, part),
        Some((part, false)) => remove_step(&m, part),
        None => Ok(m),
    });
    let result = match method {
        Ok(m) => {
            st.app
                .update_risk_method(
                    Actor::User(&u.p),
                    &ctx,
                    mid,
                    &RiskMethodPatch {
                        method: Some(m),
                        change_note: f.get("change_note").cloned(),
                        version,
                    },
                )
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(_) => flash_redirect(
            &format!("/o/{org}/risk-method/{id}"),
            if reshape.is_some() {
                "Draft reshaped and saved."
            } else {
                "Draft saved."
            },
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            // Show the page again with what was typed, so nothing is lost.
            let shown = apply_form(&r.method, f).unwrap_or_else(|_| r.method.clone());
            let l = Layout::new(
                st,
                u,
                &r.title(),
                Some(&ctx),
                "risk-method",
                Flash::default(),
            )
            .await
            .with_errors(&e);
            render(
                status,
                &VersionPage {
                    l,
                    view: MethodView::new(&shown),
                    can_edit: ctx.can(Permission::Write),
                    can_approve: ctx.can(Permission::Approve),
                    r,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

/// Save the draft form, or (with `reshape=likelihood:add` and the like) save it and add or
/// remove a step.
pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Response {
    let reshape = match f.get("reshape").map(String::as_str) {
        None | Some("") => None,
        Some(r) => {
            let (part, op) = r.split_once(':').unwrap_or((r, ""));
            match Part::parse("reshape", part) {
                Ok(p) => Some((p, op == "add")),
                Err(e) => return error_page(&AppError::Validation(e)),
            }
        }
    };
    save_draft(&st, &u, &org, &id, &f, reshape).await
}

#[derive(Deserialize, Default)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
}

pub async fn approve(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let input = ApproveRiskMethod {
        version: f.version.parse().unwrap_or(-1),
    };
    match st
        .app
        .approve_risk_method(Actor::User(&u.p), &ctx, mid, &input)
        .await
    {
        Ok(m) => flash_redirect(
            &format!("/o/{org}/risk-method"),
            &format!(
                "Version {} approved; it is now the method in force.",
                m.number
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            // The draft is not a valid method yet: show it with the problems.
            match st.app.get_risk_method(&ctx, mid).await {
                Ok(r) => {
                    let l = Layout::new(
                        &st,
                        &u,
                        &r.title(),
                        Some(&ctx),
                        "risk-method",
                        Flash::default(),
                    )
                    .await
                    .with_errors(&e);
                    render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &VersionPage {
                            l,
                            view: MethodView::new(&r.method),
                            can_edit: ctx.can(Permission::Write),
                            can_approve: ctx.can(Permission::Approve),
                            r,
                        },
                    )
                }
                Err(e) => error_page(&e),
            }
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st
        .app
        .delete_risk_method(Actor::User(&u.p), &ctx, mid)
        .await
    {
        Ok(()) => flash_redirect(&format!("/o/{org}/risk-method"), "Draft deleted."),
        Err(e) => error_page(&e),
    }
}

async fn document(st: AppState, u: WebUser, org: String, id: String, pdf: bool) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mid = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let fmt = if pdf {
        isms_export::TableFormat::Pdf
    } else {
        isms_export::TableFormat::Markdown
    };
    match st.app.risk_method_file(&ctx, mid, fmt).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// The methodology document as PDF.
pub async fn document_pdf(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    document(st, u, org, id, true).await
}

/// The methodology document as Markdown.
pub async fn document_md(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    document(st, u, org, id, false).await
}
