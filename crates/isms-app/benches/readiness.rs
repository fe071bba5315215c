//! The readiness engine at enterprise size: gathering the facts from every register and
//! running the three profiles, over an organisation with many risks (and an approved
//! SoA-less draft state, so every risk and its controls are read). Run:
//! `cargo bench -p isms-app --bench readiness` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_RISKS` sets the number of risks (default 50,000; two controls each).
//! Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_domain::readiness::Profile;
use isms_testkit::TestApp;

mod common;
use common::{load_risks, now, org_with_method, percentile};

async fn time<F, Fut, T>(name: &str, runs: usize, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::new();
    for _ in 0..runs {
        let s = now();
        let _ = f().await;
        times.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{name:<40} {:>9.2} {:>9.2}",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: i64 = std::env::var("ISMS_BENCH_RISKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let t = TestApp::spawn().await;
    let (f, ctx, _p, m) = org_with_method(&t).await;
    let ids: Vec<String> = isms_domain::catalogue::catalogue()
        .controls()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let load = load_risks(&t, &f, &ctx, &m, n, |i| {
        (0..2)
            .map(|k| ids[((i * 11 + k * 37) as usize) % ids.len()].clone())
            .collect()
    })
    .await;
    println!(
        "Readiness over {n} risks on {} (loaded in {load:.1} s)",
        if t.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("{:<40} {:>9} {:>9}", "operation", "p50 ms", "p95 ms");
    time("gather the facts", 10, || t.app.readiness_facts(&ctx)).await;
    time("one profile (stage1)", 10, || {
        t.app.readiness(&ctx, Profile::Stage1)
    })
    .await;
    time("all three profiles (dashboard)", 10, || {
        t.app.readiness_all(&ctx)
    })
    .await;
    let r = t
        .app
        .readiness(&ctx, Profile::Stage2)
        .await
        .expect("report");
    assert_eq!(r.profile, Profile::Stage2);
}
