//! The certification lifecycle through the API: bodies, audits, certificates and their
//! status, the cycle with its rule checks, and the auditor-days estimate. The test clock
//! stands at 2026-11-28.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn bodies_audits_and_certificates_are_checked_and_kept_apart() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let base = "/api/v1/orgs/acme";

    // Bodies: a name is required, the email must look like one; names are unique.
    let (s, p) = m
        .post(
            &format!("{base}/certification-bodies"),
            &json!({"name": " ", "contact_email": "not an address"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["name", "contact_email"]);
    let (s, body) = m
        .post(
            &format!("{base}/certification-bodies"),
            &json!({"name": "Assure Cert Ltd", "accreditation": "UKAS 0123", "contact_email": "lead@assure.example"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let body_id = body["id"].as_str().unwrap().to_owned();
    let (s, p) = m
        .post(
            &format!("{base}/certification-bodies"),
            &json!({"name": "Assure Cert Ltd"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["name"]);
    let (s, _) = viewer
        .post(
            &format!("{base}/certification-bodies"),
            &json!({"name": "Viewer's body"}),
        )
        .await;
    assert_eq!(s, 403);

    // Audits: every bad field is named and nothing is written.
    let (s, p) = m
        .post(
            &format!("{base}/certification-audits"),
            &json!({"body_id": body_id, "kind": "stage3", "status": "done", "planned_start": "2027-02-30",
                    "planned_end": "2027-01-01", "auditor_days": 0.3, "soa_version": 0}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        [
            "kind",
            "status",
            "planned_start",
            "auditor_days",
            "soa_version"
        ]
    );
    let (s, p) = m
        .post(
            &format!("{base}/certification-audits"),
            &json!({"body_id": body_id, "kind": "stage2", "status": "held", "planned_start": "2026-02-16",
                    "planned_end": "2026-02-12", "auditor_days": 7}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["planned_end", "actual_end"]);
    let (s, p) = m
        .post(
            &format!("{base}/certification-audits"),
            &json!({"body_id": uuid::Uuid::now_v7(), "kind": "stage1", "planned_start": "2026-01-12",
                    "planned_end": "2026-01-13", "auditor_days": 3}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["body_id"]);
    let (s, p) = m
        .post(
            &format!("{base}/certification-audits"),
            &json!({"body_id": body_id, "kind": "stage1", "planned_start": "2026-01-12",
                    "planned_end": "2026-01-13", "auditor_days": 3, "soa_version": 4}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["soa_version"]);
    let (_, list) = m.get(&format!("{base}/certification-audits")).await;
    assert_eq!(list["items"], json!([]));

    let plan = [
        ("stage1", "2026-01-12", "2026-01-13", 3.0, "held"),
        ("stage2", "2026-02-16", "2026-02-19", 7.0, "held"),
        // Too late: more than 12 months after the decision of 2026-03-10.
        ("surveillance1", "2027-03-15", "2027-03-16", 3.5, "planned"),
    ];
    for (kind, start, end, days, status) in plan {
        let mut a = json!({"body_id": body_id, "kind": kind, "status": status,
            "planned_start": start, "planned_end": end, "auditor_days": days,
            "lead_auditor": "R. Patel", "team": ["R. Patel", " S. Obi ", "R. Patel"]});
        if status == "held" {
            a["actual_start"] = json!(start);
            a["actual_end"] = json!(end);
        }
        let (s, r) = m.post(&format!("{base}/certification-audits"), &a).await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, a1) = m.get(&format!("{base}/certification-audits/CBA-001")).await;
    assert_eq!(s, 200);
    assert_eq!(a1["team"], json!(["R. Patel", "S. Obi"]));
    assert_eq!(a1["kind_label"], "Stage 1");
    assert_eq!(a1["body_name"], "Assure Cert Ltd");
    // Keyset pages by number.
    let (_, p1) = m.get(&format!("{base}/certification-audits?limit=2")).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let cur = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = m
        .get(&format!("{base}/certification-audits?limit=2&cursor={cur}"))
        .await;
    assert_eq!(p2["items"][0]["reference"], "CBA-003");
    assert!(p2["next_cursor"].is_null());
    // A held audit stays on record; a stale version is refused.
    let (s, _) = m
        .delete(&format!("{base}/certification-audits/CBA-001"))
        .await;
    assert_eq!(s, 409);
    let (s, _) = m
        .patch(
            &format!("{base}/certification-audits/CBA-003"),
            &json!({"body_id": body_id, "kind": "surveillance1", "planned_start": "2027-03-15",
                    "planned_end": "2027-03-16", "auditor_days": 3.5, "version": 7}),
        )
        .await;
    assert_eq!(s, 409);

    // Certificates: expiry defaults to three years after the decision, never more.
    let (s, p) = m
        .post(
            &format!("{base}/certificates"),
            &json!({"body_id": body_id, "certificate_no": "IS 700123", "decision_on": "2026-03-10",
                    "issued_on": "2026-03-01", "expires_on": "2029-06-01"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["issued_on", "expires_on"]);
    let (s, cert) = m
        .post(
            &format!("{base}/certificates"),
            &json!({"body_id": body_id, "certificate_no": "IS 700123", "decision_on": "2026-03-10",
                    "scope": "Cloud hosting platform, London office"}),
        )
        .await;
    assert_eq!(s, 201, "{cert}");
    assert_eq!(cert["expires_on"], "2029-03-10");
    assert_eq!(cert["state"]["state"], "valid");
    let cert_id = cert["id"].as_str().unwrap().to_owned();
    let (s, p) = m
        .post(
            &format!("{base}/certificates"),
            &json!({"body_id": body_id, "certificate_no": "IS 700123", "decision_on": "2026-03-10"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["certificate_no"]);

    // The cycle: dates from the decision, and the late surveillance is a breach.
    let (s, cy) = viewer.get(&format!("{base}/certification/cycle")).await;
    assert_eq!(s, 200);
    assert_eq!(cy["cycle"]["surveillance1_due"], "2027-03-10");
    assert_eq!(cy["cycle"]["surveillance_years"], json!([2027, 2028]));
    assert_eq!(cy["cycle"]["restoration_until"], "2029-09-10");
    let rules: Vec<&str> = cy["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "first-surveillance-12-months",
            "surveillance-every-calendar-year"
        ]
    );
    assert_eq!(cy["warnings"][0]["severity"], "breach");
    // Move the surveillance into the window and add 2028's: no warnings left.
    let (_, a3) = m.get(&format!("{base}/certification-audits/CBA-003")).await;
    let (s, r) = m
        .patch(
            &format!("{base}/certification-audits/CBA-003"),
            &json!({"body_id": body_id, "kind": "surveillance1", "planned_start": "2027-02-01",
                    "planned_end": "2027-02-02", "auditor_days": 3.5, "version": a3["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, _) = m
        .post(
            &format!("{base}/certification-audits"),
            &json!({"body_id": body_id, "kind": "surveillance2", "planned_start": "2028-02-01",
                    "planned_end": "2028-02-02", "auditor_days": 3.5}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, cy) = m.get(&format!("{base}/certification/cycle")).await;
    assert_eq!(cy["warnings"], json!([]), "{cy}");
    assert_eq!(cy["audits"].as_array().unwrap().len(), 4);

    // Status: suspend and reinstate; no restoration before expiry; withdrawal is final.
    let (s, c2) = m
        .post(
            &format!("{base}/certificates/{cert_id}/status"),
            &json!({"status": "suspended", "note": "surveillance not allowed", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{c2}");
    assert_eq!(c2["state"]["state"], "suspended");
    let (s, p) = m
        .post(
            &format!("{base}/certificates/{cert_id}/status"),
            &json!({"status": "restored", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["status"]);
    let (s, p) = m
        .post(
            &format!("{base}/certificates/{cert_id}/status"),
            &json!({"status": "active", "on": "2031-01-01", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["on"]);
    let (s, _) = m
        .post(
            &format!("{base}/certificates/{cert_id}/status"),
            &json!({"status": "active", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, c3) = m
        .post(
            &format!("{base}/certificates/{cert_id}/status"),
            &json!({"status": "active", "version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{c3}");
    assert_eq!(c3["state"]["state"], "valid");
    // The body is in use and cannot be removed.
    let (s, _) = m
        .delete(&format!("{base}/certification-bodies/{body_id}"))
        .await;
    assert_eq!(s, 409);

    // Status changes are in the audit trail.
    let (_, trail) = m
        .get("/api/v1/orgs/acme/audit-trail?entity=certificate")
        .await;
    let text = trail.to_string();
    assert!(text.contains("active → suspended"), "{text}");

    // The calendar carries the cycle's deadlines and the audits.
    let r = viewer
        .request(
            reqwest::Method::GET,
            &format!("{base}/certification/calendar.ics"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("SUMMARY:Latest date for the first surveillance audit\r\n"));
    assert!(ics.contains("DTSTART;VALUE=DATE:20270310\r\n"));
    assert!(
        ics.contains("SUMMARY:Surveillance 1 audit CBA-003 (Assure Cert Ltd)"),
        "{ics}"
    );
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4 + 2 + 4, "{ics}");

    // Another organisation sees none of it.
    for path in [
        format!("{base}/certification-bodies/{body_id}"),
        format!("{base}/certificates/{cert_id}"),
        format!("{base}/certification-audits/CBA-001"),
        format!("{base}/certification/cycle"),
    ] {
        assert_eq!(outsider.get(&path).await.0, 404, "{path}");
    }
    let (s, _) = outsider
        .get(&format!(
            "/api/v1/orgs/other/certification-bodies/{body_id}"
        ))
        .await;
    assert_eq!(s, 404);
    let (_, theirs) = outsider.get("/api/v1/orgs/other/certification/cycle").await;
    assert!(theirs["certificate"].is_null());
    assert_eq!(theirs["audits"], json!([]));
}

#[tokio::test]
async fn a_lapsed_certificate_can_be_restored_only_within_six_months() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let m = t.login(f.email(Role::Admin)).await;
    let base = "/api/v1/orgs/acme";
    let (_, b) = m
        .post(
            &format!("{base}/certification-bodies"),
            &json!({"name": "CB"}),
        )
        .await;
    // Decided 2023-06-01: expired 2026-06-01, restorable until 2026-12-01.
    let (s, c) = m
        .post(
            &format!("{base}/certificates"),
            &json!({"body_id": b["id"], "certificate_no": "OLD-1", "decision_on": "2023-06-01"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["state"]["state"], "lapsed");
    assert_eq!(c["state"]["restorable_until"], "2026-12-01");
    let id = c["id"].as_str().unwrap();
    let (s, p) = m
        .post(
            &format!("{base}/certificates/{id}/status"),
            &json!({"status": "expired", "on": "2026-05-01", "version": 1}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (s, c) = m
        .post(
            &format!("{base}/certificates/{id}/status"),
            &json!({"status": "expired", "on": "2026-06-01", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    // Four days later (2026-12-02) the window has closed.
    t.clock.advance_days(4);
    let m = t.login(f.email(Role::Admin)).await;
    let (s, p) = m
        .post(
            &format!("{base}/certificates/{id}/status"),
            &json!({"status": "restored", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p.to_string().contains("2026-12-01"), "{p}");
    let (_, c) = m.get(&format!("{base}/certificates/{id}")).await;
    assert_eq!(c["state"]["state"], "expired");
    // On the last day of the window it could be restored.
    let (s, c) = m
        .post(
            &format!("{base}/certificates/{id}/status"),
            &json!({"status": "restored", "on": "2026-12-01", "version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    // The restored certificate runs on from the old expiry, so the dates stay in sequence.
    assert_eq!(c["expires_on"], "2029-06-01");
    assert_eq!(c["state"]["state"], "valid");
}

#[tokio::test]
async fn the_auditor_days_estimate_shows_its_inputs() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let v = t.login(f.email(Role::Viewer)).await;
    let (s, e) = v
        .get("/api/v1/orgs/acme/certification/audit-time?personnel=60")
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["estimate"]["initial"], 20);
    assert_eq!(e["estimate"]["stage1"], 6);
    assert_eq!(e["estimate"]["surveillance"], 7);
    assert_eq!(e["estimate"]["recertification"], 14);
    assert_eq!(e["estimate"]["band"]["reliability"], "verified");
    assert_eq!(e["chart"].as_array().unwrap().len(), 22);
    let (s, e) = v
        .get(
            "/api/v1/orgs/acme/certification/audit-time?personnel=60&business=low&it=low&other=-40",
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(e["estimate"]["capped"], true);
    assert_eq!(e["estimate"]["applied_percent"], -30);
    let (s, p) = v
        .get("/api/v1/orgs/acme/certification/audit-time?personnel=0&business=huge")
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["business"]);
    let (s, p) = v
        .get("/api/v1/orgs/acme/certification/audit-time?personnel=0")
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["personnel"]);
    let (s, p) = v
        .get("/api/v1/orgs/acme/certification/audit-time?personnel=many")
        .await;
    assert_eq!(s, 422, "{p}");
}

/// The files of a zip, in archive order.
pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().into_owned(), out)
        })
        .collect()
}

async fn login_demo(t: &TestApp, email: &str) -> isms_testkit::Client {
    let (s, v) = t
        .anon()
        .post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": isms_app::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    isms_testkit::Client::new(&t.base, v["token"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_stage1_pack_holds_the_versions_in_force_with_their_hashes() {
    use sha2::Digest;
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let other = t.org_with_roles("other").await;
    let path = "/api/v1/orgs/northwind/exports/stage1-pack";

    // The external auditor (read-only) downloads it; so does a viewer.
    let auditor = login_demo(&t, "auditor@certbody.example").await;
    let r = auditor
        .request(reqwest::Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("northwind-stage1-pack-2026-11-28.zip"),
        "{disposition}"
    );
    let files = unzip(&r.bytes().await.unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[..3], ["README.md", "manifest.json", "SHA256SUMS"]);
    let numbers: Vec<&str> = names[3..].iter().map(|n| &n[..2]).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(sorted, numbers, "numbered, in a fixed order: {names:?}");

    let manifest: Value = serde_json::from_slice(&files[1].1).unwrap();
    let items = manifest["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "scope",
            "policy",
            "risk-method",
            "soa",
            "risk-treatment-plan",
            "objectives",
            "internal-audit",
            "management-review"
        ]
    );
    // Every file in the manifest is in the zip with that hash, and nothing else is.
    let mut listed = 0;
    for i in items {
        for f in i["files"].as_array().unwrap() {
            listed += 1;
            let name = f["path"].as_str().unwrap();
            let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
            assert_eq!(
                f["sha256"],
                hex::encode(sha2::Sha256::digest(bytes)),
                "{name}"
            );
            assert_eq!(f["bytes"], bytes.len());
            if name.ends_with(".pdf") {
                assert!(bytes.starts_with(b"%PDF"), "{name}");
            } else {
                assert!(name.ends_with(".md"), "{name}");
                assert!(!bytes.is_empty(), "{name}");
            }
        }
        if i["state"] == "included" {
            assert_eq!(i["files"].as_array().unwrap().len(), 2, "{i}");
        } else {
            assert!(i["files"].as_array().unwrap().is_empty(), "{i}");
            assert!(!i["note"].as_str().unwrap().is_empty(), "{i}");
        }
    }
    assert_eq!(listed, files.len() - 3);
    let sums = String::from_utf8(files[2].1.clone()).unwrap();
    assert_eq!(sums.lines().count(), listed);

    // Northwind is certified: its approved documents are there with version and approver.
    let soa = &items[3];
    assert_eq!(soa["state"], "included", "{soa}");
    assert!(
        soa["version"].as_str().unwrap().starts_with("version "),
        "{soa}"
    );
    assert!(
        soa["approved_on"].is_string() && soa["approved_by"].is_string(),
        "{soa}"
    );
    let audit = &items[6];
    assert_eq!(audit["state"], "included", "{audit}");
    let readme = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(readme.contains("# Stage 1 document pack: Northwind Cloud Ltd"));
    assert!(readme.contains("sha256sum -c SHA256SUMS"));
    for i in items {
        assert!(readme.contains(i["title"].as_str().unwrap()), "{i}");
    }

    let viewer = login_demo(&t, "ceo@northwind.example").await;
    assert_eq!(
        viewer
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Another organisation's administrator does not see Northwind at all; nor does
    // anyone signed out.
    let outsider = t.login(other.email(Role::Admin)).await;
    let (s, p) = outsider.get(path).await;
    assert_eq!(s, 404, "{p}");
    assert_eq!(t.anon().get(path).await.0, 401);

    // An organisation with nothing yet gets a pack that says so, file by file.
    let admin = t.login(other.email(Role::Admin)).await;
    let r = admin
        .request(
            reqwest::Method::GET,
            "/api/v1/orgs/other/exports/stage1-pack",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let files = unzip(&r.bytes().await.unwrap());
    assert_eq!(files.len(), 3, "only the README, manifest and sums");
    let manifest: Value = serde_json::from_slice(&files[1].1).unwrap();
    assert!(
        manifest["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "missing"),
        "{manifest}"
    );
    let readme = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(
        readme.contains("No risk assessment method is set up yet."),
        "{readme}"
    );
}

#[tokio::test]
async fn a_certification_body_finding_keeps_its_deadline_in_actions_and_the_calendar() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let m = t.login(f.email(Role::IsmsManager)).await;
    let om = t.login(other.email(Role::IsmsManager)).await;
    let base = "/api/v1/orgs/acme";
    let audit_of = |c: &isms_testkit::Client, org: &'static str| {
        let c = c.clone();
        async move {
            let (s, b) = c
                .post(
                    &format!("/api/v1/orgs/{org}/certification-bodies"),
                    &json!({"name": "Assure Cert Ltd"}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
            let (s, a) = c
                .post(
                    &format!("/api/v1/orgs/{org}/certification-audits"),
                    &json!({"body_id": b["id"], "kind": "stage2", "status": "held",
                            "planned_start": "2026-11-02", "planned_end": "2026-11-03",
                            "actual_start": "2026-11-02", "actual_end": "2026-11-03",
                            "auditor_days": 4}),
                )
                .await;
            assert_eq!(s, 201, "{a}");
            a["id"].as_str().unwrap().to_owned()
        }
    };
    let audit = audit_of(&m, "acme").await;
    let foreign = audit_of(&om, "other").await;
    let finding = |source_id: &str, deadline: Option<&str>| {
        json!({"source": "certification_audit", "source_id": source_id, "grade": "minor_nc",
               "reference": "A.5.18", "title": "Access reviews not recorded",
               "raised_on": "2026-11-03", "deadline": deadline})
    };
    // A nonconformity from the body needs the body's deadline; the audit must be ours.
    let (s, p) = m
        .post(&format!("{base}/findings"), &finding(&audit, None))
        .await;
    assert_eq!(
        (s.as_u16(), fields(&p)),
        (422, vec!["deadline".to_owned()]),
        "{p}"
    );
    let (s, p) = m
        .post(
            &format!("{base}/findings"),
            &finding(&foreign, Some("2027-02-01")),
        )
        .await;
    assert_eq!(
        (s.as_u16(), fields(&p)),
        (422, vec!["source_id".to_owned()]),
        "{p}"
    );
    let (s, nc) = m
        .post(
            &format!("{base}/findings"),
            &finding(&audit, Some("2027-02-01")),
        )
        .await;
    assert_eq!(s, 201, "{nc}");
    // An observation from the body may come without one.
    let (s, obs) = m
        .post(
            &format!("{base}/findings"),
            &json!({"source": "certification_audit", "source_id": audit, "grade": "observation",
                    "reference": "7.5", "title": "Document owners not always named"}),
        )
        .await;
    assert_eq!(s, 201, "{obs}");
    let (_, listed) = m.get(&format!("{base}/findings?source_id={audit}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");

    // An action left without a due date is due by the finding's deadline; its own date wins.
    let (s, ca) = m
        .post(
            &format!("{base}/corrective-actions"),
            &json!({"finding_id": nc["id"], "title": "Review billing access quarterly"}),
        )
        .await;
    assert_eq!(s, 201, "{ca}");
    assert_eq!(ca["due_on"], "2027-02-01");
    let (s, ca2) = m
        .post(
            &format!("{base}/corrective-actions"),
            &json!({"finding_id": nc["id"], "title": "Add new systems to the review list",
                    "due_on": "2027-01-15"}),
        )
        .await;
    assert_eq!(s, 201, "{ca2}");
    assert_eq!(ca2["due_on"], "2027-01-15");

    // The calendar carries the deadline and both actions, under UIDs that stay put.
    let ics = |c: isms_testkit::Client, org: &'static str| async move {
        let r = c
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/orgs/{org}/certification/calendar.ics"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    };
    let first = ics(m.clone(), "acme").await;
    let unfolded = first.replace("\r\n ", "");
    let event = |uid: &str| -> String {
        let start = unfolded
            .find(&format!("UID:{uid}\r\n"))
            .unwrap_or_else(|| panic!("{uid} missing: {unfolded}"));
        let end = unfolded[start..].find("END:VEVENT").unwrap() + start;
        unfolded[start..end].to_owned()
    };
    let e = event("finding-1@acme.isms-workbench");
    assert!(e.contains("DTSTART;VALUE=DATE:20270201\r\n"), "{e}");
    assert!(
        e.contains("SUMMARY:Finding deadline: F-001 Access reviews not recorded"),
        "{e}"
    );
    assert!(e.contains("raised by the certification body"), "{e}");
    let e = event("action-1@acme.isms-workbench");
    assert!(e.contains("DTSTART;VALUE=DATE:20270201\r\n"), "{e}");
    assert!(e.contains("SUMMARY:Corrective action due: CA-001"), "{e}");
    let e = event("action-2@acme.isms-workbench");
    assert!(e.contains("DTSTART;VALUE=DATE:20270115\r\n"), "{e}");
    assert!(
        !unfolded.contains("finding-2@acme"),
        "the observation has no deadline"
    );
    let uids = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect()
    };
    t.clock.advance_secs(90);
    let again = ics(m.clone(), "acme").await;
    assert_ne!(first, again, "stamped anew");
    assert_eq!(uids(&first), uids(&again), "the same events, the same UIDs");
    // Another organisation's calendar has none of it.
    let theirs = ics(om.clone(), "other").await;
    assert!(!theirs.contains("@acme."), "{theirs}");
    assert_eq!(
        om.get(&format!("{base}/certification/calendar.ics"))
            .await
            .0,
        404
    );

    // A closed finding drops out of the calendar.
    let (s, p) = m
        .patch(
            &format!("{base}/findings/{}", obs["id"].as_str().unwrap()),
            &json!({"deadline": "2027-03-01", "version": obs["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert!(ics(m.clone(), "acme").await.contains("UID:finding-2@acme"));
    let (s, p) = m
        .patch(
            &format!("{base}/findings/{}", obs["id"].as_str().unwrap()),
            &json!({"status": "closed", "closure_note": "Owners named", "version": p["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert!(!ics(m.clone(), "acme").await.contains("UID:finding-2@acme"));
}

#[tokio::test]
async fn the_demo_stage2_finding_is_linked_with_the_body_deadline_and_a_verified_action() {
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let m = login_demo(&t, "isms.manager@northwind.example").await;
    let base = "/api/v1/orgs/northwind";
    let (s, audit) = m.get(&format!("{base}/certification-audits/CBA-002")).await;
    assert_eq!(s, 200, "{audit}");
    assert_eq!(audit["kind"], "stage2");
    let (_, found) = m
        .get(&format!(
            "{base}/findings?source_id={}",
            audit["id"].as_str().unwrap()
        ))
        .await;
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{found}");
    let f = &items[0];
    assert_eq!(
        (&f["source"], &f["grade"], &f["status"]),
        (
            &json!("certification_audit"),
            &json!("minor_nc"),
            &json!("closed")
        ),
        "{f}"
    );
    assert_eq!(f["raised_on"], audit["actual_end"], "{f}");
    assert_eq!(f["deadline"], "2026-05-20", "90 days after 2026-02-19: {f}");
    let (_, actions) = m
        .get(&format!(
            "{base}/corrective-actions?finding_id={}",
            f["id"].as_str().unwrap()
        ))
        .await;
    let a = &actions["items"][0];
    assert_eq!(a["status"], "closed", "{a}");
    assert_eq!(a["verification"], "effective", "{a}");
    assert_eq!(a["due_on"], "2026-05-20", "due by the body's deadline: {a}");
    assert!(a["verified_on"].as_str().unwrap() <= "2026-05-20", "{a}");
}
