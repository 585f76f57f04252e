//! `kqlint lsp`: the kqlint language server, a thin shell over
//! [`kqlint_core`] and [`kqlint_ide`].
//!
//! Diagnostics come from [`kqlint_core::Engine::check_buffer`] on the
//! editor buffer: the same decoding, options and code path `kqlint check`
//! takes for a file, so the editor shows what CI reports. Hover,
//! completion and the other features are [`kqlint_ide`]'s answers from
//! that same check's analysis, converted to the protocol here.
//!
//! # Threads
//!
//! - the **main loop** reads messages in order, keeps the open documents
//!   (applying incremental edits at once, which is cheap) and dispatches;
//! - the **checker** thread schedules documents for pushed diagnostics after
//!   a debounce delay (a newer version of a document replaces the one
//!   waiting) and hands them to its **check workers** (two), one document
//!   per worker at a time, so a slow document never holds up the others'
//!   diagnostics. A newer version of a document, or closing it, stops a
//!   check of it that is running; a result for a version that has been
//!   superseded, or for a closed document, is dropped, never published;
//! - a small **request pool** answers hover, completion, pull diagnostics
//!   and the rest from a snapshot of the document taken when the request
//!   arrived, so a slow request never holds up the message loop.
//!   `$/cancelRequest` stops a request that is queued or running: its
//!   analysis gives up at its next step and the answer is the LSP
//!   `RequestCancelled` error.
//!
//! # Budgets
//!
//! Every analysis has a time budget ([`Options::analysis_budget`], 2 s) on
//! top of the row-width and work limits that `kqlint check` has too (see
//! `kql_semantic::budget`); past any of them the analysis stops where it
//! is, with one `analysis-limit` (KQL940) diagnostic there. Documents over
//! the engine's size limit (10 MiB) get `file-too-large`. `exit` stops every
//! analysis that is still running, so the server never outlives it; the
//! transport ([`transport`]) answers malformed frames and resynchronises,
//! so `shutdown` and `exit` always get through.
//!
//! # Positions
//!
//! UTF-16 columns by default, UTF-8 when the client offers it
//! (`general.positionEncodings`); see [`position`]. Everything below the
//! protocol works in byte offsets of the file: the features are
//! [`kqlint_ide`]'s, which map them into each query and back.

// `lsp_types::Uri` hashes and compares by its text; the cell inside it is
// a parse cache that never changes either.
#![allow(clippy::mutable_key_type)]

pub mod check;
pub mod client;
pub mod document;
pub mod features;
pub mod position;
pub mod server;
pub mod tokens;
pub mod transport;
pub mod workspace;

pub use server::{Options, run};

/// The URI scheme of rule documentation served by `kqlint/explain` (see
/// [`check::docs_uri`]).
pub const DOCS_SCHEME: &str = "kqlint-docs";

/// Runs the server on standard input and output until the client sends
/// `exit`. Returns the process exit status: 0 after `shutdown` + `exit`,
/// 1 when `exit` came without `shutdown` or the connection broke (as the
/// LSP specification asks).
pub fn run_stdio() -> i32 {
    let (connection, threads) = transport::stdio();
    let code = run(connection, Options::default());
    threads.join();
    code
}
