//! The byte-level transport with malformed input: the server answers what
//! it cannot read with a JSON-RPC error and keeps serving.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

fn read_message(r: &mut impl BufRead) -> Value {
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        assert!(
            r.read_line(&mut line).unwrap() > 0,
            "the server closed its output"
        );
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_serving() {
    let (client_in, server_out) = std::io::pipe().unwrap();
    let (server_in, mut client_out) = std::io::pipe().unwrap();
    let server = std::thread::spawn(move || {
        let (conn, threads) = kqlint_lsp::transport::streams(server_in, server_out);
        let code = kqlint_lsp::run(
            conn,
            kqlint_lsp::Options {
                debounce: Duration::ZERO,
                ..Default::default()
            },
        );
        threads.join();
        code
    });
    let mut from_server = BufReader::new(client_in);
    let mut send = |bytes: &[u8]| client_out.write_all(bytes).unwrap();

    send(&frame(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
            .to_string(),
    ));
    let init = read_message(&mut from_server);
    assert_eq!(init["id"], 1);
    send(&frame(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));

    // not JSON
    send(&frame("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": "));
    let e = read_message(&mut from_server);
    assert_eq!(e["id"], Value::Null);
    assert_eq!(e["error"]["code"], -32700);
    // JSON, but not a JSON-RPC message
    send(&frame("[1, 2, 3]"));
    assert_eq!(read_message(&mut from_server)["error"]["code"], -32600);
    // a header that is not a header, then a frame without Content-Length
    send(b"Hello there\r\n\r\n");
    assert_eq!(read_message(&mut from_server)["error"]["code"], -32700);
    // an unknown request
    send(&frame(
        r#"{"jsonrpc":"2.0","id":3,"method":"kqlint/nothing","params":{}}"#,
    ));
    let r = read_message(&mut from_server);
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (json!(3), json!(-32601))
    );

    // still serving: open a broken file, get its diagnostics
    send(&frame(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///w/q.kql", "languageId": "kql", "version": 1, "text": "print (1"}}})
        .to_string(),
    ));
    let d = read_message(&mut from_server);
    assert_eq!(d["method"], "textDocument/publishDiagnostics");
    assert_eq!(d["params"]["diagnostics"][0]["code"], "KQL002");

    send(&frame(r#"{"jsonrpc":"2.0","id":4,"method":"shutdown"}"#));
    assert_eq!(read_message(&mut from_server)["id"], 4);
    send(&frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    assert_eq!(server.join().unwrap(), 0);
}
