//! JUnit XML for CI systems that show test reports: one test case per file,
//! failing when the file has error-severity findings; warnings and infos are
//! listed in the case's output.

use super::span_positions;
use kqlint_core::{FileReport, Severity, Summary};
use std::fmt::Write;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let summary = Summary::of(reports);
    let failing = reports
        .iter()
        .filter(|r| r.count(Severity::Error) > 0)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"kqlint\" tests=\"{}\" failures=\"{failing}\" errors=\"0\">",
        summary.files
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"kqlint\" tests=\"{}\" failures=\"{failing}\" errors=\"0\" skipped=\"0\">",
        summary.files
    );
    for r in reports {
        let path = escape(&r.path);
        let _ = write!(
            out,
            "    <testcase name=\"{path}\" classname=\"kqlint\" file=\"{path}\""
        );
        if r.diagnostics.is_empty() {
            out.push_str(" />\n");
            continue;
        }
        out.push_str(">\n");
        let line = |d: &kqlint_core::Diagnostic| {
            let (start, _) = span_positions(r, d);
            format!(
                "{}:{}:{}: {}[{}] {}",
                r.path, start.line, start.column, d.severity, d.code, d.message
            )
        };
        for d in r
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{} {}\">{}</failure>",
                escape(&d.message),
                d.code,
                d.name,
                escape(&line(d))
            );
        }
        let others: Vec<String> = r
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Error)
            .map(line)
            .collect();
        if !others.is_empty() {
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&others.join("\n"))
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&super::super::test_support::reports()));
    }
}
