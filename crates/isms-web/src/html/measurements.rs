//! Monitoring and measurement (9.1): one row per subject with its latest value, target,
//! sparkline and overdue flag; one subject's page with the full trend chart (SVG drawn
//! here on the server), its history and the form to add a measurement.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::measurements::{NewMeasurement, SeriesPoint, SubjectDetail, SubjectSummary};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::measurement::{Outcome, parse_value};
use isms_domain::rbac::Permission;
use isms_domain::time::parse_date;
use isms_domain::trend_chart::{line_chart, number, result_strip, sparkline};
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

fn values(points: &[SeriesPoint]) -> Vec<(Date, f64)> {
    points
        .iter()
        .filter_map(|p| Some((parse_date(&p.measured_on)?, p.value?)))
        .collect()
}

fn results(points: &[SeriesPoint]) -> Vec<(Date, Outcome)> {
    points
        .iter()
        .filter_map(|p| {
            Some((
                parse_date(&p.measured_on)?,
                Outcome::parse("result", p.result.as_deref()?).ok()?,
            ))
        })
        .collect()
}

/// A subject as a row of the overview, with its drawing.
pub struct Row {
    pub s: SubjectSummary,
    pub href: String,
    pub latest: String,
    pub target: String,
    pub chart: String,
}

fn shown(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(x) if unit.is_empty() => number(x),
        Some(x) => format!("{} {unit}", number(x)),
        None => String::new(),
    }
}

fn row(org: &str, s: SubjectSummary) -> Row {
    let chart = if s.subject_kind == "control" {
        result_strip(&results(&s.points), false)
    } else {
        sparkline(&values(&s.points), s.target_value)
    };
    let latest = match (&s.latest_result, s.latest_value) {
        (Some(r), v) => {
            let v = shown(v, &s.target_unit);
            if v.is_empty() {
                r.clone()
            } else {
                format!("{r} ({v})")
            }
        }
        (None, v) => shown(v, &s.target_unit),
    };
    Row {
        href: format!(
            "/o/{org}/measurements/{}/{}",
            s.subject_kind,
            form_urlencoded::byte_serialize(s.subject_ref.as_bytes()).collect::<String>()
        ),
        target: shown(s.target_value, &s.target_unit),
        latest,
        chart,
        s,
    }
}

#[derive(Template)]
#[template(path = "measurements.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub objectives: Vec<Row>,
    pub controls: Vec<Row>,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "measurement.html")]
pub struct SubjectPage {
    pub l: Layout,
    pub r: Row,
    pub d: SubjectDetail,
    pub big_chart: String,
    pub strip: String,
    pub form: AddForm,
    pub can_write: bool,
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let all = match st.app.measurement_overview(&ctx).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let (objectives, controls): (Vec<Row>, Vec<Row>) = all
        .into_iter()
        .map(|s| row(&ctx.org.slug, s))
        .partition(|r| r.s.subject_kind == "objective");
    let l = Layout::new(&st, &u, "Measurements", Some(&ctx), "measurements", flash).await;
    render(
        StatusCode::OK,
        &OverviewPage {
            l,
            objectives,
            controls,
            can_write: ctx.can(Permission::Write),
        },
    )
}

/// The add-a-measurement form.
#[derive(Deserialize, Default, Clone)]
pub struct AddForm {
    #[serde(default)]
    pub subject_kind: String,
    #[serde(default)]
    pub subject_ref: String,
    #[serde(default)]
    pub measured_on: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub note: String,
}

async fn subject_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    kind: &str,
    reference: &str,
    flash: Flash,
    sent: Option<(AddForm, &AppError)>,
) -> Response {
    let d = match st.app.measurement_subject(ctx, kind, reference).await {
        Ok(d) => d,
        Err(AppError::Validation(_)) => return error_page(&AppError::NotFound("subject")),
        Err(e) => return error_page(&e),
    };
    let mut all_points: Vec<SeriesPoint> = d
        .history
        .iter()
        .map(|m| SeriesPoint {
            measured_on: m.measured_on.clone(),
            value: m.value,
            result: m.result.clone(),
        })
        .collect();
    all_points.reverse();
    let s = &d.summary;
    let label = format!("{} {}", s.label, s.title);
    let big_chart = if s.subject_kind == "objective" || all_points.iter().any(|p| p.value.is_some())
    {
        line_chart(
            &values(&all_points),
            s.target_value,
            &s.target_unit,
            &format!("Trend of {label}"),
        )
    } else {
        String::new()
    };
    let strip = if s.subject_kind == "control" {
        result_strip(&results(&all_points), true)
    } else {
        String::new()
    };
    let mut l = Layout::new(st, u, &label, Some(ctx), "measurements", flash).await;
    let (form, status) = match sent {
        Some((f, e)) => {
            l = l.with_errors(e);
            (f, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (
            AddForm {
                measured_on: isms_domain::time::format_date(st.app.today()),
                ..Default::default()
            },
            StatusCode::OK,
        ),
    };
    let r = row(&ctx.org.slug, d.summary.clone());
    render(
        status,
        &SubjectPage {
            l,
            r,
            d,
            big_chart,
            strip,
            form,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn subject(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, kind, reference)): Path<(String, String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    subject_page(&st, &u, &ctx, &kind, &reference, flash, None).await
}

/// Add a measurement from a subject's page.
pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(form): WebForm<AddForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let value = parse_value("value", &form.value);
    let result = match value {
        Err(e) => Err(AppError::Validation(e)),
        Ok(value) => {
            let input = NewMeasurement {
                subject_kind: form.subject_kind.clone(),
                subject_ref: form.subject_ref.clone(),
                measured_on: Some(form.measured_on.clone()),
                value,
                result: Some(form.result.clone()).filter(|s| !s.trim().is_empty()),
                note: form.note.clone(),
            };
            st.app
                .create_measurement(Actor::User(&u.p), &ctx, &input)
                .await
        }
    };
    let back = format!(
        "/o/{org}/measurements/{}/{}",
        form_urlencoded::byte_serialize(form.subject_kind.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(form.subject_ref.as_bytes()).collect::<String>()
    );
    match result {
        Ok(m) => flash_redirect(
            &back,
            &format!("Measurement of {} recorded.", m.measured_on),
        ),
        Err(e @ AppError::Validation(_)) => {
            let (kind, reference) = (form.subject_kind.clone(), form.subject_ref.clone());
            subject_page(
                &st,
                &u,
                &ctx,
                &kind,
                &reference,
                Flash::default(),
                Some((form, &e)),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    pub back: String,
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<DeleteForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("measurement"));
    };
    let m = match st.app.get_measurement(&ctx, id).await {
        Ok(m) => m,
        Err(e) => return error_page(&e),
    };
    match st.app.delete_measurement(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => {
            let local = f.back.starts_with(&format!("/o/{org}/measurements/"));
            let back = if local {
                f.back
            } else {
                format!("/o/{org}/measurements")
            };
            flash_redirect(&back, &format!("Measurement of {} removed.", m.measured_on))
        }
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "measurements", &q.format).await
}
