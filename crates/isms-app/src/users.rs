//! User accounts: creation, administration, own profile, password and second factor.

use crate::auth::{hash_password, principal_of, verify_password};
use crate::{
    Actor, App, AppError, AppResult, Change, Page, Principal, decode_cursor, page_limit, paginate,
    random_bytes, record,
};
use isms_db::users::{self, UserRow};
use isms_db::{Ts, sessions};
use isms_domain::ValidationError;
use isms_domain::org::parse_name;
use isms_domain::secret::{hash_secret, recovery_code_from_bytes};
use isms_domain::totp;
use isms_domain::user::{Email, check_password};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user account as shown (never the password hash or TOTP secret).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// Instance administrator: sees and manages every organisation.
    pub is_admin: bool,
    pub disabled: bool,
    pub totp_enabled: bool,
    /// RFC 3339.
    pub created_at: String,
    pub version: i64,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            is_admin: u.is_admin,
            disabled: u.disabled,
            totp_enabled: u.totp_enabled,
            created_at: u.created_at.0.rfc3339(),
            version: u.version,
        }
    }
}

fn snapshot(u: &UserRow) -> serde_json::Value {
    serde_json::json!({
        "email": u.email, "name": u.name, "is_admin": u.is_admin,
        "disabled": u.disabled, "totp_enabled": u.totp_enabled,
    })
}

/// A new account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// At least 12 characters; not a well-known password.
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

/// Changes to an account (instance administrators; a person may change their own name).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub is_admin: Option<bool>,
    pub disabled: Option<bool>,
    /// The `version` you read; a stale one is refused with 409.
    pub version: i64,
}

/// What an authenticator app needs to start showing codes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotpSetup {
    /// The shared secret, base32, to type in by hand.
    pub secret: String,
    /// The `otpauth://` URI (the QR code encodes this).
    pub otpauth_uri: String,
}

impl App {
    /// Validate and create an account inside `tx` (used by user and member services).
    pub(crate) async fn insert_user_tx(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        input: &NewUser,
    ) -> AppResult<UserRow> {
        let mut v = ValidationError::new();
        let email = v.check(Email::parse("email", &input.email));
        let name = v.check(parse_name("name", &input.name, 120));
        if let Some(e) = &email {
            v.check(check_password("password", &input.password, Some(e)));
        }
        v.into_result()?;
        let (Some(email), Some(name)) = (email, name) else {
            return Err(AppError::Internal(
                "validation passed without values".into(),
            ));
        };
        if users::user_by_email(tx, email.as_str()).await?.is_some() {
            return Err(
                ValidationError::single("email", "is already used by another account").into(),
            );
        }
        let now = Ts(self.now());
        let row = UserRow {
            id: Uuid::now_v7(),
            email: email.as_str().to_owned(),
            name,
            password_hash: hash_password(input.password.clone()).await?,
            is_admin: input.is_admin,
            disabled: false,
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        users::insert_user(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: None,
                entity: "user",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "created account {}{}",
                    row.email,
                    if row.is_admin {
                        " (instance administrator)"
                    } else {
                        ""
                    }
                ),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        Ok(row)
    }

    /// Create an account. Instance administrators (and the command line) only.
    pub async fn create_user(&self, actor: Actor<'_>, input: &NewUser) -> AppResult<UserView> {
        if !actor.is_instance_admin() {
            return Err(AppError::forbidden(
                "create accounts (instance administrators only)",
            ));
        }
        let mut tx = self.db.begin().await?;
        let row = self.insert_user_tx(&mut tx, actor, input).await?;
        tx.commit().await?;
        Ok(UserView::from(&row))
    }

    pub async fn user_count(&self) -> AppResult<i64> {
        let mut c = self.db.read().await?;
        Ok(users::count_users(&mut c).await?)
    }

    /// One account: yourself, or anyone for an instance administrator.
    pub async fn get_user(&self, p: &Principal, id: Uuid) -> AppResult<UserView> {
        if !p.is_admin && p.user_id != id {
            return Err(AppError::NotFound("user"));
        }
        let mut c = self.db.read().await?;
        let u = users::user_by_id(&mut c, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        Ok(UserView::from(&u))
    }

    pub async fn get_user_by_email(&self, email: &str) -> AppResult<Option<UserView>> {
        let mut c = self.db.read().await?;
        Ok(users::user_by_email(&mut c, &email.trim().to_lowercase())
            .await?
            .as_ref()
            .map(UserView::from))
    }

    /// Every account (instance administrators).
    pub async fn list_users(
        &self,
        p: &Principal,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<UserView>> {
        if !p.is_admin {
            return Err(AppError::forbidden(
                "list every account (instance administrators only)",
            ));
        }
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = users::list_users(
            &mut c,
            q.filter(|s| !s.trim().is_empty()),
            after.as_deref(),
            limit + 1,
        )
        .await?;
        Ok(paginate(
            rows,
            limit,
            |u| u.email.clone(),
            |u| UserView::from(&u),
        ))
    }

    /// Change an account. Instance administrators may change everything of anyone except
    /// their own admin and disabled flags; others only their own name.
    pub async fn update_user(
        &self,
        p: &Principal,
        id: Uuid,
        patch: &UserPatch,
    ) -> AppResult<UserView> {
        let own = p.user_id == id;
        if !p.is_admin && !own {
            return Err(AppError::NotFound("user"));
        }
        if !p.is_admin && (patch.is_admin.is_some() || patch.disabled.is_some()) {
            return Err(AppError::forbidden(
                "change administrator or disabled flags",
            ));
        }
        if own && (patch.is_admin == Some(false) || patch.disabled == Some(true)) {
            return Err(ValidationError::single(
                if patch.disabled == Some(true) {
                    "disabled"
                } else {
                    "is_admin"
                },
                "you cannot lock yourself out; ask another administrator",
            )
            .into());
        }
        let name = patch
            .name
            .as_deref()
            .map(|n| parse_name("name", n, 120))
            .transpose()?;
        let mut tx = self.db.begin().await?;
        let before = users::user_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let after = users::update_user(
            &mut tx,
            id,
            name.as_deref().unwrap_or(&before.name),
            patch.is_admin.unwrap_or(before.is_admin),
            patch.disabled.unwrap_or(before.disabled),
            patch.version,
            Ts(self.now()),
        )
        .await?
        .ok_or_else(|| AppError::stale("account"))?;
        if after.disabled && !before.disabled {
            sessions::delete_user_sessions(&mut tx, id, None).await?;
        }
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "user",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed account {}", after.email),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(UserView::from(&after))
    }

    /// Change your own password; every other session of yours ends.
    pub async fn change_password(&self, p: &Principal, current: &str, new: &str) -> AppResult<()> {
        let mut c = self.db.read().await?;
        let u = users::user_by_id(&mut c, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        drop(c);
        if !verify_password(current.to_owned(), u.password_hash.clone()).await? {
            return Err(ValidationError::single(
                "current_password",
                "is not your current password",
            )
            .into());
        }
        let email = Email::parse("email", &u.email)?;
        check_password("new_password", new, Some(&email))?;
        let hash = hash_password(new.to_owned()).await?;
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, u.id, &hash, Ts(self.now())).await?;
        let ended = sessions::delete_user_sessions(&mut tx, u.id, p.session_id).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "user",
                entity_id: u.id.to_string(),
                action: "change_password",
                summary: format!(
                    "{} changed their password ({ended} other sessions ended)",
                    u.email
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Set a password for an account from the server's command line (recovery).
    pub async fn reset_password_cli(&self, email: &str, new: &str) -> AppResult<()> {
        let email = Email::parse("email", email)?;
        check_password("password", new, Some(&email))?;
        let hash = hash_password(new.to_owned()).await?;
        let mut tx = self.db.begin().await?;
        let u = users::user_by_email(&mut tx, email.as_str())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        users::set_password(&mut tx, u.id, &hash, Ts(self.now())).await?;
        sessions::delete_user_sessions(&mut tx, u.id, None).await?;
        record(
            self,
            &mut tx,
            Actor::Cli,
            Change {
                org_id: None,
                entity: "user",
                entity_id: u.id.to_string(),
                action: "reset_password",
                summary: format!("reset the password of {} from the command line", u.email),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Start TOTP enrolment: a new secret, stored but not active until confirmed.
    pub async fn begin_totp(&self, p: &Principal) -> AppResult<TotpSetup> {
        let mut tx = self.db.begin().await?;
        let u = users::user_by_id(&mut tx, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        if u.totp_enabled {
            return Err(AppError::Conflict(
                "two-step sign-in is already on; turn it off first to enrol a new device".into(),
            ));
        }
        let secret: [u8; 20] = random_bytes()?;
        let b32 = totp::base32_encode(&secret);
        users::set_totp(&mut tx, u.id, Some(&b32), false, Ts(self.now())).await?;
        tx.commit().await?;
        Ok(TotpSetup {
            otpauth_uri: totp::otpauth_uri(&self.settings.totp_issuer, &u.email, &secret),
            secret: b32,
        })
    }

    /// The pending (not yet confirmed) TOTP setup, to show the QR code again.
    pub async fn pending_totp(&self, p: &Principal) -> AppResult<Option<TotpSetup>> {
        let mut c = self.db.read().await?;
        let u = users::user_by_id(&mut c, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        if u.totp_enabled {
            return Ok(None);
        }
        Ok(u.totp_secret.as_deref().and_then(|b32| {
            totp::base32_decode(b32).map(|secret| TotpSetup {
                otpauth_uri: totp::otpauth_uri(&self.settings.totp_issuer, &u.email, &secret),
                secret: b32.to_owned(),
            })
        }))
    }

    async fn new_recovery_codes(
        &self,
        tx: &mut isms_db::Tx,
        user_id: Uuid,
    ) -> AppResult<Vec<String>> {
        let mut codes = Vec::with_capacity(10);
        let mut hashes = Vec::with_capacity(10);
        for _ in 0..10 {
            let code = recovery_code_from_bytes(&random_bytes::<12>()?);
            hashes.push((Uuid::now_v7(), hash_secret(&code)));
            codes.push(code);
        }
        users::replace_recovery_codes(tx, user_id, &hashes).await?;
        Ok(codes)
    }

    /// Confirm enrolment with a code from the app; returns ten recovery codes, shown once.
    pub async fn confirm_totp(&self, p: &Principal, code: &str) -> AppResult<Vec<String>> {
        let mut tx = self.db.begin().await?;
        let u = users::user_by_id(&mut tx, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        if u.totp_enabled {
            return Err(AppError::Conflict("two-step sign-in is already on".into()));
        }
        let secret = u
            .totp_secret
            .as_deref()
            .and_then(totp::base32_decode)
            .ok_or_else(|| ValidationError::single("code", "start the set-up first"))?;
        let step = totp::verify(&secret, code, self.now().seconds(), None).ok_or_else(|| {
            ValidationError::single(
                "code",
                "does not match; check the time on your phone and try the next code",
            )
        })?;
        users::set_totp(
            &mut tx,
            u.id,
            u.totp_secret.as_deref(),
            true,
            Ts(self.now()),
        )
        .await?;
        users::advance_totp_step(&mut tx, u.id, step).await?;
        let codes = self.new_recovery_codes(&mut tx, u.id).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "user",
                entity_id: u.id.to_string(),
                action: "enable_totp",
                summary: format!("{} turned on two-step sign-in", u.email),
                before: Some(serde_json::json!({"totp_enabled": false})),
                after: Some(serde_json::json!({"totp_enabled": true})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Turn the second factor off (needs the password).
    pub async fn disable_totp(&self, p: &Principal, password: &str) -> AppResult<()> {
        let mut c = self.db.read().await?;
        let u = users::user_by_id(&mut c, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        drop(c);
        if !verify_password(password.to_owned(), u.password_hash.clone()).await? {
            return Err(ValidationError::single("password", "is not your current password").into());
        }
        let mut tx = self.db.begin().await?;
        users::set_totp(&mut tx, u.id, None, false, Ts(self.now())).await?;
        users::replace_recovery_codes(&mut tx, u.id, &[]).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "user",
                entity_id: u.id.to_string(),
                action: "disable_totp",
                summary: format!("{} turned off two-step sign-in", u.email),
                before: Some(serde_json::json!({"totp_enabled": u.totp_enabled})),
                after: Some(serde_json::json!({"totp_enabled": false})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replace the recovery codes (needs the password); returns the new ones.
    pub async fn regenerate_recovery_codes(
        &self,
        p: &Principal,
        password: &str,
    ) -> AppResult<Vec<String>> {
        let mut c = self.db.read().await?;
        let u = users::user_by_id(&mut c, p.user_id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        drop(c);
        if !u.totp_enabled {
            return Err(AppError::Conflict(
                "two-step sign-in is off; there are no recovery codes".into(),
            ));
        }
        if !verify_password(password.to_owned(), u.password_hash.clone()).await? {
            return Err(ValidationError::single("password", "is not your current password").into());
        }
        let mut tx = self.db.begin().await?;
        let codes = self.new_recovery_codes(&mut tx, u.id).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "user",
                entity_id: u.id.to_string(),
                action: "new_recovery_codes",
                summary: format!("{} made new recovery codes", u.email),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    pub async fn recovery_codes_left(&self, p: &Principal) -> AppResult<i64> {
        let mut c = self.db.read().await?;
        Ok(users::unused_recovery_codes(&mut c, p.user_id).await?)
    }

    /// The principal of an account (for the command line and tests).
    pub async fn principal_for_email(&self, email: &str) -> AppResult<Principal> {
        let mut c = self.db.read().await?;
        let u = users::user_by_email(&mut c, &email.trim().to_lowercase())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        Ok(principal_of(&u, None, None))
    }
}
