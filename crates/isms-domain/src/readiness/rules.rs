//! The rules. Each is a plain function of the facts; the table at the bottom says which
//! profiles use it, what it rests on and how much it matters.

use super::facts::{DocState, Facts, Item};
use super::{Link, Outcome, Profile, RuleResult, Severity};
use time::Duration;

/// What a check found, before the rule's severity is applied.
pub enum Verdict {
    Pass(String),
    /// The rule is broken: a fail for a blocker rule, a warning for a warning rule.
    Problem {
        reason: String,
        fix: String,
        links: Vec<Link>,
    },
    /// Not broken, but worth fixing: always a warning.
    Concern {
        reason: String,
        fix: String,
        links: Vec<Link>,
    },
    NotApplicable(String),
}

fn pass(reason: impl Into<String>) -> Verdict {
    Verdict::Pass(reason.into())
}

fn problem(reason: impl Into<String>, fix: impl Into<String>, links: Vec<Link>) -> Verdict {
    Verdict::Problem {
        reason: reason.into(),
        fix: fix.into(),
        links,
    }
}

fn concern(reason: impl Into<String>, fix: impl Into<String>, links: Vec<Link>) -> Verdict {
    Verdict::Concern {
        reason: reason.into(),
        fix: fix.into(),
        links,
    }
}

fn page(label: &str, path: &str) -> Vec<Link> {
    vec![Link::new(label, path)]
}

/// The first few labels of a list, for a reason line.
fn names(items: &[Item]) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<String> = items.iter().take(SHOWN).map(|i| i.label.clone()).collect();
    let more = items.len().saturating_sub(SHOWN);
    if more > 0 {
        s.push(format!("and {more} more"));
    }
    s.join(", ")
}

fn links(items: &[Item]) -> Vec<Link> {
    items.iter().take(20).cloned().collect()
}

/// One rule of the engine.
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub clause: &'static str,
    pub severity: Severity,
    pub profiles: &'static [Profile],
    pub check: fn(&Facts) -> Verdict,
}

impl Rule {
    pub fn run(&self, f: &Facts) -> RuleResult {
        let (outcome, reason, fix, links) = match (self.check)(f) {
            Verdict::Pass(r) => (Outcome::Pass, r, String::new(), Vec::new()),
            Verdict::NotApplicable(r) => (Outcome::NotApplicable, r, String::new(), Vec::new()),
            Verdict::Problem { reason, fix, links } => (
                if self.severity == Severity::Blocker {
                    Outcome::Fail
                } else {
                    Outcome::Warning
                },
                reason,
                fix,
                links,
            ),
            Verdict::Concern { reason, fix, links } => (Outcome::Warning, reason, fix, links),
        };
        RuleResult {
            id: self.id,
            title: self.title,
            clause: self.clause,
            severity: self.severity,
            outcome,
            reason,
            fix,
            links,
        }
    }
}

// ---------------------------------------------------------------- stage 1: the ISMS is designed

fn scope(f: &Facts) -> Verdict {
    let s = &f.scope;
    if !s.approved {
        return problem(
            if s.draft_open {
                "The scope statement is still a draft."
            } else {
                "There is no scope statement."
            },
            "Write the scope with its units, locations, systems, interfaces and justified exclusions, and have it approved.",
            page("ISMS scope", "isms/scope"),
        );
    }
    let mut missing = Vec::new();
    if s.statement_words < f.settings.min_scope_words {
        missing.push(format!(
            "the statement has {} words, too few to say what is in and out",
            s.statement_words
        ));
    }
    if s.units + s.locations + s.systems == 0 {
        missing.push("no units, locations or systems are named as boundaries".into());
    }
    if s.interfaces == 0 {
        missing.push("no interfaces or dependencies with outside parties are listed".into());
    }
    if !s.unjustified_exclusions.is_empty() {
        missing.push(format!(
            "exclusions without a justification: {}",
            s.unjustified_exclusions.join(", ")
        ));
    }
    if missing.is_empty() {
        pass(
            "The approved scope names its boundaries and interfaces, and every exclusion is justified.",
        )
    } else {
        problem(
            format!("The scope is vague: {}.", missing.join("; ")),
            "Revise the scope: name the units, locations and systems inside it, the interfaces with suppliers and other parties, and why anything is left out.",
            page("ISMS scope", "isms/scope"),
        )
    }
}

fn policy(f: &Facts) -> Verdict {
    let p = &f.policy;
    if !p.approval.approved {
        return problem(
            if p.approval.draft_open {
                "The information security policy is still a draft."
            } else {
                "There is no information security policy."
            },
            "Write the policy with both commitments and have top management approve it.",
            page("Policy", "isms/policy"),
        );
    }
    if !(p.commits_to_requirements && p.commits_to_improvement) {
        return problem(
            "The approved policy lacks a commitment 5.2 asks for (to meet requirements, or to improve continually).",
            "Add both commitments to the policy and approve the new version.",
            page("Policy", "isms/policy"),
        );
    }
    if let Some(d) = p.approval.review_due.filter(|d| *d < f.today) {
        return problem(
            format!("The policy was due for review on {d} and has not been reviewed."),
            "Review the policy, record the outcome and approve it again.",
            page("Policy", "isms/policy"),
        );
    }
    pass("The policy is approved, current and carries both commitments.")
}

fn risk_method(f: &Facts) -> Verdict {
    let m = &f.method;
    if !m.approval.approved {
        return problem(
            "No risk assessment method is approved.",
            "Define the likelihood and impact scales and the acceptance criteria, and approve the method.",
            page("Risk method", "risk-method"),
        );
    }
    if !m.has_acceptance_criteria || !m.has_defined_scales {
        return problem(
            "The risk method is weak: it needs described scales for likelihood and impact and a level above which risks must be treated.",
            "Describe at least three levels for each scale and set the acceptance criteria, then approve the method again.",
            page("Risk method", "risk-method"),
        );
    }
    pass("An approved method defines the scales and acceptance criteria.")
}

fn risk_assessment(f: &Facts) -> Verdict {
    let r = &f.risks;
    if r.total == 0 {
        return problem(
            "No risks are recorded, so no risk assessment has been performed.",
            "Assess the risks to the in-scope assets with the approved method.",
            page("Risks", "risks"),
        );
    }
    if r.unassessed_count > 0 {
        return concern(
            format!(
                "{} of {} in-scope assets are named by no risk: {}.",
                r.unassessed_count,
                r.assets_in_scope,
                names(&r.unassessed_assets)
            ),
            "Assess the risks to these assets, or record why they carry none.",
            links(&r.unassessed_assets),
        );
    }
    pass(format!(
        "{} risks are assessed over the in-scope assets.",
        r.total
    ))
}

fn treatment_plan(f: &Facts) -> Verdict {
    let r = &f.risks;
    if r.total == 0 {
        return problem(
            "There is no risk treatment plan because no risks are recorded.",
            "Assess the risks first, then decide a treatment for each one above the acceptance criteria.",
            page("Risks", "risks"),
        );
    }
    if !r.untreated.is_empty() {
        return problem(
            format!(
                "{} risks above the acceptance criteria have no treatment: {}.",
                r.untreated.len(),
                names(&r.untreated)
            ),
            "Choose a treatment (modify with controls, avoid, share or accept) with an owner and a due date for each.",
            links(&r.untreated),
        );
    }
    pass("Every risk above the acceptance criteria has a treatment.")
}

fn soa(f: &Facts) -> Verdict {
    let s = &f.soa;
    match s.approved_version {
        None => problem(
            if s.draft_open {
                "The Statement of Applicability is still a draft."
            } else {
                "There is no Statement of Applicability."
            },
            "Decide every Annex A control with its reason or exclusion justification and approve the SoA.",
            page("SoA", "soa"),
        ),
        Some(_) if s.undecided > 0 || s.unjustified > 0 => problem(
            format!(
                "The approved SoA is incomplete: {} controls undecided, {} without a reason or justification.",
                s.undecided, s.unjustified
            ),
            "Complete the open decisions in a new version and approve it.",
            page("SoA", "soa"),
        ),
        Some(v) => pass(format!("SoA version {v} is approved and complete.")),
    }
}

fn objectives(f: &Facts) -> Verdict {
    let o = &f.objectives;
    if o.live == 0 {
        return problem(
            "No information security objectives are set.",
            "Set measurable objectives with an owner, a target, a metric and a due date.",
            page("Objectives", "isms/objectives"),
        );
    }
    if !o.incomplete.is_empty() {
        return concern(
            format!(
                "Objectives without a metric, target or owner: {}.",
                names(&o.incomplete)
            ),
            "Give each objective what 6.2 asks: how it is measured, the target, who owns it and by when.",
            links(&o.incomplete),
        );
    }
    pass(format!("{} objectives have metrics and targets.", o.live))
}

fn roles(f: &Facts) -> Verdict {
    let r = &f.roles;
    if !r.conformity_role_held || !r.reporting_role_held {
        return problem(
            "No one holds the responsibility to keep the ISMS conforming, or to report its performance to top management (5.3 a and b).",
            "Assign both duties to named people in the roles register.",
            page("Roles", "isms/roles"),
        );
    }
    if !r.vacant.is_empty() {
        return concern(
            format!("Roles nobody holds: {}.", names(&r.vacant)),
            "Name a holder for each role, or remove the roles you do not use.",
            links(&r.vacant),
        );
    }
    pass("The 5.3 responsibilities are assigned.")
}

fn mandatory_documents(f: &Facts) -> Verdict {
    if f.mandatory_docs.is_empty() {
        return problem(
            "None of the documented information clauses 4–10 require is recorded.",
            "Create and approve the mandatory documents and records (the Documents page lists them).",
            page("Documents", "documents"),
        );
    }
    let bad: Vec<Link> = f
        .mandatory_docs
        .iter()
        .filter(|d| d.state != DocState::Approved)
        .map(|d| {
            let what = match d.state {
                DocState::Missing => "missing",
                DocState::Draft => "not approved",
                DocState::ReviewOverdue => "review overdue",
                DocState::Approved => "approved",
            };
            Link::new(
                format!("{} ({}): {what}", d.title, d.clause),
                d.path.clone(),
            )
        })
        .collect();
    let only_overdue = f
        .mandatory_docs
        .iter()
        .all(|d| matches!(d.state, DocState::Approved | DocState::ReviewOverdue));
    if bad.is_empty() {
        pass(format!(
            "All {} mandatory documents and records are present, approved and current.",
            f.mandatory_docs.len()
        ))
    } else if only_overdue {
        // Everything exists and was approved once; a late review is what an auditor
        // notes (often a minor nonconformity), not a reason to stop the audit.
        concern(
            format!(
                "Every mandatory document is present and approved, but reviews are overdue: {}.",
                names(&bad)
            ),
            "Review each one listed and record the outcome.",
            bad,
        )
    } else {
        problem(
            format!(
                "{} of {} mandatory documents or records are not in order: {}.",
                bad.len(),
                f.mandatory_docs.len(),
                names(&bad)
            ),
            "Write, approve or review each one listed.",
            bad,
        )
    }
}

fn internal_audit(f: &Facts) -> Verdict {
    let Some((audit, done)) = f.last_full_audit() else {
        return problem(
            if f.last_audit().is_some() {
                "No completed internal audit has covered the whole ISMS (every clause and applicable control)."
            } else {
                "No internal audit has been completed."
            },
            "Complete an internal audit whose scope covers clauses 4–10 and every applicable control before Stage 1.",
            page("Internal audit", "audits"),
        );
    };
    // The lead time matters for the audit held before Stage 1; one completed after it
    // (a later year's audit) is not "too late".
    if let Some(stage1) = f.certification.stage1_planned_on.filter(|s| done <= *s) {
        let lead = Duration::weeks(i64::from(f.settings.audit_lead_weeks));
        if done + lead > stage1 {
            return concern(
                format!(
                    "The internal audit was completed on {done}, less than {} weeks before the Stage 1 audit on {stage1}: too late to act on its findings and review them.",
                    f.settings.audit_lead_weeks
                ),
                "Hold the internal audit earlier, or move Stage 1, so findings can be corrected and reviewed by management first.",
                vec![audit.item.clone()],
            );
        }
    }
    pass(format!(
        "{} covered the whole ISMS and was completed on {done}.",
        audit.item.label
    ))
}

fn management_review(f: &Facts) -> Verdict {
    let audit_done = f.last_audit().map(|(_, d)| d);
    let after = f
        .reviews
        .iter()
        .filter_map(|r| r.held_on.map(|d| (r, d)))
        .filter(|(_, d)| audit_done.is_some_and(|a| *d >= a))
        .max_by_key(|(_, d)| *d);
    match (after, f.last_review()) {
        (Some((r, d)), _) => pass(format!(
            "{} was held on {d}, after the internal audit.",
            r.item.label
        )),
        (None, Some((r, d))) => problem(
            format!(
                "The last management review ({d}) was held before the internal audit, so it could not consider the audit results."
            ),
            "Hold a management review after the internal audit, with its results as an input.",
            vec![r.item.clone()],
        ),
        (None, None) => problem(
            "No management review has been held.",
            "Hold a management review with top management, covering every 9.3.2 input.",
            page("Management review", "management-reviews"),
        ),
    }
}

fn executive_ownership(f: &Facts) -> Verdict {
    let mut missing = Vec::new();
    if !f.roles.top_management_named {
        missing.push("no one is recorded as top management");
    }
    if !f.policy.approval.approved_by_top_management {
        missing.push("the policy was not approved by top management");
    }
    if !f
        .reviews
        .iter()
        .any(|r| r.held_on.is_some() && r.top_management_attended)
    {
        missing.push("top management attended no management review");
    }
    if missing.is_empty() {
        pass("Top management approved the policy and attended the management review.")
    } else {
        problem(
            format!("No sign of executive ownership: {}.", missing.join("; ")),
            "Have top management approve the policy and chair the management review; record them in the roles register.",
            page("Roles", "isms/roles"),
        )
    }
}

// ---------------------------------------------------------------- stage 2: the ISMS operates

fn control_evidence(f: &Facts) -> Verdict {
    let c = &f.controls;
    if c.implemented == 0 {
        return problem(
            "No control is recorded as implemented.",
            "Record the implementation of the controls the SoA includes.",
            page("Controls", "controls"),
        );
    }
    if c.without_evidence.is_empty() {
        pass(format!(
            "All {} implemented controls have current evidence.",
            c.implemented
        ))
    } else {
        problem(
            format!(
                "{} implemented controls have no current evidence: {}.",
                c.without_evidence.len(),
                names(&c.without_evidence)
            ),
            "Upload or link evidence that each control operates, with a valid-until date.",
            links(&c.without_evidence),
        )
    }
}

fn control_monitoring(f: &Facts) -> Verdict {
    let c = &f.controls;
    if c.implemented == 0 {
        return Verdict::NotApplicable("No control is implemented yet.".into());
    }
    if c.unmonitored.is_empty() {
        pass("Every implemented control was checked within its frequency.")
    } else {
        problem(
            format!(
                "Controls implemented but not monitored: {}.",
                names(&c.unmonitored)
            ),
            "Record a check for each, and set how often it is checked.",
            links(&c.unmonitored),
        )
    }
}

fn measurements(f: &Facts) -> Verdict {
    let o = &f.objectives;
    if o.live == 0 {
        return problem(
            "There are no objectives to measure.",
            "Set objectives and record their measurements.",
            page("Objectives", "isms/objectives"),
        );
    }
    if o.under_measured.is_empty() {
        pass(format!(
            "Every objective has at least {} measurements.",
            f.settings.min_measurement_periods
        ))
    } else {
        problem(
            format!(
                "Objectives measured fewer than {} times: {}.",
                f.settings.min_measurement_periods,
                names(&o.under_measured)
            ),
            "Record the measurements at the frequency each objective sets; the auditor wants a trend, not one value.",
            links(&o.under_measured),
        )
    }
}

fn risk_acceptance(f: &Facts) -> Verdict {
    if f.risks.total == 0 {
        return Verdict::NotApplicable("No risks are recorded.".into());
    }
    if f.risks.unaccepted.is_empty() {
        pass("Risk owners accepted every residual risk that needs it.")
    } else {
        problem(
            format!(
                "Residual risks not accepted by their owners: {}.",
                names(&f.risks.unaccepted)
            ),
            "Have each risk owner accept the residual risk (or treat it further).",
            links(&f.risks.unaccepted),
        )
    }
}

fn nc_actions(f: &Facts) -> Verdict {
    let x = &f.findings.nc_without_action;
    if x.is_empty() {
        pass("Every open nonconformity has a corrective action.")
    } else {
        problem(
            format!("Nonconformities with no corrective action: {}.", names(x)),
            "Record the correction, the root cause and a corrective action with an owner and a due date.",
            links(x),
        )
    }
}

fn majors_closed(f: &Facts) -> Verdict {
    let x = &f.findings.majors_open;
    if x.is_empty() {
        pass("No major nonconformity is open.")
    } else {
        problem(
            format!(
                "Major nonconformities not closed with a verified-effective action: {}.",
                names(x)
            ),
            "Implement the corrective action, verify its effectiveness, then close the finding.",
            links(x),
        )
    }
}

fn actions_on_time(f: &Facts) -> Verdict {
    let x = &f.findings.actions_overdue;
    if x.is_empty() {
        pass("No corrective action is overdue.")
    } else {
        problem(
            format!("Corrective actions past their due date: {}.", names(x)),
            "Finish them or agree and record a new date with a reason.",
            links(x),
        )
    }
}

fn incidents(f: &Facts) -> Verdict {
    let o = &f.operations;
    if o.incidents_closed == 0 && o.incidents_without_lessons.is_empty() {
        return Verdict::NotApplicable("No incidents have been closed.".into());
    }
    if o.incidents_without_lessons.is_empty() {
        pass("Closed incidents record their lessons learned.")
    } else {
        problem(
            format!(
                "Incidents closed without lessons learned: {}.",
                names(&o.incidents_without_lessons)
            ),
            "Record the root cause and what was learned (A.5.27).",
            links(&o.incidents_without_lessons),
        )
    }
}

fn competence(f: &Facts) -> Verdict {
    let o = &f.operations;
    if o.training_records == 0 {
        return problem(
            "No training or competence records exist.",
            "Record the training and qualifications of the people whose work affects information security.",
            page("Competence", "competence"),
        );
    }
    if o.competence_gaps.is_empty() {
        pass("Everyone has the competences their role requires.")
    } else {
        concern(
            format!(
                "People missing a required competence: {}.",
                names(&o.competence_gaps)
            ),
            "Plan and record the training, or note the experience that covers it.",
            links(&o.competence_gaps),
        )
    }
}

fn awareness(f: &Facts) -> Verdict {
    if f.operations.awareness_campaigns_last_12_months > 0 {
        pass("An awareness campaign ran in the last 12 months.")
    } else {
        problem(
            "No awareness campaign ran in the last 12 months.",
            "Run an awareness campaign and record who took part.",
            page("Competence", "competence"),
        )
    }
}

fn suppliers(f: &Facts) -> Verdict {
    let o = &f.operations;
    if o.critical_suppliers == 0 {
        return Verdict::NotApplicable("No critical supplier is recorded.".into());
    }
    if o.suppliers_unassessed.is_empty() {
        pass("Every critical supplier has a current security assessment.")
    } else {
        problem(
            format!(
                "Critical suppliers never assessed or overdue: {}.",
                names(&o.suppliers_unassessed)
            ),
            "Assess each one's security and record the result and the next date.",
            links(&o.suppliers_unassessed),
        )
    }
}

fn stage1_findings(f: &Facts) -> Verdict {
    if f.certification.stage1_held_on.is_none() {
        return Verdict::NotApplicable("No Stage 1 audit has been held.".into());
    }
    let x = &f.findings.stage1_open;
    if x.is_empty() {
        pass("The Stage 1 findings are addressed.")
    } else {
        problem(
            format!("Stage 1 findings not yet addressed: {}.", names(x)),
            "Act on each area of concern before Stage 2; they can become nonconformities.",
            links(x),
        )
    }
}

// ---------------------------------------------------------------- surveillance: it keeps going

fn within_12_months(f: &Facts, d: time::Date) -> bool {
    crate::time::add_months(d, 12) >= f.today
}

fn audit_last_12_months(f: &Facts) -> Verdict {
    match f.last_audit() {
        Some((a, d)) if within_12_months(f, d) => {
            pass(format!("{} was completed on {d}.", a.item.label))
        }
        Some((a, d)) => problem(
            format!("The last internal audit ({d}) is more than 12 months old."),
            "Hold the internal audits the programme plans for this year.",
            vec![a.item.clone()],
        ),
        None => problem(
            "No internal audit has been completed.",
            "Hold the internal audits the programme plans.",
            page("Internal audit", "audits"),
        ),
    }
}

fn review_last_12_months(f: &Facts) -> Verdict {
    match f.last_review() {
        Some((r, d)) if within_12_months(f, d) => {
            pass(format!("{} was held on {d}.", r.item.label))
        }
        Some((r, d)) => problem(
            format!("The last management review ({d}) is more than 12 months old."),
            "Hold this year's management review.",
            vec![r.item.clone()],
        ),
        None => problem(
            "No management review has been held.",
            "Hold a management review.",
            page("Management review", "management-reviews"),
        ),
    }
}

fn last_audit_actions(f: &Facts) -> Verdict {
    if f.certification.last_audit_on.is_none() {
        return Verdict::NotApplicable("No certification audit has been held.".into());
    }
    let x = &f.findings.last_audit_open;
    if x.is_empty() {
        pass("The actions on the last certification audit's findings are closed or on time.")
    } else {
        problem(
            format!(
                "Findings of the last certification audit with late or missing actions: {}.",
                names(x)
            ),
            "Close these actions, or record the agreed new date; the auditor starts here.",
            links(x),
        )
    }
}

fn changes_reflected(f: &Facts) -> Verdict {
    let Some(last) = f.certification.last_audit_on else {
        return Verdict::NotApplicable("No certification audit has been held.".into());
    };
    let mut stale = Vec::new();
    if f.certification.risks_reviewed_on.is_none_or(|d| d < last) {
        stale.push(Link::new("Risk assessment", "risks"));
    }
    if f.certification.soa_reviewed_on.is_none_or(|d| d < last) {
        stale.push(Link::new("Statement of Applicability", "soa"));
    }
    if stale.is_empty() {
        pass(format!(
            "The risk assessment and the SoA were reviewed after the last audit ({last})."
        ))
    } else {
        problem(
            format!(
                "Not reviewed since the last certification audit ({last}): {}.",
                names(&stale)
            ),
            "Review the risks and the SoA for changes since the last audit and record the review.",
            stale,
        )
    }
}

fn continual_improvement(f: &Facts) -> Verdict {
    if f.findings.improvements_last_12_months > 0 {
        pass(format!(
            "{} improvements were completed in the last 12 months.",
            f.findings.improvements_last_12_months
        ))
    } else {
        problem(
            "No corrective action was verified effective and no improvement was completed in the last 12 months.",
            "Show improvement: close corrective actions with an effectiveness check, and act on opportunities for improvement.",
            page("Findings", "findings"),
        )
    }
}

use Profile::{Stage1 as S1, Stage2 as S2, Surveillance as SV};
use Severity::{Blocker as B, Warning as W};

const ALL3: &[Profile] = &[S1, S2, SV];
const DESIGN: &[Profile] = &[S1, S2];
const OPERATE: &[Profile] = &[S2, SV];
const ONLY_S2: &[Profile] = &[S2];
const ONLY_SV: &[Profile] = &[SV];

macro_rules! rule {
    ($id:literal, $title:literal, $clause:literal, $sev:expr, $profiles:expr, $check:expr) => {
        Rule {
            id: $id,
            title: $title,
            clause: $clause,
            severity: $sev,
            profiles: $profiles,
            check: $check,
        }
    };
}

/// Every rule, in the order a report lists them within one outcome.
pub static RULES: &[Rule] = &[
    rule!("scope-defined", "Scope defined", "4.3", B, DESIGN, scope),
    rule!(
        "policy-approved",
        "Policy approved and current",
        "5.2",
        B,
        ALL3,
        policy
    ),
    rule!(
        "risk-method-approved",
        "Risk method approved",
        "6.1.2",
        B,
        DESIGN,
        risk_method
    ),
    rule!(
        "risk-assessment-performed",
        "Risk assessment performed",
        "6.1.2, 8.2",
        B,
        DESIGN,
        risk_assessment
    ),
    rule!(
        "risk-treatment-plan",
        "Risk treatment plan",
        "6.1.3, 8.3",
        B,
        DESIGN,
        treatment_plan
    ),
    rule!(
        "soa-approved",
        "SoA complete and approved",
        "6.1.3 d",
        B,
        ALL3,
        soa
    ),
    rule!(
        "objectives-set",
        "Objectives with metrics",
        "6.2",
        B,
        DESIGN,
        objectives
    ),
    rule!("roles-assigned", "Roles assigned", "5.3", B, DESIGN, roles),
    rule!(
        "mandatory-documents",
        "Mandatory documented information",
        "7.5",
        B,
        ALL3,
        mandatory_documents
    ),
    rule!(
        "internal-audit-complete",
        "Internal audit of the whole ISMS",
        "9.2",
        B,
        DESIGN,
        internal_audit
    ),
    rule!(
        "management-review-held",
        "Management review after the audit",
        "9.3",
        B,
        DESIGN,
        management_review
    ),
    rule!(
        "executive-ownership",
        "Executive ownership",
        "5.1",
        B,
        DESIGN,
        executive_ownership
    ),
    rule!(
        "controls-evidenced",
        "Implemented controls have evidence",
        "Annex A, 7.5",
        B,
        OPERATE,
        control_evidence
    ),
    rule!(
        "controls-monitored",
        "Controls monitored",
        "9.1",
        B,
        OPERATE,
        control_monitoring
    ),
    rule!(
        "measurements-recorded",
        "Measurements over several periods",
        "9.1",
        B,
        ONLY_S2,
        measurements
    ),
    rule!(
        "risks-accepted",
        "Residual risks accepted by owners",
        "6.1.3 f",
        B,
        ONLY_S2,
        risk_acceptance
    ),
    rule!(
        "nonconformities-actioned",
        "Nonconformities have corrective actions",
        "10.2",
        B,
        OPERATE,
        nc_actions
    ),
    rule!(
        "majors-closed",
        "Major nonconformities closed and verified",
        "10.2",
        B,
        OPERATE,
        majors_closed
    ),
    rule!(
        "actions-on-time",
        "Corrective actions on time",
        "10.2",
        W,
        OPERATE,
        actions_on_time
    ),
    rule!(
        "incidents-lessons",
        "Incidents handled with lessons learned",
        "A.5.26, A.5.27",
        B,
        ONLY_S2,
        incidents
    ),
    rule!(
        "competence-records",
        "Training and competence records",
        "7.2",
        B,
        ONLY_S2,
        competence
    ),
    rule!(
        "awareness",
        "Awareness programme",
        "7.3",
        W,
        ONLY_S2,
        awareness
    ),
    rule!(
        "suppliers-assessed",
        "Critical suppliers assessed",
        "A.5.19–A.5.22",
        B,
        ONLY_S2,
        suppliers
    ),
    rule!(
        "stage1-findings-addressed",
        "Stage 1 findings addressed",
        "ISO/IEC 17021-1 9.3.1.2",
        B,
        ONLY_S2,
        stage1_findings
    ),
    rule!(
        "internal-audit-12-months",
        "Internal audit in the last 12 months",
        "9.2",
        B,
        ONLY_SV,
        audit_last_12_months
    ),
    rule!(
        "management-review-12-months",
        "Management review in the last 12 months",
        "9.3",
        B,
        ONLY_SV,
        review_last_12_months
    ),
    rule!(
        "last-audit-actions",
        "Last audit's findings acted on",
        "10.2",
        B,
        ONLY_SV,
        last_audit_actions
    ),
    rule!(
        "changes-reflected",
        "Risks and SoA reviewed since the last audit",
        "6.1, 8.2",
        W,
        ONLY_SV,
        changes_reflected
    ),
    rule!(
        "continual-improvement",
        "Continual improvement shown",
        "10.1",
        B,
        ONLY_SV,
        continual_improvement
    ),
];
