//! Content addressing for evidence files: every stored file is named by the SHA-256 of
//! its bytes, hashed while it streams in, with a size limit, and checked again on read.
//!
//! This crate holds the hashing and verification; the evidence store that keeps the
//! bytes (in the database, or an S3-compatible bucket) builds on it.

use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;

/// The SHA-256 of a file's bytes, as 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// Accept a hash written by someone else (case-insensitive); `None` if it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self(s))
    }

    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Hash everything `r` yields, refusing more than `limit` bytes, and hand each chunk to
/// `sink` (which stores it). Returns the hash and the size.
pub fn hash_stream(
    mut r: impl Read,
    limit: u64,
    mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<(ContentHash, u64), BlobError> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size: u64 = 0;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > limit {
            return Err(BlobError::TooLarge { limit });
        }
        h.update(&buf[..n]);
        sink(&buf[..n])?;
    }
    Ok((ContentHash(hex::encode(h.finalize())), size))
}

/// Whether `bytes` still hash to `expected` (tampering or corruption check on read).
pub fn verify(bytes: &[u8], expected: &ContentHash) -> bool {
    &ContentHash::of(bytes) == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        assert_eq!(
            ContentHash::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn stream_matches_whole_and_respects_the_limit() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut stored = Vec::new();
        let (h, n) = hash_stream(&data[..], 1 << 20, |c| {
            stored.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 200_000);
        assert_eq!(h, ContentHash::of(&data));
        assert_eq!(stored, data);
        assert!(matches!(
            hash_stream(&data[..], 1000, |_| Ok(())),
            Err(BlobError::TooLarge { limit: 1000 })
        ));
    }

    #[test]
    fn parse_and_verify() {
        let h = ContentHash::of(b"evidence");
        assert_eq!(
            ContentHash::parse(&h.as_str().to_uppercase()),
            Some(h.clone())
        );
        assert!(ContentHash::parse("abc").is_none());
        assert!(ContentHash::parse(&"g".repeat(64)).is_none());
        assert!(verify(b"evidence", &h));
        assert!(!verify(b"evidencE", &h));
    }
}
