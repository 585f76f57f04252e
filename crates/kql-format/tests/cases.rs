//! Snapshot tests over our own example queries in `tests/cases/`: for every
//! chunk (chunks are separated by `// ----` lines), the formatted text. Each
//! chunk must format without error, and formatting again changes nothing.

use kql_format::{FormatOptions, format};
use std::path::Path;

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("cases dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let options = FormatOptions::default();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("case");
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let mut out = String::new();
        for (i, src) in text.split("// ----\n").enumerate() {
            let formatted = format(src, &options).unwrap_or_else(|e| panic!("{name} {i}: {e}"));
            let again = format(&formatted, &options).expect("formats again");
            assert_eq!(again, formatted, "{name} {i}: not idempotent");
            out.push_str(&format!("=== {i}: before\n{src}--- after\n{formatted}"));
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
