//! Formats the whole dev corpus on one thread and reports files/s and MB/s
//! (best of several runs), with how many queries changed, were already
//! formatted, or were refused. `cargo bench -p kql-format`.

use std::time::{Duration, Instant};

fn main() {
    let queries: Vec<String> = kqlint_testkit::corpus_files()
        .iter()
        .filter_map(|p| kqlint_testkit::corpus_query(p))
        .collect();
    let bytes: usize = queries.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let n = queries.len();
    println!("dev corpus: {n} queries, {mb:.2} MB");
    let options = kql_format::FormatOptions::default();
    let mut best = Duration::MAX;
    let mut counts = (0, 0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        counts = (0, 0, 0);
        for q in &queries {
            match std::hint::black_box(kql_format::format(q, &options)) {
                Ok(out) if out != *q => counts.0 += 1,
                Ok(_) => counts.1 += 1,
                Err(_) => counts.2 += 1,
            }
        }
        best = best.min(t.elapsed());
    }
    let s = best.as_secs_f64();
    println!(
        "format       {:>8.2} ms   {:>9.0} files/s   {:>7.1} MB/s",
        s * 1e3,
        n as f64 / s,
        mb / s
    );
    println!(
        "({} changed, {} already formatted, {} refused)",
        counts.0, counts.1, counts.2
    );
}
