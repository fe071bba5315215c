//! Signing in and out: passwords (Argon2id), sessions, the TOTP second factor, API
//! tokens as credentials, and the failed-attempt limit.

use crate::{Actor, App, AppError, AppResult, Change, Principal, random_hex, record};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use isms_db::sessions::SessionRow;
use isms_db::{Ts, ratelimit, sessions, tokens, users};
use isms_domain::secret::{API_TOKEN_PREFIX, hash_secret, normalise_recovery_code};
use isms_domain::time::Timestamp;
use isms_domain::totp;
use isms_domain::user::Email;
use uuid::Uuid;

/// A password hash that no password matches, verified for unknown e-mail addresses so
/// that the answer takes as long whether or not the account exists.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Hash a password with Argon2id (default parameters), off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await?
}

/// Check a password against a stored hash, off the async threads.
pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(AppError::from)
}

async fn dummy_verify(password: String) -> AppResult<()> {
    let hash = match DUMMY_HASH.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password("not-a-real-password-of-anyone".into()).await?;
            let _ = DUMMY_HASH.set(h.clone());
            h
        }
    };
    let _ = verify_password(password, hash).await?;
    Ok(())
}

/// Where a sign-in request came from (recorded on the session).
#[derive(Debug, Clone, Default)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

/// The result of a successful password check.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session_id: Uuid,
    /// The secret for the cookie or bearer header; shown once, stored hashed.
    pub token: String,
    pub csrf_token: String,
    /// `true` until the TOTP code is given (web flow only).
    pub mfa_pending: bool,
    pub expires_at: Timestamp,
    pub user_id: Uuid,
}

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated("the e-mail address or password is wrong".into())
}

impl App {
    fn window_start(&self) -> Ts {
        Ts(self.now().plus_seconds(-self.settings.failure_window_secs))
    }

    async fn check_not_locked(&self, keys: &[(String, i64)]) -> AppResult<()> {
        let mut c = self.db.read().await?;
        for (key, max) in keys {
            if ratelimit::failures(&mut c, key, self.window_start()).await? >= *max {
                return Err(AppError::TooManyAttempts {
                    retry_after_secs: self.settings.failure_window_secs,
                });
            }
        }
        Ok(())
    }

    async fn count_failure(&self, keys: &[(String, i64)]) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        for (key, _) in keys {
            ratelimit::record_failure(&mut tx, key, Ts(self.now()), self.window_start()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Check e-mail and password and open a session. With `allow_pending_mfa` (the web
    /// form) an account with TOTP gets a session that can do nothing but give the code;
    /// otherwise (the API) the code must come with the password.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        totp_code: Option<&str>,
        allow_pending_mfa: bool,
        meta: &ClientMeta,
    ) -> AppResult<NewSession> {
        let email_key = format!("email:{}", email.trim().to_lowercase());
        let keys = vec![
            (email_key.clone(), self.settings.max_failures_per_account),
            (format!("ip:{}", meta.ip), self.settings.max_failures_per_ip),
        ];
        self.check_not_locked(&keys).await?;
        let Ok(email) = Email::parse("email", email) else {
            dummy_verify(password.to_owned()).await?;
            self.count_failure(&keys).await?;
            return Err(wrong_credentials());
        };
        let mut c = self.db.read().await?;
        let user = users::user_by_email(&mut c, email.as_str()).await?;
        drop(c);
        let Some(user) = user else {
            dummy_verify(password.to_owned()).await?;
            self.count_failure(&keys).await?;
            return Err(wrong_credentials());
        };
        if !verify_password(password.to_owned(), user.password_hash.clone()).await? {
            self.count_failure(&keys).await?;
            return Err(wrong_credentials());
        }
        if user.disabled {
            return Err(AppError::Unauthenticated(
                "this account is disabled; ask an administrator".into(),
            ));
        }
        let mut mfa_pending = false;
        let mut totp_step = None;
        let mut recovery_hash: Option<String> = None;
        if user.totp_enabled {
            match totp_code.filter(|c| !c.trim().is_empty()) {
                Some(code) if !is_totp_code(code) => {
                    recovery_hash = Some(hash_secret(&normalise_recovery_code(code)));
                }
                Some(code) => {
                    let secret = user
                        .totp_secret
                        .as_deref()
                        .and_then(totp::base32_decode)
                        .ok_or_else(|| {
                            AppError::Internal("stored TOTP secret unreadable".into())
                        })?;
                    match totp::verify(&secret, code, self.now().seconds(), user.totp_last_step) {
                        Some(step) => totp_step = Some(step),
                        None => {
                            self.count_failure(&keys).await?;
                            return Err(AppError::Validation(
                                isms_domain::ValidationError::single(
                                    "totp",
                                    "the one-time code is wrong or was already used",
                                ),
                            ));
                        }
                    }
                }
                None if allow_pending_mfa => mfa_pending = true,
                None => return Err(AppError::MfaRequired),
            }
        }
        let now = self.now();
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        let expires_at = now.plus_seconds(self.settings.session_absolute_secs);
        let row = SessionRow {
            id: Uuid::now_v7(),
            token_hash: hash_secret(&token),
            user_id: user.id,
            csrf_token: csrf.clone(),
            mfa_pending,
            created_at: Ts(now),
            last_seen_at: Ts(now),
            expires_at: Ts(expires_at),
            user_agent: meta.user_agent.chars().take(300).collect(),
            ip: meta.ip.chars().take(64).collect(),
        };
        let mut tx = self.db.begin().await?;
        if let Some(step) = totp_step
            && !users::advance_totp_step(&mut tx, user.id, step).await?
        {
            return Err(AppError::Validation(isms_domain::ValidationError::single(
                "totp",
                "the one-time code was already used; wait for the next one",
            )));
        }
        if let Some(h) = &recovery_hash
            && !users::use_recovery_code(&mut tx, user.id, h, Ts(now)).await?
        {
            drop(tx);
            self.count_failure(&keys).await?;
            return Err(AppError::Validation(isms_domain::ValidationError::single(
                "totp",
                "the recovery code is wrong or was already used",
            )));
        }
        sessions::insert_session(&mut tx, &row).await?;
        ratelimit::clear(&mut tx, &email_key).await?;
        let principal = principal_of(&user, Some(row.id), None);
        record(
            self,
            &mut tx,
            Actor::User(&principal),
            Change {
                org_id: None,
                entity: "session",
                entity_id: row.id.to_string(),
                action: "sign_in",
                summary: if mfa_pending {
                    format!("{} entered the right password; waiting for the one-time code", user.email)
                } else {
                    format!("{} signed in", user.email)
                },
                before: None,
                after: Some(serde_json::json!({"ip": row.ip, "user_agent": row.user_agent, "mfa_pending": mfa_pending})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            session_id: row.id,
            token,
            csrf_token: csrf,
            mfa_pending,
            expires_at,
            user_id: user.id,
        })
    }

    /// Finish a sign-in that waits for the second factor: check a TOTP code or an unused
    /// recovery code, then replace the session token (so a token seen before the second
    /// factor is worthless).
    pub async fn complete_mfa(&self, session_token: &str, code: &str) -> AppResult<NewSession> {
        let mut c = self.db.read().await?;
        let s = sessions::session_by_token_hash(&mut c, &hash_secret(session_token))
            .await?
            .filter(|s| s.mfa_pending && s.expires_at.0 > self.now())
            .ok_or_else(|| {
                AppError::Unauthenticated("the sign-in has expired; start again".into())
            })?;
        let user = users::user_by_id(&mut c, s.user_id).await?.ok_or_else(|| {
            AppError::Unauthenticated("the sign-in has expired; start again".into())
        })?;
        drop(c);
        let keys = vec![(
            format!("mfa:{}", user.id),
            self.settings.max_failures_per_account,
        )];
        self.check_not_locked(&keys).await?;
        let secret = user
            .totp_secret
            .as_deref()
            .and_then(totp::base32_decode)
            .ok_or_else(|| AppError::Internal("stored TOTP secret unreadable".into()))?;
        let code_compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let how = if code_compact.len() == totp::DIGITS as usize
            && code_compact.chars().all(|c| c.is_ascii_digit())
        {
            match totp::verify(&secret, &code_compact, now.seconds(), user.totp_last_step) {
                Some(step) if users::advance_totp_step(&mut tx, user.id, step).await? => {
                    "one-time code"
                }
                _ => "",
            }
        } else {
            let h = hash_secret(&normalise_recovery_code(&code_compact));
            if users::use_recovery_code(&mut tx, user.id, &h, Ts(now)).await? {
                "recovery code"
            } else {
                ""
            }
        };
        if how.is_empty() {
            drop(tx);
            self.count_failure(&keys).await?;
            return Err(AppError::Validation(isms_domain::ValidationError::single(
                "code",
                "the code is wrong or was already used",
            )));
        }
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        sessions::rotate_session(&mut tx, s.id, &hash_secret(&token), &csrf, Ts(now)).await?;
        let principal = principal_of(&user, Some(s.id), None);
        record(
            self,
            &mut tx,
            Actor::User(&principal),
            Change {
                org_id: None,
                entity: "session",
                entity_id: s.id.to_string(),
                action: "second_factor",
                summary: format!("{} completed sign-in with a {how}", user.email),
                before: None,
                after: Some(serde_json::json!({"method": how})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            session_id: s.id,
            token,
            csrf_token: csrf,
            mfa_pending: false,
            expires_at: s.expires_at.0,
            user_id: user.id,
        })
    }

    /// Who a session token belongs to. Returns the principal and the session (the web
    /// layer needs its CSRF token and whether the second factor is still pending).
    pub async fn authenticate_session(&self, token: &str) -> AppResult<(Principal, SessionRow)> {
        let expired =
            || AppError::Unauthenticated("not signed in, or the session has ended".into());
        let now = self.now();
        let mut c = self.db.read().await?;
        let (s, user) = sessions::session_with_user(&mut c, &hash_secret(token))
            .await?
            .ok_or_else(expired)?;
        if s.expires_at.0 <= now
            || s.last_seen_at
                .0
                .plus_seconds(self.settings.session_idle_secs)
                <= now
        {
            return Err(expired());
        }
        if user.disabled {
            return Err(expired());
        }
        drop(c);
        if now.millis() - s.last_seen_at.0.millis() > 60_000 {
            let mut tx = self.db.begin().await?;
            sessions::touch_session(&mut tx, s.id, Ts(now)).await?;
            tx.commit().await?;
        }
        Ok((principal_of(&user, Some(s.id), None), s))
    }

    /// Who an API token belongs to.
    pub async fn authenticate_token(&self, token: &str) -> AppResult<Principal> {
        let bad =
            || AppError::Unauthenticated("the API token is unknown, revoked or expired".into());
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Err(bad());
        }
        let now = self.now();
        let mut c = self.db.read().await?;
        let t = tokens::token_by_hash(&mut c, &hash_secret(token))
            .await?
            .ok_or_else(bad)?;
        if t.expires_at.is_some_and(|e| e.0 <= now) {
            return Err(bad());
        }
        let user = users::user_by_id(&mut c, t.user_id)
            .await?
            .ok_or_else(bad)?;
        if user.disabled {
            return Err(bad());
        }
        drop(c);
        if t.last_used_at
            .is_none_or(|l| now.millis() - l.0.millis() > 60_000)
        {
            let mut tx = self.db.begin().await?;
            tokens::touch_token(&mut tx, t.id, Ts(now)).await?;
            tx.commit().await?;
        }
        Ok(principal_of(&user, None, Some(t.id)))
    }

    /// End the caller's current session.
    pub async fn logout(&self, p: &Principal) -> AppResult<()> {
        let Some(sid) = p.session_id else {
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        if sessions::delete_session(&mut tx, p.user_id, sid).await? {
            record(
                self,
                &mut tx,
                Actor::User(p),
                Change {
                    org_id: None,
                    entity: "session",
                    entity_id: sid.to_string(),
                    action: "sign_out",
                    summary: format!("{} signed out", p.email),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Delete what no longer counts: sessions past their absolute or idle end, and
    /// sign-in failure counters whose window has closed. Returns the rows removed.
    pub async fn housekeeping(&self) -> AppResult<u64> {
        let now = self.now();
        let idle_cutoff = Ts(now.plus_seconds(-self.settings.session_idle_secs));
        let mut tx = self.db.begin().await?;
        let n = sessions::delete_stale(&mut tx, Ts(now), idle_cutoff).await?
            + ratelimit::delete_closed(&mut tx, self.window_start()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Remove a half-finished sign-in (waiting for the second factor) by its token.
    pub async fn abandon_pending(&self, token: &str) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        if let Some(s) = sessions::session_by_token_hash(&mut tx, &hash_secret(token)).await?
            && s.mfa_pending
        {
            sessions::delete_session(&mut tx, s.user_id, s.id).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Six digits (spaces allowed) is a one-time code; anything else is taken as a
/// recovery code.
fn is_totp_code(code: &str) -> bool {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() == totp::DIGITS as usize && compact.chars().all(|c| c.is_ascii_digit())
}

pub(crate) fn principal_of(
    u: &users::UserRow,
    session_id: Option<Uuid>,
    token_id: Option<Uuid>,
) -> Principal {
    Principal {
        user_id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        is_admin: u.is_admin,
        totp_enabled: u.totp_enabled,
        session_id,
        token_id,
    }
}
