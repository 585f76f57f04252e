//! The analysis of the worst query shapes (`kqlint_testkit::shapes`), each
//! scaled to 100 KB: time per shape, the widest row and the columns all
//! operators produced, and which limit (if any) stopped it. Then the same
//! figures for the dev corpus, to show how far real queries are from the
//! limits.
//!
//! `cargo bench -p kql-semantic --bench shapes`. The time and memory
//! targets (under 1 s and 200 MB for any query under 100 KB) are held by
//! the hostile suite on the release binary (`tests/hostile`).

use kql_semantic::{Analysis, Options};
use std::time::{Duration, Instant};

/// (widest row, columns produced by all recorded operators).
fn widths(a: &Analysis) -> (usize, u64) {
    let mut widest = 0;
    let mut total = 0u64;
    let mut seen = std::collections::HashSet::new();
    for o in &a.operators {
        widest = widest.max(o.output.len());
        let addr = o.output.columns().as_ptr() as usize;
        if seen.insert(addr) {
            total += o.output.len() as u64;
        }
    }
    (widest, total)
}

fn analyse(q: &str) -> (Duration, Analysis) {
    let catalog = kql_schema::Catalog::builtin();
    let t = Instant::now();
    let parse = kql_syntax::parse(q);
    let a = kql_semantic::analyze(&parse, q, catalog, &Options::default());
    (t.elapsed(), a)
}

fn main() {
    // warm the catalogue
    let _ = analyse("SecurityEvent | take 1");
    println!(
        "\n{:<56} {:>8} {:>9} {:>11}  limit",
        "shape (100 KB)", "ms", "widest", "columns"
    );
    for s in kqlint_testkit::shapes::worst_shapes(100_000) {
        let mut best = Duration::MAX;
        let mut last = None;
        for _ in 0..3 {
            let (t, a) = analyse(&s.query);
            best = best.min(t);
            last = Some(a);
        }
        let a = last.unwrap();
        let (widest, total) = widths(&a);
        println!(
            "{:<56} {:>8.1} {:>9} {:>11}  {:?}",
            s.name,
            best.as_secs_f64() * 1e3,
            widest,
            total,
            a.limit
        );
    }
    for levels in [10, 14, 18, 24] {
        let q = kqlint_testkit::shapes::self_join_chain(levels);
        let (t, a) = analyse(&q);
        let (widest, total) = widths(&a);
        println!(
            "{:<56} {:>8.1} {:>9} {:>11}  {:?}",
            format!("self-join chain, {levels} levels ({} bytes)", q.len()),
            t.as_secs_f64() * 1e3,
            widest,
            total,
            a.limit
        );
    }

    // The dev corpus: how wide and how much work real queries are.
    let mut rows: Vec<(usize, u64, String)> = Vec::new();
    for p in kqlint_testkit::corpus_files() {
        let Some(q) = kqlint_testkit::corpus_query(&p) else {
            continue;
        };
        let (_, a) = analyse(&q);
        assert!(a.limit.is_none(), "{}: {:?}", p.display(), a.limit);
        let (w, t) = widths(&a);
        rows.push((w, t, p.file_name().unwrap().to_string_lossy().into_owned()));
    }
    let widest = rows.iter().max_by_key(|r| r.0).unwrap();
    let most = rows.iter().max_by_key(|r| r.1).unwrap();
    println!(
        "\ndev corpus ({} queries): widest row {} columns ({}), most columns produced {} ({}); no limit hit",
        rows.len(),
        widest.0,
        widest.2,
        most.1,
        most.2
    );
}
