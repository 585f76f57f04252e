//! Tabular expressions: pipelines, the operators after `|` (and the ones
//! that start a query on their own), and their clauses.

use super::base::*;
use super::expr::*;
use crate::Span;
use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use crate::lexer::TokenKind as T;
use chumsky::prelude::*;
use smol_str::SmolStr;

use super::PIPE_OPERATORS;

/// `[source_operator | expr] (| operator)*`; `op` is the operator parser.
pub(crate) fn pipe_expr<'s>(
    x: &Exprs<'s>,
    op: Bx<'s, Operator>,
    pipe_ops: Bx<'s, Vec<PipeOp>>,
) -> impl use<'s> + P<'s, Expr> {
    let source_op =
        look(is_source_operator)
            .ignore_then(op)
            .validate(|op, e: &mut Extra<'s, '_>, _| {
                let span = op.span;
                let h = e.state().hmax + 2;
                done(e, h);
                Expr::new(ExprKind::Operator(Box::new(op)), span)
            });
    let source = source_op.or(x.expr.clone());
    scope_start()
        .then(source)
        .then(look(|a, _| a.at(T::Pipe)).ignore_then(pipe_ops).or_not())
        .validate(
            |((saved, source), ops), e: &mut Extra<'s, '_>, _| match ops {
                Some(ops) => {
                    let span = source
                        .span
                        .to(ops.last().map_or(source.span, |o| o.op.span));
                    scope_end(e, saved, 3);
                    Expr::new(
                        ExprKind::Pipeline(Box::new(Pipeline {
                            source: Some(source),
                            ops,
                            span,
                        })),
                        span,
                    )
                }
                None => {
                    let h = e.state().h;
                    scope_close(e, saved);
                    done(e, h);
                    source
                }
            },
        )
}

/// An operator that starts a tabular expression on its own.
fn is_source_operator(a: At<'_>, _: Mode) -> bool {
    if a.peek() != T::Ident {
        return false;
    }
    let next = a.peek_at(1);
    match a.text() {
        "print" | "union" | "search" | "find" | "evaluate" | "macro-expand" => {
            !matches!(next, T::Dot)
        }
        "range" => next == T::Ident || next == T::LBracket,
        "datatable" => matches!(next, T::LParen | T::Ident),
        "externaldata" => matches!(next, T::LParen | T::Ident | T::LBracket),
        "materialized-view-combine" => true,
        _ => false,
    }
}

/// `| op | op ...`, each operator recovered to the next `|`.
pub(crate) fn pipe_ops<'s>(op: Bx<'s, Operator>) -> impl P<'s, Vec<PipeOp>> {
    tk(T::Pipe)
        .then(operator_after_pipe(op))
        .map(|(pipe, op)| PipeOp {
            pipe: Some(pipe),
            op,
        })
        .repeated()
        .collect()
}

/// An operator after `|`: a known operator (and anything left before the
/// next `|` reported as junk), or an error operator covering the text up to
/// the next `|`.
fn operator_after_pipe<'s>(op: Bx<'s, Operator>) -> impl P<'s, Operator> {
    let not_a_word = look(|a, _| a.peek() != T::Ident)
        .ignore_then(here(|a, errs| {
            let span = if a.at_eof() || a.at(T::Pipe) {
                Span::empty(a.prev_end())
            } else {
                a.span()
            };
            let found = a.describe_current();
            let kind = match a.peek() {
                T::Unknown => K::InvalidCharacter,
                T::UnterminatedString => K::UnterminatedString,
                _ => K::UnknownOperator,
            };
            errs.push(
                SyntaxError::new(
                    kind,
                    span,
                    format!("expected a query operator after `|`, found {found}"),
                )
                .with_help("e.g. `where`, `project`, `extend`, `summarize`, `take`"),
            );
            (span, a.at(T::Pipe) || a.at_op_end())
        }))
        .then(skip_to_sync())
        .map(|((span, stay), skipped)| Operator {
            kind: OperatorKind::Error,
            keyword_span: span,
            span: if stay { span } else { skipped },
        });
    let unknown = look(|a, _| !PIPE_OPERATORS.contains(&a.text()))
        .ignore_then(here(|a, errs| {
            let w = a.text();
            let span = a.span();
            let lower = w.to_lowercase();
            let mut err = SyntaxError::new(
                K::UnknownOperator,
                span,
                format!("`{w}` is not a query operator"),
            );
            if lower != w && PIPE_OPERATORS.contains(&lower.as_str()) {
                err.help = Some(format!(
                    "did you mean `{lower}`? KQL operators are case-sensitive"
                ));
            } else if let Some(s) = suggest(w, PIPE_OPERATORS) {
                err.help = Some(format!("did you mean `{s}`?"));
            } else if let Some(s) = suggest(&lower, PIPE_OPERATORS) {
                err.help = Some(format!(
                    "did you mean `{s}`? KQL operators are case-sensitive"
                ));
            }
            errs.push(err);
            span
        }))
        .then(skip_to_sync())
        .map(|(span, skipped)| Operator {
            kind: OperatorKind::Error,
            keyword_span: span,
            span: skipped,
        });
    choice((not_a_word, unknown, op.then_ignore(operator_tail())))
}

/// After an operator: anything before the next `|` is junk (unless a new
/// statement starts on the next line: a missing `;` is the statement
/// parser's business).
fn operator_tail<'s>() -> impl P<'s, ()> {
    look(|a, _| {
        a.at_op_end()
            || (a.on_new_line()
                && (STMT_WORDS.contains(&a.text()) || a.at_line_start() && a.peek() == T::Ident))
    })
    .or(here(|a, errs| errs.push(a.junk_after("the next operator"))).then_ignore(skip_to_sync()))
}

/// Builds the operator parser; `op` is its own recursive handle.
pub(crate) fn operator<'s>(
    op: Bx<'s, Operator>,
    x: &Exprs<'s>,
    pe: Bx<'s, Expr>,
    param_list: Bx<'s, Vec<Param>>,
) -> impl use<'s> + P<'s, Operator> {
    let pipe_ops = pipe_ops(op.clone()).boxed();
    let sub_body = sub_body(op.clone(), pipe_ops, pe.clone()).boxed();
    let paren_body = paren_body(sub_body).boxed();
    let implicit_body = implicit_body(paren_body.clone()).boxed();
    let o = Ops {
        x: x.clone(),
        pe,
        param_value: param_value(x).boxed(),
        param_list,
        paren_body,
        implicit_body,
        column_exprs: comma_list(column_expr(x.expr.clone())).boxed(),
    };
    // most frequent first: the dispatch tries the keywords in order
    let kinds = choice((
        choice((
            kws(&["where", "filter"]).then(o.where_()).boxed(),
            kw("extend")
                .then(o.column_exprs.clone().map(OperatorKind::Extend))
                .boxed(),
            kw("project")
                .then(o.column_exprs.clone().map(OperatorKind::Project))
                .boxed(),
            kw("summarize").then(o.summarize()).boxed(),
            kws(&["join", "lookup"]).then(o.join()).boxed(),
            kw("project-away")
                .then(name_patterns().map(OperatorKind::ProjectAway))
                .boxed(),
            kw("distinct").then(o.distinct()).boxed(),
            kws(&["mv-expand", "mvexpand"]).then(o.mv_expand()).boxed(),
            kw("parse").then(o.parse(false)).boxed(),
            kws(&["take", "limit"]).then(o.take()).boxed(),
            kw("union").then(o.union()).boxed(),
            kw("project-rename")
                .then(renames().map(OperatorKind::ProjectRename))
                .boxed(),
            kws(&["sort", "order"]).then(o.sort()).boxed(),
            kw("top").then(o.top()).boxed(),
            kw("evaluate").then(o.evaluate()).boxed(),
            kw("count").then(count()).boxed(),
            kw("parse-where").then(o.parse(true)).boxed(),
            kw("project-keep")
                .then(name_patterns().map(OperatorKind::ProjectKeep))
                .boxed(),
            kw("project-reorder")
                .then(reorder_items().map(OperatorKind::ProjectReorder))
                .boxed(),
            kw("make-series").then(o.make_series()).boxed(),
            kw("as").then(o.as_op()).boxed(),
        )),
        choice((
            kws(&["mv-apply", "mvapply"]).then(o.mv_apply()).boxed(),
            kw("render").then(o.render()).boxed(),
            kw("print")
                .then(o.column_exprs.clone().map(OperatorKind::Print))
                .boxed(),
            kw("datatable").then(o.datatable()).boxed(),
            kw("externaldata").then(o.externaldata()).boxed(),
            kw("search").then(o.search()).boxed(),
            kw("find").then(o.find()).boxed(),
            kw("range").then(o.range()).boxed(),
            kw("invoke")
                .then(x.postfix.clone().map(OperatorKind::Invoke))
                .boxed(),
            kw("serialize").then(o.serialize()).boxed(),
            kw("sample").then(o.sample()).boxed(),
            kw("sample-distinct").then(o.sample_distinct()).boxed(),
            kw("getschema")
                .map(|s| (s, OperatorKind::GetSchema))
                .boxed(),
            kw("top-nested").then(o.top_nested()).boxed(),
            kw("top-hitters").then(o.top_hitters()).boxed(),
            kw("project-by-names")
                .then(o.expr_list().map(OperatorKind::ProjectByNames))
                .boxed(),
            kw("parse-kv").then(o.parse_kv()).boxed(),
            kw("fork").then(o.fork()).boxed(),
            kw("facet").then(o.facet()).boxed(),
            kw("partition").then(o.partition()).boxed(),
            kw("scan").then(o.scan()).boxed(),
        )),
        choice((
            kw("reduce").then(o.reduce()).boxed(),
            kw("consume")
                .then(o.params(&["decodeblocks"]).map(OperatorKind::Consume))
                .boxed(),
            kw("assert-schema")
                .then(paren_schema(false).map(OperatorKind::AssertSchema))
                .boxed(),
            kw("make-graph").then(o.make_graph()).boxed(),
            kws(&["graph-match", "graph-shortest-paths"])
                .then(o.graph_match())
                .boxed(),
            kw("graph-to-table").then(o.graph_to_table()).boxed(),
            kw("graph-mark-components")
                .then(
                    o.params(&["kind", "with_component_id"])
                        .map(OperatorKind::GraphMarkComponents),
                )
                .boxed(),
            kw("graph-where-nodes")
                .then(
                    expr_required(x.expr.clone(), "a predicate").map(OperatorKind::GraphWhereNodes),
                )
                .boxed(),
            kw("graph-where-edges")
                .then(
                    expr_required(x.expr.clone(), "a predicate").map(OperatorKind::GraphWhereEdges),
                )
                .boxed(),
            kw("macro-expand").then(o.macro_expand()).boxed(),
            o.other().boxed(),
        )),
    ));
    kinds.validate(|(kw, kind), e: &mut Extra<'s, '_>, _| {
        let end = prev_span(e);
        Operator {
            kind,
            keyword_span: kw,
            span: kw.to(end),
        }
    })
}

/// Any of the keywords `words`.
fn kws<'s>(words: &'static [&'static str]) -> impl use<'s> + P<'s, Span> {
    any().try_map_with(move |x: Tok<'s>, e: &mut Extra<'s, '_>| {
        if x.kind == T::Ident && words.contains(&x.text) && !e.state().aborted {
            Ok(x.span)
        } else {
            Err(PErr)
        }
    })
}

/// The parsers shared by the operator clauses.
struct Ops<'s> {
    x: Exprs<'s>,
    pe: Bx<'s, Expr>,
    param_value: Bx<'s, Expr>,
    param_list: Bx<'s, Vec<Param>>,
    paren_body: Bx<'s, Expr>,
    implicit_body: Bx<'s, Expr>,
    column_exprs: Bx<'s, Vec<ColumnExpr>>,
}

impl<'s> Ops<'s> {
    fn params(&self, names: &'static [&'static str]) -> impl use<'s> + P<'s, Vec<OpParam>> {
        op_params(names, self.param_value.clone())
    }

    fn as_op(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(expect_ident("a name"))
            .map(|(params, name)| OperatorKind::As { params, name })
    }

    fn graph_to_table(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let output = expect_ident("`nodes` or `edges`")
            .then(kw("as").ignore_then(expect_ident("a name")).or_not())
            .then(self.params(&["with_node_id", "with_source_id", "with_target_id"]))
            .validate(
                |((entity, as_name), params), e: &mut Extra<'s, '_>, _| GraphToTableOutput {
                    span: entity.span.to(prev_span(e)),
                    entity,
                    as_name,
                    params,
                },
            );
        comma_list(output).map(OperatorKind::GraphToTable)
    }

    fn req(&self, what: &'static str) -> impl use<'s> + P<'s, Expr> {
        expr_required(self.x.expr.clone(), what)
    }

    fn expr_list(&self) -> impl use<'s> + P<'s, Vec<Expr>> {
        comma_list(self.req("an expression"))
    }

    /// An expression Kusto lets carry an ignored name (`where x = a > b`).
    fn named(&self, what: &'static str) -> impl use<'s> + P<'s, Expr> {
        named_expr(self.x.expr.clone(), what)
    }

    fn where_(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.named("a predicate"))
            .map(|(_, p)| OperatorKind::Where(p))
    }

    fn summarize(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let aggregates = look(|a, _| a.at_word("by"))
            .to(Vec::new())
            .or(self.column_exprs.clone());
        self.params(&[])
            .then(aggregates)
            .then(kw("by").then(self.column_exprs.clone()).or_not())
            .map(|((params, aggregates), by)| {
                let (by, by_span) = match by {
                    Some((s, by)) => (by, Some(s)),
                    None => (Vec::new(), None),
                };
                OperatorKind::Summarize {
                    params,
                    aggregates,
                    by,
                    by_span,
                }
            })
    }

    fn distinct(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.column_exprs.clone())
            .map(|(params, columns)| OperatorKind::Distinct { params, columns })
    }

    fn take(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.named("a row count"))
            .map(|(params, count)| OperatorKind::Take {
                params,
                count: Box::new(count),
            })
    }

    fn top(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.named("a row count"))
            .then_ignore(expect_kw("by"))
            .then(sort_key(self.x.expr.clone()))
            .map(|((params, count), by)| OperatorKind::Top {
                params,
                count: Box::new(count),
                by: Box::new(by),
            })
    }

    fn top_hitters(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.named("a count")
            .then_ignore(expect_kw("of"))
            .then(self.req("a column"))
            .then(kw("by").ignore_then(self.req("an expression")).or_not())
            .map(|((count, of), by)| OperatorKind::TopHitters {
                count: Box::new(count),
                of: Box::new(of),
                by: by.map(Box::new),
            })
    }

    fn sort(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then_ignore(expect_kw("by"))
            .then(comma_list(sort_key(self.x.expr.clone())))
            .map(|(params, keys)| OperatorKind::Sort { params, keys })
    }

    fn join(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let right = look(|a, _| a.at_word("on") || a.at_op_end())
            .ignore_then(missing_expr("the right side of the join"))
            .or(self.x.postfix.clone());
        let condition = choice((
            kw("on")
                .ignore_then(self.expr_list())
                .map(|l| Some(JoinCondition::On(l))),
            kw("where")
                .ignore_then(self.req("a join condition"))
                .map(|c| Some(JoinCondition::Where(Box::new(c)))),
            empty().to(None),
        ));
        self.params(&["kind", "withsource"])
            .then(right)
            .then(condition)
            .validate(|((params, right), condition), e: &mut Extra<'s, '_>, _| {
                // the keyword is the token before the first of these
                let kw = at_start(e).prev_span();
                let right = Box::new(right);
                if kw.text(e.state().src) == "join" {
                    OperatorKind::Join {
                        params,
                        right,
                        condition,
                    }
                } else {
                    OperatorKind::Lookup {
                        params,
                        right,
                        condition,
                    }
                }
            })
    }

    fn union(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["kind", "withsource", "isfuzzy"])
            .then(comma_list(self.x.union_item.clone()))
            .map(|(params, tables)| OperatorKind::Union { params, tables })
    }

    fn mv_items(&self) -> impl use<'s> + P<'s, Vec<MvItem>> {
        let to_type = look(|a, _| a.at_word("to") && a.at_word_at(1, "typeof"))
            .ignore_then(any_tok())
            .ignore_then(any_tok())
            .ignore_then(choice((
                tk(T::LParen)
                    .then(type_ref())
                    .then(closer(T::LParen))
                    .validate(|((open, t), c), e: &mut Extra<'s, '_>, _| {
                        report_close(e, &c, T::LParen, open);
                        t
                    }),
                here(|a, errs| errs.push(a.expected("`(`"))).ignore_then(type_ref()),
            )))
            .or_not();
        let item = column_expr(self.x.expr.clone()).then(to_type).validate(
            |(column, to_type), e: &mut Extra<'s, '_>, _| MvItem {
                span: column.span.to(prev_span(e)),
                column,
                to_type,
            },
        );
        comma_list(item)
    }

    fn mv_expand(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["kind", "bagexpansion", "with_itemindex", "itemindex"])
            .then(self.mv_items())
            .then(kw("limit").ignore_then(self.req("a limit")).or_not())
            .map(|((params, items), limit)| OperatorKind::MvExpand {
                params,
                items,
                limit: limit.map(Box::new),
            })
    }

    fn mv_apply(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let on = kw("on")
            .ignore_then(self.implicit_body.clone())
            .or(here(|a, errs| {
                errs.push(a.expected("`on`"));
                Expr::error(Span::empty(a.prev_end()))
            }));
        self.params(&["kind", "bagexpansion", "with_itemindex", "itemindex"])
            .then(self.mv_items())
            .then(kw("limit").ignore_then(self.req("a limit")).or_not())
            .then(on)
            .map(|(((params, items), limit), on)| OperatorKind::MvApply {
                params,
                items,
                limit: limit.map(Box::new),
                on: Box::new(on),
            })
    }

    fn parse(&self, where_form: bool) -> impl use<'s> + P<'s, OperatorKind> {
        let pattern = kw("with")
            .ignore_then(parse_pattern(self.x.primary.clone()))
            .or(here(|a, errs| {
                errs.push(a.expected("`with`"));
                Vec::new()
            }));
        self.params(&["kind", "flags"])
            .then(self.req("the text to parse"))
            .then(pattern)
            .map(move |((params, input), pattern)| OperatorKind::Parse {
                where_form,
                params,
                input: Box::new(input),
                pattern,
            })
    }

    fn parse_kv(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let columns = kw("as")
            .ignore_then(paren_schema(false))
            .or(here(|a, errs| {
                errs.push(a.expected("`as`"));
                Vec::new()
            }));
        self.req("the text to parse")
            .then(columns)
            .then(with_props(self.x.expr.clone()))
            .map(|((input, columns), with)| OperatorKind::ParseKv {
                input: Box::new(input),
                columns,
                with,
            })
    }

    fn evaluate(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.x.postfix.clone())
            .then(tk(T::Colon).ignore_then(paren_schema_star(true)).or_not())
            .map(|((params, call), schema)| {
                let (schema, schema_star) = match schema {
                    Some((cols, star)) => (Some(cols), star),
                    None => (None, None),
                };
                OperatorKind::Evaluate {
                    params,
                    call: Box::new(call),
                    schema,
                    schema_star,
                }
            })
    }

    fn render(&self) -> impl use<'s> + P<'s, OperatorKind> {
        // the legacy properties, before the `with (...)` clause, as
        // Kusto.Language takes them: `kind=stacked`, `title="x"`,
        // `accumulate=true`, `by a, b`, `with "x"`
        const LEGACY: &[&str] = &["kind", "title", "accumulate"];
        let named = look(|a, _| a.peek() == T::Ident && a.peek_at(1) == T::Assign)
            .ignore_then(expect_ident("a property"))
            .validate(|name, e: &mut Extra<'s, '_>, _| {
                if !LEGACY.contains(&name.name.as_str()) {
                    emit(
                        e,
                        SyntaxError::new(
                            K::UnexpectedToken,
                            name.span,
                            format!(
                                "`{}` is not a `render` property outside `with (...)`",
                                name.name
                            ),
                        )
                        .with_help(format!(
                            "write `with ({} = ...)`; only `kind`, `title` and `accumulate` may stand alone",
                            name.name
                        )),
                    );
                }
                name
            })
            .then_ignore(any_tok())
            .then(expr_required(self.x.expr.clone(), "a value"))
            .map(|(name, value)| {
                vec![OpParam {
                    span: name.span.to(value.span),
                    name,
                    value,
                }]
            });
        // `by a, b`: one `by` parameter per column (a keyword there must be
        // bracketed; it is reported and taken as the name)
        let by_name = expect_ident("a column").validate(|n: Ident, e: &mut Extra<'s, '_>, _| {
            if !n.quoted && matches!(n.name.as_str(), "kind" | "title" | "accumulate" | "with") {
                emit(
                    e,
                    SyntaxError::new(
                        K::KeywordAsName,
                        n.span,
                        format!("`{}` is a keyword here, not a column", n.name),
                    )
                    .with_help(format!("write `['{}']` for a column of that name", n.name)),
                );
            }
            n
        });
        let by = kw("by")
            .then(
                by_name
                    .separated_by(tk(T::Comma))
                    .at_least(1)
                    .collect::<Vec<_>>(),
            )
            .map(|(by, names)| {
                names
                    .into_iter()
                    .map(|n| OpParam {
                        name: Ident {
                            name: SmolStr::new_static("by"),
                            span: by,
                            quoted: false,
                        },
                        span: n.span,
                        value: Expr::new(ExprKind::Name(n.clone()), n.span),
                    })
                    .collect::<Vec<_>>()
            });
        // `with "title"` (a literal, not a `(` list)
        let with_value = look(|a, _| a.at_word("with") && a.peek_at(1) != T::LParen)
            .ignore_then(kw("with"))
            .then(expr_required(self.x.primary.clone(), "a value"))
            .map(|(w, value)| {
                vec![OpParam {
                    name: Ident {
                        name: SmolStr::new_static("with"),
                        span: w,
                        quoted: false,
                    },
                    span: w.to(value.span),
                    value,
                }]
            });
        let legacy = choice((named, by, with_value))
            .repeated()
            .collect::<Vec<_>>();
        expect_ident("a chart type")
            .then(legacy)
            .then(with_props(self.x.expr.clone()))
            .map(|((chart, legacy), props)| {
                let mut all: Vec<OpParam> = legacy.into_iter().flatten().collect();
                all.extend(props);
                OperatorKind::Render { chart, props: all }
            })
    }

    fn serialize(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let columns = look(|a, _| a.at_op_end())
            .to(Vec::new())
            .or(self.column_exprs.clone());
        self.params(&[])
            .then(columns)
            .map(|(_, c)| OperatorKind::Serialize(c))
    }

    fn sample(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.named("a row count"))
            .map(|(_, c)| OperatorKind::Sample(c))
    }

    fn sample_distinct(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(self.named("a count"))
            .then_ignore(expect_kw("of"))
            .then(self.req("a column"))
            .map(|((_, count), of)| OperatorKind::SampleDistinct {
                count: Box::new(count),
                of: Box::new(of),
            })
    }

    fn table_list(&self) -> impl use<'s> + P<'s, Vec<Expr>> {
        tk(T::LParen)
            .then(items_until(T::RParen, self.x.union_item.clone()))
            .then(closer(T::LParen))
            .validate(|((open, items), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LParen, open);
                items
            })
    }

    /// `in (T1, T2)` before a `search`/`find` predicate.
    fn in_tables(&self) -> impl use<'s> + P<'s, Option<Vec<Expr>>> {
        look(|a, _| a.at_word("in") && a.peek_at(1) == T::LParen)
            .ignore_then(any_tok())
            .ignore_then(self.table_list())
            .or_not()
    }

    fn search_predicate(&self) -> impl use<'s> + P<'s, Expr> {
        map_ctx(
            |m: &Mode| Mode { search: true, ..*m },
            self.req("a search predicate"),
        )
    }

    fn search(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["kind"])
            .then(self.in_tables())
            .then(self.search_predicate())
            .map(|((params, tables), predicate)| OperatorKind::Search {
                params,
                tables,
                predicate: Box::new(predicate),
            })
    }

    fn find(&self) -> impl use<'s> + P<'s, OperatorKind> {
        // `project` takes column names (`Col`, `Col: type`), `*` and
        // `pack(*)` (Kusto.Language) or `pack_all()` (the documentation's
        // current spelling)
        let column = self
            .req("a column")
            .validate(|e: Expr, x: &mut Extra<'s, '_>, _| {
                let ok = match &e.kind {
                    ExprKind::Name(_) | ExprKind::Star | ExprKind::Error => true,
                    ExprKind::Call {
                        receiver: None,
                        func,
                        args,
                        ..
                    } => {
                        (func.name == "pack"
                            && args.len() == 1
                            && matches!(args[0].value.kind, ExprKind::Star))
                            || (func.name == "pack_all" && args.is_empty())
                    }
                    _ => false,
                };
                if !ok {
                    emit(
                        x,
                        SyntaxError::new(
                            K::UnexpectedToken,
                            e.span,
                            "`find ... project` takes column names, not expressions",
                        )
                        .with_help(
                            "write `project Col, Col: type, pack_all()`; compute values in a later `| extend`",
                        ),
                    );
                }
                e
            })
            .then(tk(T::Colon).then(type_ref()).or_not())
            .map(|(e, ty)| match ty {
                None => e,
                Some((colon, ty)) => {
                    let span = e.span.to(ty.span);
                    Expr::new(
                        ExprKind::Binary {
                            op: BinaryOp::SearchColon,
                            op_span: colon,
                            rhs: Box::new(Expr::new(
                                ExprKind::Name(Ident {
                                    name: ty.name,
                                    span: ty.span,
                                    quoted: false,
                                }),
                                ty.span,
                            )),
                            lhs: Box::new(e),
                        },
                        span,
                    )
                }
            });
        let project = choice((
            kw("project-smart").map(FindProject::ProjectSmart),
            kw("project")
                .ignore_then(comma_list(column))
                .map(FindProject::Project),
            empty().to(FindProject::Default),
        ));
        // `where` may be left out when nothing comes before the predicate
        // (`find "x"`), as in Kusto
        self.params(&["withsource", "kind"])
            .then(self.in_tables())
            .then(kw("where").or_not())
            .validate(|((params, tables), w), e: &mut Extra<'s, '_>, _| {
                if w.is_none() && (!params.is_empty() || tables.is_some()) {
                    let err = at(e).expected("`where`");
                    emit(e, err);
                }
                (params, tables)
            })
            .then(self.search_predicate())
            .then(project)
            .map(
                |(((params, tables), predicate), project)| OperatorKind::Find {
                    params,
                    tables,
                    predicate: Box::new(predicate),
                    project,
                },
            )
    }

    fn fork(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let name = look(|a, _| a.peek() == T::Ident && a.peek_at(1) == T::Assign)
            .ignore_then(ident())
            .then_ignore(any_tok())
            .or_not();
        let branch = here(|a, _| a.span())
            .then(name.clone())
            .then_ignore(look(|a, _| a.at(T::LParen)))
            .then(self.paren_body.clone())
            .map(|((start, name), body)| ForkBranch {
                name,
                span: start.to(body.span),
                body,
            });
        // a last name without its `(` (or no branch at all)
        let tail = name.then(here(|a, _| a));
        branch.repeated().collect::<Vec<_>>().then(tail).validate(
            |(branches, (name, a)), e: &mut Extra<'s, '_>, _| {
                if branches.is_empty() || name.is_some() {
                    emit(e, a.expected("`(` and a subquery"));
                }
                OperatorKind::Fork(branches)
            },
        )
    }

    fn facet(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let with = kw("with")
            .ignore_then(
                tk(T::Star)
                    .map(|s| Expr::new(ExprKind::Star, s))
                    .or(self.implicit_body.clone()),
            )
            .or_not();
        expect_kw("by")
            .ignore_then(comma_list(expect_ident("a column")))
            .then(with)
            .map(|(columns, with)| OperatorKind::Facet {
                columns,
                with: with.map(Box::new),
            })
    }

    fn partition(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let braces = tk(T::LBrace)
            .then(pipe_expr_required(self.pe.clone(), "a subquery"))
            .then(closer(T::LBrace))
            .validate(|((open, inner), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LBrace, open);
                Expr::new(ExprKind::Paren(Box::new(inner)), open.to(c.end()))
            });
        // parameters after `by k` are refused by Kusto; they are kept (and
        // reported) so the rest of the operator still parses
        let late_params =
            self.params(&[])
                .validate(|more: Vec<OpParam>, e: &mut Extra<'s, '_>, _| {
                    if let (Some(first), Some(last)) = (more.first(), more.last()) {
                        let span = first.span.to(last.span);
                        emit(
                            e,
                            SyntaxError::new(
                                K::UnexpectedToken,
                                span,
                                "the parameters of `partition` come before `by`",
                            )
                            .with_help("write `partition hint.strategy=native by Column (...)`"),
                        );
                    }
                    more
                });
        self.params(&[])
            .then_ignore(expect_kw("by"))
            .then(expect_ident("a column"))
            .then(late_params)
            .then(braces.or(self.implicit_body.clone()))
            .map(|(((mut params, by), more), body)| {
                params.extend(more);
                OperatorKind::Partition {
                    params,
                    by,
                    body: Box::new(body),
                }
            })
    }

    fn scan(&self) -> impl use<'s> + P<'s, OperatorKind> {
        // `scan order by x partition by y ...` (newer forms): kept as params
        let clause = look(|a, _| a.at_word("order") || a.at_word("partition"))
            .ignore_then(tok(T::Ident))
            .then_ignore(expect_kw("by"))
            .then(self.expr_list())
            .map(|(kw, exprs)| {
                exprs
                    .into_iter()
                    .map(|e| OpParam {
                        name: Ident {
                            name: SmolStr::new(kw.text),
                            span: kw.span,
                            quoted: false,
                        },
                        span: kw.span.to(e.span),
                        value: e,
                    })
                    .collect::<Vec<_>>()
            })
            .repeated()
            .collect::<Vec<_>>();
        let declare = kw("declare")
            .ignore_then(
                look(|a, _| a.at(T::LParen))
                    .ignore_then(self.param_list.clone())
                    .or(here(|a, errs| {
                        errs.push(a.expected("`(`"));
                        Vec::new()
                    })),
            )
            .or(empty().to(Vec::new()));
        let step = kw("step")
            .then(expect_ident("a step name"))
            .then(kw("optional").or_not())
            .then(self.params(&["output"]))
            .then_ignore(expect(T::Colon, "`:`"))
            .then(self.req("a condition"))
            .then(
                tk(T::FatArrow)
                    .ignore_then(self.column_exprs.clone())
                    .or(empty().to(Vec::new())),
            )
            .validate(
                |(((((start, name), optional), params), predicate), assignments),
                 e: &mut Extra<'s, '_>,
                 _| ScanStep {
                    name,
                    optional: optional.is_some(),
                    params,
                    predicate,
                    assignments,
                    span: start.to(prev_span(e)),
                },
            );
        let steps = tk(T::LParen)
            .then(
                step.separated_by(tk(T::Semi))
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .then(closer(T::LParen))
            .validate(|((open, steps), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LParen, open);
                steps
            })
            .or(here(|a, errs| {
                errs.push(a.expected("`(` and the steps"));
                Vec::new()
            }));
        let with = kw("with").ignore_then(steps).or(here(|a, errs| {
            errs.push(a.expected("`with`"));
            Vec::new()
        }));
        self.params(&["with_match_id", "kind"])
            .then(clause)
            .then(declare)
            .then(with)
            .map(|(((mut params, clauses), declare), steps)| {
                params.extend(clauses.into_iter().flatten());
                OperatorKind::Scan {
                    params,
                    declare,
                    steps,
                }
            })
    }

    fn reduce(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let item = expect_ident("a parameter")
            .then_ignore(expect(T::Assign, "`=`"))
            .then(self.x.expr.clone())
            .map(|(name, value)| OpParam {
                span: name.span.to(value.span),
                name,
                value,
            });
        let is_name = look(|a, _| a.peek() == T::Ident);
        let with = kw("with")
            .ignore_then(
                list(
                    is_name.clone().ignore_then(item.clone()),
                    tk(T::Comma).ignore_then(is_name).ignore_then(item),
                )
                .then_ignore(eat(T::Comma))
                .or(empty().to(Vec::new())),
            )
            .or(empty().to(Vec::new()));
        self.params(&["kind"])
            .then_ignore(expect_kw("by"))
            .then(self.req("an expression"))
            .then(with)
            .map(|((mut params, by), with)| {
                params.extend(with);
                OperatorKind::Reduce {
                    by: Box::new(by),
                    params,
                }
            })
    }

    fn range(&self) -> impl use<'s> + P<'s, OperatorKind> {
        expect_ident("a column name")
            .then_ignore(expect_kw("from"))
            .then(self.req("a start value"))
            .then_ignore(expect_kw("to"))
            .then(self.req("an end value"))
            .then_ignore(expect_kw("step"))
            .then(self.req("a step"))
            .map(|(((name, from), to), step)| OperatorKind::Range {
                name,
                from: Box::new(from),
                to: Box::new(to),
                step: Box::new(step),
            })
    }

    /// `[ value, ... ]` of `datatable` / `externaldata`.
    fn bracket_values(&self) -> impl use<'s> + P<'s, Vec<Expr>> {
        tk(T::LBracket)
            .then(items_until(T::RBracket, self.req("a value")))
            .then(closer(T::LBracket))
            .validate(|((open, items), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LBracket, open);
                items
            })
            .or(here(|a, errs| {
                errs.push(a.expected("`[` and the values"));
                Vec::new()
            }))
    }

    fn datatable(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&[])
            .then(paren_schema(false))
            .then(self.bracket_values())
            .map(|((params, schema), values)| OperatorKind::DataTable {
                params,
                schema,
                values,
            })
    }

    fn externaldata(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["kind"])
            .then(paren_schema(false))
            .then(self.bracket_values())
            .then(with_props(self.x.expr.clone()))
            .map(
                |(((params, schema), uris), with)| OperatorKind::ExternalData {
                    params,
                    schema,
                    uris,
                    with,
                },
            )
    }

    fn top_nested(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let column_expr = column_expr(self.x.expr.clone());
        let others = look(|a, _| a.at_word("with") && a.at_word_at(1, "others"))
            .ignore_then(any_tok())
            .ignore_then(any_tok())
            .ignore_then(expect(T::Assign, "`=`"))
            .ignore_then(self.req("a value"))
            .or_not();
        let clause = here(|a, _| a.prev_span())
            .then(
                look(|a, _| a.at_word("of"))
                    .to(None)
                    .or(self.req("a count").map(Some)),
            )
            .then_ignore(expect_kw("of"))
            .then(column_expr.clone())
            .then(others)
            .then_ignore(expect_kw("by"))
            .then(column_expr)
            .then(sort_order())
            .validate(
                |(((((start, count), of), others), by), order), e: &mut Extra<'s, '_>, _| {
                    TopNestedClause {
                        count,
                        of,
                        others,
                        by,
                        order,
                        span: start.to(prev_span(e)),
                    }
                },
            );
        clause
            .separated_by(tk(T::Comma).then(kw("top-nested")))
            .at_least(1)
            .collect()
            .map(OperatorKind::TopNested)
    }

    fn make_series(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let default = look(|a, _| a.at_word("default") && a.peek_at(1) == T::Assign)
            .ignore_then(any_tok())
            .ignore_then(any_tok())
            .ignore_then(self.req("a default value"))
            .or_not();
        let agg = column_expr(self.x.expr.clone()).then(default).validate(
            |(column, default), e: &mut Extra<'s, '_>, _| MakeSeriesAgg {
                span: column.span.to(prev_span(e)),
                column,
                default,
            },
        );
        let on = kw("on")
            .ignore_then(self.req("the axis column"))
            .or(here(|a, errs| {
                errs.push(a.expected("`on`"));
                Expr::error(Span::empty(a.prev_end()))
            }));
        let in_range = look(|a, _| a.at_word("in") && a.at_word_at(1, "range"))
            .ignore_then(any_tok())
            .ignore_then(any_tok())
            .ignore_then(expect(T::LParen, "`(`"))
            .then(self.req("a start"))
            .then_ignore(expect(T::Comma, "`,`"))
            .then(self.req("a stop"))
            .then_ignore(expect(T::Comma, "`,`"))
            .then(self.req("a step"))
            .then(closer(T::LParen))
            .validate(
                |((((open, start), stop), step), c), e: &mut Extra<'s, '_>, _| {
                    if let Some(open) = open {
                        report_close(e, &c, T::LParen, open);
                    }
                    Some(MakeSeriesRange::InRange { start, stop, step })
                },
            );
        let from_to = kw("from")
            .ignore_then(self.req("a start"))
            .or_not()
            .then(kw("to").ignore_then(self.req("an end")).or_not())
            .then(
                kw("step")
                    .ignore_then(self.req("a step"))
                    .map(Some)
                    .or(here(|a, _| {
                        // reported below when `from` or `to` was given
                        let _ = a;
                        None
                    })),
            )
            .then(here(|a, _| a))
            .validate(
                |(((from, to), step), a), e: &mut Extra<'s, '_>, _| match step {
                    Some(step) => Some(MakeSeriesRange::FromTo { from, to, step }),
                    None => {
                        if from.is_some() || to.is_some() {
                            emit(e, a.expected("`step`"));
                        }
                        None
                    }
                },
            );
        self.params(&["kind"])
            .then(comma_list(agg))
            .then(on)
            .then(in_range.or(from_to))
            .then(
                kw("by")
                    .ignore_then(self.column_exprs.clone())
                    .or(empty().to(Vec::new())),
            )
            .map(
                |((((params, aggregates), on), range), by)| OperatorKind::MakeSeries {
                    params,
                    aggregates,
                    on: Box::new(on),
                    range: range.map(Box::new),
                    by,
                },
            )
    }

    fn make_graph(&self) -> impl use<'s> + P<'s, OperatorKind> {
        let source = map_ctx(
            |m: &Mode| Mode { graph: true, ..*m },
            self.req("the source column"),
        );
        let direction = look(|a, _| a.at(T::Minus) && a.peek_at(1) == T::Minus)
            .ignore_then(any_tok())
            .ignore_then(any_tok())
            .ignore_then(eat(T::Gt))
            .map(|gt| {
                if gt.is_some() {
                    EdgeDirection::Right
                } else {
                    EdgeDirection::Any
                }
            })
            .or(here(|a, errs| {
                errs.push(a.expected("`-->` or `--`"));
                EdgeDirection::Right
            }));
        let with_item = self
            .x
            .postfix
            .clone()
            .then_ignore(expect_kw("on"))
            .then(expect_ident("a column"));
        let with = kw("with")
            .ignore_then(comma_list(with_item))
            .or(empty().to(Vec::new()));
        let partitioned_by = kw("partitioned-by")
            .ignore_then(expect_ident("a column"))
            .then(self.paren_body.clone())
            .or_not();
        self.params(&[])
            .then(source)
            .then(direction)
            .then(self.req("the target column"))
            .then(with)
            .then(partitioned_by)
            .map(
                |(((((params, source), direction), target), with), partitioned_by)| {
                    OperatorKind::MakeGraph {
                        params,
                        source: Box::new(source),
                        direction,
                        target: Box::new(target),
                        with,
                        partitioned_by: partitioned_by.map(Box::new),
                    }
                },
            )
    }

    fn graph_match(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["cycles", "output"])
            .then(comma_list(graph_pattern(self.x.primary.clone())))
            .then(kw("where").ignore_then(self.req("a predicate")).or_not())
            .then(
                kw("project")
                    .ignore_then(self.column_exprs.clone())
                    .or(empty().to(Vec::new())),
            )
            .validate(
                |(((params, patterns), where_clause), project), e: &mut Extra<'s, '_>, _| {
                    let kw = at_start(e).prev_span();
                    let where_clause = where_clause.map(Box::new);
                    if kw.text(e.state().src) == "graph-match" {
                        OperatorKind::GraphMatch {
                            params,
                            patterns,
                            where_clause,
                            project,
                        }
                    } else {
                        OperatorKind::GraphShortestPaths {
                            params,
                            patterns,
                            where_clause,
                            project,
                        }
                    }
                },
            )
    }

    fn macro_expand(&self) -> impl use<'s> + P<'s, OperatorKind> {
        self.params(&["entity_group", "kind"])
            .then(self.x.postfix.clone())
            .then_ignore(expect_kw("as"))
            .then(expect_ident("a name"))
            .then(self.paren_body.clone())
            .map(
                |(((params, entity_group), name), body)| OperatorKind::MacroExpand {
                    params,
                    entity_group: Box::new(entity_group),
                    name,
                    body: Box::new(body),
                },
            )
    }

    /// `execute-and-cache`, `materialized-view-combine`, ...: the keyword
    /// and its arguments, kept as expressions.
    fn other(&self) -> impl use<'s> + P<'s, (Span, OperatorKind)> {
        let arg = look(|a, _| !a.at_op_end())
            .ignore_then(self.x.expr.clone())
            .then_ignore(eat(T::Comma));
        // an argument that consumed nothing ends the list
        let progressing = arg.clone().try_map_with(|x, e: &mut Extra<'s, '_>| {
            let s = e.span();
            if s.start < s.end { Ok(x) } else { Err(PErr) }
        });
        tok(T::Ident)
            .then(progressing.repeated().collect::<Vec<_>>())
            .then(arg.or_not())
            .map(|((t, mut args), last)| {
                args.extend(last);
                (
                    t.span,
                    OperatorKind::Other {
                        name: SmolStr::new(t.text),
                        args,
                    },
                )
            })
    }
}

fn count<'s>() -> impl P<'s, OperatorKind> {
    kw("as")
        .ignore_then(expect_ident("a column name"))
        .or_not()
        .map(|as_name| OperatorKind::Count { as_name })
}

/// `name = value` operator parameters: a known name, or any dotted name.
pub(crate) fn op_params<'s>(
    names: &'static [&'static str],
    value: Bx<'s, Expr>,
) -> impl use<'s> + P<'s, Vec<OpParam>> {
    look(move |a, _| {
        if a.peek() != T::Ident {
            return false;
        }
        let mut n = 1;
        while a.peek_at(n) == T::Dot && a.peek_at(n + 1) == T::Ident {
            n += 2;
        }
        a.peek_at(n) == T::Assign && (names.contains(&a.text()) || n > 1)
    })
    .ignore_then(dotted_name())
    .then_ignore(any_tok().or_not())
    .then(value)
    .map(|(name, value)| OpParam {
        span: name.span.to(value.span),
        name,
        value,
    })
    .repeated()
    .collect()
}

/// `a.b.c` as one name (option names, `hint.strategy`).
pub(crate) fn dotted_name<'s>() -> impl P<'s, Ident> {
    expect_ident("a name")
        .then(
            look(|a, _| a.at(T::Dot) && a.peek_at(1) == T::Ident && a.adjacent(0))
                .ignore_then(tk(T::Dot))
                .ignore_then(tok(T::Ident))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .map(|(mut id, parts)| {
            if !parts.is_empty() {
                let mut s = id.name.to_string();
                for t in parts {
                    s.push('.');
                    s.push_str(t.text);
                    id.span = id.span.to(t.span);
                }
                id.name = SmolStr::new(s);
            }
            id
        })
}

/// The value of an operator parameter: one name or literal (never a call:
/// in `kind=inner (T)` the `(` starts the next part).
pub(crate) fn param_value<'s>(x: &Exprs<'s>) -> impl use<'s> + P<'s, Expr> {
    let name = look(|a, _| {
        a.peek() == T::Ident
            && !matches!(
                a.text(),
                "true" | "false" | "TRUE" | "FALSE" | "True" | "False"
            )
    })
    .ignore_then(tok(T::Ident))
    .validate(|t, e: &mut Extra<'s, '_>, _| {
        done(e, 1);
        Expr::new(
            ExprKind::Name(Ident {
                name: SmolStr::new(t.text),
                span: t.span,
                quoted: false,
            }),
            t.span,
        )
    });
    choice((
        name,
        look(|a, _| a.at(T::Minus)).ignore_then(x.unary.clone()),
        look(|a, _| {
            matches!(
                a.peek(),
                T::Int | T::Real | T::TimeSpan | T::String | T::TypedLiteral | T::Ident | T::LParen
            )
        })
        .ignore_then(x.primary.clone()),
        missing_expr("a parameter value"),
    ))
}

/// `asc` / `desc`.
fn sort_order<'s>() -> impl P<'s, Option<(SortOrder, Span)>> {
    choice((
        kw("asc").map(|s| Some((SortOrder::Asc, s))),
        kw("desc").map(|s| Some((SortOrder::Desc, s))),
        empty().to(None),
    ))
}

fn sort_key<'s>(ex: Bx<'s, Expr>) -> impl P<'s, SortKey> {
    let nulls = kw("nulls")
        .ignore_then(choice((
            kw("first").map(|s| Some((NullsOrder::First, s))),
            kw("last").map(|s| Some((NullsOrder::Last, s))),
            here(|a, errs| {
                errs.push(a.expected("`first` or `last`"));
                None
            }),
        )))
        .or(empty().to(None));
    named_expr(ex, "a sort key")
        .then(sort_order())
        .then(nulls)
        .validate(|((expr, order), nulls), e: &mut Extra<'s, '_>, _| SortKey {
            span: expr.span.to(prev_span(e)),
            expr,
            order,
            nulls,
        })
}

/// `expr`, `Name = expr`, `(A, B) = expr`.
pub(crate) fn column_expr<'s>(ex: Bx<'s, Expr>) -> impl P<'s, ColumnExpr> {
    let lead_eq = look(|a, _| a.at(T::Assign))
        .ignore_then(tk(T::Assign))
        .validate(|s, e: &mut Extra<'s, '_>, _| {
            emit(
                e,
                SyntaxError::new(
                    K::MissingName,
                    Span::empty(s.start),
                    "expected a column name before `=`",
                )
                .with_label(s, "this `=` has no name on its left"),
            );
        })
        .or_not();
    let names = column_names()
        .map(|(names, _)| names)
        .or(empty().to(ColumnNames::None));
    here(|a, _| a.span())
        .then_ignore(lead_eq)
        .then(names)
        .then(expr_required(ex, "an expression"))
        .map(|((start, names), expr)| ColumnExpr {
            names,
            span: start.to(expr.span),
            expr,
        })
}

/// `Name =` or `(A, B) =` before an expression, with the span of the `=`.
fn column_names<'s>() -> impl P<'s, (ColumnNames, Span)> {
    let single = look(|a, _| {
        let len = a.bracket_name_len(0).unwrap_or(1);
        (a.peek() == T::Ident || len > 1) && a.peek_at(len) == T::Assign
    })
    .ignore_then(ident())
    .validate(|id, e: &mut Extra<'s, '_>, _| {
        if !id.quoted && super::text::is_reserved_assign_name(&id.name) {
            emit(e, super::text::reserved_name_error(&id));
        }
        id
    })
    .then(tk(T::Assign))
    .map(|(id, eq)| (ColumnNames::Single(id), eq));
    let tuple = look(|a, _| a.at(T::LParen) && is_tuple_assign(a))
        .ignore_then(tk(T::LParen))
        .then(comma_list(expect_ident("a column name")))
        .then(closer(T::LParen))
        .validate(|((open, names), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            names
        })
        .then(tk(T::Assign))
        .map(|(names, eq)| (ColumnNames::Tuple(names), eq));
    single.or(tuple)
}

/// An expression where Kusto takes a named expression whose name makes no
/// column (`where`, `take`, `sample`, `top`, sort keys): `Name = expr` is
/// an [`ExprKind::Named`], anything else the plain expression.
pub(crate) fn named_expr<'s>(ex: Bx<'s, Expr>, what: &'static str) -> impl P<'s, Expr> {
    here(|a, _| a.span())
        .then(column_names())
        .then(expr_required(ex.clone(), what))
        .validate(
            |((start, (names, eq_span)), expr), e: &mut Extra<'s, '_>, _| {
                let span = start.to(expr.span);
                let h = e.state().h;
                done(e, h + 1);
                Expr::new(
                    ExprKind::Named(Box::new(NamedExpr {
                        names,
                        eq_span,
                        expr,
                    })),
                    span,
                )
            },
        )
        .or(expr_required(ex, what))
}

fn is_tuple_assign(a: At<'_>) -> bool {
    let mut i = 1;
    loop {
        if a.peek_at(i) == T::Ident {
            i += 1;
        } else if let Some(len) = a.bracket_name_len(i) {
            i += len;
        } else {
            return false;
        }
        match a.peek_at(i) {
            T::Comma => i += 1,
            T::RParen => return a.peek_at(i + 1) == T::Assign,
            _ => return false,
        }
    }
}

/// `item (, item)*` where a missing item is reported (as "expected what")
/// and ends the list.
fn list_or_stop<'s, O: 's>(item: impl P<'s, O>, what: &'static str) -> impl P<'s, Vec<O>> {
    let stop = here(move |a, errs| errs.push(a.expected(what)));
    list(item.clone(), tk(T::Comma).ignore_then(item))
        .then_ignore(tk(T::Comma).ignore_then(stop.clone()).or_not())
        .or(stop.map(|_| Vec::new()))
}

fn name_patterns<'s>() -> impl P<'s, Vec<NamePattern>> {
    list_or_stop(name_pattern(), "a column name")
}

fn renames<'s>() -> impl P<'s, Vec<Rename>> {
    comma_list(
        expect_ident("the new column name")
            .then_ignore(expect(T::Assign, "`=`"))
            .then(expect_ident("the old column name"))
            .map(|(new, old)| Rename {
                span: new.span.to(old.span),
                new,
                old,
            }),
    )
}

fn reorder_items<'s>() -> impl P<'s, Vec<ReorderItem>> {
    let order = choice((
        look(|a, _| {
            a.peek() == T::Ident
                && matches!(a.text(), "asc" | "desc" | "granny-asc" | "granny-desc")
        })
        .ignore_then(ident())
        .map(Some),
        // granny-asc / granny-desc lexed as three tokens
        look(|a, _| a.at_word("granny") && a.peek_at(1) == T::Minus)
            .ignore_then(any_tok())
            .then_ignore(any_tok())
            .then(any_tok().map(|t| t.span).or(here(|a, _| a.span())))
            .validate(|(s, end), e: &mut Extra<'s, '_>, _| {
                let span = s.span.to(end);
                Some(Ident {
                    name: SmolStr::new(span.text(e.state().src)),
                    span,
                    quoted: false,
                })
            }),
        empty().to(None),
    ));
    let item = name_pattern()
        .then(order)
        .validate(|(pattern, order), e: &mut Extra<'s, '_>, _| ReorderItem {
            span: pattern.span.to(prev_span(e)),
            pattern,
            order,
        });
    list_or_stop(item, "a column name")
}

/// `parse ... with` pattern: `*`, string literals, `Column[: type]`.
fn parse_pattern<'s>(primary: Bx<'s, Expr>) -> impl P<'s, Vec<ParsePart>> {
    let column = ident()
        .then(tk(T::Colon).ignore_then(type_ref()).or_not())
        .validate(|(name, ty), e: &mut Extra<'s, '_>, _| {
            Some(ParsePart::Column {
                span: name.span.to(prev_span(e)),
                name,
                ty,
            })
        });
    let part = choice((
        tk(T::Star).map(|s| Some(ParsePart::Star(s))),
        look(|a, _| a.at(T::String))
            .ignore_then(primary)
            .map(|e| match e.kind {
                ExprKind::Literal(l) => Some(ParsePart::Literal(l)),
                _ => None,
            }),
        column,
        tk(T::Comma).to(None),
    ));
    part.repeated()
        .collect::<Vec<_>>()
        .validate(|parts, e: &mut Extra<'s, '_>, _| {
            let out: Vec<ParsePart> = parts.into_iter().flatten().collect();
            if out.is_empty() {
                let err = at(e).expected("a parse pattern");
                emit(e, err);
            }
            out
        })
}

/// `with (name = value, ...)`, or nothing.
fn with_props<'s>(ex: Bx<'s, Expr>) -> impl P<'s, Vec<OpParam>> {
    // list values: `ycolumns = a, b`
    let extra = look(|a, _| {
        a.at(T::Comma)
            && matches!(a.peek_at(1), T::Ident | T::LBracket)
            && a.peek_at(2) != T::Assign
            && a.peek_at(2) != T::Dot
    })
    .ignore_then(tk(T::Comma))
    .ignore_then(ex.clone())
    .repeated()
    .collect::<Vec<_>>();
    let prop = dotted_name()
        .then_ignore(tk(T::Assign))
        .then(expr_required(ex, "a value"))
        .then(extra)
        .map(|((name, value), extra)| {
            let mut out = vec![OpParam {
                span: name.span.to(value.span),
                name: name.clone(),
                value,
            }];
            out.extend(extra.into_iter().map(|value| OpParam {
                span: value.span,
                name: name.clone(),
                value,
            }));
            out
        });
    // a name without `=`: reported, and the rest of the list skipped
    let bad = dotted_name()
        .then(here(|a, errs| errs.push(a.expected("`=` and a value"))))
        .then(skip_to_closer(T::RParen))
        .to(Vec::new());
    let open = open_group(T::RParen);
    let rest = tk(T::Comma)
        .ignore_then(open.clone())
        .ignore_then(prop.clone())
        .repeated()
        .collect::<Vec<_>>();
    let tail = tk(T::Comma)
        .ignore_then(open.clone().ignore_then(bad.clone()).or_not())
        .or_not();
    let list = choice((
        open.clone()
            .ignore_then(prop)
            .then(rest)
            .then_ignore(tail)
            .map(|(first, rest)| {
                let mut v = first;
                v.extend(rest.into_iter().flatten());
                v
            }),
        open.ignore_then(bad),
        empty().to(Vec::new()),
    ));
    look(|a, _| a.at_word("with") && a.peek_at(1) == T::LParen)
        .ignore_then(any_tok())
        .ignore_then(tk(T::LParen))
        .then(list)
        .then(closer(T::LParen))
        .validate(|((open, list), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            list
        })
        .or(empty().to(Vec::new()))
}

/// Column declarations up to `)`: `a: string, b: long`, `*`. Returns the
/// columns and, when a `*` was written, its span and the number of columns
/// before it.
pub(crate) fn schema_items<'s>() -> impl P<'s, (Vec<ColumnDecl>, Option<(Span, usize)>)> {
    let item = tk(T::Star).map(Err).or(column_decl().map(Ok));
    items_until(T::RParen, item).map(|items| {
        let mut cols = Vec::new();
        let mut star = None;
        for i in items {
            match i {
                Ok(c) => cols.push(c),
                Err(s) => star = Some((s, cols.len())),
            }
        }
        (cols, star)
    })
}

/// `( schema )`; `star_first`: a leading `*` is allowed (`evaluate`'s output
/// schema `(*, new: string)`).
pub(crate) fn paren_schema<'s>(star_first: bool) -> impl P<'s, Vec<ColumnDecl>> {
    paren_schema_star(star_first).map(|(cols, _)| cols)
}

/// [`paren_schema`], with the span of the `*` when one was written.
pub(crate) fn paren_schema_star<'s>(
    star_first: bool,
) -> impl P<'s, (Vec<ColumnDecl>, Option<Span>)> {
    tk(T::LParen)
        .then(schema_items())
        .then(closer(T::LParen))
        .validate(move |((open, (cols, star)), c), e: &mut Extra<'s, '_>, _| {
            if let Some((s, before)) = star
                && (!star_first || before > 0)
            {
                emit(
                    e,
                    SyntaxError::new(
                        K::UnexpectedToken,
                        s,
                        if star_first {
                            "`*` must come first in the output schema: `(*, column: type)`"
                        } else {
                            "`*` is not allowed in this schema"
                        },
                    ),
                );
            }
            report_close(e, &c, T::LParen, open);
            (cols, star.map(|(s, _)| s))
        })
        .or(here(|a, errs| {
            errs.push(a.expected("`(` and a schema"));
            (Vec::new(), None)
        }))
}

/// `(n)-[e]->(m)<-[f*1..3]-(o)--(p)`.
fn graph_pattern<'s>(primary: Bx<'s, Expr>) -> impl P<'s, GraphPattern> {
    let node = tk(T::LParen)
        .then(ident().or_not())
        .then(closer(T::LParen))
        .validate(|((open, name), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            GraphPatternElement::Node {
                name,
                span: open.to(c.end()),
            }
        });
    let range = tk(T::Star)
        .ignore_then(primary.clone())
        .then_ignore(expect(T::DotDot, "`..`"))
        .then(primary)
        .or_not();
    let bracket = tk(T::LBracket)
        .then(ident().or_not())
        .then(range)
        .then(closer(T::LBracket))
        .validate(|(((open, name), range), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LBracket, open);
            (name, range)
        })
        .or_not();
    let edge = here(|a, _| a.span())
        .then(eat(T::Lt))
        .then_ignore(tk(T::Minus))
        .then(bracket)
        .then_ignore(expect(T::Minus, "`-`"))
        .then(eat(T::Gt))
        .validate(
            |(((estart, left), bracket), right), e: &mut Extra<'s, '_>, _| {
                let (name, range) = bracket.unwrap_or((None, None));
                let direction = match (left.is_some(), right.is_some()) {
                    (true, false) => EdgeDirection::Left,
                    (false, true) => EdgeDirection::Right,
                    _ => EdgeDirection::Any,
                };
                GraphPatternElement::Edge {
                    name,
                    direction,
                    range,
                    span: estart.to(prev_span(e)),
                }
            },
        );
    // a last node: no edge after it (a `<` alone is reported)
    let last = node.clone().then_ignore(
        tk(T::Lt)
            .ignore_then(here(|a, errs| errs.push(a.expected("`-`"))))
            .or_not(),
    );
    here(|a, _| a.span())
        .then(node.then(edge).repeated().collect::<Vec<_>>())
        .then(last.or_not())
        .validate(|((start, pairs), last), e: &mut Extra<'s, '_>, _| {
            let mut elements = Vec::with_capacity(pairs.len() * 2 + 1);
            for (n, edge) in pairs {
                elements.push(n);
                elements.push(edge);
            }
            elements.extend(last);
            if elements.is_empty() {
                let err = at(e).expected("a graph pattern");
                emit(e, err);
            }
            GraphPattern {
                elements,
                span: start.to(prev_span(e)),
            }
        })
}

/// The body of `mv-apply ... on (...)`, `fork (...)`, `partition ... (...)`,
/// `facet ... with (...)`: operators with an implicit input, the first
/// without a `|`. A body that starts with an expression is an ordinary
/// tabular expression.
fn sub_body<'s>(
    op: Bx<'s, Operator>,
    pipe_ops: Bx<'s, Vec<PipeOp>>,
    pe: Bx<'s, Expr>,
) -> impl P<'s, Expr> {
    let implicit = look(|a, _| a.starts_with_operator(0))
        .ignore_then(scope_start())
        .then(op.then_ignore(operator_tail()))
        .then(pipe_ops)
        .validate(|((saved, first), rest), e: &mut Extra<'s, '_>, _| {
            let mut ops = Vec::with_capacity(rest.len() + 1);
            ops.push(PipeOp {
                pipe: None,
                op: first,
            });
            ops.extend(rest);
            let span = ops[0].op.span.to(ops.last().expect("op").op.span);
            scope_end(e, saved, 3);
            Expr::new(
                ExprKind::Pipeline(Box::new(Pipeline {
                    source: None,
                    ops,
                    span,
                })),
                span,
            )
        });
    implicit.or(pe)
}

/// `( implicit-input subquery )`.
fn paren_body<'s>(sub_body: Bx<'s, Expr>) -> impl P<'s, Expr> {
    tk(T::LParen)
        .then(sub_body)
        .then(closer(T::LParen))
        .validate(|((open, inner), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            let h = e.state().h + 1;
            done(e, h);
            Expr::new(ExprKind::Paren(Box::new(inner)), open.to(c.end()))
        })
        .or(here(|a, errs| {
            errs.push(a.expected("`(` and a subquery"));
            Expr::error(Span::empty(a.prev_end()))
        }))
}

/// `( implicit-input subquery )` that must start with an operator
/// (`mv-apply ... on (...)`, `partition ... (...)`, `facet ... with (...)`).
fn implicit_body<'s>(paren_body: Bx<'s, Expr>) -> impl P<'s, Expr> {
    here(|a, errs| {
        if a.at(T::LParen) && !a.starts_with_operator(1) && a.peek_at(1) != T::RParen {
            let t = a.tok_at(1);
            let found = match t.kind {
                T::Ident => format!("`{}`", t.text),
                k => k.describe().to_string(),
            };
            errs.push(
                SyntaxError::new(
                    K::UnknownOperator,
                    t.span,
                    format!("expected a query operator, found {found}"),
                )
                .with_help(
                    "this subquery's input is implicit: start it with an operator such as `where` or `take`",
                ),
            );
        }
    })
    .ignore_then(paren_body)
}
