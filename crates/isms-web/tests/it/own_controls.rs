//! The organisation's own controls through the API.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn own_controls_are_coded_checked_paged_and_kept_apart() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let list = "/api/v1/orgs/acme/own-controls";

    // Bad input names each field; nothing is written.
    let (s, p) = c
        .post(
            list,
            &json!({"code": "A.5.15", "title": " ", "description": "x".repeat(4001)}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "title", "description"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Annex A")
    );
    let (_, empty) = c.get(list).await;
    assert_eq!(empty["items"], json!([]));

    // Codes are upper-cased and unique; pages follow the code.
    for (code, title) in [
        ("nw-03", "Customer tenant isolation tests"),
        ("NW-01", "Four-eyes review of production access"),
        ("NW-02", "Quarterly restore drill"),
    ] {
        let (s, r) = c.post(list, &json!({"code": code, "title": title})).await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, p) = c
        .post(list, &json!({"code": "nw-01", "title": "Again"}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "code");
    let (_, p1) = c.get(&format!("{list}?limit=2")).await;
    let codes: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["NW-01", "NW-02"]);
    let (_, p2) = c
        .get(&format!(
            "{list}?limit=2&cursor={}",
            p1["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(p2["items"][0]["code"], "NW-03");
    assert!(p2["next_cursor"].is_null());
    let (_, found) = c.get(&format!("{list}?q=RESTORE")).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let (s, p) = c.get(&format!("{list}?cursor=!!")).await;
    assert_eq!(
        (s.as_u16(), p["errors"][0]["field"].as_str()),
        (422, Some("cursor"))
    );

    // Change: stale version 409, nothing changed; code stays.
    let (s, r) = c
        .patch(
            &format!("{list}/nw-02"),
            &json!({"title": "Monthly restore drill", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["version"], 2);
    let (s, _) = c
        .patch(
            &format!("{list}/NW-02"),
            &json!({"title": "Yearly", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    let (_, one) = c.get(&format!("{list}/NW-02")).await;
    assert_eq!(one["title"], "Monthly restore drill");
    assert_eq!(one["risks"], json!([]));
    let (s, p) = c
        .patch(
            &format!("{list}/NW-02"),
            &json!({"code": "X-1", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "code");

    // Roles and organisations.
    let (s, _) = viewer.get(&format!("{list}/NW-01")).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .post(list, &json!({"code": "V-1", "title": "By a viewer"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = outsider.get(&format!("{list}/NW-01")).await;
    assert_eq!(s, 404);
    let (s, _) = outsider.delete(&format!("{list}/NW-01")).await;
    assert_eq!(s, 404);
    let (_, theirs) = outsider.get("/api/v1/orgs/other/own-controls").await;
    assert_eq!(theirs["items"], json!([]));

    // Remove.
    let (s, _) = c.delete(&format!("{list}/NW-03")).await;
    assert_eq!(s, 204);
    let (s, _) = c.get(&format!("{list}/NW-03")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn risks_name_own_controls_beside_annex_a() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let theirs = t.login(other.email(Role::Admin)).await;
    let (_, d) = manager
        .post("/api/v1/orgs/acme/risk-methods", &json!({"preset": "3x3"}))
        .await;
    let (s, _) = manager
        .post(
            &format!(
                "/api/v1/orgs/acme/risk-methods/{}/approve",
                d["id"].as_str().unwrap()
            ),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200);
    manager
        .post(
            "/api/v1/orgs/acme/own-controls",
            &json!({"code": "NW-02", "title": "Quarterly restore drill"}),
        )
        .await;
    // Another organisation's code of the same name does not count here, and vice versa.
    theirs
        .post(
            "/api/v1/orgs/other/own-controls",
            &json!({"code": "OT-01", "title": "Theirs"}),
        )
        .await;
    let risks = "/api/v1/orgs/acme/risks";
    let (s, p) = manager
        .post(
            risks,
            &json!({"title": "Backups fail", "inherent_likelihood": 2, "inherent_impact": 3,
                    "controls": ["8.13", "nw-02", "OT-01", "9.99", "%%"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["controls[3]", "controls[4]", "controls[2]"]);
    let (s, r) = manager
        .post(
            risks,
            &json!({"title": "Backups fail", "inherent_likelihood": 2, "inherent_impact": 3,
                    "controls": ["nw-02", "A.8.13", "5.30", "NW-02"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["controls"], json!(["5.30", "8.13", "NW-02"]));
    let (_, one) = manager.get("/api/v1/orgs/acme/own-controls/NW-02").await;
    assert_eq!(one["risks"][0]["reference"], r["reference"]);
    let (s, p) = manager.delete("/api/v1/orgs/acme/own-controls/NW-02").await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(r["reference"].as_str().unwrap())
    );
    // Off the risk, then it can go.
    let (s, r2) = manager
        .patch(
            &format!("{risks}/{}", r["id"].as_str().unwrap()),
            &json!({"controls": ["8.13"], "version": r["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r2}");
    let (s, _) = manager.delete("/api/v1/orgs/acme/own-controls/NW-02").await;
    assert_eq!(s, 204);
}
