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
        let v = serde_json::json!([
            self.chain_id.to_string(),
            self.seq,
            self.at.millis(),
            self.actor_id.map(|u| u.to_string()),
            self.actor,
            self.entity,
            self.entity_id,
            self.action,
            self.summary,
            self.before_digest,
            self.after_digest,
            self.details,
        ]);
        v.to_string()
    }
}

/// `SHA-256(prev_hash ‖ "\n" ‖ canonical(entry))`, lower-case hex.
pub fn entry_hash(prev_hash: &str, content: &EntryContent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.canonical().as_bytes());
    hex::encode(h.finalize())
}

/// JSON text with object keys sorted at every level, so equal values give equal text
/// whatever order they were built in.
pub fn canonical_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    if let Some(x) = m.get(k) {
                        out.insert(k.clone(), sort(x));
                    }
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    // Build the text by hand so the key order does not depend on serde_json's map type.
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    if let Some(x) = m.get(*k) {
                        write(x, out);
                    }
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(&sort(v), &mut out);
    out
}

/// SHA-256 of the canonical JSON of a state (the before/after digests of an entry).
pub fn state_digest(v: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(v).as_bytes()))
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
        if entry_hash(&e.prev_hash, &e.content) != e.hash {
            return Err(ChainBreak::Content {
                id: e.id,
                seq: e.content.seq,
            });
        }
        self.prev_hash.clone_from(&e.hash);
        self.next_seq += 1;
        Ok(())
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
