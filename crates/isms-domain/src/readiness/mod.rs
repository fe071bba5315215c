//! The readiness engine: what a certification auditor would say about the ISMS today.
//!
//! The app layer gathers [`Facts`] from the records (one read per register); the rules
//! here are plain functions of those facts and the date. A profile (`stage1`, `stage2`,
//! `surveillance`) is a list of rules; each gives pass / fail / warning / not applicable
//! with the reason in plain words, the fix, and links to the records concerned.

mod facts;
mod rules;
#[cfg(test)]
mod tests;

pub use facts::*;
pub use rules::{RULES, Rule};

use crate::ValidationError;
use serde::Serialize;
use time::Date;

/// A named rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Stage1,
    Stage2,
    Surveillance,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Stage1, Profile::Stage2, Profile::Surveillance];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Stage1 => "stage1",
            Profile::Stage2 => "stage2",
            Profile::Surveillance => "surveillance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Profile::Stage1 => "Stage 1 audit",
            Profile::Stage2 => "Stage 2 audit",
            Profile::Surveillance => "Surveillance audit",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "");
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| ValidationError::single(field, "must be stage1, stage2 or surveillance"))
    }
}

/// How much a failing rule matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The auditor would raise a nonconformity or stop the audit.
    Blocker,
    /// The auditor would likely note it; fix it before the audit if you can.
    Warning,
}

/// What a rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Warning,
    NotApplicable,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warning => "warning",
            Outcome::NotApplicable => "not applicable",
        }
    }
}

/// A record or page the result is about, as a path below the organisation
/// (`soa`, `controls/5.15`, `findings/F-003`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Link {
    pub label: String,
    pub path: String,
}

impl Link {
    pub fn new(label: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            path: path.into(),
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleResult {
    pub id: &'static str,
    pub title: &'static str,
    pub clause: &'static str,
    pub severity: Severity,
    pub outcome: Outcome,
    /// Why, in plain words.
    pub reason: String,
    /// What to do; empty on a pass.
    pub fix: String,
    pub links: Vec<Link>,
}

/// A whole profile's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub profile: Profile,
    #[serde(serialize_with = "crate::time::ser_date")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// Blocker failures first, then other failures, warnings, passes, not applicable.
    pub results: Vec<RuleResult>,
    /// 0–100: passes count fully, warnings half, over the applicable rules.
    pub score: u8,
    pub failed: usize,
    pub blockers: usize,
    pub warnings: usize,
    pub passed: usize,
}

impl Report {
    /// No rule failed: the `isms check` exit code 0.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

fn order(r: &RuleResult) -> u8 {
    match (r.outcome, r.severity) {
        (Outcome::Fail, Severity::Blocker) => 0,
        (Outcome::Fail, Severity::Warning) => 1,
        (Outcome::Warning, _) => 2,
        (Outcome::Pass, _) => 3,
        (Outcome::NotApplicable, _) => 4,
    }
}

/// Run a profile's rules over the facts.
pub fn evaluate(profile: Profile, facts: &Facts) -> Report {
    let mut results: Vec<RuleResult> = RULES
        .iter()
        .filter(|r| r.profiles.contains(&profile))
        .map(|r| r.run(facts))
        .collect();
    results.sort_by_key(order);
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let failed = count(Outcome::Fail);
    let warnings = count(Outcome::Warning);
    let passed = count(Outcome::Pass);
    let applicable = failed + warnings + passed;
    let score = if applicable == 0 {
        0
    } else {
        // (2·passed + warnings) / (2·applicable), as a rounded percentage.
        let s = (200 * passed + 100 * warnings + applicable) / (2 * applicable);
        u8::try_from(s.min(100)).unwrap_or(100)
    };
    Report {
        profile,
        as_of: facts.today,
        blockers: results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail && r.severity == Severity::Blocker)
            .count(),
        results,
        score,
        failed,
        warnings,
        passed,
    }
}

/// The report as plain text, as `isms check` prints it.
pub fn to_text(org_name: &str, report: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} readiness of {} on {}: score {}/100, {} failed ({} blockers), {} warnings, {} passed",
        report.profile.label(),
        org_name,
        report.as_of,
        report.score,
        report.failed,
        report.blockers,
        report.warnings,
        report.passed
    );
    for r in &report.results {
        let mark = match r.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Warning => "WARN",
            Outcome::NotApplicable => "N/A ",
        };
        let _ = writeln!(
            s,
            "{mark} [{}] {} ({}): {}",
            r.id, r.title, r.clause, r.reason
        );
        if !r.fix.is_empty() && matches!(r.outcome, Outcome::Fail | Outcome::Warning) {
            let _ = writeln!(s, "     fix: {}", r.fix);
        }
    }
    s
}
