//! The web UI: server-rendered pages (askama) that work without JavaScript.

/// Resolve the organisation of a page for the signed-in person, or return the error page
/// (404 for an organisation they cannot open) from the handler.
macro_rules! org_or_page {
    ($st:expr, $u:expr, $org:expr) => {
        match $st.app.org_access(&$u.p, $org).await {
            Ok(c) => c,
            Err(e) => return $crate::html::error_page(&e),
        }
    };
}

pub mod account;
pub mod admin;
pub mod assets;
pub mod catalogue;
pub mod certification;
pub mod competence;
pub mod controls;
pub mod data;
pub mod documents;
pub mod evidence;
pub mod findings;
pub mod foundation;
pub mod frameworks;
pub mod gap;
pub mod incidents;
pub mod internal_audits;
pub mod measurements;
pub mod org;
pub mod own_controls;
pub mod readiness;
pub mod reviews;
pub mod risk_library;
pub mod risk_method;
pub mod risks;
pub mod roadmap;
pub mod session;
pub mod soa;
pub mod suppliers;

use crate::AppState;
use crate::auth::{Flash, WebUser};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isms_app::AppError;
use isms_app::orgs::OrgCtx;
use isms_domain::FieldError;
use isms_domain::rbac::Permission;

/// HTML-escape text for the few places that build markup by hand.
pub use isms_export::charts::escape;

tokio::task_local! {
    /// The signed-in person of the request being served (set by the auth middleware),
    /// so that error pages drawn far from any handler still show the header.
    pub static CURRENT_USER: Option<(UserBox, String)>;
}

/// The signed-in person, for the header.
#[derive(Debug, Clone)]
pub struct UserBox {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone)]
pub struct OrgLink {
    pub slug: String,
    pub name: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// What every page's frame needs.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user: Option<UserBox>,
    pub csrf: String,
    pub orgs: Vec<OrgLink>,
    pub org_name: Option<String>,
    pub org_slug: String,
    pub role_label: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    /// Field errors of a form that was sent back.
    pub errors: Vec<FieldError>,
}

impl Layout {
    /// A page for someone not signed in.
    pub fn public(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            ..Default::default()
        }
    }

    /// A page for a signed-in person, optionally inside an organisation (`active` names
    /// the navigation entry to mark).
    pub async fn new(
        st: &AppState,
        u: &WebUser,
        title: &str,
        org: Option<&OrgCtx>,
        active: &str,
        flash: Flash,
    ) -> Self {
        let orgs = st
            .app
            .list_orgs(&u.p, None, Some(200))
            .await
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .map(|o| OrgLink {
                current: org.is_some_and(|c| c.org.slug == o.slug),
                slug: o.slug,
                name: o.name,
            })
            .collect();
        let mut nav = Vec::new();
        if let Some(c) = org {
            let base = format!("/o/{}", c.org.slug);
            let mut add = |href: String, label: &'static str, key: &str| {
                nav.push(NavItem {
                    href,
                    label,
                    active: key == active,
                })
            };
            add(base.clone(), "Dashboard", "overview");
            add(format!("{base}/readiness"), "Readiness", "readiness");
            add(format!("{base}/gap"), "Gap assessment", "gap");
            add(format!("{base}/roadmap"), "Roadmap", "roadmap");
            add(format!("{base}/isms"), "ISMS scope & context", "isms");
            add(format!("{base}/risks"), "Risks", "risks");
            add(format!("{base}/assets"), "Assets", "assets");
            add(format!("{base}/risk-method"), "Risk method", "risk-method");
            add(format!("{base}/controls"), "Controls", "controls");
            add(format!("{base}/soa"), "SoA", "soa");
            add(format!("{base}/documents"), "Documents", "documents");
            add(format!("{base}/evidence"), "Evidence", "evidence");
            add(format!("{base}/incidents"), "Incidents", "incidents");
            add(format!("{base}/suppliers"), "Suppliers", "suppliers");
            add(format!("{base}/competence"), "Competence", "competence");
            add(
                format!("{base}/measurements"),
                "Measurements",
                "measurements",
            );
            add(format!("{base}/audits"), "Internal audit", "audits");
            add(format!("{base}/findings"), "Findings", "findings");
            add(
                format!("{base}/management-reviews"),
                "Management review",
                "management-reviews",
            );
            add(
                format!("{base}/certification"),
                "Certification",
                "certification",
            );
            add(format!("{base}/catalogue"), "Catalogue", "catalogue");
            add(format!("{base}/frameworks"), "Frameworks", "frameworks");
            add(format!("{base}/data"), "Import & export", "data");
            add(format!("{base}/members"), "Members", "members");
            if c.can(Permission::ReadAuditTrail) {
                add(format!("{base}/audit-trail"), "Audit trail", "audit");
            }
            if c.can(Permission::ManageOrg) {
                add(format!("{base}/settings"), "Settings", "settings");
            }
        }
        Self {
            title: title.to_owned(),
            user: Some(UserBox {
                name: u.p.name.clone(),
                email: u.p.email.clone(),
                is_admin: u.p.is_admin,
            }),
            csrf: u.csrf.clone(),
            orgs,
            org_name: org.map(|c| c.org.name.clone()),
            org_slug: org.map(|c| c.org.slug.clone()).unwrap_or_default(),
            role_label: org
                .map(|c| c.access.role_label().to_owned())
                .unwrap_or_default(),
            nav,
            flash: flash.0,
            errors: Vec::new(),
        }
    }

    pub fn with_errors(mut self, e: &AppError) -> Self {
        self.errors = form_errors(e);
        self
    }

    /// The error message for one field, if the form came back with one.
    pub fn err(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Field errors from a service error (a non-field error becomes a `form` entry).
pub fn form_errors(e: &AppError) -> Vec<FieldError> {
    match e {
        AppError::Validation(v) => v.errors.clone(),
        other => vec![FieldError::new("form", error_text(other))],
    }
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Internal(_) => "something went wrong on the server; the error was logged".into(),
        other => other.to_string(),
    }
}

/// Render a template with a status code.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><title>Error</title><p>The page could not be drawn; the error was logged.".to_owned())).into_response()
        }
    }
}

pub fn page(t: &impl Template) -> Response {
    render(StatusCode::OK, t)
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

/// A whole page for an error that is not a form problem.
pub fn error_page(e: &AppError) -> Response {
    let (status, heading) = match e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
        AppError::Unauthenticated(_) | AppError::MfaRequired => {
            return Redirect::to("/login").into_response();
        }
        AppError::Conflict(_) => (StatusCode::CONFLICT, "Changed in the meantime"),
        AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Check the input"),
        AppError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts"),
        AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "File too large"),
        AppError::Integrity(m) => {
            tracing::error!(error = %m, "integrity failure");
            (StatusCode::INTERNAL_SERVER_ERROR, "Stored file damaged")
        }
        AppError::Internal(m) => {
            tracing::error!(error = %m, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
        }
    };
    let message = match e {
        AppError::NotFound(_) => {
            "There is nothing here, or it belongs to an organisation you cannot open.".to_owned()
        }
        other => sentence(&error_text(other)),
    };
    let mut l = Layout::public(heading);
    if let Ok(Some((user, csrf))) = CURRENT_USER.try_with(Clone::clone) {
        l.user = Some(user);
        l.csrf = csrf;
    }
    render(
        status,
        &ErrorPage {
            l,
            status: status.as_u16(),
            heading: heading.into(),
            message,
        },
    )
}

/// Capitalise the first letter and end with a full stop.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(c.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The page for an unknown address.
pub async fn not_found() -> Response {
    error_page(&AppError::NotFound("page"))
}

pub fn router() -> Router<AppState> {
    foundation::routes(Router::new())
        .route("/", get(session::home))
        .route(
            "/login",
            get(session::login_page).post(session::login_submit),
        )
        .route(
            "/login/totp",
            get(session::totp_page).post(session::totp_submit),
        )
        .route("/login/cancel", post(session::login_cancel))
        .route("/logout", post(session::logout))
        .route("/switch", get(session::switch))
        .route("/orgs", get(org::orgs_page).post(org::create_org))
        .route("/o/{org}", get(org::overview))
        .route(
            "/o/{org}/members",
            get(org::members_page).post(org::add_member),
        )
        .route(
            "/o/{org}/members/{id}",
            get(org::member_page).post(org::update_member),
        )
        .route("/o/{org}/members/{id}/remove", post(org::remove_member))
        .route("/o/{org}/audit-trail", get(org::audit_page))
        .route("/o/{org}/audit-trail/export", get(org::export_audit))
        .route("/o/{org}/members/export", get(org::export_members))
        .route(
            "/o/{org}/settings",
            get(org::settings_page).post(org::update_settings),
        )
        .route("/o/{org}/gap", get(gap::list_page).post(gap::create))
        .route("/o/{org}/gap/timeline", get(gap::timeline_page))
        .route("/o/{org}/gap/{id}/tasks", post(roadmap::generate))
        .route(
            "/o/{org}/roadmap",
            get(roadmap::roadmap_page).post(roadmap::create),
        )
        .route("/o/{org}/roadmap/export", get(org::export_tasks))
        .route(
            "/o/{org}/roadmap/{id}",
            get(roadmap::task_page).post(roadmap::update),
        )
        .route("/o/{org}/roadmap/{id}/delete", post(roadmap::delete))
        .route(
            "/o/{org}/assets",
            get(assets::list_page).post(assets::create),
        )
        .route("/o/{org}/assets/new", get(assets::new_page))
        .route("/o/{org}/assets/export", get(assets::export_assets))
        .route("/o/{org}/assets/bulk", post(assets::bulk))
        .route(
            "/o/{org}/assets/{id}",
            get(assets::asset_page).post(assets::update),
        )
        .route("/o/{org}/assets/{id}/delete", post(assets::delete))
        .route("/o/{org}/assets/{id}/flows", post(assets::add_flow))
        .route(
            "/o/{org}/assets/{id}/diagram.svg",
            get(assets::asset_diagram_svg),
        )
        .route("/o/{org}/data-flows", get(assets::flows_page))
        .route("/o/{org}/data-flows/export", get(assets::export_flows))
        .route(
            "/o/{org}/data-flows/diagram.svg",
            get(assets::scope_diagram_svg),
        )
        .route("/o/{org}/data-flows/{id}/delete", post(assets::delete_flow))
        .route("/o/{org}/risks", get(risks::list_page).post(risks::create))
        .route("/o/{org}/risks/new", get(risks::new_page))
        .route("/o/{org}/risks/export", get(org::export_risks))
        .route(
            "/o/{org}/risks/library/{kind}",
            get(risk_library::page).post(risk_library::create),
        )
        .route(
            "/o/{org}/risks/library/{kind}/{code}",
            post(risk_library::update),
        )
        .route(
            "/o/{org}/risks/library/{kind}/{code}/reset",
            post(risk_library::reset),
        )
        .route(
            "/o/{org}/risks/library/{kind}/{code}/delete",
            post(risk_library::delete),
        )
        .route(
            "/o/{org}/risks/treatment-plan.pdf",
            get(org::treatment_plan_pdf),
        )
        .route(
            "/o/{org}/risks/{id}",
            get(risks::risk_page).post(risks::update),
        )
        .route("/o/{org}/risks/{id}/acceptance", post(risks::accept))
        .route("/o/{org}/risks/{id}/tasks", post(risks::add_task))
        .route("/o/{org}/risks/{id}/delete", post(risks::delete))
        .route(
            "/o/{org}/risk-method",
            get(risk_method::overview).post(risk_method::start),
        )
        .route(
            "/o/{org}/risk-method/{id}",
            get(risk_method::version_page).post(risk_method::update),
        )
        .route(
            "/o/{org}/risk-method/{id}/approve",
            post(risk_method::approve),
        )
        .route(
            "/o/{org}/risk-method/{id}/delete",
            post(risk_method::delete),
        )
        .route(
            "/o/{org}/risk-method/{id}/document.pdf",
            get(risk_method::document_pdf),
        )
        .route(
            "/o/{org}/risk-method/{id}/document.md",
            get(risk_method::document_md),
        )
        .route("/o/{org}/gap/{id}", get(gap::form_page))
        .route("/o/{org}/gap/{id}/items/{key}", post(gap::answer))
        .route("/o/{org}/gap/{id}/status", post(gap::set_status))
        .route("/o/{org}/gap/{id}/delete", post(gap::delete))
        .route("/o/{org}/gap/{id}/results", get(gap::results_page))
        .route("/o/{org}/gap/{id}/compare", get(gap::compare_page))
        .route("/o/{org}/gap/{id}/report.md", get(gap::report_md))
        .route("/o/{org}/gap/{id}/report.pdf", get(gap::report_pdf))
        .route("/o/{org}/controls", get(controls::list_page))
        .route("/o/{org}/controls/export", get(controls::export))
        .route("/o/{org}/controls/oscal.zip", get(controls::oscal_zip))
        .route(
            "/o/{org}/controls/oscal/{document}",
            get(controls::oscal_document),
        )
        .route(
            "/o/{org}/controls/{ref}",
            get(controls::page).post(controls::update),
        )
        .route(
            "/o/{org}/documents",
            get(documents::list_page).post(documents::create),
        )
        .route("/o/{org}/documents/export", get(documents::export))
        .route(
            "/o/{org}/documents/{id}",
            get(documents::doc_page).post(documents::update),
        )
        .route("/o/{org}/documents/{id}/links", post(documents::set_links))
        .route("/o/{org}/documents/{id}/retire", post(documents::retire))
        .route("/o/{org}/documents/{id}/delete", post(documents::delete))
        .route("/o/{org}/documents/{id}/diff", get(documents::diff_page))
        .route(
            "/o/{org}/documents/{id}/versions",
            post(documents::new_version),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}",
            get(documents::version_page).post(documents::save_version),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/submit",
            post(documents::submit),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/approve",
            post(documents::approve),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/reject",
            post(documents::reject),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/file",
            get(documents::version_file).post(documents::attach_file),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/document.md",
            get(documents::version_md),
        )
        .route(
            "/o/{org}/documents/{id}/versions/{n}/document.pdf",
            get(documents::version_pdf),
        )
        .route(
            "/o/{org}/evidence",
            get(evidence::list).post(evidence::upload),
        )
        .route(
            "/o/{org}/audits",
            get(internal_audits::list).post(internal_audits::create),
        )
        .route("/o/{org}/audits/programme", get(internal_audits::programme))
        .route(
            "/o/{org}/audits/programme/entries",
            post(internal_audits::add_entry),
        )
        .route(
            "/o/{org}/audits/programme/entries/remove",
            post(internal_audits::remove_entry),
        )
        .route(
            "/o/{org}/audits/programme/plan-the-rest",
            post(internal_audits::plan_rest),
        )
        .route(
            "/o/{org}/audits/programme/settings",
            post(internal_audits::set_cycle),
        )
        .route(
            "/o/{org}/audits/areas",
            get(internal_audits::areas).post(internal_audits::create_area),
        )
        .route("/o/{org}/audits/export", get(internal_audits::export))
        .route("/o/{org}/audits/{id}", get(internal_audits::page))
        .route(
            "/o/{org}/audits/{id}/status",
            post(internal_audits::set_status),
        )
        .route(
            "/o/{org}/audits/{id}/checklist/{item}",
            post(internal_audits::answer),
        )
        .route("/o/{org}/audits/{id}/report", get(internal_audits::report))
        .route("/o/{org}/evidence/link", post(evidence::add_link_evidence))
        .route("/o/{org}/evidence/coverage", get(evidence::coverage))
        .route("/o/{org}/evidence/export", get(evidence::export))
        .route(
            "/o/{org}/evidence/{id}",
            get(evidence::page).post(evidence::update),
        )
        .route("/o/{org}/evidence/{id}/file", get(evidence::download))
        .route("/o/{org}/evidence/{id}/links", post(evidence::add_link))
        .route(
            "/o/{org}/evidence/{id}/links/remove",
            post(evidence::remove_link),
        )
        .route("/o/{org}/evidence/{id}/delete", post(evidence::delete))
        .route(
            "/o/{org}/findings",
            get(findings::list).post(findings::create),
        )
        .route("/o/{org}/findings/new", get(findings::new_form))
        .route("/o/{org}/findings/export", get(findings::export_findings))
        .route(
            "/o/{org}/findings/{id}",
            get(findings::page).post(findings::update),
        )
        .route(
            "/o/{org}/corrective-actions",
            get(findings::actions).post(findings::create_action),
        )
        .route(
            "/o/{org}/corrective-actions/export",
            get(findings::export_actions),
        )
        .route(
            "/o/{org}/corrective-actions/{id}",
            get(findings::action).post(findings::update_action),
        )
        .route(
            "/o/{org}/corrective-actions/{id}/verify",
            post(findings::verify),
        )
        .route(
            "/o/{org}/management-reviews",
            get(reviews::list).post(reviews::create),
        )
        .route("/o/{org}/management-reviews/export", get(reviews::export))
        .route(
            "/o/{org}/management-reviews/{id}",
            get(reviews::page).post(reviews::update),
        )
        .route("/o/{org}/management-reviews/{id}/held", post(reviews::held))
        .route(
            "/o/{org}/management-reviews/{id}/approve",
            post(reviews::approve),
        )
        .route(
            "/o/{org}/management-reviews/{id}/refresh",
            post(reviews::refresh),
        )
        .route(
            "/o/{org}/management-reviews/{id}/actions",
            post(reviews::add_action),
        )
        .route(
            "/o/{org}/management-reviews/{id}/minutes",
            get(reviews::minutes),
        )
        .route(
            "/o/{org}/incidents",
            get(incidents::list).post(incidents::create),
        )
        .route("/o/{org}/incidents/new", get(incidents::new))
        .route("/o/{org}/incidents/export", get(incidents::export))
        .route(
            "/o/{org}/incidents/{id}",
            get(incidents::page).post(incidents::update),
        )
        .route("/o/{org}/incidents/{id}/delete", post(incidents::delete))
        .route(
            "/o/{org}/suppliers",
            get(suppliers::list).post(suppliers::create),
        )
        .route("/o/{org}/suppliers/new", get(suppliers::new))
        .route("/o/{org}/suppliers/export", get(suppliers::export))
        .route(
            "/o/{org}/suppliers/{id}",
            get(suppliers::page).post(suppliers::update),
        )
        .route(
            "/o/{org}/suppliers/{id}/assessments",
            post(suppliers::assess),
        )
        .route("/o/{org}/suppliers/{id}/delete", post(suppliers::delete))
        .route("/o/{org}/competence", get(competence::overview))
        .route("/o/{org}/competence/export", get(competence::export))
        .route(
            "/o/{org}/competence/people",
            post(competence::create_person),
        )
        .route(
            "/o/{org}/competence/people/{id}",
            get(competence::person).post(competence::update_person),
        )
        .route(
            "/o/{org}/competence/requirements",
            post(competence::set_requirement),
        )
        .route(
            "/o/{org}/competence/trainings",
            post(competence::create_training),
        )
        .route(
            "/o/{org}/competence/trainings/{id}/delete",
            post(competence::delete_training),
        )
        .route(
            "/o/{org}/competence/campaigns",
            post(competence::create_campaign),
        )
        .route(
            "/o/{org}/competence/campaigns/{id}",
            get(competence::campaign),
        )
        .route(
            "/o/{org}/competence/campaigns/{id}/participants",
            post(competence::set_participant),
        )
        .route(
            "/o/{org}/measurements",
            get(measurements::overview).post(measurements::create),
        )
        .route("/o/{org}/measurements/export", get(measurements::export))
        .route(
            "/o/{org}/measurements/{kind}/{reference}",
            get(measurements::subject),
        )
        .route(
            "/o/{org}/measurements/entry/{id}/delete",
            post(measurements::delete),
        )
        .route("/o/{org}/soa", get(soa::overview).post(soa::create))
        .route("/o/{org}/soa/diff", get(soa::diff_page))
        .route("/o/{org}/soa/import", post(soa::import))
        .route("/o/{org}/data", get(data::show))
        .route("/o/{org}/data/import", post(data::import))
        .route("/o/{org}/data/export/{kind}", get(data::export))
        .route("/o/{org}/soa/{n}", get(soa::version_page))
        .route("/o/{org}/soa/{n}/approve", post(soa::approve))
        .route("/o/{org}/soa/{n}/delete", post(soa::delete))
        .route("/o/{org}/soa/{n}/export", get(soa::export))
        .route(
            "/o/{org}/soa/{n}/controls/{control}",
            get(soa::entry_page).post(soa::save_entry),
        )
        .route("/o/{org}/readiness", get(readiness::index))
        .route(
            "/o/{org}/readiness/report/{file}",
            get(readiness::report_file),
        )
        .route(
            "/o/{org}/readiness/settings",
            post(readiness::save_settings),
        )
        .route("/o/{org}/readiness/{profile}", get(readiness::page))
        .route("/o/{org}/certification", get(certification::overview))
        .route(
            "/o/{org}/certification/bodies",
            post(certification::create_body),
        )
        .route(
            "/o/{org}/certification/bodies/{id}",
            get(certification::body).post(certification::update_body),
        )
        .route(
            "/o/{org}/certification/bodies/{id}/delete",
            post(certification::delete_body),
        )
        .route(
            "/o/{org}/certification/audits",
            post(certification::create_audit),
        )
        .route(
            "/o/{org}/certification/audits/new",
            get(certification::new_audit),
        )
        .route(
            "/o/{org}/certification/audits/{reference}",
            get(certification::audit).post(certification::update_audit),
        )
        .route(
            "/o/{org}/certification/audits/{reference}/delete",
            post(certification::delete_audit),
        )
        .route(
            "/o/{org}/certification/certificates",
            post(certification::create_certificate),
        )
        .route(
            "/o/{org}/certification/certificates/new",
            get(certification::new_certificate),
        )
        .route(
            "/o/{org}/certification/certificates/{id}",
            get(certification::certificate).post(certification::update_certificate),
        )
        .route(
            "/o/{org}/certification/certificates/{id}/status",
            post(certification::certificate_status),
        )
        .route(
            "/o/{org}/certification/certificates/{id}/delete",
            post(certification::delete_certificate),
        )
        .route(
            "/o/{org}/certification/audit-time",
            get(certification::audit_time),
        )
        .route(
            "/o/{org}/certification/calendar.ics",
            get(certification::calendar),
        )
        .route(
            "/o/{org}/certification/stage1-pack.zip",
            get(certification::stage1_pack),
        )
        .route("/o/{org}/settings/isms-as-code.zip", get(org::isms_as_code))
        .route("/o/{org}/frameworks", get(frameworks::list))
        .route("/o/{org}/frameworks/import", post(frameworks::import))
        .route("/o/{org}/frameworks/{id}", get(frameworks::page))
        .route(
            "/o/{org}/frameworks/{id}/requirements/{rid}",
            get(frameworks::requirement),
        )
        .route(
            "/o/{org}/frameworks/{id}/requirements/{rid}/links",
            post(frameworks::link),
        )
        .route(
            "/o/{org}/frameworks/{id}/requirements/{rid}/links/delete",
            post(frameworks::unlink),
        )
        .route("/o/{org}/catalogue", get(catalogue::controls_page))
        .route(
            "/o/{org}/catalogue/controls/{id}",
            get(catalogue::control_page),
        )
        .route(
            "/o/{org}/catalogue/own-controls",
            get(own_controls::list).post(own_controls::create),
        )
        .route(
            "/o/{org}/catalogue/own-controls/{code}",
            get(own_controls::page).post(own_controls::update),
        )
        .route(
            "/o/{org}/catalogue/own-controls/{code}/delete",
            post(own_controls::delete),
        )
        .route("/o/{org}/catalogue/clauses", get(catalogue::clauses_page))
        .route(
            "/o/{org}/catalogue/clauses/{id}",
            get(catalogue::clause_page),
        )
        .route("/profile", get(account::profile).post(account::update_name))
        .route("/profile/password", post(account::change_password))
        .route(
            "/profile/totp",
            get(account::totp_setup).post(account::totp_start),
        )
        .route("/profile/totp/confirm", post(account::totp_confirm))
        .route("/profile/totp/disable", post(account::totp_disable))
        .route("/profile/recovery-codes", post(account::recovery_codes))
        .route(
            "/profile/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route("/profile/tokens", post(account::create_token))
        .route("/profile/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::create_user),
        )
        .route(
            "/admin/users/{id}",
            get(admin::user_page).post(admin::update_user),
        )
        .route("/admin/audit-trail", get(admin::audit_page))
        .route("/api/docs", get(admin::api_docs))
}
