//! Findings, corrective actions and management reviews through the API: validation
//! naming the field, the closing rule, verification by someone other than the owner,
//! roles, other organisations, stale versions, and the frozen review inputs.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const FINDINGS: &str = "/api/v1/orgs/acme/findings";
const ACTIONS: &str = "/api/v1/orgs/acme/corrective-actions";
const REVIEWS: &str = "/api/v1/orgs/acme/management-reviews";

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

fn message(p: &Value, field: &str) -> String {
    p["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn findings_are_validated_and_numbered() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let auditor = t.login(f.email(Role::InternalAuditor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;

    let (s, p) = auditor
        .post(
            FINDINGS,
            &json!({"grade": "critical", "reference": "11.4", "title": "",
                    "raised_on": "2099-01-01", "source": "rumour"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fs = fields(&p);
    for want in ["grade", "reference", "title", "raised_on", "source"] {
        assert!(fs.contains(&want.to_owned()), "{want} in {fs:?}");
    }
    let (s, p) = auditor
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "9.2", "title": "x",
                    "raised_on": "2026-13-01", "deadline": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["raised_on"]);
    let (s, p) = auditor
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "9.2", "title": "x",
                    "raised_on": "2026-10-01", "deadline": "2026-09-01"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["deadline"]);

    let (s, a) = auditor
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "5.15", "title": "Leavers keep access",
                    "source": "internal_audit", "raised_on": "2026-10-01"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["finding_ref"], "F-001");
    assert_eq!(a["reference"], "A.5.15");
    assert_eq!(a["status"], "open");
    let (s, b) = auditor
        .post(
            FINDINGS,
            &json!({"grade": "ofi", "reference": "Clause 7.3", "title": "Short awareness videos"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["finding_ref"], "F-002");
    assert_eq!(b["reference"], "7.3");
    assert_eq!(b["source"], "other");

    let (s, p) = viewer
        .post(
            FINDINGS,
            &json!({"grade": "ofi", "reference": "7.3", "title": "x"}),
        )
        .await;
    assert_eq!(s, 403, "{p}");
    let (s, list) = viewer.get(&format!("{FINDINGS}?grade=minor_nc")).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (s, p) = viewer.get(&format!("{FINDINGS}?grade=bad")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["grade"]);
    let (s, counts) = viewer.get(&format!("{FINDINGS}/counts")).await;
    assert_eq!(s, 200);
    assert_eq!(counts[1]["grade"], "minor_nc");
    assert_eq!(counts[1]["open"], 1);

    // An observation closes with a note and no action; without one it is refused.
    let id = b["id"].as_str().unwrap();
    let (s, p) = auditor
        .patch(
            &format!("{FINDINGS}/{id}"),
            &json!({"status": "closed", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["status"]);
    let (s, p) = auditor
        .patch(
            &format!("{FINDINGS}/{id}"),
            &json!({"status": "closed", "closure_note": "Videos added to onboarding", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["status"], "closed");
    let (s, _) = auditor
        .patch(
            &format!("{FINDINGS}/{id}"),
            &json!({"title": "stale", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn a_nonconformity_closes_only_after_an_effective_verification_by_someone_else() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let contributor_id = f.user_id(Role::Contributor);
    let contributor = t.login(f.email(Role::Contributor)).await;

    let (_, nc) = manager
        .post(
            FINDINGS,
            &json!({"grade": "major_nc", "reference": "9.2", "title": "No internal audit held",
                    "raised_on": "2026-10-01"}),
        )
        .await;
    let fid = nc["id"].as_str().unwrap().to_owned();
    let (s, p) = manager
        .post(
            ACTIONS,
            &json!({"finding_id": fid, "title": "Run the audit programme", "due_on": "2026-09-01",
                    "rca_method": "guess", "five_whys": [{"why": "Why?", "answer": ""}],
                    "owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fs = fields(&p);
    for want in ["due_on", "rca_method", "five_whys[0]", "owner_id"] {
        assert!(fs.contains(&want.to_owned()), "{want} in {fs:?}");
    }
    let (s, ca) = manager
        .post(
            ACTIONS,
            &json!({"finding_id": fid, "title": "Run the audit programme",
                    "correction": "Audit of 9.2 booked", "correction_on": "2026-10-02",
                    "rca_method": "five_whys",
                    "five_whys": [{"why": "Why no audit?", "answer": "No auditor named"},
                                  {"why": "Why none?", "answer": "Role not defined"}],
                    "description": "Name and train two internal auditors",
                    "owner_id": contributor_id, "due_on": "2026-11-01"}),
        )
        .await;
    assert_eq!(s, 201, "{ca}");
    assert_eq!(ca["action_ref"], "CA-001");
    assert_eq!(ca["overdue"], true, "due 2026-11-01, today is later");
    let cid = ca["id"].as_str().unwrap().to_owned();
    let (_, nc) = manager.get(&format!("{FINDINGS}/{fid}")).await;
    assert_eq!(nc["status"], "action_planned");

    // Closing early is refused, naming status with the reason.
    let (s, p) = manager
        .patch(
            &format!("{FINDINGS}/{fid}"),
            &json!({"status": "closed", "version": nc["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["status"]);
    assert!(message(&p, "status").contains("verified effective"));

    // Major NC: no implementation without a root cause; no verification before it.
    let (s, p) = manager
        .post(
            &format!("{ACTIONS}/{cid}/verify"),
            &json!({"result": "effective", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["status"]);
    let (s, p) = manager
        .patch(
            &format!("{ACTIONS}/{cid}"),
            &json!({"status": "implemented", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(message(&p, "status").contains("root cause"));
    let (s, ca) = manager
        .patch(
            &format!("{ACTIONS}/{cid}"),
            &json!({"status": "implemented", "root_cause": "ISMS roles miss the auditor", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{ca}");
    assert_eq!(ca["status"], "implemented");
    assert_eq!(ca["overdue"], false);

    // The owner cannot verify their own action.
    let (s, p) = contributor
        .post(
            &format!("{ACTIONS}/{cid}/verify"),
            &json!({"result": "effective", "version": ca["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), vec!["verified_by"]);
    let (s, p) = manager
        .post(
            &format!("{ACTIONS}/{cid}/verify"),
            &json!({"result": "effective", "verified_on": "2099-01-01", "version": ca["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["verified_on"]);
    let (s, v) = manager
        .post(
            &format!("{ACTIONS}/{cid}/verify"),
            &json!({"result": "effective", "note": "Two audits done since", "version": ca["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "verified_effective");
    assert_eq!(v["verification"], "effective");

    let (_, nc) = manager.get(&format!("{FINDINGS}/{fid}")).await;
    assert_eq!(nc["status"], "verifying");
    let (s, nc) = manager
        .patch(
            &format!("{FINDINGS}/{fid}"),
            &json!({"status": "closed", "version": nc["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{nc}");
    assert_eq!(nc["status"], "closed");
    assert!(nc["closed_on"].is_string());

    // Close the action too; after that it no longer changes.
    let (s, c) = manager
        .patch(
            &format!("{ACTIONS}/{cid}"),
            &json!({"status": "closed", "version": v["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let (s, _) = manager
        .patch(
            &format!("{ACTIONS}/{cid}"),
            &json!({"title": "x", "version": c["version"]}),
        )
        .await;
    assert_eq!(s, 409);

    // Corrective actions are for nonconformities.
    let (_, obs) = manager
        .post(
            FINDINGS,
            &json!({"grade": "observation", "reference": "8.1", "title": "Obs"}),
        )
        .await;
    let (s, p) = manager
        .post(ACTIONS, &json!({"finding_id": obs["id"], "title": "x"}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["finding_id"]);
}

#[tokio::test]
async fn an_ineffective_action_sends_the_finding_back() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (_, nc) = manager
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "A.8.13", "title": "Backups untested"}),
        )
        .await;
    let fid = nc["id"].as_str().unwrap();
    let (_, ca) = manager
        .post(ACTIONS, &json!({"finding_id": fid, "title": "Quarterly restore test", "description": "Test restores"}))
        .await;
    let cid = ca["id"].as_str().unwrap();
    let (_, ca) = manager
        .patch(
            &format!("{ACTIONS}/{cid}"),
            &json!({"status": "implemented", "version": 1}),
        )
        .await;
    let (s, v) = manager
        .post(
            &format!("{ACTIONS}/{cid}/verify"),
            &json!({"result": "ineffective", "version": ca["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "verified_ineffective");
    let (_, nc) = manager.get(&format!("{FINDINGS}/{fid}")).await;
    assert_eq!(nc["status"], "open");
    let (s, _) = manager
        .patch(
            &format!("{FINDINGS}/{fid}"),
            &json!({"status": "closed", "version": nc["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, list) = manager.get(&format!("{ACTIONS}?finding_id={fid}")).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn other_organisations_and_roles() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let external = t.login(f.email(Role::ExternalAuditor)).await;
    let (_, nc) = manager
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "9.2", "title": "x"}),
        )
        .await;
    let fid = nc["id"].as_str().unwrap();
    let (s, _) = outsider
        .get(&format!("/api/v1/orgs/other/findings/{fid}"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider.get(&format!("{FINDINGS}/{fid}")).await;
    assert_eq!(s, 404);
    let (s, p) = outsider
        .post(
            "/api/v1/orgs/other/corrective-actions",
            &json!({"finding_id": fid, "title": "x"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["finding_id"]);
    let (s, _) = external
        .post(ACTIONS, &json!({"finding_id": fid, "title": "x"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = external
        .post(REVIEWS, &json!({"planned_on": "2026-12-01"}))
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn review_inputs_are_frozen_when_the_review_is_created() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let (_, nc) = manager
        .post(
            FINDINGS,
            &json!({"grade": "major_nc", "reference": "6.1.3", "title": "SoA out of date"}),
        )
        .await;
    let (_, _) = manager
        .post(FINDINGS, &json!({"grade": "ofi", "reference": "7.3", "title": "Phishing drills", "source": "complaint"}))
        .await;

    let (s, p) = manager
        .post(REVIEWS, &json!({"planned_on": "2026-02-30"}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["planned_on"]);
    let (s, r) = manager
        .post(
            REVIEWS,
            &json!({"planned_on": "2026-12-10", "chair_id": f.user_id(Role::Admin),
                    "attendee_ids": [f.user_id(Role::IsmsManager)], "other_attendees": ["CFO"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["review_ref"], "MR-001");
    let id = r["id"].as_str().unwrap().to_owned();
    let inputs = r["inputs"].clone();
    assert!(
        inputs["nonconformities"]["summary"][0]
            .as_str()
            .unwrap()
            .contains("1 open (1 major, 0 minor)"),
        "{inputs}"
    );
    assert_eq!(inputs["improvement"]["items"][0]["reference"], "F-002");
    assert_eq!(inputs["feedback"]["items"][0]["reference"], "F-002");

    // The data moves on: a new finding, a closed one, a new action.
    let (_, _) = manager
        .post(
            FINDINGS,
            &json!({"grade": "minor_nc", "reference": "9.2", "title": "Later finding"}),
        )
        .await;
    let (s, _) = manager
        .post(
            ACTIONS,
            &json!({"finding_id": nc["id"], "title": "Update the SoA"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, again) = contributor.get(&format!("{REVIEWS}/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(again["inputs"], inputs, "inputs must not change");
    assert_eq!(again["inputs_as_of"], r["inputs_as_of"]);

    // Decisions and actions: a task and a corrective action, linked back.
    let (s, p) = manager
        .post(
            &format!("{REVIEWS}/{id}/actions"),
            &json!({"description": "", "kind": "meeting", "due_on": "soon"}),
        )
        .await;
    assert_eq!(s, 422);
    let fs = fields(&p);
    for want in ["description", "kind", "due_on"] {
        assert!(fs.contains(&want.to_owned()), "{want} in {fs:?}");
    }
    let (s, r) = manager
        .post(
            &format!("{REVIEWS}/{id}/actions"),
            &json!({"description": "Budget for a SIEM", "kind": "task", "due_on": "2027-03-01"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = manager
        .post(
            &format!("{REVIEWS}/{id}/actions"),
            &json!({"description": "Fix supplier onboarding", "kind": "corrective_action",
                    "owner_id": f.user_id(Role::Contributor)}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["actions"].as_array().unwrap().len(), 2);
    assert!(r["actions"][0]["task_id"].is_string());
    assert_eq!(r["actions"][1]["reference"], "CA-002");
    let (_, ca) = manager
        .get(&format!(
            "{ACTIONS}/{}",
            r["actions"][1]["corrective_action_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ca["review_id"], id.as_str());

    // Refresh only while planned; it changes the inputs and the audit trail records it.
    let (s, refreshed) = manager
        .post(
            &format!("{REVIEWS}/{id}/refresh-inputs"),
            &json!({"version": r["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{refreshed}");
    assert_ne!(refreshed["inputs"], inputs);
    let (s, p) = manager
        .patch(
            &format!("{REVIEWS}/{id}"),
            &json!({"notes": {"d1": "Audit programme under way", "zz": "x"}, "version": refreshed["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["notes.zz"]);
    let (s, p) = manager
        .patch(
            &format!("{REVIEWS}/{id}"),
            &json!({"status": "held", "version": refreshed["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["held_on"]);
    let today = refreshed["inputs_as_of"].as_str().unwrap();
    let (s, held) = manager
        .patch(
            &format!("{REVIEWS}/{id}"),
            &json!({"status": "held", "held_on": today, "decisions": "Fund the SIEM.",
                    "notes": {"d1": "Audit programme under way"}, "version": refreshed["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{held}");
    assert_eq!(held["status"], "held");
    let (s, _) = manager
        .post(
            &format!("{REVIEWS}/{id}/refresh-inputs"),
            &json!({"version": held["version"]}),
        )
        .await;
    assert_eq!(s, 409);

    // Approval needs Approve; then the record is locked.
    let (s, _) = contributor
        .post(
            &format!("{REVIEWS}/{id}/approve"),
            &json!({"version": held["version"]}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = manager
        .post(&format!("{REVIEWS}/{id}/approve"), &json!({"version": 1}))
        .await;
    assert_eq!(s, 409, "stale");
    let (s, ok) = manager
        .post(
            &format!("{REVIEWS}/{id}/approve"),
            &json!({"version": held["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{ok}");
    assert_eq!(ok["locked"], true);
    let (s, _) = manager
        .patch(
            &format!("{REVIEWS}/{id}"),
            &json!({"decisions": "changed", "version": ok["version"]}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = manager
        .post(
            &format!("{REVIEWS}/{id}/actions"),
            &json!({"description": "Late"}),
        )
        .await;
    assert_eq!(s, 409);

    // The next review counts the first one's actions.
    let (s, next) = manager
        .post(REVIEWS, &json!({"planned_on": "2027-06-01"}))
        .await;
    assert_eq!(s, 201);
    assert_eq!(next["inputs"]["since"], today);
    assert_eq!(
        next["inputs"]["previous_actions"]["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Minutes.
    let r = manager
        .request(
            reqwest::Method::GET,
            &format!("{REVIEWS}/{id}/minutes?format=md"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let md = r.text().await.unwrap();
    assert!(md.contains("MR-001"), "{md}");
    assert!(md.contains("Fund the SIEM."));
    assert!(md.contains("Audit programme under way"));
    let r = manager
        .request(
            reqwest::Method::GET,
            &format!("{REVIEWS}/{id}/minutes?format=pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    let (s, p) = manager
        .get(&format!("{REVIEWS}/{id}/minutes?format=docx"))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["format"]);
}
