//! The seed documents: the unfilled hunting queries 000 and 001 fail with
//! one placeholder error per unfilled value at the right line, as rule YAML
//! and as `.kql`; the clean query 003 passes the full check.

use kqlint_core::{Engine, EngineOptions, FileReport, Limits, Severity, Source, SourceKind};
use kqlint_testkit::{seed_kql, seed_yaml};

fn check(name: &str, text: &str, kind: SourceKind) -> FileReport {
    let engine = Engine::new(EngineOptions::isolated()).unwrap();
    engine.check_source(
        name,
        Source::from_text(name, text, kind, &Limits::default()),
    )
}

/// (line, code, message) of the error findings.
fn errors(r: &FileReport) -> Vec<(u32, &'static str, String)> {
    r.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (r.position(d.span.start).line, d.code, d.message.clone()))
        .collect()
}

fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the seed"));
    text[..at].matches('\n').count() as u32 + 1
}

#[test]
fn seed_000_fails_on_each_unfilled_value() {
    for (name, text, kind) in [
        ("000.yaml", seed_yaml(0), SourceKind::Yaml),
        ("000.kql", seed_kql(0), SourceKind::Kql),
    ] {
        let r = check(name, &text, kind);
        let errs = errors(&r);
        let expected: Vec<(u32, &str)> = [
            ("\"IP ADDRESS GOES HERE\"", "IP"),
            ("\"DNS ENTRY GOES HERE\"", "DNS"),
            ("\"FILENAME GOES HERE\"", "FILENAME"),
        ]
        .iter()
        .map(|(lit, _)| (line_of(&text, lit), "KQL201"))
        .collect();
        let got: Vec<(u32, &str)> = errs.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(got, expected, "{name}: {errs:#?}");
        assert!(errs[0].2.contains("`IP`"), "{}", errs[0].2);
        assert!(errs[1].2.contains("`DNS`"));
        assert!(errs[2].2.contains("`FILENAME`"));
        let help = r.diagnostics[0].help.as_deref().unwrap_or("");
        assert!(help.contains("an IP address"), "{help}");
    }
}

#[test]
fn seed_001_fails_on_the_query_not_on_the_guidance_in_its_description() {
    let yaml = seed_yaml(1);
    let r = check("001.yaml", &yaml, SourceKind::Yaml);
    let got: Vec<(u32, &str)> = errors(&r).iter().map(|(l, c, _)| (*l, *c)).collect();
    // "TODO - set file hash to be a SHA1 hash of your choice..." tells the
    // reader what to adapt; the value to replace is in the query.
    assert_eq!(
        got,
        vec![(line_of(&yaml, "\"FILENAME GOES HERE\""), "KQL201")],
        "{:#?}",
        r.diagnostics
    );
    assert!(
        r.diagnostics.iter().all(|d| d.code != "KQL202"),
        "{:#?}",
        r.diagnostics
    );
    let kql = seed_kql(1);
    let r = check("001.kql", &kql, SourceKind::Kql);
    let got: Vec<(u32, &str)> = errors(&r).iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(
        got,
        vec![(line_of(&kql, "\"FILENAME GOES HERE\""), "KQL201")]
    );
    assert!(errors(&r)[0].2.contains("`filename`"));
}

#[test]
fn seed_003_is_clean() {
    for (name, text, kind) in [
        ("003.yaml", seed_yaml(3), SourceKind::Yaml),
        ("003.kql", seed_kql(3), SourceKind::Kql),
    ] {
        let r = check(name, &text, kind);
        let shown: Vec<String> = r
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {} {}",
                    r.position(d.span.start).line,
                    d.severity,
                    d.code,
                    d.message
                )
            })
            .collect();
        assert!(
            r.diagnostics.iter().all(|d| d.severity != Severity::Error),
            "{name}: {shown:#?}"
        );
        // Nothing from the placeholder and lint rules either.
        assert!(
            r.diagnostics.iter().all(|d| !matches!(
                d.category,
                kqlint_core::Category::Placeholder | kqlint_core::Category::Lint
            )),
            "{name}: {shown:#?}"
        );
    }
}
