//! The KQL parser: hand-written recursive descent over the lexer's tokens,
//! with precedence climbing for scalar expressions.
//!
//! Recovery: a missing closer is reported once (with the opener as a label)
//! and assumed; a broken operator is skipped up to the next `|` at the same
//! nesting level; a broken statement up to the next `;`. Nesting is bounded
//! ([`MAX_DEPTH`] levels of recursion, [`MAX_HEIGHT`] levels of tree), so
//! neither parsing nor dropping or walking the tree can exhaust the stack.

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use crate::lexer::{Token, TokenKind as T};
use crate::span::Span;
use smol_str::SmolStr;

/// Recursion levels (parentheses, calls, subqueries, ...) the parser accepts.
pub const MAX_DEPTH: u32 = 400;
/// Height of the syntax tree the parser builds (long `and`/`or`/`+` chains
/// count one level per operator).
pub const MAX_HEIGHT: u32 = 1500;

pub(crate) struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    pub(crate) errors: Vec<SyntaxError>,
    depth: u32,
    /// Height of the expression most recently completed.
    h: u32,
    /// Greatest height completed since the last `scope_start`.
    hmax: u32,
    aborted: bool,
    /// In `search`/`find` predicates `Col : "term"` is an operator.
    search_mode: bool,
    /// In `make-graph` the source column is followed by `-->` or `--`.
    graph_mode: bool,
}

/// Words that can never start an expression operand (they end it).
fn is_clause_word(w: &str) -> bool {
    matches!(
        w,
        "by" | "of"
            | "to"
            | "asc"
            | "desc"
            | "as"
            | "where"
            | "project"
            | "project-smart"
            | "in"
            | "and"
            | "or"
            | "between"
    )
}

const SOURCE_OPS: &[&str] = &[
    "print",
    "range",
    "datatable",
    "externaldata",
    "union",
    "search",
    "find",
    "evaluate",
    "macro-expand",
    "materialized-view-combine",
];

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

const STMT_WORDS: &[&str] = &["let", "set", "declare", "alias", "restrict"];

fn binary_word(w: &str) -> Option<BinaryOp> {
    use BinaryOp::*;
    Some(match w {
        "has" => Has,
        "!has" => NotHas,
        "has_cs" => HasCs,
        "!has_cs" => NotHasCs,
        "hasprefix" => HasPrefix,
        "!hasprefix" => NotHasPrefix,
        "hasprefix_cs" => HasPrefixCs,
        "!hasprefix_cs" => NotHasPrefixCs,
        "hassuffix" => HasSuffix,
        "!hassuffix" => NotHasSuffix,
        "hassuffix_cs" => HasSuffixCs,
        "!hassuffix_cs" => NotHasSuffixCs,
        "contains" => Contains,
        "!contains" | "notcontains" => NotContains,
        "contains_cs" | "containscs" => ContainsCs,
        "!contains_cs" | "notcontainscs" => NotContainsCs,
        "startswith" => StartsWith,
        "!startswith" => NotStartsWith,
        "startswith_cs" => StartsWithCs,
        "!startswith_cs" => NotStartsWithCs,
        "endswith" => EndsWith,
        "!endswith" => NotEndsWith,
        "endswith_cs" => EndsWithCs,
        "!endswith_cs" => NotEndsWithCs,
        "like" => Like,
        "notlike" => NotLike,
        "likecs" => LikeCs,
        "notlikecs" => NotLikeCs,
        _ => return None,
    })
}

/// Every word-shaped infix operator, for "did you mean" hints.
const INFIX_WORDS: &[&str] = &[
    "has",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "like",
    "likecs",
    "matches",
    "in",
    "has_any",
    "has_all",
    "between",
    "and",
    "or",
];

/// Levenshtein distance, small strings only.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if word.len() < 2 || word.len() > 40 {
        return None;
    }
    let max = if word.len() <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn closer_of(open: T) -> T {
    match open {
        T::LParen => T::RParen,
        T::LBracket => T::RBracket,
        _ => T::RBrace,
    }
}

fn closer_text(k: T) -> &'static str {
    match k {
        T::RParen => ")",
        T::RBracket => "]",
        _ => "}",
    }
}

fn opener_text(k: T) -> &'static str {
    match k {
        T::LParen => "(",
        T::LBracket => "[",
        _ => "{",
    }
}

impl<'s> Parser<'s> {
    pub(crate) fn new(src: &'s str, all: &[Token]) -> Self {
        let mut toks: Vec<Token> = Vec::with_capacity(all.len() / 2 + 1);
        toks.extend(all.iter().filter(|t| !t.kind.is_trivia()).copied());
        let end = src.len() as u32;
        toks.push(Token {
            kind: T::Eof,
            span: Span::empty(end),
        });
        Parser {
            src,
            toks,
            pos: 0,
            errors: Vec::new(),
            depth: 0,
            h: 0,
            hmax: 0,
            aborted: false,
            search_mode: false,
            graph_mode: false,
        }
    }

    // -----------------------------------------------------------------
    // token helpers
    // -----------------------------------------------------------------

    fn peek(&self) -> T {
        self.toks[self.pos].kind
    }

    fn peek_at(&self, n: usize) -> T {
        self.toks.get(self.pos + n).map_or(T::Eof, |t| t.kind)
    }

    fn tok(&self) -> Token {
        self.toks[self.pos]
    }

    fn tok_at(&self, n: usize) -> Token {
        self.toks
            .get(self.pos + n)
            .copied()
            .unwrap_or(*self.toks.last().expect("eof"))
    }

    fn span(&self) -> Span {
        self.toks[self.pos].span
    }

    fn text(&self) -> &'s str {
        self.toks[self.pos].span.text(self.src)
    }

    fn text_at(&self, n: usize) -> &'s str {
        self.tok_at(n).span.text(self.src)
    }

    fn at(&self, k: T) -> bool {
        self.peek() == k
    }

    fn at_word(&self, w: &str) -> bool {
        self.peek() == T::Ident && self.text() == w
    }

    fn at_word_at(&self, n: usize, w: &str) -> bool {
        self.peek_at(n) == T::Ident && self.text_at(n) == w
    }

    fn at_eof(&self) -> bool {
        self.peek() == T::Eof
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos];
        if t.kind != T::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, k: T) -> Option<Span> {
        if self.at(k) {
            Some(self.bump().span)
        } else {
            None
        }
    }

    fn eat_word(&mut self, w: &str) -> Option<Span> {
        if self.at_word(w) {
            Some(self.bump().span)
        } else {
            None
        }
    }

    /// End of the previous token (where "missing X" errors go).
    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end
        }
    }

    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::empty(0)
        } else {
            self.toks[self.pos - 1].span
        }
    }

    /// True when the current token starts a new line.
    fn on_new_line(&self) -> bool {
        let start = self.span().start as usize;
        let prev = self.prev_end() as usize;
        self.src
            .get(prev..start)
            .is_some_and(|gap| gap.contains('\n') || gap.contains('\r'))
    }

    /// True when the current token is the first thing on its line.
    fn at_line_start(&self) -> bool {
        let start = self.span().start as usize;
        let line_start = self.src[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        self.src[line_start..start].trim().is_empty() && self.pos > 0 && self.on_new_line()
    }

    fn adjacent(&self, n: usize) -> bool {
        self.tok_at(n).span.end == self.tok_at(n + 1).span.start
    }

    // -----------------------------------------------------------------
    // errors and limits
    // -----------------------------------------------------------------

    fn push_error(&mut self, e: SyntaxError) {
        if self.aborted {
            return;
        }
        // one error per position: later ones would only be cascades
        if self
            .errors
            .last()
            .is_some_and(|l| l.span.start == e.span.start)
        {
            return;
        }
        self.errors.push(e);
    }

    fn error(&mut self, kind: K, span: Span, msg: impl Into<String>) {
        self.push_error(SyntaxError::new(kind, span, msg));
    }

    fn describe_current(&self) -> String {
        match self.peek() {
            T::Ident | T::BangIdent => format!("`{}`", self.text()),
            T::Eof => "the end of the query".into(),
            T::Int | T::Real | T::TimeSpan => format!("`{}`", self.text()),
            k => k.describe().into(),
        }
    }

    /// Reports "expected X, found Y" at the current token.
    fn expected(&mut self, what: &str) {
        let span = if self.at_eof() {
            Span::empty(self.prev_end())
        } else {
            self.span()
        };
        let found = self.describe_current();
        let kind = match self.peek() {
            T::Unknown => K::InvalidCharacter,
            T::UnterminatedString => K::UnterminatedString,
            _ => K::UnexpectedToken,
        };
        let msg = match kind {
            K::InvalidCharacter => format!(
                "invalid character `{}`; expected {what}",
                self.text().chars().next().unwrap_or('?')
            ),
            K::UnterminatedString => "this string has no closing quote".to_string(),
            _ => format!("expected {what}, found {found}"),
        };
        self.error(kind, span, msg);
    }

    fn missing_expr(&mut self, what: &str) {
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            self.expected(what);
            return;
        }
        let span = Span::empty(self.prev_end());
        let found = self.describe_current();
        let mut err = SyntaxError::new(
            K::MissingExpression,
            span,
            format!("expected {what}, found {found}"),
        );
        if !self.at_eof() {
            err = err.with_label(self.span(), "found this instead");
        }
        self.push_error(err);
    }

    fn too_deep(&mut self) {
        let span = self.span();
        self.push_error(
            SyntaxError::new(
                K::NestingTooDeep,
                span,
                "the query nests too deeply to be analysed".to_string(),
            )
            .with_help(format!(
                "kqlint accepts up to {MAX_DEPTH} levels of nested parentheses, calls and subqueries \
                 and expressions up to {MAX_HEIGHT} operators deep; split the query with `let` statements"
            )),
        );
        self.aborted = true;
        self.pos = self.toks.len() - 1;
    }

    /// Enters one level of recursion; false when the limit is hit (then the
    /// rest of the text has been given up with one diagnostic).
    fn enter(&mut self) -> bool {
        if self.aborted {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            self.too_deep();
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Records the height of a completed expression.
    fn done(&mut self, e: Expr, h: u32) -> Expr {
        self.h = h;
        if h > self.hmax {
            self.hmax = h;
        }
        if h > MAX_HEIGHT && !self.aborted {
            self.too_deep();
        }
        e
    }

    fn leaf(&mut self, e: Expr) -> Expr {
        self.done(e, 1)
    }

    /// Starts measuring the height of a compound (a pipeline, an operator).
    fn scope_start(&mut self) -> u32 {
        std::mem::replace(&mut self.hmax, 0)
    }

    /// Ends a compound begun with `scope_start`; its height is its deepest
    /// expression plus `extra` levels of structure.
    fn scope_end(&mut self, saved: u32, e: Expr, extra: u32) -> Expr {
        let h = self.hmax + extra;
        self.hmax = saved.max(self.hmax);
        self.done(e, h)
    }

    /// Skips to the next `|`, `;` or closing delimiter at this nesting level
    /// (or the end); returns the skipped span.
    fn skip_to_sync(&mut self) -> Span {
        let start = self.span().start;
        let mut end = start;
        let mut stack: Vec<T> = Vec::new();
        loop {
            let k = self.peek();
            match k {
                T::Eof => break,
                T::Pipe | T::Semi if stack.is_empty() => break,
                T::RParen | T::RBracket | T::RBrace => {
                    if stack.is_empty() {
                        break;
                    }
                    if stack.last() == Some(&k) {
                        stack.pop();
                    } else if stack.contains(&k) {
                        while stack.pop() != Some(k) {}
                    } else {
                        break;
                    }
                }
                T::LParen | T::LBracket | T::LBrace => stack.push(closer_of(k)),
                _ => {}
            }
            end = self.bump().span.end;
        }
        Span::new(start, end.max(start))
    }

    /// Skips to the closer `close` at this nesting level without consuming it.
    fn skip_to_closer(&mut self, close: T) {
        let mut stack: Vec<T> = Vec::new();
        loop {
            let k = self.peek();
            match k {
                T::Eof => return,
                T::RParen | T::RBracket | T::RBrace => {
                    if stack.is_empty() {
                        return;
                    }
                    if stack.last() == Some(&k) {
                        stack.pop();
                    } else {
                        return;
                    }
                }
                T::Semi if stack.is_empty() && close != T::RBrace => return,
                T::LParen | T::LBracket | T::LBrace => stack.push(closer_of(k)),
                _ => {}
            }
            self.bump();
        }
    }

    /// Consumes the closer for `open` (the opener's span) or reports it
    /// missing. Junk before the closer is skipped with one error.
    fn close(&mut self, open_kind: T, open: Span) -> Span {
        let close = closer_of(open_kind);
        if let Some(s) = self.eat(close) {
            return s;
        }
        let junk = !matches!(
            self.peek(),
            T::Eof | T::RParen | T::RBracket | T::RBrace | T::Semi
        );
        if junk {
            let found = self.describe_current();
            let span = self.span();
            let kind = match self.peek() {
                T::Unknown => K::InvalidCharacter,
                T::UnterminatedString => K::UnterminatedString,
                _ => K::UnexpectedToken,
            };
            let mut err = SyntaxError::new(
                kind,
                span,
                format!(
                    "expected `{}` to close this `{}`, found {found}",
                    closer_text(close),
                    opener_text(open_kind)
                ),
            )
            .with_label(
                open,
                format!("this `{}` is not closed", opener_text(open_kind)),
            );
            err.open_delimiter = Some(open);
            self.push_error(err);
            self.skip_to_closer(close);
            if let Some(s) = self.eat(close) {
                return s;
            }
            return Span::empty(self.prev_end());
        }
        let at = Span::empty(self.prev_end());
        let found = self.describe_current();
        let mut err = SyntaxError::new(
            K::UnclosedDelimiter,
            at,
            format!(
                "expected `{}` to close this `{}`, found {found}",
                closer_text(close),
                opener_text(open_kind)
            ),
        )
        .with_label(
            open,
            format!("this `{}` is not closed", opener_text(open_kind)),
        );
        err.open_delimiter = Some(open);
        self.push_error(err);
        at
    }

    fn expect(&mut self, k: T, what: &str) -> Option<Span> {
        if let Some(s) = self.eat(k) {
            Some(s)
        } else {
            self.expected(what);
            None
        }
    }

    fn expect_word(&mut self, w: &str) -> Option<Span> {
        if let Some(s) = self.eat_word(w) {
            Some(s)
        } else {
            self.expected(&format!("`{w}`"));
            None
        }
    }

    /// True at a token that ends the current operator: `|`, `;`, a closer, the end.
    fn at_op_end(&self) -> bool {
        matches!(
            self.peek(),
            T::Pipe | T::Semi | T::RParen | T::RBracket | T::RBrace | T::Eof
        )
    }

    // -----------------------------------------------------------------
    // statements
    // -----------------------------------------------------------------

    pub(crate) fn parse_query(&mut self) -> Query {
        let stmts = self.statements(None);
        // anything left is a stray closer at top level (statements stopped there)
        Query {
            statements: stmts,
            span: Span::new(0, self.src.len() as u32),
        }
    }

    /// `stmt (; stmt)* ;?`, up to `end` (a `}`) or the end of the text.
    fn statements(&mut self, end: Option<T>) -> Vec<Statement> {
        let mut out = Vec::new();
        loop {
            while self.eat(T::Semi).is_some() {}
            if self.at_eof() || end.is_some_and(|e| self.at(e)) {
                break;
            }
            if matches!(self.peek(), T::RParen | T::RBracket | T::RBrace) {
                // a closer with no opener
                let s = self.span();
                let t = self.text().to_string();
                self.error(
                    K::UnmatchedDelimiter,
                    s,
                    format!("`{t}` has no matching opening delimiter"),
                );
                self.bump();
                // `T | where x == 1) | take 1`: the rest belongs to the same query
                let mut span = s;
                if self.at(T::Pipe) {
                    let ops = self.pipe_ops();
                    if let Some(last) = ops.last() {
                        span = span.to(last.op.span);
                    }
                }
                out.push(Statement::Error(span));
                continue;
            }
            let start_pos = self.pos;
            let stmt = self.statement();
            let is_expr = matches!(stmt, Statement::Expr(_));
            out.push(stmt);
            if self.aborted {
                break;
            }
            if self.eat(T::Semi).is_some() {
                continue;
            }
            if self.at_eof() || end.is_some_and(|e| self.at(e)) {
                break;
            }
            if matches!(self.peek(), T::RParen | T::RBracket | T::RBrace) {
                continue;
            }
            // two statements without `;`
            let starts_stmt = self.on_new_line()
                && (STMT_WORDS.contains(&self.text())
                    || (self.peek() == T::Ident && self.at_line_start()));
            if starts_stmt || !is_expr {
                let at = Span::empty(self.prev_end());
                self.push_error(
                    SyntaxError::new(
                        K::MissingSemicolon,
                        at,
                        "expected `;` after this statement".to_string(),
                    )
                    .with_label(self.span(), "the next statement starts here")
                    .with_help("separate statements (`let x = ...;`) with `;`"),
                );
                if self.pos == start_pos {
                    self.bump();
                }
                continue;
            }
            self.junk_after("the end of the statement");
            let skipped = self.skip_to_sync();
            if let Some(Statement::Expr(e)) = out.last_mut() {
                let _ = e;
            }
            if !skipped.is_empty() {
                out.push(Statement::Error(skipped));
            }
            if self.pos == start_pos {
                self.bump();
            }
        }
        out
    }

    /// Reports the current token as unexpected junk after a complete
    /// construct, with a hint when it looks like a misspelled operator.
    fn junk_after(&mut self, what: &str) {
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            self.expected(what);
            return;
        }
        let span = self.span();
        let text = self.text();
        let found = self.describe_current();
        let mut err = SyntaxError::new(
            K::UnexpectedToken,
            span,
            format!("unexpected {found}; expected `|` or {what}"),
        );
        if self.peek() == T::Ident {
            let lower = text.to_lowercase();
            if INFIX_WORDS.contains(&lower.as_str()) && lower != text {
                err.help = Some(format!(
                    "did you mean `{lower}`? KQL operators are case-sensitive"
                ));
            } else if let Some(s) = suggest(text, INFIX_WORDS) {
                err.help = Some(format!("did you mean `{s}`?"));
            } else if PIPE_OPERATORS.contains(&text) {
                err.help = Some(format!("a `|` is missing before `{text}`"));
            }
        } else if self.peek() == T::BangIdent {
            let w = &text[1..];
            if let Some(s) = suggest(w, INFIX_WORDS) {
                err.help = Some(format!("did you mean `!{s}`?"));
            }
        }
        self.push_error(err);
    }

    fn statement(&mut self) -> Statement {
        if self.peek() == T::Ident {
            match self.text() {
                "let" if self.peek_at(1) != T::Dot && self.peek_at(1) != T::LParen => {
                    return self.let_stmt();
                }
                "set" if self.peek_at(1) == T::Ident => return self.set_stmt(),
                "declare" if self.at_word_at(1, "query_parameters") => {
                    return self.declare_qp();
                }
                "declare" if self.at_word_at(1, "pattern") => return self.declare_pattern(),
                "alias" if self.at_word_at(1, "database") => return self.alias_stmt(),
                "restrict" if self.at_word_at(1, "access") => return self.restrict_stmt(),
                _ => {}
            }
        }
        if self.at(T::Pipe) {
            let span = self.span();
            let after_semi = self.pos > 0 && self.toks[self.pos - 1].kind == T::Semi;
            let mut err = SyntaxError::new(
                K::UnexpectedToken,
                span,
                "a statement cannot start with `|`: there is no tabular input before it",
            );
            if after_semi {
                err = err
                    .with_label(self.prev_span(), "this `;` ends the previous statement")
                    .with_help("remove the `;` to continue the previous query");
            }
            self.push_error(err);
            let mut ops = self.pipe_ops();
            let span = span.to(ops.last().map_or(span, |o| o.op.span));
            if ops.is_empty() {
                return Statement::Error(span);
            }
            let pipeline = Pipeline {
                source: Some(Expr::error(Span::empty(span.start))),
                ops: std::mem::take(&mut ops),
                span,
            };
            return Statement::Expr(Expr::new(ExprKind::Pipeline(Box::new(pipeline)), span));
        }
        let e = self.pipe_expr();
        Statement::Expr(e)
    }

    fn ident(&mut self) -> Option<Ident> {
        match self.peek() {
            T::Ident => {
                let t = self.bump();
                Some(Ident {
                    name: SmolStr::new(t.span.text(self.src)),
                    span: t.span,
                    quoted: false,
                })
            }
            T::LBracket if self.peek_at(1) == T::String && self.peek_at(2) == T::RBracket => {
                let open = self.bump().span;
                let s = self.bump().span;
                let close = self.bump().span;
                Some(Ident {
                    name: SmolStr::new(unquote(s.text(self.src)).0),
                    span: open.to(close),
                    quoted: true,
                })
            }
            _ => None,
        }
    }

    fn expect_ident(&mut self, what: &str) -> Ident {
        if let Some(i) = self.ident() {
            return i;
        }
        let span = Span::empty(self.prev_end());
        let found = self.describe_current();
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            self.expected(what);
        } else {
            let mut err = SyntaxError::new(
                K::MissingName,
                span,
                format!("expected {what}, found {found}"),
            );
            if !self.at_eof() {
                err = err.with_label(self.span(), "found this instead");
            }
            self.push_error(err);
        }
        Ident {
            name: SmolStr::default(),
            span,
            quoted: false,
        }
    }

    fn let_stmt(&mut self) -> Statement {
        let start = self.bump().span;
        let name = self.expect_ident("a name after `let`");
        if self.expect(T::Assign, "`=` after the `let` name").is_none() {
            // `let x` alone: take the rest of the statement as its value
            if self.at_op_end() {
                let span = start.to(self.prev_span());
                return Statement::Let(LetStmt {
                    name,
                    value: LetValue::Expr(Expr::error(Span::empty(self.prev_end()))),
                    span,
                });
            }
        }
        let value = if self.at_word("view") && self.peek_at(1) == T::LParen {
            let vs = self.bump().span;
            let mut f = self.function_def();
            f.span = vs.to(f.span);
            LetValue::View(f)
        } else if self.at(T::LParen) && self.is_function_def() {
            LetValue::Function(self.function_def())
        } else {
            LetValue::Expr(self.pipe_expr())
        };
        let end = match &value {
            LetValue::Expr(e) => e.span,
            LetValue::Function(f) | LetValue::View(f) => f.span,
        };
        Statement::Let(LetStmt {
            name,
            value,
            span: start.to(end),
        })
    }

    /// At `(`: is this `(params) {`?
    fn is_function_def(&self) -> bool {
        let mut depth = 0usize;
        let mut i = self.pos;
        while i < self.toks.len() {
            match self.toks[i].kind {
                T::LParen | T::LBracket | T::LBrace => depth += 1,
                T::RParen | T::RBracket | T::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return self.toks.get(i + 1).is_some_and(|t| t.kind == T::LBrace);
                    }
                }
                T::Eof | T::Semi => return false,
                _ => {}
            }
            i += 1;
        }
        false
    }

    fn function_def(&mut self) -> FunctionDef {
        let start = self.span();
        let params_start = self.span().start;
        let params = if self.at(T::LParen) {
            self.param_list()
        } else {
            self.expected("`(` and the parameter list");
            Vec::new()
        };
        let params_span = Span::new(params_start, self.prev_end());
        let (body, body_span) = self.brace_body();
        FunctionDef {
            params,
            body,
            params_span,
            body_span,
            span: start.to(body_span),
        }
    }

    /// `{ statements }`.
    fn brace_body(&mut self) -> (Vec<Statement>, Span) {
        let Some(open) = self.eat(T::LBrace) else {
            self.expected("`{` and the body");
            return (Vec::new(), Span::empty(self.prev_end()));
        };
        if !self.enter() {
            return (Vec::new(), open);
        }
        let body = self.statements(Some(T::RBrace));
        self.leave();
        let close = self.close(T::LBrace, open);
        (body, open.to(close))
    }

    /// `( name: type [= default], ... )`.
    fn param_list(&mut self) -> Vec<Param> {
        let open = self.bump().span;
        let mut params = Vec::new();
        while !self.at(T::RParen) && !self.at_eof() {
            let before = self.pos;
            params.push(self.param());
            if self.eat(T::Comma).is_none() {
                break;
            }
            if self.pos == before {
                break;
            }
        }
        self.close(T::LParen, open);
        params
    }

    fn param(&mut self) -> Param {
        let name = self.expect_ident("a parameter name");
        let start = name.span;
        let ty = if self.eat(T::Colon).is_some() {
            if self.at(T::LParen) {
                let open = self.bump().span;
                let (columns, star) = self.schema_items(T::RParen);
                if let Some((s, _)) = star
                    && !columns.is_empty()
                {
                    self.error(
                        K::UnexpectedToken,
                        s,
                        "a tabular parameter takes either `(*)` or a list of columns, not both",
                    );
                }
                let open_schema = star.is_some();
                let close = self.close(T::LParen, open);
                ParamType::Tabular {
                    columns,
                    open: open_schema,
                    span: open.to(close),
                }
            } else {
                ParamType::Scalar(self.type_ref())
            }
        } else {
            self.expected("`:` and the parameter type");
            ParamType::Scalar(TypeRef {
                name: SmolStr::default(),
                span: Span::empty(self.prev_end()),
            })
        };
        let default = if self.eat(T::Assign).is_some() {
            Some(self.expr())
        } else {
            None
        };
        let end = self.prev_span();
        Param {
            name,
            ty,
            default,
            span: start.to(end),
        }
    }

    fn type_ref(&mut self) -> TypeRef {
        if self.peek() == T::Ident {
            let t = self.bump();
            return TypeRef {
                name: SmolStr::new(t.span.text(self.src)),
                span: t.span,
            };
        }
        self.expected("a type name");
        TypeRef {
            name: SmolStr::default(),
            span: Span::empty(self.prev_end()),
        }
    }

    /// Column declarations up to `close`: `a: string, b: long`, `*`.
    /// Returns the columns and, when a `*` was written, its span and the
    /// number of columns before it.
    fn schema_items(&mut self, close: T) -> (Vec<ColumnDecl>, Option<(Span, usize)>) {
        let mut cols = Vec::new();
        let mut open = None;
        while !self.at(close) && !self.at_eof() {
            let before = self.pos;
            if let Some(s) = self.eat(T::Star) {
                open = Some((s, cols.len()));
            } else {
                cols.push(self.column_decl());
            }
            if self.eat(T::Comma).is_none() || self.pos == before {
                break;
            }
        }
        (cols, open)
    }

    fn column_decl(&mut self) -> ColumnDecl {
        let name = self.expect_ident("a column name");
        let ty = if self.expect(T::Colon, "`:` and the column type").is_some() {
            self.type_ref()
        } else {
            TypeRef {
                name: SmolStr::default(),
                span: Span::empty(self.prev_end()),
            }
        };
        ColumnDecl {
            span: name.span.to(ty.span),
            name,
            ty,
        }
    }

    /// `( schema )`; `star_first`: a leading `*` is allowed (`evaluate`'s
    /// output schema `(*, new: string)`).
    fn paren_schema(&mut self, star_first: bool) -> Vec<ColumnDecl> {
        let Some(open) = self.eat(T::LParen) else {
            self.expected("`(` and a schema");
            return Vec::new();
        };
        let (cols, star) = self.schema_items(T::RParen);
        if let Some((s, before)) = star
            && (!star_first || before > 0)
        {
            self.error(
                K::UnexpectedToken,
                s,
                if star_first {
                    "`*` must come first in the output schema: `(*, column: type)`"
                } else {
                    "`*` is not allowed in this schema"
                },
            );
        }
        self.close(T::LParen, open);
        cols
    }

    fn set_stmt(&mut self) -> Statement {
        let start = self.bump().span;
        let name = self.dotted_name();
        let value = if self.eat(T::Assign).is_some() {
            Some(self.expr())
        } else {
            None
        };
        Statement::Set(SetStmt {
            name,
            value,
            span: start.to(self.prev_span()),
        })
    }

    /// `a.b.c` as one name (option names, `hint.strategy`).
    fn dotted_name(&mut self) -> Ident {
        let mut id = self.expect_ident("a name");
        while self.at(T::Dot) && self.peek_at(1) == T::Ident && self.adjacent(0) {
            self.bump();
            let t = self.bump();
            let mut s = id.name.to_string();
            s.push('.');
            s.push_str(t.span.text(self.src));
            id.name = SmolStr::new(s);
            id.span = id.span.to(t.span);
        }
        id
    }

    fn declare_qp(&mut self) -> Statement {
        let start = self.bump().span;
        self.bump();
        let params = if self.at(T::LParen) {
            self.param_list()
        } else {
            self.expected("`(` and the parameters");
            Vec::new()
        };
        Statement::DeclareQueryParameters(DeclareQueryParameters {
            params,
            span: start.to(self.prev_span()),
        })
    }

    fn declare_pattern(&mut self) -> Statement {
        let start = self.bump().span;
        self.bump();
        let name = self.expect_ident("a pattern name");
        let mut params = Vec::new();
        let mut path_param = None;
        let mut definitions = Vec::new();
        if self.eat(T::Assign).is_some() {
            if self.at(T::LParen) {
                params = self.param_list();
            }
            if let Some(open) = self.eat(T::LBracket) {
                path_param = Some(self.param());
                self.close(T::LBracket, open);
            }
            if let Some(open) = self.eat(T::LBrace) {
                while self.at(T::LParen) {
                    let dstart = self.span();
                    let popen = self.bump().span;
                    let mut args = Vec::new();
                    while !self.at(T::RParen) && !self.at_eof() {
                        args.push(self.expr());
                        if self.eat(T::Comma).is_none() {
                            break;
                        }
                    }
                    self.close(T::LParen, popen);
                    let path = if self.eat(T::Dot).is_some() {
                        Some(self.primary())
                    } else {
                        None
                    };
                    self.expect(T::Assign, "`=`");
                    let (body, bspan) = self.brace_body();
                    definitions.push(PatternDefinition {
                        args,
                        path,
                        body,
                        span: dstart.to(bspan),
                    });
                    self.eat(T::Semi);
                }
                self.close(T::LBrace, open);
            }
        }
        Statement::DeclarePattern(DeclarePattern {
            name,
            params,
            path_param,
            definitions,
            span: start.to(self.prev_span()),
        })
    }

    fn alias_stmt(&mut self) -> Statement {
        let start = self.bump().span;
        self.bump();
        let name = self.expect_ident("an alias name");
        self.expect(T::Assign, "`=`");
        let value = self.expr();
        Statement::Alias(AliasStmt {
            name,
            span: start.to(value.span),
            value,
        })
    }

    fn restrict_stmt(&mut self) -> Statement {
        let start = self.bump().span;
        self.bump();
        self.expect_word("to");
        let mut entities = Vec::new();
        if let Some(open) = self.expect(T::LParen, "`(`") {
            while !self.at(T::RParen) && !self.at_eof() {
                entities.push(self.name_or_expr());
                if self.eat(T::Comma).is_none() {
                    break;
                }
            }
            self.close(T::LParen, open);
        }
        Statement::Restrict(RestrictStmt {
            entities,
            span: start.to(self.prev_span()),
        })
    }

    // -----------------------------------------------------------------
    // tabular expressions
    // -----------------------------------------------------------------

    /// An expression that may be followed by `| operator ...`; source
    /// operators (`print`, `range`, `union`, ...) may start it.
    fn pipe_expr(&mut self) -> Expr {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.pipe_expr_inner())
    }

    fn pipe_expr_inner(&mut self) -> Expr {
        if !self.enter() {
            return Expr::error(Span::empty(self.prev_end()));
        }
        let saved = self.scope_start();
        let source = if let Some(op) = self.source_operator() {
            let span = op.span;
            self.done(
                Expr::new(ExprKind::Operator(Box::new(op)), span),
                self.hmax + 2,
            )
        } else {
            self.expr()
        };
        let is_pipeline = self.at(T::Pipe);
        let e = if is_pipeline {
            let ops = self.pipe_ops();
            let span = source
                .span
                .to(ops.last().map_or(source.span, |o| o.op.span));
            Expr::new(
                ExprKind::Pipeline(Box::new(Pipeline {
                    source: Some(source),
                    ops,
                    span,
                })),
                span,
            )
        } else {
            source
        };
        self.leave();
        if is_pipeline {
            self.scope_end(saved, e, 3)
        } else {
            let h = self.h;
            self.hmax = saved.max(self.hmax);
            self.done(e, h)
        }
    }

    fn pipe_ops(&mut self) -> Vec<PipeOp> {
        let mut ops = Vec::new();
        while let Some(pipe) = self.eat(T::Pipe) {
            let op = self.operator_after_pipe();
            ops.push(PipeOp {
                pipe: Some(pipe),
                op,
            });
            if self.aborted {
                break;
            }
        }
        ops
    }

    /// The body of `mv-apply ... on (...)`, `fork (...)`, `partition ... (...)`,
    /// `facet ... with (...)`: operators with an implicit input, the first
    /// without a `|`. A body that starts with an expression is an ordinary
    /// tabular expression.
    fn sub_body(&mut self) -> Expr {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            if !(self.peek() == T::Ident
                && PIPE_OPERATORS.contains(&self.text())
                && !SOURCE_OPS.contains(&self.text())
                && self.peek_at(1) != T::LParen
                && self.peek_at(1) != T::Dot)
            {
                return self.pipe_expr();
            }
            if !self.enter() {
                return Expr::error(Span::empty(self.prev_end()));
            }
            let saved = self.scope_start();
            let first = self.operator();
            let mut ops = vec![PipeOp {
                pipe: None,
                op: first,
            }];
            self.operator_tail();
            ops.extend(self.pipe_ops());
            let span = ops[0].op.span.to(ops.last().expect("op").op.span);
            let e = Expr::new(
                ExprKind::Pipeline(Box::new(Pipeline {
                    source: None,
                    ops,
                    span,
                })),
                span,
            );
            self.leave();
            self.scope_end(saved, e, 3)
        })
    }

    fn source_operator(&mut self) -> Option<Operator> {
        if self.peek() != T::Ident {
            return None;
        }
        let w = self.text();
        let next = self.peek_at(1);
        let is_source = match w {
            "print" | "union" | "search" | "find" | "evaluate" | "macro-expand" => {
                !matches!(next, T::Dot)
            }
            "range" => next == T::Ident || next == T::LBracket,
            "datatable" => matches!(next, T::LParen | T::Ident),
            "externaldata" => matches!(next, T::LParen | T::Ident | T::LBracket),
            "materialized-view-combine" => true,
            _ => false,
        };
        if !is_source {
            return None;
        }
        Some(self.operator())
    }

    /// An operator after `|`, with recovery to the next `|`.
    fn operator_after_pipe(&mut self) -> Operator {
        if self.peek() != T::Ident {
            let span = if self.at_eof() || self.at(T::Pipe) {
                Span::empty(self.prev_end())
            } else {
                self.span()
            };
            let found = self.describe_current();
            let kind = match self.peek() {
                T::Unknown => K::InvalidCharacter,
                T::UnterminatedString => K::UnterminatedString,
                _ => K::UnknownOperator,
            };
            self.push_error(
                SyntaxError::new(
                    kind,
                    span,
                    format!("expected a query operator after `|`, found {found}"),
                )
                .with_help("e.g. `where`, `project`, `extend`, `summarize`, `take`"),
            );
            let skipped = if self.at(T::Pipe) || self.at_op_end() {
                span
            } else {
                self.skip_to_sync()
            };
            return Operator {
                kind: OperatorKind::Error,
                keyword_span: span,
                span: skipped,
            };
        }
        let w = self.text();
        if !PIPE_OPERATORS.contains(&w) {
            let span = self.span();
            let lower = w.to_lowercase();
            let mut err = SyntaxError::new(
                K::UnknownOperator,
                span,
                format!("`{w}` is not a query operator"),
            );
            if lower != w && PIPE_OPERATORS.contains(&lower.as_str()) {
                err.help = Some(format!(
                    "did you mean `{lower}`? KQL operators are case-sensitive"
                ));
            } else if let Some(s) = suggest(w, PIPE_OPERATORS) {
                err.help = Some(format!("did you mean `{s}`?"));
            } else if let Some(s) = suggest(&lower, PIPE_OPERATORS) {
                err.help = Some(format!(
                    "did you mean `{s}`? KQL operators are case-sensitive"
                ));
            }
            self.push_error(err);
            let skipped = self.skip_to_sync();
            return Operator {
                kind: OperatorKind::Error,
                keyword_span: span,
                span: skipped,
            };
        }
        let op = self.operator();
        self.operator_tail();
        op
    }

    /// After an operator: anything before the next `|` is junk.
    fn operator_tail(&mut self) {
        if self.at_op_end() || self.aborted {
            return;
        }
        // a new statement on the next line (missing `;`) is the statement
        // parser's business
        if self.on_new_line()
            && (STMT_WORDS.contains(&self.text())
                || self.at_line_start() && self.peek() == T::Ident)
        {
            return;
        }
        self.junk_after("the next operator");
        self.skip_to_sync();
    }

    fn op_params(&mut self, names: &[&str]) -> Vec<OpParam> {
        let mut out = Vec::new();
        loop {
            if self.peek() != T::Ident {
                break;
            }
            // name (dotted) followed by `=`
            let mut n = 1;
            while self.peek_at(n) == T::Dot && self.peek_at(n + 1) == T::Ident {
                n += 2;
            }
            if self.peek_at(n) != T::Assign {
                break;
            }
            let w = self.text();
            let known = names.contains(&w) || n > 1;
            if !known {
                break;
            }
            let name = self.dotted_name();
            self.bump(); // =
            let value = self.param_value();
            out.push(OpParam {
                span: name.span.to(value.span),
                name,
                value,
            });
        }
        out
    }

    /// The value of an operator parameter: one name or literal (never a
    /// call: in `kind=inner (T)` the `(` starts the next part).
    fn param_value(&mut self) -> Expr {
        match self.peek() {
            T::Ident if !self.is_literal_word() => {
                let id = self.ident().expect("ident");
                let span = id.span;
                self.leaf(Expr::new(ExprKind::Name(id), span))
            }
            T::Minus => self.unary(),
            T::Int | T::Real | T::TimeSpan | T::String | T::TypedLiteral | T::Ident => {
                self.primary()
            }
            T::LParen => self.primary(),
            _ => {
                self.missing_expr("a parameter value");
                Expr::error(Span::empty(self.prev_end()))
            }
        }
    }

    fn is_literal_word(&self) -> bool {
        matches!(
            self.text(),
            "true" | "false" | "TRUE" | "FALSE" | "True" | "False"
        )
    }

    /// An operator at the current token (its keyword).
    fn operator(&mut self) -> Operator {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.operator_inner())
    }

    fn operator_inner(&mut self) -> Operator {
        let kw = self.bump().span;
        let word = kw.text(self.src);
        let kind = match word {
            "where" | "filter" => {
                self.op_params(&[]);
                OperatorKind::Where(self.expr_required("a predicate"))
            }
            "project" => OperatorKind::Project(self.column_exprs()),
            "project-away" => OperatorKind::ProjectAway(self.name_patterns()),
            "project-keep" => OperatorKind::ProjectKeep(self.name_patterns()),
            "project-rename" => OperatorKind::ProjectRename(self.renames()),
            "project-reorder" => OperatorKind::ProjectReorder(self.reorder_items()),
            "project-by-names" => OperatorKind::ProjectByNames(self.expr_list()),
            "extend" => OperatorKind::Extend(self.column_exprs()),
            "summarize" => {
                let params = self.op_params(&[]);
                let aggregates = if self.at_word("by") {
                    Vec::new()
                } else {
                    self.column_exprs()
                };
                let (by, by_span) = if let Some(s) = self.eat_word("by") {
                    (self.column_exprs(), Some(s))
                } else {
                    (Vec::new(), None)
                };
                OperatorKind::Summarize {
                    params,
                    aggregates,
                    by,
                    by_span,
                }
            }
            "distinct" => {
                let params = self.op_params(&[]);
                let columns = self.column_exprs();
                OperatorKind::Distinct { params, columns }
            }
            "count" => {
                let as_name = if self.eat_word("as").is_some() {
                    Some(self.expect_ident("a column name"))
                } else {
                    None
                };
                OperatorKind::Count { as_name }
            }
            "take" | "limit" => {
                let params = self.op_params(&[]);
                let count = self.expr_required("a row count");
                OperatorKind::Take { params, count }
            }
            "top" => {
                let params = self.op_params(&[]);
                let count = self.expr_required("a row count");
                self.expect_word("by");
                let by = self.sort_key();
                OperatorKind::Top { params, count, by }
            }
            "top-nested" => self.top_nested(),
            "top-hitters" => {
                let count = self.expr_required("a count");
                self.expect_word("of");
                let of = self.expr_required("a column");
                let by = if self.eat_word("by").is_some() {
                    Some(self.expr_required("an expression"))
                } else {
                    None
                };
                OperatorKind::TopHitters { count, of, by }
            }
            "sort" | "order" => {
                let params = self.op_params(&[]);
                self.expect_word("by");
                let mut keys = vec![self.sort_key()];
                while self.eat(T::Comma).is_some() {
                    keys.push(self.sort_key());
                }
                OperatorKind::Sort { params, keys }
            }
            "join" | "lookup" => {
                let params = self.op_params(&["kind", "withsource"]);
                let right = if self.at_word("on") || self.at_op_end() {
                    self.missing_expr("the right side of the join");
                    Expr::error(Span::empty(self.prev_end()))
                } else {
                    self.postfix()
                };
                let condition = if self.eat_word("on").is_some() {
                    Some(JoinCondition::On(self.expr_list()))
                } else if self.eat_word("where").is_some() {
                    Some(JoinCondition::Where(self.expr_required("a join condition")))
                } else {
                    None
                };
                if word == "join" {
                    OperatorKind::Join {
                        params,
                        right,
                        condition,
                    }
                } else {
                    OperatorKind::Lookup {
                        params,
                        right,
                        condition,
                    }
                }
            }
            "union" => {
                let params = self.op_params(&["kind", "withsource", "isfuzzy"]);
                let mut tables = vec![self.union_item()];
                while self.eat(T::Comma).is_some() {
                    tables.push(self.union_item());
                }
                OperatorKind::Union { params, tables }
            }
            "mv-expand" | "mvexpand" => {
                let params =
                    self.op_params(&["kind", "bagexpansion", "with_itemindex", "itemindex"]);
                let items = self.mv_items();
                let limit = self
                    .eat_word("limit")
                    .map(|_| self.expr_required("a limit"));
                OperatorKind::MvExpand {
                    params,
                    items,
                    limit,
                }
            }
            "mv-apply" | "mvapply" => {
                let params =
                    self.op_params(&["kind", "bagexpansion", "with_itemindex", "itemindex"]);
                let items = self.mv_items();
                let limit = self
                    .eat_word("limit")
                    .map(|_| self.expr_required("a limit"));
                let on = if self.expect_word("on").is_some() {
                    self.implicit_body()
                } else {
                    Expr::error(Span::empty(self.prev_end()))
                };
                OperatorKind::MvApply {
                    params,
                    items,
                    limit,
                    on,
                }
            }
            "parse" | "parse-where" => {
                let params = self.op_params(&["kind", "flags"]);
                let input = self.expr_required("the text to parse");
                let mut pattern = Vec::new();
                if self.expect_word("with").is_some() {
                    pattern = self.parse_pattern();
                }
                OperatorKind::Parse {
                    where_form: word == "parse-where",
                    params,
                    input,
                    pattern,
                }
            }
            "parse-kv" => {
                let input = self.expr_required("the text to parse");
                let mut columns = Vec::new();
                if self.expect_word("as").is_some() {
                    columns = self.paren_schema(false);
                }
                let with = self.with_props();
                OperatorKind::ParseKv {
                    input,
                    columns,
                    with,
                }
            }
            "evaluate" => {
                let params = self.op_params(&[]);
                let call = self.postfix();
                let schema = if self.eat(T::Colon).is_some() {
                    Some(self.paren_schema(true))
                } else {
                    None
                };
                OperatorKind::Evaluate {
                    params,
                    call,
                    schema,
                }
            }
            "make-series" => self.make_series(),
            "render" => {
                let chart = self.expect_ident("a chart type");
                let mut props = self.with_props();
                // legacy `render chart kind=stacked title="x"`
                while self.peek() == T::Ident && self.peek_at(1) == T::Assign {
                    let name = self.expect_ident("a property");
                    self.bump();
                    let value = self.expr();
                    props.push(OpParam {
                        span: name.span.to(value.span),
                        name,
                        value,
                    });
                }
                OperatorKind::Render { chart, props }
            }
            "as" => {
                let params = self.op_params(&[]);
                let name = self.expect_ident("a name");
                OperatorKind::As { params, name }
            }
            "invoke" => OperatorKind::Invoke(self.postfix()),
            "serialize" => {
                self.op_params(&[]);
                OperatorKind::Serialize(self.column_exprs_opt())
            }
            "sample" => {
                self.op_params(&[]);
                OperatorKind::Sample(self.expr_required("a row count"))
            }
            "sample-distinct" => {
                self.op_params(&[]);
                let count = self.expr_required("a count");
                self.expect_word("of");
                let of = self.expr_required("a column");
                OperatorKind::SampleDistinct { count, of }
            }
            "search" => {
                let params = self.op_params(&["kind"]);
                let tables = if self.at_word("in") && self.peek_at(1) == T::LParen {
                    self.bump();
                    Some(self.table_list())
                } else {
                    None
                };
                let predicate = self.search_predicate();
                OperatorKind::Search {
                    params,
                    tables,
                    predicate,
                }
            }
            "find" => {
                let params = self.op_params(&["withsource", "kind"]);
                let tables = if self.at_word("in") && self.peek_at(1) == T::LParen {
                    self.bump();
                    Some(self.table_list())
                } else {
                    None
                };
                self.expect_word("where");
                let predicate = self.search_predicate();
                let project = if let Some(s) = self.eat_word("project-smart") {
                    FindProject::ProjectSmart(s)
                } else if self.eat_word("project").is_some() {
                    let mut cols = Vec::new();
                    loop {
                        let e = self.expr_required("a column");
                        let e = if let Some(_c) = self.eat(T::Colon) {
                            let ty = self.type_ref();
                            let span = e.span.to(ty.span);
                            Expr::new(
                                ExprKind::Binary {
                                    op: BinaryOp::SearchColon,
                                    op_span: _c,
                                    rhs: Box::new(Expr::new(
                                        ExprKind::Name(Ident {
                                            name: ty.name,
                                            span: ty.span,
                                            quoted: false,
                                        }),
                                        ty.span,
                                    )),
                                    lhs: Box::new(e),
                                },
                                span,
                            )
                        } else {
                            e
                        };
                        cols.push(e);
                        if self.eat(T::Comma).is_none() {
                            break;
                        }
                    }
                    FindProject::Project(cols)
                } else {
                    FindProject::Default
                };
                OperatorKind::Find {
                    params,
                    tables,
                    predicate,
                    project,
                }
            }
            "fork" => {
                let mut branches = Vec::new();
                loop {
                    let start = self.span();
                    let name = if self.peek() == T::Ident && self.peek_at(1) == T::Assign {
                        let n = self.ident();
                        self.bump();
                        n
                    } else {
                        None
                    };
                    if !self.at(T::LParen) {
                        if branches.is_empty() || name.is_some() {
                            self.expected("`(` and a subquery");
                        }
                        break;
                    }
                    let body = self.paren_body();
                    branches.push(ForkBranch {
                        name,
                        span: start.to(body.span),
                        body,
                    });
                }
                OperatorKind::Fork(branches)
            }
            "facet" => {
                self.expect_word("by");
                let mut columns = vec![self.expect_ident("a column")];
                while self.eat(T::Comma).is_some() {
                    columns.push(self.expect_ident("a column"));
                }
                let with = if self.eat_word("with").is_some() {
                    if let Some(s) = self.eat(T::Star) {
                        Some(Expr::new(ExprKind::Star, s))
                    } else {
                        Some(self.implicit_body())
                    }
                } else {
                    None
                };
                OperatorKind::Facet { columns, with }
            }
            "partition" => {
                let mut params = self.op_params(&[]);
                self.expect_word("by");
                let by = self.expect_ident("a column");
                params.extend(self.op_params(&[]));
                let body = if self.at(T::LBrace) {
                    // `{ T | ... }`: a full tabular expression
                    let open = self.bump().span;
                    let inner = self.pipe_expr_required("a subquery");
                    let close = self.close(T::LBrace, open);
                    Expr::new(ExprKind::Paren(Box::new(inner)), open.to(close))
                } else {
                    self.implicit_body()
                };
                OperatorKind::Partition { params, by, body }
            }
            "scan" => self.scan(),
            "reduce" => {
                let mut params = self.op_params(&["kind"]);
                self.expect_word("by");
                let by = self.expr_required("an expression");
                if self.eat_word("with").is_some() {
                    loop {
                        if self.peek() != T::Ident {
                            break;
                        }
                        let name = self.expect_ident("a parameter");
                        self.expect(T::Assign, "`=`");
                        let value = self.expr();
                        params.push(OpParam {
                            span: name.span.to(value.span),
                            name,
                            value,
                        });
                        if self.eat(T::Comma).is_none() {
                            break;
                        }
                    }
                }
                OperatorKind::Reduce { by, params }
            }
            "getschema" => OperatorKind::GetSchema,
            "consume" => OperatorKind::Consume(self.op_params(&["decodeblocks"])),
            "print" => OperatorKind::Print(self.column_exprs()),
            "range" => {
                let name = self.expect_ident("a column name");
                self.expect_word("from");
                let from = self.expr_required("a start value");
                self.expect_word("to");
                let to = self.expr_required("an end value");
                self.expect_word("step");
                let step = self.expr_required("a step");
                OperatorKind::Range {
                    name,
                    from,
                    to,
                    step,
                }
            }
            "datatable" => {
                let params = self.op_params(&[]);
                let schema = self.paren_schema(false);
                let values = self.bracket_values();
                OperatorKind::DataTable {
                    params,
                    schema,
                    values,
                }
            }
            "externaldata" => {
                let params = self.op_params(&["kind"]);
                let schema = self.paren_schema(false);
                let uris = self.bracket_values();
                let with = self.with_props();
                OperatorKind::ExternalData {
                    params,
                    schema,
                    uris,
                    with,
                }
            }
            "assert-schema" => OperatorKind::AssertSchema(self.paren_schema(false)),
            "make-graph" => self.make_graph(),
            "graph-match" | "graph-shortest-paths" => {
                let params = self.op_params(&["cycles", "output"]);
                let mut patterns = vec![self.graph_pattern()];
                while self.eat(T::Comma).is_some() {
                    patterns.push(self.graph_pattern());
                }
                let where_clause = self
                    .eat_word("where")
                    .map(|_| self.expr_required("a predicate"));
                let project = if self.eat_word("project").is_some() {
                    self.column_exprs()
                } else {
                    Vec::new()
                };
                if word == "graph-match" {
                    OperatorKind::GraphMatch {
                        params,
                        patterns,
                        where_clause,
                        project,
                    }
                } else {
                    OperatorKind::GraphShortestPaths {
                        params,
                        patterns,
                        where_clause,
                        project,
                    }
                }
            }
            "graph-to-table" => {
                let mut outs = Vec::new();
                loop {
                    let entity = self.expect_ident("`nodes` or `edges`");
                    let as_name = if self.eat_word("as").is_some() {
                        Some(self.expect_ident("a name"))
                    } else {
                        None
                    };
                    let params =
                        self.op_params(&["with_node_id", "with_source_id", "with_target_id"]);
                    outs.push(GraphToTableOutput {
                        span: entity.span.to(self.prev_span()),
                        entity,
                        as_name,
                        params,
                    });
                    if self.eat(T::Comma).is_none() {
                        break;
                    }
                }
                OperatorKind::GraphToTable(outs)
            }
            "graph-mark-components" => {
                OperatorKind::GraphMarkComponents(self.op_params(&["kind", "with_component_id"]))
            }
            "graph-where-nodes" => OperatorKind::GraphWhereNodes(self.expr_required("a predicate")),
            "graph-where-edges" => OperatorKind::GraphWhereEdges(self.expr_required("a predicate")),
            "macro-expand" => {
                let params = self.op_params(&["entity_group", "kind"]);
                let entity_group = self.postfix();
                self.expect_word("as");
                let name = self.expect_ident("a name");
                let body = self.paren_body();
                OperatorKind::MacroExpand {
                    params,
                    entity_group,
                    name,
                    body,
                }
            }
            _ => {
                // execute-and-cache, materialized-view-combine, ...: keep arguments
                let mut args = Vec::new();
                while !self.at_op_end() {
                    let before = self.pos;
                    args.push(self.expr());
                    self.eat(T::Comma);
                    if self.pos == before {
                        break;
                    }
                }
                OperatorKind::Other {
                    name: SmolStr::new(word),
                    args,
                }
            }
        };
        let end = self.prev_span();
        Operator {
            kind,
            keyword_span: kw,
            span: kw.to(end),
        }
    }

    /// `( implicit-input subquery )` that must start with an operator
    /// (`mv-apply ... on (...)`, `partition ... (...)`, `facet ... with (...)`).
    fn implicit_body(&mut self) -> Expr {
        if self.at(T::LParen) && !self.starts_with_operator(1) && self.peek_at(1) != T::RParen {
            let t = self.tok_at(1);
            let found = match t.kind {
                T::Ident => format!("`{}`", t.span.text(self.src)),
                k => k.describe().to_string(),
            };
            self.push_error(
                SyntaxError::new(
                    K::UnknownOperator,
                    t.span,
                    format!("expected a query operator, found {found}"),
                )
                .with_help("this subquery's input is implicit: start it with an operator such as `where` or `take`"),
            );
        }
        self.paren_body()
    }

    fn starts_with_operator(&self, n: usize) -> bool {
        self.peek_at(n) == T::Ident
            && PIPE_OPERATORS.contains(&self.text_at(n))
            && !SOURCE_OPS.contains(&self.text_at(n))
            && self.peek_at(n + 1) != T::LParen
            && self.peek_at(n + 1) != T::Dot
    }

    /// `( implicit-input subquery )`.
    fn paren_body(&mut self) -> Expr {
        let Some(open) = self.eat(T::LParen) else {
            self.expected("`(` and a subquery");
            return Expr::error(Span::empty(self.prev_end()));
        };
        let inner = self.sub_body();
        let close = self.close(T::LParen, open);
        let span = open.to(close);
        let h = self.h + 1;
        self.done(Expr::new(ExprKind::Paren(Box::new(inner)), span), h)
    }

    /// `with (name = value, ...)`, or nothing.
    fn with_props(&mut self) -> Vec<OpParam> {
        let mut out = Vec::new();
        if !(self.at_word("with") && self.peek_at(1) == T::LParen) {
            return out;
        }
        self.bump();
        let open = self.bump().span;
        while !self.at(T::RParen) && !self.at_eof() {
            let before = self.pos;
            let name = self.dotted_name();
            if self.expect(T::Assign, "`=` and a value").is_none() {
                self.skip_to_closer(T::RParen);
                break;
            }
            let value = self.expr_required("a value");
            out.push(OpParam {
                span: name.span.to(value.span),
                name: name.clone(),
                value,
            });
            // list values: `ycolumns = a, b`
            while self.at(T::Comma)
                && matches!(self.peek_at(1), T::Ident | T::LBracket)
                && self.peek_at(2) != T::Assign
                && !(self.peek_at(2) == T::Dot)
            {
                self.bump();
                let value = self.expr();
                out.push(OpParam {
                    span: value.span,
                    name: name.clone(),
                    value,
                });
            }
            if self.eat(T::Comma).is_none() || self.pos == before {
                break;
            }
        }
        self.close(T::LParen, open);
        out
    }

    /// `[ value, ... ]` of `datatable` / `externaldata`.
    fn bracket_values(&mut self) -> Vec<Expr> {
        let mut out = Vec::new();
        let Some(open) = self.expect(T::LBracket, "`[` and the values") else {
            return out;
        };
        while !self.at(T::RBracket) && !self.at_eof() {
            let before = self.pos;
            out.push(self.expr_required("a value"));
            if self.eat(T::Comma).is_none() || self.pos == before {
                break;
            }
        }
        self.close(T::LBracket, open);
        out
    }

    fn expr_list(&mut self) -> Vec<Expr> {
        let mut out = vec![self.expr_required("an expression")];
        while self.eat(T::Comma).is_some() {
            out.push(self.expr_required("an expression"));
        }
        out
    }

    /// `expr`, `Name = expr`, `(A, B) = expr`.
    fn column_expr(&mut self) -> ColumnExpr {
        let start = self.span();
        if self.at(T::Assign) {
            let s = self.span();
            self.push_error(
                SyntaxError::new(
                    K::MissingName,
                    Span::empty(s.start),
                    "expected a column name before `=`",
                )
                .with_label(s, "this `=` has no name on its left"),
            );
            self.bump();
        }
        let names = if (self.peek() == T::Ident || self.is_bracket_name(0))
            && self.peek_at(self.name_len(0)) == T::Assign
        {
            let id = self.ident().expect("name");
            if !id.quoted && is_reserved_assign_name(&id.name) {
                self.reserved_name(&id);
            }
            self.bump();
            ColumnNames::Single(id)
        } else if self.at(T::LParen) && self.is_tuple_assign() {
            let open = self.bump().span;
            let mut names = Vec::new();
            loop {
                names.push(self.expect_ident("a column name"));
                if self.eat(T::Comma).is_none() {
                    break;
                }
            }
            self.close(T::LParen, open);
            self.bump(); // =
            ColumnNames::Tuple(names)
        } else {
            ColumnNames::None
        };
        let expr = self.expr_required("an expression");
        ColumnExpr {
            names,
            span: start.to(expr.span),
            expr,
        }
    }

    fn is_bracket_name(&self, n: usize) -> bool {
        self.peek_at(n) == T::LBracket
            && self.peek_at(n + 1) == T::String
            && self.peek_at(n + 2) == T::RBracket
    }

    fn name_len(&self, n: usize) -> usize {
        if self.is_bracket_name(n) { 3 } else { 1 }
    }

    fn is_tuple_assign(&self) -> bool {
        let mut i = 1;
        loop {
            if self.peek_at(i) == T::Ident {
                i += 1;
            } else if self.is_bracket_name(i) {
                i += 3;
            } else {
                return false;
            }
            match self.peek_at(i) {
                T::Comma => i += 1,
                T::RParen => return self.peek_at(i + 1) == T::Assign,
                _ => return false,
            }
        }
    }

    fn column_exprs(&mut self) -> Vec<ColumnExpr> {
        let mut out = vec![self.column_expr()];
        while self.eat(T::Comma).is_some() {
            out.push(self.column_expr());
        }
        out
    }

    /// Column expressions that may be absent (`print`, `serialize`).
    fn column_exprs_opt(&mut self) -> Vec<ColumnExpr> {
        if self.at_op_end() {
            return Vec::new();
        }
        self.column_exprs()
    }

    /// A name pattern with `*` wildcards, composed of adjacent tokens.
    fn name_pattern(&mut self) -> Option<NamePattern> {
        if self.is_bracket_name(0) {
            let id = self.ident().expect("bracketed");
            return Some(NamePattern {
                pattern: id.name,
                span: id.span,
            });
        }
        if !matches!(self.peek(), T::Ident | T::Star) {
            return None;
        }
        let first = self.bump().span;
        let mut span = first;
        while matches!(self.peek(), T::Ident | T::Star | T::Int) && self.span().start == span.end {
            span = span.to(self.bump().span);
        }
        Some(NamePattern {
            pattern: SmolStr::new(span.text(self.src)),
            span,
        })
    }

    fn name_patterns(&mut self) -> Vec<NamePattern> {
        let mut out = Vec::new();
        loop {
            match self.name_pattern() {
                Some(p) => out.push(p),
                None => {
                    self.expected("a column name");
                    break;
                }
            }
            if self.eat(T::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn renames(&mut self) -> Vec<Rename> {
        let mut out = Vec::new();
        loop {
            let new = self.expect_ident("the new column name");
            self.expect(T::Assign, "`=`");
            let old = self.expect_ident("the old column name");
            out.push(Rename {
                span: new.span.to(old.span),
                new,
                old,
            });
            if self.eat(T::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn reorder_items(&mut self) -> Vec<ReorderItem> {
        let mut out = Vec::new();
        loop {
            let Some(pattern) = self.name_pattern() else {
                self.expected("a column name");
                break;
            };
            let order = if matches!(self.text(), "asc" | "desc" | "granny-asc" | "granny-desc")
                && self.peek() == T::Ident
            {
                self.ident()
            } else if self.at_word("granny") && self.peek_at(1) == T::Minus {
                // granny-asc / granny-desc lexed as three tokens
                let s = self.bump().span;
                self.bump();
                let e = self.bump().span;
                Some(Ident {
                    name: SmolStr::new(s.to(e).text(self.src)),
                    span: s.to(e),
                    quoted: false,
                })
            } else {
                None
            };
            out.push(ReorderItem {
                span: pattern.span.to(self.prev_span()),
                pattern,
                order,
            });
            if self.eat(T::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn sort_key(&mut self) -> SortKey {
        let expr = self.expr_required("a sort key");
        let order = if let Some(s) = self.eat_word("asc") {
            Some((SortOrder::Asc, s))
        } else {
            self.eat_word("desc").map(|s| (SortOrder::Desc, s))
        };
        let nulls = if self.at_word("nulls") {
            self.bump();
            if let Some(s) = self.eat_word("first") {
                Some((NullsOrder::First, s))
            } else if let Some(s) = self.eat_word("last") {
                Some((NullsOrder::Last, s))
            } else {
                self.expected("`first` or `last`");
                None
            }
        } else {
            None
        };
        SortKey {
            span: expr.span.to(self.prev_span()),
            expr,
            order,
            nulls,
        }
    }

    fn top_nested(&mut self) -> OperatorKind {
        let mut clauses = Vec::new();
        loop {
            let start = self.prev_span();
            let count = if self.at_word("of") {
                None
            } else {
                Some(self.expr_required("a count"))
            };
            self.expect_word("of");
            let of = self.column_expr();
            let others = if self.at_word("with") && self.at_word_at(1, "others") {
                self.bump();
                self.bump();
                self.expect(T::Assign, "`=`");
                Some(self.expr_required("a value"))
            } else {
                None
            };
            self.expect_word("by");
            let by = self.column_expr();
            let order = if let Some(s) = self.eat_word("asc") {
                Some((SortOrder::Asc, s))
            } else {
                self.eat_word("desc").map(|s| (SortOrder::Desc, s))
            };
            clauses.push(TopNestedClause {
                count,
                of,
                others,
                by,
                order,
                span: start.to(self.prev_span()),
            });
            if self.at(T::Comma) && self.at_word_at(1, "top-nested") {
                self.bump();
                self.bump();
                continue;
            }
            break;
        }
        OperatorKind::TopNested(clauses)
    }

    fn union_item(&mut self) -> Expr {
        if self.at(T::LParen) {
            let open = self.bump().span;
            let inner = self.pipe_expr();
            let close = self.close(T::LParen, open);
            let h = self.h + 1;
            return self.done(
                Expr::new(ExprKind::Paren(Box::new(inner)), open.to(close)),
                h,
            );
        }
        self.name_or_expr()
    }

    /// A table name, a wildcard pattern, or an expression (`table("x")`,
    /// `cluster("c").database("d").T`).
    fn name_or_expr(&mut self) -> Expr {
        if matches!(self.peek(), T::Ident | T::Star)
            && (self.peek() == T::Star || (self.peek_at(1) == T::Star && self.adjacent(0)))
        {
            let p = self.name_pattern().expect("pattern");
            let span = p.span;
            return self.leaf(Expr::new(
                if p.pattern == "*" {
                    ExprKind::Star
                } else {
                    ExprKind::NamePattern(p)
                },
                span,
            ));
        }
        self.postfix()
    }

    fn table_list(&mut self) -> Vec<Expr> {
        let mut out = Vec::new();
        let Some(open) = self.expect(T::LParen, "`(`") else {
            return out;
        };
        while !self.at(T::RParen) && !self.at_eof() {
            let before = self.pos;
            out.push(self.union_item());
            if self.eat(T::Comma).is_none() || self.pos == before {
                break;
            }
        }
        self.close(T::LParen, open);
        out
    }

    fn search_predicate(&mut self) -> Expr {
        let saved = std::mem::replace(&mut self.search_mode, true);
        let e = self.expr_required("a search predicate");
        self.search_mode = saved;
        e
    }

    fn mv_items(&mut self) -> Vec<MvItem> {
        let mut out = Vec::new();
        loop {
            let column = self.column_expr();
            let to_type = if self.at_word("to") && self.at_word_at(1, "typeof") {
                self.bump();
                self.bump();
                let open = self.expect(T::LParen, "`(`");
                let t = self.type_ref();
                if let Some(open) = open {
                    self.close(T::LParen, open);
                }
                Some(t)
            } else {
                None
            };
            out.push(MvItem {
                span: column.span.to(self.prev_span()),
                column,
                to_type,
            });
            if self.eat(T::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn parse_pattern(&mut self) -> Vec<ParsePart> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                T::Star => out.push(ParsePart::Star(self.bump().span)),
                T::String => {
                    let e = self.primary();
                    if let ExprKind::Literal(l) = e.kind {
                        out.push(ParsePart::Literal(l));
                    }
                }
                T::Ident | T::LBracket if self.ident_like() => {
                    let name = self.ident().expect("name");
                    let ty = if self.eat(T::Colon).is_some() {
                        Some(self.type_ref())
                    } else {
                        None
                    };
                    out.push(ParsePart::Column {
                        span: name.span.to(self.prev_span()),
                        name,
                        ty,
                    });
                }
                T::Comma => {
                    self.bump();
                }
                _ => break,
            }
        }
        if out.is_empty() {
            self.expected("a parse pattern");
        }
        out
    }

    fn ident_like(&self) -> bool {
        self.peek() == T::Ident || self.is_bracket_name(0)
    }

    fn make_series(&mut self) -> OperatorKind {
        let params = self.op_params(&["kind"]);
        let mut aggregates = Vec::new();
        loop {
            let column = self.column_expr();
            let default = if self.at_word("default") && self.peek_at(1) == T::Assign {
                self.bump();
                self.bump();
                Some(self.expr_required("a default value"))
            } else {
                None
            };
            aggregates.push(MakeSeriesAgg {
                span: column.span.to(self.prev_span()),
                column,
                default,
            });
            if self.eat(T::Comma).is_none() {
                break;
            }
        }
        let on = if self.expect_word("on").is_some() {
            self.expr_required("the axis column")
        } else {
            Expr::error(Span::empty(self.prev_end()))
        };
        let range = if self.at_word("in") && self.at_word_at(1, "range") {
            self.bump();
            self.bump();
            let open = self.expect(T::LParen, "`(`");
            let start = self.expr_required("a start");
            self.expect(T::Comma, "`,`");
            let stop = self.expr_required("a stop");
            self.expect(T::Comma, "`,`");
            let step = self.expr_required("a step");
            if let Some(open) = open {
                self.close(T::LParen, open);
            }
            Some(MakeSeriesRange::InRange { start, stop, step })
        } else {
            let from = self.eat_word("from").map(|_| self.expr_required("a start"));
            let to = self.eat_word("to").map(|_| self.expr_required("an end"));
            if self.eat_word("step").is_some() {
                let step = self.expr_required("a step");
                Some(MakeSeriesRange::FromTo { from, to, step })
            } else {
                if from.is_some() || to.is_some() {
                    self.expected("`step`");
                }
                None
            }
        };
        let by = if self.eat_word("by").is_some() {
            self.column_exprs()
        } else {
            Vec::new()
        };
        OperatorKind::MakeSeries {
            params,
            aggregates,
            on,
            range,
            by,
        }
    }

    fn scan(&mut self) -> OperatorKind {
        let mut params = self.op_params(&["with_match_id", "kind"]);
        if self.at_word("order") || self.at_word("partition") {
            // `scan order by x partition by y ...` (newer forms): keep as params
            while self.at_word("order") || self.at_word("partition") {
                let kw = self.bump();
                self.expect_word("by");
                for e in self.expr_list() {
                    params.push(OpParam {
                        name: Ident {
                            name: SmolStr::new(kw.span.text(self.src)),
                            span: kw.span,
                            quoted: false,
                        },
                        span: kw.span.to(e.span),
                        value: e,
                    });
                }
            }
        }
        let declare = if self.at_word("declare") {
            self.bump();
            if self.at(T::LParen) {
                self.param_list()
            } else {
                self.expected("`(`");
                Vec::new()
            }
        } else {
            Vec::new()
        };
        let mut steps = Vec::new();
        if self.expect_word("with").is_some()
            && let Some(open) = self.expect(T::LParen, "`(` and the steps")
        {
            while self.at_word("step") {
                let start = self.bump().span;
                let name = self.expect_ident("a step name");
                let optional = self.eat_word("optional").is_some();
                let step_params = self.op_params(&["output"]);
                self.expect(T::Colon, "`:`");
                let predicate = self.expr_required("a condition");
                let mut assignments = Vec::new();
                if self.eat(T::FatArrow).is_some() {
                    assignments = self.column_exprs();
                }
                steps.push(ScanStep {
                    name,
                    optional,
                    params: step_params,
                    predicate,
                    assignments,
                    span: start.to(self.prev_span()),
                });
                if self.eat(T::Semi).is_none() {
                    break;
                }
            }
            self.close(T::LParen, open);
        }
        OperatorKind::Scan {
            params,
            declare,
            steps,
        }
    }

    fn make_graph(&mut self) -> OperatorKind {
        let params = self.op_params(&[]);
        self.graph_mode = true;
        let source = self.expr_required("the source column");
        self.graph_mode = false;
        let direction = if self.at(T::Minus) && self.peek_at(1) == T::Minus {
            self.bump();
            self.bump();
            if self.eat(T::Gt).is_some() {
                EdgeDirection::Right
            } else {
                EdgeDirection::Any
            }
        } else {
            self.expected("`-->` or `--`");
            EdgeDirection::Right
        };
        let target = self.expr_required("the target column");
        let mut with = Vec::new();
        if self.eat_word("with").is_some() {
            loop {
                let t = self.postfix();
                self.expect_word("on");
                let id = self.expect_ident("a column");
                with.push((t, id));
                if self.eat(T::Comma).is_none() {
                    break;
                }
            }
        }
        let partitioned_by = if self.eat_word("partitioned-by").is_some() {
            let col = self.expect_ident("a column");
            let body = self.paren_body();
            Some((col, body))
        } else {
            None
        };
        OperatorKind::MakeGraph {
            params,
            source,
            direction,
            target,
            with,
            partitioned_by,
        }
    }

    /// `(n)-[e]->(m)<-[f*1..3]-(o)--(p)`.
    fn graph_pattern(&mut self) -> GraphPattern {
        let start = self.span();
        let mut elements = Vec::new();
        while let Some(open) = self.eat(T::LParen) {
            let name = self.ident();
            let close = self.close(T::LParen, open);
            elements.push(GraphPatternElement::Node {
                name,
                span: open.to(close),
            });
            // edge
            let estart = self.span();
            let left = self.eat(T::Lt).is_some();
            if self.eat(T::Minus).is_none() {
                if left {
                    self.expected("`-`");
                }
                break;
            }
            let mut name = None;
            let mut range = None;
            if let Some(open) = self.eat(T::LBracket) {
                name = self.ident();
                if self.eat(T::Star).is_some() {
                    let lo = self.primary();
                    self.expect(T::DotDot, "`..`");
                    let hi = self.primary();
                    range = Some((lo, hi));
                }
                self.close(T::LBracket, open);
            }
            self.expect(T::Minus, "`-`");
            let right = self.eat(T::Gt).is_some();
            let direction = match (left, right) {
                (true, false) => EdgeDirection::Left,
                (false, true) => EdgeDirection::Right,
                _ => EdgeDirection::Any,
            };
            elements.push(GraphPatternElement::Edge {
                name,
                direction,
                range,
                span: estart.to(self.prev_span()),
            });
        }
        if elements.is_empty() {
            self.expected("a graph pattern");
        }
        GraphPattern {
            elements,
            span: start.to(self.prev_span()),
        }
    }

    // -----------------------------------------------------------------
    // scalar expressions
    // -----------------------------------------------------------------

    fn expr_required(&mut self, what: &str) -> Expr {
        if self.starts_expr() {
            self.expr()
        } else {
            self.missing_expr(what);
            Expr::error(Span::empty(self.prev_end()))
        }
    }

    fn starts_expr(&self) -> bool {
        match self.peek() {
            T::Ident => !is_clause_word(self.text()) || self.peek_at(1) == T::LParen,
            T::Int
            | T::Real
            | T::TimeSpan
            | T::String
            | T::TypedLiteral
            | T::UnterminatedString
            | T::UnterminatedTypedLiteral
            | T::LParen
            | T::LBracket
            | T::Minus
            | T::Plus
            | T::Star
            | T::LBrace => true,
            _ => false,
        }
    }

    pub(crate) fn expr(&mut self) -> Expr {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.binary(0))
    }

    /// The binary operator at the current token with its precedence.
    fn binop(&self) -> Option<(Bin, u8, usize)> {
        // precedences: 1 or, 2 and, 3 equality/string/in/between, 4 relational,
        // 5 additive, 6 multiplicative
        let k = self.peek();
        Some(match k {
            T::Ident => {
                let w = self.text();
                match w {
                    "or" => (Bin::Op(BinaryOp::Or), 1, 1),
                    "and" => (Bin::Op(BinaryOp::And), 2, 1),
                    // `on T in range(...)` (make-series): `in` needs its `(`
                    "in" if !self.at_word_at(1, "range") => (Bin::In(InOp::In), 3, 1),
                    "has_any" => (Bin::In(InOp::HasAny), 3, 1),
                    "has_all" => (Bin::In(InOp::HasAll), 3, 1),
                    "between" => (Bin::Between(false), 3, 1),
                    "matches" if self.at_word_at(1, "regex") => {
                        (Bin::Op(BinaryOp::MatchesRegex), 3, 2)
                    }
                    _ => (Bin::Op(binary_word(w)?), 3, 1),
                }
            }
            T::BangIdent => {
                let w = self.text();
                match w {
                    "!in" => (Bin::In(InOp::NotIn), 3, 1),
                    "!between" => (Bin::Between(true), 3, 1),
                    _ => (Bin::Op(binary_word(w)?), 3, 1),
                }
            }
            T::InCi => (Bin::In(InOp::InCi), 3, 1),
            T::NotInCi => (Bin::In(InOp::NotInCi), 3, 1),
            T::EqEq => (Bin::Op(BinaryOp::Eq), 3, 1),
            T::NotEq | T::LtGt => (Bin::Op(BinaryOp::NotEq), 3, 1),
            T::EqTilde => (Bin::Op(BinaryOp::EqCi), 3, 1),
            T::BangTilde => (Bin::Op(BinaryOp::NotEqCi), 3, 1),
            T::Colon if self.search_mode => (Bin::Op(BinaryOp::SearchColon), 3, 1),
            T::Lt => (Bin::Op(BinaryOp::Lt), 4, 1),
            T::Le => (Bin::Op(BinaryOp::Le), 4, 1),
            T::Gt => (Bin::Op(BinaryOp::Gt), 4, 1),
            T::Ge => (Bin::Op(BinaryOp::Ge), 4, 1),
            T::Plus => (Bin::Op(BinaryOp::Add), 5, 1),
            T::Minus => {
                // `-->` / `--` in make-graph are not subtraction
                if self.graph_mode && self.peek_at(1) == T::Minus && self.adjacent(0) {
                    return None;
                }
                (Bin::Op(BinaryOp::Sub), 5, 1)
            }
            T::Star => (Bin::Op(BinaryOp::Mul), 6, 1),
            T::Slash => (Bin::Op(BinaryOp::Div), 6, 1),
            T::Percent => (Bin::Op(BinaryOp::Mod), 6, 1),
            _ => return None,
        })
    }

    /// Precedence climbing; left-associative, built iteratively.
    fn binary(&mut self, min_prec: u8) -> Expr {
        // recursion here is bounded by the number of precedence levels;
        // nesting goes through `pipe_expr`, which counts depth
        let mut lhs = self.unary();
        let mut lh = self.h;
        while let Some((op, prec, ntoks)) = self.binop() {
            if prec <= min_prec {
                break;
            }
            let op_start = self.span();
            for _ in 0..ntoks {
                self.bump();
            }
            let op_span = op_start.to(self.prev_span());
            if matches!(op, Bin::Op(BinaryOp::Eq | BinaryOp::NotEq))
                && self.at(T::Assign)
                && self.span().start == op_span.end
            {
                // `===` / `!==`: one `=` too many
                let s = op_span.to(self.span());
                let fix = &op_span.text(self.src);
                self.push_error(
                    SyntaxError::new(
                        K::UnexpectedToken,
                        s,
                        format!("`{}` is not a KQL operator", s.text(self.src)),
                    )
                    .with_help(format!("use `{fix}`")),
                );
                self.bump();
            }
            let (e, h) = match op {
                Bin::Op(op) => {
                    let rhs = if self.starts_expr() {
                        self.binary(prec)
                    } else {
                        self.missing_expr(&format!(
                            "an expression after `{}`",
                            op_span.text(self.src)
                        ));
                        Expr::error(Span::empty(self.prev_end()))
                    };
                    let rh = self.h;
                    let span = lhs.span.to(rhs.span);
                    (
                        Expr::new(
                            ExprKind::Binary {
                                op,
                                op_span,
                                lhs: Box::new(lhs),
                                rhs: Box::new(rhs),
                            },
                            span,
                        ),
                        lh.max(rh) + 1,
                    )
                }
                Bin::In(op) => {
                    let (list, list_span, rh) = self.in_list(op_span);
                    let span = lhs.span.to(list_span);
                    (
                        Expr::new(
                            ExprKind::InList {
                                op,
                                op_span,
                                lhs: Box::new(lhs),
                                list,
                                list_span,
                            },
                            span,
                        ),
                        lh.max(rh) + 1,
                    )
                }
                Bin::Between(negated) => {
                    let saved = self.scope_start();
                    let (low, high, end) = if let Some(open) = self.expect(T::LParen, "`(`") {
                        let low = self.binary(3);
                        self.expect(T::DotDot, "`..`");
                        let high = self.binary(3);
                        let close = self.close(T::LParen, open);
                        (low, high, close)
                    } else {
                        let e = Expr::error(Span::empty(self.prev_end()));
                        (e.clone(), e, self.prev_span())
                    };
                    let rh = self.hmax;
                    self.hmax = saved.max(self.hmax);
                    let span = lhs.span.to(end);
                    (
                        Expr::new(
                            ExprKind::Between {
                                negated,
                                op_span,
                                lhs: Box::new(lhs),
                                low: Box::new(low),
                                high: Box::new(high),
                            },
                            span,
                        ),
                        lh.max(rh) + 1,
                    )
                }
            };
            lhs = self.done(e, h);
            lh = h;
            if self.aborted {
                break;
            }
        }
        self.h = lh;
        lhs
    }

    /// `( item, ... )` after `in`, `has_any`, ...
    fn in_list(&mut self, op_span: Span) -> (Vec<Expr>, Span, u32) {
        let saved = self.scope_start();
        let mut list = Vec::new();
        let span;
        if let Some(open) = self.eat(T::LParen) {
            while !self.at(T::RParen) && !self.at_eof() {
                let before = self.pos;
                if self.starts_expr() || self.source_word() {
                    list.push(self.pipe_expr());
                } else {
                    self.missing_expr("a list element");
                    break;
                }
                if self.eat(T::Comma).is_none() || self.pos == before {
                    break;
                }
                if self.at(T::RParen) {
                    self.missing_expr("a list element after `,`");
                }
            }
            let close = self.close(T::LParen, open);
            span = open.to(close);
        } else {
            let _ = op_span;
            self.expected(&format!(
                "`(` and a list after `{}`",
                op_span.text(self.src)
            ));
            span = Span::empty(self.prev_end());
        }
        let h = self.hmax + 1;
        self.hmax = saved.max(self.hmax);
        (list, span, h)
    }

    fn source_word(&self) -> bool {
        self.peek() == T::Ident && SOURCE_OPS.contains(&self.text())
    }

    fn unary(&mut self) -> Expr {
        let op = match self.peek() {
            T::Minus => UnaryOp::Neg,
            T::Plus => UnaryOp::Plus,
            _ => return self.postfix(),
        };
        let op_span = self.bump().span;
        if matches!(self.peek(), T::Minus | T::Plus) {
            // KQL has no `- -x`: the operand of a sign is never another sign
            let s = self.span();
            self.error(
                K::MissingExpression,
                s,
                "expected an operand after the sign; write `-(-x)` for a double negation",
            );
        }
        if !self.starts_expr() || matches!(self.peek(), T::Minus | T::Plus) {
            if !matches!(self.peek(), T::Minus | T::Plus) {
                self.missing_expr("an expression after the sign");
            }
            // skip chains of signs flat
            while matches!(self.peek(), T::Minus | T::Plus) {
                self.bump();
            }
            if !self.starts_expr() {
                return self.leaf(Expr::error(op_span.to(self.prev_span())));
            }
        }
        let operand = self.postfix();
        let h = self.h + 1;
        let span = op_span.to(operand.span);
        self.done(
            Expr::new(
                ExprKind::Unary {
                    op,
                    op_span,
                    operand: Box::new(operand),
                },
                span,
            ),
            h,
        )
    }

    fn postfix(&mut self) -> Expr {
        let mut e = self.primary();
        let mut h = self.h;
        loop {
            match self.peek() {
                T::Dot => {
                    // `.name`, `.f(args)`, `.['x']`
                    let dot = self.bump().span;
                    if self.at(T::LBracket) && !self.is_bracket_name(0) {
                        let open = self.bump().span;
                        let index = self.expr_required("an index");
                        let ih = self.h;
                        let close = self.close(T::LBracket, open);
                        let span = e.span.to(close);
                        h = h.max(ih) + 1;
                        e = Expr::new(
                            ExprKind::Index {
                                expr: Box::new(e),
                                index: Box::new(index),
                            },
                            span,
                        );
                        continue;
                    }
                    let name = match self.peek() {
                        // `database("d").*`, `database("d").Device*`: a wildcard member
                        T::Star => self.name_pattern().map(|p| Ident {
                            name: p.pattern,
                            span: p.span,
                            quoted: false,
                        }),
                        T::Ident if self.peek_at(1) == T::Star && self.adjacent(0) => {
                            self.name_pattern().map(|p| Ident {
                                name: p.pattern,
                                span: p.span,
                                quoted: false,
                            })
                        }
                        T::Ident | T::LBracket => self.ident(),
                        // `x.1`: a digit-leading member
                        T::Int => {
                            let t = self.bump();
                            Some(Ident {
                                name: SmolStr::new(t.span.text(self.src)),
                                span: t.span,
                                quoted: false,
                            })
                        }
                        _ => None,
                    };
                    let Some(name) = name else {
                        self.push_error(SyntaxError::new(
                            K::MissingName,
                            Span::empty(dot.end),
                            format!(
                                "expected a name after `.`, found {}",
                                self.describe_current()
                            ),
                        ));
                        break;
                    };
                    if self.at(T::LParen) && !name.quoted {
                        let saved = self.scope_start();
                        let (args, args_span) = self.args();
                        let ah = self.hmax;
                        self.hmax = saved.max(self.hmax);
                        let span = e.span.to(args_span);
                        h = h.max(ah) + 1;
                        e = Expr::new(
                            ExprKind::Call {
                                receiver: Some(Box::new(e)),
                                func: name,
                                args,
                                args_span,
                            },
                            span,
                        );
                    } else {
                        let span = e.span.to(name.span);
                        h += 1;
                        e = Expr::new(
                            ExprKind::Member {
                                expr: Box::new(e),
                                name,
                            },
                            span,
                        );
                    }
                }
                T::LBracket => {
                    let open = self.bump().span;
                    if !self.enter() {
                        break;
                    }
                    let index = self.expr_required("an index");
                    self.leave();
                    let ih = self.h;
                    let close = self.close(T::LBracket, open);
                    let span = e.span.to(close);
                    h = h.max(ih) + 1;
                    e = Expr::new(
                        ExprKind::Index {
                            expr: Box::new(e),
                            index: Box::new(index),
                        },
                        span,
                    );
                }
                _ => break,
            }
            if h > MAX_HEIGHT {
                break;
            }
        }
        self.done(e, h)
    }

    /// `( arg, ... )`: `*`, `name = value`, or a (tabular) expression.
    fn args(&mut self) -> (Vec<Arg>, Span) {
        let open = self.bump().span;
        let mut args = Vec::new();
        while !self.at(T::RParen) && !self.at_eof() {
            let before = self.pos;
            let start = self.span();
            let arg = if self.at(T::Star) && matches!(self.peek_at(1), T::Comma | T::RParen) {
                let s = self.bump().span;
                Arg {
                    name: None,
                    value: self.leaf(Expr::new(ExprKind::Star, s)),
                    span: s,
                }
            } else if self.peek() == T::Ident
                && self.peek_at(1) == T::Assign
                && !matches!(self.peek_at(2), T::Assign)
            {
                let name = self.ident();
                self.bump();
                let value = self.pipe_expr_required("an argument value");
                Arg {
                    name,
                    span: start.to(value.span),
                    value,
                }
            } else {
                let value = self.pipe_expr_required("an argument");
                Arg {
                    name: None,
                    span: value.span,
                    value,
                }
            };
            args.push(arg);
            if self.aborted {
                break;
            }
            if self.eat(T::Comma).is_none() {
                break;
            }
            if self.at(T::RParen) {
                // trailing comma
                self.missing_expr("an argument");
            }
            if self.pos == before {
                break;
            }
        }
        let close = self.close(T::LParen, open);
        (args, open.to(close))
    }

    fn pipe_expr_required(&mut self, what: &str) -> Expr {
        if self.starts_expr() || self.source_word() {
            self.pipe_expr()
        } else {
            self.missing_expr(what);
            Expr::error(Span::empty(self.prev_end()))
        }
    }

    fn primary(&mut self) -> Expr {
        let t = self.tok();
        match t.kind {
            T::Int => {
                self.bump();
                let text = t.span.text(self.src);
                let v = parse_int(text);
                if v.is_none() {
                    self.error(
                        K::InvalidLiteral,
                        t.span,
                        format!("`{text}` is out of range for a long"),
                    );
                }
                self.lit(LitKind::Long(v.unwrap_or(0)), t.span)
            }
            T::Real => {
                self.bump();
                self.lit(LitKind::Real(SmolStr::new(t.span.text(self.src))), t.span)
            }
            T::TimeSpan => {
                self.bump();
                self.lit(
                    LitKind::TimeSpan(SmolStr::new(t.span.text(self.src))),
                    t.span,
                )
            }
            T::String => self.string_lit(),
            T::UnterminatedString => {
                self.bump();
                let text = t.span.text(self.src);
                let multi = text.starts_with("```")
                    || text.starts_with("~~~")
                    || text[1..].starts_with("```")
                    || text[1..].starts_with("~~~");
                self.push_error(
                    SyntaxError::new(
                        K::UnterminatedString,
                        Span::empty(t.span.end),
                        "this string has no closing quote".to_string(),
                    )
                    .with_label(t.span, "the string starts here")
                    .with_help(if multi {
                        "close the multi-line string with the same fence it opened with"
                    } else {
                        "close the string on the same line; use ``` for multi-line text"
                    }),
                );
                let (v, _) = unquote(text);
                self.lit(
                    LitKind::String(StringLit {
                        value: v,
                        parts: vec![t.span],
                        obfuscated: text.starts_with(['h', 'H']),
                    }),
                    t.span,
                )
            }
            T::TypedLiteral => {
                self.bump();
                let kind = self.typed_literal(t.span);
                self.lit(kind, t.span)
            }
            T::UnterminatedTypedLiteral => {
                self.bump();
                let text = t.span.text(self.src);
                let open = text.find('(').map_or(t.span, |i| {
                    Span::new(t.span.start + i as u32, t.span.start + i as u32 + 1)
                });
                let mut err = SyntaxError::new(
                    K::UnclosedDelimiter,
                    Span::empty(t.span.end),
                    "expected `)` to close this literal's `(`".to_string(),
                )
                .with_label(open, "this `(` is not closed");
                err.open_delimiter = Some(open);
                self.push_error(err);
                self.leaf(Expr::error(t.span))
            }
            T::LParen => {
                let open = self.bump().span;
                let inner = if self.starts_expr() || self.source_word() {
                    self.pipe_expr()
                } else {
                    self.missing_expr("an expression");
                    Expr::error(Span::empty(self.prev_end()))
                };
                // `(a, b)` tuples only appear as `in` lists or assignments;
                // accept and keep the first element.
                let ih = self.h;
                let close = if !self.at(T::RParen)
                    && self.at_op_end()
                    && let Some(at) = predicate_pipe(&inner)
                {
                    // `where (x == 1 | project x`: the `)` belongs before the `|`
                    let mut err = SyntaxError::new(
                        K::UnclosedDelimiter,
                        Span::empty(at.0),
                        "expected `)` to close this `(` before the `|`",
                    )
                    .with_label(open, "this `(` is not closed")
                    .with_label(
                        at.1,
                        "this `|` is taken as part of the parenthesised expression",
                    )
                    .with_help("add the missing `)` after the condition");
                    err.open_delimiter = Some(open);
                    self.push_error(err);
                    Span::empty(self.prev_end())
                } else {
                    self.close(T::LParen, open)
                };
                let span = open.to(close);
                self.done(Expr::new(ExprKind::Paren(Box::new(inner)), span), ih + 1)
            }
            T::LBracket if self.is_bracket_name(0) => {
                let id = self.ident().expect("bracket name");
                let span = id.span;
                self.leaf(Expr::new(ExprKind::Name(id), span))
            }
            T::Star => {
                self.bump();
                self.leaf(Expr::new(ExprKind::Star, t.span))
            }
            T::Ident => self.ident_primary(),
            _ => {
                self.missing_expr("an expression");
                Expr::error(Span::empty(self.prev_end()))
            }
        }
    }

    fn reserved_name(&mut self, id: &Ident) {
        self.push_error(
            SyntaxError::new(
                K::KeywordAsName,
                id.span,
                format!(
                    "`{}` is a keyword and cannot be used as a name here",
                    id.name
                ),
            )
            .with_help(format!("write `['{}']` to use it as a name", id.name)),
        );
    }

    fn lit(&mut self, kind: LitKind, span: Span) -> Expr {
        self.leaf(Expr::new(ExprKind::Literal(Literal { kind, span }), span))
    }

    fn ident_primary(&mut self) -> Expr {
        let t = self.tok();
        let w = t.span.text(self.src);
        match w {
            "true" | "TRUE" | "True" => {
                self.bump();
                return self.lit(LitKind::Bool(true), t.span);
            }
            "false" | "FALSE" | "False" => {
                self.bump();
                return self.lit(LitKind::Bool(false), t.span);
            }
            "dynamic" if self.peek_at(1) == T::LParen => {
                self.bump();
                return self.dynamic_lit(t.span);
            }
            "entity_group" if self.peek_at(1) == T::LBracket => {
                self.bump();
                let open = self.bump().span;
                let saved = self.scope_start();
                let mut items = Vec::new();
                while !self.at(T::RBracket) && !self.at_eof() {
                    let before = self.pos;
                    items.push(self.union_item());
                    if self.eat(T::Comma).is_none() || self.pos == before {
                        break;
                    }
                }
                let close = self.close(T::LBracket, open);
                let h = self.hmax + 1;
                self.hmax = saved.max(self.hmax);
                return self.done(Expr::new(ExprKind::EntityGroup(items), t.span.to(close)), h);
            }
            "typeof" if self.peek_at(1) == T::LParen => {
                self.bump();
                let open = self.bump().span;
                let mut items = Vec::new();
                while !self.at(T::RParen) && !self.at_eof() {
                    let before = self.pos;
                    if self.peek() == T::Ident && self.peek_at(1) == T::Colon {
                        items.push(TypeOfItem::Column(self.column_decl()));
                    } else if self.eat(T::Star).is_some() {
                    } else {
                        items.push(TypeOfItem::Type(self.type_ref()));
                    }
                    if self.eat(T::Comma).is_none() || self.pos == before {
                        break;
                    }
                }
                let close = self.close(T::LParen, open);
                return self.lit(LitKind::TypeOf(items), t.span.to(close));
            }
            _ => {}
        }
        if self.peek_at(1) == T::LParen {
            let func = self.ident().expect("ident");
            if matches!(func.name.as_str(), "string" | "boolean") {
                // type names are not conversion functions (`tostring(x)` is)
                self.reserved_name(&func);
            }
            let saved = self.scope_start();
            let (args, args_span) = self.args();
            let ah = self.hmax;
            self.hmax = saved.max(self.hmax);
            let span = func.span.to(args_span);
            return self.done(
                Expr::new(
                    ExprKind::Call {
                        receiver: None,
                        func,
                        args,
                        args_span,
                    },
                    span,
                ),
                ah + 1,
            );
        }
        let id = self.ident().expect("ident");
        if is_reserved_name(&id.name) {
            self.reserved_name(&id);
        }
        let span = id.span;
        self.leaf(Expr::new(ExprKind::Name(id), span))
    }

    /// One or more adjacent string literals spliced into one.
    fn string_lit(&mut self) -> Expr {
        let first = self.span();
        let mut value = String::new();
        let mut parts = Vec::new();
        let mut obfuscated = false;
        while self.at(T::String) {
            let t = self.bump();
            let text = t.span.text(self.src);
            let (v, obf) = unquote(text);
            self.check_escapes(t.span);
            value.push_str(&v);
            obfuscated |= obf;
            parts.push(t.span);
        }
        let span = first.to(*parts.last().expect("part"));
        self.lit(
            LitKind::String(StringLit {
                value,
                parts,
                obfuscated,
            }),
            span,
        )
    }

    /// Reports escapes Kusto rejects (`"C:\\Temp\x"` is fine, `"\E"` is not).
    fn check_escapes(&mut self, span: Span) {
        let text = span.text(self.src);
        let b = text.as_bytes();
        let body = text.trim_start_matches(['h', 'H']);
        if !(body.starts_with('"') || body.starts_with('\'')) {
            return; // verbatim and multi-line strings have no escapes
        }
        let mut i = text.len() - body.len() + 1;
        while i + 1 < b.len() {
            if b[i] == b'\\' {
                let c = b[i + 1];
                let ok = matches!(
                    c,
                    b'\\'
                        | b'\''
                        | b'"'
                        | b'a'
                        | b'b'
                        | b'f'
                        | b'n'
                        | b'r'
                        | b't'
                        | b'v'
                        | b'x'
                        | b'u'
                        | b'U'
                ) || c.is_ascii_digit();
                if !ok {
                    let start = span.start + i as u32;
                    let ch_len = text[i + 1..].chars().next().map_or(1, char::len_utf8) as u32;
                    let esc = Span::new(start, start + 1 + ch_len);
                    let shown = esc.text(self.src).to_string();
                    self.push_error(
                        SyntaxError::new(
                            K::InvalidEscape,
                            esc,
                            format!("`{shown}` is not a valid escape sequence in a string"),
                        )
                        .with_help(format!(
                            "write `\\\\{}` for a backslash, or use a verbatim string: @\"...\"",
                            &shown[1..]
                        )),
                    );
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }

    fn typed_literal(&mut self, span: Span) -> LitKind {
        let text = span.text(self.src);
        let open = text.find('(').unwrap_or(text.len());
        let ty = text[..open].trim_end();
        let inner = text[open + 1..text.len() - 1].trim();
        let tyref = TypeRef {
            name: SmolStr::new(ty),
            span: Span::new(span.start, span.start + ty.len() as u32),
        };
        if inner == "null" {
            return LitKind::TypedNull(tyref);
        }
        let bad = |p: &mut Self, what: &str| {
            p.error(
                K::InvalidLiteral,
                span,
                format!("`{inner}` is not a valid {what} literal"),
            );
        };
        match ty {
            "datetime" | "date" => LitKind::DateTime(SmolStr::new(inner)),
            "timespan" | "time" => LitKind::TimeSpan(SmolStr::new(inner)),
            "guid" | "uuid" | "uniqueid" => LitKind::Guid(SmolStr::new(inner)),
            "long" | "int64" | "int" | "int32" => {
                let v = parse_int(inner.strip_prefix('+').unwrap_or(inner)).or_else(|| {
                    inner
                        .strip_prefix('-')
                        .and_then(|s| parse_int(s.trim()))
                        .map(|v| -v)
                });
                // Kusto's parser accepts any text here; only flag what has no number in it
                if v.is_none() && !inner.bytes().any(|b| b.is_ascii_digit()) {
                    bad(self, ty);
                }
                let v = v.unwrap_or(0);
                if ty.starts_with("int") && ty != "int64" {
                    LitKind::Int(v)
                } else {
                    LitKind::Long(v)
                }
            }
            "real" | "double" => LitKind::Real(SmolStr::new(inner)),
            "decimal" => LitKind::Decimal(SmolStr::new(inner)),
            "bool" => match inner {
                "true" | "TRUE" | "True" | "1" => LitKind::Bool(true),
                "false" | "FALSE" | "False" | "0" => LitKind::Bool(false),
                _ => {
                    bad(self, "bool");
                    LitKind::Bool(false)
                }
            },
            _ => LitKind::DateTime(SmolStr::new(inner)),
        }
    }

    fn dynamic_lit(&mut self, kw: Span) -> Expr {
        let open = self.bump().span;
        if !self.enter() {
            return Expr::error(kw);
        }
        let value = if self.at(T::RParen) {
            self.missing_expr("a dynamic value");
            DynamicValue {
                kind: DynamicKind::Null,
                span: Span::empty(self.prev_end()),
            }
        } else {
            self.dyn_value()
        };
        self.leave();
        let close = self.close(T::LParen, open);
        let span = kw.to(close);
        self.lit(LitKind::Dynamic(Box::new(value)), span)
    }

    fn dyn_value(&mut self) -> DynamicValue {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.dyn_value_inner())
    }

    fn dyn_value_inner(&mut self) -> DynamicValue {
        let t = self.tok();
        match t.kind {
            T::LBracket => {
                self.bump();
                if !self.enter() {
                    return DynamicValue {
                        kind: DynamicKind::Null,
                        span: t.span,
                    };
                }
                let mut items = Vec::new();
                while !self.at(T::RBracket) && !self.at_eof() {
                    let before = self.pos;
                    items.push(self.dyn_value());
                    if self.eat(T::Comma).is_none() || self.pos == before {
                        break;
                    }
                    if self.at(T::RBracket) {
                        let s = self.prev_span();
                        self.error(
                            K::InvalidLiteral,
                            s,
                            "a trailing `,` is not allowed in a dynamic array",
                        );
                    }
                }
                self.leave();
                let close = self.close(T::LBracket, t.span);
                DynamicValue {
                    kind: DynamicKind::Array(items),
                    span: t.span.to(close),
                }
            }
            T::LBrace => {
                self.bump();
                if !self.enter() {
                    return DynamicValue {
                        kind: DynamicKind::Null,
                        span: t.span,
                    };
                }
                let mut members = Vec::new();
                while !self.at(T::RBrace) && !self.at_eof() {
                    let before = self.pos;
                    let key = if self.at(T::String) {
                        let k = self.bump();
                        Ident {
                            name: SmolStr::new(unquote(k.span.text(self.src)).0),
                            span: k.span,
                            quoted: true,
                        }
                    } else {
                        let s = self.span();
                        self.error(
                            K::InvalidLiteral,
                            s,
                            "expected a quoted key in this dynamic object (`\"key\": value`)",
                        );
                        match self.ident() {
                            Some(i) => i,
                            None => break,
                        }
                    };
                    self.expect(T::Colon, "`:` after the key");
                    let v = self.dyn_value();
                    members.push((key, v));
                    if self.eat(T::Comma).is_none() || self.pos == before {
                        break;
                    }
                }
                self.leave();
                let close = self.close(T::LBrace, t.span);
                DynamicValue {
                    kind: DynamicKind::Object(members),
                    span: t.span.to(close),
                }
            }
            T::Ident if t.span.text(self.src) == "null" => {
                self.bump();
                DynamicValue {
                    kind: DynamicKind::Null,
                    span: t.span,
                }
            }
            _ => {
                // a scalar literal (possibly signed)
                let e = if matches!(t.kind, T::Minus | T::Plus) {
                    self.unary()
                } else {
                    self.primary()
                };
                let span = e.span;
                match e.kind {
                    ExprKind::Literal(l) => DynamicValue {
                        kind: DynamicKind::Scalar(l),
                        span,
                    },
                    ExprKind::Unary { op, operand, .. } => match operand.kind {
                        ExprKind::Literal(mut l) => {
                            if op == UnaryOp::Neg {
                                l.kind = negate(l.kind);
                            }
                            l.span = span;
                            DynamicValue {
                                kind: DynamicKind::Scalar(l),
                                span,
                            }
                        }
                        _ => {
                            self.error(
                                K::InvalidLiteral,
                                span,
                                "expected a literal value in `dynamic(...)`",
                            );
                            DynamicValue {
                                kind: DynamicKind::Null,
                                span,
                            }
                        }
                    },
                    ExprKind::Error => DynamicValue {
                        kind: DynamicKind::Null,
                        span,
                    },
                    _ => {
                        self.error(
                            K::InvalidLiteral,
                            span,
                            "expected a literal value in `dynamic(...)`",
                        );
                        DynamicValue {
                            kind: DynamicKind::Null,
                            span,
                        }
                    }
                }
            }
        }
    }
}

/// For a parenthesised pipeline whose source is a predicate (`x == 1 | ...`):
/// the end of the predicate and the first `|`.
fn predicate_pipe(e: &Expr) -> Option<(u32, Span)> {
    let ExprKind::Pipeline(p) = &e.kind else {
        return None;
    };
    let src = p.source.as_ref()?;
    let scalar = match &src.kind {
        ExprKind::Binary { op, .. } => !op.is_arithmetic(),
        ExprKind::InList { .. } | ExprKind::Between { .. } | ExprKind::Literal(_) => true,
        _ => false,
    };
    let pipe = p.ops.first()?.pipe?;
    scalar.then_some((src.span.end, pipe))
}

fn negate(k: LitKind) -> LitKind {
    match k {
        LitKind::Long(v) => LitKind::Long(v.wrapping_neg()),
        LitKind::Int(v) => LitKind::Int(v.wrapping_neg()),
        LitKind::Real(s) => LitKind::Real(SmolStr::new(format!("-{s}"))),
        LitKind::TimeSpan(s) => LitKind::TimeSpan(SmolStr::new(format!("-{s}"))),
        other => other,
    }
}

/// Keywords that Kusto does not accept as a bare name in an expression
/// (they must be written `['string']`); checked against the oracle.
fn is_reserved_name(w: &str) -> bool {
    matches!(
        w,
        "where"
            | "project"
            | "union"
            | "as"
            | "invoke"
            | "sample"
            | "search"
            | "find"
            | "print"
            | "by"
            | "of"
            | "in"
            | "and"
            | "or"
            | "between"
            | "has"
            | "contains"
            | "startswith"
            | "endswith"
            | "like"
            | "asc"
            | "desc"
            | "to"
            | "contains_cs"
            | "has_cs"
            | "hasprefix"
            | "hassuffix"
            | "has_any"
            | "has_all"
            | "notcontains"
            | "containscs"
            | "notlike"
            | "likecs"
            | "notlikecs"
            | "mv-expand"
            | "macro-expand"
            | "graph-match"
            | "string"
            | "long"
            | "int"
            | "real"
            | "datetime"
            | "timespan"
            | "decimal"
            | "date"
            | "time"
            | "double"
            | "uniqueid"
            | "int64"
            | "boolean"
            | "title"
            | "set"
            | "first"
            | "last"
            | "isfuzzy"
            | "materialize"
            | "cycles"
            | "with_itemindex"
            | "bagexpansion"
            | "flags"
            | "__noWithSource"
            | "datatable"
            | "externaldata"
            | "dynamic"
            | "toscalar"
            | "totable"
    )
}

/// Keywords Kusto does not accept as the name in `Name = expr` (checked
/// against the oracle; `kind` and `withsource` are only reserved here).
fn is_reserved_assign_name(w: &str) -> bool {
    (is_reserved_name(w)
        && !matches!(
            w,
            "where"
                | "as"
                | "invoke"
                | "sample"
                | "search"
                | "find"
                | "print"
                | "by"
                | "of"
                | "in"
                | "to"
                | "title"
                | "set"
                | "materialize"
                | "has"
                | "contains"
                | "datatable"
                | "externaldata"
                | "toscalar"
                | "totable"
        ))
        || matches!(w, "kind" | "withsource" | "dynamic" | "true" | "false")
}

#[derive(Clone, Copy)]
enum Bin {
    Op(BinaryOp),
    In(InOp),
    Between(bool),
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(|v| v as i64);
    }
    text.parse::<i64>().ok()
}

/// The value of one string literal token, and whether it is obfuscated.
pub(crate) fn unquote(text: &str) -> (String, bool) {
    let mut s = text;
    let mut obfuscated = false;
    if let Some(r) = s.strip_prefix(['h', 'H']) {
        s = r;
        obfuscated = true;
    }
    for fence in ["```", "~~~"] {
        if let Some(r) = s.strip_prefix(fence) {
            let r = r.strip_suffix(fence).unwrap_or(r);
            return (r.to_string(), obfuscated);
        }
    }
    let verbatim = if let Some(r) = s.strip_prefix('@') {
        s = r;
        true
    } else {
        false
    };
    let Some(q) = s.chars().next() else {
        return (String::new(), obfuscated);
    };
    let body = &s[q.len_utf8()..];
    let body = if body.ends_with(q) && !body.is_empty() {
        // a lone `\"` at the end of an unterminated string is not a closer;
        // the lexer only closes on a real quote, so this is fine
        &body[..body.len() - q.len_utf8()]
    } else {
        body
    };
    let mut out = String::with_capacity(body.len());
    if verbatim {
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c == q && chars.peek() == Some(&q) {
                chars.next();
            }
            out.push(c);
        }
        return (out, obfuscated);
    }
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    (out, obfuscated)
}
