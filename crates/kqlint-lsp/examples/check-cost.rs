//! The cost of checking the latency bench's 300-line query, for counting
//! instructions (`valgrind --tool=callgrind`), which load on the machine
//! does not change, unlike wall-clock times.
//!
//! ```text
//! check-cost engine N   # N x Engine::check_source (what `kqlint check` does per file)
//! check-cost lsp N      # N edits through an in-process server: didChange -> publishDiagnostics
//! check-cost tokens N   # the same, each edit followed by semanticTokens/full and a hover
//!                       # (what an editor asks after every change)
//! ```
//!
//! The cost of one check or edit is the difference between two runs
//! (`N = 1` and `N = 21`, say) divided by the difference in `N`, so the
//! start-up (schema catalogue, threads) drops out. It also prints the CPU
//! time of the whole process per check or edit.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::Duration;

#[path = "../benches/support/query.rs"]
mod query;
use query::query_300_lines;

/// CPU time of this process (user + system, all threads).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((tick(11) + tick(12)) * 10)
}

fn engine(n: usize) -> usize {
    let engine = kqlint_core::Engine::new(kqlint_core::EngineOptions::default()).unwrap();
    let text = query_300_lines();
    let limits = engine.options().limits.clone();
    let mut found = 0;
    for _ in 0..n {
        let source = kqlint_core::Source::from_text(
            std::path::Path::new("q.kql"),
            text.clone(),
            kqlint_core::SourceKind::Kql,
            &limits,
        );
        found += engine.check_source("q.kql", source).diagnostics.len();
    }
    found
}

struct Client {
    conn: Connection,
    server: std::thread::JoinHandle<i32>,
    next: i32,
}

impl Client {
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
            match self.conn.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    return r.response_result.unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
    }

    fn wait_publish(&self, version: i64) {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().unwrap()
                && n.method == "textDocument/publishDiagnostics"
                && n.params["version"] == version
            {
                return;
            }
        }
    }
}

fn lsp(n: usize, requests: bool) -> usize {
    let (s, conn) = Connection::memory();
    let server = std::thread::spawn(move || {
        kqlint_lsp::run(
            s,
            kqlint_lsp::Options {
                debounce: Duration::ZERO,
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
    let uri = "file:///bench/q.kql";
    let text = query_300_lines();
    let line = (text.lines().count() / 2) as u32;
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": text}}),
    );
    c.wait_publish(1);
    let mut got = 0;
    for v in 2..2 + n as i64 {
        // type and delete a character in the middle of the query, as the bench does
        let change = if v % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 8}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 9}}, "text": ""})
        };
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}),
        );
        c.wait_publish(v);
        if requests {
            let t = c.request(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            );
            got += t["data"].as_array().map_or(0, Vec::len);
            let h = c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line + 1, "character": 12}}),
            );
            got += usize::from(!h.is_null());
        }
    }
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    c.server.join().unwrap();
    got
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("engine", String::as_str);
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let before = process_cpu();
    let found = match mode {
        "engine" => engine(n),
        "lsp" => lsp(n, false),
        "tokens" => lsp(n, true),
        _ => {
            eprintln!("usage: check-cost engine|lsp|tokens N");
            std::process::exit(2);
        }
    };
    let cpu = process_cpu().saturating_sub(before);
    println!(
        "{mode} x{n}: {found} results, CPU {:.2} ms in all, {:.3} ms each (start-up included)",
        cpu.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0 / n.max(1) as f64
    );
}
