//! The audit trail: an append-only, hash-chained record of every change.
//!
//! Each organisation has its own chain (instance-wide events, such as creating a user
//! account, go to the instance chain, [`INSTANCE_CHAIN`]). Entry `n` stores the hash of
//! entry `n-1`, and its own hash is `SHA-256(prev_hash ‖ canonical(entry))`, so editing,
//! deleting or reordering any entry breaks every hash after it.

use crate::time::Timestamp;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// The chain of events that belong to no organisation (user accounts, instance settings).
pub const INSTANCE_CHAIN: Uuid = Uuid::nil();

/// The `prev_hash` of the first entry of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as recorded. Every field takes part in the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryContent {
    pub chain_id: Uuid,
    pub seq: i64,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    /// Who acted, as shown to people (e-mail address, or `system` / `cli`).
    pub actor: String,
    /// The kind of object changed (`organisation`, `user`, `membership`, …).
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update`, `delete`, `sign_in`, …
    pub action: String,
    /// One line a person can read.
    pub summary: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    /// Canonical JSON of the changed fields (see [`canonical_json`]).
    pub details: String,
}

impl EntryContent {
    /// The canonical byte form that is hashed: a JSON array in a fixed field order.
    pub fn canonical(&self) -> String {
        let mut out = Vec::with_capacity(512);
        self.write_canonical(&mut out);
        into_text(out)
    }

    /// [`EntryContent::canonical`], written straight into `w` (a hasher, say).
    fn write_canonical(&self, w: impl std::io::Write) {
        // A tuple is written as a JSON array; UUIDs as their hyphenated text and a
        // missing value as null, exactly as the stored chains were hashed.
        let row = (
            &self.chain_id,
            self.seq,
            self.at.millis(),
            &self.actor_id,
            &self.actor,
            &self.entity,
            &self.entity_id,
            &self.action,
            &self.summary,
            &self.before_digest,
            &self.after_digest,
            &self.details,
        );
        // Writing into memory or a hasher cannot fail, and every field serialises.
        let _ = serde_json::to_writer(w, &row);
    }
}

/// Text from bytes that serde_json wrote (always UTF-8).
fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Feeds what is written into a SHA-256 (no text is built in between).
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn entry_digest(prev_hash: &str, content: &EntryContent) -> [u8; 32] {
    let mut h = HashWriter(Sha256::new());
    h.0.update(prev_hash.as_bytes());
    h.0.update(b"\n");
    content.write_canonical(&mut h);
    h.0.finalize().into()
}

/// `SHA-256(prev_hash ‖ "\n" ‖ canonical(entry))`, lower-case hex.
pub fn entry_hash(prev_hash: &str, content: &EntryContent) -> String {
    hex::encode(entry_digest(prev_hash, content))
}

/// Whether an entry's stored hash is the hash of its content and `prev_hash`. Each entry
/// can be checked on its own (the link to the entry before is checked by
/// [`ChainVerifier`]), so many can be checked at once.
pub fn content_matches(e: &StoredEntry) -> bool {
    let mut stored = [0u8; 32];
    // Upper-case or malformed hex was never written by us: it does not match.
    if e.hash.bytes().any(|b| b.is_ascii_uppercase())
        || hex::decode_to_slice(&e.hash, &mut stored).is_err()
    {
        return false;
    }
    entry_digest(&e.prev_hash, &e.content) == stored
}

/// JSON text with object keys sorted at every level, so equal values give equal text
/// whatever order they were built in.
pub fn canonical_json(v: &Value) -> String {
    // Written by hand so the key order does not depend on serde_json's map type; keys
    // and scalars are escaped by serde_json itself.
    fn write(v: &Value, out: &mut Vec<u8>) {
        match v {
            Value::Object(m) => {
                let mut fields: Vec<(&String, &Value)> = m.iter().collect();
                fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push(b'{');
                for (i, (k, x)) in fields.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let _ = serde_json::to_writer(&mut *out, k.as_str());
                    out.push(b':');
                    write(x, out);
                }
                out.push(b'}');
            }
            Value::Array(a) => {
                out.push(b'[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(x, out);
                }
                out.push(b']');
            }
            other => {
                let _ = serde_json::to_writer(&mut *out, other);
            }
        }
    }
    let mut out = Vec::with_capacity(256);
    write(v, &mut out);
    into_text(out)
}

/// SHA-256 of the canonical JSON of a state (the before/after digests of an entry).
pub fn state_digest(v: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(v).as_bytes()))
}

/// How a change is recorded in an entry: the digests of the states before and after,
/// and the details `{"after": …, "before": …}` as canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedChange {
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub details: String,
}

/// The recorded form of a change from `before` to `after` (`None`: no such state). Each
/// state is made canonical once, for its digest and for the details.
pub fn recorded_change(before: Option<&Value>, after: Option<&Value>) -> RecordedChange {
    let before = before.map(canonical_json);
    let after = after.map(canonical_json);
    let digest = |c: &String| hex::encode(Sha256::digest(c.as_bytes()));
    // Canonical JSON sorts the keys: "after" comes before "before".
    let details = format!(
        "{{\"after\":{},\"before\":{}}}",
        after.as_deref().unwrap_or("null"),
        before.as_deref().unwrap_or("null")
    );
    RecordedChange {
        before_digest: before.as_ref().map(digest),
        after_digest: after.as_ref().map(digest),
        details,
    }
}

/// An entry as stored: its content plus the chain links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: Uuid,
    pub content: EntryContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Where and why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry is missing or the order was changed: the sequence numbers skip.
    Sequence { id: Uuid, expected: i64, found: i64 },
    /// The entry does not point at the hash of the one before it.
    Link { id: Uuid, seq: i64 },
    /// The entry's content no longer matches its hash (it was edited).
    Content { id: Uuid, seq: i64 },
    /// Entries at the end of the chain were removed (the recorded head is further on).
    Truncated { expected_last: i64, found_last: i64 },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::Sequence {
                id,
                expected,
                found,
            } => write!(
                f,
                "entry {id}: sequence number {found} where {expected} was expected (an entry was deleted or moved)"
            ),
            ChainBreak::Link { id, seq } => write!(
                f,
                "entry {id} (#{seq}): does not link to the hash of the entry before it"
            ),
            ChainBreak::Content { id, seq } => write!(
                f,
                "entry {id} (#{seq}): its content does not match its hash (it was edited)"
            ),
            ChainBreak::Truncated {
                expected_last,
                found_last,
            } => write!(
                f,
                "the chain ends at #{found_last} but its recorded head is #{expected_last} (entries were removed from the end)"
            ),
        }
    }
}

/// Checks a chain entry by entry, in sequence order, without holding it all in memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Check the next entry (entries must come in the stored `seq` order).
    pub fn push(&mut self, e: &StoredEntry) -> Result<(), ChainBreak> {
        self.accept(e, content_matches(e))
    }

    /// Take the next entry whose content was found to match (`content_ok`) or not: the
    /// sequence number and the link to the entry before come first, then the content.
    fn accept(&mut self, e: &StoredEntry, content_ok: bool) -> Result<(), ChainBreak> {
        if e.content.seq != self.next_seq {
            return Err(ChainBreak::Sequence {
                id: e.id,
                expected: self.next_seq,
                found: e.content.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Link {
                id: e.id,
                seq: e.content.seq,
            });
        }
        if !content_ok {
            return Err(ChainBreak::Content {
                id: e.id,
                seq: e.content.seq,
            });
        }
        self.prev_hash.clone_from(&e.hash);
        self.next_seq += 1;
        Ok(())
    }

    /// [`ChainVerifier::push`] for a run of entries in order, their contents checked on
    /// up to `threads` threads at once (the links and sequence numbers in order). The
    /// first break in the run is reported, as `push` one by one would report it.
    pub fn push_all(&mut self, entries: &[StoredEntry], threads: usize) -> Result<(), ChainBreak> {
        let threads = threads.clamp(1, 16);
        let first_bad = if threads == 1 || entries.len() < 256 {
            entries.iter().position(|e| !content_matches(e))
        } else {
            let size = entries.len().div_ceil(threads);
            std::thread::scope(|s| {
                let parts: Vec<_> = entries
                    .chunks(size)
                    .enumerate()
                    .map(|(i, part)| {
                        s.spawn(move || {
                            part.iter()
                                .position(|e| !content_matches(e))
                                .map(|p| i * size + p)
                        })
                    })
                    .collect();
                parts
                    .into_iter()
                    .filter_map(|h| h.join().ok().flatten())
                    .min()
            })
        };
        for (i, e) in entries.iter().enumerate() {
            self.accept(e, first_bad != Some(i))?;
        }
        Ok(())
    }

    /// How many entries have been checked and found intact so far.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }

    /// Finish against the recorded head (`last seq`, `last hash`); returns the number of
    /// entries checked.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if let Some((head_seq, head_hash)) = head
            && (head_seq != last || (last > 0 && head_hash != self.prev_hash))
        {
            return Err(ChainBreak::Truncated {
                expected_last: head_seq,
                found_last: last,
            });
        }
        Ok(last)
    }
}

/// Build the next entry of a chain whose head is (`last_seq`, `last_hash`).
pub fn next_entry(
    id: Uuid,
    mut content: EntryContent,
    last_seq: i64,
    last_hash: &str,
) -> StoredEntry {
    content.seq = last_seq + 1;
    let prev_hash = if last_seq == 0 {
        GENESIS_HASH.to_owned()
    } else {
        last_hash.to_owned()
    };
    let hash = entry_hash(&prev_hash, &content);
    StoredEntry {
        id,
        content,
        prev_hash,
        hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn content(i: i64) -> EntryContent {
        EntryContent {
            chain_id: Uuid::from_u128(7),
            seq: 0,
            at: Timestamp(1_000 + i),
            actor_id: None,
            actor: "tester@example.com".into(),
            entity: "user".into(),
            entity_id: format!("u{i}"),
            action: "create".into(),
            summary: format!("created user {i}"),
            before_digest: None,
            after_digest: Some(state_digest(&serde_json::json!({"i": i}))),
            details: "{}".into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut out: Vec<StoredEntry> = Vec::new();
        for i in 0..n {
            let (seq, hash) = out
                .last()
                .map(|e| (e.content.seq, e.hash.clone()))
                .unwrap_or((0, String::new()));
            out.push(next_entry(
                Uuid::from_u128(i as u128 + 100),
                content(i),
                seq,
                &hash,
            ));
        }
        out
    }

    fn verify(entries: &[StoredEntry], head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = c.last().map(|e| (e.content.seq, e.hash.as_str()));
        assert_eq!(verify(&c, head), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn edit_is_detected() {
        let mut c = chain(5);
        c[2].content.summary.push('!');
        assert!(matches!(
            verify(&c, None),
            Err(ChainBreak::Content { seq: 3, .. })
        ));
    }

    #[test]
    fn delete_and_reorder_are_detected() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(
            verify(&c, None),
            Err(ChainBreak::Sequence {
                expected: 2,
                found: 3,
                ..
            })
        ));
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify(&c, None).is_err());
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        assert!(matches!(
            verify(&c[..4], Some(head)),
            Err(ChainBreak::Truncated { .. })
        ));
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let a = serde_json::json!({"b": 1, "a": {"y": [1, {"d": 1, "c": 2}], "x": null}});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":null,"y":[1,{"c":2,"d":1}]},"b":1}"#
        );
        let b: Value =
            serde_json::from_str(r#"{"a":{"y":[1,{"c":2,"d":1}],"x":null},"b":1}"#).unwrap();
        assert_eq!(state_digest(&a), state_digest(&b));
    }

    /// The hashed forms are pinned: a change in how they are written would break every
    /// stored chain, so these exact bytes must never change.
    #[test]
    fn hashed_forms_never_change() {
        let mut c = content(3);
        c.actor_id = Some(Uuid::from_u128(9));
        c.summary = "added \"quoted\" \u{e9}\n line".into();
        c.details = canonical_json(&serde_json::json!({
            "before": null,
            "after": {"z": [1.5, -2, "\u{2028}"], "a": {"tags": ["x", "y"], "n": 7}, "k\"ey": true}
        }));
        assert_eq!(
            c.details,
            "{\"after\":{\"a\":{\"n\":7,\"tags\":[\"x\",\"y\"]},\"k\\\"ey\":true,\"z\":[1.5,-2,\"\u{2028}\"]},\"before\":null}"
        );
        assert_eq!(
            c.canonical(),
            "[\"00000000-0000-0000-0000-000000000007\",0,1003,\"00000000-0000-0000-0000-000000000009\",\"tester@example.com\",\"user\",\"u3\",\"create\",\"added \\\"quoted\\\" \u{e9}\\n line\",null,\"6867a9ad5ed5490cad237e5a82ff1c3f3a6858a7ec42be49b40b12a65911dcd7\",\"{\\\"after\\\":{\\\"a\\\":{\\\"n\\\":7,\\\"tags\\\":[\\\"x\\\",\\\"y\\\"]},\\\"k\\\\\\\"ey\\\":true,\\\"z\\\":[1.5,-2,\\\"\u{2028}\\\"]},\\\"before\\\":null}\"]"
        );
        assert_eq!(
            entry_hash(GENESIS_HASH, &c),
            "af1cc0aa646ac0c013ec4a4d339d8174399de02b1fa567ea82cc0213fbe6d6cf"
        );
        assert_eq!(
            state_digest(&serde_json::json!({"b": [true, null], "a": "\u{1F600}"})),
            "8c24745fde63e97ad857db023757d5ae53c04ca39cb2071fb71b2d5c0bcdfa45"
        );
    }

    #[test]
    fn a_recorded_change_is_the_canonical_form_of_both_states() {
        let a = serde_json::json!({"z": 1, "a": {"y": [1, {"d": 1, "c": "é"}]}});
        let b = serde_json::json!({"n": null, "tags": ["x"]});
        for (before, after) in [
            (None, None),
            (Some(&a), None),
            (None, Some(&b)),
            (Some(&a), Some(&b)),
        ] {
            let r = recorded_change(before, after);
            let whole = serde_json::json!({"before": before, "after": after});
            assert_eq!(r.details, canonical_json(&whole));
            assert_eq!(r.before_digest, before.map(state_digest));
            assert_eq!(r.after_digest, after.map(state_digest));
        }
    }

    /// What `push_all` in runs reports, to compare with `push` one by one.
    fn verify_in_runs(
        entries: &[StoredEntry],
        run: usize,
        threads: usize,
    ) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for part in entries.chunks(run.max(1)) {
            v.push_all(part, threads)?;
        }
        v.finish(None)
    }

    #[test]
    fn checking_many_at_once_reports_the_same_first_break() {
        let intact = chain(700);
        assert_eq!(verify_in_runs(&intact, 300, 3), Ok(700));
        // Two edits: the earlier one is reported, whichever thread sees it.
        let mut edited = intact.clone();
        edited[650].content.summary.push('!');
        edited[420].content.actor.push('!');
        let one_by_one = verify(&edited, None);
        assert!(matches!(
            one_by_one,
            Err(ChainBreak::Content { seq: 421, .. })
        ));
        for (run, threads) in [(700, 2), (700, 4), (256, 2), (100, 1)] {
            assert_eq!(verify_in_runs(&edited, run, threads), one_by_one);
        }
        // A link broken before the edit comes first.
        let mut relinked = edited.clone();
        relinked[300].prev_hash = GENESIS_HASH.to_owned();
        let first = verify(&relinked, None);
        assert!(matches!(first, Err(ChainBreak::Link { seq: 301, .. })));
        assert_eq!(verify_in_runs(&relinked, 700, 2), first);
        // A hash in upper case is not the hash we wrote.
        let mut upper = intact.clone();
        upper[5].hash = upper[5].hash.to_uppercase();
        assert!(matches!(
            verify_in_runs(&upper, 700, 2),
            Err(ChainBreak::Content { seq: 6, .. })
        ));
    }

    #[test]
    fn hashing_as_written_matches_hashing_the_text() {
        let c = content(3);
        let text = format!("{}\n{}", GENESIS_HASH, c.canonical());
        assert_eq!(
            entry_hash(GENESIS_HASH, &c),
            hex::encode(Sha256::digest(text.as_bytes()))
        );
    }

    proptest! {
        #[test]
        fn any_single_byte_edit_breaks_the_chain(idx in 0usize..6, pos in 0usize..20, byte in 33u8..126) {
            let mut c = chain(6);
            let s = &mut c[idx].content.summary;
            let p = pos % s.len();
            let mut bytes = s.clone().into_bytes();
            prop_assume!(bytes[p] != byte);
            bytes[p] = byte;
            *s = String::from_utf8(bytes).unwrap();
            prop_assert!(verify(&c, None).is_err());
        }
    }
}
