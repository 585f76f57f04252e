//! KQL305 `obsolete-function`: a deprecated built-in function, with its
//! replacement from the schema catalogue.

use crate::ast_util::{collect_statement_exprs, descendants};
use crate::context::LintContext;
use kql_schema::Function;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, Edit, ExampleKind, Fix, RuleMeta, Severity,
};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    code: "KQL305",
    name: "obsolete-function",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "A deprecated built-in function (`makeset`, `parsejson`, `pack`, ...) with a named replacement (opt-in).",
    what: "Reports calls to built-in functions that Kusto marks deprecated, and names the replacement (the same \
           list as Kusto.Language's KS507). Each one flagged in Microsoft's Sentinel repository is documented as a \
           deprecated alias on its replacement's Microsoft Learn page (`make_set()`: \"Deprecated aliases: \
           makeset()\"; likewise `bag_pack` for `pack` and `pack_dictionary`, `replace_regex` for `replace`, \
           `take_any` for `any`, `column_ifexists`, `array_length`, `parse_json`, `isnotempty`, `arg_min` / \
           `arg_max`, `unicode_codepoints_to_string` for `make_string`); `count(x)` is not a documented form \
           (only `count()` is). Calls to a `let` function of the same name are not reported, nor the table-wide \
           `makeset(x)` / `makelist(x)` that KQL315 `makeset-limit` reports. Off unless selected \
           (`select = [\"obsolete-function\"]`), and an info: the deprecated names still run, and all but one \
           run exactly like their replacements (argument order and default column names aside), so on \
           Microsoft's own repository this fired on 15% of the files without one finding that changes a result. \
           The exception, the 128-value default limit of `makeset()` / `makelist()`, is a warning of its own \
           (KQL315) where it is likely to cut a list short.",
    why: "Deprecated functions stay for compatibility but are no longer documented, may lose features, and \
          newer tooling warns about them; the replacements are the names the documentation uses. `makeset()` and \
          `makelist()` also keep at most 128 values unless given a maximum.",
    fix: "Use the replacement. `--fix` renames the call when the replacement is a documented alias with the same \
          meaning (`makeset` → `make_set`, `parsejson` → `parse_json`, `pack` → `bag_pack`, ...) and the \
          output column would keep its name, and rewrites `replace(regex, rewrite, text)` as \
          `replace_regex(text, regex, rewrite)`. Other replacements (`argmax` → `arg_max` returns different \
          columns) are left to you.",
    fixable: true,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &[
        "SecurityEvent\n| summarize Accounts = makeset(Account) by Computer",
        "AuditLogs\n| extend Props = parsejson(AdditionalDetails)",
    ],
    pass: &[
        "SecurityEvent\n| summarize Accounts = make_set(Account), Events = count() by Computer",
        "let makeset = (x: string) { strcat(x, \"!\") };\nprint makeset(\"a\")",
    ],
};

/// Deprecated names whose replacement is a documented alias: renaming the
/// call keeps its meaning.
const ALIASES: &[&str] = &[
    "any",
    "anyif",
    "makeset",
    "makelist",
    "arraylength",
    "base64_decodestring",
    "base64_encodestring",
    "columnifexists",
    "make_string",
    "to_utf8",
    "notempty",
    "notnull",
    "pack",
    "pack_dictionary",
    "parsejson",
    "parseurl",
    "parseurlquery",
    "datepart",
    "extractall",
    "toobject",
    "totime",
    "weekofyear",
    "current_cursor",
    "extentid",
    "row_rank",
];

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let q = &ctx.parse.query;
    let user: HashSet<&str> = user_functions(q);
    let capped: Vec<u32> = crate::rules::makeset_limit::capped_calls(ctx)
        .iter()
        .map(|(f, _)| f.span.start)
        .collect();
    let unnamed = unnamed_column_spans(q);
    for &e in ctx.all_exprs() {
        let ExprKind::Call {
            receiver: None,
            func,
            args,
            args_span,
        } = &e.kind
        else {
            continue;
        };
        if user.contains(func.as_str()) || capped.contains(&func.span.start) {
            continue;
        }
        if func.name == "count" && args.len() == 1 && !matches!(args[0].value.kind, ExprKind::Star)
        {
            out.push(
                Diagnostic::new(
                    &META,
                    func.span,
                    "`count(...)` with an argument is a deprecated form; say what is counted with `count()`, `countif(...)` or `dcount(...)`",
                )
                .with_help("`count()` counts rows, `countif(predicate)` counts the rows where a bool predicate is true (`countif(isnotempty(x))` the rows where `x` has a value), `dcount(x)` counts distinct values"),
            );
            continue;
        }
        let Some(f) = ctx
            .catalog
            .functions_named(func.as_str())
            .into_iter()
            .find(|f| f.obsolete)
        else {
            continue;
        };
        let alternatives: Vec<&str> = f
            .alternative
            .as_deref()
            .map(|a| a.split("' or '").collect())
            .unwrap_or_default();
        let shown: Vec<String> = alternatives.iter().map(|a| format!("`{a}`")).collect();
        let mut message = if shown.is_empty() {
            format!("`{}` is deprecated", func.name)
        } else {
            format!("`{}` is deprecated; use {}", func.name, shown.join(" or "))
        };
        if matches!(func.as_str(), "makeset" | "makelist") && args.len() == 1 {
            message.push_str(&format!(
                " (`{}` keeps at most 128 values per group unless given a maximum)",
                func.name
            ));
        }
        let mut d = Diagnostic::new(&META, func.span, message);
        let in_unnamed = unnamed
            .iter()
            .any(|s| s.start <= e.span.start && e.span.end <= s.end);
        if func.name == "replace" && args.len() == 3 && args.iter().all(|a| a.name.is_none()) {
            // replace(regex, rewrite, text) → replace_regex(text, regex, rewrite)
            if !ctx.has_comment_in(*args_span) {
                let t = |i: usize| args[i].value.span.text(ctx.text);
                let same_name = same_naming(ctx, f, "replace_regex");
                d = d.with_fix(Fix {
                    message: "Use `replace_regex(text, regex, rewrite)`".to_owned(),
                    edits: vec![Edit {
                        span: kql_syntax::Span::new(func.span.start, args_span.end),
                        replacement: format!("replace_regex({}, {}, {})", t(2), t(0), t(1)),
                    }],
                    applicability: if same_name || !in_unnamed {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                });
            }
        } else if let [alt] = alternatives.as_slice() {
            let safe =
                ALIASES.contains(&func.as_str()) && (same_naming(ctx, f, alt) || !in_unnamed);
            d = d.with_fix(Fix::replace(
                format!("Rename `{}` to `{alt}`", func.name),
                func.span,
                *alt,
                if safe {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
            ));
        }
        out.push(d.with_help(match shown.as_slice() {
            [] => "see the function's documentation for what replaces it".to_owned(),
            _ => format!(
                "{} does the same and is the documented name",
                shown.join(" or ")
            ),
        }));
    }
}

/// Whether the replacement names its result column the way the deprecated
/// function does (`makeset(x)` and `make_set(x)` both give `set_x`).
fn same_naming(ctx: &LintContext<'_>, f: &Function, alt: &str) -> bool {
    ctx.catalog
        .functions_named(alt)
        .into_iter()
        .find(|g| g.kind == f.kind)
        .is_some_and(|g| {
            g.result_name == f.result_name && g.result_name_prefix == f.result_name_prefix
        })
}

/// Names the query defines as functions (`let f = (...) {...}`).
fn user_functions(q: &Query) -> HashSet<&str> {
    let mut out = HashSet::new();
    let mut stack: Vec<&Statement> = q.statements.iter().collect();
    while let Some(s) = stack.pop() {
        if let Statement::Let(l) = s {
            out.insert(l.name.as_str());
            if let LetValue::Function(f) | LetValue::View(f) = &l.value {
                stack.extend(f.body.iter());
            }
        }
    }
    out
}

/// Spans of column expressions without an explicit name (`summarize
/// makeset(x)`), where renaming a call can rename the output column.
fn unnamed_column_spans(q: &Query) -> Vec<kql_syntax::Span> {
    let mut roots = Vec::new();
    for s in &q.statements {
        collect_statement_exprs(s, &mut roots);
    }
    let mut spans = Vec::new();
    for root in roots {
        for e in descendants(root) {
            let ops: Vec<&Operator> = match &e.kind {
                ExprKind::Pipeline(p) => p.ops.iter().map(|o| &o.op).collect(),
                ExprKind::Operator(op) => vec![&**op],
                _ => continue,
            };
            for op in ops {
                use OperatorKind::*;
                let cols: Vec<&ColumnExpr> = match &op.kind {
                    Project(cs) | Extend(cs) | Serialize(cs) | Print(cs) => cs.iter().collect(),
                    Summarize { aggregates, by, .. } => {
                        aggregates.iter().chain(by.iter()).collect()
                    }
                    Distinct { columns, .. } => columns.iter().collect(),
                    MakeSeries { aggregates, by, .. } => aggregates
                        .iter()
                        .map(|a| &a.column)
                        .chain(by.iter())
                        .collect(),
                    MvExpand { items, .. } | MvApply { items, .. } => {
                        items.iter().map(|i| &i.column).collect()
                    }
                    _ => Vec::new(),
                };
                spans.extend(
                    cols.into_iter()
                        .filter(|c| matches!(c.names, ColumnNames::None))
                        .map(|c| c.expr.span),
                );
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fixed, lint};
    use kqlint_diagnostics::Applicability;

    const R: &str = "obsolete-function";

    #[test]
    fn renames_aliases() {
        assert_eq!(
            fixed("T | summarize makeset(a) by b", R),
            "T | summarize make_set(a) by b"
        );
        assert_eq!(
            fixed("T | extend p = parsejson(a)", R),
            "T | extend p = parse_json(a)"
        );
        assert_eq!(
            fixed("T | extend p = pack(\"a\", 1)", R),
            "T | extend p = bag_pack(\"a\", 1)"
        );
        assert_eq!(
            fixed("T | extend r = replace(@\"a(b)\", @\"\\1\", s)", R),
            "T | extend r = replace_regex(s, @\"a(b)\", @\"\\1\")"
        );
    }

    #[test]
    fn renames_that_would_rename_a_column_are_not_safe() {
        // any(x) is named any_x; take_any(x) is named x.
        let d = lint("T | summarize any(a) by b", R);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
        let d = lint("T | summarize v = any(a) by b", R);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Safe
        );
        // argmax returns other columns than arg_max.
        let d = lint("T | summarize m = argmax(a, b)", R);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
    }

    #[test]
    fn count_with_an_argument() {
        let d = lint("T | summarize count(a), count(), count(*)", R);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn an_opt_in_info_that_leaves_table_wide_lists_to_kql315() {
        assert!(super::META.opt_in);
        assert_eq!(super::META.severity, kqlint_diagnostics::Severity::Info);
        assert!(lint("T | summarize makeset(a)", R).is_empty());
        assert_eq!(lint("T | summarize makeset(a, 10)", R).len(), 1);
        let d = lint("T | summarize makelist(a) by b", R);
        assert!(
            d[0].message.contains("keeps at most 128 values per group"),
            "{}",
            d[0].message
        );
        let d = lint("T | extend p = pack(\"a\", 1)", R);
        assert!(!d[0].message.contains("128"), "{}", d[0].message);
    }

    #[test]
    fn user_functions_are_not_builtins() {
        assert!(lint("let pack = (a: string) { a };\nprint pack(\"x\")", R).is_empty());
    }
}
