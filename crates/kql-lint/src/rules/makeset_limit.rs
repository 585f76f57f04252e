//! KQL315 `makeset-limit`: a table-wide `makeset()` / `makelist()` without
//! a maximum keeps at most 128 values.

use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    code: "KQL315",
    name: "makeset-limit",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `summarize makeset(x)` / `makelist(x)` without `by` keeps at most 128 values: a list of known values \
              cut short.",
    what: "Reports `makeset(x)` and `makelist(x)` called without a maximum size in a `summarize` without `by`: one \
           list of the values of the whole input, the way queries build a list of known users, hosts, addresses or \
           indicators to compare later rows with (`where Ip !in (known)`). Microsoft's documentation of `make_set()` \
           and `make_list()` says the deprecated `makeset()` and `makelist()` have a default maximum of 128 \
           elements, where the documented functions keep up to 1,048,576. Calls with an explicit maximum \
           (`makeset(x, 10000)`) and per-group lists (`... by Account`) are not reported here; \
           KQL305 `obsolete-function` (opt-in) reports every deprecated name.",
    why: "Past 128 values the list silently stops growing: a \"known values\" list then misses most of what is \
          known, and the rule reports the rest as new (false alerts), or an indicator list drops indicators (missed \
          alerts). Nothing fails, so the loss goes unnoticed as the data grows.",
    fix: "Use `make_set(x)` / `make_list(x)`, or give the maximum you mean. `--fix` renames the call, which lifts the \
          limit to the documented default.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let known = toscalar(SigninLogs\n    | where TimeGenerated between (ago(14d) .. ago(1d))\n    | summarize makeset(IPAddress));\nSigninLogs\n| where TimeGenerated > ago(1d)\n| where IPAddress !in (known)",
    ],
    pass: &[
        "let known = toscalar(SigninLogs\n    | where TimeGenerated between (ago(14d) .. ago(1d))\n    | summarize make_set(IPAddress));\nSigninLogs\n| where TimeGenerated > ago(1d)\n| where IPAddress !in (known)",
        "SigninLogs\n| summarize Apps = makeset(AppDisplayName) by UserPrincipalName",
        "SigninLogs\n| summarize Ips = makeset(IPAddress, 100000)",
    ],
};

/// The deprecated list builders and their documented replacements.
const CAPPED: &[(&str, &str)] = &[("makeset", "make_set"), ("makelist", "make_list")];

/// The `makeset(x)` / `makelist(x)` calls this rule reports (by the span of
/// the function name), so that KQL305 leaves them to it.
pub(crate) fn capped_calls<'a>(ctx: &LintContext<'a>) -> Vec<(&'a Ident, &'static str)> {
    let user = user_functions(&ctx.parse.query);
    let mut out = Vec::new();
    for p in ctx.pipelines() {
        for op in &p.ops {
            let OperatorKind::Summarize { aggregates, by, .. } = &op.op.kind else {
                continue;
            };
            if !by.is_empty() {
                continue;
            }
            for c in aggregates {
                // The aggregate's own expression: a nested query is another
                // operator's business.
                let mut stack = vec![&c.expr];
                while let Some(e) = stack.pop() {
                    match &e.kind {
                        ExprKind::Pipeline(_) | ExprKind::Operator(_) => continue,
                        ExprKind::Call {
                            receiver: None,
                            func,
                            args,
                            ..
                        } if args.len() == 1 && !user.contains(func.as_str()) => {
                            if let Some((_, alt)) = CAPPED.iter().find(|(n, _)| *n == func.as_str())
                            {
                                out.push((func, *alt));
                            }
                        }
                        _ => {}
                    }
                    stack.extend(crate::ast_util::children(e));
                }
            }
        }
    }
    out
}

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (func, alt) in capped_calls(ctx) {
        out.push(
            Diagnostic::new(
                &META,
                func.span,
                format!(
                    "`{}` without a maximum keeps at most 128 values: this list of the whole input stops growing \
                     there and silently drops the rest",
                    func.name
                ),
            )
            .with_help(format!(
                "use `{alt}`, whose default maximum is 1,048,576 values, or pass the maximum you mean as a second \
                 argument"
            ))
            .with_fix(Fix::replace(
                format!("Rename `{}` to `{alt}`", func.name),
                func.span,
                alt,
                Applicability::Safe,
            )),
        );
    }
}

/// Names the query defines as functions or values (`let makeset = ...`).
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

#[cfg(test)]
mod tests {
    use crate::test_support::{fixed, lint};

    const R: &str = "makeset-limit";

    #[test]
    fn table_wide_lists_without_a_maximum() {
        assert_eq!(lint("T | summarize makeset(a)", R).len(), 1);
        assert_eq!(
            lint("T | summarize known = makelist(tolower(a))", R).len(),
            1
        );
        assert_eq!(
            lint(
                "let k = toscalar(T | summarize makeset(a));\nU | where b in (k)",
                R
            )
            .len(),
            1
        );
        let d = lint("T | summarize Ips = makeset(IPAddress), n = count()", R);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("at most 128 values"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.as_deref().unwrap().contains("`make_set`"));
        assert_eq!(
            fixed("T | summarize Ips = makeset(IPAddress)", R),
            "T | summarize Ips = make_set(IPAddress)"
        );
    }

    #[test]
    fn per_group_lists_explicit_maxima_and_the_new_names_are_not_reported() {
        assert!(lint("T | summarize makeset(a) by b", R).is_empty());
        assert!(lint("T | summarize makeset(a, 1000)", R).is_empty());
        assert!(lint("T | summarize make_set(a), make_list(b)", R).is_empty());
        assert!(lint("T | extend s = makeset", R).is_empty());
    }
}
