use super::*;
use proptest::prelude::*;

fn schema() -> Vec<(String, Vec<(String, Col)>)> {
    vec![
        (
            "people".into(),
            vec![
                ("id".into(), Col::Uuid),
                ("org_id".into(), Col::Uuid),
                ("name".into(), Col::Text),
                ("user_id".into(), Col::Uuid),
                ("active".into(), Col::Bool),
                ("created_at".into(), Col::Ts),
            ],
        ),
        (
            "risks".into(),
            vec![
                ("id".into(), Col::Uuid),
                ("org_id".into(), Col::Uuid),
                ("number".into(), Col::Int),
                ("title".into(), Col::Text),
                ("owner_id".into(), Col::Uuid),
                ("next_review_on".into(), Col::Day),
                ("score".into(), Col::Float),
                ("body".into(), Col::Text),
            ],
        ),
        (
            "blobs".into(),
            vec![
                ("id".into(), Col::Uuid),
                ("org_id".into(), Col::Uuid),
                ("sha256".into(), Col::Text),
                ("data".into(), Col::Bytes),
            ],
        ),
    ]
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A generated risk: title, owner (index into people), review day, score, JSON body.
type GenRisk = (String, Option<usize>, Option<String>, f64, bool);

#[derive(Debug, Clone)]
struct Gen {
    people: Vec<(String, bool, i64)>,
    risks: Vec<GenRisk>,
    blob: Vec<u8>,
}

fn data(g: &Gen, base: u128) -> OrgData {
    let org = id(base);
    let user = User {
        id: id(base + 1),
        email: "Alice@Example.com".into(),
        name: "Alice".into(),
    };
    let people: Vec<Vec<Cell>> = g
        .people
        .iter()
        .enumerate()
        .map(|(i, (n, a, ts))| {
            vec![
                Cell::Uuid(id(base + 100 + i as u128)),
                Cell::Uuid(org),
                Cell::Text(n.clone()),
                Cell::Uuid(user.id),
                Cell::Bool(*a),
                Cell::Ts(*ts),
            ]
        })
        .collect();
    let risks = g
        .risks
        .iter()
        .enumerate()
        .map(|(i, (t, owner, day, score, json))| {
            let owner = owner
                .filter(|o| *o < g.people.len())
                .map_or(Cell::Null, |o| Cell::Uuid(id(base + 100 + o as u128)));
            let body = if *json {
                let who = owner_text(&owner);
                Cell::Text(format!(r#"{{"z":1,"a":[true,"{who}"],"m":{{"k":"v"}}}}"#))
            } else {
                Cell::Text(t.clone())
            };
            vec![
                Cell::Uuid(id(base + 1000 + i as u128)),
                Cell::Uuid(org),
                Cell::Int(i as i64 + 1),
                Cell::Text(t.clone()),
                owner,
                day.clone().map_or(Cell::Null, Cell::Day),
                Cell::Float(*score),
                body,
            ]
        })
        .collect();
    let blob = vec![
        Cell::Uuid(id(base + 5000)),
        Cell::Uuid(org),
        Cell::Text(sha_hex(&g.blob)),
        Cell::Bytes(g.blob.clone()),
    ];
    let s = schema();
    OrgData {
        org: vec![
            Cell::Text("Acme".into()),
            Cell::Int(10),
            Cell::Null,
            Cell::Null,
        ],
        users: vec![user],
        tables: vec![
            Table {
                name: s[0].0.clone(),
                cols: s[0].1.clone(),
                rows: people,
            },
            Table {
                name: s[1].0.clone(),
                cols: s[1].1.clone(),
                rows: risks,
            },
            Table {
                name: s[2].0.clone(),
                cols: s[2].1.clone(),
                rows: vec![blob],
            },
        ],
    }
}

fn owner_text(c: &Cell) -> String {
    match c {
        Cell::Uuid(u) => u.to_string(),
        _ => "nobody".into(),
    }
}

/// Import `files` as a new organisation (fresh ids), the way the service does.
fn reimport(files: &FileSet, base: u128) -> Result<OrgData, ValidationError> {
    let parsed = parse(files, &schema())?;
    let mut users = HashMap::new();
    let mut out_users = Vec::new();
    for (i, (e, n)) in parsed.users.iter().enumerate() {
        let u = id(base + 1 + i as u128);
        users.insert(e.clone(), u);
        out_users.push(User {
            id: u,
            email: e.clone(),
            name: n.clone(),
        });
    }
    let mut next = base + 10_000;
    let tables = resolve(files, &parsed, &schema(), id(base), &users, &mut |_| {
        next += 1;
        id(next)
    })?;
    Ok(OrgData {
        org: parsed.org,
        users: out_users,
        tables,
    })
}

fn sample() -> Gen {
    Gen {
        people: vec![
            ("Bob".into(), true, 1_700_000_000_123),
            ("Bob".into(), true, 1_700_000_000_123),
            ("Carol".into(), false, 1_700_000_000_000),
        ],
        risks: vec![
            (
                "Laptop theft".into(),
                Some(0),
                Some("2026-03-01".into()),
                2.5,
                true,
            ),
            ("123".into(), None, None, 0.0, false),
        ],
        blob: b"%PDF-1.4 evidence".to_vec(),
    }
}

#[test]
fn export_is_deterministic_and_round_trips() {
    let a = export(&data(&sample(), 1 << 64)).expect("export");
    let a2 = export(&data(&sample(), 1 << 64)).expect("export");
    assert_eq!(a, a2);
    let b = export(&reimport(&a, 7 << 64).expect("import")).expect("export");
    assert_eq!(a, b);
    let risks = String::from_utf8(a["risks.yaml"].clone()).expect("utf8");
    assert!(risks.contains("key: R-001"), "{risks}");
    assert!(risks.contains("owner_id: people/"), "{risks}");
    assert!(risks.contains("!ref"), "{risks}");
    assert!(!risks.contains("org_id"), "{risks}");
    let users = String::from_utf8(a["users.yaml"].clone()).expect("utf8");
    assert!(users.contains("alice@example.com"));
    assert!(a.keys().any(|k| k.starts_with("files/")));
}

#[test]
fn natural_order_puts_numbers_in_order() {
    let mut v = vec!["R-1000", "R-999", "R-001", "A-2"];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(v, ["A-2", "R-001", "R-999", "R-1000"]);
}

fn good() -> FileSet {
    export(&data(&sample(), 1 << 64)).expect("export")
}

fn errors_of(files: &FileSet) -> Vec<String> {
    match reimport(files, 9 << 64) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.into_iter().map(|e| e.message).collect(),
    }
}

fn with(file: &str, text: &str) -> FileSet {
    let mut f = good();
    f.insert(file.into(), text.as_bytes().to_vec());
    f
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let e = errors_of(&with("risks.yaml", "- key: R-001\n  title: [unclosed\n"));
    assert!(
        e.iter()
            .any(|m| m.starts_with("risks.yaml line ") && m.contains("not valid YAML")),
        "{e:?}"
    );
}

#[test]
fn wrong_types_unknown_fields_and_duplicates_are_named() {
    let e = errors_of(&with(
        "risks.yaml",
        "- key: R-001\n  number: one\n  title: A\n- key: R-002\n  number: 2\n  colour: red\n- key: R-001\n  number: 3\n",
    ));
    assert!(
        e.iter()
            .any(|m| m == "risks.yaml line 2, field number: expected a whole number"),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m == "risks.yaml line 6, field colour: unknown field"),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("risks.yaml line 7, field key: key \"R-001\" is used twice")),
        "{e:?}"
    );
}

#[test]
fn duplicate_yaml_keys_are_refused() {
    let e = errors_of(&with(
        "risks.yaml",
        "- key: R-001\n  title: A\n  title: B\n",
    ));
    assert!(
        e.iter()
            .any(|m| m.contains("risks.yaml line") && m.contains("duplicate")),
        "{e:?}"
    );
}

#[test]
fn unknown_references_are_named() {
    let e = errors_of(&with(
        "risks.yaml",
        "- key: R-001\n  number: 1\n  owner_id: people/nobody\n",
    ));
    assert!(
        e.iter().any(|m| m
            == "risks.yaml line 3, field owner_id: people/nobody is not a record of this export"),
        "{e:?}"
    );
}

#[test]
fn deep_nesting_and_huge_files_are_refused() {
    let deep = format!(
        "- key: R-001\n  body: {}{}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    let e = errors_of(&with("risks.yaml", &deep));
    assert!(
        e.iter().any(|m| m.starts_with("risks.yaml line 2")),
        "{e:?}"
    );
    let mut f = good();
    f.insert("risks.yaml".into(), vec![b' '; MAX_FILE_BYTES + 1]);
    let e = errors_of(&f);
    assert!(
        e.iter()
            .any(|m| m.starts_with("risks.yaml line 1: the file has")),
        "{e:?}"
    );
}

#[test]
fn missing_or_altered_files_are_refused() {
    let mut f = good();
    let blob = f
        .keys()
        .find(|k| k.starts_with("files/"))
        .cloned()
        .expect("a blob");
    f.insert(blob.clone(), b"tampered".to_vec());
    let e = errors_of(&f);
    assert!(
        e.iter().any(|m| m.contains("does not match its SHA-256")),
        "{e:?}"
    );
    f.remove(&blob);
    let e = errors_of(&f);
    assert!(e.iter().any(|m| m.contains("is missing")), "{e:?}");
    let mut f = good();
    f.insert("secrets.yaml".into(), b"[]".to_vec());
    assert!(errors_of(&f).iter().any(|m| m.contains("secrets.yaml")));
}

#[test]
fn plan_lists_added_changed_removed() {
    let old = parse(&good(), &schema()).expect("parse");
    let text = String::from_utf8(good()["risks.yaml"].clone()).expect("utf8");
    let changed = text.replace("title: Laptop theft", "title: Laptop loss");
    let changed = changed.replace("key: R-002", "key: R-009");
    let new = parse(&with("risks.yaml", &changed), &schema()).expect("parse");
    let p = plan(&old, &new);
    let f = p
        .files
        .iter()
        .find(|f| f.file == "risks.yaml")
        .expect("risks in the plan");
    assert_eq!(f.added, ["R-009"]);
    assert_eq!(f.changed, ["R-001"]);
    assert_eq!(f.removed, ["R-002"]);
    assert!(plan(&old, &old).is_empty());
}

fn ruled_schema() -> Vec<(String, Vec<(String, Col)>)> {
    let t = |name: &str, cols: &[(&str, Col)]| {
        let mut c = vec![
            ("id".to_owned(), Col::Uuid),
            ("org_id".to_owned(), Col::Uuid),
        ];
        c.extend(cols.iter().map(|(n, k)| ((*n).to_owned(), *k)));
        (name.to_owned(), c)
    };
    vec![
        t(
            "memberships",
            &[("user_id", Col::Uuid), ("role", Col::Text)],
        ),
        t(
            "assets",
            &[
                ("number", Col::Int),
                ("asset_type", Col::Text),
                ("name", Col::Text),
                ("confidentiality", Col::Int),
                ("classification", Col::Int),
            ],
        ),
        t(
            "risks",
            &[
                ("number", Col::Int),
                ("treatment", Col::Text),
                ("status", Col::Text),
            ],
        ),
        t(
            "findings",
            &[
                ("number", Col::Int),
                ("grade", Col::Text),
                ("status", Col::Text),
            ],
        ),
        t(
            "corrective_actions",
            &[("number", Col::Int), ("status", Col::Text)],
        ),
        t("tasks", &[("number", Col::Int), ("status", Col::Text)]),
        t(
            "documents",
            &[
                ("number", Col::Int),
                ("kind", Col::Text),
                ("review_months", Col::Int),
            ],
        ),
    ]
}

/// A directory for [`ruled_schema`]; `tables` replaces the named files.
fn ruled_files(tables: &[(&str, &str)]) -> FileSet {
    let mut f = FileSet::new();
    f.insert("organisation.yaml".into(), b"name: Acme\n".to_vec());
    f.insert(
        "users.yaml".into(),
        b"- key: alice@example.com\n  name: Alice\n".to_vec(),
    );
    let good = [
        (
            "memberships",
            "- key: alice@example.com\n  user_id: users/alice@example.com\n  role: isms_manager\n",
        ),
        (
            "assets",
            "- key: A-0001\n  number: 1\n  asset_type: supplier_provided\n  name: CRM\n  confidentiality: 4\n  classification: 4\n",
        ),
        (
            "risks",
            "- key: R-001\n  number: 1\n  treatment: modify\n  status: treatment_planned\n",
        ),
        (
            "findings",
            "- key: F-001\n  number: 1\n  grade: major_nc\n  status: action_planned\n",
        ),
        (
            "corrective_actions",
            "- key: CA-001\n  number: 1\n  status: verified_effective\n",
        ),
        (
            "tasks",
            "- key: T-001\n  number: 1\n  status: in_progress\n",
        ),
        (
            "documents",
            "- key: DOC-001\n  number: 1\n  kind: procedure\n  review_months: 12\n",
        ),
    ];
    for (t, text) in good {
        f.insert(format!("{t}.yaml"), text.as_bytes().to_vec());
    }
    for (t, text) in tables {
        f.insert(format!("{t}.yaml"), text.as_bytes().to_vec());
    }
    f
}

fn ruled_errors(tables: &[(&str, &str)]) -> Vec<String> {
    match parse(&ruled_files(tables), &ruled_schema()) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.into_iter().map(|e| e.message).collect(),
    }
}

#[test]
fn stored_forms_of_enumerated_fields_and_ratings_are_accepted() {
    let parsed = parse(&ruled_files(&[]), &ruled_schema()).expect("stored forms pass");
    assert!(parsed.tables.iter().all(|(_, recs)| recs.len() == 1));
}

#[test]
fn bad_values_are_named_by_file_line_and_field() {
    let e = ruled_errors(&[
        (
            "assets",
            "- key: A-0001\n  number: 1\n  asset_type: spaceship\n  confidentiality: 9\n- key: A-0002\n  number: 2\n  asset_type: Hardware\n  classification: 0\n",
        ),
        (
            "risks",
            "- key: R-001\n  number: 1\n  treatment: ignore\n  status: bogus\n",
        ),
        (
            "findings",
            "- key: F-001\n  number: 1\n  grade: critical\n  status: bogus\n",
        ),
        ("corrective_actions", "- key: CA-001\n  status: bogus\n"),
        ("tasks", "- key: T-001\n  status: !ref tasks/T-002\n"),
        ("memberships", "- key: alice@example.com\n  role: owner\n"),
        (
            "documents",
            "- key: DOC-001\n  kind: memo\n  review_months: 99\n",
        ),
    ]);
    let has = |prefix: &str| {
        assert!(
            e.iter().any(|m| m.starts_with(prefix)),
            "{prefix} in {e:#?}"
        );
    };
    has(
        "assets.yaml line 3, field asset_type: \"spaceship\" is not an asset type; it must be one of: information, software, hardware",
    );
    has(
        "assets.yaml line 4, field confidentiality: 9 is not a rating; it must be 1 (low), 2 (medium), 3 (high) or 4 (very high)",
    );
    has(
        "assets.yaml line 7, field asset_type: \"Hardware\" is not how an asset type is stored; write \"hardware\"",
    );
    has("assets.yaml line 8, field classification: 0 is not a classification level");
    has(
        "risks.yaml line 3, field treatment: \"ignore\" is not a treatment; it must be modify, retain, avoid or share",
    );
    has(
        "risks.yaml line 4, field status: \"bogus\" is not a risk status; it must be one of: identified",
    );
    has(
        "findings.yaml line 3, field grade: \"critical\" is not a grade; the grade must be one of major_nc, minor_nc, observation, ofi",
    );
    has(
        "findings.yaml line 4, field status: \"bogus\" is not a finding status; the status must be one of open, action_planned, verifying, closed",
    );
    has(
        "corrective_actions.yaml line 2, field status: \"bogus\" is not an action status; the status must be one of planned",
    );
    has(
        "tasks.yaml line 2, field status: \"tasks/T-002\" is not a task status; it must be open, in_progress or done",
    );
    has("memberships.yaml line 2, field role: unknown role \"owner\"; expected one of: admin");
    has(
        "documents.yaml line 2, field kind: \"memo\" is not a document kind; choose one of: policy",
    );
    has(
        "documents.yaml line 3, field review_months: 99 is not a review interval; it must be between 1 and",
    );
    // The records with bad values are not accepted, so nothing else is reported for them.
    assert_eq!(e.len(), 13, "{e:#?}");
}

fn records() -> impl Strategy<Value = Gen> {
    (
        prop::collection::vec(("\\PC{0,12}", any::<bool>(), 0i64..4_000_000_000_000), 0..5),
        prop::collection::vec(
            (
                "\\PC{0,20}",
                prop::option::of(0usize..5),
                prop::option::of(
                    (2000i32..2100, 1u8..13, 1u8..29)
                        .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
                ),
                -1.0e9f64..1.0e9,
                any::<bool>(),
            ),
            0..6,
        ),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(people, risks, blob)| Gen {
            people,
            risks,
            blob,
        })
}

proptest! {
    #[test]
    fn generated_records_round_trip(g in records()) {
        let a = export(&data(&g, 1 << 64)).expect("export");
        let b = export(&reimport(&a, 3 << 64).expect("import")).expect("export");
        prop_assert_eq!(a, b);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = errors_of(&with("risks.yaml", &s));
        let _ = errors_of(&with("organisation.yaml", &s));
    }
}
