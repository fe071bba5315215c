//! A person's own sessions and API tokens.

use crate::{Actor, App, AppError, AppResult, Change, Principal, random_bytes, record};
use isms_db::tokens::{self, TokenRow};
use isms_db::{Ts, sessions};
use isms_domain::ValidationError;
use isms_domain::org::parse_name;
use isms_domain::secret::{api_token_from_bytes, hash_secret, token_display_prefix};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A signed-in session of the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: String,
    pub user_agent: String,
    /// The session this request came with.
    pub current: bool,
    /// Password given, one-time code still missing.
    pub mfa_pending: bool,
}

/// An API token (never its secret, which is shown once at creation).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    /// The first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

impl From<&TokenRow> for TokenView {
    fn from(t: &TokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            prefix: t.display_prefix.clone(),
            created_at: t.created_at.0.rfc3339(),
            last_used_at: t.last_used_at.map(|x| x.0.rfc3339()),
            expires_at: t.expires_at.map(|x| x.0.rfc3339()),
        }
    }
}

/// A new API token.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "CI readiness check".
    pub name: String,
    /// Days until it stops working (1–3650); omit for no expiry.
    pub expires_in_days: Option<i64>,
}

/// A freshly made token: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. Not shown again.
    pub secret: String,
}

impl App {
    pub async fn list_sessions(&self, p: &Principal) -> AppResult<Vec<SessionView>> {
        let mut c = self.db.read().await?;
        let rows = sessions::list_sessions(&mut c, p.user_id, Ts(self.now())).await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionView {
                current: Some(s.id) == p.session_id,
                id: s.id,
                created_at: s.created_at.0.rfc3339(),
                last_seen_at: s.last_seen_at.0.rfc3339(),
                expires_at: s.expires_at.0.rfc3339(),
                ip: s.ip,
                user_agent: s.user_agent,
                mfa_pending: s.mfa_pending,
            })
            .collect())
    }

    /// End one of your own sessions (404 for anyone else's).
    pub async fn revoke_session(&self, p: &Principal, id: Uuid) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        if !sessions::delete_session(&mut tx, p.user_id, id).await? {
            return Err(AppError::NotFound("session"));
        }
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "session",
                entity_id: id.to_string(),
                action: "revoke",
                summary: format!("{} ended a session", p.email),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_tokens(&self, p: &Principal) -> AppResult<Vec<TokenView>> {
        let mut c = self.db.read().await?;
        Ok(tokens::list_tokens(&mut c, p.user_id)
            .await?
            .iter()
            .map(TokenView::from)
            .collect())
    }

    /// Make an API token that acts with the caller's rights.
    pub async fn create_token(&self, p: &Principal, input: &NewToken) -> AppResult<CreatedToken> {
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, 100));
        if let Some(d) = input.expires_in_days
            && !(1..=3650).contains(&d)
        {
            v.push("expires_in_days", "must be from 1 to 3650 days");
        }
        v.into_result()?;
        let name = name.unwrap_or_default();
        let secret = api_token_from_bytes(&random_bytes::<32>()?);
        let now = self.now();
        let row = TokenRow {
            id: Uuid::now_v7(),
            user_id: p.user_id,
            name,
            token_hash: hash_secret(&secret),
            display_prefix: token_display_prefix(&secret),
            created_at: Ts(now),
            last_used_at: None,
            expires_at: input
                .expires_in_days
                .map(|d| Ts(now.plus_seconds(d * 86_400))),
        };
        let mut tx = self.db.begin().await?;
        tokens::insert_token(&mut tx, &row).await?;
        record(self, &mut tx, Actor::User(p), Change {
            org_id: None,
            entity: "api_token",
            entity_id: row.id.to_string(),
            action: "create",
            summary: format!("{} created API token \"{}\" ({}…)", p.email, row.name, row.display_prefix),
            before: None,
            after: Some(serde_json::json!({"name": row.name, "prefix": row.display_prefix, "expires_at": row.expires_at.map(|t| t.0.rfc3339())})),
        })
        .await?;
        tx.commit().await?;
        Ok(CreatedToken {
            token: TokenView::from(&row),
            secret,
        })
    }

    /// Revoke one of your own tokens (404 for anyone else's).
    pub async fn revoke_token(&self, p: &Principal, id: Uuid) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let t = tokens::token_of_user(&mut tx, p.user_id, id)
            .await?
            .ok_or(AppError::NotFound("token"))?;
        tokens::delete_token(&mut tx, p.user_id, id).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: None,
                entity: "api_token",
                entity_id: id.to_string(),
                action: "revoke",
                summary: format!(
                    "{} revoked API token \"{}\" ({}…)",
                    p.email, t.name, t.display_prefix
                ),
                before: Some(serde_json::json!({"name": t.name, "prefix": t.display_prefix})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
