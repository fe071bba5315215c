//! The controls register import through the API (SQLite, and PostgreSQL when
//! ISMS_TEST_DATABASE_URL is set): our export round-trips, Annex A rows only update and
//! own controls are created or updated, bad rows are named, dry runs write nothing,
//! organisations stay apart, and CISO Assistant's "applied controls" sheet is read.

use crate::imports::{assert_round_trip, export, fresh_org_like, import, problems};
use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const CONTROLS: &str = "/api/v1/orgs/acme/controls";

fn has(got: &[(String, String)], field: &str, msg: &str) -> bool {
    got.iter().any(|(f, m)| f == field && m.contains(msg))
}

async fn control(c: &isms_testkit::Client, org: &str, r: &str) -> Value {
    let (s, one) = c.get(&format!("/api/v1/orgs/{org}/controls/{r}")).await;
    assert_eq!(s, 200, "{r}: {one}");
    one
}

#[tokio::test]
async fn controls_round_trip_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    let owner = f.user_id(Role::Contributor);
    let (s, o) = c
        .post(
            "/api/v1/orgs/acme/own-controls",
            &json!({"code": "NW-01", "title": "Offsite backups",
                    "description": "=nightly copy, kept 30 days"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    for (r, body) in [
        (
            "A.5.15",
            json!({"status": "implemented", "owner_id": owner,
                   "implementation": "Role-based access; @joiners and leavers process",
                   "monitoring": "Quarterly access review", "check_frequency": "quarterly",
                   "clauses": ["9.1", "6.1.3"], "version": 0}),
        ),
        (
            "A.5.5",
            json!({"status": "planned", "owner_id": owner, "due_on": "2027-02-01",
                   "version": 0}),
        ),
        (
            "A.8.1",
            json!({"status": "not_applicable", "implementation": "No endpoints", "version": 0}),
        ),
        (
            "NW-01",
            json!({"status": "partially_implemented", "owner_id": owner,
                   "implementation": "Nightly to a second site", "version": 0}),
        ),
    ] {
        let (s, p) = c.patch(&format!("{CONTROLS}/{r}"), &body).await;
        assert_eq!(s, 200, "{r}: {p}");
    }
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["controls"]).await;
    let nw = control(&c, "fresh", "NW-01").await;
    assert_eq!(nw["title"], "Offsite backups");
    assert_eq!(nw["status"], "partially_implemented");
    let (_, own) = c.get("/api/v1/orgs/fresh/own-controls/NW-01").await;
    assert_eq!(own["description"], "=nightly copy, kept 30 days");
    assert_eq!(
        control(&c, "fresh", "A.5.15").await["clauses"],
        json!(["6.1.3", "9.1"])
    );

    // The key of a row: an unknown Annex A control, a blank one, one twice.
    let before = (
        t.count_rows("control_implementations").await,
        t.count_rows("own_controls").await,
        t.count_rows("audit_entries").await,
    );
    let csv = "control,status\n9.99,implemented\n,planned\nA.5.1,planned\n5.1,planned\n";
    let (s, p) = import(&c, "acme", "controls", false, csv.into()).await;
    assert_eq!(s, 422, "{p}");
    let got = problems(&p);
    assert!(has(
        &got,
        "lines[2].control",
        "\"9.99\" is not an Annex A control"
    ));
    assert!(has(&got, "lines[3].control", "give the control"));
    assert!(has(&got, "lines[5].control", "A.5.1 is already on line 4"));

    // Rows the controls' own rules refuse: every one named, nothing written (the good
    // row neither).
    let mgr = f.email(Role::IsmsManager);
    let csv = format!(
        "control,title,status,owner,due_on,check_frequency,clauses\n\
         A.5.1,,implemented,{mgr},,,\n\
         A.5.2,,done,,,,\n\
         A.5.3,,planned,nobody@elsewhere.test,2027-01-01,,\n\
         A.5.4,,planned,,,,\n\
         NW-09,,,,,,\n\
         A.5.6,,not started,,2027-13-01,hourly,9.9\n\
         A.5.7,,Not started,,,,\n"
    );
    let (s, p) = import(&c, "acme", "controls", false, csv.clone().into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    let got = problems(&p);
    for (field, msg) in [
        (
            "lines[2].implementation",
            "say how the control is implemented",
        ),
        ("lines[3].status", "must be one of"),
        ("lines[4].owner", "not a member of this organisation"),
        ("lines[5].owner", "needs an owner"),
        ("lines[5].due_on", "needs the date"),
        ("lines[6].title", ""),
        ("lines[7].due_on", "YYYY-MM-DD"),
        ("lines[7].check_frequency", "must be one of"),
        ("lines[7].clauses[0]", "not a clause"),
    ] {
        assert!(
            has(&got, field, msg),
            "{field} {msg:?} missing from {got:?}"
        );
    }
    assert!(got.iter().all(|(f, m)| m.starts_with(&format!(
        "line {}",
        f.trim_start_matches("lines[").split(']').next().unwrap()
    ))));
    assert!(
        !got.iter().any(|(f, _)| f.starts_with("lines[8]")),
        "{got:?}"
    );
    let after = (
        t.count_rows("control_implementations").await,
        t.count_rows("own_controls").await,
        t.count_rows("audit_entries").await,
    );
    assert_eq!(after, before, "nothing written");

    // A good edit: a dry run says what would change and writes nothing, then for real.
    // An owner given by e-mail that is the owner already is no change.
    let contributor = f.email(Role::Contributor);
    let csv = format!(
        "control,title,status,owner,implementation,due_on\n\
         A.5.15,Access control,implemented,{contributor},\
         \"Role-based access; @joiners and leavers process\",\n\
         A.5.1,Shortened title is fine,planned,{mgr},,2027-06-30\n\
         NW-05,Clean desk rounds,planned,{mgr},,2027-03-01\n\
         NW-01,Offsite backups (two sites),Partially implemented,{contributor},\
         Nightly to a second site,\n"
    );
    let (s, r) = import(&c, "acme", "controls", true, csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["A.5.1", "NW-01"]), "{r}");
    assert_eq!(r["created"], json!(["NW-05"]), "{r}");
    assert_eq!(r["unchanged"], 1, "{r}");
    assert_eq!(t.count_rows("own_controls").await, before.1);
    assert_eq!(control(&c, "acme", "A.5.1").await["status"], "not_started");
    let (s, r) = import(&c, "acme", "controls", false, csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    let a51 = control(&c, "acme", "A.5.1").await;
    assert_eq!(
        (&a51["status"], &a51["due_on"], &a51["title"]),
        (
            &json!("planned"),
            &json!("2027-06-30"),
            &json!("Policies for information security")
        )
    );
    let nw5 = control(&c, "acme", "NW-05").await;
    assert_eq!(
        (&nw5["title"], &nw5["status"]),
        (&json!("Clean desk rounds"), &json!("planned"))
    );
    assert_eq!(
        control(&c, "acme", "NW-01").await["title"],
        "Offsite backups (two sites)"
    );
    // The export of the result re-imports unchanged.
    let (s, r) = import(
        &c,
        "acme",
        "controls",
        false,
        export(&t, "acme", "controls", "csv").await,
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (&r["created"], &r["updated"]),
        (&json!([]), &json!([])),
        "{r}"
    );

    // Another organisation: its import does not see these own controls (NW-01 is new
    // there; the owner is not its member), and it cannot import into this one.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let theirs = format!(
        "control,title,status,owner\nNW-01,Their backups,implemented,{mgr}\nA.5.1,,not_started,\n"
    );
    let (s, p) = import(&oc, "other", "controls", false, theirs.into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    assert!(has(&problems(&p), "lines[2].owner", "not a member"), "{p}");
    let (s, r) = import(
        &oc,
        "other",
        "controls",
        false,
        b"control,title\nNW-01,Their backups\n".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["NW-01"]), "{r}");
    assert_eq!(
        control(&c, "acme", "NW-01").await["title"],
        "Offsite backups (two sites)"
    );
    let (s, _) = import(&oc, "acme", "controls", true, csv.into_bytes()).await;
    assert_eq!(s, 404);
    let v = t.login(f.email(Role::Viewer)).await;
    let (s, _) = import(&v, "acme", "controls", true, b"control\nA.5.1\n".to_vec()).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn ciso_assistant_applied_controls_become_own_controls() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    let sheet = std::fs::read(format!(
        "{}/../../testdata/ciso-assistant/applied_controls.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();

    let (s, r) = import(&c, "acme", "controls", true, sheet.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(t.count_rows("own_controls").await, 0, "dry run");
    let (s, r) = import(&c, "acme", "controls", false, sheet.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["created"],
        json!(["AC-01", "CA-001", "CA-002", "CA-003", "CA-004"]),
        "{r}"
    );
    let mfa = control(&c, "acme", "AC-01").await;
    assert_eq!(mfa["title"], "Multi-factor authentication");
    assert_eq!(mfa["status"], "implemented");
    assert_eq!(mfa["owner_id"], json!(f.user_id(Role::IsmsManager)));
    assert_eq!(
        mfa["implementation"],
        "Enforced in the identity provider for all staff"
    );
    let drill = control(&c, "acme", "CA-001").await;
    assert_eq!(
        (&drill["title"], &drill["status"], &drill["due_on"]),
        (
            &json!("Backup restore drill"),
            &json!("planned"),
            &json!("2027-03-31")
        )
    );
    assert_eq!(drill["owner_id"], json!(f.user_id(Role::Contributor)));
    let reviews = control(&c, "acme", "CA-002").await;
    assert_eq!(
        (
            &reviews["title"],
            &reviews["status"],
            &reviews["implementation"]
        ),
        (
            &json!("Access reviews"),
            &json!("partially_implemented"),
            &json!("Started with the finance systems")
        )
    );
    assert_eq!(
        control(&c, "acme", "CA-003").await["status"],
        "not_applicable"
    );
    // to_do without owner and date: not started.
    assert_eq!(control(&c, "acme", "CA-004").await["status"], "not_started");
    let (_, own) = c.get("/api/v1/orgs/acme/own-controls/CA-001").await;
    assert_eq!(
        own["description"],
        "Quarterly restore test of the file server"
    );
    // Annex A 5.15 was not touched by the row whose ref_id is 5.15.
    assert_eq!(control(&c, "acme", "A.5.15").await["status"], "not_started");

    // The same sheet again: each row finds its control (by ref_id or by name).
    let (s, r) = import(&c, "acme", "controls", false, sheet).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (&r["created"], &r["updated"]),
        (&json!([]), &json!([])),
        "{r}"
    );
    assert_eq!(r["unchanged"], 5, "{r}");

    // A change made in CISO Assistant updates our control; bad rows are named.
    let edit = "ref_id,name,status,owner,eta,csf_function\n\
                ,Backup restore drill,active,contributor@acme.test,2027-03-31,recover\n\
                AC-02,Phishing drills,done,nobody@acme.test,soon,protect\n";
    let (s, p) = import(&c, "acme", "controls", false, edit.into()).await;
    assert_eq!(s, 422, "{p}");
    let got = problems(&p);
    assert!(has(&got, "lines[3].status", "\"done\""), "{got:?}");
    assert!(has(&got, "lines[3].owner", "not a member"), "{got:?}");
    assert!(
        !got.iter().any(|(f, _)| f.starts_with("lines[2]")),
        "{got:?}"
    );
    assert_eq!(control(&c, "acme", "CA-001").await["status"], "planned");
    let edit = "ref_id,name,status,owner,eta,observation,csf_function\n\
                ,Backup restore drill,active,contributor@acme.test,2027-03-31,Restored in March,recover\n";
    let (s, r) = import(&c, "acme", "controls", false, edit.into()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["CA-001"]), "{r}");
    assert_eq!(control(&c, "acme", "CA-001").await["status"], "implemented");
}
