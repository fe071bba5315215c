//! The readiness page: one profile's rules as a certification auditor would check them
//! today, blockers first, each failing rule with its reason, its fix and links to the
//! records to open. The same report as the API, `isms check` and the PDF.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::readiness::{ReadinessSettings, ReadinessSettingsInput};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use isms_domain::readiness::{Outcome, Profile, Report, RuleResult, Severity};
use serde::Deserialize;

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

pub struct Row {
    pub r: RuleResult,
    pub css: &'static str,
    pub mark: &'static str,
    pub blocker: bool,
    /// (label, href) of each record to open.
    pub links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "readiness.html")]
pub struct ReadinessPage {
    pub l: Layout,
    pub report: Report,
    pub profile: &'static str,
    pub label: &'static str,
    pub tabs: Vec<Tab>,
    pub open: Vec<Row>,
    pub passed: Vec<Row>,
    pub not_applicable: Vec<Row>,
    pub settings: ReadinessSettings,
    /// The settings form as sent back with errors, else the stored values.
    pub form: SettingsForm,
    pub can_change: bool,
}

/// The settings form.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub audit_lead_weeks: String,
    #[serde(default)]
    pub min_measurement_periods: String,
    #[serde(default)]
    pub min_scope_words: String,
    #[serde(default)]
    pub version: String,
    /// The profile page to return to.
    #[serde(default)]
    pub profile: String,
}

fn row(slug: &str, r: RuleResult) -> Row {
    let (css, mark) = match r.outcome {
        Outcome::Fail => ("bad", "fail"),
        Outcome::Warning => ("warn", "warning"),
        Outcome::Pass => ("ok", "pass"),
        Outcome::NotApplicable => ("", "not applicable"),
    };
    Row {
        links: r
            .links
            .iter()
            .map(|l| (l.label.clone(), format!("/o/{slug}/{}", l.path)))
            .collect(),
        blocker: r.severity == Severity::Blocker && r.outcome == Outcome::Fail,
        css,
        mark,
        r,
    }
}

/// `/o/{org}/readiness`: the Stage 1 profile.
pub async fn index(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    show(st, u, flash, org, "stage1".into(), None).await
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, profile)): Path<(String, String)>,
) -> Response {
    show(st, u, flash, org, profile, None).await
}

async fn show(
    st: AppState,
    u: WebUser,
    flash: Flash,
    org: String,
    profile: String,
    sent: Option<(SettingsForm, AppError)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let settings = match st.app.readiness_settings(&ctx).await {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let profile = match Profile::parse("profile", &profile) {
        Ok(p) => p,
        Err(_) => return error_page(&isms_app::AppError::NotFound("readiness profile")),
    };
    let report = match st.app.readiness(&ctx, profile).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let slug = ctx.org.slug.clone();
    let mut open = Vec::new();
    let mut passed = Vec::new();
    let mut not_applicable = Vec::new();
    for r in report.results.iter().cloned() {
        match r.outcome {
            Outcome::Fail | Outcome::Warning => open.push(row(&slug, r)),
            Outcome::Pass => passed.push(row(&slug, r)),
            Outcome::NotApplicable => not_applicable.push(row(&slug, r)),
        }
    }
    let tabs = Profile::ALL
        .into_iter()
        .map(|p| Tab {
            href: format!("/o/{slug}/readiness/{}", p.as_str()),
            label: p.label(),
            active: p == profile,
        })
        .collect();
    let mut l = Layout::new(
        &st,
        &u,
        &format!("Readiness: {}", profile.label()),
        Some(&ctx),
        "readiness",
        flash,
    )
    .await;
    let (status, form) = match sent {
        Some((f, e)) => {
            l = l.with_errors(&e);
            (StatusCode::UNPROCESSABLE_ENTITY, f)
        }
        None => (
            StatusCode::OK,
            SettingsForm {
                audit_lead_weeks: settings.audit_lead_weeks.to_string(),
                min_measurement_periods: settings.min_measurement_periods.to_string(),
                min_scope_words: settings.min_scope_words.to_string(),
                version: settings.version.to_string(),
                profile: profile.as_str().into(),
            },
        ),
    };
    render(
        status,
        &ReadinessPage {
            l,
            profile: profile.as_str(),
            label: profile.label(),
            report,
            tabs,
            open,
            passed,
            not_applicable,
            settings,
            form,
            can_change: ctx.can(Permission::Approve),
        },
    )
}

fn number(field: &str, s: &str) -> Result<i64, AppError> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| isms_domain::ValidationError::single(field, "must be a whole number").into())
}

/// Save the readiness settings from the form on the readiness page.
pub async fn save_settings(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<SettingsForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let profile = Profile::parse("profile", &f.profile).unwrap_or(Profile::Stage1);
    let input = (|| -> Result<ReadinessSettingsInput, AppError> {
        Ok(ReadinessSettingsInput {
            audit_lead_weeks: number("audit_lead_weeks", &f.audit_lead_weeks)?,
            min_measurement_periods: number("min_measurement_periods", &f.min_measurement_periods)?,
            min_scope_words: number("min_scope_words", &f.min_scope_words)?,
            version: f.version.trim().parse().unwrap_or(0),
        })
    })();
    let r = match input {
        Ok(i) => {
            st.app
                .update_readiness_settings(Actor::User(&u.p), &ctx, &i)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => flash_redirect(
            &format!("/o/{org}/readiness/{}", profile.as_str()),
            "Readiness settings saved.",
        ),
        Err(e @ AppError::Validation(_)) => {
            let p = profile.as_str().to_owned();
            show(st, u, Flash::default(), org, p, Some((f, e))).await
        }
        Err(e) => error_page(&e),
    }
}

/// The readiness report of one profile as PDF or Markdown.
pub async fn report_file(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, file)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (profile, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    let fmt = match ext {
        "pdf" => isms_export::TableFormat::Pdf,
        "md" => isms_export::TableFormat::Markdown,
        _ => return error_page(&isms_app::AppError::NotFound("report")),
    };
    let profile = if profile == "all" {
        None
    } else {
        match Profile::parse("profile", profile) {
            Ok(p) => Some(p),
            Err(_) => return error_page(&isms_app::AppError::NotFound("readiness profile")),
        }
    };
    match st.app.readiness_file(&ctx, profile, fmt).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}
