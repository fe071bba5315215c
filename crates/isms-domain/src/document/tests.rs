use super::diff::{LineChange, counts, line_diff};
use super::templates::{FillData, TO_COMPLETE, fill, markers, template, templates};
use super::*;
use crate::foundation::scope::ScopeContent;
use time::macros::date;

fn doc(status: DocumentStatus, ever: bool) -> DocState<'static> {
    DocState {
        reference: "DOC-004",
        status,
        ever_approved: ever,
    }
}

fn manager(id: Uuid) -> Decider {
    Decider {
        user_id: Some(id),
        can_approve: true,
        is_admin: false,
    }
}

#[test]
fn kinds_and_statuses_round_trip() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse("kind", k.as_str()).unwrap(), *k);
    }
    assert_eq!(
        VersionStatus::parse("status", "in review").unwrap(),
        VersionStatus::InReview
    );
    assert_eq!(
        Classification::parse("classification", "Confidential").unwrap(),
        Classification::Confidential
    );
    let e = Kind::parse("kind", "memo").unwrap_err();
    assert_eq!(e.errors[0].field, "kind");
    assert!(e.errors[0].message.contains("policy, procedure"));
    assert_eq!(reference(4), "DOC-004");
}

#[test]
fn workflow_submit_approve_reject() {
    let d = doc(DocumentStatus::Draft, false);
    // Submit: draft → in review; the first version puts the document in review.
    assert_eq!(
        submit(&d, 1, VersionStatus::Draft).unwrap(),
        DocumentStatus::InReview
    );
    assert_eq!(
        submit(&d, 1, VersionStatus::Rejected).unwrap(),
        DocumentStatus::InReview
    );
    assert!(matches!(
        submit(&d, 1, VersionStatus::Approved),
        Err(WorkflowError::Conflict(_))
    ));
    // A later version in review leaves an approved document approved.
    let a = doc(DocumentStatus::Approved, true);
    assert_eq!(
        submit(&a, 2, VersionStatus::Draft).unwrap(),
        DocumentStatus::Approved
    );
    // Approve needs a version in review.
    let who = manager(Uuid::now_v7());
    let r = doc(DocumentStatus::InReview, false);
    assert_eq!(
        approve(&r, None, &who, 1, VersionStatus::InReview).unwrap(),
        DocumentStatus::Approved
    );
    assert!(matches!(
        approve(&r, None, &who, 1, VersionStatus::Draft),
        Err(WorkflowError::Conflict(m)) if m.contains("only a version in review")
    ));
    // Reject: the comment is required and kept; a first version goes back to draft.
    assert!(matches!(
        reject(&r, None, &who, 1, VersionStatus::InReview, "  "),
        Err(WorkflowError::Invalid(e)) if e.errors[0].field == "comment"
    ));
    let (c, s) = reject(
        &r,
        None,
        &who,
        1,
        VersionStatus::InReview,
        " Name the tool. ",
    )
    .unwrap();
    assert_eq!((c.as_str(), s), ("Name the tool.", DocumentStatus::Draft));
    let (_, s) = reject(&a, None, &who, 2, VersionStatus::InReview, "No").unwrap();
    assert_eq!(s, DocumentStatus::Approved);
    assert_eq!(after_edit(VersionStatus::Rejected), VersionStatus::Draft);
}

#[test]
fn only_the_named_approver_or_an_admin_decides() {
    let named = Uuid::now_v7();
    let other = Uuid::now_v7();
    let r = doc(DocumentStatus::InReview, false);
    let v = VersionStatus::InReview;
    assert!(approve(&r, Some(named), &manager(named), 1, v).is_ok());
    assert!(matches!(
        approve(&r, Some(named), &manager(other), 1, v),
        Err(WorkflowError::Forbidden(m)) if m.contains("only that person")
    ));
    assert!(matches!(
        reject(&r, Some(named), &manager(other), 1, v, "no"),
        Err(WorkflowError::Forbidden(_))
    ));
    let admin = Decider {
        is_admin: true,
        ..manager(other)
    };
    assert!(approve(&r, Some(named), &admin, 1, v).is_ok());
    // The permission is needed even by the named approver.
    let viewer = Decider {
        can_approve: false,
        ..manager(named)
    };
    assert!(matches!(
        approve(&r, Some(named), &viewer, 1, v),
        Err(WorkflowError::Forbidden(m)) if m.contains("role")
    ));
    // A person approves, not the command line.
    let nobody = Decider {
        user_id: None,
        can_approve: true,
        is_admin: true,
    };
    assert!(approve(&r, None, &nobody, 1, v).is_err());
}

#[test]
fn approved_versions_are_frozen_and_retired_documents_closed() {
    let a = doc(DocumentStatus::Approved, true);
    for s in [
        VersionStatus::Approved,
        VersionStatus::Superseded,
        VersionStatus::InReview,
    ] {
        assert!(matches!(
            check_editable(&a, 3, s),
            Err(WorkflowError::Conflict(m)) if m.contains("version 3 of DOC-004")
        ));
    }
    assert!(check_editable(&a, 3, VersionStatus::Draft).is_ok());
    assert!(check_editable(&a, 3, VersionStatus::Rejected).is_ok());
    // One open version at a time.
    assert!(check_new_version(&a, None).is_ok());
    assert!(matches!(
        check_new_version(&a, Some((4, VersionStatus::InReview))),
        Err(WorkflowError::Conflict(m)) if m.contains("version 4")
    ));
    // Retire: not while a version waits; afterwards nothing changes.
    assert!(check_retire(&a, Some((4, VersionStatus::InReview))).is_err());
    assert!(check_retire(&a, Some((4, VersionStatus::Draft))).is_ok());
    let r = doc(DocumentStatus::Retired, true);
    assert!(check_retire(&r, None).is_err());
    assert!(check_editable(&r, 4, VersionStatus::Draft).is_err());
    assert!(check_new_version(&r, None).is_err());
    assert!(check_metadata_editable(&r).is_err());
    assert!(submit(&r, 4, VersionStatus::Draft).is_err());
    // Delete only while never approved.
    assert!(check_delete(&doc(DocumentStatus::InReview, false)).is_ok());
    assert!(check_delete(&a).is_err());
}

#[test]
fn review_dates() {
    assert_eq!(
        next_review(date!(2026 - 03 - 15), 12),
        date!(2027 - 03 - 15)
    );
    assert_eq!(next_review(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
    assert_eq!(next_review(date!(2027 - 12 - 31), 2), date!(2028 - 02 - 29));
    assert_eq!(
        next_review(date!(2026 - 11 - 30), 24),
        date!(2028 - 11 - 30)
    );
    let today = date!(2026 - 11 - 28);
    let a = DocumentStatus::Approved;
    assert!(review_overdue(a, Some(date!(2026 - 11 - 27)), today));
    assert!(
        !review_overdue(a, Some(today), today),
        "due today is not late"
    );
    assert!(!review_overdue(a, None, today));
    assert!(!review_overdue(
        DocumentStatus::Retired,
        Some(date!(2020 - 1 - 1)),
        today
    ));
    assert!(parse_review_months("review_months", 0).is_err());
    assert!(parse_review_months("review_months", 61).is_err());
    assert_eq!(parse_review_months("review_months", 24).unwrap(), 24);
}

#[test]
fn links_are_parsed_deduplicated_and_ordered() {
    let (cl, co) = parse_links(
        &["9.2".into(), "clause 4.3".into(), "9.2".into(), "".into()],
        &["A.8.2".into(), "nw-02".into(), "5.15".into(), "8.2".into()],
    )
    .unwrap();
    assert_eq!(cl, ["4.3", "9.2"]);
    assert_eq!(co, ["5.15", "8.2", "NW-02"]);
    let e = parse_links(&["11.1".into()], &["?".into(), "9.99".into()]).unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["clauses[0]", "controls[0]", "controls[1]"]);
}

#[test]
fn content_is_checked() {
    assert_eq!(parse_content("content", "a\r\nb").unwrap(), "a\nb");
    assert!(parse_content("content", "a\u{0}b").is_err());
    assert!(parse_content("content", &"x".repeat(MAX_CONTENT_CHARS + 1)).is_err());
}

#[test]
fn line_diff_shows_added_and_removed_lines() {
    let a = "# Policy\nOne\nTwo\nThree\nEnd";
    let b = "# Policy\nOne\nTwo and a half\nThree\nFour\nEnd";
    let d = line_diff(a, b);
    let shown: Vec<(LineChange, &str)> = d.iter().map(|l| (l.change, l.text.as_str())).collect();
    assert_eq!(
        shown,
        [
            (LineChange::Same, "# Policy"),
            (LineChange::Same, "One"),
            (LineChange::Removed, "Two"),
            (LineChange::Added, "Two and a half"),
            (LineChange::Same, "Three"),
            (LineChange::Added, "Four"),
            (LineChange::Same, "End"),
        ]
    );
    assert_eq!(counts(&d), (2, 1));
    assert_eq!(counts(&line_diff(a, a)), (0, 0));
    assert_eq!(counts(&line_diff("", "x\ny")), (2, 0));
    assert_eq!(counts(&line_diff("x\ny", "")), (0, 2));
}

proptest::proptest! {
    #[test]
    fn diff_rebuilds_both_sides(a in proptest::collection::vec("[abc]{0,2}", 0..12),
                                b in proptest::collection::vec("[abc]{0,2}", 0..12)) {
        let (sa, sb) = (a.join("\n"), b.join("\n"));
        let d = line_diff(&sa, &sb);
        let before: Vec<&str> = d.iter().filter(|l| l.change != LineChange::Added).map(|l| l.text.as_str()).collect();
        let after: Vec<&str> = d.iter().filter(|l| l.change != LineChange::Removed).map(|l| l.text.as_str()).collect();
        proptest::prop_assert_eq!(before, sa.lines().collect::<Vec<_>>());
        proptest::prop_assert_eq!(after, sb.lines().collect::<Vec<_>>());
    }
}

#[test]
fn every_template_is_complete_and_its_links_parse() {
    let keys: Vec<&str> = templates().iter().map(|t| t.key).collect();
    for k in [
        "information-security-policy",
        "isms-scope",
        "risk-methodology",
        "soa-cover-note",
        "access-control-policy",
        "acceptable-use",
        "incident-management",
        "supplier-security",
        "ict-continuity",
        "internal-audit",
        "management-review",
        "corrective-action",
        "document-control",
    ] {
        assert!(keys.contains(&k), "template {k} is missing");
    }
    for t in templates() {
        assert!(t.body.starts_with("# "), "{} has a title line", t.key);
        assert!(
            t.body.contains("{{organisation}}"),
            "{} names the organisation",
            t.key
        );
        let clauses: Vec<String> = t.clauses.iter().map(|s| (*s).to_owned()).collect();
        let controls: Vec<String> = t.controls.iter().map(|s| (*s).to_owned()).collect();
        parse_links(&clauses, &controls).unwrap_or_else(|e| panic!("{}: {e}", t.key));
        assert!(!t.clauses.is_empty() || !t.controls.is_empty(), "{}", t.key);
        parse_review_months("review_months", t.review_months).unwrap();
        // Filling with nothing leaves markers and no placeholder.
        let empty = fill(t.body, &FillData::default());
        assert!(!empty.contains("{{"), "{}", t.key);
        assert!(markers(&empty) > 0, "{}", t.key);
    }
    assert!(template("access-control-policy").is_some());
    assert!(template("nope").is_none());
}

#[test]
fn templates_are_filled_with_the_organisations_data() {
    let scope = ScopeContent {
        statement: "The Northwind platform, run from London.".into(),
        units: vec!["Engineering".into(), "Support".into()],
        locations: vec!["London office".into()],
        systems: vec!["Platform".into()],
        ..Default::default()
    };
    let d = FillData {
        organisation: "Northwind Cloud Ltd",
        scope: Some(&scope),
        roles: vec![
            ("ISMS manager".into(), "Priya Shah".into()),
            ("Top management sponsor (CEO)".into(), "Tom | Reed".into()),
        ],
    };
    let Some(t) = template("isms-scope") else {
        panic!("scope template")
    };
    let s = fill(t.body, &d);
    assert!(s.contains("**Organisation:** Northwind Cloud Ltd"), "{s}");
    assert!(s.contains("The Northwind platform, run from London."));
    assert!(s.contains("- Engineering\n- Support"));
    assert!(s.contains("- London office"));
    assert!(s.contains("Priya Shah (ISMS manager)"));
    let Some(p) = template("information-security-policy") else {
        panic!("policy template")
    };
    let s = fill(p.body, &d);
    assert!(
        s.contains("Tom | Reed (Top management sponsor (CEO))"),
        "{s}"
    );
    assert!(
        s.contains("| Top management sponsor (CEO) | Tom / Reed |"),
        "a pipe cannot break the table"
    );
    // Missing data is marked where it is missing.
    let s = fill(
        p.body,
        &FillData {
            organisation: "Acme",
            ..Default::default()
        },
    );
    assert!(
        s.contains(&format!("{TO_COMPLETE} the scope statement")),
        "{s}"
    );
    assert!(s.contains(&format!(
        "{TO_COMPLETE} who holds the role of top management"
    )));
    assert_eq!(
        fill("{{nonsense}} and {{unclosed", &d),
        "[to complete: nonsense] and {{unclosed"
    );
}
