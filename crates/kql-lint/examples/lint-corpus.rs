//! Developer tool: runs every placeholder and lint rule over rule files and
//! prints one tab-separated line per finding (file, code, name, line,
//! message, the file line's text), for measuring how often each rule fires.
//!
//! `cargo run -p kql-lint --example lint-corpus -- FILE...`
//! (`KQLINT_SHARED`'s corpus: `find ../shared/corpus/sentinel -name '*.yaml' | xargs ...`)

use kql_lint::{LintContext, LintOptions, QueryKind};
use kqlint_source::{Limits, Source, SourceKind};

fn main() {
    let options = LintOptions::default();
    let catalog = kql_schema::Catalog::builtin();
    for f in std::env::args().skip(1) {
        let src = Source::load(&f, &Limits::default());
        let (Some(text), Some(q)) = (src.text.as_ref(), src.query()) else {
            continue;
        };
        let kind = match (&src.kind, &src.yaml) {
            (SourceKind::Yaml, Some(root)) => QueryKind::of_yaml(root, q.key.as_deref()),
            (SourceKind::Yaml, None) => QueryKind::Hunting,
            _ => QueryKind::File,
        };
        let parse = kql_syntax::parse(&q.text);
        let analysis =
            kql_semantic::analyze(&parse, &q.text, catalog, &kql_semantic::Options::default());
        let ctx =
            LintContext::new(&q.text, &parse, catalog, kind, &options).with_analysis(&analysis);
        let mut found: Vec<_> = kql_lint::lint_query(&ctx)
            .into_iter()
            .map(|d| q.map_diagnostic(d, text))
            .collect();
        if let Some(root) = &src.yaml {
            found.extend(kql_lint::lint_metadata(
                text,
                root,
                Some(q.value_span),
                &options,
            ));
        }
        let index = kqlint_diagnostics::LineIndex::new(text);
        for d in found {
            let lc = index.line_col_chars(text, d.span.start);
            let line = text.lines().nth(lc.line as usize).unwrap_or("").trim();
            let line: String = line.chars().take(160).collect();
            println!(
                "{f}\t{}\t{}\t{}\t{}\t{}\t{line}",
                d.code,
                d.name,
                lc.line + 1,
                d.message.replace('\n', " "),
                d.fix.map_or("-", |f| match f.applicability {
                    kqlint_diagnostics::Applicability::Safe => "safe",
                    kqlint_diagnostics::Applicability::Unsafe => "unsafe",
                }),
            );
        }
    }
}
