//! Running external commands: exit status, wall time and the child's own peak RSS
//! (`ru_maxrss` from `wait4`), and a long-running server that is stopped on drop.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What one finished command did.
#[derive(Debug)]
pub struct Finished {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// From spawn to reaped.
    pub wall: Duration,
    /// The child's peak resident set size in KiB.
    pub max_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// The command's description and output, for an error message.
    pub fn describe(&self) -> String {
        let code = self
            .code
            .map_or_else(|| "a signal".to_owned(), |c| c.to_string());
        let mut text = format!("exit {code}: {}", tail(self.stderr.trim()));
        if !self.stdout.trim().is_empty() {
            text.push_str(&format!("\n--- stdout ---\n{}", tail(self.stdout.trim())));
        }
        text
    }
}

/// The last 4,000 bytes of a text (a long log is useless in an error message).
fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(4000);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// How a child ended, reaped with `wait4`.
struct Reaped {
    code: Option<i32>,
    max_rss_kib: u64,
}

/// Wait for the child `pid` and return its exit status and its peak RSS.
#[allow(unsafe_code)]
fn wait4(pid: u32) -> Result<Reaped> {
    let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals of the right types; `pid` is a
        // child of this process that std has not reaped (we never call `Child::wait`).
        let r = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err).context("wait4 failed");
        }
    }
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    // On Linux ru_maxrss is in KiB.
    let max_rss_kib = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    Ok(Reaped { code, max_rss_kib })
}

/// Send SIGTERM to `pid`.
#[allow(unsafe_code)]
fn sigterm(pid: u32) -> Result<()> {
    let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
    // SAFETY: kill has no memory-safety preconditions.
    let r = unsafe { libc::kill(pid, libc::SIGTERM) };
    if r != 0 {
        return Err(std::io::Error::last_os_error()).context("kill(SIGTERM) failed");
    }
    Ok(())
}

/// Read a pipe to the end on its own thread (so a chatty child never blocks).
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Run a command to the end, with `stdin` as its standard input.
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Result<Finished> {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).context("cannot write to the child")?;
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let reaped = wait4(child.id())?;
    let wall = started.elapsed();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Finished {
        code: reaped.code,
        wall,
        max_rss_kib: reaped.max_rss_kib,
        stdout,
        stderr,
    })
}

/// Run a command and fail unless it exits with one of `ok_codes`; `label` names it in
/// the error (with its standard error first: that is where the reason is).
pub fn run_ok(
    cmd: &mut Command,
    stdin: Option<&[u8]>,
    ok_codes: &[i32],
    label: &str,
) -> Result<Finished> {
    let f = run(cmd, stdin).with_context(|| label.to_owned())?;
    match f.code {
        Some(c) if ok_codes.contains(&c) => Ok(f),
        _ => bail!("{label}: {}", f.describe()),
    }
}

/// A running server; SIGTERM and reaped on `stop` or on drop.
pub struct Server {
    child: Option<Child>,
    pub started: Instant,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// Spawn the server (its output goes to a log thread, stdout discarded).
    pub fn spawn(cmd: &mut Command) -> Result<Server> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
        let stderr = Some(drain(child.stderr.take()));
        Ok(Server {
            child: Some(child),
            started,
            stderr,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Has the process ended already (e.g. it could not bind)?
    pub fn exited(&mut self) -> bool {
        let done = match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(Some(_))),
            None => true,
        };
        if done {
            // std reaped it; never signal that pid again.
            self.child = None;
        }
        done
    }

    /// SIGTERM, wait for it, and return its exit code, peak RSS and log.
    pub fn stop(&mut self) -> Result<(Option<i32>, u64, String)> {
        let Some(child) = self.child.take() else {
            bail!("the server was already stopped");
        };
        sigterm(child.id())?;
        let reaped = wait4(child.id())?;
        let log = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        Ok((reaped.code, reaped.max_rss_kib, log))
    }

    /// Kill the server (if it still runs) and return its log: for error messages.
    pub fn kill_for_log(&mut self) -> String {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = sigterm(c.id());
            // Give it a moment to shut down cleanly, then make sure.
            for _ in 0..100 {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::park_timeout(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A field (`VmRSS`, `VmHWM`) of /proc/PID/status, in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(field).and_then(|r| r.strip_prefix(':')) {
            let n = rest.trim().trim_end_matches("kB").trim();
            return n
                .parse()
                .with_context(|| format!("{field} in {path} is not a number: {rest}"));
        }
    }
    bail!("no {field} in {path}")
}
