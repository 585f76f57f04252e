//! The shape of a query that the rule checks compare with a rule's
//! settings: which tabular operators it uses, and where; which tables it
//! can run without.

use kql_syntax::Parse;
use kql_syntax::Span;
use kql_syntax::ast::Operator;
use kql_syntax::visit::{self, Visitor};

/// Every tabular operator of the query (`where`, `join`, `union`,
/// `externaldata`, ...: [`kql_syntax::ast::OperatorKind::name`]), with
/// its keyword's span, in the order written.
pub fn operators(parse: &Parse) -> Vec<(String, Span)> {
    struct Ops(Vec<(String, Span)>);
    impl Visitor<'_> for Ops {
        fn visit_operator(&mut self, op: &Operator) {
            self.0.push((op.kind.name().to_owned(), op.keyword_span));
            visit::walk_operator(self, op);
        }
    }
    let mut v = Ops(Vec::new());
    v.visit_query(&parse.query);
    v.0
}

/// Whether the query's output has a bounded number of rows: its last
/// pipeline (or the `let` it names) aggregates or cuts them (`summarize`,
/// `count`, `take`, `top`, `make-series`, ...) after the last operator
/// that can multiply them (`join`, `mv-expand`, `union`, ...).
pub fn output_bounded(parse: &Parse) -> bool {
    use kql_syntax::ast::{ExprKind, LetValue, OperatorKind, Statement};
    let Some(Statement::Expr(out)) = parse
        .query
        .statements
        .iter()
        .rev()
        .find(|s| matches!(s, Statement::Expr(_)))
    else {
        return false;
    };
    let mut e = out;
    // `... ; Result` names a `let` of the pipeline (a few hops at most: a
    // generated chain of lets is not followed to its end).
    let mut hops = 0;
    while let ExprKind::Name(id) = &e.kind {
        hops += 1;
        if hops > 8 {
            return false;
        }
        let Some(value) = parse.query.statements.iter().rev().find_map(|s| match s {
            Statement::Let(l) if l.name.name == id.name => match &l.value {
                LetValue::Expr(v) => Some(v),
                _ => None,
            },
            _ => None,
        }) else {
            return false;
        };
        if std::ptr::eq(value, e) {
            return false;
        }
        e = value;
    }
    let ExprKind::Pipeline(p) = &e.kind else {
        return false;
    };
    let mut bounded = false;
    for op in &p.ops {
        match &op.op.kind {
            OperatorKind::Summarize { .. }
            | OperatorKind::Count { .. }
            | OperatorKind::Take { .. }
            | OperatorKind::Top { .. }
            | OperatorKind::TopNested(_)
            | OperatorKind::TopHitters { .. }
            | OperatorKind::MakeSeries { .. }
            | OperatorKind::Sample(_)
            | OperatorKind::SampleDistinct { .. } => bounded = true,
            OperatorKind::Join { .. }
            | OperatorKind::Lookup { .. }
            | OperatorKind::Union { .. }
            | OperatorKind::MvExpand { .. }
            | OperatorKind::MvApply { .. }
            | OperatorKind::Evaluate { .. }
            | OperatorKind::Fork(_)
            | OperatorKind::Facet { .. } => bounded = false,
            _ => {}
        }
    }
    bounded
}

/// The tables of `tables` that the query names only where it runs without
/// them: a leg of `union isfuzzy=true` (Kusto skips a leg whose table does
/// not exist), the right side of a `join kind=leftouter` / `leftanti` or a
/// `lookup` (the default, left-outer kind), or the left side of a `join
/// kind=rightouter` / `rightanti`: these add columns to the rows found or
/// take some away, and leave them when they have no data.
pub fn optional_tables<T: AsRef<str>>(parse: &kql_syntax::Parse, tables: &[T]) -> Vec<String> {
    use kql_syntax::ast::{Expr, ExprKind, LitKind, OpParam, Operator, OperatorKind, Pipeline};
    use kql_syntax::visit::{self, Visitor};
    use std::collections::HashSet;

    fn param<'p>(params: &'p [OpParam], name: &str) -> Option<&'p Expr> {
        params
            .iter()
            .find(|p| p.name.name.eq_ignore_ascii_case(name))
            .map(|p| &p.value)
    }
    fn word(e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Name(i) => Some(i.name.to_ascii_lowercase()),
            ExprKind::Literal(l) => match &l.kind {
                LitKind::Bool(b) => Some(b.to_string()),
                LitKind::String(s) => Some(s.value.to_ascii_lowercase()),
                _ => None,
            },
            _ => None,
        }
    }

    #[derive(Default)]
    struct Names {
        optional: u32,
        inside: HashSet<String>,
        outside: HashSet<String>,
    }
    /// A `join` whose left side the query runs without.
    fn optional_left(op: &Operator) -> bool {
        matches!(&op.kind, OperatorKind::Join { params, .. }
            if matches!(param(params, "kind").and_then(word).as_deref(), Some("rightouter" | "rightanti" | "rightantisemi")))
    }
    impl Visitor<'_> for Names {
        fn visit_pipeline(&mut self, p: &Pipeline) {
            // Everything before the last such join is its left side.
            let Some(i) = p.ops.iter().rposition(|o| optional_left(&o.op)) else {
                return visit::walk_pipeline(self, p);
            };
            self.optional += 1;
            if let Some(s) = &p.source {
                self.visit_expr(s);
            }
            for o in &p.ops[..i] {
                self.visit_operator(&o.op);
            }
            self.optional -= 1;
            for o in &p.ops[i..] {
                self.visit_operator(&o.op);
            }
        }
        fn visit_operator(&mut self, op: &Operator) {
            match &op.kind {
                OperatorKind::Join { params, right, .. }
                | OperatorKind::Lookup { params, right, .. } => {
                    let kind = param(params, "kind").and_then(word);
                    let optional = match (&op.kind, kind.as_deref()) {
                        (OperatorKind::Lookup { .. }, None | Some("leftouter")) => true,
                        (OperatorKind::Join { .. }, Some(k)) => {
                            matches!(k, "leftouter" | "leftanti" | "anti" | "leftantisemi")
                        }
                        _ => false,
                    };
                    if optional {
                        for p in params {
                            self.visit_op_param(p);
                        }
                        self.optional += 1;
                        self.visit_expr(right);
                        self.optional -= 1;
                    } else {
                        visit::walk_operator(self, op);
                    }
                }
                OperatorKind::Union { params, .. } => {
                    let fuzzy = param(params, "isfuzzy").and_then(word).as_deref() == Some("true");
                    self.optional += u32::from(fuzzy);
                    visit::walk_operator(self, op);
                    self.optional -= u32::from(fuzzy);
                }
                _ => visit::walk_operator(self, op),
            }
        }
        fn visit_expr(&mut self, e: &Expr) {
            if let ExprKind::Name(i) = &e.kind {
                let set = if self.optional > 0 {
                    &mut self.inside
                } else {
                    &mut self.outside
                };
                set.insert(i.name.to_string());
            }
            visit::walk_expr(self, e);
        }
    }
    if !tables.is_empty() && !parse.query.statements.is_empty() {
        let mut names = Names::default();
        visit::walk_query(&mut names, &parse.query);
        return tables
            .iter()
            .map(AsRef::as_ref)
            .filter(|t| names.inside.contains(*t) && !names.outside.contains(*t))
            .map(str::to_owned)
            .collect();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn bounded_output() {
        let b = |q: &str| super::output_bounded(&kql_syntax::parse(q));
        assert!(b("T | summarize count() by A"));
        assert!(b("T | where x > 1 | take 10"));
        assert!(b("let r = T | summarize by A;\nr"));
        assert!(b("T | join (U) on k | summarize by k"));
        assert!(!b("T | where x > 1"));
        assert!(!b("T | summarize by k | mv-expand A"));
        assert!(!b("let s = T | summarize by A;\nT | join s on A"));
        assert!(!b("print 1"));
    }

    #[test]
    fn lists_nested_operators_in_order() {
        let q = "let x = datatable(a: int) [1];\nT | where a > 1 | join (U | summarize count() by a) on a | union V";
        let ops: Vec<String> = super::operators(&kql_syntax::parse(q))
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(ops, ["datatable", "where", "join", "summarize", "union"]);
    }

    #[test]
    fn tables_the_query_runs_without() {
        let optional = |q: &str, tables: &[&str]| {
            let parse = kql_syntax::parse(q);
            assert!(parse.errors.is_empty(), "{q}");
            super::optional_tables(&parse, tables)
        };
        assert_eq!(
            optional(
                "union isfuzzy=true (A | where x == 1), (B | take 1)",
                &["A", "B"]
            ),
            ["A", "B"]
        );
        assert!(optional("union (A), (B)", &["A", "B"]).is_empty());
        assert!(optional("union isfuzzy=false A, B", &["A", "B"]).is_empty());
        // Read outside a fuzzy union too: required.
        assert_eq!(
            optional("A | union isfuzzy=true (B), (A | take 1)", &["A", "B"]),
            ["B"]
        );
        assert_eq!(
            optional(
                "A | join kind=leftouter (B | where y > 0) on k | lookup C on k | join kind=leftanti D on k",
                &["A", "B", "C", "D"]
            ),
            ["B", "C", "D"]
        );
        assert!(
            optional(
                "A | join kind=inner (B) on k | join (C) on k | lookup kind=inner D on k",
                &["A", "B", "C", "D"]
            )
            .is_empty()
        );
        // The left side of a right-outer join: the Tarrask rule's DeviceInfo.
        assert_eq!(
            optional(
                "A | where x > 0 | join kind=rightouter (B) on k | join kind=inner (C) on k",
                &["A", "B", "C"]
            ),
            ["A"]
        );
        assert!(optional("A | join kind=rightsemi (B) on k", &["A", "B"]).is_empty());
    }
}
