use super::import::{map_to_2022, parse, parse_applicable};
use super::*;
use crate::foundation::registers::{Party, RegisterBody, Requirement};

fn risk(number: i64, status: &str) -> TreatingRisk {
    TreatingRisk {
        number,
        title: format!("Risk {number}"),
        status: status.into(),
        link: format!("/o/acme/risks/{number}"),
    }
}

fn req(party: i64, name: &str, source: &str, reference: &str) -> NamingRequirement {
    NamingRequirement {
        party_number: party,
        party_name: name.into(),
        source: source.into(),
        text: "Protect personal data".into(),
        reference: reference.into(),
        link: format!("/o/acme/isms/parties/{party}"),
    }
}

fn entry(id: &str, a: Applicability, note: &str, excl: &str) -> Entry {
    Entry {
        control: id.into(),
        decision: Decision {
            applicable: a,
            inclusion_note: note.into(),
            exclusion_justification: excl.into(),
        },
        reasons: Vec::new(),
        implementation_status: "not_started".into(),
    }
}

/// Every Annex A control decided applicable with a note.
fn all_decided() -> Vec<Entry> {
    catalogue()
        .controls()
        .iter()
        .map(|c| entry(&c.id, Applicability::Yes, "Baseline", ""))
        .collect()
}

#[test]
fn reasons_come_from_open_risks_and_requirements_in_order() {
    let reasons = derive_reasons(
        &[
            risk(12, "treated"),
            risk(3, "closed"),
            risk(7, "identified"),
        ],
        &[
            req(4, "Acme Bank", "contractual", "MSA §9.2"),
            req(2, "ICO", "legal", "UK GDPR Art. 32"),
            req(5, "FCA", "regulatory", ""),
            req(6, "Board", "other", "Strategy"),
            req(7, "Acme Bank", "contractual", "MSA §9.2"),
        ],
    );
    let texts: Vec<&str> = reasons.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "treats risk R-007: Risk 7",
            "treats risk R-012: Risk 12",
            "required by law: UK GDPR Art. 32 (ICO)",
            "required by Acme Bank (contractual: MSA §9.2)",
            "required by FCA (regulatory: Protect personal data)",
            "required by Board: Strategy",
        ],
        "closed risks give no reason; a repeated requirement is listed once"
    );
    assert_eq!(reasons[0].kind, ReasonKind::Risk);
    assert_eq!(reasons[0].reference, "R-007");
    assert_eq!(reasons[0].link, "/o/acme/risks/7");
    assert_eq!(reasons[2].kind, ReasonKind::Legal);
    assert_eq!(reasons[3].reference, "P-004");
    assert!(derive_reasons(&[], &[]).is_empty());
}

#[test]
fn not_applicable_needs_a_justification() {
    let d = Decision {
        applicable: Applicability::No,
        inclusion_note: "  ".into(),
        exclusion_justification: "   ".into(),
    };
    let e = check_decision("7.4", &d).unwrap_err();
    assert_eq!(e.errors[0].field, "exclusion_justification");
    assert!(e.errors[0].message.contains("A.7.4"));
    let ok = check_decision(
        "7.4",
        &Decision {
            exclusion_justification: " No own premises ".into(),
            ..d.clone()
        },
    )
    .unwrap();
    assert_eq!(ok.exclusion_justification, "No own premises");
    let long = Decision {
        applicable: Applicability::Yes,
        inclusion_note: "x".repeat(MAX_TEXT + 1),
        ..Default::default()
    };
    assert_eq!(
        check_decision("5.1", &long).unwrap_err().errors[0].field,
        "inclusion_note"
    );
    assert!(Applicability::parse("applicable", "maybe").is_err());
    assert_eq!(
        Applicability::parse("applicable", "No").unwrap(),
        Applicability::No
    );
}

#[test]
fn completeness_counts_and_lists_what_is_missing() {
    let mut entries = all_decided();
    entries[0] = entry("5.1", Applicability::Undecided, "", "");
    entries[1] = entry("5.2", Applicability::Yes, "", "");
    entries[2] = entry("5.3", Applicability::No, "", "");
    entries[3] = entry("5.4", Applicability::No, "", "Not needed");
    // 5.5 has reasons but no note: complete.
    entries[4] = entry("5.5", Applicability::Yes, "", "");
    entries[4].reasons = derive_reasons(&[risk(1, "treated")], &[]);
    entries.retain(|e| e.control != "8.34");
    let c = completeness(&entries);
    assert_eq!(c.total, 93);
    assert_eq!(
        c.undecided,
        ["5.1", "8.34"],
        "a missing control is undecided"
    );
    assert_eq!(c.without_reason, ["5.2"]);
    assert_eq!(c.without_justification, ["5.3"]);
    assert_eq!(c.excluded, 2);
    assert_eq!(c.applicable, 89);
    assert_eq!(c.decided, 91);
    assert!(!c.complete);
    assert!(completeness(&all_decided()).complete);
}

#[test]
fn approval_is_refused_naming_each_open_control() {
    let mut entries = all_decided();
    entries[0].decision.applicable = Applicability::Undecided;
    entries[5].decision = Decision {
        applicable: Applicability::No,
        ..Default::default()
    };
    entries[6].decision.inclusion_note.clear();
    let e = check_approvable(&entries).unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "entries[5.1].applicable",
            "entries[5.6].exclusion_justification",
            "entries[5.7].inclusion_note"
        ]
    );
    assert!(e.errors[0].message.contains("A.5.1"));
    assert!(check_approvable(&all_decided()).is_ok());
}

#[test]
fn contradictions_with_the_control_register_are_warned() {
    let mut e = entry("7.4", Applicability::No, "", "No premises");
    e.implementation_status = "implemented".into();
    assert!(warning(&e).unwrap().contains("implemented"));
    e.implementation_status = "planned".into();
    e.reasons = derive_reasons(&[risk(16, "treated")], &[]);
    assert!(
        warning(&e)
            .unwrap()
            .contains("excluded, but treats risk R-016"),
        "an excluded control that a risk relies on"
    );
    e.decision.applicable = Applicability::Yes;
    assert!(warning(&e).is_none());
    e.implementation_status = "not_applicable".into();
    assert!(warning(&e).unwrap().contains("marks it not applicable"));
}

#[test]
fn diff_shows_each_changed_control_with_before_and_after() {
    let from = all_decided();
    let mut to = all_decided();
    to[0].decision.inclusion_note = "Board policy".into();
    let i74 = to.iter().position(|e| e.control == "7.4").unwrap();
    to[i74].decision = Decision {
        applicable: Applicability::No,
        inclusion_note: "Baseline".into(),
        exclusion_justification: "No own premises".into(),
    };
    to[i74].implementation_status = "planned".into();
    to[2].reasons = derive_reasons(&[risk(9, "treated")], &[]);
    let d = diff(&from, &to);
    let ids: Vec<&str> = d.iter().map(|c| c.control.as_str()).collect();
    assert_eq!(ids, ["5.1", "5.3", "7.4"]);
    assert_eq!(d[0].changes[0].field, "inclusion_note");
    assert_eq!(d[0].changes[0].before, ["Baseline"]);
    assert_eq!(d[0].changes[0].after, ["Board policy"]);
    assert_eq!(d[1].changes[0].field, "reasons");
    assert_eq!(d[1].changes[0].added, ["treats risk R-009: Risk 9"]);
    let f: Vec<&str> = d[2].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        f,
        [
            "applicable",
            "exclusion_justification",
            "implementation_status"
        ]
    );
    assert_eq!(d[2].changes[0].before, ["Applicable"]);
    assert_eq!(d[2].changes[0].after, ["Not applicable"]);
    assert!(diff(&from, &from).is_empty());
    assert_eq!(
        change_summary("7.4", &from[i74].decision, &to[i74].decision),
        "A.7.4: applicable → not applicable; exclusion justification"
    );
}

#[test]
fn versions_use_the_shared_rules() {
    use crate::foundation::versioned::{DocKind, VersionStatus, frozen_reason, new_draft_blocked};
    let r = frozen_reason(DocKind::Soa, 1, VersionStatus::Approved).unwrap();
    assert!(r.contains("Statement of Applicability") && r.contains("frozen"));
    assert!(new_draft_blocked(DocKind::Soa, Some(2)).is_some());
}

#[test]
fn ids_of_2013_map_to_their_2022_controls() {
    assert_eq!(map_to_2022("5.15").unwrap(), ["5.15"]);
    assert_eq!(map_to_2022("9.1.1").unwrap(), ["5.15"]);
    // One 2013 control that went to several 2022 controls.
    let several = catalogue()
        .controls_2013()
        .iter()
        .find(|c| c.to_2022.len() > 1)
        .unwrap();
    assert_eq!(map_to_2022(&several.id).unwrap(), several.to_2022);
    assert!(map_to_2022("9.99").unwrap_err().contains("2022"));
    assert!(map_to_2022("9.9.9").unwrap_err().contains("2013"));
    assert!(map_to_2022("abc").is_err());
    assert_eq!(parse_applicable(" Yes "), Some(Applicability::Yes));
    assert_eq!(parse_applicable("N/A"), Some(Applicability::No));
    assert_eq!(parse_applicable("perhaps"), None);
}

fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

#[test]
fn a_2022_file_is_read_with_its_header_names() {
    let p = parse(&rows(&[
        &["Statement of Applicability", "", "", ""],
        &[
            "Control ID",
            "Title",
            "Applicable (Yes/No)",
            "Justification",
        ],
        &["A.5 Organisational controls", "", "", ""],
        &["A.5.15", "Access control", "Yes", "'=Needed"],
        &[
            "7.4 Physical security monitoring",
            "",
            "no",
            "No own premises",
        ],
        &["", "", "", ""],
    ]))
    .unwrap();
    assert_eq!(p.header_line, 2);
    assert_eq!(p.rows, 2);
    assert_eq!(p.decisions.len(), 2);
    assert_eq!(p.decisions[0].control, "5.15");
    assert_eq!(
        p.decisions[0].inclusion_note.as_deref(),
        Some("=Needed"),
        "the apostrophe an export adds is taken off"
    );
    assert_eq!(p.decisions[1].applicable, Applicability::No);
    assert_eq!(
        p.decisions[1].exclusion_justification.as_deref(),
        Some("No own premises"),
        "one justification column serves exclusions too"
    );
    assert_eq!(p.decisions[1].inclusion_note, None);
    assert_eq!(p.decisions[1].sources, [(5, "7.4".to_owned())]);
}

#[test]
fn a_2013_file_sets_every_2022_control_and_conflicts_are_row_errors() {
    let several = catalogue()
        .controls_2013()
        .iter()
        .find(|c| c.to_2022.len() > 1)
        .unwrap();
    let merged_into_5_1: Vec<&str> = vec!["A.5.1.1", "A.5.1.2"];
    let several_id = format!("A.{}", several.id);
    let p = parse(&rows(&[
        &["control", "applicable", "reason", "exclusion justification"],
        &[&several_id, "yes", "Needed", ""],
        &[merged_into_5_1[0], "yes", "Policy set", ""],
        &[merged_into_5_1[1], "yes", "Reviewed yearly", ""],
    ]))
    .unwrap();
    for id in &several.to_2022 {
        assert!(p.decisions.iter().any(|d| &d.control == id), "{id}");
    }
    let d51 = p.decisions.iter().find(|d| d.control == "5.1").unwrap();
    assert_eq!(
        d51.inclusion_note.as_deref(),
        Some("Policy set\nReviewed yearly")
    );
    assert_eq!(d51.sources.len(), 2);
    let applied = d51.apply(&Decision {
        applicable: Applicability::No,
        inclusion_note: "old".into(),
        exclusion_justification: "kept".into(),
    });
    assert_eq!(applied.applicable, Applicability::Yes);
    assert_eq!(applied.inclusion_note, "Policy set\nReviewed yearly");
    assert_eq!(applied.exclusion_justification, "kept");

    let e = parse(&rows(&[
        &["control", "applicable", "reason", "exclusion justification"],
        &["A.5.1.1", "yes", "Policy", ""],
        &["A.5.1.2", "no", "", "Not needed"],
        &["A.9.9.9", "yes", "", ""],
        &["5.2", "maybe", "", ""],
        &["5.3", "no", "", ""],
        &["", "yes", "", ""],
    ]))
    .unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "lines[3].applicable",
            "lines[4].control",
            "lines[5].applicable",
            "lines[6].exclusion_justification",
            "lines[7].control"
        ],
        "every bad row, by line and field"
    );
    assert!(e.errors[0].message.contains("line 2"), "{:?}", e.errors[0]);
    assert!(e.errors[1].message.contains("2013"));
}

#[test]
fn a_file_without_a_header_is_refused() {
    let e = parse(&rows(&[&["a", "b"], &["5.1", "yes"]])).unwrap_err();
    assert_eq!(e.errors[0].field, "file");
    let e = parse(&rows(&[&["Control", "Applicable"]])).unwrap_err();
    assert!(e.errors[0].message.contains("no rows"));
}

#[test]
fn requirements_name_annex_a_controls_only() {
    let p = Party {
        name: "Acme Bank".into(),
        kind: "customer".into(),
        requirements: vec![Requirement {
            text: "Encrypt data".into(),
            source: "contractual".into(),
            controls: vec!["A.8.24".into(), "5.34".into(), "8.24".into(), "".into()],
            ..Default::default()
        }],
        ..Default::default()
    };
    assert_eq!(
        p.validate().unwrap().requirements[0].controls,
        ["5.34", "8.24"]
    );
    let mut bad = p.clone();
    bad.requirements[0].controls = vec!["NW-01".into(), "9.99".into()];
    let e = bad.validate().unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["requirements[0].controls[0]", "requirements[0].controls[1]"]
    );
}

/// The layout most SoA spreadsheets use (control id, title, applicable, justification,
/// implementation status) imports as it is: one justification column serves an inclusion
/// and an exclusion, and the title and status columns are ignored.
#[test]
fn the_common_spreadsheet_layout_imports_as_it_is() {
    let p = parse(&rows(&[
        &[
            "Control ID",
            "Title",
            "Applicable",
            "Justification",
            "Status",
        ],
        &[
            "A.5.1",
            "Policies for information security",
            "Yes",
            "Required by the security policy",
            "Implemented",
        ],
        &[
            "A.7.5",
            "Protecting against physical threats",
            "No",
            "No own premises; the cloud provider covers it",
            "N/A",
        ],
    ]))
    .unwrap();
    assert_eq!(p.rows, 2);
    let d = |id: &str| p.decisions.iter().find(|d| d.control == id).unwrap();
    assert_eq!(d("5.1").applicable, Applicability::Yes);
    assert_eq!(
        d("5.1").inclusion_note.as_deref(),
        Some("Required by the security policy")
    );
    assert_eq!(d("7.5").applicable, Applicability::No);
    assert_eq!(
        d("7.5").exclusion_justification.as_deref(),
        Some("No own premises; the cloud provider covers it")
    );
    assert_eq!(d("7.5").inclusion_note, None);
}

#[test]
fn risks_beyond_the_listed_ones_are_counted_in_one_reason() {
    let more = MoreRisks {
        count: 1_990,
        link: "/o/acme/controls/A.5.15".into(),
    };
    let listed: Vec<TreatingRisk> = (1..=10).map(|n| risk(n, "treated")).collect();
    let reasons = derive_reasons_with_more(&listed, Some(&more), &[]);
    assert_eq!(reasons.len(), 11);
    assert_eq!(reasons[10].text, "treats 1990 more open risks");
    assert_eq!(reasons[10].kind, ReasonKind::Risk);
    assert_eq!(reasons[10].link, "/o/acme/controls/A.5.15");
    // Nothing more: the same as without.
    let none = MoreRisks { count: 0, ..more };
    assert_eq!(
        derive_reasons_with_more(&listed, Some(&none), &[]),
        derive_reasons(&listed, &[])
    );
}
