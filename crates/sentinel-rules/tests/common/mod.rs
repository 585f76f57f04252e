//! Facts about a test rule's query, for the cross-checks, worked out as
//! kqlint-core's engine works them out: the semantic analysis over the
//! built-in catalogue (Defender XDR's for a custom detection, Sentinel's
//! otherwise) gives the result columns and tables, and kql-lint the time
//! bounds, operators and comments.

use kqlint_source::Source;
use sentinel_rules::{QueryFacts, ResultColumn};

pub fn facts_of(source: &Source) -> Option<QueryFacts> {
    let q = source.query()?;
    let defender = source
        .yaml
        .as_ref()
        .is_some_and(|root| kqlint_source::arm::defender_rules(root).is_some());
    let platform = if defender {
        kql_schema::Platform::Defender
    } else {
        kql_schema::Platform::Sentinel
    };
    let catalog = kql_schema::Catalog::builtin_for(platform);
    let parse = kql_syntax::parse(&q.text);
    let analysis = kql_semantic::analyze(&parse, &q.text, catalog, &Default::default());
    let (result_columns, partial) = match &analysis.result {
        kql_semantic::QueryResult::Table(schema) if !schema.is_open() => (
            Some(
                schema
                    .visible()
                    .map(|c| ResultColumn::new(c.name.to_string(), c.ty.scalar()))
                    .collect(),
            ),
            schema.partial().map(|p| {
                format!(
                    "the query reads `{}`, whose columns kqlint knows only in part",
                    p.source
                )
            }),
        ),
        _ => (None, None),
    };
    let in_file = |l: kql_lint::lookback::Lookback| (l.seconds, q.map_span(l.span));
    let timestamp_filter = kql_lint::lookback::time_bounds(&parse)
        .into_iter()
        .filter(|b| b.column.as_deref() == Some("Timestamp"))
        .map(|b| b.lookback)
        .min_by_key(|l| l.seconds)
        .map(in_file);
    Some(QueryFacts {
        partial,
        open: result_columns.is_none(),
        result_columns,
        tables: analysis.tables.iter().map(|t| t.to_string()).collect(),
        optional_tables: kql_lint::shape::optional_tables(&parse, &analysis.tables),
        lookback: kql_lint::lookback::lookback(&parse).map(in_file),
        timestamp_filter,
        operators: kql_lint::shape::operators(&parse)
            .into_iter()
            .map(|(n, s)| (n, q.map_span(s)))
            .collect(),
        first_comment: parse.comments.first().map(|c| q.map_span(*c)),
        output_bounded: Some(kql_lint::shape::output_bounded(&parse)),
    })
}
