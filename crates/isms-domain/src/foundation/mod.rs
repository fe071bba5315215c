//! The ISMS foundation records of clauses 4–6: the scope statement (4.3) and the
//! information security policy (5.2) as versioned, approvable documents; the registers of
//! internal and external issues (4.1), interested parties and their requirements (4.2),
//! roles and responsibilities (5.3) and information security objectives (6.2); and the
//! checks that say what is still missing before an auditor looks at them.

pub mod checks;
pub mod registers;
pub mod scope;
pub mod versioned;

#[cfg(test)]
mod tests;

use crate::ValidationError;

/// Trim a text field and check its length; `required` fields must not be empty.
pub(crate) fn text(
    v: &mut ValidationError,
    field: &str,
    s: &str,
    max: usize,
    required: bool,
) -> String {
    let s = s.trim().to_owned();
    if required && s.is_empty() {
        v.push(field, "is required");
    } else if s.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
    s
}

/// Trim every entry of a list, drop empty ones and refuse duplicates and overlong entries.
pub(crate) fn text_list(v: &mut ValidationError, field: &str, items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, s) in items.iter().enumerate() {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        if s.chars().count() > 500 {
            v.push(format!("{field}[{i}]"), "must be at most 500 characters");
        } else if out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
            v.push(format!("{field}[{i}]"), format!("\"{s}\" is listed twice"));
        } else {
            out.push(s.to_owned());
        }
    }
    out
}

/// An optional calendar date written `YYYY-MM-DD`, kept in that form.
pub(crate) fn opt_date(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match crate::time::parse_date(s) {
        Some(d) => Some(crate::time::format_date(d)),
        None => {
            v.push(field, "must be a date written YYYY-MM-DD");
            None
        }
    }
}
