//! A read-only visitor over the syntax tree.
//!
//! Nodes are handed out with the tree's lifetime (`'ast`), so a visitor can
//! keep references to them (collect every expression, the operators of a
//! kind, ...) after the walk.
//!
//! Override the `visit_*` methods for the nodes you care about and call the
//! matching `walk_*` function to continue into the children (in source
//! order). The tree's height is bounded by the parser, and `walk_expr` grows
//! the stack on demand, so a walk cannot overflow it.

use crate::ast::*;

pub trait Visitor<'ast> {
    fn visit_query(&mut self, q: &'ast Query) {
        walk_query(self, q);
    }
    fn visit_statement(&mut self, s: &'ast Statement) {
        walk_statement(self, s);
    }
    fn visit_function_def(&mut self, f: &'ast FunctionDef) {
        walk_function_def(self, f);
    }
    fn visit_param(&mut self, p: &'ast Param) {
        walk_param(self, p);
    }
    fn visit_expr(&mut self, e: &'ast Expr) {
        walk_expr(self, e);
    }
    fn visit_pipeline(&mut self, p: &'ast Pipeline) {
        walk_pipeline(self, p);
    }
    fn visit_operator(&mut self, op: &'ast Operator) {
        walk_operator(self, op);
    }
    fn visit_op_param(&mut self, p: &'ast OpParam) {
        walk_op_param(self, p);
    }
    fn visit_column_expr(&mut self, c: &'ast ColumnExpr) {
        walk_column_expr(self, c);
    }
    fn visit_sort_key(&mut self, k: &'ast SortKey) {
        walk_sort_key(self, k);
    }
    fn visit_arg(&mut self, a: &'ast Arg) {
        walk_arg(self, a);
    }
    fn visit_column_decl(&mut self, c: &'ast ColumnDecl) {
        walk_column_decl(self, c);
    }
    fn visit_literal(&mut self, _l: &'ast Literal) {}
    fn visit_ident(&mut self, _i: &'ast Ident) {}
    fn visit_name_pattern(&mut self, _p: &'ast NamePattern) {}
    fn visit_type_ref(&mut self, _t: &'ast TypeRef) {}
}

pub fn walk_query<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, q: &'ast Query) {
    for s in &q.statements {
        v.visit_statement(s);
    }
}

pub fn walk_statement<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, s: &'ast Statement) {
    match s {
        Statement::Let(l) => {
            v.visit_ident(&l.name);
            match &l.value {
                LetValue::Expr(e) => v.visit_expr(e),
                LetValue::Function(f) | LetValue::View(f) => v.visit_function_def(f),
            }
        }
        Statement::Set(s) => {
            v.visit_ident(&s.name);
            if let Some(e) = &s.value {
                v.visit_expr(e);
            }
        }
        Statement::DeclareQueryParameters(d) => {
            for p in &d.params {
                v.visit_param(p);
            }
        }
        Statement::DeclarePattern(d) => {
            v.visit_ident(&d.name);
            for p in &d.params {
                v.visit_param(p);
            }
            if let Some(p) = &d.path_param {
                v.visit_param(p);
            }
            for def in &d.definitions {
                for a in &def.args {
                    v.visit_expr(a);
                }
                if let Some(p) = &def.path {
                    v.visit_expr(p);
                }
                for s in &def.body {
                    v.visit_statement(s);
                }
            }
        }
        Statement::Alias(a) => {
            v.visit_ident(&a.name);
            v.visit_expr(&a.value);
        }
        Statement::Restrict(r) => {
            for e in &r.entities {
                v.visit_expr(e);
            }
        }
        Statement::Expr(e) => v.visit_expr(e),
        Statement::Error(_) => {}
    }
}

pub fn walk_function_def<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, f: &'ast FunctionDef) {
    for p in &f.params {
        v.visit_param(p);
    }
    for s in &f.body {
        v.visit_statement(s);
    }
}

pub fn walk_param<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, p: &'ast Param) {
    v.visit_ident(&p.name);
    match &p.ty {
        ParamType::Scalar(t) => v.visit_type_ref(t),
        ParamType::Tabular { columns, .. } => {
            for c in columns {
                v.visit_column_decl(c);
            }
        }
    }
    if let Some(d) = &p.default {
        v.visit_expr(d);
    }
}

pub fn walk_column_decl<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, c: &'ast ColumnDecl) {
    v.visit_ident(&c.name);
    v.visit_type_ref(&c.ty);
}

pub fn walk_arg<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, a: &'ast Arg) {
    if let Some(n) = &a.name {
        v.visit_ident(n);
    }
    v.visit_expr(&a.value);
}

pub fn walk_expr<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, e: &'ast Expr) {
    stacker::maybe_grow(32 * 1024, 1024 * 1024, || walk_expr_inner(v, e));
}

fn walk_expr_inner<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, e: &'ast Expr) {
    match &e.kind {
        ExprKind::Error | ExprKind::Star => {}
        ExprKind::Literal(l) => v.visit_literal(l),
        ExprKind::Name(i) => v.visit_ident(i),
        ExprKind::NamePattern(p) => v.visit_name_pattern(p),
        ExprKind::Paren(inner) => v.visit_expr(inner),
        ExprKind::Unary { operand, .. } => v.visit_expr(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        ExprKind::InList { lhs, list, .. } => {
            v.visit_expr(lhs);
            for x in list {
                v.visit_expr(x);
            }
        }
        ExprKind::Between { lhs, low, high, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(low);
            v.visit_expr(high);
        }
        ExprKind::Call {
            receiver,
            func,
            args,
            ..
        } => {
            if let Some(r) = receiver {
                v.visit_expr(r);
            }
            v.visit_ident(func);
            for a in args {
                v.visit_arg(a);
            }
        }
        ExprKind::Member { expr, name } => {
            v.visit_expr(expr);
            v.visit_ident(name);
        }
        ExprKind::Index { expr, index } => {
            v.visit_expr(expr);
            v.visit_expr(index);
        }
        ExprKind::EntityGroup(items) => {
            for x in items {
                v.visit_expr(x);
            }
        }
        ExprKind::Pipeline(p) => v.visit_pipeline(p),
        ExprKind::Operator(op) => v.visit_operator(op),
        ExprKind::Named(n) => {
            walk_column_names(v, &n.names);
            v.visit_expr(&n.expr);
        }
    }
}

pub fn walk_pipeline<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, p: &'ast Pipeline) {
    if let Some(s) = &p.source {
        v.visit_expr(s);
    }
    for op in &p.ops {
        v.visit_operator(&op.op);
    }
}

pub fn walk_op_param<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, p: &'ast OpParam) {
    v.visit_ident(&p.name);
    v.visit_expr(&p.value);
}

pub fn walk_column_expr<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, c: &'ast ColumnExpr) {
    walk_column_names(v, &c.names);
    v.visit_expr(&c.expr);
}

fn walk_column_names<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, names: &'ast ColumnNames) {
    match names {
        ColumnNames::None => {}
        ColumnNames::Single(i) => v.visit_ident(i),
        ColumnNames::Tuple(ns) => {
            for i in ns {
                v.visit_ident(i);
            }
        }
    }
}

pub fn walk_sort_key<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, k: &'ast SortKey) {
    v.visit_expr(&k.expr);
}

fn params<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, ps: &'ast [OpParam]) {
    for p in ps {
        v.visit_op_param(p);
    }
}

fn columns<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, cs: &'ast [ColumnExpr]) {
    for c in cs {
        v.visit_column_expr(c);
    }
}

fn exprs<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, es: &'ast [Expr]) {
    for e in es {
        v.visit_expr(e);
    }
}

fn decls<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, cs: &'ast [ColumnDecl]) {
    for c in cs {
        v.visit_column_decl(c);
    }
}

fn mv_items<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, items: &'ast [MvItem]) {
    for it in items {
        v.visit_column_expr(&it.column);
        if let Some(t) = &it.to_type {
            v.visit_type_ref(t);
        }
    }
}

fn join_condition<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, c: &'ast Option<JoinCondition>) {
    match c {
        Some(JoinCondition::On(es)) => exprs(v, es),
        Some(JoinCondition::Where(e)) => v.visit_expr(e),
        None => {}
    }
}

fn graph_patterns<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, ps: &'ast [GraphPattern]) {
    for p in ps {
        for el in &p.elements {
            match el {
                GraphPatternElement::Node { name, .. } => {
                    if let Some(n) = name {
                        v.visit_ident(n);
                    }
                }
                GraphPatternElement::Edge { name, range, .. } => {
                    if let Some(n) = name {
                        v.visit_ident(n);
                    }
                    if let Some((lo, hi)) = range {
                        v.visit_expr(lo);
                        v.visit_expr(hi);
                    }
                }
            }
        }
    }
}

pub fn walk_operator<'ast, V: Visitor<'ast> + ?Sized>(v: &mut V, op: &'ast Operator) {
    use OperatorKind::*;
    match &op.kind {
        Error | GetSchema => {}
        Where(e) | Invoke(e) | Sample(e) | GraphWhereNodes(e) | GraphWhereEdges(e) => {
            v.visit_expr(e)
        }
        Project(cs) | Extend(cs) | Serialize(cs) | Print(cs) => columns(v, cs),
        ProjectAway(ps) | ProjectKeep(ps) => {
            for p in ps {
                v.visit_name_pattern(p);
            }
        }
        ProjectRename(rs) => {
            for r in rs {
                v.visit_ident(&r.new);
                v.visit_ident(&r.old);
            }
        }
        ProjectReorder(items) => {
            for it in items {
                v.visit_name_pattern(&it.pattern);
                if let Some(o) = &it.order {
                    v.visit_ident(o);
                }
            }
        }
        ProjectByNames(es) => exprs(v, es),
        Summarize {
            params: ps,
            aggregates,
            by,
            ..
        } => {
            params(v, ps);
            columns(v, aggregates);
            columns(v, by);
        }
        Distinct {
            params: ps,
            columns: cs,
        } => {
            params(v, ps);
            columns(v, cs);
        }
        Count { as_name } => {
            if let Some(n) = as_name {
                v.visit_ident(n);
            }
        }
        Take { params: ps, count } => {
            params(v, ps);
            v.visit_expr(count);
        }
        Top {
            params: ps,
            count,
            by,
        } => {
            params(v, ps);
            v.visit_expr(count);
            v.visit_sort_key(by);
        }
        TopNested(clauses) => {
            for c in clauses {
                if let Some(n) = &c.count {
                    v.visit_expr(n);
                }
                v.visit_column_expr(&c.of);
                if let Some(o) = &c.others {
                    v.visit_expr(o);
                }
                v.visit_column_expr(&c.by);
            }
        }
        TopHitters { count, of, by } => {
            v.visit_expr(count);
            v.visit_expr(of);
            if let Some(b) = by {
                v.visit_expr(b);
            }
        }
        Sort { params: ps, keys } => {
            params(v, ps);
            for k in keys {
                v.visit_sort_key(k);
            }
        }
        Join {
            params: ps,
            right,
            condition,
        }
        | Lookup {
            params: ps,
            right,
            condition,
        } => {
            params(v, ps);
            v.visit_expr(right);
            join_condition(v, condition);
        }
        Union { params: ps, tables } => {
            params(v, ps);
            exprs(v, tables);
        }
        MvExpand {
            params: ps,
            items,
            limit,
        } => {
            params(v, ps);
            mv_items(v, items);
            if let Some(l) = limit {
                v.visit_expr(l);
            }
        }
        MvApply {
            params: ps,
            items,
            limit,
            on,
        } => {
            params(v, ps);
            mv_items(v, items);
            if let Some(l) = limit {
                v.visit_expr(l);
            }
            v.visit_expr(on);
        }
        Parse {
            params: ps,
            input,
            pattern,
            ..
        } => {
            params(v, ps);
            v.visit_expr(input);
            for part in pattern {
                match part {
                    ParsePart::Star(_) => {}
                    ParsePart::Literal(l) => v.visit_literal(l),
                    ParsePart::Column { name, ty, .. } => {
                        v.visit_ident(name);
                        if let Some(t) = ty {
                            v.visit_type_ref(t);
                        }
                    }
                }
            }
        }
        ParseKv {
            input,
            columns: cs,
            with,
        } => {
            v.visit_expr(input);
            decls(v, cs);
            params(v, with);
        }
        Evaluate {
            params: ps,
            call,
            schema,
            ..
        } => {
            params(v, ps);
            v.visit_expr(call);
            if let Some(s) = schema {
                decls(v, s);
            }
        }
        MakeSeries {
            params: ps,
            aggregates,
            on,
            range,
            by,
        } => {
            params(v, ps);
            for a in aggregates {
                v.visit_column_expr(&a.column);
                if let Some(d) = &a.default {
                    v.visit_expr(d);
                }
            }
            v.visit_expr(on);
            match range.as_deref() {
                Some(MakeSeriesRange::FromTo { from, to, step }) => {
                    if let Some(f) = from {
                        v.visit_expr(f);
                    }
                    if let Some(t) = to {
                        v.visit_expr(t);
                    }
                    v.visit_expr(step);
                }
                Some(MakeSeriesRange::InRange { start, stop, step }) => {
                    v.visit_expr(start);
                    v.visit_expr(stop);
                    v.visit_expr(step);
                }
                None => {}
            }
            columns(v, by);
        }
        Render { chart, props } => {
            v.visit_ident(chart);
            params(v, props);
        }
        As { params: ps, name } => {
            params(v, ps);
            v.visit_ident(name);
        }
        SampleDistinct { count, of } => {
            v.visit_expr(count);
            v.visit_expr(of);
        }
        Search {
            params: ps,
            tables,
            predicate,
        } => {
            params(v, ps);
            if let Some(ts) = tables {
                exprs(v, ts);
            }
            v.visit_expr(predicate);
        }
        Find {
            params: ps,
            tables,
            predicate,
            project,
        } => {
            params(v, ps);
            if let Some(ts) = tables {
                exprs(v, ts);
            }
            v.visit_expr(predicate);
            if let FindProject::Project(es) = project {
                exprs(v, es);
            }
        }
        Fork(branches) => {
            for b in branches {
                if let Some(n) = &b.name {
                    v.visit_ident(n);
                }
                v.visit_expr(&b.body);
            }
        }
        Facet { columns: cs, with } => {
            for c in cs {
                v.visit_ident(c);
            }
            if let Some(w) = with {
                v.visit_expr(w);
            }
        }
        Partition {
            params: ps,
            by,
            body,
        } => {
            params(v, ps);
            v.visit_ident(by);
            v.visit_expr(body);
        }
        Scan {
            params: ps,
            declare,
            steps,
        } => {
            params(v, ps);
            for p in declare {
                v.visit_param(p);
            }
            for s in steps {
                v.visit_ident(&s.name);
                params(v, &s.params);
                v.visit_expr(&s.predicate);
                columns(v, &s.assignments);
            }
        }
        Reduce { by, params: ps } => {
            v.visit_expr(by);
            params(v, ps);
        }
        Consume(ps) | GraphMarkComponents(ps) => params(v, ps),
        Range {
            name,
            from,
            to,
            step,
        } => {
            v.visit_ident(name);
            v.visit_expr(from);
            v.visit_expr(to);
            v.visit_expr(step);
        }
        DataTable {
            params: ps,
            schema,
            values,
        } => {
            params(v, ps);
            decls(v, schema);
            exprs(v, values);
        }
        ExternalData {
            params: ps,
            schema,
            uris,
            with,
        } => {
            params(v, ps);
            decls(v, schema);
            exprs(v, uris);
            params(v, with);
        }
        AssertSchema(cs) => decls(v, cs),
        MakeGraph {
            params: ps,
            source,
            target,
            with,
            partitioned_by,
            ..
        } => {
            params(v, ps);
            v.visit_expr(source);
            v.visit_expr(target);
            for (t, id) in with {
                v.visit_expr(t);
                v.visit_ident(id);
            }
            if let Some((id, body)) = partitioned_by.as_deref() {
                v.visit_ident(id);
                v.visit_expr(body);
            }
        }
        GraphMatch {
            params: ps,
            patterns,
            where_clause,
            project,
        }
        | GraphShortestPaths {
            params: ps,
            patterns,
            where_clause,
            project,
        } => {
            params(v, ps);
            graph_patterns(v, patterns);
            if let Some(w) = where_clause {
                v.visit_expr(w);
            }
            columns(v, project);
        }
        GraphToTable(outs) => {
            for o in outs {
                v.visit_ident(&o.entity);
                if let Some(n) = &o.as_name {
                    v.visit_ident(n);
                }
                params(v, &o.params);
            }
        }
        MacroExpand {
            params: ps,
            entity_group,
            name,
            body,
        } => {
            params(v, ps);
            v.visit_expr(entity_group);
            v.visit_ident(name);
            v.visit_expr(body);
        }
        Other { args, .. } => exprs(v, args),
    }
}
