//! Operators that make rows of their own: `print`, `range`, `getschema`.

use crate::binder::expr::Style;
use crate::binder::{Binder, Cx, Tab};
use crate::names::ProjBuilder;
use crate::operators;
use crate::ty::{Schema, Ty};
use kql_syntax::ast::{self, ColumnExpr, Expr};

impl<'a> Binder<'a> {
    pub(super) fn get_schema(&mut self) -> Tab {
        let cols = vec![
            self.new_col("ColumnName", Ty::String),
            self.new_col("ColumnOrdinal", Ty::Long),
            self.new_col("DataType", Ty::String),
            self.new_col("ColumnType", Ty::String),
        ];
        self.ended(Schema::new(cols, false))
    }

    pub(super) fn print(&mut self, items: &'a [ColumnExpr], cx: &Cx<'a>) -> Tab {
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

    pub(super) fn range(
        &mut self,
        name: &ast::Ident,
        from: &'a Expr,
        to: &'a Expr,
        step: &'a Expr,
        cx: &Cx<'a>,
    ) -> Tab {
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
}
