//! People who sign in: e-mail addresses and the password policy.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().to_lowercase();
        let bad = || {
            ValidationError::single(
                field,
                "is not a valid e-mail address (expected name@example.com)",
            )
        };
        if s.is_empty() {
            return Err(ValidationError::single(field, "is required"));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(bad());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 256;

/// Passwords that are long enough but guessed first by every attacker.
const COMMON: &[&str] = &[
    "password1234",
    "123456789012",
    "qwertyuiopas",
    "passwordpassword",
    "letmein12345",
    "welcome12345",
    "administrator",
    "iloveyou1234",
    "changeme1234",
    "password123!",
    "qwerty123456",
    "abcdefghijkl",
];

/// Check a new password against the policy: 12–256 characters, not one repeated
/// character or a well-known password, and not the account's e-mail address.
pub fn check_password(
    field: &str,
    password: &str,
    email: Option<&Email>,
) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(ValidationError::single(
            field,
            format!(
                "is too short: use at least {MIN_PASSWORD_LEN} characters (a passphrase of a few words works well)"
            ),
        ));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(ValidationError::single(
            field,
            format!("is too long: at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err(ValidationError::single(
            field,
            "is too weak: it repeats too few different characters",
        ));
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(ValidationError::single(
            field,
            "is too weak: it is on the list of passwords attackers try first",
        ));
    }
    if let Some(e) = email {
        let local = e.as_str().split('@').next().unwrap_or_default();
        if lower == e.as_str() || (local.len() >= 4 && lower.contains(local)) {
            return Err(ValidationError::single(
                field,
                "is too weak: it contains the e-mail address",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("email", "  Alice@Example.COM ")
                .unwrap()
                .as_str(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@-x.com",
            "a@x..com",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
        let e = Email::parse("email", "nope").unwrap_err();
        assert_eq!(e.errors[0].field, "email");
    }

    #[test]
    fn passwords() {
        let e = Email::parse("email", "alice.smith@example.com").unwrap();
        assert!(check_password("password", "correct horse battery", Some(&e)).is_ok());
        assert!(check_password("password", "short", None).is_err());
        assert!(check_password("password", "aaaaaaaaaaaaaaaa", None).is_err());
        assert!(check_password("password", "Password1234", None).is_err());
        assert!(check_password("password", "alice.smith@example.com", Some(&e)).is_err());
        assert!(check_password("password", "my alice.smith pass", Some(&e)).is_err());
        let err = check_password("new_password", "x", None).unwrap_err();
        assert_eq!(err.errors[0].field, "new_password");
    }
}
