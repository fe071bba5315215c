//! Statement of Applicability at enterprise size: the SoA of a draft (93 rows with reasons
//! derived live from every risk that names a control), approval (freezing the reasons),
//! the approved version, and the PDF, XLSX and CSV exports. Run:
//! `cargo bench -p isms-app --bench soa` (SQLite), or with
//! `ISMS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for PostgreSQL.
//! `ISMS_BENCH_RISKS` sets the number of risks (default 50,000; three controls each).
//! Prints p50/p95 in ms.

// A benchmark program, not product code: a failure should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use isms_app::Actor;
use isms_app::foundation::{Approve, NewDocVersion};
use isms_app::soa::SoaEntryPatch;
use isms_domain::soa::Applicability;
use isms_export::TableFormat;
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
    let (f, ctx, p, m) = org_with_method(&t).await;
    let ids: Vec<String> = isms_domain::catalogue::catalogue()
        .controls()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    // Each risk treated by three Annex A controls, spread over the catalogue.
    let load = load_risks(&t, &f, &ctx, &m, n, |i| {
        (0..3)
            .map(|k| ids[((i * 7 + k * 31) as usize) % ids.len()].clone())
            .collect()
    })
    .await;
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
