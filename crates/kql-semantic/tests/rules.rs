//! Every rule's documented examples: each `fail` example produces the
//! rule's code, each `pass` example does not.

mod common;

#[test]
fn rule_examples() {
    let mut codes = std::collections::HashSet::new();
    for meta in kql_semantic::RULES {
        assert!(codes.insert(meta.code), "duplicate code {}", meta.code);
        // The analysis limits are `io` diagnostics, in that range.
        let category = if meta.code >= "KQL940" && meta.code <= "KQL949" {
            "io"
        } else {
            assert!(
                meta.code >= "KQL100" && meta.code <= "KQL169",
                "{} out of range",
                meta.code
            );
            "semantic"
        };
        assert_eq!(meta.category.as_str(), category);
        assert!(
            !meta.fail.is_empty() && !meta.pass.is_empty(),
            "{} needs examples",
            meta.code
        );
        for src in meta.fail {
            let a = common::check(src);
            assert!(
                a.diagnostics.iter().any(|d| d.code == meta.code),
                "{} ({}) should be reported for:\n{src}\n{}",
                meta.code,
                meta.name,
                common::dump(src, &a)
            );
        }
        for src in meta.pass {
            let a = common::check(src);
            assert!(
                !a.diagnostics.iter().any(|d| d.code == meta.code),
                "{} ({}) should not be reported for:\n{src}\n{}",
                meta.code,
                meta.name,
                common::dump(src, &a)
            );
        }
    }
    for name in ["unknown-table", "unknown-column", "unknown-function"] {
        assert!(kql_semantic::RULES.iter().any(|m| m.name == name));
    }
}
