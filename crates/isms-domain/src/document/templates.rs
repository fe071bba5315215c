//! Templates for the documents an auditor expects (see the mandatory-documents list in
//! the project's domain notes), written by us in plain English. Each is a Markdown file
//! embedded in the binary, with its kind, default review interval and the clauses and
//! controls it serves. On creation a template is filled with the organisation's name,
//! its approved scope and the holders of its ISMS roles; what is not known yet is left as
//! a visible `[to complete: …]` marker.

use super::Kind;
use crate::foundation::scope::ScopeContent;
use serde::Serialize;

/// One document template.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Template {
    /// Stable key, e.g. `access-control-policy`.
    pub key: &'static str,
    pub title: &'static str,
    #[schema(value_type = String)]
    pub kind: Kind,
    /// Default review interval in months.
    pub review_months: i64,
    /// ISO/IEC 27001 clauses it serves.
    pub clauses: &'static [&'static str],
    /// Annex A controls it serves.
    pub controls: &'static [&'static str],
    /// What it is for, in one sentence (shown in the template picker).
    pub purpose: &'static str,
    /// The Markdown body with `{{…}}` placeholders.
    #[serde(skip)]
    pub body: &'static str,
}

/// The marker left where the organisation still has something to fill in.
pub const TO_COMPLETE: &str = "[to complete:";

const TEMPLATES: &[Template] = &[
    Template {
        key: "information-security-policy",
        title: "Information security policy",
        kind: Kind::Policy,
        review_months: 12,
        clauses: &["5.1", "5.2"],
        controls: &["5.1"],
        purpose: "Top management's commitments, the objectives framework and what everyone must do (5.2).",
        body: include_str!("templates/information-security-policy.md"),
    },
    Template {
        key: "isms-scope",
        title: "Scope of the ISMS",
        kind: Kind::Policy,
        review_months: 12,
        clauses: &["4.3"],
        controls: &[],
        purpose: "The boundaries of the ISMS: units, locations, systems, interfaces and exclusions (4.3).",
        body: include_str!("templates/isms-scope.md"),
    },
    Template {
        key: "risk-methodology",
        title: "Risk assessment and treatment methodology",
        kind: Kind::Procedure,
        review_months: 12,
        clauses: &["6.1.2", "6.1.3", "8.2", "8.3"],
        controls: &[],
        purpose: "How risks are identified, rated, accepted and treated, consistently every time (6.1.2, 6.1.3).",
        body: include_str!("templates/risk-methodology.md"),
    },
    Template {
        key: "soa-cover-note",
        title: "Statement of Applicability cover note",
        kind: Kind::Record,
        review_months: 12,
        clauses: &["6.1.3"],
        controls: &[],
        purpose: "How the Statement of Applicability was made and approved, to send with its export (6.1.3 d).",
        body: include_str!("templates/soa-cover-note.md"),
    },
    Template {
        key: "access-control-policy",
        title: "Access control policy",
        kind: Kind::Policy,
        review_months: 12,
        clauses: &[],
        controls: &["5.15", "5.16", "5.17", "5.18", "8.2", "8.3", "8.5"],
        purpose: "Who gets access to what, how it is granted, reviewed and removed (A.5.15–5.18, 8.2, 8.3, 8.5).",
        body: include_str!("templates/access-control-policy.md"),
    },
    Template {
        key: "acceptable-use",
        title: "Acceptable use of information and assets",
        kind: Kind::Policy,
        review_months: 12,
        clauses: &[],
        controls: &["5.10", "6.7", "7.7", "8.1"],
        purpose: "The rules every member of staff follows with information, devices and tools (A.5.10).",
        body: include_str!("templates/acceptable-use.md"),
    },
    Template {
        key: "incident-management",
        title: "Information security incident management procedure",
        kind: Kind::Procedure,
        review_months: 12,
        clauses: &[],
        controls: &["5.24", "5.25", "5.26", "5.27", "5.28", "6.8"],
        purpose: "How incidents are reported, assessed, handled and learned from (A.5.24–5.28, 6.8).",
        body: include_str!("templates/incident-management.md"),
    },
    Template {
        key: "supplier-security",
        title: "Supplier security policy",
        kind: Kind::Policy,
        review_months: 12,
        clauses: &[],
        controls: &["5.19", "5.20", "5.21", "5.22", "5.23"],
        purpose: "How suppliers and cloud services are chosen, contracted, monitored and left (A.5.19–5.23).",
        body: include_str!("templates/supplier-security.md"),
    },
    Template {
        key: "ict-continuity",
        title: "Business continuity: ICT readiness plan",
        kind: Kind::Plan,
        review_months: 12,
        clauses: &[],
        controls: &["5.29", "5.30", "8.13", "8.14"],
        purpose: "Recovery targets, backups, redundancy and tests that keep ICT services available (A.5.29, 5.30).",
        body: include_str!("templates/ict-continuity.md"),
    },
    Template {
        key: "internal-audit",
        title: "Internal audit procedure",
        kind: Kind::Procedure,
        review_months: 12,
        clauses: &["9.2", "9.2.1", "9.2.2"],
        controls: &[],
        purpose: "The audit programme, auditor independence and how each audit is run and reported (9.2).",
        body: include_str!("templates/internal-audit.md"),
    },
    Template {
        key: "management-review",
        title: "Management review procedure",
        kind: Kind::Procedure,
        review_months: 12,
        clauses: &["9.3", "9.3.1", "9.3.2", "9.3.3"],
        controls: &[],
        purpose: "When top management reviews the ISMS, the inputs it considers and what it records (9.3).",
        body: include_str!("templates/management-review.md"),
    },
    Template {
        key: "corrective-action",
        title: "Nonconformity and corrective action procedure",
        kind: Kind::Procedure,
        review_months: 12,
        clauses: &["10.1", "10.2"],
        controls: &[],
        purpose: "How nonconformities are corrected, their causes removed and the actions checked (10.2).",
        body: include_str!("templates/corrective-action.md"),
    },
    Template {
        key: "document-control",
        title: "Document control procedure",
        kind: Kind::Procedure,
        review_months: 24,
        clauses: &["7.5", "7.5.1", "7.5.2", "7.5.3"],
        controls: &["5.33"],
        purpose: "How ISMS documents are written, approved, published, reviewed, kept and retired (7.5).",
        body: include_str!("templates/document-control.md"),
    },
];

/// Every template, in the order the picker shows them.
pub fn templates() -> &'static [Template] {
    TEMPLATES
}

/// A template by key.
pub fn template(key: &str) -> Option<&'static Template> {
    let key = key.trim();
    TEMPLATES.iter().find(|t| t.key == key)
}

/// What a template is filled with.
#[derive(Debug, Clone, Default)]
pub struct FillData<'a> {
    pub organisation: &'a str,
    /// The approved scope statement, when there is one.
    pub scope: Option<&'a ScopeContent>,
    /// ISMS roles and who holds them, in register order: (role title, holder's name).
    pub roles: Vec<(String, String)>,
}

fn bullets(items: &[String], missing: &str) -> String {
    if items.is_empty() {
        format!("{TO_COMPLETE} {missing}]")
    } else {
        items
            .iter()
            .map(|i| format!("- {}", one_line(i)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell(s: &str) -> String {
    one_line(s).replace('|', "/")
}

/// The text for one placeholder.
fn value(token: &str, d: &FillData) -> String {
    let scope_missing = "approve the scope under ISMS scope & context, or write it here";
    match token {
        "organisation" if !d.organisation.trim().is_empty() => one_line(d.organisation),
        "scope_statement" => match d
            .scope
            .map(|s| s.statement.trim())
            .filter(|s| !s.is_empty())
        {
            Some(s) => one_line(s),
            None => format!("{TO_COMPLETE} the scope statement; {scope_missing}]"),
        },
        "scope_units" => bullets(
            d.scope.map(|s| s.units.as_slice()).unwrap_or_default(),
            &format!("the organisational units in scope; {scope_missing}"),
        ),
        "scope_locations" => bullets(
            d.scope.map(|s| s.locations.as_slice()).unwrap_or_default(),
            &format!("the locations in scope; {scope_missing}"),
        ),
        "scope_systems" => bullets(
            d.scope.map(|s| s.systems.as_slice()).unwrap_or_default(),
            &format!("the systems and services in scope; {scope_missing}"),
        ),
        "roles_table" => {
            if d.roles.is_empty() {
                format!(
                    "{TO_COMPLETE} the ISMS roles and who holds them; record them under ISMS scope & context → Roles]"
                )
            } else {
                let mut t = String::from("| Role | Held by |\n| --- | --- |");
                for (role, who) in &d.roles {
                    t.push_str(&format!("\n| {} | {} |", cell(role), cell(who)));
                }
                t
            }
        }
        t if t.starts_with("role:") => {
            let alts: Vec<String> = t[5..]
                .split('|')
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect();
            let found = alts.iter().find_map(|a| {
                d.roles
                    .iter()
                    .find(|(role, _)| role.to_lowercase().contains(a.as_str()))
            });
            match found {
                Some((role, who)) => format!("{} ({})", one_line(who), one_line(role)),
                None => format!(
                    "{TO_COMPLETE} who holds the role of {}; record it under ISMS scope & context → Roles]",
                    alts.first().map(String::as_str).unwrap_or("this role")
                ),
            }
        }
        other => format!("{TO_COMPLETE} {}]", other.replace('_', " ")),
    }
}

/// Fill a template body: every `{{placeholder}}` is replaced by the organisation's data
/// or by a `[to complete: …]` marker.
pub fn fill(body: &str, d: &FillData) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&value(after[..end].trim(), d));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// How many `[to complete: …]` markers a text still holds.
pub fn markers(text: &str) -> usize {
    text.matches(TO_COMPLETE).count()
}
