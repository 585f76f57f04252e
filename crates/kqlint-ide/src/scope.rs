//! What is in scope at a cursor, read from the tokens so that it works on
//! the half-typed text an editor holds: the table a pipeline reads, the
//! operator the cursor is in, the columns available, and whether the cursor
//! is inside a string compared with `ActionType`.

use crate::query::{QueryIde, closes, definition, opens};
use kql_schema::{Catalog, Column, Table};
use kql_semantic::{LetInfo, LetKind};
use kql_syntax::{Span, Token, TokenKind};

/// Where the cursor is, for completion.
#[derive(Debug, PartialEq, Eq)]
pub enum Position {
    /// Right after `|`: an operator goes here.
    AfterPipe,
    /// At the start of a statement (or of a parenthesised pipeline): a
    /// table, a `let` name or `let`.
    StatementStart,
    /// Inside an expression.
    Expression,
    /// Inside (or right before) a string compared with `ActionType`;
    /// `quoted` is false when no quote has been typed yet.
    ActionTypeValue { quoted: bool },
}

/// The significant tokens that end at or before `offset`, in order.
fn before(ide: &QueryIde, offset: u32) -> Vec<&Token> {
    ide.significant()
        .take_while(|t| t.span.start < offset)
        .collect()
}

pub fn classify(ide: &QueryIde, offset: u32, typed: Option<&Token>) -> Position {
    let toks = before(ide, offset);
    // The token being typed is not context.
    let ctx: Vec<&Token> = match typed {
        Some(t) => toks
            .iter()
            .copied()
            .filter(|x| x.span.start < t.span.start)
            .collect(),
        None => toks,
    };
    let text = ide.text();
    let in_string = typed.is_some_and(|t| {
        matches!(t.kind, TokenKind::String | TokenKind::UnterminatedString) && t.span.start < offset
    });
    if action_type_context(&ctx, text) {
        return Position::ActionTypeValue { quoted: in_string };
    }
    let Some(prev) = ctx.last() else {
        return Position::StatementStart;
    };
    match prev.kind {
        TokenKind::Pipe => Position::AfterPipe,
        TokenKind::Semi => Position::StatementStart,
        TokenKind::LParen if is_subquery_paren(&ctx, text) => Position::StatementStart,
        TokenKind::Assign if is_let_value(&ctx, text) => Position::StatementStart,
        _ => Position::Expression,
    }
}

/// `ActionType ==|!=|=~|!~` before the cursor, or `ActionType in (` with
/// strings and commas after it.
fn action_type_context(ctx: &[&Token], text: &str) -> bool {
    let mut i = ctx.len();
    let prev = |i: usize| if i == 0 { None } else { Some(ctx[i - 1]) };
    let Some(p) = prev(i) else { return false };
    let is_at = |t: Option<&Token>| {
        t.is_some_and(|t| t.kind == TokenKind::Ident && t.span.text(text) == "ActionType")
    };
    match p.kind {
        TokenKind::EqEq | TokenKind::NotEq | TokenKind::EqTilde | TokenKind::BangTilde => {
            is_at(prev(i - 1))
        }
        TokenKind::LParen | TokenKind::Comma => {
            // back over `"a", "b",` to the `(`
            while let Some(t) = prev(i) {
                match t.kind {
                    TokenKind::Comma | TokenKind::String => i -= 1,
                    TokenKind::LParen => break,
                    _ => return false,
                }
            }
            if prev(i).map(|t| t.kind) != Some(TokenKind::LParen) {
                return false;
            }
            i -= 1;
            let Some(op) = prev(i) else { return false };
            let op_ok = match op.kind {
                TokenKind::InCi | TokenKind::NotInCi => true,
                TokenKind::Ident => matches!(op.span.text(text), "in" | "has_any"),
                TokenKind::BangIdent => op.span.text(text) == "!in",
                _ => false,
            };
            op_ok && is_at(prev(i - 1))
        }
        _ => false,
    }
}

/// A `(` that starts a tabular expression: after `join`, `lookup`, `union`,
/// `in`, a `,` in a union list, or at a statement start.
fn is_subquery_paren(ctx: &[&Token], text: &str) -> bool {
    let n = ctx.len();
    if n < 2 {
        return true;
    }
    let p = ctx[n - 2];
    match p.kind {
        TokenKind::Ident => {
            matches!(
                p.span.text(text),
                "join" | "lookup" | "union" | "in" | "materialize" | "toscalar"
            ) || (n >= 4
                && ctx[n - 3].kind == TokenKind::Assign
                && ctx[n - 4].span.text(text) == "kind")
        }
        TokenKind::Assign => is_let_value(&ctx[..n - 1], text),
        TokenKind::Semi => true,
        _ => false,
    }
}

/// `let name =` right before the cursor.
fn is_let_value(ctx: &[&Token], text: &str) -> bool {
    let n = ctx.len();
    n >= 3
        && ctx[n - 1].kind == TokenKind::Assign
        && ctx[n - 2].kind == TokenKind::Ident
        && ctx[n - 3].kind == TokenKind::Ident
        && ctx[n - 3].span.text(text) == "let"
}

/// The first token of the pipeline the cursor is in (after the nearest
/// unclosed bracket, `;`, or `let name =`), and the keyword of the operator
/// the cursor is in (the word after the last `|` at that level).
pub fn pipeline_at(ide: &QueryIde, offset: u32) -> (Option<&Token>, Option<&str>) {
    let text = ide.text();
    let toks = before(ide, offset);
    let mut depth = 0i32;
    let mut start = 0usize;
    let mut op: Option<&str> = None;
    for (i, t) in toks.iter().enumerate().rev() {
        if closes(t.kind) {
            depth += 1;
        } else if opens(t.kind) {
            if depth == 0 {
                // `(` of a sub-query (`join (`, `union (`, `in (`...) or a
                // body `{` starts a pipeline; `where (`, `f(` do not.
                if t.kind == TokenKind::LBrace || is_subquery_paren(&toks[..=i], text) {
                    start = i + 1;
                    break;
                }
            } else {
                depth -= 1;
            }
        } else if depth == 0 {
            match t.kind {
                TokenKind::Semi => {
                    start = i + 1;
                    break;
                }
                TokenKind::Pipe if op.is_none() => {
                    op = toks.get(i + 1).map(|k| k.span.text(text));
                }
                _ => {}
            }
        }
    }
    // Skip `let name =`.
    let rest = &toks[start.min(toks.len())..];
    let head =
        if rest.len() >= 3 && rest[0].span.text(text) == "let" && rest[2].kind == TokenKind::Assign
        {
            rest.get(3)
        } else {
            rest.first()
        };
    let head = head.copied().or_else(|| {
        // nothing typed yet at this level: the token right after the cursor
        ide.significant().find(|t| t.span.start >= offset)
    });
    (head.filter(|t| t.kind == TokenKind::Ident), op)
}

/// The catalogue table a pipeline starting with `name` (at `at`) reads: the
/// table itself, or the table the tabular `let` it names starts with
/// (followed up to a few levels).
pub fn table_of<'c>(ide: &QueryIde, cat: &'c Catalog, name: &str, at: u32) -> Option<&'c Table> {
    let mut name = name.to_owned();
    let mut at = at;
    for _ in 0..8 {
        let Some(l) = tabular_let(ide, &name, at) else {
            return cat.table(&name);
        };
        // the first token of its value: after the `=` that follows the name
        let mut after = ide
            .significant()
            .skip_while(|t| t.span.start < l.name_span.end);
        after.find(|t| t.kind == TokenKind::Assign)?;
        let head = after.next().filter(|t| t.span.end <= l.span.end)?;
        if head.kind != TokenKind::Ident {
            return None;
        }
        name = head.span.text(ide.text()).to_owned();
        at = head.span.start;
    }
    None
}

/// The tabular `let` that `name` at `at` refers to: as the semantic analysis
/// resolved it, or, where it recorded no name (text it could not parse), the
/// tabular `let` of that name visible there.
fn tabular_let<'a>(ide: &'a QueryIde, name: &str, at: u32) -> Option<&'a LetInfo> {
    let a = ide.semantic()?;
    let tabular = |l: &&LetInfo| l.kind == LetKind::Tabular;
    match a.names.iter().find(|n| n.span.start == at) {
        Some(n) => a.let_at(definition(&n.resolved)?).filter(tabular),
        None => {
            let sym = ide.visible_at(at).into_iter().find(|s| s.name == name)?;
            a.let_at(sym.name_span).filter(tabular)
        }
    }
}

/// The columns in scope at the cursor: the table the pipeline reads plus
/// the columns `extend`, `project`, `summarize` ... name before the cursor
/// at the same level (their types unknown here).
pub struct Scope<'c> {
    pub table: Option<&'c Table>,
    pub operator: Option<String>,
}

pub fn scope_at<'c>(ide: &QueryIde, cat: &'c Catalog, offset: u32) -> Scope<'c> {
    let (head, op) = pipeline_at(ide, offset);
    let table = head.and_then(|h| table_of(ide, cat, h.span.text(ide.text()), h.span.start));
    Scope {
        table,
        operator: op.map(str::to_owned),
    }
}

/// Which ActionTypes fill a column of a table with an ActionType catalogue.
pub fn populated_by<'c>(cat: &'c Catalog, table: &str, column: &str) -> Option<PopulatedBy<'c>> {
    let at = cat.action_types(table)?;
    if !at.is_dependent(column) {
        return Some(PopulatedBy::Every);
    }
    let names: Vec<&str> = at
        .action_types
        .iter()
        .filter(|a| at.is_populated(&a.name, column) == kql_schema::Populated::Yes)
        .map(|a| a.name.as_str())
        .collect();
    Some(PopulatedBy::Some(names))
}

pub enum PopulatedBy<'c> {
    Every,
    Some(Vec<&'c str>),
}

/// A column of a table, found by exact name.
pub fn column<'c>(table: &'c Table, name: &str) -> Option<&'c Column> {
    table.column(name)
}

/// The span of the string token's content (between its quotes).
pub fn string_content(t: &Token, text: &str) -> Span {
    let s = t.span.text(text);
    let open = s
        .char_indices()
        .find(|(_, c)| *c == '"' || *c == '\'')
        .map_or(0, |(i, _)| i + 1);
    let quote = s[..open].chars().last();
    let close =
        if t.kind == TokenKind::String && s.len() > open && s.ends_with(quote.unwrap_or('"')) {
            s.len() - 1
        } else {
            s.len()
        };
    Span::new(
        t.span.start + open as u32,
        t.span.start + close.max(open) as u32,
    )
}
