//! Sentinel rule-YAML validation for kqlint.
//!
//! - **JSON Schemas** (`schemas/rules/`, draft 2020-12, compiled once) for
//!   scheduled and NRT analytic rules, hunting queries, exploration queries
//!   and parsers, checked against the YAML's JSON view; each error is
//!   reported at the offending key or value in the file, in plain words.
//! - **Sentinel's rule-model constraints** that a schema says badly:
//!   durations and their relation, trigger threshold, tactics (with the
//!   likely name for a near miss), techniques against tactics, entity
//!   identifiers per entity type, `{{Column}}` placeholder counts, connector
//!   ids (with did-you-mean), misspelt and mis-indented keys.
//! - **Cross-checks with the query** ([`QueryFacts`]): mapped columns must be
//!   output columns; tables read should be declared as data types.
//! - **Duplicate ids** across the files of one run ([`duplicate_ids`]).
//!
//! Every diagnostic's span is a byte range of the whole file.
//!
//! ```
//! use kqlint_source::{Limits, Source, SourceKind};
//! let yaml = sentinel_rules::EXAMPLE_RULE.replace("severity: Medium", "severity: Critical");
//! let src = Source::from_text("Detections/rule.yaml", yaml, SourceKind::Yaml, &Limits::default());
//! let check = sentinel_rules::check_source(&src, None).unwrap();
//! assert_eq!(check.kind, sentinel_rules::RuleKind::Scheduled);
//! assert_eq!(check.diagnostics.len(), 1);
//! assert_eq!(
//!     check.diagnostics[0].message,
//!     "`severity` must be Informational, Low, Medium or High; found `Critical`"
//! );
//! ```

#[macro_use]
mod examples;
mod check;
mod cross;
mod defender;
mod dialect;
pub mod duration;
mod kind;
mod model;
mod rules;
mod schema;
mod text;

pub use cross::{QueryFacts, ResultColumn};
pub use defender::{DETECTION_FACTS_JSON, check_detection_rule};
pub use dialect::{
    check_arm_rule, check_pascal_rule, check_pascal_rule_as, iso_duration, pascal_view,
};
pub use kind::{RuleKind, detect_kind, is_rule, is_schema_template};
pub use model::{EntityType, MODEL_JSON, Model};
pub use rules::*;

pub use schema::{SCHEMA_FILES, compile as compile_schema, schema_file};

use check::Ctx;
use kqlint_diagnostics::{Diagnostic, Span, sort_diagnostics};
use kqlint_source::{Source, SourceKind, YamlNode};
use std::collections::HashMap;
use std::path::Path;

/// A rule's id, as the duplicate-id pass needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleId {
    /// The id as written.
    pub value: String,
    /// The comparison key: lower case, without `{}`, `()` and `-`, so every
    /// spelling of one GUID is equal.
    pub key: String,
    /// The id value's span in the file.
    pub span: Span,
    /// The rule's name (`name`, or `DisplayName` / `ParserName`), if any.
    pub name: Option<String>,
    /// The form the rule is written in.
    pub form: RuleForm,
    /// A fingerprint of the rule's query (its lines, trimmed, without blank
    /// ones), to tell the same rule in another form from a different rule.
    pub query: Option<u64>,
}

/// The forms a rule is written in: a repository may hold one rule in
/// several (a solution's rule YAML and its copy in `Package/mainTemplate.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleForm {
    /// Rule YAML (either dialect).
    Yaml,
    /// A Bicep file.
    Bicep,
    /// An ARM template (a solution package included).
    Arm,
}

impl RuleForm {
    fn describe(self) -> &'static str {
        match self {
            RuleForm::Yaml => "YAML",
            RuleForm::Bicep => "Bicep",
            RuleForm::Arm => "ARM template",
        }
    }
}

/// The fingerprint of a query text (see [`RuleId::query`]).
pub fn query_fingerprint(query: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for line in query.lines().map(str::trim).filter(|l| !l.is_empty()) {
        line.hash(&mut h);
    }
    h.finish()
}

impl RuleId {
    fn of(kind: RuleKind, root: &YamlNode) -> Option<RuleId> {
        let node = root.get(kind.id_key())?;
        let value = node.as_str()?.trim();
        if value.is_empty() {
            return None;
        }
        let key: String = value
            .chars()
            .filter(|c| !matches!(c, '{' | '}' | '(' | ')' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        let name = ["name", "DisplayName", "ParserName", "FunctionName"]
            .iter()
            .find_map(|k| root.get(k).and_then(YamlNode::as_str))
            .map(|s| s.trim().to_owned());
        let query = root
            .get("query")
            .and_then(YamlNode::as_str)
            .map(query_fingerprint);
        Some(RuleId {
            value: value.to_owned(),
            key,
            span: node.span,
            name,
            form: RuleForm::Yaml,
            query,
        })
    }
}

/// What validating one rule file found.
#[derive(Clone, Debug)]
pub struct RuleCheck {
    pub kind: RuleKind,
    pub id: Option<RuleId>,
    /// Sorted; spans into the file text.
    pub diagnostics: Vec<Diagnostic>,
}

/// Validates a loaded YAML source; `None` for KQL sources and YAML that did
/// not load completely or is not a mapping (kqlint-source reports those).
pub fn check_source(source: &Source, facts: Option<&QueryFacts>) -> Option<RuleCheck> {
    if source.kind != SourceKind::Yaml {
        return None;
    }
    let text = source.text.as_deref()?;
    let root = source.yaml.as_ref()?;
    check_rule(&source.path, text, root, facts)
}

/// Validates one rule file: `root` is its YAML tree, `text` the file text
/// the tree's spans refer to; `facts` what is known about its query.
pub fn check_rule(
    path: &Path,
    text: &str,
    root: &YamlNode,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    check_tree(path, text, root, None, facts)
}

/// [`check_rule`] of a rule whose kind the caller decided
/// ([`detect_kind`]): kqlint-core decides it once for the query checks and
/// the rule checks alike.
pub fn check_rule_as(
    path: &Path,
    text: &str,
    root: &YamlNode,
    kind: RuleKind,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    check_tree(path, text, root, Some(kind), facts)
}

/// [`check_rule`] on a rule's tree in the YAML dialect, of the given kind
/// (else detected from the path and content).
pub(crate) fn check_tree(
    path: &Path,
    text: &str,
    root: &YamlNode,
    kind: Option<RuleKind>,
    facts: Option<&QueryFacts>,
) -> Option<RuleCheck> {
    root.as_mapping()?;
    let kind = kind.unwrap_or_else(|| detect_kind(path, root));
    if is_schema_template(root) {
        let first_line = text[root.span.start as usize..]
            .find('\n')
            .map_or(root.span.end, |n| root.span.start + n as u32);
        return Some(RuleCheck {
            kind,
            id: None,
            diagnostics: vec![Diagnostic::new(
                &SCHEMA_TEMPLATE,
                Span::new(root.span.start, first_line),
                "this file describes a rule format with type names (`guid`, `string`), it is not \
                 a rule: neither its query nor its fields are checked",
            )],
        });
    }
    let mut ctx = Ctx {
        text,
        kind,
        required: check::required_fields(kind),
        diags: Vec::new(),
    };
    let renames = check::key_spellings(&mut ctx, root);
    let normalized = check::normalized(root, &renames);
    let tree = normalized.as_ref().unwrap_or(root);
    let json = tree.to_json();
    schema::validate(&mut ctx, &json, tree);
    check::schedule(&mut ctx, tree);
    check::lookback(&mut ctx, tree, facts);
    check::suppression(&mut ctx, tree);
    check::mitre(&mut ctx, tree);
    check::entity_mappings(&mut ctx, tree);
    check::alert_details_override(&mut ctx, tree);
    check::connector_ids(&mut ctx, tree);
    cross::check(&mut ctx, tree, facts);
    let mut diagnostics = ctx.diags;
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    Some(RuleCheck {
        kind,
        id: RuleId::of(kind, tree),
        diagnostics,
    })
}

/// One file's id for [`duplicate_ids`].
#[derive(Clone, Copy, Debug)]
pub struct IdEntry<'a> {
    /// The file as reports name it.
    pub file: &'a str,
    pub id: &'a RuleId,
    /// 1-based line of the id in that file.
    pub line: u32,
}

/// The duplicate-id findings of a run: for each entry whose id another
/// entry shares, `(entry index, diagnostic)`. Two files with the same id
/// and different names are different rules (`duplicate-rule-id`, error);
/// with the same name, copies of one rule (`duplicate-rule-copy`, warning).
pub fn duplicate_ids(entries: &[IdEntry<'_>]) -> Vec<(usize, Diagnostic)> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        groups.entry(e.id.key.as_str()).or_default().push(i);
    }
    let mut out = Vec::new();
    let same_name = |a: &RuleId, b: &RuleId| match (&a.name, &b.name) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    };
    // The same rule in another form (a solution's YAML and its ARM copy):
    // same id, name and query, different forms.
    let is_form = |a: &IdEntry<'_>, b: &IdEntry<'_>| {
        a.id.form != b.id.form
            && same_name(a.id, b.id)
            && a.id.query.is_some()
            && a.id.query == b.id.query
    };
    let mut keys: Vec<&&str> = groups.keys().collect();
    keys.sort();
    for key in keys {
        let members = &groups[*key];
        if members.len() < 2 {
            continue;
        }
        for &i in members {
            let me = &entries[i];
            let forms: Vec<&IdEntry<'_>> = members
                .iter()
                .filter(|&&j| j != i && is_form(me, &entries[j]))
                .map(|&j| &entries[j])
                .collect();
            // A cross-file finding is reported once, at the rule's first
            // form (YAML before Bicep before ARM): its other forms are named.
            if forms.iter().any(|f| f.id.form < me.id.form) {
                continue;
            }
            let others: Vec<&IdEntry<'_>> = members
                .iter()
                .filter(|&&j| j != i && !is_form(me, &entries[j]))
                .map(|&j| &entries[j])
                .collect();
            if others.is_empty() {
                continue;
            }
            let different: Vec<&&IdEntry<'_>> =
                others.iter().filter(|o| !same_name(me.id, o.id)).collect();
            let place = |o: &IdEntry<'_>| format!("`{}` (line {})", o.file, o.line);
            let list = |v: &[String]| text::some_of(v, 3);
            let also = if forms.is_empty() {
                String::new()
            } else {
                let places: Vec<String> = forms
                    .iter()
                    .map(|f| format!("{} in {}", f.id.form.describe(), place(f)))
                    .collect();
                format!(" (this rule's {} has the same id)", list(&places))
            };
            let d = if different.is_empty() {
                let places: Vec<String> = others.iter().map(|o| place(o)).collect();
                Diagnostic::new(
                    &DUPLICATE_RULE_COPY,
                    me.id.span,
                    format!(
                        "this rule (same `id` and name) is also in {}{also}",
                        list(&places)
                    ),
                )
            } else {
                let places: Vec<String> = different
                    .iter()
                    .map(|o| match &o.id.name {
                        Some(n) => format!("{} ({})", place(o), text::quote(n)),
                        None => place(o),
                    })
                    .collect();
                Diagnostic::new(
                    &DUPLICATE_RULE_ID,
                    me.id.span,
                    format!(
                        "`id` {} is also the id of a different rule: {}{also}",
                        me.id.value,
                        list(&places)
                    ),
                )
                .with_help("give one of the rules a new GUID")
            };
            out.push((i, d));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_source::Limits;

    fn source(path: &str, yaml: &str) -> Source {
        Source::from_text(path, yaml, SourceKind::Yaml, &Limits::default())
    }

    #[test]
    fn example_rule_is_clean() {
        let s = source("Detections/a.yaml", EXAMPLE_RULE);
        let c = check_source(&s, None).unwrap();
        assert_eq!(c.kind, RuleKind::Scheduled);
        assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
        let id = c.id.unwrap();
        assert_eq!(id.key, "2b5e4b568f0f4c8a9d2a5a1f7c3e9b10");
        assert_eq!(id.name.as_deref(), Some("Sign-in from a blocked country"));
    }

    #[test]
    fn duplicate_ids_name_the_other_file() {
        let id = |v: &str, name: &str| {
            let s = source("a.yaml", &format!("id: '{v}'\nname: {name}\nquery: T\n"));
            RuleId::of(RuleKind::Hunting, s.yaml.as_ref().unwrap()).unwrap()
        };
        let a = id("2B5E4B56-8F0F-4C8A-9D2A-5A1F7C3E9B10", "One");
        let b = id("{2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10}", "Two");
        let c = id("2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10", "one");
        let d = id("11111111-8f0f-4c8a-9d2a-5a1f7c3e9b10", "Other");
        let entries = [
            IdEntry {
                file: "a.yaml",
                id: &a,
                line: 1,
            },
            IdEntry {
                file: "b.yaml",
                id: &b,
                line: 1,
            },
            IdEntry {
                file: "c.yaml",
                id: &c,
                line: 3,
            },
            IdEntry {
                file: "d.yaml",
                id: &d,
                line: 1,
            },
        ];
        let found = duplicate_ids(&entries);
        let codes: Vec<(usize, &str)> = found.iter().map(|(i, d)| (*i, d.name)).collect();
        assert_eq!(
            codes,
            [
                (0, "duplicate-rule-id"),
                (1, "duplicate-rule-id"),
                (2, "duplicate-rule-id")
            ]
        );
        assert_eq!(
            found[0].1.message,
            "`id` 2B5E4B56-8F0F-4C8A-9D2A-5A1F7C3E9B10 is also the id of a different rule: `b.yaml` (line 1) (`Two`)"
        );
        // a and c are copies of each other, but b is a different rule.
        let only_copies = [entries[0], entries[2]];
        let found = duplicate_ids(&only_copies);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|(_, d)| d.name == "duplicate-rule-copy"));
        assert_eq!(
            found[0].1.message,
            "this rule (same `id` and name) is also in `c.yaml` (line 3)"
        );
    }
}
