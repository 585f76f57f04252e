//! KQL syntax: a [logos] lexer, a [chumsky] parser with error recovery, and
//! a syntax tree in which every node carries its byte span.
//!
//! This crate knows nothing of schemas, files or YAML: it turns a query text
//! into a [`Parse`] (tree + syntax errors + kept comments) and never panics.
//!
//! The parser is a grammar of chumsky combinators over the significant
//! tokens (trivia removed; keywords are soft, so they are name tokens matched
//! by their text). A broken text still gives a tree: what could not be
//! parsed becomes an `Error` node and each problem one diagnostic, worded
//! where it is found. Nesting is bounded ([`MAX_DEPTH`] brackets,
//! [`MAX_HEIGHT`] levels of tree), so neither parsing nor dropping or walking
//! the tree can exhaust the stack. See the crate's README for how the grammar
//! is organised.
//!
//! ```
//! let parse = kql_syntax::parse("T | where x == 1");
//! assert!(parse.errors.is_empty());
//! assert_eq!(parse.query.statements.len(), 1);
//! ```

pub mod ast;
mod dump;
mod error;
mod grammar;
mod lexer;
pub mod span;
pub mod visit;

pub use dump::{dump_errors, dump_tree};
pub use error::{SyntaxError, SyntaxErrorKind};
pub use grammar::{MAX_DEPTH, MAX_HEIGHT, PIPE_OPERATORS};
pub use lexer::{Token, TokenKind, is_whitespace};
pub use span::Span;

/// The result of parsing a query text.
#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    pub query: ast::Query,
    /// Sorted by position.
    pub errors: Vec<SyntaxError>,
    /// The spans of all `//` comments (kept for suppression comments).
    pub comments: Vec<Span>,
}

/// Tokenizes `src`, trivia (white space and comments) included: every byte
/// belongs to exactly one token.
pub fn lex(src: &str) -> Vec<Token> {
    lexer::lex(src)
}

/// Parses a query text. Never panics; a broken text gives a partial tree
/// (with `Error` nodes) and diagnostics.
pub fn parse(src: &str) -> Parse {
    // spans are u32: refuse (with a diagnostic) what cannot be addressed
    if src.len() > u32::MAX as usize / 2 {
        return Parse {
            query: ast::Query {
                statements: Vec::new(),
                span: Span::new(0, 0),
            },
            errors: vec![SyntaxError::new(
                SyntaxErrorKind::NestingTooDeep,
                Span::new(0, 0),
                "the query text is too large to parse",
            )],
            comments: Vec::new(),
        };
    }
    let tokens = lexer::lex(src);
    let comments = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| t.span)
        .collect();
    let (query, mut errors) = grammar::parse_tokens(src, &tokens);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parse {
        query,
        errors,
        comments,
    }
}
