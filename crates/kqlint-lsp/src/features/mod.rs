//! Hover, completion, go to definition, references, document symbols and
//! code actions. Every function takes a document snapshot and returns the
//! LSP result in file positions.

use crate::client::Client;
use crate::document::Document;
use crate::ide::Ide;
use crate::workspace::Workspace;
use kql_schema::Catalog;
use kql_syntax::Span;
use lsp_types as lsp;

/// Everything a feature needs about one snapshot.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub ide: &'a Ide,
    pub ws: &'a Workspace,
    pub client: &'a Client,
}

impl Ctx<'_> {
    fn cat(&self) -> &Catalog {
        self.ide.catalog()
    }

    /// The query offset of an LSP position.
    fn query_offset(&self, p: lsp::Position) -> Option<u32> {
        let file = self.doc.lines(self.client.encoding).offset(p);
        self.ide.to_query(file)
    }

    fn range(&self, query_span: Span) -> lsp::Range {
        self.doc
            .lines(self.client.encoding)
            .range(self.ide.to_file(query_span))
    }

    fn markup(&self, md: String) -> lsp::MarkupContent {
        if self.client.markdown_hover {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: md,
            }
        } else {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::PlainText,
                value: md.replace("**", "").replace('`', ""),
            }
        }
    }
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
