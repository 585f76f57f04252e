//! The check that makes formatting safe: the output must lex to the very
//! tokens and comments of the input. Only white space may differ.

use crate::FormatError;
use kql_syntax::{Token, TokenKind};

/// Compares the significant tokens (kind and text) and the comments (text
/// without trailing white space, which the layout removes) of two texts.
pub(crate) fn same_tokens(before: &str, after: &str) -> Result<(), FormatError> {
    let (b, a) = (kql_syntax::lex(before), kql_syntax::lex(after));
    let sig = |src: &str, toks: &[Token]| -> Vec<(TokenKind, String)> {
        toks.iter()
            .filter(|t| !t.kind.is_trivia())
            .map(|t| (t.kind, text(src, t).to_owned()))
            .collect()
    };
    let (sb, sa) = (sig(before, &b), sig(after, &a));
    if let Some((index, x, y)) = first_difference(&sb, &sa) {
        return Err(FormatError::TokensChanged {
            index,
            before: describe(x),
            after: describe(y),
        });
    }
    let comments = |src: &str, toks: &[Token]| -> Vec<(TokenKind, String)> {
        toks.iter()
            .filter(|t| t.kind == TokenKind::Comment)
            .map(|t| (t.kind, text(src, t).trim_end().to_owned()))
            .collect()
    };
    let (cb, ca) = (comments(before, &b), comments(after, &a));
    if let Some((index, x, y)) = first_difference(&cb, &ca) {
        return Err(FormatError::CommentsChanged {
            index,
            before: describe(x),
            after: describe(y),
        });
    }
    Ok(())
}

fn text<'a>(src: &'a str, t: &Token) -> &'a str {
    &src[t.span.start as usize..t.span.end as usize]
}

type Item = (TokenKind, String);

/// The first position where two sequences differ, a missing item being
/// `None`.
fn first_difference<'a>(
    x: &'a [Item],
    y: &'a [Item],
) -> Option<(usize, Option<&'a Item>, Option<&'a Item>)> {
    let n = x.len().max(y.len());
    (0..n).find_map(|i| {
        let (a, b) = (x.get(i), y.get(i));
        (a != b).then_some((i, a, b))
    })
}

/// A token for a message: its text (shortened) and kind.
fn describe(item: Option<&Item>) -> String {
    match item {
        None => "nothing".to_owned(),
        Some((kind, text)) => {
            let short: String = text.chars().take(40).collect();
            let more = if short.len() < text.len() { "…" } else { "" };
            format!("`{short}{more}` ({})", kind.describe())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_differences_pass() {
        assert!(same_tokens("T | where a==1 // c  ", "T\n| where a == 1 // c").is_ok());
    }

    #[test]
    fn a_changed_token_is_named() {
        let e = same_tokens("T | where a == 1", "T | where a == 2").unwrap_err();
        assert!(e.to_string().contains("`1`"), "{e}");
    }

    #[test]
    fn merged_tokens_are_caught() {
        // removing the space would make one name of two
        assert!(same_tokens("a b", "ab").is_err());
    }

    #[test]
    fn a_swallowed_token_is_caught() {
        // a token moved onto a comment's line disappears into the comment
        let e = same_tokens("// c\nT", "// c T").unwrap_err();
        assert!(
            matches!(e, FormatError::TokensChanged { index: 0, .. }),
            "{e}"
        );
    }

    #[test]
    fn a_changed_comment_is_caught() {
        let e = same_tokens("T // one", "T // two").unwrap_err();
        assert!(matches!(e, FormatError::CommentsChanged { .. }), "{e}");
    }
}
