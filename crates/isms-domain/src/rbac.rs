//! Roles and permissions. This is the one place that says who may do what; the web,
//! API and CLI layers ask [`can`] and never decide by themselves.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// A person's role in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the organisation's workspace: members, settings, everything else.
    Admin,
    /// Owns the ISMS day to day: edits every register and approves.
    IsmsManager,
    /// Maintains the records they are given (assets, risks, evidence, …).
    Contributor,
    /// Plans and performs internal audits; reads everything, writes audit records.
    InternalAuditor,
    /// A certification-body auditor: read-only, and only until the membership expires.
    ExternalAuditor,
    /// Reads everything, changes nothing (for example top management).
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::IsmsManager,
        Role::Contributor,
        Role::InternalAuditor,
        Role::ExternalAuditor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::IsmsManager => "isms_manager",
            Role::Contributor => "contributor",
            Role::InternalAuditor => "internal_auditor",
            Role::ExternalAuditor => "external_auditor",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::IsmsManager => "ISMS manager",
            Role::Contributor => "Contributor",
            Role::InternalAuditor => "Internal auditor",
            Role::ExternalAuditor => "External auditor",
            Role::Viewer => "Viewer",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Role::Admin => "Manages members and settings, and can do everything else.",
            Role::IsmsManager => "Runs the ISMS: edits every register and gives approvals.",
            Role::Contributor => "Keeps records up to date; cannot approve or manage members.",
            Role::InternalAuditor => "Reads everything and records internal audits and findings.",
            Role::ExternalAuditor => {
                "Certification-body auditor: read-only, access ends on the expiry date."
            }
            Role::Viewer => "Reads everything, changes nothing.",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let t = s.trim().to_lowercase().replace(['-', ' '], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    format!(
                        "unknown role \"{}\"; expected one of: {}",
                        s.trim(),
                        Role::ALL.map(Role::as_str).join(", ")
                    ),
                )
            })
    }

    /// Whether a membership with this role must carry an expiry date.
    pub fn requires_expiry(self) -> bool {
        self == Role::ExternalAuditor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a person may want to do inside an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the organisation and its records.
    Read,
    /// Create and change ISMS records.
    Write,
    /// Approve documents, the SoA, risk acceptance and the like.
    Approve,
    /// Record internal audits, checklists and findings.
    AuditWrite,
    /// Read the audit trail of changes.
    ReadAuditTrail,
    /// Add, change and remove members.
    ManageMembers,
    /// Change the organisation's own settings (name, size).
    ManageOrg,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::Read,
        Permission::Write,
        Permission::Approve,
        Permission::AuditWrite,
        Permission::ReadAuditTrail,
        Permission::ManageMembers,
        Permission::ManageOrg,
    ];
}

/// Whether `role` grants `permission`.
pub fn can(role: Role, permission: Permission) -> bool {
    use Permission as P;
    use Role as R;
    match permission {
        P::Read => true,
        P::Write => matches!(role, R::Admin | R::IsmsManager | R::Contributor),
        P::Approve => matches!(role, R::Admin | R::IsmsManager),
        P::AuditWrite => matches!(role, R::Admin | R::IsmsManager | R::InternalAuditor),
        P::ReadAuditTrail => matches!(
            role,
            R::Admin | R::IsmsManager | R::InternalAuditor | R::ExternalAuditor
        ),
        P::ManageMembers | P::ManageOrg => role == R::Admin,
    }
}

/// Who is acting inside one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgAccess {
    /// An instance administrator: every organisation, every permission.
    InstanceAdmin,
    /// A member with this role.
    Member(Role),
}

impl OrgAccess {
    pub fn can(self, p: Permission) -> bool {
        match self {
            OrgAccess::InstanceAdmin => true,
            OrgAccess::Member(r) => can(r, p),
        }
    }

    pub fn role_label(self) -> &'static str {
        match self {
            OrgAccess::InstanceAdmin => "Instance administrator",
            OrgAccess::Member(r) => r.label(),
        }
    }
}

/// A membership counts on `today` when it has no expiry date or the date has not passed
/// (the expiry day itself is the last day of access).
pub fn membership_active(expires_on: Option<Date>, today: Date) -> bool {
    expires_on.is_none_or(|d| today <= d)
}

/// Check the expiry date of a membership for a role (external auditors must have one,
/// and a new expiry may not already be in the past).
pub fn check_expiry(
    field: &str,
    role: Role,
    expires_on: Option<Date>,
    today: Date,
) -> Result<(), ValidationError> {
    match expires_on {
        None if role.requires_expiry() => Err(ValidationError::single(
            field,
            "is required for external auditors: their access must end on a set date",
        )),
        Some(d) if d < today => Err(ValidationError::single(
            field,
            "is in the past; access would already have ended",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn role_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse("role", r.as_str()).unwrap(), r);
        }
        assert_eq!(
            Role::parse("role", "ISMS manager").unwrap(),
            Role::IsmsManager
        );
        assert_eq!(
            Role::parse("role", "external-auditor").unwrap(),
            Role::ExternalAuditor
        );
        let e = Role::parse("role", "owner").unwrap_err();
        assert_eq!(e.errors[0].field, "role");
    }

    #[test]
    fn permission_matrix() {
        for r in Role::ALL {
            assert!(can(r, Permission::Read));
        }
        assert!(!can(Role::Viewer, Permission::Write));
        assert!(!can(Role::ExternalAuditor, Permission::Write));
        assert!(!can(Role::ExternalAuditor, Permission::AuditWrite));
        assert!(can(Role::ExternalAuditor, Permission::ReadAuditTrail));
        assert!(!can(Role::Viewer, Permission::ReadAuditTrail));
        assert!(can(Role::Contributor, Permission::Write));
        assert!(!can(Role::Contributor, Permission::Approve));
        assert!(can(Role::InternalAuditor, Permission::AuditWrite));
        assert!(!can(Role::IsmsManager, Permission::ManageMembers));
        assert!(can(Role::Admin, Permission::ManageMembers));
        for p in Permission::ALL {
            assert!(OrgAccess::InstanceAdmin.can(p));
            assert!(can(Role::Admin, p));
        }
    }

    #[test]
    fn expiry() {
        let today = date!(2026 - 11 - 28);
        assert!(membership_active(None, today));
        assert!(membership_active(Some(today), today));
        assert!(!membership_active(Some(date!(2026 - 11 - 27)), today));
        assert!(check_expiry("expires_on", Role::ExternalAuditor, None, today).is_err());
        assert!(check_expiry("expires_on", Role::Viewer, None, today).is_ok());
        assert!(
            check_expiry("expires_on", Role::Viewer, Some(date!(2026 - 1 - 1)), today).is_err()
        );
        assert!(
            check_expiry(
                "expires_on",
                Role::ExternalAuditor,
                Some(date!(2027 - 1 - 1)),
                today
            )
            .is_ok()
        );
    }
}
