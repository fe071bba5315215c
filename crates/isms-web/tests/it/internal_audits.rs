//! Internal audit through the API: areas, the programme and its holes, audits with the
//! independence check (refusal, then a justification recorded in the audit trail),
//! checklists, completion, reports, roles, versions and other organisations.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const API: &str = "/api/v1/orgs/acme";

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn holes(p: &Value) -> Vec<String> {
    p["holes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn programme_shows_exactly_the_unplanned_items_and_plan_the_rest_fills_them() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::InternalAuditor)).await;
    let (s, p) = c.get(&format!("{API}/audit-programme")).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["cycle_start_year"], 2026);
    assert_eq!(p["years"], json!([2026, 2027, 2028]));
    assert_eq!(p["all_controls_assumed"], true);
    assert_eq!(p["items"], 30 + 93);
    assert_eq!(holes(&p).len(), 123);

    // Planning an item takes it out of the holes, and only that one.
    let (s, p) = c
        .post(
            &format!("{API}/audit-programme/entries"),
            &json!({"year": 2027, "item": "a.5.15"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let h = holes(&p);
    assert_eq!(h.len(), 122);
    assert!(!h.contains(&"A.5.15".to_owned()));
    let row = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "A.5.15")
        .unwrap();
    assert_eq!(
        row["cells"],
        json!(["not_planned", "planned", "not_planned"])
    );

    // Bad input names the field; outside the cycle is refused.
    let (s, e) = c
        .post(
            &format!("{API}/audit-programme/entries"),
            &json!({"year": 2031, "item": "A.99.1"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["item", "year"]);

    // Removing it brings the hole back.
    let (s, p) = c
        .send(
            Method::DELETE,
            &format!("{API}/audit-programme/entries/2027/A.5.15"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(holes(&p).len(), 123);

    let (s, p) = c
        .post(&format!("{API}/audit-programme/plan-the-rest"), &json!({}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert!(holes(&p).is_empty());
    assert_eq!(t.count_rows("audit_programme_entries").await, 123);

    // Cycle start: versioned.
    let (s, p) = c
        .patch(
            &format!("{API}/audit-programme"),
            &json!({"cycle_start_year": 2027, "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["years"], json!([2027, 2028, 2029]));
    let (s, _) = c
        .patch(
            &format!("{API}/audit-programme"),
            &json!({"cycle_start_year": 2026, "version": 0}),
        )
        .await;
    assert_eq!(s, 409);

    // A viewer reads but cannot plan; a contributor cannot plan either.
    for role in [Role::Viewer, Role::Contributor] {
        let v = t.login(f.email(role)).await;
        let (s, _) = v.get(&format!("{API}/audit-programme")).await;
        assert_eq!(s, 200);
        let (s, _) = v
            .post(
                &format!("{API}/audit-programme/entries"),
                &json!({"year": 2027, "item": "4.1"}),
            )
            .await;
        assert_eq!(s, 403, "{role:?}");
    }
}

#[tokio::test]
async fn independence_conflict_is_refused_then_accepted_with_a_recorded_justification() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::InternalAuditor)).await;
    let auditor = f.user_id(Role::InternalAuditor);
    let manager = f.user_id(Role::IsmsManager);
    let contributor = f.user_id(Role::Contributor);

    // An area the internal auditor owns, where the contributor works.
    let (s, area) = c
        .post(
            &format!("{API}/audit-areas"),
            &json!({"name": "Engineering", "description": "Builds the platform",
                    "owner_id": auditor, "members": [contributor]}),
        )
        .await;
    assert_eq!(s, 201, "{area}");
    assert_eq!(area["members"][0]["id"], json!(contributor));
    let area_id = area["id"].as_str().unwrap().to_owned();
    let (s, e) = c
        .post(&format!("{API}/audit-areas"), &json!({"name": " "}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["name"]);

    let body = json!({
        "title": "ISMS core", "scope": ["9.2.2", "A.5.15", "4.1"],
        "planned_start": "2026-12-01", "planned_end": "2026-12-03",
        "lead_auditor_id": auditor, "team": [contributor], "areas": [area_id],
    });
    let (s, e) = c.post(&format!("{API}/audits"), &body).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(fields(&e), ["lead_auditor_id", "team"]);
    let text = e.to_string();
    assert!(text.contains("owns the area Engineering"), "{text}");
    assert!(text.contains("works in the area Engineering"), "{text}");
    assert_eq!(t.count_rows("audits").await, 0);

    // A viewer may not be lead auditor; bad dates and scope name their fields.
    let (s, e) = c
        .post(
            &format!("{API}/audits"),
            &json!({"title": "x", "scope": ["A.99.9"], "planned_start": "2026-13-01",
                    "planned_end": "2026-12-01", "lead_auditor_id": f.user_id(Role::Viewer)}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["scope[0]", "planned_start", "lead_auditor_id"]);

    let mut ok = body.clone();
    ok["independence_justification"] =
        json!("Only trained auditor; the ISMS manager reviews her notes");
    let (s, a) = c.post(&format!("{API}/audits"), &ok).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["reference"], "AUD-2026-01");
    assert_eq!(a["status"], "planned");
    assert_eq!(
        a["criteria"],
        "ISO/IEC 27001:2022 and the organisation's ISMS documentation"
    );
    assert_eq!(a["independence_conflicts"].as_array().unwrap().len(), 2);
    let scope: Vec<&str> = a["scope"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["item"].as_str().unwrap())
        .collect();
    assert_eq!(scope, ["4.1", "9.2.2", "A.5.15"]);
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, trail) = admin.get(&format!("{API}/audit-trail?limit=100")).await;
    let entry = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "audit" && e["action"] == "create")
        .unwrap();
    let summary = entry["summary"].as_str().unwrap();
    assert!(
        summary.contains("Only trained auditor; the ISMS manager reviews her notes"),
        "{summary}"
    );
    assert!(summary.contains("owns the area Engineering"), "{summary}");

    // The audit counts as planned in the programme.
    let (_, p) = c.get(&format!("{API}/audit-programme")).await;
    assert!(!holes(&p).contains(&"9.2.2".to_owned()));

    // An independent lead and no area: no conflict, no justification needed.
    let (s, b) = c
        .post(
            &format!("{API}/audits"),
            &json!({"title": "Access control", "scope": ["A.5.15"],
                    "planned_start": "2027-03-01", "planned_end": "2027-03-01",
                    "lead_auditor_id": manager}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["reference"], "AUD-2027-01");
    assert_eq!(b["independence_conflicts"], json!([]));
    let (_, list) = c.get(&format!("{API}/audits?limit=1")).await;
    assert_eq!(list["items"][0]["reference"], "AUD-2027-01");
    let cur = list["next_cursor"].as_str().unwrap();
    let (_, next) = c.get(&format!("{API}/audits?limit=1&cursor={cur}")).await;
    assert_eq!(next["items"][0]["reference"], "AUD-2026-01");
    assert!(next["next_cursor"].is_null());
}

#[tokio::test]
async fn checklist_is_answered_and_completion_needs_every_item() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::InternalAuditor)).await;
    let (s, a) = c
        .post(
            &format!("{API}/audits"),
            &json!({"title": "Core", "scope": ["9.2.2", "A.5.15"],
                    "planned_start": "2026-11-20", "planned_end": "2026-11-30",
                    "lead_auditor_external": "Pat Auditor (Acme Assurance)"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let one = format!("{API}/audits/{}", a["id"].as_str().unwrap());

    // Answering before the start is refused; completing a planned audit is too.
    let (s, e) = c
        .patch(&one, &json!({"status": "completed", "version": 1}))
        .await;
    assert_eq!(s, 422);
    assert!(fields(&e).contains(&"status".to_owned()), "{e}");

    let (s, a) = c
        .patch(&one, &json!({"status": "in_progress", "version": 1}))
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["actual_start"], "2026-11-28");
    let (s, list) = c.get(&format!("{one}/checklist")).await;
    assert_eq!(s, 200);
    assert_eq!(list["total"], 2);
    assert_eq!(list["answered"], 0);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["item"], "9.2.2");
    assert!(!items[0]["questions"].as_array().unwrap().is_empty());
    assert!(
        items[1]["questions"][0]
            .as_str()
            .unwrap()
            .contains("Access control")
    );
    let first = format!("{one}/checklist/{}", items[0]["id"].as_str().unwrap());
    let second = format!("{one}/checklist/{}", items[1]["id"].as_str().unwrap());

    // Completing with open items names the first open one.
    let (s, e) = c
        .patch(&one, &json!({"status": "completed", "version": 2}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["checklist"]);
    assert!(e.to_string().contains("9.2.2"), "{e}");

    let (s, e) = c
        .patch(
            &first,
            &json!({"result": "broken", "evidence": ["EV-9"], "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["result", "evidence[0]"]);
    let (s, i) = c
        .patch(
            &first,
            &json!({"result": "nonconforming", "notes": "No programme for 2027",
                    "evidence_note": "Programme file v2", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{i}");
    assert_eq!(i["proposed_grade"], "minor_nc");
    assert_eq!(i["finding_reference"], "9.2.2");
    let (s, _) = c
        .patch(&first, &json!({"result": "conforming", "version": 1}))
        .await;
    assert_eq!(s, 409);
    let (s, _) = c
        .patch(&second, &json!({"result": "conforming", "version": 1}))
        .await;
    assert_eq!(s, 200);

    // A viewer cannot answer.
    let v = t.login(f.email(Role::Viewer)).await;
    let (s, _) = v
        .patch(&second, &json!({"result": "observation", "version": 2}))
        .await;
    assert_eq!(s, 403);

    let (s, a) = c
        .patch(&one, &json!({"status": "completed", "version": 2}))
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "completed");
    assert_eq!(a["actual_end"], "2026-11-28");
    // Completed: the plan and the checklist are frozen, and it cannot be removed.
    let (s, _) = c.patch(&one, &json!({"title": "New", "version": 3})).await;
    assert_eq!(s, 422);
    let (s, _) = c
        .patch(&second, &json!({"result": "observation", "version": 2}))
        .await;
    assert_eq!(s, 422);
    let (s, _) = c.send(Method::DELETE, &one, None).await;
    assert_eq!(s, 422);

    // The programme shows the items as audited.
    let (_, p) = c.get(&format!("{API}/audit-programme")).await;
    let row = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "9.2.2")
        .unwrap();
    assert_eq!(row["cells"][0], "audited");

    // Reports.
    let r = c
        .request(Method::GET, &format!("{one}/report?format=md"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let md = r.text().await.unwrap();
    assert!(md.contains("AUD-2026-01"), "{md}");
    assert!(md.contains("No programme for 2027"), "{md}");
    assert!(
        md.contains("Pat Auditor (Acme Assurance) (external)"),
        "{md}"
    );
    assert!(md.contains("Programme file v2"), "{md}");
    let r = c
        .request(Method::GET, &format!("{one}/report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    let (s, e) = c.get(&format!("{one}/report?format=xlsx")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["format"]);

    // Another organisation sees nothing.
    let _other = t.org_with_roles("other").await;
    let o = t.login("admin@other.test").await;
    let theirs = one.replace("/acme/", "/other/");
    for path in [
        theirs.clone(),
        format!("{theirs}/checklist"),
        format!("{theirs}/report"),
    ] {
        let (s, _) = o.get(&path).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = o.patch(&theirs, &json!({"title": "x", "version": 3})).await;
    assert_eq!(s, 404);
    let (_, list) = o.get("/api/v1/orgs/other/audits").await;
    assert_eq!(list["items"], json!([]));
}
