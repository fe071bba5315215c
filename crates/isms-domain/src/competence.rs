//! Competence and awareness (clauses 7.2 and 7.3, Annex A 6.3): the people in scope,
//! the competences each job role requires, the training records that show them, and
//! awareness campaigns with their participants.
//!
//! A person misses a competence their job role requires when no unexpired training
//! record of theirs names it ([`missing_competences`]); a training is expired once its
//! `expires_on` has passed; a campaign that has ended with fewer than
//! [`PARTICIPATION_TARGET`] per cent of its participants done is flagged.

use crate::ValidationError;
use time::Date;

/// Longest name, e-mail, job role, department, competence, provider, title or audience.
pub const MAX_NAME: usize = 200;
/// Longest free text (evidence note, topic).
pub const MAX_TEXT: usize = 4000;
/// A finished campaign with a lower participation rate (per cent) is flagged.
pub const PARTICIPATION_TARGET: f64 = 90.0;

/// The key competences are matched by: trimmed, case-insensitive, inner spaces folded.
pub fn competence_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Still valid on `today` (no expiry, or it expires today or later).
pub fn training_current(expires_on: Option<Date>, today: Date) -> bool {
    expires_on.is_none_or(|e| e >= today)
}

/// The competences of `required` that no current training covers, in the order given.
/// `trainings` are (competence, expires_on).
pub fn missing_competences(
    required: &[String],
    trainings: &[(String, Option<Date>)],
    today: Date,
) -> Vec<String> {
    required
        .iter()
        .filter(|r| {
            let k = competence_key(r);
            !trainings
                .iter()
                .any(|(c, e)| competence_key(c) == k && training_current(*e, today))
        })
        .cloned()
        .collect()
}

/// A training is not completed in the future and does not expire before it was completed.
pub fn check_training(
    completed_on: Date,
    expires_on: Option<Date>,
    today: Date,
) -> Result<(), ValidationError> {
    let mut v = ValidationError::new();
    if completed_on > today {
        v.push("completed_on", "must not be in the future");
    }
    if expires_on.is_some_and(|e| e <= completed_on) {
        v.push("expires_on", "must be after the day it was completed");
    }
    v.into_result()
}

/// A campaign does not end before it starts.
pub fn check_campaign(starts_on: Date, ends_on: Date) -> Result<(), ValidationError> {
    if ends_on < starts_on {
        Err(ValidationError::single(
            "ends_on",
            "must be on or after the day it starts",
        ))
    } else {
        Ok(())
    }
}

/// A participant completes it on a day that is not in the future.
pub fn check_participation(completed_on: Option<Date>, today: Date) -> Result<(), ValidationError> {
    if completed_on.is_some_and(|d| d > today) {
        Err(ValidationError::single(
            "completed_on",
            "must not be in the future",
        ))
    } else {
        Ok(())
    }
}

/// Share of participants done, in per cent; none without participants.
pub fn participation_rate(participants: usize, completed: usize) -> Option<f64> {
    (participants > 0).then(|| completed as f64 * 100.0 / participants as f64)
}

/// Ended before today with a rate below [`PARTICIPATION_TARGET`] (or nobody invited).
pub fn participation_low(rate: Option<f64>, ends_on: Date, today: Date) -> bool {
    ends_on < today && rate.is_none_or(|r| r < PARTICIPATION_TARGET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 04 - 01);

    fn fields(r: Result<(), ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_required_competence_is_missing_without_a_current_training() {
        let req = vec!["Secure coding".to_owned(), "GDPR basics".to_owned()];
        let t = vec![
            ("secure  CODING".to_owned(), None),
            ("GDPR basics".to_owned(), Some(date!(2026 - 03 - 31))),
        ];
        assert_eq!(missing_competences(&req, &t, TODAY), ["GDPR basics"]);
        let t2 = vec![
            ("GDPR basics".to_owned(), Some(date!(2026 - 03 - 31))),
            ("gdpr basics".to_owned(), Some(TODAY)),
            ("Secure coding".to_owned(), None),
        ];
        assert!(missing_competences(&req, &t2, TODAY).is_empty());
        assert_eq!(missing_competences(&req, &[], TODAY), req);
    }

    #[test]
    fn expiry() {
        assert!(training_current(None, TODAY));
        assert!(training_current(Some(TODAY), TODAY));
        assert!(!training_current(Some(date!(2026 - 03 - 31)), TODAY));
    }

    #[test]
    fn training_dates_are_checked() {
        assert!(check_training(date!(2026 - 03 - 01), Some(date!(2027 - 03 - 01)), TODAY).is_ok());
        assert_eq!(
            fields(check_training(date!(2026 - 04 - 02), None, TODAY)),
            ["completed_on"]
        );
        assert_eq!(
            fields(check_training(
                date!(2026 - 03 - 01),
                Some(date!(2026 - 03 - 01)),
                TODAY
            )),
            ["expires_on"]
        );
    }

    #[test]
    fn campaign_and_participation_dates_are_checked() {
        assert!(check_campaign(TODAY, TODAY).is_ok());
        assert_eq!(
            fields(check_campaign(TODAY, date!(2026 - 03 - 31))),
            ["ends_on"]
        );
        assert!(check_participation(Some(TODAY), TODAY).is_ok());
        assert!(check_participation(None, TODAY).is_ok());
        assert_eq!(
            fields(check_participation(Some(date!(2026 - 04 - 02)), TODAY)),
            ["completed_on"]
        );
    }

    #[test]
    fn participation_rate_and_flag() {
        assert_eq!(participation_rate(0, 0), None);
        assert_eq!(participation_rate(20, 17), Some(85.0));
        let ended = date!(2026 - 03 - 31);
        assert!(participation_low(Some(85.0), ended, TODAY));
        assert!(!participation_low(Some(90.0), ended, TODAY));
        assert!(
            !participation_low(Some(10.0), TODAY, TODAY),
            "still running"
        );
        assert!(participation_low(None, ended, TODAY));
    }

    #[test]
    fn competence_keys_fold_case_and_spaces() {
        assert_eq!(competence_key("  Secure   Coding "), "secure coding");
    }
}
