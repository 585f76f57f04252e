//! The editor's view of a document's query: its text and mapping to the
//! file, tokens, syntax tree, the semantic analysis, and the cursor ↔ query
//! offset mapping every feature needs. The tree, the analysis and the
//! catalogue are the engine's own ([`QueryAnalysis`], kept by the check the
//! diagnostics come from): the editor analyses nothing a second time, and
//! sees the tables of `kqlint.toml`'s schema directories as the check does.
//!
//! Names are resolved once, by kql-semantic ([`kql_semantic::Analysis`]):
//! go to definition, references, highlights, hover and completion of `let`
//! names and parameters read its [`kql_semantic::NameRef`]s and
//! [`kql_semantic::LetInfo`]s through [`QueryIde::symbol_at`] and
//! [`QueryIde::visible_at`]; the editor has no scoping of its own.
//!
//! Positions: features work on query offsets. A cursor in the file becomes
//! a query offset through [`QueryIde::to_query`] (the reverse of the engine's
//! query → file mapping, found by binary search over
//! [`QuerySource::map_offset`], which is monotonic); results go back to the
//! file with [`QuerySource::map_span`], exactly as the engine maps
//! diagnostics.

use kql_schema::Catalog;
use kql_semantic::{Analysis, LetInfo, LetKind, Resolved, Ty};
use kql_syntax::ast::{FunctionDef, Param};
use kql_syntax::visit::{self, Visitor};
use kql_syntax::{Parse, Span, Token, TokenKind};
use kqlint_core::QueryAnalysis;
use kqlint_source::QuerySource;
use std::sync::Arc;

/// What a declared name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A `let` (scalar, tabular, function or view) or a parameter of
    /// `declare query_parameters`, as kql-semantic classified it.
    Let(LetKind),
    /// A parameter of a `let` function or view.
    Parameter,
}

/// A declared name with every place that refers to it, as kql-semantic
/// resolved them (a column of the row that has the same name wins over a
/// `let` in KQL, and is not a reference).
#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The declared name (query offsets).
    pub name_span: Span,
    /// The whole statement (or parameter).
    pub span: Span,
    /// The type of a scalar `let` or parameter, when known.
    pub ty: Option<Ty>,
    /// Every reference, in source order.
    pub references: Vec<Span>,
}

impl Symbol {
    pub fn is_function(&self) -> bool {
        matches!(
            self.kind,
            SymbolKind::Let(LetKind::Function | LetKind::View)
        )
    }

    /// A table (a tabular `let`) or a function, which can start a pipeline.
    pub fn is_tabular(&self) -> bool {
        matches!(
            self.kind,
            SymbolKind::Let(LetKind::Tabular | LetKind::Function | LetKind::View)
        )
    }
}

/// A parameter of a `let` function, from the syntax tree: kql-semantic
/// resolves references to it (`Resolved::Parameter`) but lists only `let`s
/// and query parameters in [`Analysis::lets`].
#[derive(Clone, Debug)]
pub struct ParamDecl {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    /// The body of the function it belongs to (where it is visible).
    pub body: Span,
}

pub struct QueryIde {
    /// The engine's analysis of the query (the one its diagnostics came
    /// from); `None` when the document has no query (a YAML file that is
    /// not a rule, or one whose YAML is too broken to find it).
    analysis: Option<Arc<QueryAnalysis>>,
    /// Every token of the query text, trivia included.
    pub tokens: Vec<Token>,
    /// Function parameters declared in the query, in source order.
    pub params: Vec<ParamDecl>,
    /// The bodies of `let` functions and views, in source order.
    pub bodies: Vec<Span>,
}

/// The declaration a resolved name refers to (`None` for names that are
/// not `let`s or parameters, and for those the analysis does not place).
pub fn definition(r: &Resolved) -> Option<Span> {
    match r {
        Resolved::Let { definition, .. }
        | Resolved::LetFunction { definition }
        | Resolved::Parameter { definition, .. }
            if !definition.is_empty() =>
        {
            Some(*definition)
        }
        _ => None,
    }
}

/// The tree of a view with no query.
fn empty_parse() -> &'static Parse {
    static EMPTY: std::sync::OnceLock<Parse> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| kql_syntax::parse(""))
}

impl QueryIde {
    /// The view of one analysed query.
    pub fn of_analysis(analysis: Option<Arc<QueryAnalysis>>) -> QueryIde {
        let (tokens, c) = match &analysis {
            Some(a) => {
                let mut c = Functions::default();
                c.visit_query(&a.parse.query);
                (kql_syntax::lex(&a.query.text), c)
            }
            None => (Vec::new(), Functions::default()),
        };
        QueryIde {
            analysis,
            tokens,
            params: c.params,
            bodies: c.bodies,
        }
    }

    /// The query and where its text lies in the file.
    pub fn query(&self) -> Option<&QuerySource> {
        self.analysis.as_ref().map(|a| &a.query)
    }

    /// The query's syntax tree, as the engine parsed it.
    pub fn parse(&self) -> &Parse {
        self.analysis.as_ref().map_or(empty_parse(), |a| &a.parse)
    }

    /// The semantic analysis: resolved names and the row schema flowing
    /// into every operator.
    pub fn semantic(&self) -> Option<&Analysis> {
        self.analysis.as_ref().map(|a| &a.semantic)
    }

    /// The catalogue the query was checked against: the file's platform,
    /// its `kqlint.toml` schema directories and the editor's.
    pub fn catalog(&self) -> &Catalog {
        self.analysis
            .as_ref()
            .map_or(Catalog::builtin(), |a| a.catalog())
    }

    pub fn text(&self) -> &str {
        self.query().map_or("", |q| q.text.as_str())
    }

    /// The query offset of a file offset, when the file offset is inside
    /// the query (a cursor in the indentation of a `|` block counts as the
    /// start of the line's text).
    pub fn to_query(&self, file_offset: u32) -> Option<u32> {
        let q = self.query()?;
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
        match self.query() {
            Some(q) => q.map_span(span),
            None => span,
        }
    }

    /// Whether query spans can be turned into file edits exactly.
    pub fn exact(&self) -> bool {
        self.query().is_some_and(|q| q.is_exact())
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

    /// The `let` or parameter the cursor is on: on its declared name or on
    /// a name that refers to it.
    pub fn symbol_at(&self, offset: u32) -> Option<Symbol> {
        let a = self.semantic()?;
        if let Some(l) = a.lets.iter().find(|l| l.name_span.touches(offset)) {
            return Some(self.let_symbol(a, l));
        }
        if let Some(p) = self.params.iter().find(|p| p.name_span.touches(offset)) {
            return Some(self.param_symbol(a, p));
        }
        let n = a.name_at(offset)?;
        self.symbol_declared_at(definition(&n.resolved)?)
    }

    /// The symbol whose name is declared at `name_span`.
    pub fn symbol_declared_at(&self, name_span: Span) -> Option<Symbol> {
        let a = self.semantic()?;
        if let Some(l) = a.let_at(name_span) {
            return Some(self.let_symbol(a, l));
        }
        if let Some(p) = self.params.iter().find(|p| p.name_span == name_span) {
            return Some(self.param_symbol(a, p));
        }
        // Declared where kql-semantic does not list declarations (a
        // `declare pattern`): the name and its references still resolve.
        Some(Symbol {
            name: name_span.text(self.text()).to_owned(),
            kind: SymbolKind::Parameter,
            name_span,
            span: name_span,
            ty: None,
            references: references(a, name_span),
        })
    }

    /// The `let`s and parameters visible at `offset` (declared before it, in
    /// the query or in a function body that holds it), the latest declared
    /// first: a name shadows the same name declared before it.
    pub fn visible_at(&self, offset: u32) -> Vec<Symbol> {
        let Some(a) = self.semantic() else {
            return Vec::new();
        };
        // The innermost function body holding a span: where a `let` in it is visible.
        let body_of = |s: Span| {
            self.bodies
                .iter()
                .filter(|b| b.start <= s.start && s.end <= b.end)
                .min_by_key(|b| b.len())
                .copied()
        };
        let mut out: Vec<Symbol> = a
            .lets
            .iter()
            .filter(|l| l.span.end <= offset && body_of(l.span).is_none_or(|b| b.touches(offset)))
            .map(|l| self.let_symbol(a, l))
            .chain(
                self.params
                    .iter()
                    .filter(|p| p.body.touches(offset))
                    .map(|p| self.param_symbol(a, p)),
            )
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.name_span.start));
        let mut seen = std::collections::HashSet::new();
        out.retain(|s| seen.insert(s.name.clone()));
        out
    }

    fn let_symbol(&self, a: &Analysis, l: &LetInfo) -> Symbol {
        Symbol {
            name: l.name.to_string(),
            kind: SymbolKind::Let(l.kind),
            name_span: l.name_span,
            span: l.span,
            ty: (l.ty != Ty::Unknown).then_some(l.ty),
            references: references(a, l.name_span),
        }
    }

    fn param_symbol(&self, a: &Analysis, p: &ParamDecl) -> Symbol {
        let references = references(a, p.name_span);
        let ty = a.names.iter().find_map(|n| match n.resolved {
            Resolved::Parameter {
                definition,
                ty: Some(ty),
            } if definition == p.name_span && ty != Ty::Unknown => Some(ty),
            _ => None,
        });
        Symbol {
            name: p.name.clone(),
            kind: SymbolKind::Parameter,
            name_span: p.name_span,
            span: p.span,
            ty,
            references,
        }
    }
}

/// The names that refer to the declaration at `name_span`, in source order.
fn references(a: &Analysis, name_span: Span) -> Vec<Span> {
    a.names
        .iter()
        .filter(|n| definition(&n.resolved) == Some(name_span))
        .map(|n| n.span)
        .collect()
}

/// The function parameters and bodies of the query (declarations only: what
/// names refer to is the semantic analysis's business).
#[derive(Default)]
struct Functions {
    params: Vec<ParamDecl>,
    bodies: Vec<Span>,
}

impl Visitor<'_> for Functions {
    fn visit_function_def(&mut self, f: &FunctionDef) {
        self.bodies.push(f.body_span);
        for p in &f.params {
            self.params.push(param_decl(p, f.body_span));
        }
        visit::walk_function_def(self, f);
    }
}

fn param_decl(p: &Param, body: Span) -> ParamDecl {
    ParamDecl {
        name: p.name.name.to_string(),
        name_span: p.name.span,
        span: p.span,
        body,
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

    fn ide(name: &str, text: &str) -> QueryIde {
        crate::testing::file(name, text).queries.swap_remove(0)
    }

    /// The symbol at the `n`th occurrence (0-based) of `needle`.
    fn sym(i: &QueryIde, src: &str, needle: &str, n: usize) -> Symbol {
        let at = src.match_indices(needle).nth(n).unwrap().0 as u32;
        i.symbol_at(at)
            .unwrap_or_else(|| panic!("no symbol at {needle:?} #{n}"))
    }

    fn starts(spans: &[Span]) -> Vec<u32> {
        spans.iter().map(|s| s.start).collect()
    }

    #[test]
    fn lets_and_parameters_resolve_with_shadowing() {
        let src = "let a = 1;\nlet f = (a: long) { a + 1 };\nDeviceNetworkEvents | where RemotePort == a | extend y = f(a)";
        let i = ide("q.kql", src);
        let outer = sym(&i, src, "a = 1", 0);
        assert_eq!(outer.kind, SymbolKind::Let(LetKind::Scalar));
        assert_eq!(outer.ty, Some(Ty::Long));
        let at = |needle: &str, after: usize| (src.find(needle).unwrap() + after) as u32;
        let (param_decl, in_body, in_where, in_call) =
            (at("(a:", 1), at("{ a", 2), at("== a", 3), at("f(a)", 2));
        // the outer `a` twice in the query, not the parameter's uses
        assert_eq!(starts(&outer.references), [in_where, in_call]);
        // from a use, the same symbol
        assert_eq!(i.symbol_at(in_call).unwrap().name_span, outer.name_span);
        // the parameter shadows it in the function body
        let p = i.symbol_at(in_body).unwrap();
        assert_eq!(p.kind, SymbolKind::Parameter);
        assert_eq!(
            (p.name_span.start, starts(&p.references)),
            (param_decl, vec![in_body])
        );
        assert_eq!(p.ty, Some(Ty::Long));
        assert_eq!(i.symbol_at(param_decl).unwrap().name_span, p.name_span);
        let f = sym(&i, src, "f(", 0);
        assert_eq!(f.kind, SymbolKind::Let(LetKind::Function));
        assert_eq!(f.references.len(), 1);
    }

    #[test]
    fn a_column_wins_over_a_let_of_the_same_name() {
        // KQL resolves a name to the row's column first: `RemoteIP` in the
        // `where` is the column, not the `let`.
        let src = "let RemoteIP = \"1.2.3.4\";\nDeviceNetworkEvents | where RemoteIP == \"x\"";
        let i = ide("q.kql", src);
        let l = sym(&i, src, "RemoteIP", 0);
        assert!(l.references.is_empty(), "{:?}", l.references);
        assert!(i.symbol_at(src.rfind("RemoteIP").unwrap() as u32).is_none());
    }

    #[test]
    fn lets_inside_function_bodies_and_what_is_visible_where() {
        let src =
            "let t = 1;\nlet f = (x: string) { let t = strlen(x); t + 1 };\nprint f(\"a\") + t";
        let i = ide("q.kql", src);
        let inner = sym(&i, src, "t = strlen", 0);
        let outer = sym(&i, src, "t = 1", 0);
        assert_ne!(inner.name_span, outer.name_span);
        let t_in_body = src.find("t + 1").unwrap() as u32;
        let t_at_end = src.rfind('t').unwrap() as u32;
        assert_eq!(starts(&inner.references), [t_in_body]);
        assert_eq!(starts(&outer.references), [t_at_end]);
        // in the body: the inner `t` (shadowing the outer one), `x`, `f` is not yet declared
        let names = |at: u32| -> Vec<(String, u32)> {
            i.visible_at(at)
                .into_iter()
                .map(|s| (s.name, s.name_span.start))
                .collect()
        };
        assert_eq!(
            names(t_in_body),
            [
                ("t".to_owned(), inner.name_span.start),
                ("x".to_owned(), src.find("x:").unwrap() as u32),
            ]
        );
        // after the function: `f` and the outer `t`; nothing of the body
        assert_eq!(
            names(t_at_end),
            [
                ("f".to_owned(), 15),
                ("t".to_owned(), outer.name_span.start)
            ]
        );
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
