//! Reading a CISO Assistant library (YAML): `objects.framework` with its flat list of
//! `requirement_nodes` (`urn`, `ref_id`, `parent_urn`, `assessable`, `name`,
//! `description`, `annotation`), `reference_controls`, `risk_matrix` and
//! `requirement_mapping_set(s)`.
//!
//! - The framework's nodes become its requirement tree; a node's ref is its `ref_id`
//!   (or, without one or when two share it, the last part of its urn).
//! - Reference controls become [`NodeKind::ReferenceControl`] entries after the tree:
//!   the framework's catalogue of suggested controls, never counted in coverage.
//! - Mapping sets between this framework and ISO/IEC 27001:2022
//!   (`urn:intuitem:risk:framework:iso27001-2022`), in either direction, become mappings;
//!   a set from ISO to the framework has `subset` and `superset` swapped. Other sets are
//!   named in [`ParsedLibrary::notes`].
//! - A risk matrix becomes [`ParsedLibrary::risk_method`] when our risk method can hold
//!   it (scales of 3–10 steps, 2–10 levels, a full grid); otherwise a note says why.
//!
//! Hostile files: YAML nesting and alias expansion are bounded by the parser (an error
//! names them); every wrong value is named by its path
//! (`objects.framework.requirement_nodes[3].parent_urn`).

use super::mapping::Relationship;
use super::{
    Errors, MAX_DEPTH, MAX_FILE_BYTES, MAX_REQUIREMENTS, NodeKind, ParsedFramework, Requirement,
    Target, array, check_ref, check_title, cut_body, parse_target, text,
};
use crate::ValidationError;
use crate::risk::{Method, RiskLevel, Scale, ScaleLevel};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The framework urn of ISO/IEC 27001:2022 in CISO Assistant's libraries.
pub const ISO_FRAMEWORK_URN: &str = "urn:intuitem:risk:framework:iso27001-2022";
const ISO_NODE_PREFIX: &str = "urn:intuitem:risk:req_node:iso27001-2022:";

/// A mapping read from a library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryMapping {
    pub source_ref: String,
    pub target: Target,
    pub relationship: Relationship,
    pub rationale: String,
}

/// What a library holds that we import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLibrary {
    pub framework: ParsedFramework,
    pub mappings: Vec<LibraryMapping>,
    /// What was in the file and not imported, and why.
    pub notes: Vec<String>,
    /// The library's risk matrix as a risk method, when our method can hold it.
    pub risk_method: Option<Method>,
}

/// Read a library from the bytes of a YAML file.
pub fn parse(bytes: &[u8]) -> Result<ParsedLibrary, ValidationError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ValidationError::single(
            "file",
            format!("is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    let root: Value = serde_yaml_ng::from_slice(bytes).map_err(|err| {
        let msg = err.to_string();
        let msg = if msg.contains("recursion limit") {
            "nests too deeply (more than 128 levels); no library nests that deep".to_owned()
        } else if msg.contains("repetition limit") {
            "expands its aliases too often; refused".to_owned()
        } else {
            format!("is not valid YAML: {msg}")
        };
        ValidationError::single("file", msg)
    })?;
    if !root.is_object() {
        return Err(ValidationError::single(
            "file",
            "is not a CISO Assistant library: the top level must be a mapping with urn, name and objects",
        ));
    }
    let mut e = Errors::default();
    let lib_name = text(&mut e, &root, "library", "name", false).unwrap_or_default();
    let lib_version = match root.get("version") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let Some(objects) = root.get("objects").filter(|o| o.is_object()) else {
        return Err(ValidationError::single(
            "objects",
            "is missing: a CISO Assistant library keeps its content under objects",
        ));
    };
    let mut notes = Vec::new();
    let fw = match (objects.get("framework"), objects.get("frameworks")) {
        (Some(f), _) => f,
        (None, Some(Value::Array(list))) if !list.is_empty() => {
            if list.len() > 1 {
                notes.push(format!(
                    "{} more frameworks in the file were not imported (one library, one framework)",
                    list.len() - 1
                ));
            }
            &list[0]
        }
        _ => {
            return Err(ValidationError::single(
                "objects.framework",
                "is missing: the library holds no framework to import",
            ));
        }
    };
    let path = if objects.get("framework").is_some() {
        "objects.framework"
    } else {
        "objects.frameworks[0]"
    };
    if !fw.is_object() {
        return Err(ValidationError::single(path, "must be a mapping"));
    }
    let fw_urn = text(&mut e, fw, path, "urn", true)
        .unwrap_or_default()
        .to_lowercase();
    let name = text(&mut e, fw, path, "name", false).unwrap_or(lib_name);
    let name = check_title(&mut e, &format!("{path}.name"), &name);
    if name.is_empty() {
        e.push(format!("{path}.name"), "must not be empty");
    }
    let nodes = array(&mut e, fw, path, "requirement_nodes");
    if nodes.len() > MAX_REQUIREMENTS {
        return Err(ValidationError::single(
            format!("{path}.requirement_nodes"),
            format!("has more than {MAX_REQUIREMENTS} nodes"),
        ));
    }
    // urn → (ref, depth)
    let mut by_urn: HashMap<String, (String, usize)> = HashMap::new();
    let mut refs: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if e.full() {
            break;
        }
        let p = format!("{path}.requirement_nodes[{i}]");
        if !n.is_object() {
            e.push(&p, "must be a mapping");
            continue;
        }
        let Some(urn) = text(&mut e, n, &p, "urn", true) else {
            continue;
        };
        let urn = urn.trim().to_lowercase();
        if by_urn.contains_key(&urn) {
            e.push(format!("{p}.urn"), format!("\"{urn}\" appears twice"));
            continue;
        }
        let tail = urn.rsplit(':').next().unwrap_or(&urn).to_owned();
        let wanted = text(&mut e, n, &p, "ref_id", false)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| tail.clone());
        let r = if refs.contains(&wanted) { tail } else { wanted };
        let Some(r) = check_ref(&mut e, &format!("{p}.ref_id"), &r) else {
            continue;
        };
        if refs.contains(&r) {
            e.push(format!("{p}.ref_id"), format!("\"{r}\" appears twice"));
            continue;
        }
        let (parent, depth) = match text(&mut e, n, &p, "parent_urn", false) {
            None => (None, 0),
            Some(pu) => match by_urn.get(&pu.trim().to_lowercase()) {
                Some((pr, d)) => (Some(pr.clone()), d + 1),
                None => {
                    e.push(
                        format!("{p}.parent_urn"),
                        format!("\"{pu}\" is not a node listed before this one"),
                    );
                    continue;
                }
            },
        };
        if depth >= MAX_DEPTH {
            e.push(
                format!("{p}.parent_urn"),
                format!("nests deeper than {MAX_DEPTH} levels"),
            );
            continue;
        }
        let assessable = match n.get("assessable") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                e.push(format!("{p}.assessable"), "must be true or false");
                false
            }
        };
        let title = text(&mut e, n, &p, "name", false).unwrap_or_default();
        let description = text(&mut e, n, &p, "description", false).unwrap_or_default();
        let annotation = text(&mut e, n, &p, "annotation", false).unwrap_or_default();
        let mut title = check_title(&mut e, &format!("{p}.name"), &title);
        if title.is_empty() {
            title = description
                .split_whitespace()
                .take(20)
                .collect::<Vec<_>>()
                .join(" ");
        }
        if title.is_empty() {
            title = r.clone();
        }
        let body = [description.trim(), annotation.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n\n");
        by_urn.insert(urn, (r.clone(), depth));
        refs.insert(r.clone());
        out.push(Requirement {
            ref_id: r,
            parent_ref: parent,
            depth,
            kind: if assessable {
                NodeKind::Control
            } else {
                NodeKind::Group
            },
            assessable,
            title,
            body: cut_body(body),
        });
    }
    if out.is_empty() && e.0.is_empty() {
        e.push(
            format!("{path}.requirement_nodes"),
            "has no requirement nodes",
        );
    }
    // Reference controls: after the tree, never assessable.
    for (i, rc) in array(&mut e, objects, "objects", "reference_controls")
        .iter()
        .enumerate()
    {
        let p = format!("objects.reference_controls[{i}]");
        if !rc.is_object() {
            e.push(&p, "must be a mapping");
            continue;
        }
        let urn = text(&mut e, rc, &p, "urn", true).unwrap_or_default();
        let tail = urn.rsplit(':').next().unwrap_or("").to_owned();
        let r = text(&mut e, rc, &p, "ref_id", false)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(tail);
        let Some(r) = check_ref(&mut e, &format!("{p}.ref_id"), &format!("RC {}", r.trim())) else {
            continue;
        };
        if !refs.insert(r.clone()) {
            e.push(format!("{p}.ref_id"), format!("\"{r}\" appears twice"));
            continue;
        }
        let title = text(&mut e, rc, &p, "name", false).unwrap_or_default();
        let title = check_title(&mut e, &format!("{p}.name"), &title);
        let body = text(&mut e, rc, &p, "description", false).unwrap_or_default();
        out.push(Requirement {
            title: if title.is_empty() { r.clone() } else { title },
            ref_id: r,
            parent_ref: None,
            depth: 0,
            kind: NodeKind::ReferenceControl,
            assessable: false,
            body: cut_body(body.trim().to_owned()),
        });
    }
    let risk_method = match objects
        .get("risk_matrix")
        .or_else(|| objects.get("risk_matrices"))
    {
        None => None,
        Some(Value::Array(list)) if !list.is_empty() => {
            if list.len() > 1 {
                notes.push(format!(
                    "Only the first of the {} risk matrices was read; a method has one matrix.",
                    list.len()
                ));
            }
            risk_matrix(&list[0], &mut notes)
        }
        Some(m @ Value::Object(_)) => risk_matrix(m, &mut notes),
        Some(_) => {
            notes.push(
                "The risk matrix was not imported: it is neither a list nor a mapping.".to_owned(),
            );
            None
        }
    };
    // Mapping sets.
    let mut sets: Vec<(String, &Value)> = Vec::new();
    match objects.get("requirement_mapping_sets") {
        Some(Value::Array(list)) => {
            for (i, s) in list.iter().enumerate() {
                sets.push((format!("objects.requirement_mapping_sets[{i}]"), s));
            }
        }
        Some(_) => e.push("objects.requirement_mapping_sets", "must be a list"),
        None => {}
    }
    if let Some(s) = objects.get("requirement_mapping_set") {
        sets.push(("objects.requirement_mapping_set".to_owned(), s));
    }
    let mut mappings = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (p, set) in sets {
        if !set.is_object() {
            e.push(&p, "must be a mapping");
            continue;
        }
        let src = text(&mut e, set, &p, "source_framework_urn", true)
            .unwrap_or_default()
            .to_lowercase();
        let tgt = text(&mut e, set, &p, "target_framework_urn", true)
            .unwrap_or_default()
            .to_lowercase();
        let forward = src == fw_urn && tgt == ISO_FRAMEWORK_URN;
        let backward = tgt == fw_urn && src == ISO_FRAMEWORK_URN;
        if !forward && !backward {
            notes.push(format!(
                "The mapping set at {p} ({src} → {tgt}) was not imported: only mappings between this framework and ISO/IEC 27001:2022 are."
            ));
            continue;
        }
        for (j, m) in array(&mut e, set, &p, "requirement_mappings")
            .iter()
            .enumerate()
        {
            if e.full() {
                break;
            }
            let mp = format!("{p}.requirement_mappings[{j}]");
            let s = text(&mut e, m, &mp, "source_requirement_urn", true)
                .unwrap_or_default()
                .to_lowercase();
            let t = text(&mut e, m, &mp, "target_requirement_urn", true)
                .unwrap_or_default()
                .to_lowercase();
            let rel = text(&mut e, m, &mp, "relationship", true).unwrap_or_default();
            let rationale = text(&mut e, m, &mp, "rationale", false).unwrap_or_default();
            let (ours, iso, ours_field, iso_field) = if forward {
                (s, t, "source_requirement_urn", "target_requirement_urn")
            } else {
                (t, s, "target_requirement_urn", "source_requirement_urn")
            };
            if rel.trim().eq_ignore_ascii_case("not_related") {
                continue;
            }
            let Some(relationship) = Relationship::parse(&rel) else {
                e.push(
                    format!("{mp}.relationship"),
                    format!(
                        "\"{rel}\" is not one of equal, subset, superset, intersect, not_related"
                    ),
                );
                continue;
            };
            let relationship = match (backward, relationship) {
                (true, Relationship::Subset) => Relationship::Superset,
                (true, Relationship::Superset) => Relationship::Subset,
                (_, r) => r,
            };
            let Some((source_ref, _)) = by_urn.get(&ours) else {
                e.push(
                    format!("{mp}.{ours_field}"),
                    format!("\"{ours}\" is not a node of this framework"),
                );
                continue;
            };
            let Some(node) = iso.strip_prefix(ISO_NODE_PREFIX) else {
                e.push(
                    format!("{mp}.{iso_field}"),
                    format!("\"{iso}\" is not an ISO/IEC 27001:2022 requirement"),
                );
                continue;
            };
            let id = if node.starts_with("a.") {
                node.to_owned()
            } else {
                format!("clause {node}")
            };
            let targets = match parse_target(&id) {
                Ok(t) => t,
                Err(msg) => {
                    e.push(format!("{mp}.{iso_field}"), msg);
                    continue;
                }
            };
            for target in targets {
                if seen.insert((source_ref.clone(), target.key())) {
                    mappings.push(LibraryMapping {
                        source_ref: source_ref.clone(),
                        target,
                        relationship,
                        rationale: rationale
                            .chars()
                            .take(super::mapping::MAX_RATIONALE)
                            .collect(),
                    });
                }
            }
        }
    }
    e.0.into_result()?;
    Ok(ParsedLibrary {
        framework: ParsedFramework {
            source_kind: "ciso_assistant",
            source_key: format!("ciso:{fw_urn}"),
            name,
            version: lib_version,
            requirements: out,
        },
        mappings,
        notes,
        risk_method,
    })
}

/// A CISO Assistant risk matrix (`probability`, `impact`, `risk`, `grid[probability][impact]`
/// holding risk ids) as a risk method, when it fits [`crate::risk::validate`]; otherwise a
/// note says why it was not imported. The owner may accept the lowest level, and risks are
/// reviewed yearly, until the draft says otherwise.
fn risk_matrix(m: &Value, notes: &mut Vec<String>) -> Option<Method> {
    let steps = |key: &str| -> Option<Vec<(String, String, String)>> {
        m.get(key)?
            .as_array()?
            .iter()
            .map(|l| {
                let name = l.get("name").and_then(Value::as_str)?.trim().to_owned();
                let description = l
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                let colour = l
                    .get("hexcolor")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_lowercase();
                Some((name, description, colour))
            })
            .collect()
    };
    let (Some(prob), Some(imp), Some(risk)) =
        (steps("probability"), steps("impact"), steps("risk"))
    else {
        notes.push("The risk matrix was not imported: it needs probability, impact and risk lists whose entries have a name.".to_owned());
        return None;
    };
    let grid: Option<Vec<Vec<u8>>> = m.get("grid").and_then(Value::as_array).and_then(|rows| {
        rows.iter()
            .map(|r| {
                r.as_array()?
                    .iter()
                    .map(|c| c.as_u64().and_then(|v| u8::try_from(v).ok()))
                    .collect()
            })
            .collect()
    });
    let Some(matrix) = grid else {
        notes.push(
            "The risk matrix was not imported: its grid must be rows of risk numbers.".to_owned(),
        );
        return None;
    };
    let scale = |s: Vec<(String, String, String)>| Scale {
        levels: s
            .into_iter()
            .enumerate()
            .map(|(i, (name, description, _))| ScaleLevel {
                value: u8::try_from(i + 1).unwrap_or(u8::MAX),
                name,
                description: description
                    .chars()
                    .take(crate::risk::method::MAX_DESCRIPTION_CHARS)
                    .collect(),
            })
            .collect(),
    };
    const PALETTE: [&str; 5] = ["#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828"];
    let n = risk.len();
    let method = Method {
        likelihood: scale(prob),
        impact: scale(imp),
        levels: risk
            .into_iter()
            .enumerate()
            .map(|(i, (name, description, colour))| RiskLevel {
                name,
                colour: if colour.len() == 7 && colour.starts_with('#') {
                    colour
                } else {
                    PALETTE[(i * (PALETTE.len() - 1)) / n.saturating_sub(1).max(1)].to_owned()
                },
                description: description
                    .chars()
                    .take(crate::risk::method::MAX_DESCRIPTION_CHARS)
                    .collect(),
            })
            .collect(),
        matrix,
        acceptance_level: 0,
        review_interval_days: 365,
    };
    match crate::risk::validate(&method) {
        Ok(()) => Some(method),
        Err(e) => {
            notes.push(format!(
                "The risk matrix was not imported: our risk method cannot hold it ({}).",
                e.errors
                    .iter()
                    .take(3)
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            None
        }
    }
}
