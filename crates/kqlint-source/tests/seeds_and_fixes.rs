//! The seed rules, mapped diagnostics and fixes written back into the file.

mod common;

use common::{apply, check_mapping, fixture, yaml};
use kqlint_diagnostics::{Applicability, Diagnostic, Edit, Fix, Span};
use kqlint_source::{Limits, QueryStyle, RULES, Source, SourceKind};
use kqlint_testkit::{seed_kql, seed_yaml};

#[test]
fn seed_rules_extract_the_seed_query_exactly() {
    for n in [0, 1, 3] {
        let src = yaml(&seed_yaml(n));
        assert!(
            src.diagnostics.is_empty(),
            "seed {n}: {:?}",
            src.diagnostics
        );
        let q = src.query().unwrap();
        assert_eq!(q.text, seed_kql(n), "seed {n}");
        assert_eq!(q.style, QueryStyle::Literal);
        assert!(q.is_exact(), "seed {n}");
        check_mapping(&src, &format!("seed {n}"));
        // Every line of the query is the same line in the file, two columns in.
        let text = src.text.as_deref().unwrap();
        let mut at = 0u32;
        for line in q.text.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            let f = q.map_span(Span::new(at, at + body.len() as u32));
            assert_eq!(f.text(text), body, "seed {n}");
            if !body.is_empty() {
                assert_eq!(&text[f.start as usize - 2..f.start as usize], "  ");
            }
            at += line.len() as u32;
        }
    }
}

fn fix(edits: Vec<(u32, u32, &str)>) -> Fix {
    Fix {
        message: "test".into(),
        edits: edits
            .into_iter()
            .map(|(s, e, r)| Edit {
                span: Span::new(s, e),
                replacement: r.into(),
            })
            .collect(),
        applicability: Applicability::Safe,
    }
}

/// Maps `f` through the source's query, applies it to the file and checks
/// the file now reads as the edited query.
fn round_trip(src: &Source, f: &Fix) -> Option<String> {
    let text = src.text.as_deref().unwrap();
    let q = src.query().unwrap();
    let mapped = q.map_fix(f, text)?;
    let edited_file = apply(text, &mapped.edits);
    let edited_query = apply(&q.text, &f.edits);
    let again = Source::from_text(&src.path, edited_file.clone(), src.kind, &Limits::default());
    assert_eq!(again.query().unwrap().text, edited_query, "{edited_file:?}");
    Some(edited_file)
}

#[test]
fn fixes_map_into_literal_blocks() {
    let src = fixture("literal-clip.yaml");
    let q = src.query().unwrap();
    let i = q.text.find("has").unwrap() as u32;
    let file = round_trip(&src, &fix(vec![(i, i + 3, "has_cs")])).unwrap();
    assert!(file.contains("  | where EventID == 4625 and Account has_cs \"BAD\"\n"));
    // A replacement with line breaks gets the block's indentation.
    let end = q.text.find('\n').unwrap() as u32;
    let file = round_trip(
        &src,
        &fix(vec![(end, end, "\n| where TimeGenerated > ago(1d)")]),
    )
    .unwrap();
    assert!(
        file.contains("query: |\n  SecurityEvent\n  | where TimeGenerated > ago(1d)\n  | where")
    );
    // Several edits at once, including deleting a whole line.
    let l2 = q.text.find("| summarize").unwrap() as u32;
    let file = round_trip(
        &src,
        &fix(vec![
            (0, 8, "Windows"),
            (l2, q.text.len() as u32 - 1, "| take 1"),
        ]),
    )
    .unwrap();
    assert!(file.contains("  WindowsEvent\n"), "{file}");
    assert!(file.contains("  | take 1\nversion"), "{file}");
}

#[test]
fn fixes_keep_crlf_and_indented_documents() {
    let src = fixture("crlf.yaml");
    let q = src.query().unwrap();
    let end = q.text.find('\n').unwrap() as u32;
    let file = round_trip(&src, &fix(vec![(end, end, "\n| take 5")])).unwrap();
    assert!(
        file.contains("  SecurityEvent\r\n  | take 5\r\n"),
        "{file:?}"
    );
    let src = fixture("indented-document.yaml");
    let q = src.query().unwrap();
    let end = q.text.find('\n').unwrap() as u32;
    let file = round_trip(&src, &fix(vec![(end, end, "\n| take 5")])).unwrap();
    assert!(file.contains("    AuditLogs\n    | take 5\n"), "{file:?}");
}

#[test]
fn fixes_that_would_change_the_block_are_refused() {
    // Leading spaces on the first line would change the detected indentation.
    let src = fixture("literal-clip.yaml");
    let q = src.query().unwrap();
    assert!(
        q.map_fix(&fix(vec![(0, 0, "  ")]), src.text.as_deref().unwrap())
            .is_none()
    );
    // Overlapping or out-of-range edits.
    assert!(
        q.map_fix(
            &fix(vec![(0, 5, "a"), (3, 6, "b")]),
            src.text.as_deref().unwrap()
        )
        .is_none()
    );
    assert!(
        q.map_fix(&fix(vec![(0, 9999, "a")]), src.text.as_deref().unwrap())
            .is_none()
    );
    // With an indentation indicator the same edit is fine.
    let src = fixture("literal-indent-indicator.yaml");
    assert!(round_trip(&src, &fix(vec![(0, 0, "  ")])).is_some());
}

#[test]
fn no_fixes_through_inexact_mappings() {
    for name in [
        "folded.yaml",
        "plain-multiline.yaml",
        "single-quoted.yaml",
        "double-quoted.yaml",
        "invalid-utf8.yaml",
    ] {
        let src = fixture(name);
        let q = src.query().unwrap();
        assert!(!q.is_exact(), "{name}");
        assert!(
            q.map_fix(&fix(vec![(0, 0, "x")]), src.text.as_deref().unwrap())
                .is_none(),
            "{name}"
        );
    }
}

#[test]
fn kql_files_take_fixes_as_they_are() {
    let src = fixture("query.kql");
    let f = fix(vec![(3, 5, "XY")]);
    let q = src.query().unwrap();
    assert_eq!(q.map_fix(&f, src.text.as_deref().unwrap()).unwrap(), f);
}

#[test]
fn diagnostics_map_with_their_labels() {
    static META: kqlint_diagnostics::RuleMeta = kqlint_diagnostics::RuleMeta {
        code: "KQL999",
        name: "test-only",
        category: kqlint_diagnostics::Category::Lint,
        severity: kqlint_diagnostics::Severity::Warning,
        summary: "",
        what: "",
        why: "",
        fix: "",
        fixable: true,
        opt_in: false,
        example_kind: kqlint_diagnostics::ExampleKind::None,
        fail: &[],
        pass: &[],
    };
    for name in ["literal-clip.yaml", "folded.yaml"] {
        let src = fixture(name);
        let text = src.text.as_deref().unwrap();
        let q = src.query().unwrap();
        let i = q.text.find("BAD").unwrap() as u32;
        let d = Diagnostic::new(&META, Span::new(i, i + 3), "m")
            .with_label(Span::new(0, 8), "l")
            .with_fix(fix(vec![(i, i + 3, "GOOD")]));
        let m = q.map_diagnostic(d, text);
        assert_eq!(m.span.text(text), "BAD");
        assert_eq!(m.labels[0].span.text(text), "Security");
        assert_eq!(m.fix.is_some(), q.is_exact(), "{name}");
    }
}

/// The registry runs every rule's examples through the whole pipeline
/// later; here they run through this crate, which emits these codes.
#[test]
fn rule_examples_do_what_they_say() {
    assert!(RULES.len() >= 13);
    let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), RULES.len(), "codes are unique");
    for r in RULES {
        assert!(
            r.code.starts_with("KQL5") || r.code.starts_with("KQL9"),
            "{}",
            r.code
        );
        assert!(
            !r.what.is_empty() && !r.why.is_empty() && !r.fix.is_empty(),
            "{}",
            r.code
        );
        let (name, kind) = match r.example_kind {
            kqlint_diagnostics::ExampleKind::Markdown => ("example.md", SourceKind::Markdown),
            kqlint_diagnostics::ExampleKind::Json => ("example.json", SourceKind::Json),
            kqlint_diagnostics::ExampleKind::Bicep => ("example.bicep", SourceKind::Bicep),
            _ => ("example.yaml", SourceKind::Yaml),
        };
        let load = |text: &str| Source::from_text(name, text, kind, &Limits::default());
        for ex in r.fail {
            let src = load(ex);
            assert!(
                src.diagnostics.iter().any(|d| d.code == r.code),
                "{} fail example gave {:?}: {ex:?}",
                r.code,
                src.diagnostics
            );
        }
        for ex in r.pass {
            let src = load(ex);
            assert!(
                src.diagnostics.iter().all(|d| d.code != r.code),
                "{} pass example gave {:?}: {ex:?}",
                r.code,
                src.diagnostics
            );
        }
    }
}
