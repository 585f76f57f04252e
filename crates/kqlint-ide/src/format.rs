//! Document and range formatting: `kqlint fmt` on the editor's text. A
//! query file is formatted whole, a rule YAML's `|` block-scalar query in
//! place, a Markdown file's KQL fences and a JSON file's ARM query strings
//! as `fmt` does; text the formatter leaves alone (syntax errors, a
//! plain-scalar query) gets no edit, as `kqlint fmt` writes nothing for it.

use kqlint_core::formatting::{FormatOptions, Formatted, format_as, format_range_as};
use kqlint_core::{Edit, Engine, SourceKind, Span};
use std::path::Path;

/// The layout of a file: the `[format]` of the kqlint.toml that applies to
/// it (found as for its diagnostics), not the editor's tab size, so that a
/// file formatted on save passes `kqlint fmt --check` in CI.
fn options(engine: &Engine, path: &Path) -> FormatOptions {
    engine
        .config_for(path)
        .map(|c| c.format.clone())
        .unwrap_or_default()
}

/// The edits that format a file: one replacing the whole text when it
/// changes, none otherwise.
pub fn format_document(
    engine: &Engine,
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
) -> Vec<Edit> {
    match format_as(path, kind, text, &options(engine, path)) {
        Formatted::Changed(new) | Formatted::Partly(new, _) => vec![Edit {
            span: Span::new(0, text.len() as u32),
            replacement: new,
        }],
        _ => Vec::new(),
    }
}

/// The edits that format the top-level statements `span` touches (in a
/// rule's block or a Markdown fence, the statements of that query; a JSON
/// query string whole), and nothing else.
pub fn format_range(
    engine: &Engine,
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
    span: Span,
) -> Vec<Edit> {
    format_range_as(path, kind, text, &options(engine, path), span).unwrap_or_default()
}
