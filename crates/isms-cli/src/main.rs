//! `isms`: the ISMS Workbench binary — web UI and API server, and the operator's tools.

// The bar is used by the long imports and exports.
mod progress;
mod yaml_dir;

mod frameworks;

/// mimalloc instead of the system allocator, for Rust and (feature `override`) for the
/// bundled SQLite's C code too: sqlx copies every value SQLite returns on the
/// connection's own thread and we free it on ours, and glibc's allocator made those
/// cross-thread frees the largest cost of long reads (docs/performance.md, audit-trail
/// verify: 8.1 s -> 1.8 s for 1,000,000 entries).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use isms_app::progress::Progress as _;
use isms_app::users::NewUser;
use isms_app::{Actor, App, AppError, Settings, SystemClock};
use isms_db::{ConnectOptions, Db};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// ISMS Workbench: an ISO/IEC 27001:2022 certification workbench.
#[derive(Parser, Debug)]
#[command(name = "isms", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// Directory for the embedded database and other local files.
    #[arg(
        long,
        global = true,
        env = "ISMS_DATA_DIR",
        default_value = "./isms-data"
    )]
    data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: isms.db in the data directory).
    #[arg(long, global = true, env = "ISMS_DATABASE_URL")]
    database: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web UI and REST API.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Load the demo organisations (idempotent).
    Demo(DemoArgs),
    /// Work with the hash-chained audit trail.
    #[command(subcommand, name = "audit-trail")]
    AuditTrail(AuditCmd),
    /// Work with the evidence files in the blob store.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// Run a readiness profile (stage1, stage2, surveillance) over an organisation's records: exit 0 when no rule fails, 1 when one does, 2 on bad usage or data.
    Check(CheckArgs),
    /// Export a register (audit-trail, members, tasks: csv, md, xlsx), the gap report (gap: md), the Statement of Applicability (soa: pdf, xlsx, csv, md) or the Stage 1 document pack (stage1-pack: zip); yaml writes the whole organisation as a directory of YAML files (-o DIR).
    #[command(disable_version_flag = true)]
    Export(ExportArgs),
    /// Import records: a register from a CSV or XLSX file (soa with 2013 or 2022 control ids, assets; see docs/import.md), yaml (a directory written by `isms export yaml`: a plan first, --yes applies it to an organisation that holds records), a framework (oscal-catalog, ciso-assistant) or a mapping. All or nothing.
    Import(ImportArgs),
    /// Write a consistent backup of the whole database to a file.
    Backup(BackupArgs),
    /// Restore a backup into an empty database.
    Restore(RestoreArgs),
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ISMS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Load the demo organisations and print the demo sign-in.
    #[arg(long)]
    demo: bool,
    /// Set when users reach the server over HTTPS (e.g. behind a TLS proxy): cookies get
    /// the `__Host-` prefix and `Secure`, and HSTS is sent.
    #[arg(long, env = "ISMS_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Largest file accepted for upload (evidence, document attachments), in MiB.
    #[arg(long, env = "ISMS_UPLOAD_LIMIT_MB", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=1024))]
    upload_limit_mb: u64,
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// Create an account; the password comes from standard input or a prompt.
    Add(UserAddArgs),
    /// Set a new password for an account (ends all its sessions).
    SetPassword(SetPasswordArgs),
}

#[derive(Args, Debug)]
struct UserAddArgs {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Also make the account a member of this organisation (slug).
    #[arg(long, requires = "role")]
    org: Option<String>,
    /// The role in --org: admin, isms_manager, contributor, internal_auditor, external_auditor, viewer.
    #[arg(long, requires = "org")]
    role: Option<String>,
    /// Last day of access in --org (YYYY-MM-DD); required for external auditors.
    #[arg(long, requires = "org")]
    expires_on: Option<String>,
    /// Instance administrator: sees and manages every organisation.
    #[arg(long)]
    admin: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args, Debug)]
struct SetPasswordArgs {
    #[arg(long)]
    email: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand, Debug)]
enum OrgCmd {
    /// Create an organisation.
    Add(OrgAddArgs),
}

#[derive(Args, Debug)]
struct OrgAddArgs {
    #[arg(long)]
    name: String,
    /// Short name used in addresses (default: made from the name).
    #[arg(long)]
    slug: Option<String>,
    /// People working under the organisation's control.
    #[arg(long, default_value_t = 1)]
    employees: i64,
    /// Sites (locations) in the ISMS scope.
    #[arg(long, default_value_t = 1)]
    sites: i64,
    /// Another management system already running, e.g. "ISO 9001".
    #[arg(long)]
    other_management_system: Option<String>,
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// Load only this demo organisation (northwind or bluefin); with --size, the slug of
    /// the organisation to generate (default acme-SIZE).
    #[arg(long)]
    org: Option<String>,
    /// Generate one organisation of this size instead: small (200 assets, 100 risks),
    /// medium (2,000 assets, 5,000 risks) or large (100,000 assets, 50,000 risks,
    /// 200,000 evidence records, 1,000,000 audit-trail entries).
    #[arg(long, value_parser = ["small", "medium", "large"])]
    size: Option<String>,
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Re-compute the hash chains; exit 1 and name the first bad entry if one was changed.
    Verify(VerifyArgs),
}

#[derive(Subcommand, Debug)]
enum EvidenceCmd {
    /// Re-hash every stored file; exit 1 and name each piece of evidence whose bytes no
    /// longer match their recorded SHA-256.
    Verify,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// Only this organisation's chain.
    #[arg(long)]
    org: Option<String>,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// What to export: audit-trail, members, tasks, gap, risks, risk-treatment-plan, assets, data-flows, controls, soa, documents, evidence, incidents, suppliers, trainings, measurements, audits, findings, corrective-actions, management-reviews, certification-audits, stage1-pack (the documents Stage 1 reviews, with their SHA-256, in a zip) or oscal (NIST OSCAL 1.1.2 JSON: ssp.json, assessment-results.json, poam.json and catalog.json in the directory -o names).
    kind: String,
    /// The organisation's slug.
    #[arg(long)]
    org: String,
    /// csv, md or xlsx (gap: md; soa: pdf, xlsx, csv or md; stage1-pack: zip). Default csv,
    /// and zip for stage1-pack.
    #[arg(long)]
    format: Option<String>,
    /// soa: the version number (default: the approved version, else the draft).
    #[arg(long = "version", id = "soa_version", value_name = "N")]
    soa_version: Option<i64>,
    /// readiness: one profile (stage1, stage2 or surveillance; default: all three).
    #[arg(long)]
    profile: Option<String>,
    /// Write to this file instead of standard output (oscal: this directory).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The rule set: stage1, stage2 or surveillance.
    profile: String,
    /// The organisation's slug.
    #[arg(long)]
    org: String,
    /// text (the rules with reasons and fixes) or json (the API's report).
    #[arg(long, default_value = "text")]
    format: String,
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// What to import: soa, assets; yaml (a directory written by `isms export yaml`); oscal-catalog (an OSCAL catalog JSON as a framework), ciso-assistant (a CISO Assistant library YAML), mapping (CSV/XLSX: source id, target id, relationship[, rationale]; needs --framework).
    kind: String,
    /// The organisation's slug.
    #[arg(long)]
    org: String,
    /// The file (CSV or XLSX), or the directory (yaml).
    path: PathBuf,
    /// Show what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// yaml: apply the plan to an organisation that already holds records.
    #[arg(long)]
    yes: bool,
    /// mapping: the framework (its id or name) the mapping is for.
    #[arg(long)]
    framework: Option<String>,
}

#[derive(Args, Debug)]
struct BackupArgs {
    /// The file to write (refuses to overwrite an existing one).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// A file written by `isms backup`.
    file: PathBuf,
}

/// An error with the exit code it deserves.
struct Failure {
    code: u8,
    message: String,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let code = match e {
            AppError::Internal(_) => 3,
            _ => 2,
        };
        let message = match &e {
            AppError::Validation(v) => v
                .errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.to_string(),
        };
        Failure { code, message }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure {
            code: 3,
            message: format!("{e:#}"),
        }
    }
}

/// The failure of an import: the path, that nothing was written, and why.
fn not_imported(path: &Path) -> impl FnOnce(AppError) -> Failure + '_ {
    move |e| {
        let mut f = Failure::from(e);
        f.message = format!("{}: nothing was imported\n{}", path.display(), f.message);
        f
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn database_url(g: &Global) -> anyhow::Result<String> {
    if let Some(u) = &g.database {
        return Ok(u.clone());
    }
    std::fs::create_dir_all(&g.data_dir)
        .with_context(|| format!("cannot create the data directory {}", g.data_dir.display()))?;
    let path = g.data_dir.join("isms.db");
    Ok(format!("sqlite://{}", path.display()))
}

async fn open(g: &Global) -> Result<App, Failure> {
    open_with(g, Settings::default()).await
}

async fn open_with(g: &Global, settings: Settings) -> Result<App, Failure> {
    let url = database_url(g)?;
    let db = Db::connect(&ConnectOptions::new(url.clone()))
        .await
        .map_err(|e| Failure {
            code: 3,
            message: format!("cannot open the database {}: {e}", redact(&url)),
        })?;
    db.migrate().await.map_err(|e| Failure {
        code: 3,
        message: format!("database migration failed: {e}"),
    })?;
    Ok(App::new(db, Arc::new(SystemClock), settings))
}

/// Hide a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn read_password(from_stdin: bool) -> Result<String, Failure> {
    let pw = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| usage(format!("cannot read the password from standard input: {e}")))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        let a = rpassword::prompt_password("Password: ").map_err(|e| {
            usage(format!(
                "cannot prompt for a password ({e}); use --password-stdin"
            ))
        })?;
        let b = rpassword::prompt_password("Again: ")
            .map_err(|e| usage(format!("cannot prompt for a password: {e}")))?;
        if a != b {
            return Err(usage("the two passwords differ"));
        }
        a
    };
    if pw.is_empty() {
        return Err(usage(
            "password: is required (give it on standard input with --password-stdin)",
        ));
    }
    Ok(pw)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn serve(g: &Global, a: &ServeArgs) -> Result<(), Failure> {
    let settings = Settings {
        upload_limit_bytes: a.upload_limit_mb * 1024 * 1024,
        ..Settings::default()
    };
    let app = open_with(g, settings).await?;
    if a.demo {
        let info = app.load_demo(None).await?;
        println!(
            "Demo data loaded: {}",
            info.orgs
                .iter()
                .map(|(s, n)| format!("{n} ({s})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("Demo sign-in: {} / {}", info.admin_email, info.password);
        println!(
            "Other demo accounts (same password): {}",
            info.accounts
                .iter()
                .filter(|(e, ..)| *e != info.admin_email)
                .map(|(e, r, o)| format!("{e} ({}, {o})", r.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else if app.user_count().await? == 0 {
        println!("No accounts yet. Create the first administrator with:");
        println!(
            "  printf '%s' 'a long passphrase' | isms user add --email you@example.com --name \"Your Name\" --admin --password-stdin"
        );
        println!("or start with demo data: isms serve --demo");
    }
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .map_err(|e| Failure {
            code: 3,
            message: format!("cannot listen on {}: {e}", a.listen),
        })?;
    let addr = listener.local_addr().map_err(|e| Failure {
        code: 3,
        message: e.to_string(),
    })?;
    println!("Listening on http://{addr}");
    let _ = std::io::stdout().flush();
    // Housekeeping: drop ended sessions and closed sign-in counters every ten minutes.
    let hk = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = hk.housekeeping().await {
                tracing::warn!(error = %e, "housekeeping failed");
            }
        }
    });
    let state = isms_web::AppState::new(app.clone(), a.secure_cookies);
    isms_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| Failure {
            code: 3,
            message: format!("server failed: {e}"),
        })?;
    app.db.close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    let g = &cli.global;
    match &cli.command {
        Command::Serve(a) => serve(g, a).await?,
        Command::Migrate => {
            let app = open(g).await?;
            let mut c = app.db.read().await.map_err(|e| Failure {
                code: 3,
                message: e.to_string(),
            })?;
            let versions = isms_db::schema::applied_migrations(&mut c)
                .await
                .map_err(|e| Failure {
                    code: 3,
                    message: e.to_string(),
                })?;
            println!(
                "Database is up to date ({} migrations applied).",
                versions.len()
            );
        }
        Command::User(UserCmd::Add(a)) => {
            let password = read_password(a.password_stdin)?;
            let app = open(g).await?;
            let ctx = match &a.org {
                Some(slug) => Some(
                    app.org_for_cli(slug)
                        .await
                        .map_err(|_| usage(format!("org: no organisation \"{slug}\"")))?,
                ),
                None => None,
            };
            let new_user = NewUser {
                email: a.email.clone(),
                name: a.name.clone(),
                password,
                is_admin: a.admin,
            };
            let admin_note = if a.admin {
                ", instance administrator"
            } else {
                ""
            };
            match (ctx, &a.role) {
                (Some(ctx), Some(role)) => {
                    let m = app
                        .create_user_in_org(Actor::Cli, &ctx, &new_user, role, a.expires_on.clone())
                        .await?;
                    println!("Created account {} ({}){admin_note}", m.email, m.user_id);
                    println!("Added to {} as {}", ctx.org.slug, m.role.label());
                }
                _ => {
                    let u = app.create_user(Actor::Cli, &new_user).await?;
                    println!("Created account {} ({}){admin_note}", u.email, u.id);
                }
            }
        }
        Command::User(UserCmd::SetPassword(a)) => {
            let password = read_password(a.password_stdin)?;
            let app = open(g).await?;
            app.reset_password_cli(&a.email, &password).await?;
            println!(
                "Password set for {}; all its sessions were ended.",
                a.email.trim().to_lowercase()
            );
        }
        Command::Org(OrgCmd::Add(a)) => {
            let app = open(g).await?;
            let o = app
                .create_org(
                    Actor::Cli,
                    &isms_app::orgs::NewOrg {
                        name: a.name.clone(),
                        slug: a.slug.clone(),
                        employees: a.employees,
                        sites: Some(a.sites),
                        other_management_system: a.other_management_system.clone(),
                    },
                )
                .await?;
            println!("Created organisation {} ({})", o.name, o.slug);
        }
        Command::Demo(a) if a.size.is_some() => {
            let app = open(g).await?;
            let size_name = a.size.as_deref().unwrap_or("small");
            let size = isms_app::demo_gen::DemoSize::parse("size", size_name)
                .map_err(|e| Failure::from(AppError::from(e)))?;
            let slug = a.org.clone().unwrap_or_else(|| format!("acme-{size_name}"));
            let started = std::time::Instant::now();
            let r = app
                .generate_demo(&slug, &size, &progress::Bar::new())
                .await?;
            if r.created {
                println!(
                    "Generated organisation {} ({}) in {:.1} s: {} people, {} assets, {} data flows, {} risks, {} evidence records, {} tasks, {} audit-trail entries",
                    r.name,
                    r.slug,
                    started.elapsed().as_secs_f64(),
                    r.people,
                    r.assets,
                    r.flows,
                    r.risks,
                    r.evidence,
                    r.tasks,
                    r.audit_entries
                );
            } else {
                println!(
                    "Organisation {} ({}) already exists; nothing was changed",
                    r.name, r.slug
                );
            }
            println!(
                "Sign in as {} with password {}",
                isms_app::demo::DEMO_ADMIN,
                isms_app::demo::DEMO_PASSWORD
            );
        }
        Command::Demo(a) => {
            let app = open(g).await?;
            let info = app.load_demo(a.org.as_deref()).await?;
            for (slug, name) in &info.orgs {
                println!("Demo organisation ready: {name} ({slug})");
            }
            println!(
                "Sign in as {} with password {}",
                info.admin_email, info.password
            );
        }
        Command::AuditTrail(AuditCmd::Verify(a)) => {
            let app = open(g).await?;
            let reports = app.verify_all_audit(a.org.as_deref()).await?;
            let mut broken = false;
            for r in &reports {
                if r.ok {
                    println!(
                        "ok      {:<24} {} entries verified",
                        r.chain, r.entries_checked
                    );
                } else {
                    broken = true;
                    println!(
                        "BROKEN  {:<24} {}",
                        r.chain,
                        r.problem.as_deref().unwrap_or("")
                    );
                }
            }
            if reports.is_empty() {
                println!("No audit trail entries yet.");
            }
            if broken {
                eprintln!("The audit trail was changed outside ISMS Workbench.");
                return Ok(1);
            }
        }
        Command::Evidence(EvidenceCmd::Verify) => {
            let app = open(g).await?;
            let check = app.verify_evidence_files().await?;
            for b in &check.broken {
                println!(
                    "BROKEN  {:<16} {:<9} \"{}\"  recorded SHA-256 {}",
                    b.org_slug, b.reference, b.title, b.sha256
                );
            }
            if check.broken.is_empty() {
                println!(
                    "ok      {} stored file{} verified: every file matches its SHA-256",
                    check.files_checked,
                    if check.files_checked == 1 { "" } else { "s" }
                );
            } else {
                let files: std::collections::BTreeSet<(&str, &str)> = check
                    .broken
                    .iter()
                    .map(|b| (b.org_slug.as_str(), b.sha256.as_str()))
                    .collect();
                eprintln!(
                    "{} of {} stored files no longer match their recorded SHA-256 and are refused on download; restore them from a backup.",
                    files.len(),
                    check.files_checked
                );
                return Ok(1);
            }
        }
        Command::Check(a) => {
            let profile = isms_domain::readiness::Profile::parse("profile", &a.profile)
                .map_err(|e| Failure::from(AppError::from(e)))?;
            let json = match a.format.as_str() {
                "text" => false,
                "json" => true,
                other => {
                    return Err(usage(format!(
                        "format: \"{other}\" is not a check format; choose text or json"
                    )));
                }
            };
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            let report = app.readiness(&ctx, profile).await?;
            let out = if json {
                let mut s = serde_json::to_string_pretty(&report).map_err(|e| Failure {
                    code: 3,
                    message: e.to_string(),
                })?;
                s.push('\n');
                s
            } else {
                isms_domain::readiness::to_text(&ctx.org.name, &report)
            };
            std::io::stdout()
                .write_all(out.as_bytes())
                .map_err(|e| Failure {
                    code: 3,
                    message: e.to_string(),
                })?;
            return Ok(u8::from(!report.ok()));
        }
        Command::Export(a) if a.kind == "yaml" => {
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            let dir = a
                .output
                .as_deref()
                .ok_or_else(|| usage("output: give the directory to write with -o DIR"))?;
            let bar = progress::Bar::new();
            let files = app.export_yaml(&ctx, &bar).await?;
            yaml_dir::write(dir, &files).map_err(usage)?;
            eprintln!("Wrote {} files to {}.", files.len(), dir.display());
        }
        Command::Import(a) if a.kind == "yaml" => {
            let files = yaml_dir::read(&a.path).map_err(usage)?;
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            let mode = match (a.dry_run, a.yes) {
                (true, _) => isms_app::isms_code::ImportMode::DryRun,
                (false, true) => isms_app::isms_code::ImportMode::ApplyConfirmed,
                (false, false) => isms_app::isms_code::ImportMode::Apply,
            };
            let bar = progress::Bar::new();
            let r = app
                .import_yaml(Actor::Cli, &ctx, &files, mode, &bar)
                .await
                .map_err(not_imported(&a.path))?;
            return Ok(yaml_dir::print_report(&a.org, &r, a.dry_run));
        }
        Command::Export(a) => {
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            if a.profile.is_some() && a.kind != "readiness" {
                return Err(usage("profile: only the readiness export takes a profile"));
            }
            if a.kind == "oscal" {
                export_oscal(&app, &ctx, a).await?;
                return Ok(0);
            }
            let format = a.format.clone().unwrap_or_else(|| {
                match a.kind.as_str() {
                    "stage1-pack" => "zip",
                    "readiness" => "pdf",
                    _ => "csv",
                }
                .to_owned()
            });
            let bar = progress::Bar::new();
            bar.start(&format!("exporting {}", a.kind), 0);
            let file = match (a.kind.as_str(), a.soa_version) {
                ("readiness", None) if a.profile.is_some() => {
                    let fmt = isms_export::TableFormat::parse(&format).ok_or_else(|| {
                        usage(format!(
                            "format: \"{format}\" is not a readiness report format; choose pdf or md"
                        ))
                    })?;
                    let p = isms_domain::readiness::Profile::parse(
                        "profile",
                        a.profile.as_deref().unwrap_or_default(),
                    )
                    .map_err(|e| Failure::from(AppError::from(e)))?;
                    app.readiness_file(&ctx, Some(p), fmt).await?
                }
                ("soa", n) => {
                    let fmt = isms_export::TableFormat::parse(&format).ok_or_else(|| {
                        usage(format!(
                            "format: \"{format}\" is not an SoA format; choose pdf, xlsx, csv or md"
                        ))
                    })?;
                    app.soa_file(&ctx, n, fmt).await?
                }
                (_, Some(_)) => {
                    return Err(usage("version: only the soa export has versions"));
                }
                _ => app.export(&ctx, &a.kind, &format, None).await?,
            };
            bar.finish();
            match &a.output {
                Some(path) => {
                    std::fs::write(path, &file.bytes)
                        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
                    eprintln!("Wrote {} ({} bytes).", path.display(), file.bytes.len());
                }
                None => {
                    std::io::stdout()
                        .write_all(&file.bytes)
                        .map_err(|e| Failure {
                            code: 3,
                            message: e.to_string(),
                        })?;
                }
            }
        }
        Command::Import(a) if frameworks::KINDS.contains(&a.kind.as_str()) => {
            frameworks::import(g, a).await?;
        }
        Command::Import(a) if isms_app::imports::IMPORT_KINDS.contains(&a.kind.as_str()) => {
            let bytes = std::fs::read(&a.path)
                .map_err(|e| usage(format!("cannot read {}: {e}", a.path.display())))?;
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            let bar = progress::Bar::new();
            let r = app
                .import_register(Actor::Cli, &ctx, &a.kind, &bytes, a.dry_run, &bar)
                .await
                .map_err(|e| {
                    let mut f = Failure::from(e);
                    f.message =
                        format!("{}: nothing was imported\n{}", a.path.display(), f.message);
                    f
                })?;
            println!(
                "{}{} rows read: {} {}created, {} {}updated, {} unchanged.",
                if r.dry_run {
                    "Dry run: nothing was written. "
                } else {
                    ""
                },
                r.rows,
                r.created.len(),
                if r.dry_run { "would be " } else { "" },
                r.updated.len(),
                if r.dry_run { "would be " } else { "" },
                r.unchanged
            );
        }
        Command::Import(a) => {
            if a.kind != "soa" {
                return Err(usage(format!(
                    "kind: \"{}\" cannot be imported; choose soa, yaml, oscal-catalog, ciso-assistant, mapping or {}",
                    a.kind,
                    isms_app::imports::IMPORT_KINDS.join(", ")
                )));
            }
            let bytes = std::fs::read(&a.path)
                .map_err(|e| usage(format!("cannot read {}: {e}", a.path.display())))?;
            let app = open(g).await?;
            let ctx = app
                .org_for_cli(&a.org)
                .await
                .map_err(|_| usage(format!("org: no organisation \"{}\"", a.org)))?;
            let r = app
                .import_soa(Actor::Cli, &ctx, &bytes, a.dry_run)
                .await
                .map_err(not_imported(&a.path))?;
            print_import(&r);
        }
        Command::Backup(a) => {
            if a.output.exists() {
                return Err(usage(format!(
                    "{} already exists; choose a new file name",
                    a.output.display()
                )));
            }
            let app = open(g).await?;
            let tmp = a.output.with_extension("partial");
            let stats = {
                let f = std::fs::File::create(&tmp)
                    .map_err(|e| usage(format!("cannot write {}: {e}", tmp.display())))?;
                let mut w = std::io::BufWriter::new(f);
                isms_db::backup::backup(&app.db, isms_db::Ts(app.now()), &mut w)
                    .await
                    .map_err(|e| Failure {
                        code: 3,
                        message: format!("backup failed: {e}"),
                    })?
            };
            std::fs::rename(&tmp, &a.output).map_err(|e| Failure {
                code: 3,
                message: e.to_string(),
            })?;
            println!(
                "Backup written to {}: {} rows from {} tables.",
                a.output.display(),
                stats.rows,
                stats.tables
            );
        }
        Command::Restore(a) => {
            let f = std::fs::File::open(&a.file)
                .map_err(|e| usage(format!("cannot read {}: {e}", a.file.display())))?;
            check_backup_header(&a.file)?;
            let app = open(g).await?;
            let stats = isms_db::backup::restore(&app.db, std::io::BufReader::new(f))
                .await
                .map_err(|e| match e {
                    isms_db::DbError::Backup(m) => usage(m),
                    other => Failure {
                        code: 3,
                        message: format!("restore failed: {other}"),
                    },
                })?;
            println!("Restored {} rows from {}.", stats.rows, a.file.display());
        }
    }
    Ok(0)
}

fn print_import(r: &isms_app::soa::ImportReport) {
    if r.dry_run {
        println!(
            "Dry run: nothing was written. {} rows read, {} controls decided; {} would change in {}draft version {}, {} already as the file says.",
            r.rows,
            r.controls,
            r.changes.len(),
            if r.new_draft { "a new " } else { "" },
            r.version,
            r.unchanged
        );
    } else {
        println!(
            "Imported into {}draft version {}: {} rows read, {} controls decided, {} changed, {} already as the file says.",
            if r.new_draft { "new " } else { "" },
            r.version,
            r.rows,
            r.controls,
            r.changes.len(),
            r.unchanged
        );
    }
    for c in &r.changes {
        let mut texts = Vec::new();
        if c.inclusion_note_changed {
            texts.push("inclusion note");
        }
        if c.exclusion_justification_changed {
            texts.push("exclusion justification");
        }
        println!(
            "  A.{:<6} {} -> {}{}  ({})",
            c.control,
            c.before.label().to_lowercase(),
            c.after.label().to_lowercase(),
            if texts.is_empty() {
                String::new()
            } else {
                format!("; {}", texts.join(", "))
            },
            c.from.join("; ")
        );
    }
}

/// `isms export oscal --org SLUG -o DIR`: the four OSCAL documents as files in DIR.
async fn export_oscal(
    app: &isms_app::App,
    ctx: &isms_app::orgs::OrgCtx,
    a: &ExportArgs,
) -> Result<(), Failure> {
    if a.format.as_deref().is_some_and(|f| f != "json") {
        return Err(usage(
            "format: the OSCAL documents are JSON (--format json)",
        ));
    }
    if a.soa_version.is_some() {
        return Err(usage("version: only the soa export has versions"));
    }
    let dir = a.output.as_ref().ok_or_else(|| {
        usage("output: the OSCAL export writes four files; name a directory with -o DIR")
    })?;
    let docs = app.oscal_documents(ctx).await?;
    std::fs::create_dir_all(dir)
        .map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
    for (name, doc) in &docs {
        let path = dir.join(name);
        let bytes = isms_export::oscal::to_bytes(doc);
        std::fs::write(&path, &bytes)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("Wrote {} ({} bytes).", path.display(), bytes.len());
    }
    Ok(())
}

/// Refuse a file that is not an isms backup before touching the database.
fn check_backup_header(path: &Path) -> Result<(), Failure> {
    let f = std::fs::File::open(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    let mut first = String::new();
    let mut r = std::io::BufReader::new(f);
    let _ = r.read_line(&mut first);
    let ok = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .and_then(|v| {
            v.get("format")
                .and_then(|f| f.as_str())
                .map(|s| s == isms_db::backup::FORMAT)
        })
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(usage(format!(
            "{} is not an isms backup (no isms-backup header)",
            path.display()
        )))
    }
}

fn main() -> ExitCode {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ISMS_LOG")
                // sqlx logs a slow statement with its whole text: a bulk insert of a
                // thousand rows fills the terminal. ISMS_LOG=sqlx=warn shows them.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,isms_web=info,sqlx::query=error")
                }),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(3);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
