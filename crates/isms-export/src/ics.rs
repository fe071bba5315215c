//! iCalendar (RFC 5545) feeds of all-day events: the certification cycle's deadlines,
//! audits, document reviews and evidence expiry, for a calendar application.

use time::{Date, Duration, OffsetDateTime};

/// One all-day event (or several days, `last` inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Stable across exports, so a calendar updates the event instead of duplicating it.
    pub uid: String,
    pub first: Date,
    pub last: Date,
    pub summary: String,
    pub description: String,
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Escape a TEXT value (RFC 5545 3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The calendar as text with CRLF line ends.
pub fn calendar(name: &str, events: &[IcsEvent], stamp: OffsetDateTime) -> String {
    let stamp = format!(
        "{}T{:02}{:02}{:02}Z",
        ymd(stamp.date()),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ISMS Workbench//Certification calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape(&e.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", ymd(e.first)), &mut out);
        let end = e.last.max(e.first).saturating_add(Duration::days(1));
        fold(&format!("DTEND;VALUE=DATE:{}", ymd(end)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        if !e.description.is_empty() {
            fold(&format!("DESCRIPTION:{}", escape(&e.description)), &mut out);
        }
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn events_are_all_day_escaped_and_folded() {
        let e = IcsEvent {
            uid: "cba-3@northwind".into(),
            first: date!(2027 - 02 - 08),
            last: date!(2027 - 02 - 10),
            summary: "Surveillance 1; Meridian, London".into(),
            description: "Line one\nline two with a long tail ".repeat(4),
        };
        let t = calendar(
            "Northwind, certification",
            &[e],
            datetime!(2026-12-01 10:30:05 UTC),
        );
        assert!(t.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(t.ends_with("END:VCALENDAR\r\n"));
        assert!(t.contains("X-WR-CALNAME:Northwind\\, certification\r\n"));
        assert!(t.contains("DTSTAMP:20261201T103005Z\r\n"));
        assert!(t.contains("DTSTART;VALUE=DATE:20270208\r\n"));
        assert!(
            t.contains("DTEND;VALUE=DATE:20270211\r\n"),
            "the end is exclusive"
        );
        assert!(t.contains("SUMMARY:Surveillance 1\\; Meridian\\, London\r\n"));
        assert!(t.contains("Line one\\nline two"));
        for line in t.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert!(!t.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        fold(&"é".repeat(80), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75);
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(80));
    }
}
