//! Themes and the five ISO/IEC 27002:2022 attribute kinds with their values.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The four themes of Annex A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Organizational => "organizational",
            Theme::People => "people",
            Theme::Physical => "physical",
            Theme::Technological => "technological",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::Organizational => "Organisational (5)",
            Theme::People => "People (6)",
            Theme::Physical => "Physical (7)",
            Theme::Technological => "Technological (8)",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        let s = s
            .trim()
            .to_lowercase()
            .replace("organisational", "organizational");
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five attribute kinds of ISO/IEC 27002:2022.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    ControlType,
    SecurityProperties,
    CybersecurityConcepts,
    OperationalCapabilities,
    SecurityDomains,
}

impl AttributeKind {
    pub const ALL: [AttributeKind; 5] = [
        AttributeKind::ControlType,
        AttributeKind::SecurityProperties,
        AttributeKind::CybersecurityConcepts,
        AttributeKind::OperationalCapabilities,
        AttributeKind::SecurityDomains,
    ];

    /// The column name in the data and the query parameter name.
    pub fn column(self) -> &'static str {
        match self {
            AttributeKind::ControlType => "control_type",
            AttributeKind::SecurityProperties => "security_properties",
            AttributeKind::CybersecurityConcepts => "cybersecurity_concepts",
            AttributeKind::OperationalCapabilities => "operational_capabilities",
            AttributeKind::SecurityDomains => "security_domains",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttributeKind::ControlType => "Control type",
            AttributeKind::SecurityProperties => "Security properties",
            AttributeKind::CybersecurityConcepts => "Cybersecurity concepts",
            AttributeKind::OperationalCapabilities => "Operational capabilities",
            AttributeKind::SecurityDomains => "Security domains",
        }
    }

    /// Every value of the kind, in the canonical order.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            AttributeKind::ControlType => &["preventive", "detective", "corrective"],
            AttributeKind::SecurityProperties => &["confidentiality", "integrity", "availability"],
            AttributeKind::CybersecurityConcepts => {
                &["identify", "protect", "detect", "respond", "recover"]
            }
            AttributeKind::OperationalCapabilities => &[
                "governance",
                "asset_management",
                "information_protection",
                "human_resource_security",
                "physical_security",
                "system_and_network_security",
                "application_security",
                "secure_configuration",
                "identity_and_access_management",
                "threat_and_vulnerability_management",
                "continuity",
                "supplier_relationships_security",
                "legal_and_compliance",
                "information_security_event_management",
                "information_security_assurance",
            ],
            AttributeKind::SecurityDomains => &[
                "governance_and_ecosystem",
                "protection",
                "defence",
                "resilience",
            ],
        }
    }

    pub fn parse(s: &str) -> Option<AttributeKind> {
        AttributeKind::ALL
            .into_iter()
            .find(|k| k.column() == s.trim())
    }
}

/// A value shown to people: `supplier_relationships_security` → `Supplier relationships security`.
pub fn value_label(v: &str) -> String {
    let mut s = v.replace('_', " ");
    if let Some(first) = s.get(..1) {
        let up = first.to_uppercase();
        s.replace_range(..1, &up);
    }
    s
}
