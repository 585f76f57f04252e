//! Every registered rule's documented examples, run through the real
//! engine: each `fail` example must produce the rule's code and each `pass`
//! example must not. The docs cannot drift from the behaviour.

use kqlint_core::registry;
use kqlint_core::{ConfigOptions, Engine, EngineOptions, ExampleKind, Limits, Source, SourceKind};

/// Every rule enabled (opt-in ones too), no kqlint.toml discovery.
fn engine() -> Engine {
    let every: Vec<String> = registry::all().iter().map(|m| m.code.to_owned()).collect();
    Engine::new(EngineOptions {
        config: ConfigOptions {
            select: Some(every),
            ..ConfigOptions::isolated()
        },
        ..EngineOptions::default()
    })
    .expect("engine")
}

#[test]
fn every_rule_example_behaves_as_documented() {
    let engine = engine();
    let mut failures = Vec::new();
    let mut checked = 0;
    for m in registry::all() {
        let (name, kind) = match m.example_kind {
            ExampleKind::Kql => ("example.kql", SourceKind::Kql),
            ExampleKind::Yaml => ("example.yaml", SourceKind::Yaml),
            ExampleKind::Markdown => ("example.md", SourceKind::Markdown),
            ExampleKind::Json => ("example.json", SourceKind::Json),
            ExampleKind::Bicep => ("example.bicep", SourceKind::Bicep),
            ExampleKind::None => {
                assert!(
                    m.fail.is_empty() && m.pass.is_empty(),
                    "{}: examples without a kind",
                    m.code
                );
                continue;
            }
        };
        // kqlint's own lint and placeholder rules all show a finding; some
        // syntax conditions (nesting too deep) cannot be shown in a doc.
        if matches!(
            m.category,
            kqlint_core::Category::Lint | kqlint_core::Category::Placeholder
        ) {
            assert!(
                !m.fail.is_empty(),
                "{} {} has no failing example",
                m.code,
                m.name
            );
        }
        for (expect, list) in [(true, m.fail), (false, m.pass)] {
            for example in list {
                checked += 1;
                let source = Source::from_text(name, *example, kind, &Limits::default());
                let report = engine.check_source(name, source);
                let found = report.diagnostics.iter().any(|d| d.code == m.code);
                if found != expect {
                    let got: Vec<String> = report
                        .diagnostics
                        .iter()
                        .map(|d| format!("{} {}", d.code, d.message))
                        .collect();
                    failures.push(format!(
                        "{} {}: this {} example {}:\n{example}\n  got: {got:#?}",
                        m.code,
                        m.name,
                        if expect { "`fail`" } else { "`pass`" },
                        if expect {
                            "is not reported"
                        } else {
                            "is reported"
                        },
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 100, "only {checked} examples");
}

#[test]
fn every_category_has_examples_run() {
    use std::collections::HashSet;
    let with_examples: HashSet<_> = registry::all()
        .iter()
        .filter(|m| m.example_kind != ExampleKind::None)
        .map(|m| m.category)
        .collect();
    for c in [
        kqlint_core::Category::Syntax,
        kqlint_core::Category::Placeholder,
        kqlint_core::Category::Lint,
        kqlint_core::Category::Yaml,
    ] {
        assert!(with_examples.contains(&c), "no example of category {c}");
    }
}
