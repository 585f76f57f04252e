//! Statements: `let`, `set`, `declare`, `alias`, `restrict` and the query
//! expression statement, `;`-separated, with recovery at `;`.

use super::base::*;
use super::expr::*;
use super::tabular::{dotted_name, schema_items};
use crate::Span;
use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use crate::lexer::TokenKind as T;
use chumsky::prelude::*;
use smol_str::SmolStr;

/// What statements are built from.
#[derive(Clone)]
pub(crate) struct StmtParts<'s> {
    pub x: Exprs<'s>,
    pub pe: Bx<'s, Expr>,
    pub pipe_ops: Bx<'s, Vec<PipeOp>>,
    pub param_list: Bx<'s, Vec<Param>>,
}

/// `( name: type [= default], ... )`.
pub(crate) fn param_list<'s>(ex: Bx<'s, Expr>) -> impl P<'s, Vec<Param>> {
    tk(T::LParen)
        .then(items_until(T::RParen, param(ex)))
        .then(closer(T::LParen))
        .validate(|((open, params), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            params
        })
}

/// `name: type [= default]`, `T: (a: string, *)`, `T: (*)`.
pub(crate) fn param<'s>(ex: Bx<'s, Expr>) -> impl P<'s, Param> {
    let tabular = tk(T::LParen)
        .then(schema_items())
        .then(closer(T::LParen))
        .validate(|((open, (columns, star)), c), e: &mut Extra<'s, '_>, _| {
            if let Some((s, _)) = star
                && !columns.is_empty()
            {
                emit(
                    e,
                    SyntaxError::new(
                        K::UnexpectedToken,
                        s,
                        "a tabular parameter takes either `(*)` or a list of columns, not both",
                    ),
                );
            }
            report_close(e, &c, T::LParen, open);
            ParamType::Tabular {
                columns,
                open: star.is_some(),
                span: open.to(c.end()),
            }
        });
    let ty = tk(T::Colon)
        .ignore_then(tabular.or(type_ref().map(ParamType::Scalar)))
        .or(here(|a, errs| {
            errs.push(a.expected("`:` and the parameter type"));
            ParamType::Scalar(TypeRef {
                name: SmolStr::default(),
                span: Span::empty(a.prev_end()),
            })
        }));
    expect_ident("a parameter name")
        .then(ty)
        .then(tk(T::Assign).ignore_then(ex).or_not())
        .validate(|((name, ty), default), e: &mut Extra<'s, '_>, _| Param {
            span: name.span.to(prev_span(e)),
            name,
            ty,
            default,
        })
}

/// `stmt (; stmt)* ;?` up to `end` (a `}`) or the end of the text.
/// `others` are the keyword statements, `expr_stmt` the query statement.
pub(crate) fn statements<'s>(
    others: Bx<'s, Statement>,
    expr_stmt: Bx<'s, Statement>,
    pipe_ops: Bx<'s, Vec<PipeOp>>,
    end: Option<T>,
) -> impl P<'s, Vec<Statement>> {
    let at_end = move |a: At<'_>| a.at_eof() || end.is_some_and(|k| a.at(k));
    let is_closer = |a: At<'_>| matches!(a.peek(), T::RParen | T::RBracket | T::RBrace);
    // a closer with no opener; `T | where x == 1) | take 1`: the rest
    // belongs to the same query
    let unmatched = look(move |a, _| is_closer(a))
        .ignore_then(any_tok())
        .validate(|t, e: &mut Extra<'s, '_>, _| {
            emit(
                e,
                SyntaxError::new(
                    K::UnmatchedDelimiter,
                    t.span,
                    format!("`{}` has no matching opening delimiter", t.text),
                ),
            );
            t.span
        })
        .then(look(|a, _| a.at(T::Pipe)).ignore_then(pipe_ops).or_not())
        .map(|(s, ops)| {
            let mut span = s;
            if let Some(last) = ops.as_ref().and_then(|o| o.last()) {
                span = span.to(last.op.span);
            }
            (Statement::Error(span), None)
        });
    // what may follow a statement
    let after = choice((
        tk(T::Semi).to(None),
        look(move |a, _| at_end(a) || is_closer(a)).to(None),
        // two statements without `;`
        look(|a, _| {
            a.on_new_line()
                && (STMT_WORDS.contains(&a.text()) || (a.peek() == T::Ident && a.at_line_start()))
        })
        .ignore_then(missing_semi())
        .to(None),
    ));
    let after_expr = after.clone().or(here(|a, errs| {
        errs.push(a.junk_after("the end of the statement"));
    })
    .ignore_then(skip_to_sync())
    .map(|skipped| (!skipped.is_empty()).then_some(Statement::Error(skipped))));
    let after_other = after.or(missing_semi().to(None));
    let item = choice((others.then(after_other), expr_stmt.then(after_expr)));
    // every round must move on: when a statement took nothing, skip a token
    let progressing = item.clone().try_map_with(|v, e: &mut Extra<'s, '_>| {
        let s = e.span();
        if s.start < s.end { Ok(v) } else { Err(PErr) }
    });
    let round = tk(T::Semi)
        .repeated()
        .ignore_then(look(move |a, _| !at_end(a)))
        .ignore_then(choice((
            unmatched,
            progressing,
            item.then_ignore(any_tok().or_not()),
        )));
    empty()
        .map(|_| Vec::new())
        .foldl(round.repeated(), |mut v, (s, skipped)| {
            v.push(s);
            v.extend(skipped);
            v
        })
        .then_ignore(tk(T::Semi).repeated())
}

/// "expected `;`" before the next statement.
fn missing_semi<'s>() -> impl P<'s, ()> {
    here(|a, errs| {
        errs.push(
            SyntaxError::new(
                K::MissingSemicolon,
                Span::empty(a.prev_end()),
                "expected `;` after this statement".to_string(),
            )
            .with_label(a.span(), "the next statement starts here")
            .with_help("separate statements (`let x = ...;`) with `;`"),
        );
    })
}

/// `{ statements }`; `body` parses the statements.
pub(crate) fn brace_body<'s>(body: Bx<'s, Vec<Statement>>) -> impl P<'s, (Vec<Statement>, Span)> {
    tk(T::LBrace)
        .then(body)
        .then(closer(T::LBrace))
        .validate(|((open, body), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LBrace, open);
            (body, open.to(c.end()))
        })
        .or(here(|a, errs| {
            errs.push(a.expected("`{` and the body"));
            (Vec::new(), Span::empty(a.prev_end()))
        }))
}

/// The keyword statements and the query statement.
pub(crate) fn statement_parts<'s>(
    p: &StmtParts<'s>,
    brace_body: Bx<'s, (Vec<Statement>, Span)>,
) -> (Bx<'s, Statement>, Bx<'s, Statement>) {
    let others = choice((
        let_stmt(p, brace_body.clone()).boxed(),
        set_stmt(p).boxed(),
        declare_qp(p).boxed(),
        declare_pattern(p, brace_body).boxed(),
        alias_stmt(p).boxed(),
        restrict_stmt(p).boxed(),
    ));
    let others = look(|a, _| a.peek() == T::Ident && STMT_WORDS.contains(&a.text()))
        .ignore_then(others)
        .boxed();
    // `| take 1` with nothing before the `|`
    let pipe_start = here(|a, errs| {
        let span = a.span();
        let after_semi = a.pos > 0 && a.toks[a.pos - 1].kind == T::Semi;
        let mut err = SyntaxError::new(
            K::UnexpectedToken,
            span,
            "a statement cannot start with `|`: there is no tabular input before it",
        );
        if after_semi {
            err = err
                .with_label(a.prev_span(), "this `;` ends the previous statement")
                .with_help("remove the `;` to continue the previous query");
        }
        errs.push(err);
        span
    })
    .then(p.pipe_ops.clone())
    .map(|(span, ops)| {
        let span = span.to(ops.last().map_or(span, |o| o.op.span));
        let pipeline = Pipeline {
            source: Some(Expr::error(Span::empty(span.start))),
            ops,
            span,
        };
        Statement::Expr(Expr::new(ExprKind::Pipeline(Box::new(pipeline)), span))
    });
    let expr_stmt = choice((
        look(|a, _| a.at(T::Pipe)).ignore_then(pipe_start),
        p.pe.clone().map(Statement::Expr),
    ))
    .boxed();
    (others, expr_stmt)
}

fn let_stmt<'s>(
    p: &StmtParts<'s>,
    brace_body: Bx<'s, (Vec<Statement>, Span)>,
) -> impl use<'s> + P<'s, Statement> {
    let function_def = function_def(p.param_list.clone(), brace_body).boxed();
    let view = look(|a, _| a.at_word("view") && a.peek_at(1) == T::LParen)
        .ignore_then(tk(T::Ident))
        .then(function_def.clone())
        .map(|(vs, mut f)| {
            f.span = vs.to(f.span);
            LetValue::View(f)
        });
    let function = look(|a, _| a.at(T::LParen) && is_function_def(a))
        .ignore_then(function_def)
        .map(LetValue::Function);
    let value = choice((view, function, p.pe.clone().map(LetValue::Expr)));
    // `let x` alone: take the rest of the statement as its value
    let no_eq = here(|a, errs| errs.push(a.expected("`=` after the `let` name"))).ignore_then(
        look(|a, _| a.at_op_end())
            .ignore_then(here(|a, _| {
                (LetValue::Expr(Expr::error(Span::empty(a.prev_end()))), true)
            }))
            .or(value.clone().map(|v| (v, false))),
    );
    look(|a, _| a.at_word("let") && a.peek_at(1) != T::Dot && a.peek_at(1) != T::LParen)
        .ignore_then(tk(T::Ident))
        .then(expect_ident("a name after `let`"))
        .then(
            tk(T::Assign)
                .ignore_then(value.map(|v| (v, false)))
                .or(no_eq),
        )
        .validate(
            |((start, name), (value, early)), e: &mut Extra<'s, '_>, _| {
                let end = if early {
                    prev_span(e)
                } else {
                    match &value {
                        LetValue::Expr(e) => e.span,
                        LetValue::Function(f) | LetValue::View(f) => f.span,
                    }
                };
                Statement::Let(LetStmt {
                    name,
                    value,
                    span: start.to(end),
                })
            },
        )
}

/// At `(`: is this `(params) {`?
fn is_function_def(a: At<'_>) -> bool {
    let mut depth = 0usize;
    let mut i = a.pos;
    while i < a.toks.len() {
        match a.toks[i].kind {
            T::LParen | T::LBracket | T::LBrace => depth += 1,
            T::RParen | T::RBracket | T::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return a.toks.get(i + 1).is_some_and(|t| t.kind == T::LBrace);
                }
            }
            T::Eof | T::Semi => return false,
            _ => {}
        }
        i += 1;
    }
    false
}

/// `(params) { body }`.
fn function_def<'s>(
    param_list: Bx<'s, Vec<Param>>,
    brace_body: Bx<'s, (Vec<Statement>, Span)>,
) -> impl P<'s, FunctionDef> {
    let params = look(|a, _| a.at(T::LParen))
        .ignore_then(param_list)
        .or(here(|a, errs| {
            errs.push(a.expected("`(` and the parameter list"));
            Vec::new()
        }));
    here(|a, _| a.span())
        .then(params)
        .then(here(|a, _| a.prev_end()))
        .then(brace_body)
        .map(
            |(((start, params), params_end), (body, body_span))| FunctionDef {
                params,
                body,
                params_span: Span::new(start.start, params_end),
                body_span,
                span: start.to(body_span),
            },
        )
}

fn set_stmt<'s>(p: &StmtParts<'s>) -> impl use<'s> + P<'s, Statement> {
    look(|a, _| a.at_word("set") && a.peek_at(1) == T::Ident)
        .ignore_then(tk(T::Ident))
        .then(dotted_name())
        .then(tk(T::Assign).ignore_then(p.x.expr.clone()).or_not())
        .validate(|((start, name), value), e: &mut Extra<'s, '_>, _| {
            Statement::Set(SetStmt {
                name,
                value,
                span: start.to(prev_span(e)),
            })
        })
}

fn declare_qp<'s>(p: &StmtParts<'s>) -> impl use<'s> + P<'s, Statement> {
    let params = look(|a, _| a.at(T::LParen))
        .ignore_then(p.param_list.clone())
        .or(here(|a, errs| {
            errs.push(a.expected("`(` and the parameters"));
            Vec::new()
        }));
    look(|a, _| a.at_word("declare") && a.at_word_at(1, "query_parameters"))
        .ignore_then(tk(T::Ident))
        .then_ignore(any_tok())
        .then(params)
        .validate(|(start, params), e: &mut Extra<'s, '_>, _| {
            Statement::DeclareQueryParameters(DeclareQueryParameters {
                params,
                span: start.to(prev_span(e)),
            })
        })
}

fn declare_pattern<'s>(
    p: &StmtParts<'s>,
    brace_body: Bx<'s, (Vec<Statement>, Span)>,
) -> impl use<'s> + P<'s, Statement> {
    let path_param = tk(T::LBracket)
        .then(param(p.x.expr.clone()))
        .then(closer(T::LBracket))
        .validate(|((open, param), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LBracket, open);
            param
        })
        .or_not();
    let args = tk(T::LParen)
        .then(
            open_group(T::RParen)
                .ignore_then(
                    p.x.expr
                        .clone()
                        .separated_by(tk(T::Comma))
                        .at_least(1)
                        .collect::<Vec<_>>(),
                )
                .or(empty().to(Vec::new())),
        )
        .then(closer(T::LParen))
        .validate(|((open, args), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            (open, args)
        });
    let definition = args
        .then(tk(T::Dot).ignore_then(p.x.primary.clone()).or_not())
        .then_ignore(expect(T::Assign, "`=`"))
        .then(brace_body)
        .then_ignore(eat(T::Semi))
        .map(
            |(((dstart, args), path), (body, bspan))| PatternDefinition {
                args,
                path,
                body,
                span: dstart.to(bspan),
            },
        );
    let definitions = tk(T::LBrace)
        .then(definition.repeated().collect::<Vec<_>>())
        .then(closer(T::LBrace))
        .validate(|((open, defs), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LBrace, open);
            defs
        })
        .or(empty().to(Vec::new()));
    let value = tk(T::Assign)
        .ignore_then(
            look(|a, _| a.at(T::LParen))
                .ignore_then(p.param_list.clone())
                .or(empty().to(Vec::new())),
        )
        .then(path_param)
        .then(definitions)
        .or_not();
    look(|a, _| a.at_word("declare") && a.at_word_at(1, "pattern"))
        .ignore_then(tk(T::Ident))
        .then_ignore(any_tok())
        .then(expect_ident("a pattern name"))
        .then(value)
        .validate(|((start, name), value), e: &mut Extra<'s, '_>, _| {
            let ((params, path_param), definitions) =
                value.unwrap_or(((Vec::new(), None), Vec::new()));
            Statement::DeclarePattern(DeclarePattern {
                name,
                params,
                path_param,
                definitions,
                span: start.to(prev_span(e)),
            })
        })
}

fn alias_stmt<'s>(p: &StmtParts<'s>) -> impl use<'s> + P<'s, Statement> {
    look(|a, _| a.at_word("alias") && a.at_word_at(1, "database"))
        .ignore_then(tk(T::Ident))
        .then_ignore(any_tok())
        .then(expect_ident("an alias name"))
        .then_ignore(expect(T::Assign, "`=`"))
        .then(p.x.expr.clone())
        .map(|((start, name), value)| {
            Statement::Alias(AliasStmt {
                name,
                span: start.to(value.span),
                value,
            })
        })
}

fn restrict_stmt<'s>(p: &StmtParts<'s>) -> impl use<'s> + P<'s, Statement> {
    let entities = tk(T::LParen)
        .then(items_until(T::RParen, p.x.name_or_expr.clone()))
        .then(closer(T::LParen))
        .validate(|((open, items), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            items
        })
        .or(here(|a, errs| {
            errs.push(a.expected("`(`"));
            Vec::new()
        }));
    look(|a, _| a.at_word("restrict") && a.at_word_at(1, "access"))
        .ignore_then(tk(T::Ident))
        .then_ignore(any_tok())
        .then_ignore(expect_kw("to"))
        .then(entities)
        .validate(|(start, entities), e: &mut Extra<'s, '_>, _| {
            Statement::Restrict(RestrictStmt {
                entities,
                span: start.to(prev_span(e)),
            })
        })
}
