//! Management review (ISO 27001 9.3): the inputs 9.3.2 asks top management to consider,
//! compiled from the registers as of the day the review is created and then frozen, so
//! that the record shows what was in front of the reviewers even after the data moves on.
//!
//! [`ReviewInputs`] has one section per input of 9.3.2 (with d) split into its four
//! parts); [`compile_inputs`] builds it from plain rows; the service stores it as JSON.

use crate::ValidationError;
use crate::capa::{ActionStatus, FindingStatus, Grade, Source};
use serde::{Deserialize, Serialize};
use time::Date;

/// One thing listed under an input: `F-003 Access reviews not done (open)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InputItem {
    /// `F-003`, `R-012`, `I-004`, `MR-001`.
    pub reference: String,
    pub title: String,
    /// Its state in words: `open`, `overdue`, `changed`, `new`.
    pub status: String,
}

/// One input of 9.3.2: plain-words summary lines with counts, then the items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InputSection {
    /// `a`, `b`, `c`, `d1`…`d4`, `e`, `f`, `g`.
    pub key: String,
    /// `9.3.2 a)`.
    pub clause: String,
    pub title: String,
    pub summary: Vec<String>,
    pub items: Vec<InputItem>,
}

/// The inputs of a review as compiled on `as_of`: one section per 9.3.2 input. The
/// monitoring and audit sections are filled from those registers where they exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewInputs {
    /// The day the inputs were compiled (YYYY-MM-DD).
    pub as_of: String,
    /// The previous review's date the changes are counted from, if there was one.
    pub since: Option<String>,
    pub previous_actions: InputSection,
    pub issues: InputSection,
    pub interested_parties: InputSection,
    pub nonconformities: InputSection,
    pub monitoring: InputSection,
    pub audits: InputSection,
    pub objectives: InputSection,
    pub feedback: InputSection,
    pub risks: InputSection,
    pub improvement: InputSection,
}

impl ReviewInputs {
    /// The sections in the order of 9.3.2.
    pub fn sections(&self) -> [&InputSection; 10] {
        [
            &self.previous_actions,
            &self.issues,
            &self.interested_parties,
            &self.nonconformities,
            &self.monitoring,
            &self.audits,
            &self.objectives,
            &self.feedback,
            &self.risks,
            &self.improvement,
        ]
    }
}

/// The keys of the sections, in order (discussion notes are kept per key).
pub const SECTION_KEYS: [&str; 10] = ["a", "b", "c", "d1", "d2", "d3", "d4", "e", "f", "g"];

/// Read a section key.
pub fn parse_section_key(field: &str, s: &str) -> Result<&'static str, ValidationError> {
    SECTION_KEYS
        .iter()
        .find(|k| **k == s.trim())
        .copied()
        .ok_or_else(|| {
            ValidationError::single(field, format!("must be one of {}", SECTION_KEYS.join(", ")))
        })
}

/// An action decided at an earlier review, with where it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousAction {
    /// `MR-001`.
    pub review: String,
    pub description: String,
    /// `TASK`/`CA-004` reference of what it became.
    pub reference: String,
    /// Done (task done, corrective action verified or closed).
    pub done: bool,
    pub late: bool,
}

/// An entry of the issues, interested-party or objectives register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// `I-004`, `P-002`, `O-001`.
    pub reference: String,
    pub title: String,
    /// The register's filter value (issue kind, party kind, objective status).
    pub kind: Option<String>,
    pub created_on: Date,
    pub updated_on: Date,
}

/// A finding as the review sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFact {
    pub reference: String,
    pub title: String,
    pub grade: Grade,
    pub source: Source,
    pub status: FindingStatus,
    pub raised_on: Date,
}

/// A corrective action as the review sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFact {
    pub reference: String,
    pub title: String,
    pub status: ActionStatus,
    pub overdue: bool,
}

/// A risk as the review sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskFact {
    pub reference: String,
    pub title: String,
    /// The risk register's status (`treatment_planned`, `accepted`…).
    pub status: String,
    pub created_on: Date,
    pub updated_on: Date,
}

/// Everything the inputs are compiled from.
#[derive(Debug, Clone, Default)]
pub struct ReviewData {
    pub previous_actions: Vec<PreviousAction>,
    pub issues: Vec<RegisterEntry>,
    pub parties: Vec<RegisterEntry>,
    pub objectives: Vec<RegisterEntry>,
    pub findings: Vec<FindingFact>,
    pub actions: Vec<ActionFact>,
    pub risks: Vec<RiskFact>,
    pub measurements: Vec<MeasureFact>,
    pub audits: Vec<AuditResultFact>,
}

/// Where one measured subject (an objective's metric or a control's checks) stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureFact {
    /// `O-002` or `A.5.15`.
    pub reference: String,
    pub title: String,
    /// `on_target`, `off_target` or `no_data`.
    pub status: String,
    /// The latest value or result in words (`92 %`, `pass`), if any.
    pub latest: Option<String>,
    pub latest_on: Option<Date>,
    /// The next measurement is due and not recorded.
    pub overdue: bool,
}

/// An internal audit that has started, with its checklist results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditResultFact {
    /// `AUD-2026-01`.
    pub reference: String,
    pub title: String,
    /// `in_progress` or `completed`.
    pub status: String,
    pub completed_on: Option<Date>,
    pub conforming: usize,
    pub nonconforming: usize,
    pub observations: usize,
    pub improvements: usize,
    pub not_audited: usize,
    pub open: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn section(key: &str, clause: &str, title: &str) -> InputSection {
    InputSection {
        key: key.to_owned(),
        clause: format!("9.3.2 {clause}"),
        title: title.to_owned(),
        summary: Vec::new(),
        items: Vec::new(),
    }
}

fn item(reference: &str, title: &str, status: impl Into<String>) -> InputItem {
    InputItem {
        reference: reference.to_owned(),
        title: title.to_owned(),
        status: status.into(),
    }
}

/// Changes in a register since the previous review (all entries at the first review).
fn changes(
    mut s: InputSection,
    entries: &[RegisterEntry],
    since: Option<Date>,
    what_one: &str,
    what_many: &str,
) -> InputSection {
    match since {
        None => {
            s.summary.push(format!(
                "First management review: {} recorded.",
                plural(entries.len(), what_one, what_many)
            ));
            for e in entries {
                s.items.push(item(&e.reference, &e.title, "recorded"));
            }
        }
        Some(d) => {
            let new: Vec<&RegisterEntry> = entries.iter().filter(|e| e.created_on > d).collect();
            let changed: Vec<&RegisterEntry> = entries
                .iter()
                .filter(|e| e.created_on <= d && e.updated_on > d)
                .collect();
            s.summary.push(format!(
                "Since the last review: {} added, {} changed, {} in total.",
                new.len(),
                changed.len(),
                plural(entries.len(), what_one, what_many)
            ));
            for e in new {
                s.items.push(item(&e.reference, &e.title, "new"));
            }
            for e in changed {
                s.items.push(item(&e.reference, &e.title, "changed"));
            }
        }
    }
    s
}

/// Compile the inputs of a review held on `as_of`, counting changes since the previous
/// review's date `since` (none: the first review).
pub fn compile_inputs(d: &ReviewData, as_of: Date, since: Option<Date>) -> ReviewInputs {
    let fmt = crate::time::format_date;

    let mut a = section(
        "a",
        "a)",
        "Status of actions from previous management reviews",
    );
    if d.previous_actions.is_empty() {
        a.summary
            .push("No actions were decided at earlier reviews.".to_owned());
    } else {
        let done = d.previous_actions.iter().filter(|p| p.done).count();
        let late = d.previous_actions.iter().filter(|p| p.late).count();
        a.summary.push(format!(
            "{} of {} done; {} open, {} of them late.",
            done,
            plural(d.previous_actions.len(), "action", "actions"),
            d.previous_actions.len() - done,
            late
        ));
        for p in &d.previous_actions {
            let st = if p.done {
                "done"
            } else if p.late {
                "late"
            } else {
                "open"
            };
            a.items.push(item(
                &p.reference,
                &format!("{} ({})", p.description, p.review),
                st,
            ));
        }
    }

    let b = changes(
        section(
            "b",
            "b)",
            "Changes in external and internal issues relevant to the ISMS",
        ),
        &d.issues,
        since,
        "issue",
        "issues",
    );
    let c = changes(
        section(
            "c",
            "c)",
            "Changes in needs and expectations of interested parties",
        ),
        &d.parties,
        since,
        "interested party",
        "interested parties",
    );

    let mut d1 = section("d1", "d) 1)", "Nonconformities and corrective actions");
    let ncs: Vec<&FindingFact> = d
        .findings
        .iter()
        .filter(|f| f.grade.is_nonconformity())
        .collect();
    let open_ncs: Vec<&&FindingFact> = ncs
        .iter()
        .filter(|f| f.status != FindingStatus::Closed)
        .collect();
    let majors = open_ncs
        .iter()
        .filter(|f| f.grade == Grade::MajorNc)
        .count();
    d1.summary.push(format!(
        "{}: {} open ({} major, {} minor), {} closed.",
        plural(ncs.len(), "nonconformity", "nonconformities"),
        open_ncs.len(),
        majors,
        open_ncs.len() - majors,
        ncs.len() - open_ncs.len()
    ));
    let count = |s: ActionStatus| d.actions.iter().filter(|a| a.status == s).count();
    let overdue = d.actions.iter().filter(|a| a.overdue).count();
    d1.summary.push(format!(
        "{}: {} planned, {} in progress, {} implemented, {} verified effective, {} verified ineffective, {} closed; {} overdue.",
        plural(d.actions.len(), "corrective action", "corrective actions"),
        count(ActionStatus::Planned),
        count(ActionStatus::InProgress),
        count(ActionStatus::Implemented),
        count(ActionStatus::VerifiedEffective),
        count(ActionStatus::VerifiedIneffective),
        count(ActionStatus::Closed),
        overdue
    ));
    for f in &open_ncs {
        d1.items.push(item(
            &f.reference,
            &f.title,
            format!("{}, {}", f.grade.label(), f.status.label().to_lowercase()),
        ));
    }
    for a in d.actions.iter().filter(|a| a.overdue) {
        d1.items.push(item(&a.reference, &a.title, "overdue"));
    }

    let mut d2 = section("d2", "d) 2)", "Monitoring and measurement results");
    if d.measurements.is_empty() {
        d2.summary.push(
            "Nothing is measured yet: no objective metric or control check has a recorded value."
                .to_owned(),
        );
    } else {
        let n = |st: &str| d.measurements.iter().filter(|m| m.status == st).count();
        let overdue = d.measurements.iter().filter(|m| m.overdue).count();
        d2.summary.push(format!(
            "{} measured: {} on target, {} off target, {} without data; {} overdue for measurement.",
            plural(d.measurements.len(), "subject", "subjects"),
            n("on_target"),
            n("off_target"),
            n("no_data"),
            overdue
        ));
        for m in &d.measurements {
            let mut st = match m.status.as_str() {
                "on_target" => "on target".to_owned(),
                "off_target" => "off target".to_owned(),
                _ => "no data".to_owned(),
            };
            if let (Some(v), Some(on)) = (&m.latest, m.latest_on) {
                st.push_str(&format!(", latest {v} on {}", fmt(on)));
            }
            if m.overdue {
                st.push_str(", overdue");
            }
            d2.items.push(item(&m.reference, &m.title, st));
        }
    }
    let mut d3 = section("d3", "d) 3)", "Audit results");
    let audits: Vec<&AuditResultFact> = d
        .audits
        .iter()
        .filter(|a| since.is_none_or(|s| a.completed_on.is_none_or(|c| c > s)))
        .collect();
    let completed = audits.iter().filter(|a| a.status == "completed").count();
    if audits.is_empty() {
        d3.summary.push(if since.is_some() {
            "No internal audit was held since the last review.".to_owned()
        } else {
            "No internal audit has been held yet.".to_owned()
        });
    } else {
        d3.summary.push(format!(
            "{}{}: {} completed, {} in progress.",
            plural(audits.len(), "internal audit", "internal audits"),
            if since.is_some() {
                " since the last review"
            } else {
                ""
            },
            completed,
            audits.len() - completed
        ));
    }
    for a in &audits {
        d3.items.push(item(
            &a.reference,
            &a.title,
            format!(
                "{}{}: {} conforming, {} nonconforming, {} observations, {} improvement opportunities, {} not audited{}",
                if a.status == "completed" { "completed" } else { "in progress" },
                a.completed_on.map(|d| format!(" {}", fmt(d))).unwrap_or_default(),
                a.conforming,
                a.nonconforming,
                a.observations,
                a.improvements,
                a.not_audited,
                if a.open > 0 { format!(", {} open", a.open) } else { String::new() }
            ),
        ));
    }
    let audit_findings: Vec<&FindingFact> = d
        .findings
        .iter()
        .filter(|f| matches!(f.source, Source::InternalAudit | Source::CertificationAudit))
        .collect();
    if !audit_findings.is_empty() {
        d3.summary.push(format!(
            "{} from internal and certification audits.",
            plural(audit_findings.len(), "finding", "findings")
        ));
        for f in audit_findings {
            d3.items.push(item(
                &f.reference,
                &f.title,
                format!("{}, {}", f.source.label(), f.grade.label()),
            ));
        }
    }
    let mut d4 = section(
        "d4",
        "d) 4)",
        "Fulfilment of information security objectives",
    );
    if d.objectives.is_empty() {
        d4.summary
            .push("No information security objectives are recorded.".to_owned());
    } else {
        let mut by: std::collections::BTreeMap<String, usize> = Default::default();
        for o in &d.objectives {
            *by.entry(o.kind.clone().unwrap_or_else(|| "no status".into()))
                .or_default() += 1;
        }
        let parts: Vec<String> = by
            .iter()
            .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
            .collect();
        d4.summary.push(format!(
            "{}: {}.",
            plural(d.objectives.len(), "objective", "objectives"),
            parts.join(", ")
        ));
        for o in &d.objectives {
            d4.items.push(item(
                &o.reference,
                &o.title,
                o.kind.clone().unwrap_or_default().replace('_', " "),
            ));
        }
    }

    let mut e = section("e", "e)", "Feedback from interested parties");
    let complaints: Vec<&FindingFact> = d
        .findings
        .iter()
        .filter(|f| f.source == Source::Complaint)
        .collect();
    let party_changes = match since {
        None => d.parties.len(),
        Some(s) => d.parties.iter().filter(|p| p.updated_on > s).count(),
    };
    e.summary.push(format!(
        "{} recorded as findings; {} in the interested-party register {}.",
        plural(complaints.len(), "complaint", "complaints"),
        plural(party_changes, "entry", "entries"),
        if since.is_some() {
            "changed since the last review"
        } else {
            "recorded"
        }
    ));
    for f in complaints {
        e.items.push(item(
            &f.reference,
            &f.title,
            f.status.label().to_lowercase(),
        ));
    }

    let mut f = section(
        "f",
        "f)",
        "Results of risk assessment and status of the risk treatment plan",
    );
    let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &d.risks {
        *by.entry(r.status.as_str()).or_default() += 1;
    }
    if d.risks.is_empty() {
        f.summary.push("No risks are recorded.".to_owned());
    } else {
        let parts: Vec<String> = by
            .iter()
            .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
            .collect();
        f.summary.push(format!(
            "{}: {}.",
            plural(d.risks.len(), "risk", "risks"),
            parts.join(", ")
        ));
        let in_treatment = d
            .risks
            .iter()
            .filter(|r| {
                matches!(
                    r.status.as_str(),
                    "treatment_planned" | "treatment_in_progress"
                )
            })
            .count();
        f.summary.push(format!(
            "Risk treatment plan: {} still being treated.",
            plural(in_treatment, "risk", "risks")
        ));
        if let Some(s) = since {
            let new = d.risks.iter().filter(|r| r.created_on > s).count();
            let changed = d
                .risks
                .iter()
                .filter(|r| r.created_on <= s && r.updated_on > s)
                .count();
            f.summary.push(format!(
                "Since the last review: {new} new, {changed} reassessed or changed."
            ));
        }
        for r in d.risks.iter().filter(|r| {
            matches!(
                r.status.as_str(),
                "identified" | "assessed" | "treatment_planned" | "treatment_in_progress"
            )
        }) {
            f.items
                .push(item(&r.reference, &r.title, r.status.replace('_', " ")));
        }
    }

    let mut g = section("g", "g)", "Opportunities for continual improvement");
    let ofis: Vec<&FindingFact> = d
        .findings
        .iter()
        .filter(|f| f.grade == Grade::Ofi)
        .collect();
    let open = ofis
        .iter()
        .filter(|f| f.status != FindingStatus::Closed)
        .count();
    g.summary.push(format!(
        "{} recorded, {} still open.",
        plural(
            ofis.len(),
            "opportunity for improvement",
            "opportunities for improvement"
        ),
        open
    ));
    for o in ofis {
        g.items.push(item(
            &o.reference,
            &o.title,
            o.status.label().to_lowercase(),
        ));
    }

    ReviewInputs {
        as_of: fmt(as_of),
        since: since.map(fmt),
        previous_actions: a,
        issues: b,
        interested_parties: c,
        nonconformities: d1,
        monitoring: d2,
        audits: d3,
        objectives: d4,
        feedback: e,
        risks: f,
        improvement: g,
    }
}

/// How a review is numbered for people: `MR-001`.
pub fn review_ref(number: i64) -> String {
    format!("MR-{number:03}")
}

/// Where a review stands: planned → held → approved (approved is locked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    Planned,
    Held,
    Approved,
}

impl ReviewStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [ReviewStatus; 3] = [
        ReviewStatus::Planned,
        ReviewStatus::Held,
        ReviewStatus::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Planned => "planned",
            ReviewStatus::Held => "held",
            ReviewStatus::Approved => "approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Planned => "Planned",
            ReviewStatus::Held => "Held",
            ReviewStatus::Approved => "Approved",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "planned" => Some(ReviewStatus::Planned),
            "held" => Some(ReviewStatus::Held),
            "approved" => Some(ReviewStatus::Approved),
            _ => None,
        }
    }
}

/// A review is marked held only with the day it was held, not in the future.
pub fn check_held(held_on: Option<Date>, today: Date) -> Result<Date, ValidationError> {
    match held_on {
        None => Err(ValidationError::single(
            "held_on",
            "give the day the review was held",
        )),
        Some(d) if d > today => Err(ValidationError::single(
            "held_on",
            "cannot be in the future: mark the review held on or after the day",
        )),
        Some(d) => Ok(d),
    }
}

/// What an action decided at a review becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A task in the roadmap.
    Task,
    /// A corrective action (10.2).
    CorrectiveAction,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Task => "task",
            ActionKind::CorrectiveAction => "corrective_action",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim() {
            "task" | "" => Ok(ActionKind::Task),
            "corrective_action" => Ok(ActionKind::CorrectiveAction),
            _ => Err(ValidationError::single(
                field,
                "must be task or corrective_action",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn entry(r: &str, created: Date, updated: Date) -> RegisterEntry {
        RegisterEntry {
            reference: r.into(),
            title: format!("entry {r}"),
            kind: Some("on_track".into()),
            created_on: created,
            updated_on: updated,
        }
    }

    fn data() -> ReviewData {
        ReviewData {
            previous_actions: vec![
                PreviousAction {
                    review: "MR-001".into(),
                    description: "Fund the SIEM".into(),
                    reference: "CA-002".into(),
                    done: true,
                    late: false,
                },
                PreviousAction {
                    review: "MR-001".into(),
                    description: "Hire a deputy".into(),
                    reference: "task".into(),
                    done: false,
                    late: true,
                },
            ],
            issues: vec![
                entry("I-001", date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
                entry("I-002", date!(2026 - 03 - 01), date!(2026 - 03 - 01)),
                entry("I-003", date!(2025 - 01 - 01), date!(2026 - 04 - 01)),
            ],
            parties: vec![entry("P-001", date!(2025 - 01 - 01), date!(2025 - 01 - 01))],
            objectives: vec![entry("O-001", date!(2025 - 01 - 01), date!(2025 - 01 - 01))],
            findings: vec![
                FindingFact {
                    reference: "F-001".into(),
                    title: "No access review".into(),
                    grade: Grade::MajorNc,
                    source: Source::InternalAudit,
                    status: FindingStatus::Open,
                    raised_on: date!(2026 - 02 - 01),
                },
                FindingFact {
                    reference: "F-002".into(),
                    title: "Better onboarding".into(),
                    grade: Grade::Ofi,
                    source: Source::Complaint,
                    status: FindingStatus::Open,
                    raised_on: date!(2026 - 02 - 01),
                },
            ],
            actions: vec![ActionFact {
                reference: "CA-001".into(),
                title: "Quarterly access reviews".into(),
                status: ActionStatus::InProgress,
                overdue: true,
            }],
            risks: vec![RiskFact {
                reference: "R-001".into(),
                title: "Ransomware".into(),
                status: "treatment_in_progress".into(),
                created_on: date!(2025 - 01 - 01),
                updated_on: date!(2026 - 05 - 01),
            }],
            measurements: vec![
                MeasureFact {
                    reference: "O-001".into(),
                    title: "Staff trained".into(),
                    status: "on_target".into(),
                    latest: Some("96 %".into()),
                    latest_on: Some(date!(2026 - 05 - 31)),
                    overdue: false,
                },
                MeasureFact {
                    reference: "A.8.13".into(),
                    title: "Backup restore tests".into(),
                    status: "off_target".into(),
                    latest: Some("fail".into()),
                    latest_on: Some(date!(2026 - 03 - 31)),
                    overdue: true,
                },
            ],
            audits: vec![
                AuditResultFact {
                    reference: "AUD-2025-02".into(),
                    title: "Second half 2025".into(),
                    status: "completed".into(),
                    completed_on: Some(date!(2025 - 11 - 20)),
                    conforming: 30,
                    ..Default::default()
                },
                AuditResultFact {
                    reference: "AUD-2026-01".into(),
                    title: "Whole ISMS".into(),
                    status: "completed".into(),
                    completed_on: Some(date!(2026 - 03 - 12)),
                    conforming: 110,
                    nonconforming: 3,
                    observations: 2,
                    improvements: 2,
                    not_audited: 1,
                    open: 0,
                },
            ],
        }
    }

    #[test]
    fn monitoring_and_audit_results_are_compiled() {
        let i = compile_inputs(&data(), date!(2026 - 06 - 01), Some(date!(2026 - 01 - 01)));
        assert_eq!(
            i.monitoring.summary,
            [
                "2 subjects measured: 1 on target, 1 off target, 0 without data; 1 overdue for measurement."
            ]
        );
        assert_eq!(
            i.monitoring.items[1].status,
            "off target, latest fail on 2026-03-31, overdue"
        );
        assert_eq!(
            i.audits.summary[0],
            "1 internal audit since the last review: 1 completed, 0 in progress."
        );
        assert_eq!(i.audits.items[0].reference, "AUD-2026-01");
        assert_eq!(
            i.audits.items[0].status,
            "completed 2026-03-12: 110 conforming, 3 nonconforming, 2 observations, 2 improvement opportunities, 1 not audited"
        );
        // The first review counts every audit.
        let first = compile_inputs(&data(), date!(2026 - 06 - 01), None);
        assert!(first.audits.summary[0].starts_with("2 internal audits: 2 completed"));
        let empty = compile_inputs(&ReviewData::default(), date!(2026 - 06 - 01), None);
        assert!(empty.monitoring.summary[0].starts_with("Nothing is measured yet"));
        assert_eq!(
            empty.audits.summary,
            ["No internal audit has been held yet."]
        );
    }

    #[test]
    fn every_input_has_a_section_in_order() {
        let i = compile_inputs(&data(), date!(2026 - 06 - 01), Some(date!(2026 - 01 - 01)));
        let keys: Vec<&str> = i.sections().iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, SECTION_KEYS.to_vec());
        for s in i.sections() {
            assert!(!s.summary.is_empty(), "{}", s.key);
            assert!(s.clause.starts_with("9.3.2"));
        }
        assert_eq!(i.as_of, "2026-06-01");
        assert_eq!(i.since.as_deref(), Some("2026-01-01"));
    }

    #[test]
    fn sections_count_what_they_list() {
        let i = compile_inputs(&data(), date!(2026 - 06 - 01), Some(date!(2026 - 01 - 01)));
        assert_eq!(
            i.previous_actions.summary[0],
            "1 of 2 actions done; 1 open, 1 of them late."
        );
        assert_eq!(
            i.issues.summary[0],
            "Since the last review: 1 added, 1 changed, 3 issues in total."
        );
        let refs: Vec<&str> = i
            .issues
            .items
            .iter()
            .map(|x| x.reference.as_str())
            .collect();
        assert_eq!(refs, vec!["I-002", "I-003"]);
        assert!(i.nonconformities.summary[0].contains("1 open (1 major, 0 minor)"));
        assert!(i.nonconformities.summary[1].contains("1 overdue"));
        assert_eq!(i.nonconformities.items.len(), 2);
        // The audits since the last review, then the findings audits raised.
        assert_eq!(i.audits.items[1].reference, "F-001");
        assert_eq!(i.feedback.items[0].reference, "F-002");
        assert_eq!(i.improvement.items[0].reference, "F-002");
        assert!(i.risks.summary[1].contains("1 risk still being treated"));
        assert!(i.monitoring.summary[0].contains("2 subjects measured"));
    }

    #[test]
    fn first_review_lists_everything_recorded() {
        let i = compile_inputs(&ReviewData::default(), date!(2026 - 06 - 01), None);
        assert_eq!(
            i.issues.summary[0],
            "First management review: 0 issues recorded."
        );
        assert_eq!(
            i.previous_actions.summary[0],
            "No actions were decided at earlier reviews."
        );
        assert_eq!(i.risks.summary[0], "No risks are recorded.");
        let json = serde_json::to_string(&i).unwrap();
        let back: ReviewInputs = serde_json::from_str(&json).unwrap();
        assert_eq!(back, i);
    }

    #[test]
    fn held_needs_a_past_date() {
        let today = date!(2026 - 06 - 01);
        assert_eq!(check_held(Some(today), today).unwrap(), today);
        assert_eq!(
            check_held(None, today).unwrap_err().errors[0].field,
            "held_on"
        );
        assert!(check_held(Some(date!(2026 - 06 - 02)), today).is_err());
        assert_eq!(parse_section_key("section", "d1").unwrap(), "d1");
        assert!(parse_section_key("section", "h").is_err());
        assert!(ActionKind::parse("kind", "meeting").is_err());
    }
}
