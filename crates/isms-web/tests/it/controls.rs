//! Controls as implemented, through the API.

use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use serde_json::{Value, json};

const LIST: &str = "/api/v1/orgs/acme/controls";

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

fn refs(p: &Value) -> Vec<String> {
    p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["control_ref"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of a list, following the cursor.
async fn all_refs(c: &Client, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let (s, p) = c.get(&format!("{LIST}?{query}&limit=7{cursor}")).await;
        assert_eq!(s, 200, "{p}");
        out.extend(refs(&p));
        match p["next_cursor"].as_str() {
            Some(n) => cursor = format!("&cursor={n}"),
            None => break,
        }
    }
    out
}

#[tokio::test]
async fn a_control_is_recorded_changed_and_kept_apart() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let owner = f.user_id(Role::Contributor);

    // Nothing recorded: every Annex A control is listed, not started, version 0.
    let (s, one) = m.get(&format!("{LIST}/A.5.15")).await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(
        (
            &one["control_ref"],
            &one["label"],
            &one["status"],
            &one["version"]
        ),
        (
            &json!("5.15"),
            &json!("A.5.15"),
            &json!("not_started"),
            &json!(0)
        )
    );
    assert_eq!(all_refs(&m, "").await.len(), 93);

    // Create with version 0.
    let (s, r) = m
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"owner_id": owner, "status": "implemented",
                    "implementation": "  Role-based groups in the identity provider.  ",
                    "monitoring": "Quarterly access review.", "check_frequency": "quarterly",
                    "last_check_on": "2026-11-01", "last_check_result": "effective",
                    "clauses": ["9.1", "6.1.3", "9.1"], "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["version"], 1);
    assert_eq!(r["status_label"], "Implemented");
    assert_eq!(
        r["implementation"],
        "Role-based groups in the identity provider."
    );
    assert_eq!(r["clauses"], json!(["6.1.3", "9.1"]));
    assert_eq!(r["next_check_on"], "2027-02-01");
    assert_eq!(
        (&r["check_overdue"], &r["unmonitored"], &r["recorded"]),
        (&json!(false), &json!(false), &json!(true))
    );

    // Version 0 again, or any stale version: 409 and nothing changes.
    for v in [0, 7] {
        let (s, p) = m
            .patch(
                &format!("{LIST}/5.15"),
                &json!({"status": "planned", "version": v}),
            )
            .await;
        assert_eq!(s, 409, "{p}");
    }
    let (_, again) = m.get(&format!("{LIST}/5.15")).await;
    assert_eq!(
        (&again["status"], &again["version"]),
        (&json!("implemented"), &json!(1))
    );

    // PATCH keeps what is not sent; null clears.
    let (s, r) = m
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"last_check_note": "6 stale memberships removed.", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (&r["version"], &r["monitoring"]),
        (&json!(2), &json!("Quarterly access review."))
    );

    // Bad fields are named, each one; nothing is written.
    let (s, p) = m
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"owner_id": uuid::Uuid::now_v7(), "status": "done", "due_on": "soon",
                    "check_frequency": "daily", "last_check_result": "great",
                    "clauses": ["4.1", "99"], "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        [
            "owner_id",
            "status",
            "due_on",
            "check_frequency",
            "last_check_result",
            "clauses[1]"
        ]
    );
    let (s, p) = m
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"owner_id": null, "implementation": "", "last_check_on": "2026-11-29",
                    "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["owner_id", "implementation", "last_check_on"]);
    let (s, p) = m
        .patch(
            &format!("{LIST}/5.16"),
            &json!({"status": "planned", "owner_id": owner, "version": 0}),
        )
        .await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["due_on".to_owned()]));
    let (s, p) = m
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"colour": "red", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (_, unchanged) = m.get(&format!("{LIST}/5.15")).await;
    assert_eq!(unchanged["version"], 2);
    let (_, not_created) = m.get(&format!("{LIST}/5.16")).await;
    assert_eq!(not_created["version"], 0);

    // Unknown references are 404, for reading and writing.
    for bad in ["9.99", "XX-99", "%25%25", "5.15.1"] {
        let (s, _) = m.get(&format!("{LIST}/{bad}")).await;
        assert_eq!(s, 404, "{bad}");
        let (s, _) = m
            .patch(&format!("{LIST}/{bad}"), &json!({"version": 0}))
            .await;
        assert_eq!(s, 404, "{bad}");
    }

    // Own controls are listed after Annex A and recorded the same way.
    let (s, _) = m
        .post(
            "/api/v1/orgs/acme/own-controls",
            &json!({"code": "NW-02", "title": "Quarterly restore drill"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, r) = m
        .patch(
            &format!("{LIST}/nw-02"),
            &json!({"status": "partially_implemented", "owner_id": owner,
                    "implementation": "Drills for the main database only.", "due_on": "2026-12-31",
                    "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((&r["kind"], &r["label"]), (&json!("own"), &json!("NW-02")));
    let every = all_refs(&m, "").await;
    assert_eq!(every.len(), 94);
    assert_eq!(every.last().map(String::as_str), Some("NW-02"));
    assert_eq!(every[..3], ["5.1", "5.2", "5.3"]);

    // Roles and organisations.
    let (s, _) = viewer.get(&format!("{LIST}/5.15")).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .patch(
            &format!("{LIST}/5.15"),
            &json!({"status": "planned", "version": 2}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = outsider.get(&format!("{LIST}/5.15")).await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .patch(&format!("{LIST}/5.15"), &json!({"version": 2}))
        .await;
    assert_eq!(s, 404);
    let (_, theirs) = outsider.get("/api/v1/orgs/other/controls/5.15").await;
    assert_eq!(
        (&theirs["status"], &theirs["version"]),
        (&json!("not_started"), &json!(0))
    );
    let (_, theirs) = outsider
        .get("/api/v1/orgs/other/controls?status=implemented")
        .await;
    assert_eq!(theirs["items"], json!([]));
    let (s, _) = outsider.get("/api/v1/orgs/other/controls/NW-02").await;
    assert_eq!(s, 404, "another organisation's own control");

    // Each change is in the audit trail.
    let (_, trail) = m
        .get("/api/v1/orgs/acme/audit-trail?entity=control_implementation")
        .await;
    let summaries: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("changed A.5.15") && s.contains("last_check_note"))
    );

    // Removing the own control removes its record too.
    let (s, _) = m.delete("/api/v1/orgs/acme/own-controls/NW-02").await;
    assert_eq!(s, 204);
    assert_eq!(all_refs(&m, "").await.len(), 93);
    let (s, _) = m.get(&format!("{LIST}/NW-02")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_list_filters_flags_and_pages() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let tom = f.user_id(Role::Contributor);
    let priya = f.user_id(Role::IsmsManager);
    // Today is 2026-11-28.
    let records = [
        (
            "5.1",
            json!({"status": "implemented", "owner_id": tom, "implementation": "Policy approved.",
                       "monitoring": "Yearly review.", "check_frequency": "yearly",
                       "last_check_on": "2026-06-01", "last_check_result": "effective"}),
        ),
        (
            "5.2",
            json!({"status": "planned", "owner_id": priya, "due_on": "2026-11-01",
                       "implementation": "Write the roles down."}),
        ),
        (
            "6.3",
            json!({"status": "partially_implemented", "owner_id": priya,
                       "implementation": "Onboarding training only.", "due_on": "2027-02-01"}),
        ),
        (
            "8.1",
            json!({"status": "implemented", "owner_id": tom, "implementation": "Managed laptops.",
                       "monitoring": "Compliance report.", "check_frequency": "monthly",
                       "last_check_on": "2026-09-28", "last_check_result": "partly_effective"}),
        ),
        (
            "8.2",
            json!({"status": "implemented", "owner_id": tom, "implementation": "Just-in-time admin."}),
        ),
        (
            "8.5",
            json!({"status": "implemented", "owner_id": priya, "implementation": "SSO with MFA.",
                       "monitoring": "Monthly MFA report.", "check_frequency": "monthly"}),
        ),
        ("7.12", json!({"status": "not_applicable"})),
    ];
    for (r, mut body) in records {
        body["version"] = json!(0);
        let (s, p) = m.patch(&format!("{LIST}/{r}"), &body).await;
        assert_eq!(s, 200, "{r}: {p}");
    }
    assert_eq!(
        all_refs(&m, "status=implemented").await,
        ["5.1", "8.1", "8.2", "8.5"]
    );
    let (_, p1) = m.get(&format!("{LIST}?status=implemented&limit=3")).await;
    assert_eq!(refs(&p1), ["5.1", "8.1", "8.2"]);
    let (_, p2) = m
        .get(&format!(
            "{LIST}?status=implemented&limit=3&cursor={}",
            p1["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (refs(&p2), &p2["next_cursor"]),
        (vec!["8.5".to_owned()], &Value::Null)
    );
    let not_started = all_refs(&m, "status=not_started").await;
    assert_eq!(not_started.len(), 93 - 7);
    assert_eq!(not_started[..2], ["5.3", "5.4"]);
    assert!(!not_started.contains(&"8.1".to_owned()));
    assert_eq!(all_refs(&m, "flag=overdue").await, ["5.2"]);
    assert_eq!(all_refs(&m, "flag=check_overdue").await, ["8.1", "8.5"]);
    assert_eq!(all_refs(&m, "flag=unmonitored").await, ["8.2"]);
    assert_eq!(
        all_refs(&m, &format!("owner_id={tom}")).await,
        ["5.1", "8.1", "8.2"]
    );
    let people = all_refs(&m, "theme=people").await;
    assert_eq!(people.len(), 8);
    assert!(people.iter().all(|r| r.starts_with("6.")));
    assert_eq!(
        all_refs(&m, "theme=technological&status=implemented").await,
        ["8.1", "8.2", "8.5"]
    );
    assert_eq!(
        all_refs(&m, "theme=physical&status=not_started")
            .await
            .len(),
        13
    );
    let (_, one) = m.get(&format!("{LIST}/8.1")).await;
    assert_eq!(
        (&one["check_overdue"], &one["next_check_on"]),
        (&json!(true), &json!("2026-10-28"))
    );
    for (q, field) in [
        ("flag=late", "flag"),
        ("theme=space", "theme"),
        ("status=done", "status"),
        ("cursor=!!", "cursor"),
        ("cursor=QUJD", "cursor"),
    ] {
        let (s, p) = m.get(&format!("{LIST}?{q}")).await;
        assert_eq!(
            (s.as_u16(), fields(&p)),
            (422, vec![field.to_owned()]),
            "{q}"
        );
    }
    let (s, _) = m.get(&format!("{LIST}?colour=red")).await;
    assert_eq!(s, 422);

    // Linked risks come with the control and with its row in the list.
    let (_, d) = m
        .post("/api/v1/orgs/acme/risk-methods", &json!({"preset": "3x3"}))
        .await;
    m.post(
        &format!(
            "/api/v1/orgs/acme/risk-methods/{}/approve",
            d["id"].as_str().unwrap()
        ),
        &json!({"version": d["version"]}),
    )
    .await;
    let (s, risk) = m
        .post(
            "/api/v1/orgs/acme/risks",
            &json!({"title": "Stolen laptop", "inherent_likelihood": 2, "inherent_impact": 3,
                    "controls": ["8.1", "5.1"]}),
        )
        .await;
    assert_eq!(s, 201, "{risk}");
    let (_, one) = m.get(&format!("{LIST}/8.1")).await;
    assert_eq!(one["risks"][0]["reference"], risk["reference"]);
    assert_eq!(one["risks"][0]["title"], "Stolen laptop");
    assert!(one["risks"][0]["status_label"].is_string());
    let (_, page) = m.get(&format!("{LIST}?status=implemented")).await;
    assert_eq!(page["items"][0]["risks"][0]["reference"], risk["reference"]);
}

#[tokio::test]
async fn the_export_neutralises_formulas() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let (s, p) = m
        .patch(
            &format!("{LIST}/5.1"),
            &json!({"status": "implemented", "owner_id": f.user_id(Role::IsmsManager),
                    "implementation": "=HYPERLINK(\"http://evil.example\")",
                    "monitoring": "@SUM(A1)", "last_check_note": "+1", "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let resp = m
        .request(reqwest::Method::GET, &format!("{LIST}/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("acme-controls.csv")
    );
    let csv = resp.text().await.unwrap();
    assert!(csv.starts_with("control,title,status,owner,implementation"));
    assert_eq!(csv.lines().count(), 94);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(A1)"));
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"));
    let resp = m
        .request(reqwest::Method::GET, &format!("{LIST}/export?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));
    let (s, p) = m.get(&format!("{LIST}/export?format=pdf")).await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["format".to_owned()]));
    let outsider = t
        .login(t.org_with_roles("other").await.email(Role::Admin))
        .await;
    let (s, _) = outsider.get(&format!("{LIST}/export?format=csv")).await;
    assert_eq!(s, 404);
}
