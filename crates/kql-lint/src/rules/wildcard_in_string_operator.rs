//! KQL313 `wildcard-in-string-operator`: `*` in a `has` / `contains` /
//! `startswith` / `endswith` / `==` literal is not a wildcard.

use crate::ast_util::{as_string, quote};
use crate::context::LintContext;
use kql_syntax::Span;
use kql_syntax::ast::*;
use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, ExampleKind, Fix, RuleMeta, Severity,
};

pub static META: RuleMeta = RuleMeta {
    code: "KQL313",
    name: "wildcard-in-string-operator",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A literal starting or ending with `*` in `has`, `contains`, `startswith`, `endswith`, `==`, `in` ...: `*` is not a wildcard there.",
    what: "Reports string literals that begin or end with `*` (and are not just `*`) used with `==`, `!=`, `=~`, \
           `!~`, `has`, `contains`, `startswith`, `endswith`, `hasprefix`, `hassuffix` (and their `!` / `_cs` \
           forms), `in`, `in~`, `has_any` and `has_all`. Not reported: values compared with a command line or \
           script, and permission strings whose `*` is part of the text being searched for, because cloud policy \
           documents write their own wildcards literally: AWS IAM actions (`iam:*`, `s3:Get*`), AWS ARNs \
           (`arn:aws:s3:::bucket/*`) and Azure RBAC operations (`Microsoft.Compute/*`, `*/read`). A CloudTrail \
           `RequestParameters` or an Azure role definition that grants `iam:*` contains exactly those characters.",
    why: "These operators compare text literally, so `FileName endswith \"*.exe\"` looks for names ending in \
          the two characters `*.exe` and matches nothing. A rule written this way never fires.",
    fix: "Drop the `*` (`endswith \".exe\"`, `contains \"temp\"`), or use `matches regex` for a real pattern. The \
          editor offers to drop it.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceProcessEvents\n| where FileName endswith \"*.exe\""],
    pass: &[
        "DeviceProcessEvents\n| where FileName endswith \".exe\"",
        "DeviceProcessEvents\n| where ProcessCommandLine has \"*\"",
    ],
};

fn literal_op(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | NotEq | EqCi | NotEqCi)
        || (op.is_string_op() && !matches!(op, MatchesRegex | Like | NotLike | LikeCs | NotLikeCs))
}

/// Operators for which dropping the `*` is what the author meant.
fn strip_fix(op: &str) -> bool {
    !matches!(
        op,
        "==" | "!=" | "=~" | "!~" | "in" | "!in" | "in~" | "!in~"
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
            } if literal_op(*op) && !holds_commands(lhs) => {
                if let Some(lit) = as_string(rhs) {
                    report(ctx, out, op.as_str(), *op_span, lit);
                }
            }
            ExprKind::InList {
                op,
                op_span,
                lhs,
                list,
                ..
            } if !holds_commands(lhs) => {
                for x in list {
                    if let Some(lit) = as_string(x) {
                        report(ctx, out, op.as_str(), *op_span, lit);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Command lines and scripts hold literal `*` (`del *.tmp`, `attrib -h
/// *.*`): a `*` compared with them may well be meant literally.
fn holds_commands(e: &Expr) -> bool {
    let name = match &crate::ast_util::unparen(e).kind {
        ExprKind::Name(n) => n.as_str(),
        ExprKind::Member { name, .. } => name.as_str(),
        _ => return false,
    };
    let l = name.to_ascii_lowercase();
    l.contains("command") || l.contains("script")
}

/// A cloud permission written with its own wildcard, which policy documents
/// and audit logs hold as literal text: an AWS IAM action (`iam:*`,
/// `s3:Get*`), an AWS ARN (`arn:aws:s3:::bucket/*`), an Azure RBAC operation
/// (`Microsoft.Compute/*`, `Microsoft.Storage/*/read`, `*/read`).
fn is_permission_pattern(v: &str) -> bool {
    if v.starts_with("arn:") {
        return true;
    }
    // AWS: `service:Action*`, the service prefix in lower case.
    if let Some((service, action)) = v.split_once(':')
        && !service.is_empty()
        && service.starts_with(|c: char| c.is_ascii_lowercase())
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*')
    {
        return true;
    }
    // Azure: a resource provider operation, `/`-separated.
    let segments: Vec<&str> = v.split('/').collect();
    segments.len() >= 2
        && (segments[0].starts_with("Microsoft.") || segments[0] == "*")
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'.' | b'_' | b'-'))
        })
}

fn report(
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
    op: &str,
    op_span: Span,
    (lit, span): (&StringLit, Span),
) {
    let v = lit.value.as_str();
    // `*.*` or `*` means "anything": not a filter anyone writes on
    // purpose, so such a literal is meant literally.
    if !(v.starts_with('*') || v.ends_with('*'))
        || !v.trim_matches('*').chars().any(char::is_alphanumeric)
        || is_permission_pattern(v)
    {
        return;
    }
    let mut d = Diagnostic::new(
        &META,
        span,
        format!("`*` is not a wildcard for `{op}`: this looks for the `*` character itself"),
    )
    .with_label(op_span, "compares text literally")
    .with_help("drop the `*`, or use `matches regex` for a pattern");
    let stripped = v.trim_matches('*');
    if strip_fix(op)
        && !stripped.is_empty()
        && !lit.obfuscated
        && lit.parts.len() == 1
        && !ctx.has_comment_in(span)
    {
        d = d.with_fix(Fix::replace(
            "Drop the `*` from the literal",
            span,
            quote(stripped),
            Applicability::Unsafe,
        ));
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::test_support::lint;

    const R: &str = "wildcard-in-string-operator";

    #[test]
    fn cases() {
        let d = lint("T | where a endswith \"*.exe\"", R);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].fix.as_ref().unwrap().edits[0].replacement, "\".exe\"");
        assert_eq!(lint("T | where a == \"*x*\"", R).len(), 1);
        assert!(lint("T | where a == \"*x*\"", R)[0].fix.is_none());
        assert_eq!(lint("T | where a has_any (\"x*\", \"y\")", R).len(), 1);
        assert!(lint("T | where a has \"*\"", R).is_empty());
        assert!(lint("T | where a contains \"a*b\"", R).is_empty());
        assert!(lint("T | where a matches regex \".*x\"", R).is_empty());
        assert!(lint("T | where a == \"**\"", R).is_empty());
        assert!(lint("T | where a has_all (\"-h\", \"*.*\")", R).is_empty());
        assert!(lint("T | where ProcessCommandLine has \"*.doc\"", R).is_empty());
    }

    #[test]
    fn cloud_permissions_hold_their_wildcards_literally() {
        for q in [
            "AWSCloudTrail | where RequestParameters has \"iam:*\"",
            "AWSCloudTrail | where RequestParameters has_any (\"s3:*\", \"ec2:Describe*\", \"sts:AssumeRole*\")",
            "AWSCloudTrail | where RequestParameters contains \"arn:aws:s3:::my-bucket/*\"",
            "AzureActivity | where Properties has \"Microsoft.Authorization/*\"",
            "AzureActivity | where Properties has_any (\"*/write\", \"Microsoft.Storage/*/read\")",
        ] {
            assert!(lint(q, R).is_empty(), "{q}: {:?}", lint(q, R));
        }
        // Ordinary text with a `*` is still reported.
        for q in [
            "T | where Url contains \"login*\"",
            "T | where FileName endswith \"*.ps1\"",
            "T | where Path startswith \"C:*\"",
            "T | where Host == \"*.contoso.com\"",
        ] {
            assert_eq!(lint(q, R).len(), 1, "{q}");
        }
    }
}
