//! Gap assessment rules: maturity levels, the eight areas a readiness review looks at,
//! which area each clause requirement and control belongs to, what a valid answer is,
//! and how big and how urgent a gap is.

use crate::ValidationError;
use crate::catalogue::catalogue;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How far a requirement or control is in place, 0 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Maturity(u8);

impl Maturity {
    pub const MAX: u8 = 5;
    /// The level every clause requirement must reach: defined, documented and followed.
    pub const REQUIRED_FOR_CLAUSES: Maturity = Maturity(3);

    pub fn parse(field: &str, v: i64) -> Result<Self, ValidationError> {
        u8::try_from(v)
            .ok()
            .filter(|n| *n <= Self::MAX)
            .map(Maturity)
            .ok_or_else(|| ValidationError::single(field, "must be a whole number from 0 to 5"))
    }

    pub fn new(v: u8) -> Option<Self> {
        (v <= Self::MAX).then_some(Maturity(v))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        LEVELS[usize::from(self.0)].0
    }

    pub fn description(self) -> &'static str {
        LEVELS[usize::from(self.0)].1
    }

    pub fn all() -> impl Iterator<Item = Maturity> {
        (0..=Self::MAX).map(Maturity)
    }
}

impl fmt::Display for Maturity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

/// Our own short description of each level.
const LEVELS: [(&str, &str); 6] = [
    (
        "Absent",
        "Nothing is in place, or nobody knows whether it is.",
    ),
    (
        "Initial",
        "Done now and then by individuals who know how; nothing is written down.",
    ),
    (
        "Repeatable",
        "Done regularly, but informally; parts are written down and records are patchy.",
    ),
    (
        "Defined",
        "Written down, approved and followed; records show it happens. This is what an auditor needs to see.",
    ),
    (
        "Managed",
        "Measured and reviewed on a schedule; when it slips, someone notices and corrects it.",
    ),
    (
        "Optimised",
        "Improved continually from measurements, audits and lessons learned.",
    ),
];

/// The eight areas a readiness review looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    GovernanceLeadership,
    Policies,
    RiskMethodology,
    AssetManagement,
    AccessControl,
    IncidentResponse,
    SupplierSecurity,
    MonitoringImprovement,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::GovernanceLeadership,
        Area::Policies,
        Area::RiskMethodology,
        Area::AssetManagement,
        Area::AccessControl,
        Area::IncidentResponse,
        Area::SupplierSecurity,
        Area::MonitoringImprovement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::GovernanceLeadership => "governance_leadership",
            Area::Policies => "policies",
            Area::RiskMethodology => "risk_methodology",
            Area::AssetManagement => "asset_management",
            Area::AccessControl => "access_control",
            Area::IncidentResponse => "incident_response",
            Area::SupplierSecurity => "supplier_security",
            Area::MonitoringImprovement => "monitoring_improvement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::GovernanceLeadership => "Governance & leadership",
            Area::Policies => "Policies & documentation",
            Area::RiskMethodology => "Risk methodology",
            Area::AssetManagement => "Asset management",
            Area::AccessControl => "Access control & authentication",
            Area::IncidentResponse => "Incident response & continuity",
            Area::SupplierSecurity => "Supplier security",
            Area::MonitoringImprovement => "Monitoring & improvement",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// The area of a clause requirement (clauses 4–10).
pub fn area_of_clause(id: &str) -> Option<Area> {
    use Area::*;
    let a = match id {
        "4.1" | "4.2" | "4.3" | "4.4" | "5.1" | "5.3" | "6.2" | "6.3" | "7.1" | "7.4" => {
            GovernanceLeadership
        }
        "5.2" | "7.2" | "7.3" | "7.5.1" | "7.5.2" | "7.5.3" => Policies,
        "6.1.1" | "6.1.2" | "6.1.3" | "8.1" | "8.2" | "8.3" => RiskMethodology,
        "9.1" | "9.2.1" | "9.2.2" | "9.3.1" | "9.3.2" | "9.3.3" | "10.1" | "10.2" => {
            MonitoringImprovement
        }
        _ => return None,
    };
    Some(a)
}

/// The area of an Annex A control. Controls outside the eight review topics (physical,
/// secure development, network and operations) go to the area whose evidence an auditor
/// would look at together with them.
pub fn area_of_control(id: &str) -> Option<Area> {
    use Area::*;
    let (major, minor) = {
        let mut it = id.split('.').map(|p| p.parse::<u32>().ok());
        (it.next().flatten()?, it.next().flatten()?)
    };
    let a = match (major, minor) {
        (5, 2..=6) | (5, 8) => GovernanceLeadership,
        (5, 1) | (5, 10) | (5, 31..=34) | (5, 36) | (5, 37) => Policies,
        (5, 7) => RiskMethodology,
        (5, 9) | (5, 11..=14) => AssetManagement,
        (5, 15..=18) => AccessControl,
        (5, 19..=23) => SupplierSecurity,
        (5, 24..=30) => IncidentResponse,
        (5, 35) => MonitoringImprovement,
        (6, 1..=7) => GovernanceLeadership,
        (6, 8) => IncidentResponse,
        (7, 1..=14) => AssetManagement,
        (8, 1) | (8, 10..=12) | (8, 24) => AssetManagement,
        (8, 2..=5) | (8, 18) | (8, 20..=23) => AccessControl,
        (8, 13) | (8, 14) => IncidentResponse,
        (8, 6..=9) | (8, 15..=17) | (8, 19) | (8, 25..=34) => MonitoringImprovement,
        _ => return None,
    };
    Some(a)
}

/// What an assessment item refers to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ItemRef {
    Clause(String),
    Control(String),
}

impl ItemRef {
    /// `clause:6.1.2` or `control:5.15` (also `A.5.15`); unknown ids name the field.
    pub fn parse(field: &str, s: &str) -> Result<ItemRef, ValidationError> {
        let bad = || {
            ValidationError::single(
                field,
                format!(
                    "\"{s}\" is not a clause requirement (clause:6.1.2) or an Annex A control (control:5.15)"
                ),
            )
        };
        let (kind, id) = s.trim().split_once(':').ok_or_else(bad)?;
        let cat = catalogue();
        match kind {
            "clause" if cat.clause(id).is_some_and(|c| c.is_requirement) => {
                Ok(ItemRef::Clause(id.to_owned()))
            }
            "control" => cat
                .control(id)
                .map(|c| ItemRef::Control(c.id.clone()))
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    pub fn key(&self) -> String {
        match self {
            ItemRef::Clause(id) => format!("clause:{id}"),
            ItemRef::Control(id) => format!("control:{id}"),
        }
    }

    /// `Clause 6.1.2` / `A.5.15`.
    pub fn label(&self) -> String {
        match self {
            ItemRef::Clause(id) => format!("Clause {id}"),
            ItemRef::Control(id) => format!("A.{id}"),
        }
    }

    pub fn area(&self) -> Option<Area> {
        match self {
            ItemRef::Clause(id) => area_of_clause(id),
            ItemRef::Control(id) => area_of_control(id),
        }
    }

    /// How much a gap here weighs: clause requirements are mandatory (3, or 4 when
    /// they also demand documented information); controls whose text requires a
    /// document or a named policy weigh 2; other controls 1.
    pub fn weight(&self) -> u8 {
        match self {
            ItemRef::Clause(id) => {
                if catalogue()
                    .clause(id)
                    .and_then(|c| c.documented_information)
                    == Some(true)
                {
                    4
                } else {
                    3
                }
            }
            ItemRef::Control(id) => {
                if DOCUMENT_CONTROLS.contains(&id.as_str()) {
                    2
                } else {
                    1
                }
            }
        }
    }

    /// Every item an assessment covers: the 30 clause requirements, then the 93 controls.
    pub fn all() -> Vec<ItemRef> {
        let cat = catalogue();
        cat.requirements()
            .map(|c| ItemRef::Clause(c.id.clone()))
            .chain(
                cat.controls()
                    .iter()
                    .map(|c| ItemRef::Control(c.id.clone())),
            )
            .collect()
    }
}

/// Controls whose text asks for documented information or names a topic-specific policy
/// (mandatory when the control is applicable).
pub const DOCUMENT_CONTROLS: &[&str] = &[
    "5.1", "5.10", "5.26", "5.31", "5.37", "6.6", "8.3", "8.9", "8.11", "8.13", "8.27",
];

/// One answer to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub current: Option<Maturity>,
    pub target: Option<Maturity>,
    pub applicable: bool,
    pub not_applicable_reason: Option<String>,
}

/// Check an answer for an item: clause requirements cannot be excluded and must aim for
/// at least level 3; a target may not be below the current level; excluding a control
/// needs a reason.
pub fn check_answer(item: &ItemRef, a: &Answer) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if !a.applicable {
        if matches!(item, ItemRef::Clause(_)) {
            v.push("applicable", "clauses 4–10 are all mandatory; a clause requirement cannot be marked not applicable");
        }
        if a.not_applicable_reason
            .as_deref()
            .is_none_or(|r| r.trim().len() < 10)
        {
            v.push("not_applicable_reason", "explain why the control does not apply (at least a short sentence); the auditor will ask");
        }
    }
    if let (Some(c), Some(t)) = (a.current, a.target)
        && t < c
    {
        v.push(
            "target",
            format!(
                "is below the current level ({c}); set it to at least {}",
                c.value()
            ),
        );
    }
    if let (ItemRef::Clause(_), Some(t)) = (item, a.target)
        && t < Maturity::REQUIRED_FOR_CLAUSES
    {
        v.push("target", "must be at least 3 (Defined) for a clause requirement: the auditor expects every clause to be met");
    }
    v.into_result()
}

/// Size of the gap between current and target (0 when met or unanswered).
pub fn gap_size(current: Option<Maturity>, target: Option<Maturity>) -> u8 {
    match (current, target) {
        (Some(c), Some(t)) => t.value().saturating_sub(c.value()),
        _ => 0,
    }
}

/// How urgent closing a gap is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }
}

/// Priority score (gap × weight) and band. `None` when there is no gap.
pub fn priority(item: &ItemRef, gap: u8) -> Option<(u32, Priority)> {
    if gap == 0 {
        return None;
    }
    let score = u32::from(gap) * u32::from(item.weight());
    let band = if score >= 6 {
        Priority::High
    } else if score >= 3 {
        Priority::Medium
    } else {
        Priority::Low
    };
    Some((score, band))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maturity_bounds() {
        assert!(Maturity::parse("current", -1).is_err());
        assert!(Maturity::parse("current", 6).is_err());
        assert_eq!(Maturity::parse("current", 5).map(Maturity::value), Ok(5));
        assert_eq!(
            Maturity::parse("target", 9).unwrap_err().errors[0].field,
            "target"
        );
        assert_eq!(Maturity::all().count(), 6);
        assert_eq!(Maturity::REQUIRED_FOR_CLAUSES.label(), "Defined");
    }

    #[test]
    fn every_item_has_an_area() {
        let items = ItemRef::all();
        assert_eq!(items.len(), 123);
        for i in &items {
            assert!(i.area().is_some(), "{} has no area", i.key());
        }
        for a in Area::ALL {
            assert!(
                items.iter().any(|i| i.area() == Some(a)),
                "{} is empty",
                a.label()
            );
        }
        assert_eq!(area_of_control("5.19"), Some(Area::SupplierSecurity));
        assert_eq!(area_of_control("8.5"), Some(Area::AccessControl));
        assert_eq!(area_of_clause("6.1.2"), Some(Area::RiskMethodology));
        assert_eq!(area_of_control("9.1"), None);
    }

    #[test]
    fn item_refs_parse_and_reject_unknown_ids() {
        assert_eq!(
            ItemRef::parse("item", "clause:6.1.2"),
            Ok(ItemRef::Clause("6.1.2".into()))
        );
        assert_eq!(
            ItemRef::parse("item", "control:A.5.15"),
            Ok(ItemRef::Control("5.15".into()))
        );
        assert!(
            ItemRef::parse("item", "clause:6.1").is_err(),
            "not a requirement clause"
        );
        assert!(ItemRef::parse("item", "control:5.99").is_err());
        assert!(ItemRef::parse("item", "5.15").is_err());
        assert_eq!(
            ItemRef::parse("item", "x:1").unwrap_err().errors[0].field,
            "item"
        );
    }

    #[test]
    fn answers() {
        let clause = ItemRef::Clause("6.1.2".into());
        let control = ItemRef::Control("7.4".into());
        let m = |v| Maturity::new(v);
        let ok = Answer {
            current: m(1),
            target: m(3),
            applicable: true,
            not_applicable_reason: None,
        };
        assert!(check_answer(&clause, &ok).is_ok());
        let low = Answer {
            target: m(2),
            ..ok.clone()
        };
        assert_eq!(
            check_answer(&clause, &low).unwrap_err().errors[0].field,
            "target"
        );
        assert!(
            check_answer(&control, &low).is_ok(),
            "a control may aim lower"
        );
        let below = Answer {
            current: m(4),
            target: m(3),
            ..ok.clone()
        };
        assert!(check_answer(&control, &below).is_err());
        let na = Answer {
            applicable: false,
            not_applicable_reason: Some("We run no offices or data centres of our own.".into()),
            ..ok.clone()
        };
        assert!(check_answer(&control, &na).is_ok());
        assert!(
            check_answer(&clause, &na).is_err(),
            "clauses cannot be excluded"
        );
        let na_bare = Answer {
            applicable: false,
            not_applicable_reason: None,
            ..ok
        };
        assert_eq!(
            check_answer(&control, &na_bare).unwrap_err().errors[0].field,
            "not_applicable_reason"
        );
    }

    #[test]
    fn gaps_and_priorities() {
        let m = |v| Maturity::new(v);
        assert_eq!(gap_size(m(1), m(4)), 3);
        assert_eq!(gap_size(m(4), m(3)), 0);
        assert_eq!(gap_size(None, m(3)), 0);
        // A mandatory clause with documented information outranks an ordinary control.
        let di_clause = ItemRef::Clause("6.1.2".into());
        let control = ItemRef::Control("7.4".into());
        assert_eq!(priority(&di_clause, 2), Some((8, Priority::High)));
        assert_eq!(priority(&control, 2), Some((2, Priority::Low)));
        assert_eq!(
            priority(&ItemRef::Control("5.1".into()), 2),
            Some((4, Priority::Medium))
        );
        assert_eq!(priority(&control, 0), None);
    }
}
