//! How the organisation implements a control (ISO 27001 6.1.3 d, 8.1): who owns it, how
//! far it is, how it is done, and how it is checked. The rules here are pure; the
//! service reads and writes the record and calls them.
//!
//! A control without a record is [`ImplementationStatus::NotStarted`].

use super::ControlRef;
use crate::ValidationError;
use crate::catalogue::{Theme, catalogue};
use time::{Date, Duration};

/// An enumeration with a stable identifier and a name for people, parsed naming the field.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            /// Every value, in the order people see them.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// Stable identifier (stored and used in the API).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }

            /// Name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }

            /// Read the identifier (any case, spaces or hyphens for underscores);
            /// anything else names `field`.
            pub fn parse(field: &str, s: &str) -> Result<$name, ValidationError> {
                let t = s.trim().to_lowercase().replace([' ', '-'], "_");
                $name::ALL.iter().copied().find(|x| x.as_str() == t).ok_or_else(|| {
                    ValidationError::single(
                        field,
                        format!(
                            "must be one of: {}",
                            $name::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// How far the organisation is with a control.
    ImplementationStatus {
        /// Nothing done yet (also every control without a record).
        NotStarted = "not_started", "Not started";
        /// Decided, with an owner and a date.
        Planned = "planned", "Planned";
        PartiallyImplemented = "partially_implemented", "Partially implemented";
        Implemented = "implemented", "Implemented";
        /// The organisation does not apply it (the SoA gives the reason).
        NotApplicable = "not_applicable", "Not applicable";
    }
);

labelled_enum!(
    /// How often the control's check is done.
    CheckFrequency {
        Weekly = "weekly", "Weekly";
        Monthly = "monthly", "Monthly";
        Quarterly = "quarterly", "Quarterly";
        HalfYearly = "half_yearly", "Every six months";
        Yearly = "yearly", "Yearly";
    }
);

labelled_enum!(
    /// What the last check found.
    CheckResult {
        Effective = "effective", "Effective";
        PartlyEffective = "partly_effective", "Partly effective";
        NotEffective = "not_effective", "Not effective";
    }
);

impl ImplementationStatus {
    /// Work on the control has begun and it is (partly) in place.
    pub fn in_operation(self) -> bool {
        matches!(
            self,
            ImplementationStatus::PartiallyImplemented | ImplementationStatus::Implemented
        )
    }
}

/// `d` plus `months` calendar months (see [`crate::time::add_months`]).
pub fn add_months(d: Date, months: u32) -> Date {
    crate::time::add_months(d, i64::from(months))
}

impl CheckFrequency {
    /// When the next check is due after one on `last`.
    pub fn next_after(self, last: Date) -> Date {
        match self {
            CheckFrequency::Weekly => last.saturating_add(Duration::days(7)),
            CheckFrequency::Monthly => add_months(last, 1),
            CheckFrequency::Quarterly => add_months(last, 3),
            CheckFrequency::HalfYearly => add_months(last, 6),
            CheckFrequency::Yearly => add_months(last, 12),
        }
    }

    /// The earliest last-check date that is still current on `today`: a check done
    /// before it is overdue (`last < cutoff` ⟺ `next_after(last) < today`). Lets the
    /// database filter overdue checks with a plain date comparison.
    pub fn overdue_cutoff(self, today: Date) -> Date {
        // next_after is monotonic, so the overdue dates are everything below one
        // boundary; start near it and step to it (at most a few days).
        let mut d = match self {
            CheckFrequency::Weekly => today.saturating_sub(Duration::days(7)),
            CheckFrequency::Monthly => crate::time::add_months(today, -1),
            CheckFrequency::Quarterly => crate::time::add_months(today, -3),
            CheckFrequency::HalfYearly => crate::time::add_months(today, -6),
            CheckFrequency::Yearly => crate::time::add_months(today, -12),
        };
        while self.next_after(d) < today {
            d = d.saturating_add(Duration::days(1));
        }
        while let Some(p) = d.previous_day()
            && self.next_after(p) >= today
        {
            d = p;
        }
        d
    }
}

/// The key that orders controls in every list: Annex A in catalogue order (5.2 before
/// 5.10), then own controls by code. Annex A `5.15` is `A05015`; an own control is `B`
/// followed by its code in hexadecimal, so the key holds only digits and letters of one
/// case and sorts the same under every database collation.
pub fn sort_key(r: &ControlRef) -> String {
    match r {
        ControlRef::AnnexA(id) => {
            let mut it = id.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
            let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
            format!("A{a:02}{b:03}")
        }
        ControlRef::Own(code) => format!("B{}", hex::encode(code.as_bytes())),
    }
}

/// The control reference a sort key was made from (for cursors); `None` for other text.
pub fn ref_of_sort_key(key: &str) -> Option<ControlRef> {
    if let Some(rest) = key.strip_prefix('A') {
        if rest.len() != 5 || !rest.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let a: u32 = rest[..2].parse().ok()?;
        let b: u32 = rest[2..].parse().ok()?;
        let id = format!("{a}.{b}");
        return catalogue().control(&id).map(|_| ControlRef::AnnexA(id));
    }
    let bytes = hex::decode(key.strip_prefix('B')?).ok()?;
    let code = String::from_utf8(bytes).ok()?;
    super::parse_own_code("cursor", &code)
        .ok()
        .filter(|c| *c == code)
        .map(ControlRef::Own)
}

/// The range of sort keys `[from, to)` that holds the Annex A controls of a theme.
pub fn theme_key_range(theme: Theme) -> (String, String) {
    let n = match theme {
        Theme::Organizational => 5,
        Theme::People => 6,
        Theme::Physical => 7,
        Theme::Technological => 8,
    };
    (format!("A{n:02}"), format!("A{:02}", n + 1))
}

/// Longest text of "how it is implemented".
pub const MAX_IMPLEMENTATION: usize = 8000;
/// Longest text of "how it is monitored".
pub const MAX_MONITORING: usize = 4000;
/// Longest note on the last check.
pub const MAX_CHECK_NOTE: usize = 2000;

/// An implementation record as the organisation states it (already read field by field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    pub status: ImplementationStatus,
    /// Whether someone owns it (who, and whether they are a member, is the service's
    /// question).
    pub has_owner: bool,
    pub implementation: String,
    pub due_on: Option<Date>,
    pub monitoring: String,
    pub check_frequency: Option<CheckFrequency>,
    pub last_check_on: Option<Date>,
    pub last_check_result: Option<CheckResult>,
    pub last_check_note: String,
    /// Clause ids (`9.1`), already checked by [`parse_clauses`].
    pub clauses: Vec<String>,
}

impl Default for Implementation {
    /// The state of a control nobody has recorded anything about.
    fn default() -> Self {
        Self {
            status: ImplementationStatus::NotStarted,
            has_owner: false,
            implementation: String::new(),
            due_on: None,
            monitoring: String::new(),
            check_frequency: None,
            last_check_on: None,
            last_check_result: None,
            last_check_note: String::new(),
            clauses: Vec::new(),
        }
    }
}

fn too_long(v: &mut ValidationError, field: &str, s: &str, max: usize) {
    if s.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
}

/// The rules between the fields of a record, every problem named by its field:
/// - planned, partially implemented and implemented controls need an owner;
/// - partially implemented and implemented ones say how they are implemented;
/// - planned ones have a due date;
/// - a check frequency needs a description of the check;
/// - the last check is not in the future, and a result comes with its date (and a date
///   with its result).
pub fn check_implementation(i: &Implementation, today: Date) -> Result<(), ValidationError> {
    use ImplementationStatus::*;
    let mut v = ValidationError::new();
    let label = i.status.label().to_lowercase();
    if matches!(i.status, Planned | PartiallyImplemented | Implemented) && !i.has_owner {
        v.push(
            "owner_id",
            format!("a {label} control needs an owner who answers for it"),
        );
    }
    if i.status.in_operation() && i.implementation.trim().is_empty() {
        v.push(
            "implementation",
            format!("say how the control is implemented: it is {label}"),
        );
    }
    if i.status == Planned && i.due_on.is_none() {
        v.push(
            "due_on",
            "a planned control needs the date by which it will be in place",
        );
    }
    too_long(
        &mut v,
        "implementation",
        &i.implementation,
        MAX_IMPLEMENTATION,
    );
    too_long(&mut v, "monitoring", &i.monitoring, MAX_MONITORING);
    too_long(
        &mut v,
        "last_check_note",
        &i.last_check_note,
        MAX_CHECK_NOTE,
    );
    if i.check_frequency.is_some() && i.monitoring.trim().is_empty() {
        v.push(
            "monitoring",
            "say what is checked (a metric or a check) before choosing how often",
        );
    }
    if let Some(d) = i.last_check_on
        && d > today
    {
        v.push("last_check_on", "cannot be in the future");
    }
    match (i.last_check_on, i.last_check_result) {
        (Some(_), None) => v.push(
            "last_check_result",
            "give the result of the check on that date",
        ),
        (None, Some(_)) => v.push(
            "last_check_on",
            "give the date of the check with its result",
        ),
        _ => {}
    }
    v.into_result()
}

/// Read the ISO 27001 clauses a control supports: each must be a clause or sub-clause of
/// 4–10 in the catalogue (`9.1`, `6.1.3`). Sorted in clause order, without repeats; a
/// bad one names `clauses[i]`.
pub fn parse_clauses(ids: &[String]) -> Result<Vec<String>, ValidationError> {
    let cat = catalogue();
    let mut v = ValidationError::new();
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in ids.iter().enumerate() {
        let id = raw.trim().trim_start_matches(['c', 'C']).trim().to_owned();
        if cat.clause(&id).is_some() {
            out.push(id);
        } else {
            v.push(
                format!("clauses[{i}]"),
                format!(
                    "\"{}\" is not a clause of ISO/IEC 27001 4–10 (e.g. 9.1)",
                    raw.trim()
                ),
            );
        }
    }
    v.into_result()?;
    let pos = |id: &String| cat.clauses().iter().position(|c| &c.id == id);
    out.sort_by_key(pos);
    out.dedup();
    Ok(out)
}

/// The control should be in place by its due date and is not.
pub fn implementation_overdue(
    status: ImplementationStatus,
    due_on: Option<Date>,
    today: Date,
) -> bool {
    !matches!(
        status,
        ImplementationStatus::Implemented | ImplementationStatus::NotApplicable
    ) && due_on.is_some_and(|d| d < today)
}

/// When the next check is due: after the last one, or (implemented, never checked) now.
pub fn next_check_on(
    status: ImplementationStatus,
    frequency: Option<CheckFrequency>,
    last_check_on: Option<Date>,
) -> Option<Date> {
    match (status.in_operation(), frequency, last_check_on) {
        (true, Some(f), Some(last)) => Some(f.next_after(last)),
        _ => None,
    }
}

/// The control's check is late: the last check plus its frequency lies before today, or
/// the control is implemented with a check frequency but was never checked.
pub fn check_overdue(
    status: ImplementationStatus,
    frequency: Option<CheckFrequency>,
    last_check_on: Option<Date>,
    today: Date,
) -> bool {
    match (frequency, last_check_on) {
        (Some(f), Some(last)) => status.in_operation() && f.next_after(last) < today,
        (Some(_), None) => status == ImplementationStatus::Implemented,
        (None, _) => false,
    }
}

/// Implemented, but nothing says how it is monitored and how often: an auditor asks how
/// the organisation knows the control works (9.1).
pub fn unmonitored(
    status: ImplementationStatus,
    monitoring: &str,
    frequency: Option<CheckFrequency>,
) -> bool {
    status == ImplementationStatus::Implemented
        && (monitoring.trim().is_empty() || frequency.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::parse_control_ref;
    use time::macros::date;

    fn field_names(e: &ValidationError) -> Vec<&str> {
        e.errors.iter().map(|x| x.field.as_str()).collect()
    }

    #[test]
    fn enums_read_their_identifiers() {
        assert_eq!(
            ImplementationStatus::parse("status", " Partially-Implemented ").unwrap(),
            ImplementationStatus::PartiallyImplemented
        );
        assert_eq!(ImplementationStatus::ALL.len(), 5);
        assert_eq!(
            ImplementationStatus::NotApplicable.label(),
            "Not applicable"
        );
        let e = ImplementationStatus::parse("status", "done").unwrap_err();
        assert_eq!(e.errors[0].field, "status");
        assert!(e.errors[0].message.contains("not_started"));
        assert_eq!(
            CheckFrequency::parse("check_frequency", "half yearly").unwrap(),
            CheckFrequency::HalfYearly
        );
        assert!(CheckFrequency::parse("check_frequency", "daily").is_err());
        assert_eq!(
            CheckResult::parse("r", "partly_effective").unwrap().label(),
            "Partly effective"
        );
    }

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
        assert_eq!(add_months(date!(2026 - 06 - 30), 12), date!(2027 - 06 - 30));
        assert_eq!(
            CheckFrequency::Weekly.next_after(date!(2026 - 12 - 29)),
            date!(2027 - 01 - 05)
        );
        assert_eq!(
            CheckFrequency::HalfYearly.next_after(date!(2026 - 08 - 31)),
            date!(2027 - 02 - 28)
        );
    }

    #[test]
    fn the_overdue_cutoff_agrees_with_the_rule_on_every_day() {
        let mut today = date!(2027 - 01 - 01);
        for _ in 0..400 {
            for &f in CheckFrequency::ALL {
                let cutoff = f.overdue_cutoff(today);
                let mut last = today.saturating_sub(Duration::days(400));
                while last <= today {
                    assert_eq!(
                        last < cutoff,
                        f.next_after(last) < today,
                        "{f:?} today {today} last {last} cutoff {cutoff}"
                    );
                    last = last.saturating_add(Duration::days(1));
                }
            }
            today = today.saturating_add(Duration::days(3));
        }
    }

    #[test]
    fn sort_keys_order_annex_a_by_number_then_own_codes() {
        let refs = ["NW-02", "8.1", "5.10", "AB-1", "5.2", "NW-01", "6.3", "A.B"];
        let mut keyed: Vec<(String, &str)> = refs
            .iter()
            .map(|r| (sort_key(&parse_control_ref("c", r).unwrap()), *r))
            .collect();
        keyed.sort();
        let order: Vec<&str> = keyed.iter().map(|(_, r)| *r).collect();
        assert_eq!(
            order,
            ["5.2", "5.10", "6.3", "8.1", "A.B", "AB-1", "NW-01", "NW-02"]
        );
        assert_eq!(sort_key(&ControlRef::AnnexA("5.15".into())), "A05015");
        for (k, r) in &keyed {
            assert!(
                k.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || c == 'A' || c == 'B')
            );
            let back = ref_of_sort_key(k).unwrap();
            assert_eq!(back, parse_control_ref("c", r).unwrap());
        }
        assert_eq!(ref_of_sort_key("A09099"), None);
        assert_eq!(ref_of_sort_key("Bzz"), None);
        assert_eq!(ref_of_sort_key("x"), None);
        let (from, to) = theme_key_range(Theme::People);
        let k = sort_key(&ControlRef::AnnexA("6.8".into()));
        assert!(from <= k && k < to);
        assert!(sort_key(&ControlRef::AnnexA("7.1".into())) >= to);
    }

    fn implemented() -> Implementation {
        Implementation {
            status: ImplementationStatus::Implemented,
            has_owner: true,
            implementation: "Access is granted through the identity provider.".into(),
            monitoring: "Quarterly access review of every privileged group.".into(),
            check_frequency: Some(CheckFrequency::Quarterly),
            last_check_on: Some(date!(2026 - 10 - 01)),
            last_check_result: Some(CheckResult::Effective),
            ..Default::default()
        }
    }

    #[test]
    fn a_record_is_checked_field_by_field() {
        let today = date!(2026 - 11 - 20);
        assert!(check_implementation(&implemented(), today).is_ok());
        assert!(check_implementation(&Implementation::default(), today).is_ok());

        let bare = Implementation {
            status: ImplementationStatus::Implemented,
            ..Default::default()
        };
        let e = check_implementation(&bare, today).unwrap_err();
        assert_eq!(field_names(&e), ["owner_id", "implementation"]);

        let planned = Implementation {
            status: ImplementationStatus::Planned,
            has_owner: true,
            ..Default::default()
        };
        let e = check_implementation(&planned, today).unwrap_err();
        assert_eq!(field_names(&e), ["due_on"]);
        let planned = Implementation {
            due_on: Some(date!(2027 - 03 - 31)),
            ..planned
        };
        assert!(check_implementation(&planned, today).is_ok());

        let future = Implementation {
            last_check_on: Some(date!(2026 - 11 - 21)),
            ..implemented()
        };
        assert_eq!(
            field_names(&check_implementation(&future, today).unwrap_err()),
            ["last_check_on"]
        );
        let no_result = Implementation {
            last_check_result: None,
            ..implemented()
        };
        assert_eq!(
            field_names(&check_implementation(&no_result, today).unwrap_err()),
            ["last_check_result"]
        );
        let no_date = Implementation {
            last_check_on: None,
            ..implemented()
        };
        assert_eq!(
            field_names(&check_implementation(&no_date, today).unwrap_err()),
            ["last_check_on"]
        );
        let how_often_of_what = Implementation {
            monitoring: " ".into(),
            ..implemented()
        };
        assert_eq!(
            field_names(&check_implementation(&how_often_of_what, today).unwrap_err()),
            ["monitoring"]
        );
        let long = Implementation {
            implementation: "x".repeat(MAX_IMPLEMENTATION + 1),
            last_check_note: "y".repeat(MAX_CHECK_NOTE + 1),
            ..implemented()
        };
        assert_eq!(
            field_names(&check_implementation(&long, today).unwrap_err()),
            ["implementation", "last_check_note"]
        );
    }

    #[test]
    fn clauses_are_those_of_the_catalogue() {
        let ok = parse_clauses(&["9.2".into(), " 6.1.3".into(), "9.2".into(), "4".into()]);
        assert_eq!(ok.unwrap(), ["4", "6.1.3", "9.2"]);
        let e = parse_clauses(&["9.1".into(), "11".into(), "A.5.1".into()]).unwrap_err();
        assert_eq!(field_names(&e), ["clauses[1]", "clauses[2]"]);
    }

    #[test]
    fn flags_are_derived_from_the_record_and_today() {
        use ImplementationStatus::*;
        let today = date!(2026 - 11 - 20);
        let due = Some(date!(2026 - 11 - 19));
        assert!(implementation_overdue(Planned, due, today));
        assert!(implementation_overdue(PartiallyImplemented, due, today));
        assert!(!implementation_overdue(Implemented, due, today));
        assert!(!implementation_overdue(NotApplicable, due, today));
        assert!(!implementation_overdue(Planned, Some(today), today));
        assert!(!implementation_overdue(Planned, None, today));

        let q = Some(CheckFrequency::Quarterly);
        assert!(check_overdue(
            Implemented,
            q,
            Some(date!(2026 - 08 - 19)),
            today
        ));
        assert!(!check_overdue(
            Implemented,
            q,
            Some(date!(2026 - 08 - 20)),
            today
        ));
        assert!(check_overdue(
            PartiallyImplemented,
            q,
            Some(date!(2026 - 01 - 01)),
            today
        ));
        assert!(!check_overdue(
            Planned,
            q,
            Some(date!(2026 - 01 - 01)),
            today
        ));
        assert!(check_overdue(Implemented, q, None, today), "never checked");
        assert!(!check_overdue(PartiallyImplemented, q, None, today));
        assert!(!check_overdue(Implemented, None, None, today));
        assert_eq!(
            next_check_on(Implemented, q, Some(date!(2026 - 08 - 20))),
            Some(date!(2026 - 11 - 20))
        );
        assert_eq!(next_check_on(Planned, q, Some(date!(2026 - 08 - 20))), None);

        assert!(unmonitored(Implemented, "", q));
        assert!(unmonitored(Implemented, "Monthly review", None));
        assert!(!unmonitored(Implemented, "Monthly review", q));
        assert!(!unmonitored(PartiallyImplemented, "", None));
    }
}
