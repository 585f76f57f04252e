//! KQL201 `unfilled-placeholder`: a string literal still holds template
//! text such as `"IP ADDRESS GOES HERE"`.

use crate::ast_util::{collect_statement_exprs, unparen};
use crate::context::{LintContext, QueryKind};
use crate::placeholder::Place;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity, Span};

pub static META: RuleMeta = RuleMeta {
    code: "KQL201",
    name: "unfilled-placeholder",
    category: Category::Placeholder,
    severity: Severity::Error,
    summary: "A string literal still holds a template value such as `\"IP ADDRESS GOES HERE\"`.",
    what: "Reports string literals that hold text a template left for the user to replace: `... GOES HERE`, \
           instructions in angle brackets (`<replace this with full computer name>`, `<your ...>`, `<processname>`), \
           `TODO` / `FIXME` / `TBD`, `CHANGEME`, `Enter ...`, dummy values such as `x.x.x.x`, and documentation \
           domains such as `example.com`. The message names the `let` the value is bound to (or the column it is \
           compared with), and the help says what belongs there. Real values that look similar are not reported: \
           `'<script>'`, `'<guid>'`, regex groups such as `(?P<key>...)`, and the `'<Name>'`-style parameters the \
           portal fills into Exploration Queries. The patterns are configurable (`[placeholders]` in kqlint.toml).",
    why: "A template value is valid KQL, so neither Sentinel's validation nor the query itself complains: a rule \
          deployed with `\"IP ADDRESS GOES HERE\"` runs on schedule and silently never matches anything.",
    fix: "Replace the value with the real one (the help says what kind of value belongs there), or delete the \
          condition if it is not needed.",
    fixable: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let IP = \"IP ADDRESS GOES HERE\";\nDeviceNetworkEvents\n| where RemoteIP == IP",
        "DeviceInfo\n| where DeviceName == \"<replace this with full computer name>\"",
        "let corp_domains = dynamic([\"example.com\"]);\nEmailEvents\n| where SenderFromDomain !in (corp_domains)",
    ],
    pass: &[
        "let IP = \"203.0.113.7\";\nDeviceNetworkEvents\n| where RemoteIP == IP",
        "DeviceProcessEvents\n| where ProcessCommandLine has '<script>'",
        "SigninLogs\n| extend kv = extract_all(@\"(?P<key>\\w+)=(?P<value>\\w+)\", UserAgent)",
    ],
};

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let place = Place::Query {
        exploration: ctx.kind == QueryKind::Exploration,
    };
    let mut found = Vec::new();
    for s in &ctx.parse.query.statements {
        let bound = match s {
            Statement::Let(l) => match &l.value {
                LetValue::Expr(_) => Some(&l.name),
                _ => None,
            },
            _ => None,
        };
        let mut roots = Vec::new();
        collect_statement_exprs(s, &mut roots);
        for root in roots {
            literals(root, bound, None, &mut found);
        }
    }
    for lit in found {
        let Some(f) = ctx.options.placeholders.find(&lit.value.value, place) else {
            continue;
        };
        let shown = if lit.value.obfuscated {
            "an obfuscated value".to_owned()
        } else {
            format!("\"{}\"", f.text)
        };
        let message = match (lit.bound, lit.compared) {
            (Some(name), _) => format!(
                "`{}` still holds the template value {shown}: it was never filled in",
                name.name
            ),
            (None, Some((func, true))) => {
                format!("the template value {shown} passed to `{func}` was never filled in")
            }
            (None, Some((col, false))) => {
                format!("the template value {shown} compared with `{col}` was never filled in")
            }
            (None, None) => format!("the template value {shown} was never filled in"),
        };
        out.push(Diagnostic::new(&META, lit.span, message).with_help(format!(
            "replace it with {} before the query is deployed or run",
            f.wants
        )));
    }
}

struct Lit<'a> {
    value: &'a StringLit,
    span: Span,
    bound: Option<&'a Ident>,
    /// The column it is compared with, or the function it is passed to
    /// (`(name, true)`).
    compared: Option<(&'a str, bool)>,
}

/// Collects the string literals under `root` (dynamic literals included),
/// each with the `let` it is the value of (when no query stands between)
/// and the column it is compared with.
fn literals<'a>(
    root: &'a Expr,
    bound: Option<&'a Ident>,
    compared: Option<(&'a str, bool)>,
    out: &mut Vec<Lit<'a>>,
) {
    type Item<'a> = (&'a Expr, Option<&'a Ident>, Option<(&'a str, bool)>);
    let mut stack: Vec<Item<'a>> = vec![(root, bound, compared)];
    while let Some((e, bound, compared)) = stack.pop() {
        match &e.kind {
            ExprKind::Literal(l) => literal(l, bound, compared, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                let col = |x: &'a Expr| column_name(x).map(|c| (c, false));
                stack.push((rhs, bound, col(lhs).or(compared)));
                stack.push((lhs, bound, col(rhs).or(compared)));
            }
            ExprKind::InList { lhs, list, .. } => {
                let col = column_name(lhs).map(|c| (c, false));
                for x in list.iter().rev() {
                    stack.push((x, bound, col));
                }
                stack.push((lhs, bound, None));
            }
            ExprKind::Call {
                func,
                receiver: None,
                args,
                ..
            } if !matches!(
                func.as_str(),
                "dynamic" | "pack_array" | "strcat" | "tolower" | "toupper" | "tostring" | "split"
            ) =>
            {
                for a in args.iter().rev() {
                    stack.push((&a.value, bound, Some((func.name.as_str(), true))));
                }
            }
            ExprKind::Pipeline(_) | ExprKind::Operator(_) => {
                // A query between the let and the literal: the literal is
                // not the let's value.
                let mut kids = crate::ast_util::children(e);
                kids.reverse();
                for k in kids {
                    stack.push((k, None, None));
                }
            }
            _ => {
                let mut kids = crate::ast_util::children(e);
                kids.reverse();
                for k in kids {
                    stack.push((k, bound, compared));
                }
            }
        }
    }
    // Source order.
    out.sort_by_key(|l| l.span.start);
}

fn literal<'a>(
    l: &'a Literal,
    bound: Option<&'a Ident>,
    compared: Option<(&'a str, bool)>,
    out: &mut Vec<Lit<'a>>,
) {
    match &l.kind {
        LitKind::String(s) => out.push(Lit {
            value: s,
            span: l.span,
            bound,
            compared,
        }),
        LitKind::Dynamic(d) => {
            let mut stack = vec![&**d];
            while let Some(d) = stack.pop() {
                match &d.kind {
                    DynamicKind::Null => {}
                    DynamicKind::Array(items) => stack.extend(items.iter().rev()),
                    DynamicKind::Object(entries) => {
                        stack.extend(entries.iter().rev().map(|(_, v)| v))
                    }
                    DynamicKind::Scalar(inner) => literal(inner, bound, compared, out),
                }
            }
        }
        _ => {}
    }
}

/// `Col`, `T.Col` or `tolower(Col)`: the column a value is compared with.
fn column_name(e: &Expr) -> Option<&str> {
    match &unparen(e).kind {
        ExprKind::Name(i) => Some(i.name.as_str()),
        ExprKind::Member { name, .. } => Some(name.name.as_str()),
        ExprKind::Call { args, .. } if args.len() == 1 => column_name(&args[0].value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    #[test]
    fn names_the_let_and_the_column() {
        let d = lint(
            "let IP = \"IP ADDRESS GOES HERE\";\nT | where RemoteIP == IP",
            "unfilled-placeholder",
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .contains("`IP` still holds the template value \"IP ADDRESS GOES HERE\""),
            "{}",
            d[0].message
        );
        assert!(d[0].help.as_deref().unwrap().contains("an IP address"));
        let d = lint(
            "T | where RemoteUrl endswith \"DNS ENTRY GOES HERE\"",
            "unfilled-placeholder",
        );
        assert!(
            d[0].message.contains("compared with `RemoteUrl`"),
            "{}",
            d[0].message
        );
        let d = lint("print f(1, \"<processname>\")", "unfilled-placeholder");
        assert!(d[0].message.contains("passed to `f`"), "{}", d[0].message);
        let d = lint(
            "let t = T | where x == \"URL GOES HERE\";\nt",
            "unfilled-placeholder",
        );
        assert!(!d[0].message.contains("`t`"), "{}", d[0].message);
    }

    #[test]
    fn one_error_per_literal() {
        let d = lint(
            "T | where a == \"IP ADDRESS GOES HERE\" or b contains \"URL GOES HERE\" or c contains \"URL GOES HERE\"",
            "unfilled-placeholder",
        );
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn dynamic_values_are_checked() {
        let d = lint(
            "let corp = dynamic(['example.com']);\nT | where d in (corp)",
            "unfilled-placeholder",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`corp`"));
    }

    #[test]
    fn obfuscated_values_are_not_echoed() {
        let d = lint("T | where a == h\"TODO\"", "unfilled-placeholder");
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains("TODO"));
    }
}
