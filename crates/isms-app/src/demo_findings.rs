//! Northwind's findings, corrective actions and management reviews for the demo: the
//! internal audit's findings (one major and two minor nonconformities, two observations,
//! one opportunity for improvement), a minor nonconformity from the certification body's
//! surveillance audit with its deadline, one from an incident; corrective actions in every
//! state (planned, in progress, overdue, implemented, verified effective and closed,
//! verified ineffective); one management review held and approved, whose actions became a
//! roadmap task and a corrective action, and the next review planned. Loaded once
//! (idempotent); dates are relative to today.

use crate::findings::{
    CorrectiveActionPatch, FindingPatch, FindingQuery, NewCorrectiveAction, NewFinding,
    Verification,
};
use crate::orgs::OrgCtx;
use crate::reviews::{NewReview, NewReviewAction, ReviewPatch};
use crate::{Actor, App, AppResult, Principal};
use isms_db::users;
use isms_domain::capa::Why;
use isms_domain::time::format_date;
use std::collections::BTreeMap;
use time::Duration;
use uuid::Uuid;

const CONTRIBUTOR: &str = "contributor@northwind.example";
const AUDITOR: &str = "internal.auditor@northwind.example";
const CEO: &str = "ceo@northwind.example";
const MANAGER: &str = "isms.manager@northwind.example";

/// One demo finding: source, grade, reference, title, description, evidence seen,
/// raised (days ago), deadline (days from today).
type DemoFinding = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
);

const FINDINGS: &[DemoFinding] = &[
    (
        "internal_audit",
        "major_nc",
        "A.8.13",
        "Backups are not restore-tested",
        "8.13 and the backup procedure require a quarterly restore test. No restore test has been performed for the production databases in the last twelve months.",
        "Backup job logs for March to August; backup procedure v2 section 4; interview with the platform lead.",
        75,
        None,
    ),
    (
        "internal_audit",
        "minor_nc",
        "A.5.18",
        "Leavers' access removed late",
        "Access of 3 of 25 sampled leavers was removed between 9 and 21 days after their last day; the access procedure requires removal on the last day.",
        "HR leaver list for Q2 compared with the identity provider's audit log.",
        75,
        None,
    ),
    (
        "internal_audit",
        "minor_nc",
        "7.2",
        "Competence records missing for two new engineers",
        "Two engineers hired in the period have no record of the required secure-development training.",
        "Training matrix, HR files of the two engineers.",
        74,
        None,
    ),
    (
        "internal_audit",
        "observation",
        "A.5.23",
        "Cloud exit plan not yet tested",
        "The cloud services exit plan exists but has never been walked through; it may not work when needed.",
        "Exit plan document DOC-012.",
        74,
        None,
    ),
    (
        "internal_audit",
        "observation",
        "9.1",
        "Some metrics lack a target",
        "Two of the nine security metrics have no target value, so their results cannot be judged.",
        "Metrics register.",
        74,
        None,
    ),
    (
        "internal_audit",
        "ofi",
        "7.3",
        "Short awareness videos for engineers",
        "Engineers said the annual awareness course is long; short topic videos could reach them better.",
        "Interviews with four engineers.",
        73,
        None,
    ),
    // Raised by Meridian at the Stage 2 audit: raised on its last day, with the body's
    // 90-day deadline (both taken from the audit when it is recorded).
    (
        "certification_audit",
        "minor_nc",
        "A.5.18",
        "Access reviews not recorded for the billing system",
        "Stage 2 audit: the access control procedure requires a quarterly review of access rights for every production system; for the billing system no review was recorded in the last two quarters.",
        "Access review records for five systems sampled by the certification body's auditor; billing system user list.",
        285,
        Some(-195),
    ),
    (
        "incident",
        "minor_nc",
        "A.5.26",
        "Incident escalated late to the duty manager",
        "During the phishing incident of the spring the escalation to the duty manager took four hours instead of one.",
        "Incident record and chat log.",
        120,
        None,
    ),
];

/// A demo corrective action: finding index, title, correction, the whys, root cause, the
/// action, due (days ago) and the state it is brought to.
type Plan = (
    usize,
    &'static str,
    &'static str,
    Vec<Why>,
    &'static str,
    &'static str,
    i64,
    &'static str,
);

impl App {
    /// Load Northwind's findings, actions and reviews once. `audit_id` is the internal
    /// audit whose findings these are (linked when given).
    pub(crate) async fn demo_findings(
        &self,
        p: &Principal,
        ctx: &OrgCtx,
        audit_id: Option<Uuid>,
    ) -> AppResult<()> {
        let existing = self
            .list_findings(
                ctx,
                &FindingQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if !existing.items.is_empty() {
            return Ok(());
        }
        let mut c = self.db.read().await?;
        let mut people = std::collections::HashMap::new();
        for e in [MANAGER, CONTRIBUTOR, AUDITOR, CEO] {
            if let Some(u) = users::user_by_email(&mut c, e).await? {
                people.insert(e, u.id);
            }
        }
        drop(c);
        let me = Actor::User(p);
        let today = self.today();
        let day = |ago: i64| format_date(today - Duration::days(ago));
        // The Stage 2 audit whose finding this is, and its last day.
        let stage2 = self
            .certification_cycle(ctx)
            .await?
            .audits
            .into_iter()
            .find(|a| a.kind == "stage2" && a.status == "held")
            .and_then(|a| {
                let end = isms_domain::time::parse_date(a.actual_end.as_deref()?)?;
                Some((a.id, (today - end).whole_days()))
            })
            .filter(|(_, ago)| *ago >= 0);
        let mut ids = Vec::new();
        let mut raised_ago = Vec::new();
        for (source, grade, reference, title, description, evidence, ago, deadline) in FINDINGS {
            let (ago, deadline, cert_audit) = match (*source, stage2) {
                // The body's deadline: 90 days after the audit.
                ("certification_audit", Some((id, ago))) => (ago, Some(90 - ago), Some(id)),
                _ => (*ago, *deadline, None),
            };
            raised_ago.push(ago);
            let f = self
                .create_finding(
                    me,
                    ctx,
                    &NewFinding {
                        source: Some((*source).into()),
                        source_id: if *source == "internal_audit" {
                            audit_id
                        } else {
                            cert_audit
                        },
                        checklist_item_id: None,
                        grade: (*grade).into(),
                        reference: (*reference).into(),
                        title: (*title).into(),
                        description: (*description).into(),
                        evidence: (*evidence).into(),
                        evidence_ids: Vec::new(),
                        raised_on: Some(day(ago)),
                        raised_by: if *source == "internal_audit" {
                            people.get(AUDITOR).copied()
                        } else {
                            people.get(MANAGER).copied()
                        },
                        deadline: deadline.map(|d| day(-d)),
                    },
                )
                .await?;
            ids.push((f.id, f.version));
        }
        let owner = people.get(CONTRIBUTOR).copied();
        let why = |q: &str, a: &str| Why {
            why: q.into(),
            answer: a.into(),
        };
        // (finding index, title, correction, whys, root cause, action, due (days ago), state)
        let plans: [Plan; 6] = [
            (
                0,
                "Quarterly restore tests of the production databases",
                "Restore of the customer database tested on a staging host; it worked.",
                vec![
                    why(
                        "Why were restores not tested?",
                        "Nobody was scheduled to do it.",
                    ),
                    why(
                        "Why was nobody scheduled?",
                        "The task sat in the old runbook, not in the on-call calendar.",
                    ),
                    why(
                        "Why was it not moved?",
                        "The runbook migration had no owner for recurring tasks.",
                    ),
                ],
                "Recurring backup tasks had no owner after the runbook migration.",
                "Put a quarterly restore test into the on-call calendar with the platform lead as owner; record each test as evidence.",
                30,
                "closed",
            ),
            (
                1,
                "Remove leavers' access on their last day",
                "Access of the three leavers removed.",
                vec![why(
                    "Why late?",
                    "HR sends the leaver list weekly, not daily.",
                )],
                "The leaver notice comes weekly.",
                "Trigger account removal from the HR system's leaver event.",
                10,
                "in_progress",
            ),
            (
                2,
                "Secure-development training for new engineers",
                "",
                Vec::new(),
                "",
                "Add the training to the engineering onboarding checklist.",
                -30,
                "planned",
            ),
            (
                6,
                "Quarterly access reviews of the billing system",
                "Access to the billing system reviewed and recorded; two stale accounts removed.",
                vec![
                    why(
                        "Why was no review recorded?",
                        "The billing system was not on the list of systems to review.",
                    ),
                    why(
                        "Why was it not on the list?",
                        "It was bought after the list was written, and buying a system did not update it.",
                    ),
                ],
                "New systems were not added to the access review list when they went live.",
                "Add the billing system to the quarterly access review; make the review list a step of the go-live checklist for new systems.",
                // Due by the body's deadline (the finding's, left blank here).
                i64::MIN,
                "closed",
            ),
            (
                7,
                "Faster escalation to the duty manager",
                "Duty manager contacts pinned in the incident channel.",
                vec![why(
                    "Why late?",
                    "The on-call engineer did not know who was duty manager.",
                )],
                "The duty rota was not visible to engineers.",
                "Publish the duty rota in the paging tool.",
                60,
                "ineffective",
            ),
            (
                7,
                "Escalate automatically from the paging tool",
                "",
                Vec::new(),
                "",
                "Page the duty manager automatically for every severity 1 or 2 incident.",
                -45,
                "planned",
            ),
        ];
        for (i, title, correction, whys, root, description, due, state) in plans {
            let (fid, _) = ids[i];
            let a = self
                .create_corrective_action(
                    me,
                    ctx,
                    &NewCorrectiveAction {
                        finding_id: Some(fid),
                        title: title.into(),
                        correction: correction.into(),
                        correction_on: (!correction.is_empty()).then(|| day(raised_ago[i] - 2)),
                        rca_method: Some(
                            if whys.is_empty() {
                                "other"
                            } else {
                                "five_whys"
                            }
                            .into(),
                        ),
                        five_whys: whys,
                        root_cause: root.into(),
                        description: description.into(),
                        owner_id: owner,
                        due_on: (due != i64::MIN).then(|| day(due)),
                    },
                )
                .await?;
            let step = |status: &str, version: i64| CorrectiveActionPatch {
                status: Some(status.into()),
                version,
                ..Default::default()
            };
            let mut version = a.version;
            if state != "planned" {
                version = self
                    .update_corrective_action(me, ctx, a.id, &step("in_progress", version))
                    .await?
                    .version;
            }
            if matches!(state, "implemented" | "closed" | "ineffective") {
                version = self
                    .update_corrective_action(me, ctx, a.id, &step("implemented", version))
                    .await?
                    .version;
            }
            if matches!(state, "closed" | "ineffective") {
                let result = if state == "closed" {
                    "effective"
                } else {
                    "ineffective"
                };
                version = self
                    .verify_corrective_action(
                        me,
                        ctx,
                        a.id,
                        &Verification {
                            result: result.into(),
                            // The body's finding: verified ten days before its deadline.
                            verified_on: Some(day(if FINDINGS[i].0 == "certification_audit" {
                                (raised_ago[i] - 80).max(0)
                            } else {
                                5
                            })),
                            verified_by: None,
                            note: match (state, FINDINGS[i].0) {
                                ("closed", "certification_audit") => "Two quarterly reviews of the billing system recorded since; Meridian accepted the correction and action before its deadline.".into(),
                                ("closed", _) => "Two quarterly restore tests recorded since; both succeeded.".into(),
                                _ => "A later incident was again escalated late: the rota alone did not help.".into(),
                            },
                            version,
                        },
                    )
                    .await?
                    .version;
            }
            if state == "closed" {
                self.update_corrective_action(me, ctx, a.id, &step("closed", version))
                    .await?;
                let f = self.get_finding(ctx, fid).await?;
                self.update_finding(
                    me,
                    ctx,
                    fid,
                    &FindingPatch {
                        status: Some("closed".into()),
                        closure_note: Some(
                            if FINDINGS[i].0 == "certification_audit" {
                                "Billing system access reviews now recur; accepted by the certification body."
                            } else {
                                "Restore tests now recur and are verified."
                            }
                            .into(),
                        ),
                        version: f.version,
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        // The OFI was taken up; one observation closed with a note.
        let f = self.get_finding(ctx, ids[3].0).await?;
        self.update_finding(
            me,
            ctx,
            f.id,
            &FindingPatch {
                status: Some("closed".into()),
                closure_note: Some(
                    "Exit plan walk-through scheduled with the cloud provider.".into(),
                ),
                version: f.version,
                ..Default::default()
            },
        )
        .await?;

        // Last year's review, held and approved, and the next one planned.
        let r = self
            .create_review(
                me,
                ctx,
                &NewReview {
                    title: Some("Management review, surveillance year 1".into()),
                    planned_on: day(12),
                    chair_id: people.get(CEO).copied(),
                    attendee_ids: [MANAGER, AUDITOR]
                        .iter()
                        .filter_map(|e| people.get(e).copied())
                        .collect(),
                    other_attendees: vec!["Finance director".into()],
                },
            )
            .await?;
        self.add_review_action(
            me,
            ctx,
            r.id,
            &NewReviewAction {
                description: "Budget a managed SIEM service for next year".into(),
                kind: Some("task".into()),
                owner_id: people.get(MANAGER).copied(),
                due_on: Some(day(-90)),
            },
        )
        .await?;
        let r = self
            .add_review_action(
                me,
                ctx,
                r.id,
                &NewReviewAction {
                    description: "Make supplier security reviews part of onboarding".into(),
                    kind: Some("corrective_action".into()),
                    owner_id: owner,
                    due_on: Some(day(-60)),
                },
            )
            .await?;
        let mut notes = BTreeMap::new();
        notes.insert(
            "d1".to_owned(),
            "The major nonconformity on backups is closed; the late-escalation action did not work and has been replaced.".to_owned(),
        );
        notes.insert(
            "f".to_owned(),
            "Risk owners confirmed the treatment plan; ransomware stays the top risk.".to_owned(),
        );
        let r = self
            .update_review(
                me,
                ctx,
                r.id,
                &ReviewPatch {
                    status: Some("held".into()),
                    held_on: Some(day(12)),
                    notes: Some(notes),
                    decisions: Some(
                        "The ISMS remains suitable, adequate and effective. Fund a managed SIEM. Keep the scope unchanged for next year.".into(),
                    ),
                    version: r.version,
                    ..Default::default()
                },
            )
            .await?;
        self.approve_review(me, ctx, r.id, r.version).await?;
        self.create_review(
            me,
            ctx,
            &NewReview {
                title: Some("Management review, surveillance year 2".into()),
                planned_on: day(-170),
                chair_id: people.get(CEO).copied(),
                attendee_ids: Vec::new(),
                other_attendees: Vec::new(),
            },
        )
        .await?;
        Ok(())
    }
}
