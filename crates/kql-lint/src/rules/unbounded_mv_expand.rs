//! KQL310 `unbounded-mv-expand` (opt-in): `mv-expand` without `limit`.

use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: "KQL310",
    name: "unbounded-mv-expand",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "`mv-expand` without `limit` can multiply rows without bound (opt-in).",
    what: "Reports `mv-expand` without a `limit` clause, except when it expands a literal array. The legacy \
           `mvexpand` spelling has a default limit of 128 and is not reported. This rule is off unless selected \
           by code or name: most arrays in security tables are small, and expanding them whole is intended.",
    why: "`mv-expand` makes one row per element; without `limit`, one row with a huge array (an attacker can make \
          one) becomes millions of rows, and the query slows down or hits its memory limit.",
    fix: "Add `limit N` with the largest number of elements you need per row: `mv-expand Entities limit 100`.",
    fixable: false,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &["SecurityAlert\n| extend E = parse_json(Entities)\n| mv-expand E"],
    pass: &[
        "SecurityAlert\n| extend E = parse_json(Entities)\n| mv-expand E limit 100",
        "print x = 1\n| mv-expand y = dynamic([1, 2, 3])",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for p in ctx.pipelines() {
        for op in &p.ops {
            let OperatorKind::MvExpand {
                items, limit: None, ..
            } = &op.op.kind
            else {
                continue;
            };
            if op.op.keyword_span.text(ctx.text) == "mvexpand" {
                continue;
            }
            let literal = |e: &Expr| {
                matches!(
                    &crate::ast_util::unparen(e).kind,
                    ExprKind::Literal(Literal {
                        kind: LitKind::Dynamic(_),
                        ..
                    })
                )
            };
            if items.iter().all(|i| literal(&i.column.expr)) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    op.op.keyword_span,
                    "`mv-expand` without `limit` makes one row per element, however many there are",
                )
                .with_help("add `limit N` with the most elements per row you need"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "unbounded-mv-expand";

    #[test]
    fn cases() {
        assert_eq!(lint("T | mv-expand a", R).len(), 1);
        assert!(lint("T | mv-expand a limit 10", R).is_empty());
        assert!(lint("T | mvexpand a", R).is_empty());
        assert!(lint("T | mv-expand a = dynamic(['x', 'y'])", R).is_empty());
    }
}
