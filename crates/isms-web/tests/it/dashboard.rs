//! The dashboard (`/o/{org}`, `GET /api/v1/orgs/{org}/dashboard`) and the consultants'
//! overview (`/orgs`, `GET /api/v1/overview`): the figures follow the registers, another
//! organisation's records never show, a viewer can read them, a new organisation gets a
//! working page, and the Northwind demo draws every picture.

use crate::html::Browser;
use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const DASH: &str = "/api/v1/orgs/acme/dashboard";

fn profiles(d: &Value) -> Vec<String> {
    d["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["profile"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_new_organisation_gets_first_steps_and_a_viewer_reads_the_dashboard() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let v = t.login(f.email(Role::Viewer)).await;
    let (s, d) = v.get(DASH).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(profiles(&d), ["stage1", "stage2", "surveillance"]);
    assert_eq!(d["readiness"][0]["path"], "/o/acme/readiness/stage1");
    assert_eq!(d["deadlines"], json!([]));
    assert_eq!(d["overdue"]["total"], 0);
    assert_eq!(d["open_nonconformities"], 0);
    assert!(d["heat_map"].is_null());
    assert!(d["soa"]["counted_version"].is_null());
    assert!(d["next_audit"].is_null());
    assert_eq!(d["certified"], false);
    // The projected plan to certification is there from the first day.
    let bars = d["timeline"].as_array().unwrap();
    assert!(bars.len() >= 5, "{bars:?}");
    assert!(bars.iter().all(|b| b["kind"] == "phase"));

    let b = Browser::new(&t.base);
    b.login(f.email(Role::Viewer)).await;
    let (s, html) = b.get("/o/acme").await;
    assert_eq!(s, 200);
    assert!(html.contains("Start here"), "{html}");
    assert!(html.contains("Your role can read but not record"));
    assert_eq!(html.matches("class=\"chart gauge\"").count(), 3);
    assert!(html.contains("class=\"chart gantt\"") && html.contains("class=\"today\""));
    assert!(html.contains("No approved risk method yet"));
    assert!(!html.contains("matrix-chart"), "no empty heat map drawn");
    assert!(html.contains("Nothing falls due in the next 90 days."));
    assert!(html.contains(">Dashboard</a>"), "the nav says Dashboard");
}

/// POST `body` to `path`, expecting 201; the created record.
async fn created(c: &isms_testkit::Client, path: &str, body: Value) -> Value {
    let (s, v) = c.post(path, &body).await;
    assert_eq!(s, 201, "{path}: {v}");
    v
}

/// Records in `org` that each put one item on the dashboard.
async fn fill(t: &TestApp, f: &isms_testkit::OrgFixture, org: &str) {
    let base = format!("/api/v1/orgs/{org}");
    let m = t.login(f.email(Role::IsmsManager)).await;
    let method = created(
        &m,
        &format!("{base}/risk-methods"),
        json!({"preset": "4x4"}),
    )
    .await;
    let (s, a) = m
        .post(
            &format!(
                "{base}/risk-methods/{}/approve",
                method["id"].as_str().unwrap()
            ),
            &json!({"version": method["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    created(
        &m,
        &format!("{base}/risks"),
        json!({"title": "Lost laptop", "inherent_likelihood": 2, "inherent_impact": 3}),
    )
    .await;
    created(
        &m,
        &format!("{base}/tasks"),
        json!({"title": "Write the access policy", "due_on": "2026-11-01"}),
    )
    .await;
    let nc = created(
        &m,
        &format!("{base}/findings"),
        json!({"grade": "minor_nc", "reference": "5.15", "title": "Leavers keep access",
                    "source": "internal_audit", "raised_on": "2026-10-01"}),
    )
    .await;
    created(&m, &format!("{base}/corrective-actions"), json!({"finding_id": nc["id"], "title": "Remove leavers the same day", "due_on": "2026-11-15"})).await;
    let sup = created(
        &m,
        &format!("{base}/suppliers"),
        json!({"name": "CloudHost GmbH", "criticality": "critical"}),
    )
    .await;
    created(
        &m,
        &format!(
            "{base}/suppliers/{}/assessments",
            sup["id"].as_str().unwrap()
        ),
        json!({"assessed_on": "2025-06-01", "result": "satisfactory"}),
    )
    .await;
    let cb = created(
        &m,
        &format!("{base}/certification-bodies"),
        json!({"name": "Cert Body Ltd"}),
    )
    .await;
    created(
        &m,
        &format!("{base}/certification-audits"),
        json!({"body_id": cb["id"], "kind": "stage1", "planned_start": "2027-01-11",
                    "planned_end": "2027-01-12", "auditor_days": 2}),
    )
    .await;
}

#[tokio::test]
async fn the_figures_follow_the_registers_and_stay_in_their_organisation() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    fill(&t, &f, "acme").await;

    let v = t.login(f.email(Role::Viewer)).await;
    let (s, d) = v.get(DASH).await;
    assert_eq!(s, 200, "{d}");
    let o = &d["overdue"];
    assert_eq!(o["tasks"], 1, "{o}");
    assert_eq!(o["corrective_actions"], 1, "{o}");
    assert_eq!(o["supplier_assessments"], 1, "{o}");
    assert_eq!(o["total"], 3, "{o}");
    assert_eq!(d["open_nonconformities"], 1);
    let nc = &d["open_nc_items"][0];
    assert_eq!(nc["reference"], "F-001");
    assert_eq!(nc["grade_label"], "Minor nonconformity");
    assert!(
        nc["path"]
            .as_str()
            .unwrap()
            .starts_with("/o/acme/findings/")
    );
    // Overdue items lead to their records.
    let items = d["overdue_items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["supplier_assessment", "task", "corrective_action"],
        "{items:?}"
    );
    assert!(
        items[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("/o/acme/suppliers/")
    );
    assert!(
        items[1]["path"]
            .as_str()
            .unwrap()
            .starts_with("/o/acme/roadmap/")
    );
    assert_eq!(items[2]["reference"], "CA-001");
    // The planned Stage 1 audit is the next deadline and the next audit.
    let next = &d["deadlines"][0];
    assert_eq!(next["kind"], "certification_audit", "{}", d["deadlines"]);
    assert_eq!(next["date"], "2027-01-11");
    assert_eq!(next["path"], "/o/acme/certification/audits/CBA-001");
    assert_eq!(d["next_audit"]["reference"], "CBA-001");
    assert_eq!(d["next_audit"]["kind_label"], "Stage 1");
    // The heat map counts the risk in its cell (likelihood 2, impact 3).
    let h = &d["heat_map"];
    assert_eq!(h["risks"], 1);
    assert_eq!(h["inherent"][1][2], 1, "{h}");
    assert_eq!(h["likelihood"].as_array().unwrap().len(), 4);
    // The timeline has the plan's phases and the audit.
    let bars = d["timeline"].as_array().unwrap();
    assert!(
        bars.iter()
            .any(|b| b["kind"] == "audit" && b["label"] == "CBA-001 Stage 1")
    );

    // The page shows the same, each tile leading to its records.
    let b = Browser::new(&t.base);
    b.login(f.email(Role::Viewer)).await;
    let (_, html) = b.get("/o/acme").await;
    assert!(!html.contains("Start here"));
    assert!(html.contains("matrix-chart"), "heat map drawn");
    assert!(html.contains("/o/acme/risks?cell=inherent:2:3#register"));
    assert!(html.contains("href=\"/o/acme/certification/audits/CBA-001\""));
    assert!(html.contains("href=\"/o/acme/corrective-actions?overdue=1\""));
    assert!(html.contains("Leavers keep access"));

    // Another organisation sees none of it, and cannot open acme's dashboard.
    let outsider = t.login(other.email(Role::Admin)).await;
    assert_eq!(outsider.get(DASH).await.0, 404);
    let (s, od) = outsider.get("/api/v1/orgs/other/dashboard").await;
    assert_eq!(s, 200);
    assert_eq!(od["overdue"]["total"], 0, "{od}");
    assert_eq!(od["open_nonconformities"], 0);
    assert!(od["next_audit"].is_null());
    assert!(od["heat_map"].is_null());
    let ob = Browser::new(&t.base);
    ob.login(other.email(Role::Admin)).await;
    let (_, html) = ob.get("/o/other").await;
    assert!(!html.contains("Leavers keep access") && !html.contains("CBA-001"));

    // The overview: a member sees only their organisation, with its figures …
    let (s, ov) = v.get("/api/v1/overview").await;
    assert_eq!(s, 200);
    let rows = ov["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{ov}");
    assert_eq!(rows[0]["org"]["slug"], "acme");
    assert_eq!(profiles(&rows[0]), ["stage1", "stage2", "surveillance"]);
    assert_eq!(rows[0]["overdue"]["total"], 3);
    assert_eq!(rows[0]["open_nonconformities"], 1);
    assert_eq!(rows[0]["next_audit"]["starts_on"], "2027-01-11");
    let (s, ov) = outsider.get("/api/v1/overview").await;
    assert_eq!(s, 200);
    assert_eq!(ov["items"].as_array().unwrap().len(), 1);
    assert_eq!(ov["items"][0]["org"]["slug"], "other");
    assert_eq!(ov["items"][0]["overdue"]["total"], 0);
    // … an instance administrator sees every organisation.
    t.user("root@example.com", "Root Admin", true).await;
    let root = t.login("root@example.com").await;
    let (_, ov) = root.get("/api/v1/overview").await;
    let slugs: Vec<&str> = ov["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["org"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["acme", "other"]);
    // The /orgs page is the same overview as a table.
    let (_, html) = b.get("/orgs").await;
    assert!(html.contains("id=\"org-overview\""));
    assert!(html.contains("href=\"/o/acme/readiness/stage1\""));
    assert!(html.contains("href=\"/o/acme/certification/audits/CBA-001\">2027-01-11</a>"));
    assert!(!html.contains("/o/other"), "{html}");
    // Without credentials: 401.
    assert_eq!(t.anon().get("/api/v1/overview").await.0, 401);
    assert_eq!(t.anon().get(DASH).await.0, 401);
}

#[tokio::test]
async fn the_northwind_demo_draws_every_picture() {
    let t = TestApp::spawn().await;
    t.app.load_demo(None).await.unwrap();
    t.user("root@example.com", "Root Admin", true).await;
    let root = t.login("root@example.com").await;
    let (s, d) = root.get("/api/v1/orgs/northwind/dashboard").await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["certified"], true);
    assert!(
        d["heat_map"]["risks"].as_u64().unwrap() > 0,
        "{}",
        d["heat_map"]
    );
    assert!(d["soa"]["approved_version"].is_number(), "{}", d["soa"]);
    assert!(d["soa"]["included"].as_u64().unwrap() > 0);
    let bars = d["timeline"].as_array().unwrap();
    assert!(bars.iter().any(|b| b["kind"] == "certificate"), "{bars:?}");
    assert!(bars.iter().filter(|b| b["kind"] == "audit").count() >= 3);
    assert!(!d["deadlines"].as_array().unwrap().is_empty());
    let b = Browser::new(&t.base);
    b.login("root@example.com").await;
    let (s, html) = b.get("/o/northwind").await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("class=\"chart gauge\"").count(), 3);
    assert!(html.contains("class=\"today\""));
    assert!(html.contains("matrix-chart"));
    assert!(!html.contains("Start here"));
    let (_, ov) = root.get("/api/v1/overview").await;
    let slugs: Vec<&str> = ov["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["org"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["bluefin", "northwind"]);
}
