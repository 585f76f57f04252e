//! KQL203 `placeholder-without-effect`: a template value the query works
//! without as written. The check is KQL201's (`unfilled_placeholder`): the
//! same walk decides, from where a template value sits, which of the two
//! it is.

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: "KQL203",
    name: "placeholder-without-effect",
    category: Category::Placeholder,
    severity: Severity::Warning,
    summary: "A template value (`\"<your domain>\"`, `example.com`, ...) the query works without as written: an \
              exclusion, an example `datatable` row, an unused `let`.",
    what: "Reports the template values KQL201 `unfilled-placeholder` recognises when the query still finds what it \
           is meant to find with them in place: a value only used to exclude rows (`!=`, `!~`, `!has`, \
           `!contains`, `!startswith`, `!in`, `!in~`, `!between`, or any test inside `not(...)`), directly or \
           through the `let` that holds it; a value in the rows of a `datatable`; the value of a `let` that is \
           never used. A `let` used both ways (`where a in (corp) ... where b !in (corp)`) is KQL201: one use is \
           enough for the query to find nothing. The message says why the value is harmless as written.",
    why: "The value was still never filled in: an exclusion list left at `example.com` excludes nothing, so a \
          hunting query shows the rows it was meant to hide and an analytic rule raises the alerts it was meant to \
          suppress. But the query runs and finds what it is for, so this is a warning, not the error KQL201 is: \
          the difference between a rule that needs tuning and one that never fires. A separate code lets a team \
          that ships tuning templates on purpose turn it off (`ignore = [\"KQL203\"]`) and keep KQL201.",
    fix: "Fill the value in (the help says what kind of value belongs there), or remove the exclusion, the example \
          row or the unused `let`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let corp_domains = dynamic([\"example.com\"]);\nEmailEvents\n| where SenderFromDomain !in (corp_domains)",
        "DeviceProcessEvents\n| where not(InitiatingProcessFileName has \"<your tool>.exe\")",
        "let Allowed = datatable(Account: string) [\"<replace with service account>\"];\nSigninLogs\n| where UserPrincipalName !in (Allowed)",
    ],
    pass: &[
        "let corp_domains = dynamic([\"contoso-corp.org\"]);\nEmailEvents\n| where SenderFromDomain !in (corp_domains)",
        "let IP = \"IP ADDRESS GOES HERE\";\nDeviceNetworkEvents\n| where RemoteIP == IP",
    ],
};

#[cfg(test)]
mod tests {
    use crate::test_support::{lint, lint_analysed};

    const R: &str = "placeholder-without-effect";
    const E: &str = "unfilled-placeholder";

    /// (KQL201 count, KQL203 count) of a query.
    fn counts(q: &str) -> (usize, usize) {
        (lint(q, E).len(), lint(q, R).len())
    }

    #[test]
    fn exclusions_are_warnings() {
        for q in [
            "T | where x !in (\"<your value>\")",
            "T | where x !in~ (\"<your domain>\", \"<your other domain>\")",
            "T | where x !has \"YOUR_TENANT\"",
            "T | where x != \"IP ADDRESS GOES HERE\"",
            "T | where x !~ \"CHANGEME\"",
            "T | where x !contains \"TODO\"",
            "T | where x !startswith \"example.com\"",
            "T | where not(x == \"<processname>\")",
            "T | where not(x has_any (\"<your tool>\"))",
            "T | where not(a == 1 and x in (\"TODO\"))",
        ] {
            assert_eq!(counts(q).0, 0, "{q}");
            assert!(counts(q).1 >= 1, "{q}");
        }
        let d = lint("T | where Domain !in (\"example.com\")", R);
        assert!(
            d[0].message.contains("only used to exclude rows (`!in`)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.as_deref().unwrap().contains("domain names"),
            "{:?}",
            d[0].help
        );
    }

    #[test]
    fn a_let_only_used_to_exclude_is_a_warning() {
        let q = "let corp = dynamic(['example.com']);\nT | where d !in (corp)";
        assert_eq!(counts(q), (0, 1));
        let d = lint(q, R);
        assert!(
            d[0].message
                .starts_with("`corp` still holds the template value \"example.com\""),
            "{}",
            d[0].message
        );
        // Through another let.
        let q = "let os = 'x.x.xxx';\nlet latest = tolower(os);\nT | where v != latest";
        assert_eq!(counts(q), (0, 1));
        // Through not().
        let q = "let tool = \"<your tool>\";\nT | where not(p has tool)";
        assert_eq!(counts(q), (0, 1));
    }

    #[test]
    fn a_let_used_to_match_anywhere_is_an_error() {
        // The Digital Guardian rule: the corporate domains both select the
        // senders and exclude the recipients.
        let q =
            "let corp = dynamic(['example.com']);\nT\n| where s in~ (corp)\n| where d !in (corp)";
        assert_eq!(counts(q), (1, 0));
        // not(not(...)) is a match again.
        assert_eq!(counts("T | where not(x != \"TODO\")"), (1, 0));
        // A use kqlint cannot place is treated as deciding.
        assert_eq!(
            counts("let t = \"TODO\";\nT | extend y = strlen(t)"),
            (1, 0)
        );
        assert_eq!(counts("let t = \"TODO\";\nprint t"), (1, 0));
    }

    #[test]
    fn datatable_rows_are_warnings() {
        let q = "let Examples = datatable(Host: string, Ip: string) [\"<computer name>\", \"x.x.x.x\"];\nExamples";
        assert_eq!(counts(q), (0, 2));
        assert!(lint(q, R)[0].message.contains("a row of a `datatable`"));
        // A test inside a subquery over a datatable is a test again.
        let q = "datatable(a: string) [\"b\"] | where a == \"TODO\"";
        assert_eq!(counts(q), (1, 0));
    }

    #[test]
    fn unused_lets_are_warnings() {
        let q = "let IP = \"IP ADDRESS GOES HERE\";\nDeviceNetworkEvents | take 10";
        assert_eq!(counts(q), (0, 1));
        let d = lint(q, R);
        assert!(d[0].message.contains("never used"), "{}", d[0].message);
        assert!(d[0].help.as_deref().unwrap().contains("an IP address"));
    }

    #[test]
    fn the_semantic_analysis_resolves_the_uses() {
        // The inner `IP` is a function parameter: the outer let is unused.
        let q = "let IP = \"IP ADDRESS GOES HERE\";\nlet f = (IP: string) { DeviceNetworkEvents | where RemoteIP == IP };\nf(\"203.0.113.7\")";
        assert_eq!(lint_analysed(q, E).len(), 0);
        assert_eq!(lint_analysed(q, R).len(), 1);
        // Without it, the spelling decides (and errs on the safe side).
        assert_eq!(lint(q, E).len(), 1);
    }
}
