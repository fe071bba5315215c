//! `isms-bench`: runs a release `isms` binary through the benchmark workloads (demo data,
//! server start, API and HTML latency, exports, import, checks) and prints a Markdown
//! table of the results with their targets. See bench/README.md.

mod load;
mod process;
mod table;
mod workloads;

use anyhow::{Context, Result, bail};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use table::{Header, Met, Row};
use workloads::Bench;

/// The workload keys `--only` accepts, in the order they run.
const KEYS: [&str; 19] = [
    "demo",
    "start",
    "create-asset",
    "create-risk",
    "list-assets",
    "list-risks",
    "soa-page",
    "dashboard",
    "asset-page",
    "risk-page",
    "soa-pdf",
    "risks-xlsx",
    "yaml",
    "soa-pdf-api",
    "import",
    "check",
    "verify",
    "rss",
    "all",
];

/// Benchmark harness for ISMS Workbench: prints a Markdown table of the results.
#[derive(Parser, Debug)]
#[command(name = "isms-bench", version, about)]
struct Args {
    /// Demo data size: small, medium or large.
    #[arg(long, default_value = "medium", value_parser = ["small", "medium", "large"])]
    size: String,
    /// `sqlite` (a fresh file in the work directory) or a PostgreSQL server URL,
    /// e.g. postgres://postgres@127.0.0.1:5432 (the database isms_bench is recreated).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// The isms binary (default: `isms` next to this executable).
    #[arg(long)]
    isms: Option<PathBuf>,
    /// Work directory (default: a fresh directory under the system temp dir).
    #[arg(long)]
    workdir: Option<PathBuf>,
    /// Only these workloads (comma separated keys: demo, start, create-asset,
    /// create-risk, list-assets, list-risks, soa-page, dashboard, asset-page, risk-page,
    /// soa-pdf, risks-xlsx, yaml, soa-pdf-api, import, check, verify, rss).
    #[arg(long, value_delimiter = ',')]
    only: Option<Vec<String>>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("isms-bench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Run everything; `Ok(false)` when a workload failed.
async fn run(args: Args) -> Result<bool> {
    if let Some(only) = &args.only
        && let Some(bad) = only.iter().find(|k| !KEYS.contains(&k.as_str()))
    {
        bail!(
            "--only: unknown workload \"{bad}\"; choose from {}",
            KEYS.join(", ")
        );
    }
    let isms = match args.isms {
        Some(p) => p,
        None => std::env::current_exe()
            .context("cannot find this executable")?
            .with_file_name("isms"),
    };
    if !isms.is_file() {
        bail!(
            "{} does not exist; build it (cargo build --release -p isms-cli) or pass --isms PATH",
            isms.display()
        );
    }
    let workdir = match args.workdir {
        Some(d) => {
            std::fs::create_dir_all(&d)
                .with_context(|| format!("cannot create {}", d.display()))?;
            d
        }
        None => fresh_dir()?,
    };
    let workdir = std::fs::canonicalize(&workdir)?;
    eprintln!("[bench] work directory {}", workdir.display());
    let (db_url, db_label) = database(&args.database, &workdir)?;
    let header = Header {
        date_utc: now_utc(),
        nproc: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        mem_total: mem_total(),
        database: db_label,
        size: args.size.clone(),
        git_rev: git_rev(),
        isms: isms.display().to_string(),
    };
    let only = args.only.filter(|keys| !keys.iter().any(|k| k == "all"));
    let mut b = Bench {
        isms,
        workdir: workdir.clone(),
        db_url,
        org: format!("acme-{}", args.size),
        size: args.size,
        only,
        rows: Vec::new(),
    };
    run_workloads(&mut b).await;

    let md = table::markdown(&header, &b.rows);
    print!("{md}");
    std::fs::write(workdir.join("results.md"), &md).context("cannot write results.md")?;
    let json = serde_json::to_string_pretty(&table::json(&header, &b.rows))?;
    std::fs::write(workdir.join("results.json"), json).context("cannot write results.json")?;
    eprintln!(
        "[bench] wrote {} and results.json",
        workdir.join("results.md").display()
    );
    Ok(!b.rows.iter().any(|r| r.met == Met::Failed))
}

/// A failed workload becomes a FAILED row; the run goes on.
/// A workload run through the CLI: its key, the row's name, and the run.
type CliRow = (&'static str, &'static str, fn(&mut Bench) -> Result<()>);

/// Run each wanted CLI workload in order and record its row.
fn run_cli_rows(b: &mut Bench, rows: &[CliRow]) {
    for (key, name, run) in rows {
        if b.wants(key) {
            let r = run(b);
            record(b, key, name, r);
        }
    }
}

fn record(b: &mut Bench, key: &str, name: &str, r: Result<()>) {
    if let Err(e) = r {
        eprintln!("[bench] {name} FAILED: {e:#}");
        b.push(Row::failed(key, name, &e));
    }
}

/// All workloads, in order; each skipped unless `--only` names it.
async fn run_workloads(b: &mut Bench) {
    if b.wants("demo") {
        let r = b.demo();
        record(b, "demo", "isms demo", r);
    }
    let http = [
        "start",
        "create-asset",
        "create-risk",
        "list-assets",
        "list-risks",
        "soa-page",
        "dashboard",
        "asset-page",
        "risk-page",
        "soa-pdf-api",
        "rss",
    ];
    let mut session = None;
    if b.wants_any(&http) {
        match b.start().await {
            Ok((server, base)) => match b.sign_in(server, base).await {
                Ok(s) => session = Some(s),
                Err(e) => record(b, "start", "sign in", Err(e)),
            },
            Err(e) => record(b, "start", "isms serve", Err(e)),
        }
    }
    if let Some(s) = &session {
        let org = format!("/o/{}", b.org);
        if b.wants("create-asset") {
            let r = b.create(s, "create-asset", "assets").await;
            record(b, "create-asset", "POST assets", r);
        }
        if b.wants("create-risk") {
            let r = b.create(s, "create-risk", "risks").await;
            record(b, "create-risk", "POST risks", r);
        }
        if b.wants("list-assets") {
            let r = b.list_assets(s).await;
            record(b, "list-assets", "GET assets", r);
        }
        if b.wants("list-risks") {
            let r = b.list_risks(s).await;
            record(b, "list-risks", "GET risks", r);
        }
        let pages = [
            ("soa-page", format!("{org}/soa"), 100, true),
            ("dashboard", org.clone(), 100, true),
            ("asset-page", format!("{org}/assets"), 0, false),
            ("risk-page", format!("{org}/risks"), 0, false),
        ];
        for (key, path, per_task, target) in pages {
            if b.wants(key) {
                let r = b.page(s, key, &path, per_task, target).await;
                record(b, key, &format!("GET {path}"), r);
            }
        }
    }
    run_cli_rows(
        b,
        &[
            ("soa-pdf", "isms export soa --format pdf", Bench::soa_pdf),
            (
                "risks-xlsx",
                "isms export risks --format xlsx",
                Bench::risks_xlsx,
            ),
            ("yaml", "isms export yaml", Bench::yaml),
        ],
    );
    if let Some(s) = &session
        && b.wants("soa-pdf-api")
    {
        let r = b.soa_pdf_api(s).await;
        record(b, "soa-pdf-api", "SoA PDF through the API", r);
    }
    run_cli_rows(
        b,
        &[
            ("import", "isms import assets", Bench::import),
            ("check", "isms check stage2", Bench::check),
            ("verify", "isms audit-trail verify", Bench::verify),
        ],
    );
    if let Some(s) = session {
        let r = b.stop(s);
        record(b, "rss", "server peak RSS", r);
    }
}

/// A new directory isms-bench-N under the system temp dir.
fn fresh_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    for n in 0..1000 {
        let d = base.join(format!("isms-bench-{pid}-{n}"));
        match std::fs::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", d.display())),
        }
    }
    bail!("cannot create a work directory under {}", base.display())
}

/// The database URL for isms, and its label for the header. PostgreSQL: recreate isms_bench.
fn database(arg: &str, workdir: &Path) -> Result<(String, String)> {
    if arg == "sqlite" {
        let path = workdir.join("bench.db");
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                eprintln!("[bench] note: reusing {}", p.display());
            }
        }
        return Ok((format!("sqlite://{}", path.display()), "SQLite".to_owned()));
    }
    if !arg.starts_with("postgres://") && !arg.starts_with("postgresql://") {
        bail!("--database: give sqlite or a postgres://USER@HOST:PORT server URL");
    }
    let server = arg.trim_end_matches('/');
    eprintln!("[bench] recreating database isms_bench on {server}");
    process::run_ok(
        Command::new("psql")
            .arg(format!("{server}/postgres"))
            .args(["-v", "ON_ERROR_STOP=1", "-q"])
            .args(["-c", "DROP DATABASE IF EXISTS isms_bench"])
            .args(["-c", "CREATE DATABASE isms_bench"]),
        None,
        &[0],
        "psql (is PostgreSQL running, and psql installed?)",
    )?;
    let version = process::run_ok(
        Command::new("psql")
            .arg(format!("{server}/postgres"))
            .args(["-tAc", "SHOW server_version"]),
        None,
        &[0],
        "psql SHOW server_version",
    )
    .map(|f| f.stdout.trim().to_owned())
    .unwrap_or_default();
    let label = if version.is_empty() {
        "PostgreSQL".to_owned()
    } else {
        format!("PostgreSQL {version}")
    };
    Ok((format!("{server}/isms_bench"), label))
}

/// The current time in UTC, to the minute.
fn now_utc() -> String {
    // The harness has no injected clock: the date of a benchmark run is the wall clock.
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    now.format(&fmt).unwrap_or_default()
}

/// MemTotal from /proc/meminfo, in GiB.
fn mem_total() -> String {
    let kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    format!("{:.1} GiB", kib as f64 / (1024.0 * 1024.0))
}

/// `git rev-parse --short HEAD` in the current directory, if it is a checkout.
fn git_rev() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}
