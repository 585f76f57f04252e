//! What kind of rule file a YAML document is, from its content and path.

use kqlint_source::YamlNode;
use std::path::{Component, Path};

/// The kinds of Sentinel content files kqlint validates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// A scheduled analytic rule (`kind: Scheduled`).
    Scheduled,
    /// A near-real-time analytic rule (`kind: NRT`).
    Nrt,
    /// A hunting query: run on demand, no schedule, severity or trigger.
    Hunting,
    /// An entity exploration query (`Id`, `DisplayName`, `InputEntityType`).
    Exploration,
    /// An ASIM parser (`ParserQuery`) or solution parser (`FunctionQuery`).
    Parser,
    /// A Defender XDR custom detection rule (Microsoft Graph `detectionRule`).
    Detection,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Scheduled => "scheduled analytic rule",
            RuleKind::Nrt => "NRT analytic rule",
            RuleKind::Hunting => "hunting query",
            RuleKind::Exploration => "exploration query",
            RuleKind::Parser => "parser",
            RuleKind::Detection => "Defender XDR custom detection rule",
        }
    }

    /// Scheduled or NRT: validated by Azure-Sentinel's CI rule model.
    pub fn is_analytic(self) -> bool {
        matches!(
            self,
            RuleKind::Scheduled | RuleKind::Nrt | RuleKind::Detection
        )
    }

    /// The key holding the rule's id.
    pub fn id_key(self) -> &'static str {
        match self {
            RuleKind::Exploration => "Id",
            _ => "id",
        }
    }
}

/// Keys only a scheduled analytic rule has.
const SCHEDULE_KEYS: &[&str] = &[
    "queryFrequency",
    "queryPeriod",
    "triggerOperator",
    "triggerThreshold",
];

/// Keys that make a YAML mapping a rule even without its query (a rule
/// whose `query` key is missing or misspelled is still reported as a rule).
const RULE_KEYS: &[&str] = &[
    "query",
    "ParserQuery",
    "FunctionQuery",
    "requiredDataConnectors",
    "tactics",
    "relevantTechniques",
    "entityMappings",
    "InputEntityType",
    "OutputEntityTypes",
];

/// Whether a YAML mapping is a Sentinel rule at all: a query key, a key
/// only rules have, or an `id` with a `name`. Other YAML in a repository
/// (CI workflows, compose files, configuration) gets no rule checks.
pub fn is_rule(root: &YamlNode) -> bool {
    let has = |k: &str| root.get(k).is_some();
    root.as_mapping().is_some()
        && (RULE_KEYS.iter().chain(SCHEDULE_KEYS).any(|k| has(k))
            || (has("id") && has("name"))
            || (has("Id") && has("DisplayName")))
}

/// What the folders of a path say the file is; the innermost telling folder
/// wins (`Solutions/X/Hunting Queries/...`).
fn kind_from_path(path: &Path) -> Option<PathKind> {
    let mut found = None;
    for c in path.components() {
        let Component::Normal(name) = c else { continue };
        let Some(name) = name.to_str() else { continue };
        let squashed: String = name
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        let k = match squashed.as_str() {
            "huntingqueries" | "huntingquery" | "hunting" => PathKind::Hunting,
            "explorationqueries" | "explorationquery" => PathKind::Exploration,
            "detections" | "detection" | "analyticrules" | "analyticsrules" | "analyticalrules"
            | "analyticrule" | "detectionqueries" => PathKind::Analytic,
            "parsers" => PathKind::Parser,
            _ => continue,
        };
        found = Some(k);
    }
    found
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathKind {
    Analytic,
    Hunting,
    Exploration,
    Parser,
}

/// The kind of a rule file.
///
/// 1. A `ParserQuery` / `FunctionQuery` key makes a parser; exploration
///    keys (`InputEntityType`, `OutputEntityTypes`, `DisplayName` with
///    `Id`) an exploration query.
/// 2. A folder that says what the files in it are (`Hunting Queries`,
///    `Exploration Queries`, `Detections`, `Analytic Rules`, ...) decides
///    next: that is how Sentinel's tooling and CI treat them. A hunting query
///    with a stray `kind: Scheduled` is still a hunting query.
/// 3. Otherwise the content: `kind: NRT` makes an NRT rule; a `kind`, or any
///    of `queryFrequency`, `queryPeriod`, `triggerOperator`,
///    `triggerThreshold`, a scheduled rule; anything else a hunting query.
///
/// In an analytic-rule folder, `kind: NRT` makes an NRT rule and anything
/// else a scheduled rule (a missing or unknown `kind` is then reported).
pub fn detect_kind(path: &Path, root: &YamlNode) -> RuleKind {
    let has = |k: &str| root.get(k).is_some();
    if has("ParserQuery") || has("FunctionQuery") {
        return RuleKind::Parser;
    }
    if has("InputEntityType")
        || has("InputFields")
        || has("OutputEntityTypes")
        || (has("Id") && has("DisplayName"))
    {
        return RuleKind::Exploration;
    }
    let kind_value = root.get("kind").and_then(YamlNode::as_str);
    let is_nrt = kind_value.is_some_and(|k| k.eq_ignore_ascii_case("NRT"));
    match kind_from_path(path) {
        Some(PathKind::Hunting) => RuleKind::Hunting,
        Some(PathKind::Exploration) => RuleKind::Exploration,
        Some(PathKind::Parser) => RuleKind::Parser,
        Some(PathKind::Analytic) => {
            if is_nrt {
                RuleKind::Nrt
            } else {
                RuleKind::Scheduled
            }
        }
        None => {
            if is_nrt {
                RuleKind::Nrt
            } else if has("kind") || SCHEDULE_KEYS.iter().any(|k| has(k)) {
                RuleKind::Scheduled
            } else {
                RuleKind::Hunting
            }
        }
    }
}

/// Type names a format description writes where a rule has values.
const TYPE_NAMES: &[&str] = &[
    "string", "guid", "int", "integer", "long", "bool", "boolean", "time", "timespan", "datetime",
    "dynamic", "real", "double", "number", "array", "object", "list", "uri", "url",
];

/// Whether a YAML mapping describes a rule format instead of being a rule:
/// nearly every value is a type name (`Id: guid`, `DisplayName: string`,
/// `query: string`), as in the template some repositories keep beside their
/// rules. Such a file has no query to check; reading `string` as one would
/// report a keyword used as a table.
pub fn is_schema_template(root: &YamlNode) -> bool {
    if root.as_mapping().is_none() {
        return false;
    }
    let (mut scalars, mut types) = (0usize, 0usize);
    for (_, node) in root.walk() {
        if let Some(v) = node.as_str() {
            scalars += 1;
            let v = v.trim().to_ascii_lowercase();
            types += usize::from(TYPE_NAMES.contains(&v.as_str()));
        }
    }
    types >= 4 && types * 5 >= scalars * 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_source::{Limits, Source, SourceKind};

    fn yaml(text: &str) -> YamlNode {
        let s = Source::from_text("x.yaml", text, SourceKind::Yaml, &Limits::default());
        s.yaml.expect("yaml")
    }

    #[test]
    fn other_yaml_is_not_a_rule() {
        assert!(!is_rule(&yaml(
            "name: CI\non: [push]\njobs:\n  b:\n    runs-on: x\n"
        )));
        assert!(!is_rule(&yaml(
            "version: '3'\nservices:\n  db:\n    image: x\n"
        )));
        assert!(!is_rule(&yaml("- a\n- b\n")));
        assert!(is_rule(&yaml("id: 1\nname: r\nqurey: T\n")));
        assert!(is_rule(&yaml("name: r\nquery: T\n")));
        assert!(is_rule(&yaml("name: r\ntactics: [Execution]\n")));
        assert!(is_rule(&yaml("name: r\nqueryFrequency: 1h\n")));
    }

    fn kind(path: &str, yaml: &str) -> RuleKind {
        let s = Source::from_text(path, yaml, SourceKind::Yaml, &Limits::default());
        detect_kind(Path::new(path), s.yaml.as_ref().expect("yaml"))
    }

    #[test]
    fn content_decides_outside_known_folders() {
        let q = "query: |\n  T\n";
        assert_eq!(kind("rules/a.yaml", q), RuleKind::Hunting);
        assert_eq!(
            kind("rules/a.yaml", &format!("kind: Scheduled\n{q}")),
            RuleKind::Scheduled
        );
        assert_eq!(
            kind("rules/a.yaml", &format!("kind: nrt\n{q}")),
            RuleKind::Nrt
        );
        assert_eq!(
            kind("rules/a.yaml", &format!("queryFrequency: 1h\n{q}")),
            RuleKind::Scheduled
        );
        assert_eq!(
            kind("rules/a.yaml", &format!("severity: High\n{q}")),
            RuleKind::Hunting
        );
        assert_eq!(
            kind("a.yaml", "ParserName: X\nParserQuery: |\n  T\n"),
            RuleKind::Parser
        );
        assert_eq!(
            kind("a.yaml", &format!("Id: 1\nDisplayName: x\n{q}")),
            RuleKind::Exploration
        );
    }

    #[test]
    fn folders_decide_when_they_say() {
        let stray = "kind: Scheduled\nquery: |\n  T\n";
        assert_eq!(
            kind("Hunting Queries/SecurityEvent/a.yaml", stray),
            RuleKind::Hunting
        );
        assert_eq!(
            kind("Solutions/X/Hunting Queries/a.yaml", stray),
            RuleKind::Hunting
        );
        assert_eq!(
            kind("Solutions/X/Analytic Rules/a.yaml", "query: |\n  T\n"),
            RuleKind::Scheduled
        );
        assert_eq!(
            kind("Detections/a.yaml", "kind: NRT\nquery: |\n  T\n"),
            RuleKind::Nrt
        );
        assert_eq!(
            kind("Solutions/Y/Analytical Rules/a.yaml", "query: |\n  T\n"),
            RuleKind::Scheduled
        );
    }
}
