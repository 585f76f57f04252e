//! Property tests (proptest): for any text, and for token sequences that
//! look like KQL, the lexer covers the text exactly and the parser's spans
//! (errors, labels, comments, every node of the tree) lie inside the text
//! on character boundaries, with the errors sorted.

use kql_syntax::{lex, parse};
use proptest::prelude::*;

/// Pieces that look like KQL, with the characters that break lexers:
/// multi-byte UTF-8, CRLF, unterminated strings and comments.
const PIECES: &[&str] = &[
    "T",
    "SecurityEvent",
    "x",
    "y",
    "Account",
    "ä",
    "😀",
    "\u{feff}",
    "|",
    "where",
    "extend",
    "project",
    "summarize",
    "by",
    "join",
    "kind=inner",
    "on",
    "$left",
    ".",
    "$right",
    "let",
    "=",
    "==",
    "!=",
    "=~",
    "has",
    "!has",
    "in",
    "!in~",
    "between",
    "..",
    "and",
    "or",
    "not",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ":",
    "1",
    "1.5",
    "1e3",
    "0x1f",
    "1d",
    "10ms",
    "\"",
    "\"s\"",
    "\"ä\\\"\"",
    "'",
    "'q'",
    "@\"c:\\\"",
    "h\"x\"",
    "```",
    "```a\nb```",
    "~~~",
    "//",
    "// c\n",
    "datetime(2024-01-01)",
    "dynamic({\"a\":[1]})",
    "typeof(string)",
    "mv-expand",
    "parse",
    "with",
    "*",
    "-",
    "+",
    "/",
    "%",
    "<",
    ">=",
    "=>",
    "->",
    "!",
    "?",
    "#",
    "\\",
    "`",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "\0",
    "\u{2028}",
    "\u{85}",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(str::to_owned),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..80,
    )
    .prop_map(|v| {
        // mostly separated by spaces; sometimes glued together
        let mut s = String::new();
        for (i, p) in v.iter().enumerate() {
            if i % 3 != 2 {
                s.push(' ');
            }
            s.push_str(p);
        }
        s
    })
}

fn check_span(src: &str, start: u32, end: u32, what: &dyn std::fmt::Debug) {
    assert!(
        start <= end && end as usize <= src.len(),
        "span {start}..{end} out of bounds (len {}) in {src:?}: {what:?}",
        src.len()
    );
    assert!(
        src.is_char_boundary(start as usize) && src.is_char_boundary(end as usize),
        "span {start}..{end} not on char boundaries in {src:?}: {what:?}"
    );
}

/// Every `a..b` in the tree's `Debug` form (`Span` prints that way),
/// outside string and char literals.
fn debug_spans(debug: &str) -> Vec<(u32, u32)> {
    let b = debug.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if c.is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) => {
                let s = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b[i..].starts_with(b"..") && b.get(i + 2).is_some_and(u8::is_ascii_digit) {
                    let start = debug[s..i].parse().unwrap_or(u32::MAX);
                    i += 2;
                    let e = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    out.push((start, debug[e..i].parse().unwrap_or(u32::MAX)));
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn check(src: &str) {
    let mut at = 0;
    for t in lex(src) {
        assert_eq!(t.span.start, at, "tokens contiguous in {src:?}");
        assert!(t.span.end > t.span.start, "empty token {t:?} in {src:?}");
        check_span(src, t.span.start, t.span.end, &t);
        at = t.span.end;
    }
    assert_eq!(at as usize, src.len(), "tokens cover {src:?}");

    let p = parse(src);
    for w in p.errors.windows(2) {
        assert!(
            (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end),
            "errors sorted in {src:?}: {:?}",
            p.errors
        );
    }
    for e in &p.errors {
        check_span(src, e.span.start, e.span.end, e);
        assert!(!e.message.is_empty(), "{e:?}");
        for (s, _) in &e.labels {
            check_span(src, s.start, s.end, e);
        }
    }
    for c in &p.comments {
        check_span(src, c.start, c.end, c);
    }
    check_span(src, p.query.span.start, p.query.span.end, &p.query.span);
    for (s, e) in debug_spans(&format!("{:?}", p.query)) {
        check_span(src, s, e, &"a node of the tree");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn spans_of_any_text_are_in_bounds(src in any::<String>()) {
        check(&src);
    }

    #[test]
    fn spans_of_kql_like_text_are_in_bounds(src in tokens()) {
        check(&src);
    }
}

#[test]
fn debug_spans_finds_spans_and_skips_strings() {
    let found = debug_spans(r#"Ident { name: "a..b 1..2", span: 3..14 }, '.', x1..2, Lit(5..6)"#);
    assert_eq!(found, [(3, 14), (5, 6)]);
}

#[test]
fn the_tree_debug_form_holds_spans() {
    // the span check above relies on `Debug` printing spans as `a..b`
    let src = "T | where x == \"1..2\"";
    let spans = debug_spans(&format!("{:?}", parse(src).query));
    assert!(spans.len() >= 5, "{spans:?}");
    assert!(
        spans.iter().any(|&(_, e)| e == src.len() as u32),
        "{spans:?}"
    );
}
