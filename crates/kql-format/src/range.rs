//! Formatting part of a text: the top-level statements a range touches.
//!
//! The whole text is formatted (and checked) as [`crate::format`] does;
//! then only the statements that overlap the range are taken from the
//! result and put in place of the same statements in the input. Formatting
//! keeps every token, so a statement's first and last tokens are found in
//! the output by their index. The spliced text is checked again.

use crate::layout::{self, Laid};
use crate::wrap;
use crate::{FormatError, FormatOptions, check_parses, safety};
use std::ops::Range;

/// Formats the top-level statements of `text` that overlap `range` (byte
/// offsets; an empty range at a position inside a statement selects it),
/// and nothing else. Returns the span of `text` to replace, widened to
/// whole statements (and whole lines when a statement has its lines to
/// itself), with its replacement; `None` when those statements are
/// already formatted or the range touches no statement.
///
/// The text as a whole must parse without errors, as for [`crate::format`].
///
/// ```
/// use kql_format::{FormatOptions, format_range};
/// let text = "T | take 1;\nU | where a==1;\n";
/// let options = FormatOptions { script: true, ..Default::default() };
/// let (span, new) = format_range(text, &options, 14..14).unwrap().unwrap();
/// assert_eq!(&text[span], "U | where a==1;");
/// assert_eq!(new, "U\n| where a == 1;");
/// ```
pub fn format_range(
    text: &str,
    options: &FormatOptions,
    range: Range<usize>,
) -> Result<Option<(Range<usize>, String)>, FormatError> {
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        let shifted = range.start.saturating_sub(3)..range.end.saturating_sub(3);
        let r = format_range(rest, options, shifted)?;
        return Ok(r.map(|(span, new)| (span.start + 3..span.end + 3, new)));
    }
    check_parses(text, options, |count, first| FormatError::SyntaxErrors {
        count,
        first,
    })?;
    let laid = wrap::layout(text, options);
    if laid.text == text {
        return Ok(None);
    }
    safety::same_tokens(text, &laid.text)?;
    check_parses(&laid.text, options, |errors, first| {
        FormatError::ParseChanged { errors, first }
    })?;
    let (toks, _) = layout::split(text);
    let ends: Vec<(usize, usize)> = toks
        .iter()
        .map(|(_, t)| (t.start, t.start + t.text.len()))
        .collect();
    let Some((first, last)) = statements_in(&laid, &ends, &range) else {
        return Ok(None);
    };
    let out_ends: Vec<(usize, usize)> = laid
        .starts
        .iter()
        .zip(&toks)
        .map(|(&s, (_, t))| (s, s + t.text.len()))
        .collect();
    let (in_s, in_e) = widen(text, &ends, first, last);
    let (out_s, out_e) = widen(&laid.text, &out_ends, first, last);
    let new = &laid.text[out_s..out_e];
    if &text[in_s..in_e] == new {
        return Ok(None);
    }
    let spliced = format!("{}{new}{}", &text[..in_s], &text[in_e..]);
    safety::same_tokens(text, &spliced)?;
    check_parses(&spliced, options, |errors, first| {
        FormatError::ParseChanged { errors, first }
    })?;
    Ok(Some((in_s..in_e, new.to_owned())))
}

/// The first token of the first statement and the last token of the last
/// one that overlap `range` (`ends`: each token's span in the input).
fn statements_in(
    laid: &Laid,
    ends: &[(usize, usize)],
    range: &Range<usize>,
) -> Option<(usize, usize)> {
    let n = ends.len();
    let mut picked: Option<(usize, usize)> = None;
    for (k, &s) in laid.statements.iter().enumerate() {
        let e = laid.statements.get(k + 1).map_or(n, |&next| next) - 1;
        if s > e || e >= n {
            continue;
        }
        if ends[s].0 <= range.end && range.start <= ends[e].1 {
            picked = Some(match picked {
                None => (s, e),
                Some((first, _)) => (first, e),
            });
        }
    }
    picked
}

/// The span of tokens `first..=last` of `text`, from the start of the
/// first token's line when only indentation comes before it, to the end
/// of the last token's line when no token follows on it (its comment is
/// taken along).
fn widen(text: &str, ends: &[(usize, usize)], first: usize, last: usize) -> (usize, usize) {
    let (mut s, _) = ends[first];
    let (_, mut e) = ends[last];
    let line_start = text[..s].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if text[line_start..s].chars().all(|c| c == ' ' || c == '\t') {
        s = line_start;
    }
    let line_end = text[e..].find(['\n', '\r']).map_or(text.len(), |i| e + i);
    if ends.get(last + 1).is_none_or(|&(next, _)| next >= line_end) {
        e = e + text[e..line_end].trim_end().len();
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script() -> FormatOptions {
        FormatOptions {
            script: true,
            ..FormatOptions::default()
        }
    }

    #[test]
    fn only_the_statements_in_the_range_change() {
        let text = "let a = 1;  let b=2;\nT | where x==a\n\nU|take 1 // keep\n\nV | take 2\n";
        // the range is inside `U|take 1`
        let at = text.find("take 1").unwrap();
        let (span, new) = format_range(text, &script(), at..at + 2).unwrap().unwrap();
        assert_eq!(&text[span.clone()], "U|take 1 // keep");
        assert_eq!(new, "U\n| take 1 // keep");
        let done = format!("{}{new}{}", &text[..span.start], &text[span.end..]);
        assert_eq!(
            done,
            "let a = 1;  let b=2;\nT | where x==a\n\nU\n| take 1 // keep\n\nV | take 2\n"
        );
    }

    #[test]
    fn a_range_over_two_statements_takes_both_whole() {
        let text = "let a = 1+2;\nlet b = 2+3;\nlet c = 3+4;\nprint a";
        let (span, new) = format_range(text, &script(), 4..16).unwrap().unwrap();
        assert_eq!(&text[span], "let a = 1+2;\nlet b = 2+3;");
        assert_eq!(new, "let a = 1 + 2;\nlet b = 2 + 3;");
    }

    #[test]
    fn a_formatted_statement_or_a_gap_gives_nothing() {
        let text = "T\n| take 1\n\n\nU|take 2\n";
        assert_eq!(format_range(text, &script(), 0..3).unwrap(), None);
        // a blank line between statements touches none
        assert_eq!(format_range(text, &script(), 11..11).unwrap(), None);
    }

    #[test]
    fn syntax_errors_anywhere_leave_the_text_alone() {
        let e = format_range("T | take 1;\nU | where (", &script(), 0..1).unwrap_err();
        assert!(matches!(e, FormatError::SyntaxErrors { .. }), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_kept_out_of_the_edit() {
        let text = "\u{feff}T|take 1";
        let (span, new) = format_range(text, &script(), 3..4).unwrap().unwrap();
        assert_eq!(span, 3..text.len());
        assert_eq!(new, "T\n| take 1");
    }
}
