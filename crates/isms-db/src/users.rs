//! User accounts and their recovery codes.

use crate::{AsConn, DbError, Ts, dup, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const COLS: &str = "id, email, name, password_hash, is_admin, disabled, totp_secret, totp_enabled, totp_last_step, created_at, updated_at, version";

pub async fn insert_user(c: &mut impl AsConn, u: &UserRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, is_admin, disabled, totp_secret,
                            totp_enabled, totp_last_step, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(u.id).bind(&u.email).bind(&u.name).bind(&u.password_hash).bind(u.is_admin)
        .bind(u.disabled).bind(&u.totp_secret).bind(u.totp_enabled).bind(u.totp_last_step)
        .bind(u.created_at).bind(u.updated_at).bind(u.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(dup("email"))?;
    Ok(())
}

pub async fn user_by_email(c: &mut impl AsConn, email: &str) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE email = $1");
    Ok(
        run!(c, x => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(x).await)?,
    )
}

pub async fn user_by_id(c: &mut impl AsConn, id: Uuid) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
    Ok(
        run!(c, x => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn count_users(c: &mut impl AsConn) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(x).await)?)
}

/// All users by e-mail address, keyset-paginated; `q` matches e-mail or name.
pub async fn list_users(
    c: &mut impl AsConn,
    q: Option<&str>,
    after_email: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, DbError> {
    let pattern = q.map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    let sql = format!(
        "SELECT {COLS} FROM users
         WHERE ($1 IS NULL OR email LIKE $1 OR lower(name) LIKE $1) AND ($2 IS NULL OR email > $2)
         ORDER BY email LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
        .bind(pattern.clone()).bind(after_email).bind(limit).fetch_all(x).await)?,
    )
}

/// Change name, admin flag and disabled flag when `version` is current.
pub async fn update_user(
    c: &mut impl AsConn,
    id: Uuid,
    name: &str,
    is_admin: bool,
    disabled: bool,
    version: i64,
    now: Ts,
) -> Result<Option<UserRow>, DbError> {
    let sql = format!(
        "UPDATE users SET name = $1, is_admin = $2, disabled = $3, updated_at = $4, version = version + 1
         WHERE id = $5 AND version = $6 RETURNING {COLS}"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
        .bind(name).bind(is_admin).bind(disabled).bind(now).bind(id).bind(version)
        .fetch_optional(x).await)?,
    )
}

pub async fn set_password(
    c: &mut impl AsConn,
    id: Uuid,
    hash: &str,
    now: Ts,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(hash).bind(now).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Store a new, not yet confirmed TOTP secret (base32), or clear it with `None`.
pub async fn set_totp(
    c: &mut impl AsConn,
    id: Uuid,
    secret: Option<&str>,
    enabled: bool,
    now: Ts,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = NULL,
                          updated_at = $3, version = version + 1 WHERE id = $4")
        .bind(secret).bind(enabled).bind(now).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Remember the last accepted TOTP step, only moving forward (a code works once even
/// when two requests race).
pub async fn advance_totp_step(c: &mut impl AsConn, id: Uuid, step: i64) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE users SET totp_last_step = $1
         WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
        .bind(step).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn replace_recovery_codes(
    c: &mut impl AsConn,
    user_id: Uuid,
    hashes: &[(Uuid, String)],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    for (id, h) in hashes {
        run!(c, x => sqlx::query(
            "INSERT INTO recovery_codes (id, user_id, code_hash, used_at) VALUES ($1, $2, $3, NULL)")
            .bind(*id).bind(user_id).bind(h).execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Mark an unused recovery code as used; `false` when there is no such unused code.
pub async fn use_recovery_code(
    c: &mut impl AsConn,
    user_id: Uuid,
    hash: &str,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now).bind(user_id).bind(hash).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn unused_recovery_codes(c: &mut impl AsConn, user_id: Uuid) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id).fetch_one(x).await)?)
}
