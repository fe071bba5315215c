//! The domain crate stays pure: no async runtime, database, web or template crates.

#[test]
fn domain_has_no_io_dependencies() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap_or_default();
    for banned in [
        "tokio", "sqlx", "axum", "askama", "reqwest", "hyper", "isms-db", "isms-app", "isms-web",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(banned)),
            "isms-domain must not depend on {banned}"
        );
    }
}
