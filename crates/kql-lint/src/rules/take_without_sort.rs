//! KQL309 `take-without-sort` (opt-in): `take` / `limit` returns arbitrary
//! rows.

use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: "KQL309",
    name: "take-without-sort",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "`take` / `limit` without an ordering before it returns arbitrary rows (opt-in).",
    what: "Reports `take` and `limit` with no `sort`, `order` or `top` earlier in the same pipeline (after a \
           `summarize` without `by` or a `count`, there is only one row, and it is not reported). This rule is \
           off unless selected by code or name: capping a hunting query's output with `take` is common and \
           intended.",
    why: "`take` returns whichever rows come first, and that can change from one run to the next: in a detection \
          rule, which events raise the alert (or whether a threshold is met) then depends on chance.",
    fix: "Use `top N by Column` (or `sort by ... | take N`) to choose which rows are kept.",
    fixable: false,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &["SigninLogs\n| where ResultType != 0\n| take 10"],
    pass: &[
        "SigninLogs\n| where ResultType != 0\n| top 10 by TimeGenerated desc",
        "SigninLogs\n| summarize count()\n| take 1",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for p in ctx.pipelines() {
        let mut ordered = false;
        let mut single = false;
        for op in &p.ops {
            match &op.op.kind {
                OperatorKind::Sort { .. }
                | OperatorKind::Top { .. }
                | OperatorKind::TopNested(_) => ordered = true,
                OperatorKind::Summarize { by, .. } => single = by.is_empty(),
                OperatorKind::Count { .. } => single = true,
                OperatorKind::Take { count, .. } if !ordered && !single && !is_zero(count) => {
                    let kw = op.op.keyword_span.text(ctx.text);
                    out.push(
                        Diagnostic::new(
                            &META,
                            op.op.keyword_span,
                            format!("`{kw}` without a sort returns arbitrary rows, which can differ between runs"),
                        )
                        .with_help("use `top N by Column` to choose which rows are kept"),
                    );
                }
                _ => {}
            }
        }
    }
}

/// `take 0` keeps no rows: nothing arbitrary about it.
fn is_zero(e: &Expr) -> bool {
    matches!(
        &crate::ast_util::unparen(e).kind,
        ExprKind::Literal(Literal {
            kind: LitKind::Long(0) | LitKind::Int(0),
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "take-without-sort";

    #[test]
    fn cases() {
        assert_eq!(lint("T | take 1", R).len(), 1);
        assert_eq!(lint("T | limit 1", R).len(), 1);
        assert!(lint("T | sort by a | take 1", R).is_empty());
        assert!(lint("T | order by a | where b | limit 1", R).is_empty());
        assert!(lint("T | count | take 1", R).is_empty());
        assert!(lint("T | take 0", R).is_empty());
        assert!(lint("T | summarize max(a) | take 1", R).is_empty());
        assert_eq!(lint("T | summarize max(a) by b | take 1", R).len(), 1);
    }
}
