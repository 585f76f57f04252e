//! Editor latency and memory of `kqlint lsp`, measured through the protocol
//! with an in-process client (`cargo bench -p kqlint-lsp --bench latency`).
//!
//! 1. didChange → publishDiagnostics on a 300-line query, 200 edits, with
//!    no debounce delay: the time is the analysis plus the message round
//!    trip. The server's own check times (`kqlint/stats`) are reported
//!    separately, and one run with the default debounce delay shows what
//!    a user waits in all.
//!    The CPU time the whole process spent per edit (all threads, from
//!    `/proc/self/stat`, summed over the edits) is printed too: unlike the
//!    wall-clock percentiles it does not grow when other work loads the
//!    machine.
//! 2. Resident memory after opening every rule file of the dev corpus.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[path = "support/query.rs"]
mod query;
use query::query_300_lines;

struct Client {
    conn: Connection,
    server: std::thread::JoinHandle<i32>,
    next: i32,
}

impl Client {
    fn start(debounce: Duration) -> Client {
        let (s, conn) = Connection::memory();
        let server = std::thread::spawn(move || {
            kqlint_lsp::run(
                s,
                kqlint_lsp::Options {
                    debounce,
                    ..Default::default()
                },
            )
        });
        let mut c = Client {
            conn,
            server,
            next: 1,
        };
        c.request("initialize", json!({"capabilities": {}}));
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id: RequestId = self.next.into();
        self.next += 1;
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(60))
                .unwrap()
            {
                Message::Response(r) if r.id == id => {
                    return r.response_result.unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
    }

    fn wait_publish(&self, uri: &str, version: i64) {
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(60))
                .unwrap()
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics"
                        && n.params["uri"] == uri
                        && n.params["version"] == version =>
                {
                    return;
                }
                _ => {}
            }
        }
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.server.join().unwrap();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// CPU time of this process (user + system, all threads), when the OS says.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on
    Some(Duration::from_millis(ticks * 10))
}

fn latency(debounce: Duration, edits: i64) -> (Vec<Duration>, Vec<Duration>, Option<Duration>) {
    let mut c = Client::start(debounce);
    let uri = "file:///bench/q.kql";
    let text = query_300_lines();
    let lines = text.lines().count();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": text}}),
    );
    c.wait_publish(uri, 1);
    let cpu_before = process_cpu();
    let mut times = Vec::new();
    for v in 2..2 + edits {
        // type and delete a character in the middle of the query
        let line = (lines / 2) as u32;
        let change = if v % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 8}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 9}}, "text": ""})
        };
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}),
        );
        c.wait_publish(uri, v);
        times.push(t.elapsed());
    }
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(a, b)| a.saturating_sub(b) / edits as u32);
    let stats = c.request("kqlint/stats", json!({}));
    let checks: Vec<Duration> = stats["checkMicros"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1) // the didOpen
        .map(|v| Duration::from_micros(v.as_u64().unwrap()))
        .collect();
    c.stop();
    times.sort();
    let mut checks = checks;
    checks.sort();
    (times, checks, cpu)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list of benchmarks
    }
    let (times, checks, cpu) = latency(Duration::ZERO, 200);
    println!("didChange -> publishDiagnostics, 300-line query, 200 edits, no debounce:");
    println!(
        "  end to end: p50 {}  p99 {}  max {}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap())
    );
    println!(
        "  analysis (the server's check time): p50 {}  p99 {}  max {}",
        ms(percentile(&checks, 0.5)),
        ms(percentile(&checks, 0.99)),
        ms(*checks.last().unwrap())
    );
    if let Some(cpu) = cpu {
        println!(
            "  CPU time per edit (the whole process, all threads): {}",
            ms(cpu)
        );
    }
    let default = kqlint_lsp::Options::default().debounce;
    let (times, _, _) = latency(default, 20);
    println!(
        "  with the default debounce of {}: p50 {}  p99 {} (20 edits)",
        ms(default),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    // Memory: every rule file of the dev corpus open at once, each checked.
    let files = kqlint_testkit::corpus_files();
    let before = rss_kib();
    let c = Client::start(Duration::ZERO);
    let started = Instant::now();
    let mut bytes = 0usize;
    for (i, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        bytes += text.len();
        let uri = format!("file:///corpus/{i}.yaml");
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }
    // wait until every file's diagnostics were published
    let mut published = std::collections::HashSet::new();
    while published.len() < files.len() {
        if let Message::Notification(n) = c
            .conn
            .receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap()
            && n.method == "textDocument/publishDiagnostics"
        {
            published.insert(n.params["uri"].as_str().unwrap_or("").to_owned());
        }
    }
    let after = rss_kib();
    println!(
        "memory: {} corpus files ({:.1} MB of YAML) open and checked in {:.1} s: RSS {:.1} MB before, {:.1} MB after (+{:.1} MB)",
        files.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / 1024.0
    );
    c.stop();
}
