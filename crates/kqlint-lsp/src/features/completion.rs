//! Completion: operators, columns of the rows at the cursor, tables, functions, ActionTypes.

use super::Ctx;
use super::hover::{action_type_doc, column_doc, signature, symbol_doc, symbol_what, table_doc};
use crate::scope;
use kql_syntax::{PIPE_OPERATORS, Span, TokenKind};
use lsp_types as lsp;

pub fn completion(cx: &Ctx, pos: lsp::Position) -> Option<lsp::CompletionResponse> {
    let q = cx.query_offset(pos)?;
    let ide = cx.ide;
    let text = ide.text();
    // The token being typed: a name, or a string, that the cursor is in or right after.
    let typed = ide.token_at(q).filter(|t| {
        t.span.start < q
            && matches!(
                t.kind,
                TokenKind::Ident | TokenKind::String | TokenKind::UnterminatedString
            )
    });
    let where_ = scope::classify(ide, q, typed);
    let replace = typed
        .filter(|t| t.kind == TokenKind::Ident)
        .map(|t| t.span)
        .unwrap_or(Span::empty(q));
    let mut items: Vec<lsp::CompletionItem> = Vec::new();
    match where_ {
        scope::Position::ActionTypeValue { quoted } => {
            let sc = scope::scope_at(ide, cx.cat(), q);
            let table = sc
                .table
                .filter(|t| cx.cat().action_types(&t.name).is_some())
                .map_or("DeviceNetworkEvents", |t| t.name.as_str());
            let ats = cx.cat().action_types(table)?;
            let (span, quote) = match (quoted, typed) {
                (true, Some(t)) => (scope::string_content(t, text), ""),
                _ => (replace, "\""),
            };
            for (i, at) in ats.action_types.iter().enumerate() {
                let new_text = format!("{quote}{}{quote}", at.name);
                items.push(lsp::CompletionItem {
                    label: at.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::ENUM_MEMBER),
                    detail: Some(at.title.clone()),
                    documentation: Some(doc(cx, action_type_doc(table, at))),
                    sort_text: Some(format!("{i:03}")),
                    filter_text: Some(new_text.clone()),
                    text_edit: cx.edit(span, new_text),
                    ..Default::default()
                });
            }
        }
        scope::Position::AfterPipe => {
            for op in PIPE_OPERATORS {
                items.push(lsp::CompletionItem {
                    label: (*op).to_owned(),
                    kind: Some(lsp::CompletionItemKind::KEYWORD),
                    detail: Some("tabular operator".into()),
                    text_edit: cx.edit(replace, (*op).to_owned()),
                    ..Default::default()
                });
            }
        }
        scope::Position::StatementStart => {
            push_lets(cx, q, &mut items, replace, true);
            items.push(lsp::CompletionItem {
                label: "let".into(),
                kind: Some(lsp::CompletionItemKind::KEYWORD),
                sort_text: Some("0let".into()),
                text_edit: cx.edit(replace, "let".into()),
                ..Default::default()
            });
            for t in cx.cat().tables() {
                items.push(lsp::CompletionItem {
                    label: t.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::CLASS),
                    detail: Some("table".into()),
                    documentation: Some(doc(cx, table_doc(cx.cat(), t))),
                    sort_text: Some(format!("2{}", t.name)),
                    text_edit: cx.edit(replace, t.name.to_string()),
                    ..Default::default()
                });
            }
            for f in cx.cat().stored_functions() {
                items.push(lsp::CompletionItem {
                    label: f.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::FUNCTION),
                    detail: Some("stored function".into()),
                    sort_text: Some(format!("3{}", f.name)),
                    text_edit: cx.edit(replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
        scope::Position::Expression => {
            let sc = scope::scope_at(ide, cx.cat(), q);
            let schema = ide
                .semantic()
                .and_then(|a| a.columns_at(q))
                .filter(|s| s.visible().next().is_some());
            if let Some(schema) = schema {
                for c in schema.visible() {
                    let table_col = c
                        .table()
                        .and_then(|t| cx.cat().table(t))
                        .and_then(|t| t.column(&c.name).map(|col| (t, col)));
                    let documentation = match table_col {
                        Some((t, col)) => column_doc(cx.cat(), t, col),
                        None => format!("(column) **{}**: `{}`", c.name, c.ty.as_str()),
                    };
                    items.push(lsp::CompletionItem {
                        label: c.name.to_string(),
                        kind: Some(lsp::CompletionItemKind::FIELD),
                        detail: Some(c.ty.as_str().to_owned()),
                        label_details: Some(lsp::CompletionItemLabelDetails {
                            detail: None,
                            description: Some(c.ty.as_str().to_owned()),
                        }),
                        documentation: Some(doc(cx, documentation)),
                        sort_text: Some(format!("0{}", c.name)),
                        text_edit: cx.edit(replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            } else if let Some(t) = sc.table {
                for c in t.visible_columns() {
                    items.push(lsp::CompletionItem {
                        label: c.name.to_string(),
                        kind: Some(lsp::CompletionItemKind::FIELD),
                        detail: Some(c.ty.as_str().to_owned()),
                        label_details: Some(lsp::CompletionItemLabelDetails {
                            detail: None,
                            description: Some(c.ty.as_str().to_owned()),
                        }),
                        documentation: Some(doc(cx, column_doc(cx.cat(), t, c))),
                        sort_text: Some(format!("0{}", c.name)),
                        text_edit: cx.edit(replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            }
            push_lets(cx, q, &mut items, replace, false);
            let aggregates = matches!(
                sc.operator.as_deref(),
                Some("summarize" | "make-series" | "top-nested")
            );
            for f in cx.cat().functions() {
                if f.hidden
                    || f.kind == kql_schema::FunctionKind::Plugin
                    || (f.kind == kql_schema::FunctionKind::Aggregate && !aggregates)
                {
                    continue;
                }
                let sig = f
                    .visible_signatures()
                    .next()
                    .map(|s| signature(f, s))
                    .unwrap_or_default();
                items.push(lsp::CompletionItem {
                    label: f.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::FUNCTION),
                    detail: Some(sig),
                    documentation: f.doc.as_ref().map(|d| doc(cx, d.clone())),
                    sort_text: Some(format!(
                        "{}{}",
                        if f.kind == kql_schema::FunctionKind::Aggregate {
                            "2"
                        } else {
                            "3"
                        },
                        f.name
                    )),
                    text_edit: cx.edit(replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
    }
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}

fn push_lets(
    cx: &Ctx,
    q: u32,
    items: &mut Vec<lsp::CompletionItem>,
    replace: Span,
    tabular_only: bool,
) {
    // Innermost (latest declared) first, shadowed names left out.
    for sym in cx.ide.visible_at(q) {
        if tabular_only && !sym.is_tabular() {
            continue;
        }
        items.push(lsp::CompletionItem {
            label: sym.name.clone(),
            kind: Some(if sym.is_function() {
                lsp::CompletionItemKind::FUNCTION
            } else {
                lsp::CompletionItemKind::VARIABLE
            }),
            detail: Some(symbol_what(&sym).into()),
            documentation: Some(doc(cx, symbol_doc(cx.ide, &sym))),
            sort_text: Some(format!("1{}", sym.name)),
            text_edit: cx.edit(replace, sym.name.clone()),
            ..Default::default()
        });
    }
}

fn doc(cx: &Ctx, md: String) -> lsp::Documentation {
    if cx.client.markdown_completion_docs {
        lsp::Documentation::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: md,
        })
    } else {
        lsp::Documentation::String(md.replace("**", "").replace('`', ""))
    }
}

impl Ctx<'_> {
    /// A text edit replacing a query span, when it maps to the file exactly
    /// (otherwise the client's own word range is used).
    fn edit(&self, span: Span, new_text: String) -> Option<lsp::CompletionTextEdit> {
        if !self.ide.exact() {
            return None;
        }
        Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: self.range(span),
            new_text,
        }))
    }
}
