//! What the client can do, read once from its `initialize` request.

use crate::position::Encoding;
use lsp_types::{ClientCapabilities, MarkupKind};

#[derive(Clone, Debug)]
pub struct Client {
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`): the server
    /// then does not push them, or the editor would show each one twice.
    pub pull_diagnostics: bool,
    /// The client honours `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    pub related_information: bool,
    pub markdown_hover: bool,
    pub markdown_completion_docs: bool,
    pub snippets: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
    /// The client lets the server register file watchers.
    pub watch_files: bool,
    pub hierarchical_symbols: bool,
    pub code_action_literals: bool,
    /// The client shows `kqlint-docs:` documents (the VS Code extension
    /// says so with `experimental.kqlintDocs`): diagnostics then link their
    /// code to the rule's documentation.
    pub docs_scheme: bool,
}

impl Client {
    /// `raw` is the capabilities object as sent: lsp-types 0.97 reads
    /// `workspace.diagnostic`, but LSP 3.17 names it `workspace.diagnostics`.
    pub fn new(caps: &ClientCapabilities, raw: &serde_json::Value) -> Client {
        let td = caps.text_document.as_ref();
        let ws = caps.workspace.as_ref();
        let encoding = Encoding::negotiate(
            caps.general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let hover_formats = td
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref());
        let completion_item = td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        Client {
            encoding,
            pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: ["diagnostics", "diagnostic"].iter().any(|k| {
                raw.pointer(&format!("/workspace/{k}/refreshSupport"))
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false)
            }),
            related_information: td
                .and_then(|t| t.publish_diagnostics.as_ref())
                .and_then(|p| p.related_information)
                .unwrap_or(false)
                || td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            markdown_hover: hover_formats.is_none_or(|f| f.contains(&MarkupKind::Markdown)),
            markdown_completion_docs: completion_item
                .and_then(|c| c.documentation_format.as_ref())
                .is_some_and(|f| f.contains(&MarkupKind::Markdown)),
            snippets: completion_item
                .and_then(|c| c.snippet_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            watch_files: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            code_action_literals: td
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.code_action_literal_support.as_ref())
                .is_some(),
            docs_scheme: caps
                .experimental
                .as_ref()
                .and_then(|e| e.get("kqlintDocs"))
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
        }
    }
}
