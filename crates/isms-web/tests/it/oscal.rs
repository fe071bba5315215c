//! OSCAL export: every document validates against NIST's schema for the demo
//! organisations (certified Northwind, early-stage Bluefin) and a brand-new one; the same
//! records give the same bytes; another document is 422; another organisation sees none.

#[path = "../../../isms-export/tests/oscal/validate.rs"]
mod validate;

use isms_domain::rbac::Role;
use isms_export::oscal::{DOCUMENTS, root_key};
use isms_testkit::TestApp;
use serde_json::Value;
use validate::assert_valid;

use crate::certification::unzip;

#[tokio::test]
async fn the_demo_organisations_export_valid_oscal() {
    let t = TestApp::spawn().await;
    t.app.load_demo(None).await.unwrap();
    for slug in ["northwind", "bluefin"] {
        let ctx = t.app.org_for_cli(slug).await.unwrap();
        let docs = t.app.oscal_documents(&ctx).await.unwrap();
        for (name, doc) in &docs {
            let document = name.trim_end_matches(".json");
            assert_valid(document, doc);
        }
        // Unchanged records, identical files.
        let again = t.app.oscal_documents(&ctx).await.unwrap();
        assert_eq!(docs, again, "{slug}");
        let ssp = &docs[0].1["system-security-plan"];
        let reqs = ssp["control-implementation"]["implemented-requirements"]
            .as_array()
            .unwrap();
        assert!(!reqs.is_empty(), "{slug}");
        let catalog = &docs[3].1["catalog"];
        let ids: Vec<&str> = catalog["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["controls"].as_array().unwrap())
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        // Every control the SSP names is in the catalog it points to.
        for r in reqs {
            let id = r["control-id"].as_str().unwrap();
            assert!(ids.contains(&id), "{slug}: {id} is not in the catalog");
        }
        if slug == "northwind" {
            // Certified: an SoA in force, owners named, audits with findings.
            assert_eq!(
                ssp["system-characteristics"]["status"]["state"],
                "operational"
            );
            assert!(reqs.len() < 93 + 10, "only the applicable controls");
            assert!(reqs.iter().any(|r| r.get("responsible-roles").is_some()));
            let results = docs[1].1["assessment-results"]["results"]
                .as_array()
                .unwrap();
            assert!(results.iter().any(|r| r.get("findings").is_some()));
            assert!(results.iter().any(|r| r.get("observations").is_some()));
            assert!(ids.iter().any(|i| i.starts_with("NW-")), "own controls");
        }
    }
}

#[tokio::test]
async fn a_new_organisation_exports_valid_oscal_over_the_api() {
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let base = "/api/v1/orgs/acme/exports/oscal";
    for d in DOCUMENTS {
        let r = viewer
            .request(reqwest::Method::GET, &format!("{base}/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{d}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let disposition = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.contains(&format!("acme-oscal-{d}.json")),
            "{disposition}"
        );
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("Northwind"),
            "{d} shows another organisation's data"
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_valid(d, &doc);
        assert!(doc.get(root_key(d).unwrap()).is_some());
        // Another organisation's member learns nothing.
        let (s, _) = outsider.get(&format!("{base}/{d}")).await;
        assert_eq!(s, 404, "{d}");
    }
    // An empty organisation: every Annex A control while no SoA is in force, one
    // placeholder result and item (the schemas want at least one).
    let (_, ssp) = viewer.get(&format!("{base}/ssp")).await;
    let reqs = &ssp["system-security-plan"]["control-implementation"]["implemented-requirements"];
    assert_eq!(reqs.as_array().unwrap().len(), 93);
    let (_, poam) = viewer.get(&format!("{base}/poam")).await;
    assert_eq!(
        poam["plan-of-action-and-milestones"]["poam-items"][0]["title"],
        "Nothing open"
    );

    // Another document: 422 naming the field.
    let (s, e) = viewer.get(&format!("{base}/sbom")).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "document", "{e}");

    // The zip holds the four files, byte for byte the single downloads.
    let r = viewer
        .request(reqwest::Method::GET, base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let files = unzip(&r.bytes().await.unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ssp.json",
            "assessment-results.json",
            "poam.json",
            "catalog.json"
        ]
    );
    let single = viewer
        .request(reqwest::Method::GET, &format!("{base}/catalog"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(files[3].1, single.to_vec());
    let (s, _) = outsider.get(base).await;
    assert_eq!(s, 404);
}
