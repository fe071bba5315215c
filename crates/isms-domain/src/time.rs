//! Time as the domain sees it: UTC instants in milliseconds, calendar dates, and a
//! clock that is injected (never read from the system inside the domain).

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339};

/// An instant, UTC, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(self.0.saturating_add(s.saturating_mul(1000)))
    }

    pub fn to_offset(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn from_offset(t: OffsetDateTime) -> Self {
        let ms = t.unix_timestamp_nanos() / 1_000_000;
        Self(i64::try_from(ms).unwrap_or(i64::MAX))
    }

    /// The calendar day (UTC) this instant falls on.
    pub fn date(self) -> Date {
        self.to_offset().date()
    }

    /// RFC 3339 text, e.g. `2026-11-28T09:30:00Z`.
    pub fn rfc3339(self) -> String {
        self.to_offset()
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.0.to_string())
    }

    /// A short human form, `2026-11-28 09:30 UTC`.
    pub fn human(self) -> String {
        let t = self.to_offset();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// Serialise a calendar date as `YYYY-MM-DD` (use with `#[serde(serialize_with)]`).
pub fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*d))
}

/// Serialise an optional calendar date as `YYYY-MM-DD` or null.
pub fn ser_opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format_date(*d)),
        None => s.serialize_none(),
    }
}

/// Read an optional date field: empty is none, anything else must be YYYY-MM-DD (the
/// problem is collected into `v` under `field`).
pub fn optional_date(v: &mut crate::ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

/// Read a required date field (YYYY-MM-DD).
pub fn required_date(v: &mut crate::ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    if s.map(str::trim).is_none_or(str::is_empty) {
        v.push(field, "is required (YYYY-MM-DD)");
        return None;
    }
    optional_date(v, field, s)
}

/// `d` plus `months` calendar months (negative goes back); the day is clamped to the end
/// of a shorter month, so 31 January + 1 month is the last day of February and
/// 29 February + 12 months is 28 February.
pub fn add_months(d: Date, months: i64) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let year = i32::try_from(total.div_euclid(12))
        .unwrap_or(9999)
        .clamp(-9999, 9999);
    let month = u8::try_from(total.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .unwrap_or(time::Month::January);
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

/// Parse a calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).ok()
}

/// Format a calendar date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The one source of "now". Production uses the system clock (in `isms-app`);
/// tests use a fixed or stepped clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that always says the same instant (tests and replay).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_trip_through_offset() {
        let t = Timestamp(1_795_000_123_456);
        assert_eq!(Timestamp::from_offset(t.to_offset()), t);
        assert_eq!(t.seconds(), 1_795_000_123);
    }

    #[test]
    fn dates_parse_and_format() {
        let d = parse_date("2026-11-28").unwrap();
        assert_eq!(format_date(d), "2026-11-28");
        assert!(parse_date("28/11/2026").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }

    #[test]
    fn human_form() {
        assert_eq!(Timestamp(0).human(), "1970-01-01 00:00 UTC");
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00Z");
    }
}
