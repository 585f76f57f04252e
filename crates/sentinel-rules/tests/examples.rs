//! Every rule's documented examples: each `fail` example produces the rule's
//! code, each `pass` example does not, and no example produces any other
//! `rule` error.
//!
//! The cross-check examples need facts about their query, which the
//! semantic checker gives in kqlint-core; here they come from the query's
//! last `| project` line and its first word (the table), which is how every
//! example query is written, and its look-back from its `ago(<n>d)`.

use kqlint_diagnostics::{ExampleKind, Severity};
use kqlint_source::{Limits, Source, SourceKind};
use sentinel_rules::{QueryFacts, RULES, check_detection_rule, check_source};

fn facts_of(source: &Source) -> Option<QueryFacts> {
    let q = source.query()?;
    let table = q.text.split_whitespace().next()?.to_owned();
    let project = q.text.lines().rev().find_map(|l| {
        l.rfind("| project ")
            .map(|at| &l[at + "| project ".len()..])
    });
    let result_columns = project.map(|p| {
        p.split(',')
            .map(|c| (c.trim().to_owned(), "string".to_owned()))
            .collect()
    });
    let lookback = q.text.find("ago(").and_then(|at| {
        let inner = &q.text[at + 4..];
        let days: u64 = inner.split('d').next()?.parse().ok()?;
        let len = 4 + inner.find(')')? + 1;
        Some((
            days * 86_400,
            q.map_span(kqlint_diagnostics::Span::new(at as u32, (at + len) as u32)),
        ))
    });
    Some(QueryFacts {
        partial: None,
        open: result_columns.is_none(),
        result_columns,
        tables: vec![table],
        optional_tables: Vec::new(),
        lookback,
    })
}

fn check(example: &str, kind: ExampleKind) -> Vec<kqlint_diagnostics::Diagnostic> {
    let (path, source_kind) = match kind {
        ExampleKind::Json => ("rules/example.json", SourceKind::Json),
        _ => ("rules/example.yaml", SourceKind::Yaml),
    };
    let source = Source::from_text(path, example, source_kind, &Limits::default());
    assert!(
        source.diagnostics.is_empty(),
        "example is not a clean file: {:?}\n{example}",
        source.diagnostics
    );
    let facts = facts_of(&source);
    if source_kind == SourceKind::Json {
        // A Defender XDR custom detection rule (the JSON examples' one form).
        let root = source.yaml.as_ref().expect("example parses");
        let rules = kqlint_source::arm::defender_rules(root).expect("example is a detection rule");
        assert_eq!(rules.len(), 1, "one rule per example\n{example}");
        return check_detection_rule(
            &source.path,
            source.text.as_deref().unwrap_or_default(),
            root,
            &rules[0],
            facts.as_ref(),
        )
        .expect("example is a rule")
        .diagnostics;
    }
    check_source(&source, facts.as_ref())
        .expect("example is a rule")
        .diagnostics
}

#[test]
fn fail_examples_fail_and_pass_examples_pass() {
    let mut checked = 0;
    for meta in RULES {
        for ex in meta.fail {
            let diags = check(ex, meta.example_kind);
            assert!(
                diags.iter().any(|d| d.code == meta.code),
                "{} {}: fail example does not produce it; got {diags:#?}\n{ex}",
                meta.code,
                meta.name
            );
            let others: Vec<_> = diags
                .iter()
                .filter(|d| d.code != meta.code && d.severity == Severity::Error)
                .collect();
            assert!(
                others.is_empty(),
                "{} {}: fail example also produces {others:#?}\n{ex}",
                meta.code,
                meta.name
            );
            checked += 1;
        }
        for ex in meta.pass {
            let diags = check(ex, meta.example_kind);
            assert!(
                diags.is_empty(),
                "{} {}: pass example is not clean: {diags:#?}\n{ex}",
                meta.code,
                meta.name
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} examples");
}

#[test]
fn codes_are_in_range_and_documented() {
    for meta in RULES {
        let n: u32 = meta.code[3..].parse().expect("numeric code");
        assert!((401..=499).contains(&n), "{}", meta.code);
        assert_eq!(meta.category, kqlint_diagnostics::Category::Rule);
        // Rule YAML, or (Defender XDR custom detections) the Graph JSON.
        assert!(
            matches!(meta.example_kind, ExampleKind::Yaml | ExampleKind::Json),
            "{}",
            meta.code
        );
        assert!(!meta.pass.is_empty(), "{} has no pass example", meta.code);
        let cross_file = meta.name.starts_with("duplicate-rule");
        assert!(
            cross_file || !meta.fail.is_empty(),
            "{} has no fail example",
            meta.code
        );
    }
}
