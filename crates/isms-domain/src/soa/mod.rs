//! The Statement of Applicability (ISO/IEC 27001 6.1.3 d): one entry per Annex A control,
//! saying whether it applies, why it is included (reasons derived from the risks it treats
//! and the requirements of interested parties that name it, plus a note) or why it is left
//! out. Versions follow the one rule set of [`crate::foundation::versioned`] (draft →
//! approved → superseded, one draft at a time, approved versions frozen, with
//! `DocKind::Soa`); this module holds what is particular to the SoA: decisions, derived
//! reasons, completeness, the approval rule, contradiction warnings, the per-control
//! comparison and (in [`import`]) reading an existing SoA, 2013 edition included.

pub mod import;

#[cfg(test)]
mod tests;

use crate::ValidationError;
use crate::catalogue::{Theme, catalogue};
use crate::foundation::versioned::{FieldDiff, diff_fields};
use serde::{Deserialize, Serialize};

/// Longest inclusion note or exclusion justification.
pub const MAX_TEXT: usize = 4000;

/// Whether a control applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Nobody has decided yet; an SoA with such controls cannot be approved.
    #[default]
    Undecided,
    /// Applicable: the control is part of the ISMS.
    Yes,
    /// Not applicable: left out, with a justification.
    No,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Undecided => "undecided",
            Applicability::Yes => "yes",
            Applicability::No => "no",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Applicability::Undecided => "Not decided",
            Applicability::Yes => "Applicable",
            Applicability::No => "Not applicable",
        }
    }

    /// Read the stored or API form (`undecided`, `yes`, `no`).
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "undecided" | "" => Ok(Applicability::Undecided),
            "yes" => Ok(Applicability::Yes),
            "no" => Ok(Applicability::No),
            _ => Err(ValidationError::single(
                field,
                "must be yes, no or undecided",
            )),
        }
    }
}

/// What people decided for one control.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub applicable: Applicability,
    /// Free text on why the control is included (besides the derived reasons).
    pub inclusion_note: String,
    /// Why the control is not applicable (required when it is not).
    pub exclusion_justification: String,
}

/// Check and normalise a decision on `control` (`5.15`). Fields are named
/// `inclusion_note` and `exclusion_justification`: a control that is not applicable
/// without a justification is refused.
pub fn check_decision(control: &str, d: &Decision) -> Result<Decision, ValidationError> {
    let mut v = ValidationError::new();
    let out = Decision {
        applicable: d.applicable,
        inclusion_note: d.inclusion_note.trim().to_owned(),
        exclusion_justification: d.exclusion_justification.trim().to_owned(),
    };
    for (field, s) in [
        ("inclusion_note", &out.inclusion_note),
        ("exclusion_justification", &out.exclusion_justification),
    ] {
        if s.chars().count() > MAX_TEXT {
            v.push(field, format!("must be at most {MAX_TEXT} characters"));
        }
    }
    if out.applicable == Applicability::No && out.exclusion_justification.is_empty() {
        v.push(
            "exclusion_justification",
            format!("is required: say why A.{control} is not applicable (an auditor will ask)"),
        );
    }
    v.into_result().map(|()| out)
}

/// Where a reason for including a control comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// The control treats a risk (6.1.3 b).
    Risk,
    /// A law an interested party's requirement names.
    Legal,
    /// A regulator's requirement.
    Regulatory,
    /// A contract.
    Contractual,
    /// Any other requirement of an interested party.
    Other,
}

/// A reason for including a control, derived from the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    pub kind: ReasonKind,
    /// "treats risk R-012: Phishing…", "required by law: UK GDPR Art. 32".
    pub text: String,
    /// The record it comes from: `R-012`, `P-003`.
    pub reference: String,
    /// Where the record is shown (`/o/northwind/risks/…`).
    pub link: String,
}

/// A risk that names the control among its treatment controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreatingRisk {
    pub number: i64,
    pub title: String,
    /// The risk's status; closed risks give no reason.
    pub status: String,
    pub link: String,
}

/// A requirement of an interested party that names the control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingRequirement {
    pub party_number: i64,
    pub party_name: String,
    /// `legal`, `regulatory`, `contractual` or `other`.
    pub source: String,
    pub text: String,
    /// The law, contract clause or document.
    pub reference: String,
    pub link: String,
}

/// Open risks named one by one among a control's reasons; the rest are counted in one
/// more reason (a large register has thousands of risks on one control).
pub const RISK_REASONS_SHOWN: usize = 10;

/// Open risks a control treats beyond those listed, for [`derive_reasons_with_more`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoreRisks {
    pub count: usize,
    /// Where all of them are listed (the control's page).
    pub link: String,
}

/// The reasons to include a control: each open risk it treats, then each requirement
/// that names it, in number order, without repeats.
pub fn derive_reasons(risks: &[TreatingRisk], requirements: &[NamingRequirement]) -> Vec<Reason> {
    derive_reasons_with_more(risks, None, requirements)
}

/// [`derive_reasons`] when `risks` holds only the first open risks of a longer list:
/// `more` adds one reason that counts the others.
pub fn derive_reasons_with_more(
    risks: &[TreatingRisk],
    more: Option<&MoreRisks>,
    requirements: &[NamingRequirement],
) -> Vec<Reason> {
    let mut risks: Vec<&TreatingRisk> = risks.iter().filter(|r| r.status != "closed").collect();
    risks.sort_by_key(|r| r.number);
    let mut reqs: Vec<&NamingRequirement> = requirements.iter().collect();
    reqs.sort_by_key(|r| r.party_number);
    let mut out: Vec<Reason> = Vec::new();
    for r in risks {
        let reference = format!("R-{:03}", r.number);
        out.push(Reason {
            kind: ReasonKind::Risk,
            text: format!("treats risk {reference}: {}", r.title),
            reference,
            link: r.link.clone(),
        });
    }
    if let Some(m) = more.filter(|m| m.count > 0) {
        out.push(Reason {
            kind: ReasonKind::Risk,
            text: format!(
                "treats {} more open risk{}",
                m.count,
                if m.count == 1 { "" } else { "s" }
            ),
            reference: String::new(),
            link: m.link.clone(),
        });
    }
    for q in reqs {
        let what = if q.reference.trim().is_empty() {
            q.text.trim()
        } else {
            q.reference.trim()
        };
        let (kind, text) = match q.source.as_str() {
            "legal" => (
                ReasonKind::Legal,
                format!("required by law: {what} ({})", q.party_name),
            ),
            "regulatory" => (
                ReasonKind::Regulatory,
                format!("required by {} (regulatory: {what})", q.party_name),
            ),
            "contractual" => (
                ReasonKind::Contractual,
                format!("required by {} (contractual: {what})", q.party_name),
            ),
            _ => (
                ReasonKind::Other,
                format!("required by {}: {what}", q.party_name),
            ),
        };
        if out.iter().any(|r| r.text == text) {
            continue;
        }
        out.push(Reason {
            kind,
            text,
            reference: format!("P-{:03}", q.party_number),
            link: q.link.clone(),
        });
    }
    out
}

/// How the control register's implementation status reads (`not_started` when the
/// control has no record).
pub fn status_label(status: &str) -> &'static str {
    match status {
        "planned" => "Planned",
        "partially_implemented" => "Partially implemented",
        "implemented" => "Implemented",
        "not_applicable" => "Not applicable",
        _ => "Not started",
    }
}

/// One row of the SoA as shown: the decision, the reasons derived for it and the
/// implementation status (live in a draft, frozen in an approved version).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `5.15`.
    pub control: String,
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    /// `not_started`, `planned`, `partially_implemented`, `implemented` or
    /// `not_applicable`.
    pub implementation_status: String,
}

/// What is missing on one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// No decision yet.
    Undecided,
    /// Applicable, but neither a derived reason nor a note says why.
    NoReason,
    /// Not applicable without a justification.
    NoExclusionJustification,
}

impl Gap {
    pub fn as_str(self) -> &'static str {
        match self {
            Gap::Undecided => "undecided",
            Gap::NoReason => "no_reason",
            Gap::NoExclusionJustification => "no_exclusion_justification",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Gap::Undecided => "not decided",
            Gap::NoReason => "no reason for inclusion",
            Gap::NoExclusionJustification => "no justification for exclusion",
        }
    }
}

/// What is missing on `e`, if anything.
pub fn gap(e: &Entry) -> Option<Gap> {
    match e.decision.applicable {
        Applicability::Undecided => Some(Gap::Undecided),
        Applicability::Yes
            if e.reasons.is_empty() && e.decision.inclusion_note.trim().is_empty() =>
        {
            Some(Gap::NoReason)
        }
        Applicability::No if e.decision.exclusion_justification.trim().is_empty() => {
            Some(Gap::NoExclusionJustification)
        }
        _ => None,
    }
}

/// How complete an SoA is: counts and the controls still open, in catalogue order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Completeness {
    /// Annex A controls (93).
    pub total: usize,
    pub decided: usize,
    pub applicable: usize,
    pub excluded: usize,
    /// Controls with no decision (a control missing from the version counts here).
    pub undecided: Vec<String>,
    /// Applicable controls without any reason or note.
    pub without_reason: Vec<String>,
    /// Excluded controls without a justification.
    pub without_justification: Vec<String>,
    /// Nothing is missing: the version may be approved.
    pub complete: bool,
}

/// Completeness of the entries against the whole of Annex A.
pub fn completeness(entries: &[Entry]) -> Completeness {
    let mut c = Completeness {
        total: catalogue().controls().len(),
        ..Default::default()
    };
    for ctl in catalogue().controls() {
        let Some(e) = entries.iter().find(|e| e.control == ctl.id) else {
            c.undecided.push(ctl.id.clone());
            continue;
        };
        match e.decision.applicable {
            Applicability::Yes => c.applicable += 1,
            Applicability::No => c.excluded += 1,
            Applicability::Undecided => {}
        }
        match gap(e) {
            Some(Gap::Undecided) => c.undecided.push(ctl.id.clone()),
            Some(Gap::NoReason) => c.without_reason.push(ctl.id.clone()),
            Some(Gap::NoExclusionJustification) => c.without_justification.push(ctl.id.clone()),
            None => {}
        }
    }
    c.decided = c.applicable + c.excluded;
    c.complete =
        c.undecided.is_empty() && c.without_reason.is_empty() && c.without_justification.is_empty();
    c
}

/// Before approval: every control decided, every inclusion with a reason or note, every
/// exclusion justified. Each problem names its control (`entries[5.15].applicable`).
pub fn check_approvable(entries: &[Entry]) -> Result<(), ValidationError> {
    let c = completeness(entries);
    let mut v = ValidationError::new();
    for id in &c.undecided {
        v.push(
            format!("entries[{id}].applicable"),
            format!("A.{id} is not decided yet: say whether it applies"),
        );
    }
    for id in &c.without_justification {
        v.push(
            format!("entries[{id}].exclusion_justification"),
            format!("A.{id} is not applicable but has no justification for its exclusion"),
        );
    }
    for id in &c.without_reason {
        v.push(
            format!("entries[{id}].inclusion_note"),
            format!(
                "A.{id} is applicable but nothing says why: link it to a risk or requirement, or write a note"
            ),
        );
    }
    v.into_result()
}

/// A contradiction between the SoA and the records (the control register, or a risk or
/// requirement that calls for an excluded control), if there is one.
pub fn warning(e: &Entry) -> Option<String> {
    if e.decision.applicable == Applicability::No && !e.reasons.is_empty() {
        return Some(format!(
            "A.{} is excluded, but {}: include it, or take it off the risk or requirement",
            e.control,
            e.reasons
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    match (e.decision.applicable, e.implementation_status.as_str()) {
        (Applicability::No, "implemented") => Some(format!(
            "A.{} is marked not applicable, but the control register says it is implemented: include it, or correct the status",
            e.control
        )),
        (Applicability::Yes, "not_applicable") => Some(format!(
            "A.{} is applicable, but the control register marks it not applicable",
            e.control
        )),
        _ => None,
    }
}

/// The theme an Annex A control belongs to (for grouping).
pub fn theme_of(control: &str) -> Option<Theme> {
    catalogue().control(control).map(|c| c.theme)
}

fn one(s: &str) -> Vec<String> {
    if s.trim().is_empty() {
        Vec::new()
    } else {
        vec![s.trim().to_owned()]
    }
}

/// An entry as named fields for the comparison.
pub fn entry_fields(e: &Entry) -> Vec<(&'static str, &'static str, Vec<String>)> {
    vec![
        (
            "applicable",
            "Applicable",
            vec![e.decision.applicable.label().to_owned()],
        ),
        (
            "reasons",
            "Derived reasons",
            e.reasons.iter().map(|r| r.text.clone()).collect(),
        ),
        (
            "inclusion_note",
            "Inclusion note",
            one(&e.decision.inclusion_note),
        ),
        (
            "exclusion_justification",
            "Justification for exclusion",
            one(&e.decision.exclusion_justification),
        ),
        (
            "implementation_status",
            "Implementation status",
            vec![status_label(&e.implementation_status).to_owned()],
        ),
    ]
}

/// What changed for one control between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ControlDiff {
    /// `5.15`.
    pub control: String,
    pub title: String,
    pub changes: Vec<FieldDiff>,
}

/// Every control whose entry differs between `from` and `to`, in catalogue order. A
/// control missing from a version compares as undecided.
pub fn diff(from: &[Entry], to: &[Entry]) -> Vec<ControlDiff> {
    let blank = |id: &str| Entry {
        control: id.to_owned(),
        implementation_status: "not_started".into(),
        ..Default::default()
    };
    catalogue()
        .controls()
        .iter()
        .filter_map(|c| {
            let a = from
                .iter()
                .find(|e| e.control == c.id)
                .cloned()
                .unwrap_or_else(|| blank(&c.id));
            let b = to
                .iter()
                .find(|e| e.control == c.id)
                .cloned()
                .unwrap_or_else(|| blank(&c.id));
            let changes = diff_fields(entry_fields(&a), entry_fields(&b));
            (!changes.is_empty()).then(|| ControlDiff {
                control: c.id.clone(),
                title: c.title.clone(),
                changes,
            })
        })
        .collect()
}

/// A one-line summary of a decision change for the audit trail:
/// "A.7.4: not applicable → applicable; inclusion note".
pub fn change_summary(control: &str, before: &Decision, after: &Decision) -> String {
    let mut parts = Vec::new();
    if before.applicable != after.applicable {
        parts.push(format!(
            "{} → {}",
            before.applicable.label().to_lowercase(),
            after.applicable.label().to_lowercase()
        ));
    }
    if before.inclusion_note != after.inclusion_note {
        parts.push("inclusion note".to_owned());
    }
    if before.exclusion_justification != after.exclusion_justification {
        parts.push("exclusion justification".to_owned());
    }
    if parts.is_empty() {
        format!("A.{control}: no change")
    } else {
        format!("A.{control}: {}", parts.join("; "))
    }
}
