//! `isms import oscal-catalog | ciso-assistant | mapping`: frameworks besides ISO 27001.

use crate::{Failure, Global, ImportArgs, open, usage};
use isms_app::Actor;

/// The import kinds this module handles.
pub(crate) const KINDS: &[&str] = &["oscal-catalog", "ciso-assistant", "mapping"];

pub(crate) async fn import(g: &Global, a: &ImportArgs) -> Result<(), Failure> {
    if a.dry_run {
        return Err(usage(format!(
            "--dry-run: {} imports have no dry run; a bad file writes nothing anyway",
            a.kind
        )));
    }
    if a.kind == "mapping" && a.framework.is_none() {
        return Err(usage(
            "--framework: name the framework (its id or name) the mapping is for",
        ));
    }
    let bytes = std::fs::read(&a.path)
        .map_err(|e| usage(format!("cannot read {}: {e}", a.path.display())))?;
    let app = open(g).await?;
    let ctx = app
        .org_for_cli(&a.org)
        .await
        .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
    let failed = |e: isms_app::AppError| {
        let mut f = Failure::from(e);
        f.message = format!("{}: nothing was imported\n{}", a.path.display(), f.message);
        f
    };
    if a.kind == "mapping" {
        let fw = a.framework.as_deref().unwrap_or_default();
        let r = app
            .import_framework_mapping(Actor::Cli, &ctx, fw, &bytes)
            .await
            .map_err(failed)?;
        println!(
            "Imported {} mappings to ISO/IEC 27001:2022 (replacing {}).",
            r.mappings, r.replaced
        );
        return Ok(());
    }
    let r = if a.kind == "oscal-catalog" {
        app.import_oscal_catalog(Actor::Cli, &ctx, &bytes).await
    } else {
        app.import_ciso_library(Actor::Cli, &ctx, &bytes).await
    }
    .map_err(failed)?;
    println!(
        "{} framework \"{}\" {} ({}): {} requirements{}; coverage {}/{}.",
        if r.created { "Imported" } else { "Updated" },
        r.framework.name,
        r.framework.version,
        r.framework.id,
        r.requirements,
        if r.mappings > 0 {
            format!(", {} mappings to ISO/IEC 27001:2022", r.mappings)
        } else {
            String::new()
        },
        r.framework.coverage.covered,
        r.framework.coverage.total
    );
    for n in &r.notes {
        println!("  Note: {n}");
    }
    Ok(())
}
