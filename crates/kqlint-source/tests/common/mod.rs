//! Shared helpers of the integration tests (included with `mod common;`).
#![allow(dead_code)]

use kqlint_diagnostics::{Edit, LineIndex, Span};
use kqlint_source::{Limits, Precision, Source, SourceKind};
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/yaml")
}

pub fn fixture(name: &str) -> Source {
    Source::load(fixtures_dir().join(name), &Limits::default())
}

pub fn yaml(text: &str) -> Source {
    Source::from_text("test.yaml", text, SourceKind::Yaml, &Limits::default())
}

/// 1-based `line:column` (columns in characters) of a file offset.
pub fn pos(text: &str, offset: u32) -> String {
    let lc = LineIndex::new(text).line_col_chars(text, offset);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}

pub fn span_pos(text: &str, span: Span) -> String {
    format!("{}-{}", pos(text, span.start), pos(text, span.end))
}

/// Checks the mapping of a source's query, panicking with `what` on a
/// violation:
/// - every `BAD` in the query maps to a file span that reads `BAD` (for any
///   precision finer than `Start`);
/// - for exact mappings, every character maps to the identical character
///   (a `\n` to a line break), and offsets never go backwards.
pub fn check_mapping(src: &Source, what: &str) {
    let (Some(text), Some(q)) = (src.text.as_deref(), src.query()) else {
        return;
    };
    if q.precision() > Precision::Start {
        for (i, _) in q.text.match_indices("BAD") {
            let span = q.map_span(Span::new(i as u32, i as u32 + 3));
            assert_eq!(span.text(text), "BAD", "{what}: `BAD` at query byte {i}");
        }
        let mut prev = 0;
        for (i, _) in q.text.char_indices() {
            let f = q.map_offset(i as u32);
            assert!(
                f >= prev,
                "{what}: the mapping goes backwards at query byte {i}"
            );
            prev = f;
        }
    }
    if q.precision() == Precision::Exact {
        for (i, c) in q.text.char_indices() {
            let f = q.map_offset(i as u32) as usize;
            let fc = text[f..].chars().next();
            if c == '\n' {
                assert!(
                    matches!(fc, Some('\n' | '\r')) || (fc.is_none() && i + 1 == q.text.len()),
                    "{what}: query byte {i} (`\\n`) maps to {fc:?}"
                );
            } else {
                assert_eq!(fc, Some(c), "{what}: query byte {i}");
            }
        }
    }
}

/// A reviewable rendering of everything a source holds.
pub fn render(src: &Source) -> String {
    let mut out = String::new();
    let text = src.text.as_deref().unwrap_or("");
    writeln!(
        out,
        "kind: {:?}, encoding: {:?}, lossy: {}, text: {}",
        src.kind,
        src.encoding,
        src.lossy,
        if src.text.is_some() { "yes" } else { "none" }
    )
    .unwrap();
    writeln!(out, "diagnostics:").unwrap();
    for d in &src.diagnostics {
        writeln!(
            out,
            "  {} {} {} at {}: {}",
            d.code,
            d.name,
            d.severity,
            span_pos(text, d.span),
            d.message
        )
        .unwrap();
        for l in &d.labels {
            writeln!(
                out,
                "    label at {}: {}",
                span_pos(text, l.span),
                l.message
            )
            .unwrap();
        }
        if let Some(h) = &d.help {
            writeln!(out, "    help: {h}").unwrap();
        }
    }
    match src.query() {
        None => writeln!(out, "query: none").unwrap(),
        Some(q) => {
            writeln!(
                out,
                "query: key {:?} at {}, value at {}, style {:?}, precision {:?}, exact {}",
                q.key,
                q.key_span.map_or("-".into(), |s| span_pos(text, s)),
                span_pos(text, q.value_span),
                q.style,
                q.precision(),
                q.is_exact()
            )
            .unwrap();
            if let Some(b) = q.block {
                writeln!(out, "  block: {b:?}").unwrap();
            }
            writeln!(out, "  starts at {}", pos(text, q.map_offset(0))).unwrap();
            writeln!(out, "  text: {:?}", q.text).unwrap();
            for (i, _) in q.text.match_indices("BAD") {
                let span = q.map_span(Span::new(i as u32, i as u32 + 3));
                writeln!(out, "  BAD at query byte {i} -> {}", span_pos(text, span)).unwrap();
            }
        }
    }
    if let Some(y) = &src.yaml {
        writeln!(out, "json: {}", y.to_json()).unwrap();
    }
    out
}

/// Applies non-overlapping edits to a text.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| e.span.start);
    kqlint_diagnostics::apply_edits(text, &edits).expect("non-overlapping edits")
}
