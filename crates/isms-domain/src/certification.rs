//! The certification cycle as accredited certification bodies run it (ISO/IEC 17021-1 with
//! the ISMS additions of ISO/IEC 27006-1), and the ISMS audit-time estimate.
//!
//! Everything here is a plain function of dates and numbers; the figures come from
//! `shared/domain/certification-rules.md` and each carries how sure we are of it
//! ([`Reliability`]), so the UI can say which numbers a certification body may set
//! differently.

use crate::ValidationError;
use crate::time::add_months;
use serde::Serialize;
use time::{Date, Duration};

/// How sure we are of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// Confirmed in an authoritative source or two independent ones.
    Verified,
    /// Common certification-body practice; bodies differ.
    Practice,
    /// Recalled or weakly sourced; a default to confirm with the body.
    Unverified,
}

impl Reliability {
    pub fn label(self) -> &'static str {
        match self {
            Reliability::Verified => "verified",
            Reliability::Practice => "common practice, varies by body",
            Reliability::Unverified => "unverified, confirm with your body",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Audit time
// ---------------------------------------------------------------------------------------

/// Days are counted in half days so that the arithmetic stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct HalfDays(pub u32);

impl HalfDays {
    pub fn days(self) -> f64 {
        f64::from(self.0) / 2.0
    }

    /// "10", "3.5".
    pub fn label(self) -> String {
        if self.0.is_multiple_of(2) {
            format!("{}", self.0 / 2)
        } else {
            format!("{}.5", self.0 / 2)
        }
    }
}

/// One row of the ISMS audit-time chart: initial audit time (Stage 1 and Stage 2
/// together) for a band of effective personnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditTimeBand {
    pub min_personnel: u32,
    /// `None` for the open-ended last band.
    pub max_personnel: Option<u32>,
    pub initial: HalfDays,
    pub reliability: Reliability,
}

const fn band(min: u32, max: u32, half_days: u32, reliability: Reliability) -> AuditTimeBand {
    AuditTimeBand {
        min_personnel: min,
        max_personnel: Some(max),
        initial: HalfDays(half_days),
        reliability,
    }
}

/// The chart, in the personnel bands certification bodies use. Rows above 1,175 people
/// are recalled values that no source confirmed.
pub const AUDIT_TIME_CHART: [AuditTimeBand; 21] = {
    use Reliability::{Unverified as U, Verified as V};
    [
        band(1, 10, 10, V),
        band(11, 15, 12, V),
        band(16, 25, 14, V),
        band(26, 45, 17, V),
        band(46, 65, 20, V),
        band(66, 85, 22, V),
        band(86, 125, 24, V),
        band(126, 175, 26, V),
        band(176, 275, 28, V),
        band(276, 425, 30, V),
        band(426, 625, 33, V),
        band(626, 875, 35, V),
        band(876, 1175, 37, V),
        band(1176, 1550, 39, U),
        band(1551, 2025, 42, U),
        band(2026, 2675, 44, U),
        band(2676, 3450, 46, U),
        band(3451, 4350, 48, U),
        band(4351, 5450, 50, U),
        band(5451, 6800, 52, U),
        band(6801, 8500, 54, U),
    ]
};

/// The last charted band; beyond it we extrapolate.
pub const LAST_CHARTED: AuditTimeBand = band(8501, 10700, 56, Reliability::Unverified);

/// Beyond 10,700 people: one more day for each further 2,500 people (started). This is
/// our own continuation of the chart's progression, not a published figure.
pub const EXTRAPOLATION_STEP: u32 = 2500;

/// The chart row (or our extrapolation) for `personnel` people.
pub fn chart_band(personnel: u32) -> Result<AuditTimeBand, ValidationError> {
    if personnel == 0 {
        return Err(ValidationError::single(
            "effective_personnel",
            "must be at least 1: count everyone doing work under the organisation's control within the scope",
        ));
    }
    if let Some(b) = AUDIT_TIME_CHART
        .iter()
        .chain(std::iter::once(&LAST_CHARTED))
        .find(|b| {
            b.max_personnel.is_none_or(|max| personnel <= max) && personnel >= b.min_personnel
        })
    {
        return Ok(*b);
    }
    let last_max = LAST_CHARTED.max_personnel.unwrap_or(10_700);
    let steps = (personnel - last_max).div_ceil(EXTRAPOLATION_STEP);
    Ok(AuditTimeBand {
        min_personnel: last_max + 1 + (steps - 1) * EXTRAPOLATION_STEP,
        max_personnel: Some(last_max + steps * EXTRAPOLATION_STEP),
        initial: HalfDays(LAST_CHARTED.initial.0 + 2 * steps),
        reliability: Reliability::Unverified,
    })
}

/// A group of people counted towards the effective number of personnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonnelGroup {
    pub label: String,
    pub head_count: u32,
    /// Share of a full-time working week, 0 < fte ≤ 1 (part-timers count pro rata).
    pub fte: f64,
    /// People performing identical, low-risk activities: ISO/IEC 27006-1 C.3.4 lets the
    /// body count the square root of the group (rounded up). The body must justify it.
    pub identical_low_risk: bool,
}

/// The effective number of personnel from the groups given, with the reduction for
/// identical low-risk work applied where a group is marked for it.
pub fn effective_personnel(groups: &[PersonnelGroup]) -> Result<u32, ValidationError> {
    let mut err = ValidationError::new();
    let mut total = 0.0_f64;
    for (i, g) in groups.iter().enumerate() {
        if !(g.fte > 0.0 && g.fte <= 1.0) {
            err.push(
                format!("groups[{i}].fte"),
                "must be more than 0 and at most 1 (a full-time week)",
            );
            continue;
        }
        let people = f64::from(g.head_count) * g.fte;
        total += if g.identical_low_risk {
            people.sqrt().ceil()
        } else {
            people
        };
    }
    err.into_result()?;
    let n = total.ceil();
    if n < 1.0 {
        return Err(ValidationError::single(
            "groups",
            "count at least one person within the scope",
        ));
    }
    // Bounded above by the sum of u32 head counts, so the cast cannot wrap.
    Ok(if n > f64::from(u32::MAX) {
        u32::MAX
    } else {
        n as u32
    })
}

/// A complexity level used by certification bodies to adjust the chart time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Complexity {
    Low,
    Medium,
    High,
}

impl Complexity {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Complexity::Low),
            "medium" => Ok(Complexity::Medium),
            "high" => Ok(Complexity::High),
            _ => Err(ValidationError::single(
                field,
                "must be low, medium or high",
            )),
        }
    }

    fn index(self) -> usize {
        match self {
            Complexity::Low => 0,
            Complexity::Medium => 1,
            Complexity::High => 2,
        }
    }
}

/// Percentage change of the chart time for business complexity (rows) × IT complexity
/// (columns). Bodies publish ranges, not one matrix: this default sits at the cautious
/// end of them and is an input the user can override.
pub const DEFAULT_COMPLEXITY_MATRIX: [[i32; 3]; 3] = [[-20, -10, 0], [-10, 0, 10], [0, 10, 30]];

/// Total reductions may not take the time below this share of the chart value (IAF MD 5
/// caps reductions at 30 %; whether 27006-1 does the same is unverified).
pub const DEFAULT_MAX_REDUCTION_PERCENT: i32 = 30;

/// Stage 1's share of the initial audit time (common calculators use 30 %).
pub const DEFAULT_STAGE1_PERCENT: u32 = 30;

/// What goes into an estimate, all visible to the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTimeInputs {
    pub effective_personnel: u32,
    pub business_complexity: Complexity,
    pub it_complexity: Complexity,
    /// Further change in percent (more sites: up; other certified systems: down).
    pub other_adjustment_percent: i32,
    pub complexity_matrix: [[i32; 3]; 3],
    pub max_reduction_percent: i32,
    pub stage1_percent: u32,
}

impl AuditTimeInputs {
    pub fn new(effective_personnel: u32) -> Self {
        Self {
            effective_personnel,
            business_complexity: Complexity::Medium,
            it_complexity: Complexity::Medium,
            other_adjustment_percent: 0,
            complexity_matrix: DEFAULT_COMPLEXITY_MATRIX,
            max_reduction_percent: DEFAULT_MAX_REDUCTION_PERCENT,
            stage1_percent: DEFAULT_STAGE1_PERCENT,
        }
    }
}

/// The estimate, with every step shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTimeEstimate {
    pub band: AuditTimeBand,
    pub chart_initial: HalfDays,
    pub complexity_percent: i32,
    pub other_percent: i32,
    /// The change applied after the reduction cap.
    pub applied_percent: i32,
    /// True when the cap limited the reduction.
    pub capped: bool,
    pub initial: HalfDays,
    pub stage1: HalfDays,
    pub stage2: HalfDays,
    /// Each surveillance audit: about a third of the initial time.
    pub surveillance: HalfDays,
    /// About two thirds of the initial time.
    pub recertification: HalfDays,
}

/// Round `x` half days up, with a floor of half a day for any audit.
fn half_days_ceil(x: f64) -> HalfDays {
    let h = (x - 1e-9).ceil().max(1.0);
    HalfDays(if h > f64::from(u32::MAX) {
        u32::MAX
    } else {
        h as u32
    })
}

/// Estimate the auditor-days of the cycle from the inputs.
pub fn estimate_audit_time(inputs: &AuditTimeInputs) -> Result<AuditTimeEstimate, ValidationError> {
    let mut err = ValidationError::new();
    if !(0..=100).contains(&inputs.max_reduction_percent) {
        err.push("max_reduction_percent", "must be between 0 and 100");
    }
    if !(1..=99).contains(&inputs.stage1_percent) {
        err.push("stage1_percent", "must be between 1 and 99");
    }
    if !(-100..=300).contains(&inputs.other_adjustment_percent) {
        err.push("other_adjustment_percent", "must be between -100 and 300");
    }
    err.into_result()?;
    let band = chart_band(inputs.effective_personnel)?;
    let complexity_percent =
        inputs.complexity_matrix[inputs.business_complexity.index()][inputs.it_complexity.index()];
    let total = complexity_percent + inputs.other_adjustment_percent;
    let capped = total < -inputs.max_reduction_percent;
    let applied_percent = if capped {
        -inputs.max_reduction_percent
    } else {
        total
    };
    let chart = f64::from(band.initial.0);
    let initial = half_days_ceil(chart * f64::from(100 + applied_percent) / 100.0);
    let i = f64::from(initial.0);
    let stage1 = half_days_ceil(i * f64::from(inputs.stage1_percent) / 100.0);
    let stage1 = if stage1.0 >= initial.0 && initial.0 > 1 {
        HalfDays(initial.0 - 1)
    } else {
        stage1
    };
    let stage2 = HalfDays(initial.0.saturating_sub(stage1.0).max(1));
    Ok(AuditTimeEstimate {
        band,
        chart_initial: band.initial,
        complexity_percent,
        other_percent: inputs.other_adjustment_percent,
        applied_percent,
        capped,
        initial,
        stage1,
        stage2,
        surveillance: half_days_ceil(i / 3.0),
        recertification: half_days_ceil(i * 2.0 / 3.0),
    })
}

// ---------------------------------------------------------------------------------------
// The cycle
// ---------------------------------------------------------------------------------------

/// The kinds of certification-body audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertAuditKind {
    Stage1,
    Stage2,
    Surveillance1,
    Surveillance2,
    Recertification,
    Special,
}

impl CertAuditKind {
    pub const ALL: [CertAuditKind; 6] = [
        CertAuditKind::Stage1,
        CertAuditKind::Stage2,
        CertAuditKind::Surveillance1,
        CertAuditKind::Surveillance2,
        CertAuditKind::Recertification,
        CertAuditKind::Special,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertAuditKind::Stage1 => "stage1",
            CertAuditKind::Stage2 => "stage2",
            CertAuditKind::Surveillance1 => "surveillance1",
            CertAuditKind::Surveillance2 => "surveillance2",
            CertAuditKind::Recertification => "recertification",
            CertAuditKind::Special => "special",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CertAuditKind::Stage1 => "Stage 1",
            CertAuditKind::Stage2 => "Stage 2",
            CertAuditKind::Surveillance1 => "Surveillance 1",
            CertAuditKind::Surveillance2 => "Surveillance 2",
            CertAuditKind::Recertification => "Recertification",
            CertAuditKind::Special => "Special audit",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "");
        CertAuditKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    "must be stage1, stage2, surveillance1, surveillance2, recertification or special",
                )
            })
    }

    pub fn is_surveillance(self) -> bool {
        matches!(
            self,
            CertAuditKind::Surveillance1 | CertAuditKind::Surveillance2
        )
    }
}

/// Certificate validity in months from the certification decision.
pub const VALIDITY_MONTHS: i64 = 36;
/// The first surveillance audit must be held within this many months of the decision.
pub const FIRST_SURVEILLANCE_MONTHS: i64 = 12;
/// After expiry, the body may restore the certificate within this many months.
pub const RESTORATION_MONTHS: i64 = 6;
/// A major nonconformity from Stage 2 must be verified within this many months of the
/// last Stage 2 day, or Stage 2 is repeated.
pub const MAJOR_NC_VERIFICATION_MONTHS: i64 = 6;
/// Recertification usually starts at least this many months before expiry.
pub const RECERTIFICATION_LEAD_MONTHS: i64 = 3;
/// Stage 1 → Stage 2 interval: warn after this many days …
pub const STAGE_INTERVAL_WARN_DAYS: i64 = 90;
/// … and expect Stage 1 to be repeated after this many.
pub const STAGE_INTERVAL_MAX_DAYS: i64 = 180;

/// The dates that follow from one certification decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cycle {
    #[serde(serialize_with = "crate::time::ser_date")]
    pub decision_on: Date,
    /// The certificate's expiry: three years after the decision (29 February decisions
    /// expire on 28 February).
    #[serde(serialize_with = "crate::time::ser_date")]
    pub expires_on: Date,
    /// Latest date for the first surveillance audit.
    #[serde(serialize_with = "crate::time::ser_date")]
    pub surveillance1_due: Date,
    /// Calendar years that each need a surveillance audit.
    pub surveillance_years: Vec<i32>,
    /// The recertification decision must be taken before this day (the expiry).
    #[serde(serialize_with = "crate::time::ser_date")]
    pub recertification_due: Date,
    /// Recertification audits usually start by this day.
    #[serde(serialize_with = "crate::time::ser_date")]
    pub recertification_start_by: Date,
    /// Last day on which a lapsed certificate can still be restored.
    #[serde(serialize_with = "crate::time::ser_date")]
    pub restoration_until: Date,
}

/// The cycle of a certificate decided on `decision_on`.
pub fn cycle(decision_on: Date) -> Cycle {
    let expires_on = add_months(decision_on, VALIDITY_MONTHS);
    let first = add_months(decision_on, FIRST_SURVEILLANCE_MONTHS);
    // Every calendar year after the decision year up to, but not including, the
    // recertification year needs a surveillance audit.
    let surveillance_years = ((decision_on.year() + 1)..expires_on.year()).collect();
    Cycle {
        decision_on,
        expires_on,
        surveillance1_due: first,
        surveillance_years,
        recertification_due: expires_on,
        recertification_start_by: add_months(expires_on, -RECERTIFICATION_LEAD_MONTHS),
        restoration_until: add_months(expires_on, RESTORATION_MONTHS),
    }
}

/// A certification-body audit as the rules see it: its kind and its date (the actual
/// end date when held, else the planned one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedAudit {
    pub kind: CertAuditKind,
    pub start_on: Date,
    pub end_on: Date,
}

/// How serious a scheduling problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The body cannot accept it: the certificate is at risk.
    Breach,
    /// Allowed, but unusual or risky.
    Warning,
}

/// A rule of the cycle that a plan breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleWarning {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

fn days_between(a: Date, b: Date) -> i64 {
    (b - a).whole_days()
}

/// Check a plan of certification-body audits against the rules. `decision_on` is the
/// certification decision of the current cycle, when there is one.
pub fn check_plan(decision_on: Option<Date>, audits: &[PlannedAudit]) -> Vec<CycleWarning> {
    let mut out = Vec::new();
    for a in audits {
        if a.end_on < a.start_on {
            out.push(CycleWarning {
                rule: "dates-in-order",
                severity: Severity::Breach,
                message: format!(
                    "{} ends on {} before it starts on {}.",
                    a.kind.label(),
                    a.end_on,
                    a.start_on
                ),
            });
        }
    }
    let first = |k: CertAuditKind| {
        audits
            .iter()
            .filter(|a| a.kind == k)
            .min_by_key(|a| a.start_on)
    };
    if let (Some(s1), Some(s2)) = (first(CertAuditKind::Stage1), first(CertAuditKind::Stage2)) {
        let gap = days_between(s1.end_on, s2.start_on);
        if gap < 0 {
            out.push(CycleWarning {
                rule: "stage2-after-stage1",
                severity: Severity::Breach,
                message: "Stage 2 is planned before Stage 1 has ended.".into(),
            });
        } else if gap > STAGE_INTERVAL_MAX_DAYS {
            out.push(CycleWarning {
                rule: "stage-interval",
                severity: Severity::Breach,
                message: format!(
                    "{gap} days between Stage 1 and Stage 2: most bodies repeat Stage 1 after {STAGE_INTERVAL_MAX_DAYS} days, because its results may no longer hold."
                ),
            });
        } else if gap > STAGE_INTERVAL_WARN_DAYS {
            out.push(CycleWarning {
                rule: "stage-interval",
                severity: Severity::Warning,
                message: format!(
                    "{gap} days between Stage 1 and Stage 2: usual is two to eight weeks; the body may ask whether Stage 1 still holds."
                ),
            });
        }
    }
    let Some(decision) = decision_on else {
        return out;
    };
    let c = cycle(decision);
    let surveillances: Vec<&PlannedAudit> = audits
        .iter()
        .filter(|a| a.kind.is_surveillance() && a.start_on > decision)
        .collect();
    match surveillances.iter().min_by_key(|a| a.start_on) {
        None => out.push(CycleWarning {
            rule: "first-surveillance-12-months",
            severity: Severity::Warning,
            message: format!(
                "No surveillance audit is planned yet; the first must be held by {}.",
                c.surveillance1_due
            ),
        }),
        Some(a) if a.start_on > c.surveillance1_due => out.push(CycleWarning {
            rule: "first-surveillance-12-months",
            severity: Severity::Breach,
            message: format!(
                "The first surveillance audit ({}) is later than 12 months after the certification decision of {}; it must be held by {}.",
                a.start_on, decision, c.surveillance1_due
            ),
        }),
        Some(_) => {}
    }
    for year in &c.surveillance_years {
        if !surveillances.iter().any(|a| a.start_on.year() == *year) {
            out.push(CycleWarning {
                rule: "surveillance-every-calendar-year",
                severity: Severity::Breach,
                message: format!(
                    "No surveillance audit in {year}: one is needed in every calendar year of the cycle before the recertification year."
                ),
            });
        }
    }
    let recert = audits
        .iter()
        .filter(|a| a.kind == CertAuditKind::Recertification && a.start_on > decision)
        .min_by_key(|a| a.start_on);
    match recert {
        None => {}
        Some(a) if a.end_on >= c.expires_on => out.push(CycleWarning {
            rule: "recertification-before-expiry",
            severity: Severity::Breach,
            message: format!(
                "The recertification audit ends on {}, on or after the expiry of {}: the decision must be taken before expiry, or the certificate lapses.",
                a.end_on, c.expires_on
            ),
        }),
        Some(a) if a.start_on > c.recertification_start_by => out.push(CycleWarning {
            rule: "recertification-lead-time",
            severity: Severity::Warning,
            message: format!(
                "The recertification audit starts on {}, less than {RECERTIFICATION_LEAD_MONTHS} months before expiry ({}): little time is left to close any nonconformity before the certificate expires.",
                a.start_on, c.expires_on
            ),
        }),
        Some(_) => {}
    }
    out
}

/// The latest day a major nonconformity from a Stage 2 that ended on `stage2_end` can
/// be verified closed before Stage 2 must be repeated.
pub fn major_nc_verification_deadline(stage2_end: Date) -> Date {
    add_months(stage2_end, MAJOR_NC_VERIFICATION_MONTHS)
}

/// The status a certificate is recorded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Active,
    Suspended,
    Withdrawn,
    Expired,
    Restored,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 5] = [
        CertificateStatus::Active,
        CertificateStatus::Suspended,
        CertificateStatus::Withdrawn,
        CertificateStatus::Expired,
        CertificateStatus::Restored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Active => "active",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Withdrawn => "withdrawn",
            CertificateStatus::Expired => "expired",
            CertificateStatus::Restored => "restored",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let t = s.trim().to_ascii_lowercase();
        CertificateStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    "must be active, suspended, withdrawn, expired or restored",
                )
            })
    }
}

/// Where a certificate stands on `today`, from its recorded status and dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertificateState {
    Valid {
        #[serde(serialize_with = "crate::time::ser_date")]
        expires_on: Date,
        days_left: i64,
    },
    Suspended,
    Withdrawn,
    /// Expired, and the body can still restore it until `restorable_until`.
    Lapsed {
        #[serde(serialize_with = "crate::time::ser_date")]
        restorable_until: Date,
    },
    /// Expired for longer than the restoration window: a new initial audit is needed
    /// (at least Stage 2).
    Expired,
}

/// The state of a certificate with this recorded status and expiry on `today`.
pub fn certificate_state(
    status: CertificateStatus,
    expires_on: Date,
    today: Date,
) -> CertificateState {
    match status {
        CertificateStatus::Suspended => CertificateState::Suspended,
        CertificateStatus::Withdrawn => CertificateState::Withdrawn,
        CertificateStatus::Active | CertificateStatus::Restored if today < expires_on => {
            CertificateState::Valid {
                expires_on,
                days_left: days_between(today, expires_on),
            }
        }
        _ => {
            let until = add_months(expires_on, RESTORATION_MONTHS);
            if today <= until {
                CertificateState::Lapsed {
                    restorable_until: until,
                }
            } else {
                CertificateState::Expired
            }
        }
    }
}

/// Whether a recorded status may change to another. Withdrawal is final; a suspended
/// certificate is restored or withdrawn; an expired one can only be restored.
pub fn status_change_allowed(from: CertificateStatus, to: CertificateStatus) -> bool {
    use CertificateStatus as S;
    matches!(
        (from, to),
        (
            S::Active | S::Restored,
            S::Suspended | S::Withdrawn | S::Expired
        ) | (S::Suspended, S::Active | S::Withdrawn)
            | (S::Expired, S::Restored | S::Withdrawn)
    )
}

/// A restoration is only possible within the window after expiry.
pub fn check_restoration(expires_on: Date, restored_on: Date) -> Result<(), ValidationError> {
    let until = add_months(expires_on, RESTORATION_MONTHS);
    if restored_on > until {
        Err(ValidationError::single(
            "status",
            format!(
                "the certificate expired on {expires_on}; it can only be restored until {until}, after that a new Stage 2 audit is needed"
            ),
        ))
    } else if restored_on < expires_on {
        Err(ValidationError::single(
            "status",
            "the certificate has not expired yet; there is nothing to restore",
        ))
    } else {
        Ok(())
    }
}

/// The new expiry of a restored certificate: the next cycle runs from the old expiry,
/// so the dates stay in sequence and the gap shows on the certificate.
pub fn restored_expiry(old_expires_on: Date) -> Date {
    add_months(old_expires_on, VALIDITY_MONTHS)
}

/// One dated item of the cycle calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleEvent {
    #[serde(serialize_with = "crate::time::ser_date")]
    pub date: Date,
    pub key: String,
    pub title: String,
}

/// The deadlines that follow from a decision, for the calendar and its feed.
pub fn cycle_events(c: &Cycle) -> Vec<CycleEvent> {
    let mut v = vec![
        CycleEvent {
            date: c.surveillance1_due,
            key: "surveillance1-due".into(),
            title: "Latest date for the first surveillance audit".into(),
        },
        CycleEvent {
            date: c.recertification_start_by,
            key: "recertification-start".into(),
            title: "Recertification audit should have started".into(),
        },
        CycleEvent {
            date: c.expires_on,
            key: "certificate-expiry".into(),
            title: "Certificate expires; the recertification decision must be taken before".into(),
        },
        CycleEvent {
            date: c.restoration_until,
            key: "restoration-window-end".into(),
            title: "Last day a lapsed certificate can be restored".into(),
        },
    ];
    for y in &c.surveillance_years {
        if let Ok(d) = Date::from_calendar_date(*y, time::Month::December, 31) {
            v.push(CycleEvent {
                date: d,
                key: format!("surveillance-{y}"),
                title: format!("A surveillance audit must have been held in {y}"),
            });
        }
    }
    v.sort_by_key(|e| e.date);
    v
}

/// `d` plus whole days, saturating at the ends of the calendar.
pub fn plus_days(d: Date, days: i64) -> Date {
    d.saturating_add(Duration::days(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_band_boundary_of_the_chart() {
        let expected: [(u32, u32, &str); 22] = [
            (1, 10, "5"),
            (11, 15, "6"),
            (16, 25, "7"),
            (26, 45, "8.5"),
            (46, 65, "10"),
            (66, 85, "11"),
            (86, 125, "12"),
            (126, 175, "13"),
            (176, 275, "14"),
            (276, 425, "15"),
            (426, 625, "16.5"),
            (626, 875, "17.5"),
            (876, 1175, "18.5"),
            (1176, 1550, "19.5"),
            (1551, 2025, "21"),
            (2026, 2675, "22"),
            (2676, 3450, "23"),
            (3451, 4350, "24"),
            (4351, 5450, "25"),
            (5451, 6800, "26"),
            (6801, 8500, "27"),
            (8501, 10700, "28"),
        ];
        for (min, max, days) in expected {
            for n in [min, max] {
                let b = chart_band(n).unwrap();
                assert_eq!(b.initial.label(), days, "{n} people");
                assert_eq!((b.min_personnel, b.max_personnel), (min, Some(max)));
            }
            if min > 1 {
                assert_ne!(chart_band(min - 1).unwrap().initial.label(), days);
            }
        }
        assert_eq!(chart_band(1175).unwrap().reliability, Reliability::Verified);
        assert_eq!(
            chart_band(1176).unwrap().reliability,
            Reliability::Unverified
        );
    }

    #[test]
    fn beyond_the_chart_extrapolates_one_day_per_step() {
        assert_eq!(chart_band(10_701).unwrap().initial.label(), "29");
        assert_eq!(chart_band(13_200).unwrap().initial.label(), "29");
        assert_eq!(chart_band(13_201).unwrap().initial.label(), "30");
        let b = chart_band(13_201).unwrap();
        assert_eq!((b.min_personnel, b.max_personnel), (13_201, Some(15_700)));
        assert_eq!(b.reliability, Reliability::Unverified);
    }

    #[test]
    fn zero_people_is_refused() {
        let e = chart_band(0).unwrap_err();
        assert_eq!(e.errors[0].field, "effective_personnel");
    }

    #[test]
    fn worked_example_sixty_people() {
        let e = estimate_audit_time(&AuditTimeInputs::new(60)).unwrap();
        assert_eq!(e.initial.label(), "10");
        assert_eq!(e.stage1.label(), "3");
        assert_eq!(e.stage2.label(), "7");
        assert_eq!(e.surveillance.label(), "3.5");
        assert_eq!(e.recertification.label(), "7");
        assert!(!e.capped);
    }

    #[test]
    fn adjustments_are_applied_and_reductions_capped() {
        let mut i = AuditTimeInputs::new(60);
        i.business_complexity = Complexity::High;
        i.it_complexity = Complexity::High;
        let e = estimate_audit_time(&i).unwrap();
        assert_eq!(e.complexity_percent, 30);
        assert_eq!(e.initial.label(), "13");
        i.business_complexity = Complexity::Low;
        i.it_complexity = Complexity::Low;
        i.other_adjustment_percent = -25;
        let e = estimate_audit_time(&i).unwrap();
        assert!(e.capped);
        assert_eq!(e.applied_percent, -30);
        assert_eq!(e.initial.label(), "7");
        i.stage1_percent = 0;
        assert_eq!(
            estimate_audit_time(&i).unwrap_err().errors[0].field,
            "stage1_percent"
        );
    }

    #[test]
    fn smallest_estimate_keeps_half_a_day_per_audit() {
        let mut i = AuditTimeInputs::new(1);
        i.other_adjustment_percent = -30;
        i.business_complexity = Complexity::Low;
        i.it_complexity = Complexity::Low;
        i.max_reduction_percent = 100;
        i.other_adjustment_percent = -100;
        let e = estimate_audit_time(&i).unwrap();
        assert_eq!(e.initial, HalfDays(1));
        assert!(e.stage1.0 >= 1 && e.stage2.0 >= 1 && e.surveillance.0 >= 1);
    }

    #[test]
    fn effective_personnel_counts_part_timers_and_identical_groups() {
        let g = |n, fte, same| PersonnelGroup {
            label: "g".into(),
            head_count: n,
            fte,
            identical_low_risk: same,
        };
        assert_eq!(
            effective_personnel(&[g(40, 1.0, false), g(10, 0.5, false)]).unwrap(),
            45
        );
        // 100 identical call-centre agents count as 10.
        assert_eq!(
            effective_personnel(&[g(20, 1.0, false), g(100, 1.0, true)]).unwrap(),
            30
        );
        assert_eq!(effective_personnel(&[g(99, 1.0, true)]).unwrap(), 10);
        let e = effective_personnel(&[g(5, 1.5, false)]).unwrap_err();
        assert_eq!(e.errors[0].field, "groups[0].fte");
        assert!(effective_personnel(&[]).is_err());
    }

    #[test]
    fn cycle_dates_and_leap_years() {
        let c = cycle(date!(2026 - 03 - 10));
        assert_eq!(c.expires_on, date!(2029 - 03 - 10));
        assert_eq!(c.surveillance1_due, date!(2027 - 03 - 10));
        assert_eq!(c.surveillance_years, vec![2027, 2028]);
        assert_eq!(c.recertification_start_by, date!(2028 - 12 - 10));
        assert_eq!(c.restoration_until, date!(2029 - 09 - 10));
        let leap = cycle(date!(2024 - 02 - 29));
        assert_eq!(leap.expires_on, date!(2027 - 02 - 28));
        assert_eq!(leap.surveillance1_due, date!(2025 - 02 - 28));
        assert_eq!(leap.restoration_until, date!(2027 - 08 - 28));
        let end_of_month = cycle(date!(2026 - 08 - 31));
        assert_eq!(end_of_month.restoration_until, date!(2030 - 02 - 28));
    }

    fn audit(kind: CertAuditKind, start: Date, end: Date) -> PlannedAudit {
        PlannedAudit {
            kind,
            start_on: start,
            end_on: end,
        }
    }

    fn rules(w: &[CycleWarning]) -> Vec<&'static str> {
        w.iter().map(|w| w.rule).collect()
    }

    #[test]
    fn a_plan_that_keeps_every_rule() {
        use CertAuditKind::*;
        let plan = [
            audit(Stage1, date!(2026 - 01 - 12), date!(2026 - 01 - 13)),
            audit(Stage2, date!(2026 - 02 - 16), date!(2026 - 02 - 19)),
            audit(Surveillance1, date!(2027 - 02 - 01), date!(2027 - 02 - 02)),
            audit(Surveillance2, date!(2028 - 01 - 20), date!(2028 - 01 - 21)),
            audit(
                Recertification,
                date!(2028 - 11 - 06),
                date!(2028 - 11 - 09),
            ),
        ];
        assert!(check_plan(Some(date!(2026 - 03 - 10)), &plan).is_empty());
    }

    #[test]
    fn twelve_month_rule_first_surveillance() {
        use CertAuditKind::*;
        let decision = date!(2026 - 03 - 10);
        let on_time = [audit(
            Surveillance1,
            date!(2027 - 03 - 10),
            date!(2027 - 03 - 10),
        )];
        assert!(
            !rules(&check_plan(Some(decision), &on_time)).contains(&"first-surveillance-12-months")
        );
        let late = [audit(
            Surveillance1,
            date!(2027 - 03 - 11),
            date!(2027 - 03 - 12),
        )];
        let w = check_plan(Some(decision), &late);
        let r = w
            .iter()
            .find(|w| w.rule == "first-surveillance-12-months")
            .unwrap();
        assert_eq!(r.severity, Severity::Breach);
        assert!(r.message.contains("2027-03-10"));
        let none = check_plan(Some(decision), &[]);
        assert_eq!(
            none.iter()
                .find(|w| w.rule == "first-surveillance-12-months")
                .unwrap()
                .severity,
            Severity::Warning
        );
    }

    #[test]
    fn calendar_year_rule() {
        use CertAuditKind::*;
        let decision = date!(2026 - 01 - 15);
        // Both surveillances in 2027: 2028 has none.
        let plan = [
            audit(Surveillance1, date!(2027 - 01 - 10), date!(2027 - 01 - 11)),
            audit(Surveillance2, date!(2027 - 12 - 10), date!(2027 - 12 - 11)),
        ];
        let w = check_plan(Some(decision), &plan);
        let years: Vec<&CycleWarning> = w
            .iter()
            .filter(|w| w.rule == "surveillance-every-calendar-year")
            .collect();
        assert_eq!(years.len(), 1);
        assert!(years[0].message.contains("2028"));
    }

    #[test]
    fn recertification_before_expiry() {
        use CertAuditKind::*;
        let decision = date!(2026 - 03 - 10);
        let base = [
            audit(Surveillance1, date!(2027 - 02 - 01), date!(2027 - 02 - 02)),
            audit(Surveillance2, date!(2028 - 02 - 01), date!(2028 - 02 - 02)),
        ];
        let mut late = base.to_vec();
        late.push(audit(
            Recertification,
            date!(2029 - 03 - 08),
            date!(2029 - 03 - 10),
        ));
        assert!(
            rules(&check_plan(Some(decision), &late)).contains(&"recertification-before-expiry")
        );
        let mut tight = base.to_vec();
        tight.push(audit(
            Recertification,
            date!(2029 - 02 - 01),
            date!(2029 - 02 - 03),
        ));
        assert_eq!(
            rules(&check_plan(Some(decision), &tight)),
            vec!["recertification-lead-time"]
        );
    }

    #[test]
    fn stage_interval() {
        use CertAuditKind::*;
        let s1 = audit(Stage1, date!(2026 - 01 - 05), date!(2026 - 01 - 06));
        let w = |d: Date| check_plan(None, &[s1, audit(Stage2, d, d)]);
        assert!(w(date!(2026 - 02 - 16)).is_empty());
        assert_eq!(w(date!(2026 - 05 - 01))[0].severity, Severity::Warning);
        assert_eq!(w(date!(2026 - 08 - 01))[0].severity, Severity::Breach);
        assert_eq!(w(date!(2026 - 01 - 05))[0].rule, "stage2-after-stage1");
    }

    #[test]
    fn certificate_states_and_restoration_window() {
        use CertificateStatus::*;
        let exp = date!(2029 - 03 - 10);
        assert_eq!(
            certificate_state(Active, exp, date!(2029 - 03 - 09)),
            CertificateState::Valid {
                expires_on: exp,
                days_left: 1
            }
        );
        assert_eq!(
            certificate_state(Active, exp, date!(2029 - 03 - 10)),
            CertificateState::Lapsed {
                restorable_until: date!(2029 - 09 - 10)
            }
        );
        assert_eq!(
            certificate_state(Expired, exp, date!(2029 - 09 - 11)),
            CertificateState::Expired
        );
        assert_eq!(
            certificate_state(Suspended, exp, date!(2027 - 01 - 01)),
            CertificateState::Suspended
        );
        assert!(check_restoration(exp, date!(2029 - 09 - 10)).is_ok());
        assert_eq!(
            check_restoration(exp, date!(2029 - 09 - 11))
                .unwrap_err()
                .errors[0]
                .field,
            "status"
        );
        assert!(check_restoration(exp, date!(2029 - 03 - 01)).is_err());
        assert_eq!(restored_expiry(exp), date!(2032 - 03 - 10));
        assert!(status_change_allowed(Active, Suspended));
        assert!(status_change_allowed(Suspended, Active));
        assert!(!status_change_allowed(Withdrawn, Active));
        assert!(!status_change_allowed(Active, Restored));
        assert!(status_change_allowed(Expired, Restored));
    }

    #[test]
    fn major_nc_six_months() {
        assert_eq!(
            major_nc_verification_deadline(date!(2026 - 02 - 19)),
            date!(2026 - 08 - 19)
        );
    }

    #[test]
    fn calendar_events_are_sorted() {
        let e = cycle_events(&cycle(date!(2026 - 03 - 10)));
        assert!(e.windows(2).all(|w| w[0].date <= w[1].date));
        assert!(e.iter().any(|e| e.key == "surveillance-2028"));
        assert_eq!(e.last().unwrap().key, "restoration-window-end");
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(
            CertAuditKind::parse("kind", "Surveillance 1").unwrap(),
            CertAuditKind::Surveillance1
        );
        assert_eq!(
            CertAuditKind::parse("kind", "stage-2").unwrap(),
            CertAuditKind::Stage2
        );
        assert!(CertAuditKind::parse("kind", "stage3").is_err());
        assert_eq!(plus_days(date!(2026 - 12 - 31), 1), date!(2027 - 01 - 01));
    }
}
