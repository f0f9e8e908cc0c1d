//! A progress line on long scans, on a terminal only: never in CI logs, never when standard
//! error is piped or redirected, never with `--quiet`. The pipeline reports its phase and
//! counts through free functions (cheap atomics when nothing is shown); a drawing thread
//! repaints one line of standard error a few times a second once a scan has run for a moment,
//! and clears it at the end, so short scans print nothing.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static DONE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);
static PHASE: Mutex<&str> = Mutex::new("");

/// How long a scan runs before the line appears.
const DELAY: Duration = Duration::from_millis(400);
/// Time between repaints.
const TICK: Duration = Duration::from_millis(100);

/// Whether a progress line may be drawn: standard error is a terminal that can move the
/// cursor, and no CI system is running us.
pub fn wanted(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Enters a phase with a number of steps (0 when unknown).
pub fn phase(name: &'static str, total: usize) {
    if !ACTIVE.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(mut p) = PHASE.lock() {
        *p = name;
    }
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
}

/// One more step of the current phase done.
pub fn tick() {
    if ACTIVE.load(Ordering::Relaxed) {
        DONE.fetch_add(1, Ordering::Relaxed);
    }
}

/// The drawing thread; the line is cleared when it is dropped.
pub struct Bar {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts drawing when `wanted`; otherwise returns a bar that does nothing.
pub fn start(wanted: bool) -> Bar {
    let stop = Arc::new(AtomicBool::new(false));
    if !wanted {
        return Bar { stop, thread: None };
    }
    ACTIVE.store(true, Ordering::Relaxed);
    let flag = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let started = Instant::now();
        let mut drawn = false;
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(TICK);
            if started.elapsed() < DELAY || flag.load(Ordering::Relaxed) {
                continue;
            }
            let phase = PHASE.lock().map(|p| *p).unwrap_or("");
            let line = render(
                phase,
                DONE.load(Ordering::Relaxed),
                TOTAL.load(Ordering::Relaxed),
                started.elapsed(),
            );
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            drawn = true;
        }
        if drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    });
    Bar {
        stop,
        thread: Some(thread),
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            ACTIVE.store(false, Ordering::Relaxed);
        }
    }
}

/// The text of the line: the phase, a bar when the total is known, the count and the time.
fn render(phase: &str, done: usize, total: usize, elapsed: Duration) -> String {
    const WIDTH: usize = 24;
    let secs = elapsed.as_secs_f32();
    if total == 0 {
        return format!("perimeter: {phase}… {secs:.1}s");
    }
    let done = done.min(total);
    let filled = WIDTH * done / total;
    format!(
        "perimeter: {phase} [{}{}] {done}/{total} {secs:.1}s",
        "=".repeat(filled),
        " ".repeat(WIDTH - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_phase_bar_and_counts() {
        let l = render("analysing functions", 5, 10, Duration::from_millis(1500));
        assert_eq!(
            l,
            "perimeter: analysing functions [============            ] 5/10 1.5s"
        );
        assert_eq!(
            render("discovering files", 0, 0, Duration::from_secs(2)),
            "perimeter: discovering files… 2.0s"
        );
        // More done than announced never overflows the bar.
        assert!(render("x", 12, 10, Duration::ZERO).contains("10/10"));
    }

    #[test]
    fn nothing_counts_while_inactive() {
        phase("loading", 3);
        tick();
        assert_eq!(DONE.load(Ordering::Relaxed), 0);
    }
}
