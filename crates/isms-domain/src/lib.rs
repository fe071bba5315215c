//! The ISO/IEC 27001 domain of ISMS Workbench: plain types and rules, no I/O.
//!
//! Everything that decides something (who may do what, what makes a password
//! acceptable, how the audit trail is chained) lives here and is called by the
//! services in `isms-app`.

pub mod asset;
pub mod audit;
pub mod capa;
pub mod catalogue;
pub mod certification;
pub mod competence;
pub mod control;
pub mod dashboard;
pub mod document;
pub mod error;
pub mod evidence;
pub mod foundation;
pub mod framework;
pub mod gap;
pub mod import;
pub mod incident;
pub mod internal_audit;
pub mod isms_code;
pub mod measurement;
pub mod org;
pub mod peer_sheets;
pub mod rbac;
pub mod readiness;
pub mod review;
pub mod risk;
pub mod secret;
pub mod soa;
pub mod supplier;
pub mod task;
pub mod time;
pub mod timeline;
pub mod totp;
pub mod trend_chart;
pub mod user;

pub use error::{FieldError, ValidationError};
