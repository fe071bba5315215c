use super::coverage::{self, Node};
use super::mapping::{self, Relationship};
use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

const BASIC: &str = include_str!("../../../../testdata/frameworks/example-basic-catalog.json");
const EXCERPT: &str = include_str!("../../../../testdata/frameworks/sp800-53-rev5-excerpt.json");
const CISO: &str = include_str!("../../../../testdata/frameworks/ciso-small-library.yaml");
const MAPPING: &str = include_str!("../../../../testdata/frameworks/sp800-53-to-iso27001.csv");

fn fields(e: &ValidationError) -> Vec<String> {
    e.errors.iter().map(|f| f.field.clone()).collect()
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn reads_nists_example_catalog() {
    let f = oscal::parse(BASIC.as_bytes()).unwrap();
    assert_eq!(f.source_kind, "oscal_catalog");
    assert_eq!(f.source_key, "oscal:74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724");
    assert_eq!(f.version, "1.1");
    let refs: Vec<&str> = f.requirements.iter().map(|r| r.ref_id.as_str()).collect();
    assert_eq!(
        refs,
        [
            "s1", "s1.1", "s1.1.1", "s1.1.2", "s2", "s2.1", "s2.1.1", "s2.1.2"
        ]
    );
    let c = &f.requirements[2];
    assert_eq!(c.kind, NodeKind::Control);
    assert_eq!(c.parent_ref.as_deref(), Some("s1.1"));
    assert_eq!(c.depth, 2);
    assert!(c.assessable);
    assert!(c.body.contains("management framework"), "{}", c.body);
    assert!(!f.requirements[0].assessable);
}

#[test]
fn reads_enhancements_and_withdrawn_controls() {
    let f = oscal::parse(EXCERPT.as_bytes()).unwrap();
    let get = |id: &str| f.requirements.iter().find(|r| r.ref_id == id).unwrap();
    assert_eq!(get("ac-2.1").parent_ref.as_deref(), Some("ac-2"));
    assert_eq!(get("ac-2.1").depth, 2);
    assert!(get("ac-2.1").assessable);
    assert!(!get("ac-2.10").assessable, "withdrawn");
    assert_eq!(f.requirements.iter().filter(|r| r.assessable).count(), 12);
}

#[test]
fn refuses_what_is_not_a_catalog() {
    for (input, field, words) in [
        ("{", "file", "not valid JSON"),
        ("[1,2]", "catalog", "not an OSCAL catalog"),
        (r#"{"profile":{}}"#, "catalog", "resolve it"),
        (r#"{"catalog":[]}"#, "catalog", "must be an object"),
        ("\u{0}\u{1}", "file", "not valid JSON"),
    ] {
        let e = oscal::parse(input.as_bytes()).unwrap_err();
        assert_eq!(e.errors[0].field, field, "{input}");
        assert!(e.errors[0].message.contains(words), "{input}: {e}");
    }
}

#[test]
fn names_the_nesting_limit() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let e = oscal::parse(deep.as_bytes()).unwrap_err();
    assert!(e.errors[0].message.contains("128 levels"), "{e}");
    // Valid JSON, but groups deeper than the tree may nest.
    let mut g = r#"{"id":"g-last","title":"t"}"#.to_owned();
    for i in 0..20 {
        g = format!(r#"{{"id":"g{i}","title":"t","groups":[{g}]}}"#);
    }
    let doc = format!(
        r#"{{"catalog":{{"uuid":"u","metadata":{{"title":"T","version":"1"}},"groups":[{g}]}}}}"#
    );
    let e = oscal::parse(doc.as_bytes()).unwrap_err();
    assert!(e.errors[0].message.contains("nests deeper than 16"), "{e}");
}

#[test]
fn names_each_bad_value_by_path() {
    let doc = r#"{"catalog":{"uuid":"u","metadata":{"title":"T","version":1},
      "groups":[
        {"id":"a","title":"A","controls":[{"id":"x-1","title":"One"}]},
        {"id":"b","title":"B","controls":[{"id":"x-1","title":"Again"},{"title":"no id"}]},
        {"id":"c","title":"C","controls":[{"id":7,"title":"t"}, {"id":"ok","title":["x"]}]},
        {"id":"d","title":"D","controls":{"id":"x"}}
      ]}}"#;
    let e = oscal::parse(doc.as_bytes()).unwrap_err();
    let f = fields(&e);
    for want in [
        "catalog.metadata.version",
        "catalog.groups[1].controls[0].id",
        "catalog.groups[1].controls[1].id",
        "catalog.groups[2].controls[0].id",
        "catalog.groups[2].controls[1].title",
        "catalog.groups[3].controls",
    ] {
        assert!(f.contains(&want.to_owned()), "{want} missing in {f:?}");
    }
    let dup = &e.errors[f
        .iter()
        .position(|x| x == "catalog.groups[1].controls[0].id")
        .unwrap()];
    assert!(
        dup.message
            .contains("appears twice (first at catalog.groups[0].controls[0].id)")
    );
}

#[test]
fn refuses_a_huge_file() {
    let big = vec![b' '; MAX_FILE_BYTES + 1];
    let e = oscal::parse(&big).unwrap_err();
    assert!(e.errors[0].message.contains("at most 32 MiB"), "{e}");
}

#[test]
fn targets_are_iso_controls_clauses_or_2013_ids() {
    assert_eq!(
        parse_target("5.15").unwrap(),
        [Target::Control("5.15".into())]
    );
    assert_eq!(
        parse_target("A.8.2").unwrap(),
        [Target::Control("8.2".into())]
    );
    assert_eq!(
        parse_target("5.1").unwrap(),
        [Target::Control("5.1".into())]
    );
    assert_eq!(
        parse_target("clause 5.1").unwrap(),
        [Target::Clause("5.1".into())]
    );
    assert_eq!(
        parse_target("6.1.3").unwrap(),
        [Target::Clause("6.1.3".into())]
    );
    assert_eq!(parse_target("9.2").unwrap(), [Target::Clause("9.2".into())]);
    let old = parse_target("A.9.1.1").unwrap();
    assert!(old.contains(&Target::Control("5.15".into())), "{old:?}");
    assert!(parse_target("A.19.1").is_err());
    assert!(parse_target("clause 12").is_err());
    assert!(parse_target("").is_err());
    assert_eq!(
        Target::from_key(&Target::Clause("9.2".into()).key()),
        Target::Clause("9.2".into())
    );
}

#[test]
fn reads_a_mapping_file() {
    let known: HashSet<String> = [
        "ac-1", "ac-2", "ac-3", "ac-6", "at-2", "ir-1", "ir-4", "ir-6",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = mapping::parse(&rows(MAPPING), &known).unwrap();
    assert_eq!(m.len(), 9);
    assert_eq!(m[0].relationship, Relationship::Intersect);
    assert_eq!(m[0].line, 2);
    assert_eq!(m[8].target, Target::Clause("6.1.3".into()));
}

#[test]
fn names_every_bad_mapping_line() {
    let known: HashSet<String> = ["ac-1"].iter().map(|s| s.to_string()).collect();
    let csv = "Source ID,Target ID,Relationship\nac-1,5.15,equal\nzz-9,5.15,equal\nac-1,99.1,equal\nac-1,5.16,sideways\nac-1,5.15,subset\n,5.1,equal\n";
    let e = mapping::parse(&rows(csv), &known).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "lines[3].source",
            "lines[4].target",
            "lines[5].relationship",
            "lines[6].target",
            "lines[7].source"
        ]
    );
    assert!(e.errors[3].message.contains("already mapped on line 2"));
    let e = mapping::parse(&rows("a,b\n1,2\n"), &known).unwrap_err();
    assert_eq!(fields(&e), ["lines[1]"]);
    assert!(mapping::parse(&[], &known).is_err());
    assert!(mapping::parse(&rows("source,target,relationship\n"), &known).is_err());
}

#[test]
fn relationships_read_olir_and_ciso_spellings() {
    for (s, r) in [
        ("Subset of", Relationship::Subset),
        ("superset_of", Relationship::Superset),
        ("intersects with", Relationship::Intersect),
        ("EQUAL", Relationship::Equal),
        ("related to", Relationship::Related),
    ] {
        assert_eq!(Relationship::parse(s), Some(r), "{s}");
    }
    for r in Relationship::ALL {
        assert_eq!(Relationship::parse(r.as_str()), Some(*r));
    }
    assert_eq!(Relationship::parse("maybe"), None);
}

#[test]
fn coverage_counts_assessable_requirements_per_group() {
    let n = |r, p, k, a| Node {
        ref_id: r,
        parent_ref: p,
        kind: k,
        assessable: a,
    };
    let nodes = [
        n("ac", None, NodeKind::Group, false),
        n("ac-1", Some("ac"), NodeKind::Control, true),
        n("ac-2", Some("ac"), NodeKind::Control, true),
        n("ac-2.1", Some("ac-2"), NodeKind::Control, true),
        n("ac-2.9", Some("ac-2"), NodeKind::Control, false),
        n("ir", None, NodeKind::Group, false),
        n("ir-1", Some("ir"), NodeKind::Control, true),
        n("rc", None, NodeKind::ReferenceControl, false),
    ];
    let met: HashSet<String> = ["ac-2.1", "ir-1", "ac-2.9"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let c = coverage::compute(&nodes, &met);
    assert_eq!(
        c.overall,
        coverage::Share {
            covered: 2,
            total: 4
        }
    );
    assert_eq!(c.overall.percent(), 50);
    assert_eq!(
        c.groups["ac"],
        coverage::Share {
            covered: 1,
            total: 3
        }
    );
    assert_eq!(
        c.groups["ir"],
        coverage::Share {
            covered: 1,
            total: 1
        }
    );
    assert_eq!(coverage::Share::default().percent(), 0);
}

#[test]
fn reads_a_ciso_assistant_library() {
    let l = ciso::parse(CISO.as_bytes()).unwrap();
    let f = &l.framework;
    assert_eq!(
        f.source_key,
        "ciso:urn:isms-test:risk:framework:small-cloud-baseline"
    );
    assert_eq!(f.name, "Small cloud baseline");
    assert_eq!(f.version, "2");
    let refs: Vec<&str> = f.requirements.iter().map(|r| r.ref_id.as_str()).collect();
    assert_eq!(
        refs,
        [
            "ID",
            "ID-1",
            "ID-2",
            "RS",
            "RS-1",
            "RC RC-MFA",
            "RC RC-BACKUP"
        ]
    );
    assert_eq!(f.requirements[1].parent_ref.as_deref(), Some("ID"));
    assert!(f.requirements[1].assessable);
    assert_eq!(f.requirements[5].kind, NodeKind::ReferenceControl);
    let m: Vec<(String, String, Relationship)> = l
        .mappings
        .iter()
        .map(|m| (m.source_ref.clone(), m.target.key(), m.relationship))
        .collect();
    assert_eq!(
        m,
        [
            ("ID-1".into(), "8.5".into(), Relationship::Equal),
            ("ID-2".into(), "5.18".into(), Relationship::Subset),
            ("RS-1".into(), "8.13".into(), Relationship::Equal),
            ("RS-1".into(), "clause:8.1".into(), Relationship::Subset),
        ]
    );
    let m = l
        .risk_method
        .clone()
        .expect("the 3×3 matrix fits our method");
    assert_eq!(m.likelihood.len(), 3);
    assert_eq!(m.levels.len(), 2);
    assert_eq!(m.matrix[2], [1, 1, 1]);
    let odd = CISO.replace("        - [1, 1, 1]\n", "");
    let l2 = ciso::parse(odd.as_bytes()).unwrap();
    assert!(l2.risk_method.is_none());
    assert!(
        l2.notes
            .iter()
            .any(|n| n.contains("risk matrix was not imported")),
        "{:?}",
        l2.notes
    );
    assert!(l.notes.iter().any(|n| n.contains("nist-csf-2.0")));
}

#[test]
fn refuses_hostile_yaml() {
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let e = ciso::parse(deep.as_bytes()).unwrap_err();
    assert!(e.errors[0].message.contains("nests too deeply"), "{e}");
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!("b{i}: &b{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    assert!(ciso::parse(bomb.as_bytes()).is_err());
    for bad in [
        "- 1\n- 2\n",
        "urn: x\n",
        "objects: {}\n",
        "{{{",
        "objects: {framework: 3}\n",
    ] {
        assert!(ciso::parse(bad.as_bytes()).is_err(), "{bad}");
    }
    let broken = CISO.replace(
        "parent_urn: urn:isms-test:risk:req_node:small-cloud-baseline:rs\n",
        "parent_urn: urn:isms-test:risk:req_node:small-cloud-baseline:nowhere\n",
    ).replace("assessable: true\n        depth: 2\n        parent_urn: urn:isms-test:risk:req_node:small-cloud-baseline:id\n        ref_id: ID-2", "assessable: yes-please\n        depth: 2\n        parent_urn: urn:isms-test:risk:req_node:small-cloud-baseline:id\n        ref_id: ID-2");
    let e = ciso::parse(broken.as_bytes()).unwrap_err();
    let f = fields(&e);
    assert!(
        f.contains(&"objects.framework.requirement_nodes[4].parent_urn".to_owned()),
        "{f:?}"
    );
    assert!(
        f.contains(&"objects.framework.requirement_nodes[2].assessable".to_owned()),
        "{f:?}"
    );
}

proptest! {
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = oscal::parse(&bytes);
        let _ = ciso::parse(&bytes);
    }

    #[test]
    fn mapping_parser_never_panics(cells in proptest::collection::vec(proptest::collection::vec("[a-z0-9. ,:-]{0,12}", 0..5), 0..8)) {
        let known: HashSet<String> = ["ac-1".to_owned()].into_iter().collect();
        let _ = mapping::parse(&cells, &known);
    }

    #[test]
    fn catalog_mutations_never_panic(cut in 0usize..2000, byte in any::<u8>()) {
        let mut b = EXCERPT.as_bytes().to_vec();
        let i = cut % b.len();
        b[i] = byte;
        let _ = oscal::parse(&b);
    }
}
