//! Document and range formatting ([`kqlint_ide::format_document`]): the
//! `[format]` of the file's kqlint.toml, not the editor's tab size, so that
//! a file formatted on save passes `kqlint fmt --check` in CI.

use crate::client::Client;
use crate::document::Document;
use crate::workspace::Workspace;
use kqlint_core::Edit;
use lsp_types as lsp;

fn text_edits(doc: &Document, client: &Client, edits: Vec<Edit>) -> Vec<lsp::TextEdit> {
    let lines = doc.lines(client.encoding);
    edits.iter().map(|e| lines.text_edit(e)).collect()
}

/// The edits that format `doc`: one replacing the whole text when it
/// changes, none otherwise.
pub fn formatting(doc: &Document, ws: &Workspace, client: &Client) -> Vec<lsp::TextEdit> {
    let edits = kqlint_ide::format_document(&ws.engine, &doc.path, doc.kind, &doc.text);
    text_edits(doc, client, edits)
}

/// The edits that format the top-level statements `range` touches.
pub fn range_formatting(
    doc: &Document,
    ws: &Workspace,
    client: &Client,
    range: lsp::Range,
) -> Vec<lsp::TextEdit> {
    let span = doc.lines(client.encoding).span(range);
    let edits = kqlint_ide::format_range(&ws.engine, &doc.path, doc.kind, &doc.text, span);
    text_edits(doc, client, edits)
}
