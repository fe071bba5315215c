//! What the readiness rules read: a summary of the ISMS records, gathered by the app
//! layer. Lists of [`Item`]s name the records concerned so a result can link to them.

use super::Link;
use serde::Serialize;
use time::Date;

/// A record named in a fact: its label ("R-012 Laptop theft") and its path below the
/// organisation ("risks/R-012").
pub type Item = Link;

/// Settings that change what the rules accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// An internal audit finished less than this many weeks before Stage 1 is "too
    /// late": there is no time left to act on its findings or hold the management review.
    pub audit_lead_weeks: u32,
    /// How many measurement periods Stage 2 expects per objective.
    pub min_measurement_periods: u32,
    /// A scope statement shorter than this many words is too vague to audit against.
    pub min_scope_words: u32,
}

impl Settings {
    /// The bounds a person may set, each error naming its field.
    pub fn check(
        audit_lead_weeks: i64,
        min_measurement_periods: i64,
        min_scope_words: i64,
    ) -> Result<Settings, crate::ValidationError> {
        let mut v = crate::ValidationError::new();
        let mut within = |field: &str, n: i64, lo: i64, hi: i64| -> u32 {
            if (lo..=hi).contains(&n) {
                u32::try_from(n).unwrap_or(0)
            } else {
                v.push(field, format!("must be a whole number from {lo} to {hi}"));
                0
            }
        };
        let s = Settings {
            audit_lead_weeks: within("audit_lead_weeks", audit_lead_weeks, 0, 26),
            min_measurement_periods: within(
                "min_measurement_periods",
                min_measurement_periods,
                1,
                24,
            ),
            min_scope_words: within("min_scope_words", min_scope_words, 0, 200),
        };
        v.into_result().map(|()| s)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            audit_lead_weeks: 4,
            min_measurement_periods: 3,
            min_scope_words: 12,
        }
    }
}

/// The approved scope statement (4.3), as the rules need it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScopeFacts {
    pub approved: bool,
    pub draft_open: bool,
    pub statement_words: u32,
    /// Organisational units, locations and systems named (the boundaries).
    pub units: u32,
    pub locations: u32,
    pub systems: u32,
    pub interfaces: u32,
    /// Exclusions without a justification.
    pub unjustified_exclusions: Vec<String>,
}

/// A versioned document such as the policy or the risk method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApprovalFacts {
    pub approved: bool,
    pub draft_open: bool,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub approved_on: Option<Date>,
    /// Approved by someone holding a top-management role.
    pub approved_by_top_management: bool,
    /// When it must next be reviewed, if the register sets a date.
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub review_due: Option<Date>,
}

/// The information security policy (5.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyFacts {
    pub approval: ApprovalFacts,
    pub commits_to_requirements: bool,
    pub commits_to_improvement: bool,
}

/// The risk assessment method (6.1.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MethodFacts {
    pub approval: ApprovalFacts,
    /// Risk acceptance criteria are set (an appetite level).
    pub has_acceptance_criteria: bool,
    /// Likelihood and impact scales have at least three described levels each.
    pub has_defined_scales: bool,
}

/// The risk register (6.1.2, 6.1.3, 8.2, 8.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RiskFacts {
    pub total: u32,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub last_assessed_on: Option<Date>,
    pub assets_in_scope: u32,
    /// In-scope assets no risk names (sample for links; `unassessed_count` is the total).
    pub unassessed_assets: Vec<Item>,
    pub unassessed_count: u32,
    /// Risks above the acceptance criteria with no treatment decided.
    pub untreated: Vec<Item>,
    /// Residual risks that need the risk owner's acceptance and have none.
    pub unaccepted: Vec<Item>,
}

/// The Statement of Applicability (6.1.3 d).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SoaFacts {
    pub approved_version: Option<u32>,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub approved_on: Option<Date>,
    /// Controls with no decision in the latest version.
    pub undecided: u32,
    /// Included controls with no reason, excluded ones with no justification.
    pub unjustified: u32,
    pub draft_open: bool,
}

/// Objectives (6.2) and their measurement (9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectiveFacts {
    pub live: u32,
    /// Live objectives lacking a metric, a target or an owner.
    pub incomplete: Vec<Item>,
    /// Live objectives with fewer measurement periods than the setting asks.
    pub under_measured: Vec<Item>,
}

/// Roles (5.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleFacts {
    pub conformity_role_held: bool,
    pub reporting_role_held: bool,
    /// Roles recorded with nobody holding them.
    pub vacant: Vec<Item>,
    pub top_management_named: bool,
}

/// The state of one piece of mandatory documented information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocState {
    Missing,
    Draft,
    Approved,
    ReviewOverdue,
}

/// One piece of mandatory documented information (mandatory-documents.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MandatoryDoc {
    pub clause: &'static str,
    pub title: String,
    pub state: DocState,
    pub path: String,
}

/// An internal audit (9.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InternalAuditFact {
    pub item: Item,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub completed_on: Option<Date>,
    /// Its scope covered every clause and every applicable control.
    pub covers_whole_isms: bool,
}

/// A management review (9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewFact {
    pub item: Item,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub held_on: Option<Date>,
    pub top_management_attended: bool,
}

/// Controls as implemented (Annex A, 9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ControlFacts {
    pub implemented: u32,
    /// Implemented controls with no current (unexpired) evidence.
    pub without_evidence: Vec<Item>,
    /// Implemented controls not checked within their monitoring frequency, or never.
    pub unmonitored: Vec<Item>,
}

/// Findings and corrective actions (10.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingFacts {
    /// Open nonconformities with no corrective action.
    pub nc_without_action: Vec<Item>,
    /// Major nonconformities not closed with an effective corrective action.
    pub majors_open: Vec<Item>,
    /// Corrective actions past their due date.
    pub actions_overdue: Vec<Item>,
    /// Findings of the Stage 1 audit not yet addressed.
    pub stage1_open: Vec<Item>,
    /// Findings of the last certification-body audit whose action is late or missing.
    pub last_audit_open: Vec<Item>,
    /// Corrective actions verified effective, and improvement opportunities acted on,
    /// in the last 12 months.
    pub improvements_last_12_months: u32,
}

/// Operation records (7.2, 7.3, A.5.19–5.27).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OperationFacts {
    pub incidents_closed: u32,
    /// Closed incidents with no lessons learned recorded.
    pub incidents_without_lessons: Vec<Item>,
    pub training_records: u32,
    /// People missing a competence their role requires.
    pub competence_gaps: Vec<Item>,
    pub awareness_campaigns_last_12_months: u32,
    pub critical_suppliers: u32,
    /// Critical suppliers never assessed or overdue for assessment.
    pub suppliers_unassessed: Vec<Item>,
}

/// The certification audits already held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertificationFacts {
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub stage1_planned_on: Option<Date>,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub stage1_held_on: Option<Date>,
    /// End of the last certification-body audit.
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub last_audit_on: Option<Date>,
    /// When the risk assessment and the SoA were last reviewed.
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub risks_reviewed_on: Option<Date>,
    #[serde(serialize_with = "crate::time::ser_opt_date")]
    pub soa_reviewed_on: Option<Date>,
}

/// Everything the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    #[serde(serialize_with = "crate::time::ser_date")]
    pub today: Date,
    pub settings: Settings,
    pub scope: ScopeFacts,
    pub policy: PolicyFacts,
    pub method: MethodFacts,
    pub risks: RiskFacts,
    pub soa: SoaFacts,
    pub objectives: ObjectiveFacts,
    pub roles: RoleFacts,
    pub mandatory_docs: Vec<MandatoryDoc>,
    pub internal_audits: Vec<InternalAuditFact>,
    pub reviews: Vec<ReviewFact>,
    pub controls: ControlFacts,
    pub findings: FindingFacts,
    pub operations: OperationFacts,
    pub certification: CertificationFacts,
}

impl Facts {
    /// An organisation with no records at all on `today`.
    pub fn empty(today: Date) -> Self {
        Self {
            today,
            settings: Settings::default(),
            scope: ScopeFacts::default(),
            policy: PolicyFacts::default(),
            method: MethodFacts::default(),
            risks: RiskFacts::default(),
            soa: SoaFacts::default(),
            objectives: ObjectiveFacts::default(),
            roles: RoleFacts::default(),
            mandatory_docs: Vec::new(),
            internal_audits: Vec::new(),
            reviews: Vec::new(),
            controls: ControlFacts::default(),
            findings: FindingFacts::default(),
            operations: OperationFacts::default(),
            certification: CertificationFacts::default(),
        }
    }

    /// The latest completed internal audit covering the whole ISMS.
    pub fn last_full_audit(&self) -> Option<(&InternalAuditFact, Date)> {
        self.internal_audits
            .iter()
            .filter(|a| a.covers_whole_isms)
            .filter_map(|a| a.completed_on.map(|d| (a, d)))
            .max_by_key(|(_, d)| *d)
    }

    /// The latest completed internal audit of any scope.
    pub fn last_audit(&self) -> Option<(&InternalAuditFact, Date)> {
        self.internal_audits
            .iter()
            .filter_map(|a| a.completed_on.map(|d| (a, d)))
            .max_by_key(|(_, d)| *d)
    }

    /// The latest management review held.
    pub fn last_review(&self) -> Option<(&ReviewFact, Date)> {
        self.reviews
            .iter()
            .filter_map(|r| r.held_on.map(|d| (r, d)))
            .max_by_key(|(_, d)| *d)
    }
}
