//! The queries of ARM templates and of Defender XDR custom detection rules,
//! found in a document tree (JSON, YAML or Bicep read into a [`YamlNode`]).
//!
//! - **ARM templates.** Every resource whose type ends in `alertRules`
//!   (`Microsoft.SecurityInsights/alertRules`,
//!   `Microsoft.OperationalInsights/workspaces/providers/alertRules`) or
//!   `AlertRuleTemplates`, and every `savedSearches` resource of the `Hunting
//!   Queries` category, is a rule whose `properties.query` is a query. Nested
//!   resources are followed: a resource's `resources`, and the resources of
//!   the templates inside a resource's `properties` (`mainTemplate` of the
//!   `templateSpecs/versions` and `contentTemplates` of a Sentinel solution's
//!   `Package/mainTemplate.json`, `template` of a `deployments` resource).
//!   A JSON file that is one such resource (the REST API's shape) or a list
//!   of them counts too.
//! - **ARM expressions.** A query that is an ARM expression (`"[concat(...)]"`,
//!   `"[parameters('q')]"`) is not KQL until deployment: it is left alone,
//!   with a note, except `"[variables('name')]"` of a variable whose value is
//!   text, whose query is checked where the variable is written. `"[[..."`
//!   is ARM's escape for a text starting with `[`.
//! - **Defender XDR custom detection rules** (Microsoft Graph
//!   `detectionRule`, v1.0 and beta, in JSON or YAML): a mapping with a
//!   `queryCondition.queryText`, a list of them, or a Graph list response
//!   (`{"value": [...]}`).

use crate::json::string_map;
use crate::query::{
    PlatformHint, Precision, QueryOrigin, QuerySource, QueryStyle, column, yaml_scalar_query,
};
use crate::rules::{ARM_EXPRESSION_QUERY, QUERY_NOT_A_STRING};
use crate::yaml::{YamlKind, YamlNode};
use kqlint_diagnostics::{Diagnostic, Span};

/// The notation a tree was read from, for mapping its strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notation {
    Json,
    Yaml,
    Bicep,
}

/// A rule that holds a query, found in a tree.
struct Place {
    /// The pointer of the rule object (the resource, the detection rule).
    pointer: String,
    /// The mapping holding the query key (`properties`, `queryCondition`).
    holder: String,
    key: &'static str,
    origin: QueryOrigin,
    platform: Option<PlatformHint>,
}

/// ARM resource pointers (and their kind of rule) under a tree's root.
pub fn arm_rules(root: &YamlNode) -> Vec<String> {
    let mut out = Vec::new();
    match &root.kind {
        YamlKind::Mapping(_) => {
            if let Some(resources) = root.get("resources") {
                walk_resources(resources, "/resources", &mut out);
            } else if is_rule_resource(root) {
                out.push(String::new());
            }
        }
        YamlKind::Sequence(items) => {
            for (i, r) in items.iter().enumerate() {
                if is_rule_resource(r) {
                    out.push(format!("/{i}"));
                }
            }
        }
        _ => {}
    }
    out
}

/// What an ARM resource is, as far as kqlint is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmRuleKind {
    /// `alertRules`: an analytic rule as deployed to a workspace.
    AlertRule,
    /// `AlertRuleTemplates`: an analytic rule template (a solution
    /// package's), which also lists the data connectors it needs.
    AlertRuleTemplate,
    /// A `savedSearches` resource of the Hunting Queries category.
    HuntingQuery,
}

/// The kind of rule an ARM resource is, if it is one.
pub fn arm_rule_kind(resource: &YamlNode) -> Option<ArmRuleKind> {
    let ty = resource.get("type").and_then(YamlNode::as_str);
    let props = resource.get("properties");
    let Some(ty) = ty else {
        // The REST API's shape: `kind` and `properties.query`.
        let has_query = props.and_then(|p| p.get("query")).is_some();
        let kind = resource.get("kind").and_then(YamlNode::as_str)?;
        return (has_query && matches!(kind.to_ascii_lowercase().as_str(), "scheduled" | "nrt"))
            .then_some(ArmRuleKind::AlertRule);
    };
    let t = ty.to_ascii_lowercase();
    let last = t.rsplit('/').next().unwrap_or("");
    match last {
        "alertrules" => Some(ArmRuleKind::AlertRule),
        "alertruletemplates" => Some(ArmRuleKind::AlertRuleTemplate),
        "savedsearches" => {
            let p = props?;
            let category = p.get("category").and_then(YamlNode::as_str).unwrap_or("");
            (category.to_ascii_lowercase().contains("hunting")
                && p.get("functionAlias").is_none()
                && p.get("query").is_some())
            .then_some(ArmRuleKind::HuntingQuery)
        }
        _ => None,
    }
}

fn is_rule_resource(r: &YamlNode) -> bool {
    arm_rule_kind(r).is_some()
}

fn walk_resources(list: &YamlNode, ptr: &str, out: &mut Vec<String>) {
    // Explicit stack: nesting of templates is bounded by the tree's depth.
    let mut stack = vec![(list, ptr.to_owned())];
    while let Some((list, ptr)) = stack.pop() {
        let Some(items) = list.as_sequence() else {
            continue;
        };
        let mut found = Vec::new();
        for (i, r) in items.iter().enumerate() {
            let here = format!("{ptr}/{i}");
            if r.as_mapping().is_none() {
                continue;
            }
            if is_rule_resource(r) {
                found.push(here.clone());
            }
            if let Some(nested) = r.get("resources") {
                stack.push((nested, format!("{here}/resources")));
            }
            if let Some(props) = r.get("properties") {
                for key in ["mainTemplate", "template"] {
                    if let Some(res) = props.get(key).and_then(|t| t.get("resources")) {
                        stack.push((res, format!("{here}/properties/{key}/resources")));
                    }
                }
            }
        }
        out.extend(found);
    }
    out.sort_by(|a, b| compare_pointers(a, b));
}

/// Orders pointers by document position (numeric array indices).
fn compare_pointers(a: &str, b: &str) -> std::cmp::Ordering {
    let pa = a.split('/').map(|t| (t.parse::<usize>().ok(), t));
    let pb = b.split('/').map(|t| (t.parse::<usize>().ok(), t));
    pa.cmp(pb)
}

/// The pointers of the Defender XDR detection rules of a tree, if it holds
/// any: the root itself, the items of a list, or of a Graph list response's
/// `value`.
pub fn defender_rules(root: &YamlNode) -> Option<Vec<String>> {
    let is_rule = |n: &YamlNode| {
        n.get("queryCondition")
            .is_some_and(|c| c.get("queryText").is_some())
    };
    if is_rule(root) {
        return Some(vec![String::new()]);
    }
    let (list, base) = match &root.kind {
        YamlKind::Sequence(_) => (root, String::new()),
        YamlKind::Mapping(_) => (root.get("value")?, "/value".to_owned()),
        _ => return None,
    };
    let items = list.as_sequence()?;
    let found: Vec<String> = items
        .iter()
        .enumerate()
        .filter(|(_, n)| is_rule(n))
        .map(|(i, _)| format!("{base}/{i}"))
        .collect();
    (!found.is_empty()).then_some(found)
}

/// Whether `value` is an ARM template expression (`"[...]"`, not the
/// escaped `"[[..."`).
pub fn is_arm_expression(value: &str) -> bool {
    let t = value.trim();
    t.starts_with('[') && !t.starts_with("[[") && t.ends_with(']')
}

/// The text an ARM expression stands for when kqlint can tell without
/// deploying: a string literal `'x'`, `variables('name')` of a variable
/// whose value is such text, and `concat(...)` of those. The node is the
/// one the text is written in when it is one node.
pub fn resolve_expression<'a>(
    root: &'a YamlNode,
    resource: &str,
    expr: &str,
) -> Option<(String, Option<&'a YamlNode>)> {
    let t = expr.trim();
    let inner = if is_arm_expression(t) {
        &t[1..t.len() - 1]
    } else {
        return Some((
            t.strip_prefix('[')
                .filter(|_| t.starts_with("[["))
                .unwrap_or(t)
                .to_owned(),
            None,
        ));
    };
    let mut p = ExprParser {
        s: inner.as_bytes(),
        at: 0,
        root,
        resource,
        depth: 0,
    };
    let v = p.expr()?;
    p.ws();
    (p.at == p.s.len()).then_some(v)
}

/// The `variables` mappings in scope at a pointer: the innermost template's
/// first.
fn variable<'a>(root: &'a YamlNode, resource: &str, name: &str) -> Option<&'a YamlNode> {
    let mut scopes = vec![root];
    let mut ptr = String::new();
    for tok in resource.split('/').skip(1) {
        ptr.push('/');
        ptr.push_str(tok);
        if matches!(tok, "mainTemplate" | "template") {
            scopes.push(root.pointer(&ptr)?.node);
        }
    }
    scopes.iter().rev().find_map(|s| {
        s.get("variables")?
            .as_mapping()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| v)
    })
}

struct ExprParser<'a, 'r> {
    s: &'a [u8],
    at: usize,
    root: &'r YamlNode,
    resource: &'a str,
    depth: usize,
}

impl<'r> ExprParser<'_, 'r> {
    fn ws(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn expr(&mut self) -> Option<(String, Option<&'r YamlNode>)> {
        self.depth += 1;
        if self.depth > 32 {
            return None;
        }
        self.ws();
        let out = if self.s.get(self.at) == Some(&b'\'') {
            self.at += 1;
            let mut v = Vec::new();
            loop {
                match self.s.get(self.at)? {
                    b'\'' if self.s.get(self.at + 1) == Some(&b'\'') => {
                        v.push(b'\'');
                        self.at += 2;
                    }
                    b'\'' => {
                        self.at += 1;
                        break;
                    }
                    &c => {
                        v.push(c);
                        self.at += 1;
                    }
                }
            }
            (String::from_utf8(v).ok()?, None)
        } else {
            let start = self.at;
            while self
                .s
                .get(self.at)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                self.at += 1;
            }
            let name = std::str::from_utf8(&self.s[start..self.at])
                .ok()?
                .to_ascii_lowercase();
            self.ws();
            if self.s.get(self.at) != Some(&b'(') {
                return None;
            }
            self.at += 1;
            let mut args = Vec::new();
            self.ws();
            if self.s.get(self.at) == Some(&b')') {
                self.at += 1;
            } else {
                loop {
                    args.push(self.expr()?);
                    self.ws();
                    match self.s.get(self.at)? {
                        b',' => self.at += 1,
                        b')' => {
                            self.at += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            match name.as_str() {
                "variables" if args.len() == 1 => {
                    let node = variable(self.root, self.resource, &args[0].0)?;
                    let v = node.as_str()?;
                    if is_arm_expression(v) {
                        let (text, _) = resolve_expression(self.root, self.resource, v)?;
                        (text, None)
                    } else {
                        (
                            v.strip_prefix('[')
                                .filter(|_| v.starts_with("[["))
                                .unwrap_or(v)
                                .to_owned(),
                            Some(node),
                        )
                    }
                }
                "concat" => {
                    let one = args.len() == 1;
                    let node = if one { args[0].1 } else { None };
                    (args.into_iter().map(|a| a.0).collect(), node)
                }
                _ => return None,
            }
        };
        self.depth -= 1;
        Some(out)
    }
}

/// The queries of the rules a tree holds, with the diagnostics of those
/// that are not text.
pub(crate) fn queries(
    text: &str,
    root: &YamlNode,
    notation: Notation,
    lossy: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<QuerySource> {
    let mut places = Vec::new();
    if let Some(rules) = defender_rules(root) {
        for r in rules {
            places.push(Place {
                holder: format!("{r}/queryCondition"),
                origin: QueryOrigin::Defender { rule: r.clone() },
                pointer: r,
                key: "queryText",
                platform: Some(PlatformHint::Defender),
            });
        }
    } else if notation != Notation::Yaml {
        for r in arm_rules(root) {
            let origin = if notation == Notation::Bicep {
                QueryOrigin::Bicep {
                    resource: r.clone(),
                }
            } else {
                QueryOrigin::Arm {
                    resource: r.clone(),
                }
            };
            places.push(Place {
                holder: format!("{r}/properties"),
                origin,
                pointer: r,
                key: "query",
                platform: Some(PlatformHint::Sentinel),
            });
        }
    }
    let mut out = Vec::new();
    for place in places {
        let Some(holder) = root.pointer(&place.holder).map(|t| t.node) else {
            continue;
        };
        let Some((key, value)) = holder.entry(place.key) else {
            continue;
        };
        let label = root
            .pointer(&place.pointer)
            .and_then(|t| {
                let n = t.node;
                n.get("displayName")
                    .or_else(|| n.get("properties").and_then(|p| p.get("displayName")))
            })
            .and_then(YamlNode::as_str)
            .map(str::to_owned);
        let q = match (&value.kind, notation) {
            (YamlKind::Scalar { value: v, .. }, Notation::Bicep)
                if crate::bicep::load_text_content(v).is_some() =>
            {
                continue; // the engine checks the file it loads
            }
            (YamlKind::Scalar { value: v, .. }, Notation::Json | Notation::Bicep)
                if is_arm_expression(v) =>
            {
                match resolve_expression(root, &place.pointer, v) {
                    Some((_, Some(node))) if node.as_str().is_some() => {
                        string_query(text, notation, node, 0, lossy)
                    }
                    _ => {
                        let shown: String = v.chars().take(60).collect();
                        let more = if v.chars().count() > 60 { "..." } else { "" };
                        diagnostics.push(
                            Diagnostic::new(
                                &ARM_EXPRESSION_QUERY,
                                value.span,
                                format!(
                                    "the `{}` is the template expression `{shown}{more}`: its text is known only when the template is deployed, so kqlint leaves it alone",
                                    place.key
                                ),
                            )
                            .with_help(
                                "to have the query checked, write it as text (`\"query\": \"...\"`) or as a variable holding text (`\"[variables('name')]\"`)",
                            ),
                        );
                        continue;
                    }
                }
            }
            (YamlKind::Scalar { value: v, .. }, Notation::Json | Notation::Bicep) => {
                let skip = usize::from(v.starts_with("[["));
                string_query(text, notation, value, skip, lossy)
            }
            (YamlKind::Scalar { .. }, Notation::Yaml) => {
                let indent = column(text, holder.span.start) as i64;
                yaml_scalar_query(text, place.key, key, value, indent, &[], lossy).ok()
            }
            _ => {
                let what = match &value.kind {
                    YamlKind::Mapping(_) => "an object",
                    YamlKind::Sequence(_) => "a list",
                    _ => "empty",
                };
                diagnostics.push(
                    Diagnostic::new(
                        &QUERY_NOT_A_STRING,
                        key.span,
                        format!(
                            "the value of `{}` is {what}, not the text of a query",
                            place.key
                        ),
                    )
                    .with_label(value.span, format!("this is {what}")),
                );
                continue;
            }
        };
        let Some(mut q) = q else { continue };
        q.key = Some(place.key.to_owned());
        q.key_span = Some(key.span);
        q.origin = place.origin;
        q.platform = place.platform;
        q.label = label;
        out.push(q);
    }
    out
}

/// The query that is the string node `node` (JSON or Bicep), its first
/// `skip` characters left out.
fn string_query(
    text: &str,
    notation: Notation,
    node: &YamlNode,
    skip: usize,
    lossy: bool,
) -> Option<QuerySource> {
    let (builder, style) = match notation {
        Notation::Bicep => (
            crate::bicep::string_map(text, node, skip)?,
            QueryStyle::BicepString,
        ),
        _ => (string_map(text, node, skip)?, QueryStyle::JsonString),
    };
    Some(QuerySource::mapped(
        builder,
        Span::new(node.span.start, node.span.end),
        style,
        QueryOrigin::File,
        Precision::Position,
        lossy,
    ))
}

/// Reads a JSON file: its tree and the queries of its rules. A file with
/// none of the keys that hold queries is not parsed at all (a
/// `package.json`, a workbook without rules).
pub(crate) fn extract_json(text: &str, lossy: bool, limits: &crate::Limits) -> Extracted {
    let mut out = Extracted::default();
    if !["\"query\"", "\"queryText\"", "\"Query\""]
        .iter()
        .any(|m| text.contains(m))
    {
        return out;
    }
    let parsed = crate::json::parse(text, limits);
    out.diagnostics.extend(parsed.diagnostic);
    if let Some(root) = parsed.root {
        out.queries = queries(text, &root, Notation::Json, lossy, &mut out.diagnostics);
        out.root = Some(root);
    }
    out
}

/// A tree and its queries.
#[derive(Default)]
pub(crate) struct Extracted {
    pub root: Option<YamlNode>,
    pub queries: Vec<QuerySource>,
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    fn tree(t: &str) -> YamlNode {
        crate::json::parse(t, &Limits::default()).root.unwrap()
    }

    #[test]
    fn finds_rules_in_nested_templates() {
        let t = r#"{"variables": {"id1": "1111", "q": "T | take 1"},
          "resources": [
            {"type": "Microsoft.OperationalInsights/workspaces/providers/contentTemplates",
             "properties": {"mainTemplate": {"resources": [
                {"type": "Microsoft.SecurityInsights/AlertRuleTemplates", "name": "[variables('id1')]",
                 "kind": "Scheduled", "properties": {"displayName": "A", "query": "SecurityEvent\n| take 1"}}]}}},
            {"type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "kind": "NRT",
             "properties": {"query": "[variables('q')]"}},
            {"type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "kind": "Scheduled",
             "properties": {"query": "[concat('T', parameters('x'))]"}},
            {"type": "Microsoft.OperationalInsights/savedSearches",
             "properties": {"category": "Hunting Queries", "query": "[[x] T"}},
            {"type": "Microsoft.OperationalInsights/savedSearches",
             "properties": {"category": "Parsers", "functionAlias": "F", "query": "T"}}
          ]}"#;
        let root = tree(t);
        assert_eq!(
            arm_rules(&root),
            [
                "/resources/0/properties/mainTemplate/resources/0",
                "/resources/1",
                "/resources/2",
                "/resources/3"
            ]
        );
        let mut diags = Vec::new();
        let qs = queries(t, &root, Notation::Json, false, &mut diags);
        let texts: Vec<&str> = qs.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(texts, ["SecurityEvent\n| take 1", "T | take 1", "[x] T"]);
        assert_eq!(qs[0].label.as_deref(), Some("A"));
        // The variable's query is checked where the variable is written.
        let at = qs[1].map_offset(0) as usize;
        assert_eq!(&t[at..at + 10], "T | take 1");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "KQL510");
        let res = root
            .pointer("/resources/0/properties/mainTemplate/resources/0")
            .unwrap()
            .node;
        let name = res.get("name").unwrap().as_str().unwrap();
        assert_eq!(
            resolve_expression(
                &root,
                "/resources/0/properties/mainTemplate/resources/0",
                name
            )
            .map(|r| r.0),
            Some("1111".to_owned())
        );
    }

    #[test]
    fn finds_defender_detection_rules() {
        let t = r#"{"value": [{"displayName": "x", "queryCondition": {"queryText": "DeviceEvents\r\n| take 1"}}]}"#;
        let root = tree(t);
        assert_eq!(defender_rules(&root), Some(vec!["/value/0".to_owned()]));
        let mut diags = Vec::new();
        let qs = queries(t, &root, Notation::Json, false, &mut diags);
        assert_eq!(qs[0].text, "DeviceEvents\r\n| take 1");
        assert_eq!(qs[0].platform, Some(PlatformHint::Defender));
    }
}
