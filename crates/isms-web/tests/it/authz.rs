//! The authorisation matrix: every API route × every role × a user of another
//! organisation × no credentials. It fails when a route exists that it does not cover.

use isms_domain::rbac::Role;
use isms_testkit::{Client, OrgFixture, PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Role(Role),
    /// Administrator of another organisation.
    Outsider,
}

struct Case {
    method: Method,
    /// OpenAPI path template, to check coverage.
    template: &'static str,
    /// Expected status per caller.
    expect: Box<dyn Fn(Who) -> u16>,
}

async fn fetch_version(c: &Client, path: &str) -> i64 {
    c.get(path).await.1["version"].as_i64().unwrap_or(1)
}

/// Run one call for `who` and return the status.
#[allow(clippy::too_many_arguments)]
async fn call(
    t: &TestApp,
    admin: &Client,
    f: &OrgFixture,
    other: &OrgFixture,
    c: &Client,
    who: Who,
    case: &Case,
    n: usize,
) -> StatusCode {
    let org = f.org.slug.as_str();
    let target_member = f.membership(Role::Viewer);
    let uniq = format!(
        "{}-{n}",
        match who {
            Who::Role(r) => r.as_str(),
            Who::Outsider => "outsider",
        }
    );
    let (path, body): (String, Option<Value>) = match case.template {
        "/api/v1/auth/login" => (
            "/api/v1/auth/login".into(),
            Some(json!({"email": "x@example.com", "password": "wrong password here"})),
        ),
        "/api/v1/auth/logout" => ("/api/v1/auth/logout".into(), Some(json!({}))),
        "/api/v1/auth/me" => ("/api/v1/auth/me".into(), None),
        "/api/v1/orgs" if case.method == Method::POST => (
            "/api/v1/orgs".into(),
            Some(json!({"name": format!("New {uniq}"), "employees": 3})),
        ),
        "/api/v1/orgs" => ("/api/v1/orgs".into(), None),
        "/api/v1/orgs/{org}" if case.method == Method::PATCH => {
            let v = fetch_version(admin, &format!("/api/v1/orgs/{org}")).await;
            (
                format!("/api/v1/orgs/{org}"),
                Some(json!({"employees": 60 + n, "version": v})),
            )
        }
        "/api/v1/orgs/{org}" => (format!("/api/v1/orgs/{org}"), None),
        "/api/v1/orgs/{org}/dashboard" => (format!("/api/v1/orgs/{org}/dashboard"), None),
        "/api/v1/orgs/{org}/exports/yaml" => (format!("/api/v1/orgs/{org}/exports/yaml"), None),
        "/api/v1/overview" => ("/api/v1/overview".into(), None),
        "/api/v1/orgs/{org}/members" if case.method == Method::POST => (
            format!("/api/v1/orgs/{org}/members"),
            Some(
                json!({"email": format!("{uniq}@new.test"), "role": "viewer", "name": "New", "password": PASSWORD}),
            ),
        ),
        "/api/v1/orgs/{org}/members" => (format!("/api/v1/orgs/{org}/members"), None),
        "/api/v1/orgs/{org}/members/{id}" if case.method == Method::PATCH => {
            let v = fetch_version(
                admin,
                &format!("/api/v1/orgs/{org}/members/{target_member}"),
            )
            .await;
            (
                format!("/api/v1/orgs/{org}/members/{target_member}"),
                Some(json!({"role": "viewer", "version": v})),
            )
        }
        "/api/v1/orgs/{org}/members/{id}" if case.method == Method::DELETE => {
            // A fresh member to delete each time.
            let (_, m) = admin.post(&format!("/api/v1/orgs/{org}/members"), &json!({"email": format!("del-{uniq}@new.test"), "role": "viewer", "name": "Del", "password": PASSWORD})).await;
            (
                format!("/api/v1/orgs/{org}/members/{}", m["id"].as_str().unwrap()),
                None,
            )
        }
        "/api/v1/orgs/{org}/members/{id}" => {
            (format!("/api/v1/orgs/{org}/members/{target_member}"), None)
        }
        "/api/v1/orgs/{org}/audit-trail" => (format!("/api/v1/orgs/{org}/audit-trail"), None),
        "/api/v1/orgs/{org}/audit-trail/verify" => {
            (format!("/api/v1/orgs/{org}/audit-trail/verify"), None)
        }
        "/api/v1/users" if case.method == Method::POST => (
            "/api/v1/users".into(),
            Some(json!({"email": format!("{uniq}@users.test"), "name": "U", "password": PASSWORD})),
        ),
        "/api/v1/users" => ("/api/v1/users".into(), None),
        "/api/v1/users/{id}" if case.method == Method::PATCH => (
            format!("/api/v1/users/{}", other.user_id(Role::Viewer)),
            Some(json!({"name": "Renamed", "version": 1})),
        ),
        "/api/v1/users/{id}" => (
            format!("/api/v1/users/{}", other.user_id(Role::Viewer)),
            None,
        ),
        "/api/v1/me/password" => (
            "/api/v1/me/password".into(),
            Some(json!({"current_password": "wrong", "new_password": "another long passphrase"})),
        ),
        "/api/v1/tokens" if case.method == Method::POST => {
            ("/api/v1/tokens".into(), Some(json!({"name": "t"})))
        }
        "/api/v1/tokens" => ("/api/v1/tokens".into(), None),
        "/api/v1/tokens/{id}" => {
            // Someone else's token: never visible.
            let owner = t.login(other.email(Role::Contributor)).await;
            let (_, tok) = owner
                .post("/api/v1/tokens", &json!({"name": "theirs"}))
                .await;
            (
                format!("/api/v1/tokens/{}", tok["id"].as_str().unwrap()),
                None,
            )
        }
        "/api/v1/sessions" => ("/api/v1/sessions".into(), None),
        "/api/v1/sessions/{id}" => {
            let owner = t.login(other.email(Role::Contributor)).await;
            let (_, list) = owner.get("/api/v1/sessions").await;
            (
                format!("/api/v1/sessions/{}", list[0]["id"].as_str().unwrap()),
                None,
            )
        }
        "/api/v1/audit-trail" => ("/api/v1/audit-trail".into(), None),
        t if t.starts_with("/api/v1/orgs/{org}/assets")
            || t.starts_with("/api/v1/orgs/{org}/data-flow") =>
        {
            let assets = format!("/api/v1/orgs/{org}/assets");
            let flows = format!("/api/v1/orgs/{org}/data-flows");
            let fresh = || async {
                let (s, a) = admin
                    .post(
                        &assets,
                        &json!({"asset_type": "software", "name": format!("Asset {uniq}"),
                                "owner_id": f.user_id(Role::Admin),
                                "confidentiality": 2, "integrity": 2, "availability": 2}),
                    )
                    .await;
                assert_eq!(s, 201, "{a}");
                a["id"].as_str().unwrap().to_owned()
            };
            let fresh_flow = || async {
                let (from, to) = (fresh().await, fresh().await);
                let (s, fl) = admin
                    .post(
                        &flows,
                        &json!({"from_asset_id": from, "to_asset_id": to, "data_category": "Logs",
                                "mechanism": "api", "encrypted": true}),
                    )
                    .await;
                assert_eq!(s, 201, "{fl}");
                fl["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/assets") => (
                    assets.clone(),
                    Some(json!({"asset_type": "site", "name": format!("By {uniq}"),
                               "owner_id": f.user_id(Role::Contributor),
                               "confidentiality": 1, "integrity": 1, "availability": 3})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/assets") => {
                    (format!("{assets}?type=software&limit=5"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/assets/bulk") => (
                    format!("{assets}/bulk"),
                    Some(json!({"ids": [fresh().await], "add_tags": ["matrix"]})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/assets/{id}") => {
                    (format!("{assets}/{}", fresh().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/assets/{id}") => (
                    format!("{assets}/{}", fresh().await),
                    Some(json!({"location": format!("Moved by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/assets/{id}") => {
                    (format!("{assets}/{}", fresh().await), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/data-flows") => {
                    let (from, to) = (fresh().await, fresh().await);
                    (
                        flows.clone(),
                        Some(
                            json!({"from_asset_id": from, "to_asset_id": to, "data_category": "Backups",
                                   "mechanism": "file_transfer", "encrypted": false}),
                        ),
                    )
                }
                (Method::GET, "/api/v1/orgs/{org}/data-flows") => (flows.clone(), None),
                (Method::GET, "/api/v1/orgs/{org}/data-flows/{id}") => {
                    (format!("{flows}/{}", fresh_flow().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/data-flows/{id}") => (
                    format!("{flows}/{}", fresh_flow().await),
                    Some(json!({"encrypted": false, "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/data-flows/{id}") => {
                    (format!("{flows}/{}", fresh_flow().await), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/data-flow-diagram") => (
                    format!(
                        "/api/v1/orgs/{org}/data-flow-diagram?asset_id={}",
                        fresh().await
                    ),
                    None,
                ),
                other => panic!("no asset call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/tasks")
            || t == "/api/v1/orgs/{org}/gap-assessments/{id}/tasks" =>
        {
            let fresh = || async {
                let (_, task) = admin
                    .post(
                        &format!("/api/v1/orgs/{org}/tasks"),
                        &json!({"title": format!("Task {uniq}"), "due_on": "2027-01-31"}),
                    )
                    .await;
                task["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/tasks") => (
                    format!("/api/v1/orgs/{org}/tasks"),
                    Some(json!({"title": format!("By {uniq}")})),
                ),
                (Method::POST, _) => {
                    let (_, a) = admin
                        .post(
                            &format!("/api/v1/orgs/{org}/gap-assessments"),
                            &json!({"title": "For tasks"}),
                        )
                        .await;
                    (
                        format!(
                            "/api/v1/orgs/{org}/gap-assessments/{}/tasks",
                            a["id"].as_str().unwrap()
                        ),
                        Some(json!({})),
                    )
                }
                (Method::GET, "/api/v1/orgs/{org}/tasks") => {
                    (format!("/api/v1/orgs/{org}/tasks?status=open"), None)
                }
                (Method::GET, _) => (format!("/api/v1/orgs/{org}/tasks/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("/api/v1/orgs/{org}/tasks/{}", fresh().await),
                    Some(json!({"status": "in_progress", "version": 1})),
                ),
                (Method::DELETE, _) => {
                    (format!("/api/v1/orgs/{org}/tasks/{}", fresh().await), None)
                }
                other => panic!("no task call for {other:?}"),
            }
        }
        "/api/v1/catalogue/threats" => ("/api/v1/catalogue/threats".into(), None),
        "/api/v1/catalogue/vulnerabilities" => ("/api/v1/catalogue/vulnerabilities".into(), None),
        t if t.starts_with("/api/v1/orgs/{org}/risk-library") => {
            let list = format!("/api/v1/orgs/{org}/risk-library/threats");
            let fresh = || async {
                let (s, r) = admin
                    .post(
                        &list,
                        &json!({"name": format!("Threat {uniq}"), "category": "cloud"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["code"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/risk-library/{kind}") => (
                    list.clone(),
                    Some(json!({"name": format!("By {uniq}"), "category": "people"})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/risk-library/{kind}") => (
                    format!("/api/v1/orgs/{org}/risk-library/vulnerabilities?category=cloud"),
                    None,
                ),
                (Method::POST, _) => (format!("{list}/T05/reset"), None),
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"description": format!("Seen by {uniq}."), "version": 1})),
                ),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no risk-library call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/soa") => {
            let list = format!("/api/v1/orgs/{org}/soa");
            // One draft at a time: reuse the open draft, or start one (a copy of the
            // approved version once there is one).
            let draft = || async {
                let (_, all) = admin.get(&list).await;
                let open = all["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|v| v["status"] == "draft")
                    .cloned();
                let d = match open {
                    Some(v) => v,
                    None => admin.post(&list, &json!({})).await.1,
                };
                d["number"].as_i64().unwrap()
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/soa") => {
                    let n = draft().await;
                    admin.delete(&format!("{list}/{n}")).await;
                    (
                        list.clone(),
                        Some(json!({"change_note": format!("By {uniq}")})),
                    )
                }
                (Method::GET, "/api/v1/orgs/{org}/soa") => (list.clone(), None),
                (Method::GET, "/api/v1/orgs/{org}/soa/diff") => {
                    let n = draft().await;
                    (format!("{list}/diff?from={n}&to={n}"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/soa/{number}") => {
                    (format!("{list}/{}?show=incomplete", draft().await), None)
                }
                (Method::DELETE, _) => (format!("{list}/{}", draft().await), None),
                (Method::GET, "/api/v1/orgs/{org}/soa/{number}/export") => {
                    (format!("{list}/{}/export?format=md", draft().await), None)
                }
                (Method::GET, _) => (format!("{list}/{}/entries/5.1", draft().await), None),
                (Method::PATCH, _) => {
                    let n = draft().await;
                    let v =
                        admin.get(&format!("{list}/{n}/entries/5.1")).await.1["entry"]["version"]
                            .clone();
                    (
                        format!("{list}/{n}/entries/5.1"),
                        Some(
                            json!({"applicable": "yes", "inclusion_note": format!("By {uniq}"), "version": v}),
                        ),
                    )
                }
                (Method::POST, "/api/v1/orgs/{org}/soa/{number}/approve") => {
                    let n = draft().await;
                    // Complete it once; later drafts copy the approved version.
                    let (_, d) = admin.get(&format!("{list}/{n}?show=incomplete")).await;
                    for e in d["entries"].as_array().unwrap() {
                        let ctl = e["control"].as_str().unwrap();
                        admin
                            .patch(
                                &format!("{list}/{n}/entries/{ctl}"),
                                &json!({"applicable": "yes", "inclusion_note": "Baseline", "version": e["version"]}),
                            )
                            .await;
                    }
                    let v = admin.get(&format!("{list}/{n}")).await.1["version"].clone();
                    (format!("{list}/{n}/approve"), Some(json!({"version": v})))
                }
                (Method::POST, "/api/v1/orgs/{org}/soa/import") => (
                    format!("{list}/import?dry_run=true"),
                    Some(json!({"content": "control,applicable,justification\n5.1,yes,Policy\n"})),
                ),
                other => panic!("no SoA call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/certification")
            || t.starts_with("/api/v1/orgs/{org}/certificates")
            || t == "/api/v1/orgs/{org}/exports/stage1-pack" =>
        {
            let base = format!("/api/v1/orgs/{org}");
            let tag = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (&uniq, case.template, case.method.as_str()).hash(&mut h);
                format!("{:012X}", h.finish() & 0xFFFF_FFFF_FFFF)
            };
            let new_body = || async {
                let (s, r) = admin
                    .post(
                        &format!("{base}/certification-bodies"),
                        &json!({"name": format!("CB {tag}")}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let audit = |body: &str| {
                json!({"body_id": body, "kind": "stage1", "planned_start": "2027-01-10",
                       "planned_end": "2027-01-11", "auditor_days": 3})
            };
            let cert = |body: &str| {
                json!({"body_id": body, "certificate_no": format!("C-{tag}"),
                       "decision_on": "2026-03-10"})
            };
            let new_audit = || async {
                let b = new_body().await;
                let (s, r) = admin
                    .post(&format!("{base}/certification-audits"), &audit(&b))
                    .await;
                assert_eq!(s, 201, "{r}");
                (b, r["reference"].as_str().unwrap().to_owned())
            };
            let new_cert = || async {
                let b = new_body().await;
                let (s, r) = admin.post(&format!("{base}/certificates"), &cert(&b)).await;
                assert_eq!(s, 201, "{r}");
                (b, r["id"].as_str().unwrap().to_owned())
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/certification/calendar.ics") => {
                    (format!("{base}/certification/calendar.ics"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/exports/stage1-pack") => {
                    (format!("{base}/exports/stage1-pack"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/certification/cycle") => {
                    (format!("{base}/certification/cycle"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/certification/audit-time") => (
                    format!("{base}/certification/audit-time?personnel=60&business=high"),
                    None,
                ),
                (Method::GET, "/api/v1/orgs/{org}/certification-bodies") => {
                    (format!("{base}/certification-bodies?limit=5"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/certification-bodies") => (
                    format!("{base}/certification-bodies"),
                    Some(json!({"name": format!("CB {tag}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/certification-bodies/{id}") => (
                    format!("{base}/certification-bodies/{}", new_body().await),
                    None,
                ),
                (Method::PATCH, "/api/v1/orgs/{org}/certification-bodies/{id}") => (
                    format!("{base}/certification-bodies/{}", new_body().await),
                    Some(json!({"notes": format!("By {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/certification-bodies/{id}") => (
                    format!("{base}/certification-bodies/{}", new_body().await),
                    None,
                ),
                (Method::GET, "/api/v1/orgs/{org}/certification-audits") => {
                    (format!("{base}/certification-audits?limit=5"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/certification-audits") => (
                    format!("{base}/certification-audits"),
                    Some(audit(&new_body().await)),
                ),
                (Method::GET, "/api/v1/orgs/{org}/certification-audits/{reference}") => (
                    format!("{base}/certification-audits/{}", new_audit().await.1),
                    None,
                ),
                (Method::PATCH, "/api/v1/orgs/{org}/certification-audits/{reference}") => {
                    let (b, r) = new_audit().await;
                    let mut body = audit(&b);
                    body["version"] = json!(1);
                    body["auditor_days"] = json!(3.5);
                    (format!("{base}/certification-audits/{r}"), Some(body))
                }
                (Method::DELETE, "/api/v1/orgs/{org}/certification-audits/{reference}") => (
                    format!("{base}/certification-audits/{}", new_audit().await.1),
                    None,
                ),
                (Method::GET, "/api/v1/orgs/{org}/certificates") => {
                    (format!("{base}/certificates?limit=5"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/certificates") => (
                    format!("{base}/certificates"),
                    Some(cert(&new_body().await)),
                ),
                (Method::GET, "/api/v1/orgs/{org}/certificates/{id}") => {
                    (format!("{base}/certificates/{}", new_cert().await.1), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/certificates/{id}") => {
                    let (b, id) = new_cert().await;
                    let mut body = cert(&b);
                    body["version"] = json!(1);
                    body["scope"] = json!(format!("By {uniq}"));
                    (format!("{base}/certificates/{id}"), Some(body))
                }
                (Method::DELETE, "/api/v1/orgs/{org}/certificates/{id}") => {
                    (format!("{base}/certificates/{}", new_cert().await.1), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/certificates/{id}/status") => (
                    format!("{base}/certificates/{}/status", new_cert().await.1),
                    Some(json!({"status": "suspended", "note": "late surveillance", "version": 1})),
                ),
                other => panic!("no certification call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/frameworks")
            || t == "/api/v1/orgs/{org}/controls/{control}/frameworks" =>
        {
            let base = format!("/api/v1/orgs/{org}/frameworks");
            let file = |name: &str| {
                std::fs::read(format!(
                    "{}/../../testdata/frameworks/{name}",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap()
            };
            let send_raw = |path: String, ct: &'static str, bytes: Vec<u8>| async move {
                c.request(case.method.clone(), &path)
                    .header("content-type", ct)
                    .body(bytes)
                    .send()
                    .await
                    .unwrap()
                    .status()
            };
            // The framework every call works on (importing it again only updates it).
            let r = admin
                .request(Method::POST, &format!("{base}/oscal-catalog"))
                .header("content-type", "application/json")
                .body(file("sp800-53-rev5-excerpt.json"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let id = r.json::<Value>().await.unwrap()["framework"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/frameworks/oscal-catalog") => {
                    return send_raw(
                        format!("{base}/oscal-catalog"),
                        "application/json",
                        file("example-basic-catalog.json"),
                    )
                    .await;
                }
                (Method::POST, "/api/v1/orgs/{org}/frameworks/ciso-assistant") => {
                    return send_raw(
                        format!("{base}/ciso-assistant"),
                        "application/yaml",
                        file("ciso-small-library.yaml"),
                    )
                    .await;
                }
                (Method::POST, "/api/v1/orgs/{org}/frameworks/{framework}/mappings") => {
                    return send_raw(
                        format!("{base}/{id}/mappings"),
                        "text/csv",
                        file("sp800-53-to-iso27001.csv"),
                    )
                    .await;
                }
                (Method::POST, _) => (
                    format!("{base}/{id}/links"),
                    Some(json!({"requirement": "ac-1", "control": "5.15"})),
                ),
                (Method::DELETE, _) => {
                    let (s, _) = admin
                        .post(
                            &format!("{base}/{id}/links"),
                            &json!({"requirement": "ac-3", "control": "8.3"}),
                        )
                        .await;
                    assert_eq!(s, 204);
                    (
                        format!("{base}/{id}/links?requirement=ac-3&control=8.3"),
                        None,
                    )
                }
                (_, "/api/v1/orgs/{org}/frameworks") => (base.clone(), None),
                (_, "/api/v1/orgs/{org}/controls/{control}/frameworks") => {
                    (format!("/api/v1/orgs/{org}/controls/5.15/frameworks"), None)
                }
                (_, "/api/v1/orgs/{org}/frameworks/{framework}") => (format!("{base}/{id}"), None),
                (_, "/api/v1/orgs/{org}/frameworks/{framework}/requirements/{requirement}") => {
                    (format!("{base}/{id}/requirements/ac-2.1"), None)
                }
                (_, rest) => (rest.replace("{org}", org).replace("{framework}", &id), None),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/own-controls") => {
            let list = format!("/api/v1/orgs/{org}/own-controls");
            let code = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (&uniq, case.template, case.method.as_str()).hash(&mut h);
                format!("OC-{:012X}", h.finish() & 0xFFFF_FFFF_FFFF)
            };
            let fresh = || async {
                let (s, r) = admin
                    .post(&list, &json!({"code": code, "title": "Fresh control"}))
                    .await;
                assert_eq!(s, 201, "{r}");
                r["code"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, _) => (
                    list.clone(),
                    Some(json!({"code": code, "title": format!("By {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/own-controls") => {
                    (format!("{list}?q=control"), None)
                }
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no own-control call for {other:?}"),
            }
        }
        "/api/v1/orgs/{org}/controls" => (
            format!("/api/v1/orgs/{org}/controls?status=not_started&theme=people"),
            None,
        ),
        "/api/v1/orgs/{org}/controls/export" => (
            format!("/api/v1/orgs/{org}/controls/export?format=csv"),
            None,
        ),
        "/api/v1/orgs/{org}/controls/{ref}" if case.method == Method::PATCH => {
            let path = format!("/api/v1/orgs/{org}/controls/5.20");
            let v = fetch_version(admin, &path).await;
            (
                path,
                Some(json!({"monitoring": format!("Checked by {uniq}"), "version": v})),
            )
        }
        "/api/v1/orgs/{org}/controls/{ref}" => {
            (format!("/api/v1/orgs/{org}/controls/A.5.20"), None)
        }
        t if t.starts_with("/api/v1/orgs/{org}/documents") => {
            let list = format!("/api/v1/orgs/{org}/documents");
            // A fresh document (version 1 a draft), optionally submitted and approved.
            let fresh = |stage: u8| {
                let list = list.clone();
                let uniq = uniq.clone();
                async move {
                    let (s, d) = admin
                        .post(&list, &json!({"title": format!("Doc {uniq}"), "kind": "record", "content": "# Record\n"}))
                        .await;
                    assert_eq!(s, 201, "{d}");
                    let doc = format!("{list}/{}", d["id"].as_str().unwrap());
                    if stage >= 1 {
                        let (s, r) = admin
                            .post(&format!("{doc}/versions/1/submit"), &json!({"version": 1}))
                            .await;
                        assert_eq!(s, 200, "{r}");
                    }
                    if stage >= 2 {
                        let (s, r) = admin
                            .post(&format!("{doc}/versions/1/approve"), &json!({"version": 2}))
                            .await;
                        assert_eq!(s, 200, "{r}");
                    }
                    doc
                }
            };
            let rest = t.trim_start_matches("/api/v1/orgs/{org}/documents");
            if case.method == Method::POST && rest == "/{id}/versions/{number}/file" {
                let path = format!("{}/versions/1/file", fresh(0).await);
                let form = reqwest::multipart::Form::new().text("version", "1").part(
                    "file",
                    reqwest::multipart::Part::bytes(format!("Signed by {uniq}").into_bytes())
                        .file_name("signed.txt"),
                );
                return c
                    .request(Method::POST, &path)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
                    .status();
            }
            match (case.method.clone(), rest) {
                (Method::GET, "") => (format!("{list}?kind=policy&overdue=true"), None),
                (Method::POST, "") => (
                    list.clone(),
                    Some(json!({"title": format!("By {uniq}"), "kind": "policy"})),
                ),
                (Method::GET, "/templates") => (format!("{list}/templates"), None),
                (Method::GET, "/export") => (format!("{list}/export?format=csv"), None),
                (Method::GET, "/{id}") => (fresh(0).await, None),
                (Method::PATCH, "/{id}") => (
                    fresh(0).await,
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/{id}") => (fresh(0).await, None),
                (Method::PUT, "/{id}/links") => (
                    format!("{}/links", fresh(0).await),
                    Some(json!({"clauses": ["9.2"], "controls": ["5.15"], "version": 1})),
                ),
                (Method::POST, "/{id}/retire") => (
                    format!("{}/retire", fresh(0).await),
                    Some(json!({"version": 1})),
                ),
                (Method::GET, "/{id}/diff") => {
                    (format!("{}/diff?from=1&to=1", fresh(0).await), None)
                }
                (Method::GET, "/{id}/versions") => (format!("{}/versions", fresh(0).await), None),
                (Method::POST, "/{id}/versions") => (
                    format!("{}/versions", fresh(2).await),
                    Some(json!({"change_note": format!("By {uniq}")})),
                ),
                (Method::GET, "/{id}/versions/{number}") => {
                    (format!("{}/versions/1", fresh(0).await), None)
                }
                (Method::PATCH, "/{id}/versions/{number}") => (
                    format!("{}/versions/1", fresh(0).await),
                    Some(json!({"content": format!("# By {uniq}\n"), "version": 1})),
                ),
                (Method::POST, "/{id}/versions/{number}/submit") => (
                    format!("{}/versions/1/submit", fresh(0).await),
                    Some(json!({"version": 1})),
                ),
                (Method::POST, "/{id}/versions/{number}/approve") => (
                    format!("{}/versions/1/approve", fresh(1).await),
                    Some(json!({"version": 2})),
                ),
                (Method::POST, "/{id}/versions/{number}/reject") => (
                    format!("{}/versions/1/reject", fresh(1).await),
                    Some(json!({"version": 2, "comment": "Not yet"})),
                ),
                (Method::GET, "/{id}/versions/{number}/file") => {
                    let doc = fresh(0).await;
                    let form = reqwest::multipart::Form::new().text("version", "1").part(
                        "file",
                        reqwest::multipart::Part::bytes(b"%PDF-1.4 signed".to_vec())
                            .file_name("signed.pdf"),
                    );
                    let r = admin
                        .request(Method::POST, &format!("{doc}/versions/1/file"))
                        .multipart(form)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    (format!("{doc}/versions/1/file"), None)
                }
                (Method::GET, "/{id}/versions/{number}/download") => (
                    format!("{}/versions/1/download?format=md", fresh(0).await),
                    None,
                ),
                other => panic!("no document call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/audit-areas")
            || t.starts_with("/api/v1/orgs/{org}/audit-programme")
            || t.starts_with("/api/v1/orgs/{org}/audits") =>
        {
            let base = format!("/api/v1/orgs/{org}");
            let fresh_area = || async {
                let (s, r) = admin
                    .post(
                        &format!("{base}/audit-areas"),
                        &json!({"name": format!("Area {uniq}-{}", uuid::Uuid::now_v7())}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let fresh_audit = || async {
                let (s, r) = admin
                    .post(
                        &format!("{base}/audits"),
                        &json!({"title": format!("Audit {uniq}"), "scope": ["4.1", "A.5.15"],
                                "planned_start": "2026-12-01", "planned_end": "2026-12-02",
                                "lead_auditor_external": "External Auditor"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                format!("{base}/audits/{}", r["id"].as_str().unwrap())
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/audit-areas") => {
                    (format!("{base}/audit-areas"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/audit-areas") => (
                    format!("{base}/audit-areas"),
                    Some(json!({"name": format!("Area {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/audit-areas/{id}") => {
                    (format!("{base}/audit-areas/{}", fresh_area().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/audit-areas/{id}") => (
                    format!("{base}/audit-areas/{}", fresh_area().await),
                    Some(json!({"description": "Changed", "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/audit-areas/{id}") => {
                    (format!("{base}/audit-areas/{}", fresh_area().await), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/audit-programme") => {
                    (format!("{base}/audit-programme"), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/audit-programme") => {
                    let v = fetch_version(admin, &format!("{base}/audit-programme")).await;
                    (
                        format!("{base}/audit-programme"),
                        Some(json!({"cycle_start_year": 2026, "version": v})),
                    )
                }
                (Method::POST, "/api/v1/orgs/{org}/audit-programme/entries") => (
                    format!("{base}/audit-programme/entries"),
                    Some(json!({"year": 2026, "item": "4.1"})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/audit-programme/entries/{year}/{item}") => {
                    let (s, r) = admin
                        .post(
                            &format!("{base}/audit-programme/entries"),
                            &json!({"year": 2027, "item": "4.2"}),
                        )
                        .await;
                    assert_eq!(s, 200, "{r}");
                    (format!("{base}/audit-programme/entries/2027/4.2"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/audit-programme/plan-the-rest") => (
                    format!("{base}/audit-programme/plan-the-rest"),
                    Some(json!({})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/audits") => (format!("{base}/audits"), None),
                (Method::POST, "/api/v1/orgs/{org}/audits") => (
                    format!("{base}/audits"),
                    Some(json!({"title": format!("Audit {uniq}"), "scope": ["4.1"],
                                "planned_start": "2026-12-01", "planned_end": "2026-12-01",
                                "lead_auditor_external": "External Auditor"})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/audits/{id}") => (fresh_audit().await, None),
                (Method::PATCH, "/api/v1/orgs/{org}/audits/{id}") => (
                    fresh_audit().await,
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/audits/{id}") => (fresh_audit().await, None),
                (Method::GET, "/api/v1/orgs/{org}/audits/{id}/checklist") => {
                    (format!("{}/checklist", fresh_audit().await), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/audits/{id}/checklist") => (
                    format!("{}/checklist", fresh_audit().await),
                    Some(json!({})),
                ),
                (Method::PATCH, "/api/v1/orgs/{org}/audits/{id}/checklist/{item}") => {
                    let a = fresh_audit().await;
                    let (s, r) = admin
                        .patch(&a, &json!({"status": "in_progress", "version": 1}))
                        .await;
                    assert_eq!(s, 200, "{r}");
                    let (_, list) = admin.get(&format!("{a}/checklist")).await;
                    (
                        format!("{a}/checklist/{}", list["items"][0]["id"].as_str().unwrap()),
                        Some(json!({"result": "conforming", "version": 1})),
                    )
                }
                (Method::GET, "/api/v1/orgs/{org}/audits/{id}/report") => {
                    (format!("{}/report?format=md", fresh_audit().await), None)
                }
                other => panic!("no internal audit call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/evidence") => {
            let list = format!("/api/v1/orgs/{org}/evidence");
            let link = json!({"title": format!("Ticket {uniq}"), "url": "https://tickets.example.com/ISMS-1",
                              "links": [{"kind": "control", "reference": "5.15"}]});
            let fresh_link = || async {
                let (s, r) = admin.post(&list, &link).await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let fresh_file = || async {
                let form = reqwest::multipart::Form::new()
                    .text("title", format!("Log {uniq}"))
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(format!("log of {uniq}\n").into_bytes())
                            .file_name("log.txt"),
                    );
                let r = admin
                    .request(Method::POST, &list)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let v: Value = r.json().await.unwrap();
                v["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/evidence") => {
                    (format!("{list}?control=5.15"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/evidence") => (list.clone(), Some(link.clone())),
                (Method::GET, "/api/v1/orgs/{org}/evidence/coverage") => {
                    (format!("{list}/coverage"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/evidence/{id}/file") => {
                    (format!("{list}/{}/file", fresh_file().await), None)
                }
                (Method::GET, _) => (format!("{list}/{}", fresh_link().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh_link().await),
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/evidence/{id}") => {
                    (format!("{list}/{}", fresh_link().await), None)
                }
                (Method::POST, _) => (
                    format!("{list}/{}/links", fresh_link().await),
                    Some(json!({"kind": "clause", "reference": "9.1"})),
                ),
                (Method::DELETE, _) => (
                    format!("{list}/{}/links/control/5.15", fresh_link().await),
                    None,
                ),
                other => panic!("no evidence call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/findings")
            || t.starts_with("/api/v1/orgs/{org}/corrective-actions") =>
        {
            let findings = format!("/api/v1/orgs/{org}/findings");
            let actions = format!("/api/v1/orgs/{org}/corrective-actions");
            let fresh_finding = || async {
                let (s, r) = admin
                    .post(
                        &findings,
                        &json!({"grade": "minor_nc", "reference": "9.2", "title": format!("NC {uniq}")}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let fresh_action = || async {
                let fid = fresh_finding().await;
                let (s, r) = admin
                    .post(
                        &actions,
                        &json!({"finding_id": fid, "title": format!("CA {uniq}"), "description": "Fix it"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/findings") => {
                    (format!("{findings}?grade=minor_nc"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/findings") => (
                    findings.clone(),
                    Some(
                        json!({"grade": "observation", "reference": "A.5.15", "title": format!("Obs {uniq}")}),
                    ),
                ),
                (Method::GET, "/api/v1/orgs/{org}/findings/counts") => {
                    (format!("{findings}/counts"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/findings/{id}") => {
                    (format!("{findings}/{}", fresh_finding().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/findings/{id}") => (
                    format!("{findings}/{}", fresh_finding().await),
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/findings/{id}") => {
                    (format!("{findings}/{}", fresh_finding().await), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/corrective-actions") => {
                    (format!("{actions}?overdue=true"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/corrective-actions") => (
                    actions.clone(),
                    Some(
                        json!({"finding_id": fresh_finding().await, "title": format!("CA {uniq}")}),
                    ),
                ),
                (Method::GET, "/api/v1/orgs/{org}/corrective-actions/{id}") => {
                    (format!("{actions}/{}", fresh_action().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/corrective-actions/{id}") => (
                    format!("{actions}/{}", fresh_action().await),
                    Some(json!({"status": "in_progress", "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/corrective-actions/{id}") => {
                    (format!("{actions}/{}", fresh_action().await), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/corrective-actions/{id}/verify") => {
                    let id = fresh_action().await;
                    let (s, r) = admin
                        .patch(
                            &format!("{actions}/{id}"),
                            &json!({"status": "implemented", "version": 1}),
                        )
                        .await;
                    assert_eq!(s, 200, "{r}");
                    (
                        format!("{actions}/{id}/verify"),
                        Some(json!({"result": "effective", "version": r["version"]})),
                    )
                }
                other => panic!("no findings call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/management-reviews") => {
            let list = format!("/api/v1/orgs/{org}/management-reviews");
            let fresh = || async {
                let (s, r) = admin
                    .post(
                        &list,
                        &json!({"planned_on": "2026-12-01", "title": format!("MR {uniq}")}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/management-reviews") => (list.clone(), None),
                (Method::POST, "/api/v1/orgs/{org}/management-reviews") => (
                    list.clone(),
                    Some(json!({"planned_on": "2026-12-01", "title": format!("MR {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/management-reviews/{id}") => {
                    (format!("{list}/{}", fresh().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/management-reviews/{id}") => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"decisions": format!("By {uniq}"), "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/management-reviews/{id}") => {
                    (format!("{list}/{}", fresh().await), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/management-reviews/{id}/refresh-inputs") => (
                    format!("{list}/{}/refresh-inputs", fresh().await),
                    Some(json!({"version": 1})),
                ),
                (Method::POST, "/api/v1/orgs/{org}/management-reviews/{id}/approve") => {
                    let id = fresh().await;
                    let (s, r) = admin
                        .patch(
                            &format!("{list}/{id}"),
                            &json!({"status": "held", "held_on": "2026-11-01", "version": 1}),
                        )
                        .await;
                    assert_eq!(s, 200, "{r}");
                    (
                        format!("{list}/{id}/approve"),
                        Some(json!({"version": r["version"]})),
                    )
                }
                (Method::POST, "/api/v1/orgs/{org}/management-reviews/{id}/actions") => (
                    format!("{list}/{}/actions", fresh().await),
                    Some(json!({"description": format!("Action {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/management-reviews/{id}/minutes") => {
                    (format!("{list}/{}/minutes?format=md", fresh().await), None)
                }
                other => panic!("no management review call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/incidents") => {
            let list = format!("/api/v1/orgs/{org}/incidents");
            let fresh = || async {
                let (s, r) = admin
                    .post(
                        &list,
                        &json!({"title": format!("Incident {uniq}"), "severity": "low"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/incidents") => {
                    (format!("{list}?status=open"), None)
                }
                (Method::POST, _) => (
                    list.clone(),
                    Some(json!({"title": format!("By {uniq}"), "severity": "medium"})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/incidents/counts") => {
                    (format!("{list}/counts"), None)
                }
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"status": "contained", "version": 1})),
                ),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no incident call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/people")
            || t.starts_with("/api/v1/orgs/{org}/trainings")
            || t.starts_with("/api/v1/orgs/{org}/awareness-campaigns") =>
        {
            let base = format!("/api/v1/orgs/{org}");
            let person = || async {
                let (s, r) = admin
                    .post(
                        &format!("{base}/people"),
                        &json!({"name": format!("Person {uniq}")}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let campaign = || async {
                let (s, r) = admin
                    .post(
                        &format!("{base}/awareness-campaigns"),
                        &json!({"title": format!("Campaign {uniq}"), "starts_on": "2026-11-01", "ends_on": "2026-11-30"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            let training = || async {
                let p = person().await;
                let (s, r) = admin
                    .post(
                        &format!("{base}/trainings"),
                        &json!({"person_id": p, "competence": "Awareness", "completed_on": "2026-11-01"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/people") => (format!("{base}/people"), None),
                (Method::POST, "/api/v1/orgs/{org}/people") => (
                    format!("{base}/people"),
                    Some(json!({"name": format!("By {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/people/requirements") => {
                    (format!("{base}/people/requirements"), None)
                }
                (Method::PUT, "/api/v1/orgs/{org}/people/requirements") => (
                    format!("{base}/people/requirements"),
                    Some(json!({"job_role": format!("Role {uniq}"), "competences": ["Awareness"]})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/people/{id}") => {
                    (format!("{base}/people/{}", person().await), None)
                }
                (Method::PATCH, "/api/v1/orgs/{org}/people/{id}") => (
                    format!("{base}/people/{}", person().await),
                    Some(json!({"department": "Ops", "version": 1})),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/people/{id}") => {
                    (format!("{base}/people/{}", person().await), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/trainings") => {
                    (format!("{base}/trainings?expired=true"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/trainings") => (
                    format!("{base}/trainings"),
                    Some(
                        json!({"person_id": person().await, "competence": "Awareness", "completed_on": "2026-11-01"}),
                    ),
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/trainings/{id}") => {
                    (format!("{base}/trainings/{}", training().await), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/awareness-campaigns") => {
                    (format!("{base}/awareness-campaigns"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/awareness-campaigns") => (
                    format!("{base}/awareness-campaigns"),
                    Some(
                        json!({"title": format!("By {uniq}"), "starts_on": "2026-11-01", "ends_on": "2026-11-30"}),
                    ),
                ),
                (Method::GET, "/api/v1/orgs/{org}/awareness-campaigns/{id}") => (
                    format!("{base}/awareness-campaigns/{}", campaign().await),
                    None,
                ),
                (Method::DELETE, "/api/v1/orgs/{org}/awareness-campaigns/{id}") => (
                    format!("{base}/awareness-campaigns/{}", campaign().await),
                    None,
                ),
                (Method::PUT, _) => (
                    format!(
                        "{base}/awareness-campaigns/{}/participants/{}",
                        campaign().await,
                        person().await
                    ),
                    Some(json!({"completed": true})),
                ),
                other => panic!("no competence call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/suppliers") => {
            let list = format!("/api/v1/orgs/{org}/suppliers");
            let fresh = || async {
                let (s, r) = admin
                    .post(
                        &list,
                        &json!({"name": format!("Supplier {uniq}"), "criticality": "low"}),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/suppliers") => {
                    (format!("{list}?status=active"), None)
                }
                (Method::POST, "/api/v1/orgs/{org}/suppliers") => (
                    list.clone(),
                    Some(json!({"name": format!("By {uniq}"), "criticality": "high"})),
                ),
                (Method::POST, _) => (
                    format!("{list}/{}/assessments", fresh().await),
                    Some(json!({"result": "satisfactory"})),
                ),
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"status": "offboarded", "version": 1})),
                ),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no supplier call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/measurements") => {
            let list = format!("/api/v1/orgs/{org}/measurements");
            let check = json!({"subject_kind": "control", "subject_ref": "5.15", "result": "pass"});
            let fresh = || async {
                let (s, r) = admin.post(&list, &check).await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::GET, "/api/v1/orgs/{org}/measurements") => (
                    format!("{list}?subject_kind=control&subject_ref=5.15"),
                    None,
                ),
                (Method::POST, _) => (list.clone(), Some(check.clone())),
                (Method::GET, "/api/v1/orgs/{org}/measurements/subjects") => {
                    (format!("{list}/subjects"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/measurements/subjects/{kind}/{reference}") => {
                    (format!("{list}/subjects/control/5.15"), None)
                }
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no measurement call for {other:?}"),
            }
        }
        "/api/v1/orgs/{org}/risk-heatmap" => (format!("/api/v1/orgs/{org}/risk-heatmap"), None),
        t if t.starts_with("/api/v1/orgs/{org}/risks") => {
            // Risks need an approved method.
            let methods = format!("/api/v1/orgs/{org}/risk-methods");
            let (_, all) = admin.get(&methods).await;
            if !all["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["status"] == "approved")
            {
                let draft = match all["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["status"] == "draft")
                {
                    Some(d) => d.clone(),
                    None => admin.post(&methods, &json!({"preset": "5x5"})).await.1,
                };
                let (s, a) = admin
                    .post(
                        &format!("{methods}/{}/approve", draft["id"].as_str().unwrap()),
                        &json!({"version": draft["version"]}),
                    )
                    .await;
                assert_eq!(s, 200, "{a}");
            }
            let list = format!("/api/v1/orgs/{org}/risks");
            // Owned by the contributor, rated lowest: the owner may accept it.
            let fresh = || async {
                let (s, r) = admin
                    .post(
                        &list,
                        &json!({
                            "title": format!("Risk {uniq}"),
                            "owner_id": f.user_id(Role::Contributor),
                            "inherent_likelihood": 1,
                            "inherent_impact": 1,
                        }),
                    )
                    .await;
                assert_eq!(s, 201, "{r}");
                r["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/risks") => (
                    list.clone(),
                    Some(
                        json!({"title": format!("By {uniq}"), "inherent_likelihood": 2, "inherent_impact": 3}),
                    ),
                ),
                (Method::GET, "/api/v1/orgs/{org}/risks") => {
                    (format!("{list}?status=assessed"), None)
                }
                (Method::POST, _) => (
                    format!("{list}/{}/acceptance", fresh().await),
                    Some(
                        json!({"rationale": "Cheaper to live with than to fix", "expires_on": "2027-06-30", "version": 1}),
                    ),
                ),
                (Method::GET, _) => (format!("{list}/{}", fresh().await), None),
                (Method::PATCH, _) => (
                    format!("{list}/{}", fresh().await),
                    Some(json!({"title": format!("Renamed by {uniq}"), "version": 1})),
                ),
                (Method::DELETE, _) => (format!("{list}/{}", fresh().await), None),
                other => panic!("no risk call for {other:?}"),
            }
        }
        t if t.starts_with("/api/v1/orgs/{org}/risk-methods") => {
            let list = format!("/api/v1/orgs/{org}/risk-methods");
            // One draft at a time: reuse the open draft, or start one.
            let draft = || async {
                let (_, all) = admin.get(&list).await;
                let open = all["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["status"] == "draft")
                    .cloned();
                match open {
                    Some(m) => m,
                    None => admin.post(&list, &json!({"preset": "3x3"})).await.1,
                }
            };
            match (case.method.clone(), t) {
                (Method::POST, "/api/v1/orgs/{org}/risk-methods") => {
                    let d = draft().await;
                    admin
                        .delete(&format!("{list}/{}", d["id"].as_str().unwrap()))
                        .await;
                    (list.clone(), Some(json!({"preset": "4x4"})))
                }
                (Method::GET, "/api/v1/orgs/{org}/risk-methods") => (list.clone(), None),
                (Method::POST, _) => {
                    let d = draft().await;
                    (
                        format!("{list}/{}/approve", d["id"].as_str().unwrap()),
                        Some(json!({"version": d["version"]})),
                    )
                }
                (Method::GET, "/api/v1/orgs/{org}/risk-methods/{id}/document") => {
                    let d = draft().await;
                    (
                        format!("{list}/{}/document?format=md", d["id"].as_str().unwrap()),
                        None,
                    )
                }
                (Method::GET, _) => {
                    let d = draft().await;
                    (format!("{list}/{}", d["id"].as_str().unwrap()), None)
                }
                (Method::PATCH, _) => {
                    let d = draft().await;
                    (
                        format!("{list}/{}", d["id"].as_str().unwrap()),
                        Some(json!({"change_note": format!("By {uniq}"), "version": d["version"]})),
                    )
                }
                (Method::DELETE, _) => {
                    let d = draft().await;
                    (format!("{list}/{}", d["id"].as_str().unwrap()), None)
                }
                other => panic!("no risk-method call for {other:?}"),
            }
        }
        "/api/v1/orgs/{org}/gap-timeline" => (
            format!("/api/v1/orgs/{org}/gap-timeline?sites=2&existing_management_system=true"),
            None,
        ),
        t if t.starts_with("/api/v1/orgs/{org}/gap-assessments") => {
            let fresh = || async {
                let (_, a) = admin
                    .post(
                        &format!("/api/v1/orgs/{org}/gap-assessments"),
                        &json!({"title": format!("Matrix {uniq}")}),
                    )
                    .await;
                a["id"].as_str().unwrap().to_owned()
            };
            match (case.method.clone(), t) {
                (Method::POST, _) => (
                    format!("/api/v1/orgs/{org}/gap-assessments"),
                    Some(json!({"title": format!("By {uniq}")})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/gap-assessments") => {
                    (format!("/api/v1/orgs/{org}/gap-assessments"), None)
                }
                (Method::GET, "/api/v1/orgs/{org}/gap-assessments/{id}") => (
                    format!("/api/v1/orgs/{org}/gap-assessments/{}", fresh().await),
                    None,
                ),
                (Method::PATCH, "/api/v1/orgs/{org}/gap-assessments/{id}") => (
                    format!("/api/v1/orgs/{org}/gap-assessments/{}", fresh().await),
                    Some(json!({"title": "Renamed", "version": 1})),
                ),
                (Method::DELETE, _) => (
                    format!("/api/v1/orgs/{org}/gap-assessments/{}", fresh().await),
                    None,
                ),
                (Method::GET, "/api/v1/orgs/{org}/gap-assessments/{id}/items") => (
                    format!("/api/v1/orgs/{org}/gap-assessments/{}/items", fresh().await),
                    None,
                ),
                (Method::PATCH, _) => (
                    format!(
                        "/api/v1/orgs/{org}/gap-assessments/{}/items/control:5.15",
                        fresh().await
                    ),
                    Some(json!({"current": 1, "target": 3, "version": 1})),
                ),
                (Method::GET, "/api/v1/orgs/{org}/gap-assessments/{id}/results") => (
                    format!(
                        "/api/v1/orgs/{org}/gap-assessments/{}/results",
                        fresh().await
                    ),
                    None,
                ),
                (Method::GET, "/api/v1/orgs/{org}/gap-assessments/{id}/report") => (
                    format!(
                        "/api/v1/orgs/{org}/gap-assessments/{}/report?format=md",
                        fresh().await
                    ),
                    None,
                ),
                (Method::GET, _) => (
                    format!(
                        "/api/v1/orgs/{org}/gap-assessments/{}/compare/{}",
                        fresh().await,
                        fresh().await
                    ),
                    None,
                ),
                other => panic!("no gap call for {other:?}"),
            }
        }
        "/api/v1/orgs/{org}/isms-foundation" => {
            (format!("/api/v1/orgs/{org}/isms-foundation"), None)
        }
        t if t.starts_with("/api/v1/orgs/{org}/scope-versions")
            || t.starts_with("/api/v1/orgs/{org}/policy-versions") =>
        {
            let coll = if t.contains("scope") {
                "scope-versions"
            } else {
                "policy-versions"
            };
            let content = if t.contains("scope") {
                json!({"statement": "The platform", "units": ["Engineering"]})
            } else {
                json!({"text": "We protect information.", "objectives_framework": "Set yearly.",
                       "commits_to_requirements": true, "commits_to_improvement": true})
            };
            let list = format!("/api/v1/orgs/{org}/{coll}");
            // One draft at a time: reuse the open draft (with approvable content), or start one.
            let draft = || async {
                let (_, all) = admin.get(&list).await;
                let open = all["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["status"] == "draft")
                    .cloned();
                let d = match open {
                    Some(m) => m,
                    None => admin.post(&list, &json!({})).await.1,
                };
                admin
                    .patch(
                        &format!("{list}/{}", d["id"].as_str().unwrap()),
                        &json!({"content": content, "version": d["version"]}),
                    )
                    .await
                    .1
            };
            let id = |d: &Value| d["id"].as_str().unwrap().to_owned();
            match (case.method.clone(), t.rsplit('/').next().unwrap_or("")) {
                (Method::POST, "scope-versions" | "policy-versions") => {
                    let d = draft().await;
                    admin.delete(&format!("{list}/{}", id(&d))).await;
                    (
                        list.clone(),
                        Some(json!({"change_note": format!("By {uniq}")})),
                    )
                }
                (Method::GET, "scope-versions" | "policy-versions") => (list.clone(), None),
                (Method::POST, "approve") => {
                    let d = draft().await;
                    (
                        format!("{list}/{}/approve", id(&d)),
                        Some(json!({"version": d["version"]})),
                    )
                }
                (Method::GET, "document") => {
                    let d = draft().await;
                    (format!("{list}/{}/document?format=md", id(&d)), None)
                }
                (Method::GET, "compare") => {
                    let d = draft().await;
                    (
                        format!("{list}/compare?from={}&to={}", id(&d), id(&d)),
                        None,
                    )
                }
                (Method::GET, _) => {
                    let d = draft().await;
                    (format!("{list}/{}", id(&d)), None)
                }
                (Method::PATCH, _) => {
                    let d = draft().await;
                    (
                        format!("{list}/{}", id(&d)),
                        Some(json!({"change_note": format!("By {uniq}"), "version": d["version"]})),
                    )
                }
                (Method::DELETE, _) => {
                    let d = draft().await;
                    (format!("{list}/{}", id(&d)), None)
                }
                other => panic!("no document call for {other:?}"),
            }
        }
        t if ["issues", "interested-parties", "roles", "objectives"]
            .iter()
            .any(|c| t.starts_with(&format!("/api/v1/orgs/{{org}}/{c}"))) =>
        {
            let coll = t.split('/').nth(5).unwrap_or("");
            let list = format!("/api/v1/orgs/{org}/{coll}");
            let approve = t.ends_with("/approve");
            let body = match coll {
                "issues" => {
                    json!({"kind": "internal", "category": "people", "title": format!("Issue {uniq}")})
                }
                "interested-parties" => {
                    json!({"name": format!("Party {uniq}"), "kind": "customer"})
                }
                "roles" => json!({"title": format!("Role {uniq}"), "responsibilities": "Runs it",
                                  "person_id": f.user_id(Role::Admin)}),
                _ if approve => {
                    json!({"title": format!("Objective {uniq}"), "owner_id": f.user_id(Role::Admin),
                                       "target": "All", "metric": "Share", "due_on": "2027-01-31"})
                }
                _ => json!({"title": format!("Objective {uniq}")}),
            };
            let fresh = || async {
                admin.post(&list, &body).await.1["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            match case.method.clone() {
                Method::POST if approve => (
                    format!("{list}/{}/approve", fresh().await),
                    Some(json!({"version": 1})),
                ),
                Method::POST => (list.clone(), Some(body.clone())),
                Method::GET if !t.ends_with("{id}") => (list.clone(), None),
                Method::GET => (format!("{list}/{}", fresh().await), None),
                Method::PATCH => {
                    let mut b = body.clone();
                    b["version"] = json!(1);
                    (format!("{list}/{}", fresh().await), Some(b))
                }
                Method::DELETE => (format!("{list}/{}", fresh().await), None),
                other => panic!("no register call for {other:?}"),
            }
        }
        "/api/v1/catalogue/controls" => (
            "/api/v1/catalogue/controls?control_type=detective".into(),
            None,
        ),
        "/api/v1/catalogue/controls/{id}" => ("/api/v1/catalogue/controls/A.5.15".into(), None),
        "/api/v1/catalogue/clauses" => ("/api/v1/catalogue/clauses".into(), None),
        "/api/v1/catalogue/clauses/{id}" => ("/api/v1/catalogue/clauses/6.1.2".into(), None),
        "/api/v1/catalogue/mapping-2013" => ("/api/v1/catalogue/mapping-2013".into(), None),
        "/api/v1/orgs/{org}/readiness/{profile}" => {
            (format!("/api/v1/orgs/{org}/readiness/stage2"), None)
        }
        "/api/v1/orgs/{org}/exports/oscal/{document}" => {
            (format!("/api/v1/orgs/{org}/exports/oscal/ssp"), None)
        }
        "/api/v1/orgs/{org}/exports/oscal" => (format!("/api/v1/orgs/{org}/exports/oscal"), None),
        "/api/v1/orgs/{org}/imports/{kind}" => (
            format!("/api/v1/orgs/{org}/imports/assets?dry_run=true"),
            Some(json!({"content": format!(
                "name,type,owner,confidentiality,integrity,availability\nLaptop,hardware,{},1,1,1\n",
                f.email(Role::Admin)
            )})),
        ),
        "/api/v1/orgs/{org}/readiness-settings" => {
            let path = format!("/api/v1/orgs/{org}/readiness-settings");
            if case.method == Method::PATCH {
                let v = fetch_version(admin, &path).await;
                let body = json!({"audit_lead_weeks": 6, "min_measurement_periods": 3,
                                  "min_scope_words": 12, "version": v});
                (path, Some(body))
            } else {
                (path, None)
            }
        }
        other => panic!("no call defined for {other}"),
    };
    c.send(case.method.clone(), &path, body.as_ref()).await.0
}

fn cases() -> Vec<Case> {
    let member_reads = |w: Who| if w == Who::Outsider { 404 } else { 200 };
    let admin_only = |ok: u16| {
        move |w: Who| match w {
            Who::Role(Role::Admin) => ok,
            Who::Outsider => 404,
            _ => 403,
        }
    };
    let writers = |ok: u16| {
        move |w: Who| match w {
            Who::Role(Role::Admin | Role::IsmsManager | Role::Contributor) => ok,
            Who::Outsider => 404,
            _ => 403,
        }
    };
    let recorders = |ok: u16| {
        move |w: Who| match w {
            Who::Role(
                Role::Admin | Role::IsmsManager | Role::Contributor | Role::InternalAuditor,
            ) => ok,
            Who::Outsider => 404,
            _ => 403,
        }
    };
    let approvers = |ok: u16| {
        move |w: Who| match w {
            Who::Role(Role::Admin | Role::IsmsManager) => ok,
            Who::Outsider => 404,
            _ => 403,
        }
    };
    let auditors = |ok: u16| {
        move |w: Who| match w {
            Who::Role(Role::Admin | Role::IsmsManager | Role::InternalAuditor) => ok,
            Who::Outsider => 404,
            _ => 403,
        }
    };
    let trail = |w: Who| match w {
        Who::Role(
            Role::Admin | Role::IsmsManager | Role::InternalAuditor | Role::ExternalAuditor,
        ) => 200,
        Who::Outsider => 404,
        _ => 403,
    };
    vec![
        Case {
            method: Method::POST,
            template: "/api/v1/auth/login",
            expect: Box::new(|_| 401),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/auth/me",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs",
            expect: Box::new(|_| 403),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}",
            expect: Box::new(admin_only(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/dashboard",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/overview",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/members",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/members",
            expect: Box::new(admin_only(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/members/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/members/{id}",
            expect: Box::new(admin_only(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/members/{id}",
            expect: Box::new(admin_only(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audit-trail",
            expect: Box::new(trail),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audit-trail/verify",
            expect: Box::new(trail),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/users",
            expect: Box::new(|_| 403),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/users",
            expect: Box::new(|_| 403),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/users/{id}",
            expect: Box::new(|_| 404),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/users/{id}",
            expect: Box::new(|_| 404),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/me/password",
            expect: Box::new(|_| 422),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/tokens",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/tokens",
            expect: Box::new(|_| 201),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/tokens/{id}",
            expect: Box::new(|_| 404),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/sessions",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/sessions/{id}",
            expect: Box::new(|_| 404),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/audit-trail",
            expect: Box::new(|_| 403),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-timeline",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/tasks",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-methods",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/assets",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/assets",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/assets/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/assets/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/assets/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/assets/bulk",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/soa",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/soa",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/soa/import",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/imports/{kind}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/soa/diff",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/soa/{number}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/soa/{number}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/soa/{number}/entries/{control}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/soa/{number}/entries/{control}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/soa/{number}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/soa/{number}/export",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/data-flows",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/data-flows",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/data-flows/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/data-flows/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/data-flows/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/data-flow-diagram",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risks",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risks",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risks/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/risks/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/risks/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risks/{id}/acceptance",
            // The owner (a contributor) and the approvers may accept a low risk.
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-heatmap",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-library/{kind}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risk-library/{kind}",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-library/{kind}/{code}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/risk-library/{kind}/{code}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/risk-library/{kind}/{code}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risk-library/{kind}/{code}/reset",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/controls",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/controls/export",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/controls/{ref}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/controls/{ref}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification/calendar.ics",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/exports/stage1-pack",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/exports/oscal/{document}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/exports/oscal",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/exports/yaml",
            expect: Box::new(admin_only(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification/cycle",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/readiness/{profile}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/readiness-settings",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/readiness-settings",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification/audit-time",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification-bodies",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/certification-bodies",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification-bodies/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/certification-bodies/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/certification-bodies/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification-audits",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/certification-audits",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certification-audits/{reference}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/certification-audits/{reference}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/certification-audits/{reference}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certificates",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/certificates",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/certificates/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/certificates/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/certificates/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/certificates/{id}/status",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/incidents",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/incidents",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/incidents/counts",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/incidents/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/incidents/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/incidents/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/suppliers",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/suppliers",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/suppliers/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/suppliers/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/suppliers/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/suppliers/{id}/assessments",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/people",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/people",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/people/requirements",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PUT,
            template: "/api/v1/orgs/{org}/people/requirements",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/people/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/people/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/people/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/trainings",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/trainings",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/trainings/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/awareness-campaigns",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/awareness-campaigns",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/awareness-campaigns/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/awareness-campaigns/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::PUT,
            template: "/api/v1/orgs/{org}/awareness-campaigns/{id}/participants/{person}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/measurements",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/measurements",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/measurements/subjects",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/measurements/subjects/{kind}/{reference}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/measurements/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/measurements/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/frameworks/oscal-catalog",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/frameworks/ciso-assistant",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks/{framework}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/coverage",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/requirements",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/requirements/{requirement}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/mappings",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/mappings",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/links",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/frameworks/{framework}/links",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/controls/{control}/frameworks",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/own-controls",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/own-controls",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/own-controls/{code}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/own-controls/{code}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/own-controls/{code}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audit-areas",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/audit-areas",
            expect: Box::new(auditors(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audit-areas/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/audit-areas/{id}",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/audit-areas/{id}",
            expect: Box::new(auditors(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audit-programme",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/audit-programme",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/audit-programme/entries",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/audit-programme/entries/{year}/{item}",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/audit-programme/plan-the-rest",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audits",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/audits",
            expect: Box::new(auditors(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audits/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/audits/{id}",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/audits/{id}",
            expect: Box::new(auditors(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audits/{id}/checklist",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/audits/{id}/checklist",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/audits/{id}/checklist/{item}",
            expect: Box::new(auditors(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/audits/{id}/report",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/evidence",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/evidence",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/evidence/coverage",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/evidence/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/evidence/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/evidence/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/evidence/{id}/file",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/evidence/{id}/links",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/evidence/{id}/links/{kind}/{reference}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/findings",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/findings",
            expect: Box::new(recorders(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/findings/counts",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/findings/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/findings/{id}",
            expect: Box::new(recorders(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/findings/{id}",
            expect: Box::new(recorders(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/corrective-actions",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/corrective-actions",
            expect: Box::new(recorders(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/corrective-actions/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/corrective-actions/{id}",
            expect: Box::new(recorders(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/corrective-actions/{id}",
            expect: Box::new(recorders(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/corrective-actions/{id}/verify",
            expect: Box::new(recorders(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/management-reviews",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/management-reviews",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/management-reviews/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/management-reviews/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/management-reviews/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/management-reviews/{id}/refresh-inputs",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/management-reviews/{id}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/management-reviews/{id}/actions",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/management-reviews/{id}/minutes",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/threats",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/vulnerabilities",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risk-methods",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-methods/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/risk-methods/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/risk-methods/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/risk-methods/{id}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/risk-methods/{id}/document",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/tasks",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/tasks/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/tasks/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/tasks/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/tasks",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/gap-assessments",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}",
            expect: Box::new(approvers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/items",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/items/{key}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/results",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/report",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/gap-assessments/{id}/compare/{other}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/isms-foundation",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/scope-versions",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/scope-versions",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/scope-versions/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/scope-versions/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/scope-versions/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/scope-versions/{id}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/scope-versions/{id}/document",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/scope-versions/compare",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/policy-versions",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/policy-versions",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/policy-versions/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/policy-versions/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/policy-versions/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/policy-versions/{id}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/policy-versions/{id}/document",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/policy-versions/compare",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/issues",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/issues",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/issues/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/issues/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/issues/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/interested-parties",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/interested-parties",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/interested-parties/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/interested-parties/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/interested-parties/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/roles",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/roles",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/roles/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/roles/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/roles/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/objectives",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/objectives",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/objectives/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/objectives/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/objectives/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/objectives/{id}/approve",
            expect: Box::new(approvers(200)),
        },
        // The document register.
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/templates",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/export",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/documents/{id}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::DELETE,
            template: "/api/v1/orgs/{org}/documents/{id}",
            expect: Box::new(writers(204)),
        },
        Case {
            method: Method::PUT,
            template: "/api/v1/orgs/{org}/documents/{id}/links",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/retire",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}/diff",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}/versions",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/versions",
            expect: Box::new(writers(201)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::PATCH,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/submit",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/approve",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/reject",
            expect: Box::new(approvers(200)),
        },
        Case {
            method: Method::POST,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/file",
            expect: Box::new(writers(200)),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/file",
            expect: Box::new(member_reads),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/orgs/{org}/documents/{id}/versions/{number}/download",
            expect: Box::new(member_reads),
        },
        // Reference data: anyone signed in.
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/controls",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/controls/{id}",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/clauses",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/clauses/{id}",
            expect: Box::new(|_| 200),
        },
        Case {
            method: Method::GET,
            template: "/api/v1/catalogue/mapping-2013",
            expect: Box::new(|_| 200),
        },
        // Last: it ends the caller's session.
        Case {
            method: Method::POST,
            template: "/api/v1/auth/logout",
            expect: Box::new(|_| 204),
        },
    ]
}

#[tokio::test]
async fn every_route_every_role_and_an_outsider() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("alpha").await;
    let other = t.org_with_roles("beta").await;
    let cases = cases();

    // Coverage: every operation in the OpenAPI document has a case here.
    let doc: Value = serde_json::from_str(&isms_web::api::openapi_json()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_string(), c.template.to_owned()))
        .collect();
    assert_eq!(
        documented, covered,
        "every API operation must be in the authorisation matrix"
    );

    // A separate session for the set-up calls (the admin's own session logs out).
    let admin = t.login(f.email(Role::Admin)).await;
    let mut callers: Vec<Who> = Role::ALL.iter().copied().map(Who::Role).collect();
    callers.push(Who::Outsider);
    let mut failures = Vec::new();
    let mut n = 0;
    for who in &callers {
        let email = match who {
            Who::Role(r) => f.email(*r).to_owned(),
            Who::Outsider => other.email(Role::Admin).to_owned(),
        };
        let c = t.login(&email).await;
        for case in &cases {
            n += 1;
            let got = call(&t, &admin, &f, &other, &c, *who, case, n).await;
            let want = (case.expect)(*who);
            if got.as_u16() != want {
                failures.push(format!(
                    "{:?} {} {}: got {} want {want}",
                    who,
                    case.method,
                    case.template,
                    got.as_u16()
                ));
            }
        }
    }
    // Without credentials every route but sign-in is 401.
    let anon = t.anon();
    for case in &cases {
        if case.template == "/api/v1/auth/login" {
            continue;
        }
        n += 1;
        let got = call(
            &t,
            &admin,
            &f,
            &other,
            &anon,
            Who::Role(Role::Viewer),
            case,
            n,
        )
        .await;
        if got != StatusCode::UNAUTHORIZED {
            failures.push(format!(
                "anonymous {} {}: got {}",
                case.method, case.template, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn another_organisations_ids_are_not_found_through_my_organisation() {
    let t = TestApp::spawn().await;
    let a = t.org_with_roles("alpha").await;
    let b = t.org_with_roles("beta").await;
    let admin_a = t.login(a.email(Role::Admin)).await;
    let b_member = b.membership(Role::Viewer);
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"role": "admin", "version": 1}))),
        (Method::DELETE, None),
    ] {
        let (s, p) = admin_a
            .send(
                method.clone(),
                &format!("/api/v1/orgs/alpha/members/{b_member}"),
                body.as_ref(),
            )
            .await;
        assert_eq!(s, 404, "{method} {p}");
        assert!(
            !p.to_string().contains("beta"),
            "no hint of the other organisation"
        );
    }
    let (_, list) = admin_a.get("/api/v1/orgs").await;
    let slugs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["alpha"]);
    // B's membership is unchanged.
    let admin_b = t.login(b.email(Role::Admin)).await;
    let (s, m) = admin_b
        .get(&format!("/api/v1/orgs/beta/members/{b_member}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(m["role"], "viewer");
    // Instance administrators see every organisation.
    t.user("root@example.com", "Root", true).await;
    let root = t.login("root@example.com").await;
    let (_, list) = root.get("/api/v1/orgs").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}
