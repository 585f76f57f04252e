//! Conformance with Microsoft's analyzer (Kusto.Language with the Sentinel
//! schemas, through the oracle's recorded verdicts in `full.jsonl`) on the
//! dev corpus.
//!
//! Two comparisons:
//! - **unknown names**, with kqlint's bundled catalogue (what users get with
//!   zero configuration): every `unknown-table`/`unknown-column`/
//!   `unknown-function` we report should be reported by the oracle on the
//!   same line (precision), and every KS142/KS204/KS211/KS122–124 of the
//!   oracle should be reported by us (recall);
//! - **result columns**, names and order, with a catalogue built from
//!   exactly the schema files the oracle was given (so that the comparison
//!   measures the binder, not the two schema sets).
//!
//! Every disagreement must be listed in `conformance-ledger.tsv` with the
//! reason; the test fails on a new disagreement and on a listed one that no
//! longer occurs, so the ledger stays true. `KQLINT_LEDGER=print` prints
//! the current disagreements in ledger format.

use kql_schema::{Catalog, CatalogBuilder};
use kql_semantic::{Options, QueryResult, analyze};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// 1-based line of a byte offset (`\n`, `\r\n` and `\r` end a line).
fn line_of(src: &str, offset: u32) -> u32 {
    let b = src.as_bytes();
    let end = (offset as usize).min(b.len());
    let mut line = 1;
    for i in 0..end {
        match b[i] {
            b'\n' => line += 1,
            b'\r' if b.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

const ORACLE_UNKNOWN: &[&str] = &["KS142", "KS204", "KS211", "KS122", "KS123", "KS124"];
/// Our unknown-name findings, errors and warnings alike: where kqlint knows
/// a table only in part (a CI stub, a parser) or the name is the other
/// platform's, it still flags the name, as a warning (`unverified-*`,
/// `other-platform`).
const OURS_UNKNOWN: &[&str] = &[
    "unknown-table",
    "unknown-column",
    "unknown-function",
    "unverified-column",
    "unverified-table",
    "unverified-function",
    "other-platform",
];

/// A catalogue of exactly the schema files the oracle's `full.jsonl` was
/// made with (later wins), with kqlint's built-in functions.
fn oracle_catalog() -> Catalog {
    let s = kqlint_testkit::shared_dir().join("schemas-sentinel");
    let mut b = CatalogBuilder::new();
    b.bundled_tables(false)
        .bundled_stored_functions(false)
        .standard_columns(false);
    for d in [
        "2022-08-b819f67/CustomTables",
        "2023-11-copy/CustomTables",
        "2023-11-copy/CustomFunctions",
        "builtin-kustoservices-5.0.1/tables",
        "builtin-kustoservices-5.0.1/functions",
    ] {
        b.load_dir(&s.join(d));
    }
    b.build().0
}

fn name_in(message: &str) -> String {
    message
        .split('\'')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_default()
}

#[test]
fn corpus_conformance_with_the_oracle() {
    let corpus = kqlint_testkit::corpus_dir();
    let verdicts: BTreeMap<String, kqlint_testkit::OracleRecord> = kqlint_testkit::oracle_full()
        .into_iter()
        .map(|r| (r.file.clone(), r))
        .collect();
    let builtin = Catalog::builtin();
    let oracle_cat = oracle_catalog();
    let opts = Options::default();

    // (file, kind, detail) -> note
    let mut actual: BTreeMap<(String, String, String), String> = BTreeMap::new();
    let (mut ours_n, mut ours_ok, mut theirs_n, mut theirs_ok) = (0usize, 0usize, 0usize, 0usize);
    let (mut cols_n, mut cols_ok) = (0usize, 0usize);
    let (mut types_n, mut types_ok, mut dynamic_wrong) = (0usize, 0usize, 0usize);
    let mut type_diffs: Vec<String> = Vec::new();
    let files = kqlint_testkit::corpus_files();
    for path in &files {
        let rel = path
            .strip_prefix(&corpus)
            .expect("under corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(v) = verdicts.get(&rel) else {
            panic!("no oracle verdict for {rel}");
        };
        let query =
            kqlint_testkit::corpus_query(path).unwrap_or_else(|| panic!("no query in {rel}"));
        let parse = kql_syntax::parse(&query);

        // unknown names, bundled catalogue
        let a = analyze(&parse, &query, builtin, &opts);
        let theirs: BTreeSet<(u32, String)> = v
            .diagnostics
            .iter()
            .filter(|d| d.kind == "semantic" && ORACLE_UNKNOWN.contains(&d.code.as_str()))
            .map(|d| (d.line, name_in(&d.message)))
            .collect();
        let their_lines: BTreeSet<u32> = theirs.iter().map(|(l, _)| *l).collect();
        let ours: BTreeSet<(u32, String)> = a
            .diagnostics
            .iter()
            .filter(|d| OURS_UNKNOWN.contains(&d.name))
            .map(|d| {
                (
                    line_of(&query, d.span.start),
                    d.span.text(&query).to_string(),
                )
            })
            .collect();
        let our_lines: BTreeSet<u32> = ours.iter().map(|(l, _)| *l).collect();
        for (line, name) in &ours {
            ours_n += 1;
            if their_lines.contains(line) {
                ours_ok += 1;
            } else {
                actual.insert(
                    (rel.clone(), "false-alarm".into(), format!("{line}:{name}")),
                    String::new(),
                );
            }
        }
        for (line, name) in &theirs {
            theirs_n += 1;
            if our_lines.contains(line) {
                theirs_ok += 1;
            } else {
                actual.insert(
                    (rel.clone(), "missed".into(), format!("{line}:{name}")),
                    String::new(),
                );
            }
        }

        // result columns, the oracle's own schema
        if let Some(oc) = &v.columns {
            cols_n += 1;
            let a2 = analyze(&parse, &query, &oracle_cat, &opts);
            let ours: Vec<String> = match &a2.result {
                QueryResult::Table(s) => s.visible().map(|c| c.name.to_string()).collect(),
                _ => Vec::new(),
            };
            let theirs: Vec<String> = oc.iter().map(|c| c.name.clone()).collect();
            if ours == theirs {
                cols_ok += 1;
                // the types, where ours is known: a `dynamic` the oracle does
                // not have would make the dynamic-value checks misfire
                if let QueryResult::Table(s) = &a2.result {
                    for (c, o) in s.visible().zip(oc) {
                        if !c.ty.is_known() {
                            continue;
                        }
                        types_n += 1;
                        if c.ty.as_str() == o.ty {
                            types_ok += 1;
                        } else {
                            if c.ty == kql_semantic::Ty::Dynamic {
                                dynamic_wrong += 1;
                            }
                            type_diffs
                                .push(format!("{rel}\t{}\tours {}, oracle {}", c.name, c.ty, o.ty));
                        }
                    }
                }
            } else {
                let first = ours
                    .iter()
                    .zip(&theirs)
                    .position(|(a, b)| a != b)
                    .unwrap_or(ours.len().min(theirs.len()));
                actual.insert(
                    (rel.clone(), "columns".into(), String::new()),
                    format!(
                        "ours {} cols, oracle {}; first difference at {first}: ours {:?}, oracle {:?}",
                        ours.len(),
                        theirs.len(),
                        ours.get(first),
                        theirs.get(first)
                    ),
                );
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
    let ledger_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-ledger.tsv");
    let ledger_text = std::fs::read_to_string(&ledger_path).unwrap_or_default();
    let mut ledger: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for line in ledger_text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 4 && !cols[3].trim().is_empty(),
            "ledger line needs file, kind, detail and reason: {line}"
        );
        ledger.insert(
            (
                cols[0].to_string(),
                cols[1].to_string(),
                cols[2].to_string(),
            ),
            cols[3].to_string(),
        );
    }
    // listed disagreements count as agreements when the ledger says the
    // oracle is wrong there
    let oracle_wrong =
        |k: &(String, String, String)| ledger.get(k).is_some_and(|r| r.starts_with("oracle:"));
    let excused_fa = actual
        .keys()
        .filter(|k| k.1 == "false-alarm" && oracle_wrong(k))
        .count();
    let excused_missed = actual
        .keys()
        .filter(|k| k.1 == "missed" && oracle_wrong(k))
        .count();
    let precision = pct(ours_ok + excused_fa, ours_n);
    let recall = pct(
        theirs_ok + excused_missed,
        theirs_n.saturating_sub(excused_missed) + excused_missed,
    );
    let recall_raw = pct(theirs_ok, theirs_n);
    let recall_valid = pct(theirs_ok, theirs_n - excused_missed);
    println!(
        "semantic conformance: {} files; unknown-name precision {:.2}% ({ours_ok}/{ours_n} on an oracle line, \
         {excused_fa} more where the ledger shows the oracle wrong); recall {recall_valid:.2}% of the oracle's \
         valid findings ({theirs_ok}/{}; {recall_raw:.2}% of all {theirs_n}, {excused_missed} are oracle errors); \
         result columns identical {cols_ok}/{cols_n} ({:.2}%); their types, where kqlint knows one, \
         identical {types_ok}/{types_n} ({:.2}%), `dynamic` where the oracle has another type: {dynamic_wrong}",
        files.len(),
        precision,
        theirs_n - excused_missed,
        pct(cols_ok, cols_n),
        pct(types_ok, types_n)
    );
    if std::env::var("KQLINT_TYPES").as_deref() == Ok("print") {
        for d in &type_diffs {
            println!("{d}");
        }
    }
    // KQL113 and the dynamic argument checks trust a `dynamic` type
    assert_eq!(
        dynamic_wrong, 0,
        "result columns typed `dynamic` where the oracle has another type (KQLINT_TYPES=print lists them)"
    );
    let _ = recall;

    if std::env::var("KQLINT_LEDGER").as_deref() == Ok("print") {
        for ((f, k, d), note) in &actual {
            let reason = ledger
                .get(&(f.clone(), k.clone(), d.clone()))
                .cloned()
                .unwrap_or_default();
            println!("{f}\t{k}\t{d}\t{reason}\t{note}");
        }
    }

    let actual_keys: BTreeSet<_> = actual.keys().cloned().collect();
    let ledger_keys: BTreeSet<_> = ledger.keys().cloned().collect();
    let new: Vec<_> = actual_keys.difference(&ledger_keys).collect();
    let stale: Vec<_> = ledger_keys.difference(&actual_keys).collect();
    let mut report = String::new();
    for k in &new {
        report.push_str(&format!(
            "NEW   {}\t{}\t{}\t{}\n",
            k.0, k.1, k.2, actual[*k]
        ));
    }
    for k in &stale {
        report.push_str(&format!("STALE {}\t{}\t{}\n", k.0, k.1, k.2));
    }
    assert!(
        new.is_empty() && stale.is_empty(),
        "the conformance ledger is out of date:\n{report}"
    );
    assert!(precision >= 99.0, "unknown-name precision below 99%");
    assert!(recall_valid >= 95.0, "unknown-name recall below 95%");
    assert!(
        pct(cols_ok, cols_n) >= 95.0,
        "result-column agreement below 95%"
    );
}
