//! Suppliers (Annex A 5.19–5.23): who provides what, how critical they are, what data
//! they get, whether the contract sets security requirements, and how often and how
//! well their security was assessed.
//!
//! The assessment interval defaults by criticality (our rule: critical and high every
//! 12 months, medium every 24, low every 36). The next assessment is due one interval
//! after the last one; the register's flags are [`assessment_overdue`],
//! [`critical_never_assessed`] and [`no_security_requirements`].

use crate::ValidationError;
use crate::control::implementation::{add_months, labelled_enum};
use time::Date;

/// Longest name, service, contact or owner.
pub const MAX_NAME: usize = 200;
/// Longest free text (data shared, contract reference, assessment note).
pub const MAX_TEXT: usize = 4000;
/// Longest assessment interval people may set.
pub const MAX_INTERVAL_MONTHS: i64 = 60;

labelled_enum!(
    /// How much the organisation depends on the supplier.
    Criticality {
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
        Critical = "critical", "Critical";
    }
);

labelled_enum!(
    /// What the last security assessment of the supplier found.
    AssessmentResult {
        /// Meets our requirements.
        Satisfactory = "satisfactory", "Satisfactory";
        /// Acceptable with conditions or open actions.
        Conditional = "conditional", "Conditional";
        /// Does not meet our requirements.
        Unsatisfactory = "unsatisfactory", "Unsatisfactory";
    }
);

labelled_enum!(
    /// Whether the supplier still works for the organisation.
    SupplierStatus {
        Active = "active", "Active";
        /// No longer used; access and data returned or deleted (5.20, 5.22).
        Offboarded = "offboarded", "Offboarded";
    }
);

impl Criticality {
    /// How many months between assessments unless the supplier's record says otherwise.
    pub fn default_interval_months(self) -> i64 {
        match self {
            Criticality::Critical | Criticality::High => 12,
            Criticality::Medium => 24,
            Criticality::Low => 36,
        }
    }
}

/// How a supplier is numbered for people: `SUP-001`.
pub fn supplier_ref(number: i64) -> String {
    format!("SUP-{number:03}")
}

/// Read `SUP-001`, `sup-1` or `1`.
pub fn parse_supplier_ref(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SUP-"))
        .map_or(t, |_| &t[4..]);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

/// The interval in force: the one set, or the default of the criticality.
pub fn interval_months(criticality: Criticality, set: Option<i64>) -> i64 {
    set.unwrap_or_else(|| criticality.default_interval_months())
}

/// An interval people set must be 1 to [`MAX_INTERVAL_MONTHS`] months.
pub fn check_interval(field: &str, months: i64) -> Result<i64, ValidationError> {
    if (1..=MAX_INTERVAL_MONTHS).contains(&months) {
        Ok(months)
    } else {
        Err(ValidationError::single(
            field,
            format!("must be between 1 and {MAX_INTERVAL_MONTHS} months"),
        ))
    }
}

/// When the next assessment is due: one interval after the last; none before the first.
pub fn next_assessment_due(last_assessed_on: Option<Date>, interval_months: i64) -> Option<Date> {
    let months = u32::try_from(interval_months.clamp(1, MAX_INTERVAL_MONTHS)).unwrap_or(12);
    last_assessed_on.map(|d| add_months(d, months))
}

/// An assessment is not dated in the future.
pub fn check_assessed_on(assessed_on: Date, today: Date) -> Result<(), ValidationError> {
    if assessed_on > today {
        Err(ValidationError::single(
            "assessed_on",
            "must not be in the future",
        ))
    } else {
        Ok(())
    }
}

/// A contract that sets security requirements names where (contract, clause).
pub fn check_contract(contract_security: bool, reference: &str) -> Result<(), ValidationError> {
    if contract_security && reference.trim().is_empty() {
        Err(ValidationError::single(
            "contract_reference",
            "is required when the contract sets security requirements (name the contract or clause)",
        ))
    } else {
        Ok(())
    }
}

/// An active supplier whose next assessment was due before today.
pub fn assessment_overdue(status: SupplierStatus, next_due: Option<Date>, today: Date) -> bool {
    status == SupplierStatus::Active && next_due.is_some_and(|d| d < today)
}

/// An active critical supplier that was never assessed.
pub fn critical_never_assessed(
    status: SupplierStatus,
    criticality: Criticality,
    last_assessed_on: Option<Date>,
) -> bool {
    status == SupplierStatus::Active
        && criticality == Criticality::Critical
        && last_assessed_on.is_none()
}

/// An active supplier whose contract sets no security requirements (5.20).
pub fn no_security_requirements(status: SupplierStatus, contract_security: bool) -> bool {
    status == SupplierStatus::Active && !contract_security
}

/// The Annex A controls about suppliers, shown on a supplier's page.
pub const SUPPLIER_CONTROLS: &[(&str, &str)] = &[
    ("5.19", "Information security in supplier relationships"),
    (
        "5.20",
        "Addressing information security within supplier agreements",
    ),
    (
        "5.21",
        "Managing information security in the ICT supply chain",
    ),
    (
        "5.22",
        "Monitoring, review and change management of supplier services",
    ),
    ("5.23", "Information security for use of cloud services"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn numbers_read_and_print() {
        assert_eq!(supplier_ref(8), "SUP-008");
        assert_eq!(parse_supplier_ref("sup-012"), Some(12));
        assert_eq!(parse_supplier_ref("4"), Some(4));
        assert_eq!(parse_supplier_ref("SUP-"), None);
        assert_eq!(parse_supplier_ref("0"), None);
    }

    #[test]
    fn the_interval_defaults_by_criticality() {
        assert_eq!(interval_months(Criticality::Critical, None), 12);
        assert_eq!(interval_months(Criticality::High, None), 12);
        assert_eq!(interval_months(Criticality::Medium, None), 24);
        assert_eq!(interval_months(Criticality::Low, None), 36);
        assert_eq!(interval_months(Criticality::Low, Some(6)), 6);
        assert!(check_interval("assessment_interval_months", 0).is_err());
        assert_eq!(
            check_interval("assessment_interval_months", 61)
                .unwrap_err()
                .errors[0]
                .field,
            "assessment_interval_months"
        );
        assert_eq!(check_interval("x", 60).ok(), Some(60));
    }

    #[test]
    fn the_next_assessment_is_one_interval_after_the_last() {
        assert_eq!(next_assessment_due(None, 12), None);
        assert_eq!(
            next_assessment_due(Some(date!(2025 - 03 - 15)), 12),
            Some(date!(2026 - 03 - 15))
        );
        assert_eq!(
            next_assessment_due(Some(date!(2025 - 01 - 31)), 1),
            Some(date!(2025 - 02 - 28))
        );
    }

    #[test]
    fn an_assessment_is_not_dated_in_the_future() {
        let today = date!(2026 - 04 - 01);
        assert!(check_assessed_on(today, today).is_ok());
        let e = check_assessed_on(date!(2026 - 04 - 02), today).unwrap_err();
        assert_eq!(e.errors[0].field, "assessed_on");
    }

    #[test]
    fn security_requirements_in_the_contract_name_where() {
        assert!(check_contract(false, "").is_ok());
        assert!(check_contract(true, "MSA §12").is_ok());
        assert_eq!(
            check_contract(true, " ").unwrap_err().errors[0].field,
            "contract_reference"
        );
    }

    #[test]
    fn flags() {
        let today = date!(2026 - 04 - 01);
        let a = SupplierStatus::Active;
        let off = SupplierStatus::Offboarded;
        assert!(assessment_overdue(a, Some(date!(2026 - 03 - 31)), today));
        assert!(!assessment_overdue(a, Some(today), today));
        assert!(!assessment_overdue(off, Some(date!(2025 - 01 - 01)), today));
        assert!(!assessment_overdue(a, None, today));
        assert!(critical_never_assessed(a, Criticality::Critical, None));
        assert!(!critical_never_assessed(a, Criticality::High, None));
        assert!(!critical_never_assessed(
            a,
            Criticality::Critical,
            Some(today)
        ));
        assert!(!critical_never_assessed(off, Criticality::Critical, None));
        assert!(no_security_requirements(a, false));
        assert!(!no_security_requirements(a, true));
        assert!(!no_security_requirements(off, false));
    }

    #[test]
    fn enums_parse_naming_the_field() {
        assert_eq!(
            Criticality::parse("criticality", "Critical").ok(),
            Some(Criticality::Critical)
        );
        assert_eq!(
            Criticality::parse("criticality", "vital")
                .unwrap_err()
                .errors[0]
                .field,
            "criticality"
        );
        assert_eq!(
            AssessmentResult::parse("result", "conditional").ok(),
            Some(AssessmentResult::Conditional)
        );
        assert_eq!(
            SupplierStatus::parse("status", "Offboarded").ok(),
            Some(SupplierStatus::Offboarded)
        );
    }
}
