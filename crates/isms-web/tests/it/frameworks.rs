//! Frameworks besides ISO 27001 through the API: OSCAL and CISO Assistant imports,
//! mappings, links, coverage, the control's "in other frameworks".

use isms_domain::rbac::Role;
use isms_testkit::{Client, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const FW: &str = "/api/v1/orgs/acme/frameworks";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../testdata/frameworks/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn raw(c: &Client, path: &str, ct: &str, body: Vec<u8>) -> (u16, Value) {
    let r = c
        .request(Method::POST, path)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn implement(c: &Client, owner: uuid::Uuid, control: &str) {
    let (s, r) = c
        .patch(
            &format!("/api/v1/orgs/acme/controls/{control}"),
            &json!({"owner_id": owner, "status": "implemented",
                    "implementation": "In place.", "monitoring": "Quarterly review.",
                    "check_frequency": "quarterly", "last_check_on": "2026-11-01",
                    "last_check_result": "effective", "version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

#[tokio::test]
async fn frameworks_import_map_link_and_cover() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let _other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(_other.email(Role::Admin)).await;
    let owner = f.user_id(Role::Contributor);
    let oscal = format!("{FW}/oscal-catalog");

    // Hostile catalogs: 422 naming the path, nothing written.
    let (s, p) = raw(&c, &oscal, "application/json", b"{\"catalog\": ".to_vec()).await;
    assert_eq!((s, fields(&p)), (422, vec!["file".to_owned()]), "{p}");
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let (s, p) = raw(&c, &oscal, "application/json", deep.into_bytes()).await;
    assert_eq!(s, 422);
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("128"),
        "{p}"
    );
    let (s, p) = raw(
        &c,
        &oscal,
        "application/json",
        b"{\"component-definition\":{}}".to_vec(),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["catalog".to_owned()]), "{p}");
    let dup = br#"{"catalog":{"uuid":"u1","metadata":{"title":"T","version":"1"},"groups":[{"id":"g","title":"G","controls":[{"id":"a-1","title":"x"},{"id":"a-1","title":"y"},{"id":"a-2","title":7}]}]}}"#;
    let (s, p) = raw(&c, &oscal, "application/json", dup.to_vec()).await;
    assert_eq!(s, 422);
    assert_eq!(
        fields(&p),
        [
            "catalog.groups[0].controls[1].id",
            "catalog.groups[0].controls[2].title"
        ]
    );
    assert_eq!(t.count_rows("frameworks").await, 0);
    assert_eq!(t.count_rows("framework_requirements").await, 0);

    // Viewers read but do not import.
    let (s, _) = raw(
        &viewer,
        &oscal,
        "application/json",
        fixture("sp800-53-rev5-excerpt.json"),
    )
    .await;
    assert_eq!(s, 403);
    let (s, r) = raw(
        &c,
        &oscal,
        "application/json",
        fixture("sp800-53-rev5-excerpt.json"),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], true);
    assert_eq!(r["framework"]["requirement_count"], 16);
    assert_eq!(
        r["framework"]["coverage"],
        json!({"covered": 0, "total": 12})
    );
    let id = r["framework"]["id"].as_str().unwrap().to_owned();
    let (s, list) = viewer.get(FW).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Requirements: keyset pages in document order, a search.
    let reqs = format!("{FW}/{id}/requirements");
    let (_, p1) = c.get(&format!("{reqs}?limit=3")).await;
    let ids: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ref_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ac", "ac-1", "ac-2"]);
    let (_, p2) = c
        .get(&format!(
            "{reqs}?limit=3&cursor={}",
            p1["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(p2["items"][0]["ref_id"], "ac-2.1");
    assert_eq!(p2["items"][0]["parent_ref"], "ac-2");
    let (_, found) = c.get(&format!("{reqs}?q=ACCOUNT")).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 4, "{found}");
    let (s, p) = c.get(&format!("{reqs}?cursor=!!")).await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["cursor".to_owned()]));

    // Mapping: bad lines named, nothing written; then the good file.
    let maps = format!("{FW}/{id}/mappings");
    let (s, p) = raw(&c, &maps, "text/csv", b"source id,target id,relationship\nac-1,5.15,equal\nxx-1,5.15,equal\nac-2,5.99,equal\nac-3,8.3,maybe\n".to_vec()).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        [
            "lines[3].source",
            "lines[4].target",
            "lines[5].relationship"
        ]
    );
    assert_eq!(t.count_rows("framework_mappings").await, 0);
    let (s, r) = raw(&c, &maps, "text/csv", fixture("sp800-53-to-iso27001.csv")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["mappings"], 9);
    let (_, m) = viewer.get(&maps).await;
    assert_eq!(m[0]["source_ref"], "ac-1");
    assert_eq!(m[8]["target_id"], "clause:6.1.3");

    // Coverage follows implemented controls, through mappings and links.
    implement(&c, owner, "5.16").await;
    let (s, r) = c
        .post(
            &format!("{FW}/{id}/links"),
            &json!({"requirement": "ir-1", "control": "A.5.24"}),
        )
        .await;
    assert_eq!(s, 204, "{r}");
    let (s, _) = c
        .post(
            &format!("{FW}/{id}/links"),
            &json!({"requirement": "ir-1", "control": "5.24"}),
        )
        .await;
    assert_eq!(s, 204, "linking twice changes nothing");
    implement(&c, owner, "5.24").await;
    let (_, cov) = viewer.get(&format!("{FW}/{id}/coverage")).await;
    assert_eq!(cov["overall"], json!({"covered": 2, "total": 12}), "{cov}");
    let groups: Vec<(String, Value)> = cov["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["ref_id"].as_str().unwrap().to_owned(),
                json!([g["covered"], g["total"]]),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("ac".to_owned(), json!([1, 7])),
            ("at".to_owned(), json!([0, 2])),
            ("ir".to_owned(), json!([1, 3]))
        ]
    );
    let (_, d) = viewer.get(&format!("{reqs}/ac-2")).await;
    assert_eq!(d["met"], true, "{d}");
    let c516 = d["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["control_ref"] == "5.16")
        .unwrap();
    assert_eq!(
        (&c516["status"], &c516["how"]),
        (&json!("implemented"), &json!("equal"))
    );
    let (_, met) = viewer
        .get("/api/v1/orgs/acme/controls/5.24/frameworks")
        .await;
    assert_eq!(met[0]["requirement_ref"], "ir-1");
    assert_eq!(met[0]["how"], "link");
    let (_, met) = viewer
        .get("/api/v1/orgs/acme/controls/5.16/frameworks")
        .await;
    assert_eq!(met[0]["requirement_ref"], "ac-2");

    // Bad links are named; viewers cannot link.
    let (s, p) = c
        .post(
            &format!("{FW}/{id}/links"),
            &json!({"requirement": "zz-9", "control": "NW-99"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["requirement"]);
    let (s, p) = c
        .post(
            &format!("{FW}/{id}/links"),
            &json!({"requirement": "ac-1", "control": "NW-99"}),
        )
        .await;
    assert_eq!((s.as_u16(), fields(&p)), (422, vec!["control".to_owned()]));
    let (s, _) = viewer
        .post(
            &format!("{FW}/{id}/links"),
            &json!({"requirement": "ac-1", "control": "5.15"}),
        )
        .await;
    assert_eq!(s, 403);

    // Re-importing the same catalog updates it and keeps links and mappings.
    let (s, r) = raw(
        &c,
        &oscal,
        "application/json",
        fixture("sp800-53-rev5-excerpt.json"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (&r["created"], &r["framework"]["id"]),
        (&json!(false), &json!(id))
    );
    assert_eq!(r["framework"]["coverage"]["covered"], 2);
    assert_eq!(t.count_rows("frameworks").await, 1);
    assert_eq!(t.count_rows("framework_requirements").await, 16);

    // Unlink.
    let (s, _) = c
        .delete(&format!("{FW}/{id}/links?requirement=ir-1&control=5.24"))
        .await;
    assert_eq!(s, 204);
    let (s, _) = c
        .delete(&format!("{FW}/{id}/links?requirement=ir-1&control=5.24"))
        .await;
    assert_eq!(s, 404);

    // Another organisation sees none of it.
    let (s, _) = outsider.get(FW).await;
    assert_eq!(s, 404);
    let (_, theirs) = outsider.get("/api/v1/orgs/other/frameworks").await;
    assert_eq!(theirs["items"], json!([]));
    let (s, _) = outsider
        .get(&format!("/api/v1/orgs/other/frameworks/{id}"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .get(&format!(
            "/api/v1/orgs/other/frameworks/{id}/requirements/ac-1"
        ))
        .await;
    assert_eq!(s, 404);
    let (s, _) = raw(
        &outsider,
        &format!("/api/v1/orgs/other/frameworks/{id}/mappings"),
        "text/csv",
        fixture("sp800-53-to-iso27001.csv"),
    )
    .await;
    assert_eq!(s, 404);

    // A CISO Assistant library: framework, mappings, reference controls, risk matrix.
    let (s, p) = raw(
        &c,
        &format!("{FW}/ciso-assistant"),
        "application/yaml",
        b"objects: {framework: {urn: x, name: X, requirement_nodes: [{urn: a, parent_urn: nowhere}]}}"
            .to_vec(),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        fields(&p),
        ["objects.framework.requirement_nodes[0].parent_urn"]
    );
    let (s, r) = raw(
        &c,
        &format!("{FW}/ciso-assistant"),
        "application/yaml",
        fixture("ciso-small-library.yaml"),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["mappings"], 4);
    assert_eq!(
        r["framework"]["coverage"],
        json!({"covered": 0, "total": 3})
    );
    assert!(r["risk_method_draft"].is_number(), "{r}");
    let lib = r["framework"]["id"].as_str().unwrap().to_owned();
    let (_, rc) = viewer
        .get(&format!("{FW}/{lib}/requirements/RC%20RC-MFA"))
        .await;
    assert_eq!(rc["requirement"]["kind"], "reference_control");
    let (_, methods) = viewer.get("/api/v1/orgs/acme/risk-methods").await;
    assert!(
        methods.to_string().contains("Small cloud baseline"),
        "{methods}"
    );
    // Again: the open draft is reported, not replaced.
    let (_, r) = raw(
        &c,
        &format!("{FW}/ciso-assistant"),
        "application/yaml",
        fixture("ciso-small-library.yaml"),
    )
    .await;
    assert!(r["notes"].to_string().contains("already a draft"), "{r}");
    assert_eq!(r["created"], false);
}
