//! Progress of long work (imports, exports, generated demo data), reported to whoever
//! watches: the command line draws a bar, the web and the tests ignore it.

/// Receives progress reports. Implementations must be cheap: `advance` may be called
/// once per record.
pub trait Progress: Send + Sync {
    /// A new phase starts: `label` says what is being done, `total` how many steps it
    /// has (0 when unknown).
    fn start(&self, label: &str, total: u64);
    /// `n` more steps of the current phase are done.
    fn advance(&self, n: u64);
    /// The current phase is over.
    fn finish(&self);
}

/// Progress nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _label: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_progress_accepts_every_call() {
        let p: &dyn Progress = &NoProgress;
        p.start("reading", 3);
        p.advance(3);
        p.finish();
    }
}
