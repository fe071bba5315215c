//! Register import at enterprise size: a CSV of 100,000 new assets (owners by e-mail,
//! tags), checked and written in one transaction; then the same file again (every row
//! "unchanged", nothing written) and a dry run. Run:
//! `cargo bench -p isms-app --bench import` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_ASSETS` sets the number of rows (default 100,000). Prints seconds.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::Actor;
use isms_app::progress::NoProgress;
use isms_domain::rbac::Role;
use isms_testkit::TestApp;

mod common;
use common::now;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("ISMS_BENCH_ASSETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("bench").await;
    let ctx = t.app.org_for_cli("bench").await.expect("org");
    let owners = [f.email(Role::IsmsManager), f.email(Role::Contributor)];
    let types = ["information", "software", "hardware", "service"];
    let mut csv = String::from(
        "reference,name,type,owner,location,confidentiality,integrity,availability,in_scope,tags,description\n",
    );
    for i in 0..n {
        csv.push_str(&format!(
            ",Asset {i},{},{},Site {},{},{},{},yes,t{} bulk,Generated asset number {i}\n",
            types[i % 4],
            owners[i % 2],
            i % 20,
            1 + i % 4,
            1 + (i / 4) % 4,
            1 + (i / 16) % 4,
            i % 50
        ));
    }
    let bytes = csv.into_bytes();
    println!(
        "Import of {n} assets ({:.1} MB CSV) on {}",
        bytes.len() as f64 / 1e6,
        if t.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for (label, dry) in [("first import (all created)", false)] {
        let s = now();
        let r = t
            .app
            .import_register(Actor::Cli, &ctx, "assets", &bytes, dry, &NoProgress)
            .await
            .expect("import");
        assert_eq!(r.created.len(), n);
        println!("{label:<40} {:>8.2} s", s.elapsed().as_secs_f64());
    }
    let again = t
        .app
        .export(&ctx, "assets", "csv", None)
        .await
        .expect("export")
        .bytes;
    for (label, dry) in [
        ("our export again (all unchanged)", false),
        ("dry run of the export", true),
    ] {
        let s = now();
        let r = t
            .app
            .import_register(Actor::Cli, &ctx, "assets", &again, dry, &NoProgress)
            .await
            .expect("import");
        assert_eq!(r.unchanged, n);
        println!("{label:<40} {:>8.2} s", s.elapsed().as_secs_f64());
    }
}
