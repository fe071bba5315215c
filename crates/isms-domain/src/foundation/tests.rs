use super::checks::*;
use super::registers::*;
use super::scope::*;
use super::versioned::*;
use uuid::Uuid;

fn fields(e: &crate::ValidationError) -> Vec<String> {
    e.errors.iter().map(|f| f.field.clone()).collect()
}

fn scope() -> ScopeContent {
    ScopeContent {
        statement: "The development and operation of the Northwind platform.".into(),
        units: vec!["Engineering".into(), " Operations ".into(), String::new()],
        locations: vec!["London office".into()],
        systems: vec!["Platform".into()],
        interfaces: vec![Interface {
            what: "Hosting".into(),
            party: "Cloud provider".into(),
            description: String::new(),
        }],
        exclusions: vec![Exclusion {
            what: "Sales office".into(),
            justification: "No customer data".into(),
        }],
    }
}

#[test]
fn scope_validation_trims_lists_and_needs_justified_exclusions() {
    let ok = scope().validate().unwrap();
    assert_eq!(ok.units, vec!["Engineering", "Operations"]);
    let mut s = scope();
    s.exclusions.push(Exclusion {
        what: "Warehouse".into(),
        justification: "  ".into(),
    });
    s.units.push("engineering".into());
    let e = s.validate().unwrap_err();
    assert_eq!(fields(&e), vec!["units[3]", "exclusions[1].justification"]);
}

#[test]
fn scope_approval_needs_statement_and_boundaries() {
    assert!(scope().check_approvable().is_ok());
    let e = ScopeContent::default().check_approvable().unwrap_err();
    assert_eq!(fields(&e), vec!["statement", "units"]);
}

#[test]
fn policy_approval_needs_both_commitments() {
    let p = PolicyContent {
        text: "We protect information.".into(),
        objectives_framework: "Objectives are set yearly.".into(),
        commits_to_requirements: true,
        commits_to_improvement: false,
    };
    let e = p.check_approvable().unwrap_err();
    assert_eq!(fields(&e), vec!["commits_to_improvement"]);
    let p = PolicyContent {
        commits_to_improvement: true,
        ..p
    };
    assert!(p.check_approvable().is_ok());
}

#[test]
fn only_drafts_change_and_one_draft_at_a_time() {
    assert!(frozen_reason(DocKind::Scope, 1, VersionStatus::Draft).is_none());
    let r = frozen_reason(DocKind::Scope, 2, VersionStatus::Approved).unwrap();
    assert!(r.contains("approved and frozen"), "{r}");
    assert!(frozen_reason(DocKind::Policy, 1, VersionStatus::Superseded).is_some());
    assert!(new_draft_blocked(DocKind::Scope, None).is_none());
    assert!(
        new_draft_blocked(DocKind::Scope, Some(3))
            .unwrap()
            .contains("version 3")
    );
}

#[test]
fn diff_names_each_changed_field_with_added_and_removed_lines() {
    let a = scope().validate().unwrap();
    let mut b = a.clone();
    b.locations = vec!["London office".into(), "Leeds data centre".into()];
    b.exclusions.clear();
    let d = diff(&a, &b);
    assert_eq!(
        d.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
        vec!["locations", "exclusions"]
    );
    assert_eq!(d[0].added, vec!["Leeds data centre"]);
    assert!(d[0].removed.is_empty());
    assert_eq!(d[1].removed.len(), 1);
    assert_eq!(
        change_summary(&d),
        "changed locations and sites, exclusions"
    );
    assert!(diff(&a, &a).is_empty());
}

fn issue(kind: &str, cat: &str) -> Issue {
    Issue {
        kind: kind.into(),
        category: cat.into(),
        title: "An issue".into(),
        ..Default::default()
    }
}

#[test]
fn issue_category_must_fit_its_kind_and_climate_needs_a_note() {
    assert!(issue("external", "legal").validate().is_ok());
    assert!(issue("internal", "people").validate().is_ok());
    let e = issue("internal", "legal").validate().unwrap_err();
    assert_eq!(fields(&e), vec!["category"]);
    let e = issue("sideways", "legal").validate().unwrap_err();
    assert_eq!(fields(&e), vec!["kind"]);
    let mut i = issue("external", "environmental");
    i.climate_relevant = true;
    i.review_on = Some("2027-13-01".into());
    assert_eq!(
        fields(&i.validate().unwrap_err()),
        vec!["review_on", "climate_note"]
    );
}

#[test]
fn requirements_addressed_need_how() {
    let p = Party {
        name: "Customers".into(),
        kind: "customer".into(),
        description: String::new(),
        requirements: vec![
            Requirement {
                text: "SOC 2 or ISO 27001".into(),
                source: "contractual".into(),
                addressed: true,
                how: "Certification".into(),
                ..Default::default()
            },
            Requirement {
                text: "Breach notice".into(),
                source: "nope".into(),
                addressed: true,
                ..Default::default()
            },
        ],
    };
    assert_eq!(
        fields(&p.validate().unwrap_err()),
        vec!["requirements[1].source", "requirements[1].how"]
    );
}

#[test]
fn role_needs_a_person_and_a_different_deputy() {
    let id = Uuid::now_v7();
    let r = Role {
        title: "ISMS manager".into(),
        responsibilities: "Runs the ISMS".into(),
        person_id: None,
        ..Default::default()
    };
    assert_eq!(fields(&r.validate().unwrap_err()), vec!["person_id"]);
    let r = Role {
        person_id: Some(id),
        deputy_id: Some(id),
        ..r
    };
    assert_eq!(fields(&r.validate().unwrap_err()), vec!["deputy_id"]);
}

fn objective() -> Objective {
    Objective {
        title: "Train staff".into(),
        owner_id: Some(Uuid::now_v7()),
        target: "95% trained".into(),
        target_value: Some(95.0),
        target_unit: "%".into(),
        due_on: Some("2027-06-30".into()),
        metric: "Share of staff trained".into(),
        status: "approved".into(),
        ..Default::default()
    }
}

#[test]
fn objective_status_changes_and_reapproval() {
    let a = objective();
    let mut b = a.clone();
    b.description = "more words".into();
    assert_eq!(objective_change(Some(&a), &b), Ok(ObjectiveChange::Keep));
    b.target_value = Some(99.0);
    assert_eq!(
        objective_change(Some(&a), &b),
        Ok(ObjectiveChange::NeedsApprovalAgain)
    );
    let mut c = a.clone();
    c.status = "achieved".into();
    assert_eq!(objective_change(Some(&a), &c), Ok(ObjectiveChange::Keep));
    // Approval goes through its own action.
    let mut d = a.clone();
    d.status = "draft".into();
    let e = objective_change(Some(&d), &a).unwrap_err();
    assert_eq!(fields(&e), vec!["status"]);
    assert!(objective_change(None, &a).is_err());
    let none = Objective {
        title: "x".into(),
        ..Default::default()
    };
    assert_eq!(
        fields(&none.missing_for_approval()),
        vec!["owner_id", "target", "metric", "due_on"]
    );
}

#[test]
fn gaps_name_what_is_missing_for_clauses_4_to_6() {
    let empty = foundation_gaps(&Facts::default());
    let clauses: Vec<&str> = empty.iter().map(|g| g.clause).collect();
    assert_eq!(
        clauses,
        vec!["4.1", "4.1", "4.2", "4.3", "5.2", "5.3", "5.3", "6.2"]
    );
    assert!(empty[1].problem.contains("climate change"));

    let mut climate = issue("external", "environmental");
    climate.climate_relevant = true;
    climate.climate_note = "Flooding at the data centre".into();
    let issues = vec![issue("internal", "people"), climate];
    let parties = vec![Party {
        name: "Customers".into(),
        kind: "customer".into(),
        requirements: vec![Requirement {
            text: "x".into(),
            source: "legal".into(),
            ..Default::default()
        }],
        ..Default::default()
    }];
    let roles = vec![Role {
        title: "ISMS manager".into(),
        ensures_conformity: true,
        reports_performance: true,
        top_management: false,
        ..Default::default()
    }];
    let mut no_metric = objective();
    no_metric.metric.clear();
    let objectives = vec![objective(), no_metric];
    let f = Facts {
        scope: DocState {
            approved: true,
            draft: true,
        },
        policy: DocState {
            approved: true,
            draft: false,
        },
        issues: &issues,
        parties: &parties,
        roles: &roles,
        objectives: &objectives,
    };
    let g = foundation_gaps(&f);
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(g[0].problem.contains("has no metric"), "{}", g[0].problem);
}

#[test]
fn climate_determination_reads_marks_and_notes() {
    assert_eq!(
        climate_determination(&[issue("external", "legal")]),
        ClimateDetermination::NotDetermined
    );
    let mut noted = issue("external", "environmental");
    noted.climate_note = "Considered: no physical sites at risk".into();
    assert!(matches!(
        climate_determination(std::slice::from_ref(&noted)),
        ClimateDetermination::NotRelevant { .. }
    ));
    noted.climate_relevant = true;
    assert!(matches!(
        climate_determination(&[noted]),
        ClimateDetermination::Relevant { .. }
    ));
}
