//! Differential test during the port: the chumsky parser against the
//! hand-written one on every corpus query, probe query and snapshot case
//! (and on generated text). Trees must be identical and errors the same
//! (kind, span, message), except the reviewed improvements listed below.

use crate::error::SyntaxError;
use crate::{Parse, ast};
use std::fmt::Write;
use std::path::Path;

fn parse_new(src: &str) -> Parse {
    let tokens = crate::lexer::lex(src);
    let comments = tokens
        .iter()
        .filter(|t| t.kind == crate::TokenKind::Comment)
        .map(|t| t.span)
        .collect();
    let (query, mut errors) = super::parse_tokens(src, &tokens);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parse {
        query,
        errors,
        comments,
    }
}

fn parse_old(src: &str) -> Parse {
    let tokens = crate::lexer::lex(src);
    let comments = tokens
        .iter()
        .filter(|t| t.kind == crate::TokenKind::Comment)
        .map(|t| t.span)
        .collect();
    let mut p = crate::parser::Parser::new(src, &tokens);
    let query = p.parse_query();
    let mut errors = std::mem::take(&mut p.errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parse {
        query,
        errors,
        comments,
    }
}

fn show(src: &str, errors: &[SyntaxError]) -> String {
    crate::dump_errors(src, errors)
}

/// Compares both parsers on `src`; a description of the difference.
fn compare(src: &str) -> Option<String> {
    let old = parse_old(src);
    let new = parse_new(src);
    let mut out = String::new();
    if old.query != new.query {
        let a = crate::dump_tree(&old.query);
        let b = crate::dump_tree(&new.query);
        if a == b {
            let _ = writeln!(
                out,
                "trees differ (same dump):\n{:#?}\n{:#?}",
                old.query, new.query
            );
        } else {
            let _ = writeln!(out, "trees differ:\n--- old\n{a}--- new\n{b}");
        }
    }
    if old.errors != new.errors {
        let _ = writeln!(
            out,
            "errors differ:\n--- old\n{}--- new\n{}",
            show(src, &old.errors),
            show(src, &new.errors)
        );
    }
    (!out.is_empty()).then_some(out)
}

fn inputs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in kqlint_testkit::corpus_files() {
        if let Some(q) = kqlint_testkit::corpus_query(&p) {
            out.push((format!("corpus {}", p.display()), q));
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let probes = std::fs::read_to_string(root.join("oracle-probes.tsv")).expect("probes");
    for line in probes
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (_, q) = line.split_once('\t').expect("verdict<TAB>query");
        out.push((format!("probe {q}"), q.replace("\\N", "\n")));
    }
    for dir in ["valid", "broken"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join("cases").join(dir))
            .expect("cases")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("case");
            for (i, chunk) in text.split("// ----\n").enumerate() {
                out.push((format!("case {} #{i}", f.display()), chunk.to_string()));
            }
        }
    }
    out
}

#[test]
fn chumsky_parser_matches_the_hand_written_one() {
    let inputs = inputs();
    let mut report = String::new();
    let mut n_diff = 0;
    for (name, src) in &inputs {
        if let Some(d) = compare(src) {
            n_diff += 1;
            if n_diff <= 30 {
                let _ = writeln!(report, "==== {name}\n{src}\n{d}");
            }
        }
    }
    println!("differential: {} inputs, {n_diff} differ", inputs.len());
    assert!(
        n_diff == 0,
        "{n_diff} of {} differ:\n{report}",
        inputs.len()
    );
}

/// Generated text: random bytes and KQL-like fragments.
#[test]
fn chumsky_parser_matches_on_generated_text() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"()[]{}|;:,.=<>!~-+*/%\"'@`h$_ab019 \n\tletwhereprojectin";
    let parts = [
        "T",
        " | ",
        "where ",
        "x",
        " == ",
        "1",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "let ",
        " = ",
        "\"s\"",
        "'",
        "dynamic(",
        " and ",
        " in ",
        "project ",
        "summarize ",
        " by ",
        "\n",
        "-",
        "*",
        "datetime(2020-01-01)",
        "//c\n",
        "extend ",
        "join ",
        " on ",
        "mv-expand ",
        "parse ",
        " with ",
        "union ",
        "print ",
        "count",
        "f(",
        "x.y",
        "kind=inner ",
        "$left.",
        "between (",
        " .. ",
        "has_any",
        "!has",
        "make-series ",
        " step ",
        "render ",
        "top ",
        "sort by ",
        " desc",
        "datatable(",
        ": string",
        "evaluate ",
        "search ",
        "find ",
        "range ",
        " from ",
        " to ",
        "fork ",
        "facet ",
        "partition ",
        "scan ",
        "graph-match ",
        "-->",
        "(n)-[e]->(m)",
        "materialize(",
        "toscalar(",
        "let f = (a: long) { ",
        "view",
        "externaldata(",
        "with (",
        "ago(1d)",
        "typeof(",
        "entity_group",
        "!in~ ",
        "=~",
    ];
    let mut report = String::new();
    let mut n_diff = 0;
    let total = 6000;
    for i in 0..total {
        let src = if i % 2 == 0 {
            let len = (next() % 120) as usize;
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
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let n = (next() % 40) as usize;
            (0..n)
                .map(|_| parts[(next() >> 8) as usize % parts.len()])
                .collect::<String>()
        };
        if let Some(d) = compare(&src) {
            n_diff += 1;
            if n_diff <= 20 {
                let _ = writeln!(report, "==== {src:?}\n{d}");
            }
        }
    }
    println!("generated: {total} inputs, {n_diff} differ");
    assert!(n_diff == 0, "{n_diff} of {total} differ:\n{report}");
}

#[allow(dead_code)]
fn unused(_: &ast::Query) {}

/// Reports the inputs that need the most stack (debug build).
#[test]
#[ignore]
fn find_stack_hogs() {
    let mut worst: Vec<(usize, String)> = Vec::new();
    for (name, src) in inputs() {
        let used = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let top = stacker::remaining_stack().unwrap_or(0);
                super::base::STACK_LOW.with(|c| c.set(usize::MAX));
                let _ = parse_new(&src);
                top - super::base::STACK_LOW.with(|c| c.get()).min(top)
            })
            .unwrap()
            .join()
            .unwrap();
        worst.push((used, name));
    }
    worst.sort();
    for (u, n) in worst.iter().rev().take(15) {
        println!("{u:>10} {n}");
    }
}

#[test]
#[ignore]
fn stack_per_level() {
    for src in [
        "1".to_string(),
        "x".to_string(),
        "x.y".to_string(),
        "-x".to_string(),
        "x + 1".to_string(),
        "T | take 1".to_string(),
        "print 1".to_string(),
        "print (1)".to_string(),
        "print ((1))".to_string(),
        "print (((((((((((1)))))))))))".to_string(),
        "print f(f(f(f(f(f(f(f(f(f(1))))))))))".to_string(),
        "T | where x == 1".to_string(),
        "T | where x == 1 | join (U | where y == 2) on z".to_string(),
        "let f = (a: long) { T | where x == a }; f(1)".to_string(),
    ] {
        let s = src.clone();
        let used = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let top = stacker::remaining_stack().unwrap_or(0);
                super::base::STACK_LOW.with(|c| c.set(usize::MAX));
                let _ = parse_new(&s);
                top - super::base::STACK_LOW.with(|c| c.get()).min(top)
            })
            .unwrap()
            .join()
            .unwrap();
        println!("{used:>10} {src}");
    }
}
