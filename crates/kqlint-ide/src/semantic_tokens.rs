//! Semantic tokens: the lexer's tokens of each query, classified with the
//! semantic analysis.
//!
//! A name is what kql-semantic resolved it to: a table, a column, a built-in,
//! stored or `let` function, a `let` variable, a parameter. Declarations
//! (`let` names, parameters, `extend`/`project`/`summarize` output columns,
//! `name: type` columns) come from the syntax tree, as do the operator
//! keywords and word operators (`has`, `and`, `in~`); strings, numbers and
//! comments from the lexer. Names the analysis could not resolve get no
//! token, so the editor's grammar colouring stays.
//!
//! In rule YAML only the query gets tokens, at its positions in the file;
//! a token that spans lines (a multi-line string) is split per query line,
//! since clients need not support multi-line tokens.

use crate::{Ide, QueryIde};
use kql_semantic::Resolved;
use kql_syntax::ast::{
    ColumnDecl, ColumnExpr, ColumnNames, Expr, ExprKind, OpParam, Operator, Param, Statement,
    TypeRef,
};
use kql_syntax::visit::{self, Visitor};
use kql_syntax::{Span, TokenKind};
use std::collections::HashMap;

/// What a token is. Standard LSP token types only, so that every theme
/// colours them; [`TokenClass::ALL`] is the order of a legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenClass {
    Comment,
    String,
    Number,
    Keyword,
    Operator,
    /// Tables.
    Class,
    /// Columns.
    Property,
    Function,
    Variable,
    Parameter,
    /// Type names (`long` in `x: long`).
    Type,
}

impl TokenClass {
    pub const ALL: [TokenClass; 11] = [
        TokenClass::Comment,
        TokenClass::String,
        TokenClass::Number,
        TokenClass::Keyword,
        TokenClass::Operator,
        TokenClass::Class,
        TokenClass::Property,
        TokenClass::Function,
        TokenClass::Variable,
        TokenClass::Parameter,
        TokenClass::Type,
    ];

    /// Its index in [`TokenClass::ALL`].
    pub fn index(self) -> u32 {
        self as u32
    }
}

/// Token modifiers, as a bit set in the order of [`Modifiers::ALL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Modifiers(pub u32);

impl Modifiers {
    pub const NONE: Modifiers = Modifiers(0);
    pub const DECLARATION: Modifiers = Modifiers(1 << 0);
    pub const READONLY: Modifiers = Modifiers(1 << 1);
    pub const DEFAULT_LIBRARY: Modifiers = Modifiers(1 << 2);
    /// The names of the bits, lowest first (LSP's standard modifiers).
    pub const ALL: [&'static str; 3] = ["declaration", "readonly", "defaultLibrary"];
}

impl std::ops::BitOr for Modifiers {
    type Output = Modifiers;
    fn bitor(self, o: Modifiers) -> Modifiers {
        Modifiers(self.0 | o.0)
    }
}

/// A classified piece of the file: on one line of its query, in file offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub class: TokenClass,
    pub modifiers: Modifiers,
}

use Modifiers as M;
use TokenClass as C;

/// Soft keywords that are not operator names: the words of statements and
/// clauses that no syntax node spans on its own.
const KEYWORDS: &[&str] = &[
    "let",
    "set",
    "declare",
    "query_parameters",
    "pattern",
    "alias",
    "restrict",
    "access",
    "to",
    "view",
    "by",
    "on",
    "with",
    "kind",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "of",
    "step",
    "from",
    "typeof",
    "withsource",
    "isfuzzy",
    "inner",
    "innerunique",
    "leftouter",
    "rightouter",
    "fullouter",
    "leftanti",
    "rightanti",
    "leftsemi",
    "rightsemi",
    "leftantisemi",
    "rightantisemi",
    "anti",
    "semi",
];

/// A classified span of the query text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Class {
    span: Span,
    ty: TokenClass,
    mods: Modifiers,
}

impl Ide {
    /// The semantic tokens of the file, in file order, optionally only
    /// those that overlap `range` (file offsets).
    pub fn semantic_tokens(&self, range: Option<Span>) -> Vec<SemanticToken> {
        let mut out = Vec::new();
        // The queries are in file order and do not overlap.
        for ide in &self.queries {
            let text = ide.text();
            for c in classify(ide) {
                // one token per line of the query
                let mut start = c.span.start;
                for piece in c.span.text(text).split_inclusive('\n') {
                    let end = start + piece.trim_end_matches(['\n', '\r']).len() as u32;
                    let seg = Span::new(start, end);
                    start += piece.len() as u32;
                    if seg.is_empty() {
                        continue;
                    }
                    let file = ide.to_file(seg);
                    if range.is_some_and(|w| file.end <= w.start || file.start >= w.end) {
                        continue;
                    }
                    out.push(SemanticToken {
                        span: file,
                        class: c.ty,
                        modifiers: c.mods,
                    });
                }
            }
        }
        out
    }
}

/// Every classified span of the query, in order, not overlapping.
fn classify(ide: &QueryIde) -> Vec<Class> {
    let text = ide.text();
    let mut syntax = Syntax::default();
    syntax.visit_query(&ide.parse().query);
    syntax.keywords.sort_by_key(|s| s.start);
    syntax.operators.sort_by_key(|s| s.start);
    let names = ide.semantic().map_or(&[][..], |a| &a.names[..]);
    let mut ni = 0;
    let mut out: Vec<Class> = Vec::new();
    let mut covered = 0u32;
    for tok in &ide.tokens {
        if tok.kind == TokenKind::Whitespace || tok.span.start < covered {
            continue;
        }
        // a declaration, then a resolved name (it may span several tokens: `['a b']`)
        if let Some(&(span, ty, mods)) = syntax.decls.get(&tok.span.start) {
            out.push(Class { span, ty, mods });
            covered = span.end;
            continue;
        }
        while ni < names.len() && names[ni].span.start < tok.span.start {
            ni += 1;
        }
        if let Some(n) = names.get(ni).filter(|n| n.span.start == tok.span.start)
            && let Some((ty, mods)) = name_class(&n.resolved)
        {
            out.push(Class {
                span: n.span,
                ty,
                mods,
            });
            covered = n.span.end;
            continue;
        }
        let ty = match tok.kind {
            TokenKind::Comment => Some(C::Comment),
            TokenKind::String | TokenKind::UnterminatedString => Some(C::String),
            TokenKind::Int | TokenKind::Real | TokenKind::TimeSpan => Some(C::Number),
            TokenKind::Ident | TokenKind::BangIdent | TokenKind::InCi | TokenKind::NotInCi => {
                if inside(&syntax.keywords, tok.span) {
                    Some(C::Keyword)
                } else if inside(&syntax.operators, tok.span) {
                    Some(C::Operator)
                } else if tok.kind == TokenKind::Ident && KEYWORDS.contains(&tok.span.text(text)) {
                    Some(C::Keyword)
                } else {
                    None
                }
            }
            TokenKind::Pipe
            | TokenKind::EqEq
            | TokenKind::NotEq
            | TokenKind::LtGt
            | TokenKind::EqTilde
            | TokenKind::BangTilde
            | TokenKind::Lt
            | TokenKind::Le
            | TokenKind::Gt
            | TokenKind::Ge
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::Slash
            | TokenKind::Percent
            | TokenKind::DotDot => Some(C::Operator),
            _ => None,
        };
        if let Some(ty) = ty {
            out.push(Class {
                span: tok.span,
                ty,
                mods: M::NONE,
            });
            covered = tok.span.end;
        }
    }
    out
}

fn name_class(r: &Resolved) -> Option<(TokenClass, Modifiers)> {
    Some(match r {
        Resolved::Column { .. } | Resolved::OpenColumn => (C::Property, M::NONE),
        Resolved::Table => (C::Class, M::NONE),
        Resolved::Let { .. } => (C::Variable, M::READONLY),
        Resolved::LetFunction { .. } | Resolved::StoredFunction => (C::Function, M::NONE),
        Resolved::Parameter { .. } => (C::Parameter, M::NONE),
        Resolved::BuiltinFunction { .. } => (C::Function, M::DEFAULT_LIBRARY),
        // a string compared with ActionType stays a string
        Resolved::ActionType { .. } | Resolved::Unresolved => return None,
    })
}

/// Whether `span` lies within one of `spans` (sorted by start; keyword and
/// operator spans never overlap, so only the last one starting at or before
/// `span` can hold it).
fn inside(spans: &[Span], span: Span) -> bool {
    let i = spans.partition_point(|s| s.start <= span.start);
    i > 0 && span.end <= spans[i - 1].end
}

/// What the syntax tree says about tokens: declarations (by start offset),
/// operator keywords and word operators.
#[derive(Default)]
struct Syntax {
    decls: HashMap<u32, (Span, TokenClass, Modifiers)>,
    keywords: Vec<Span>,
    operators: Vec<Span>,
}

impl Syntax {
    fn decl(&mut self, span: Span, ty: TokenClass, mods: Modifiers) {
        if !span.is_empty() {
            self.decls.insert(span.start, (span, ty, mods));
        }
    }
}

impl Visitor<'_> for Syntax {
    fn visit_statement(&mut self, s: &Statement) {
        if let Statement::Let(l) = s {
            let ty = match l.value {
                kql_syntax::ast::LetValue::Expr(_) => C::Variable,
                _ => C::Function,
            };
            self.decl(l.name.span, ty, M::DECLARATION | M::READONLY);
        }
        visit::walk_statement(self, s);
    }

    fn visit_param(&mut self, p: &Param) {
        self.decl(p.name.span, C::Parameter, M::DECLARATION);
        visit::walk_param(self, p);
    }

    fn visit_column_expr(&mut self, c: &ColumnExpr) {
        match &c.names {
            ColumnNames::None => {}
            ColumnNames::Single(id) => self.decl(id.span, C::Property, M::DECLARATION),
            ColumnNames::Tuple(ids) => {
                for id in ids {
                    self.decl(id.span, C::Property, M::DECLARATION);
                }
            }
        }
        visit::walk_column_expr(self, c);
    }

    fn visit_column_decl(&mut self, c: &ColumnDecl) {
        self.decl(c.name.span, C::Property, M::DECLARATION);
        visit::walk_column_decl(self, c);
    }

    fn visit_type_ref(&mut self, t: &TypeRef) {
        self.decl(t.span, C::Type, M::NONE);
    }

    fn visit_operator(&mut self, op: &Operator) {
        self.keywords.push(op.keyword_span);
        visit::walk_operator(self, op);
    }

    fn visit_op_param(&mut self, p: &OpParam) {
        self.keywords.push(p.name.span);
        visit::walk_op_param(self, p);
    }

    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary { op_span, .. }
            | ExprKind::InList { op_span, .. }
            | ExprKind::Between { op_span, .. }
            | ExprKind::Unary { op_span, .. } => self.operators.push(*op_span),
            _ => {}
        }
        visit::walk_expr(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::{Modifiers, TokenClass};
    use crate::testing::file;

    #[test]
    fn the_legend_order_is_the_index() {
        for (i, c) in TokenClass::ALL.iter().enumerate() {
            assert_eq!(c.index() as usize, i);
        }
    }

    #[test]
    fn names_are_classified_by_what_they_resolve_to_in_the_file() {
        let yaml = "id: x\nquery: |\n  let p = 443;\n  DeviceNetworkEvents\n  | where RemotePort == p and isnotempty(\"a\")\n";
        let ide = file("r.yaml", yaml);
        let tokens = ide.semantic_tokens(None);
        let class_of = |word: &str| {
            let at = yaml.rfind(word).unwrap() as u32;
            tokens
                .iter()
                .find(|t| t.span.start == at)
                .map(|t| (t.span.text(yaml), t.class, t.modifiers))
        };
        assert_eq!(
            class_of("DeviceNetworkEvents"),
            Some(("DeviceNetworkEvents", TokenClass::Class, Modifiers::NONE))
        );
        assert_eq!(class_of("RemotePort").unwrap().1, TokenClass::Property);
        assert_eq!(class_of("p and").unwrap().1, TokenClass::Variable);
        assert_eq!(
            class_of("isnotempty").unwrap().2,
            Modifiers::DEFAULT_LIBRARY
        );
        assert_eq!(class_of("where").unwrap().1, TokenClass::Keyword);
        let decl = yaml.find("p =").unwrap() as u32;
        let d = tokens.iter().find(|t| t.span.start == decl).unwrap();
        assert_eq!(d.modifiers, Modifiers::DECLARATION | Modifiers::READONLY);
        // only the query is classified, and a range keeps what overlaps it
        assert!(
            tokens
                .iter()
                .all(|t| t.span.start >= yaml.find("let").unwrap() as u32)
        );
        let line = yaml.find("  DeviceNetworkEvents").unwrap() as u32;
        let in_range = ide.semantic_tokens(Some(kql_syntax::Span::new(line, line + 22)));
        assert_eq!(in_range.len(), 1);
    }

    #[test]
    fn a_string_over_several_lines_is_one_token_per_line() {
        let text = "print x = ```one\ntwo```";
        let tokens = file("q.kql", text).semantic_tokens(None);
        let strings: Vec<&str> = tokens
            .iter()
            .filter(|t| t.class == TokenClass::String)
            .map(|t| t.span.text(text))
            .collect();
        assert_eq!(strings, ["```one", "two```"]);
    }
}
