//! Northwind's internal audit for the demo: three audit areas, a three-year programme
//! that covers all but two own controls (so the coverage matrix shows a few holes), one
//! completed audit of the whole ISMS earlier this year with every checklist item answered
//! (mostly conforming; one nonconformity meant as a major finding, two as minor ones, a
//! few observations and opportunities for improvement), and one audit planned next year.
//! Loaded once (idempotent); dates are relative to today.

use crate::internal_audits::{AuditPatch, AuditQuery, ChecklistAnswer, NewAudit, NewAuditArea};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult};
use isms_db::users;
use isms_domain::internal_audit::AuditStatus;
use isms_domain::time::format_date;
use time::{Date, Duration, Month};
use uuid::Uuid;

const MANAGER: &str = "isms.manager@northwind.example";
const CONTRIBUTOR: &str = "contributor@northwind.example";
const AUDITOR: &str = "internal.auditor@northwind.example";
const CEO: &str = "ceo@northwind.example";

/// Items left out of the programme on purpose: the holes the matrix shows. They are own
/// controls, so the audit of the whole ISMS still covers every clause and applicable
/// Annex A control (what the readiness rule asks of it).
const HOLES: &[&str] = &["NW-03", "NW-04"];

/// Answers that are not "conforming": (item, result, notes, evidence sampled).
const ANSWERS: &[(&str, &str, &str, &str)] = &[
    (
        "9.1",
        "nonconforming",
        "No measurement results were recorded for three of the five security objectives in the last six months, so management cannot tell whether they are being met.",
        "Objectives register; monitoring spreadsheet for Q1-Q2",
    ),
    (
        "A.5.18",
        "nonconforming",
        "The quarterly access review of the billing system was skipped in Q2; two leavers kept access for five weeks.",
        "Access review records Q1-Q3; leaver tickets HR-311, HR-318",
    ),
    (
        "A.8.13",
        "nonconforming",
        "Backups of the CRM database run nightly, but no restore test has been recorded since January.",
        "Backup job log; restore test register",
    ),
    (
        "7.3",
        "observation",
        "New joiners complete awareness training, but two of five staff asked could not say how to report a suspected phishing e-mail.",
        "Interviews with five staff; training completion report",
    ),
    (
        "A.5.9",
        "observation",
        "The asset inventory is current for production, but laptops issued in the last month are not in it yet.",
        "Asset inventory export; IT issue log",
    ),
    (
        "10.1",
        "opportunity_for_improvement",
        "Improvement ideas from the team retrospectives could feed the ISMS improvement log.",
        "Retrospective notes; improvement log",
    ),
    (
        "A.8.16",
        "opportunity_for_improvement",
        "Alert rules could be tuned: most monitoring alerts last month were closed as noise.",
        "Alert statistics for last month",
    ),
];

fn ids(emails: &[&str], people: &std::collections::HashMap<&str, Uuid>) -> Vec<Uuid> {
    emails
        .iter()
        .filter_map(|e| people.get(e).copied())
        .collect()
}

impl App {
    /// Load Northwind's internal audit; returns the completed audit's id.
    pub(crate) async fn demo_audit(&self, ctx: &OrgCtx) -> AppResult<Option<Uuid>> {
        let existing = self
            .list_audits(
                ctx,
                &AuditQuery {
                    status: Some(AuditStatus::Completed.as_str().into()),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if let Some(a) = existing.items.first() {
            return Ok(Some(a.id));
        }
        let Some(grace) = self.demo_principal(AUDITOR).await? else {
            return Ok(None);
        };
        let mut people = std::collections::HashMap::new();
        {
            let mut c = self.db.read().await?;
            for e in [MANAGER, CONTRIBUTOR, AUDITOR, CEO] {
                if let Some(u) = users::user_by_email(&mut c, e).await? {
                    people.insert(e, u.id);
                }
            }
        }
        let me = Actor::User(&grace);
        let mut areas = Vec::new();
        for (name, description, owner, members) in [
            (
                "Engineering and operations",
                "Builds and runs the Northwind platform: development, deployment, hosting, backups and monitoring.",
                CONTRIBUTOR,
                &[CONTRIBUTOR][..],
            ),
            (
                "ISMS management",
                "Runs the ISMS: risk assessment, policies, the Statement of Applicability, supplier and incident processes.",
                MANAGER,
                &[MANAGER][..],
            ),
            (
                "People and HR",
                "Hiring, onboarding, awareness training and leavers.",
                CEO,
                &[][..],
            ),
        ] {
            let a = self
                .create_audit_area(
                    me,
                    ctx,
                    &NewAuditArea {
                        name: name.into(),
                        description: description.into(),
                        owner_id: people.get(owner).copied(),
                        members: ids(members, &people),
                    },
                )
                .await?;
            areas.push(a.id);
        }

        let today = self.today();
        let year = today.year();
        let first_of_year = Date::from_calendar_date(year, Month::January, 2).unwrap_or(today);
        let start = (today - Duration::days(75)).max(first_of_year);
        let end = (start + Duration::days(4)).min(today);
        let programme = self.audit_programme(ctx).await?;
        let scope: Vec<String> = programme
            .rows
            .iter()
            .map(|r| r.item.clone())
            .filter(|k| !HOLES.contains(&k.as_str()))
            .collect();
        let full = self
            .create_audit(
                me,
                ctx,
                &NewAudit {
                    title: "Internal audit of the whole ISMS".into(),
                    criteria: None,
                    scope,
                    planned_start: format_date(start),
                    planned_end: format_date(end),
                    lead_auditor_id: Some(grace.user_id),
                    lead_auditor_external: None,
                    team: ids(&[CONTRIBUTOR], &people),
                    areas: areas.clone(),
                    independence_justification: Some(
                        "Tom Becker joined as technical expert for the infrastructure controls only; the Engineering area itself was audited by Grace Okafor alone."
                            .into(),
                    ),
                },
            )
            .await?;
        let started = self
            .update_audit(
                me,
                ctx,
                full.id,
                &AuditPatch {
                    status: Some(AuditStatus::InProgress.as_str().into()),
                    actual_start: Some(Some(format_date(start))),
                    version: full.version,
                    ..Default::default()
                },
            )
            .await?;
        let has_ev1 = {
            let mut c = self.db.read().await?;
            !isms_db::internal_audits::evidence_by_number(&mut c, ctx.org.id, &[1])
                .await?
                .is_empty()
        };
        let list = self.get_checklist(ctx, full.id).await?;
        for item in &list.items {
            let (result, notes, sampled) = match ANSWERS.iter().find(|a| a.0 == item.item) {
                Some((_, r, n, s)) => (*r, (*n).to_owned(), (*s).to_owned()),
                None => (
                    "conforming",
                    String::new(),
                    "Records for the last quarter reviewed; owner interviewed".to_owned(),
                ),
            };
            let evidence = (item.item == "5.2" && has_ev1).then(|| vec!["EV-0001".to_owned()]);
            self.answer_checklist_item(
                me,
                ctx,
                full.id,
                item.id,
                &ChecklistAnswer {
                    result: Some(Some(result.into())),
                    notes: Some(notes),
                    evidence_note: Some(sampled),
                    evidence,
                    version: item.version,
                },
            )
            .await?;
        }
        self.update_audit(
            me,
            ctx,
            full.id,
            &AuditPatch {
                status: Some(AuditStatus::Completed.as_str().into()),
                actual_end: Some(Some(format_date(end))),
                version: started.version,
                ..Default::default()
            },
        )
        .await?;

        // Next year: the controls that treat high risks, and the clauses of 9 and 10.
        let next = Date::from_calendar_date(year + 1, Month::March, 10).unwrap_or(today);
        let programme = self.audit_programme(ctx).await?;
        let mut next_scope: Vec<String> = programme
            .rows
            .iter()
            .filter(|r| r.high_risk || r.item.starts_with("9.") || r.item.starts_with("10."))
            .map(|r| r.item.clone())
            .filter(|k| !HOLES.contains(&k.as_str()))
            .collect();
        if next_scope.is_empty() {
            next_scope.push("9.2.2".into());
        }
        self.create_audit(
            me,
            ctx,
            &NewAudit {
                title: "High-risk controls and performance evaluation".into(),
                criteria: None,
                scope: next_scope,
                planned_start: format_date(next),
                planned_end: format_date(next + Duration::days(1)),
                lead_auditor_id: Some(grace.user_id),
                lead_auditor_external: None,
                team: Vec::new(),
                areas: areas.first().copied().into_iter().collect(),
                independence_justification: None,
            },
        )
        .await?;

        // The rest of the cycle, except the items deliberately left open.
        let planned = self.plan_the_rest(me, ctx).await?;
        for row in planned
            .rows
            .iter()
            .filter(|r| HOLES.contains(&r.item.as_str()))
        {
            for (i, cell) in row.cells.iter().enumerate() {
                if cell == "planned"
                    && let Some(y) = planned.years.get(i)
                {
                    self.remove_programme_entry(me, ctx, *y, &row.item).await?;
                }
            }
        }
        Ok(Some(full.id))
    }
}
