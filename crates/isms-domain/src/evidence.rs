//! Evidence: what shows a control works or a requirement is met (ISO 27001 7.5.3, 9.1) —
//! a stored file or a link, with when it was collected, the period it covers and how long
//! it stays valid — and what it supports (controls, clauses, risks, later audits).
//!
//! The flags an auditor asks about are plain functions of dates: [`is_expired`],
//! [`is_expiring_soon`], and [`lacks_current_evidence`] for a control that is said to be
//! implemented but has nothing current to show for it.

use crate::ValidationError;
use crate::catalogue::catalogue;
use crate::control::parse_control_ref;
use time::{Date, Duration};

/// Evidence expiring within this many days is flagged "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 30;
/// Longest link.
pub const MAX_URL_LEN: usize = 2000;
/// Longest title and description.
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4000;

/// A file kept in the store, or a link to where the evidence lives (a ticket, a report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    File,
    Link,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::File => "file",
            EvidenceKind::Link => "link",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim() {
            "file" => Ok(EvidenceKind::File),
            "link" => Ok(EvidenceKind::Link),
            _ => Err(ValidationError::single(field, "must be file or link")),
        }
    }
}

/// How a piece of evidence is numbered for people: `EV-0001`.
pub fn evidence_ref(number: i64) -> String {
    format!("EV-{number:04}")
}

/// Read `EV-0001`, `ev-1` or `1`.
pub fn parse_evidence_ref(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("EV-"))
        .map_or(t, |_| &t[3..]);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

/// Read a link: `http` or `https` with a host, no spaces or control characters, at most
/// [`MAX_URL_LEN`] characters. Anything else (`javascript:`, `file:`, `data:`) is refused.
pub fn parse_url(field: &str, s: &str) -> Result<String, ValidationError> {
    let u = s.trim();
    let err = |m: &str| Err(ValidationError::single(field, m));
    if u.is_empty() {
        return err("is required for a link");
    }
    if u.chars().count() > MAX_URL_LEN {
        return err("must be at most 2000 characters");
    }
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return err("must not contain spaces or control characters");
    }
    let lower = u.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return err("must start with https:// or http://");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']'))
    {
        return err("must name a host, e.g. https://tickets.example.com/ISMS-42");
    }
    Ok(u.to_owned())
}

/// The dates of a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceDates {
    pub collected_on: Date,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    /// No date: the evidence does not expire.
    pub valid_until: Option<Date>,
}

/// The period it covers runs forwards, and it cannot stop being valid before it was
/// collected.
pub fn check_dates(d: &EvidenceDates) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if let (Some(f), Some(t)) = (d.period_from, d.period_to)
        && t < f
    {
        v.push("period_to", "must be on or after the start of the period");
    }
    if let Some(u) = d.valid_until
        && u < d.collected_on
    {
        v.push(
            "valid_until",
            "must be on or after the day it was collected",
        );
    }
    v.into_result()
}

/// Past its validity: `valid_until` is before today.
pub fn is_expired(valid_until: Option<Date>, today: Date) -> bool {
    valid_until.is_some_and(|u| u < today)
}

/// Still valid, but not for more than [`EXPIRING_SOON_DAYS`] days.
pub fn is_expiring_soon(valid_until: Option<Date>, today: Date) -> bool {
    valid_until.is_some_and(|u| u >= today && u <= today + Duration::days(EXPIRING_SOON_DAYS))
}

/// The first day counted as "expiring soon" is today; the last is this.
pub fn expiring_horizon(today: Date) -> Date {
    today + Duration::days(EXPIRING_SOON_DAYS)
}

/// Implementation statuses (table `control_implementations`) that claim the control
/// operates, so an auditor will ask for evidence of it.
pub fn needs_evidence(status: &str) -> bool {
    matches!(status, "implemented" | "partially_implemented")
}

/// A control said to be implemented (or partly) with no linked evidence that is still
/// valid. `linked` holds the `valid_until` of each piece of evidence linked to it.
pub fn lacks_current_evidence(
    status: &str,
    linked: impl IntoIterator<Item = Option<Date>>,
    today: Date,
) -> bool {
    needs_evidence(status) && !linked.into_iter().any(|u| !is_expired(u, today))
}

/// What evidence can support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetKind {
    Control,
    Clause,
    Risk,
    /// Reserved for the audit programme.
    Audit,
}

impl TargetKind {
    /// Every kind.
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Control,
        TargetKind::Clause,
        TargetKind::Risk,
        TargetKind::Audit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Control => "control",
            TargetKind::Clause => "clause",
            TargetKind::Risk => "risk",
            TargetKind::Audit => "audit",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "control" => Some(TargetKind::Control),
            "clause" => Some(TargetKind::Clause),
            "risk" => Some(TargetKind::Risk),
            "audit" => Some(TargetKind::Audit),
            _ => None,
        }
    }
}

/// One thing a piece of evidence supports, in its stored form: `control` `5.15` or
/// `NW-07`, `clause` `6.1.3`, `risk` `R-012`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub kind: TargetKind,
    pub reference: String,
}

/// `R-012`, `r12` or `12` → 12.
pub fn parse_risk_ref(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = match t.get(..1) {
        Some(p) if p.eq_ignore_ascii_case("R") => t[1..].trim_start_matches('-'),
        _ => t,
    };
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

/// How a risk is named: `R-012`.
pub fn risk_ref(number: i64) -> String {
    format!("R-{number:03}")
}

/// Read one link target. Controls are read by [`parse_control_ref`] (whether an own
/// control exists, and a risk, is for the caller to check); clauses must be in the
/// catalogue; audits are not linkable yet.
pub fn parse_target(field: &str, kind: &str, raw: &str) -> Result<Target, ValidationError> {
    match kind.trim() {
        "control" => Ok(Target {
            kind: TargetKind::Control,
            reference: parse_control_ref(field, raw)?.key().to_owned(),
        }),
        "clause" => {
            let id = raw.trim();
            let id = id
                .strip_prefix("Clause ")
                .or_else(|| id.strip_prefix("clause "))
                .unwrap_or(id)
                .trim();
            if catalogue().clause(id).is_some() {
                Ok(Target {
                    kind: TargetKind::Clause,
                    reference: id.to_owned(),
                })
            } else {
                Err(ValidationError::single(
                    field,
                    format!(
                        "\"{}\" is not a clause of ISO/IEC 27001 (e.g. 6.1.3)",
                        raw.trim()
                    ),
                ))
            }
        }
        "risk" => parse_risk_ref(raw)
            .map(|n| Target {
                kind: TargetKind::Risk,
                reference: risk_ref(n),
            })
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    format!("\"{}\" is not a risk number (e.g. R-012)", raw.trim()),
                )
            }),
        "audit" => Err(ValidationError::single(
            field,
            "evidence cannot be linked to audits yet",
        )),
        _ => Err(ValidationError::single(
            field,
            "the kind must be control, clause or risk",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn numbers_read_both_ways() {
        assert_eq!(evidence_ref(7), "EV-0007");
        assert_eq!(evidence_ref(12345), "EV-12345");
        assert_eq!(parse_evidence_ref("EV-0007"), Some(7));
        assert_eq!(parse_evidence_ref("ev-12"), Some(12));
        assert_eq!(parse_evidence_ref("3"), Some(3));
        for bad in ["", "EV-", "EV-0", "EV--1", "EV-1a", "R-1", "ÉV-1"] {
            assert_eq!(parse_evidence_ref(bad), None, "{bad}");
        }
        assert_eq!(parse_risk_ref("R-012"), Some(12));
        assert_eq!(parse_risk_ref("r12"), Some(12));
        assert_eq!(parse_risk_ref("12"), Some(12));
        assert_eq!(parse_risk_ref("R-"), None);
        assert_eq!(parse_risk_ref("R-+1"), None);
        assert_eq!(risk_ref(12), "R-012");
    }

    #[test]
    fn links_are_http_or_https_only() {
        assert_eq!(
            parse_url("url", " https://tickets.example.com/ISMS-42 ").unwrap(),
            "https://tickets.example.com/ISMS-42"
        );
        assert!(parse_url("url", "http://intranet:8080/x?y=1#z").is_ok());
        assert!(parse_url("url", "HTTPS://EXAMPLE.COM").is_ok());
        for bad in [
            "",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>",
            "ftp://example.com/x",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/\u{0}",
            "//example.com",
            "https://<script>/",
        ] {
            let e = parse_url("url", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "url", "{bad}");
        }
        assert!(parse_url("url", &format!("https://e.com/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn dates_must_make_sense() {
        let ok = EvidenceDates {
            collected_on: date!(2026 - 10 - 01),
            period_from: Some(date!(2026 - 07 - 01)),
            period_to: Some(date!(2026 - 09 - 30)),
            valid_until: Some(date!(2027 - 09 - 30)),
        };
        assert!(check_dates(&ok).is_ok());
        let same_day = EvidenceDates {
            period_to: ok.period_from,
            valid_until: Some(ok.collected_on),
            ..ok
        };
        assert!(check_dates(&same_day).is_ok());
        let bad = EvidenceDates {
            period_to: Some(date!(2026 - 06 - 30)),
            valid_until: Some(date!(2026 - 09 - 30)),
            ..ok
        };
        let e = check_dates(&bad).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["period_to", "valid_until"]);
        let open = EvidenceDates {
            period_from: None,
            period_to: None,
            valid_until: None,
            ..ok
        };
        assert!(check_dates(&open).is_ok());
    }

    #[test]
    fn expiry_flags() {
        let today = date!(2026 - 11 - 28);
        assert!(!is_expired(None, today));
        assert!(
            !is_expired(Some(today), today),
            "valid through its last day"
        );
        assert!(is_expired(Some(date!(2026 - 11 - 27)), today));
        assert!(is_expiring_soon(Some(today), today));
        assert!(is_expiring_soon(Some(date!(2026 - 12 - 28)), today));
        assert!(!is_expiring_soon(Some(date!(2026 - 12 - 29)), today));
        assert!(
            !is_expiring_soon(Some(date!(2026 - 11 - 27)), today),
            "expired, not expiring"
        );
        assert!(!is_expiring_soon(None, today));
        assert_eq!(expiring_horizon(today), date!(2026 - 12 - 28));
    }

    #[test]
    fn implemented_controls_need_current_evidence() {
        let today = date!(2026 - 11 - 28);
        let old = Some(date!(2026 - 01 - 01));
        let good = Some(date!(2027 - 01 - 01));
        assert!(lacks_current_evidence("implemented", [], today));
        assert!(lacks_current_evidence(
            "partially_implemented",
            [old],
            today
        ));
        assert!(!lacks_current_evidence("implemented", [old, good], today));
        assert!(
            !lacks_current_evidence("implemented", [None], today),
            "never expires"
        );
        for status in ["not_started", "planned", "not_applicable", ""] {
            assert!(!lacks_current_evidence(status, [], today), "{status}");
        }
    }

    #[test]
    fn targets_are_read_and_checked() {
        assert_eq!(
            parse_target("links[0]", "control", "A.5.15").unwrap(),
            Target {
                kind: TargetKind::Control,
                reference: "5.15".into()
            }
        );
        assert_eq!(
            parse_target("links[0]", "control", "nw-07")
                .unwrap()
                .reference,
            "NW-07"
        );
        assert_eq!(
            parse_target("links[0]", "clause", "6.1.3")
                .unwrap()
                .reference,
            "6.1.3"
        );
        assert_eq!(
            parse_target("links[0]", "risk", "r-12").unwrap().reference,
            "R-012"
        );
        for (k, r) in [
            ("control", "5.99"),
            ("clause", "11.1"),
            ("risk", "R-x"),
            ("audit", "A-1"),
            ("asset", "1"),
        ] {
            let e = parse_target("links[2]", k, r).unwrap_err();
            assert_eq!(e.errors[0].field, "links[2]", "{k} {r}");
        }
        assert_eq!(TargetKind::from_stored("risk"), Some(TargetKind::Risk));
        assert_eq!(TargetKind::from_stored("x"), None);
    }
}
