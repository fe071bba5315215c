//! The organisation dashboard and the consultants' overview of all their organisations.
//! A handful of reads per organisation (one per register, see `isms_db::dashboard`), the
//! readiness engine once, and the domain's rules for what is due and overdue.

use crate::error::AppResult;
use crate::orgs::{OrgCtx, OrgView, parse_role};
use crate::risk_methods::RiskMethod;
use crate::risks::HeatMap;
use crate::{App, Principal};
use isms_db::Day;
use isms_db::dashboard as store;
use isms_domain::capa::{FindingStatus, Grade, action_ref, finding_ref};
use isms_domain::certification::CertAuditKind;
use isms_domain::dashboard::{self as rules, Deadline, DeadlineKind, SoaCounts};
use isms_domain::rbac::{OrgAccess, Permission, Role, membership_active};
use isms_domain::readiness::Report;
use isms_domain::supplier::{Criticality, interval_months, next_assessment_due, supplier_ref};
use isms_domain::time::{format_date, parse_date};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// Deadlines and overdue items shown at most.
const LIST_LIMIT: usize = 10;
/// Open nonconformities listed at most (the count covers all).
const NC_LIMIT: i64 = 8;
/// Organisations in the overview at most.
const OVERVIEW_LIMIT: i64 = 500;

/// One readiness profile's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Gauge {
    /// stage1, stage2 or surveillance.
    pub profile: String,
    pub label: String,
    /// 0–100.
    pub score: u8,
    pub failed: usize,
    pub blockers: usize,
    pub warnings: usize,
    pub passed: usize,
    /// The readiness page.
    pub path: String,
}

impl Gauge {
    fn of(slug: &str, r: &Report) -> Self {
        Gauge {
            profile: r.profile.as_str().to_owned(),
            label: r.profile.label().to_owned(),
            score: r.score,
            failed: r.failed,
            blockers: r.blockers,
            warnings: r.warnings,
            passed: r.passed,
            path: format!("/o/{slug}/readiness/{}", r.profile.as_str()),
        }
    }
}

/// A dated item with the page it is on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    /// certification_audit, cycle, corrective_action, document_review, evidence_expiry,
    /// supplier_assessment, task or risk_review.
    pub kind: String,
    pub kind_label: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// `CA-004`, `DOC-012`, or empty.
    pub reference: String,
    pub title: String,
    pub path: String,
    pub overdue: bool,
}

impl DeadlineView {
    fn of(slug: &str, d: &Deadline) -> Self {
        DeadlineView {
            kind: d.kind.as_str().to_owned(),
            kind_label: d.kind.label().to_owned(),
            date: format_date(d.date),
            reference: d.reference.clone(),
            title: d.title.clone(),
            path: format!("/o/{slug}/{}", d.path),
            overdue: d.overdue,
        }
    }
}

/// What is overdue today, per register.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct OverdueCounts {
    pub corrective_actions: i64,
    pub tasks: i64,
    pub document_reviews: i64,
    pub evidence_expired: i64,
    pub supplier_assessments: i64,
    pub risk_reviews: i64,
    pub total: i64,
}

/// Risks per cell of the matrix in force (`inherent[likelihood-1][impact-1]`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeatMapCounts {
    pub method_number: i64,
    /// Likelihood levels, lowest first.
    pub likelihood: Vec<String>,
    /// Impact levels, lowest first.
    pub impact: Vec<String>,
    pub inherent: Vec<Vec<usize>>,
    pub residual: Vec<Vec<usize>>,
    pub risks: usize,
}

/// The Statement of Applicability: the version in force, the draft, and the counts of
/// the one the auditor would read (in force, else the draft).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SoaStatus {
    pub approved_version: Option<i64>,
    pub draft_version: Option<i64>,
    /// The version the counts are of.
    pub counted_version: Option<i64>,
    pub included: usize,
    pub excluded: usize,
    pub undecided: usize,
    pub implemented: usize,
    /// Share of the included controls implemented, 0–100.
    pub implemented_percent: u8,
    pub path: String,
}

/// An open major or minor nonconformity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenNc {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub grade: String,
    pub grade_label: String,
    pub status_label: String,
    pub deadline: Option<String>,
    pub path: String,
}

/// The next certification audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextAudit {
    pub reference: String,
    pub kind_label: String,
    /// YYYY-MM-DD.
    pub starts_on: String,
    pub path: String,
}

/// One bar of the certification timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineBar {
    pub label: String,
    /// YYYY-MM-DD.
    pub start: String,
    /// YYYY-MM-DD, exclusive.
    pub end: String,
    /// phase (projected plan), certificate or audit.
    pub kind: String,
    /// Planned but its end has passed without being held.
    pub late: bool,
}

/// The dashboard's figures (`GET /api/v1/orgs/{org}/dashboard`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub org: OrgView,
    /// YYYY-MM-DD.
    pub as_of: String,
    /// stage1, stage2, surveillance.
    pub readiness: Vec<Gauge>,
    /// Due from today over the next 90 days, soonest first.
    pub deadlines: Vec<DeadlineView>,
    pub overdue: OverdueCounts,
    /// The longest overdue items.
    pub overdue_items: Vec<DeadlineView>,
    pub heat_map: Option<HeatMapCounts>,
    pub soa: SoaStatus,
    pub open_nonconformities: i64,
    pub open_nc_items: Vec<OpenNc>,
    pub next_audit: Option<NextAudit>,
    pub certified: bool,
    /// The plan to certification (when not certified), the certificate and the audits.
    pub timeline: Vec<TimelineBar>,
}

/// The figures plus what the page needs to draw the heat map.
pub struct DashboardData {
    pub figures: Dashboard,
    pub method: Option<RiskMethod>,
    pub heat: Option<HeatMap>,
}

/// One organisation in the consultants' overview (`GET /api/v1/overview`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgOverview {
    pub org: OrgView,
    /// stage1, stage2, surveillance.
    pub readiness: Vec<Gauge>,
    pub next_audit: Option<NextAudit>,
    pub overdue: OverdueCounts,
    pub open_nonconformities: i64,
}

fn dated_deadline(r: store::DatedRow) -> Option<Deadline> {
    let kind = DeadlineKind::from_register(&r.kind)?;
    let (reference, path) = match kind {
        DeadlineKind::CorrectiveAction => {
            (action_ref(r.number), format!("corrective-actions/{}", r.id))
        }
        DeadlineKind::Task => (String::new(), format!("roadmap/{}", r.id)),
        DeadlineKind::DocumentReview => (
            isms_domain::document::reference(r.number),
            format!("documents/{}", r.id),
        ),
        DeadlineKind::EvidenceExpiry => (
            isms_domain::evidence::evidence_ref(r.number),
            format!("evidence/{}", r.id),
        ),
        DeadlineKind::RiskReview => (
            isms_domain::evidence::risk_ref(r.number),
            format!("risks/{}", r.id),
        ),
        _ => return None,
    };
    Some(Deadline {
        kind,
        date: r.due.0,
        reference,
        title: r.title,
        path,
        overdue: false,
    })
}

fn supplier_due(r: &store::SupplierDueRow) -> Option<Deadline> {
    let crit = Criticality::parse("criticality", &r.criticality).unwrap_or(Criticality::Medium);
    let due = next_assessment_due(
        r.last_assessed_on.map(|d| d.0),
        interval_months(crit, r.interval_months),
    )?;
    Some(Deadline {
        kind: DeadlineKind::SupplierAssessment,
        date: due,
        reference: supplier_ref(r.number),
        title: r.name.clone(),
        path: format!("suppliers/{}", r.id),
        overdue: false,
    })
}

fn next_audit_view(slug: &str, r: &store::PlannedAuditRow) -> NextAudit {
    let reference = crate::certification::audit_ref(r.number);
    NextAudit {
        kind_label: CertAuditKind::parse("kind", &r.kind)
            .map(|k| k.label().to_owned())
            .unwrap_or_else(|_| r.kind.clone()),
        starts_on: format_date(r.planned_start.0),
        path: format!("/o/{slug}/certification/audits/{reference}"),
        reference,
    }
}

/// Overdue counts per organisation from the counted rows and the suppliers.
fn overdue_by_org(
    counts: &[(Uuid, String, i64)],
    suppliers: &[store::SupplierDueRow],
    today: Date,
) -> HashMap<Uuid, (OverdueCounts, i64)> {
    let mut m: HashMap<Uuid, (OverdueCounts, i64)> = HashMap::new();
    for (org, kind, n) in counts {
        let e = m.entry(*org).or_default();
        match kind.as_str() {
            "corrective_actions" => e.0.corrective_actions += n,
            "tasks" => e.0.tasks += n,
            "document_reviews" => e.0.document_reviews += n,
            "evidence_expired" => e.0.evidence_expired += n,
            "risk_reviews" => e.0.risk_reviews += n,
            "open_nc" => e.1 += n,
            _ => {}
        }
    }
    for s in suppliers {
        if supplier_due(s).is_some_and(|d| d.date < today) {
            m.entry(s.org_id).or_default().0.supplier_assessments += 1;
        }
    }
    for (o, _) in m.values_mut() {
        o.total = o.corrective_actions
            + o.tasks
            + o.document_reviews
            + o.evidence_expired
            + o.supplier_assessments
            + o.risk_reviews;
    }
    m
}

impl App {
    /// Everything the dashboard shows, as of today.
    pub async fn dashboard(&self, ctx: &OrgCtx) -> AppResult<DashboardData> {
        ctx.require(Permission::Read, "see the dashboard")?;
        let today = self.today();
        let slug = ctx.org.slug.as_str();
        let readiness = self.readiness_all(ctx).await?;
        let cycle = self.certification_cycle(ctx).await?;
        let method = self.risk_method_in_force(ctx).await?;
        let heat = self.risk_heatmap(ctx).await?;
        let ids = [ctx.org.id];
        let until = rules::horizon_end(today);
        let mut c = self.db.read().await?;
        let counts = store::overdue_counts(&mut c, &ids, Day(today)).await?;
        let suppliers = store::supplier_assessments(&mut c, &ids).await?;
        let planned = store::planned_audits(&mut c, &ids, Day(today)).await?;
        let dated = store::dated_items(&mut c, ctx.org.id, Day(today), Day(until)).await?;
        let ncs = store::open_ncs(&mut c, ctx.org.id, NC_LIMIT).await?;
        drop(c);
        let soa = self.soa_status(ctx).await?;

        let mut items: Vec<Deadline> = dated.into_iter().filter_map(dated_deadline).collect();
        items.extend(suppliers.iter().filter_map(supplier_due));
        for a in cycle.audits.iter().filter(|a| a.status == "planned") {
            if let Some(d) = parse_date(&a.planned_start) {
                items.push(Deadline {
                    kind: DeadlineKind::CertificationAudit,
                    date: d,
                    reference: a.reference.clone(),
                    title: format!("{} ({})", a.kind_label, a.body_name),
                    path: format!("certification/audits/{}", a.reference),
                    overdue: false,
                });
            }
        }
        for e in &cycle.events {
            items.push(Deadline {
                kind: DeadlineKind::Cycle,
                date: e.date,
                reference: String::new(),
                title: e.title.clone(),
                path: "certification".into(),
                overdue: false,
            });
        }
        let deadlines = rules::upcoming(&items, today, LIST_LIMIT);
        // Cycle dates and audits that passed are history, not overdue work.
        let work: Vec<Deadline> = items
            .into_iter()
            .filter(|d| {
                !matches!(
                    d.kind,
                    DeadlineKind::Cycle | DeadlineKind::CertificationAudit
                )
            })
            .collect();
        let overdue_items = rules::overdue(&work, today, LIST_LIMIT);
        let (overdue, open_nc) = overdue_by_org(&counts, &suppliers, today)
            .remove(&ctx.org.id)
            .unwrap_or_default();

        let heat_map = match (&method, &heat) {
            (Some(m), Some(h)) => Some(HeatMapCounts {
                method_number: m.number,
                likelihood: m
                    .method
                    .likelihood
                    .levels
                    .iter()
                    .map(|l| format!("{} {}", l.value, l.name))
                    .collect(),
                impact: m
                    .method
                    .impact
                    .levels
                    .iter()
                    .map(|l| format!("{} {}", l.value, l.name))
                    .collect(),
                risks: h.inherent.iter().flatten().sum(),
                inherent: h.inherent.clone(),
                residual: h.residual.clone(),
            }),
            _ => None,
        };

        let mut timeline = Vec::new();
        let certified = cycle.certificate.is_some();
        if let (Some(cert), Some(cy)) = (&cycle.certificate, &cycle.cycle) {
            timeline.push(TimelineBar {
                label: format!("Certificate {}", cert.certificate_no),
                start: format_date(cy.decision_on),
                end: format_date(cy.expires_on),
                kind: "certificate".into(),
                late: false,
            });
        } else {
            let plan = self
                .gap_timeline(ctx, &crate::gap::TimelineQuery::default())
                .await?;
            for p in plan.phases.iter().filter(|p| p.weeks > 0) {
                timeline.push(TimelineBar {
                    label: p.label.clone(),
                    start: p.start.clone(),
                    end: p.end.clone(),
                    kind: "phase".into(),
                    late: false,
                });
            }
        }
        for a in cycle.audits.iter().filter(|a| a.status != "cancelled") {
            let start = a
                .actual_start
                .clone()
                .unwrap_or_else(|| a.planned_start.clone());
            let end = a
                .actual_end
                .clone()
                .unwrap_or_else(|| a.planned_end.clone());
            let late = a.status == "planned" && parse_date(&end).is_some_and(|e| e < today);
            let end_excl = parse_date(&end)
                .map(|e| format_date(e.saturating_add(time::Duration::days(1))))
                .unwrap_or(end);
            timeline.push(TimelineBar {
                label: format!("{} {}", a.reference, a.kind_label),
                start,
                end: end_excl,
                kind: "audit".into(),
                late,
            });
        }

        let figures = Dashboard {
            org: ctx.view(),
            as_of: format_date(today),
            readiness: readiness.iter().map(|r| Gauge::of(slug, r)).collect(),
            deadlines: deadlines
                .iter()
                .map(|d| DeadlineView::of(slug, d))
                .collect(),
            overdue,
            overdue_items: overdue_items
                .iter()
                .map(|d| DeadlineView::of(slug, d))
                .collect(),
            heat_map,
            soa,
            open_nonconformities: open_nc,
            open_nc_items: ncs
                .into_iter()
                .map(|r| {
                    let grade = Grade::from_stored(&r.grade);
                    OpenNc {
                        id: r.id,
                        reference: finding_ref(r.number),
                        title: r.title,
                        grade_label: grade.map_or_else(|| r.grade.clone(), |g| g.label().into()),
                        grade: r.grade,
                        status_label: FindingStatus::from_stored(&r.status)
                            .map_or_else(|| r.status.clone(), |s| s.label().into()),
                        deadline: r.deadline.map(|d| format_date(d.0)),
                        path: format!("/o/{slug}/findings/{}", r.id),
                    }
                })
                .collect(),
            next_audit: planned.first().map(|a| next_audit_view(slug, a)),
            certified,
            timeline,
        };
        Ok(DashboardData {
            figures,
            method,
            heat,
        })
    }

    /// The SoA in force and the draft, with the counts of the one an auditor reads.
    async fn soa_status(&self, ctx: &OrgCtx) -> AppResult<SoaStatus> {
        let versions = self.list_soa_versions(ctx, None, Some(20)).await?.items;
        let approved = versions.iter().find(|v| v.status == "approved");
        let draft = versions.iter().find(|v| v.is_draft());
        let mut s = SoaStatus {
            approved_version: approved.map(|v| v.number),
            draft_version: draft.map(|v| v.number),
            path: format!("/o/{}/soa", ctx.org.slug),
            ..Default::default()
        };
        let Some(counted) = approved.or(draft).map(|v| v.number) else {
            return Ok(s);
        };
        let detail = self.get_soa_decisions(ctx, counted).await?;
        let counts = SoaCounts {
            included: detail.completeness.applicable,
            excluded: detail.completeness.excluded,
            undecided: detail.completeness.undecided.len(),
            implemented: detail
                .entries
                .iter()
                .filter(|e| {
                    e.applicable == isms_domain::soa::Applicability::Yes
                        && e.implementation_status == "implemented"
                })
                .count(),
        };
        s.counted_version = Some(counted);
        s.path = format!("/o/{}/soa/{counted}", ctx.org.slug);
        s.implemented_percent = counts.implemented_percent();
        s.included = counts.included;
        s.excluded = counts.excluded;
        s.undecided = counts.undecided;
        s.implemented = counts.implemented;
        Ok(s)
    }

    /// The organisations `p` can open, as contexts, with `p`'s own role in each where
    /// they are a member (an instance administrator may be one too): two queries at most.
    async fn org_contexts(&self, p: &Principal) -> AppResult<Vec<(OrgCtx, Option<Role>)>> {
        let mut c = self.db.read().await?;
        let today = self.today();
        let mine =
            isms_db::orgs::list_orgs_for_user(&mut c, p.user_id, Day(today), None, OVERVIEW_LIMIT)
                .await?;
        let mut roles: HashMap<Uuid, Role> = HashMap::new();
        for m in &mine {
            if !membership_active(m.expires_on.map(|d| d.0), today) {
                continue;
            }
            if let Some(role) = m.role.as_deref() {
                roles.insert(m.org.id, parse_role(role)?);
            }
        }
        let rows = if p.is_admin {
            isms_db::orgs::list_all_orgs(&mut c, None, OVERVIEW_LIMIT).await?
        } else {
            mine
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let role = roles.get(&r.org.id).copied();
            let access = match (p.is_admin, role) {
                (true, _) => OrgAccess::InstanceAdmin,
                (false, Some(role)) => OrgAccess::Member(role),
                (false, None) => continue,
            };
            out.push((OrgCtx { org: r.org, access }, role));
        }
        Ok(out)
    }

    /// Every organisation `p` can open with its readiness, next audit, overdue items and
    /// open nonconformities. Readiness is evaluated per organisation; the other figures
    /// come from one query per register for all of them.
    pub async fn overview(&self, p: &Principal) -> AppResult<Vec<OrgOverview>> {
        let ctxs = self.org_contexts(p).await?;
        let ids: Vec<Uuid> = ctxs.iter().map(|(c, _)| c.org.id).collect();
        let today = self.today();
        let mut c = self.db.read().await?;
        let counts = store::overdue_counts(&mut c, &ids, Day(today)).await?;
        let suppliers = store::supplier_assessments(&mut c, &ids).await?;
        let planned = store::planned_audits(&mut c, &ids, Day(today)).await?;
        drop(c);
        let mut by_org = overdue_by_org(&counts, &suppliers, today);
        let mut out = Vec::with_capacity(ctxs.len());
        for (ctx, role) in &ctxs {
            let slug = ctx.org.slug.as_str();
            let readiness = if ctx.can(Permission::Read) {
                self.readiness_all(ctx).await?
            } else {
                Vec::new()
            };
            let (overdue, open_nc) = by_org.remove(&ctx.org.id).unwrap_or_default();
            let mut org = ctx.view();
            org.my_role = *role;
            out.push(OrgOverview {
                org,
                readiness: readiness.iter().map(|r| Gauge::of(slug, r)).collect(),
                next_audit: planned
                    .iter()
                    .find(|a| a.org_id == ctx.org.id)
                    .map(|a| next_audit_view(slug, a)),
                overdue,
                open_nonconformities: open_nc,
            });
        }
        Ok(out)
    }
}
