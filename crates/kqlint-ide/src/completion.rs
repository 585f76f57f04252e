//! Completion: operators, columns of the rows at the cursor, tables, functions, ActionTypes.

use crate::hover::{action_type_doc, column_doc, signature, symbol_doc, symbol_what, table_doc};
use crate::{Ide, QueryIde, scope};
use kql_syntax::{PIPE_OPERATORS, Span, TokenKind};
use kqlint_core::Edit;

/// What a completion inserts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompletionKind {
    /// A tabular operator after `|`.
    Operator,
    /// `let`.
    #[default]
    Keyword,
    Table,
    Column,
    /// A built-in function.
    Function,
    StoredFunction,
    /// A `let` function or view.
    LetFunction,
    /// A `let` value, table or a parameter.
    Variable,
    /// An ActionType value of the table read.
    ActionType,
}

/// One completion, in the order offered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label: a type, a signature, what a name is.
    pub detail: Option<String>,
    /// A short description shown after the label (a column's type).
    pub description: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub sort_text: Option<String>,
    pub filter_text: Option<String>,
    /// The file text it replaces and what with; `None` where the query does
    /// not map onto the file exactly (an escaped JSON string): the editor's
    /// own word range is used.
    pub edit: Option<Edit>,
}

impl Ide {
    /// The completions at a file offset: operators after `|`; tables, `let`
    /// names and `let` at a statement's start; the columns of the row at the
    /// cursor, `let`s and functions in an expression; ActionType values in a
    /// string compared with `ActionType`. `None` outside every query.
    pub fn completion(&self, offset: u32) -> Option<Vec<Completion>> {
        let ide = self.at(offset);
        completion(ide, ide.to_query(offset)?)
    }
}

fn completion(ide: &QueryIde, q: u32) -> Option<Vec<Completion>> {
    let cat = ide.catalog();
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
    let mut items: Vec<Completion> = Vec::new();
    match where_ {
        scope::Position::ActionTypeValue { quoted } => {
            let sc = scope::scope_at(ide, cat, q);
            let table = sc
                .table
                .filter(|t| cat.action_types(&t.name).is_some())
                .map_or("DeviceNetworkEvents", |t| t.name.as_str());
            let ats = cat.action_types(table)?;
            let (span, quote) = match (quoted, typed) {
                (true, Some(t)) => (scope::string_content(t, text), ""),
                _ => (replace, "\""),
            };
            for (i, at) in ats.action_types.iter().enumerate() {
                let new_text = format!("{quote}{}{quote}", at.name);
                items.push(Completion {
                    label: at.name.to_string(),
                    kind: CompletionKind::ActionType,
                    detail: Some(at.title.clone()),
                    documentation: Some(action_type_doc(table, at)),
                    sort_text: Some(format!("{i:03}")),
                    filter_text: Some(new_text.clone()),
                    edit: edit(ide, span, new_text),
                    ..Default::default()
                });
            }
        }
        scope::Position::AfterPipe => {
            for op in PIPE_OPERATORS {
                items.push(Completion {
                    label: (*op).to_owned(),
                    kind: CompletionKind::Operator,
                    detail: Some("tabular operator".into()),
                    edit: edit(ide, replace, (*op).to_owned()),
                    ..Default::default()
                });
            }
        }
        scope::Position::StatementStart => {
            push_lets(ide, q, &mut items, replace, true);
            items.push(Completion {
                label: "let".into(),
                kind: CompletionKind::Keyword,
                sort_text: Some("0let".into()),
                edit: edit(ide, replace, "let".into()),
                ..Default::default()
            });
            for t in cat.tables() {
                items.push(Completion {
                    label: t.name.to_string(),
                    kind: CompletionKind::Table,
                    detail: Some("table".into()),
                    documentation: Some(table_doc(cat, t)),
                    sort_text: Some(format!("2{}", t.name)),
                    edit: edit(ide, replace, t.name.to_string()),
                    ..Default::default()
                });
            }
            for f in cat.stored_functions() {
                items.push(Completion {
                    label: f.name.to_string(),
                    kind: CompletionKind::StoredFunction,
                    detail: Some("stored function".into()),
                    sort_text: Some(format!("3{}", f.name)),
                    edit: edit(ide, replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
        scope::Position::Expression => {
            let sc = scope::scope_at(ide, cat, q);
            // The row at the cursor: that of the operator it is in, or, past
            // the end of an unfinished one (`| where ` has no predicate yet,
            // so its span ends at `where`), of the operator holding the
            // token before it.
            let schema = ide
                .semantic()
                .and_then(|a| {
                    a.columns_at(q).or_else(|| {
                        let prev = ide.significant().take_while(|t| t.span.end <= q).last()?;
                        a.columns_at(prev.span.end)
                    })
                })
                .filter(|s| s.visible().next().is_some());
            if let Some(schema) = schema {
                for c in schema.visible() {
                    let table_col = c
                        .table()
                        .and_then(|t| cat.table(t))
                        .and_then(|t| t.column(&c.name).map(|col| (t, col)));
                    let documentation = match table_col {
                        Some((t, col)) => column_doc(cat, t, col),
                        None => format!("(column) **{}**: `{}`", c.name, c.ty.as_str()),
                    };
                    items.push(Completion {
                        label: c.name.to_string(),
                        kind: CompletionKind::Column,
                        detail: Some(c.ty.as_str().to_owned()),
                        description: Some(c.ty.as_str().to_owned()),
                        documentation: Some(documentation),
                        sort_text: Some(format!("0{}", c.name)),
                        edit: edit(ide, replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            } else if let Some(t) = sc.table {
                for c in t.visible_columns() {
                    items.push(Completion {
                        label: c.name.to_string(),
                        kind: CompletionKind::Column,
                        detail: Some(c.ty.as_str().to_owned()),
                        description: Some(c.ty.as_str().to_owned()),
                        documentation: Some(column_doc(cat, t, c)),
                        sort_text: Some(format!("0{}", c.name)),
                        edit: edit(ide, replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            }
            push_lets(ide, q, &mut items, replace, false);
            let aggregates = matches!(
                sc.operator.as_deref(),
                Some("summarize" | "make-series" | "top-nested")
            );
            for f in cat.functions() {
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
                items.push(Completion {
                    label: f.name.to_string(),
                    kind: CompletionKind::Function,
                    detail: Some(sig),
                    documentation: f.doc.clone(),
                    sort_text: Some(format!(
                        "{}{}",
                        if f.kind == kql_schema::FunctionKind::Aggregate {
                            "2"
                        } else {
                            "3"
                        },
                        f.name
                    )),
                    edit: edit(ide, replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
    }
    Some(items)
}

fn push_lets(
    ide: &QueryIde,
    q: u32,
    items: &mut Vec<Completion>,
    replace: Span,
    tabular_only: bool,
) {
    // Innermost (latest declared) first, shadowed names left out.
    for sym in ide.visible_at(q) {
        if tabular_only && !sym.is_tabular() {
            continue;
        }
        items.push(Completion {
            label: sym.name.clone(),
            kind: if sym.is_function() {
                CompletionKind::LetFunction
            } else {
                CompletionKind::Variable
            },
            detail: Some(symbol_what(&sym).into()),
            documentation: Some(symbol_doc(ide, &sym)),
            sort_text: Some(format!("1{}", sym.name)),
            edit: edit(ide, replace, sym.name.clone()),
            ..Default::default()
        });
    }
}

/// An edit replacing a query span, when it maps onto the file exactly.
fn edit(ide: &QueryIde, span: Span, new_text: String) -> Option<Edit> {
    ide.exact().then(|| Edit {
        span: ide.to_file(span),
        replacement: new_text,
    })
}

#[cfg(test)]
mod tests {
    use super::CompletionKind;
    use crate::testing::file;

    #[test]
    fn operators_after_a_pipe_replace_the_word_in_the_file() {
        let yaml = "id: x\nquery: |\n  DeviceNetworkEvents\n  | wh\n";
        let ide = file("r.yaml", yaml);
        let at = yaml.find("| wh").unwrap() as u32 + 4;
        let items = ide.completion(at).unwrap();
        let w = items.iter().find(|c| c.label == "where").unwrap();
        assert_eq!(w.kind, CompletionKind::Operator);
        let e = w.edit.as_ref().unwrap();
        assert_eq!((e.span.text(yaml), e.replacement.as_str()), ("wh", "where"));
        assert!(
            ide.completion(0).is_none(),
            "no completion outside the query"
        );
    }

    #[test]
    fn columns_of_the_row_then_functions_in_an_expression() {
        let text = "DeviceNetworkEvents\n| extend Port2 = RemotePort * 2\n| where ";
        let items = file("q.kql", text).completion(text.len() as u32).unwrap();
        // the computed column too: the unfinished `where` reads the extend's row
        let port2 = items.iter().find(|c| c.label == "Port2").unwrap();
        assert_eq!(
            (port2.kind, port2.description.as_deref()),
            (CompletionKind::Column, Some("long"))
        );
        assert!(
            items
                .iter()
                .any(|c| c.label == "strlen" && c.kind == CompletionKind::Function)
        );
        // aggregates only where they are allowed
        assert!(!items.iter().any(|c| c.label == "dcount"));
    }

    #[test]
    fn action_types_inside_the_string_compared_with_action_type() {
        let text = "DeviceNetworkEvents\n| where ActionType == \"Conn";
        let items = file("q.kql", text).completion(text.len() as u32).unwrap();
        let c = items
            .iter()
            .find(|c| c.label == "ConnectionSuccess")
            .unwrap();
        assert_eq!(c.kind, CompletionKind::ActionType);
        // the string's content is replaced, its quote kept
        let e = c.edit.as_ref().unwrap();
        assert_eq!(
            (e.span.text(text), e.replacement.as_str()),
            ("Conn", "ConnectionSuccess")
        );
    }
}
