//! KQL304 `has-ipv4`: `has` with an IPv4 literal instead of `has_ipv4()`.

use crate::ast_util::{as_string, is_ipv4};
use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL304",
    name: "has-ipv4",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "`has` with an IPv4 address, where `has_ipv4()` is faster and exact.",
    what: "Reports `x has \"10.1.2.3\"` where the literal is an IPv4 address (the same as Kusto.Language's KS514).",
    why: "`has_ipv4(x, \"10.1.2.3\")` finds the address through the index and checks it is a whole address: \
          `has` also matches it inside a longer dotted value such as `10.1.2.3.4`.",
    fix: "Write `has_ipv4(x, \"10.1.2.3\")`. The editor offers the change; `--fix` leaves it, because the two \
          differ on such longer values.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["CommonSecurityLog\n| where AdditionalExtensions has \"203.0.113.7\""],
    pass: &[
        "CommonSecurityLog\n| where has_ipv4(AdditionalExtensions, \"203.0.113.7\")",
        "CommonSecurityLog\n| where AdditionalExtensions has \"203.0.113\"",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        let ExprKind::Binary {
            op: BinaryOp::Has,
            op_span,
            lhs,
            rhs,
        } = &e.kind
        else {
            continue;
        };
        let Some((lit, lit_span)) = as_string(rhs) else {
            continue;
        };
        if !is_ipv4(&lit.value) {
            continue;
        }
        let replacement = format!(
            "has_ipv4({}, {})",
            lhs.span.text(ctx.text),
            lit_span.text(ctx.text)
        );
        let mut d = Diagnostic::new(
            &META,
            *op_span,
            "`has` with an IPv4 address: `has_ipv4()` is faster and only matches whole addresses",
        )
        .with_help(format!("write `{replacement}`"));
        if !ctx.has_comment_in(e.span) {
            d = d.with_fix(Fix::replace(
                "Use `has_ipv4()`",
                e.span,
                replacement,
                Applicability::Unsafe,
            ));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    #[test]
    fn ipv4_only() {
        let d = lint(
            "T | where a has \"10.0.0.1\" or b has \"10.0.0\" or c has_cs \"10.0.0.1\"",
            "has-ipv4",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].fix.as_ref().unwrap().edits[0].replacement,
            "has_ipv4(a, \"10.0.0.1\")"
        );
    }
}
