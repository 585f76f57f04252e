//! KQL317 `contradictory-conditions`: two filters on one column that no
//! value can pass together (`ActionType == "A" and ActionType == "B"`,
//! `Port > 1000 and Port < 10`, `Timestamp > ago(1d) | where Timestamp <
//! ago(2d)`), so the query returns nothing.
//!
//! The conditions are read from the `and`-joined parts of `where` and from
//! the `where`s that follow one another in a pipeline, as long as nothing
//! between them changes the column (an `extend`, `project` or
//! `project-rename` that assigns it, or any operator that reshapes rows:
//! `summarize`, `join`, `mv-expand`, ... start afresh). Only what Kusto's
//! documented semantics make certain is reported:
//!
//! - `==`, `in` and `!=` compare strings case-sensitively; `=~` and `in~`
//!   case-insensitively (only ASCII text is folded here);
//! - numbers compare by value (`1 == 1.0`); a string and a number are never
//!   compared with each other here;
//! - `ago(T)` and `now() - T` are one instant within a query, so two bounds
//!   of that form compare by `T`;
//! - a null passes none of these conditions, so it cannot rescue the
//!   conjunction.

use crate::ast_util::unparen;
use crate::context::{LintContext, QueryKind};
use crate::lookback::{ago_of, number_of, timespan_lets};
use kql_syntax::Span;
use kql_syntax::ast::*;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity};
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    code: "KQL317",
    name: "contradictory-conditions",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "Two conditions on the same column that no row can meet together: the filter keeps nothing.",
    what: "Reports a condition that contradicts an earlier one on the same column, where both must \
           hold: in one `where` joined by `and`, or in `where`s that follow one another with \
           nothing in between that changes the column. Contradictions are equality with two \
           different values (`==`, `=~`), equality with a value outside an `in` list, two `in` \
           lists with nothing in common, `== v` with `!= v`, and numeric or time bounds that leave \
           an empty range (`Port > 1000 and Port < 10`, `Timestamp > ago(1d)` then `Timestamp < \
           ago(2d)`). Both conditions are labelled.",
    why: "The query returns no rows, whatever the data: a detection with such a filter never \
          fires, and nothing tells its author. It is usually `and` written for `or`, two `where`s \
          copied from different queries, or a bound with the wrong sign.",
    fix: "Join alternatives with `or` or list them with `in (...)`; make the bounds describe a \
          non-empty range; drop the condition that is left over.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| where ActionType == \"ConnectionSuccess\" and ActionType == \"ConnectionFailed\"",
        "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where Timestamp < ago(2d)",
    ],
    pass: &[
        "DeviceNetworkEvents\n| where ActionType == \"ConnectionSuccess\" or ActionType == \"ConnectionFailed\"",
        "DeviceNetworkEvents\n| where Timestamp between (ago(2d) .. ago(1d))",
        "DeviceNetworkEvents\n| where RemotePort == 443\n| extend RemotePort = LocalPort\n| where RemotePort == 80",
    ],
};

/// A value a column is compared with.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl Value {
    fn same_kind(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// What a condition says about a column's value.
#[derive(Clone, Debug, PartialEq)]
enum Constraint {
    /// One of these exact values (`==`, `in`).
    OneOf(Vec<Value>),
    /// One of these strings, compared case-insensitively (`=~`, `in~`);
    /// held in lower case, ASCII only.
    OneOfCi(Vec<String>),
    /// Not this exact value (`!=`).
    Not(Value),
    /// Within a range of numbers, or of instants relative to now (seconds,
    /// negative in the past): `(value, inclusive)` for each end.
    Range {
        time: bool,
        low: Option<(f64, bool)>,
        high: Option<(f64, bool)>,
    },
}

/// One condition of a conjunction, on one column.
struct Fact {
    key: String,
    constraint: Constraint,
    /// The condition as written.
    span: Span,
}

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let lets = timespan_lets(ctx.parse);
    for p in ctx.pipelines() {
        let mut facts = Facts::default();
        let mut last_end = None;
        for op in &p.ops {
            // In a query file, Kusto's editors run the text between blank
            // lines as one query: a `|` after a blank line does not
            // continue the conditions above it.
            if ctx.kind == QueryKind::File
                && let (Some(end), Some(pipe)) = (last_end, op.pipe)
                && blank_line_between(ctx.text, end, pipe.start as usize)
            {
                facts.clear();
            }
            last_end = Some(op.op.span.end as usize);
            match &op.op.kind {
                OperatorKind::Where(e) => {
                    let mut parts = Vec::new();
                    conjuncts(e, &mut parts);
                    for part in parts {
                        let Some(fact) = fact_of(part, &lets) else {
                            continue;
                        };
                        if let Some(earlier) = facts.contradicted(&fact) {
                            out.push(report(ctx, earlier, &fact));
                        }
                        facts.add(fact);
                    }
                }
                OperatorKind::Take { .. }
                | OperatorKind::Sort { .. }
                | OperatorKind::Top { .. }
                | OperatorKind::Sample(_)
                | OperatorKind::ProjectAway(_)
                | OperatorKind::ProjectKeep(_)
                | OperatorKind::ProjectReorder(_)
                | OperatorKind::Render { .. }
                | OperatorKind::As { .. } => {}
                OperatorKind::Extend(cols)
                | OperatorKind::Project(cols)
                | OperatorKind::Serialize(cols) => {
                    for c in cols {
                        match &c.names {
                            ColumnNames::Single(n) => facts.forget(n.as_str()),
                            ColumnNames::Tuple(ns) => {
                                ns.iter().for_each(|n| facts.forget(n.as_str()))
                            }
                            ColumnNames::None => {}
                        }
                    }
                }
                OperatorKind::ProjectRename(renames) => {
                    for r in renames {
                        facts.forget(r.new.as_str());
                        facts.forget(r.old.as_str());
                    }
                }
                _ => facts.clear(),
            }
        }
    }
}

fn blank_line_between(text: &str, from: usize, to: usize) -> bool {
    let Some(gap) = text.get(from..to) else {
        return false;
    };
    let mut lines: Vec<&str> = gap.split('\n').collect();
    // the first and last pieces are the ends of the lines around the gap
    lines.pop();
    lines
        .iter()
        .skip(1)
        .any(|l| l.chars().all(char::is_whitespace))
}

/// The conditions in force at a point of a pipeline, by column.
#[derive(Default)]
struct Facts(HashMap<String, Vec<Fact>>);

/// Conditions kept per column: a pipeline of thousands of `where`s on one
/// column is checked in linear time (later ones are compared, not kept).
const KEPT_PER_COLUMN: usize = 16;

impl Facts {
    fn contradicted(&self, fact: &Fact) -> Option<&Fact> {
        self.0
            .get(&fact.key)?
            .iter()
            .find(|f| contradicts(&f.constraint, &fact.constraint))
    }

    fn add(&mut self, fact: Fact) {
        let kept = self.0.entry(fact.key.clone()).or_default();
        if kept.len() < KEPT_PER_COLUMN && !kept.iter().any(|f| f.constraint == fact.constraint) {
            kept.push(fact);
        }
    }

    /// Drops what is known about a column (and its properties) that is
    /// given a new value.
    fn forget(&mut self, column: &str) {
        self.0.retain(|key, _| root(key) != column);
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

fn root(key: &str) -> &str {
    key.split(['.', '[']).next().unwrap_or(key)
}

/// The parts of `a and b and (c and d)`.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &unparen(e).kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            lhs,
            rhs,
            ..
        } => {
            conjuncts(lhs, out);
            conjuncts(rhs, out);
        }
        _ => out.push(unparen(e)),
    }
}

/// The column a condition is on: a name, or a property path on one
/// (`AdditionalFields.Port`, `Props["x"]`).
fn key_of(e: &Expr) -> Option<String> {
    match &unparen(e).kind {
        ExprKind::Name(id) if !id.name.starts_with('$') => Some(id.name.to_string()),
        ExprKind::Member { expr, name } => Some(format!("{}.{}", key_of(expr)?, name.name)),
        ExprKind::Index { expr, index } => {
            let inner = match &unparen(index).kind {
                ExprKind::Literal(Literal {
                    kind: LitKind::String(s),
                    ..
                }) => format!("{:?}", s.value),
                ExprKind::Literal(Literal {
                    kind: LitKind::Long(n) | LitKind::Int(n),
                    ..
                }) => n.to_string(),
                _ => return None,
            };
            Some(format!("{}[{inner}]", key_of(expr)?))
        }
        _ => None,
    }
}

fn value_of(e: &Expr) -> Option<Value> {
    let e = unparen(e);
    match &e.kind {
        ExprKind::Literal(Literal {
            kind: LitKind::String(s),
            ..
        }) => Some(Value::Str(s.value.clone())),
        ExprKind::Literal(Literal {
            kind: LitKind::Bool(b),
            ..
        }) => Some(Value::Bool(*b)),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
            ..
        } => number_of(unparen(operand)).map(|n| Value::Num(-n)),
        _ => number_of(e).filter(|n| n.is_finite()).map(Value::Num),
    }
}

/// A bound for a range: a number, or an instant `ago(T)` / `now() - T`.
fn bound_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<(bool, f64)> {
    if let Some(Value::Num(n)) = value_of(e) {
        return Some((false, n));
    }
    let secs = ago_of(unparen(e), lets)?;
    secs.is_finite().then_some((true, -secs))
}

fn lower_ascii(s: &str) -> Option<String> {
    s.is_ascii().then(|| s.to_ascii_lowercase())
}

/// What a condition says about one column, when it is a form read here.
fn fact_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<Fact> {
    let span = e.span;
    let fact = |key: String, constraint| {
        Some(Fact {
            key,
            constraint,
            span,
        })
    };
    match &e.kind {
        ExprKind::Binary { op, lhs, rhs, .. } => {
            // The column on the left, or a literal on the left of a
            // comparison (`5 < Port`), flipped.
            let (key, other, op) = match (key_of(lhs), key_of(rhs)) {
                (Some(k), None) => (k, &**rhs, *op),
                (None, Some(k)) => (k, &**lhs, flip(*op)?),
                _ => return None,
            };
            match op {
                BinaryOp::Eq => fact(key, Constraint::OneOf(vec![value_of(other)?])),
                BinaryOp::NotEq => fact(key, Constraint::Not(value_of(other)?)),
                BinaryOp::EqCi => match value_of(other)? {
                    Value::Str(s) => fact(key, Constraint::OneOfCi(vec![lower_ascii(&s)?])),
                    _ => None,
                },
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    let (time, v) = bound_of(other, lets)?;
                    let inclusive = matches!(op, BinaryOp::Le | BinaryOp::Ge);
                    let (low, high) = if matches!(op, BinaryOp::Gt | BinaryOp::Ge) {
                        (Some((v, inclusive)), None)
                    } else {
                        (None, Some((v, inclusive)))
                    };
                    fact(key, Constraint::Range { time, low, high })
                }
                _ => None,
            }
        }
        ExprKind::InList { op, lhs, list, .. } => {
            let key = key_of(lhs)?;
            let values: Vec<Value> = list.iter().map(value_of).collect::<Option<_>>()?;
            if values.is_empty() {
                return None;
            }
            match op {
                InOp::In => fact(key, Constraint::OneOf(values)),
                InOp::InCi => {
                    let lowered = values
                        .iter()
                        .map(|v| match v {
                            Value::Str(s) => lower_ascii(s),
                            _ => None,
                        })
                        .collect::<Option<_>>()?;
                    fact(key, Constraint::OneOfCi(lowered))
                }
                _ => None,
            }
        }
        ExprKind::Between {
            negated: false,
            lhs,
            low,
            high,
            ..
        } => {
            let key = key_of(lhs)?;
            let (t1, lo) = bound_of(low, lets)?;
            // `x between (ago(7d) .. now())`: the upper end is now.
            let (t2, hi) = match bound_of(high, lets) {
                Some(b) => b,
                None if crate::lookback::is_now(unparen(high)) => (true, 0.0),
                None => return None,
            };
            if t1 != t2 {
                return None;
            }
            fact(
                key,
                Constraint::Range {
                    time: t1,
                    low: Some((lo, true)),
                    high: Some((hi, true)),
                },
            )
        }
        _ => None,
    }
}

/// The operator with its operands swapped (`5 < x` is `x > 5`).
fn flip(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::EqCi => op,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        _ => return None,
    })
}

/// Whether an exact value meets a constraint; `None` when the two cannot
/// be compared here (a number against a string).
fn admits(c: &Constraint, v: &Value) -> Option<bool> {
    match c {
        Constraint::OneOf(vs) => {
            if vs.iter().any(|x| !x.same_kind(v)) {
                return None;
            }
            Some(vs.iter().any(|x| x == v))
        }
        Constraint::OneOfCi(vs) => match v {
            Value::Str(s) => Some(vs.contains(&lower_ascii(s)?)),
            _ => None,
        },
        Constraint::Not(x) => x.same_kind(v).then(|| x != v),
        Constraint::Range {
            time: false,
            low,
            high,
        } => match v {
            Value::Num(n) => Some(in_range(*n, *low, *high)),
            _ => None,
        },
        Constraint::Range { time: true, .. } => None,
    }
}

fn in_range(n: f64, low: Option<(f64, bool)>, high: Option<(f64, bool)>) -> bool {
    let above = low.is_none_or(|(l, inc)| if inc { n >= l } else { n > l });
    let below = high.is_none_or(|(h, inc)| if inc { n <= h } else { n < h });
    above && below
}

/// Whether no value meets both constraints.
fn contradicts(a: &Constraint, b: &Constraint) -> bool {
    use Constraint::*;
    match (a, b) {
        // A finite set of exact values: none of them passes the other.
        (OneOf(vs), other) | (other, OneOf(vs)) => {
            let verdicts: Option<Vec<bool>> = vs.iter().map(|v| admits(other, v)).collect();
            verdicts.is_some_and(|v| v.iter().all(|ok| !ok))
        }
        (OneOfCi(x), OneOfCi(y)) => !x.iter().any(|s| y.contains(s)),
        (
            Range {
                time: t1,
                low: l1,
                high: h1,
            },
            Range {
                time: t2,
                low: l2,
                high: h2,
            },
        ) if t1 == t2 => {
            let low = tighter(*l1, *l2, true);
            let high = tighter(*h1, *h2, false);
            match (low, high) {
                (Some((l, li)), Some((h, hi))) => l > h || (l == h && !(li && hi)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// The stricter of two bounds (the larger lower bound, the smaller upper).
fn tighter(a: Option<(f64, bool)>, b: Option<(f64, bool)>, lower: bool) -> Option<(f64, bool)> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => {
            if x.0 == y.0 {
                Some((x.0, x.1 && y.1))
            } else if (x.0 > y.0) == lower {
                Some(x)
            } else {
                Some(y)
            }
        }
    }
}

fn report(ctx: &LintContext<'_>, earlier: &Fact, later: &Fact) -> Diagnostic {
    let shown = |s: Span| {
        let t = ctx.text.get(s.range()).unwrap_or("");
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.chars().count() > 60 {
            let cut: String = t.chars().take(57).collect();
            format!("{cut}...")
        } else {
            t
        }
    };
    let what = match (&earlier.constraint, &later.constraint) {
        (Constraint::Range { time: true, .. }, _) => "the time window they leave is empty",
        (Constraint::Range { .. }, Constraint::Range { .. }) => "the range they leave is empty",
        _ => "no value meets both",
    };
    let mut d = Diagnostic::new(
        &META,
        later.span,
        format!(
            "`{}` contradicts `{}` on the same column `{}`: {what}, so no row passes",
            shown(later.span),
            shown(earlier.span),
            earlier.key
        ),
    )
    .with_label(earlier.span, "the earlier condition");
    use Constraint::*;
    let help = match (&earlier.constraint, &later.constraint) {
        (OneOf(_) | OneOfCi(_), OneOf(_) | OneOfCi(_)) => {
            "to accept either value, join the conditions with `or` or list the values with `in (...)`"
        }
        (Not(_), _) | (_, Not(_)) => {
            "one condition requires the value the other excludes: keep the one the query means"
        }
        _ => "check the bounds: together they leave nothing to match",
    };
    d = d.with_help(help);
    d
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "contradictory-conditions";

    fn one(q: &str) {
        let found = lint(q, R);
        assert_eq!(found.len(), 1, "expected one finding in {q}: {found:#?}");
    }

    fn none(q: &str) {
        let found = lint(q, R);
        assert!(found.is_empty(), "expected nothing in {q}: {found:#?}");
    }

    #[test]
    fn equalities_that_exclude_each_other() {
        one("T | where A == \"x\" and A == \"y\"");
        one("T | where A == \"x\" | where A == \"y\"");
        one("T | where A in (\"a\", \"b\") and A == \"c\"");
        one("T | where A in (\"a\", \"b\") | where A in (\"c\", \"d\")");
        one("T | where A =~ \"x\" and A =~ \"y\"");
        one("T | where A == \"X\" and A =~ \"y\"");
        one("T | where A == \"x\" and A != \"x\"");
        one("T | where A.b == 1 and A.b == 2");
        one("T | where A[\"b\"] == 1 and A[\"b\"] == 2");
        one("T | where A == true and A == false");
        one("T | where (A == 1) and (B == 2 and A == 3)");
        one("T | where 5 == A and A == 6");
    }

    #[test]
    fn ranges_that_are_empty() {
        one("T | where Port > 1000 and Port < 10");
        one("T | where Port >= 10 and Port < 10");
        one("T | where 1000 < Port and Port < 10");
        one("T | where Port == 80 and Port > 1000");
        one("T | where Port in (80, 443) and Port > 1000");
        one("T | where Port between (1 .. 10) and Port > 20");
        one("T | where Port > -1 and Port < -5");
        one("T | where Timestamp > ago(1d) | where Timestamp < ago(2d)");
        one("let lookback = 2d; T | where Timestamp > ago(1d) and Timestamp < ago(lookback)");
        one("T | where Timestamp > now() - 1h and Timestamp <= now() - 3h");
        one("T | where Timestamp between (ago(7d) .. ago(6d)) | where Timestamp > ago(1d)");
    }

    #[test]
    fn conditions_that_can_hold_together() {
        none("T | where A == \"x\" or A == \"y\"");
        none("T | where A == \"x\" and B == \"y\"");
        none("T | where A == \"x\" and A == \"x\"");
        none("T | where A == \"X\" and A =~ \"x\"");
        none("T | where A in (\"a\", \"b\") and A == \"b\"");
        none("T | where A in~ (\"A\") and A == \"a\"");
        none("T | where A != \"x\" and A != \"y\"");
        none("T | where Port > 10 and Port < 1000");
        none("T | where Port >= 10 and Port <= 10");
        none("T | where Port == 1 and Port == 1.0");
        none("T | where Timestamp > ago(2d) | where Timestamp < ago(1d)");
        none("T | where Timestamp between (ago(7d) .. now()) | where Timestamp > ago(1d)");
        // A string and a number are not compared here.
        none("T | where EventID == \"4624\" and EventID == 4624");
        // Different columns of a join's two sides.
        none("T | where A == 1 | join (U | where A == 2) on K");
        // Non-ASCII text is not case-folded here.
        none("T | where A =~ \"Ä\" and A =~ \"ä\"");
    }

    #[test]
    fn a_changed_column_starts_afresh() {
        none("T | where A == 1 | extend A = B | where A == 2");
        none("T | where A == 1 | project A = B | where A == 2");
        none("T | where A == 1 | project-rename A = B | where A == 2");
        none("T | where A == 1 | summarize by A, B | where A == 2");
        none("T | where A == 1 | mv-expand A | where A == 2");
        none("T | where A.b == 1 | extend A = C | where A.b == 2");
        // Operators that only drop or order rows keep what is known.
        one("T | where A == 1 | sort by B | take 10 | where A == 2");
        one("T | where A == 1 | extend C = 1 | project-away D | where A == 2");
    }

    #[test]
    fn a_blank_line_in_a_query_file_separates_the_queries() {
        // Kusto's editors run each block between blank lines on its own.
        none("T\n| where A == 1\n\n// T\n| where A == 2");
        one("T\n| where A == 1\n// T\n| where A == 2");
        // A rule's query is sent whole.
        let q = "T\n| where A == 1\n\n| where A == 2";
        assert_eq!(
            crate::test_support::lint_as(q, crate::QueryKind::AnalyticRule, R).len(),
            1
        );
    }

    #[test]
    fn a_long_pipeline_is_checked_in_linear_time() {
        // 20,000 `where`s on the same columns, as a generated query has.
        let mut q = String::from("T\n");
        for i in 0..20_000 {
            q.push_str(&format!(
                "| where Url has \"x\" and Port == 443 and N > {i}\n"
            ));
        }
        q.push_str("| where Port == 80\n");
        let found = lint(&q, R);
        assert_eq!(found.len(), 1, "{found:#?}");
    }

    #[test]
    fn the_help_fits_the_contradiction() {
        let help = |q: &str| lint(q, R)[0].help.clone().unwrap_or_default();
        assert!(help("T | where A == 1 and A == 2").contains("`or`"));
        assert!(help("T | where A == 1 and A != 1").contains("excludes"));
        assert!(help("T | where A > 5 and A < 1").contains("bounds"));
    }

    #[test]
    fn labels_the_earlier_condition() {
        let q = "T\n| where ActionType == \"A\"\n| where ActionType == \"B\"";
        let d = &lint(q, R)[0];
        assert_eq!(&q[d.span.range()], "ActionType == \"B\"");
        assert_eq!(d.labels.len(), 1);
        let l = &d.labels[0];
        assert_eq!(&q[l.span.range()], "ActionType == \"A\"");
        assert!(d.message.contains("`ActionType`"), "{}", d.message);
    }
}
