//! Controls an organisation relies on besides Annex A: its own controls, named by a code
//! of its choosing (`NW-07`, `SEC.BACKUP`), and how a control reference given by a person
//! is read — an Annex A id (`5.15`, `A.5.15`) or one of those codes.

pub mod implementation;
pub mod import;

use crate::ValidationError;
use crate::catalogue::{catalogue, normalise_control_id};

/// Longest own-control code.
pub const MAX_CODE_LEN: usize = 20;

/// Whether `s` has the shape of an Annex A id (`5.15`, `A.8.2`), known or not.
pub fn looks_like_annex_a(s: &str) -> bool {
    let id = normalise_control_id(s);
    let mut parts = id.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None)
            if !a.is_empty() && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
    )
}

/// Read an own-control code: trimmed and upper-cased, 2 to 20 letters, digits, `-`, `.`
/// or `_`, starting with a letter, and not shaped like an Annex A id.
pub fn parse_own_code(field: &str, s: &str) -> Result<String, ValidationError> {
    let code = s.trim().to_uppercase();
    let err = |m: &str| Err(ValidationError::single(field, m));
    if code.chars().count() < 2 || code.chars().count() > MAX_CODE_LEN {
        return err("must be 2 to 20 characters, e.g. NW-07");
    }
    if !code.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return err("must start with a letter, e.g. NW-07");
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return err("may hold only letters, digits, '-', '.' and '_'");
    }
    if looks_like_annex_a(&code) {
        return err("looks like an Annex A control id; choose a code of your own, e.g. NW-07");
    }
    Ok(code)
}

/// A control named by a person: an Annex A control or (by its shape) an own control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRef {
    /// A known Annex A id, normalised (`5.15`).
    AnnexA(String),
    /// An own-control code, upper-cased; whether it exists is for the caller to check.
    Own(String),
}

impl ControlRef {
    /// The stored form: `5.15` or `NW-07`.
    pub fn key(&self) -> &str {
        match self {
            ControlRef::AnnexA(s) | ControlRef::Own(s) => s,
        }
    }
}

/// Read a control reference. An Annex A shape that is not in the catalogue, or text that
/// is neither, is refused with a message naming `field`.
pub fn parse_control_ref(field: &str, raw: &str) -> Result<ControlRef, ValidationError> {
    if looks_like_annex_a(raw) {
        let id = normalise_control_id(raw);
        return if catalogue().control(&id).is_some() {
            Ok(ControlRef::AnnexA(id))
        } else {
            Err(ValidationError::single(
                field,
                format!("\"{}\" is not an Annex A control (e.g. 5.15)", raw.trim()),
            ))
        };
    }
    parse_own_code(field, raw).map(ControlRef::Own).map_err(|_| {
        ValidationError::single(
            field,
            format!(
                "\"{}\" is neither an Annex A control (e.g. 5.15) nor an own-control code (e.g. NW-07)",
                raw.trim()
            ),
        )
    })
}

/// Sort key of a stored control reference: Annex A in catalogue order (5.2 before 5.10),
/// then own codes alphabetically.
pub fn control_order(key: &str) -> (u8, Vec<u32>, String) {
    if looks_like_annex_a(key) {
        let nums = normalise_control_id(key)
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect();
        (0, nums, String::new())
    } else {
        (1, Vec::new(), key.to_owned())
    }
}

/// How a stored control reference is shown: `A.5.15` or `NW-07`.
pub fn display_ref(key: &str) -> String {
    if looks_like_annex_a(key) {
        format!("A.{}", normalise_control_id(key))
    } else {
        key.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_codes_are_read_and_checked() {
        assert_eq!(parse_own_code("code", " nw-07 ").unwrap(), "NW-07");
        assert_eq!(
            parse_own_code("code", "sec.backup_2").unwrap(),
            "SEC.BACKUP_2"
        );
        for bad in [
            "",
            "x",
            "7-NW",
            "NW 07",
            "NW/07",
            "A.5.15",
            "a.99.1",
            &"N".repeat(21),
        ] {
            let e = parse_own_code("code", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "code", "{bad}");
        }
        assert!(
            parse_own_code("code", "A5").is_ok(),
            "a letter and a digit is a code"
        );
    }

    #[test]
    fn references_are_annex_a_or_own() {
        assert_eq!(
            parse_control_ref("controls[0]", "A.5.15").unwrap(),
            ControlRef::AnnexA("5.15".into())
        );
        assert_eq!(
            parse_control_ref("controls[0]", "8.2").unwrap(),
            ControlRef::AnnexA("8.2".into())
        );
        assert_eq!(
            parse_control_ref("controls[1]", "nw-01").unwrap(),
            ControlRef::Own("NW-01".into())
        );
        let e = parse_control_ref("controls[2]", "9.99").unwrap_err();
        assert!(e.errors[0].message.contains("not an Annex A control"));
        let e = parse_control_ref("controls[3]", "??").unwrap_err();
        assert_eq!(e.errors[0].field, "controls[3]");
        assert!(e.errors[0].message.contains("neither"));
    }

    #[test]
    fn order_and_display() {
        let mut keys = vec!["NW-02", "5.10", "AB-1", "5.2", "8.1"];
        keys.sort_by_key(|k| control_order(k));
        assert_eq!(keys, ["5.2", "5.10", "8.1", "AB-1", "NW-02"]);
        assert_eq!(display_ref("5.15"), "A.5.15");
        assert_eq!(display_ref("NW-02"), "NW-02");
    }
}
