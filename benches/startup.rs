//! Whole-process cost of `kqlint check`, the way pre-commit runs it: a new
//! process for the files of one commit. Target: one rule file in at most
//! 20 ms (release build). Also the example directory and the whole dev
//! corpus, for scale.
//!
//! ```text
//! cargo bench --bench startup
//! ```
//!
//! Each case runs once to warm the page cache, then `RUNS` times; the
//! figures are wall-clock milliseconds per process (min / median / max).
//! The machine's load shows in the spread: quote the median.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const RUNS: usize = 30;
const TARGET_ONE_FILE_MS: f64 = 20.0;

fn time_runs(args: &[&str], runs: usize) -> (f64, f64, f64) {
    let exe = env!("CARGO_BIN_EXE_kqlint");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let once = || {
        let start = Instant::now();
        let status = Command::new(exe)
            .args(args)
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run kqlint");
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "kqlint {args:?}: {status}"
        );
        start.elapsed().as_secs_f64() * 1000.0
    };
    once();
    let mut ms: Vec<f64> = (0..runs).map(|_| once()).collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2], ms[ms.len() - 1])
}

fn report(name: &str, args: &[&str], runs: usize) -> f64 {
    let (min, median, max) = time_runs(args, runs);
    println!(
        "{name:<44} min {min:8.2} ms   median {median:8.2} ms   max {max:8.2} ms   ({runs} runs)"
    );
    median
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let one = report(
        "check one rule file",
        &["check", "fixtures/examples/hunting/rare-remote-ports.yaml"],
        RUNS,
    );
    report(
        "check one .kql file",
        &[
            "check",
            "fixtures/examples/queries/failed-connections-by-device.kql",
        ],
        RUNS,
    );
    report("--version (process start, no check)", &["--version"], RUNS);
    report(
        "check fixtures/examples",
        &["check", "fixtures/examples"],
        RUNS,
    );
    let corpus = kqlint_testkit::corpus_dir().join("sentinel");
    report(
        "check the dev corpus (1198 files)",
        &["check", corpus.to_str().expect("utf-8 path")],
        5,
    );
    let verdict = if one <= TARGET_ONE_FILE_MS {
        "within"
    } else {
        "OVER"
    };
    println!("one rule file: median {one:.2} ms, {verdict} the {TARGET_ONE_FILE_MS} ms target");
}
