//! The parser's foundations: the token input, the parse state, the error
//! type, the token-level primitive parsers and the error messages.
//!
//! Conventions every grammar module follows:
//! - **Node parsers never fail.** Where something is missing they report it
//!   and return an `Error` node, so `.or(...)` is only used behind a *guard*
//!   (a token or a [`look`]ahead) that decides the alternative.
//! - **Side effects live in `validate`.** chumsky skips `map_with` closures
//!   when a parser runs in check mode (behind `ignore_then`, `to`, `rewind`,
//!   ...), but always runs `validate` closures: every error is emitted and
//!   every height is recorded from a `validate`, so nothing is lost whichever
//!   mode a parser runs in. Outputs of node parsers are never discarded with
//!   `ignore_then`/`then_ignore`; those are only used on tokens, lookaheads
//!   and emitters.
//! - Diagnostics are recorded in the parse state ([`St::errors`]), which is
//!   rolled back when chumsky backtracks, so a branch that is rewound takes
//!   its errors with it.

use crate::Span;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use crate::lexer::TokenKind as T;
use chumsky::error::LabelError;
use chumsky::input::{Checkpoint, Cursor, MapExtra};
use chumsky::inspector::Inspector;
use chumsky::prelude::*;
use chumsky::util::MaybeRef;

use super::{MAX_DEPTH, MAX_HEIGHT, PIPE_OPERATORS};

/// One significant token (trivia removed); the last one is always `Eof`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok<'s> {
    pub kind: T,
    /// The token's text, so soft keywords are matched without slicing.
    pub text: &'s str,
    pub span: Span,
}

/// The parser input: the significant tokens.
pub(crate) type I<'s> = &'s [Tok<'s>];
/// Parser extras: our error type, the parse state and the expression mode.
pub(crate) type Ex<'s> = extra::Full<PErr, St<'s>, Mode>;
/// A type-erased parser (the boundaries that keep compile times sane).
pub(crate) type Bx<'s, O> = Boxed<'s, 's, I<'s>, O, Ex<'s>>;

/// Shorthand for "a cloneable parser of `O` over our tokens".
pub(crate) trait P<'s, O>: Parser<'s, I<'s>, O, Ex<'s>> + Clone + 's {}
impl<'s, O, X> P<'s, O> for X where X: Parser<'s, I<'s>, O, Ex<'s>> + Clone + 's {}

pub(crate) type Extra<'s, 'b> = MapExtra<'s, 'b, I<'s>, Ex<'s>>;

/// The error type threaded through chumsky: a zero-sized "this alternative
/// did not match". chumsky records one for every alternative that fails,
/// so it must cost nothing. Diagnostics are not chumsky errors: each
/// recovery point words its own [`SyntaxError`] and records it in the
/// parse state ([`St::errors`]), which chumsky rolls back on backtracking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PErr;

impl<'s> chumsky::error::Error<'s, I<'s>> for PErr {}

impl<'s, L> LabelError<'s, I<'s>, L> for PErr {
    #[inline(always)]
    fn expected_found<E: IntoIterator<Item = L>>(
        _expected: E,
        _found: Option<MaybeRef<'s, Tok<'s>>>,
        _span: SimpleSpan,
    ) -> Self {
        PErr
    }
}

/// The expression mode (chumsky context): it changes how a few tokens are
/// read inside some operators, and carries the minimum precedence of the
/// binary operator being climbed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mode {
    /// In `search`/`find` predicates `Col : "term"` is an operator.
    pub search: bool,
    /// In `make-graph` the source column is followed by `-->` or `--`.
    pub graph: bool,
    /// Binary operators bind here only above this precedence.
    pub min_prec: u8,
}

/// The parse state (chumsky state): the tokens (for lookahead and spans) and
/// the tree-height bookkeeping. Rolled back when chumsky backtracks.
pub(crate) struct St<'s> {
    pub src: &'s str,
    pub toks: &'s [Tok<'s>],
    /// Height of the expression most recently completed.
    pub h: u32,
    /// Greatest height completed since the current scope started.
    pub hmax: u32,
    /// The height limit was hit: every primitive now sees the end of input.
    pub aborted: bool,
    /// The diagnostics, in the order they were found.
    pub errors: Vec<SyntaxError>,
    /// A query file (`parse_script`): a blank line also ends the text that
    /// recovery skips, since the next query starts after it.
    pub script: bool,
}

impl<'s> Inspector<'s, I<'s>> for St<'s> {
    type Checkpoint = (u32, u32, bool, usize);
    #[inline(always)]
    fn on_token(&mut self, _: &Tok<'s>) {}
    #[inline(always)]
    fn on_save<'p>(&self, _: &Cursor<'s, 'p, I<'s>>) -> Self::Checkpoint {
        (self.h, self.hmax, self.aborted, self.errors.len())
    }
    #[inline(always)]
    fn on_rewind<'p>(&mut self, cp: &Checkpoint<'s, 'p, I<'s>, Self::Checkpoint>) {
        let n;
        (self.h, self.hmax, self.aborted, n) = *cp.inspector();
        self.errors.truncate(n);
    }
}

// ---------------------------------------------------------------------------
// lookahead view
// ---------------------------------------------------------------------------

/// A view of the token stream at one position, for lookahead decisions and
/// for wording errors. Once the parse is aborted it sits at the end.
#[derive(Clone, Copy)]
pub(crate) struct At<'s> {
    pub toks: &'s [Tok<'s>],
    pub src: &'s str,
    pub pos: usize,
}

/// The view at the end of what `e` covers (for a zero-width parser: the
/// current position).
#[inline]
pub(crate) fn at<'s>(e: &mut Extra<'s, '_>) -> At<'s> {
    let end = e.span().end;
    let st = e.state();
    let pos = if st.aborted { st.toks.len() - 1 } else { end };
    At {
        toks: st.toks,
        src: st.src,
        pos,
    }
}

/// The view at the start of what `e` covers.
#[inline]
pub(crate) fn at_start<'s>(e: &mut Extra<'s, '_>) -> At<'s> {
    let start = e.span().start;
    let st = e.state();
    At {
        toks: st.toks,
        src: st.src,
        pos: start.min(st.toks.len() - 1),
    }
}

impl<'s> At<'s> {
    #[inline]
    pub fn tok_at(&self, n: usize) -> Tok<'s> {
        self.toks
            .get(self.pos + n)
            .copied()
            .unwrap_or(self.toks[self.toks.len() - 1])
    }
    #[inline]
    pub fn peek(&self) -> T {
        self.toks[self.pos].kind
    }
    #[inline]
    pub fn peek_at(&self, n: usize) -> T {
        self.toks.get(self.pos + n).map_or(T::Eof, |t| t.kind)
    }
    #[inline]
    pub fn text(&self) -> &'s str {
        self.toks[self.pos].text
    }
    #[inline]
    pub fn text_at(&self, n: usize) -> &'s str {
        self.tok_at(n).text
    }
    #[inline]
    pub fn span(&self) -> Span {
        self.toks[self.pos].span
    }
    #[inline]
    pub fn at(&self, k: T) -> bool {
        self.peek() == k
    }
    #[inline]
    pub fn at_word(&self, w: &str) -> bool {
        self.peek() == T::Ident && self.text() == w
    }
    #[inline]
    pub fn at_word_at(&self, n: usize, w: &str) -> bool {
        self.peek_at(n) == T::Ident && self.text_at(n) == w
    }
    #[inline]
    pub fn at_eof(&self) -> bool {
        self.peek() == T::Eof
    }
    /// End of the previous token (where "missing X" errors go).
    #[inline]
    pub fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end
        }
    }
    #[inline]
    pub fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::empty(0)
        } else {
            self.toks[self.pos - 1].span
        }
    }
    /// True when the current token starts a new line.
    pub fn on_new_line(&self) -> bool {
        let start = self.span().start as usize;
        let prev = self.prev_end() as usize;
        self.src
            .get(prev..start)
            .is_some_and(|gap| gap.contains(LINE_BREAKS))
    }
    /// True when the current token is the first thing on its line.
    pub fn at_line_start(&self) -> bool {
        let start = self.span().start as usize;
        let line_start = self.src[..start]
            .char_indices()
            .rev()
            .find(|(_, c)| LINE_BREAKS.contains(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        self.src[line_start..start]
            .chars()
            .all(crate::lexer::is_whitespace)
            && self.pos > 0
            && self.on_new_line()
    }
    /// Token `n` ends where token `n + 1` starts.
    #[inline]
    pub fn adjacent(&self, n: usize) -> bool {
        self.tok_at(n).span.end == self.tok_at(n + 1).span.start
    }
    /// A `|`, `;`, closer or the end: what ends an operator.
    #[inline]
    pub fn at_op_end(&self) -> bool {
        matches!(
            self.peek(),
            T::Pipe | T::Semi | T::RParen | T::RBracket | T::RBrace | T::Eof
        )
    }
    #[inline]
    pub fn is_bracket_name(&self, n: usize) -> bool {
        self.bracket_name_len(n).is_some()
    }
    /// The number of tokens of the bracketed name at `n` (`['x']`,
    /// `['O''peration']`: `[`, one or more adjacent string literals, `]`).
    pub fn bracket_name_len(&self, n: usize) -> Option<usize> {
        if self.peek_at(n) != T::LBracket || self.peek_at(n + 1) != T::String {
            return None;
        }
        let mut i = n + 2;
        while self.peek_at(i) == T::String {
            i += 1;
        }
        (self.peek_at(i) == T::RBracket).then_some(i + 1 - n)
    }
    /// Whether the current token can start an expression operand.
    pub fn starts_expr(&self) -> bool {
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
    /// A word that starts a tabular source (`print`, `union`, ...).
    pub fn source_word(&self) -> bool {
        self.peek() == T::Ident && SOURCE_OPS.contains(&self.text())
    }
    /// Token `n` is a pipe operator that starts an implicit-input body.
    /// As in Kusto.Language (`PipeSubExpression`), any operator that may
    /// follow a `|` is tried first, even before a `(` (`lookup (T) on x`,
    /// `top(3) by x`); of the operators that also start a query alone,
    /// `union`, `search` and `evaluate` take the implicit input too.
    pub fn starts_with_operator(&self, n: usize) -> bool {
        let w = self.text_at(n);
        self.peek_at(n) == T::Ident
            && PIPE_OPERATORS.contains(&w)
            && (!SOURCE_OPS.contains(&w) || matches!(w, "union" | "search" | "evaluate"))
            && self.peek_at(n + 1) != T::Dot
    }

    // -- error wording ------------------------------------------------------

    pub fn describe_current(&self) -> String {
        match self.peek() {
            T::Ident | T::BangIdent => format!("`{}`", self.text()),
            T::Eof => "the end of the query".into(),
            T::Int | T::Real | T::TimeSpan => format!("`{}`", self.text()),
            k => k.describe().into(),
        }
    }

    /// "expected X, found Y" at the current token.
    pub fn expected(&self, what: &str) -> SyntaxError {
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
        SyntaxError::new(kind, span, msg)
    }

    /// An operand is missing before the current token.
    pub fn missing_expr(&self, what: &str) -> SyntaxError {
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            return self.expected(what);
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
        err
    }

    /// A name is missing before the current token.
    pub fn missing_name(&self, what: &str) -> SyntaxError {
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            return self.expected(what);
        }
        let span = Span::empty(self.prev_end());
        let found = self.describe_current();
        let mut err = SyntaxError::new(
            K::MissingName,
            span,
            format!("expected {what}, found {found}"),
        );
        if !self.at_eof() {
            err = err.with_label(self.span(), "found this instead");
        }
        err
    }

    /// The current token is junk after a complete construct; with a hint
    /// when it looks like a misspelled operator.
    pub fn junk_after(&self, what: &str) -> SyntaxError {
        if matches!(self.peek(), T::Unknown | T::UnterminatedString) {
            return self.expected(what);
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
        err
    }

    pub fn too_deep(&self) -> SyntaxError {
        too_deep(self.span())
    }
}

pub(crate) fn too_deep(span: Span) -> SyntaxError {
    SyntaxError::new(
        K::NestingTooDeep,
        span,
        "the query nests too deeply to be analysed".to_string(),
    )
    .with_help(format!(
        "kqlint accepts up to {MAX_DEPTH} levels of nested parentheses, brackets and braces \
         and expressions up to {MAX_HEIGHT} operators deep; split the query with `let` statements"
    ))
}

/// Words that can never start an expression operand (they end it).
pub(crate) fn is_clause_word(w: &str) -> bool {
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

/// Operators that start a tabular expression on their own.
/// What ends a line for Kusto (`TextFacts.IsLineBreakStart`).
const LINE_BREAKS: [char; 4] = ['\n', '\r', '\u{2028}', '\u{2029}'];

pub(crate) const SOURCE_OPS: &[&str] = &[
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

pub(crate) const STMT_WORDS: &[&str] = &["let", "set", "declare", "alias", "restrict"];

/// Every word-shaped infix operator, for "did you mean" hints.
pub(crate) const INFIX_WORDS: &[&str] = &[
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

pub(crate) fn closer_of(open: T) -> T {
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

// ---------------------------------------------------------------------------
// emitting and heights
// ---------------------------------------------------------------------------

#[inline]
pub(crate) fn emit(e: &mut Extra<'_, '_>, err: SyntaxError) {
    e.state().errors.push(err);
}

/// Records the height of a completed expression; past [`MAX_HEIGHT`] the
/// rest of the text is given up with one diagnostic.
pub(crate) fn done(e: &mut Extra<'_, '_>, h: u32) {
    let st = e.state();
    st.h = h;
    if h > st.hmax {
        st.hmax = h;
    }
    if h > MAX_HEIGHT && !st.aborted {
        let err = at(e).too_deep();
        emit(e, err);
        e.state().aborted = true;
    }
}

/// Starts measuring the height of a compound: returns the saved maximum.
pub(crate) fn scope_start<'s>() -> impl P<'s, u32> {
    empty().validate(|_, e: &mut Extra<'s, '_>, _| std::mem::replace(&mut e.state().hmax, 0))
}

/// Ends a compound begun with [`scope_start`]: its height is its deepest
/// expression plus `extra` levels of structure.
pub(crate) fn scope_end(e: &mut Extra<'_, '_>, saved: u32, extra: u32) {
    let st = e.state();
    let h = st.hmax + extra;
    st.hmax = saved.max(st.hmax);
    done(e, h);
}

/// Ends a scope without recording a height of its own (returns the scope's
/// maximum).
pub(crate) fn scope_close(e: &mut Extra<'_, '_>, saved: u32) -> u32 {
    let st = e.state();
    let inner = st.hmax;
    st.hmax = saved.max(st.hmax);
    inner
}

// ---------------------------------------------------------------------------
// primitive parsers
// ---------------------------------------------------------------------------

/// Any significant token but the end.
pub(crate) fn any_tok<'s>() -> impl P<'s, Tok<'s>> {
    any().try_map_with(|x: Tok<'s>, e: &mut Extra<'s, '_>| {
        if x.kind != T::Eof && !e.state().aborted {
            Ok(x)
        } else {
            Err(PErr)
        }
    })
}

/// A token of kind `k`.
pub(crate) fn tok<'s>(k: T) -> impl P<'s, Tok<'s>> {
    any().try_map_with(move |x: Tok<'s>, e: &mut Extra<'s, '_>| {
        if x.kind == k && k != T::Eof && !e.state().aborted {
            Ok(x)
        } else {
            Err(PErr)
        }
    })
}

/// The span of a token of kind `k`.
pub(crate) fn tk<'s>(k: T) -> impl P<'s, Span> {
    tok(k).map(|t| t.span)
}

/// A soft keyword: a name token with exactly this text.
pub(crate) fn kw<'s>(word: &'static str) -> impl P<'s, Span> {
    any().try_map_with(move |x: Tok<'s>, e: &mut Extra<'s, '_>| {
        if x.kind == T::Ident && x.text == word && !e.state().aborted {
            Ok(x.span)
        } else {
            Err(PErr)
        }
    })
}

/// A zero-width lookahead: succeeds when `f` holds at the current position.
pub(crate) fn look<'s>(f: impl Fn(At<'s>, Mode) -> bool + Clone + 's) -> impl P<'s, ()> {
    empty().try_map_with(move |_, e: &mut Extra<'s, '_>| {
        let m = *e.ctx();
        let a = at(e);
        if f(a, m) { Ok(()) } else { Err(PErr) }
    })
}

/// A zero-width step at the current position: computes a value and may
/// report errors (always runs, whatever the parse mode).
pub(crate) fn here<'s, O: 's>(
    f: impl Fn(At<'s>, &mut Vec<SyntaxError>) -> O + Clone + 's,
) -> impl P<'s, O> {
    empty().validate(move |_, e: &mut Extra<'s, '_>, _| {
        let a = at(e);
        let mut errs = Vec::new();
        let out = f(a, &mut errs);
        for err in errs {
            emit(e, err);
        }
        out
    })
}

/// Runs `p` with at least [`RED_ZONE`] bytes of stack, moving to a fresh
/// heap-allocated stack segment when the current one runs low. Every
/// recursive parser goes through this: nesting is bounded by
/// [`MAX_DEPTH`], and this keeps each level's frames (large in debug
/// builds) off the end of the thread's stack.
pub(crate) fn grow<'s, O: 's>(p: impl P<'s, O>) -> impl P<'s, O> {
    custom(
        move |inp: &mut chumsky::input::InputRef<'s, '_, I<'s>, Ex<'s>>| {
            stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || inp.parse(&p))
        },
    )
}

/// Stack kept free below each recursion point.
const RED_ZONE: usize = 256 * 1024;
/// Size of each new stack segment.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// `k` or nothing.
pub(crate) fn eat<'s>(k: T) -> impl P<'s, Option<Span>> {
    tk(k).or_not()
}

/// `k`, or report "expected `what`" and go on.
pub(crate) fn expect<'s>(k: T, what: &'static str) -> impl P<'s, Option<Span>> {
    tk(k).map(Some).or(here(move |a, errs| {
        errs.push(a.expected(what));
        None
    }))
}

/// The keyword `w`, or report it missing and go on.
pub(crate) fn expect_kw<'s>(w: &'static str) -> impl P<'s, Option<Span>> {
    kw(w).map(Some).or(here(move |a, errs| {
        errs.push(a.expected(&format!("`{w}`")));
        None
    }))
}

/// The previous token's span at the end of what `e` covers.
#[inline]
pub(crate) fn prev_span(e: &mut Extra<'_, '_>) -> Span {
    at(e).prev_span()
}

/// Skips to the next `|`, `;` or closing delimiter at this nesting level (or
/// the end); returns the skipped span.
pub(crate) fn skip_to_sync<'s>() -> impl P<'s, Span> {
    custom(
        |inp: &mut chumsky::input::InputRef<'s, '_, I<'s>, Ex<'s>>| {
            if inp.state().aborted {
                // the rest was given up: the view sits at the end
                let end = inp.state().toks.last().map_or(0, |t| t.span.start);
                return Ok(Span::empty(end));
            }
            let start = match inp.peek() {
                Some(t) => t.span.start,
                None => 0,
            };
            let mut end = start;
            let mut stack: Vec<T> = Vec::new();
            let (script, src) = (inp.state().script, inp.state().src);
            while let Some(t) = inp.peek() {
                let k = t.kind;
                // in a query file, the next query starts after a blank line
                if script
                    && end > start
                    && stack.is_empty()
                    && blank_line_between(src, end, t.span.start)
                {
                    break;
                }
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
                inp.skip();
                end = t.span.end;
            }
            Ok(Span::new(start, end.max(start)))
        },
    )
}

/// Whether the text between two token positions holds a blank line.
fn blank_line_between(src: &str, from: u32, to: u32) -> bool {
    let Some(gap) = src.get(from as usize..to as usize) else {
        return false;
    };
    let mut lines = gap.split('\n');
    lines.next();
    let mut rest: Vec<&str> = lines.collect();
    rest.pop();
    rest.iter()
        .any(|l| l.chars().all(crate::lexer::is_whitespace))
}

/// Skips to the closer `close` at this nesting level without consuming it.
pub(crate) fn skip_to_closer<'s>(close: T) -> impl P<'s, ()> {
    custom(
        move |inp: &mut chumsky::input::InputRef<'s, '_, I<'s>, Ex<'s>>| {
            if inp.state().aborted {
                return Ok(());
            }
            let mut stack: Vec<T> = Vec::new();
            while let Some(t) = inp.peek() {
                let k = t.kind;
                match k {
                    T::Eof => break,
                    T::RParen | T::RBracket | T::RBrace => {
                        if stack.is_empty() {
                            break;
                        }
                        if stack.last() == Some(&k) {
                            stack.pop();
                        } else {
                            break;
                        }
                    }
                    T::Semi if stack.is_empty() && close != T::RBrace => break,
                    T::LParen | T::LBracket | T::LBrace => stack.push(closer_of(k)),
                    _ => {}
                }
                inp.skip();
            }
            Ok(())
        },
    )
}

/// How a delimited group ended.
#[derive(Clone, Debug)]
pub(crate) enum Closing {
    /// The closer was there.
    Closed(Span),
    /// Junk stood where the closer should be: it was skipped up to the
    /// closer (consumed when found); `end` is where the group ends.
    Junk {
        kind: K,
        span: Span,
        found: String,
        end: Span,
    },
    /// The closer is missing (at the end, a `;` or another closer).
    Missing { at: Span, found: String },
}

impl Closing {
    /// Where the group ends (the closer, or an empty span where it is missing).
    pub fn end(&self) -> Span {
        match self {
            Closing::Closed(s) => *s,
            Closing::Junk { end, .. } => *end,
            Closing::Missing { at, .. } => *at,
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Closing::Missing { .. })
    }

    /// The diagnostic for an unclosed group opened by `open`.
    pub fn error(&self, open_kind: T, open: Span) -> Option<SyntaxError> {
        let close = closer_of(open_kind);
        let (kind, span, found) = match self {
            Closing::Closed(_) => return None,
            Closing::Junk {
                kind, span, found, ..
            } => (*kind, *span, found),
            Closing::Missing { at, found } => (K::UnclosedDelimiter, *at, found),
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
        Some(err)
    }
}

/// The closer of a group opened by `open_kind`: the closer itself; or junk,
/// skipped up to the closer; or nothing. The caller (who knows where the
/// group opened) reports the error with [`Closing::error`].
pub(crate) fn closer<'s>(open_kind: T) -> impl P<'s, Closing> {
    let close = closer_of(open_kind);
    let junk = here(|a, _| {
        let kind = match a.peek() {
            T::Unknown => K::InvalidCharacter,
            T::UnterminatedString => K::UnterminatedString,
            _ => K::UnexpectedToken,
        };
        (kind, a.span(), a.describe_current())
    })
    .then_ignore(look(|a, _| {
        !matches!(
            a.peek(),
            T::Eof | T::RParen | T::RBracket | T::RBrace | T::Semi
        )
    }))
    .then_ignore(skip_to_closer(close))
    .then(tk(close).or_not())
    .then(here(|a, _| Span::empty(a.prev_end())))
    .map(|(((kind, span, found), closed), empty)| Closing::Junk {
        kind,
        span,
        found,
        end: closed.unwrap_or(empty),
    });
    let missing = here(|a, _| Closing::Missing {
        at: Span::empty(a.prev_end()),
        found: a.describe_current(),
    });
    choice((tk(close).map(Closing::Closed), junk, missing))
}

/// Reports a closing error for the group opened at `open`.
pub(crate) fn report_close(e: &mut Extra<'_, '_>, c: &Closing, open_kind: T, open: Span) {
    if let Some(err) = c.error(open_kind, open) {
        emit(e, err);
    }
}
