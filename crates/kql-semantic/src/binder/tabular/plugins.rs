//! `evaluate` plug-ins and `invoke`: the output of a plug-in as its
//! documentation or its arguments define it.

use crate::binder::{Binder, Cx, Out, Tab, Val, env_lookup};
use crate::names::make_names_unique;
use crate::rules::*;
use crate::ty::{Column, Openness, Schema, Ty};
use kql_schema::{FunctionKind, PluginOutputKind, TypeRef};
use kql_syntax::ast::{self, Expr, ExprKind};
use smol_str::{SmolStr, format_smolstr};

impl<'a> Binder<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn evaluate(
        &mut self,
        call: &'a Expr,
        schema: Option<&[ast::ColumnDecl]>,
        schema_star: bool,
        input: Option<&Tab>,
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let ExprKind::Call { func, args, .. } = &call.kind else {
            let _ = self.value(call, rcx);
            return Tab::open();
        };
        let plugin = self.catalog.plugin(&func.name);
        let extra = plugin.is_none() && EXTRA_PLUGINS.contains(&func.name.as_str());
        if plugin.is_none() && !extra {
            self.record(func.span, &func.name, crate::Resolved::Unresolved);
            for a in args {
                let _ = self.value(
                    &a.value,
                    &Cx {
                        lenient: true,
                        ..rcx.clone()
                    },
                );
            }
            self.unknown_plugin(func, rcx);
            return Tab::open();
        }
        self.record(
            func.span,
            &func.name,
            crate::Resolved::BuiltinFunction {
                kind: FunctionKind::Plugin,
            },
        );
        // arguments may name columns of a tabular argument (`ipv4_lookup(T,
        // IpCol, T_Col)`): find those tables first, quietly. The argument the
        // plug-in takes as a table is bound as one (an unknown name there is
        // a table kqlint does not know, whose columns are open).
        let table_arg = plugin
            .and_then(|p| p.output.as_ref())
            .and_then(|o| o.table_argument)
            .map(|i| i as usize);
        self.quiet += 1;
        let pre: Vec<Out> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let lcx = Cx {
                    lenient: true,
                    ..rcx.clone()
                };
                if Some(i) == table_arg {
                    Out::val(Val::Table(self.tabular(&a.value, &lcx.no_row())))
                } else {
                    self.value(&a.value, &lcx)
                }
            })
            .collect();
        self.quiet -= 1;
        let mut row_cols: Vec<Column> = inp.schema.columns().to_vec();
        let mut row_open = inp.schema.openness();
        for o in &pre {
            if let Val::Table(t) = &o.val {
                row_cols.extend(t.schema.columns().iter().cloned());
                row_open = row_open.or(t.schema.openness());
            }
        }
        let row = Tab {
            schema: Schema::new(row_cols, row_open),
            narrow: inp.narrow.clone(),
        };
        // aggregates are allowed in plug-in arguments (`pivot(k, any(v), ...)`)
        let acx = Cx {
            agg: true,
            ..rcx.with_row(&row)
        };
        let outs: Vec<Out> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if Some(i) == table_arg {
                    Out::val(Val::Table(self.tabular(&a.value, &rcx.no_row())))
                } else {
                    self.value(&a.value, &acx)
                }
            })
            .collect();
        let arity = documented_arity(&func.name).or_else(|| plugin.map(|p| p.arity()));
        if let Some((min, max)) = arity
            && ((args.len() as u32) < min || (args.len() as u32) > max)
        {
            self.diag(
                &WRONG_ARGUMENT_COUNT,
                func.span,
                crate::binder::expr::count_message(&func.name, min, max, args.len()),
            );
        }
        let out = self.plugin_output(&func.name, plugin, args, &outs, input, inp);
        match schema {
            // `: (a: long, ...)` is the output; `: (*, a: long)` keeps the
            // plug-in's own columns first (those not declared again)
            Some(decls) => {
                let declared = self.decl_schema(decls);
                let mut cols: Vec<Column> = Vec::new();
                if schema_star {
                    cols.extend(
                        out.schema
                            .columns()
                            .iter()
                            .filter(|c| !declared.iter().any(|d| d.name == c.name))
                            .cloned(),
                    );
                }
                cols.extend(declared);
                self.ended(Schema::new(cols, false))
            }
            None => out,
        }
    }

    /// The output of a plug-in call, from its catalogue description or, for
    /// those whose output Kusto.Language computes from the arguments, as it
    /// computes it (`PlugIns.cs`).
    pub(super) fn plugin_output(
        &mut self,
        name: &str,
        plugin: Option<&kql_schema::Function>,
        args: &'a [ast::Arg],
        outs: &[Out],
        input: Option<&Tab>,
        inp: &Tab,
    ) -> Tab {
        if let Some(t) = self.computed_plugin_output(name, args, outs, inp) {
            return t;
        }
        let Some(plugin) = plugin else {
            return Tab::open();
        };
        let inp_cols = || {
            input
                .map(|i| i.schema.columns().to_vec())
                .unwrap_or_default()
        };
        let in_open = input.map_or(Openness::Closed, |i| i.schema.openness());
        let Some(out) = &plugin.output else {
            return Tab::open();
        };
        let open = Openness::from(out.open).or(in_open.clone());
        match out.kind {
            PluginOutputKind::Declared => {
                let sig = plugin.signatures.first();
                let decl = sig.and_then(|s| s.declared.clone());
                match decl {
                    Some(TypeRef::Table { columns, open: o }) => {
                        let cols = columns
                            .iter()
                            .map(|(n, t)| self.new_col(n.clone(), Ty::from_scalar(*t)))
                            .collect();
                        self.ended(Schema::new(cols, o || out.open))
                    }
                    _ => Tab::open(),
                }
            }
            PluginOutputKind::Input => Tab {
                schema: Schema::new(inp_cols(), open),
                narrow: inp.narrow.clone(),
            },
            PluginOutputKind::InputPlusOpen => {
                let removed = if out.removes.is_some() {
                    outs.first().and_then(|o| o.col.as_ref()).map(|c| c.id)
                } else {
                    None
                };
                let cols = inp_cols()
                    .into_iter()
                    .filter(|c| Some(c.id) != removed)
                    .collect();
                self.ended(Schema::new(cols, true))
            }
            PluginOutputKind::InputPlusTable => {
                let mut cols = inp_cols();
                let mut o = open;
                if let Some(i) = out.table_argument
                    && let Some(Val::Table(t)) = outs.get(i as usize).map(|o| &o.val)
                {
                    cols.extend(t.schema.columns().iter().cloned());
                    o = o.or(t.schema.openness());
                } else {
                    o = Openness::Open;
                }
                make_names_unique(&mut cols, &mut self.ids);
                self.ended(Schema::new(cols, o))
            }
            PluginOutputKind::PrefixPlusInput => {
                let mut cols: Vec<Column> = out
                    .columns
                    .iter()
                    .map(|c| self.new_col(c.name.clone(), Ty::from_scalar(c.ty)))
                    .collect();
                cols.extend(inp_cols());
                self.ended(Schema::new(cols, open))
            }
            PluginOutputKind::ArgumentSchema => {
                // `python(typeof(*, z: string), ...)`: `*` is the input
                let Some(a) = out.argument.and_then(|i| args.get(i as usize)) else {
                    return Tab::open();
                };
                let ExprKind::Literal(ast::Literal {
                    kind: ast::LitKind::TypeOf(items),
                    ..
                }) = &a.value.kind
                else {
                    return Tab::open();
                };
                let mut cols = Vec::new();
                let star = typeof_has_star(a.value.span.text(self.src));
                if star {
                    cols.extend(inp_cols());
                }
                for it in items {
                    if let ast::TypeOfItem::Column(d) = it {
                        let ty = Ty::parse(&d.ty.name).unwrap_or(Ty::Unknown);
                        cols.push(self.new_col(d.name.name.clone(), ty));
                    }
                }
                self.ended(Schema::new(cols, in_open.clone().when(star)))
            }
            _ => Tab::open(),
        }
    }

    /// The plug-ins whose output Kusto.Language computes from the arguments
    /// (`PlugIns.cs`): the time column, the dimension columns and fixed
    /// result columns, named after the arguments where it names them so.
    pub(super) fn computed_plugin_output(
        &mut self,
        name: &str,
        args: &'a [ast::Arg],
        outs: &[Out],
        inp: &Tab,
    ) -> Option<Tab> {
        let n = outs.len();
        // the column an argument refers to (Kusto's AddReferencedColumn)
        let col = |i: usize| outs.get(i).and_then(|o| o.col.clone());
        let cols_from = |i: usize| -> Vec<Column> {
            outs.iter().skip(i).filter_map(|o| o.col.clone()).collect()
        };
        let arg_name = |b: &Self, i: usize| -> SmolStr {
            args.get(i)
                .and_then(|a| b.arg_result_name(a, Some(""), None))
                .unwrap_or_default()
        };
        let mut cols: Vec<Column> = Vec::new();
        let fixed = |b: &mut Self, cols: &mut Vec<Column>, list: &[(&str, Ty)]| {
            for (nm, ty) in list {
                cols.push(b.new_col(*nm, *ty));
            }
        };
        use Ty::{Long, Real};
        match name {
            "active_users_count" => {
                cols.extend(col(1));
                cols.extend(cols_from(8));
                fixed(self, &mut cols, &[("dcount", Long)]);
            }
            "activity_counts_metrics" => {
                cols.extend(col(1));
                cols.extend(cols_from(5));
                fixed(
                    self,
                    &mut cols,
                    &[
                        ("count", Long),
                        ("dcount", Long),
                        ("new_dcount", Long),
                        ("aggregated_dcount", Long),
                    ],
                );
            }
            "activity_engagement" => {
                cols.extend(col(1));
                if n > 4 {
                    cols.extend(cols_from(6));
                }
                fixed(
                    self,
                    &mut cols,
                    &[
                        ("dcount_activities_inner", Long),
                        ("dcount_activities_outer", Long),
                        ("activity_ratio", Real),
                    ],
                );
            }
            "activity_metrics" => {
                cols.extend(col(1));
                if n >= 5 {
                    cols.extend(cols_from(5));
                }
                fixed(
                    self,
                    &mut cols,
                    &[
                        ("dcount_values", Long),
                        ("dcount_newvalues", Long),
                        ("retention_rate", Real),
                        ("churn_rate", Real),
                    ],
                );
            }
            "new_activity_metrics" => {
                if n > 1 {
                    let tl = arg_name(self, 1);
                    let ty = outs[1].ty();
                    cols.push(self.new_col(format_smolstr!("from_{tl}"), ty));
                    cols.push(self.new_col(format_smolstr!("to_{tl}"), ty));
                }
                // an optional cohort (a constant), then the dimensions, then
                // an optional lookback table
                let mut i = 5;
                if n > 5 && (outs[5].constant || outs[5].col.is_none()) {
                    i = 6;
                }
                while i < n && !matches!(outs[i].val, Val::Table(_)) {
                    cols.extend(col(i));
                    i += 1;
                }
                fixed(
                    self,
                    &mut cols,
                    &[
                        ("dcount_new_values", Long),
                        ("dcount_retained_values", Long),
                        ("dcount_churn_values", Long),
                        ("retention_rate", Real),
                        ("churn_rate", Real),
                    ],
                );
            }
            "session_count" => {
                cols.extend(col(1));
                cols.extend(cols_from(6));
                fixed(self, &mut cols, &[("count_sessions", Long)]);
            }
            "sliding_window_counts" => {
                cols.extend(col(1));
                cols.extend(cols_from(6));
                fixed(self, &mut cols, &[("Count", Long), ("Dcount", Long)]);
            }
            "rolling_percentile" => {
                cols.extend(col(2));
                cols.extend(cols_from(5));
                let literal = |i: usize| {
                    args.get(i)
                        .filter(|a| {
                            matches!(
                                &a.value.kind,
                                ExprKind::Literal(ast::Literal {
                                    kind: ast::LitKind::Long(_)
                                        | ast::LitKind::Int(_)
                                        | ast::LitKind::Real(_),
                                    ..
                                })
                            )
                        })
                        .map_or_else(
                            || "0".to_string(),
                            |a| a.value.span.text(self.src).trim().to_string(),
                        )
                };
                let value = col(0);
                let cname = format_smolstr!(
                    "rolling_{}_percentile_{}_{}",
                    literal(4),
                    value.as_ref().map_or("value", |c| c.name.as_str()),
                    literal(1)
                );
                let ty = value.map_or(Long, |c| c.ty);
                cols.push(self.new_col(cname, ty));
            }
            "sequence_detect" => {
                // (timeline, max step window, max span, predicates..., dimensions...):
                // the predicates are the bool arguments from the fourth on
                let mut steps = Vec::new();
                let mut i = 3;
                while i < n && (i == 3 || outs[i].ty() == Ty::Bool) {
                    steps.push(i);
                    i += 1;
                }
                cols.extend(cols_from(i));
                if n > 0 {
                    let tl = arg_name(self, 0);
                    let ty = outs[0].ty();
                    for s in steps {
                        let step = arg_name(self, s);
                        cols.push(self.new_col(format_smolstr!("{step}_{tl}"), ty));
                    }
                }
                fixed(self, &mut cols, &[("Duration", Ty::TimeSpan)]);
            }
            "funnel_sequence" => {
                cols.extend(col(1));
                if n > 6 {
                    let ty = outs[6].ty();
                    cols.push(self.new_col("prev", ty));
                    cols.push(self.new_col("next", ty));
                }
                fixed(
                    self,
                    &mut cols,
                    &[("dcount", Long), ("samples", Ty::Dynamic)],
                );
            }
            "funnel_sequence_completion" => {
                cols.extend(col(1));
                if n > 5 {
                    let state = arg_name(self, 5);
                    cols.push(self.new_col(state, Ty::String));
                }
                fixed(
                    self,
                    &mut cols,
                    &[("Period", Ty::TimeSpan), ("dcount", Long)],
                );
            }
            "dcount_intersect" => {
                cols.extend(inp.schema.columns().iter().cloned());
                for i in 0..n {
                    cols.push(self.new_col(format_smolstr!("s{i}"), Long));
                }
                return Some(Tab {
                    schema: Schema::new(cols, inp.schema.openness()),
                    narrow: inp.narrow.clone(),
                });
            }
            "estimate_rows_count" => {
                fixed(self, &mut cols, &[("EstimatedRowsCount", Long)]);
            }
            "schema_merge" => {
                fixed(
                    self,
                    &mut cols,
                    &[
                        ("ColumnName", Ty::String),
                        ("ColumnOrdinal", Ty::Int),
                        ("DataType", Ty::String),
                        ("ColumnType", Ty::String),
                    ],
                );
            }
            "pivot" => {
                // the columns named after the aggregate, else every input
                // column but the pivot column and the aggregated one; then
                // one column per pivot value (open)
                let named = cols_from(2);
                if named.is_empty() {
                    let pivot = col(0).map(|c| c.id);
                    let aggregated = args.get(1).and_then(|a| match &a.value.kind {
                        ExprKind::Call { args: inner, .. } => match inner
                            .first()
                            .map(|x| &x.value.kind)
                        {
                            Some(ExprKind::Name(id)) => inp.schema.column(&id.name).map(|c| c.id),
                            _ => None,
                        },
                        _ => None,
                    });
                    cols.extend(
                        inp.schema
                            .columns()
                            .iter()
                            .filter(|c| Some(c.id) != pivot && Some(c.id) != aggregated)
                            .cloned(),
                    );
                } else {
                    cols.extend(named);
                }
                return Some(self.ended(Schema::new(cols, true)));
            }
            _ => return None,
        }
        Some(self.ended(Schema::new(cols, false)))
    }

    pub(super) fn unknown_plugin(&mut self, func: &ast::Ident, rcx: &Cx<'a>) {
        if self.quiet > 0 {
            return;
        }
        let _ = rcx;
        let names = self.catalog.function_names(Some(FunctionKind::Plugin));
        let s = crate::binder::expr::suggest(&func.name, names.iter().copied()).map(str::to_owned);
        let msg = match &s {
            Some(s) => format!(
                "`{}` is not a known plug-in; did you mean `{s}`?",
                func.name
            ),
            None => format!("`{}` is not a known plug-in", func.name),
        };
        self.diag(&UNKNOWN_FUNCTION, func.span, msg);
    }

    pub(super) fn invoke(&mut self, e: &'a Expr, inp: &Tab, cx: &Cx<'a>) -> Tab {
        let ExprKind::Call {
            receiver: None,
            func,
            args,
            ..
        } = &e.kind
        else {
            let _ = self.value(
                e,
                &Cx {
                    lenient: true,
                    ..cx.no_row()
                },
            );
            return Tab::open();
        };
        if let Some(node) = env_lookup(&cx.env, &func.name) {
            let (sym, decl) = (node.sym.clone(), node.decl);
            self.reference_let(decl, func.span);
            if let crate::binder::Sym::Func(f) = sym {
                let out = self.call_user(&f, func, args, Some(inp.clone()), &cx.no_row());
                return match out.val {
                    Val::Table(t) => t,
                    _ => Tab::open(),
                };
            }
        }
        if let Some(sf) = self.catalog.stored_function(&func.name) {
            // arguments of `invoke F(...)` are evaluated against the input rows
            let acx = cx.with_row(inp);
            for a in args {
                let _ = self.value(&a.value, &acx);
            }
            self.record(func.span, &func.name, crate::Resolved::StoredFunction);
            if sf.form != kql_schema::FunctionForm::Invoke {
                return Tab::open();
            }
            let (min, max) = (sf.min_args(), sf.max_args());
            if args.len() < min || args.len() > max {
                self.diag(
                    &WRONG_ARGUMENT_COUNT,
                    func.span,
                    crate::binder::expr::count_message(
                        &func.name,
                        min as u32,
                        max as u32,
                        args.len(),
                    ),
                );
            }
            let mut cols: Vec<Column> = inp.schema.columns().to_vec();
            for c in &sf.result_columns {
                let col = self.new_col(c.name.clone(), Ty::from_scalar(c.ty));
                cols.push(col);
            }
            make_names_unique(&mut cols, &mut self.ids);
            let open = inp.schema.openness().or(Self::function_openness(sf));
            return Tab {
                schema: Schema::new(cols, open),
                narrow: inp.narrow.clone(),
            };
        }
        self.record(func.span, &func.name, crate::Resolved::Unresolved);
        // the function is unknown: its arguments may name input columns
        let lcx = Cx {
            lenient: true,
            ..cx.with_row(inp)
        };
        for a in args {
            let _ = self.value(&a.value, &lcx);
        }
        self.unknown_function(func, cx, None);
        Tab::open()
    }
}

/// Plug-ins Microsoft documents that the bundled catalogue (taken from
/// Kusto.Language 12.4.1) does not have; their output is computed in
/// [`Binder::computed_plugin_output`].
const EXTRA_PLUGINS: &[&str] = &["schema_merge"];

/// Argument counts Microsoft documents where the catalogue's are narrower
/// (or missing): `bag_unpack(column [, prefix] [, columnsConflict] [,
/// ignoredProperties])` (Kusto.Language 12.4.1 takes two), `schema_merge([PreserveOrder])`.
fn documented_arity(plugin: &str) -> Option<(u32, u32)> {
    match plugin {
        "bag_unpack" => Some((1, 4)),
        "schema_merge" => Some((0, 1)),
        _ => None,
    }
}

/// Whether a `typeof(...)` literal's text starts its list with `*` (the
/// input columns).
fn typeof_has_star(text: &str) -> bool {
    text.split_once('(')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('*'))
}
