//! Start-up cost of the bundled catalogue: what `kqlint check one-rule.yaml`
//! pays before analysing anything.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/kqlint-target-schema cargo bench -p kql-schema --bench startup
//! ```
//!
//! Each sample builds a fresh catalogue (index parse, no shared cache) and
//! then does the lookups a typical DeviceNetworkEvents rule needs: two
//! tables with their columns, a dozen built-in functions, a stored function,
//! the ActionType catalogue, connectors. The first lookup of a record parses
//! it, so "init + lookups" is the real cold cost. Target: well under 2 ms.

use kql_schema::{Catalog, FunctionKind, Populated};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn typical_rule_lookups(cat: &Catalog) -> usize {
    let mut n = 0;
    let t = cat.table("DeviceNetworkEvents").unwrap();
    for c in [
        "Timestamp",
        "DeviceName",
        "RemoteUrl",
        "RemoteIP",
        "InitiatingProcessFileName",
    ] {
        n += usize::from(t.column(c).is_some());
    }
    let p = cat.table("DeviceProcessEvents").unwrap();
    n += usize::from(p.column("ProcessCommandLine").is_some());
    n += usize::from(cat.table("NoSuchTable").is_none());
    for f in [
        "ago",
        "between",
        "tostring",
        "strlen",
        "bin",
        "iff",
        "has_any_index",
        "parse_json",
    ] {
        n += usize::from(cat.function(f).is_some());
    }
    for f in ["count", "make_set", "dcount", "arg_max"] {
        n += usize::from(cat.function_of_kind(f, FunctionKind::Aggregate).is_some());
    }
    n += usize::from(cat.stored_function("_GetWatchlist").is_some());
    let at = cat.action_types("DeviceNetworkEvents").unwrap();
    n += usize::from(at.is_populated("ConnectionSuccess", "RemoteUrl") == Populated::Yes);
    n += usize::from(at.suggest("ConnecitonFound").is_some());
    n += cat.connectors_for_table("DeviceNetworkEvents").len();
    n += usize::from(cat.is_valid_connector_id("MicrosoftThreatProtection"));
    n
}

struct Stats {
    min: Duration,
    median: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    Stats {
        min: v[0],
        median: v[v.len() / 2],
        p95: v[v.len() * 95 / 100],
        max: v[v.len() - 1],
    }
}

fn report(name: &str, s: &Stats) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<44} min {:>8.1} µs   median {:>8.1} µs   p95 {:>8.1} µs   max {:>8.1} µs",
        us(s.min),
        us(s.median),
        us(s.p95),
        us(s.max)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` run
    // only checks that the benchmark works.
    let quick = !std::env::args().any(|a| a == "--bench");
    let samples = if quick { 5 } else { 500 };

    let mut init = Vec::with_capacity(samples);
    let mut init_lookups = Vec::with_capacity(samples);
    let mut warm = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t0 = Instant::now();
        let cat = black_box(Catalog::builtin_uncached());
        init.push(t0.elapsed());
        drop(cat);

        let t0 = Instant::now();
        let cat = Catalog::builtin_uncached();
        let n = black_box(typical_rule_lookups(&cat));
        init_lookups.push(t0.elapsed());
        assert!(n > 20);

        let t0 = Instant::now();
        black_box(typical_rule_lookups(&cat));
        warm.push(t0.elapsed());
    }
    report("index parse (Catalog init)", &stats(init));
    report(
        "init + first lookups of a typical rule",
        &stats(init_lookups),
    );
    report("the same lookups again (records parsed)", &stats(warm));

    // The process-wide catalogue, first use in this process.
    let t0 = Instant::now();
    let n = typical_rule_lookups(Catalog::builtin());
    println!(
        "{:<44} {:.1} µs ({n} answers)",
        "Catalog::builtin() first use + lookups",
        t0.elapsed().as_secs_f64() * 1e6
    );
}
