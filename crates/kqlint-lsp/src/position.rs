//! LSP positions ↔ byte offsets, in the position encoding agreed with the
//! client at initialisation.
//!
//! LSP counts columns in UTF-16 code units unless client and server agree on
//! another encoding; we pick UTF-8 when the client offers it in
//! `general.positionEncodings` (it is what our spans already are), else
//! UTF-16. UTF-32 (characters) is supported as well, for a client that
//! offers only that. Out-of-range positions are clamped, never an error:
//! a column past the end of a line is the end of the line, a line past the
//! end of the text is the end of the text.

use kqlint_core::{Edit, LineCol, LineIndex, Span};
use lsp_types::{Position, PositionEncodingKind, Range, TextEdit};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use for a client that offers `offered` (in its order of
    /// preference; `None` means it did not say, which means UTF-16).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.is_empty() || offered.contains(&PositionEncodingKind::UTF16) {
            Encoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

/// A text with its line index, for position conversions.
pub struct Lines<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl Lines<'_> {
    pub fn offset(&self, p: Position) -> u32 {
        let lc = LineCol {
            line: p.line,
            col: p.character,
        };
        match self.encoding {
            Encoding::Utf8 => self.index.offset_bytes(self.text, lc),
            Encoding::Utf16 => self.index.offset_utf16(self.text, lc),
            Encoding::Utf32 => self.index.offset_chars(self.text, lc),
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let lc = match self.encoding {
            Encoding::Utf8 => self.index.line_col_bytes(self.text, offset),
            Encoding::Utf16 => self.index.line_col_utf16(self.text, offset),
            Encoding::Utf32 => self.index.line_col_chars(self.text, offset),
        };
        Position::new(lc.line, lc.col)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// A file edit as an LSP text edit.
    pub fn text_edit(&self, e: &Edit) -> TextEdit {
        TextEdit {
            range: self.range(e.span),
            new_text: e.replacement.clone(),
        }
    }

    /// The byte span of a range; a reversed range is put in order.
    pub fn span(&self, r: Range) -> Span {
        let (a, b) = (self.offset(r.start), self.offset(r.end));
        Span::new(a.min(b), a.max(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[K::UTF32])), Encoding::Utf32);
        assert_eq!(
            Encoding::negotiate(Some(&[K::new("utf-7")])),
            Encoding::Utf16
        );
    }

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let text = "let s = \"ä𝄞\";\r\nT | where x == s\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        let after = text.find('\u{1D11E}').unwrap() as u32 + 4;
        for (enc, col) in [
            (Encoding::Utf8, 15),
            (Encoding::Utf16, 12),
            (Encoding::Utf32, 11),
        ] {
            let l = Lines {
                text,
                index: &index,
                encoding: enc,
            };
            assert_eq!(l.position(after), Position::new(0, col), "{enc:?}");
            assert_eq!(l.offset(Position::new(0, col)), after, "{enc:?}");
            assert_eq!(l.position(x), Position::new(1, 10));
            assert_eq!(l.offset(Position::new(1, 10)), x);
            // out of range: clamped
            assert_eq!(l.offset(Position::new(1, 999)), text.len() as u32 - 1);
            assert_eq!(l.offset(Position::new(99, 0)), text.len() as u32);
        }
    }
}
