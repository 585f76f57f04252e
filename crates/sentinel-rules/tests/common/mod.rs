//! Facts about a test rule's query, for the cross-checks: kqlint-core
//! gives them from the semantic checker; here the result columns come from
//! the query's last `| project` line and its table from the first word of its first line that is not
//! a comment or a `let`
//! (how every example and fixture query is written), while its time bounds,
//! operators and comments are read by the same functions the engine uses.

use kqlint_source::Source;
use sentinel_rules::QueryFacts;

pub fn facts_of(source: &Source) -> Option<QueryFacts> {
    let q = source.query()?;
    let table = q
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("let "))?
        .split_whitespace()
        .next()?
        .to_owned();
    let project = q.text.lines().rev().find_map(|l| {
        l.rfind("| project ")
            .map(|at| &l[at + "| project ".len()..])
    });
    let result_columns = project.map(|p| {
        p.split(',')
            .map(|c| (c.trim().to_owned(), "string".to_owned()))
            .collect()
    });
    let parse = kql_syntax::parse(&q.text);
    let in_file = |l: kql_lint::lookback::Lookback| (l.seconds, q.map_span(l.span));
    let timestamp_filter = kql_lint::lookback::time_bounds(&parse)
        .into_iter()
        .filter(|b| b.column.as_deref() == Some("Timestamp"))
        .map(|b| b.lookback)
        .min_by_key(|l| l.seconds)
        .map(in_file);
    Some(QueryFacts {
        partial: None,
        open: result_columns.is_none(),
        result_columns,
        tables: vec![table],
        optional_tables: Vec::new(),
        lookback: kql_lint::lookback::lookback(&parse).map(in_file),
        timestamp_filter,
        operators: kql_lint::shape::operators(&parse)
            .into_iter()
            .map(|(n, s)| (n, q.map_span(s)))
            .collect(),
        first_comment: parse.comments.first().map(|c| q.map_span(*c)),
    })
}
