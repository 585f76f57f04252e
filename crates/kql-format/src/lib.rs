//! A KQL formatter that changes nothing but layout.
//!
//! It works on the lexer's tokens and trivia, not on the syntax tree: the
//! significant tokens are written out again in the same order, with their
//! exact text, and only the white space between them is decided anew (line
//! breaks, indentation, single spaces). Comments and blank lines are kept.
//!
//! **Safety.** A formatter must never change what a query means. Before
//! anything is returned, [`format`] lexes its own output and compares it with
//! the input: the same significant tokens (kind and exact text) in the same
//! order, the same comments, and the output parses without errors. When any
//! of that fails the result is an error naming the difference, never text.
//! A text with syntax errors is not formatted at all.
//!
//! ```
//! let out = kql_format::format("T | where x==1", &Default::default()).unwrap();
//! assert_eq!(out, "T\n| where x == 1");
//! ```
//!
//! The layout rules are described in `docs/formatting.md`.

mod layout;
mod range;
mod safety;
mod wrap;

pub use range::format_range;

use std::fmt;

/// How to format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// Spaces per indentation level.
    pub indent_width: usize,
    /// Lines longer than this many characters are wrapped where they can be
    /// (`usize::MAX`: never).
    pub line_width: usize,
    /// Where the pipes of a pipeline go.
    pub pipe: PipeStyle,
    /// Read the text as a query *file* (`.kql`): a blank line between two
    /// statements separates them (see `kql_syntax::parse_script`). A rule's
    /// query is one query: `false`.
    pub script: bool,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            indent_width: 4,
            line_width: 100,
            pipe: PipeStyle::Leading,
            script: false,
        }
    }
}

/// Where the `|` between two tabular operators goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PipeStyle {
    /// At the start of the operator's line: `T\n| where x`.
    #[default]
    Leading,
    /// At the end of the line before the operator: `T |\nwhere x`. A pipe
    /// after a blank line or a comment stays leading: moving it would move
    /// the comment, or join what the blank line separates.
    Trailing,
}

impl PipeStyle {
    /// The name used in `kqlint.toml` (`pipe = "trailing"`).
    pub fn as_str(self) -> &'static str {
        match self {
            PipeStyle::Leading => "leading",
            PipeStyle::Trailing => "trailing",
        }
    }

    /// Reads `leading` or `trailing`.
    pub fn parse(s: &str) -> Option<PipeStyle> {
        match s {
            "leading" => Some(PipeStyle::Leading),
            "trailing" => Some(PipeStyle::Trailing),
            _ => None,
        }
    }
}

/// Why a text was not formatted. The text itself is never altered then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The text has syntax errors: its layout is left as it is.
    SyntaxErrors {
        count: usize,
        /// The first error's message and byte offset.
        first: String,
    },
    /// Safety check: the formatted text would hold different tokens.
    TokensChanged {
        /// The position (among significant tokens) of the first difference.
        index: usize,
        before: String,
        after: String,
    },
    /// Safety check: the formatted text would hold different comments.
    CommentsChanged {
        index: usize,
        before: String,
        after: String,
    },
    /// Safety check: the formatted text would not parse cleanly.
    ParseChanged { errors: usize, first: String },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::SyntaxErrors { count, first } => write!(
                f,
                "not formatted: the query has {count} syntax error{} (first: {first})",
                if *count == 1 { "" } else { "s" }
            ),
            FormatError::TokensChanged {
                index,
                before,
                after,
            } => write!(
                f,
                "not formatted (safety check): token {index} would change from {before} to {after}"
            ),
            FormatError::CommentsChanged {
                index,
                before,
                after,
            } => write!(
                f,
                "not formatted (safety check): comment {index} would change from {before} to {after}"
            ),
            FormatError::ParseChanged { errors, first } => write!(
                f,
                "not formatted (safety check): the formatted query would have {errors} syntax error(s) (first: {first})"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a query text; see the crate documentation for what changes and
/// the checks made before anything is returned. A text that needs no change
/// comes back equal to the input.
pub fn format(text: &str, options: &FormatOptions) -> Result<String, FormatError> {
    // A byte-order mark is white space to the lexer: keep it where it was
    // rather than let the layout drop it.
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return format(rest, options).map(|out| format!("\u{feff}{out}"));
    }
    check_parses(text, options, |count, first| FormatError::SyntaxErrors {
        count,
        first,
    })?;
    let out = wrap::layout(text, options).text;
    if out == text {
        return Ok(out);
    }
    safety::same_tokens(text, &out)?;
    check_parses(&out, options, |errors, first| FormatError::ParseChanged {
        errors,
        first,
    })?;
    Ok(out)
}

/// Whether `text` parses without errors (the script or query reading, as
/// the options say); `err` builds the error from the count and the first.
fn check_parses(
    text: &str,
    options: &FormatOptions,
    err: impl FnOnce(usize, String) -> FormatError,
) -> Result<(), FormatError> {
    let parse = if options.script {
        kql_syntax::parse_script(text)
    } else {
        kql_syntax::parse(text)
    };
    match parse.errors.first() {
        None => Ok(()),
        Some(e) => Err(err(
            parse.errors.len(),
            format!("{} at byte {}", e.message, e.span.start),
        )),
    }
}
