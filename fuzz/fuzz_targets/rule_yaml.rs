//! Rule YAML: bytes to a `Source` (decoding, YAML with positions, limits,
//! query extraction and mapping), rule validation (sentinel-rules), the
//! engine's full check of the file, and one round of `--fix` checked again.
//! Seeded with the corpus and the YAML fixtures.
#![no_main]

use kqlint_core::{Limits, Source, SourceKind};
use kqlint_source::Precision;
use libfuzzer_sys::fuzz_target;

/// Rule kinds are partly decided by the folder.
const PATHS: [&str; 5] = [
    "Detections/Rule.yaml",
    "Hunting Queries/Rule.yaml",
    "Exploration Queries/Rule.yaml",
    "Parsers/Rule.yaml",
    "rule.yml",
];

fuzz_target!(|data: &[u8]| {
    let path = PATHS[data.len() % PATHS.len()];
    kqlint_fuzz::on_worker_stack(|| {
        let limits = Limits::default();
        let source = Source::from_bytes(path, data, SourceKind::Yaml, &limits);
        let text = source.text.as_deref().unwrap_or("");
        kqlint_fuzz::check_diagnostics(text, &source.diagnostics, false);
        if let Some(q) = source.query() {
            check_mapping(text, q);
        }
        if let Some(root) = &source.yaml {
            let _ = root.to_json();
            for (_pointer, node) in root.walk() {
                kqlint_fuzz::assert_span(text, node.span.start, node.span.end, &node.span);
            }
        }
        if let Some(rc) = sentinel_rules::check_source(&source, None) {
            kqlint_fuzz::check_diagnostics(text, &rc.diagnostics, true);
        }
        let engine = kqlint_fuzz::engine();
        let report = engine.check_source(path, source);
        kqlint_fuzz::check_report(&report);
        // One round of `--fix`: the edited file is checked again.
        if let Some(src) = &report.source
            && let Some((fixed, _)) =
                kqlint_core::fix::apply_safe_fixes(&src.text, &report.diagnostics)
        {
            let again = engine.check_source(
                path,
                Source::from_text(path, fixed, SourceKind::Yaml, &limits),
            );
            kqlint_fuzz::check_report(&again);
        }
    });
});

/// Every query offset maps into the file on character boundaries, the
/// characters in order; an exact mapping maps each character to itself.
/// (The end of a query that ends with line breaks maps to the first of
/// them, by design, so it is only checked to be in bounds.)
fn check_mapping(file: &str, q: &kqlint_source::QuerySource) {
    let mut last = 0;
    let exact = q.precision() == Precision::Exact;
    for (i, ch) in q
        .text
        .char_indices()
        .map(|(i, c)| (i, Some(c)))
        .chain([(q.text.len(), None)])
    {
        let at = q.map_offset(i as u32);
        kqlint_fuzz::assert_span(file, at, at, &(i, at));
        if ch.is_some() {
            assert!(
                at >= last,
                "mapping not monotonic at query offset {i}: {at} < {last}"
            );
            last = at;
        }
        if exact && let Some(c) = ch {
            let f = file[at as usize..].chars().next();
            // (saphyr adds a `\n` to a block that ends the file without
            // one; it maps to the end of the file)
            assert!(
                f == Some(c) || (c == '\n' && matches!(f, Some('\r') | None)),
                "exact mapping: query {c:?} at {i} is {f:?} at file offset {at}"
            );
        }
    }
}
