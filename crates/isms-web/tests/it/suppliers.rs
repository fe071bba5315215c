//! The supplier register through the API: validation naming fields, the interval by
//! criticality, the assessment history deriving the last assessment and the next due
//! date, the flags, filters and pagination, with tenant isolation, roles and stale
//! versions.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const SUP: &str = "/api/v1/orgs/acme/suppliers";

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
async fn a_supplier_is_added_assessed_and_flagged() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;

    // Bad input, each field named; nothing stored.
    for (body, want) in [
        (
            json!({"name": "", "criticality": "vital", "assessment_interval_months": 0}),
            vec!["name", "criticality", "assessment_interval_months"],
        ),
        (
            json!({"name": "CloudHost", "criticality": "high", "contract_security": true, "status": "gone"}),
            vec!["contract_reference", "status"],
        ),
        (
            json!({"name": "CloudHost", "criticality": "low", "assessment_interval_months": 61}),
            vec!["assessment_interval_months"],
        ),
    ] {
        let (s, p) = c.post(SUP, &body).await;
        assert_eq!(s, 422, "{body} → {p}");
        assert_eq!(fields(&p), want, "{body}");
    }
    assert_eq!(t.count_rows("suppliers").await, 0, "nothing stored");

    // A critical supplier, never assessed, no security terms: two flags.
    let (s, cloud) = c
        .post(
            SUP,
            &json!({"name": "CloudHost GmbH", "service": "Hosting", "criticality": "critical",
                    "data_shared": "Customer data", "contact": "ops@cloudhost.example", "owner": "Tom"}),
        )
        .await;
    assert_eq!(s, 201, "{cloud}");
    assert_eq!(cloud["reference"], "SUP-001");
    assert_eq!(cloud["assessment_interval_months"], 12);
    assert_eq!(cloud["interval_is_default"], true);
    assert_eq!(cloud["critical_never_assessed"], true);
    assert_eq!(cloud["no_security_requirements"], true);
    assert_eq!(cloud["assessment_overdue"], false);
    assert!(cloud["next_assessment_due"].is_null());
    let id = cloud["id"].as_str().unwrap().to_owned();

    // A low supplier defaults to 36 months.
    let (s, low) = c
        .post(SUP, &json!({"name": "Paper Co", "criticality": "low", "contract_security": true, "contract_reference": "PO terms §4"}))
        .await;
    assert_eq!(s, 201, "{low}");
    assert_eq!(low["reference"], "SUP-002");
    assert_eq!(low["assessment_interval_months"], 36);
    assert_eq!(low["no_security_requirements"], false);

    // Assessments: bad ones named, then an old one (overdue) and a newer one.
    let assess = format!("{SUP}/{id}/assessments");
    let (s, p) = c
        .post(
            &assess,
            &json!({"assessed_on": "2026-11-29", "result": "great"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["assessed_on", "result"]);
    let (s, p) = c
        .post(
            &assess,
            &json!({"assessed_on": "soon", "result": "satisfactory"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["assessed_on"]);
    assert_eq!(t.count_rows("supplier_assessments").await, 0);
    let (s, a) = c
        .post(&assess, &json!({"assessed_on": "2025-06-30", "result": "conditional", "note": "Pen test overdue"}))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["last_assessment"]["result"], "conditional");
    assert_eq!(a["next_assessment_due"], "2026-06-30");
    assert_eq!(a["assessment_overdue"], true);
    assert_eq!(a["critical_never_assessed"], false);
    // An older one recorded later does not become the last one.
    let (s, a) = c
        .post(
            &assess,
            &json!({"assessed_on": "2024-06-30", "result": "unsatisfactory"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["last_assessment"]["assessed_on"], "2025-06-30");
    let (s, a) = c
        .post(&assess, &json!({"assessed_on": "2026-11-01", "result": "satisfactory", "note": "ISO certificate checked"}))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["last_assessment"]["assessed_on"], "2026-11-01");
    assert_eq!(a["next_assessment_due"], "2027-11-01");
    assert_eq!(a["assessment_overdue"], false);
    let history: Vec<&str> = a["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["assessed_on"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["2026-11-01", "2025-06-30", "2024-06-30"]);

    // Changing the interval and contract; null goes back to the default.
    let (s, p) = c
        .patch(
            &format!("{SUP}/{id}"),
            &json!({"contract_security": true, "version": 1}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["contract_reference"]);
    let (s, u) = c
        .patch(
            &format!("{SUP}/{id}"),
            &json!({"contract_security": true, "contract_reference": "MSA §12", "assessment_interval_months": 6, "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["no_security_requirements"], false);
    assert_eq!(u["assessment_interval_months"], 6);
    assert_eq!(u["next_assessment_due"], "2027-05-01");
    assert_eq!(u["version"], 2);
    let (s, u) = c
        .patch(
            &format!("{SUP}/{id}"),
            &json!({"assessment_interval_months": null, "status": "offboarded", "version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["assessment_interval_months"], 12);
    assert_eq!(u["status"], "offboarded");

    // Filters and pagination.
    let (_, l) = c.get(&format!("{SUP}?status=active")).await;
    let refs: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["SUP-002"]);
    let (_, l) = c.get(&format!("{SUP}?criticality=critical")).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (s, p) = c.get(&format!("{SUP}?criticality=vital")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["criticality"]);
    let (_, p1) = c.get(&format!("{SUP}?limit=1")).await;
    assert_eq!(p1["items"][0]["reference"], "SUP-001");
    let cur = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = c.get(&format!("{SUP}?limit=1&cursor={cur}")).await;
    assert_eq!(p2["items"][0]["reference"], "SUP-002");
    assert!(p2["next_cursor"].is_null());

    // The audit trail has each change.
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, trail) = admin
        .get("/api/v1/orgs/acme/audit-trail?entity=supplier")
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    for want in ["create", "assess", "update", "offboard"] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
}

#[tokio::test]
async fn suppliers_are_private_read_only_for_viewers_and_versioned() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let (s, sup) = c
        .post(SUP, &json!({"name": "Mailer Ltd", "criticality": "medium"}))
        .await;
    assert_eq!(s, 201, "{sup}");
    assert_eq!(sup["assessment_interval_months"], 24);
    let one = format!("{SUP}/{}", sup["id"].as_str().unwrap());

    // Viewers read but do not write.
    let (s, _) = viewer.get(&one).await;
    assert_eq!(s, 200);
    let (s, _) = viewer
        .post(SUP, &json!({"name": "X", "criticality": "low"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = viewer
        .patch(&one, &json!({"name": "Y", "version": 1}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = viewer
        .post(
            &format!("{one}/assessments"),
            &json!({"result": "satisfactory"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = viewer.delete(&one).await;
    assert_eq!(s, 403);

    // Another organisation sees nothing.
    let theirs = one.replace("/orgs/acme/", "/orgs/other/");
    let (s, _) = outsider.get(&theirs).await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .patch(&theirs, &json!({"name": "Z", "version": 1}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .post(
            &format!("{theirs}/assessments"),
            &json!({"result": "satisfactory"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider.get(&one).await;
    assert_eq!(s, 404);
    let (_, list) = outsider.get("/api/v1/orgs/other/suppliers").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    // A stale version is 409; a fresh one works; delete removes the history too.
    let (s, _) = c
        .patch(&one, &json!({"name": "Mailer Ltd.", "version": 1}))
        .await;
    assert_eq!(s, 200);
    let (s, p) = c
        .patch(&one, &json!({"name": "Mailer", "version": 1}))
        .await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = c
        .post(
            &format!("{one}/assessments"),
            &json!({"result": "satisfactory"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = c.delete(&one).await;
    assert_eq!(s, 204);
    assert_eq!(t.count_rows("supplier_assessments").await, 0);
    let (s, _) = c.get(&one).await;
    assert_eq!(s, 404);
}
