//! Tabular operators: the row schema each one outputs. This module binds
//! pipelines and dispatches each operator to the binding of its kind, in
//! the module of its family.

mod aggregate;
mod columns;
mod combine;
mod plugins;
mod sources;

use super::expr::Style;
use super::{Binder, Cx, Out, Tab};
use crate::OperatorInfo;
use crate::rules::*;
use crate::ty::{Column, Schema, Ty};
use kql_syntax::ast::{
    self, ColumnExpr, ColumnNames, Expr, ExprKind, OpParam, Operator, OperatorKind, Pipeline,
};
use kqlint_diagnostics::{Applicability, Diagnostic, Fix};
use smol_str::SmolStr;
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
            OperatorKind::Where(pred) => self.where_(pred, inp, &rcx),
            OperatorKind::Project(items) => self.project(items, inp, &rcx),
            OperatorKind::ProjectAway(pats) => self.project_subset(pats, false, inp, &rcx),
            OperatorKind::ProjectKeep(pats) => self.project_subset(pats, true, inp, &rcx),
            OperatorKind::ProjectRename(renames) => self.project_rename(renames, inp, &rcx),
            OperatorKind::ProjectReorder(items) => self.project_reorder(items, inp, &rcx),
            OperatorKind::ProjectByNames(exprs) => self.project_by_names(exprs, &rcx),
            OperatorKind::Extend(items) => self.extend(items, Style::Extend, inp, &rcx),
            OperatorKind::Serialize(items) => self.extend(items, Style::Default, inp, &rcx),
            OperatorKind::Summarize { aggregates, by, .. } => {
                self.summarize(aggregates, by, inp, &rcx)
            }
            OperatorKind::Distinct { columns, .. } => self.distinct(columns, inp, &rcx),
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
            OperatorKind::TopNested(clauses) => self.top_nested(clauses, cx, &rcx),
            OperatorKind::TopHitters { count, of, by } => {
                self.top_hitters(count, of, by.as_deref(), cx, &rcx)
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
            OperatorKind::Union { params, tables } => self.union(params, tables, input, cx),
            OperatorKind::MvExpand {
                params,
                items,
                limit,
            } => self.mv_expand(params, items, limit.as_deref(), inp, &rcx),
            OperatorKind::MvApply {
                params,
                items,
                limit,
                on,
            } => self.mv_apply(params, items, limit.as_deref(), on, inp, cx),
            OperatorKind::Parse {
                input: e, pattern, ..
            } => self.parse(e, pattern, inp, &rcx),
            OperatorKind::ParseKv {
                input: e, columns, ..
            } => self.parse_kv(e, columns, inp, &rcx),
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
            } => self.make_series(aggregates, on, range.as_deref(), by, inp, &rcx),
            OperatorKind::Render { props, .. } => self.render(props, inp, &rcx),
            OperatorKind::As { name, .. } => {
                let tables = Rc::new(self.frames.last().cloned().unwrap_or_default());
                self.as_names
                    .insert(name.name.clone(), (inp.clone(), name.span, tables));
                self.same(inp)
            }
            OperatorKind::AssertSchema(_) => self.same(inp),
            OperatorKind::Invoke(e) => self.invoke(e, inp, cx),
            OperatorKind::SampleDistinct { count, of } => {
                self.sample_distinct(count, of, inp, cx, &rcx)
            }
            OperatorKind::Search {
                tables, predicate, ..
            } => self.search(tables.as_deref(), predicate, input, cx),
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
            OperatorKind::Partition { by, body, .. } => self.partition(by, body, inp, cx, &rcx),
            OperatorKind::Scan {
                params,
                declare,
                steps,
            } => self.scan(params, declare, steps, inp, cx),
            OperatorKind::Reduce { by, params } => self.reduce(by, params, inp, &rcx),
            OperatorKind::GetSchema => self.get_schema(),
            OperatorKind::Consume(_) => self.ended(Schema::empty()),
            OperatorKind::Print(items) => self.print(items, cx),
            OperatorKind::Range {
                name,
                from,
                to,
                step,
            } => self.range(name, from, to, step, cx),
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
            OperatorKind::Other { args, .. } => self.other(args, &rcx),
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
}
