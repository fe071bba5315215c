use super::*;

#[test]
fn counts_are_right() {
    let c = catalogue();
    assert_eq!(c.controls().len(), 93);
    let by_theme = |t| c.controls().iter().filter(|x| x.theme == t).count();
    assert_eq!(by_theme(Theme::Organizational), 37);
    assert_eq!(by_theme(Theme::People), 8);
    assert_eq!(by_theme(Theme::Physical), 14);
    assert_eq!(by_theme(Theme::Technological), 34);
    assert_eq!(c.controls().iter().filter(|x| x.new_in_2022).count(), 11);
    assert_eq!(c.requirements().count(), 30);
    assert_eq!(c.clauses().iter().filter(|x| x.parent.is_none()).count(), 7);
    assert_eq!(c.controls_2013().len(), 114);
}

#[test]
fn attribute_tallies() {
    let c = catalogue();
    let n = |k, v| c.controls().iter().filter(|x| x.has(k, v)).count();
    assert_eq!(n(AttributeKind::ControlType, "preventive"), 83);
    assert_eq!(n(AttributeKind::ControlType, "detective"), 13);
    assert_eq!(n(AttributeKind::ControlType, "corrective"), 14);
    for ctl in c.controls() {
        for k in AttributeKind::ALL {
            assert!(
                !ctl.values(k).is_empty(),
                "{} has no {}",
                ctl.id,
                k.column()
            );
        }
        assert!(
            !ctl.summary.is_empty() && !ctl.auditor_asks.is_empty(),
            "{} lacks guidance",
            ctl.id
        );
    }
}

#[test]
fn order_and_lookup() {
    let c = catalogue();
    let ids: Vec<&str> = c.controls().iter().map(|x| x.id.as_str()).collect();
    assert_eq!(&ids[..3], ["5.1", "5.2", "5.3"]);
    assert_eq!(ids[9], "5.10");
    assert_eq!(ids.last(), Some(&"8.34"));
    assert_eq!(
        c.control("A.8.34").map(|x| x.label()),
        Some("A.8.34".to_owned())
    );
    assert!(c.control("8.35").is_none());
    assert!(c.clause("6.1.2").is_some_and(|x| x.is_requirement));
    assert!(c.clause("6.1").is_some_and(|x| !x.is_requirement));
    assert_eq!(c.children("9.2").count(), 2);
}

#[test]
fn mapping_from_2013() {
    let c = catalogue();
    assert_eq!(
        c.map_2013("A.18.2.3").map(|m| m.to_2022.clone()),
        Some(vec!["5.36".to_owned(), "8.8".to_owned()])
    );
    assert_eq!(c.control("5.1").map(|x| x.change), Some(Change2013::Merged));
    assert_eq!(c.control("5.7").map(|x| x.change), Some(Change2013::New));
    // Every 2013 control goes somewhere that exists.
    for old in c.controls_2013() {
        assert!(!old.to_2022.is_empty(), "{}", old.id);
        for new in &old.to_2022 {
            assert!(c.control(new).is_some(), "{} → {new}", old.id);
        }
    }
}

#[test]
fn filters() {
    let c = catalogue();
    let detective = c.filter(&ControlFilter {
        attributes: vec![(AttributeKind::ControlType, "detective".into())],
        ..Default::default()
    });
    assert_eq!(detective.len(), 13);
    let suppliers = c.filter(&ControlFilter {
        attributes: vec![(
            AttributeKind::OperationalCapabilities,
            "supplier_relationships_security".into(),
        )],
        ..Default::default()
    });
    assert!(suppliers.iter().any(|x| x.id == "5.19"));
    let people_detective = c.filter(&ControlFilter {
        theme: Some(Theme::People),
        attributes: vec![(AttributeKind::ControlType, "detective".into())],
        ..Default::default()
    });
    assert!(people_detective.iter().all(|x| x.theme == Theme::People));
    let text = c.filter(&ControlFilter {
        text: Some("cloud".into()),
        ..Default::default()
    });
    assert!(text.iter().any(|x| x.id == "5.23"));
    assert_eq!(
        c.filter(&ControlFilter {
            text: Some("A.8.9".into()),
            ..Default::default()
        })
        .len(),
        1
    );
}

#[test]
fn documented_information_on_requirement_clauses() {
    let c = catalogue();
    for id in [
        "4.3", "5.2", "6.1.2", "6.1.3", "6.2", "7.2", "8.2", "8.3", "9.1", "9.2.2", "10.2",
    ] {
        assert_eq!(
            c.clause(id).and_then(|x| x.documented_information),
            Some(true),
            "{id}"
        );
    }
    for r in c.requirements() {
        assert!(r.documented_information.is_some(), "{}", r.id);
        assert!(!r.evidence.is_empty(), "{} has no evidence list", r.id);
    }
}
