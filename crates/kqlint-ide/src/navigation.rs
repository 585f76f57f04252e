//! Go to definition, references and highlights of `let`s and parameters,
//! as kql-semantic resolved them.

use crate::{Ide, Symbol};
use kql_syntax::Span;

/// A place a name is declared (`write`) or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub write: bool,
}

impl Ide {
    /// The `let` or parameter at a file offset, and the query it is in.
    fn symbol_at_file(&self, offset: u32) -> Option<(&crate::QueryIde, Symbol)> {
        let ide = self.at(offset);
        let sym = ide.symbol_at(ide.to_query(offset)?)?;
        Some((ide, sym))
    }

    /// Where the name at a file offset is declared (file span of the name).
    pub fn definition(&self, offset: u32) -> Option<Span> {
        let (ide, sym) = self.symbol_at_file(offset)?;
        Some(ide.to_file(sym.name_span))
    }

    /// Every use of the name at a file offset, its declaration first when
    /// asked for.
    pub fn references(&self, offset: u32, include_declaration: bool) -> Option<Vec<Span>> {
        let (ide, sym) = self.symbol_at_file(offset)?;
        let declaration = include_declaration.then_some(sym.name_span);
        Some(
            declaration
                .into_iter()
                .chain(sym.references.iter().copied())
                .map(|s| ide.to_file(s))
                .collect(),
        )
    }

    /// The declaration and uses of the name at a file offset.
    pub fn highlights(&self, offset: u32) -> Option<Vec<Highlight>> {
        let (ide, sym) = self.symbol_at_file(offset)?;
        let write = Highlight {
            span: ide.to_file(sym.name_span),
            write: true,
        };
        Some(
            std::iter::once(write)
                .chain(sym.references.iter().map(|s| Highlight {
                    span: ide.to_file(*s),
                    write: false,
                }))
                .collect(),
        )
    }
}
