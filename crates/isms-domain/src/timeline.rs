//! The projected certification timeline: from organisation size, sites, the maturity the
//! gap assessment found and whether another management system already runs, the phases
//! up to Stage 2 with their durations and dates. Deterministic: the same input and start
//! date always give the same plan.

use serde::Serialize;
use time::{Date, Duration};

/// Size classes used to calibrate the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// Up to 50 people on one site: typically 4–6 months to certification.
    Small,
    /// 51–500 people, or two sites: typically 6–9 months.
    Medium,
    /// More than 500 people or three and more sites: typically 9–12 months or more.
    Large,
}

impl SizeClass {
    pub fn of(employees: i64, sites: u32) -> SizeClass {
        if employees > 500 || sites >= 3 {
            SizeClass::Large
        } else if employees > 50 || sites == 2 {
            SizeClass::Medium
        } else {
            SizeClass::Small
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SizeClass::Small => "small (up to 50 people, one site)",
            SizeClass::Medium => "mid-sized (51–500 people or two sites)",
            SizeClass::Large => "large or multi-site (over 500 people or three or more sites)",
        }
    }

    /// The typical range in months this class takes, which the plan is calibrated to.
    pub fn typical_months(self) -> (u32, u32) {
        match self {
            SizeClass::Small => (4, 6),
            SizeClass::Medium => (6, 9),
            SizeClass::Large => (9, 12),
        }
    }

    fn base_weeks(self, p: PhaseKind) -> u32 {
        use PhaseKind::*;
        let (s, m, l) = match p {
            GapAssessment => (2, 3, 4),
            RiskAssessmentTreatment => (4, 6, 8),
            Implementation => (9, 14, 22),
            InternalAuditReview => (4, 5, 7),
            Stage1 => (1, 1, 1),
            Stage1Follow => (3, 4, 5),
            Stage2 => (1, 1, 2),
        };
        match self {
            SizeClass::Small => s,
            SizeClass::Medium => m,
            SizeClass::Large => l,
        }
    }
}

/// The phases of the journey, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    GapAssessment,
    RiskAssessmentTreatment,
    Implementation,
    InternalAuditReview,
    Stage1,
    Stage1Follow,
    Stage2,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 7] = [
        PhaseKind::GapAssessment,
        PhaseKind::RiskAssessmentTreatment,
        PhaseKind::Implementation,
        PhaseKind::InternalAuditReview,
        PhaseKind::Stage1,
        PhaseKind::Stage1Follow,
        PhaseKind::Stage2,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PhaseKind::GapAssessment => "Gap assessment",
            PhaseKind::RiskAssessmentTreatment => "Risk assessment & treatment",
            PhaseKind::Implementation => "ISMS implementation",
            PhaseKind::InternalAuditReview => "Operation, internal audit & management review",
            PhaseKind::Stage1 => "Stage 1 audit",
            PhaseKind::Stage1Follow => "Close Stage 1 findings",
            PhaseKind::Stage2 => "Stage 2 audit",
        }
    }
}

/// What the projection starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineInput {
    pub employees: i64,
    pub sites: u32,
    /// Another certified management system (e.g. ISO 9001) already runs: document control,
    /// internal audit, management review and corrective action exist.
    pub existing_management_system: bool,
    /// Mean current maturity (0–5) from the latest gap assessment, if there is one.
    pub average_maturity: Option<f64>,
    /// A completed gap assessment exists, so that phase is done.
    pub gap_assessment_done: bool,
    pub start: Date,
}

/// One phase with its dates (end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub kind: PhaseKind,
    pub label: &'static str,
    pub weeks: u32,
    pub start: Date,
    pub end: Date,
}

/// The projected plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub size_class: SizeClass,
    pub phases: Vec<Phase>,
    pub total_weeks: u32,
    /// Months from the start to the end of Stage 2, one decimal.
    pub months: f64,
    pub earliest_stage2: Date,
    pub typical_months: (u32, u32),
    /// Every assumption behind the numbers, in plain words.
    pub assumptions: Vec<String>,
}

fn scale(weeks: u32, factor: f64) -> u32 {
    if weeks == 0 {
        return 0;
    }
    ((f64::from(weeks) * factor).ceil() as u32).max(1)
}

/// Project the timeline.
pub fn project(input: &TimelineInput) -> Timeline {
    let class = SizeClass::of(input.employees, input.sites.max(1));
    let maturity = input.average_maturity.map(|m| m.clamp(0.0, 5.0));
    // Work already in place shortens risk work and implementation: 10 % per maturity level,
    // never below half.
    let maturity_factor = maturity.map(|m| (1.0 - 0.1 * m).max(0.5)).unwrap_or(1.0);
    let ms_impl = if input.existing_management_system {
        0.8
    } else {
        1.0
    };
    let ms_audit = if input.existing_management_system {
        0.75
    } else {
        1.0
    };
    let extra_sites = input.sites.saturating_sub(1).min(5) * 2;
    let mut assumptions = vec![
        format!("Size class: {} ({} people, {} site{}), typically {}–{} months.", class.label(), input.employees, input.sites.max(1), if input.sites > 1 { "s" } else { "" }, class.typical_months().0, class.typical_months().1),
        "Phases run one after another; a dedicated ISMS manager and support from top management are available.".into(),
        "Before Stage 1 the ISMS runs long enough to produce records, with at least one complete internal audit and one management review.".into(),
        "The certification body can schedule Stage 1 and Stage 2 when you are ready; the interval between them allows the Stage 1 findings to be closed (typically 2–8 weeks).".into(),
    ];
    match maturity {
        Some(m) => assumptions.push(format!("The gap assessment found an average maturity of {m:.1}; existing practice shortens risk work and implementation by {:.0} %.", (1.0 - maturity_factor) * 100.0)),
        None => assumptions.push("No gap assessment yet: durations assume little is in place.".into()),
    }
    if input.existing_management_system {
        assumptions.push("Another management system already runs: implementation is 20 % and the audit and review phase 25 % shorter.".into());
    }
    if extra_sites > 0 {
        assumptions.push(format!(
            "{} more site{} add {extra_sites} weeks of implementation.",
            input.sites - 1,
            if input.sites > 2 { "s" } else { "" }
        ));
    }
    if input.gap_assessment_done {
        assumptions.push("A completed gap assessment exists, so that phase is done.".into());
    }
    let mut phases = Vec::new();
    let mut cursor = input.start;
    for kind in PhaseKind::ALL {
        let base = class.base_weeks(kind);
        let weeks = match kind {
            PhaseKind::GapAssessment if input.gap_assessment_done => 0,
            PhaseKind::RiskAssessmentTreatment => scale(base, maturity_factor),
            PhaseKind::Implementation => scale(base, maturity_factor * ms_impl) + extra_sites,
            PhaseKind::InternalAuditReview => scale(base, ms_audit),
            _ => base,
        };
        let end = cursor + Duration::weeks(i64::from(weeks));
        phases.push(Phase {
            kind,
            label: kind.label(),
            weeks,
            start: cursor,
            end,
        });
        cursor = end;
    }
    let total_weeks: u32 = phases.iter().map(|p| p.weeks).sum();
    let earliest_stage2 = phases.last().map(|p| p.start).unwrap_or(input.start);
    Timeline {
        size_class: class,
        total_weeks,
        months: (f64::from(total_weeks) * 7.0 / 30.44 * 10.0).round() / 10.0,
        earliest_stage2,
        typical_months: class.typical_months(),
        phases,
        assumptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(employees: i64, sites: u32) -> TimelineInput {
        TimelineInput {
            employees,
            sites,
            existing_management_system: false,
            average_maturity: None,
            gap_assessment_done: false,
            start: date!(2026 - 12 - 01),
        }
    }

    #[test]
    fn size_classes() {
        assert_eq!(SizeClass::of(20, 1), SizeClass::Small);
        assert_eq!(SizeClass::of(50, 1), SizeClass::Small);
        assert_eq!(SizeClass::of(51, 1), SizeClass::Medium);
        assert_eq!(SizeClass::of(30, 2), SizeClass::Medium);
        assert_eq!(SizeClass::of(501, 1), SizeClass::Large);
        assert_eq!(SizeClass::of(100, 3), SizeClass::Large);
    }

    #[test]
    fn calibrated_to_the_typical_ranges_when_nothing_is_in_place() {
        for (emp, sites, class) in [
            (20, 1, SizeClass::Small),
            (140, 1, SizeClass::Medium),
            (1200, 4, SizeClass::Large),
        ] {
            let t = project(&input(emp, sites));
            assert_eq!(t.size_class, class);
            let (lo, hi) = class.typical_months();
            assert!(
                t.months >= f64::from(lo) && t.months <= f64::from(hi) + 1.5,
                "{class:?}: {} months",
                t.months
            );
        }
    }

    #[test]
    fn maturity_and_an_existing_management_system_shorten_the_plan() {
        let base = project(&input(140, 1));
        let mature = project(&TimelineInput {
            average_maturity: Some(3.0),
            ..input(140, 1)
        });
        let iso9001 = project(&TimelineInput {
            existing_management_system: true,
            ..input(140, 1)
        });
        assert!(mature.total_weeks < base.total_weeks);
        assert!(iso9001.total_weeks < base.total_weeks);
        assert!(
            iso9001
                .assumptions
                .iter()
                .any(|a| a.contains("Another management system"))
        );
        let done = project(&TimelineInput {
            gap_assessment_done: true,
            ..input(140, 1)
        });
        assert_eq!(done.phases[0].weeks, 0);
        assert_eq!(done.total_weeks + 3, base.total_weeks);
    }

    #[test]
    fn deterministic_and_contiguous() {
        let a = project(&input(140, 1));
        assert_eq!(a, project(&input(140, 1)));
        for w in a.phases.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert_eq!(a.phases.len(), 7);
        assert_eq!(a.earliest_stage2, a.phases[6].start);
        assert_eq!(
            a.phases[6].end,
            date!(2026 - 12 - 01) + Duration::weeks(i64::from(a.total_weeks))
        );
    }
}
