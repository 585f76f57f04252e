//! Scalar expressions: literals, names, calls, postfix chains (a `foldl`),
//! signs and the binary operators (precedence climbing, the minimum
//! precedence carried in the chumsky context), plus `dynamic(...)`.

use super::base::*;
use super::text::*;
use crate::Span;
use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use crate::lexer::TokenKind as T;
use chumsky::prelude::*;
use smol_str::SmolStr;

/// An expression with the height of its tree.
pub(crate) type HE = (Expr, u32);

/// The expression parsers other modules build on. All are boxed: they are
/// the type-erasure boundaries of the grammar.
#[derive(Clone)]
pub(crate) struct Exprs<'s> {
    /// A full scalar expression (`binary(0)`).
    pub expr: Bx<'s, Expr>,
    pub primary: Bx<'s, Expr>,
    pub postfix: Bx<'s, Expr>,
    pub unary: Bx<'s, Expr>,
    /// `( subquery )` or a table name / pattern / expression (`union`,
    /// `entity_group`, `find in (...)`).
    pub union_item: Bx<'s, Expr>,
    /// A table name, a wildcard pattern, or a postfix expression.
    pub name_or_expr: Bx<'s, Expr>,
}

/// Pairs a parser's output with the height just recorded for it.
pub(crate) fn hx<'s>(p: impl P<'s, Expr>) -> impl P<'s, HE> {
    p.validate(|x, e: &mut Extra<'s, '_>, _| {
        let h = e.state().h;
        (x, h)
    })
}

/// A leaf expression (height 1).
fn leaf(e: &mut Extra<'_, '_>, x: Expr) -> Expr {
    done(e, 1);
    x
}

fn lit(e: &mut Extra<'_, '_>, kind: LitKind, span: Span) -> Expr {
    leaf(
        e,
        Expr::new(ExprKind::Literal(Literal { kind, span }), span),
    )
}

/// A name or a bracketed name (`['x y']`).
pub(crate) fn ident<'s>() -> impl P<'s, Ident> {
    choice((
        tok(T::Ident).map(|t| Ident {
            name: SmolStr::new(t.text),
            span: t.span,
            quoted: false,
        }),
        bracket_ident(),
    ))
}

/// `['name']` / `["name"]`, or a name made of adjacent string literals
/// (`['O''peration']` is `Operation`, as in Kusto).
pub(crate) fn bracket_ident<'s>() -> impl P<'s, Ident> {
    tk(T::LBracket)
        .then(tok(T::String))
        .then(tok(T::String).repeated().collect::<Vec<_>>())
        .then(tk(T::RBracket))
        .map(|(((open, s), more), close)| {
            let name = if more.is_empty() {
                SmolStr::new(unquote(s.text).0)
            } else {
                let mut name = unquote(s.text).0;
                for t in more {
                    name.push_str(&unquote(t.text).0);
                }
                SmolStr::new(name)
            };
            Ident {
                name,
                span: open.to(close),
                quoted: true,
            }
        })
}

/// A name, or report it missing (an empty name where it should be).
pub(crate) fn expect_ident<'s>(what: &'static str) -> impl P<'s, Ident> {
    ident().or(here(move |a, errs| {
        errs.push(a.missing_name(what));
        Ident {
            name: SmolStr::default(),
            span: Span::empty(a.prev_end()),
            quoted: false,
        }
    }))
}

/// A type name, or report it missing.
pub(crate) fn type_ref<'s>() -> impl P<'s, TypeRef> {
    tok(T::Ident)
        .map(|t| TypeRef {
            name: SmolStr::new(t.text),
            span: t.span,
        })
        .or(here(|a, errs| {
            errs.push(a.expected("a type name"));
            TypeRef {
                name: SmolStr::default(),
                span: Span::empty(a.prev_end()),
            }
        }))
}

/// `name: type`.
pub(crate) fn column_decl<'s>() -> impl P<'s, ColumnDecl> {
    let ty = tk(T::Colon).ignore_then(type_ref()).or(here(|a, errs| {
        errs.push(a.expected("`:` and the column type"));
        TypeRef {
            name: SmolStr::default(),
            span: Span::empty(a.prev_end()),
        }
    }));
    expect_ident("a column name")
        .then(ty)
        .map(|(name, ty)| ColumnDecl {
            span: name.span.to(ty.span),
            name,
            ty,
        })
}

/// A column-name pattern with `*` wildcards, made of adjacent tokens.
pub(crate) fn name_pattern<'s>() -> impl P<'s, NamePattern> {
    let word = any_tok().filter(|t: &Tok| matches!(t.kind, T::Ident | T::Star));
    let more = look(|a, _| {
        matches!(a.peek(), T::Ident | T::Star | T::Int) && a.span().start == a.prev_end()
    })
    .ignore_then(any_tok())
    .repeated();
    choice((
        bracket_ident().map(|id| NamePattern {
            pattern: id.name,
            span: id.span,
        }),
        word.then_ignore(more)
            .validate(|first: Tok<'s>, e: &mut Extra<'s, '_>, _| {
                let span = first.span.to(prev_span(e));
                NamePattern {
                    pattern: SmolStr::new(span.text(e.state().src)),
                    span,
                }
            }),
    ))
}

/// While a group (closed by `close`) has not ended.
pub(crate) fn open_group<'s>(close: T) -> impl P<'s, ()> {
    look(move |a, _| !a.at(close) && !a.at_eof())
}

/// `first rest*`, collected into one vector.
pub(crate) fn list<'s, O: 's>(first: impl P<'s, O>, rest: impl P<'s, O>) -> impl P<'s, Vec<O>> {
    first.map(|x| vec![x]).foldl(rest.repeated(), |mut v, x| {
        v.push(x);
        v
    })
}

/// `first rest*` where a later round may yield nothing (a trailing `,`).
pub(crate) fn list_opt<'s, O: 's>(
    first: impl P<'s, O>,
    rest: impl P<'s, Option<O>>,
) -> impl P<'s, Vec<O>> {
    first.map(|x| vec![x]).foldl(rest.repeated(), |mut v, x| {
        v.extend(x);
        v
    })
}

/// `item (, item)*` up to `close`: items are parsed while the group has not
/// ended, a trailing `,` is accepted (the old `while !at(close) { item; if
/// !eat(,) break }` loop).
pub(crate) fn items_until<'s, O: 's>(close: T, item: impl P<'s, O>) -> impl P<'s, Vec<O>> {
    list_opt(
        open_group(close).ignore_then(item.clone()),
        tk(T::Comma).ignore_then(open_group(close).ignore_then(item).or_not()),
    )
    .or(empty().map(|_| Vec::new()))
}

/// `item (, item)*` with at least one item (the item never fails).
pub(crate) fn comma_list<'s, O: 's>(item: impl P<'s, O>) -> impl P<'s, Vec<O>> {
    item.separated_by(tk(T::Comma)).at_least(1).collect()
}

/// A full expression, or report it missing.
pub(crate) fn expr_required<'s>(ex: impl P<'s, Expr>, what: &'static str) -> impl P<'s, Expr> {
    look(|a, _| a.starts_expr())
        .ignore_then(ex)
        .or(missing_expr(what))
}

/// A (tabular) expression, or report it missing.
pub(crate) fn pipe_expr_required<'s>(pe: impl P<'s, Expr>, what: &'static str) -> impl P<'s, Expr> {
    look(|a, _| a.starts_expr() || a.source_word())
        .ignore_then(pe)
        .or(missing_expr(what))
}

/// Reports a missing expression; an empty `Error` node stands for it.
pub(crate) fn missing_expr<'s>(what: &'static str) -> impl P<'s, Expr> {
    here(move |a, errs| {
        errs.push(a.missing_expr(what));
        Expr::error(Span::empty(a.prev_end()))
    })
}

/// `( subquery )` after `union`, `find in`, inside `entity_group [...]`, or
/// a table name / pattern / expression.
fn union_item<'s>(pe: Bx<'s, Expr>, name_or_expr: impl P<'s, Expr>) -> impl P<'s, Expr> {
    tk(T::LParen)
        .then(pe)
        .then(closer(T::LParen))
        .validate(|((open, inner), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            let h = e.state().h + 1;
            done(e, h);
            Expr::new(ExprKind::Paren(Box::new(inner)), open.to(c.end()))
        })
        .or(name_or_expr)
}

/// A table name, a wildcard pattern (`Device*`, `*`), or a postfix expression.
fn name_or_expr<'s>(postfix: impl P<'s, Expr>) -> impl P<'s, Expr> {
    look(|a, _| {
        matches!(a.peek(), T::Ident | T::Star)
            && (a.peek() == T::Star || (a.peek_at(1) == T::Star && a.adjacent(0)))
    })
    .ignore_then(name_pattern())
    .validate(|p, e: &mut Extra<'s, '_>, _| {
        let span = p.span;
        let kind = if p.pattern == "*" {
            ExprKind::Star
        } else {
            ExprKind::NamePattern(p)
        };
        leaf(e, Expr::new(kind, span))
    })
    .or(postfix)
}

/// `( arg, ... )`: `*`, `name = value`, or a (tabular) expression.
pub(crate) fn args<'s>(pe: Bx<'s, Expr>) -> impl P<'s, (Vec<Arg>, Span)> {
    let star = look(|a, _| a.at(T::Star) && matches!(a.peek_at(1), T::Comma | T::RParen))
        .ignore_then(tk(T::Star))
        .validate(|s, e: &mut Extra<'s, '_>, _| Arg {
            name: None,
            value: leaf(e, Expr::new(ExprKind::Star, s)),
            span: s,
        });
    let named =
        look(|a, _| a.peek() == T::Ident && a.peek_at(1) == T::Assign && a.peek_at(2) != T::Assign)
            .ignore_then(ident())
            .then_ignore(any_tok())
            .then(pipe_expr_required(pe.clone(), "an argument value"))
            .map(|(name, value)| Arg {
                span: name.span.to(value.span),
                name: Some(name),
                value,
            });
    let plain = pipe_expr_required(pe, "an argument").map(|value| Arg {
        name: None,
        span: value.span,
        value,
    });
    let arg = choice((star, named, plain));
    let sep = tk(T::Comma).then_ignore(here(|a, errs| {
        if a.at(T::RParen) {
            // trailing comma
            errs.push(a.missing_expr("an argument"));
        }
    }));
    let list = list_opt(
        open_group(T::RParen).ignore_then(arg.clone()),
        sep.ignore_then(open_group(T::RParen).ignore_then(arg).or_not()),
    )
    .or(empty().map(|_| Vec::new()));
    tk(T::LParen).then(list).then(closer(T::LParen)).validate(
        |((open, list), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            (list, open.to(c.end()))
        },
    )
}

/// Builds the expression parsers; `ex` is the recursive handle of `expr`
/// itself and `pe` that of the tabular `pipe_expr`.
pub(crate) fn exprs<'s>(ex: Bx<'s, Expr>, pe: Bx<'s, Expr>) -> Exprs<'s> {
    // `primary` recurses through `dynamic(...)` values (a signed scalar is a
    // `unary`) and `entity_group [...]` (a `union_item`): inside its own
    // definition those are built on its weak handle ...
    let primary = recursive(|primary| {
        let primary = primary.boxed();
        let postfix = postfix(primary.clone(), ex.clone(), pe.clone()).boxed();
        let unary = unary(postfix.clone()).boxed();
        let union_item = union_item(pe.clone(), name_or_expr(postfix).boxed()).boxed();
        let dv = dyn_value(primary, unary).boxed();
        grow(primary_body(pe.clone(), dv, union_item))
    })
    .boxed();
    // ... and everywhere else on the owned one, which keeps it alive
    let postfix = postfix(primary.clone(), ex, pe.clone()).boxed();
    let unary = unary(postfix.clone()).boxed();
    let name_or_expr = name_or_expr(postfix.clone()).boxed();
    let union_item = union_item(pe.clone(), name_or_expr.clone()).boxed();
    let expr = binary(unary.clone(), pe).boxed();
    Exprs {
        expr,
        primary,
        postfix,
        unary,
        union_item,
        name_or_expr,
    }
}

// ---------------------------------------------------------------------------
// primary expressions
// ---------------------------------------------------------------------------

fn primary_body<'s>(
    pe: Bx<'s, Expr>,
    dv: Bx<'s, DynamicValue>,
    union_item: Bx<'s, Expr>,
) -> impl P<'s, Expr> {
    let int = tok(T::Int).validate(|t, e: &mut Extra<'s, '_>, _| {
        let v = parse_int(t.text);
        if v.is_none() {
            emit(
                e,
                SyntaxError::new(
                    K::InvalidLiteral,
                    t.span,
                    format!("`{}` is out of range for a long", t.text),
                ),
            );
        }
        lit(e, LitKind::Long(v.unwrap_or(0)), t.span)
    });
    let real = tok(T::Real).validate(|t, e: &mut Extra<'s, '_>, _| {
        lit(e, LitKind::Real(SmolStr::new(t.text)), t.span)
    });
    let timespan = tok(T::TimeSpan).validate(|t, e: &mut Extra<'s, '_>, _| {
        lit(e, LitKind::TimeSpan(SmolStr::new(t.text)), t.span)
    });
    let unterminated = tok(T::UnterminatedString).validate(|t, e: &mut Extra<'s, '_>, _| {
        let text = t.text;
        let multi = text.starts_with("```")
            || text.starts_with("~~~")
            || text[1..].starts_with("```")
            || text[1..].starts_with("~~~");
        emit(
            e,
            SyntaxError::new(
                K::UnterminatedString,
                Span::empty(t.span.end),
                "this string has no closing quote".to_string(),
            )
            .with_label(t.span, "the string starts here")
            .with_help(if multi {
                "close the multi-line string with the same fence it opened with"
            } else {
                "close the string on the same line; use ``` for multi-line text"
            }),
        );
        let (v, _) = unquote(text);
        lit(
            e,
            LitKind::String(StringLit {
                value: v,
                parts: vec![t.span],
                obfuscated: text.starts_with(['h', 'H']),
            }),
            t.span,
        )
    });
    let typed = tok(T::TypedLiteral).validate(|t, e: &mut Extra<'s, '_>, _| {
        let mut errs = Vec::new();
        let kind = typed_literal(e.state().src, t.span, &mut errs);
        for err in errs {
            emit(e, err);
        }
        lit(e, kind, t.span)
    });
    let unterminated_typed =
        tok(T::UnterminatedTypedLiteral).validate(|t, e: &mut Extra<'s, '_>, _| {
            let open = t.text.find('(').map_or(t.span, |i| {
                Span::new(t.span.start + i as u32, t.span.start + i as u32 + 1)
            });
            let mut err = SyntaxError::new(
                K::UnclosedDelimiter,
                Span::empty(t.span.end),
                "expected `)` to close this literal's `(`".to_string(),
            )
            .with_label(open, "this `(` is not closed");
            err.open_delimiter = Some(open);
            emit(e, err);
            leaf(e, Expr::error(t.span))
        });
    let bracket_name = bracket_ident().validate(|id, e: &mut Extra<'s, '_>, _| {
        let span = id.span;
        leaf(e, Expr::new(ExprKind::Name(id), span))
    });
    let star =
        tk(T::Star).validate(|s, e: &mut Extra<'s, '_>, _| leaf(e, Expr::new(ExprKind::Star, s)));
    choice((
        ident_primary(pe.clone(), dv, union_item).boxed(),
        string_lit().boxed(),
        int.boxed(),
        paren(pe).boxed(),
        real.boxed(),
        timespan.boxed(),
        typed.boxed(),
        bracket_name.boxed(),
        star.boxed(),
        unterminated.boxed(),
        unterminated_typed.boxed(),
        missing_expr("an expression").boxed(),
    ))
}

/// One or more adjacent string literals spliced into one.
fn string_lit<'s>() -> impl P<'s, Expr> {
    tok(T::String)
        .then(tok(T::String).repeated().collect::<Vec<_>>())
        .validate(|(first, rest), e: &mut Extra<'s, '_>, _| {
            let src = e.state().src;
            let mut value = String::new();
            let mut parts = Vec::with_capacity(rest.len() + 1);
            let mut obfuscated = false;
            let mut errs = Vec::new();
            for t in std::iter::once(first).chain(rest) {
                let (v, obf) = unquote(t.text);
                check_escapes(src, t.span, &mut errs);
                value.push_str(&v);
                obfuscated |= obf;
                parts.push(t.span);
            }
            for err in errs {
                emit(e, err);
            }
            let span = first.span.to(*parts.last().expect("part"));
            lit(
                e,
                LitKind::String(StringLit {
                    value,
                    parts,
                    obfuscated,
                }),
                span,
            )
        })
}

/// `( expr )` / `( subquery )`.
fn paren<'s>(pe: Bx<'s, Expr>) -> impl P<'s, Expr> {
    let inner = hx(look(|a, _| a.starts_expr() || a.source_word())
        .ignore_then(pe)
        .or(missing_expr("an expression")));
    tk(T::LParen).then(inner).then(closer(T::LParen)).validate(
        |((open, (inner, ih)), c), e: &mut Extra<'s, '_>, _| {
            // `where (x == 1 | project x`: the `)` belongs before the `|`
            match (c.is_missing(), predicate_pipe(&inner)) {
                (true, Some(at)) => {
                    let mut err = SyntaxError::new(
                        K::UnclosedDelimiter,
                        Span::empty(at.0),
                        "expected `)` to close this `(` before the `|`",
                    )
                    .with_label(open, "this `(` is not closed")
                    .with_label(
                        at.1,
                        "this `|` is taken as part of the parenthesised expression",
                    )
                    .with_help("add the missing `)` after the condition");
                    err.open_delimiter = Some(open);
                    emit(e, err);
                }
                _ => report_close(e, &c, T::LParen, open),
            }
            let span = open.to(c.end());
            done(e, ih + 1);
            Expr::new(ExprKind::Paren(Box::new(inner)), span)
        },
    )
}

fn ident_primary<'s>(
    pe: Bx<'s, Expr>,
    dv: Bx<'s, DynamicValue>,
    union_item: Bx<'s, Expr>,
) -> impl P<'s, Expr> {
    let boolean = tok(T::Ident)
        .try_map_with(|t, _| match t.text {
            "true" | "TRUE" | "True" => Ok((true, t.span)),
            "false" | "FALSE" | "False" => Ok((false, t.span)),
            _ => Err(PErr),
        })
        .validate(|(b, s), e: &mut Extra<'s, '_>, _| lit(e, LitKind::Bool(b), s));
    let dynamic = look(|a, _| a.at_word("dynamic") && a.peek_at(1) == T::LParen)
        .ignore_then(tk(T::Ident))
        .then(dynamic_lit(dv));
    let dynamic = dynamic.map(|(_, x)| x);
    let entity_group = look(|a, _| a.at_word("entity_group") && a.peek_at(1) == T::LBracket)
        .ignore_then(tk(T::Ident))
        .then(tk(T::LBracket))
        .then(scope_start())
        .then(items_until(T::RBracket, union_item))
        .then(closer(T::LBracket))
        .validate(
            |((((kw, open), saved), items), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LBracket, open);
                let h = scope_close(e, saved) + 1;
                done(e, h);
                Expr::new(ExprKind::EntityGroup(items), kw.to(c.end()))
            },
        );
    let typeof_item = choice((
        look(|a, _| a.peek() == T::Ident && a.peek_at(1) == T::Colon)
            .ignore_then(column_decl())
            .map(|c| Some(TypeOfItem::Column(c))),
        tk(T::Star).to(None),
        type_ref().map(|t| Some(TypeOfItem::Type(t))),
    ));
    let type_of = look(|a, _| a.at_word("typeof") && a.peek_at(1) == T::LParen)
        .ignore_then(tk(T::Ident))
        .then(tk(T::LParen))
        .then(items_until(T::RParen, typeof_item))
        .then(closer(T::LParen))
        .validate(|(((kw, open), items), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            let items = items.into_iter().flatten().collect();
            lit(e, LitKind::TypeOf(items), kw.to(c.end()))
        });
    let call = look(|a, _| a.peek_at(1) == T::LParen)
        .ignore_then(tok(T::Ident))
        .validate(|t, e: &mut Extra<'s, '_>, _| {
            let func = Ident {
                name: SmolStr::new(t.text),
                span: t.span,
                quoted: false,
            };
            if matches!(t.text, "string" | "boolean") {
                // type names are not conversion functions (`tostring(x)` is)
                emit(e, reserved_name_error(&func));
            }
            func
        })
        .then(scope_start())
        .then(args(pe))
        .validate(
            |((func, saved), (args, args_span)), e: &mut Extra<'s, '_>, _| {
                let ah = scope_close(e, saved);
                let span = func.span.to(args_span);
                done(e, ah + 1);
                Expr::new(
                    ExprKind::Call {
                        receiver: None,
                        func,
                        args,
                        args_span,
                    },
                    span,
                )
            },
        );
    let name = tok(T::Ident).validate(|t, e: &mut Extra<'s, '_>, _| {
        let id = Ident {
            name: SmolStr::new(t.text),
            span: t.span,
            quoted: false,
        };
        if is_reserved_name(&id.name) {
            emit(e, reserved_name_error(&id));
        }
        leaf(e, Expr::new(ExprKind::Name(id), t.span))
    });
    look(|a, _| a.peek() == T::Ident).ignore_then(choice((
        boolean.boxed(),
        dynamic.boxed(),
        entity_group.boxed(),
        type_of.boxed(),
        call.boxed(),
        name.boxed(),
    )))
}

// ---------------------------------------------------------------------------
// postfix, unary and binary
// ---------------------------------------------------------------------------

/// One postfix step.
enum Post {
    Index {
        index: Expr,
        ih: u32,
        end: Span,
    },
    Member(Ident),
    Call {
        func: Ident,
        args: Vec<Arg>,
        args_span: Span,
        ah: u32,
    },
}

fn postfix<'s>(primary: Bx<'s, Expr>, ex: Bx<'s, Expr>, pe: Bx<'s, Expr>) -> impl P<'s, Expr> {
    // `[index]`
    let index = tk(T::LBracket)
        .then(hx(expr_required(ex, "an index")))
        .then(closer(T::LBracket))
        .validate(|((open, (index, ih)), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LBracket, open);
            Post::Index {
                index,
                ih,
                end: c.end(),
            }
        });
    let dot_index = tk(T::Dot)
        .ignore_then(look(|a, _| a.at(T::LBracket) && !a.is_bracket_name(0)))
        .ignore_then(index.clone());
    // `.name`, `.name(args)`, `.*`, `.Device*`, `.1`
    let star_name = look(|a, _| {
        a.peek() == T::Star || (a.peek() == T::Ident && a.peek_at(1) == T::Star && a.adjacent(0))
    })
    .ignore_then(name_pattern())
    .map(|p| Ident {
        name: p.pattern,
        span: p.span,
        quoted: false,
    });
    let plain_name = choice((
        star_name,
        tok(T::Ident).map(|t| Ident {
            name: SmolStr::new(t.text),
            span: t.span,
            quoted: false,
        }),
        tok(T::Int).map(|t| Ident {
            name: SmolStr::new(t.text),
            span: t.span,
            quoted: false,
        }),
    ));
    let call_args = look(|a, _| a.at(T::LParen))
        .ignore_then(scope_start())
        .then(args(pe))
        .validate(|(saved, (args, args_span)), e: &mut Extra<'s, '_>, _| {
            (args, args_span, scope_close(e, saved))
        });
    let member = tk(T::Dot).ignore_then(choice((
        plain_name
            .then(call_args.or_not())
            .map(|(func, call)| match call {
                Some((args, args_span, ah)) => Post::Call {
                    func,
                    args,
                    args_span,
                    ah,
                },
                None => Post::Member(func),
            }),
        bracket_ident().map(Post::Member),
    )));
    let step = choice((dot_index, member, index));
    // a `.` with no name after it ends the chain
    let dangling_dot = tk(T::Dot).validate(|dot, e: &mut Extra<'s, '_>, _| {
        let a = at(e);
        emit(
            e,
            SyntaxError::new(
                K::MissingName,
                Span::empty(dot.end),
                format!("expected a name after `.`, found {}", a.describe_current()),
            ),
        );
    });
    hx(primary)
        .foldl_with(step.repeated(), |(x, h), step, e| {
            let (x, h) = match step {
                Post::Index { index, ih, end } => {
                    let span = x.span.to(end);
                    (
                        Expr::new(
                            ExprKind::Index {
                                expr: Box::new(x),
                                index: Box::new(index),
                            },
                            span,
                        ),
                        h.max(ih) + 1,
                    )
                }
                Post::Member(name) => {
                    let span = x.span.to(name.span);
                    (
                        Expr::new(
                            ExprKind::Member {
                                expr: Box::new(x),
                                name,
                            },
                            span,
                        ),
                        h + 1,
                    )
                }
                Post::Call {
                    func,
                    args,
                    args_span,
                    ah,
                } => {
                    let span = x.span.to(args_span);
                    (
                        Expr::new(
                            ExprKind::Call {
                                receiver: Some(Box::new(x)),
                                func,
                                args,
                                args_span,
                            },
                            span,
                        ),
                        h.max(ah) + 1,
                    )
                }
            };
            if h > crate::grammar::MAX_HEIGHT {
                // stop here: the limit is reported once and the rest given up
                done(e, h);
            }
            (x, h)
        })
        .then(dangling_dot.or_not())
        .validate(|((x, h), _), e: &mut Extra<'s, '_>, _| {
            done(e, h);
            x
        })
}

fn is_sign(k: T) -> bool {
    matches!(k, T::Minus | T::Plus)
}

/// `-x`, `+x` (the operand of a sign is a postfix expression, never another
/// sign), or a postfix expression.
fn unary<'s>(postfix: Bx<'s, Expr>) -> impl P<'s, Expr> {
    let sign = choice((
        tk(T::Minus).map(|s| (UnaryOp::Neg, s)),
        tk(T::Plus).map(|s| (UnaryOp::Plus, s)),
    ));
    let double = here(|a, errs| {
        if is_sign(a.peek()) {
            // KQL has no `- -x`: the operand of a sign is never another sign
            errs.push(SyntaxError::new(
                K::MissingExpression,
                a.span(),
                "expected an operand after the sign; write `-(-x)` for a double negation",
            ));
        }
    });
    let operand = choice((
        look(|a, _| a.starts_expr() && !is_sign(a.peek()))
            .ignore_then(postfix.clone())
            .map(Some),
        here(|a, errs| {
            if !is_sign(a.peek()) {
                errs.push(a.missing_expr("an expression after the sign"));
            }
        })
        .ignore_then(choice((tk(T::Minus), tk(T::Plus))).repeated())
        .ignore_then(
            look(|a, _| a.starts_expr())
                .ignore_then(postfix.clone())
                .map(Some)
                .or(empty().to(None)),
        ),
    ));
    sign.then_ignore(double)
        .then(operand)
        .validate(
            |((op, op_span), operand), e: &mut Extra<'s, '_>, _| match operand {
                Some(operand) => {
                    let h = e.state().h + 1;
                    let span = op_span.to(operand.span);
                    done(e, h);
                    Expr::new(
                        ExprKind::Unary {
                            op,
                            op_span,
                            operand: Box::new(operand),
                        },
                        span,
                    )
                }
                None => {
                    let span = op_span.to(prev_span(e));
                    leaf(e, Expr::error(span))
                }
            },
        )
        .or(postfix)
}

#[derive(Clone, Copy)]
enum Bin {
    Op(BinaryOp),
    In(InOp),
    Between(bool),
}

/// The binary operator at the current token: its precedence (1 `or`, 2
/// `and`, 3 equality/string/`in`/`between`, 4 relational, 5 additive, 6
/// multiplicative) and its token count.
fn binop(a: At<'_>, m: Mode) -> Option<(Bin, u8, usize)> {
    let k = a.peek();
    Some(match k {
        T::Ident => {
            let w = a.text();
            match w {
                "or" => (Bin::Op(BinaryOp::Or), 1, 1),
                "and" => (Bin::Op(BinaryOp::And), 2, 1),
                // `on T in range(...)` (make-series): `in` needs its `(`
                "in" if !a.at_word_at(1, "range") => (Bin::In(InOp::In), 3, 1),
                "has_any" => (Bin::In(InOp::HasAny), 3, 1),
                "has_all" => (Bin::In(InOp::HasAll), 3, 1),
                "between" => (Bin::Between(false), 3, 1),
                "matches" if a.at_word_at(1, "regex") => (Bin::Op(BinaryOp::MatchesRegex), 3, 2),
                _ => (Bin::Op(binary_word(w)?), 3, 1),
            }
        }
        T::BangIdent => {
            let w = a.text();
            match w {
                "!in" => (Bin::In(InOp::NotIn), 3, 1),
                "!between" => (Bin::Between(true), 3, 1),
                _ => (Bin::Op(binary_word(w)?), 3, 1),
            }
        }
        T::InCi => (Bin::In(InOp::InCi), 3, 1),
        T::NotInCi => (Bin::In(InOp::NotInCi), 3, 1),
        T::EqEq => (Bin::Op(BinaryOp::Eq), 3, 1),
        T::NotEq | T::LtGt => (Bin::Op(BinaryOp::NotEq), 3, 1),
        T::EqTilde => (Bin::Op(BinaryOp::EqCi), 3, 1),
        T::BangTilde => (Bin::Op(BinaryOp::NotEqCi), 3, 1),
        T::Colon if m.search => (Bin::Op(BinaryOp::SearchColon), 3, 1),
        T::Lt => (Bin::Op(BinaryOp::Lt), 4, 1),
        T::Le => (Bin::Op(BinaryOp::Le), 4, 1),
        T::Gt => (Bin::Op(BinaryOp::Gt), 4, 1),
        T::Ge => (Bin::Op(BinaryOp::Ge), 4, 1),
        T::Plus => (Bin::Op(BinaryOp::Add), 5, 1),
        T::Minus => {
            // `-->` / `--` in make-graph are not subtraction
            if m.graph && a.peek_at(1) == T::Minus && a.adjacent(0) {
                return None;
            }
            (Bin::Op(BinaryOp::Sub), 5, 1)
        }
        T::Star => (Bin::Op(BinaryOp::Mul), 6, 1),
        T::Slash => (Bin::Op(BinaryOp::Div), 6, 1),
        T::Percent => (Bin::Op(BinaryOp::Mod), 6, 1),
        _ => return None,
    })
}

/// `matches regex` (two tokens).
fn matches_regex<'s>() -> impl P<'s, (Bin, Span)> {
    kw("matches")
        .then(kw("regex"))
        .map(|(a, b)| (Bin::Op(BinaryOp::MatchesRegex), a.to(b)))
}

/// `===` / `!==`: one `=` too many after `==` / `!=`.
fn extra_eq<'s>() -> impl P<'s, ()> {
    look(|a, _| a.at(T::Assign) && a.span().start == a.prev_end())
        .ignore_then(tk(T::Assign))
        .validate(|eq, e: &mut Extra<'s, '_>, _| {
            let a = at_start(e);
            let op_span = a.prev_span();
            let s = op_span.to(eq);
            let src = e.state().src;
            let fix = op_span.text(src);
            emit(
                e,
                SyntaxError::new(
                    K::UnexpectedToken,
                    s,
                    format!("`{}` is not a KQL operator", s.text(src)),
                )
                .with_help(format!("use `{fix}`")),
            );
        })
        .or_not()
        .ignored()
}

/// `===` after `==`, `!==` after `!=`.
fn extra_eq_if_eq<'s>() -> impl P<'s, ()> {
    look(|a, _| a.pos > 0 && matches!(a.toks[a.pos - 1].kind, T::EqEq | T::NotEq | T::LtGt))
        .ignore_then(extra_eq())
        .or(empty())
}

fn fold_binary(
    e: &mut Extra<'_, '_>,
    (lhs, lh): HE,
    op: BinaryOp,
    op_span: Span,
    (rhs, rh): HE,
) -> HE {
    let span = lhs.span.to(rhs.span);
    let h = lh.max(rh) + 1;
    done(e, h);
    (
        Expr::new(
            ExprKind::Binary {
                op,
                op_span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        ),
        h,
    )
}

/// The right side of one binary step.
enum Step {
    Op(BinaryOp, Span, Result<HE, At<'static>>),
    In(InOp, Span, (Vec<Expr>, Span, u32)),
    Between(bool, Span, (Expr, Expr, Span, u32)),
}

/// Sets the minimum precedence for `p` (`expr` is `binary` from 0).
pub(crate) fn with_min_prec<'s, O: 's>(min_prec: u8, p: impl P<'s, O>) -> impl P<'s, O> {
    map_ctx(move |m: &Mode| Mode { min_prec, ..*m }, p)
}

/// Precedence climbing: `unary (op rhs)*` where an operator binds only
/// above the context's minimum precedence, and its right operand is parsed
/// with its own precedence as the minimum. The operator is read with a
/// zero-width lookahead whose output becomes the right side's context
/// (`then_with_ctx`), so each turn looks at the next token once.
/// Precedences: 1 `or`, 2 `and`, 3 equality/string/`in`/`between`,
/// 4 relational, 5 additive, 6 multiplicative; all left-associative. When a
/// right operand is missing, the loop goes on with the operators after it,
/// as precedence climbing does (`a + * b` is `(a + <missing>) * b`).
fn binary<'s>(unary: Bx<'s, Expr>, pe: Bx<'s, Expr>) -> impl P<'s, Expr> {
    let climb = recursive(move |binary| {
        let binary = binary.boxed();
        // the operator here, if it binds: its precedence as the new minimum
        let next_op = empty().try_map_with(|_, e: &mut Extra<'s, '_>| {
            let m = *e.ctx();
            match binop(at(e), m) {
                Some((_, p, _)) if p > m.min_prec => Ok(Mode { min_prec: p, ..m }),
                _ => Err(PErr),
            }
        });
        let plain = choice((matches_regex(), op_at_min()))
            .try_map(|(b, s), _| match b {
                Bin::Op(op) => Ok((op, s)),
                _ => Err(PErr),
            })
            .then_ignore(extra_eq_if_eq())
            .then(
                look(|a, _| a.starts_expr())
                    .ignore_then(hx(binary.clone()))
                    .map(Ok)
                    .or(here(|a, _| Err(a))),
            )
            .map(|((op, s), rhs)| Step::Op(op, s, rhs.map_err(forget)));
        let in_list = op_at_min()
            .try_map(|(b, s), _| match b {
                Bin::In(op) => Ok((op, s)),
                _ => Err(PErr),
            })
            .then(in_list(pe))
            .map(|((op, s), list)| Step::In(op, s, list));
        let between = op_at_min()
            .try_map(|(b, s), _| match b {
                Bin::Between(neg) => Ok((neg, s)),
                _ => Err(PErr),
            })
            .then(between_rhs(with_min_prec(3, binary.clone()).boxed()))
            .map(|((neg, s), rhs)| Step::Between(neg, s, rhs));
        let step = next_op
            .then_with_ctx(choice((plain, in_list, between)))
            .map(|(_, step)| step);
        hx(unary)
            .foldl_with(step.repeated(), |(lhs, lh), step, e| match step {
                Step::Op(op, op_span, Ok(rhs)) => fold_binary(e, (lhs, lh), op, op_span, rhs),
                Step::Op(op, op_span, Err(pos)) => {
                    let a = At {
                        toks: e.state().toks,
                        src: e.state().src,
                        pos: pos.pos,
                    };
                    let src = e.state().src;
                    emit(
                        e,
                        a.missing_expr(&format!("an expression after `{}`", op_span.text(src))),
                    );
                    let rh = e.state().h;
                    let rhs = Expr::error(Span::empty(a.prev_end()));
                    fold_binary(e, (lhs, lh), op, op_span, (rhs, rh))
                }
                Step::In(op, op_span, (list, list_span, h)) => {
                    let span = lhs.span.to(list_span);
                    let h = lh.max(h) + 1;
                    done(e, h);
                    (
                        Expr::new(
                            ExprKind::InList {
                                op,
                                op_span,
                                lhs: Box::new(lhs),
                                list,
                                list_span,
                            },
                            span,
                        ),
                        h,
                    )
                }
                Step::Between(negated, op_span, (low, high, end, h)) => {
                    let span = lhs.span.to(end);
                    let h = lh.max(h) + 1;
                    done(e, h);
                    (
                        Expr::new(
                            ExprKind::Between {
                                negated,
                                op_span,
                                lhs: Box::new(lhs),
                                low: Box::new(low),
                                high: Box::new(high),
                            },
                            span,
                        ),
                        h,
                    )
                }
            })
            .map(|(x, _)| x)
    });
    with_min_prec(0, climb)
}

/// The position where a right operand is missing (only its index is kept;
/// the fold rebuilds the view).
fn forget(a: At<'_>) -> At<'static> {
    At {
        toks: &[],
        src: "",
        pos: a.pos,
    }
}

/// The one-token operator at the current token whose precedence is the
/// context's minimum (set by the lookahead that chose it), consumed.
fn op_at_min<'s>() -> impl P<'s, (Bin, Span)> {
    empty()
        .try_map_with(|_, e: &mut Extra<'s, '_>| {
            let m = *e.ctx();
            match binop(at(e), m) {
                Some((b, p, 1)) if p == m.min_prec => Ok(b),
                _ => Err(PErr),
            }
        })
        .then(any_tok())
        .map(|(b, t)| (b, t.span))
}

/// `( item, ... )` after `in`, `has_any`, ...: the list, its span and height.
fn in_list<'s>(pe: Bx<'s, Expr>) -> impl P<'s, (Vec<Expr>, Span, u32)> {
    let starts = look(|a, _| a.starts_expr() || a.source_word());
    let item = starts.clone().ignore_then(pe);
    let missing = here(|a, errs| errs.push(a.missing_expr("a list element")));
    let sep = tk(T::Comma).then_ignore(here(|a, errs| {
        if a.at(T::RParen) {
            errs.push(a.missing_expr("a list element after `,`"));
        }
    }));
    let rest = sep
        .clone()
        .ignore_then(open_group(T::RParen))
        .ignore_then(item.clone());
    let tail = sep
        .ignore_then(open_group(T::RParen).ignore_then(missing.clone()).or_not())
        .or_not();
    let list = choice((
        list(open_group(T::RParen).ignore_then(item), rest).then_ignore(tail),
        open_group(T::RParen).ignore_then(missing).to(Vec::new()),
        empty().to(Vec::new()),
    ));
    let with_parens = tk(T::LParen).then(list).then(closer(T::LParen)).validate(
        |((open, list), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            (list, open.to(c.end()))
        },
    );
    let without = here(|a, errs| {
        let op = a.prev_span().text(a.src);
        errs.push(a.expected(&format!("`(` and a list after `{op}`")));
        (Vec::new(), Span::empty(a.prev_end()))
    });
    scope_start().then(with_parens.or(without)).validate(
        |(saved, (list, span)), e: &mut Extra<'s, '_>, _| {
            let h = scope_close(e, saved) + 1;
            (list, span, h)
        },
    )
}

/// `(low .. high)` after `between`: the bounds, the end and the height.
fn between_rhs<'s>(bound: Bx<'s, Expr>) -> impl P<'s, (Expr, Expr, Span, u32)> {
    let with_parens = tk(T::LParen)
        .then(bound.clone().map(|x| (x, 0)))
        .then_ignore(expect(T::DotDot, "`..`"))
        .then(bound.map(|x| (x, 0)))
        .then(closer(T::LParen))
        .validate(
            |(((open, (low, _)), (high, _)), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LParen, open);
                (low, high, c.end())
            },
        );
    let without = here(|a, errs| {
        errs.push(a.expected("`(`"));
        let x = Expr::error(Span::empty(a.prev_end()));
        (x.clone(), x, a.prev_span())
    });
    scope_start().then(with_parens.or(without)).validate(
        |(saved, (low, high, end)), e: &mut Extra<'s, '_>, _| {
            let h = scope_close(e, saved);
            (low, high, end, h)
        },
    )
}

// ---------------------------------------------------------------------------
// dynamic literals
// ---------------------------------------------------------------------------

/// `( value )` after `dynamic` (the keyword is the token before).
fn dynamic_lit<'s>(dv: Bx<'s, DynamicValue>) -> impl P<'s, Expr> {
    let value = look(|a, _| !a.at(T::RParen))
        .ignore_then(dv)
        .or(here(|a, errs| {
            errs.push(a.missing_expr("a dynamic value"));
            DynamicValue {
                kind: DynamicKind::Null,
                span: Span::empty(a.prev_end()),
            }
        }));
    tk(T::LParen).then(value).then(closer(T::LParen)).validate(
        |((open, value), c), e: &mut Extra<'s, '_>, _| {
            report_close(e, &c, T::LParen, open);
            let kw = at_start(e).prev_span();
            let span = kw.to(c.end());
            lit(e, LitKind::Dynamic(Box::new(value)), span)
        },
    )
}

/// One value inside `dynamic(...)`: an array, an object, `null` or a
/// (signed) scalar literal.
fn dyn_value<'s>(primary: Bx<'s, Expr>, unary: Bx<'s, Expr>) -> impl P<'s, DynamicValue> {
    recursive(move |dv| {
        let array_sep = tk(T::Comma).then_ignore(here(|a, errs| {
            if a.at(T::RBracket) {
                errs.push(SyntaxError::new(
                    K::InvalidLiteral,
                    a.prev_span(),
                    "a trailing `,` is not allowed in a dynamic array",
                ));
            }
        }));
        let array_items = list_opt(
            open_group(T::RBracket).ignore_then(dv.clone()),
            array_sep.ignore_then(open_group(T::RBracket).ignore_then(dv.clone()).or_not()),
        )
        .or(empty().map(|_| Vec::new()));
        let array = tk(T::LBracket)
            .then(array_items)
            .then(closer(T::LBracket))
            .validate(|((open, items), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LBracket, open);
                DynamicValue {
                    kind: DynamicKind::Array(items),
                    span: open.to(c.end()),
                }
            });
        let bad_key = here(|a, errs| {
            errs.push(SyntaxError::new(
                K::InvalidLiteral,
                a.span(),
                "expected a quoted key in this dynamic object (`\"key\": value`)",
            ));
        });
        let key = choice((
            tok(T::String).map(|k| Ident {
                name: SmolStr::new(unquote(k.text).0),
                span: k.span,
                quoted: true,
            }),
            bad_key.clone().ignore_then(ident()),
        ));
        let member = key
            .then_ignore(expect(T::Colon, "`:` after the key"))
            .then(dv.clone());
        let rest = tk(T::Comma)
            .ignore_then(open_group(T::RBrace))
            .ignore_then(member.clone());
        let tail = tk(T::Comma)
            .ignore_then(open_group(T::RBrace).ignore_then(bad_key.clone()).or_not())
            .or_not();
        let members = choice((
            list(open_group(T::RBrace).ignore_then(member), rest).then_ignore(tail),
            open_group(T::RBrace).ignore_then(bad_key).to(Vec::new()),
            empty().to(Vec::new()),
        ));
        let object = tk(T::LBrace)
            .then(members)
            .then(closer(T::LBrace))
            .validate(|((open, members), c), e: &mut Extra<'s, '_>, _| {
                report_close(e, &c, T::LBrace, open);
                DynamicValue {
                    kind: DynamicKind::Object(members),
                    span: open.to(c.end()),
                }
            });
        let null = kw("null").map(|s| DynamicValue {
            kind: DynamicKind::Null,
            span: s,
        });
        let scalar = choice((
            look(|a, _| is_sign(a.peek())).ignore_then(unary.clone()),
            primary.clone(),
        ))
        .validate(|x, e: &mut Extra<'s, '_>, _| {
            let span = x.span;
            let bad = |e: &mut Extra<'s, '_>| {
                emit(
                    e,
                    SyntaxError::new(
                        K::InvalidLiteral,
                        span,
                        "expected a literal value in `dynamic(...)`",
                    ),
                );
                DynamicValue {
                    kind: DynamicKind::Null,
                    span,
                }
            };
            match x.kind {
                ExprKind::Literal(l) => DynamicValue {
                    kind: DynamicKind::Scalar(l),
                    span,
                },
                ExprKind::Unary { op, operand, .. } => match operand.kind {
                    ExprKind::Literal(mut l) => {
                        if op == UnaryOp::Neg {
                            l.kind = negate(l.kind);
                        }
                        l.span = span;
                        DynamicValue {
                            kind: DynamicKind::Scalar(l),
                            span,
                        }
                    }
                    _ => bad(e),
                },
                ExprKind::Error => DynamicValue {
                    kind: DynamicKind::Null,
                    span,
                },
                _ => bad(e),
            }
        });
        grow(choice((array, object, null, scalar)))
    })
}
