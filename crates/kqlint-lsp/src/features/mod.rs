//! The editor features as LSP: each asks [`kqlint_ide`] in file offsets and
//! converts the answer to protocol positions and types, in the encoding and
//! with the capabilities the client negotiated.

use crate::client::Client;
use crate::document::Document;
use kqlint_core::Span;
use kqlint_ide::Ide;
use lsp_types as lsp;

/// Everything a feature needs about one snapshot.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub ide: &'a Ide,
    pub client: &'a Client,
}

impl Ctx<'_> {
    /// The file offset of an LSP position.
    fn offset(&self, p: lsp::Position) -> u32 {
        self.doc.lines(self.client.encoding).offset(p)
    }

    fn range(&self, file_span: Span) -> lsp::Range {
        self.doc.lines(self.client.encoding).range(file_span)
    }

    fn location(&self, file_span: Span) -> lsp::Location {
        lsp::Location::new(self.doc.uri.clone(), self.range(file_span))
    }

    fn text_edit(&self, e: &kqlint_core::Edit) -> lsp::TextEdit {
        self.doc.lines(self.client.encoding).text_edit(e)
    }
}

/// Markdown for a client that renders it, plain text for one that does not.
fn markup(markdown: bool, md: String) -> lsp::MarkupContent {
    if markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: md,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: plain(&md),
        }
    }
}

/// Markdown with its emphasis and code marks taken out.
fn plain(md: &str) -> String {
    md.replace("**", "").replace('`', "")
}

mod actions;
mod completion;
mod formatting;
mod hover;
mod navigation;
mod symbols;

pub use actions::*;
pub use completion::*;
pub use formatting::*;
pub use hover::*;
pub use navigation::*;
pub use symbols::*;
