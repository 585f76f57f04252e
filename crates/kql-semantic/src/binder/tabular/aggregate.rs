//! Operators that make new rows from groups of rows: `summarize`,
//! `distinct`, `top-nested`, `top-hitters`, `make-series`,
//! `sample-distinct`, `reduce`.

use super::{is_star, param_word};
use crate::binder::expr::Style;
use crate::binder::{Binder, Cx, Tab};
use crate::names::{ProjBuilder, UniqueNames};
use crate::ty::{Openness, Schema, Ty};
use kql_syntax::ast::{self, ColumnExpr, ColumnNames, Expr, ExprKind, OpParam};
use smol_str::format_smolstr;
use std::rc::Rc;

impl<'a> Binder<'a> {
    pub(super) fn summarize(
        &mut self,
        aggregates: &'a [ColumnExpr],
        by: &'a [ColumnExpr],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let mut b = ProjBuilder::default();
        let mut by_ids = Vec::new();
        for item in by {
            let out = self.item_value(item, rcx);
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

    pub(super) fn distinct(&mut self, columns: &'a [ColumnExpr], inp: &Tab, rcx: &Cx<'a>) -> Tab {
        let mut b = ProjBuilder::default();
        for item in columns {
            let out = self.item_value(item, rcx);
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

    pub(super) fn top_nested(
        &mut self,
        clauses: &'a [ast::TopNestedClause],
        cx: &Cx<'a>,
        rcx: &Cx<'a>,
    ) -> Tab {
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
            let of = self.item_value(&cl.of, rcx);
            if let Some(o) = &cl.others {
                let _ = self.scalar(o, rcx);
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

    pub(super) fn top_hitters(
        &mut self,
        count: &'a Expr,
        of: &'a Expr,
        by: Option<&'a Expr>,
        cx: &Cx<'a>,
        rcx: &Cx<'a>,
    ) -> Tab {
        let _ = self.scalar(count, &cx.no_row());
        let o = self.scalar(of, rcx);
        let name = self.result_name(of, Some(""), None).unwrap_or_default();
        let mut cols = Vec::new();
        let mut oc = self.new_col(name.clone(), o.ty());
        oc.origin = o.col.as_ref().and_then(|c| c.origin.clone());
        cols.push(oc);
        match by {
            Some(by) => {
                let bo = self.scalar(by, rcx);
                let bn = self.result_name(by, Some(""), None).unwrap_or_default();
                cols.push(self.new_col(format_smolstr!("approximate_sum_{bn}"), bo.ty()));
            }
            None => cols.push(self.new_col(format_smolstr!("approximate_count_{name}"), Ty::Long)),
        }
        self.ended(Schema::new(cols, false))
    }

    pub(super) fn make_series(
        &mut self,
        aggregates: &'a [ast::MakeSeriesAgg],
        on: &'a Expr,
        range: Option<&'a ast::MakeSeriesRange>,
        by: &'a [ColumnExpr],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let mut b = ProjBuilder::default();
        for item in by {
            let out = self.item_value(item, rcx);
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
                let _ = self.scalar(d, &rcx.no_row());
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
        let on_out = self.scalar(on, rcx);
        let on_item = ColumnExpr {
            names: ColumnNames::None,
            expr: on.clone(),
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
        match range {
            Some(ast::MakeSeriesRange::FromTo { from, to, step }) => {
                for e in [from.as_ref(), to.as_ref(), Some(step)]
                    .into_iter()
                    .flatten()
                {
                    let _ = self.scalar(e, &rcx.no_row());
                }
            }
            Some(ast::MakeSeriesRange::InRange { start, stop, step }) => {
                for e in [start, stop, step] {
                    let _ = self.scalar(e, &rcx.no_row());
                }
            }
            None => {}
        }
        self.ended(b.finish(false))
    }

    pub(super) fn sample_distinct(
        &mut self,
        count: &'a Expr,
        of: &'a Expr,
        inp: &Tab,
        cx: &Cx<'a>,
        rcx: &Cx<'a>,
    ) -> Tab {
        let _ = self.scalar(count, &cx.no_row());
        let o = self.scalar(of, rcx);
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

    pub(super) fn reduce(
        &mut self,
        by: &'a Expr,
        params: &[OpParam],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let _ = self.scalar(by, rcx);
        let mut cols = Vec::new();
        if param_word(params, "kind").is_some_and(|k| k == "source") {
            cols.extend(inp.schema.columns().iter().cloned());
        }
        cols.push(self.new_col("Pattern", Ty::String));
        cols.push(self.new_col("Count", Ty::Long));
        cols.push(self.new_col("Representative", Ty::String));
        self.ended(Schema::new(cols, false))
    }
}

fn has_star_arg(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { args, .. } => args.iter().any(|a| is_star(&a.value)),
        ExprKind::Paren(i) => has_star_arg(i),
        _ => false,
    }
}
