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
}

impl Column {
    pub const fn req(name: &'static str) -> Column {
        Column {
            name,
            aliases: &[],
            required: true,
        }
    }
    pub const fn opt(name: &'static str) -> Column {
        Column {
            name,
            aliases: &[],
            required: false,
        }
    }
    pub const fn aka(self, aliases: &'static [&'static str]) -> Column {
        Column { aliases, ..self }
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
