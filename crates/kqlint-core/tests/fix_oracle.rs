//! Safe fixes are safe by Kusto.Language's own verdict: every safe fix is
//! applied to every dev-corpus file (`--fix`, all rounds), and the oracle
//! analyses each changed query before and after. A query the oracle
//! accepted is still accepted with the same result columns (names, order
//! and types); no query gets more errors; a query it refused keeps as many
//! result columns, none losing its type.
//!
//! Needs node and `shared/oracle`; without them the test says so and
//! passes, unless `KQLINT_REQUIRE_ORACLE` is set (scripts/ci sets it).

use kqlint_core::{
    ConfigOptions, Engine, EngineOptions, Limits, Source, SourceKind, Target, registry,
};
use kqlint_testkit::{ask_oracle, corpus_dir, corpus_files, oracle_errors};

/// The changed files: (name, query before, query after).
fn fix_the_corpus() -> Vec<(String, String, String)> {
    let src_root = corpus_dir().join("sentinel");
    let dir = std::env::temp_dir().join(format!("kqlint-fix-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut targets = Vec::new();
    let mut originals = Vec::new();
    for f in corpus_files() {
        let rel = f.strip_prefix(&src_root).unwrap().to_path_buf();
        let to = dir.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
        originals.push(std::fs::read_to_string(&f).unwrap_or_default());
        targets.push(Target::file(to, rel.to_string_lossy().into_owned(), true));
    }
    // Every rule, the opt-in ones (`obsolete-function`, with most of the
    // corpus's safe fixes) included, so that all fixes are put to the oracle.
    let every: Vec<String> = registry::all().iter().map(|m| m.code.to_owned()).collect();
    let engine = Engine::new(EngineOptions {
        config: ConfigOptions {
            select: Some(every),
            ..ConfigOptions::isolated()
        },
        ..EngineOptions::default()
    })
    .unwrap();
    let outcomes = engine.fix_targets(&targets);
    assert!(outcomes.iter().all(|o| !o.failed), "{outcomes:#?}");
    let query = |path: &std::path::Path, text: String| {
        Source::from_text(path, text, SourceKind::Yaml, &Limits::default())
            .query()
            .map(|q| q.text.clone())
    };
    let mut pairs = Vec::new();
    for (t, old) in targets.iter().zip(&originals) {
        let new = std::fs::read_to_string(&t.path).unwrap_or_default();
        if &new == old {
            continue;
        }
        let (Some(before), Some(after)) = (query(&t.path, old.clone()), query(&t.path, new)) else {
            panic!("{}: the query is gone after --fix", t.display);
        };
        pairs.push((t.display.clone(), before, after));
    }
    let _ = std::fs::remove_dir_all(&dir);
    pairs
}

#[test]
fn safe_fixes_never_make_the_oracles_verdict_worse() {
    let (oracle, schema_args) = match kqlint_testkit::oracle() {
        Ok(o) => o,
        Err(why) => {
            eprintln!("SKIPPED: safe_fixes_never_make_the_oracles_verdict_worse: {why}");
            return;
        }
    };
    let pairs = fix_the_corpus();
    assert!(pairs.len() > 100, "only {} files changed", pairs.len());
    let mut queries = Vec::new();
    for (i, (_, before, after)) in pairs.iter().enumerate() {
        queries.push((format!("before:{i}"), before.as_str()));
        queries.push((format!("after:{i}"), after.as_str()));
    }
    let verdicts = ask_oracle(&oracle, &schema_args, &queries);

    let mut worse = Vec::new();
    let (mut accepted, mut same_columns) = (0, 0);
    for (i, (file, _, _)) in pairs.iter().enumerate() {
        let (b, a) = (
            &verdicts[&format!("before:{i}")],
            &verdicts[&format!("after:{i}")],
        );
        let (eb, ea) = (oracle_errors(b), oracle_errors(a));
        if ea.len() > eb.len() {
            worse.push(format!("{file}: errors before {eb:?}, after {ea:?}"));
        }
        let (cb, ca) = (&b["columns"], &a["columns"]);
        if b["ok"] == true {
            // A query that ran still runs and gives exactly the same columns.
            if a["ok"] == true {
                accepted += 1;
            } else {
                worse.push(format!(
                    "{file}: the oracle refuses the fixed query: {ea:?}"
                ));
            }
            if cb == ca {
                same_columns += 1;
            } else {
                worse.push(format!("{file}: result columns before {cb}, after {ca}"));
            }
        } else if let (Some(cb), Some(ca)) = (cb.as_array(), ca.as_array()) {
            // A query the oracle refused: a corrected name may rename the
            // column it yields (`makeset(FileName)` is `set_FileName`, the
            // corrected `make_set(filename)` is `set_filename`), but no
            // column may go or lose its type.
            let lost = cb.len() != ca.len()
                || cb
                    .iter()
                    .zip(ca)
                    .any(|(x, y)| x["type"] != "unknown" && y["type"] == "unknown");
            if lost {
                worse.push(format!(
                    "{file}: result columns before {cb:?}, after {ca:?}"
                ));
            }
        }
    }
    eprintln!(
        "{} fixed queries: {accepted} accepted by the oracle before and after, {same_columns} of \
         them with the same result columns",
        pairs.len()
    );
    assert!(worse.is_empty(), "{}", worse.join("\n"));
}
