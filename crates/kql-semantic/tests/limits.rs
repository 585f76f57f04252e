//! Bounded analysis: no row schema wider than `max_row_width`, no more than
//! `max_work` columns produced in all, whatever the query's shape, and one
//! `analysis-limit` diagnostic (category `io`) when a limit is reached.
//! The shapes are the worst we know (`kqlint_testkit::shapes`); their time
//! and memory on the release binary are held by `tests/hostile`.

use kql_semantic::{Analysis, Limit, Options};
use proptest::prelude::*;

fn analyse(q: &str, opts: &Options) -> Analysis {
    let parse = kql_syntax::parse(q);
    kql_semantic::analyze(&parse, q, kql_schema::Catalog::builtin(), opts)
}

/// The columns all recorded operators produced (a schema passed on by
/// `where` or `take`, or used again through a `let`, counted once).
fn produced(a: &Analysis) -> u64 {
    let mut total = 0u64;
    let mut seen = std::collections::HashSet::new();
    for o in &a.operators {
        let addr = o.output.columns().as_ptr() as usize;
        if seen.insert(addr) {
            total += o.output.len() as u64;
        }
    }
    total
}

fn limit_diagnostics(a: &Analysis) -> usize {
    a.diagnostics
        .iter()
        .filter(|d| d.code == kql_semantic::ANALYSIS_LIMIT.code)
        .count()
}

#[test]
fn the_self_join_chain_of_the_issue_stops_at_the_width_limit() {
    // 16 levels, 776 bytes: 230 columns doubled 16 times would be 15
    // million columns (30-42 s and 1.2 GB before the limit).
    let q = kqlint_testkit::shapes::self_join_chain(16);
    assert!(q.len() < 800, "{}", q.len());
    let a = analyse(&q, &Options::default());
    assert_eq!(a.limit, Some(Limit::Width));
    assert_eq!(limit_diagnostics(&a), 1, "{:?}", a.diagnostics);
    let d = &a.diagnostics[0];
    assert_eq!(d.category, kqlint_diagnostics::Category::Io);
    assert!(d.message.contains("10000 columns"), "{}", d.message);
    // The join that first passes 10,000 columns (level 6: 230 * 64).
    assert_eq!(d.span.text(&q).lines().count(), 1);
    assert!(
        q[..d.span.start as usize].contains("let t6 ="),
        "{:?}",
        d.span
    );
    assert!(a.result.is_open());
    assert!(
        a.operators
            .iter()
            .all(|o| o.output.len() <= kql_semantic::MAX_ROW_WIDTH)
    );
}

#[test]
fn every_worst_shape_stays_within_the_limits() {
    let opts = Options::default();
    for s in kqlint_testkit::shapes::worst_shapes(20_000) {
        let a = analyse(&s.query, &opts);
        let widest = a
            .operators
            .iter()
            .map(|o| o.output.len())
            .max()
            .unwrap_or(0);
        assert!(widest <= opts.max_row_width, "{}: {widest}", s.name);
        assert!(
            produced(&a) <= opts.max_work + opts.max_row_width as u64,
            "{}: {}",
            s.name,
            produced(&a)
        );
        assert_eq!(
            limit_diagnostics(&a),
            usize::from(a.limit.is_some()),
            "{}",
            s.name
        );
    }
}

#[test]
fn the_dev_corpus_is_far_from_the_limits() {
    for p in kqlint_testkit::corpus_files() {
        let Some(q) = kqlint_testkit::corpus_query(&p) else {
            continue;
        };
        let a = analyse(&q, &Options::default());
        assert_eq!(a.limit, None, "{}", p.display());
        assert!(produced(&a) < 10_000, "{}: {}", p.display(), produced(&a));
    }
}

#[test]
fn a_set_flag_stops_the_analysis() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let opts = Options {
        interrupt: kql_semantic::Interrupt {
            deadline: None,
            flags: vec![flag],
        },
        ..Options::default()
    };
    let q = kqlint_testkit::shapes::worst_shapes(20_000).remove(2).query;
    let a = analyse(&q, &opts);
    assert_eq!(a.limit, Some(Limit::Cancelled));
    let a = analyse(
        &q,
        &Options {
            interrupt: kql_semantic::Interrupt {
                deadline: Some(std::time::Instant::now()),
                flags: Vec::new(),
            },
            ..Options::default()
        },
    );
    assert_eq!(a.limit, Some(Limit::Time));
    assert_eq!(limit_diagnostics(&a), 1);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Queries composed of the shapes' building blocks, with small limits
    /// so every path past them is taken.
    #[test]
    fn composed_shapes_stay_within_small_limits(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let q = kqlint_testkit::shapes::composed(&data, 8_000);
        let opts = Options { max_row_width: 300, max_work: 20_000, ..Options::default() };
        let a = analyse(&q, &opts);
        let widest = a.operators.iter().map(|o| o.output.len()).max().unwrap_or(0);
        prop_assert!(widest <= 300, "{widest}\n{q}");
        prop_assert!(produced(&a) <= 20_000 + 300, "{}\n{q}", produced(&a));
        prop_assert_eq!(limit_diagnostics(&a), usize::from(a.limit.is_some()));
        prop_assert!(a.limit != Some(Limit::Cancelled) && a.limit != Some(Limit::Time));
        for d in &a.diagnostics {
            prop_assert!(d.span.end as usize <= q.len());
        }
    }
}
