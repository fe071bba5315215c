//! "Import & export": every register with its CSV and XLSX downloads, and the import form
//! of the registers that can be imported (dry run ticked by default), with the report of
//! the last run (counts, the references, or every bad line and field).

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebUser};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::imports::{IMPORT_KINDS, RegisterImportReport, columns_of};
use isms_app::progress::NoProgress;
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use serde::Deserialize;

/// The registers on the page: (export kind, label).
pub const REGISTERS: &[(&str, &str)] = &[
    ("assets", "Assets"),
    ("data-flows", "Data flows"),
    ("risks", "Risks"),
    ("controls", "Controls"),
    ("soa", "Statement of Applicability"),
    ("documents", "Documents (metadata)"),
    ("evidence", "Evidence (metadata)"),
    ("incidents", "Incidents"),
    ("suppliers", "Suppliers"),
    ("findings", "Findings"),
    ("corrective-actions", "Corrective actions"),
    ("tasks", "Roadmap tasks"),
];

pub struct RegisterRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub importable: bool,
    /// The columns its import reads: (name, required, other accepted names).
    pub columns: Vec<(&'static str, bool, String)>,
}

#[derive(Template)]
#[template(path = "data.html")]
pub struct DataPage {
    pub l: Layout,
    pub registers: Vec<RegisterRow>,
    pub can_write: bool,
    /// May download the whole organisation as YAML (the settings' permission).
    pub can_manage: bool,
    pub kind: String,
    pub report: Option<RegisterImportReport>,
}

async fn page(
    st: &AppState,
    u: &WebUser,
    org: &str,
    flash: Flash,
    kind: &str,
    report: Option<RegisterImportReport>,
    error: Option<&AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let mut l = Layout::new(st, u, "Import & export", Some(&ctx), "data", flash).await;
    let status = match error {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &DataPage {
            l,
            registers: REGISTERS
                .iter()
                .map(|(kind, label)| RegisterRow {
                    kind,
                    label,
                    importable: IMPORT_KINDS.contains(kind) || *kind == "soa",
                    columns: columns_of(kind)
                        .unwrap_or_default()
                        .iter()
                        .map(|c| (c.name, c.required, c.aliases.join(", ")))
                        .collect(),
                })
                .collect(),
            can_write: ctx.can(Permission::Write),
            can_manage: ctx.can(Permission::ManageOrg),
            kind: kind.to_owned(),
            report,
        },
    )
}

pub async fn show(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    page(&st, &u, &org, flash, "assets", None, None).await
}

#[derive(Deserialize, Default)]
pub struct ExportForm {
    #[serde(default)]
    pub format: String,
}

/// A register's download (`?format=csv|xlsx`).
pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, kind)): Path<(String, String)>,
    Query(q): Query<ExportForm>,
) -> Response {
    if !REGISTERS.iter().any(|(k, _)| *k == kind) {
        return error_page(&AppError::NotFound("register"));
    }
    super::assets::export(&st, &u, &org, &kind, &q.format).await
}

/// The import form: the register, the file, and "dry run only" (ticked by default).
pub async fn import(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    crate::upload::WebMultipart(form): crate::upload::WebMultipart,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let kind = form.get("kind").unwrap_or("assets").to_owned();
    let dry_run = form.get("dry_run").is_some_and(|v| !v.is_empty());
    let bytes = form
        .file
        .as_ref()
        .map(|f| f.content.bytes().to_vec())
        .unwrap_or_default();
    let flash = Flash::default();
    if bytes.is_empty() {
        let e = AppError::Validation(isms_domain::ValidationError::single(
            "file",
            "choose a CSV or XLSX file to import",
        ));
        return page(&st, &u, &org, flash, &kind, None, Some(&e)).await;
    }
    match st
        .app
        .import_register(Actor::User(&u.p), &ctx, &kind, &bytes, dry_run, &NoProgress)
        .await
    {
        Ok(r) => page(&st, &u, &org, flash, &kind, Some(r), None).await,
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            page(&st, &u, &org, flash, &kind, None, Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}
