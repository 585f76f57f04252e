//! Re-scanning a scalar's raw source to map every character of its value
//! back to the file.
//!
//! The YAML parser gives a scalar's value and where the scalar starts, not
//! where each character of the value came from. This module reads the raw
//! text again, following YAML 1.2's rules for each style (indentation,
//! chomping, line folding, escapes), and records for each piece of the value
//! the file bytes that produced it. The result is accepted only when the
//! text it rebuilds is exactly the parser's value; otherwise the caller
//! falls back to a coarser mapping. A bug here can make a mapping coarser,
//! never wrong.

use crate::map::MapBuilder;
use crate::yaml::ScalarStyle;

/// How a block scalar ends (its chomping indicator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Chomping {
    /// `-`: no final line break.
    Strip,
    /// No indicator: one final line break.
    Clip,
    /// `+`: every trailing line break.
    Keep,
}

/// The header of a `|` or `>` block scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    pub chomping: Chomping,
    /// The explicit indentation indicator (`|2`), if any.
    pub indent_indicator: Option<u8>,
    /// The content indentation, in columns (spaces) from the line start.
    pub indent: u32,
}

pub(crate) struct Rescanned {
    /// Byte offset of the value's first character: its properties
    /// (`&anchor`, `!tag`), else its header (`|`), quote or first character.
    pub start: usize,
    pub map: MapBuilder,
    pub header: Option<BlockHeader>,
    /// Byte offset just after the last character of the scalar's source
    /// (the closing quote, the last content character of a block).
    pub end: usize,
}

/// Re-scans the scalar that is the value of the key ending at `key_end`;
/// the parser said the scalar ends at `end`. `parent_indent` is the column
/// of the block collection holding the key (-1 at the top level).
///
/// With `strict`, a block scalar is read only with the indentation YAML
/// gives it (auto-detected, or the parent's plus the indicator); otherwise,
/// when that does not rebuild `expected`, other indentations are tried, in
/// case the parent's column was misjudged.
pub(crate) fn rescan(
    src: &str,
    key_end: usize,
    end: usize,
    style: ScalarStyle,
    parent_indent: i64,
    expected: &str,
    strict: bool,
) -> Option<Rescanned> {
    let start = value_start(src, key_end)?;
    let p = skip_properties(src, start)?;
    let r = match style {
        ScalarStyle::Literal | ScalarStyle::Folded => block(
            src,
            p,
            parent_indent,
            style == ScalarStyle::Literal,
            expected,
            strict,
        ),
        ScalarStyle::Plain => flow(src, p, end.min(src.len()), Quote::None, expected),
        ScalarStyle::SingleQuoted => flow(src, p, src.len(), Quote::Single, expected),
        ScalarStyle::DoubleQuoted => flow(src, p, src.len(), Quote::Double, expected),
    }?;
    Some(Rescanned { start, ..r })
}

/// Skips from the end of a key over the `:` and the white space, line
/// breaks and comments after it, to where the value starts.
fn value_start(src: &str, key_end: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut p = key_end;
    while matches!(b.get(p), Some(b' ' | b'\t')) {
        p += 1;
    }
    if b.get(p) != Some(&b':') {
        return None;
    }
    p += 1;
    Some(skip_blank(b, p))
}

/// Skips white space, line breaks and comments.
fn skip_blank(b: &[u8], mut p: usize) -> usize {
    loop {
        match b.get(p) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => p += 1,
            Some(b'#') => p = line_end(b, p),
            _ => return p,
        }
    }
}

/// Skips `&anchor`, `!tag`, and the white space, line breaks and comments
/// after them.
fn skip_properties(src: &str, mut p: usize) -> Option<usize> {
    let b = src.as_bytes();
    while matches!(b.get(p), Some(b'&' | b'!')) {
        while p < b.len() && !matches!(b[p], b' ' | b'\t' | b'\r' | b'\n') {
            p += 1;
        }
        p = skip_blank(b, p);
    }
    (p <= b.len()).then_some(p)
}

/// The length of the line break at `p` (0 when there is none).
fn break_len(b: &[u8], p: usize) -> usize {
    match b.get(p) {
        Some(b'\r') if b.get(p + 1) == Some(&b'\n') => 2,
        Some(b'\r' | b'\n') => 1,
        _ => 0,
    }
}

fn line_end(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && !matches!(b[p], b'\r' | b'\n') {
        p += 1;
    }
    p
}

#[derive(Clone, Copy, Debug)]
enum Line {
    /// A line with no content: where its break is.
    Empty { brk: usize, brk_len: usize },
    /// Content `[start, end)`, then a break of `brk_len` bytes at `end`.
    Content {
        start: usize,
        end: usize,
        brk_len: usize,
        /// Starts with a space or TAB after the indentation (never folded).
        spaced: bool,
    },
}

fn block(
    src: &str,
    p: usize,
    parent_indent: i64,
    literal: bool,
    expected: &str,
    strict: bool,
) -> Option<Rescanned> {
    let b = src.as_bytes();
    if !matches!(b.get(p), Some(b'|' | b'>')) {
        return None;
    }
    let mut q = p + 1;
    let mut chomping = Chomping::Clip;
    let mut indicator = None;
    for _ in 0..2 {
        match b.get(q) {
            Some(b'+') => chomping = Chomping::Keep,
            Some(b'-') => chomping = Chomping::Strip,
            Some(d @ b'1'..=b'9') => indicator = Some(d - b'0'),
            _ => break,
        }
        q += 1;
    }
    while matches!(b.get(q), Some(b' ' | b'\t')) {
        q += 1;
    }
    if b.get(q) == Some(&b'#') {
        q = line_end(b, q);
    }
    let header_end = q;
    let body = match break_len(b, q) {
        0 if q == b.len() => q,
        0 => return None,
        n => q + n,
    };
    let base = parent_indent.max(0) as usize;
    let mut candidates: Vec<usize> = match indicator {
        Some(m) => vec![base + m as usize],
        None => vec![auto_indent(b, body, parent_indent)],
    };
    // When the parent's indentation was guessed wrong, another one may
    // rebuild the value; the comparison with the parser's value decides.
    if !strict {
        let widest = leading_widest(b, body);
        let first = candidates[0];
        candidates.extend((0..=widest.min(256)).filter(|&c| c != first));
    }
    for indent in candidates {
        if let Some(r) =
            block_with_indent(src, header_end, body, indent, literal, chomping, expected)
        {
            return Some(Rescanned {
                start: p,
                header: Some(BlockHeader {
                    chomping,
                    indent_indicator: indicator,
                    indent: indent as u32,
                }),
                ..r
            });
        }
    }
    None
}

/// The widest run of leading spaces over the leading empty lines and the
/// first content line of a block.
fn leading_widest(b: &[u8], body: usize) -> usize {
    let mut p = body;
    let mut widest = 0;
    loop {
        let s = b[p..].iter().take_while(|&&c| c == b' ').count();
        widest = widest.max(s);
        p += s;
        match break_len(b, p) {
            0 => return widest,
            n => p += n,
        }
    }
}

/// Auto-detected indentation, as saphyr-parser does it: the widest leading
/// spaces of the leading lines, and more than the parent's.
fn auto_indent(b: &[u8], body: usize, parent_indent: i64) -> usize {
    let widest = leading_widest(b, body);
    let mut indent = widest.max((parent_indent + 1).max(0) as usize);
    if parent_indent > 0 {
        indent = indent.max(1);
    }
    indent
}

fn block_with_indent(
    src: &str,
    header_end: usize,
    body: usize,
    indent: usize,
    literal: bool,
    chomping: Chomping,
    expected: &str,
) -> Option<Rescanned> {
    let b = src.as_bytes();
    let mut lines = Vec::new();
    let mut p = body;
    // The block runs into the end of the file on a line without a break:
    // the column where it stops.
    let mut eof_col: Option<usize> = None;
    while p < b.len() {
        let spaces = b[p..]
            .iter()
            .take(indent)
            .take_while(|&&c| c == b' ')
            .count();
        let at = p + spaces;
        let n = break_len(b, at);
        if n > 0 {
            lines.push(Line::Empty {
                brk: at,
                brk_len: n,
            });
            p = at + n;
            continue;
        }
        if at == b.len() {
            eof_col = Some(spaces);
            break;
        }
        if spaces < indent {
            break;
        }
        if indent == 0 && is_document_marker(b, p) {
            break;
        }
        let end = line_end(b, at);
        let brk_len = break_len(b, end);
        lines.push(Line::Content {
            start: at,
            end,
            brk_len,
            spaced: matches!(b[at], b' ' | b'\t'),
        });
        p = end + brk_len;
        if brk_len == 0 {
            eof_col = Some(indent + src[at..end].chars().count());
            break;
        }
    }
    let last_content = lines
        .iter()
        .rposition(|l| matches!(l, Line::Content { .. }));
    let mut out = MapBuilder::default();
    let mut prev: Option<(usize, usize, bool)> = None; // (break at, break len, spaced)
    let mut empties: Vec<(usize, usize)> = Vec::new();
    let mut end = header_end;
    for line in &lines[..last_content.map_or(0, |i| i + 1)] {
        match *line {
            Line::Empty { brk, brk_len } => empties.push((brk, brk_len)),
            Line::Content {
                start,
                end: e,
                brk_len,
                spaced,
            } => {
                match prev {
                    None => {
                        for &(at, n) in &empties {
                            out.line_break(src, at, n);
                        }
                    }
                    Some((at, n, prev_spaced)) => {
                        if !literal && !prev_spaced && !spaced {
                            if empties.is_empty() {
                                out.produced(" ", at, n);
                            }
                        } else {
                            out.line_break(src, at, n);
                        }
                        for &(at, n) in &empties {
                            out.line_break(src, at, n);
                        }
                    }
                }
                empties.clear();
                out.verbatim(src, start, e);
                prev = Some((e, brk_len, spaced));
                end = e;
            }
        }
    }
    // The tail: the last content line's break and the empty lines after it.
    let trailing = &lines[last_content.map_or(0, |i| i + 1)..];
    match chomping {
        Chomping::Strip => {}
        Chomping::Clip => {
            if let Some((at, n, _)) = prev
                && n > 0
            {
                out.line_break(src, at, n);
            }
        }
        Chomping::Keep => {
            if let Some((at, n, _)) = prev
                && n > 0
            {
                out.line_break(src, at, n);
            }
            for l in trailing {
                if let Line::Empty { brk, brk_len } = *l {
                    out.line_break(src, brk, brk_len);
                }
            }
        }
    }
    // saphyr-parser adds a line break when the file ends on a line without
    // a break at or past the block's indentation (after the last content
    // character, or after indentation spaces). It has no source, so it maps
    // to the end of the file.
    if let Some(col) = eof_col
        && chomping != Chomping::Strip
    {
        let extra = match last_content {
            Some(_) => col >= indent.max(1),
            None => chomping == Chomping::Keep && trailing.is_empty() && col > 0,
        };
        if extra {
            out.produced("\n", src.len(), 0);
        }
    }
    if out.text != expected {
        return None;
    }
    Some(Rescanned {
        start: body,
        map: out,
        header: None,
        end,
    })
}

fn is_document_marker(b: &[u8], p: usize) -> bool {
    (b[p..].starts_with(b"---") || b[p..].starts_with(b"..."))
        && matches!(b.get(p + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Plain and quoted scalars: line folding, `''`, and `\` escapes.
fn flow(src: &str, p: usize, limit: usize, quote: Quote, expected: &str) -> Option<Rescanned> {
    let b = src.as_bytes();
    let (mut i, stop) = match quote {
        Quote::None => (p, limit),
        Quote::Single if b.get(p) == Some(&b'\'') => (p + 1, limit),
        Quote::Double if b.get(p) == Some(&b'"') => (p + 1, limit),
        _ => return None,
    };
    let mut out = MapBuilder::default();
    let mut pending_ws: Option<usize> = None;
    let mut closed = quote == Quote::None;
    while i < stop {
        let c = b[i];
        match c {
            b' ' | b'\t' => {
                pending_ws.get_or_insert(i);
                i += 1;
            }
            b'\r' | b'\n' => {
                let fold_start = pending_ws.take().unwrap_or(i);
                i = fold(src, &mut out, fold_start, i, stop, true);
            }
            b'\'' if quote == Quote::Single => {
                if let Some(ws) = pending_ws.take() {
                    out.verbatim(src, ws, i);
                }
                if b.get(i + 1) == Some(&b'\'') {
                    out.produced("'", i, 2);
                    i += 2;
                } else {
                    closed = true;
                    i += 1;
                    break;
                }
            }
            b'"' if quote == Quote::Double => {
                if let Some(ws) = pending_ws.take() {
                    out.verbatim(src, ws, i);
                }
                closed = true;
                i += 1;
                break;
            }
            b'\\' if quote == Quote::Double => {
                if let Some(ws) = pending_ws.take() {
                    out.verbatim(src, ws, i);
                }
                if break_len(b, i + 1) > 0 {
                    // An escaped line break: no space, and the next line's
                    // leading white space is dropped.
                    i = fold(src, &mut out, i, i + 1, stop, false);
                } else {
                    let (s, len) = escape(src, i)?;
                    let mut buf = [0u8; 4];
                    out.produced(s.encode_utf8(&mut buf), i, len);
                    i += len;
                }
            }
            _ => {
                if let Some(ws) = pending_ws.take() {
                    out.verbatim(src, ws, i);
                }
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                out.verbatim(src, i, i + len);
                i += len;
            }
        }
    }
    if let Some(ws) = pending_ws.take() {
        // Trailing white space of a plain scalar is not part of it; the
        // parser's end excludes it anyway.
        if quote != Quote::None {
            out.verbatim(src, ws, i);
        }
    }
    if !closed || out.text != expected {
        return None;
    }
    Some(Rescanned {
        start: p,
        map: out,
        header: None,
        end: i,
    })
}

/// Folds the line break at `brk` (and the empty lines after it) and skips
/// the next line's leading white space. `space`: a single break becomes a
/// space (a plain fold) rather than nothing (an escaped break). Returns
/// where the next content starts.
fn fold(
    src: &str,
    out: &mut MapBuilder,
    from: usize,
    brk: usize,
    stop: usize,
    space: bool,
) -> usize {
    let b = src.as_bytes();
    let mut i = brk + break_len(b, brk);
    let mut empties = Vec::new();
    loop {
        let mut j = i;
        while j < stop && matches!(b[j], b' ' | b'\t') {
            j += 1;
        }
        let n = break_len(b, j);
        if n > 0 && j < stop {
            empties.push((j, n));
            i = j + n;
        } else {
            i = j;
            break;
        }
    }
    if empties.is_empty() {
        if space {
            out.produced(" ", from, i - from);
        }
    } else {
        for (at, n) in empties {
            out.produced("\n", at, n);
        }
    }
    i
}

/// The character a `\` escape at `at` stands for, and the escape's length.
fn escape(src: &str, at: usize) -> Option<(char, usize)> {
    let b = src.as_bytes();
    let c = *b.get(at + 1)?;
    let simple = match c {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = src.get(at + 2..at + 2 + n)?;
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some((char::from_u32(v)?, 2 + n));
        }
        _ => return None,
    };
    Some((simple, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rescans the value of the top-level key `k:` in `src`.
    fn value(src: &str, style: ScalarStyle, expected: &str) -> Option<String> {
        let r = rescan(src, 1, src.len(), style, 0, expected, false)?;
        Some(r.map.text)
    }

    #[test]
    fn literal_chomping() {
        let src = "k: |\n  a\n   b\n\n";
        assert_eq!(
            value(src, ScalarStyle::Literal, "a\n b\n").unwrap(),
            "a\n b\n"
        );
        let src = "k: |-\n  a\n\n";
        assert_eq!(value(src, ScalarStyle::Literal, "a").unwrap(), "a");
        let src = "k: |+\n  a\n\n";
        assert_eq!(value(src, ScalarStyle::Literal, "a\n\n").unwrap(), "a\n\n");
    }

    #[test]
    fn folded_keeps_spaced_lines() {
        let src = "k: >\n  a\n  b\n\n   c\n  d\n";
        assert_eq!(
            value(src, ScalarStyle::Folded, "a b\n\n c\nd\n").unwrap(),
            "a b\n\n c\nd\n"
        );
    }

    #[test]
    fn double_quoted_escapes_and_folds() {
        let src = "k: \"a\\\n  b \\x41\\u00e4 \n\n  c\"";
        assert_eq!(
            value(src, ScalarStyle::DoubleQuoted, "ab Aä\nc").unwrap(),
            "ab Aä\nc"
        );
    }

    #[test]
    fn single_quoted() {
        let src = "k: 'it''s  \n   x'";
        assert_eq!(
            value(src, ScalarStyle::SingleQuoted, "it's x").unwrap(),
            "it's x"
        );
    }

    #[test]
    fn a_wrong_expectation_is_refused() {
        let src = "k: |\n  a\n";
        assert!(value(src, ScalarStyle::Literal, "b\n").is_none());
    }
}
