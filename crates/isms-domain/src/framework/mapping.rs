//! Reading a mapping between an imported framework and ISO 27001:2022 from rows of cells
//! (a CSV file or the first sheet of a workbook): source id (the framework's requirement),
//! target id (an Annex A control or a clause, see [`super::parse_target`]), relationship
//! (the set-theory relationships of NIST OLIR and OSCAL mappings) and an optional
//! rationale. The header row must come first. All or nothing: every bad line is named
//! (`lines[4].target`), and nothing is returned then.

use super::{Errors, MAX_ERRORS, Target, parse_target};
use crate::ValidationError;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Longest rationale.
pub const MAX_RATIONALE: usize = 2_000;
/// Most mapping lines in one file.
pub const MAX_LINES: usize = 100_000;

/// How a framework's requirement relates to the ISO item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// Both say the same.
    Equal,
    /// The requirement is a part of the ISO item.
    Subset,
    /// The requirement asks for more than the ISO item.
    Superset,
    /// They overlap.
    Intersect,
    /// Related, not comparable.
    Related,
}

impl Relationship {
    pub const ALL: &'static [Relationship] = &[
        Relationship::Equal,
        Relationship::Subset,
        Relationship::Superset,
        Relationship::Intersect,
        Relationship::Related,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equal => "equal",
            Relationship::Subset => "subset",
            Relationship::Superset => "superset",
            Relationship::Intersect => "intersect",
            Relationship::Related => "related",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relationship::Equal => "Equal",
            Relationship::Subset => "Subset of",
            Relationship::Superset => "Superset of",
            Relationship::Intersect => "Intersects with",
            Relationship::Related => "Related to",
        }
    }

    /// `equal`, `equivalent`, `subset of`, `intersects with`, `related to`, … (any case;
    /// CISO Assistant's and OLIR's spellings too).
    pub fn parse(s: &str) -> Option<Relationship> {
        let n = s
            .trim()
            .to_lowercase()
            .replace(['_', '-'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Some(match n.as_str() {
            "equal" | "equals" | "equal to" | "equivalent" | "equivalent to" | "=" => {
                Relationship::Equal
            }
            "subset" | "subset of" => Relationship::Subset,
            "superset" | "superset of" => Relationship::Superset,
            "intersect" | "intersects" | "intersects with" | "intersection" => {
                Relationship::Intersect
            }
            "related" | "related to" => Relationship::Related,
            _ => return None,
        })
    }
}

/// One mapping line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub source_ref: String,
    pub target: Target,
    pub relationship: Relationship,
    pub rationale: String,
    /// The file's line (the header is line 1).
    pub line: usize,
}

const SOURCE: &[&str] = &[
    "source id",
    "source",
    "source ref",
    "source control",
    "from",
];
const TARGET: &[&str] = &[
    "target id",
    "target",
    "target ref",
    "target control",
    "iso id",
    "iso control",
    "iso 27001",
    "to",
];
const RELATIONSHIP: &[&str] = &["relationship", "relation", "relationship type", "rel"];
const RATIONALE: &[&str] = &["rationale", "comment", "comments", "notes", "note"];

fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Read the rows; `known` are the framework's requirement refs.
pub fn parse(
    rows: &[Vec<String>],
    known: &HashSet<String>,
) -> Result<Vec<Mapping>, ValidationError> {
    let Some(header) = rows.first() else {
        return Err(ValidationError::single("file", "is empty"));
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&norm(h).as_str()))
    };
    let (Some(src), Some(tgt), Some(rel)) = (find(SOURCE), find(TARGET), find(RELATIONSHIP)) else {
        return Err(ValidationError::single(
            "lines[1]",
            "line 1 must name the columns: source id, target id, relationship (and optionally rationale)",
        ));
    };
    let why = find(RATIONALE);
    if rows.len() > MAX_LINES + 1 {
        return Err(ValidationError::single(
            "file",
            format!("has more than {MAX_LINES} lines"),
        ));
    }
    let mut e = Errors::default();
    let mut out = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if e.0.errors.len() >= MAX_ERRORS {
            break;
        }
        let line = i + 1;
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let source = cell(src);
        let mut ok = true;
        if source.is_empty() {
            e.push(
                format!("lines[{line}].source"),
                format!("line {line}: the source id is missing"),
            );
            ok = false;
        } else if !known.contains(source) {
            e.push(
                format!("lines[{line}].source"),
                format!("line {line}: \"{source}\" is not a requirement of this framework"),
            );
            ok = false;
        }
        let targets = match parse_target(cell(tgt)) {
            Ok(t) => t,
            Err(m) => {
                e.push(
                    format!("lines[{line}].target"),
                    format!("line {line}: target id {m}"),
                );
                ok = false;
                Vec::new()
            }
        };
        let relationship = match Relationship::parse(cell(rel)) {
            Some(r) => Some(r),
            None => {
                e.push(
                    format!("lines[{line}].relationship"),
                    format!(
                        "line {line}: \"{}\" is not a relationship; use equal, subset, superset, intersect or related",
                        cell(rel)
                    ),
                );
                ok = false;
                None
            }
        };
        let rationale = why.map(cell).unwrap_or("").to_owned();
        if rationale.chars().count() > MAX_RATIONALE {
            e.push(
                format!("lines[{line}].rationale"),
                format!("line {line}: the rationale must be at most {MAX_RATIONALE} characters"),
            );
            ok = false;
        }
        let (true, Some(relationship)) = (ok, relationship) else {
            continue;
        };
        for target in targets {
            let key = (source.to_owned(), target.key());
            if let Some(first) = seen.get(&key) {
                e.push(
                    format!("lines[{line}].target"),
                    format!(
                        "line {line}: {source} → {} is already mapped on line {first}",
                        target.label()
                    ),
                );
                continue;
            }
            seen.insert(key, line);
            out.push(Mapping {
                source_ref: source.to_owned(),
                target,
                relationship,
                rationale: rationale.clone(),
                line,
            });
        }
    }
    e.0.into_result()?;
    if out.is_empty() {
        return Err(ValidationError::single("file", "has no mapping lines"));
    }
    Ok(out)
}
