//! Reading an OSCAL 1.1 catalog (JSON): a NIST SP 800-53 catalog, or the catalog a
//! profile resolves to. Groups nest; controls hold sub-controls (SP 800-53's
//! enhancements); `params`, `props`, `links` and `back-matter` may be present and are
//! passed over, except the prose of a control's `statement`, `guidance` and `overview`
//! parts, which becomes its text, and a `status` prop of `withdrawn`, which makes it not
//! assessable.
//!
//! Hostile files: the JSON parser stops at 128 levels of nesting (an error says so); the
//! tree may nest [`MAX_DEPTH`] levels; ids must be unique; every value of the wrong type
//! is named by its path (`catalog.groups[2].controls[0].id`), and nothing is returned
//! then.

use super::{
    Errors, MAX_DEPTH, MAX_FILE_BYTES, MAX_REQUIREMENTS, NodeKind, ParsedFramework, Requirement,
    array, check_ref, check_title, check_unique, cut_body, text,
};
use crate::ValidationError;
use serde_json::Value;
use std::collections::HashMap;

/// Read a catalog from the bytes of a JSON file.
pub fn parse(bytes: &[u8]) -> Result<ParsedFramework, ValidationError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ValidationError::single(
            "file",
            format!(
                "is {} MiB; at most {} MiB is accepted",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let root: Value = serde_json::from_slice(bytes).map_err(json_error)?;
    let mut e = Errors::default();
    let Some(catalog) = root.get("catalog") else {
        let what = if root.get("profile").is_some() {
            "this is an OSCAL profile; resolve it to a catalog first (for example with oscal-cli profile resolve)"
        } else {
            "is not an OSCAL catalog: the top-level object needs a \"catalog\""
        };
        return Err(ValidationError::single("catalog", what));
    };
    if !catalog.is_object() {
        return Err(ValidationError::single("catalog", "must be an object"));
    }
    let key = text(&mut e, catalog, "catalog", "uuid", true).unwrap_or_default();
    let meta = catalog.get("metadata");
    let (name, version) = match meta {
        Some(m) if m.is_object() => (
            text(&mut e, m, "catalog.metadata", "title", true).unwrap_or_default(),
            text(&mut e, m, "catalog.metadata", "version", false).unwrap_or_default(),
        ),
        Some(_) => {
            e.push("catalog.metadata", "must be an object");
            Default::default()
        }
        None => {
            e.push("catalog.metadata", "is missing");
            Default::default()
        }
    };
    let name = check_title(&mut e, "catalog.metadata.title", &name);
    if name.is_empty() && meta.is_some() {
        e.push("catalog.metadata.title", "must not be empty");
    }
    let mut w = Walker {
        e,
        out: Vec::new(),
        seen: HashMap::new(),
    };
    w.children(catalog, "catalog", None, 0);
    if w.out.len() > MAX_REQUIREMENTS {
        w.e.push(
            "catalog",
            format!("has more than {MAX_REQUIREMENTS} groups and controls"),
        );
    }
    if w.out.is_empty() && w.e.0.is_empty() {
        w.e.push("catalog", "has no groups and no controls");
    }
    w.e.0.into_result()?;
    Ok(ParsedFramework {
        source_kind: "oscal_catalog",
        source_key: format!("oscal:{}", key.trim().to_lowercase()),
        name,
        version: version.trim().to_owned(),
        requirements: w.out,
    })
}

/// A JSON syntax error as a field error; the recursion limit is named.
fn json_error(err: serde_json::Error) -> ValidationError {
    let msg = err.to_string();
    if msg.contains("recursion limit") {
        ValidationError::single(
            "file",
            format!(
                "nests deeper than 128 levels at line {}, column {}; no catalog nests that deep",
                err.line(),
                err.column()
            ),
        )
    } else if err.is_data() || err.is_syntax() || err.is_eof() {
        ValidationError::single(
            "file",
            format!(
                "is not valid JSON: {}",
                msg.split(" at line").next().unwrap_or(&msg)
            ) + &format!(" (line {}, column {})", err.line(), err.column()),
        )
    } else {
        ValidationError::single("file", format!("cannot be read: {msg}"))
    }
}

struct Walker {
    e: Errors,
    out: Vec<Requirement>,
    seen: HashMap<String, String>,
}

impl Walker {
    /// The `groups` and then the `controls` of `node`.
    fn children(&mut self, node: &Value, path: &str, parent: Option<&str>, depth: usize) {
        for key in ["groups", "controls"] {
            let items = array(&mut self.e, node, path, key);
            if items.is_empty() {
                continue;
            }
            if depth >= MAX_DEPTH {
                self.e.push(
                    format!("{path}.{key}"),
                    format!("nests deeper than {MAX_DEPTH} levels"),
                );
                return;
            }
            let kind = if key == "groups" {
                NodeKind::Group
            } else {
                NodeKind::Control
            };
            for (i, item) in items.iter().enumerate() {
                if self.e.full() || self.out.len() > MAX_REQUIREMENTS {
                    return;
                }
                self.node(item, &format!("{path}.{key}[{i}]"), kind, parent, depth);
            }
        }
    }

    fn node(
        &mut self,
        item: &Value,
        path: &str,
        kind: NodeKind,
        parent: Option<&str>,
        depth: usize,
    ) {
        if !item.is_object() {
            self.e.push(path, "must be an object");
            return;
        }
        // A group's id is optional in OSCAL; one without gets its path.
        let id = match (
            text(&mut self.e, item, path, "id", kind == NodeKind::Control),
            kind,
        ) {
            (Some(s), _) => check_ref(&mut self.e, &format!("{path}.id"), &s),
            (None, NodeKind::Group) if item.get("id").is_none() => Some(format!(
                "group-{}",
                self.out
                    .iter()
                    .filter(|r| r.kind == NodeKind::Group)
                    .count()
                    + 1
            )),
            (None, _) => None,
        };
        let title = text(&mut self.e, item, path, "title", true).unwrap_or_default();
        let title = check_title(&mut self.e, &format!("{path}.title"), &title);
        let withdrawn = array(&mut self.e, item, path, "props").iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some("status")
                && p.get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case("withdrawn"))
        });
        let mut body = Vec::new();
        if kind == NodeKind::Control {
            for (i, part) in array(&mut self.e, item, path, "parts").iter().enumerate() {
                let name = part.get("name").and_then(Value::as_str).unwrap_or("");
                if matches!(name, "statement" | "guidance" | "overview") {
                    self.prose(part, &format!("{path}.parts[{i}]"), 0, &mut body);
                }
            }
        }
        let Some(id) = id else {
            return;
        };
        if !check_unique(&mut self.e, &mut self.seen, &format!("{path}.id"), &id) {
            return;
        }
        self.out.push(Requirement {
            ref_id: id.clone(),
            parent_ref: parent.map(str::to_owned),
            depth,
            kind,
            assessable: kind == NodeKind::Control && !withdrawn,
            title: if title.is_empty() { id.clone() } else { title },
            body: cut_body(body.join("\n\n")),
        });
        self.children(item, path, Some(&id), depth + 1);
    }

    /// The prose of a part and its sub-parts, with their labels (`a.`, `1.`).
    fn prose(&mut self, part: &Value, path: &str, depth: usize, out: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        let label = array(&mut self.e, part, path, "props")
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some("label"))
            .and_then(|p| p.get("value").and_then(Value::as_str))
            .unwrap_or("");
        if let Some(p) = text(&mut self.e, part, path, "prose", false) {
            let p = p.trim();
            if !p.is_empty() {
                let indent = "  ".repeat(depth);
                out.push(if label.is_empty() {
                    format!("{indent}{p}")
                } else {
                    format!("{indent}{label} {p}")
                });
            }
        }
        for (i, sub) in array(&mut self.e, part, path, "parts").iter().enumerate() {
            self.prose(sub, &format!("{path}.parts[{i}]"), depth + 1, out);
        }
    }
}
