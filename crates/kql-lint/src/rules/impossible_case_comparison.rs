//! KQL314 `impossible-case-comparison`: `tolower(x) == "Admin"` is never
//! true.

use super::tolower_comparison::{case_call, ci_string_op, fits_case};
use crate::ast_util::{as_string, quote};
use crate::context::LintContext;
use kql_syntax::Span;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL314",
    name: "impossible-case-comparison",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "`tolower(x)` compared case-sensitively with a literal that has upper-case letters (or `toupper` with lower-case ones).",
    what: "Reports `tolower(x)` compared with `==`, `in`, or a case-sensitive string operator (`has_cs`, \
           `contains_cs`, ...) against a literal holding an upper-case letter, and the same for `toupper` with \
           a lower-case letter. The comparison can never be true (with `!=` / `!in`: never false).",
    why: "The condition is constant, so the query filters out everything (or nothing): a detection with it never \
          fires. It is almost always a typo in the literal.",
    fix: "Write the literal in the case the call produces, or use a case-insensitive operator (`=~`, `in~`, \
          `has`) without the call. The editor offers to change the literal's case.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["SecurityEvent\n| where tolower(AccountType) == \"User\""],
    pass: &[
        "SecurityEvent\n| where tolower(AccountType) == \"user\"",
        "SecurityEvent\n| where tolower(Account) has \"Admin\"",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        match &e.kind {
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let (call, lit) = match (case_call(lhs), as_string(rhs)) {
                    (Some(c), Some(l)) => (c, l),
                    _ => match (case_call(rhs), as_string(lhs)) {
                        (Some(c), Some(l)) if matches!(op, BinaryOp::Eq | BinaryOp::NotEq) => {
                            (c, l)
                        }
                        _ => continue,
                    },
                };
                let cs = matches!(op, BinaryOp::Eq | BinaryOp::NotEq)
                    || (op.is_string_op()
                        && !ci_string_op(*op)
                        && *op != BinaryOp::MatchesRegex
                        && !matches!(op, BinaryOp::Like | BinaryOp::NotLike));
                if !cs {
                    continue;
                }
                report(ctx, out, call.0, &call.1.name, op.is_negated(), lit);
            }
            ExprKind::InList { op, lhs, list, .. } => {
                if !matches!(op, InOp::In | InOp::NotIn) {
                    continue;
                }
                let Some((lower, func, _)) = case_call(lhs) else {
                    continue;
                };
                for x in list {
                    if let Some(lit) = as_string(x) {
                        report(ctx, out, lower, &func.name, op.is_negated(), lit);
                    }
                }
            }
            _ => {}
        }
    }
}

fn report(
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
    lower: bool,
    func: &str,
    negated: bool,
    (lit, span): (&StringLit, Span),
) {
    if fits_case(&lit.value, lower) {
        return;
    }
    let case = if lower { "lower" } else { "upper" };
    let outcome = if negated { "always true" } else { "never true" };
    let shown = if lit.obfuscated {
        "this obfuscated literal".to_owned()
    } else {
        format!("\"{}\"", lit.value)
    };
    let mut d = Diagnostic::new(
        &META,
        span,
        format!("`{func}(...)` is all {case} case, so comparing it with {shown} is {outcome}"),
    )
    .with_help(format!(
        "write the literal in {case} case, or compare case-insensitively without `{func}`"
    ));
    if !lit.obfuscated && lit.parts.len() == 1 && !ctx.has_comment_in(span) {
        let v = if lower {
            lit.value.to_lowercase()
        } else {
            lit.value.to_uppercase()
        };
        d = d.with_fix(Fix::replace(
            format!("Write the literal in {case} case"),
            span,
            quote(&v),
            Applicability::Unsafe,
        ));
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "impossible-case-comparison";

    #[test]
    fn reported() {
        assert_eq!(lint("T | where tolower(a) == \"Ab\"", R).len(), 1);
        assert!(
            lint("T | where tolower(a) != \"Ab\"", R)[0]
                .message
                .contains("always true")
        );
        assert_eq!(lint("T | where toupper(a) has_cs \"ab\"", R).len(), 1);
        assert_eq!(
            lint("T | where tolower(a) in (\"x\", \"Y\", \"Z\")", R).len(),
            2
        );
        assert_eq!(lint("T | where \"Ab\" == tolower(a)", R).len(), 1);
    }

    #[test]
    fn not_reported() {
        assert!(lint("T | where tolower(a) has \"Ab\"", R).is_empty());
        assert!(lint("T | where tolower(a) =~ \"Ab\"", R).is_empty());
        assert!(lint("T | where tolower(a) in~ (\"Ab\")", R).is_empty());
        assert!(lint("T | where tolower(a) == \"a-1\"", R).is_empty());
        assert!(lint("T | where tolower(a) matches regex \"[A-Z]\"", R).is_empty());
    }
}
