//! KQL316 `assignment-in-where`: `where IsBillable = true` names the
//! condition instead of comparing, so the filter is `true`.

use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL316",
    name: "assignment-in-where",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "`where Name = expr`: the `=` gives the condition a name that Kusto ignores; it does not compare.",
    what: "Reports a `where` (or `filter`) whose condition is written `Name = expr` or `(A, B) = expr`. Kusto \
           parses this as a named expression, as in `extend`: the name is dropped and the rows are filtered \
           on `expr` alone.",
    why: "`=` is not a comparison in KQL. `where IsBillable = true` keeps every row, and \
          `where IsBillable = true and isnotempty(Computer)` filters on `isnotempty(Computer)` only, so the \
          query silently returns more than its author meant.",
    fix: "Write `==` to compare (`where IsBillable == true`), or drop `Name =` if the name was only a comment. \
          The editor offers `==` where the condition after `=` does not itself start with a comparison; it \
          changes what the query returns, so `--fix` does not apply it.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "Usage\n| where IsBillable = true\n| summarize sum(Quantity) by DataType",
        "Usage\n| where IsBillable = true and DataType == \"Perf\"",
    ],
    pass: &[
        "Usage\n| where IsBillable == true\n| summarize sum(Quantity) by DataType",
        "Heartbeat\n| extend IsWeb = Computer startswith \"web\"\n| where IsWeb",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for p in ctx.pipelines() {
        for op in &p.ops {
            if let OperatorKind::Where(pred) = &op.op.kind
                && let ExprKind::Named(n) = &pred.kind
            {
                report(ctx, out, op.op.keyword_span.text(ctx.text), n);
            }
        }
    }
}

fn report(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>, keyword: &str, n: &NamedExpr) {
    let names = match &n.names {
        ColumnNames::Single(i) => i.span.text(ctx.text).to_owned(),
        ColumnNames::Tuple(ns) => format!(
            "({})",
            ns.iter()
                .map(|i| i.span.text(ctx.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ColumnNames::None => return,
    };
    let rhs = n.expr.span.text(ctx.text);
    let filter = if rhs.len() <= 60 && !rhs.contains(['\n', '\r']) {
        format!("`{rhs}`")
    } else {
        "the expression after `=`".to_owned()
    };
    let mut d = Diagnostic::new(
        &META,
        n.eq_span,
        format!(
            "`=` in `{keyword}` names the condition `{names}`, it does not compare: Kusto ignores the name and filters on {filter} alone"
        ),
    );
    // `Name == expr` compares `Name` with the whole expression only when
    // the expression does not start with an operator of `==`'s precedence
    // (`x = a > b` would become `(x == a) > b`)
    let fixable = matches!(n.names, ColumnNames::Single(_)) && !comparison_level(&n.expr);
    if fixable {
        d = d
            .with_help(format!("to compare, write `{names} == ...`"))
            .with_fix(Fix::replace(
                "Replace `=` with `==`",
                n.eq_span,
                "==",
                Applicability::Unsafe,
            ));
    } else {
        d = d.with_help(format!(
            "to compare, write `==` (with parentheses around what follows it where needed); if `{names}` is only a label, drop `{names} =`"
        ));
    }
    out.push(d);
}

/// Whether the expression is (at its top) an operator of comparison
/// precedence, which `==` would take apart.
fn comparison_level(e: &Expr) -> bool {
    use BinaryOp::*;
    match &e.kind {
        ExprKind::Binary { op, .. } => !matches!(op, Or | And | Add | Sub | Mul | Div | Mod),
        ExprKind::InList { .. } | ExprKind::Between { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;
    use kqlint_diagnostics::Applicability;

    const R: &str = "assignment-in-where";

    fn fixed_unsafe(text: &str) -> String {
        let d = lint(text, R);
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        let fix = d[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let mut out = text.to_owned();
        for e in fix.edits.iter().rev() {
            out.replace_range(e.span.range(), &e.replacement);
        }
        assert!(kql_syntax::parse(&out).errors.is_empty(), "{out}");
        out
    }

    #[test]
    fn reported_with_the_filter_kusto_applies() {
        let d = lint("T | where _isBillable=true and isnotempty(Computer)", R);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "`=` in `where` names the condition `_isBillable`, it does not compare: Kusto ignores the name and filters on `true and isnotempty(Computer)` alone"
        );
        assert_eq!(
            d[0].span
                .text("T | where _isBillable=true and isnotempty(Computer)"),
            "="
        );
        let d = lint("T | filter ['is anomaly'] = true", R);
        assert!(
            d[0].message
                .contains("`filter` names the condition `['is anomaly']`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn the_fix_compares_and_is_unsafe() {
        assert_eq!(
            fixed_unsafe("T | where IsAnomaly = true"),
            "T | where IsAnomaly == true"
        );
        assert_eq!(
            fixed_unsafe("T | where _isBillable=true and isnotempty(Computer)"),
            "T | where _isBillable==true and isnotempty(Computer)"
        );
        assert_eq!(
            fixed_unsafe("T | where n = count_ + 1"),
            "T | where n == count_ + 1"
        );
    }

    #[test]
    fn no_fix_where_double_equals_would_regroup() {
        for q in [
            "T | where x = a > b",
            "T | where x = a in (1, 2)",
            "T | where x = a between (1 .. 2)",
            "T | where x = a has \"b\"",
            "T | where (x, y) = true",
        ] {
            let d = lint(q, R);
            assert_eq!(d.len(), 1, "{q}");
            assert!(d[0].fix.is_none(), "{q}");
        }
    }

    #[test]
    fn not_reported() {
        for q in [
            "T | where x == true",
            "T | where f(x = 1)",
            "T | extend x = a > b",
            "T | take n = 5",
            "T | sort by k = a",
            "T | where (x == 1)",
        ] {
            assert!(lint(q, R).is_empty(), "{q}");
        }
    }
}
