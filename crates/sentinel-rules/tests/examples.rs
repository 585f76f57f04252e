//! Every rule's documented examples: each `fail` example produces the rule's
//! code, each `pass` example does not, and no example produces any other
//! `rule` error.
//!
//! The cross-check examples need facts about their query, which the
//! semantic checker gives in kqlint-core; here they come from
//! `common::facts_of`.

use kqlint_diagnostics::{ExampleKind, Severity};
use kqlint_source::{Limits, Source, SourceKind};
use sentinel_rules::{RULES, check_detection_rule, check_source};

mod common;
use common::facts_of;

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
