//! Check a document against NIST's OSCAL 1.1.2 JSON schema. The patterns use `\p{L}`
//! classes: they run through the `regex` crate, which knows them. Formats (date-time, uri,
//! uuid) are checked too.

use serde_json::Value;

/// The schema of a document (`ssp`, `assessment-results`, `poam`, `catalog`).
pub fn schema_of(document: &str) -> &'static str {
    match document {
        "ssp" => include_str!("oscal_ssp_schema.json"),
        "assessment-results" => include_str!("oscal_assessment-results_schema.json"),
        "poam" => include_str!("oscal_poam_schema.json"),
        "catalog" => include_str!("oscal_catalog_schema.json"),
        other => panic!("no schema for {other}"),
    }
}

/// What is wrong with `doc` as a `document`, one line per error (empty when valid).
pub fn schema_errors(document: &str, doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema_of(document)).expect("schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Panic with every error unless `doc` is a valid `document`.
pub fn assert_valid(document: &str, doc: &Value) {
    let errors = schema_errors(document, doc);
    assert!(
        errors.is_empty(),
        "{document} does not validate:\n{}",
        errors.join("\n")
    );
}
