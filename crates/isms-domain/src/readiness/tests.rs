use super::*;
use time::macros::date;

fn item(label: &str) -> Item {
    Link::new(label, format!("x/{label}"))
}

fn approved(on: Date) -> ApprovalFacts {
    ApprovalFacts {
        approved: true,
        draft_open: false,
        approved_on: Some(on),
        approved_by_top_management: true,
        review_due: Some(date!(2027 - 06 - 01)),
    }
}

/// An organisation that passes every rule of every profile on 2026-12-01.
fn passing() -> Facts {
    let today = date!(2026 - 12 - 01);
    let mut f = Facts::empty(today);
    f.scope = ScopeFacts {
        approved: true,
        draft_open: false,
        statement_words: 40,
        units: 2,
        locations: 1,
        systems: 3,
        interfaces: 2,
        unjustified_exclusions: vec![],
    };
    f.policy = PolicyFacts {
        approval: approved(date!(2026 - 01 - 10)),
        commits_to_requirements: true,
        commits_to_improvement: true,
    };
    f.method = MethodFacts {
        approval: approved(date!(2026 - 01 - 10)),
        has_acceptance_criteria: true,
        has_defined_scales: true,
    };
    f.risks = RiskFacts {
        total: 40,
        last_assessed_on: Some(date!(2026 - 10 - 01)),
        assets_in_scope: 30,
        ..RiskFacts::default()
    };
    f.soa = SoaFacts {
        approved_version: Some(2),
        approved_on: Some(date!(2026 - 10 - 05)),
        ..SoaFacts::default()
    };
    f.objectives = ObjectiveFacts {
        live: 4,
        ..ObjectiveFacts::default()
    };
    f.roles = RoleFacts {
        conformity_role_held: true,
        reporting_role_held: true,
        vacant: vec![],
        top_management_named: true,
    };
    f.mandatory_docs = vec![MandatoryDoc {
        clause: "4.3",
        title: "ISMS scope".into(),
        state: DocState::Approved,
        path: "isms/scope".into(),
    }];
    f.internal_audits = vec![InternalAuditFact {
        item: item("AUD-2026-01"),
        completed_on: Some(date!(2026 - 06 - 20)),
        covers_whole_isms: true,
    }];
    f.reviews = vec![ReviewFact {
        item: item("MR-002"),
        held_on: Some(date!(2026 - 07 - 15)),
        top_management_attended: true,
    }];
    f.controls = ControlFacts {
        implemented: 60,
        ..ControlFacts::default()
    };
    f.findings = FindingFacts {
        improvements_last_12_months: 3,
        ..FindingFacts::default()
    };
    f.operations = OperationFacts {
        incidents_closed: 4,
        training_records: 80,
        awareness_campaigns_last_12_months: 1,
        critical_suppliers: 2,
        ..OperationFacts::default()
    };
    f.certification = CertificationFacts {
        stage1_planned_on: Some(date!(2026 - 09 - 01)),
        stage1_held_on: Some(date!(2026 - 09 - 02)),
        last_audit_on: Some(date!(2026 - 10 - 20)),
        risks_reviewed_on: Some(date!(2026 - 11 - 01)),
        soa_reviewed_on: Some(date!(2026 - 11 - 01)),
    };
    f
}

type Break = (&'static str, fn(&mut Facts));

/// One way to break each rule, and only that rule.
const BREAKS: &[Break] = &[
    ("scope-defined", |f| f.scope.interfaces = 0),
    ("policy-approved", |f| {
        f.policy.approval.review_due = Some(date!(2026 - 11 - 30))
    }),
    ("risk-method-approved", |f| {
        f.method.has_acceptance_criteria = false
    }),
    ("risk-assessment-performed", |f| {
        f.risks.unassessed_count = 1;
        f.risks.unassessed_assets = vec![item("A-007")];
    }),
    ("risk-treatment-plan", |f| {
        f.risks.untreated = vec![item("R-003")]
    }),
    ("soa-approved", |f| f.soa.approved_version = None),
    ("objectives-set", |f| {
        f.objectives.incomplete = vec![item("O-002")]
    }),
    ("roles-assigned", |f| f.roles.conformity_role_held = false),
    ("mandatory-documents", |f| {
        f.mandatory_docs[0].state = DocState::Draft
    }),
    ("internal-audit-complete", |f| {
        f.internal_audits[0].covers_whole_isms = false
    }),
    ("management-review-held", |f| {
        f.reviews[0].held_on = Some(date!(2026 - 06 - 01));
    }),
    ("executive-ownership", |f| {
        f.reviews[0].top_management_attended = false
    }),
    ("controls-evidenced", |f| {
        f.controls.without_evidence = vec![item("5.15")]
    }),
    ("controls-monitored", |f| {
        f.controls.unmonitored = vec![item("8.13")]
    }),
    ("measurements-recorded", |f| {
        f.objectives.under_measured = vec![item("O-001")]
    }),
    ("risks-accepted", |f| {
        f.risks.unaccepted = vec![item("R-009")]
    }),
    ("nonconformities-actioned", |f| {
        f.findings.nc_without_action = vec![item("F-004")]
    }),
    ("majors-closed", |f| {
        f.findings.majors_open = vec![item("F-001")]
    }),
    ("actions-on-time", |f| {
        f.findings.actions_overdue = vec![item("CA-002")]
    }),
    ("incidents-lessons", |f| {
        f.operations.incidents_without_lessons = vec![item("INC-003")]
    }),
    ("competence-records", |f| f.operations.training_records = 0),
    ("awareness", |f| {
        f.operations.awareness_campaigns_last_12_months = 0
    }),
    ("suppliers-assessed", |f| {
        f.operations.suppliers_unassessed = vec![item("SUP-002")]
    }),
    ("stage1-findings-addressed", |f| {
        f.findings.stage1_open = vec![item("F-010")]
    }),
    ("internal-audit-12-months", |f| {
        f.internal_audits[0].completed_on = Some(date!(2025 - 05 - 01));
    }),
    ("management-review-12-months", |f| {
        f.reviews[0].held_on = Some(date!(2025 - 11 - 01))
    }),
    ("last-audit-actions", |f| {
        f.findings.last_audit_open = vec![item("F-012")]
    }),
    ("changes-reflected", |f| {
        f.certification.soa_reviewed_on = Some(date!(2026 - 10 - 01))
    }),
    ("continual-improvement", |f| {
        f.findings.improvements_last_12_months = 0
    }),
];

fn not_passing(r: &Report) -> Vec<&'static str> {
    r.results
        .iter()
        .filter(|x| matches!(x.outcome, Outcome::Fail | Outcome::Warning))
        .map(|x| x.id)
        .collect()
}

#[test]
fn the_passing_organisation_passes_every_profile() {
    let f = passing();
    for p in Profile::ALL {
        let r = evaluate(p, &f);
        assert!(not_passing(&r).is_empty(), "{p:?}: {:?}", not_passing(&r));
        assert!(r.ok());
        assert_eq!(r.score, 100);
    }
}

#[test]
fn every_rule_has_a_break_and_breaking_it_names_exactly_that_rule() {
    for rule in RULES {
        assert!(
            BREAKS.iter().any(|(id, _)| *id == rule.id),
            "no test breaks rule {}",
            rule.id
        );
    }
    for (id, brk) in BREAKS {
        let rule = RULES.iter().find(|r| r.id == *id).unwrap();
        let mut f = passing();
        brk(&mut f);
        for p in rule.profiles {
            let r = evaluate(*p, &f);
            let named = not_passing(&r);
            assert_eq!(named, vec![*id], "breaking {id} under {p:?}");
            let res = r.results.iter().find(|x| x.id == *id).unwrap();
            assert!(!res.reason.is_empty() && !res.fix.is_empty(), "{id}");
            let expected = if rule.severity == Severity::Blocker {
                Outcome::Fail
            } else {
                Outcome::Warning
            };
            // Concerns are warnings even on blocker rules.
            assert!(
                res.outcome == expected || res.outcome == Outcome::Warning,
                "{id}"
            );
            assert_eq!(r.results[0].id, *id, "the broken rule is listed first");
        }
    }
}

#[test]
fn an_empty_organisation_fails_stage1_with_blockers_first() {
    let r = evaluate(Profile::Stage1, &Facts::empty(date!(2026 - 12 - 01)));
    assert!(!r.ok());
    assert!(r.blockers >= 10);
    assert_eq!(r.results[0].outcome, Outcome::Fail);
    assert_eq!(r.results[0].severity, Severity::Blocker);
    assert!(r.score < 20);
    let scope = r.results.iter().find(|x| x.id == "scope-defined").unwrap();
    assert_eq!(scope.reason, "There is no scope statement.");
    assert_eq!(scope.links[0].path, "isms/scope");
}

#[test]
fn a_vague_scope_is_named() {
    let mut f = passing();
    f.scope.statement_words = 3;
    f.scope.unjustified_exclusions = vec!["Payroll".into()];
    let r = evaluate(Profile::Stage1, &f);
    let s = r.results.iter().find(|x| x.id == "scope-defined").unwrap();
    assert_eq!(s.outcome, Outcome::Fail);
    assert!(s.reason.contains("3 words"));
    assert!(s.reason.contains("Payroll"));
}

#[test]
fn an_audit_too_close_to_stage1_is_a_warning() {
    let mut f = passing();
    f.certification.stage1_planned_on = Some(date!(2026 - 07 - 01));
    let r = evaluate(Profile::Stage1, &f);
    let a = r
        .results
        .iter()
        .find(|x| x.id == "internal-audit-complete")
        .unwrap();
    assert_eq!(a.outcome, Outcome::Warning);
    assert!(a.reason.contains("less than 4 weeks"));
    assert!(r.ok(), "a warning does not fail the check");
    f.settings.audit_lead_weeks = 1;
    let r = evaluate(Profile::Stage1, &f);
    assert!(not_passing(&r).is_empty());
    // An audit completed after Stage 1 (a later year's) is not "too late" for it.
    f.settings.audit_lead_weeks = 4;
    f.certification.stage1_planned_on = Some(date!(2026 - 06 - 01));
    assert!(not_passing(&evaluate(Profile::Stage1, &f)).is_empty());
}

#[test]
fn not_applicable_rules_do_not_count() {
    let mut f = passing();
    f.operations.critical_suppliers = 0;
    f.operations.incidents_closed = 0;
    let r = evaluate(Profile::Stage2, &f);
    let na: Vec<&str> = r
        .results
        .iter()
        .filter(|x| x.outcome == Outcome::NotApplicable)
        .map(|x| x.id)
        .collect();
    assert_eq!(na, vec!["incidents-lessons", "suppliers-assessed"]);
    assert_eq!(r.score, 100);
    assert_eq!(r.results.last().unwrap().outcome, Outcome::NotApplicable);
}

#[test]
fn score_counts_warnings_half() {
    let mut f = passing();
    f.findings.actions_overdue = vec![item("CA-1")];
    let r = evaluate(Profile::Surveillance, &f);
    let applicable = r.failed + r.warnings + r.passed;
    assert_eq!(r.warnings, 1);
    let expected = (200 * r.passed + 100 + applicable) / (2 * applicable);
    assert_eq!(usize::from(r.score), expected);
    assert!(r.score < 100);
}

#[test]
fn long_lists_are_shortened_in_the_reason() {
    let mut f = passing();
    f.controls.unmonitored = (1..=8).map(|i| item(&format!("8.{i}"))).collect();
    let r = evaluate(Profile::Stage2, &f);
    let m = r
        .results
        .iter()
        .find(|x| x.id == "controls-monitored")
        .unwrap();
    assert!(m.reason.contains("8.5, and 3 more"), "{}", m.reason);
    assert_eq!(m.links.len(), 8);
}

#[test]
fn text_output_lists_every_rule_with_fixes() {
    let r = evaluate(Profile::Stage1, &Facts::empty(date!(2026 - 12 - 01)));
    let t = to_text("Bluefin", &r);
    assert!(t.starts_with("Stage 1 audit readiness of Bluefin on 2026-12-01"));
    assert_eq!(
        t.lines()
            .filter(|l| l.starts_with("FAIL")
                || l.starts_with("PASS")
                || l.starts_with("WARN")
                || l.starts_with("N/A"))
            .count(),
        r.results.len()
    );
    assert!(t.contains("fix: "));
}

#[test]
fn profiles_parse_and_ids_are_unique() {
    assert_eq!(
        Profile::parse("profile", "Stage-2").unwrap(),
        Profile::Stage2
    );
    assert!(Profile::parse("profile", "stage3").is_err());
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
}

#[test]
fn an_overdue_review_alone_is_a_warning_and_a_missing_document_a_failure() {
    let mut f = passing();
    f.mandatory_docs[0].state = DocState::ReviewOverdue;
    let r = evaluate(Profile::Stage1, &f);
    let rule = r
        .results
        .iter()
        .find(|x| x.id == "mandatory-documents")
        .expect("rule present");
    assert_eq!(rule.outcome, Outcome::Warning);
    assert!(rule.reason.contains("overdue"), "{}", rule.reason);
    assert!(r.ok(), "a warning does not fail the check");
    f.mandatory_docs.push(MandatoryDoc {
        clause: "5.2",
        title: "Information security policy".into(),
        state: DocState::Missing,
        path: "isms/policy".into(),
    });
    let r = evaluate(Profile::Stage1, &f);
    assert_eq!(not_passing(&r), vec!["mandatory-documents"]);
    let rule = r
        .results
        .iter()
        .find(|x| x.id == "mandatory-documents")
        .expect("rule present");
    assert_eq!(rule.outcome, Outcome::Fail);
    assert_eq!(rule.links.len(), 2);
}

#[test]
fn settings_are_bounded_and_name_the_field() {
    assert_eq!(Settings::check(4, 3, 12).unwrap(), Settings::default());
    let e = Settings::check(27, 0, 201).unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "audit_lead_weeks",
            "min_measurement_periods",
            "min_scope_words"
        ]
    );
    assert_eq!(Settings::check(0, 1, 0).unwrap().audit_lead_weeks, 0);
    assert!(Settings::check(-1, 3, 12).is_err());
}
