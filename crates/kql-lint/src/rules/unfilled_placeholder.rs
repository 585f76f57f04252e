//! KQL201 `unfilled-placeholder`: a string literal still holds template
//! text such as `"IP ADDRESS GOES HERE"` where it decides what the query
//! finds. The same check reports KQL203 `placeholder-without-effect` for
//! template values the query works without (an exclusion, an example
//! `datatable` row, an unused `let`).

use crate::ast_util::{collect_statement_exprs, unparen};
use crate::context::{LintContext, QueryKind};
use crate::placeholder::Place;
use crate::rules::placeholder_without_effect;
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
           domains such as `example.com`, where the value decides what the query finds: compared in a test rows \
           must pass (`==`, `=~`, `has`, `contains`, `startswith`, `in`, `has_any`, ...), directly or through the \
           `let` that holds it, or in a place whose effect kqlint cannot tell (an argument of a function, a \
           computed column). A template value the query works without as written (one only used to exclude rows \
           with `!=`, `!has`, `!in` or inside `not(...)`, a row of a `datatable`, a `let` that is never used) is \
           KQL203 `placeholder-without-effect` instead, a warning. The message names the `let` the value is bound \
           to (or the column it is compared with), and the help says what belongs there. Real values that look \
           similar are not reported: `'<script>'`, `'<guid>'`, regex groups such as `(?P<key>...)`, and the \
           `'<Name>'`-style parameters the portal fills into Exploration Queries. The patterns are configurable \
           (`[placeholders]` in kqlint.toml).",
    why: "A template value is valid KQL, so neither Sentinel's validation nor the query itself complains: a rule \
          deployed with `where RemoteIP == \"IP ADDRESS GOES HERE\"` runs on schedule and silently never matches \
          anything.",
    fix: "Replace the value with the real one (the help says what kind of value belongs there), or delete the \
          condition if it is not needed.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let IP = \"IP ADDRESS GOES HERE\";\nDeviceNetworkEvents\n| where RemoteIP == IP",
        "DeviceInfo\n| where DeviceName == \"<replace this with full computer name>\"",
        "let corp_domains = dynamic([\"example.com\"]);\nEmailEvents\n| where SenderFromDomain in~ (corp_domains)",
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
    let mut walk = Walk::default();
    for s in &ctx.parse.query.statements {
        walk.statement(s);
    }
    walk.literals.sort_by_key(|l| l.span.start);
    // Built on the first template value bound to a `let`: most queries have none.
    let mut effects: Option<Effects<'_, '_>> = None;
    for lit in &walk.literals {
        let Some(f) = ctx.options.placeholders.find(&lit.value.value, place) else {
            continue;
        };
        let shown = if lit.value.obfuscated {
            "an obfuscated value".to_owned()
        } else {
            format!("\"{}\"", f.text)
        };
        let effect = match lit.role {
            Role::LetValue(l) => effects
                .get_or_insert_with(|| Effects::new(ctx, &walk))
                .of_let(l),
            role => Effect::of_role(role),
        };
        let bound = match lit.role {
            Role::LetValue(l) => Some(&l.name),
            _ => None,
        };
        let d = match effect.harmless() {
            None => {
                let message = match (bound, lit.compared) {
                    (Some(name), _) => format!(
                        "`{}` still holds the template value {shown}: it was never filled in",
                        name.name
                    ),
                    (None, Some((func, true))) => {
                        format!("the template value {shown} passed to `{func}` was never filled in")
                    }
                    (None, Some((col, false))) => {
                        format!(
                            "the template value {shown} compared with `{col}` was never filled in"
                        )
                    }
                    (None, None) => format!("the template value {shown} was never filled in"),
                };
                Diagnostic::new(&META, lit.span, message).with_help(format!(
                    "replace it with {} before the query is deployed or run",
                    f.wants
                ))
            }
            Some(why) => {
                let what = match (bound, lit.compared) {
                    (Some(name), _) => {
                        format!("`{}` still holds the template value {shown}", name.name)
                    }
                    (None, Some((col, false))) => {
                        format!(
                            "the template value {shown} compared with `{col}` was never filled in"
                        )
                    }
                    (None, _) => format!("the template value {shown} was never filled in"),
                };
                let (message, help) = match why {
                    Harmless::Excludes(op) => (
                        format!(
                            "{what}; it is only used to exclude rows (`{op}`), so the query runs but excludes nothing"
                        ),
                        format!(
                            "replace it with {} so that the exclusion works, or remove the exclusion",
                            f.wants
                        ),
                    ),
                    Harmless::TableRow => (
                        format!(
                            "{what}; it is a row of a `datatable`, example data the query runs with as written"
                        ),
                        format!(
                            "replace it with {}, or leave the example row as it is",
                            f.wants
                        ),
                    ),
                    Harmless::Produced => (
                        format!(
                            "{what}; it is text the query writes out, not a value it searches for, so the query finds what it would with it filled in"
                        ),
                        format!(
                            "replace it with {} if the output should carry it, or leave it as a label",
                            f.wants
                        ),
                    ),
                    Harmless::Unused => (
                        format!("{what}, but it is never used, so the query runs without it"),
                        format!(
                            "use it where it was meant to be used (with {}), or delete it",
                            f.wants
                        ),
                    ),
                };
                Diagnostic::new(&placeholder_without_effect::META, lit.span, message)
                    .with_help(help)
            }
        };
        out.push(d);
    }
}

/// What a value does to the rows a query finds, as far as its place in the
/// query shows.
#[derive(Clone, Copy, Debug)]
enum Role<'a> {
    /// Compared in a test rows must pass: `==`, `=~`, `has`, `contains`,
    /// `startswith`, `in`, `has_any`, `between`, ... A template value there
    /// never matches.
    Match,
    /// Compared in a test rows must fail: `!=`, `!has`, `!in`, or any test
    /// inside `not(...)`. A template value there excludes nothing.
    Exclude(&'a str),
    /// A value of a `datatable`'s rows.
    TableRow,
    /// The value of a `let` (no query, call or comparison between): the
    /// uses of the `let` decide.
    LetValue(&'a LetStmt),
    /// Text the query writes, not text it searches for: the rewrite of
    /// `replace_regex`/`replace_string`, a result of `iff`/`case`/
    /// `coalesce`, with no test around it.
    Produced,
    /// Anything else (an argument of a function, a computed column, an
    /// ordering comparison, ...): what it does is not known.
    Other,
}

/// Why an unfilled value leaves the query working as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Harmless<'a> {
    Excludes(&'a str),
    TableRow,
    Unused,
    Produced,
}

/// The effect of a value on what the query finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect<'a> {
    /// It decides which rows match (or kqlint cannot tell that it does not).
    Decides,
    Harmless(Harmless<'a>),
}

impl<'a> Effect<'a> {
    fn of_role(role: Role<'a>) -> Effect<'a> {
        match role {
            Role::Match | Role::Other | Role::LetValue(_) => Effect::Decides,
            Role::Exclude(op) => Effect::Harmless(Harmless::Excludes(op)),
            Role::TableRow => Effect::Harmless(Harmless::TableRow),
            Role::Produced => Effect::Harmless(Harmless::Produced),
        }
    }

    fn harmless(self) -> Option<Harmless<'a>> {
        match self {
            Effect::Decides => None,
            Effect::Harmless(h) => Some(h),
        }
    }
}

/// A string literal of the query and where it sits.
struct Lit<'a> {
    value: &'a StringLit,
    span: Span,
    role: Role<'a>,
    /// The column it is compared with, or the function it is passed to
    /// (`(name, true)`), for the message.
    compared: Option<(&'a str, bool)>,
}

/// The walk's state at one expression.
#[derive(Clone, Copy)]
struct At<'a> {
    /// The `let` whose value this is, when nothing stands between.
    bound: Option<&'a LetStmt>,
    compared: Option<(&'a str, bool)>,
    /// The innermost test: its operator and whether rows must fail it.
    test: Option<(&'a str, bool)>,
    /// Under an odd number of `not(...)`.
    negated: bool,
    in_table: bool,
    /// A value the query writes out (see [`Role::Produced`]).
    produced: bool,
}

impl<'a> At<'a> {
    const TOP: At<'static> = At {
        bound: None,
        compared: None,
        test: None,
        negated: false,
        in_table: false,
        produced: false,
    };

    fn role(&self) -> Role<'a> {
        if self.in_table {
            Role::TableRow
        } else if self.produced && self.test.is_none() {
            Role::Produced
        } else if let Some((op, negated)) = self.test {
            if negated {
                Role::Exclude(op)
            } else {
                Role::Match
            }
        } else if let Some(l) = self.bound {
            Role::LetValue(l)
        } else {
            Role::Other
        }
    }

    fn testing(self, op: &'a str, negated: bool) -> At<'a> {
        At {
            test: Some((op, negated != self.negated)),
            ..self
        }
    }
}

/// The string literals of a query and the name references, each with its
/// role; and the `let` statements.
#[derive(Default)]
struct Walk<'a> {
    literals: Vec<Lit<'a>>,
    /// Name references (start offset, name, role), in walk order.
    names: Vec<(u32, &'a str, Role<'a>)>,
    lets: Vec<&'a LetStmt>,
}

/// Functions whose result is their argument's value reshaped: a template
/// value passed through them keeps its role.
const PASS_THROUGH: &[&str] = &[
    "dynamic",
    "pack_array",
    "strcat",
    "strcat_delim",
    "tolower",
    "toupper",
    "tostring",
    "todynamic",
    "parse_json",
    "trim",
    "split",
];

impl<'a> Walk<'a> {
    fn statement(&mut self, s: &'a Statement) {
        match s {
            Statement::Let(l) => {
                self.lets.push(l);
                match &l.value {
                    LetValue::Expr(e) => self.expr(
                        e,
                        At {
                            bound: Some(l),
                            ..At::TOP
                        },
                    ),
                    LetValue::Function(f) | LetValue::View(f) => {
                        for p in &f.params {
                            if let Some(d) = &p.default {
                                self.expr(d, At::TOP);
                            }
                        }
                        for s in &f.body {
                            self.statement(s);
                        }
                    }
                }
            }
            other => {
                let mut roots = Vec::new();
                collect_statement_exprs(other, &mut roots);
                for r in roots {
                    self.expr(r, At::TOP);
                }
            }
        }
    }

    fn expr(&mut self, root: &'a Expr, at: At<'a>) {
        let mut stack: Vec<(&'a Expr, At<'a>)> = vec![(root, at)];
        while let Some((e, at)) = stack.pop() {
            match &e.kind {
                ExprKind::Literal(l) => self.literal(l, at),
                ExprKind::Name(i) => self.names.push((i.span.start, i.name.as_str(), at.role())),
                ExprKind::Paren(x) => stack.push((x, at)),
                ExprKind::Binary { op, lhs, rhs, .. } => {
                    let col = |x: &'a Expr| column_name(x).map(|c| (c, false));
                    let (l_at, r_at) = if op.is_logical() {
                        (at, at)
                    } else if matches!(
                        op,
                        BinaryOp::Eq | BinaryOp::EqCi | BinaryOp::NotEq | BinaryOp::NotEqCi
                    ) || op.is_string_op()
                        || *op == BinaryOp::SearchColon
                    {
                        let t = at.testing(op.as_str(), op.is_negated());
                        (
                            At {
                                compared: col(rhs).or(at.compared),
                                ..t
                            },
                            At {
                                compared: col(lhs).or(at.compared),
                                ..t
                            },
                        )
                    } else {
                        // Ordering and arithmetic: what a template value
                        // does there is not known.
                        let other = At {
                            bound: None,
                            test: None,
                            ..at
                        };
                        (
                            At {
                                compared: col(rhs).or(at.compared),
                                ..other
                            },
                            At {
                                compared: col(lhs).or(at.compared),
                                ..other
                            },
                        )
                    };
                    stack.push((rhs, r_at));
                    stack.push((lhs, l_at));
                }
                ExprKind::InList { op, lhs, list, .. } => {
                    let t = At {
                        compared: column_name(lhs).map(|c| (c, false)),
                        ..at.testing(op.as_str(), op.is_negated())
                    };
                    for x in list.iter().rev() {
                        stack.push((x, t));
                    }
                    stack.push((lhs, t));
                }
                ExprKind::Between {
                    negated,
                    lhs,
                    low,
                    high,
                    ..
                } => {
                    let t = at.testing(if *negated { "!between" } else { "between" }, *negated);
                    stack.push((high, t));
                    stack.push((low, t));
                    stack.push((lhs, t));
                }
                ExprKind::Call {
                    func,
                    receiver: None,
                    args,
                    ..
                } if func.name == "not" && args.len() == 1 => {
                    stack.push((
                        &args[0].value,
                        At {
                            negated: !at.negated,
                            ..at
                        },
                    ));
                }
                ExprKind::Call {
                    func,
                    receiver: None,
                    args,
                    ..
                } if !PASS_THROUGH.contains(&func.as_str()) => {
                    let passed = At {
                        bound: None,
                        test: None,
                        compared: Some((func.name.as_str(), true)),
                        ..at
                    };
                    // the arguments that are written out, not searched for
                    let produced = |i: usize| match func.name.as_str() {
                        "replace_regex" | "replace_string" | "replace" => i == 2,
                        "iff" | "iif" => i > 0,
                        "case" => i % 2 == 1 || i + 1 == args.len(),
                        "coalesce" => true,
                        _ => false,
                    };
                    for (i, a) in args.iter().enumerate().rev() {
                        let at = if produced(i) && at.test.is_none() {
                            At {
                                produced: true,
                                ..at
                            }
                        } else {
                            passed
                        };
                        stack.push((&a.value, at));
                    }
                }
                ExprKind::Pipeline(_) | ExprKind::Operator(_) => {
                    // A query between: the literal is not the let's value,
                    // nor part of an enclosing test.
                    let in_table = at.in_table
                        || matches!(&e.kind, ExprKind::Operator(op) if matches!(op.kind, OperatorKind::DataTable { .. }));
                    let inner = At {
                        in_table,
                        ..At::TOP
                    };
                    let mut kids = crate::ast_util::children(e);
                    kids.reverse();
                    for k in kids {
                        stack.push((k, inner));
                    }
                }
                _ => {
                    let mut kids = crate::ast_util::children(e);
                    kids.reverse();
                    for k in kids {
                        stack.push((k, at));
                    }
                }
            }
        }
    }

    fn literal(&mut self, l: &'a Literal, at: At<'a>) {
        match &l.kind {
            LitKind::String(s) => self.literals.push(Lit {
                value: s,
                span: l.span,
                role: at.role(),
                compared: at.compared,
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
                        DynamicKind::Scalar(inner) => self.literal(inner, at),
                    }
                }
            }
            _ => {}
        }
    }
}

/// The effects of `let`s, from their uses.
struct Effects<'c, 'a> {
    ctx: &'c LintContext<'a>,
    walk: &'c Walk<'a>,
    /// Name references by start offset.
    by_start: std::collections::HashMap<u32, Role<'a>>,
    done: std::collections::HashMap<u32, Effect<'a>>,
}

impl<'c, 'a> Effects<'c, 'a> {
    fn new(ctx: &'c LintContext<'a>, walk: &'c Walk<'a>) -> Self {
        Effects {
            ctx,
            walk,
            by_start: walk.names.iter().map(|(s, _, r)| (*s, *r)).collect(),
            done: std::collections::HashMap::new(),
        }
    }

    /// Where the `let` is used: the references the semantic analysis
    /// resolved to it, or without one every later name that spells it.
    fn uses(&self, l: &'a LetStmt) -> Vec<Option<Role<'a>>> {
        if let Some(info) = self.ctx.analysis.and_then(|a| a.let_at(l.name.span)) {
            return info
                .references
                .iter()
                .map(|r| self.by_start.get(&r.start).copied())
                .collect();
        }
        self.walk
            .names
            .iter()
            .filter(|(s, n, _)| *s >= l.span.end && *n == l.name.as_str())
            .map(|(_, _, r)| Some(*r))
            .collect()
    }

    /// A `let`'s effect: it decides which rows match when one use does (or
    /// a use kqlint cannot place); it is harmless when every use is.
    fn of_let(&mut self, l: &'a LetStmt) -> Effect<'a> {
        self.of_let_depth(l, 0)
    }

    fn of_let_depth(&mut self, l: &'a LetStmt, depth: u32) -> Effect<'a> {
        if let Some(e) = self.done.get(&l.name.span.start) {
            return *e;
        }
        // A cycle or a very long chain: assume the worst.
        self.done.insert(l.name.span.start, Effect::Decides);
        let uses = self.uses(l);
        let mut effect = Effect::Harmless(Harmless::Unused);
        for role in uses {
            let e = match role {
                None => Effect::Decides,
                Some(Role::LetValue(next)) if depth < 16 => self.of_let_depth(next, depth + 1),
                Some(role) => Effect::of_role(role),
            };
            effect = match (effect, e) {
                (_, Effect::Decides) | (Effect::Decides, _) => Effect::Decides,
                // An exclusion says most about what the value is for.
                (Effect::Harmless(Harmless::Excludes(op)), _)
                | (_, Effect::Harmless(Harmless::Excludes(op))) => {
                    Effect::Harmless(Harmless::Excludes(op))
                }
                (Effect::Harmless(Harmless::TableRow), _)
                | (_, Effect::Harmless(Harmless::TableRow)) => Effect::Harmless(Harmless::TableRow),
                _ => Effect::Harmless(Harmless::Unused),
            };
            if effect == Effect::Decides {
                break;
            }
        }
        self.done.insert(l.name.span.start, effect);
        effect
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
    fn text_the_query_writes_out_finds_nothing_less() {
        // a rewrite, an iff/case result: output text, not a search value
        for q in [
            "T | extend ua = replace_regex(UserAgent, @\"\\d+\\.\\d+\\.\\d+\\.\\d+\", \"x.x.x.x\")",
            "T | extend ua = iff(isempty(UserAgent), \"<<<empty UserAgent>>>\", UserAgent)",
            "T | extend ua = case(a == 1, \"<insert label>\", \"other\")",
        ] {
            assert!(lint(q, "unfilled-placeholder").is_empty(), "{q}");
            assert_eq!(lint(q, "placeholder-without-effect").len(), 1, "{q}");
        }
        // compared afterwards, the same value decides what matches
        let q = "T | where iff(a, \"IP ADDRESS GOES HERE\", b) == RemoteIP";
        assert_eq!(lint(q, "unfilled-placeholder").len(), 1, "{q}");
    }

    #[test]
    fn obfuscated_values_are_not_echoed() {
        let d = lint("T | where a == h\"TODO\"", "unfilled-placeholder");
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains("TODO"));
    }
}
