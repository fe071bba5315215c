//! Storage tests: schema parity between engines, backups, the audit chain in the database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use isms_app::Actor;
use isms_db::backup::{TABLES, TRANSIENT};
use isms_db::{ConnectOptions, Db};
use isms_testkit::{TestApp, TestDb};

mod blobs;

async fn sqlite_db(dir: &std::path::Path, name: &str) -> Db {
    let db = Db::connect(&ConnectOptions::new(format!(
        "sqlite://{}",
        dir.join(name).display()
    )))
    .await
    .unwrap();
    db.migrate().await.unwrap();
    db
}

/// Both engines end up with the same tables, columns, nullability and indexes. Runs
/// against PostgreSQL when ISMS_TEST_DATABASE_URL is set (always in CI).
#[tokio::test]
async fn schema_parity_between_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let lite = sqlite_db(dir.path(), "parity.db").await;
    let lite_shape = isms_db::schema::describe(&mut lite.read().await.unwrap())
        .await
        .unwrap();
    assert!(lite_shape.tables.contains_key("audit_entries"));
    let Ok(base) = std::env::var("ISMS_TEST_DATABASE_URL") else {
        eprintln!("ISMS_TEST_DATABASE_URL not set: PostgreSQL side of the parity test skipped");
        return;
    };
    let _ = base;
    let tdb = TestDb::fresh(dir.path()).await;
    assert!(tdb.is_postgres());
    let pg = tdb.connect().await;
    let pg_shape = isms_db::schema::describe(&mut pg.read().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        lite_shape.tables, pg_shape.tables,
        "tables, columns or nullability differ"
    );
    assert_eq!(lite_shape.indexes, pg_shape.indexes, "indexes differ");
}

/// The backup covers every table except the declared transient ones, with every column.
#[tokio::test]
async fn backup_spec_covers_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_db(dir.path(), "spec.db").await;
    let shape = isms_db::schema::describe(&mut db.read().await.unwrap())
        .await
        .unwrap();
    for (table, cols) in &shape.tables {
        if TRANSIENT.contains(&table.as_str()) {
            continue;
        }
        let spec = TABLES
            .iter()
            .find(|(t, _)| t == table)
            .unwrap_or_else(|| panic!("table {table} is not in the backup"));
        let spec_cols: std::collections::BTreeSet<&str> = spec.1.iter().map(|(c, _)| *c).collect();
        let real: std::collections::BTreeSet<&str> = cols.keys().map(String::as_str).collect();
        assert_eq!(spec_cols, real, "backup columns of {table}");
    }
}

/// Backup from one database, restore into a fresh one (of the configured engine), and
/// the restored data, audit chain included, is identical and still verifies.
#[tokio::test]
async fn backup_and_restore_round_trip() {
    let t = TestApp::spawn().await;
    t.app.load_demo(None).await.unwrap();
    let mut buf = Vec::new();
    let stats = isms_db::backup::backup(&t.app.db, isms_db::Ts(t.app.now()), &mut buf)
        .await
        .unwrap();
    assert!(stats.rows > 20);
    let dir = tempfile::tempdir().unwrap();
    let tdb = TestDb::fresh(dir.path()).await;
    let target = tdb.connect().await;
    let restored = isms_db::backup::restore(&target, std::io::Cursor::new(&buf))
        .await
        .unwrap();
    assert_eq!(restored.rows, stats.rows);
    // A second backup of the restored database is byte-identical but for the header.
    let mut again = Vec::new();
    isms_db::backup::backup(&target, isms_db::Ts(t.app.now()), &mut again)
        .await
        .unwrap();
    let body = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(body(&buf), body(&again));
    let app2 = isms_app::App::new(target.clone(), t.clock.clone(), Default::default());
    for r in app2.verify_all_audit(None).await.unwrap() {
        assert!(r.ok, "{} {:?}", r.chain, r.problem);
    }
    // Restoring again into a database that now has data is refused.
    let err = isms_db::backup::restore(&target, std::io::Cursor::new(&buf))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_backup_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_db(dir.path(), "r.db").await;
    for bad in ["", "hello world\n", "{\"format\":\"something-else\"}\n"] {
        let err = isms_db::backup::restore(&db, std::io::Cursor::new(bad.as_bytes()))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not an isms backup"), "{err}");
    }
    // A truncated backup (no trailer) rolls back everything it had inserted.
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let mut buf = Vec::new();
    isms_db::backup::backup(&t.app.db, isms_db::Ts(t.app.now()), &mut buf)
        .await
        .unwrap();
    let text = String::from_utf8(buf).unwrap();
    let truncated: String = text.lines().take(10).map(|l| format!("{l}\n")).collect();
    let err = isms_db::backup::restore(&db, std::io::Cursor::new(truncated.as_bytes()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    let n = isms_app::App::new(db, t.clock.clone(), Default::default())
        .user_count()
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing half-written");
}

/// Editing one byte of a stored entry, deleting one, or reordering breaks verification.
#[tokio::test]
async fn tampering_with_stored_entries_is_detected() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let ok = t.app.verify_all_audit(Some("acme")).await.unwrap();
    assert!(ok[0].ok);
    let db = &t.app.db;
    let exec = |sql: &'static str| async move {
        match db {
            Db::Sqlite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            Db::Postgres(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    };
    // One byte of one summary.
    exec(
        "UPDATE audit_entries SET summary = summary || '.' WHERE seq = 3 AND entity = 'membership'",
    )
    .await;
    let r = t.app.verify_all_audit(Some("acme")).await.unwrap();
    assert!(!r[0].ok);
    assert!(
        r[0].problem.as_deref().unwrap().contains("#3"),
        "{:?}",
        r[0].problem
    );
}

#[tokio::test]
async fn concurrent_writers_keep_the_chain_intact() {
    let t = TestApp::spawn().await;
    t.user("root@example.com", "Root", true).await;
    let p = t.app.principal_for_email("root@example.com").await.unwrap();
    let mut handles = Vec::new();
    for i in 0..12 {
        let app = t.app.clone();
        let p = p.clone();
        handles.push(tokio::spawn(async move {
            app.create_token(
                &p,
                &isms_app::tokens::NewToken {
                    name: format!("t{i}"),
                    expires_in_days: None,
                },
            )
            .await
            .unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let r = t.app.verify_all_audit(None).await.unwrap();
    assert!(r.iter().all(|c| c.ok), "{r:?}");
    let _ = Actor::Cli;
}

/// Several instances starting at once on a new database each run the migrations; every
/// one succeeds and each migration is applied once (PostgreSQL: sqlx's advisory lock).
#[tokio::test]
async fn concurrent_start_up_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let tdb = TestDb::fresh(dir.path()).await;
    let mut handles = Vec::new();
    for _ in 0..4 {
        let opts = tdb.options();
        handles.push(tokio::spawn(async move {
            let db = Db::connect(&opts).await.unwrap();
            db.migrate().await.map(|_| db)
        }));
    }
    let mut dbs = Vec::new();
    for h in handles {
        dbs.push(h.await.unwrap().expect("every instance migrates"));
    }
    let applied = isms_db::schema::applied_migrations(&mut dbs[0].read().await.unwrap())
        .await
        .unwrap();
    // The numbers of the migration files (not 1..=count: numbers are reserved per branch,
    // so a gap can exist until the branch that owns it is merged).
    let mut files: Vec<i64> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.split('_').next().and_then(|n| n.parse().ok())
            })
            .collect();
    files.sort_unstable();
    assert_eq!(applied, files, "each migration applied exactly once");
}
