//! Sign-in sessions, stored so that any instance can serve any request.

use crate::users::UserRow;
use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SessionRow {
    pub id: Uuid,
    pub token_hash: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub mfa_pending: bool,
    pub created_at: Ts,
    pub last_seen_at: Ts,
    pub expires_at: Ts,
    pub user_agent: String,
    pub ip: String,
}

const COLS: &str = "id, token_hash, user_id, csrf_token, mfa_pending, created_at, last_seen_at, expires_at, user_agent, ip";

pub async fn insert_session(c: &mut impl AsConn, s: &SessionRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO sessions (id, token_hash, user_id, csrf_token, mfa_pending, created_at,
                               last_seen_at, expires_at, user_agent, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(s.id).bind(&s.token_hash).bind(s.user_id).bind(&s.csrf_token).bind(s.mfa_pending)
        .bind(s.created_at).bind(s.last_seen_at).bind(s.expires_at).bind(&s.user_agent).bind(&s.ip)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn session_by_token_hash(
    c: &mut impl AsConn,
    hash: &str,
) -> Result<Option<SessionRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM sessions WHERE token_hash = $1");
    Ok(
        run!(c, x => sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(x).await)?,
    )
}

pub async fn touch_session(c: &mut impl AsConn, id: Uuid, now: Ts) -> Result<(), DbError> {
    run!(c, x => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replace the token of a session and clear its second-factor flag (after TOTP).
pub async fn rotate_session(
    c: &mut impl AsConn,
    id: Uuid,
    new_token_hash: &str,
    new_csrf: &str,
    now: Ts,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE sessions SET token_hash = $1, csrf_token = $2, mfa_pending = FALSE, last_seen_at = $3
         WHERE id = $4")
        .bind(new_token_hash).bind(new_csrf).bind(now).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn list_sessions(
    c: &mut impl AsConn,
    user_id: Uuid,
    now: Ts,
) -> Result<Vec<SessionRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM sessions WHERE user_id = $1 AND expires_at > $2
         ORDER BY created_at DESC LIMIT 200"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(now).fetch_all(x).await)?,
    )
}

/// Delete one of the user's own sessions; `false` when it is not theirs or gone.
pub async fn delete_session(c: &mut impl AsConn, user_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
        .bind(user_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Sign a user out everywhere (password change, account disabled), keeping `keep`.
pub async fn delete_user_sessions(
    c: &mut impl AsConn,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<u64, DbError> {
    Ok(
        run!(c, x => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
        .bind(user_id).bind(keep).execute(x).await.map(|r| r.rows_affected()))?,
    )
}

/// Delete sessions past their absolute end (`expires_at`) or idle since `idle_cutoff`.
pub async fn delete_stale(c: &mut impl AsConn, now: Ts, idle_cutoff: Ts) -> Result<u64, DbError> {
    Ok(
        run!(c, x => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now).bind(idle_cutoff).execute(x).await.map(|r| r.rows_affected()))?,
    )
}

/// A session and the person it belongs to, read in one query (every signed-in request
/// needs both).
#[derive(Debug, Clone, FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    session: SessionRow,
    u_email: String,
    u_name: String,
    u_password_hash: String,
    u_is_admin: bool,
    u_disabled: bool,
    u_totp_secret: Option<String>,
    u_totp_enabled: bool,
    u_totp_last_step: Option<i64>,
    u_created_at: Ts,
    u_updated_at: Ts,
    u_version: i64,
}

/// The session with this token hash and its user, if both exist.
pub async fn session_with_user(
    c: &mut impl AsConn,
    hash: &str,
) -> Result<Option<(SessionRow, UserRow)>, DbError> {
    let row = run!(c, x => sqlx::query_as::<_, SessionUserRow>(
        "SELECT s.id, s.token_hash, s.user_id, s.csrf_token, s.mfa_pending, s.created_at,
                s.last_seen_at, s.expires_at, s.user_agent, s.ip,
                u.email AS u_email, u.name AS u_name, u.password_hash AS u_password_hash,
                u.is_admin AS u_is_admin, u.disabled AS u_disabled,
                u.totp_secret AS u_totp_secret, u.totp_enabled AS u_totp_enabled,
                u.totp_last_step AS u_totp_last_step, u.created_at AS u_created_at,
                u.updated_at AS u_updated_at, u.version AS u_version
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(x)
    .await)?;
    Ok(row.map(|r| {
        let user = UserRow {
            id: r.session.user_id,
            email: r.u_email,
            name: r.u_name,
            password_hash: r.u_password_hash,
            is_admin: r.u_is_admin,
            disabled: r.u_disabled,
            totp_secret: r.u_totp_secret,
            totp_enabled: r.u_totp_enabled,
            totp_last_step: r.u_totp_last_step,
            created_at: r.u_created_at,
            updated_at: r.u_updated_at,
            version: r.u_version,
        };
        (r.session, user)
    }))
}
