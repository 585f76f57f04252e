//! `queryFrequency`, `queryPeriod`, the trigger, suppression and the
//! query's look-back against the rule's period.

use super::Ctx;
use crate::QueryFacts;
use crate::duration::{self, DAY, HOUR, MINUTE};
use crate::kind::RuleKind;
use crate::rules::*;
use crate::text::{describe, quote};
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity, Span};
use kqlint_source::{YamlKind, YamlNode};

/// A suppression that ends before the next run is due: it skips nothing.
pub fn suppression(ctx: &mut Ctx<'_>, root: &YamlNode) {
    if ctx.kind != RuleKind::Scheduled {
        return;
    }
    let enabled = root
        .get("suppressionEnabled")
        .and_then(YamlNode::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let seconds = |key: &str| {
        let (_, v) = root.entry(key)?;
        match &v.kind {
            YamlKind::Scalar { value, .. } => duration::parse(value).map(|s| (s, v)),
            _ => None,
        }
    };
    let (Some((sd, sv)), Some((f, fv))) =
        (seconds("suppressionDuration"), seconds("queryFrequency"))
    else {
        return;
    };
    if !enabled || sd > f {
        return;
    }
    let d = Diagnostic::new(
        &SUPPRESSION_WITHOUT_EFFECT,
        sv.span,
        format!(
            "suppression lasts {}, but the rule runs only every {} (`queryFrequency`): it ends \
             before the next run, so no run is ever skipped",
            duration::show(sd),
            duration::show(f)
        ),
    )
    .with_label(fv.span, "queryFrequency")
    .with_help(format!(
        "make `suppressionDuration` longer than {} to skip runs after an alert",
        duration::show(f)
    ));
    ctx.add(d);
}

/// A scheduled rule's query that looks back further than `queryPeriod`:
/// each run sees only the period, so the bound never applies.
pub fn lookback(ctx: &mut Ctx<'_>, root: &YamlNode, facts: Option<&QueryFacts>) {
    if ctx.kind != RuleKind::Scheduled {
        return;
    }
    let Some((seconds, at)) = facts.and_then(|f| f.lookback) else {
        return;
    };
    let Some((_, pv)) = root.entry("queryPeriod") else {
        return;
    };
    let YamlKind::Scalar { value, .. } = &pv.kind else {
        return;
    };
    let Some(period) = duration::parse(value) else {
        return;
    };
    if period <= 0 || seconds <= period as u64 {
        return;
    }
    let period_text = duration::show(period);
    let d = Diagnostic::new(
        &LOOKBACK_BEYOND_QUERY_PERIOD,
        at,
        format!(
            "this looks back {}, but the rule runs over the last {period_text} only \
             (`queryPeriod`): the bound never applies, and the query sees {period_text} of data",
            duration::show(seconds as i64)
        ),
    )
    .with_label(pv.span, "queryPeriod")
    .with_help(if seconds <= 14 * DAY as u64 {
        format!(
            "set `queryPeriod: {}` if the query needs that history",
            duration::show(seconds as i64)
        )
    } else {
        "a scheduled rule can look back at most 14d: shorten the bound, or keep the history \
         in a summary table or a watchlist"
            .to_owned()
    });
    ctx.add(d);
}

/// `queryFrequency`, `queryPeriod` (5m..14d each; period ≥ frequency; a
/// period of 2d or more needs a frequency of 1h or more) and
/// `triggerThreshold` (0..10000), scheduled rules only.
pub fn schedule(ctx: &mut Ctx<'_>, root: &YamlNode) {
    if ctx.kind != RuleKind::Scheduled {
        return;
    }
    let mut read = |key: &str| -> Option<(i64, &YamlNode, Span)> {
        let (k, v) = root.entry(key)?;
        let raw = match &v.kind {
            YamlKind::Scalar { value, .. } => value,
            YamlKind::Null => {
                ctx.push(
                    &MISSING_REQUIRED_FIELD,
                    k.span,
                    format!("`{key}` is empty; a scheduled analytic rule requires a value"),
                );
                return None;
            }
            _ => {
                ctx.push(
                    &WRONG_VALUE_TYPE,
                    v.span,
                    format!(
                        "`{key}` must be a duration such as 1h; found {}",
                        describe(v)
                    ),
                );
                return None;
            }
        };
        let Some(secs) = duration::parse(raw) else {
            let mut hint = String::new();
            if raw.starts_with("PT") || raw.starts_with('P') {
                hint = "; ISO 8601 durations are not read here".into();
            } else if raw.ends_with(['M', 'H', 'D']) {
                hint = format!(
                    "; the unit letter must be lower case (`{}`)",
                    raw.to_lowercase()
                );
            }
            ctx.push(
                &INVALID_DURATION,
                v.span,
                format!(
                    "`{key}` must be a number followed by m, h or d (e.g. 5m, 1h, 14d), or a time span such as 01:00:00; found {}{hint}",
                    quote(raw)
                ),
            );
            return None;
        };
        if !(5 * MINUTE..=14 * DAY).contains(&secs) {
            ctx.push(
                &INVALID_DURATION,
                v.span,
                format!(
                    "`{key}` is {}; Sentinel accepts 5m to 14d",
                    duration::show(secs)
                ),
            );
            return None;
        }
        Some((secs, v, k.span))
    };
    let frequency = read("queryFrequency");
    let period = read("queryPeriod");
    if let (Some((f, fv, _)), Some((p, pv, _))) = (frequency, period) {
        if p < f {
            let d = Diagnostic::new(
                &INVALID_SCHEDULE,
                pv.span,
                format!(
                    "`queryPeriod` ({}) is shorter than `queryFrequency` ({}); each run must look back at least as far as the time since the last run",
                    duration::show(p),
                    duration::show(f)
                ),
            )
            .with_label(fv.span, "queryFrequency");
            ctx.add(d);
        } else if p >= 2 * DAY && f < HOUR {
            let d = Diagnostic::new(
                &INVALID_SCHEDULE,
                fv.span,
                format!(
                    "`queryFrequency` is {}, but a rule that looks back {} (2 days or more) may run at most once an hour",
                    duration::show(f),
                    duration::show(p)
                ),
            )
            .with_label(pv.span, "queryPeriod")
            .with_help("set `queryFrequency: 1h` or longer, or shorten `queryPeriod` below 2d");
            ctx.add(d);
        }
    }
    if let Some((_, v)) = root.entry("triggerThreshold") {
        let problem = match &v.kind {
            YamlKind::Scalar { value, .. } => match dotnet_int(value) {
                Some(n) if (0..=10_000).contains(&n) => None,
                Some(n) => Some((
                    &VALUE_OUT_OF_RANGE,
                    format!("`triggerThreshold` is {n}; Sentinel accepts 0 to 10000"),
                )),
                None => Some((
                    &INVALID_VALUE,
                    format!(
                        "`triggerThreshold` must be a whole number from 0 to 10000; found {}",
                        quote(value)
                    ),
                )),
            },
            YamlKind::Null => None, // reported by the schema as empty
            _ => Some((
                &WRONG_VALUE_TYPE,
                format!(
                    "`triggerThreshold` must be a whole number; found {}",
                    describe(v)
                ),
            )),
        };
        if let Some((meta, msg)) = problem {
            ctx.push(meta, v.span, msg);
        }
    }
}

/// .NET `int.Parse`: surrounding white space, an optional sign, digits,
/// within i32.
fn dotnet_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse::<i32>().ok()?.into();
    Some(if neg { -v } else { v })
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static INVALID_SCHEDULE: RuleMeta = RuleMeta {
    code: "KQL409",
    name: "invalid-schedule",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "`queryPeriod` is shorter than `queryFrequency`, or a long period runs too often",
    what: "Reports a scheduled rule whose `queryPeriod` (how far back it looks) is shorter than its \
           `queryFrequency` (how often it runs), and one whose period is 2 days or more while it \
           runs more often than once an hour. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse both. A period shorter than the frequency \
          would also leave gaps in which events are never looked at.",
    fix: "Make `queryPeriod` at least `queryFrequency`; with a period of 2 days or more, run the rule \
          at most hourly (`queryFrequency: 1h` or longer).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            "queryFrequency: 1d\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\n",
            mitre!(),
            query!(),
            entities!(),
            tail!()
        ),
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            "queryFrequency: 15m\nqueryPeriod: 14d\ntriggerOperator: gt\ntriggerThreshold: 0\n",
            mitre!(),
            query!(),
            entities!(),
            tail!()
        ),
    ],
    pass: &[rule!()],
};

pub static SUPPRESSION_WITHOUT_EFFECT: RuleMeta = RuleMeta {
    code: "KQL432",
    name: "suppression-without-effect",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "`suppressionDuration` is no longer than `queryFrequency`, so suppression never applies",
    what: "Reports a scheduled rule with `suppressionEnabled: true` whose `suppressionDuration` is \
           not longer than its `queryFrequency`. Suppression stops the rule from running for that \
           long after it raised an alert; a run is not due before `queryFrequency` has passed \
           anyway, so a suppression that ends by then skips no run.",
    why: "The rule was meant to go quiet after an alert and does not: every run that matches raises \
          another alert.",
    fix: "Make `suppressionDuration` longer than `queryFrequency` (by as many runs as should be \
          skipped), or turn suppression off.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        "suppressionEnabled: true\nsuppressionDuration: 1h\n",
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[
        rule!(),
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            schedule!(),
            "suppressionEnabled: true\nsuppressionDuration: 5h\n",
            mitre!(),
            query!(),
            entities!(),
            tail!()
        ),
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            schedule!(),
            "suppressionEnabled: false\nsuppressionDuration: 1h\n",
            mitre!(),
            query!(),
            entities!(),
            tail!()
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotnet_int_parse() {
        assert_eq!(dotnet_int(" 0 "), Some(0));
        assert_eq!(dotnet_int("+5"), Some(5));
        assert_eq!(dotnet_int("-1"), Some(-1));
        assert_eq!(dotnet_int("1.0"), None);
        assert_eq!(dotnet_int("99999999999"), None);
    }
}
