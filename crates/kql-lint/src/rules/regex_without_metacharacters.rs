//! KQL312 `regex-without-metacharacters`: `matches regex` with a plain
//! string is `contains_cs`.

use crate::ast_util::as_string;
use crate::context::LintContext;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL312",
    name: "regex-without-metacharacters",
    category: Category::Lint,
    severity: Severity::Info,
    summary: "`matches regex` with a pattern that has no regex syntax: `contains_cs` does the same, faster.",
    what: "Reports `x matches regex \"text\"` where the pattern holds no regular-expression metacharacter \
           (`\\ . ^ $ | ? * + ( ) [ ] { }`).",
    why: "Such a pattern matches exactly where the text occurs, case-sensitively: that is `contains_cs`, which \
          skips the regex engine and can use the term index.",
    fix: "Use `contains_cs`. `--fix` does it: the result is the same for every value.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["Syslog\n| where SyslogMessage matches regex \"Accepted password\""],
    pass: &[
        "Syslog\n| where SyslogMessage matches regex \"Accepted (password|publickey)\"",
        "Syslog\n| where SyslogMessage contains_cs \"Accepted password\"",
    ],
};

const META_CHARS: &[char] = &[
    '\\', '.', '^', '$', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}',
];

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        let ExprKind::Binary {
            op: BinaryOp::MatchesRegex,
            op_span,
            rhs,
            ..
        } = &e.kind
        else {
            continue;
        };
        let Some((lit, _)) = as_string(rhs) else {
            continue;
        };
        if lit.value.is_empty() || lit.value.contains(META_CHARS) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &META,
                *op_span,
                "this regex has no regex syntax: `contains_cs` finds the same text without the regex engine",
            )
            .with_help("use `contains_cs`")
            .with_fix(Fix::replace(
                "Use `contains_cs`",
                *op_span,
                "contains_cs",
                Applicability::Safe,
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fixed, lint};

    const R: &str = "regex-without-metacharacters";

    #[test]
    fn cases() {
        assert_eq!(
            fixed("T | where a matches regex \"abc\"", R),
            "T | where a contains_cs \"abc\""
        );
        assert!(lint("T | where a matches regex \"a.c\"", R).is_empty());
        assert!(lint("T | where a matches regex @\"a\\d\"", R).is_empty());
        assert!(lint("T | where a matches regex \"\"", R).is_empty());
        assert!(lint("T | where a matches regex b", R).is_empty());
    }
}
