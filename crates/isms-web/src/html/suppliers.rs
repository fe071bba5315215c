//! The supplier register: the list with its filters and flags, the form for a new
//! supplier, and one supplier's page with its assessment history and the form to record
//! an assessment.

use super::incidents::{Choice, Empty, choices, opt};
use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::orgs::OrgCtx;
use isms_app::suppliers::{
    NewAssessment, NewSupplier, Supplier, SupplierPatch, SupplierQuery, flag_words,
};
use isms_app::{Actor, AppError};
use isms_domain::rbac::Permission;
use isms_domain::supplier::{AssessmentResult, Criticality, SUPPLIER_CONTROLS, SupplierStatus};
use serde::Deserialize;
use uuid::Uuid;

/// The register's filters.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub criticality: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListForm {
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("status", &self.status), ("criticality", &self.criticality)] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

/// The fields of the supplier form (sent back on a problem).
#[derive(Deserialize, Default, Clone)]
pub struct SupplierForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub criticality: String,
    #[serde(default)]
    pub data_shared: String,
    /// "yes" when the box is ticked.
    #[serde(default)]
    pub contract_security: String,
    #[serde(default)]
    pub contract_reference: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub owner: String,
    /// Empty: the default of the criticality.
    #[serde(default)]
    pub assessment_interval_months: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
}

/// An interval typed in the form; anything that is not a number is sent on as 0 so the
/// rule names the field.
fn interval(s: &str) -> Option<i64> {
    opt(s).map(|s| s.parse().unwrap_or(0))
}

impl SupplierForm {
    fn from_supplier(s: &Supplier) -> Self {
        Self {
            name: s.name.clone(),
            service: s.service.clone(),
            criticality: s.criticality.clone(),
            data_shared: s.data_shared.clone(),
            contract_security: if s.contract_security { "yes" } else { "" }.to_owned(),
            contract_reference: s.contract_reference.clone(),
            contact: s.contact.clone(),
            owner: s.owner.clone(),
            assessment_interval_months: if s.interval_is_default {
                String::new()
            } else {
                s.assessment_interval_months.to_string()
            },
            status: s.status.clone(),
            version: s.version.to_string(),
        }
    }

    fn security(&self) -> bool {
        matches!(self.contract_security.trim(), "yes" | "on" | "true")
    }

    fn new_supplier(&self) -> NewSupplier {
        NewSupplier {
            name: self.name.clone(),
            service: self.service.clone(),
            criticality: self.criticality.clone(),
            data_shared: self.data_shared.clone(),
            contract_security: self.security(),
            contract_reference: self.contract_reference.clone(),
            contact: self.contact.clone(),
            owner: self.owner.clone(),
            assessment_interval_months: interval(&self.assessment_interval_months),
            status: opt(&self.status),
        }
    }

    fn patch(&self) -> SupplierPatch {
        SupplierPatch {
            name: Some(self.name.clone()),
            service: Some(self.service.clone()),
            criticality: Some(self.criticality.clone()),
            data_shared: Some(self.data_shared.clone()),
            contract_security: Some(self.security()),
            contract_reference: Some(self.contract_reference.clone()),
            contact: Some(self.contact.clone()),
            owner: Some(self.owner.clone()),
            assessment_interval_months: Some(interval(&self.assessment_interval_months)),
            status: Some(self.status.clone()),
            version: self.version.trim().parse().unwrap_or(-1),
        }
    }
}

/// The fields of the assessment form.
#[derive(Deserialize, Default, Clone)]
pub struct AssessmentForm {
    #[serde(default)]
    pub assessed_on: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// The selects of the forms.
pub struct Options {
    pub criticalities: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub results: Vec<Choice>,
}

fn options() -> Options {
    Options {
        criticalities: choices(Criticality::ALL, |c| (c.as_str(), c.label())),
        statuses: choices(SupplierStatus::ALL, |c| (c.as_str(), c.label())),
        results: choices(AssessmentResult::ALL, |c| (c.as_str(), c.label())),
    }
}

/// A supplier with its flags in words, for the templates.
pub struct Row {
    pub s: Supplier,
    pub flags: Vec<&'static str>,
}

fn row(s: Supplier) -> Row {
    Row {
        flags: flag_words(&s),
        s,
    }
}

#[derive(Template)]
#[template(path = "suppliers.html")]
pub struct ListPage {
    pub l: Layout,
    pub items: Vec<Row>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub query: String,
    pub o: Options,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "supplier.html")]
pub struct ItemPage {
    pub l: Layout,
    /// None: the new-supplier form.
    pub r: Option<Row>,
    pub form: SupplierForm,
    pub af: AssessmentForm,
    pub o: Options,
    pub controls: &'static [(&'static str, &'static str)],
    pub can_write: bool,
}

macro_rules! id_or_page {
    ($id:expr) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound("supplier")),
        }
    };
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let q = SupplierQuery {
        status: opt(&f.status),
        criticality: opt(&f.criticality),
        cursor: opt(&f.cursor),
        limit: Some(100),
    };
    let (page, status, err) = match st.app.list_suppliers(&ctx, &q).await {
        Ok(p) => (p, StatusCode::OK, None),
        Err(e @ AppError::Validation(_)) => (
            isms_app::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e),
        ),
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(&st, &u, "Suppliers", Some(&ctx), "suppliers", flash).await;
    if let Some(e) = &err {
        l = l.with_errors(e);
    }
    render(
        status,
        &ListPage {
            l,
            items: page.items.into_iter().map(row).collect(),
            next_cursor: page.next_cursor,
            query: f.query(),
            f,
            o: options(),
            can_write: ctx.can(Permission::Write),
        },
    )
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    s: Option<Supplier>,
    form: SupplierForm,
    af: AssessmentForm,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let title = match &s {
        Some(s) => format!("{} {}", s.reference, s.name),
        None => "New supplier".to_owned(),
    };
    let mut l = Layout::new(st, u, &title, Some(ctx), "suppliers", flash).await;
    let status = match err {
        Some(e) => {
            l = l.with_errors(e);
            match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            }
        }
        None => StatusCode::OK,
    };
    render(
        status,
        &ItemPage {
            l,
            r: s.map(row),
            form,
            af,
            o: options(),
            controls: SUPPLIER_CONTROLS,
            can_write: ctx.can(Permission::Write),
        },
    )
}

fn fresh_assessment(st: &AppState) -> AssessmentForm {
    AssessmentForm {
        assessed_on: isms_domain::time::format_date(st.app.today()),
        result: "satisfactory".into(),
        note: String::new(),
    }
}

pub async fn new(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if !ctx.can(Permission::Write) {
        return error_page(&AppError::Forbidden("add suppliers".into()));
    }
    let form = SupplierForm {
        criticality: "medium".into(),
        status: "active".into(),
        ..Default::default()
    };
    let af = fresh_assessment(&st);
    form_page(&st, &u, &ctx, None, form, af, flash, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<SupplierForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .create_supplier(Actor::User(&u.p), &ctx, &form.new_supplier())
        .await
    {
        Ok(s) => flash_redirect(
            &format!("/o/{org}/suppliers/{}", s.id),
            &format!("{} added.", s.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            let af = fresh_assessment(&st);
            form_page(&st, &u, &ctx, None, form, af, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st.app.get_supplier(&ctx, id).await {
        Ok(s) => {
            let form = SupplierForm::from_supplier(&s);
            let af = fresh_assessment(&st);
            form_page(&st, &u, &ctx, Some(s), form, af, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(form): WebForm<SupplierForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    match st
        .app
        .update_supplier(Actor::User(&u.p), &ctx, id, &form.patch())
        .await
    {
        Ok(s) => flash_redirect(
            &format!("/o/{org}/suppliers/{}", s.id),
            &format!("{} saved.", s.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let s = match st.app.get_supplier(&ctx, id).await {
                Ok(s) => s,
                Err(e) => return error_page(&e),
            };
            let af = fresh_assessment(&st);
            form_page(&st, &u, &ctx, Some(s), form, af, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn assess(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(af): WebForm<AssessmentForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let input = NewAssessment {
        assessed_on: opt(&af.assessed_on),
        result: af.result.clone(),
        note: af.note.clone(),
    };
    match st
        .app
        .assess_supplier(Actor::User(&u.p), &ctx, id, &input)
        .await
    {
        Ok(s) => flash_redirect(
            &format!("/o/{org}/suppliers/{}", s.id),
            &format!("Assessment of {} recorded.", s.reference),
        ),
        Err(e @ AppError::Validation(_)) => {
            let s = match st.app.get_supplier(&ctx, id).await {
                Ok(s) => s,
                Err(e) => return error_page(&e),
            };
            let form = SupplierForm::from_supplier(&s);
            form_page(&st, &u, &ctx, Some(s), form, af, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id);
    let reference = st
        .app
        .get_supplier(&ctx, id)
        .await
        .map(|s| s.reference)
        .unwrap_or_default();
    match st.app.delete_supplier(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => flash_redirect(
            &format!("/o/{org}/suppliers"),
            &format!("{reference} removed."),
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "suppliers", &q.format).await
}
