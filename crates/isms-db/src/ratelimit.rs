//! Failed sign-in counters, in the database so every instance sees the same count.

use crate::{AsConn, DbError, Ts, run};

/// Count a failure for `key` in a fixed window that starts at the first failure and
/// lasts until `window_start + window`; returns the failures in the current window.
pub async fn record_failure(
    c: &mut impl AsConn,
    key: &str,
    now: Ts,
    window_opened_before: Ts,
) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>(
        "INSERT INTO login_attempts (attempt_key, window_start, failures) VALUES ($1, $2, 1)
         ON CONFLICT (attempt_key) DO UPDATE SET
           failures = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.failures + 1 END,
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
         RETURNING failures")
        .bind(key).bind(now).bind(window_opened_before).fetch_one(x).await)?)
}

/// Failures for `key` in a window that opened after `window_opened_before`.
pub async fn failures(
    c: &mut impl AsConn,
    key: &str,
    window_opened_before: Ts,
) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>(
        "SELECT failures FROM login_attempts WHERE attempt_key = $1 AND window_start > $2")
        .bind(key).bind(window_opened_before).fetch_optional(x).await)?
    .unwrap_or(0))
}

pub async fn clear(c: &mut impl AsConn, key: &str) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM login_attempts WHERE attempt_key = $1").bind(key).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Delete counters whose window opened at or before `window_opened_before` (closed).
pub async fn delete_closed(c: &mut impl AsConn, window_opened_before: Ts) -> Result<u64, DbError> {
    Ok(
        run!(c, x => sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
        .bind(window_opened_before).execute(x).await.map(|r| r.rows_affected()))?,
    )
}
