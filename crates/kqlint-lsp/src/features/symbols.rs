//! Document symbols: the `let`s and parameters of every query of a document.

use super::Ctx;
use crate::client::Client;
use crate::document::Document;
use crate::workspace::Workspace;
use kql_syntax::Span;
use lsp_types as lsp;

/// The symbols of every query of a document (a Markdown or JSON file may
/// hold several), in file order.
pub fn all_symbols(
    doc: &Document,
    ides: &crate::ide::Ides,
    ws: &Workspace,
    client: &Client,
) -> lsp::DocumentSymbolResponse {
    let mut nested = Vec::new();
    let mut flat = Vec::new();
    for ide in &ides.queries {
        let cx = Ctx {
            doc,
            ide,
            ws,
            client,
        };
        match symbols(&cx) {
            lsp::DocumentSymbolResponse::Nested(n) => nested.extend(n),
            lsp::DocumentSymbolResponse::Flat(f) => flat.extend(f),
        }
    }
    if client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(nested)
    } else {
        lsp::DocumentSymbolResponse::Flat(flat)
    }
}

#[allow(deprecated)] // DocumentSymbol::deprecated must be written out
pub fn symbols(cx: &Ctx) -> lsp::DocumentSymbolResponse {
    use kql_syntax::ast::{ExprKind, LetValue, Statement};
    let ide = cx.ide;
    let text = ide.text();
    let mut out: Vec<lsp::DocumentSymbol> = Vec::new();
    let sym = |name: String, detail: Option<String>, kind, span: Span, sel: Span, children| {
        lsp::DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: cx.range(span),
            selection_range: cx.range(sel),
            children,
        }
    };
    for st in &ide.parse().query.statements {
        match st {
            Statement::Let(l) => {
                let kind = match l.value {
                    LetValue::Function(_) | LetValue::View(_) => lsp::SymbolKind::FUNCTION,
                    LetValue::Expr(_) => lsp::SymbolKind::VARIABLE,
                };
                out.push(sym(
                    l.name.name.to_string(),
                    Some("let".into()),
                    kind,
                    l.span,
                    l.name.span,
                    None,
                ));
            }
            Statement::Expr(e) => {
                let (head, ops) = match &e.kind {
                    ExprKind::Pipeline(p) => (
                        p.source.as_ref().map(|s| s.span),
                        p.ops.iter().map(|o| &o.op).collect::<Vec<_>>(),
                    ),
                    _ => (Some(e.span), Vec::new()),
                };
                let name = head.map_or_else(
                    || "query".to_owned(),
                    |h| {
                        let t = h.text(text);
                        let first: String =
                            t.lines().next().unwrap_or("").chars().take(60).collect();
                        first
                    },
                );
                let children: Vec<lsp::DocumentSymbol> = ops
                    .iter()
                    .map(|op| {
                        sym(
                            op.keyword_span.text(text).to_owned(),
                            None,
                            lsp::SymbolKind::OPERATOR,
                            op.span,
                            op.keyword_span,
                            None,
                        )
                    })
                    .collect();
                out.push(sym(
                    if name.is_empty() {
                        "query".into()
                    } else {
                        name
                    },
                    Some("query".into()),
                    lsp::SymbolKind::NAMESPACE,
                    e.span,
                    head.unwrap_or(e.span),
                    Some(children),
                ));
            }
            _ => {}
        }
    }
    if cx.client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(out)
    } else {
        let mut flat = Vec::new();
        fn flatten(
            uri: &lsp::Uri,
            s: Vec<lsp::DocumentSymbol>,
            container: Option<String>,
            out: &mut Vec<lsp::SymbolInformation>,
        ) {
            for d in s {
                out.push(lsp::SymbolInformation {
                    name: d.name.clone(),
                    kind: d.kind,
                    tags: None,
                    deprecated: None,
                    location: lsp::Location::new(uri.clone(), d.range),
                    container_name: container.clone(),
                });
                if let Some(c) = d.children {
                    flatten(uri, c, Some(d.name), out);
                }
            }
        }
        flatten(&cx.doc.uri, out, None, &mut flat);
        lsp::DocumentSymbolResponse::Flat(flat)
    }
}
