//! The lint rules, one file each. A rule file declares its `META` (code,
//! name, docs and pass/fail examples) and a `check` function.

use crate::context::LintContext;
use kqlint_diagnostics::Diagnostic;

pub(crate) mod assignment_in_where;
pub(crate) mod contains_instead_of_has;
pub(crate) mod contradictory_conditions;
pub(crate) mod has_ipv4;
pub(crate) mod impossible_case_comparison;
pub(crate) mod join_without_kind;
pub(crate) mod let_shadows_column;
pub(crate) mod makeset_limit;
pub(crate) mod missing_time_filter;
pub(crate) mod obsolete_function;
pub(crate) mod placeholder_in_metadata;
pub(crate) mod placeholder_without_effect;
pub(crate) mod regex_without_metacharacters;
pub(crate) mod take_without_sort;
pub(crate) mod tolower_comparison;
pub(crate) mod unbounded_mv_expand;
pub(crate) mod unfilled_placeholder;
pub(crate) mod unscoped_search;
pub(crate) mod unused_let;
pub(crate) mod wildcard_in_string_operator;

pub(crate) type Check = fn(&LintContext<'_>, &mut Vec<Diagnostic>);
