//! Output formats. Each turns the same [`FileReport`]s into text; none of
//! them knows how a check works.

mod concise;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

use kqlint_core::fix::AppliedFix;
use kqlint_core::{Diagnostic, FileReport, Position};
use std::fmt::Write;

pub use concise::render as concise;
pub use github::render as github;
pub use human::{Colors, render as human};
pub use json::render as json;
pub use junit::render as junit;
pub use sarif::render as sarif;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_and_fix_lists() {
        assert_eq!(unified_diff("q.kql", "a\n", "a\n"), "");
        assert_eq!(
            unified_diff("./q.kql", "a\nb\n", "a\nc\n"),
            "--- a/q.kql\n+++ b/q.kql\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
        assert!(
            unified_diff("/tmp/q.kql", "a\n", "b\n")
                .starts_with("--- a/tmp/q.kql\n+++ b/tmp/q.kql\n")
        );
        let f = AppliedFix {
            code: "KQL305",
            name: "obsolete-function",
            line: 2,
            column: 13,
            message: "Replace with `make_set`".into(),
        };
        assert_eq!(
            show_fixes("q.kql", &[f]),
            "q.kql: 1 fix\n  2:13  KQL305 obsolete-function: Replace with `make_set`\n"
        );
        assert_eq!(show_fixes("q.kql", &[]), "");
    }
}

/// `--show-fixes`: the fixes of one file, one line each (nothing when there
/// are none).
pub fn show_fixes(path: &str, fixes: &[AppliedFix]) -> String {
    let mut out = String::new();
    if fixes.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "{path}: {} fix{}",
        fixes.len(),
        if fixes.len() == 1 { "" } else { "es" }
    );
    for f in fixes {
        let _ = writeln!(
            out,
            "  {}:{}  {} {}: {}",
            f.line, f.column, f.code, f.name, f.message
        );
    }
    out
}

/// `--diff`: a unified diff of a file before and after `--fix`, headed
/// `--- a/PATH` / `+++ b/PATH` as `git apply` takes it (empty when equal).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    // `a/` and `b/` prefix a path as git does, an absolute one too
    // (`a/tmp/q.kql`, not `a//tmp/q.kql`).
    let path = path
        .strip_prefix("./")
        .unwrap_or(path)
        .trim_start_matches('/');
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Start and end positions of a diagnostic's primary span.
fn span_positions(report: &FileReport, d: &Diagnostic) -> (Position, Position) {
    (report.position(d.span.start), report.position(d.span.end))
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Synthetic reports for the format snapshots. The metadata here is for
    //! tests only; real rules live in their crates.

    use kqlint_core::{
        Category, Diagnostic, ExampleKind, FileReport, Fix, ResultColumn, RuleMeta, Severity,
        SourceText, Span,
    };

    pub static ERR: RuleMeta = RuleMeta {
        code: "KQL102",
        name: "unknown-column",
        category: Category::Semantic,
        severity: Severity::Error,
        summary: "A column name that no input of the operator has",
        what: "w",
        why: "y",
        fix: "f",
        fixable: false,
        opt_in: false,
        example_kind: ExampleKind::Kql,
        fail: &[],
        pass: &[],
    };
    pub static WARN: RuleMeta = RuleMeta {
        code: "KQL301",
        name: "join-without-kind",
        category: Category::Lint,
        severity: Severity::Warning,
        summary: "A join without kind=",
        what: "w",
        why: "y",
        fix: "f",
        fixable: true,
        opt_in: false,
        example_kind: ExampleKind::Kql,
        fail: &[],
        pass: &[],
    };

    /// Two files: a rule YAML with an error and a warning (non-ASCII text
    /// before the error, a message that needs escaping), and a clean `.kql`.
    pub fn reports() -> Vec<FileReport> {
        let yaml = "id: 1\nname: Ünïcode, \"quoted\" & <tagged>\nquery: |\n  T\n  | where RemoteIp == \"a\"\n  | join (U) on x\n";
        let src = SourceText::new(yaml.to_owned());
        let at = |needle: &str| {
            let s = yaml.find(needle).unwrap() as u32;
            Span::new(s, s + needle.len() as u32)
        };
        let mut r = FileReport::new("rules/My Rule.yaml", Some(src));
        r.diagnostics.push(
            Diagnostic::new(
                &ERR,
                at("RemoteIp"),
                "`RemoteIp` is not a column; did you mean `RemoteIP`? KQL names are case-sensitive",
            )
            .with_help("write `RemoteIP`")
            .with_fix(Fix::replace(
                "Replace with `RemoteIP`",
                at("RemoteIp"),
                "RemoteIP",
                kqlint_core::Applicability::Unsafe,
            )),
        );
        r.diagnostics.push(
            Diagnostic::new(&WARN, at("join"), "join without `kind=` uses innerunique, which de-duplicates the left side:\n100%, a, b")
                .with_label(at("(U)"), "right side"),
        );
        r.tables = Some(vec!["T".into(), "U".into()]);
        r.result_columns = Some(vec![ResultColumn {
            name: "x".into(),
            ty: "string".into(),
        }]);
        let clean = FileReport::new("q.kql", Some(SourceText::new("T | take 1\n".into())));
        vec![r, clean]
    }
}
