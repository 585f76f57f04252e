//! KQL311 `missing-time-filter`: a hunting query (or query file) that reads
//! a table with no time filter at all.

use crate::ast_util::{as_name, unparen};
use crate::context::{LintContext, QueryKind};
use kql_schema::ScalarType;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    code: "KQL311",
    name: "missing-time-filter",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "A hunting query or query file reads a table but never filters on time (opt-in).",
    what: "Reports a hunting query (a rule YAML without `queryFrequency` / `queryPeriod`) or a `.kql` file that \
           reads a table with a `TimeGenerated` or `Timestamp` column and has no time condition anywhere: no \
           `ago()`, `now()`, `startofday()` or other time function, no `datetime(...)` literal, and no `where` \
           that tests a column or variable with `time` or `date` in its name. Analytic rules are not reported: \
           their `queryPeriod` bounds the time window. This rule is off unless selected by code or name: in the \
           Sentinel and Defender portals the page's time range applies, and many published hunting queries rely \
           on it.",
    why: "Without a time filter the query reads the table's whole retention (up to two years in Sentinel) when it \
          runs anywhere the portal's time picker does not apply: the API, a notebook, a workbook, a playbook. It \
          is slow and costly, and its results depend on who runs it.",
    fix: "Filter right after the table: `| where TimeGenerated > ago(7d)` (Defender XDR tables: `Timestamp`), or \
          with a `let lookback = 7d;` the team can adjust.",
    fixable: false,
    opt_in: true,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceNetworkEvents\n| where RemoteUrl has \"example-c2.net\""],
    pass: &[
        "DeviceNetworkEvents\n| where Timestamp > ago(7d)\n| where RemoteUrl has \"example-c2.net\"",
        "let start = now(-5d);\nDeviceNetworkEvents\n| where Timestamp between (start .. now())",
    ],
};

const TIME_FUNCTIONS: &[&str] = &[
    "ago",
    "now",
    "startofday",
    "startofweek",
    "startofmonth",
    "startofyear",
    "endofday",
    "endofweek",
    "endofmonth",
    "endofyear",
    "datetime_add",
    "todatetime",
    "make_datetime",
    "unixtime_seconds_todatetime",
    "unixtime_milliseconds_todatetime",
    "unixtime_microseconds_todatetime",
    "unixtime_nanoseconds_todatetime",
    "ingestion_time",
];

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !matches!(ctx.kind, QueryKind::Hunting | QueryKind::File) {
        return;
    }
    let q = &ctx.parse.query;
    let exprs = ctx.all_exprs();
    let bound = bound_names(q);
    let mut tables = Vec::new();
    for e in exprs {
        match &e.kind {
            ExprKind::Call { func, .. } if TIME_FUNCTIONS.contains(&func.as_str()) => return,
            ExprKind::Literal(Literal {
                kind: LitKind::DateTime(_),
                ..
            }) => return,
            ExprKind::Pipeline(p) => {
                if let Some(s) = &p.source {
                    tables.extend(as_name(s));
                }
                for op in &p.ops {
                    if let OperatorKind::Where(pred) = &op.op.kind
                        && mentions_time(pred)
                    {
                        return;
                    }
                    table_operands(&op.op, &mut tables);
                }
            }
            ExprKind::Operator(op) => {
                if let OperatorKind::Where(pred) = &op.kind
                    && mentions_time(pred)
                {
                    return;
                }
                table_operands(op, &mut tables);
            }
            _ => {}
        }
    }
    for s in &q.statements {
        if let Statement::Expr(e) = s {
            tables.extend(as_name(e));
        }
    }
    tables.sort_by_key(|t| t.span.start);
    let Some((t, column)) = tables.into_iter().find_map(|t| {
        if bound.contains(t.as_str()) {
            return None;
        }
        let table = ctx.catalog.table(t.as_str())?;
        ["Timestamp", "TimeGenerated"]
            .into_iter()
            .find(|c| {
                table
                    .column(c)
                    .is_some_and(|c| c.ty == ScalarType::DateTime)
            })
            .map(|c| (t, c))
    }) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &META,
            t.span,
            format!(
                "this {} reads `{}` with no time filter: it scans the table's whole retention wherever the portal's time range does not apply",
                ctx.kind.as_str(),
                t.name
            ),
        )
        .with_help(format!("filter right after the table, for example `| where {column} > ago(7d)`")),
    );
}

/// Whether a predicate tests something time-like: a name with `time` or
/// `date` in it (`TimeGenerated`, `Timestamp`, `starttime`, ...).
fn mentions_time(pred: &Expr) -> bool {
    crate::ast_util::descendants(pred).into_iter().any(|e| {
        let name = match &e.kind {
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Member { name, .. } => name.as_str(),
            _ => return false,
        };
        let l = name.to_ascii_lowercase();
        l.contains("time") || l.contains("date")
    })
}

/// Tables an operator reads besides its input: union, join and lookup
/// operands, `search in (...)`, `find in (...)`.
fn table_operands<'a>(op: &'a Operator, out: &mut Vec<&'a Ident>) {
    match &op.kind {
        OperatorKind::Union { tables, .. } => out.extend(tables.iter().filter_map(as_name)),
        OperatorKind::Join { right, .. } | OperatorKind::Lookup { right, .. } => {
            out.extend(as_name(unparen(right)))
        }
        OperatorKind::Search {
            tables: Some(ts), ..
        }
        | OperatorKind::Find {
            tables: Some(ts), ..
        } => out.extend(ts.iter().filter_map(as_name)),
        _ => {}
    }
}

/// Every name a `let` or a parameter binds.
fn bound_names(q: &Query) -> HashSet<&str> {
    let mut out = HashSet::new();
    let mut stack: Vec<&Statement> = q.statements.iter().collect();
    while let Some(s) = stack.pop() {
        if let Statement::Let(l) = s {
            out.insert(l.name.as_str());
            if let LetValue::Function(f) | LetValue::View(f) = &l.value {
                out.extend(f.params.iter().map(|p| p.name.as_str()));
                stack.extend(f.body.iter());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::context::QueryKind;
    use crate::test_support::{lint, lint_as};

    const R: &str = "missing-time-filter";

    #[test]
    fn reported() {
        let d = lint("DeviceNetworkEvents | where RemoteIP == \"1.2.3.4\"", R);
        assert_eq!(d.len(), 1);
        assert!(d[0].help.as_deref().unwrap().contains("Timestamp"));
        let d = lint(
            "SecurityEvent | where EventID == 4624 | join (SigninLogs) on $left.Account == $right.UserPrincipalName",
            R,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].help.as_deref().unwrap().contains("TimeGenerated"));
    }

    #[test]
    fn not_reported() {
        assert!(lint("SecurityEvent | where TimeGenerated > ago(1d)", R).is_empty());
        assert!(
            lint(
                "let lookback = 1d;\nSecurityEvent | where TimeGenerated > ago(lookback)",
                R
            )
            .is_empty()
        );
        assert!(
            lint(
                "let s = datetime(2024-01-01);\nSecurityEvent | where TimeGenerated > s",
                R
            )
            .is_empty()
        );
        assert!(
            lint(
                "let starttime = 1d;\nSecurityEvent | where TimeGenerated > starttime",
                R
            )
            .is_empty()
        );
        assert!(lint("datatable(a: long)[1] | where a == 1", R).is_empty());
        assert!(
            lint(
                "let T = datatable(TimeGenerated: datetime)[];\nT | take 1",
                R
            )
            .is_empty()
        );
        assert!(
            lint_as(
                "SecurityEvent | where EventID == 1",
                QueryKind::AnalyticRule,
                R
            )
            .is_empty()
        );
        assert!(
            lint_as(
                "SecurityEvent | where EventID == 1",
                QueryKind::Exploration,
                R
            )
            .is_empty()
        );
        assert_eq!(
            lint_as("SecurityEvent | where EventID == 1", QueryKind::Hunting, R).len(),
            1
        );
    }
}
