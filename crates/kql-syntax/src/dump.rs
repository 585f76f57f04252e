//! A compact, indented dump of the tree (one node a line, with its span),
//! for snapshot tests and debugging. It is written with the [`Visitor`], so
//! it also shows what a visitor reaches.

use crate::ast::*;
use crate::error::SyntaxError;
use crate::visit::{self, Visitor};
use std::fmt::Write;

/// The tree as indented lines: `kind details start..end`.
pub fn dump_tree(q: &Query) -> String {
    let mut d = Dumper {
        out: String::new(),
        indent: 0,
    };
    d.visit_query(q);
    d.out
}

/// Errors as lines: `KQL001 unexpected-token 10..12: message` plus labels/help.
pub fn dump_errors(src: &str, errors: &[SyntaxError]) -> String {
    let mut out = String::new();
    for e in errors {
        let _ = writeln!(
            out,
            "{} {} {:?} `{}`: {}",
            e.kind.code(),
            e.kind.name(),
            e.span,
            e.span.text(src).escape_debug(),
            e.message
        );
        for (s, l) in &e.labels {
            let _ = writeln!(out, "    label {s:?} `{}`: {l}", s.text(src).escape_debug());
        }
        if let Some(h) = &e.help {
            let _ = writeln!(out, "    help: {h}");
        }
    }
    out
}

struct Dumper {
    out: String,
    indent: usize,
}

impl Dumper {
    fn line(&mut self, s: std::fmt::Arguments<'_>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        let _ = self.out.write_fmt(s);
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }
}

fn lit_text(l: &LitKind) -> String {
    match l {
        LitKind::Bool(b) => format!("bool {b}"),
        LitKind::Long(v) => format!("long {v}"),
        LitKind::Int(v) => format!("int {v}"),
        LitKind::Real(s) => format!("real {s}"),
        LitKind::Decimal(s) => format!("decimal {s}"),
        LitKind::String(s) => format!(
            "string {:?}{}{}",
            s.value,
            if s.parts.len() > 1 {
                format!(" parts={}", s.parts.len())
            } else {
                String::new()
            },
            if s.obfuscated { " obfuscated" } else { "" }
        ),
        LitKind::DateTime(s) => format!("datetime {s:?}"),
        LitKind::TimeSpan(s) => format!("timespan {s}"),
        LitKind::Guid(s) => format!("guid {s}"),
        LitKind::Dynamic(v) => format!("dynamic {}", dyn_text(v)),
        LitKind::TypedNull(t) => format!("null {}", t.name),
        LitKind::TypeOf(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    TypeOfItem::Type(t) => t.name.to_string(),
                    TypeOfItem::Column(c) => format!("{}:{}", c.name.name, c.ty.name),
                })
                .collect();
            format!("typeof({})", parts.join(", "))
        }
    }
}

fn dyn_text(v: &DynamicValue) -> String {
    match &v.kind {
        DynamicKind::Null => "null".into(),
        DynamicKind::Array(items) => {
            let parts: Vec<String> = items.iter().map(dyn_text).collect();
            format!("[{}]", parts.join(", "))
        }
        DynamicKind::Object(members) => {
            let parts: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{:?}: {}", k.name, dyn_text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        DynamicKind::Scalar(l) => lit_text(&l.kind),
    }
}

impl Visitor<'_> for Dumper {
    fn visit_query(&mut self, q: &Query) {
        self.line(format_args!("query {:?}", q.span));
        self.nested(|d| visit::walk_query(d, q));
    }

    fn visit_statement(&mut self, s: &Statement) {
        let label = match s {
            Statement::Let(l) => match &l.value {
                LetValue::Expr(_) => format!("let {}", l.name.name),
                LetValue::Function(_) => format!("let-function {}", l.name.name),
                LetValue::View(_) => format!("let-view {}", l.name.name),
            },
            Statement::Set(s) => format!("set {}", s.name.name),
            Statement::DeclareQueryParameters(_) => "declare-query-parameters".into(),
            Statement::DeclarePattern(p) => format!("declare-pattern {}", p.name.name),
            Statement::Alias(a) => format!("alias {}", a.name.name),
            Statement::Restrict(_) => "restrict".into(),
            Statement::Expr(_) => "expr-stmt".into(),
            Statement::Error(_) => "error-stmt".into(),
        };
        self.line(format_args!("{label} {:?}", s.span()));
        self.nested(|d| visit::walk_statement(d, s));
    }

    fn visit_param(&mut self, p: &Param) {
        let ty = match &p.ty {
            ParamType::Scalar(t) => t.name.to_string(),
            ParamType::Tabular { columns, open, .. } => {
                let mut cs: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{}:{}", c.name.name, c.ty.name))
                    .collect();
                if *open {
                    cs.push("*".into());
                }
                format!("({})", cs.join(", "))
            }
        };
        self.line(format_args!("param {}: {ty} {:?}", p.name.name, p.span));
        if let Some(d) = &p.default {
            self.nested(|dd| dd.visit_expr(d));
        }
    }

    fn visit_expr(&mut self, e: &Expr) {
        let sp = e.span;
        match &e.kind {
            ExprKind::Error => self.line(format_args!("error {sp:?}")),
            ExprKind::Literal(l) => self.line(format_args!("lit {} {sp:?}", lit_text(&l.kind))),
            ExprKind::Name(i) => self.line(format_args!(
                "name {}{} {sp:?}",
                i.name,
                if i.quoted { " (quoted)" } else { "" }
            )),
            ExprKind::NamePattern(p) => self.line(format_args!("pattern {} {sp:?}", p.pattern)),
            ExprKind::Star => self.line(format_args!("star {sp:?}")),
            ExprKind::Paren(_) => {
                self.line(format_args!("paren {sp:?}"));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Unary { op, .. } => {
                let o = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                };
                self.line(format_args!("unary {o} {sp:?}"));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Binary { op, .. } => {
                self.line(format_args!("binary {} {sp:?}", op.as_str()));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::InList { op, list, .. } => {
                self.line(format_args!(
                    "in-list {} ({} items) {sp:?}",
                    op.as_str(),
                    list.len()
                ));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Between { negated, .. } => {
                self.line(format_args!(
                    "{} {sp:?}",
                    if *negated { "!between" } else { "between" }
                ));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Call {
                receiver,
                func,
                args,
                ..
            } => {
                self.line(format_args!(
                    "call {}{} {sp:?}",
                    if receiver.is_some() { "." } else { "" },
                    func.name
                ));
                self.nested(|d| {
                    if let Some(r) = receiver {
                        d.visit_expr(r);
                    }
                    for a in args {
                        d.visit_arg(a);
                    }
                });
            }
            ExprKind::Member { expr, name } => {
                self.line(format_args!("member .{} {sp:?}", name.name));
                self.nested(|d| d.visit_expr(expr));
            }
            ExprKind::Index { .. } => {
                self.line(format_args!("index {sp:?}"));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Pipeline(p) => {
                self.line(format_args!(
                    "pipeline{} {sp:?}",
                    if p.source.is_none() {
                        " (implicit input)"
                    } else {
                        ""
                    }
                ));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::EntityGroup(items) => {
                self.line(format_args!("entity-group ({} items) {sp:?}", items.len()));
                self.nested(|d| visit::walk_expr(d, e));
            }
            ExprKind::Operator(_) => visit::walk_expr(self, e),
            ExprKind::Named(n) => {
                let names = match &n.names {
                    ColumnNames::Single(i) => i.name.to_string(),
                    ColumnNames::Tuple(ns) => {
                        let ns: Vec<&str> = ns.iter().map(|n| n.name.as_str()).collect();
                        format!("({})", ns.join(", "))
                    }
                    ColumnNames::None => String::new(),
                };
                self.line(format_args!("named {names} (ignored) {sp:?}"));
                self.nested(|d| d.visit_expr(&n.expr));
            }
        }
    }

    fn visit_arg(&mut self, a: &Arg) {
        if let Some(n) = &a.name {
            self.line(format_args!("named-arg {} {:?}", n.name, a.span));
            self.nested(|d| d.visit_expr(&a.value));
        } else {
            self.visit_expr(&a.value);
        }
    }

    fn visit_operator(&mut self, op: &Operator) {
        let extra = match &op.kind {
            OperatorKind::Summarize {
                by_span: Some(_), ..
            } => " (by)".to_string(),
            OperatorKind::Count { as_name: Some(n) } => format!(" as {}", n.name),
            OperatorKind::Render { chart, .. } => format!(" {}", chart.name),
            OperatorKind::Evaluate {
                schema_star: Some(_),
                ..
            } => " (schema with *)".to_string(),
            OperatorKind::As { name, .. } => format!(" {}", name.name),
            OperatorKind::Partition { by, .. } => format!(" by {}", by.name),
            OperatorKind::MakeGraph { direction, .. } => format!(" {direction:?}"),
            OperatorKind::Find { project, .. } => match project {
                FindProject::Default => String::new(),
                FindProject::ProjectSmart(_) => " project-smart".into(),
                FindProject::Project(_) => " project".into(),
            },
            _ => String::new(),
        };
        self.line(format_args!("op {}{extra} {:?}", op.kind.name(), op.span));
        self.nested(|d| match &op.kind {
            OperatorKind::ProjectRename(rs) => {
                for r in rs {
                    d.line(format_args!(
                        "rename {} = {} {:?}",
                        r.new.name, r.old.name, r.span
                    ));
                }
            }
            OperatorKind::ProjectReorder(items) => {
                for it in items {
                    d.line(format_args!(
                        "reorder {}{} {:?}",
                        it.pattern.pattern,
                        it.order
                            .as_ref()
                            .map_or(String::new(), |o| format!(" {}", o.name)),
                        it.span
                    ));
                }
            }
            OperatorKind::Parse { pattern, .. } => {
                visit::walk_operator(d, op);
                let parts: Vec<String> = pattern
                    .iter()
                    .map(|p| match p {
                        ParsePart::Star(_) => "*".into(),
                        ParsePart::Literal(l) => lit_text(&l.kind),
                        ParsePart::Column { name, ty, .. } => match ty {
                            Some(t) => format!("{}:{}", name.name, t.name),
                            None => name.name.to_string(),
                        },
                    })
                    .collect();
                d.line(format_args!("parse-pattern [{}]", parts.join(" | ")));
            }
            OperatorKind::TopNested(clauses) => {
                for c in clauses {
                    d.line(format_args!(
                        "top-nested-clause{} {:?}",
                        c.order
                            .map_or(String::new(), |(o, _)| format!(" {o:?}").to_lowercase()),
                        c.span
                    ));
                    d.nested(|dd| {
                        if let Some(n) = &c.count {
                            dd.visit_expr(n);
                        }
                        dd.visit_column_expr(&c.of);
                        if let Some(o) = &c.others {
                            dd.line(format_args!("others"));
                            dd.nested(|x| x.visit_expr(o));
                        }
                        dd.visit_column_expr(&c.by);
                    });
                }
            }
            OperatorKind::Scan {
                params,
                declare,
                steps,
            } => {
                for p in params {
                    d.visit_op_param(p);
                }
                for p in declare {
                    d.visit_param(p);
                }
                for s in steps {
                    d.line(format_args!(
                        "step {}{} {:?}",
                        s.name.name,
                        if s.optional { " optional" } else { "" },
                        s.span
                    ));
                    d.nested(|dd| {
                        for p in &s.params {
                            dd.visit_op_param(p);
                        }
                        dd.visit_expr(&s.predicate);
                        for a in &s.assignments {
                            dd.visit_column_expr(a);
                        }
                    });
                }
            }
            OperatorKind::GraphMatch { patterns, .. }
            | OperatorKind::GraphShortestPaths { patterns, .. } => {
                for p in patterns {
                    let els: Vec<String> = p
                        .elements
                        .iter()
                        .map(|e| match e {
                            GraphPatternElement::Node { name, .. } => {
                                format!("({})", name.as_ref().map_or("", |n| n.name.as_str()))
                            }
                            GraphPatternElement::Edge {
                                name,
                                direction,
                                range,
                                ..
                            } => format!(
                                "edge[{}{}]{:?}",
                                name.as_ref().map_or("", |n| n.name.as_str()),
                                if range.is_some() { "*" } else { "" },
                                direction
                            ),
                        })
                        .collect();
                    d.line(format_args!("graph-pattern {} {:?}", els.join(" "), p.span));
                }
                visit::walk_operator(d, op);
            }
            _ => visit::walk_operator(d, op),
        });
    }

    fn visit_op_param(&mut self, p: &OpParam) {
        self.line(format_args!("param {} {:?}", p.name.name, p.span));
        self.nested(|d| d.visit_expr(&p.value));
    }

    fn visit_column_expr(&mut self, c: &ColumnExpr) {
        match &c.names {
            ColumnNames::None => self.visit_expr(&c.expr),
            ColumnNames::Single(n) => {
                self.line(format_args!("assign {} {:?}", n.name, c.span));
                self.nested(|d| d.visit_expr(&c.expr));
            }
            ColumnNames::Tuple(ns) => {
                let names: Vec<&str> = ns.iter().map(|n| n.name.as_str()).collect();
                self.line(format_args!("assign ({}) {:?}", names.join(", "), c.span));
                self.nested(|d| d.visit_expr(&c.expr));
            }
        }
    }

    fn visit_sort_key(&mut self, k: &SortKey) {
        self.line(format_args!(
            "sort-key{}{} {:?}",
            k.order
                .map_or(String::new(), |(o, _)| format!(" {o:?}").to_lowercase()),
            k.nulls
                .map_or(String::new(), |(n, _)| format!(" nulls-{n:?}")
                    .to_lowercase()),
            k.span
        ));
        self.nested(|d| d.visit_expr(&k.expr));
    }

    fn visit_column_decl(&mut self, c: &ColumnDecl) {
        self.line(format_args!(
            "column {}: {} {:?}",
            c.name.name, c.ty.name, c.span
        ));
    }

    fn visit_literal(&mut self, l: &Literal) {
        self.line(format_args!("lit {} {:?}", lit_text(&l.kind), l.span));
    }

    fn visit_ident(&mut self, i: &Ident) {
        self.line(format_args!(
            "ident {}{} {:?}",
            i.name,
            if i.quoted { " (quoted)" } else { "" },
            i.span
        ));
    }

    fn visit_name_pattern(&mut self, p: &NamePattern) {
        self.line(format_args!("pattern {} {:?}", p.pattern, p.span));
    }

    fn visit_type_ref(&mut self, t: &TypeRef) {
        self.line(format_args!("type {} {:?}", t.name, t.span));
    }
}
