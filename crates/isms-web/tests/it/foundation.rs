//! The ISMS foundation records (clauses 4–6) through the API.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

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

fn scope_content() -> Value {
    json!({
        "statement": "Development and operation of the Acme platform.",
        "units": ["Engineering", "Operations"],
        "locations": ["London office"],
        "systems": ["Acme platform"],
        "interfaces": [{"what": "Hosting", "party": "Cloud provider", "description": "IaaS"}],
        "exclusions": [{"what": "Sales office in Paris", "justification": "No access to customer data"}]
    })
}

#[tokio::test]
async fn foundation_scope_versions_approval_frozen_diff_and_document() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let list = "/api/v1/orgs/acme/scope-versions";
    let (s, d) = contributor
        .post(list, &json!({"change_note": "First scope"}))
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(
        (d["number"].as_i64(), d["status"].as_str()),
        (Some(1), Some("draft"))
    );
    assert_eq!(
        contributor.post(list, &json!({})).await.0,
        409,
        "one draft at a time"
    );
    assert_eq!(viewer.post(list, &json!({})).await.0, 403);
    let one = format!("{list}/{}", d["id"].as_str().unwrap());

    // An exclusion without justification: 422 naming it, nothing saved.
    let mut bad = scope_content();
    bad["exclusions"][0]["justification"] = json!(" ");
    let (s, p) = contributor
        .patch(&one, &json!({"content": bad, "version": d["version"]}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["exclusions[0].justification"]);
    assert_eq!(contributor.get(&one).await.1["version"], d["version"]);

    // Approving an empty draft names what is missing.
    let (s, p) = manager
        .post(&format!("{one}/approve"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["statement", "units"]);

    let (s, d2) = contributor
        .patch(
            &one,
            &json!({"content": scope_content(), "version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{d2}");
    let (s, _) = contributor
        .patch(
            &one,
            &json!({"change_note": "stale", "version": d["version"]}),
        )
        .await;
    assert_eq!(s, 409, "stale version");
    assert_eq!(
        contributor
            .post(
                &format!("{one}/approve"),
                &json!({"version": d2["version"]})
            )
            .await
            .0,
        403
    );
    let (s, a) = manager
        .post(
            &format!("{one}/approve"),
            &json!({"version": d2["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "approved");
    assert!(a["approved_by"].is_string() && a["approved_at"].is_string());

    // Frozen: edits and deletion refused with a reason.
    let (s, p) = contributor
        .patch(
            &one,
            &json!({"change_note": "late", "version": a["version"]}),
        )
        .await;
    assert_eq!(s, 409);
    assert!(p["detail"].as_str().unwrap().contains("frozen"), "{p}");
    assert_eq!(contributor.delete(&one).await.0, 409);

    // A new draft starts from the version in force; approving it supersedes version 1.
    let (s, v2) = contributor
        .post(list, &json!({"change_note": "Leeds"}))
        .await;
    assert_eq!(s, 201);
    assert_eq!(v2["based_on"], "version 1");
    assert_eq!(v2["content"]["units"], json!(["Engineering", "Operations"]));
    let two = format!("{list}/{}", v2["id"].as_str().unwrap());
    let mut c2 = scope_content();
    c2["locations"] = json!(["London office", "Leeds data centre"]);
    c2["exclusions"] = json!([]);
    let (_, v2) = contributor
        .patch(&two, &json!({"content": c2, "version": v2["version"]}))
        .await;
    let (s, cmp) = contributor
        .get(&format!(
            "{list}/compare?from={}&to={}",
            d["id"].as_str().unwrap(),
            v2["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200, "{cmp}");
    let changed: Vec<&str> = cmp["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["locations", "exclusions"]);
    assert_eq!(cmp["changes"][0]["added"], json!(["Leeds data centre"]));
    let (s, p) = contributor
        .get(&format!(
            "{list}/compare?from=nope&to={}",
            v2["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 422, "{p}");
    let (_, a2) = manager
        .post(
            &format!("{two}/approve"),
            &json!({"version": v2["version"]}),
        )
        .await;
    assert_eq!(a2["status"], "approved");
    let (_, all) = viewer.get(&format!("{list}?limit=1")).await;
    assert_eq!(all["items"][0]["number"], 2);
    let (_, rest) = viewer
        .get(&format!(
            "{list}?limit=1&cursor={}",
            all["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(rest["items"][0]["status"], "superseded");

    // The scope document: Markdown and PDF read back.
    let md = contributor
        .request(Method::GET, &format!("{one}/document?format=md"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        md.starts_with("# Scope of the information security management system"),
        "{md}"
    );
    assert!(
        md.contains("Sales office in Paris — reason: No access to customer data"),
        "{md}"
    );
    let res = contributor
        .request(Method::GET, &format!("{two}/document?format=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.unwrap();
    let text = pdf_extract::extract_text_from_mem_by_pages(&pdf)
        .unwrap()
        .join("\n");
    assert!(text.contains("Leeds data centre"), "{text}");
    let (s, p) = contributor
        .get(&format!("{two}/document?format=xlsx"))
        .await;
    assert_eq!(s, 422, "{p}");

    // History in the audit trail; another organisation sees nothing.
    let (_, trail) = manager
        .get("/api/v1/orgs/acme/audit-trail?entity=scope_version")
        .await;
    let summaries: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("changed locations and sites, exclusions")),
        "{summaries:?}"
    );
    let other = t.org_with_roles("other").await;
    let o = t.login(other.email(Role::Admin)).await;
    assert_eq!(o.get(&two).await.0, 404);
    let id = v2["id"].as_str().unwrap();
    assert_eq!(
        o.get(&format!("/api/v1/orgs/other/scope-versions/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        o.patch(
            &format!("/api/v1/orgs/other/scope-versions/{id}"),
            &json!({"version": 1})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn foundation_policy_needs_both_commitments() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let list = "/api/v1/orgs/acme/policy-versions";
    let (_, d) = manager.post(list, &json!({})).await;
    let one = format!("{list}/{}", d["id"].as_str().unwrap());
    let (s, d) = manager
        .patch(
            &one,
            &json!({"version": d["version"], "content": {
                "text": "We protect the information our customers trust us with.",
                "objectives_framework": "Objectives are set each year in the management review.",
                "commits_to_requirements": true}}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let (s, p) = manager
        .post(&format!("{one}/approve"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["commits_to_improvement"]);
    let mut c = d["content"].clone();
    c["commits_to_improvement"] = json!(true);
    let (_, d) = manager
        .patch(&one, &json!({"version": d["version"], "content": c}))
        .await;
    let (s, a) = manager
        .post(&format!("{one}/approve"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "approved");
}

#[tokio::test]
async fn foundation_registers_issues_parties_roles_objectives() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let base = "/api/v1/orgs/acme";

    // The overview starts with everything missing.
    let (s, o) = viewer.get(&format!("{base}/isms-foundation")).await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["climate"]["answer"], "not_determined");
    assert!(o["gaps"].as_array().unwrap().len() >= 7);

    // Issues: category must fit the kind; climate relevance needs a note.
    let issues = format!("{base}/issues");
    let (s, p) = contributor
        .post(
            &issues,
            &json!({"kind": "internal", "category": "legal", "title": "x"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["category"]);
    let (s, p) = contributor
        .post(&issues, &json!({"kind": "external", "category": "environmental", "title": "Heat waves", "climate_relevant": true}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["climate_note"]);
    let (s, i) = contributor
        .post(&issues, &json!({"kind": "external", "category": "environmental", "title": "Heat waves",
            "climate_relevant": true, "climate_note": "Cooling at the data centre", "review_on": "2027-03-01"}))
        .await;
    assert_eq!(s, 201, "{i}");
    assert_eq!(i["reference"], "I-001");
    let (_, _) = contributor
        .post(
            &issues,
            &json!({"kind": "internal", "category": "people", "title": "Small team"}),
        )
        .await;
    let (_, ext) = viewer.get(&format!("{issues}?kind=external")).await;
    assert_eq!(ext["items"].as_array().unwrap().len(), 1);
    assert_eq!(viewer.get(&format!("{issues}?kind=sideways")).await.0, 422);
    let (_, pg) = viewer.get(&format!("{issues}?limit=1")).await;
    let (_, pg2) = viewer
        .get(&format!(
            "{issues}?limit=1&cursor={}",
            pg["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(pg2["items"][0]["reference"], "I-002");
    let one = format!("{issues}/{}", i["id"].as_str().unwrap());
    let mut body = i.clone();
    for k in [
        "id",
        "number",
        "reference",
        "person_name",
        "approved_by",
        "approved_at",
        "created_at",
        "updated_at",
    ] {
        body.as_object_mut().unwrap().remove(k);
    }
    body["effect"] = json!("Outages in summer");
    let (s, i2) = contributor.patch(&one, &body).await;
    assert_eq!(s, 200, "{i2}");
    assert_eq!(contributor.patch(&one, &body).await.0, 409, "stale version");
    assert_eq!(viewer.patch(&one, &body).await.0, 403);

    // Parties with requirements: addressed ones need "how".
    let parties = format!("{base}/interested-parties");
    let (s, p) = contributor
        .post(
            &parties,
            &json!({"name": "Customers", "kind": "customer", "requirements": [
            {"text": "ISO 27001 certificate", "source": "contractual", "addressed": true}]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["requirements[0].how"]);
    let (s, party) = contributor
        .post(
            &parties,
            &json!({"name": "Customers", "kind": "customer", "requirements": [
            {"text": "ISO 27001 certificate", "source": "contractual", "reference": "MSA 12.3",
             "addressed": true, "how": "Certification of the platform"}]}),
        )
        .await;
    assert_eq!(s, 201, "{party}");
    assert_eq!(party["requirements"][0]["reference"], "MSA 12.3");

    // Roles: the person must be a current member of this organisation.
    let roles = format!("{base}/roles");
    let other = t.org_with_roles("other").await;
    let (s, p) = contributor
        .post(
            &roles,
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
            "person_id": other.user_id(Role::Admin)}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["person_id"]);
    let (s, p) = contributor
        .post(
            &roles,
            &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["person_id"]);
    let (s, role) = contributor
        .post(&roles, &json!({"title": "ISMS manager", "responsibilities": "Runs the ISMS",
            "person_id": f.user_id(Role::IsmsManager), "ensures_conformity": true, "reports_performance": true}))
        .await;
    assert_eq!(s, 201, "{role}");
    assert!(role["person_name"].is_string());
    let (_, by_person) = viewer
        .get(&format!(
            "{roles}?person_id={}",
            f.user_id(Role::IsmsManager)
        ))
        .await;
    assert_eq!(by_person["items"].as_array().unwrap().len(), 1);

    // Objectives: approval needs an owner, a target, a metric and a due date; changing the
    // approved target sends it back for approval.
    let objectives = format!("{base}/objectives");
    let (s, o1) = contributor
        .post(&objectives, &json!({"title": "Train all staff"}))
        .await;
    assert_eq!(s, 201, "{o1}");
    assert_eq!(o1["status"], "draft");
    let oid = format!("{objectives}/{}", o1["id"].as_str().unwrap());
    let (s, p) = manager
        .post(
            &format!("{oid}/approve"),
            &json!({"version": o1["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["owner_id", "target", "metric", "due_on"]);
    let full = json!({"title": "Train all staff", "owner_id": f.user_id(Role::Contributor),
        "target": "95% of staff trained", "target_value": 95.0, "target_unit": "%",
        "due_on": "2027-06-30", "metric": "Share of staff with current training",
        "metric_method": "LMS report", "metric_frequency": "monthly", "status": "draft",
        "policy_link": "Awareness", "version": o1["version"]});
    let (s, o2) = contributor.patch(&oid, &full).await;
    assert_eq!(s, 200, "{o2}");
    let mut approve_via_patch = full.clone();
    approve_via_patch["status"] = json!("approved");
    approve_via_patch["version"] = o2["version"].clone();
    let (s, p) = contributor.patch(&oid, &approve_via_patch).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["status"]);
    assert_eq!(
        contributor
            .post(
                &format!("{oid}/approve"),
                &json!({"version": o2["version"]})
            )
            .await
            .0,
        403
    );
    let (s, o3) = manager
        .post(
            &format!("{oid}/approve"),
            &json!({"version": o2["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{o3}");
    assert_eq!(o3["status"], "approved");
    assert!(o3["approved_by"].is_string());
    let mut changed = full.clone();
    changed["status"] = json!("approved");
    changed["target_value"] = json!(99.0);
    changed["version"] = o3["version"].clone();
    let (s, o4) = contributor.patch(&oid, &changed).await;
    assert_eq!(s, 200, "{o4}");
    assert_eq!(o4["status"], "draft", "needs approval again");
    assert!(o4["approved_by"].is_null());
    let (_, trail) = manager
        .get(&format!("{base}/audit-trail?entity=objective"))
        .await;
    let summaries: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.iter().any(|s| s.contains("needs approval again")),
        "{summaries:?}"
    );
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("approved objective O-001")),
        "{summaries:?}"
    );
    let (_, drafts) = viewer.get(&format!("{objectives}?kind=draft")).await;
    assert_eq!(drafts["items"].as_array().unwrap().len(), 1);
    let (_, approved) = viewer.get(&format!("{objectives}?status=approved")).await;
    assert_eq!(approved["items"], json!([]));
    assert_eq!(
        viewer.get(&format!("{objectives}?status=done")).await.0,
        422
    );

    // The overview now shows the climate determination and fewer gaps.
    let (_, o) = viewer.get(&format!("{base}/isms-foundation")).await;
    assert_eq!(o["climate"]["answer"], "relevant", "{o}");
    let clauses: Vec<&str> = o["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["clause"].as_str().unwrap())
        .collect();
    assert!(
        !clauses.contains(&"5.3") && !clauses.contains(&"4.2"),
        "{clauses:?}"
    );

    // Another organisation's ids are not found, and deleting works.
    let o = t.login(other.email(Role::Admin)).await;
    let iid = i["id"].as_str().unwrap();
    assert_eq!(
        o.get(&format!("/api/v1/orgs/other/issues/{iid}")).await.0,
        404
    );
    assert_eq!(
        o.delete(&format!("/api/v1/orgs/other/issues/{iid}"))
            .await
            .0,
        404
    );
    assert_eq!(contributor.delete(&one).await.0, 204);
    assert_eq!(contributor.get(&one).await.0, 404);
}

#[tokio::test]
async fn foundation_bad_input_is_4xx_never_500() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let base = "/api/v1/orgs/acme";
    let (_, i) = c
        .post(
            &format!("{base}/issues"),
            &json!({"kind": "internal", "category": "people", "title": "x"}),
        )
        .await;
    let one = format!("{base}/issues/{}", i["id"].as_str().unwrap());
    for (path, body) in [
        (
            format!("{base}/issues"),
            json!({"kind": "internal", "category": "people", "title": "x", "bogus": 1}),
        ),
        (
            format!("{base}/issues"),
            json!({"kind": 3, "category": "people", "title": "x"}),
        ),
        (
            format!("{base}/issues"),
            json!({"kind": "internal", "category": "people", "title": "x", "review_on": "tomorrow"}),
        ),
        (
            format!("{base}/roles"),
            json!({"title": "x", "responsibilities": "y", "person_id": "not-a-uuid"}),
        ),
        (
            format!("{base}/objectives"),
            json!({"title": "x", "target_value": "lots"}),
        ),
        (
            format!("{base}/interested-parties"),
            json!({"name": "x", "kind": "customer", "requirements": [{"text": "t"}]}),
        ),
    ] {
        let (s, p) = c.post(&path, &body).await;
        assert_eq!(s, 422, "{path} {body} -> {p}");
    }
    for body in [
        json!({"kind": "internal", "category": "people", "title": "x"}),
        json!({"version": 1, "kind": "internal", "category": "people", "title": "x", "bogus": 1}),
        json!({"version": "one", "kind": "internal", "category": "people", "title": "x"}),
    ] {
        let (s, p) = c.patch(&one, &body).await;
        assert_eq!(s, 422, "{body} -> {p}");
    }
    let (_, d) = c.post(&format!("{base}/scope-versions"), &json!({})).await;
    let doc = format!("{base}/scope-versions/{}", d["id"].as_str().unwrap());
    let (s, _) = c
        .patch(
            &doc,
            &json!({"version": 1, "content": {"units": "Engineering"}}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = c
        .patch(
            &doc,
            &json!({"version": 1, "content": {"exclusions": [{"what": "x", "why": "y"}]}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(c.get(&format!("{base}/scope-versions/nope")).await.0, 404);
    assert_eq!(c.get(&format!("{base}/issues?cursor=%%%")).await.0, 422);
    assert_eq!(
        c.get(&format!("{base}/scope-versions?cursor=bm9wZQ"))
            .await
            .0,
        422
    );
}
