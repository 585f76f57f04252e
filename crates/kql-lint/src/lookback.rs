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
    // the first of equally far bounds
    time_bounds(parse)
        .into_iter()
        .map(|b| b.lookback)
        .fold(None, |best: Option<Lookback>, l| {
            Some(best.filter(|b| b.seconds >= l.seconds).unwrap_or(l))
        })
}

/// One lower bound on time: how far back, and on which column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeBound {
    pub lookback: Lookback,
    /// The column bounded, when it is a plain name (`Timestamp >
    /// ago(1h)`); `None` for an expression (`ingestion_time() > ...`).
    pub column: Option<String>,
}

/// Every lower bound on time the query puts that folds to a constant, in
/// the order they are written.
pub fn time_bounds(parse: &Parse) -> Vec<TimeBound> {
    let mut v = Bounds {
        lets: timespan_lets(parse),
        found: Vec::new(),
    };
    v.visit_query(&parse.query);
    v.found
}

/// The query's top-level `let`s of constant timespans (`let lookback =
/// 14d;`), in seconds, by name.
pub(crate) fn timespan_lets(parse: &Parse) -> HashMap<String, f64> {
    let mut lets = HashMap::new();
    for s in &parse.query.statements {
        if let Statement::Let(l) = s
            && let LetValue::Expr(e) = &l.value
            && let Some(secs) = timespan_of(e, &lets)
        {
            lets.insert(l.name.name.to_string(), secs);
        }
    }
    lets
}

struct Bounds {
    /// Top-level `let`s of timespan constants.
    lets: HashMap<String, f64>,
    found: Vec<TimeBound>,
}

impl Bounds {
    fn note(&mut self, column: &Expr, bound: &Expr) {
        let Some(secs) = ago_of(bound, &self.lets) else {
            return;
        };
        if secs < 0.0 || !secs.is_finite() {
            return;
        }
        let column = match &column.kind {
            ExprKind::Name(id) => Some(id.name.to_string()),
            _ => None,
        };
        self.found.push(TimeBound {
            lookback: Lookback {
                seconds: secs as u64,
                span: bound.span,
            },
            column,
        });
    }
}

impl Visitor<'_> for Bounds {
    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary { op, lhs, rhs, .. } => match op {
                BinaryOp::Gt | BinaryOp::Ge => self.note(lhs, rhs),
                BinaryOp::Lt | BinaryOp::Le => self.note(rhs, lhs),
                _ => {}
            },
            ExprKind::Between {
                negated: false,
                lhs,
                low,
                ..
            } => self.note(lhs, low),
            _ => {}
        }
        visit::walk_expr(self, e);
    }
}

/// `ago(T)` or `now() - T` (in parentheses or not): T in seconds.
pub(crate) fn ago_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<f64> {
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

pub(crate) fn is_now(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { receiver: None, func, args, .. } if func.name == "now" && args.is_empty())
}

/// A constant timespan: a literal, a `let` of one, or a product of one and
/// a number (`2 * 7d`).
pub(crate) fn timespan_of(e: &Expr, lets: &HashMap<String, f64>) -> Option<f64> {
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

pub(crate) fn number_of(e: &Expr) -> Option<f64> {
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
    fn bounds_name_their_column() {
        let b = time_bounds(&kql_syntax::parse(
            "T | where Timestamp > ago(1h) and ago(2h) < X and ingestion_time() > ago(3h)",
        ));
        let got: Vec<_> = b
            .iter()
            .map(|b| (b.column.as_deref(), b.lookback.seconds))
            .collect();
        assert_eq!(
            got,
            [(Some("Timestamp"), 3600), (Some("X"), 7200), (None, 10800)]
        );
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
