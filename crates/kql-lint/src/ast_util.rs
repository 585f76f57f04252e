//! Small helpers over the syntax tree shared by the rules.

use kql_syntax::Span;
use kql_syntax::ast::*;
use kql_syntax::visit::{self, Visitor};

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

/// Collects the expressions a walk reaches, without walking into them: the
/// direct sub-expressions of the node the walk starts from.
struct Direct<'a>(Vec<&'a Expr>);

impl<'a> Visitor<'a> for Direct<'a> {
    fn visit_expr(&mut self, e: &'a Expr) {
        self.0.push(e);
    }
}

/// The top-level expressions of a statement (function bodies included).
pub(crate) fn collect_statement_exprs<'a>(s: &'a Statement, out: &mut Vec<&'a Expr>) {
    let mut d = Direct(std::mem::take(out));
    visit::walk_statement(&mut d, s);
    *out = d.0;
}

/// The direct sub-expressions of an expression (for pipelines and
/// operators: every expression they hold, nested queries included), in
/// source order, as [`kql_syntax::visit`] walks them.
pub(crate) fn children(e: &Expr) -> Vec<&Expr> {
    let mut d = Direct(Vec::new());
    visit::walk_expr(&mut d, e);
    d.0
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
