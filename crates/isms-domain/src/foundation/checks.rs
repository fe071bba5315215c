//! What is still missing for clauses 4–6, in plain words. Pure functions over a summary of
//! the foundation records, so the overview page and (later) the readiness engine say the
//! same thing.

use super::registers::{Issue, Objective, Party, Role};
use serde::Serialize;

/// The state of a versioned document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocState {
    /// A version is approved and in force.
    pub approved: bool,
    /// A draft is open.
    pub draft: bool,
}

/// Everything the checks look at.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub scope: DocState,
    pub policy: DocState,
    pub issues: &'a [Issue],
    pub parties: &'a [Party],
    pub roles: &'a [Role],
    pub objectives: &'a [Objective],
}

/// One thing still missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    pub clause: &'static str,
    /// What is missing.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

fn gap(clause: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Gap {
    Gap {
        clause,
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// How the climate-change question of 4.1 (Amendment 1:2024) has been answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum ClimateDetermination {
    /// No issue records a decision yet.
    NotDetermined,
    /// At least one issue is marked as relevant to climate change.
    Relevant { issues: Vec<String> },
    /// Climate change was considered and found not relevant (a note, nothing marked).
    NotRelevant { note: String },
}

/// Read the climate-change determination from the issues register: an issue marked as
/// climate-relevant, or a climate note on an issue that is not marked (the recorded reason
/// why climate change is not relevant).
pub fn climate_determination(issues: &[Issue]) -> ClimateDetermination {
    let relevant: Vec<String> = issues
        .iter()
        .filter(|i| i.climate_relevant)
        .map(|i| i.title.clone())
        .collect();
    if !relevant.is_empty() {
        return ClimateDetermination::Relevant { issues: relevant };
    }
    match issues.iter().find(|i| !i.climate_note.trim().is_empty()) {
        Some(i) => ClimateDetermination::NotRelevant {
            note: i.climate_note.clone(),
        },
        None => ClimateDetermination::NotDetermined,
    }
}

/// Objectives still short of what 6.2 asks: an owner, a metric, a target and a due date.
pub fn incomplete_objectives(objectives: &[Objective]) -> Vec<(String, Vec<&'static str>)> {
    objectives
        .iter()
        .filter(|o| o.status != "withdrawn")
        .filter_map(|o| {
            let mut miss = Vec::new();
            if o.owner_id.is_none() {
                miss.push("owner");
            }
            if o.metric.trim().is_empty() {
                miss.push("metric");
            }
            if o.target.trim().is_empty() && o.target_value.is_none() {
                miss.push("target");
            }
            if o.due_on.is_none() {
                miss.push("due date");
            }
            (!miss.is_empty()).then(|| (o.title.clone(), miss))
        })
        .collect()
}

/// Every gap in clauses 4–6 that the foundation records show, in clause order.
pub fn foundation_gaps(f: &Facts<'_>) -> Vec<Gap> {
    let mut out = Vec::new();
    if f.issues.is_empty() {
        out.push(gap(
            "4.1",
            "No internal or external issues are recorded.",
            "Add the issues that can help or hinder the ISMS (market, law, technology, people, suppliers).",
        ));
    } else {
        if !f.issues.iter().any(|i| i.kind == "internal") {
            out.push(gap(
                "4.1",
                "No internal issue is recorded.",
                "Add at least one internal issue (people, processes, technology, resources).",
            ));
        }
        if !f.issues.iter().any(|i| i.kind == "external") {
            out.push(gap(
                "4.1",
                "No external issue is recorded.",
                "Add at least one external issue (law, market, threats, suppliers).",
            ));
        }
    }
    if climate_determination(f.issues) == ClimateDetermination::NotDetermined {
        out.push(gap(
            "4.1",
            "Nobody has recorded whether climate change is a relevant issue (required since Amendment 1:2024).",
            "Mark an issue as climate-relevant, or write on an issue why climate change is not relevant.",
        ));
    }
    if f.parties.is_empty() {
        out.push(gap(
            "4.2",
            "No interested parties are recorded.",
            "Add customers, regulators, staff, suppliers and owners with what they require.",
        ));
    } else {
        let without: Vec<&str> = f
            .parties
            .iter()
            .filter(|p| p.requirements.is_empty())
            .map(|p| p.name.as_str())
            .collect();
        if !without.is_empty() {
            out.push(gap(
                "4.2",
                format!("No requirements recorded for: {}.", without.join(", ")),
                "Add each party's requirements and say which ones the ISMS addresses.",
            ));
        }
    }
    if !f.scope.approved {
        out.push(gap(
            "4.3",
            if f.scope.draft {
                "The scope statement is still a draft."
            } else {
                "There is no scope statement."
            },
            "Write the scope (units, locations, systems, interfaces, justified exclusions) and have it approved.",
        ));
    }
    if !f.policy.approved {
        out.push(gap(
            "5.2",
            if f.policy.draft {
                "The information security policy is still a draft."
            } else {
                "There is no information security policy."
            },
            "Write the policy with both commitments and have top management approve it.",
        ));
    }
    if !f.roles.iter().any(|r| r.ensures_conformity) {
        out.push(gap(
            "5.3",
            "No role is responsible for making sure the ISMS conforms to ISO/IEC 27001.",
            "Mark the role that holds this duty (usually the ISMS manager).",
        ));
    }
    if !f.roles.iter().any(|r| r.reports_performance) {
        out.push(gap(
            "5.3",
            "No role reports the performance of the ISMS to top management.",
            "Mark the role that reports to top management.",
        ));
    }
    let live: Vec<&Objective> = f
        .objectives
        .iter()
        .filter(|o| o.status != "withdrawn")
        .collect();
    if live.is_empty() {
        out.push(gap(
            "6.2",
            "No information security objectives are recorded.",
            "Set measurable objectives with an owner, a target, a metric and a due date.",
        ));
    }
    for (title, miss) in incomplete_objectives(f.objectives) {
        out.push(gap(
            "6.2",
            format!("Objective \"{title}\" has no {}.", miss.join(", ")),
            "Complete the objective so its progress can be measured.",
        ));
    }
    let unapproved: Vec<&str> = live
        .iter()
        .filter(|o| o.status == "draft")
        .map(|o| o.title.as_str())
        .collect();
    if !unapproved.is_empty() {
        out.push(gap(
            "6.2",
            format!(
                "Objectives waiting for approval: {}.",
                unapproved.join(", ")
            ),
            "Have an ISMS manager approve them.",
        ));
    }
    out
}
