//! Small helpers over the syntax tree shared by the rules.

use kql_syntax::Span;
use kql_syntax::ast::*;

/// The expression inside any number of parentheses.
pub(crate) fn unparen(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

/// A string literal (possibly parenthesised) and its span.
pub(crate) fn as_string(e: &Expr) -> Option<(&StringLit, Span)> {
    match &unparen(e).kind {
        ExprKind::Literal(Literal {
            kind: LitKind::String(s),
            span,
        }) => Some((s, *span)),
        _ => None,
    }
}

/// A plain name reference (possibly parenthesised).
pub(crate) fn as_name(e: &Expr) -> Option<&Ident> {
    match &unparen(e).kind {
        ExprKind::Name(i) => Some(i),
        _ => None,
    }
}

/// A call without a receiver: `f(args)`.
pub(crate) fn as_call(e: &Expr) -> Option<(&Ident, &[Arg])> {
    match &unparen(e).kind {
        ExprKind::Call {
            receiver: None,
            func,
            args,
            ..
        } => Some((func, args)),
        _ => None,
    }
}

/// The value of an operator parameter (`kind=inner` → `inner`).
pub(crate) fn param<'a>(params: &'a [OpParam], name: &str) -> Option<&'a OpParam> {
    params
        .iter()
        .find(|p| p.name.name.eq_ignore_ascii_case(name))
}

/// The top-level expressions of a statement (function bodies included).
pub(crate) fn collect_statement_exprs<'a>(s: &'a Statement, out: &mut Vec<&'a Expr>) {
    match s {
        Statement::Let(l) => match &l.value {
            LetValue::Expr(e) => out.push(e),
            LetValue::Function(f) | LetValue::View(f) => {
                for p in &f.params {
                    if let Some(d) = &p.default {
                        out.push(d);
                    }
                }
                for s in &f.body {
                    collect_statement_exprs(s, out);
                }
            }
        },
        Statement::Set(s) => {
            if let Some(e) = &s.value {
                out.push(e);
            }
        }
        Statement::Alias(a) => out.push(&a.value),
        Statement::Restrict(r) => out.extend(r.entities.iter()),
        Statement::Expr(e) => out.push(e),
        Statement::DeclarePattern(d) => {
            for def in &d.definitions {
                for s in &def.body {
                    collect_statement_exprs(s, out);
                }
            }
        }
        Statement::DeclareQueryParameters(d) => {
            for p in &d.params {
                if let Some(e) = &p.default {
                    out.push(e);
                }
            }
        }
        Statement::Error(_) => {}
    }
}

/// The direct sub-expressions of an expression (for pipelines and
/// operators: every expression they hold, nested queries included).
pub(crate) fn children(e: &Expr) -> Vec<&Expr> {
    let mut v = Vec::new();
    match &e.kind {
        ExprKind::Error
        | ExprKind::Star
        | ExprKind::Literal(_)
        | ExprKind::Name(_)
        | ExprKind::NamePattern(_) => {}
        ExprKind::Paren(x) => v.push(&**x),
        ExprKind::Unary { operand, .. } => v.push(&**operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            v.push(&**lhs);
            v.push(&**rhs);
        }
        ExprKind::InList { lhs, list, .. } => {
            v.push(&**lhs);
            v.extend(list.iter());
        }
        ExprKind::Between { lhs, low, high, .. } => {
            v.push(&**lhs);
            v.push(&**low);
            v.push(&**high);
        }
        ExprKind::Call { receiver, args, .. } => {
            if let Some(r) = receiver {
                v.push(&**r);
            }
            v.extend(args.iter().map(|a| &a.value));
        }
        ExprKind::Member { expr, .. } => v.push(&**expr),
        ExprKind::Index { expr, index } => {
            v.push(&**expr);
            v.push(&**index);
        }
        ExprKind::EntityGroup(items) => v.extend(items.iter()),
        ExprKind::Pipeline(p) => {
            if let Some(s) = &p.source {
                v.push(s);
            }
            for op in &p.ops {
                operator_exprs(&op.op, &mut v);
            }
        }
        ExprKind::Operator(op) => operator_exprs(op, &mut v),
        ExprKind::Named(n) => v.push(&n.expr),
    }
    v
}

/// Every expression an operator holds (parameters, predicates, columns,
/// nested queries), in source order.
pub(crate) fn operator_exprs<'a>(op: &'a Operator, v: &mut Vec<&'a Expr>) {
    use OperatorKind::*;
    let params = |ps: &'a [OpParam], v: &mut Vec<&'a Expr>| v.extend(ps.iter().map(|p| &p.value));
    let cols = |cs: &'a [ColumnExpr], v: &mut Vec<&'a Expr>| v.extend(cs.iter().map(|c| &c.expr));
    match &op.kind {
        Error
        | GetSchema
        | ProjectAway(_)
        | ProjectKeep(_)
        | ProjectRename(_)
        | ProjectReorder(_)
        | Count { .. }
        | GraphToTable(_) => {}
        Where(e) | Invoke(e) | Sample(e) | GraphWhereNodes(e) | GraphWhereEdges(e) => v.push(e),
        Project(cs) | Extend(cs) | Serialize(cs) | Print(cs) => cols(cs, v),
        ProjectByNames(es) => v.extend(es.iter()),
        Summarize {
            params: ps,
            aggregates,
            by,
            ..
        } => {
            params(ps, v);
            cols(aggregates, v);
            cols(by, v);
        }
        Distinct {
            params: ps,
            columns,
        } => {
            params(ps, v);
            cols(columns, v);
        }
        Take { params: ps, count } => {
            params(ps, v);
            v.push(count);
        }
        Top {
            params: ps,
            count,
            by,
        } => {
            params(ps, v);
            v.push(count);
            v.push(&by.expr);
        }
        TopNested(clauses) => {
            for c in clauses {
                if let Some(n) = &c.count {
                    v.push(n);
                }
                v.push(&c.of.expr);
                if let Some(o) = &c.others {
                    v.push(o);
                }
                v.push(&c.by.expr);
            }
        }
        TopHitters { count, of, by } => {
            v.push(count);
            v.push(of);
            if let Some(b) = by {
                v.push(b);
            }
        }
        Sort { params: ps, keys } => {
            params(ps, v);
            v.extend(keys.iter().map(|k| &k.expr));
        }
        Join {
            params: ps,
            right,
            condition,
        }
        | Lookup {
            params: ps,
            right,
            condition,
        } => {
            params(ps, v);
            v.push(right);
            match condition {
                Some(JoinCondition::On(es)) => v.extend(es.iter()),
                Some(JoinCondition::Where(e)) => v.push(e),
                None => {}
            }
        }
        Union { params: ps, tables } => {
            params(ps, v);
            v.extend(tables.iter());
        }
        MvExpand {
            params: ps,
            items,
            limit,
        } => {
            params(ps, v);
            v.extend(items.iter().map(|i| &i.column.expr));
            if let Some(l) = limit {
                v.push(l);
            }
        }
        MvApply {
            params: ps,
            items,
            limit,
            on,
        } => {
            params(ps, v);
            v.extend(items.iter().map(|i| &i.column.expr));
            if let Some(l) = limit {
                v.push(l);
            }
            v.push(on);
        }
        Parse {
            params: ps,
            input,
            pattern,
            ..
        } => {
            params(ps, v);
            v.push(input);
            let _ = pattern;
        }
        ParseKv { input, with, .. } => {
            v.push(input);
            params(with, v);
        }
        Evaluate {
            params: ps, call, ..
        } => {
            params(ps, v);
            v.push(call);
        }
        MakeSeries {
            params: ps,
            aggregates,
            on,
            range,
            by,
        } => {
            params(ps, v);
            for a in aggregates {
                v.push(&a.column.expr);
                if let Some(d) = &a.default {
                    v.push(d);
                }
            }
            v.push(on);
            match range.as_deref() {
                Some(MakeSeriesRange::FromTo { from, to, step }) => {
                    if let Some(f) = from {
                        v.push(f);
                    }
                    if let Some(t) = to {
                        v.push(t);
                    }
                    v.push(step);
                }
                Some(MakeSeriesRange::InRange { start, stop, step }) => {
                    v.push(start);
                    v.push(stop);
                    v.push(step);
                }
                None => {}
            }
            cols(by, v);
        }
        Render { props, .. } => params(props, v),
        As { params: ps, .. } => params(ps, v),
        SampleDistinct { count, of } => {
            v.push(count);
            v.push(of);
        }
        Search {
            params: ps,
            tables,
            predicate,
        } => {
            params(ps, v);
            if let Some(ts) = tables {
                v.extend(ts.iter());
            }
            v.push(predicate);
        }
        Find {
            params: ps,
            tables,
            predicate,
            project,
        } => {
            params(ps, v);
            if let Some(ts) = tables {
                v.extend(ts.iter());
            }
            v.push(predicate);
            if let FindProject::Project(es) = project {
                v.extend(es.iter());
            }
        }
        Fork(branches) => v.extend(branches.iter().map(|b| &b.body)),
        Facet { with, .. } => {
            if let Some(w) = with {
                v.push(w);
            }
        }
        Partition {
            params: ps, body, ..
        } => {
            params(ps, v);
            v.push(body);
        }
        Scan {
            params: ps, steps, ..
        } => {
            params(ps, v);
            for s in steps {
                params(&s.params, v);
                v.push(&s.predicate);
                cols(&s.assignments, v);
            }
        }
        Reduce { by, params: ps } => {
            v.push(by);
            params(ps, v);
        }
        Consume(ps) | GraphMarkComponents(ps) => params(ps, v),
        Range { from, to, step, .. } => {
            v.push(from);
            v.push(to);
            v.push(step);
        }
        DataTable {
            params: ps, values, ..
        } => {
            params(ps, v);
            v.extend(values.iter());
        }
        ExternalData {
            params: ps,
            uris,
            with,
            ..
        } => {
            params(ps, v);
            v.extend(uris.iter());
            params(with, v);
        }
        AssertSchema(_) => {}
        MakeGraph {
            params: ps,
            source,
            target,
            with,
            partitioned_by,
            ..
        } => {
            params(ps, v);
            v.push(source);
            v.push(target);
            v.extend(with.iter().map(|(e, _)| e));
            if let Some((_, e)) = partitioned_by.as_deref() {
                v.push(e);
            }
        }
        GraphMatch {
            params: ps,
            patterns,
            where_clause,
            project,
        }
        | GraphShortestPaths {
            params: ps,
            patterns,
            where_clause,
            project,
        } => {
            params(ps, v);
            for p in patterns {
                for el in &p.elements {
                    if let GraphPatternElement::Edge {
                        range: Some((lo, hi)),
                        ..
                    } = el
                    {
                        v.push(lo);
                        v.push(hi);
                    }
                }
            }
            if let Some(w) = where_clause {
                v.push(w);
            }
            cols(project, v);
        }
        MacroExpand {
            params: ps,
            entity_group,
            body,
            ..
        } => {
            params(ps, v);
            v.push(entity_group);
            v.push(body);
        }
        Other { args, .. } => v.extend(args.iter()),
    }
}

/// Every expression in an expression tree (itself included), pre-order,
/// without recursion.
pub(crate) fn descendants(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        out.push(e);
        let mut kids = children(e);
        kids.reverse();
        stack.extend(kids);
    }
    out
}

/// Every expression of the whole query, pre-order.
pub(crate) fn all_exprs(q: &Query) -> Vec<&Expr> {
    let mut roots = Vec::new();
    for s in &q.statements {
        collect_statement_exprs(s, &mut roots);
    }
    roots.into_iter().flat_map(descendants).collect()
}

/// Whether `s` is a dotted-quad IPv4 address (each part 0-255, no
/// leading zeros beyond a lone `0`).
pub(crate) fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// The offset of the start of the line holding `at`.
pub(crate) fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset just after the line break ending the line holding `at` (or
/// the end of the text).
pub(crate) fn line_end_inclusive(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i + 1)
}

/// A string literal written back in KQL, double-quoted.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_literals() {
        assert!(is_ipv4("10.0.0.1"));
        assert!(is_ipv4("255.255.255.255"));
        assert!(!is_ipv4("256.1.1.1"));
        assert!(!is_ipv4("1.2.3"));
        assert!(!is_ipv4("01.2.3.4"));
        assert!(!is_ipv4("1.2.3.4.5"));
        assert!(!is_ipv4("a.b.c.d"));
    }

    #[test]
    fn pipelines_are_found_everywhere() {
        let p = kql_syntax::parse(
            "let x = T | take 1;\nU | join (V | where a == 1) on a | where b in ((W | project b))",
        );
        let pipelines = all_exprs(&p.query)
            .into_iter()
            .filter(|e| matches!(e.kind, ExprKind::Pipeline(_)))
            .count();
        assert_eq!(pipelines, 4);
    }
}
