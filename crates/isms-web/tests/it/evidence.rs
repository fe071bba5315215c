//! Evidence through the API and the pages: upload and verified download, tampering,
//! size limits, tenant isolation, roles, versions, validity flags and coverage.

use isms_app::Settings;
use isms_domain::rbac::Role;
use isms_testkit::{Client, PASSWORD, TestApp};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const LIST: &str = "/api/v1/orgs/acme/evidence";

async fn upload(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    // The client claims HTML; the server must not believe it.
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("text/html")
        .unwrap();
    form = form.part("file", part);
    let r = c
        .request(Method::POST, path)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

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

/// Stored rows of a table, counted behind the application's back.
async fn count(t: &TestApp, table: &str) -> i64 {
    t.count_rows(table).await
}

async fn tamper(t: &TestApp, sha: &str) {
    let sql = if t.db.is_postgres() {
        format!(
            "UPDATE blobs SET data = convert_to('%PDF-1.4 forged', 'UTF8') WHERE sha256 = '{sha}'"
        )
    } else {
        format!("UPDATE blobs SET data = CAST('%PDF-1.4 forged' AS BLOB) WHERE sha256 = '{sha}'")
    };
    assert_eq!(t.exec_sql(&sql).await, 1);
}

/// Record a control's implementation status directly (the controls area owns the table).
async fn implementation(t: &TestApp, org: &str, control: &str, status: &str) {
    let (id, ts) = if t.db.is_postgres() {
        ("gen_random_uuid()", "TIMESTAMPTZ '2026-01-01T00:00:00Z'")
    } else {
        ("randomblob(16)", "0")
    };
    t.exec_sql(&format!(
        "INSERT INTO control_implementations (id, org_id, control_ref, sort_key, owner_id, status,
            implementation, due_on, monitoring, check_frequency, last_check_on, last_check_result,
            last_check_note, created_at, updated_at, version)
         VALUES ({id}, (SELECT id FROM organisations WHERE slug = '{org}'), '{control}', '{control}',
            NULL, '{status}', '', NULL, '', NULL, NULL, NULL, '', {ts}, {ts}, 1)"
    ))
    .await;
}

#[tokio::test]
async fn upload_then_download_gives_the_same_bytes_and_tampering_fails_loudly() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let pdf = b"%PDF-1.4\n% access review export\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n".to_vec();
    let (s, e) = upload(
        &c,
        LIST,
        &[
            ("title", "Quarterly access review Q3"),
            ("description", "Every production account reviewed."),
            ("collected_on", "2026-10-05"),
            ("period_from", "2026-07-01"),
            ("period_to", "2026-09-30"),
            ("valid_until", "2027-01-05"),
            ("controls", "5.15, A.5.18"),
            ("clauses", "9.1"),
        ],
        "../../etc/passwd.pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["reference"], "EV-0001");
    assert_eq!(e["kind"], "file");
    let file = &e["file"];
    assert_eq!(file["file_name"], "passwd.pdf");
    assert_eq!(
        file["content_type"], "application/pdf",
        "sniffed, not the client's"
    );
    assert_eq!(file["size"], pdf.len());
    let sha = isms_app::blobs::HashedBytes::of(pdf.clone())
        .hash()
        .to_string();
    assert_eq!(file["sha256"], sha.as_str());
    let labels: Vec<&str> = e["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["A.5.15", "A.5.18", "Clause 9.1"]);
    assert_eq!(e["collected_by"], f.user_id(Role::Contributor).to_string());
    let id = e["id"].as_str().unwrap().to_owned();

    // A viewer downloads the same bytes, as an attachment, with nosniff.
    let r = viewer
        .request(Method::GET, &format!("{LIST}/{id}/file"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"passwd.pdf\"; filename*=UTF-8''passwd.pdf"
    );
    assert_eq!(h["x-content-sha256"], sha.as_str());
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);

    // The same bytes again are stored once.
    let (s, e2) = upload(&c, LIST, &[("title", "Copy")], "copy.pdf", pdf.clone()).await;
    assert_eq!(s, 201, "{e2}");
    assert_eq!(count(&t, "blobs").await, 1);
    assert_eq!(t.app.verify_evidence_files().await.unwrap().broken, vec![]);

    // Tamper with the stored bytes: download fails loudly, verification names both items.
    tamper(&t, &sha).await;
    let r = viewer
        .request(Method::GET, &format!("{LIST}/{id}/file"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body = r.text().await.unwrap();
    assert!(!body.contains("forged"), "the bytes are not served: {body}");
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        p["type"],
        "https://isms-workbench.dev/problems/integrity-failure"
    );
    assert!(p["detail"].as_str().unwrap().contains("EV-0001"), "{p}");
    let check = t.app.verify_evidence_files().await.unwrap();
    assert_eq!(check.files_checked, 1);
    let broken: Vec<(String, String, String, String)> = check
        .broken
        .iter()
        .map(|b| {
            (
                b.org_slug.clone(),
                b.reference.clone(),
                b.title.clone(),
                b.sha256.clone(),
            )
        })
        .collect();
    assert_eq!(
        broken,
        vec![
            (
                "acme".into(),
                "EV-0001".into(),
                "Quarterly access review Q3".into(),
                sha.clone()
            ),
            ("acme".into(), "EV-0002".into(), "Copy".into(), sha.clone()),
        ]
    );
    // The page download fails loudly too.
    let b = browser(&t, f.email(Role::Viewer)).await;
    let r = b
        .get(format!("{}/o/acme/evidence/{id}/file", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let html = r.text().await.unwrap();
    assert!(html.contains("Stored file damaged"), "{html}");
    assert!(!html.contains("forged"));
}

#[tokio::test]
async fn oversized_uploads_are_413_and_store_nothing() {
    let t = TestApp::spawn_with(Settings {
        upload_limit_bytes: 64 * 1024,
        ..Settings::default()
    })
    .await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let (s, p) = upload(
        &c,
        LIST,
        &[("title", "Big")],
        "big.bin",
        vec![7u8; 64 * 1024 + 1],
    )
    .await;
    assert_eq!(s, 413, "{p}");
    assert_eq!(p["type"], "https://isms-workbench.dev/problems/too-large");
    assert!(p["detail"].as_str().unwrap().contains("64 KiB"), "{p}");
    // Much larger than the limit: still a clean 413.
    let (s, _) = upload(
        &c,
        LIST,
        &[("title", "Huge")],
        "huge.bin",
        vec![7u8; 3 * 1024 * 1024],
    )
    .await;
    assert_eq!(s, 413);
    assert_eq!(count(&t, "blobs").await, 0);
    assert_eq!(count(&t, "evidence").await, 0);
    // Exactly the limit is fine.
    let (s, e) = upload(
        &c,
        LIST,
        &[("title", "Just fits")],
        "fits.bin",
        vec![7u8; 64 * 1024],
    )
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["file"]["content_type"], "application/octet-stream");
    // Bad metadata with a good file: 422 and nothing stored.
    let (s, p) = upload(
        &c,
        LIST,
        &[
            ("title", " "),
            ("collected_on", "2026-10-05"),
            ("valid_until", "2026-10-01"),
            ("controls", "5.99"),
        ],
        "ok.txt",
        b"fine".to_vec(),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["title", "valid_until", "links[0]"]);
    let (s, p) = upload(
        &c,
        LIST,
        &[("title", "x"), ("colour", "red")],
        "ok.txt",
        b"x".to_vec(),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["colour".to_owned()]));
    let (s, p) = upload(&c, LIST, &[("title", "Empty")], "empty.txt", Vec::new()).await;
    assert_eq!((s, fields(&p)), (422, vec!["file".to_owned()]));
    assert_eq!(count(&t, "blobs").await, 1);
    assert_eq!(count(&t, "evidence").await, 1);

    // The upload page answers 413 as well.
    let b = browser(&t, f.email(Role::Admin)).await;
    let page = text_of(&b, format!("{}/o/acme/evidence", t.base)).await;
    assert!(page.contains("Up to 64 KiB"), "the page names the limit");
    let token = csrf(&page);
    let form = Form::new()
        .text("_csrf", token)
        .text("title", "Too big")
        .part("file", Part::bytes(vec![1u8; 70_000]).file_name("big.bin"));
    let r = b
        .post(format!("{}/o/acme/evidence", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(count(&t, "evidence").await, 1);
}

#[tokio::test]
async fn links_are_checked_roles_apply_and_other_organisations_see_nothing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;

    // Links: http(s) only; targets must exist; a file needs multipart.
    for (body, field) in [
        (json!({"title": "x", "url": "javascript:alert(1)"}), "url"),
        (json!({"title": "x", "url": "file:///etc/passwd"}), "url"),
        (json!({"title": "x"}), "url"),
        (json!({"title": "x", "kind": "file"}), "file"),
        (
            json!({"title": "x", "url": "https://t.example/1", "links": [{"kind": "control", "reference": "NW-99"}]}),
            "links[0]",
        ),
        (
            json!({"title": "x", "url": "https://t.example/1", "links": [{"kind": "clause", "reference": "9.1"}, {"kind": "risk", "reference": "R-999"}]}),
            "links[1]",
        ),
        (
            json!({"title": "x", "url": "https://t.example/1", "links": [{"kind": "audit", "reference": "A-1"}]}),
            "links[0]",
        ),
        (
            json!({"title": "x", "url": "https://t.example/1", "collected_by": other.user_id(Role::Admin)}),
            "collected_by",
        ),
        (
            json!({"title": "x", "url": "https://t.example/1", "colour": "red"}),
            "colour",
        ),
    ] {
        let (s, p) = c.post(LIST, &body).await;
        assert_eq!(s, 422, "{body} {p}");
        assert_eq!(fields(&p), [field], "{body}");
    }
    assert_eq!(count(&t, "evidence").await, 0);

    // A viewer cannot add evidence, neither as a link nor as a file (nothing stored).
    let (s, _) = viewer
        .post(LIST, &json!({"title": "x", "url": "https://t.example/1"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = upload(&viewer, LIST, &[("title", "x")], "a.txt", b"a".to_vec()).await;
    assert_eq!(s, 403);
    assert_eq!(count(&t, "blobs").await, 0);

    let (s, e) = c
        .post(
            LIST,
            &json!({"title": "Backup ticket", "url": "https://tickets.example.com/OPS-7",
                    "links": [{"kind": "control", "reference": "8.13"}, {"kind": "control", "reference": "a.8.13"}]}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(
        e["links"].as_array().unwrap().len(),
        1,
        "duplicates dropped"
    );
    let id = e["id"].as_str().unwrap().to_owned();
    let one = format!("{LIST}/{id}");

    // Links added and removed.
    let (s, e) = c
        .post(
            &format!("{one}/links"),
            &json!({"kind": "clause", "reference": "6.1.3"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["links"][1]["label"], "Clause 6.1.3");
    let (s, p) = c
        .post(
            &format!("{one}/links"),
            &json!({"kind": "clause", "reference": "11"}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), fields(&p)),
        (422, vec!["reference".to_owned()])
    );
    let (s, e) = c
        .send(Method::DELETE, &format!("{one}/links/control/8.13"), None)
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["links"].as_array().unwrap().len(), 1);
    let (s, _) = c
        .send(Method::DELETE, &format!("{one}/links/control/8.13"), None)
        .await;
    assert_eq!(s, 404);
    // A link has no file.
    let (s, _) = c.get(&format!("{one}/file")).await;
    assert_eq!(s, 404);

    // Stale version: 409 and nothing changed; bad fields named.
    let (s, e) = c
        .patch(&one, &json!({"title": "Backup ticket OPS-7", "version": 1}))
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["version"], 2);
    let (s, _) = c.patch(&one, &json!({"title": "Lost", "version": 1})).await;
    assert_eq!(s, 409);
    let (_, now) = c.get(&one).await;
    assert_eq!(now["title"], "Backup ticket OPS-7");
    let (s, p) = c
        .patch(
            &one,
            &json!({"period_from": "2026-09-01", "period_to": "2026-08-01", "url": "ftp://x", "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["url", "period_to"]);
    let (s, _) = viewer
        .patch(&one, &json!({"title": "V", "version": 2}))
        .await;
    assert_eq!(s, 403);

    // Another organisation: 404 for everything, nothing changed.
    let theirs = format!("/api/v1/orgs/other/evidence/{id}");
    for path in [&one, &format!("{one}/file"), &theirs] {
        let (s, p) = outsider.get(path).await;
        assert_eq!(s, 404, "{path} {p}");
    }
    let (s, _) = outsider
        .patch(&theirs, &json!({"title": "Hijack", "version": 2}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider.send(Method::DELETE, &theirs, None).await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .post(
            &format!("{theirs}/links"),
            &json!({"kind": "clause", "reference": "9.1"}),
        )
        .await;
    assert_eq!(s, 404);
    let (_, list) = outsider.get("/api/v1/orgs/other/evidence").await;
    assert_eq!(list["items"], json!([]));
    let (s, _) = c.get(&format!("{LIST}/not-an-id")).await;
    assert_eq!(s, 404);

    // Removal, recorded in the audit trail.
    let (s, _) = c.send(Method::DELETE, &one, None).await;
    assert_eq!(s, 204);
    let (s, _) = c.get(&one).await;
    assert_eq!(s, 404);
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, trail) = admin.get("/api/v1/orgs/acme/audit-trail?limit=100").await;
    let summaries: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "evidence")
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&"removed evidence EV-0001 \"Backup ticket OPS-7\""),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&"linked evidence EV-0001 to Clause 6.1.3"),
        "{summaries:?}"
    );
}

#[tokio::test]
async fn expiry_flags_history_filters_and_coverage() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    // Today is 2026-11-28.
    let add = |title: &'static str, valid: Option<&'static str>, controls: Vec<&'static str>| {
        let c = c.clone();
        async move {
            let links: Vec<Value> = controls
                .iter()
                .map(|r| json!({"kind": "control", "reference": r}))
                .collect();
            let (s, e) = c
                .post(
                    LIST,
                    &json!({"title": title, "url": "https://t.example/x", "collected_on": "2026-01-10",
                            "valid_until": valid, "links": links}),
                )
                .await;
            assert_eq!(s, 201, "{e}");
            e
        }
    };
    let old = add("Restore test 2025", Some("2026-06-30"), vec!["8.13"]).await;
    let soon = add("Restore test H1", Some("2026-12-20"), vec!["8.13", "5.15"]).await;
    let later = add("Access review", Some("2027-06-30"), vec!["5.15"]).await;
    let forever = add("Policy page", None, vec!["5.1"]).await;
    let expired_only = add("Old supplier list", Some("2026-11-27"), vec!["5.19"]).await;
    assert_eq!(
        (old["expired"].as_bool(), old["expiring_soon"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(soon["expiring_soon"], true);
    assert_eq!(soon["expired"], false);
    assert_eq!(later["expiring_soon"], false);
    assert_eq!(forever["expired"], false);
    assert_eq!(expired_only["expired"], true);

    let refs = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, h) = c.get(&format!("{LIST}?control=A.8.13")).await;
    assert_eq!(
        refs(&h),
        ["EV-0002", "EV-0001"],
        "history newest first, expired included"
    );
    let (_, x) = c.get(&format!("{LIST}?expired=true")).await;
    assert_eq!(refs(&x), ["EV-0005", "EV-0001"]);
    let (_, x) = c.get(&format!("{LIST}?expiring=true")).await;
    assert_eq!(refs(&x), ["EV-0002"]);
    let (_, x) = c.get(&format!("{LIST}?kind=file")).await;
    assert_eq!(refs(&x), Vec::<String>::new());
    let (_, p1) = c.get(&format!("{LIST}?limit=2")).await;
    assert_eq!(refs(&p1), ["EV-0005", "EV-0004"]);
    let (_, p2) = c
        .get(&format!(
            "{LIST}?limit=2&cursor={}",
            p1["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(refs(&p2), ["EV-0003", "EV-0002"]);
    for (q, field) in [
        ("control=9.99", "control"),
        ("kind=pdf", "kind"),
        ("risk=x", "risk"),
        ("control=5.1&clause=9.1", "control"),
        ("cursor=!!", "cursor"),
        ("expired=maybe", "expired"),
    ] {
        let (s, p) = c.get(&format!("{LIST}?{q}")).await;
        assert_eq!(
            (s.as_u16(), fields(&p)),
            (422, vec![field.to_owned()]),
            "{q}"
        );
    }
    let history = t
        .app
        .evidence_for_control(&t.app.org_for_cli("acme").await.unwrap(), "5.15")
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|e| e.reference.as_str())
            .collect::<Vec<_>>(),
        ["EV-0003", "EV-0002"]
    );

    // Coverage: implemented controls without current evidence, with the latest expired.
    let (_, cov) = c.get(&format!("{LIST}/coverage")).await;
    assert_eq!(cov["claimed"], 0);
    for (control, status) in [
        ("5.15", "implemented"),
        ("8.13", "partially_implemented"),
        ("5.19", "implemented"),
        ("5.23", "implemented"),
        ("5.1", "implemented"),
        ("5.9", "planned"),
    ] {
        implementation(&t, "acme", control, status).await;
    }
    let uncovered = |cov: &Value| -> Vec<(String, Option<String>)> {
        cov["uncovered"]
            .as_array()
            .unwrap_or_else(|| panic!("{cov}"))
            .iter()
            .map(|u| {
                (
                    u["control_ref"].as_str().unwrap().to_owned(),
                    u["latest_expired"]["reference"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let (_, cov) = c.get(&format!("{LIST}/coverage")).await;
    assert_eq!(cov["claimed"], 5, "{cov}");
    assert_eq!(
        uncovered(&cov),
        [
            ("5.19".into(), Some("EV-0005".into())),
            ("5.23".into(), None)
        ]
    );
    // Three weeks on, EV-0002 has expired: 8.13 has only expired evidence left.
    t.clock.advance_days(23);
    let c = t.login(f.email(Role::IsmsManager)).await;
    let (_, cov) = c.get(&format!("{LIST}/coverage")).await;
    let got = uncovered(&cov);
    assert!(
        got.contains(&("8.13".into(), Some("EV-0002".into()))),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(r, _)| r == "5.15"),
        "5.15 still has EV-0003"
    );
    // Another organisation's implementations and evidence do not count.
    let other = t.org_with_roles("other").await;
    implementation(&t, "other", "5.15", "implemented").await;
    let o = t.login(other.email(Role::Admin)).await;
    let (_, cov) = o.get("/api/v1/orgs/other/evidence/coverage").await;
    assert_eq!(uncovered(&cov), [("5.15".into(), None)]);
}

async fn text_of(b: &reqwest::Client, url: String) -> String {
    b.get(url).send().await.unwrap().text().await.unwrap()
}

fn csrf(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with _csrf");
    html[i + 20..].split('"').next().unwrap().to_owned()
}

async fn browser(t: &TestApp, email: &str) -> reqwest::Client {
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = b
        .post(format!("{}/login", t.base))
        .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    b
}

#[tokio::test]
async fn the_pages_upload_with_csrf_link_show_history_and_download() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = browser(&t, f.email(Role::Contributor)).await;
    let page = text_of(&b, format!("{}/o/acme/evidence?control=5.15", t.base)).await;
    assert!(page.contains("Evidence for A.5.15"), "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(
        page.contains("value=\"5.15\""),
        "the upload form names the control"
    );
    let token = csrf(&page);
    let csv = b"user,role,kept\nana,admin,yes\n".to_vec();
    let form = |tok: Option<&str>| {
        let mut form = Form::new();
        if let Some(t) = tok {
            form = form.text("_csrf", t.to_owned());
        }
        form.text("title", "Access review <Q3>")
            .text("controls", "5.15")
            .text("valid_until", "2027-03-31")
            .part(
                "file",
                Part::bytes(csv.clone()).file_name("C:\\exports\\review.csv"),
            )
    };
    // Without the token: refused, nothing stored.
    let r = b
        .post(format!("{}/o/acme/evidence", t.base))
        .multipart(form(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .post(format!("{}/o/acme/evidence", t.base))
        .multipart(form(Some("wrong")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(count(&t, "evidence").await, 0);
    assert_eq!(count(&t, "blobs").await, 0);
    let r = b
        .post(format!("{}/o/acme/evidence", t.base))
        .multipart(form(Some(&token)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with("/o/acme/evidence/"), "{loc}");
    let item = text_of(&b, format!("{}{loc}", t.base)).await;
    assert!(
        item.contains("EV-0001 Access review &#60;Q3&#62;"),
        "escaped: {item}"
    );
    assert!(item.contains("review.csv"));
    assert!(item.contains("text/csv"));
    let sha = isms_app::blobs::HashedBytes::of(csv.clone())
        .hash()
        .to_string();
    assert!(item.contains(&sha));
    // Link it to a clause on its page, then see it in the control's history.
    let r = b
        .post(format!("{}{loc}/links", t.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("kind", "clause"),
            ("reference", "9.1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let hist = text_of(&b, format!("{}/o/acme/evidence?control=5.15", t.base)).await;
    assert!(
        hist.contains("EV-0001") && hist.contains("Clause 9.1"),
        "{hist}"
    );
    let dl = b.get(format!("{}{loc}/file", t.base)).send().await.unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        dl.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("review.csv")
    );
    assert_eq!(dl.bytes().await.unwrap().to_vec(), csv);
    // A link through its form; a bad one comes back with the field named.
    let r = b
        .post(format!("{}/o/acme/evidence/link", t.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Ticket"),
            ("url", "javascript:alert(1)"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("must start with https://"));
    let r = b
        .post(format!("{}/o/acme/evidence/link", t.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Ticket"),
            ("url", "https://tickets.example.com/ISMS-1"),
            ("controls", "5.15"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Metadata edit with a stale version: 409, nothing changed.
    let r = b
        .post(format!("{}{loc}", t.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Renamed"),
            ("collected_on", "2026-11-28"),
            ("version", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // The export lists both.
    let csv_export = text_of(&b, format!("{}/o/acme/evidence/export?format=csv", t.base)).await;
    assert!(
        csv_export.contains("EV-0001") && csv_export.contains("EV-0002"),
        "{csv_export}"
    );
    assert!(csv_export.contains(&sha));
}
