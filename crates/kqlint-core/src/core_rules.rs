//! Diagnostics the engine itself emits.

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

pub static EMPTY_QUERY: RuleMeta = RuleMeta {
    code: "KQL090",
    name: "empty-query",
    category: Category::Syntax,
    severity: Severity::Warning,
    summary: "The file or the rule's query holds no statement.",
    what: "Reports a `.kql` file, or a rule's `query`, that is empty or holds only comments. In a rule file it is an error (a `query:` key without any value is `query-not-a-string`).",
    why: "An empty query is almost always a mistake: Kusto refuses it, so a rule without a query cannot deploy, and an empty query file checks nothing.",
    fix: "Write the query, or delete the file.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["// only a comment\n", ""],
    pass: &["SecurityEvent | take 10"],
};

pub static TOO_MANY_DIAGNOSTICS: RuleMeta = RuleMeta {
    code: "KQL950",
    name: "too-many-diagnostics",
    category: Category::Io,
    severity: Severity::Warning,
    summary: "A file has more findings than one report shows.",
    what: "Reports that a file's findings were cut off after the first 1000, and how severe the hidden ones are.",
    why: "A pathological or generated file must not flood CI logs or the editor; the count keeps the cut honest.",
    fix: "Fix the findings shown (often one mistake causes many), then run kqlint again.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

/// The `kqlint.toml` of a file that is checked in the editor: the engine
/// reports it and checks the file with the defaults.
pub static INVALID_CONFIG: RuleMeta = RuleMeta {
    code: "KQL960",
    name: "invalid-config",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The `kqlint.toml` that applies to a file cannot be read; the file was checked with the defaults.",
    what: "Reports, on a file being checked (in the editor), that the nearest `kqlint.toml` has a syntax error, an \
           unknown key, an unknown rule or a bad value. `kqlint check` stops with exit status 2 instead.",
    why: "A configuration that silently fails to load would run rules the team switched off and miss its \
          placeholder patterns and schema directories.",
    fix: "Correct the configuration at the file, line and key the message names.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static RULES: &[&RuleMeta] = &[&EMPTY_QUERY, &TOO_MANY_DIAGNOSTICS, &INVALID_CONFIG];
