//! Parses and analyses the whole dev corpus on one thread and reports
//! queries/s (best of several runs), next to Microsoft's analyzer (the
//! oracle, Kusto.Language in node) on the same queries when it is available.
//!
//! `cargo bench -p kql-semantic --bench corpus`. Set
//! `KQLINT_BENCH_ORACLE=0` to skip the oracle run (about 15 s).
//!
//! The oracle is timed with its own `--time` report (parse + analysis per
//! query, without node start-up, package load or schema build), run as:
//! `kql-oracle --time --no-columns --schema <the five corpus schema dirs> --jsonl <queries>`.

use std::time::{Duration, Instant};

fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut check = 0;
    for _ in 0..runs {
        let t = Instant::now();
        check = std::hint::black_box(f());
        best = best.min(t.elapsed());
    }
    (best, check)
}

const ORACLE_SCHEMAS: [&str; 5] = [
    "2022-08-b819f67/CustomTables",
    "2023-11-copy/CustomTables",
    "2023-11-copy/CustomFunctions",
    "builtin-kustoservices-5.0.1/tables",
    "builtin-kustoservices-5.0.1/functions",
];

/// Runs the oracle over the queries; its queries/s from `--time`.
fn oracle_rate(queries: &[String]) -> Option<(f64, String)> {
    let shared = kqlint_testkit::shared_dir();
    let exe = shared.join("oracle/kql-oracle");
    if !exe.is_file() {
        return None;
    }
    let jsonl = std::env::temp_dir().join(format!("kqlint-bench-{}.jsonl", std::process::id()));
    let mut text = String::new();
    for (i, q) in queries.iter().enumerate() {
        text.push_str(&format!("{{\"id\":{i},\"query\":{}}}\n", json_string(q)));
    }
    std::fs::write(&jsonl, text).ok()?;
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg("--time").arg("--no-columns");
    for d in ORACLE_SCHEMAS {
        cmd.arg("--schema")
            .arg(shared.join("schemas-sentinel").join(d));
    }
    cmd.arg("--jsonl").arg(&jsonl);
    let out = cmd.output().ok();
    let _ = std::fs::remove_file(&jsonl);
    let out = out?;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    // "... N queries/s" somewhere in the timing report
    let rate = stderr.split(['\n', ',', ';', '(', ')']).find_map(|part| {
        let p = part.trim();
        let idx = p.find("queries/s")?;
        p[..idx].split_whitespace().last()?.parse::<f64>().ok()
    })?;
    Some((rate, stderr.trim().to_string()))
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() {
    let queries: Vec<String> = kqlint_testkit::corpus_queries();
    let n = queries.len();
    let catalog = kql_schema::Catalog::builtin();
    let opts = kql_semantic::Options::default();
    let quiet = kql_semantic::Options {
        record: false,
        ..Default::default()
    };
    // warm the catalogue (its records are parsed on first use)
    for q in &queries {
        let p = kql_syntax::parse(q);
        let _ = kql_semantic::analyze(&p, q, catalog, &opts);
    }
    println!("dev corpus: {n} queries");
    let report = |name: &str, d: Duration| {
        let s = d.as_secs_f64();
        println!(
            "{name:<32} {:>8.2} ms   {:>9.0} queries/s",
            s * 1e3,
            n as f64 / s
        );
        n as f64 / s
    };
    let (d, _) = best_of(10, || {
        queries
            .iter()
            .map(|q| kql_syntax::parse(q).errors.len())
            .sum()
    });
    report("parse", d);
    let (d, diags) = best_of(10, || {
        queries
            .iter()
            .map(|q| {
                let p = kql_syntax::parse(q);
                kql_semantic::analyze(&p, q, catalog, &opts)
                    .diagnostics
                    .len()
            })
            .sum()
    });
    let ours = report("parse + semantic analysis", d);
    let (d, _) = best_of(10, || {
        queries
            .iter()
            .map(|q| {
                let p = kql_syntax::parse(q);
                kql_semantic::analyze(&p, q, catalog, &quiet)
                    .diagnostics
                    .len()
            })
            .sum()
    });
    report("  (without recording names)", d);
    println!("({diags} semantic diagnostics)");

    if std::env::var("KQLINT_BENCH_ORACLE").as_deref() == Ok("0") {
        println!("oracle: skipped (KQLINT_BENCH_ORACLE=0)");
        return;
    }
    match oracle_rate(&queries) {
        Some((rate, raw)) => {
            println!("oracle (Kusto.Language 12.4.1 in node): {rate:.0} queries/s");
            println!("  its report: {}", raw.replace('\n', "\n  "));
            println!("kqlint is {:.0}x the oracle", ours / rate);
        }
        None => println!(
            "oracle: not available (needs node and ../shared/oracle); run \
             `kql-oracle --time --no-columns --schema ... --jsonl FILE` by hand"
        ),
    }
}
