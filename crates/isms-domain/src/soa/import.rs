//! Reading an existing Statement of Applicability from rows of cells (a CSV file or the
//! first sheet of a workbook, already split into cells by `isms-export`).
//!
//! - The header row is found among the first ten rows by its column names (see
//!   [`CONTROL_HEADERS`] and the other lists; case, spaces, `_`, `-` and text in
//!   brackets do not matter).
//! - Control ids may be of the 2022 edition (`5.15`, `A.5.15`) or of the 2013 edition
//!   (`A.9.1.1`), which is mapped to the 2022 control(s) it went to with the embedded
//!   mapping ([`crate::catalogue::Catalogue::map_2013`]). A 2013 control that went to
//!   several 2022 controls sets each of them; two rows that give one 2022 control
//!   different decisions are an error on the later row.
//! - Section rows (`A.5 Information security policies` with no decision) and empty rows
//!   are skipped; a row marked "Not decided" (as our export writes it) changes nothing.
//! - All or nothing: every bad row is reported, with its line number (the header is line
//!   1 when it is the first row) and the field at fault, and nothing is returned then.

use super::{Applicability, Decision, MAX_TEXT};
use crate::ValidationError;
use crate::catalogue::catalogue;

/// Accepted names of the column with the control id.
pub const CONTROL_HEADERS: &[&str] = &[
    "control",
    "control id",
    "control no",
    "control number",
    "control ref",
    "control reference",
    "annex a control",
    "annex a reference",
    "annex a",
    "reference",
    "ref",
    "id",
];

/// Accepted names of the column that says whether the control applies.
pub const APPLICABLE_HEADERS: &[&str] = &[
    "applicable",
    "applicability",
    "is applicable",
    "applies",
    "included",
    "selected",
];

/// Accepted names of the column with the justification or reason for inclusion.
pub const NOTE_HEADERS: &[&str] = &[
    "inclusion note",
    "justification for inclusion",
    "inclusion justification",
    "reason for inclusion",
    "reasons for inclusion",
    "justification",
    "justification reason",
    "reason",
    "reasons",
    "rationale",
    "notes",
    "note",
    "comments",
    "comment",
];

/// Accepted names of the column with the justification for exclusion.
pub const EXCLUSION_HEADERS: &[&str] = &[
    "justification for exclusion",
    "exclusion justification",
    "reason for exclusion",
    "exclusion reason",
    "reason not applicable",
    "exclusion",
];

/// A decision read from the file for one 2022 control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDecision {
    /// The 2022 control (`5.15`).
    pub control: String,
    /// `Yes` or `No` (a file cannot leave a control undecided).
    pub applicable: Applicability,
    /// The justification or reason for inclusion, when the file gives one.
    pub inclusion_note: Option<String>,
    /// The justification for exclusion (always present when not applicable).
    pub exclusion_justification: Option<String>,
    /// Where it came from: (line, the control id as written).
    pub sources: Vec<(usize, String)>,
}

impl ImportedDecision {
    /// The decision after importing over `existing`: the applicability and the texts the
    /// file gives replace what was there; what it does not give stays.
    pub fn apply(&self, existing: &Decision) -> Decision {
        Decision {
            applicable: self.applicable,
            inclusion_note: self
                .inclusion_note
                .clone()
                .unwrap_or_else(|| existing.inclusion_note.clone()),
            exclusion_justification: self
                .exclusion_justification
                .clone()
                .unwrap_or_else(|| existing.exclusion_justification.clone()),
        }
    }
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// One per 2022 control named, in catalogue order.
    pub decisions: Vec<ImportedDecision>,
    /// Data rows read (skipped section and empty rows not counted).
    pub rows: usize,
    /// The line of the header row.
    pub header_line: usize,
}

/// Lower-case, `_`/`-`/`/` as spaces, bracketed text dropped, spaces collapsed.
pub(crate) fn norm_header(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for ch in h.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '_' | '-' | '/' | '\u{a0}' => out.push(' '),
            _ => out.extend(ch.to_lowercase()),
        }
    }
    out.trim_end_matches([':', '?', '*', ' '])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Strip the apostrophe an export put before a formula-like cell (`'=x` → `=x`).
fn unescape(s: &str) -> &str {
    let t = s.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => t,
    }
}

#[derive(Debug, Clone, Copy)]
struct Columns {
    control: usize,
    applicable: usize,
    note: Option<usize>,
    exclusion: Option<usize>,
}

fn find_columns(row: &[String]) -> Option<Columns> {
    let heads: Vec<String> = row.iter().map(|h| norm_header(h)).collect();
    let mut taken: Vec<usize> = Vec::new();
    let pick = |names: &[&str], taken: &mut Vec<usize>| -> Option<usize> {
        for n in names {
            if let Some(i) = heads
                .iter()
                .enumerate()
                .position(|(i, h)| h == n && !taken.contains(&i))
            {
                taken.push(i);
                return Some(i);
            }
        }
        None
    };
    let control = pick(CONTROL_HEADERS, &mut taken)?;
    let applicable = pick(APPLICABLE_HEADERS, &mut taken)?;
    let exclusion = pick(EXCLUSION_HEADERS, &mut taken);
    let note = pick(NOTE_HEADERS, &mut taken);
    Some(Columns {
        control,
        applicable,
        note,
        exclusion,
    })
}

/// Read a yes/no cell: yes, y, true, 1, x, applicable, included… / no, n, false, 0,
/// n/a, not applicable, excluded…
pub fn parse_applicable(s: &str) -> Option<Applicability> {
    let t = s.trim().trim_end_matches('.').to_lowercase();
    match t.as_str() {
        "yes" | "y" | "true" | "1" | "x" | "✓" | "✔" | "applicable" | "included" | "include"
        | "selected" => Some(Applicability::Yes),
        "no" | "n" | "false" | "0" | "n/a" | "na" | "not applicable" | "excluded" | "exclude"
        | "not selected" => Some(Applicability::No),
        _ => None,
    }
}

/// The control cell: `A.5.15`, `5.15`, `A5.15`, `A.9.1.1 Access control policy` → the
/// id part (`5.15`, `9.1.1`), or `None` when empty.
fn control_token(s: &str) -> Option<String> {
    let t = unescape(s).split_whitespace().next()?;
    let t = t.trim_end_matches([':', '.', ',']);
    let t = t
        .strip_prefix("A.")
        .or_else(|| t.strip_prefix("a."))
        .or_else(|| t.strip_prefix('A'))
        .or_else(|| t.strip_prefix('a'))
        .unwrap_or(t);
    Some(t.to_owned())
}

fn numeric_parts(id: &str) -> Option<usize> {
    let parts: Vec<&str> = id.split('.').collect();
    parts
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        .then_some(parts.len())
}

/// The 2022 controls a control id stands for: itself (2022) or where a 2013 control went.
pub fn map_to_2022(id: &str) -> Result<Vec<String>, String> {
    let cat = catalogue();
    match numeric_parts(id) {
        Some(2) => match cat.control(id) {
            Some(c) => Ok(vec![c.id.clone()]),
            None => Err(format!(
                "A.{id} is not an Annex A control of the 2022 edition"
            )),
        },
        Some(3) => match cat.map_2013(id) {
            Some(c) if !c.to_2022.is_empty() => Ok(c.to_2022.clone()),
            _ => Err(format!(
                "A.{id} is not an Annex A control of the 2013 edition"
            )),
        },
        _ => Err(format!(
            "\"{id}\" is not a control id; write it like 5.15 (2022) or A.9.1.1 (2013)"
        )),
    }
}

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", |s| unescape(s))
}

/// Read the rows of a file (`rows[0]` is line 1). Every bad row is reported.
pub fn parse(rows: &[Vec<String>]) -> Result<Parsed, ValidationError> {
    let Some((hi, cols)) = rows
        .iter()
        .take(10)
        .enumerate()
        .find_map(|(i, r)| find_columns(r).map(|c| (i, c)))
    else {
        return Err(ValidationError::single(
            "file",
            "no header row found in the first ten lines: the file needs a column for the control id (named e.g. \"Control\" or \"Control id\") and one saying whether it applies (\"Applicable\"); justifications are read from \"Justification\", \"Reason\" or \"Inclusion note\", and \"Justification for exclusion\" (see the import help for every accepted name)",
        ));
    };
    let mut v = ValidationError::new();
    let mut out: Vec<ImportedDecision> = Vec::new();
    let mut count = 0usize;
    for (i, row) in rows.iter().enumerate().skip(hi + 1) {
        let line = i + 1;
        let f = |name: &str| format!("lines[{line}].{name}");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let raw_control = cell(row, cols.control);
        let raw_applicable = cell(row, cols.applicable);
        let token = control_token(raw_control);
        // Section rows ("A.5 Information security policies") and notes without a control.
        match &token {
            None if raw_applicable.is_empty() => continue,
            Some(t) if numeric_parts(t) == Some(1) && raw_applicable.is_empty() => continue,
            _ => {}
        }
        count += 1;
        // "Not decided" (as our own export writes it) leaves the control as it is.
        if matches!(
            raw_applicable.to_lowercase().as_str(),
            "not decided" | "undecided"
        ) {
            continue;
        }
        let mut bad = false;
        let targets = match &token {
            None => {
                v.push(
                    f("control"),
                    format!("line {line}: the control id is missing"),
                );
                bad = true;
                Vec::new()
            }
            Some(t) => match map_to_2022(t) {
                Ok(ts) => ts,
                Err(m) => {
                    v.push(f("control"), format!("line {line}: {m}"));
                    bad = true;
                    Vec::new()
                }
            },
        };
        let applicable = match parse_applicable(raw_applicable) {
            Some(a) => Some(a),
            None => {
                v.push(
                    f("applicable"),
                    if raw_applicable.is_empty() {
                        format!("line {line}: say whether the control applies (yes or no)")
                    } else {
                        format!("line {line}: \"{raw_applicable}\" is not yes or no")
                    },
                );
                bad = true;
                None
            }
        };
        let note = cols
            .note
            .map(|c| cell(row, c).to_owned())
            .filter(|s| !s.is_empty());
        let exclusion = cols
            .exclusion
            .map(|c| cell(row, c).to_owned())
            .filter(|s| !s.is_empty());
        for (name, text) in [
            ("inclusion_note", &note),
            ("exclusion_justification", &exclusion),
        ] {
            if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
                v.push(
                    f(name),
                    format!("line {line}: must be at most {MAX_TEXT} characters"),
                );
                bad = true;
            }
        }
        let Some(applicable) = applicable else {
            continue;
        };
        // A single justification column serves both ways.
        let (inclusion_note, exclusion_justification) = match applicable {
            Applicability::No => match exclusion.or(note) {
                Some(e) => (None, Some(e)),
                None => {
                    v.push(
                        f("exclusion_justification"),
                        format!(
                            "line {line}: A.{} is not applicable, so it needs a justification for the exclusion",
                            token.as_deref().unwrap_or("")
                        ),
                    );
                    bad = true;
                    (None, None)
                }
            },
            _ => (note, None),
        };
        if bad {
            continue;
        }
        let written = raw_control
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        for target in targets {
            match out.iter_mut().find(|d| d.control == target) {
                Some(d) if d.applicable != applicable => {
                    let (first_line, first_id) = d.sources[0].clone();
                    v.push(
                        f("applicable"),
                        format!(
                            "line {line}: {written} gives A.{target} as {}, but line {first_line} ({first_id}) gives it as {}; one 2022 control has one decision",
                            applicable.label().to_lowercase(),
                            d.applicable.label().to_lowercase()
                        ),
                    );
                }
                Some(d) => {
                    merge(&mut d.inclusion_note, &inclusion_note);
                    merge(&mut d.exclusion_justification, &exclusion_justification);
                    d.sources.push((line, written.clone()));
                }
                None => out.push(ImportedDecision {
                    control: target,
                    applicable,
                    inclusion_note: inclusion_note.clone(),
                    exclusion_justification: exclusion_justification.clone(),
                    sources: vec![(line, written.clone())],
                }),
            }
        }
    }
    if count == 0 && v.is_empty() {
        v.push("file", "has a header row but no rows with a control");
    }
    v.into_result()?;
    let order = |id: &str| {
        catalogue()
            .controls()
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|d| order(&d.control));
    Ok(Parsed {
        decisions: out,
        rows: count,
        header_line: hi + 1,
    })
}

/// Several 2013 rows landing on one 2022 control: keep each distinct text once.
fn merge(into: &mut Option<String>, add: &Option<String>) {
    match (into.as_mut(), add) {
        (Some(a), Some(b)) if !a.split('\n').any(|l| l == b) => {
            a.push('\n');
            a.push_str(b);
        }
        (None, Some(b)) => *into = Some(b.clone()),
        _ => {}
    }
}
