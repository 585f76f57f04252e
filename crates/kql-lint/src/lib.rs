//! kqlint's lint rules, unfilled-placeholder detection and fixes.
//!
//! The crate checks one parsed query at a time ([`lint_query`]) and, for a
//! rule YAML file, the rule's metadata ([`lint_metadata`]). It knows nothing
//! of files, configuration or output formats: it returns every finding in
//! query coordinates (metadata findings in file coordinates) and kqlint-core
//! maps, filters (select / ignore / suppressions / baseline) and reports.
//!
//! Layout, after ruff and oxc: one file per rule under `rules/`, each with a
//! `static META: RuleMeta` (code, name, docs, pass/fail examples that run as
//! tests through the real engine) and a `check` function. Placeholder
//! patterns live in [`placeholder`]; the suppression-comment grammar in
//! [`suppression`].
//!
//! ```
//! use kql_lint::{LintContext, LintOptions, QueryKind};
//! let text = "let IP = \"IP ADDRESS GOES HERE\";\nDeviceNetworkEvents | where RemoteIP == IP";
//! let parse = kql_syntax::parse(text);
//! let options = LintOptions::default();
//! let ctx = LintContext::new(text, &parse, kql_schema::Catalog::builtin(), QueryKind::File, &options);
//! let found = kql_lint::lint_query(&ctx);
//! assert!(found.iter().any(|d| d.name == "unfilled-placeholder" && d.message.contains("`IP`")));
//! ```

mod ast_util;
mod context;
pub mod placeholder;
mod rules;
pub mod suppression;

pub use context::{LintContext, LintOptions, QueryKind};
pub use placeholder::{PatternError, PlaceholderPatterns};

use kqlint_diagnostics::{Diagnostic, RuleMeta, Span};
use kqlint_source::YamlNode;

/// Every diagnostic this crate declares (placeholder, lint and the
/// suppression-comment rules), in code order.
pub static RULES: &[&RuleMeta] = &[
    &rules::unfilled_placeholder::META,
    &rules::placeholder_in_metadata::META,
    &rules::placeholder_without_effect::META,
    &rules::join_without_kind::META,
    &rules::contains_instead_of_has::META,
    &rules::tolower_comparison::META,
    &rules::has_ipv4::META,
    &rules::obsolete_function::META,
    &rules::unused_let::META,
    &rules::let_shadows_column::META,
    &rules::unscoped_search::META,
    &rules::take_without_sort::META,
    &rules::unbounded_mv_expand::META,
    &rules::missing_time_filter::META,
    &rules::regex_without_metacharacters::META,
    &rules::wildcard_in_string_operator::META,
    &rules::impossible_case_comparison::META,
    &rules::makeset_limit::META,
    &rules::assignment_in_where::META,
    &suppression::UNUSED_SUPPRESSION,
    &suppression::INVALID_SUPPRESSION,
];

/// Rules that are off unless selected by code or name: sound, but they
/// report code many teams write on purpose, so they are advice to opt into.
pub static OPT_IN: &[&RuleMeta] = &[
    &rules::join_without_kind::META,
    &rules::contains_instead_of_has::META,
    &rules::obsolete_function::META,
    &rules::take_without_sort::META,
    &rules::unbounded_mv_expand::META,
    &rules::missing_time_filter::META,
];

/// Whether a rule runs without being selected by code or name.
pub fn is_opt_in(meta: &RuleMeta) -> bool {
    OPT_IN.iter().any(|m| m.code == meta.code)
}

/// Runs every query rule (placeholders and lints) over one parsed query.
/// Spans are offsets into the query text. Findings of every rule are
/// returned; selection is the caller's business.
pub fn lint_query(ctx: &LintContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in rules::QUERY_RULES {
        check(ctx, &mut out);
    }
    out
}

/// Checks the metadata of a rule YAML file (every string value except the
/// query) for template text left in place, such as a description that
/// still says "TODO". Spans are offsets into `file_text`.
pub fn lint_metadata(
    file_text: &str,
    root: &YamlNode,
    query_value: Option<Span>,
    options: &LintOptions,
) -> Vec<Diagnostic> {
    rules::placeholder_in_metadata::check(file_text, root, query_value, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_the_owned_ranges() {
        for m in RULES {
            let n: u32 = m.code[3..].parse().unwrap();
            match m.category {
                kqlint_diagnostics::Category::Placeholder => assert!((200..300).contains(&n)),
                kqlint_diagnostics::Category::Lint => assert!((300..400).contains(&n)),
                c => panic!("{} has category {c}", m.code),
            }
        }
        let mut codes: Vec<_> = RULES.iter().map(|m| m.code).collect();
        let sorted = {
            let mut s = codes.clone();
            s.sort();
            s
        };
        assert_eq!(codes, sorted, "RULES is in code order");
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
    }

    #[test]
    fn every_query_rule_is_registered() {
        // Each rule in QUERY_RULES emits only its own META (the placeholder
        // check emits KQL201 and KQL203); a rule emitting an unregistered
        // code would fail the engine's example test. The others: the
        // metadata rule and the two suppression-comment rules.
        assert_eq!(rules::QUERY_RULES.len(), RULES.len() - 4);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs the rules over a query for the unit tests.

    use super::*;
    use kqlint_diagnostics::Applicability;

    pub fn lint_as(text: &str, kind: QueryKind, name: &str) -> Vec<Diagnostic> {
        let parse = kql_syntax::parse(text);
        assert!(
            parse.errors.is_empty(),
            "test query does not parse: {text}\n{:?}",
            parse.errors
        );
        let options = LintOptions::default();
        let ctx = LintContext::new(text, &parse, kql_schema::Catalog::builtin(), kind, &options);
        assert!(RULES.iter().any(|m| m.name == name), "no rule {name}");
        lint_query(&ctx)
            .into_iter()
            .filter(|d| d.name == name)
            .collect()
    }

    pub fn lint(text: &str, name: &str) -> Vec<Diagnostic> {
        lint_as(text, QueryKind::File, name)
    }

    /// With the semantic analysis, as the engine runs the rules.
    pub fn lint_analysed(text: &str, name: &str) -> Vec<Diagnostic> {
        let parse = kql_syntax::parse(text);
        let catalog = kql_schema::Catalog::builtin();
        let analysis =
            kql_semantic::analyze(&parse, text, catalog, &kql_semantic::Options::default());
        let options = LintOptions::default();
        let ctx = LintContext::new(text, &parse, catalog, QueryKind::File, &options)
            .with_analysis(&analysis);
        lint_query(&ctx)
            .into_iter()
            .filter(|d| d.name == name)
            .collect()
    }

    /// The text after applying the rule's fixes (safe or not), which must
    /// parse without errors.
    pub fn fixed(text: &str, name: &str) -> String {
        let diags = lint(text, name);
        assert!(!diags.is_empty(), "{name} does not fire on {text}");
        let mut edits: Vec<_> = diags
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .inspect(|f| assert_eq!(f.applicability, Applicability::Safe, "{}", f.message))
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut out = text.to_owned();
        for e in edits {
            out.replace_range(e.span.range(), &e.replacement);
        }
        let parse = kql_syntax::parse(&out);
        assert!(parse.errors.is_empty(), "fixed text does not parse: {out}");
        out
    }
}
