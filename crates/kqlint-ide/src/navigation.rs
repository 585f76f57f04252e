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

#[cfg(test)]
mod tests {
    use crate::testing::file;

    #[test]
    fn definition_references_and_highlights_in_file_offsets() {
        let yaml = "id: x\nquery: |\n  let port = 443;\n  DeviceNetworkEvents\n  | where RemotePort == port\n";
        let ide = file("r.yaml", yaml);
        let decl = yaml.find("port =").unwrap() as u32;
        let usage = yaml.rfind("port").unwrap() as u32;
        let def = ide.definition(usage + 1).unwrap();
        assert_eq!((def.start, def.text(yaml)), (decl, "port"));
        let starts = |v: Vec<kql_syntax::Span>| v.iter().map(|s| s.start).collect::<Vec<_>>();
        assert_eq!(starts(ide.references(decl, true).unwrap()), [decl, usage]);
        assert_eq!(starts(ide.references(decl, false).unwrap()), [usage]);
        let hs = ide.highlights(usage).unwrap();
        assert_eq!(
            hs.iter()
                .map(|h| (h.span.start, h.write))
                .collect::<Vec<_>>(),
            [(decl, true), (usage, false)]
        );
        // a column is not a symbol
        assert_eq!(
            ide.definition(yaml.find("RemotePort").unwrap() as u32),
            None
        );
    }
}
