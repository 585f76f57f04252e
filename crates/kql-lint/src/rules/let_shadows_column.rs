//! KQL307 `let-shadows-column`: a `let` variable (or function parameter)
//! with the name of a column, used where the column wins.

use crate::ast_util::{as_name, children, collect_statement_exprs, descendants, unparen};
use crate::context::LintContext;
use kql_syntax::Span;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    code: "KQL307",
    name: "let-shadows-column",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `where` condition uses a name that is both a `let` variable (or parameter) and a column: the column wins.",
    what: "Reports a name in a `where` condition that is both a scalar `let` variable (or a function parameter) \
           and a column of the rows at that point: the condition reads the column (Kusto.Language's KS510 \
           reports the same, anywhere). Uses outside conditions (`project`, `summarize ... by`) are left alone: \
           there the column is what is meant. So is a variable the query deliberately turns into a column \
           (`extend v_Name = tolower(v_Name)`, as Exploration Queries do).",
    why: "In KQL a column hides a variable of the same name, so `let Computer = \"dc01\"; SecurityEvent | where \
          Computer == Computer` compares the column with itself and keeps every row. The variable is silently \
          ignored.",
    fix: "Rename the variable (for example `let TargetComputer = ...`) and use the new name.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["let Computer = \"dc01.example.local\";\nSecurityEvent\n| where Computer == Computer"],
    pass: &[
        "let TargetComputer = \"dc01.example.local\";\nSecurityEvent\n| where Computer == TargetComputer",
    ],
};

/// A scalar name in scope: a `let` value or a function parameter.
#[derive(Clone, Copy)]
struct Var<'a> {
    name: &'a str,
    def: Span,
    param: bool,
}

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let q = &ctx.parse.query;
    // Every name bound by a `let` or parameter (tabular ones too): a
    // pipeline starting from one of them does not start from a table.
    let mut bound: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&Statement> = q.statements.iter().collect();
    while let Some(s) = stack.pop() {
        if let Statement::Let(l) = s {
            bound.insert(l.name.as_str());
            if let LetValue::Function(f) | LetValue::View(f) = &l.value {
                bound.extend(f.params.iter().map(|p| p.name.as_str()));
                stack.extend(f.body.iter());
            }
        }
    }
    let rebound = rebound_names(ctx);
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    statements(
        ctx,
        &q.statements,
        &mut Vec::new(),
        &bound,
        &mut seen,
        &mut found,
    );
    out.extend(
        found
            .into_iter()
            .filter(|(name, _)| !rebound.contains(name))
            .map(|(_, d)| d),
    );
}

/// Names the query turns from a variable into a column on purpose:
/// `extend X = f(X)` / `project X = f(X)`.
fn rebound_names(ctx: &LintContext<'_>) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in ctx.pipelines() {
        for op in &p.ops {
            let (OperatorKind::Extend(cols) | OperatorKind::Project(cols)) = &op.op.kind else {
                continue;
            };
            for c in cols {
                if let ColumnNames::Single(n) = &c.names
                    && shallow(&c.expr)
                        .iter()
                        .any(|e| matches!(&e.kind, ExprKind::Name(m) if m.name == n.name))
                {
                    out.insert(n.name.to_string());
                }
            }
        }
    }
    out
}

/// Findings with the name they are about.
type Found = Vec<(String, Diagnostic)>;

/// A key for "this name in this operator": `x == x` is one mistake.
type Seen = HashSet<(u32, String)>;

fn statements<'a>(
    ctx: &LintContext<'_>,
    stmts: &'a [Statement],
    scope: &mut Vec<Var<'a>>,
    bound: &HashSet<&str>,
    seen: &mut Seen,
    out: &mut Found,
) {
    let depth = scope.len();
    for s in stmts {
        match s {
            Statement::Let(l) => match &l.value {
                LetValue::Expr(e) => {
                    check_roots(ctx, &[e], scope, bound, seen, out);
                    if is_scalar(e, bound) {
                        scope.push(Var {
                            name: l.name.as_str(),
                            def: l.name.span,
                            param: false,
                        });
                    }
                }
                LetValue::Function(f) | LetValue::View(f) => {
                    let inner = scope.len();
                    for p in &f.params {
                        if matches!(p.ty, ParamType::Scalar(_)) {
                            scope.push(Var {
                                name: p.name.as_str(),
                                def: p.name.span,
                                param: true,
                            });
                        }
                    }
                    statements(ctx, &f.body, scope, bound, seen, out);
                    scope.truncate(inner);
                }
            },
            other => {
                let mut roots = Vec::new();
                collect_statement_exprs(other, &mut roots);
                check_roots(ctx, &roots, scope, bound, seen, out);
            }
        }
    }
    scope.truncate(depth);
}

/// Whether a `let` value is a scalar (not a query, a table or a
/// `materialize`): only scalar variables can be confused with columns.
fn is_scalar(e: &Expr, bound: &HashSet<&str>) -> bool {
    match &unparen(e).kind {
        ExprKind::Pipeline(_) | ExprKind::Operator(_) | ExprKind::EntityGroup(_) => false,
        ExprKind::Name(n) => {
            !bound.contains(n.as_str()) && n.name.chars().next().is_some_and(|c| c.is_lowercase())
        }
        ExprKind::Call { func, .. } => {
            !matches!(
                func.as_str(),
                "materialize"
                    | "view"
                    | "table"
                    | "database"
                    | "cluster"
                    | "external_table"
                    | "_GetWatchlist"
            ) && !func.name.starts_with('_')
        }
        _ => true,
    }
}

fn check_roots(
    ctx: &LintContext<'_>,
    roots: &[&Expr],
    scope: &[Var<'_>],
    bound: &HashSet<&str>,
    seen: &mut Seen,
    out: &mut Found,
) {
    if scope.is_empty() {
        return;
    }
    for root in roots {
        for e in descendants(root) {
            if let ExprKind::Pipeline(p) = &e.kind {
                pipeline(ctx, p, scope, bound, seen, out);
            }
        }
    }
}

fn pipeline(
    ctx: &LintContext<'_>,
    p: &Pipeline,
    scope: &[Var<'_>],
    bound: &HashSet<&str>,
    seen: &mut Seen,
    out: &mut Found,
) {
    if let Some(analysis) = ctx.analysis {
        resolved_references(p, analysis, scope, seen, out);
        return;
    }
    let Some((source_name, mut columns)) = p
        .source
        .as_ref()
        .and_then(|s| source_columns(ctx, s, bound, 0))
    else {
        return;
    };
    for op in &p.ops {
        // References in this operator see its input's columns.
        for e in own_exprs(&op.op) {
            for x in shallow(e) {
                let ExprKind::Name(n) = &x.kind else { continue };
                let Some(var) = scope.iter().rev().find(|v| v.name == n.name) else {
                    continue;
                };
                if !columns.contains(n.as_str())
                    || !seen.insert((op.op.span.start, n.name.to_string()))
                {
                    continue;
                }
                out.push((
                    n.name.to_string(),
                    shadowed(n, var, &format!("the column of `{source_name}`")),
                ));
            }
        }
        if !next_columns(&op.op, &mut columns) {
            break;
        }
    }
}

/// With the semantic analysis: every name in the pipeline's operators that
/// a scalar variable in scope is named like and that resolved to a column.
fn resolved_references(
    p: &Pipeline,
    analysis: &kql_semantic::Analysis,
    scope: &[Var<'_>],
    seen: &mut Seen,
    out: &mut Found,
) {
    for op in &p.ops {
        for e in own_exprs(&op.op) {
            for x in shallow(e) {
                let ExprKind::Name(n) = &x.kind else { continue };
                let Some(var) = scope.iter().rev().find(|v| v.name == n.name) else {
                    continue;
                };
                let Some(r) = analysis.name_with_span(n.span) else {
                    continue;
                };
                let kql_semantic::Resolved::Column { table, .. } = &r.resolved else {
                    continue;
                };
                if !seen.insert((op.op.span.start, n.name.to_string())) {
                    continue;
                }
                let whose = match table {
                    Some(t) => format!("the column of `{t}`"),
                    None => "a column".to_owned(),
                };
                out.push((n.name.to_string(), shadowed(n, var, &whose)));
            }
        }
    }
}

fn shadowed(n: &Ident, var: &Var<'_>, whose: &str) -> Diagnostic {
    let what = if var.param { "parameter" } else { "variable" };
    Diagnostic::new(
        &META,
        n.span,
        format!(
            "`{}` here is {whose}, not the {what} `{}`: a column hides a {what} of the same name",
            n.name, n.name
        ),
    )
    .with_label(var.def, format!("this {what} is hidden by the column"))
    .with_help(format!(
        "rename the {what} (for example `{}Value`) and use the new name",
        n.name
    ))
}

/// The columns of a pipeline's source: a table of the catalogue, or a
/// top-level `let` whose query starts from one (followed through its
/// operators).
fn source_columns(
    ctx: &LintContext<'_>,
    source: &Expr,
    bound: &HashSet<&str>,
    depth: u32,
) -> Option<(String, HashSet<String>)> {
    let name = as_name(source)?;
    if !bound.contains(name.as_str()) {
        let table = ctx.catalog.table(name.as_str())?;
        return Some((
            name.name.to_string(),
            table.column_names().map(str::to_owned).collect(),
        ));
    }
    if depth >= 4 {
        return None;
    }
    // The last top-level `let` of that name whose value is a query.
    let value = ctx
        .parse
        .query
        .statements
        .iter()
        .rev()
        .find_map(|s| match s {
            Statement::Let(LetStmt {
                name: n,
                value: LetValue::Expr(e),
                ..
            }) if n.name == name.name => Some(e),
            _ => None,
        })?;
    let inner = match &unparen(value).kind {
        ExprKind::Call { func, args, .. } if func.name == "materialize" && args.len() == 1 => {
            unparen(&args[0].value)
        }
        _ => unparen(value),
    };
    let ExprKind::Pipeline(p) = &inner.kind else {
        return None;
    };
    let (_, mut columns) = source_columns(ctx, p.source.as_ref()?, bound, depth + 1)?;
    for op in &p.ops {
        if !next_columns(&op.op, &mut columns) {
            return None;
        }
    }
    Some((name.name.to_string(), columns))
}

/// The conditions of an operator: where a variable is what the author
/// most likely meant (in `project` or `summarize ... by` the column is).
fn own_exprs(op: &Operator) -> Vec<&Expr> {
    match &op.kind {
        OperatorKind::Where(e) => vec![e],
        _ => Vec::new(),
    }
}

/// The sub-expressions of `e` evaluated against the same rows: nested
/// queries are skipped (they have their own input).
fn shallow(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if matches!(e.kind, ExprKind::Pipeline(_) | ExprKind::Operator(_)) {
            continue;
        }
        out.push(e);
        stack.extend(children(e));
    }
    out
}

fn col_name(c: &ColumnExpr) -> Option<String> {
    match &c.names {
        ColumnNames::Single(i) => Some(i.name.to_string()),
        ColumnNames::Tuple(_) => None,
        ColumnNames::None => as_name(&c.expr).map(|n| n.name.to_string()),
    }
}

/// Updates the known columns after an operator; false when they can no
/// longer be followed.
fn next_columns(op: &Operator, columns: &mut HashSet<String>) -> bool {
    use OperatorKind::*;
    match &op.kind {
        Where(_)
        | Sort { .. }
        | Take { .. }
        | Top { .. }
        | As { .. }
        | Render { .. }
        | Sample(_)
        | ProjectReorder(_)
        | Join { .. }
        | Lookup { .. } => {}
        Extend(cs) | Serialize(cs) => columns.extend(cs.iter().filter_map(col_name)),
        MvExpand { items, .. } => columns.extend(items.iter().filter_map(|i| col_name(&i.column))),
        Parse { pattern, .. } => columns.extend(pattern.iter().filter_map(|p| match p {
            ParsePart::Column { name, .. } => Some(name.name.to_string()),
            _ => None,
        })),
        Project(cs) => *columns = cs.iter().filter_map(col_name).collect(),
        Summarize { aggregates, by, .. } => {
            *columns = by
                .iter()
                .chain(aggregates.iter())
                .filter_map(col_name)
                .collect()
        }
        Distinct { columns: cs, .. } => *columns = cs.iter().filter_map(col_name).collect(),
        Count { as_name } => {
            *columns = [as_name
                .as_ref()
                .map_or("Count".to_owned(), |n| n.name.to_string())]
            .into()
        }
        ProjectAway(ps) => columns.retain(|c| !ps.iter().any(|p| p.matches(c))),
        ProjectKeep(ps) => columns.retain(|c| ps.iter().any(|p| p.matches(c))),
        ProjectRename(rs) => {
            for r in rs {
                if columns.remove(r.old.as_str()) {
                    columns.insert(r.new.name.to_string());
                }
            }
        }
        Union { params, .. } => {
            if crate::ast_util::param(params, "kind")
                .is_some_and(|p| as_name(&p.value).is_some_and(|n| n.name == "inner"))
            {
                return false;
            }
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "let-shadows-column";

    #[test]
    fn reported() {
        let d = lint(
            "let Computer = \"x\";\nSecurityEvent | where Computer == Computer",
            R,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("column of `SecurityEvent`"));
        // through extend and function parameters
        assert_eq!(
            lint("let a = 1;\nSecurityEvent | extend a = 2 | where a > 1", R).len(),
            1
        );
        assert_eq!(
            lint("let f = (Computer: string) { SecurityEvent | where Computer == Computer };\nf(\"x\")", R).len(),
            1
        );
    }

    #[test]
    fn with_the_semantic_analysis() {
        use crate::test_support::lint_analysed;
        let d = lint_analysed(
            "let Computer = \"x\";\nSecurityEvent | where Computer == Computer",
            R,
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("the column of `SecurityEvent`"),
            "{}",
            d[0].message
        );
        // A column that a join brings in.
        let q = "let Level = 5;\nSecurityEvent\n| join kind=inner (SecurityEvent | summarize Level = count() by Computer) on Computer\n| where Level > 1";
        assert_eq!(lint_analysed(q, R).len(), 1);
        // Not when the column is gone.
        assert!(lint_analysed("let Computer = \"x\";\nSecurityEvent | project EventID | where EventID == 1 and Computer == \"y\"", R).is_empty());
        assert!(
            lint_analysed(
                "let threshold = 5;\nSecurityEvent | where EventID > threshold",
                R
            )
            .is_empty()
        );
        // Deliberately made a column; a column named like a variable in a
        // projection.
        assert!(lint_analysed("let f = (Account: string) { SecurityEvent | extend Account = tolower(Account) | where Account has \"x\" };\nf(\"a\")", R).is_empty());
        assert!(lint_analysed("let Computer = \"x\";\nSecurityEvent | summarize count() by Computer | project Computer", R).is_empty());
    }

    #[test]
    fn not_reported() {
        // projected away before the reference
        assert!(lint("let Computer = \"x\";\nSecurityEvent | project EventID | where EventID == 1 and Computer == \"y\"", R).is_empty());
        // a tabular let
        assert!(lint("let Computer = SecurityEvent | take 1;\nSecurityEvent | join (Computer) on EventID", R).is_empty());
        // not a column
        assert!(
            lint(
                "let threshold = 5;\nSecurityEvent | where EventID > threshold",
                R
            )
            .is_empty()
        );
        // join keys name columns on purpose
        assert!(
            lint(
                "let Computer = 1;\nSecurityEvent | join (SecurityEvent) on Computer",
                R
            )
            .is_empty()
        );
        // an unknown table
        assert!(
            lint(
                "let Computer = \"x\";\nNoSuchTable | where Computer == Computer",
                R
            )
            .is_empty()
        );
    }
}
