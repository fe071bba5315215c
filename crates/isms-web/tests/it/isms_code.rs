//! ISMS as code: the whole organisation as YAML files, the zip download, and the import
//! (new organisation, plan, confirmation, hostile files). Runs on SQLite and PostgreSQL.

use isms_app::Actor;
use isms_app::isms_code::ImportMode;
use isms_app::orgs::NewOrg;
use isms_app::progress::NoProgress;
use isms_domain::isms_code::FileSet;
use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use std::io::Read;

async fn new_org(t: &TestApp, slug: &str) -> isms_app::orgs::OrgCtx {
    t.app
        .create_org(
            Actor::Cli,
            &NewOrg {
                name: format!("Org {slug}"),
                slug: Some(slug.into()),
                employees: 5,
                sites: None,
                other_management_system: None,
            },
        )
        .await
        .unwrap();
    t.app.org_for_cli(slug).await.unwrap()
}

async fn export(t: &TestApp, slug: &str) -> FileSet {
    let ctx = t.app.org_for_cli(slug).await.unwrap();
    t.app.export_yaml(&ctx, &NoProgress).await.unwrap()
}

fn text(f: &FileSet, p: &str) -> String {
    String::from_utf8(f[p].clone()).unwrap()
}

#[tokio::test]
async fn demo_round_trips_byte_for_byte_and_updates_show_a_plan() {
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let a = export(&t, "northwind").await;
    assert_eq!(a, export(&t, "northwind").await, "two exports differ");
    for f in [
        "README.md",
        "risks.yaml",
        "assets.yaml",
        "soa_entries.yaml",
        "users.yaml",
    ] {
        assert!(a.contains_key(f), "{f} missing: {:?}", a.keys());
    }
    assert!(
        a.keys().any(|k| k.starts_with("files/")),
        "no evidence files"
    );
    assert!(a.keys().any(|k| k.starts_with("document_versions/")));
    let readme = text(&a, "README.md");
    assert!(readme.contains("isms-as-code format version 1"), "{readme}");
    assert!(readme.contains("audit trail"), "{readme}");
    let all: String = a
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(!all.contains("$argon2"), "a password hash was exported");

    // Into a new organisation: everything is created, and its export is the same bytes.
    let b = new_org(&t, "copy").await;
    let r = t
        .app
        .import_yaml(Actor::Cli, &b, &a, ImportMode::Apply, &NoProgress)
        .await
        .unwrap();
    assert!(r.was_empty && r.applied, "{r:?}");
    let b_files = export(&t, "copy").await;
    for (p, bytes) in &a {
        assert_eq!(
            Some(bytes),
            b_files.get(p),
            "{p} differs after the round trip"
        );
    }
    assert_eq!(a.len(), b_files.len());
    // The source is untouched and still its own.
    assert_eq!(a, export(&t, "northwind").await);

    // The same files again: nothing to change.
    let r = t
        .app
        .import_yaml(Actor::Cli, &b, &a, ImportMode::Apply, &NoProgress)
        .await
        .unwrap();
    assert!(r.plan.is_empty() && !r.applied, "{:?}", r.plan);

    // A changed title, a removed tag: a plan, applied only when confirmed.
    let mut edited = a.clone();
    let risks = text(&a, "risks.yaml");
    let first_title = risks
        .lines()
        .find(|l| l.starts_with("  title: "))
        .unwrap()
        .to_owned();
    edited.insert(
        "risks.yaml".into(),
        risks
            .replacen(&first_title, "  title: Renamed in git", 1)
            .into_bytes(),
    );
    edited.insert("asset_tags.yaml".into(), b"[]\n".to_vec());
    let r = t
        .app
        .import_yaml(Actor::Cli, &b, &edited, ImportMode::Apply, &NoProgress)
        .await
        .unwrap();
    assert!(!r.applied && !r.was_empty);
    let risks_plan = r
        .plan
        .files
        .iter()
        .find(|f| f.file == "risks.yaml")
        .unwrap();
    assert_eq!(risks_plan.changed, ["R-001"]);
    assert!(risks_plan.added.is_empty() && risks_plan.removed.is_empty());
    let tags_plan = r
        .plan
        .files
        .iter()
        .find(|f| f.file == "asset_tags.yaml")
        .unwrap();
    assert!(!tags_plan.removed.is_empty());
    assert_eq!(
        b_files,
        export(&t, "copy").await,
        "the plan wrote something"
    );
    let dry = t
        .app
        .import_yaml(Actor::Cli, &b, &edited, ImportMode::DryRun, &NoProgress)
        .await
        .unwrap();
    assert!(!dry.applied);
    let before = t.count_rows("audit_entries").await;
    let r = t
        .app
        .import_yaml(
            Actor::Cli,
            &b,
            &edited,
            ImportMode::ApplyConfirmed,
            &NoProgress,
        )
        .await
        .unwrap();
    assert!(r.applied);
    assert_eq!(
        t.count_rows("audit_entries").await,
        before + 1,
        "one audit entry"
    );
    let after = export(&t, "copy").await;
    assert!(text(&after, "risks.yaml").contains("title: Renamed in git"));
    assert_eq!(text(&after, "asset_tags.yaml"), "[]\n");
    assert_eq!(after["assets.yaml"], a["assets.yaml"]);
}

/// The risks file with the first risk's owner replaced.
fn set_owner(risks: &str, owner: &str) -> String {
    let old = risks
        .lines()
        .find(|l| l.starts_with("  owner_id: "))
        .unwrap();
    risks.replacen(old, &format!("  owner_id: {owner}"), 1)
}

#[tokio::test]
async fn hostile_files_write_nothing_and_name_file_line_field() {
    let t = TestApp::spawn().await;
    t.app.load_demo(Some("northwind")).await.unwrap();
    let a = export(&t, "northwind").await;
    let target = new_org(&t, "target").await;
    let empty = export(&t, "target").await;
    let risks = text(&a, "risks.yaml");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "risks.yaml",
            "- key: R-001\n  title: [\n".into(),
            "risks.yaml line",
        ),
        (
            "risks.yaml",
            risks.replacen("  number: 1\n", "  number: first\n", 1),
            "field number: expected a whole number",
        ),
        (
            "risks.yaml",
            risks.replacen("  number: 1\n", "  number: 1\n  colour: red\n", 1),
            "field colour: unknown field",
        ),
        (
            "risks.yaml",
            format!(
                "{risks}{}",
                risks
                    .lines()
                    .take(3)
                    .map(|l| format!("{l}\n"))
                    .collect::<String>()
            ),
            "is used twice",
        ),
        (
            "risks.yaml",
            set_owner(&risks, "people/ghost"),
            "people/ghost is not a record of this export",
        ),
        (
            "risks.yaml",
            risks.replacen("  number: 1\n", "  number: 1\n  number: 2\n", 1),
            "risks.yaml line 3",
        ),
        (
            "risks.yaml",
            format!(
                "- key: R-001\n  description: {}{}\n",
                "[".repeat(300),
                "]".repeat(300)
            ),
            "risks.yaml line",
        ),
    ];
    for (file, body, expect) in cases {
        let mut f = a.clone();
        f.insert(file.into(), body.into_bytes());
        let e = t
            .app
            .import_yaml(Actor::Cli, &target, &f, ImportMode::Apply, &NoProgress)
            .await
            .expect_err(expect);
        let msg = e.to_string();
        assert!(msg.contains(expect), "expected {expect:?} in {msg}");
        assert!(matches!(e, isms_app::AppError::Validation(_)), "{e:?}");
        assert_eq!(empty, export(&t, "target").await, "something was written");
    }
    // A reference that passes the checks but breaks the database (a risk owned by a
    // row of another table) still writes nothing.
    let mut f = a.clone();
    f.insert(
        "risks.yaml".into(),
        set_owner(&risks, "assets/A-0001").into_bytes(),
    );
    if t.app
        .import_yaml(Actor::Cli, &target, &f, ImportMode::Apply, &NoProgress)
        .await
        .is_err()
    {
        assert_eq!(empty, export(&t, "target").await, "something was written");
    }
}

#[tokio::test]
async fn zip_download_is_admin_only_deterministic_and_never_another_orgs() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let admin = t.login(f.email(Role::Admin)).await;
    let get = |c: &isms_testkit::Client, path: &str| {
        let r = c.request(reqwest::Method::GET, path);
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
        }
    };
    let (s, zip1) = get(&admin, "/api/v1/orgs/acme/exports/yaml").await;
    assert_eq!(s, 200);
    let (_, zip2) = get(&admin, "/api/v1/orgs/acme/exports/yaml").await;
    assert_eq!(zip1, zip2, "two downloads differ");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip1)).unwrap();
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        names.contains(&"acme-isms-as-code/README.md".to_owned()),
        "{names:?}"
    );
    assert!(names.contains(&"acme-isms-as-code/memberships.yaml".to_owned()));
    let mut members = String::new();
    z.by_name("acme-isms-as-code/memberships.yaml")
        .unwrap()
        .read_to_string(&mut members)
        .unwrap();
    assert!(members.contains(f.email(Role::Viewer)), "{members}");
    assert!(
        !members.contains(other.email(Role::Viewer)),
        "another organisation's member"
    );
    let other_admin = t.login(other.email(Role::Admin)).await;
    assert_eq!(
        get(&other_admin, "/api/v1/orgs/acme/exports/yaml").await.0,
        404
    );
    let viewer = t.login(f.email(Role::Viewer)).await;
    assert_eq!(get(&viewer, "/api/v1/orgs/acme/exports/yaml").await.0, 403);
    // The settings page offers it, and the link answers with the zip.
    let web = crate::html::Browser::new(&t.base);
    web.login(f.email(Role::Admin)).await;
    let (s, page) = web.get("/o/acme/settings").await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Download the ISMS as code (YAML, zip)"),
        "{page}"
    );
    assert!(page.contains("/o/acme/settings/isms-as-code.zip"));
    let (s, _) = web.get("/o/acme/settings/isms-as-code.zip").await;
    assert_eq!(s, 200);
}
