//! The language server's message handling, in process, through its real
//! entry point `kqlint_lsp::run` on an in-memory `lsp_server::Connection`
//! (no stdio). Two ways in:
//!
//! - **a session** (structured, `arbitrary`): client capabilities (push or
//!   pull diagnostics, UTF-8 or UTF-16 positions, configuration, snippets,
//!   ...), then opens, incremental and full edits (ranges anywhere, inside
//!   and past the text, inside surrogate pairs), closes, every request at
//!   fuzzed positions, cancellations, settings and `kqlint.toml` changes,
//!   answers to the server's own requests, and well-known methods with
//!   mutated parameters. Ends with `shutdown` (which must be answered
//!   within 20 s) and `exit`, and the server must return 0.
//! - **raw bytes** (inputs starting with 0xFF): an `initialize` frame, the
//!   bytes as the client's byte stream through the server's own transport
//!   (framing, JSON-RPC decoding), then end of input.
#![no_main]

use arbitrary::Arbitrary;
use crossbeam_channel::RecvTimeoutError;
use libfuzzer_sys::fuzz_target;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const DOCS: [(&str, &str); 6] = [
    ("file:///w/q.kql", "kql"),
    ("file:///w/Detections/rule.yaml", "yaml"),
    ("file:///w/Hunting%20Queries/h%C3%A4.yaml", "yaml"),
    ("file:///w/x.csl", "kusto"),
    ("untitled:Untitled-1", "kql"),
    ("file:///w/notes.txt", "plaintext"),
];

const SAMPLES: [&str; 4] = [
    "let lookback = 1d;\nDeviceNetworkEvents\n| where Timestamp > ago(lookback)\n| where RemoteIp == \"1.2.3.4\" and ActionType == \"ConnectionSucess\"\n| summarize n = count() by DeviceName, bin(Timestamp, 1h)\n| project-away n\n",
    "id: 3f0c2a1e-7e5b-4d7e-9c11-2f4a0c8b9d10\nname: Sample\ndescription: |\n  <Enter description>\nseverity: Medium\nrequiredDataConnectors:\n  - connectorId: MicrosoftThreatProtection\n    dataTypes: [DeviceNetworkEvents]\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics: [Execution]\nrelevantTechniques: [T1059]\nquery: |\n  DeviceNetworkEvents\n  | where RemoteIP == \"ä😀\" and\n  | extend x = tolower(RemoteUrl)\n  | take 10\nentityMappings:\n  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: RemoteIP\nversion: 1.0.0\nkind: Scheduled\n",
    "SigninLogs\r\n| where ResultType == 0 // kqlint-disable-line KQL301\r\n| join kind=inner (AuditLogs | where OperationName has \"x\") on $left.UserPrincipalName == $right.Identity\r\n| mv-expand LocationDetails\r\n",
    "query: >\n  SecurityEvent\n  | where EventID == 4625\n  | summarize count() by Account\n",
];

/// Methods sent with mutated parameters.
const METHODS: [&str; 16] = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentHighlight",
    "textDocument/documentSymbol",
    "textDocument/codeAction",
    "textDocument/diagnostic",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "$/cancelRequest",
    "kqlint/explain",
    "initialize",
];

#[derive(Arbitrary, Debug)]
struct Session {
    pull: bool,
    utf8: bool,
    configuration: bool,
    watch_files: bool,
    rich: bool,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Pos {
    line: u8,
    character: u8,
    /// Far past the end (u32 values near the maximum).
    far: bool,
}

impl Pos {
    fn json(self) -> Value {
        if self.far {
            json!({ "line": u32::MAX - u32::from(self.line), "character": u32::MAX - u32::from(self.character) })
        } else {
            json!({ "line": self.line % 40, "character": self.character })
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Change {
    /// `None`: the whole text.
    range: Option<(Pos, Pos)>,
    /// 0: `text` as is; else one of a few typical insertions.
    kind: u8,
    text: String,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open {
        doc: u8,
        sample: u8,
        version: i32,
        text: String,
    },
    Change {
        doc: u8,
        version: i32,
        changes: Vec<Change>,
    },
    Close {
        doc: u8,
    },
    Request {
        doc: u8,
        method: u8,
        at: Pos,
        to: Pos,
        flag: bool,
    },
    Cancel {
        back: u8,
    },
    Config {
        toml: String,
        debounce: Option<u8>,
    },
    WatchedFiles,
    Mutated {
        method: u8,
        doc: u8,
        edits: Vec<(u8, u8)>,
    },
    Raw {
        text: String,
    },
    /// Wait until every request sent so far has its answer.
    Settle,
}

fn typical(kind: u8, text: &str) -> String {
    match kind % 12 {
        0 => text.to_owned(),
        1 => "\n".into(),
        2 => "| where ".into(),
        3 => "(".into(),
        4 => ")".into(),
        5 => "\"".into(),
        6 => "😀".into(),
        7 => "\r\n".into(),
        8 => "  ".into(),
        9 => "query: |\n  ".into(),
        10 => "RemoteIP".into(),
        _ => String::new(),
    }
}

struct Client {
    conn: Connection,
    next_id: i32,
    outstanding: Vec<RequestId>,
    config_dir: std::path::PathBuf,
}

impl Client {
    fn notify(&self, method: &str, params: Value) {
        let _ = self
            .conn
            .sender
            .send(Notification::new(method.into(), params).into());
    }

    fn request(&mut self, method: &str, params: Value) -> RequestId {
        let id: RequestId = self.next_id.into();
        self.next_id += 1;
        self.outstanding.push(id.clone());
        let _ = self
            .conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into());
        id
    }

    /// Handles what the server sent: answers its requests, notes responses.
    fn handle(&mut self, m: Message) {
        match m {
            Message::Request(r) => {
                let result = if r.method == "workspace/configuration" {
                    json!([{ "configPath": self.config_path(), "debounceMs": 0 }])
                } else {
                    Value::Null
                };
                let _ = self.conn.sender.send(Response::new_ok(r.id, result).into());
            }
            Message::Response(r) => self.outstanding.retain(|id| *id != r.id),
            Message::Notification(_) => {}
        }
    }

    fn drain(&mut self) {
        while let Ok(m) = self.conn.receiver.try_recv() {
            self.handle(m);
        }
    }

    /// Waits until `id` (or every outstanding request) is answered.
    fn wait(&mut self, id: Option<&RequestId>, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while id.map_or(!self.outstanding.is_empty(), |id| {
            self.outstanding.contains(id)
        }) {
            match self
                .conn
                .receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(m) => self.handle(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the server did not answer {what} within 20 s")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server went away before answering {what}")
                }
            }
        }
    }

    fn config_path(&self) -> String {
        self.config_dir
            .join("kqlint.toml")
            .to_string_lossy()
            .into_owned()
    }
}

fn capabilities(s: &Session) -> Value {
    let mut caps = json!({
        "workspace": {
            "configuration": s.configuration,
            "didChangeWatchedFiles": { "dynamicRegistration": s.watch_files },
            "diagnostics": { "refreshSupport": s.rich },
        },
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": s.rich },
            "hover": { "contentFormat": if s.rich { json!(["markdown", "plaintext"]) } else { json!(["plaintext"]) } },
            "completion": { "completionItem": { "snippetSupport": s.rich, "documentationFormat": ["markdown"] } },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": s.rich },
        },
        "experimental": { "kqlintDocs": s.rich },
    });
    if s.rich {
        caps["textDocument"]["codeAction"] = json!({ "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } });
    }
    if s.pull {
        caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    }
    if s.utf8 {
        caps["general"] = json!({ "positionEncodings": ["utf-8", "utf-16"] });
    }
    caps
}

fn doc(i: u8) -> (&'static str, &'static str) {
    DOCS[i as usize % DOCS.len()]
}

fn text_document(i: u8) -> Value {
    json!({ "uri": doc(i).0 })
}

fn session(s: Session) {
    let (server_conn, conn) = Connection::memory();
    let server = std::thread::spawn(move || {
        kqlint_lsp::run(
            server_conn,
            kqlint_lsp::Options {
                debounce: Duration::ZERO,
                request_threads: 2,
                ..Default::default()
            },
        )
    });
    let config_dir = std::env::temp_dir().join(format!("kqlint-fuzz-lsp-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&config_dir);
    let mut c = Client {
        conn,
        next_id: 1,
        outstanding: Vec::new(),
        config_dir,
    };
    let init = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities(&s) }),
    );
    c.wait(Some(&init), "initialize");
    c.notify("initialized", json!({}));
    let mut versions = [0i32; DOCS.len()];
    for op in s.ops {
        c.drain();
        match op {
            Op::Open {
                doc: d,
                sample,
                version,
                text,
            } => {
                let text = match sample as usize % (SAMPLES.len() + 2) {
                    0 => text,
                    i if i <= SAMPLES.len() => SAMPLES[i - 1].to_owned(),
                    _ => {
                        let base = SAMPLES[sample as usize % SAMPLES.len()];
                        let mut at = (version.unsigned_abs() as usize) % (base.len() + 1);
                        while !base.is_char_boundary(at) {
                            at -= 1;
                        }
                        format!("{}{}{}", &base[..at], text, &base[at..])
                    }
                };
                versions[d as usize % DOCS.len()] = version;
                let (uri, lang) = doc(d);
                c.notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": uri, "languageId": lang, "version": version, "text": text } }),
                );
            }
            Op::Change {
                doc: d,
                version,
                changes,
            } => {
                let v = &mut versions[d as usize % DOCS.len()];
                *v = if version == 0 {
                    v.wrapping_add(1)
                } else {
                    version
                };
                let changes: Vec<Value> = changes
                    .into_iter()
                    .map(|ch| {
                        let text = typical(ch.kind, &ch.text);
                        match ch.range {
                            None => json!({ "text": text }),
                            Some((a, b)) => json!({ "range": { "start": a.json(), "end": b.json() }, "text": text }),
                        }
                    })
                    .collect();
                c.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": doc(d).0, "version": *v }, "contentChanges": changes }),
                );
            }
            Op::Close { doc: d } => {
                c.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": text_document(d) }),
                );
            }
            Op::Request {
                doc: d,
                method,
                at,
                to,
                flag,
            } => {
                let td = text_document(d);
                let (m, params) = match method % 10 {
                    0 => (
                        "textDocument/hover",
                        json!({ "textDocument": td, "position": at.json() }),
                    ),
                    1 => (
                        "textDocument/completion",
                        json!({ "textDocument": td, "position": at.json() }),
                    ),
                    2 => (
                        "textDocument/definition",
                        json!({ "textDocument": td, "position": at.json() }),
                    ),
                    3 => (
                        "textDocument/references",
                        json!({ "textDocument": td, "position": at.json(), "context": { "includeDeclaration": flag } }),
                    ),
                    4 => (
                        "textDocument/documentHighlight",
                        json!({ "textDocument": td, "position": at.json() }),
                    ),
                    5 => ("textDocument/documentSymbol", json!({ "textDocument": td })),
                    6 => (
                        "textDocument/codeAction",
                        json!({
                            "textDocument": td,
                            "range": { "start": at.json(), "end": to.json() },
                            "context": { "diagnostics": [], "only": if flag { json!(["quickfix"]) } else { Value::Null } },
                        }),
                    ),
                    7 => (
                        "textDocument/diagnostic",
                        json!({ "textDocument": td, "previousResultId": if flag { json!("1:1") } else { Value::Null } }),
                    ),
                    8 => (
                        "kqlint/explain",
                        json!({ "code": if flag { "KQL102" } else { "unknown-column" } }),
                    ),
                    _ => ("kqlint/stats", json!({})),
                };
                c.request(m, params);
            }
            Op::Cancel { back } => {
                let id = c.next_id - 1 - i32::from(back % 4);
                c.notify("$/cancelRequest", json!({ "id": id }));
            }
            Op::Config { toml, debounce } => {
                let _ = std::fs::write(c.config_dir.join("kqlint.toml"), toml);
                let mut settings = json!({ "configPath": c.config_path() });
                if let Some(d) = debounce {
                    settings["debounceMs"] = json!(d);
                }
                c.notify(
                    "workspace/didChangeConfiguration",
                    json!({ "settings": { "kqlint": settings } }),
                );
            }
            Op::WatchedFiles => {
                let uri = format!("file://{}", c.config_path());
                c.notify(
                    "workspace/didChangeWatchedFiles",
                    json!({ "changes": [{ "uri": uri, "type": 2 }] }),
                );
            }
            Op::Mutated {
                method,
                doc: d,
                edits,
            } => {
                let m = METHODS[method as usize % METHODS.len()];
                let mut params = json!({
                    "textDocument": { "uri": doc(d).0, "languageId": "kql", "version": 1, "text": "T | take 1" },
                    "position": { "line": 0, "character": 4 },
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } },
                    "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } }, "text": "x" }],
                    "context": { "diagnostics": [], "includeDeclaration": true },
                    "settings": { "kqlint": { "configPath": null, "schemaDirs": [], "debounceMs": 0 } },
                    "changes": [{ "uri": "file:///w/kqlint.toml", "type": 1 }],
                    "id": 1,
                    "code": "KQL102",
                    "capabilities": {},
                });
                for (path, value) in edits {
                    mutate(&mut params, path, value);
                }
                if m.starts_with("textDocument/did")
                    || m.starts_with("workspace/")
                    || m.starts_with("$/")
                {
                    c.notify(m, params);
                } else {
                    c.request(m, params);
                }
            }
            Op::Raw { text } => {
                // Anything that decodes as a message, except `exit`.
                if let Ok(m) = serde_json::from_str::<Message>(&text) {
                    match m {
                        Message::Notification(n) if n.method == "exit" => {}
                        Message::Request(r) => {
                            let id = r.id.clone();
                            if !c.outstanding.contains(&id) {
                                c.outstanding.push(id);
                            }
                            let _ = c.conn.sender.send(r.into());
                        }
                        m => {
                            let _ = c.conn.sender.send(m);
                        }
                    }
                }
            }
            Op::Settle => c.wait(None, "the requests sent so far"),
        }
    }
    let id = c.request("shutdown", Value::Null);
    c.wait(Some(&id), "shutdown");
    c.notify("exit", Value::Null);
    let code = server.join().expect("the server thread panicked");
    assert_eq!(code, 0, "exit after shutdown must give status 0");
}

/// Replaces one node of `v` (chosen by `path`) with a value of another
/// kind (chosen by `value`).
fn mutate(v: &mut Value, path: u8, value: u8) {
    let mut node = v;
    let mut p = path;
    loop {
        let len = match node {
            Value::Object(o) => o.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if len == 0 || p % 4 == 0 {
            break;
        }
        let i = (p as usize / 4) % len;
        p /= 3;
        node = match node {
            Value::Object(o) => o.values_mut().nth(i).unwrap(),
            Value::Array(a) => &mut a[i],
            _ => unreachable!(),
        };
    }
    *node = match value % 14 {
        0 => Value::Null,
        1 => json!(-1),
        2 => json!(u64::MAX),
        3 => json!(1.5e300),
        4 => json!(""),
        5 => json!("file:///w/q.kql"),
        6 => json!("not a uri \u{0}"),
        7 => json!([]),
        8 => json!({}),
        9 => json!(true),
        10 => json!(i64::MIN),
        11 => json!("\u{d7ff}😀\u{fffd}"),
        12 => json!([{ "line": 0, "character": 0 }]),
        _ => json!({ "line": 4294967295u32, "character": 4294967295u32 }),
    };
}

/// The raw byte stream through the server's transport.
fn transport(bytes: &[u8]) {
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#;
    let mut input = format!("Content-Length: {}\r\n\r\n{init}", init.len()).into_bytes();
    input.extend_from_slice(bytes);
    let (conn, io) = kqlint_lsp::transport::streams(std::io::Cursor::new(input), std::io::sink());
    let _ = kqlint_lsp::run(
        conn,
        kqlint_lsp::Options {
            debounce: Duration::ZERO,
            request_threads: 1,
            ..Default::default()
        },
    );
    io.join();
}

fuzz_target!(|data: &[u8]| {
    if let Some((0xFF, rest)) = data.split_first() {
        return transport(rest);
    }
    if let Ok(s) = Session::arbitrary_take_rest(arbitrary::Unstructured::new(data)) {
        session(s);
    }
});
