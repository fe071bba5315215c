//! The OSCAL documents validate against NIST's schemas, and the validator is real: NIST's
//! example catalog passes, a broken document fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "oscal/validate.rs"]
mod validate;

use isms_export::oscal::{self, *};
use serde_json::{Value, json};
use uuid::Uuid;
use validate::{assert_valid, schema_errors};

fn org() -> Org {
    Org {
        id: Uuid::from_u128(7),
        slug: "zurich".into(),
        name: "Zürich Ärzte AG".into(),
        created_at: "2026-01-05T08:00:00Z".into(),
    }
}

fn person(n: u128, name: &str) -> Person {
    Person {
        id: Uuid::from_u128(n),
        name: name.into(),
    }
}

fn rich_ssp() -> SspInput {
    SspInput {
        org: org(),
        scope: "Patient records\nand the clinic's IT.".into(),
        scope_label: Some("Scope statement version 2".into()),
        soa_label: Some("Statement of Applicability version 3".into()),
        controls: vec![
            SspControl {
                control_ref: "5.15".into(),
                label: "A.5.15".into(),
                own: false,
                title: "Access control".into(),
                status: "implemented".into(),
                owner: Some(person(1, "Jörg Müller")),
                implementation: "Role-based access in every system.".into(),
                soa_note: "  Risk R-001\n and contract ".into(),
            },
            SspControl {
                control_ref: "8.8".into(),
                label: "A.8.8".into(),
                own: false,
                title: "Management of technical vulnerabilities".into(),
                status: "not_started".into(),
                owner: None,
                implementation: String::new(),
                soa_note: String::new(),
            },
            SspControl {
                control_ref: "ZA-01".into(),
                label: "ZA-01".into(),
                own: true,
                title: "Clean desk in the clinic".into(),
                status: "partially_implemented".into(),
                owner: Some(person(1, "Jörg Müller")),
                implementation: "Weekly walk-through.".into(),
                soa_note: String::new(),
            },
        ],
        last_modified: "2026-11-20T10:11:12.345Z".into(),
    }
}

fn finding(
    n: u128,
    audit: Option<Uuid>,
    item: Option<Uuid>,
    grade: &str,
    reference: &str,
) -> FindingIn {
    FindingIn {
        id: Uuid::from_u128(n),
        finding_ref: format!("F-{n:03}"),
        audit_id: audit,
        checklist_item_id: item,
        grade: grade.into(),
        nonconformity: grade.ends_with("_nc"),
        reference: reference.into(),
        title: format!("Finding {n}"),
        description: String::new(),
        evidence: "Seen in the\nticket system".into(),
        raised_on: "2026-10-02".into(),
        status: "open".into(),
        deadline: Some("2026-12-31".into()),
    }
}

fn rich_results() -> AssessmentInput {
    let audit = Uuid::from_u128(100);
    let item = Uuid::from_u128(101);
    AssessmentInput {
        org: org(),
        audits: vec![AuditIn {
            id: audit,
            reference: "AUD-2026-01".into(),
            title: "Access and clause 9".into(),
            criteria: "ISO/IEC 27001:2022".into(),
            scope: vec!["9.2.2".into(), "A.5.15".into(), "ZA-01".into()],
            start: "2026-10-01".into(),
            end: Some("2026-10-02".into()),
            status: "completed".into(),
            lead: Some("Ada Auditor".into()),
            items: vec![
                CheckItem {
                    id: item,
                    item: "A.5.15".into(),
                    title: "Access control".into(),
                    result: Some("nonconforming".into()),
                    notes: "Leavers keep access.".into(),
                    evidence_note: "Sampled 5 leavers".into(),
                    answered_at: Some("2026-10-01T14:00:00Z".into()),
                },
                CheckItem {
                    id: Uuid::from_u128(102),
                    item: "9.2.2".into(),
                    title: "Audit programme".into(),
                    result: None,
                    notes: String::new(),
                    evidence_note: String::new(),
                    answered_at: None,
                },
            ],
        }],
        findings: vec![
            finding(1, Some(audit), Some(item), "minor_nc", "A.5.15"),
            finding(2, Some(audit), None, "ofi", "9.2"),
        ],
        last_modified: "2026-10-02T16:00:00Z".into(),
    }
}

fn rich_poam() -> PoamInput {
    PoamInput {
        org: org(),
        actions: vec![ActionIn {
            id: Uuid::from_u128(200),
            action_ref: "CA-001".into(),
            finding_id: Some(Uuid::from_u128(1)),
            title: "Remove leavers' access on the last day".into(),
            description: String::new(),
            owner: Some(person(1, "Jörg Müller")),
            due_on: Some("2026-12-15".into()),
            status: "in_progress".into(),
        }],
        findings: vec![
            finding(1, Some(Uuid::from_u128(100)), None, "minor_nc", "A.5.15"),
            finding(3, None, None, "major_nc", "Clause 6.1.2"),
        ],
        last_modified: "2026-11-01T09:00:00Z".into(),
    }
}

fn empty_org_docs() -> Vec<(&'static str, Value)> {
    let o = org();
    vec![
        (
            "ssp",
            oscal::ssp(&SspInput {
                org: o.clone(),
                scope: String::new(),
                scope_label: None,
                soa_label: None,
                controls: vec![SspControl {
                    control_ref: "5.1".into(),
                    label: "A.5.1".into(),
                    own: false,
                    title: "Policies".into(),
                    status: "not_started".into(),
                    owner: None,
                    implementation: String::new(),
                    soa_note: String::new(),
                }],
                last_modified: o.created_at.clone(),
            }),
        ),
        (
            "assessment-results",
            oscal::assessment_results(&AssessmentInput {
                org: o.clone(),
                audits: vec![],
                findings: vec![],
                last_modified: o.created_at.clone(),
            }),
        ),
        (
            "poam",
            oscal::poam(&PoamInput {
                org: o.clone(),
                actions: vec![],
                findings: vec![],
                last_modified: o.created_at.clone(),
            }),
        ),
        (
            "catalog",
            oscal::catalog(&CatalogInput {
                org: o.clone(),
                own: vec![],
                last_modified: CATALOGUE_DATE.into(),
            }),
        ),
    ]
}

#[test]
fn nists_example_catalog_passes_the_validator() {
    let example: Value =
        serde_json::from_str(include_str!("oscal/example-basic-catalog.json")).unwrap();
    assert_valid("catalog", &example);
}

#[test]
fn a_broken_document_fails_the_validator() {
    let mut doc = oscal::catalog(&CatalogInput {
        org: org(),
        own: vec![],
        last_modified: CATALOGUE_DATE.into(),
    });
    assert_valid("catalog", &doc);
    // A control id that is not a token (the \p{L} pattern), a missing uuid, a bad date.
    doc["catalog"]["groups"][0]["controls"][0]["id"] = json!("5.1");
    assert!(!schema_errors("catalog", &doc).is_empty());
    let mut doc2 = doc.clone();
    doc2["catalog"]["groups"][0]["controls"][0]["id"] = json!("Ärger.5");
    assert!(
        schema_errors("catalog", &doc2).is_empty(),
        "letters of any script are fine"
    );
    doc2["catalog"]["metadata"]["last-modified"] = json!("2026-13-01T00:00:00Z");
    assert!(!schema_errors("catalog", &doc2).is_empty());
    let mut doc3 = doc2.clone();
    doc3["catalog"]["metadata"]["last-modified"] = json!(CATALOGUE_DATE);
    doc3["catalog"].as_object_mut().unwrap().remove("uuid");
    assert!(!schema_errors("catalog", &doc3).is_empty());
    let example: Value =
        serde_json::from_str(include_str!("oscal/example-basic-catalog.json")).unwrap();
    assert!(
        !schema_errors("ssp", &example).is_empty(),
        "a catalog is not an SSP"
    );
}

#[test]
fn rich_documents_validate() {
    assert_valid("ssp", &oscal::ssp(&rich_ssp()));
    assert_valid(
        "assessment-results",
        &oscal::assessment_results(&rich_results()),
    );
    assert_valid("poam", &oscal::poam(&rich_poam()));
    assert_valid(
        "catalog",
        &oscal::catalog(&CatalogInput {
            org: org(),
            own: vec![OwnControl {
                code: "ZA-01".into(),
                title: "Clean desk in the clinic".into(),
                description: "Desks are cleared\nevery evening.".into(),
            }],
            last_modified: "2026-03-01T00:00:00Z".into(),
        }),
    );
}

#[test]
fn an_empty_organisation_gives_valid_documents() {
    for (name, doc) in empty_org_docs() {
        assert_valid(name, &doc);
        assert!(doc.get(oscal::root_key(name).unwrap()).is_some(), "{name}");
    }
}

#[test]
fn the_same_records_give_the_same_bytes_and_a_change_a_new_version() {
    let a = oscal::to_bytes(&oscal::ssp(&rich_ssp()));
    let b = oscal::to_bytes(&oscal::ssp(&rich_ssp()));
    assert_eq!(a, b);
    let mut changed = rich_ssp();
    changed.controls[1].status = "planned".into();
    let c = oscal::ssp(&changed);
    let v1: Value = serde_json::from_slice(&a).unwrap();
    let m1 = &v1["system-security-plan"]["metadata"];
    let m2 = &c["system-security-plan"]["metadata"];
    assert_eq!(m1["last-modified"], "2026-11-20T10:11:12.345Z");
    assert_ne!(m1["version"], m2["version"]);
    assert_eq!(m1["oscal-version"], "1.1.2");
    // UUIDs are version 5, and the same for the same record.
    let u = v1["system-security-plan"]["uuid"].as_str().unwrap();
    assert_eq!(Uuid::parse_str(u).unwrap().get_version_num(), 5);
    assert_eq!(u, c["system-security-plan"]["uuid"]);
}

#[test]
fn the_catalog_has_the_four_themes_and_our_words_only() {
    let doc = oscal::catalog(&CatalogInput {
        org: org(),
        own: vec![OwnControl {
            code: "ZA-01".into(),
            title: "Clean desk".into(),
            description: String::new(),
        }],
        last_modified: CATALOGUE_DATE.into(),
    });
    let groups = doc["catalog"]["groups"].as_array().unwrap();
    let ids: Vec<&str> = groups.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "organizational",
            "people",
            "physical",
            "technological",
            "own"
        ]
    );
    let counts: Vec<usize> = groups
        .iter()
        .map(|g| g["controls"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [37, 8, 14, 34, 1]);
    let first = &groups[0]["controls"][0];
    assert_eq!(first["id"], "a.5.1");
    assert_eq!(first["props"][0]["value"], "A.5.1");
    // The only prose is our own summary, in our namespace.
    let part = &first["parts"][0];
    assert_eq!(part["name"], "overview");
    assert_eq!(part["ns"], oscal::NS);
}

#[test]
fn findings_and_actions_are_linked() {
    let ar = oscal::assessment_results(&rich_results());
    let result = &ar["assessment-results"]["results"][0];
    let f = &result["findings"][0];
    let obs = result["observations"][0]["uuid"].as_str().unwrap();
    assert_eq!(f["related-observations"][0]["observation-uuid"], obs);
    assert_eq!(f["target"]["target-id"], "a.5.15");
    assert_eq!(f["target"]["status"]["state"], "not-satisfied");
    assert_eq!(result["findings"][1]["target"]["target-id"], "clause-9.2");
    let p = oscal::poam(&rich_poam());
    let plan = &p["plan-of-action-and-milestones"];
    let items = plan["poam-items"].as_array().unwrap();
    // The action, and the major NC without an action.
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["related-findings"][0]["finding-uuid"], f["uuid"],
        "the same finding has the same uuid in both documents"
    );
    assert_eq!(items[1]["title"], "F-003: Finding 3");
    let risks = plan["risks"].as_array().unwrap();
    assert_eq!(risks[0]["deadline"], "2026-12-15T23:59:59Z");
    assert_eq!(risks[0]["status"], "remediating");
}
