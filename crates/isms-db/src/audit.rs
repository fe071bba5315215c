//! The audit trail: append in the caller's transaction, list with filters, stream for
//! verification.

use crate::{Arg, AsConn, DbError, Ts, bind_args, run};
use isms_domain::audit::{EntryContent, StoredEntry, next_entry};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AuditRow {
    pub id: Uuid,
    pub chain_id: Uuid,
    pub seq: i64,
    pub at: Ts,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub summary: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// The entry as the domain checks it, without copying its text.
    pub fn into_stored(self) -> StoredEntry {
        StoredEntry {
            id: self.id,
            content: EntryContent {
                chain_id: self.chain_id,
                seq: self.seq,
                at: self.at.0,
                actor_id: self.actor_id,
                actor: self.actor,
                entity: self.entity,
                entity_id: self.entity_id,
                action: self.action,
                summary: self.summary,
                before_digest: self.before_digest,
                after_digest: self.after_digest,
                details: self.details,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

const COLS: &str = "id, chain_id, seq, at, actor_id, actor, entity, entity_id, action, summary, before_digest, after_digest, details, prev_hash, hash";

/// Append an entry to its chain. Must run inside the write transaction of the change it
/// records; the head row is locked so concurrent writers queue (PostgreSQL row lock;
/// SQLite serialises writers with `BEGIN IMMEDIATE`).
pub async fn append(
    c: &mut impl AsConn,
    id: Uuid,
    content: EntryContent,
) -> Result<StoredEntry, DbError> {
    let chain = content.chain_id;
    run!(c, x => sqlx::query(
        "INSERT INTO audit_heads (chain_id, last_seq, last_hash) VALUES ($1, 0, '')
         ON CONFLICT (chain_id) DO NOTHING")
        .bind(chain).execute(x).await.map(|r| r.rows_affected()))?;
    // A no-op update takes the row lock on PostgreSQL and returns the head.
    let (last_seq, last_hash): (i64, String) = run!(c, x => sqlx::query_as(
        "UPDATE audit_heads SET last_seq = last_seq WHERE chain_id = $1 RETURNING last_seq, last_hash")
        .bind(chain).fetch_one(x).await)?;
    let e = next_entry(id, content, last_seq, &last_hash);
    let k = &e.content;
    run!(c, x => sqlx::query(
        "INSERT INTO audit_entries (id, chain_id, seq, at, actor_id, actor, entity, entity_id, action,
                                    summary, before_digest, after_digest, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
        .bind(e.id).bind(k.chain_id).bind(k.seq).bind(Ts(k.at)).bind(k.actor_id).bind(&k.actor)
        .bind(&k.entity).bind(&k.entity_id).bind(&k.action).bind(&k.summary)
        .bind(&k.before_digest).bind(&k.after_digest).bind(&k.details).bind(&e.prev_hash).bind(&e.hash)
        .execute(x).await.map(|r| r.rows_affected()))?;
    run!(c, x => sqlx::query("UPDATE audit_heads SET last_seq = $1, last_hash = $2 WHERE chain_id = $3")
        .bind(k.seq).bind(&e.hash).bind(chain).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(e)
}

/// Filters for browsing a chain.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    /// One record of `entity` (its history).
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    pub from: Option<Ts>,
    pub to: Option<Ts>,
    /// Entries before this sequence number (keyset cursor, newest first).
    pub before_seq: Option<i64>,
}

/// Newest first.
pub async fn list(
    c: &mut impl AsConn,
    chain: Uuid,
    f: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let mut sql = format!("SELECT {COLS} FROM audit_entries WHERE chain_id = $1");
    let mut args = vec![Arg::Uuid(chain)];
    let mut push = |cond: &str, a: Arg, sql: &mut String| {
        args.push(a);
        sql.push_str(&format!(" AND {cond} ${}", args.len()));
    };
    if let Some(e) = &f.entity {
        push("entity =", Arg::Text(e.clone()), &mut sql);
    }
    if let Some(id) = &f.entity_id {
        push("entity_id =", Arg::Text(id.clone()), &mut sql);
    }
    if let Some(a) = f.actor_id {
        push("actor_id =", Arg::Uuid(a), &mut sql);
    }
    if let Some(t) = f.from {
        push("at >=", Arg::Ts(t), &mut sql);
    }
    if let Some(t) = f.to {
        push("at <", Arg::Ts(t), &mut sql);
    }
    if let Some(s) = f.before_seq {
        push("seq <", Arg::Int(s), &mut sql);
    }
    args.push(Arg::Int(limit));
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", args.len()));
    Ok(
        run!(c, x => bind_args!(sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql.clone())), &args).fetch_all(x).await)?,
    )
}

/// Entries of a chain in sequence order after `after_seq`, a page at a time (verification).
pub async fn page_in_order(
    c: &mut impl AsConn,
    chain: Uuid,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM audit_entries WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)).bind(chain).bind(after_seq).bind(limit).fetch_all(x).await)?,
    )
}

/// The recorded head of a chain: (last sequence number, last hash).
pub async fn head(c: &mut impl AsConn, chain: Uuid) -> Result<Option<(i64, String)>, DbError> {
    Ok(
        run!(c, x => sqlx::query_as::<_, (i64, String)>("SELECT last_seq, last_hash FROM audit_heads WHERE chain_id = $1")
        .bind(chain).fetch_optional(x).await)?,
    )
}

/// The last sequence numbers of two chains, in one read: `(first, second)`, 0 for a
/// chain without entries. Every recorded change moves its chain's head, so the pair
/// says whether anything the chains cover has changed since it was last read.
pub async fn head_seqs(
    c: &mut impl AsConn,
    first: Uuid,
    second: Uuid,
) -> Result<(i64, i64), DbError> {
    let rows = run!(c, x => sqlx::query_as::<_, (Uuid, i64)>(
        "SELECT chain_id, last_seq FROM audit_heads WHERE chain_id IN ($1, $2)")
        .bind(first).bind(second).fetch_all(x).await)?;
    let seq = |chain: Uuid| {
        rows.iter()
            .find(|(c, _)| *c == chain)
            .map_or(0, |(_, s)| *s)
    };
    Ok((seq(first), seq(second)))
}

/// Every chain that has a head (the instance chain and one per organisation with entries).
pub async fn chains(c: &mut impl AsConn) -> Result<Vec<Uuid>, DbError> {
    Ok(
        run!(c, x => sqlx::query_scalar::<_, Uuid>("SELECT chain_id FROM audit_heads ORDER BY chain_id").fetch_all(x).await)?,
    )
}

/// Distinct entity kinds in a chain (for the filter menu).
pub async fn entities(c: &mut impl AsConn, chain: Uuid) -> Result<Vec<String>, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT entity FROM audit_entries WHERE chain_id = $1 ORDER BY entity")
        .bind(chain).fetch_all(x).await)?)
}

/// Append many entries to one chain at once (generated data): the chain is continued
/// from its head in memory and written with multi-row inserts, in the caller's
/// transaction. `entries` are in the order they happened; their `seq` is assigned here.
pub async fn append_batch(
    c: &mut impl AsConn,
    chain: Uuid,
    entries: Vec<(Uuid, EntryContent)>,
) -> Result<u64, DbError> {
    if entries.is_empty() {
        return Ok(0);
    }
    run!(c, x => sqlx::query(
        "INSERT INTO audit_heads (chain_id, last_seq, last_hash) VALUES ($1, 0, '')
         ON CONFLICT (chain_id) DO NOTHING")
        .bind(chain).execute(x).await.map(|r| r.rows_affected()))?;
    let (mut last_seq, mut last_hash): (i64, String) = run!(c, x => sqlx::query_as(
        "UPDATE audit_heads SET last_seq = last_seq WHERE chain_id = $1 RETURNING last_seq, last_hash")
        .bind(chain).fetch_one(x).await)?;
    let cols: Vec<&str> = COLS.split(", ").collect();
    let mut rows = Vec::with_capacity(entries.len());
    for (id, mut content) in entries {
        content.chain_id = chain;
        let e = next_entry(id, content, last_seq, &last_hash);
        last_seq = e.content.seq;
        let k = e.content;
        rows.push(vec![
            e.id.into(),
            k.chain_id.into(),
            k.seq.into(),
            Ts(k.at).into(),
            k.actor_id.into(),
            k.actor.into(),
            k.entity.into(),
            k.entity_id.into(),
            k.action.into(),
            k.summary.into(),
            k.before_digest.into(),
            k.after_digest.into(),
            k.details.into(),
            e.prev_hash.into(),
            crate::bulk::Val::from(e.hash.clone()),
        ]);
        last_hash = e.hash;
    }
    let n = crate::bulk::insert(c, "audit_entries", &cols, rows).await?;
    run!(c, x => sqlx::query("UPDATE audit_heads SET last_seq = $1, last_hash = $2 WHERE chain_id = $3")
        .bind(last_seq).bind(&last_hash).bind(chain).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
