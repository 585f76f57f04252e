//! Semantic tokens (`textDocument/semanticTokens/full` and `/range`): the
//! classification of [`kqlint_ide::Ide::semantic_tokens`], delta-encoded in
//! the negotiated position encoding.

use crate::document::Document;
use crate::position::Encoding;
use kqlint_ide::{Ide, Modifiers, TokenClass};
use lsp_types::{self as lsp, SemanticTokenModifier as M, SemanticTokenType as T};

/// The legend: indexes into it are what the client receives, in the order
/// of [`TokenClass::ALL`] and [`Modifiers::ALL`]. Standard types only, so
/// every theme colours them (the VS Code extension maps `keyword` and
/// `operator` to the grammar's own scopes, as rust-analyzer does, so
/// keywords keep their colour when the tokens arrive).
pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TokenClass::ALL
            .iter()
            .map(|c| match c {
                TokenClass::Comment => T::COMMENT,
                TokenClass::String => T::STRING,
                TokenClass::Number => T::NUMBER,
                TokenClass::Keyword => T::KEYWORD,
                TokenClass::Operator => T::OPERATOR,
                TokenClass::Class => T::CLASS,
                TokenClass::Property => T::PROPERTY,
                TokenClass::Function => T::FUNCTION,
                TokenClass::Variable => T::VARIABLE,
                TokenClass::Parameter => T::PARAMETER,
                TokenClass::Type => T::TYPE,
            })
            .collect(),
        token_modifiers: Modifiers::ALL.iter().map(|m| M::new(m)).collect(),
    }
}

/// The semantic tokens of a document, optionally only those in `range`.
pub fn tokens(
    doc: &Document,
    ide: &Ide,
    encoding: Encoding,
    range: Option<lsp::Range>,
) -> lsp::SemanticTokens {
    let lines = doc.lines(encoding);
    let want = range.map(|r| lines.span(r));
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in ide.semantic_tokens(want) {
        let (a, b) = (lines.position(t.span.start), lines.position(t.span.end));
        if a.line != b.line || b.character <= a.character {
            continue; // an escape or fold that does not map onto one line
        }
        let delta_line = a.line - prev_line;
        let delta_start = if delta_line == 0 {
            a.character - prev_col
        } else {
            a.character
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: b.character - a.character,
            token_type: t.class.index(),
            token_modifiers_bitset: t.modifiers.0,
        });
        (prev_line, prev_col) = (a.line, a.character);
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}
