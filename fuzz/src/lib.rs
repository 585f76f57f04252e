//! Shared parts of the fuzz targets: turning fuzz input into KQL (plain
//! text, or grammar-shaped queries generated from the bytes), and the
//! invariants every target asserts besides "no panic, no hang, no OOM".

use arbitrary::Unstructured;
use kql_syntax::Parse;
use kqlint_diagnostics::Diagnostic;

pub mod generate;

/// Analysis recurses over the syntax tree; the engine's worker threads get
/// this stack, so the targets run the analysis on such a thread too (the
/// fuzzer's main thread has the default 8 MiB).
pub const ANALYSIS_STACK: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread with the engine's worker stack.
pub fn on_worker_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(s, f)
            .expect("cannot start a worker thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// The query text an input stands for. An input starting with `0x01` drives
/// the grammar-shaped generator ([`generate::query`]); anything else is the
/// text itself (invalid UTF-8 decoded lossily), so real queries seed it.
pub fn kql_input(data: &[u8]) -> String {
    match data.split_first() {
        Some((1, rest)) => generate::query(&mut Unstructured::new(rest)),
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

/// A span is inside `text` and on character boundaries.
#[track_caller]
pub fn assert_span(text: &str, start: u32, end: u32, what: &dyn std::fmt::Debug) {
    assert!(
        start <= end && end as usize <= text.len(),
        "span {start}..{end} out of bounds (len {}): {what:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start as usize) && text.is_char_boundary(end as usize),
        "span {start}..{end} not on char boundaries: {what:?}"
    );
}

/// Lexer invariants: the tokens cover the text exactly, in order.
pub fn check_lex(src: &str) {
    let mut at = 0u32;
    for t in kql_syntax::lex(src) {
        assert_eq!(t.span.start, at, "tokens must be contiguous: {t:?}");
        assert!(t.span.end > t.span.start, "empty token {t:?}");
        assert_span(src, t.span.start, t.span.end, &t);
        at = t.span.end;
    }
    assert_eq!(at as usize, src.len(), "tokens must cover the text");
}

/// Parser invariants: errors sorted and in bounds with a message, comments
/// in bounds, and every span of the tree in bounds and on char boundaries
/// (found in the tree's `Debug` form, which prints every `Span` as `a..b`).
pub fn check_parse(src: &str, p: &Parse) {
    for w in p.errors.windows(2) {
        assert!(
            (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end),
            "errors sorted"
        );
    }
    for e in &p.errors {
        assert_span(src, e.span.start, e.span.end, e);
        assert!(!e.message.is_empty(), "{e:?}");
        for (s, _) in &e.labels {
            assert_span(src, s.start, s.end, e);
        }
    }
    for c in &p.comments {
        assert_span(src, c.start, c.end, c);
        assert!(src[c.range()].starts_with("//"), "{c:?}");
    }
    let q = &p.query.span;
    assert_span(src, q.start, q.end, q);
    for (start, end) in debug_spans(&format!("{:?}", p.query)) {
        assert_span(src, start, end, &"a tree node");
    }
}

/// Every `a..b` outside string literals in a `Debug` rendering.
pub fn debug_spans(debug: &str) -> Vec<(u32, u32)> {
    let b = debug.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'\'' => {
                // a char literal: 'x', '\'' or '\u{..}'
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if c.is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) => {
                let s = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b[i..].starts_with(b"..") && b.get(i + 2).is_some_and(u8::is_ascii_digit) {
                    let start = debug[s..i].parse().unwrap_or(u32::MAX);
                    i += 2;
                    let e = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    out.push((start, debug[e..i].parse().unwrap_or(u32::MAX)));
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Diagnostics of one producer: spans (primary, labels, fix edits) in
/// bounds of `text` and on char boundaries, non-empty messages; sorted by
/// position when `sorted`.
pub fn check_diagnostics(text: &str, diags: &[Diagnostic], sorted: bool) {
    for d in diags {
        assert_span(text, d.span.start, d.span.end, d);
        assert!(!d.message.is_empty(), "{d:?}");
        assert!(d.code.starts_with("KQL"), "{d:?}");
        for l in &d.labels {
            assert_span(text, l.span.start, l.span.end, d);
        }
        if let Some(f) = &d.fix {
            for e in &f.edits {
                assert_span(text, e.span.start, e.span.end, d);
            }
        }
    }
    if sorted {
        for w in diags.windows(2) {
            assert!(
                w[0].span.start <= w[1].span.start,
                "diagnostics not sorted: {:?} before {:?}",
                w[0],
                w[1]
            );
        }
    }
}

/// A whole file's report: diagnostics valid for the file text, sorted, at
/// most the per-file cap (plus the one that says how many were left out),
/// and every position a real line and column of the file.
pub fn check_report(report: &kqlint_core::FileReport) {
    let max = kqlint_core::MAX_DIAGNOSTICS_PER_FILE + 1;
    assert!(
        report.diagnostics.len() <= max,
        "{}",
        report.diagnostics.len()
    );
    let Some(src) = &report.source else {
        for d in &report.diagnostics {
            assert_eq!((d.span.start, d.span.end), (0, 0), "no text: {d:?}");
        }
        return;
    };
    let text = &src.text;
    check_diagnostics(text, &report.diagnostics, true);
    let lines = lines(text);
    for d in &report.diagnostics {
        for off in [d.span.start, d.span.end] {
            let p = report.position(off);
            assert!(p.line >= 1 && p.line as usize <= lines.len(), "{p:?} {d:?}");
            let line = lines[p.line as usize - 1];
            assert!(
                p.column >= 1 && p.column as usize <= line.chars().count() + 1,
                "{p:?} {d:?}"
            );
        }
    }
}

/// The lines of a text: `\n`, `\r\n` and a lone `\r` end a line, as in
/// the positions kqlint reports (and LSP).
pub fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push(&text[start..i]);
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// An engine that reads no configuration files (the targets must not
/// depend on the directory they run in).
pub fn engine() -> &'static kqlint_core::Engine {
    static ENGINE: std::sync::OnceLock<kqlint_core::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        kqlint_core::Engine::new(kqlint_core::EngineOptions::isolated()).expect("engine")
    })
}
