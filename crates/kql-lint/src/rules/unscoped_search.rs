//! KQL308 `unscoped-search`: `search` or `find` over every table, or
//! `union *`.

use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: "KQL308",
    name: "unscoped-search",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "`search` or `find` without `in (...)`, or `union *`: the query reads every table.",
    what: "Reports a `search` or `find` that starts a query without naming its tables, and a `union` with `*`. A \
           `search` after a pipe (`T | search ...`) only reads its input and is fine; so are wildcards that name \
           a family of tables (`union Device*`).",
    why: "Reading every table in the workspace is the most expensive thing a query can do: it is slow, can hit \
          limits, and its results change whenever a table is added. A scheduled rule doing it runs that cost on \
          every run.",
    fix: "Name the tables: `search in (SecurityEvent, Syslog) \"term\"`, `find in (DeviceProcessEvents) where ...`, \
          `union SecurityEvent, WindowsEvent`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "search \"mimikatz\"",
        "union * \n| where TimeGenerated > ago(1h)\n| take 10",
    ],
    pass: &[
        "search in (SecurityEvent, DeviceProcessEvents) \"mimikatz\"",
        "SecurityEvent\n| search \"mimikatz\"",
        "union Device*\n| where Timestamp > ago(1h)",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        // An operator expression starts a query: a piped one is a `PipeOp`.
        if let ExprKind::Operator(op) = &e.kind {
            match &op.kind {
                OperatorKind::Search { tables: None, .. } => out.push(
                    Diagnostic::new(
                        &META,
                        op.keyword_span,
                        "`search` without `in (...)` reads every table",
                    )
                    .with_help("name the tables to search: `search in (Table1, Table2) ...`"),
                ),
                OperatorKind::Find { tables: None, .. } => out.push(
                    Diagnostic::new(
                        &META,
                        op.keyword_span,
                        "`find` without `in (...)` reads every table",
                    )
                    .with_help("name the tables: `find in (Table1, Table2) where ...`"),
                ),
                _ => {}
            }
        }
        let ops: Vec<&Operator> = match &e.kind {
            ExprKind::Pipeline(p) => p.ops.iter().map(|o| &o.op).collect(),
            ExprKind::Operator(op) => vec![&**op],
            _ => continue,
        };
        for op in ops {
            if let OperatorKind::Union { tables, .. } = &op.kind
                && let Some(star) = tables.iter().find(|t| matches!(t.kind, ExprKind::Star))
            {
                out.push(
                    Diagnostic::new(&META, star.span, "`union *` reads every table")
                        .with_label(op.keyword_span, "this union")
                        .with_help("list the tables, or a wildcard for a family of tables (`union Device*`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "unscoped-search";

    #[test]
    fn cases() {
        assert_eq!(lint("search \"x\"", R).len(), 1);
        assert_eq!(lint("search \"x\" | take 1", R).len(), 1);
        assert_eq!(lint("let x = search \"x\";\nx", R).len(), 1);
        assert_eq!(lint("find where a == 1", R).len(), 1);
        assert_eq!(lint("union withsource=T *", R).len(), 1);
        assert_eq!(lint("T | union *", R).len(), 1);
        assert!(lint("T | search \"x\"", R).is_empty());
        assert!(lint("search in (T) \"x\"", R).is_empty());
        assert!(lint("find in (T) where a == 1", R).is_empty());
        assert!(lint("union T, U*", R).is_empty());
    }
}
