//! Key names: the spellings Sentinel reads, misspelt and mis-cased keys, and
//! the tree the other checks read with the keys spelt as Sentinel does.

use super::Ctx;
use crate::kind::RuleKind;
use crate::rules::*;
use kqlint_source::{ScalarStyle, YamlKind, YamlNode};

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
