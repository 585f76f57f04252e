//! KQL301 `join-without-kind`: a `join` without `kind=` uses
//! `innerunique`, which silently de-duplicates the left side.

use crate::ast_util::{as_name, param, unparen};
use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity, Span,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL301",
    name: "join-without-kind",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `join` without `kind=` keeps only one left row per key (the `innerunique` default).",
    what: "Reports a `join` that does not say which kind of join it is, when the left side may hold several rows \
           with the same key. It is not reported when the left side is unique on the join keys (it ends in \
           `summarize ... by` or `distinct` over those keys) or is at most one row (`summarize` without `by`, \
           `count`, `take 1`, a one-row `datatable`), because then `innerunique` and `inner` agree. Off unless \
           selected (`select = [\"join-without-kind\"]`): on Microsoft's Sentinel repository it fired on 6% of \
           the files, and in a reviewed sample of 20 only 8 joins really lost rows to `innerunique`; most of the \
           rest join a left side that is unique by the table's nature (`AlertInfo` per `AlertId`, a \
           vulnerability knowledge base per `CveId`, one `BehaviorAnalytics` record per source record), which \
           kqlint cannot know.",
    why: "KQL's default join kind is `innerunique`, not SQL's inner join: it first keeps one arbitrary left row \
          per key and drops the others. A detection that joins sign-ins to alerts this way silently loses \
          matches, and which rows survive can change from run to run.",
    fix: "Write the kind you mean: `kind=inner` for every matching pair (the editor offers this), or \
          `kind=innerunique` to keep today's behaviour on purpose. Other kinds: `leftouter`, `leftanti`, \
          `leftsemi`, ...",
    fixable: true,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &[
        "SigninLogs\n| where ResultType == 0\n| join (AADRiskyUsers) on $left.UserId == $right.Id",
    ],
    pass: &[
        "SigninLogs\n| where ResultType == 0\n| join kind=inner (AADRiskyUsers) on $left.UserId == $right.Id",
        "SigninLogs\n| summarize Count = count() by UserId\n| join (AADRiskyUsers) on $left.UserId == $right.Id",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let lets = let_values(&ctx.parse.query);
    for p in ctx.pipelines() {
        for (i, pipe_op) in p.ops.iter().enumerate() {
            let OperatorKind::Join {
                params, condition, ..
            } = &pipe_op.op.kind
            else {
                continue;
            };
            if param(params, "kind").is_some() {
                continue;
            }
            if let Some(keys) = left_keys(condition.as_ref())
                && left_is_unique(&p.ops[..i], p.source.as_ref(), &keys, &lets, 0)
            {
                continue;
            }
            let kw = pipe_op.op.keyword_span;
            out.push(
                Diagnostic::new(
                    &META,
                    kw,
                    "`join` without `kind=` is an `innerunique` join: it keeps one arbitrary left row per key \
                     and silently drops the other left rows with that key",
                )
                .with_help("say which join you mean: `join kind=inner` for every matching pair, or `join kind=innerunique` to keep this behaviour on purpose")
                .with_fix(Fix::replace(
                    "Use `kind=inner` (every matching pair of rows)",
                    Span::empty(kw.end),
                    " kind=inner",
                    Applicability::Unsafe,
                )),
            );
        }
    }
}

/// The values of top-level scalar `let`s by name (for following a left
/// side that is a `let`-bound query).
fn let_values(q: &Query) -> Vec<(&str, &Expr)> {
    q.statements
        .iter()
        .filter_map(|s| match s {
            Statement::Let(LetStmt {
                name,
                value: LetValue::Expr(e),
                ..
            }) => Some((name.as_str(), e)),
            _ => None,
        })
        .collect()
}

/// The left-side key columns of a join condition, when all are plain.
fn left_keys(condition: Option<&JoinCondition>) -> Option<Vec<String>> {
    let Some(JoinCondition::On(items)) = condition else {
        return None;
    };
    let mut keys = Vec::new();
    for it in items {
        match &unparen(it).kind {
            ExprKind::Name(n) => keys.push(n.name.to_string()),
            ExprKind::Binary {
                op: BinaryOp::Eq,
                lhs,
                rhs,
                ..
            } => {
                let side = |e: &Expr, which: &str| match &unparen(e).kind {
                    ExprKind::Member { expr, name } => as_name(expr)
                        .filter(|n| n.name == which)
                        .map(|_| name.name.to_string()),
                    _ => None,
                };
                keys.push(side(lhs, "$left").or_else(|| side(rhs, "$left"))?);
            }
            _ => return None,
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Whether the rows entering the join are unique on `keys`: walking back
/// from the join over operators that keep uniqueness, the left side ends
/// in a `summarize` / `distinct` whose keys are among the join keys.
fn left_is_unique(
    ops: &[PipeOp],
    source: Option<&Expr>,
    keys: &[String],
    lets: &[(&str, &Expr)],
    depth: u32,
) -> bool {
    let is_key = |n: &str| keys.iter().any(|k| k == n);
    if at_most_one_row(ops, source) {
        return true;
    }
    for op in ops.iter().rev() {
        use OperatorKind::*;
        match &op.op.kind {
            Where(_)
            | Sort { .. }
            | Take { .. }
            | Top { .. }
            | ProjectReorder(_)
            | As { .. }
            | Render { .. }
            | ProjectKeep(_)
            | Sample(_) => {}
            Extend(cols) => {
                if cols
                    .iter()
                    .any(|c| output_name(c).is_none_or(|n| is_key(&n)))
                {
                    return false;
                }
            }
            Project(cols) => {
                // Every key must pass through unchanged.
                let through = |k: &String| {
                    cols.iter().any(|c| {
                        as_name(&c.expr).is_some_and(|n| n.name == k.as_str())
                            && output_name(c).as_deref() == Some(k.as_str())
                    })
                };
                if !keys.iter().all(through) {
                    return false;
                }
            }
            ProjectRename(rs) => {
                if rs
                    .iter()
                    .any(|r| is_key(&r.new.name) || is_key(&r.old.name))
                {
                    return false;
                }
            }
            ProjectAway(ps) => {
                if keys.iter().any(|k| ps.iter().any(|p| p.matches(k))) {
                    return false;
                }
            }
            Summarize { by, .. } => {
                return by
                    .iter()
                    .all(|c| output_name(c).is_some_and(|n| is_key(&n)));
            }
            Distinct { columns, .. } => {
                return !columns.is_empty()
                    && columns
                        .iter()
                        .all(|c| output_name(c).is_some_and(|n| is_key(&n)));
            }
            Count { .. } => return true,
            _ => return false,
        }
    }
    // The source: follow a `let`-bound query.
    if depth < 4
        && let Some(n) = source.and_then(as_name)
        && let Some((_, e)) = lets.iter().rev().find(|(name, _)| *name == n.name)
    {
        return match &unparen(e).kind {
            ExprKind::Pipeline(p) => {
                left_is_unique(&p.ops, p.source.as_ref(), keys, lets, depth + 1)
            }
            ExprKind::Call { func, args, .. } if func.name == "materialize" && args.len() == 1 => {
                match &unparen(&args[0].value).kind {
                    ExprKind::Pipeline(p) => {
                        left_is_unique(&p.ops, p.source.as_ref(), keys, lets, depth + 1)
                    }
                    _ => false,
                }
            }
            _ => false,
        };
    }
    false
}

/// Whether the rows entering the join are at most one (then unique on any
/// key): the last operator that fixes the row count gives one row
/// (`summarize` without `by`, `count`, `take 1`, `top 1`, a one-row
/// `datatable` or `print` as the source), and what follows it keeps or
/// drops rows but never adds any.
fn at_most_one_row(ops: &[PipeOp], source: Option<&Expr>) -> bool {
    use OperatorKind::*;
    let one = |e: &Expr| matches!(&unparen(e).kind, ExprKind::Literal(Literal { kind: LitKind::Long(n) | LitKind::Int(n), .. }) if *n <= 1);
    for op in ops.iter().rev() {
        match &op.op.kind {
            Summarize { by, .. } => return by.is_empty(),
            Count { .. } => return true,
            Take { count, .. } | Top { count, .. } if one(count) => return true,
            Where(_)
            | Sort { .. }
            | Take { .. }
            | Top { .. }
            | Extend(_)
            | Project(_)
            | ProjectAway(_)
            | ProjectKeep(_)
            | ProjectRename(_)
            | ProjectReorder(_)
            | As { .. }
            | Render { .. }
            | Sample(_) => {}
            _ => return false,
        }
    }
    match source.map(|s| &unparen(s).kind) {
        Some(ExprKind::Pipeline(p)) => at_most_one_row(&p.ops, p.source.as_ref()),
        Some(ExprKind::Operator(op)) => match &op.kind {
            DataTable { schema, values, .. } => !schema.is_empty() && values.len() <= schema.len(),
            Print(_) => true,
            _ => false,
        },
        _ => false,
    }
}

/// The name a column expression produces, when it is evident: `A = ...`
/// or a plain column `A`.
fn output_name(c: &ColumnExpr) -> Option<String> {
    match &c.names {
        ColumnNames::Single(i) => Some(i.name.to_string()),
        ColumnNames::Tuple(_) => None,
        ColumnNames::None => as_name(&c.expr).map(|n| n.name.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "join-without-kind";

    #[test]
    fn reports_a_plain_join() {
        let d = lint("T | join (U) on a", R);
        assert_eq!(d.len(), 1);
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].replacement, " kind=inner");
        assert_eq!(fix.applicability, kqlint_diagnostics::Applicability::Unsafe);
    }

    #[test]
    fn a_unique_left_side_is_fine() {
        assert!(
            lint(
                "T | summarize count() by a | where count_ > 1 | join (U) on a",
                R
            )
            .is_empty()
        );
        assert!(lint("T | summarize arg_max(t, *) by a, b | join (U) on a, b", R).is_empty());
        assert!(lint("T | distinct a | join (U) on $left.a == $right.x", R).is_empty());
        assert!(
            lint(
                "let L = T | summarize by a;\nL | extend z = 1 | join (U) on a",
                R
            )
            .is_empty()
        );
        assert!(lint("T | count | join (U) on Count", R).is_empty());
    }

    #[test]
    fn a_single_row_left_side_is_fine() {
        // The corpus's "join everything to one summary row" idiom.
        assert!(
            lint(
                "T | summarize avg_len = avg(len) | extend a = 1 | join (T | extend a = 1) on a",
                R
            )
            .is_empty()
        );
        assert!(
            lint(
                "(datatable(exists: int) [1] | where b) | join (U | extend exists = 1) on exists",
                R
            )
            .is_empty()
        );
        assert!(lint("T | top 1 by t | extend k = 1 | join (U) on k", R).is_empty());
        assert!(lint("print k = 1 | join (U) on k", R).is_empty());
        // Two rows, or a row count the query does not fix: reported.
        assert_eq!(lint("datatable(k: int) [1, 2] | join (U) on k", R).len(), 1);
        assert_eq!(
            lint(
                "T | summarize n = count() | mv-expand x = range(1, n) | join (U) on x",
                R
            )
            .len(),
            1
        );
        assert_eq!(
            lint("T | take 5 | extend k = 1 | join (U) on k", R).len(),
            1
        );
    }

    #[test]
    fn a_left_side_that_may_repeat_keys_is_reported() {
        // by a superset of the keys: several rows per key remain.
        assert_eq!(
            lint("T | summarize count() by a, b | join (U) on a", R).len(),
            1
        );
        // the key is overwritten after the summarize
        assert_eq!(
            lint("T | summarize by a | extend a = 1 | join (U) on a", R).len(),
            1
        );
        assert_eq!(
            lint("T | summarize by a | mv-expand x | join (U) on a", R).len(),
            1
        );
        assert_eq!(lint("T | join (U) on $left.a == $right.b", R).len(), 1);
    }

    #[test]
    fn explicit_kinds_are_fine() {
        for k in [
            "inner",
            "innerunique",
            "leftouter",
            "leftanti",
            "rightsemi",
            "fullouter",
        ] {
            assert!(lint(&format!("T | join kind={k} (U) on a"), R).is_empty());
        }
    }
}
