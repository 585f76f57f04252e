//! How far back a query's time filters reach, for the rule checks: a
//! scheduled analytic rule sees only `queryPeriod` of data, so a filter
//! such as `TimeGenerated > ago(14d)` in a rule with a one-hour period
//! compares against one hour, not fourteen days.
//!
//! Read from lower bounds on time: `X > ago(T)`, `X >= ago(T)`,
//! `ago(T) < X`, `ago(T) <= X`, `X between (ago(T) .. ...)`, the same with
//! `now() - T`, where `T` is a timespan literal or a `let` of one (as in
//! `let lookback = 14d; ... ago(lookback)`). A bound the analysis cannot
//! fold (a parameter, a computed value) is not counted.

use kql_syntax::Parse;
use kql_syntax::Span;
use kql_syntax::ast::{BinaryOp, Expr, ExprKind, LetValue, LitKind, Literal, Statement};
use kql_syntax::visit::{self, Visitor};
use std::collections::HashMap;

/// The furthest-back lower bound on time in a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookback {
    /// How far back, in seconds.
    pub seconds: u64,
    /// The bound (`ago(14d)`), in query coordinates.
    pub span: Span,
}

/// The furthest-back lower bound on time the query puts, if any.
pub fn lookback(parse: &Parse) -> Option<Lookback> {
    let mut v = Bounds {
        lets: HashMap::new(),
        found: None,
    };
    for s in &parse.query.statements {
        if let Statement::Let(l) = s
            && let LetValue::Expr(e) = &l.value
            && let Some(secs) = timespan_of(e, &v.lets)
        {
            v.lets.insert(l.name.name.to_string(), secs);
        }
    }
    v.visit_query(&parse.query);
    v.found
}

struct Bounds {
    /// Top-level `let`s of timespan constants.
    lets: HashMap<String, f64>,
    found: Option<Lookback>,
}

impl Bounds {
    fn note(&mut self, bound: &Expr) {
        let Some(secs) = ago_of(bound, &self.lets) else {
            return;
        };
        if secs < 0.0 || !secs.is_finite() {
            return;
        }
        let seconds = secs as u64;
        if self.found.is_none_or(|f| seconds > f.seconds) {
            self.found = Some(Lookback {
                seconds,
                span: bound.span,
            });
        }
    }
}

impl Visitor for Bounds {
    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary { op, lhs, rhs, .. } => match op {
                BinaryOp::Gt | BinaryOp::Ge => self.note(rhs),
                BinaryOp::Lt | BinaryOp::Le => self.note(lhs),
                _ => {}
            },
            ExprKind::Between {
                negated: false,
                low,
                ..
            } => self.note(low),
            _ => {}
        }
        visit::walk_expr(self, e);
    }
}

/// `ago(T)` or `now() - T` (in parentheses or not): T in seconds.
fn ago_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<f64> {
    match &e.kind {
        ExprKind::Paren(inner) => ago_of(inner, lets),
        ExprKind::Call {
            receiver: None,
            func,
            args,
            ..
        } if func.name == "ago" && args.len() == 1 => timespan_of(&args[0].value, lets),
        ExprKind::Binary {
            op: BinaryOp::Sub,
            lhs,
            rhs,
            ..
        } if is_now(lhs) => timespan_of(rhs, lets),
        _ => None,
    }
}

fn is_now(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { receiver: None, func, args, .. } if func.name == "now" && args.is_empty())
}

/// A constant timespan: a literal, a `let` of one, or a product of one and
/// a number (`2 * 7d`).
fn timespan_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<f64> {
    match &e.kind {
        ExprKind::Paren(inner) => timespan_of(inner, lets),
        ExprKind::Literal(Literal {
            kind: LitKind::TimeSpan(text),
            ..
        }) => parse_timespan(text),
        ExprKind::Name(id) if !id.quoted => lets.get(id.name.as_str()).copied(),
        ExprKind::Binary {
            op: BinaryOp::Mul,
            lhs,
            rhs,
            ..
        } => match (number_of(lhs), number_of(rhs)) {
            (Some(n), None) => timespan_of(rhs, lets).map(|t| n * t),
            (None, Some(n)) => timespan_of(lhs, lets).map(|t| n * t),
            _ => None,
        },
        _ => None,
    }
}

fn number_of(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Literal(Literal {
            kind: LitKind::Int(n) | LitKind::Long(n),
            ..
        }) => Some(*n as f64),
        ExprKind::Literal(Literal {
            kind: LitKind::Real(t),
            ..
        }) => t.parse().ok(),
        _ => None,
    }
}

/// The seconds of a KQL timespan literal: `14d`, `1.5h`, `30m`, `10s`,
/// `100ms`, `2days`, `time(1d)`, `timespan(01:30:00)`, `time(2.00:00:00)`.
pub fn parse_timespan(text: &str) -> Option<f64> {
    let t = text.trim();
    let inner = ["timespan(", "time("]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .and_then(|r| r.strip_suffix(')'))
        .map(str::trim);
    let t = inner.unwrap_or(t);
    if t.contains(':') {
        // [d.]hh:mm[:ss[.fff]]
        let (days, clock) = match t.split_once('.') {
            Some((d, rest)) if rest.contains(':') && !d.contains(':') => {
                (d.parse::<f64>().ok()?, rest)
            }
            _ => (0.0, t),
        };
        let parts: Vec<f64> = clock
            .split(':')
            .map(|p| p.parse::<f64>().ok())
            .collect::<Option<_>>()?;
        let (h, m, s) = match parts[..] {
            [h, m] => (h, m, 0.0),
            [h, m, s] => (h, m, s),
            _ => return None,
        };
        return Some(days * 86_400.0 + h * 3_600.0 + m * 60.0 + s);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let per = match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => 86_400.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
        "m" | "min" | "minute" | "minutes" => 60.0,
        "s" | "sec" | "second" | "seconds" => 1.0,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 0.001,
        "microsecond" | "microseconds" => 0.000_001,
        "tick" | "ticks" => 0.000_000_1,
        // a bare number in time() is days
        "" if inner.is_some() => 86_400.0,
        _ => return None,
    };
    Some(n * per)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(q: &str) -> Option<u64> {
        lookback(&kql_syntax::parse(q)).map(|l| l.seconds)
    }

    #[test]
    fn literals() {
        assert_eq!(parse_timespan("14d"), Some(14.0 * 86_400.0));
        assert_eq!(parse_timespan("1.5h"), Some(5_400.0));
        assert_eq!(parse_timespan("30m"), Some(1_800.0));
        assert_eq!(parse_timespan("2days"), Some(172_800.0));
        assert_eq!(parse_timespan("time(1d)"), Some(86_400.0));
        assert_eq!(parse_timespan("timespan(01:30:00)"), Some(5_400.0));
        assert_eq!(parse_timespan("time(2.00:00:00)"), Some(172_800.0));
        assert_eq!(parse_timespan("time(3)"), Some(3.0 * 86_400.0));
        assert_eq!(parse_timespan("fortnight"), None);
    }

    #[test]
    fn lower_bounds_on_time() {
        const DAY: u64 = 86_400;
        assert_eq!(reach("T | where TimeGenerated > ago(14d)"), Some(14 * DAY));
        assert_eq!(reach("T | where ago(2d) <= Timestamp"), Some(2 * DAY));
        assert_eq!(
            reach("let lookback = 7d;\nT | where TimeGenerated >= ago(lookback)"),
            Some(7 * DAY)
        );
        assert_eq!(
            reach("T | where TimeGenerated between (ago(14d) .. ago(1d))"),
            Some(14 * DAY)
        );
        assert_eq!(reach("T | where TimeGenerated > now() - 2h"), Some(7_200));
        assert_eq!(
            reach("T | where TimeGenerated > ago(2 * 7d)"),
            Some(14 * DAY)
        );
        // the furthest back of several
        assert_eq!(
            reach(
                "T | where TimeGenerated > ago(1h) | join (U | where TimeGenerated > ago(3d)) on k"
            ),
            Some(3 * DAY)
        );
        // upper bounds and unfoldable values do not count
        assert_eq!(reach("T | where TimeGenerated < ago(1d)"), None);
        assert_eq!(reach("T | where TimeGenerated > ago(period)"), None);
    }
}
