//! KQL semantic analysis: the binder.
//!
//! Given a parsed query ([`kql_syntax::Parse`]) and a schema [`Catalog`],
//! [`analyze`] resolves every name (columns of the current row, `let`
//! variables and functions, parameters, tables, built-in and stored
//! functions), computes the row schema through every tabular operator the
//! way Kusto does (including its exact output column names: `count_`,
//! `min_Timestamp`, `Column1`, `x1` after a `join`, ...), types
//! expressions, and reports:
//!
//! - unknown tables, columns and functions, with did-you-mean and a fix
//!   (`unknown-table` KQL101, `unknown-column` KQL102, `unknown-function`
//!   KQL103);
//! - argument counts, argument and operand types where they are certain,
//!   aggregates outside `summarize`, tables used as scalars and the reverse,
//!   duplicate `let`s and columns (KQL104–KQL112);
//! - DeviceNetworkEvents ActionType checks (KQL150–KQL169): misspelt
//!   ActionType values, and columns that the ActionTypes kept by a `where`
//!   never fill.
//!
//! No false alarms is the first rule: where a schema cannot be known
//! offline (an unknown table, `evaluate bag_unpack`, a watchlist, a stored
//! function with an open result...) the row schema is *open* and nothing is
//! reported about names in it; types are checked only where they are
//! certain.
//!
//! ```
//! use kql_semantic::{analyze, Options, QueryResult};
//! let src = "DeviceNetworkEvents | where RemoteIp == '1.2.3.4' | summarize count() by DeviceName";
//! let parse = kql_syntax::parse(src);
//! let a = analyze(&parse, src, kql_schema::Catalog::builtin(), &Options::default());
//! assert_eq!(a.diagnostics[0].name, "unknown-column");
//! assert!(a.diagnostics[0].message.contains("did you mean `RemoteIP`"));
//! let QueryResult::Table(t) = &a.result else { panic!() };
//! let names: Vec<_> = t.visible().map(|c| c.name.as_str()).collect();
//! assert_eq!(names, ["DeviceName", "count_"]);
//! assert_eq!(a.tables, ["DeviceNetworkEvents"]);
//! ```

mod action;
mod binder;
mod budget;
mod builtins;
mod fx;
mod names;
mod operators;
pub mod rules;
mod ty;

pub use budget::{ANALYSIS_LIMIT, Interrupt, Limit, MAX_ROW_WIDTH, MAX_WORK};
pub use rules::RULES;
pub use ty::{Column, Openness, Origin, Partial, Schema, Ty};

use kql_schema::Catalog;
use kql_syntax::{Parse, Span};
use kqlint_diagnostics::{Diagnostic, Severity};
use smol_str::SmolStr;
use std::sync::Arc;

/// Settings of the analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// The DeviceNetworkEvents ActionType checks (KQL150–KQL169).
    pub action_type_checks: bool,
    /// Record every name occurrence, operator input and `let` (for the
    /// language server and lint rules). Diagnostics and the result do not
    /// depend on it.
    pub record: bool,
    /// How deep calls of user functions may nest before their results are
    /// taken as unknown.
    pub max_call_depth: u32,
    /// Diagnostics kept; past it the rest are only counted
    /// ([`Analysis::dropped`]), so a hostile text (a million bad lines)
    /// does not hold a million messages.
    pub max_diagnostics: usize,
    /// The catalogue's platform was assumed (nothing declared it): a name
    /// of the other platform is a warning rather than an error, and a
    /// column the two platforms type differently gets no type.
    pub platform_assumed: bool,
    /// The widest row schema followed: a wider one is cut to this many
    /// columns and made open ([`Limit::Width`]).
    pub max_row_width: usize,
    /// The most columns all operators may produce together; past it the
    /// rest of the query is bound without columns ([`Limit::Work`]).
    pub max_work: u64,
    /// Stops the analysis from outside (a deadline, a cancel flag).
    pub interrupt: Interrupt,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            action_type_checks: true,
            record: true,
            max_call_depth: 32,
            max_diagnostics: 10_000,
            platform_assumed: false,
            max_row_width: MAX_ROW_WIDTH,
            max_work: MAX_WORK,
            interrupt: Interrupt::default(),
        }
    }
}

/// What a query yields.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryResult {
    /// A table, with these columns (hidden ones are not part of the
    /// result; [`Schema::visible`]). An open schema means more columns may
    /// exist than are listed.
    Table(Schema),
    /// A scalar value (`print`-less scalar expression statement).
    Scalar(Ty),
    /// No result: only `let`/`set`/`declare` statements, or an empty text.
    None,
}

impl QueryResult {
    /// The result columns as `(name, type name)` pairs, hidden columns left
    /// out; `None` when the result is not a table.
    pub fn columns(&self) -> Option<Vec<(&str, &'static str)>> {
        match self {
            QueryResult::Table(s) => Some(
                s.visible()
                    .map(|c| (c.name.as_str(), c.ty.as_str()))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Whether the result may have columns beyond those listed.
    pub fn is_open(&self) -> bool {
        matches!(self, QueryResult::Table(s) if s.is_open())
    }
}

/// What a name occurrence refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// A column of the current row set (its type, and the table it comes
    /// from when it is an unchanged table column).
    Column { ty: Ty, table: Option<SmolStr> },
    /// A column of an open row set that the analysis cannot see.
    OpenColumn,
    /// A table of the catalogue.
    Table,
    /// A `let` variable (scalar or tabular), with the span of its name in
    /// the `let` statement.
    Let {
        definition: Span,
        tabular: bool,
        ty: Ty,
    },
    /// A `let` function (or view).
    LetFunction { definition: Span },
    /// A parameter of a function or of `declare query_parameters`.
    Parameter { definition: Span, ty: Option<Ty> },
    /// A built-in scalar function, aggregate or plug-in.
    BuiltinFunction { kind: kql_schema::FunctionKind },
    /// A stored (workspace) function: `_GetWatchlist`, ASIM parsers, ...
    StoredFunction,
    /// A string literal compared with DeviceNetworkEvents' `ActionType`,
    /// and whether the catalogue knows it.
    ActionType { known: bool },
    /// A name that could not be resolved (a diagnostic says why, unless it
    /// was in an open row set).
    Unresolved,
}

/// One name occurrence and what it refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct NameRef {
    pub span: Span,
    pub name: SmolStr,
    pub resolved: Resolved,
}

/// The ActionTypes a row set is narrowed to (DeviceNetworkEvents only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narrowing {
    pub table: SmolStr,
    /// Every row has one of these ActionTypes (sorted, unique).
    pub action_types: Vec<SmolStr>,
}

/// One tabular operator of the query, with the row schema flowing into it.
#[derive(Clone, Debug)]
pub struct OperatorInfo {
    /// The operator's name (`where`, `project-away`, ...).
    pub name: SmolStr,
    pub span: Span,
    pub keyword_span: Span,
    /// The row schema its expressions see (for `join`/`lookup`: the left side).
    pub input: Schema,
    /// Its output.
    pub output: Schema,
    /// The ActionType narrowing in effect for its input (shared with the
    /// binder and the other operators it holds for: no copy per operator).
    pub narrowing: Option<Arc<Narrowing>>,
}

/// What a `let` declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetKind {
    Scalar,
    Tabular,
    Function,
    View,
    /// A parameter of `declare query_parameters`.
    QueryParameter,
}

/// A `let` statement (or query parameter) and the places that use it.
#[derive(Clone, Debug)]
pub struct LetInfo {
    pub name: SmolStr,
    /// The span of the declared name.
    pub name_span: Span,
    /// The whole statement.
    pub span: Span,
    pub kind: LetKind,
    /// The type of a scalar `let` (`unknown` otherwise).
    pub ty: Ty,
    /// Every reference, in source order.
    pub references: Vec<Span>,
}

/// The result of [`analyze`].
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Semantic diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// What the query yields.
    pub result: QueryResult,
    /// The catalogue tables the query reads (through `let`s, functions and
    /// wildcards), sorted and unique.
    pub tables: Vec<SmolStr>,
    /// Every name occurrence, in source order (empty unless
    /// [`Options::record`]).
    pub names: Vec<NameRef>,
    /// Every tabular operator, in source order (empty unless [`Options::record`]).
    pub operators: Vec<OperatorInfo>,
    /// Every `let` and query parameter, in source order.
    pub lets: Vec<LetInfo>,
    /// Diagnostics past [`Options::max_diagnostics`], counted, not kept,
    /// and the worst severity among them.
    pub dropped: usize,
    pub dropped_worst: Option<Severity>,
    /// Why the analysis did not follow the whole query (an
    /// `analysis-limit` diagnostic says where), if it did not.
    pub limit: Option<Limit>,
}

impl Analysis {
    /// The name occurrence at a byte offset (an editor cursor right after a
    /// name counts).
    pub fn name_at(&self, offset: u32) -> Option<&NameRef> {
        self.names.iter().find(|n| n.span.touches(offset))
    }

    /// The innermost operator whose text contains `offset`.
    pub fn operator_at(&self, offset: u32) -> Option<&OperatorInfo> {
        self.operators
            .iter()
            .filter(|o| o.span.touches(offset))
            .min_by_key(|o| o.span.len())
    }

    /// The columns in scope at a byte offset (those of the innermost
    /// operator's input), for completion.
    pub fn columns_at(&self, offset: u32) -> Option<&Schema> {
        self.operator_at(offset).map(|o| &o.input)
    }

    /// The name occurrence with exactly this span (names are sorted).
    pub fn name_with_span(&self, span: Span) -> Option<&NameRef> {
        self.names
            .binary_search_by_key(&(span.start, span.end), |n| (n.span.start, n.span.end))
            .ok()
            .map(|i| &self.names[i])
    }

    /// The `let` declared at `name_span` (as given in [`Resolved::Let`]).
    pub fn let_at(&self, name_span: Span) -> Option<&LetInfo> {
        self.lets.iter().find(|l| l.name_span == name_span)
    }

    /// `let`s that nothing references.
    pub fn unused_lets(&self) -> impl Iterator<Item = &LetInfo> {
        self.lets.iter().filter(|l| l.references.is_empty())
    }
}

/// Analyses a parsed query. `src` is the text that was parsed (for
/// messages and fixes). Never panics, whatever the tree.
pub fn analyze(parse: &Parse, src: &str, catalog: &Catalog, options: &Options) -> Analysis {
    ANALYSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    binder::Binder::run(parse, src, catalog, options)
}

/// How many analyses ([`analyze`]) this process has run: a test can check
/// that a caller analyses each snapshot of a document once.
pub fn analyses_run() -> usize {
    ANALYSES.load(std::sync::atomic::Ordering::Relaxed)
}

static ANALYSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
