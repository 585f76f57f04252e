//! Every built-in scalar and aggregate function called with arguments of
//! one type (dynamic, string, long, datetime, bool, real, timespan), and
//! with every argument count of every signature, a long in a numeric place
//! also replaced by an int, a real and a decimal, against Kusto.Language's
//! verdict on the same call (`tests/data/builtin-calls.tsv`, made by
//! `tools/builtin-calls/generate.py` with the oracle).
//!
//! kqlint must not report an error on a call the oracle accepts: the type
//! checks are only as strict as Kusto's. The share of the oracle's errors
//! kqlint also reports is printed (it reports what it is sure of; constant
//! arguments, for one, are not checked).

mod common;

use kqlint_diagnostics::Severity;
use std::path::Path;

#[test]
fn builtin_calls_agree_with_the_oracle() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/builtin-calls.tsv");
    let text = std::fs::read_to_string(&path).expect("builtin-calls.tsv");
    let (mut n, mut oracle_errors, mut both) = (0usize, 0usize, 0usize);
    let mut false_alarms = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (query, verdict) = line.split_once('\t').expect("query <TAB> codes");
        n += 1;
        let a = common::check(query);
        let ours: Vec<String> = a
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        let theirs = verdict != "-";
        if theirs {
            oracle_errors += 1;
            if !ours.is_empty() {
                both += 1;
            }
        } else if !ours.is_empty() {
            false_alarms.push(format!("{query}\n    {}", ours.join("\n    ")));
        }
    }
    println!(
        "built-in calls: {n}; the oracle refuses {oracle_errors}, kqlint reports {both} of them ({:.1}%); \
         false alarms {}",
        100.0 * both as f64 / oracle_errors.max(1) as f64,
        false_alarms.len()
    );
    assert!(n > 5000, "the call list is shorter than expected: {n}");
    assert!(
        false_alarms.is_empty(),
        "kqlint reports an error on calls Kusto.Language accepts:\n{}",
        false_alarms.join("\n")
    );
}
