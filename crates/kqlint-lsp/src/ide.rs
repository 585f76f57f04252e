//! The editor's view of a document's query: its text and mapping to the
//! file, tokens, syntax tree, `let` definitions with their references, and
//! the cursor ↔ query offset mapping every feature needs.
//!
//! Positions: features work on query offsets. A cursor in the file becomes
//! a query offset through [`Ide::to_query`] (the reverse of the engine's
//! query → file mapping, found by binary search over
//! [`QuerySource::map_offset`], which is monotonic); results go back to the
//! file with [`QuerySource::map_span`], exactly as the engine maps
//! diagnostics.

use crate::document::Document;
use crate::workspace::Workspace;
use kql_syntax::ast::{Expr, ExprKind, FunctionDef, LetValue, Statement};
use kql_syntax::visit::{self, Visitor};
use kql_syntax::{Parse, Span, Token, TokenKind};
use kqlint_core::Source;
use kqlint_source::QuerySource;

/// The largest query the editor features analyse semantically (the
/// diagnostics come from the engine, whatever the size). Real rules are a few
/// kilobytes; a generated multi-megabyte query should not make every hover
/// wait for a full analysis.
pub const MAX_SEMANTIC_BYTES: usize = 1024 * 1024;

/// What a `let` (or a function parameter) declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    /// `let x = <scalar or tabular expression>`.
    Value,
    /// `let f = (...) { ... }` or a `view`.
    Function,
    /// A parameter of a `let` function or of `declare query_parameters`.
    Parameter,
}

/// A name declared in the query, with every place that uses it.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The declared name (query offsets).
    pub name_span: Span,
    /// The whole statement (or parameter).
    pub span: Span,
    /// Where the name is visible: from the end of its statement to the end
    /// of the enclosing body (or of the query).
    pub scope: Span,
    /// The value's text span, for hover (`let` values only).
    pub value: Option<Span>,
    pub references: Vec<Span>,
}

/// A name used in an expression.
#[derive(Clone, Debug)]
pub struct NameUse {
    pub name: String,
    pub span: Span,
    /// Written as a call: `f(...)`.
    pub call: bool,
    /// The [`Def`] it refers to, by index.
    pub def: Option<usize>,
}

pub struct Ide {
    /// `None` when the document has no query (a YAML file that is not a rule,
    /// or one whose YAML is too broken to find it).
    pub query: Option<QuerySource>,
    pub parse: Parse,
    /// Every token of the query text, trivia included.
    pub tokens: Vec<Token>,
    pub defs: Vec<Def>,
    pub uses: Vec<NameUse>,
    /// The semantic analysis (kql-semantic): resolved names and the row
    /// schema flowing into every operator. Left out for queries over
    /// [`MAX_SEMANTIC_BYTES`], where features fall back to the tokens.
    pub semantic: Option<kql_semantic::Analysis>,
}

impl Ide {
    pub fn new(doc: &Document, ws: &Workspace) -> Ide {
        let query = doc.kind.and_then(|kind| {
            Source::from_text(
                &doc.path,
                doc.text.clone(),
                kind,
                &ws.engine.options().limits,
            )
            .query
        });
        let text = query.as_ref().map_or("", |q| q.text.as_str());
        let parse = kql_syntax::parse(text);
        let tokens = kql_syntax::lex(text);
        let mut c = Collector::default();
        c.visit_query(&parse.query);
        let (defs, uses) = c.resolve();
        let semantic = (text.len() <= MAX_SEMANTIC_BYTES).then(|| {
            kql_semantic::analyze(&parse, text, &ws.catalog, &kql_semantic::Options::default())
        });
        Ide {
            query,
            parse,
            tokens,
            defs,
            uses,
            semantic,
        }
    }

    pub fn text(&self) -> &str {
        self.query.as_ref().map_or("", |q| q.text.as_str())
    }

    /// The query offset of a file offset, when the file offset is inside
    /// the query (a cursor in the indentation of a `|` block counts as the
    /// start of the line's text).
    pub fn to_query(&self, file_offset: u32) -> Option<u32> {
        let q = self.query.as_ref()?;
        let len = q.text.len() as u32;
        let first = q.map_offset(0);
        let last = q.map_offset(len);
        if file_offset < first || file_offset > last {
            return None;
        }
        // The largest query offset that maps at or before the cursor.
        let (mut lo, mut hi) = (0u32, len);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if q.map_offset(mid) <= file_offset {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mapped = q.map_offset(lo);
        if mapped == file_offset {
            // The end of the query maps onto its last line break: prefer
            // the earliest query offset at this file offset.
            while lo > 0 && q.map_offset(lo - 1) == file_offset {
                lo -= 1;
            }
            return Some(lo);
        }
        if lo >= len {
            return Some(len);
        }
        // Between two query characters: in the indentation after a line
        // break (the start of the next line), or inside a unit that maps as
        // a whole (an escape, a CRLF).
        if q.text.as_bytes().get(lo as usize) == Some(&b'\n') {
            Some((lo + 1).min(len))
        } else {
            Some(lo)
        }
    }

    /// The file span of a query span.
    pub fn to_file(&self, span: Span) -> Span {
        match &self.query {
            Some(q) => q.map_span(span),
            None => span,
        }
    }

    /// Whether query spans can be turned into file edits exactly.
    pub fn exact(&self) -> bool {
        self.query.as_ref().is_some_and(|q| q.is_exact())
    }

    /// Non-trivia tokens.
    pub fn significant(&self) -> impl DoubleEndedIterator<Item = &Token> + Clone {
        self.tokens.iter().filter(|t| !t.kind.is_trivia())
    }

    /// The token touching `offset` (a cursor right after a token touches it),
    /// preferring a non-trivia token.
    pub fn token_at(&self, offset: u32) -> Option<&Token> {
        let i = self.tokens.partition_point(|t| t.span.end < offset);
        // Prefer a token the cursor is inside, then one it is right after,
        // then trivia.
        self.tokens[i..]
            .iter()
            .take_while(|t| t.span.start <= offset)
            .filter(|t| t.span.touches(offset))
            .max_by_key(|t| {
                let score = if t.kind.is_trivia() {
                    0
                } else if t.span.contains(offset) {
                    2
                } else {
                    1
                };
                (score, std::cmp::Reverse(t.span.start))
            })
    }

    /// The name use at `offset`.
    pub fn use_at(&self, offset: u32) -> Option<&NameUse> {
        self.uses.iter().find(|u| u.span.touches(offset))
    }

    /// The definition whose declared name is at `offset`.
    pub fn def_at(&self, offset: u32) -> Option<(usize, &Def)> {
        self.defs
            .iter()
            .enumerate()
            .find(|(_, d)| d.name_span.touches(offset))
    }

    /// The definition a cursor is on: on the declared name or on a use.
    pub fn def_for_cursor(&self, offset: u32) -> Option<(usize, &Def)> {
        if let Some(found) = self.def_at(offset) {
            return Some(found);
        }
        let u = self.use_at(offset)?;
        let i = u.def?;
        Some((i, &self.defs[i]))
    }

    /// The `let`s and parameters visible at `offset`, innermost last.
    pub fn defs_in_scope(&self, offset: u32) -> impl Iterator<Item = &Def> {
        self.defs.iter().filter(move |d| d.scope.touches(offset))
    }
}

#[derive(Default)]
struct Collector {
    defs: Vec<Def>,
    uses: Vec<NameUse>,
    /// End of the innermost enclosing body.
    scope_end: Vec<u32>,
}

impl Collector {
    fn scope_end(&self) -> u32 {
        self.scope_end.last().copied().unwrap_or(u32::MAX)
    }

    fn resolve(mut self) -> (Vec<Def>, Vec<NameUse>) {
        for (ui, u) in self.uses.iter_mut().enumerate() {
            // The innermost (latest-starting) definition whose scope holds it.
            let found = self
                .defs
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.name == u.name
                        && d.scope.contains(u.span.start)
                        && (d.kind == DefKind::Function) == u.call
                })
                .max_by_key(|(_, d)| d.scope.start)
                .map(|(i, _)| i);
            u.def = found;
            let _ = ui;
        }
        for u in &self.uses {
            if let Some(i) = u.def {
                self.defs[i].references.push(u.span);
            }
        }
        (self.defs, self.uses)
    }
}

impl Visitor for Collector {
    fn visit_statement(&mut self, s: &Statement) {
        match s {
            Statement::Let(l) => {
                let (kind, value) = match &l.value {
                    LetValue::Expr(e) => (DefKind::Value, Some(e.span)),
                    LetValue::Function(f) | LetValue::View(f) => (DefKind::Function, Some(f.span)),
                };
                self.defs.push(Def {
                    name: l.name.name.to_string(),
                    kind,
                    name_span: l.name.span,
                    span: l.span,
                    scope: Span::new(l.span.end, self.scope_end()),
                    value,
                    references: Vec::new(),
                });
            }
            Statement::DeclareQueryParameters(d) => {
                for p in &d.params {
                    self.defs.push(Def {
                        name: p.name.name.to_string(),
                        kind: DefKind::Parameter,
                        name_span: p.name.span,
                        span: p.span,
                        scope: Span::new(d.span.end, self.scope_end()),
                        value: None,
                        references: Vec::new(),
                    });
                }
            }
            _ => {}
        }
        visit::walk_statement(self, s);
    }

    fn visit_function_def(&mut self, f: &FunctionDef) {
        for p in &f.params {
            self.defs.push(Def {
                name: p.name.name.to_string(),
                kind: DefKind::Parameter,
                name_span: p.name.span,
                span: p.span,
                scope: f.body_span,
                value: None,
                references: Vec::new(),
            });
        }
        self.scope_end.push(f.body_span.end);
        visit::walk_function_def(self, f);
        self.scope_end.pop();
    }

    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(id) if !id.name.is_empty() => self.uses.push(NameUse {
                name: id.name.to_string(),
                span: id.span,
                call: false,
                def: None,
            }),
            ExprKind::Call {
                receiver: None,
                func,
                ..
            } if !func.name.is_empty() => self.uses.push(NameUse {
                name: func.name.to_string(),
                span: func.span,
                call: true,
                def: None,
            }),
            _ => {}
        }
        visit::walk_expr(self, e);
    }
}

/// Tokens that open and close a nesting level.
pub fn opens(k: TokenKind) -> bool {
    matches!(
        k,
        TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace
    )
}

pub fn closes(k: TokenKind) -> bool {
    matches!(
        k,
        TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{Settings, Workspace};
    use lsp_types::Uri;
    use std::str::FromStr;

    fn ide(name: &str, text: &str) -> Ide {
        let ws = Workspace::new(0, Settings::default(), &[], Vec::new());
        let doc = Document::new(
            Uri::from_str(&format!("file:///w/{name}")).unwrap(),
            "",
            1,
            text.into(),
        );
        Ide::new(&doc, &ws)
    }

    #[test]
    fn lets_and_parameters_resolve_with_shadowing() {
        let src = "let a = 1;\nlet f = (a: long) { a + 1 };\nT | where x == a | extend y = f(a)";
        let i = ide("q.kql", src);
        let names: Vec<_> = i.defs.iter().map(|d| (d.name.as_str(), d.kind)).collect();
        assert_eq!(
            names,
            [
                ("a", DefKind::Value),
                ("f", DefKind::Function),
                ("a", DefKind::Parameter)
            ]
        );
        // the parameter `a` inside the body, the outer `a` twice in the query
        let outer: Vec<_> = i.defs[0].references.iter().map(|s| s.start).collect();
        let last_a = src.rfind('a').unwrap() as u32;
        assert_eq!(outer, [src.find("== a").unwrap() as u32 + 3, last_a]);
        assert_eq!(i.defs[2].references, [Span::new(31, 32)]);
        assert_eq!(i.defs[1].references.len(), 1);
    }

    #[test]
    fn cursor_maps_into_a_yaml_block_and_not_outside_it() {
        let yaml = "id: x\nquery: |\n  T\n  | where A == 1\nname: n\n";
        let i = ide("r.yaml", yaml);
        assert_eq!(i.text(), "T\n| where A == 1\n");
        let a = yaml.find("A ==").unwrap() as u32;
        assert_eq!(i.to_query(a), Some(10));
        assert_eq!(i.to_file(Span::new(10, 11)), Span::new(a, a + 1));
        // the indentation before `|` is the start of that query line
        let pipe = yaml.find("| where").unwrap() as u32;
        assert_eq!(i.to_query(pipe - 1), Some(2));
        assert_eq!(i.to_query(pipe), Some(2));
        // end of the last query line
        let eol = yaml.find("1\nname").unwrap() as u32 + 1;
        assert_eq!(i.to_query(eol), Some(16));
        assert_eq!(i.to_query(0), None);
        assert_eq!(i.to_query(yaml.find("name").unwrap() as u32 + 2), None);
    }
}
