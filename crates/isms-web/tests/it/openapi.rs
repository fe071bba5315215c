//! The committed docs/openapi.json must be what the code generates.
//! Regenerate with: UPDATE_OPENAPI=1 cargo test -p isms-web openapi

#[test]
fn committed_openapi_matches_the_code() {
    let generated = isms_web::api::openapi_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the generated document; run UPDATE_OPENAPI=1 cargo test -p isms-web openapi and commit it"
    );
    let v: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(v["openapi"], "3.1.0");
}

#[tokio::test]
async fn served_openapi_is_the_generated_one() {
    let t = isms_testkit::TestApp::spawn().await;
    let r = t
        .anon()
        .request(reqwest::Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), isms_web::api::openapi_json());
}
