//! The command line's progress bar (on standard error, hidden when that is not a
//! terminal, so scripts and logs see only the result).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use isms_app::progress::Progress;
use std::sync::Mutex;

/// A bar per phase: a counter with a rate and an estimate when the total is known, a
/// spinner with a count when it is not.
pub struct Bar {
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Self {
        Self {
            current: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total: u64) {
        let bar = if total > 0 {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{msg:24} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        } else {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:24} {human_pos}") {
                b.set_style(style);
            }
            // Turns while a phase without a count (an export being written) runs.
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        };
        bar.set_message(label.to_owned());
        if let Ok(mut c) = self.current.lock()
            && let Some(old) = c.replace(bar)
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(c) = self.current.lock()
            && let Some(b) = c.as_ref()
        {
            b.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut c) = self.current.lock()
            && let Some(b) = c.take()
        {
            b.finish_and_clear();
        }
    }
}
