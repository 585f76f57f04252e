//! Snapshot tests over our own example queries in `tests/cases/`: every
//! `valid/*.kql` chunk must parse without errors (its tree is snapshotted);
//! every `broken/*.kql` chunk must give at least one error (its diagnostics
//! and partial tree are snapshotted). Chunks are separated by `// ----` lines.

use std::fmt::Write;
use std::path::Path;

fn chunks(text: &str) -> Vec<&str> {
    text.split("// ----\n").collect()
}

fn run(dir: &str, valid: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(dir);
    let files = kqlint_testkit::case_files(&root);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("case");
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let mut out = String::new();
        for (i, src) in chunks(&text).into_iter().enumerate() {
            let p = kql_syntax::parse(src);
            let _ = writeln!(out, "=== {i}: {}", src.trim_end().replace('\n', "\n    "));
            if valid {
                assert!(
                    p.errors.is_empty(),
                    "{name} #{i} should parse:\n{src}\n{}",
                    kql_syntax::dump_errors(src, &p.errors)
                );
            } else {
                assert!(
                    !p.errors.is_empty(),
                    "{name} #{i} should have errors:\n{src}"
                );
                out.push_str(&kql_syntax::dump_errors(src, &p.errors));
                out.push_str("--- partial tree\n");
            }
            out.push_str(&kql_syntax::dump_tree(&p.query));
        }
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{dir}-{name}"), out);
        });
    }
}

#[test]
fn valid_cases() {
    run("valid", true);
}

#[test]
fn broken_cases() {
    run("broken", false);
}

#[test]
fn seed_queries_parse_clean() {
    for n in [0, 1, 3] {
        let q = kqlint_testkit::seed_kql(n);
        let p = kql_syntax::parse(&q);
        assert!(
            p.errors.is_empty(),
            "seed {n}:\n{}",
            kql_syntax::dump_errors(&q, &p.errors)
        );
    }
}
