//! Formatting changes layout only, by Kusto.Language's own verdict: every
//! dev-corpus rule query that `kqlint fmt` would change is analysed by the
//! oracle before and after formatting, and both verdicts must agree: the
//! same acceptance, the same errors, the same result columns (names, order
//! and types).
//!
//! Needs node and `shared/oracle`; without them the test says so and
//! passes, unless `KQLINT_REQUIRE_ORACLE` is set (scripts/ci sets it).

use kqlint_core::{Limits, Source, SourceKind};
use kqlint_testkit::{ask_oracle, corpus_dir, corpus_files, oracle_errors};

#[test]
fn formatting_never_changes_the_oracles_verdict() {
    let (oracle, schema_args) = match kqlint_testkit::oracle() {
        Ok(o) => o,
        Err(why) => {
            eprintln!("SKIPPED: formatting_never_changes_the_oracles_verdict: {why}");
            return;
        }
    };
    let root = corpus_dir();
    let mut pairs = Vec::new();
    for f in corpus_files() {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let source = Source::from_text(&f, text, SourceKind::Yaml, &Limits::default());
        let Some(q) = source.query() else { continue };
        // Queries with syntax errors are left as they are.
        let Ok(formatted) = kql_format::format(&q.text, &Default::default()) else {
            continue;
        };
        if formatted != q.text {
            let rel = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
            pairs.push((rel, q.text.clone(), formatted));
        }
    }
    assert!(pairs.len() > 500, "only {} queries change", pairs.len());
    let mut queries = Vec::new();
    for (i, (_, before, after)) in pairs.iter().enumerate() {
        queries.push((format!("before:{i}"), before.as_str()));
        queries.push((format!("after:{i}"), after.as_str()));
    }
    let verdicts = ask_oracle(&oracle, &schema_args, &queries);
    let mut changed = Vec::new();
    let mut accepted = 0;
    for (i, (file, _, _)) in pairs.iter().enumerate() {
        let (b, a) = (
            &verdicts[&format!("before:{i}")],
            &verdicts[&format!("after:{i}")],
        );
        if b["ok"] == true {
            accepted += 1;
        }
        if b["ok"] != a["ok"] {
            changed.push(format!(
                "{file}: accepted {} before, {} after",
                b["ok"], a["ok"]
            ));
        }
        // Error messages name no positions, so they compare as they are.
        let (eb, ea) = (oracle_errors(b), oracle_errors(a));
        if eb != ea {
            changed.push(format!("{file}: errors before {eb:?}, after {ea:?}"));
        }
        if b["columns"] != a["columns"] {
            changed.push(format!(
                "{file}: result columns before {}, after {}",
                b["columns"], a["columns"]
            ));
        }
    }
    eprintln!(
        "{} formatted queries put to the oracle ({accepted} of them accepted): {} with a different verdict",
        pairs.len(),
        changed.len()
    );
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}
