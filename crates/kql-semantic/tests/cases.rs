//! Snapshot tests over our own example queries in `tests/cases/`: for
//! every chunk (chunks are separated by `// ----` lines), the semantic
//! diagnostics, the result columns and the tables read.

mod common;

use std::path::Path;

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let files = kqlint_testkit::case_files(&root);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("case");
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let mut out = String::new();
        for (i, src) in text.split("// ----\n").enumerate() {
            let a = common::check(src);
            out.push_str(&format!(
                "=== {i}: {}\n",
                src.trim_end().replace('\n', "\n    ")
            ));
            out.push_str(&common::dump(src, &a));
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
