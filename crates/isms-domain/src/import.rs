//! Register imports (CSV or XLSX, already split into cells): the header row names the
//! columns, each register says which columns it knows ([`Column`]), and every data row is
//! read through [`Cells`] so that each problem names its line and field. Cells are
//! given as the file holds them after the export's formula guard was removed.
//!
//! - The header is the first row; names are compared without case, spaces, `_`, `-` or
//!   text in brackets, and each column may have aliases (peers' spreadsheet layouts).
//! - A column the register does not know is ignored (derived columns such as the
//!   classification are written by our exports and ignored on import).
//! - A reference (`A-0001`, `R-001`, …) keys a row: given, it creates or updates that
//!   record; blank, the row creates a record with the next number. One reference twice
//!   in one file is an error on the later line.

use crate::ValidationError;
use crate::soa::import::norm_header;
use std::collections::HashMap;

/// A column a register reads.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field name, as our export writes the header (`owner`).
    pub name: &'static str,
    /// Other accepted header names (already normalised: lower case, spaces).
    pub aliases: &'static [&'static str],
    /// The row cannot be read without it.
    pub required: bool,
    /// A list written as `a; b; c`: compared as a set when deciding whether a row changes.
    pub list: bool,
}

impl Column {
    pub const fn req(name: &'static str) -> Column {
        Column {
            name,
            aliases: &[],
            required: true,
            list: false,
        }
    }
    pub const fn opt(name: &'static str) -> Column {
        Column {
            name,
            aliases: &[],
            required: false,
            list: false,
        }
    }
    pub const fn aka(self, aliases: &'static [&'static str]) -> Column {
        Column { aliases, ..self }
    }
    /// The column holds a `; `-separated list.
    pub const fn list(self) -> Column {
        Column { list: true, ..self }
    }
}

/// Where each known column is in the file.
#[derive(Debug, Clone)]
pub struct Header {
    at: HashMap<&'static str, usize>,
}

impl Header {
    /// Read the header row; every missing required column is reported on `file`.
    pub fn find(row: &[String], columns: &[Column]) -> Result<Header, ValidationError> {
        let heads: Vec<String> = row.iter().map(|h| norm_header(h)).collect();
        let mut at = HashMap::new();
        let mut v = ValidationError::new();
        for c in columns {
            let own = norm_header(c.name);
            let found = heads.iter().enumerate().position(|(i, h)| {
                (*h == own || c.aliases.contains(&h.as_str())) && !at.values().any(|j| *j == i)
            });
            match found {
                Some(i) => {
                    at.insert(c.name, i);
                }
                _ if c.required => v.push(
                    "file",
                    format!(
                        "line 1: the header row has no column \"{}\" (the columns are: {})",
                        c.name,
                        columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                _ => {}
            }
        }
        v.into_result().map(|()| Header { at })
    }

    /// Whether the file has this column.
    pub fn has(&self, name: &str) -> bool {
        self.at.contains_key(name)
    }
}

/// One data row, with its line number, read column by column; problems are collected.
pub struct Cells<'a> {
    pub line: usize,
    row: &'a [String],
    header: &'a Header,
    pub errors: ValidationError,
}

impl<'a> Cells<'a> {
    pub fn new(line: usize, row: &'a [String], header: &'a Header) -> Self {
        Cells {
            line,
            row,
            header,
            errors: ValidationError::new(),
        }
    }

    /// The field name used in errors: `lines[4].owner`.
    pub fn field(&self, name: &str) -> String {
        format!("lines[{}].{name}", self.line)
    }

    /// Report a problem with a field.
    pub fn bad(&mut self, name: &str, message: impl std::fmt::Display) {
        let f = self.field(name);
        self.errors
            .push(f, format!("line {}: {name}: {message}", self.line));
    }

    /// Keep the value of a parse, reporting its errors on this line's `name`.
    pub fn check<T>(&mut self, name: &str, r: Result<T, ValidationError>) -> Option<T> {
        match r {
            Ok(t) => Some(t),
            Err(e) => {
                for fe in e.errors {
                    self.bad(name, fe.message);
                }
                None
            }
        }
    }

    /// The cell trimmed, or `None` when the file has no such column.
    pub fn opt(&self, name: &str) -> Option<&'a str> {
        self.header
            .at
            .get(name)
            .map(|i| self.row.get(*i).map_or("", |s| s.trim()))
    }

    /// The cell trimmed ("" when the column is missing).
    pub fn get(&self, name: &str) -> &'a str {
        self.opt(name).unwrap_or("")
    }

    /// A whole number; blank is `None`.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let s = self.get(name);
        if s.is_empty() {
            return None;
        }
        // Spreadsheets write whole numbers as 3.0 sometimes.
        let s2 = s.strip_suffix(".0").unwrap_or(s);
        match s2.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad(name, format!("\"{s}\" is not a whole number"));
                None
            }
        }
    }

    /// Yes or no (`yes`, `y`, `true`, `1`, `x` / `no`, `n`, `false`, `0`); blank and a
    /// missing column give `default`.
    pub fn yes_no(&mut self, name: &str, default: Option<bool>) -> Option<bool> {
        let s = self.get(name);
        if s.is_empty() {
            return default;
        }
        match parse_bool(s) {
            Some(b) => Some(b),
            None => {
                self.bad(name, format!("\"{s}\" is not yes or no"));
                None
            }
        }
    }
}

/// `yes`/`no` and the usual spellings.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "✓" | "on" => Some(true),
        "no" | "n" | "false" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// The number in a reference with this prefix: `A-0007`, `a-7`, `7` → 7.
pub fn parse_reference(prefix: &str, s: &str) -> Result<i64, String> {
    let t = s.trim();
    let digits = t
        .get(..prefix.len() + 1)
        .filter(|p| p.eq_ignore_ascii_case(&format!("{prefix}-")))
        .map_or(t, |_| &t[prefix.len() + 1..]);
    match digits.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "\"{t}\" is not a reference like {prefix}-0001 (or blank for a new record)"
        )),
    }
}

/// The data rows of a file: (line, cells).
pub type DataRows<'a> = Vec<(usize, &'a [String])>;

/// Split a file into its header and its data rows (line numbers from 2); fully empty rows
/// are skipped. An empty file or one with only a header is an error on `file`.
pub fn data_rows(rows: &[Vec<String>]) -> Result<(&[String], DataRows<'_>), ValidationError> {
    let Some(head) = rows.first() else {
        return Err(ValidationError::single("file", "the file is empty"));
    };
    let data: DataRows<'_> = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| (i + 1, r.as_slice()))
        .collect();
    Ok((head.as_slice(), data))
}

/// Remember references seen in a file; the second time one appears is an error naming
/// the first line.
#[derive(Debug, Default)]
pub struct SeenRefs(HashMap<String, usize>);

impl SeenRefs {
    pub fn check(&mut self, cells: &mut Cells<'_>, field: &str, key: String) {
        match self.0.get(&key) {
            Some(first) => {
                let first = *first;
                cells.bad(field, format!("{key} is already on line {first}"));
            }
            None => {
                self.0.insert(key, cells.line);
            }
        }
    }
}

/// A `; `-separated list cell as its items (blank items dropped).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What an import does with one data row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// A new record with this number.
    Create(i64),
    /// The record with this number changes.
    Update(i64),
    /// The row says what the register already holds for this number.
    Unchanged(i64),
}

impl RowAction {
    /// The record's number.
    pub fn number(self) -> i64 {
        match self {
            RowAction::Create(n) | RowAction::Update(n) | RowAction::Unchanged(n) => n,
        }
    }
}

/// The register as its export writes it today: the header row and the data rows, each
/// with a `reference` column.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub headers: &'a [String],
    pub rows: &'a [Vec<String>],
}

/// Whether two cells say the same: trimmed text, or for a list column the same items
/// in any order.
fn same_cell(list: bool, a: &str, b: &str) -> bool {
    if list {
        let mut x = split_list(a);
        let mut y = split_list(b);
        x.sort();
        y.sort();
        x == y
    } else {
        a.trim() == b.trim()
    }
}

/// Decide, for every data row, whether it creates, updates or leaves alone a record,
/// comparing the row with the register's current export on every known column the file
/// has. References are `PREFIX-n` (see [`parse_reference`]); a given reference that is
/// not in the register creates the record with that number, a blank one takes the next
/// number above every number in use or in the file. A bad or repeated reference is an
/// error on its line. The register's own rules are checked later, when each row is
/// written.
pub fn plan_rows(
    prefix: &str,
    data: &DataRows<'_>,
    header: &Header,
    columns: &[Column],
    current: Current<'_>,
) -> Result<Vec<RowAction>, ValidationError> {
    let heads: Vec<String> = current.headers.iter().map(|h| norm_header(h)).collect();
    let ref_at = heads.iter().position(|h| h == "reference");
    let mut existing: HashMap<i64, &Vec<String>> = HashMap::new();
    if let Some(i) = ref_at {
        for r in current.rows {
            if let Some(n) = r.get(i).and_then(|s| parse_reference(prefix, s).ok()) {
                existing.insert(n, r);
            }
        }
    }
    let compared: Vec<(&Column, Option<usize>)> = columns
        .iter()
        .filter(|c| c.name != "reference" && header.has(c.name))
        .map(|c| {
            let own = norm_header(c.name);
            (c, heads.iter().position(|h| *h == own))
        })
        .collect();
    let mut v = ValidationError::new();
    let mut seen = SeenRefs::default();
    let mut numbers: Vec<Option<i64>> = Vec::with_capacity(data.len());
    for (line, row) in data {
        let mut c = Cells::new(*line, row, header);
        let n = match c.get("reference") {
            "" => None,
            s => match parse_reference(prefix, s) {
                Ok(n) => {
                    seen.check(&mut c, "reference", format!("{prefix}-{n}"));
                    Some(n)
                }
                Err(m) => {
                    c.bad("reference", m);
                    None
                }
            },
        };
        v.errors.extend(c.errors.errors);
        numbers.push(n);
    }
    v.into_result()?;
    let mut next = existing
        .keys()
        .copied()
        .chain(numbers.iter().flatten().copied())
        .max()
        .unwrap_or(0)
        + 1;
    let mut plan = Vec::with_capacity(data.len());
    for ((line, row), n) in data.iter().zip(numbers) {
        let c = Cells::new(*line, row, header);
        let action = match n.map(|n| (n, existing.get(&n))) {
            None => {
                next += 1;
                RowAction::Create(next - 1)
            }
            Some((n, None)) => RowAction::Create(n),
            Some((n, Some(cur))) => {
                let same = compared.iter().all(|(col, at)| {
                    let now = at.and_then(|i| cur.get(i)).map_or("", String::as_str);
                    same_cell(col.list, c.get(col.name), now)
                });
                if same {
                    RowAction::Unchanged(n)
                } else {
                    RowAction::Update(n)
                }
            }
        };
        plan.push(action);
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    const COLS: &[Column] = &[
        Column::opt("reference").aka(&["ref", "id"]),
        Column::req("name"),
        Column::opt("in_scope"),
    ];

    #[test]
    fn header_names_are_loose_and_required_ones_named() {
        let h = Header::find(&row(&["Ref", " NAME ", "In scope"]), COLS).unwrap();
        assert!(h.has("reference") && h.has("name") && h.has("in_scope"));
        let e = Header::find(&row(&["ref"]), COLS).unwrap_err();
        assert_eq!(e.errors[0].field, "file");
        assert!(e.errors[0].message.contains("\"name\""));
    }

    #[test]
    fn cells_name_line_and_field() {
        let h = Header::find(&row(&["name", "in_scope"]), COLS).unwrap();
        let r = row(&["Laptop", "maybe"]);
        let mut c = Cells::new(7, &r, &h);
        assert_eq!(c.get("name"), "Laptop");
        assert_eq!(c.opt("reference"), None);
        assert_eq!(c.yes_no("in_scope", Some(true)), None);
        assert_eq!(c.errors.errors[0].field, "lines[7].in_scope");
        assert_eq!(
            c.errors.errors[0].message,
            "line 7: in_scope: \"maybe\" is not yes or no"
        );
    }

    #[test]
    fn rows_are_planned_against_the_current_export() {
        const C: &[Column] = &[
            Column::opt("reference"),
            Column::req("name"),
            Column::opt("tags").list(),
        ];
        let headers = row(&["reference", "name", "tags", "flags"]);
        let cur = vec![
            row(&["X-0001", "One", "a; b", "late"]),
            row(&["X-0004", "Four", "", ""]),
        ];
        let file = vec![
            row(&["reference", "name", "tags"]),
            row(&["X-0001", "One", "b;a"]),
            row(&["X-4", "Four!", ""]),
            row(&["", "New", ""]),
            row(&["X-0009", "Nine", ""]),
        ];
        let (head, data) = data_rows(&file).unwrap();
        let h = Header::find(head, C).unwrap();
        let cur = Current {
            headers: &headers,
            rows: &cur,
        };
        let plan = plan_rows("X", &data, &h, C, cur).unwrap();
        assert_eq!(
            plan,
            vec![
                RowAction::Unchanged(1),
                RowAction::Update(4),
                RowAction::Create(10),
                RowAction::Create(9),
            ]
        );
        let bad = vec![
            row(&["reference", "name"]),
            row(&["X-2", "a"]),
            row(&["Y-2", "b"]),
            row(&["X-0002", "c"]),
        ];
        let (head, data) = data_rows(&bad).unwrap();
        let h = Header::find(head, C).unwrap();
        let e = plan_rows("X", &data, &h, C, cur).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[3].reference", "lines[4].reference"]);
        assert!(e.errors[1].message.contains("already on line 2"));
    }

    #[test]
    fn references_and_duplicates() {
        assert_eq!(parse_reference("A", "A-0007"), Ok(7));
        assert_eq!(parse_reference("A", "a-7"), Ok(7));
        assert_eq!(parse_reference("R", "12"), Ok(12));
        assert!(parse_reference("A", "B-1").is_err());
        assert!(parse_reference("A", "A-0").is_err());
        let h = Header::find(&row(&["name"]), COLS).unwrap();
        let r = row(&["x"]);
        let mut seen = SeenRefs::default();
        let mut c1 = Cells::new(2, &r, &h);
        seen.check(&mut c1, "reference", "A-0001".into());
        let mut c2 = Cells::new(5, &r, &h);
        seen.check(&mut c2, "reference", "A-0001".into());
        assert!(c1.errors.is_empty());
        assert_eq!(
            c2.errors.errors[0].message,
            "line 5: reference: A-0001 is already on line 2"
        );
    }
}
