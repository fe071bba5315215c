//! The dashboard's plain rules: which dated items are deadlines, which are overdue, and
//! in which order an ISMS manager should see them.

use serde::Serialize;
use time::Date;

/// What kind of record a deadline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// A certification-body audit starts.
    CertificationAudit,
    /// A date of the certification cycle (surveillance due, certificate expiry).
    Cycle,
    /// A corrective action is due.
    CorrectiveAction,
    /// An approved document's review date.
    DocumentReview,
    /// Evidence stops being valid.
    EvidenceExpiry,
    /// A supplier's next security assessment.
    SupplierAssessment,
    /// A roadmap task is due.
    Task,
    /// A risk's review date.
    RiskReview,
}

impl DeadlineKind {
    /// As in the API (`corrective_action`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::CertificationAudit => "certification_audit",
            DeadlineKind::Cycle => "cycle",
            DeadlineKind::CorrectiveAction => "corrective_action",
            DeadlineKind::DocumentReview => "document_review",
            DeadlineKind::EvidenceExpiry => "evidence_expiry",
            DeadlineKind::SupplierAssessment => "supplier_assessment",
            DeadlineKind::Task => "task",
            DeadlineKind::RiskReview => "risk_review",
        }
    }

    /// The kind stored in a query's `kind` column (the registers with a date column).
    pub fn from_register(s: &str) -> Option<Self> {
        [
            DeadlineKind::CorrectiveAction,
            DeadlineKind::Task,
            DeadlineKind::DocumentReview,
            DeadlineKind::EvidenceExpiry,
            DeadlineKind::RiskReview,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeadlineKind::CertificationAudit => "Certification audit",
            DeadlineKind::Cycle => "Certification cycle",
            DeadlineKind::CorrectiveAction => "Corrective action due",
            DeadlineKind::DocumentReview => "Document review due",
            DeadlineKind::EvidenceExpiry => "Evidence expires",
            DeadlineKind::SupplierAssessment => "Supplier assessment due",
            DeadlineKind::Task => "Roadmap task due",
            DeadlineKind::RiskReview => "Risk review due",
        }
    }
}

/// One dated item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    #[serde(serialize_with = "crate::time::ser_date")]
    pub date: Date,
    /// The record's reference (`CA-004`, `DOC-012`) or empty.
    pub reference: String,
    pub title: String,
    /// Where the record is, below the organisation (`corrective-actions/…`).
    pub path: String,
    /// The date is before today.
    pub overdue: bool,
}

/// How far ahead the dashboard looks for deadlines.
pub const HORIZON_DAYS: i64 = 90;

/// The last day the dashboard looks at.
pub fn horizon_end(today: Date) -> Date {
    today.saturating_add(time::Duration::days(HORIZON_DAYS))
}

/// The deadlines to show: those from today up to the horizon, soonest first (same day:
/// by kind, then reference), at most `limit`. Overdue items are not deadlines any more;
/// [`overdue`] lists them.
pub fn upcoming(items: &[Deadline], today: Date, limit: usize) -> Vec<Deadline> {
    let until = horizon_end(today);
    pick(items, |d| d.date >= today && d.date <= until, false, limit)
}

/// The items `keep` keeps, marked `overdue` or not, in date order (same day: by kind,
/// then reference), at most `limit`.
fn pick(
    items: &[Deadline],
    keep: impl Fn(&Deadline) -> bool,
    overdue: bool,
    limit: usize,
) -> Vec<Deadline> {
    let mut v: Vec<Deadline> = items
        .iter()
        .filter(|d| keep(d))
        .cloned()
        .map(|mut d| {
            d.overdue = overdue;
            d
        })
        .collect();
    v.sort_by(|a, b| (a.date, a.kind, &a.reference).cmp(&(b.date, b.kind, &b.reference)));
    v.truncate(limit);
    v
}

/// The items whose date has passed, longest overdue first, at most `limit`.
pub fn overdue(items: &[Deadline], today: Date, limit: usize) -> Vec<Deadline> {
    pick(items, |d| d.date < today, true, limit)
}

/// How the SoA stands: the version in force and the draft, and what they say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SoaCounts {
    pub included: usize,
    pub excluded: usize,
    pub undecided: usize,
    /// Included controls whose implementation status is `implemented`.
    pub implemented: usize,
}

impl SoaCounts {
    /// Share of the included controls that are implemented, 0–100.
    pub fn implemented_percent(&self) -> u8 {
        if self.included == 0 {
            return 0;
        }
        let p = (self.implemented * 100 + self.included / 2) / self.included;
        u8::try_from(p.min(100)).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn d(kind: DeadlineKind, date: Date, r: &str) -> Deadline {
        Deadline {
            kind,
            date,
            reference: r.into(),
            title: format!("item {r}"),
            path: format!("x/{r}"),
            overdue: false,
        }
    }

    #[test]
    fn upcoming_keeps_the_window_in_date_order() {
        let today = date!(2026 - 12 - 01);
        let items = vec![
            d(DeadlineKind::Task, date!(2026 - 12 - 20), "T"),
            d(DeadlineKind::EvidenceExpiry, date!(2026 - 11 - 30), "EV-1"),
            d(
                DeadlineKind::CorrectiveAction,
                date!(2026 - 12 - 01),
                "CA-2",
            ),
            d(DeadlineKind::DocumentReview, date!(2027 - 06 - 01), "DOC-3"),
            d(
                DeadlineKind::CertificationAudit,
                date!(2026 - 12 - 20),
                "CBA-1",
            ),
        ];
        let up = upcoming(&items, today, 10);
        let refs: Vec<&str> = up.iter().map(|x| x.reference.as_str()).collect();
        // Today counts; yesterday and beyond the horizon do not; same day: audits first.
        assert_eq!(refs, ["CA-2", "CBA-1", "T"]);
        assert!(up.iter().all(|x| !x.overdue));
        assert_eq!(upcoming(&items, today, 2).len(), 2);
    }

    #[test]
    fn overdue_lists_the_past_oldest_first() {
        let today = date!(2026 - 12 - 01);
        let items = vec![
            d(DeadlineKind::Task, date!(2026 - 11 - 30), "T"),
            d(DeadlineKind::EvidenceExpiry, date!(2026 - 01 - 30), "EV-1"),
            d(
                DeadlineKind::CorrectiveAction,
                date!(2026 - 12 - 01),
                "CA-2",
            ),
        ];
        let o = overdue(&items, today, 10);
        let refs: Vec<&str> = o.iter().map(|x| x.reference.as_str()).collect();
        assert_eq!(refs, ["EV-1", "T"]);
        assert!(o.iter().all(|x| x.overdue));
    }

    #[test]
    fn kinds_read_as_the_api_writes_them() {
        assert_eq!(
            serde_json::to_value(DeadlineKind::EvidenceExpiry).unwrap(),
            DeadlineKind::EvidenceExpiry.as_str()
        );
        assert_eq!(
            DeadlineKind::from_register("risk_review"),
            Some(DeadlineKind::RiskReview)
        );
        assert_eq!(DeadlineKind::from_register("cycle"), None);
    }

    #[test]
    fn implemented_share_rounds_and_copes_with_nothing_included() {
        let c = SoaCounts {
            included: 3,
            implemented: 2,
            ..Default::default()
        };
        assert_eq!(c.implemented_percent(), 67);
        assert_eq!(SoaCounts::default().implemented_percent(), 0);
    }
}
