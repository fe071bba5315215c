//! The document register through the API: templates filled from the organisation, the
//! workflow (submit, approve, reject with comment, new version), frozen versions, the
//! named-approver rule, filters, diff, exports, and other organisations kept out.

use isms_domain::rbac::Role;
use isms_testkit::{PASSWORD, TestApp};
use serde_json::{Value, json};

const BASE: &str = "/api/v1/orgs/acme/documents";

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
async fn a_policy_from_a_template_goes_through_review_and_is_frozen_once_approved() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let writer = t.login(f.email(Role::Contributor)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    // A role holder the template names.
    let (s, r) = manager
        .post(
            "/api/v1/orgs/acme/roles",
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
                    "person_id": f.user_id(Role::IsmsManager)}),
        )
        .await;
    assert_eq!(s, 201, "{r}");

    let (s, tpl) = viewer.get(&format!("{BASE}/templates")).await;
    assert_eq!(s, 200);
    assert!(tpl.as_array().unwrap().len() >= 13);
    assert!(tpl[0].get("body").is_none());

    // Bad input names each field; nothing is written.
    let (s, p) = writer
        .post(
            BASE,
            &json!({"template": "nope", "classification": "secret", "review_months": 0}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        [
            "template",
            "title",
            "kind",
            "classification",
            "review_months"
        ]
    );
    let (s, p) = writer
        .post(
            BASE,
            &json!({"template": "access-control-policy", "approver_id": f.user_id(Role::Viewer)}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["approver_id"], "a viewer cannot approve");
    let (_, empty) = writer.get(BASE).await;
    assert_eq!(empty["items"], json!([]));

    // From the template: filled with the organisation's name and the role holder.
    let (s, d) = writer
        .post(BASE, &json!({"template": "access-control-policy"}))
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["reference"], "DOC-001");
    assert_eq!(d["kind"], "policy");
    assert_eq!(d["status"], "draft");
    assert_eq!(d["owner_id"], json!(f.user_id(Role::Contributor)));
    assert!(d["controls"].as_array().unwrap().contains(&json!("5.15")));
    let id = d["id"].as_str().unwrap().to_owned();
    let doc = format!("{BASE}/{id}");
    let (_, v1) = writer.get(&format!("{doc}/versions/1")).await;
    let text = v1["content"].as_str().unwrap();
    assert!(
        text.contains("**Organisation:** acme") || text.contains("Organisation:"),
        "{text}"
    );
    let org_name = t.app.org_for_cli("acme").await.unwrap().org.name;
    assert!(text.contains(&org_name), "{text}");
    assert!(text.contains("(ISMS manager)"), "{text}");
    assert!(v1["to_complete"].as_i64().unwrap() > 0);

    // Edit the draft; a stale version is refused and changes nothing.
    let (s, v) = writer
        .patch(
            &format!("{doc}/versions/1"),
            &json!({"content": "# Access control policy\n\nOnly what the job needs.\n", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["version"], 2);
    assert_eq!(v["to_complete"], 0);
    let (s, _) = writer
        .patch(
            &format!("{doc}/versions/1"),
            &json!({"content": "stale", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    let (_, v) = writer.get(&format!("{doc}/versions/1")).await;
    assert!(
        v["content"]
            .as_str()
            .unwrap()
            .contains("Only what the job needs.")
    );

    // Submit; a contributor cannot approve; the manager rejects without a comment: 422.
    let (s, v) = writer
        .post(&format!("{doc}/versions/1/submit"), &json!({"version": 2}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "in_review");
    let (_, d) = writer.get(&doc).await;
    assert_eq!(d["status"], "in_review");
    let (s, _) = writer
        .post(&format!("{doc}/versions/1/approve"), &json!({"version": 3}))
        .await;
    assert_eq!(s, 403);
    let (s, p) = writer
        .patch(
            &format!("{doc}/versions/1"),
            &json!({"content": "x", "version": 3}),
        )
        .await;
    assert_eq!(s, 409, "in review is frozen too: {p}");
    let (s, p) = manager
        .post(
            &format!("{doc}/versions/1/reject"),
            &json!({"version": 3, "comment": " "}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["comment"]);
    let (s, v) = manager
        .post(
            &format!("{doc}/versions/1/reject"),
            &json!({"version": 3, "comment": "Say how often access is reviewed."}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "rejected");
    let (_, d) = writer.get(&doc).await;
    assert_eq!(d["status"], "draft");

    // Redraft: back to draft, the comment stays; resubmit and approve.
    let (s, v) = writer
        .patch(
            &format!("{doc}/versions/1"),
            &json!({"content": "# Access control policy\n\nOnly what the job needs.\nReviewed every six months.\n", "version": 4}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "draft");
    assert_eq!(v["decision_comment"], "Say how often access is reviewed.");
    writer
        .post(&format!("{doc}/versions/1/submit"), &json!({"version": 5}))
        .await;
    let (s, v) = manager
        .post(&format!("{doc}/versions/1/approve"), &json!({"version": 6}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "approved");
    let (_, d) = writer.get(&doc).await;
    assert_eq!(d["status"], "approved");
    assert_eq!(d["current_version"], 1);
    let today = t.app.today();
    let next = isms_domain::document::next_review(today, 12);
    assert_eq!(d["next_review_on"], isms_domain::time::format_date(next));

    // An approved version cannot be changed through any route.
    let (s, p) = writer
        .patch(
            &format!("{doc}/versions/1"),
            &json!({"content": "changed", "version": 7}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("approved and frozen"),
        "{p}"
    );
    for step in ["submit", "approve", "reject"] {
        let (s, _) = manager
            .post(
                &format!("{doc}/versions/1/{step}"),
                &json!({"version": 7, "comment": "x"}),
            )
            .await;
        assert_eq!(s, 409, "{step}");
    }
    let (s, _) = writer.delete(&doc).await;
    assert_eq!(s, 409, "an approved document is a record");
    let (_, v) = writer.get(&format!("{doc}/versions/1")).await;
    assert!(v["content"].as_str().unwrap().contains("six months"));

    // The audit trail records the approval.
    let (_, trail) = manager
        .get("/api/v1/orgs/acme/audit-trail?entity=document_version")
        .await;
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "approve"
                && e["summary"]
                    .as_str()
                    .unwrap()
                    .contains("approved version 1 of DOC-001")),
        "{trail}"
    );

    // A new version starts as a copy of the one in force; one at a time.
    let (s, v2) = writer
        .post(
            &format!("{doc}/versions"),
            &json!({"change_note": "Yearly review"}),
        )
        .await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!(
        (v2["number"].as_i64(), v2["based_on"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(v2["content"], v["content"]);
    let (s, _) = writer.post(&format!("{doc}/versions"), &json!({})).await;
    assert_eq!(s, 409);
    writer
        .patch(
            &format!("{doc}/versions/2"),
            &json!({"content": "# Access control policy\n\nOnly what the job needs.\nReviewed every quarter.\n", "version": 1}),
        )
        .await;
    let (_, diff) = viewer.get(&format!("{doc}/diff?from=1&to=2")).await;
    assert_eq!(
        (diff["added"].as_i64(), diff["removed"].as_i64()),
        (Some(1), Some(1))
    );
    let added: Vec<&str> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["change"] == "added")
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["Reviewed every quarter."]);
    let (s, p) = viewer.get(&format!("{doc}/diff?from=1&to=9")).await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["to".to_owned()]));
    writer
        .post(&format!("{doc}/versions/2/submit"), &json!({"version": 2}))
        .await;
    let (_, d) = writer.get(&doc).await;
    assert_eq!(
        d["status"], "approved",
        "still in force while v2 is reviewed"
    );
    assert_eq!(d["latest_status"], "in_review");
    let (s, _) = manager
        .post(&format!("{doc}/retire"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 409, "not while a version waits");
    let (s, _) = manager
        .post(&format!("{doc}/versions/2/approve"), &json!({"version": 3}))
        .await;
    assert_eq!(s, 200);
    let (_, vs) = viewer.get(&format!("{doc}/versions")).await;
    let statuses: Vec<&str> = vs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "superseded"]);

    // Downloads.
    let r = viewer
        .request(
            reqwest::Method::GET,
            &format!("{doc}/versions/2/download?format=md"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let md = r.text().await.unwrap();
    assert!(
        md.contains("DOC-001") && md.contains("Reviewed every quarter."),
        "{md}"
    );
    let r = viewer
        .request(
            reqwest::Method::GET,
            &format!("{doc}/versions/2/download?format=pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    // Retire: a record; nothing changes any more.
    let (_, d) = writer.get(&doc).await;
    let (s, d) = manager
        .post(&format!("{doc}/retire"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "retired");
    assert!(d["next_review_on"].is_null());
    let (s, _) = writer
        .patch(&doc, &json!({"title": "Renamed", "version": d["version"]}))
        .await;
    assert_eq!(s, 409);
    let (s, _) = writer.post(&format!("{doc}/versions"), &json!({})).await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn only_the_named_approver_or_an_admin_approves() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let admin = t.login(f.email(Role::Admin)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (s, m) = admin
        .post(
            "/api/v1/orgs/acme/members",
            &json!({"email": "ciso@acme.test", "name": "Cleo Iso", "role": "isms_manager", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let ciso_id = m["user_id"].as_str().unwrap().to_owned();
    let ciso = t.login("ciso@acme.test").await;
    let mut docs = Vec::new();
    for title in ["Crypto standard", "Backup standard"] {
        let (s, d) = manager
            .post(
                BASE,
                &json!({"title": title, "kind": "standard", "approver_id": ciso_id,
                        "content": "# Rules\n"}),
            )
            .await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(d["approver_name"], "Cleo Iso");
        let doc = format!("{BASE}/{}", d["id"].as_str().unwrap());
        let (s, _) = manager
            .post(&format!("{doc}/versions/1/submit"), &json!({"version": 1}))
            .await;
        assert_eq!(s, 200);
        docs.push(doc);
    }
    // Another ISMS manager may not decide.
    for step in ["approve", "reject"] {
        let (s, p) = manager
            .post(
                &format!("{}/versions/1/{step}", docs[0]),
                &json!({"version": 2, "comment": "no"}),
            )
            .await;
        assert_eq!(s, 403, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("only that person"));
    }
    let (_, v) = manager.get(&format!("{}/versions/1", docs[0])).await;
    assert_eq!(v["status"], "in_review", "nothing changed");
    // The named approver and an administrator may.
    let (s, v) = ciso
        .post(
            &format!("{}/versions/1/approve", docs[0]),
            &json!({"version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["decided_by"], "Cleo Iso");
    let (s, _) = admin
        .post(
            &format!("{}/versions/1/approve", docs[1]),
            &json!({"version": 2}),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn the_register_filters_pages_flags_overdue_reviews_and_keeps_organisations_apart() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let mut ids = Vec::new();
    for (tpl, approve) in [
        ("information-security-policy", true),
        ("internal-audit", true),
        ("incident-management", false),
        ("document-control", false),
    ] {
        let (s, d) = manager.post(BASE, &json!({"template": tpl})).await;
        assert_eq!(s, 201, "{d}");
        let doc = format!("{BASE}/{}", d["id"].as_str().unwrap());
        if approve {
            manager
                .post(&format!("{doc}/versions/1/submit"), &json!({"version": 1}))
                .await;
            let (s, _) = manager
                .post(&format!("{doc}/versions/1/approve"), &json!({"version": 2}))
                .await;
            assert_eq!(s, 200);
        }
        ids.push(d["id"].as_str().unwrap().to_owned());
    }
    let refs = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, p) = manager.get(&format!("{BASE}?kind=procedure")).await;
    assert_eq!(refs(&p), ["DOC-002", "DOC-003", "DOC-004"]);
    let (_, p) = manager.get(&format!("{BASE}?status=approved")).await;
    assert_eq!(refs(&p), ["DOC-001", "DOC-002"]);
    let (_, p) = manager.get(&format!("{BASE}?control=A.5.26")).await;
    assert_eq!(refs(&p), ["DOC-003"]);
    let (_, p) = manager.get(&format!("{BASE}?clause=9.2")).await;
    assert_eq!(refs(&p), ["DOC-002"]);
    let (_, p) = manager
        .get(&format!("{BASE}?owner_id={}", f.user_id(Role::IsmsManager)))
        .await;
    assert_eq!(refs(&p).len(), 4);
    let (_, p1) = manager.get(&format!("{BASE}?limit=3")).await;
    assert_eq!(refs(&p1), ["DOC-001", "DOC-002", "DOC-003"]);
    let (_, p2) = manager
        .get(&format!(
            "{BASE}?limit=3&cursor={}",
            p1["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(refs(&p2), ["DOC-004"]);
    assert!(p2["next_cursor"].is_null());
    let (s, p) = manager
        .get(&format!(
            "{BASE}?kind=memo&control=9.99&clause=12&cursor=!!"
        ))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["cursor", "kind", "control", "clause"]);
    let (_, p) = manager.get(&format!("{BASE}?overdue=true")).await;
    assert_eq!(refs(&p), Vec::<String>::new());

    // For the control page and the SoA.
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let linked = t.app.documents_for_control(&ctx, "A.5.1").await.unwrap();
    assert_eq!(
        linked
            .iter()
            .map(|d| d.reference.as_str())
            .collect::<Vec<_>>(),
        ["DOC-001"]
    );
    let linked = t.app.documents_for_clause(&ctx, "9.2").await.unwrap();
    assert_eq!(linked[0].reference, "DOC-002");

    // Links: bad entries named; own controls must exist.
    let doc4 = format!("{BASE}/{}", ids[3]);
    let (_, d4) = manager.get(&doc4).await;
    let (s, p) = manager
        .send(
            reqwest::Method::PUT,
            &format!("{doc4}/links"),
            Some(&json!({"clauses": ["7.5", "99"], "controls": ["5.37", "NW-09"], "version": d4["version"]})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["clauses[1]"]);
    let (s, p) = manager
        .send(
            reqwest::Method::PUT,
            &format!("{doc4}/links"),
            Some(&json!({"clauses": ["7.5"], "controls": ["5.37", "NW-09"], "version": d4["version"]})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["controls[1]"]);
    let (s, d) = manager
        .send(
            reqwest::Method::PUT,
            &format!("{doc4}/links"),
            Some(&json!({"clauses": ["7.5.3", "7.5"], "controls": ["a.5.37"], "version": d4["version"]})),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["clauses"], json!(["7.5", "7.5.3"]));
    assert_eq!(d["controls"], json!(["5.37"]));

    // A year and more later the approved ones are overdue.
    t.clock.advance_days(400);
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let (_, p) = manager.get(&format!("{BASE}?overdue=true")).await;
    assert_eq!(refs(&p), ["DOC-001", "DOC-002"]);
    assert_eq!(p["items"][0]["review_overdue"], true);

    // Other organisations: not found, and their list is empty.
    let doc1 = format!("{BASE}/{}", ids[0]);
    for path in [
        doc1.clone(),
        format!("{doc1}/versions"),
        format!("{doc1}/versions/1"),
    ] {
        let (s, _) = outsider.get(&path).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = outsider
        .patch(
            &format!("{doc1}/versions/1"),
            &json!({"content": "x", "version": 1}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .get(&format!("/api/v1/orgs/other/documents/{}", ids[0]))
        .await;
    assert_eq!(s, 404, "not through their own organisation either");
    let (_, theirs) = outsider.get("/api/v1/orgs/other/documents").await;
    assert_eq!(theirs["items"], json!([]));
    // Delete while never approved.
    let (s, _) = manager.delete(&doc4).await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn the_register_export_escapes_formulas() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (s, _) = manager
        .post(
            BASE,
            &json!({"title": "=HYPERLINK(\"https://evil.example\",\"x\")", "kind": "record"}),
        )
        .await;
    assert_eq!(s, 201);
    let r = manager
        .request(reqwest::Method::GET, &format!("{BASE}/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("reference,title,kind,status"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
    let r = manager
        .request(reqwest::Method::GET, &format!("{BASE}/export?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let (s, p) = manager.get(&format!("{BASE}/export?format=pdf")).await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["format".to_owned()]));
}

#[tokio::test]
async fn the_demo_register_shows_every_state_and_loads_once() {
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    t.app.load_demo(Some("northwind")).await.unwrap();
    let ctx = t.app.org_for_cli("northwind").await.unwrap();
    let docs = t.app.all_documents(&ctx).await.unwrap();
    assert_eq!(
        docs.len(),
        14,
        "thirteen templates and one retired document, once"
    );
    let count = |s: &str| docs.iter().filter(|d| d.status == s).count();
    assert_eq!(count("retired"), 1);
    assert_eq!(count("in_review"), 1);
    assert_eq!(
        count("draft"),
        2,
        "one plain draft, one rejected and redrafted"
    );
    assert!(count("approved") >= 9);
    assert_eq!(docs.iter().filter(|d| d.review_overdue).count(), 2);
    assert!(docs.iter().filter(|d| d.current_version == Some(2)).count() >= 2);
    let redrafted = docs
        .iter()
        .find(|d| d.template_key.as_deref() == Some("incident-management"))
        .unwrap();
    let v = t
        .app
        .get_document_version(&ctx, redrafted.id, 1)
        .await
        .unwrap();
    assert_eq!(v.status, "draft");
    assert!(v.decision_comment.contains("reporting channel"));
    let linked = t.app.documents_for_control(&ctx, "NW-01").await.unwrap();
    assert_eq!(linked.len(), 1);
    for r in t.app.verify_all_audit(Some("northwind")).await.unwrap() {
        assert!(r.ok, "{:?}", r.problem);
    }
}

#[tokio::test]
async fn a_version_can_carry_an_attached_file_instead_of_markdown() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (_, d) = manager
        .post(
            BASE,
            &json!({"title": "Signed NDA template", "kind": "record"}),
        )
        .await;
    let doc = format!("{BASE}/{}", d["id"].as_str().unwrap());
    let upload = |number: i64, version: &str, name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("version", version.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        manager
            .request(
                reqwest::Method::POST,
                &format!("{doc}/versions/{number}/file"),
            )
            .multipart(form)
    };
    let pdf = b"%PDF-1.4\n% signed NDA\n".to_vec();
    let r = upload(1, "1", "../../etc/NDA \u{202e}fdp.exe", pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["file"]["content_type"], "application/pdf");
    assert_eq!(v["file"]["size"], pdf.len());
    let name = v["file"]["name"].as_str().unwrap();
    assert!(!name.contains('/') && !name.contains('\u{202e}'), "{name}");
    assert_eq!(v["content"], "");
    // Stale version: 409 and nothing changes.
    let r = upload(1, "1", "other.pdf", b"%PDF-1.4 other".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = manager
        .request(reqwest::Method::GET, &format!("{doc}/versions/1/file"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Approved: frozen, no new file.
    manager
        .post(&format!("{doc}/versions/1/submit"), &json!({"version": 2}))
        .await;
    let (s, _) = manager
        .post(&format!("{doc}/versions/1/approve"), &json!({"version": 3}))
        .await;
    assert_eq!(s, 200);
    let r = upload(1, "4", "later.pdf", b"%PDF-1.4 later".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // A new version starts with the same file.
    let (s, v2) = manager.post(&format!("{doc}/versions"), &json!({})).await;
    assert_eq!(s, 201);
    assert_eq!(v2["file"]["sha256"], v["file"]["sha256"]);
    // Without a file: 422 naming it; JSON instead of multipart: 415.
    let form = reqwest::multipart::Form::new().text("version", "1");
    let r = manager
        .request(reqwest::Method::POST, &format!("{doc}/versions/2/file"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let (s, _) = manager
        .post(&format!("{doc}/versions/2/file"), &json!({"version": 1}))
        .await;
    assert_eq!(s, 415);
}
