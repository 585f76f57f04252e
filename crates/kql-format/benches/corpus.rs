//! Formats the whole dev corpus on one thread and reports files/s and MB/s
//! (best of several runs), with how many queries changed, were already
//! formatted, or were refused. `cargo bench -p kql-format`.

use std::time::{Duration, Instant};

fn main() {
    let queries: Vec<String> = kqlint_testkit::corpus_queries();
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
    // What the editor formats on save: one long query, written untidily.
    let long = long_query(300);
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let out = std::hint::black_box(kql_format::format(&long, &options));
        best = best.min(t.elapsed());
        assert!(out.is_ok(), "{out:?}");
    }
    println!(
        "one {}-line query   {:>8.2} ms",
        long.lines().count(),
        best.as_secs_f64() * 1e3
    );
}

/// A query of about `lines` lines, with the spacing and line breaks the
/// layout rules change.
fn long_query(lines: usize) -> String {
    let mut q = String::from("let lookback=14d;let threshold = 5;\nDeviceNetworkEvents\n");
    let mut i = 0;
    while q.lines().count() < lines {
        let step = match i % 6 {
            0 => format!(
                "| where RemotePort=={} and ActionType==\"ConnectionSuccess\"\n",
                400 + i
            ),
            1 => format!("| extend Host{i}=tolower(RemoteUrl) , Port{i} = RemotePort+1\n"),
            2 => "| where Timestamp>ago(lookback)\n".to_owned(),
            3 => format!(
                "| summarize Count{i}=count() , Ports=make_set(RemotePort,100) by DeviceId , DeviceName , RemoteUrl , Host{}\n",
                i - 2
            ),
            4 => "| join kind=leftouter ( DeviceInfo | where OSPlatform==\"Windows10\" | project DeviceId , OSVersion ) on DeviceId\n"
                .to_owned(),
            _ => format!("| where Count{} > threshold\n", i - 2),
        };
        q.push_str(&step);
        i += 1;
    }
    q
}
