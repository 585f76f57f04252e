//! The rule-YAML stage in the engine: sentinel-rules' documented examples
//! with the query facts the semantic stage gives (result columns, tables
//! read), and the cross-file duplicate-id pass of `check_targets` under the
//! configuration.

use kqlint_core::{Engine, EngineOptions, Limits, Severity, Source, SourceKind, Target};
use kqlint_testkit::TempDir;
use std::path::{Path, PathBuf};

fn engine() -> Engine {
    Engine::new(EngineOptions::default()).expect("engine")
}

/// Every rule enabled, opt-in ones too.
fn engine_with_every_rule() -> Engine {
    let every = kqlint_core::registry::all()
        .iter()
        .map(|m| m.code.to_owned())
        .collect();
    Engine::new(EngineOptions {
        config: kqlint_core::ConfigOptions {
            select: Some(every),
            ..kqlint_core::ConfigOptions::isolated()
        },
        ..EngineOptions::default()
    })
    .expect("engine")
}

fn rule_codes(engine: &Engine, path: &str, yaml: &str) -> Vec<(&'static str, Severity)> {
    let source = Source::from_text(path, yaml, SourceKind::Yaml, &Limits::default());
    engine
        .check_source(path, source)
        .diagnostics
        .iter()
        .filter(|d| d.category == kqlint_core::Category::Rule)
        .map(|d| (d.code, d.severity))
        .collect()
}

#[test]
fn examples_with_semantic_facts() {
    let engine = engine_with_every_rule();
    for meta in sentinel_rules::RULES {
        for ex in meta.fail {
            let got = rule_codes(&engine, "rules/example.yaml", ex);
            assert!(
                got.iter().any(|(c, _)| *c == meta.code),
                "{} {}: not reported through the engine; got {got:?}\n{ex}",
                meta.code,
                meta.name
            );
        }
        for ex in meta.pass {
            let got = rule_codes(&engine, "rules/example.yaml", ex);
            assert!(
                got.is_empty(),
                "{} {}: pass example reported {got:?}\n{ex}",
                meta.code,
                meta.name
            );
        }
    }
}

#[test]
fn opt_in_rule_checks_run_only_when_selected() {
    let m = &sentinel_rules::ALERT_PER_RESULT_UNBOUNDED;
    let ex = m.fail[0];
    let code = |e: &Engine| {
        rule_codes(e, "rules/example.yaml", ex)
            .iter()
            .any(|(c, _)| *c == m.code)
    };
    assert!(!code(&engine()), "{} ran without being selected", m.code);
    assert!(code(&engine_with_every_rule()));
}

#[test]
fn seed_003_has_no_rule_error() {
    let yaml = kqlint_testkit::seed_yaml(3);
    let got = rule_codes(
        &engine(),
        "Hunting Queries/Microsoft 365 Defender/rmm_Action1_netconn.yaml",
        &yaml,
    );
    assert!(got.iter().all(|(_, s)| *s != Severity::Error), "{got:?}");
    // Its single-value tactic and technique, and nothing about its
    // columns or data connectors (T1219 fits CommandAndControl).
    assert_eq!(
        got,
        [("KQL417", Severity::Warning), ("KQL417", Severity::Warning)]
    );
}

#[test]
fn unknown_output_gives_no_column_findings() {
    // An unknown table and no `project`: the output is not known, so the
    // entity mapping's column cannot be judged.
    let unknown = sentinel_rules::EXAMPLE_RULE
        .replace("  SigninLogs\n", "  MyCustomTable_CL\n")
        .replace(
            "  | project TimeGenerated, UserPrincipalName, IPAddress, Location\n",
            "",
        )
        .replace("columnName: UserPrincipalName", "columnName: NoSuchColumn");
    let got = rule_codes(&engine(), "rules/r.yaml", &unknown);
    assert!(!got.iter().any(|(c, _)| *c == "KQL420"), "{got:?}");
    // After a `project`, the output is known even from an unknown table.
    let projected = unknown.replace(
        "  | where ResultType",
        "  | project UserPrincipalName, IPAddress, ResultType, Location\n  | where ResultType",
    );
    let got = rule_codes(&engine(), "rules/r.yaml", &projected);
    assert!(got.iter().any(|(c, _)| *c == "KQL420"), "{got:?}");
}

fn targets(paths: &[PathBuf], root: &Path) -> Vec<Target> {
    paths
        .iter()
        .map(|p| {
            let display = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            Target::file(p.clone(), display, true)
        })
        .collect()
}

#[test]
fn duplicate_ids_across_the_run_follow_the_configuration() {
    let dir = TempDir::new("rules-dupes");
    let a = dir.write("Detections/a.yaml", sentinel_rules::EXAMPLE_RULE);
    let b = dir.write(
        "Detections/b.yaml",
        &sentinel_rules::EXAMPLE_RULE
            .replace("name: Sign-in from a blocked country", "name: Another rule"),
    );
    let c = dir.write(
        "Detections/c.yaml",
        &sentinel_rules::EXAMPLE_RULE.replace("2b5e4b56", "3c6f5c67"),
    );
    let all = targets(&[a.clone(), b.clone(), c], dir.path());
    let reports = engine().check_targets(&all);
    let found: Vec<(String, Vec<String>)> = reports
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.diagnostics
                    .iter()
                    .map(|d| format!("{}:{} {}", r.position(d.span.start).line, d.code, d.message))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(found[0].1.len(), 1, "{found:?}");
    assert!(found[0].1[0].starts_with("1:KQL424"), "{found:?}");
    assert!(
        found[0].1[0].contains("Detections/b.yaml` (line 1)"),
        "{found:?}"
    );
    assert!(
        found[1].1[0].contains("Detections/a.yaml` (line 1)"),
        "{found:?}"
    );
    assert!(found[2].1.is_empty(), "{found:?}");

    // One file checked alone has nobody to share its id with.
    let alone = engine().check_targets(&targets(std::slice::from_ref(&a), dir.path()));
    assert!(
        alone[0].diagnostics.is_empty(),
        "{:?}",
        alone[0].diagnostics
    );

    // The configuration applies to the cross-file findings too.
    dir.write("kqlint.toml", "[rules]\nignore = [\"duplicate-rule-id\"]\n");
    let reports = engine().check_targets(&targets(&[a, b], dir.path()));
    assert!(
        reports.iter().all(|r| r.diagnostics.is_empty()),
        "{:?}",
        reports.iter().map(|r| &r.diagnostics).collect::<Vec<_>>()
    );
}
