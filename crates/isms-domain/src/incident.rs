//! Information security incidents (Annex A 5.24–5.28, 6.8): what happened, when it was
//! detected and reported, how bad it was, what was done, and what was learnt.
//!
//! An incident moves open → contained → resolved → closed (it may be reopened). The
//! rules an auditor checks are here: the dates run forwards and not into the future, and
//! a high or critical incident is closed only with its root cause and lessons learned.
//! [`open_too_long`] and [`closed_without_lessons`] are the register's flags.

use crate::ValidationError;
use crate::control::implementation::labelled_enum;
use time::Date;

/// Longest title.
pub const MAX_TITLE: usize = 200;
/// Longest free text (description, response, root cause, lessons learned).
pub const MAX_TEXT: usize = 8000;
/// An incident not closed this many days after it was detected is flagged.
pub const OPEN_TOO_LONG_DAYS: i64 = 30;

labelled_enum!(
    /// How much harm the incident did or could do.
    Severity {
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
        Critical = "critical", "Critical";
    }
);

labelled_enum!(
    /// Where the incident stands.
    IncidentStatus {
        /// Reported, being handled.
        Open = "open", "Open";
        /// The damage is stopped from spreading.
        Contained = "contained", "Contained";
        /// Normal service is back.
        Resolved = "resolved", "Resolved";
        /// Reviewed and done with.
        Closed = "closed", "Closed";
    }
);

labelled_enum!(
    /// What kind of incident it was.
    Category {
        Malware = "malware", "Malware";
        Phishing = "phishing", "Phishing";
        UnauthorisedAccess = "unauthorised_access", "Unauthorised access";
        DataLeak = "data_leak", "Data leak";
        LostDevice = "lost_device", "Lost or stolen device";
        Availability = "availability", "Outage or loss of availability";
        Misconfiguration = "misconfiguration", "Misconfiguration";
        Supplier = "supplier", "Supplier incident";
        Physical = "physical", "Physical security";
        Other = "other", "Other";
    }
);

impl Severity {
    /// High and critical incidents need a root cause and lessons learned to close.
    pub fn needs_review(self) -> bool {
        matches!(self, Severity::High | Severity::Critical)
    }
}

/// How an incident is numbered for people: `INC-001`.
pub fn incident_ref(number: i64) -> String {
    format!("INC-{number:03}")
}

/// Read `INC-001`, `inc-1` or `1`.
pub fn parse_incident_ref(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("INC-"))
        .map_or(t, |_| &t[4..]);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

/// What the closing rule and the date rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts<'a> {
    pub severity: Severity,
    pub status: IncidentStatus,
    pub detected_on: Date,
    pub reported_on: Date,
    pub closed_on: Option<Date>,
    pub root_cause: &'a str,
    pub lessons_learned: &'a str,
}

/// Every rule of one incident, each problem naming its field:
/// - it is not detected or reported in the future, and reported not before detected;
/// - `closed_on` is set exactly when it is closed, not before it was detected and not
///   in the future;
/// - a high or critical incident is closed only with a root cause and lessons learned.
pub fn check_incident(f: &IncidentFacts<'_>, today: Date) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if f.detected_on > today {
        v.push("detected_on", "must not be in the future");
    }
    if f.reported_on > today {
        v.push("reported_on", "must not be in the future");
    }
    if f.reported_on < f.detected_on {
        v.push("reported_on", "must be on or after the day it was detected");
    }
    match (f.status, f.closed_on) {
        (IncidentStatus::Closed, None) => v.push("closed_on", "is required to close it"),
        (IncidentStatus::Closed, Some(c)) => {
            if c < f.detected_on {
                v.push("closed_on", "must be on or after the day it was detected");
            }
            if c > today {
                v.push("closed_on", "must not be in the future");
            }
        }
        (_, Some(_)) => v.push("closed_on", "is only for a closed incident"),
        (_, None) => {}
    }
    if f.status == IncidentStatus::Closed && f.severity.needs_review() {
        let sev = f.severity.label().to_lowercase();
        if f.root_cause.trim().is_empty() {
            v.push(
                "root_cause",
                format!("is required to close a {sev} incident"),
            );
        }
        if f.lessons_learned.trim().is_empty() {
            v.push(
                "lessons_learned",
                format!("is required to close a {sev} incident"),
            );
        }
    }
    v.into_result()
}

/// Not closed more than [`OPEN_TOO_LONG_DAYS`] days after it was detected.
pub fn open_too_long(status: IncidentStatus, detected_on: Date, today: Date) -> bool {
    status != IncidentStatus::Closed && (today - detected_on).whole_days() > OPEN_TOO_LONG_DAYS
}

/// Closed with nothing written down as learnt.
pub fn closed_without_lessons(status: IncidentStatus, lessons_learned: &str) -> bool {
    status == IncidentStatus::Closed && lessons_learned.trim().is_empty()
}

/// What an incident can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKind {
    /// An affected asset (`A-0001`).
    Asset,
    /// A risk it realised or touches (`R-012`).
    Risk,
    /// A control involved (`5.24`, `NW-07`).
    Control,
}

impl LinkKind {
    /// Every kind.
    pub const ALL: [LinkKind; 3] = [LinkKind::Asset, LinkKind::Risk, LinkKind::Control];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Asset => "asset",
            LinkKind::Risk => "risk",
            LinkKind::Control => "control",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "asset" => Some(LinkKind::Asset),
            "risk" => Some(LinkKind::Risk),
            "control" => Some(LinkKind::Control),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts<'a>(sev: Severity, status: IncidentStatus) -> IncidentFacts<'a> {
        IncidentFacts {
            severity: sev,
            status,
            detected_on: date!(2026 - 03 - 01),
            reported_on: date!(2026 - 03 - 02),
            closed_on: None,
            root_cause: "",
            lessons_learned: "",
        }
    }

    fn fields(r: Result<(), ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    const TODAY: Date = date!(2026 - 04 - 01);

    #[test]
    fn numbers_read_and_print() {
        assert_eq!(incident_ref(7), "INC-007");
        assert_eq!(parse_incident_ref("inc-012"), Some(12));
        assert_eq!(parse_incident_ref("3"), Some(3));
        assert_eq!(parse_incident_ref("INC-x"), None);
        assert_eq!(parse_incident_ref("0"), None);
    }

    #[test]
    fn reported_before_detected_or_in_the_future_is_refused() {
        let mut f = facts(Severity::Low, IncidentStatus::Open);
        assert!(check_incident(&f, TODAY).is_ok());
        f.reported_on = date!(2026 - 02 - 28);
        assert_eq!(fields(check_incident(&f, TODAY)), ["reported_on"]);
        f.reported_on = date!(2026 - 05 - 01);
        f.detected_on = date!(2026 - 04 - 02);
        assert_eq!(
            fields(check_incident(&f, TODAY)),
            ["detected_on", "reported_on"]
        );
    }

    #[test]
    fn closing_needs_a_date_not_before_detection_nor_in_the_future() {
        let mut f = facts(Severity::Low, IncidentStatus::Closed);
        assert_eq!(fields(check_incident(&f, TODAY)), ["closed_on"]);
        f.closed_on = Some(date!(2026 - 02 - 01));
        assert_eq!(fields(check_incident(&f, TODAY)), ["closed_on"]);
        f.closed_on = Some(date!(2026 - 04 - 02));
        assert_eq!(fields(check_incident(&f, TODAY)), ["closed_on"]);
        f.closed_on = Some(date!(2026 - 03 - 10));
        assert!(check_incident(&f, TODAY).is_ok(), "a low one closes bare");
        let mut open = facts(Severity::Low, IncidentStatus::Resolved);
        open.closed_on = Some(date!(2026 - 03 - 10));
        assert_eq!(fields(check_incident(&open, TODAY)), ["closed_on"]);
    }

    #[test]
    fn a_high_or_critical_incident_closes_only_with_root_cause_and_lessons() {
        for sev in [Severity::High, Severity::Critical] {
            let mut f = facts(sev, IncidentStatus::Closed);
            f.closed_on = Some(date!(2026 - 03 - 10));
            assert_eq!(
                fields(check_incident(&f, TODAY)),
                ["root_cause", "lessons_learned"]
            );
            f.root_cause = "MFA not enforced on the VPN";
            assert_eq!(fields(check_incident(&f, TODAY)), ["lessons_learned"]);
            f.lessons_learned = "  ";
            assert_eq!(fields(check_incident(&f, TODAY)), ["lessons_learned"]);
            f.lessons_learned = "Enforce MFA everywhere";
            assert!(check_incident(&f, TODAY).is_ok());
        }
        let mut medium = facts(Severity::Medium, IncidentStatus::Closed);
        medium.closed_on = Some(date!(2026 - 03 - 10));
        assert!(check_incident(&medium, TODAY).is_ok());
        // Resolving a critical one needs nothing yet.
        assert!(
            check_incident(&facts(Severity::Critical, IncidentStatus::Resolved), TODAY).is_ok()
        );
    }

    #[test]
    fn flags() {
        let d = date!(2026 - 03 - 01);
        assert!(!open_too_long(
            IncidentStatus::Open,
            d,
            date!(2026 - 03 - 31)
        ));
        assert!(open_too_long(
            IncidentStatus::Contained,
            d,
            date!(2026 - 04 - 01)
        ));
        assert!(!open_too_long(
            IncidentStatus::Closed,
            d,
            date!(2026 - 09 - 01)
        ));
        assert!(closed_without_lessons(IncidentStatus::Closed, " "));
        assert!(!closed_without_lessons(
            IncidentStatus::Closed,
            "Patch faster"
        ));
        assert!(!closed_without_lessons(IncidentStatus::Open, ""));
    }

    #[test]
    fn enums_parse_naming_the_field() {
        assert_eq!(
            Severity::parse("severity", "High").ok(),
            Some(Severity::High)
        );
        let e = Severity::parse("severity", "huge").unwrap_err();
        assert_eq!(e.errors[0].field, "severity");
        assert_eq!(
            IncidentStatus::parse("status", "contained").ok(),
            Some(IncidentStatus::Contained)
        );
        assert_eq!(
            Category::parse("category", "data leak").ok(),
            Some(Category::DataLeak)
        );
    }
}
