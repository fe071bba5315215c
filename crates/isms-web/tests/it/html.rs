//! The pages: sign-in with a cookie, CSRF on forms, every page renders, access rules.

use isms_domain::rbac::Role;
use isms_testkit::{PASSWORD, TestApp};

pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    pub(crate) fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
        }
    }
    pub(crate) async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status().as_u16(), r.text().await.unwrap(), loc)
    }
    pub(crate) async fn login(&self, email: &str) {
        let (s, _, loc) = self
            .post(
                "/login",
                &[("email", email), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(loc.as_deref(), Some("/"));
    }
}

fn csrf(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with _csrf");
    html[i + 20..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn sign_in_pages_and_forms() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    t.user("root@example.com", "Root Admin", true).await;
    let b = Browser::new(&t.base);
    let (s, _) = b.get("/orgs").await;
    assert_eq!(s, 303, "not signed in: to the sign-in page");
    let (s, html, _) = b
        .post(
            "/login",
            &[
                ("email", "root@example.com"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(s, 401);
    assert!(html.contains("e-mail address or password is wrong"));
    b.login("root@example.com").await;
    let (s, html) = b.get("/orgs").await;
    assert_eq!(s, 200);
    assert!(html.contains("Org acme"));
    for path in [
        "/o/acme",
        "/o/acme/members",
        "/o/acme/audit-trail",
        "/o/acme/settings",
        "/profile",
        "/admin/users",
        "/admin/audit-trail",
        "/api/docs",
        &format!("/o/acme/members/{}", f.membership(Role::Viewer)),
    ] {
        let (s, html) = b.get(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("<main id=\"main\">"), "{path}");
    }
    let (s, html) = b.get("/o/nope").await;
    assert_eq!(s, 404);
    assert!(html.contains("Not found"));
    // A form without its CSRF token is refused and changes nothing.
    let (s, _, _) = b
        .post(
            "/o/acme/members",
            &[
                ("email", "x@example.com"),
                ("role", "viewer"),
                ("name", "X"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, 403);
    assert!(
        t.app
            .get_user_by_email("x@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // With it, the member is added and the page says so.
    let (_, html) = b.get("/o/acme/members").await;
    let token = csrf(&html);
    let (s, _, loc) = b
        .post(
            "/o/acme/members",
            &[
                ("_csrf", &token),
                ("email", "x@example.com"),
                ("role", "viewer"),
                ("name", "Xavier"),
                ("password", PASSWORD),
                ("expires_on", ""),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/o/acme/members"));
    let (_, html) = b.get("/o/acme/members").await;
    assert!(html.contains("x@example.com added as Viewer."));
    assert!(html.contains("Xavier"));
    // A bad form comes back with the field named and the input kept.
    let (s, html, _) = b
        .post(
            "/o/acme/members",
            &[
                ("_csrf", &token),
                ("email", "bad-address"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("<code>email</code>"));
    assert!(html.contains("value=\"bad-address\""));
    // Sign out.
    let (s, _, loc) = b.post("/logout", &[("_csrf", &token)]).await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/login"));
    let (s, _) = b.get("/orgs").await;
    assert_eq!(s, 303);
}

#[tokio::test]
async fn roles_shape_the_navigation_and_pages() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let _other = t.org_with_roles("other").await;
    let viewer = Browser::new(&t.base);
    viewer.login(f.email(Role::Viewer)).await;
    let (s, html) = viewer.get("/o/acme").await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("/o/acme/settings"),
        "no dead links: settings hidden"
    );
    assert!(
        !html.contains("/o/acme/audit-trail"),
        "no audit trail for viewers"
    );
    assert!(!html.contains("/admin/users"));
    assert_eq!(viewer.get("/o/acme/settings").await.0, 403);
    assert_eq!(viewer.get("/o/acme/audit-trail").await.0, 403);
    assert_eq!(viewer.get("/admin/users").await.0, 403);
    assert_eq!(
        viewer.get("/o/other").await.0,
        404,
        "another organisation is not found"
    );
    assert_eq!(
        viewer
            .get(&format!(
                "/o/other/members/{}",
                _other.membership(Role::Admin)
            ))
            .await
            .0,
        404
    );
    let (_, html) = viewer.get("/o/acme/members").await;
    assert!(!html.contains("Add a member"));
}

#[tokio::test]
async fn totp_sign_in_through_the_pages() {
    let t = TestApp::spawn().await;
    t.user("alice@example.com", "Alice", false).await;
    let b = Browser::new(&t.base);
    b.login("alice@example.com").await;
    let (_, html) = b.get("/profile").await;
    let token = csrf(&html);
    let (s, _, loc) = b.post("/profile/totp", &[("_csrf", &token)]).await;
    assert_eq!((s, loc.as_deref()), (303, Some("/profile/totp")));
    let (s, html) = b.get("/profile/totp").await;
    assert_eq!(s, 200);
    assert!(html.contains("<svg"));
    let i = html.find("id=\"totp-secret\">").unwrap();
    let secret_b32 = html[i + 17..].split('<').next().unwrap().to_owned();
    let secret = isms_domain::totp::base32_decode(&secret_b32).unwrap();
    let (s, html, _) = b
        .post(
            "/profile/totp/confirm",
            &[("_csrf", &token), ("code", "000000")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("does not match"));
    let code = isms_domain::totp::code_at(&secret, t.clock.now_secs());
    let (s, html, _) = b
        .post(
            "/profile/totp/confirm",
            &[("_csrf", &token), ("code", &code)],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"recovery-codes\""));
    let i = html.find("id=\"recovery-codes\"").unwrap();
    let first_code = html[i..]
        .split("<code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    // New sign-in: password, then the second step.
    let b2 = Browser::new(&t.base);
    let (s, _, loc) = b2
        .post(
            "/login",
            &[
                ("email", "alice@example.com"),
                ("password", PASSWORD),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/login/totp?next=%2Fprofile"));
    assert_eq!(
        b2.get("/profile").await.0,
        303,
        "nothing but the code step before the second factor"
    );
    let (s, html) = b2.get("/login/totp").await;
    assert_eq!(s, 200);
    let token2 = csrf(&html);
    let (s, _, _) = b2
        .post("/login/totp", &[("_csrf", &token2), ("code", "123456")])
        .await;
    assert_eq!(s, 422);
    let (s, _, loc) = b2
        .post(
            "/login/totp",
            &[
                ("_csrf", &token2),
                ("code", &first_code),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(s, 303, "a recovery code works");
    assert_eq!(loc.as_deref(), Some("/profile"));
    let (s, html) = b2.get("/profile").await;
    assert_eq!(s, 200);
    assert!(html.contains("9 recovery codes left"));
}

#[tokio::test]
async fn downloads_follow_access_rules() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let admin = Browser::new(&t.base);
    admin.login(f.email(Role::Admin)).await;
    let r = admin
        .http
        .get(format!("{}/o/acme/members/export?format=csv", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("acme-members.csv")
    );
    let body = r.text().await.unwrap();
    assert_eq!(body.lines().count(), 7, "{body}");
    let (s, body) = admin
        .get("/o/acme/audit-trail/export?format=csv&entity=membership")
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        body.lines().count(),
        7,
        "header and six membership entries: {body}"
    );
    let r = admin
        .http
        .get(format!("{}/o/acme/members/export?format=xlsx", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    let (s, _) = admin.get("/o/acme/audit-trail/export?format=pdf").await;
    assert_eq!(s, 422);
    // A viewer may not read the trail, so may not download it either.
    let viewer = Browser::new(&t.base);
    viewer.login(f.email(Role::Viewer)).await;
    assert_eq!(
        viewer.get("/o/acme/audit-trail/export?format=csv").await.0,
        403
    );
    let other = t.org_with_roles("other").await;
    let outsider = Browser::new(&t.base);
    outsider.login(other.email(Role::Admin)).await;
    assert_eq!(outsider.get("/o/acme/members/export").await.0, 404);
}

/// Every page × every role × an outsider × no sign-in. The list must name every GET
/// route of the UI (checked against the router's route table below).
#[tokio::test]
async fn page_access_matrix() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let member = f.membership(Role::Viewer);
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let gap = t
        .app
        .create_gap_assessment(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::gap::NewAssessment {
                title: "Baseline".into(),
                scope_note: String::new(),
                copy_from: None,
            },
        )
        .await
        .unwrap()
        .id;
    let task = t
        .app
        .create_task(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::tasks::NewTask {
                title: "Write the access policy".into(),
                due_on: Some("2026-11-01".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let method = t
        .app
        .create_risk_method(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::risk_methods::NewRiskMethod {
                preset: Some("5x5".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    // An approved method (a person approves) and one risk under it.
    let api = t.login(f.email(Role::Admin)).await;
    let (_, m2) = api
        .post(
            "/api/v1/orgs/acme/risk-methods",
            &serde_json::json!({"preset": "3x3"}),
        )
        .await;
    let m1 = if m2["id"].is_string() {
        m2
    } else {
        let (_, all) = api.get("/api/v1/orgs/acme/risk-methods").await;
        all["items"][0].clone()
    };
    let (s, _) = api
        .post(
            &format!(
                "/api/v1/orgs/acme/risk-methods/{}/approve",
                m1["id"].as_str().unwrap()
            ),
            &serde_json::json!({"version": m1["version"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, risk) = api
        .post(
            "/api/v1/orgs/acme/risks",
            &serde_json::json!({"title": "Lost laptop", "inherent_likelihood": 2, "inherent_impact": 3}),
        )
        .await;
    let risk = risk["id"].as_str().unwrap().to_owned();
    let (s, asset) = api
        .post(
            "/api/v1/orgs/acme/assets",
            &serde_json::json!({"asset_type": "software", "name": "Mail <server>", "owner_id": f.user_id(Role::Admin),
                                "confidentiality": 3, "integrity": 2, "availability": 2}),
        )
        .await;
    assert_eq!(s, 201, "{asset}");
    let asset = asset["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .post(
            "/api/v1/orgs/acme/own-controls",
            &serde_json::json!({"code": "AC-01", "title": "Peer review of access changes"}),
        )
        .await;
    assert_eq!(s, 201);
    let evidence = t
        .app
        .create_evidence(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::evidence::NewEvidence {
                title: "Access review <Q3>".into(),
                valid_until: Some("2026-12-15".into()),
                links: vec![isms_app::evidence::NewLink {
                    kind: "control".into(),
                    reference: "5.15".into(),
                }],
                ..Default::default()
            },
            Some(&isms_app::blobs::Upload::from_bytes(
                "review.csv",
                b"user,ok\n".to_vec(),
            )),
        )
        .await
        .unwrap()
        .id;
    let audit = t
        .app
        .create_audit(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::internal_audits::NewAudit {
                title: "ISMS <core>".into(),
                scope: vec!["9.2.2".into(), "A.5.15".into()],
                planned_start: "2026-12-01".into(),
                planned_end: "2026-12-02".into(),
                lead_auditor_external: Some("Pat <Auditor>".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    // One record of each foundation kind.
    let scope = t
        .app
        .create_doc_version::<isms_domain::foundation::scope::ScopeContent>(
            isms_app::Actor::Cli,
            &ctx,
            &Default::default(),
        )
        .await
        .unwrap()
        .id;
    let policy = t
        .app
        .create_doc_version::<isms_domain::foundation::scope::PolicyContent>(
            isms_app::Actor::Cli,
            &ctx,
            &Default::default(),
        )
        .await
        .unwrap()
        .id;
    let base = "/api/v1/orgs/acme";
    let (_, issue) = api
        .post(
            &format!("{base}/issues"),
            &serde_json::json!({"kind": "external", "category": "legal", "title": "GDPR"}),
        )
        .await;
    let (_, party) = api
        .post(
            &format!("{base}/interested-parties"),
            &serde_json::json!({"name": "Customers", "kind": "customer",
                "requirements": [{"text": "Certificate", "source": "contractual"}]}),
        )
        .await;
    let (_, role) = api
        .post(
            &format!("{base}/roles"),
            &serde_json::json!({"title": "ISMS manager", "responsibilities": "Runs it",
                "person_id": f.user_id(Role::IsmsManager)}),
        )
        .await;
    let (_, objective) = api
        .post(
            &format!("{base}/objectives"),
            &serde_json::json!({"title": "Train staff"}),
        )
        .await;
    let (s, document) = api
        .post(
            &format!("{base}/documents"),
            &serde_json::json!({"template": "internal-audit"}),
        )
        .await;
    assert_eq!(s, 201, "{document}");
    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_owned();
    let (issue, party, role, objective) = (id(&issue), id(&party), id(&role), id(&objective));
    let document = id(&document);
    t.app
        .attach_document_file(
            isms_app::Actor::Cli,
            &ctx,
            document.parse().unwrap(),
            1,
            1,
            &isms_app::blobs::Upload::from_bytes("audit-plan.txt", b"Audit plan 2027".to_vec()),
        )
        .await
        .unwrap();
    let (s, incident) = api
        .post(
            &format!("{base}/incidents"),
            &serde_json::json!({"title": "Phishing <mail>", "severity": "high", "controls": ["5.24"]}),
        )
        .await;
    assert_eq!(s, 201, "{incident}");
    let incident = id(&incident);
    let (s, supplier) = api
        .post(
            &format!("{base}/suppliers"),
            &serde_json::json!({"name": "Cloud <host>", "criticality": "critical"}),
        )
        .await;
    assert_eq!(s, 201, "{supplier}");
    let supplier = id(&supplier);
    let (s, person) = api
        .post(
            &format!("{base}/people"),
            &serde_json::json!({"name": "Ada <b>", "job_role": "Developer"}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    let person = id(&person);
    let (s, campaign) = api
        .post(
            &format!("{base}/awareness-campaigns"),
            &serde_json::json!({"title": "Phishing <month>", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "participants": [person]}),
        )
        .await;
    assert_eq!(s, 201, "{campaign}");
    let campaign = id(&campaign);
    let (s, m) = api
        .post(
            &format!("{base}/measurements"),
            &serde_json::json!({"subject_kind": "objective", "subject_ref": objective, "value": 90.5}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let (s, cb) = api
        .post(
            &format!("{base}/certification-bodies"),
            &serde_json::json!({"name": "Certifiers <Ltd>", "accreditation": "UKAS 0001"}),
        )
        .await;
    assert_eq!(s, 201, "{cb}");
    let cb = id(&cb);
    let (s, cba) = api
        .post(
            &format!("{base}/certification-audits"),
            &serde_json::json!({"body_id": cb, "kind": "surveillance1", "planned_start": "2027-02-01",
                "planned_end": "2027-02-02", "auditor_days": 3.5, "lead_auditor": "A. <Auditor>"}),
        )
        .await;
    assert_eq!(s, 201, "{cba}");
    let (s, cert) = api
        .post(
            &format!("{base}/certificates"),
            &serde_json::json!({"body_id": cb, "certificate_no": "IS <1>", "decision_on": "2026-03-10"}),
        )
        .await;
    assert_eq!(s, 201, "{cert}");
    let cert = id(&cert);
    // (path, who may open it: None = every member, Some(roles) = only these; instance: admin pages)
    let trail: &[Role] = &[
        Role::Admin,
        Role::IsmsManager,
        Role::InternalAuditor,
        Role::ExternalAuditor,
    ];
    let admin_only: &[Role] = &[Role::Admin];
    let writers: &[Role] = &[Role::Admin, Role::IsmsManager, Role::Contributor];
    // (route pattern, concrete path, who may open it: None = every member)
    let pages: Vec<(&str, String, Option<&[Role]>)> = vec![
        ("/o/{org}", "/o/acme".into(), None),
        ("/o/{org}/members", "/o/acme/members".into(), None),
        (
            "/o/{org}/members/{id}",
            format!("/o/acme/members/{member}"),
            None,
        ),
        (
            "/o/{org}/members/export",
            "/o/acme/members/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/audit-trail",
            "/o/acme/audit-trail".into(),
            Some(trail),
        ),
        (
            "/o/{org}/audit-trail",
            "/o/acme/audit-trail?verify=1".into(),
            Some(trail),
        ),
        (
            "/o/{org}/audit-trail/export",
            "/o/acme/audit-trail/export?format=csv".into(),
            Some(trail),
        ),
        (
            "/o/{org}/settings",
            "/o/acme/settings".into(),
            Some(admin_only),
        ),
        (
            "/o/{org}/settings/isms-as-code.zip",
            "/o/acme/settings/isms-as-code.zip".into(),
            Some(admin_only),
        ),
        (
            "/o/{org}/catalogue",
            "/o/acme/catalogue?control_type=detective".into(),
            None,
        ),
        ("/o/{org}/gap", "/o/acme/gap".into(), None),
        ("/o/{org}/data", "/o/acme/data".into(), None),
        (
            "/o/{org}/data/export/{kind}",
            "/o/acme/data/export/assets?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/roadmap",
            "/o/acme/roadmap?status=open".into(),
            None,
        ),
        (
            "/o/{org}/roadmap/export",
            "/o/acme/roadmap/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/roadmap/{id}",
            format!("/o/acme/roadmap/{task}"),
            None,
        ),
        ("/o/{org}/risk-method", "/o/acme/risk-method".into(), None),
        (
            "/o/{org}/risks",
            "/o/acme/risks?cell=inherent:2:3".into(),
            None,
        ),
        (
            "/o/{org}/risks/new",
            "/o/acme/risks/new".into(),
            Some(writers),
        ),
        (
            "/o/{org}/risks/export",
            "/o/acme/risks/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/risks/treatment-plan.pdf",
            "/o/acme/risks/treatment-plan.pdf".into(),
            None,
        ),
        (
            "/o/{org}/risks/library/{kind}",
            "/o/acme/risks/library/vulnerabilities?category=cloud&show=in_force".into(),
            None,
        ),
        ("/o/{org}/risks/{id}", format!("/o/acme/risks/{risk}"), None),
        (
            "/o/{org}/assets",
            "/o/acme/assets?type=software&scope=in".into(),
            None,
        ),
        (
            "/o/{org}/assets/new",
            "/o/acme/assets/new".into(),
            Some(writers),
        ),
        (
            "/o/{org}/assets/export",
            "/o/acme/assets/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/assets/{id}",
            format!("/o/acme/assets/{asset}"),
            None,
        ),
        (
            "/o/{org}/assets/{id}/diagram.svg",
            format!("/o/acme/assets/{asset}/diagram.svg"),
            None,
        ),
        ("/o/{org}/data-flows", "/o/acme/data-flows".into(), None),
        (
            "/o/{org}/data-flows/export",
            "/o/acme/data-flows/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/data-flows/diagram.svg",
            "/o/acme/data-flows/diagram.svg".into(),
            None,
        ),
        (
            "/o/{org}/risk-method/{id}",
            format!("/o/acme/risk-method/{method}"),
            None,
        ),
        (
            "/o/{org}/risk-method/{id}/document.pdf",
            format!("/o/acme/risk-method/{method}/document.pdf"),
            None,
        ),
        (
            "/o/{org}/risk-method/{id}/document.md",
            format!("/o/acme/risk-method/{method}/document.md"),
            None,
        ),
        (
            "/o/{org}/gap/timeline",
            "/o/acme/gap/timeline?sites=2&existing_ms=yes".into(),
            None,
        ),
        ("/o/{org}/gap/{id}", format!("/o/acme/gap/{gap}"), None),
        (
            "/o/{org}/gap/{id}/results",
            format!("/o/acme/gap/{gap}/results"),
            None,
        ),
        (
            "/o/{org}/gap/{id}/compare",
            format!("/o/acme/gap/{gap}/compare?with={gap}"),
            None,
        ),
        (
            "/o/{org}/gap/{id}/report.md",
            format!("/o/acme/gap/{gap}/report.md"),
            None,
        ),
        (
            "/o/{org}/gap/{id}/report.pdf",
            format!("/o/acme/gap/{gap}/report.pdf"),
            None,
        ),
        (
            "/o/{org}/catalogue/controls/{id}",
            "/o/acme/catalogue/controls/5.15".into(),
            None,
        ),
        (
            "/o/{org}/certification",
            "/o/acme/certification".into(),
            None,
        ),
        (
            "/o/{org}/certification/bodies/{id}",
            format!("/o/acme/certification/bodies/{cb}"),
            None,
        ),
        (
            "/o/{org}/certification/audits/new",
            "/o/acme/certification/audits/new?kind=stage2".into(),
            None,
        ),
        (
            "/o/{org}/certification/audits/{reference}",
            "/o/acme/certification/audits/CBA-001".into(),
            None,
        ),
        (
            "/o/{org}/certification/certificates/new",
            "/o/acme/certification/certificates/new".into(),
            None,
        ),
        (
            "/o/{org}/certification/certificates/{id}",
            format!("/o/acme/certification/certificates/{cert}"),
            None,
        ),
        (
            "/o/{org}/certification/calendar.ics",
            "/o/acme/certification/calendar.ics".into(),
            None,
        ),
        (
            "/o/{org}/certification/stage1-pack.zip",
            "/o/acme/certification/stage1-pack.zip".into(),
            None,
        ),
        (
            "/o/{org}/certification/audit-time",
            "/o/acme/certification/audit-time?personnel=140&business=high&it=low&other=-5".into(),
            None,
        ),
        (
            "/o/{org}/catalogue/own-controls",
            "/o/acme/catalogue/own-controls?q=review".into(),
            None,
        ),
        (
            "/o/{org}/controls",
            "/o/acme/controls?status=not_started&theme=people".into(),
            None,
        ),
        (
            "/o/{org}/controls/{ref}",
            "/o/acme/controls/5.15".into(),
            None,
        ),
        (
            "/o/{org}/controls/export",
            "/o/acme/controls/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/controls/oscal/{document}",
            "/o/acme/controls/oscal/catalog".into(),
            None,
        ),
        (
            "/o/{org}/controls/oscal.zip",
            "/o/acme/controls/oscal.zip".into(),
            None,
        ),
        (
            "/o/{org}/catalogue/own-controls/{code}",
            "/o/acme/catalogue/own-controls/AC-01".into(),
            None,
        ),
        (
            "/o/{org}/evidence",
            "/o/acme/evidence?control=5.15&status=expiring".into(),
            None,
        ),
        (
            "/o/{org}/evidence/coverage",
            "/o/acme/evidence/coverage".into(),
            None,
        ),
        (
            "/o/{org}/evidence/export",
            "/o/acme/evidence/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/evidence/{id}",
            format!("/o/acme/evidence/{evidence}"),
            None,
        ),
        (
            "/o/{org}/evidence/{id}/file",
            format!("/o/acme/evidence/{evidence}/file"),
            None,
        ),
        (
            "/o/{org}/audits",
            "/o/acme/audits?status=planned".into(),
            None,
        ),
        (
            "/o/{org}/audits/programme",
            "/o/acme/audits/programme".into(),
            None,
        ),
        ("/o/{org}/audits/areas", "/o/acme/audits/areas".into(), None),
        (
            "/o/{org}/audits/export",
            "/o/acme/audits/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/audits/{id}",
            format!("/o/acme/audits/{audit}"),
            None,
        ),
        (
            "/o/{org}/audits/{id}/report",
            format!("/o/acme/audits/{audit}/report?format=md"),
            None,
        ),
        (
            "/o/{org}/incidents",
            "/o/acme/incidents?status=open&severity=high".into(),
            None,
        ),
        (
            "/o/{org}/incidents/new",
            "/o/acme/incidents/new".into(),
            Some(writers),
        ),
        (
            "/o/{org}/incidents/export",
            "/o/acme/incidents/export?format=xlsx".into(),
            None,
        ),
        (
            "/o/{org}/incidents/{id}",
            format!("/o/acme/incidents/{incident}"),
            None,
        ),
        (
            "/o/{org}/suppliers",
            "/o/acme/suppliers?status=active&criticality=critical".into(),
            None,
        ),
        (
            "/o/{org}/suppliers/new",
            "/o/acme/suppliers/new".into(),
            Some(writers),
        ),
        (
            "/o/{org}/suppliers/export",
            "/o/acme/suppliers/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/suppliers/{id}",
            format!("/o/acme/suppliers/{supplier}"),
            None,
        ),
        ("/o/{org}/competence", "/o/acme/competence".into(), None),
        (
            "/o/{org}/competence/export",
            "/o/acme/competence/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/competence/people/{id}",
            format!("/o/acme/competence/people/{person}"),
            None,
        ),
        (
            "/o/{org}/competence/campaigns/{id}",
            format!("/o/acme/competence/campaigns/{campaign}"),
            None,
        ),
        ("/o/{org}/measurements", "/o/acme/measurements".into(), None),
        ("/o/{org}/readiness", "/o/acme/readiness".into(), None),
        (
            "/o/{org}/readiness/{profile}",
            "/o/acme/readiness/surveillance".into(),
            None,
        ),
        (
            "/o/{org}/readiness/report/{file}",
            "/o/acme/readiness/report/stage1.md".into(),
            None,
        ),
        (
            "/o/{org}/measurements/export",
            "/o/acme/measurements/export?format=csv".into(),
            None,
        ),
        (
            "/o/{org}/measurements/{kind}/{reference}",
            format!("/o/acme/measurements/objective/{objective}"),
            None,
        ),
        (
            "/o/{org}/catalogue/clauses",
            "/o/acme/catalogue/clauses".into(),
            None,
        ),
        (
            "/o/{org}/catalogue/clauses/{id}",
            "/o/acme/catalogue/clauses/6.1.2".into(),
            None,
        ),
    ];
    let mut pages = pages;
    let fw = t
        .app
        .import_oscal_catalog(
            isms_app::Actor::Cli,
            &ctx,
            &std::fs::read(format!(
                "{}/../../testdata/frameworks/sp800-53-rev5-excerpt.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .await
        .unwrap()
        .framework
        .id;
    pages.push(("/o/{org}/frameworks", "/o/acme/frameworks".into(), None));
    pages.push((
        "/o/{org}/frameworks/{id}",
        format!("/o/acme/frameworks/{fw}?q=account"),
        None,
    ));
    pages.push((
        "/o/{org}/frameworks/{id}/requirements/{rid}",
        format!("/o/acme/frameworks/{fw}/requirements/ac-2.1"),
        None,
    ));
    let soa = t
        .app
        .create_soa_draft(isms_app::Actor::Cli, &ctx, &Default::default())
        .await
        .unwrap()
        .number;
    pages.push(("/o/{org}/soa", "/o/acme/soa".into(), None));
    pages.push((
        "/o/{org}/soa/diff",
        format!("/o/acme/soa/diff?from={soa}&to={soa}"),
        None,
    ));
    pages.push((
        "/o/{org}/soa/{n}",
        format!("/o/acme/soa/{soa}?show=incomplete"),
        None,
    ));
    pages.push((
        "/o/{org}/soa/{n}/export",
        format!("/o/acme/soa/{soa}/export?format=csv"),
        None,
    ));
    pages.push((
        "/o/{org}/soa/{n}/controls/{control}",
        format!("/o/acme/soa/{soa}/controls/5.15"),
        None,
    ));
    for (route, path) in [
        (
            "/o/{org}/documents",
            "/o/acme/documents?kind=procedure&overdue=yes".to_owned(),
        ),
        (
            "/o/{org}/documents/export",
            "/o/acme/documents/export?format=xlsx".to_owned(),
        ),
        (
            "/o/{org}/documents/{id}",
            format!("/o/acme/documents/{document}"),
        ),
        (
            "/o/{org}/documents/{id}/diff",
            format!("/o/acme/documents/{document}/diff?from=1&to=1"),
        ),
        (
            "/o/{org}/documents/{id}/versions/{n}",
            format!("/o/acme/documents/{document}/versions/1"),
        ),
        (
            "/o/{org}/documents/{id}/versions/{n}/document.md",
            format!("/o/acme/documents/{document}/versions/1/document.md"),
        ),
        (
            "/o/{org}/documents/{id}/versions/{n}/file",
            format!("/o/acme/documents/{document}/versions/1/file"),
        ),
        (
            "/o/{org}/documents/{id}/versions/{n}/document.pdf",
            format!("/o/acme/documents/{document}/versions/1/document.pdf"),
        ),
    ] {
        pages.push((route, path, None));
    }
    let finding = t
        .app
        .create_finding(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::findings::NewFinding {
                grade: "minor_nc".into(),
                reference: "9.2".into(),
                title: "Audit <late>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let action = t
        .app
        .create_corrective_action(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::findings::NewCorrectiveAction {
                finding_id: Some(finding),
                title: "Plan <audits>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let review = t
        .app
        .create_review(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::reviews::NewReview {
                planned_on: "2026-12-01".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let recorders: &[Role] = &[
        Role::Admin,
        Role::IsmsManager,
        Role::Contributor,
        Role::InternalAuditor,
    ];
    pages.push((
        "/o/{org}/findings",
        "/o/acme/findings?grade=minor_nc&status=open&source=other".into(),
        None,
    ));
    pages.push((
        "/o/{org}/findings/new",
        "/o/acme/findings/new?source=internal_audit&reference=5.15&grade=minor_nc".into(),
        Some(recorders),
    ));
    pages.push((
        "/o/{org}/findings/export",
        "/o/acme/findings/export?format=xlsx".into(),
        None,
    ));
    pages.push((
        "/o/{org}/findings/{id}",
        format!("/o/acme/findings/{finding}"),
        None,
    ));
    pages.push((
        "/o/{org}/corrective-actions",
        "/o/acme/corrective-actions?status=planned&overdue=1".into(),
        None,
    ));
    pages.push((
        "/o/{org}/corrective-actions/export",
        "/o/acme/corrective-actions/export?format=csv".into(),
        None,
    ));
    pages.push((
        "/o/{org}/corrective-actions/{id}",
        format!("/o/acme/corrective-actions/{action}"),
        None,
    ));
    pages.push((
        "/o/{org}/management-reviews",
        "/o/acme/management-reviews".into(),
        None,
    ));
    pages.push((
        "/o/{org}/management-reviews/export",
        "/o/acme/management-reviews/export?format=csv".into(),
        None,
    ));
    pages.push((
        "/o/{org}/management-reviews/{id}",
        format!("/o/acme/management-reviews/{review}"),
        None,
    ));
    pages.push((
        "/o/{org}/management-reviews/{id}/minutes",
        format!("/o/acme/management-reviews/{review}/minutes?format=md"),
        None,
    ));
    pages.push(("/o/{org}/isms", "/o/acme/isms".into(), None));
    for (tab, doc) in [("scope", scope), ("policy", policy)] {
        let (list, one, pdf, md) = match tab {
            "scope" => (
                "/o/{org}/isms/scope",
                "/o/{org}/isms/scope/{id}",
                "/o/{org}/isms/scope/{id}/document.pdf",
                "/o/{org}/isms/scope/{id}/document.md",
            ),
            _ => (
                "/o/{org}/isms/policy",
                "/o/{org}/isms/policy/{id}",
                "/o/{org}/isms/policy/{id}/document.pdf",
                "/o/{org}/isms/policy/{id}/document.md",
            ),
        };
        pages.push((list, format!("/o/acme/isms/{tab}"), None));
        pages.push((one, format!("/o/acme/isms/{tab}/{doc}"), None));
        pages.push((pdf, format!("/o/acme/isms/{tab}/{doc}/document.pdf"), None));
        pages.push((md, format!("/o/acme/isms/{tab}/{doc}/document.md"), None));
    }
    for (list, one, tab, entry) in [
        (
            "/o/{org}/isms/issues",
            "/o/{org}/isms/issues/{id}",
            "issues",
            &issue,
        ),
        (
            "/o/{org}/isms/parties",
            "/o/{org}/isms/parties/{id}",
            "parties",
            &party,
        ),
        (
            "/o/{org}/isms/roles",
            "/o/{org}/isms/roles/{id}",
            "roles",
            &role,
        ),
        (
            "/o/{org}/isms/objectives",
            "/o/{org}/isms/objectives/{id}",
            "objectives",
            &objective,
        ),
    ] {
        pages.push((list, format!("/o/acme/isms/{tab}"), None));
        pages.push((one, format!("/o/acme/isms/{tab}/{entry}"), None));
    }
    let personal = ["/orgs", "/profile", "/api/docs"];
    let instance_admin = ["/admin/users", "/admin/audit-trail"];
    let mut failures = Vec::new();
    let anon = Browser::new(&t.base);
    for (_, path, _) in &pages {
        let (s, _) = anon.get(path).await;
        if s != 303 {
            failures.push(format!("anonymous {path}: {s}"));
        }
    }
    for role in Role::ALL {
        let b = Browser::new(&t.base);
        b.login(f.email(role)).await;
        for (_, path, allowed) in &pages {
            let want = match allowed {
                None => 200,
                Some(rs) if rs.contains(&role) => 200,
                Some(_) => 403,
            };
            let (s, _) = b.get(path).await;
            if s != want {
                failures.push(format!("{role:?} {path}: got {s} want {want}"));
            }
        }
        for path in personal {
            let (s, _) = b.get(path).await;
            if s != 200 {
                failures.push(format!("{role:?} {path}: got {s}"));
            }
        }
        for path in instance_admin {
            let (s, _) = b.get(path).await;
            if s != 403 {
                failures.push(format!("{role:?} {path}: got {s} want 403"));
            }
        }
    }
    let outsider = Browser::new(&t.base);
    outsider.login(other.email(Role::Admin)).await;
    for (_, path, _) in &pages {
        let (s, _) = outsider.get(path).await;
        if s != 404 {
            failures.push(format!("outsider {path}: got {s} want 404"));
        }
    }
    assert!(
        failures.is_empty(),
        "page access mismatches:\n{}",
        failures.join("\n")
    );
    // The list above covers every organisation page of the router.
    for route in isms_web::html::foundation::page_routes() {
        assert!(
            pages.iter().any(|(p, _, _)| *p == route),
            "page {route} is missing from the matrix"
        );
    }
    let src = include_str!("../../src/html/mod.rs");
    let flat = src.split_whitespace().collect::<Vec<_>>().join(" ");
    for chunk in flat.split(".route(").skip(1) {
        let route = chunk.split('"').nth(1).unwrap_or_default();
        if route.starts_with("/o/{org}") && chunk.contains("get(") {
            assert!(
                pages.iter().any(|(p, _, _)| *p == route),
                "page {route} is missing from the matrix"
            );
        }
    }
}

#[tokio::test]
async fn control_and_clause_pages_show_what_the_organisation_links_to_them() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    let (_, html) = b.get("/o/acme/catalogue/controls/5.15").await;
    assert!(html.contains("No gap assessment yet."));
    assert!(html.contains("No risk in the register is treated by it."));
    // A risk treated by 5.15 shows on the control's page.
    let api = t.login(f.email(Role::IsmsManager)).await;
    let (_, m) = api
        .post(
            "/api/v1/orgs/acme/risk-methods",
            &serde_json::json!({"preset": "4x4"}),
        )
        .await;
    api.post(
        &format!(
            "/api/v1/orgs/acme/risk-methods/{}/approve",
            m["id"].as_str().unwrap()
        ),
        &serde_json::json!({"version": m["version"]}),
    )
    .await;
    let (s, r) = api
        .post(
            "/api/v1/orgs/acme/risks",
            &serde_json::json!({"title": "Shared admin accounts", "inherent_likelihood": 3, "inherent_impact": 3, "controls": ["A.5.15"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, html) = b.get("/o/acme/catalogue/controls/5.15").await;
    assert!(html.contains("R-001</a> Shared admin accounts"), "{html}");
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let a = t
        .app
        .create_gap_assessment(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::gap::NewAssessment {
                title: "Baseline".into(),
                scope_note: String::new(),
                copy_from: None,
            },
        )
        .await
        .unwrap();
    let answer = isms_app::gap::ItemAnswer {
        current: Some(Some(1)),
        target: Some(Some(3)),
        owner: Some("Tom".into()),
        version: 1,
        ..Default::default()
    };
    t.app
        .answer_gap_item(isms_app::Actor::Cli, &ctx, a.id, "control:5.15", &answer)
        .await
        .unwrap();
    t.app
        .generate_tasks(isms_app::Actor::Cli, &ctx, a.id)
        .await
        .unwrap();
    let (s, html) = b.get("/o/acme/catalogue/controls/5.15").await;
    assert_eq!(s, 200);
    assert!(html.contains("current 1, target 3"), "{html}");
    assert!(html.contains("gap 2"));
    assert!(html.contains("Raise A.5.15"));
    let (_, html) = b.get("/o/acme/catalogue/clauses/6.1.2").await;
    assert!(html.contains("not answered yet"));
}

#[tokio::test]
async fn foundation_forms_name_the_field_and_save_nothing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::Contributor)).await;
    let (_, html) = b.get("/o/acme/isms/issues").await;
    let token = csrf(&html);
    // Climate-relevant without a note: 422, the field named, nothing saved.
    let (s, html, _) = b
        .post(
            "/o/acme/isms/issues",
            &[
                ("_csrf", &token),
                ("kind", "external"),
                ("category", "environmental"),
                ("title", "Floods"),
                ("climate_relevant", "on"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("<code>climate_note</code>"), "{html}");
    assert!(html.contains("value=\"Floods\""), "typed text kept");
    let api = t.login(f.email(Role::Contributor)).await;
    let (_, list) = api.get("/api/v1/orgs/acme/issues").await;
    assert_eq!(list["items"], serde_json::json!([]));
    // A scope draft with an unjustified exclusion is refused the same way.
    let (_, d) = api
        .post("/api/v1/orgs/acme/scope-versions", &serde_json::json!({}))
        .await;
    let id = d["id"].as_str().unwrap();
    let (s, html, _) = b
        .post(
            &format!("/o/acme/isms/scope/{id}"),
            &[
                ("_csrf", &token),
                ("version", "1"),
                ("statement", "All of it"),
                ("exclusions[0].what", "Paris office"),
                ("exclusions[0].justification", ""),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("exclusions[0].justification"), "{html}");
    let (_, same) = api
        .get(&format!("/api/v1/orgs/acme/scope-versions/{id}"))
        .await;
    assert_eq!(same["version"], 1);
    assert_eq!(same["content"]["statement"], "");
    // The entry page shows the record's history: who changed which field.
    let (_, i) = api
        .post(
            "/api/v1/orgs/acme/issues",
            &serde_json::json!({"kind": "internal", "category": "people", "title": "Small team"}),
        )
        .await;
    let iid = i["id"].as_str().unwrap();
    let (s, _) = api
        .patch(
            &format!("/api/v1/orgs/acme/issues/{iid}"),
            &serde_json::json!({"version": 1, "kind": "internal", "category": "people",
                "title": "Small team", "effect": "Key-person risk"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, html) = b.get(&format!("/o/acme/isms/issues/{iid}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("changed issue I-001 Small team: effect"),
        "{html}"
    );
    assert!(html.contains("added issue I-001 Small team"));
    // The organisation overview says how much is still missing for clauses 4–6.
    let (_, html) = b.get("/o/acme").await;
    assert!(html.contains("Scope &amp; context (clauses 4–6)"), "{html}");
    assert!(
        html.contains("4.3 — The scope statement is still a draft."),
        "{html}"
    );
    // A viewer may read but not write.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (_, html) = v.get("/o/acme/isms/roles").await;
    assert!(!html.contains("action=\"/o/acme/isms/roles\""));
    let (s, _, _) = v
        .post(
            "/o/acme/isms/roles",
            &[("_csrf", &csrf(&html)), ("title", "x")],
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn asset_pages_add_edit_flow_bulk_and_read_only() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    let (_, html) = b.get("/o/acme/assets/new").await;
    let csrf = csrf(&html);
    let owner = f.user_id(Role::IsmsManager).to_string();
    // An owner from another organisation: the form comes back naming the field, nothing saved.
    let (s, html, _) = b
        .post(
            "/o/acme/assets",
            &[
                ("_csrf", csrf.as_str()),
                ("asset_type", "software"),
                ("name", "Payroll app"),
                ("owner_id", &other.user_id(Role::Admin).to_string()),
                ("confidentiality", "3"),
                ("integrity", "2"),
                ("availability", "1"),
                ("in_scope", "yes"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("<code>owner_id</code>"), "{html}");
    assert!(
        html.contains("value=\"Payroll app\""),
        "what was typed stays"
    );
    let api = t.login(f.email(Role::IsmsManager)).await;
    assert_eq!(
        api.get("/api/v1/orgs/acme/assets").await.1["items"],
        serde_json::json!([])
    );
    for name in ["Payroll app", "Bank portal"] {
        let (s, _, _) = b
            .post(
                "/o/acme/assets",
                &[
                    ("_csrf", csrf.as_str()),
                    ("asset_type", "software"),
                    ("name", name),
                    ("owner_id", &owner),
                    ("confidentiality", "3"),
                    ("integrity", "2"),
                    ("availability", "1"),
                    ("in_scope", "yes"),
                    ("tags", "payroll"),
                ],
            )
            .await;
        assert_eq!(s, 303);
    }
    let (_, list) = api.get("/api/v1/orgs/acme/assets").await;
    let id0 = list["items"][0]["id"].as_str().unwrap().to_owned();
    let id1 = list["items"][1]["id"].as_str().unwrap().to_owned();
    // A self-flow is refused on the form; a real one shows with the diagram.
    let (s, html, _) = b
        .post(
            &format!("/o/acme/assets/{id0}/flows"),
            &[
                ("_csrf", csrf.as_str()),
                ("direction", "out"),
                ("other", "A-0001"),
                ("data_category", "Salaries"),
                ("mechanism", "api"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("<code>to_asset_id</code>"), "{html}");
    let (s, _, _) = b
        .post(
            &format!("/o/acme/assets/{id0}/flows"),
            &[
                ("_csrf", csrf.as_str()),
                ("direction", "out"),
                ("other", "A-0002"),
                ("data_category", "Salaries"),
                ("mechanism", "file_transfer"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&format!("/o/acme/assets/{id0}")).await;
    assert!(html.contains("<svg") && html.contains("flow unencrypted"));
    assert!(html.contains("Bank portal"));
    // Bulk edit from the list: the ticked assets move out of scope.
    let (s, _, _) = b
        .post(
            "/o/acme/assets/bulk",
            &[
                ("_csrf", csrf.as_str()),
                ("ids", id0.as_str()),
                ("ids", id1.as_str()),
                ("in_scope", "out"),
                ("add_tags", "hr"),
                ("back", "type=software"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, list) = api
        .get("/api/v1/orgs/acme/assets?in_scope=false&tag=hr")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Deleting an asset with a flow is refused on the page.
    let (s, html, _) = b
        .post(
            &format!("/o/acme/assets/{id0}/delete"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(s, 409);
    assert!(html.contains("data flow"));
    // A viewer sees the asset and its flows, but no form.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (s, html) = v.get(&format!("/o/acme/assets/{id0}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Payroll app") && html.contains("<svg"));
    assert!(
        !html.contains("method=\"post\" action=\"/o/acme/assets"),
        "{html}"
    );
    let (_, html) = v.get("/o/acme/assets").await;
    assert!(!html.contains("name=\"ids\""));
    let (_, html) = v.get("/o/acme/data-flows").await;
    assert!(html.contains("Salaries") && !html.contains("/delete"));
}

#[tokio::test]
async fn the_controls_pages_record_an_implementation() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    let (s, html) = b.get("/o/acme/controls").await;
    assert_eq!(s, 200);
    assert!(html.contains(">Controls</a>"), "nav item");
    assert!(html.contains("Not started <strong>93</strong>"));
    assert!(html.contains("/o/acme/controls/5.1\""));
    assert!(!html.contains("Next page"), "93 controls fit on one page");
    let (_, cat) = b.get("/o/acme/catalogue/controls/8.13").await;
    assert!(cat.contains("/o/acme/controls/8.13"));
    let (s, page) = b.get("/o/acme/controls/A.8.13").await;
    assert_eq!(s, 200);
    assert!(page.contains("Record the implementation"));
    let token = csrf(&page);
    let tom = f.user_id(Role::Contributor).to_string();
    let (s, _, loc) = b
        .post(
            "/o/acme/controls/8.13",
            &[
                ("_csrf", token.as_str()),
                ("status", "implemented"),
                ("owner_id", tom.as_str()),
                (
                    "implementation",
                    "Hourly encrypted backups to another region.",
                ),
                ("monitoring", "Monthly check of backup job results."),
                ("check_frequency", "monthly"),
                ("last_check_on", "2026-11-20"),
                ("last_check_result", "effective"),
                ("clauses", "9.1"),
                ("clauses", "8.1"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!((s, loc.as_deref()), (303, Some("/o/acme/controls/8.13")));
    let (_, page) = b.get("/o/acme/controls/8.13").await;
    assert!(page.contains("Hourly encrypted backups"));
    assert!(page.contains("2026-12-20"), "next check");
    assert!(
        page.contains("id=\"cl-9.1\" name=\"clauses\" type=\"checkbox\" value=\"9.1\" checked")
    );
    let (_, list) = b.get("/o/acme/controls?status=implemented").await;
    assert!(list.contains("Information backup"));
    assert!(list.contains("Implemented <strong>1</strong>"));
    // A bad form comes back with the fields named and what was typed.
    let (s, back, _) = b
        .post(
            "/o/acme/controls/8.13",
            &[
                ("_csrf", token.as_str()),
                ("status", "implemented"),
                ("owner_id", tom.as_str()),
                ("implementation", ""),
                ("monitoring", "Typed <again>"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(back.contains("<code>implementation</code>"));
    assert!(back.contains("Typed &#60;again&#62;") || back.contains("Typed &lt;again&gt;"));
    // A stale form is a conflict, not a silent overwrite.
    let (s, _, _) = b
        .post(
            "/o/acme/controls/8.13",
            &[
                ("_csrf", token.as_str()),
                ("status", "planned"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(s, 409);
    // Viewers read but do not edit.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (_, page) = v.get("/o/acme/controls/8.13").await;
    assert!(page.contains("Hourly encrypted backups"));
    assert!(!page.contains("Change the implementation"));
    let (_, vp) = v.get("/o/acme/controls").await;
    let vtoken = csrf(&vp);
    let (s, _, _) = v
        .post(
            "/o/acme/controls/8.13",
            &[
                ("_csrf", vtoken.as_str()),
                ("status", "planned"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = b.get("/o/acme/controls/9.99").await;
    assert_eq!(s, 404);
}
#[tokio::test]
async fn a_hostile_document_is_shown_without_script_and_forms_name_the_field() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let api = t.login(f.email(Role::IsmsManager)).await;
    let hostile = concat!(
        "# Policy\n\n",
        "<script>alert(1)</script>\n\n",
        "<img src=x onerror=alert(2)>\n\n",
        "[click](javascript:alert(3))\n\n",
        "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">x</a>\n\n",
        "<iframe src=\"https://evil.example\"></iframe>\n\n",
        "<div style=\"x\" onmouseover=\"alert(6)\">y</div>\n\n",
        "Ordinary **bold** text.\n",
    );
    let (s, d) = api
        .post(
            "/api/v1/orgs/acme/documents",
            &serde_json::json!({"title": "Hostile <b>title</b>", "kind": "policy", "content": hostile}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_owned();
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    for path in [
        format!("/o/acme/documents/{id}"),
        format!("/o/acme/documents/{id}/versions/1"),
    ] {
        let (s, html) = b.get(&path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("<strong>bold</strong>"), "rendered: {path}");
        let body = html.split("class=\"doc-body\">").nth(1).unwrap_or_default();
        let body = body
            .split("</div>")
            .next()
            .unwrap_or_default()
            .to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "javascript:",
            "<iframe",
            "style=",
        ] {
            assert!(!body.contains(bad), "{bad} in {path}: {body}");
        }
        // Nowhere on the page either (the textarea holds the source escaped).
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script>alert"), "{path}");
        assert!(!lower.contains("<img src=x"), "{path}");
        assert!(
            html.contains("Hostile &lt;b&gt;title&lt;/b&gt;")
                || html.contains("Hostile &#60;b&#62;"),
            "{path}"
        );
    }
    // Submit, then a rejection without a comment comes back naming the field.
    let (_, html) = b.get(&format!("/o/acme/documents/{id}/versions/1")).await;
    let token = csrf(&html);
    let (s, _, _) = b
        .post(
            &format!("/o/acme/documents/{id}/versions/1/submit"),
            &[("_csrf", token.as_str()), ("version", "1")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, html, _) = b
        .post(
            &format!("/o/acme/documents/{id}/versions/1/reject"),
            &[
                ("_csrf", token.as_str()),
                ("version", "2"),
                ("comment", " "),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("say what has to change"), "{html}");
    let (s, _, _) = b
        .post(
            &format!("/o/acme/documents/{id}/versions/1/approve"),
            &[("_csrf", token.as_str()), ("version", "2")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&format!("/o/acme/documents/{id}/versions/1")).await;
    assert!(html.contains("approved and frozen"), "frozen notice");
    assert!(
        !html.contains("name=\"content\""),
        "no editor on an approved version"
    );
    // A viewer sees no workflow buttons.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (_, html) = v.get(&format!("/o/acme/documents/{id}")).await;
    assert!(!html.contains("/retire"), "no retire button for a viewer");
    assert!(!html.contains("Start a new version"));
}

#[tokio::test]
async fn soa_pages_decide_refuse_approve_and_compare() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    let (s, html) = b.get("/o/acme/soa").await;
    assert_eq!(s, 200);
    assert!(html.contains("aria-current=\"page\">SoA</a>"), "nav item");
    assert!(html.contains("No approved version yet"));
    let token = csrf(&html);
    let (s, _, loc) = b
        .post(
            "/o/acme/soa",
            &[("_csrf", &token), ("change_note", "First")],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/o/acme/soa/1"));
    let (_, html) = b.get("/o/acme/soa/1?show=undecided").await;
    assert!(html.contains("A.5.15"));
    assert!(html.contains("93 not decided"));
    // Not applicable without a justification: 422 naming the field, typed text kept.
    let (_, form) = b.get("/o/acme/soa/1/controls/7.4").await;
    assert!(form.contains("Does A.7.4 apply?"));
    let (s, html, _) = b
        .post(
            "/o/acme/soa/1/controls/7.4",
            &[
                ("_csrf", &token),
                ("version", "1"),
                ("applicable", "no"),
                ("inclusion_note", "kept <text>"),
                ("exclusion_justification", " "),
            ],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("<code>exclusion_justification</code>"));
    assert!(html.contains("kept &#60;text&#62;") || html.contains("kept &lt;text&gt;"));
    let (s, _, loc) = b
        .post(
            "/o/acme/soa/1/controls/7.4",
            &[
                ("_csrf", &token),
                ("version", "1"),
                ("applicable", "no"),
                ("exclusion_justification", "No own premises"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/o/acme/soa/1#c-7-4"));
    let (_, html) = b.get("/o/acme/soa/1?show=excluded").await;
    assert!(html.contains("No own premises"));
    // Approval with undecided controls is refused, naming them.
    let (_, html) = b.get("/o/acme/soa/1").await;
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (s, html, _) = b
        .post(
            "/o/acme/soa/1/approve",
            &[("_csrf", &token), ("version", &version)],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("entries[5.1].applicable"), "{html}");
    // Viewers see the version read-only.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (_, html) = v.get("/o/acme/soa/1").await;
    assert!(!html.contains("/approve"));
    assert!(!html.contains(">Decide<"));
    let (_, html) = v.get("/o/acme/soa/1/controls/7.4").await;
    assert!(!html.contains("<textarea"));
    let (_, vt) = v.get("/o/acme/soa").await;
    let (s, _, _) = v
        .post(
            "/o/acme/soa/1/controls/7.4",
            &[
                ("_csrf", &csrf(&vt)),
                ("version", "2"),
                ("applicable", "yes"),
            ],
        )
        .await;
    assert_eq!(s, 403);
    // The comparison page and the exports answer.
    let (s, html) = b.get("/o/acme/soa/diff?from=1&to=1").await;
    assert_eq!(s, 200);
    assert!(html.contains("Every control reads the same"));
    let (s, _) = b.get("/o/acme/soa/1/export?format=xlsx").await;
    assert_eq!(s, 200);
    let (s, _) = b.get("/o/acme/soa/9").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn soa_import_form_checks_csrf_and_lists_every_bad_row() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::Contributor)).await;
    let (_, html) = b.get("/o/acme/soa").await;
    let token = csrf(&html);
    let send = |csrf: String, body: &'static str, dry: bool| {
        let mut form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name("soa.csv"),
        );
        if dry {
            form = form.text("dry_run", "on");
        }
        b.http
            .post(format!("{}/o/acme/soa/import", b.base))
            .multipart(form)
            .send()
    };
    let r = send("wrong".into(), "Control,Applicable\n5.1,yes\n", false)
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "CSRF is checked on uploads too");
    let r = send(
        token.clone(),
        "Control,Applicable,Justification\n5.1,perhaps,\nA.9.9.9,yes,\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("lines[2].applicable") && html.contains("lines[3].control"),
        "{html}"
    );
    let r = send(
        token.clone(),
        "Control,Applicable,Justification\nA.9.1.1,yes,Access policy\n",
        true,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Dry run: nothing was written."), "{html}");
    assert!(html.contains("A.5.15"), "{html}");
    let r = send(
        token,
        "Control,Applicable,Justification\nA.9.1.1,yes,Access policy\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = b.get("/o/acme/soa/1?show=applicable").await;
    assert!(html.contains("Access policy"));
}

#[tokio::test]
async fn a_control_shows_its_documents_and_evidence_here_and_in_the_soa() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let api = t.login(f.email(Role::IsmsManager)).await;
    let outsider = t.login(other.email(Role::IsmsManager)).await;
    // A policy linked to 5.15 and two pieces of evidence for it, one expired.
    let (s, d) = api
        .post(
            "/api/v1/orgs/acme/documents",
            &serde_json::json!({"title": "Access control policy", "kind": "policy", "content": "# Access\n"}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let doc = d["id"].as_str().unwrap().to_owned();
    let (s, r) = api
        .put(
            &format!("/api/v1/orgs/acme/documents/{doc}/links"),
            &serde_json::json!({"controls": ["A.5.15"], "clauses": [], "version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    for (title, until) in [
        ("Quarterly access review", "2099-01-31"),
        ("Access review 2023", "2024-01-31"),
    ] {
        let (s, r) = api
            .post(
                "/api/v1/orgs/acme/evidence",
                &serde_json::json!({"title": title, "url": "https://tickets.example.com/AR-1",
                    "collected_on": "2023-12-01", "valid_until": until,
                    "links": [{"kind": "control", "reference": "5.15"}]}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }
    // Another organisation's policy on 5.15 shows nowhere in acme.
    let (s, od) = outsider
        .post(
            "/api/v1/orgs/other/documents",
            &serde_json::json!({"title": "Other org secret policy", "kind": "policy"}),
        )
        .await;
    assert_eq!(s, 201, "{od}");
    let (s, _) = outsider
        .put(
            &format!(
                "/api/v1/orgs/other/documents/{}/links",
                od["id"].as_str().unwrap()
            ),
            &serde_json::json!({"controls": ["5.15"], "clauses": [], "version": od["version"]}),
        )
        .await;
    assert_eq!(s, 200);

    let b = Browser::new(&t.base);
    b.login(f.email(Role::Viewer)).await;
    let (s, html) = b.get("/o/acme/controls/5.15").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/o/acme/documents/{doc}")),
        "the policy"
    );
    assert!(html.contains("Access control policy"));
    assert!(html.contains("Quarterly access review"));
    assert!(html.contains("Access review 2023"));
    assert!(
        html.contains("pill bad\">expired"),
        "the old review is marked"
    );
    assert!(html.contains("/o/acme/evidence?control=5.15"));
    assert!(!html.contains("Other org secret policy"));
    let (_, empty) = b.get("/o/acme/controls/8.1").await;
    assert!(empty.contains("No document in the register names A.8.1"));

    // The SoA row carries the same links, in the API and the CSV.
    let (s, _) = api
        .post("/api/v1/orgs/acme/soa", &serde_json::json!({}))
        .await;
    assert_eq!(s, 201);
    let (_, e) = api.get("/api/v1/orgs/acme/soa/1/entries/5.15").await;
    let links: Vec<String> = e["entry"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}: {}",
                l["kind"].as_str().unwrap(),
                l["title"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    assert!(links[0].starts_with("document: DOC-"), "{links:?}");
    assert!(
        links[0].ends_with("Access control policy (draft)"),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|l| l.ends_with("Access review 2023 (expired)"))
    );
    let (s, csv) = b.get("/o/acme/soa/1/export?format=csv").await;
    assert_eq!(s, 200);
    assert!(csv.contains("Quarterly access review"));
    assert!(!csv.contains("Other org secret policy"));
}

#[tokio::test]
async fn the_new_finding_form_takes_an_audit_prefill() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::InternalAuditor)).await;
    let audit = uuid::Uuid::now_v7();
    let item = uuid::Uuid::now_v7();
    let (s, html) = b
        .get(&format!(
            "/o/acme/findings/new?source=internal_audit&source_id={audit}&reference=5.15&grade=minor_nc&description=Two%20leavers%20kept%20access&checklist_item={item}"
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("name=\"source_id\" value=\"{audit}\"")),
        "{html}"
    );
    assert!(html.contains(&format!("name=\"checklist_item\" value=\"{item}\"")));
    assert!(html.contains("<option value=\"minor_nc\" selected>"));
    assert!(html.contains("<option value=\"internal_audit\" selected>"));
    assert!(html.contains("value=\"5.15\""));
    assert!(html.contains("Two leavers kept access"));
    assert!(html.contains("Minor nonconformity against 5.15"));
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    assert!(
        t.app
            .findings_for_source(&ctx, audit)
            .await
            .unwrap()
            .is_empty()
    );
    t.app
        .create_finding(
            isms_app::Actor::Cli,
            &ctx,
            &isms_app::findings::NewFinding {
                source: Some("internal_audit".into()),
                source_id: Some(audit),
                checklist_item_id: Some(item),
                grade: "minor_nc".into(),
                reference: "5.15".into(),
                title: "Leavers keep access".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let raised = t.app.findings_for_source(&ctx, audit).await.unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].checklist_item_id, Some(item));
}

#[tokio::test]
async fn readiness_settings_form_names_the_field_and_saves_nothing() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let b = Browser::new(&t.base);
    b.login(f.email(Role::IsmsManager)).await;
    let (s, html) = b.get("/o/acme/readiness").await;
    assert_eq!(s, 200);
    assert!(html.contains("Stage 1 audit: score"), "{html}");
    assert!(html.contains("id=\"rule-scope-defined\""), "{html}");
    let token = csrf(&html);
    let bad = [
        ("_csrf", token.as_str()),
        ("version", "0"),
        ("profile", "stage2"),
        ("audit_lead_weeks", "soon"),
        ("min_measurement_periods", "3"),
        ("min_scope_words", "12"),
    ];
    let (s, html, _) = b.post("/o/acme/readiness/settings", &bad).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("<code>audit_lead_weeks</code>"), "{html}");
    assert!(
        html.contains("value=\"soon\""),
        "the form keeps what was sent"
    );
    let mut out_of_range = bad;
    out_of_range[3] = ("audit_lead_weeks", "6");
    out_of_range[5] = ("min_scope_words", "500");
    let (s, html, _) = b.post("/o/acme/readiness/settings", &out_of_range).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("<code>min_scope_words</code>"), "{html}");
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    assert_eq!(t.app.readiness_settings(&ctx).await.unwrap().version, 0);
    let mut good = out_of_range;
    good[5] = ("min_scope_words", "30");
    let (s, _, loc) = b.post("/o/acme/readiness/settings", &good).await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/o/acme/readiness/stage2"));
    let saved = t.app.readiness_settings(&ctx).await.unwrap();
    assert_eq!((saved.audit_lead_weeks, saved.min_scope_words), (6, 30));
    // A viewer sees no form and cannot post one.
    let v = Browser::new(&t.base);
    v.login(f.email(Role::Viewer)).await;
    let (_, html) = v.get("/o/acme/readiness/stage1").await;
    assert!(!html.contains("action=\"/o/acme/readiness/settings\""));
    let token = csrf(&html);
    let mut viewer = good;
    viewer[0] = ("_csrf", token.as_str());
    viewer[1] = ("version", "1");
    let (s, _, _) = v.post("/o/acme/readiness/settings", &viewer).await;
    assert_eq!(s, 403);
}
