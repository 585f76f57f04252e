//! Code actions: fixes, "disable for this line", "fix all".

use crate::check::Checked;
use crate::client::Client;
use crate::document::Document;
use lsp_types as lsp;
use std::collections::HashMap;

/// The kind of the "fix all" source action (`source.fixAll.kqlint`), which
/// editors run on save when asked to (`editor.codeActionsOnSave`).
pub const FIX_ALL_KIND: &str = "source.fixAll.kqlint";

/// Code actions at `range`: each finding's fix, "disable CODE for this
/// line" for each finding, and "fix all safe fixes in this file" (as a
/// quick fix where a finding under the cursor has a safe fix, and as the
/// `source.fixAll.kqlint` source action).
pub fn code_actions(
    doc: &Document,
    checked: &Checked,
    ws: &crate::workspace::Workspace,
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
    let quickfix = wants(lsp::CodeActionKind::QUICKFIX.as_str());
    let fix_all = wants(FIX_ALL_KIND);
    let lines = doc.lines(client.encoding);
    let want = lines.span(range);
    let edit_of = |edits: Vec<lsp::TextEdit>| {
        let mut changes = HashMap::new();
        changes.insert(doc.uri.clone(), edits);
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    };
    let mut out = Vec::new();
    let mut disables = Vec::new();
    let mut safe_here = false;
    for (d, ld) in checked.diagnostics.iter().zip(&checked.lsp) {
        let overlaps = d.span.start <= want.end && want.start <= d.span.end;
        if !overlaps || !quickfix {
            continue;
        }
        if let Some(fix) = &d.fix {
            let edits: Vec<lsp::TextEdit> = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit {
                    range: lines.range(e.span),
                    new_text: e.replacement.clone(),
                })
                .collect();
            let safe = fix.applicability == kqlint_core::Applicability::Safe;
            safe_here |= safe;
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.message.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![ld.clone()]),
                edit: Some(edit_of(edits)),
                is_preferred: Some(safe),
                ..Default::default()
            }));
        }
        if let Some(kind) = doc.kind
            && let Some(e) = kqlint_core::suppress::disable_line_edit(
                &doc.path,
                &doc.text,
                kind,
                d.code,
                d.span.start,
            )
        {
            disables.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Disable {} ({}) for this line", d.code, d.name),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![ld.clone()]),
                edit: Some(edit_of(vec![lsp::TextEdit {
                    range: lines.range(e.span),
                    new_text: e.replacement,
                }])),
                ..Default::default()
            }));
        }
    }
    // The fix-all action, when the file has a safe fix at all.
    let any_safe = checked
        .diagnostics
        .iter()
        .any(kqlint_core::report::is_fixable);
    if let Some(kind) = doc.kind.filter(|_| any_safe && (fix_all || safe_here)) {
        let display = doc.path.to_string_lossy();
        let fixed =
            kqlint_core::fix::fix_text(&ws.engine, &display, &doc.path, kind, doc.text.clone());
        if !fixed.applied.is_empty() && fixed.text != doc.text {
            let whole = lines.range(kqlint_core::Span::new(0, doc.text.len() as u32));
            let edit = edit_of(vec![lsp::TextEdit {
                range: whole,
                new_text: fixed.text,
            }]);
            let title = format!(
                "Fix all safe fixes in this file ({} fix{})",
                fixed.applied.len(),
                if fixed.applied.len() == 1 { "" } else { "es" }
            );
            if safe_here {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    edit: Some(edit.clone()),
                    ..Default::default()
                }));
            }
            if fix_all {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("kqlint: {}", title.to_lowercase()),
                    kind: Some(lsp::CodeActionKind::from(FIX_ALL_KIND.to_owned())),
                    edit: Some(edit),
                    ..Default::default()
                }));
            }
        }
    }
    out.extend(disables);
    out
}
