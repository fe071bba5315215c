//! Competence and awareness through the API: people with the competences their job role
//! requires and the gaps, training records with expiry, awareness campaigns with their
//! participation rate; fields named, tenant isolation, roles and stale versions.

use isms_domain::rbac::Role;
use isms_testkit::TestApp;
use serde_json::{Value, json};

const PEOPLE: &str = "/api/v1/orgs/acme/people";
const TRAIN: &str = "/api/v1/orgs/acme/trainings";
const CAMP: &str = "/api/v1/orgs/acme/awareness-campaigns";

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

#[tokio::test]
async fn gaps_follow_required_competences_and_unexpired_training() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let c = t.login(f.email(Role::Contributor)).await;

    let (s, p) = c
        .post(
            PEOPLE,
            &json!({"name": "", "email": "nope", "user_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["name", "email", "user_id"]);
    let (s, p) = c
        .put(
            &format!("{PEOPLE}/requirements"),
            &json!({"job_role": "", "competences": ["Secure coding", " "]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["job_role", "competences[1]"]);

    let (s, r) = c
        .put(
            &format!("{PEOPLE}/requirements"),
            &json!({"job_role": "Developer", "competences": ["Secure coding", "Security awareness", "secure CODING"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["competences"],
        json!(["Secure coding", "Security awareness"])
    );
    let (s, ada) = c
        .post(
            PEOPLE,
            &json!({"name": "Ada Lovelace", "email": "ada@acme.example", "job_role": "developer",
                    "department": "Engineering", "user_id": f.user_id(Role::Contributor)}),
        )
        .await;
    assert_eq!(s, 201, "{ada}");
    assert_eq!(
        ada["missing"],
        json!(["Secure coding", "Security awareness"])
    );
    let ada_id = ada["id"].as_str().unwrap().to_owned();

    // Bad training records, each field named; nothing stored.
    for (body, want) in [
        (
            json!({"person_id": "x", "competence": "", "completed_on": "2026-11-29"}),
            vec!["person_id", "competence", "completed_on"],
        ),
        (
            json!({"person_id": ada_id, "competence": "Secure coding", "completed_on": "2026-06-01", "expires_on": "2026-05-01"}),
            vec!["expires_on"],
        ),
        (
            json!({"person_id": uuid::Uuid::now_v7(), "competence": "Secure coding", "completed_on": "2026-06-01"}),
            vec!["person_id"],
        ),
    ] {
        let (s, p) = c.post(TRAIN, &body).await;
        assert_eq!(s, 422, "{body} → {p}");
        assert_eq!(fields(&p), want, "{body}");
    }
    assert_eq!(t.count_rows("trainings").await, 0);

    // An expired awareness training does not count; a current secure-coding one does.
    let (s, tr) = c
        .post(TRAIN, &json!({"person_id": ada_id, "competence": "Security awareness",
                               "completed_on": "2025-01-10", "expires_on": "2026-01-10", "provider": "KnowBe4"}))
        .await;
    assert_eq!(s, 201, "{tr}");
    assert_eq!(tr["expired"], true);
    let (s, _) = c
        .post(TRAIN, &json!({"person_id": ada_id, "competence": "secure coding", "completed_on": "2026-10-01"}))
        .await;
    assert_eq!(s, 201);
    let (_, ada) = c.get(&format!("{PEOPLE}/{ada_id}")).await;
    assert_eq!(ada["missing"], json!(["Security awareness"]));
    assert_eq!(ada["expired_trainings"], 1);
    let (_, expired) = c.get(&format!("{TRAIN}?expired=true")).await;
    assert_eq!(expired["items"].as_array().unwrap().len(), 1);
    let (_, mine) = c.get(&format!("{TRAIN}?person_id={ada_id}&limit=1")).await;
    assert_eq!(
        mine["items"][0]["competence"], "secure coding",
        "newest first"
    );
    let cur = mine["next_cursor"].as_str().unwrap().to_owned();
    let (_, more) = c
        .get(&format!("{TRAIN}?person_id={ada_id}&limit=1&cursor={cur}"))
        .await;
    assert_eq!(more["items"][0]["competence"], "Security awareness");
    assert!(more["next_cursor"].is_null());
    let (s, p) = c.get(&format!("{TRAIN}?cursor=bm9wZQ")).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["cursor"]);

    // A campaign: dates and participants checked, then the rate and its flag.
    let (s, bob) = c
        .post(PEOPLE, &json!({"name": "Bob Byte", "job_role": "Sales"}))
        .await;
    assert_eq!(s, 201, "{bob}");
    assert!(
        bob["missing"].as_array().unwrap().is_empty(),
        "no requirements for sales"
    );
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let (s, p) = c
        .post(
            CAMP,
            &json!({"title": "Phishing month", "starts_on": "2026-10-01", "ends_on": "2026-09-01",
                             "participants": [ada_id, "nobody", uuid::Uuid::now_v7()]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        ["ends_on", "participants[1]", "participants[2]"]
    );
    let (s, camp) = c
        .post(CAMP, &json!({"title": "Phishing month", "topic": "Spotting phishing", "starts_on": "2026-10-01",
                             "ends_on": "2026-10-31", "audience": "All staff", "participants": [ada_id, bob_id]}))
        .await;
    assert_eq!(s, 201, "{camp}");
    assert_eq!(camp["participant_count"], 2);
    assert_eq!(camp["participation_rate"], 0.0);
    assert_eq!(camp["participation_low"], true, "ended with nobody done");
    let cid = camp["id"].as_str().unwrap().to_owned();
    let part = |p: &str| format!("{CAMP}/{cid}/participants/{p}");
    let (s, p) = c
        .put(
            &part(&ada_id),
            &json!({"completed": true, "completed_on": "2026-12-24"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), ["completed_on"]);
    let (s, camp) = c
        .put(
            &part(&ada_id),
            &json!({"completed": true, "completed_on": "2026-10-15"}),
        )
        .await;
    assert_eq!(s, 200, "{camp}");
    assert_eq!(camp["participation_rate"], 50.0);
    assert_eq!(camp["participation_low"], true);
    let (_, camp) = c.put(&part(&bob_id), &json!({"completed": true})).await;
    assert_eq!(camp["participation_rate"], 100.0);
    assert_eq!(camp["participation_low"], false);
    let (s, _) = c
        .put(
            &part(&uuid::Uuid::now_v7().to_string()),
            &json!({"completed": true}),
        )
        .await;
    assert_eq!(s, 404);

    // People page by name with a cursor; deleting a person removes their records.
    let (_, p1) = c.get(&format!("{PEOPLE}?limit=1")).await;
    assert_eq!(p1["items"][0]["name"], "Ada Lovelace");
    let cur = p1["next_cursor"].as_str().unwrap().to_owned();
    let (_, p2) = c.get(&format!("{PEOPLE}?limit=1&cursor={cur}")).await;
    assert_eq!(p2["items"][0]["name"], "Bob Byte");
    assert!(p2["next_cursor"].is_null());
    let (s, _) = c.delete(&format!("{PEOPLE}/{ada_id}")).await;
    assert_eq!(s, 204);
    assert_eq!(t.count_rows("trainings").await, 0);
    let (_, camp) = c.get(&format!("{CAMP}/{cid}")).await;
    assert_eq!(camp["participant_count"], 1);
}

#[tokio::test]
async fn competence_records_are_private_read_only_for_viewers_and_versioned() {
    let t = TestApp::spawn().await;
    let f = t.org_with_roles("acme").await;
    let other = t.org_with_roles("other").await;
    let c = t.login(f.email(Role::Contributor)).await;
    let viewer = t.login(f.email(Role::Viewer)).await;
    let outsider = t.login(other.email(Role::Admin)).await;
    let (s, p) = c.post(PEOPLE, &json!({"name": "Carla"})).await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_owned();
    let one = format!("{PEOPLE}/{pid}");
    let (s, camp) = c
        .post(
            CAMP,
            &json!({"title": "Clean desk", "starts_on": "2026-11-01", "ends_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(s, 201, "{camp}");
    let cone = format!("{CAMP}/{}", camp["id"].as_str().unwrap());

    let (s, _) = viewer.get(&one).await;
    assert_eq!(s, 200);
    for (s, what) in [
        (
            viewer.post(PEOPLE, &json!({"name": "X"})).await.0,
            "add person",
        ),
        (
            viewer
                .patch(&one, &json!({"name": "Y", "version": 1}))
                .await
                .0,
            "patch",
        ),
        (
            viewer
                .post(
                    TRAIN,
                    &json!({"person_id": pid, "competence": "A", "completed_on": "2026-01-01"}),
                )
                .await
                .0,
            "training",
        ),
        (
            viewer
                .put(
                    &format!("{PEOPLE}/requirements"),
                    &json!({"job_role": "A", "competences": []}),
                )
                .await
                .0,
            "requirements",
        ),
        (
            viewer
                .post(
                    CAMP,
                    &json!({"title": "T", "starts_on": "2026-01-01", "ends_on": "2026-01-02"}),
                )
                .await
                .0,
            "campaign",
        ),
        (
            viewer
                .put(
                    &format!("{cone}/participants/{pid}"),
                    &json!({"completed": true}),
                )
                .await
                .0,
            "participant",
        ),
        (viewer.delete(&one).await.0, "delete"),
    ] {
        assert_eq!(s, 403, "{what}");
    }

    let theirs = one.replace("/orgs/acme/", "/orgs/other/");
    assert_eq!(outsider.get(&theirs).await.0, 404);
    assert_eq!(outsider.get(&one).await.0, 404);
    assert_eq!(
        outsider
            .get(&cone.replace("/orgs/acme/", "/orgs/other/"))
            .await
            .0,
        404
    );
    let (s, p) = outsider
        .post(
            "/api/v1/orgs/other/trainings",
            &json!({"person_id": pid, "competence": "A", "completed_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, 422, "another organisation's person is unknown here: {p}");
    assert_eq!(fields(&p), ["person_id"]);
    let (s, _) = outsider
        .put(
            &format!(
                "/api/v1/orgs/other/awareness-campaigns/{}/participants/{pid}",
                camp["id"].as_str().unwrap()
            ),
            &json!({"completed": true}),
        )
        .await;
    assert_eq!(s, 404);
    let (_, list) = outsider.get("/api/v1/orgs/other/people").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    let (s, _) = c
        .patch(&one, &json!({"job_role": "Support", "version": 1}))
        .await;
    assert_eq!(s, 200);
    let (s, p) = c.patch(&one, &json!({"active": false, "version": 1})).await;
    assert_eq!(s, 409, "{p}");
}
