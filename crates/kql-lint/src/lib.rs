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
pub mod lookback;
pub mod placeholder;
mod rules;
pub mod shape;
pub mod suppression;

pub use context::{LintContext, LintOptions, QueryKind};
pub use placeholder::{PatternError, PlaceholderPatterns};

use kqlint_diagnostics::{Diagnostic, RuleMeta, Span};
use kqlint_source::YamlNode;

/// One rule of this crate: its metadata (which says whether it is opt-in)
/// and the check that runs it over a query (`None` for the rules reported
/// elsewhere: template text in rule metadata, KQL203 which the placeholder
/// check emits, and the suppression-comment rules).
pub struct Rule {
    pub meta: &'static RuleMeta,
    check: Option<rules::Check>,
}

impl Rule {
    const fn on(meta: &'static RuleMeta, check: rules::Check) -> Rule {
        Rule {
            meta,
            check: Some(check),
        }
    }
    const fn reported_elsewhere(meta: &'static RuleMeta) -> Rule {
        Rule { meta, check: None }
    }
}

/// Every rule of this crate (placeholder, lint and suppression-comment
/// rules), in code order: the one list the registry, the query checks and
/// the opt-in set all read.
pub static RULES: &[Rule] = {
    use rules::*;
    &[
        Rule::on(&unfilled_placeholder::META, unfilled_placeholder::check),
        Rule::reported_elsewhere(&placeholder_in_metadata::META),
        Rule::reported_elsewhere(&placeholder_without_effect::META),
        Rule::on(&join_without_kind::META, join_without_kind::check),
        Rule::on(
            &contains_instead_of_has::META,
            contains_instead_of_has::check,
        ),
        Rule::on(&tolower_comparison::META, tolower_comparison::check),
        Rule::on(&has_ipv4::META, has_ipv4::check),
        Rule::on(&obsolete_function::META, obsolete_function::check),
        Rule::on(&unused_let::META, unused_let::check),
        Rule::on(&let_shadows_column::META, let_shadows_column::check),
        Rule::on(&unscoped_search::META, unscoped_search::check),
        Rule::on(&take_without_sort::META, take_without_sort::check),
        Rule::on(&unbounded_mv_expand::META, unbounded_mv_expand::check),
        Rule::on(&missing_time_filter::META, missing_time_filter::check),
        Rule::on(
            &regex_without_metacharacters::META,
            regex_without_metacharacters::check,
        ),
        Rule::on(
            &wildcard_in_string_operator::META,
            wildcard_in_string_operator::check,
        ),
        Rule::on(
            &impossible_case_comparison::META,
            impossible_case_comparison::check,
        ),
        Rule::on(&makeset_limit::META, makeset_limit::check),
        Rule::on(&assignment_in_where::META, assignment_in_where::check),
        Rule::on(
            &contradictory_conditions::META,
            contradictory_conditions::check,
        ),
        Rule::reported_elsewhere(&suppression::UNUSED_SUPPRESSION),
        Rule::reported_elsewhere(&suppression::INVALID_SUPPRESSION),
    ]
};

/// The metadata of [`RULES`], for the registry.
pub fn metas() -> &'static [&'static RuleMeta] {
    static METAS: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    METAS.get_or_init(|| RULES.iter().map(|r| r.meta).collect())
}

/// Runs every query rule (placeholders and lints) over one parsed query.
/// Spans are offsets into the query text. Findings of every rule are
/// returned; selection is the caller's business.
pub fn lint_query(ctx: &LintContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in RULES.iter().filter_map(|r| r.check) {
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
        for m in metas() {
            let n: u32 = m.code[3..].parse().unwrap();
            match m.category {
                kqlint_diagnostics::Category::Placeholder => assert!((200..300).contains(&n)),
                kqlint_diagnostics::Category::Lint => assert!((300..400).contains(&n)),
                c => panic!("{} has category {c}", m.code),
            }
        }
        let mut codes: Vec<_> = metas().iter().map(|m| m.code).collect();
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
    fn only_the_rules_reported_elsewhere_have_no_query_check() {
        // Template text in rule metadata (checked by `lint_metadata`),
        // KQL203 (emitted by the placeholder check) and the two
        // suppression-comment rules (checked by the core).
        let elsewhere: Vec<&str> = RULES
            .iter()
            .filter(|r| r.check.is_none())
            .map(|r| r.meta.code)
            .collect();
        let expected = [
            rules::placeholder_in_metadata::META.code,
            rules::placeholder_without_effect::META.code,
            suppression::UNUSED_SUPPRESSION.code,
            suppression::INVALID_SUPPRESSION.code,
        ];
        assert_eq!(elsewhere, expected);
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
        assert!(RULES.iter().any(|r| r.meta.name == name), "no rule {name}");
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
