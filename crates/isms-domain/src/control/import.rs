//! Importing the controls register: rows are keyed by the control (`5.15`, `A.5.15` or an
//! own-control code such as `NW-07`), not by a numbered reference, so the generic
//! [`crate::import::plan_rows`] does not fit. The 93 Annex A controls always exist: their
//! rows only update. An own control's row creates it when the organisation has no control
//! with that code.
//!
//! A second layout is read too: the "applied controls" sheet of CISO Assistant (columns
//! `ref_id`, `name`, `description`, `status`, `owner`, `eta`, …): each of its rows is an
//! own control. [`is_ciso_layout`] tells the layouts apart by the header and
//! [`ciso_status`] maps its statuses to ours.

use super::implementation::ImplementationStatus;
use super::{ControlRef, looks_like_annex_a, parse_control_ref, parse_own_code};
use crate::ValidationError;
use crate::import::{Cells, Column, Current, DataRows, Header, SeenRefs};
use crate::soa::import::norm_header;
use std::collections::HashMap;

/// What an import does with one row of the controls register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    /// A new own control.
    Create,
    /// The control's record changes (for Annex A: is recorded or changes).
    Update,
    /// The row says what the register already holds.
    Unchanged,
}

/// One planned row: the control it names and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedControl {
    pub control: ControlRef,
    pub action: ControlAction,
}

/// The items of a list cell: separated by `;`, `,` or white space (our export writes the
/// clauses as `6.1.3 9.1`). Blank items are dropped.
pub fn split_words(s: &str) -> Vec<String> {
    s.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether two cells say the same: trimmed text, or for a list the same items in any
/// order.
fn same_cell(list: bool, a: &str, b: &str) -> bool {
    if list {
        let mut x = split_words(a);
        let mut y = split_words(b);
        x.sort();
        x.dedup();
        y.sort();
        y.dedup();
        x == y
    } else {
        a.trim() == b.trim()
    }
}

/// Read the control a row names in `field`: an Annex A control of the catalogue or an
/// own-control code (blank, an unknown Annex A id or anything else is refused).
pub fn row_control(cells: &mut Cells<'_>, field: &str) -> Option<ControlRef> {
    let raw = cells.get(field);
    if raw.is_empty() {
        cells.bad(
            field,
            "give the control: an Annex A control (e.g. 5.15) or an own-control code (e.g. NW-07)",
        );
        return None;
    }
    let r = parse_control_ref(field, raw);
    cells.check(field, r)
}

/// Decide, for every data row of our layout, whether it creates an own control, updates
/// a control or leaves it alone, comparing the row with the register's current export
/// (`current`, keyed by its `control` column) on every known column the file has. The
/// title of an Annex A control is the catalogue's: it is not compared (a sheet may
/// shorten it). A blank, unknown or repeated control is an error on its line. The
/// register's own rules are checked later, when each row is written.
pub fn plan_control_rows(
    data: &DataRows<'_>,
    header: &Header,
    columns: &[Column],
    current: Current<'_>,
) -> Result<Vec<PlannedControl>, ValidationError> {
    let heads: Vec<String> = current.headers.iter().map(|h| norm_header(h)).collect();
    let key_at = heads.iter().position(|h| h == "control");
    let mut existing: HashMap<String, &Vec<String>> = HashMap::new();
    if let Some(i) = key_at {
        for r in current.rows {
            if let Some(k) = r.get(i).and_then(|s| parse_control_ref("control", s).ok()) {
                existing.insert(k.key().to_owned(), r);
            }
        }
    }
    let compared: Vec<(&Column, Option<usize>)> = columns
        .iter()
        .filter(|c| c.name != "control" && header.has(c.name))
        .map(|c| {
            let own = norm_header(c.name);
            (c, heads.iter().position(|h| *h == own))
        })
        .collect();
    let mut v = ValidationError::new();
    let mut seen = SeenRefs::default();
    let mut plan = Vec::with_capacity(data.len());
    for (line, row) in data {
        let mut c = Cells::new(*line, row, header);
        let Some(key) = row_control(&mut c, "control") else {
            v.errors.extend(c.errors.errors);
            continue;
        };
        seen.check(&mut c, "control", super::display_ref(key.key()));
        if !c.errors.is_empty() {
            v.errors.extend(c.errors.errors);
            continue;
        }
        let annex = matches!(key, ControlRef::AnnexA(_));
        let action = match existing.get(key.key()) {
            None if annex => ControlAction::Update,
            None => ControlAction::Create,
            Some(cur) => {
                let same = compared
                    .iter()
                    .filter(|(col, _)| !(annex && col.name == "title"))
                    .all(|(col, at)| {
                        let now = at.and_then(|i| cur.get(i)).map_or("", String::as_str);
                        same_cell(col.list, c.get(col.name), now)
                    });
                if same {
                    ControlAction::Unchanged
                } else {
                    ControlAction::Update
                }
            }
        };
        plan.push(PlannedControl {
            control: key,
            action,
        });
    }
    v.into_result().map(|()| plan)
}

/// Whether a header row is CISO Assistant's "applied controls" layout rather than ours:
/// it has `ref_id` and `csf_function`, or `name` and `category` without `control`.
pub fn is_ciso_layout(head: &[String]) -> bool {
    let h: Vec<String> = head.iter().map(|s| norm_header(s)).collect();
    let has = |n: &str| h.iter().any(|x| x == n);
    (has("ref id") && has("csf function")) || (has("name") && has("category") && !has("control"))
}

/// Our status for a CISO Assistant applied-control status. `to_do` and `on_hold` are
/// planned when the row gives an owner and a date (what a planned control of ours has),
/// not started otherwise; `in_progress` is partially implemented, `active` implemented,
/// `deprecated` not applicable; blank or `--` not started. Our own status words are
/// read as well.
pub fn ciso_status(
    field: &str,
    s: &str,
    owner_and_date: bool,
) -> Result<ImplementationStatus, ValidationError> {
    use ImplementationStatus::*;
    let t = s.trim().to_lowercase().replace([' ', '-'], "_");
    match t.as_str() {
        "" | "__" | "undefined" => Ok(NotStarted),
        "to_do" | "todo" | "on_hold" if owner_and_date => Ok(Planned),
        "to_do" | "todo" | "on_hold" => Ok(NotStarted),
        "in_progress" => Ok(PartiallyImplemented),
        "active" => Ok(Implemented),
        "deprecated" => Ok(NotApplicable),
        _ => ImplementationStatus::parse(field, s).map_err(|_| {
            ValidationError::single(
                field,
                format!(
                    "\"{}\" is not a status of an applied control (to_do, in_progress, on_hold, active, deprecated)",
                    s.trim()
                ),
            )
        }),
    }
}

/// The own-control code a CISO Assistant `ref_id` can be: itself when it is a valid code
/// of ours (upper-cased), `None` when blank, shaped like an Annex A id or otherwise not a
/// code (the control then gets a new code).
pub fn ciso_code(ref_id: &str) -> Option<String> {
    let t = ref_id.trim();
    if t.is_empty() || looks_like_annex_a(t) {
        return None;
    }
    parse_own_code("ref_id", t).ok()
}

/// The next free code `CA-001`, `CA-002`, … not in `taken` (codes upper-case).
pub fn next_ciso_code(taken: &dyn Fn(&str) -> bool) -> String {
    let mut n = 1u32;
    loop {
        let code = format!("CA-{n:03}");
        if !taken(&code) {
            return code;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::data_rows;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    const C: &[Column] = &[
        Column::req("control"),
        Column::opt("title"),
        Column::opt("status"),
        Column::opt("clauses").list(),
    ];

    #[test]
    fn rows_are_keyed_by_control_and_compared_with_the_export() {
        let headers = row(&["control", "title", "status", "clauses", "flags"]);
        let cur = vec![
            row(&[
                "A.5.1",
                "Policies for information security",
                "Implemented",
                "5.2 7.5",
                "x",
            ]),
            row(&[
                "A.5.2",
                "Information security roles and responsibilities",
                "Not started",
                "",
                "",
            ]),
            row(&["NW-01", "Backups", "Planned", "", ""]),
        ];
        let cur = Current {
            headers: &headers,
            rows: &cur,
        };
        let file = vec![
            row(&["Control", "Title", "Status", "Clauses"]),
            row(&["5.1", "Policies", "Implemented", "7.5; 5.2"]),
            row(&["A.5.2", "", "implemented", ""]),
            row(&["nw-01", "Backups", "Planned", ""]),
            row(&["NW-02", "Encryption", "", ""]),
            row(&["A.5.3", "", "", ""]),
            row(&["nw-01", "Backups!", "Planned", ""]),
        ];
        let (head, data) = data_rows(&file).unwrap();
        let h = Header::find(head, C).unwrap();
        let e = plan_control_rows(&data, &h, C, cur).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "lines[7].control");
        assert!(e.errors[0].message.contains("NW-01 is already on line 4"));
        let plan = plan_control_rows(&data[..5].to_vec(), &h, C, cur).unwrap();
        let got: Vec<(&str, ControlAction)> =
            plan.iter().map(|p| (p.control.key(), p.action)).collect();
        use ControlAction::*;
        assert_eq!(
            got,
            [
                ("5.1", Unchanged),
                ("5.2", Update),
                ("NW-01", Unchanged),
                ("NW-02", Create),
                ("5.3", Update),
            ]
        );
    }

    #[test]
    fn unknown_and_blank_controls_are_named() {
        let file = vec![
            row(&["control", "status"]),
            row(&["9.99", "x"]),
            row(&["", "x"]),
            row(&["no such thing!", "x"]),
        ];
        let (head, data) = data_rows(&file).unwrap();
        let h = Header::find(head, C).unwrap();
        let cur = Current {
            headers: &[],
            rows: &[],
        };
        let e = plan_control_rows(&data, &h, C, cur).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lines[2].control", "lines[3].control", "lines[4].control"]
        );
        assert!(
            e.errors[0]
                .message
                .contains("\"9.99\" is not an Annex A control")
        );
    }

    #[test]
    fn lists_compare_as_sets_of_words() {
        assert_eq!(
            split_words("6.1.3 9.1;10.2, 4.1"),
            ["6.1.3", "9.1", "10.2", "4.1"]
        );
        assert!(same_cell(true, "9.1; 6.1.3", "6.1.3 9.1"));
        assert!(!same_cell(true, "9.1", "6.1.3 9.1"));
        assert!(same_cell(false, " a ", "a"));
    }

    #[test]
    fn the_ciso_assistant_layout_is_told_by_its_header() {
        assert!(is_ciso_layout(&row(&["ref_id", "name*", "csf_function"])));
        assert!(is_ciso_layout(&row(&["Name", "Category", "Status"])));
        assert!(!is_ciso_layout(&row(&["control", "title", "status"])));
        assert!(!is_ciso_layout(&row(&["control", "name", "category"])));
    }

    #[test]
    fn ciso_statuses_map_to_ours() {
        use ImplementationStatus::*;
        let s = |x, od| ciso_status("status", x, od).unwrap();
        assert_eq!(s("to_do", false), NotStarted);
        assert_eq!(s("to_do", true), Planned);
        assert_eq!(s("on_hold", true), Planned);
        assert_eq!(s("in_progress", false), PartiallyImplemented);
        assert_eq!(s("active", false), Implemented);
        assert_eq!(s("deprecated", false), NotApplicable);
        assert_eq!(s("--", false), NotStarted);
        assert_eq!(s("", true), NotStarted);
        assert_eq!(s("Implemented", false), Implemented);
        let e = ciso_status("status", "done", false).unwrap_err();
        assert_eq!(e.errors[0].field, "status");
        assert!(e.errors[0].message.contains("\"done\""));
    }

    #[test]
    fn ciso_ref_ids_become_codes_when_they_can() {
        assert_eq!(ciso_code("ac-01").as_deref(), Some("AC-01"));
        assert_eq!(ciso_code(" "), None);
        assert_eq!(ciso_code("5.15"), None);
        assert_eq!(ciso_code("1"), None);
        let taken = |c: &str| c == "CA-001" || c == "CA-002";
        assert_eq!(next_ciso_code(&taken), "CA-003");
    }
}
