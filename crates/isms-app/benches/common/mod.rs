//! What the benchmark programs share: wall-clock timing, percentiles, and an organisation
//! with an approved 5×5 risk method and a register of generated risks.

// Not every benchmark uses every helper.
#![allow(dead_code)]

use isms_app::orgs::OrgCtx;
use isms_app::risk_methods::{ApproveRiskMethod, NewRiskMethod, RiskMethod};
use isms_app::{Actor, Principal};
use isms_db::risks::{RiskRow, insert_risk, set_controls};
use isms_db::{Day, Ts};
use isms_domain::rbac::Role;
use isms_testkit::{OrgFixture, TestApp};
use std::time::Instant;

#[allow(clippy::disallowed_methods)] // wall-clock timing is the point of a benchmark
pub fn now() -> Instant {
    Instant::now()
}

pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// The organisation `bench` with a member per role, its context, its administrator as a
/// principal, and an approved 5×5 risk method.
pub async fn org_with_method(t: &TestApp) -> (OrgFixture, OrgCtx, Principal, RiskMethod) {
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
    (f, ctx, p, m)
}

/// Insert `n` risks in one transaction, spread over the 25 cells, three owners and four
/// statuses; each risk is treated by the controls `controls(i)` names. Returns the
/// seconds it took.
pub async fn load_risks(
    t: &TestApp,
    f: &OrgFixture,
    ctx: &OrgCtx,
    m: &RiskMethod,
    n: i64,
    controls: impl Fn(i64) -> Vec<String>,
) -> f64 {
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
        let picks = controls(i);
        if !picks.is_empty() {
            set_controls(&mut tx, ctx.org.id, row.id, &picks)
                .await
                .expect("controls");
        }
    }
    tx.commit().await.expect("commit");
    started.elapsed().as_secs_f64()
}
