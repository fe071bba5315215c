//! The Statement of Applicability pages: the versions with the draft's completeness, one
//! version's 93 rows grouped by theme (filters, per-control form in a draft), the
//! comparison of two versions, exports and the import form.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::foundation::{Approve, NewDocVersion};
use isms_app::soa::{SoaDetail, SoaDiff, SoaEntry, SoaEntryPatch, SoaFilter, SoaVersion};
use isms_app::{Actor, AppError};
use isms_domain::catalogue::{Theme, catalogue};
use isms_domain::rbac::Permission;
use isms_domain::soa::Applicability;
use serde::Deserialize;

#[allow(clippy::result_large_err)]
fn number(n: &str) -> Result<i64, Response> {
    n.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| error_page(&AppError::NotFound("SoA version")))
}

/// `5.15` → `c-5-15`, the row's anchor.
pub fn anchor(control: &str) -> String {
    format!("c-{}", control.replace('.', "-"))
}

#[derive(Template)]
#[template(path = "soa.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub versions: Vec<SoaVersion>,
    pub draft: Option<SoaDetail>,
    pub in_force: Option<SoaVersion>,
    pub can_write: bool,
    /// The result of an import dry run, shown on the page.
    pub import: Option<isms_app::soa::ImportReport>,
}

/// A theme's rows on the version page.
pub struct ThemeRows {
    pub label: &'static str,
    pub entries: Vec<SoaEntry>,
}

#[derive(Template)]
#[template(path = "soa_version.html")]
pub struct VersionPage {
    pub l: Layout,
    pub d: SoaDetail,
    pub groups: Vec<ThemeRows>,
    pub show: String,
    pub can_edit: bool,
    pub can_approve: bool,
}

impl VersionPage {
    pub fn anchor(&self, control: &str) -> String {
        anchor(control)
    }
}

#[derive(Template)]
#[template(path = "soa_entry.html")]
pub struct EntryPage {
    pub l: Layout,
    pub soa: SoaVersion,
    pub e: SoaEntry,
    pub summary: String,
    pub can_edit: bool,
    /// The form as shown (what was typed, after an error).
    pub form: EntryForm,
}

#[derive(Template)]
#[template(path = "soa_diff.html")]
pub struct DiffPage {
    pub l: Layout,
    pub versions: Vec<SoaVersion>,
    pub diff: Option<SoaDiff>,
    pub from: i64,
    pub to: i64,
}

async fn all_versions(
    st: &AppState,
    ctx: &isms_app::orgs::OrgCtx,
) -> Result<Vec<SoaVersion>, AppError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = st
            .app
            .list_soa_versions(ctx, cursor.as_deref(), Some(500))
            .await?;
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

pub(crate) async fn overview_page(
    st: &AppState,
    u: &WebUser,
    org: &str,
    flash: Flash,
    import: Option<isms_app::soa::ImportReport>,
    error: Option<&AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let versions = match all_versions(st, &ctx).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let draft = match versions.iter().find(|v| v.is_draft()) {
        Some(v) => match st.app.get_soa_decisions(&ctx, v.number).await {
            Ok(d) => Some(d),
            Err(e) => return error_page(&e),
        },
        None => None,
    };
    let in_force = versions.iter().find(|v| v.status == "approved").cloned();
    let mut l = Layout::new(
        st,
        u,
        "Statement of Applicability",
        Some(&ctx),
        "soa",
        flash,
    )
    .await;
    let status = match error {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &OverviewPage {
            l,
            versions,
            draft,
            in_force,
            can_write: ctx.can(Permission::Write),
            import,
        },
    )
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    overview_page(&st, &u, &org, flash, None, None).await
}

#[derive(Deserialize, Default)]
pub struct NoteForm {
    #[serde(default)]
    pub change_note: String,
}

/// Start a draft.
pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<NoteForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .create_soa_draft(
            Actor::User(&u.p),
            &ctx,
            &NewDocVersion {
                change_note: f.change_note,
            },
        )
        .await
    {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/soa/{}", v.number),
            &format!(
                "Draft version {} started from {}. Decide each control, then approve it.",
                v.number, v.based_on
            ),
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub show: Option<String>,
}

async fn version_response(
    st: &AppState,
    u: &WebUser,
    org: &str,
    n: i64,
    show: Option<&str>,
    flash: Flash,
    error: Option<&AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let filter = match SoaFilter::parse(show) {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let d = match st.app.get_soa(&ctx, n, filter).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let groups = Theme::ALL
        .iter()
        .map(|t| ThemeRows {
            label: t.label(),
            entries: d
                .entries
                .iter()
                .filter(|e| e.theme == t.as_str())
                .cloned()
                .collect(),
        })
        .filter(|g| !g.entries.is_empty())
        .collect();
    let title = format!("Statement of Applicability, version {}", d.soa.number);
    let mut l = Layout::new(st, u, &title, Some(&ctx), "soa", flash).await;
    let status = match error {
        Some(e) => {
            l = l.with_errors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let draft = d.soa.is_draft();
    render(
        status,
        &VersionPage {
            l,
            groups,
            show: filter.map(SoaFilter::as_str).unwrap_or("").to_owned(),
            can_edit: draft && ctx.can(Permission::Write),
            can_approve: draft && ctx.can(Permission::Approve),
            d,
        },
    )
}

pub async fn version_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, n)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let n = match number(&n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    version_response(&st, &u, &org, n, q.show.as_deref(), flash, None).await
}

#[derive(Deserialize, Default)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
}

pub async fn approve(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, n)): Path<(String, String)>,
    WebForm(f): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let n = match number(&n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let input = Approve {
        version: f.version.parse().unwrap_or(-1),
    };
    match st.app.approve_soa(Actor::User(&u.p), &ctx, n, &input).await {
        Ok(v) => flash_redirect(
            &format!("/o/{org}/soa/{}", v.number),
            &format!(
                "Version {} approved: it is the Statement of Applicability in force and is now frozen.",
                v.number
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            version_response(
                &st,
                &u,
                &org,
                n,
                Some("incomplete"),
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, n)): Path<(String, String)>,
    WebForm(_f): WebForm<VersionForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let n = match number(&n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    match st.app.delete_soa_draft(Actor::User(&u.p), &ctx, n).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/soa"), "Draft deleted."),
        Err(e) => error_page(&e),
    }
}

/// The per-control form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub applicable: String,
    #[serde(default)]
    pub inclusion_note: String,
    #[serde(default)]
    pub exclusion_justification: String,
    #[serde(default)]
    pub version: String,
}

fn entry_form(e: &SoaEntry) -> EntryForm {
    EntryForm {
        applicable: e.applicable.as_str().to_owned(),
        inclusion_note: e.inclusion_note.clone(),
        exclusion_justification: e.exclusion_justification.clone(),
        version: e.version.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn entry_response(
    st: &AppState,
    u: &WebUser,
    org: &str,
    n: &str,
    control: &str,
    flash: Flash,
    form: Option<EntryForm>,
    error: Option<&AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let n = match number(n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let (soa, e) = match st.app.get_soa_entry(&ctx, n, control).await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let title = format!("A.{} {} — SoA version {}", e.control, e.title, soa.number);
    let mut l = Layout::new(st, u, &title, Some(&ctx), "soa", flash).await;
    let status = match error {
        Some(AppError::Conflict(_)) => {
            l = l.with_errors(error.unwrap_or(&AppError::NotFound("")));
            StatusCode::CONFLICT
        }
        Some(err) => {
            l = l.with_errors(err);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &EntryPage {
            l,
            summary: catalogue()
                .control(&e.control)
                .map(|c| c.summary.clone())
                .unwrap_or_default(),
            can_edit: soa.is_draft() && ctx.can(Permission::Write),
            form: form.unwrap_or_else(|| entry_form(&e)),
            soa,
            e,
        },
    )
}

pub async fn entry_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, n, control)): Path<(String, String, String)>,
) -> Response {
    entry_response(&st, &u, &org, &n, &control, flash, None, None).await
}

pub async fn save_entry(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, n, control)): Path<(String, String, String)>,
    WebForm(f): WebForm<EntryForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let num = match number(&n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let applicable = match Applicability::parse("applicable", &f.applicable) {
        Ok(a) => a,
        Err(e) => {
            let e = AppError::Validation(e);
            return entry_response(
                &st,
                &u,
                &org,
                &n,
                &control,
                Flash::default(),
                Some(f),
                Some(&e),
            )
            .await;
        }
    };
    let patch = SoaEntryPatch {
        applicable: Some(applicable),
        inclusion_note: Some(f.inclusion_note.clone()),
        exclusion_justification: Some(f.exclusion_justification.clone()),
        version: f.version.parse().unwrap_or(-1),
    };
    match st
        .app
        .update_soa_entry(Actor::User(&u.p), &ctx, num, &control, &patch)
        .await
    {
        Ok(e) => flash_redirect(
            &format!("/o/{org}/soa/{num}#{}", anchor(&e.control)),
            &format!(
                "A.{} saved: {}.",
                e.control,
                e.applicable.label().to_lowercase()
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            entry_response(
                &st,
                &u,
                &org,
                &n,
                &control,
                Flash::default(),
                Some(f),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct DiffQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

pub async fn diff_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let versions = match all_versions(&st, &ctx).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let pick = |s: &Option<String>, default: Option<i64>| {
        s.as_deref()
            .and_then(|s| s.parse::<i64>().ok())
            .or(default)
            .unwrap_or(0)
    };
    let to = pick(&q.to, versions.first().map(|v| v.number));
    let from = pick(&q.from, versions.get(1).map(|v| v.number));
    let diff = if from > 0 && to > 0 {
        match st.app.soa_diff(&ctx, from, to).await {
            Ok(d) => Some(d),
            Err(e) => return error_page(&e),
        }
    } else {
        None
    };
    let l = Layout::new(&st, &u, "Compare SoA versions", Some(&ctx), "soa", flash).await;
    render(
        StatusCode::OK,
        &DiffPage {
            l,
            versions,
            diff,
            from,
            to,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    pub format: Option<String>,
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, n)): Path<(String, String)>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let n = match number(&n) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let f = q.format.as_deref().unwrap_or("pdf");
    let Some(fmt) = isms_export::TableFormat::parse(f) else {
        return error_page(&AppError::Validation(isms_domain::ValidationError::single(
            "format",
            "choose pdf, xlsx, csv or md",
        )));
    };
    match st.app.soa_file(&ctx, Some(n), fmt).await {
        Ok(file) => crate::download(file),
        Err(e) => error_page(&e),
    }
}

/// The import form: a CSV or XLSX file, with "only show what would change" ticked by
/// default. The result (or every bad row) is shown on the SoA page.
pub async fn import(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    crate::upload::WebMultipart(form): crate::upload::WebMultipart,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let dry_run = form.get("dry_run").is_some_and(|v| !v.is_empty());
    let bytes = form
        .file
        .as_ref()
        .map(|f| f.content.bytes().to_vec())
        .unwrap_or_default();
    if bytes.is_empty() {
        let e = AppError::Validation(isms_domain::ValidationError::single(
            "file",
            "choose a CSV or XLSX file to import",
        ));
        return overview_page(&st, &u, &org, Flash::default(), None, Some(&e)).await;
    }
    match st
        .app
        .import_soa(Actor::User(&u.p), &ctx, &bytes, dry_run)
        .await
    {
        Ok(r) if r.dry_run => overview_page(&st, &u, &org, Flash::default(), Some(r), None).await,
        Ok(r) => flash_redirect(
            &format!("/o/{org}/soa/{}", r.version),
            &format!(
                "Imported: {} controls decided, {} changed in draft version {}.",
                r.controls,
                r.changes.len(),
                r.version
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            overview_page(&st, &u, &org, Flash::default(), None, Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}
