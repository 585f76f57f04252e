//! Line wrapping: where to break a line that is longer than the width.
//!
//! Wrapping only ever adds line breaks between two tokens written on one
//! line; where the next line starts is the layout's business (see
//! `layout.rs`), so a wrapped line is indented exactly as the same break
//! written by hand would be. For each line that is too long, the first of
//! these that finds somewhere to break is used:
//!
//! 1. **`by` of `summarize` / `make-series`**: a line break before the
//!    `by` clause.
//! 2. **Commas at the line's own level** (not inside a bracket opened on
//!    the line): a line break after each (`project`, `extend`, `by` lists,
//!    a statement's arguments).
//! 3. **The outermost list bracket** opened on the line (an argument list,
//!    an `in (...)` list, `dynamic([...])`; of two side by side, the
//!    longer), one item per line: a line break after the opener, after
//!    each of its own commas and before its closer.
//!
//! The lines this gives are looked at again in the next round, so a long
//! item of a list is wrapped in turn. A line with none of these places
//! (one long string, a long condition without commas) stays as it is.
//!
//! Width is counted in characters, from the start of the line to the end
//! of its last token: a comment at the end of a line does not count (the
//! code is not moved for it).

use crate::FormatOptions;
use crate::layout::{self, Gap, Laid, Tok};
use kql_syntax::TokenKind::{
    Comma, Ident, LBrace, LBracket, LParen, Pipe, RBrace, RBracket, RParen, Semi,
};

/// Lays `src` out, wrapping lines longer than `options.line_width`; the
/// result is checked by the caller.
///
/// Wrapping runs in rounds: each round picks line breaks for every line
/// that is too long ([`breaks`]), adds them to the gaps as if
/// the source had them, and lays the whole text out again, until no line
/// that is too long can be broken further. Every round adds at least one
/// break, so this ends; and since the result is the plain layout of a text
/// with those breaks, formatting it again finds nothing left to do.
pub(crate) fn layout(src: &str, options: &FormatOptions) -> Laid {
    let (mut toks, tail) = layout::split(src);
    if toks.is_empty() && !tail.has_comments() {
        return Laid {
            text: src.to_owned(),
            starts: Vec::new(),
            joined: Vec::new(),
            statements: Vec::new(),
        };
    }
    let piped = layout::piped_brackets(&toks);
    let nl = layout::newline(src);
    let mut laid = layout::write(&toks, &tail, &piped, nl, options);
    let shape = Shape::of(&toks, &piped);
    loop {
        let breaks = breaks(&toks, &shape, &laid, options.line_width);
        if breaks.is_empty() {
            return laid;
        }
        for i in breaks {
            toks[i].0.add_break();
        }
        laid = layout::write(&toks, &tail, &piped, nl, options);
    }
}

/// What wrapping needs to know about the tokens' structure; it does not
/// change from one round to the next.
pub(crate) struct Shape<'a> {
    /// For each bracket, the index of its partner (unmatched: `None`).
    partner: Vec<Option<usize>>,
    /// For each comma, the opening bracket it stands directly in.
    owner: Vec<Option<usize>>,
    /// For each opening bracket: a list whose items may go one per line
    /// (it has a comma of its own, holds no pipeline, is no function body).
    list: Vec<bool>,
    /// For each token, the tabular operator of the pipeline it is in (the
    /// name after the last `|` of its bracket and statement).
    operator: Vec<Option<&'a str>>,
}

impl<'a> Shape<'a> {
    pub(crate) fn of(toks: &[(Gap<'a>, Tok<'a>)], piped: &[bool]) -> Shape<'a> {
        let n = toks.len();
        let mut partner = vec![None; n];
        let mut owner = vec![None; n];
        let mut list = vec![false; n];
        let mut operator = vec![None; n];
        // Open brackets, each with the operator of its pipeline.
        let mut open: Vec<(usize, Option<&'a str>)> = Vec::new();
        let mut op: Option<&'a str> = None;
        let mut after_pipe = false;
        for (i, (_, t)) in toks.iter().enumerate() {
            match t.kind {
                LParen | LBracket | LBrace => {
                    operator[i] = op;
                    open.push((i, op));
                    op = None;
                }
                RParen | RBracket | RBrace => {
                    if let Some((o, outer)) = open.pop() {
                        partner[o] = Some(i);
                        partner[i] = Some(o);
                        op = outer;
                    }
                    operator[i] = op;
                }
                Comma => {
                    operator[i] = op;
                    if let Some(&(o, _)) = open.last() {
                        owner[i] = Some(o);
                        let body =
                            t_kind(toks, o) == LBrace && o > 0 && t_kind(toks, o - 1) == RParen;
                        list[o] = !piped[o] && !body;
                    }
                }
                Semi => {
                    op = None;
                    operator[i] = op;
                }
                Pipe => operator[i] = op,
                _ => {
                    if after_pipe && t.kind == Ident {
                        op = Some(t.text);
                    }
                    operator[i] = op;
                }
            }
            after_pipe = t.kind == Pipe;
        }
        Shape {
            partner,
            owner,
            list,
            operator,
        }
    }
}

fn t_kind(toks: &[(Gap<'_>, Tok<'_>)], i: usize) -> kql_syntax::TokenKind {
    toks[i].1.kind
}

/// The tokens before which a line break goes in this round: for every line
/// of `laid` longer than `width` that can be broken, the places of the
/// first rule that finds any. Only tokens written on the line of the token
/// before (after a gap without comments or breaks) are returned, so every
/// one is a new break.
pub(crate) fn breaks(
    toks: &[(Gap<'_>, Tok<'_>)],
    shape: &Shape<'_>,
    laid: &Laid,
    width: usize,
) -> Vec<usize> {
    let pos = positions(&laid.text, &laid.starts);
    let mut out = Vec::new();
    let mut a = 0;
    while a < toks.len() {
        let line = pos[a].0;
        let mut b = a;
        while b + 1 < toks.len() && pos[b + 1].0 == line {
            b += 1;
        }
        let end = (a..=b)
            .map(|i| pos[i].1 + first_line_chars(toks[i].1.text))
            .max()
            .unwrap_or(0);
        if end > width {
            let new = |i: usize| laid.joined[i] && toks[i].0.can_break();
            out.extend(line_breaks(toks, shape, &laid.starts, (a, b), &new));
        }
        a = b + 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Where to break the line of tokens `a..=b` (`starts`: where each token
/// was written): the places of the first rule that has any where `new`
/// holds (a break can be added there).
fn line_breaks(
    toks: &[(Gap<'_>, Tok<'_>)],
    shape: &Shape<'_>,
    starts: &[usize],
    (a, b): (usize, usize),
    new: &dyn Fn(usize) -> bool,
) -> Vec<usize> {
    // Depth relative to the start of the line: brackets opened on it.
    let mut depth = Vec::with_capacity(b + 1 - a);
    let mut d: i64 = 0;
    for (_, t) in &toks[a..=b] {
        if matches!(t.kind, RParen | RBracket | RBrace) {
            d -= 1;
        }
        depth.push(d);
        if matches!(t.kind, LParen | LBracket | LBrace) {
            d += 1;
        }
    }
    let top = |i: usize| depth[i - a] <= 0;
    // 1. before the `by` of summarize / make-series
    let by: Vec<usize> = (a + 1..=b)
        .filter(|&i| {
            let t = &toks[i].1;
            t.kind == Ident
                && t.text == "by"
                && top(i)
                && shape.operator[i].is_some_and(|op| {
                    matches!(op, "summarize" | "make-series") && toks[i - 1].1.text != op
                })
                && new(i)
        })
        .collect();
    if !by.is_empty() {
        return by;
    }
    // 2. after the commas at the line's own level
    let commas: Vec<usize> = (a..b)
        .filter(|&i| toks[i].1.kind == Comma && top(i) && new(i + 1))
        .map(|i| i + 1)
        .collect();
    if !commas.is_empty() {
        return commas;
    }
    // 3. inside the outermost list bracket opened on the line (the longer
    // of two side by side) that is not broken yet
    let mut lists: Vec<(usize, usize)> = (a..=b)
        .filter_map(|i| Some((i, shape.partner[i]?)).filter(|_| shape.list[i]))
        .collect();
    lists.sort_by_key(|&(i, close)| {
        (
            depth[i - a],
            std::cmp::Reverse(starts[close] - starts[i]),
            i,
        )
    });
    for (o, close) in lists {
        let mut places = vec![o + 1];
        places.extend(
            (o + 1..close)
                .filter(|&i| shape.owner[i] == Some(o))
                .map(|i| i + 1),
        );
        places.push(close);
        places.retain(|&i| i > o && i <= close && new(i));
        if !places.is_empty() {
            return places;
        }
    }
    Vec::new()
}

/// The line (0-based) and column (in characters) of each token's start.
fn positions(text: &str, starts: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(starts.len());
    let (mut line, mut col, mut at) = (0, 0, 0);
    for &s in starts {
        for c in text[at..s].chars() {
            match c {
                '\n' => {
                    line += 1;
                    col = 0;
                }
                '\r' => {}
                _ => col += 1,
            }
        }
        at = s;
        out.push((line, col));
    }
    out
}

/// The width of a token's first line (a multi-line string's goes on).
fn first_line_chars(text: &str) -> usize {
    text.chars().take_while(|&c| c != '\n' && c != '\r').count()
}

#[cfg(test)]
mod tests {
    use crate::{FormatOptions, PipeStyle, format};

    fn wrap(text: &str, width: usize) -> String {
        let options = FormatOptions {
            line_width: width,
            ..FormatOptions::default()
        };
        let out = format(text, &options).unwrap();
        assert_eq!(format(&out, &options).unwrap(), out, "not idempotent");
        out
    }

    #[test]
    fn a_line_that_fits_is_left_alone() {
        let text = "T\n| project a, b, c\n| where x in (1, 2)";
        assert_eq!(wrap(text, 30), text);
        // the width is a limit, not a target: a line exactly as long stays
        assert_eq!(wrap(text, 19), text);
        assert_eq!(
            wrap(text, 18),
            "T\n| project a, b, c\n| where x in (\n    1,\n    2\n)"
        );
    }

    #[test]
    fn commas_of_the_line_before_brackets() {
        assert_eq!(
            wrap("T | extend a = f(x, y), b = g(z)", 21),
            "T\n| extend a = f(x, y),\n    b = g(z)"
        );
    }

    #[test]
    fn by_of_summarize_but_not_of_order_by() {
        assert_eq!(
            wrap("T | summarize n = count(), m = dcount(x) by a", 40),
            "T\n| summarize n = count(), m = dcount(x)\n    by a"
        );
        assert_eq!(
            wrap("T | order by aaaa asc, bbbb desc", 20),
            "T\n| order by aaaa asc,\n    bbbb desc"
        );
    }

    #[test]
    fn the_longer_of_two_lists_first() {
        assert_eq!(
            wrap("print f(a, b) + g(cccc, dddd, eeee)", 30),
            "print f(a, b) + g(\n    cccc,\n    dddd,\n    eeee\n)"
        );
    }

    #[test]
    fn a_function_body_is_not_a_list() {
        // the braces hold statements: only the parameter list is one
        let out = wrap("let f = (a: int, b: int) { print a, b };\nf(1, 2)", 30);
        assert_eq!(
            out,
            "let f = (\n    a: int,\n    b: int\n) { print a, b };\nf(1, 2)"
        );
    }

    #[test]
    fn comments_stay_where_they_are() {
        let text = "T\n| project aaaa, // first\n    bbbb, cccc, dddd, eeee";
        assert_eq!(
            wrap(text, 20),
            "T\n| project aaaa, // first\n    bbbb,\n    cccc,\n    dddd,\n    eeee"
        );
    }

    #[test]
    fn a_multi_line_string_counts_its_first_line() {
        let text = "print x = ```a\nb```, y = 1";
        assert_eq!(wrap(text, 12), "print x = ```a\nb```, y = 1");
        assert_eq!(wrap(text, 10), "print x = ```a\nb```,\n    y = 1");
    }

    #[test]
    fn trailing_pipes_wrap_the_same_way() {
        let options = FormatOptions {
            line_width: 30,
            pipe: PipeStyle::Trailing,
            ..FormatOptions::default()
        };
        let out = format("T | summarize n = count() by aaaa, bbbb", &options).unwrap();
        assert_eq!(out, "T |\nsummarize n = count()\n    by aaaa, bbbb");
    }
}
