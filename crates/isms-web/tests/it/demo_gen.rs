//! The generated demo organisations (`isms demo --size`), at tiny counts: consistent
//! records, a verifying audit chain and evidence store, the readiness check and the
//! lists answer, idempotent, deterministic, and nobody else's data touched.

use isms_app::demo::{DEMO_ADMIN, DEMO_PASSWORD};
use isms_app::demo_gen::DemoSize;
use isms_app::progress::NoProgress;
use isms_testkit::{Client, TestApp};
use reqwest::StatusCode;

fn tiny(label: &str) -> DemoSize {
    DemoSize::custom(label, 6, 40, 15, 30, 50, 10, 600)
}

async fn scalar(t: &TestApp, sql: &str) -> i64 {
    t.scalar(sql).await
}

/// Rows whose reference does not resolve inside their own organisation.
const DANGLING: &[(&str, &str)] = &[
    (
        "asset owner not a member",
        "SELECT COUNT(*) FROM assets a WHERE a.owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = a.org_id AND m.user_id = a.owner_id)",
    ),
    (
        "asset custodian not a member",
        "SELECT COUNT(*) FROM assets a WHERE a.custodian_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = a.org_id AND m.user_id = a.custodian_id)",
    ),
    (
        "tag of another organisation's asset",
        "SELECT COUNT(*) FROM asset_tags t WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = t.asset_id AND a.org_id = t.org_id AND a.number = t.asset_number)",
    ),
    (
        "flow end outside the organisation",
        "SELECT COUNT(*) FROM data_flows f WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = f.from_asset_id AND a.org_id = f.org_id) OR NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = f.to_asset_id AND a.org_id = f.org_id) OR f.from_asset_id = f.to_asset_id",
    ),
    (
        "risk owner not a member",
        "SELECT COUNT(*) FROM risks r WHERE r.owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = r.org_id AND m.user_id = r.owner_id)",
    ),
    (
        "risk method of another organisation",
        "SELECT COUNT(*) FROM risks r WHERE NOT EXISTS (SELECT 1 FROM risk_methods m WHERE m.id = r.method_id AND m.org_id = r.org_id)",
    ),
    (
        "risk asset outside the organisation",
        "SELECT COUNT(*) FROM risk_assets x WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = x.asset_id AND a.org_id = x.org_id) OR NOT EXISTS (SELECT 1 FROM risks r WHERE r.id = x.risk_id AND r.org_id = x.org_id)",
    ),
    (
        "risk control outside the organisation",
        "SELECT COUNT(*) FROM risk_controls x WHERE NOT EXISTS (SELECT 1 FROM risks r WHERE r.id = x.risk_id AND r.org_id = x.org_id)",
    ),
    (
        "evidence file not stored for the organisation",
        "SELECT COUNT(*) FROM evidence e WHERE e.kind = 'file' AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.org_id = e.org_id AND b.sha256 = e.blob_sha256 AND b.size = e.size)",
    ),
    (
        "evidence link outside the organisation",
        "SELECT COUNT(*) FROM evidence_links l WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = l.evidence_id AND e.org_id = l.org_id AND e.number = l.evidence_number)",
    ),
    (
        "evidence linked to a risk that does not exist",
        "SELECT COUNT(*) FROM evidence_links l WHERE l.target_kind = 'risk' AND NOT EXISTS (SELECT 1 FROM risks r WHERE r.org_id = l.org_id AND 'R-' || (CASE WHEN r.number < 10 THEN '00' WHEN r.number < 100 THEN '0' ELSE '' END) || CAST(r.number AS TEXT) = l.target_ref)",
    ),
    (
        "task of another organisation's risk",
        "SELECT COUNT(*) FROM tasks t WHERE t.risk_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM risks r WHERE r.id = t.risk_id AND r.org_id = t.org_id)",
    ),
    (
        "membership without its user",
        "SELECT COUNT(*) FROM memberships m WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id)",
    ),
];

/// Counts of one organisation's records, to show that they did not change.
async fn footprint(t: &TestApp, slug: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "assets",
        "risks",
        "evidence",
        "tasks",
        "memberships",
        "data_flows",
    ] {
        out.push(
            scalar(
                t,
                &format!(
                    "SELECT COUNT(*) FROM {table} WHERE org_id = (SELECT id FROM organisations WHERE slug = '{slug}')"
                ),
            )
            .await,
        );
    }
    out.push(
        scalar(
            t,
            &format!(
                "SELECT COALESCE(MAX(last_seq), 0) FROM audit_heads WHERE chain_id = (SELECT id FROM organisations WHERE slug = '{slug}')"
            ),
        )
        .await,
    );
    out
}

async fn org_count(t: &TestApp, table: &str, slug: &str) -> i64 {
    footprint(t, slug).await[[
        "assets",
        "risks",
        "evidence",
        "tasks",
        "memberships",
        "data_flows",
    ]
    .iter()
    .position(|x| *x == table)
    .unwrap()]
}

#[tokio::test]
async fn generated_org_is_consistent_verifies_and_answers() {
    let t = TestApp::spawn().await;
    // Another organisation with records of its own, which generation must not touch.
    t.org_with_roles("other").await;
    let other_ctx = t.app.org_for_cli("other").await.unwrap();
    t.app
        .create_task(
            isms_app::Actor::Cli,
            &other_ctx,
            &isms_app::tasks::NewTask {
                title: "Write the access policy".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other_before = footprint(&t, "other").await;

    let size = tiny("tiny");
    let r = t
        .app
        .generate_demo("gen-one", &size, &NoProgress)
        .await
        .unwrap();
    assert!(r.created);
    assert_eq!((r.assets, r.risks, r.evidence), (40, 30, 50));
    assert!(r.audit_entries >= 600, "{}", r.audit_entries);
    // The generated records come on top of the full demo records.
    assert!(org_count(&t, "assets", "gen-one").await > 40);
    assert!(org_count(&t, "risks", "gen-one").await > 30);
    assert!(org_count(&t, "memberships", "gen-one").await >= 6 + 6);

    for (what, sql) in DANGLING {
        assert_eq!(scalar(&t, sql).await, 0, "{what}");
    }
    // Every asset type is generated.
    assert_eq!(
        scalar(
            &t,
            "SELECT COUNT(DISTINCT asset_type) FROM assets WHERE org_id = (SELECT id FROM organisations WHERE slug = 'gen-one')"
        )
        .await,
        7
    );
    // Evidence shares a handful of files.
    let files = scalar(&t, "SELECT COUNT(*) FROM blobs WHERE org_id = (SELECT id FROM organisations WHERE slug = 'gen-one')").await;
    let file_evidence = scalar(&t, "SELECT COUNT(*) FROM evidence WHERE kind = 'file' AND org_id = (SELECT id FROM organisations WHERE slug = 'gen-one')").await;
    assert!(
        files < file_evidence,
        "{files} files, {file_evidence} records"
    );

    // On PostgreSQL the planner has statistics of the new rows (a table never analysed
    // has reltuples = -1), so first pages are not planned for a handful of rows.
    if t.app.db.engine() == isms_db::Engine::Postgres {
        assert!(
            scalar(
                &t,
                "SELECT CAST(c.reltuples AS BIGINT) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'risks' AND n.nspname = current_schema()"
            )
            .await
                > 0
        );
    }

    // The audit trail and the evidence store verify.
    let reports = t.app.verify_all_audit(None).await.unwrap();
    assert!(reports.iter().all(|r| r.ok), "{reports:?}");
    let chain = reports.iter().find(|r| r.chain == "gen-one").unwrap();
    assert_eq!(chain.entries_checked, r.audit_entries);
    let ev = t.app.verify_evidence_files().await.unwrap();
    assert!(ev.broken.is_empty(), "{:?}", ev.broken);

    // The readiness check runs on it.
    let ctx = t.app.org_for_cli("gen-one").await.unwrap();
    let report = t
        .app
        .readiness(
            &ctx,
            isms_domain::readiness::Profile::parse("profile", "stage1").unwrap(),
        )
        .await
        .unwrap();
    assert!(!isms_domain::readiness::to_text("Gen One", &report).is_empty());

    // The lists answer for the demo administrator, through the API and the pages.
    let c = Client::new(&t.base, None);
    let (s, v) = c
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"email": DEMO_ADMIN, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let c = Client::new(&t.base, v["token"].as_str().map(str::to_owned));
    for path in [
        "/api/v1/orgs/gen-one/assets?limit=100",
        "/api/v1/orgs/gen-one/risks?limit=100",
    ] {
        let (s, v) = c.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert!(!v["items"].as_array().unwrap().is_empty(), "{path}");
    }
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
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
    for path in [
        "/o/gen-one/assets",
        "/o/gen-one/risks",
        "/o/gen-one",
        "/o/gen-one/soa",
    ] {
        let r = http.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }

    // Again: nothing changes, and it says so.
    let before = footprint(&t, "gen-one").await;
    let again = t
        .app
        .generate_demo("gen-one", &size, &NoProgress)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(footprint(&t, "gen-one").await, before);

    // Nobody else's records were touched.
    assert_eq!(footprint(&t, "other").await, other_before);
}

#[tokio::test]
async fn the_same_size_gives_the_same_records() {
    let t = TestApp::spawn().await;
    let size = tiny("same");
    t.app
        .generate_demo("gen-a", &size, &NoProgress)
        .await
        .unwrap();
    t.app
        .generate_demo("gen-b", &size, &NoProgress)
        .await
        .unwrap();
    let names = |slug: &'static str| {
        format!(
            "SELECT COUNT(*) FROM assets a JOIN assets b ON b.number = a.number AND b.name = a.name AND b.asset_type = a.asset_type AND b.confidentiality = a.confidentiality
             WHERE a.org_id = (SELECT id FROM organisations WHERE slug = '{slug}') AND b.org_id = (SELECT id FROM organisations WHERE slug = 'gen-b')"
        )
    };
    let same = scalar(&t, &names("gen-a")).await;
    assert_eq!(same, org_count(&t, "assets", "gen-a").await);
    let risks_same = scalar(
        &t,
        "SELECT COUNT(*) FROM risks a JOIN risks b ON b.number = a.number AND b.title = a.title AND b.inherent_level = a.inherent_level
         WHERE a.org_id = (SELECT id FROM organisations WHERE slug = 'gen-a') AND b.org_id = (SELECT id FROM organisations WHERE slug = 'gen-b')",
    )
    .await;
    assert_eq!(risks_same, org_count(&t, "risks", "gen-a").await);
    let reports = t.app.verify_all_audit(None).await.unwrap();
    assert!(reports.iter().all(|r| r.ok), "{reports:?}");
}
