//! Go to definition, references and highlights of `let`s and parameters.

use super::Ctx;
use lsp_types as lsp;

pub fn definition(cx: &Ctx, pos: lsp::Position) -> Option<lsp::Location> {
    let q = cx.query_offset(pos)?;
    let sym = cx.ide.symbol_at(q)?;
    Some(lsp::Location::new(
        cx.doc.uri.clone(),
        cx.range(sym.name_span),
    ))
}

pub fn references(
    cx: &Ctx,
    pos: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let q = cx.query_offset(pos)?;
    let def = cx.ide.symbol_at(q)?;
    let mut out = Vec::new();
    if include_declaration {
        out.push(lsp::Location::new(
            cx.doc.uri.clone(),
            cx.range(def.name_span),
        ));
    }
    out.extend(
        def.references
            .iter()
            .map(|s| lsp::Location::new(cx.doc.uri.clone(), cx.range(*s))),
    );
    Some(out)
}

pub fn highlights(cx: &Ctx, pos: lsp::Position) -> Option<Vec<lsp::DocumentHighlight>> {
    let q = cx.query_offset(pos)?;
    let def = cx.ide.symbol_at(q)?;
    let mut out = vec![lsp::DocumentHighlight {
        range: cx.range(def.name_span),
        kind: Some(lsp::DocumentHighlightKind::WRITE),
    }];
    out.extend(def.references.iter().map(|s| lsp::DocumentHighlight {
        range: cx.range(*s),
        kind: Some(lsp::DocumentHighlightKind::READ),
    }));
    Some(out)
}
