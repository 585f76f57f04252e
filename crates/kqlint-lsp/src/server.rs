//! The message loop, the checker thread and the request pool.

use crate::check;
use crate::client::Client;
use crate::document::{Checked, Document, uri_to_path};
use crate::features::{self, Ctx};
use crate::workspace::{self, Settings, Workspace};
use crossbeam_channel::{Receiver, Sender, select, unbounded};
use kqlint_core::Interrupt;
use kqlint_ide::Ide;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::{Duration, Instant};

/// The analysis recurses over the syntax tree; threads that analyse get the
/// stack the engine's own workers get.
const ANALYSIS_STACK: usize = 64 * 1024 * 1024;

/// LSP 3.17 error codes that `lsp-server` does not name.
const SERVER_CANCELLED: i32 = -32802;

/// Server options that are not editor settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long the checker waits after the last edit of a document before
    /// checking it (pushed diagnostics only). The `debounceMs` setting
    /// overrides it.
    pub debounce: Duration,
    /// Threads answering requests.
    pub request_threads: usize,
    /// Threads checking documents for pushed diagnostics: a slow document
    /// does not hold up the others.
    pub check_threads: usize,
    /// The time budget of one analysis of a document: past it the
    /// analysis stops where it is, with an `analysis-limit` diagnostic
    /// there (the row-width and work limits apply as in `kqlint check`).
    pub analysis_budget: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            debounce: Duration::from_millis(150),
            request_threads: 2,
            check_threads: 2,
            analysis_budget: Duration::from_secs(2),
        }
    }
}

/// What the threads share.
struct Shared {
    sender: Sender<Message>,
    client: Client,
    docs: Mutex<HashMap<lsp::Uri, Arc<Document>>>,
    ws: RwLock<Arc<Workspace>>,
    /// The cancel flag of every request queued or running on the pool
    /// (`$/cancelRequest` sets it; its analysis stops at once).
    running: Mutex<HashMap<RequestId, Arc<AtomicBool>>>,
    /// Set at `exit` (or when the client goes away): every analysis gives up.
    stop: Arc<AtomicBool>,
    /// [`Options::analysis_budget`].
    budget: Duration,
    /// Debounce delay in milliseconds (settings may change it).
    debounce_ms: AtomicU64,
    /// The last check times (for `kqlint/stats`), newest last.
    check_times: Mutex<Vec<Duration>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock is caught and reported; the data (plain
    // maps) stays usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn workspace(&self) -> Arc<Workspace> {
        self.ws.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn doc(&self, uri: &lsp::Uri) -> Option<Arc<Document>> {
        lock(&self.docs).get(uri).cloned()
    }

    fn send(&self, m: impl Into<Message>) {
        let _ = self.sender.send(m.into());
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_owned(), params));
    }

    /// What stops one analysis: the time budget from now, `exit`, and the
    /// caller's own cancel flag.
    fn interrupt(&self, cancel: Option<&Arc<AtomicBool>>) -> Interrupt {
        let mut flags = vec![self.stop.clone()];
        flags.extend(cancel.cloned());
        Interrupt {
            deadline: Some(Instant::now() + self.budget),
            flags,
        }
    }

    /// The check result of a snapshot, computed once per workspace
    /// generation. A result cut short by a cancel flag (or `exit`) is
    /// returned but not kept; one cut by the time budget is kept (with its
    /// `analysis-limit` diagnostic): the next edit checks again.
    fn checked_with(
        &self,
        doc: &Document,
        ws: &Workspace,
        cancel: Option<&Arc<AtomicBool>>,
    ) -> Arc<Checked> {
        if let Some((g, c)) = &*lock(&doc.checked)
            && *g == ws.generation
        {
            return c.clone();
        }
        let interrupt = self.interrupt(cancel);
        let c = Arc::new(check::check_with(doc, ws, &self.client, &interrupt));
        // Problems with schema files, found when a check first reads them.
        for w in ws.engine.take_warnings() {
            eprintln!("kqlint lsp: schema: {w}");
        }
        if interrupt.flags.iter().any(|f| f.load(Ordering::Relaxed)) {
            return c;
        }
        {
            let mut times = lock(&self.check_times);
            if times.len() >= 10_000 {
                times.drain(..5_000);
            }
            times.push(c.elapsed);
        }
        *lock(&doc.checked) = Some((ws.generation, c.clone()));
        c
    }

    fn ide_with(
        &self,
        doc: &Document,
        ws: &Workspace,
        cancel: Option<&Arc<AtomicBool>>,
    ) -> Arc<Ide> {
        if let Some((g, i)) = &*lock(&doc.ide)
            && *g == ws.generation
        {
            return i.clone();
        }
        // The features read the analysis the check made (one per snapshot).
        let checked = self.checked_with(doc, ws, cancel);
        let i = Arc::new(Ide::new(&checked.analyses));
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) || self.stop.load(Ordering::Relaxed) {
            return i;
        }
        *lock(&doc.ide) = Some((ws.generation, i.clone()));
        i
    }

    /// Publishes diagnostics of `doc` only while it is the current snapshot
    /// of an open document and `ws` the current settings. The check happens
    /// under the documents lock, which the main loop takes to install a
    /// newer version, so a superseded result can never be published.
    fn publish_if_current(&self, doc: &Document, ws: &Workspace, checked: &Checked) -> bool {
        let docs = lock(&self.docs);
        let current = docs
            .get(&doc.uri)
            .is_some_and(|d| d.generation == doc.generation)
            && self.workspace().generation == ws.generation;
        if current {
            self.notify::<notif::PublishDiagnostics>(lsp::PublishDiagnosticsParams::new(
                doc.uri.clone(),
                checked.lsp.clone(),
                Some(doc.version),
            ));
        }
        current
    }
}

enum Job {
    Check(Arc<Document>),
    /// The document was closed: a check of it that is running stops.
    Forget(lsp::Uri),
}

/// What a request running on the pool sees: the shared state, and its own
/// cancel flag, which every analysis it starts obeys.
struct Scope<'a> {
    shared: &'a Shared,
    cancel: &'a Arc<AtomicBool>,
}

impl std::ops::Deref for Scope<'_> {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        self.shared
    }
}

impl Scope<'_> {
    fn checked(&self, doc: &Document, ws: &Workspace) -> Arc<Checked> {
        self.shared.checked_with(doc, ws, Some(self.cancel))
    }

    fn ide(&self, doc: &Document, ws: &Workspace) -> Arc<Ide> {
        self.shared.ide_with(doc, ws, Some(self.cancel))
    }
}

/// Runs the server on a connection until `exit`; returns the exit status.
pub fn run(conn: Connection, options: Options) -> i32 {
    let Some((init_id, params, raw_caps)) = wait_for_initialize(&conn) else {
        return 1;
    };
    let client = Client::new(&params.capabilities, &raw_caps);
    let roots = roots(&params);
    let mut problems = Vec::new();
    let settings = params
        .initialization_options
        .as_ref()
        .and_then(|v| Settings::from_json(v, &mut problems))
        .unwrap_or_default();
    let debounce_ms = settings
        .debounce_ms
        .unwrap_or(options.debounce.as_millis() as u64);
    let ws = Workspace::new(1, settings, &roots, problems);
    log_warnings(&ws);

    let result = lsp::InitializeResult {
        capabilities: capabilities(&client),
        server_info: Some(lsp::ServerInfo {
            name: "kqlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let _ = conn.sender.send(Response::new_ok(init_id, result).into());

    let shared = Arc::new(Shared {
        sender: conn.sender.clone(),
        client,
        docs: Mutex::new(HashMap::new()),
        ws: RwLock::new(Arc::new(ws)),
        running: Mutex::new(HashMap::new()),
        stop: Arc::new(AtomicBool::new(false)),
        budget: options.analysis_budget,
        debounce_ms: AtomicU64::new(debounce_ms),
        check_times: Mutex::new(Vec::new()),
    });
    let (jobs, job_rx) = unbounded::<Job>();
    let checker = {
        let shared = shared.clone();
        let workers = options.check_threads.max(1);
        thread::Builder::new()
            .name("kqlint-lsp-checker".into())
            .spawn(move || checker(&shared, &job_rx, workers))
            .expect("cannot start the checker thread")
    };
    let (tasks, task_rx) = unbounded::<Task>();
    let pool: Vec<_> = (0..options.request_threads.max(1))
        .map(|i| {
            let rx = task_rx.clone();
            thread::Builder::new()
                .name(format!("kqlint-lsp-request-{i}"))
                .stack_size(ANALYSIS_STACK)
                .spawn(move || {
                    for task in rx {
                        // A panic is reported by the task's own guard; the
                        // thread lives on.
                        let _ = catch_unwind(AssertUnwindSafe(task));
                    }
                })
                .expect("cannot start a request thread")
        })
        .collect();

    let mut main = Main {
        shared,
        jobs,
        tasks,
        roots,
        shutdown: false,
        next_id: AtomicI32::new(1),
        pending: HashMap::new(),
    };
    let code = main.run(&conn.receiver);
    let Main {
        jobs,
        tasks,
        shared,
        ..
    } = main;
    // Every analysis still running gives up at its next step, so the
    // threads end at once; `exit` never waits for a slow document.
    shared.stop.store(true, Ordering::Relaxed);
    for flag in lock(&shared.running).values() {
        flag.store(true, Ordering::Relaxed);
    }
    drop(jobs);
    drop(tasks);
    let _ = checker.join();
    for t in pool {
        let _ = t.join();
    }
    code
}

fn log_warnings(ws: &Workspace) {
    for w in &ws.warnings {
        eprintln!("kqlint lsp: settings: {w}");
    }
}

/// Waits for `initialize`, answering anything else as the specification
/// asks (requests get "server not initialized"; `exit` ends the server).
fn wait_for_initialize(conn: &Connection) -> Option<(RequestId, lsp::InitializeParams, Value)> {
    for msg in &conn.receiver {
        match msg {
            Message::Request(r) if r.method == req::Initialize::METHOD => {
                let raw = r.params.get("capabilities").cloned().unwrap_or(Value::Null);
                match serde_json::from_value::<lsp::InitializeParams>(r.params) {
                    Ok(p) => return Some((r.id, p, raw)),
                    Err(e) => {
                        let _ = conn.sender.send(
                            Response::new_err(
                                r.id,
                                ErrorCode::InvalidParams as i32,
                                format!("invalid initialize parameters: {e}"),
                            )
                            .into(),
                        );
                    }
                }
            }
            Message::Request(r) => {
                let _ = conn.sender.send(
                    Response::new_err(
                        r.id,
                        ErrorCode::ServerNotInitialized as i32,
                        "the server is not initialized yet".into(),
                    )
                    .into(),
                );
            }
            Message::Notification(n) if n.method == notif::Exit::METHOD => return None,
            _ => {}
        }
    }
    None
}

fn roots(p: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = p
        .workspace_folders
        .iter()
        .flatten()
        .map(|f| uri_to_path(&f.uri))
        .collect();
    #[allow(deprecated)] // root_uri: older clients send only this
    if roots.is_empty()
        && let Some(u) = &p.root_uri
    {
        roots.push(uri_to_path(u));
    }
    roots
}

fn capabilities(client: &Client) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(client.encoding.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                // didSave of kqlint.toml reloads the configuration (clients
                // that send no file-watch notifications, Neovim on Linux).
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["|".into(), "\"".into(), "'".into(), "(".into()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        document_range_formatting_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensOptions {
                legend: crate::tokens::legend(),
                range: Some(true),
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                ..Default::default()
            }
            .into(),
        ),
        code_action_provider: Some(if client.code_action_literals {
            lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::from(features::FIX_ALL_KIND.to_owned()),
                ]),
                ..Default::default()
            })
        } else {
            lsp::CodeActionProviderCapability::Simple(true)
        }),
        diagnostic_provider: client.pull_diagnostics.then(|| {
            lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                identifier: Some("kqlint".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                ..Default::default()
            })
        }),
        ..Default::default()
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// Requests the server sent and waits on.
enum Pending {
    Configuration,
    Other,
}

struct Main {
    shared: Arc<Shared>,
    jobs: Sender<Job>,
    tasks: Sender<Task>,
    roots: Vec<PathBuf>,
    shutdown: bool,
    next_id: AtomicI32,
    pending: HashMap<RequestId, Pending>,
}

impl Main {
    fn run(&mut self, rx: &Receiver<Message>) -> i32 {
        for msg in rx {
            match msg {
                Message::Request(r) => self.request(r),
                Message::Notification(n) => {
                    if n.method == notif::Exit::METHOD {
                        return if self.shutdown { 0 } else { 1 };
                    }
                    self.notification(n);
                }
                Message::Response(r) => self.response(r),
            }
        }
        // The client went away without `exit`.
        1
    }

    fn reply_err(&self, id: RequestId, code: i32, message: impl Into<String>) {
        self.shared
            .send(Response::new_err(id, code, message.into()));
    }

    fn request(&mut self, r: Request) {
        if self.shutdown {
            return self.reply_err(
                r.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down",
            );
        }
        match r.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutdown = true;
                self.shared.send(Response::new_ok(r.id, ()));
            }
            req::Initialize::METHOD => self.reply_err(
                r.id,
                ErrorCode::InvalidRequest as i32,
                "the server is already initialized",
            ),
            req::HoverRequest::METHOD => {
                self.spawn_position::<req::HoverRequest>(r, |s, doc, ws, p: lsp::HoverParams| {
                    let ide = s.ide(&doc, &ws);
                    let checked = s.checked(&doc, &ws);
                    let cx = Ctx {
                        doc: &doc,
                        ide: &ide,
                        client: &s.client,
                    };
                    features::hover(
                        &cx,
                        p.text_document_position_params.position,
                        Some(&checked),
                    )
                })
            }
            req::Completion::METHOD => {
                self.spawn_position::<req::Completion>(r, |s, doc, ws, p: lsp::CompletionParams| {
                    let ide = s.ide(&doc, &ws);
                    let cx = Ctx {
                        doc: &doc,
                        ide: &ide,
                        client: &s.client,
                    };
                    features::completion(&cx, p.text_document_position.position)
                })
            }
            req::GotoDefinition::METHOD => self.spawn_position::<req::GotoDefinition>(
                r,
                |s, doc, ws, p: lsp::GotoDefinitionParams| {
                    let ide = s.ide(&doc, &ws);
                    let cx = Ctx {
                        doc: &doc,
                        ide: &ide,
                        client: &s.client,
                    };
                    features::definition(&cx, p.text_document_position_params.position)
                        .map(lsp::GotoDefinitionResponse::Scalar)
                },
            ),
            req::References::METHOD => {
                self.spawn_position::<req::References>(r, |s, doc, ws, p: lsp::ReferenceParams| {
                    let ide = s.ide(&doc, &ws);
                    let cx = Ctx {
                        doc: &doc,
                        ide: &ide,
                        client: &s.client,
                    };
                    features::references(
                        &cx,
                        p.text_document_position.position,
                        p.context.include_declaration,
                    )
                })
            }
            req::DocumentHighlightRequest::METHOD => self
                .spawn_position::<req::DocumentHighlightRequest>(
                    r,
                    |s, doc, ws, p: lsp::DocumentHighlightParams| {
                        let ide = s.ide(&doc, &ws);
                        let cx = Ctx {
                            doc: &doc,
                            ide: &ide,
                            client: &s.client,
                        };
                        features::highlights(&cx, p.text_document_position_params.position)
                    },
                ),
            req::Formatting::METHOD => self.spawn_position::<req::Formatting>(
                r,
                |s, doc, ws, _p: lsp::DocumentFormattingParams| {
                    Some(features::formatting(&doc, &ws, &s.client))
                },
            ),
            req::RangeFormatting::METHOD => self.spawn_position::<req::RangeFormatting>(
                r,
                |s, doc, ws, p: lsp::DocumentRangeFormattingParams| {
                    Some(features::range_formatting(&doc, &ws, &s.client, p.range))
                },
            ),
            req::DocumentSymbolRequest::METHOD => self
                .spawn_position::<req::DocumentSymbolRequest>(
                    r,
                    |s, doc, ws, _p: lsp::DocumentSymbolParams| {
                        let ide = s.ide(&doc, &ws);
                        Some(features::all_symbols(&Ctx {
                            doc: &doc,
                            ide: &ide,
                            client: &s.client,
                        }))
                    },
                ),
            req::SemanticTokensFullRequest::METHOD => self
                .spawn_position::<req::SemanticTokensFullRequest>(
                    r,
                    |s, doc, ws, _p: lsp::SemanticTokensParams| {
                        let ide = s.ide(&doc, &ws);
                        Some(crate::tokens::tokens(&doc, &ide, s.client.encoding, None).into())
                    },
                ),
            req::SemanticTokensRangeRequest::METHOD => self
                .spawn_position::<req::SemanticTokensRangeRequest>(
                    r,
                    |s, doc, ws, p: lsp::SemanticTokensRangeParams| {
                        let ide = s.ide(&doc, &ws);
                        Some(
                            crate::tokens::tokens(&doc, &ide, s.client.encoding, Some(p.range))
                                .into(),
                        )
                    },
                ),
            req::CodeActionRequest::METHOD => self.spawn_position::<req::CodeActionRequest>(
                r,
                |s, doc, ws, p: lsp::CodeActionParams| {
                    let checked = s.checked(&doc, &ws);
                    Some(features::code_actions(
                        &doc,
                        &checked,
                        &ws,
                        &s.client,
                        p.range,
                        p.context.only.as_deref(),
                    ))
                },
            ),
            req::DocumentDiagnosticRequest::METHOD => self.pull_diagnostics(r),
            "kqlint/explain" => {
                let code = r
                    .params
                    .get("code")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                match kqlint_core::registry::lookup(&code) {
                    Some(m) => self.shared.send(Response::new_ok(
                        r.id,
                        serde_json::json!({
                            "code": m.code,
                            "name": m.name,
                            "text": kqlint_core::registry::explain(m),
                            "markdown": check::rule_markdown(m),
                        }),
                    )),
                    None => self.reply_err(
                        r.id,
                        ErrorCode::InvalidParams as i32,
                        format!("no rule has the code or name `{code}`"),
                    ),
                }
            }
            "kqlint/stats" => {
                let times = lock(&self.shared.check_times).clone();
                let micros: Vec<u64> = times.iter().map(|d| d.as_micros() as u64).collect();
                self.shared.send(Response::new_ok(
                    r.id,
                    serde_json::json!({ "checkMicros": micros }),
                ));
            }
            _ => self.reply_err(
                r.id,
                ErrorCode::MethodNotFound as i32,
                format!("kqlint does not handle `{}`", r.method),
            ),
        }
    }

    /// Runs a document request on the pool with a snapshot of the document
    /// as it is now. `T::Params` must name the document.
    fn spawn_position<T>(
        &self,
        r: Request,
        f: impl FnOnce(&Scope<'_>, Arc<Document>, Arc<Workspace>, T::Params) -> T::Result
        + Send
        + 'static,
    ) where
        T: lsp::request::Request,
        T::Params: DeserializeOwned + Send + 'static,
        T::Result: serde::Serialize,
    {
        let id = r.id.clone();
        let params: T::Params = match parse(r.params) {
            Ok(p) => p,
            Err(e) => return self.reply_err(id, ErrorCode::InvalidParams as i32, e),
        };
        let Some(uri) = document_uri(&serde_json::to_value(&params).unwrap_or_default()) else {
            return self.reply_err(id, ErrorCode::InvalidParams as i32, "no textDocument.uri");
        };
        let Some(doc) = self.shared.doc(&uri) else {
            // Not open (or not ours): an empty answer.
            self.shared.send(Response::new_ok(id, Value::Null));
            return;
        };
        let ws = self.shared.workspace();
        let shared = self.shared.clone();
        let cancel = self.track(&id);
        let _ = self.tasks.send(Box::new(move || {
            let mut answered = false;
            if !cancel.load(Ordering::Relaxed) {
                let scope = Scope {
                    shared: &shared,
                    cancel: &cancel,
                };
                let out = catch_unwind(AssertUnwindSafe(|| f(&scope, doc, ws, params)));
                // A request cancelled while it ran is answered as cancelled:
                // its analysis stopped part-way.
                if !cancel.load(Ordering::Relaxed) {
                    answered = true;
                    match out {
                        Ok(result) => shared.send(Response::new_ok(id.clone(), result)),
                        Err(_) => shared.send(Response::new_err(
                            id.clone(),
                            ErrorCode::InternalError as i32,
                            format!("kqlint failed on `{}` (a bug; please report it)", T::METHOD),
                        )),
                    }
                }
            }
            finish(&shared, &id, answered);
        }));
    }

    /// Registers a request's cancel flag until it is answered.
    fn track(&self, id: &RequestId) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        lock(&self.shared.running).insert(id.clone(), flag.clone());
        flag
    }

    fn pull_diagnostics(&self, r: Request) {
        let id = r.id.clone();
        let p: lsp::DocumentDiagnosticParams = match parse(r.params) {
            Ok(p) => p,
            Err(e) => return self.reply_err(id, ErrorCode::InvalidParams as i32, e),
        };
        let Some(doc) = self.shared.doc(&p.text_document.uri) else {
            let empty = lsp::DocumentDiagnosticReportResult::Report(
                lsp::DocumentDiagnosticReport::Full(Default::default()),
            );
            return self.shared.send(Response::new_ok(id, empty));
        };
        let ws = self.shared.workspace();
        let shared = self.shared.clone();
        let cancel = self.track(&id);
        let _ = self.tasks.send(Box::new(move || {
            let answered = pull(&shared, id.clone(), doc, ws, p, &cancel);
            finish(&shared, &id, answered);
        }));
    }
}

/// Answers a request that was cancelled before it was answered, and
/// forgets its flag.
fn finish(shared: &Shared, id: &RequestId, answered: bool) {
    if !answered {
        shared.send(Response::new_err(
            id.clone(),
            ErrorCode::RequestCanceled as i32,
            "cancelled".into(),
        ));
    }
    lock(&shared.running).remove(id);
}

/// A pull-diagnostics request, on the pool.
fn pull(
    shared: &Shared,
    id: RequestId,
    doc: Arc<Document>,
    ws: Arc<Workspace>,
    p: lsp::DocumentDiagnosticParams,
    cancel: &Arc<AtomicBool>,
) -> bool {
    if cancel.load(Ordering::Relaxed) {
        return false;
    }
    let result_id = format!("{}:{}", ws.generation, doc.generation);
    if p.previous_result_id.as_deref() == Some(result_id.as_str()) {
        let r =
            lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Unchanged(
                lsp::RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                        result_id,
                    },
                },
            ));
        shared.send(Response::new_ok(id, r));
        return true;
    }
    let checked = match catch_unwind(AssertUnwindSafe(|| {
        shared.checked_with(&doc, &ws, Some(cancel))
    })) {
        Ok(c) => c,
        Err(_) => {
            shared.send(Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "kqlint failed to check the document (a bug; please report it)".into(),
            ));
            return true;
        }
    };
    if cancel.load(Ordering::Relaxed) {
        return false;
    }
    // Superseded while we worked: let the client ask again.
    let current = shared
        .doc(&doc.uri)
        .is_some_and(|d| d.generation == doc.generation);
    if !current {
        let mut resp = Response::new_err(id, SERVER_CANCELLED, "the document changed".into());
        if let Err(e) = &mut resp.response_result {
            e.data = Some(serde_json::json!({ "retriggerRequest": true }));
        }
        shared.send(resp);
        return true;
    }
    let report = lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(
        lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items: checked.lsp.clone(),
            },
        },
    ));
    shared.send(Response::new_ok(id, report));
    true
}

impl Main {
    fn notification(&mut self, n: Notification) {
        let s = self.shared.clone();
        match n.method.as_str() {
            notif::Initialized::METHOD => self.initialized(),
            notif::DidOpenTextDocument::METHOD => {
                let Ok(p) = parse::<lsp::DidOpenTextDocumentParams>(n.params) else {
                    return eprintln!("kqlint lsp: ignored a didOpen with invalid parameters");
                };
                let td = p.text_document;
                let doc = Arc::new(Document::new(td.uri, &td.language_id, td.version, td.text));
                lock(&s.docs).insert(doc.uri.clone(), doc.clone());
                // A configuration edited since it was read (in another
                // editor, or without a file-watch notification) applies
                // from this document on; reloading checks every open
                // document again, this one included.
                if !self.reload_if_configs_changed() {
                    self.schedule(doc);
                }
            }
            notif::DidChangeTextDocument::METHOD => {
                let Ok(p) = parse::<lsp::DidChangeTextDocumentParams>(n.params) else {
                    return eprintln!("kqlint lsp: ignored a didChange with invalid parameters");
                };
                let uri = p.text_document.uri;
                let doc = {
                    let mut docs = lock(&s.docs);
                    let Some(old) = docs.get(&uri) else {
                        return eprintln!(
                            "kqlint lsp: ignored a change of {}, which is not open",
                            uri.as_str()
                        );
                    };
                    let new = Arc::new(old.changed(
                        p.text_document.version,
                        p.content_changes,
                        s.client.encoding,
                    ));
                    docs.insert(uri, new.clone());
                    new
                };
                // A kqlint.toml saved in an editor that neither watches
                // files nor sends the server its didSave (Neovim attaches
                // kqlint to kql and yaml buffers only) applies from the
                // next edit of a document on (a few file stamps compared).
                if !self.reload_if_configs_changed() {
                    self.schedule(doc);
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) = parse::<lsp::DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                let removed = lock(&s.docs).remove(&p.text_document.uri);
                let _ = self.jobs.send(Job::Forget(p.text_document.uri.clone()));
                if removed.is_some() && !s.client.pull_diagnostics {
                    s.notify::<notif::PublishDiagnostics>(lsp::PublishDiagnosticsParams::new(
                        p.text_document.uri,
                        Vec::new(),
                        None,
                    ));
                }
            }
            notif::DidChangeConfiguration::METHOD => {
                let settings = n.params.get("settings").cloned().unwrap_or(Value::Null);
                let mut problems = Vec::new();
                match Settings::from_json(&settings, &mut problems) {
                    Some(st) if settings.get("kqlint").is_some() || has_setting_keys(&settings) => {
                        self.apply_settings(st, problems, false)
                    }
                    _ if s.client.configuration => self.request_configuration(),
                    _ => {}
                }
            }
            notif::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = parse::<lsp::DidChangeWatchedFilesParams>(n.params) else {
                    return;
                };
                let ws = s.workspace();
                let relevant = p
                    .changes
                    .iter()
                    .any(|c| workspace::is_config_file(&uri_to_path(&c.uri), &ws));
                if relevant {
                    eprintln!("kqlint lsp: the config file changed; checking again");
                    let settings = ws.settings.clone();
                    self.apply_settings(settings, Vec::new(), true);
                }
            }
            notif::Cancel::METHOD => {
                if let Ok(p) = parse::<lsp::CancelParams>(n.params) {
                    let id: RequestId = match p.id {
                        lsp::NumberOrString::Number(i) => i.into(),
                        lsp::NumberOrString::String(s) => s.into(),
                    };
                    if let Some(flag) = lock(&s.running).get(&id) {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
            }
            notif::DidSaveTextDocument::METHOD => {
                let Some(uri) = document_uri(&n.params) else {
                    return;
                };
                let ws = s.workspace();
                if workspace::is_config_file(&uri_to_path(&uri), &ws) {
                    eprintln!("kqlint lsp: the config file was saved; checking again");
                    let settings = ws.settings.clone();
                    self.apply_settings(settings, Vec::new(), true);
                } else {
                    self.reload_if_configs_changed();
                }
            }
            _ => {} // $/setTrace, unknown notifications: nothing to do
        }
    }

    /// Reads the configuration again when a `kqlint.toml` the engine read
    /// has changed on disk (or one has appeared); whether it did.
    fn reload_if_configs_changed(&mut self) -> bool {
        let ws = self.shared.workspace();
        if !ws.engine.configs_changed() {
            return false;
        }
        eprintln!("kqlint lsp: a config file changed on disk; checking again");
        let settings = ws.settings.clone();
        self.apply_settings(settings, Vec::new(), true);
        true
    }

    fn initialized(&mut self) {
        let s = self.shared.clone();
        if s.client.watch_files {
            let watchers: Vec<lsp::FileSystemWatcher> = workspace::CONFIG_FILE_NAMES
                .iter()
                .map(|n| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String(format!("**/{n}")),
                    kind: None,
                })
                .collect();
            let reg = lsp::Registration {
                id: "kqlint-config-files".into(),
                method: notif::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            };
            self.send_request::<req::RegisterCapability>(
                lsp::RegistrationParams {
                    registrations: vec![reg],
                },
                Pending::Other,
            );
        }
        if s.client.configuration {
            self.request_configuration();
        }
    }

    fn request_configuration(&mut self) {
        self.send_request::<req::WorkspaceConfiguration>(
            lsp::ConfigurationParams {
                items: vec![lsp::ConfigurationItem {
                    scope_uri: None,
                    section: Some("kqlint".into()),
                }],
            },
            Pending::Configuration,
        );
    }

    fn send_request<R: lsp::request::Request>(&mut self, params: R::Params, what: Pending) {
        let id: RequestId = self.next_id.fetch_add(1, Ordering::Relaxed).into();
        self.pending.insert(id.clone(), what);
        self.shared
            .send(Request::new(id, R::METHOD.to_owned(), params));
    }

    fn response(&mut self, r: Response) {
        let Some(what) = self.pending.remove(&r.id) else {
            return;
        };
        match (what, r.response_result) {
            (Pending::Configuration, Ok(v)) => {
                let first = v.as_array().and_then(|a| a.first()).cloned();
                let mut problems = Vec::new();
                if let Some(st) = first.and_then(|v| Settings::from_json(&v, &mut problems)) {
                    self.apply_settings(st, problems, false);
                }
            }
            (_, Err(e)) => eprintln!("kqlint lsp: the client answered an error: {}", e.message),
            _ => {}
        }
    }

    /// New settings (or a changed config file): a new workspace, and every
    /// open document checked again.
    fn apply_settings(&mut self, settings: Settings, problems: Vec<String>, force: bool) {
        let s = self.shared.clone();
        let old = s.workspace();
        if !force && settings == old.settings && problems.is_empty() {
            return; // nothing changes (the extension repeats its settings at start)
        }
        if let Some(ms) = settings.debounce_ms {
            s.debounce_ms.store(ms, Ordering::Relaxed);
        }
        let ws = Arc::new(Workspace::new(
            old.generation + 1,
            settings,
            &self.roots,
            problems,
        ));
        log_warnings(&ws);
        *s.ws.write().unwrap_or_else(|e| e.into_inner()) = ws;
        if s.client.pull_diagnostics {
            if s.client.diagnostic_refresh {
                self.send_request::<req::WorkspaceDiagnosticRefresh>((), Pending::Other);
            }
        } else {
            let docs: Vec<_> = lock(&s.docs).values().cloned().collect();
            for d in docs {
                self.schedule(d);
            }
        }
    }

    fn schedule(&self, doc: Arc<Document>) {
        if !self.shared.client.pull_diagnostics {
            let _ = self.jobs.send(Job::Check(doc));
        }
    }
}

fn has_setting_keys(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("configPath") || o.contains_key("schemaDirs") || o.contains_key("debounceMs")
    })
}

fn parse<T: DeserializeOwned>(v: Value) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| format!("invalid parameters: {e}"))
}

fn document_uri(params: &Value) -> Option<lsp::Uri> {
    let uri = params.get("textDocument")?.get("uri")?;
    serde_json::from_value(uri.clone()).ok()
}

/// The checker: waits `debounce` after the last change of a document,
/// then has one of its `workers` check the newest version, and publishes
/// the result if it is still current. A document is checked by one worker
/// at a time; a newer version (or closing it) stops a check that is
/// running, and the new version waits for it to finish. Other documents go
/// to the other workers meanwhile, and every analysis has its time budget,
/// so one slow document never holds up the rest.
fn checker(shared: &Arc<Shared>, rx: &Receiver<Job>, workers: usize) {
    let (task_tx, task_rx) = unbounded::<(Arc<Document>, Arc<AtomicBool>)>();
    let (done_tx, done_rx) = unbounded::<lsp::Uri>();
    let pool: Vec<_> = (0..workers)
        .map(|i| {
            let (shared, task_rx, done_tx) = (shared.clone(), task_rx.clone(), done_tx.clone());
            thread::Builder::new()
                .name(format!("kqlint-lsp-check-{i}"))
                .stack_size(ANALYSIS_STACK)
                .spawn(move || {
                    for (doc, cancel) in task_rx {
                        check_one(&shared, &doc, &cancel);
                        let _ = done_tx.send(doc.uri.clone());
                    }
                })
                .expect("cannot start a check thread")
        })
        .collect();
    drop(done_tx);
    let mut waiting: HashMap<lsp::Uri, (Arc<Document>, Instant)> = HashMap::new();
    let mut running: HashMap<lsp::Uri, (u64, Arc<AtomicBool>)> = HashMap::new();
    loop {
        let next_due = waiting
            .iter()
            .filter(|(u, _)| !running.contains_key(*u))
            .map(|(_, (_, due))| *due)
            .min();
        let timeout = next_due.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        select! {
            recv(rx) -> msg => match msg {
                Ok(Job::Check(doc)) => {
                    if let Some((g, flag)) = running.get(&doc.uri)
                        && *g != doc.generation
                    {
                        flag.store(true, Ordering::Relaxed); // superseded
                    }
                    let debounce =
                        Duration::from_millis(shared.debounce_ms.load(Ordering::Relaxed));
                    waiting.insert(doc.uri.clone(), (doc, Instant::now() + debounce));
                }
                Ok(Job::Forget(uri)) => {
                    waiting.remove(&uri);
                    if let Some((_, flag)) = running.get(&uri) {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
                Err(_) => break,
            },
            recv(done_rx) -> uri => {
                if let Ok(uri) = uri {
                    running.remove(&uri);
                }
            },
            default(timeout) => {}
        }
        let now = Instant::now();
        let due: Vec<lsp::Uri> = waiting
            .iter()
            .filter(|(u, (_, t))| *t <= now && !running.contains_key(*u))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            let Some((doc, _)) = waiting.remove(&uri) else {
                continue;
            };
            // Superseded or closed while waiting: skip the work.
            if shared
                .doc(&uri)
                .is_none_or(|d| d.generation != doc.generation)
            {
                continue;
            }
            let cancel = Arc::new(AtomicBool::new(false));
            running.insert(uri, (doc.generation, cancel.clone()));
            let _ = task_tx.send((doc, cancel));
        }
    }
    for (_, flag) in running.values() {
        flag.store(true, Ordering::Relaxed);
    }
    drop(task_tx);
    for t in pool {
        let _ = t.join();
    }
}

/// Checks one document snapshot and publishes the result if it is still
/// current and was not stopped part-way.
fn check_one(shared: &Shared, doc: &Document, cancel: &Arc<AtomicBool>) {
    let ws = shared.workspace();
    match catch_unwind(AssertUnwindSafe(|| {
        shared.checked_with(doc, &ws, Some(cancel))
    })) {
        Ok(checked) => {
            if !cancel.load(Ordering::Relaxed) && !shared.stop.load(Ordering::Relaxed) {
                shared.publish_if_current(doc, &ws, &checked);
            }
        }
        Err(_) => eprintln!(
            "kqlint lsp: checking {} failed (a bug; please report it)",
            doc.uri.as_str()
        ),
    }
}
