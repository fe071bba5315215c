//! Imports of the risk register and the data flows (SQLite, and PostgreSQL when
//! ISMS_TEST_DATABASE_URL is set): round trips of our own exports into the same and a
//! fresh organisation (assets, then data flows, then risks), bad rows named by line and
//! field with nothing written, dry runs, another organisation kept apart, and CISO
//! Assistant's risk-assessment sheet.

use crate::imports::{assert_round_trip, export, fresh_org_like, import, problems};
use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use serde_json::{Value, json};

/// Approve the 5 × 5 preset as the method in force of `org`.
async fn approve_method(c: &Client, org: &str) {
    let (s, d) = c
        .post(
            &format!("/api/v1/orgs/{org}/risk-methods"),
            &json!({"preset": "5x5"}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let (s, a) = c
        .post(
            &format!(
                "/api/v1/orgs/{org}/risk-methods/{}/approve",
                d["id"].as_str().unwrap()
            ),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
}

/// Every problem of a refused import is on a line and says so; each of `want` is there.
fn assert_named(p: &Value, want: &[&str]) {
    let got = problems(p);
    for w in want {
        assert!(
            got.iter().any(|(f, _)| f.starts_with(w)),
            "{w} missing from {got:?}"
        );
    }
    assert!(
        got.iter().all(|(f, m)| m.starts_with(&format!(
            "line {}",
            f.trim_start_matches("lines[").split(']').next().unwrap()
        ))),
        "{got:?}"
    );
}

async fn risk_titles(c: &Client, org: &str) -> Vec<String> {
    let (s, page) = c.get(&format!("/api/v1/orgs/{org}/risks?limit=100")).await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn risks_and_data_flows_round_trip_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let mgr = t.login(f.email(Role::IsmsManager)).await;
    approve_method(&mgr, "acme").await;
    let mut asset_ids = Vec::new();
    for name in ["CRM", "Customer database", "Laptop fleet"] {
        let (s, a) = c
            .post(
                "/api/v1/orgs/acme/assets",
                &json!({"asset_type": "software", "name": name,
                        "owner_id": f.user_id(Role::Admin),
                        "confidentiality": 3, "integrity": 2, "availability": 2}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        asset_ids.push(a["id"].clone());
    }
    for body in [
        json!({"from_asset_id": asset_ids[0], "to_asset_id": asset_ids[1],
               "data_category": "Customer orders", "mechanism": "api", "encrypted": true}),
        json!({"from_asset_id": asset_ids[1], "to_asset_id": asset_ids[2],
               "data_category": "Reports", "mechanism": "file_transfer", "encrypted": false,
               "description": "=nightly, \"CSV\" files"}),
    ] {
        let (s, r) = c.post("/api/v1/orgs/acme/data-flows", &body).await;
        assert_eq!(s, 201, "{r}");
    }
    let risks = "/api/v1/orgs/acme/risks";
    let (s, r1) = c
        .post(
            risks,
            &json!({"title": "Ransomware on the CRM", "threat": "Ransomware",
                    "vulnerability": "Unpatched servers", "owner_id": f.user_id(Role::IsmsManager),
                    "inherent_likelihood": 4, "inherent_impact": 5, "treatment": "modify",
                    "residual_likelihood": 2, "residual_impact": 3,
                    "controls": ["8.7", "A.5.15"], "assets": [asset_ids[0], asset_ids[1]],
                    "description": "+line one\nline two"}),
        )
        .await;
    assert_eq!(s, 201, "{r1}");
    let (s, r2) = c
        .post(
            risks,
            &json!({"title": "Laptop theft", "inherent_likelihood": 3, "inherent_impact": 2,
                    "next_review_on": "2027-03-01"}),
        )
        .await;
    assert_eq!(s, 201, "{r2}");
    let (s, r3) = c
        .post(
            risks,
            &json!({"title": "Supplier outage", "inherent_likelihood": 2, "inherent_impact": 4,
                    "treatment": "share", "owner_id": f.user_id(Role::Admin)}),
        )
        .await;
    assert_eq!(s, 201, "{r3}");
    let (s, p) = c
        .patch(
            &format!("{risks}/{}", r3["id"].as_str().unwrap()),
            &json!({"status": "treatment_in_progress", "version": r3["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{p}");

    // Same organisation: every row unchanged; a fresh one (same people, same method)
    // imports assets, data flows and risks and exports the same CSV.
    fresh_org_like(&t, &f, "fresh").await;
    approve_method(&mgr, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["assets", "data-flows", "risks"]).await;
    let (_, fresh) = c.get("/api/v1/orgs/fresh/risks?limit=10").await;
    assert_eq!(fresh["items"][0]["controls"], json!(["5.15", "8.7"]));
    assert_eq!(
        fresh["items"][0]["linked_assets"][1]["name"],
        "Customer database"
    );
    assert_eq!(fresh["items"][0]["description"], "+line one\nline two");
    assert_eq!(fresh["items"][2]["status"], "treatment_in_progress");
    let (_, flows) = c.get("/api/v1/orgs/fresh/data-flows").await;
    assert_eq!(flows["items"][1]["description"], "=nightly, \"CSV\" files");
    assert_eq!(flows["items"][1]["from_name"], "Customer database");

    // Bad risk rows: each problem named by line and field, nothing written.
    let before = t.count_rows("risks").await;
    let csv = "reference,title,owner,inherent_likelihood,inherent_impact,treatment,controls,residual_likelihood,residual_impact,status,assets\n\
        ,Fine row,,2,2,,,,,,\n\
        ,,,9,2,ignore,,,,,\n\
        R-001,Ransomware on the CRM,nobody@x.test,x,5,,,,,,A-0099\n\
        R-002,Laptop theft,,3,2,,9.99,2,,accepted,\n\
        ,Accepted on arrival,,1,1,,,,,accepted,\n";
    let (s, p) = import(&c, "acme", "risks", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].title",
            "lines[3].inherent_likelihood",
            "lines[3].treatment",
            "lines[4].owner",
            "lines[4].inherent_likelihood",
            "lines[4].assets",
            "lines[5].controls",
            "lines[5].residual_impact",
            "lines[5].status",
            "lines[6].status",
        ],
    );
    assert!(
        problems(&p)
            .iter()
            .any(|(f, m)| f == "lines[4].assets" && m.contains("A-0099")),
        "{p}"
    );
    assert_eq!(t.count_rows("risks").await, before, "nothing written");

    // A dry run of a good edit says what it would do and writes nothing; then for real.
    let csv = "reference,title,inherent_likelihood,inherent_impact,owner\n\
        R-002,Laptop theft on trains,3,2,\n\
        ,Shadow IT,2,3,Admin User\n";
    let owner_name = fresh["items"][2]["owner_name"].as_str().unwrap().to_owned();
    let csv = csv.replace("Admin User", &owner_name);
    let (s, r) = import(&c, "acme", "risks", true, csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["R-002"]), "{r}");
    assert_eq!(r["created"], json!(["R-004"]), "{r}");
    assert_eq!(t.count_rows("risks").await, before);
    let (s, r) = import(&c, "acme", "risks", false, csv.into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    let titles = risk_titles(&c, "acme").await;
    assert!(
        titles.contains(&"Laptop theft on trains".to_owned()),
        "{titles:?}"
    );
    let (_, all) = c.get("/api/v1/orgs/acme/risks?limit=10").await;
    assert_eq!(all["items"][3]["owner_id"], json!(f.user_id(Role::Admin)));
    assert_eq!(all["items"][3]["status"], "assessed");

    // Bad data-flow rows, then a dry run naming an asset by its name.
    let flows_before = t.count_rows("data_flows").await;
    let csv = "reference,from,to,data_category,mechanism,encrypted\n\
        ,A-0001,A-0001,Orders,api,yes\n\
        ,A-0099,Nobody's laptop,Orders,api,maybe\n\
        ,A-0001,A-0002,,pigeon,no\n";
    let (s, p) = import(&c, "acme", "data-flows", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[2].to_asset_id",
            "lines[3].from",
            "lines[3].to",
            "lines[3].encrypted",
            "lines[4].data_category",
            "lines[4].mechanism",
        ],
    );
    assert_eq!(t.count_rows("data_flows").await, flows_before);
    let csv = "reference,from,to,data_category,mechanism\n\
        F-001,CRM,A-0002,Customer orders and refunds,api\n\
        ,Laptop fleet,crm,Notes,manual\n";
    let (s, r) = import(&c, "acme", "data-flows", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["F-001"]), "{r}");
    assert_eq!(r["created"], json!(["F-003"]), "{r}");
    assert_eq!(t.count_rows("data_flows").await, flows_before);

    // Another organisation: its imports do not see these records, and it cannot import
    // into this one.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    approve_method(&t.login(o.email(Role::IsmsManager)).await, "other").await;
    let csv = "reference,title,inherent_likelihood,inherent_impact\n\
        R-001,Ransomware on the CRM (theirs),4,5\n";
    let (s, r) = import(&oc, "other", "risks", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["R-001"]), "{r}");
    let flows = export(&t, "acme", "data-flows", "csv").await;
    let (s, p) = import(&oc, "other", "data-flows", true, flows.clone()).await;
    assert_eq!(s, 422, "{p}");
    assert!(
        problems(&p)
            .iter()
            .any(|(f, m)| f == "lines[2].from" && m.contains("A-0001")),
        "{p}"
    );
    for kind in ["risks", "data-flows"] {
        let (s, _) = import(&oc, "acme", kind, true, flows.clone()).await;
        assert_eq!(s, 404, "{kind}");
    }
}

#[tokio::test]
async fn ciso_assistant_risk_assessment_sheet_imports() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    approve_method(&t.login(f.email(Role::IsmsManager)).await, "acme").await;
    let sheet = std::fs::read(format!(
        "{}/../../testdata/ciso-assistant/risk_assessment.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (s, r) = import(&c, "acme", "risks", false, sheet.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["created"],
        json!(["R-001", "R-002", "R-003", "R-004"]),
        "{r}"
    );
    let (_, page) = c.get("/api/v1/orgs/acme/risks?limit=10").await;
    let items = page["items"].as_array().unwrap();
    // Ransomware: current rating (Possible × Major) before treatment, residual Unlikely ×
    // Moderate, mitigate → modify, existing and additional controls.
    assert_eq!(items[0]["title"], "Ransomware on the file shares");
    assert_eq!(
        (
            &items[0]["inherent"]["likelihood"],
            &items[0]["inherent"]["impact"]
        ),
        (&json!(3), &json!(4))
    );
    assert_eq!(
        (
            &items[0]["residual"]["likelihood"],
            &items[0]["residual"]["impact"]
        ),
        (&json!(2), &json!(3))
    );
    assert_eq!(items[0]["treatment"], "modify");
    assert_eq!(items[0]["controls"], json!(["8.7", "8.13", "8.15"]));
    assert_eq!(
        items[0]["description"],
        "Encrypted shares stop the office for days"
    );
    // No current rating: the inherent one; transfer → share; numbers; accept → retain;
    // labels in any case; open → no treatment yet.
    assert_eq!(items[1]["treatment"], "share");
    assert_eq!(items[1]["inherent"]["likelihood"], 3);
    assert_eq!(items[2]["treatment"], "retain");
    assert_eq!(
        (
            &items[2]["inherent"]["likelihood"],
            &items[2]["inherent"]["impact"]
        ),
        (&json!(3), &json!(4))
    );
    assert_eq!(items[3]["treatment"], Value::Null);
    assert_eq!(items[3]["status"], "assessed");
    assert_eq!(
        (
            &items[3]["inherent"]["likelihood"],
            &items[3]["inherent"]["impact"]
        ),
        (&json!(1), &json!(2))
    );

    // The same sheet again: its ref_ids are not ours, so rows match the risks by name.
    let (s, r) = import(&c, "acme", "risks", false, sheet).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 4, "{r}");

    // Labels, treatments and controls that do not map are named; nothing written.
    let bad = "ref_id,name*,inherent_impact,inherent_proba,existing_controls,treatment\n\
        R.9,Meteor strike,Catastrophic,Rare,,ignore\n\
        R.10,Insider fraud,Major,Possible,\"A.5.15\nMFA for admins\",mitigate\n";
    let (s, p) = import(&c, "acme", "risks", false, bad.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[2].inherent_impact",
            "lines[2].treatment",
            "lines[3].existing_controls",
        ],
    );
    let got = problems(&p);
    assert!(
        got.iter()
            .any(|(f, m)| f == "lines[3].existing_controls" && m.contains("MFA for admins")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(f, m)| f == "lines[2].inherent_impact" && m.contains("Severe")),
        "the message lists the method's labels: {got:?}"
    );
    assert_eq!(t.count_rows("risks").await, 4);
}
