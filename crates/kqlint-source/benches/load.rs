//! Loads the whole dev corpus (read + decode + YAML tree + query
//! extraction and mapping) on one thread, and the hostile inputs, and
//! reports best-of-N times. `cargo bench -p kqlint-source`.

use kqlint_source::{Limits, Source, SourceKind};
use std::time::{Duration, Instant};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        best = best.min(t.elapsed());
    }
    best
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let limits = Limits::default();
    let files = kqlint_testkit::corpus_files();
    let contents: Vec<(std::path::PathBuf, Vec<u8>)> = files
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect();
    let bytes: usize = contents.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("dev corpus: {} files, {mb:.2} MB", files.len());

    let d = best_of(5, || {
        files
            .iter()
            .map(|p| Source::load(p, &limits).query().map_or(0, |q| q.text.len()))
            .sum::<usize>()
    });
    println!(
        "load from disk + extract   {:>8.2} ms  {:>8.0} files/s  {:>6.1} MB/s",
        ms(d),
        files.len() as f64 / d.as_secs_f64(),
        mb / d.as_secs_f64()
    );
    let d = best_of(10, || {
        contents
            .iter()
            .map(|(p, b)| {
                Source::from_bytes(p, b, SourceKind::Yaml, &limits)
                    .query()
                    .map_or(0, |q| q.text.len())
            })
            .sum::<usize>()
    });
    println!(
        "from bytes + extract       {:>8.2} ms  {:>8.0} files/s  {:>6.1} MB/s",
        ms(d),
        files.len() as f64 / d.as_secs_f64(),
        mb / d.as_secs_f64()
    );
    let sources: Vec<Source> = contents
        .iter()
        .map(|(p, b)| Source::from_bytes(p, b, SourceKind::Yaml, &limits))
        .collect();
    let d = best_of(10, || {
        sources
            .iter()
            .filter_map(|s| s.yaml.as_ref())
            .map(|y| y.to_json().is_object() as usize)
            .sum::<usize>()
    });
    println!("to_json, whole corpus      {:>8.2} ms", ms(d));

    let hostile = |name: &str, text: String| {
        let d = best_of(3, || {
            Source::from_text("h.yaml", text.as_str(), SourceKind::Yaml, &limits)
                .diagnostics
                .len()
        });
        println!("{name:<26} {:>8.2} ms  ({} bytes)", ms(d), text.len());
    };
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    hostile("alias bomb (10^9 nodes)", bomb);
    hostile(
        "flow nesting 10,000",
        format!("x: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    hostile(
        "block nesting 10,000",
        format!("{}x\n", "- ".repeat(10_000)),
    );
    let mut keys = String::new();
    for i in 0..100_000 {
        keys.push_str(&format!("key{i}: value {i}\n"));
    }
    keys.push_str("query: |\n  Syslog\n");
    hostile("100,000 keys", keys);
}
