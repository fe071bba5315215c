//! The foundation registers: issues (4.1), interested parties (4.2), roles (5.3) and
//! objectives (6.2). Each entry is a plain body validated here; storage keeps it as JSON
//! with the columns its lists filter on.

use super::{opt_date, text};
use crate::ValidationError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which register an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    Issue,
    Party,
    Role,
    Objective,
}

impl Register {
    /// Every register.
    pub const ALL: [Register; 4] = [
        Register::Issue,
        Register::Party,
        Register::Role,
        Register::Objective,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Register::Issue => "issue",
            Register::Party => "interested_party",
            Register::Role => "role",
            Register::Objective => "objective",
        }
    }

    /// Name of one entry, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Register::Issue => "issue",
            Register::Party => "interested party",
            Register::Role => "role",
            Register::Objective => "objective",
        }
    }

    /// Name of the whole register, for titles.
    pub fn title(self) -> &'static str {
        match self {
            Register::Issue => "Internal and external issues",
            Register::Party => "Interested parties and their requirements",
            Register::Role => "ISMS roles and responsibilities",
            Register::Objective => "Information security objectives",
        }
    }

    /// Prefix of the entry number shown to people (I-003).
    pub fn prefix(self) -> &'static str {
        match self {
            Register::Issue => "I",
            Register::Party => "P",
            Register::Role => "RO",
            Register::Objective => "O",
        }
    }
}

/// The body of a register entry.
pub trait RegisterBody: Serialize + DeserializeOwned + Clone + Send + Sync {
    const REGISTER: Register;
    /// Check and normalise (names each bad field).
    fn validate(&self) -> Result<Self, ValidationError>;
    fn title(&self) -> &str;
    /// The value of the entry's list filter (issue kind, party kind, objective status).
    fn kind(&self) -> Option<&str> {
        None
    }
    /// The values the list filter accepts (empty: the register has no such filter).
    fn kinds() -> &'static [(&'static str, &'static str)] {
        &[]
    }
    /// The person the entry names (role holder, objective owner), with its field name.
    fn person(&self) -> Option<(&'static str, Uuid)> {
        None
    }
    /// Other people named (a deputy); each must be a current member too.
    fn other_people(&self) -> Vec<(&'static str, Uuid)> {
        Vec::new()
    }
    /// The entry as named fields, each a list of lines (for history and comparisons).
    fn fields(&self) -> Vec<(&'static str, Vec<String>)>;
    /// The objective, when the entry is one (objectives have an approval on top).
    fn as_objective(&mut self) -> Option<&mut Objective> {
        None
    }
}

/// The names of the fields whose value differs between two bodies.
pub fn changed_fields<B: RegisterBody>(before: &B, after: &B) -> Vec<&'static str> {
    before
        .fields()
        .into_iter()
        .zip(after.fields())
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| a.0)
        .collect()
}

fn one(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        vec![s.to_owned()]
    }
}

fn yes(b: bool) -> Vec<String> {
    vec![if b { "yes" } else { "no" }.to_owned()]
}

fn choose(v: &mut ValidationError, field: &str, s: &str, allowed: &[(&str, &str)]) -> String {
    let s = s.trim().to_lowercase();
    if !allowed.iter().any(|(k, _)| *k == s) {
        v.push(
            field,
            format!(
                "must be one of {}",
                allowed
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    s
}

/// The label of a code in a list of (code, label), or the code itself.
pub fn label_of<'a>(list: &'a [(&'a str, &'a str)], code: &'a str) -> &'a str {
    list.iter()
        .find(|(k, _)| *k == code)
        .map_or(code, |(_, l)| l)
}

// ---------------------------------------------------------------------------------------
// 4.1 Issues

pub const ISSUE_KINDS: [(&str, &str); 2] = [("internal", "Internal"), ("external", "External")];

/// Categories of external issues (a PESTLE-like list).
pub const EXTERNAL_CATEGORIES: [(&str, &str); 6] = [
    ("political", "Political"),
    ("economic", "Economic"),
    ("social", "Social"),
    ("technological", "Technological"),
    ("legal", "Legal and regulatory"),
    ("environmental", "Environmental"),
];

/// Categories of internal issues.
pub const INTERNAL_CATEGORIES: [(&str, &str); 6] = [
    ("strategy", "Strategy and governance"),
    ("organisation", "Organisation and structure"),
    ("people", "People and culture"),
    ("processes", "Processes"),
    ("technology", "Technology and systems"),
    ("resources", "Resources and finance"),
];

/// An internal or external issue that can help or hinder the ISMS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    /// `internal` or `external`.
    pub kind: String,
    /// From the categories of the kind.
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// How it affects the ISMS and its intended outcomes.
    #[serde(default)]
    pub effect: String,
    /// Climate change makes this issue relevant (Amendment 1:2024).
    #[serde(default)]
    pub climate_relevant: bool,
    /// The climate-change determination in words (why it is or is not relevant).
    #[serde(default)]
    pub climate_note: String,
    /// Next review, YYYY-MM-DD.
    #[serde(default)]
    pub review_on: Option<String>,
}

impl RegisterBody for Issue {
    const REGISTER: Register = Register::Issue;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let kind = choose(&mut v, "kind", &self.kind, &ISSUE_KINDS);
        let cats: &[(&str, &str)] = if kind == "internal" {
            &INTERNAL_CATEGORIES
        } else {
            &EXTERNAL_CATEGORIES
        };
        let category = if ISSUE_KINDS.iter().any(|(k, _)| *k == kind) {
            choose(&mut v, "category", &self.category, cats)
        } else {
            self.category.trim().to_owned()
        };
        let out = Issue {
            kind,
            category,
            title: text(&mut v, "title", &self.title, 300, true),
            description: text(&mut v, "description", &self.description, 5000, false),
            effect: text(&mut v, "effect", &self.effect, 5000, false),
            climate_relevant: self.climate_relevant,
            climate_note: text(&mut v, "climate_note", &self.climate_note, 2000, false),
            review_on: opt_date(&mut v, "review_on", self.review_on.as_deref()),
        };
        if out.climate_relevant && out.climate_note.is_empty() {
            v.push(
                "climate_note",
                "say how climate change makes this issue relevant",
            );
        }
        v.into_result().map(|()| out)
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn kinds() -> &'static [(&'static str, &'static str)] {
        &ISSUE_KINDS
    }

    fn kind(&self) -> Option<&str> {
        Some(&self.kind)
    }

    fn fields(&self) -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("kind", one(&self.kind)),
            ("category", one(&self.category)),
            ("title", one(&self.title)),
            ("description", one(&self.description)),
            ("effect", one(&self.effect)),
            ("climate_relevant", yes(self.climate_relevant)),
            ("climate_note", one(&self.climate_note)),
            ("review_on", self.review_on.iter().cloned().collect()),
        ]
    }
}

/// The category list for an issue kind.
pub fn categories(kind: &str) -> &'static [(&'static str, &'static str)] {
    if kind == "internal" {
        &INTERNAL_CATEGORIES
    } else {
        &EXTERNAL_CATEGORIES
    }
}

// ---------------------------------------------------------------------------------------
// 4.2 Interested parties

pub const PARTY_KINDS: [(&str, &str); 9] = [
    ("customer", "Customer"),
    ("regulator", "Regulator or authority"),
    ("employee", "Employees"),
    ("supplier", "Supplier"),
    ("shareholder", "Shareholder or owner"),
    ("partner", "Partner"),
    ("insurer", "Insurer"),
    ("community", "Community and public"),
    ("other", "Other"),
];

pub const REQUIREMENT_SOURCES: [(&str, &str); 4] = [
    ("legal", "Legal"),
    ("regulatory", "Regulatory"),
    ("contractual", "Contractual"),
    ("other", "Other"),
];

/// What an interested party requires.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub text: String,
    /// `legal`, `regulatory`, `contractual` or `other`.
    pub source: String,
    /// The law, contract clause or document it comes from.
    #[serde(default)]
    pub reference: String,
    /// The ISMS addresses this requirement.
    #[serde(default)]
    pub addressed: bool,
    /// How the ISMS addresses it (required when addressed), or why not.
    #[serde(default)]
    pub how: String,
    /// A climate-related requirement.
    #[serde(default)]
    pub climate: bool,
    /// The Annex A controls this requirement calls for (`5.34`, `8.24`); the Statement of
    /// Applicability names the requirement among the reasons to include each of them.
    #[serde(default)]
    pub controls: Vec<String>,
}

/// Read the Annex A controls a requirement names: each a known Annex A id (own controls
/// are not in the Statement of Applicability), normalised, duplicates dropped, in
/// catalogue order.
fn requirement_controls(v: &mut ValidationError, field: &str, raw: &[String]) -> Vec<String> {
    use crate::control::{ControlRef, control_order, parse_control_ref};
    let mut out: Vec<String> = Vec::new();
    if raw.len() > 93 {
        v.push(field, "at most 93 controls per requirement");
        return out;
    }
    for (j, c) in raw.iter().enumerate() {
        if c.trim().is_empty() {
            continue;
        }
        let f = format!("{field}[{j}]");
        match parse_control_ref(&f, c) {
            Ok(ControlRef::AnnexA(id)) => {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            Ok(ControlRef::Own(code)) => v.push(
                f,
                format!("{code} is an own control; name Annex A controls here (e.g. 5.34)"),
            ),
            Err(e) => v.errors.extend(e.errors),
        }
    }
    out.sort_by_key(|k| control_order(k));
    out
}

/// An interested party relevant to the ISMS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requirements: Vec<Requirement>,
}

impl RegisterBody for Party {
    const REGISTER: Register = Register::Party;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let mut out = Party {
            name: text(&mut v, "name", &self.name, 300, true),
            kind: choose(&mut v, "kind", &self.kind, &PARTY_KINDS),
            description: text(&mut v, "description", &self.description, 5000, false),
            requirements: Vec::new(),
        };
        if self.requirements.len() > 200 {
            v.push("requirements", "at most 200 requirements per party");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            let f = |n: &str| format!("requirements[{i}].{n}");
            let req = Requirement {
                text: text(&mut v, &f("text"), &r.text, 2000, true),
                source: choose(&mut v, &f("source"), &r.source, &REQUIREMENT_SOURCES),
                reference: text(&mut v, &f("reference"), &r.reference, 500, false),
                addressed: r.addressed,
                how: text(&mut v, &f("how"), &r.how, 2000, false),
                climate: r.climate,
                controls: requirement_controls(&mut v, &f("controls"), &r.controls),
            };
            if req.addressed && req.how.is_empty() {
                v.push(f("how"), "say how the ISMS addresses this requirement");
            }
            out.requirements.push(req);
        }
        v.into_result().map(|()| out)
    }

    fn title(&self) -> &str {
        &self.name
    }

    fn kinds() -> &'static [(&'static str, &'static str)] {
        &PARTY_KINDS
    }

    fn kind(&self) -> Option<&str> {
        Some(&self.kind)
    }

    fn fields(&self) -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("name", one(&self.name)),
            ("kind", one(&self.kind)),
            ("description", one(&self.description)),
            (
                "requirements",
                self.requirements
                    .iter()
                    .map(|r| {
                        format!(
                            "{} [{}{}] {}{}",
                            r.text,
                            r.source,
                            if r.climate { ", climate" } else { "" },
                            if r.addressed {
                                format!("addressed: {}", r.how)
                            } else {
                                "not addressed".to_owned()
                            },
                            if r.controls.is_empty() {
                                String::new()
                            } else {
                                format!("; controls {}", r.controls.join(", "))
                            }
                        )
                    })
                    .collect(),
            ),
        ]
    }
}

// ---------------------------------------------------------------------------------------
// 5.3 Roles

/// A role with responsibilities and authority, held by a named member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub title: String,
    #[serde(default)]
    pub responsibilities: String,
    #[serde(default)]
    pub authority: String,
    /// The member who holds the role.
    pub person_id: Option<Uuid>,
    #[serde(default)]
    pub deputy_id: Option<Uuid>,
    /// Makes sure the ISMS conforms to ISO/IEC 27001 (5.3 a).
    #[serde(default)]
    pub ensures_conformity: bool,
    /// Reports on the performance of the ISMS to top management (5.3 b).
    #[serde(default)]
    pub reports_performance: bool,
    /// The holder is part of top management (5.1): the people who direct the
    /// organisation, approve the policy and chair the management review.
    #[serde(default)]
    pub top_management: bool,
}

impl RegisterBody for Role {
    const REGISTER: Register = Register::Role;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let out = Role {
            title: text(&mut v, "title", &self.title, 300, true),
            responsibilities: text(
                &mut v,
                "responsibilities",
                &self.responsibilities,
                5000,
                true,
            ),
            authority: text(&mut v, "authority", &self.authority, 5000, false),
            ..self.clone()
        };
        if out.person_id.is_none() {
            v.push("person_id", "name the member who holds this role");
        }
        if out.deputy_id.is_some() && out.deputy_id == out.person_id {
            v.push("deputy_id", "the deputy must be someone else");
        }
        v.into_result().map(|()| out)
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn person(&self) -> Option<(&'static str, Uuid)> {
        self.person_id.map(|p| ("person_id", p))
    }

    fn other_people(&self) -> Vec<(&'static str, Uuid)> {
        self.deputy_id
            .map(|d| ("deputy_id", d))
            .into_iter()
            .collect()
    }

    fn fields(&self) -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("title", one(&self.title)),
            ("responsibilities", one(&self.responsibilities)),
            ("authority", one(&self.authority)),
            (
                "person_id",
                self.person_id.iter().map(Uuid::to_string).collect(),
            ),
            (
                "deputy_id",
                self.deputy_id.iter().map(Uuid::to_string).collect(),
            ),
            ("ensures_conformity", yes(self.ensures_conformity)),
            ("reports_performance", yes(self.reports_performance)),
            ("top_management", yes(self.top_management)),
        ]
    }
}

// ---------------------------------------------------------------------------------------
// 6.2 Objectives

pub const OBJECTIVE_STATUSES: [(&str, &str); 5] = [
    ("draft", "Draft (needs approval)"),
    ("approved", "Approved"),
    ("achieved", "Achieved"),
    ("missed", "Missed"),
    ("withdrawn", "Withdrawn"),
];

/// An information security objective with its target and how it is measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// The target in words ("95% of staff trained").
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub target_value: Option<f64>,
    #[serde(default)]
    pub target_unit: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due_on: Option<String>,
    /// What is measured.
    #[serde(default)]
    pub metric: String,
    /// How it is measured.
    #[serde(default)]
    pub metric_method: String,
    /// How often it is measured ("monthly").
    #[serde(default)]
    pub metric_frequency: String,
    /// `draft`, `approved`, `achieved`, `missed` or `withdrawn`. Approval goes through its
    /// own action; a change here can only move an objective on from approved.
    #[serde(default = "draft")]
    pub status: String,
    /// The part of the information security policy this objective serves.
    #[serde(default)]
    pub policy_link: String,
}

fn draft() -> String {
    "draft".to_owned()
}

impl Objective {
    /// Has a target, a metric, an owner and a due date: everything approval needs.
    pub fn missing_for_approval(&self) -> ValidationError {
        let mut v = ValidationError::new();
        if self.owner_id.is_none() {
            v.push("owner_id", "name the owner before approving");
        }
        if self.target.trim().is_empty() {
            v.push("target", "say what the target is before approving");
        }
        if self.metric.trim().is_empty() {
            v.push("metric", "say what is measured before approving");
        }
        if self.due_on.is_none() {
            v.push("due_on", "set a due date before approving");
        }
        v
    }

    /// The parts that an approval covers: changing them needs a new approval.
    pub fn approved_terms(&self) -> Vec<String> {
        vec![
            self.target.clone(),
            format!("{:?}", self.target_value),
            self.target_unit.clone(),
            format!("{:?}", self.due_on),
            self.metric.clone(),
            self.metric_method.clone(),
            self.metric_frequency.clone(),
        ]
    }
}

impl RegisterBody for Objective {
    const REGISTER: Register = Register::Objective;

    fn validate(&self) -> Result<Self, ValidationError> {
        let mut v = ValidationError::new();
        let out = Objective {
            title: text(&mut v, "title", &self.title, 300, true),
            description: text(&mut v, "description", &self.description, 5000, false),
            owner_id: self.owner_id,
            target: text(&mut v, "target", &self.target, 1000, false),
            target_value: self.target_value,
            target_unit: text(&mut v, "target_unit", &self.target_unit, 50, false),
            due_on: opt_date(&mut v, "due_on", self.due_on.as_deref()),
            metric: text(&mut v, "metric", &self.metric, 1000, false),
            metric_method: text(&mut v, "metric_method", &self.metric_method, 2000, false),
            metric_frequency: text(
                &mut v,
                "metric_frequency",
                &self.metric_frequency,
                100,
                false,
            ),
            status: if self.status.trim().is_empty() {
                draft()
            } else {
                choose(&mut v, "status", &self.status, &OBJECTIVE_STATUSES)
            },
            policy_link: text(&mut v, "policy_link", &self.policy_link, 1000, false),
        };
        if let Some(x) = out.target_value
            && !x.is_finite()
        {
            v.push("target_value", "must be a number");
        }
        v.into_result().map(|()| out)
    }

    fn as_objective(&mut self) -> Option<&mut Objective> {
        Some(self)
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn kinds() -> &'static [(&'static str, &'static str)] {
        &OBJECTIVE_STATUSES
    }

    fn kind(&self) -> Option<&str> {
        Some(&self.status)
    }

    fn person(&self) -> Option<(&'static str, Uuid)> {
        self.owner_id.map(|p| ("owner_id", p))
    }

    fn fields(&self) -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("title", one(&self.title)),
            ("description", one(&self.description)),
            (
                "owner_id",
                self.owner_id.iter().map(Uuid::to_string).collect(),
            ),
            ("target", one(&self.target)),
            (
                "target_value",
                self.target_value.iter().map(f64::to_string).collect(),
            ),
            ("target_unit", one(&self.target_unit)),
            ("due_on", self.due_on.iter().cloned().collect()),
            ("metric", one(&self.metric)),
            ("metric_method", one(&self.metric_method)),
            ("metric_frequency", one(&self.metric_frequency)),
            ("status", one(&self.status)),
            ("policy_link", one(&self.policy_link)),
        ]
    }
}

/// What saving a changed objective means for its approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectiveChange {
    /// Save as given.
    Keep,
    /// The approved terms changed: the objective goes back to draft and needs approval
    /// again.
    NeedsApprovalAgain,
}

/// Check a change of an objective's status and approved terms. `before` is `None` for a
/// new objective.
pub fn objective_change(
    before: Option<&Objective>,
    after: &Objective,
) -> Result<ObjectiveChange, ValidationError> {
    let from = before.map_or("draft", |b| b.status.as_str());
    let to = after.status.as_str();
    let ok = from == to
        || matches!(
            (from, to),
            ("draft", "withdrawn")
                | ("approved", "achieved" | "missed" | "withdrawn" | "draft")
                | ("achieved" | "missed", "approved")
                | ("withdrawn", "draft")
        );
    if !ok {
        let msg = if to == "approved" {
            "use approve to approve an objective (it records who approved it and when)".to_owned()
        } else {
            format!("an objective that is {from} cannot become {to}")
        };
        return Err(ValidationError::single("status", msg));
    }
    if from == "approved"
        && (to == "approved")
        && before.is_some_and(|b| b.approved_terms() != after.approved_terms())
    {
        return Ok(ObjectiveChange::NeedsApprovalAgain);
    }
    Ok(ObjectiveChange::Keep)
}
