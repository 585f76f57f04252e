//! KQL302 `contains-instead-of-has` (opt-in): `contains` with a term that
//! `has` could look up in the term index.

use crate::ast_util::as_string;
use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL302",
    name: "contains-instead-of-has",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "`contains` with a whole word, where `has` could use the term index (opt-in).",
    what: "Reports `contains` and `!contains` (case-insensitive) with a string literal holding at least one word \
           of three or more letters or digits. This rule is off unless selected by code or name: `contains` is \
           often meant, and only the author knows whether a substring match is needed.",
    why: "`has` looks whole terms up in the term index; `contains` scans every value. On large tables `has` is \
          many times faster. They are not the same test: `\"x-powershell.exe\" contains \"shell\"` is true, \
          `has \"shell\"` is false.",
    fix: "Use `has` (or `!has`) when you look for a whole term; keep `contains` for a part of a word. The editor \
          offers the change, which `--fix` never applies because it can change results.",
    fixable: true,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceProcessEvents\n| where ProcessCommandLine contains \"mimikatz\""],
    pass: &[
        "DeviceProcessEvents\n| where ProcessCommandLine has \"mimikatz\"",
        "DeviceProcessEvents\n| where FileName contains \".\"",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        let ExprKind::Binary {
            op: op @ (BinaryOp::Contains | BinaryOp::NotContains),
            op_span,
            rhs,
            ..
        } = &e.kind
        else {
            continue;
        };
        let Some((lit, _)) = as_string(rhs) else {
            continue;
        };
        if !has_term(&lit.value) {
            continue;
        }
        let (from, to) = if *op == BinaryOp::Contains {
            ("contains", "has")
        } else {
            ("!contains", "!has")
        };
        out.push(
            Diagnostic::new(
                &META,
                *op_span,
                format!("`{from}` scans every value; `{to}` finds whole terms through the index"),
            )
            .with_help(format!(
                "use `{to}` if you look for a whole term rather than part of a word"
            ))
            .with_fix(Fix::replace(
                format!("Replace `{from}` with `{to}`"),
                *op_span,
                to,
                Applicability::Unsafe,
            )),
        );
    }
}

/// At least one run of three or more letters or digits.
fn has_term(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        if c.is_alphanumeric() {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    #[test]
    fn contains_with_a_word() {
        let d = lint(
            "T | where a contains \"abc\" or b !contains 'xyz' or c contains_cs \"abc\" or d contains \"ab\"",
            "contains-instead-of-has",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].fix.as_ref().unwrap().edits[0].replacement, "!has");
    }
}
