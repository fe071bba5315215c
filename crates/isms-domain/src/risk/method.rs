//! The organisation's risk method (ISO/IEC 27001 6.1.2): likelihood and impact scales,
//! the risk levels, the matrix that combines them, the acceptance criteria and how often
//! risks are reviewed. [`validate`] checks a method; [`level`] is the one place a risk
//! level is computed.
//!
//! Field names in errors are JSON paths with 0-based indexes (`likelihood.levels[2].name`,
//! `matrix[3][1]` = likelihood 4, impact 2); messages use the 1-based scale values a
//! person sees.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Fewest levels a likelihood or impact scale may have.
pub const MIN_SCALE_LEVELS: usize = 3;
/// Most levels a likelihood or impact scale may have.
pub const MAX_SCALE_LEVELS: usize = 10;
/// Fewest risk levels a method may have.
pub const MIN_RISK_LEVELS: usize = 2;
/// Most risk levels a method may have.
pub const MAX_RISK_LEVELS: usize = 10;
/// Longest name of a scale level or risk level, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest description of a scale level or risk level, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Shortest allowed review interval, in days.
pub const MIN_REVIEW_DAYS: u16 = 30;
/// Longest allowed review interval, in days (two years).
pub const MAX_REVIEW_DAYS: u16 = 730;

/// One step of a likelihood or impact scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleLevel {
    /// 1 for the lowest step, counting up without gaps.
    pub value: u8,
    /// Short name shown in the matrix and the register ("Rare", "Severe").
    pub name: String,
    /// What the step means in practice, so two people score the same way.
    pub description: String,
}

/// A likelihood or impact scale, lowest step first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// The steps, ordered by value.
    pub levels: Vec<ScaleLevel>,
}

impl Scale {
    /// Number of steps.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Whether the scale has no steps (never true for a valid method).
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The step with this 1-based value.
    pub fn get(&self, value: i64) -> Option<&ScaleLevel> {
        let i = usize::try_from(value).ok()?.checked_sub(1)?;
        self.levels.get(i)
    }
}

/// A level of risk that results from likelihood and impact ("Low", "High").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLevel {
    /// Short name ("Medium").
    pub name: String,
    /// Display colour as `#rrggbb`.
    pub colour: String,
    /// What a risk at this level calls for.
    pub description: String,
}

/// The whole risk method of one organisation, stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// How probable an event is.
    pub likelihood: Scale,
    /// How bad the consequences would be.
    pub impact: Scale,
    /// Risk levels ordered from lowest to highest.
    pub levels: Vec<RiskLevel>,
    /// `matrix[likelihood - 1][impact - 1]` is an index into `levels`.
    pub matrix: Vec<Vec<u8>>,
    /// Index into `levels`: a residual risk at or below it may be accepted by its owner.
    pub acceptance_level: u8,
    /// How often, in days, every risk is reviewed at the latest.
    pub review_interval_days: u16,
}

impl Method {
    /// The risk level at this index.
    pub fn risk_level(&self, index: u8) -> Option<&RiskLevel> {
        self.levels.get(usize::from(index))
    }

    /// The name of the risk level at this index, or `?` when there is none.
    pub fn level_name(&self, index: u8) -> &str {
        self.risk_level(index).map_or("?", |l| l.name.as_str())
    }

    /// The index of the highest risk level.
    pub fn highest_level(&self) -> u8 {
        u8::try_from(self.levels.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }
}

/// Check a method and report every problem, each naming its field.
pub fn validate(m: &Method) -> Result<(), ValidationError> {
    let mut errs = ValidationError::new();
    check_scale(&mut errs, "likelihood", &m.likelihood);
    check_scale(&mut errs, "impact", &m.impact);
    check_levels(&mut errs, &m.levels);
    check_matrix(&mut errs, m);
    let n = m.levels.len();
    if n >= MIN_RISK_LEVELS && usize::from(m.acceptance_level) >= n - 1 {
        errs.push(
            "acceptance_level",
            format!(
                "must be a risk level below the highest (0 to {}): accepting the highest level would mean no risk ever needs treatment",
                n - 2
            ),
        );
    }
    if !(MIN_REVIEW_DAYS..=MAX_REVIEW_DAYS).contains(&m.review_interval_days) {
        errs.push(
            "review_interval_days",
            format!(
                "must be from {MIN_REVIEW_DAYS} to {MAX_REVIEW_DAYS} days (one month to two years)"
            ),
        );
    }
    errs.into_result()
}

/// Checks shared by scale levels and risk levels: the name and description.
fn check_name_and_description(
    errs: &mut ValidationError,
    path: &str,
    name: &str,
    description: &str,
    seen: &mut HashSet<String>,
) {
    let name = name.trim();
    if name.is_empty() {
        errs.push(format!("{path}.name"), "must not be empty");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errs.push(
            format!("{path}.name"),
            format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    } else if seen.contains(&name.to_lowercase()) {
        errs.push(
            format!("{path}.name"),
            format!("\"{name}\" is used twice; each name must be different"),
        );
    } else {
        seen.insert(name.to_lowercase());
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errs.push(
            format!("{path}.description"),
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        );
    }
}

fn check_scale(errs: &mut ValidationError, name: &str, s: &Scale) {
    let n = s.levels.len();
    if !(MIN_SCALE_LEVELS..=MAX_SCALE_LEVELS).contains(&n) {
        errs.push(
            format!("{name}.levels"),
            format!("must have {MIN_SCALE_LEVELS} to {MAX_SCALE_LEVELS} levels (has {n})"),
        );
    }
    let mut seen = HashSet::new();
    for (i, l) in s.levels.iter().enumerate() {
        let path = format!("{name}.levels[{i}]");
        if usize::from(l.value) != i + 1 {
            errs.push(
                format!("{path}.value"),
                format!(
                    "must be {}: values count up from 1 without gaps, lowest first",
                    i + 1
                ),
            );
        }
        check_name_and_description(errs, &path, &l.name, &l.description, &mut seen);
    }
}

fn is_hex_colour(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[0] == b'#' && b[1..].iter().all(u8::is_ascii_hexdigit)
}

fn check_levels(errs: &mut ValidationError, levels: &[RiskLevel]) {
    let n = levels.len();
    if !(MIN_RISK_LEVELS..=MAX_RISK_LEVELS).contains(&n) {
        errs.push(
            "levels",
            format!("must have {MIN_RISK_LEVELS} to {MAX_RISK_LEVELS} risk levels (has {n})"),
        );
    }
    let mut seen = HashSet::new();
    for (i, l) in levels.iter().enumerate() {
        let path = format!("levels[{i}]");
        check_name_and_description(errs, &path, &l.name, &l.description, &mut seen);
        if !is_hex_colour(&l.colour) {
            errs.push(
                format!("{path}.colour"),
                "must be a colour written as #rrggbb, for example #2e7d32",
            );
        }
    }
}

fn check_matrix(errs: &mut ValidationError, m: &Method) {
    let rows = m.likelihood.len();
    let cols = m.impact.len();
    let n_levels = m.levels.len();
    let mut usable = true;
    if m.matrix.len() != rows {
        usable = false;
        errs.push(
            "matrix",
            format!(
                "must have one row per likelihood level ({rows}), has {}",
                m.matrix.len()
            ),
        );
    }
    for (r, row) in m.matrix.iter().enumerate() {
        if row.len() != cols {
            usable = false;
            errs.push(
                "matrix",
                format!(
                    "row for likelihood {} must have one cell per impact level ({cols}), has {}",
                    r + 1,
                    row.len()
                ),
            );
        }
        for (c, &v) in row.iter().enumerate() {
            // With too few risk levels the `levels` error already says it all.
            if n_levels >= MIN_RISK_LEVELS && usize::from(v) >= n_levels {
                usable = false;
                errs.push(
                    format!("matrix[{r}][{c}]"),
                    format!(
                        "must be a risk level from 0 to {} (there are {n_levels} levels)",
                        n_levels.saturating_sub(1)
                    ),
                );
            }
        }
    }
    if usable
        && n_levels >= MIN_RISK_LEVELS
        && let Some((r, c, min)) = first_non_monotone(&m.matrix)
    {
        errs.push(
            format!("matrix[{r}][{c}]"),
            format!(
                "must be at least {} (likelihood {}, impact {}): a higher likelihood or impact may never give a lower risk level",
                m.level_name(min),
                r + 1,
                c + 1
            ),
        );
    }
}

/// The first cell (row by row) that is lower than the cell below it in likelihood or to
/// its left in impact, with the level it must at least have.
fn first_non_monotone(matrix: &[Vec<u8>]) -> Option<(usize, usize, u8)> {
    for (r, row) in matrix.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let up = r
                .checked_sub(1)
                .and_then(|p| matrix.get(p))
                .and_then(|p| p.get(c))
                .copied();
            let left = c.checked_sub(1).and_then(|p| row.get(p)).copied();
            let min = up.into_iter().chain(left).max().unwrap_or(0);
            if v < min {
                return Some((r, c, min));
            }
        }
    }
    None
}

/// The risk level (index into `m.levels`) for a likelihood and impact on the method's
/// scales. Out-of-scale values give an error naming `fields.0` (likelihood) or
/// `fields.1` (impact), so callers can pass `residual_likelihood` and the like.
pub fn level(
    m: &Method,
    likelihood: i64,
    impact: i64,
    fields: (&str, &str),
) -> Result<u8, ValidationError> {
    let mut errs = ValidationError::new();
    let in_scale = |v: i64, s: &Scale| v >= 1 && usize::try_from(v).is_ok_and(|v| v <= s.len());
    if !in_scale(likelihood, &m.likelihood) {
        errs.push(
            fields.0,
            format!("must be a whole number from 1 to {}", m.likelihood.len()),
        );
    }
    if !in_scale(impact, &m.impact) {
        errs.push(
            fields.1,
            format!("must be a whole number from 1 to {}", m.impact.len()),
        );
    }
    errs.into_result()?;
    let cell = usize::try_from(likelihood - 1)
        .ok()
        .zip(usize::try_from(impact - 1).ok())
        .and_then(|(r, c)| m.matrix.get(r)?.get(c))
        .copied()
        .filter(|v| usize::from(*v) < m.levels.len());
    cell.ok_or_else(|| {
        ValidationError::single(
            "matrix",
            format!(
                "has no valid risk level for likelihood {likelihood} and impact {impact}; the risk method needs fixing"
            ),
        )
    })
}

/// Whether the risk owner alone may accept a residual risk at this level.
pub fn owner_may_accept(m: &Method, level: u8) -> bool {
    level <= m.acceptance_level
}
