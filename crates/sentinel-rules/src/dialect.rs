//! The same rule in other dialects: an analytic rule of an ARM template
//! (or a Bicep file), and the PascalCase YAML some deployment tools write.
//!
//! Each is translated into the tree of the YAML dialect the checks read:
//! keys renamed (`displayName` → `name`, `techniques` →
//! `relevantTechniques`, `QueryFrequency` → `queryFrequency`), ISO 8601
//! durations (`PT5H`) and ARM's trigger operators (`GreaterThan`) turned
//! into the values the checks know, the rule's `id` and `kind` taken from
//! the ARM resource. Every node keeps its span, so findings land in the
//! original file; messages name the fields as the file writes them.

use crate::duration::{DAY, HOUR, MINUTE, Seconds};
use crate::kind::RuleKind;
use crate::rules::*;
use crate::text::quote;
use crate::{QueryFacts, RuleCheck, RuleForm};
use kqlint_diagnostics::{Diagnostic, Span};
use kqlint_source::yaml::{ScalarStyle, YamlKind, YamlNode};
use std::path::Path;

/// `PnDTnHnMnS` (and `PnW`): seconds, or `None` for anything else.
pub fn iso_duration(value: &str) -> Option<Seconds> {
    let s = value.trim();
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let mut total: Seconds = 0;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => num.push(c),
            'T' | 't' if num.is_empty() && !in_time => in_time = true,
            _ => {
                let n: Seconds = num.parse().ok()?;
                num.clear();
                let unit = match (c.to_ascii_uppercase(), in_time) {
                    ('W', false) => 7 * DAY,
                    ('D', false) => DAY,
                    ('H', true) => HOUR,
                    ('M', true) => MINUTE,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                any = true;
            }
        }
    }
    (num.is_empty() && any).then_some(total)
}

/// A duration as the YAML dialect writes it (`5m`, `1h`, `14d`, or a time
/// span for seconds).
fn yaml_duration(secs: Seconds) -> String {
    if secs > 0 && secs % DAY == 0 {
        format!("{}d", secs / DAY)
    } else if secs > 0 && secs % HOUR == 0 {
        format!("{}h", secs / HOUR)
    } else if secs % MINUTE == 0 {
        format!("{}m", secs / MINUTE)
    } else {
        format!(
            "{}.{:02}:{:02}:{:02}",
            secs / DAY,
            secs % DAY / HOUR,
            secs % HOUR / MINUTE,
            secs % MINUTE
        )
    }
}

fn scalar(value: impl Into<String>, span: Span) -> YamlNode {
    YamlNode {
        kind: YamlKind::Scalar {
            value: value.into(),
            style: ScalarStyle::Plain,
        },
        span,
    }
}

fn key(name: &str, span: Span) -> YamlNode {
    scalar(name, span)
}

/// A name as written in one dialect and in the YAML dialect.
struct Renamed {
    yaml: String,
    written: String,
}

/// What translating a rule produced: the YAML-dialect tree, the names to
/// put back into messages, and findings about values the translation could
/// not read.
struct Translated {
    tree: YamlNode,
    names: Vec<Renamed>,
    findings: Vec<Diagnostic>,
    /// Spans of values already reported here, whose findings from the
    /// shared checks are dropped.
    reported: Vec<Span>,
}

const DURATION_KEYS: [&str; 3] = ["queryFrequency", "queryPeriod", "suppressionDuration"];

/// ARM's trigger operators and the YAML dialect's.
const OPERATORS: [(&str, &str); 4] = [
    ("GreaterThan", "gt"),
    ("LessThan", "lt"),
    ("Equal", "eq"),
    ("NotEqual", "ne"),
];

/// Translates one top-level entry's value (durations, operators).
fn value(yaml_key: &str, written: &str, v: &YamlNode, t: &mut Translated) -> Option<YamlNode> {
    let Some(raw) = v.as_str() else {
        return Some(v.clone());
    };
    if kqlint_source::arm::is_arm_expression(raw) {
        // Known only at deployment: left alone.
        return None;
    }
    if DURATION_KEYS.contains(&yaml_key) {
        if crate::duration::parse(raw).is_some() && !raw.trim().starts_with(['P', 'p']) {
            return Some(v.clone());
        }
        // AzSentinel's `5H`: a number and an upper-case unit.
        let upper = raw.trim();
        let az = upper
            .strip_suffix(['M', 'H', 'D'])
            .and_then(|n| n.parse::<Seconds>().ok())
            .map(|n| {
                n * match upper.chars().last() {
                    Some('M') => MINUTE,
                    Some('H') => HOUR,
                    _ => DAY,
                }
            });
        return match iso_duration(raw).or(az) {
            Some(secs) => Some(scalar(yaml_duration(secs), v.span)),
            None => {
                t.findings.push(Diagnostic::new(
                    &INVALID_DURATION,
                    v.span,
                    format!(
                        "`{written}` must be an ISO 8601 duration such as PT5M, PT1H or P1D; found {}",
                        quote(raw)
                    ),
                ));
                t.reported.push(v.span);
                None
            }
        };
    }
    if yaml_key == "triggerOperator" {
        if let Some((_, op)) = OPERATORS
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(raw.trim()))
        {
            return Some(scalar(*op, v.span));
        }
        if OPERATORS.iter().any(|(_, y)| *y == raw.trim()) {
            return Some(v.clone());
        }
        t.findings.push(Diagnostic::new(
            &INVALID_VALUE,
            v.span,
            format!(
                "`{written}` must be GreaterThan, LessThan, Equal or NotEqual; found {}",
                quote(raw)
            ),
        ));
        t.reported.push(v.span);
        return None;
    }
    Some(v.clone())
}

/// ARM property names that differ from the YAML dialect's.
const ARM_NAMES: [(&str, &str); 2] = [
    ("displayName", "name"),
    ("techniques", "relevantTechniques"),
];

/// ARM properties the YAML dialect has no place for (read-only, or not
/// checked here).
const ARM_ONLY: [&str; 6] = [
    "subTechniques",
    "lastModifiedUtc",
    "createdDateUTC",
    "lastUpdatedDateUTC",
    "sentinelEntitiesMappings",
    "status",
];

/// The YAML-dialect view of an ARM analytic rule: its `properties` with
/// the YAML names, plus `id` (the resource's name, when kqlint can tell
/// it) and `kind`.
fn arm_view(root: &YamlNode, resource_ptr: &str, resource: &YamlNode) -> Option<Translated> {
    let props = resource.get("properties")?;
    let entries = props.as_mapping()?;
    let mut t = Translated {
        tree: scalar("", props.span),
        names: ARM_NAMES
            .iter()
            .map(|(a, y)| Renamed {
                yaml: (*y).to_owned(),
                written: (*a).to_owned(),
            })
            .collect(),
        findings: Vec::new(),
        reported: Vec::new(),
    };
    let mut out: Vec<(YamlNode, YamlNode)> = Vec::new();
    if let Some((k, v)) = resource.entry("name")
        && let Some(raw) = v.as_str()
    {
        // `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', 'guid')]`:
        // the id is the last segment.
        let resolved = kqlint_source::arm::resolve_expression(root, resource_ptr, raw)
            .map(|(s, _)| s)
            .or_else(|| last_literal(raw));
        if let Some(id) = resolved {
            let id = id.rsplit('/').next().unwrap_or(&id).to_owned();
            if !id.is_empty() {
                out.push((key("id", k.span), scalar(id, v.span)));
                t.names.push(Renamed {
                    yaml: "id".to_owned(),
                    written: "name".to_owned(),
                });
            }
        }
    }
    if let Some((k, v)) = resource.entry("kind") {
        out.push((k.clone(), v.clone()));
    }
    for (k, v) in entries {
        let Some(name) = k.as_str() else { continue };
        if ARM_ONLY.contains(&name) {
            continue;
        }
        let yaml = ARM_NAMES
            .iter()
            .find(|(a, _)| *a == name)
            .map_or(name, |(_, y)| *y);
        let Some(v) = value(yaml, name, v, &mut t) else {
            continue;
        };
        out.push((key(yaml, k.span), v));
    }
    t.tree = YamlNode {
        kind: YamlKind::Mapping(out),
        span: props.span,
    };
    Some(t)
}

/// The last quoted literal of an ARM expression (`'.../guid'`), for a
/// resource name that also depends on parameters.
fn last_literal(expr: &str) -> Option<String> {
    if !kqlint_source::arm::is_arm_expression(expr) {
        return None;
    }
    let end = expr.rfind('\'')?;
    let start = expr[..end].rfind('\'')?;
    let lit = &expr[start + 1..end];
    let lit = lit.trim_start_matches('/');
    let last = lit.rsplit('/').next()?;
    (last.len() >= 32 && last.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .then(|| last.to_owned())
}

/// PascalCase names that are not the camelCase of their YAML name.
const PASCAL_NAMES: [(&str, &str); 2] = [
    ("DisplayName", "name"),
    ("Techniques", "relevantTechniques"),
];

fn camel(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Keys of nested objects too (entity mappings, connectors), camelCased.
fn camel_keys(node: &YamlNode) -> YamlNode {
    let kind = match &node.kind {
        YamlKind::Mapping(entries) => YamlKind::Mapping(
            entries
                .iter()
                .map(|(k, v)| {
                    let k2 = match k.as_str() {
                        Some(s) => key(&camel(s), k.span),
                        None => k.clone(),
                    };
                    (k2, camel_keys(v))
                })
                .collect(),
        ),
        YamlKind::Sequence(items) => YamlKind::Sequence(items.iter().map(camel_keys).collect()),
        other => other.clone(),
    };
    YamlNode {
        kind,
        span: node.span,
    }
}

fn pascal_translate(root: &YamlNode) -> Translated {
    let mut t = Translated {
        tree: scalar("", root.span),
        names: Vec::new(),
        findings: Vec::new(),
        reported: Vec::new(),
    };
    let mut out = Vec::new();
    for (k, v) in root.as_mapping().unwrap_or_default() {
        let Some(name) = k.as_str() else {
            out.push((k.clone(), v.clone()));
            continue;
        };
        let yaml = PASCAL_NAMES
            .iter()
            .find(|(p, _)| *p == name)
            .map_or_else(|| camel(name), |(_, y)| (*y).to_owned());
        if yaml != name {
            t.names.push(Renamed {
                yaml: yaml.clone(),
                written: name.to_owned(),
            });
        }
        let Some(v) = value(&yaml, name, v, &mut t) else {
            continue;
        };
        let v = if matches!(
            yaml.as_str(),
            "entityMappings"
                | "requiredDataConnectors"
                | "alertDetailsOverride"
                | "eventGroupingSettings"
                | "incidentConfiguration"
        ) {
            camel_keys(&v)
        } else {
            v
        };
        out.push((key(&yaml, k.span), v));
    }
    t.tree = YamlNode {
        kind: YamlKind::Mapping(out),
        span: root.span,
    };
    t
}

/// The camelCase rule a PascalCase rule stands for (for the query's kind).
pub fn pascal_view(root: &YamlNode) -> YamlNode {
    pascal_translate(root).tree
}

/// Puts the file's names back into a finding's words.
fn rename(d: &mut Diagnostic, names: &[Renamed]) {
    let swap = |s: &mut String| {
        for n in names {
            let from = format!("`{}`", n.yaml);
            if s.contains(&from) {
                *s = s.replace(&from, &format!("`{}`", n.written));
            }
        }
    };
    swap(&mut d.message);
    if let Some(h) = &mut d.help {
        swap(h);
    }
    for l in &mut d.labels {
        swap(&mut l.message);
    }
}

fn finish(
    check: Option<RuleCheck>,
    t: Translated,
    keep: impl Fn(&Diagnostic) -> bool,
    form: RuleForm,
) -> Option<RuleCheck> {
    let mut check = check?;
    check
        .diagnostics
        .retain(|d| !t.reported.contains(&d.span) && keep(d));
    for d in &mut check.diagnostics {
        rename(d, &t.names);
    }
    let mut ctx_findings = t.findings;
    check.diagnostics.append(&mut ctx_findings);
    kqlint_diagnostics::sort_diagnostics(&mut check.diagnostics);
    if let Some(id) = &mut check.id {
        id.form = form;
    }
    Some(check)
}

/// Validates a rule in the PascalCase YAML dialect (`DisplayName`,
/// `Query`, `QueryFrequency: PT5H`, `TriggerOperator: GreaterThan`).
/// `view` is [`pascal_view`] of `root`.
pub fn check_pascal_rule(
    path: &Path,
    text: &str,
    root: &YamlNode,
    view: &YamlNode,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    check_pascal_rule_as(path, text, root, view, None, facts)
}

/// [`check_pascal_rule`] of a rule whose kind the caller decided (`None`:
/// detected from the path and the view).
pub fn check_pascal_rule_as(
    path: &Path,
    text: &str,
    root: &YamlNode,
    view: &YamlNode,
    kind: Option<crate::RuleKind>,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    let t = pascal_translate(root);
    debug_assert_eq!(&t.tree, view);
    let check = crate::check_tree(path, text, &t.tree, kind, facts);
    // `Query` is the dialect's name: not a misspelling of `query`. The
    // tools that write this dialect name a rule by its `DisplayName` and
    // make up the resource's id when they deploy it: no `Id` is required.
    finish(
        check,
        t,
        |d| {
            d.code != NON_CANONICAL_SPELLING.code
                && !(d.code == MISSING_REQUIRED_FIELD.code && d.message.contains("`id`"))
        },
        RuleForm::Yaml,
    )
}

/// Validates the analytic rule of an ARM template resource (or a Bicep
/// one) at `resource` (a JSON pointer into `root`): the checks of the YAML
/// dialect on the same fields under their ARM names. A deployed rule
/// (`alertRules`) lists no data connectors; a template
/// (`AlertRuleTemplates`) does.
pub fn check_arm_rule(
    path: &Path,
    text: &str,
    root: &YamlNode,
    resource: &str,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    let node = root.pointer(resource)?.node;
    let arm_kind = kqlint_source::arm::arm_rule_kind(node)?;
    let kind = match arm_kind {
        kqlint_source::arm::ArmRuleKind::HuntingQuery => return None,
        _ => {
            let k = node.get("kind").and_then(YamlNode::as_str).unwrap_or("");
            if k.eq_ignore_ascii_case("NRT") {
                RuleKind::Nrt
            } else {
                RuleKind::Scheduled
            }
        }
    };
    let template = arm_kind == kqlint_source::arm::ArmRuleKind::AlertRuleTemplate;
    let t = arm_view(root, resource, node)?;
    let has_id = t.tree.get("id").is_some();
    let check = crate::check_tree(path, text, &t.tree, Some(kind), facts);
    let form = if text.trim_start().starts_with(['{', '[']) {
        RuleForm::Arm
    } else {
        RuleForm::Bicep
    };
    finish(
        check,
        t,
        |d| {
            let field = |f: &str| d.message.contains(&format!("`{f}`"));
            if d.code == MISSING_REQUIRED_FIELD.code {
                // The id is the resource's name, which kqlint may not be
                // able to work out; a deployed rule has no connector list.
                if field("id") && !has_id {
                    return false;
                }
                if field("requiredDataConnectors") && !template {
                    return false;
                }
                // Written elsewhere in ARM (the resource's `kind`).
                if field("kind") {
                    return false;
                }
            }
            if d.code == MISSING_DATA_CONNECTOR.code && !template {
                return false;
            }
            // A resource name need not be a GUID.
            d.code != INVALID_RULE_ID.code || template
        },
        form,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration("PT5H"), Some(5 * HOUR));
        assert_eq!(iso_duration("P1D"), Some(DAY));
        assert_eq!(
            iso_duration("P1DT2H30M"),
            Some(DAY + 2 * HOUR + 30 * MINUTE)
        );
        assert_eq!(iso_duration("PT90S"), Some(90));
        assert_eq!(iso_duration("P2W"), Some(14 * DAY));
        assert_eq!(iso_duration("PT"), None);
        assert_eq!(iso_duration("P5H"), None);
        assert_eq!(iso_duration("5h"), None);
        assert_eq!(yaml_duration(5 * HOUR), "5h");
        assert_eq!(yaml_duration(14 * DAY), "14d");
        assert_eq!(yaml_duration(90), "0.00:01:30");
    }
}
