//! The blob store on the configured engine: content addressing, idempotent puts inside a
//! transaction, reading back with the hash checked, the keyset walk, backups.

use isms_app::blobs::Upload;
use isms_db::Db;
use isms_db::blobs;
use isms_testkit::{TestApp, TestDb};

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(p)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn uploads_are_content_addressed_sniffed_and_verified_on_read() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    t.org_with_roles("other").await;
    let acme = t.app.org_for_cli("acme").await.unwrap();
    let other = t.app.org_for_cli("other").await.unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n".to_vec();
    let up = Upload::from_bytes("../../etc/Report\u{0}.pdf", pdf.clone());

    let mut tx = t.app.db.begin().await.unwrap();
    let a = t
        .app
        .store_upload_tx(&mut tx, acme.org.id, &up)
        .await
        .unwrap();
    // The same bytes again, under another name: one blob.
    let again = Upload::from_bytes("copy.pdf", pdf.clone());
    let b = t
        .app
        .store_upload_tx(&mut tx, acme.org.id, &again)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        a.sha256,
        isms_app::blobs::HashedBytes::of(pdf.clone())
            .hash()
            .to_string()
    );
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(a.content_type, "application/pdf");
    assert_eq!(a.file_name, "Report.pdf");
    assert_eq!(b.file_name, "copy.pdf");
    assert_eq!(a.size, pdf.len() as i64);

    // Another organisation's store is separate.
    let mut tx = t.app.db.begin().await.unwrap();
    t.app
        .store_upload_tx(&mut tx, other.org.id, &up)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut c = t.app.db.read().await.unwrap();
    assert!(blobs::exists(&mut c, acme.org.id, &a.sha256).await.unwrap());
    drop(c);

    let back = t.app.read_file(&acme, &a.sha256, "EV-0001").await.unwrap();
    assert_eq!(back.bytes, pdf);
    assert_eq!(back.content_type, "application/pdf");
    assert!(matches!(
        t.app.read_file(&acme, &"0".repeat(64), "EV-0002").await,
        Err(isms_app::AppError::NotFound(_))
    ));

    // Empty and oversized files are refused; nothing is stored.
    let mut tx = t.app.db.begin().await.unwrap();
    let empty = t
        .app
        .store_upload_tx(&mut tx, acme.org.id, &Upload::from_bytes("e.txt", vec![]))
        .await;
    assert!(matches!(empty, Err(isms_app::AppError::Validation(_))));
    drop(tx);

    // Tamper with acme's bytes: reading fails loudly and the walk names it.
    let ok = t.app.verify_blob_store().await.unwrap();
    assert_eq!(ok.checked, 2);
    assert!(ok.bad.is_empty());
    let sql = match &t.app.db {
        Db::Sqlite(_) => {
            "UPDATE blobs SET data = CAST('%PDF-1.4 forged' AS BLOB) WHERE sha256 = '{h}' AND org_id = (SELECT id FROM organisations WHERE slug = 'acme')"
        }
        Db::Postgres(_) => {
            "UPDATE blobs SET data = convert_to('%PDF-1.4 forged', 'UTF8') WHERE sha256 = '{h}' AND org_id = (SELECT id FROM organisations WHERE slug = 'acme')"
        }
    };
    exec(&t.app.db, &sql.replace("{h}", &a.sha256)).await;
    let err = t
        .app
        .read_file(&acme, &a.sha256, "EV-0001")
        .await
        .unwrap_err();
    assert!(matches!(err, isms_app::AppError::Integrity(_)), "{err:?}");
    assert!(err.to_string().contains("EV-0001"), "{err}");
    // The other organisation's copy is intact.
    assert_eq!(
        t.app
            .read_file(&other, &a.sha256, "EV-0001")
            .await
            .unwrap()
            .bytes,
        pdf
    );
    let check = t.app.verify_blob_store().await.unwrap();
    assert_eq!(check.checked, 2);
    assert_eq!(check.bad.len(), 1);
    assert_eq!(check.bad[0].org_id, acme.org.id);
    assert_eq!(check.bad[0].sha256, a.sha256);
    assert_ne!(check.bad[0].actual, a.sha256);
}

#[tokio::test]
async fn the_keyset_walk_visits_every_blob_once_in_batches() {
    let t = TestApp::spawn().await;
    t.org_with_roles("a1").await;
    t.org_with_roles("a2").await;
    let mut all = Vec::new();
    for slug in ["a1", "a2"] {
        let ctx = t.app.org_for_cli(slug).await.unwrap();
        let mut tx = t.app.db.begin().await.unwrap();
        for i in 0..11 {
            let s = t
                .app
                .store_upload_tx(
                    &mut tx,
                    ctx.org.id,
                    &Upload::from_bytes("n.txt", format!("note {i}").into_bytes()),
                )
                .await
                .unwrap();
            all.push((ctx.org.id, s.sha256));
        }
        tx.commit().await.unwrap();
    }
    all.sort();
    let mut seen = Vec::new();
    let mut after: Option<(uuid::Uuid, String)> = None;
    loop {
        let mut c = t.app.db.read().await.unwrap();
        let rows = blobs::batch_after(&mut c, after.as_ref().map(|(o, s)| (*o, s.as_str())), 4)
            .await
            .unwrap();
        if rows.is_empty() {
            break;
        }
        assert!(rows.len() <= 4);
        for r in rows {
            after = Some((r.org_id, r.sha256.clone()));
            seen.push((r.org_id, r.sha256));
        }
    }
    assert_eq!(seen, all);
    assert_eq!(t.app.verify_blob_store().await.unwrap().checked, 22);
}

#[tokio::test]
async fn blobs_survive_backup_and_restore_byte_for_byte() {
    let t = TestApp::spawn().await;
    t.org_with_roles("acme").await;
    let ctx = t.app.org_for_cli("acme").await.unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let mut tx = t.app.db.begin().await.unwrap();
    let s = t
        .app
        .store_upload_tx(
            &mut tx,
            ctx.org.id,
            &Upload::from_bytes("x.bin", binary.clone()),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.content_type, "application/octet-stream");
    let mut buf = Vec::new();
    isms_db::backup::backup(&t.app.db, isms_db::Ts(t.app.now()), &mut buf)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = TestDb::fresh(dir.path()).await.connect().await;
    isms_db::backup::restore(&target, std::io::Cursor::new(&buf))
        .await
        .unwrap();
    let app2 = isms_app::App::new(target, t.clock.clone(), Default::default());
    let ctx2 = app2.org_for_cli("acme").await.unwrap();
    assert_eq!(
        app2.read_file(&ctx2, &s.sha256, "x").await.unwrap().bytes,
        binary
    );
}
