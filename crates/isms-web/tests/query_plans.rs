//! Query plans: every list the API documents (each filter alone, the first page and a
//! page behind a cursor) and the main register pages run against a generated demo
//! organisation; every SELECT they send to SQLite is asked for its plan, and the test
//! fails on a full scan of an organisation-owned table (one with an `org_id` column).
//!
//! Why SQLite and a small organisation suffice: the product never runs `ANALYZE`, so
//! SQLite's planner has no statistics and picks the same plan at every size; a scan
//! found here is a scan at 100,000 assets. PostgreSQL's planner is cost-based and
//! rightly scans tiny tables, so its plans are only meaningful at large size (the
//! benchmark harness, docs/performance.md). On PostgreSQL this test returns at once.
//!
//! Its own test binary: it installs a process-wide tracing subscriber to collect the
//! statements sqlx logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use isms_app::demo::{DEMO_ADMIN, DEMO_PASSWORD};
use isms_app::demo_gen::DemoSize;
use isms_app::progress::NoProgress;
use isms_db::Db;
use isms_testkit::{Client, TestApp};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Statements sqlx has logged since the last [`take`].
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn take() -> Vec<String> {
    std::mem::take(&mut *SEEN.lock().unwrap())
}

/// Collects the SQL of sqlx's statement events (`summary` holds short statements whole;
/// longer ones come in `db.statement`).
struct Capture;

#[derive(Default)]
struct Fields {
    summary: String,
    statement: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if matches!(field.name(), "summary" | "db.statement") {
            self.record_str(field, format!("{value:?}").trim_matches('"'));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let sql = if f.statement.trim().is_empty() {
            f.summary
        } else {
            f.statement.trim().to_owned()
        };
        SEEN.lock().unwrap().push(sql);
    }
}

/// `table` for every `FROM`/`JOIN table [AS] alias` of `sql`, keyed by the name the plan
/// shows (the alias, or the table itself).
fn aliases(sql: &str) -> BTreeMap<String, String> {
    const NOT_ALIAS: &[&str] = &[
        "where",
        "join",
        "left",
        "inner",
        "cross",
        "on",
        "order",
        "group",
        "limit",
        "using",
        "union",
        "natural",
        "outer",
        "having",
        "set",
        "values",
        "returning",
        "window",
    ];
    let words: Vec<String> = sql
        .replace(['(', ')', ',', ';'], " ")
        .split_whitespace()
        .map(|w| w.trim_matches('"').to_ascii_lowercase())
        .collect();
    let mut out = BTreeMap::new();
    for (i, w) in words.iter().enumerate() {
        if w != "from" && w != "join" {
            continue;
        }
        let Some(table) = words.get(i + 1) else {
            continue;
        };
        out.insert(table.clone(), table.clone());
        let mut j = i + 2;
        if words.get(j).map(String::as_str) == Some("as") {
            j += 1;
        }
        if let Some(alias) = words.get(j)
            && !NOT_ALIAS.contains(&alias.as_str())
            && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.insert(alias.clone(), table.clone());
        }
    }
    out
}

/// The query string that tries one documented filter of the list at `path` with a value
/// it accepts (`None`: nothing to try).
fn sample(path: &str, param: &Value, member: &str) -> Option<String> {
    let name = param["name"].as_str()?;
    let register = path.rsplit('/').next().unwrap_or_default();
    let any_id = "0190a7f0-0000-7000-8000-000000000001";
    let value = match (register, name) {
        ("roles", "kind" | "status") => return None,
        ("audits", "status") => "completed",
        ("controls", "status") => "implemented",
        ("corrective-actions", "status") => "planned",
        ("documents", "status") => "approved",
        ("documents", "kind") => "policy",
        ("findings" | "incidents", "status") => "open",
        ("interested-parties", "kind" | "status") => "customer",
        ("issues", "kind" | "status") => "internal",
        ("objectives", "kind" | "status") => "approved",
        ("management-reviews", "status") => "held",
        ("risks", "status") => "treated",
        ("suppliers", "status") => "active",
        ("tasks", "status") => "open",
        ("evidence", "kind") => "file",
        ("measurements", "subject_ref") => {
            return Some("subject_kind=control&subject_ref=A.5.1".into());
        }
        ("measurements", "subject_kind") => "control",
        (_, "type") => "hardware",
        (_, "flag") => "overdue",
        (_, "theme") => "organizational",
        (_, "grade") => "minor_nc",
        (_, "source") => "internal_audit",
        (_, "severity" | "criticality") => "high",
        (_, "role") => "viewer",
        (_, "risk") => "R-001",
        (_, "cell") => "inherent:3:3",
        (_, "entity") => "asset",
        (_, "from" | "to") => "2026-01-01",
        (_, "q") => "server",
        (_, "tag") => "critical",
        (_, "control") => "A.5.1",
        (_, "clause") => "6.1.2",
        (_, "owner_id" | "person_id" | "actor") => member,
        (_, "finding_id" | "source_id" | "asset_id") => any_id,
        _ => match param["schema"]["type"].as_str() {
            Some("boolean") => "true",
            Some("integer") => "3",
            _ => return None,
        },
    };
    Some(format!("{name}={value}"))
}

#[tokio::test]
async fn no_list_scans_a_whole_organisation_table() {
    let t = TestApp::spawn().await;
    let Db::Sqlite(pool) = &t.app.db else {
        eprintln!("query plans are checked on SQLite only (see the module comment)");
        return;
    };
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(Capture).with(
            tracing_subscriber::filter::Targets::new()
                .with_target("sqlx::query", tracing::Level::TRACE),
        ),
    )
    .unwrap();

    let size = DemoSize::custom("plans", 6, 40, 15, 30, 50, 10, 600);
    t.app
        .generate_demo("plans", &size, &NoProgress)
        .await
        .unwrap();
    let owned: BTreeSet<String> = sqlx::query_scalar(
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.name = 'org_id'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert!(
        owned.contains("assets") && owned.contains("risks"),
        "{owned:?}"
    );

    let c = Client::new(&t.base, None);
    let (s, v) = c
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"email": DEMO_ADMIN, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let c = Client::new(&t.base, v["token"].as_str().map(str::to_owned));
    let (_, me) = c.get("/api/v1/auth/me").await;
    let member = me["user"]["id"].as_str().unwrap_or_default().to_owned();
    assert!(!member.is_empty(), "{me}");

    let doc: Value = serde_json::from_str(&isms_web::api::openapi_json()).unwrap();
    let mut calls: Vec<String> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let in_path: Vec<&str> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let is_list = params.iter().any(|p| p["name"] == "cursor");
        if !is_list || in_path.iter().any(|n| *n != "org") {
            continue;
        }
        let base = path.replace("{org}", "plans");
        let (s, first) = c.get(&format!("{base}?limit=1")).await;
        assert_eq!(s, 200, "{base}: {first}");
        calls.push(base.clone());
        if let Some(cursor) = first["next_cursor"].as_str() {
            calls.push(format!("{base}?limit=1&cursor={cursor}"));
        }
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap_or_default();
            if matches!(name, "limit" | "cursor") {
                continue;
            }
            if let Some(query) = sample(&base, p, &member) {
                calls.push(format!("{base}?{query}"));
            }
        }
    }
    assert!(calls.len() > 100, "only {} list calls", calls.len());
    let pages = [
        "/o/plans",
        "/o/plans/assets",
        "/o/plans/assets?type=hardware&q=server",
        "/o/plans/audit-trail",
        "/o/plans/audits",
        "/o/plans/catalogue",
        "/o/plans/certification",
        "/o/plans/competence",
        "/o/plans/controls",
        "/o/plans/corrective-actions",
        "/o/plans/data",
        "/o/plans/data-flows",
        "/o/plans/documents",
        "/o/plans/evidence",
        "/o/plans/evidence?control=A.5.1",
        "/o/plans/findings",
        "/o/plans/frameworks",
        "/o/plans/gap",
        "/o/plans/incidents",
        "/o/plans/isms",
        "/o/plans/management-reviews",
        "/o/plans/measurements",
        "/o/plans/members",
        "/o/plans/readiness",
        "/o/plans/risk-method",
        "/o/plans/risks",
        "/o/plans/risks?status=treated",
        "/o/plans/roadmap",
        "/o/plans/settings",
        "/o/plans/soa",
        "/o/plans/suppliers",
    ];
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = browser
        .post(format!("{}/login", t.base))
        .form(&[
            ("email", DEMO_ADMIN),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 303);

    take();
    let mut refused = Vec::new();
    for call in &calls {
        let r = c.request(reqwest::Method::GET, call).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status < 500, "{call}: {status}");
        if status != 200 {
            refused.push(format!(
                "{call}: {status} {}",
                r.text().await.unwrap_or_default()
            ));
        }
    }
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
    for page in pages {
        let r = browser
            .get(format!("{}{page}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{page}");
    }

    let statements: BTreeSet<String> = take()
        .into_iter()
        .filter(|s| {
            let head = s.trim_start().to_ascii_uppercase();
            head.starts_with("SELECT") || head.starts_with("WITH")
        })
        .collect();
    assert!(
        statements.len() > 50,
        "only {} statements seen",
        statements.len()
    );
    // The check itself finds a scan where there is one.
    let planted = full_scans(pool, &owned, "SELECT a.id FROM assets a WHERE a.name = $1").await;
    assert_eq!(planted.len(), 1, "{planted:?}");
    // And an index on the organisation alone chosen over a narrower one (the evidence
    // coverage of the readiness check read every link once per control this way).
    let planted = full_scans(
        pool,
        &owned,
        "SELECT l.evidence_id FROM evidence_links l INDEXED BY evidence_links_uq
         WHERE l.org_id = $1 AND l.target_kind = 'control' AND l.target_ref = $2",
    )
    .await;
    assert_eq!(planted.len(), 1, "{planted:?}");
    assert!(pins_another_id(
        "SELECT x FROM t WHERE t.org_id = $1 AND t.risk_id IN ($2, $3)",
        "t"
    ));
    assert!(!pins_another_id(
        "SELECT x FROM t WHERE t.org_id = $1 AND t.number > $2",
        "t"
    ));
    let mut scans = Vec::new();
    for sql in &statements {
        scans.extend(full_scans(pool, &owned, sql).await);
    }
    assert!(
        scans.is_empty(),
        "{} full scans of organisation tables:\n{}",
        scans.len(),
        scans.join("\n")
    );
}

/// Whether `table` has an index on (org_id, c, …) other than `used` while `sql` compares
/// `alias.c` for equality: the planner then read every row of the organisation through
/// an index on org_id alone although a narrower one was there (SQLite prefers an index
/// that covers the query over one that matches more of its terms). An optional filter
/// (`$2 IS NULL OR c = $2`) cannot use an index and does not count.
async fn narrower_index_unused(
    pool: &sqlx::SqlitePool,
    table: &str,
    alias: &str,
    used: &str,
    sql: &str,
    tables_in_sql: usize,
) -> bool {
    let cols: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT il.name, ii.seqno, ii.name FROM pragma_index_list($1) il
         JOIN pragma_index_info(il.name) ii ORDER BY il.name, ii.seqno",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap_or_else(|e| panic!("indexes of {table}: {e}"));
    let flat = sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let alias = alias.to_ascii_lowercase();
    cols.iter()
        .filter(|(index, seq, _)| *seq == 1 && index != used)
        .filter(|(index, _, _)| {
            cols.iter()
                .any(|(i, seq, c)| i == index && *seq == 0 && c == "org_id")
        })
        .any(|(_, _, second)| {
            let second = second.to_ascii_lowercase();
            let mut forms = vec![
                format!("{alias}.{second} ="),
                format!("{alias}.{second} in ("),
            ];
            if tables_in_sql == 1 {
                forms.push(format!(" {second} ="));
                forms.push(format!(" {second} in ("));
            }
            forms.iter().any(|f| {
                flat.match_indices(f.as_str()).any(|(at, _)| {
                    let before = flat[..at].trim_end().trim_end_matches('(').trim_end();
                    !before.ends_with("is null or")
                })
            })
        })
}

/// The steps of `sql`'s plan that scan a whole organisation-owned table.
async fn full_scans(pool: &sqlx::SqlitePool, owned: &BTreeSet<String>, sql: &str) -> Vec<String> {
    let plan: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
            .fetch_all(pool)
            .await
            .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
    let names = aliases(sql);
    let mut out = Vec::new();
    for (_, _, _, detail) in plan {
        // An index used for the organisation alone while the statement also pins the
        // table by another id reads every row of the organisation.
        if let Some(rest) = detail.strip_prefix("SEARCH ")
            && rest.ends_with("(org_id=?)")
        {
            let shown = rest.split_whitespace().next().unwrap_or_default();
            let table = names
                .get(&shown.to_ascii_lowercase())
                .map_or(shown, String::as_str);
            let used = rest
                .split(" INDEX ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or_default();
            if owned.contains(table)
                && (pins_another_id(sql, shown)
                    || narrower_index_unused(pool, table, shown, used, sql, names.len()).await)
            {
                out.push(format!("{detail}\n    in: {sql}"));
            }
            continue;
        }
        let Some(rest) = detail.strip_prefix("SCAN ") else {
            continue;
        };
        let shown = rest.split_whitespace().next().unwrap_or_default();
        let table = names
            .get(&shown.to_ascii_lowercase())
            .map_or(shown, String::as_str);
        if owned.contains(table) {
            out.push(format!("{detail}\n    in: {sql}"));
        }
    }
    out
}

/// Ids that do not narrow a table much, so that an index on the organisation alone is
/// the right plan: an organisation has a handful of risk methods.
const BROAD_IDS: &[&str] = &["org_id", "method_id"];

/// Whether `sql` compares a `…_id` column of `alias` (other than those in [`BROAD_IDS`])
/// with a parameter: `a.risk_id = $2`, `risk_id IN ($2, …)`.
fn pins_another_id(sql: &str, alias: &str) -> bool {
    let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = flat.to_ascii_lowercase();
    let prefix = format!("{}.", alias.to_ascii_lowercase());
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("_id ") {
        let before = &rest[..i];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |p| p + 1);
        let column = &rest[start..i + 3];
        let after = &rest[i + 4..];
        let ours = column.starts_with(&prefix) || !column.contains('.');
        let name = column.rsplit('.').next().unwrap_or_default();
        if ours
            && !BROAD_IDS.contains(&name)
            && (after.starts_with("= $") || after.starts_with("in ($"))
        {
            return true;
        }
        rest = &rest[i + 4..];
    }
    false
}
