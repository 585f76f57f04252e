//! `union isfuzzy=true`: the engine resolves the union's legs leniently and
//! drops a leg that fails to resolve (with a warning in the query status)
//! instead of failing the query. An unknown name inside such a leg is then
//! not certain to fail the query: it is reported as a warning.
//!
//! A leg is a subquery (`(T | ...)`) or a name; a `let` function, view or
//! tabular value that the query uses only as legs of fuzzy unions (the
//! parser pattern `let E1 = () {...}; union isfuzzy=true E1, E2`) counts as
//! a leg too, as its body is bound where it is declared.

use super::Binder;
use crate::fx::FxMap;
use kql_syntax::Span;
use kql_syntax::ast::{Expr, ExprKind, LitKind, OpParam, Operator, OperatorKind, Query};
use kql_syntax::visit::{self, Visitor};
use kqlint_diagnostics::{Diagnostic, Severity};
use smol_str::SmolStr;

/// The `isfuzzy=true` parameter of a union, if it has one.
pub(super) fn fuzzy_param(params: &[OpParam]) -> Option<Span> {
    params
        .iter()
        .find(|p| p.name.name.eq_ignore_ascii_case("isfuzzy"))
        .filter(|p| match &p.value.kind {
            ExprKind::Literal(l) => match &l.kind {
                LitKind::Bool(b) => *b,
                LitKind::String(s) => s.value == "true",
                _ => false,
            },
            ExprKind::Name(id) => id.name == "true",
            _ => false,
        })
        .map(|p| p.span)
}

/// The names used only as legs of fuzzy unions (bare `E1` or `E1()`), each
/// with the `isfuzzy=true` of (the first of) those unions.
pub(super) fn fuzzy_only_names(query: &Query) -> FxMap<SmolStr, Span> {
    let mut v = Refs {
        all: FxMap::default(),
        fuzzy: FxMap::default(),
    };
    v.visit_query(query);
    v.fuzzy
        .into_iter()
        .filter(|(name, (n, _))| v.all.get(name) == Some(n))
        .map(|(name, (_, span))| (name, span))
        .collect()
}

struct Refs {
    /// Every reference of a name (a name expression or a call).
    all: FxMap<SmolStr, u32>,
    /// References that are legs of fuzzy unions, and the first union's
    /// `isfuzzy=true`.
    fuzzy: FxMap<SmolStr, (u32, Span)>,
}

fn referenced(e: &Expr) -> Option<&SmolStr> {
    match &e.kind {
        ExprKind::Name(id) => Some(&id.name),
        ExprKind::Call {
            receiver: None,
            func,
            ..
        } => Some(&func.name),
        _ => None,
    }
}

impl Visitor<'_> for Refs {
    fn visit_expr(&mut self, e: &Expr) {
        if let Some(n) = referenced(e) {
            *self.all.entry(n.clone()).or_default() += 1;
        }
        visit::walk_expr(self, e);
    }

    fn visit_operator(&mut self, op: &Operator) {
        if let OperatorKind::Union { params, tables } = &op.kind
            && let Some(span) = fuzzy_param(params)
        {
            for t in tables {
                if let Some(n) = referenced(t) {
                    self.fuzzy.entry(n.clone()).or_insert((0, span)).0 += 1;
                }
            }
        }
        visit::walk_operator(self, op);
    }
}

impl Binder<'_> {
    /// Binds `f` as (part of) a leg of the union whose `isfuzzy=true` is at
    /// `fuzzy`: unknown names found meanwhile are warnings.
    pub(super) fn in_fuzzy_leg<R>(&mut self, fuzzy: Span, f: impl FnOnce(&mut Self) -> R) -> R {
        self.fuzzy.push(fuzzy);
        let r = f(self);
        self.fuzzy.pop();
        r
    }

    /// A diagnostic found inside a leg of a fuzzy union, as reported: an
    /// unknown table, column or function (or a join key one side lacks) is
    /// a warning, since the engine may drop the leg instead.
    pub(super) fn soften_in_fuzzy_leg(&self, d: Diagnostic) -> Diagnostic {
        use crate::rules::*;
        let Some(&fuzzy) = self.fuzzy.last() else {
            return d;
        };
        let unknown_name = [
            UNKNOWN_TABLE.code,
            UNKNOWN_COLUMN.code,
            UNKNOWN_FUNCTION.code,
            JOIN_COLUMN_NOT_ON_BOTH_SIDES.code,
        ]
        .contains(&d.code);
        if !unknown_name || d.severity != Severity::Error {
            return d;
        }
        const NOTE: &str = "this is inside a leg of `union isfuzzy=true`: the engine may drop a leg that fails to resolve instead of failing the query";
        let help = match &d.help {
            Some(h) => format!("{h}; {NOTE}"),
            None => NOTE.to_owned(),
        };
        d.with_severity(Severity::Warning)
            .with_help(help)
            .with_label(fuzzy, "the union's legs are resolved leniently")
    }
}
