//! Code actions: fixes, "disable for this line", "fix all" ([`kqlint_ide::code_actions`]).

use crate::client::Client;
use crate::document::Checked;
use crate::document::Document;
use crate::workspace::Workspace;
use kqlint_ide::{ActionKind, ActionRequest};
use lsp_types as lsp;
use std::collections::HashMap;

/// The kind of the "fix all" source action (`source.fixAll.kqlint`), which
/// editors run on save when asked to (`editor.codeActionsOnSave`).
pub const FIX_ALL_KIND: &str = "source.fixAll.kqlint";

/// Code actions at `range`, of the kinds in `only` (all when absent).
pub fn code_actions(
    doc: &Document,
    checked: &Checked,
    ws: &Workspace,
    client: &Client,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
) -> Vec<lsp::CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_none_or(|only| {
            only.iter().any(|k| {
                k.as_str().is_empty()
                    || kind == k.as_str()
                    || kind.starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    let lines = doc.lines(client.encoding);
    let actions = kqlint_ide::code_actions(&ActionRequest {
        engine: &ws.engine,
        path: &doc.path,
        text: &doc.text,
        kind: doc.kind,
        diagnostics: &checked.diagnostics,
        range: lines.span(range),
        quick_fixes: wants(lsp::CodeActionKind::QUICKFIX.as_str()),
        fix_all: wants(FIX_ALL_KIND),
    });
    actions
        .into_iter()
        .map(|a| {
            let edits = a.edits.iter().map(|e| lines.text_edit(e)).collect();
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), edits);
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: a.title,
                kind: Some(match a.kind {
                    ActionKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
                    ActionKind::FixAll => lsp::CodeActionKind::from(FIX_ALL_KIND.to_owned()),
                }),
                diagnostics: a
                    .diagnostic
                    .and_then(|i| checked.lsp.get(i))
                    .map(|d| vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                is_preferred: a.preferred,
                ..Default::default()
            })
        })
        .collect()
}
