//! The JSON Schema of `kqlint.toml`, generated from the configuration's own
//! vocabulary (rule codes and names, categories, platforms, placeholder
//! patterns) so editors complete and check it (Even Better TOML / Taplo read
//! JSON Schemas). `schemas/kqlint.toml.schema.json` is this schema, committed;
//! a test fails when it is stale.

use crate::registry;
use kqlint_diagnostics::Category;
use serde_json::{Value, json};

/// Where the committed schema is published.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/kqlint/kqlint/main/schemas/kqlint.toml.schema.json";

/// A rule selector: `all`, a category, a code or a name (codes in any case).
fn selector() -> Value {
    let mut known: Vec<String> = vec!["all".to_owned()];
    known.extend(Category::ALL.iter().map(|c| c.as_str().to_owned()));
    for m in registry::all() {
        known.push(m.code.to_owned());
        known.push(m.name.to_owned());
    }
    json!({
        "description": "`all`, a category, a rule code (`KQL301`) or a rule name (`join-without-kind`); `kqlint rules` lists them.",
        "anyOf": [
            { "type": "string", "enum": known },
            { "type": "string", "pattern": "^[Kk][Qq][Ll][0-9]{3}$" }
        ]
    })
}

fn selectors(description: &str) -> Value {
    json!({
        "description": description,
        "type": "array",
        "items": { "$ref": "#/$defs/selector" },
        "uniqueItems": true
    })
}

fn platform() -> Value {
    json!({
        "description": "The platform the queries are written for: whose tables, columns and types they are checked against.",
        "type": "string",
        "anyOf": [
            { "enum": ["sentinel", "defender", "adx"] },
            { "enum": ["log-analytics", "loganalytics", "azure-monitor", "defender-xdr", "defenderxdr", "m365d", "mde", "xdr", "kusto", "azure-data-explorer"] }
        ]
    })
}

/// The schema, as a JSON value.
pub fn json_schema() -> Value {
    let patterns: Vec<&str> = kql_lint::placeholder::BUILTIN_PATTERNS
        .iter()
        .map(|p| p.name)
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "kqlint.toml",
        "description": "The configuration of kqlint, the KQL linter and Microsoft Sentinel / Defender XDR rule validator (docs/configuration.md).",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "platform": { "$ref": "#/$defs/platform" },
            "per-path-platform": {
                "description": "Globs relative to this file's directory, each with the platform of the files it matches; the longest matching glob wins over `platform`.",
                "type": "object",
                "additionalProperties": { "$ref": "#/$defs/platform" }
            },
            "rules": {
                "description": "Which rules run, and how severe their findings are.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "select": selectors("Which rules run. Default: every rule that is not opt-in."),
                    "extend-select": selectors("Rules added to the selection; opt-in rules are turned on here, by code or name."),
                    "ignore": selectors("Rules that do not run."),
                    "severity": {
                        "description": "The severity of a rule's (code or name) or a category's findings; the most specific entry wins.",
                        "type": "object",
                        "propertyNames": { "$ref": "#/$defs/selector" },
                        "additionalProperties": { "type": "string", "enum": ["error", "warning", "info"] }
                    }
                }
            },
            "formats": {
                "description": "The kinds of files besides .kql, .csl and rule YAML that kqlint reads when it finds them (all by default), and how it finds KQL in Markdown.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "markdown": { "description": "Fenced KQL in .md and .markdown files.", "type": "boolean", "default": true },
                    "markdown-untagged": { "description": "Untagged or mislabelled Markdown fences that look like KQL.", "type": "boolean", "default": true },
                    "json": { "description": "ARM templates, solution packages and Defender XDR detection rules in .json files.", "type": "boolean", "default": true },
                    "bicep": { "description": "Analytic rule resources in .bicep files.", "type": "boolean", "default": true }
                }
            },
            "format": {
                "description": "The layout `kqlint fmt` and the editor's formatting give queries (docs/formatting.md); --line-width and --indent-width override it.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "line-width": {
                        "description": "Lines longer than this many characters are wrapped where they can be (lists, `summarize ... by`).",
                        "type": "integer",
                        "minimum": *crate::config::LINE_WIDTHS.start(),
                        "maximum": *crate::config::LINE_WIDTHS.end(),
                        "default": kql_format::FormatOptions::default().line_width
                    },
                    "indent-width": {
                        "description": "Spaces per indentation level.",
                        "type": "integer",
                        "minimum": *crate::config::INDENT_WIDTHS.start(),
                        "maximum": *crate::config::INDENT_WIDTHS.end(),
                        "default": kql_format::FormatOptions::default().indent_width
                    },
                    "pipe": {
                        "description": "Where the `|` between two tabular operators goes: at the start of the operator's line (leading) or at the end of the line before (trailing).",
                        "type": "string",
                        "enum": [kql_format::PipeStyle::Leading.as_str(), kql_format::PipeStyle::Trailing.as_str()],
                        "default": kql_format::PipeStyle::default().as_str()
                    }
                }
            },
            "per-path-ignores": {
                "description": "Globs relative to this file's directory (`**` crosses directories), each with the rules that do not run on the files it matches.",
                "type": "object",
                "additionalProperties": { "type": "array", "items": { "$ref": "#/$defs/selector" } }
            },
            "schema": {
                "description": "Schemas checked besides the bundled ones (your custom `_CL` tables and workspace functions).",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "dirs": {
                        "description": "Folders of schema files, relative to this file: Azure-Sentinel CustomTables / CustomFunctions JSON, `T | getschema` as CSV or JSON, or `az monitor log-analytics workspace table list` JSON.",
                        "type": "array",
                        "items": { "type": "string" }
                    }
                }
            },
            "placeholders": {
                "description": "What counts as an unfilled placeholder.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "disable": {
                        "description": "Built-in placeholder patterns switched off, by name.",
                        "type": "array",
                        "items": { "type": "string", "enum": patterns }
                    },
                    "extra": {
                        "description": "Patterns of your own: a regular expression matched in every string literal of a query (case-sensitive unless it starts with `(?i)`), or a table with the help text and whether rule metadata is checked too.",
                        "type": "array",
                        "items": {
                            "anyOf": [
                                { "type": "string" },
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["pattern"],
                                    "properties": {
                                        "pattern": { "type": "string", "description": "A regular expression." },
                                        "help": { "type": "string", "description": "What value the placeholder stands for (shown in the finding's help)." },
                                        "metadata": { "type": "boolean", "description": "Also check rule metadata (descriptions, names, ...)." }
                                    }
                                }
                            ]
                        }
                    }
                }
            }
        },
        "$defs": {
            "selector": selector(),
            "platform": platform()
        }
    })
}

/// The schema as the committed file holds it (pretty JSON, a final newline).
pub fn json_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).expect("JSON of plain data");
    s.push('\n');
    s
}
