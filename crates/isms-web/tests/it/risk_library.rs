//! The organisation's threat and vulnerability catalogues through the API and the pages.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn catalogues_reword_retire_add_and_stay_in_their_organisation() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let threats = "/api/v1/orgs/acme/risk-library/threats";

    // The starter list, as shipped, in pages of 20 that follow one another.
    let (s, p1) = c.get(&format!("{threats}?limit=20")).await;
    assert_eq!(s, 200, "{p1}");
    assert_eq!(p1["items"].as_array().unwrap().len(), 20);
    assert_eq!(p1["items"][0]["code"], "T01");
    assert_eq!(p1["items"][0]["origin"], "starter");
    assert_eq!(p1["items"][0]["version"], 0);
    let mut codes: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(cur) => format!("{threats}?limit=20&cursor={cur}"),
            None => format!("{threats}?limit=20"),
        };
        let (_, p) = c.get(&url).await;
        codes.extend(
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["code"].as_str().unwrap().to_owned()),
        );
        match p["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(codes.len(), 41);
    assert_eq!(codes.last().map(String::as_str), Some("T41"));

    // Reword a starter entry: version 0 → 1, origin changed; a stale version is 409.
    let (s, t07) = c
        .patch(
            &format!("{threats}/T07"),
            &json!({"name": "Ransomware attack", "description": "Our words.", "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{t07}");
    assert_eq!(t07["origin"], "starter_changed");
    assert_eq!(t07["version"], 1);
    let (s, p) = c
        .patch(
            &format!("{threats}/T07"),
            &json!({"name": "Something else", "version": 0}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    let (_, again) = c.get(&format!("{threats}/T07")).await;
    assert_eq!(again["name"], "Ransomware attack", "nothing changed on 409");

    // Bad input names each field, nothing written.
    let (s, p) = c
        .post(
            threats,
            &json!({"name": "ransomware ATTACK", "category": "moon", "description": "x".repeat(501)}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "category", "description"]);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("T07"));
    let (s, p) = c
        .post(threats, &json!({"name": "x", "colour": "red"}))
        .await;
    assert_eq!(s, 422, "{p}");

    // Own entries get their own codes, after the starter list.
    let (s, own) = c
        .post(
            threats,
            &json!({"name": "Drone over the data centre", "category": "physical", "description": "Someone films the site."}),
        )
        .await;
    assert_eq!(s, 201, "{own}");
    assert_eq!(own["code"], "CT01");
    assert_eq!(own["origin"], "own");
    let (_, second) = c
        .post(
            threats,
            &json!({"name": "Fake invoice", "category": "supplier"}),
        )
        .await;
    assert_eq!(second["code"], "CT02");

    // Retire a starter entry; it stays listed but can be filtered out, and comes back
    // with its starter wording on reset.
    let (s, r) = c
        .patch(
            &format!("{threats}/T01"),
            &json!({"retired": true, "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["retired"], true);
    assert_eq!(r["origin"], "starter", "retiring alone is no rewording");
    let (_, in_force) = c.get(&format!("{threats}?retired=false&limit=500")).await;
    let names: Vec<&str> = in_force["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"Phishing and social engineering"));
    assert!(names.contains(&"Drone over the data centre"));
    let (_, phys) = c.get(&format!("{threats}?category=physical&q=drone")).await;
    assert_eq!(phys["items"].as_array().unwrap().len(), 1);
    let (s, p) = c.get(&format!("{threats}?category=moon")).await;
    assert_eq!(
        (s.as_u16(), p["errors"][0]["field"].as_str()),
        (422, Some("category"))
    );
    let (s, back) = c.post(&format!("{threats}/T07/reset"), &json!({})).await;
    assert_eq!(s, 200, "{back}");
    assert_eq!(back["origin"], "starter");
    assert_eq!(back["version"], 0);
    assert_ne!(back["name"], "Ransomware attack");

    // Own entries can be removed, starter entries cannot (409 says to retire them).
    let (s, _) = c.delete(&format!("{threats}/CT02")).await;
    assert_eq!(s, 204);
    let (s, _) = c.get(&format!("{threats}/CT02")).await;
    assert_eq!(s, 404);
    let (s, p) = c.delete(&format!("{threats}/T02")).await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = c.get("/api/v1/orgs/acme/risk-library/assets").await;
    assert_eq!(s, 404);

    // The vulnerability catalogue is separate.
    let (_, v) = c
        .post(
            "/api/v1/orgs/acme/risk-library/vulnerabilities",
            &json!({"name": "Drone over the data centre", "category": "physical"}),
        )
        .await;
    assert_eq!(v["code"], "CV01");

    // Viewers read, do not write; another organisation sees its own starter list only.
    let (s, _) = viewer.get(&format!("{threats}/CT01")).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .post(
            threats,
            &json!({"name": "Viewer entry", "category": "people"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = outsider.get(&format!("{threats}/CT01")).await;
    assert_eq!(s, 404);
    let (s, theirs) = outsider
        .get("/api/v1/orgs/other/risk-library/threats?limit=500")
        .await;
    assert_eq!(s, 200);
    assert_eq!(theirs["items"].as_array().unwrap().len(), 41);
    assert_eq!(theirs["items"][0]["retired"], false);
    let (s, _) = outsider
        .patch(
            "/api/v1/orgs/acme/risk-library/threats/T03",
            &json!({"retired": true, "version": 0}),
        )
        .await;
    assert_eq!(s, 404);

    // Every change is in the audit trail.
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, trail) = admin
        .get("/api/v1/orgs/acme/audit-trail?entity=threat&limit=100")
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in ["update", "create", "retire", "reset", "delete"] {
        assert!(actions.contains(&a), "no {a} in {actions:?}");
    }
}
