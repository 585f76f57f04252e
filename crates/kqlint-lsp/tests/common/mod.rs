//! An in-process LSP client for the server's protocol tests.
#![allow(dead_code)]

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient {
    pub conn: Connection,
    server: Option<JoinHandle<i32>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Notification>,
}

impl TestClient {
    /// Starts a server and initialises it with these client capabilities.
    pub fn start(capabilities: Value, init_options: Value) -> (TestClient, Value) {
        Self::start_with(capabilities, init_options, Duration::ZERO)
    }

    pub fn start_with(
        capabilities: Value,
        init_options: Value,
        debounce: Duration,
    ) -> (TestClient, Value) {
        Self::start_options(
            capabilities,
            init_options,
            kqlint_lsp::Options {
                debounce,
                ..Default::default()
            },
        )
    }

    pub fn start_options(
        capabilities: Value,
        init_options: Value,
        options: kqlint_lsp::Options,
    ) -> (TestClient, Value) {
        let (server_conn, conn) = Connection::memory();
        let server = std::thread::spawn(move || kqlint_lsp::run(server_conn, options));
        let mut c = TestClient {
            conn,
            server: Some(server),
            next_id: 1,
            notifications: Vec::new(),
        };
        let result = c
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "capabilities": capabilities,
                    "initializationOptions": init_options,
                }),
            )
            .expect("initialize failed");
        c.notify("initialized", json!({}));
        (c, result)
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        let id: RequestId = self.next_id.into();
        self.next_id += 1;
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        id
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err((code, message))`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, (i32, String)> {
        let id = self.send_request(method, params);
        self.response(&id)
    }

    pub fn response(&mut self, id: &RequestId) -> Result<Value, (i32, String)> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.recv(deadline) {
                Message::Response(Response {
                    id: rid,
                    response_result,
                }) if &rid == id => return response_result.map_err(|e| (e.code, e.message)),
                Message::Notification(n) => self.notifications.push(n),
                Message::Request(r) => self.answer_server_request(r),
                Message::Response(_) => {}
            }
        }
    }

    fn answer_server_request(&self, r: Request) {
        let result = match r.method.as_str() {
            "workspace/configuration" => json!([null]),
            _ => Value::Null,
        };
        self.conn
            .sender
            .send(Response::new_ok(r.id, result).into())
            .unwrap();
    }

    fn recv(&mut self, deadline: Instant) -> Message {
        match self
            .conn
            .receiver
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for the server"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed the connection"),
        }
    }

    /// Waits for a notification matching `pred` (including ones already received).
    pub fn wait_notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_notification_for(method, pred, TIMEOUT)
    }

    pub fn wait_notification_for(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n.method == method && pred(&n.params))
        {
            return self.notifications.remove(i).params;
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.recv(deadline) {
                Message::Notification(n) if n.method == method && pred(&n.params) => {
                    return n.params;
                }
                Message::Notification(n) => self.notifications.push(n),
                Message::Request(r) => self.answer_server_request(r),
                Message::Response(_) => {}
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn open(&self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    pub fn change(&self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// `shutdown` then `exit`; the server's exit status.
    pub fn stop(mut self) -> i32 {
        self.request("shutdown", Value::Null)
            .expect("shutdown failed");
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap()
    }

    /// The server thread, to join after `exit` (and time how long that takes).
    pub fn take_server(&mut self) -> std::thread::JoinHandle<i32> {
        self.server.take().unwrap()
    }

    pub fn exit_without_shutdown(mut self) -> i32 {
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap()
    }
}

/// Client capabilities like VS Code's, pushing diagnostics (no pull).
pub fn push_caps() -> Value {
    json!({
        "textDocument": {
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {"completionItem": {"documentationFormat": ["markdown"], "snippetSupport": true}},
            "publishDiagnostics": {"relatedInformation": true},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}
        },
        "workspace": {"configuration": true}
    })
}

pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

/// The labels of a completion result.
pub fn labels(result: &Value) -> Vec<String> {
    let items = if result.is_array() {
        result.clone()
    } else {
        result["items"].clone()
    };
    items
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["label"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}
