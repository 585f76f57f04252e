//! Conformance with Microsoft's analyzer (Kusto.Language, through the
//! oracle's recorded `--syntax-only` verdicts) on the dev corpus.
//!
//! Every disagreement must be listed in `conformance-ledger.tsv` with a
//! reason; the test fails on a new disagreement and on a listed one that no
//! longer occurs, so the ledger stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// 1-based line of a byte offset (`\n`, `\r\n` and `\r` end a line, as for the oracle).
fn line_of(src: &str, offset: u32) -> u32 {
    let b = src.as_bytes();
    let end = (offset as usize).min(b.len());
    let mut line = 1;
    let mut i = 0;
    while i < end {
        match b[i] {
            b'\n' => line += 1,
            b'\r' if b.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
        i += 1;
    }
    line
}

#[test]
fn corpus_conformance_with_the_oracle() {
    let corpus = kqlint_testkit::corpus_dir();
    let verdicts: BTreeMap<String, kqlint_testkit::OracleRecord> = kqlint_testkit::oracle_syntax()
        .into_iter()
        .map(|r| (r.file.clone(), r))
        .collect();
    let files = kqlint_testkit::corpus_files();

    let mut actual: BTreeMap<(String, String), String> = BTreeMap::new();
    let (mut clean, mut clean_ok, mut rejects, mut rejects_found, mut same_line) = (0, 0, 0, 0, 0);
    for path in &files {
        let rel = path
            .strip_prefix(&corpus)
            .expect("under corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let verdict = verdicts
            .get(&rel)
            .unwrap_or_else(|| panic!("no oracle verdict for {rel}"));
        let query =
            kqlint_testkit::corpus_query(path).unwrap_or_else(|| panic!("no query in {rel}"));
        let parse = kql_syntax::parse(&query);
        if verdict.syntax_ok {
            clean += 1;
            if parse.errors.is_empty() {
                clean_ok += 1;
            } else {
                let e = &parse.errors[0];
                actual.insert(
                    (rel.clone(), "false-reject".into()),
                    format!(
                        "line {}: {} {}",
                        line_of(&query, e.span.start),
                        e.kind.code(),
                        e.message
                    ),
                );
            }
        } else {
            rejects += 1;
            let oracle_line = verdict.diagnostics.first().map_or(0, |d| d.line);
            match parse.errors.first() {
                None => {
                    actual.insert(
                        (rel.clone(), "missed-reject".into()),
                        format!("oracle line {oracle_line}"),
                    );
                }
                Some(e) => {
                    rejects_found += 1;
                    let ours = line_of(&query, e.span.start);
                    if ours == oracle_line {
                        same_line += 1;
                    } else {
                        actual.insert(
                            (rel.clone(), "different-line".into()),
                            format!("ours {ours}, oracle {oracle_line}"),
                        );
                    }
                }
            }
        }
    }

    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    println!(
        "conformance: {} files; clean-accept {clean_ok}/{clean} ({:.2}%); reject recall {rejects_found}/{rejects} ({:.1}%); same line {same_line}/{rejects_found} ({:.1}%)",
        files.len(),
        pct(clean_ok, clean),
        pct(rejects_found, rejects),
        pct(same_line, rejects_found)
    );

    let ledger_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-ledger.tsv");
    let ledger_text = std::fs::read_to_string(&ledger_path).unwrap_or_default();
    let mut ledger = BTreeSet::new();
    for line in ledger_text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 3 && !cols[2].trim().is_empty(),
            "ledger line needs file, kind and reason: {line}"
        );
        ledger.insert((cols[0].to_string(), cols[1].to_string()));
    }
    let actual_keys: BTreeSet<_> = actual.keys().cloned().collect();
    let new: Vec<_> = actual_keys.difference(&ledger).collect();
    let stale: Vec<_> = ledger.difference(&actual_keys).collect();
    let mut report = String::new();
    for k in &new {
        report.push_str(&format!("NEW   {}\t{}\t{}\n", k.0, k.1, actual[*k]));
    }
    for k in &stale {
        report.push_str(&format!("STALE {}\t{}\n", k.0, k.1));
    }
    assert!(
        new.is_empty() && stale.is_empty(),
        "the conformance ledger is out of date:\n{report}"
    );
    assert!(
        pct(clean_ok, clean) >= 99.5,
        "clean-accept rate below 99.5%"
    );
    assert!(pct(same_line, rejects) >= 90.0, "same-line rate below 90%");
}
