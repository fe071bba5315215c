//! The blob store: file bytes content-addressed by SHA-256, per organisation, in the
//! database. Every query is scoped by `org_id`; the unique index (org_id, sha256) serves
//! lookups and the keyset walk that verification uses.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

/// A stored file (with its bytes).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct BlobRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub data: Vec<u8>,
    pub created_at: Ts,
}

/// Store `r` unless the organisation already holds the same bytes (same hash): the
/// existing row stays as it is. Runs inside the caller's transaction. Returns whether a
/// row was added.
pub async fn put(c: &mut impl AsConn, r: &BlobRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "INSERT INTO blobs (id, org_id, sha256, size, content_type, data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id, sha256) DO NOTHING")
        .bind(r.id).bind(r.org_id).bind(&r.sha256).bind(r.size).bind(&r.content_type)
        .bind(&r.data).bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    sha256: &str,
) -> Result<Option<BlobRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, BlobRow>(
        "SELECT id, org_id, sha256, size, content_type, data, created_at
         FROM blobs WHERE org_id = $1 AND sha256 = $2")
        .bind(org_id).bind(sha256).fetch_optional(x).await)?)
}

/// Whether the organisation holds a blob with this hash (without reading it).
pub async fn exists(c: &mut impl AsConn, org_id: Uuid, sha256: &str) -> Result<bool, DbError> {
    let n: i64 = run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM blobs WHERE org_id = $1 AND sha256 = $2")
        .bind(org_id).bind(sha256).fetch_one(x).await)?;
    Ok(n > 0)
}

/// The next `limit` blobs of every organisation after `after` (org_id, sha256), in that
/// order: verification walks the whole store in batches without loading it all.
pub async fn batch_after(
    c: &mut impl AsConn,
    after: Option<(Uuid, &str)>,
    limit: i64,
) -> Result<Vec<BlobRow>, DbError> {
    const SEL: &str = "SELECT id, org_id, sha256, size, content_type, data, created_at FROM blobs";
    Ok(match after {
        None => run!(c, x => sqlx::query_as::<_, BlobRow>(sqlx::AssertSqlSafe(format!(
            "{SEL} ORDER BY org_id, sha256 LIMIT $1")))
            .bind(limit).fetch_all(x).await)?,
        Some((org, sha)) => run!(c, x => sqlx::query_as::<_, BlobRow>(sqlx::AssertSqlSafe(format!(
            "{SEL} WHERE (org_id, sha256) > ($1, $2) ORDER BY org_id, sha256 LIMIT $3")))
            .bind(org).bind(sha).bind(limit).fetch_all(x).await)?,
    })
}
