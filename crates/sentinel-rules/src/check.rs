//! The checks on one rule file: key spellings, the JSON Schema, and
//! Sentinel's constraints that a schema cannot say well (durations and
//! their relation, tactics and techniques, entity identifiers, placeholder
//! counts, connector ids).

use crate::QueryFacts;
use crate::duration::{self, DAY, HOUR, MINUTE};
use crate::kind::RuleKind;
use crate::model::Model;
use crate::rules::*;
use crate::text::{describe, one_of, quote, some_of};
use kqlint_diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use kqlint_source::{ScalarStyle, YamlKind, YamlNode};

/// What the checks of one file share.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub kind: RuleKind,
    /// Top-level fields this kind requires.
    pub required: &'static [&'static str],
    pub diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Adds a finding. Rule-model findings that Azure-Sentinel's CI makes on
    /// analytic rules only are warnings in hunting and exploration queries
    /// and parsers (see [`downgraded`]).
    pub fn push(
        &mut self,
        meta: &'static RuleMeta,
        span: Span,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.add(Diagnostic::new(meta, span, msg))
    }

    pub fn add(&mut self, mut d: Diagnostic) -> &mut Diagnostic {
        if !self.kind.is_analytic() && d.severity == Severity::Error && downgraded(d.code) {
            d.severity = Severity::Warning;
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }
}

/// Codes whose errors are warnings outside analytic rules: Sentinel's CI
/// checks the rule model (required fields and ids included) on analytic
/// rules only, and the API asks no `id` of a hunting query. The
/// cross-checks with the query, whose failures show when the query runs,
/// keep their severity everywhere.
pub fn downgraded(code: &str) -> bool {
    ![
        ENTITY_COLUMN_NOT_IN_OUTPUT.code,
        CUSTOM_DETAIL_COLUMN_NOT_IN_OUTPUT.code,
        ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT.code,
        DUPLICATE_RULE_ID.code,
    ]
    .contains(&code)
}

pub fn required_fields(kind: RuleKind) -> &'static [&'static str] {
    match kind {
        RuleKind::Scheduled => &[
            "id",
            "kind",
            "name",
            "description",
            "severity",
            "requiredDataConnectors",
            "queryFrequency",
            "queryPeriod",
            "triggerOperator",
            "triggerThreshold",
            "query",
        ],
        RuleKind::Nrt => &["id", "kind", "name", "description", "severity", "query"],
        RuleKind::Hunting => &["id", "name", "description", "query"],
        RuleKind::Exploration => &["Id", "DisplayName", "query"],
        RuleKind::Parser | RuleKind::Detection => &[],
    }
}

// ------------------------------------------------------------ key names

/// Top-level keys Sentinel reads in analytic rules and hunting queries.
const RULE_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "kind",
    "severity",
    "requiredDataConnectors",
    "queryFrequency",
    "queryPeriod",
    "triggerOperator",
    "triggerThreshold",
    "tactics",
    "relevantTechniques",
    "query",
    "entityMappings",
    "customDetails",
    "alertDetailsOverride",
    "eventGroupingSettings",
    "incidentConfiguration",
    "sentinelEntitiesMappings",
    "suppressionDuration",
    "suppressionEnabled",
    "enabled",
    "status",
    "tags",
    "version",
    "metadata",
    "alertRuleTemplateName",
    "templateVersion",
];

const EXPLORATION_KEYS: &[&str] = &[
    "Id",
    "DisplayName",
    "Description",
    "InputEntityType",
    "InputFields",
    "OutputEntityTypes",
    "QueryPeriodBefore",
    "QueryPeriodAfter",
    "DataSources",
    "Tactics",
    "query",
];

/// Known names that are not near misses by spelling.
const ALIASES: &[(&str, &str)] = &[
    ("techniques", "relevantTechniques"),
    ("technique", "relevantTechniques"),
    ("dataConnectors", "requiredDataConnectors"),
    ("connectors", "requiredDataConnectors"),
    ("frequency", "queryFrequency"),
    ("period", "queryPeriod"),
    ("threshold", "triggerThreshold"),
    ("entities", "entityMappings"),
];

/// Keys of nested objects, by the pointer pattern of the object.
fn nested_keys(place: &[&str]) -> Option<&'static [&'static str]> {
    Some(match place {
        ["entityMappings", _] => &["entityType", "fieldMappings"],
        ["entityMappings", _, "fieldMappings", _] => &["identifier", "columnName"],
        ["requiredDataConnectors", _] => &["connectorId", "dataTypes"],
        ["alertDetailsOverride"] => &[
            "alertDisplayNameFormat",
            "alertDescriptionFormat",
            "alertTacticsColumnName",
            "alertSeverityColumnName",
            "alertDynamicProperties",
        ],
        ["eventGroupingSettings"] => &["aggregationKind"],
        _ => return None,
    })
}

/// A key Sentinel reads case-insensitively, to rename: the path of its
/// mapping, its index there, and its canonical spelling.
pub type Rename = (Vec<String>, usize, &'static str);

/// Checks key spellings; returns the keys that Sentinel matches
/// case-insensitively, to be renamed to their canonical spelling so the
/// schema sees what Sentinel sees.
pub fn key_spellings(ctx: &mut Ctx<'_>, root: &YamlNode) -> Vec<Rename> {
    let top: &[&str] = if ctx.kind == RuleKind::Exploration {
        EXPLORATION_KEYS
    } else {
        RULE_KEYS
    };
    // Walk the known objects: the root and the nested objects listed above.
    let mut places: Vec<(Vec<String>, &YamlNode)> = vec![(Vec::new(), root)];
    let mut renames: Vec<Rename> = Vec::new();
    while let Some((path, node)) = places.pop() {
        let Some(entries) = node.as_mapping() else {
            continue;
        };
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let known: &[&str] = if p.is_empty() {
            top
        } else {
            match nested_keys(&p) {
                Some(k) => k,
                None => continue,
            }
        };
        for (i, (k, v)) in entries.iter().enumerate() {
            let Some(key) = k.as_str() else { continue };
            if known.contains(&key) {
                // Descend into lists of objects and objects we know.
                let mut child = path.clone();
                child.push(key.to_owned());
                match &v.kind {
                    YamlKind::Sequence(items) => {
                        for (j, item) in items.iter().enumerate() {
                            let mut c = child.clone();
                            c.push(j.to_string());
                            places.push((c, item));
                        }
                    }
                    YamlKind::Mapping(_) => places.push((child, v)),
                    _ => {}
                }
                continue;
            }
            if kqlint_source::QUERY_KEYS
                .iter()
                .any(|q| q.eq_ignore_ascii_case(key))
            {
                continue; // kqlint-source reports query-key spellings.
            }
            if let Some(canon) = known.iter().find(|c| c.eq_ignore_ascii_case(key)) {
                let present = entries.iter().any(|(k2, _)| k2.as_str() == Some(canon));
                if !present {
                    ctx.push(
                        &NON_CANONICAL_SPELLING,
                        k.span,
                        format!(
                            "`{key}` is read as `{canon}` because Sentinel's CI ignores the case of keys, but other tools do not; write `{canon}`"
                        ),
                    );
                    renames.push((path.clone(), i, canon));
                }
                continue;
            }
            if p.is_empty() {
                misspelt_top(ctx, entries, k, key, known);
            } else if RULE_KEYS.contains(&key) && ctx.kind != RuleKind::Exploration {
                let owner = p[0];
                ctx.push(
                    &MISSPELT_FIELD,
                    k.span,
                    format!(
                        "`{key}` sits inside `{owner}`, where Sentinel ignores it; it looks like a top-level field that is indented too far"
                    ),
                );
            }
        }
    }
    renames
}

/// `null`, `Null`, `NULL` and `~` written plain: Sentinel's loader reads
/// them as no value, like an empty `key:`.
fn is_null_word(node: &YamlNode) -> bool {
    matches!(
        &node.kind,
        YamlKind::Scalar { value, style: ScalarStyle::Plain }
            if matches!(value.as_str(), "null" | "Null" | "NULL" | "~")
    )
}

/// The tree the checks read: keys renamed to their canonical spelling and
/// plain `null` values made empty. `None` when that is `root` itself (no
/// copy is made then).
pub fn normalized(root: &YamlNode, renames: &[Rename]) -> Option<YamlNode> {
    let has_null_words = {
        let mut stack = vec![root];
        let mut found = false;
        while let Some(node) = stack.pop() {
            match &node.kind {
                YamlKind::Mapping(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
                YamlKind::Sequence(items) => stack.extend(items.iter()),
                _ if is_null_word(node) => {
                    found = true;
                    break;
                }
                _ => {}
            }
        }
        found
    };
    if renames.is_empty() && !has_null_words {
        return None;
    }
    let mut tree = root.clone();
    for (path, index, canon) in renames {
        if let Some(node) = node_at_mut(&mut tree, path)
            && let YamlKind::Mapping(entries) = &mut node.kind
            && let Some((k, _)) = entries.get_mut(*index)
            && let YamlKind::Scalar { value, .. } = &mut k.kind
        {
            *value = (*canon).to_owned();
        }
    }
    if has_null_words {
        let mut stack = vec![&mut tree];
        while let Some(node) = stack.pop() {
            if is_null_word(node) {
                node.kind = YamlKind::Null;
                continue;
            }
            match &mut node.kind {
                YamlKind::Mapping(entries) => stack.extend(entries.iter_mut().map(|(_, v)| v)),
                YamlKind::Sequence(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
    }
    Some(tree)
}

fn node_at_mut<'a>(node: &'a mut YamlNode, path: &[String]) -> Option<&'a mut YamlNode> {
    let mut cur = node;
    for seg in path {
        cur = match &mut cur.kind {
            YamlKind::Mapping(entries) => entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k.as_str() == Some(seg.as_str()))
                .map(|(_, v)| v)?,
            YamlKind::Sequence(items) => items.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn misspelt_top(
    ctx: &mut Ctx<'_>,
    entries: &[(YamlNode, YamlNode)],
    k: &YamlNode,
    key: &str,
    known: &[&str],
) {
    let alias = ALIASES
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(key))
        .map(|(_, c)| *c)
        .filter(|c| known.contains(c));
    let near = alias.or_else(|| {
        if key.chars().count() < 5 {
            return None;
        }
        kql_schema::best_match(key, known.iter().copied())
    });
    let Some(canon) = near else { return };
    if entries.iter().any(|(k2, _)| k2.as_str() == Some(canon)) {
        return;
    }
    ctx.push(
        &MISSPELT_FIELD,
        k.span,
        format!("Sentinel does not read `{key}`, so its value is ignored; did you mean `{canon}`?"),
    );
}

// ------------------------------------------------------------- schedule

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

// ---------------------------------------------------- tactics/techniques

/// The items of a list-or-single-value field: `(node, raw string)`.
fn list_items<'a>(
    ctx: &mut Ctx<'_>,
    key_span: Span,
    key: &str,
    v: &'a YamlNode,
    example: &str,
) -> Vec<(&'a YamlNode, &'a str)> {
    match &v.kind {
        YamlKind::Sequence(items) => items
            .iter()
            .filter_map(|i| match &i.kind {
                YamlKind::Scalar { value, .. } => Some((i, value.as_str())),
                YamlKind::Null => None,
                _ => {
                    ctx.push(
                        &WRONG_VALUE_TYPE,
                        i.span,
                        format!("each entry of `{key}` must be text; found {}", describe(i)),
                    );
                    None
                }
            })
            .collect(),
        YamlKind::Scalar { value, .. } => {
            if value.trim().is_empty() {
                return Vec::new();
            }
            ctx.push(
                &SINGLE_VALUE_FOR_LIST,
                v.span,
                format!(
                    "`{key}` is a single value; Sentinel's rule model expects a list (`{key}:` then `  - {example}`)"
                ),
            );
            vec![(v, value.as_str())]
        }
        YamlKind::Null => Vec::new(),
        YamlKind::Mapping(_) => {
            ctx.push(
                &WRONG_VALUE_TYPE,
                v.span.min_start(key_span),
                format!("`{key}` must be a list; found {}", describe(v)),
            );
            Vec::new()
        }
    }
}

/// Whether `raw` is `tactic` misspelt, rather than the same words written
/// another way (`Initial access`, `command-and-control`: Defender XDR's
/// labels for the MITRE tactics).
fn is_misspelling(raw: &str, tactic: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squash(raw) != squash(tactic)
}

/// `tactics` and `relevantTechniques`.
pub fn mitre(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let model = Model::get();
    let tactics_key = if ctx.kind == RuleKind::Exploration {
        "Tactics"
    } else {
        "tactics"
    };
    let mut listed: Vec<String> = Vec::new();
    let mut tactics_span = None;
    if let Some((k, v)) = root.entry(tactics_key) {
        tactics_span = Some(k.span);
        let example = v
            .as_str()
            .and_then(|s| model.tactic(s))
            .unwrap_or("InitialAccess")
            .to_owned();
        for (node, raw) in list_items(ctx, k.span, tactics_key, v, &example) {
            if let Some(t) = model.tactic(raw) {
                listed.push(t.to_owned());
                continue;
            }
            if let Some(t) = model.tactics.iter().find(|t| t.eq_ignore_ascii_case(raw)) {
                listed.push(t.clone());
                ctx.push(
                    &NON_CANONICAL_SPELLING,
                    node.span,
                    format!(
                        "tactic {} is accepted because Sentinel's CI ignores case, but the portal's MITRE views match exactly; write `{t}`",
                        quote(raw)
                    ),
                );
                continue;
            }
            let suggestion = model.suggest_tactic(raw);
            if let Some(s) = suggestion {
                listed.push(s.to_owned());
            }
            // Hunting and exploration queries: Sentinel's CI does not check
            // their tactics, and Microsoft's own Defender XDR hunting queries
            // use Defender's category labels there (`Initial access`,
            // `Ransomware`, `Vulnerability`). Only a misspelt tactic name is
            // worth a word.
            if !ctx.kind.is_analytic() && !suggestion.is_some_and(|s| is_misspelling(raw, s)) {
                continue;
            }
            let mut msg = format!("{} is not a MITRE ATT&CK tactic Sentinel knows", quote(raw));
            if let Some(s) = suggestion {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
            let d = ctx.push(&UNKNOWN_TACTIC, node.span, msg);
            if suggestion.is_none() {
                d.help = Some(format!("Sentinel's tactics: {}", one_of(&model.tactics)));
            }
        }
    }
    if ctx.kind == RuleKind::Exploration {
        return;
    }
    let Some((k, v)) = root.entry("relevantTechniques") else {
        return;
    };
    let example = v
        .as_str()
        .map(str::trim)
        .filter(|s| is_technique_id(s))
        .unwrap_or("T1078")
        .to_owned();
    for (node, raw) in list_items(ctx, k.span, "relevantTechniques", v, &example) {
        let t = raw.trim();
        if !is_technique_id(t) {
            let upper = t.to_ascii_uppercase().replace(['-', '/', '_'], ".");
            let hint = if is_technique_id(&upper) {
                format!("; did you mean `{upper}`?")
            } else {
                String::new()
            };
            ctx.push(
                &INVALID_TECHNIQUE,
                node.span,
                format!(
                    "{} is not a MITRE ATT&CK technique id such as T1078 or T1078.004{hint}",
                    quote(raw)
                ),
            );
            continue;
        }
        let Some(tactics) = model.technique_tactics(t) else {
            ctx.push(
                &INVALID_TECHNIQUE,
                node.span,
                format!("Sentinel's technique map does not know `{t}`"),
            );
            continue;
        };
        if tactics.is_empty() || tactics.iter().any(|x| listed.contains(x)) {
            continue;
        }
        let base = t.split('.').next().unwrap_or(t);
        let of = if base == t {
            format!("`{t}`")
        } else {
            format!("`{t}` (technique `{base}`)")
        };
        let names: Vec<String> = tactics.iter().map(|t| format!("`{t}`")).collect();
        let msg = if listed.is_empty() {
            format!(
                "{of} belongs to {}, but the rule lists no tactics",
                one_of(&names)
            )
        } else if names.len() == 1 {
            format!(
                "{of} belongs to {}, which is not in `{tactics_key}`",
                names[0]
            )
        } else {
            format!(
                "{of} belongs to {}, none of which is in `{tactics_key}`",
                one_of(&names)
            )
        };
        let d = ctx.push(&TECHNIQUE_TACTIC_MISMATCH, node.span, msg);
        if let Some(span) = tactics_span {
            d.labels.push(kqlint_diagnostics::Label {
                span,
                message: "the rule's tactics".into(),
            });
        }
        d.help = Some(format!("add `{}` to `{tactics_key}`", tactics[0]));
    }
}

/// `T1234`, `T123` (ICS-era ids in Sentinel's map) or `T1234.001`.
fn is_technique_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = match rest.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (rest, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (3..=4).contains(&main.len()) && digits(main) && sub.is_none_or(|s| s.len() == 3 && digits(s))
}

// ------------------------------------------------------ entity mappings

/// Identifiers valid for the entity type, used once, with a complete
/// required set.
pub fn entity_mappings(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let model = Model::get();
    let Some(list) = root.get("entityMappings").and_then(YamlNode::as_sequence) else {
        return;
    };
    for mapping in list {
        let Some(type_node) = mapping.get("entityType") else {
            continue;
        };
        let Some(type_name) = type_node.as_str() else {
            continue;
        };
        // Unknown types are the schema's; a case variant still names one.
        let Some(entity) = model.entity_type(type_name).or_else(|| {
            model
                .entity_types
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(type_name))
        }) else {
            continue;
        };
        let Some(fields) = mapping.get("fieldMappings").and_then(YamlNode::as_sequence) else {
            continue;
        };
        let mut used: Vec<(&str, Span)> = Vec::new();
        let mut all_valid = true;
        for fm in fields {
            let Some(id_node) = fm.get("identifier") else {
                continue;
            };
            let Some(id) = id_node.as_str() else {
                ctx.push(
                    &INVALID_ENTITY_MAPPING,
                    id_node.span,
                    format!("`identifier` must be text; found {}", describe(id_node)),
                );
                all_valid = false;
                continue;
            };
            if !entity.identifiers.iter().any(|i| i == id) {
                all_valid = false;
                let mut msg = format!(
                    "{} is not an identifier of a{} `{}` entity",
                    quote(id),
                    if starts_with_vowel(&entity.name) {
                        "n"
                    } else {
                        ""
                    },
                    entity.name
                );
                if let Some(s) =
                    kql_schema::best_match(id, entity.identifiers.iter().map(String::as_str))
                {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                }
                let d =
                    Diagnostic::new(&INVALID_ENTITY_MAPPING, id_node.span, msg).with_help(format!(
                        "identifiers of `{}`: {}",
                        entity.name,
                        one_of(&entity.identifiers)
                    ));
                ctx.add(d);
                continue;
            }
            if let Some((_, first)) = used.iter().find(|(u, _)| *u == id) {
                let d = Diagnostic::new(
                    &INVALID_ENTITY_MAPPING,
                    id_node.span,
                    format!(
                        "identifier `{id}` is mapped twice in this `{}` entity; Sentinel allows each once",
                        entity.name
                    ),
                )
                .with_label(*first, "first mapped here");
                ctx.add(d);
                continue;
            }
            used.push((id, id_node.span));
        }
        if all_valid
            && !entity.required_any_of.is_empty()
            && !entity
                .required_any_of
                .iter()
                .any(|set| set.iter().all(|r| used.iter().any(|(u, _)| u == r)))
        {
            let sets: Vec<String> = entity
                .required_any_of
                .iter()
                .map(|s| s.join(" + "))
                .collect();
            ctx.push(
                &INVALID_ENTITY_MAPPING,
                type_node.span,
                format!(
                    "a{} `{}` entity needs {} mapped; this one maps only {}",
                    if starts_with_vowel(&entity.name) {
                        "n"
                    } else {
                        ""
                    },
                    entity.name,
                    one_of(&sets),
                    if used.is_empty() {
                        "nothing".to_owned()
                    } else {
                        some_of(
                            &used
                                .iter()
                                .map(|(u, _)| format!("`{u}`"))
                                .collect::<Vec<_>>(),
                            5,
                        )
                    }
                ),
            );
        }
    }
}

fn starts_with_vowel(s: &str) -> bool {
    // "an IP", "an IoTDevice", "an Account", "a URL", "a Host".
    matches!(s.chars().next(), Some('A' | 'E' | 'I' | 'O'))
}

// ------------------------------------------------ alert details override

/// `{{Column}}` placeholders of a format string, Sentinel's way:
/// `{{` then no braces then `}}`.
pub fn placeholders(format: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = format[i..].find("{{") {
        let start = i + open;
        let body_start = start + 2;
        let rest = &format[body_start..];
        match rest.find(['{', '}']) {
            Some(j) if rest[j..].starts_with("}}") => {
                out.push((start, &rest[..j]));
                i = body_start + j + 2;
            }
            // Like the regex, try again one character further on.
            Some(_) => i = start + 1,
            None => break,
        }
    }
    out
}

pub fn alert_details_override(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let Some(ado) = root.get("alertDetailsOverride") else {
        return;
    };
    for key in ["alertDisplayNameFormat", "alertDescriptionFormat"] {
        let Some((k, v)) = ado.entry(key) else {
            continue;
        };
        let Some(format) = v.as_str() else { continue };
        let n = placeholders(format).len();
        if n > 3 {
            ctx.push(
                &INVALID_ALERT_DETAILS_OVERRIDE,
                k.span,
                format!("`{key}` has {n} `{{{{Column}}}}` placeholders; Sentinel allows at most 3"),
            );
        }
    }
}

// ----------------------------------------------------------- connectors

pub fn connector_ids(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let catalog = kql_schema::Catalog::builtin();
    let Some(list) = root
        .get("requiredDataConnectors")
        .and_then(YamlNode::as_sequence)
    else {
        return;
    };
    for entry in list {
        let Some(node) = entry.get("connectorId") else {
            continue;
        };
        let Some(id) = node.as_str() else {
            if !node.is_null() {
                ctx.push(
                    &WRONG_VALUE_TYPE,
                    node.span,
                    format!("`connectorId` must be text; found {}", describe(node)),
                );
            }
            continue;
        };
        if catalog.is_valid_connector_id(id) {
            continue;
        }
        let mut msg = format!("{} is not a data connector id Sentinel knows", quote(id));
        if let Some(s) = catalog.suggest_connector_id(id) {
            if s.eq_ignore_ascii_case(id) {
                msg.push_str(&format!(
                    "; did you mean `{s}`? Connector ids are case-sensitive"
                ));
            } else {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        ctx.push(&UNKNOWN_CONNECTOR_ID, node.span, msg);
    }
}

// -------------------------------------------------------- small helpers

trait SpanExt {
    fn min_start(self, other: Span) -> Span;
}

impl SpanExt for Span {
    /// This span, or `other` when this one is empty (an absent value).
    fn min_start(self, other: Span) -> Span {
        if self.start == self.end { other } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_sentinel_regex() {
        let p = placeholders("{{A}} and {{B}} {{ {{C}} }} {{}} {{D");
        let names: Vec<&str> = p.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, ["A", "B", "C", ""]);
        assert!(placeholders("no placeholders").is_empty());
        assert_eq!(placeholders("{{{A}}}")[0].1, "A");
    }

    #[test]
    fn technique_ids() {
        for ok in ["T1078", "T1078.004", "T0855", "T855"] {
            assert!(is_technique_id(ok), "{ok}");
        }
        for bad in [
            "t1078",
            "T1078.4",
            "T10780",
            "T1078-004",
            "None",
            "T",
            "TA0001",
        ] {
            assert!(!is_technique_id(bad), "{bad}");
        }
    }

    #[test]
    fn dotnet_int_parse() {
        assert_eq!(dotnet_int(" 0 "), Some(0));
        assert_eq!(dotnet_int("+5"), Some(5));
        assert_eq!(dotnet_int("-1"), Some(-1));
        assert_eq!(dotnet_int("1.0"), None);
        assert_eq!(dotnet_int("99999999999"), None);
    }
}
