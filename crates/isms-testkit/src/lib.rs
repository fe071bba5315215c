#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Test support: a real server on 127.0.0.1:0 over a throw-away SQLite file, or over a
//! fresh PostgreSQL schema when `ISMS_TEST_DATABASE_URL` is set; people in every role;
//! a small typed HTTP client.

use isms_app::members::NewMember;
use isms_app::orgs::{NewOrg, OrgView};
use isms_app::users::NewUser;
use isms_app::{Actor, App, Settings};
use isms_db::{ConnectOptions, Db};
use isms_domain::rbac::Role;
use isms_domain::time::{Clock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A clock tests can move.
#[derive(Debug)]
pub struct TestClock(AtomicI64);

impl TestClock {
    pub fn new(start: Timestamp) -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(start.millis())))
    }
    pub fn advance_days(&self, days: i64) {
        self.0.fetch_add(days * 86_400_000, Ordering::SeqCst);
    }
    pub fn now_secs(&self) -> i64 {
        self.now().seconds()
    }
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// Where a test's database lives.
#[derive(Debug, Clone)]
pub enum TestDb {
    Sqlite { url: String },
    Postgres { url: String, schema: String },
}

impl TestDb {
    /// A new, empty database: a temp SQLite file, or a new schema on the PostgreSQL
    /// server named by `ISMS_TEST_DATABASE_URL`.
    pub async fn fresh(dir: &std::path::Path) -> Self {
        match std::env::var("ISMS_TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            Some(base) => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let db = Db::connect(&ConnectOptions {
                    url: base.clone(),
                    max_connections: 1,
                    pg_schema: None,
                })
                .await
                .expect("connect to ISMS_TEST_DATABASE_URL");
                if let Db::Postgres(p) = &db {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                        .execute(p)
                        .await
                        .expect("create schema");
                }
                db.close().await;
                TestDb::Postgres { url: base, schema }
            }
            None => TestDb::Sqlite {
                url: format!("sqlite://{}", dir.join("test.db").display()),
            },
        }
    }

    pub fn options(&self) -> ConnectOptions {
        match self {
            TestDb::Sqlite { url } => ConnectOptions {
                url: url.clone(),
                max_connections: 8,
                pg_schema: None,
            },
            TestDb::Postgres { url, schema } => ConnectOptions {
                url: url.clone(),
                max_connections: 8,
                pg_schema: Some(schema.clone()),
            },
        }
    }

    /// The URL for the `isms` binary (`--database`), search path included for PostgreSQL.
    pub fn cli_url(&self) -> String {
        match self {
            TestDb::Sqlite { url } => url.clone(),
            TestDb::Postgres { url, schema } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options=-c%20search_path%3D{schema}")
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }

    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.options())
            .await
            .expect("connect test database");
        db.migrate().await.expect("migrate test database");
        db
    }
}

/// A running server with its application and clock.
pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<TestClock>,
    pub db: TestDb,
    _dir: tempfile::TempDir,
    _server: tokio::task::JoinHandle<()>,
}

/// 2026-11-28 09:00 UTC.
pub const START: Timestamp = Timestamp(1_795_856_400_000);

async fn start_server(app: App) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = isms_web::AppState::new(app, false);
    let h = tokio::spawn(async move {
        let _ = isms_web::serve(listener, state, std::future::pending()).await;
    });
    (format!("http://{addr}"), h)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Settings::default()).await
    }

    /// A server with other settings (e.g. a small upload limit).
    pub async fn spawn_with(settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let tdb = TestDb::fresh(dir.path()).await;
        let db = tdb.connect().await;
        let clock = TestClock::new(START);
        let app = App::new(db, clock.clone(), settings);
        let (base, server) = start_server(app.clone()).await;
        Self {
            base,
            app,
            clock,
            db: tdb,
            _dir: dir,
            _server: server,
        }
    }

    /// A second, independent server process-equivalent on the same database (its own
    /// pool), as a second instance behind a load balancer would be.
    pub async fn spawn_sibling(&self) -> (String, tokio::task::JoinHandle<()>) {
        let db = self.db.connect().await;
        let app = App::new(db, self.clock.clone(), Settings::default());
        start_server(app).await
    }

    /// Run one SQL statement on the test database, behind the application's back
    /// (tests that tamper with stored data, or set up rows another area owns).
    pub async fn exec_sql(&self, sql: &str) -> u64 {
        match &self.app.db {
            Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(p)
                .await
                .expect("sql")
                .rows_affected(),
            Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(p)
                .await
                .expect("sql")
                .rows_affected(),
        }
    }

    /// How many rows a table holds (to show that nothing was stored).
    pub async fn count_rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.app.db {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .expect("count"),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .expect("count"),
        }
    }

    /// The single whole number a query answers (consistency checks on stored rows).
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.app.db {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(p)
                .await
                .expect("scalar"),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(p)
                .await
                .expect("scalar"),
        }
    }

    /// A client that is not signed in.
    pub fn anon(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// Create an account (instance admin with `admin`).
    pub async fn user(&self, email: &str, name: &str, admin: bool) -> isms_app::users::UserView {
        self.app
            .create_user(
                Actor::Cli,
                &NewUser {
                    email: email.into(),
                    name: name.into(),
                    password: PASSWORD.into(),
                    is_admin: admin,
                },
            )
            .await
            .expect("create user")
    }

    /// An organisation with one account per role: `role@slug.test`.
    pub async fn org_with_roles(&self, slug: &str) -> OrgFixture {
        let org = self
            .app
            .create_org(
                Actor::Cli,
                &NewOrg {
                    name: format!("Org {slug}"),
                    slug: Some(slug.into()),
                    employees: 50,
                    sites: None,
                    other_management_system: None,
                },
            )
            .await
            .expect("create org");
        let ctx = self.app.org_for_cli(slug).await.expect("org");
        let mut people = Vec::new();
        for role in Role::ALL {
            let email = format!("{}@{slug}.test", role.as_str().replace('_', "-"));
            let expires_on = role.requires_expiry().then(|| {
                isms_domain::time::format_date(self.clock.now().plus_seconds(30 * 86_400).date())
            });
            let m = self
                .app
                .add_member(
                    Actor::Cli,
                    &ctx,
                    &NewMember {
                        email: email.clone(),
                        role: role.as_str().into(),
                        expires_on,
                        name: Some(format!("{} of {slug}", role.label())),
                        password: Some(PASSWORD.into()),
                    },
                )
                .await
                .expect("add member");
            people.push((role, email, m.id, m.user_id));
        }
        OrgFixture { org, people }
    }

    /// Sign in through the API and return a client that sends the session token.
    pub async fn login(&self, email: &str) -> Client {
        let c = self.anon();
        let (s, v) = c
            .post(
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "login {email}: {v}");
        Client::new(&self.base, v["token"].as_str().map(str::to_owned))
    }
}

/// An organisation and its people, one per role.
pub struct OrgFixture {
    pub org: OrgView,
    /// (role, e-mail, membership id, user id)
    pub people: Vec<(Role, String, uuid::Uuid, uuid::Uuid)>,
}

impl OrgFixture {
    pub fn email(&self, role: Role) -> &str {
        self.people
            .iter()
            .find(|p| p.0 == role)
            .map(|p| p.1.as_str())
            .expect("role present")
    }
    pub fn membership(&self, role: Role) -> uuid::Uuid {
        self.people
            .iter()
            .find(|p| p.0 == role)
            .map(|p| p.2)
            .expect("role present")
    }
    pub fn user_id(&self, role: Role) -> uuid::Uuid {
        self.people
            .iter()
            .find(|p| p.0 == role)
            .map(|p| p.3)
            .expect("role present")
    }
}

/// A JSON client for the API.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            base: base.to_owned(),
            token,
            http,
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self::new(&self.base, Some(token.to_owned()))
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.request(method, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        let resp = r.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }
}
