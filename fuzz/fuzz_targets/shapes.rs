//! The worst query shapes, composed from the fuzz bytes
//! (`kqlint_testkit::shapes::composed`: self-joins, unions of unions,
//! `let` chains, wide `extend`s, wildcards, `summarize by *`, lookups,
//! `as` and `mv-apply` bodies that join, unknown names), up to 100 KB:
//! the analysis stays within its limits (no row wider than
//! `MAX_ROW_WIDTH`, no more than `MAX_WORK` columns produced, one
//! `analysis-limit` diagnostic exactly when a limit was reached) and
//! within seconds, and the engine's whole check of the text holds the
//! report invariants.
#![no_main]

use kql_schema::Catalog;
use kqlint_core::{Limits, Source, SourceKind};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

/// Far above the hostile suite's 1 s for a query under 100 KB (a loaded
/// fuzzing machine, debug assertions on), far below a blow-up.
const SLOW: Duration = Duration::from_secs(5);

fuzz_target!(|data: &[u8]| {
    let src = kqlint_testkit::shapes::composed(data, 100_000);
    kqlint_fuzz::on_worker_stack(|| {
        let started = Instant::now();
        let parse = kql_syntax::parse(&src);
        let opts = kql_semantic::Options::default();
        let a = kql_semantic::analyze(&parse, &src, Catalog::builtin(), &opts);
        let took = started.elapsed();
        assert!(took < SLOW, "the analysis took {took:?}:\n{src}");
        let mut produced = 0u64;
        let mut seen = std::collections::HashSet::new();
        for o in &a.operators {
            assert!(o.output.len() <= opts.max_row_width, "a row of {} columns", o.output.len());
            let addr = o.output.columns().as_ptr() as usize;
            if seen.insert(addr) {
                produced += o.output.len() as u64;
            }
        }
        assert!(
            produced <= opts.max_work + opts.max_row_width as u64,
            "{produced} columns produced"
        );
        let limits = a
            .diagnostics
            .iter()
            .filter(|d| d.code == kql_semantic::ANALYSIS_LIMIT.code)
            .count();
        assert_eq!(limits, usize::from(a.limit.is_some()), "{:?}", a.limit);
        kqlint_fuzz::check_diagnostics(&src, &a.diagnostics, false);
        let source = Source::from_text("q.kql", src.as_str(), SourceKind::Kql, &Limits::default());
        let report = kqlint_fuzz::engine().check_source("q.kql", source);
        kqlint_fuzz::check_report(&report);
    });
});
