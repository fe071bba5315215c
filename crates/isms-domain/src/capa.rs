//! Findings and corrective actions (ISO 27001 10.2): one register of findings from any
//! source, graded major or minor nonconformity, observation or opportunity for
//! improvement; corrective actions on the nonconformities, with the immediate
//! correction, the root-cause analysis, the action itself and the verification of its
//! effectiveness.
//!
//! The rules an auditor checks are plain functions here: a nonconformity is closed only
//! after a corrective action was verified effective ([`check_finding_status`]); an action
//! is verified only once implemented and never by its own owner ([`check_verification`]);
//! a major nonconformity needs its root cause before the action is implemented
//! ([`check_action_status`]); an action past its due date and not implemented is overdue
//! ([`is_overdue`]).

use crate::ValidationError;
use crate::catalogue::catalogue;
use crate::control::{ControlRef, looks_like_annex_a, parse_control_ref};
use time::Date;
use uuid::Uuid;

/// Longest title.
pub const MAX_TITLE: usize = 200;
/// Longest description, evidence, correction, analysis or note.
pub const MAX_TEXT: usize = 8000;
/// At most this many why/answer lines in a five-whys analysis.
pub const MAX_WHYS: usize = 5;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($(#[$vm:meta])* $v:ident => $s:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }

            /// How people read it.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }

            pub fn from_stored(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$v),)+ _ => None }
            }

            /// Read it from input, naming `field` when it is none of the values.
            pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
                Self::from_stored(s.trim()).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    ValidationError::single(field, format!("{} must be one of {}", $what, all.join(", ")))
                })
            }
        }
    };
}

text_enum!(
    /// Where a finding came from.
    Source, "the source", {
        InternalAudit => "internal_audit", "Internal audit";
        CertificationAudit => "certification_audit", "Certification audit";
        Incident => "incident", "Incident";
        ManagementReview => "management_review", "Management review";
        Monitoring => "monitoring", "Monitoring";
        Complaint => "complaint", "Complaint";
        Other => "other", "Other";
    }
);

text_enum!(
    /// How serious a finding is.
    Grade, "the grade", {
        /// A requirement is not met at all, or the failure puts the ISMS at risk.
        MajorNc => "major_nc", "Major nonconformity";
        /// A single lapse against a requirement.
        MinorNc => "minor_nc", "Minor nonconformity";
        /// Not a nonconformity yet, but could become one.
        Observation => "observation", "Observation";
        /// Something that could be done better.
        Ofi => "ofi", "Opportunity for improvement";
    }
);

impl Grade {
    /// Major or minor nonconformity: needs a corrective action verified effective.
    pub fn is_nonconformity(self) -> bool {
        matches!(self, Grade::MajorNc | Grade::MinorNc)
    }
}

text_enum!(
    /// Where a finding stands.
    FindingStatus, "the status", {
        Open => "open", "Open";
        ActionPlanned => "action_planned", "Action planned";
        Verifying => "verifying", "Verifying";
        Closed => "closed", "Closed";
    }
);

text_enum!(
    /// Where a corrective action stands.
    ActionStatus, "the status", {
        Planned => "planned", "Planned";
        InProgress => "in_progress", "In progress";
        Implemented => "implemented", "Implemented";
        VerifiedEffective => "verified_effective", "Verified effective";
        VerifiedIneffective => "verified_ineffective", "Verified ineffective";
        Closed => "closed", "Closed";
    }
);

text_enum!(
    /// How the root cause was found.
    RcaMethod, "the method", {
        FiveWhys => "five_whys", "Five whys";
        Fishbone => "fishbone", "Fishbone (Ishikawa)";
        Other => "other", "Other";
    }
);

text_enum!(
    /// The result of an effectiveness check.
    Effectiveness, "the result", {
        Effective => "effective", "Effective";
        Ineffective => "ineffective", "Ineffective";
    }
);

/// How a finding is numbered for people: `F-001`.
pub fn finding_ref(number: i64) -> String {
    format!("F-{number:03}")
}

/// How a corrective action is numbered for people: `CA-001`.
pub fn action_ref(number: i64) -> String {
    format!("CA-{number:03}")
}

/// What a finding is raised against: a clause of the standard or a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `9.2`, `6.1.3`.
    Clause(String),
    /// Annex A `5.15` or an own control `NW-07`.
    Control(ControlRef),
}

impl Reference {
    /// The stored form: `9.2` for a clause, `A.5.15` or `NW-07` for a control.
    pub fn stored(&self) -> String {
        match self {
            Reference::Clause(c) => c.clone(),
            Reference::Control(ControlRef::AnnexA(id)) => format!("A.{id}"),
            Reference::Control(ControlRef::Own(code)) => code.clone(),
        }
    }

    /// An own control code, which the caller must find in the organisation.
    pub fn own_code(&self) -> Option<&str> {
        match self {
            Reference::Control(ControlRef::Own(code)) => Some(code),
            _ => None,
        }
    }
}

/// Read a reference. `Clause 9.2` and `A.5.15` say which is meant; a bare number is a
/// clause when the standard has that clause (4.1–10.2), otherwise an Annex A control
/// (`5.15`); `5.2` is therefore the clause, write `A.5.2` for the control. Anything
/// else is read as an own-control code (`NW-07`).
pub fn parse_reference(field: &str, raw: &str) -> Result<Reference, ValidationError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValidationError::single(
            field,
            "is required: a clause (9.2) or a control (A.5.15, NW-07)",
        ));
    }
    let lower = s.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("clause") {
        let id = rest.trim();
        return if catalogue().clause(id).is_some() {
            Ok(Reference::Clause(id.to_owned()))
        } else {
            Err(ValidationError::single(
                field,
                format!("\"{s}\" is not a clause of ISO/IEC 27001 (e.g. 9.2)"),
            ))
        };
    }
    let explicit_annex = lower.starts_with("a.") || lower.starts_with("a ");
    if !explicit_annex && s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        if catalogue().clause(s).is_some() {
            return Ok(Reference::Clause(s.to_owned()));
        }
        if looks_like_annex_a(s) && catalogue().control(s).is_some() {
            return parse_control_ref(field, s).map(Reference::Control);
        }
        return Err(ValidationError::single(
            field,
            format!(
                "\"{s}\" is neither a clause (4.1 to 10.2, e.g. 9.2) nor an Annex A control (e.g. 5.15)"
            ),
        ));
    }
    parse_control_ref(field, s).map(Reference::Control)
}

/// A finding's date: it cannot be raised in the future.
pub fn check_raised_on(field: &str, raised_on: Date, today: Date) -> Result<(), ValidationError> {
    if raised_on > today {
        Err(ValidationError::single(
            field,
            "cannot be in the future: a finding is raised on or before today",
        ))
    } else {
        Ok(())
    }
}

/// The deadline (a certification body's, or our own) cannot be before the finding.
pub fn check_deadline(raised_on: Date, deadline: Option<Date>) -> Result<(), ValidationError> {
    match deadline {
        Some(d) if d < raised_on => Err(ValidationError::single(
            "deadline",
            "must be on or after the day the finding was raised",
        )),
        _ => Ok(()),
    }
}

/// A certification body sets a deadline for each nonconformity it raises (for the
/// correction and the corrective action plan); such a finding is recorded with it.
pub fn check_body_deadline(
    source: Source,
    grade: Grade,
    deadline: Option<Date>,
) -> Result<(), ValidationError> {
    if source == Source::CertificationAudit && grade.is_nonconformity() && deadline.is_none() {
        return Err(ValidationError::single(
            "deadline",
            "is required for a nonconformity from a certification audit: enter the date the body's report sets",
        ));
    }
    Ok(())
}

/// A corrective action without a due date of its own is due by the finding's deadline.
pub fn default_due_on(due_on: Option<Date>, finding_deadline: Option<Date>) -> Option<Date> {
    due_on.or(finding_deadline)
}

/// What a finding's status change depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingState {
    pub grade: Grade,
    pub status: FindingStatus,
    /// At least one corrective action on it was verified effective.
    pub has_effective_action: bool,
    /// A closure note was given (observations and OFIs close with a note).
    pub has_closure_note: bool,
}

/// Whether a finding may move to `to`. A nonconformity closes only after a corrective
/// action was verified effective; an observation or OFI may close with a note and no
/// action. A closed finding stays closed.
pub fn check_finding_status(s: &FindingState, to: FindingStatus) -> Result<(), ValidationError> {
    let err = |m: &str| Err(ValidationError::single("status", m));
    if s.status == to {
        return Ok(());
    }
    if s.status == FindingStatus::Closed {
        return err("the finding is closed; raise a new finding if the problem came back");
    }
    if to == FindingStatus::Closed {
        if s.grade.is_nonconformity() && !s.has_effective_action {
            return err(
                "a nonconformity can only be closed once a corrective action on it has been verified effective; verify the action's effectiveness first",
            );
        }
        if !s.grade.is_nonconformity() && !s.has_effective_action && !s.has_closure_note {
            return err(
                "write a closure note saying what was done about the observation or opportunity",
            );
        }
    }
    if to == FindingStatus::Verifying && !s.grade.is_nonconformity() && !s.has_effective_action {
        return err(
            "only a finding with a corrective action is verified; close an observation or opportunity with a note",
        );
    }
    Ok(())
}

/// Overdue: the due date has passed and the action is not implemented yet.
pub fn is_overdue(status: ActionStatus, due_on: Option<Date>, today: Date) -> bool {
    matches!(status, ActionStatus::Planned | ActionStatus::InProgress)
        && due_on.is_some_and(|d| d < today)
}

/// What a corrective action's status change depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionState {
    pub status: ActionStatus,
    /// The grade of the finding it corrects; none for an action from a review decision.
    pub grade: Option<Grade>,
    pub has_root_cause: bool,
    pub has_description: bool,
}

/// Whether a corrective action may move to `to` by an edit. The verified states are set
/// by a verification only ([`check_verification`]); an action is closed only after one.
/// A major nonconformity's action needs its root cause before it is implemented.
pub fn check_action_status(s: &ActionState, to: ActionStatus) -> Result<(), ValidationError> {
    use ActionStatus::*;
    let err = |m: &str| Err(ValidationError::single("status", m));
    if s.status == to {
        return Ok(());
    }
    match (s.status, to) {
        (Closed, _) => err("the action is closed; add a new corrective action instead"),
        (_, VerifiedEffective | VerifiedIneffective) => {
            err("record a verification of effectiveness to set this status")
        }
        (VerifiedEffective | VerifiedIneffective, Closed) => Ok(()),
        (_, Closed) => {
            err("an action is closed only after its effectiveness was verified; verify it first")
        }
        (VerifiedEffective | VerifiedIneffective, _) => {
            err("the action has been verified; add a new corrective action if more is needed")
        }
        (_, Implemented) => {
            if !s.has_description {
                return err("describe the corrective action before marking it implemented");
            }
            if s.grade == Some(Grade::MajorNc) && !s.has_root_cause {
                return err(
                    "a major nonconformity needs its root cause recorded before the action is implemented",
                );
            }
            Ok(())
        }
        (Implemented, Planned | InProgress) | (Planned, InProgress) | (InProgress, Planned) => {
            Ok(())
        }
        _ => err("that status change is not possible"),
    }
}

/// Whether `verifier` may record a verification now: the action must be implemented,
/// and its owner cannot verify their own action.
pub fn check_verification(
    status: ActionStatus,
    owner: Option<Uuid>,
    verifier: Uuid,
) -> Result<(), ValidationError> {
    match status {
        ActionStatus::Implemented => {}
        ActionStatus::VerifiedEffective | ActionStatus::VerifiedIneffective => {
            return Err(ValidationError::single(
                "status",
                "the action has already been verified",
            ));
        }
        ActionStatus::Closed => {
            return Err(ValidationError::single("status", "the action is closed"));
        }
        _ => {
            return Err(ValidationError::single(
                "status",
                "an action can only be verified once it is implemented; mark it implemented first",
            ));
        }
    }
    if owner == Some(verifier) {
        return Err(ValidationError::single(
            "verified_by",
            "the owner of an action cannot verify its effectiveness; ask someone independent of it",
        ));
    }
    Ok(())
}

/// The status an action gets from a verification result.
pub fn status_after_verification(result: Effectiveness) -> ActionStatus {
    match result {
        Effectiveness::Effective => ActionStatus::VerifiedEffective,
        Effectiveness::Ineffective => ActionStatus::VerifiedIneffective,
    }
}

/// The verification result a record that reaches `target` carries: the one `given`, or
/// the one a verified status implies; a result that contradicts the status is an error.
pub fn verification_for(
    target: Option<ActionStatus>,
    given: Option<Effectiveness>,
) -> Result<Option<Effectiveness>, String> {
    match (target, given) {
        (Some(ActionStatus::VerifiedEffective), None) => Ok(Some(Effectiveness::Effective)),
        (Some(ActionStatus::VerifiedIneffective), None) => Ok(Some(Effectiveness::Ineffective)),
        (
            Some(t @ (ActionStatus::VerifiedEffective | ActionStatus::VerifiedIneffective)),
            Some(r),
        ) if status_after_verification(r) != t => Err(format!(
            "\"{}\" does not agree with the status {}",
            r.as_str(),
            t.as_str()
        )),
        (_, r) => Ok(r),
    }
}

/// One step an import takes to bring a corrective action to the status its row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStep {
    /// An edit of the status ([`check_action_status`] decides whether it may).
    Set(ActionStatus),
    /// A verification of effectiveness ([`check_verification`]).
    Verify,
}

/// The steps from `from` to `to` as a person would take them: the verified statuses
/// come from a verification of an implemented action, and "closed" from a verified one.
/// A step that is not allowed (a verified action back to planned, …) is still returned,
/// so that the edit's own check explains why.
pub fn status_path(from: ActionStatus, to: ActionStatus) -> Vec<ActionStep> {
    use ActionStatus::*;
    use ActionStep::*;
    let verified = |s| matches!(s, VerifiedEffective | VerifiedIneffective);
    match to {
        _ if from == to => Vec::new(),
        VerifiedEffective | VerifiedIneffective if from == Implemented => vec![Verify],
        VerifiedEffective | VerifiedIneffective if !verified(from) && from != Closed => {
            vec![Set(Implemented), Verify]
        }
        Closed if verified(from) => vec![Set(Closed)],
        Closed if from == Implemented => vec![Verify, Set(Closed)],
        Closed if from != Closed => vec![Set(Implemented), Verify, Set(Closed)],
        other => vec![Set(other)],
    }
}

/// The status a finding gets when one of its actions changes: an effective action puts
/// it into verifying (closing stays a person's decision); an ineffective one sends it
/// back to "open" (a new action is needed) unless another action is still under way.
pub fn finding_status_after_actions(
    current: FindingStatus,
    actions: &[ActionStatus],
) -> FindingStatus {
    use ActionStatus::*;
    if current == FindingStatus::Closed {
        return current;
    }
    if actions
        .iter()
        .any(|a| matches!(a, VerifiedEffective | Closed))
        && !actions
            .iter()
            .any(|a| matches!(a, Planned | InProgress | Implemented))
    {
        return FindingStatus::Verifying;
    }
    if actions
        .iter()
        .any(|a| matches!(a, Planned | InProgress | Implemented))
    {
        return FindingStatus::ActionPlanned;
    }
    if actions.is_empty() {
        return current;
    }
    FindingStatus::Open
}

/// One line of a five-whys analysis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Why {
    pub why: String,
    pub answer: String,
}

/// Read up to five why/answer lines, dropping empty ones; each line needs both parts.
pub fn check_whys(whys: &[Why]) -> Result<Vec<Why>, ValidationError> {
    let mut v = ValidationError::new();
    let mut out = Vec::new();
    for (i, w) in whys.iter().enumerate() {
        let (q, a) = (w.why.trim(), w.answer.trim());
        if q.is_empty() && a.is_empty() {
            continue;
        }
        if q.is_empty() || a.is_empty() {
            v.push(
                format!("five_whys[{i}]"),
                "each line needs both the question and its answer",
            );
        }
        if q.chars().count() > 1000 || a.chars().count() > 1000 {
            v.push(format!("five_whys[{i}]"), "must be at most 1000 characters");
        }
        out.push(Why {
            why: q.to_owned(),
            answer: a.to_owned(),
        });
    }
    if out.len() > MAX_WHYS {
        v.push("five_whys", "at most five why/answer lines");
    }
    v.into_result().map(|()| out)
}

/// A correction date and a due date cannot be before the action was recorded's finding
/// date; the verification cannot be before the correction.
pub fn check_action_dates(
    raised_on: Option<Date>,
    correction_on: Option<Date>,
    due_on: Option<Date>,
) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if let Some(r) = raised_on {
        if correction_on.is_some_and(|c| c < r) {
            v.push("correction_on", "cannot be before the finding was raised");
        }
        if due_on.is_some_and(|d| d < r) {
            v.push("due_on", "cannot be before the finding was raised");
        }
    }
    v.into_result()
}

/// The verification date: not in the future.
pub fn check_verified_on(verified_on: Date, today: Date) -> Result<(), ValidationError> {
    if verified_on > today {
        Err(ValidationError::single(
            "verified_on",
            "cannot be in the future",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod body_deadline_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_body_nonconformity_needs_its_deadline() {
        let e = check_body_deadline(Source::CertificationAudit, Grade::MinorNc, None).unwrap_err();
        assert_eq!(e.errors[0].field, "deadline");
        assert!(check_body_deadline(Source::CertificationAudit, Grade::MajorNc, None).is_err());
        let d = Some(date!(2026 - 05 - 20));
        assert!(check_body_deadline(Source::CertificationAudit, Grade::MinorNc, d).is_ok());
        // An observation has no deadline; our own findings may have none.
        assert!(check_body_deadline(Source::CertificationAudit, Grade::Observation, None).is_ok());
        assert!(check_body_deadline(Source::InternalAudit, Grade::MajorNc, None).is_ok());
    }

    #[test]
    fn an_action_is_due_by_the_finding_deadline_unless_given_its_own() {
        let own = Some(date!(2026 - 04 - 01));
        let deadline = Some(date!(2026 - 05 - 20));
        assert_eq!(default_due_on(None, deadline), deadline);
        assert_eq!(default_due_on(own, deadline), own);
        assert_eq!(default_due_on(None, None), None);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn verification_follows_a_verified_status() {
        use ActionStatus::*;
        use Effectiveness::*;
        assert_eq!(
            verification_for(Some(VerifiedEffective), None),
            Ok(Some(Effective))
        );
        assert_eq!(
            verification_for(Some(VerifiedIneffective), None),
            Ok(Some(Ineffective))
        );
        assert_eq!(
            verification_for(Some(Closed), Some(Ineffective)),
            Ok(Some(Ineffective))
        );
        assert_eq!(verification_for(Some(Closed), None), Ok(None));
        assert!(verification_for(Some(VerifiedEffective), Some(Ineffective)).is_err());
    }

    #[test]
    fn status_path_goes_through_implementation_and_verification() {
        use ActionStatus::*;
        use ActionStep::*;
        assert_eq!(status_path(Planned, Planned), vec![]);
        assert_eq!(status_path(Planned, InProgress), vec![Set(InProgress)]);
        assert_eq!(status_path(Planned, Implemented), vec![Set(Implemented)]);
        assert_eq!(
            status_path(Planned, VerifiedEffective),
            vec![Set(Implemented), Verify]
        );
        assert_eq!(status_path(Implemented, VerifiedIneffective), vec![Verify]);
        assert_eq!(
            status_path(InProgress, Closed),
            vec![Set(Implemented), Verify, Set(Closed)]
        );
        assert_eq!(status_path(Implemented, Closed), vec![Verify, Set(Closed)]);
        assert_eq!(status_path(VerifiedEffective, Closed), vec![Set(Closed)]);
        // Not allowed, left for the edit's check to explain.
        assert_eq!(status_path(VerifiedEffective, Planned), vec![Set(Planned)]);
        assert_eq!(status_path(Closed, Planned), vec![Set(Planned)]);
        assert_eq!(
            status_path(VerifiedEffective, VerifiedIneffective),
            vec![Set(VerifiedIneffective)]
        );
        // Every step the path takes from planned is one the rules allow.
        for to in [
            Planned,
            InProgress,
            Implemented,
            VerifiedEffective,
            VerifiedIneffective,
            Closed,
        ] {
            let mut at = Planned;
            for step in status_path(Planned, to) {
                at = match step {
                    Set(s) => {
                        let state = ActionState {
                            status: at,
                            grade: Some(Grade::MajorNc),
                            has_root_cause: true,
                            has_description: true,
                        };
                        assert!(check_action_status(&state, s).is_ok(), "{at:?} -> {s:?}");
                        s
                    }
                    Verify => {
                        assert!(check_verification(at, None, Uuid::nil()).is_ok());
                        if to == VerifiedIneffective {
                            VerifiedIneffective
                        } else {
                            VerifiedEffective
                        }
                    }
                };
            }
            assert_eq!(at, to);
        }
    }
    use super::*;
    use time::macros::date;

    #[test]
    fn numbers_and_values() {
        assert_eq!(finding_ref(7), "F-007");
        assert_eq!(action_ref(12), "CA-012");
        assert_eq!(Grade::parse("grade", "minor_nc").unwrap(), Grade::MinorNc);
        let e = Grade::parse("grade", "critical").unwrap_err();
        assert_eq!(e.errors[0].field, "grade");
        assert!(e.errors[0].message.contains("major_nc"));
        assert_eq!(
            Source::parse("source", " incident ").unwrap(),
            Source::Incident
        );
        assert!(Source::parse("source", "rumour").is_err());
        assert!(Grade::MajorNc.is_nonconformity());
        assert!(!Grade::Ofi.is_nonconformity());
    }

    #[test]
    fn references_are_clauses_or_controls() {
        assert_eq!(parse_reference("reference", "9.2").unwrap().stored(), "9.2");
        assert_eq!(
            parse_reference("reference", "6.1.3").unwrap().stored(),
            "6.1.3"
        );
        assert_eq!(
            parse_reference("reference", "5.15").unwrap().stored(),
            "A.5.15"
        );
        assert_eq!(
            parse_reference("reference", "A.5.2").unwrap().stored(),
            "A.5.2"
        );
        assert_eq!(parse_reference("reference", "5.2").unwrap().stored(), "5.2");
        assert_eq!(
            parse_reference("reference", "Clause 10.2")
                .unwrap()
                .stored(),
            "10.2"
        );
        let own = parse_reference("reference", "nw-07").unwrap();
        assert_eq!(own.stored(), "NW-07");
        assert_eq!(own.own_code(), Some("NW-07"));
        for bad in ["", "11.1", "5.99", "Clause 12", "A.9.9", "!!"] {
            let e = parse_reference("reference", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "reference", "{bad}");
        }
    }

    #[test]
    fn dates_of_findings() {
        let today = date!(2026 - 11 - 28);
        assert!(check_raised_on("raised_on", today, today).is_ok());
        let e = check_raised_on("raised_on", date!(2026 - 11 - 29), today).unwrap_err();
        assert_eq!(e.errors[0].field, "raised_on");
        assert!(check_deadline(today, Some(today)).is_ok());
        assert!(check_deadline(today, None).is_ok());
        assert_eq!(
            check_deadline(today, Some(date!(2026 - 11 - 01)))
                .unwrap_err()
                .errors[0]
                .field,
            "deadline"
        );
    }

    #[test]
    fn a_nonconformity_closes_only_after_an_effective_action() {
        let mut s = FindingState {
            grade: Grade::MinorNc,
            status: FindingStatus::ActionPlanned,
            has_effective_action: false,
            has_closure_note: true,
        };
        let e = check_finding_status(&s, FindingStatus::Closed).unwrap_err();
        assert_eq!(e.errors[0].field, "status");
        assert!(e.errors[0].message.contains("verified effective"));
        s.has_effective_action = true;
        assert!(check_finding_status(&s, FindingStatus::Closed).is_ok());
        s.status = FindingStatus::Closed;
        assert!(check_finding_status(&s, FindingStatus::Open).is_err());
    }

    #[test]
    fn observations_close_with_a_note() {
        let mut s = FindingState {
            grade: Grade::Observation,
            status: FindingStatus::Open,
            has_effective_action: false,
            has_closure_note: false,
        };
        assert!(check_finding_status(&s, FindingStatus::Closed).is_err());
        assert!(check_finding_status(&s, FindingStatus::Verifying).is_err());
        s.has_closure_note = true;
        assert!(check_finding_status(&s, FindingStatus::Closed).is_ok());
    }

    #[test]
    fn overdue_means_due_passed_and_not_implemented() {
        let today = date!(2026 - 11 - 28);
        let past = Some(date!(2026 - 11 - 27));
        assert!(is_overdue(ActionStatus::Planned, past, today));
        assert!(is_overdue(ActionStatus::InProgress, past, today));
        assert!(!is_overdue(ActionStatus::InProgress, Some(today), today));
        assert!(!is_overdue(ActionStatus::Implemented, past, today));
        assert!(!is_overdue(ActionStatus::Planned, None, today));
    }

    #[test]
    fn action_life_cycle() {
        use ActionStatus::*;
        let s = ActionState {
            status: Planned,
            grade: Some(Grade::MajorNc),
            has_root_cause: false,
            has_description: true,
        };
        assert!(check_action_status(&s, InProgress).is_ok());
        let e = check_action_status(&s, Implemented).unwrap_err();
        assert!(e.errors[0].message.contains("root cause"));
        let minor = ActionState {
            grade: Some(Grade::MinorNc),
            ..s
        };
        assert!(check_action_status(&minor, Implemented).is_ok());
        assert!(check_action_status(&minor, VerifiedEffective).is_err());
        assert!(check_action_status(&minor, Closed).is_err());
        let verified = ActionState {
            status: VerifiedIneffective,
            ..minor
        };
        assert!(check_action_status(&verified, Closed).is_ok());
        assert!(check_action_status(&verified, InProgress).is_err());
        let closed = ActionState {
            status: Closed,
            ..minor
        };
        assert!(check_action_status(&closed, Planned).is_err());
    }

    #[test]
    fn verification_needs_implementation_and_independence() {
        let owner = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let e = check_verification(ActionStatus::InProgress, Some(owner), other).unwrap_err();
        assert_eq!(e.errors[0].field, "status");
        let e = check_verification(ActionStatus::Implemented, Some(owner), owner).unwrap_err();
        assert_eq!(e.errors[0].field, "verified_by");
        assert!(check_verification(ActionStatus::Implemented, Some(owner), other).is_ok());
        assert!(check_verification(ActionStatus::Implemented, None, other).is_ok());
        assert_eq!(
            status_after_verification(Effectiveness::Ineffective),
            ActionStatus::VerifiedIneffective
        );
    }

    #[test]
    fn findings_follow_their_actions() {
        use ActionStatus::*;
        use FindingStatus as F;
        assert_eq!(finding_status_after_actions(F::Open, &[]), F::Open);
        assert_eq!(
            finding_status_after_actions(F::Open, &[Planned]),
            F::ActionPlanned
        );
        assert_eq!(
            finding_status_after_actions(F::ActionPlanned, &[VerifiedEffective]),
            F::Verifying
        );
        assert_eq!(
            finding_status_after_actions(F::ActionPlanned, &[VerifiedIneffective]),
            F::Open
        );
        assert_eq!(
            finding_status_after_actions(F::Verifying, &[VerifiedIneffective, InProgress]),
            F::ActionPlanned
        );
        assert_eq!(
            finding_status_after_actions(F::Closed, &[Planned]),
            F::Closed
        );
    }

    #[test]
    fn five_whys() {
        let w = |q: &str, a: &str| Why {
            why: q.into(),
            answer: a.into(),
        };
        let ok = check_whys(&[w("Why?", "Because"), w("", "")]).unwrap();
        assert_eq!(ok.len(), 1);
        let e = check_whys(&[w("Why?", "")]).unwrap_err();
        assert_eq!(e.errors[0].field, "five_whys[0]");
        let six: Vec<Why> = (0..6).map(|_| w("Why?", "Because")).collect();
        assert_eq!(check_whys(&six).unwrap_err().errors[0].field, "five_whys");
    }

    #[test]
    fn action_dates() {
        let raised = Some(date!(2026 - 10 - 01));
        assert!(check_action_dates(raised, raised, raised).is_ok());
        let e = check_action_dates(
            raised,
            Some(date!(2026 - 09 - 30)),
            Some(date!(2026 - 09 - 01)),
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["correction_on", "due_on"]);
        assert!(check_verified_on(date!(2026 - 12 - 01), date!(2026 - 11 - 30)).is_err());
    }
}
