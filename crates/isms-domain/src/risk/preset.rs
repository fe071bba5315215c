//! Ready-made risk methods an organisation can start from and then adapt.

use super::method::{Method, RiskLevel, Scale, ScaleLevel};
use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A ready-made risk method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Preset {
    /// Three likelihood and three impact levels; quick to use, for small organisations.
    #[serde(rename = "3x3")]
    ThreeByThree,
    /// Four by four: no middle value to hide in.
    #[serde(rename = "4x4")]
    FourByFour,
    /// Five by five: the most common choice, fine-grained enough for most organisations.
    #[serde(rename = "5x5")]
    FiveByFive,
}

impl Preset {
    /// Every preset, smallest first.
    pub const ALL: [Preset; 3] = [Preset::ThreeByThree, Preset::FourByFour, Preset::FiveByFive];

    /// Stable identifier: `3x3`, `4x4`, `5x5`.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::ThreeByThree => "3x3",
            Preset::FourByFour => "4x4",
            Preset::FiveByFive => "5x5",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Preset::ThreeByThree => "3 × 3 (simple)",
            Preset::FourByFour => "4 × 4 (no middle value)",
            Preset::FiveByFive => "5 × 5 (most common)",
        }
    }

    /// When to choose it, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Preset::ThreeByThree => {
                "Three levels each way: quick to agree on, suits a small team with few systems."
            }
            Preset::FourByFour => {
                "Four levels each way: forces a choice between lower and higher, no safe middle."
            }
            Preset::FiveByFive => {
                "Five levels each way: the usual choice, enough detail to rank many risks."
            }
        }
    }

    /// Parse `3x3`, `4x4` or `5x5` (also `3X3`, `3×3`).
    pub fn parse(field: &str, s: &str) -> Result<Preset, ValidationError> {
        let t = s.trim().to_lowercase().replace('×', "x").replace(' ', "");
        Preset::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| ValidationError::single(field, "must be 3x3, 4x4 or 5x5"))
    }
}

fn scale(levels: &[(&str, &str)]) -> Scale {
    Scale {
        levels: levels
            .iter()
            .zip(1u8..)
            .map(|((name, description), value)| ScaleLevel {
                value,
                name: (*name).to_owned(),
                description: (*description).to_owned(),
            })
            .collect(),
    }
}

const LOW: (&str, &str, &str) = (
    "Low",
    "#2e7d32",
    "Small enough to live with; keep an eye on it at the regular review.",
);
const MEDIUM: (&str, &str, &str) = (
    "Medium",
    "#f9a825",
    "Needs attention: reduce it within a planned time, or accept it with a recorded reason.",
);
const HIGH: (&str, &str, &str) = (
    "High",
    "#ef6c00",
    "Serious: plan treatment promptly and report progress to management.",
);
const HIGH_TOP: (&str, &str, &str) = (
    "High",
    "#c62828",
    "Serious: plan treatment promptly, tell top management and report progress until it is lower.",
);
const CRITICAL: (&str, &str, &str) = (
    "Critical",
    "#b71c1c",
    "Not tolerable: act at once, inform top management and consider stopping the activity.",
);

fn levels(l: &[(&str, &str, &str)]) -> Vec<RiskLevel> {
    l.iter()
        .map(|(name, colour, description)| RiskLevel {
            name: (*name).to_owned(),
            colour: (*colour).to_owned(),
            description: (*description).to_owned(),
        })
        .collect()
}

/// A matrix from the product likelihood × impact and ascending score thresholds: the level
/// is the number of thresholds the score reaches. Monotone by construction.
fn matrix(rows: u8, cols: u8, thresholds: &[u16]) -> Vec<Vec<u8>> {
    (1..=rows)
        .map(|l| {
            (1..=cols)
                .map(|i| {
                    let score = u16::from(l) * u16::from(i);
                    let n = thresholds.iter().filter(|t| score >= **t).count();
                    u8::try_from(n).unwrap_or(u8::MAX)
                })
                .collect()
        })
        .collect()
}

const IMPACT_NEGLIGIBLE: &str = "Hardly noticed: cost under 0.1% of yearly revenue, no customer affected, no legal consequence, work goes on as normal.";
const IMPACT_MINOR: &str = "Cost up to 0.5% of yearly revenue; a few customers affected and easily put right; a minor contract breach; disruption of a few hours.";
const IMPACT_MODERATE: &str = "Cost up to 2% of yearly revenue; a group of customers affected and complaining; a regulator or data protection authority may have to be told; an important service down for up to a day.";
const IMPACT_MAJOR: &str = "Cost up to 5% of yearly revenue; important customers lost or many affected; a regulatory investigation or fine is likely; key operations down for several days.";
const IMPACT_SEVERE: &str = "Cost above 5% of yearly revenue or a threat to survival; broad loss of trust and public attention; serious sanctions or lawsuits; operations stopped for a week or more.";

/// The method of a preset: named scales with concrete frequencies and consequences,
/// Low/Medium/High(/Critical) levels, a monotone matrix and a 365-day review.
pub fn preset(p: Preset) -> Method {
    match p {
        Preset::ThreeByThree => Method {
            likelihood: scale(&[
                (
                    "Unlikely",
                    "Not expected: less than once in five years, and no sign of it in our sector recently.",
                ),
                (
                    "Possible",
                    "Could well happen: about once in one to five years, or it has happened to similar organisations.",
                ),
                (
                    "Likely",
                    "Expected: once a year or more often, or it has already happened to us.",
                ),
            ]),
            impact: scale(&[
                (
                    "Minor",
                    "Cost under 0.5% of yearly revenue; few or no customers notice; no legal consequence; disruption of hours.",
                ),
                (
                    "Moderate",
                    "Cost up to 2% of yearly revenue; customers affected and complaining; a regulator may have to be told; an important service down for up to a day.",
                ),
                ("Severe", IMPACT_SEVERE),
            ]),
            levels: levels(&[LOW, MEDIUM, HIGH_TOP]),
            // Scores 1–2 Low, 3–4 Medium, 6–9 High.
            matrix: matrix(3, 3, &[3, 6]),
            acceptance_level: 0,
            review_interval_days: 365,
        },
        Preset::FourByFour => Method {
            likelihood: scale(&[
                (
                    "Rare",
                    "Only in unusual circumstances: less than once in ten years.",
                ),
                (
                    "Unlikely",
                    "Could happen but is not expected: about once in three to ten years.",
                ),
                (
                    "Likely",
                    "Will probably happen: about once in one to three years, or it has happened to similar organisations.",
                ),
                (
                    "Almost certain",
                    "Expected: once a year or more often, or it happens to us regularly.",
                ),
            ]),
            impact: scale(&[
                ("Minor", IMPACT_MINOR),
                ("Moderate", IMPACT_MODERATE),
                ("Major", IMPACT_MAJOR),
                ("Severe", IMPACT_SEVERE),
            ]),
            levels: levels(&[LOW, MEDIUM, HIGH, CRITICAL]),
            // Scores 1–3 Low, 4–6 Medium, 8–9 High, 12–16 Critical.
            matrix: matrix(4, 4, &[4, 8, 12]),
            acceptance_level: 0,
            review_interval_days: 365,
        },
        Preset::FiveByFive => Method {
            likelihood: scale(&[
                (
                    "Rare",
                    "Only in unusual circumstances: less than once in ten years.",
                ),
                (
                    "Unlikely",
                    "Not expected, but conceivable: about once in five to ten years.",
                ),
                (
                    "Possible",
                    "Could well happen: about once in one to five years, or it has happened to similar organisations.",
                ),
                (
                    "Likely",
                    "Will probably happen: about once a year, or it has happened to us before.",
                ),
                (
                    "Almost certain",
                    "Expected: several times a year, or it is happening now.",
                ),
            ]),
            impact: scale(&[
                ("Negligible", IMPACT_NEGLIGIBLE),
                ("Minor", IMPACT_MINOR),
                ("Moderate", IMPACT_MODERATE),
                ("Major", IMPACT_MAJOR),
                ("Severe", IMPACT_SEVERE),
            ]),
            levels: levels(&[LOW, MEDIUM, HIGH, CRITICAL]),
            // Scores 1–4 Low, 5–9 Medium, 10–16 High, 20–25 Critical.
            matrix: matrix(5, 5, &[5, 10, 20]),
            acceptance_level: 1,
            review_interval_days: 365,
        },
    }
}
