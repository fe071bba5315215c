//! All SQL of ISMS Workbench. One [`Db`] type over a SQLite or a PostgreSQL pool; the
//! same query text and the same `FromRow` structs run on both (see docs/database.md).

pub mod assets;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod bulk;
pub mod certification;
pub mod competence;
pub mod controls;
pub mod dashboard;
pub mod documents;
pub mod evidence;
pub mod findings;
pub mod foundation;
pub mod frameworks;
pub mod gap;
pub mod import;
pub mod incidents;
pub mod internal_audits;
pub mod isms_code;
pub mod measurements;
pub mod orgs;
pub mod own_controls;
pub mod ratelimit;
pub mod readiness;
pub mod reviews;
pub mod risk_library;
pub mod risk_methods;
pub mod risks;
pub mod schema;
pub mod sessions;
pub mod soa;
pub mod suppliers;
pub mod tasks;
pub mod tokens;
pub mod types;
pub mod users;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub use types::{Day, Ts};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a record with the same {0} already exists")]
    Duplicate(&'static str),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("{0}")]
    Backup(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl DbError {
    /// Whether the error is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Duplicate(_) => true,
            DbError::Sqlx(e) => e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            _ => false,
        }
    }
}

/// Map a unique violation to [`DbError::Duplicate`] naming the field.
pub fn dup(field: &'static str) -> impl Fn(sqlx::Error) -> DbError {
    move |e| {
        if e.as_database_error()
            .is_some_and(|d| d.is_unique_violation())
        {
            DbError::Duplicate(field)
        } else {
            DbError::Sqlx(e)
        }
    }
}

/// Which engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database: one pool of one engine.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either engine; every query function takes one.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Anything that can lend a [`Conn`]: a pooled connection or a transaction.
pub trait AsConn: Send {
    fn conn(&mut self) -> Conn<'_>;
}

/// A connection taken from the pool (for reads).
pub enum PoolConn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl AsConn for PoolConn {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(c),
            PoolConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A write transaction (on SQLite begun with `BEGIN IMMEDIATE`).
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl AsConn for Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Run the same expression on whichever engine `c` (an [`AsConn`]) talks to; inside,
/// `$x` is `&mut SqliteConnection` or `&mut PgConnection`.
#[macro_export]
macro_rules! run {
    ($c:expr, $x:ident => $body:expr) => {
        match $crate::AsConn::conn($c) {
            $crate::Conn::Sqlite($x) => $body,
            $crate::Conn::Postgres($x) => $body,
        }
    };
}

/// Serialise the choice of an organisation's next record number in `table` until the
/// caller's transaction ends. Numbers are `MAX(number) + 1`: on SQLite every write
/// transaction already runs alone (`BEGIN IMMEDIATE`), but on PostgreSQL two concurrent
/// creates would read the same maximum and the second would fail on the unique
/// `(org_id, number)` key. A transaction-scoped advisory lock, keyed by table and
/// organisation, makes the second wait for the first to commit. (Outside a transaction
/// the lock ends with the statement; every create runs in one.)
pub(crate) async fn lock_numbering(
    c: &mut impl AsConn,
    table: &str,
    org_id: uuid::Uuid,
) -> Result<(), DbError> {
    if let Conn::Postgres(x) = c.conn() {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(numbering_key(table, org_id))
            .execute(x)
            .await?;
    }
    Ok(())
}

/// The advisory-lock key of a table's numbering in an organisation: FNV-1a over both
/// (a collision only makes two unrelated creates wait for each other).
fn numbering_key(table: &str, org_id: uuid::Uuid) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in table
        .bytes()
        .chain([0])
        .chain(org_id.as_bytes().iter().copied())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

/// `sql` with its `$1, $2, …` placeholders written as SQLite's anonymous `?`, when each
/// number appears once and in order (as in the multi-row inserts); `None` otherwise.
///
/// Why: sqlx looks up every parameter's name with `sqlite3_bind_parameter_name`, which
/// walks SQLite's list of named parameters, so binding a statement with thousands of
/// `$N` placeholders is quadratic (60 % of a 100,000-asset import). Anonymous `?`
/// parameters are not in that list.
pub(crate) fn sqlite_positional(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1u64;
    let mut rest = sql;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || after[..digits].parse::<u64>().ok()? != expected {
            return None;
        }
        expected += 1;
        out.push('?');
        rest = &after[digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// The statement text for the connection's engine: SQLite gets [`sqlite_positional`]
/// placeholders where they are sequential.
pub(crate) fn for_engine(c: &mut impl AsConn, sql: String) -> String {
    match c.conn() {
        Conn::Sqlite(_) => sqlite_positional(&sql).unwrap_or(sql),
        Conn::Postgres(_) => sql,
    }
}

/// A bound value of a dynamically built query (filters built only from what was given).
pub(crate) enum Param {
    Uuid(uuid::Uuid),
    Text(String),
    Int(i64),
    Bool(bool),
    Day(Day),
}

/// Fetch all rows of `$row` for `sql` with `org_id` as `$1` and then `params` in order.
macro_rules! fetch_with {
    ($c:expr, $row:ty, $sql:expr, $org:expr, $params:expr) => {
        $crate::run!($c, x => {
            let mut q = sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe($sql.clone())).bind($org);
            for p in $params {
                q = match p {
                    $crate::Param::Uuid(v) => q.bind(*v),
                    $crate::Param::Text(v) => q.bind(v.clone()),
                    $crate::Param::Int(v) => q.bind(*v),
                    $crate::Param::Bool(v) => q.bind(*v),
                    $crate::Param::Day(v) => q.bind(*v),
                };
            }
            q.fetch_all(x).await
        })
    };
}
pub(crate) use fetch_with;

/// Options for opening the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub url: String,
    pub max_connections: u32,
    /// PostgreSQL only: run every connection with this `search_path` (tests use one
    /// schema per test).
    pub pg_schema: Option<String>,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 16,
            pg_schema: None,
        }
    }
}

/// Take an exclusive lock on `<file>.migrate-lock` beside a SQLite database file, so that
/// processes sharing the file create it, switch it to WAL and migrate it one at a time.
/// In-memory databases need no lock.
async fn sqlite_file_lock(file: &std::path::Path) -> Result<Option<std::fs::File>, DbError> {
    let in_memory = file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:");
    if in_memory {
        return Ok(None);
    }
    let mut lock_path = file.to_path_buf().into_os_string();
    lock_path.push(".migrate-lock");
    let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        f.lock()?;
        Ok(f)
    })
    .await
    .map_err(|e| DbError::Io(std::io::Error::other(e)))??;
    Ok(Some(lock))
}

/// Rows buffered between SQLite's thread and the reader (see [`Db::connect`]).
const SQLITE_ROW_BUFFER: usize = 8192;

impl Db {
    /// Open a pool for a `sqlite://…` or `postgres://…` URL. SQLite files are created
    /// when missing and run in WAL mode.
    pub async fn connect(opts: &ConnectOptions) -> Result<Db, DbError> {
        let url = opts.url.as_str();
        if url.starts_with("sqlite:") {
            let o = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // sqlx hands each row from SQLite's thread to ours through a channel of 50
                // rows by default; when it is full, SQLite's thread sleeps until we take
                // one. A channel as long as our longest page lets it read on while we
                // decode (a small gain on its own; docs/performance.md, 2026-12-04).
                .row_buffer_size(SQLITE_ROW_BUFFER);
            // Several processes opening a new file at once race to create it and to switch
            // it to WAL; SQLite answers "database is locked" to the loser without waiting, so
            // the first connection is opened under the same file lock the migrations use.
            let guard = sqlite_file_lock(o.get_filename()).await?;
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, 64))
                // A connection to a local file cannot go away between uses; pinging it on
                // every checkout is one more round trip to SQLite's thread per query.
                .test_before_acquire(false)
                .min_connections(1)
                .connect_with(o)
                .await;
            if let Some(f) = guard {
                let _ = f.unlock();
            }
            Ok(Db::Sqlite(pool?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut o = PgConnectOptions::from_str(url)?;
            if let Some(s) = &opts.pg_schema {
                o = o.options([("search_path", s.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, 256))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(o)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::BadUrl(url.to_owned()))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Apply every pending migration. On PostgreSQL sqlx holds an advisory lock while it
    /// migrates, so several instances starting at once apply each migration once.
    ///
    /// SQLite has no such lock, so processes sharing a database file take an exclusive
    /// lock on `<file>.migrate-lock` beside it while they migrate.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(p) => {
                let guard = sqlite_file_lock(p.connect_options().get_filename()).await?;
                let result = sqlx::migrate!("./migrations/sqlite").run(p).await;
                if let Some(f) = guard {
                    let _ = f.unlock();
                }
                result?
            }
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// A pooled connection for reads.
    pub async fn read(&self) -> Result<PoolConn, DbError> {
        Ok(match self {
            Db::Sqlite(p) => PoolConn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => PoolConn::Postgres(p.acquire().await?),
        })
    }

    /// A write transaction.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A consistent read-only snapshot across many queries (backups).
    pub async fn snapshot(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Whether the database answers (readiness probe).
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut c = self.read().await?;
        let _: i64 =
            run!(&mut c, x => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(x).await)?;
        Ok(())
    }

    /// Refresh the planner's statistics (after a bulk load; both engines know `ANALYZE`).
    pub async fn analyze(&self) -> Result<(), DbError> {
        let mut c = self.read().await?;
        run!(&mut c, x => sqlx::query("ANALYZE").execute(x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// A dynamic argument for queries whose text is assembled at run time (optional filters).
#[derive(Debug, Clone)]
pub enum Arg {
    Uuid(uuid::Uuid),
    Text(String),
    Int(i64),
    Ts(Ts),
}

/// Bind a list of [`Arg`]s to a query of either engine.
#[macro_export]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::Arg::Uuid(v) => q.bind(*v),
                $crate::Arg::Text(v) => q.bind(v.clone()),
                $crate::Arg::Int(v) => q.bind(*v),
                $crate::Arg::Ts(v) => q.bind(*v),
            };
        }
        q
    }};
}

#[cfg(test)]
mod positional_tests {
    use super::sqlite_positional;

    #[test]
    fn sequential_placeholders_become_anonymous() {
        assert_eq!(
            sqlite_positional("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t (a, b) VALUES (?, ?), (?, ?)")
        );
        assert_eq!(sqlite_positional("SELECT 1").as_deref(), Some("SELECT 1"));
        // Out of order, repeated or bare: kept as written.
        assert_eq!(sqlite_positional("WHERE a = $2 AND b = $1"), None);
        assert_eq!(sqlite_positional("WHERE a = $1 OR b = $1"), None);
        assert_eq!(sqlite_positional("WHERE a = $x"), None);
    }
}
