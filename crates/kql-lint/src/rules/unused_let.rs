//! KQL306 `unused-let`: a `let` whose name is never used.

use crate::ast_util::{line_end_inclusive, line_start};
use crate::context::LintContext;
use kql_syntax::Span;
use kql_syntax::ast::*;
use kql_syntax::visit::{self, Visitor};
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL306",
    name: "unused-let",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `let` statement whose name is never used.",
    what: "Reports a `let` (a value, a query or a function) whose name appears nowhere else in the query. A name \
           counts as used wherever it is written: as a reference, in a wildcard such as `union Sign*`, or in a \
           string such as `table(\"name\")`. `let ... = view` is not reported (`union *` reads views), nor is \
           anything in a text that holds only `let` statements (a library of definitions).",
    why: "An unused `let` is dead code: usually a leftover from editing, sometimes a sign that the query does \
          not use a value it was meant to (a threshold or an allow-list that is never applied).",
    fix: "Use the value where it was meant to be used, or delete the statement. `--fix` deletes it: a `let` has \
          no effect of its own, so the query's results do not change. When the query has a syntax error there \
          is no fix (a use may be in the text the parser could not read), and a name mentioned anywhere after \
          the `let` counts as used.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let threshold = 5;\nlet lookback = 1d;\nSigninLogs\n| where TimeGenerated > ago(lookback)",
    ],
    pass: &["let lookback = 1d;\nSigninLogs\n| where TimeGenerated > ago(lookback)"],
};

/// Where the declared names occur. Only the declared names are looked
/// for, so a long query with few `let`s keeps next to nothing.
struct Uses<'l> {
    /// The declared names, sorted and unique.
    names: Vec<&'l str>,
    /// Per name: the spans of up to two of its identifiers (the `let`'s
    /// own name is one; any other is a use, and two distinct spans are
    /// enough to tell whether there is one that is not the `let`'s).
    idents: Vec<[Option<Span>; 2]>,
    /// Per name: written in a string, or matched by a wildcard pattern.
    elsewhere: Vec<bool>,
}

impl Uses<'_> {
    fn index(&self, name: &str) -> Option<usize> {
        self.names.binary_search(&name).ok()
    }

    fn used(&self, l: &LetStmt) -> bool {
        let Some(i) = self.index(l.name.as_str()) else {
            return false;
        };
        self.elsewhere[i]
            || self.idents[i]
                .iter()
                .any(|s| s.is_some_and(|s| s != l.name.span))
    }
}

impl Visitor<'_> for Uses<'_> {
    fn visit_ident(&mut self, i: &Ident) {
        if let Some(n) = self.index(i.as_str()) {
            match &mut self.idents[n] {
                [first @ None, _] => *first = Some(i.span),
                [Some(first), second @ None] if *first != i.span => *second = Some(i.span),
                _ => {}
            }
        }
    }
    fn visit_literal(&mut self, l: &Literal) {
        if let LitKind::String(s) = &l.kind
            && let Some(n) = self.index(&s.value)
        {
            self.elsewhere[n] = true;
        }
    }
    fn visit_name_pattern(&mut self, p: &NamePattern) {
        if p.has_wildcard() {
            for (n, name) in self.names.iter().enumerate() {
                if p.matches(name) {
                    self.elsewhere[n] = true;
                }
            }
        }
    }
}

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let q = &ctx.parse.query;
    if !q.statements.iter().any(|s| matches!(s, Statement::Expr(_))) {
        return;
    }
    let mut lets: Vec<&LetStmt> = Vec::new();
    let mut stack: Vec<&Statement> = q.statements.iter().collect();
    while let Some(s) = stack.pop() {
        if let Statement::Let(l) = s {
            lets.push(l);
            if let LetValue::Function(f) = &l.value {
                stack.extend(f.body.iter());
            }
        }
    }
    lets.retain(|l| !matches!(l.value, LetValue::View(_)));
    if lets.is_empty() {
        return;
    }
    lets.sort_by_key(|l| l.span.start);
    let mut names: Vec<&str> = lets.iter().map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut uses = Uses {
        idents: vec![[None; 2]; names.len()],
        elsewhere: vec![false; names.len()],
        names,
    };
    visit::walk_query(&mut uses, q);
    // A syntax error after a `let` leaves text the tree does not hold: a
    // use of the name may be in it (`let a = 1;\nprint x = 1 y = a`). The
    // evidence that a `let` is unused is the whole rest of the query, so
    // with a syntax error there is no fix, and a name that the rest of the
    // text mentions anywhere counts as used.
    let first_error = ctx.parse.errors.iter().map(|e| e.span.start).min();
    for l in lets {
        if uses.used(l) {
            continue;
        }
        if first_error.is_some() && mentioned_after(ctx.text, l) {
            continue;
        }
        let name = l.name.as_str();
        let what = match l.value {
            LetValue::Function(_) => "function",
            _ => "value",
        };
        let mut d = Diagnostic::new(
            &META,
            l.name.span,
            format!("`{name}` is defined but never used"),
        )
        .with_help(format!(
            "use the {what} where it was meant to be used, or delete this `let`"
        ));
        if let Some((span, replacement)) = removal(ctx.text, l.span)
            && first_error.is_none()
        {
            d = d.with_fix(Fix::replace(
                format!("Delete the unused `let {name}`"),
                span,
                replacement,
                Applicability::Safe,
            ));
        }
        out.push(d);
    }
}

/// Whether the name of `l` appears as a word in the text after its
/// statement (in a string or a comment too: after a syntax error the
/// tokens cannot be trusted, so this errs towards "used").
fn mentioned_after(text: &str, l: &LetStmt) -> bool {
    let name = l.name.as_str();
    let rest = &text[(l.span.end as usize).min(text.len())..];
    let word = |c: char| c.is_alphanumeric() || c == '_';
    rest.match_indices(name).any(|(i, _)| {
        !rest[..i].chars().next_back().is_some_and(word)
            && !rest[i + name.len()..].chars().next().is_some_and(word)
    })
}

/// The edit that deletes a `let` statement: the statement and its `;`,
/// and its line when nothing else is on it. The line goes with the line
/// break before it, so the edit also maps into an indented YAML block
/// (where the query text does not hold the block's indentation).
fn removal(text: &str, stmt: Span) -> Option<(Span, String)> {
    // The statement ends at a token boundary, so what follows is white
    // space (the lexer's: `\s` and U+FEFF) and then the next token; a `;`
    // is always a token of its own. Scanning this gap, rather than lexing
    // the text, costs nothing on a long query.
    let rest = &text[stmt.end as usize..];
    let gap = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
            .len();
    if !rest[gap..].starts_with(';') {
        return None;
    }
    let (start, end) = (stmt.start as usize, stmt.end as usize + gap + 1);
    let ls = line_start(text, start);
    let le = line_end_inclusive(text, end);
    let line_end = if text[..le].ends_with('\n') {
        le - 1
    } else {
        le
    };
    let before_blank = text[ls..start].trim().is_empty();
    let after = &text[end..line_end];
    let span = |a: usize, b: usize| Span::new(a as u32, b as u32);
    if before_blank && after.trim().is_empty() {
        if ls > 0 {
            // "\n    let x = 1;" (the line break before, the whole line)
            return Some((span(ls - 1, line_end), String::new()));
        }
        // The first line: replace up to the next line's first character
        // with that line's own start.
        let rest = &text[le..];
        let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if let Some(c) = rest[indent..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
        {
            let to = le + indent + c.len_utf8();
            return Some((span(start, to), text[le..to].to_owned()));
        }
        return Some((span(start, line_end), String::new()));
    }
    // Keep what follows on the line (another statement, a comment).
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    let end = if before_blank { end + spaces } else { end };
    Some((span(start, end), String::new()))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fixed, lint};

    const R: &str = "unused-let";

    #[test]
    fn removes_whole_lines() {
        assert_eq!(
            fixed("let a = 1;\nlet b = 2;\nprint b", R),
            "let b = 2;\nprint b"
        );
        assert_eq!(fixed("let a = 1; // note\nprint 1", R), "// note\nprint 1");
        // the `;` after white space and a line break; none after a comment
        assert_eq!(fixed("let a = 1\n  ;\nprint 1", R), "print 1");
        assert_eq!(
            fixed("let a = 1 // note\n;\nprint 1", R),
            "let a = 1 // note\n;\nprint 1"
        );
        assert_eq!(
            fixed("let b = 2; let a = 1;\nprint b", R),
            "let b = 2; \nprint b"
        );
        assert_eq!(
            fixed("let f = (x: long) {\n  x + 1\n};\nprint 1", R),
            "print 1"
        );
    }

    #[test]
    fn every_kind_of_use_counts() {
        assert!(lint("let a = 1;\nprint a", R).is_empty());
        assert!(lint("let SigninX = T;\nunion Signin*", R).is_empty());
        assert!(lint("let t = T;\ntable(\"t\")", R).is_empty());
        assert!(lint("let f = (x: long) { x };\nprint f(1)", R).is_empty());
        assert!(lint("let v = view () { T };\nunion *", R).is_empty());
        assert!(lint("let a = 1;\nlet b = 2;", R).is_empty());
        // used only by another unused let: one finding now, one after the fix
        assert_eq!(lint("let a = 1;\nlet b = a;\nprint 1", R).len(), 1);
    }

    /// The rule on a query that need not parse.
    fn broken(text: &str) -> Vec<kqlint_diagnostics::Diagnostic> {
        let parse = kql_syntax::parse(text);
        assert!(!parse.errors.is_empty(), "{text} parses");
        let options = crate::LintOptions::default();
        let ctx = crate::LintContext::new(
            text,
            &parse,
            kql_schema::Catalog::builtin(),
            crate::QueryKind::File,
            &options,
        );
        let mut out = Vec::new();
        super::check(&ctx, &mut out);
        out
    }

    #[test]
    fn after_a_syntax_error_no_fix_and_a_mention_counts() {
        // `a` is used in text the parser could not make sense of.
        assert!(broken("let a = 1;\nprint x = 1 y = a").is_empty());
        // Not mentioned at all: still reported, but not deleted.
        let d = broken("let b = 1;\nprint x = 1 y = 2");
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
        // `a` inside a longer word is not a mention.
        assert_eq!(broken("let a = 1;\nprint x = 1 y = ab").len(), 1);
        // Without a syntax error the fix is there.
        assert!(lint("let a = 1;\nprint x = 1", R)[0].fix.is_some());
    }

    #[test]
    fn lets_inside_functions() {
        let d = lint("let f = () { let inner = 1; 2 };\nprint f()", R);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`inner`"));
    }
}
