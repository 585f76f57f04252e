//! The shape of a query that the rule checks compare with a rule's
//! settings: which tabular operators it uses, and where.

use kql_syntax::Parse;
use kql_syntax::Span;
use kql_syntax::ast::Operator;
use kql_syntax::visit::{self, Visitor};

/// Every tabular operator of the query (`where`, `join`, `union`,
/// `externaldata`, ...: [`kql_syntax::ast::OperatorKind::name`]), with
/// its keyword's span, in the order written.
pub fn operators(parse: &Parse) -> Vec<(String, Span)> {
    struct Ops(Vec<(String, Span)>);
    impl Visitor for Ops {
        fn visit_operator(&mut self, op: &Operator) {
            self.0.push((op.kind.name().to_owned(), op.keyword_span));
            visit::walk_operator(self, op);
        }
    }
    let mut v = Ops(Vec::new());
    v.visit_query(&parse.query);
    v.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_nested_operators_in_order() {
        let q = "let x = datatable(a: int) [1];\nT | where a > 1 | join (U | summarize count() by a) on a | union V";
        let ops: Vec<String> = super::operators(&kql_syntax::parse(q))
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(ops, ["datatable", "where", "join", "summarize", "union"]);
    }
}
