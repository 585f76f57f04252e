//! Parser + semantic analysis + lint rules: the query stages of the engine
//! on a query file, and the analysis on its own with the invariants on its
//! diagnostics and recorded names. Input as for `parse`.
#![no_main]

use kql_schema::Catalog;
use kqlint_core::{Limits, Source, SourceKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = kqlint_fuzz::kql_input(data);
    kqlint_fuzz::on_worker_stack(|| {
        let parse = kql_syntax::parse(&src);
        let analysis = kql_semantic::analyze(
            &parse,
            &src,
            Catalog::builtin(),
            &kql_semantic::Options::default(),
        );
        kqlint_fuzz::check_diagnostics(&src, &analysis.diagnostics, false);
        for n in &analysis.names {
            kqlint_fuzz::assert_span(&src, n.span.start, n.span.end, n);
        }
        // The whole engine on the same text as a `.kql` file.
        let engine = kqlint_fuzz::engine();
        let source = Source::from_text("q.kql", src.as_str(), SourceKind::Kql, &Limits::default());
        let report = engine.check_source("q.kql", source);
        kqlint_fuzz::check_report(&report);
    });
});
