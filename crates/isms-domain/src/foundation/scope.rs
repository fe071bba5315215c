//! The content of the scope statement (4.3) and of the information security policy (5.2).

use super::versioned::{DocKind, VersionedContent};
use super::{text, text_list};
use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// An interface or dependency with an activity done by someone else (a supplier, a group
/// company, a cloud provider).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// What crosses the boundary ("hosting of the production platform").
    pub what: String,
    /// With whom: the party or system on the other side.
    pub party: String,
    #[serde(default)]
    pub description: String,
}

/// Something left out of the scope, with the reason an auditor will ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub what: String,
    #[serde(default)]
    pub justification: String,
}

/// The scope statement: the text that will appear on the certificate and the boundaries
/// behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeContent {
    /// The scope statement in one or a few sentences.
    #[serde(default)]
    pub statement: String,
    /// Organisational units in scope.
    #[serde(default)]
    pub units: Vec<String>,
    /// Locations and sites in scope.
    #[serde(default)]
    pub locations: Vec<String>,
    /// Systems and services in scope.
    #[serde(default)]
    pub systems: Vec<String>,
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

impl VersionedContent for ScopeContent {
    const KIND: DocKind = DocKind::Scope;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let mut out = ScopeContent {
            statement: text(&mut v, "statement", &self.statement, 5000, false),
            units: text_list(&mut v, "units", &self.units),
            locations: text_list(&mut v, "locations", &self.locations),
            systems: text_list(&mut v, "systems", &self.systems),
            ..Default::default()
        };
        for (i, x) in self.interfaces.iter().enumerate() {
            let f = |n: &str| format!("interfaces[{i}].{n}");
            let it = Interface {
                what: text(&mut v, &f("what"), &x.what, 500, true),
                party: text(&mut v, &f("party"), &x.party, 500, true),
                description: text(&mut v, &f("description"), &x.description, 2000, false),
            };
            out.interfaces.push(it);
        }
        for (i, x) in self.exclusions.iter().enumerate() {
            let f = |n: &str| format!("exclusions[{i}].{n}");
            let what = text(&mut v, &f("what"), &x.what, 500, true);
            let justification = x.justification.trim().to_owned();
            if justification.is_empty() {
                v.push(
                    f("justification"),
                    "say why this is left out of the scope; an auditor will ask",
                );
            } else if justification.chars().count() > 2000 {
                v.push(f("justification"), "must be at most 2000 characters");
            }
            out.exclusions.push(Exclusion {
                what,
                justification,
            });
        }
        v.into_result().map(|()| out)
    }

    fn check_approvable(&self) -> Result<(), ValidationError> {
        let mut v = ValidationError::new();
        if self.statement.trim().is_empty() {
            v.push("statement", "write the scope statement before approving");
        }
        if self.units.is_empty() && self.locations.is_empty() && self.systems.is_empty() {
            v.push(
                "units",
                "name at least one organisational unit, location or system in scope",
            );
        }
        v.into_result()
    }

    fn fields(&self) -> Vec<(&'static str, &'static str, Vec<String>)> {
        vec![
            ("statement", "Scope statement", lines(&self.statement)),
            ("units", "Organisational units", self.units.clone()),
            ("locations", "Locations and sites", self.locations.clone()),
            ("systems", "Systems and services", self.systems.clone()),
            (
                "interfaces",
                "Interfaces and dependencies",
                self.interfaces
                    .iter()
                    .map(|i| {
                        if i.description.is_empty() {
                            format!("{} — with {}", i.what, i.party)
                        } else {
                            format!("{} — with {}: {}", i.what, i.party, i.description)
                        }
                    })
                    .collect(),
            ),
            (
                "exclusions",
                "Exclusions",
                self.exclusions
                    .iter()
                    .map(|e| format!("{} — reason: {}", e.what, e.justification))
                    .collect(),
            ),
        ]
    }
}

/// The information security policy statement (5.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyContent {
    /// The policy text set by top management.
    #[serde(default)]
    pub text: String,
    /// How objectives are set (or the objectives themselves).
    #[serde(default)]
    pub objectives_framework: String,
    /// The policy commits to meeting applicable information security requirements.
    #[serde(default)]
    pub commits_to_requirements: bool,
    /// The policy commits to continual improvement of the ISMS.
    #[serde(default)]
    pub commits_to_improvement: bool,
}

impl VersionedContent for PolicyContent {
    const KIND: DocKind = DocKind::Policy;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let out = PolicyContent {
            text: text(&mut v, "text", &self.text, 20_000, false),
            objectives_framework: text(
                &mut v,
                "objectives_framework",
                &self.objectives_framework,
                5000,
                false,
            ),
            ..self.clone()
        };
        v.into_result().map(|()| out)
    }

    fn check_approvable(&self) -> Result<(), ValidationError> {
        let mut v = ValidationError::new();
        if self.text.trim().is_empty() {
            v.push("text", "write the policy text before approving");
        }
        if self.objectives_framework.trim().is_empty() {
            v.push(
                "objectives_framework",
                "say how information security objectives are set",
            );
        }
        if !self.commits_to_requirements {
            v.push(
                "commits_to_requirements",
                "the policy must commit to meeting applicable requirements",
            );
        }
        if !self.commits_to_improvement {
            v.push(
                "commits_to_improvement",
                "the policy must commit to continual improvement of the ISMS",
            );
        }
        v.into_result()
    }

    fn fields(&self) -> Vec<(&'static str, &'static str, Vec<String>)> {
        let yes = |b: bool| vec![if b { "yes" } else { "no" }.to_owned()];
        vec![
            ("text", "Policy text", lines(&self.text)),
            (
                "objectives_framework",
                "Framework for objectives",
                lines(&self.objectives_framework),
            ),
            (
                "commits_to_requirements",
                "Commitment to meet requirements",
                yes(self.commits_to_requirements),
            ),
            (
                "commits_to_improvement",
                "Commitment to continual improvement",
                yes(self.commits_to_improvement),
            ),
        ]
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
