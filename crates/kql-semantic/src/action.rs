//! ActionType awareness (DeviceNetworkEvents): unknown ActionType values
//! and columns the kept ActionTypes never fill.

use crate::binder::{Binder, Out, Tab};
use crate::rules::{ACTION_TYPE_COLUMN_NOT_POPULATED, UNKNOWN_ACTION_TYPE};
use crate::ty::Column;
use crate::{Narrowing, Resolved};
use kql_schema::{ActionTypeCatalog, ActionTypeFields, Populated};
use kql_syntax::Span;
use kql_syntax::ast::{BinaryOp, Expr, ExprKind, InOp, LitKind};
use kqlint_diagnostics::{Applicability, Diagnostic, Fix};
use smol_str::SmolStr;
use std::collections::BTreeSet;
use std::sync::Arc;

/// How an operator compares a value with a literal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Match {
    Exact { ci: bool },
    Prefix { ci: bool },
    Suffix { ci: bool },
    Contains { ci: bool },
}

fn binary_match(op: BinaryOp) -> Option<Match> {
    use BinaryOp::*;
    Some(match op {
        Eq | NotEq | HasCs | NotHasCs => Match::Exact { ci: false },
        EqCi | NotEqCi | Has | NotHas => Match::Exact { ci: true },
        StartsWith | NotStartsWith | HasPrefix | NotHasPrefix => Match::Prefix { ci: true },
        StartsWithCs | NotStartsWithCs | HasPrefixCs | NotHasPrefixCs => {
            Match::Prefix { ci: false }
        }
        EndsWith | NotEndsWith | HasSuffix | NotHasSuffix => Match::Suffix { ci: true },
        EndsWithCs | NotEndsWithCs | HasSuffixCs | NotHasSuffixCs => Match::Suffix { ci: false },
        Contains | NotContains => Match::Contains { ci: true },
        ContainsCs | NotContainsCs => Match::Contains { ci: false },
        _ => return None,
    })
}

fn in_match(op: InOp) -> Match {
    match op {
        InOp::In | InOp::NotIn => Match::Exact { ci: false },
        InOp::InCi | InOp::NotInCi | InOp::HasAny | InOp::HasAll => Match::Exact { ci: true },
    }
}

fn eq(a: &str, b: &str, ci: bool) -> bool {
    if ci {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

fn lower(s: &str, ci: bool) -> String {
    if ci {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

/// Whether some known ActionType satisfies the comparison.
fn matches_known(cat: &ActionTypeCatalog, m: Match, v: &str) -> bool {
    cat.names().any(|n| match m {
        Match::Exact { ci } => eq(n, v, ci),
        Match::Prefix { ci } => lower(n, ci).starts_with(&lower(v, ci)),
        Match::Suffix { ci } => lower(n, ci).ends_with(&lower(v, ci)),
        Match::Contains { ci } => lower(n, ci).contains(&lower(v, ci)),
    })
}

/// The nearest value the literal was probably meant to be.
fn suggest(cat: &ActionTypeCatalog, m: Match, v: &str) -> Option<String> {
    let len = v.chars().count();
    match m {
        Match::Exact { .. } => cat.suggest(v).map(str::to_owned),
        Match::Prefix { .. } => {
            // the prefixes one longer first: `Conection` -> `Connection`
            let mut cands: Vec<String> = cat
                .names()
                .map(|n| n.chars().take(len + 1).collect())
                .collect();
            cands.extend(cat.names().map(|n| n.chars().take(len).collect::<String>()));
            crate::binder::suggest(v, cands.iter().map(String::as_str)).map(str::to_owned)
        }
        Match::Suffix { .. } => {
            let cands: Vec<String> = cat
                .names()
                .map(|n| {
                    let c: Vec<char> = n.chars().collect();
                    c[c.len().saturating_sub(len)..].iter().collect()
                })
                .collect();
            crate::binder::suggest(v, cands.iter().map(String::as_str)).map(str::to_owned)
        }
        Match::Contains { .. } => None,
    }
}

fn string_literal(e: &Expr) -> Option<(&str, Span, char)> {
    match &e.kind {
        ExprKind::Literal(l) => match &l.kind {
            LitKind::String(s) if !s.obfuscated && s.parts.len() == 1 => {
                Some((s.value.as_str(), l.span, quote_of(l.span)))
            }
            _ => None,
        },
        ExprKind::Paren(inner) => string_literal(inner),
        _ => None,
    }
}

fn quote_of(_span: Span) -> char {
    '"'
}

impl<'a> Binder<'a> {
    /// The ActionType catalogue of the table whose `ActionType` column this
    /// is (an unchanged table column named `ActionType`).
    fn action_catalog_of(&self, col: Option<&Column>) -> Option<&'a ActionTypeCatalog> {
        if !self.opts.action_type_checks {
            return None;
        }
        let o = col?.origin.as_ref()?;
        if o.column != "ActionType" {
            return None;
        }
        self.catalog.action_types(&o.table)
    }

    pub(crate) fn check_action_type_binary(
        &mut self,
        op: BinaryOp,
        l: &Out,
        r: &Out,
        lhs: &Expr,
        rhs: &Expr,
    ) {
        let Some(m) = binary_match(op) else {
            return;
        };
        if let Some(cat) = self.action_catalog_of(l.col.as_ref()) {
            if let Some(lit) = string_literal(rhs) {
                self.check_literal(cat, m, lit, op.as_str());
            }
        } else if let Some(cat) = self.action_catalog_of(r.col.as_ref())
            && matches!(m, Match::Exact { .. })
            && let Some(lit) = string_literal(lhs)
        {
            self.check_literal(cat, m, lit, op.as_str());
        }
    }

    pub(crate) fn check_action_type_in(
        &mut self,
        l: &Out,
        op: InOp,
        list: &[Expr],
        _cx: &crate::binder::Cx<'a>,
    ) {
        let Some(cat) = self.action_catalog_of(l.col.as_ref()) else {
            return;
        };
        let m = in_match(op);
        for item in list {
            if let Some(lit) = string_literal(item) {
                self.check_literal(cat, m, lit, op.as_str());
            }
        }
    }

    fn check_literal(
        &mut self,
        cat: &ActionTypeCatalog,
        m: Match,
        (v, span, _q): (&str, Span, char),
        op: &str,
    ) {
        let known = matches_known(cat, m, v);
        let name: SmolStr = v.into();
        self.record(span, &name, Resolved::ActionType { known });
        if known {
            return;
        }
        let table = cat.table.clone();
        let suggestion = suggest(cat, m, v).filter(|s| s != v);
        let not_a_value = matches!(m, Match::Exact { .. })
            && (v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric()));
        let text = span.text(self.src);
        let quote = text
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .unwrap_or('"');
        let d = match suggestion {
            Some(s) => {
                let case_only = s.eq_ignore_ascii_case(v);
                let msg = if case_only {
                    format!(
                        "`{v}` is not an ActionType of {table}; did you mean `{s}`? ActionType values are case-sensitive with `{op}`"
                    )
                } else {
                    format!("`{v}` is not an ActionType of {table}; did you mean `{s}`?")
                };
                let mut d = Diagnostic::new(&UNKNOWN_ACTION_TYPE, span, msg);
                // only a whole-value replacement is offered
                if matches!(m, Match::Exact { .. }) && text.starts_with(quote) {
                    d = d.with_fix(Fix::replace(
                        format!("Replace `{v}` with `{s}`"),
                        span,
                        format!("{quote}{s}{quote}"),
                        if case_only {
                            Applicability::Safe
                        } else {
                            Applicability::Unsafe
                        },
                    ));
                }
                d
            }
            None if not_a_value => Diagnostic::new(
                &UNKNOWN_ACTION_TYPE,
                span,
                format!(
                    "`{v}` cannot be an ActionType of {table}: ActionType values are single words such as `ConnectionSuccess`"
                ),
            ),
            None => return,
        };
        self.report(d);
    }

    /// The ActionTypes every row satisfying `pred` has, when `pred` says so
    /// (`ActionType == "X"`, `in ("X", "Y")`, conjunctions and
    /// disjunctions of them). `None`: no constraint.
    pub(crate) fn narrowing_of(
        &self,
        pred: &Expr,
        row: &Tab,
    ) -> Option<(SmolStr, BTreeSet<SmolStr>)> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.narrowing_of_inner(pred, row)
        })
    }

    fn narrowing_of_inner(&self, pred: &Expr, row: &Tab) -> Option<(SmolStr, BTreeSet<SmolStr>)> {
        match &pred.kind {
            ExprKind::Paren(inner) => self.narrowing_of(inner, row),
            ExprKind::Binary { op, lhs, rhs, .. } => match op {
                BinaryOp::And => {
                    let (l, r) = (self.narrowing_of(lhs, row), self.narrowing_of(rhs, row));
                    match (l, r) {
                        (Some((t, a)), Some((t2, b))) if t == t2 => {
                            Some((t, a.intersection(&b).cloned().collect()))
                        }
                        (Some(x), None) | (None, Some(x)) => Some(x),
                        (Some(x), Some(_)) => Some(x),
                        (None, None) => None,
                    }
                }
                BinaryOp::Or => {
                    let (t, a) = self.narrowing_of(lhs, row)?;
                    let (t2, b) = self.narrowing_of(rhs, row)?;
                    (t == t2).then(|| (t, a.union(&b).cloned().collect()))
                }
                BinaryOp::Eq | BinaryOp::EqCi => {
                    let ci = *op == BinaryOp::EqCi;
                    let (cat, lit) =
                        match (self.action_column(lhs, row), self.action_column(rhs, row)) {
                            (Some(c), _) => (c, string_literal(rhs)?.0),
                            (_, Some(c)) => (c, string_literal(lhs)?.0),
                            _ => return None,
                        };
                    Some((
                        cat.table.clone(),
                        [normalise(cat, lit, ci)].into_iter().collect(),
                    ))
                }
                _ => None,
            },
            ExprKind::InList { op, lhs, list, .. } if matches!(op, InOp::In | InOp::InCi) => {
                let cat = self.action_column(lhs, row)?;
                let ci = *op == InOp::InCi;
                let mut set = BTreeSet::new();
                for item in list {
                    set.insert(normalise(cat, string_literal(item)?.0, ci));
                }
                Some((cat.table.clone(), set))
            }
            _ => None,
        }
    }

    fn action_column(&self, e: &Expr, row: &Tab) -> Option<&'a ActionTypeCatalog> {
        match &e.kind {
            ExprKind::Paren(inner) => self.action_column(inner, row),
            ExprKind::Name(id) => self.action_catalog_of(row.schema.column(&id.name)),
            _ => None,
        }
    }

    /// Narrows a row set by a `where` predicate.
    pub(crate) fn narrow(&self, input: &Tab, pred: &Expr) -> Option<Arc<Narrowing>> {
        if !self.opts.action_type_checks {
            return None;
        }
        let Some((table, set)) = self.narrowing_of(pred, input) else {
            return input.narrow.clone();
        };
        let set = match &input.narrow {
            Some(n) if n.table == table => {
                let prev: BTreeSet<SmolStr> = n.action_types.iter().cloned().collect();
                prev.intersection(&set).cloned().collect()
            }
            _ => set,
        };
        Some(Arc::new(Narrowing {
            table,
            action_types: set.into_iter().collect(),
        }))
    }

    /// Warns when a referenced column is never filled for the ActionTypes
    /// the rows are narrowed to.
    pub(crate) fn check_populated(&mut self, col: &Column, span: Span, row: &Tab) {
        let Some(n) = &row.narrow else {
            return;
        };
        let Some(o) = &col.origin else {
            return;
        };
        if o.table != n.table || n.action_types.is_empty() || self.quiet > 0 {
            return;
        }
        let Some(cat) = self.catalog.action_types(&n.table) else {
            return;
        };
        if cat.is_populated_for_any(n.action_types.iter().map(SmolStr::as_str), &o.column)
            != Populated::No
        {
            return;
        }
        if !self.reported.insert((span.start, span.end)) {
            return;
        }
        let ats: Vec<String> = n.action_types.iter().map(|a| format!("`{a}`")).collect();
        let mut filled: Vec<&str> = Vec::new();
        for a in &n.action_types {
            if let Some(at) = cat.get(a)
                && let ActionTypeFields::Documented { populated, .. } = &at.fields
            {
                for c in populated {
                    if cat.is_dependent(c) && !filled.contains(&c.as_str()) {
                        filled.push(c);
                    }
                }
            }
        }
        let reason = n
            .action_types
            .iter()
            .find_map(|a| cat.not_populated_reason(a, &o.column));
        let what = if col.name == o.column {
            format!("`{}`", col.name)
        } else {
            format!("`{}` (a copy of `{}`)", col.name, o.column)
        };
        let msg = format!(
            "{what} is not populated for ActionType {}",
            ats.join(" or ")
        );
        let mut help = String::new();
        if !filled.is_empty() {
            help.push_str(&format!(
                "events of {} fill: {}",
                if ats.len() == 1 {
                    "that ActionType"
                } else {
                    "those ActionTypes"
                },
                filled.join(", ")
            ));
        }
        if let Some(r) = reason {
            if !help.is_empty() {
                help.push_str("; ");
            }
            help.push_str(r);
        }
        let mut d = Diagnostic::new(&ACTION_TYPE_COLUMN_NOT_POPULATED, span, msg);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.report(d);
    }
}

/// The catalogue's spelling of a value compared case-insensitively.
fn normalise(cat: &ActionTypeCatalog, v: &str, ci: bool) -> SmolStr {
    if ci && let Some(a) = cat.get_ignore_case(v) {
        return a.name.clone();
    }
    v.into()
}
