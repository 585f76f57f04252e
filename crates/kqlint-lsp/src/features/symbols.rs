//! Document symbols: the outline of every query of a document.

use super::Ctx;
use kqlint_ide::{OutlineItem, OutlineKind};
use lsp_types as lsp;

/// The symbols of every query of a document (a Markdown or JSON file may
/// hold several), in file order: nested where the client takes a tree.
pub fn all_symbols(cx: &Ctx) -> lsp::DocumentSymbolResponse {
    let outline = cx.ide.outline();
    if cx.client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(outline.into_iter().map(|i| nested(cx, i)).collect())
    } else {
        let mut flat = Vec::new();
        flatten(cx, outline, None, &mut flat);
        lsp::DocumentSymbolResponse::Flat(flat)
    }
}

fn kind(k: OutlineKind) -> lsp::SymbolKind {
    match k {
        OutlineKind::Function => lsp::SymbolKind::FUNCTION,
        OutlineKind::Variable => lsp::SymbolKind::VARIABLE,
        OutlineKind::Query => lsp::SymbolKind::NAMESPACE,
        OutlineKind::Operator => lsp::SymbolKind::OPERATOR,
    }
}

#[allow(deprecated)] // DocumentSymbol::deprecated must be written out
fn nested(cx: &Ctx, i: OutlineItem) -> lsp::DocumentSymbol {
    // A query lists its operators, even none; a `let` or an operator has
    // no children.
    let children = (i.kind == OutlineKind::Query)
        .then(|| i.children.into_iter().map(|c| nested(cx, c)).collect());
    lsp::DocumentSymbol {
        name: i.name,
        detail: i.detail,
        kind: kind(i.kind),
        tags: None,
        deprecated: None,
        range: cx.range(i.span),
        selection_range: cx.range(i.selection),
        children,
    }
}

#[allow(deprecated)] // SymbolInformation::deprecated must be written out
fn flatten(
    cx: &Ctx,
    items: Vec<OutlineItem>,
    container: Option<String>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    for i in items {
        out.push(lsp::SymbolInformation {
            name: i.name.clone(),
            kind: kind(i.kind),
            tags: None,
            deprecated: None,
            location: cx.location(i.span),
            container_name: container.clone(),
        });
        flatten(cx, i.children, Some(i.name), out);
    }
}
