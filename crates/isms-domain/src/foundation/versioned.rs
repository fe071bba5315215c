//! One rule set for every versioned, approvable document (scope statement, policy, the
//! Statement of Applicability): draft → approved → superseded, one draft at a time,
//! approved versions frozen, a field-by-field comparison between two versions.

use crate::ValidationError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Which document a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// The ISMS scope statement (4.3).
    Scope,
    /// The information security policy statement (5.2).
    Policy,
    /// The Statement of Applicability (6.1.3 d); its entries live in `crate::soa`.
    Soa,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Scope => "scope",
            DocKind::Policy => "policy",
            DocKind::Soa => "soa",
        }
    }

    /// "scope statement" / "policy statement", for messages.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Scope => "scope statement",
            DocKind::Policy => "information security policy",
            DocKind::Soa => "Statement of Applicability",
        }
    }

    pub fn clause(self) -> &'static str {
        match self {
            DocKind::Scope => "4.3",
            DocKind::Policy => "5.2",
            DocKind::Soa => "6.1.3 d)",
        }
    }
}

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// Being written; can change or be deleted.
    Draft,
    /// In force; frozen.
    Approved,
    /// Replaced by a later approved version; kept as a record.
    Superseded,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Approved => "approved",
            VersionStatus::Superseded => "superseded",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s {
            "draft" => Ok(VersionStatus::Draft),
            "approved" => Ok(VersionStatus::Approved),
            "superseded" => Ok(VersionStatus::Superseded),
            _ => Err(ValidationError::single(
                field,
                "must be draft, approved or superseded",
            )),
        }
    }
}

/// Why a version cannot change, or `None` when it can (only drafts change).
pub fn frozen_reason(kind: DocKind, number: i64, status: VersionStatus) -> Option<String> {
    match status {
        VersionStatus::Draft => None,
        VersionStatus::Approved => Some(format!(
            "version {number} of the {} is approved and frozen; start a new draft to change it",
            kind.label()
        )),
        VersionStatus::Superseded => Some(format!(
            "version {number} of the {} was superseded and is kept as a record; start a new draft instead",
            kind.label()
        )),
    }
}

/// Why a new draft cannot be started, or `None` when it can (one draft at a time).
pub fn new_draft_blocked(kind: DocKind, open_draft: Option<i64>) -> Option<String> {
    open_draft.map(|n| {
        format!(
            "version {n} of the {} is already a draft; change, approve or delete it before starting another",
            kind.label()
        )
    })
}

/// The content of a versioned document.
pub trait VersionedContent: Serialize + DeserializeOwned + Default + Clone {
    const KIND: DocKind;
    /// Check and normalise the content of a draft (on every save).
    fn validate(&self) -> Result<Self, ValidationError>;
    /// What must also be true before the version may be approved.
    fn check_approvable(&self) -> Result<(), ValidationError>;
    /// The content as named fields, each a list of lines, for the comparison.
    fn fields(&self) -> Vec<(&'static str, &'static str, Vec<String>)>;
}

/// What changed in one field between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldDiff {
    /// Field name as in the API (`units`, `exclusions`, …).
    pub field: String,
    /// Field name shown to people.
    pub label: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// Lines in `after` that are not in `before`.
    pub added: Vec<String>,
    /// Lines in `before` that are not in `after`.
    pub removed: Vec<String>,
}

/// Every field that differs between `from` and `to`, in the content's field order.
pub fn diff<C: VersionedContent>(from: &C, to: &C) -> Vec<FieldDiff> {
    diff_fields(from.fields(), to.fields())
}

/// Every field that differs between two lists of named fields (same fields, same order):
/// the comparison behind [`diff`], also used per control by the SoA.
pub fn diff_fields(
    from: Vec<(&'static str, &'static str, Vec<String>)>,
    to: Vec<(&'static str, &'static str, Vec<String>)>,
) -> Vec<FieldDiff> {
    from.into_iter()
        .zip(to)
        .filter(|(a, b)| a.2 != b.2)
        .map(|((field, label, before), (_, _, after))| FieldDiff {
            field: field.to_owned(),
            label: label.to_owned(),
            added: after
                .iter()
                .filter(|l| !before.contains(l))
                .cloned()
                .collect(),
            removed: before
                .iter()
                .filter(|l| !after.contains(l))
                .cloned()
                .collect(),
            before,
            after,
        })
        .collect()
}

/// A one-line summary of a change for the audit trail: "changed units, exclusions".
pub fn change_summary(diffs: &[FieldDiff]) -> String {
    if diffs.is_empty() {
        "no content change".to_owned()
    } else {
        format!(
            "changed {}",
            diffs
                .iter()
                .map(|d| d.label.to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
