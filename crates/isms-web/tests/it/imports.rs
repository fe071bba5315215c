//! Register imports through the API (SQLite, and PostgreSQL when ISMS_TEST_DATABASE_URL
//! is set): round trips of our own CSV and XLSX exports, all-or-nothing with every bad
//! line named, dry runs, hostile files, another organisation's members refused, the
//! audit trail.

use isms_app::Actor;
use isms_app::members::NewMember;
use isms_domain::rbac::Role;
use isms_domain::time::Clock;
use isms_testkit::{Client, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const ASSETS: &str = "/api/v1/orgs/acme/assets";

pub(crate) async fn import(
    c: &Client,
    org: &str,
    kind: &str,
    dry: bool,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = c
        .request(
            Method::POST,
            &format!("/api/v1/orgs/{org}/imports/{kind}?dry_run={dry}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn export(t: &TestApp, org: &str, kind: &str, fmt: &str) -> Vec<u8> {
    let ctx = t.app.org_for_cli(org).await.unwrap();
    t.app.export(&ctx, kind, fmt, None).await.unwrap().bytes
}

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// A new organisation `slug` whose members are `f`'s people in the same roles (so that
/// owners and assignees named by e-mail resolve).
pub(crate) async fn fresh_org_like(t: &TestApp, f: &isms_testkit::OrgFixture, slug: &str) {
    t.app
        .create_org(
            Actor::Cli,
            &isms_app::orgs::NewOrg {
                name: format!("Fresh {slug}"),
                slug: Some(slug.into()),
                employees: 10,
                sites: None,
                other_management_system: None,
            },
        )
        .await
        .unwrap();
    let fresh = t.app.org_for_cli(slug).await.unwrap();
    for role in Role::ALL {
        let expires_on = role.requires_expiry().then(|| {
            isms_domain::time::format_date(t.clock.now().plus_seconds(30 * 86_400).date())
        });
        t.app
            .add_member(
                Actor::Cli,
                &fresh,
                &NewMember {
                    email: f.email(role).into(),
                    role: role.as_str().into(),
                    expires_on,
                    name: None,
                    password: None,
                },
            )
            .await
            .unwrap();
    }
}

/// The round trip every register keeps, for `kinds` in order (later registers may point
/// at earlier ones): each CSV and XLSX export of `org` re-imports with every row
/// unchanged (dry run and real, one audit entry per real import), and imported in that
/// order into a fresh organisation `fresh` (made with [`fresh_org_like`]) it exports
/// the same CSV again. `c` may import into both.
pub(crate) async fn assert_round_trip(
    t: &TestApp,
    c: &Client,
    org: &str,
    fresh: &str,
    kinds: &[&str],
) {
    for kind in kinds {
        let rows = {
            let csv = export(t, org, kind, "csv").await;
            String::from_utf8(csv).unwrap().lines().count() - 1
        };
        assert!(rows > 0, "{kind}: the test needs records to export");
        for fmt in ["csv", "xlsx"] {
            let bytes = export(t, org, kind, fmt).await;
            let audit_before = t.count_rows("audit_entries").await;
            for dry in [true, false] {
                let (s, r) = import(c, org, kind, dry, bytes.clone()).await;
                assert_eq!(s, 200, "{kind} {fmt}: {r}");
                assert_eq!(r["created"], json!([]), "{kind} {fmt}: {r}");
                assert_eq!(r["updated"], json!([]), "{kind} {fmt}: {r}");
                assert_eq!(r["unchanged"], json!(r["rows"]), "{kind} {fmt}: {r}");
            }
            assert_eq!(
                t.count_rows("audit_entries").await,
                audit_before + 1,
                "{kind} {fmt}: one entry for the real import, none for the dry run"
            );
        }
    }
    for kind in kinds {
        let csv = export(t, org, kind, "csv").await;
        let (s, r) = import(c, fresh, kind, false, csv.clone()).await;
        assert_eq!(s, 200, "{kind} into {fresh}: {r}");
        // (The 93 Annex A controls exist in every organisation: those left at their
        // defaults are unchanged there too.)
        let written = r["created"].as_array().map_or(0, Vec::len)
            + r["updated"].as_array().map_or(0, Vec::len);
        assert!(
            written > 0,
            "{kind}: the fresh organisation gets the records: {r}"
        );
        let again = export(t, fresh, kind, "csv").await;
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(csv).unwrap(),
            "{kind}: the fresh organisation exports what was imported"
        );
    }
}

/// The problems of a refused import as (field, message).
pub(crate) fn problems(p: &Value) -> Vec<(String, String)> {
    p["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn assets_round_trip_all_or_nothing_and_audited() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let owner = f.user_id(Role::IsmsManager);
    for (name, tags, description) in [
        ("=HYPERLINK(\"http://evil\")", json!(["crm", "eu"]), "@note"),
        ("Payroll, \"HR\" files", json!([]), "+line one\nline two"),
    ] {
        let (s, a) = c
            .post(
                ASSETS,
                &json!({"asset_type": "information", "name": name, "owner_id": owner,
                        "custodian_id": f.user_id(Role::Contributor), "location": "-EU cloud",
                        "confidentiality": 3, "integrity": 2, "availability": 1,
                        "in_scope": false, "tags": tags, "description": description}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
    }
    let audit_before = t.count_rows("audit_entries").await;

    // Our own exports re-import unchanged, CSV and XLSX, dry run or not.
    for fmt in ["csv", "xlsx"] {
        let bytes = export(&t, "acme", "assets", fmt).await;
        for dry in [true, false] {
            let (s, r) = import(&c, "acme", "assets", dry, bytes.clone()).await;
            assert_eq!(s, 200, "{fmt}: {r}");
            assert_eq!(r["unchanged"], 2, "{fmt}: {r}");
            assert_eq!(r["created"], json!([]));
            assert_eq!(r["updated"], json!([]));
            assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
        }
    }
    // Two real imports, one audit entry each; dry runs write nothing.
    assert_eq!(t.count_rows("audit_entries").await, audit_before + 2);

    // Into a fresh organisation with the same people: export again gives the same file.
    let csv = export(&t, "acme", "assets", "csv").await;
    fresh_org_like(&t, &f, "fresh").await;
    let admin = t.login(f.email(Role::Contributor)).await;
    let (s, r) = import(&admin, "fresh", "assets", false, csv.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["A-0001", "A-0002"]));
    let again = export(&t, "fresh", "assets", "csv").await;
    let strip_title = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    assert_eq!(strip_title(&again), strip_title(&csv));
    let (_, list) = admin.get("/api/v1/orgs/fresh/assets").await;
    assert_eq!(list["items"][0]["name"], "=HYPERLINK(\"http://evil\")");
    assert_eq!(list["items"][0]["location"], "-EU cloud");
    assert_eq!(list["items"][0]["tags"], json!(["crm", "eu"]));

    // Edit: one update, one new row with a blank reference, and one bad row → nothing.
    let text = String::from_utf8(csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mgr = f.email(Role::IsmsManager).to_owned();
    let edited = format!(
        "{}\n{}\n,Laptops,hardware,{mgr},,Office,2,2,2,,yes,laptop,\nA-0009,Bad,car,nobody@x.test,,,5,2,2,,maybe,,\n",
        lines[0], lines[1]
    );
    let (s, p) = import(&c, "acme", "assets", false, edited.clone().into_bytes()).await;
    assert_eq!(s, 422, "{p}");
    let got = fields(&p);
    for want in [
        "lines[4].type",
        "lines[4].owner",
        "lines[4].confidentiality",
        "lines[4].in_scope",
    ] {
        assert!(got.iter().any(|g| g == want), "{want} missing from {got:?}");
    }
    let (_, page) = c.get(ASSETS).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        2,
        "nothing written"
    );
    // Fixed (line 4 removed, line 2 changed), dry run then for real.
    lines[1] = lines[1].replacen(",3,2,1,", ",4,2,1,", 1);
    let fixed = format!(
        "{}\n{}\n,Laptops,hardware,{mgr},,Office,2,2,2,,yes,laptop,\n",
        lines[0], lines[1]
    );
    let (s, r) = import(&c, "acme", "assets", true, fixed.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["A-0003"]));
    assert_eq!(r["updated"], json!(["A-0001"]));
    assert_eq!(c.get(ASSETS).await.1["items"].as_array().unwrap().len(), 2);
    let (s, r) = import(&c, "acme", "assets", false, fixed.into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    let (_, page) = c.get(ASSETS).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["items"][0]["confidentiality"], 4);
    assert_eq!(page["items"][0]["classification_label"], "Restricted");
    assert_eq!(page["items"][2]["name"], "Laptops");
}

#[tokio::test]
async fn hostile_files_are_named_and_write_nothing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let head = "reference,name,type,owner,confidentiality,integrity,availability\n";
    let mgr = f.email(Role::IsmsManager);
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"".to_vec(), "file", "empty"),
        (
            [head.as_bytes(), b",Caf\xe9,software,x,1,1,1\n"].concat(),
            "file",
            "not UTF-8 at line 2",
        ),
        (
            format!("{head},{},software,{mgr},1,1,1\n", "x".repeat(70_000)).into_bytes(),
            "file",
            "line 2, column 2",
        ),
        (
            format!("{head}A-0001,One,software,{mgr},1,1,1\na-1,Two,software,{mgr},1,1,1\n")
                .into_bytes(),
            "lines[3].reference",
            "already on line 2",
        ),
        (
            // Another organisation's member is not a member here.
            format!("{head},One,software,{},1,1,1\n", other.email(Role::Admin)).into_bytes(),
            "lines[2].owner",
            "not a member",
        ),
        (b"PK\x03\x04truncated".to_vec(), "file", "workbook"),
        (b"name,owner\nx,y\n".to_vec(), "file", "no column \"type\""),
    ];
    for (body, field, msg) in cases {
        let (s, p) = import(&c, "acme", "assets", false, body).await;
        assert_eq!(s, 422, "{field}: {p}");
        let e = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field} not in {p}"));
        assert!(e["message"].as_str().unwrap().contains(msg), "{msg}: {e}");
    }
    assert_eq!(t.count_rows("assets").await, 0);

    // Unknown kind; a viewer may not import; another organisation is not found.
    let (s, _) = import(&c, "acme", "nonsense", true, b"a".to_vec()).await;
    assert_eq!(s, 404);
    let v = t.login(f.email(Role::Viewer)).await;
    let (s, _) = import(&v, "acme", "assets", true, head.as_bytes().to_vec()).await;
    assert_eq!(s, 403);
    let (s, _) = import(&c, "other", "assets", true, head.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn incidents_round_trip_and_bad_rows_are_named() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let (s, a) = c
        .post(
            ASSETS,
            &json!({"asset_type": "software", "name": "CRM", "owner_id": f.user_id(Role::Admin),
                    "confidentiality": 2, "integrity": 2, "availability": 2}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    for body in [
        json!({"title": "Phishing wave", "severity": "medium", "category": "phishing",
               "detected_on": "2026-10-01", "assets": ["A-0001"], "controls": ["6.3"],
               "description": "=cmd|' /C calc'!A0"}),
        json!({"title": "Laptop lost", "severity": "high", "status": "closed",
               "detected_on": "2026-09-01", "closed_on": "2026-09-20",
               "root_cause": "left on a train", "lessons_learned": "encrypt; tag"}),
    ] {
        let (s, r) = c.post("/api/v1/orgs/acme/incidents", &body).await;
        assert_eq!(s, 201, "{r}");
    }
    fresh_org_like(&t, &f, "fresh").await;
    assert_round_trip(&t, &c, "acme", "fresh", &["assets", "incidents"]).await;

    // Bad rows: every one named, nothing written (the good row neither).
    let csv = "reference,title,severity,status,detected_on,closed_on,assets,controls\n\
        ,Fine row,low,open,2026-11-01,,,\n\
        ,,urgent,open,2026-11-01,,,\n\
        INC-001,Phishing wave,medium,open,2026-13-01,,A-0099,9.9\n\
        ,Closed high,high,closed,2026-11-01,2026-11-02,,\n";
    let before = t.count_rows("incidents").await;
    let (s, p) = import(&c, "acme", "incidents", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    let got = problems(&p);
    for want in [
        "lines[3].title",
        "lines[3].severity",
        "lines[4].detected_on",
        "lines[4].assets",
        "lines[4].controls",
        "lines[5].",
    ] {
        assert!(
            got.iter().any(|(f, _)| f.starts_with(want)),
            "{want} missing from {got:?}"
        );
    }
    assert!(got.iter().all(|(f, m)| m.starts_with(&format!(
        "line {}",
        f.trim_start_matches("lines[").split(']').next().unwrap()
    ))));
    assert_eq!(t.count_rows("incidents").await, before, "nothing written");

    // A dry run of a good edit says what would change and writes nothing.
    let csv = "reference,title,severity\nINC-001,Phishing wave (two days),medium\n,New one,low\n";
    let (s, r) = import(&c, "acme", "incidents", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], json!(["INC-001"]));
    assert_eq!(r["created"], json!(["INC-003"]));
    assert_eq!(t.count_rows("incidents").await, before);
    let (s, r) = import(&c, "acme", "incidents", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    let (_, one) = c.get("/api/v1/orgs/acme/incidents?limit=10").await;
    let titles: Vec<&str> = one["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Phishing wave (two days)") && titles.contains(&"New one"));

    // Another organisation's import cannot see or touch these.
    let o = t.org_with_roles("other").await;
    let oc = t.login(o.email(Role::Admin)).await;
    let (s, r) = import(&oc, "other", "incidents", false, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["INC-001", "INC-002"]), "{r}");
    let (s, _) = import(&oc, "acme", "incidents", true, csv.as_bytes().to_vec()).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn ciso_assistant_asset_sheet_imports_and_re_imports_unchanged() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let sheet = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/ciso-assistant/assets.csv"
    ))
    .unwrap();
    let (s, r) = import(&c, "acme", "assets", true, sheet.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], json!(["A-0001", "A-0002", "A-0003"]));
    let (s, r) = import(&c, "acme", "assets", false, sheet.clone()).await;
    assert_eq!(s, 200, "{r}");
    let (_, page) = c.get(ASSETS).await;
    let first = &page["items"][0];
    assert_eq!(first["name"], "Customer records");
    assert_eq!(first["asset_type"], "information");
    assert_eq!(first["confidentiality"], 3);
    assert_eq!(first["tags"], json!(["customer-facing", "gdpr"]));
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .ends_with("Observation: Kept in the EU region only")
    );
    assert_eq!(page["items"][1]["asset_type"], "software");
    assert_eq!(page["items"][1]["availability"], 3, "\"high\" is 3");
    // The same sheet again: matched by name, nothing changes.
    let (s, r) = import(&c, "acme", "assets", false, sheet).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 3, "{r}");
    // Without owners or objectives each row is refused on its own line.
    let bare = "ref_id,name,type\nAST-9,Backups,SP\nAST-10,,PR\n";
    let (s, p) = import(&c, "acme", "assets", false, bare.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{p}");
    let got = fields(&p);
    for want in [
        "lines[2].owner",
        "lines[2].confidentiality",
        "lines[3].name",
    ] {
        assert!(got.iter().any(|g| g == want), "{want} missing from {got:?}");
    }
    assert_eq!(t.count_rows("assets").await, 3);
}
