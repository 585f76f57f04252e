//! Syntax errors.

use crate::Span;
use std::fmt;

/// The kinds of syntax error. Codes and names are stable: other tools read
/// them, and suppressions name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyntaxErrorKind {
    /// A token that does not fit where it stands.
    UnexpectedToken,
    /// A `(`, `[` or `{` without its closing partner.
    UnclosedDelimiter,
    /// A string literal without its closing quote.
    UnterminatedString,
    /// A character that starts no KQL token.
    InvalidCharacter,
    /// Two statements without the `;` between them.
    MissingSemicolon,
    /// A word after `|` that is not a query operator.
    UnknownOperator,
    /// An operand, argument or value is missing.
    MissingExpression,
    /// A literal whose text is malformed (`dynamic([1,])`, `long(x)`, `0x`).
    InvalidLiteral,
    /// Nesting deeper than the parser's limit.
    NestingTooDeep,
    /// A name was expected (a column, a parameter, a `let` name).
    MissingName,
    /// A `)`, `]` or `}` with no opening partner.
    UnmatchedDelimiter,
    /// A keyword used as a bare name (`string`, `project`, ...).
    KeywordAsName,
    /// A `\` escape that KQL does not know (`"\E"`).
    InvalidEscape,
}

impl SyntaxErrorKind {
    pub const ALL: &'static [SyntaxErrorKind] = &[
        SyntaxErrorKind::UnexpectedToken,
        SyntaxErrorKind::UnclosedDelimiter,
        SyntaxErrorKind::UnterminatedString,
        SyntaxErrorKind::InvalidCharacter,
        SyntaxErrorKind::MissingSemicolon,
        SyntaxErrorKind::UnknownOperator,
        SyntaxErrorKind::MissingExpression,
        SyntaxErrorKind::InvalidLiteral,
        SyntaxErrorKind::NestingTooDeep,
        SyntaxErrorKind::MissingName,
        SyntaxErrorKind::UnmatchedDelimiter,
        SyntaxErrorKind::KeywordAsName,
        SyntaxErrorKind::InvalidEscape,
    ];

    /// The stable code, `KQL001`...`KQL099`.
    pub fn code(self) -> &'static str {
        crate::rules::meta(self).code
    }

    /// The stable name, `unexpected-token`, ...
    pub fn name(self) -> &'static str {
        crate::rules::meta(self).name
    }

    /// One line on what the error means.
    pub fn summary(self) -> &'static str {
        crate::rules::meta(self).summary
    }
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One syntax diagnostic. Messages hold no positions: the caller maps spans
/// (and `open_delimiter`) to file lines and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub message: String,
    /// The offending token, or an empty span where something is missing.
    pub span: Span,
    /// Related places (the unclosed `(`, ...).
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
    /// For unclosed delimiters: where the opener is.
    pub open_delimiter: Option<Span>,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, span: Span, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            open_delimiter: None,
        }
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.kind.code())
    }
}
