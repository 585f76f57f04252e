//! Document and range formatting: `kqlint fmt` on the editor's text. A
//! query file is formatted whole, a rule YAML's `|` block-scalar query in
//! place, a Markdown file's KQL fences and a JSON file's ARM query strings
//! as `fmt` does; text the formatter leaves alone (syntax errors, a
//! plain-scalar query) gets no edit, as `kqlint fmt` writes nothing for it.

use crate::client::Client;
use crate::document::Document;
use crate::workspace::Workspace;
use kql_syntax::Span;
use kqlint_core::formatting::{FormatOptions, Formatted, format_as, format_range_as};
use lsp_types as lsp;

/// The layout of a document: the `[format]` of the kqlint.toml that
/// applies to it (found as for its diagnostics), not the editor's tab
/// size, so that a file formatted on save passes `kqlint fmt --check` in
/// CI.
fn options(doc: &Document, ws: &Workspace) -> FormatOptions {
    ws.engine
        .config_for(&doc.path)
        .map(|c| c.format.clone())
        .unwrap_or_default()
}

/// The edits that format `doc`: one replacing the whole text when it
/// changes, none otherwise.
pub fn formatting(doc: &Document, ws: &Workspace, client: &Client) -> Vec<lsp::TextEdit> {
    match format_as(&doc.path, doc.kind, &doc.text, &options(doc, ws)) {
        Formatted::Changed(text) | Formatted::Partly(text, _) => vec![lsp::TextEdit {
            range: doc
                .lines(client.encoding)
                .range(Span::new(0, doc.text.len() as u32)),
            new_text: text,
        }],
        _ => Vec::new(),
    }
}

/// The edits that format the top-level statements `range` touches (in a
/// rule's block or a Markdown fence, the statements of that query; a JSON
/// query string whole), and nothing else.
pub fn range_formatting(
    doc: &Document,
    ws: &Workspace,
    client: &Client,
    range: lsp::Range,
) -> Vec<lsp::TextEdit> {
    let lines = doc.lines(client.encoding);
    let span = lines.span(range);
    match format_range_as(&doc.path, doc.kind, &doc.text, &options(doc, ws), span) {
        Ok(edits) => edits
            .into_iter()
            .map(|e| lsp::TextEdit {
                range: lines.range(e.span),
                new_text: e.replacement,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}
