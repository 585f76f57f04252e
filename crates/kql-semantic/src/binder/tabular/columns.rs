//! Operators that change the columns of the row they pass on: `where`,
//! `project` and its kin, `extend`, `mv-expand`, `mv-apply`, `parse`,
//! `parse-kv`, `scan`, `render`, and operators kqlint does not model.

use super::{is_star, param_word};
use crate::binder::expr::Style;
use crate::binder::{Binder, Cx, Tab};
use crate::names::ProjBuilder;
use crate::rules::*;
use crate::ty::{Column, Schema, Ty};
use kql_syntax::ast::{self, ColumnExpr, ColumnNames, Expr, ExprKind, OpParam};
use kqlint_diagnostics::Diagnostic;
use smol_str::SmolStr;

impl<'a> Binder<'a> {
    pub(super) fn where_(&mut self, pred: &'a Expr, inp: &Tab, rcx: &Cx<'a>) -> Tab {
        let o = self.scalar(pred, rcx);
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

    pub(super) fn project(&mut self, items: &'a [ColumnExpr], inp: &Tab, rcx: &Cx<'a>) -> Tab {
        let mut b = ProjBuilder::default();
        for item in items {
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
        let open = inp
            .schema
            .openness()
            .when(items.iter().any(|i| is_star(&i.expr)));
        Tab {
            schema: b.finish(open),
            narrow: inp.narrow.clone(),
        }
    }

    /// `project-keep` (`keep`) or `project-away`: the input's columns the
    /// patterns match, or the others, in the input's order.
    pub(super) fn project_subset(
        &mut self,
        pats: &[ast::NamePattern],
        keep: bool,
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let matched: crate::fx::FxSet<u32> =
            self.pattern_columns(pats, inp, rcx).into_iter().collect();
        let cols: Vec<Column> = inp
            .schema
            .columns()
            .iter()
            .filter(|c| matched.contains(&c.id) == keep)
            .cloned()
            .collect();
        Tab {
            schema: Schema::new(cols, inp.schema.openness()),
            narrow: inp.narrow.clone(),
        }
    }

    pub(super) fn project_rename(
        &mut self,
        renames: &[ast::Rename],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let mut b = ProjBuilder::with_columns(&inp.schema, true, true, &mut self.ids);
        for r in renames {
            let old = self.column_ref_reported(&r.old, inp, rcx);
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

    pub(super) fn project_reorder(
        &mut self,
        items: &[ast::ReorderItem],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
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
                match self.column_ref_reported(&id, inp, rcx) {
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
                Some("asc") | Some("granny-asc") => matched.sort_by(|a, b| a.name.cmp(&b.name)),
                Some("desc") | Some("granny-desc") => matched.sort_by(|a, b| b.name.cmp(&a.name)),
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

    pub(super) fn project_by_names(&mut self, exprs: &'a [Expr], rcx: &Cx<'a>) -> Tab {
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

    pub(super) fn extend(
        &mut self,
        items: &'a [ColumnExpr],
        style: Style,
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let mut b = ProjBuilder::with_columns(&inp.schema, false, true, &mut self.ids);
        for item in items {
            let out = self.item_value(item, rcx);
            self.project_item(item, &out, &mut b, style, false, None, None, Some(inp));
        }
        Tab {
            schema: b.finish(inp.schema.openness()),
            narrow: inp.narrow.clone(),
        }
    }

    pub(super) fn mv_expand(
        &mut self,
        params: &[OpParam],
        items: &'a [ast::MvItem],
        limit: Option<&'a Expr>,
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let mut b = ProjBuilder::with_columns(&inp.schema, false, true, &mut self.ids);
        self.mv_items(items, rcx, &mut b, inp);
        if let Some(n) = param_word(params, "with_itemindex") {
            let c = self.new_col(n, Ty::Long);
            b.add(c, None, false, false, &mut self.ids);
        }
        if let Some(l) = limit {
            let _ = self.scalar(l, &rcx.no_row());
        }
        Tab {
            schema: b.finish(inp.schema.openness()),
            narrow: inp.narrow.clone(),
        }
    }

    /// `mv-apply`: the subquery runs on each row's expansion (`mv-expand`).
    pub(super) fn mv_apply(
        &mut self,
        params: &[OpParam],
        items: &'a [ast::MvItem],
        limit: Option<&'a Expr>,
        on: &'a Expr,
        inp: &Tab,
        cx: &Cx<'a>,
    ) -> Tab {
        // the subquery reads the expanded rows
        let sub_in = self.mv_expand(params, items, limit, inp, &cx.with_row(inp));
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
        let mut have: crate::fx::FxSet<SmolStr> = cols.iter().map(|c| c.name.clone()).collect();
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

    pub(super) fn parse(
        &mut self,
        e: &'a Expr,
        pattern: &[ast::ParsePart],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let _ = self.scalar(e, rcx);
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

    pub(super) fn parse_kv(
        &mut self,
        e: &'a Expr,
        columns: &[ast::ColumnDecl],
        inp: &Tab,
        rcx: &Cx<'a>,
    ) -> Tab {
        let _ = self.scalar(e, rcx);
        let mut cols: Vec<Column> = inp.schema.columns().to_vec();
        cols.extend(self.decl_schema(columns));
        Tab {
            schema: Schema::new(cols, inp.schema.openness()),
            narrow: inp.narrow.clone(),
        }
    }

    pub(super) fn render(&mut self, props: &'a [OpParam], inp: &Tab, rcx: &Cx<'a>) -> Tab {
        for p in props {
            // legacy `by a, b`: columns of the input
            if p.name.name == "by"
                && let ExprKind::Name(id) = &p.value.kind
            {
                if !id.name.is_empty() {
                    let _ = self.column_ref_reported(id, inp, rcx);
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

    pub(super) fn scan(
        &mut self,
        params: &[OpParam],
        declare: &'a [ast::Param],
        steps: &'a [ast::ScanStep],
        inp: &Tab,
        cx: &Cx<'a>,
    ) -> Tab {
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

    pub(super) fn other(&mut self, args: &'a [Expr], rcx: &Cx<'a>) -> Tab {
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

    pub(super) fn mv_items(
        &mut self,
        items: &'a [ast::MvItem],
        rcx: &Cx<'a>,
        b: &mut ProjBuilder,
        inp: &Tab,
    ) {
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
}
