//! Rules of the risk register: treatment options, the life cycle of a risk, and who may
//! accept a residual risk, why and until when (ISO/IEC 27001 6.1.3 and 8.3).

use super::method::{Method, owner_may_accept};
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// How a risk is dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Reduce likelihood or impact with controls.
    Modify,
    /// Keep the risk as it is, knowingly.
    Retain,
    /// Stop or change the activity that causes it.
    Avoid,
    /// Pass part of it to someone else (insurer, supplier).
    Share,
}

impl Treatment {
    /// Every option, in the order usually considered.
    pub const ALL: [Treatment; 4] = [
        Treatment::Modify,
        Treatment::Retain,
        Treatment::Avoid,
        Treatment::Share,
    ];

    /// Stable identifier (`modify`, `retain`, `avoid`, `share`).
    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Modify => "modify",
            Treatment::Retain => "retain",
            Treatment::Avoid => "avoid",
            Treatment::Share => "share",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Treatment::Modify => "Modify (reduce)",
            Treatment::Retain => "Retain (accept)",
            Treatment::Avoid => "Avoid",
            Treatment::Share => "Share (transfer)",
        }
    }

    /// When to choose this option, in one sentence.
    pub fn guidance(self) -> &'static str {
        match self {
            Treatment::Modify => {
                "Add or improve controls that make the event less likely or less harmful, then score the risk that remains."
            }
            Treatment::Retain => {
                "Keep the risk as it is because it is within the acceptance criteria or treating it would cost more than it saves; record the reason and get it accepted."
            }
            Treatment::Avoid => {
                "Stop, change or never start the activity, system or supplier that gives rise to the risk."
            }
            Treatment::Share => {
                "Move part of the consequences to another party through insurance or a contract; you still own the risk and must check the other party delivers."
            }
        }
    }

    /// Parse the identifier; unknown values name the field.
    pub fn parse(field: &str, s: &str) -> Result<Treatment, ValidationError> {
        let t = s.trim().to_lowercase();
        Treatment::ALL
            .into_iter()
            .find(|x| x.as_str() == t)
            .ok_or_else(|| ValidationError::single(field, "must be modify, retain, avoid or share"))
    }
}

/// Where a risk is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskStatus {
    /// Written down, not yet scored.
    Identified,
    /// Scored for likelihood and impact; a treatment decision is due.
    Assessed,
    /// A treatment is chosen and planned with an owner and a date.
    TreatmentPlanned,
    /// The planned treatment is being carried out.
    TreatmentInProgress,
    /// The treatment is done and the remaining risk has been scored.
    Treated,
    /// The remaining risk is formally accepted until a set date.
    Accepted,
    /// No longer relevant: the asset or activity is gone, or the risk was avoided.
    Closed,
}

impl RiskStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [RiskStatus; 7] = [
        RiskStatus::Identified,
        RiskStatus::Assessed,
        RiskStatus::TreatmentPlanned,
        RiskStatus::TreatmentInProgress,
        RiskStatus::Treated,
        RiskStatus::Accepted,
        RiskStatus::Closed,
    ];

    /// Stable identifier (`treatment_planned`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskStatus::Identified => "identified",
            RiskStatus::Assessed => "assessed",
            RiskStatus::TreatmentPlanned => "treatment_planned",
            RiskStatus::TreatmentInProgress => "treatment_in_progress",
            RiskStatus::Treated => "treated",
            RiskStatus::Accepted => "accepted",
            RiskStatus::Closed => "closed",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            RiskStatus::Identified => "Identified",
            RiskStatus::Assessed => "Assessed",
            RiskStatus::TreatmentPlanned => "Treatment planned",
            RiskStatus::TreatmentInProgress => "Treatment in progress",
            RiskStatus::Treated => "Treated",
            RiskStatus::Accepted => "Accepted",
            RiskStatus::Closed => "Closed",
        }
    }

    /// Parse the identifier; unknown values name the field.
    pub fn parse(field: &str, s: &str) -> Result<RiskStatus, ValidationError> {
        let t = s.trim().to_lowercase().replace([' ', '-'], "_");
        RiskStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    format!(
                        "must be one of: {}",
                        RiskStatus::ALL.map(RiskStatus::as_str).join(", ")
                    ),
                )
            })
    }

    /// The statuses a risk may move to from this one by an ordinary edit (see
    /// [`check_transition`]); `Accepted` is never among them.
    pub fn next(self) -> &'static [RiskStatus] {
        use RiskStatus::*;
        match self {
            Identified => &[Assessed, Closed],
            Assessed => &[TreatmentPlanned, Closed],
            TreatmentPlanned => &[TreatmentInProgress, Treated, Assessed, Closed],
            TreatmentInProgress => &[Treated, TreatmentPlanned, Assessed, Closed],
            Treated => &[Assessed, TreatmentPlanned, Closed],
            Accepted => &[Assessed, TreatmentPlanned, Closed],
            Closed => &[Identified],
        }
    }
}

impl fmt::Display for RiskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether an ordinary edit may move a risk from `from` to `to` (field `status`).
///
/// The life cycle: identified → assessed → treatment planned → in progress → treated
/// (a quick treatment may go from planned straight to treated);
/// a risk can be reassessed (back to assessed) whenever it is open, a treatment can be
/// re-planned, any open risk can be closed, and a closed risk can only be reopened as
/// identified. Keeping the same status is always allowed. `Accepted` is never reached
/// this way: acceptance goes through [`check_acceptance`], which records who accepted,
/// why and until when.
pub fn check_transition(from: RiskStatus, to: RiskStatus) -> Result<(), ValidationError> {
    if from == to || from.next().contains(&to) {
        return Ok(());
    }
    let msg = if to == RiskStatus::Accepted {
        "a risk is accepted through the acceptance step, which records who accepted it, why and until when".to_owned()
    } else {
        format!(
            "cannot go from {from} to {to}; from {from} a risk can go to: {}",
            from.next()
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(ValidationError::single("status", msg))
}

/// Whether a risk in this status can be accepted (field `status`): it must have been
/// assessed, and must not be closed. An accepted risk may be accepted again to renew.
pub fn check_can_accept(from: RiskStatus) -> Result<(), ValidationError> {
    match from {
        RiskStatus::Identified => Err(ValidationError::single(
            "status",
            "score the risk before accepting it: acceptance needs a residual level",
        )),
        RiskStatus::Closed => Err(ValidationError::single(
            "status",
            "a closed risk cannot be accepted; reopen it first",
        )),
        _ => Ok(()),
    }
}

/// Shortest acceptance rationale, in characters.
pub const MIN_RATIONALE_CHARS: usize = 10;
/// Longest acceptance rationale, in characters.
pub const MAX_RATIONALE_CHARS: usize = 2000;
/// How far ahead an acceptance may expire, in years.
pub const MAX_ACCEPTANCE_YEARS: i32 = 3;

/// A request to accept the residual risk of one risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceInput {
    /// The residual risk level (index into the method's levels).
    pub residual_level: u8,
    /// Why the risk is accepted.
    pub rationale: String,
    /// When the acceptance lapses and the risk must be looked at again.
    pub expires_on: Option<Date>,
    /// Whether the person accepting is the risk's owner.
    pub acceptor_is_owner: bool,
    /// Whether the person accepting holds the Approve permission.
    pub acceptor_can_approve: bool,
}

/// Who accepted a residual risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceKind {
    /// The risk owner, within the acceptance criteria.
    ByOwner,
    /// Someone with approval rights: needed when the residual risk is above the
    /// criteria, or when someone other than the owner accepts.
    ByApprover,
}

impl AcceptanceKind {
    /// Both kinds.
    pub const ALL: [AcceptanceKind; 2] = [AcceptanceKind::ByOwner, AcceptanceKind::ByApprover];

    /// Stable identifier (`by_owner`, `by_approver`).
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptanceKind::ByOwner => "by_owner",
            AcceptanceKind::ByApprover => "by_approver",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AcceptanceKind::ByOwner => "Accepted by the risk owner",
            AcceptanceKind::ByApprover => "Accepted with management approval",
        }
    }
}

/// The same day `years` later (28 February when the day is 29 February).
fn years_later(d: Date, years: i32) -> Date {
    let y = d.year().saturating_add(years);
    d.replace_year(y)
        .or_else(|_| d.replace_day(28).and_then(|x| x.replace_year(y)))
        .unwrap_or(Date::MAX)
}

/// Check an acceptance of residual risk and say who accepted it.
///
/// Rules: a rationale of at least 10 characters; an expiry date after today and at most
/// three years ahead; a residual level above the method's acceptance level needs someone
/// with approval rights; at or below it, the acceptor must be the risk owner or have
/// approval rights. Every problem is reported.
pub fn check_acceptance(
    m: &Method,
    a: &AcceptanceInput,
    today: Date,
) -> Result<AcceptanceKind, ValidationError> {
    let mut errs = ValidationError::new();
    let rationale = a.rationale.trim().chars().count();
    if rationale < MIN_RATIONALE_CHARS {
        errs.push(
            "rationale",
            format!(
                "explain in at least {MIN_RATIONALE_CHARS} characters why the risk is accepted; an auditor will ask"
            ),
        );
    } else if rationale > MAX_RATIONALE_CHARS {
        errs.push(
            "rationale",
            format!("must be at most {MAX_RATIONALE_CHARS} characters"),
        );
    }
    let latest = years_later(today, MAX_ACCEPTANCE_YEARS);
    match a.expires_on {
        None => errs.push(
            "expires_on",
            "is required: an acceptance must be looked at again by a set date",
        ),
        Some(d) if d <= today => errs.push("expires_on", "must be after today"),
        Some(d) if d > latest => errs.push(
            "expires_on",
            format!("must be at most three years ahead (on or before {latest})"),
        ),
        Some(_) => {}
    }
    let mut kind = AcceptanceKind::ByApprover;
    if m.risk_level(a.residual_level).is_none() {
        errs.push(
            "residual_level",
            format!(
                "is not a risk level of the method (0 to {})",
                m.highest_level()
            ),
        );
    } else if !owner_may_accept(m, a.residual_level) {
        if !a.acceptor_can_approve {
            errs.push(
                "residual_level",
                format!(
                    "{} is above the acceptance criteria ({} or lower): only someone with approval rights, such as the ISMS manager, can accept it; otherwise treat the risk further",
                    m.level_name(a.residual_level),
                    m.level_name(m.acceptance_level)
                ),
            );
        }
    } else if a.acceptor_is_owner {
        kind = AcceptanceKind::ByOwner;
    } else if !a.acceptor_can_approve {
        errs.push(
            "acceptor",
            "only the risk owner or someone with approval rights can accept this risk",
        );
    }
    errs.into_result().map(|()| kind)
}
