//! Tabular operators: the row schema each one outputs.

use super::expr::Style;
use super::{Binder, Cx, Out, Tab, Val, env_lookup, fuzzy};
use crate::fx::FxMap;
use crate::names::{ProjBuilder, UniqueNames, make_names_unique};
use crate::rules::*;
use crate::ty::{Column, Openness, Schema, Ty};
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
                let open = inp
                    .schema
                    .openness()
                    .when(items.iter().any(|i| is_star(&i.expr)));
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
                    schema: Schema::new(cols, inp.schema.openness()),
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
                    schema: Schema::new(cols, inp.schema.openness()),
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
                    schema: b.finish(inp.schema.openness()),
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
                    schema: b.finish(inp.schema.openness()),
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
                    schema: b.finish(inp.schema.openness()),
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
                let mut open = Openness::Closed;
                for item in aggregates {
                    let out = self.item_value(item, &acx);
                    if has_star_arg(&item.expr) {
                        open = open.or(inp.schema.openness());
                    }
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
                let open = inp
                    .schema
                    .openness()
                    .when(columns.iter().any(|i| is_star(&i.expr)));
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
                let fuzzy_at = fuzzy::fuzzy_param(params);
                let fuzzy = fuzzy_at.is_some();
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
                        _ => {
                            let tab = match fuzzy_at {
                                Some(f) => self.in_fuzzy_leg(f, |b| b.tabular(t, &ucx)),
                                None => self.tabular(t, &ucx),
                            };
                            tabs.push(tab);
                        }
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
                    schema: b.finish(inp.schema.openness()),
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
                    schema: b.finish(inp.schema.openness()),
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
                    schema: Schema::new(cols, inp.schema.openness().or(out.schema.openness())),
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
                    schema: Schema::new(cols, inp.schema.openness()),
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
                    schema: Schema::new(cols, inp.schema.openness()),
                    narrow: inp.narrow.clone(),
                }
            }
            OperatorKind::Evaluate {
                call,
                schema,
                schema_star,
                ..
            } => self.evaluate(
                call,
                schema.as_deref(),
                schema_star.is_some(),
                input,
                inp,
                &rcx,
            ),
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
                    // legacy `by a, b`: columns of the input
                    if p.name.name == "by"
                        && let ExprKind::Name(id) = &p.value.kind
                    {
                        if !id.name.is_empty() {
                            let _ = self.column_ref_reported(id, inp, &rcx);
                        }
                        continue;
                    }
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
                self.ended(Schema::new(cols, base.schema.openness()))
            }
            OperatorKind::Find {
                params,
                tables,
                predicate,
                project,
            } => self.find(params, tables.as_deref(), predicate, project, cx),
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
                    schema: Schema::new(cols, inp.schema.openness()),
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
        if let Some(partial) = inp.schema.partial().cloned() {
            self.unverified_column(p.span, &p.pattern, &partial, None);
            return;
        }
        self.diag(
            &UNMATCHED_PATTERN,
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
        let open = tabs
            .iter()
            .fold(Openness::Closed, |o, t| o.or(t.schema.openness()));
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
                let open = left.schema.openness().or(right.schema.openness());
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
        let open = left
            .schema
            .openness()
            .when(!right_only)
            .or(right.schema.openness().when(!left_only));
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

    /// A join key `on X` that a side lacks (one not open: nothing is known
    /// about an open side's columns).
    ///
    /// Where each side that lacks it is known only in part (a CI stub, a
    /// parser), the key may be there: `unverified-column`, a warning, unless
    /// it differs only in case from a column there (a mistake whatever else
    /// the side has). Where a side known in full lacks it, the join fails:
    /// a key neither side has is an unknown column (`unknown-column`, Kusto's
    /// "does not refer to any known column"), one the other side has is
    /// `join-column-not-on-both-sides`.
    fn missing_join_key(
        &mut self,
        id: &ast::Ident,
        left: &Tab,
        right: &Tab,
        missing_left: bool,
        missing_right: bool,
    ) {
        let n = &id.name;
        let mut pool: Vec<&str> = Vec::new();
        for (missing, side) in [(missing_left, left), (missing_right, right)] {
            if missing {
                pool.extend(side.schema.columns().iter().map(|c| c.name.as_str()));
            }
        }
        let suggestion = super::expr::suggest_column(n, pool.iter().copied()).map(str::to_owned);
        let partial_left = left.schema.partial().is_some();
        let partial_right = right.schema.partial().is_some();
        let unsure = (!missing_left || partial_left) && (!missing_right || partial_right);
        // the side the open-world rules look at: one known in part when no
        // side known in full lacks the key, else one known in full
        let side = if missing_left && (unsure || !partial_left) {
            left
        } else {
            right
        };
        if self.unknown_column_open_world(id.span, n, side, suggestion.as_deref()) {
            return;
        }
        let keys_help = "keys named differently on the two sides are written `$left.A == $right.B`";
        let d = if missing_left && missing_right {
            let (l, r) = (
                if partial_left {
                    "a known column"
                } else {
                    "a column"
                },
                if partial_right {
                    "a known column"
                } else {
                    "a column"
                },
            );
            let what = if l == r {
                format!("`{n}` is not {l} of either side of the join")
            } else {
                format!("`{n}` is not {l} of the left side of the join, nor {r} of the right side")
            };
            match &suggestion {
                Some(s) => Diagnostic::new(
                    &UNKNOWN_COLUMN,
                    id.span,
                    if Self::case_hint(n, s) {
                        format!("{what}; did you mean `{s}`? KQL names are case-sensitive")
                    } else {
                        format!("{what}; did you mean `{s}`?")
                    },
                )
                .with_fix(self.fix_for(id, s)),
                None => Diagnostic::new(&UNKNOWN_COLUMN, id.span, what).with_help(keys_help),
            }
        } else {
            let side = if missing_left {
                "the left side"
            } else {
                "the right side"
            };
            let d = Diagnostic::new(
                &JOIN_COLUMN_NOT_ON_BOTH_SIDES,
                id.span,
                format!("the join key `{n}` is not a column of {side}"),
            );
            match &suggestion {
                Some(s) => d.with_help(format!(
                    "did you mean `{s}`? Keys named differently on the two sides are written \
                     `$left.A == $right.B`"
                )),
                None => d.with_help(keys_help),
            }
        };
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
                            self.missing_join_key(id, left, right, missing_left, missing_right);
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

    /// `find [withsource=S] [in (T1, T2)] where P [project ... | project-smart]`,
    /// as Kusto.Language binds it (`VisitFindOperator`): the predicate and the
    /// projection see the columns of all the tables, unified by name; the
    /// result has the source column, then (project-smart) the columns common
    /// to the tables the predicate can match, the columns it names, and
    /// `pack_` for the rest, or the columns projected. Without `in`, every
    /// table of the workspace is searched: open, nothing is reported.
    fn find(
        &mut self,
        params: &'a [OpParam],
        tables: Option<&'a [Expr]>,
        predicate: &'a Expr,
        project: &'a ast::FindProject,
        cx: &Cx<'a>,
    ) -> Tab {
        let mut tabs = Vec::new();
        if let Some(ts) = tables {
            for t in ts {
                match &t.kind {
                    ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, false)),
                    _ => tabs.push(self.tabular(t, &cx.no_row())),
                }
            }
        }
        let row = match tables {
            Some(_) => self.columns_unified_by_name(&tabs),
            None => Tab::open(),
        };
        let fcx = cx.with_row(&row);
        let _ = self.value(predicate, &fcx);
        let src = param_word(params, "withsource").unwrap_or_else(|| "source_".into());
        let mut cols = vec![self.new_col(src, Ty::String)];
        let any_open = if tables.is_none() {
            Openness::Open
        } else {
            tabs.iter()
                .fold(Openness::Closed, |o, t| o.or(t.schema.openness()))
        };
        // the columns the predicate names, and the tables it can match
        let mut names = FindNames::default();
        kql_syntax::visit::Visitor::visit_expr(&mut names, predicate);
        let mut referenced: Vec<Column> = Vec::new();
        for n in &names.names {
            if let Some(c) = row.schema.column(n)
                && !referenced.iter().any(|r| r.name == c.name)
            {
                referenced.push(c.clone());
            }
        }
        let matched: Vec<&Tab> = if tabs.len() == 1 || names.all || search_term(predicate) {
            tabs.iter().collect()
        } else {
            tabs.iter()
                .filter(|t| {
                    referenced
                        .iter()
                        .any(|c| t.schema.is_open() || t.schema.column(&c.name).is_some())
                })
                .collect()
        };
        let pack_needed = |cols: &[Column]| {
            matched.iter().any(|t| {
                !t.schema.is_open()
                    && t.schema
                        .columns()
                        .iter()
                        .any(|c| !cols.iter().any(|p| p.name == c.name))
            })
        };
        match project {
            ast::FindProject::Default | ast::FindProject::ProjectSmart(_) => {
                if tables.is_some() {
                    cols.extend(self.common_columns(&matched));
                    for c in referenced {
                        if !cols.iter().any(|p| p.name == c.name) {
                            cols.push(c);
                        }
                    }
                    if pack_needed(&cols) {
                        cols.push(self.new_col("pack_", Ty::Dynamic));
                    }
                }
                self.ended(Schema::new(cols, any_open.clone()))
            }
            ast::FindProject::Project(items) => {
                let last = items.len().saturating_sub(1);
                for (i, it) in items.iter().enumerate() {
                    match &it.kind {
                        // `pack(*)` / `pack_all()`: Kusto takes it only last
                        ExprKind::Call { func, .. }
                            if (func.name == "pack" || func.name == "pack_all") && i == last =>
                        {
                            cols.push(self.new_col("pack_", Ty::Dynamic));
                        }
                        ExprKind::Name(id) => match self.column_ref_reported(id, &row, &fcx) {
                            Some(c) => cols.push(c),
                            None if row.schema.is_open() => {
                                cols.push(self.new_col(id.name.clone(), Ty::Unknown))
                            }
                            None => {}
                        },
                        ExprKind::Binary {
                            op: ast::BinaryOp::SearchColon,
                            lhs,
                            rhs,
                            ..
                        } => {
                            if let (ExprKind::Name(id), ExprKind::Name(ty)) = (&lhs.kind, &rhs.kind)
                                && (self.column_ref_reported(id, &row, &fcx).is_some()
                                    || row.schema.is_open())
                            {
                                let ty = Ty::parse(&ty.name).unwrap_or(Ty::Unknown);
                                cols.push(self.new_col(id.name.clone(), ty));
                            }
                        }
                        _ => {}
                    }
                }
                self.ended(Schema::new(cols, false))
            }
        }
    }

    /// All the columns of some tables, one per name; a name with several
    /// types gets their common type (`dynamic` for unrelated ones), as
    /// Kusto's `UnifyColumnsWithSameName`.
    fn columns_unified_by_name(&mut self, tabs: &[Tab]) -> Tab {
        let open = tabs
            .iter()
            .fold(Openness::Closed, |o, t| o.or(t.schema.openness()));
        let mut order: Vec<&str> = Vec::new();
        let mut by_name: FxMap<&str, Vec<&Column>> = FxMap::default();
        for t in tabs {
            for c in t.schema.columns() {
                let e = by_name.entry(c.name.as_str()).or_default();
                if e.is_empty() {
                    order.push(c.name.as_str());
                }
                e.push(c);
            }
        }
        let mut cols = Vec::with_capacity(order.len());
        for n in order {
            let group = &by_name[n];
            if group.len() == 1 {
                cols.push(group[0].clone());
                continue;
            }
            let types: Vec<Ty> = group.iter().map(|c| c.ty).collect();
            let ty = if types.iter().all(|t| *t == types[0]) {
                types[0]
            } else {
                crate::builtins::common_type(&types, false)
            };
            let c = self.merged(n, ty, group);
            cols.push(c);
        }
        Tab::new(Schema::new(cols, open))
    }

    /// The columns (by name) that every table has.
    fn common_columns(&mut self, tabs: &[&Tab]) -> Vec<Column> {
        let Some(first) = tabs.first() else {
            return Vec::new();
        };
        let common: Vec<&str> = first
            .schema
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| tabs.iter().all(|t| t.schema.column(n).is_some()))
            .collect();
        let owned: Vec<Tab> = tabs
            .iter()
            .map(|t| {
                let cols = t
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| common.contains(&c.name.as_str()))
                    .cloned()
                    .collect();
                Tab::new(Schema::new(cols, false))
            })
            .collect();
        self.columns_unified_by_name(&owned)
            .schema
            .columns()
            .to_vec()
    }

    #[allow(clippy::too_many_arguments)]
    fn evaluate(
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
                super::expr::count_message(&func.name, min, max, args.len()),
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
    fn plugin_output(
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
    fn computed_plugin_output(
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
                    super::expr::count_message(&func.name, min as u32, max as u32, args.len()),
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

/// The names a `find` predicate uses, and whether it searches every column
/// (`* has "x"`). Subqueries are not entered.
#[derive(Default)]
struct FindNames {
    names: Vec<SmolStr>,
    all: bool,
}

impl kql_syntax::visit::Visitor<'_> for FindNames {
    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(id) => self.names.push(id.name.clone()),
            ExprKind::Star => self.all = true,
            ExprKind::Pipeline(_) | ExprKind::Operator(_) => {}
            _ => kql_syntax::visit::walk_expr(self, e),
        }
    }
}

/// A stand-alone search term (`find "x"`, `find "x" and A == 1`): a string
/// that stands for `* has "x"`, so every table can match.
fn search_term(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(ast::Literal {
            kind: ast::LitKind::String(_),
            ..
        }) => true,
        ExprKind::Paren(i) => search_term(i),
        ExprKind::Binary {
            op: ast::BinaryOp::And | ast::BinaryOp::Or,
            lhs,
            rhs,
            ..
        } => search_term(lhs) || search_term(rhs),
        ExprKind::Call { func, args, .. } if func.name == "not" && args.len() == 1 => {
            search_term(&args[0].value)
        }
        _ => false,
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

fn has_star_arg(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { args, .. } => args.iter().any(|a| is_star(&a.value)),
        ExprKind::Paren(i) => has_star_arg(i),
        _ => false,
    }
}
