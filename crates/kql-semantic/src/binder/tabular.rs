//! Tabular operators: the row schema each one outputs.

use super::expr::Style;
use super::{Binder, Cx, Out, Tab, Val, env_lookup};
use crate::fx::FxMap;
use crate::names::{ProjBuilder, UniqueNames, make_names_unique};
use crate::rules::*;
use crate::ty::{Column, Schema, Ty};
use crate::{OperatorInfo, operators};
use kql_schema::{FunctionKind, PluginOutputKind, TypeRef};
use kql_syntax::ast::{
    self, ColumnExpr, ColumnNames, Expr, ExprKind, JoinCondition, OpParam, Operator, OperatorKind,
    Pipeline,
};
use kqlint_diagnostics::{Applicability, Diagnostic, Fix};
use smol_str::{SmolStr, format_smolstr};
use std::rc::Rc;

fn param<'p>(params: &'p [OpParam], name: &str) -> Option<&'p OpParam> {
    params
        .iter()
        .find(|p| p.name.name.eq_ignore_ascii_case(name))
}

/// The value of `name=value` as a word (`kind=inner`, `withsource=T`).
fn param_word(params: &[OpParam], name: &str) -> Option<SmolStr> {
    let p = param(params, name)?;
    match &p.value.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Literal(l) => match &l.kind {
            ast::LitKind::String(s) => Some(s.value.as_str().into()),
            ast::LitKind::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
            _ => None,
        },
        _ => None,
    }
}

fn is_star(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Star)
}

impl<'a> Binder<'a> {
    /// KQL113: Kusto cannot group, compare or order `dynamic` values, so a
    /// key of type `dynamic` fails the query.
    fn dynamic_key(&mut self, e: &Expr, ty: Ty, what: &str) {
        if ty != Ty::Dynamic || self.quiet > 0 {
            return;
        }
        if is_star(e) {
            return;
        }
        let text = self.src.get(e.span.range()).unwrap_or("").trim();
        let shown: String = if text.chars().count() > 48 {
            text.chars().take(45).chain("...".chars()).collect()
        } else {
            text.to_owned()
        };
        let d = Diagnostic::new(
            &DYNAMIC_KEY,
            e.span,
            format!("`{shown}` is `dynamic`, and {what} cannot be `dynamic`"),
        )
        .with_help(
            "convert it to the type it holds: `tostring(...)`, `toint(...)`, `todatetime(...)`",
        )
        .with_fix(Fix::replace(
            "Convert it with `tostring()`",
            e.span,
            format!("tostring({text})"),
            Applicability::Unsafe,
        ));
        self.report(d);
    }

    /// `distinct *` over rows with a `dynamic` column.
    fn dynamic_star(&mut self, star: &Expr, inp: &Tab) {
        if self.quiet > 0 {
            return;
        }
        let dynamic: Vec<&str> = inp
            .schema
            .visible()
            .filter(|c| c.ty == Ty::Dynamic)
            .map(|c| c.name.as_str())
            .collect();
        let Some(first) = dynamic.first() else {
            return;
        };
        let msg = format!(
            "`distinct *` takes the `dynamic` column `{first}`{}, and a `distinct` key cannot be `dynamic`",
            if dynamic.len() > 1 {
                format!(" (and {} more)", dynamic.len() - 1)
            } else {
                String::new()
            }
        );
        let d = Diagnostic::new(&DYNAMIC_KEY, star.span, msg).with_help(format!(
            "list the columns instead, converting the dynamic ones: `tostring({first})`"
        ));
        self.report(d);
    }

    /// `source | op | ...`, or an implicit-input body given `input`.
    pub fn pipeline(&mut self, p: &'a Pipeline, input: Option<Tab>, cx: &Cx<'a>) -> Tab {
        let mut cur = match &p.source {
            Some(src) => self.tabular(src, &cx.no_row()),
            None => input.unwrap_or_else(Tab::open),
        };
        for op in &p.ops {
            cur = self.operator(&op.op, Some(cur), cx);
        }
        cur
    }

    /// A subquery whose input is implicit (`mv-apply ... on (...)`,
    /// `partition by X (...)`, `fork (...)`).
    fn implicit(&mut self, e: &'a Expr, input: &Tab, cx: &Cx<'a>) -> Tab {
        match &e.kind {
            ExprKind::Paren(inner) => self.implicit(inner, input, cx),
            ExprKind::Pipeline(p) if p.source.is_none() => {
                self.pipeline(p, Some(input.clone()), cx)
            }
            ExprKind::Pipeline(p) => self.pipeline(p, None, cx),
            _ => self.tabular(e, &cx.no_row()),
        }
    }

    /// Binds one operator; `input` is `None` for a source operator.
    pub fn operator(&mut self, op: &'a Operator, input: Option<Tab>, cx: &Cx<'a>) -> Tab {
        let inp = input.clone().unwrap_or_else(|| Tab::new(Schema::empty()));
        self.cursor = op.span;
        let out = self
            .deeper(|b| b.operator_inner(op, input.as_ref(), &inp, cx))
            .unwrap_or_else(Tab::open);
        let out = self.bounded(&inp, out, op.span);
        if self.quiet == 0 && self.opts.record {
            self.operators.push(OperatorInfo {
                name: op.kind.name().into(),
                span: op.span,
                keyword_span: op.keyword_span,
                input: inp.schema.clone(),
                output: out.schema.clone(),
                narrowing: inp.narrow.clone(),
            });
        }
        out
    }

    /// An operator's output within the budget (crate::budget): cut to the
    /// widest row followed, and unknown once the work is spent.
    fn bounded(&mut self, inp: &Tab, out: Tab, at: kql_syntax::Span) -> Tab {
        // An operator that passes its input's rows on (`where`, `take`)
        // makes no new schema.
        let made = if out.schema.addr() == inp.schema.addr() {
            0
        } else {
            out.schema.len()
        };
        match self.budget.charge(made, at) {
            // (an open input without columns is passed on, not made anew:
            // a million operators after the stop share one schema)
            _ if self.budget.stopped() && inp.schema.is_open() && inp.schema.is_empty() => {
                inp.clone()
            }
            _ if self.budget.stopped() => Tab::open(),
            Some(keep) => Tab {
                schema: Schema::new(out.schema.columns()[..keep].to_vec(), true),
                narrow: out.narrow,
            },
            None => out,
        }
    }

    fn same(&self, inp: &Tab) -> Tab {
        inp.clone()
    }

    fn ended(&self, schema: Schema) -> Tab {
        Tab::new(schema)
    }

    fn operator_inner(
        &mut self,
        op: &'a Operator,
        input: Option<&Tab>,
        inp: &Tab,
        cx: &Cx<'a>,
    ) -> Tab {
        let rcx = cx.with_row(inp);
        match &op.kind {
            OperatorKind::Error => {
                let open = Schema::new(inp.schema.columns().to_vec(), true);
                Tab::new(open)
            }
            OperatorKind::Where(pred) => {
                let o = self.scalar(pred, &rcx);
                let t = o.ty();
                // a dynamic value is not converted to bool either
                if t.is_known() && t != Ty::Bool {
                    self.diag(
                        &OPERAND_TYPE_MISMATCH,
                        pred.span,
                        format!("the condition of `where` must be a bool, not `{t}`"),
                    );
                }
                Tab {
                    schema: inp.schema.clone(),
                    narrow: self.narrow(inp, pred),
                }
            }
            OperatorKind::Project(items) => {
                let mut b = ProjBuilder::default();
                for item in items {
                    let out = self.item_value(item, &rcx);
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Default,
                        false,
                        None,
                        None,
                        Some(inp),
                    );
                }
                let open = inp.schema.is_open() && items.iter().any(|i| is_star(&i.expr));
                Tab {
                    schema: b.finish(open),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ProjectAway(pats) => {
                let remove: crate::fx::FxSet<u32> =
                    self.pattern_columns(pats, inp, &rcx).into_iter().collect();
                let cols: Vec<Column> = inp
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| !remove.contains(&c.id))
                    .cloned()
                    .collect();
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ProjectKeep(pats) => {
                let keep: crate::fx::FxSet<u32> =
                    self.pattern_columns(pats, inp, &rcx).into_iter().collect();
                let cols: Vec<Column> = inp
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| keep.contains(&c.id))
                    .cloned()
                    .collect();
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ProjectRename(renames) => {
                let mut b = ProjBuilder::with_columns(&inp.schema, true, true, &mut self.ids);
                for r in renames {
                    let old = self.column_ref_reported(&r.old, inp, &rcx);
                    if old.is_none() {
                        continue;
                    }
                    match b.rename(&r.old.name, &r.new.name, &mut self.ids) {
                        Ok(_) => {}
                        Err(()) => self.diag(
                            &DUPLICATE_COLUMN,
                            r.new.span,
                            format!("the column `{}` is already declared", r.new.name),
                        ),
                    }
                }
                Tab {
                    schema: b.finish(inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ProjectReorder(items) => {
                let mut b = ProjBuilder::default();
                for it in items {
                    let mut matched: Vec<Column> = if it.pattern.has_wildcard() {
                        inp.schema
                            .columns()
                            .iter()
                            .filter(|c| it.pattern.matches(&c.name))
                            .cloned()
                            .collect()
                    } else {
                        let id = ast::Ident {
                            name: it.pattern.pattern.clone(),
                            span: it.pattern.span,
                            quoted: false,
                        };
                        match self.column_ref_reported(&id, inp, &rcx) {
                            Some(c) => vec![c],
                            // a column of an open row set the analysis cannot see
                            None if inp.schema.is_open() => {
                                vec![self.new_col(id.name.clone(), Ty::Unknown)]
                            }
                            None => Vec::new(),
                        }
                    };
                    if it.pattern.has_wildcard() && matched.is_empty() && !inp.schema.is_open() {
                        self.no_pattern_match(&it.pattern, inp);
                    }
                    match it.order.as_ref().map(|o| o.name.as_str()) {
                        Some("asc") | Some("granny-asc") => {
                            matched.sort_by(|a, b| a.name.cmp(&b.name))
                        }
                        Some("desc") | Some("granny-desc") => {
                            matched.sort_by(|a, b| b.name.cmp(&a.name))
                        }
                        _ => {}
                    }
                    for c in matched {
                        b.add(c, None, false, true, &mut self.ids);
                    }
                }
                for c in inp.schema.columns() {
                    b.add(c.clone(), None, false, false, &mut self.ids);
                }
                Tab {
                    schema: b.finish(inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ProjectByNames(exprs) => {
                for e in exprs {
                    let _ = self.value(
                        e,
                        &Cx {
                            lenient: true,
                            ..rcx.clone()
                        },
                    );
                }
                Tab::open()
            }
            OperatorKind::Extend(items) | OperatorKind::Serialize(items) => {
                let mut b = ProjBuilder::with_columns(&inp.schema, false, true, &mut self.ids);
                let style = if matches!(op.kind, OperatorKind::Extend(_)) {
                    Style::Extend
                } else {
                    Style::Default
                };
                for item in items {
                    let out = self.item_value(item, &rcx);
                    self.project_item(item, &out, &mut b, style, false, None, None, Some(inp));
                }
                Tab {
                    schema: b.finish(inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Summarize { aggregates, by, .. } => {
                let mut b = ProjBuilder::default();
                let mut by_ids = Vec::new();
                for item in by {
                    let out = self.item_value(item, &rcx);
                    self.dynamic_key(&item.expr, out.ty(), "a `summarize ... by` key");
                    if let Some(c) = &out.result_col {
                        by_ids.push(c.id);
                    }
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Default,
                        false,
                        None,
                        None,
                        Some(inp),
                    );
                }
                b.do_not_add_all();
                let acx = Cx {
                    agg: true,
                    by_ids: Rc::new(by_ids),
                    ..rcx.clone()
                };
                let mut open = false;
                for item in aggregates {
                    let out = self.item_value(item, &acx);
                    open |= inp.schema.is_open() && has_star_arg(&item.expr);
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Summarize,
                        false,
                        None,
                        None,
                        Some(inp),
                    );
                }
                self.ended(b.finish(open))
            }
            OperatorKind::Distinct { columns, .. } => {
                let mut b = ProjBuilder::default();
                for item in columns {
                    let out = self.item_value(item, &rcx);
                    if is_star(&item.expr) {
                        self.dynamic_star(&item.expr, inp);
                    } else {
                        self.dynamic_key(&item.expr, out.ty(), "a `distinct` key");
                    }
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Default,
                        false,
                        None,
                        None,
                        Some(inp),
                    );
                }
                let open = inp.schema.is_open() && columns.iter().any(|i| is_star(&i.expr));
                Tab {
                    schema: b.finish(open),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Count { as_name } => {
                let name = as_name
                    .as_ref()
                    .map_or_else(|| SmolStr::new("Count"), |n| n.name.clone());
                let c = self.new_col(name, Ty::Long);
                self.ended(Schema::new(vec![c], false))
            }
            OperatorKind::Take { count, .. } => {
                let _ = self.scalar(count, &cx.no_row());
                self.same(inp)
            }
            OperatorKind::Sample(count) => {
                let _ = self.scalar(count, &cx.no_row());
                self.same(inp)
            }
            OperatorKind::Top { count, by, .. } => {
                let _ = self.scalar(count, &cx.no_row());
                let _ = self.scalar(&by.expr, &rcx);
                self.same(inp)
            }
            OperatorKind::Sort { keys, .. } => {
                for k in keys {
                    let t = self.scalar(&k.expr, &rcx).ty();
                    self.dynamic_key(&k.expr, t, "a sort key");
                }
                self.same(inp)
            }
            OperatorKind::TopNested(clauses) => {
                let mut unique = UniqueNames::default();
                let mut cols = Vec::new();
                let acx = Cx {
                    agg: true,
                    ..rcx.clone()
                };
                for cl in clauses {
                    if let Some(c) = &cl.count {
                        let _ = self.scalar(c, &cx.no_row());
                    }
                    let of = self.item_value(&cl.of, &rcx);
                    if let Some(o) = &cl.others {
                        let _ = self.scalar(o, &rcx);
                    }
                    let by = self.item_value(&cl.by, &acx);
                    let of_declared = self.declared_name(&cl.of);
                    let of_name = of_declared
                        .or_else(|| self.result_name(&cl.of.expr, Some(""), None))
                        .unwrap_or_default();
                    let of_name = unique.get_or_add(&of_name, None);
                    let mut oc = self.new_col(of_name.clone(), of.ty());
                    oc.origin = of.col.as_ref().and_then(|c| c.origin.clone());
                    cols.push(oc);
                    let by_name = self
                        .declared_name(&cl.by)
                        .unwrap_or_else(|| format_smolstr!("aggregated_{of_name}"));
                    let by_name = unique.get_or_add(&by_name, None);
                    cols.push(self.new_col(by_name, by.ty()));
                }
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::TopHitters { count, of, by } => {
                let _ = self.scalar(count, &cx.no_row());
                let o = self.scalar(of, &rcx);
                let name = self.result_name(of, Some(""), None).unwrap_or_default();
                let mut cols = Vec::new();
                let mut oc = self.new_col(name.clone(), o.ty());
                oc.origin = o.col.as_ref().and_then(|c| c.origin.clone());
                cols.push(oc);
                match by {
                    Some(by) => {
                        let bo = self.scalar(by, &rcx);
                        let bn = self.result_name(by, Some(""), None).unwrap_or_default();
                        cols.push(self.new_col(format_smolstr!("approximate_sum_{bn}"), bo.ty()));
                    }
                    None => cols
                        .push(self.new_col(format_smolstr!("approximate_count_{name}"), Ty::Long)),
                }
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::Join {
                params,
                right,
                condition,
            } => self.join(inp, params, right, condition.as_ref(), cx, false),
            OperatorKind::Lookup {
                params,
                right,
                condition,
            } => self.join(inp, params, right, condition.as_ref(), cx, true),
            OperatorKind::Union { params, tables } => {
                let fuzzy = param_word(params, "isfuzzy").is_some_and(|v| v == "true");
                let ucx = cx.no_row();
                let mut tabs = Vec::new();
                if let Some(i) = input {
                    tabs.push(i.clone());
                }
                for t in tables {
                    match &t.kind {
                        ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, fuzzy)),
                        // a fuzzy union ignores legs that do not exist
                        ExprKind::Name(id) if fuzzy => {
                            let lcx = Cx {
                                lenient: true,
                                ..ucx.clone()
                            };
                            match self.name(id, &lcx, true).val {
                                Val::Table(t) => tabs.push(t),
                                _ => tabs.push(Tab::open()),
                            }
                        }
                        _ => tabs.push(self.tabular(t, &ucx)),
                    }
                }
                let ws = param_word(params, "withsource");
                let inner = param_word(params, "kind").is_some_and(|k| k == "inner");
                self.union_tables(&tabs, ws.as_deref(), inner)
            }
            OperatorKind::MvExpand {
                params,
                items,
                limit,
            } => {
                let mut b = ProjBuilder::with_columns(&inp.schema, false, true, &mut self.ids);
                self.mv_items(items, &rcx, &mut b, inp);
                if let Some(n) = param_word(params, "with_itemindex") {
                    let c = self.new_col(n, Ty::Long);
                    b.add(c, None, false, false, &mut self.ids);
                }
                if let Some(l) = limit {
                    let _ = self.scalar(l, &cx.no_row());
                }
                Tab {
                    schema: b.finish(inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::MvApply {
                params,
                items,
                limit,
                on,
            } => {
                let mut b = ProjBuilder::with_columns(&inp.schema, false, true, &mut self.ids);
                self.mv_items(items, &rcx, &mut b, inp);
                if let Some(n) = param_word(params, "with_itemindex") {
                    let c = self.new_col(n, Ty::Long);
                    b.add(c, None, false, false, &mut self.ids);
                }
                if let Some(l) = limit {
                    let _ = self.scalar(l, &cx.no_row());
                }
                let sub_in = Tab {
                    schema: b.finish(inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                };
                let out = self.implicit(on, &sub_in, cx);
                // the input columns (less those the expansion replaced), then
                // the subquery's columns not already there
                let replaced: Vec<&str> = items
                    .iter()
                    .filter(|it| matches!(it.column.names, ColumnNames::None))
                    .filter_map(|it| match &it.column.expr.kind {
                        ExprKind::Name(id) => Some(id.name.as_str()),
                        _ => None,
                    })
                    .collect();
                let mut cols: Vec<Column> = inp
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| !replaced.contains(&c.name.as_str()))
                    .cloned()
                    .collect();
                let mut have: crate::fx::FxSet<SmolStr> =
                    cols.iter().map(|c| c.name.clone()).collect();
                for c in out.schema.columns() {
                    if have.insert(c.name.clone()) {
                        cols.push(c.clone());
                    }
                }
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open() || out.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Parse {
                input: e, pattern, ..
            } => {
                let _ = self.scalar(e, &rcx);
                let mut cols: Vec<Column> = inp.schema.columns().to_vec();
                let mut declared: Vec<SmolStr> = Vec::new();
                for part in pattern {
                    if let ast::ParsePart::Column { name, ty, .. } = part {
                        if declared.contains(&name.name) {
                            self.diag(
                                &DUPLICATE_COLUMN,
                                name.span,
                                format!("the column `{}` is extracted twice", name.name),
                            );
                            continue;
                        }
                        declared.push(name.name.clone());
                        let t = ty
                            .as_ref()
                            .map_or(Ty::String, |t| Ty::parse(&t.name).unwrap_or(Ty::Unknown));
                        let c = self.new_col(name.name.clone(), t);
                        cols.push(c);
                    }
                }
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::ParseKv {
                input: e, columns, ..
            } => {
                let _ = self.scalar(e, &rcx);
                let mut cols: Vec<Column> = inp.schema.columns().to_vec();
                cols.extend(self.decl_schema(columns));
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Evaluate { call, schema, .. } => {
                self.evaluate(call, schema.as_deref(), input, inp, &rcx)
            }
            OperatorKind::MakeSeries {
                aggregates,
                on,
                range,
                by,
                ..
            } => {
                let mut b = ProjBuilder::default();
                for item in by {
                    let out = self.item_value(item, &rcx);
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Default,
                        false,
                        None,
                        None,
                        Some(inp),
                    );
                }
                let acx = Cx {
                    agg: true,
                    ..rcx.clone()
                };
                for a in aggregates {
                    let out = self.item_value(&a.column, &acx);
                    if let Some(d) = &a.default {
                        let _ = self.scalar(d, &cx.no_row());
                    }
                    self.project_item(
                        &a.column,
                        &out,
                        &mut b,
                        Style::Summarize,
                        false,
                        Some(Ty::Dynamic),
                        None,
                        Some(inp),
                    );
                }
                let on_out = self.scalar(on, &rcx);
                let on_item = ColumnExpr {
                    names: ColumnNames::None,
                    expr: (**on).clone(),
                    span: on.span,
                };
                self.project_item(
                    &on_item,
                    &on_out,
                    &mut b,
                    Style::Default,
                    false,
                    Some(Ty::Dynamic),
                    None,
                    Some(inp),
                );
                match range.as_deref() {
                    Some(ast::MakeSeriesRange::FromTo { from, to, step }) => {
                        for e in [from.as_ref(), to.as_ref(), Some(step)]
                            .into_iter()
                            .flatten()
                        {
                            let _ = self.scalar(e, &cx.no_row());
                        }
                    }
                    Some(ast::MakeSeriesRange::InRange { start, stop, step }) => {
                        for e in [start, stop, step] {
                            let _ = self.scalar(e, &cx.no_row());
                        }
                    }
                    None => {}
                }
                self.ended(b.finish(false))
            }
            OperatorKind::Render { props, .. } => {
                for p in props {
                    let _ = self.value(
                        &p.value,
                        &Cx {
                            lenient: true,
                            ..rcx.clone()
                        },
                    );
                }
                self.same(inp)
            }
            OperatorKind::As { name, .. } => {
                let tables = Rc::new(self.frames.last().cloned().unwrap_or_default());
                self.as_names
                    .insert(name.name.clone(), (inp.clone(), name.span, tables));
                self.same(inp)
            }
            OperatorKind::AssertSchema(_) => self.same(inp),
            OperatorKind::Invoke(e) => self.invoke(e, inp, cx),
            OperatorKind::SampleDistinct { count, of } => {
                let _ = self.scalar(count, &cx.no_row());
                let o = self.scalar(of, &rcx);
                self.dynamic_key(of, o.ty(), "a `sample-distinct` value");
                let name = self
                    .result_name(of, None, None)
                    .unwrap_or_else(|| "Column1".into());
                let mut c = self.new_col(name, o.ty());
                c.origin = o.col.as_ref().and_then(|c| c.origin.clone());
                Tab {
                    schema: Schema::new(vec![c], false),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Search {
                tables, predicate, ..
            } => {
                let base = match tables {
                    Some(ts) => {
                        let mut tabs = Vec::new();
                        for t in ts {
                            match &t.kind {
                                ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, false)),
                                _ => tabs.push(self.tabular(t, &cx.no_row())),
                            }
                        }
                        self.union_tables(&tabs, None, false)
                    }
                    None => match input {
                        Some(i) => i.clone(),
                        None => Tab::open(),
                    },
                };
                let lcx = Cx {
                    lenient: true,
                    ..cx.with_row(&base)
                };
                let _ = self.value(predicate, &lcx);
                let mut cols = vec![self.new_col("$table", Ty::String)];
                cols.extend(base.schema.columns().iter().cloned());
                self.ended(Schema::new(cols, base.schema.is_open()))
            }
            OperatorKind::Find {
                params,
                tables,
                predicate,
                project,
            } => {
                let mut tabs = Vec::new();
                if let Some(ts) = tables {
                    for t in ts {
                        match &t.kind {
                            ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, false)),
                            _ => tabs.push(self.tabular(t, &cx.no_row())),
                        }
                    }
                }
                let base = if tabs.is_empty() {
                    Tab::open()
                } else {
                    self.union_tables(&tabs, None, false)
                };
                let lcx = Cx {
                    lenient: true,
                    ..cx.with_row(&base)
                };
                let _ = self.value(predicate, &lcx);
                let src = param_word(params, "withsource").unwrap_or_else(|| "source_".into());
                let mut cols = vec![self.new_col(src, Ty::String)];
                let mut open = true;
                if let ast::FindProject::Project(items) = project {
                    open = false;
                    for it in items {
                        match &it.kind {
                            ExprKind::Call { func, .. } if func.name == "pack_all" => {
                                cols.push(self.new_col("pack_", Ty::Dynamic));
                            }
                            _ => {
                                let o = self.value(it, &lcx);
                                let name = self
                                    .result_name(it, None, None)
                                    .unwrap_or_else(|| "Column1".into());
                                cols.push(self.new_col(name, o.ty()));
                            }
                        }
                    }
                }
                self.ended(Schema::new(cols, open))
            }
            OperatorKind::Fork(branches) => {
                for br in branches {
                    let _ = self.implicit(&br.body, inp, cx);
                }
                Tab::open()
            }
            OperatorKind::Facet { with, .. } => {
                if let Some(w) = with
                    && !is_star(w)
                {
                    let _ = self.implicit(w, inp, cx);
                }
                Tab::open()
            }
            OperatorKind::Partition { by, body, .. } => {
                if let Some(c) = self.column_ref_reported(by, inp, &rcx)
                    && c.ty == Ty::Dynamic
                    && self.quiet == 0
                {
                    let d = Diagnostic::new(
                        &DYNAMIC_KEY,
                        by.span,
                        format!("`{}` is `dynamic`, and a `partition by` key cannot be `dynamic`", by.name),
                    )
                    .with_help("partition by a column of another type (`extend Key = tostring(...)` first)");
                    self.report(d);
                }
                let out = self.implicit(body, inp, cx);
                self.ended(out.schema)
            }
            OperatorKind::Scan {
                params,
                declare,
                steps,
            } => {
                let mut cols: Vec<Column> = inp.schema.columns().to_vec();
                for p in declare {
                    let t = match &p.ty {
                        ast::ParamType::Scalar(t) => Ty::parse(&t.name).unwrap_or(Ty::Unknown),
                        _ => Ty::Unknown,
                    };
                    if let Some(d) = &p.default {
                        let _ = self.scalar(d, &cx.no_row());
                    }
                    cols.push(self.new_col(p.name.name.clone(), t));
                }
                let row = Tab::new(Schema::new(cols.clone(), true));
                let lcx = Cx {
                    lenient: true,
                    ..cx.with_row(&row)
                };
                for s in steps {
                    let _ = self.value(&s.predicate, &lcx);
                    for a in &s.assignments {
                        let _ = self.value(&a.expr, &lcx);
                    }
                }
                let mid = param_word(params, "with_match_id").unwrap_or_else(|| "match_id".into());
                cols.push(self.new_col(mid, Ty::Long));
                Tab {
                    schema: Schema::new(cols, inp.schema.is_open()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Reduce { by, params } => {
                let _ = self.scalar(by, &rcx);
                let mut cols = Vec::new();
                if param_word(params, "kind").is_some_and(|k| k == "source") {
                    cols.extend(inp.schema.columns().iter().cloned());
                }
                cols.push(self.new_col("Pattern", Ty::String));
                cols.push(self.new_col("Count", Ty::Long));
                cols.push(self.new_col("Representative", Ty::String));
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::GetSchema => {
                let cols = vec![
                    self.new_col("ColumnName", Ty::String),
                    self.new_col("ColumnOrdinal", Ty::Long),
                    self.new_col("DataType", Ty::String),
                    self.new_col("ColumnType", Ty::String),
                ];
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::Consume(_) => self.ended(Schema::empty()),
            OperatorKind::Print(items) => {
                let mut b = ProjBuilder::default();
                let pcx = cx.no_row();
                for (i, item) in items.iter().enumerate() {
                    let out = self.item_value(item, &pcx);
                    let cn = format!("print_{i}");
                    self.project_item(
                        item,
                        &out,
                        &mut b,
                        Style::Print,
                        false,
                        None,
                        Some(&cn),
                        None,
                    );
                }
                self.ended(b.finish(false))
            }
            OperatorKind::Range {
                name,
                from,
                to,
                step,
            } => {
                let ncx = cx.no_row();
                let (f, t, s) = (
                    self.scalar(from, &ncx).ty(),
                    self.scalar(to, &ncx).ty(),
                    self.scalar(step, &ncx).ty(),
                );
                let ft = crate::builtins::common_type(&[f, t], false);
                let ty = if ft == Ty::Int && s == Ty::Int {
                    Ty::Int
                } else {
                    operators::binary(ast::BinaryOp::Add, ft, s).unwrap_or(Ty::Unknown)
                };
                let c = self.new_col(name.name.clone(), ty);
                self.ended(Schema::new(vec![c], false))
            }
            OperatorKind::DataTable { schema, values, .. } => {
                for v in values {
                    let _ = self.value(v, &cx.no_row());
                }
                let cols = self.decl_schema(schema);
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::ExternalData { schema, uris, .. } => {
                for u in uris {
                    let _ = self.value(u, &cx.no_row());
                }
                let cols = self.decl_schema(schema);
                self.ended(Schema::new(cols, false))
            }
            OperatorKind::MakeGraph { .. }
            | OperatorKind::GraphMatch { .. }
            | OperatorKind::GraphShortestPaths { .. }
            | OperatorKind::GraphToTable(_)
            | OperatorKind::GraphMarkComponents(_)
            | OperatorKind::GraphWhereNodes(_)
            | OperatorKind::GraphWhereEdges(_)
            | OperatorKind::MacroExpand { .. } => Tab::open(),
            OperatorKind::Other { args, .. } => {
                for a in args {
                    let _ = self.value(
                        a,
                        &Cx {
                            lenient: true,
                            ..rcx.clone()
                        },
                    );
                }
                Tab::open()
            }
        }
    }

    /// Binds a projection item's expression (`*` binds to nothing).
    fn item_value(&mut self, item: &'a ColumnExpr, cx: &Cx<'a>) -> Out {
        if is_star(&item.expr) {
            Out::any()
        } else {
            self.value(&item.expr, cx)
        }
    }

    fn declared_name(&self, item: &ColumnExpr) -> Option<SmolStr> {
        match &item.names {
            ColumnNames::Single(n) => Some(n.name.clone()),
            ColumnNames::Tuple(ns) if ns.len() == 1 => Some(ns[0].name.clone()),
            _ => None,
        }
    }

    /// A column referenced by a plain name in an operator's column list;
    /// an unknown one is reported.
    fn column_ref_reported(&mut self, id: &ast::Ident, inp: &Tab, cx: &Cx<'a>) -> Option<Column> {
        if let Some(c) = inp.schema.column(&id.name) {
            let c = c.clone();
            self.record(
                id.span,
                &id.name,
                crate::Resolved::Column {
                    ty: c.ty,
                    table: c.table().map(SmolStr::new),
                },
            );
            self.check_populated(&c, id.span, inp);
            return Some(c);
        }
        if inp.schema.is_open() {
            self.record(id.span, &id.name, crate::Resolved::OpenColumn);
            return None;
        }
        let cx = cx.with_row(inp);
        // reuse the general name path for the diagnostic
        let owned = ast::Ident {
            name: id.name.clone(),
            span: id.span,
            quoted: id.quoted,
        };
        let _ = self.name(&owned, &cx, false);
        None
    }

    /// The ids of the columns matched by `project-away`/`project-keep`
    /// patterns (a plain name must exist; a pattern must match something).
    fn pattern_columns(&mut self, pats: &[ast::NamePattern], inp: &Tab, cx: &Cx<'a>) -> Vec<u32> {
        let mut ids = Vec::new();
        for p in pats {
            if p.has_wildcard() {
                let before = ids.len();
                for c in inp.schema.columns() {
                    if p.matches(&c.name) && !c.hidden {
                        ids.push(c.id);
                    }
                }
                if ids.len() == before && !inp.schema.is_open() {
                    self.no_pattern_match(p, inp);
                }
            } else {
                let id = ast::Ident {
                    name: p.pattern.clone(),
                    span: p.span,
                    quoted: false,
                };
                if let Some(c) = self.column_ref_reported(&id, inp, cx) {
                    ids.push(c.id);
                }
            }
        }
        ids
    }

    fn no_pattern_match(&mut self, p: &ast::NamePattern, inp: &Tab) {
        let _ = inp;
        self.diag(
            &UNKNOWN_COLUMN,
            p.span,
            format!("the pattern `{}` matches no column", p.pattern),
        );
    }

    fn mv_items(&mut self, items: &'a [ast::MvItem], rcx: &Cx<'a>, b: &mut ProjBuilder, inp: &Tab) {
        for it in items {
            let out = self.item_value(&it.column, rcx);
            let t = out.ty();
            if t.is_certain() && self.quiet == 0 {
                let text = self
                    .src
                    .get(it.column.expr.span.range())
                    .unwrap_or("")
                    .trim();
                let d = Diagnostic::new(
                    &OPERAND_TYPE_MISMATCH,
                    it.column.expr.span,
                    format!("`mv-expand` takes a `dynamic` array or property bag, but this value is `{t}`"),
                )
                .with_help(if t == Ty::String {
                    format!("make an array of it first: `split({text}, \",\")` or `parse_json({text})`")
                } else {
                    "only a `dynamic` value (an array or a property bag) can be expanded".to_owned()
                });
                self.report(d);
            }
            let new_ty = match &it.to_type {
                Some(t) => Ty::parse(&t.name).unwrap_or(Ty::Unknown),
                None => match out.ty() {
                    Ty::Unknown => Ty::Unknown,
                    Ty::Dynamic => Ty::Dynamic,
                    other => other,
                },
            };
            self.project_item(
                &it.column,
                &out,
                b,
                Style::Replace,
                false,
                Some(new_ty),
                None,
                Some(inp),
            );
        }
    }

    /// Unifies several tables' columns (Kusto's `union`): same name and type
    /// merge; same name, different types give `name_type` columns.
    pub fn union_tables(&mut self, tabs: &[Tab], withsource: Option<&str>, inner: bool) -> Tab {
        let open = tabs.iter().any(|t| t.schema.is_open());
        let mut all: Vec<&Column> = Vec::new();
        for t in tabs {
            all.extend(t.schema.columns());
        }
        // name -> [(type, [columns])] in order of appearance
        let mut map: FxMap<&str, Vec<(Ty, Vec<&Column>)>> = FxMap::default();
        for c in &all {
            let e = map.entry(c.name.as_str()).or_default();
            match e.iter_mut().find(|(t, _)| *t == c.ty) {
                Some((_, v)) => v.push(c),
                None => e.push((c.ty, vec![c])),
            }
        }
        // a column of unknown type (an unknown table's, a failed
        // expression's) joins the column of known type of the same name
        for groups in map.values_mut() {
            if groups.len() > 1
                && let Some(ui) = groups.iter().position(|(t, _)| !t.is_known())
            {
                let (_, cols) = groups.remove(ui);
                groups[0].1.extend(cols);
            }
        }
        let mut unique = UniqueNames::default();
        let mut cols = Vec::new();
        if let Some(ws) = withsource {
            cols.push(self.new_col(ws, Ty::String));
            unique.add(ws);
        }
        let mut done: crate::fx::FxSet<&str> = Default::default();
        for c in &all {
            if !done.insert(c.name.as_str()) {
                continue;
            }
            let groups = &map[c.name.as_str()];
            if inner {
                let present = tabs.iter().all(|t| t.schema.column(&c.name).is_some());
                if !present {
                    continue;
                }
                let types: Vec<Ty> = groups.iter().map(|(t, _)| *t).collect();
                let ty = if types.len() == 1 {
                    types[0]
                } else {
                    Ty::Dynamic
                };
                let srcs: Vec<&Column> =
                    groups.iter().flat_map(|(_, v)| v.iter().copied()).collect();
                let col = self.merged(&c.name, ty, &srcs);
                cols.push(col);
                continue;
            }
            if groups.len() > 1 {
                for (t, srcs) in groups {
                    let name = unique.get_or_add(&format!("{}_{}", c.name, t.as_str()), None);
                    let col = self.merged(&name, *t, srcs);
                    cols.push(col);
                }
            } else {
                let (t, srcs) = &groups[0];
                let name = unique.get_or_add(&c.name, None);
                let col = if srcs.len() == 1 && name == c.name {
                    (*srcs[0]).clone()
                } else {
                    self.merged(&name, *t, srcs)
                };
                cols.push(col);
            }
        }
        self.ended(Schema::new(cols, open))
    }

    fn merged(&mut self, name: &str, ty: Ty, srcs: &[&Column]) -> Column {
        let mut c = self.new_col(name, ty);
        let first = srcs.first().and_then(|c| c.origin.clone());
        if srcs.iter().all(|s| s.origin == first) {
            c.origin = first;
        }
        c.hidden = srcs.iter().all(|s| s.hidden);
        c
    }

    #[allow(clippy::too_many_arguments)]
    fn join(
        &mut self,
        left: &Tab,
        params: &'a [OpParam],
        right_e: &'a Expr,
        cond: Option<&'a JoinCondition>,
        cx: &Cx<'a>,
        lookup: bool,
    ) -> Tab {
        let right = self.tabular(right_e, &cx.no_row());
        let kind = param_word(params, "kind").map(|k| k.to_ascii_lowercase());
        let kind = kind
            .as_deref()
            .unwrap_or(if lookup { "leftouter" } else { "innerunique" });
        let jcx = Cx {
            row: Some(left.clone()),
            right: Some(right.clone()),
            agg: false,
            ..cx.clone()
        };
        // (left id, right id) of the key columns
        let mut keys: Vec<(u32, u32)> = Vec::new();
        match cond {
            Some(JoinCondition::On(items)) => {
                for it in items {
                    self.join_key(it, left, &right, &jcx, &mut keys);
                }
            }
            Some(JoinCondition::Where(e)) => {
                // the predicate sees the columns of both sides by name
                let mut both: Vec<Column> = left.schema.columns().to_vec();
                for c in right.schema.columns() {
                    if left.schema.column(&c.name).is_none() {
                        both.push(c.clone());
                    }
                }
                let open = left.schema.is_open() || right.schema.is_open();
                let wcx = Cx {
                    row: Some(Tab::new(Schema::new(both, open))),
                    ..jcx.clone()
                };
                let _ = self.scalar(e, &wcx);
            }
            None => {}
        }
        let right_only = matches!(kind, "rightanti" | "rightsemi" | "rightantisemi");
        let left_only = matches!(kind, "anti" | "leftanti" | "leftsemi" | "leftantisemi");
        let mut cols: Vec<Column> = Vec::new();
        if lookup {
            cols.extend(left.schema.columns().iter().cloned());
            cols.extend(
                right
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| !keys.iter().any(|(_, r)| *r == c.id))
                    .cloned(),
            );
        } else {
            if !right_only {
                cols.extend(left.schema.columns().iter().cloned());
            }
            if !left_only {
                cols.extend(right.schema.columns().iter().cloned());
            }
        }
        make_names_unique(&mut cols, &mut self.ids);
        let open = (!right_only && left.schema.is_open()) || (!left_only && right.schema.is_open());
        self.ended(Schema::new(cols, open))
    }

    /// KQL115: a join equality compares `$left.A` with `$right.B`, in that
    /// order.
    fn join_condition_form(&mut self, e: &Expr, lhs: &Expr, rhs: &Expr) {
        if self.quiet > 0 {
            return;
        }
        let side = |x: &Expr| match &x.kind {
            ExprKind::Member { expr, .. } => match &expr.kind {
                ExprKind::Name(s) if s.name == "$left" || s.name == "$right" => {
                    Some(s.name.clone())
                }
                _ => None,
            },
            _ => None,
        };
        let (l, r) = (side(lhs), side(rhs));
        if l.as_deref() == Some("$left") && r.as_deref() == Some("$right") {
            return;
        }
        if l.as_deref() == Some("$right") && r.as_deref() == Some("$left") {
            let text = |x: &Expr| self.src.get(x.span.range()).unwrap_or("").to_owned();
            let swapped = format!("{} == {}", text(rhs), text(lhs));
            let d = Diagnostic::new(
                &JOIN_CONDITION_FORM,
                e.span,
                "the `$right` column comes first: a join condition is written `$left.<column> == $right.<column>`",
            )
            .with_fix(Fix::replace(
                format!("Swap the operands: `{swapped}`"),
                e.span,
                swapped,
                Applicability::Safe,
            ));
            self.report(d);
            return;
        }
        for (x, got, want) in [(lhs, &l, "$left"), (rhs, &r, "$right")] {
            if got.as_deref() != Some(want) {
                let d = Diagnostic::new(
                    &JOIN_CONDITION_FORM,
                    x.span,
                    format!("this side of a join condition must be `{want}.<column>`"),
                )
                .with_help(
                    "a join condition is written `$left.<column> == $right.<column>`; `on Column` alone joins on a column both sides have",
                );
                self.report(d);
            }
        }
    }

    /// KQL114: Kusto compares join keys without converting them.
    fn join_key_types(&mut self, key: &Expr, left: Ty, right: Ty) {
        if left == right || !left.is_known() || !right.is_known() || self.quiet > 0 {
            return;
        }
        // Id columns are `guid` in some schema files and `string` in Microsoft's
        // documentation of the same table (AzureActivity.SubscriptionId,
        // OfficeActivity's ids): a guid/string pair is most likely that.
        if matches!(
            (left, right),
            (Ty::Guid, Ty::String) | (Ty::String, Ty::Guid)
        ) {
            return;
        }
        let text = self
            .src
            .get(key.span.range())
            .unwrap_or("")
            .trim()
            .to_owned();
        let d = Diagnostic::new(
            &JOIN_KEY_TYPE_MISMATCH,
            key.span,
            format!(
                "the join key `{text}` is `{left}` on the left side and `{right}` on the right"
            ),
        )
        .with_help(format!(
            "convert one side before the join, e.g. `extend Key = to{}(...)`",
            if left == Ty::Dynamic { right } else { left }
        ));
        self.report(d);
    }

    fn join_key(
        &mut self,
        e: &'a Expr,
        left: &Tab,
        right: &Tab,
        jcx: &Cx<'a>,
        keys: &mut Vec<(u32, u32)>,
    ) {
        match &e.kind {
            ExprKind::Paren(inner) => self.join_key(inner, left, right, jcx, keys),
            ExprKind::Name(id) => {
                let l = left.schema.column(&id.name).cloned();
                let r = right.schema.column(&id.name).cloned();
                if let Some(c) = &l {
                    self.record(
                        id.span,
                        &id.name,
                        crate::Resolved::Column {
                            ty: c.ty,
                            table: c.table().map(SmolStr::new),
                        },
                    );
                }
                match (&l, &r) {
                    (Some(a), Some(b)) => {
                        self.join_key_types(e, a.ty, b.ty);
                        keys.push((a.id, b.id));
                    }
                    _ => {
                        let missing_left = l.is_none() && !left.schema.is_open();
                        let missing_right = r.is_none() && !right.schema.is_open();
                        if missing_left || missing_right {
                            let side = match (missing_left, missing_right) {
                                (true, true) => "either side",
                                (true, false) => "the left side",
                                _ => "the right side",
                            };
                            let mut d = kqlint_diagnostics::Diagnostic::new(
                                &JOIN_COLUMN_NOT_ON_BOTH_SIDES,
                                id.span,
                                format!("the join key `{}` is not a column of {side}", id.name),
                            );
                            let pool: Vec<&str> = if missing_left {
                                left.schema
                                    .columns()
                                    .iter()
                                    .map(|c| c.name.as_str())
                                    .collect()
                            } else {
                                right
                                    .schema
                                    .columns()
                                    .iter()
                                    .map(|c| c.name.as_str())
                                    .collect()
                            };
                            if let Some(s) = super::expr::suggest(&id.name, pool) {
                                d = d.with_help(format!("did you mean `{s}`? Keys named differently on the two sides are written `$left.A == $right.B`"));
                            } else {
                                d = d.with_help("keys named differently on the two sides are written `$left.A == $right.B`");
                            }
                            self.report(d);
                        }
                    }
                }
            }
            ExprKind::Binary {
                op: ast::BinaryOp::And,
                lhs,
                rhs,
                ..
            } => {
                self.join_key(lhs, left, right, jcx, keys);
                self.join_key(rhs, left, right, jcx, keys);
            }
            ExprKind::Binary {
                op: ast::BinaryOp::Eq,
                lhs,
                rhs,
                ..
            } => {
                self.join_condition_form(e, lhs, rhs);
                let l = self.value(lhs, jcx);
                let r = self.value(rhs, jcx);
                if let (Some(a), Some(b)) = (&l.col, &r.col) {
                    self.join_key_types(e, a.ty, b.ty);
                    keys.push((a.id, b.id));
                }
            }
            _ => {
                let _ = self.value(e, jcx);
            }
        }
    }

    fn evaluate(
        &mut self,
        call: &'a Expr,
        schema: Option<&[ast::ColumnDecl]>,
        input: Option<&Tab>,
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let ExprKind::Call { func, args, .. } = &call.kind else {
            let _ = self.value(call, rcx);
            return Tab::open();
        };
        let Some(plugin) = self.catalog.plugin(&func.name) else {
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
        };
        self.record(
            func.span,
            &func.name,
            crate::Resolved::BuiltinFunction {
                kind: FunctionKind::Plugin,
            },
        );
        // arguments may name columns of a tabular argument (`ipv4_lookup(T,
        // IpCol, T_Col)`): find those tables first, quietly
        self.quiet += 1;
        let pre: Vec<Out> = args
            .iter()
            .map(|a| {
                self.value(
                    &a.value,
                    &Cx {
                        lenient: true,
                        ..rcx.clone()
                    },
                )
            })
            .collect();
        self.quiet -= 1;
        let mut row_cols: Vec<Column> = inp.schema.columns().to_vec();
        let mut row_open = inp.schema.is_open();
        for o in &pre {
            if let Val::Table(t) = &o.val {
                row_cols.extend(t.schema.columns().iter().cloned());
                row_open |= t.schema.is_open();
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
        let outs: Vec<Out> = args.iter().map(|a| self.value(&a.value, &acx)).collect();
        let (min, max) = plugin.arity();
        if (args.len() as u32) < min || (args.len() as u32) > max {
            self.diag(
                &WRONG_ARGUMENT_COUNT,
                func.span,
                super::expr::count_message(&plugin.name, min, max, args.len()),
            );
        }
        if let Some(decls) = schema {
            let cols = self.decl_schema(decls);
            return self.ended(Schema::new(cols, false));
        }
        let inp_cols = || {
            input
                .map(|i| i.schema.columns().to_vec())
                .unwrap_or_default()
        };
        let in_open = input.is_some_and(|i| i.schema.is_open());
        if plugin.name == "pivot" {
            // the group-by columns, then one column per pivot value (unknown)
            let cols: Vec<Column> = outs
                .iter()
                .skip(2)
                .filter_map(|o| o.result_col.clone())
                .collect();
            return self.ended(Schema::new(cols, true));
        }
        let Some(out) = &plugin.output else {
            return Tab::open();
        };
        let open = out.open || in_open;
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
                    o |= t.schema.is_open();
                } else {
                    o = true;
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
            _ => Tab::open(),
        }
    }

    fn unknown_plugin(&mut self, func: &ast::Ident, rcx: &Cx<'a>) {
        if self.quiet > 0 {
            return;
        }
        let _ = rcx;
        let names = self.catalog.function_names(Some(FunctionKind::Plugin));
        let s = super::expr::suggest(&func.name, names.iter().copied()).map(str::to_owned);
        let msg = match &s {
            Some(s) => format!(
                "`{}` is not a known plug-in; did you mean `{s}`?",
                func.name
            ),
            None => format!("`{}` is not a known plug-in", func.name),
        };
        self.diag(&UNKNOWN_FUNCTION, func.span, msg);
    }

    fn invoke(&mut self, e: &'a Expr, inp: &Tab, cx: &Cx<'a>) -> Tab {
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
            if let super::Sym::Func(f) = sym {
                let out = self.call_user(&f, func, args, Some(inp.clone()), &cx.no_row());
                return match out.val {
                    Val::Table(t) => t,
                    _ => Tab::open(),
                };
            }
        }
        if self.catalog.stored_function(&func.name).is_some() {
            for a in args {
                let _ = self.value(&a.value, &cx.no_row());
            }
            self.record(func.span, &func.name, crate::Resolved::StoredFunction);
            return Tab::open();
        }
        self.record(func.span, &func.name, crate::Resolved::Unresolved);
        for a in args {
            let _ = self.value(&a.value, &cx.no_row());
        }
        self.diag(
            &UNKNOWN_FUNCTION,
            func.span,
            format!("`{}` is not a known function", func.name),
        );
        Tab::open()
    }
}

fn has_star_arg(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { args, .. } => args.iter().any(|a| is_star(&a.value)),
        ExprKind::Paren(i) => has_star_arg(i),
        _ => false,
    }
}
