//! YAML syntax errors in plain words, at the right place.

use crate::rules::YAML_SYNTAX_ERROR;
use kqlint_diagnostics::{Diagnostic, Span};

/// The diagnostic for the parser's error `info` at byte `at` of `text`.
pub(crate) fn syntax_error(text: &str, at: u32, info: &str) -> Diagnostic {
    let at = (at as usize).min(text.len());
    if let Some(tab) = find_tab(text, at, info) {
        let in_indent = text[line_start(text, tab)..tab]
            .bytes()
            .all(|b| b == b' ' || b == b'\t');
        let message = if in_indent {
            "a TAB character is used for indentation here; YAML allows only spaces for indentation"
        } else {
            "a TAB character cannot be used here; YAML separates and indents with spaces"
        };
        return Diagnostic::new(
            &YAML_SYNTAX_ERROR,
            Span::new(tab as u32, tab as u32 + 1),
            message,
        )
        .with_help(format!(
            "replace the TAB with spaces (the YAML parser said: {info})"
        ));
    }
    if let Some(d) = block_indentation(text, at, info) {
        return d;
    }
    if let Some(d) = over_indented(text, at, info) {
        return d;
    }
    let (message, mut tip) = plain_words(info);
    if info.contains("invalid trailing content after double-quoted scalar")
        && quote_before(text, at) == Some(b'\'')
    {
        tip = Some("inside '...' a quote is written twice: `''`; or use a `|` block");
    }
    let message = if info.contains("found unknown anchor") {
        let name: String = text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}'))
            .collect();
        format!(
            "the alias `{name}` refers to an anchor (`&{}`) that is not defined before it",
            name.trim_start_matches('*')
        )
    } else {
        message
    };
    let message = match unexpected_char(info) {
        Some(c @ ('@' | '`')) => format!(
            "{} is reserved in YAML and cannot start an unquoted value; put the value in quotes or \
             use a `|` block",
            if c == '@' { "`@`" } else { "the backquote" }
        ),
        Some(c) => format!("unexpected character `{c}` here"),
        None => message,
    };
    let span = match bad_escape(text, at, info) {
        Some(e) => e,
        None => char_span(text, at),
    };
    let help = match tip {
        Some(tip) => format!("{tip} (the YAML parser said: {info})"),
        None => format!("the YAML parser said: {info}"),
    };
    Diagnostic::new(&YAML_SYNTAX_ERROR, span, message).with_help(help)
}

/// The character of saphyr's "unexpected character: `c'" message.
fn unexpected_char(info: &str) -> Option<char> {
    let rest = info.strip_prefix("unexpected character: `")?;
    let mut chars = rest.chars();
    let c = chars.next()?;
    (chars.as_str() == "'").then_some(c)
}

/// The nearest quote character before `at` on its line.
fn quote_before(text: &str, at: usize) -> Option<u8> {
    let ls = line_start(text, at);
    text.as_bytes()[ls..at]
        .iter()
        .rev()
        .find(|&&b| b == b'\'' || b == b'"')
        .copied()
}

/// The lines of the text, as `(start, end)` byte ranges without breaks.
fn lines_before(text: &str, at: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut s = 0;
    let end = line_end(text, at);
    while s <= end {
        let e = line_end(text, s);
        v.push((s, e));
        let b = text.as_bytes();
        let n = match b.get(e) {
            Some(b'\r') if b.get(e + 1) == Some(&b'\n') => 2,
            Some(_) => 1,
            None => break,
        };
        s = e + n;
    }
    v
}

/// A `key: |` / `key: >` header line: the key's indentation and name.
fn block_header(line: &str) -> Option<(usize, &str)> {
    let indent = line.bytes().take_while(|&b| b == b' ').count();
    let rest = line[indent..].trim_start_matches("- ");
    let (key, value) = rest.split_once(':')?;
    let value = value.split(" #").next()?.trim();
    let mut v = value.bytes();
    if !matches!(v.next(), Some(b'|' | b'>')) || !v.all(|b| matches!(b, b'+' | b'-' | b'1'..=b'9'))
    {
        return None;
    }
    let key = key.trim();
    (!key.is_empty() && !key.contains(' ')).then_some((indent, key))
}

/// Errors caused by the lines of a `|` / `>` block: lines not indented
/// under the key at all (the block is then empty and its text is read as
/// YAML), or a line indented less than the block's first line.
fn block_indentation(text: &str, at: usize, info: &str) -> Option<Diagnostic> {
    let lines = lines_before(text, at);
    let err_line = lines.len().checked_sub(1)?;
    let indent_of = |(s, e): (usize, usize)| -> Option<usize> {
        let l = &text[s..e];
        let n = l.bytes().take_while(|&b| b == b' ').count();
        (n < l.len() && !l[n..].starts_with('#')).then_some(n)
    };
    // The nearest header above the error, at most 2,000 lines up.
    let lo = err_line.saturating_sub(2000);
    let (h, (key_indent, key)) = (lo..err_line)
        .rev()
        .find_map(|i| block_header(&text[lines[i].0..lines[i].1]).map(|k| (i, k)))?;
    let first = (h + 1..=err_line).find(|&i| indent_of(lines[i]).is_some())?;
    let first_indent = indent_of(lines[first])?;
    let help = |tip: String| format!("{tip} (the YAML parser said: {info})");
    if first_indent <= key_indent {
        let (s, e) = lines[first];
        let content = s + first_indent;
        return Some(
            Diagnostic::new(
                &YAML_SYNTAX_ERROR,
                Span::new(content as u32, e as u32),
                format!(
                    "the lines of the `{key}` block must be indented more than `{key}`; this line is \
                     not, so the block is empty and this line is read as YAML"
                ),
            )
            .with_help(help(format!(
                "indent every line of the block by {} spaces",
                key_indent + 2
            ))),
        );
    }
    // Every line between the block's first and the error belongs to it.
    let err_indent = indent_of(lines[err_line])?;
    if err_indent <= key_indent || err_indent >= first_indent {
        return None;
    }
    let in_block = (first..err_line).all(|i| indent_of(lines[i]).is_none_or(|n| n >= first_indent));
    if !in_block {
        return None;
    }
    let (s, e) = lines[err_line];
    Some(
        Diagnostic::new(
            &YAML_SYNTAX_ERROR,
            Span::new((s + err_indent) as u32, e as u32),
            format!(
                "this line is indented less than the first line of the `{key}` block ({first_indent} \
                 spaces), so the block ends above it and this line is read as YAML"
            ),
        )
        .with_help(help(format!(
            "indent the block's lines by at least {first_indent} spaces, or start the block with `|{}` \
             to set its indentation",
            err_indent - key_indent
        ))),
    )
}

/// Leading spaces of the line holding `at`, and where its content starts.
fn indentation(text: &str, at: usize) -> (usize, usize) {
    let ls = line_start(text, at);
    let n = text[ls..].bytes().take_while(|&b| b == b' ').count();
    (n, ls + n)
}

/// `key: value` on a line indented deeper than the line above reads as the
/// continuation of the value above, and the parser then stumbles on the `:`.
/// Say so, at the start of the over-indented line.
fn over_indented(text: &str, at: usize, info: &str) -> Option<Diagnostic> {
    if !info.contains("mapping values are not allowed") {
        return None;
    }
    let (indent, content) = indentation(text, at);
    let ls = line_start(text, at);
    // The previous line that is neither blank nor a comment.
    let mut end = ls;
    let prev = loop {
        if end == 0 {
            return None;
        }
        let ps = line_start(text, end - 1);
        let line = text[ps..end].trim_end_matches(['\r', '\n']);
        let t = line.trim_start_matches(' ');
        if !t.is_empty() && !t.starts_with('#') {
            break ps;
        }
        end = ps;
    };
    let (prev_indent, prev_content) = indentation(text, prev);
    let prev_line = &text[prev_content..line_end(text, prev_content)];
    // Only when the line above is a `key: value` with a plain value (or a
    // plain value continued) that this line could be continuing.
    let continues = prev_line.contains(": ") && !prev_line.trim_end().ends_with(':');
    if indent <= prev_indent || !continues || at < content {
        return None;
    }
    let span = char_span(text, content);
    Some(
        Diagnostic::new(
            &YAML_SYNTAX_ERROR,
            span,
            "this line is indented more than the key above it, so YAML reads it as the rest of that \
             key's value, where `: ` is not allowed",
        )
        .with_help(format!(
            "start this line at the same column as the key above ({} spaces), or quote the value above \
             (the YAML parser said: {info})",
            prev_indent
        )),
    )
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\r', '\n']).map_or(text.len(), |i| at + i)
}

/// The parser reports a bad escape in a double-quoted string at the
/// string's opening quote; this finds the escape itself.
fn bad_escape(text: &str, at: usize, info: &str) -> Option<Span> {
    if !(info.contains("escape") || info.contains("hexadecimal")) {
        return None;
    }
    let b = text.as_bytes();
    let mut i = at;
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    while i < b.len() {
        match b[i] {
            b'"' => return None,
            b'\\' => {
                let ok = match b.get(i + 1) {
                    Some(b'x') => hex_digits(b, i + 2, 2),
                    Some(b'u') => hex_digits(b, i + 2, 4),
                    Some(b'U') => hex_digits(b, i + 2, 8),
                    Some(c) => b"0abt\tnvfre \"/\\N_LP\r\n".contains(c),
                    None => false,
                };
                if !ok {
                    let len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                    return Some(Span::new(i as u32, (i + 1 + len) as u32));
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

fn hex_digits(b: &[u8], from: usize, n: usize) -> bool {
    b.get(from..from + n)
        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
}

/// The span of the character at `at` (empty at the end of the text or of a line).
fn char_span(text: &str, at: usize) -> Span {
    let mut at = at;
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    match text[at..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => Span::new(at as u32, (at + c.len_utf8()) as u32),
        _ => Span::empty(at as u32),
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The TAB the error is really about, if any. The parser reports some TAB
/// errors at the start of the scalar before the TAB (on an earlier line), and
/// reports others ("did not find expected key", "invalid indentation") after
/// a TAB in the line's indentation.
fn find_tab(text: &str, at: usize, info: &str) -> Option<usize> {
    let ls = line_start(text, at);
    let indent_end = ls
        + text[ls..]
            .bytes()
            .take_while(|&b| b == b' ' || b == b'\t')
            .count();
    if let Some(i) = text[ls..indent_end].bytes().position(|b| b == b'\t')
        && ls + i <= at
    {
        return Some(ls + i);
    }
    if at > 0 && text.as_bytes()[at - 1] == b'\t' && info.contains("whitespace") {
        return Some(at - 1);
    }
    if info.contains("tab") {
        // Look ahead a little: the TAB follows the position reported.
        let window = &text.as_bytes()[at..text.len().min(at + 4096)];
        return window.iter().position(|&b| b == b'\t').map(|i| at + i);
    }
    None
}

/// A plain-words message for the parser's message, and a tip.
fn plain_words(info: &str) -> (String, Option<&'static str>) {
    const TABLE: &[(&str, &str, Option<&str>)] = &[
        (
            "did not find expected key",
            "expected a `key: value` line here; this line is not indented like the keys around it",
            Some("sibling keys must start at the same column"),
        ),
        (
            "mapping values are not allowed in this context",
            "unexpected `:` here: a value that contains `: ` must be quoted",
            Some("put the value in quotes, or use a `|` block for multi-line text"),
        ),
        (
            "did not find expected '-' indicator",
            "expected a `- item` line here; this line is not indented like the list items around it",
            None,
        ),
        (
            "block sequence entries are not allowed in this context",
            "a `- ` list item cannot start here",
            Some("a list under a key starts on the next line, indented (or at the key's column)"),
        ),
        (
            "wrongly indented line in block scalar",
            "this line of the `|` / `>` block is indented less than the block's first line",
            Some("indent every line of the block at least as far as its first line"),
        ),
        (
            "invalid indentation in quoted scalar",
            "the quoted value that starts here runs on to lines that are not indented: is its \
             closing quote missing?",
            Some(
                "close the quote on the line where the value ends, or indent its continuation lines",
            ),
        ),
        (
            "invalid indentation",
            "this line's indentation does not fit the lines above it",
            None,
        ),
        (
            "found unexpected end of stream",
            "the file ends inside a quoted string: the closing quote is missing",
            None,
        ),
        (
            "found unknown escape character",
            "unknown escape sequence in a double-quoted string",
            Some(
                "write `\\\\` for a backslash, or use single quotes or a `|` block, where `\\` needs no escaping",
            ),
        ),
        (
            "did not find expected hexadecimal number",
            "a `\\x`, `\\u` or `\\U` escape in a double-quoted string needs hexadecimal digits",
            Some("write `\\\\` for a backslash, or use single quotes or a `|` block"),
        ),
        (
            "expected ',' or ']'",
            "expected `,` or `]` in this `[...]` list",
            None,
        ),
        (
            "did not find expected ',' or '}'",
            "expected `,` or `}` in this `{...}` mapping",
            None,
        ),
        (
            "misplaced bracket",
            "this bracket does not close anything",
            None,
        ),
        (
            "did not find expected node content",
            "expected a value here",
            None,
        ),
        (
            "found unknown anchor",
            "this alias (`*name`) refers to an anchor (`&name`) that is not defined before it",
            None,
        ),
        (
            "simple key expect ':'",
            "expected `:` after this key",
            Some("a key and its `:` must be on one line"),
        ),
        (
            "could not find expected ':'",
            "expected `:` after this key",
            Some("a key and its `:` must be on one line"),
        ),
        (
            "comment intercepting the multiline text",
            "a comment cannot interrupt a multi-line value",
            None,
        ),
        (
            "while scanning a block scalar, did not find expected comment or line break",
            "after `|` or `>` only `-`, `+`, an indentation digit and a comment may follow on the same line",
            Some("start the block's text on the next line"),
        ),
        (
            "invalid trailing content after double-quoted scalar",
            "unexpected text after the closing quote",
            None,
        ),
        (
            "found unexpected document indicator",
            "a line starting with `---` or `...` ends the document inside this quoted string",
            None,
        ),
        (
            "found duplicated anchor",
            "this anchor name is already defined",
            None,
        ),
        ("unexpected eof", "the file ends unexpectedly", None),
        (
            "illegal placement of ':' indicator",
            "a `:` cannot appear here; is a `[` or `{` above not closed?",
            None,
        ),
        (
            "found unprintable character",
            "this character is not allowed in YAML (a control character)",
            None,
        ),
    ];
    for (needle, message, tip) in TABLE {
        if info.contains(needle) {
            return ((*message).to_owned(), *tip);
        }
    }
    // "while parsing a block mapping, did not find X" -> "did not find X".
    let rest = match info.split_once(", ") {
        Some((head, rest)) if head.starts_with("while ") => rest,
        _ => info,
    };
    (format!("invalid YAML: {rest}"), None)
}
