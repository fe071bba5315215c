//! The document register (ISO/IEC 27001 7.5): policies, procedures, standards, records and
//! plans, each with versions that go through an approval workflow. The rules here are plain
//! functions: who may approve, which version may change, when a review falls due, and what
//! changed between two versions.
//!
//! - A document is `draft` until its first version is approved, `in_review` while that
//!   first version waits for a decision, `approved` once a version is in force, and
//!   `retired` when it is withdrawn.
//! - A version is `draft` (being written), `in_review` (submitted), `approved` (in force,
//!   frozen), `rejected` (sent back with a comment; editing it makes it a draft again, the
//!   comment stays) or `superseded` (replaced by a later approved version, kept as a record).

pub mod diff;
pub mod templates;

#[cfg(test)]
mod tests;

use crate::ValidationError;
use crate::catalogue::catalogue;
use crate::control::parse_control_ref;
use serde::Serialize;
use time::Date;
use uuid::Uuid;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($(#[$vm:meta])* $v:ident = $s:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
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

            /// Read the stored or sent form; anything else names `field`.
            pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
                let t = s.trim().to_lowercase().replace(['-', ' '], "_");
                $name::ALL.iter().copied().find(|x| x.as_str() == t).ok_or_else(|| {
                    ValidationError::single(
                        field,
                        format!(
                            concat!("\"{}\" is not a ", $what, "; choose one of: {}"),
                            s.trim(),
                            $name::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })
            }
        }
    };
}

str_enum!(
    /// What sort of document it is.
    Kind, "document kind", {
        /// Says what the organisation wants and why (set by management).
        Policy = "policy", "Policy";
        /// Says how something is done, step by step.
        Procedure = "procedure", "Procedure";
        /// A rule set or baseline that must be met (configuration, coding, crypto).
        Standard = "standard", "Standard";
        /// Shows that something happened (minutes, reports, logs).
        Record = "record", "Record";
        /// Says what will be done, by whom and when (continuity, communication, audit plan).
        Plan = "plan", "Plan";
    }
);

str_enum!(
    /// Who may see the document.
    Classification, "classification", {
        Public = "public", "Public";
        Internal = "internal", "Internal";
        Confidential = "confidential", "Confidential";
        Restricted = "restricted", "Restricted";
    }
);

str_enum!(
    /// Where a document is in its life.
    DocumentStatus, "document status", {
        /// No version has been approved yet.
        Draft = "draft", "Draft";
        /// The first version waits for a decision.
        InReview = "in_review", "In review";
        /// A version is in force.
        Approved = "approved", "Approved";
        /// Withdrawn; kept as a record, changes nothing.
        Retired = "retired", "Retired";
    }
);

str_enum!(
    /// Where a version is in its life.
    VersionStatus, "version status", {
        Draft = "draft", "Draft";
        InReview = "in_review", "In review";
        Approved = "approved", "Approved";
        Rejected = "rejected", "Rejected";
        Superseded = "superseded", "Superseded";
    }
);

impl VersionStatus {
    /// Draft, in review or rejected: the version that is still being worked on.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            VersionStatus::Draft | VersionStatus::InReview | VersionStatus::Rejected
        )
    }
}

/// Longest review interval, in months (five years).
pub const MAX_REVIEW_MONTHS: i64 = 60;
/// Review interval when none is given.
pub const DEFAULT_REVIEW_MONTHS: i64 = 12;
/// Longest version content (Markdown), in characters.
pub const MAX_CONTENT_CHARS: usize = 200_000;

/// Why a workflow step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowError {
    /// The person may not take this step (wrong role, not the named approver).
    Forbidden(String),
    /// The document or version is not in a state that allows it (frozen, retired, …).
    Conflict(String),
    /// The input is incomplete (a rejection without a comment).
    Invalid(ValidationError),
}

/// The document a step concerns: its reference (`DOC-004`) and status.
#[derive(Debug, Clone, Copy)]
pub struct DocState<'a> {
    pub reference: &'a str,
    pub status: DocumentStatus,
    /// Whether a version of it was ever approved.
    pub ever_approved: bool,
}

/// The person taking a decision.
#[derive(Debug, Clone, Copy)]
pub struct Decider {
    pub user_id: Option<Uuid>,
    /// Their role grants the approve permission.
    pub can_approve: bool,
    /// An administrator of the organisation or of the instance.
    pub is_admin: bool,
}

fn not_retired(d: &DocState) -> Result<(), WorkflowError> {
    if d.status == DocumentStatus::Retired {
        Err(WorkflowError::Conflict(format!(
            "{} is retired and kept as a record; nothing about it can change",
            d.reference
        )))
    } else {
        Ok(())
    }
}

/// Why a version cannot be edited, or `Ok` when it can (drafts and rejected versions).
pub fn check_editable(d: &DocState, number: i64, v: VersionStatus) -> Result<(), WorkflowError> {
    not_retired(d)?;
    let why = match v {
        VersionStatus::Draft | VersionStatus::Rejected => return Ok(()),
        VersionStatus::InReview => {
            "is waiting for a decision; it can change again if it is rejected"
        }
        VersionStatus::Approved => "is approved and frozen; start a new version to change it",
        VersionStatus::Superseded => "was superseded and is kept as a record",
    };
    Err(WorkflowError::Conflict(format!(
        "version {number} of {} {why}",
        d.reference
    )))
}

/// The statuses after a change to a draft or rejected version: a rejected version becomes
/// a draft again (its rejection comment is kept).
pub fn after_edit(v: VersionStatus) -> VersionStatus {
    match v {
        VersionStatus::Rejected => VersionStatus::Draft,
        other => other,
    }
}

/// Submit a version for approval: draft (or rejected) → in review. Returns the document's
/// status afterwards.
pub fn submit(
    d: &DocState,
    number: i64,
    v: VersionStatus,
) -> Result<DocumentStatus, WorkflowError> {
    not_retired(d)?;
    match v {
        VersionStatus::Draft | VersionStatus::Rejected => Ok(if d.ever_approved {
            d.status
        } else {
            DocumentStatus::InReview
        }),
        other => Err(WorkflowError::Conflict(format!(
            "version {number} of {} is {}; only a draft can be submitted",
            d.reference,
            other.label().to_lowercase()
        ))),
    }
}

/// Whether `who` may decide on a version of a document whose named approver is
/// `approver`: the approve permission is needed, and when the document names an approver
/// only that person or an administrator decides.
pub fn check_decider(
    approver: Option<Uuid>,
    who: &Decider,
    what: &str,
) -> Result<(), WorkflowError> {
    if !who.can_approve {
        return Err(WorkflowError::Forbidden(format!(
            "your role does not allow you to {what} documents"
        )));
    }
    if who.user_id.is_none() {
        return Err(WorkflowError::Forbidden(format!(
            "a person must {what} documents; sign in to do it"
        )));
    }
    match approver {
        Some(a) if !who.is_admin && who.user_id != Some(a) => {
            Err(WorkflowError::Forbidden(format!(
                "this document names its approver; only that person or an administrator may {what} it"
            )))
        }
        _ => Ok(()),
    }
}

fn in_review(d: &DocState, number: i64, v: VersionStatus, what: &str) -> Result<(), WorkflowError> {
    not_retired(d)?;
    if v == VersionStatus::InReview {
        Ok(())
    } else {
        Err(WorkflowError::Conflict(format!(
            "version {number} of {} is {}; only a version in review can be {what}",
            d.reference,
            v.label().to_lowercase()
        )))
    }
}

/// Approve a version in review: it comes into force, the one before it is superseded, and
/// the document is approved.
pub fn approve(
    d: &DocState,
    approver: Option<Uuid>,
    who: &Decider,
    number: i64,
    v: VersionStatus,
) -> Result<DocumentStatus, WorkflowError> {
    check_decider(approver, who, "approve")?;
    in_review(d, number, v, "approved")?;
    Ok(DocumentStatus::Approved)
}

/// Reject a version in review with a comment (required: the author must know what to
/// change). Returns the trimmed comment and the document's status afterwards.
pub fn reject(
    d: &DocState,
    approver: Option<Uuid>,
    who: &Decider,
    number: i64,
    v: VersionStatus,
    comment: &str,
) -> Result<(String, DocumentStatus), WorkflowError> {
    check_decider(approver, who, "reject")?;
    in_review(d, number, v, "rejected")?;
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(WorkflowError::Invalid(ValidationError::single(
            "comment",
            "say what has to change; the author sees this comment",
        )));
    }
    if comment.chars().count() > 4000 {
        return Err(WorkflowError::Invalid(ValidationError::single(
            "comment",
            "must be at most 4,000 characters",
        )));
    }
    let status = if d.ever_approved {
        d.status
    } else {
        DocumentStatus::Draft
    };
    Ok((comment.to_owned(), status))
}

/// Whether a new version can be started: not on a retired document, and not while another
/// version is still open (one version in work at a time).
pub fn check_new_version(
    d: &DocState,
    open: Option<(i64, VersionStatus)>,
) -> Result<(), WorkflowError> {
    not_retired(d)?;
    match open {
        Some((n, s)) => Err(WorkflowError::Conflict(format!(
            "version {n} of {} is still {}; finish it before starting another",
            d.reference,
            s.label().to_lowercase()
        ))),
        None => Ok(()),
    }
}

/// Whether a document can be retired: not twice, and not while a version waits for a
/// decision.
pub fn check_retire(d: &DocState, open: Option<(i64, VersionStatus)>) -> Result<(), WorkflowError> {
    not_retired(d)?;
    match open {
        Some((n, VersionStatus::InReview)) => Err(WorkflowError::Conflict(format!(
            "version {n} of {} is waiting for a decision; approve or reject it first",
            d.reference
        ))),
        _ => Ok(()),
    }
}

/// Whether a document can be deleted: only while no version was ever approved (after that
/// it is a record of what was in force).
pub fn check_delete(d: &DocState) -> Result<(), WorkflowError> {
    if d.ever_approved {
        Err(WorkflowError::Conflict(format!(
            "{} has had an approved version and is kept as a record; retire it instead",
            d.reference
        )))
    } else {
        Ok(())
    }
}

/// Whether the metadata (title, owner, …) may change: not once retired.
pub fn check_metadata_editable(d: &DocState) -> Result<(), WorkflowError> {
    not_retired(d)
}

/// `DOC-004`.
pub fn reference(number: i64) -> String {
    format!("DOC-{number:03}")
}

/// Read a review interval in months (1 to 60).
pub fn parse_review_months(field: &str, n: i64) -> Result<i64, ValidationError> {
    if (1..=MAX_REVIEW_MONTHS).contains(&n) {
        Ok(n)
    } else {
        Err(ValidationError::single(
            field,
            format!("must be between 1 and {MAX_REVIEW_MONTHS} months"),
        ))
    }
}

/// `d` plus `months` calendar months (see [`crate::time::add_months`]).
pub fn add_months(d: Date, months: i64) -> Date {
    crate::time::add_months(d, months)
}

/// When an approved document must next be reviewed: the approval day plus the interval.
pub fn next_review(approved_on: Date, review_months: i64) -> Date {
    add_months(approved_on, review_months)
}

/// An approved document whose review day has passed.
pub fn review_overdue(status: DocumentStatus, next_review_on: Option<Date>, today: Date) -> bool {
    status == DocumentStatus::Approved && next_review_on.is_some_and(|d| d < today)
}

/// What a document is linked to: an ISO 27001 clause or a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Clause,
    Control,
}

impl LinkKind {
    /// Both kinds.
    pub const ALL: [LinkKind; 2] = [LinkKind::Clause, LinkKind::Control];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Clause => "clause",
            LinkKind::Control => "control",
        }
    }
}

/// Read a clause id (`9.2`, `6.1.3`, also `clause 9.2`) that exists in the catalogue.
pub fn parse_clause_ref(field: &str, raw: &str) -> Result<String, ValidationError> {
    let s = raw.trim();
    let s = s
        .strip_prefix("clause ")
        .or_else(|| s.strip_prefix("Clause "))
        .unwrap_or(s)
        .trim();
    match catalogue().clause(s) {
        Some(c) => Ok(c.id.clone()),
        None => Err(ValidationError::single(
            field,
            format!(
                "\"{}\" is not a clause of ISO/IEC 27001 (e.g. 9.2)",
                raw.trim()
            ),
        )),
    }
}

/// Read the clause and control lists of a document's links: each parsed, duplicates
/// dropped, sorted (clauses in catalogue order, controls Annex A first then own codes).
/// Bad entries are named `clauses[i]` / `controls[i]`.
pub fn parse_links(
    clauses: &[String],
    controls: &[String],
) -> Result<(Vec<String>, Vec<String>), ValidationError> {
    let mut v = ValidationError::new();
    let mut cl: Vec<String> = Vec::new();
    for (i, c) in clauses.iter().enumerate() {
        if c.trim().is_empty() {
            continue;
        }
        if let Some(id) = v.check(parse_clause_ref(&format!("clauses[{i}]"), c))
            && !cl.contains(&id)
        {
            cl.push(id);
        }
    }
    let mut co: Vec<String> = Vec::new();
    for (i, c) in controls.iter().enumerate() {
        if c.trim().is_empty() {
            continue;
        }
        if let Some(r) = v.check(parse_control_ref(&format!("controls[{i}]"), c)) {
            let k = r.key().to_owned();
            if !co.contains(&k) {
                co.push(k);
            }
        }
    }
    if cl.len() > 50 {
        v.push("clauses", "link at most 50 clauses");
    }
    if co.len() > 200 {
        v.push("controls", "link at most 200 controls");
    }
    v.into_result()?;
    let order = |id: &str| {
        catalogue()
            .clauses()
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    cl.sort_by_key(|c| order(c));
    co.sort_by_key(|c| crate::control::control_order(c));
    Ok((cl, co))
}

/// Check the text of a version (Markdown): at most [`MAX_CONTENT_CHARS`], line endings
/// made `\n`.
pub fn parse_content(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    if s.chars().count() > MAX_CONTENT_CHARS {
        return Err(ValidationError::single(
            field,
            format!("must be at most {MAX_CONTENT_CHARS} characters"),
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ValidationError::single(
            field,
            "contains control characters; paste plain text",
        ));
    }
    Ok(s)
}
