//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! Every registered rule is listed with its metadata (GitHub shows the
//! descriptions and help), so `ruleIndex` values are stable across runs.
//! Columns are counted in Unicode code points, as `columnKind` says.

use super::span_positions;
use kqlint_core::{Applicability, FileReport, RuleMeta, Severity};
use serde_json::{Value, json};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A URI reference for a path: relative paths stay relative (resolved
/// against `%SRCROOT%`), absolute ones become `file://` URIs.
fn artifact_location(path: &str) -> Value {
    let normalized = path.replace('\\', "/");
    let normalized = normalized.strip_prefix("./").unwrap_or(&normalized);
    if normalized.starts_with('/') {
        json!({ "uri": format!("file://{}", percent_encode(normalized)) })
    } else {
        json!({ "uri": percent_encode(normalized), "uriBaseId": "%SRCROOT%" })
    }
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'('
            | b')'
            | b'+'
            | b','
            | b'='
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'*'
            | b';'
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule(meta: &RuleMeta) -> Value {
    let markdown = format!(
        "**{} ({})**: {}\n\n{}\n\n**Why it matters.** {}\n\n**How to fix.** {}",
        meta.code, meta.name, meta.summary, meta.what, meta.why, meta.fix
    );
    json!({
        "id": meta.code,
        "name": meta.name,
        "helpUri": kqlint_core::registry::docs_url(meta),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": format!("{} {}", meta.what, meta.why) },
        "help": { "text": format!("{}\n\nHow to fix: {}", meta.what, meta.fix), "markdown": markdown },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": { "category": meta.category.as_str(), "fixable": meta.fixable, "tags": [meta.category.as_str()] },
    })
}

pub fn render(reports: &[FileReport], rules: &[&RuleMeta], version: &str) -> String {
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, m)| (m.code, i)).collect();
    let mut results = Vec::new();
    for r in reports {
        let fingerprints = kqlint_core::fingerprint::partial_fingerprints(r);
        for (d, fingerprint) in r.diagnostics.iter().zip(fingerprints) {
            let (start, end) = span_positions(r, d);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&r.path),
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column.max(1),
                        }
                    }
                }],
                "partialFingerprints": { kqlint_core::fingerprint::SARIF_KEY: fingerprint },
            });
            if let Some(i) = index.get(d.code) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(fix) = d
                .fix
                .as_ref()
                .filter(|f| f.applicability == Applicability::Safe)
            {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let (s, t) = (r.position(e.span.start), r.position(e.span.end));
                        json!({
                            "deletedRegion": { "startLine": s.line, "startColumn": s.column, "endLine": t.line, "endColumn": t.column },
                            "insertedContent": { "text": e.replacement },
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.message },
                    "artifactChanges": [{ "artifactLocation": artifact_location(&r.path), "replacements": replacements }],
                }]);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kqlint",
                    "semanticVersion": version,
                    "version": version,
                    "rules": rules.iter().map(|m| rule(m)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("JSON of plain data");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ERR, WARN, reports};
    use super::*;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&reports(), &[&ERR, &WARN], "0.0.0-test"));
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            artifact_location("rules/My Rule.yaml")["uri"],
            "rules/My%20Rule.yaml"
        );
        assert_eq!(artifact_location("./a/b.kql")["uri"], "a/b.kql");
        assert_eq!(
            artifact_location("/abs/ä.kql")["uri"],
            "file:///abs/%C3%A4.kql"
        );
        assert_eq!(artifact_location("dir\\x.kql")["uri"], "dir/x.kql");
    }
}
