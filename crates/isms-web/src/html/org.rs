//! Organisation pages: the chooser, overview, members, audit trail and settings.

use super::{Layout, error_page, page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::audit::{AuditEntry, AuditQuery, ChainReport};
use isms_app::members::{Member, MemberPatch, NewMember};
use isms_app::orgs::{NewOrg, OrgPatch, OrgView};
use isms_app::{Actor, AppError};
use isms_domain::rbac::{Permission, Role};
use serde::Deserialize;

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

pub fn role_options() -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: r.label(),
            description: r.description(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orgs.html")]
pub struct OrgsPage {
    pub l: Layout,
    /// Each organisation with its readiness, next audit and overdue work.
    pub orgs: Vec<isms_app::dashboard::OrgOverview>,
    pub can_create: bool,
    pub form: NewOrgForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewOrgForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub employees: String,
}

pub fn role_label(r: &Option<Role>) -> &'static str {
    r.map(Role::label).unwrap_or("Instance administrator")
}

pub async fn orgs_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
) -> Response {
    let l = Layout::new(&st, &u, "Organisations", None, "", flash).await;
    match st.app.overview(&u.p).await {
        Ok(orgs) => page(&OrgsPage {
            l,
            orgs,
            can_create: u.p.is_admin,
            form: NewOrgForm::default(),
        }),
        Err(e) => error_page(&e),
    }
}

pub async fn create_org(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<NewOrgForm>,
) -> Response {
    let employees = f.employees.trim().parse::<i64>();
    let result = match employees {
        Ok(n) => {
            st.app
                .create_org(
                    Actor::User(&u.p),
                    &NewOrg {
                        name: f.name.clone(),
                        slug: Some(f.slug.clone()),
                        employees: n,
                        sites: None,
                        other_management_system: None,
                    },
                )
                .await
        }
        Err(_) => Err(AppError::Validation(isms_domain::ValidationError::single(
            "employees",
            "must be a whole number, e.g. 140",
        ))),
    };
    match result {
        Ok(o) => flash_redirect(
            &format!("/o/{}", o.slug),
            &format!(
                "Organisation {} created. You are its administrator.",
                o.name
            ),
        ),
        Err(e) => {
            let l = Layout::new(&st, &u, "Organisations", None, "", Flash::default())
                .await
                .with_errors(&e);
            let orgs = st.app.overview(&u.p).await.unwrap_or_default();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &OrgsPage {
                    l,
                    orgs,
                    can_create: u.p.is_admin,
                    form: f,
                },
            )
        }
    }
}

/// A readiness gauge with its picture.
pub struct GaugeTile {
    pub g: isms_app::dashboard::Gauge,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub org: OrgView,
    pub d: isms_app::dashboard::Dashboard,
    pub gauges: Vec<GaugeTile>,
    pub gantt: String,
    pub heat_svg: String,
    pub role_description: &'static str,
    pub member_total: i64,
    pub recent: Vec<AuditEntry>,
    pub can_read_trail: bool,
    pub can_write: bool,
    /// What is still missing for clauses 4–6 (the first few), and how many in all.
    pub foundation_gaps: Vec<isms_domain::foundation::checks::Gap>,
    pub foundation_gap_count: usize,
    /// Nothing recorded yet: the page leads with the first steps.
    pub fresh: bool,
}

/// The caption under a readiness gauge.
fn gauge_caption(g: &isms_app::dashboard::Gauge) -> String {
    match (g.failed, g.blockers) {
        (0, _) => format!("no rule fails · {} passed", g.passed),
        (f, 0) => format!("{f} failed · no blocker"),
        (f, 1) => format!("{f} failed · 1 blocker"),
        (f, b) => format!("{f} failed · {b} blockers"),
    }
}

/// The dashboard: readiness, the certification timeline, deadlines, risks, the SoA, open
/// nonconformities and overdue work, each leading to the records behind it.
pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let l = Layout::new(&st, &u, &ctx.org.name, Some(&ctx), "overview", flash).await;
    let data = match st.app.dashboard(&ctx).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let member_total = match st.app.role_counts(&ctx).await {
        Ok(c) => c.iter().map(|(_, n)| n).sum(),
        Err(e) => return error_page(&e),
    };
    let can_read_trail = ctx.can(Permission::ReadAuditTrail);
    let recent = if can_read_trail {
        st.app
            .list_audit(
                &ctx,
                &AuditQuery {
                    limit: Some(5),
                    ..Default::default()
                },
            )
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let role_description = match ctx.access {
        isms_domain::rbac::OrgAccess::InstanceAdmin => {
            "You administer this installation, so you can open and manage every organisation."
        }
        isms_domain::rbac::OrgAccess::Member(r) => r.description(),
    };
    let mut foundation_gaps = st
        .app
        .foundation_overview(&ctx)
        .await
        .map(|o| o.gaps)
        .unwrap_or_default();
    let foundation_gap_count = foundation_gaps.len();
    foundation_gaps.truncate(4);
    let d = data.figures;
    let gauges = d
        .readiness
        .iter()
        .map(|g| GaugeTile {
            svg: crate::charts::gauge(
                g.score,
                &format!("{} readiness ({})", g.label, gauge_caption(g)),
                "out of 100",
            ),
            g: g.clone(),
        })
        .collect();
    let today = st.app.today();
    let rows: Vec<crate::charts::GanttRow> = d
        .timeline
        .iter()
        .filter_map(|b| {
            Some(crate::charts::GanttRow {
                label: b.label.clone(),
                start: isms_domain::time::parse_date(&b.start)?,
                end: isms_domain::time::parse_date(&b.end)?,
                late: b.late,
                phase: b.kind != "audit",
            })
        })
        .collect();
    let gantt = crate::charts::gantt(&rows, today);
    let heat_svg = match (&data.method, &data.heat) {
        (Some(m), Some(h)) => super::risks::heat_svg(
            &org,
            m,
            &h.inherent,
            "inherent",
            "Risks before treatment: likelihood × impact",
        ),
        _ => String::new(),
    };
    let fresh = d.heat_map.as_ref().is_none_or(|h| h.risks == 0)
        && d.soa.counted_version.is_none()
        && !d.certified
        && d.deadlines.is_empty()
        && d.overdue.total == 0;
    page(&OverviewPage {
        l,
        org: ctx.view(),
        gauges,
        gantt,
        heat_svg,
        role_description,
        member_total,
        recent,
        can_read_trail,
        can_write: ctx.can(Permission::Write),
        foundation_gaps,
        foundation_gap_count,
        fresh,
        d,
    })
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    pub l: Layout,
    pub members: Vec<Member>,
    pub next_cursor: Option<String>,
    pub role_filter: String,
    pub can_manage: bool,
    pub roles: Vec<RoleOption>,
    pub form: NewMemberForm,
}

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    pub role: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewMemberForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
}

async fn members_view(
    st: &AppState,
    u: &WebUser,
    org: &str,
    q: MembersQuery,
    flash: Flash,
    form: NewMemberForm,
    err: Option<AppError>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let mut l = Layout::new(st, u, "Members", Some(&ctx), "members", flash).await;
    let status = if let Some(e) = &err {
        l = l.with_errors(e);
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match st
        .app
        .list_members(&ctx, q.role.as_deref(), q.cursor.as_deref(), Some(100))
        .await
    {
        Ok(p) => render(
            status,
            &MembersPage {
                l,
                members: p.items,
                next_cursor: p.next_cursor,
                role_filter: q.role.unwrap_or_default(),
                can_manage: ctx.can(Permission::ManageMembers),
                roles: role_options(),
                form,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn members_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Response {
    members_view(
        &st,
        &u,
        &org,
        q,
        flash,
        NewMemberForm {
            role: "contributor".into(),
            ..Default::default()
        },
        None,
    )
    .await
}

pub async fn add_member(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<NewMemberForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewMember {
        email: f.email.clone(),
        role: f.role.clone(),
        expires_on: Some(f.expires_on.clone()).filter(|s| !s.is_empty()),
        name: Some(f.name.clone()).filter(|s| !s.is_empty()),
        password: Some(f.password.clone()).filter(|s| !s.is_empty()),
    };
    match st.app.add_member(Actor::User(&u.p), &ctx, &input).await {
        Ok(m) => flash_redirect(
            &format!("/o/{org}/members"),
            &format!("{} added as {}.", m.email, m.role.label()),
        ),
        Err(e @ AppError::Forbidden(_)) => error_page(&e),
        Err(e) => {
            let mut f = f;
            f.password.clear();
            members_view(
                &st,
                &u,
                &org,
                MembersQuery::default(),
                Flash::default(),
                f,
                Some(e),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "member.html")]
pub struct MemberPage {
    pub l: Layout,
    pub m: Member,
    pub roles: Vec<RoleOption>,
    pub can_manage: bool,
    pub role_value: String,
    pub expires_value: String,
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub version: String,
}

async fn member_view(
    st: &AppState,
    u: &WebUser,
    org: &str,
    id: &str,
    flash: Flash,
    form: Option<(&MemberForm, AppError)>,
) -> Response {
    let ctx = org_or_page!(st, u, org);
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return error_page(&AppError::NotFound("member"));
    };
    let m = match st.app.get_member(&ctx, id).await {
        Ok(m) => m,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &m.name, Some(&ctx), "members", flash).await;
    let (role_value, expires_value, status) = match form {
        Some((f, e)) => {
            l = l.with_errors(&e);
            (
                f.role.clone(),
                f.expires_on.clone(),
                if matches!(e, AppError::Conflict(_)) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
            )
        }
        None => (
            m.role.as_str().to_owned(),
            m.expires_on.clone().unwrap_or_default(),
            StatusCode::OK,
        ),
    };
    render(
        status,
        &MemberPage {
            l,
            m,
            roles: role_options(),
            can_manage: ctx.can(Permission::ManageMembers),
            role_value,
            expires_value,
        },
    )
}

pub async fn member_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    member_view(&st, &u, &org, &id, flash, None).await
}

pub async fn update_member(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<MemberForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(mid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("member"));
    };
    let patch = MemberPatch {
        role: Some(f.role.clone()),
        expires_on: Some(Some(f.expires_on.clone()).filter(|s| !s.trim().is_empty())),
        version: f.version.parse().unwrap_or(-1),
    };
    match st.app.update_member(&u.p, &ctx, mid, &patch).await {
        Ok(m) => flash_redirect(
            &format!("/o/{org}/members"),
            &format!("Membership of {} saved.", m.email),
        ),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => member_view(&st, &u, &org, &id, Flash::default(), Some((&f, e))).await,
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove_member(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let Ok(mid) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("member"));
    };
    match st.app.remove_member(&u.p, &ctx, mid).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/members"), "Member removed."),
        Err(AppError::Conflict(m)) => flash_redirect(&format!("/o/{org}/members/{id}"), &m),
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub l: Layout,
    pub base: String,
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
    pub entities: Vec<String>,
    pub people: Vec<(String, String)>,
    pub f: AuditForm,
    pub chain: Option<ChainReport>,
    pub filtered: bool,
    pub exportable: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditForm {
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cursor: String,
    /// `1` to re-compute the hash chain on this view.
    #[serde(default)]
    pub verify: String,
}

impl AuditForm {
    pub fn query(&self) -> Result<AuditQuery, AppError> {
        let actor = match self.actor.trim() {
            "" => None,
            a => Some(uuid::Uuid::parse_str(a).map_err(|_| {
                AppError::Validation(isms_domain::ValidationError::single(
                    "actor",
                    "is not a person of this organisation",
                ))
            })?),
        };
        Ok(AuditQuery {
            entity: Some(self.entity.clone()).filter(|s| !s.is_empty()),
            actor,
            from: Some(self.from.clone()).filter(|s| !s.is_empty()),
            to: Some(self.to.clone()).filter(|s| !s.is_empty()),
            cursor: Some(self.cursor.clone()).filter(|s| !s.is_empty()),
            limit: Some(50),
        })
    }

    /// The export link for the current filters.
    pub fn export_href(&self, base: &str, format: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("entity", self.entity.as_str()),
            ("actor", self.actor.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("format", format),
        ])
        .unwrap_or_default();
        format!("{base}/export?{q}")
    }

    /// Query string for the next page, keeping the filters.
    pub fn next_href(&self, base: &str, cursor: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("entity", &self.entity),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
            ("cursor", &cursor.to_owned()),
        ])
        .unwrap_or_default();
        format!("{base}?{q}")
    }
}

pub async fn audit_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<AuditForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut l = Layout::new(&st, &u, "Audit trail", Some(&ctx), "audit", flash).await;
    let entities = match st.app.audit_entities(&ctx).await {
        Ok(e) => e,
        Err(e) => return error_page(&e),
    };
    let people = st
        .app
        .list_members(&ctx, None, None, Some(500))
        .await
        .map(|p| {
            p.items
                .into_iter()
                .map(|m| (m.user_id.to_string(), format!("{} ({})", m.name, m.email)))
                .collect()
        })
        .unwrap_or_default();
    let chain = if f.verify == "1" {
        st.app.verify_org_audit(&ctx).await.ok()
    } else {
        None
    };
    let (entries, next_cursor, status) = match f.query() {
        Ok(q) => match st.app.list_audit(&ctx, &q).await {
            Ok(p) => (p.items, p.next_cursor, StatusCode::OK),
            Err(e @ AppError::Validation(_)) => {
                l = l.with_errors(&e);
                (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return error_page(&e),
        },
        Err(e) => {
            l = l.with_errors(&e);
            (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let filtered =
        !(f.entity.is_empty() && f.actor.is_empty() && f.from.is_empty() && f.to.is_empty());
    render(
        status,
        &AuditPage {
            l,
            base: format!("/o/{org}/audit-trail"),
            entries,
            next_cursor,
            entities,
            people,
            f,
            chain,
            filtered,
            exportable: true,
        },
    )
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub l: Layout,
    pub org: OrgView,
    pub f: SettingsForm,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub employees: String,
    #[serde(default)]
    pub sites: String,
    #[serde(default)]
    pub other_management_system: String,
    #[serde(default)]
    pub version: String,
}

pub async fn settings_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if let Err(e) = ctx.require(Permission::ManageOrg, "change the organisation's settings") {
        return error_page(&e);
    }
    let l = Layout::new(&st, &u, "Settings", Some(&ctx), "settings", flash).await;
    page(&SettingsPage {
        l,
        f: SettingsForm {
            name: ctx.org.name.clone(),
            employees: ctx.org.employees.to_string(),
            sites: ctx.org.sites.to_string(),
            other_management_system: ctx.org.other_management_system.clone(),
            version: ctx.org.version.to_string(),
        },
        org: ctx.view(),
    })
}

/// The organisation as code (the YAML directory in a zip), from the settings page.
pub async fn isms_as_code(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.export_yaml_zip(&ctx).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

pub async fn update_settings(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<SettingsForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut v = isms_domain::ValidationError::new();
    let employees = f.employees.trim().parse::<i64>().ok().or_else(|| {
        v.push("employees", "must be a whole number, e.g. 140");
        None
    });
    let sites = f.sites.trim().parse::<i64>().ok().or_else(|| {
        v.push("sites", "must be a whole number, e.g. 2");
        None
    });
    let result = match v.into_result() {
        Ok(()) => {
            st.app
                .update_org(
                    &u.p,
                    &ctx,
                    &OrgPatch {
                        name: Some(f.name.clone()),
                        employees,
                        sites,
                        other_management_system: Some(f.other_management_system.clone()),
                        version: f.version.parse().unwrap_or(-1),
                    },
                )
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(_) => flash_redirect(&format!("/o/{org}/settings"), "Settings saved."),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let l = Layout::new(
                &st,
                &u,
                "Settings",
                Some(&ctx),
                "settings",
                Flash::default(),
            )
            .await
            .with_errors(&e);
            render(
                status,
                &SettingsPage {
                    l,
                    org: ctx.view(),
                    f,
                },
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
    #[serde(flatten)]
    pub filter: AuditForm,
}

/// Download the audit trail (with the page's filters) as CSV or Markdown.
pub async fn export_audit(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let filter = match q.filter.query() {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let format = if q.format.is_empty() {
        "csv"
    } else {
        q.format.as_str()
    };
    match st
        .app
        .export(&ctx, "audit-trail", format, Some(&filter))
        .await
    {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// Download the roadmap's tasks as CSV or Markdown.
pub async fn export_tasks(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    download_export(&st, &ctx, "tasks", &q.format).await
}

/// Answer a download link with a register export (`format` empty = CSV), or the error
/// page.
pub(crate) async fn download_export(
    st: &AppState,
    ctx: &isms_app::orgs::OrgCtx,
    kind: &str,
    format: &str,
) -> Response {
    let format = if format.is_empty() { "csv" } else { format };
    match st.app.export(ctx, kind, format, None).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// Download the risk register as CSV, XLSX, Markdown or PDF.
pub async fn export_risks(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    download_export(&st, &ctx, "risks", &q.format).await
}

/// Download the risk treatment plan (6.1.3) as PDF.
pub async fn treatment_plan_pdf(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st
        .app
        .export(&ctx, "risk-treatment-plan", "pdf", None)
        .await
    {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

/// Download the member list as CSV or Markdown.
pub async fn export_members(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let format = if q.format.is_empty() {
        "csv"
    } else {
        q.format.as_str()
    };
    match st.app.export(&ctx, "members", format, None).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}
