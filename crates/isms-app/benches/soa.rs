//! Statement of Applicability at enterprise size: the SoA of a draft (93 rows with reasons
//! derived live from every risk that names a control), approval (freezing the reasons),
//! the approved version, and the PDF, XLSX and CSV exports. Run:
//! `cargo bench -p isms-app --bench soa` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_RISKS` sets the number of risks (default 50,000; three controls each).
//! Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::foundation::{Approve, NewDocVersion};
use isms_app::risk_methods::{ApproveRiskMethod, NewRiskMethod};
use isms_app::soa::SoaEntryPatch;
use isms_app::{Actor, Principal};
use isms_db::risks::{RiskRow, insert_risk, set_controls};
use isms_db::{Day, Ts};
use isms_domain::rbac::Role;
use isms_domain::soa::Applicability;
use isms_export::TableFormat;
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
    let ids: Vec<String> = isms_domain::catalogue::catalogue()
        .controls()
        .iter()
        .map(|c| c.id.clone())
        .collect();
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
        // Each risk treated by three Annex A controls, spread over the catalogue.
        let picks: Vec<String> = (0..3)
            .map(|k| ids[((i * 7 + k * 31) as usize) % ids.len()].clone())
            .collect();
        set_controls(&mut tx, ctx.org.id, row.id, &picks)
            .await
            .expect("controls");
    }
    tx.commit().await.expect("commit");
    let load = started.elapsed().as_secs_f64();
    // A draft with every control decided as applicable.
    let soa = t
        .app
        .create_soa_draft(Actor::User(&p), &ctx, &NewDocVersion::default())
        .await
        .expect("soa draft");
    let draft = t.app.get_soa(&ctx, soa.number, None).await.expect("soa");
    for e in &draft.entries {
        t.app
            .update_soa_entry(
                Actor::User(&p),
                &ctx,
                soa.number,
                &e.control,
                &SoaEntryPatch {
                    applicable: Some(Applicability::Yes),
                    inclusion_note: Some("Baseline".into()),
                    exclusion_justification: None,
                    version: e.version,
                },
            )
            .await
            .expect("decide");
    }
    println!(
        "SoA with {n} risks naming 3 controls each on {} (loaded in {load:.1} s)",
        if t.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("{:<40} {:>9} {:>9}", "operation", "p50 ms", "p95 ms");
    time("draft SoA (93 rows, live reasons)", 20, || {
        t.app.get_soa(&ctx, soa.number, None)
    })
    .await;
    let v = t.app.get_soa(&ctx, soa.number, None).await.expect("soa");
    let s = now();
    t.app
        .approve_soa(
            Actor::User(&p),
            &ctx,
            soa.number,
            &Approve {
                version: v.soa.version,
            },
        )
        .await
        .expect("approve soa");
    println!(
        "{:<40} {:>9.2} {:>9}",
        "approve (freeze 93 rows)",
        s.elapsed().as_secs_f64() * 1000.0,
        "once"
    );
    time("approved SoA (93 rows, frozen)", 20, || {
        t.app.get_soa(&ctx, soa.number, None)
    })
    .await;
    for (name, fmt) in [
        ("export PDF", TableFormat::Pdf),
        ("export XLSX", TableFormat::Xlsx),
        ("export CSV", TableFormat::Csv),
    ] {
        time(name, 5, || t.app.soa_file(&ctx, Some(soa.number), fmt)).await;
    }
}
