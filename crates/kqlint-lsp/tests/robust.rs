//! The server stays responsive whatever a document costs: a slow document
//! does not hold up another's diagnostics, a long request is cancelled
//! (`$/cancelRequest`) part-way, the time budget of an analysis ends with
//! a diagnostic, and `shutdown` / `exit` do not wait for a slow analysis.
//!
//! The slow document is one of the worst query shapes at 100 KB (the
//! self-join chains): a few seconds of checking in a debug build, where
//! these tests run.

mod common;

use common::{TestClient, push_caps};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn slow_query() -> String {
    kqlint_testkit::shapes::worst_shapes(100_000)
        .remove(0)
        .query
}

fn options(budget: Duration, debounce: Duration) -> kqlint_lsp::Options {
    kqlint_lsp::Options {
        debounce,
        analysis_budget: budget,
        ..Default::default()
    }
}

#[test]
fn a_slow_document_does_not_hold_up_another() {
    let (mut c, _) = TestClient::start_options(
        push_caps(),
        Value::Null,
        options(Duration::from_secs(600), Duration::ZERO),
    );
    let slow = "file:///w/slow.kql";
    c.open(slow, "kql", &slow_query());
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let quick = "file:///w/quick.kql";
    c.open(quick, "kql", "print (");
    let d = c.wait_notification_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == quick,
        Duration::from_secs(20),
    );
    let waited = started.elapsed();
    assert_eq!(d["diagnostics"][0]["severity"], 1); // a syntax error
    // The slow one is still being checked (or has only just finished).
    let slow_done = c
        .notifications
        .iter()
        .any(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == slow);
    assert!(
        waited < Duration::from_secs(2),
        "the quick document waited {waited:?} (the slow one done: {slow_done})"
    );
    let _ = c.wait_notification_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == slow,
        Duration::from_secs(300),
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn the_time_budget_ends_an_analysis_with_a_diagnostic() {
    let (mut c, _) = TestClient::start_options(
        push_caps(),
        Value::Null,
        options(Duration::from_millis(1), Duration::ZERO),
    );
    // Many cheap operators: no other limit comes first.
    let slow = "file:///w/slow.kql";
    let text = format!(
        "DeviceNetworkEvents\n{}",
        "| where RemotePort == 443 and RemoteUrl has \"contoso\"\n".repeat(20_000)
    );
    c.open(slow, "kql", &text);
    let d = c.wait_notification_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == slow,
        Duration::from_secs(300),
    );
    let limit: Vec<&Value> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "KQL940")
        .collect();
    assert_eq!(limit.len(), 1, "{d}");
    assert!(
        limit[0]["message"]
            .as_str()
            .unwrap()
            .contains("ran out of time"),
        "{}",
        limit[0]
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn a_long_request_is_cancelled_part_way() {
    // Diagnostics far off: the request is what analyses the document.
    let (mut c, _) = TestClient::start_options(
        push_caps(),
        Value::Null,
        options(Duration::from_secs(600), Duration::from_secs(600)),
    );
    let slow = "file:///w/slow.kql";
    c.open(slow, "kql", &slow_query());
    let id = c.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": slow}, "position": {"line": 0, "character": 5}}),
    );
    std::thread::sleep(Duration::from_millis(300));
    let cancelled = Instant::now();
    c.notify(
        "$/cancelRequest",
        json!({ "id": serde_json::to_value(&id).unwrap() }),
    );
    let r = c.response(&id);
    let took = cancelled.elapsed();
    assert_eq!(r.map_err(|e| e.0), Err(-32800), "not cancelled");
    assert!(took < Duration::from_secs(2), "the cancel took {took:?}");
    // The server goes on: the same request again is answered in full.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": slow}, "position": {"line": 0, "character": 5}}),
        )
        .unwrap();
    assert!(r.to_string().contains("SecurityEvent"), "{r}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn exit_does_not_wait_for_a_slow_analysis() {
    let (mut c, _) = TestClient::start_options(
        push_caps(),
        Value::Null,
        options(Duration::from_secs(600), Duration::ZERO),
    );
    c.open("file:///w/slow.kql", "kql", &slow_query());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    c.request("shutdown", Value::Null).unwrap();
    c.notify("exit", Value::Null);
    let code = c.take_server().join().unwrap();
    let took = started.elapsed();
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(2), "exit took {took:?}");
}
