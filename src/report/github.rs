//! GitHub Actions workflow commands (`::error file=...::message`), which the
//! runner turns into annotations on the pull request. Printing them does not
//! fail the step, so the exit code still says whether errors were found.

use super::span_positions;
use kqlint_core::{FileReport, Severity};
use std::fmt::Write;

/// Escaping of a command's message, as in the Actions toolkit.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value, which also reserves `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let (start, end) = span_positions(r, d);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut props = format!(
                "file={},line={},endLine={}",
                escape_property(&r.path),
                start.line,
                end.line
            );
            // Columns are only allowed on single-line annotations.
            if start.line == end.line {
                let _ = write!(
                    props,
                    ",col={},endColumn={}",
                    start.column,
                    end.column.max(start.column)
                );
            }
            let _ = write!(
                props,
                ",title={}",
                escape_property(&format!("{} {}", d.code, d.name))
            );
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&super::super::test_support::reports()));
    }

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("100%\r\nx"), "100%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
