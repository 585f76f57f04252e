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
pub mod rules;
pub mod visit;

pub use dump::{dump_errors, dump_tree};
pub use error::{SyntaxError, SyntaxErrorKind};
pub use grammar::{MAX_DEPTH, MAX_HEIGHT, PIPE_OPERATORS};
pub use kqlint_diagnostics::Span;
pub use lexer::{Token, TokenKind, is_whitespace};

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

/// Parses a query *file* the way Kusto's editors read one (Kusto.Language's
/// `CodeScript`): a blank line between two statements separates them as a
/// `;` would, so queries pasted one after another, each without a final
/// `;`, are several statements rather than a missing `;`. A rule's query
/// is one query sent whole to the service: use [`parse`] for it.
pub fn parse_script(src: &str) -> Parse {
    let mut p = parse_with(src, true);
    p.errors.retain(|e| {
        !(e.kind == SyntaxErrorKind::MissingSemicolon && blank_line_before_next(src, e))
    });
    p
}

/// Whether a blank line (only white space on it) lies between the end of
/// the statement a missing-`;` error follows and the next statement.
fn blank_line_before_next(src: &str, e: &SyntaxError) -> bool {
    let Some((next, _)) = e.labels.first() else {
        return false;
    };
    let (from, to) = (e.span.start as usize, next.start as usize);
    let Some(gap) = src.get(from..to) else {
        return false;
    };
    let mut lines = gap.split('\n');
    // the first piece is the rest of the statement's last line
    lines.next();
    let mut pieces: Vec<&str> = lines.collect();
    // the last piece is the start of the next statement's line
    pieces.pop();
    pieces.iter().any(|l| l.chars().all(lexer::is_whitespace))
}

/// Parses a query text. Never panics; a broken text gives a partial tree
/// (with `Error` nodes) and diagnostics.
pub fn parse(src: &str) -> Parse {
    parse_with(src, false)
}

fn parse_with(src: &str, script: bool) -> Parse {
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
    let (query, mut errors) = grammar::parse_tokens(src, &tokens, script);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parse {
        query,
        errors,
        comments,
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;

    fn semis(p: &Parse) -> usize {
        p.errors
            .iter()
            .filter(|e| e.kind == SyntaxErrorKind::MissingSemicolon)
            .count()
    }

    #[test]
    fn a_blank_line_separates_the_queries_of_a_file() {
        let two = "T\n| take 1\n\nU\n| count\n";
        assert_eq!(semis(&parse(two)), 1, "one query text: a `;` is missing");
        let p = parse_script(two);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.query.statements.len(), 2);
        // CRLF, white space on the blank line, a comment after it
        let p = parse_script("T\r\n| take 1\r\n \t\r\n// next\r\nU | count");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        // without a blank line it is still a missing `;`
        assert_eq!(semis(&parse_script("T\n| take 1\nU | count")), 1);
        assert_eq!(semis(&parse_script("T\n| take 1\n// x\nU | count")), 1);
        // recovery stops at a blank line: prose before a query is one
        // error, and the query after it parses on its own
        let p = parse_script("Find devices that do X (see the blog)\n\nDeviceEvents\n| take 1\n");
        let lines: Vec<u32> = p
            .errors
            .iter()
            .map(|e| {
                1 + "Find devices that do X (see the blog)\n\nDeviceEvents\n| take 1\n"
                    [..e.span.start as usize]
                    .matches('\n')
                    .count() as u32
            })
            .collect();
        assert!(lines.iter().all(|l| *l == 1), "{:?}", p.errors);
        assert!(!p.errors.is_empty());
        // `let`s before a blank line stay visible: they end with `;`
        let p = parse_script("let a = 1;\n\nprint a\n\nprint b = 2");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.query.statements.len(), 3);
    }
}
