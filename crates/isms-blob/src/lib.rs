//! Content addressing for evidence files: every stored file is named by the SHA-256 of
//! its bytes, hashed while it streams in, with a size limit, and checked again on read.
//!
//! This crate holds what needs no database: the hashing and verification, content
//! sniffing from magic bytes ([`sniff`]: the client's content type is never trusted) and
//! the file-name sanitiser ([`sanitise_file_name`]: the name is for display only, the
//! store never uses it). The bytes themselves live in the `blobs` table (`isms_db::blobs`).

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

/// A SHA-256 that is fed chunk by chunk (an upload streaming in) and refuses to grow past
/// a size limit.
#[derive(Debug, Clone)]
pub struct LimitedHasher {
    h: Sha256,
    size: u64,
    limit: u64,
}

impl LimitedHasher {
    pub fn new(limit: u64) -> Self {
        Self {
            h: Sha256::new(),
            size: 0,
            limit,
        }
    }

    /// Add a chunk; [`BlobError::TooLarge`] once the total passes the limit.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        self.h.update(chunk);
        Ok(())
    }

    /// Bytes seen so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn finish(self) -> (ContentHash, u64) {
        (ContentHash(hex::encode(self.h.finalize())), self.size)
    }
}

/// File contents together with their hash. Only [`Spool`] and [`HashedBytes::of`] make
/// one, so the hash always belongs to these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedBytes {
    bytes: Vec<u8>,
    hash: ContentHash,
}

impl HashedBytes {
    pub fn of(bytes: Vec<u8>) -> Self {
        let hash = ContentHash::of(&bytes);
        Self { bytes, hash }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn hash(&self) -> &ContentHash {
        &self.hash
    }

    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// An upload streaming in: each chunk goes through the hasher and into a buffer that
/// never holds more than the limit (the first chunk past it is refused).
#[derive(Debug)]
pub struct Spool {
    hasher: LimitedHasher,
    buf: Vec<u8>,
}

impl Spool {
    pub fn new(limit: u64) -> Self {
        Self {
            hasher: LimitedHasher::new(limit),
            buf: Vec::new(),
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        self.hasher.update(chunk)?;
        self.buf.extend_from_slice(chunk);
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.hasher.size()
    }

    pub fn finish(self) -> HashedBytes {
        let (hash, _) = self.hasher.finish();
        HashedBytes {
            bytes: self.buf,
            hash,
        }
    }
}

/// Hash everything `r` yields, refusing more than `limit` bytes, and hand each chunk to
/// `sink` (which stores it). Returns the hash and the size.
pub fn hash_stream(
    mut r: impl Read,
    limit: u64,
    mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<(ContentHash, u64), BlobError> {
    let mut h = LimitedHasher::new(limit);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n])?;
        sink(&buf[..n])?;
    }
    Ok(h.finish())
}

/// Whether `bytes` still hash to `expected` (tampering or corruption check on read).
pub fn verify(bytes: &[u8], expected: &ContentHash) -> bool {
    &ContentHash::of(bytes) == expected
}

mod name;
mod sniff;

pub use name::{content_disposition, sanitise_file_name};
pub use sniff::{OCTET_STREAM, sniff};

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
    fn spool_hashes_what_it_keeps_and_stops_at_the_limit() {
        let mut s = Spool::new(10);
        s.push(b"hello ").unwrap();
        s.push(b"you").unwrap();
        assert_eq!(s.size(), 9);
        assert!(matches!(
            s.push(b"!!"),
            Err(BlobError::TooLarge { limit: 10 })
        ));
        let mut s = Spool::new(10);
        s.push(b"hello ").unwrap();
        s.push(b"you!").unwrap();
        let h = s.finish();
        assert_eq!(h.bytes(), b"hello you!");
        assert_eq!(h.hash(), &ContentHash::of(b"hello you!"));
        assert_eq!(h, HashedBytes::of(b"hello you!".to_vec()));
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
