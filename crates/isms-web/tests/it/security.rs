//! Bad input, CSRF and origin checks, body limits.

use isms_domain::rbac::Role;
use isms_testkit::{PASSWORD, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_400_and_names_nothing_it_cannot() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    let r = c
        .request(Method::POST, "/api/v1/orgs/acme/members")
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().starts_with("malformed JSON"));
    let r = c
        .request(Method::POST, "/api/v1/orgs/acme/members")
        .body("email=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_name_the_field() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    let (s, p) = c
        .patch(
            "/api/v1/orgs/acme",
            &json!({"employees": "many", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "employees");
    let (s, p) = c
        .patch(
            "/api/v1/orgs/acme",
            &json!({"name": "X", "colour": "blue", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "colour");
    let (s, p) = c.patch("/api/v1/orgs/acme", &json!({"name": "X"})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "version");
    let (s, p) = c
        .patch(
            "/api/v1/orgs/acme",
            &json!({"employees": 0, "name": "  ", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "employees"]);
}

#[tokio::test]
async fn bad_email_and_weak_password_are_named_and_nothing_is_written() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    let (_, before) = c.get("/api/v1/orgs/acme/audit-trail").await;
    let (s, p) = c
        .post(
            "/api/v1/orgs/acme/members",
            &json!({"email": "not-an-email", "role": "viewer", "name": "X", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "email");
    let (s, p) = c.post("/api/v1/orgs/acme/members", &json!({"email": "weak@example.com", "role": "viewer", "name": "Weak", "password": "password1234"})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "password");
    // A new account with a good password but a bad role: neither account nor membership.
    let (s, p) = c.post("/api/v1/orgs/acme/members", &json!({"email": "half@example.com", "role": "owner", "name": "Half", "password": PASSWORD})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "role");
    // An account is created inside the transaction, then the membership fails: all rolled back.
    let (s, _) = c.post("/api/v1/orgs/acme/members", &json!({"email": "late@example.com", "role": "external_auditor", "expires_on": "2001-01-01", "name": "Late", "password": PASSWORD})).await;
    assert_eq!(s, 422);
    assert!(
        t.app
            .get_user_by_email("half@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        t.app
            .get_user_by_email("late@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (_, after) = c.get("/api/v1/orgs/acme/audit-trail").await;
    assert_eq!(before["items"], after["items"]);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c
        .request(Method::PATCH, "/api/v1/orgs/acme")
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{big}\", \"version\": 1}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], 413);
    // Long but under the limit: a validation error, not a 500.
    let (s, p) = c
        .patch(
            "/api/v1/orgs/acme",
            &json!({"name": "y".repeat(5000), "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "name");
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_problems() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    for path in [
        "/api/v1/orgs/acme/members/not-a-uuid",
        "/api/v1/orgs/acme/members/0190c0de-0000-7000-8000-000000000000",
        "/api/v1/orgs/nope",
        "/api/v1/nothing-here",
    ] {
        let (s, p) = c.get(path).await;
        assert_eq!(s, 404, "{path}");
        assert_eq!(p["status"], 404);
    }
}

#[tokio::test]
async fn cookie_authenticated_writes_need_the_csrf_header() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = http
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"email": "admin@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let csrf = v["csrf_token"].as_str().unwrap().to_owned();
    // Reads work with the cookie alone.
    let r = http
        .get(format!("{}/api/v1/orgs/acme", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let version = r.json::<serde_json::Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    // Writes without the token are refused and change nothing.
    let r = http
        .patch(format!("{}/api/v1/orgs/acme", t.base))
        .json(&json!({"employees": 99, "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .patch(format!("{}/api/v1/orgs/acme", t.base))
        .header("x-csrf-token", "wrong")
        .json(&json!({"employees": 99, "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .patch(format!("{}/api/v1/orgs/acme", t.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"employees": 99, "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let r = c
        .request(Method::PATCH, "/api/v1/orgs/acme")
        .header("origin", "https://evil.example")
        .json(&json!({"employees": 5, "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .request(Method::POST, "/login")
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "admin@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .request(Method::GET, "/api/v1/orgs/acme")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "reads are not refused");
}

#[tokio::test]
async fn security_headers_are_set() {
    let t = TestApp::spawn().await;
    let r = t
        .anon()
        .request(Method::GET, "/login")
        .send()
        .await
        .unwrap();
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("x-request-id"));
}
