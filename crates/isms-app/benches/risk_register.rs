//! Risk register at enterprise size: list pages (first, deep, filtered, heat-map cell),
//! heat maps. Run: `cargo bench -p isms-app --bench risk_register` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_RISKS` sets the register size (default 50,000). Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::risks::RiskQuery;
use isms_domain::rbac::Role;
use isms_testkit::TestApp;

mod common;
use common::{load_risks, now, org_with_method, percentile};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: i64 = std::env::var("ISMS_BENCH_RISKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let t = TestApp::spawn().await;
    let (f, ctx, _p, m) = org_with_method(&t).await;
    let load = load_risks(&t, &f, &ctx, &m, n, |_| Vec::new()).await;
    let deep = isms_app::encode_cursor(&(n * 4 / 5).to_string());
    let cases: Vec<(&str, RiskQuery)> = vec![
        (
            "first page (100)",
            RiskQuery {
                limit: Some(100),
                ..Default::default()
            },
        ),
        (
            "deep page (100, keyset at 80%)",
            RiskQuery {
                limit: Some(100),
                cursor: Some(deep.clone()),
                ..Default::default()
            },
        ),
        (
            "status = treated (100)",
            RiskQuery {
                status: Some("treated".into()),
                limit: Some(100),
                ..Default::default()
            },
        ),
        (
            "owner + deep page (100)",
            RiskQuery {
                owner_id: Some(f.user_id(Role::IsmsManager)),
                cursor: Some(deep),
                limit: Some(100),
                ..Default::default()
            },
        ),
        (
            "heat-map cell 4×5 (100)",
            RiskQuery {
                cell: Some("inherent:4:5".into()),
                limit: Some(100),
                ..Default::default()
            },
        ),
    ];
    println!(
        "risk register with {n} risks on {} (loaded in {load:.1} s)",
        if t.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("{:<34} {:>9} {:>9}", "operation", "p50 ms", "p95 ms");
    for (name, q) in &cases {
        let mut times = Vec::new();
        for _ in 0..30 {
            let s = now();
            let page = t.app.list_risks(&ctx, q).await.expect("list");
            assert!(!page.items.is_empty(), "{name}");
            times.push(s.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "{name:<34} {:>9.2} {:>9.2}",
            percentile(&mut times, 0.5),
            percentile(&mut times, 0.95)
        );
    }
    let mut times = Vec::new();
    for _ in 0..30 {
        let s = now();
        let h = t
            .app
            .risk_heatmap(&ctx)
            .await
            .expect("heat")
            .expect("method");
        assert_eq!(h.inherent.iter().flatten().sum::<usize>() as i64, n);
        times.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{:<34} {:>9.2} {:>9.2}",
        "heat maps (both)",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );
}
