//! Defender XDR custom detection rules: the Microsoft Graph
//! `detectionRule` resource (v1.0 and beta), as JSON or in YAML.
//!
//! - **Schema**: `schemas/rules/defender-detection-rule.schema.json`,
//!   generated from the facts in `schemas/facts/defender-detection-rules.json`
//!   (property types, `schedule.period` values, alert severities, the types
//!   of impacted assets and response actions).
//! - **Schedule**: `frequency` and `lookback` are ISO 8601 durations, and
//!   the lookback is at least the frequency.
//! - **The query's output**: the columns every custom detection must return
//!   (`Timestamp`, `ReportId`, and a column that identifies a device, user
//!   or mailbox), and every column the rule names: the identifiers of
//!   `impactedAssets` and `responseActions`, and the `...Column` properties
//!   of `entityMappings` and `automatedActions`.
//! - **Deprecations** Microsoft has announced (`schedule.period`,
//!   `responseActions`, `impactedAssets`, ...), as warnings naming the
//!   replacement.

use crate::check::Ctx;
use crate::kind::RuleKind;
use crate::rules::*;
use crate::text::{one_of, quote, some_of};
use crate::{QueryFacts, RuleCheck, schema};
use kqlint_diagnostics::{
    Category, Diagnostic, ExampleKind, RuleMeta, Severity, Span, sort_diagnostics,
};
use kqlint_source::YamlNode;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

/// The facts behind these checks, as committed.
pub const DETECTION_FACTS_JSON: &str =
    include_str!("../../../schemas/facts/defender-detection-rules.json");

fn facts() -> &'static Value {
    static FACTS: OnceLock<Value> = OnceLock::new();
    FACTS.get_or_init(|| {
        serde_json::from_str(DETECTION_FACTS_JSON).expect("the embedded detection facts are valid")
    })
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The query result column an identifier value names (`deviceId` →
/// `DeviceId`, `sha1` → `SHA1`), when it names one: only identifiers whose
/// column is a column of a Defender XDR table are checked against the
/// output (`processAccountObjectId` names no column of that spelling).
fn identifier_column(identifier: &str) -> Option<String> {
    static COLUMNS: OnceLock<HashSet<String>> = OnceLock::new();
    let columns = COLUMNS.get_or_init(|| {
        let cat = kql_schema::Catalog::builtin_for(kql_schema::Platform::Defender);
        cat.bundled_table_names_on(kql_schema::Platform::Defender)
            .into_iter()
            .filter_map(|t| cat.bundled_table_on(kql_schema::Platform::Defender, t))
            .flat_map(|t| t.columns.iter().map(|c| c.name.to_string()))
            .collect()
    });
    let mut c = identifier.chars();
    let first = c.next()?;
    let column: String = first.to_uppercase().chain(c).collect();
    let column = match column.as_str() {
        "Sha1" => "SHA1".to_owned(),
        "Sha256" => "SHA256".to_owned(),
        _ => column,
    };
    columns.contains(&column).then_some(column)
}

/// The column a query on a table family is expected to return to identify
/// its entity (for the help of a missing identifying column).
fn family_column(tables: &[String]) -> Option<&'static str> {
    tables.iter().find_map(|t| {
        if t.starts_with("Device") {
            Some("DeviceId")
        } else if t.starts_with("Email") || t == "UrlClickEvents" {
            Some("RecipientEmailAddress")
        } else if t.starts_with("Identity")
            || t.starts_with("AAD")
            || t.starts_with("EntraId")
            || t == "CloudAppEvents"
        {
            Some("AccountObjectId")
        } else {
            None
        }
    })
}

/// Validates the detection rule at `rule` (a JSON pointer into `root`).
pub fn check_detection_rule(
    path: &Path,
    text: &str,
    root: &YamlNode,
    rule: &str,
    query: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    let _ = path;
    let node = root.pointer(rule)?.node;
    node.as_mapping()?;
    let mut ctx = Ctx {
        text,
        kind: RuleKind::Detection,
        required: &[],
        diags: Vec::new(),
    };
    schema::validate(&mut ctx, &node.to_json(), node);
    misspelt_keys(&mut ctx, node);
    deprecated(&mut ctx, node);
    schedule(&mut ctx, node);
    if let Some(w) = window(node) {
        if w.frequency == 0 {
            continuous(&mut ctx, node, &w, query);
        } else {
            time_filters(&mut ctx, &w, query);
        }
    }
    identifiers(&mut ctx, node, query);
    let mut diagnostics = ctx.diags;
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    Some(RuleCheck {
        kind: RuleKind::Detection,
        id: None,
        diagnostics,
    })
}

/// Keys near a known property name, at the levels kqlint knows.
fn misspelt_keys(ctx: &mut Ctx<'_>, node: &YamlNode) {
    let f = facts();
    let levels: [(&[&str], &str); 5] = [
        (&[], "detectionRule"),
        (&["queryCondition"], "queryCondition"),
        (&["schedule"], "ruleSchedule"),
        (&["detectionAction"], "detectionAction"),
        (&["detectionAction", "alertTemplate"], "alertTemplate"),
    ];
    for (path, fact) in levels {
        let mut cur = Some(node);
        for p in path {
            cur = cur.and_then(|n| n.get(p));
        }
        let Some(entries) = cur.and_then(YamlNode::as_mapping) else {
            continue;
        };
        let known = strings(&f[fact]["properties"]);
        for (k, _) in entries {
            let Some(key) = k.as_str() else { continue };
            if key.starts_with('@') || known.contains(&key) {
                continue;
            }
            let near = known
                .iter()
                .find(|n| n.eq_ignore_ascii_case(key))
                .copied()
                .or_else(|| kql_schema::best_match(key, known.iter().copied()));
            let place = if path.is_empty() {
                "a detection rule".to_owned()
            } else {
                format!("`{}`", path.join("."))
            };
            let d = match near {
                Some(n) => Diagnostic::new(
                    &MISSPELT_FIELD,
                    k.span,
                    format!(
                        "{place} has no property `{key}`, so the Graph API ignores or refuses it; did you mean `{n}`?"
                    ),
                ),
                None => Diagnostic::new(
                    &MISSPELT_FIELD,
                    k.span,
                    format!(
                        "{place} has no property `{key}` (its properties are {})",
                        one_of(&known)
                    ),
                )
                .with_severity(kqlint_diagnostics::Severity::Warning),
            };
            ctx.add(d);
        }
    }
}

fn deprecated(ctx: &mut Ctx<'_>, node: &YamlNode) {
    let Some(list) = facts()["deprecated"].as_array() else {
        return;
    };
    for dep in list {
        let path = strings(&dep["path"]);
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        let mut cur = Some(node);
        for p in parents {
            cur = cur.and_then(|n| n.get(p));
        }
        let Some((k, _)) = cur.and_then(|n| n.entry(last)) else {
            continue;
        };
        let removal = dep["removal"]
            .as_str()
            .map(|d| format!("; Microsoft has announced its removal from the Graph API on {d}"))
            .unwrap_or_default();
        let mut d = Diagnostic::new(
            &DEPRECATED_DETECTION_FIELD,
            k.span,
            format!("`{}` is deprecated{removal}", path.join(".")),
        );
        if let Some(r) = dep["replacement"].as_str() {
            d = d.with_help(format!("use `{r}` instead"));
        }
        ctx.add(d);
    }
}

fn schedule(ctx: &mut Ctx<'_>, node: &YamlNode) {
    let Some(s) = node.get("schedule") else {
        return;
    };
    let mut read = |key: &str| -> Option<(i64, Span)> {
        let v = s.get(key)?;
        let raw = v.as_str()?;
        match crate::dialect::iso_duration(raw) {
            Some(secs) => Some((secs, v.span)),
            None => {
                ctx.push(
                    &INVALID_DETECTION_SCHEDULE,
                    v.span,
                    format!(
                        "`schedule.{key}` must be an ISO 8601 duration such as PT1H or P1D; found {}",
                        quote(raw)
                    ),
                );
                None
            }
        }
    };
    let frequency = read("frequency");
    let lookback = read("lookback");
    match (frequency, lookback) {
        (Some((0, fs)), Some((_, ls))) => {
            let d = Diagnostic::new(
                &INVALID_DETECTION_SCHEDULE,
                ls,
                "a rule that runs continuously (a zero `frequency`) takes no `lookback`",
            )
            .with_label(fs, "frequency");
            ctx.add(d);
        }
        (Some((f, fs)), Some((l, ls))) if l < f => {
            let d = Diagnostic::new(
                &INVALID_DETECTION_SCHEDULE,
                ls,
                format!(
                    "`schedule.lookback` ({}) is shorter than `schedule.frequency` ({}); each run must look back at least as far as the time since the last run",
                    crate::duration::show(l),
                    crate::duration::show(f)
                ),
            )
            .with_label(fs, "frequency");
            ctx.add(d);
        }
        _ => {}
    }
}

/// How often a rule runs and how far back each run reads.
struct Window {
    /// Seconds; zero runs continuously.
    frequency: i64,
    frequency_span: Span,
    /// Seconds: `schedule.lookback`, or the default for the frequency
    /// (`None` for a frequency Microsoft gives no default for).
    lookback: Option<i64>,
    /// Where the look-back is set, when the rule sets it.
    lookback_span: Option<Span>,
}

/// The rule's schedule, from `schedule.frequency` (or the deprecated
/// `schedule.period`) and `schedule.lookback`.
fn window(node: &YamlNode) -> Option<Window> {
    let s = node.get("schedule")?;
    let (frequency, frequency_span) = match s.get("frequency") {
        Some(v) => (crate::dialect::iso_duration(v.as_str()?)?, v.span),
        None => {
            let v = s.get("period")?;
            let p = v.as_str()?;
            let secs = if p == "0" {
                0
            } else {
                p.strip_suffix('H')?.parse::<i64>().ok()? * 3600
            };
            (secs, v.span)
        }
    };
    let given = s
        .get("lookback")
        .and_then(|v| Some((crate::dialect::iso_duration(v.as_str()?)?, v.span)));
    let lookback = given.map(|(l, _)| l).or_else(|| {
        let defaults = facts()["ruleFrequency"]["defaultLookback"].as_object()?;
        defaults.iter().find_map(|(f, l)| {
            (crate::dialect::iso_duration(f)? == frequency)
                .then(|| crate::dialect::iso_duration(l.as_str()?))
                .flatten()
        })
    });
    Some(Window {
        frequency,
        frequency_span,
        lookback,
        lookback_span: given.map(|(_, s)| s),
    })
}

/// The query's time bounds against the rule's window: a `Timestamp` bound
/// nearer than the look-back (KQL433), and any bound further back than it
/// (KQL431).
fn time_filters(ctx: &mut Ctx<'_>, w: &Window, query: Option<&QueryFacts>) {
    let (Some(q), Some(lookback)) = (query, w.lookback) else {
        return;
    };
    let show = crate::duration::show;
    let (every, back) = (show(w.frequency), show(lookback));
    let window_label = |d: Diagnostic| match w.lookback_span {
        Some(at) => d.with_label(at, "lookback"),
        None => d.with_label(
            w.frequency_span,
            format!("runs every {every}, reading {back}"),
        ),
    };
    if let Some((secs, at)) = q.timestamp_filter
        && (secs as i64) < lookback
    {
        let bound = show(secs as i64);
        let message = if (secs as i64) < w.frequency {
            format!(
                "this rule runs every {every}, but `Timestamp` is bounded to the last {bound}: each \
                 run checks {bound}, and the events of the other {} between runs are never checked",
                show(w.frequency - secs as i64)
            )
        } else {
            format!(
                "each run of this rule reads the last {back} of events, but `Timestamp` is bounded \
                 to the last {bound}: events that reach Defender XDR more than {bound} after they \
                 happened are never checked"
            )
        };
        let d = Diagnostic::new(&DETECTION_TIME_FILTER, at, message).with_help(
            "remove the `Timestamp` filter: the service already limits each run to the rule's \
             look-back (filter on `ingestion_time()` if the query needs a bound of its own)",
        );
        ctx.add(window_label(d));
    }
    if let Some((secs, at)) = q.lookback
        && secs as i64 > lookback
    {
        let d = Diagnostic::new(
            &LOOKBACK_BEYOND_QUERY_PERIOD,
            at,
            format!(
                "this looks back {}, but each run of the rule reads only the last {back} of \
                 events: the bound never applies, and the query sees {back}",
                show(secs as i64)
            ),
        )
        .with_help(if w.lookback_span.is_some() {
            "lengthen `schedule.lookback`, or shorten the bound to it"
        } else {
            "set `schedule.lookback` to the look-back the query needs, or shorten the bound"
        });
        ctx.add(window_label(d));
    }
}

/// What keeps a query from running continuously (a zero frequency).
fn continuous(ctx: &mut Ctx<'_>, node: &YamlNode, w: &Window, query: Option<&QueryFacts>) {
    let Some(q) = query else {
        return;
    };
    let c = &facts()["continuous"];
    let label = |d: Diagnostic| d.with_label(w.frequency_span, "runs continuously");
    let help = "a continuous rule's query reads one supported table with `where`, `extend`, \
                `project`, `parse`, `project-away` and `project-rename`, and has no comments; \
                otherwise give the rule a scheduled frequency";
    let at = node
        .get("queryCondition")
        .and_then(|c| c.entry("queryText"))
        .map_or(w.frequency_span, |(k, _)| k.span);
    let mut tables: Vec<&str> = q.tables.iter().map(String::as_str).collect();
    tables.sort_unstable();
    tables.dedup();
    let supported = strings(&c["tables"]);
    if tables.len() > 1 {
        let d = Diagnostic::new(
            &CONTINUOUS_DETECTION_QUERY,
            at,
            format!(
                "this rule runs continuously, but its query reads {} tables ({}): a continuous \
                 query reads one",
                tables.len(),
                some_of(
                    &tables.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>(),
                    4
                )
            ),
        )
        .with_help(help);
        ctx.add(label(d));
    } else if let Some(t) = tables.first()
        && !supported.contains(t)
    {
        let d = Diagnostic::new(
            &CONTINUOUS_DETECTION_QUERY,
            at,
            format!("this rule runs continuously, but `{t}` is not among the tables that support continuous runs"),
        )
        .with_help(format!("the tables that do are {}", one_of(&supported)));
        ctx.add(label(d));
    }
    let allowed = strings(&c["operators"]);
    if let Some((op, span)) = q
        .operators
        .iter()
        .find(|(op, _)| !allowed.contains(&op.as_str()))
    {
        let d = Diagnostic::new(
            &CONTINUOUS_DETECTION_QUERY,
            *span,
            format!("this rule runs continuously, but a continuous query cannot use `{op}`"),
        )
        .with_help(help);
        ctx.add(label(d));
    }
    if let Some(span) = q.first_comment {
        let d = Diagnostic::new(
            &CONTINUOUS_DETECTION_QUERY,
            span,
            "this rule runs continuously, but a continuous query cannot hold comments",
        )
        .with_help(help);
        ctx.add(label(d));
    }
}

/// Every column the rule names, with the place that names it and what it
/// is for.
fn named_columns(node: &YamlNode) -> Vec<(String, Span, String)> {
    let f = facts();
    let mut out = Vec::new();
    let Some(action) = node.get("detectionAction") else {
        return out;
    };
    let enums = &f["identifierEnums"];
    let mut identifiers = |items: Option<&YamlNode>, types: &Value, what: &str| {
        for item in items.and_then(YamlNode::as_sequence).unwrap_or_default() {
            let ty = item.get("@odata.type").and_then(YamlNode::as_str).map(|t| {
                if t.starts_with('#') {
                    t.to_owned()
                } else {
                    format!("#{t}")
                }
            });
            let Some((_, v)) = item.entry("identifier") else {
                continue;
            };
            let Some(raw) = v.as_str() else { continue };
            let allowed = ty
                .as_deref()
                .and_then(|t| types.get(t))
                .and_then(Value::as_str)
                .map(|e| strings(&enums[e]));
            for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if let Some(allowed) = &allowed
                    && !allowed.contains(&id)
                {
                    out.push((
                        format!("\u{0}{id}\u{0}{}", one_of(allowed)),
                        v.span,
                        what.to_owned(),
                    ));
                    continue;
                }
                if let Some(col) = identifier_column(id) {
                    out.push((col, v.span, format!("{what} `{id}`")));
                }
            }
        }
    };
    if let Some(t) = action.get("alertTemplate") {
        identifiers(
            t.get("impactedAssets"),
            &f["impactedAssets"]["types"],
            "the impacted asset identifier",
        );
    }
    identifiers(
        action.get("responseActions"),
        &f["responseActions"]["types"],
        "the response action identifier",
    );
    // `...Column` properties of entity mappings and automated actions.
    for place in [
        action
            .get("alertTemplate")
            .and_then(|t| t.get("entityMappings")),
        action.get("automatedActions"),
    ]
    .into_iter()
    .flatten()
    {
        for (_, n) in place.walk() {
            if let Some(entries) = n.as_mapping() {
                for (k, v) in entries {
                    if let (Some(key), Some(col)) = (k.as_str(), v.as_str())
                        && key.ends_with("Column")
                        && !col.trim().is_empty()
                    {
                        out.push((col.to_owned(), v.span, format!("`{key}`")));
                    }
                }
            }
        }
    }
    out
}

fn identifiers(ctx: &mut Ctx<'_>, node: &YamlNode, query: Option<&QueryFacts>) {
    let named = named_columns(node);
    // Identifier values the type does not allow.
    for (name, span, what) in &named {
        if let Some(rest) = name.strip_prefix('\u{0}') {
            let (id, allowed) = rest.split_once('\u{0}').unwrap_or((rest, ""));
            ctx.push(
                &INVALID_VALUE,
                *span,
                format!(
                    "{} `{id}` is not one this action or asset takes: it must be {allowed}",
                    what
                ),
            );
        }
    }
    let Some(q) = query else { return };
    if q.open || q.partial.is_some() {
        return;
    }
    let Some(cols) = &q.result_columns else {
        return;
    };
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    // The columns every custom detection must return.
    let f = facts();
    let at = node
        .get("queryCondition")
        .and_then(|c| c.entry("queryText"))
        .map(|(k, _)| k.span)
        .unwrap_or(Span::empty(node.span.start));
    let missing: Vec<&str> = strings(&f["requiredColumns"]["all"])
        .into_iter()
        .filter(|c| !names.contains(c))
        .collect();
    let entity = strings(&f["requiredColumns"]["oneOf"]);
    let has_entity = entity.iter().any(|c| names.contains(c));
    if !missing.is_empty() || !has_entity {
        let mut what: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
        if !has_entity {
            what.push(match family_column(&q.tables) {
                Some(c) => format!("a column that identifies the entity (`{c}` for this table)"),
                None => "a column that identifies a device, user or mailbox".to_owned(),
            });
        }
        let d = Diagnostic::new(
            &MISSING_DETECTION_COLUMN,
            at,
            format!(
                "a custom detection's query must return {}; this one returns {}",
                some_of(&what, 4),
                some_of(&names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>(), 6)
            ),
        )
        .with_help(format!(
            "keep these columns in the last `project` or `summarize` (for example `summarize arg_max(Timestamp, ReportId) by DeviceId`); the identifying columns are {}",
            one_of(&entity)
        ));
        ctx.add(d);
    }
    for (name, span, what) in &named {
        if name.starts_with('\u{0}') || names.contains(&name.as_str()) {
            continue;
        }
        let near = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .copied()
            .or_else(|| kql_schema::best_match(name, names.iter().copied()));
        let mut d = Diagnostic::new(
            &DETECTION_COLUMN_NOT_IN_OUTPUT,
            *span,
            format!("{what} names the column `{name}`, which the query does not return"),
        );
        d = match near {
            Some(n) => d.with_help(format!(
                "did you mean `{n}`? Or return `{name}` from the query"
            )),
            None => d.with_help(format!(
                "return `{name}` from the query (its last `project` or `summarize`)"
            )),
        };
        ctx.add(d);
    }
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static DEPRECATED_DETECTION_FIELD: RuleMeta = RuleMeta {
    code: "KQL426",
    name: "deprecated-detection-field",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "A Defender XDR custom detection rule uses a property Microsoft has deprecated",
    what: "Reports properties of a custom detection rule (Microsoft Graph `detectionRule`) that \
           Microsoft has announced it will remove: `schedule.period` (use `schedule.frequency`, an ISO \
           8601 duration), `detectionAction.responseActions` (use `automatedActions`), \
           `alertTemplate.impactedAssets` (use `alertTemplate.entityMappings`), `alertTemplate.category`, \
           `schedule.nextRunDateTime` and `lastRunDetails`. The facts and their sources are in \
           `schemas/facts/defender-detection-rules.json`.",
    why: "Rules deployed with these properties stop working, or lose their response actions, when \
          the API drops them (announced for 2026-10-01).",
    fix: "Move the setting to the replacement the message names.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"period\": \"1H\"",
        "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
        ""
    )],
    pass: &[detection!(
        "\"frequency\": \"PT1H\"",
        "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
        ""
    )],
};

pub static INVALID_DETECTION_SCHEDULE: RuleMeta = RuleMeta {
    code: "KQL427",
    name: "invalid-detection-schedule",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A Defender XDR custom detection rule's schedule cannot run",
    what: "Reports a `schedule.frequency` or `schedule.lookback` that is not an ISO 8601 duration \
           (`PT1H`, `P1D`), a lookback shorter than the frequency, and a lookback on a rule that runs \
           continuously (frequency zero). `schedule.period` values are checked by the schema (`0`, \
           `1H`, `3H`, `12H`, `24H`).",
    why: "The Graph API refuses such a schedule, or each run misses the events since the previous one.",
    fix: "Write durations as ISO 8601 (`PT1H`), and give a lookback at least as long as the frequency.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"frequency\": \"PT3H\", \"lookback\": \"PT1H\"",
        "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
        ""
    )],
    pass: &[detection!(
        "\"frequency\": \"PT3H\", \"lookback\": \"PT12H\"",
        "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
        ""
    )],
};

pub static MISSING_DETECTION_COLUMN: RuleMeta = RuleMeta {
    code: "KQL428",
    name: "missing-detection-column",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A custom detection's query does not return the columns Defender XDR requires",
    what: "Reports a Defender XDR custom detection rule whose query, as kqlint works out its output, \
           does not return `Timestamp`, `ReportId`, or one of the columns that identify a device, user \
           or mailbox (`DeviceId`, `DeviceName`, `RemoteDeviceName`, `RecipientEmailAddress`, \
           `SenderFromAddress`, `SenderMailFromAddress`, `RecipientObjectId`, `AccountObjectId`, \
           `AccountSid`, `AccountUpn`, `InitiatingProcessAccountSid`, `InitiatingProcessAccountUpn`, \
           `InitiatingProcessAccountObjectId`). Nothing is reported when the output is not fully known.",
    why: "Defender XDR refuses to save such a rule, or the rule raises no alerts.",
    fix: "Keep the columns in the query's last `project` or `summarize`; after an aggregation take \
          them from the latest event, e.g. `summarize arg_max(Timestamp, ReportId) by DeviceId`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"frequency\": \"PT1H\"",
        "DeviceProcessEvents | project Timestamp, DeviceId, FileName",
        ""
    )],
    pass: &[detection!(
        "\"frequency\": \"PT1H\"",
        "DeviceProcessEvents | summarize arg_max(Timestamp, ReportId) by DeviceId",
        ""
    )],
};

pub static DETECTION_COLUMN_NOT_IN_OUTPUT: RuleMeta = RuleMeta {
    code: "KQL429",
    name: "detection-column-not-in-output",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A custom detection's impacted asset, response action or entity mapping names a column the query does not return",
    what: "Reports, in a Defender XDR custom detection rule, an `impactedAssets` or `responseActions` \
           identifier (`deviceId`, `initiatingProcessSHA1`, ...) whose column the query does not \
           return, and a `...Column` property of `entityMappings` or `automatedActions` that names a \
           column the query does not return. Identifiers are also checked against the values their \
           type takes. Nothing is reported when the output is not fully known.",
    why: "The alert then has no impacted entity, and the response action has nothing to act on.",
    fix: "Return the column from the query, or choose an identifier the query returns.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"frequency\": \"PT1H\"",
        "DeviceProcessEvents | project Timestamp, ReportId, DeviceName",
        ", \"impactedAssets\": [{\"@odata.type\": \"#microsoft.graph.security.impactedDeviceAsset\", \"identifier\": \"deviceId\"}]"
    )],
    pass: &[detection!(
        "\"frequency\": \"PT1H\"",
        "DeviceProcessEvents | project Timestamp, ReportId, DeviceName",
        ", \"entityMappings\": {\"hosts\": [{\"@odata.type\": \"#microsoft.graph.security.hostEntityMapping\", \"nameColumn\": \"DeviceName\"}]}"
    )],
};

pub static DETECTION_TIME_FILTER: RuleMeta = RuleMeta {
    code: "KQL433",
    name: "detection-time-filter",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "A Defender XDR custom detection filters on `Timestamp` more narrowly than its own window",
    what: "Reports a lower bound on `Timestamp` (`Timestamp > ago(1h)`, with the forms KQL431 \
           reads) in a scheduled Defender XDR custom detection that is nearer than the rule's \
           look-back: `schedule.lookback`, or the look-back Microsoft gives each frequency when the \
           rule sets none (every hour: 4 hours; 3 hours: 12 hours; 12 hours: 48 hours; 24 hours: 30 \
           days). A bound nearer than the frequency itself leaves time no run ever checks. Microsoft \
           advises against filtering custom detections on `Timestamp`: the service already filters \
           each run's data to the look-back.",
    why: "Events older than the bound but inside the rule's window are never matched: with a bound \
          shorter than the frequency, whole stretches of time between runs go unchecked; with a \
          longer one, events that reach Defender late are dropped.",
    fix: "Remove the `Timestamp` filter (the rule's look-back already applies), or filter on \
          `ingestion_time()` if the query needs a bound of its own.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"frequency\": \"P1D\"",
        "DeviceProcessEvents | where Timestamp > ago(1h) | where ProcessCommandLine has '-enc'",
        ""
    )],
    pass: &[
        detection!(
            "\"frequency\": \"P1D\"",
            "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
            ""
        ),
        detection!(
            "\"frequency\": \"PT1H\"",
            "DeviceProcessEvents | where ingestion_time() > ago(1h) | where ProcessCommandLine has '-enc'",
            ""
        ),
    ],
};

pub static CONTINUOUS_DETECTION_QUERY: RuleMeta = RuleMeta {
    code: "KQL434",
    name: "continuous-detection-query",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "A Defender XDR custom detection set to run continuously (NRT) has a query that cannot",
    what: "Reports, in a custom detection whose frequency is zero (`schedule.frequency: PT0S`, or \
           the deprecated `period: \"0\"`), what Microsoft documents a continuous query may not \
           have: more than one table, a table outside the list that supports continuous runs, an \
           operator outside the list of supported ones (`where`, `extend`, `project`, `print`, \
           `parse`, `project-away`, `project-rename`, `datatable`: no `summarize`, `join`, `union` \
           or `externaldata`), or a comment. The lists and their sources are in \
           `schemas/facts/defender-detection-rules.json`.",
    why: "Defender XDR runs only such queries continuously: the rule cannot be saved with that \
          frequency, or does not run as intended.",
    fix: "Simplify the query to one supported table and the supported operators, with no comments, \
          or give the rule a scheduled frequency (`PT1H` or longer).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[detection!(
        "\"frequency\": \"PT0S\"",
        "DeviceProcessEvents | summarize arg_max(Timestamp, ReportId) by DeviceId",
        ""
    )],
    pass: &[detection!(
        "\"frequency\": \"PT0S\"",
        "DeviceProcessEvents | where ProcessCommandLine has '-enc'",
        ""
    )],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_name_columns_of_defender_tables() {
        assert_eq!(identifier_column("deviceId").as_deref(), Some("DeviceId"));
        assert_eq!(identifier_column("sha1").as_deref(), Some("SHA1"));
        assert_eq!(
            identifier_column("initiatingProcessSHA1").as_deref(),
            Some("InitiatingProcessSHA1")
        );
        assert_eq!(
            identifier_column("recipientEmailAddress").as_deref(),
            Some("RecipientEmailAddress")
        );
        assert_eq!(identifier_column("processAccountObjectId"), None);
        assert_eq!(identifier_column("initiatingAccountSid"), None);
    }

    #[test]
    fn facts_are_consistent() {
        let f = facts();
        for key in ["impactedAssets", "responseActions"] {
            for (ty, e) in f[key]["types"].as_object().unwrap() {
                assert!(
                    f["identifierEnums"][e.as_str().unwrap()].is_array(),
                    "{ty}: no enum {e}"
                );
            }
        }
        for c in strings(&f["requiredColumns"]["oneOf"]) {
            assert_eq!(
                identifier_column(&format!("{}{}", c[..1].to_lowercase(), &c[1..])).as_deref(),
                Some(c),
                "{c}"
            );
        }
    }
}
