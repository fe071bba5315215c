//! Asset inventory at enterprise size: list pages (first, deep keyset, filtered by type,
//! owner, tag, scope, rating, name search) and the data-flow list of one asset. Run:
//! `cargo bench -p isms-app --bench asset_inventory` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_ASSETS` sets the inventory size (default 100,000). Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::assets::{AssetQuery, FlowQuery};
use isms_db::Ts;
use isms_db::assets::{AssetRow, FlowRow, insert_asset, insert_flow, set_tags};
use isms_domain::rbac::Role;
use isms_testkit::TestApp;

mod common;
use common::{now, percentile};

const TYPES: [&str; 7] = [
    "information",
    "software",
    "hardware",
    "service",
    "people",
    "site",
    "supplier_provided",
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: i64 = std::env::var("ISMS_BENCH_ASSETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("bench").await;
    let ctx = t.app.org_for_cli("bench").await.expect("org");
    let owners = [
        f.user_id(Role::Admin),
        f.user_id(Role::IsmsManager),
        f.user_id(Role::Contributor),
        f.user_id(Role::Viewer),
    ];
    let started = now();
    let mut tx = t.app.db.begin().await.expect("tx");
    let mut ids = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for i in 0..n {
        let ts = Ts(isms_domain::time::Timestamp(1_795_856_400_000 + i));
        let (c, ig, a) = (i % 4 + 1, (i / 4) % 4 + 1, (i / 16) % 4 + 1);
        let row = AssetRow {
            id: uuid::Uuid::now_v7(),
            org_id: ctx.org.id,
            number: i + 1,
            asset_type: TYPES[(i % 7) as usize].into(),
            name: format!("Asset number {i} of the benchmark inventory"),
            description: String::new(),
            owner_id: Some(owners[(i % 4) as usize]),
            custodian_id: None,
            location: "Somewhere".into(),
            confidentiality: c,
            integrity: ig,
            availability: a,
            classification: c.max(ig).max(a),
            in_scope: i % 10 != 0,
            created_at: ts,
            updated_at: ts,
            version: 1,
        };
        insert_asset(&mut tx, &row).await.expect("insert");
        // Every asset has a team tag (20 teams); one in a hundred is also `rare`.
        let mut tags = vec![format!("team-{}", i % 20)];
        if i % 100 == 0 {
            tags.push("rare".into());
        }
        set_tags(&mut tx, ctx.org.id, row.id, row.number, &tags)
            .await
            .expect("tags");
        ids.push(row.id);
    }
    // A hub asset with 200 flows, plus a chain of flows between neighbours.
    let hub = ids[ids.len() / 2];
    for k in 0..2_000usize {
        let ts = Ts(isms_domain::time::Timestamp(1_795_856_400_000));
        let (from, to) = if k < 200 {
            (hub, ids[k * 7 % ids.len()])
        } else {
            (ids[k], ids[k + 1])
        };
        if from == to {
            continue;
        }
        insert_flow(
            &mut tx,
            &FlowRow {
                id: uuid::Uuid::now_v7(),
                org_id: ctx.org.id,
                number: i64::try_from(k).unwrap_or(0) + 1,
                from_asset_id: from,
                to_asset_id: to,
                data_category: "Logs".into(),
                mechanism: "api".into(),
                encrypted: k % 5 != 0,
                description: String::new(),
                created_at: ts,
                updated_at: ts,
                version: 1,
            },
        )
        .await
        .expect("flow");
    }
    tx.commit().await.expect("commit");
    let load = started.elapsed().as_secs_f64();
    // As autovacuum (PostgreSQL) or an import would: statistics for the planner.
    t.app.db.analyze().await.expect("analyze");
    let deep = isms_app::encode_cursor(&(n * 4 / 5).to_string());
    let page = |q: AssetQuery| AssetQuery {
        limit: Some(100),
        ..q
    };
    let cases: Vec<(&str, AssetQuery)> = vec![
        ("first page (100)", page(AssetQuery::default())),
        (
            "deep page (100, keyset at 80%)",
            page(AssetQuery {
                cursor: Some(deep.clone()),
                ..Default::default()
            }),
        ),
        (
            "type = hardware (100)",
            page(AssetQuery {
                asset_type: Some("hardware".into()),
                ..Default::default()
            }),
        ),
        (
            "owner + deep page (100)",
            page(AssetQuery {
                owner_id: Some(owners[1]),
                cursor: Some(deep.clone()),
                ..Default::default()
            }),
        ),
        (
            "tag = team-7 (100)",
            page(AssetQuery {
                tag: Some("team-7".into()),
                ..Default::default()
            }),
        ),
        (
            "tag = rare (1%, 100)",
            page(AssetQuery {
                tag: Some("rare".into()),
                ..Default::default()
            }),
        ),
        (
            "out of scope (10%, 100)",
            page(AssetQuery {
                in_scope: Some(false),
                ..Default::default()
            }),
        ),
        (
            "classification 4 + type (100)",
            page(AssetQuery {
                classification: Some(4),
                asset_type: Some("software".into()),
                ..Default::default()
            }),
        ),
        (
            "name contains (the last asset)",
            page(AssetQuery {
                q: Some(format!("number {}", n - 1)),
                ..Default::default()
            }),
        ),
    ];
    println!(
        "asset inventory with {n} assets on {} (loaded in {load:.1} s)",
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
            let page = t.app.list_assets(&ctx, q).await.expect("list");
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
        let flows = t
            .app
            .list_data_flows(
                &ctx,
                &FlowQuery {
                    asset_id: Some(hub),
                    limit: Some(100),
                    ..Default::default()
                },
            )
            .await
            .expect("flows");
        assert_eq!(flows.items.len(), 100);
        times.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{:<34} {:>9.2} {:>9.2}",
        "flows of one asset (100 of 200)",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );
    let mut times = Vec::new();
    for _ in 0..10 {
        let s = now();
        let svg = t
            .app
            .data_flow_diagram(&ctx, Some(hub))
            .await
            .expect("diagram");
        assert!(svg.contains("<svg"));
        times.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{:<34} {:>9.2} {:>9.2}",
        "diagram of the hub (200 flows)",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );
}
