//! The readiness engine through the API: a new organisation fails Stage 1 with blockers
//! first, each with its reason, fix and links; a record flips its rule; another
//! organisation's records never count; the demo organisations compare as they should.

use isms_domain::rbac::Role;
use isms_domain::readiness::Profile;
use isms_testkit::TestApp;
use serde_json::{Value, json};

fn rule<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["results"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("rule {id} in {r}"))
}

#[tokio::test]
async fn a_new_organisation_fails_stage1_and_a_record_flips_its_rule() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let base = "/api/v1/orgs/acme";

    let (s, r) = viewer.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["profile"], "stage1");
    assert_eq!(r["as_of"], "2026-11-28");
    assert!(r["blockers"].as_u64().unwrap() >= 10, "{r}");
    assert_eq!(r["passed"], 0);
    let first = &r["results"][0];
    assert_eq!(first["outcome"], "fail");
    assert_eq!(first["severity"], "blocker");
    let scope = rule(&r, "scope-defined");
    assert_eq!(scope["outcome"], "fail");
    assert_eq!(scope["clause"], "4.3");
    assert!(!scope["fix"].as_str().unwrap().is_empty());
    assert_eq!(scope["links"][0]["path"], "isms/scope");
    assert_eq!(rule(&r, "roles-assigned")["outcome"], "fail");

    // The other organisation assigns both 5.3 duties: acme's result does not move.
    let o = t.login(other.email(Role::IsmsManager)).await;
    let (s, role) = o
        .post(
            "/api/v1/orgs/other/roles",
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
                "person_id": other.user_id(Role::IsmsManager),
                "ensures_conformity": true, "reports_performance": true}),
        )
        .await;
    assert_eq!(s, 201, "{role}");
    let (_, r) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(rule(&r, "roles-assigned")["outcome"], "fail");

    // Acme assigns them: the rule passes, the score rises.
    let (s, role) = m
        .post(
            &format!("{base}/roles"),
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
                "person_id": f.user_id(Role::IsmsManager),
                "ensures_conformity": true, "reports_performance": true}),
        )
        .await;
    assert_eq!(s, 201, "{role}");
    let (_, after) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(rule(&after, "roles-assigned")["outcome"], "pass");
    assert!(after["score"].as_u64() > r["score"].as_u64(), "{after}");
    // Executive ownership still fails: nobody is marked as top management yet.
    let exec = rule(&after, "executive-ownership");
    assert_eq!(exec["outcome"], "fail");
    assert!(exec["reason"].as_str().unwrap().contains("top management"));

    // The API gives what the service gives for the same data and date.
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let direct = t.app.readiness(&ctx, Profile::Stage1).await.unwrap();
    assert_eq!(serde_json::to_value(&direct).unwrap(), after);

    // The other profiles answer; an unknown one is a 422 naming the field.
    for p in ["stage2", "surveillance"] {
        let (s, r) = viewer.get(&format!("{base}/readiness/{p}")).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["profile"], p);
    }
    let (s, p) = m.get(&format!("{base}/readiness/stage3")).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "profile");
    // Another organisation's readiness is not there for an outsider.
    let (s, _) = outsider.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_certified_demo_passes_stage1_and_the_gap_stage_demo_does_not() {
    let t = TestApp::spawn().await;
    t.app.load_demo(None).await.unwrap();
    let northwind = t.app.org_for_cli("northwind").await.unwrap();
    let bluefin = t.app.org_for_cli("bluefin").await.unwrap();
    let r = t.app.readiness(&northwind, Profile::Stage1).await.unwrap();
    let fails: Vec<_> = r
        .results
        .iter()
        .filter(|x| x.outcome == isms_domain::readiness::Outcome::Fail)
        .map(|x| (x.id, x.reason.clone()))
        .collect();
    assert!(r.ok(), "{fails:?}");
    // Stage 2 finds the operation gaps the demo keeps on purpose, each linked.
    let r2 = t.app.readiness(&northwind, Profile::Stage2).await.unwrap();
    let evidence = r2
        .results
        .iter()
        .find(|x| x.id == "controls-evidenced")
        .unwrap();
    assert_eq!(evidence.outcome, isms_domain::readiness::Outcome::Fail);
    assert!(
        evidence
            .links
            .iter()
            .all(|l| l.path.starts_with("controls/"))
    );
    let b = t.app.readiness(&bluefin, Profile::Stage1).await.unwrap();
    assert!(!b.ok());
    assert!(b.blockers >= 10, "{}", b.blockers);
    assert!(b.score < r.score);
}

#[tokio::test]
async fn the_settings_change_what_the_rules_accept() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let base = "/api/v1/orgs/acme";
    let (s, d) = viewer.get(&format!("{base}/readiness-settings")).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        d,
        json!({"audit_lead_weeks": 4, "min_measurement_periods": 3, "min_scope_words": 12, "version": 0})
    );
    // Out of bounds: 422 naming each field, nothing saved.
    let (s, p) = m
        .patch(
            &format!("{base}/readiness-settings"),
            &json!({"audit_lead_weeks": 30, "min_measurement_periods": 0, "min_scope_words": 12, "version": 0}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["audit_lead_weeks", "min_measurement_periods"]);
    assert_eq!(
        viewer.get(&format!("{base}/readiness-settings")).await.1["version"],
        0
    );
    // A viewer cannot change them.
    let body = json!({"audit_lead_weeks": 8, "min_measurement_periods": 2, "min_scope_words": 40, "version": 0});
    let (s, _) = viewer
        .patch(&format!("{base}/readiness-settings"), &body)
        .await;
    assert_eq!(s, 403);
    let (s, r) = m.patch(&format!("{base}/readiness-settings"), &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["version"], 1);
    assert_eq!(r["min_scope_words"], 40);
    // The same version again is stale.
    let (s, _) = m.patch(&format!("{base}/readiness-settings"), &body).await;
    assert_eq!(s, 409);
    // The rules read them: the report's settings are acme's; the other org keeps defaults.
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let facts = t.app.readiness_facts(&ctx).await.unwrap();
    assert_eq!(facts.settings.audit_lead_weeks, 8);
    assert_eq!(facts.settings.min_measurement_periods, 2);
    let octx = t.app.org_for_cli("other").await.unwrap();
    assert_eq!(
        t.app.readiness_facts(&octx).await.unwrap().settings,
        isms_domain::readiness::Settings::default()
    );
    let o = t.login(other.email(Role::Admin)).await;
    let (s, _) = o.get(&format!("{base}/readiness-settings")).await;
    assert_eq!(s, 404);
}

/// The facts behind the reports are kept per organisation between changes: a change
/// made through another instance on the same database, a change of date and a change to
/// another organisation each give the answer a fresh gathering gives.
#[tokio::test]
async fn kept_facts_follow_changes_from_any_instance_and_the_date() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let base = "/api/v1/orgs/acme";
    let (s, first) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(rule(&first, "roles-assigned")["outcome"], "fail");
    let (_, again) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(again, first);

    // The other organisation changes: acme's report stays what it was.
    let o = t.login(other.email(Role::IsmsManager)).await;
    let (s, _) = o
        .post(
            "/api/v1/orgs/other/roles",
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
                "person_id": other.user_id(Role::IsmsManager),
                "ensures_conformity": true, "reports_performance": true}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, r) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(r, first);

    // A second instance records acme's roles: the first instance's next report has them.
    let (base2, _h) = t.spawn_sibling().await;
    let m2 = isms_testkit::Client::new(&base2, m.token.clone());
    let (s, role) = m2
        .post(
            &format!("{base}/roles"),
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
                "person_id": f.user_id(Role::IsmsManager),
                "ensures_conformity": true, "reports_performance": true}),
        )
        .await;
    assert_eq!(s, 201, "{role}");
    let (_, after) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(rule(&after, "roles-assigned")["outcome"], "pass");
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let fresh = isms_app::App::new(t.app.db.clone(), t.clock.clone(), Default::default());
    let direct = fresh.readiness(&ctx, Profile::Stage1).await.unwrap();
    assert_eq!(serde_json::to_value(&direct).unwrap(), after);

    // The next day the report is of that day (signed in again: the session has expired).
    t.clock.advance_days(1);
    let m = t.login(f.email(Role::IsmsManager)).await;
    let (_, tomorrow) = m.get(&format!("{base}/readiness/stage1")).await;
    assert_eq!(tomorrow["as_of"], "2026-11-29");
}
