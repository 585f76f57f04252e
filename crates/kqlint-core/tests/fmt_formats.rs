//! `kqlint fmt` on queries inside Markdown fences and ARM template strings,
//! over every query of the dev corpus (../shared/corpus): each query is put
//! in a fence (indented under a list item) and in an ARM template (with
//! the plain JSON escapes, and with PowerShell's `\u0027`-style escapes,
//! `\/` and `\r\n`). Formatting the file must give the query
//! `kql_format::format` gives, keep every byte outside it, keep the
//! escapes, and be idempotent.

use kqlint_core::formatting::{FormatOptions, Formatted, format_file_text};
use std::path::Path;

/// A query as JSON string content, escaped as serde_json does, or as
/// Windows PowerShell's ConvertTo-Json does (`'`, `<`, `>`, `&` as `\u`
/// escapes), with `/` as `\/`.
fn json_escape(q: &str, powershell: bool) -> String {
    let plain = serde_json::to_string(q).unwrap();
    let inner = &plain[1..plain.len() - 1];
    if !powershell {
        return inner.to_owned();
    }
    inner
        .replace('\'', "\\u0027")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('/', "\\/")
}

fn arm(inner: &str) -> String {
    format!(
        "{{\n  \"resources\": [\n    {{\n      \"type\": \"Microsoft.SecurityInsights/alertRules\",\n      \"kind\": \"Scheduled\",\n      \"properties\": {{\n        \"displayName\": \"R\",\n        \"query\": \"{inner}\",\n        \"severity\": \"Low\"\n      }}\n    }}\n  ]\n}}\n"
    )
}

/// The query of an ARM template as `kqlint check` reads it.
fn arm_query(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).expect("the edited file is JSON");
    v["resources"][0]["properties"]["query"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn corpus_queries_in_fences_and_arm_strings() {
    let options = FormatOptions::default();
    let rule = FormatOptions {
        script: false,
        ..options.clone()
    };
    let script = FormatOptions {
        script: true,
        ..options.clone()
    };
    let (mut arm_changed, mut md_changed, mut refused) = (0, 0, 0);
    for path in kqlint_testkit::corpus_files() {
        let Some(q) = kqlint_testkit::corpus_query(&path) else {
            continue;
        };
        let name = path.display();
        let q = q.trim().to_owned();
        // ARM: three escaping styles
        for (powershell, crlf) in [(false, false), (true, false), (true, true)] {
            let q = if crlf {
                q.replace('\n', "\r\n")
            } else {
                q.clone()
            };
            let Ok(want) = kql_format::format(&q, &rule) else {
                refused += 1;
                continue;
            };
            let text = arm(&json_escape(&q, powershell));
            let after = match format_file_text(Path::new("t.json"), &text, &options) {
                Formatted::Changed(after) => after,
                Formatted::Unchanged => text.clone(),
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(arm_query(&after), want, "{name}");
            if after != text {
                arm_changed += 1;
            }
            // every byte outside the string is kept
            let head = text.find("\"query\": \"").unwrap() + 10;
            assert_eq!(after[..head], text[..head], "{name}");
            let tail = text.len() - text.find("\",\n        \"severity\"").unwrap();
            assert_eq!(
                after[after.len() - tail..],
                text[text.len() - tail..],
                "{name}"
            );
            // the string's own escapes are kept: none of the plain
            // characters PowerShell escapes appears unescaped
            if powershell {
                let s = &after[head..after.len() - tail];
                assert!(!s.contains(['\'', '<', '>', '&']), "{name}: {s}");
                assert!(!s.replace("\\/", "").contains('/'), "{name}");
            }
            assert_eq!(
                format_file_text(Path::new("t.json"), &after, &options),
                Formatted::Unchanged,
                "{name}: not idempotent"
            );
        }
        // Markdown: a fence indented under a list item
        let Ok(want) = kql_format::format(&q, &script) else {
            continue;
        };
        let indent = |s: &str| kqlint_testkit::indent(s, "  ");
        let md = format!(
            "# R\n\n- the query:\n\n  ```kql\n{}\n  ```\n\nAfter.\n",
            indent(&q)
        );
        let after = match format_file_text(Path::new("r.md"), &md, &options) {
            Formatted::Changed(after) => after,
            Formatted::Unchanged => md.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(
            after,
            format!(
                "# R\n\n- the query:\n\n  ```kql\n{}\n  ```\n\nAfter.\n",
                indent(want.trim())
            ),
            "{name}"
        );
        if after != md {
            md_changed += 1;
        }
    }
    eprintln!(
        "ARM strings reformatted: {arm_changed}; Markdown fences reformatted: {md_changed}; left for syntax errors: {refused}"
    );
    assert!(arm_changed > 2000 && md_changed > 700);
}
