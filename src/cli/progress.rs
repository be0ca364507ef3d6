//! The one progress reporter of the command line (calibrate, audit): a bar on a terminal
//! (indicatif), a plain `progress:` line every tenth of the run otherwise (for logs), nothing
//! with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Reporter {
    quiet: bool,
    what: &'static str,
}

impl Reporter {
    pub fn new(quiet: bool, what: &'static str) -> Reporter {
        Reporter { quiet, what }
    }

    /// Runs `work` while reporting `(done, total, extra)` as read by `status` every so often.
    pub fn run<T>(&self, status: impl Fn() -> (usize, usize, String) + Sync, work: impl FnOnce() -> T) -> T {
        if self.quiet {
            return work();
        }
        let terminal = std::io::stderr().is_terminal();
        let finished = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                if terminal {
                    let bar = ProgressBar::new(1);
                    bar.set_style(
                        ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg}  {per_sec}  ETA {eta}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("#> "),
                    );
                    while !finished.load(Ordering::Relaxed) {
                        let (done, total, extra) = status();
                        bar.set_length(total.max(1) as u64);
                        bar.set_position(done as u64);
                        bar.set_message(format!("{} {extra}", self.what));
                        std::thread::sleep(Duration::from_millis(200));
                    }
                    bar.finish_and_clear();
                } else {
                    let mut last = 0usize;
                    while !finished.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(500));
                        let (done, total, extra) = status();
                        if done >= last + total.div_ceil(10).max(1) || (done == total && done != last) {
                            eprintln!("progress: {done}/{total} {} {extra}", self.what);
                            last = done;
                        }
                    }
                }
            });
            let result = work();
            finished.store(true, Ordering::Relaxed);
            result
        })
    }
}
