//! `kqlint check --statistics`: how many findings each rule has in a run,
//! and how many of them `--fix` would repair.

use crate::registry;
use crate::report::{FileReport, is_fixable};
use kqlint_diagnostics::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// One rule's findings in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub code: &'static str,
    pub name: &'static str,
    /// The worst severity among its findings (configuration can re-grade
    /// a rule per file).
    pub severity: Severity,
    pub count: usize,
    /// Of `count`, those with a safe fix (`kqlint check --fix`).
    pub fixable: usize,
}

/// Findings per rule, the most frequent first (then by code).
pub fn statistics(reports: &[FileReport]) -> Vec<RuleCount> {
    let mut by_code: BTreeMap<&'static str, RuleCount> = BTreeMap::new();
    for r in reports {
        for d in &r.diagnostics {
            let e = by_code.entry(d.code).or_insert_with(|| RuleCount {
                code: d.code,
                name: registry::lookup(d.code).map_or(d.name, |m| m.name),
                severity: d.severity,
                count: 0,
                fixable: 0,
            });
            e.count += 1;
            e.severity = e.severity.max(d.severity);
            if is_fixable(d) {
                e.fixable += 1;
            }
        }
    }
    let mut rows: Vec<RuleCount> = by_code.into_values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// The table `--statistics` prints: count, code, name, severity and the
/// fixable ones, then a total line.
pub fn render(rows: &[RuleCount]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if rows.is_empty() {
        s.push_str("no findings\n");
        return s;
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in rows {
        let fix = match r.fixable {
            0 => String::new(),
            n if n == r.count => "  [*] fixable".to_owned(),
            n => format!("  [*] {n} fixable"),
        };
        let _ = writeln!(
            s,
            "{:>width$}  {}  {:<name_width$}  {:<7}{fix}",
            r.count,
            r.code,
            r.name,
            r.severity.as_str(),
        );
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    let fixable: usize = rows.iter().map(|r| r.fixable).sum();
    let _ = write!(
        s,
        "{total} finding{} in all",
        if total == 1 { "" } else { "s" }
    );
    if fixable > 0 {
        let _ = write!(s, "; [*] {fixable} fixable with `kqlint check --fix`");
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SourceText;
    use kqlint_diagnostics::{Applicability, Diagnostic, Fix, Span};

    #[test]
    fn counts_per_rule_with_fixable() {
        let text = SourceText::new("print 1\n".into());
        let unused = registry::lookup("unused-let").unwrap();
        let ph = registry::lookup("unfilled-placeholder").unwrap();
        let mut a = FileReport::new("a.kql", Some(text.clone()));
        let mut b = FileReport::new("b.kql", Some(text));
        let fix = |safe| {
            Fix::replace(
                "f",
                Span::new(0, 1),
                "",
                if safe {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
            )
        };
        a.diagnostics
            .push(Diagnostic::new(unused, Span::new(0, 1), "m").with_fix(fix(true)));
        a.diagnostics
            .push(Diagnostic::new(ph, Span::new(0, 1), "m").with_fix(fix(false)));
        b.diagnostics
            .push(Diagnostic::new(unused, Span::new(0, 1), "m"));
        b.diagnostics
            .push(Diagnostic::new(ph, Span::new(0, 1), "m"));
        b.diagnostics
            .push(Diagnostic::new(ph, Span::new(0, 1), "m"));
        let rows = statistics(&[a, b]);
        assert_eq!(
            rows.iter()
                .map(|r| (r.code, r.count, r.fixable))
                .collect::<Vec<_>>(),
            [(ph.code, 3, 0), (unused.code, 2, 1)]
        );
        let text = render(&rows);
        assert!(text.contains("3  KQL201  unfilled-placeholder"), "{text}");
        assert!(text.contains("[*] 1 fixable"), "{text}");
        assert!(
            text.ends_with("5 findings in all; [*] 1 fixable with `kqlint check --fix`\n"),
            "{text}"
        );
        assert_eq!(render(&[]), "no findings\n");
    }
}
