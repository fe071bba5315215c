//! Register imports of the operational registers (suppliers, roadmap tasks, findings,
//! corrective actions) through the API, on SQLite and on PostgreSQL when
//! ISMS_TEST_DATABASE_URL is set: round trips of our own exports (into the same and into
//! a fresh organisation), every bad line named with nothing written, dry runs, and
//! another organisation kept out.

use crate::imports::{assert_round_trip, fresh_org_like, import, problems};
use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use serde_json::{Value, json};

const SUP: &str = "/api/v1/orgs/acme/suppliers";

/// Every wanted field (a prefix) is among the problems, and each message names its line.
fn assert_named(p: &Value, want: &[&str]) {
    let got = problems(p);
    for w in want {
        assert!(
            got.iter().any(|(f, _)| f.starts_with(w)),
            "{w} missing from {got:?}"
        );
    }
    for (f, m) in &got {
        let line = f.trim_start_matches("lines[").split(']').next().unwrap();
        assert!(m.starts_with(&format!("line {line}")), "{f}: {m}");
    }
}

async fn supplier(c: &Client, body: Value) -> String {
    let (s, r) = c.post(SUP, &body).await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

async fn assess(c: &Client, id: &str, body: Value) {
    let (s, r) = c.post(&format!("{SUP}/{id}/assessments"), &body).await;
    assert_eq!(s, 201, "{r}");
}

#[tokio::test]
async fn suppliers_round_trip_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let cloud = supplier(
        &c,
        json!({"name": "CloudHost GmbH", "service": "Hosting", "criticality": "critical",
               "data_shared": "=customer data", "contact": "ops@cloudhost.example",
               "owner": "Tom", "assessment_interval_months": 6}),
    )
    .await;
    assess(
        &c,
        &cloud,
        json!({"assessed_on": "2026-01-10", "result": "conditional", "note": "+fix TLS"}),
    )
    .await;
    supplier(
        &c,
        json!({"name": "Paper Co", "criticality": "low", "contract_security": true,
               "contract_reference": "PO terms §4", "status": "offboarded"}),
    )
    .await;
    let mail = supplier(
        &c,
        json!({"name": "Mail, \"Inc\"", "criticality": "medium"}),
    )
    .await;
    assess(
        &c,
        &mail,
        json!({"assessed_on": "2025-06-01", "result": "unsatisfactory"}),
    )
    .await;
    assess(
        &c,
        &mail,
        json!({"assessed_on": "2026-06-01", "result": "satisfactory"}),
    )
    .await;
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["suppliers"]).await;
    let (_, fresh) = c.get("/api/v1/orgs/fresh/suppliers").await;
    assert_eq!(fresh["items"][0]["assessment_interval_months"], 6);
    assert_eq!(fresh["items"][0]["interval_is_default"], false);
    assert_eq!(fresh["items"][2]["interval_is_default"], true);
    assert_eq!(fresh["items"][0]["last_assessment"]["note"], "+fix TLS");

    // Bad rows: each problem named, nothing written (the good row neither).
    let csv = "reference,name,criticality,contract_security,assessment_interval_months,last_assessed_on,last_result\n\
        ,Fine,low,no,,,\n\
        ,,vital,maybe,often,,\n\
        ,Secure,high,yes,,,\n\
        SUP-001,CloudHost GmbH,critical,no,6,2026-12-31,satisfactory\n\
        ,New,low,no,,2026-11-01,great\n\
        SUP-003,\"Mail, \"\"Inc\"\"\",medium,no,24,2026-01-01,satisfactory\n\
        SUP-009,Paper Co,low,yes,36,,\n\
        ,Long,low,no,61,,\n";
    let (suppliers, assessments) = (
        t.count_rows("suppliers").await,
        t.count_rows("supplier_assessments").await,
    );
    let (s, p) = import(&c, "acme", "suppliers", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].name",
            "lines[3].criticality",
            "lines[3].contract_security",
            "lines[3].assessment_interval_months",
            "lines[4].contract_reference",
            "lines[5].last_assessed_on",
            "lines[6].last_result",
            "lines[7].last_assessed_on",
            "lines[8].contract_reference",
            "lines[9].assessment_interval_months",
        ],
    );
    assert!(
        !problems(&p).iter().any(|(f, _)| f.starts_with("lines[2]")),
        "{p}"
    );
    assert_eq!(
        t.count_rows("suppliers").await,
        suppliers,
        "nothing written"
    );
    assert_eq!(t.count_rows("supplier_assessments").await, assessments);

    // A dry run of a good edit says what would change and writes nothing.
    let csv = "reference,name,criticality,last_assessed_on,last_result\n\
        SUP-001,CloudHost GmbH,critical,2026-11-20,satisfactory\n\
        ,New vendor,low,,\n";
    let (s, r) = import(&c, "acme", "suppliers", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["SUP-001"]), "{r}");
    assert_eq!(r["created"], json!(["SUP-004"]), "{r}");
    assert_eq!(t.count_rows("suppliers").await, suppliers);
    assert_eq!(t.count_rows("supplier_assessments").await, assessments);
    let (s, r) = import(&c, "acme", "suppliers", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(t.count_rows("suppliers").await, suppliers + 1);
    assert_eq!(t.count_rows("supplier_assessments").await, assessments + 1);
    let (_, one) = c.get(&format!("{SUP}/{cloud}")).await;
    assert_eq!(one["last_assessment"]["assessed_on"], "2026-11-20");
    assert_eq!(one["last_assessment"]["result"], "satisfactory");
    assert_eq!(one["assessments"].as_array().unwrap().len(), 2);
    assert_eq!(one["assessment_interval_months"], 6, "the interval is kept");
    // The same file again: nothing changes.
    let (s, r) = import(&c, "acme", "suppliers", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 1, "{r}");
    assert_eq!(
        r["created"],
        json!(["SUP-005"]),
        "a blank reference always adds"
    );

    // Another organisation's import cannot see or touch these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let (s, r) = import(&oc, "other", "suppliers", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["SUP-001", "SUP-002"]), "{r}");
    let (s, _) = import(&oc, "acme", "suppliers", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
    let (_, mine) = c.get(&format!("{SUP}/{cloud}")).await;
    assert_eq!(mine["assessments"].as_array().unwrap().len(), 2);
}

const TASKS: &str = "/api/v1/orgs/acme/tasks";

#[tokio::test]
async fn tasks_round_trip_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let mut ids = Vec::new();
    for body in [
        json!({"title": "Write the access policy", "item_key": "control:5.15", "owner": "Tom",
               "start_on": "2026-10-01", "due_on": "2026-11-01", "priority": "high",
               "description": "=draft, review"}),
        json!({"title": "Risk method, \"v2\"", "item_key": "clause:6.1.2", "priority": "low"}),
        json!({"title": "Train staff", "due_on": "2027-02-01"}),
    ] {
        let (s, r) = c.post(TASKS, &body).await;
        assert_eq!(s, 201, "{r}");
        ids.push(r["id"].as_str().unwrap().to_owned());
    }
    for (id, status) in [(&ids[0], "in_progress"), (&ids[2], "done")] {
        let (s, r) = c
            .patch(
                &format!("{TASKS}/{id}"),
                &json!({"status": status, "version": 1}),
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["tasks"]).await;
    let (_, fresh) = c.get("/api/v1/orgs/fresh/tasks").await;
    assert_eq!(fresh["items"][0]["status"], "in_progress");
    assert_eq!(fresh["items"][0]["late"], true);
    assert_eq!(fresh["items"][1]["item_key"], "clause:6.1.2");

    // Bad rows: each problem named, nothing written (the good row neither).
    let csv = "reference,title,item,start_on,due_on,status,priority\n\
        ,Fine,,,,,\n\
        ,,control:99.1,2026-13-01,,,urgent\n\
        T-001,Write the access policy,control:5.16,,,,\n\
        T-002,Risk method,clause:6.1.2,2026-12-01,2026-11-01,,\n\
        T-003,Train staff,,,,finished,\n\
        ,Done at once,,,,closed,\n";
    let before = t.count_rows("tasks").await;
    let (s, p) = import(&c, "acme", "tasks", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].title",
            "lines[3].item",
            "lines[3].start_on",
            "lines[3].priority",
            "lines[4].item",
            "lines[5].",
            "lines[6].status",
            "lines[7].status",
        ],
    );
    assert!(
        !problems(&p).iter().any(|(f, _)| f.starts_with("lines[2]")),
        "{p}"
    );
    assert_eq!(t.count_rows("tasks").await, before, "nothing written");

    // A dry run of a good edit says what would change and writes nothing.
    let csv = "reference,title,status,due_on\n\
        T-002,Risk method v2,in_progress,2027-01-15\n\
        ,Review suppliers,done,\n";
    let (s, r) = import(&c, "acme", "tasks", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["T-002"]), "{r}");
    assert_eq!(r["created"], json!(["T-004"]), "{r}");
    assert_eq!(t.count_rows("tasks").await, before);
    let (s, r) = import(&c, "acme", "tasks", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    let (_, one) = c.get(&format!("{TASKS}/{}", ids[1])).await;
    assert_eq!(one["title"], "Risk method v2");
    assert_eq!(one["status"], "in_progress");
    assert_eq!(one["due_on"], "2027-01-15");
    assert_eq!(
        one["item_key"], "clause:6.1.2",
        "kept: the file has no item column"
    );
    let (_, all) = c.get(TASKS).await;
    assert_eq!(all["items"][3]["title"], "Review suppliers");
    assert_eq!(all["items"][3]["status"], "done");
    assert_eq!(all["items"][3]["reference"], "T-004");

    // A task keeps its number when an earlier one is removed, so an older file still
    // lands on the right tasks; a reference with no task creates it with that number.
    let (s, _) = c.delete(&format!("{TASKS}/{}", ids[0])).await;
    assert_eq!(s, 204);
    let csv = String::from_utf8(crate::imports::export(&t, "acme", "tasks", "csv").await).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("T-002,"), "{csv}");
    let csv = "reference,title\nT-003,Train all staff\nT-009,Far away\n";
    let (s, r) = import(&c, "acme", "tasks", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["T-003"]), "{r}");
    assert_eq!(r["created"], json!(["T-009"]), "{r}");
    let (_, one) = c.get(&format!("{TASKS}/{}", ids[2])).await;
    assert_eq!(one["title"], "Train all staff");
    let (s, r) = c.post(TASKS, &json!({"title": "Next"})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["reference"], "T-010");

    // Another organisation's import cannot see or touch these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let csv = "reference,title\n,Other task\n";
    let (s, r) = import(&oc, "other", "tasks", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["T-001"]), "{r}");
    let (s, _) = import(&oc, "acme", "tasks", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
    assert_eq!(t.count_rows("tasks").await, before + 3);
}

const FINDINGS: &str = "/api/v1/orgs/acme/findings";

#[tokio::test]
async fn findings_round_trip_and_closing_keeps_its_rules() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let auditor = t.login(f.email(Role::InternalAuditor)).await;
    let c = t.login(f.email(Role::Admin)).await;
    let mut ids = Vec::new();
    for body in [
        json!({"grade": "minor_nc", "reference": "5.15", "title": "Leavers keep access",
               "source": "internal_audit", "raised_on": "2026-10-01", "deadline": "2026-12-01",
               "evidence": "=HR list vs. directory"}),
        json!({"grade": "ofi", "reference": "Clause 7.3", "title": "Short awareness videos"}),
        json!({"grade": "observation", "reference": "8.1", "title": "Change log, \"partial\"",
               "description": "+two entries missing", "raised_on": "2026-11-02"}),
    ] {
        let (s, r) = auditor.post(FINDINGS, &body).await;
        assert_eq!(s, 201, "{r}");
        ids.push(r["id"].as_str().unwrap().to_owned());
    }
    let (s, r) = auditor
        .patch(
            &format!("{FINDINGS}/{}", ids[1]),
            &json!({"status": "closed", "closure_note": "videos planned", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["findings"]).await;
    let (_, fresh) = c.get("/api/v1/orgs/fresh/findings").await;
    assert_eq!(fresh["items"][1]["status"], "closed");
    assert_eq!(
        fresh["items"][2]["raised_by"],
        json!(f.user_id(Role::InternalAuditor))
    );

    // Bad rows, closing without verification among them: each named, nothing written.
    let csv = "finding,grade,reference,title,status,closure_note,raised_by,evidence_items\n\
        ,ofi,7.3,Fine,,,,\n\
        ,critical,11.4,,,,,\n\
        F-001,minor_nc,A.5.15,Leavers keep access,closed,,,\n\
        ,observation,7.3,Obs,closed,,,\n\
        ,ofi,7.3,X,,,nobody@x.test,\n\
        ,ofi,7.3,Y,,,,EV-0042\n\
        F-003,observation,8.1,\"Change log, \"\"partial\"\"\",,,Someone Else,\n";
    let before = (
        t.count_rows("findings").await,
        t.count_rows("audit_entries").await,
    );
    let (s, p) = import(&c, "acme", "findings", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].grade",
            "lines[3].reference",
            "lines[3].title",
            "lines[4].status",
            "lines[5].status",
            "lines[6].raised_by",
            "lines[7].evidence_items",
            "lines[8].raised_by",
        ],
    );
    let closing = problems(&p)
        .into_iter()
        .find(|(f, _)| f == "lines[4].status")
        .unwrap();
    assert!(closing.1.contains("verified effective"), "{closing:?}");
    assert!(
        !problems(&p).iter().any(|(f, _)| f.starts_with("lines[2]")),
        "{p}"
    );
    assert_eq!(
        (
            t.count_rows("findings").await,
            t.count_rows("audit_entries").await
        ),
        before,
        "nothing written"
    );
    let (_, one) = c.get(&format!("{FINDINGS}/{}", ids[0])).await;
    assert_eq!(one["status"], "open");

    // A dry run of a good edit says what would change and writes nothing.
    let csv = "finding,grade,reference,title,status,closure_note\n\
        F-003,observation,8.1,Change log incomplete,closed,entries added\n\
        ,ofi,A.5.2,Name the owners,,\n";
    let (s, r) = import(&c, "acme", "findings", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["F-003"]), "{r}");
    assert_eq!(r["created"], json!(["F-004"]), "{r}");
    assert_eq!(t.count_rows("findings").await, before.0);
    let (s, r) = import(&c, "acme", "findings", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    let (_, one) = c.get(&format!("{FINDINGS}/{}", ids[2])).await;
    assert_eq!(one["status"], "closed");
    assert_eq!(one["title"], "Change log incomplete");
    assert_eq!(one["closure_note"], "entries added");
    assert_eq!(t.count_rows("findings").await, before.0 + 1);

    // Another organisation's import cannot see or touch these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let (s, r) = import(&oc, "other", "findings", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["F-003", "F-004"]), "{r}");
    let (s, _) = import(&oc, "acme", "findings", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
    assert_eq!(t.count_rows("findings").await, before.0 + 3);
}

const ACTIONS: &str = "/api/v1/orgs/acme/corrective-actions";

/// Plan an action and take it through `steps` ("in_progress", "implemented",
/// "verify:effective", "verify:ineffective", "closed") via the API.
async fn action(c: &Client, verifier: &Client, body: Value, steps: &[&str]) -> String {
    let (s, r) = c.post(ACTIONS, &body).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    let mut version = r["version"].as_i64().unwrap();
    for step in steps {
        let (s, r) = match step.strip_prefix("verify:") {
            Some(result) => {
                verifier
                    .post(
                        &format!("{ACTIONS}/{id}/verify"),
                        &json!({"result": result, "verified_on": "2026-11-20",
                                "note": "sampled ten leavers", "version": version}),
                    )
                    .await
            }
            None => {
                c.patch(
                    &format!("{ACTIONS}/{id}"),
                    &json!({"status": step, "version": version}),
                )
                .await
            }
        };
        assert_eq!(s, 200, "{step}: {r}");
        version = r["version"].as_i64().unwrap();
    }
    id
}

#[tokio::test]
async fn corrective_actions_round_trip_through_their_steps() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let auditor = t.login(f.email(Role::InternalAuditor)).await;
    let c = t.login(f.email(Role::Admin)).await;
    let owner = f.user_id(Role::Contributor);
    let mut nc = Vec::new();
    for body in [
        json!({"grade": "minor_nc", "reference": "5.15", "title": "Leavers keep access",
               "raised_on": "2026-10-01", "deadline": "2026-12-15"}),
        json!({"grade": "major_nc", "reference": "Clause 9.2", "title": "No internal audit"}),
        json!({"grade": "ofi", "reference": "7.3", "title": "Shorter videos"}),
    ] {
        let (s, r) = auditor.post(FINDINGS, &body).await;
        assert_eq!(s, 201, "{r}");
        nc.push(r["id"].as_str().unwrap().to_owned());
    }
    action(
        &c,
        &auditor,
        json!({"finding_id": nc[0], "title": "Revoke on leaving", "owner_id": owner,
               "correction": "=removed the three accounts", "correction_on": "2026-10-02",
               "rca_method": "five_whys",
               "five_whys": [{"why": "Why kept?", "answer": "HR did not tell IT"},
                             {"why": "Why not?", "answer": "No leaver step, \"none\""}],
               "root_cause": "No leaver step", "description": "Add a leaver step to HR's checklist"}),
        &["implemented", "verify:effective", "closed"],
    )
    .await;
    action(
        &c,
        &auditor,
        json!({"finding_id": nc[1], "title": "Audit programme", "owner_id": owner,
               "description": "Plan and run the audits", "due_on": "2027-01-31"}),
        &["in_progress"],
    )
    .await;
    action(
        &c,
        &auditor,
        json!({"title": "Review supplier list", "due_on": "2026-11-01"}),
        &[],
    )
    .await;
    action(
        &c,
        &auditor,
        json!({"finding_id": nc[1], "title": "Hire an auditor", "owner_id": owner,
               "root_cause": "Nobody trained", "description": "Contract an auditor"}),
        &["implemented", "verify:ineffective"],
    )
    .await;
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["findings", "corrective-actions"]).await;
    let (_, acme) = c.get(ACTIONS).await;
    let (_, fresh) = c.get("/api/v1/orgs/fresh/corrective-actions").await;
    for (a, b) in acme["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(fresh["items"].as_array().unwrap())
    {
        for k in [
            "status",
            "verification",
            "verified_by",
            "verified_on",
            "five_whys",
        ] {
            assert_eq!(a[k], b[k], "{k} of {}", a["action_ref"]);
        }
    }
    // The findings follow their actions in the fresh organisation as in the first.
    let (_, fa) = c.get(FINDINGS).await;
    let (_, ff) = c.get("/api/v1/orgs/fresh/findings").await;
    assert_eq!(fa["items"][1]["status"], ff["items"][1]["status"]);
    assert_eq!(fa["items"][2]["status"], ff["items"][2]["status"]);

    // Bad rows: each named, nothing written.
    let editor = f.email(Role::Contributor);
    let csv = format!(
        "action,finding,title,status,verification,verified_by,description,why_1,answer_1,owner\n\
        ,F-002,Fine,,,,,,,\n\
        ,F-001,Own check,verified_effective,,{editor},Done,,,{editor}\n\
        ,F-001,Closed unverified,closed,,,Done,,,\n\
        ,F-099,Unknown finding,,,,,,,\n\
        ,F-002,Early result,planned,effective,,,,,\n\
        CA-001,F-001,Retitled,closed,,,,,,\n\
        ,F-002,Half a why,,,,,Why?,,\n\
        ,F-003,On an OFI,,,,,,,\n\
        ,F-001,No description,implemented,,,,,,\n\
        ,F-001,Wrong result,verified_effective,ineffective,,Done,,,\n"
    );
    let before = (
        t.count_rows("corrective_actions").await,
        t.count_rows("audit_entries").await,
    );
    let (s, p) = import(&c, "acme", "corrective-actions", false, csv.into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(
        &p,
        &[
            "lines[3].verified_by",
            "lines[4].verification",
            "lines[5].finding",
            "lines[6].verification",
            "lines[7].reference",
            "lines[8].why_1",
            "lines[9].finding",
            "lines[10].status",
            "lines[11].verification",
        ],
    );
    assert!(
        !problems(&p).iter().any(|(f, _)| f.starts_with("lines[2]")),
        "{p}"
    );
    assert_eq!(
        (
            t.count_rows("corrective_actions").await,
            t.count_rows("audit_entries").await
        ),
        before,
        "nothing written"
    );

    // A recorded verification does not change.
    let (_, all) = c.get(ACTIONS).await;
    let ineffective = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == "verified_ineffective")
        .unwrap()
        .clone();
    let csv = format!(
        "action,title,verification,verified_on\n{},Hire an auditor,ineffective,2026-11-21\n",
        ineffective["action_ref"].as_str().unwrap()
    );
    let (s, p) = import(&c, "acme", "corrective-actions", false, csv.into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    assert_named(&p, &["lines[2].verification"]);

    // A dry run of a good edit says what would change; the real import makes it, and a
    // new action on the open major nonconformity goes through to verified.
    let auditor_email = f.email(Role::InternalAuditor);
    let csv = format!(
        "action,finding,title,status,owner,description,root_cause,verification,verified_by\n\
        CA-003,,Review supplier list,in_progress,,,,,\n\
        ,F-002,Train two auditors,verified_effective,{editor},Two staff trained,Nobody trained,effective,{auditor_email}\n"
    );
    let (s, r) = import(
        &c,
        "acme",
        "corrective-actions",
        true,
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["CA-003"]), "{r}");
    assert_eq!(r["created"], json!(["CA-005"]), "{r}");
    assert_eq!(t.count_rows("corrective_actions").await, before.0);
    let (s, r) = import(
        &c,
        "acme",
        "corrective-actions",
        false,
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (_, all) = c.get(ACTIONS).await;
    let new = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action_ref"] == "CA-005")
        .unwrap();
    assert_eq!(new["status"], "verified_effective");
    assert_eq!(new["verified_by"], json!(f.user_id(Role::InternalAuditor)));
    assert_eq!(new["owner_id"], json!(owner));

    // Another organisation's import cannot see or touch these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let csv = "action,title\n,Other action\n";
    let (s, r) = import(
        &oc,
        "other",
        "corrective-actions",
        false,
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["CA-001"]), "{r}");
    let (s, _) = import(
        &oc,
        "acme",
        "corrective-actions",
        true,
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, 404);
    let (s, p) = import(
        &oc,
        "other",
        "corrective-actions",
        true,
        b"action,finding,title\n,F-001,Theirs\n".to_vec(),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_named(&p, &["lines[2].finding"]);
}
