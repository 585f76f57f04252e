//! The rules never panic, whatever the tree: every dev-corpus query, cut
//! at several points (unclosed strings, half operators, error nodes), goes
//! through every rule, with and without the semantic analysis, and every
//! fix's edits stay inside the text on character boundaries.

use kql_lint::{LintContext, LintOptions, QueryKind};
use kqlint_source::{Limits, Source};

fn check(text: &str, analysed: bool) {
    let parse = kql_syntax::parse(text);
    let catalog = kql_schema::Catalog::builtin();
    let options = LintOptions::default();
    let analysis;
    let mut ctx = LintContext::new(text, &parse, catalog, QueryKind::Hunting, &options);
    if analysed {
        analysis = kql_semantic::analyze(&parse, text, catalog, &kql_semantic::Options::default());
        ctx = ctx.with_analysis(&analysis);
    }
    for d in kql_lint::lint_query(&ctx) {
        assert!(
            d.span.end as usize <= text.len() && d.span.start <= d.span.end,
            "{d:?}"
        );
        for e in d.fix.iter().flat_map(|f| f.edits.iter()) {
            let (s, t) = (e.span.start as usize, e.span.end as usize);
            assert!(
                s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t),
                "{} fix out of bounds in {text:?}",
                d.code
            );
        }
    }
}

#[test]
fn truncated_corpus_queries() {
    let mut n = 0;
    for (i, f) in kqlint_testkit::corpus_files().iter().enumerate() {
        let src = Source::load(f, &Limits::default());
        let Some(q) = src.query().cloned() else {
            continue;
        };
        let text = q.text.as_str();
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for k in 1..6 {
            let cut = bounds
                .get(bounds.len() * k / 6)
                .copied()
                .unwrap_or(text.len());
            check(&text[..cut], i % 8 == 0);
            n += 1;
        }
        check(text, false);
    }
    assert!(n > 5000, "{n}");
}

#[test]
fn odd_texts() {
    for t in [
        "",
        "let",
        "let x = ;",
        "let x = \"TODO",
        "T | join",
        "T | join kind=",
        "T | where tolower(",
        "T | where tolower() == \"a\"",
        "T | where tolower(a, b) == \"a\"",
        "T | where a matches regex",
        "print makeset(",
        "print replace(1)",
        "T | mv-expand",
        "union",
        "search",
        "let f = (x:string) {",
        "let é = 1;\nprint 'é'",
        "let a = 1;",
        "let a = 1;\r\n",
        "let a = 1;\n\n\n",
        "\u{feff}let a = 1;\nprint 1",
        "dynamic([\"<replace me>\"",
        "T | where a has \"1.2.3.4",
    ] {
        check(t, false);
        check(t, true);
    }
}
