//! The outline of a file: the `let`s of every query, and each query
//! statement with its operators.

use crate::{Ide, QueryIde};
use kql_syntax::Span;

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    /// A `let` function or view.
    Function,
    /// A `let` value or table.
    Variable,
    /// A query statement; its children are its operators.
    Query,
    /// A tabular operator of a query.
    Operator,
}

/// One entry of the outline, spans in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineItem {
    pub name: String,
    pub detail: Option<String>,
    pub kind: OutlineKind,
    /// The whole statement or operator.
    pub span: Span,
    /// The part to select: the name, the table read, the operator keyword.
    pub selection: Span,
    pub children: Vec<OutlineItem>,
}

impl Ide {
    /// The outline of every query of the file (a Markdown or JSON file may
    /// hold several), in file order.
    pub fn outline(&self) -> Vec<OutlineItem> {
        self.queries.iter().flat_map(outline).collect()
    }
}

fn outline(ide: &QueryIde) -> Vec<OutlineItem> {
    use kql_syntax::ast::{ExprKind, LetValue, Statement};
    let text = ide.text();
    let mut out: Vec<OutlineItem> = Vec::new();
    let sym =
        |name: String, detail: Option<String>, kind, span: Span, sel: Span, children| OutlineItem {
            name,
            detail,
            kind,
            span: ide.to_file(span),
            selection: ide.to_file(sel),
            children,
        };
    for st in &ide.parse().query.statements {
        match st {
            Statement::Let(l) => {
                let kind = match l.value {
                    LetValue::Function(_) | LetValue::View(_) => OutlineKind::Function,
                    LetValue::Expr(_) => OutlineKind::Variable,
                };
                out.push(sym(
                    l.name.name.to_string(),
                    Some("let".into()),
                    kind,
                    l.span,
                    l.name.span,
                    Vec::new(),
                ));
            }
            Statement::Expr(e) => {
                let (head, ops) = match &e.kind {
                    ExprKind::Pipeline(p) => (
                        p.source.as_ref().map(|s| s.span),
                        p.ops.iter().map(|o| &o.op).collect::<Vec<_>>(),
                    ),
                    _ => (Some(e.span), Vec::new()),
                };
                let name = head.map_or_else(
                    || "query".to_owned(),
                    |h| {
                        let t = h.text(text);
                        let first: String =
                            t.lines().next().unwrap_or("").chars().take(60).collect();
                        first
                    },
                );
                let children: Vec<OutlineItem> = ops
                    .iter()
                    .map(|op| {
                        sym(
                            op.keyword_span.text(text).to_owned(),
                            None,
                            OutlineKind::Operator,
                            op.span,
                            op.keyword_span,
                            Vec::new(),
                        )
                    })
                    .collect();
                out.push(sym(
                    if name.is_empty() {
                        "query".into()
                    } else {
                        name
                    },
                    Some("query".into()),
                    OutlineKind::Query,
                    e.span,
                    head.unwrap_or(e.span),
                    children,
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::OutlineKind;
    use crate::testing::file;

    #[test]
    fn every_fence_of_a_markdown_file_in_file_order() {
        let md = "# Hunts\n\n```kql\nlet p = 443;\nDeviceNetworkEvents | where RemotePort == p\n```\n\ntext\n\n```kusto\nSigninLogs\n| take 1\n```\n";
        let outline = file("hunts.md", md).outline();
        let shape: Vec<(&str, OutlineKind, &str)> = outline
            .iter()
            .map(|i| (i.name.as_str(), i.kind, i.selection.text(md)))
            .collect();
        assert_eq!(
            shape,
            [
                ("p", OutlineKind::Variable, "p"),
                (
                    "DeviceNetworkEvents",
                    OutlineKind::Query,
                    "DeviceNetworkEvents"
                ),
                ("SigninLogs", OutlineKind::Query, "SigninLogs"),
            ]
        );
        let ops: Vec<&str> = outline[2]
            .children
            .iter()
            .map(|c| c.span.text(md))
            .collect();
        assert_eq!(ops, ["take 1"]);
        assert_eq!(outline[2].span.text(md), "SigninLogs\n| take 1");
    }
}
