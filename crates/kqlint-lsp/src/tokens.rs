//! Semantic tokens (`textDocument/semanticTokens/full` and `/range`): the
//! lexer's tokens of the query, classified with the semantic analysis.
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
//! a token that spans lines (a multi-line string) is split per line, since
//! clients need not support multi-line tokens. Positions are in the
//! negotiated encoding.

use crate::document::Document;
use crate::ide::Ide;
use crate::position::Encoding;
use kql_semantic::Resolved;
use kql_syntax::ast::{
    ColumnDecl, ColumnExpr, ColumnNames, Expr, ExprKind, OpParam, Operator, Param, Statement,
    TypeRef,
};
use kql_syntax::visit::{self, Visitor};
use kql_syntax::{Span, TokenKind};
use lsp_types::{self as lsp, SemanticTokenModifier as M, SemanticTokenType as T};
use std::collections::HashMap;

// The legend: indexes into these are what the client receives. Standard
// types only, so every theme colours them (the VS Code extension maps
// `keyword` and `operator` to the grammar's own scopes, as rust-analyzer
// does, so keywords keep their colour when the tokens arrive).
const COMMENT: u32 = 0;
const STRING: u32 = 1;
const NUMBER: u32 = 2;
const KEYWORD: u32 = 3;
const OPERATOR: u32 = 4;
/// Tables.
const CLASS: u32 = 5;
/// Columns.
const PROPERTY: u32 = 6;
const FUNCTION: u32 = 7;
const VARIABLE: u32 = 8;
const PARAMETER: u32 = 9;
/// Type names (`long` in `x: long`).
const TYPE: u32 = 10;

const DECLARATION: u32 = 1 << 0;
const READONLY: u32 = 1 << 1;
const DEFAULT_LIBRARY: u32 = 1 << 2;

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: vec![
            T::COMMENT,
            T::STRING,
            T::NUMBER,
            T::KEYWORD,
            T::OPERATOR,
            T::CLASS,
            T::PROPERTY,
            T::FUNCTION,
            T::VARIABLE,
            T::PARAMETER,
            T::TYPE,
        ],
        token_modifiers: vec![M::DECLARATION, M::READONLY, M::DEFAULT_LIBRARY],
    }
}

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
    ty: u32,
    mods: u32,
}

/// The semantic tokens of a document, optionally only those in `range`.
pub fn tokens(
    doc: &Document,
    ides: &[Ide],
    encoding: Encoding,
    range: Option<lsp::Range>,
) -> lsp::SemanticTokens {
    let lines = doc.lines(encoding);
    let want = range.map(|r| lines.span(r));
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    // The queries are in file order and do not overlap.
    for (ide, c) in ides
        .iter()
        .flat_map(|ide| classify(ide).into_iter().map(move |c| (ide, c)))
    {
        let text = ide.text();
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
            if want.is_some_and(|w| file.end <= w.start || file.start >= w.end) {
                continue;
            }
            let (a, b) = (lines.position(file.start), lines.position(file.end));
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
                token_type: c.ty,
                token_modifiers_bitset: c.mods,
            });
            (prev_line, prev_col) = (a.line, a.character);
        }
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

/// Every classified span of the query, in order, not overlapping.
fn classify(ide: &Ide) -> Vec<Class> {
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
            TokenKind::Comment => Some(COMMENT),
            TokenKind::String | TokenKind::UnterminatedString => Some(STRING),
            TokenKind::Int | TokenKind::Real | TokenKind::TimeSpan => Some(NUMBER),
            TokenKind::Ident | TokenKind::BangIdent | TokenKind::InCi | TokenKind::NotInCi => {
                if inside(&syntax.keywords, tok.span) {
                    Some(KEYWORD)
                } else if inside(&syntax.operators, tok.span) {
                    Some(OPERATOR)
                } else if tok.kind == TokenKind::Ident && KEYWORDS.contains(&tok.span.text(text)) {
                    Some(KEYWORD)
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
            | TokenKind::DotDot => Some(OPERATOR),
            _ => None,
        };
        if let Some(ty) = ty {
            out.push(Class {
                span: tok.span,
                ty,
                mods: 0,
            });
            covered = tok.span.end;
        }
    }
    out
}

fn name_class(r: &Resolved) -> Option<(u32, u32)> {
    Some(match r {
        Resolved::Column { .. } | Resolved::OpenColumn => (PROPERTY, 0),
        Resolved::Table => (CLASS, 0),
        Resolved::Let { .. } => (VARIABLE, READONLY),
        Resolved::LetFunction { .. } | Resolved::StoredFunction => (FUNCTION, 0),
        Resolved::Parameter { .. } => (PARAMETER, 0),
        Resolved::BuiltinFunction { .. } => (FUNCTION, DEFAULT_LIBRARY),
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
    decls: HashMap<u32, (Span, u32, u32)>,
    keywords: Vec<Span>,
    operators: Vec<Span>,
}

impl Syntax {
    fn decl(&mut self, span: Span, ty: u32, mods: u32) {
        if !span.is_empty() {
            self.decls.insert(span.start, (span, ty, mods));
        }
    }
}

impl Visitor<'_> for Syntax {
    fn visit_statement(&mut self, s: &Statement) {
        if let Statement::Let(l) = s {
            let ty = match l.value {
                kql_syntax::ast::LetValue::Expr(_) => VARIABLE,
                _ => FUNCTION,
            };
            self.decl(l.name.span, ty, DECLARATION | READONLY);
        }
        visit::walk_statement(self, s);
    }

    fn visit_param(&mut self, p: &Param) {
        self.decl(p.name.span, PARAMETER, DECLARATION);
        visit::walk_param(self, p);
    }

    fn visit_column_expr(&mut self, c: &ColumnExpr) {
        match &c.names {
            ColumnNames::None => {}
            ColumnNames::Single(id) => self.decl(id.span, PROPERTY, DECLARATION),
            ColumnNames::Tuple(ids) => {
                for id in ids {
                    self.decl(id.span, PROPERTY, DECLARATION);
                }
            }
        }
        visit::walk_column_expr(self, c);
    }

    fn visit_column_decl(&mut self, c: &ColumnDecl) {
        self.decl(c.name.span, PROPERTY, DECLARATION);
        visit::walk_column_decl(self, c);
    }

    fn visit_type_ref(&mut self, t: &TypeRef) {
        self.decl(t.span, TYPE, 0);
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
