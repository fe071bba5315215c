//! The certification pages: the cycle overview (certificate, cycle dates, warnings,
//! audits, bodies), the forms for a body, an audit and a certificate, and the
//! auditor-days estimate.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::certification::{
    AuditTimeQuery, AuditTimeView, CertAudit, CertAuditInput, CertBody, CertBodyPatch, Certificate,
    CertificateInput, CycleOverview, NewCertBody, StatusChange,
};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::certification::{CertAuditKind, CertificateState, CertificateStatus, Severity};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// One choice of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
}

fn kind_choices() -> Vec<Choice> {
    CertAuditKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label().into(),
        })
        .collect()
}

fn body_choices(bodies: &[CertBody]) -> Vec<Choice> {
    bodies
        .iter()
        .map(|b| Choice {
            value: b.id.to_string(),
            label: b.name.clone(),
        })
        .collect()
}

/// The certificate's state in words and a CSS tone.
pub fn state_words(s: &CertificateState) -> (String, &'static str) {
    match s {
        CertificateState::Valid {
            expires_on,
            days_left,
        } => (
            format!("Valid until {expires_on} ({days_left} days left)"),
            "ok",
        ),
        CertificateState::Suspended => ("Suspended".into(), "bad"),
        CertificateState::Withdrawn => ("Withdrawn".into(), "bad"),
        CertificateState::Lapsed { restorable_until } => (
            format!("Expired: the body can restore it until {restorable_until}"),
            "warn",
        ),
        CertificateState::Expired => (
            "Expired beyond the restoration window: a new initial audit is needed".into(),
            "bad",
        ),
    }
}

// ------------------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "certification.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub o: CycleOverview,
    pub state: Option<(String, &'static str)>,
    pub breaches: usize,
    pub can_write: bool,
    pub body: BodyForm,
}

impl OverviewPage {
    pub fn breach(&self, s: &Severity) -> bool {
        *s == Severity::Breach
    }
}

async fn overview_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    sent: Option<(BodyForm, &AppError)>,
) -> Response {
    let o = match st.app.certification_cycle(ctx).await {
        Ok(o) => o,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Certification", Some(ctx), "certification", flash).await;
    let (body, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (BodyForm::default(), StatusCode::OK),
    };
    render(
        status,
        &OverviewPage {
            l,
            state: o.certificate.as_ref().map(|c| state_words(&c.state)),
            breaches: o
                .warnings
                .iter()
                .filter(|w| w.severity == Severity::Breach)
                .count(),
            o,
            can_write: ctx.can(Permission::Write),
            body,
        },
    )
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    overview_page(&st, &u, &ctx, flash, None).await
}

// ---------------------------------------------------------------------------- bodies

#[derive(Deserialize, Default, Clone)]
pub struct BodyForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub accreditation: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "cert_body.html")]
pub struct BodyPage {
    pub l: Layout,
    pub b: CertBody,
    pub form: BodyForm,
    pub can_write: bool,
}

pub async fn create_body(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<BodyForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewCertBody {
        name: form.name.clone(),
        accreditation: form.accreditation.clone(),
        contact_name: form.contact_name.clone(),
        contact_email: form.contact_email.clone(),
        notes: form.notes.clone(),
    };
    match st
        .app
        .create_cert_body(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(b) => flash_redirect(
            &format!("/o/{org}/certification"),
            &format!("{} added. Plan its audits next.", b.name),
        ),
        Err(e @ AppError::Validation(_)) => {
            overview_page(&st, &u, &ctx, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

async fn body_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Uuid,
    flash: Flash,
    sent: Option<(BodyForm, &AppError)>,
) -> Response {
    let b = match st.app.get_cert_body(ctx, id).await {
        Ok(b) => b,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &b.name, Some(ctx), "certification", flash).await;
    let (form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (
            BodyForm {
                name: b.name.clone(),
                accreditation: b.accreditation.clone(),
                contact_name: b.contact_name.clone(),
                contact_email: b.contact_email.clone(),
                notes: b.notes.clone(),
                version: b.version.to_string(),
            },
            StatusCode::OK,
        ),
    };
    render(
        status,
        &BodyPage {
            l,
            b,
            form,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn body(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, Uuid)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    body_page(&st, &u, &ctx, id, flash, None).await
}

pub async fn update_body(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, Uuid)>,
    WebForm(form): WebForm<BodyForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let patch = CertBodyPatch {
        name: Some(form.name.clone()),
        accreditation: Some(form.accreditation.clone()),
        contact_name: Some(form.contact_name.clone()),
        contact_email: Some(form.contact_email.clone()),
        notes: Some(form.notes.clone()),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_cert_body(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(b) => flash_redirect(
            &format!("/o/{org}/certification/bodies/{}", b.id),
            &format!("{} saved.", b.name),
        ),
        Err(e @ AppError::Validation(_)) => {
            body_page(&st, &u, &ctx, id, Flash::default(), Some((form, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete_body(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, Uuid)>,
    WebForm(_f): WebForm<BodyForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.delete_cert_body(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/certification"),
            "Certification body removed.",
        ),
        Err(e) => error_page(&e),
    }
}

// ---------------------------------------------------------------------------- audits

#[derive(Deserialize, Default, Clone)]
pub struct AuditForm {
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
    #[serde(default)]
    pub actual_start: String,
    #[serde(default)]
    pub actual_end: String,
    #[serde(default)]
    pub lead_auditor: String,
    /// One name per line.
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub auditor_days: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub soa_version: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub version: String,
}

impl AuditForm {
    fn input(&self) -> CertAuditInput {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        CertAuditInput {
            body_id: self.body_id.trim().parse().ok(),
            kind: self.kind.clone(),
            status: opt(&self.status),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            actual_start: opt(&self.actual_start),
            actual_end: opt(&self.actual_end),
            lead_auditor: self.lead_auditor.clone(),
            team: self.team.lines().map(str::to_owned).collect(),
            // A blank or unreadable number is refused by the rules with the field named.
            auditor_days: self.auditor_days.trim().parse().unwrap_or(f64::NAN),
            scope: self.scope.clone(),
            soa_version: self.soa_version.trim().parse().ok(),
            outcome: self.outcome.clone(),
            version: self.version.trim().parse().ok(),
        }
    }

    fn from_audit(a: &CertAudit) -> Self {
        AuditForm {
            body_id: a.body_id.to_string(),
            kind: a.kind.clone(),
            status: a.status.clone(),
            planned_start: a.planned_start.clone(),
            planned_end: a.planned_end.clone(),
            actual_start: a.actual_start.clone().unwrap_or_default(),
            actual_end: a.actual_end.clone().unwrap_or_default(),
            lead_auditor: a.lead_auditor.clone(),
            team: a.team.join("\n"),
            auditor_days: a.auditor_days.to_string(),
            scope: a.scope.clone(),
            soa_version: a.soa_version.map(|n| n.to_string()).unwrap_or_default(),
            outcome: a.outcome.clone(),
            version: a.version.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "cert_audit.html")]
pub struct AuditPage {
    pub l: Layout,
    /// None for a new audit.
    pub a: Option<CertAudit>,
    pub form: AuditForm,
    pub kinds: Vec<Choice>,
    pub bodies: Vec<Choice>,
    pub can_write: bool,
    /// The findings the body raised at this audit.
    pub findings: Vec<isms_app::findings::Finding>,
    pub can_raise: bool,
}

#[derive(Deserialize, Default)]
pub struct NewAuditQuery {
    #[serde(default)]
    pub kind: String,
}

#[allow(clippy::too_many_arguments)]
async fn audit_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    reference: Option<&str>,
    flash: Flash,
    sent: Option<(AuditForm, &AppError)>,
    kind: &str,
) -> Response {
    let a = match reference {
        Some(r) => match st.app.get_cert_audit(ctx, r).await {
            Ok(a) => Some(a),
            Err(e) => return error_page(&e),
        },
        None => None,
    };
    let bodies = match st.app.list_cert_bodies(ctx, None, Some(500)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let findings = match &a {
        Some(a) => match st
            .app
            .list_findings(
                ctx,
                &isms_app::findings::FindingQuery {
                    source_id: Some(a.id),
                    limit: Some(500),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(p) => p.items,
            Err(e) => return error_page(&e),
        },
        None => Vec::new(),
    };
    let title = a
        .as_ref()
        .map(|a| format!("{} {}", a.reference, a.kind_label))
        .unwrap_or_else(|| "Plan a certification audit".into());
    let mut l = Layout::new(st, u, &title, Some(ctx), "certification", flash).await;
    let (form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (
            match &a {
                Some(a) => AuditForm::from_audit(a),
                None => AuditForm {
                    kind: kind.to_owned(),
                    status: "planned".into(),
                    body_id: bodies.first().map(|b| b.id.to_string()).unwrap_or_default(),
                    ..AuditForm::default()
                },
            },
            StatusCode::OK,
        ),
    };
    render(
        status,
        &AuditPage {
            l,
            a,
            form,
            kinds: kind_choices(),
            bodies: body_choices(&bodies),
            can_write: ctx.can(Permission::Write),
            findings,
            can_raise: ctx.can(Permission::Write) || ctx.can(Permission::AuditWrite),
        },
    )
}

pub async fn new_audit(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<NewAuditQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    audit_page(&st, &u, &ctx, None, flash, None, &q.kind).await
}

pub async fn create_audit(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<AuditForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .create_cert_audit(Actor::User(&u.p), &ctx, &form.input())
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/certification"),
            &format!("{} {} planned.", a.reference, a.kind_label),
        ),
        Err(e @ AppError::Validation(_)) => {
            audit_page(&st, &u, &ctx, None, Flash::default(), Some((form, &e)), "").await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn audit(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, reference)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    audit_page(&st, &u, &ctx, Some(&reference), flash, None, "").await
}

pub async fn update_audit(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, reference)): Path<(String, String)>,
    WebForm(form): WebForm<AuditForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .update_cert_audit(Actor::User(&u.p), &ctx, &reference, &form.input())
        .await
    {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/certification/audits/{}", a.reference),
            &format!("{} saved.", a.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            audit_page(
                &st,
                &u,
                &ctx,
                Some(&reference),
                Flash::default(),
                Some((form, &e)),
                "",
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete_audit(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, reference)): Path<(String, String)>,
    WebForm(_f): WebForm<AuditForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .delete_cert_audit(Actor::User(&u.p), &ctx, &reference)
        .await
    {
        Ok(()) => flash_redirect(&format!("/o/{org}/certification"), "Audit removed."),
        Err(e) => error_page(&e),
    }
}

// ---------------------------------------------------------------------- certificates

#[derive(Deserialize, Default, Clone)]
pub struct CertificateForm {
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub certificate_no: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub decision_on: String,
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub soa_version: String,
    #[serde(default)]
    pub version: String,
}

impl CertificateForm {
    fn input(&self) -> CertificateInput {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        CertificateInput {
            body_id: self.body_id.trim().parse().ok(),
            certificate_no: self.certificate_no.clone(),
            scope: self.scope.clone(),
            decision_on: self.decision_on.clone(),
            issued_on: opt(&self.issued_on),
            expires_on: opt(&self.expires_on),
            soa_version: self.soa_version.trim().parse().ok(),
            version: self.version.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "certificate.html")]
pub struct CertificatePage {
    pub l: Layout,
    pub c: Option<Certificate>,
    pub state: Option<(String, &'static str)>,
    pub form: CertificateForm,
    pub bodies: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub can_write: bool,
}

async fn certificate_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    id: Option<Uuid>,
    flash: Flash,
    sent: Option<(Option<CertificateForm>, &AppError)>,
) -> Response {
    let c = match id {
        Some(id) => match st.app.get_certificate(ctx, id).await {
            Ok(c) => Some(c),
            Err(e) => return error_page(&e),
        },
        None => None,
    };
    let bodies = match st.app.list_cert_bodies(ctx, None, Some(500)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&e),
    };
    let title = c
        .as_ref()
        .map(|c| format!("Certificate {}", c.certificate_no))
        .unwrap_or_else(|| "Record a certificate".into());
    let mut l = Layout::new(st, u, &title, Some(ctx), "certification", flash).await;
    let (sent_form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (None, StatusCode::OK),
    };
    let form = sent_form.unwrap_or_else(|| match &c {
        Some(c) => CertificateForm {
            body_id: c.body_id.to_string(),
            certificate_no: c.certificate_no.clone(),
            scope: c.scope.clone(),
            decision_on: c.decision_on.clone(),
            issued_on: c.issued_on.clone(),
            expires_on: c.expires_on.clone(),
            soa_version: c.soa_version.map(|n| n.to_string()).unwrap_or_default(),
            version: c.version.to_string(),
        },
        None => CertificateForm {
            body_id: bodies.first().map(|b| b.id.to_string()).unwrap_or_default(),
            ..CertificateForm::default()
        },
    });
    render(
        status,
        &CertificatePage {
            l,
            state: c.as_ref().map(|c| state_words(&c.state)),
            c,
            form,
            bodies: body_choices(&bodies),
            statuses: CertificateStatus::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: s.as_str().into(),
                })
                .collect(),
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn new_certificate(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    certificate_page(&st, &u, &ctx, None, flash, None).await
}

pub async fn create_certificate(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<CertificateForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .create_certificate(Actor::User(&u.p), &ctx, &form.input())
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/certification"),
            &format!(
                "Certificate {} recorded; it expires on {}.",
                c.certificate_no, c.expires_on
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            certificate_page(
                &st,
                &u,
                &ctx,
                None,
                Flash::default(),
                Some((Some(form), &e)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn certificate(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, Uuid)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    certificate_page(&st, &u, &ctx, Some(id), flash, None).await
}

pub async fn update_certificate(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, Uuid)>,
    WebForm(form): WebForm<CertificateForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .update_certificate(Actor::User(&u.p), &ctx, id, &form.input())
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/certification/certificates/{}", c.id),
            &format!("Certificate {} saved.", c.certificate_no),
        ),
        Err(e @ AppError::Validation(_)) => {
            certificate_page(
                &st,
                &u,
                &ctx,
                Some(id),
                Flash::default(),
                Some((Some(form), &e)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn certificate_status(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, Uuid)>,
    WebForm(form): WebForm<StatusForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let change = StatusChange {
        status: form.status.clone(),
        on: Some(form.on.trim().to_owned()).filter(|s| !s.is_empty()),
        note: form.note.clone(),
        version: form.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .change_certificate_status(Actor::User(&u.p), &ctx, id, &change)
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/certification/certificates/{}", c.id),
            &format!("Certificate {} is now {}.", c.certificate_no, c.status),
        ),
        Err(e @ AppError::Validation(_)) => {
            certificate_page(&st, &u, &ctx, Some(id), Flash::default(), Some((None, &e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete_certificate(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, Uuid)>,
    WebForm(_f): WebForm<StatusForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.delete_certificate(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/certification"), "Certificate removed."),
        Err(e) => error_page(&e),
    }
}

// ------------------------------------------------------------------------ audit time

#[derive(Deserialize, Default)]
pub struct AuditTimeForm {
    #[serde(default)]
    pub personnel: String,
    #[serde(default)]
    pub business: String,
    #[serde(default)]
    pub it: String,
    #[serde(default)]
    pub other: String,
    #[serde(default)]
    pub stage1: String,
}

#[derive(Template)]
#[template(path = "audit_time.html")]
pub struct AuditTimePage {
    pub l: Layout,
    pub v: AuditTimeView,
    pub levels: Vec<&'static str>,
}

pub async fn audit_time(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<AuditTimeForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let num = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut l = Layout::new(
        &st,
        &u,
        "Auditor-days estimate",
        Some(&ctx),
        "certification",
        flash,
    )
    .await;
    let mut bad = isms_domain::ValidationError::new();
    let personnel = num(&f.personnel).and_then(|s| {
        s.parse::<u32>()
            .map_err(|_| bad.push("personnel", "must be a whole number of people"))
            .ok()
    });
    let other = num(&f.other).and_then(|s| {
        s.parse::<i32>()
            .map_err(|_| bad.push("other", "must be a whole percentage, e.g. -10 or 15"))
            .ok()
    });
    let stage1 = num(&f.stage1).and_then(|s| {
        s.parse::<u32>()
            .map_err(|_| bad.push("stage1", "must be a whole percentage between 1 and 99"))
            .ok()
    });
    let q = AuditTimeQuery {
        personnel,
        business: num(&f.business),
        it: num(&f.it),
        other,
        stage1,
    };
    let (v, status) = match st.app.audit_time(&ctx, &q) {
        Ok(v) if bad.is_empty() => (v, StatusCode::OK),
        Ok(v) => {
            l = l.with_errors(&AppError::Validation(bad));
            (v, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            match st.app.audit_time(&ctx, &AuditTimeQuery::default()) {
                Ok(v) => (v, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => return error_page(&e),
            }
        }
        Err(e) => return error_page(&e),
    };
    render(
        status,
        &AuditTimePage {
            l,
            v,
            levels: vec!["low", "medium", "high"],
        },
    )
}

/// The calendar file, for a one-off import (the API serves the same with a token).
pub async fn calendar(State(st): State<AppState>, u: WebUser, Path(org): Path<String>) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.certification_calendar(&ctx).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// The Stage 1 document pack (a zip), for handing to the certification body.
pub async fn stage1_pack(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.stage1_pack_file(&ctx).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}
