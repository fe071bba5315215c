//! Tasks of the remediation roadmap: status, lateness, and the due dates proposed for
//! tasks generated from gaps.

use crate::ValidationError;
use crate::gap::Priority;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Open => "Open",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<TaskStatus, ValidationError> {
        TaskStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| ValidationError::single(field, "must be open, in_progress or done"))
    }
}

/// A task is late when it is not done and its due date has passed.
pub fn is_late(status: TaskStatus, due: Option<Date>, today: Date) -> bool {
    status != TaskStatus::Done && due.is_some_and(|d| d < today)
}

/// Dates must be in order: a task cannot be due before it starts.
pub fn check_dates(start: Option<Date>, due: Option<Date>) -> Result<(), ValidationError> {
    match (start, due) {
        (Some(s), Some(d)) if d < s => Err(ValidationError::single(
            "due_on",
            "is before the start date",
        )),
        _ => Ok(()),
    }
}

/// The due date proposed for a task generated from a gap: high priority in four weeks,
/// medium in eight, low in twelve.
pub fn proposed_due(priority: Priority, today: Date) -> Date {
    let weeks = match priority {
        Priority::High => 4,
        Priority::Medium => 8,
        Priority::Low => 12,
    };
    today + Duration::weeks(weeks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn lateness_and_dates() {
        let today = date!(2026 - 11 - 28);
        assert!(is_late(
            TaskStatus::Open,
            Some(date!(2026 - 11 - 27)),
            today
        ));
        assert!(!is_late(
            TaskStatus::Done,
            Some(date!(2026 - 11 - 27)),
            today
        ));
        assert!(!is_late(TaskStatus::Open, Some(today), today));
        assert!(!is_late(TaskStatus::Open, None, today));
        assert!(check_dates(Some(today), Some(date!(2026 - 11 - 1))).is_err());
        assert!(check_dates(Some(today), None).is_ok());
        assert_eq!(proposed_due(Priority::High, today), date!(2026 - 12 - 26));
        assert_eq!(
            TaskStatus::parse("status", "in_progress"),
            Ok(TaskStatus::InProgress)
        );
        assert!(TaskStatus::parse("status", "later").is_err());
    }
}
