//! Risk register at enterprise size: list pages (first, deep, filtered, heat-map cell),
//! heat maps. Run: `cargo bench -p isms-app --bench risk_register` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_RISKS` sets the register size (default 50,000). Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::risk_methods::{ApproveRiskMethod, NewRiskMethod};
use isms_app::risks::RiskQuery;
use isms_app::{Actor, Principal};
use isms_db::risks::{RiskRow, insert_risk};
use isms_db::{Day, Ts};
use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use std::time::Instant;

#[allow(clippy::disallowed_methods)] // wall-clock timing is the point of a benchmark
fn now() -> Instant {
    Instant::now()
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: i64 = std::env::var("ISMS_BENCH_RISKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("bench").await;
    let ctx = t.app.org_for_cli("bench").await.expect("org");
    let p = Principal {
        user_id: f.user_id(Role::Admin),
        email: f.email(Role::Admin).to_owned(),
        name: "Bench admin".into(),
        is_admin: false,
        totp_enabled: false,
        session_id: None,
        token_id: None,
    };
    let d = t
        .app
        .create_risk_method(
            Actor::User(&p),
            &ctx,
            &NewRiskMethod {
                preset: Some("5x5".into()),
                ..Default::default()
            },
        )
        .await
        .expect("draft");
    let m = t
        .app
        .approve_risk_method(
            Actor::User(&p),
            &ctx,
            d.id,
            &ApproveRiskMethod { version: d.version },
        )
        .await
        .expect("approve");
    let owners = [
        f.user_id(Role::Admin),
        f.user_id(Role::IsmsManager),
        f.user_id(Role::Contributor),
    ];
    let statuses = [
        "assessed",
        "treatment_planned",
        "treatment_in_progress",
        "treated",
    ];
    let started = now();
    let mut tx = t.app.db.begin().await.expect("tx");
    for i in 0..n {
        let l = i % 5 + 1;
        let im = (i / 5) % 5 + 1;
        let lvl = isms_domain::risk::level(&m.method, l, im, ("l", "i")).expect("level");
        let ts = Ts(isms_domain::time::Timestamp(1_795_856_400_000 + i));
        let row = RiskRow {
            id: uuid::Uuid::now_v7(),
            org_id: ctx.org.id,
            number: i + 1,
            title: format!("Risk number {i} of the benchmark register"),
            description: String::new(),
            threat: "Ransomware".into(),
            vulnerability: "Unpatched servers".into(),
            owner_id: Some(owners[(i % 3) as usize]),
            method_id: m.id,
            inherent_likelihood: l,
            inherent_impact: im,
            inherent_level: i64::from(lvl),
            treatment: Some("modify".into()),
            residual_likelihood: Some(1),
            residual_impact: Some(im),
            residual_level: Some(0),
            status: statuses[(i % 4) as usize].into(),
            next_review_on: Some(Day(time::macros::date!(2027 - 11 - 28))),
            needs_reassessment: false,
            accepted_by: None,
            accepted_at: None,
            acceptance_rationale: None,
            acceptance_expires_on: None,
            accepted_likelihood: None,
            accepted_impact: None,
            accepted_level: None,
            acceptance_kind: None,
            created_at: ts,
            updated_at: ts,
            version: 1,
        };
        insert_risk(&mut tx, &row).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    let load = started.elapsed().as_secs_f64();
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
                owner_id: Some(owners[1]),
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
