//! Hostile inputs: the parser never panics or overflows the stack, bounds
//! nesting with one clear diagnostic, and keeps every span in bounds.

use kql_syntax::{SyntaxErrorKind, parse, visit::Visitor};

/// Checks the invariants every parse must hold; returns the error kinds.
fn check(src: &str) -> Vec<SyntaxErrorKind> {
    let p = parse(src);
    let len = src.len() as u32;
    for w in p.errors.windows(2) {
        assert!(w[0].span.start <= w[1].span.start, "errors are sorted");
    }
    for e in &p.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= len, "{e:?}");
        assert!(src.is_char_boundary(e.span.start as usize));
        assert!(src.is_char_boundary(e.span.end as usize));
        assert!(!e.message.is_empty());
    }
    // every node span in bounds and on char boundaries
    struct Spans<'a>(&'a str);
    impl Visitor<'_> for Spans<'_> {
        fn visit_expr(&mut self, e: &kql_syntax::ast::Expr) {
            let s = e.span;
            assert!(s.start <= s.end && s.end as usize <= self.0.len(), "{s:?}");
            assert!(
                self.0.is_char_boundary(s.start as usize)
                    && self.0.is_char_boundary(s.end as usize)
            );
            kql_syntax::visit::walk_expr(self, e);
        }
        fn visit_ident(&mut self, i: &kql_syntax::ast::Ident) {
            assert!(i.span.end as usize <= self.0.len());
        }
    }
    Spans(src).visit_query(&p.query);
    // tokens cover the text exactly
    let mut at = 0;
    for t in kql_syntax::lex(src) {
        assert_eq!(t.span.start, at);
        at = t.span.end;
    }
    assert_eq!(at, len);
    p.errors.iter().map(|e| e.kind).collect()
}

#[test]
fn empty_and_comment_only() {
    assert!(check("").is_empty());
    assert!(check("   \n\t ").is_empty());
    assert!(check("// just a comment\n// another").is_empty());
    assert_eq!(parse("// c1\n//c2\n").comments.len(), 2);
    assert!(check("\u{feff}T | take 1").is_empty());
    assert!(check(";;;").is_empty());
}

#[test]
fn deeply_nested_parentheses() {
    for n in [5_000usize, 100_000] {
        let src = format!("print {}1{}", "(".repeat(n), ")".repeat(n));
        let kinds = check(&src);
        assert_eq!(kinds, vec![SyntaxErrorKind::NestingTooDeep], "n = {n}");
    }
    // within the limit: fine
    let src = format!("print {}1{}", "(".repeat(350), ")".repeat(350));
    assert!(check(&src).is_empty());
    let src = format!("print {}1{}", "f(".repeat(350), ")".repeat(350));
    assert!(check(&src).is_empty());
    // unclosed
    let src = format!("print {}1", "(".repeat(100_000));
    assert_eq!(check(&src), vec![SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn deeply_nested_brackets_braces_and_calls() {
    let n = 100_000;
    let src = format!("print dynamic({}1{})", "[".repeat(n), "]".repeat(n));
    assert!(check(&src).contains(&SyntaxErrorKind::NestingTooDeep));
    let src = format!("print {}1{}", "f(".repeat(n), ")".repeat(n));
    assert!(check(&src).contains(&SyntaxErrorKind::NestingTooDeep));
    let src = format!("print x{}", "[0]".repeat(n));
    assert!(check(&src).contains(&SyntaxErrorKind::NestingTooDeep));
    // `{` does not nest in KQL: a few errors, no crash
    let src = format!("let f = (){}{}", "{".repeat(n), "}".repeat(n));
    let kinds = check(&src);
    assert!(!kinds.is_empty() && kinds.len() < 10, "{kinds:?}");
    let src = format!("T{}", " | where x in (T".repeat(n));
    assert!(check(&src).contains(&SyntaxErrorKind::NestingTooDeep));
}

#[test]
fn long_operator_chains() {
    // a flat 1,000-term chain is fine
    let src = format!("T | where {}", vec!["x == 1"; 1_000].join(" or "));
    assert!(check(&src).is_empty());
    // just under the height limit: parses, walks and drops on a 2 MB test thread
    let n = kql_syntax::MAX_HEIGHT as usize - 10;
    let src = format!("print {}", vec!["x"; n].join(" + "));
    assert!(check(&src).is_empty());
    // 100,000 terms: one clear diagnostic, and the tree drops without overflow
    for op in [" or ", " and ", " + ", " * ", " == "] {
        let src = format!("print {}", vec!["x"; 100_000].join(op));
        assert_eq!(check(&src), vec![SyntaxErrorKind::NestingTooDeep], "{op}");
    }
    let src = format!("print x{}", ".y".repeat(100_000));
    assert_eq!(check(&src), vec![SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn unary_chains() {
    let src = format!("print {}1", "-".repeat(100_000));
    let kinds = check(&src);
    assert!(!kinds.is_empty() && kinds.len() < 5, "{kinds:?}");
    let src = format!("print {}1{}", "-(".repeat(100_000), ")".repeat(100_000));
    assert!(check(&src).contains(&SyntaxErrorKind::NestingTooDeep));
}

#[test]
fn a_long_flat_pipeline_and_a_large_query() {
    let src = format!("T{}", " | where x > 1".repeat(20_000));
    assert!(check(&src).is_empty());
    // ~5 MB
    let line = "| extend a = strcat(\"some text\", tostring(x), 'more') // comment\n";
    let src = format!("T\n{}", line.repeat(5_000_000 / line.len()));
    assert!(src.len() > 4_900_000);
    assert!(check(&src).is_empty());
    let src = format!("print {}", "1+".repeat(2_500_000));
    assert!(!check(&src).is_empty());
}

#[test]
fn unterminated_things_at_eof() {
    for src in [
        "print \"abc",
        "print 'abc",
        "print @\"abc",
        "print ```abc",
        "print ~~~abc",
        "print h'abc",
        "print datetime(2020",
        "print dynamic([1, 2",
        "T | where x in (1, 2",
        "T | where (",
        "let f = (x: long) { x",
        "print \"abc\\",
        "print [",
        "print ['abc",
    ] {
        assert!(!check(src).is_empty(), "{src}");
    }
}

#[test]
fn random_bytes_never_crash() {
    // a small deterministic generator (no extra dependency)
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"()[]{}|;:,.=<>!~-+*/%\"'@`h$_ab019 \n\tletwhereprojectin";
    for _ in 0..3_000 {
        let len = (next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 4 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let src = String::from_utf8_lossy(&bytes);
        check(&src);
    }
}

mod props {
    use super::check;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_and_spans_are_sane(src in "\\PC{0,200}") {
            check(&src);
        }

        #[test]
        fn kql_like_text_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("T"), Just(" | "), Just("where "), Just("x"), Just(" == "), Just("1"),
                    Just("("), Just(")"), Just("["), Just("]"), Just("{"), Just("}"), Just(","),
                    Just(";"), Just("let "), Just(" = "), Just("\"s\""), Just("'"), Just("dynamic("),
                    Just(" and "), Just(" in "), Just("project "), Just("summarize "), Just(" by "),
                    Just("\n"), Just("-"), Just("*"), Just("datetime(2020-01-01)"), Just("//c\n"),
                ],
                0..60,
            )
        ) {
            check(&parts.concat());
        }
    }
}
