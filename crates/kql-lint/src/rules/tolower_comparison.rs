//! KQL303 `tolower-comparison`: `tolower(x) == "a"` instead of `x =~ "a"`.

use crate::ast_util::{as_call, as_string, unparen};
use crate::context::LintContext;
use kql_syntax::Span;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, Edit, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL303",
    name: "tolower-comparison",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "`tolower(x) == \"a\"` (or `toupper`) where a case-insensitive operator does the same, faster.",
    what: "Reports `tolower(x)` or `toupper(x)` compared with string literals already in that case: with `==`, \
           `!=`, `in`, `!in`, or with a case-insensitive string operator (`has`, `contains`, `startswith`, \
           `endswith`, `hasprefix`, `hassuffix`, `has_any`, `has_all` and their negations) for which the call \
           changes nothing.",
    why: "Converting every value before comparing costs time and prevents the term index from being used. \
          `=~`, `!~`, `in~`, `!in~` compare without regard to case, and the string operators without `_cs` already \
          ignore case.",
    fix: "Drop the call and use the case-insensitive operator: `x =~ \"a\"`, `x !~ \"a\"`, `x in~ (...)`, \
          `x has \"a\"`. `--fix` does this when the literals are ASCII (for other text, .NET's case mapping and \
          Kusto's case-insensitive comparison can differ on a few characters, so the fix is only offered in \
          the editor).",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "SecurityEvent\n| where tolower(Account) == \"contoso\\\\admin\"",
        "DeviceProcessEvents\n| where tolower(FileName) in (\"cmd.exe\", \"powershell.exe\")",
        "DeviceProcessEvents\n| where tolower(ProcessCommandLine) has \"-enc\"",
    ],
    pass: &[
        "SecurityEvent\n| where Account =~ \"contoso\\\\admin\"",
        "DeviceProcessEvents\n| where FileName in~ (\"cmd.exe\", \"powershell.exe\")",
        "DeviceProcessEvents\n| extend lower = tolower(FileName)",
    ],
};

/// `tolower` or `toupper` with its argument.
pub(crate) fn case_call(e: &Expr) -> Option<(bool, &Ident, &Expr)> {
    let (func, args) = as_call(e)?;
    if args.len() != 1 || args[0].name.is_some() {
        return None;
    }
    let lower = match func.name.as_str() {
        "tolower" => true,
        "toupper" => false,
        _ => return None,
    };
    Some((lower, func, &args[0].value))
}

/// Whether a literal value is unchanged by the call (`lower`: no upper-case
/// letters; otherwise no lower-case ones).
pub(crate) fn fits_case(s: &str, lower: bool) -> bool {
    if lower {
        s.chars().all(|c| !c.is_uppercase())
    } else {
        s.chars().all(|c| !c.is_lowercase())
    }
}

pub(crate) fn ci_string_op(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        Has | NotHas
            | Contains
            | NotContains
            | StartsWith
            | NotStartsWith
            | EndsWith
            | NotEndsWith
            | HasPrefix
            | NotHasPrefix
            | HasSuffix
            | NotHasSuffix
    )
}

pub(crate) fn check(ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for &e in ctx.all_exprs() {
        match &e.kind {
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                let (call, lit, call_on_left) = match (case_call(lhs), as_string(rhs)) {
                    (Some(c), Some(l)) => (c, l, true),
                    _ => match (case_call(rhs), as_string(lhs)) {
                        (Some(c), Some(l)) if matches!(op, BinaryOp::Eq | BinaryOp::NotEq) => {
                            (c, l, false)
                        }
                        _ => continue,
                    },
                };
                let (lower, func, arg) = call;
                if !fits_case(&lit.0.value, lower) {
                    continue; // impossible-case-comparison
                }
                let new_op = match op {
                    BinaryOp::Eq => Some("=~"),
                    BinaryOp::NotEq => Some("!~"),
                    o if ci_string_op(*o) && call_on_left => None,
                    _ => continue,
                };
                let call_expr = if call_on_left { lhs } else { rhs };
                report(
                    ctx,
                    out,
                    func,
                    unparen(call_expr).span,
                    arg,
                    op.as_str(),
                    new_op.map(|n| (*op_span, n)),
                    lit.0.value.is_ascii(),
                );
            }
            ExprKind::InList {
                op,
                op_span,
                lhs,
                list,
                ..
            } => {
                let Some((lower, func, arg)) = case_call(lhs) else {
                    continue;
                };
                let values: Option<Vec<&str>> = list
                    .iter()
                    .map(|x| as_string(x).map(|(s, _)| s.value.as_str()))
                    .collect();
                let Some(values) = values else { continue };
                if values.is_empty() || !values.iter().all(|v| fits_case(v, lower)) {
                    continue;
                }
                let new_op = match op {
                    InOp::In => Some("in~"),
                    InOp::NotIn => Some("!in~"),
                    InOp::HasAny | InOp::HasAll => None,
                    InOp::InCi | InOp::NotInCi => None,
                };
                report(
                    ctx,
                    out,
                    func,
                    unparen(lhs).span,
                    arg,
                    op.as_str(),
                    new_op.map(|n| (*op_span, n)),
                    values.iter().all(|v| v.is_ascii()),
                );
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
    func: &Ident,
    call_span: Span,
    arg: &Expr,
    op: &str,
    new_op: Option<(Span, &str)>,
    ascii: bool,
) {
    let arg_text = arg.span.text(ctx.text);
    let (message, fix_message) = match new_op {
        Some((_, n)) => (
            format!(
                "`{}(...) {op}` converts every value before comparing; `{n}` compares case-insensitively",
                func.name
            ),
            format!("Use `{arg_text} {n}`"),
        ),
        None => (
            format!(
                "`{op}` already ignores case: `{}(...)` only costs time here",
                func.name
            ),
            format!("Remove `{}(...)`", func.name),
        ),
    };
    let mut edits = vec![Edit {
        span: call_span,
        replacement: arg_text.to_owned(),
    }];
    if let Some((span, n)) = new_op {
        edits.push(Edit {
            span,
            replacement: n.to_owned(),
        });
    }
    let mut d = Diagnostic::new(&META, func.span, message);
    if !ctx.has_comment_in(call_span) {
        let applicability = if ascii {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        d = d.with_fix(Fix {
            message: fix_message,
            edits,
            applicability,
        });
    }
    out.push(d.with_help(match new_op {
        Some((_, n)) => format!("write `{arg_text} {n} ...`"),
        None => format!("write `{arg_text} {op} ...`"),
    }));
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fixed, lint};

    const R: &str = "tolower-comparison";

    #[test]
    fn fixes() {
        assert_eq!(
            fixed("T | where tolower(a) == \"x\"", R),
            "T | where a =~ \"x\""
        );
        assert_eq!(
            fixed("T | where \"x\" != tolower(a)", R),
            "T | where \"x\" !~ a"
        );
        assert_eq!(
            fixed("T | where toupper(a.b) == \"X\"", R),
            "T | where a.b =~ \"X\""
        );
        assert_eq!(
            fixed("T | where tolower(a) in (\"x\", 'y')", R),
            "T | where a in~ (\"x\", 'y')"
        );
        assert_eq!(
            fixed("T | where tolower(a) !in (\"x\")", R),
            "T | where a !in~ (\"x\")"
        );
        assert_eq!(
            fixed("T | where tolower(a) has \"x\"", R),
            "T | where a has \"x\""
        );
        assert_eq!(
            fixed("T | where tolower(a) has_any (\"x\")", R),
            "T | where a has_any (\"x\")"
        );
    }

    #[test]
    fn not_reported() {
        assert!(lint("T | where tolower(a) == \"X\"", R).is_empty()); // impossible-case-comparison
        assert!(lint("T | where tolower(a) == b", R).is_empty());
        assert!(lint("T | where tolower(a) has_cs \"x\"", R).is_empty());
        assert!(lint("T | where \"x\" has tolower(a)", R).is_empty());
        assert!(lint("T | where tolower(a) matches regex \"x\"", R).is_empty());
    }

    #[test]
    fn non_ascii_literals_get_an_editor_only_fix() {
        let d = lint("T | where tolower(a) == \"é\"", R);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            kqlint_diagnostics::Applicability::Unsafe
        );
    }
}
