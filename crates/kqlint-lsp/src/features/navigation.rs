//! Go to definition, references and highlights of `let`s and parameters.

use super::Ctx;
use lsp_types as lsp;

pub fn definition(cx: &Ctx, pos: lsp::Position) -> Option<lsp::Location> {
    Some(cx.location(cx.ide.definition(cx.offset(pos))?))
}

pub fn references(
    cx: &Ctx,
    pos: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let spans = cx.ide.references(cx.offset(pos), include_declaration)?;
    Some(spans.into_iter().map(|s| cx.location(s)).collect())
}

pub fn highlights(cx: &Ctx, pos: lsp::Position) -> Option<Vec<lsp::DocumentHighlight>> {
    let hs = cx.ide.highlights(cx.offset(pos))?;
    Some(
        hs.into_iter()
            .map(|h| lsp::DocumentHighlight {
                range: cx.range(h.span),
                kind: Some(if h.write {
                    lsp::DocumentHighlightKind::WRITE
                } else {
                    lsp::DocumentHighlightKind::READ
                }),
            })
            .collect(),
    )
}
