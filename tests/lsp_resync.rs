//! The language server recovers from malformed frames, end to end on the
//! real binary (`kqlint lsp` over pipes): each malformed header or body is
//! answered once with a JSON-RPC error, the stream is resynchronised at
//! the next `Content-Length`, the request after it is answered, and
//! `shutdown` and `exit` work at the end (the process exits, status 0).
//!
//! `KQLINT_BIN` runs another build of kqlint (to show a defect in an older
//! one).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    std::env::var_os("KQLINT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kqlint")))
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads framed messages from the server into a channel.
fn reader(out: impl Read + Send + 'static) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = v.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; len.unwrap_or(0)];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    rx
}

/// The malformed frames, each built around a request that must not be
/// served (a cut or unframed body) or that has no length to read it by.
fn malformed() -> Vec<(&'static str, Vec<u8>)> {
    let req = |id: u32| {
        json!({"jsonrpc": "2.0", "id": id, "method": "kqlint/explain", "params": {"code": "KQL101"}}).to_string()
    };
    let with_header = |header: &str, body: &str| format!("{header}\r\n\r\n{body}").into_bytes();
    vec![
        (
            "Content-Length: abc",
            with_header("Content-Length: abc", &req(101)),
        ),
        (
            "a negative length",
            with_header("Content-Length: -5", &req(102)),
        ),
        (
            "no Content-Length",
            with_header(
                "Content-Type: application/vscode-jsonrpc; charset=utf-8",
                &req(103),
            ),
        ),
        (
            "two different lengths",
            with_header("Content-Length: 20\r\nContent-Length: 7", &req(104)),
        ),
        (
            "a length too small",
            with_header("Content-Length: 12", &req(105)),
        ),
        (
            "a body without a header",
            format!("{}\r\n", req(106)).into_bytes(),
        ),
        (
            "not JSON",
            frame("{\"jsonrpc\": \"2.0\", \"id\": 107, \"method\": "),
        ),
        ("JSON, not JSON-RPC", frame("[1, 2, 3]")),
    ]
}

#[test]
fn every_malformed_frame_is_answered_once_and_the_stream_recovers() {
    let mut child = Command::new(bin())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kqlint lsp");
    let mut to_server = child.stdin.take().unwrap();
    let from_server = reader(child.stdout.take().unwrap());
    let recv = |what: &str| -> Value {
        from_server
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no answer from the server after {what}"))
    };
    to_server
        .write_all(&frame(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
                .to_string(),
        ))
        .unwrap();
    assert_eq!(recv("initialize")["id"], 1);
    to_server
        .write_all(&frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ))
        .unwrap();

    let mut problems = Vec::new();
    for (i, (what, bytes)) in malformed().into_iter().enumerate() {
        let id = 200 + i as u64;
        to_server.write_all(&bytes).unwrap();
        let next = json!({"jsonrpc": "2.0", "id": id, "method": "kqlint/explain", "params": {"code": "KQL102"}});
        to_server.write_all(&frame(&next.to_string())).unwrap();
        to_server.flush().unwrap();
        // Everything up to the answer to the next request.
        let mut errors = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let answered = loop {
            let Ok(m) =
                from_server.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            else {
                break false;
            };
            if m["id"] == id {
                break m["result"]["code"] == "KQL102";
            }
            if m.get("error").is_some() {
                errors.push(m);
            } else if m.get("id").is_some() && m.get("method").is_none() {
                problems.push(format!("{what}: the malformed request was served: {m}"));
            }
        };
        if !answered {
            problems.push(format!("{what}: the request after it was not answered"));
            break;
        }
        if errors.len() != 1 {
            problems.push(format!("{what}: {} errors: {errors:?}", errors.len()));
        }
        for e in &errors {
            let code = e["error"]["code"].as_i64().unwrap_or(0);
            if code != -32700 && code != -32600 {
                problems.push(format!("{what}: error code {code}"));
            }
        }
    }

    // shutdown and exit still work, and the process ends.
    to_server
        .write_all(&frame(r#"{"jsonrpc":"2.0","id":999,"method":"shutdown"}"#))
        .unwrap();
    let shut = from_server.recv_timeout(Duration::from_secs(10));
    if !shut.as_ref().is_ok_and(|m| m["id"] == 999) {
        problems.push(format!("shutdown was not answered: {shut:?}"));
    }
    to_server
        .write_all(&frame(r#"{"jsonrpc":"2.0","method":"exit"}"#))
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    match status {
        Some(s) if s.code() == Some(0) => {}
        Some(s) => problems.push(format!("exit status {s}")),
        None => problems.push("still running 5 s after exit".into()),
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
