//! KQL202 `placeholder-in-metadata`: a rule's metadata (description, name,
//! ...) still holds template text such as `TODO`.

use crate::context::LintOptions;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity, Span};
use kqlint_source::{YamlKind, YamlNode};

pub static META: RuleMeta = RuleMeta {
    code: "KQL202",
    name: "placeholder-in-metadata",
    category: Category::Placeholder,
    severity: Severity::Error,
    summary: "A field of a rule's metadata (description, name, ...) is still template text, such as `description: TODO`.",
    what: "Reports a string value of a rule YAML file, other than the query, that is plainly unfinished: the whole \
           value is template text (`TODO`, `TBD`, `FIXME`, `CHANGEME`, `... GOES HERE`, or a name or instruction \
           in angle brackets such as `<description>` or `<your watchlist name>`), or a single short note that \
           starts with `TODO` / `TBD` / `FIXME` (at most four more words: `TODO write the description`). Quotes \
           around the value and trailing punctuation do not count. Template words inside prose are not \
           reported: hunting queries tell their reader what to adapt (`TODO - set the file hash to one of your \
           choice`, `replace the domain with yours`), and that guidance is the description doing its job; the \
           values to replace are in the query, where KQL201 finds them. Patterns you add with `metadata = true` \
           in `[placeholders]` apply anywhere in a value.",
    why: "The description, name and other metadata are what analysts read in the portal when an alert fires; a \
          rule published with `description: TODO` or `name: <rule name>` is unfinished, and its query usually is too.",
    fix: "Write the final text, or finish the work the note describes and remove it.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "id: 1f80f1cf-97e1-4fb8-ad5a-e573fac7b9e3\nname: File footprint\ndescription: TODO\nquery: |\n  DeviceFileEvents\n  | where SHA1 == \"4b1d5a9e2f0c3d7e8a6b5c4d3e2f1a0b9c8d7e6f\"\n",
        "id: 1f80f1cf-97e1-4fb8-ad5a-e573fac7b9e3\nname: <rule name>\ndescription: Finds the devices on which a file with a given SHA1 hash was seen.\nquery: |\n  DeviceFileEvents\n  | where SHA1 == \"4b1d5a9e2f0c3d7e8a6b5c4d3e2f1a0b9c8d7e6f\"\n",
    ],
    pass: &[
        "id: 1f80f1cf-97e1-4fb8-ad5a-e573fac7b9e3\nname: File footprint\ndescription: |\n  Finds the devices on which a file with a given SHA1 hash was seen.\nquery: |\n  DeviceFileEvents\n  | where SHA1 == \"4b1d5a9e2f0c3d7e8a6b5c4d3e2f1a0b9c8d7e6f\"\n",
        "id: 1f80f1cf-97e1-4fb8-ad5a-e573fac7b9e3\nname: File footprint\ndescription: |\n  Query #1 - Find the machines on which this file was seen.\n  TODO - set file hash to be a SHA1 hash of your choice...\nquery: |\n  DeviceFileEvents\n  | where SHA1 == \"4b1d5a9e2f0c3d7e8a6b5c4d3e2f1a0b9c8d7e6f\"\n",
    ],
};

pub(crate) fn check(
    file_text: &str,
    root: &YamlNode,
    query_value: Option<Span>,
    options: &LintOptions,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // (node, path) pairs, iteratively: the loader bounds depth, but a
    // stack keeps this independent of it.
    let mut stack: Vec<(&YamlNode, String)> = vec![(root, String::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.kind {
            YamlKind::Mapping(entries) => {
                for (k, v) in entries.iter().rev() {
                    let key = k.as_str().unwrap_or("?");
                    let p = if path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{path}.{key}")
                    };
                    stack.push((v, p));
                }
            }
            YamlKind::Sequence(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((v, format!("{path}[{i}]")));
                }
            }
            YamlKind::Scalar { value, .. } => {
                if query_value.is_some_and(|q| {
                    node.span.start < q.end.max(q.start + 1)
                        && q.start < node.span.end.max(node.span.start + 1)
                }) {
                    continue;
                }
                if path.is_empty() {
                    continue;
                }
                let Some(f) = options.placeholders.find_in_field(value) else {
                    continue;
                };
                let span = narrow(file_text, node.span, &f.text);
                let text: String = f.text.chars().take(60).collect();
                out.push(
                    Diagnostic::new(
                        &META,
                        span,
                        format!("the rule's `{path}` still holds template text \"{text}\""),
                    )
                    .with_help(format!(
                        "write the final text in place of \"{text}\" before the rule is published"
                    )),
                );
            }
            YamlKind::Null => {}
        }
    }
    out.sort_by_key(|d| d.span.start);
    out
}

/// The span of `needle` inside the node's text, or the node's span when
/// the value is written differently in the file (escapes, folding).
fn narrow(file_text: &str, span: Span, needle: &str) -> Span {
    let hay = span.text(file_text);
    match hay.find(needle) {
        Some(i) if !needle.is_empty() => {
            let s = span.start + i as u32;
            Span::new(s, s + needle.len() as u32)
        }
        _ => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_source::{Limits, Source, SourceKind};

    fn run(yaml: &str) -> Vec<Diagnostic> {
        let src = Source::from_text("r.yaml", yaml, SourceKind::Yaml, &Limits::default());
        let root = src.yaml.as_ref().expect("yaml");
        check(
            yaml,
            root,
            src.query().map(|q| q.value_span),
            &LintOptions::default(),
        )
    }

    #[test]
    fn guidance_in_a_description_is_not_a_placeholder() {
        // Seed 001: the description tells the reader what to adapt.
        let yaml = "id: 1\ndescription: |\n  Query #1 - Find the machines on which this file was seen.\n  TODO - set file hash to be a SHA1 hash of your choice...\nquery: |\n  T | where a == \"TODO\"\n";
        assert!(run(yaml).is_empty(), "{:?}", run(yaml));
        for v in [
            "'TODO - set the hash to the SHA1 of your choice'",
            "Replace the domain below with yours (YOUR_DOMAIN GOES HERE in the query).",
            "'Looks for <processname> launches. TODO: tune the threshold for your environment and the noise it produces.'",
            "Put your watchlist name in the first line of the query",
        ] {
            let yaml = format!("id: 1\ndescription: {v}\nquery: T\n");
            assert!(run(&yaml).is_empty(), "{v}: {:?}", run(&yaml));
        }
    }

    #[test]
    fn an_unfinished_field_is_reported() {
        for (v, shown) in [
            ("TODO", "TODO"),
            ("'TODO'", "TODO"),
            ("TBD.", "TBD"),
            ("TODO write it", "TODO"),
            ("'TODO: add a description'", "TODO"),
            ("<description>", "<description>"),
            ("'<Your rule description>'", "<Your rule description>"),
            ("DESCRIPTION GOES HERE", "DESCRIPTION GOES HERE"),
            ("CHANGEME", "CHANGEME"),
        ] {
            let yaml = format!("id: 1\ndescription: {v}\nquery: |\n  T | where a == \"TODO\"\n");
            let d = run(&yaml);
            assert_eq!(d.len(), 1, "{v}: {d:?}");
            assert_eq!(d[0].span.text(&yaml), shown, "{v}");
            assert!(d[0].message.contains("`description`"));
            // The query's own TODO belongs to KQL201, not here.
            assert!(d[0].span.start < yaml.find("query").unwrap() as u32);
        }
        let d = run("id: 1\nname: <rule name>\nquery: T\n");
        assert!(d[0].message.contains("`name`"), "{d:?}");
    }

    #[test]
    fn user_patterns_apply_anywhere_in_metadata() {
        let mut options = LintOptions::default();
        options
            .placeholders
            .add(r"\bACME_[A-Z]+\b", None, true)
            .unwrap();
        let yaml =
            "id: 1\ndescription: Looks for sign-ins to ACME_TENANT from new countries.\nquery: T\n";
        let src = Source::from_text("r.yaml", yaml, SourceKind::Yaml, &Limits::default());
        let d = check(yaml, src.yaml.as_ref().unwrap(), None, &options);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].span.text(yaml), "ACME_TENANT");
    }

    #[test]
    fn nested_values_get_a_path() {
        let d = run(
            "id: 1\nentityMappings:\n  - entityType: Host\n    fieldMappings:\n      - identifier: HostName\n        columnName: <your column here>\nquery: T\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message
                .contains("`entityMappings[0].fieldMappings[0].columnName`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn ordinary_descriptions_pass() {
        assert!(run("id: 1\ndescription: 'Looks for <script> tags. See https://example.com. Enter the portal.'\nquery: T\n").is_empty());
    }
}
