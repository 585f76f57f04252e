//! `path:line:col: severity[CODE] message`, one line per diagnostic: for
//! grep, editors' error parsers and CI problem matchers.

use super::span_positions;
use kqlint_core::FileReport;
use std::fmt::Write;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let (start, _) = span_positions(r, d);
            let message = d.message.replace('\n', " ");
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                r.path, start.line, start.column, d.severity, d.code, message
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&super::super::test_support::reports()));
    }
}
