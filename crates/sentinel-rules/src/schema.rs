//! The JSON Schemas of `schemas/rules/`, embedded, compiled once, and their
//! errors turned into diagnostics at the offending key or value in the file.

use crate::check::Ctx;
use crate::kind::RuleKind;
use crate::rules::*;
use crate::text::{describe, field, one_of, place, quote, segments};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, JsonType, Retrieve, Uri, ValidationError, Validator};
use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity, Span};
use kqlint_source::YamlNode;
use serde_json::Value;
use std::sync::OnceLock;

/// Every schema file, by name, as committed in `schemas/rules/`.
pub const SCHEMA_FILES: &[(&str, &str)] = &[
    (
        "common.schema.json",
        include_str!("../../../schemas/rules/common.schema.json"),
    ),
    (
        "scheduled-rule.schema.json",
        include_str!("../../../schemas/rules/scheduled-rule.schema.json"),
    ),
    (
        "nrt-rule.schema.json",
        include_str!("../../../schemas/rules/nrt-rule.schema.json"),
    ),
    (
        "analytic-rule.schema.json",
        include_str!("../../../schemas/rules/analytic-rule.schema.json"),
    ),
    (
        "hunting-query.schema.json",
        include_str!("../../../schemas/rules/hunting-query.schema.json"),
    ),
    (
        "exploration-query.schema.json",
        include_str!("../../../schemas/rules/exploration-query.schema.json"),
    ),
    (
        "parser.schema.json",
        include_str!("../../../schemas/rules/parser.schema.json"),
    ),
    (
        "defender-detection-rule.schema.json",
        include_str!("../../../schemas/rules/defender-detection-rule.schema.json"),
    ),
];

/// The base the schemas' relative `$ref`s resolve against; never fetched.
const BASE: &str = "https://kqlint.invalid/schemas/rules/";

/// The schema file for a kind of rule file.
pub fn schema_file(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Scheduled => "scheduled-rule.schema.json",
        RuleKind::Nrt => "nrt-rule.schema.json",
        RuleKind::Hunting => "hunting-query.schema.json",
        RuleKind::Exploration => "exploration-query.schema.json",
        RuleKind::Parser => "parser.schema.json",
        RuleKind::Detection => "defender-detection-rule.schema.json",
    }
}

fn schema_text(name: &str) -> Option<&'static str> {
    SCHEMA_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

/// Serves the embedded schema files to `$ref`; nothing is read from disk or
/// the network.
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        let name = s
            .strip_prefix(BASE)
            .ok_or_else(|| format!("kqlint's rule schemas refer only to each other, not to {s}"))?;
        let text = schema_text(name).ok_or_else(|| format!("no embedded schema {name}"))?;
        Ok(serde_json::from_str(text)?)
    }
}

/// Compiles one schema file; the embedded files are checked by tests, so a
/// failure here is a bug in kqlint.
pub fn compile(name: &str) -> Result<Validator, String> {
    let text = schema_text(name).ok_or_else(|| format!("no embedded schema {name}"))?;
    let schema: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_base_uri(format!("{BASE}{name}"))
        .with_retriever(Embedded)
        .build(&schema)
        .map_err(|e| format!("{name}: {e}"))
}

/// The compiled validator of a kind, built on first use.
pub fn validator(kind: RuleKind) -> Option<&'static Validator> {
    static CACHE: [OnceLock<Option<Validator>>; 6] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match kind {
        RuleKind::Scheduled => 0,
        RuleKind::Nrt => 1,
        RuleKind::Hunting => 2,
        RuleKind::Exploration => 3,
        RuleKind::Parser => 4,
        RuleKind::Detection => 5,
    };
    CACHE[slot]
        .get_or_init(|| compile(schema_file(kind)).ok())
        .as_ref()
}

/// Paths whose values the code checks itself, with better messages: schema
/// errors at or below them are dropped.
fn owned_by_code(pointer: &str) -> bool {
    let segs = segments(pointer);
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    matches!(
        s.as_slice(),
        ["queryFrequency" | "queryPeriod" | "triggerThreshold", ..]
            | ["tactics" | "Tactics" | "relevantTechniques", ..]
            | ["requiredDataConnectors", _, "connectorId", ..]
            | ["entityMappings", _, "fieldMappings", _, "identifier", ..]
    )
}

/// Query keys are kqlint-source's (missing-query, query-not-a-string).
fn is_query_key(name: &str) -> bool {
    kqlint_source::QUERY_KEYS.contains(&name)
}

/// Fields whose enum Sentinel parses case-insensitively (Newtonsoft enums).
fn case_insensitive_enum(pointer: &str) -> bool {
    let segs = segments(pointer);
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    matches!(
        s.as_slice(),
        ["severity" | "kind"]
            | ["detectionAction", "alertTemplate", "severity"]
            | ["eventGroupingSettings", "aggregationKind"]
            | ["entityMappings", _, "entityType"]
    )
}

/// Validates `json` (the YAML's JSON view) with the kind's schema and
/// reports each error at its place in the file.
pub fn validate(ctx: &mut Ctx<'_>, json: &Value, tree: &YamlNode) {
    let Some(validator) = validator(ctx.kind) else {
        return;
    };
    let mut seen: Vec<(&'static str, String)> = Vec::new();
    for error in validator.iter_errors(json) {
        report(ctx, tree, &error, &mut seen);
    }
}

fn report(
    ctx: &mut Ctx<'_>,
    tree: &YamlNode,
    error: &ValidationError<'_>,
    seen: &mut Vec<(&'static str, String)>,
) {
    let pointer = error.instance_path().as_str().to_owned();
    if owned_by_code(&pointer) {
        return;
    }
    match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // The branch with the fewest errors that matched the value's
            // type is what the author meant; else the value's type is wrong.
            let typed: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|e| {
                        matches!(e.kind(), ValidationErrorKind::Type { .. })
                            && e.instance_path().as_str() == pointer
                    })
                })
                .collect();
            if let Some(best) = typed.into_iter().min_by_key(|b| b.len()) {
                for e in best {
                    report(ctx, tree, e, seen);
                }
            } else {
                let mut expected: Vec<String> = Vec::new();
                for branch in context {
                    for e in branch {
                        if let ValidationErrorKind::Type { kind } = e.kind()
                            && e.instance_path().as_str() == pointer
                        {
                            let t = type_words(kind);
                            if !expected.contains(&t) {
                                expected.push(t);
                            }
                        }
                    }
                }
                if expected.len() > 1 {
                    expected.retain(|t| t != "empty");
                }
                let target = tree.pointer_nearest(&pointer);
                let msg = format!(
                    "`{}` must be {}; found {}",
                    field(&pointer),
                    one_of(&expected),
                    describe(target.node)
                );
                emit(
                    ctx,
                    seen,
                    type_code(&pointer),
                    target.value_span,
                    &pointer,
                    msg,
                );
            }
        }
        kind => {
            if let Some((meta, span, msg)) = translate(ctx, tree, &pointer, kind, error.instance())
            {
                emit(ctx, seen, meta, span, &pointer, msg);
            }
        }
    }
}

fn emit(
    ctx: &mut Ctx<'_>,
    seen: &mut Vec<(&'static str, String)>,
    meta: &'static RuleMeta,
    span: Span,
    pointer: &str,
    msg: String,
) {
    // One finding per place and code (an identifier wrong for every entity
    // type fails two enums).
    let key = (meta.code, format!("{pointer}\u{0}{}", span.start));
    if seen.contains(&key) {
        return;
    }
    seen.push(key);
    ctx.push(meta, span, msg);
}

/// The code of a finding at `pointer`: entity mappings, custom details and
/// alert overrides have codes of their own; else `fallback`.
fn code_for(pointer: &str, fallback: &'static RuleMeta) -> &'static RuleMeta {
    let segs = segments(pointer);
    match segs.first().map(String::as_str) {
        Some("entityMappings") => &INVALID_ENTITY_MAPPING,
        Some("customDetails") => &INVALID_CUSTOM_DETAILS,
        Some("alertDetailsOverride") => &INVALID_ALERT_DETAILS_OVERRIDE,
        Some("id" | "Id") if segs.len() == 1 => &INVALID_RULE_ID,
        Some("version") if segs.len() == 1 => &INVALID_VERSION,
        Some("QueryPeriodBefore" | "QueryPeriodAfter") => &INVALID_DURATION,
        _ => fallback,
    }
}

/// Shape errors are `wrong-value-type` wherever they are, but for `id` and
/// `version`, whose messages say what a valid value looks like.
fn type_code(pointer: &str) -> &'static RuleMeta {
    match code_for(pointer, &WRONG_VALUE_TYPE) {
        m if m.code == INVALID_RULE_ID.code || m.code == INVALID_VERSION.code => m,
        _ => &WRONG_VALUE_TYPE,
    }
}

fn type_words(kind: &TypeKind) -> String {
    let words = |t: &JsonType| match t {
        JsonType::Array => "a list",
        JsonType::Object => "a mapping (`key: value` lines)",
        JsonType::Null => "empty",
        JsonType::Integer => "a whole number",
        JsonType::Boolean | JsonType::Number | JsonType::String => "text",
    };
    match kind {
        TypeKind::Single(t) => words(t).to_owned(),
        TypeKind::Multiple(set) => {
            let mut v: Vec<&str> = Vec::new();
            for t in set.iter() {
                let w = words(&t);
                if !v.contains(&w) {
                    v.push(w);
                }
            }
            one_of(&v)
        }
    }
}

/// A zero-width place at the start of the mapping at `pointer`, or its key.
fn anchor(tree: &YamlNode, pointer: &str) -> Span {
    let t = tree.pointer_nearest(pointer);
    if pointer.is_empty() {
        return Span::empty(t.value_span.start);
    }
    t.key_span.unwrap_or_else(|| {
        t.node
            .as_mapping()
            .and_then(|m| m.first())
            .map_or(t.value_span, |(k, _)| k.span)
    })
}

fn translate(
    ctx: &Ctx<'_>,
    tree: &YamlNode,
    pointer: &str,
    kind: &ValidationErrorKind,
    instance: &Value,
) -> Option<(&'static RuleMeta, Span, String)> {
    let target = tree.pointer_nearest(pointer);
    let here = target.value_span;
    let name = field(pointer);
    let found = describe(target.node);
    let what = ctx.kind.as_str();
    Some(match kind {
        ValidationErrorKind::Required { property } => {
            let prop = property.as_str().unwrap_or_default();
            if pointer.is_empty() && is_query_key(prop) {
                return None;
            }
            let msg = if pointer.is_empty() {
                format!("this {what} has no `{prop}`; Sentinel requires it")
            } else {
                format!("`{}` has no `{prop}`; Sentinel requires it", place(pointer))
            };
            (&MISSING_REQUIRED_FIELD, anchor(tree, pointer), msg)
        }
        ValidationErrorKind::Type { kind: expected } => {
            let segs = segments(pointer);
            if segs.len() == 1 && is_query_key(&segs[0]) {
                return None;
            }
            if instance.is_null() {
                let required = segs.len() == 1 && ctx.required.contains(&segs[0].as_str());
                if !required {
                    // An empty optional field is no field to Sentinel.
                    return None;
                }
                return Some((
                    code_for(pointer, &MISSING_REQUIRED_FIELD),
                    target.key_span.unwrap_or(here),
                    format!("`{name}` is empty; a {what} requires a value"),
                ));
            }
            let msg = match type_code(pointer).code {
                c if c == INVALID_RULE_ID.code => id_message(&name, &found),
                c if c == INVALID_VERSION.code => version_message(&found),
                _ => format!("`{name}` must be {}; found {found}", type_words(expected)),
            };
            (type_code(pointer), here, msg)
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let raw = target.node.as_str().unwrap_or_default();
            if case_insensitive_enum(pointer)
                && let Some(canon) = options.iter().find(|o| o.eq_ignore_ascii_case(raw))
            {
                return Some((
                    &NON_CANONICAL_SPELLING,
                    here,
                    format!(
                        "`{name}: {raw}` is accepted because Sentinel ignores case here; its spelling is `{canon}`"
                    ),
                ));
            }
            let mut msg = if options.len() <= 20 {
                format!("`{name}` must be {}; found {found}", one_of(&options))
            } else {
                format!("`{name}` {found} is not a value Sentinel accepts")
            };
            if let Some(s) = kql_schema::best_match(raw, options.iter().copied())
                && !raw.is_empty()
            {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
            (code_for(pointer, &INVALID_VALUE), here, msg)
        }
        ValidationErrorKind::Constant { expected_value } => (
            code_for(pointer, &INVALID_VALUE),
            here,
            format!("`{name}` must be {expected_value}; found {found}"),
        ),
        ValidationErrorKind::Pattern { .. } => {
            let meta = code_for(pointer, &INVALID_VALUE);
            let msg = if meta.code == INVALID_RULE_ID.code {
                id_message(&name, &found)
            } else if meta.code == INVALID_VERSION.code {
                version_message(&found)
            } else if meta.code == INVALID_DURATION.code {
                format!(
                    "`{name}` must be a number followed by m, h or d (e.g. 30m, 1d); found {found}"
                )
            } else if name == "columnName"
                || name == "value"
                || segments(pointer)
                    .first()
                    .is_some_and(|s| s == "customDetails")
                || name.ends_with("ColumnName")
            {
                format!(
                    "{found} is not a column name: it must start with a letter or `_` and hold only letters, digits and `_`"
                )
            } else {
                format!("`{name}` has an invalid value {found}")
            };
            (meta, here, msg)
        }
        ValidationErrorKind::MaxLength { limit } => {
            let len = instance.as_str().map_or(0, |s| s.chars().count());
            (
                code_for(pointer, &VALUE_OUT_OF_RANGE),
                target.key_span.unwrap_or(here),
                format!("`{name}` is {len} characters long; Sentinel allows at most {limit}"),
            )
        }
        ValidationErrorKind::MinLength { .. } => (
            code_for(pointer, &VALUE_OUT_OF_RANGE),
            target.key_span.unwrap_or(here),
            format!("`{name}` is empty"),
        ),
        ValidationErrorKind::MaxItems { limit } => {
            let n = instance.as_array().map_or(0, Vec::len);
            (
                code_for(pointer, &VALUE_OUT_OF_RANGE),
                target.key_span.unwrap_or(here),
                format!(
                    "`{}` has {n} entries; Sentinel allows at most {limit}",
                    place(pointer)
                ),
            )
        }
        ValidationErrorKind::MinItems { limit } => (
            code_for(pointer, &VALUE_OUT_OF_RANGE),
            target.key_span.unwrap_or(here),
            format!(
                "`{}` is empty; Sentinel needs at least {limit} {}",
                place(pointer),
                if *limit == 1 { "entry" } else { "entries" }
            ),
        ),
        ValidationErrorKind::MaxProperties { limit } => {
            let n = instance.as_object().map_or(0, serde_json::Map::len);
            (
                code_for(pointer, &VALUE_OUT_OF_RANGE),
                target.key_span.unwrap_or(here),
                format!(
                    "`{}` has {n} entries; Sentinel allows at most {limit}",
                    place(pointer)
                ),
            )
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = error.instance().as_str().unwrap_or_default().to_owned();
            let mut child = pointer.to_owned();
            child.push('/');
            child.push_str(&key.replace('~', "~0").replace('/', "~1"));
            let span = tree
                .pointer(&child)
                .and_then(|t| t.key_span)
                .unwrap_or(here);
            let msg = match error.kind() {
                ValidationErrorKind::MaxLength { limit } => format!(
                    "the key {} is {} characters long; Sentinel allows at most {limit}",
                    quote(&key),
                    key.chars().count()
                ),
                _ => format!(
                    "the key {} must start with a letter and hold only letters, digits and `_`",
                    quote(&key)
                ),
            };
            (code_for(pointer, &INVALID_VALUE), span, msg)
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::Maximum { limit } => (
            code_for(pointer, &VALUE_OUT_OF_RANGE),
            here,
            format!("`{name}` {found} is out of range (limit {limit})"),
        ),
        ValidationErrorKind::Referencing(_) => return None,
        _ => (
            code_for(pointer, &INVALID_VALUE),
            here,
            format!("`{name}` has a value Sentinel does not accept: {found}"),
        ),
    })
}

fn id_message(name: &str, found: &str) -> String {
    format!("`{name}` must be a GUID such as 2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10; found {found}")
}

fn version_message(found: &str) -> String {
    format!("`version` must be three numbers such as 1.0.0; found {found}")
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static INVALID_VERSION: RuleMeta = RuleMeta {
    code: "KQL407",
    name: "invalid-version",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "`version` is not three numbers such as 1.0.0",
    what: "Reports a `version` that is not of the form X.Y.Z (digits only, at most 20 characters). \
           Note that YAML reads `version: 1.0` as the text `1.0`, which has only two parts. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI refuses the rule; Sentinel compares template versions to offer \
          updates, which needs the X.Y.Z form.",
    fix: "Write the version with three parts, e.g. `version: 1.0.0`, and raise it whenever the rule \
          changes.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        "version: 1.0\nkind: Scheduled\n"
    )],
    pass: &[rule!()],
};

pub static INVALID_CUSTOM_DETAILS: RuleMeta = RuleMeta {
    code: "KQL411",
    name: "invalid-custom-details",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "`customDetails` breaks Sentinel's limits (20 entries, key and column name forms)",
    what: "Checks `customDetails`: at most 20 entries; each key at most 20 characters, starting with \
           a letter and holding only letters, digits and `_`; each value a column name (a letter or \
           `_`, then letters, digits, `_`; at most 500 characters). An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse the rule.",
    fix: "Rename the key (e.g. `Source IP` → `SourceIP`) or the column, or drop entries beyond 20.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        rule!(),
        "customDetails:\n  Sign-in country: Location\n"
    )],
    pass: &[concat!(
        rule!(),
        "customDetails:\n  SignInCountry: Location\n"
    )],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_compiles_with_its_references() {
        for (name, _) in SCHEMA_FILES {
            if let Err(e) = compile(name) {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn code_owned_paths() {
        assert!(owned_by_code("/tactics"));
        assert!(owned_by_code("/tactics/0"));
        assert!(owned_by_code(
            "/entityMappings/1/fieldMappings/0/identifier"
        ));
        assert!(!owned_by_code(
            "/entityMappings/1/fieldMappings/0/columnName"
        ));
        assert!(owned_by_code("/requiredDataConnectors/0/connectorId"));
        assert!(!owned_by_code("/requiredDataConnectors/0"));
        assert!(!owned_by_code(""));
    }
}
