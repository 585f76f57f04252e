//! Completion: operators, columns of the rows at the cursor, tables, functions, ActionTypes.

use super::{Ctx, plain};
use kqlint_ide::CompletionKind as K;
use lsp_types as lsp;

pub fn completion(cx: &Ctx, pos: lsp::Position) -> Option<lsp::CompletionResponse> {
    let items = cx.ide.completion(cx.offset(pos))?;
    let items = items
        .into_iter()
        .map(|c| lsp::CompletionItem {
            label: c.label,
            kind: Some(match c.kind {
                K::ActionType => lsp::CompletionItemKind::ENUM_MEMBER,
                K::Operator | K::Keyword => lsp::CompletionItemKind::KEYWORD,
                K::Table => lsp::CompletionItemKind::CLASS,
                K::Column => lsp::CompletionItemKind::FIELD,
                K::Function | K::StoredFunction | K::LetFunction => {
                    lsp::CompletionItemKind::FUNCTION
                }
                K::Variable => lsp::CompletionItemKind::VARIABLE,
            }),
            detail: c.detail,
            label_details: c.description.map(|d| lsp::CompletionItemLabelDetails {
                detail: None,
                description: Some(d),
            }),
            documentation: c.documentation.map(|md| doc(cx, md)),
            sort_text: c.sort_text,
            filter_text: c.filter_text,
            text_edit: c
                .edit
                .map(|e| lsp::CompletionTextEdit::Edit(cx.text_edit(&e))),
            ..Default::default()
        })
        .collect();
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}

fn doc(cx: &Ctx, md: String) -> lsp::Documentation {
    if cx.client.markdown_completion_docs {
        lsp::Documentation::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: md,
        })
    } else {
        lsp::Documentation::String(plain(&md))
    }
}
