use isms_domain::rbac::Role;
use isms_testkit::{PASSWORD, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let t = TestApp::spawn().await;
    let c = t.anon();
    let r = c
        .request(reqwest::Method::GET, "/healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = c
        .request(reqwest::Method::GET, "/readyz")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn login_me_and_logout() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let c = t.login("alice@example.com").await;
    let (s, me) = c.get("/api/v1/auth/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["user"]["email"], "alice@example.com");
    assert_eq!(me["organisations"], json!([]));
    let (s, _) = c.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(s, 204);
    let (s, p) = c.get("/api/v1/auth/me").await;
    assert_eq!(s, 401);
    assert_eq!(p["status"], 401);
}

#[tokio::test]
async fn wrong_and_unknown_credentials_look_the_same() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let c = t.anon();
    let (s1, p1) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": "not the password"}),
        )
        .await;
    let (s2, p2) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await;
    assert_eq!(s1, 401);
    assert_eq!(s2, 401);
    assert_eq!(p1["detail"], p2["detail"]);
}

#[tokio::test]
async fn no_auth_is_401_problem_json() {
    let t = TestApp::spawn().await;
    let r = t
        .anon()
        .request(reqwest::Method::GET, "/api/v1/orgs")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("sign in"));
    let (s, _) = t
        .anon()
        .with_token("isms_deadbeef")
        .get("/api/v1/orgs")
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn org_create_get_patch_and_stale_version() {
    let t = TestApp::spawn().await;
    t.user("root@example.com", "Root", true).await;
    let c = t.login("root@example.com").await;
    let (s, o) = c
        .post(
            "/api/v1/orgs",
            &json!({"name": "Acme Security Ltd", "employees": 120}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    assert_eq!(o["slug"], "acme-security-ltd");
    assert_eq!(o["my_role"], "admin");
    let (s, o) = c.get("/api/v1/orgs/acme-security-ltd").await;
    assert_eq!(s, 200);
    let v = o["version"].as_i64().unwrap();
    // Two PATCHes with the same version: the second is 409 and changes nothing.
    let (s1, a) = c
        .patch(
            "/api/v1/orgs/acme-security-ltd",
            &json!({"name": "Acme One", "version": v}),
        )
        .await;
    let (s2, b) = c
        .patch(
            "/api/v1/orgs/acme-security-ltd",
            &json!({"name": "Acme Two", "version": v}),
        )
        .await;
    assert_eq!(s1, 200, "{a}");
    assert_eq!(s2, 409, "{b}");
    assert_eq!(b["status"], 409);
    let (_, o) = c.get("/api/v1/orgs/acme-security-ltd").await;
    assert_eq!(o["name"], "Acme One");
    assert_eq!(o["version"], v + 1);
    // Duplicate slug names the field.
    let (s, p) = c
        .post(
            "/api/v1/orgs",
            &json!({"name": "Other", "slug": "acme-security-ltd", "employees": 5}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "slug");
}

#[tokio::test]
async fn members_lifecycle_and_last_admin_guard() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let admin = t.login(f.email(Role::Admin)).await;
    // New account through the members endpoint.
    let (s, m) = admin.post("/api/v1/orgs/acme/members", &json!({"email": "New.Person@Example.com", "role": "viewer", "name": "New Person", "password": PASSWORD})).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["email"], "new.person@example.com");
    assert_eq!(m["role"], "viewer");
    let id = m["id"].as_str().unwrap().to_owned();
    // Without name and password for an unknown e-mail: both fields named.
    let (s, p) = admin
        .post(
            "/api/v1/orgs/acme/members",
            &json!({"email": "ghost@example.com", "role": "viewer"}),
        )
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "password"]);
    // External auditor requires an expiry date.
    let (s, p) = admin
        .patch(
            &format!("/api/v1/orgs/acme/members/{id}"),
            &json!({"role": "external_auditor", "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "expires_on");
    let (s, m) = admin
        .patch(
            &format!("/api/v1/orgs/acme/members/{id}"),
            &json!({"role": "external_auditor", "expires_on": "2027-03-01", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["expires_on"], "2027-03-01");
    // Filter by role.
    let (_, list) = admin
        .get("/api/v1/orgs/acme/members?role=external_auditor")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // The only admin cannot be demoted or removed.
    let admin_mid = f.membership(Role::Admin);
    let (s, p) = admin
        .patch(
            &format!("/api/v1/orgs/acme/members/{admin_mid}"),
            &json!({"role": "viewer", "version": 1}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = admin
        .delete(&format!("/api/v1/orgs/acme/members/{admin_mid}"))
        .await;
    assert_eq!(s, 409);
    let (s, _) = admin
        .delete(&format!("/api/v1/orgs/acme/members/{id}"))
        .await;
    assert_eq!(s, 204);
    let (s, _) = admin.get(&format!("/api/v1/orgs/acme/members/{id}")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn pagination_is_keyset_and_complete() {
    let t = TestApp::spawn().await;
    let _f = t.org_with_roles("acme").await;
    let c = t.login("admin@acme.test").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orgs/acme/members?limit=4&cursor={c}"),
            None => "/api/v1/orgs/acme/members?limit=4".to_owned(),
        };
        let (s, page) = c.get(&path).await;
        assert_eq!(s, 200);
        for m in page["items"].as_array().unwrap() {
            seen.push(m["email"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let (s, p) = c.get("/api/v1/orgs/acme/members?cursor=%%%").await;
    assert!(s == 422 || s == 400, "{s} {p}");
    let (s, p) = c
        .get("/api/v1/orgs/acme/members?cursor=bm90LWEtY3Vyc29y&limit=abc")
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "limit");
}

#[tokio::test]
async fn expired_external_auditor_signs_in_to_nothing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let auditor = t.login(f.email(Role::ExternalAuditor)).await;
    let (s, _) = auditor.get("/api/v1/orgs/acme").await;
    assert_eq!(s, 200);
    let (_, me) = auditor.get("/api/v1/auth/me").await;
    assert_eq!(me["organisations"].as_array().unwrap().len(), 1);
    // The membership runs 30 days; move past it.
    t.clock.advance_days(31);
    let auditor = t.login(f.email(Role::ExternalAuditor)).await;
    let (_, me) = auditor.get("/api/v1/auth/me").await;
    assert_eq!(me["organisations"], json!([]));
    for path in [
        "/api/v1/orgs/acme",
        "/api/v1/orgs/acme/members",
        "/api/v1/orgs/acme/audit-trail",
    ] {
        let (s, _) = auditor.get(path).await;
        assert_eq!(s, 404, "{path}");
    }
    // The admin sees the membership as inactive.
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, m) = admin
        .get(&format!(
            "/api/v1/orgs/acme/members/{}",
            f.membership(Role::ExternalAuditor)
        ))
        .await;
    assert_eq!(m["active"], false);
}

#[tokio::test]
async fn api_tokens_create_use_list_revoke() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Viewer)).await;
    let (s, tok) = c
        .post(
            "/api/v1/tokens",
            &json!({"name": "CI check", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(s, 201, "{tok}");
    let secret = tok["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("isms_"));
    let bearer = c.with_token(&secret);
    let (s, _) = bearer.get("/api/v1/orgs/acme").await;
    assert_eq!(s, 200);
    // Scoped to the owner's rights: a viewer's token cannot change settings.
    let (s, _) = bearer
        .patch("/api/v1/orgs/acme", &json!({"name": "x", "version": 1}))
        .await;
    assert_eq!(s, 403);
    let (_, list) = c.get("/api/v1/tokens").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("secret").is_none());
    assert!(!list.to_string().contains(&secret));
    let (s, p) = c
        .post("/api/v1/tokens", &json!({"name": "", "expires_in_days": 0}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
    let id = tok["id"].as_str().unwrap();
    // Someone else cannot revoke it.
    let other = t.login(f.email(Role::Admin)).await;
    let (s, _) = other.delete(&format!("/api/v1/tokens/{id}")).await;
    assert_eq!(s, 404);
    let (s, _) = c.delete(&format!("/api/v1/tokens/{id}")).await;
    assert_eq!(s, 204);
    let (s, _) = bearer.get("/api/v1/orgs/acme").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn sessions_list_and_revoke() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let a = t.login("alice@example.com").await;
    let b = t.login("alice@example.com").await;
    let (_, list) = a.get("/api/v1/sessions").await;
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let other = list.iter().find(|s| s["current"] == false).unwrap();
    let (s, _) = a
        .delete(&format!(
            "/api/v1/sessions/{}",
            other["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 204);
    let (s, _) = b.get("/api/v1/auth/me").await;
    assert_eq!(s, 401);
    let (s, _) = a.get("/api/v1/auth/me").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn totp_login_through_the_api() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let p = t
        .app
        .principal_for_email("alice@example.com")
        .await
        .unwrap();
    let setup = t.app.begin_totp(&p).await.unwrap();
    let secret = isms_domain::totp::base32_decode(&setup.secret).unwrap();
    let now = t.clock.now_secs();
    let codes = t
        .app
        .confirm_totp(&p, &isms_domain::totp::code_at(&secret, now))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let c = t.anon();
    let (s, pr) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 401);
    assert_eq!(pr["errors"][0]["field"], "totp");
    // The code used for enrolment does not work twice.
    let (s, _) = c.post("/api/v1/auth/login", &json!({"email": "alice@example.com", "password": PASSWORD, "totp": isms_domain::totp::code_at(&secret, now)})).await;
    assert_eq!(s, 422);
    t.clock.advance_secs(30);
    let code = isms_domain::totp::code_at(&secret, now + 30);
    let (s, v) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": PASSWORD, "totp": code}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": PASSWORD, "totp": code}),
        )
        .await;
    assert_eq!(s, 422, "a code works once");
}

#[tokio::test]
async fn audit_trail_records_changes_and_filters() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, o) = admin.get("/api/v1/orgs/acme").await;
    admin
        .patch(
            "/api/v1/orgs/acme",
            &json!({"employees": 77, "version": o["version"]}),
        )
        .await;
    let (s, page) = admin.get("/api/v1/orgs/acme/audit-trail").await;
    assert_eq!(s, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items[0]["entity"], "organisation");
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["details"]["after"]["employees"], 77);
    assert_eq!(items[0]["actor"], f.email(Role::Admin));
    let (_, page) = admin
        .get("/api/v1/orgs/acme/audit-trail?entity=membership")
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|e| e["entity"] == "membership"));
    let (_, page) = admin
        .get(&format!(
            "/api/v1/orgs/acme/audit-trail?actor={}",
            f.user_id(Role::Admin)
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, page) = admin
        .get("/api/v1/orgs/acme/audit-trail?from=2026-11-28&to=2026-11-28")
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 8);
    let (_, page) = admin
        .get("/api/v1/orgs/acme/audit-trail?from=2026-11-29")
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    let (s, p) = admin
        .get("/api/v1/orgs/acme/audit-trail?from=yesterday")
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "from");
    let (s, v) = admin.get("/api/v1/orgs/acme/audit-trail/verify").await;
    assert_eq!(s, 200);
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries_checked"], 8);
}

#[tokio::test]
async fn a_session_made_on_one_instance_works_on_another() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let (base2, _h) = t.spawn_sibling().await;
    let c1 = t.login("alice@example.com").await;
    let c2 = isms_testkit::Client::new(&base2, c1.token.clone());
    let (s, me) = c2.get("/api/v1/auth/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["user"]["email"], "alice@example.com");
    // Revoked through the second, refused by the first.
    let (_, list) = c2.get("/api/v1/sessions").await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    c2.delete(&format!("/api/v1/sessions/{id}")).await;
    let (s, _) = c1.get("/api/v1/auth/me").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let c = t.anon();
    for _ in 0..10 {
        let (s, _) = c
            .post(
                "/api/v1/auth/login",
                &json!({"email": "alice@example.com", "password": "wrong wrong wrong"}),
            )
            .await;
        assert_eq!(s, 401);
    }
    let r = c
        .request(reqwest::Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": "alice@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    t.clock.advance_secs(16 * 60);
    let (s, _) = c
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn disabled_account_loses_its_sessions() {
    let t = TestApp::spawn().await;
    t.user("root@example.com", "Root", true).await;
    let u = t.user("alice@example.com", "Alice", false).await;
    let alice = t.login("alice@example.com").await;
    let root = t.login("root@example.com").await;
    let (s, v) = root
        .patch(
            &format!("/api/v1/users/{}", u.id),
            &json!({"disabled": true, "version": u.version}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = alice.get("/api/v1/auth/me").await;
    assert_eq!(s, 401);
    let (s, p) = t
        .anon()
        .post(
            "/api/v1/auth/login",
            &json!({"email": "alice@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 401);
    assert!(p["detail"].as_str().unwrap().contains("disabled"));
    // An admin cannot disable themself.
    let me = root.get("/api/v1/auth/me").await.1;
    let (s, p) = root
        .patch(
            &format!("/api/v1/users/{}", me["user"]["id"].as_str().unwrap()),
            &json!({"disabled": true, "version": me["user"]["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
}

#[tokio::test]
async fn password_change_checks_and_ends_other_sessions() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let a = t.login("alice@example.com").await;
    let b = t.login("alice@example.com").await;
    let (s, p) = a
        .post(
            "/api/v1/me/password",
            &json!({"current_password": "nope", "new_password": "another long passphrase"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "current_password");
    let (s, p) = a
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "new_password");
    let (s, _) = a
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "another long passphrase"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(a.get("/api/v1/auth/me").await.0, 200);
    assert_eq!(b.get("/api/v1/auth/me").await.0, 401);
}

#[tokio::test]
async fn recovery_codes_work_once_through_the_api() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let p = t
        .app
        .principal_for_email("alice@example.com")
        .await
        .unwrap();
    let setup = t.app.begin_totp(&p).await.unwrap();
    let secret = isms_domain::totp::base32_decode(&setup.secret).unwrap();
    let codes = t
        .app
        .confirm_totp(&p, &isms_domain::totp::code_at(&secret, t.clock.now_secs()))
        .await
        .unwrap();
    let c = t.anon();
    let body = json!({"email": "alice@example.com", "password": PASSWORD, "totp": codes[3].to_uppercase()});
    let (s, v) = c.post("/api/v1/auth/login", &body).await;
    assert_eq!(s, 200, "{v}");
    let (s, p) = c.post("/api/v1/auth/login", &body).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "totp");
    assert_eq!(
        t.app
            .recovery_codes_left(
                &t.app
                    .principal_for_email("alice@example.com")
                    .await
                    .unwrap()
            )
            .await
            .unwrap(),
        9
    );
}

#[tokio::test]
async fn housekeeping_removes_ended_sessions() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let c = t.login("alice@example.com").await;
    assert_eq!(t.app.housekeeping().await.unwrap(), 0);
    assert_eq!(c.get("/api/v1/auth/me").await.0, 200);
    t.clock.advance_secs(13 * 3600);
    assert_eq!(
        c.get("/api/v1/auth/me").await.0,
        401,
        "idle for longer than 12 hours"
    );
    assert_eq!(t.app.housekeeping().await.unwrap(), 1);
}

#[tokio::test]
async fn catalogue_endpoints() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let c = t.login("alice@example.com").await;
    let (s, all) = c.get("/api/v1/catalogue/controls").await;
    assert_eq!(s, 200);
    assert_eq!(all.as_array().unwrap().len(), 93);
    let (_, detective) = c
        .get("/api/v1/catalogue/controls?control_type=detective")
        .await;
    assert_eq!(detective.as_array().unwrap().len(), 13);
    let (_, sup) = c.get("/api/v1/catalogue/controls?operational_capabilities=supplier_relationships_security&theme=organizational").await;
    assert!(sup.as_array().unwrap().iter().any(|x| x["id"] == "5.19"));
    let (s, p) = c
        .get("/api/v1/catalogue/controls?control_type=sometimes")
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "control_type");
    let (s, p) = c.get("/api/v1/catalogue/controls?colour=red").await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "colour");
    let (s, one) = c.get("/api/v1/catalogue/controls/A.8.9").await;
    assert_eq!(s, 200);
    assert_eq!(one["title"], "Configuration management");
    assert_eq!(one["new_in_2022"], true);
    assert_eq!(c.get("/api/v1/catalogue/controls/9.9").await.0, 404);
    let (_, clauses) = c.get("/api/v1/catalogue/clauses").await;
    let reqs = clauses
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["is_requirement"] == true)
        .count();
    assert_eq!(reqs, 30);
    let (_, cl) = c.get("/api/v1/catalogue/clauses/6.1.2").await;
    assert_eq!(cl["documented_information"], true);
    let (_, map) = c.get("/api/v1/catalogue/mapping-2013").await;
    assert_eq!(map.as_array().unwrap().len(), 114);
}

#[tokio::test]
async fn gap_assessment_lifecycle_and_rules() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::IsmsManager)).await;
    let (s, a) = c
        .post(
            "/api/v1/orgs/acme/gap-assessments",
            &json!({"title": "Baseline", "scope_note": "Whole company"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["total"], 123);
    assert_eq!(a["answered"], 0);
    let id = a["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/orgs/acme/gap-assessments/{id}");
    let (_, items) = c.get(&format!("{base}/items")).await;
    let items = items.as_array().unwrap().clone();
    assert_eq!(items.len(), 123);
    assert_eq!(items.iter().filter(|i| i["kind"] == "clause").count(), 30);
    let (_, sup) = c.get(&format!("{base}/items?area=supplier_security")).await;
    assert!(
        sup.as_array()
            .unwrap()
            .iter()
            .all(|i| i["area"] == "supplier_security")
    );
    assert_eq!(c.get(&format!("{base}/items?area=nowhere")).await.0, 422);

    // Bad answers: 422 naming the field, nothing saved.
    let item = |k: &str| format!("{base}/items/{k}");
    for (body, field) in [
        (json!({"current": 6, "version": 1}), "current"),
        (json!({"current": -1, "version": 1}), "current"),
        (json!({"current": 4, "target": 3, "version": 1}), "target"),
        (json!({"current": 1, "target": 2, "version": 1}), "target"),
        (
            json!({"applicable": false, "not_applicable_reason": "We have no offices at all.", "version": 1}),
            "applicable",
        ),
    ] {
        let (s, p) = c.patch(&item("clause:6.1.2"), &body).await;
        assert_eq!(s, 422, "{body} → {p}");
        assert_eq!(p["errors"][0]["field"], field, "{body} → {p}");
    }
    let (s, p) = c
        .patch(&item("control:9.99"), &json!({"current": 1, "version": 1}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "item");
    let (s, p) = c
        .patch(
            &item("control:7.1"),
            &json!({"applicable": false, "version": 1}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "not_applicable_reason");
    let (_, after) = c.get(&base).await;
    assert_eq!(after["answered"], 0, "nothing saved");

    // Good answers, stale version.
    let (s, it) = c.patch(&item("clause:6.1.2"), &json!({"current": 1, "target": 3, "owner": "Priya", "evidence": ["https://wiki/risk-method"], "version": 1})).await;
    assert_eq!(s, 200, "{it}");
    assert_eq!(it["gap"], 2);
    assert_eq!(it["priority"], "high");
    assert_eq!(it["answered"], true);
    let (s, _) = c
        .patch(&item("clause:6.1.2"), &json!({"current": 2, "version": 1}))
        .await;
    assert_eq!(s, 409);
    let (s, it) = c.patch(&item("control:7.4"), &json!({"applicable": false, "not_applicable_reason": "Fully remote company without premises of its own.", "version": 1})).await;
    assert_eq!(s, 200, "{it}");
    assert_eq!(it["answered"], true);
    c.patch(
        &item("control:5.19"),
        &json!({"current": 0, "target": 3, "version": 1}),
    )
    .await;
    c.patch(
        &item("control:8.5"),
        &json!({"current": 2, "target": 4, "version": 1}),
    )
    .await;

    // Results.
    let (s, r) = c.get(&format!("{base}/results")).await;
    assert_eq!(s, 200);
    assert_eq!(
        r["gaps"][0]["key"], "clause:6.1.2",
        "the mandatory clause comes first"
    );
    assert_eq!(r["missing_controls"][0]["key"], "control:5.19");
    assert_eq!(r["weak_controls"][0]["key"], "control:8.5");
    assert!(
        r["documentation_gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["key"] == "clause:6.1.2")
    );
    assert_eq!(r["not_applicable"], 1);
    assert_eq!(r["areas"].as_array().unwrap().len(), 8);

    // Completing needs every item answered.
    let (s, p) = c
        .patch(&base, &json!({"status": "completed", "version": 1}))
        .await;
    assert_eq!(s, 409, "{p}");
    // A second assessment copied from the first, improved, and compared.
    let (_, b) = c
        .post(
            "/api/v1/orgs/acme/gap-assessments",
            &json!({"title": "Follow-up", "copy_from": id}),
        )
        .await;
    let bid = b["id"].as_str().unwrap().to_owned();
    let (_, bitems) = c
        .get(&format!("/api/v1/orgs/acme/gap-assessments/{bid}/items"))
        .await;
    let copied = bitems
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "clause:6.1.2")
        .unwrap()
        .clone();
    assert_eq!(copied["current"], 1);
    assert_eq!(
        copied["answered"], false,
        "copied answers must be confirmed again"
    );
    c.patch(
        &format!("/api/v1/orgs/acme/gap-assessments/{bid}/items/clause:6.1.2"),
        &json!({"current": 3, "target": 3, "version": 1}),
    )
    .await;
    let (s, cmp) = c.get(&format!("{base}/compare/{bid}")).await;
    assert_eq!(s, 200, "{cmp}");
    assert_eq!(cmp["changed"][0]["key"], "clause:6.1.2");
    assert_eq!(cmp["changed"][0]["change"], 2);
    let (s, p) = c
        .post(
            "/api/v1/orgs/acme/gap-assessments",
            &json!({"title": "x", "copy_from": "0190c0de-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "copy_from");
    // Another organisation cannot see it.
    let other = t.org_with_roles("other").await;
    let o = t.login(other.email(Role::Admin)).await;
    assert_eq!(
        o.get(&format!("/api/v1/orgs/other/gap-assessments/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(o.get(&base).await.0, 404);
    // The audit trail recorded the answers.
    let (_, trail) = c.get("/api/v1/orgs/acme/audit-trail?entity=gap_item").await;
    assert!(trail["items"].as_array().unwrap().len() >= 4);
}

#[tokio::test]
async fn a_gap_assessment_can_be_completed_and_reopened() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Admin)).await;
    let (_, a) = c
        .post(
            "/api/v1/orgs/acme/gap-assessments",
            &json!({"title": "Quick"}),
        )
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/orgs/acme/gap-assessments/{id}");
    let (_, items) = c.get(&format!("{base}/items")).await;
    for i in items.as_array().unwrap() {
        let k = i["key"].as_str().unwrap();
        let (s, v) = c
            .patch(
                &format!("{base}/items/{k}"),
                &json!({"current": 3, "target": 3, "version": i["version"]}),
            )
            .await;
        assert_eq!(s, 200, "{k}: {v}");
    }
    let (s, done) = c
        .patch(&base, &json!({"status": "completed", "version": 1}))
        .await;
    assert_eq!(s, 200, "{done}");
    assert!(done["completed_at"].is_string());
    let (_, r) = c.get(&format!("{base}/results")).await;
    assert_eq!(r["gaps"], json!([]));
    // The report as PDF: read back its pages and text.
    let res = c
        .request(Method::GET, &format!("{base}/report?format=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("acme-gap-report.pdf")
    );
    let pdf = res.bytes().await.unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert!(!pages.is_empty());
    let first = &pages[0];
    assert!(first.contains("Gap assessment report: Quick"), "{first}");
    assert!(first.contains("Report date") && first.contains("2026-11-28"));
    assert!(first.contains("Maturity per area") && first.contains("Governance & leadership"));
    let res = c
        .request(Method::GET, &format!("{base}/report?format=md"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .starts_with("# Gap assessment report: Quick")
    );
    let (s, p) = c.get(&format!("{base}/report?format=docx")).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "format", "{p}");
    // Another organisation's admin cannot read it.
    let other = t.org_with_roles("other").await;
    let o = t.login(other.email(Role::Admin)).await;
    assert_eq!(o.get(&format!("{base}/report?format=md")).await.0, 404);
    assert_eq!(
        o.get(&format!("/api/v1/orgs/other/gap-assessments/{id}/report"))
            .await
            .0,
        404
    );
    let (s, _) = c
        .patch(
            &base,
            &json!({"status": "in_progress", "version": done["version"]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(c.delete(&base).await.0, 204);
    assert_eq!(c.get(&base).await.0, 404);
}

#[tokio::test]
async fn certification_timeline() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Viewer)).await;
    // 50 people, no assessment yet: small, nothing in place.
    let (s, tl) = c.get("/api/v1/orgs/acme/gap-timeline").await;
    assert_eq!(s, 200, "{tl}");
    assert_eq!(tl["size_class"], "small");
    assert_eq!(tl["start"], "2026-11-28", "starts today (the clock's date)");
    assert_eq!(tl["phases"].as_array().unwrap().len(), 7);
    let months = tl["months"].as_f64().unwrap();
    assert!((4.0..=6.0).contains(&months), "{months}");
    let (_, same) = c.get("/api/v1/orgs/acme/gap-timeline").await;
    assert_eq!(tl, same, "deterministic");
    let (_, two) = c.get("/api/v1/orgs/acme/gap-timeline?sites=2&existing_management_system=true&start=2027-01-04").await;
    assert_eq!(two["size_class"], "medium");
    assert_eq!(two["phases"][0]["start"], "2027-01-04");
    let (s, p) = c.get("/api/v1/orgs/acme/gap-timeline?sites=0").await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "sites");
    let (s, p) = c.get("/api/v1/orgs/acme/gap-timeline?start=soon").await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "start");
    // The organisation's saved profile is the default input; query values are a what-if.
    let admin = t.login(f.email(Role::Admin)).await;
    let (_, org) = admin.get("/api/v1/orgs/acme").await;
    let (s, p) = admin
        .patch(
            "/api/v1/orgs/acme",
            &json!({"sites": 0, "other_management_system": "ISO 9001\nand more", "version": org["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["sites", "other_management_system"]);
    let (_, unchanged) = admin.get("/api/v1/orgs/acme").await;
    assert_eq!(unchanged["version"], org["version"], "nothing saved");
    let (s, saved) = admin
        .patch(
            "/api/v1/orgs/acme",
            &json!({"sites": 2, "other_management_system": " ISO 9001 ", "version": org["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["sites"], 2);
    assert_eq!(saved["other_management_system"], "ISO 9001");
    let (_, from_profile) = c.get("/api/v1/orgs/acme/gap-timeline").await;
    assert_eq!(from_profile["sites"], 2);
    assert_eq!(from_profile["existing_management_system"], true);
    assert_eq!(from_profile["size_class"], "medium");
    let (_, what_if) = c
        .get("/api/v1/orgs/acme/gap-timeline?sites=1&existing_management_system=false")
        .await;
    assert_eq!(what_if["sites"], 1);
    assert_eq!(what_if["existing_management_system"], false);
    assert_eq!(what_if["size_class"], "small", "one site again: small");
}

#[tokio::test]
async fn roadmap_tasks_from_gaps() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let (_, a) = c
        .post(
            "/api/v1/orgs/acme/gap-assessments",
            &json!({"title": "Baseline"}),
        )
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/orgs/acme/gap-assessments/{id}");
    c.patch(
        &format!("{base}/items/clause:6.1.2"),
        &json!({"current": 1, "target": 3, "owner": "Priya", "version": 1}),
    )
    .await;
    c.patch(
        &format!("{base}/items/control:7.4"),
        &json!({"current": 2, "target": 3, "version": 1}),
    )
    .await;
    let (s, g) = c.post(&format!("{base}/tasks"), &json!({})).await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["added"], 2);
    let (_, again) = c.post(&format!("{base}/tasks"), &json!({})).await;
    assert_eq!(again["added"], 0, "no duplicates");
    let (_, list) = c.get("/api/v1/orgs/acme/tasks").await;
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let high = items
        .iter()
        .find(|x| x["item_key"] == "clause:6.1.2")
        .unwrap();
    assert_eq!(high["priority"], "high");
    assert_eq!(high["owner"], "Priya");
    assert_eq!(
        high["due_on"], "2026-12-26",
        "high priority: four weeks from the clock's today"
    );
    assert_eq!(high["late"], false);
    // Time passes: the task is late until done.
    t.clock.advance_days(40);
    let c = t.login(f.email(Role::Contributor)).await; // the old session has ended meanwhile
    let tid = high["id"].as_str().unwrap();
    let (_, now) = c.get(&format!("/api/v1/orgs/acme/tasks/{tid}")).await;
    assert_eq!(now["late"], true);
    let (s, done) = c
        .patch(
            &format!("/api/v1/orgs/acme/tasks/{tid}"),
            &json!({"status": "done", "version": now["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["late"], false);
    let (s, _) = c
        .patch(
            &format!("/api/v1/orgs/acme/tasks/{tid}"),
            &json!({"status": "open", "version": now["version"]}),
        )
        .await;
    assert_eq!(s, 409, "stale version");
    // Validation names the field.
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (
            json!({"title": "x", "item_key": "control:99.1"}),
            "item_key",
        ),
        (
            json!({"title": "x", "start_on": "2027-02-01", "due_on": "2027-01-01"}),
            "due_on",
        ),
        (json!({"title": "x", "priority": "urgent"}), "priority"),
        (json!({"title": "x", "due_on": "next week"}), "due_on"),
    ] {
        let (s, p) = c.post("/api/v1/orgs/acme/tasks", &body).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    let (_, open) = c.get("/api/v1/orgs/acme/tasks?status=open").await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    assert_eq!(c.get("/api/v1/orgs/acme/tasks?status=someday").await.0, 422);
    // Viewers read, but cannot change.
    let v = t.login(f.email(Role::Viewer)).await;
    assert_eq!(v.get("/api/v1/orgs/acme/tasks").await.0, 200);
    assert_eq!(
        v.post("/api/v1/orgs/acme/tasks", &json!({"title": "nope"}))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn risk_method_versions_approval_and_document() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let list = "/api/v1/orgs/acme/risk-methods";
    let (s, empty) = contributor.get(list).await;
    assert_eq!(s, 200);
    assert_eq!(empty["items"], json!([]));
    let (s, p) = contributor.post(list, &json!({"preset": "6x6"})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "preset");
    let (s, d) = contributor
        .post(
            list,
            &json!({"preset": "5x5", "change_note": "First method"}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["number"], 1);
    assert_eq!(d["status"], "draft");
    assert_eq!(d["based_on"], "5x5");
    assert_eq!(d["method"]["matrix"].as_array().unwrap().len(), 5);
    let (s, _) = contributor.post(list, &json!({})).await;
    assert_eq!(s, 409, "one draft at a time");
    let one = format!("{list}/{}", d["id"].as_str().unwrap());

    // A matrix that is not monotone, and a scale that is too short: 422 naming the fields,
    // nothing saved.
    let mut bad = d["method"].clone();
    bad["matrix"][4][4] = json!(0);
    bad["likelihood"]["levels"] = json!(bad["likelihood"]["levels"].as_array().unwrap()[..2]);
    let (s, p) = contributor
        .patch(&one, &json!({"method": bad, "version": d["version"]}))
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"likelihood.levels"), "{fields:?}");
    let mut bad = d["method"].clone();
    bad["matrix"][4][4] = json!(0);
    let (s, p) = contributor
        .patch(&one, &json!({"method": bad, "version": d["version"]}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "matrix[4][4]", "{p}");
    let (s, p) = contributor
        .patch(
            &one,
            &json!({"method": {"matrix": "x"}, "version": d["version"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (_, same) = contributor.get(&one).await;
    assert_eq!(same["version"], d["version"]);

    // A good change, then approval by a manager (not by a contributor).
    let mut good = d["method"].clone();
    good["likelihood"]["levels"][0]["name"] = json!("Very rare");
    let (s, d2) = contributor
        .patch(&one, &json!({"method": good, "version": d["version"]}))
        .await;
    assert_eq!(s, 200, "{d2}");
    assert_eq!(d2["method"]["likelihood"]["levels"][0]["name"], "Very rare");
    let (s, _) = contributor
        .post(
            &format!("{one}/approve"),
            &json!({"version": d2["version"]}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = manager
        .post(&format!("{one}/approve"), &json!({"version": d["version"]}))
        .await;
    assert_eq!(s, 409, "stale version");
    let (s, a) = manager
        .post(
            &format!("{one}/approve"),
            &json!({"version": d2["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "approved");
    assert!(a["approved_by"].is_string() && a["approved_at"].is_string());
    let (s, _) = contributor
        .patch(
            &one,
            &json!({"change_note": "late edit", "version": a["version"]}),
        )
        .await;
    assert_eq!(s, 409, "an approved version is frozen");
    assert_eq!(contributor.delete(&one).await.0, 409);

    // The next version copies the one in force; approving it supersedes version 1.
    let (s, v2) = contributor
        .post(list, &json!({"change_note": "Review interval halved"}))
        .await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!(v2["number"], 2);
    assert_eq!(v2["based_on"], "version 1");
    assert_eq!(v2["method"]["likelihood"]["levels"][0]["name"], "Very rare");
    let two = format!("{list}/{}", v2["id"].as_str().unwrap());
    let (_, a2) = manager
        .post(
            &format!("{two}/approve"),
            &json!({"version": v2["version"]}),
        )
        .await;
    assert_eq!(a2["status"], "approved");
    let (_, all) = contributor.get(list).await;
    let statuses: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "superseded"]);

    // A draft can be deleted.
    let (_, v3) = contributor.post(list, &json!({"preset": "3x3"})).await;
    let three = format!("{list}/{}", v3["id"].as_str().unwrap());
    assert_eq!(contributor.delete(&three).await.0, 204);
    assert_eq!(contributor.get(&three).await.0, 404);

    // The methodology document, as PDF and Markdown.
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
    assert!(text.contains("Org acme"), "{text}");
    assert!(text.contains("Very rare"));
    let res = contributor
        .request(Method::GET, &format!("{two}/document?format=md"))
        .send()
        .await
        .unwrap();
    let md = res.text().await.unwrap();
    assert!(md.starts_with("# Information security risk assessment method: Org acme"));
    assert!(md.contains("- **Version:** 2"), "{md}");

    // The audit trail tells the story; another organisation sees nothing.
    let (_, trail) = manager
        .get("/api/v1/orgs/acme/audit-trail?entity=risk_method")
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"approve") && actions.contains(&"delete"),
        "{actions:?}"
    );
    let other = t.org_with_roles("other").await;
    let o = t.login(other.email(Role::Admin)).await;
    assert_eq!(o.get(&two).await.0, 404);
    assert_eq!(
        o.get(&format!(
            "/api/v1/orgs/other/risk-methods/{}",
            v2["id"].as_str().unwrap()
        ))
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn risk_register_rating_treatment_acceptance_and_heat_maps() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let contributor = t.login(f.email(Role::Contributor)).await;
    let manager = t.login(f.email(Role::IsmsManager)).await;
    let risks = "/api/v1/orgs/acme/risks";
    // No approved method yet: a clear 422.
    let (s, p) = contributor
        .post(
            risks,
            &json!({"title": "Laptop theft", "inherent_likelihood": 3, "inherent_impact": 3}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "method");
    let (_, d) = manager
        .post("/api/v1/orgs/acme/risk-methods", &json!({"preset": "5x5"}))
        .await;
    let (_, v1) = manager
        .post(
            &format!(
                "/api/v1/orgs/acme/risk-methods/{}/approve",
                d["id"].as_str().unwrap()
            ),
            &json!({"version": d["version"]}),
        )
        .await;
    let (s, hm) = contributor.get("/api/v1/orgs/acme/risk-heatmap").await;
    assert_eq!(s, 200);
    assert_eq!(hm["heatmap"]["inherent"], json!(vec![vec![0; 5]; 5]));

    // Bad input: every field named, nothing written.
    let other = t.org_with_roles("other").await;
    let (s, p) = contributor
        .post(
            risks,
            &json!({
                "title": "Ransomware on the file server",
                "inherent_likelihood": 6,
                "inherent_impact": 0,
                "owner_id": other.user_id(Role::Admin),
                "controls": ["5.15", "A.99.1"],
                "treatment": "ignore",
                "residual_likelihood": 2,
            }),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for want in [
        "inherent_likelihood",
        "inherent_impact",
        "treatment",
        "residual_impact",
        "controls[1]",
        "owner_id",
    ] {
        assert!(fields.contains(&want), "{want} missing from {fields:?}");
    }
    assert_eq!(contributor.get(risks).await.1["items"], json!([]));

    // A real risk: the level comes from the method (5×5: likely × severe is critical).
    let (s, r) = contributor
        .post(
            risks,
            &json!({
                "title": "Ransomware on the file server",
                "threat": "Ransomware",
                "vulnerability": "Unpatched file server",
                "owner_id": f.user_id(Role::Contributor),
                "inherent_likelihood": 4,
                "inherent_impact": 5,
                "treatment": "modify",
                "controls": ["A.8.7", "8.13", "8.7"],
            }),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["reference"], "R-001");
    assert_eq!(r["inherent"]["level_name"], "Critical");
    assert_eq!(r["status"], "treatment_planned");
    assert_eq!(r["controls"], json!(["8.7", "8.13"]));
    assert_eq!(r["next_review_on"], "2027-11-28", "today + 365 days");
    let one = format!("{risks}/{}", r["id"].as_str().unwrap());

    // Residual rating after treatment; above the acceptance level only an approver may accept.
    let (s, r) = contributor
        .patch(
            &one,
            &json!({"residual_likelihood": 2, "residual_impact": 4, "status": "treated", "version": r["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["residual"]["level_name"], "Medium");
    let (s, p) = contributor
        .post(
            &format!("{one}/acceptance"),
            &json!({"rationale": "", "version": r["version"]}),
        )
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"rationale") && fields.contains(&"expires_on"),
        "{fields:?}"
    );
    let (s, r2) = contributor
        .patch(
            &one,
            &json!({"residual_likelihood": 4, "residual_impact": 4, "version": r["version"]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r2["residual"]["level_name"], "High");
    let accept = json!({"rationale": "Backups are tested monthly; the rest costs too much", "expires_on": "2027-11-30", "version": r2["version"]});
    let (s, p) = contributor
        .post(&format!("{one}/acceptance"), &accept)
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "residual_level");
    let (s, a) = manager.post(&format!("{one}/acceptance"), &accept).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "accepted");
    assert_eq!(a["acceptance"]["kind"], "by_approver");
    assert_eq!(a["acceptance"]["rating"]["level_name"], "High");
    assert_eq!(a["acceptance"]["outdated"], false);

    // Later edits to the rating leave the acceptance as it was, marked outdated.
    let (s, e) = contributor
        .patch(
            &one,
            &json!({"residual_likelihood": 5, "version": a["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["status"], "accepted");
    assert_eq!(e["acceptance"]["rating"]["likelihood"], 4);
    assert_eq!(e["acceptance"]["outdated"], true);
    assert_eq!(e["residual"]["level_name"], "Critical");
    let (_, trail) = manager
        .get("/api/v1/orgs/acme/audit-trail?entity=risk")
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"accept") && actions.contains(&"update"),
        "{actions:?}"
    );
    // Stale version: 409, nothing changed.
    let (s, _) = contributor
        .patch(&one, &json!({"title": "x", "version": a["version"]}))
        .await;
    assert_eq!(s, 409);

    // Heat maps and the cell filter.
    let (_, r3) = contributor
        .post(
            risks,
            &json!({"title": "Lost USB stick", "inherent_likelihood": 4, "inherent_impact": 5}),
        )
        .await;
    let (_, hm) = contributor.get("/api/v1/orgs/acme/risk-heatmap").await;
    assert_eq!(hm["heatmap"]["inherent"][3][4], 2);
    assert_eq!(hm["heatmap"]["residual"][4][3], 1);
    let (_, cell) = contributor.get(&format!("{risks}?cell=inherent:4:5")).await;
    assert_eq!(cell["items"].as_array().unwrap().len(), 2);
    let (_, page1) = contributor.get(&format!("{risks}?limit=1")).await;
    assert_eq!(page1["items"][0]["reference"], "R-001");
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = contributor
        .get(&format!("{risks}?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(page2["items"][0]["id"], r3["id"]);
    assert!(page2["next_cursor"].is_null());
    let (s, p) = contributor.get(&format!("{risks}?cell=middle")).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "cell");

    // A new method version flags every risk for reassessment; a new rating clears it.
    let (_, d2) = manager
        .post("/api/v1/orgs/acme/risk-methods", &json!({"preset": "3x3"}))
        .await;
    let (s, _) = manager
        .post(
            &format!(
                "/api/v1/orgs/acme/risk-methods/{}/approve",
                d2["id"].as_str().unwrap()
            ),
            &json!({"version": d2["version"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, flagged) = contributor
        .get(&format!("{risks}?needs_reassessment=true"))
        .await;
    assert_eq!(flagged["items"].as_array().unwrap().len(), 2);
    let three = format!("{risks}/{}", r3["id"].as_str().unwrap());
    let (_, r3) = contributor.get(&three).await;
    assert_eq!(r3["method_number"], v1["number"]);
    let (s, p) = contributor
        .patch(
            &three,
            &json!({"inherent_likelihood": 4, "version": r3["version"]}),
        )
        .await;
    assert_eq!(s, 422, "impact 5 is outside the new 3-step scale: {p}");
    let (s, r3) = contributor
        .patch(
            &three,
            &json!({"inherent_likelihood": 3, "inherent_impact": 3, "version": r3["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r3}");
    assert_eq!(r3["needs_reassessment"], false);
    assert_eq!(r3["method_number"], 2);
    let (_, hm) = contributor.get("/api/v1/orgs/acme/risk-heatmap").await;
    assert_eq!(hm["heatmap"]["awaiting_reassessment"], 1);
    assert_eq!(hm["heatmap"]["inherent"][2][2], 1);

    // Another organisation sees none of it.
    let o = t.login(other.email(Role::Admin)).await;
    assert_eq!(o.get(&one).await.0, 404);
    assert_eq!(
        o.get(&format!(
            "/api/v1/orgs/other/risks/{}",
            r["id"].as_str().unwrap()
        ))
        .await
        .0,
        404
    );
    assert_eq!(
        o.get("/api/v1/orgs/other/risks").await.1["items"],
        json!([])
    );
    let (_, lib) = contributor.get("/api/v1/catalogue/threats").await;
    assert!(lib.as_array().unwrap().len() >= 30);
}
