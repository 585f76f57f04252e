//! Hover: what the cursor is on, and the rule documentation of a finding.

use super::{Ctx, markup};
use crate::document::Checked;
use lsp_types as lsp;

pub fn hover(cx: &Ctx, pos: lsp::Position, checked: Option<&Checked>) -> Option<lsp::Hover> {
    // A client that shows `kqlint-docs:` documents links each diagnostic's
    // code to them instead (its diagnostic hover shows the link).
    let diagnostics = checked
        .filter(|_| !cx.client.docs_scheme)
        .map_or(&[][..], |c| &c.diagnostics[..]);
    let h = cx.ide.hover(cx.offset(pos), diagnostics)?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(markup(cx.client.markdown_hover, h.markdown)),
        range: h.span.map(|s| cx.range(s)),
    })
}
