//! `isms import oscal-catalog | mapping | ciso-assistant`.

use super::{Env, text};

fn fixture(name: &str) -> String {
    format!(
        "{}/../../testdata/frameworks/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn import_frameworks_and_mappings() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    let cat = fixture("sp800-53-rev5-excerpt.json");
    let o = e.run(
        &["import", "oscal-catalog", "--org", "northwind", &cat],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Imported framework \"SP 800-53 Rev 5 excerpt"),
        "{t}"
    );
    assert!(t.contains("16 requirements"), "{t}");
    // The same catalog again updates it.
    let o = e.run(
        &["import", "oscal-catalog", "--org", "northwind", &cat],
        None,
    );
    assert!(text(&o).contains("Updated framework"), "{}", text(&o));
    // A mapping: by the framework's name.
    let name = "SP 800-53 Rev 5 excerpt (test fixture, titles only)";
    let map = fixture("sp800-53-to-iso27001.csv");
    let o = e.run(
        &[
            "import",
            "mapping",
            "--org",
            "northwind",
            "--framework",
            name,
            &map,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Imported 9 mappings"), "{}", text(&o));
    // Bad lines: exit 2, each named, nothing written.
    let bad = e.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "source id,target id,relationship\nac-1,5.15,equal\nzz-1,5.15,equal\nac-2,77.1,equal\n",
    )
    .unwrap();
    let o = e.run(
        &[
            "import",
            "mapping",
            "--org",
            "northwind",
            "--framework",
            name,
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("nothing was imported"), "{t}");
    assert!(
        t.contains("lines[3].source") && t.contains("lines[4].target"),
        "{t}"
    );
    let o = e.run(
        &[
            "import",
            "mapping",
            "--org",
            "northwind",
            "--framework",
            name,
            &map,
        ],
        None,
    );
    assert!(
        text(&o).contains("replacing 9"),
        "the bad file replaced nothing: {}",
        text(&o)
    );
    // A broken catalog names the path.
    let broken = e.dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"catalog":{"uuid":"u","metadata":{"title":"T","version":"1"},"groups":[{"id":"g","title":"G","controls":[{"id":5,"title":"x"}]}]}}"#).unwrap();
    let o = e.run(
        &[
            "import",
            "oscal-catalog",
            "--org",
            "northwind",
            broken.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("catalog.groups[0].controls[0].id: must be a string"),
        "{}",
        text(&o)
    );
    // Mapping without --framework, unknown organisation.
    let o = e.run(&["import", "mapping", "--org", "northwind", &map], None);
    assert_eq!(o.status.code(), Some(2));
    let o = e.run(&["import", "oscal-catalog", "--org", "nowhere", &cat], None);
    assert_eq!(o.status.code(), Some(2));
    // A CISO Assistant library: framework, mappings, and why the risk matrix is not imported.
    let lib = fixture("ciso-small-library.yaml");
    let o = e.run(
        &["import", "ciso-assistant", "--org", "northwind", &lib],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Small cloud baseline") && t.contains("4 mappings"),
        "{t}"
    );
    assert!(t.contains("risk method"), "{t}");
}
