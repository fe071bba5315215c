//! Values derived from an organisation's records, kept between requests until the
//! records change. Every change to an organisation's records is recorded on its
//! audit-trail chain in the same transaction (and account changes on the instance
//! chain), so a value computed after reading both chain heads stays right until a head
//! moves or the date changes. Values are computed on read connections only, never
//! inside a write transaction, so nothing uncommitted is ever kept.

use crate::AppResult;
use isms_db::{AsConn, Db};
use std::collections::HashMap;
use time::Date;
use uuid::Uuid;

/// Organisations whose values are kept at most; beyond that the cache starts again.
const KEPT_ORGS: usize = 4096;

/// What a kept value was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeptKey {
    today: Date,
    /// The organisation's audit-trail head and the instance chain's (accounts).
    org_seq: i64,
    instance_seq: i64,
}

impl KeptKey {
    /// Read the chain heads of `org` on `c` (a read connection). Read them before the
    /// records the value is computed from: the value is then at least as new as its key.
    pub(crate) async fn read(c: &mut impl AsConn, org: Uuid, today: Date) -> AppResult<Self> {
        let (org_seq, instance_seq) =
            isms_db::audit::head_seqs(c, org, isms_domain::audit::INSTANCE_CHAIN).await?;
        Ok(Self {
            today,
            org_seq,
            instance_seq,
        })
    }

    /// [`KeptKey::read`] on a new read connection.
    pub(crate) async fn read_from(db: &Db, org: Uuid, today: Date) -> AppResult<Self> {
        let mut c = db.read().await?;
        Self::read(&mut c, org, today).await
    }
}

/// One kind of value per organisation.
#[derive(Debug)]
pub struct Kept<T> {
    entries: std::sync::Mutex<HashMap<Uuid, (KeptKey, T)>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self {
            entries: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Kept<T> {
    pub(crate) fn get(&self, org: Uuid, key: KeptKey) -> Option<T> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&org)
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn put(&self, org: Uuid, key: KeptKey, value: &T) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= KEPT_ORGS && !entries.contains_key(&org) {
                entries.clear();
            }
            entries.insert(org, (key, value.clone()));
        }
    }
}
