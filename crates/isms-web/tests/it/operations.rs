//! Operation records through the API: incidents (closing rules, dates, links, flags,
//! filters) and measurements (validation, control checks becoming the control's last
//! check, trends), with tenant isolation, roles and stale versions.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const INC: &str = "/api/v1/orgs/acme/incidents";
const MEAS: &str = "/api/v1/orgs/acme/measurements";

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

#[tokio::test]
async fn an_incident_is_recorded_moved_on_and_closed_only_with_root_cause_and_lessons() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let admin = t.login(f.email(Role::Admin)).await;
    let (s, asset) = admin
        .post(
            "/api/v1/orgs/acme/assets",
            &json!({"asset_type": "software", "name": "Mail server", "owner_id": f.user_id(Role::Admin),
                    "confidentiality": 3, "integrity": 2, "availability": 2}),
        )
        .await;
    assert_eq!(s, 201, "{asset}");
    let asset_ref = asset["reference"].as_str().unwrap_or("A-0001").to_owned();

    // Reported before it was detected, an unknown asset, a risk and own control that do
    // not exist: each named.
    let (s, p) = c
        .post(
            INC,
            &json!({"title": "Stolen password", "severity": "high", "detected_on": "2026-11-20",
                    "reported_on": "2026-11-19", "assets": ["A-0999"], "risks": ["R-404"],
                    "controls": ["5.24", "ZZ-99"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        ["reported_on", "assets[0]", "risks[0]", "controls[1]"]
    );
    let (s, p) = c
        .post(INC, &json!({"title": "", "severity": "huge", "category": "aliens", "detected_on": "2026-12-01"}))
        .await;
    assert_eq!(s, 422, "{p}");
    // reported_on defaults to the day it was detected, so it is in the future too.
    assert_eq!(
        fields(&p),
        [
            "title",
            "category",
            "severity",
            "detected_on",
            "reported_on"
        ]
    );
    assert_eq!(t.count_rows("incidents").await, 0, "nothing stored");

    let (s, i) = c
        .post(
            INC,
            &json!({"title": "Stolen password", "severity": "high", "category": "phishing",
                    "detected_on": "2026-10-01", "reported_on": "2026-10-02",
                    "reported_by": "Service desk", "assets": [asset_ref], "controls": ["A.5.24", "5.24", "8.5"]}),
        )
        .await;
    assert_eq!(s, 201, "{i}");
    assert_eq!(i["reference"], "INC-001");
    assert_eq!(i["status"], "open");
    assert_eq!(i["controls"], json!(["5.24", "8.5"]));
    assert_eq!(i["assets"], json!([asset_ref]));
    assert_eq!(
        i["open_too_long"], true,
        "detected 58 days before 2026-11-28"
    );
    let id = i["id"].as_str().unwrap().to_owned();
    let one = format!("{INC}/{id}");

    // Closing a high incident without root cause and lessons learned is refused.
    let (s, p) = c
        .patch(&one, &json!({"status": "closed", "version": 1}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["root_cause", "lessons_learned"]);
    let (s, p) = c
        .patch(
            &one,
            &json!({"status": "closed", "closed_on": "2026-09-30", "root_cause": "No MFA",
                    "lessons_learned": "Enforce MFA", "version": 1}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["closed_on"], "closed before it was detected");
    let (s, p) = c
        .patch(
            &one,
            &json!({"status": "contained", "response": "Password reset, sessions revoked", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["version"], 2);
    // A stale version is 409 and changes nothing.
    let (s, _) = c
        .patch(&one, &json!({"title": "Renamed", "version": 1}))
        .await;
    assert_eq!(s, 409);
    let (_, now) = c.get(&one).await;
    assert_eq!(now["title"], "Stolen password");
    let (s, p) = c
        .patch(
            &one,
            &json!({"status": "closed", "root_cause": "MFA was not enforced on webmail",
                    "lessons_learned": "Enforce MFA on every external service", "version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["closed_on"], "2026-11-28", "closed today by default");
    assert_eq!(p["open_too_long"], false);
    assert_eq!(p["closed_without_lessons"], false);
    // Reopening clears the closing date.
    let (s, p) = c
        .patch(&one, &json!({"status": "resolved", "version": 3}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["closed_on"], Value::Null);

    // A low one closes without lessons, and is flagged for it.
    let (s, low) = c
        .post(
            INC,
            &json!({"title": "Lost badge", "severity": "low", "status": "closed", "category": "physical"}),
        )
        .await;
    assert_eq!(s, 201, "{low}");
    assert_eq!(low["closed_without_lessons"], true);
    assert_eq!(low["reference"], "INC-002");

    // Filters and counts.
    let (_, closed) = c.get(&format!("{INC}?status=closed")).await;
    let refs: Vec<&str> = closed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["INC-002"]);
    let (_, high) = c.get(&format!("{INC}?severity=high")).await;
    assert_eq!(high["items"].as_array().unwrap().len(), 1);
    let (s, p) = c.get(&format!("{INC}?status=done")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["status"]);
    let (_, counts) = c.get(&format!("{INC}/counts")).await;
    assert_eq!(counts["total"], 2);
    let high_count = counts["by_severity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "high")
        .unwrap()["count"]
        .clone();
    assert_eq!(high_count, 1);
    // Keyset pagination.
    let (_, p1) = c.get(&format!("{INC}?limit=1")).await;
    assert_eq!(p1["items"][0]["reference"], "INC-002");
    let cur = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = c.get(&format!("{INC}?limit=1&cursor={cur}")).await;
    assert_eq!(p2["items"][0]["reference"], "INC-001");
    assert_eq!(p2["next_cursor"], Value::Null);

    let (s, _) = c
        .delete(&format!("{INC}/{}", low["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn incidents_are_private_to_their_organisation_and_viewers_only_read() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let (s, i) = c
        .post(
            INC,
            &json!({"title": "Outage", "severity": "medium", "category": "availability"}),
        )
        .await;
    assert_eq!(s, 201, "{i}");
    let one = format!("{INC}/{}", i["id"].as_str().unwrap());
    let (s, _) = viewer.get(&one).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .post(INC, &json!({"title": "Mine", "severity": "low"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = viewer
        .patch(&one, &json!({"status": "resolved", "version": 1}))
        .await;
    assert_eq!(s, 403);
    for (s, _) in [
        outsider.get(&one).await,
        outsider
            .patch(&one, &json!({"status": "resolved", "version": 1}))
            .await,
        outsider.delete(&one).await,
    ] {
        assert_eq!(s, 404);
    }
    // The other organisation's id under its own slug is still unknown.
    let (s, _) = outsider
        .get(&format!(
            "/api/v1/orgs/other/incidents/{}",
            i["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 404);
    let (_, list) = outsider.get("/api/v1/orgs/other/incidents").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn measurements_validate_their_subject_and_a_control_check_becomes_the_last_check() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let admin = t.login(f.email(Role::Admin)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let (s, o) = admin
        .post(
            "/api/v1/orgs/acme/objectives",
            &json!({"title": "Train staff", "target": "95% of staff trained", "target_value": 95.0,
                    "target_unit": "%", "metric": "Share of staff with current training",
                    "metric_frequency": "monthly"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let oid = o["id"].as_str().unwrap().to_owned();
    let oref = o["reference"].as_str().unwrap().to_owned();

    // Bad input, each field named; nothing stored.
    for (body, want) in [
        (
            json!({"subject_kind": "objective", "subject_ref": oid, "measured_on": "2026-11-29", "value": 1.0}),
            vec!["measured_on"],
        ),
        (
            json!({"subject_kind": "objective", "subject_ref": oid}),
            vec!["value"],
        ),
        (
            json!({"subject_kind": "control", "subject_ref": "5.15", "value": 3.0}),
            vec!["result"],
        ),
        (
            json!({"subject_kind": "control", "subject_ref": "ZZ-01", "result": "pass"}),
            vec!["subject_ref"],
        ),
        (
            json!({"subject_kind": "thing", "subject_ref": "x", "result": "maybe", "measured_on": "soon"}),
            vec!["subject_kind", "measured_on", "result"],
        ),
        (
            json!({"subject_kind": "objective", "subject_ref": "O-099", "value": 2.0}),
            vec!["subject_ref"],
        ),
    ] {
        let (s, p) = c.post(MEAS, &body).await;
        assert_eq!(s, 422, "{body} → {p}");
        assert_eq!(fields(&p), want, "{body}");
    }
    assert_eq!(t.count_rows("measurements").await, 0);

    // A monthly series for the objective, by id and by reference.
    for (on, v) in [("2026-08-31", 80.0), ("2026-09-30", 88.0)] {
        let (s, m) = c
            .post(MEAS, &json!({"subject_kind": "objective", "subject_ref": oid, "measured_on": on, "value": v}))
            .await;
        assert_eq!(s, 201, "{m}");
        assert_eq!(m["recorded_by"], f.user_id(Role::Contributor).to_string());
    }
    let (s, m) = c
        .post(MEAS, &json!({"subject_kind": "objective", "subject_ref": oref, "measured_on": "2026-10-31", "value": 96.0}))
        .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["subject_ref"], oid.as_str());
    let (_, subjects) = c.get(&format!("{MEAS}/subjects")).await;
    let row = subjects
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_ref"] == oid.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "on_target");
    assert_eq!(row["direction"], "up");
    assert_eq!(row["latest_value"], 96.0);
    assert_eq!(row["overdue"], false, "next due 2026-11-30");
    assert_eq!(row["points"].as_array().unwrap().len(), 3);
    // An objective measured quarterly but never measured is overdue, with no data.
    let (s, o2) = admin
        .post(
            "/api/v1/orgs/acme/objectives",
            &json!({"title": "Patch fast", "target": "At most 14 days to patch", "target_value": 14.0,
                    "metric_frequency": "quarterly"}),
        )
        .await;
    assert_eq!(s, 201, "{o2}");
    let (_, subjects) = c.get(&format!("{MEAS}/subjects")).await;
    let row = subjects
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_ref"] == o2["id"])
        .unwrap()
        .clone();
    assert_eq!(row["overdue"], true);
    assert_eq!(row["status"], "no_data");
    assert_eq!(row["lower_is_better"], true);

    // A control check is recorded and becomes the control's last check.
    let (s, m) = c
        .post(
            MEAS,
            &json!({"subject_kind": "control", "subject_ref": "A.5.15", "measured_on": "2026-11-15",
                            "result": "partial", "note": "Two leavers still active"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["subject_ref"], "5.15");
    let (_, ctl) = c.get("/api/v1/orgs/acme/controls/5.15").await;
    assert_eq!(ctl["last_check_on"], "2026-11-15", "{ctl}");
    assert_eq!(ctl["last_check_result"], "partly_effective");
    assert_eq!(ctl["last_check_note"], "Two leavers still active");
    // An older check joins the history but does not replace the last check.
    let (s, _) = c
        .post(MEAS, &json!({"subject_kind": "control", "subject_ref": "5.15", "measured_on": "2026-10-15", "result": "fail"}))
        .await;
    assert_eq!(s, 201);
    let (_, ctl) = c.get("/api/v1/orgs/acme/controls/5.15").await;
    assert_eq!(ctl["last_check_result"], "partly_effective");
    let (s, detail) = c.get(&format!("{MEAS}/subjects/control/5.15")).await;
    assert_eq!(s, 200, "{detail}");
    assert_eq!(detail["history"].as_array().unwrap().len(), 2);
    assert_eq!(detail["summary"]["status"], "off_target");
    assert_eq!(detail["history"][0]["measured_on"], "2026-11-15");
    let (_, hist) = c
        .get(&format!(
            "{MEAS}?subject_kind=control&subject_ref=5.15&limit=1"
        ))
        .await;
    assert_eq!(hist["items"].as_array().unwrap().len(), 1);
    let cur = hist["next_cursor"].as_str().unwrap();
    let (_, hist2) = c
        .get(&format!(
            "{MEAS}?subject_kind=control&subject_ref=5.15&limit=1&cursor={cur}"
        ))
        .await;
    assert_eq!(hist2["items"][0]["measured_on"], "2026-10-15");
    let (s, p) = c.get(&format!("{MEAS}?cursor=bogus")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["cursor"]);

    // Roles and other organisations.
    let (s, _) = viewer.get(&format!("{MEAS}/subjects")).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .post(
            MEAS,
            &json!({"subject_kind": "control", "subject_ref": "5.15", "result": "pass"}),
        )
        .await;
    assert_eq!(s, 403);
    let mid = m["id"].as_str().unwrap();
    for (s, _) in [
        outsider.get(&format!("{MEAS}/{mid}")).await,
        outsider.delete(&format!("{MEAS}/{mid}")).await,
        outsider
            .get(&format!("{MEAS}/subjects/objective/{oid}"))
            .await,
    ] {
        assert_eq!(s, 404);
    }
    let (s, _) = outsider
        .get(&format!(
            "/api/v1/orgs/other/measurements/subjects/objective/{oid}"
        ))
        .await;
    assert_eq!(s, 404, "another organisation's objective is unknown");
    let (s, _) = viewer.delete(&format!("{MEAS}/{mid}")).await;
    assert_eq!(s, 403);
    let (s, _) = c.delete(&format!("{MEAS}/{mid}")).await;
    assert_eq!(s, 204);
    let (s, _) = c.get(&format!("{MEAS}/{mid}")).await;
    assert_eq!(s, 404);
}
