//! The workloads, in the order they run. Each pushes its rows onto the `Bench`.

use crate::load::{self, Stats, expect, expect_json, ok_200, success};
use crate::process::{self, Finished, Server};
use crate::table::Row;
use anyhow::{Context, Result, anyhow, bail};
use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Demo sign-in (admin of the generated organisation).
const DEMO_EMAIL: &str = "admin@northwind.example";
const DEMO_PASSWORD: &str = "northwind-demo-2026";
/// The organisation the import goes into, and its one member (the assets' owner).
const IMPORT_ORG: &str = "bench-import";
const IMPORT_OWNER: &str = "bench-owner@bench.example";
const IMPORT_ROWS: usize = 100_000;
/// Concurrent tasks for the concurrent runs.
const TASKS: usize = 8;

/// The state of a run: where things are, and the rows so far.
pub struct Bench {
    pub isms: PathBuf,
    pub workdir: PathBuf,
    pub db_url: String,
    pub size: String,
    pub org: String,
    pub only: Option<Vec<String>>,
    pub rows: Vec<Row>,
}

/// A running server and the clients signed in to it.
pub struct Session {
    pub server: Server,
    pub base: String,
    /// Sends `Authorization: Bearer …` on every request.
    pub api: Client,
    /// Holds the session cookie of an HTML sign-in; follows no redirects.
    pub html: Client,
    /// The signed-in admin's user id (for `owner_id`).
    pub me: String,
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

/// A size in bytes, readable.
fn bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// Number with thousands separators.
fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn stats_raw(s: &Stats) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

impl Bench {
    /// Is the workload `key` part of this run?
    pub fn wants(&self, key: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|keys| keys.iter().any(|k| k == key))
    }

    /// Does the run include any of these workloads?
    pub fn wants_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.wants(k))
    }

    /// Record a row and show it as progress.
    pub fn push(&mut self, row: Row) {
        eprintln!("[bench]   {}: {}", row.workload, row.result);
        self.rows.push(row);
    }

    /// `isms --data-dir … --database …` ready for a subcommand.
    fn isms(&self) -> Command {
        let mut c = Command::new(&self.isms);
        c.arg("--data-dir")
            .arg(self.workdir.join("data"))
            .arg("--database")
            .arg(&self.db_url)
            // Keep the CLI's logs to warnings; the progress bar is not a terminal anyway.
            .env("ISMS_LOG", "warn");
        c
    }

    /// Run `isms ARGS…`, failing unless it exits with one of `ok`.
    fn run_isms(&self, args: &[&str], stdin: Option<&[u8]>, ok: &[i32]) -> Result<Finished> {
        let mut c = self.isms();
        c.args(args);
        process::run_ok(&mut c, stdin, ok, &format!("isms {}", args.join(" ")))
    }

    /// As `run_isms`, but "already used" (a reused work directory) is fine too.
    fn ensure_isms(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<()> {
        let mut c = self.isms();
        c.args(args);
        let label = format!("isms {}", args.join(" "));
        let f = process::run_ok(&mut c, stdin, &[0, 2], &label)?;
        if f.code == Some(2) {
            if f.stderr.contains("already used") {
                eprintln!("[bench] {label}: {}", f.stderr.trim());
            } else {
                bail!("{label}: {}", f.describe());
            }
        }
        Ok(())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.workdir.join(name)
    }

    fn path_str(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    // ---- 1. demo data -----------------------------------------------------------------

    /// `isms demo --size SIZE`.
    pub fn demo(&mut self) -> Result<()> {
        eprintln!("[bench] demo --size {}", self.size);
        let f = self.run_isms(&["demo", "--size", &self.size], None, &[0])?;
        let first = f.stdout.lines().next().unwrap_or_default().to_owned();
        let row = Row::new(
            "demo",
            format!("isms demo --size {}", self.size),
            format!("{}, peak RSS {:.0} MiB", secs(f.wall), mib(f.max_rss_kib)),
        )
        .raw(
            json!({"wall_s": f.wall.as_secs_f64(), "max_rss_kib": f.max_rss_kib, "output": first}),
        );
        self.push(row);
        Ok(())
    }

    // ---- 2. server start -------------------------------------------------------------

    /// Start `isms serve`, time it to the first 200 of /readyz, then idle RSS.
    pub async fn start(&mut self) -> Result<(Server, String)> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        eprintln!("[bench] serve --listen {listen}");
        let mut c = self.isms();
        c.args(["serve", "--listen", &listen]);
        let mut server = Server::spawn(&mut c)?;
        let deadline = server.started + Duration::from_secs(30);
        let cold = loop {
            if readyz(&listen).await {
                break server.started.elapsed();
            }
            if server.exited() || Instant::now() > deadline {
                let log = server.kill_for_log();
                bail!("the server did not become ready within 30 s; its log:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let pid = server
            .pid()
            .ok_or_else(|| anyhow!("the server has no pid"))?;
        let idle = process::proc_status_kib(pid, "VmRSS")?;
        if self.wants("start") {
            let ms = cold.as_secs_f64() * 1000.0;
            self.push(
                Row::new("start", "cold start to /readyz 200", format!("{ms:.0} ms"))
                    .target("< 300 ms", ms < 300.0)
                    .raw(json!({"cold_start_ms": ms})),
            );
            self.push(
                Row::new(
                    "start",
                    "idle RSS (1 s after ready)",
                    format!("{:.1} MiB", mib(idle)),
                )
                .target("< 50 MiB", mib(idle) < 50.0)
                .raw(json!({"vm_rss_kib": idle})),
            );
        }
        Ok((server, format!("http://{listen}")))
    }

    // ---- 3. sign in ------------------------------------------------------------------

    /// Sign in through the API (bearer token) and through the HTML form (cookie).
    pub async fn sign_in(&self, server: Server, base: String) -> Result<Session> {
        let plain = Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let login = plain
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
            .send()
            .await?;
        let login = expect_json(login, ok_200).await.context("API sign-in")?;
        let token = login
            .get("token")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("the login response has no token: {login}"))?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
        let api = Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(120))
            .build()?;
        let me = expect_json(
            api.get(format!("{base}/api/v1/auth/me")).send().await?,
            ok_200,
        )
        .await
        .context("GET /api/v1/auth/me")?;
        let me = me
            .pointer("/user/id")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("/api/v1/auth/me has no user.id: {me}"))?
            .to_owned();

        let html = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?;
        let r = html
            .post(format!("{base}/login"))
            .form(&[
                ("email", DEMO_EMAIL),
                ("password", DEMO_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await?;
        expect(r, |s| s == reqwest::StatusCode::SEE_OTHER)
            .await
            .context("HTML sign-in (POST /login)")?;
        Ok(Session {
            server,
            base,
            api,
            html,
            me,
        })
    }

    // ---- 4. HTTP workloads ------------------------------------------------------------

    /// POST a new record N times in a row, then from 8 tasks.
    pub async fn create(&mut self, s: &Session, key: &str, what: &str) -> Result<()> {
        let url = format!("{}/api/v1/orgs/{}/{what}", s.base, self.org);
        let owner = s.me.clone();
        let assets = what == "assets";
        let body = move |n: usize| -> Value {
            if assets {
                json!({"asset_type": "hardware", "name": format!("Bench server {n}"),
                       "confidentiality": 2, "integrity": 2, "availability": 2,
                       "owner_id": owner})
            } else {
                json!({"title": format!("Bench risk {n}"),
                       "inherent_likelihood": 3, "inherent_impact": 3})
            }
        };
        eprintln!("[bench] POST {url}");
        let seq = {
            let (api, url, body) = (s.api.clone(), url.clone(), body.clone());
            load::sequential(500, move |i| {
                let req = api.post(&url).json(&body(i));
                async move { expect(req.send().await?, success).await.map(drop) }
            })
            .await?
        };
        let rate_ok = seq.per_second >= 1000.0;
        self.push(
            Row::new(key, format!("POST {what}, sequential"), seq.summary())
                .target("≥ 1,000/s sequential", rate_ok)
                .raw(stats_raw(&seq)),
        );
        let conc = {
            let (api, url) = (s.api.clone(), url.clone());
            load::concurrent(TASKS, 250, move |i| {
                let req = api.post(&url).json(&body(10_000 + i));
                async move { expect(req.send().await?, success).await.map(drop) }
            })
            .await?
        };
        self.push(
            Row::new(key, format!("POST {what}, 8 concurrent"), conc.summary())
                .raw(stats_raw(&conc)),
        );
        Ok(())
    }

    /// Time GETs of `url` in a row and concurrently.
    async fn time_get(
        client: &Client,
        url: &str,
        n: usize,
        tasks: usize,
        per_task: usize,
    ) -> Result<(Stats, Option<Stats>)> {
        let seq = {
            let (c, u) = (client.clone(), url.to_owned());
            load::sequential(n, move |_| {
                let req = c.get(&u);
                async move { expect(req.send().await?, ok_200).await.map(drop) }
            })
            .await?
        };
        let conc = if tasks > 0 {
            let (c, u) = (client.clone(), url.to_owned());
            Some(
                load::concurrent(tasks, per_task, move |_| {
                    let req = c.get(&u);
                    async move { expect(req.send().await?, ok_200).await.map(drop) }
                })
                .await?,
            )
        } else {
            None
        };
        Ok((seq, conc))
    }

    /// A list endpoint: first page (in a row and concurrent) and a deep page.
    async fn list(
        &mut self,
        s: &Session,
        key: &str,
        path: &str,
        query: &str,
        depth: usize,
    ) -> Result<()> {
        let first = format!("{}{path}?{query}", s.base);
        eprintln!("[bench] GET {first}");
        let (seq, conc) = Self::time_get(&s.api, &first, 500, TASKS, 500).await?;
        let label = format!("GET {path}?{query}");
        self.push(
            Row::new(
                key,
                format!("{label}, first page, sequential"),
                seq.summary(),
            )
            .target("p50 < 5 ms", seq.p50_ms < 5.0)
            .raw(stats_raw(&seq)),
        );
        if let Some(c) = conc {
            self.push(
                Row::new(
                    key,
                    format!("{label}, first page, 8 concurrent"),
                    c.summary(),
                )
                .target("≥ 2,000 req/s", c.per_second >= 2000.0)
                .raw(stats_raw(&c)),
            );
        }
        // Follow next_cursor as deep as `depth` pages (or the end).
        let mut url = first.clone();
        let mut page = 1;
        while page < depth {
            let v = expect_json(s.api.get(&url).send().await?, ok_200).await?;
            match v.get("next_cursor").and_then(Value::as_str) {
                Some(c) => {
                    url = format!("{first}&cursor={}", encode(c));
                    page += 1;
                }
                None => break,
            }
        }
        let (deep, _) = Self::time_get(&s.api, &url, 200, 0, 0).await?;
        self.push(
            Row::new(
                key,
                format!("{label}, page {page} (cursor), sequential"),
                deep.summary(),
            )
            .raw(json!({"page": page, "stats": stats_raw(&deep)})),
        );
        Ok(())
    }

    /// [list-assets]: filtered by type, then unfiltered.
    pub async fn list_assets(&mut self, s: &Session) -> Result<()> {
        let path = format!("/api/v1/orgs/{}/assets", self.org);
        self.list(s, "list-assets", &path, "limit=100&type=hardware", 20)
            .await?;
        self.list(s, "list-assets", &path, "limit=100", 50).await
    }

    /// [list-risks]: filtered by the most common status of the first page, then unfiltered.
    pub async fn list_risks(&mut self, s: &Session) -> Result<()> {
        let path = format!("/api/v1/orgs/{}/risks", self.org);
        let v = expect_json(
            s.api
                .get(format!("{}{path}?limit=100", s.base))
                .send()
                .await?,
            ok_200,
        )
        .await?;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for item in v
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(st) = item.get("status").and_then(Value::as_str) {
                *seen.entry(st.to_owned()).or_default() += 1;
            }
        }
        let status = seen
            .iter()
            .max_by_key(|(_, n)| **n)
            .map_or_else(|| "identified".to_owned(), |(s, _)| s.clone());
        eprintln!("[bench] risk statuses on the first page: {seen:?}; filtering on {status}");
        self.list(
            s,
            "list-risks",
            &path,
            &format!("limit=100&status={status}"),
            20,
        )
        .await?;
        self.list(s, "list-risks", &path, "limit=100", 50).await
    }

    /// An HTML page: `n` in a row (p95 target when given) and optionally concurrent.
    pub async fn page(
        &mut self,
        s: &Session,
        key: &str,
        path: &str,
        per_task: usize,
        p95_target: bool,
    ) -> Result<()> {
        let url = format!("{}{path}", s.base);
        eprintln!("[bench] GET {url} (HTML)");
        let tasks = if per_task > 0 { TASKS } else { 0 };
        let (seq, conc) = Self::time_get(&s.html, &url, 200, tasks, per_task).await?;
        let mut row = Row::new(key, format!("GET {path} (HTML), sequential"), seq.summary())
            .raw(stats_raw(&seq));
        if p95_target {
            row = row.target("p95 < 50 ms", seq.p95_ms < 50.0);
        }
        self.push(row);
        if let Some(c) = conc {
            self.push(
                Row::new(key, format!("GET {path} (HTML), 8 concurrent"), c.summary())
                    .raw(stats_raw(&c)),
            );
        }
        Ok(())
    }

    // ---- 5. exports --------------------------------------------------------------------

    /// `isms export KIND --org ORG [--format F] -o PATH`: wall, RSS, size.
    fn export(&self, kind: &str, format: Option<&str>, out: &str) -> Result<(Finished, u64)> {
        let out_path = self.path_str(out);
        let mut args = vec!["export", kind, "--org", &self.org];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        args.extend(["-o", &out_path]);
        let f = self.run_isms(&args, None, &[0])?;
        let size = std::fs::metadata(&out_path)
            .with_context(|| format!("the export wrote no {out_path}"))?
            .len();
        Ok((f, size))
    }

    /// [soa-pdf].
    pub fn soa_pdf(&mut self) -> Result<()> {
        eprintln!("[bench] export soa --format pdf");
        let (f, size) = self.export("soa", Some("pdf"), "soa.pdf")?;
        if size == 0 {
            bail!("soa.pdf is empty");
        }
        self.push(
            Row::new(
                "soa-pdf",
                "isms export soa --format pdf",
                format!(
                    "{}, peak RSS {:.0} MiB, {}",
                    secs(f.wall),
                    mib(f.max_rss_kib),
                    bytes(size)
                ),
            )
            .target("< 1 s", f.wall < Duration::from_secs(1))
            .raw(json!({"wall_s": f.wall.as_secs_f64(), "max_rss_kib": f.max_rss_kib, "bytes": size})),
        );
        Ok(())
    }

    /// [risks-xlsx]; the row count comes from a CSV export of the same register.
    pub fn risks_xlsx(&mut self) -> Result<()> {
        eprintln!("[bench] export risks --format csv (row count)");
        self.export("risks", Some("csv"), "risks.csv")?;
        let csv = std::fs::read_to_string(self.path("risks.csv")).context("risks.csv")?;
        let rows = csv_records(&csv).saturating_sub(1);
        eprintln!("[bench] export risks --format xlsx");
        let (f, size) = self.export("risks", Some("xlsx"), "risks.xlsx")?;
        if size == 0 {
            bail!("risks.xlsx is empty");
        }
        self.push(
            Row::new(
                "risks-xlsx",
                "isms export risks --format xlsx",
                format!(
                    "{} rows: {}, peak RSS {:.0} MiB, {}",
                    count(rows as u64),
                    secs(f.wall),
                    mib(f.max_rss_kib),
                    bytes(size)
                ),
            )
            .target("< 3 s for 50,000 rows", f.wall < Duration::from_secs(3))
            .raw(json!({"rows": rows, "wall_s": f.wall.as_secs_f64(), "max_rss_kib": f.max_rss_kib, "bytes": size})),
        );
        Ok(())
    }

    /// [yaml]: the whole organisation as a directory of YAML files.
    pub fn yaml(&mut self) -> Result<()> {
        eprintln!("[bench] export yaml");
        let dir = self.path("yaml");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).context("cannot clear WORKDIR/yaml")?;
        }
        let dir_s = dir.display().to_string();
        let f = self.run_isms(
            &["export", "yaml", "--org", &self.org, "-o", &dir_s],
            None,
            &[0],
        )?;
        let (files, total) = dir_usage(&dir)?;
        if files == 0 {
            bail!("isms export yaml wrote no files");
        }
        self.push(
            Row::new(
                "yaml",
                "isms export yaml",
                format!(
                    "{}, peak RSS {:.0} MiB, {} files, {}",
                    secs(f.wall),
                    mib(f.max_rss_kib),
                    count(files),
                    bytes(total)
                ),
            )
            .raw(json!({"wall_s": f.wall.as_secs_f64(), "max_rss_kib": f.max_rss_kib, "files": files, "bytes": total})),
        );
        Ok(())
    }

    /// [soa-pdf-api]: the latest SoA version as PDF through the server, median of 5.
    pub async fn soa_pdf_api(&mut self, s: &Session) -> Result<()> {
        let list = format!("{}/api/v1/orgs/{}/soa?limit=100", s.base, self.org);
        let v = expect_json(s.api.get(&list).send().await?, ok_200).await?;
        let number = v
            .get("items")
            .and_then(Value::as_array)
            .and_then(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get("number").and_then(Value::as_i64))
                    .max()
            })
            .ok_or_else(|| anyhow!("the organisation has no SoA version: {v}"))?;
        let url = format!(
            "{}/api/v1/orgs/{}/soa/{number}/export?format=pdf",
            s.base, self.org
        );
        eprintln!("[bench] GET {url}");
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let body = expect(s.api.get(&url).send().await?, ok_200).await?;
            times.push(t.elapsed());
            size = body.len();
            if !body.starts_with(b"%PDF") {
                bail!("the SoA export is not a PDF");
            }
        }
        times.sort_unstable();
        let median = times[times.len() / 2];
        self.push(
            Row::new(
                "soa-pdf-api",
                format!("GET /api/v1/orgs/…/soa/{number}/export?format=pdf"),
                format!("median of 5: {}, {}", secs(median), bytes(size as u64)),
            )
            .target("< 1 s", median < Duration::from_secs(1))
            .raw(json!({"version": number, "median_s": median.as_secs_f64(),
                        "runs_s": times.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
                        "bytes": size})),
        );
        Ok(())
    }

    // ---- 6. import ----------------------------------------------------------------------

    /// [import]: 100,000 new assets into an empty organisation, dry run then for real.
    pub fn import(&mut self) -> Result<()> {
        eprintln!("[bench] import: preparing {IMPORT_ORG} and assets.csv");
        // The export's header is the import's format.
        self.export("assets", Some("csv"), "assets-export.csv")?;
        let exported = std::fs::read_to_string(self.path("assets-export.csv"))?;
        let header = exported
            .lines()
            .next()
            .ok_or_else(|| anyhow!("the assets export is empty"))?
            .trim_start_matches('\u{feff}')
            .to_owned();
        let csv = assets_csv(&header, IMPORT_ROWS)?;
        std::fs::write(self.path("assets.csv"), &csv).context("cannot write assets.csv")?;

        // An empty organisation with one member to own the assets.
        self.ensure_isms(
            &["org", "add", "--name", "Bench Import", "--slug", IMPORT_ORG],
            None,
        )?;
        self.ensure_isms(
            &[
                "user",
                "add",
                "--email",
                IMPORT_OWNER,
                "--name",
                "Bench Owner",
                "--org",
                IMPORT_ORG,
                "--role",
                "admin",
                "--password-stdin",
            ],
            // Not too weak: the password policy refuses one containing the e-mail.
            Some(b"quiet-harbour-lantern-7394\n"),
        )?;

        let file = self.path_str("assets.csv");
        for dry in [true, false] {
            let mut args = vec!["import", "assets", &file, "--org", IMPORT_ORG];
            if dry {
                args.push("--dry-run");
            }
            eprintln!("[bench] {}", args.join(" "));
            let f = self.run_isms(&args, None, &[0])?;
            let report = f.stdout.trim().to_owned();
            let created = parse_created(&report).unwrap_or(0);
            if created != IMPORT_ROWS as u64 {
                bail!("the import did not create {IMPORT_ROWS} assets: {report}");
            }
            let mut row = Row::new(
                "import",
                if dry {
                    "isms import assets (100,000 rows), --dry-run"
                } else {
                    "isms import assets (100,000 rows)"
                },
                format!("{}, peak RSS {:.0} MiB", secs(f.wall), mib(f.max_rss_kib)),
            )
            .raw(json!({"dry_run": dry, "wall_s": f.wall.as_secs_f64(), "max_rss_kib": f.max_rss_kib, "report": report}));
            if !dry {
                row = row.target("< 10 s", f.wall < Duration::from_secs(10));
            }
            self.push(row);
        }
        Ok(())
    }

    // ---- 7, 8. check and verify -------------------------------------------------------------

    /// [check]: the Stage 2 readiness profile (exit 1 only means a rule fails).
    pub fn check(&mut self) -> Result<()> {
        eprintln!("[bench] check stage2");
        let f = self.run_isms(&["check", "stage2", "--org", &self.org], None, &[0, 1])?;
        self.push(
            Row::new(
                "check",
                "isms check stage2",
                format!(
                    "{} (exit {}), peak RSS {:.0} MiB",
                    secs(f.wall),
                    f.code.unwrap_or(-1),
                    mib(f.max_rss_kib)
                ),
            )
            .target("< 1 s", f.wall < Duration::from_secs(1))
            .raw(json!({"wall_s": f.wall.as_secs_f64(), "exit": f.code, "max_rss_kib": f.max_rss_kib})),
        );
        Ok(())
    }

    /// [verify]: every hash chain of the audit trail.
    pub fn verify(&mut self) -> Result<()> {
        eprintln!("[bench] audit-trail verify");
        let f = self.run_isms(&["audit-trail", "verify"], None, &[0])?;
        let entries = parse_verified(&f.stdout);
        let rate = entries as f64 / f.wall.as_secs_f64().max(1e-9);
        self.push(
            Row::new(
                "verify",
                "isms audit-trail verify",
                format!(
                    "{} entries in {}: {} entries/s, peak RSS {:.0} MiB",
                    count(entries),
                    secs(f.wall),
                    count(rate as u64),
                    mib(f.max_rss_kib)
                ),
            )
            .target("≥ 500,000 entries/s", rate >= 500_000.0)
            .raw(json!({"entries": entries, "wall_s": f.wall.as_secs_f64(), "per_second": rate, "max_rss_kib": f.max_rss_kib})),
        );
        Ok(())
    }

    // ---- 9. server peak RSS ----------------------------------------------------------------

    /// [rss]: the server's peak RSS over the whole run, then stop it.
    pub fn stop(&mut self, mut s: Session) -> Result<()> {
        let pid = s
            .server
            .pid()
            .ok_or_else(|| anyhow!("the server has no pid"))?;
        let hwm = process::proc_status_kib(pid, "VmHWM")?;
        let (code, max_rss, log) = s.server.stop()?;
        if self.wants("rss") {
            self.push(
                Row::new(
                    "rss",
                    "server peak RSS (VmHWM)",
                    format!("{:.1} MiB", mib(hwm)),
                )
                .raw(json!({"vm_hwm_kib": hwm, "ru_maxrss_kib": max_rss, "exit": code})),
            );
        }
        if code != Some(0) {
            eprintln!("[bench] the server exited with {code:?} after SIGTERM; its log:\n{log}");
        }
        Ok(())
    }
}

/// A free TCP port on 127.0.0.1 (bind to port 0, read it, drop the listener).
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// One GET /readyz on a fresh connection: is the answer 200?
async fn readyz(addr: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await?;
        let mut buf = [0u8; 64];
        let mut n = 0;
        while n < 12 {
            let r = s.read(&mut buf[n..]).await?;
            if r == 0 {
                break;
            }
            n += r;
        }
        Ok::<bool, std::io::Error>(buf[..n].starts_with(b"HTTP/1.1 200"))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), attempt).await,
        Ok(Ok(true))
    )
}

/// Percent-encode a cursor for a query string.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Records in a CSV text (line breaks inside quotes do not count).
fn csv_records(text: &str) -> usize {
    let mut in_quotes = false;
    let mut records = 0;
    let mut pending = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                pending = true;
            }
            '\n' if !in_quotes => {
                records += 1;
                pending = false;
            }
            '\r' => {}
            _ => pending = true,
        }
    }
    records + usize::from(pending)
}

/// A column name as the import compares it: no case, spaces, `_`, `-` or brackets.
fn normalise(col: &str) -> String {
    let mut out = String::new();
    let mut depth: u32 = 0;
    for c in col.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            ' ' | '_' | '-' | '"' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// `rows` new assets (blank reference) in the columns of `header`.
fn assets_csv(header: &str, rows: usize) -> Result<String> {
    const TYPES: [&str; 7] = [
        "information",
        "software",
        "hardware",
        "service",
        "people",
        "site",
        "supplier_provided",
    ];
    let cols: Vec<String> = header.split(',').map(normalise).collect();
    for required in [
        "name",
        "type",
        "owner",
        "confidentiality",
        "integrity",
        "availability",
    ] {
        if !cols.iter().any(|c| c == required) {
            bail!("the assets export has no {required} column: {header}");
        }
    }
    let mut out = String::with_capacity(rows * 80);
    out.push_str(header);
    out.push('\n');
    for i in 0..rows {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match c.as_str() {
                "name" => format!("Imported asset {i:06}"),
                "type" => TYPES[i % TYPES.len()].to_owned(),
                "owner" => IMPORT_OWNER.to_owned(),
                "location" => format!("Site {}", i % 10),
                "confidentiality" => (1 + i % 4).to_string(),
                "integrity" => (1 + (i / 4) % 4).to_string(),
                "availability" => (1 + (i / 16) % 4).to_string(),
                "inscope" => "yes".to_owned(),
                "tags" => "bench".to_owned(),
                _ => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// "… 100000 rows read: 100000 created, …" → the created count.
fn parse_created(report: &str) -> Option<u64> {
    let after = report.split("rows read:").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

/// Sum of "ok  CHAIN  N entries verified" lines.
fn parse_verified(stdout: &str) -> u64 {
    stdout
        .lines()
        .filter_map(|l| {
            let rest = l.strip_suffix(" entries verified")?;
            rest.split_whitespace().last()?.parse::<u64>().ok()
        })
        .sum()
}

/// Files and bytes under a directory.
fn dir_usage(dir: &Path) -> Result<(u64, u64)> {
    let mut files = 0;
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
            let e = e?;
            let meta = e.metadata()?;
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                files += 1;
                total += meta.len();
            }
        }
    }
    Ok((files, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_outputs() {
        assert_eq!(
            parse_created(
                "Dry run: nothing was written. 5 rows read: 5 would be created, 0 would be updated, 0 unchanged."
            ),
            Some(5)
        );
        assert_eq!(
            parse_verified(
                "ok      org:acme             12 entries verified\nok      instance             3 entries verified\n"
            ),
            15
        );
        assert_eq!(csv_records("a,b\n1,\"x\ny\"\n2,z"), 3);
        assert_eq!(normalise("In scope (yes/no)"), "inscope");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn assets_csv_fills_the_columns() -> Result<()> {
        let csv = assets_csv(
            "Reference,Name,Type,Owner,Confidentiality,Integrity,Availability",
            2,
        )?;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            format!(",Imported asset 000000,information,{IMPORT_OWNER},1,1,1")
        );
        Ok(())
    }
}
