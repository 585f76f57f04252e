//! What a rule sees: the query, its tree, the schema catalogue, what kind
//! of query it is and the options.

use crate::placeholder::PlaceholderPatterns;
use kql_schema::Catalog;
use kql_syntax::Parse;
use kql_syntax::ast::{Expr, ExprKind, Pipeline};
use std::cell::OnceCell;

/// What the query is for. Some rules only make sense for some kinds (a
/// hunting query needs its own time filter; an analytic rule's time window
/// is its `queryPeriod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryKind {
    /// A `.kql` / `.csl` file.
    File,
    /// A scheduled or NRT analytic rule (has `queryFrequency`,
    /// `queryPeriod`, `triggerOperator` or `kind: Scheduled|NRT`).
    AnalyticRule,
    /// A hunting query: a rule YAML with a `query` and none of the above.
    Hunting,
    /// An entity Exploration Query (`InputEntityType` / `InputFields`): the
    /// portal fills `'<Name>'`-style parameters in at run time.
    Exploration,
    /// An ASIM or solution parser (`ParserQuery` / `FunctionQuery`).
    Parser,
}

impl QueryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryKind::File => "query file",
            QueryKind::AnalyticRule => "analytic rule",
            QueryKind::Hunting => "hunting query",
            QueryKind::Exploration => "exploration query",
            QueryKind::Parser => "parser",
        }
    }
}

/// Options from configuration.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub placeholders: PlaceholderPatterns,
}

/// One query, ready for the rules.
pub struct LintContext<'a> {
    /// The query text; spans index into it.
    pub text: &'a str,
    pub parse: &'a Parse,
    pub catalog: &'a Catalog,
    pub kind: QueryKind,
    pub options: &'a LintOptions,
    /// The semantic analysis of the query (what each name refers to, the
    /// row schema at each operator), when the caller ran it with
    /// `record` on. Rules fall back to what the tree alone shows.
    pub analysis: Option<&'a kql_semantic::Analysis>,
    /// Every expression of the query, collected once for all the rules
    /// that look at each one (a walk of a huge query is not cheap).
    exprs: OnceCell<Vec<&'a Expr>>,
}

impl<'a> LintContext<'a> {
    pub fn new(
        text: &'a str,
        parse: &'a Parse,
        catalog: &'a Catalog,
        kind: QueryKind,
        options: &'a LintOptions,
    ) -> LintContext<'a> {
        LintContext {
            text,
            parse,
            catalog,
            kind,
            options,
            analysis: None,
            exprs: OnceCell::new(),
        }
    }

    /// The same context with the query's semantic analysis.
    pub fn with_analysis(mut self, analysis: &'a kql_semantic::Analysis) -> LintContext<'a> {
        self.analysis = Some(analysis);
        self
    }

    /// Every expression of the query, pre-order
    /// ([`crate::ast_util::all_exprs`]).
    pub(crate) fn all_exprs(&self) -> &[&'a Expr] {
        self.exprs
            .get_or_init(|| crate::ast_util::all_exprs(&self.parse.query))
    }

    /// Every pipeline of the query (nested ones included), outermost
    /// first, as [`crate::ast_util::pipelines`] finds them.
    pub(crate) fn pipelines(&self) -> impl Iterator<Item = &'a Pipeline> + '_ {
        self.all_exprs().iter().filter_map(|e| match &e.kind {
            ExprKind::Pipeline(p) => Some(&**p),
            _ => None,
        })
    }

    /// Whether a span of the query overlaps a comment (a fix that would
    /// drop or move a comment is not offered as safe).
    pub(crate) fn has_comment_in(&self, span: kql_syntax::Span) -> bool {
        self.parse
            .comments
            .iter()
            .any(|c| c.start < span.end && span.start < c.end)
    }
}
