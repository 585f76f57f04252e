//! Document formatting: `kqlint fmt` on the editor's text. A query file is
//! formatted whole, a rule YAML's `|` block-scalar query in place; text
//! the formatter leaves alone (syntax errors, a plain-scalar query) gets
//! no edit, as `kqlint fmt` writes nothing for it.

use crate::client::Client;
use crate::document::Document;
use kql_syntax::Span;
use kqlint_core::SourceKind;
use kqlint_core::formatting::{FormatOptions, Formatted, format_file_text};
use lsp_types as lsp;
use std::path::Path;

/// The edits that format `doc`: one replacing the whole text when it
/// changes, none otherwise. The layout is `kqlint fmt`'s, not the editor's
/// tab size: a file formatted on save must pass `kqlint fmt --check` in CI.
pub fn formatting(doc: &Document, client: &Client) -> Vec<lsp::TextEdit> {
    // A buffer in KQL mode is a query file whatever its name (an untitled
    // buffer has none); formatting reads `-` as a query file.
    let path = match doc.kind {
        Some(SourceKind::Kql) => Path::new("-"),
        _ => doc.path.as_path(),
    };
    match format_file_text(path, &doc.text, &FormatOptions::default()) {
        Formatted::Changed(text) => vec![lsp::TextEdit {
            range: doc
                .lines(client.encoding)
                .range(Span::new(0, doc.text.len() as u32)),
            new_text: text,
        }],
        _ => Vec::new(),
    }
}
