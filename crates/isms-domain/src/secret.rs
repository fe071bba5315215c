//! Secrets handed to people (session tokens, API tokens, recovery codes) are stored
//! only as hashes. Random bytes come from the caller; this module only formats and hashes.

use sha2::{Digest, Sha256};

/// Prefix of every API token, so leaked tokens are easy to recognise and scan for.
pub const API_TOKEN_PREFIX: &str = "isms_";

/// Lower-case hex SHA-256 of a secret, as stored in the database.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Format random bytes as an API token: `isms_` followed by hex.
pub fn api_token_from_bytes(bytes: &[u8]) -> String {
    format!("{API_TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// The part of a token shown in lists so a person can tell tokens apart.
pub fn token_display_prefix(token: &str) -> String {
    token.chars().take(API_TOKEN_PREFIX.len() + 6).collect()
}

/// Format random bytes as a recovery code a person can type: `xxxx-xxxx-xxxx` from an
/// alphabet without look-alike characters.
pub fn recovery_code_from_bytes(bytes: &[u8; 12]) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut s = String::with_capacity(14);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    s
}

/// Normalise a typed recovery code (case, spaces, missing hyphens) before hashing it.
pub fn normalise_recovery_code(input: &str) -> String {
    let compact: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut s = String::new();
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(c);
    }
    s
}

/// Constant-time comparison of two strings (tokens, CSRF values).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes() {
        let t = api_token_from_bytes(&[0xab; 4]);
        assert_eq!(t, "isms_abababab");
        assert_eq!(token_display_prefix(&t), "isms_ababab");
        assert_eq!(hash_secret("a").len(), 64);
        let c = recovery_code_from_bytes(&[0; 12]);
        assert_eq!(c, "aaaa-aaaa-aaaa");
        assert_eq!(
            normalise_recovery_code(" AAAA aaaa-AAAA "),
            "aaaa-aaaa-aaaa"
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
