//! HTTP load: run a request N times in a row or from several tasks at once, and the
//! latency percentiles and throughput of the runs.

use anyhow::{Result, bail};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Latencies of one run of a workload.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub requests: usize,
    pub concurrency: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Requests per second over the whole run (wall time, all tasks).
    pub per_second: f64,
    pub wall_s: f64,
    /// Requests asked for; more than `requests` when the time budget ran out.
    pub planned: usize,
}

impl Stats {
    fn from(mut lat: Vec<Duration>, concurrency: usize, planned: usize, wall: Duration) -> Stats {
        lat.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let wall_s = wall.as_secs_f64();
        Stats {
            requests: lat.len(),
            concurrency,
            p50_ms: ms(percentile(&lat, 50.0)),
            p95_ms: ms(percentile(&lat, 95.0)),
            p99_ms: ms(percentile(&lat, 99.0)),
            max_ms: ms(lat.last().copied().unwrap_or_default()),
            per_second: if wall_s > 0.0 {
                lat.len() as f64 / wall_s
            } else {
                0.0
            },
            wall_s,
            planned,
        }
    }

    /// "p50 1.2 ms, p95 …, p99 …, 850 req/s (1 × 500)" for the table.
    pub fn summary(&self) -> String {
        let per_task = self.planned / self.concurrency.max(1);
        let cut = if self.requests < self.planned {
            format!(
                "; stopped after {} of {} requests: {} s budget",
                self.requests,
                self.planned,
                BUDGET.as_secs()
            )
        } else {
            String::new()
        };
        format!(
            "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {:.0} req/s ({} × {per_task}{cut})",
            self.p50_ms, self.p95_ms, self.p99_ms, self.per_second, self.concurrency,
        )
    }
}

/// The longest one run may take: a slow page on large data stops there (and says so)
/// instead of keeping the harness busy for an hour.
pub const BUDGET: Duration = Duration::from_secs(60);

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Turn the errors of a run into one failure naming the first few.
fn fail_on_errors(errors: Vec<anyhow::Error>, total: usize) -> Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    // The distinct messages, first seen first (usually there is one).
    let mut distinct: Vec<String> = Vec::new();
    for e in &errors {
        let m = format!("{e:#}");
        if !distinct.contains(&m) && distinct.len() < 3 {
            distinct.push(m);
        }
    }
    bail!(
        "{} of {total} requests failed: {}",
        errors.len(),
        distinct.join(" | ")
    )
}

/// Run `f(0..n)` one after the other.
pub async fn sequential<F, Fut>(n: usize, mut f: F) -> Result<Stats>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut lat = Vec::with_capacity(n);
    let mut errors = Vec::new();
    let started = Instant::now();
    for i in 0..n {
        if started.elapsed() > BUDGET {
            break;
        }
        let t = Instant::now();
        if let Err(e) = f(i).await {
            errors.push(e);
        }
        lat.push(t.elapsed());
    }
    let wall = started.elapsed();
    fail_on_errors(errors, lat.len())?;
    Ok(Stats::from(lat, 1, n, wall))
}

/// Run `f` from `tasks` tokio tasks at once, `per_task` times each; `f` gets a number
/// unique over the run.
pub async fn concurrent<F, Fut>(tasks: usize, per_task: usize, f: F) -> Result<Stats>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let f = Arc::new(f);
    let started = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let f = Arc::clone(&f);
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            let mut errors = Vec::new();
            for i in 0..per_task {
                if started.elapsed() > BUDGET {
                    break;
                }
                let s = Instant::now();
                if let Err(e) = f(t * per_task + i).await {
                    errors.push(e);
                }
                lat.push(s.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::with_capacity(tasks * per_task);
    let mut errors = Vec::new();
    for h in handles {
        let (l, e) = h.await?;
        lat.extend(l);
        errors.extend(e);
    }
    let wall = started.elapsed();
    fail_on_errors(errors, lat.len())?;
    Ok(Stats::from(lat, tasks, tasks * per_task, wall))
}

/// Read a response to the end; fail with its status and body unless `ok(status)`.
pub async fn expect(
    resp: reqwest::Response,
    ok: fn(reqwest::StatusCode) -> bool,
) -> Result<Vec<u8>> {
    let status = resp.status();
    let url = resp.url().path().to_owned();
    let body = resp.bytes().await?;
    if !ok(status) {
        let text: String = String::from_utf8_lossy(&body).chars().take(1000).collect();
        bail!("{url}: HTTP {status}: {text}");
    }
    Ok(body.to_vec())
}

/// As `expect`, and parse the body as JSON.
pub async fn expect_json(
    resp: reqwest::Response,
    ok: fn(reqwest::StatusCode) -> bool,
) -> Result<serde_json::Value> {
    let body = expect(resp, ok).await?;
    serde_json::from_slice(&body).map_err(|e| anyhow::anyhow!("the response is not JSON: {e}"))
}

/// 2xx.
pub fn success(s: reqwest::StatusCode) -> bool {
    s.is_success()
}

/// Exactly 200.
pub fn ok_200(s: reqwest::StatusCode) -> bool {
    s == reqwest::StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 95.0), Duration::from_millis(95));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
