//! The Statement of Applicability through the API.

use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use serde_json::{Value, json};

const SOA: &str = "/api/v1/orgs/acme/soa";

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

async fn entry(c: &Client, n: i64, control: &str) -> Value {
    let (s, e) = c.get(&format!("{SOA}/{n}/entries/{control}")).await;
    assert_eq!(s, 200, "{e}");
    e["entry"].clone()
}

async fn decide(c: &Client, n: i64, control: &str, body: Value) -> (u16, Value) {
    let e = entry(c, n, control).await;
    let mut b = body;
    b["version"] = e["version"].clone();
    let (s, r) = c.patch(&format!("{SOA}/{n}/entries/{control}"), &b).await;
    (s.as_u16(), r)
}

/// Decide every control still undecided as applicable with a note.
pub async fn decide_all(c: &Client, n: i64) {
    let (_, d) = c.get(&format!("{SOA}/{n}?show=undecided")).await;
    for e in d["entries"].as_array().unwrap() {
        let control = e["control"].as_str().unwrap();
        let (s, r) = c
            .patch(
                &format!("{SOA}/{n}/entries/{control}"),
                &json!({"applicable": "yes", "inclusion_note": "Baseline for a SaaS provider", "version": e["version"]}),
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
}

async fn approved_method(c: &Client) {
    let (_, d) = c
        .post("/api/v1/orgs/acme/risk-methods", &json!({"preset": "5x5"}))
        .await;
    let (s, r) = c
        .post(
            &format!(
                "/api/v1/orgs/acme/risk-methods/{}/approve",
                d["id"].as_str().unwrap()
            ),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

#[tokio::test]
async fn soa_versions_decisions_approval_and_freezing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;

    // A draft with every control undecided.
    let (s, v) = contributor
        .post(SOA, &json!({"change_note": "First SoA"}))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["number"], 1);
    assert_eq!(v["status"], "draft");
    assert_eq!(v["based_on"], "new");
    let (s, p) = contributor.post(SOA, &json!({})).await;
    assert_eq!(s, 409, "one draft at a time: {p}");
    let (_, d) = viewer.get(&format!("{SOA}/1")).await;
    assert_eq!(d["entries"].as_array().unwrap().len(), 93);
    assert_eq!(d["completeness"]["undecided"].as_array().unwrap().len(), 93);
    assert_eq!(d["entries"][0]["control"], "5.1");
    assert_eq!(d["entries"][0]["applicable"], "undecided");

    // Not applicable without a justification is refused, naming the field.
    let (s, p) = decide(&contributor, 1, "7.4", json!({"applicable": "no"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["exclusion_justification"]);
    assert_eq!(
        entry(&contributor, 1, "7.4").await["applicable"],
        "undecided"
    );
    let (s, p) = decide(&contributor, 1, "7.4", json!({"applicable": "perhaps"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["applicable"]);
    let (s, r) = decide(
        &contributor,
        1,
        "A.7.4",
        json!({"applicable": "no", "exclusion_justification": "No own premises: staff work remotely"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["applicable"], "no");
    assert!(r["gap"].is_null());
    // A stale entry version is 409 and changes nothing.
    let (s, p) = contributor
        .patch(
            &format!("{SOA}/1/entries/7.4"),
            &json!({"applicable": "yes", "version": 1}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(entry(&contributor, 1, "7.4").await["applicable"], "no");
    // Unknown controls and versions are not found; so is everything from another org.
    assert_eq!(
        contributor.get(&format!("{SOA}/1/entries/9.99")).await.0,
        404
    );
    assert_eq!(contributor.get(&format!("{SOA}/7")).await.0, 404);
    assert_eq!(contributor.get(&format!("{SOA}/x")).await.0, 404);
    assert_eq!(outsider.get(&format!("{SOA}/1")).await.0, 404);
    let (s, _) = outsider
        .patch(
            &format!("{SOA}/1/entries/7.4"),
            &json!({"applicable": "yes", "version": 2}),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(outsider.get("/api/v1/orgs/other/soa/1").await.0, 404);
    // Viewers read but cannot change.
    let (s, _) = decide(&viewer, 1, "5.1", json!({"applicable": "yes"})).await;
    assert_eq!(s, 403);

    // Derived reasons: a risk treated by 8.24 and a requirement naming it.
    approved_method(&manager).await;
    let (s, risk) = manager
        .post(
            "/api/v1/orgs/acme/risks",
            &json!({"title": "Customer data read in transit", "inherent_likelihood": 3,
                    "inherent_impact": 4, "controls": ["8.24", "5.14"]}),
        )
        .await;
    assert_eq!(s, 201, "{risk}");
    let (s, party) = manager
        .post(
            "/api/v1/orgs/acme/interested-parties",
            &json!({"name": "Acme Bank", "kind": "customer", "requirements": [
                {"text": "Encrypt customer data", "source": "contractual", "reference": "MSA §9.2",
                 "controls": ["A.8.24", "5.34"]},
                {"text": "Security of processing", "source": "legal", "reference": "UK GDPR Art. 32",
                 "controls": ["5.34"]}]}),
        )
        .await;
    assert_eq!(s, 201, "{party}");
    let (s, p) = manager
        .post(
            "/api/v1/orgs/acme/interested-parties",
            &json!({"name": "Bad", "kind": "customer", "requirements": [
                {"text": "x", "source": "legal", "controls": ["NW-01"]}]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["requirements[0].controls[0]"]);
    let e = entry(&viewer, 1, "8.24").await;
    let texts: Vec<&str> = e["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "treats risk R-001: Customer data read in transit",
            "required by Acme Bank (contractual: MSA §9.2)"
        ]
    );
    assert_eq!(
        e["reasons"][0]["link"],
        format!("/o/acme/risks/{}", risk["id"].as_str().unwrap())
    );
    let e = entry(&viewer, 1, "5.34").await;
    assert_eq!(
        e["reasons"][1]["text"],
        "required by law: UK GDPR Art. 32 (Acme Bank)"
    );

    // Approval: refused with undecided controls, naming them; viewers may not approve.
    let (_, d) = manager.get(&format!("{SOA}/1")).await;
    let (s, p) = viewer
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 403, "{p}");
    let (s, p) = contributor
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 403, "contributors cannot approve: {p}");
    let (s, p) = manager
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let f1 = fields(&p);
    assert_eq!(f1.len(), 92);
    assert_eq!(f1[0], "entries[5.1].applicable");
    assert!(f1.contains(&"entries[8.34].applicable".to_owned()));
    assert!(!f1.iter().any(|x| x.contains("7.4")));
    // Applicable without a reason or note blocks approval too; derived reasons suffice.
    decide_all(&contributor, 1).await;
    let (s, _) = decide(&contributor, 1, "8.24", json!({"inclusion_note": ""})).await;
    assert_eq!(s, 200);
    let (s, _) = decide(&contributor, 1, "5.2", json!({"inclusion_note": ""})).await;
    assert_eq!(s, 200);
    let (_, d) = manager.get(&format!("{SOA}/1?show=incomplete")).await;
    let open: Vec<&str> = d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["control"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["5.2"], "8.24 has derived reasons");
    let (s, p) = manager
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["entries[5.2].inclusion_note"]);
    let (s, _) = decide(
        &contributor,
        1,
        "5.2",
        json!({"inclusion_note": "Roles are assigned"}),
    )
    .await;
    assert_eq!(s, 200);
    // A stale SoA version (an entry changed since) is 409.
    let (s, p) = manager
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    let (_, d) = manager.get(&format!("{SOA}/1")).await;
    assert!(d["completeness"]["complete"].as_bool().unwrap());
    let (s, a) = manager
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(a["approved_by"], "ISMS manager of acme");
    assert!(a["approved_at"].as_str().is_some());
    // The audit trail records the approval.
    let (_, trail) = manager
        .get("/api/v1/orgs/acme/audit-trail?entity=soa_version")
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
                    .contains("approved version 1")),
        "{trail}"
    );

    // An approved version cannot change by any route.
    let (s, p) = decide(
        &manager,
        1,
        "5.1",
        json!({"applicable": "no", "exclusion_justification": "x"}),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("approved and frozen")
    );
    assert_eq!(manager.delete(&format!("{SOA}/1")).await.0, 409);
    let (s, _) = manager
        .post(
            &format!("{SOA}/1/approve"),
            &json!({"version": a["version"]}),
        )
        .await;
    assert_eq!(s, 409);
    // Frozen: a risk closed or a requirement removed later does not change version 1.
    let (s, _) = manager
        .delete(&format!(
            "/api/v1/orgs/acme/interested-parties/{}",
            party["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 204);
    let e = entry(&viewer, 1, "8.24").await;
    assert_eq!(e["reasons"].as_array().unwrap().len(), 2, "{e}");

    // Version 2 starts from version 1; the diff shows what changed per control.
    let (s, v2) = manager
        .post(SOA, &json!({"change_note": "Leeds office"}))
        .await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!(v2["based_on"], "version 1");
    assert_eq!(entry(&viewer, 2, "7.4").await["applicable"], "no");
    let (s, _) = decide(
        &manager,
        2,
        "7.4",
        json!({"applicable": "yes", "inclusion_note": "Leeds office is ours"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, diff) = viewer.get(&format!("{SOA}/diff?from=1&to=2")).await;
    assert_eq!(s, 200, "{diff}");
    let changed: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"7.4"), "{diff}");
    assert!(
        changed.contains(&"8.24") && changed.contains(&"5.34"),
        "the requirement is gone from the draft's derived reasons: {diff}"
    );
    let c74 = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "7.4")
        .unwrap();
    assert_eq!(c74["changes"][0]["field"], "applicable");
    assert_eq!(c74["changes"][0]["before"], json!(["Not applicable"]));
    assert_eq!(c74["changes"][0]["after"], json!(["Applicable"]));
    assert_eq!(viewer.get(&format!("{SOA}/diff?from=1&to=9")).await.0, 404);
    let (_, list) = viewer.get(&format!("{SOA}?limit=1")).await;
    assert_eq!(list["items"][0]["number"], 2);
    assert!(list["next_cursor"].as_str().is_some());
    // A draft can be deleted.
    assert_eq!(manager.delete(&format!("{SOA}/2")).await.0, 204);
    assert_eq!(viewer.get(&format!("{SOA}/2")).await.0, 404);
}

#[tokio::test]
async fn soa_exports_escape_formulas_and_carry_the_title_page() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    let (s, _) = c.post(SOA, &json!({})).await;
    assert_eq!(s, 201);
    let (s, _) = decide(
        &c,
        1,
        "5.1",
        json!({"applicable": "yes", "inclusion_note": "=HYPERLINK(\"http://evil\")"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = decide(
        &c,
        1,
        "7.4",
        json!({"applicable": "no", "exclusion_justification": "@SUM(1) no premises"}),
    )
    .await;
    assert_eq!(s, 200);
    let get = |fmt: &str| {
        c.request(
            reqwest::Method::GET,
            &format!("{SOA}/1/export?format={fmt}"),
        )
        .send()
    };
    let r = get("csv").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("acme-soa-v1.csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("Control,Title,Theme,Applicable,"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(1) no premises"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"));
    let md = get("md").await.unwrap().text().await.unwrap();
    assert!(md.contains("Statement of Applicability"));
    assert!(md.contains("| A.7.4 |"));
    let pdf = get("pdf").await.unwrap().bytes().await.unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert!(pages[0].contains("Scope reference"));
    assert!(pages[0].contains(&format!("Page 1 of {}", pages.len())));
    let xlsx = get("xlsx").await.unwrap();
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let (s, p) = c.get(&format!("{SOA}/1/export?format=docx")).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["format"]);
}

#[tokio::test]
async fn soa_import_is_all_or_nothing_maps_2013_and_reports_every_bad_row() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let import = format!("{SOA}/import");
    let several = isms_domain::catalogue::catalogue()
        .controls_2013()
        .iter()
        .find(|x| x.to_2022.len() > 1)
        .unwrap();
    // Bad rows: nothing written (no draft even), every one named by line and field.
    let bad = "Control ID,Applicable,Justification,Exclusion justification\n\
               A.5.1.1,yes,Policy set,\n\
               A.5.1.2,no,,Not needed\n\
               A.9.9.9,yes,,\n\
               5.2,maybe,,\n\
               7.4,no,,\n";
    let (s, p) = c.post(&import, &json!({"content": bad})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        [
            "lines[3].applicable",
            "lines[4].control",
            "lines[5].applicable",
            "lines[6].exclusion_justification"
        ]
    );
    let (_, list) = c.get(SOA).await;
    assert_eq!(list["items"], json!([]), "nothing written");
    // A 2013 SoA: a dry run says what would change and writes nothing.
    let good = format!(
        "Control,Title,Applicable,Justification\n\
         A.5 Information security policies,,,\n\
         A.5.1.1,Policies,Yes,Board policy\n\
         A.{},Several,yes,'=Needed\n\
         A.11.1.1,Physical perimeter,No,No own premises\n",
        several.id
    );
    let (s, r) = c
        .post(&format!("{import}?dry_run=true"), &json!({"content": good}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["new_draft"], true);
    assert_eq!(r["rows"], 3);
    let changed: Vec<&str> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"5.1"));
    for id in &several.to_2022 {
        assert!(changed.contains(&id.as_str()), "{id} from {}", several.id);
    }
    let (_, list) = c.get(SOA).await;
    assert_eq!(list["items"], json!([]), "a dry run writes nothing");
    // Viewers cannot import.
    let (s, _) = viewer.post(&import, &json!({"content": good})).await;
    assert_eq!(s, 403);
    // For real, as a multipart upload.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(good.clone().into_bytes()).file_name("soa-2013.csv"),
    );
    let resp = c
        .request(reqwest::Method::POST, &import)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let r: Value = resp.json().await.unwrap();
    assert_eq!(r["dry_run"], false);
    assert_eq!(r["version"], 1);
    let e = entry(&c, 1, "5.1").await;
    assert_eq!(e["applicable"], "yes");
    assert_eq!(e["inclusion_note"], "Board policy");
    let e = entry(&c, 1, "7.1").await;
    assert_eq!(e["applicable"], "no");
    assert_eq!(e["exclusion_justification"], "No own premises");
    let e = entry(&c, 1, &several.to_2022[0]).await;
    assert_eq!(e["inclusion_note"], "=Needed");
    assert_eq!(entry(&c, 1, "8.34").await["applicable"], "undecided");
    // The same file again changes nothing; a file our export wrote reads back.
    let (s, r) = c.post(&import, &json!({"content": good})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["changes"], json!([]));
    let csv = c
        .request(reqwest::Method::GET, &format!("{SOA}/1/export?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use base64::Engine as _;
    let (s, r) = c
        .post(
            &format!("{import}?dry_run=true"),
            &json!({"format": "xlsx", "content": base64::engine::general_purpose::STANDARD.encode(&csv)}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["changes"],
        json!([]),
        "our own export imports without change"
    );
    // Garbage is a 422 on `file`, never a 500.
    let resp = c
        .request(reqwest::Method::POST, &import)
        .header("content-type", "application/octet-stream")
        .body(vec![0xffu8, 0xfe, 0, 1])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(fields(&p), ["file"]);
}

/// A draft's derived reasons are kept between views of the whole SoA and follow every
/// change: a new risk treated by a control appears at the next view, made through this
/// instance or another one on the same database.
#[tokio::test]
async fn a_drafts_kept_reasons_follow_new_risks() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (s, v) = manager
        .post(SOA, &json!({"change_note": "First SoA"}))
        .await;
    assert_eq!(s, 201, "{v}");
    approved_method(&manager).await;
    let reasons = |d: &Value, control: &str| -> usize {
        d["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["control"] == control)
            .map_or(0, |e| e["reasons"].as_array().map_or(0, Vec::len))
    };
    let (_, before) = manager.get(&format!("{SOA}/1")).await;
    assert_eq!(reasons(&before, "8.24"), 0, "{before}");
    let (_, again) = manager.get(&format!("{SOA}/1")).await;
    assert_eq!(again, before);
    let (s, risk) = manager
        .post(
            "/api/v1/orgs/acme/risks",
            &json!({"title": "Customer data read in transit", "inherent_likelihood": 3,
                    "inherent_impact": 4, "controls": ["8.24"]}),
        )
        .await;
    assert_eq!(s, 201, "{risk}");
    let (_, after) = manager.get(&format!("{SOA}/1")).await;
    assert_eq!(reasons(&after, "8.24"), 1, "{after}");

    let (base2, _h) = t.spawn_sibling().await;
    let other = Client::new(&base2, manager.token.clone());
    let (s, risk) = other
        .post(
            "/api/v1/orgs/acme/risks",
            &json!({"title": "Keys kept in the repository", "inherent_likelihood": 2,
                    "inherent_impact": 4, "controls": ["8.24"]}),
        )
        .await;
    assert_eq!(s, 201, "{risk}");
    let (_, last) = manager.get(&format!("{SOA}/1")).await;
    assert_eq!(reasons(&last, "8.24"), 2, "{last}");
}
