//! The KQL parser: [chumsky] combinators over the [logos] tokens.
//!
//! - `base`: the token input, the parse state, the error type, the
//!   token-level primitives, recovery skippers and the error wording.
//! - `expr`: scalar expressions (precedence climbing) and `dynamic(...)`.
//! - `tabular`: pipelines, the operators and their clauses.
//! - `stmt`: statements and parameter lists.
//! - `text`: pure functions over token text (literal values, escapes,
//!   reserved words).
//!
//! The grammar is built once per thread and cached (building it allocates
//! its boxed parsers); [`grammar`] shows how the recursive parts are tied.
//! The crate's README describes the organisation, recovery and limits.

mod base;
mod expr;
mod stmt;
mod tabular;
mod text;

use crate::Span;
use crate::ast::{Query, Statement};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::lexer::{Token, TokenKind as T};
use base::{Bx, St, Tok};
use chumsky::cache::{Cache, Cached};
use chumsky::prelude::*;

/// Bracket nesting (`(`, `[`, `{`) the parser accepts; deeper text is given
/// up with one diagnostic, so parsing never exhausts the stack.
pub const MAX_DEPTH: u32 = 400;
/// Height of the syntax tree the parser builds (long `and`/`or`/`+` chains
/// count one level per operator), so dropping or walking the tree never
/// exhausts the stack either.
pub const MAX_HEIGHT: u32 = 1500;

/// Every operator name that may follow `|`.
pub const PIPE_OPERATORS: &[&str] = &[
    "where",
    "filter",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-by-names",
    "extend",
    "summarize",
    "distinct",
    "count",
    "take",
    "limit",
    "top",
    "top-nested",
    "top-hitters",
    "sort",
    "order",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "mvapply",
    "parse",
    "parse-where",
    "parse-kv",
    "evaluate",
    "make-series",
    "render",
    "as",
    "invoke",
    "serialize",
    "sample",
    "sample-distinct",
    "search",
    "find",
    "fork",
    "facet",
    "partition",
    "scan",
    "reduce",
    "getschema",
    "consume",
    "assert-schema",
    "make-graph",
    "graph-match",
    "graph-shortest-paths",
    "graph-to-table",
    "graph-mark-components",
    "graph-where-nodes",
    "graph-where-edges",
    "macro-expand",
    "execute-and-cache",
    "__executeAndCache",
    "print",
    "range",
    "datatable",
    "externaldata",
];

/// The whole grammar: the statements of a query text.
///
/// Parsers that contain themselves are tied with [`recursive`], whose handle
/// inside its own definition is weak, so the grammar holds no reference
/// cycles (and the per-thread cache frees it). Here: `pipe_expr` (a
/// parenthesised subquery), `expr` (an index, a call argument), `operator`
/// (an implicit-input subquery: `mv-apply ... on (where ...)`) and the
/// `{ }` body of a function. Inside `expr` (see `expr::exprs`): `primary`
/// (`entity_group [...]`), `dynamic(...)` values and the binary-operator
/// climb. All but the climb (at most six precedence levels deep before it
/// reaches a `primary`) run under `base::grow`, so deep (but bounded)
/// nesting grows the stack instead of overflowing it.
fn grammar<'s>() -> Bx<'s, Vec<Statement>> {
    let mut parts = None;
    let pe = recursive(|pe| {
        let pe = pe.boxed();
        let mut xs = None;
        let ex = recursive(|ex| {
            let x = expr::exprs(ex.boxed(), pe.clone());
            let body = x.expr.clone();
            xs = Some(x);
            base::grow(body)
        })
        .boxed();
        let mut x = xs.expect("built");
        x.expr = ex;
        let param_list = stmt::param_list(x.expr.clone()).boxed();
        let op = recursive(|op| {
            base::grow(tabular::operator(
                op.boxed(),
                &x,
                pe.clone(),
                param_list.clone(),
            ))
        })
        .boxed();
        let pipe_ops = tabular::pipe_ops(op.clone()).boxed();
        parts = Some((x.clone(), pipe_ops.clone(), param_list));
        base::grow(tabular::pipe_expr(&x, op, pipe_ops))
    })
    .boxed();
    let (x, pipe_ops, param_list) = parts.expect("built");
    let p = stmt::StmtParts {
        x,
        pe,
        pipe_ops,
        param_list,
    };
    let body = recursive(|body| {
        let brace_body = stmt::brace_body(body.boxed()).boxed();
        let (others, expr_stmt) = stmt::statement_parts(&p, brace_body);
        base::grow(stmt::statements(
            others,
            expr_stmt,
            p.pipe_ops.clone(),
            Some(T::RBrace),
        ))
    })
    .boxed();
    let brace_body = stmt::brace_body(body).boxed();
    let (others, expr_stmt) = stmt::statement_parts(&p, brace_body);
    stmt::statements(others, expr_stmt, p.pipe_ops.clone(), None)
        // only left over once the height limit gave the rest up
        .then_ignore(any().repeated())
        .boxed()
}

struct Grammar;

impl Cached for Grammar {
    type Parser<'s> = Bx<'s, Vec<Statement>>;

    fn make_parser<'s>(self) -> Self::Parser<'s> {
        grammar()
    }
}

thread_local! {
    /// Building the grammar allocates; it is built once per thread.
    static PARSER: Cache<Grammar> = Cache::new(Grammar);
}

/// Parses the tokens of `src` (trivia included): the tree and the errors in
/// the order they were found (deduplicated, not yet sorted).
pub(crate) fn parse_tokens(src: &str, all: &[Token], script: bool) -> (Query, Vec<SyntaxError>) {
    // the significant tokens, cut where the brackets nest too deep
    let mut toks: Vec<Tok<'_>> = Vec::with_capacity(all.len() / 2 + 1);
    let mut depth = 0u32;
    let mut cut = None;
    for t in all {
        match t.kind {
            T::Whitespace | T::Comment => continue,
            T::LParen | T::LBracket | T::LBrace => {
                depth += 1;
                if depth > MAX_DEPTH {
                    cut = Some(t.span);
                    break;
                }
            }
            T::RParen | T::RBracket | T::RBrace => depth = depth.saturating_sub(1),
            _ => {}
        }
        toks.push(Tok {
            kind: t.kind,
            text: t.span.text(src),
            span: t.span,
        });
    }
    let cut_at = toks.last().map_or(0, |t| t.span.end);
    toks.push(Tok {
        kind: T::Eof,
        text: "",
        span: Span::empty(src.len() as u32),
    });

    let mut st = St {
        src,
        toks: &toks,
        h: 0,
        hmax: 0,
        aborted: false,
        errors: Vec::new(),
        script,
    };
    let statements = PARSER.with(|p| p.get().parse_with_state(&toks[..], &mut st).into_output());

    // one error per position (later ones would only be cascades); nothing
    // after the nesting limit
    let mut errors: Vec<SyntaxError> = Vec::with_capacity(st.errors.len());
    for e in st.errors {
        if cut.is_some() && e.span.start >= cut_at {
            continue;
        }
        let stop = e.kind == SyntaxErrorKind::NestingTooDeep;
        if errors.last().is_none_or(|l| l.span.start != e.span.start) {
            errors.push(e);
        }
        if stop {
            break;
        }
    }
    if let Some(span) = cut {
        errors.push(base::too_deep(span));
    }
    let query = Query {
        statements: statements.unwrap_or_default(),
        span: Span::new(0, src.len() as u32),
    };
    (query, errors)
}
