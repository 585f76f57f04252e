//! The registry entries of the parser's syntax errors: code, name,
//! documentation and examples, one per [`SyntaxErrorKind`]. The parser owns
//! them, as every other check owns the metadata of what it reports.

use crate::SyntaxErrorKind;
use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

macro_rules! syntax_rule {
    ($ident:ident, $code:literal, $name:literal, $summary:literal, $what:expr, $why:expr, $fix:expr, fail: [$($fail:expr),*], pass: [$($pass:expr),*]) => {
        pub static $ident: RuleMeta = RuleMeta {
            code: $code,
            name: $name,
            category: Category::Syntax,
            severity: Severity::Error,
            summary: $summary,
            what: $what,
            why: $why,
            fix: $fix,
            fixable: false,
            opt_in: false,
            example_kind: ExampleKind::Kql,
            fail: &[$($fail),*],
            pass: &[$($pass),*],
        };
    };
}

const WONT_RUN: &str = "Sentinel, Defender XDR and Azure Data Explorer reject the whole query: the rule does not deploy, or the hunting query fails when run.";

syntax_rule!(UNEXPECTED_TOKEN, "KQL001", "unexpected-token", "A token that does not fit the KQL grammar where it stands.",
    "Reports a token that cannot stand where it is, such as a second value after `take 10` or a stray character after a complete operator.",
    WONT_RUN,
    "Remove the token or add what is missing before it (often a `|`, a `,` or an operator).",
    fail: ["T | take 10 20", "print x = 1 2"],
    pass: ["T | take 10", "print x = 1, y = 2"]);

syntax_rule!(UNCLOSED_DELIMITER, "KQL002", "unclosed-delimiter", "A `(`, `[` or `{` is never closed.",
    "Reports a `(`, `[` or `{` that is never closed. The message points at the place where the closing delimiter was expected and a label marks the opener.",
    WONT_RUN,
    "Add the closing delimiter where the expression ends.",
    fail: ["T | where (x == 1", "T | where x in (1, 2"],
    pass: ["T | where (x == 1)", "T | where x in (1, 2)"]);

syntax_rule!(UNTERMINATED_STRING, "KQL003", "unterminated-string", "A string literal has no closing quote.",
    "Reports a string literal without its closing quote.",
    WONT_RUN,
    "Close the string with the same quote it starts with; for text spanning lines use ```...```.",
    fail: ["print \"abc", "T | where x == 'a"],
    pass: ["print \"abc\"", "T | where x == 'a'"]);

syntax_rule!(INVALID_CHARACTER, "KQL004", "invalid-character", "A character that cannot start any KQL token.",
    "Reports a character that starts no KQL token, such as a backtick or a currency sign outside a string.",
    WONT_RUN,
    "Remove the character, or put the text in a string literal or a bracketed name (`['x y']`).",
    fail: ["print `x`", "print ¤ 1"],
    pass: ["print ['x']", "print \"¤\""]);

syntax_rule!(MISSING_SEMICOLON, "KQL005", "missing-semicolon", "Statements (`let`, `set`, `declare`, ...) must be separated by `;`.",
    "Reports two statements that are not separated by `;`, most often a `let` followed by the query.",
    WONT_RUN,
    "End every `let`, `set` and `declare` statement with `;`.",
    fail: ["let x = 1\nprint x"],
    pass: ["let x = 1;\nprint x"]);

syntax_rule!(UNKNOWN_OPERATOR, "KQL006", "unknown-operator", "The word after `|` is not a tabular operator (operators are case-sensitive).",
    "Reports a word after `|` that is not a tabular operator. Operators are case-sensitive, so `Where` is unknown; the help suggests the nearest operator.",
    WONT_RUN,
    "Use the operator's exact name (`where`, `project`, `summarize`, ...).",
    fail: ["T | projekt a", "T | Where x == 1"],
    pass: ["T | project a", "T | where x == 1"]);

syntax_rule!(MISSING_EXPRESSION, "KQL007", "missing-expression", "An operand, argument or value is missing.",
    "Reports an operand, argument or value that is missing, as in `x ==` at the end of a line.",
    WONT_RUN,
    "Complete the expression.",
    fail: ["T | where x ==", "T | where x == 1 and"],
    pass: ["T | where x == 1", "T | where x == 1 and y == 2"]);

syntax_rule!(INVALID_LITERAL, "KQL008", "invalid-literal", "A literal whose text is malformed.",
    "Reports a literal whose text is malformed: a trailing comma in `dynamic([...])`, `long(x)`, a bad hex number.",
    WONT_RUN,
    "Write the literal in KQL's syntax (`dynamic([1, 2])`, `long(5)`, `0x1F`).",
    fail: ["print dynamic([1,])", "print long(x)"],
    pass: ["print dynamic([1])", "print long(5)"]);

syntax_rule!(NESTING_TOO_DEEP, "KQL009", "nesting-too-deep", "The query nests deeper than the parser allows.",
    "Reports parentheses, brackets or operators nested deeper than the parser's safety limit. Kusto itself stops at a similar depth.",
    "Such a query is rejected by Kusto too, and analysing it would exhaust the stack.",
    "Flatten the expression: use `in (...)` instead of long `or` chains, or `let` statements for sub-expressions.",
    fail: [],
    pass: ["print ((((1))))"]);

syntax_rule!(MISSING_NAME, "KQL010", "missing-name", "A name is expected here.",
    "Reports a place where a name is required: a column after `project-rename`, a parameter, a `let` name.",
    WONT_RUN,
    "Write the name.",
    fail: ["T | project-rename = b"],
    pass: ["T | project-rename a = b"]);

syntax_rule!(UNMATCHED_DELIMITER, "KQL011", "unmatched-delimiter", "A `)`, `]` or `}` without a matching opening delimiter.",
    "Reports a `)`, `]` or `}` that closes nothing.",
    WONT_RUN,
    "Remove the extra delimiter or add its opening partner.",
    fail: ["T | where x == 1)"],
    pass: ["T | where (x == 1)"]);

syntax_rule!(KEYWORD_AS_NAME, "KQL012", "keyword-as-name", "A keyword used as a name must be bracketed: `['string']`.",
    "Reports a reserved keyword used as a bare name, such as a column called `string`.",
    WONT_RUN,
    "Bracket the name: `['string']`.",
    fail: ["T | project string"],
    pass: ["T | project ['string']"]);

syntax_rule!(INVALID_ESCAPE, "KQL013", "invalid-escape", "A backslash escape that KQL strings do not support.",
    "Reports a backslash escape that KQL strings do not support, such as `\\E`.",
    WONT_RUN,
    "Double the backslash (`\\\\E`) or use a verbatim string (`@\"a\\E\"`).",
    fail: ["print \"a\\E\""],
    pass: ["print \"a\\\\E\"", "print @\"a\\E\""]);

/// One entry per syntax error kind, in code order.
pub static RULES: &[&RuleMeta] = &[
    &UNEXPECTED_TOKEN,
    &UNCLOSED_DELIMITER,
    &UNTERMINATED_STRING,
    &INVALID_CHARACTER,
    &MISSING_SEMICOLON,
    &UNKNOWN_OPERATOR,
    &MISSING_EXPRESSION,
    &INVALID_LITERAL,
    &NESTING_TOO_DEEP,
    &MISSING_NAME,
    &UNMATCHED_DELIMITER,
    &KEYWORD_AS_NAME,
    &INVALID_ESCAPE,
];

/// The registry entry of a syntax error kind.
pub fn meta(kind: SyntaxErrorKind) -> &'static RuleMeta {
    use SyntaxErrorKind::*;
    match kind {
        UnexpectedToken => &UNEXPECTED_TOKEN,
        UnclosedDelimiter => &UNCLOSED_DELIMITER,
        UnterminatedString => &UNTERMINATED_STRING,
        InvalidCharacter => &INVALID_CHARACTER,
        MissingSemicolon => &MISSING_SEMICOLON,
        UnknownOperator => &UNKNOWN_OPERATOR,
        MissingExpression => &MISSING_EXPRESSION,
        InvalidLiteral => &INVALID_LITERAL,
        NestingTooDeep => &NESTING_TOO_DEEP,
        MissingName => &MISSING_NAME,
        UnmatchedDelimiter => &UNMATCHED_DELIMITER,
        KeywordAsName => &KEYWORD_AS_NAME,
        InvalidEscape => &INVALID_ESCAPE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_registered_once_in_code_order() {
        let metas: Vec<&str> = SyntaxErrorKind::ALL.iter().map(|k| meta(*k).code).collect();
        let listed: Vec<&str> = RULES.iter().map(|m| m.code).collect();
        assert_eq!(metas, listed);
    }

    #[test]
    fn examples_parse_as_documented() {
        for m in RULES {
            for src in m.fail {
                let errors = crate::parse(src).errors;
                assert!(
                    errors.iter().any(|e| e.kind.code() == m.code),
                    "{} fail example {src:?} gave {errors:?}",
                    m.code
                );
            }
            for src in m.pass {
                let errors = crate::parse(src).errors;
                assert!(
                    errors.is_empty(),
                    "{} pass example {src:?} gave {errors:?}",
                    m.code
                );
            }
        }
        let deep = format!(
            "print {}1{}",
            "(".repeat(crate::MAX_DEPTH as usize + 10),
            ")".repeat(crate::MAX_DEPTH as usize + 10)
        );
        assert!(
            crate::parse(&deep)
                .errors
                .iter()
                .any(|e| e.kind == SyntaxErrorKind::NestingTooDeep)
        );
    }
}
