//! Organisations: the tenant boundary of everything else.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The short, URL-safe name of an organisation (`northwind`), unique per install.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Path words the web UI and API use themselves, which a slug may not take.
const RESERVED_SLUGS: &[&str] = &["new", "admin", "api", "static", "login", "logout"];

impl Slug {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        if s.len() < 2 || s.len() > 40 {
            return Err(ValidationError::single(
                field,
                "must be 2 to 40 characters long",
            ));
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_chars {
            return Err(ValidationError::single(
                field,
                "may contain only lower-case letters a–z, digits and hyphens",
            ));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(ValidationError::single(
                field,
                "may not start or end with a hyphen, or contain two in a row",
            ));
        }
        if RESERVED_SLUGS.contains(&s) {
            return Err(ValidationError::single(
                field,
                format!("\"{s}\" is reserved; choose another"),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// Derive a slug from an organisation's name: `Northwind Cloud Ltd` → `northwind-cloud-ltd`.
    pub fn from_name(name: &str) -> Result<Self, ValidationError> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        out.truncate(40);
        while out.ends_with('-') {
            out.pop();
        }
        Self::parse("slug", &out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person- or organisation-facing name: trimmed, 1 to `max` characters, no control characters.
pub fn parse_name(field: &str, s: &str, max: usize) -> Result<String, ValidationError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ValidationError::single(field, "is required"));
    }
    if t.chars().count() > max {
        return Err(ValidationError::single(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(ValidationError::single(
            field,
            "may not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// Number of people working under the organisation's control (drives audit time later).
pub fn parse_employees(field: &str, n: i64) -> Result<i64, ValidationError> {
    if !(1..=1_000_000).contains(&n) {
        return Err(ValidationError::single(
            field,
            "must be a whole number from 1 to 1,000,000",
        ));
    }
    Ok(n)
}

/// Sites (locations) in the ISMS scope: 1 to 500.
pub fn parse_sites(field: &str, n: i64) -> Result<i64, ValidationError> {
    if !(1..=500).contains(&n) {
        return Err(ValidationError::single(
            field,
            "must be a whole number from 1 to 500",
        ));
    }
    Ok(n)
}

/// The name of another management system already running (e.g. "ISO 9001"), trimmed;
/// empty means none. At most 100 characters, one line.
pub fn parse_other_management_system(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = s.trim();
    if s.chars().count() > 100 {
        return Err(ValidationError::single(
            field,
            "must be at most 100 characters",
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(ValidationError::single(field, "must be one line of text"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("slug", "northwind").is_ok());
        assert!(Slug::parse("slug", "a").is_err());
        assert!(Slug::parse("slug", "North").is_err());
        assert!(Slug::parse("slug", "-x").is_err());
        assert!(Slug::parse("slug", "a--b").is_err());
        assert!(Slug::parse("slug", "admin").is_err());
        assert_eq!(
            Slug::from_name("Northwind Cloud Ltd.").unwrap().as_str(),
            "northwind-cloud-ltd"
        );
        assert_eq!(
            Slug::from_name("  Ärger & Co ").unwrap().as_str(),
            "rger-co"
        );
    }

    #[test]
    fn names_and_employees() {
        assert_eq!(parse_name("name", "  Acme ", 10).unwrap(), "Acme");
        assert!(parse_name("name", "   ", 10).is_err());
        assert!(parse_name("name", "a\u{0007}b", 10).is_err());
        assert!(parse_name("name", "abcdefghijk", 10).is_err());
        assert!(parse_employees("employees", 0).is_err());
        assert!(parse_employees("employees", 140).is_ok());
        assert_eq!(parse_sites("sites", 3), Ok(3));
        assert!(parse_sites("sites", 0).is_err() && parse_sites("sites", 501).is_err());
        assert_eq!(
            parse_other_management_system("m", "  ISO 9001 "),
            Ok("ISO 9001".to_owned())
        );
        assert!(parse_other_management_system("m", "a\nb").is_err());
        assert!(parse_other_management_system("m", &"x".repeat(101)).is_err());
    }
}
