//! Scalar expressions, names, calls and output-column naming.

use super::{Binder, Cx, Decl, Fact, Out, Sym, Tab, Val, env_lookup, env_names, literal_string};
use crate::builtins::{self, CallProblem};
use crate::names::{ProjBuilder, name_fragment};
use crate::rules::*;
use crate::ty::{Column, Schema, Ty};
use crate::{Resolved, operators};
use kql_schema::{Function, FunctionKind, ResultNameKind, ReturnKind};
use kql_syntax::Span;
use kql_syntax::ast::{self, ColumnExpr, ColumnNames, Expr, ExprKind, Ident, LitKind};
use kqlint_diagnostics::{Applicability, Diagnostic, Fix};
use smol_str::{SmolStr, format_smolstr};
use std::rc::Rc;

/// How a projection treats its columns (Kusto's `ProjectionStyle`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Style {
    Default,
    Extend,
    Print,
    Replace,
    Summarize,
}

/// The conversion functions whose call on a column of the target type is a
/// no-op (the result stands for the column).
const CONVERSIONS: &[&str] = &[
    "tobool",
    "toboolean",
    "todatetime",
    "todecimal",
    "todouble",
    "toreal",
    "todynamic",
    "toobject",
    "toguid",
    "toint",
    "tolong",
    "tostring",
    "totime",
    "totimespan",
];

fn ident_text(name: &str, quoted: bool) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain && !quoted {
        name.to_string()
    } else {
        format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

fn literal_type(l: &ast::Literal) -> Ty {
    match &l.kind {
        LitKind::Bool(_) => Ty::Bool,
        LitKind::Long(_) => Ty::Long,
        LitKind::Int(_) => Ty::Int,
        LitKind::Real(_) => Ty::Real,
        LitKind::Decimal(_) => Ty::Decimal,
        LitKind::String(_) => Ty::String,
        LitKind::DateTime(_) => Ty::DateTime,
        LitKind::TimeSpan(_) => Ty::TimeSpan,
        LitKind::Guid(_) => Ty::Guid,
        LitKind::Dynamic(_) => Ty::Dynamic,
        LitKind::TypedNull(t) => Ty::parse(&t.name).unwrap_or(Ty::Unknown),
        LitKind::TypeOf(_) => Ty::Unknown,
    }
}

/// The type a `typeof(...)` literal or a type-name string names.
fn type_literal(e: &Expr) -> Option<Ty> {
    match &e.kind {
        ExprKind::Literal(ast::Literal {
            kind: LitKind::TypeOf(items),
            ..
        }) if items.len() == 1 => match &items[0] {
            ast::TypeOfItem::Type(t) => Ty::parse(&t.name),
            ast::TypeOfItem::Column(_) => None,
        },
        _ => literal_string(e).and_then(Ty::parse),
    }
}

impl<'a> Binder<'a> {
    // ------------------------------------------------------------ values

    /// Binds any expression (scalar or tabular).
    pub fn value(&mut self, e: &'a Expr, cx: &Cx<'a>) -> Out {
        self.deeper(|b| b.value_inner(e, cx))
            .unwrap_or_else(Out::any)
    }

    /// Binds an expression that must be scalar.
    pub fn scalar(&mut self, e: &'a Expr, cx: &Cx<'a>) -> Out {
        let out = self.value(e, cx);
        if let Val::Table(_) = out.val {
            self.diag(
                &SCALAR_EXPECTED,
                e.span,
                "a table is used where a scalar value is expected",
            );
            return Out::any();
        }
        out
    }

    /// Binds an expression that must be tabular.
    pub fn tabular(&mut self, e: &'a Expr, cx: &Cx<'a>) -> Tab {
        let out = match &e.kind {
            ExprKind::Paren(inner) => return self.tabular(inner, cx),
            ExprKind::Name(id) => self.name(id, cx, true),
            ExprKind::NamePattern(p) => Out::val(Val::Table(self.table_pattern(p, false))),
            _ => self.value(e, cx),
        };
        match out.val {
            Val::Table(t) => t,
            Val::Scalar(t) if t.is_known() => {
                self.diag(
                    &TABULAR_EXPECTED,
                    e.span,
                    format!("a tabular expression is expected here, but this is a scalar value of type `{t}`"),
                );
                Tab::open()
            }
            _ => Tab::open(),
        }
    }

    fn value_inner(&mut self, e: &'a Expr, cx: &Cx<'a>) -> Out {
        match &e.kind {
            ExprKind::Error | ExprKind::Star | ExprKind::EntityGroup(_) => {
                if let ExprKind::EntityGroup(items) = &e.kind {
                    for i in items {
                        let _ = self.value(i, &cx.no_row());
                    }
                }
                Out::any()
            }
            ExprKind::Literal(l) => {
                let mut o = Out::scalar(literal_type(l));
                o.constant = true;
                if let LitKind::String(s) = &l.kind {
                    o.string = Some(SmolStr::new(&s.value));
                }
                o
            }
            ExprKind::Name(id) => self.name(id, cx, false),
            ExprKind::NamePattern(p) => {
                if cx.row.is_some() {
                    // a column pattern outside the operators that take one
                    Out::any()
                } else {
                    Out::val(Val::Table(self.table_pattern(p, false)))
                }
            }
            ExprKind::Paren(inner) => {
                let o = self.value(inner, cx);
                Out { col: None, ..o }
            }
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => {
                let o = self.scalar(operand, cx);
                match operators::unary(*op, o.ty(), o.constant) {
                    Ok(t) => Out {
                        constant: o.constant,
                        ..Out::scalar(t)
                    },
                    Err(t) => {
                        self.diag(
                            &OPERAND_TYPE_MISMATCH,
                            *op_span,
                            format!(
                                "the operator `{}` is not defined for a value of type `{}`",
                                if *op == ast::UnaryOp::Neg { "-" } else { "+" },
                                o.ty()
                            ),
                        );
                        Out::scalar(t)
                    }
                }
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs, cx),
            ExprKind::InList {
                op,
                op_span,
                lhs,
                list,
                ..
            } => {
                let l = self.scalar(lhs, cx);
                for item in list {
                    let _ = self.value(item, cx);
                }
                if !operators::in_lhs_ok(*op, l.ty()) {
                    self.diag(
                        &OPERAND_TYPE_MISMATCH,
                        *op_span,
                        format!(
                            "the operator `{}` needs a string or dynamic value on its left, not `{}`",
                            op.as_str(),
                            l.ty()
                        ),
                    );
                }
                self.check_action_type_in(&l, *op, list, cx);
                Out::scalar(Ty::Bool)
            }
            ExprKind::Between {
                op_span,
                lhs,
                low,
                high,
                ..
            } => {
                let l = self.scalar(lhs, cx);
                let lo = self.scalar(low, cx).ty();
                let hi = self.scalar(high, cx).ty();
                let lt = l.ty();
                // the bounds must be of the value's kind (a datetime's upper
                // bound may be a timespan: `between (start .. 1d)`)
                for (bound, t, upper) in [(low, lo, false), (high, hi, true)] {
                    if !t.is_certain() {
                        continue;
                    }
                    let expected = match lt {
                        x if x.is_numeric() => (!t.is_numeric()).then_some("a number"),
                        Ty::DateTime if upper => (!matches!(t, Ty::DateTime | Ty::TimeSpan))
                            .then_some("a datetime or a timespan"),
                        Ty::DateTime => (t != Ty::DateTime).then_some("a datetime"),
                        Ty::TimeSpan => (t != Ty::TimeSpan).then_some("a timespan"),
                        _ => None,
                    };
                    if let Some(expected) = expected {
                        self.diag(
                            &OPERAND_TYPE_MISMATCH,
                            bound.span,
                            format!(
                                "a `between` bound of a `{lt}` value must be {expected}, not `{t}`"
                            ),
                        );
                    }
                }
                if !operators::between_ok(l.ty()) {
                    self.diag(
                        &OPERAND_TYPE_MISMATCH,
                        *op_span,
                        format!(
                            "`between` needs a number, datetime or timespan value, not `{}`",
                            l.ty()
                        ),
                    );
                }
                Out::scalar(Ty::Bool)
            }
            ExprKind::Call {
                receiver,
                func,
                args,
                ..
            } => self.call(e, receiver.as_deref(), func, args, cx),
            ExprKind::Member { expr, name } => self.member(e, expr, name, cx),
            ExprKind::Index { expr, index } => {
                let recv = self.scalar(expr, cx);
                let _ = self.scalar(
                    index,
                    &Cx {
                        agg: cx.agg,
                        ..cx.clone()
                    },
                );
                self.recv.insert(expr.span, recv.ty());
                Out::scalar(match recv.ty() {
                    Ty::Unknown => Ty::Unknown,
                    _ => Ty::Dynamic,
                })
            }
            ExprKind::Pipeline(p) => {
                let t = self.pipeline(p, None, cx);
                Out::val(Val::Table(t))
            }
            ExprKind::Operator(op) => {
                let t = self.operator(op, None, cx);
                Out::val(Val::Table(t))
            }
            // `where Name = expr`: Kusto ignores the name
            ExprKind::Named(n) => {
                let o = self.value(&n.expr, cx);
                Out { col: None, ..o }
            }
        }
    }

    fn member(&mut self, e: &'a Expr, expr: &'a Expr, name: &'a Ident, cx: &Cx<'a>) -> Out {
        // $left.x / $right.x in join conditions
        if let ExprKind::Name(side) = &expr.kind
            && (side.name == "$left" || side.name == "$right")
        {
            let row = if side.name == "$left" {
                cx.row.clone()
            } else {
                cx.right.clone()
            };
            let Some(row) = row else {
                return Out::any();
            };
            // the column must be on that side (Kusto.Language reports it
            // since its issue #105)
            if row.schema.column(&name.name).is_none()
                && !row.schema.is_open()
                && !cx.lenient
                && self.quiet == 0
            {
                let left = side.name == "$left";
                let other = if left { &cx.right } else { &cx.row };
                self.unknown_side_column(name, &row, other.as_ref(), left);
            }
            return self.column_ref(name, &row, cx, false);
        }
        // `workspace("w").SigninLogs`, `app("a").requests`, ...
        if let Some(t) = self.scoped_table(expr, name, cx) {
            return Out::val(Val::Table(t));
        }
        let recv = self.value(expr, cx);
        match recv.val {
            Val::Table(_) => {
                // `database("d").T`, `T.column`: not modelled
                Out::any()
            }
            Val::Any => {
                self.recv.insert(expr.span, Ty::Unknown);
                Out::scalar(Ty::Unknown)
            }
            _ => {
                let t = recv.ty();
                self.recv.insert(expr.span, t);
                let _ = e;
                // A table column without a type is one the two platforms
                // type differently (the platform was only assumed); member
                // access works on the `dynamic` one only, so it is that.
                let table_column = recv.col.as_ref().is_some_and(|c| c.origin.is_some());
                Out::scalar(if t.is_known() || table_column {
                    Ty::Dynamic
                } else {
                    Ty::Unknown
                })
            }
        }
    }

    /// A scope function's call (`workspace("w")`, `arg("")`): the name is
    /// the built-in, its arguments are bound leniently and without a row.
    fn bind_scope_call(&mut self, func: &'a Ident, args: &'a [ast::Arg], cx: &Cx<'a>) {
        self.record(
            func.span,
            &func.name,
            Resolved::BuiltinFunction {
                kind: FunctionKind::Scalar,
            },
        );
        let _ = self.bind_args(
            args,
            &Cx {
                lenient: true,
                ..cx.no_row()
            },
        );
    }

    /// A table of another Log Analytics scope: `workspace("w").T`,
    /// `resource("/subscriptions/...").T`, `app("a").T` (a table of the
    /// catalogue keeps its columns; another is an open row set, never an
    /// error: that scope's tables are not known here), and Azure Resource
    /// Graph's `arg("").Resources` (always open). `None` when `expr` is not
    /// such a call (or the name is a user function's).
    fn scoped_table(&mut self, expr: &'a Expr, name: &Ident, cx: &Cx<'a>) -> Option<Tab> {
        let ExprKind::Call {
            receiver: None,
            func,
            args,
            ..
        } = &expr.kind
        else {
            return None;
        };
        let n = func.name.as_str();
        if !is_scope_function(n) || env_lookup(&cx.env, n).is_some() {
            return None;
        }
        self.bind_scope_call(func, args, cx);
        // Resource Graph tables are not Log Analytics tables
        let schema = if n == "arg" {
            None
        } else {
            self.table_schema(&name.name)
        };
        Some(match schema {
            Some(s) => {
                self.record(name.span, &name.name, Resolved::Table);
                self.read_table(&name.name);
                Tab::new(s)
            }
            None => {
                self.record(name.span, &name.name, Resolved::Unresolved);
                Tab::open()
            }
        })
    }

    fn binary(
        &mut self,
        op: ast::BinaryOp,
        op_span: Span,
        lhs: &'a Expr,
        rhs: &'a Expr,
        cx: &Cx<'a>,
    ) -> Out {
        let l = self.scalar(lhs, cx);
        let r = self.scalar(rhs, cx);
        if op != ast::BinaryOp::SearchColon {
            self.check_action_type_binary(op, &l, &r, lhs, rhs);
        }
        let (lt, rt) = (l.ty(), r.ty());
        match operators::binary(op, lt, rt) {
            Ok(t) => Out {
                constant: l.constant && r.constant,
                ..Out::scalar(t)
            },
            Err(t) => {
                if !cx.lenient {
                    self.diag(
                        &OPERAND_TYPE_MISMATCH,
                        op_span,
                        format!(
                            "the operator `{}` is not defined for `{lt}` and `{rt}`",
                            op.as_str()
                        ),
                    );
                }
                Out::scalar(t)
            }
        }
    }

    // ------------------------------------------------------------- names

    /// A column of `row` named by `id` (`$left.x`, plain names).
    fn column_ref(&mut self, id: &Ident, row: &Tab, cx: &Cx<'a>, report: bool) -> Out {
        if let Some(c) = row.schema.column(&id.name) {
            let c = c.clone();
            self.record(
                id.span,
                &id.name,
                Resolved::Column {
                    ty: c.ty,
                    table: c.table().map(SmolStr::new),
                },
            );
            self.check_populated(&c, id.span, row);
            return Out {
                val: Val::Scalar(c.ty),
                col: Some(c.clone()),
                result_col: Some(c),
                string: None,
                constant: false,
            };
        }
        if row.schema.is_open() || cx.lenient {
            self.record(id.span, &id.name, Resolved::OpenColumn);
            let c = self.new_col(id.name.clone(), Ty::Unknown);
            return Out {
                val: Val::Scalar(Ty::Unknown),
                col: Some(c.clone()),
                result_col: Some(c),
                string: None,
                constant: false,
            };
        }
        if report {
            self.unknown_column(id, cx);
        }
        Out::any()
    }

    /// Resolves a name: in a scalar context the columns of the current row
    /// come first, then `let`s and parameters, then tables and stored
    /// functions; in a tabular context columns are skipped.
    pub fn name(&mut self, id: &Ident, cx: &Cx<'a>, tabular: bool) -> Out {
        let n = &id.name;
        if !tabular
            && let Some(row) = &cx.row
            && row.schema.column(n).is_some()
        {
            let row = row.clone();
            return self.column_ref(id, &row, cx, false);
        }
        if let Some(node) = env_lookup(&cx.env, n) {
            let (sym, decl) = (node.sym.clone(), node.decl);
            self.reference_let(decl, id.span);
            let def_span = match decl {
                Decl::Let { span, .. } | Decl::Param { span, .. } => span,
                Decl::Hidden => Span::default(),
            };
            let is_param = matches!(decl, Decl::Param { .. });
            return match sym {
                Sym::Scalar { ty, string } => {
                    self.record(
                        id.span,
                        n,
                        if is_param {
                            Resolved::Parameter {
                                definition: def_span,
                                ty: Some(ty),
                            }
                        } else {
                            Resolved::Let {
                                definition: def_span,
                                tabular: false,
                                ty,
                            }
                        },
                    );
                    Out {
                        string,
                        constant: true,
                        ..Out::scalar(ty)
                    }
                }
                Sym::Table(t, tables) => {
                    self.record(
                        id.span,
                        n,
                        if is_param {
                            Resolved::Parameter {
                                definition: def_span,
                                ty: None,
                            }
                        } else {
                            Resolved::Let {
                                definition: def_span,
                                tabular: true,
                                ty: Ty::Unknown,
                            }
                        },
                    );
                    for t in tables.iter() {
                        self.read_table(t);
                    }
                    Out::val(Val::Table(t))
                }
                Sym::Func(f) => {
                    self.record(
                        id.span,
                        n,
                        Resolved::LetFunction {
                            definition: def_span,
                        },
                    );
                    // a function without required parameters may be
                    // referenced without `()`
                    if f.def.params.iter().all(|p| p.default.is_some()) {
                        let args: Vec<Option<Out>> = vec![None; f.def.params.len()];
                        Out::val(self.expand(&f, &args))
                    } else {
                        Out::any()
                    }
                }
                Sym::Unknown => {
                    self.record(
                        id.span,
                        n,
                        Resolved::Parameter {
                            definition: def_span,
                            ty: None,
                        },
                    );
                    Out::any()
                }
            };
        }
        if let Some((t, def, tables)) = self.as_names.get(n).cloned() {
            self.record(
                id.span,
                n,
                Resolved::Let {
                    definition: def,
                    tabular: true,
                    ty: Ty::Unknown,
                },
            );
            for t in tables.iter() {
                self.read_table(t);
            }
            return Out::val(Val::Table(t));
        }
        if let Some(t) = self.catalog_tabular(n) {
            let resolved =
                if self.catalog.stored_function(n).is_some() && self.catalog.table(n).is_none() {
                    Resolved::StoredFunction
                } else {
                    Resolved::Table
                };
            self.record(id.span, n, resolved);
            return Out::val(Val::Table(t));
        }
        if let Some(row) = &cx.row
            && (row.schema.is_open() || cx.lenient)
            && !tabular
        {
            self.record(id.span, n, Resolved::OpenColumn);
            let c = self.new_col(n.clone(), Ty::Unknown);
            return Out {
                val: Val::Scalar(Ty::Unknown),
                col: Some(c.clone()),
                result_col: Some(c),
                string: None,
                constant: false,
            };
        }
        if cx.lenient {
            return Out::any();
        }
        self.record(id.span, n, Resolved::Unresolved);
        if n == "$left" || n == "$right" {
            return Out::any();
        }
        // `count` where the rows have `count_`: Kusto takes the name for a
        // column, a mistyped one
        let near_column = || {
            cx.row.as_ref().is_some_and(|r| {
                suggest(n, r.schema.columns().iter().map(|c| c.name.as_str())).is_some()
            })
        };
        if tabular {
            self.unknown_table(id, cx);
        } else if !self.catalog.functions_named(n).is_empty() && !near_column() {
            self.diag(
                &WRONG_ARGUMENT_COUNT,
                id.span,
                format!("`{n}` is a function: call it with an argument list, `{n}()`"),
            );
        } else {
            self.unknown_column(id, cx);
        }
        Out::any()
    }

    /// A table or stored function of the catalogue referenced by name (a
    /// stored function without required parameters wins over a table of the
    /// same name, as in Kusto).
    fn catalog_tabular(&mut self, n: &str) -> Option<Tab> {
        if let Some(sf) = self.catalog.stored_function(n)
            && sf.min_args() == 0
            && sf.form != kql_schema::FunctionForm::Scalar
            && (self.catalog.table(n).is_none() || !sf.result_columns.is_empty())
        {
            return Some(self.stored_result(n));
        }
        let s = self.table_schema(n)?;
        self.read_table(n);
        Some(Tab::new(s))
    }

    /// The result of calling a stored function.
    fn stored_result(&mut self, n: &str) -> Tab {
        let Some(sf) = self.catalog.stored_function(n) else {
            return Tab::open();
        };
        let open = Self::function_openness(sf);
        let cols: Vec<Column> = sf
            .result_columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                ty: Ty::from_scalar(c.ty),
                origin: None,
                hidden: c.hidden,
                id: 0,
            })
            .collect();
        let cols = cols
            .into_iter()
            .map(|mut c| {
                c.id = self.ids.next();
                c
            })
            .collect();
        Tab::new(Schema::new(cols, open))
    }

    /// `union Device*`, `search in (Security*)`: the matching catalogue tables.
    pub fn table_pattern(&mut self, p: &ast::NamePattern, fuzzy: bool) -> Tab {
        let names: Vec<String> = self
            .catalog
            .table_names()
            .into_iter()
            .filter(|n| p.matches(n))
            .map(str::to_owned)
            .collect();
        if names.is_empty() {
            return Tab::open();
        }
        let _ = fuzzy;
        let mut tabs = Vec::new();
        for n in &names {
            if let Some(s) = self.table_schema(n) {
                self.read_table(n);
                tabs.push(Tab::new(s));
            }
        }
        // a wildcard may match tables the catalogue does not know
        let t = self.union_tables(&tabs, None, false);
        Tab::new(t.schema.with_open(true))
    }

    pub(super) fn case_hint(name: &str, suggestion: &str) -> bool {
        name != suggestion && name.eq_ignore_ascii_case(suggestion)
    }

    pub(super) fn fix_for(&self, id: &Ident, suggestion: &str) -> Fix {
        let case_only = Self::case_hint(&id.name, suggestion);
        Fix::replace(
            format!("Replace `{}` with `{suggestion}`", id.name),
            id.span,
            ident_text(suggestion, id.quoted),
            if case_only {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
        )
    }

    fn unknown_column(&mut self, id: &Ident, cx: &Cx<'a>) {
        if self.broken_words.contains(id.name.as_str()) {
            return;
        }
        if self.quiet > 0 {
            return;
        }
        let n = &id.name;
        let row_names: Vec<&str> = cx
            .row
            .as_ref()
            .map(|r| r.schema.columns().iter().map(|c| c.name.as_str()).collect())
            .unwrap_or_default();
        let env = env_names(&cx.env);
        // A did-you-mean search costs the row's width (crate::budget).
        self.budget.spend(row_names.len() + env.len(), id.span);
        let suggestion = suggest_column(n, row_names.iter().copied())
            .map(|s| (s.to_string(), "a column"))
            .or_else(|| {
                suggest_column(n, env.iter().copied()).map(|s| (s.to_string(), "a variable"))
            });
        if let Some(row) = cx.row.clone() {
            let s = suggestion.as_ref().map(|(s, _)| s.as_str());
            if self.unknown_column_open_world(id.span, n, &row, s) {
                return;
            }
        }
        let what = if cx.row.is_some() {
            "a column"
        } else {
            "a known name"
        };
        let d = match suggestion {
            Some((s, _)) if Self::case_hint(n, &s) => Diagnostic::new(
                &UNKNOWN_COLUMN,
                id.span,
                format!("`{n}` is not {what}; did you mean `{s}`? KQL names are case-sensitive"),
            )
            .with_fix(self.fix_for(id, &s)),
            Some((s, _)) => Diagnostic::new(
                &UNKNOWN_COLUMN,
                id.span,
                format!("`{n}` is not {what}; did you mean `{s}`?"),
            )
            .with_fix(self.fix_for(id, &s)),
            None => {
                let d = Diagnostic::new(
                    &UNKNOWN_COLUMN,
                    id.span,
                    if cx.row.is_some() {
                        format!(
                            "`{n}` is not a column of the input rows, nor a variable or function in scope"
                        )
                    } else {
                        format!("`{n}` does not refer to any column, variable or function in scope")
                    },
                );
                if cx.row.is_some() && !row_names.is_empty() && row_names.len() <= 12 {
                    d.with_help(format!("the columns here are: {}", row_names.join(", ")))
                } else {
                    d
                }
            }
        };
        self.report(d);
    }

    /// `$left.x` / `$right.x` naming a column that side lacks.
    fn unknown_side_column(&mut self, id: &Ident, row: &Tab, other: Option<&Tab>, left: bool) {
        if self.broken_words.contains(id.name.as_str()) {
            return;
        }
        let (this, that) = if left {
            ("left", "$right")
        } else {
            ("right", "$left")
        };
        let n = &id.name;
        let names: Vec<&str> = row
            .schema
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        self.budget.spend(names.len(), id.span);
        if other.is_none_or(|o| o.schema.column(n).is_none()) {
            let s = suggest_column(n, names.iter().copied()).map(str::to_owned);
            if self.unknown_column_open_world(id.span, n, row, s.as_deref()) {
                return;
            }
        }
        let mut d = Diagnostic::new(
            &UNKNOWN_COLUMN,
            id.span,
            format!("`{n}` is not a column of the {this} side of the join"),
        );
        if other.is_some_and(|o| o.schema.column(n).is_some()) {
            d = d.with_help(format!("`{n}` is a column of the other side: `{that}.{n}`"));
        } else if let Some(s) = suggest_column(n, names.iter().copied()) {
            let s = s.to_string();
            d = d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(self.fix_for(id, &s));
        } else if !names.is_empty() && names.len() <= 12 {
            d = d.with_help(format!("the columns there are: {}", names.join(", ")));
        }
        self.report(d);
    }

    fn unknown_table(&mut self, id: &Ident, cx: &Cx<'a>) {
        if self.broken_words.contains(id.name.as_str()) {
            return;
        }
        if self.quiet > 0 {
            return;
        }
        let n = &id.name;
        if let Some(p) = self.table_of_other_platform(n) {
            let msg = format!(
                "`{n}` is a {} table; {} has no table of that name",
                p.label(),
                self.catalog.platform().label()
            );
            let d = self.other_platform_diag(id.span, msg);
            self.report(d);
            return;
        }
        let env = env_names(&cx.env);
        let tables = self.catalog.table_names();
        let stored = self.catalog.stored_function_names();
        self.budget
            .spend(env.len() + tables.len() + stored.len(), id.span);
        // the nearest of all (`AlertIfo`: the table `AlertInfo`, not the
        // `let` `alertId`), ties to a `let`, then a table
        let all = env.iter().chain(&tables).chain(&stored).copied();
        let suggestion = suggest(n, all)
            .or_else(|| suggest(n, env.iter().copied()))
            .or_else(|| suggest(n, tables.iter().copied()))
            .or_else(|| suggest(n, stored.iter().copied()))
            .map(str::to_owned);
        // Open world: a name near nothing known is most likely a custom
        // table or a workspace function kqlint has no schema for; so is a
        // custom-log name (`*_CL`) near another one, unless only the case
        // differs.
        // A near name is a typo when one edit away (a letter dropped, added,
        // changed or two swapped: what people mistype); two edits away it is
        // as likely another name (`Sysmon`, a parser, is two from `Syslog`).
        let custom = n.ends_with("_CL");
        let unverified = !self.declared_in_query(n)
            && match &suggestion {
                None => true,
                Some(s) => (custom && !Self::case_hint(n, s)) || !one_edit(n, s),
            };
        if unverified {
            let near = suggestion
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let d = Diagnostic::new(
                &UNVERIFIED_TABLE,
                id.span,
                format!(
                    "`{n}` is not a table or function kqlint knows for {}; its columns are not \
                     checked",
                    self.catalog.platform().label()
                ),
            )
            .with_help(format!(
                "{near}if it is a custom table or a workspace function, add its schema to a \
                 schema directory (`[schema] dirs` in kqlint.toml) so the query can be checked"
            ));
            self.report(d);
            return;
        }
        let d = match suggestion {
            Some(s) if Self::case_hint(n, &s) => Diagnostic::new(
                &UNKNOWN_TABLE,
                id.span,
                format!(
                    "`{n}` is not a known table; did you mean `{s}`? KQL names are case-sensitive"
                ),
            )
            .with_fix(self.fix_for(id, &s)),
            Some(s) => Diagnostic::new(
                &UNKNOWN_TABLE,
                id.span,
                format!("`{n}` is not a known table; did you mean `{s}`?"),
            )
            .with_fix(self.fix_for(id, &s)),
            None => Diagnostic::new(
                &UNKNOWN_TABLE,
                id.span,
                format!("`{n}` is not in scope here"),
            )
            .with_help(
                "a `let` or `as` of this query declares it, but a name is visible only after \
                 the statement or operator that declares it, and not inside its own definition",
            ),
        };
        self.report(d);
    }

    pub(super) fn unknown_function(
        &mut self,
        func: &Ident,
        cx: &Cx<'a>,
        kind: Option<FunctionKind>,
    ) {
        if self.broken_words.contains(func.name.as_str()) {
            return;
        }
        if self.quiet > 0 {
            return;
        }
        let n = &func.name;
        if let Some(p) = self.function_of_other_platform(n) {
            let msg = format!(
                "`{n}` is a {} function; {} has no function of that name",
                p.label(),
                self.catalog.platform().label()
            );
            let d = self.other_platform_diag(func.span, msg);
            self.report(d);
            return;
        }
        let env = env_names(&cx.env);
        // about as many names as there are built-in and stored functions
        self.budget.spend(env.len() + 1_000, func.span);
        let suggestion = self
            .catalog
            .suggest_function(n, kind)
            .or_else(|| {
                if kind.is_some() {
                    self.catalog.suggest_function(n, None)
                } else {
                    None
                }
            })
            .filter(|s| plausible(n, s))
            .or_else(|| suggest(n, env.iter().copied()))
            .or_else(|| {
                self.catalog
                    .suggest_stored_function(n)
                    .filter(|s| plausible(n, s))
            })
            .map(str::to_owned);
        // Open world: an unknown scalar or tabular call near nothing known is
        // most likely a function saved in the workspace. Plug-ins and
        // aggregates are a closed set (a workspace function cannot be one).
        let closed_set = matches!(kind, Some(FunctionKind::Plugin)) || cx.agg;
        // a short name (`ag`, `mx`) a single edit from one function only: it
        // is named, but decides nothing (a warning stays a warning)
        let short = if suggestion.is_none() {
            let names = self.catalog.function_names(kind);
            short_near(n, names.iter().copied()).map(str::to_owned)
        } else {
            None
        };
        let near = suggestion.as_deref().is_some_and(|s| one_edit(n, s));
        if !near && !closed_set && !self.declared_in_query(n) {
            let hint = suggestion
                .as_deref()
                .or(short.as_deref())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let d = Diagnostic::new(
                &UNVERIFIED_FUNCTION,
                func.span,
                format!(
                    "`{n}` is not a function kqlint knows for {}; its arguments and result are \
                     not checked",
                    self.catalog.platform().label()
                ),
            )
            .with_help(format!(
                "{hint}if it is a function saved in your workspace, add its definition to a \
                 schema directory (Azure-Sentinel's CustomFunctions format) so its calls can be \
                 checked"
            ));
            self.report(d);
            return;
        }
        // (a plug-in or an aggregate: an error anyway; a name the query
        // declares later is out of scope, whatever it is near)
        let suggestion = suggestion.or(short.filter(|_| !self.declared_in_query(n)));
        let what = match kind {
            Some(FunctionKind::Plugin) => "plug-in",
            Some(FunctionKind::Aggregate) if cx.agg => "function",
            _ => "function",
        };
        let d = match suggestion {
            Some(s) if Self::case_hint(n, &s) => Diagnostic::new(
                &UNKNOWN_FUNCTION,
                func.span,
                format!(
                    "`{n}` is not a known {what}; did you mean `{s}`? KQL names are case-sensitive"
                ),
            )
            .with_fix(self.fix_for(func, &s)),
            Some(s) => Diagnostic::new(
                &UNKNOWN_FUNCTION,
                func.span,
                format!("`{n}` is not a known {what}; did you mean `{s}`?"),
            )
            .with_fix(self.fix_for(func, &s)),
            None if self.declared_in_query(n) => Diagnostic::new(
                &UNKNOWN_FUNCTION,
                func.span,
                format!("`{n}` is not in scope here"),
            )
            .with_help(
                "a `let` of this query declares it, but a name is visible only after its \
                 statement, and not inside its own definition (KQL functions cannot recurse)",
            ),
            None => Diagnostic::new(
                &UNKNOWN_FUNCTION,
                func.span,
                format!("`{n}` is not a known {what}"),
            ),
        };
        self.report(d);
    }

    // ------------------------------------------------------------- calls

    fn bind_args(&mut self, args: &'a [ast::Arg], cx: &Cx<'a>) -> Vec<Out> {
        args.iter()
            .map(|a| match a.value.kind {
                ExprKind::Star => Out::any(),
                _ => self.value(&a.value, cx),
            })
            .collect()
    }

    fn call(
        &mut self,
        e: &'a Expr,
        receiver: Option<&'a Expr>,
        func: &'a Ident,
        args: &'a [ast::Arg],
        cx: &Cx<'a>,
    ) -> Out {
        if let Some(r) = receiver {
            let lenient = Cx {
                lenient: true,
                ..cx.no_row()
            };
            let _ = self.value(r, &lenient);
            let _ = self.bind_args(args, &lenient);
            return Out::val(Val::Table(Tab::open()));
        }
        let n = func.name.as_str();
        match n {
            "materialize" if args.len() == 1 => {
                let t = self.tabular(&args[0].value, &cx.no_row());
                self.record(
                    func.span,
                    &func.name,
                    Resolved::BuiltinFunction {
                        kind: FunctionKind::Scalar,
                    },
                );
                return Out::val(Val::Table(t));
            }
            "toscalar" if !args.is_empty() => {
                self.record(
                    func.span,
                    &func.name,
                    Resolved::BuiltinFunction {
                        kind: FunctionKind::Scalar,
                    },
                );
                let o = self.value(&args[0].value, &cx.no_row());
                for a in &args[1..] {
                    let _ = self.value(&a.value, &cx.no_row());
                }
                let ty = match o.val {
                    Val::Table(t) => match t.schema.visible().next() {
                        Some(c) => c.ty,
                        None => Ty::Unknown,
                    },
                    Val::Scalar(t) => t,
                    _ => Ty::Unknown,
                };
                return Out::scalar(ty);
            }
            "table" if !args.is_empty() => {
                self.record(
                    func.span,
                    &func.name,
                    Resolved::BuiltinFunction {
                        kind: FunctionKind::Scalar,
                    },
                );
                // a literal, or a constant string (a parameter of the
                // function being expanded)
                let name = self.value(&args[0].value, cx).string.map(|s| s.to_string());
                let _ = self.bind_args(&args[1..], cx);
                if let Some(name) = name
                    && let Some(t) = self.catalog_tabular(&name)
                {
                    return Out::val(Val::Table(t));
                }
                return Out::val(Val::Table(Tab::open()));
            }
            "cluster"
            | "database"
            | "materialized_view"
            | "external_table"
            | "stored_query_result"
            | "materialized_view_history"
            | "entity_group" => {
                let _ = self.bind_args(
                    args,
                    &Cx {
                        lenient: true,
                        ..cx.no_row()
                    },
                );
                return Out::val(Val::Table(Tab::open()));
            }
            _ => {}
        }
        // `workspace("w")` alone: a scope (its tables are read with `.T`)
        if is_scope_function(n) && env_lookup(&cx.env, n).is_none() {
            self.bind_scope_call(func, args, cx);
            return Out::val(Val::Table(Tab::open()));
        }
        // a user function in scope
        if let Some(node) = env_lookup(&cx.env, n) {
            let (sym, decl) = (node.sym.clone(), node.decl);
            self.reference_let(decl, func.span);
            let def_span = match decl {
                Decl::Let { span, .. } | Decl::Param { span, .. } => span,
                Decl::Hidden => Span::default(),
            };
            if let Sym::Func(f) = sym {
                self.record(
                    func.span,
                    &func.name,
                    Resolved::LetFunction {
                        definition: def_span,
                    },
                );
                return self.call_user(&f, func, args, None, cx);
            }
            // not a function: bind the arguments, say nothing more
            let _ = self.bind_args(args, cx);
            return Out::any();
        }
        // built-in
        let fns = self.catalog.functions_named(n);
        if !fns.is_empty() {
            let scalar = fns.iter().find(|f| f.kind == FunctionKind::Scalar).copied();
            let aggregate = fns
                .iter()
                .find(|f| f.kind == FunctionKind::Aggregate)
                .copied();
            let f = match (cx.agg, scalar, aggregate) {
                (true, _, Some(a)) => Some(a),
                (_, Some(s), _) => Some(s),
                (false, None, Some(a)) => {
                    self.diag(
                        &AGGREGATE_OUTSIDE_SUMMARIZE,
                        func.span,
                        format!("the aggregate function `{n}` can only be used in `summarize`, `make-series` or `top-nested`"),
                    );
                    Some(a)
                }
                _ => None,
            };
            if let Some(f) = f {
                self.record(
                    func.span,
                    &func.name,
                    Resolved::BuiltinFunction { kind: f.kind },
                );
                return self.call_builtin(e, f, func, args, cx);
            }
            // a plug-in name outside `evaluate`
            let _ = self.bind_args(args, cx);
            return Out::any();
        }
        // stored function
        if let Some(sf) = self.catalog.stored_function(n) {
            let (min, max) = (sf.min_args(), sf.max_args());
            self.record(func.span, &func.name, Resolved::StoredFunction);
            let _ = self.bind_args(args, &cx.no_row());
            let given = args.len();
            if given < min || given > max {
                self.diag(
                    &WRONG_ARGUMENT_COUNT,
                    func.span,
                    count_message(n, min as u32, max.min(u32::MAX as usize) as u32, given),
                );
            }
            if sf.form == kql_schema::FunctionForm::Scalar {
                return Out::val(Val::Scalar(Ty::Unknown));
            }
            return Out::val(Val::Table(self.stored_result(n)));
        }
        self.record(func.span, &func.name, Resolved::Unresolved);
        if !cx.lenient {
            self.unknown_function(
                func,
                cx,
                Some(if cx.agg {
                    FunctionKind::Aggregate
                } else {
                    FunctionKind::Scalar
                }),
            );
        }
        let _ = self.bind_args(args, cx);
        Out::any()
    }

    /// Calls a user function; `first` is a tabular first argument given
    /// implicitly (`invoke`).
    pub fn call_user(
        &mut self,
        f: &Rc<super::FuncSym<'a>>,
        func: &Ident,
        args: &'a [ast::Arg],
        first: Option<Tab>,
        cx: &Cx<'a>,
    ) -> Out {
        let params = &f.def.params;
        let mut slots: Vec<Option<Out>> = vec![None; params.len()];
        let mut pos = 0usize;
        let first_given = first.is_some();
        if let Some(t) = first {
            if !slots.is_empty() {
                slots[0] = Some(Out::val(Val::Table(t)));
            }
            pos = 1;
        }
        let mut too_many = false;
        for a in args {
            let o = self.value(&a.value, cx);
            if let Some(name) = &a.name {
                match params.iter().position(|p| p.name.name == name.name) {
                    Some(i) => slots[i] = Some(o),
                    None => {
                        self.diag(
                            &WRONG_ARGUMENT_COUNT,
                            name.span,
                            format!("`{}` has no parameter named `{}`", f.name, name.name),
                        );
                    }
                }
                continue;
            }
            if pos < slots.len() {
                slots[pos] = Some(o);
                pos += 1;
            } else {
                too_many = true;
            }
        }
        let required = params.iter().filter(|p| p.default.is_none()).count();
        let missing = params
            .iter()
            .zip(&slots)
            .any(|(p, s)| p.default.is_none() && s.is_none());
        if too_many || missing {
            // `invoke f(...)` passes the input as the first argument
            let implicit = usize::from(
                pos > 0
                    && args.iter().all(|a| a.name.is_none())
                    && slots.first().is_some_and(Option::is_some)
                    && first_given,
            );
            self.diag(
                &WRONG_ARGUMENT_COUNT,
                func.span,
                count_message(
                    &f.name,
                    required.saturating_sub(implicit) as u32,
                    params.len().saturating_sub(implicit) as u32,
                    args.len(),
                ),
            );
        }
        Out::val(self.expand(f, &slots))
    }

    fn call_builtin(
        &mut self,
        e: &'a Expr,
        f: &'a Function,
        func: &'a Ident,
        args: &'a [ast::Arg],
        cx: &Cx<'a>,
    ) -> Out {
        let outs = self.bind_args(args, cx);
        let bargs: Vec<builtins::Arg> = args
            .iter()
            .zip(&outs)
            .map(|(a, o)| builtins::Arg {
                ty: o.ty(),
                star: matches!(a.value.kind, ExprKind::Star),
                type_literal: type_literal(&a.value),
            })
            .collect();
        self.facts.insert(
            e.span,
            Fact::Call {
                kind: f.result_name,
                prefix: f.result_name_prefix.as_deref().map(SmolStr::new),
                name: f.name.clone(),
            },
        );
        let (sig, problem) = builtins::resolve(f, &bargs);
        match problem {
            Some(CallProblem::Arity { min, max }) if !cx.lenient => {
                self.diag(
                    &WRONG_ARGUMENT_COUNT,
                    func.span,
                    count_message(&f.name, min, max, args.len()),
                );
            }
            // `count(x)` of a non-bool: Kusto.Language refuses it (its hidden
            // `count(predicate)`), but the engine has been seen to run it
            // (Kusto-Query-Language#82), so it is a warning, not an error.
            Some(CallProblem::ArgType { index, .. })
                if f.name == "count" && f.kind == FunctionKind::Aggregate =>
            {
                if let Some(a) = args.get(index) {
                    let d = Diagnostic::new(
                        &ARGUMENT_TYPE_MISMATCH,
                        a.value.span,
                        format!(
                            "`count` takes no argument, or a bool condition; this value is `{}`",
                            bargs[index].ty
                        ),
                    )
                    .with_severity(kqlint_diagnostics::Severity::Warning)
                    .with_help(
                        "write `count()` to count rows, or `countif(isnotempty(x))` to count \
                         rows where `x` has a value; Microsoft's analyzer refuses this call, \
                         though the engine has been seen to accept it",
                    );
                    self.report(d);
                }
            }
            Some(CallProblem::ArgType { index, expected }) => {
                if let Some(a) = args.get(index) {
                    self.diag(
                        &ARGUMENT_TYPE_MISMATCH,
                        a.value.span,
                        format!(
                            "`{}` expects {expected} here, but this value is `{}`",
                            f.name, bargs[index].ty
                        ),
                    );
                }
            }
            Some(CallProblem::NoMatch) => {
                let types: Vec<&str> = bargs.iter().map(|a| a.ty.as_str()).collect();
                self.diag(
                    &ARGUMENT_TYPE_MISMATCH,
                    func.span,
                    format!(
                        "`{}` does not take arguments of types ({})",
                        f.name,
                        types.join(", ")
                    ),
                );
            }
            _ => {}
        }
        // custom results Kusto computes in code
        if let Some(v) = self.custom_result(f, args, &outs, &bargs, cx) {
            return Out::val(v);
        }
        let Some(sig) = sig else {
            return Out::scalar(Ty::Unknown);
        };
        if !sig.tuple.is_empty() {
            let arg = args
                .first()
                .and_then(|a| self.arg_result_name(a, Some(""), None))
                .unwrap_or_default();
            let base = format_smolstr!("{}_{arg}", f.name);
            let cols = sig
                .tuple
                .iter()
                .map(|t| {
                    self.new_col(
                        format_smolstr!("{base}_{}", t.suffix),
                        Ty::from_scalar(t.ty),
                    )
                })
                .collect();
            return Out::val(Val::Tuple(cols));
        }
        let ty = if builtins::ambiguous(f, &bargs) {
            Ty::Unknown
        } else {
            builtins::result_type(sig, &bargs)
        };
        // a no-op conversion of a column stands for the column
        // (`tostring(X = y)` names a new column instead)
        let result_col = if CONVERSIONS.contains(&f.name.as_str())
            && args.len() == 1
            && args[0].name.is_none()
        {
            outs[0].col.clone().filter(|c| c.ty == ty && ty.is_known())
        } else {
            None
        };
        let ty = if f.name == "column_ifexists" {
            // the default's type, whether the column exists or not, as
            // Kusto.Language types it (a column of another type would
            // otherwise split a later `union` into `X_string`/`X_dynamic`)
            bargs.get(1).map_or(Ty::Unknown, |a| a.ty)
        } else {
            ty
        };
        let constant = f.constant_foldable && outs.iter().all(|o| o.constant);
        let _ = sig.returns == ReturnKind::Declared;
        Out {
            val: Val::Scalar(ty),
            col: None,
            result_col,
            string: None,
            constant,
        }
    }

    /// Aggregates whose result Kusto computes in code: `arg_max`, `arg_min`,
    /// `take_any`, `any`, `percentile(s)`, `percentiles_array`.
    fn custom_result(
        &mut self,
        f: &Function,
        args: &'a [ast::Arg],
        outs: &[Out],
        bargs: &[builtins::Arg],
        cx: &Cx<'a>,
    ) -> Option<Val> {
        let name = f.name.as_str();
        match name {
            "arg_max" | "arg_min" | "argmax" | "argmin" if !args.is_empty() => {
                let prefix = if name.ends_with("max") { "max" } else { "min" };
                Some(Val::Tuple(self.arg_min_max(args, outs, prefix, cx)))
            }
            "take_any" => Some(Val::Tuple(self.any_result(args, outs, "any_", cx))),
            "any"
                if args.len() > 1
                    || args.iter().any(|a| matches!(a.value.kind, ExprKind::Star)) =>
            {
                Some(Val::Tuple(self.any_result(args, outs, "", cx)))
            }
            "percentile" | "percentiles" | "percentilew" | "percentilesw" if args.len() >= 2 => {
                let weighted = name.ends_with('w') || name.ends_with("sw");
                let first_pct = if weighted { 2 } else { 1 };
                let vname = self.arg_result_name(&args[0], Some(""), None)?;
                let ty = match bargs[0].ty {
                    Ty::Int => Ty::Long,
                    Ty::Decimal => Ty::Real,
                    t => t,
                };
                let mut cols = Vec::new();
                for a in args.iter().skip(first_pct) {
                    let frag = name_fragment(a.value.span.text(self.src).trim());
                    cols.push(self.new_col(format_smolstr!("percentile_{vname}_{frag}"), ty));
                }
                Some(Val::Tuple(cols))
            }
            "percentiles_array" | "percentilesw_array" if !args.is_empty() => {
                let vname = self.arg_result_name(&args[0], Some(""), None)?;
                Some(Val::Tuple(vec![self.new_col(
                    format_smolstr!("percentiles_{vname}"),
                    Ty::Dynamic,
                )]))
            }
            _ => None,
        }
    }

    fn arg_min_max(
        &mut self,
        args: &'a [ast::Arg],
        outs: &[Out],
        prefix: &str,
        cx: &Cx<'a>,
    ) -> Vec<Column> {
        let by: Vec<u32> = cx.by_ids.to_vec();
        let any_star = args.iter().any(|a| matches!(a.value.kind, ExprKind::Star));
        let mut seen: Vec<u32> = Vec::new();
        let primary = self
            .arg_result_name(&args[0], Some(""), None)
            .unwrap_or_default();
        let mut cols = Vec::new();
        let can_add = |i: usize, id: u32, seen: &Vec<u32>| {
            i == 0 || !any_star || (!seen.contains(&id) && !by.contains(&id))
        };
        for (i, (a, o)) in args.iter().zip(outs).enumerate() {
            if matches!(a.value.kind, ExprKind::Star) {
                if let Some(row) = &cx.row {
                    for c in row.schema.visible() {
                        if can_add(i, c.id, &seen) {
                            seen.push(c.id);
                            cols.push(c.clone());
                        }
                    }
                }
            } else if let Some(c) = &o.result_col {
                if can_add(i, c.id, &seen) {
                    seen.push(c.id);
                    // `arg_max(T, Latest = Risk)` names the column `Latest`
                    let name = a.name.as_ref().map_or(&c.name, |n| &n.name);
                    let mut nc = self.new_col(name.clone(), c.ty);
                    nc.origin = c.origin.clone();
                    cols.push(nc);
                }
            } else {
                let name = self.arg_result_name(a, None, cx.row.as_ref().map(|r| &r.schema));
                let name = match name {
                    Some(n) => n,
                    None if i == 0 => format_smolstr!("{prefix}_"),
                    None => format_smolstr!("{prefix}_{primary}_arg{i}"),
                };
                cols.push(self.new_col(name, o.ty()));
            }
        }
        cols
    }

    fn any_result(
        &mut self,
        args: &'a [ast::Arg],
        outs: &[Out],
        prefix: &str,
        cx: &Cx<'a>,
    ) -> Vec<Column> {
        let mut seen: Vec<u32> = cx.by_ids.to_vec();
        let any_star = args.iter().any(|a| matches!(a.value.kind, ExprKind::Star));
        let mut cols = Vec::new();
        for (i, (a, o)) in args.iter().zip(outs).enumerate() {
            if matches!(a.value.kind, ExprKind::Star) {
                if let Some(row) = &cx.row {
                    for c in row.schema.visible() {
                        if !any_star || !seen.contains(&c.id) {
                            seen.push(c.id);
                            cols.push(c.clone());
                        }
                    }
                }
            } else if let Some(c) = &o.result_col {
                if !any_star || !seen.contains(&c.id) {
                    seen.push(c.id);
                    let name = a.name.as_ref().map_or(&c.name, |n| &n.name);
                    let mut nc = self.new_col(name.clone(), c.ty);
                    nc.origin = c.origin.clone();
                    cols.push(nc);
                }
            } else {
                let name = self
                    .arg_result_name(a, Some(""), cx.row.as_ref().map(|r| &r.schema))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| format_smolstr!("{prefix}arg{i}"));
                cols.push(self.new_col(name, o.ty()));
            }
        }
        cols
    }

    // ------------------------------------------------------------ naming

    /// The name Kusto gives the column of an unnamed expression
    /// (`GetExpressionResultName`); `default` when it has none.
    pub fn result_name(
        &self,
        e: &Expr,
        default: Option<&str>,
        row: Option<&Schema>,
    ) -> Option<SmolStr> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.result_name_inner(e, default, row)
        })
    }

    fn result_name_inner(
        &self,
        e: &Expr,
        default: Option<&str>,
        row: Option<&Schema>,
    ) -> Option<SmolStr> {
        let def = || default.map(SmolStr::new);
        match &e.kind {
            ExprKind::Paren(inner) => self.result_name(inner, default, row),
            ExprKind::Name(id) => Some(id.name.clone()),
            ExprKind::Member { expr, name } => {
                let recv = self.recv.get(&expr.span).copied().unwrap_or(Ty::Unknown);
                if matches!(recv, Ty::Dynamic | Ty::Unknown) {
                    let left = self.result_name(expr, None, row);
                    match left {
                        Some(l) if !l.trim().is_empty() => {
                            Some(format_smolstr!("{l}_{}", name.name))
                        }
                        _ => Some(name.name.clone()),
                    }
                } else {
                    Some(name.name.clone())
                }
            }
            ExprKind::Index { expr, index } => {
                let sel = match &index.kind {
                    ExprKind::Literal(l) => match &l.kind {
                        LitKind::String(s) => Some(SmolStr::new(&s.value)),
                        LitKind::Long(v) | LitKind::Int(v) => Some(format_smolstr!("{v}")),
                        _ => None,
                    },
                    _ => None,
                };
                let recv = self.recv.get(&expr.span).copied().unwrap_or(Ty::Unknown);
                if matches!(recv, Ty::Dynamic | Ty::Unknown) {
                    let left = self.result_name(expr, None, row);
                    match (left, sel) {
                        (Some(l), Some(r)) if !l.trim().is_empty() => {
                            Some(format_smolstr!("{l}_{r}"))
                        }
                        (Some(l), None) if !l.trim().is_empty() => Some(format_smolstr!("{l}_")),
                        (_, r) => r,
                    }
                } else {
                    sel.or_else(def)
                }
            }
            ExprKind::Call { args, .. } => self.function_result_name(e, args, default, row),
            _ => def(),
        }
    }

    /// The result name of a call argument: the name given to it
    /// (`bin(Day = TimeGenerated, 1d)` names the column `Day`), else its
    /// expression's (Kusto's `GetExpressionResultName` of a
    /// `SimpleNamedExpression`).
    pub fn arg_result_name(
        &self,
        a: &ast::Arg,
        default: Option<&str>,
        row: Option<&Schema>,
    ) -> Option<SmolStr> {
        match &a.name {
            Some(n) => Some(n.name.clone()),
            None => self.result_name(&a.value, default, row),
        }
    }

    fn function_result_name(
        &self,
        e: &Expr,
        args: &[ast::Arg],
        default: Option<&str>,
        row: Option<&Schema>,
    ) -> Option<SmolStr> {
        let def = || default.map(SmolStr::new);
        let Some(Fact::Call { kind, prefix, name }) = self.facts.get(&e.span) else {
            return def();
        };
        let (mut kind, mut prefix) = (*kind, prefix.clone());
        match kind {
            ResultNameKind::NameAndFirstArgument => {
                prefix = Some(name.clone());
                kind = ResultNameKind::PrefixAndFirstArgument;
            }
            ResultNameKind::NameAndOnlyArgument => {
                prefix = Some(name.clone());
                kind = ResultNameKind::PrefixAndOnlyArgument;
            }
            _ => {}
        }
        let arg_name = |i: usize| -> Option<SmolStr> {
            if matches!(args[i].value.kind, ExprKind::Star) {
                return default.map(SmolStr::new);
            }
            self.arg_result_name(&args[i], default, None)
        };
        match kind {
            ResultNameKind::PrefixAndFirstArgument => {
                if !args.is_empty() {
                    let n = arg_name(0);
                    match prefix {
                        Some(p) => Some(format_smolstr!("{p}_{}", n.unwrap_or_default())),
                        None => n,
                    }
                } else {
                    prefix.map(|p| format_smolstr!("{p}_"))
                }
            }
            ResultNameKind::PrefixAndOnlyArgument if args.len() == 1 => {
                let n = arg_name(0);
                match prefix {
                    Some(p) => Some(format_smolstr!("{p}_{}", n.unwrap_or_default())),
                    None => n,
                }
            }
            ResultNameKind::FirstArgumentValueIfColumn if !args.is_empty() => {
                match literal_string(&args[0].value) {
                    Some(n) if row.is_some_and(|r| r.column(n).is_some()) => Some(SmolStr::new(n)),
                    Some(_) => def(),
                    None => def(),
                }
            }
            ResultNameKind::FirstArgument => {
                if args.is_empty() {
                    None
                } else {
                    arg_name(0)
                }
            }
            ResultNameKind::PrefixOnly if prefix.is_some() => prefix,
            ResultNameKind::OnlyArgument if args.len() == 1 => arg_name(0),
            _ => def(),
        }
    }

    // -------------------------------------------------------- projection

    /// Adds the column(s) of one projection item (Kusto's
    /// `CreateProjectionColumns`). `out` is the item's bound expression.
    #[allow(clippy::too_many_arguments)]
    pub fn project_item(
        &mut self,
        item: &ColumnExpr,
        out: &Out,
        b: &mut ProjBuilder,
        style: Style,
        do_not_repeat: bool,
        col_ty: Option<Ty>,
        col_name: Option<&str>,
        row: Option<&Tab>,
    ) {
        if matches!(item.expr.kind, ExprKind::Error) {
            // nothing to name (a trailing comma, a broken item)
            return;
        }
        let replace_style = matches!(style, Style::Replace | Style::Extend);
        let fprefix = |this: &Self| -> Option<SmolStr> {
            match this.facts.get(&item.expr.span) {
                Some(Fact::Call { name, .. }) => this
                    .catalog
                    .functions_named(name)
                    .iter()
                    .find_map(|f| f.result_name_prefix.as_deref().map(SmolStr::new)),
                _ => None,
            }
        };
        let is_call = matches!(item.expr.kind, ExprKind::Call { .. });
        let is_fn = is_call && matches!(self.facts.get(&item.expr.span), Some(Fact::Call { .. }));
        match &item.names {
            ColumnNames::Single(name) => {
                if let Val::Tuple(tu) = &out.val {
                    let first_ty = tu.first().map_or(Ty::Unknown, |c| c.ty);
                    let c = self.new_col(name.name.clone(), col_ty.unwrap_or(first_ty));
                    self.declare(b, c, true, name.span);
                    if do_not_repeat && let Some(f) = tu.first() {
                        b.do_not_add(f.id);
                    }
                    if style == Style::Print {
                        return;
                    }
                    let prefix = if is_fn { fprefix(self) } else { None };
                    for c in tu.iter().skip(1) {
                        self.add_tuple_col(b, c, prefix.as_deref(), do_not_repeat);
                    }
                } else if let Some(c) = &out.col {
                    let mut nc = self.new_col(name.name.clone(), col_ty.unwrap_or(c.ty));
                    nc.origin = c.origin.clone();
                    self.declare(b, nc, true, name.span);
                    if do_not_repeat {
                        b.do_not_add(c.id);
                    }
                } else {
                    let ty = col_ty.unwrap_or_else(|| self.column_type(out, item));
                    let c = self.new_col(name.name.clone(), ty);
                    self.declare(b, c, replace_style, name.span);
                }
            }
            ColumnNames::Tuple(names) => {
                if let Val::Tuple(tu) = &out.val {
                    let prefix = if is_fn { fprefix(self) } else { None };
                    for (i, c) in tu.iter().enumerate() {
                        let ty = col_ty.unwrap_or(c.ty);
                        if let Some(nm) = names.get(i) {
                            let nc = self.new_col(nm.name.clone(), ty);
                            self.declare(b, nc, replace_style, nm.span);
                            if do_not_repeat {
                                b.do_not_add(c.id);
                            }
                        } else if style != Style::Print {
                            if is_fn {
                                self.add_tuple_col(b, c, prefix.as_deref(), do_not_repeat);
                            } else {
                                b.add(c.clone(), None, replace_style, do_not_repeat, &mut self.ids);
                            }
                        }
                    }
                } else if names.len() == 1 {
                    let nm = &names[0];
                    if let Some(c) = &out.col {
                        let mut nc = self.new_col(nm.name.clone(), col_ty.unwrap_or(c.ty));
                        nc.origin = c.origin.clone();
                        self.declare(b, nc, true, nm.span);
                        if do_not_repeat {
                            b.do_not_add(c.id);
                        }
                    } else {
                        let ty = col_ty.unwrap_or_else(|| self.column_type(out, item));
                        let c = self.new_col(nm.name.clone(), ty);
                        self.declare(b, c, replace_style, nm.span);
                    }
                } else if matches!(out.val, Val::Scalar(t) if t.is_known()) {
                    self.diag(
                        &DUPLICATE_COLUMN,
                        item.span,
                        "this expression has one value, but several names are given",
                    );
                }
            }
            ColumnNames::None => {
                if matches!(item.expr.kind, ExprKind::Star) {
                    if let Some(row) = row {
                        let cols: Vec<Column> = row.schema.visible().cloned().collect();
                        for c in cols {
                            b.add(c, None, true, do_not_repeat, &mut self.ids);
                        }
                    }
                    return;
                }
                if let Some(c) = &out.result_col {
                    let mut c = c.clone();
                    // a column named explicitly is shown, hidden or not
                    c.hidden = false;
                    if let Some(t) = col_ty
                        && t != c.ty
                    {
                        c = Column {
                            ty: t,
                            id: self.ids.next(),
                            ..c
                        };
                    }
                    let id = c.id;
                    self.declare(b, c, style == Style::Replace, item.expr.span);
                    if do_not_repeat {
                        b.do_not_add(id);
                    }
                    return;
                }
                if is_call {
                    if let (Style::Print, Some(cn)) = (style, col_name)
                        && !matches!(&out.val, Val::Tuple(t) if t.len() > 1)
                    {
                        let c = self.new_col(cn, col_ty.unwrap_or(out.ty()));
                        b.add(c, Some(cn), false, false, &mut self.ids);
                        return;
                    }
                    if let (Val::Tuple(tu), true) = (&out.val, is_fn) {
                        let prefix = fprefix(self);
                        for c in tu {
                            self.add_tuple_col(b, c, prefix.as_deref(), do_not_repeat);
                        }
                        return;
                    }
                    let rowschema = row.map(|r| r.schema.clone());
                    let name = self.result_name(&item.expr, None, rowschema.as_ref());
                    let ty = col_ty.unwrap_or_else(|| self.column_type(out, item));
                    let c = self.new_col(
                        name.clone()
                            .or_else(|| col_name.map(SmolStr::new))
                            .unwrap_or_else(|| "Column1".into()),
                        ty,
                    );
                    // a default `ColumnN` name is a fresh one: it never
                    // replaces a column (`extend f(x), g(x)` makes Column1
                    // and Column2, as in Kusto)
                    let fresh = name.is_none() && col_name.is_none();
                    b.add(
                        c,
                        Some(name.as_deref().unwrap_or("Column")),
                        replace_style && !fresh,
                        false,
                        &mut self.ids,
                    );
                    return;
                }
                if let (Style::Print, Some(cn)) = (style, col_name) {
                    let ty = col_ty.unwrap_or_else(|| self.column_type(out, item));
                    let c = self.new_col(cn, ty);
                    b.add(c, Some(cn), false, false, &mut self.ids);
                    return;
                }
                let name = self.result_name(&item.expr, None, None);
                let ty = col_ty.unwrap_or_else(|| self.column_type(out, item));
                let c = self.new_col(
                    name.clone()
                        .or_else(|| col_name.map(SmolStr::new))
                        .unwrap_or_else(|| "Column1".into()),
                    ty,
                );
                let fresh = name.is_none() && col_name.is_none();
                b.add(
                    c,
                    Some(name.as_deref().unwrap_or("Column")),
                    replace_style && !fresh,
                    false,
                    &mut self.ids,
                );
            }
        }
    }

    fn column_type(&mut self, out: &Out, item: &ColumnExpr) -> Ty {
        match &out.val {
            Val::Table(_) => {
                self.diag(
                    &SCALAR_EXPECTED,
                    item.expr.span,
                    "a table cannot be a column value; use `toscalar()` for one value",
                );
                Ty::Unknown
            }
            v => v.ty(),
        }
    }

    fn add_tuple_col(
        &mut self,
        b: &mut ProjBuilder,
        c: &Column,
        prefix: Option<&str>,
        do_not_repeat: bool,
    ) {
        match prefix {
            Some(p) => {
                let nc = self.ids.renamed(c, format_smolstr!("{p}_{}", c.name));
                b.add(nc, None, false, do_not_repeat, &mut self.ids);
            }
            None => {
                b.add(c.clone(), None, false, do_not_repeat, &mut self.ids);
            }
        }
    }

    fn declare(&mut self, b: &mut ProjBuilder, c: Column, replace: bool, span: Span) {
        let name = c.name.clone();
        if !b.declare(c, replace, &mut self.ids) {
            self.diag(
                &DUPLICATE_COLUMN,
                span,
                format!("the column `{name}` is already declared in this list"),
            );
        }
    }
}

/// The Log Analytics cross-resource scope functions (`workspace()`, `app()`,
/// `resource()`) and Azure Resource Graph's `arg()`: Kusto.Language's
/// default (Azure Data Explorer) function set does not have them, Log
/// Analytics and Sentinel do.
fn is_scope_function(name: &str) -> bool {
    matches!(name, "workspace" | "app" | "resource" | "arg")
}

/// A did-you-mean that is worth showing: a case-only difference, or a
/// near miss of a name long enough for edit distance to mean something.
pub(crate) fn plausible(name: &str, suggestion: &str) -> bool {
    suggestion.eq_ignore_ascii_case(name)
        || name.chars().count() >= 4
        || is_transposition(name, suggestion)
}

/// Whether `suggestion` is one edit from `name`, case aside (a case-only
/// difference counts as one).
fn one_edit(name: &str, suggestion: &str) -> bool {
    kql_schema::edit_distance(&name.to_lowercase(), &suggestion.to_lowercase()) <= 1
}

/// `Ulr` for `Url`: the same letters with two neighbours swapped (ignoring
/// case), the one edit a short name is still recognisable after.
fn is_transposition(name: &str, suggestion: &str) -> bool {
    let a: Vec<char> = name.to_lowercase().chars().collect();
    let b: Vec<char> = suggestion.to_lowercase().chars().collect();
    if a.len() != b.len() || a.len() < 2 {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diff.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

/// The best did-you-mean among `candidates` (see [`plausible`]).
pub(crate) fn suggest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    kql_schema::best_match(name, candidates).filter(|s| plausible(name, s))
}

/// The did-you-mean for a name in a column's place, among the columns (or
/// variables) in scope: [`suggest`], and for a name of two or three
/// letters, which [`plausible`] leaves alone unless only the case or the
/// order of two neighbours differs, the one candidate a single edit away
/// ignoring case (a letter dropped, added or replaced): `Ur` → `Uri`,
/// `Yrl` → `Url`, `cP` → `cIP`. When two candidates are that near, neither
/// is named.
///
/// For columns only: there a did-you-mean that is not a case change
/// decides nothing (a name missing from rows known in full is an error
/// either way, from rows known in part a warning either way), while for a
/// table or a function a suggestion turns "near nothing known" (a warning)
/// into a mistake (an error).
pub(crate) fn suggest_column<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str> + Clone,
) -> Option<&'c str> {
    suggest(name, candidates.clone()).or_else(|| short_near(name, candidates))
}

/// For a name of two or three letters, the one candidate a single edit
/// away ignoring case (see [`suggest_column`]).
fn short_near<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if !(2..=3).contains(&name.chars().count()) {
        return None;
    }
    let mut found: Option<&'c str> = None;
    for c in candidates {
        if found == Some(c) {
            continue;
        }
        if one_edit(name, c) {
            if found.is_some() {
                return None;
            }
            found = Some(c);
        }
    }
    found
}

pub(crate) fn count_message(name: &str, min: u32, max: u32, given: usize) -> String {
    let expects = if min == max {
        match min {
            0 => "no arguments".to_string(),
            1 => "1 argument".to_string(),
            n => format!("{n} arguments"),
        }
    } else if max >= 1000 {
        format!("at least {min} argument{}", if min == 1 { "" } else { "s" })
    } else {
        format!("between {min} and {max} arguments")
    };
    format!("`{name}` expects {expects}, but is given {given}")
}
