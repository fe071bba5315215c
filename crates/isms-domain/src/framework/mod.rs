//! Frameworks besides ISO 27001 that an organisation imports (an OSCAL catalog such as
//! NIST SP 800-53, a CISO Assistant library): their requirement tree, mappings from their
//! requirements to ISO 27001:2022, and how much of them the organisation covers.
//!
//! - [`oscal::parse`] reads an OSCAL 1.1 catalog (JSON); [`ciso::parse`] a CISO Assistant
//!   library (YAML). Both give a [`ParsedFramework`] or a [`ValidationError`] naming the
//!   path of every bad value (`catalog.groups[2].controls[0].id`).
//! - [`mapping::parse`] reads a mapping table (source id, target id, relationship,
//!   rationale); targets are ISO 27001:2022 Annex A controls or clauses
//!   ([`parse_target`]).
//! - [`coverage`] is the share of a framework's assessable requirements met by an
//!   implemented ISO or own control, through a mapping or a link.

pub mod ciso;
pub mod coverage;
pub mod mapping;
pub mod oscal;

#[cfg(test)]
mod tests;

use crate::ValidationError;
use crate::catalogue::catalogue;
use serde::Serialize;
use serde_json::Value;

/// The largest file accepted (the full SP 800-53 rev5 catalog with all its text is ~10 MiB).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// The most requirements a framework may have (SP 800-53 rev5 has about 1,200 controls).
pub const MAX_REQUIREMENTS: usize = 20_000;
/// How deep groups and controls may nest.
pub const MAX_DEPTH: usize = 16;
/// Longest requirement id.
pub const MAX_REF: usize = 100;
/// Longest title.
pub const MAX_TITLE: usize = 1_000;
/// Longest imported text of one requirement (longer text is cut, with a mark).
pub const MAX_BODY: usize = 64_000;
/// At most this many errors are reported for one file.
pub const MAX_ERRORS: usize = 100;

/// A group of requirements or a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Group,
    Control,
    /// A control a library suggests (CISO Assistant's reference controls): listed apart
    /// from the tree, never counted in coverage.
    ReferenceControl,
}

impl NodeKind {
    /// Every kind.
    pub const ALL: [NodeKind; 3] = [
        NodeKind::Group,
        NodeKind::Control,
        NodeKind::ReferenceControl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Group => "group",
            NodeKind::Control => "control",
            NodeKind::ReferenceControl => "reference_control",
        }
    }

    pub fn parse(s: &str) -> Option<NodeKind> {
        match s {
            "group" => Some(NodeKind::Group),
            "control" => Some(NodeKind::Control),
            "reference_control" => Some(NodeKind::ReferenceControl),
            _ => None,
        }
    }
}

/// One node of a framework's tree, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The framework's own id (`ac-2.1`); unique in the framework.
    pub ref_id: String,
    pub parent_ref: Option<String>,
    /// 0 at the top.
    pub depth: usize,
    pub kind: NodeKind,
    /// Whether it counts towards coverage (controls that are not withdrawn; nodes a
    /// CISO Assistant library marks assessable).
    pub assessable: bool,
    pub title: String,
    /// The imported text, or empty.
    pub body: String,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFramework {
    /// `oscal_catalog` or `ciso_assistant`.
    pub source_kind: &'static str,
    /// The catalog's uuid or the library's urn: importing a file with the same key again
    /// updates that framework.
    pub source_key: String,
    pub name: String,
    pub version: String,
    pub requirements: Vec<Requirement>,
}

/// Collects errors up to [`MAX_ERRORS`].
#[derive(Debug, Default)]
pub(crate) struct Errors(pub ValidationError);

impl Errors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.0.errors.len() < MAX_ERRORS {
            self.0.push(field, message);
        }
    }

    pub fn full(&self) -> bool {
        self.0.errors.len() >= MAX_ERRORS
    }
}

/// Check a requirement id: trimmed, 1–100 characters, no control characters.
pub(crate) fn check_ref(e: &mut Errors, path: &str, s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        e.push(path, "must not be empty");
        None
    } else if t.chars().count() > MAX_REF {
        e.push(path, format!("must be at most {MAX_REF} characters"));
        None
    } else if t.chars().any(char::is_control) {
        e.push(path, "must not contain control characters");
        None
    } else {
        Some(t.to_owned())
    }
}

/// Check a title: trimmed, at most 1,000 characters (empty becomes the id).
pub(crate) fn check_title(e: &mut Errors, path: &str, s: &str) -> String {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > MAX_TITLE {
        e.push(path, format!("must be at most {MAX_TITLE} characters"));
    }
    t
}

/// Cut imported text at [`MAX_BODY`] characters.
pub(crate) fn cut_body(s: String) -> String {
    if s.chars().count() <= MAX_BODY {
        s
    } else {
        let mut t: String = s.chars().take(MAX_BODY).collect();
        t.push_str(" […]");
        t
    }
}

/// Record `id` as seen at `path`; an error naming the first place when it was seen before.
pub(crate) fn check_unique(
    e: &mut Errors,
    seen: &mut std::collections::HashMap<String, String>,
    path: &str,
    id: &str,
) -> bool {
    if let Some(first) = seen.get(id) {
        e.push(path, format!("\"{id}\" appears twice (first at {first})"));
        false
    } else {
        seen.insert(id.to_owned(), path.to_owned());
        true
    }
}

/// An ISO 27001:2022 item a mapping points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An Annex A control (`5.15`).
    Control(String),
    /// A clause (`6.1.3`).
    Clause(String),
}

impl Target {
    /// How it is stored: `5.15` for a control, `clause:6.1.3` for a clause.
    pub fn key(&self) -> String {
        match self {
            Target::Control(id) => id.clone(),
            Target::Clause(id) => format!("clause:{id}"),
        }
    }

    /// Read a stored key back.
    pub fn from_key(key: &str) -> Target {
        match key.strip_prefix("clause:") {
            Some(c) => Target::Clause(c.to_owned()),
            None => Target::Control(key.to_owned()),
        }
    }

    /// `A.5.15` or `Clause 6.1.3`.
    pub fn label(&self) -> String {
        match self {
            Target::Control(id) => format!("A.{id}"),
            Target::Clause(id) => format!("Clause {id}"),
        }
    }
}

/// Read an ISO 27001 target id: an Annex A control of 2022 (`5.15`, `A.5.15`), a clause
/// (`6.1.3`, `clause 9.2`), or a 2013 Annex A control (`A.9.1.1`), which gives the 2022
/// controls it went to. A bare two-part id that is both an Annex A control and a clause
/// (`5.1`) is the control; write `clause 5.1` for the clause.
pub fn parse_target(s: &str) -> Result<Vec<Target>, String> {
    let t = s.trim();
    let cat = catalogue();
    let lower = t.to_lowercase();
    for prefix in ["clause ", "clause", "cl. ", "§"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            return match cat.clause(rest) {
                Some(c) => Ok(vec![Target::Clause(c.id.clone())]),
                None => Err(format!("\"{t}\" is not a clause of ISO/IEC 27001:2022")),
            };
        }
    }
    let prefixed = lower.starts_with("a.");
    let bare = crate::catalogue::normalise_control_id(t);
    let parts = bare.split('.').count();
    if parts == 2
        && let Some(c) = cat.control(&bare)
    {
        return Ok(vec![Target::Control(c.id.clone())]);
    }
    if !prefixed && let Some(c) = cat.clause(&bare) {
        return Ok(vec![Target::Clause(c.id.clone())]);
    }
    if parts == 3
        && let Some(old) = cat.map_2013(&bare)
        && !old.to_2022.is_empty()
    {
        return Ok(old
            .to_2022
            .iter()
            .map(|id| Target::Control(id.clone()))
            .collect());
    }
    if t.is_empty() {
        Err("must not be empty".into())
    } else {
        Err(format!(
            "\"{t}\" is not an ISO/IEC 27001:2022 Annex A control or clause (write 5.15, A.5.15, 6.1.3 or clause 6.1.3)"
        ))
    }
}

/// A string member; an error when it has another type, or is absent and `required`.
pub(crate) fn text(
    e: &mut Errors,
    obj: &Value,
    path: &str,
    key: &str,
    required: bool,
) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            e.push(format!("{path}.{key}"), "must be a string");
            None
        }
        None if required => {
            e.push(format!("{path}.{key}"), "is missing");
            None
        }
        None => None,
    }
}

/// An array member (absent: empty); an error when it has another type.
pub(crate) fn array<'a>(e: &mut Errors, obj: &'a Value, path: &str, key: &str) -> &'a [Value] {
    match obj.get(key) {
        Some(Value::Array(a)) => a,
        Some(_) => {
            e.push(format!("{path}.{key}"), "must be an array");
            &[]
        }
        None => &[],
    }
}
