//! The oracle's broken variants of its test queries
//! (`../shared/oracle/testdata/broken`), read at test time: what kqlint
//! reports for each, next to what Kusto.Language reports
//! (`expected-notes.md`).

mod common;

use std::path::Path;

#[test]
fn oracle_broken_variants() {
    let dir = kqlint_testkit::shared_dir().join("oracle/testdata");
    let schema = dir.join("schema");
    // the oracle's own schema for these queries, as a user schema directory
    let mut b = kql_schema::CatalogBuilder::new();
    b.bundled_tables(false).load_dir(&schema);
    let (catalog, warnings) = b.build();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut files: Vec<_> = std::fs::read_dir(dir.join("broken"))
        .expect("broken dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 9, "the broken variants are missing");
    let mut out = String::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = if name.ends_with(".yaml") {
            kqlint_testkit::corpus_query(&f).expect("a query")
        } else {
            std::fs::read_to_string(&f).expect("read")
        };
        let parse = kql_syntax::parse(&text);
        let a = kql_semantic::analyze(&parse, &text, &catalog, &kql_semantic::Options::default());
        out.push_str(&format!(
            "=== {name} ({} syntax errors)\n",
            parse.errors.len()
        ));
        out.push_str(&common::dump(&text, &a));
        // what each variant must give
        let names: Vec<&str> = a.diagnostics.iter().map(|d| d.name).collect();
        match name.as_str() {
            "a-misspelled-column.kql" => assert_eq!(names, ["unknown-column"]),
            "a-unknown-table.kql" => assert_eq!(names, ["unknown-table"]),
            "b-unknown-function.kql" => assert_eq!(names, ["unknown-function"]),
            "b-project-dropped-column.kql" => assert_eq!(names, ["unknown-column"]),
            "b-type-error.kql" => assert_eq!(names, ["operand-type-mismatch"]),
            "b-yaml-misspelled-column.yaml" => assert_eq!(names, ["unknown-column"]),
            _ => {}
        }
    }
    insta::with_settings!({
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("oracle-broken-variants", out);
    });
}
