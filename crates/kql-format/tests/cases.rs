//! Snapshot tests over our own example queries in `tests/cases/`: for every
//! chunk (chunks are separated by `// ----` lines), the formatted text. Each
//! chunk must format without error, and formatting again changes nothing.
//! A file may start with `// options: line-width=40, indent-width=2,
//! pipe=trailing` to format its chunks with other options.

use kql_format::{FormatOptions, PipeStyle, format};
use std::path::Path;

/// The options a case file's first line names (the line is taken off).
fn options_of(text: &str) -> (FormatOptions, &str) {
    let mut options = FormatOptions::default();
    let Some(rest) = text.strip_prefix("// options:") else {
        return (options, text);
    };
    let (line, body) = rest.split_once('\n').expect("options line");
    for setting in line.split(',') {
        let (key, value) = setting.trim().split_once('=').expect("key=value");
        match key {
            "line-width" => options.line_width = value.parse().expect("width"),
            "indent-width" => options.indent_width = value.parse().expect("width"),
            "pipe" => options.pipe = PipeStyle::parse(value).expect("pipe style"),
            other => panic!("unknown option {other}"),
        }
    }
    (options, body)
}

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let files = kqlint_testkit::case_files(&root);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("case");
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let (options, text) = options_of(&text);
        let mut out = String::new();
        for (i, src) in text.split("// ----\n").enumerate() {
            let formatted = format(src, &options).unwrap_or_else(|e| panic!("{name} {i}: {e}"));
            let again = format(&formatted, &options).expect("formats again");
            assert_eq!(again, formatted, "{name} {i}: not idempotent");
            out.push_str(&format!("=== {i}: before\n{src}--- after\n{formatted}"));
            let long = |t: &str| t.lines().any(|l| l.chars().count() > options.line_width);
            if long(&formatted) {
                out.push_str(&format!("(a line is longer than {})\n", options.line_width));
            }
        }
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("case-{name}"), out);
        });
    }
}

#[test]
fn syntax_errors_leave_the_text_alone() {
    let e = format("T | where (a", &FormatOptions::default()).unwrap_err();
    assert!(e.to_string().contains("syntax error"), "{e}");
}

#[test]
fn a_blank_line_between_statements_of_a_query_file_is_kept() {
    let options = FormatOptions {
        script: true,
        ..FormatOptions::default()
    };
    let out = format("T | take 1\n\n\n\nU | take 2\n", &options).unwrap();
    assert_eq!(out, "T\n| take 1\n\nU\n| take 2\n");
}

#[test]
fn indent_width_is_honoured() {
    let options = FormatOptions {
        indent_width: 2,
        ..FormatOptions::default()
    };
    let out = format("T | join (U | take 1) on a", &options).unwrap();
    assert_eq!(out, "T\n| join (\n  U\n  | take 1\n) on a");
}
