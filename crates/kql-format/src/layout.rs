//! The layout pass: the significant tokens are written out in order with
//! their exact text; only the white space between two of them is decided
//! here, from the two tokens, the white space and comments the source had
//! between them (the "gap"), and a stack of bracket frames.
//!
//! Every decision depends on the source's line breaks only through the
//! gaps, and on indentation not at all, so a second run sees the breaks the
//! first one wrote and computes the same indentation: the pass is
//! idempotent.
//!
//! Wrapping (`crate::wrap`, which runs the passes) adds line breaks to gaps
//! and lays the text out
//! again; a break it adds is read exactly as a break the source had, so the
//! wrapped text keeps its layout when formatted again.

use crate::{FormatOptions, PipeStyle};
use kql_syntax::TokenKind::{
    self, BangTilde, Comma, Comment, Dot, EqEq, EqTilde, Ge, Gt, Ident, Int, LBrace, LBracket,
    LParen, Le, Lt, LtGt, Minus, NotEq, Pipe, Plus, RBrace, RBracket, RParen, Real, Semi, TimeSpan,
    TypedLiteral, Whitespace,
};

/// What the source had between two significant tokens.
#[derive(Default)]
pub(crate) struct Gap<'a> {
    /// Each comment with the number of line breaks before it (within the gap).
    comments: Vec<(usize, &'a str)>,
    /// Line breaks after the last comment (or in the whole gap).
    breaks_after: usize,
    /// Whether there was any white space at all.
    space: bool,
}

impl Gap<'_> {
    pub(crate) fn breaks(&self) -> usize {
        self.breaks_after + self.comments.iter().map(|c| c.0).sum::<usize>()
    }

    /// Whether a line break may be added here: a gap with no line break
    /// and no comment (the token after it was written on the same line).
    pub(crate) fn can_break(&self) -> bool {
        self.comments.is_empty() && self.breaks_after == 0
    }

    /// Whether the gap holds a comment.
    pub(crate) fn has_comments(&self) -> bool {
        !self.comments.is_empty()
    }

    /// Adds a line break, as if the source had one here.
    pub(crate) fn add_break(&mut self) {
        self.breaks_after = self.breaks_after.max(1);
    }
}

pub(crate) struct Tok<'a> {
    pub(crate) kind: TokenKind,
    pub(crate) text: &'a str,
    /// Byte offset in the source.
    pub(crate) start: usize,
}

/// The source's significant tokens, each with the gap before it.
pub(crate) type Toks<'a> = Vec<(Gap<'a>, Tok<'a>)>;

/// The source as significant tokens, each with the gap before it, and the
/// gap after the last one.
pub(crate) fn split(src: &str) -> (Toks<'_>, Gap<'_>) {
    let mut out = Vec::new();
    let mut gap = Gap::default();
    for t in kql_syntax::lex(src) {
        let text = &src[t.span.start as usize..t.span.end as usize];
        match t.kind {
            Whitespace => {
                gap.space = true;
                gap.breaks_after += line_breaks(text);
            }
            Comment => {
                gap.comments.push((gap.breaks_after, text.trim_end()));
                gap.breaks_after = 0;
            }
            kind => out.push((
                std::mem::take(&mut gap),
                Tok {
                    kind,
                    text,
                    start: t.span.start as usize,
                },
            )),
        }
    }
    (out, gap)
}

/// `\n`, `\r\n` and a lone `\r` each end a line.
fn line_breaks(ws: &str) -> usize {
    let b = ws.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

/// For each opening bracket (by token index), whether a `|` stands directly
/// inside it: such a bracket holds a pipeline and gets its own lines.
pub(crate) fn piped_brackets(toks: &[(Gap<'_>, Tok<'_>)]) -> Vec<bool> {
    let mut piped = vec![false; toks.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, (_, t)) in toks.iter().enumerate() {
        match t.kind {
            LParen | LBracket | LBrace => open.push(i),
            RParen | RBracket | RBrace => {
                open.pop();
            }
            Pipe => {
                if let Some(&o) = open.last() {
                    piped[o] = true;
                }
            }
            _ => {}
        }
    }
    piped
}

/// A bracket (or the whole text): where its lines go.
struct Frame {
    /// The indentation of the line the bracket opened on: its closer's, when
    /// the closer starts a line.
    outer: usize,
    /// The indentation of a statement or pipeline source inside.
    base: usize,
    root: bool,
    brace: bool,
    /// It holds a pipeline: line breaks after the opener and before the closer.
    piped: bool,
    /// The statement being written starts with `let`: its pipes go one level in.
    let_stmt: bool,
    /// A `|` has been written in the current statement.
    pipe_seen: bool,
}

impl Frame {
    fn pipe_indent(&self, w: usize) -> usize {
        self.base + if self.let_stmt { w } else { 0 }
    }

    /// A line that continues an operator (or, at the top, a statement).
    fn continuation_indent(&self, w: usize) -> usize {
        if self.pipe_seen {
            self.pipe_indent(w) + w
        } else if self.root {
            self.base + w
        } else {
            self.pipe_indent(w)
        }
    }
}

/// How a token is placed after the previous one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// On the same line.
    Join,
    /// On a new line because the source had one there.
    Keep,
    /// On a new line whatever the source had.
    Force,
}

struct Writer<'o> {
    out: String,
    nl: &'static str,
    w: usize,
    /// The indentation of the line being written.
    line_indent: usize,
    /// Nothing written on the current line yet.
    line_empty: bool,
    frames: Vec<Frame>,
    /// The next token starts a statement.
    stmt_start: bool,
    /// A line break moved from before a `,` or `;` to after it.
    carried_break: bool,
    /// The previous token is a `|` written at the end of its line
    /// ([`PipeStyle::Trailing`]): the operator starts the next line.
    after_trailing_pipe: bool,
    options: &'o FormatOptions,
    /// What [`Laid`] reports.
    starts: Vec<usize>,
    joined: Vec<bool>,
    statements: Vec<usize>,
}

/// A laid-out text, and where its tokens went (for wrapping, and for
/// formatting a range of statements).
pub(crate) struct Laid {
    pub(crate) text: String,
    /// Per significant token: its byte offset in `text`.
    pub(crate) starts: Vec<usize>,
    /// Per significant token: written on the line of the one before.
    pub(crate) joined: Vec<bool>,
    /// The indices of the tokens that start a top-level statement.
    pub(crate) statements: Vec<usize>,
}

/// The line break the text uses (`\r\n` when it has any).
pub(crate) fn newline(src: &str) -> &'static str {
    if src.contains("\r\n") { "\r\n" } else { "\n" }
}

/// One layout pass over the tokens.
pub(crate) fn write(
    toks: &[(Gap<'_>, Tok<'_>)],
    tail: &Gap<'_>,
    piped: &[bool],
    nl: &'static str,
    options: &FormatOptions,
) -> Laid {
    let len: usize = toks.iter().map(|(_, t)| t.text.len() + 1).sum();
    let mut w = Writer {
        out: String::with_capacity(len + len / 4),
        nl,
        w: options.indent_width,
        line_indent: 0,
        line_empty: true,
        frames: vec![Frame {
            outer: 0,
            base: 0,
            root: true,
            brace: false,
            piped: false,
            let_stmt: false,
            pipe_seen: false,
        }],
        stmt_start: true,
        carried_break: false,
        after_trailing_pipe: false,
        options,
        starts: Vec::with_capacity(toks.len()),
        joined: Vec::with_capacity(toks.len()),
        statements: Vec::new(),
    };
    let mut prev: Option<(&Tok<'_>, bool)> = None;
    for (i, (gap, tok)) in toks.iter().enumerate() {
        let binary = is_binary(tok, prev.map(|p| p.0));
        w.token(i, gap, tok, prev, binary, piped[i]);
        prev = Some((tok, binary));
    }
    w.tail(tail);
    Laid {
        text: w.out,
        starts: w.starts,
        joined: w.joined,
        statements: w.statements,
    }
}

impl Writer<'_> {
    fn frame(&mut self) -> &mut Frame {
        // the root frame is never popped (see `close`)
        self.frames.last_mut().expect("root frame")
    }

    /// Writes token `i` and the gap before it. `prev` is the previous token
    /// and whether it was a binary operator; `opens_pipeline` whether this
    /// token is a bracket with a `|` directly inside.
    fn token(
        &mut self,
        i: usize,
        gap: &Gap<'_>,
        tok: &Tok<'_>,
        prev: Option<(&Tok<'_>, bool)>,
        binary: bool,
        opens_pipeline: bool,
    ) {
        let closing = matches!(tok.kind, RParen | RBracket | RBrace);
        let closed = if closing { self.close() } else { None };
        if closing {
            // a closer never starts a statement (`{ f(); }`)
            self.stmt_start = false;
        }
        if self.options.script && self.frames.len() == 1 && gap.breaks() >= 2 && tok.kind != Pipe {
            // a blank line ends a statement in a query file
            self.stmt_start = true;
        }
        if self.stmt_start && self.frames.len() == 1 {
            self.statements.push(i);
        }
        let place = match prev {
            None => Place::Force,
            Some((p, _)) => self.place(gap, tok, p, closed.as_ref()),
        };
        let indent = match &closed {
            Some(f) => f.outer,
            None => self.indent_for(tok),
        };
        let mut new_line = place != Place::Join;
        for &(breaks, text) in &gap.comments {
            self.comment(breaks, text, indent);
            new_line = true;
        }
        if new_line {
            let blank = if gap.comments.is_empty() {
                gap.breaks_after
            } else {
                gap.breaks_after.max(1)
            };
            self.new_line(blank, indent);
        } else if let Some((p, p_binary)) = prev
            && space_between(p, tok, p_binary, binary, gap.space)
        {
            self.out.push(' ');
        }
        self.starts.push(self.out.len());
        self.joined.push(place == Place::Join);
        self.out.push_str(tok.text);
        self.line_empty = false;
        self.after(tok, place, opens_pipeline);
    }

    /// Pops the innermost bracket frame (never the root: a stray closer in
    /// a text the parser accepted cannot happen, but must not panic).
    fn close(&mut self) -> Option<Frame> {
        if self.frames.len() > 1 {
            self.frames.pop()
        } else {
            None
        }
    }

    /// Where a token goes relative to the previous one.
    fn place(
        &mut self,
        gap: &Gap<'_>,
        tok: &Tok<'_>,
        prev: &Tok<'_>,
        closed: Option<&Frame>,
    ) -> Place {
        let top = self.frames.last().expect("root frame");
        let breaks = gap.breaks();
        // `a\n, b` -> `a,\n b`; `|\n where` -> `| where`: only over a plain
        // line break (a blank line may end a statement; a comment must end
        // its line).
        let joinable = gap.comments.is_empty() && breaks <= 1;
        if self.after_trailing_pipe {
            self.carried_break = false;
            return Place::Force;
        }
        if tok.kind == Pipe
            && self.options.pipe == PipeStyle::Trailing
            && joinable
            && !self.stmt_start
            && !matches!(prev.kind, LParen | LBracket | LBrace | Semi)
        {
            // The pipe moves up over a plain line break; after a blank line
            // or a comment it stays leading (moving it would move the
            // comment, or join what a blank line separates).
            self.carried_break = false;
            return Place::Join;
        }
        let forced = tok.kind == Pipe
            || closed.is_some_and(|f| f.piped)
            || (self.stmt_start && (top.root || top.piped) && prev.kind == Semi)
            || (closed.is_none() && matches!(prev.kind, LParen | LBracket | LBrace) && top.piped);
        if forced {
            self.carried_break = false;
            return Place::Force;
        }
        if joinable && matches!(tok.kind, Comma | Semi) {
            self.carried_break |= breaks == 1;
            return Place::Join;
        }
        if joinable && prev.kind == Pipe {
            return Place::Join;
        }
        if breaks > 0 || std::mem::take(&mut self.carried_break) {
            self.carried_break = false;
            return Place::Keep;
        }
        Place::Join
    }

    /// The indentation of a line that starts with `tok` (not a closer).
    fn indent_for(&self, tok: &Tok<'_>) -> usize {
        let f = self.frames.last().expect("root frame");
        if self.stmt_start {
            f.base
        } else if tok.kind == Pipe || self.after_trailing_pipe {
            f.pipe_indent(self.w)
        } else {
            f.continuation_indent(self.w)
        }
    }

    /// A comment of the gap: at the end of the current line when the source
    /// had it there, else on its own line(s) at the next token's indentation.
    fn comment(&mut self, breaks: usize, text: &str, indent: usize) {
        if breaks == 0 && !self.line_empty {
            self.out.push(' ');
        } else if !self.out.is_empty() {
            self.new_line(breaks, indent);
        } else {
            self.indent(indent);
        }
        self.out.push_str(text);
        self.line_empty = false;
    }

    /// Ends the current line and starts one at `indent`; `breaks` >= 2 in
    /// the source keeps one blank line. Nothing at the very start.
    fn new_line(&mut self, breaks: usize, indent: usize) {
        if self.out.is_empty() {
            self.indent(indent);
            return;
        }
        self.out.push_str(self.nl);
        if breaks >= 2 {
            self.out.push_str(self.nl);
        }
        self.indent(indent);
    }

    fn indent(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.line_indent = indent;
        self.line_empty = true;
    }

    /// Updates the frames and statement state once `tok` is written.
    fn after(&mut self, tok: &Tok<'_>, place: Place, opens_pipeline: bool) {
        let w = self.w;
        self.after_trailing_pipe = tok.kind == Pipe && place == Place::Join;
        if std::mem::take(&mut self.stmt_start) {
            let f = self.frame();
            f.let_stmt = tok.kind == Ident && tok.text == "let";
            f.pipe_seen = false;
        }
        match tok.kind {
            Pipe => self.frame().pipe_seen = true,
            LParen | LBracket | LBrace => {
                let brace = tok.kind == LBrace;
                self.frames.push(Frame {
                    outer: self.line_indent,
                    base: self.line_indent + w,
                    root: false,
                    brace,
                    piped: opens_pipeline,
                    let_stmt: false,
                    pipe_seen: false,
                });
                // a function body holds statements
                self.stmt_start = brace;
            }
            Semi => {
                let f = self.frames.last().expect("root frame");
                self.stmt_start = f.root || f.brace;
            }
            _ => {}
        }
    }

    /// The comments after the last token, and one final line break when the
    /// source ended with one.
    fn tail(&mut self, gap: &Gap<'_>) {
        let indent = self.frames.last().map_or(0, |f| f.base);
        for &(breaks, text) in &gap.comments {
            self.comment(breaks, text, indent);
        }
        if gap.breaks_after > 0 {
            self.out.push_str(self.nl);
        }
    }
}

/// Whether a space goes between two tokens on one line.
fn space_between(
    prev: &Tok<'_>,
    tok: &Tok<'_>,
    prev_binary: bool,
    binary: bool,
    had: bool,
) -> bool {
    if matches!(tok.kind, Comma | Semi) {
        return false;
    }
    if matches!(prev.kind, Comma | Pipe) || tok.kind == Pipe || prev_binary || binary {
        return true;
    }
    if prev.kind == LParen || tok.kind == RParen {
        return false;
    }
    had
}

/// Whether `tok` is a binary operator (spaced on both sides). `+` and `-`
/// are binary only after an operand; unary ones keep the source's spacing.
fn is_binary(tok: &Tok<'_>, prev: Option<&Tok<'_>>) -> bool {
    match tok.kind {
        EqEq | NotEq | LtGt | EqTilde | BangTilde | Lt | Le | Gt | Ge => true,
        Ident => matches!(tok.text, "and" | "or") && prev.is_some_and(|p| p.kind != Dot),
        Plus | Minus => prev.is_some_and(ends_operand),
        _ => false,
    }
}

/// Whether a token can end an operand, so that a `+`/`-` after it is binary.
fn ends_operand(t: &Tok<'_>) -> bool {
    match t.kind {
        Int | Real | TimeSpan | TokenKind::String | TypedLiteral | RParen | RBracket => true,
        Ident => !matches!(
            t.text,
            "and"
                | "or"
                | "not"
                | "where"
                | "filter"
                | "print"
                | "by"
                | "return"
                | "take"
                | "limit"
                | "top"
                | "step"
                | "from"
                | "to"
                | "in"
                | "has"
                | "between"
                | "contains"
                | "startswith"
                | "endswith"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pass, without wrapping (`crate::wrap` tests that).
    fn fmt(s: &str) -> String {
        let (toks, tail) = split(s);
        let piped = piped_brackets(&toks);
        write(&toks, &tail, &piped, newline(s), &FormatOptions::default()).text
    }

    #[test]
    fn pipes_start_lines() {
        assert_eq!(fmt("T | where a | take 1"), "T\n| where a\n| take 1");
    }

    #[test]
    fn operators_get_one_space() {
        assert_eq!(fmt("T|where a==1 and b!=2"), "T\n| where a == 1 and b != 2");
        assert_eq!(fmt("print x = -1, y = a-1"), "print x = -1, y = a - 1");
    }

    #[test]
    fn kind_assignment_keeps_its_spacing() {
        assert_eq!(
            fmt("T | join kind=inner U on a"),
            "T\n| join kind=inner U on a"
        );
    }

    #[test]
    fn leading_comma_moves_to_the_end_of_the_line() {
        assert_eq!(fmt("T\n| project a\n  , b"), "T\n| project a,\n    b");
    }

    #[test]
    fn crlf_is_kept() {
        assert_eq!(fmt("T | take 1\r\n"), "T\r\n| take 1\r\n");
    }
}
