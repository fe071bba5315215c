//! Services: the only door into ISMS Workbench. The web UI, the REST API and the CLI
//! all call these functions; each one authorises, loads, applies the domain rule and
//! persists the change together with its audit-trail entry in one transaction.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod catalogue;
pub mod certification;
pub mod competence;
pub mod controls;
pub mod dashboard;
pub mod demo;
mod demo_assets;
mod demo_audit;
mod demo_certification;
mod demo_controls;
mod demo_documents;
mod demo_evidence;
mod demo_findings;
pub mod demo_gen;
mod demo_ops;
mod demo_people;
mod demo_soa;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod exports;
pub mod findings;
pub mod foundation;
pub mod frameworks;
pub mod gap;
mod import_rows;
pub mod imports;
pub mod incidents;
pub mod internal_audits;
pub mod isms_code;
pub mod kept;
pub mod measurements;
pub mod members;
pub mod orgs;
pub mod oscal;
pub mod own_controls;
pub mod progress;
pub mod readiness;
pub mod reviews;
pub mod risk_library;
pub mod risk_methods;
pub mod risks;
pub mod soa;
pub mod stage1_pack;
pub mod suppliers;
pub mod tasks;
pub mod tokens;
pub mod users;

pub use error::{AppError, AppResult};

use base64::Engine as _;
use isms_db::{Db, Tx};
use isms_domain::audit::{EntryContent, INSTANCE_CHAIN, recorded_change};
use isms_domain::time::{Clock, Timestamp};
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// The real clock. The only place that reads the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::from_offset(time::OffsetDateTime::now_utc())
    }
}

/// Settings the services need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, whatever happens.
    pub session_absolute_secs: i64,
    /// Failed sign-ins per e-mail address within the window before we refuse.
    pub max_failures_per_account: i64,
    /// Failed sign-ins per client address within the window before we refuse.
    pub max_failures_per_ip: i64,
    pub failure_window_secs: i64,
    /// Shown in authenticator apps.
    pub totp_issuer: String,
    /// Largest file accepted for upload (evidence, document attachments), in bytes.
    pub upload_limit_bytes: u64,
}

/// The default upload limit: 25 MiB.
pub const DEFAULT_UPLOAD_LIMIT_BYTES: u64 = 25 * 1024 * 1024;

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_idle_secs: 12 * 3600,
            session_absolute_secs: 7 * 24 * 3600,
            max_failures_per_account: 10,
            max_failures_per_ip: 100,
            failure_window_secs: 15 * 60,
            totp_issuer: "ISMS Workbench".into(),
            upload_limit_bytes: DEFAULT_UPLOAD_LIMIT_BYTES,
        }
    }
}

/// The application: database, clock and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Readiness facts per organisation, kept while its audit trail has not moved.
    pub(crate) facts_cache: Arc<kept::Kept<isms_domain::readiness::Facts>>,
    /// The live inputs of a draft SoA's reasons, kept the same way.
    pub(crate) soa_live_cache: Arc<kept::Kept<soa::Live>>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            facts_cache: Arc::default(),
            soa_live_cache: Arc::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn today(&self) -> time::Date {
        self.now().date()
    }
}

/// A signed-in person, as every service sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub totp_enabled: bool,
    /// The session they came with (web and `auth/login`), if any.
    pub session_id: Option<Uuid>,
    /// The API token they came with, if any.
    pub token_id: Option<Uuid>,
}

/// Who does something: a signed-in person, or the command line on the server itself.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    User(&'a Principal),
    /// `isms` subcommands run by whoever operates the server.
    Cli,
}

impl Actor<'_> {
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User(p) => Some(p.user_id),
            Actor::Cli => None,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Actor::User(p) => p.email.clone(),
            Actor::Cli => "command line".into(),
        }
    }

    pub fn is_instance_admin(&self) -> bool {
        match self {
            Actor::User(p) => p.is_admin,
            Actor::Cli => true,
        }
    }
}

/// One audit-trail record to write with a change.
pub struct Change<'a> {
    /// The organisation, or `None` for instance-wide changes.
    pub org_id: Option<Uuid>,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Append the audit-trail entry for `change` inside `tx`.
pub(crate) async fn record(
    app: &App,
    tx: &mut Tx,
    actor: Actor<'_>,
    change: Change<'_>,
) -> AppResult<()> {
    let recorded = recorded_change(change.before.as_ref(), change.after.as_ref());
    let content = EntryContent {
        chain_id: change.org_id.unwrap_or(INSTANCE_CHAIN),
        seq: 0,
        at: app.now(),
        actor_id: actor.id(),
        actor: actor.label(),
        entity: change.entity.to_owned(),
        entity_id: change.entity_id,
        action: change.action.to_owned(),
        summary: change.summary,
        before_digest: recorded.before_digest,
        after_digest: recorded.after_digest,
        details: recorded.details,
    };
    isms_db::audit::append(tx, Uuid::now_v7(), content).await?;
    Ok(())
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> AppResult<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(b)
}

/// A random secret as hex (session tokens, CSRF tokens).
pub fn random_hex(n: usize) -> AppResult<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(b))
}

/// A page of a keyset-paginated list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Encode a keyset position as an opaque cursor.
pub fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// Decode a cursor made by [`encode_cursor`]; a bad cursor names the field.
pub fn decode_cursor(cursor: Option<&str>) -> AppResult<Option<String>> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| {
                AppError::Validation(isms_domain::ValidationError::single(
                    "cursor",
                    "is not a cursor this server issued",
                ))
            }),
    }
}

/// Decode a cursor that holds a number (lists keyed by a version number).
pub fn decode_number_cursor(cursor: Option<&str>) -> AppResult<Option<i64>> {
    match decode_cursor(cursor)? {
        None => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            AppError::Validation(isms_domain::ValidationError::single(
                "cursor",
                "is not a cursor this server issued",
            ))
        }),
    }
}

/// Clamp a requested page size to 1..=500 (default 50).
pub fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(50).clamp(1, 500)
}

/// Cut a fetched `limit + 1` rows down to a page and its next cursor.
pub(crate) fn paginate<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> String,
    map: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(&key(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(map).collect(),
        next_cursor,
    }
}
