use super::*;

fn items(keys: &[&str]) -> Vec<AuditItem> {
    keys.iter()
        .map(|k| AuditItem {
            key: (*k).to_owned(),
            title: String::new(),
            high_risk: false,
        })
        .collect()
}

fn p(y: i32, k: &str) -> (i32, String) {
    (y, k.to_owned())
}

#[test]
fn items_are_read_in_their_three_forms() {
    assert_eq!(parse_item("f", "9.2.2").unwrap(), "9.2.2");
    assert_eq!(parse_item("f", "clause 6.1.3").unwrap(), "6.1.3");
    assert_eq!(parse_item("f", "a.5.15").unwrap(), "A.5.15");
    assert_eq!(parse_item("f", "nw-07").unwrap(), "NW-07");
    for bad in ["", "9.2", "A.9.9", "11.1", "x"] {
        let e = parse_item("scope[0]", bad).unwrap_err();
        assert_eq!(e.errors[0].field, "scope[0]", "{bad}");
    }
    assert_eq!(item_kind("5.1"), ItemKind::Clause);
    assert_eq!(item_kind("A.5.1"), ItemKind::Control);
    assert_eq!(control_ref("A.5.1").as_deref(), Some("5.1"));
    assert_eq!(control_ref("NW-07").as_deref(), Some("NW-07"));
    assert_eq!(finding_ref("A.5.15"), "5.15");
    assert_eq!(finding_ref("9.2.2"), "9.2.2");
}

#[test]
fn sort_keys_follow_document_and_catalogue_order() {
    let mut keys = vec!["A.5.10", "NW-01", "10.1", "A.5.9", "4.1", "9.2.2"];
    keys.sort_by_key(|k| sort_key(k));
    assert_eq!(keys, ["4.1", "9.2.2", "10.1", "A.5.9", "A.5.10", "NW-01"]);
}

#[test]
fn universe_is_all_requirement_clauses_and_the_applicable_controls() {
    let none = BTreeSet::new();
    let all = universe(None, &[], &none);
    assert_eq!(all.len(), 30 + 93);
    let applicable = vec!["5.15".to_owned(), "8.2".to_owned()];
    let own = vec![("NW-07".to_owned(), "Code review".to_owned())];
    let high: BTreeSet<String> = ["8.2".to_owned()].into();
    let u = universe(Some(&applicable), &own, &high);
    let keys: Vec<&str> = u.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys.len(), 33);
    assert!(keys.contains(&"A.5.15") && keys.contains(&"A.8.2") && keys.contains(&"NW-07"));
    assert!(!keys.contains(&"A.5.1"));
    assert!(u.iter().find(|i| i.key == "A.8.2").unwrap().high_risk);
    assert!(!u.iter().find(|i| i.key == "A.5.15").unwrap().high_risk);
}

#[test]
fn holes_are_exactly_the_items_planned_in_no_year_of_the_cycle() {
    let u = items(&["4.1", "4.2", "A.5.1", "A.5.2", "NW-01"]);
    let planned = vec![
        p(2026, "4.1"),
        p(2028, "A.5.1"),
        // Outside the cycle and outside the universe: ignored.
        p(2029, "4.2"),
        p(2025, "4.2"),
        p(2026, "A.8.8"),
    ];
    let audited = vec![p(2027, "NW-01")];
    let cov = coverage(&u, 2026, &planned, &audited);
    assert_eq!(cov.years, vec![2026, 2027, 2028]);
    let holes: Vec<&str> = cov.holes().iter().map(|r| r.item.key.as_str()).collect();
    assert_eq!(holes, ["4.2", "A.5.2"]);
    let row = |k: &str| cov.rows.iter().find(|r| r.item.key == k).unwrap();
    assert_eq!(
        row("4.1").cells,
        vec![Cell::Planned, Cell::NotPlanned, Cell::NotPlanned]
    );
    assert_eq!(
        row("NW-01").cells,
        vec![Cell::NotPlanned, Cell::Audited, Cell::NotPlanned]
    );
    // Planning the holes closes them all and leaves no other hole.
    let mut planned = planned;
    planned.extend(plan_the_rest(&cov));
    let cov = coverage(&u, 2026, &planned, &audited);
    assert!(cov.holes().is_empty());
}

#[test]
fn audited_wins_over_planned_in_the_same_year() {
    let u = items(&["4.1"]);
    let cov = coverage(&u, 2026, &[p(2026, "4.1")], &[p(2026, "4.1")]);
    assert_eq!(cov.rows[0].cells[0], Cell::Audited);
    assert_eq!(cov.rows[0].covered, 1);
}

#[test]
fn high_risk_controls_must_be_audited_every_year() {
    let mut u = items(&["A.8.2", "A.5.1"]);
    u[0].high_risk = true;
    let cov = coverage(&u, 2026, &[p(2026, "A.8.2"), p(2027, "A.5.1")], &[]);
    let under: Vec<&str> = cov
        .under_planned()
        .iter()
        .map(|r| r.item.key.as_str())
        .collect();
    assert_eq!(under, ["A.8.2"]);
    assert_eq!(cov.rows[0].required, 3);
    // 2028 has nothing planned yet, 2027 already holds A.5.1: the emptier year first.
    let plan = plan_the_rest(&cov);
    assert_eq!(plan, vec![p(2028, "A.8.2"), p(2027, "A.8.2")]);
}

#[test]
fn plan_the_rest_spreads_items_evenly_and_deterministically() {
    let u = items(&["4.1", "4.2", "4.3", "4.4", "5.1", "5.2"]);
    let cov = coverage(&u, 2026, &[], &[]);
    let plan = plan_the_rest(&cov);
    assert_eq!(plan, plan_the_rest(&cov));
    let years: Vec<i32> = plan.iter().map(|(y, _)| *y).collect();
    assert_eq!(years, [2026, 2027, 2028, 2026, 2027, 2028]);
}

#[test]
fn high_levels_are_the_upper_half_of_the_scale() {
    assert!(!is_high_level(1, 4));
    assert!(is_high_level(2, 4));
    assert!(is_high_level(3, 4));
    assert!(!is_high_level(1, 3));
    assert!(is_high_level(2, 3));
    assert!(is_high_level(3, 5) && !is_high_level(2, 5));
    assert!(!is_high_level(0, 1));
}

#[test]
fn status_moves_forward_only() {
    use AuditStatus::*;
    assert!(Planned.can_become(InProgress));
    assert!(InProgress.can_become(Completed));
    assert!(Planned.can_become(Cancelled) && InProgress.can_become(Cancelled));
    assert!(!Planned.can_become(Completed));
    assert!(!Completed.can_become(InProgress));
    assert!(!Cancelled.can_become(Planned));
    assert_eq!(
        AuditStatus::parse("status", "in_progress").unwrap(),
        InProgress
    );
    assert_eq!(
        AuditStatus::parse("status", "done").unwrap_err().errors[0].field,
        "status"
    );
}

#[test]
fn results_propose_a_finding_grade() {
    assert_eq!(ItemResult::Nonconforming.finding_grade(), Some("minor_nc"));
    assert_eq!(ItemResult::Observation.finding_grade(), Some("observation"));
    assert_eq!(
        ItemResult::OpportunityForImprovement.finding_grade(),
        Some("ofi")
    );
    assert_eq!(ItemResult::Conforming.finding_grade(), None);
    assert!(ItemResult::parse("result", "bad").is_err());
    assert_eq!(audit_ref(2026, 1), "AUD-2026-01");
}

#[test]
fn auditors_may_not_audit_their_own_area_or_control() {
    let dana = Uuid::from_u128(1);
    let lee = Uuid::from_u128(2);
    let sam = Uuid::from_u128(3);
    let auditors = vec![
        Auditor {
            user_id: dana,
            name: "Dana".into(),
            lead: true,
        },
        Auditor {
            user_id: lee,
            name: "Lee".into(),
            lead: false,
        },
        Auditor {
            user_id: sam,
            name: "Sam".into(),
            lead: false,
        },
    ];
    let areas = vec![AreaPeople {
        name: "Engineering".into(),
        owner: Some(dana),
        members: vec![lee],
    }];
    let owners = vec![("A.8.2".to_owned(), sam)];
    let c = independence_conflicts(&auditors, &areas, &owners);
    let seen: Vec<(&str, &str)> = c
        .iter()
        .map(|c| (c.field.as_str(), c.conflict.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("lead_auditor_id", "Dana owns the area Engineering"),
            ("team", "Lee works in the area Engineering"),
            ("team", "Sam owns the control A.8.2"),
        ]
    );
    let e = check_independence(&c, None).unwrap_err();
    assert_eq!(e.errors[0].field, "lead_auditor_id");
    assert!(
        e.errors[0]
            .message
            .contains("Dana owns the area Engineering")
    );
    assert!(check_independence(&c, Some("   ")).is_err());
    assert_eq!(
        check_independence(&c, Some(" Only auditor trained ")).unwrap(),
        "Only auditor trained"
    );
    assert_eq!(check_independence(&[], None).unwrap(), "");
    let outsider = vec![Auditor {
        user_id: Uuid::from_u128(9),
        name: "Ext".into(),
        lead: true,
    }];
    assert!(independence_conflicts(&outsider, &areas, &owners).is_empty());
}

#[test]
fn completion_names_the_first_open_item() {
    assert!(check_complete(&[]).is_err());
    let e = check_complete(&[
        ("4.1".into(), true),
        ("4.2".into(), false),
        ("4.3".into(), false),
    ])
    .unwrap_err();
    assert_eq!(e.errors[0].field, "checklist");
    assert!(e.errors[0].message.contains("2 checklist item(s)"));
    assert!(e.errors[0].message.contains("4.2"));
    assert!(check_complete(&[("4.1".into(), true)]).is_ok());
}

#[test]
fn every_requirement_clause_and_control_has_questions() {
    let cat = crate::catalogue::catalogue();
    let with = questions::clauses_with_questions();
    for c in cat.requirements() {
        assert!(
            with.contains(&c.id.as_str()),
            "no question for clause {}",
            c.id
        );
        assert!(!item_questions(&c.id, None).is_empty());
    }
    for c in cat.controls() {
        assert!(
            !item_questions(&format!("A.{}", c.id), None).is_empty(),
            "{}",
            c.id
        );
    }
    assert_eq!(item_questions("NW-07", Some("Code review")).len(), 2);
}
