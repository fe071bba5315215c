//! The `isms` binary as an operator uses it: exit codes, messages, files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use isms_testkit::{PASSWORD, TestDb};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
    db: TestDb,
}

impl Env {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::fresh(dir.path()).await;
        Self { dir, db }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_isms"));
        c.env_remove("ISMS_DATABASE_URL")
            .env_remove("ISMS_DATA_DIR")
            .env_remove("ISMS_LISTEN");
        c.arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--database")
            .arg(self.db.cli_url());
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = self.cmd();
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        } else {
            drop(child.stdin.take());
        }
        child.wait_with_output().unwrap()
    }

    /// Start `isms serve` and return the child and its base URL (callers kill and wait).
    #[allow(clippy::zombie_processes)]
    fn serve(&self, extra: &[&str]) -> (Child, String, Vec<String>) {
        let mut c = self.cmd();
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "serve exited early: {lines:?}"
            );
            if let Some(url) = line.trim().strip_prefix("Listening on ") {
                let url = url.to_owned();
                lines.push(line);
                return (child, url, lines);
            }
            lines.push(line);
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn help_on_every_level() {
    let e = Env::new().await;
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["org", "add", "--help"],
        vec!["demo", "--help"],
        vec!["audit-trail", "verify", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["migrate", "--help"],
        vec!["check", "--help"],
    ] {
        let o = e.run(&args, None);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let o = e.run(&["no-such-command"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn users_and_orgs_from_the_command_line() {
    let e = Env::new().await;
    let o = e.run(&["migrate"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--admin",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("password: is too short"), "{}", text(&o));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--admin",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("instance administrator"));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "ROOT@example.com",
            "--name",
            "Again",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("email:"), "{}", text(&o));
    let o = e.run(
        &["org", "add", "--name", "Acme Ltd", "--employees", "40"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("(acme-ltd)"));
    let o = e.run(
        &["org", "add", "--name", "Bad", "--slug", "Not Valid"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("slug:"));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "aud@cb.example",
            "--name",
            "Auditor",
            "--org",
            "acme-ltd",
            "--role",
            "external_auditor",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "external auditors need an end date"
    );
    assert!(text(&o).contains("expires_on"));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "aud@cb.example",
            "--name",
            "Auditor",
            "--org",
            "acme-ltd",
            "--role",
            "external_auditor",
            "--expires-on",
            "2099-01-01",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "all or nothing: the failed attempt left no account behind: {}",
        text(&o)
    );
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "mgr@example.com",
            "--name",
            "Manager",
            "--org",
            "acme-ltd",
            "--role",
            "isms_manager",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Added to acme-ltd as ISMS manager"));
    let o = e.run(
        &[
            "user",
            "add",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--org",
            "nope",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn demo_size_small_generates_an_org_that_verifies_and_is_kept_on_a_rerun() {
    let e = Env::new().await;
    let o = e.run(&["demo", "--size", "small", "--org", "xs"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Generated organisation Xs (xs)")
            && t.contains("200 assets")
            && t.contains("100 risks"),
        "{t}"
    );
    let o = e.run(&["demo", "--size", "small", "--org", "xs"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("already exists; nothing was changed"),
        "{}",
        text(&o)
    );
    let o = e.run(&["audit-trail", "verify", "--org", "xs"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["evidence", "verify"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["check", "stage1", "--org", "xs"], None);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let o = e.run(&["demo", "--size", "huge"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[tokio::test]
async fn demo_is_idempotent_and_verify_catches_one_edited_byte() {
    let e = Env::new().await;
    for _ in 0..2 {
        let o = e.run(&["demo"], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = e.run(&["audit-trail", "verify"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("northwind"));
    // Edit one byte of one stored entry, straight in the database.
    let db = e.db.connect().await;
    let sql = "UPDATE audit_entries SET summary = replace(summary, 'added', 'addeD') WHERE seq = 4 AND chain_id = (SELECT id FROM organisations WHERE slug = 'northwind')";
    match &db {
        isms_db::Db::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
        isms_db::Db::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
    db.close().await;
    let o = e.run(&["audit-trail", "verify"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("BROKEN") && t.contains("northwind") && t.contains("(#4)"),
        "{t}"
    );
    let o = e.run(&["audit-trail", "verify", "--org", "bluefin"], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the other chain is intact: {}",
        text(&o)
    );
}

/// The findings, corrective actions and management reviews of the demo export as CSV and
/// XLSX, once each however often the demo is loaded.
#[tokio::test]
async fn findings_and_reviews_export() {
    let e = Env::new().await;
    let o = e.run(&["demo", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["demo", "--org", "northwind"], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the demo is idempotent: {}",
        text(&o)
    );
    for (kind, head, has) in [
        ("findings", "finding,source,grade", "F-008"),
        (
            "corrective-actions",
            "action,finding,title",
            "verified_ineffective",
        ),
        ("management-reviews", "review,title", "MR-002"),
    ] {
        let o = e.run(
            &["export", kind, "--org", "northwind", "--format", "csv"],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let csv = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(csv.starts_with(head), "{kind}: {csv}");
        assert!(csv.contains(has), "{kind}: {csv}");
        assert!(!csv.contains("F-009"), "{kind}: no duplicate demo rows");
        let file = e.dir.path().join(format!("{kind}.xlsx"));
        let o = e.run(
            &[
                "export",
                kind,
                "--org",
                "northwind",
                "--format",
                "xlsx",
                "-o",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(std::fs::read(&file).unwrap().starts_with(b"PK"));
    }
}

/// `isms evidence verify` over the demo's stored files: 0 while they match; one stored
/// file changed in the database is named by organisation, number, title and hash, exit 1.
/// The evidence export lists the register.
#[tokio::test]
async fn evidence_verify_names_a_tampered_file() {
    let e = Env::new().await;
    let o = e.run(&["demo", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["evidence", "verify"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("every file matches"), "{}", text(&o));
    let o = e.run(
        &[
            "export",
            "evidence",
            "--org",
            "northwind",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(csv.starts_with("reference,kind,title"), "{csv}");
    assert!(csv.contains("Backup restore test log"), "{csv}");
    let o = e.run(
        &[
            "export",
            "evidence",
            "--org",
            "northwind",
            "--format",
            "xlsx",
            "-o",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "-o needs a file: {}", text(&o));
    let db = e.db.connect().await;
    let (sha, title): (String, String) = match &db {
        isms_db::Db::Sqlite(p) => sqlx::query_as(
            "SELECT blob_sha256, title FROM evidence WHERE kind = 'file' ORDER BY number LIMIT 1",
        )
        .fetch_one(p)
        .await
        .unwrap(),
        isms_db::Db::Postgres(p) => sqlx::query_as(
            "SELECT blob_sha256, title FROM evidence WHERE kind = 'file' ORDER BY number LIMIT 1",
        )
        .fetch_one(p)
        .await
        .unwrap(),
    };
    let sql = format!(
        "UPDATE blobs SET data = {} WHERE sha256 = '{sha}'",
        match &db {
            isms_db::Db::Sqlite(_) => "CAST('%PDF-1.4 forged' AS BLOB)",
            isms_db::Db::Postgres(_) => "convert_to('%PDF-1.4 forged', 'UTF8')",
        }
    );
    match &db {
        isms_db::Db::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
        isms_db::Db::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
    }
    db.close().await;
    let o = e.run(&["evidence", "verify"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("BROKEN")
            && t.contains("northwind")
            && t.contains("EV-0001")
            && t.contains(&title)
            && t.contains(&sha),
        "{t}"
    );
    assert!(t.contains("1 of "), "{t}");
}

#[tokio::test]
async fn backup_and_restore() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    let file = e.dir.path().join("backup.isms");
    let o = e.run(&["backup", "-o", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["backup", "-o", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "never overwrites");
    // Into a new, empty database.
    let e2 = Env::new().await;
    let o = e2.run(&["restore", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e2.run(&["audit-trail", "verify"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Assets, tags, data flows and risk links come back too.
    for kind in [
        "assets",
        "data-flows",
        "risks",
        "controls",
        "findings",
        "corrective-actions",
        "management-reviews",
    ] {
        let before = e.run(&["export", kind, "--org", "northwind"], None).stdout;
        let after = e2.run(&["export", kind, "--org", "northwind"], None).stdout;
        assert!(before.len() > 200, "{kind}");
        assert_eq!(before, after, "{kind} survive backup and restore");
    }
    // Not an isms backup: refused with exit 2.
    let junk = e.dir.path().join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let e3 = Env::new().await;
    let o = e3.run(&["restore", junk.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not an isms backup"));
    // Into a database that has data: refused.
    let o = e2.run(&["restore", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not empty"), "{}", text(&o));
}

#[tokio::test]
async fn serve_first_run_and_demo_messages() {
    let e = Env::new().await;
    let (mut child, url, lines) = e.serve(&[]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("isms user add") && l.contains("--admin --password-stdin")),
        "{lines:?}"
    );
    let body = reqwest::get(format!("{url}/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("No accounts yet"));
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, url, lines) = e.serve(&["--demo"]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Demo sign-in: admin@northwind.example / northwind-demo-2026")),
        "{lines:?}"
    );
    assert_eq!(
        reqwest::get(format!("{url}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Two `isms serve` processes on one database: a session made through one works through
/// the other (the sessions live in the database, not in a process).
#[tokio::test]
async fn two_instances_share_sessions() {
    let e = Env::new().await;
    let (mut a, url_a, _) = e.serve(&["--demo"]);
    let (mut b, url_b, _) = e.serve(&[]);
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{url_a}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@northwind.example", "password": "northwind-demo-2026"}))
        .send().await.unwrap().json().await.unwrap();
    let token = login["token"].as_str().unwrap();
    let r = http
        .get(format!("{url_b}/api/v1/orgs/northwind"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{url_b}/api/v1/auth/logout"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = http
        .get(format!("{url_a}/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
}

#[tokio::test]
async fn export_registers() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    let o = e.run(&["export", "members", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("email,name,role,role_label,expires_on,active,two_step,member_since\n"),
        "{csv}"
    );
    assert!(
        csv.contains("auditor@certbody.example,Lars Nilsson,external_auditor,External auditor,")
    );
    let path = e.dir.path().join("trail.md");
    let o = e.run(
        &[
            "export",
            "audit-trail",
            "--org",
            "northwind",
            "--format",
            "md",
            "-o",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("# Audit trail of Northwind Cloud Ltd"));
    assert!(md.contains("| 1 |"));
    let o = e.run(
        &["export", "gap", "--org", "northwind", "--format", "md"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(
        md.starts_with("# Gap assessment report: Pre-certification check"),
        "{md}"
    );
    assert!(md.contains("- **Organisation:** Northwind Cloud Ltd"));
    assert!(md.contains("## Maturity per area") && md.contains("| Supplier security |"));
    let pdf_path = e.dir.path().join("gap.pdf");
    let o = e.run(
        &[
            "export",
            "gap",
            "--org",
            "northwind",
            "--format",
            "pdf",
            "-o",
            pdf_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pdf = std::fs::read(&pdf_path).unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    assert!(pages[0].contains("Gap assessment report: Pre-certification check"));
    // The report is dated the day the demo ran (not a fixed day).
    let dated = pages[0].split_whitespace().any(|w| {
        let b = w.as_bytes();
        b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
    });
    assert!(
        pages[0].contains("Northwind Cloud Ltd") && dated,
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("Supplier security"), "{}", pages[0]);
    let o = e.run(
        &["export", "gap", "--org", "northwind", "--format", "xlsx"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("format:"), "{}", text(&o));
    let xlsx = e.dir.path().join("tasks.xlsx");
    let o = e.run(
        &[
            "export",
            "tasks",
            "--org",
            "northwind",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
    let o = e.run(&["export", "tasks", "--org", "northwind"], None);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with(
            "reference,title,item,owner,start_on,due_on,status,priority,late,description\nT-001,"
        ),
        "{csv}"
    );
    assert!(csv.contains("Collect signed confidentiality agreements"));
    // The controls as implemented: CSV (Northwind's demo states) and XLSX.
    let o = e.run(&["export", "controls", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("control,title,status,owner,implementation,"),
        "{csv}"
    );
    assert!(csv.contains("\nA.5.15,Access control,Implemented,Amelia Hart,"));
    assert!(csv.contains("\nA.5.5,Contact with authorities,Planned,"));
    assert!(csv.contains("implementation overdue"));
    assert!(csv.contains("\nNW-04,"), "own controls after Annex A");
    let controls_path = e.dir.path().join("controls.xlsx");
    let o = e.run(
        &[
            "export",
            "controls",
            "--org",
            "northwind",
            "--format",
            "xlsx",
            "-o",
            controls_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(&std::fs::read(&controls_path).unwrap()[..2], b"PK");
    // The risk register as XLSX and the treatment plan as PDF.
    let risks_path = e.dir.path().join("risks.xlsx");
    let o = e.run(
        &[
            "export",
            "risks",
            "--org",
            "northwind",
            "--format",
            "xlsx",
            "-o",
            risks_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(&std::fs::read(&risks_path).unwrap()[..2], b"PK");
    let o = e.run(&["export", "risks", "--org", "northwind"], None);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("reference,title,threat,vulnerability,owner,"),
        "{csv}"
    );
    assert!(csv.contains("R-001,Ransomware encrypts the production file shares"));
    let plan = e.dir.path().join("plan.pdf");
    let o = e.run(
        &[
            "export",
            "risk-treatment-plan",
            "--org",
            "northwind",
            "--format",
            "pdf",
            "-o",
            plan.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let text_of_plan = pdf_extract::extract_text_from_mem_by_pages(&std::fs::read(&plan).unwrap())
        .unwrap()
        .join("\n");
    assert!(text_of_plan.contains("Risk treatment plan: Northwind Cloud Ltd"));
    assert!(text_of_plan.contains("R-004"), "{text_of_plan}");
    // The asset inventory and the data flows.
    let o = e.run(&["export", "assets", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("reference,name,type,owner,custodian,location,confidentiality,"),
        "{csv}"
    );
    assert!(csv.contains("A-0001,Customer account records,information,"));
    assert!(
        csv.lines().count() > 120,
        "about 120 demo assets and a header"
    );
    let assets_path = e.dir.path().join("assets.xlsx");
    let o = e.run(
        &[
            "export",
            "assets",
            "--org",
            "northwind",
            "--format",
            "xlsx",
            "-o",
            assets_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(&std::fs::read(&assets_path).unwrap()[..2], b"PK");
    let o = e.run(&["export", "data-flows", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.starts_with("reference,from,to,data_category,mechanism,encrypted"));
    assert!(
        csv.contains("F-001,A-") && csv.contains(",Customer portal,Customer database"),
        "{csv}"
    );
    assert!(csv.contains(",no,"), "some demo flows are not encrypted");
    let o = e.run(
        &[
            "export",
            "vendors",
            "--org",
            "northwind",
            "--format",
            "docx",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains("format:") && t.contains("kind:"), "{t}");
    let o = e.run(&["export", "members", "--org", "nope"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn export_foundation_documents_and_registers() {
    let e = Env::new().await;
    assert_eq!(e.run(&["demo"], None).status.code(), Some(0));
    let o = e.run(
        &["export", "scope", "--org", "northwind", "--format", "md"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(
        md.starts_with(
            "# Scope of the information security management system: Northwind Cloud Ltd"
        ),
        "{md}"
    );
    assert!(md.contains("- **Status:** approved"), "{md}");
    assert!(md.contains("Sales office in Paris — reason:"), "{md}");
    assert!(
        !md.contains("Leeds"),
        "the draft is not the version in force"
    );
    let o = e.run(
        &["export", "issues", "--org", "northwind", "--format", "csv"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.starts_with("reference,kind,category,title,"), "{csv}");
    assert_eq!(csv.lines().count(), 11, "header and 10 issues");
    // Bluefin has only a draft scope and no policy: exit 2 naming the kind.
    let o = e.run(&["export", "policy", "--org", "bluefin"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("no approved information security policy"),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn export_and_import_the_soa() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    // Default: the approved version.
    let o = e.run(
        &["export", "soa", "--org", "northwind", "--format", "md"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("- **SoA version:** 1"), "{md}");
    assert!(md.contains("- **Status:** approved"), "{md}");
    assert!(md.contains("- **Scope reference:** Scope statement version 1"));
    // --version picks the draft; the PDF has a title page and page numbers.
    let pdf = e.dir.path().join("soa.pdf");
    let o = e.run(
        &[
            "export",
            "soa",
            "--org",
            "northwind",
            "--format",
            "pdf",
            "--version",
            "2",
            "-o",
            pdf.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pages = pdf_extract::extract_text_from_mem_by_pages(&std::fs::read(&pdf).unwrap()).unwrap();
    assert!(pages[0].contains("Northwind Cloud Ltd"));
    assert!(pages[0].contains("draft"));
    assert!(pages[0].contains(&format!("Page 1 of {}", pages.len())));
    assert!(
        !pages[0].contains("A.5.1 "),
        "the title page holds no table"
    );
    let o = e.run(
        &["export", "soa", "--org", "northwind", "--version", "9"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = e.run(
        &["export", "members", "--org", "northwind", "--version", "1"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    // Import: bad rows exit 2 naming each line; nothing is written.
    let before = e
        .run(
            &["export", "soa", "--org", "northwind", "--version", "2"],
            None,
        )
        .stdout;
    let bad = e.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Control,Applicable,Justification\nA.9.1.1,yes,Access policy\n5.2,maybe,\n7.4,no,\n",
    )
    .unwrap();
    let o = e.run(
        &["import", "soa", "--org", "northwind", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("line 3") && t.contains("line 4"), "{t}");
    assert!(t.contains("nothing was imported"), "{t}");
    let after = e
        .run(
            &["export", "soa", "--org", "northwind", "--version", "2"],
            None,
        )
        .stdout;
    assert_eq!(before, after);
    // A 2013 row: the dry run shows the change, the import makes it.
    let good = e.dir.path().join("good.csv");
    std::fs::write(
        &good,
        "Control,Applicable,Justification\nA.11.1.1,no,Fully remote from next year\n",
    )
    .unwrap();
    let o = e.run(
        &[
            "import",
            "soa",
            "--org",
            "northwind",
            good.to_str().unwrap(),
            "--dry-run",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("Dry run") && t.contains("A.7.1"), "{t}");
    assert_eq!(
        before,
        e.run(
            &["export", "soa", "--org", "northwind", "--version", "2"],
            None
        )
        .stdout
    );
    let o = e.run(
        &[
            "import",
            "soa",
            "--org",
            "northwind",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(
        e.run(
            &["export", "soa", "--org", "northwind", "--version", "2"],
            None,
        )
        .stdout,
    )
    .unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("A.7.1,") && l.contains("Fully remote from next year")),
        "{csv}"
    );
    let o = e.run(
        &[
            "import",
            "assets",
            "--org",
            "northwind",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn export_suppliers_and_trainings() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    let o = e.run(
        &[
            "export",
            "suppliers",
            "--org",
            "northwind",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("reference,name,service,criticality,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 9, "header and 8 suppliers");
    assert!(csv.contains("critical, never assessed"), "{csv}");
    assert!(csv.contains("assessment overdue"), "{csv}");
    let o = e.run(
        &[
            "export",
            "trainings",
            "--org",
            "northwind",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(
        csv.starts_with("person,competence,completed_on,expires_on,"),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.ends_with(",expired")), "{csv}");
}

/// `isms check`: exit 0 for the certified demo, 1 with the blockers for the gap-stage
/// demo, 2 on bad usage; the JSON, the text and the readiness report agree.
#[tokio::test]
async fn check_readiness_exit_codes_and_the_report_agree() {
    let e = Env::new().await;
    let o = e.run(&["demo"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = e.run(&["check", "stage1", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.starts_with("Stage 1 audit readiness of Northwind Cloud Ltd"),
        "{out}"
    );
    assert!(out.contains("0 failed"), "{out}");
    assert!(!out.contains("FAIL ["), "{out}");

    let o = e.run(&["check", "stage1", "--org", "bluefin"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("FAIL [scope-defined]"), "{out}");
    assert!(out.contains("FAIL [policy-approved]"), "{out}");
    assert!(out.contains("     fix: "), "{out}");
    // Blockers come first: the first rule line is a failure.
    assert!(
        out.lines().nth(1).is_some_and(|l| l.starts_with("FAIL")),
        "{out}"
    );

    // JSON: the API's report; the same outcomes as the text and the Markdown report.
    let o = e.run(
        &["check", "stage2", "--org", "northwind", "--format", "json"],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(json["profile"], "stage2");
    let o = e.run(
        &[
            "export",
            "readiness",
            "--org",
            "northwind",
            "--profile",
            "stage2",
            "--format",
            "md",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(md.contains("Stage 2 audit — score"), "{md}");
    for r in json["results"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let outcome = r["outcome"].as_str().unwrap().replace('_', " ");
        let row = md
            .lines()
            .find(|l| l.contains(&format!("({id})")))
            .unwrap_or_else(|| panic!("{id} in the report"));
        assert!(row.contains(&format!("| {outcome} |")), "{id}: {row}");
    }
    let pdf = e.dir.path().join("readiness.pdf");
    let o = e.run(
        &[
            "export",
            "readiness",
            "--org",
            "bluefin",
            "--format",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    // Bad usage: exit 2 naming what is wrong, nothing on standard output.
    for (args, says) in [
        (vec!["check", "stage3", "--org", "northwind"], "profile:"),
        (vec!["check", "stage1", "--org", "nobody"], "org:"),
        (
            vec!["check", "stage1", "--org", "northwind", "--format", "xml"],
            "format:",
        ),
        (
            vec!["export", "soa", "--org", "northwind", "--profile", "stage1"],
            "profile:",
        ),
        (
            vec![
                "export",
                "readiness",
                "--org",
                "northwind",
                "--format",
                "csv",
            ],
            "format",
        ),
    ] {
        let o = e.run(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// `isms export stage1-pack` over the Northwind demo: a zip (without `--format`) whose
/// manifest lists every file, each a PDF or Markdown file whose SHA-256 matches; another
/// format is refused with exit 2.
#[tokio::test]
async fn stage1_pack_export() {
    use sha2::Digest;
    use std::io::Read;
    let e = Env::new().await;
    let o = e.run(&["demo", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let path = e.dir.path().join("pack.zip");
    let o = e.run(
        &[
            "export",
            "stage1-pack",
            "--org",
            "northwind",
            "-o",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let bytes = std::fs::read(&path).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut out = Vec::new();
        f.read_to_end(&mut out).unwrap();
        files.push((f.name().unwrap().into_owned(), out));
    }
    let get = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("{name} is not in the pack"))
    };
    let manifest: serde_json::Value = serde_json::from_slice(&get("manifest.json")).unwrap();
    assert_eq!(manifest["organisation"], "Northwind Cloud Ltd");
    let mut pdfs = 0;
    let mut listed = Vec::new();
    for item in manifest["items"].as_array().unwrap() {
        for f in item["files"].as_array().unwrap() {
            let name = f["path"].as_str().unwrap();
            let bytes = get(name);
            assert!(!bytes.is_empty(), "{name}");
            assert_eq!(
                f["sha256"].as_str().unwrap(),
                hex::encode(sha2::Sha256::digest(&bytes)),
                "{name}"
            );
            if name.ends_with(".pdf") {
                assert!(bytes.starts_with(b"%PDF"), "{name}");
                pdfs += 1;
            }
            listed.push(name.to_owned());
        }
    }
    assert_eq!(pdfs, 8, "the eight Stage 1 documents of a certified ISMS");
    // SHA256SUMS lists the same files with the same hashes, in `sha256sum -c` form.
    let sums = String::from_utf8(get("SHA256SUMS")).unwrap();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        assert!(listed.iter().any(|l| l == name), "{line}");
        assert_eq!(hash, hex::encode(sha2::Sha256::digest(get(name))));
    }
    assert_eq!(sums.lines().count(), listed.len());
    assert_eq!(
        files.len(),
        listed.len() + 3,
        "README, manifest and sums besides"
    );
    let readme = String::from_utf8(get("README.md")).unwrap();
    assert!(
        readme.contains("Every document Stage 1 reviews is included."),
        "{readme}"
    );

    // The same records give the same archive, byte for byte.
    let o = e.run(
        &[
            "export",
            "stage1-pack",
            "--org",
            "northwind",
            "--format",
            "zip",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        o.stdout == std::fs::read(&path).unwrap(),
        "a second export differs"
    );

    let o = e.run(
        &[
            "export",
            "stage1-pack",
            "--org",
            "northwind",
            "--format",
            "pdf",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("format"), "{}", text(&o));
}

/// `isms export oscal --org SLUG -o DIR` writes the four OSCAL documents; a second export
/// of unchanged records gives identical files; without `-o` it is a usage error (exit 2).
#[tokio::test]
async fn oscal_export() {
    let e = Env::new().await;
    let o = e.run(&["demo", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let export = |dir: &std::path::Path| {
        let o = e.run(
            &[
                "export",
                "oscal",
                "--org",
                "northwind",
                "-o",
                dir.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    };
    let (a, b) = (e.dir.path().join("a"), e.dir.path().join("b"));
    export(&a);
    export(&b);
    for (name, key) in [
        ("ssp.json", "system-security-plan"),
        ("assessment-results.json", "assessment-results"),
        ("poam.json", "plan-of-action-and-milestones"),
        ("catalog.json", "catalog"),
    ] {
        let bytes = std::fs::read(a.join(name)).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc[key]["metadata"]["oscal-version"], "1.1.2", "{name}");
        assert_eq!(bytes, std::fs::read(b.join(name)).unwrap(), "{name}");
    }
    let o = e.run(&["export", "oscal", "--org", "northwind"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("-o DIR"), "{}", text(&o));
}

fn read_tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                todo.push((e.path(), format!("{name}/")));
            } else {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// `isms export yaml` twice gives the same files; `isms import yaml` into a new
/// organisation gives them back byte for byte; into a non-empty one it shows the plan
/// and waits for --yes; a broken file writes nothing and names file, line and field.
#[tokio::test]
async fn isms_as_code_round_trip_plan_and_refusals() {
    let e = Env::new().await;
    assert_eq!(e.run(&["demo"], None).status.code(), Some(0));
    let a = e.dir.path().join("a");
    let a_s = a.to_str().unwrap();
    let o = e.run(&["export", "yaml", "--org", "northwind", "-o", a_s], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let first = read_tree(&a);
    // Again into the same directory (an earlier export): the same files.
    std::fs::create_dir(a.join(".git")).unwrap();
    let o = e.run(&["export", "yaml", "--org", "northwind", "-o", a_s], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(a.join(".git").is_dir(), "the export removed .git");
    std::fs::remove_dir(a.join(".git")).unwrap();
    assert_eq!(first, read_tree(&a));
    assert!(first.contains_key("README.md") && first.contains_key("risks.yaml"));
    // Into a directory that holds something else: refused.
    let other = e.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = e.run(
        &[
            "export",
            "yaml",
            "--org",
            "northwind",
            "-o",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "mine"
    );

    let o = e.run(&["org", "add", "--name", "Copy", "--slug", "copy"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A broken file: exit 2, file/line/field named, nothing written.
    let bad = e.dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    for (p, b) in &first {
        let path = bad.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b).unwrap();
    }
    let risks = String::from_utf8(first["risks.yaml"].clone()).unwrap();
    std::fs::write(
        bad.join("risks.yaml"),
        risks.replacen("  number: 1\n", "  number: one\n", 1),
    )
    .unwrap();
    let o = e.run(
        &["import", "yaml", bad.to_str().unwrap(), "--org", "copy"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("nothing was imported"), "{t}");
    assert!(t.contains("risks.yaml line 2, field number"), "{t}");
    let c = e.dir.path().join("c");
    let o = e.run(
        &["export", "yaml", "--org", "copy", "-o", c.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        String::from_utf8(read_tree(&c)["risks.yaml"].clone()).unwrap(),
        "[]\n"
    );
    // The good files: created, and exported back byte for byte.
    let o = e.run(&["import", "yaml", a_s, "--org", "copy"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Imported"), "{}", text(&o));
    let b = e.dir.path().join("b");
    let o = e.run(
        &["export", "yaml", "--org", "copy", "-o", b.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(first, read_tree(&b));
    // A change into a non-empty organisation: the plan, exit 2 until --yes.
    std::fs::write(
        b.join("risks.yaml"),
        risks.replacen(
            "title: Ransomware encrypts the production file shares",
            "title: Ransomware on the file shares",
            1,
        ),
    )
    .unwrap();
    let b_s = b.to_str().unwrap();
    let o = e.run(&["import", "yaml", b_s, "--org", "copy", "--dry-run"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Dry run"), "{}", text(&o));
    let o = e.run(&["import", "yaml", b_s, "--org", "copy"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("risks.yaml: 0 added, 1 changed, 0 removed"),
        "{t}"
    );
    assert!(t.contains("changed  R-001") && t.contains("--yes"), "{t}");
    let o = e.run(&["import", "yaml", b_s, "--org", "copy", "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = e.run(&["export", "risks", "--org", "copy"], None);
    assert!(
        text(&o).contains("Ransomware on the file shares"),
        "{}",
        text(&o)
    );
}

mod frameworks;

/// `isms export ARGS… --org northwind -o PATH`.
fn export_file(e: &Env, args: &[&str], path: &std::path::Path) -> std::process::Output {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    all.extend(["--org", "northwind", "-o", path.to_str().unwrap()]);
    e.run(&all, None)
}

/// `isms import KIND --org northwind PATH [--dry-run]`.
fn import_file(e: &Env, kind: &str, path: &std::path::Path, dry_run: bool) -> std::process::Output {
    let p = path.to_str().unwrap();
    let mut args = vec!["import", kind, "--org", "northwind", p];
    if dry_run {
        args.push("--dry-run");
    }
    e.run(&args, None)
}

#[tokio::test]
async fn exports_re_import_unchanged_and_bad_asset_files_exit_2() {
    let e = Env::new().await;
    assert_eq!(
        e.run(&["demo", "--org", "northwind"], None).status.code(),
        Some(0)
    );
    // The demo inventory, as CSV and XLSX, re-imports with every row unchanged.
    for fmt in ["csv", "xlsx"] {
        let file = e.dir.path().join(format!("assets.{fmt}"));
        let o = export_file(&e, &["assets", "--format", fmt], &file);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = e.run(
            &[
                "import",
                "assets",
                "--org",
                "northwind",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let t = text(&o);
        assert!(t.contains(": 0 created, 0 updated,"), "{fmt}: {t}");
    }
    // The SoA's own export re-imports (the draft as it is).
    let soa = e.dir.path().join("soa.xlsx");
    let o = export_file(&e, &["soa", "--format", "xlsx", "--version", "2"], &soa);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = import_file(&e, "soa", &soa, true);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("0 would change"), "{}", text(&o));
    // Every bad line is listed; exit 2; nothing written.
    let bad = e.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,type,owner,confidentiality,integrity,availability\nOne,car,nobody,1,1,1\nTwo,software,nobody,9,1,1\n",
    )
    .unwrap();
    let o = import_file(&e, "assets", &bad, false);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    for want in [
        "lines[2].type",
        "lines[2].owner",
        "lines[3].owner",
        "lines[3].confidentiality",
        "nothing was imported",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
}
