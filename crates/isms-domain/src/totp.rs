//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps),
//! the second sign-in factor. Pure functions: the caller passes the time.

use sha1::{Digest, Sha1};

pub const DIGITS: u32 = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one, for clock drift.
pub const SKEW_STEPS: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what authenticator apps expect).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            let idx = (buffer >> (bits - 5)) & 31;
            out.push(char::from(BASE32[idx as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        let idx = (buffer << (5 - bits)) & 31;
        out.push(char::from(BASE32[idx as usize]));
    }
    out
}

/// Decode base32 (case and spaces ignored, padding allowed); `None` on a bad character.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
    {
        let c = c.to_ascii_uppercase() as u8;
        let v = BASE32.iter().position(|&x| x == c)? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let d = Sha1::digest(key);
        k[..d.len()].copy_from_slice(&d);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let mut inner = Sha1::new();
    inner.update(ipad);
    inner.update(msg);
    let inner = inner.finalize();
    let mut outer = Sha1::new();
    outer.update(opad);
    outer.update(inner);
    let mut out = [0u8; 20];
    out.copy_from_slice(&outer.finalize());
    out
}

/// HOTP value (RFC 4226) for a counter, as a zero-padded 6-digit string.
pub fn hotp(secret: &[u8], counter: u64) -> String {
    let mac = hmac_sha1(secret, &counter.to_be_bytes());
    let offset = usize::from(mac[19] & 0x0f);
    let bin = (u32::from(mac[offset] & 0x7f) << 24)
        | (u32::from(mac[offset + 1]) << 16)
        | (u32::from(mac[offset + 2]) << 8)
        | u32::from(mac[offset + 3]);
    format!("{:06}", bin % 10u32.pow(DIGITS))
}

/// The time step a Unix time (seconds) falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code an authenticator shows at `unix_seconds`.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    hotp(secret, u64::try_from(step_at(unix_seconds)).unwrap_or(0))
}

/// Check a typed code at `unix_seconds`, allowing one step of drift either way, and
/// refusing any step at or before `last_used_step` (a code works once). Returns the
/// step that matched, to be remembered as the new `last_used_step`.
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - SKEW_STEPS..=now + SKEW_STEPS)
        .filter(|s| *s >= 0 && last_used_step.is_none_or(|l| *s > l))
        .find(|s| {
            let expected = hotp(secret, u64::try_from(*s).unwrap_or(0));
            crate::secret::constant_time_eq(&expected, &code)
        })
}

/// The `otpauth://` URI that authenticator apps read from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer),
        DIGITS,
        STEP_SECONDS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (8-digit values; we take
    // the last 6 digits, which is what a 6-digit code is).
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(secret, t), &eight[2..], "t={t}");
        }
    }

    #[test]
    fn rfc4226_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(hotp(secret, 0), "755224");
        assert_eq!(hotp(secret, 9), "520489");
    }

    #[test]
    fn verify_with_skew_and_replay() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = code_at(secret, t);
        let step = verify(secret, &code, t, None).unwrap();
        assert_eq!(step, step_at(t));
        assert_eq!(verify(secret, &code, t + 30, None), Some(step));
        assert_eq!(verify(secret, &code, t + 90, None), None);
        assert_eq!(
            verify(secret, &code, t, Some(step)),
            None,
            "a code works once"
        );
        assert_eq!(verify(secret, "12345", t, None), None);
        assert_eq!(verify(secret, "abcdef", t, None), None);
    }

    #[test]
    fn base32_round_trip() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("1!").is_none());
        let s: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&s)).unwrap(), s);
    }

    #[test]
    fn uri() {
        let u = otpauth_uri("ISMS Workbench", "a@b.com", b"foobar");
        assert!(u.starts_with("otpauth://totp/ISMS%20Workbench:a%40b.com?secret=MZXW6YTBOI"));
    }
}
