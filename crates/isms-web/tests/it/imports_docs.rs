//! Imports of the document register's entries and of the evidence register's metadata
//! (SQLite, and PostgreSQL when ISMS_TEST_DATABASE_URL is set): round trips, bad rows
//! named by line and field with nothing written, dry runs, other organisations.

use crate::imports::{assert_round_trip, export, fresh_org_like, import, problems};
use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const DOCS: &str = "/api/v1/orgs/acme/documents";
const EVIDENCE: &str = "/api/v1/orgs/acme/evidence";

fn csv_text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap()
}

/// Every `want` field is among the problems, and every message starts with its line.
fn assert_named(p: &Value, wants: &[&str]) {
    let got = problems(p);
    for want in wants {
        assert!(
            got.iter().any(|(f, _)| f == want),
            "{want} missing from {got:?}"
        );
    }
    for (f, m) in &got {
        let line = f.trim_start_matches("lines[").split(']').next().unwrap();
        assert!(m.starts_with(&format!("line {line}:")), "{f}: {m}");
    }
}

async fn items(c: &Client, path: &str) -> Vec<Value> {
    let (s, page) = c.get(&format!("{path}?limit=100")).await;
    assert_eq!(s, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn documents_round_trip_bad_rows_dry_run_and_other_organisations() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let mgr = f.user_id(Role::IsmsManager);
    let (s, d1) = c
        .post(
            DOCS,
            &json!({"title": "=Information security policy", "kind": "policy",
                    "owner_id": mgr, "approver_id": mgr, "classification": "internal",
                    "review_months": 12}),
        )
        .await;
    assert_eq!(s, 201, "{d1}");
    let (s, r) = c
        .put(
            &format!("{DOCS}/{}/links", d1["id"].as_str().unwrap()),
            &json!({"clauses": ["5.2", "7.5"], "controls": ["5.1", "A.5.37"], "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, d2) = c
        .post(
            DOCS,
            &json!({"template": "access-control-policy", "title": "Access control, \"least\" privilege",
                    "classification": "confidential", "review_months": 24}),
        )
        .await;
    assert_eq!(s, 201, "{d2}");
    let (s, d3) = c
        .post(
            DOCS,
            &json!({"title": "Backup procedure", "kind": "procedure",
                    "owner_id": f.user_id(Role::Contributor), "review_months": 6}),
        )
        .await;
    assert_eq!(s, 201, "{d3}");

    // Our CSV and XLSX re-import unchanged; into a fresh organisation with the same
    // people they give the same register (documents from a template start from it again).
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["documents"]).await;
    let fresh = items(&c, "/api/v1/orgs/fresh/documents").await;
    assert_eq!(fresh[1]["template_key"], "access-control-policy");
    assert_eq!(fresh[0]["approver_id"], json!(mgr));
    let (_, v1) = c
        .get(&format!(
            "/api/v1/orgs/fresh/documents/{}/versions/1",
            fresh[1]["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        v1["content"].as_str().unwrap().contains("Fresh fresh"),
        "{v1}"
    );

    // An approved document: its status and versions are records; the entry still
    // re-imports unchanged and its metadata can change by import.
    let doc1 = format!("{DOCS}/{}", d1["id"].as_str().unwrap());
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let (s, v) = c
        .post(&format!("{doc1}/versions/1/submit"), &json!({"version": 1}))
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = manager
        .post(
            &format!("{doc1}/versions/1/approve"),
            &json!({"version": 2}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let csv = csv_text(export(&t, "acme", "documents", "csv").await);
    assert!(csv.contains(",approved,1,"), "{csv}");
    let (s, r) = import(&c, "acme", "documents", false, csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 3, "{r}");

    // Bad rows: each named by line and field, and nothing is written (the good row neither).
    let viewer = f.email(Role::Viewer);
    let bad = format!(
        "reference,title,kind,owner,approver,classification,review_months,clauses,controls,template\n\
         ,Fine row,policy,,,,,,,\n\
         ,,memo,nobody@x.test,,secret,0,,,\n\
         DOC-001,Information security policy,policy,,{viewer},,12,99,9.99,\n\
         DOC-002,Access control,policy,,,,24,,,clear-desk-policy\n\
         ,Templated,policy,,,,x,,,no-such-template\n"
    );
    let before = t.count_rows("documents").await;
    let audit = t.count_rows("audit_entries").await;
    let (s, p) = import(&c, "acme", "documents", false, bad.into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].title",
            "lines[3].kind",
            "lines[3].owner",
            "lines[3].classification",
            "lines[3].review_months",
            "lines[4].approver",
            "lines[5].template",
            "lines[6].review_months",
        ],
    );
    let got = problems(&p);
    assert!(
        got.iter()
            .any(|(f, _)| f.starts_with("lines[4].clauses") || f.starts_with("lines[4].controls")),
        "{got:?}"
    );
    assert_eq!(t.count_rows("documents").await, before, "nothing written");
    assert_eq!(t.count_rows("audit_entries").await, audit);

    // A dry run says what would change and writes nothing; then for real.
    let contributor = f.email(Role::Contributor);
    let edit = format!(
        "reference,title,kind,owner,classification,review_months,clauses,controls\n\
         DOC-001,Information security policy,policy,,restricted,24,5.2,5.1; 8.13\n\
         DOC-003,Backup procedure,procedure,{contributor},internal,6,,\n\
         ,Clear desk rules,standard,{contributor},,,7.5,A.7.7\n"
    );
    let (s, r) = import(&c, "acme", "documents", true, edit.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["DOC-001"]), "{r}");
    assert_eq!(r["created"], json!(["DOC-004"]), "{r}");
    assert_eq!(r["unchanged"], 1, "{r}");
    assert_eq!(t.count_rows("documents").await, before);
    assert_eq!(t.count_rows("audit_entries").await, audit);
    let (s, r) = import(&c, "acme", "documents", false, edit.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    let (_, d) = c.get(&doc1).await;
    assert_eq!(d["title"], "Information security policy");
    assert_eq!(d["classification"], "restricted");
    assert_eq!(d["review_months"], 24);
    assert_eq!(d["owner_id"], Value::Null, "a blank owner clears it");
    assert_eq!(d["clauses"], json!(["5.2"]));
    assert_eq!(d["controls"], json!(["5.1", "8.13"]));
    assert_eq!(d["status"], "approved", "the approval stays");
    let all = items(&c, DOCS).await;
    assert_eq!(all.len(), 4);
    assert_eq!(all[3]["reference"], "DOC-004");
    assert_eq!(all[3]["kind"], "standard");
    assert_eq!(all[3]["owner_id"], json!(f.user_id(Role::Contributor)));
    assert_eq!(all[3]["controls"], json!(["7.7"]));
    // The export after the import re-imports unchanged.
    let again = export(&t, "acme", "documents", "csv").await;
    let (s, r) = import(&c, "acme", "documents", false, again).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 4, "{r}");

    // A retired document's entry is a record: a change to it is a line error.
    let (s, r) = c
        .post(&format!("{doc1}/retire"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, p) = import(
        &c,
        "acme",
        "documents",
        false,
        b"reference,title,kind\nDOC-001,Renamed,policy\n".to_vec(),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_named(&p, &["lines[2].reference"]);

    // Another organisation: its import creates its own records and cannot reach these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let (s, r) = import(&oc, "other", "documents", false, edit.clone().into_bytes()).await;
    assert_eq!(s, 422, "their owner is not a member there: {r}");
    assert_named(&r, &["lines[3].owner", "lines[4].owner"]);
    let theirs = "reference,title,kind\nDOC-001,Their policy,policy\n,Another,plan\n";
    let (s, r) = import(&oc, "other", "documents", false, theirs.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["DOC-001", "DOC-002"]), "{r}");
    let (s, _) = import(&oc, "acme", "documents", true, theirs.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
    assert_eq!(
        items(&c, DOCS).await[0]["title"],
        "Information security policy"
    );
}

async fn upload(c: &Client, fields: &[(&str, &str)], bytes: Vec<u8>) -> Value {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part("file", Part::bytes(bytes).file_name("review.pdf"));
    let r = c
        .request(Method::POST, EVIDENCE)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn evidence_metadata_round_trips_files_are_uploaded_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let mgr = f.user_id(Role::IsmsManager);
    for body in [
        json!({"title": "Backup ticket OPS-7", "url": "https://tickets.example.com/OPS-7",
               "description": "=restore test; monthly", "collected_by": mgr,
               "collected_on": "2026-10-05", "period_from": "2026-07-01",
               "period_to": "2026-09-30", "valid_until": "2027-01-05",
               "links": [{"kind": "control", "reference": "8.13"},
                         {"kind": "clause", "reference": "9.1"}]}),
        json!({"title": "Access review minutes", "url": "https://wiki.example.com/ar",
               "collected_on": "2026-09-01"}),
    ] {
        let (s, e) = c.post(EVIDENCE, &body).await;
        assert_eq!(s, 201, "{e}");
    }

    // Links re-import unchanged and build the same register in a fresh organisation.
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["evidence"]).await;

    // A file's metadata re-imports unchanged and can change; its bytes cannot.
    let pdf = b"%PDF-1.4\n% access review\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n".to_vec();
    let file = upload(
        &c,
        &[
            ("title", "Quarterly access review Q3"),
            ("collected_on", "2026-10-05"),
            ("controls", "5.15"),
        ],
        pdf,
    )
    .await;
    assert_eq!(file["reference"], "EV-0003");
    let sha = file["file"]["sha256"].clone();
    for fmt in ["csv", "xlsx"] {
        let bytes = export(&t, "acme", "evidence", fmt).await;
        let (s, r) = import(&c, "acme", "evidence", false, bytes).await;
        assert_eq!(s, 200, "{fmt}: {r}");
        assert_eq!(r["unchanged"], 3, "{fmt}: {r}");
    }
    let csv = csv_text(export(&t, "acme", "evidence", "csv").await);
    let row3 = csv.lines().nth(3).unwrap().to_owned();
    assert!(row3.starts_with("EV-0003,file,"), "{row3}");
    let head = csv.lines().next().unwrap().to_owned();
    let edited = row3
        .replace(
            "Quarterly access review Q3",
            "Access review Q3 (all systems)",
        )
        .replace(",A.5.15", ",A.5.15; A.5.18; Clause 9.1");
    let (s, r) = import(
        &c,
        "acme",
        "evidence",
        false,
        format!("{head}\n{edited}\n").into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["EV-0003"]), "{r}");
    let (_, e3) = c
        .get(&format!("{EVIDENCE}/{}", file["id"].as_str().unwrap()))
        .await;
    assert_eq!(e3["title"], "Access review Q3 (all systems)");
    assert_eq!(e3["file"]["sha256"], sha, "the file is the same");
    let labels: Vec<&str> = e3["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["A.5.15", "A.5.18", "Clause 9.1"]);

    // Bad rows: each named, nothing written.
    let other = t.org_with_roles("other").await;
    let stranger = other.email(Role::Admin);
    let bad = format!(
        "reference,kind,title,url,collected_by,collected_on,valid_until,links\n\
         ,link,Fine,https://ok.example.com,,2026-10-01,,\n\
         ,file,A new scan,,,2026-10-01,,\n\
         ,link,,javascript:alert(1),{stranger},2026-13-01,,\n\
         EV-0001,file,Backup ticket OPS-7,https://tickets.example.com/OPS-7,,2026-10-05,2027-01-05,A.8.13\n\
         EV-0002,link,Access review minutes,https://wiki.example.com/ar,,2026-09-01,2026-08-01,R-999; 99.9\n\
         EV-0009,,Missing file,,,2026-10-01,,\n"
    );
    let before = t.count_rows("evidence").await;
    let links_before = t.count_rows("evidence_links").await;
    let audit = t.count_rows("audit_entries").await;
    let (s, p) = import(&c, "acme", "evidence", false, bad.into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].kind",
            "lines[4].title",
            "lines[4].url",
            "lines[4].collected_by",
            "lines[4].collected_on",
            "lines[5].kind",
            "lines[6].valid_until",
            "lines[7].url",
        ],
    );
    let got = problems(&p);
    let kind3 = got.iter().find(|(f, _)| f == "lines[3].kind").unwrap();
    assert!(kind3.1.contains("uploaded, not imported"), "{kind3:?}");
    assert_eq!(t.count_rows("evidence").await, before, "nothing written");
    assert_eq!(t.count_rows("evidence_links").await, links_before);
    assert_eq!(t.count_rows("audit_entries").await, audit);
    // Links to what does not exist are named too.
    let (s, p) = import(
        &c,
        "acme",
        "evidence",
        false,
        b"reference,title,url,links\n,Risk note,https://x.example.com,R-999; NW-99\n".to_vec(),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_named(&p, &["lines[2].links"]);

    // A dry run reports and writes nothing; then for real.
    let edit = "reference,kind,title,url,collected_on,links\n\
        EV-0001,link,Backup ticket OPS-7 (restored),https://tickets.example.com/OPS-7,2026-10-05,A.8.13\n\
        ,link,Pen test report,https://reports.example.com/pt-2026,2026-10-10,A.8.8; Clause 9.2\n";
    let (s, r) = import(&c, "acme", "evidence", true, edit.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["EV-0001"]), "{r}");
    assert_eq!(r["created"], json!(["EV-0004"]), "{r}");
    assert_eq!(t.count_rows("evidence").await, before);
    assert_eq!(t.count_rows("audit_entries").await, audit);
    let (s, r) = import(&c, "acme", "evidence", false, edit.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    let all = items(&c, EVIDENCE).await;
    let one = all.iter().find(|e| e["reference"] == "EV-0001").unwrap();
    assert_eq!(one["title"], "Backup ticket OPS-7 (restored)");
    assert_eq!(
        one["links"].as_array().unwrap().len(),
        1,
        "clause 9.1 taken off"
    );
    assert_eq!(
        one["valid_until"], "2027-01-05",
        "a missing column keeps the value"
    );
    let new = all.iter().find(|e| e["reference"] == "EV-0004").unwrap();
    assert_eq!(new["kind"], "link");
    assert_eq!(new["links"].as_array().unwrap().len(), 2);
    let again = export(&t, "acme", "evidence", "csv").await;
    let (s, r) = import(&c, "acme", "evidence", false, again).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 4, "{r}");

    // Another organisation: its import makes its own records and cannot reach these.
    let oc = t.login(other.email(Role::Admin)).await;
    let (s, r) = import(&oc, "other", "evidence", false, edit.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["EV-0001", "EV-0002"]), "{r}");
    let (s, _) = import(&oc, "acme", "evidence", true, edit.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
    assert_eq!(items(&c, EVIDENCE).await.len(), 4);
}
