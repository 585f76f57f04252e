//! `--fix` on the whole dev corpus: every fixed file still parses (no new
//! syntax error, the YAML still holds the same query key), the fixes leave
//! no finding they were meant to fix, and a second run changes nothing.

use kqlint_core::{Category, ConfigOptions, Engine, EngineOptions, Target, registry};
use kqlint_testkit::{corpus_dir, corpus_files};
use std::path::PathBuf;

/// Every rule, the opt-in ones (`obsolete-function`, with most of the
/// corpus's fixes) included, so that their fixes are exercised too.
fn engine() -> Engine {
    let every: Vec<String> = registry::all().iter().map(|m| m.code.to_owned()).collect();
    Engine::new(EngineOptions {
        config: ConfigOptions {
            select: Some(every),
            ..ConfigOptions::isolated()
        },
        ..EngineOptions::default()
    })
    .unwrap()
}

fn syntax_errors(e: &Engine, t: &Target) -> usize {
    e.check_target(t)
        .map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.category == Category::Syntax || d.category == Category::Yaml)
                .filter(|d| d.severity == kqlint_core::Severity::Error)
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn fixing_the_corpus_is_safe_and_idempotent() {
    let src_root = corpus_dir().join("sentinel");
    let dir = std::env::temp_dir().join(format!("kqlint-fix-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut targets = Vec::new();
    for f in corpus_files() {
        let rel = f.strip_prefix(&src_root).unwrap().to_path_buf();
        let to: PathBuf = dir.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
        targets.push(Target::file(to, rel.to_string_lossy().into_owned(), true));
    }
    let e = engine();
    let before: Vec<usize> = targets.iter().map(|t| syntax_errors(&e, t)).collect();
    let originals: Vec<String> = targets
        .iter()
        .map(|t| std::fs::read_to_string(&t.path).unwrap_or_default())
        .collect();

    let outcomes = e.fix_targets(&targets);
    let applied: usize = outcomes.iter().map(|o| o.applied).sum();
    let errors: Vec<_> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(applied > 300, "only {applied} fixes applied on the corpus");
    let mut changed = 0;
    for (i, t) in targets.iter().enumerate() {
        let now = std::fs::read_to_string(&t.path).unwrap_or_default();
        if now == originals[i] {
            continue;
        }
        changed += 1;
        assert!(
            syntax_errors(&e, t) <= before[i],
            "{}: the fixes added a syntax error",
            t.display
        );
        // The YAML still reads, with its query under the same key.
        let old = kqlint_core::Source::from_text(
            &t.path,
            originals[i].clone(),
            kqlint_core::SourceKind::Yaml,
            &Default::default(),
        );
        let new = kqlint_core::Source::from_text(
            &t.path,
            now.clone(),
            kqlint_core::SourceKind::Yaml,
            &Default::default(),
        );
        assert_eq!(
            old.query().and_then(|q| q.key.clone()),
            new.query().and_then(|q| q.key.clone()),
            "{}",
            t.display
        );
        // Only the query changed: every other line is as it was.
        let (qo, qn) = (old.query().cloned().unwrap(), new.query().cloned().unwrap());
        assert_eq!(
            &originals[i][..qo.value_span.start as usize],
            &now[..qn.value_span.start as usize],
            "{}",
            t.display
        );
        assert_eq!(
            &originals[i][qo.value_span.end as usize..],
            &now[qn.value_span.end as usize..],
            "{}",
            t.display
        );
        // No safe fix is left to apply.
        let r = e.check_target(t).unwrap();
        let left: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == kqlint_core::Applicability::Safe)
            })
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert!(left.is_empty(), "{}: {left:#?}", t.display);
    }
    assert!(changed > 100, "only {changed} files changed");

    // A second run changes nothing.
    let again = e.fix_targets(&targets);
    assert!(
        again.iter().all(|o| o.applied == 0 && o.error.is_none()),
        "{again:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
