//! Lexes and parses the whole dev corpus on one thread and reports files/s
//! and MB/s (best of several runs). `cargo bench -p kql-syntax`.

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

fn main() {
    let queries: Vec<String> = kqlint_testkit::corpus_queries();
    let bytes: usize = queries.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let n = queries.len();
    println!("dev corpus: {n} queries, {:.2} MB", mb);

    let report = |name: &str, d: Duration| {
        let s = d.as_secs_f64();
        println!(
            "{name:<12} {:>8.2} ms   {:>9.0} files/s   {:>7.1} MB/s",
            s * 1e3,
            n as f64 / s,
            mb / s
        );
    };

    let (d, tokens) = best_of(20, || {
        queries.iter().map(|q| kql_syntax::lex(q).len()).sum()
    });
    report("lex", d);
    let (d, errors) = best_of(20, || {
        queries
            .iter()
            .map(|q| kql_syntax::parse(q).errors.len())
            .sum()
    });
    report("lex+parse", d);
    println!("({tokens} tokens, {errors} syntax errors)");
}
