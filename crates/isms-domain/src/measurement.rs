//! Monitoring and measurement (ISO 27001 9.1): values of an objective's metric over time,
//! and the results of a control's checks. The trend of a subject — on target or not,
//! going up, down or flat — and whether its next measurement is overdue are plain
//! functions of its history here; the chart is drawn by [`crate::trend_chart`].

use crate::ValidationError;
use crate::control::implementation::{CheckFrequency, CheckResult, labelled_enum};
use time::Date;

/// Longest note.
pub const MAX_NOTE: usize = 2000;
/// Changes smaller than this share of the target (or of the previous value) are "flat".
pub const FLAT_SHARE: f64 = 0.02;

labelled_enum!(
    /// What a control check found.
    Outcome {
        Pass = "pass", "Pass";
        Partial = "partial", "Partial";
        Fail = "fail", "Fail";
    }
);

impl Outcome {
    /// The control's "last check" result this outcome records.
    pub fn check_result(self) -> CheckResult {
        match self {
            Outcome::Pass => CheckResult::Effective,
            Outcome::Partial => CheckResult::PartlyEffective,
            Outcome::Fail => CheckResult::NotEffective,
        }
    }

    /// Colour of the result strip.
    pub fn colour(self) -> &'static str {
        match self {
            Outcome::Pass => "#2e7d32",
            Outcome::Partial => "#f9a825",
            Outcome::Fail => "#c62828",
        }
    }
}

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// An objective's metric (register `objective`).
    Objective,
    /// A control's check (Annex A id or own-control code).
    Control,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Objective => "objective",
            SubjectKind::Control => "control",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim() {
            "objective" => Ok(SubjectKind::Objective),
            "control" => Ok(SubjectKind::Control),
            _ => Err(ValidationError::single(
                field,
                "must be objective or control",
            )),
        }
    }
}

/// One measurement as entered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub kind: SubjectKind,
    pub measured_on: Date,
    pub value: Option<f64>,
    pub outcome: Option<Outcome>,
}

/// Not in the future; a number that is finite; an objective needs a value and a control
/// check a result (a value is optional for it).
pub fn check_reading(r: &Reading, today: Date) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if r.measured_on > today {
        v.push("measured_on", "must not be in the future");
    }
    if r.value.is_some_and(|x| !x.is_finite()) {
        v.push("value", "must be a number");
    }
    match r.kind {
        SubjectKind::Objective => {
            if r.value.is_none() {
                v.push("value", "is required for an objective's metric");
            }
            if r.outcome.is_some() {
                v.push("result", "is only for control checks");
            }
        }
        SubjectKind::Control => {
            if r.outcome.is_none() {
                v.push(
                    "result",
                    "is required for a control check (pass, partial or fail)",
                );
            }
        }
    }
    v.into_result()
}

/// Read a number as people type it: `97.5`, `97,5`, `98 %`.
pub fn parse_value(field: &str, s: &str) -> Result<Option<f64>, ValidationError> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Some)
        .ok_or_else(|| ValidationError::single(field, "must be a number, e.g. 97.5"))
}

/// Whether a lower value is better, read from how the target is worded ("at most 2
/// incidents", "under 4 hours", "fewer than 5"). Otherwise higher is better.
pub fn lower_is_better(target_text: &str, metric: &str) -> bool {
    let t = format!("{} {}", target_text, metric).to_lowercase();
    [
        "at most",
        "under ",
        "below",
        "fewer",
        "less than",
        "no more than",
        "maximum",
        "max ",
        "≤",
        "<",
        "within",
        "reduce",
        "lower",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// Where the latest value stands against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendStatus {
    OnTarget,
    OffTarget,
    /// No measurement yet, or no target to compare with.
    NoData,
}

impl TrendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TrendStatus::OnTarget => "on_target",
            TrendStatus::OffTarget => "off_target",
            TrendStatus::NoData => "no_data",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TrendStatus::OnTarget => "On target",
            TrendStatus::OffTarget => "Off target",
            TrendStatus::NoData => "No data",
        }
    }
}

/// Which way the last two values went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Flat,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Flat => "flat",
        }
    }

    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Flat => "→",
        }
    }
}

/// The trend of a series of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub status: TrendStatus,
    pub latest: Option<f64>,
    pub direction: Direction,
}

/// The trend of `points` (any order; the latest date counts): on target when the latest
/// value reaches the target (at or below it when lower is better); the direction compares
/// the latest value with the one before, changes under [`FLAT_SHARE`] being flat.
pub fn trend(points: &[(Date, f64)], target: Option<f64>, lower_better: bool) -> Trend {
    let mut sorted: Vec<(Date, f64)> = points.to_vec();
    sorted.sort_by_key(|p| p.0);
    let latest = sorted.last().map(|p| p.1);
    let previous = sorted
        .len()
        .checked_sub(2)
        .and_then(|i| sorted.get(i))
        .map(|p| p.1);
    let status = match (latest, target) {
        (Some(l), Some(t)) => {
            let ok = if lower_better { l <= t } else { l >= t };
            if ok {
                TrendStatus::OnTarget
            } else {
                TrendStatus::OffTarget
            }
        }
        _ => TrendStatus::NoData,
    };
    let direction = match (latest, previous) {
        (Some(l), Some(p)) => {
            let scale = target
                .or(Some(p))
                .map(f64::abs)
                .filter(|s| *s > 0.0)
                .unwrap_or(1.0);
            let d = l - p;
            if d.abs() < scale * FLAT_SHARE {
                Direction::Flat
            } else if d > 0.0 {
                Direction::Up
            } else {
                Direction::Down
            }
        }
        _ => Direction::Flat,
    };
    Trend {
        status,
        latest,
        direction,
    }
}

/// Read an objective's `metric_frequency` ("monthly", "Quarterly", "every 6 months",
/// "annually"); `None` when it names no frequency we know.
pub fn frequency_of(s: &str) -> Option<CheckFrequency> {
    let t = s.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Ok(f) = CheckFrequency::parse("metric_frequency", &t) {
        return Some(f);
    }
    if t.contains("week") {
        Some(CheckFrequency::Weekly)
    } else if (t.contains("month") && (t.contains('6') || t.contains("six")))
        || t.contains("half")
        || t.contains("semi")
    {
        Some(CheckFrequency::HalfYearly)
    } else if t.contains("quarter") || t.contains("3 month") || t.contains("three month") {
        Some(CheckFrequency::Quarterly)
    } else if t.contains("month") {
        Some(CheckFrequency::Monthly)
    } else if t.contains("year") || t.contains("annual") {
        Some(CheckFrequency::Yearly)
    } else {
        None
    }
}

/// The next measurement is overdue: with a known frequency, never measured, or the last
/// one is older than one period.
pub fn measurement_overdue(
    frequency: Option<CheckFrequency>,
    last: Option<Date>,
    today: Date,
) -> bool {
    match (frequency, last) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(f), Some(l)) => f.next_after(l) < today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 06 - 30);

    fn fields(r: Result<(), ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_reading_is_checked_by_its_subject() {
        let mut r = Reading {
            kind: SubjectKind::Objective,
            measured_on: TODAY,
            value: Some(96.0),
            outcome: None,
        };
        assert!(check_reading(&r, TODAY).is_ok());
        r.measured_on = date!(2026 - 07 - 01);
        assert_eq!(fields(check_reading(&r, TODAY)), ["measured_on"]);
        r.measured_on = TODAY;
        r.value = None;
        r.outcome = Some(Outcome::Pass);
        assert_eq!(fields(check_reading(&r, TODAY)), ["value", "result"]);
        r.kind = SubjectKind::Control;
        assert!(check_reading(&r, TODAY).is_ok());
        r.outcome = None;
        r.value = Some(f64::NAN);
        assert_eq!(fields(check_reading(&r, TODAY)), ["value", "result"]);
    }

    #[test]
    fn values_read_as_people_type_them() {
        assert_eq!(parse_value("value", " 97,5 % ").ok(), Some(Some(97.5)));
        assert_eq!(parse_value("value", "").ok(), Some(None));
        assert_eq!(
            parse_value("value", "lots").unwrap_err().errors[0].field,
            "value"
        );
        assert!(parse_value("value", "inf").is_err());
    }

    #[test]
    fn outcomes_map_to_the_controls_last_check() {
        assert_eq!(Outcome::Pass.check_result(), CheckResult::Effective);
        assert_eq!(
            Outcome::Partial.check_result(),
            CheckResult::PartlyEffective
        );
        assert_eq!(Outcome::Fail.check_result(), CheckResult::NotEffective);
    }

    #[test]
    fn trend_compares_the_latest_value_with_the_target_and_the_one_before() {
        let pts = [
            (date!(2026 - 05 - 31), 90.0),
            (date!(2026 - 04 - 30), 80.0),
            (date!(2026 - 06 - 30), 96.0),
        ];
        let t = trend(&pts, Some(95.0), false);
        assert_eq!(t.status, TrendStatus::OnTarget);
        assert_eq!(t.latest, Some(96.0));
        assert_eq!(t.direction, Direction::Up);
        assert_eq!(
            trend(&pts, Some(97.0), false).status,
            TrendStatus::OffTarget
        );
        // Lower is better: 96 is above a ceiling of 95.
        assert_eq!(trend(&pts, Some(95.0), true).status, TrendStatus::OffTarget);
        assert_eq!(trend(&pts, None, false).status, TrendStatus::NoData);
        assert_eq!(trend(&[], Some(1.0), false).status, TrendStatus::NoData);
        let flat = [(date!(2026 - 05 - 31), 95.0), (date!(2026 - 06 - 30), 95.5)];
        assert_eq!(trend(&flat, Some(95.0), false).direction, Direction::Flat);
        let down = [(date!(2026 - 05 - 31), 4.0), (date!(2026 - 06 - 30), 2.0)];
        assert_eq!(trend(&down, Some(3.0), true).direction, Direction::Down);
        assert_eq!(trend(&down, Some(3.0), true).status, TrendStatus::OnTarget);
    }

    #[test]
    fn lower_is_better_is_read_from_the_wording() {
        assert!(lower_is_better("At most 2 major incidents a year", ""));
        assert!(lower_is_better("", "Mean time to patch, under 14 days"));
        assert!(!lower_is_better(
            "95% of staff trained",
            "Share of staff trained"
        ));
    }

    #[test]
    fn frequencies_and_overdue() {
        assert_eq!(frequency_of("Monthly"), Some(CheckFrequency::Monthly));
        assert_eq!(
            frequency_of("every 6 months"),
            Some(CheckFrequency::HalfYearly)
        );
        assert_eq!(frequency_of("quarterly"), Some(CheckFrequency::Quarterly));
        assert_eq!(frequency_of("annually"), Some(CheckFrequency::Yearly));
        assert_eq!(frequency_of("when needed"), None);
        let m = Some(CheckFrequency::Monthly);
        assert!(measurement_overdue(m, None, TODAY));
        assert!(!measurement_overdue(m, Some(date!(2026 - 05 - 30)), TODAY));
        assert!(measurement_overdue(m, Some(date!(2026 - 05 - 29)), TODAY));
        assert!(!measurement_overdue(None, None, TODAY));
    }
}
