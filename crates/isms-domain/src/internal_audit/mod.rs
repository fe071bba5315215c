//! Internal audit (ISO 27001 9.2): the audit programme over the certification cycle, its
//! coverage of the clauses and applicable controls, how often each should be audited, the
//! independence of auditors, audit status and checklist results.
//!
//! An *item* is something an audit looks at: a requirement clause (`9.2.2`), an Annex A
//! control (`A.5.15`) or an own control (`NW-07`), always written in that form.

pub mod questions;

use crate::ValidationError;
use crate::catalogue::catalogue;
use crate::control::looks_like_annex_a;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Years in a certification cycle (initial certification or recertification, then two
/// surveillance years).
pub const CYCLE_YEARS: i32 = 3;
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 8000;
pub const DEFAULT_CRITERIA: &str = "ISO/IEC 27001:2022 and the organisation's ISMS documentation";

/// What kind of thing an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Clause,
    Control,
}

/// Read an item reference: `9.2.2` or `clause 9.2.2` (a requirement clause), `A.5.15`
/// (an Annex A control), or an own-control code (`NW-07`). Returns the stored key.
pub fn parse_item(field: &str, raw: &str) -> Result<String, ValidationError> {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    let s = lower
        .strip_prefix("clause")
        .map(|r| s[s.len() - r.len()..].trim())
        .unwrap_or(s);
    if s.is_empty() {
        return Err(ValidationError::single(field, "is required"));
    }
    if let Some(rest) = s.strip_prefix("A.").or_else(|| s.strip_prefix("a.")) {
        return if looks_like_annex_a(rest) && catalogue().control(rest).is_some() {
            Ok(format!(
                "A.{}",
                crate::catalogue::normalise_control_id(rest)
            ))
        } else {
            Err(ValidationError::single(
                field,
                format!("\"{s}\" is not an Annex A control (e.g. A.5.15)"),
            ))
        };
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return match catalogue().clause(s) {
            Some(c) if c.is_requirement => Ok(c.id.clone()),
            _ => Err(ValidationError::single(
                field,
                format!(
                    "\"{s}\" is not a requirement clause (4.1 … 10.2); write Annex A controls as A.5.15"
                ),
            )),
        };
    }
    crate::control::parse_own_code(field, s).map_err(|_| {
        ValidationError::single(
            field,
            format!("\"{s}\" is neither a clause (9.2.2), an Annex A control (A.5.15) nor an own-control code (NW-07)"),
        )
    })
}

/// The kind of a stored item key.
pub fn item_kind(key: &str) -> ItemKind {
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        ItemKind::Clause
    } else {
        ItemKind::Control
    }
}

/// The control reference of a control item as `control_implementations` and the SoA
/// store it (`5.15`, `NW-07`); `None` for a clause.
pub fn control_ref(key: &str) -> Option<String> {
    match item_kind(key) {
        ItemKind::Clause => None,
        ItemKind::Control => Some(key.strip_prefix("A.").unwrap_or(key).to_owned()),
    }
}

/// The reference a finding uses for an item: `9.2` style clause ids and `5.15` style
/// control ids (no `A.` prefix).
pub fn finding_ref(key: &str) -> String {
    control_ref(key).unwrap_or_else(|| key.to_owned())
}

/// Order of items: clauses in document order, then Annex A controls in catalogue order,
/// then own controls by code. As a string so the database can sort by it.
pub fn sort_key(key: &str) -> String {
    let nums = |s: &str| {
        s.split('.')
            .map(|p| format!("{:03}", p.parse::<u32>().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(".")
    };
    match item_kind(key) {
        ItemKind::Clause => format!("0:{}", nums(key)),
        ItemKind::Control if key.starts_with("A.") => format!("1:{}", nums(&key[2..])),
        ItemKind::Control => format!("2:{key}"),
    }
}

/// The title of an item (own controls: given by the caller).
pub fn item_title(key: &str) -> Option<String> {
    match item_kind(key) {
        ItemKind::Clause => catalogue().clause(key).map(|c| c.title.clone()),
        ItemKind::Control => key
            .strip_prefix("A.")
            .and_then(|id| catalogue().control(id))
            .map(|c| c.title.clone()),
    }
}

/// The questions for an item on a checklist.
pub fn item_questions(key: &str, own_title: Option<&str>) -> Vec<String> {
    match item_kind(key) {
        ItemKind::Clause => questions::clause_questions(key),
        ItemKind::Control => match key.strip_prefix("A.") {
            Some(id) => questions::control_questions(id),
            None => questions::own_control_questions(key, own_title.unwrap_or(key)),
        },
    }
}

/// One thing the programme has to cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditItem {
    pub key: String,
    pub title: String,
    /// A control treating a risk whose current level is high or above.
    pub high_risk: bool,
}

/// The universe the programme must cover: every requirement clause, every applicable
/// Annex A control (`applicable` holds control ids like `5.15`; `None` means there is no
/// SoA, so all 93 count), and the own controls in the SoA (`(code, title)`).
/// `high_risk` holds control refs (`5.15`, `NW-07`) that treat a high risk.
pub fn universe(
    applicable: Option<&[String]>,
    own: &[(String, String)],
    high_risk: &BTreeSet<String>,
) -> Vec<AuditItem> {
    let cat = catalogue();
    let mut out: Vec<AuditItem> = cat
        .requirements()
        .map(|c| AuditItem {
            key: c.id.clone(),
            title: c.title.clone(),
            high_risk: false,
        })
        .collect();
    for c in cat.controls() {
        if applicable.is_none_or(|a| a.contains(&c.id)) {
            out.push(AuditItem {
                key: format!("A.{}", c.id),
                title: c.title.clone(),
                high_risk: high_risk.contains(&c.id),
            });
        }
    }
    let mut own: Vec<&(String, String)> = own.iter().collect();
    own.sort();
    for (code, title) in own {
        out.push(AuditItem {
            key: code.clone(),
            title: title.clone(),
            high_risk: high_risk.contains(code),
        });
    }
    out
}

/// Whether a risk level (an index into the method's levels, lowest first, of
/// `level_count` levels) is "high or above": the upper half of the scale (High and Very
/// high of four levels, High of three).
pub fn is_high_level(level: i64, level_count: usize) -> bool {
    let n = i64::try_from(level_count).unwrap_or(i64::MAX);
    n > 1 && level >= (n + 1) / 2
}

/// How many years of the cycle an item should be audited in: yearly for controls that
/// treat a high risk, once per cycle for everything else.
pub fn required_times(item: &AuditItem) -> usize {
    if item.high_risk {
        CYCLE_YEARS as usize
    } else {
        1
    }
}

/// The years of a cycle starting in `start_year`.
pub fn cycle_years(start_year: i32) -> Vec<i32> {
    (start_year..start_year + CYCLE_YEARS).collect()
}

/// One cell of the coverage matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    NotPlanned,
    Planned,
    Audited,
}

impl Cell {
    pub fn as_str(self) -> &'static str {
        match self {
            Cell::NotPlanned => "not_planned",
            Cell::Planned => "planned",
            Cell::Audited => "audited",
        }
    }
}

/// One row of the coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub item: AuditItem,
    /// One per cycle year.
    pub cells: Vec<Cell>,
    /// How many years it should be audited in.
    pub required: usize,
    /// In how many years it is planned or audited.
    pub covered: usize,
}

impl CoverageRow {
    /// Planned in no year of the cycle.
    pub fn is_hole(&self) -> bool {
        self.covered == 0
    }

    /// Planned, but less often than its risk calls for.
    pub fn is_under_planned(&self) -> bool {
        self.covered > 0 && self.covered < self.required
    }
}

/// The coverage matrix of a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub years: Vec<i32>,
    pub rows: Vec<CoverageRow>,
}

impl Coverage {
    /// The items planned in no year of the cycle.
    pub fn holes(&self) -> Vec<&CoverageRow> {
        self.rows.iter().filter(|r| r.is_hole()).collect()
    }

    /// The items planned less often than their risk calls for.
    pub fn under_planned(&self) -> Vec<&CoverageRow> {
        self.rows.iter().filter(|r| r.is_under_planned()).collect()
    }
}

/// Build the matrix. `planned` and `audited` are `(year, item key)`; an item audited in a
/// year counts as audited there even if it was also planned. Entries for items outside
/// the universe or years outside the cycle are ignored.
pub fn coverage(
    universe: &[AuditItem],
    start_year: i32,
    planned: &[(i32, String)],
    audited: &[(i32, String)],
) -> Coverage {
    let years = cycle_years(start_year);
    let mut marks: BTreeMap<(&str, i32), Cell> = BTreeMap::new();
    for (y, k) in planned {
        marks.entry((k.as_str(), *y)).or_insert(Cell::Planned);
    }
    for (y, k) in audited {
        marks.insert((k.as_str(), *y), Cell::Audited);
    }
    let rows = universe
        .iter()
        .map(|item| {
            let cells: Vec<Cell> = years
                .iter()
                .map(|y| {
                    marks
                        .get(&(item.key.as_str(), *y))
                        .copied()
                        .unwrap_or(Cell::NotPlanned)
                })
                .collect();
            let covered = cells.iter().filter(|c| **c != Cell::NotPlanned).count();
            CoverageRow {
                required: required_times(item),
                item: item.clone(),
                cells,
                covered,
            }
        })
        .collect();
    Coverage { years, rows }
}

/// "Plan the rest": the `(year, item key)` entries that bring every item up to the number
/// of years it needs. Each missing entry goes to the free year of that item with the
/// fewest entries so far (earliest first on a tie), so the work spreads evenly over the
/// cycle. Deterministic: the same coverage always gives the same plan.
pub fn plan_the_rest(cov: &Coverage) -> Vec<(i32, String)> {
    let mut load: Vec<usize> = cov
        .years
        .iter()
        .enumerate()
        .map(|(i, _)| {
            cov.rows
                .iter()
                .filter(|r| r.cells.get(i).is_some_and(|c| *c != Cell::NotPlanned))
                .count()
        })
        .collect();
    let mut out = Vec::new();
    for r in &cov.rows {
        let mut free: Vec<usize> = (0..cov.years.len())
            .filter(|i| r.cells.get(*i) == Some(&Cell::NotPlanned))
            .collect();
        for _ in r.covered..r.required {
            let Some(pos) = free
                .iter()
                .enumerate()
                .min_by_key(|(_, i)| (load[**i], **i))
                .map(|(p, _)| p)
            else {
                break;
            };
            let i = free.remove(pos);
            load[i] += 1;
            out.push((cov.years[i], r.item.key.clone()));
        }
    }
    out
}

/// Status of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

impl AuditStatus {
    pub const ALL: [AuditStatus; 4] = [
        AuditStatus::Planned,
        AuditStatus::InProgress,
        AuditStatus::Completed,
        AuditStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Planned => "planned",
            AuditStatus::InProgress => "in_progress",
            AuditStatus::Completed => "completed",
            AuditStatus::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditStatus::Planned => "Planned",
            AuditStatus::InProgress => "In progress",
            AuditStatus::Completed => "Completed",
            AuditStatus::Cancelled => "Cancelled",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    "must be planned, in_progress, completed or cancelled",
                )
            })
    }

    pub fn from_stored(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .unwrap_or(AuditStatus::Planned)
    }

    /// planned → in_progress → completed; planned or in_progress → cancelled.
    pub fn can_become(self, next: AuditStatus) -> bool {
        use AuditStatus::*;
        matches!(
            (self, next),
            (Planned, InProgress) | (InProgress, Completed) | (Planned | InProgress, Cancelled)
        )
    }

    /// Scope, team and dates can still change.
    pub fn is_open(self) -> bool {
        matches!(self, AuditStatus::Planned | AuditStatus::InProgress)
    }
}

/// The answer to a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    Conforming,
    Nonconforming,
    Observation,
    OpportunityForImprovement,
    NotAudited,
}

impl ItemResult {
    pub const ALL: [ItemResult; 5] = [
        ItemResult::Conforming,
        ItemResult::Nonconforming,
        ItemResult::Observation,
        ItemResult::OpportunityForImprovement,
        ItemResult::NotAudited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemResult::Conforming => "conforming",
            ItemResult::Nonconforming => "nonconforming",
            ItemResult::Observation => "observation",
            ItemResult::OpportunityForImprovement => "opportunity_for_improvement",
            ItemResult::NotAudited => "not_audited",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemResult::Conforming => "Conforming",
            ItemResult::Nonconforming => "Nonconforming",
            ItemResult::Observation => "Observation",
            ItemResult::OpportunityForImprovement => "Opportunity for improvement",
            ItemResult::NotAudited => "Not audited",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    "must be conforming, nonconforming, observation, opportunity_for_improvement or not_audited",
                )
            })
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The finding grade a "Raise a finding" link proposes; `None`: nothing to raise.
    pub fn finding_grade(self) -> Option<&'static str> {
        match self {
            ItemResult::Nonconforming => Some("minor_nc"),
            ItemResult::Observation => Some("observation"),
            ItemResult::OpportunityForImprovement => Some("ofi"),
            ItemResult::Conforming | ItemResult::NotAudited => None,
        }
    }
}

/// `AUD-2026-01`.
pub fn audit_ref(year: i32, seq: i64) -> String {
    format!("AUD-{year}-{seq:02}")
}

/// An auditor on an audit: the lead (`lead_auditor_id`) or a team member (`team`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auditor {
    pub user_id: Uuid,
    pub name: String,
    pub lead: bool,
}

/// An auditee area with the people it involves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaPeople {
    pub name: String,
    pub owner: Option<Uuid>,
    pub members: Vec<Uuid>,
}

/// A reason an auditor is not independent of what they audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Conflict {
    /// `lead_auditor_id` or `team`.
    pub field: String,
    pub user_id: Uuid,
    /// In plain words: "Dana Smith owns the area Engineering".
    pub conflict: String,
}

/// Independence (9.2.2 c): no auditor may audit an area they own or work in, nor a
/// control in scope that they own. `control_owners` holds `(item key, owner)` for the
/// controls in scope.
pub fn independence_conflicts(
    auditors: &[Auditor],
    areas: &[AreaPeople],
    control_owners: &[(String, Uuid)],
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for a in auditors {
        let field = if a.lead { "lead_auditor_id" } else { "team" };
        let mut push = |conflict: String| {
            out.push(Conflict {
                field: field.to_owned(),
                user_id: a.user_id,
                conflict,
            })
        };
        for area in areas {
            if area.owner == Some(a.user_id) {
                push(format!("{} owns the area {}", a.name, area.name));
            } else if area.members.contains(&a.user_id) {
                push(format!("{} works in the area {}", a.name, area.name));
            }
        }
        for (key, owner) in control_owners {
            if *owner == a.user_id {
                push(format!("{} owns the control {key}", a.name));
            }
        }
    }
    out
}

/// With conflicts, an audit needs a justification; without one, the refusal names each
/// conflicting field. Returns the trimmed justification (empty when there is none).
pub fn check_independence(
    conflicts: &[Conflict],
    justification: Option<&str>,
) -> Result<String, ValidationError> {
    let j = justification.map(str::trim).unwrap_or("");
    if j.chars().count() > MAX_TEXT {
        return Err(ValidationError::single(
            "independence_justification",
            "must be at most 8000 characters",
        ));
    }
    if conflicts.is_empty() || !j.is_empty() {
        return Ok(j.to_owned());
    }
    let mut v = ValidationError::new();
    for c in conflicts {
        v.push(
            c.field.clone(),
            format!(
                "is not independent: {}; choose another auditor or give an independence_justification",
                c.conflict
            ),
        );
    }
    Err(v)
}

/// Completing an audit: every checklist item must be answered. `items` are `(item key,
/// answered)` in checklist order; the refusal names the first open one.
pub fn check_complete(items: &[(String, bool)]) -> Result<(), ValidationError> {
    if items.is_empty() {
        return Err(ValidationError::single(
            "checklist",
            "the audit has no checklist yet; generate it and answer every item first",
        ));
    }
    match items.iter().find(|(_, answered)| !answered) {
        None => Ok(()),
        Some((key, _)) => {
            let open = items.iter().filter(|(_, a)| !a).count();
            Err(ValidationError::single(
                "checklist",
                format!(
                    "{open} checklist item(s) have no result yet, the first is {key}; answer every item (not_audited is an answer) before completing"
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
