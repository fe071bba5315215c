//! API tokens: stored as SHA-256 hashes, shown to their owner once.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub token_hash: String,
    pub display_prefix: String,
    pub created_at: Ts,
    pub last_used_at: Option<Ts>,
    pub expires_at: Option<Ts>,
}

const COLS: &str =
    "id, user_id, name, token_hash, display_prefix, created_at, last_used_at, expires_at";

pub async fn insert_token(c: &mut impl AsConn, t: &TokenRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, display_prefix, created_at, last_used_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(t.id).bind(t.user_id).bind(&t.name).bind(&t.token_hash).bind(&t.display_prefix)
        .bind(t.created_at).bind(t.last_used_at).bind(t.expires_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn token_by_hash(c: &mut impl AsConn, hash: &str) -> Result<Option<TokenRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM api_tokens WHERE token_hash = $1");
    Ok(
        run!(c, x => sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(x).await)?,
    )
}

pub async fn list_tokens(c: &mut impl AsConn, user_id: Uuid) -> Result<Vec<TokenRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC LIMIT 500"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(x).await)?,
    )
}

pub async fn token_of_user(
    c: &mut impl AsConn,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<TokenRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM api_tokens WHERE user_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_token(c: &mut impl AsConn, user_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2")
        .bind(user_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn touch_token(c: &mut impl AsConn, id: Uuid, now: Ts) -> Result<(), DbError> {
    run!(c, x => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
