//! The grammar of suppression comments, and the diagnostics about them.
//!
//! ```text
//! // kqlint-disable-next-line KQL201, unused-let -- the portal fills this in
//! | where Url has "example.com"  // kqlint-disable-line KQL202
//! // kqlint-disable-file obsolete-function
//! # kqlint-disable-next-line placeholder-in-metadata -- (in rule YAML)
//! ```
//!
//! A directive names one or more rules by code or name, separated by
//! commas; `--` starts an optional reason. `disable-next-line` silences the
//! named rules on the line after the comment; `disable-line` on the line the
//! comment ends; `disable-file` in the whole file. kqlint-core applies them and reports those that silence nothing.

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};
use std::ops::Range;

pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    code: "KQL390",
    name: "unused-suppression",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `kqlint-disable` comment that suppresses nothing.",
    what: "Reports a rule named in a `kqlint-disable-next-line`, `kqlint-disable-line` or `kqlint-disable-file` comment that did not \
           suppress any finding: the problem was fixed, the comment is on the wrong line, or the rule is not \
           enabled.",
    why: "Stale suppressions hide the next real problem on that line and mislead readers about the code; \
          reporting them keeps suppressions honest.",
    fix: "Delete the comment (or the rule's name from it), or move it to the line before the finding.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "// kqlint-disable-next-line obsolete-function -- legacy function\nSecurityEvent\n| summarize make_set(Account)",
    ],
    pass: &[
        "// kqlint-disable-next-line obsolete-function -- kept until the parser is updated\nSecurityEvent | summarize makeset(Account) by Computer",
    ],
};

pub static INVALID_SUPPRESSION: RuleMeta = RuleMeta {
    code: "KQL391",
    name: "invalid-suppression",
    category: Category::Lint,
    severity: Severity::Warning,
    summary: "A `kqlint-disable` comment that kqlint cannot read: an unknown directive or rule, or no rule named.",
    what: "Reports a comment starting with `kqlint-` that is not `kqlint-disable-next-line RULE[, RULE] [-- \
           reason]`, `kqlint-disable-line RULE[, RULE] [-- reason]` or `kqlint-disable-file RULE[, RULE] [-- reason]`, \
           or that names a rule kqlint does not have.",
    why: "A mistyped suppression silently suppresses nothing, and the finding it was meant for is reported \
          anyway; naming no rule at all would hide every finding, placeholders included, so a rule must be named.",
    fix: "Write the directive as shown, naming rules by code (`KQL201`) or name (`unfilled-placeholder`); \
          `kqlint rules` lists them.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "// kqlint-disable-next-line KQL3999\nprint 1",
        "// kqlint-disable-next-line\nprint 1",
        "// kqlint-disable-lines unused-let\nprint 1",
    ],
    pass: &[
        "// kqlint-disable-next-line KQL305 -- kept for the legacy parser\nSecurityEvent | summarize makeset(Account) by Computer",
    ],
};

/// What a directive silences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    NextLine,
    /// The line the comment is on (the comment ends it).
    Line,
    File,
}

/// A rule named in a directive, with its byte range in the comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub range: Range<usize>,
}

/// A parsed suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub scope: Scope,
    pub rules: Vec<Named>,
    pub reason: Option<String>,
}

/// A comment that starts like a directive but is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub message: String,
    /// Byte range in the comment.
    pub range: Range<usize>,
}

/// Reads a comment (with its `//` or `#`). `None` when it is not meant as a
/// directive (it does not start with `kqlint-`).
pub fn parse(comment: &str) -> Option<Result<Directive, Malformed>> {
    let body_start = if let Some(rest) = comment.strip_prefix("//") {
        comment.len() - rest.len()
    } else if let Some(rest) = comment.strip_prefix('#') {
        comment.len() - rest.len()
    } else {
        return None;
    };
    let body = &comment[body_start..];
    let lead = body.len() - body.trim_start().len();
    let start = body_start + lead;
    let text = &comment[start..];
    if !text.starts_with("kqlint-") {
        return None;
    }
    let word_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = &text[..word_end];
    let scope = match word {
        "kqlint-disable-next-line" => Scope::NextLine,
        "kqlint-disable-line" => Scope::Line,
        "kqlint-disable-file" => Scope::File,
        _ => {
            return Some(Err(Malformed {
                message: format!(
                    "`{word}` is not a kqlint directive: use `kqlint-disable-next-line`, `kqlint-disable-line` or `kqlint-disable-file`"
                ),
                range: start..start + word_end,
            }));
        }
    };
    let rest_start = start + word_end;
    let rest = &comment[rest_start..];
    let (list, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], Some(rest[i + 2..].trim().to_owned())),
        None => (rest, None),
    };
    let mut rules = Vec::new();
    let mut at = rest_start;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let s = at + lead;
            rules.push(Named {
                name: name.to_owned(),
                range: s..s + name.len(),
            });
        }
        at += part.len() + 1;
    }
    if rules.is_empty() {
        return Some(Err(Malformed {
            message: format!(
                "`{word}` names no rule: name the rules to silence (for example `{word} KQL201`)"
            ),
            range: start..start + word_end,
        }));
    }
    if let Some(bad) = rules.iter().find(|r| r.name.contains(char::is_whitespace)) {
        return Some(Err(Malformed {
            message: format!(
                "`{}` is not one rule name: separate rules with commas and start a reason with `--`",
                bad.name
            ),
            range: bad.range.clone(),
        }));
    }
    Some(Ok(Directive {
        scope,
        rules,
        reason: reason.filter(|r| !r.is_empty()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let c = "// kqlint-disable-next-line KQL201, unused-let -- the portal fills it in";
        let d = parse(c).unwrap().unwrap();
        assert_eq!(d.scope, Scope::NextLine);
        assert_eq!(d.rules.len(), 2);
        assert_eq!(&c[d.rules[1].range.clone()], "unused-let");
        assert_eq!(d.reason.as_deref(), Some("the portal fills it in"));
        let d = parse("// kqlint-disable-line KQL303").unwrap().unwrap();
        assert_eq!(d.scope, Scope::Line);
        assert_eq!(d.rules[0].name, "KQL303");
        let d = parse("#kqlint-disable-file KQL202").unwrap().unwrap();
        assert_eq!(d.scope, Scope::File);
        assert_eq!(d.reason, None);
    }

    #[test]
    fn other_comments() {
        assert_eq!(parse("// a comment"), None);
        assert_eq!(parse("// kqlint is great"), None);
        assert!(parse("// kqlint-disable-next-line").unwrap().is_err());
        assert!(
            parse("// kqlint-disable-next-line -- why")
                .unwrap()
                .is_err()
        );
        assert!(parse("// kqlint-disable KQL201").unwrap().is_err());
        assert!(parse("// kqlint-disable-lines KQL201").unwrap().is_err());
        assert!(
            parse("// kqlint-disable-next-line KQL201 KQL202")
                .unwrap()
                .is_err()
        );
    }
}
