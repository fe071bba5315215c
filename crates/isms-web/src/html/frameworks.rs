//! Frameworks besides ISO 27001: the list with coverage and the import forms (OSCAL
//! catalog, CISO Assistant library, mapping table), a framework's tree (collapsible with
//! `<details>`, no script) and a requirement's page with its controls and a link form.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::frameworks::{CoverageReport, Framework, LinkInput, Requirement, RequirementDetail};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Template)]
#[template(path = "frameworks.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Framework>,
    pub can_write: bool,
    /// What the last import left unimported.
    pub notes: Vec<String>,
}

/// One line of the tree: a node with children opens a `<details>`, a node without is a
/// leaf, and a line without a node closes the innermost open one.
pub struct TreeLine {
    pub open: bool,
    pub r: Option<Requirement>,
    pub met: bool,
    pub coverage: String,
}

#[derive(Template)]
#[template(path = "framework.html")]
pub struct FrameworkPage {
    pub l: Layout,
    pub fw: Framework,
    pub cov: CoverageReport,
    pub lines: Vec<TreeLine>,
    /// Search results (when `q` is given).
    pub found: Option<Vec<Requirement>>,
    pub reference_controls: Vec<Requirement>,
    pub q: String,
}

#[derive(Template)]
#[template(path = "framework_requirement.html")]
pub struct RequirementPage {
    pub l: Layout,
    pub d: RequirementDetail,
    pub can_write: bool,
    pub control: String,
}

impl RequirementPage {
    pub fn status_label(&self, s: &str) -> &'static str {
        match s {
            "implemented" => "Implemented",
            "partially_implemented" => "Partially implemented",
            "planned" => "Planned",
            "not_applicable" => "Not applicable",
            "" => "",
            _ => "Not started",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TreeForm {
    #[serde(default)]
    pub q: String,
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub control: String,
}

/// Turn the tree (document order) into open/leaf/close lines for nested `<details>`;
/// reference controls come apart.
fn tree_lines(
    reqs: Vec<Requirement>,
    met: &HashSet<String>,
    cov: &CoverageReport,
) -> (Vec<TreeLine>, Vec<Requirement>) {
    let shares: HashMap<&str, String> = cov
        .groups
        .iter()
        .map(|g| {
            (
                g.ref_id.as_str(),
                format!("{}/{} · {}%", g.covered, g.total, g.percent),
            )
        })
        .collect();
    let parents: HashSet<String> = reqs.iter().filter_map(|r| r.parent_ref.clone()).collect();
    let closing = || TreeLine {
        open: false,
        r: None,
        met: false,
        coverage: String::new(),
    };
    let mut lines = Vec::new();
    let mut refs = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for r in reqs {
        if r.kind == "reference_control" {
            refs.push(r);
            continue;
        }
        while stack
            .last()
            .is_some_and(|top| Some(top) != r.parent_ref.as_ref())
        {
            stack.pop();
            lines.push(closing());
        }
        let open = parents.contains(&r.ref_id);
        if open {
            stack.push(r.ref_id.clone());
        }
        lines.push(TreeLine {
            open,
            met: met.contains(&r.ref_id),
            coverage: shares.get(r.ref_id.as_str()).cloned().unwrap_or_default(),
            r: Some(r),
        });
    }
    lines.extend(stack.iter().map(|_| closing()));
    (lines, refs)
}

async fn list_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    err: Option<&AppError>,
    notes: Vec<String>,
) -> Response {
    let items = match st.app.list_frameworks(ctx, None, Some(500)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Frameworks", Some(ctx), "frameworks", flash).await;
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
            items,
            can_write: ctx.can(Permission::Write),
            notes,
        },
    )
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    list_page(&st, &u, &ctx, flash, None, Vec::new()).await
}

/// The import forms: `kind` oscal-catalog, ciso-assistant or mapping (with `framework`).
pub async fn import(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    crate::upload::WebMultipart(form): crate::upload::WebMultipart,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = form.get("kind").unwrap_or("").to_owned();
    let bytes = form
        .file
        .as_ref()
        .map(|f| f.content.bytes().to_vec())
        .unwrap_or_default();
    if bytes.is_empty() {
        let e = AppError::Validation(ValidationError::single("file", "choose a file to import"));
        return list_page(&st, &u, &ctx, Flash::default(), Some(&e), Vec::new()).await;
    }
    let actor = Actor::User(&u.p);
    let result = match kind.as_str() {
        "oscal-catalog" => st.app.import_oscal_catalog(actor, &ctx, &bytes).await,
        "ciso-assistant" => st.app.import_ciso_library(actor, &ctx, &bytes).await,
        "mapping" => {
            let fw = form.get("framework").unwrap_or("").to_owned();
            return match st
                .app
                .import_framework_mapping(actor, &ctx, &fw, &bytes)
                .await
            {
                Ok(r) => flash_redirect(
                    &format!("/o/{org}/frameworks/{}", r.framework_id),
                    &format!(
                        "Imported {} mappings to ISO/IEC 27001:2022 (replacing {}).",
                        r.mappings, r.replaced
                    ),
                ),
                Err(e @ (AppError::Validation(_) | AppError::NotFound(_))) => {
                    list_page(&st, &u, &ctx, Flash::default(), Some(&e), Vec::new()).await
                }
                Err(e) => error_page(&e),
            };
        }
        _ => Err(AppError::Validation(ValidationError::single(
            "kind",
            "choose what the file is",
        ))),
    };
    match result {
        Ok(r) if !r.notes.is_empty() => {
            let flash = Flash(Some(format!(
                "{} \"{}\": {} requirements.",
                if r.created { "Imported" } else { "Updated" },
                r.framework.name,
                r.requirements
            )));
            list_page(&st, &u, &ctx, flash, None, r.notes).await
        }
        Ok(r) => flash_redirect(
            &format!("/o/{org}/frameworks/{}", r.framework.id),
            &format!(
                "{} \"{}\": {} requirements{}.",
                if r.created { "Imported" } else { "Updated" },
                r.framework.name,
                r.requirements,
                if r.mappings > 0 {
                    format!(", {} mappings", r.mappings)
                } else {
                    String::new()
                }
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            list_page(&st, &u, &ctx, Flash::default(), Some(&e), Vec::new()).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
    Query(f): Query<TreeForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (fw, reqs, cov, met) = match st.app.framework_tree(&ctx, &id).await {
        Ok(t) => t,
        Err(e) => return error_page(&e),
    };
    let q = f.q.trim().to_owned();
    let found = if q.is_empty() {
        None
    } else {
        match st
            .app
            .list_requirements(&ctx, &id, Some(&q), None, Some(200))
            .await
        {
            Ok(p) => Some(p.items),
            Err(e) => return error_page(&e),
        }
    };
    let (lines, reference_controls) = tree_lines(reqs, &met, &cov);
    let l = Layout::new(&st, &u, &fw.name, Some(&ctx), "frameworks", flash).await;
    render(
        StatusCode::OK,
        &FrameworkPage {
            l,
            fw,
            cov,
            lines,
            found,
            reference_controls,
            q,
        },
    )
}

async fn requirement_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: &str,
    rid: &str,
    flash: Flash,
    sent: Option<(String, &AppError)>,
) -> Response {
    let d = match st.app.get_requirement(ctx, id, rid).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let title = format!("{} {}", d.requirement.ref_id, d.requirement.title);
    let mut l = Layout::new(st, u, &title, Some(ctx), "frameworks", flash).await;
    let (control, status) = match sent {
        Some((c, e)) => {
            l = l.with_errors(e);
            (c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (String::new(), StatusCode::OK),
    };
    render(
        status,
        &RequirementPage {
            l,
            d,
            can_write: ctx.can(Permission::Write),
            control,
        },
    )
}

pub async fn requirement(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id, rid)): Path<(String, String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    requirement_page(&st, &u, &ctx, &id, &rid, flash, None).await
}

async fn change_link(
    st: AppState,
    u: WebUser,
    org: String,
    id: String,
    rid: String,
    form: LinkForm,
    add: bool,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = LinkInput {
        requirement: rid.clone(),
        control: form.control.clone(),
    };
    let actor = Actor::User(&u.p);
    let r = if add {
        st.app.link_requirement(actor, &ctx, &id, &input).await
    } else {
        st.app.unlink_requirement(actor, &ctx, &id, &input).await
    };
    match r {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/frameworks/{id}/requirements/{rid}"),
            &if add {
                format!("Linked {} to {rid}.", form.control.trim())
            } else {
                format!("Removed the link from {}.", form.control.trim())
            },
        ),
        Err(e @ AppError::Validation(_)) => {
            requirement_page(
                &st,
                &u,
                &ctx,
                &id,
                &rid,
                Flash::default(),
                Some((form.control, &e)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn link(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, rid)): Path<(String, String, String)>,
    WebForm(form): WebForm<LinkForm>,
) -> Response {
    change_link(st, u, org, id, rid, form, true).await
}

pub async fn unlink(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id, rid)): Path<(String, String, String)>,
    WebForm(form): WebForm<LinkForm>,
) -> Response {
    change_link(st, u, org, id, rid, form, false).await
}
