//! Value rules for ISMS as code: the columns that hold a stored enumeration or a rating,
//! each checked with the domain's own parser, so a file cannot hold a value the forms
//! would refuse (`asset_type: spaceship`, `confidentiality: 9`, `grade: critical`).
//!
//! A value passes only in the exact form the product stores (`supplier_provided`, not
//! `Supplier provided`). Empty values are not checked here. Columns that are not listed
//! pass unchecked: their rules, if any, live elsewhere.

use super::Cell;
use crate::ValidationError;
use crate::asset::{AssetType, TransferMechanism, parse_rating};
use crate::capa::{ActionStatus, Effectiveness, FindingStatus, Grade, RcaMethod, Source};
use crate::certification::{CertAuditKind, CertificateStatus};
use crate::control::implementation::{CheckFrequency, CheckResult, ImplementationStatus};
use crate::document::{
    self, Classification, DocumentStatus, Kind as DocumentKind, parse_review_months,
};
use crate::evidence::{EvidenceKind, TargetKind};
use crate::foundation::registers::Register;
use crate::foundation::versioned;
use crate::framework::NodeKind;
use crate::framework::mapping::Relationship;
use crate::gap::Maturity;
use crate::incident::{self, Category as IncidentCategory, IncidentStatus, Severity};
use crate::internal_audit::{AuditStatus, ItemResult};
use crate::measurement::{Outcome, SubjectKind};
use crate::rbac::Role;
use crate::review::{ActionKind, ReviewStatus};
use crate::risk::library::{Category as LibraryCategory, LibraryKind};
use crate::risk::register::{AcceptanceKind, RiskStatus, Treatment};
use crate::soa::Applicability;
use crate::supplier::{AssessmentResult, Criticality, SupplierStatus, check_interval};
use crate::task::TaskStatus;

/// Checks one value of one column.
type Check = fn(&Cell) -> Result<(), String>;

/// Every ruled column: table, column, check. The one list both [`check_value`] and
/// [`ruled_columns`] read.
const RULES: &[(&str, &str, Check)] = &[
    ("memberships", "role", |c| {
        parsed(c, "a role", Role::parse, Role::as_str)
    }),
    ("risks", "treatment", |c| {
        parsed(c, "a treatment", Treatment::parse, Treatment::as_str)
    }),
    ("risks", "status", |c| {
        parsed(c, "a risk status", RiskStatus::parse, RiskStatus::as_str)
    }),
    ("risks", "acceptance_kind", |c| {
        listed(
            c,
            "a kind of acceptance",
            &AcceptanceKind::ALL,
            AcceptanceKind::as_str,
        )
    }),
    ("risk_library_entries", "kind", |c| {
        known(
            c,
            "a library kind",
            LibraryKind::parse,
            &LibraryKind::ALL,
            LibraryKind::as_str,
        )
    }),
    ("risk_library_entries", "category", |c| {
        known(
            c,
            "a risk category",
            LibraryCategory::parse,
            &LibraryCategory::ALL,
            LibraryCategory::as_str,
        )
    }),
    ("assets", "asset_type", |c| {
        parsed(c, "an asset type", AssetType::parse, AssetType::as_str)
    }),
    ("assets", "confidentiality", |c| {
        number(c, "a rating", parse_rating)
    }),
    ("assets", "integrity", |c| {
        number(c, "a rating", parse_rating)
    }),
    ("assets", "availability", |c| {
        number(c, "a rating", parse_rating)
    }),
    ("assets", "classification", |c| {
        number(c, "a classification level", parse_rating)
    }),
    ("data_flows", "mechanism", |c| {
        parsed(
            c,
            "a transfer mechanism",
            TransferMechanism::parse,
            TransferMechanism::as_str,
        )
    }),
    ("gap_items", "current_level", |c| {
        number(c, "a maturity level", Maturity::parse)
    }),
    ("gap_items", "target_level", |c| {
        number(c, "a maturity level", Maturity::parse)
    }),
    ("tasks", "status", |c| {
        parsed(c, "a task status", TaskStatus::parse, TaskStatus::as_str)
    }),
    ("isms_documents", "status", |c| {
        parsed(
            c,
            "a version status",
            versioned::VersionStatus::parse,
            versioned::VersionStatus::as_str,
        )
    }),
    ("isms_register_entries", "register", |c| {
        listed(c, "a register", &Register::ALL, Register::as_str)
    }),
    ("control_implementations", "status", |c| {
        parsed(
            c,
            "an implementation status",
            ImplementationStatus::parse,
            ImplementationStatus::as_str,
        )
    }),
    ("control_implementations", "check_frequency", |c| {
        parsed(
            c,
            "a check frequency",
            CheckFrequency::parse,
            CheckFrequency::as_str,
        )
    }),
    ("control_implementations", "last_check_result", |c| {
        parsed(c, "a check result", CheckResult::parse, CheckResult::as_str)
    }),
    ("documents", "kind", |c| {
        parsed(
            c,
            "a document kind",
            DocumentKind::parse,
            DocumentKind::as_str,
        )
    }),
    ("documents", "classification", |c| {
        parsed(
            c,
            "a classification",
            Classification::parse,
            Classification::as_str,
        )
    }),
    ("documents", "review_months", |c| {
        number(c, "a review interval", parse_review_months)
    }),
    ("documents", "status", |c| {
        parsed(
            c,
            "a document status",
            DocumentStatus::parse,
            DocumentStatus::as_str,
        )
    }),
    ("documents", "latest_status", |c| {
        parsed(
            c,
            "a version status",
            document::VersionStatus::parse,
            document::VersionStatus::as_str,
        )
    }),
    ("document_versions", "status", |c| {
        parsed(
            c,
            "a version status",
            document::VersionStatus::parse,
            document::VersionStatus::as_str,
        )
    }),
    ("document_links", "target_kind", |c| {
        listed(
            c,
            "a link kind",
            &document::LinkKind::ALL,
            document::LinkKind::as_str,
        )
    }),
    ("evidence", "kind", |c| {
        parsed(
            c,
            "an evidence kind",
            EvidenceKind::parse,
            EvidenceKind::as_str,
        )
    }),
    ("evidence_links", "target_kind", |c| {
        known(
            c,
            "a link kind",
            TargetKind::from_stored,
            &TargetKind::ALL,
            TargetKind::as_str,
        )
    }),
    ("audits", "status", |c| {
        parsed(
            c,
            "an audit status",
            AuditStatus::parse,
            AuditStatus::as_str,
        )
    }),
    ("audit_checklist_items", "result", |c| {
        parsed(
            c,
            "a checklist result",
            ItemResult::parse,
            ItemResult::as_str,
        )
    }),
    ("soa_versions", "status", |c| {
        parsed(
            c,
            "a version status",
            versioned::VersionStatus::parse,
            versioned::VersionStatus::as_str,
        )
    }),
    ("soa_entries", "applicable", |c| {
        parsed(
            c,
            "an applicability",
            Applicability::parse,
            Applicability::as_str,
        )
    }),
    ("soa_entries", "frozen_status", |c| {
        parsed(
            c,
            "an implementation status",
            ImplementationStatus::parse,
            ImplementationStatus::as_str,
        )
    }),
    ("certification_audits", "kind", |c| {
        parsed(
            c,
            "a certification audit kind",
            CertAuditKind::parse,
            CertAuditKind::as_str,
        )
    }),
    ("certificates", "status", |c| {
        parsed(
            c,
            "a certificate status",
            CertificateStatus::parse,
            CertificateStatus::as_str,
        )
    }),
    ("findings", "source", |c| {
        parsed(c, "a finding source", Source::parse, Source::as_str)
    }),
    ("findings", "grade", |c| {
        parsed(c, "a grade", Grade::parse, Grade::as_str)
    }),
    ("findings", "status", |c| {
        parsed(
            c,
            "a finding status",
            FindingStatus::parse,
            FindingStatus::as_str,
        )
    }),
    ("corrective_actions", "rca_method", |c| {
        parsed(
            c,
            "a root-cause method",
            RcaMethod::parse,
            RcaMethod::as_str,
        )
    }),
    ("corrective_actions", "status", |c| {
        parsed(
            c,
            "an action status",
            ActionStatus::parse,
            ActionStatus::as_str,
        )
    }),
    ("corrective_actions", "verification", |c| {
        parsed(
            c,
            "a verification result",
            Effectiveness::parse,
            Effectiveness::as_str,
        )
    }),
    ("management_reviews", "status", |c| {
        known(
            c,
            "a review status",
            ReviewStatus::from_stored,
            &ReviewStatus::ALL,
            ReviewStatus::as_str,
        )
    }),
    ("management_review_actions", "kind", |c| {
        parsed(c, "an action kind", ActionKind::parse, ActionKind::as_str)
    }),
    ("incidents", "category", |c| {
        parsed(
            c,
            "an incident category",
            IncidentCategory::parse,
            IncidentCategory::as_str,
        )
    }),
    ("incidents", "severity", |c| {
        parsed(c, "a severity", Severity::parse, Severity::as_str)
    }),
    ("incidents", "status", |c| {
        parsed(
            c,
            "an incident status",
            IncidentStatus::parse,
            IncidentStatus::as_str,
        )
    }),
    ("incident_links", "target_kind", |c| {
        known(
            c,
            "a link kind",
            incident::LinkKind::from_stored,
            &incident::LinkKind::ALL,
            incident::LinkKind::as_str,
        )
    }),
    ("measurements", "subject_kind", |c| {
        parsed(c, "a subject kind", SubjectKind::parse, SubjectKind::as_str)
    }),
    ("measurements", "result", |c| {
        parsed(c, "a result", Outcome::parse, Outcome::as_str)
    }),
    ("suppliers", "criticality", |c| {
        parsed(c, "a criticality", Criticality::parse, Criticality::as_str)
    }),
    ("suppliers", "interval_months", |c| {
        number(c, "an assessment interval", check_interval)
    }),
    ("suppliers", "status", |c| {
        parsed(
            c,
            "a supplier status",
            SupplierStatus::parse,
            SupplierStatus::as_str,
        )
    }),
    ("supplier_assessments", "result", |c| {
        parsed(
            c,
            "an assessment result",
            AssessmentResult::parse,
            AssessmentResult::as_str,
        )
    }),
    ("framework_requirements", "kind", |c| {
        known(
            c,
            "a requirement kind",
            NodeKind::parse,
            &NodeKind::ALL,
            NodeKind::as_str,
        )
    }),
    ("framework_mappings", "relationship", |c| {
        known(
            c,
            "a relationship",
            Relationship::parse,
            Relationship::ALL,
            Relationship::as_str,
        )
    }),
];

/// Whether `value` of `table.column` is a value the product stores there. Columns
/// without a rule, and empty values, pass.
pub fn check_value(table: &str, column: &str, value: &Cell) -> Result<(), String> {
    match (rule(table, column), value) {
        (_, Cell::Null) | (None, _) => Ok(()),
        (Some(check), v) => check(v),
    }
}

/// Whether `table.column` has a value rule.
pub fn is_ruled(table: &str, column: &str) -> bool {
    rule(table, column).is_some()
}

/// Every (table, column) with a value rule, in the order of the rules.
pub fn ruled_columns() -> Vec<(&'static str, &'static str)> {
    RULES.iter().map(|(t, c, _)| (*t, *c)).collect()
}

fn rule(table: &str, column: &str) -> Option<Check> {
    RULES
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, check)| *check)
}

/// The first message of a parser's error.
fn message(e: &ValidationError) -> &str {
    e.errors.first().map_or("", |f| f.message.as_str())
}

/// `VALUE is not WHAT; MESSAGE` (`shown`: the value as written in the message), unless
/// the parser's message already names the value.
fn refused(shown: &str, what: &str, msg: &str) -> String {
    if msg.starts_with('"') || (shown.starts_with('"') && msg.contains(shown)) {
        msg.to_owned()
    } else if msg.starts_with("must ") {
        format!("{shown} is not {what}; it {msg}")
    } else {
        format!("{shown} is not {what}; {msg}")
    }
}

fn text<'a>(c: &'a Cell, what: &str) -> Result<&'a str, String> {
    match c {
        Cell::Text(s) => Ok(s),
        _ => Err(format!("expected {what} (text)")),
    }
}

/// A value read by a parser that names the field: it must parse and be the stored form.
fn parsed<T: Copy>(
    c: &Cell,
    what: &str,
    parse: fn(&str, &str) -> Result<T, ValidationError>,
    as_str: fn(T) -> &'static str,
) -> Result<(), String> {
    let s = text(c, what)?;
    match parse("value", s) {
        Ok(v) if as_str(v) == s => Ok(()),
        Ok(v) => Err(format!(
            "{s:?} is not how {what} is stored; write {:?}",
            as_str(v)
        )),
        Err(e) => Err(refused(&format!("{:?}", s.trim()), what, message(&e))),
    }
}

/// A value read by a lookup without a message: it must be found and be the stored form.
fn known<T: Copy>(
    c: &Cell,
    what: &str,
    lookup: fn(&str) -> Option<T>,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<(), String> {
    let s = text(c, what)?;
    match lookup(s) {
        Some(v) if as_str(v) == s => Ok(()),
        Some(v) => Err(format!(
            "{s:?} is not how {what} is stored; write {:?}",
            as_str(v)
        )),
        None => Err(one_of(s, what, all, as_str)),
    }
}

/// A value of an enumeration without a parser: one of its stored forms.
fn listed<T: Copy>(
    c: &Cell,
    what: &str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<(), String> {
    let s = text(c, what)?;
    if all.iter().any(|v| as_str(*v) == s) {
        Ok(())
    } else {
        Err(one_of(s, what, all, as_str))
    }
}

fn one_of<T: Copy>(s: &str, what: &str, all: &[T], as_str: fn(T) -> &'static str) -> String {
    let names: Vec<&str> = all.iter().map(|v| as_str(*v)).collect();
    format!("{s:?} is not {what}; use one of: {}", names.join(", "))
}

/// A whole number read by a parser that names the field (a rating, a level, months).
fn number<T>(
    c: &Cell,
    what: &str,
    parse: fn(&str, i64) -> Result<T, ValidationError>,
) -> Result<(), String> {
    match c {
        Cell::Int(n) => parse("value", *n)
            .map(|_| ())
            .map_err(|e| refused(&n.to_string(), what, message(&e))),
        _ => Err(format!("expected {what} (a whole number)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn stored_forms_pass_and_others_are_named() {
        assert_eq!(check_value("assets", "asset_type", &t("hardware")), Ok(()));
        assert_eq!(
            check_value("assets", "asset_type", &t("supplier_provided")),
            Ok(())
        );
        let e = check_value("assets", "asset_type", &t("spaceship")).unwrap_err();
        assert!(
            e.starts_with("\"spaceship\" is not an asset type; it must be one of: information, software, hardware"),
            "{e}"
        );
        let e = check_value("assets", "asset_type", &t("Supplier provided")).unwrap_err();
        assert_eq!(
            e,
            "\"Supplier provided\" is not how an asset type is stored; write \"supplier_provided\""
        );
        let e = check_value("findings", "grade", &t("critical")).unwrap_err();
        assert!(e.contains("major_nc, minor_nc, observation, ofi"), "{e}");
        let e = check_value("documents", "kind", &t("memo")).unwrap_err();
        assert!(
            e.starts_with("\"memo\" is not a document kind; choose one of: policy"),
            "{e}"
        );
        let e = check_value("memberships", "role", &t("owner")).unwrap_err();
        assert!(
            e.starts_with("unknown role \"owner\"; expected one of: admin"),
            "{e}"
        );
        let e = check_value("management_reviews", "status", &t("done")).unwrap_err();
        assert_eq!(
            e,
            "\"done\" is not a review status; use one of: planned, held, approved"
        );
        let e = check_value("risks", "acceptance_kind", &t("by_me")).unwrap_err();
        assert_eq!(
            e,
            "\"by_me\" is not a kind of acceptance; use one of: by_owner, by_approver"
        );
        let e = check_value("risk_library_entries", "kind", &t("threats")).unwrap_err();
        assert_eq!(
            e,
            "\"threats\" is not how a library kind is stored; write \"threat\""
        );
    }

    #[test]
    fn ratings_and_levels_are_checked() {
        for n in 1..=4 {
            assert_eq!(
                check_value("assets", "confidentiality", &Cell::Int(n)),
                Ok(())
            );
        }
        let e = check_value("assets", "confidentiality", &Cell::Int(9)).unwrap_err();
        assert_eq!(
            e,
            "9 is not a rating; it must be 1 (low), 2 (medium), 3 (high) or 4 (very high)"
        );
        assert_eq!(
            check_value("gap_items", "current_level", &Cell::Int(0)),
            Ok(())
        );
        assert!(check_value("gap_items", "target_level", &Cell::Int(6)).is_err());
        assert!(check_value("documents", "review_months", &Cell::Int(0)).is_err());
        assert!(check_value("suppliers", "interval_months", &Cell::Int(12)).is_ok());
    }

    #[test]
    fn empty_values_and_unruled_columns_pass() {
        assert_eq!(check_value("risks", "status", &Cell::Null), Ok(()));
        assert_eq!(check_value("risks", "title", &t("anything")), Ok(()));
        assert_eq!(check_value("nowhere", "status", &t("anything")), Ok(()));
        assert!(check_value("risks", "status", &Cell::Int(1)).is_err());
    }

    #[test]
    fn every_stored_form_of_every_rule_passes() {
        // Each rule's own list of stored forms, read back through the rule.
        let samples: &[(&str, &str, &[&str])] = &[
            ("tasks", "status", &["open", "in_progress", "done"]),
            ("soa_entries", "applicable", &["undecided", "yes", "no"]),
            (
                "management_review_actions",
                "kind",
                &["task", "corrective_action"],
            ),
            ("evidence", "kind", &["file", "link"]),
            ("framework_mappings", "relationship", &["equal", "related"]),
        ];
        for (table, col, values) in samples {
            for v in *values {
                assert_eq!(check_value(table, col, &t(v)), Ok(()), "{table}.{col} {v}");
            }
        }
        let e = check_value("management_review_actions", "kind", &t("")).unwrap_err();
        assert!(e.contains("write \"task\""), "{e}");
    }

    #[test]
    fn no_column_is_ruled_twice() {
        let cols = ruled_columns();
        let set: std::collections::BTreeSet<_> = cols.iter().collect();
        assert_eq!(set.len(), cols.len());
    }
}
