//! The one error type of the services; the web layer maps it to HTTP once.

use isms_db::DbError;
use isms_domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; names each field.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// The password was right but the second factor is still needed.
    #[error("a one-time code from the authenticator app is required")]
    MfaRequired,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Unknown, or not visible to the caller (never says which).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The object changed since it was read (stale `version`), or the change would
    /// break a rule about the current state.
    #[error("{0}")]
    Conflict(String),
    /// Too many failed attempts; try again after the given number of seconds.
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: i64 },
    /// More than a size limit allows (uploads); the text says which limit.
    #[error("{0}")]
    TooLarge(String),
    /// Stored bytes no longer match their recorded SHA-256: never served. The text names
    /// the record (no internals) and is also logged as an error.
    #[error("{0}")]
    Integrity(String),
    /// Something failed inside; the text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn stale(what: &str) -> Self {
        AppError::Conflict(format!(
            "the {what} was changed by someone else since you loaded it; reload and apply your change again"
        ))
    }

    pub fn forbidden(what: &str) -> Self {
        AppError::Forbidden(format!("your role does not allow you to {what}"))
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Duplicate(field) => AppError::Validation(ValidationError::single(
                field,
                format!("is already taken: another record uses this {field}"),
            )),
            DbError::Backup(msg) => AppError::Conflict(msg),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
