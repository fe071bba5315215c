//! Information security risk: the organisation's risk method (scales, levels, matrix,
//! acceptance criteria), ready-made presets, the methodology document, the rules of the
//! risk register and starter catalogues of threats and vulnerabilities.

pub mod doc;
pub mod library;
pub mod method;
pub mod preset;
pub mod register;
pub mod resize;

pub use doc::{DocSection, methodology_sections};
pub use method::{Method, RiskLevel, Scale, ScaleLevel, level, owner_may_accept, validate};
pub use preset::{Preset, preset};
pub use register::{
    AcceptanceInput, AcceptanceKind, RiskStatus, Treatment, check_acceptance, check_can_accept,
    check_transition,
};

#[cfg(test)]
mod tests;
